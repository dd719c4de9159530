/*
 * cli.c: helpers for the programs in cmd/, and the only place in libpms
 * that prints or reads the terminal: process set-up, messages on stderr,
 * and the passphrase callback (terminal without echo, --passphrase-fd,
 * or the file named by PMS_PASSPHRASE_FILE; never argv or the
 * environment itself).
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "pms_int.h"

void
pms_ctx_init(struct pms_ctx *ctx, const char *prog)
{
	struct rlimit rl = { 0, 0 };

	memset(ctx, 0, sizeof(*ctx));
	ctx->prog = prog;
	ctx->pass_fd = -1;
	ctx->new_pass_fd = -1;
	ctx->store_path = getenv("PMS_STORE");
	ctx->keyfile = getenv("PMS_KEYFILE");
	if (ctx->keyfile != NULL && *ctx->keyfile == '\0')
		ctx->keyfile = NULL;
	umask(007);
	/* key material must not reach a core file or a debugger */
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (sodium_init() < 0) {
		fprintf(stderr, "%s: cannot initialise libsodium\n", prog);
		exit(EX_SOFTWARE);
	}
}

void
pms_ctx_release(struct pms_ctx *ctx)
{
	(void)ctx;
}

const struct pms_cmd *
pms_cmd_find(const struct pms_cmd *cmds, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
pms_fail(const struct pms_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ctx->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int
pms_fail_status(const struct pms_ctx *ctx, enum pms_status st)
{
	return pms_fail(ctx, pms_exit_code(st), "%s", pms_errmsg());
}

int
pms_ctx_store_opts(struct pms_ctx *ctx, struct pms_store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->path = ctx->store_path;
	o->user = ctx->user;
	o->program = ctx->prog;
	o->pass = pms_cli_passphrase;
	o->pass_arg = ctx;
	o->keyfile = ctx->keyfile;
	o->recovery = ctx->recovery;
	return 0;
}

/* Read one line from fd into buf; its length, -1 too long, -3 error. */
static int
read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	char c;

	while (n + 1 < size) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -3;
		if (r == 0 || c == '\n')
			break;
		buf[n++] = c;
	}
	if (n + 1 >= size)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (int)n;
}

static int
read_tty(const char *prompt, char *buf, size_t size)
{
	struct termios old, raw;
	int fd, n;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -2;
	if (tcgetattr(fd, &old) == -1) {
		close(fd);
		return -2;
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	raw.c_lflag |= ICANON;
	(void)!write(fd, prompt, strlen(prompt));
	tcsetattr(fd, TCSAFLUSH, &raw);
	n = read_line(fd, buf, size);
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return n;
}

/*
 * A secret from fd (if >= 0), else the file named by the environment
 * variable env, else the terminal without echo (twice when confirm).
 */
static int
read_secret(int fd, const char *env, const char *prompt, int confirm,
    char *buf, size_t size)
{
	const char *file;
	char *again;
	int f, n, m;

	if (fd >= 0) {
		if ((n = read_line(fd, buf, size)) == -3)
			pms_seterr(PMS_EDENIED, "cannot read the passphrase "
			    "from fd %d: %s", fd, strerror(errno));
		else if (n < 0)
			pms_seterr(PMS_EDENIED, "passphrase on fd %d is too "
			    "long", fd);
		return n < 0 ? -1 : n;
	}
	if ((file = getenv(env)) != NULL && *file != '\0') {
		if ((f = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			pms_seterr(PMS_EDENIED, "%s: %s", env, strerror(errno));
			return -1;
		}
		n = read_line(f, buf, size);
		close(f);
		if (n == -3)
			pms_seterr(PMS_EDENIED, "%s: %s", env, strerror(errno));
		else if (n < 0)
			pms_seterr(PMS_EDENIED, "%s: passphrase too long", env);
		return n < 0 ? -1 : n;
	}
	n = read_tty(prompt, buf, size);
	if (n == -2) {
		pms_seterr(PMS_EDENIED, "the store is locked and there is no "
		    "terminal to ask for the passphrase: use --passphrase-fd "
		    "or %s", env);
		return -1;
	}
	if (n < 0) {
		pms_seterr(PMS_EDENIED, "passphrase too long");
		return -1;
	}
	if (!confirm)
		return n;
	if ((again = sodium_malloc(size)) == NULL) {
		pms_seterr(PMS_ENOMEM, "out of memory");
		return -1;
	}
	m = read_tty("Again: ", again, size);
	if (m != n || sodium_memcmp(buf, again, (size_t)n) != 0) {
		pms_seterr(PMS_EDENIED, "the passphrases do not match");
		n = -1;
	}
	sodium_free(again);
	return n;
}

int
pms_cli_passphrase(void *arg, const char *prompt, int confirm, char *buf,
    size_t size)
{
	struct pms_ctx *ctx = arg;

	return read_secret(ctx->pass_fd, "PMS_PASSPHRASE_FILE", prompt,
	    confirm, buf, size);
}

int
pms_cli_new_passphrase(void *arg, const char *prompt, int confirm, char *buf,
    size_t size)
{
	struct pms_ctx *ctx = arg;

	return read_secret(ctx->new_pass_fd, "PMS_NEW_PASSPHRASE_FILE", prompt,
	    confirm, buf, size);
}
