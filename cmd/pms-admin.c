/*
 * pms-admin: create the encrypted store, tell its state, check it end to
 * end, and keep it small (checkpoints, for cron).  Users, key files,
 * rekey and backup join it with the keys issue.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "pms.h"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-admin [-S store] [-u user] [--passphrase-fd n] "
	    "command [args]\n"
	    "       pms-admin init [--kdf interactive|moderate]\n"
	    "       pms-admin status [--unlock]\n"
	    "       pms-admin check\n"
	    "       pms-admin maintain\n"
	    "       pms-admin --help | --version\n", f);
	exit(status);
}

/* Options every subcommand takes as well as the program. */
#define COMMON_LONGOPTS \
	{ "help",		no_argument,		NULL, 'h' }, \
	{ "store",		required_argument,	NULL, 'S' }, \
	{ "user",		required_argument,	NULL, 'u' }, \
	{ "passphrase-fd",	required_argument,	NULL, 'P' }

enum { OPT_KDF = 256, OPT_UNLOCK };

/* Handle a common option; returns 0, or an exit code. */
static int
common_opt(struct pms_ctx *ctx, int ch, const char *arg)
{
	char *end;
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
		fd = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || fd < 0 || fd > 65535)
			return pms_fail(ctx, EX_USAGE, "--passphrase-fd: not a "
			    "file descriptor: \"%s\"", arg);
		ctx->pass_fd = (int)fd;
		return 0;
	default:
		usage(EX_USAGE);
	}
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

	while ((ch = getopt_long(argc, argv, "hS:u:", longopts, NULL)) != -1) {
		if (ch == OPT_KDF) {
			if (strcmp(optarg, "interactive") == 0)
				kdf = PMS_KDF_INTERACTIVE;
			else if (strcmp(optarg, "moderate") == 0)
				kdf = PMS_KDF_MODERATE;
			else
				return pms_fail(ctx, EX_USAGE, "--kdf: expected "
				    "interactive or moderate, not \"%s\"",
				    optarg);
		} else if ((rc = common_opt(ctx, ch, optarg)) != 0)
			return rc;
	}
	if (optind != argc)
		usage(EX_USAGE);
	pms_ctx_store_opts(ctx, &o);
	if ((st = pms_store_create(&o, kdf, recovery, sizeof(recovery))) !=
	    PMS_OK)
		return pms_fail_status(ctx, st);
	fprintf(stderr, "%s: created the store %s\n"
	    "%s: this is the recovery key; it is shown only this once.\n"
	    "%s: write it down and keep it in the office safe:\n",
	    ctx->prog, o.path, ctx->prog, ctx->prog);
	printf("%s\n", recovery);
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

	while ((ch = getopt_long(argc, argv, "hS:u:", longopts, NULL)) != -1) {
		if (ch == OPT_UNLOCK)
			unlock = 1;
		else if ((rc = common_opt(ctx, ch, optarg)) != 0)
			return rc;
	}
	if (optind != argc)
		usage(EX_USAGE);
	if ((st = pms_store_info(ctx->store_path, &info)) != PMS_OK)
		return pms_fail_status(ctx, st);
	if (unlock) {
		pms_ctx_store_opts(ctx, &o);
		if ((st = pms_store_open(&s, &o)) != PMS_OK)
			return pms_fail_status(ctx, st);
		st = pms_store_schema_version(s, &version);
		pms_store_close(s);
		if (st != PMS_OK)
			return pms_fail_status(ctx, st);
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

	while ((ch = getopt_long(argc, argv, "hS:u:", longopts, NULL)) != -1)
		if ((rc = common_opt(ctx, ch, optarg)) != 0)
			return rc;
	if (optind != argc)
		usage(EX_USAGE);
	return 0;
}

static int
cmd_check(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_check_report r;
	struct pms_store *s;
	enum pms_status st;
	int rc;

	if ((rc = plain_opts(ctx, argc, argv)) != 0 ||
	    (rc = open_store(ctx, &s)) != 0)
		return rc;
	st = pms_store_check(s, &r);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("pages:      %lld authenticated\n", (long long)r.pages);
	printf("wal frames: %lld authenticated\n", (long long)r.wal_frames);
	printf("integrity:  ok\n");
	printf("audit log:  %lld entries verified\n",
	    (long long)r.audit_entries);
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

static const struct pms_cmd cmds[] = {
	{ "init", cmd_init }, { "status", cmd_status },
	{ "check", cmd_check }, { "maintain", cmd_maintain },
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
	while ((ch = getopt_long(argc, argv, "+hS:u:V", longopts, NULL)) !=
	    -1) {
		if (ch == 'V') {
			printf("pms-admin %s\n", PMS_VERSION);
			return EX_OK;
		}
		if ((rc = common_opt(&ctx, ch, optarg)) != 0)
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
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = pms_fail(&ctx, EX_IOERR, "write error on standard output");
	pms_ctx_release(&ctx);
	return rc;
}
