/*
 * pms-when: the money and time primitives of libpms (money.h, ptime.h)
 * on the command line, so that the Bats tests can try every accepted
 * and refused form.  A test helper, built from libpms and never
 * installed.  Each command prints its result on stdout, one value a
 * line; a refusal prints "pms-when: MESSAGE" on stderr and exits with
 * the status's code (65 for bad data).  Arguments are taken as they
 * are, so "-15.00" is an amount, not an option.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "money.h"
#include "ptime.h"

static _Noreturn void
usage(int status)
{
	fputs("usage: pms-when money text\n"
	    "       pms-when fmt cents\n"
	    "       pms-when sum amount...\n"
	    "       pms-when split amount n\n"
	    "       pms-when date [--form iso|mdy|dmy|excel] text\n"
	    "       pms-when weekday date\n"
	    "       pms-when time text\n"
	    "       pms-when datetime [--form iso|mdy|dmy|excel] text\n"
	    "       pms-when local [--form iso|mdy|dmy|excel] zone text\n"
	    "       pms-when instant zone instant|@seconds\n"
	    "       pms-when today zone\n"
	    "       pms-when zone name\n"
	    "       pms-when duration text\n",
	    status == EX_OK ? stdout : stderr);
	exit(status);
}

/* Take "--form F" or "--form=F" after the command name, if there. */
static int
take_form(struct pms_ctx *ctx, int *argc, char ***argv,
    enum pms_date_form *form)
{
	const char *f = NULL;
	char **v = *argv;
	int shift = 0, r;

	*form = PMS_DATE_ISO;
	if (*argc >= 3 && strcmp(v[1], "--form") == 0) {
		f = v[2];
		shift = 2;
	} else if (*argc >= 2 && strncmp(v[1], "--form=", 7) == 0) {
		f = v[1] + 7;
		shift = 1;
	}
	if (f == NULL)
		return 0;
	if ((r = pms_date_form_parse(f)) == -1)
		return pms_fail(ctx, EX_USAGE, "--form: unknown form \"%s\" "
		    "(iso, mdy, dmy, excel)", f);
	*form = (enum pms_date_form)r;
	v[shift] = v[0];
	*argv = v + shift;
	*argc -= shift;
	return 0;
}

/* An integer argument with a range check. */
static int
int_arg(const char *s, int64_t min, int64_t max, int64_t *v)
{
	long long x;
	char *end;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || x < min || x > max)
		return -1;
	*v = (int64_t)x;
	return 0;
}

static int
cmd_money(struct pms_ctx *ctx, int argc, char **argv)
{
	enum pms_status st;
	int64_t c;

	if (argc != 2)
		usage(EX_USAGE);
	if ((st = pms_money_parse(argv[1], &c)) != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("%" PRId64 "\n", c);
	return 0;
}

static int
cmd_fmt(struct pms_ctx *ctx, int argc, char **argv)
{
	char buf[PMS_MONEY_BUFSZ];
	int64_t c;

	if (argc != 2)
		usage(EX_USAGE);
	if (int_arg(argv[1], INT64_MIN, INT64_MAX, &c) == -1)
		return pms_fail(ctx, EX_USAGE, "not a number of cents: \"%s\"",
		    argv[1]);
	pms_money_fmt(c, buf);
	printf("%s\n", buf);
	return 0;
}

static int
cmd_sum(struct pms_ctx *ctx, int argc, char **argv)
{
	char buf[PMS_MONEY_BUFSZ];
	enum pms_status st;
	int64_t c, sum = 0;
	int i;

	if (argc < 2)
		usage(EX_USAGE);
	for (i = 1; i < argc; i++) {
		if ((st = pms_money_parse(argv[i], &c)) != PMS_OK)
			return pms_fail(ctx, pms_exit_code(st),
			    "amount %d: %s", i, pms_errmsg());
		sum += c;	/* argc * PMS_MONEY_MAX is far from overflow */
	}
	pms_money_fmt(sum, buf);
	printf("%s\n", buf);
	return 0;
}

static int
cmd_split(struct pms_ctx *ctx, int argc, char **argv)
{
	char buf[PMS_MONEY_BUFSZ];
	enum pms_status st;
	int64_t total, n, *parts;
	int64_t i;

	if (argc != 3)
		usage(EX_USAGE);
	if ((st = pms_money_parse(argv[1], &total)) != PMS_OK)
		return pms_fail_status(ctx, st);
	if (int_arg(argv[2], 1, 100000, &n) == -1)
		return pms_fail(ctx, EX_USAGE, "not a number of parts (1 to "
		    "100000): \"%s\"", argv[2]);
	if ((parts = calloc((size_t)n, sizeof(*parts))) == NULL)
		return pms_fail(ctx, EX_OSERR, "out of memory");
	pms_money_split(total, (size_t)n, parts);
	for (i = 0; i < n; i++) {
		pms_money_fmt(parts[i], buf);
		printf("%s\n", buf);
	}
	free(parts);
	return 0;
}

static int
cmd_date(struct pms_ctx *ctx, int argc, char **argv)
{
	char buf[PMS_DATE_BUFSZ];
	enum pms_date_form form;
	enum pms_status st;
	int32_t days;
	int rc;

	if ((rc = take_form(ctx, &argc, &argv, &form)) != 0)
		return rc;
	if (argc != 2)
		usage(EX_USAGE);
	if ((st = pms_date_parse(argv[1], form, &days)) != PMS_OK)
		return pms_fail_status(ctx, st);
	pms_date_fmt(days, buf);
	printf("%s\n", buf);
	return 0;
}

static int
cmd_weekday(struct pms_ctx *ctx, int argc, char **argv)
{
	static const char *names[] = { "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday", "sunday" };
	enum pms_status st;
	int32_t days;

	if (argc != 2)
		usage(EX_USAGE);
	if ((st = pms_date_parse(argv[1], PMS_DATE_ISO, &days)) != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("%s\n", names[pms_date_weekday(days)]);
	return 0;
}

static int
cmd_time(struct pms_ctx *ctx, int argc, char **argv)
{
	char buf[PMS_TIME_BUFSZ];
	enum pms_status st;
	int32_t secs;

	if (argc != 2)
		usage(EX_USAGE);
	if ((st = pms_time_parse(argv[1], &secs)) != PMS_OK)
		return pms_fail_status(ctx, st);
	pms_time_fmt(secs, buf);
	printf("%s\n", buf);
	return 0;
}

static int
cmd_datetime(struct pms_ctx *ctx, int argc, char **argv)
{
	char buf[PMS_STAMP_BUFSZ];
	enum pms_date_form form;
	struct pms_local l;
	enum pms_status st;
	int rc;

	if ((rc = take_form(ctx, &argc, &argv, &form)) != 0)
		return rc;
	if (argc != 2)
		usage(EX_USAGE);
	if ((st = pms_local_parse(argv[1], form, &l)) != PMS_OK)
		return pms_fail_status(ctx, st);
	pms_local_fmt(&l, buf);
	printf("%s\n", buf);
	return 0;
}

/* "INSTANT LOCAL": the instant t in UTC and its reading at zone. */
static int
print_both(struct pms_ctx *ctx, const char *zone, int64_t t)
{
	char a[PMS_STAMP_BUFSZ], b[PMS_STAMP_BUFSZ];
	struct pms_local l;
	enum pms_status st;

	if ((st = pms_instant_to_local(zone, t, &l)) != PMS_OK)
		return pms_fail_status(ctx, st);
	pms_instant_fmt(t, a);
	pms_local_fmt(&l, b);
	printf("%s %s\n", a, b);
	return 0;
}

static int
cmd_local(struct pms_ctx *ctx, int argc, char **argv)
{
	enum pms_date_form form;
	struct pms_local l;
	enum pms_status st;
	int64_t t;
	int rc;

	if ((rc = take_form(ctx, &argc, &argv, &form)) != 0)
		return rc;
	if (argc != 3)
		usage(EX_USAGE);
	if ((st = pms_local_parse(argv[2], form, &l)) != PMS_OK ||
	    (st = pms_local_to_instant(argv[1], &l, &t)) != PMS_OK)
		return pms_fail_status(ctx, st);
	return print_both(ctx, argv[1], t);
}

static int
cmd_instant(struct pms_ctx *ctx, int argc, char **argv)
{
	enum pms_status st;
	int64_t t;

	if (argc != 3)
		usage(EX_USAGE);
	if (argv[2][0] == '@') {
		if (int_arg(argv[2] + 1, INT64_MIN, INT64_MAX, &t) == -1)
			return pms_fail(ctx, EX_USAGE, "not a number of "
			    "seconds: \"%s\"", argv[2]);
	} else if ((st = pms_instant_parse(argv[2], &t)) != PMS_OK)
		return pms_fail_status(ctx, st);
	return print_both(ctx, argv[1], t);
}

static int
cmd_today(struct pms_ctx *ctx, int argc, char **argv)
{
	char buf[PMS_DATE_BUFSZ];
	enum pms_status st;
	int32_t days;

	if (argc != 2)
		usage(EX_USAGE);
	if ((st = pms_today(argv[1], &days)) != PMS_OK)
		return pms_fail_status(ctx, st);
	pms_date_fmt(days, buf);
	printf("%s\n", buf);
	return 0;
}

static int
cmd_zone(struct pms_ctx *ctx, int argc, char **argv)
{
	if (argc != 2)
		usage(EX_USAGE);
	if (!pms_zone_valid(argv[1]))
		return pms_fail(ctx, EX_DATAERR, "unknown time zone");
	return 0;
}

static int
cmd_duration(struct pms_ctx *ctx, int argc, char **argv)
{
	enum pms_status st;
	int64_t secs;

	if (argc != 2)
		usage(EX_USAGE);
	if ((st = pms_duration_parse(argv[1], &secs)) != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("%" PRId64 "\n", secs);
	return 0;
}

static const struct pms_cmd cmds[] = {
	{ "money", cmd_money }, { "fmt", cmd_fmt }, { "sum", cmd_sum },
	{ "split", cmd_split }, { "date", cmd_date },
	{ "weekday", cmd_weekday }, { "time", cmd_time },
	{ "datetime", cmd_datetime }, { "local", cmd_local },
	{ "instant", cmd_instant }, { "today", cmd_today },
	{ "zone", cmd_zone }, { "duration", cmd_duration },
};

int
main(int argc, char *argv[])
{
	const struct pms_cmd *c;
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-when");
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0))
		usage(EX_OK);
	if (argc < 2 ||
	    (c = pms_cmd_find(cmds, PMS_NELEM(cmds), argv[1])) == NULL)
		usage(EX_USAGE);
	rc = c->fn(&ctx, argc - 1, argv + 1);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = pms_fail(&ctx, EX_IOERR, "write error on standard "
		    "output");
	pms_ctx_release(&ctx);
	return rc;
}
