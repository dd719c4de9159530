/*
 * pms-admin: create the encrypted store and say who may open it (users,
 * cron key files), unlock it for a pipeline, check it end to end, keep
 * it small (checkpoints, for cron), rekey it, back it up and restore it,
 * load the practice's configuration into it and dump it back, and load
 * the code lists billing checks codes against.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bill.h"
#include "cli.h"
#include "codes.h"
#include "money.h"
#include "config.h"
#include "pms.h"
#include "ptime.h"
#include "remind.h"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-admin [-S store] [-u user] [--passphrase-fd n] "
	    "[--new-passphrase-fd n] [--keyfile file] [--recovery] "
	    "command [args]\n"
	    "       pms-admin init [--kdf interactive|moderate]\n"
	    "       pms-admin status [--unlock]\n"
	    "       pms-admin check\n"
	    "       pms-admin maintain\n"
	    "       pms-admin user add name --role role[,role] "
	    "[--kdf interactive|moderate]\n"
	    "       pms-admin user list\n"
	    "       pms-admin user remove name\n"
	    "       pms-admin user role name role[,role]\n"
	    "       pms-admin user passwd [name] [--kdf interactive|moderate]\n"
	    "       pms-admin keyfile create name --role role[,role] "
	    "--out file\n"
	    "       pms-admin unlock [--for duration]\n"
	    "       pms-admin lock\n"
	    "       pms-admin rekey\n"
	    "       pms-admin backup --out file\n"
	    "       pms-admin restore file --to path\n"
	    "       pms-admin config load file [--dry-run]\n"
	    "       pms-admin config dump\n"
	    "       pms-admin codes load file [--dry-run]\n"
	    "       pms-admin --help | --version\n", f);
	pms_cli_usage_exit(status);
}

/* Options every subcommand takes as well as the program. */
#define COMMON_LONGOPTS \
	{ "help",		no_argument,		NULL, 'h' }, \
	{ "store",		required_argument,	NULL, 'S' }, \
	{ "user",		required_argument,	NULL, 'u' }, \
	{ "passphrase-fd",	required_argument,	NULL, 'P' }, \
	{ "new-passphrase-fd",	required_argument,	NULL, 'N' }, \
	{ "keyfile",		required_argument,	NULL, 'K' }, \
	{ "recovery",		no_argument,		NULL, 'R' }

enum { OPT_KDF = 256, OPT_UNLOCK, OPT_ROLE, OPT_OUT, OPT_FOR, OPT_TO,
    OPT_DRY_RUN };

/* Handle a common option; returns 0, or an exit code. */
static int
common_opt(struct pms_ctx *ctx, int ch, const char *arg, char **argv)
{
	char *end, word[300];
	long fd;

	switch (ch) {
	case 'h':
		usage(EX_OK);
	case 'S':
		ctx->store_path = arg;
		return 0;
	case 'u':
		ctx->user = arg;
		return 0;
	case 'P':
	case 'N':
		fd = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || fd < 0 || fd > 65535)
			return pms_fail(ctx, EX_USAGE, "--%spassphrase-fd: not "
			    "a file descriptor: "
			    "\"%s\"", ch == 'N' ? "new-" : "",
			    arg);
		/* not open: refused even when a cached key would do */
		if (fcntl((int)fd, F_GETFD) == -1)
			return pms_fail(ctx, EX_USAGE, "--%spassphrase-fd: "
			    "fd %ld is not open", ch == 'N' ? "new-" : "", fd);
		if (ch == 'P')
			ctx->pass_fd = (int)fd;
		else
			ctx->new_pass_fd = (int)fd;
		return 0;
	case 'K':
		ctx->keyfile = arg;
		return 0;
	case 'R':
		ctx->recovery = 1;
		return 0;
	case ':':
		pms_cli_bad_option(argv, word, sizeof(word));
		pms_fail(ctx, EX_USAGE, "option %s needs a value", word);
		usage(EX_USAGE);
	default:
		pms_cli_bad_option(argv, word, sizeof(word));
		pms_fail(ctx, EX_USAGE, "unknown option %s", word);
		usage(EX_USAGE);
	}
}

static int
parse_kdf(struct pms_ctx *ctx, const char *arg, enum pms_kdf *kdf)
{
	if (strcmp(arg, "interactive") == 0)
		*kdf = PMS_KDF_INTERACTIVE;
	else if (strcmp(arg, "moderate") == 0)
		*kdf = PMS_KDF_MODERATE;
	else
		return pms_fail(ctx, EX_USAGE, "--kdf: expected interactive or "
		    "moderate, not \"%s\"", arg);
	return 0;
}

static int
cmd_init(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "kdf",	required_argument,	NULL, OPT_KDF },
		{ NULL,		0,			NULL, 0 }
	};
	struct pms_store_opts o;
	enum pms_kdf kdf = PMS_KDF_MODERATE;
	enum pms_status st;
	char recovery[PMS_RECOVERY_KEY_LEN];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":hS:u:", longopts, NULL)) != -1) {
		if (ch == OPT_KDF) {
			if ((rc = parse_kdf(ctx, optarg, &kdf)) != 0)
				return rc;
		} else if ((rc = common_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	if (optind != argc)
		usage(EX_USAGE);
	pms_ctx_store_opts(ctx, &o);
	if ((st = pms_store_create(&o, kdf, recovery, sizeof(recovery))) !=
	    PMS_OK)
		return pms_fail_status(ctx, st);
	/*
	 * The key goes out first, and the store is kept only once it did:
	 * a store whose recovery key nobody saw is not kept.
	 */
	errno = 0;
	if (printf("%s\n", recovery) < 0 || fflush(stdout) == EOF ||
	    ferror(stdout)) {
		rc = errno;
		explicit_bzero(recovery, sizeof(recovery));
		pms_store_unmake(o.path);
		clearerr(stdout);
		return pms_fail(ctx, EX_IOERR, "the recovery key could not be "
		    "written to standard output (%s): the store was not "
		    "created", rc != 0 ? strerror(rc) : "write error");
	}
	explicit_bzero(recovery, sizeof(recovery));
	fprintf(stderr, "%s: created the store %s\n"
	    "%s: the recovery key above is shown only this once.\n"
	    "%s: write it down and keep it in the office safe\n",
	    ctx->prog, o.path, ctx->prog, ctx->prog);
	return EX_OK;
}

static int
cmd_status(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "unlock",	no_argument,		NULL, OPT_UNLOCK },
		{ NULL,		0,			NULL, 0 }
	};
	struct pms_store_info info;
	struct pms_store_opts o;
	struct pms_store *s;
	enum pms_status st;
	char roles[128];
	size_t i;
	int ch, rc, unlock = 0, version = 0;

	while ((ch = getopt_long(argc, argv, ":hS:u:", longopts, NULL)) != -1) {
		if (ch == OPT_UNLOCK)
			unlock = 1;
		else if ((rc = common_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	if (optind != argc)
		usage(EX_USAGE);
	if ((st = pms_store_info(ctx->store_path, &info)) != PMS_OK)
		return pms_fail_status(ctx, st);
	/* unlocked: asked for, or the key is in the keyring already */
	pms_ctx_store_opts(ctx, &o);
	o.cache_only = !unlock;
	if (unlock || (ctx->keyfile == NULL && !ctx->recovery)) {
		if ((st = pms_store_open(&s, &o)) == PMS_OK) {
			st = pms_store_schema_version(s, &version);
			pms_store_close(s);
		}
		if (st != PMS_OK && unlock)
			return pms_fail_status(ctx, st);
		unlock = st == PMS_OK;
	}
	printf("store:      %s\n", ctx->store_path);
	printf("file id:    %s\n", info.file_id);
	printf("generation: %u\n", (unsigned)info.generation);
	if (unlock)
		printf("schema:     %d\n", version);
	else
		printf("schema:     (locked)\n");
	for (i = 0; i < info.nslots; i++) {
		pms_roles_fmt(info.slots[i].roles, roles, sizeof(roles));
		printf("slot:       %u %s %s %s\n", (unsigned)info.slots[i].id,
		    info.slots[i].label, info.slots[i].type, roles);
	}
	return EX_OK;
}

/* Open the store named by the context; 0 or an exit code. */
static int
open_store(struct pms_ctx *ctx, struct pms_store **s)
{
	struct pms_store_opts o;
	enum pms_status st;

	pms_ctx_store_opts(ctx, &o);
	if ((st = pms_store_open(s, &o)) != PMS_OK)
		return pms_fail_status(ctx, st);
	return 0;
}

static int
plain_opts(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ NULL,		0,			NULL, 0 }
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":hS:u:", longopts, NULL)) != -1)
		if ((rc = common_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	if (optind != argc)
		usage(EX_USAGE);
	return 0;
}

static int
cmd_check(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_bill_check_report b;
	struct pms_check_report r;
	struct pms_store *s;
	enum pms_status st;
	char total[PMS_MONEY_BUFSZ];
	int rc;

	if ((rc = plain_opts(ctx, argc, argv)) != 0 ||
	    (rc = open_store(ctx, &s)) != 0)
		return rc;
	/* the store end to end, then the books: the ledger's sums */
	if ((st = pms_store_check(s, &r)) == PMS_OK)
		st = pms_bill_check(s, &b);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("pages:      %lld authenticated\n", (long long)r.pages);
	printf("wal frames: %lld authenticated\n", (long long)r.wal_frames);
	printf("integrity:  ok\n");
	printf("audit log:  %lld %s verified\n", (long long)r.audit_entries,
	    r.audit_entries == 1 ? "entry" : "entries");
	pms_money_fmt(b.total_cents, total);
	printf("ledger:     %lld %s reconcile with %lld open %s (%s)\n",
	    (long long)b.entries, b.entries == 1 ? "entry" : "entries",
	    (long long)b.balances, b.balances == 1 ? "balance" : "balances",
	    total);
	return EX_OK;
}

static int
cmd_maintain(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_store *s;
	enum pms_status st;
	int rc;

	if ((rc = plain_opts(ctx, argc, argv)) != 0 ||
	    (rc = open_store(ctx, &s)) != 0)
		return rc;
	st = pms_store_maintain(s);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	return EX_OK;
}

/* Is name in the comma-separated list allow? */
static int
allowed(const char *allow, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = allow; (p = strstr(p, name)) != NULL; p += n)
		if ((p == allow || p[-1] == ',') && (p[n] == ',' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

/* Options of the commands below: one table, each takes what it needs. */
struct args {
	const char	*role;		/* --role */
	const char	*out;		/* --out */
	const char	*to;		/* --to */
	const char	*dur;		/* --for */
	enum pms_kdf	 kdf;		/* --kdf */
	int		 dry_run;	/* --dry-run */
	int		 nargs;		/* operands after the options */
	char	       **args;
};

/*
 * Parse a command's options and operands; allow names the options it
 * takes beyond the common ones ("kdf,role"), others are refused.
 */
static int
parse_args(struct pms_ctx *ctx, int argc, char **argv, struct args *a,
    int min, int max, const char *allow)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "kdf",	required_argument,	NULL, OPT_KDF },
		{ "role",	required_argument,	NULL, OPT_ROLE },
		{ "out",	required_argument,	NULL, OPT_OUT },
		{ "to",		required_argument,	NULL, OPT_TO },
		{ "for",	required_argument,	NULL, OPT_FOR },
		{ "dry-run",	no_argument,		NULL, OPT_DRY_RUN },
		{ NULL,		0,			NULL, 0 }
	};
	int ch, rc, idx = 0;

	memset(a, 0, sizeof(*a));
	a->kdf = PMS_KDF_MODERATE;
	while ((ch = getopt_long(argc, argv, ":hS:u:", longopts, &idx)) != -1) {
		if (ch >= OPT_KDF && !allowed(allow, longopts[idx].name)) {
			pms_fail(ctx, EX_USAGE, "%s: option \"--%s\" does not "
			    "apply", argv[0], longopts[idx].name);
			usage(EX_USAGE);
		}
		switch (ch) {
		case OPT_KDF:
			if ((rc = parse_kdf(ctx, optarg, &a->kdf)) != 0)
				return rc;
			break;
		case OPT_ROLE:
			a->role = optarg;
			break;
		case OPT_OUT:
			a->out = optarg;
			break;
		case OPT_TO:
			a->to = optarg;
			break;
		case OPT_FOR:
			a->dur = optarg;
			break;
		case OPT_DRY_RUN:
			a->dry_run = 1;
			break;
		default:
			if ((rc = common_opt(ctx, ch, optarg, argv)) != 0)
				return rc;
		}
	}
	a->nargs = argc - optind;
	a->args = argv + optind;
	if (a->nargs < min || a->nargs > max)
		usage(EX_USAGE);
	return 0;
}

static int
need_roles(struct pms_ctx *ctx, const char *text, uint32_t *roles)
{
	if (text == NULL)
		return pms_fail(ctx, EX_USAGE, "--role is needed");
	if (pms_roles_parse(text, roles) != 0)
		return pms_fail(ctx, EX_USAGE, "--role: unknown role in \"%s\" "
		    "(admin, front-desk, clinician, billing, auditor, "
		    "reminder-bot)", text);
	return 0;
}

/* Run fn on the store opened from the context; report its status. */
static int
with_store(struct pms_ctx *ctx, int no_cache,
    enum pms_status (*fn)(struct pms_ctx *, struct pms_store *, void *),
    void *arg)
{
	struct pms_store_opts o;
	struct pms_store *s;
	enum pms_status st;

	pms_ctx_store_opts(ctx, &o);
	o.no_cache = no_cache;
	if ((st = pms_store_open(&s, &o)) != PMS_OK)
		return pms_fail_status(ctx, st);
	st = fn(ctx, s, arg);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	return EX_OK;
}

static enum pms_status
do_user_add(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	struct args *a = arg;
	uint32_t roles;

	pms_roles_parse(a->role, &roles);
	return pms_user_add(s, a->args[0], roles, a->kdf,
	    pms_cli_new_passphrase, ctx);
}

static int
cmd_user_add(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	uint32_t roles;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 1, 1, "kdf,role")) != 0 ||
	    (rc = need_roles(ctx, a.role, &roles)) != 0)
		return rc;
	return with_store(ctx, 0, do_user_add, &a);
}

static int
cmd_user_list(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_store_info info;
	struct args a;
	enum pms_status st;
	char roles[128];
	size_t i, nw = strlen("name"), tw = strlen("type");
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 0, 0, "")) != 0)
		return rc;
	if ((st = pms_store_info(ctx->store_path, &info)) != PMS_OK)
		return pms_fail_status(ctx, st);
	/* names are ASCII (pms_name_valid): bytes are columns */
	for (i = 0; i < info.nslots; i++) {
		if (strlen(info.slots[i].label) > nw)
			nw = strlen(info.slots[i].label);
		if (strlen(info.slots[i].type) > tw)
			tw = strlen(info.slots[i].type);
	}
	printf("%-4s %-*s %-*s %s\n", "id", (int)nw, "name", (int)tw, "type",
	    "roles");
	for (i = 0; i < info.nslots; i++) {
		pms_roles_fmt(info.slots[i].roles, roles, sizeof(roles));
		printf("%-4u %-*s %-*s %s\n", (unsigned)info.slots[i].id,
		    (int)nw, info.slots[i].label, (int)tw, info.slots[i].type,
		    roles);
	}
	return EX_OK;
}

static enum pms_status
do_user_remove(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	struct args *a = arg;
	enum pms_status st;

	if ((st = pms_user_remove(s, a->args[0])) == PMS_OK)
		fprintf(stderr, "%s: removed \"%s\"; run \"pms-admin rekey\" "
		    "so that copies of their key open nothing new\n",
		    ctx->prog, a->args[0]);
	return st;
}

static int
cmd_user_remove(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 1, 1, "")) != 0)
		return rc;
	return with_store(ctx, 0, do_user_remove, &a);
}

static enum pms_status
do_user_role(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	struct args *a = arg;
	uint32_t roles;
	char text[128];
	enum pms_status st;

	pms_roles_parse(a->args[1], &roles);
	if ((st = pms_user_role(s, a->args[0], roles)) == PMS_OK) {
		pms_roles_fmt(roles, text, sizeof(text));
		fprintf(stderr, "%s: \"%s\" now has the roles %s\n",
		    ctx->prog, a->args[0], text);
	}
	return st;
}

static int
cmd_user_role(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	uint32_t roles;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 2, 2, "")) != 0)
		return rc;
	if (pms_roles_parse(a.args[1], &roles) != 0)
		return pms_fail(ctx, EX_USAGE, "unknown role in \"%s\" "
		    "(admin, front-desk, clinician, billing, auditor, "
		    "reminder-bot)", a.args[1]);
	return with_store(ctx, 0, do_user_role, &a);
}

static enum pms_status
do_user_passwd(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	struct pms_store_opts cur;
	struct args *a = arg;

	pms_ctx_store_opts(ctx, &cur);
	return pms_user_passwd(s, a->nargs > 0 ? a->args[0] : NULL, a->kdf,
	    &cur, pms_cli_new_passphrase, ctx);
}

static int
cmd_user_passwd(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 0, 1, "kdf")) != 0)
		return rc;
	/* the current passphrase is asked once, by the open: no cache */
	return with_store(ctx, 1, do_user_passwd, &a);
}

static enum pms_status
do_keyfile(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	struct args *a = arg;
	uint32_t roles;

	(void)ctx;
	pms_roles_parse(a->role, &roles);
	return pms_keyfile_create(s, a->args[0], roles, a->out);
}

static int
cmd_keyfile(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	uint32_t roles;
	int rc;

	if (argc < 2 || strcmp(argv[1], "create") != 0)
		usage(EX_USAGE);
	if ((rc = parse_args(ctx, argc - 1, argv + 1, &a, 1, 1,
	    "role,out")) != 0 ||
	    (rc = need_roles(ctx, a.role, &roles)) != 0)
		return rc;
	if (a.out == NULL)
		return pms_fail(ctx, EX_USAGE, "--out FILE is needed");
	return with_store(ctx, 0, do_keyfile, &a);
}

static const struct pms_cmd user_cmds[] = {
	{ "add", cmd_user_add }, { "list", cmd_user_list },
	{ "remove", cmd_user_remove }, { "role", cmd_user_role },
	{ "passwd", cmd_user_passwd },
};

static int
cmd_user(struct pms_ctx *ctx, int argc, char **argv)
{
	const struct pms_cmd *c;

	if (argc < 2 || (c = pms_cmd_find(user_cmds, PMS_NELEM(user_cmds),
	    argv[1])) == NULL)
		usage(EX_USAGE);
	return c->fn(ctx, argc - 1, argv + 1);
}

/* The longest idle time of a cached key: a week. */
#define UNLOCK_MAX	(7 * 24 * 3600)

/*
 * "90s", "15m", "2h30m", "7d" (pms_duration_parse) or plain seconds
 * into *secs: 0, or the exit code after saying what is wrong.
 */
static int
parse_duration(struct pms_ctx *ctx, const char *s, unsigned *secs)
{
	int64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++)
		if (v <= UNLOCK_MAX)
			v = v * 10 + (*p - '0');
	if (p == s || *p != '\0') {
		if (pms_duration_parse(s, &v) != PMS_OK && strstr(pms_errmsg(),
		    "longer than") == NULL)
			return pms_fail(ctx, EX_USAGE, "--for: not a duration"
			    "%s%s%s (a number and a unit, d h m or s, largest "
			    "first: 90s, 15m, 2h30m, 7d)", pms_quotable(s) ?
			    ": \"" : "", pms_quotable(s) ? s : "",
			    pms_quotable(s) ? "\"" : "");
		if (v == 0)
			v = UNLOCK_MAX + 1;	/* past even the parser's max */
	}
	if (v == 0)
		return pms_fail(ctx, EX_USAGE, "--for: it must be more than "
		    "zero");
	if (v > UNLOCK_MAX)
		return pms_fail(ctx, EX_USAGE, "--for: too long: at most 7d "
		    "(a week)");
	*secs = (unsigned)v;
	return 0;
}

/* A duration in words, exactly: "1 hour 30 minutes", "90 seconds". */
static void
duration_fmt(unsigned secs, char *buf, size_t size)
{
	static const struct { unsigned len; const char *name; } u[] = {
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
		{ 1, "second" },
	};
	size_t i, n = 0;
	unsigned k;
	int w;

	buf[0] = '\0';
	/* under two minutes, or not whole minutes below an hour: seconds */
	if (secs < 120 || (secs < 3600 && secs % 60 != 0)) {
		snprintf(buf, size, "%u second%s", secs, secs == 1 ? "" : "s");
		return;
	}
	for (i = 0; i < PMS_NELEM(u); i++) {
		if ((k = secs / u[i].len) == 0)
			continue;
		secs %= u[i].len;
		w = snprintf(buf + n, size - n, "%s%u %s%s", n > 0 ? " " : "",
		    k, u[i].name, k == 1 ? "" : "s");
		if (w < 0 || (size_t)w >= size - n)
			return;
		n += (size_t)w;
	}
}

static enum pms_status
do_unlock(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	unsigned secs = *(unsigned *)arg;
	enum pms_status st;
	char text[64];
	int shared = pms_keyring_is_shared();

	if ((st = pms_store_cache(s, secs)) != PMS_OK) {
		/* not fatal: every program will ask instead */
		fprintf(stderr, "%s: %s\n", ctx->prog, pms_errmsg());
		return PMS_OK;
	}
	if (shared == 1)
		fprintf(stderr, "%s: note: this login has no session keyring "
		    "of its own (no pam_keyinit): every process running as "
		    "you can read the key until it expires or \"pms-admin "
		    "lock\"\n", ctx->prog);
	duration_fmt(secs, text, sizeof(text));
	fprintf(stderr, "%s: unlocked as %s for %s of idle time\n",
	    ctx->prog, pms_store_user(s), text);
	return PMS_OK;
}

static int
cmd_unlock(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	unsigned secs = 15 * 60;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 0, 0, "for")) != 0)
		return rc;
	if (a.dur != NULL && (rc = parse_duration(ctx, a.dur, &secs)) != 0)
		return rc;
	if (ctx->keyfile != NULL && ctx->keyfile == getenv("PMS_KEYFILE"))
		ctx->keyfile = NULL;	/* unlock is for people, not cron */
	if (ctx->keyfile != NULL || ctx->recovery)
		return pms_fail(ctx, EX_USAGE, "key files and the recovery "
		    "key are never cached");
	return with_store(ctx, 0, do_unlock, &secs);
}

static int
cmd_lock(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_store_opts o;
	struct args a;
	enum pms_status st;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 0, 0, "")) != 0)
		return rc;
	pms_ctx_store_opts(ctx, &o);
	if ((st = pms_store_uncache(&o)) != PMS_OK)
		return pms_fail_status(ctx, st);
	return EX_OK;
}

static enum pms_status
do_rekey(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	(void)ctx;
	(void)arg;
	return pms_store_rekey(s);
}

static int
cmd_rekey(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 0, 0, "")) != 0)
		return rc;
	return with_store(ctx, 0, do_rekey, NULL);
}

static enum pms_status
do_backup(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	(void)ctx;
	return pms_store_backup(s, arg);
}

static int
cmd_backup(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 0, 0, "out")) != 0)
		return rc;
	if (a.out == NULL)
		return pms_fail(ctx, EX_USAGE, "--out FILE is needed");
	return with_store(ctx, 0, do_backup, (void *)a.out);
}

static int
cmd_restore(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_store_opts o;
	struct args a;
	enum pms_status st;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 1, 1, "to")) != 0)
		return rc;
	if (a.to == NULL)
		return pms_fail(ctx, EX_USAGE, "--to PATH is needed");
	pms_ctx_store_opts(ctx, &o);
	if ((st = pms_store_restore(a.args[0], a.to, &o)) != PMS_OK)
		return pms_fail_status(ctx, st);
	fprintf(stderr, "%s: restored %s to %s\n", ctx->prog, a.args[0], a.to);
	return EX_OK;
}

/* Each error of a configuration file, on stderr as it comes. */
static void
report_error(void *arg, const char *msg)
{
	pms_cli_row(arg, NULL, msg);
}

/* Append "N text" to buf, after a comma if need be, when n is not 0. */
static void
count_part(char *buf, size_t size, unsigned n, const char *text)
{
	size_t len = strlen(buf);

	if (n > 0)
		snprintf(buf + len, size - len, "%s%u %s", len > 0 ? ", " : "",
		    n, text);
}

/* "providers: 1 added, 2 changed" when any of them moved. */
static void
print_count(struct pms_ctx *ctx, const char *what,
    const struct pms_config_count *n)
{
	char buf[256] = "";

	count_part(buf, sizeof(buf), n->added, "added");
	count_part(buf, sizeof(buf), n->changed, "changed");
	count_part(buf, sizeof(buf), n->inactivated,
	    "made inactive (no longer in the file)");
	count_part(buf, sizeof(buf), n->reactivated, "active again");
	if (*buf != '\0')
		fprintf(stderr, "%s: %s: %s\n", ctx->prog, what, buf);
}

static void
config_warn(void *arg, const char *msg)
{
	pms_cli_row(arg, "warning: ", msg);
}

static int
cmd_config_load(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_config_diff diff;
	struct pms_config *cfg;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	const char *file;
	char *p;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 1, 1, "dry-run")) != 0)
		return rc;
	file = strcmp(a.args[0], "-") == 0 ? "standard input" : a.args[0];
	/* a bad file is reported before the store is opened or unlocked */
	st = pms_config_read_file(a.args[0], report_error, ctx, &cfg);
	if (st == PMS_ECONFIG)
		return pms_fail(ctx, EX_CONFIG, "%s; nothing was written",
		    pms_errmsg());
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	if ((rc = open_store(ctx, &s)) != 0) {
		pms_config_free(cfg);
		return rc;
	}
	/* a renamed reminder rule sends its reminders again: say so */
	if ((st = pms_remind_rules_warn(s, cfg, 0, config_warn, ctx)) ==
	    PMS_OK)
		st = pms_config_load(s, cfg, a.dry_run, &diff);
	pms_store_close(s);
	pms_config_free(cfg);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	if (!diff.changed) {
		fprintf(stderr, "%s: %s: the store holds this configuration "
		    "already; nothing was written\n", ctx->prog, file);
		return EX_OK;
	}
	for (p = diff.sections; *p != '\0'; p++)
		if (*p == ',')
			*p = ' ';
	if (a.dry_run)
		fprintf(stderr, "%s: %s: checked; loading it would change: "
		    "%s\n", ctx->prog, file, diff.sections);
	else
		fprintf(stderr, "%s: %s: loaded; changed: %s\n", ctx->prog,
		    file, diff.sections);
	print_count(ctx, "locations", &diff.locations);
	print_count(ctx, "providers", &diff.providers);
	print_count(ctx, "appointment types", &diff.appointment_types);
	print_count(ctx, "payers", &diff.payers);
	if (a.dry_run)
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
	return EX_OK;
}

static enum pms_status
do_config_dump(struct pms_ctx *ctx, struct pms_store *s, void *arg)
{
	(void)ctx;
	(void)arg;
	return pms_config_dump(s, stdout);
}

static int
cmd_config_dump(struct pms_ctx *ctx, int argc, char **argv)
{
	struct args a;
	int rc;

	if ((rc = parse_args(ctx, argc, argv, &a, 0, 0, "")) != 0)
		return rc;
	return with_store(ctx, 0, do_config_dump, NULL);
}

static const struct pms_cmd config_cmds[] = {
	{ "load", cmd_config_load }, { "dump", cmd_config_dump },
};

static int
cmd_config(struct pms_ctx *ctx, int argc, char **argv)
{
	const struct pms_cmd *c;

	if (argc < 2 || (c = pms_cmd_find(config_cmds, PMS_NELEM(config_cmds),
	    argv[1])) == NULL)
		usage(EX_USAGE);
	return c->fn(ctx, argc - 1, argv + 1);
}

/* ---- code lists ---- */

static void
report_code(void *arg, const char *msg)
{
	pms_cli_row(arg, NULL, msg);
}

static int
cmd_codes_load(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_codes_count n;
	struct pms_reader *rd;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	unsigned long added = 0, changed = 0, same = 0;
	FILE *fp;
	int rc, k;

	if ((rc = parse_args(ctx, argc, argv, &a, 1, 1, "dry-run")) != 0)
		return rc;
	if ((rc = pms_cli_reader(ctx, a.args[0], &rd, &fp)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "admin.codes.load", &s)) != 0)
		goto out;
	st = pms_codes_load(s, rd, a.dry_run, report_code, ctx, &n);
	pms_store_close(s);
	if (st != PMS_OK) {
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	for (k = 0; k < PMS_CODE_NKINDS; k++) {
		if (n.added[k] + n.changed[k] + n.unchanged[k] > 0)
			fprintf(stderr, "%s: %s: %lu added, %lu changed, %lu "
			    "unchanged\n", ctx->prog, pms_code_kind_name(
			    (enum pms_code_kind)k), n.added[k], n.changed[k],
			    n.unchanged[k]);
		added += n.added[k];
		changed += n.changed[k];
		same += n.unchanged[k];
	}
	fprintf(stderr, "%s: %s: %lu codes%s\n", ctx->prog, a.args[0],
	    added + changed + same, a.dry_run ? "; --dry-run: nothing was "
	    "written" : "");
	rc = EX_OK;
out:
	pms_reader_close(rd);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

static const struct pms_cmd codes_cmds[] = {
	{ "load", cmd_codes_load },
};

static int
cmd_codes(struct pms_ctx *ctx, int argc, char **argv)
{
	const struct pms_cmd *c;

	if (argc < 2 || (c = pms_cmd_find(codes_cmds, PMS_NELEM(codes_cmds),
	    argv[1])) == NULL)
		usage(EX_USAGE);
	return c->fn(ctx, argc - 1, argv + 1);
}

static const struct pms_cmd cmds[] = {
	{ "init", cmd_init }, { "status", cmd_status },
	{ "check", cmd_check }, { "maintain", cmd_maintain },
	{ "user", cmd_user }, { "keyfile", cmd_keyfile },
	{ "unlock", cmd_unlock }, { "lock", cmd_lock },
	{ "rekey", cmd_rekey }, { "backup", cmd_backup },
	{ "restore", cmd_restore }, { "config", cmd_config },
	{ "codes", cmd_codes },
};

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct pms_cmd *c;
	struct pms_ctx ctx;
	int ch, rc;

	pms_ctx_init(&ctx, "pms-admin");
	while ((ch = getopt_long(argc, argv, "+:hS:u:V", longopts, NULL)) !=
	    -1) {
		if (ch == 'V') {
			printf("pms-admin %s\n", PMS_VERSION);
			pms_cli_usage_exit(EX_OK);
		}
		if ((rc = common_opt(&ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage(EX_USAGE);
	if ((c = pms_cmd_find(cmds, PMS_NELEM(cmds), argv[0])) == NULL) {
		pms_fail(&ctx, EX_USAGE, "unknown command \"%s\"", argv[0]);
		usage(EX_USAGE);
	}
	optind = 0;
	rc = c->fn(&ctx, argc, argv);
	pms_cli_rows_end(&ctx);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = pms_fail(&ctx, EX_IOERR, "write error on standard output");
	pms_ctx_release(&ctx);
	return rc;
}
