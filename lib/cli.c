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
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "audit.h"
#include "pms_int.h"
#include "record.h"

void
pms_ctx_init(struct pms_ctx *ctx, const char *prog)
{
	struct rlimit rl = { 0, 0 };
	int fd;

	memset(ctx, 0, sizeof(*ctx));
	ctx->prog = prog;
	/*
	 * A standard descriptor closed (">&-", "<&-") would be the next
	 * file opened, and the store's database could end up written as
	 * standard output.  Each is held by /dev/null opened the other way,
	 * so that using it still fails (EBADF), as closed.
	 */
	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) == -1)
			break;
	ctx->pass_fd = -1;
	ctx->new_pass_fd = -1;
	ctx->out_format = PMS_OUT_AUTO;
	ctx->store_path = getenv("PMS_STORE");
	ctx->keyfile = getenv("PMS_KEYFILE");
	if (ctx->keyfile != NULL && *ctx->keyfile == '\0')
		ctx->keyfile = NULL;
	umask(007);
	/* a closed pipe is a write error to report (74), not a silent death */
	signal(SIGPIPE, SIG_IGN);
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

void
pms_cli_row(struct pms_ctx *ctx, const char *prefix, const char *msg)
{
	if (ctx->row_msgs++ < PMS_CLI_ROW_MSGS)
		fprintf(stderr, "%s: %s%s\n", ctx->prog,
		    prefix != NULL ? prefix : "", msg);
}

void
pms_cli_rows_end(struct pms_ctx *ctx)
{
	unsigned long more;

	if (ctx->row_msgs <= PMS_CLI_ROW_MSGS)
		return;
	more = ctx->row_msgs - PMS_CLI_ROW_MSGS;
	fprintf(stderr, "%s: ... and %lu more message%s about rows, not "
	    "shown (the first %d are)\n", ctx->prog, more,
	    more == 1 ? "" : "s", PMS_CLI_ROW_MSGS);
	ctx->row_msgs = 0;
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

/* Read one line from fd into buf: its length (at most size - 1, a
 * final CR not counted), -1 too long, -3 error. */
static int
read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -3;
		if (r == 0 || c == '\n')
			break;
		if (c == '\r' && n + 1 == size)
			continue;	/* a CRLF line of the very limit */
		if (n + 1 >= size)
			return -1;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (int)n;
}

/* A passphrase that does not fit: bad input, with the limit. */
static int
too_long(const char *where, size_t size)
{
	pms_seterr(PMS_EDATA, "%s%spassphrase too long: at most %zu bytes",
	    where, *where != '\0' ? ": " : "", size - 1);
	return -1;
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
	/* echo off before the prompt, so that what is typed once it is
	 * shown is not flushed */
	tcsetattr(fd, TCSAFLUSH, &raw);
	(void)!write(fd, prompt, strlen(prompt));
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
read_secret(const struct pms_ctx *ctx, int fd, const char *env,
    const char *prompt, int confirm, char *buf, size_t size)
{
	const char *file;
	struct stat sb;
	char where[32], *again;
	int f, n, m;

	if (fd >= 0) {
		snprintf(where, sizeof(where), "fd %d", fd);
		if ((n = read_line(fd, buf, size)) == -3)
			pms_seterr(PMS_EDENIED, "cannot read the passphrase "
			    "from fd %d: %s", fd, strerror(errno));
		else if (n < 0)
			return too_long(where, size);
		return n < 0 ? -1 : n;
	}
	if ((file = getenv(env)) != NULL && *file != '\0') {
		/* a missing or unreadable file is a missing input (66);
		 * its path is no patient's data */
		if ((f = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			pms_seterr(errno == ENOENT || errno == EACCES ||
			    errno == ENOTDIR || errno == EISDIR ? PMS_ENOINPUT :
			    PMS_EIO, "%s: %s: %s", env, file, strerror(errno));
			return -1;
		}
		if (fstat(f, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			pms_seterr(PMS_ENOINPUT, "%s: %s: %s", env, file,
			    strerror(EISDIR));
			close(f);
			return -1;
		}
		/* a passphrase others can read is everyone's */
		if (fstat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & 077) != 0)
			fprintf(stderr, "%s: warning: %s: %s can be read by "
			    "others (mode %04o): chmod 600 it\n", ctx->prog,
			    env, file, (unsigned)(sb.st_mode & 07777));
		n = read_line(f, buf, size);
		close(f);
		if (n == -3)
			pms_seterr(PMS_EDENIED, "%s: %s", env, strerror(errno));
		else if (n < 0)
			return too_long(env, size);
		return n < 0 ? -1 : n;
	}
	n = read_tty(prompt, buf, size);
	if (n == -2) {
		pms_seterr(PMS_EDENIED, "the store is locked and there is no "
		    "terminal to ask for the passphrase: use --passphrase-fd "
		    "or %s", env);
		return -1;
	}
	if (n == -1)
		return too_long("", size);
	if (n < 0) {
		pms_seterr(PMS_EDENIED, "cannot read the passphrase from the "
		    "terminal");
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
		pms_seterr(PMS_EDATA, "the passphrases do not match");
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

	return read_secret(ctx, ctx->pass_fd, "PMS_PASSPHRASE_FILE", prompt,
	    confirm, buf, size);
}

int
pms_cli_new_passphrase(void *arg, const char *prompt, int confirm, char *buf,
    size_t size)
{
	struct pms_ctx *ctx = arg;

	return read_secret(ctx, ctx->new_pass_fd, "PMS_NEW_PASSPHRASE_FILE",
	    prompt, confirm, buf, size);
}

/* ---- the data programs' common options, main and store opening ---- */

/* A file descriptor number from an option's value, or -1. */
static int
parse_fd(const char *arg)
{
	char *end;
	long fd;

	errno = 0;
	fd = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || fd < 0 ||
	    fd > 65535)
		return -1;
	return (int)fd;
}

void
pms_cli_usage_exit(int status)
{
	int e;

	errno = 0;
	if (status == EX_OK && (fflush(stdout) == EOF || ferror(stdout))) {
		e = errno != 0 ? errno : EIO;
		fprintf(stderr, "%s: write error on standard output: %s\n",
		    program_invocation_short_name, strerror(e));
		exit(EX_IOERR);
	}
	exit(status);
}

static _Noreturn void
bad_usage(struct pms_ctx *ctx)
{
	ctx->usage(EX_USAGE);
	exit(EX_USAGE);		/* a usage() always exits; in case not */
}

void
pms_cli_usage(struct pms_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ctx->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	bad_usage(ctx);
}

/*
 * The option getopt_long() just refused, as typed, quoted into buf: a
 * long one whole ("--bogus"), a short one with the word it came in
 * ("-b" in "-bob").  getopt moves past a word of short options only at
 * its last letter, so the word is argv[optind] until then.
 */
void
pms_cli_bad_option(char **argv, char *buf, size_t size)
{
	const char *cur = argv[optind], *prev = argv[optind - 1], *w;

	if (optopt > 0 && optopt < 128 && cur != NULL && cur[0] == '-' &&
	    cur[1] != '-' && strchr(cur + 1, optopt) != NULL)
		w = cur;
	else
		w = prev;
	if (optopt <= 0 || optopt >= 128 || w[0] != '-' || w[1] == '-' ||
	    (w[1] == optopt && w[2] == '\0'))
		snprintf(buf, size, "\"%s\"", w);
	else
		snprintf(buf, size, "\"-%c\" in \"%s\"", optopt, w);
}

int
pms_cli_opt(struct pms_ctx *ctx, int ch, const char *arg, char **argv)
{
	static const char *const formats[] = { "table", "csv", "json" };
	static const int format_ids[] = { PMS_OUT_TABLE, PMS_OUT_CSV,
	    PMS_OUT_JSON };
	char word[300];
	size_t i;

	switch (ch) {
	case 'h':
		ctx->usage(EX_OK);
		exit(EX_OK);
	case 'S':
		ctx->store_path = arg;
		return 0;
	case 'u':
		ctx->user = arg;
		return 0;
	case PMS_OPT_PASSFD:
		if ((ctx->pass_fd = parse_fd(arg)) == -1)
			return pms_fail(ctx, EX_USAGE, "--passphrase-fd: not a "
			    "file descriptor: \"%s\"", arg);
		/* refused even when a cached key would make it unneeded:
		 * a script's mistake must not pass unnoticed */
		if (fcntl(ctx->pass_fd, F_GETFD) == -1)
			return pms_fail(ctx, EX_USAGE, "--passphrase-fd: fd %d "
			    "is not open", ctx->pass_fd);
		return 0;
	case PMS_OPT_KEYFILE:
		ctx->keyfile = arg;
		return 0;
	case 'o':
		for (i = 0; i < PMS_NELEM(formats); i++)
			if (strcmp(arg, formats[i]) == 0) {
				ctx->out_format = format_ids[i];
				return 0;
			}
		return pms_fail(ctx, EX_USAGE, "-o: expected table, csv or "
		    "json, not \"%s\"", arg);
	case PMS_OPT_OUT:
		if (*arg == '\0')
			return pms_fail(ctx, EX_USAGE, "--out: a file name is "
			    "needed");
		ctx->out_path = arg;
		return 0;
	case 'n':
		ctx->dry_run = 1;
		return 0;
	case PMS_OPT_EMERGENCY:
		/* judged by pms_cli_open(), so that --help still wins */
		ctx->emergency = arg;
		return 0;
	case ':':
		pms_cli_bad_option(argv, word, sizeof(word));
		pms_fail(ctx, EX_USAGE, "option %s needs a value", word);
		bad_usage(ctx);
	default:
		pms_cli_bad_option(argv, word, sizeof(word));
		pms_fail(ctx, EX_USAGE, "unknown option %s", word);
		bad_usage(ctx);
	}
}

/* The command named by argv[0] (and argv[1], for two-word commands). */
static const struct pms_cmd *
find_cmd(const struct pms_cmd *cmds, size_t n, int argc, char **argv,
    int *words)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(argv[0]);
		if (strchr(cmds[i].name, ' ') == NULL) {
			if (strcmp(cmds[i].name, argv[0]) == 0) {
				*words = 1;
				return &cmds[i];
			}
		} else if (argc > 1 && strncmp(cmds[i].name, argv[0], len) ==
		    0 && cmds[i].name[len] == ' ' &&
		    strcmp(cmds[i].name + len + 1, argv[1]) == 0) {
			*words = 2;
			return &cmds[i];
		}
	}
	return NULL;
}

/*
 * No command of cmds is named: the first word of a two-word command
 * alone or with a wrong second ("guarantor: give a subcommand (set,
 * show, clear)"), else an unknown command.  Names are quoted only
 * when they have the shape of one.
 */
static _Noreturn void
no_cmd(struct pms_ctx *ctx, const struct pms_cmd *cmds, size_t n, int argc,
    char **argv)
{
	char subs[256];
	size_t i, len = strlen(argv[0]), w = 0;
	int r;

	subs[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strncmp(cmds[i].name, argv[0], len) != 0 ||
		    cmds[i].name[len] != ' ')
			continue;
		r = snprintf(subs + w, sizeof(subs) - w, "%s%s", w > 0 ?
		    ", " : "", cmds[i].name + len + 1);
		if (r > 0 && (size_t)r < sizeof(subs) - w)
			w += (size_t)r;
	}
	if (w > 0 && argc < 2)
		pms_cli_usage(ctx, "%s: give a subcommand (%s)", argv[0], subs);
	if (w > 0 && pms_quotable(argv[1]))
		pms_cli_usage(ctx, "%s: unknown subcommand \"%s\" (%s)",
		    argv[0], argv[1], subs);
	if (w > 0)
		pms_cli_usage(ctx, "%s: unknown subcommand (%s)", argv[0],
		    subs);
	if (pms_quotable(argv[0]))
		pms_cli_usage(ctx, "unknown command \"%s\"", argv[0]);
	pms_cli_usage(ctx, "unknown command");
}

int
pms_cli_main(struct pms_ctx *ctx, const struct pms_cmd *cmds, size_t ncmds,
    int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "version",	no_argument,		NULL, PMS_OPT_VERSION },
		{ NULL,		0,			NULL, 0 }
	};
	const struct pms_cmd *c;
	int ch, rc, words;

	while ((ch = getopt_long(argc, argv, "+" PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == PMS_OPT_VERSION) {
			printf("%s %s\n", ctx->prog, PMS_VERSION);
			pms_cli_usage_exit(EX_OK);
		}
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		bad_usage(ctx);	/* the usage says it all */
	if ((c = find_cmd(cmds, ncmds, argc, argv, &words)) == NULL)
		no_cmd(ctx, cmds, ncmds, argc, argv);
	/* a two-word command sees its second word as argv[0] */
	argc -= words - 1;
	argv += words - 1;
	ctx->cmd = c->name;
	optind = 0;
	rc = c->fn(ctx, argc, argv);
	pms_cli_rows_end(ctx);
	/* a command that failed before its --out was in place */
	pms_store_release(ctx->out_store);
	ctx->out_store = NULL;
	/* a command that reported its own write error is not told twice */
	if ((fflush(stdout) == EOF || ferror(stdout)) && rc != EX_IOERR)
		rc = pms_fail(ctx, EX_IOERR, "write error on standard output: "
		    "%s", strerror(errno));
	return rc;
}

/* path made absolute and free of symbolic links, as far as it exists;
 * what does not exist yet is appended as given.  The caller frees. */
static char *
resolve(const char *path)
{
	char *copy, *slash, *dir, *r, *out;
	const char *base;
	size_t n;

	if ((r = realpath(path, NULL)) != NULL)
		return r;
	if ((copy = strdup(path)) == NULL)
		return NULL;
	if ((slash = strrchr(copy, '/')) != NULL) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		base = slash + 1;
	} else {
		dir = ".";
		base = copy;
	}
	if ((r = realpath(dir, NULL)) == NULL) {
		free(copy);
		return NULL;
	}
	n = strlen(r) + strlen(base) + 2;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s/%s", r, base);
	free(r);
	free(copy);
	return out;
}

/*
 * What an existing path is that --out must not replace, or NULL: not a
 * regular file (a link, a directory, a socket, a block device; a
 * character device or a FIFO is written where it is, never replaced),
 * or a file that cannot be made again: a store, a backup, key slots, a
 * key file, a checkpoint of the access log, an SQLite database.
 */
static const char *
out_precious(const char *path)
{
	static const struct {
		const char	*magic;
		const char	*what;
	} m[] = {
		{ "PMSSTOR1", "a pms store" },
		{ "PMSBAK01", "a backup of a store" },
		{ "PMSKEYS1", "a store's key slots" },
		{ "pms-keyfile-v1", "a key file" },
		{ "pms-audit-checkpoint", "a checkpoint of the access log" },
		{ "SQLite format 3", "a database" },
	};
	struct stat sb;
	char head[32];
	ssize_t n;
	size_t i;
	int fd;

	if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0)
		return NULL;	/* /dev/stdout, /dev/null: where they are */
	if (lstat(path, &sb) == -1)
		return NULL;	/* a new file, or it fails where it is opened */
	if (S_ISLNK(sb.st_mode))
		return "a symbolic link (name the file itself)";
	if (S_ISDIR(sb.st_mode))
		return "a directory";
	if (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode))
		return NULL;
	if (!S_ISREG(sb.st_mode))
		return "not a regular file";
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, head, sizeof(head));
	close(fd);
	for (i = 0; n > 0 && i < PMS_NELEM(m); i++)
		if ((size_t)n >= strlen(m[i].magic) &&
		    memcmp(head, m[i].magic, strlen(m[i].magic)) == 0)
			return m[i].what;
	return NULL;
}

int
pms_cli_out_path(struct pms_ctx *ctx, const char *opt, const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal",
	    ".keys", ".lock.d" };
	const char *what;
	char *p, *q, *f;
	size_t i, n;
	int bad = 0;

	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	if (ctx->store_path == NULL || (p = resolve(path)) == NULL)
		goto other;	/* an unreachable path fails where opened */
	for (i = 0; i < PMS_NELEM(ext) && !bad; i++) {
		n = strlen(ctx->store_path) + strlen(ext[i]) + 1;
		if ((f = malloc(n)) == NULL)
			break;
		snprintf(f, n, "%s%s", ctx->store_path, ext[i]);
		if ((q = resolve(f)) != NULL) {
			n = strlen(q);
			bad = strcmp(p, q) == 0 || (strncmp(p, q, n) == 0 &&
			    p[n] == '/');
			free(q);
		}
		free(f);
	}
	free(p);
	if (bad)
		return pms_fail(ctx, EX_USAGE, "%s: that is one of the store's "
		    "own files: write somewhere else", opt);
other:
	if ((what = out_precious(path)) != NULL)
		return pms_fail(ctx, EX_USAGE, "%s: that is %s, which it "
		    "would replace: write somewhere else", opt, what);
	return 0;
}

int
pms_cli_rejects_path(struct pms_ctx *ctx, const char *opt, const char *path,
    const char *input)
{
	struct stat a, b;
	int rc;

	if (path == NULL)
		return 0;
	if ((rc = pms_cli_out_path(ctx, opt, path)) != 0)
		return rc;
	if (input == NULL || strcmp(input, "-") == 0 || stat(input, &a) == -1 ||
	    stat(path, &b) == -1)
		return 0;
	if (S_ISREG(a.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return pms_fail(ctx, EX_USAGE, "%s: %s is the file being "
		    "imported; name another file", opt, path);
	return 0;
}

int
pms_cli_once(struct pms_ctx *ctx, const char *opt, const char **slot,
    const char *arg)
{
	if (*slot != NULL)
		return pms_fail(ctx, EX_USAGE, "%s given twice: give it once",
		    opt);
	*slot = arg != NULL ? arg : "";
	return 0;
}

int
pms_cli_open(struct pms_ctx *ctx, const char *action, struct pms_store **sp)
{
	int rc;

	struct pms_store_opts o;
	enum pms_status st;

	*sp = NULL;
	if ((rc = pms_cli_out_path(ctx, "--out", ctx->out_path)) != 0)
		return rc;
	/* told before the store asks for a passphrase */
	if (ctx->emergency != NULL && !pms_rights_reason_valid(ctx->emergency))
		return pms_fail(ctx, EX_USAGE, "--emergency: give the reason in "
		    "words, on one line (3 to 200 characters)");
	pms_ctx_store_opts(ctx, &o);
	if ((st = pms_store_open(sp, &o)) != PMS_OK)
		return pms_fail_status(ctx, st);
	if ((st = pms_store_authorize(*sp, action, ctx->emergency)) !=
	    PMS_OK) {
		pms_store_close(*sp);
		*sp = NULL;
		return pms_fail_status(ctx, st);
	}
	/* after the check, whose refusal or break-glass stays on record */
	pms_store_set_dry_run(*sp, ctx->dry_run);
	/* kept for the export record once --out is in place */
	if (ctx->out_path != NULL && strcmp(ctx->out_path, "-") != 0 &&
	    !ctx->dry_run) {
		pms_store_release(ctx->out_store);
		ctx->out_store = *sp;
		pms_store_hold(*sp);
	}
	return 0;
}

int
pms_cli_out_written(struct pms_ctx *ctx)
{
	struct pms_store *s = ctx->out_store;
	enum pms_status st = PMS_OK;
	char *real;

	if (s == NULL)
		return 0;
	ctx->out_store = NULL;
	if (strcmp(ctx->out_path, "/dev/null") == 0) {
		pms_store_release(s);	/* it went nowhere */
		return 0;
	}
	if ((real = resolve(ctx->out_path)) == NULL)
		st = pms_seterr(PMS_ENOMEM, "out of memory");
	else
		st = pms_audit_export_written(s, real);
	free(real);
	pms_store_release(s);
	if (st != PMS_OK)
		return pms_fail(ctx, EX_IOERR, "--out: %s was written but could "
		    "not be recorded among the exports: %s", ctx->out_path,
		    pms_errmsg());
	return 0;
}

void
pms_cli_would_write(const struct pms_ctx *ctx, const char *path)
{
	fprintf(stderr, "%s: --dry-run: %s was not written\n", ctx->prog,
	    path);
}
