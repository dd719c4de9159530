/*
 * pms-sql: a raw SQL client for the tests, built from libpms and never
 * installed.  It opens a store as any program does (slot, passphrase or
 * recovery key, the encrypting VFS, migrations) and runs SQL from its
 * argument or standard input, printing rows as sqlite3 does ("|"
 * between columns).  The tests use it to write markers, force VACUUM and
 * spills, and tamper with a store as an insider would.
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
	fputs("usage: pms-sql [-S store] [-u user] [--passphrase-fd n] "
	    "[--recovery-key-file file] [sql]\n", status ? stderr : stdout);
	exit(status);
}

static int
print_row(void *arg, int n, char **vals, char **names)
{
	int i;

	(void)arg;
	(void)names;
	for (i = 0; i < n; i++)
		printf("%s%s", i > 0 ? "|" : "", vals[i] != NULL ? vals[i] : "");
	putchar('\n');
	return 0;
}

static char *
slurp(FILE *f)
{
	size_t n = 0, cap = 4096, r;
	char *b = malloc(cap), *nb;

	while (b != NULL && (r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			if ((nb = realloc(b, cap * 2)) == NULL) {
				free(b);
				return NULL;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (b != NULL)
		b[n] = '\0';
	return b;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",		no_argument,		NULL, 'h' },
		{ "store",		required_argument,	NULL, 'S' },
		{ "user",		required_argument,	NULL, 'u' },
		{ "passphrase-fd",	required_argument,	NULL, 'P' },
		{ "recovery-key-file",	required_argument,	NULL, 'R' },
		{ NULL,			0,			NULL, 0 }
	};
	struct pms_store_opts o;
	struct pms_store *s;
	struct pms_ctx ctx;
	enum pms_status st;
	char *sql, *rk = NULL, *end;
	FILE *f;
	long fd;
	int ch;

	pms_ctx_init(&ctx, "pms-sql");
	while ((ch = getopt_long(argc, argv, "hS:u:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(EX_OK);
		case 'S':
			ctx.store_path = optarg;
			break;
		case 'u':
			ctx.user = optarg;
			break;
		case 'P':
			fd = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || fd < 0 ||
			    fd > 65535)
				usage(EX_USAGE);
			ctx.pass_fd = (int)fd;
			break;
		case 'R':
			if ((f = fopen(optarg, "r")) == NULL)
				return pms_fail(&ctx, EX_NOINPUT, "%s: cannot "
				    "open", optarg);
			rk = slurp(f);
			fclose(f);
			break;
		default:
			usage(EX_USAGE);
		}
	}
	if (optind + 1 < argc)
		usage(EX_USAGE);
	sql = optind < argc ? strdup(argv[optind]) : slurp(stdin);
	if (sql == NULL)
		return pms_fail(&ctx, EX_SOFTWARE, "out of memory");
	pms_ctx_store_opts(&ctx, &o);
	o.recovery_key = rk;
	if ((st = pms_store_open(&s, &o)) != PMS_OK) {
		free(sql);
		free(rk);
		return pms_fail_status(&ctx, st);
	}
	st = pms_store_exec_raw(s, sql, print_row, NULL);
	pms_store_close(s);
	free(sql);
	free(rk);
	if (st != PMS_OK)
		return pms_fail_status(&ctx, st);
	if (fflush(stdout) == EOF)
		return pms_fail(&ctx, EX_IOERR, "write error");
	return EX_OK;
}
