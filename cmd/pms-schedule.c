/*
 * pms-schedule: the appointment book.  Office hours and their
 * exceptions, booking (one appointment, a series, or one a line from
 * standard input) with every conflict settled in the store, the life of
 * an appointment (move, cancel, check-in, completion, no-show,
 * confirmation), the day's list, free slots, the import of an old
 * system's book and the iCalendar export.  The work is lib/schedule.c's;
 * this file reads options and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "schedule.h"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-schedule [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-schedule hours set --provider code "
	    "[--location code] --days days --hours sessions\n"
	    "       pms-schedule hours list [--provider code] "
	    "[--location code] [-o table|csv|json]\n"
	    "       pms-schedule off add [--provider code] [--location code] "
	    "--from time --to time [--reason text]\n"
	    "       pms-schedule off list [--provider code] [--from date] "
	    "[--to date] [-o table|csv|json]\n"
	    "       pms-schedule off remove id\n"
	    "       pms-schedule book --patient id|--mrn mrn --provider code "
	    "--at time [--type code] [--length duration] [--location code] "
	    "[--room room] [--reason text] [--every interval] [--count n] "
	    "[--until date] [--skip-conflicts] [--allow-past] [--force] "
	    "[--dry-run] [-o table|csv|json]\n"
	    "       pms-schedule book - [--date-format iso|mdy|dmy|excel] "
	    "[--skip-conflicts] [--allow-past] [--force] [--dry-run] "
	    "[-o table|csv|json]\n"
	    "       pms-schedule move id [--at time] [--provider code] "
	    "[--location code] [--room room] [--length duration] "
	    "[--allow-past] [--force] [--dry-run] [-o table|csv|json]\n"
	    "       pms-schedule cancel id [--by practice|patient] "
	    "[--reason text] [--allow-past] [-o table|csv|json]\n"
	    "       pms-schedule checkin id [--allow-past] "
	    "[-o table|csv|json]\n"
	    "       pms-schedule complete id [-o table|csv|json]\n"
	    "       pms-schedule noshow id [-o table|csv|json]\n"
	    "       pms-schedule confirm id [-o table|csv|json]\n"
	    "       pms-schedule show id [-o table|csv|json]\n"
	    "       pms-schedule history id [-o table|csv|json]\n"
	    "       pms-schedule list [--on date] [--from date] [--to date] "
	    "[--provider code] [--location code] [--patient id|--mrn mrn] "
	    "[--status booked|checked-in|completed|no-show|cancelled] "
	    "[--with-names] [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-schedule slots --provider code --on date "
	    "[--type code] [--length duration] [--step duration] "
	    "[--location code] [--allow-past] [-o table|csv|json]\n"
	    "       pms-schedule next --type code|--length duration "
	    "[--provider code] [--location code] [--after time] "
	    "[--within days] [--allow-past] [-o table|csv|json]\n"
	    "       pms-schedule export --ics [--provider code] "
	    "[--location code] [--from date] [--to date] [--with-names] "
	    "[--out file]\n"
	    "       pms-schedule import [file] "
	    "[--date-format iso|mdy|dmy|excel] "
	    "[--encoding utf-8|windows-1252] [--skip-invalid file] "
	    "[--dry-run]\n"
	    "       pms-schedule --help | --version\n", f);
	pms_cli_usage_exit(status);
}

/* Every option of the commands: one table, each command allows some. */
enum {
	OPT_PATIENT = PMS_OPT_FIRST,
	OPT_MRN,
	OPT_PROVIDER,
	OPT_LOCATION,
	OPT_TYPE,
	OPT_ROOM,
	OPT_REASON,
	OPT_AT,
	OPT_LENGTH,
	OPT_EVERY,
	OPT_COUNT,
	OPT_UNTIL,
	OPT_SKIP_CONFLICTS,
	OPT_ALLOW_PAST,
	OPT_FORCE,
	OPT_BY,
	OPT_ON,
	OPT_FROM,
	OPT_TO,
	OPT_STATUS,
	OPT_WITH_NAMES,
	OPT_STEP,
	OPT_WITHIN,
	OPT_ICS,
	OPT_DAYS,
	OPT_HOURS,
	OPT_DATE_FORMAT,
	OPT_ENCODING,
	OPT_SKIP_INVALID,
	OPT_AFTER
};

static const struct option longopts[] = {
	PMS_CLI_LONGOPTS,
	{ "patient",	required_argument,	NULL, OPT_PATIENT },
	{ "mrn",	required_argument,	NULL, OPT_MRN },
	{ "provider",	required_argument,	NULL, OPT_PROVIDER },
	{ "location",	required_argument,	NULL, OPT_LOCATION },
	{ "type",	required_argument,	NULL, OPT_TYPE },
	{ "room",	required_argument,	NULL, OPT_ROOM },
	{ "reason",	required_argument,	NULL, OPT_REASON },
	{ "at",		required_argument,	NULL, OPT_AT },
	{ "length",	required_argument,	NULL, OPT_LENGTH },
	{ "every",	required_argument,	NULL, OPT_EVERY },
	{ "count",	required_argument,	NULL, OPT_COUNT },
	{ "until",	required_argument,	NULL, OPT_UNTIL },
	{ "skip-conflicts", no_argument,	NULL, OPT_SKIP_CONFLICTS },
	{ "allow-past",	no_argument,		NULL, OPT_ALLOW_PAST },
	{ "force",	no_argument,		NULL, OPT_FORCE },
	{ "by",		required_argument,	NULL, OPT_BY },
	{ "on",		required_argument,	NULL, OPT_ON },
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "to",		required_argument,	NULL, OPT_TO },
	{ "status",	required_argument,	NULL, OPT_STATUS },
	{ "with-names",	no_argument,		NULL, OPT_WITH_NAMES },
	{ "step",	required_argument,	NULL, OPT_STEP },
	{ "within",	required_argument,	NULL, OPT_WITHIN },
	{ "ics",	no_argument,		NULL, OPT_ICS },
	{ "days",	required_argument,	NULL, OPT_DAYS },
	{ "hours",	required_argument,	NULL, OPT_HOURS },
	{ "date-format", required_argument,	NULL, OPT_DATE_FORMAT },
	{ "encoding",	required_argument,	NULL, OPT_ENCODING },
	{ "skip-invalid", required_argument,	NULL, OPT_SKIP_INVALID },
	{ "after",	required_argument,	NULL, OPT_AFTER },
	{ NULL,		0,			NULL, 0 }
};

/* What a command's options said. */
struct args {
	const char	*v[OPT_AFTER - OPT_PATIENT + 1];
	int		 nargs;
	char	       **args;
};

#define ARG(a, opt)	((a)->v[(opt) - OPT_PATIENT])
#define FLAG(a, opt)	(ARG(a, opt) != NULL)

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

/*
 * A command's options and operands (min to max of them); allow names
 * the options it takes besides the common ones.  0, or an exit code.
 */
static int
parse(struct pms_ctx *ctx, int argc, char **argv, struct args *a, int min,
    int max, const char *allow)
{
	char name[32];
	int ch, rc, idx = 0;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    &idx)) != -1) {
		if (ch >= OPT_PATIENT && ch <= OPT_AFTER) {
			if (!allowed(allow, longopts[idx].name)) {
				pms_fail(ctx, EX_USAGE, "%s: option \"--%s\" "
				    "does not apply", ctx->cmd,
				    longopts[idx].name);
				usage(EX_USAGE);
			}
			snprintf(name, sizeof(name), "--%s",
			    longopts[idx].name);
			if ((rc = pms_cli_once(ctx, name, &ARG(a, ch),
			    optarg)) != 0)
				return rc;
			continue;
		}
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	a->nargs = argc - optind;
	a->args = argv + optind;
	if (a->nargs < min || a->nargs > max)
		usage(EX_USAGE);
	return 0;
}

/* A positive integer: an appointment's or an exception's id. */
static int
id_arg(struct pms_ctx *ctx, const char *what, const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v <= 0)
		return pms_fail(ctx, EX_USAGE, "%s: not an id: \"%s\"", what,
		    s);
	*id = v;
	return 0;
}

static int
count_arg(struct pms_ctx *ctx, const char *what, const char *s, int max,
    int *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || n < 1 ||
	    n > max)
		return pms_fail(ctx, EX_USAGE, "%s: a number from 1 to %d, "
		    "not \"%s\"", what, max, s);
	*v = (int)n;
	return 0;
}

/* A wall-clock time of --at, --from, --to: 65 when it is no time. */
static int
local_arg(struct pms_ctx *ctx, const char *what, const char *s,
    struct pms_local *l)
{
	const char *t = strpbrk(s, "T ");

	/* to the minute: 09:30, or 09:30:00 as the records print it */
	if (t != NULL && strchr(t, '.') != NULL)
		return pms_fail(ctx, EX_DATAERR, "%s: seconds are not allowed "
		    "(HH:MM)", what);
	if (pms_local_parse(s, PMS_DATE_ISO, l) != PMS_OK)
		return pms_fail(ctx, EX_DATAERR, "%s: %s", what, pms_errmsg());
	if (l->secs % 60 != 0)
		return pms_fail(ctx, EX_DATAERR, "%s: seconds are not allowed "
		    "(HH:MM)", what);
	return 0;
}

/* A length of whole minutes (--length, --step); code: the exit code of
 * a bad one. */
static int
duration_arg(struct pms_ctx *ctx, const char *what, const char *s,
    int64_t *secs)
{
	if (pms_duration_parse(s, secs) != PMS_OK)
		return pms_fail(ctx, strcmp(what, "--step") == 0 ? EX_USAGE :
		    EX_DATAERR, "%s: %s", what, pms_errmsg());
	if (*secs % 60 != 0)
		return pms_fail(ctx, strcmp(what, "--step") == 0 ? EX_USAGE :
		    EX_DATAERR, "%s: whole minutes (30m, 1h30m): seconds are "
		    "not allowed", what);
	return 0;
}

/* Free text of an option (--reason): one line of at most 500 bytes,
 * no control characters.  0, or 64 after reporting. */
static int
text_arg(struct pms_ctx *ctx, const char *what, const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return 0;
	if (strlen(s) >= PMS_APPT_TEXT)
		return pms_fail(ctx, EX_USAGE, "%s: at most %d bytes", what,
		    PMS_APPT_TEXT - 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return pms_fail(ctx, EX_USAGE, "%s: one line of text, "
			    "without control characters (tabs, newlines, "
			    "escapes)", what);
	return 0;
}

/* "1w", "2w", "7d": a series' interval in days. */
static int
every_arg(struct pms_ctx *ctx, const char *s, int *days)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s >= '0' && *s <= '9' && errno == 0 && n > 0 && n <= 366 &&
	    (strcmp(end, "d") == 0 || (strcmp(end, "w") == 0 && n <= 52))) {
		*days = (int)(*end == 'w' ? n * 7 : n);
		return 0;
	}
	return pms_fail(ctx, EX_USAGE, "--every: a number of days or weeks "
	    "(1d, 1w, 2w), not \"%s\"", s);
}

/* A date of --on, --from, --to, --until (today etc. at the practice's
 * zone): needs the store.  0, or the exit code after reporting. */
static int
date_arg(struct pms_ctx *ctx, struct pms_store *s, const char *what,
    const char *text, int32_t *days)
{
	enum pms_status st;

	if ((st = pms_sched_date(s, text, days)) == PMS_ECONFIG)
		return pms_fail_status(ctx, st);
	if (st != PMS_OK)
		return pms_fail(ctx, EX_DATAERR, "%s: %s", what, pms_errmsg());
	return 0;
}

/* --from after --to is a mistake, not an empty range. */
static int
range_ok(struct pms_ctx *ctx, int32_t from, int32_t to)
{
	if (from > to)
		return pms_fail(ctx, EX_USAGE, "--from is after --to");
	return 0;
}

static int
status_arg(struct pms_ctx *ctx, const char *s)
{
	static const char *const known[] = { "booked", "checked-in",
	    "completed", "no-show", "cancelled" };
	const char *p = s, *e;
	size_t i, n;

	for (;;) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		for (i = 0; i < PMS_NELEM(known); i++)
			if (strlen(known[i]) == n && strncmp(p, known[i], n) ==
			    0)
				break;
		if (i == PMS_NELEM(known))
			return pms_fail(ctx, EX_USAGE, "--status: booked, "
			    "checked-in, completed, no-show or cancelled (or "
			    "several, comma-separated), not \"%s\"", s);
		if (e == NULL)
			return 0;
		p = e + 1;
	}
}

/*
 * The store, for action: pms_cli_open(), and a store with no
 * configuration is 78 for every command (the book is nothing without
 * its providers and locations).  0, or the exit code after reporting.
 */
static int
open_store(struct pms_ctx *ctx, const char *action, struct pms_store **sp)
{
	enum pms_status st;
	int rc;

	if ((rc = pms_cli_open(ctx, action, sp)) != 0)
		return rc;
	if ((st = pms_sched_ready(*sp)) != PMS_OK) {
		pms_store_close(*sp);
		*sp = NULL;
		return pms_fail_status(ctx, st);
	}
	return 0;
}

/* ---- output ---- */

/*
 * Records out, through a writer opened at the first row (or at the end,
 * for the header of none): a command refused by its checks prints
 * nothing at all, not even a header.
 */
struct out {
	struct pms_ctx	*ctx;
	const struct pms_col *cols;
	size_t		 ncols;
	int		 names_at;	/* a table's patient_name cell, or -1 */
	struct pms_writer *w;
	int		 rc;		/* the writer's exit code, if it failed */
};

static void
out_init(struct out *o, struct pms_ctx *ctx, const struct pms_col *cols,
    size_t ncols)
{
	memset(o, 0, sizeof(*o));
	o->ctx = ctx;
	o->cols = cols;
	o->ncols = ncols;
	o->names_at = -1;
}

/* One row; nonzero when the writer cannot be opened or written. */
static int
out_row(struct out *o, const struct pms_cell *c)
{
	if (o->w == NULL && o->rc == 0)
		o->rc = pms_cli_writer(o->ctx, o->cols, o->ncols, &o->w);
	if (o->rc != 0)
		return 1;
	return pms_writer_row(o->w, c) != PMS_OK;
}

/* The end of the rows: 0, or the exit code after reporting. */
static int
out_close(struct out *o)
{
	if (o->rc != 0)
		return o->rc;
	if (o->w == NULL && (o->rc = pms_cli_writer(o->ctx, o->cols,
	    o->ncols, &o->w)) != 0)
		return o->rc;
	return pms_cli_writer_close(o->ctx, o->w);
}

/* A refusal after some rows: what was written stays (a table: none). */
static void
out_abort(struct out *o)
{
	pms_writer_abort(o->w);
	o->w = NULL;
}

/* Is the output a table for people (-o table, or a terminal)? */
static int
out_table(const struct pms_ctx *ctx)
{
	return ctx->out_format == PMS_OUT_TABLE ||
	    (ctx->out_format == PMS_OUT_AUTO && ctx->out_path == NULL &&
	    isatty(STDOUT_FILENO));
}

/* The output of appointment records: every column, but for a table the
 * ones people read; with names the patient's name too. */
static void
appt_out(struct out *o, struct pms_ctx *ctx, int with_names)
{
	static struct pms_col table[PMS_APPT_TABLE_COLS + 1];
	size_t n;

	if (out_table(ctx)) {
		memcpy(table, pms_appt_cols, PMS_APPT_TABLE_COLS *
		    sizeof(*table));
		n = PMS_APPT_TABLE_COLS;
		/* patient_name where the table has room for it */
		if (with_names)
			table[n++] = pms_appt_cols[pms_appt_ncols];
		out_init(o, ctx, table, n);
		if (with_names)
			o->names_at = PMS_APPT_TABLE_COLS;
		return;
	}
	out_init(o, ctx, pms_appt_cols, pms_appt_ncols + (with_names ? 1 :
	    0));
}

static int
write_appt(void *arg, const struct pms_appt *a)
{
	struct pms_cell c[PMS_APPT_MAX_COLS];
	struct out *o = arg;

	pms_appt_cells(a, c);
	if (o->names_at >= 0)
		c[o->names_at] = c[pms_appt_ncols];
	return out_row(o, c);
}

/* One appointment. */
static int
write_one(struct pms_ctx *ctx, const struct pms_appt *a)
{
	struct out o;

	appt_out(&o, ctx, 0);
	write_appt(&o, a);
	return out_close(&o);
}

/* ---- office hours and exceptions ---- */

/* Say which booked appointments a change of hours leaves out. */
static void
warn_affected(const struct pms_ctx *ctx, const struct pms_sched_affected *f,
    const char *what)
{
	size_t i;

	if (f->n == 0)
		return;
	fprintf(stderr, "%s: warning: %zu appointment%s booked %s:", ctx->prog,
	    f->n, f->n == 1 ? "" : "s", what);
	for (i = 0; i < f->n && i < PMS_AFFECTED_MAX; i++)
		fprintf(stderr, " %lld", (long long)f->id[i]);
	fprintf(stderr, "%s (move or cancel them)\n", f->n > PMS_AFFECTED_MAX ?
	    " ..." : "");
}

static int
cmd_hours_set(struct pms_ctx *ctx, int argc, char **argv)
{
	int32_t sessions[8][2];
	struct pms_sched_affected aff;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	unsigned days;
	size_t n;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0,
	    "provider,location,days,hours")) != 0)
		return rc;
	if (!FLAG(&a, OPT_PROVIDER) || !FLAG(&a, OPT_DAYS) ||
	    !FLAG(&a, OPT_HOURS))
		return pms_fail(ctx, EX_USAGE, "hours set: --provider, --days "
		    "and --hours are needed");
	if (pms_weekdays_parse(ARG(&a, OPT_DAYS), &days) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "--days: %s", pms_errmsg());
	if (pms_sessions_parse(ARG(&a, OPT_HOURS), sessions,
	    PMS_NELEM(sessions), &n) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "--hours: %s", pms_errmsg());
	if ((rc = open_store(ctx, "schedule.hours.set", &s)) != 0)
		return rc;
	st = pms_hours_set(s, ARG(&a, OPT_PROVIDER), ARG(&a, OPT_LOCATION),
	    days, (const int32_t (*)[2])sessions, n, &aff);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	warn_affected(ctx, &aff, "outside the new office hours");
	return EX_OK;
}

static int
write_hours(void *arg, const struct pms_hours *h)
{
	struct pms_cell c[5];
	char a[PMS_TIME_BUFSZ], b[PMS_TIME_BUFSZ];

	memset(c, 0, sizeof(c));
	pms_time_fmt(h->start_secs, a);
	/* a session that ends at midnight ends at 24:00, as it was set */
	if (h->end_secs == 0)
		snprintf(b, sizeof(b), "24:00");
	else
		pms_time_fmt(h->end_secs, b);
	c[0].text = h->provider;
	c[1].text = h->location;
	c[2].text = pms_weekday_name(h->weekday);
	c[3].text = a;
	c[4].text = b;
	return out_row(arg, c);
}

static int
cmd_hours_list(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct pms_col cols[] = {
		{ "provider", PMS_COL_TEXT }, { "location", PMS_COL_TEXT },
		{ "weekday", PMS_COL_TEXT }, { "start", PMS_COL_TIME },
		{ "end", PMS_COL_TIME },
	};
	struct out w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "provider,location")) !=
	    0)
		return rc;
	if ((rc = open_store(ctx, "schedule.hours.list", &s)) != 0)
		return rc;
	out_init(&w, ctx, cols, PMS_NELEM(cols));
	st = pms_hours_list(s, ARG(&a, OPT_PROVIDER), ARG(&a, OPT_LOCATION),
	    write_hours, &w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		out_abort(&w);
		return w.rc != 0 ? w.rc : pms_fail_status(ctx, st);
	}
	return out_close(&w);
}

/* --from/--to of off add: a date (its start; for --to, the next day's)
 * or a wall-clock time. */
static int
off_bound(struct pms_ctx *ctx, struct pms_store *st, const char *what,
    const char *s, int end, struct pms_local *l)
{
	int32_t d;
	int rc;

	if (strchr(s, 'T') == NULL && strchr(s, ' ') == NULL) {
		/* a date, or today, tomorrow, yesterday */
		if ((rc = date_arg(ctx, st, what, s, &d)) != 0)
			return rc;
		memset(l, 0, sizeof(*l));
		l->days = end ? d + 1 : d;
		return 0;
	}
	if ((end = local_arg(ctx, what, s, l)) != 0)
		return end;
	if (l->has_offset)
		return pms_fail(ctx, EX_DATAERR, "%s: a wall-clock time has no "
		    "offset", what);
	return 0;
}

static int
cmd_off_add(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_local from, to;
	struct pms_sched_affected aff;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int64_t id;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0,
	    "provider,location,from,to,reason")) != 0)
		return rc;
	if (!FLAG(&a, OPT_FROM) || !FLAG(&a, OPT_TO))
		return pms_fail(ctx, EX_USAGE, "off add: --from and --to are "
		    "needed");
	if ((rc = text_arg(ctx, "--reason", ARG(&a, OPT_REASON))) != 0)
		return rc;
	if ((rc = open_store(ctx, "schedule.off.add", &s)) != 0)
		return rc;
	if ((rc = off_bound(ctx, s, "--from", ARG(&a, OPT_FROM), 0,
	    &from)) != 0 || (rc = off_bound(ctx, s, "--to", ARG(&a, OPT_TO),
	    1, &to)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_off_add(s, ARG(&a, OPT_PROVIDER), ARG(&a, OPT_LOCATION),
	    &from, &to, ARG(&a, OPT_REASON), &id, &aff);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("%lld\n", (long long)id);
	warn_affected(ctx, &aff, "in this exception");
	return EX_OK;
}

static int
write_off(void *arg, const struct pms_off *o)
{
	struct pms_cell c[6];

	memset(c, 0, sizeof(c));
	c[0].i = o->id;
	c[1].text = o->provider;
	c[1].null = o->provider[0] == '\0';
	c[2].text = o->location;
	c[2].null = o->location[0] == '\0';
	c[3].text = o->from;
	c[4].text = o->to;
	c[5].text = o->reason;
	c[5].null = o->reason[0] == '\0';
	return out_row(arg, c);
}

static int
cmd_off_list(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct pms_col cols[] = {
		{ "off_id", PMS_COL_INT }, { "provider", PMS_COL_TEXT },
		{ "location", PMS_COL_TEXT }, { "from", PMS_COL_TEXT },
		{ "to", PMS_COL_TEXT }, { "reason", PMS_COL_TEXT },
	};
	struct out w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int32_t from = 0, to = 0;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "provider,from,to")) != 0)
		return rc;
	if ((rc = open_store(ctx, "schedule.off.list", &s)) != 0)
		return rc;
	if ((FLAG(&a, OPT_FROM) && (rc = date_arg(ctx, s, "--from",
	    ARG(&a, OPT_FROM), &from)) != 0) ||
	    (FLAG(&a, OPT_TO) && (rc = date_arg(ctx, s, "--to", ARG(&a,
	    OPT_TO), &to)) != 0) ||
	    (FLAG(&a, OPT_FROM) && FLAG(&a, OPT_TO) &&
	    (rc = range_ok(ctx, from, to)) != 0)) {
		pms_store_close(s);
		return rc;
	}
	out_init(&w, ctx, cols, PMS_NELEM(cols));
	st = pms_off_list(s, ARG(&a, OPT_PROVIDER), FLAG(&a, OPT_FROM), from,
	    FLAG(&a, OPT_TO), to, write_off, &w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		out_abort(&w);
		return w.rc != 0 ? w.rc : pms_fail_status(ctx, st);
	}
	return out_close(&w);
}

static int
cmd_off_remove(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int64_t id;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "")) != 0 ||
	    (rc = id_arg(ctx, "off remove", a.args[0], &id)) != 0)
		return rc;
	if ((rc = open_store(ctx, "schedule.off.remove", &s)) != 0)
		return rc;
	st = pms_off_remove(s, id);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	return EX_OK;
}

/* ---- booking ---- */

/* Each bad row of an input, as it is found. */
static void
report(void *arg, const char *msg)
{
	pms_cli_row(arg, NULL, msg);
}

static int
import_summary(struct pms_ctx *ctx, enum pms_status st,
    const struct pms_appt_import_result *r, const char *rejects, int book)
{
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	fprintf(stderr, "%s: %zu row%s: %zu %s, %zu there already, %zu "
	    "rejected%s%s%s\n", ctx->prog, r->rows, r->rows == 1 ? "" : "s",
	    r->added, book ? "booked" : "added", r->existing, r->rejected,
	    rejects != NULL && r->rejected > 0 ? " (in " : "",
	    rejects != NULL && r->rejected > 0 ? rejects : "",
	    rejects != NULL && r->rejected > 0 ? ")" : "");
	if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
	return EX_OK;
}

/* book -: one booking a line from standard input. */
static int
book_stdin(struct pms_ctx *ctx, const struct args *a)
{
	struct pms_appt_import_opts o;
	struct pms_appt_import_result r;
	struct pms_reader *rd;
	struct pms_store *s;
	struct out l;
	enum pms_status st;
	FILE *f;
	int rc, v;

	memset(&o, 0, sizeof(o));
	o.booking = 1;
	o.allow_past = FLAG(a, OPT_ALLOW_PAST);
	o.force = FLAG(a, OPT_FORCE);
	o.skip_conflicts = FLAG(a, OPT_SKIP_CONFLICTS);
	o.dry_run = ctx->dry_run;
	if (FLAG(a, OPT_DATE_FORMAT)) {
		if ((v = pms_date_form_parse(ARG(a, OPT_DATE_FORMAT))) < 0)
			return pms_fail(ctx, EX_USAGE, "--date-format: "
			    "expected iso, mdy, dmy or excel");
		o.date_form = (enum pms_date_form)v;
	}
	if ((rc = pms_cli_reader(ctx, "-", &rd, &f)) != 0)
		return rc;
	if ((rc = open_store(ctx, "schedule.book", &s)) != 0) {
		pms_reader_close(rd);
		return rc;
	}
	appt_out(&l, ctx, 0);
	st = pms_appt_import(s, rd, &o, report, ctx, write_appt, &l, &r);
	pms_store_close(s);
	pms_reader_close(rd);
	if (l.rc != 0)
		return l.rc;
	if (st != PMS_OK) {
		out_abort(&l);
		return pms_fail_status(ctx, st);
	}
	/* a refused input printed nothing; an input of none, no header */
	if (l.w != NULL && (rc = out_close(&l)) != 0)
		return rc;
	if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: %zu would be booked; nothing "
		    "was written\n", ctx->prog, r.added);
	if (r.rejected > 0)
		fprintf(stderr, "%s: %zu of %zu left out (--skip-conflicts)\n",
		    ctx->prog, r.rejected, r.rows);
	return EX_OK;
}

static int
cmd_book(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_appt_booking b;
	struct pms_appt_opts o;
	struct pms_appt_req q;
	struct pms_store *s;
	struct out w;
	struct args a;
	enum pms_status st;
	size_t i;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 1, "patient,mrn,provider,at,"
	    "type,length,location,room,reason,every,count,until,"
	    "skip-conflicts,allow-past,force,date-format")) != 0)
		return rc;
	if (a.nargs == 1) {
		if (strcmp(a.args[0], "-") != 0)
			usage(EX_USAGE);
		if (FLAG(&a, OPT_PATIENT) || FLAG(&a, OPT_MRN) ||
		    FLAG(&a, OPT_PROVIDER) || FLAG(&a, OPT_AT) ||
		    FLAG(&a, OPT_EVERY))
			return pms_fail(ctx, EX_USAGE, "book -: the bookings "
			    "come from standard input, one a line");
		return book_stdin(ctx, &a);
	}
	if (FLAG(&a, OPT_DATE_FORMAT))
		return pms_fail(ctx, EX_USAGE, "book: --date-format is for "
		    "book -");
	memset(&q, 0, sizeof(q));
	memset(&o, 0, sizeof(o));
	if (FLAG(&a, OPT_PATIENT) && FLAG(&a, OPT_MRN))
		return pms_fail(ctx, EX_USAGE, "book: --patient or --mrn, not "
		    "both");
	if (!FLAG(&a, OPT_PATIENT) && !FLAG(&a, OPT_MRN))
		return pms_fail(ctx, EX_USAGE, "book: give --patient or --mrn");
	if (!FLAG(&a, OPT_PROVIDER) || !FLAG(&a, OPT_AT))
		return pms_fail(ctx, EX_USAGE, "book: --provider and --at are "
		    "needed");
	if (FLAG(&a, OPT_PATIENT) && (rc = id_arg(ctx, "--patient",
	    ARG(&a, OPT_PATIENT), &q.patient_id)) != 0)
		return rc;
	q.mrn = ARG(&a, OPT_MRN);
	q.provider = ARG(&a, OPT_PROVIDER);
	q.location = ARG(&a, OPT_LOCATION);
	q.type = ARG(&a, OPT_TYPE);
	q.room = ARG(&a, OPT_ROOM);
	q.reason = ARG(&a, OPT_REASON);
	if ((rc = text_arg(ctx, "--reason", q.reason)) != 0)
		return rc;
	if (!FLAG(&a, OPT_TYPE) && !FLAG(&a, OPT_LENGTH))
		return pms_fail(ctx, EX_USAGE, "book: give --type or --length");
	if ((rc = local_arg(ctx, "--at", ARG(&a, OPT_AT), &q.at)) != 0)
		return rc;
	q.has_at = 1;
	if (FLAG(&a, OPT_LENGTH) && (rc = duration_arg(ctx, "--length",
	    ARG(&a, OPT_LENGTH), &q.length_secs)) != 0)
		return rc;
	if (FLAG(&a, OPT_EVERY)) {
		if ((rc = every_arg(ctx, ARG(&a, OPT_EVERY),
		    &q.every_days)) != 0)
			return rc;
		if (FLAG(&a, OPT_COUNT) && FLAG(&a, OPT_UNTIL))
			return pms_fail(ctx, EX_USAGE, "--every: --count or "
			    "--until, not both");
		if (!FLAG(&a, OPT_COUNT) && !FLAG(&a, OPT_UNTIL))
			return pms_fail(ctx, EX_USAGE, "--every: give --count "
			    "or --until");
		if (FLAG(&a, OPT_COUNT) && (rc = count_arg(ctx, "--count",
		    ARG(&a, OPT_COUNT), PMS_APPT_SERIES_MAX, &q.count)) != 0)
			return rc;
	} else if (FLAG(&a, OPT_COUNT) || FLAG(&a, OPT_UNTIL) ||
	    FLAG(&a, OPT_SKIP_CONFLICTS))
		return pms_fail(ctx, EX_USAGE, "--count, --until and "
		    "--skip-conflicts are for a series (--every)");
	o.allow_past = FLAG(&a, OPT_ALLOW_PAST);
	o.force = FLAG(&a, OPT_FORCE);
	o.skip_conflicts = FLAG(&a, OPT_SKIP_CONFLICTS);
	o.dry_run = ctx->dry_run;
	if ((rc = open_store(ctx, "schedule.book", &s)) != 0)
		return rc;
	if (FLAG(&a, OPT_UNTIL)) {
		if ((rc = date_arg(ctx, s, "--until", ARG(&a, OPT_UNTIL),
		    &q.until)) != 0) {
			pms_store_close(s);
			return rc;
		}
		q.has_until = 1;
	}
	st = pms_appt_book(s, &q, &o, &b);
	if (st != PMS_OK) {
		for (i = 0; b.n > 1 && i < b.n; i++)
			if (b.occ[i].st != PMS_OK)
				fprintf(stderr, "%s: %s: %s\n", ctx->prog,
				    b.occ[i].at, b.occ[i].msg);
		pms_appt_booking_release(&b);
		pms_store_close(s);
		return pms_fail_status(ctx, st);
	}
	for (i = 0; i < b.n; i++)
		if (b.occ[i].st != PMS_OK)
			fprintf(stderr, "%s: skipped %s: %s\n", ctx->prog,
			    b.occ[i].at, b.occ[i].msg);
		else if (b.occ[i].forced)
			fprintf(stderr, "%s: warning: %s booked over a conflict "
			    "(--force): %s\n", ctx->prog, b.appt[i].start,
			    b.occ[i].msg);
	pms_store_close(s);
	/* what was booked, or with --dry-run would be (no id yet) */
	appt_out(&w, ctx, 0);
	for (i = 0; i < b.n; i++)
		if (b.occ[i].st == PMS_OK && write_appt(&w, &b.appt[i]) != 0)
			break;
	if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: %zu would be booked; nothing "
		    "was written\n", ctx->prog, b.booked);
	pms_appt_booking_release(&b);
	return out_close(&w);
}

static int
cmd_move(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_appt_opts o;
	struct pms_appt_req q;
	struct pms_appt ap;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int64_t id;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "at,provider,location,"
	    "room,length,allow-past,force")) != 0 ||
	    (rc = id_arg(ctx, "move", a.args[0], &id)) != 0)
		return rc;
	memset(&q, 0, sizeof(q));
	memset(&o, 0, sizeof(o));
	if (!FLAG(&a, OPT_AT) && !FLAG(&a, OPT_PROVIDER) &&
	    !FLAG(&a, OPT_LOCATION) && !FLAG(&a, OPT_ROOM) &&
	    !FLAG(&a, OPT_LENGTH))
		return pms_fail(ctx, EX_USAGE, "move: give --at, --provider, "
		    "--location, --room or --length");
	if (FLAG(&a, OPT_AT)) {
		if ((rc = local_arg(ctx, "--at", ARG(&a, OPT_AT), &q.at)) != 0)
			return rc;
		q.has_at = 1;
	}
	if (FLAG(&a, OPT_LENGTH) && (rc = duration_arg(ctx, "--length",
	    ARG(&a, OPT_LENGTH), &q.length_secs)) != 0)
		return rc;
	q.provider = ARG(&a, OPT_PROVIDER);
	q.location = ARG(&a, OPT_LOCATION);
	q.room = ARG(&a, OPT_ROOM);
	o.allow_past = FLAG(&a, OPT_ALLOW_PAST);
	o.force = FLAG(&a, OPT_FORCE);
	o.dry_run = ctx->dry_run;
	if ((rc = open_store(ctx, "schedule.move", &s)) != 0)
		return rc;
	st = pms_appt_move(s, id, &q, &o, &ap);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	/* the appointment as moved, or with --dry-run as it would be */
	rc = write_one(ctx, &ap);
	if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
	return rc;
}

/* cancel, checkin, complete, noshow, confirm: one appointment's status. */
static int
mark(struct pms_ctx *ctx, int argc, char **argv, enum pms_appt_op op,
    const char *action, const char *allow)
{
	struct pms_appt_opts o;
	struct pms_appt ap;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	const char *by = NULL;
	int64_t id;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, allow)) != 0 ||
	    (rc = id_arg(ctx, ctx->cmd, a.args[0], &id)) != 0)
		return rc;
	if (FLAG(&a, OPT_BY) && strcasecmp(ARG(&a, OPT_BY), "practice") == 0)
		by = "practice";
	else if (FLAG(&a, OPT_BY) && strcasecmp(ARG(&a, OPT_BY), "patient") ==
	    0)
		by = "patient";
	else if (FLAG(&a, OPT_BY) && pms_quotable(ARG(&a, OPT_BY)))
		return pms_fail(ctx, EX_USAGE, "--by: practice or patient, not "
		    "\"%s\"", ARG(&a, OPT_BY));
	else if (FLAG(&a, OPT_BY))
		return pms_fail(ctx, EX_USAGE, "--by: practice or patient");
	if ((rc = text_arg(ctx, "--reason", ARG(&a, OPT_REASON))) != 0)
		return rc;
	memset(&o, 0, sizeof(o));
	o.allow_past = FLAG(&a, OPT_ALLOW_PAST);
	if ((rc = open_store(ctx, action, &s)) != 0)
		return rc;
	st = pms_appt_mark(s, id, op, by, ARG(&a, OPT_REASON), &o, &ap);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	if (op == PMS_APPT_CANCEL && ap.late_cancel)
		fprintf(stderr, "%s: appointment %lld: a late cancel\n",
		    ctx->prog, (long long)ap.id);
	return write_one(ctx, &ap);
}

static int
cmd_cancel(struct pms_ctx *ctx, int argc, char **argv)
{
	return mark(ctx, argc, argv, PMS_APPT_CANCEL, "schedule.cancel",
	    "by,reason,allow-past");
}

static int
cmd_checkin(struct pms_ctx *ctx, int argc, char **argv)
{
	return mark(ctx, argc, argv, PMS_APPT_CHECKIN, "schedule.checkin",
	    "allow-past");
}

static int
cmd_complete(struct pms_ctx *ctx, int argc, char **argv)
{
	return mark(ctx, argc, argv, PMS_APPT_COMPLETE, "schedule.complete",
	    "");
}

static int
cmd_noshow(struct pms_ctx *ctx, int argc, char **argv)
{
	return mark(ctx, argc, argv, PMS_APPT_NOSHOW, "schedule.noshow", "");
}

static int
cmd_confirm(struct pms_ctx *ctx, int argc, char **argv)
{
	return mark(ctx, argc, argv, PMS_APPT_CONFIRM, "schedule.confirm",
	    "");
}

/* ---- reading ---- */

static int
cmd_show(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_appt ap;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int64_t id;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "")) != 0 ||
	    (rc = id_arg(ctx, "show", a.args[0], &id)) != 0)
		return rc;
	if ((rc = open_store(ctx, "schedule.show", &s)) != 0)
		return rc;
	st = pms_appt_show(s, id, &ap);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	return write_one(ctx, &ap);
}

static int
write_change(void *arg, const struct pms_appt_change *c)
{
	struct pms_cell v[7];

	memset(v, 0, sizeof(v));
	v[0].i = c->appointment_id;
	v[1].text = c->at;
	v[2].text = c->user;
	v[3].text = c->action;
	v[4].text = c->field;
	v[5].text = c->from_value;
	v[5].null = c->from_value[0] == '\0';
	v[6].text = c->to_value;
	v[6].null = c->to_value[0] == '\0';
	return out_row(arg, v);
}

static int
cmd_history(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct pms_col cols[] = {
		{ "appointment_id", PMS_COL_INT }, { "at", PMS_COL_TEXT },
		{ "user", PMS_COL_TEXT }, { "action", PMS_COL_TEXT },
		{ "field", PMS_COL_TEXT }, { "from_value", PMS_COL_TEXT },
		{ "to_value", PMS_COL_TEXT },
	};
	struct out w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int64_t id;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "")) != 0 ||
	    (rc = id_arg(ctx, "history", a.args[0], &id)) != 0)
		return rc;
	if ((rc = open_store(ctx, "schedule.history", &s)) != 0)
		return rc;
	out_init(&w, ctx, cols, PMS_NELEM(cols));
	st = pms_appt_history(s, id, write_change, &w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		out_abort(&w);
		return w.rc != 0 ? w.rc : pms_fail_status(ctx, st);
	}
	return out_close(&w);
}

/* --on, --from, --to, --provider, --location, --patient, --mrn,
 * --status into a query (the store open for today's date). */
static int
query_args(struct pms_ctx *ctx, struct pms_store *s, const struct args *a,
    struct pms_appt_query *q)
{
	int rc;

	if (FLAG(a, OPT_ON) && (FLAG(a, OPT_FROM) || FLAG(a, OPT_TO)))
		return pms_fail(ctx, EX_USAGE, "--on is one day; --from and "
		    "--to a range");
	if (FLAG(a, OPT_ON)) {
		if ((rc = date_arg(ctx, s, "--on", ARG(a, OPT_ON),
		    &q->from)) != 0)
			return rc;
		q->to = q->from;
		q->has_from = q->has_to = 1;
	}
	if (FLAG(a, OPT_FROM)) {
		if ((rc = date_arg(ctx, s, "--from", ARG(a, OPT_FROM),
		    &q->from)) != 0)
			return rc;
		q->has_from = 1;
	}
	if (FLAG(a, OPT_TO)) {
		if ((rc = date_arg(ctx, s, "--to", ARG(a, OPT_TO), &q->to)) !=
		    0)
			return rc;
		q->has_to = 1;
	}
	if (FLAG(a, OPT_FROM) && FLAG(a, OPT_TO) &&
	    (rc = range_ok(ctx, q->from, q->to)) != 0)
		return rc;
	q->provider = ARG(a, OPT_PROVIDER);
	q->location = ARG(a, OPT_LOCATION);
	q->mrn = ARG(a, OPT_MRN);
	q->statuses = ARG(a, OPT_STATUS);
	q->with_names = FLAG(a, OPT_WITH_NAMES);
	return 0;
}

static int
cmd_list(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_appt_query q;
	struct out w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "on,from,to,provider,"
	    "location,patient,mrn,status,with-names")) != 0)
		return rc;
	memset(&q, 0, sizeof(q));
	if (FLAG(&a, OPT_PATIENT) && FLAG(&a, OPT_MRN))
		return pms_fail(ctx, EX_USAGE, "list: --patient or --mrn, not "
		    "both");
	if (FLAG(&a, OPT_PATIENT) && (rc = id_arg(ctx, "--patient",
	    ARG(&a, OPT_PATIENT), &q.patient_id)) != 0)
		return rc;
	if (FLAG(&a, OPT_STATUS) && (rc = status_arg(ctx,
	    ARG(&a, OPT_STATUS))) != 0)
		return rc;
	if ((rc = open_store(ctx, "schedule.list", &s)) != 0)
		return rc;
	if ((rc = query_args(ctx, s, &a, &q)) != 0) {
		pms_store_close(s);
		return rc;
	}
	appt_out(&w, ctx, q.with_names);
	st = pms_appt_query(s, &q, write_appt, &w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		out_abort(&w);
		return w.rc != 0 ? w.rc : pms_fail_status(ctx, st);
	}
	return out_close(&w);
}

static const struct pms_col slot_cols[] = {
	{ "provider", PMS_COL_TEXT }, { "location", PMS_COL_TEXT },
	{ "start", PMS_COL_TEXT }, { "end", PMS_COL_TEXT },
};

static int
write_slot(void *arg, const struct pms_free_slot *sl)
{
	struct pms_cell c[4];

	memset(c, 0, sizeof(c));
	c[0].text = sl->provider;
	c[1].text = sl->location;
	c[2].text = sl->start;
	c[3].text = sl->end;
	return out_row(arg, c);
}

/* --type, --length, --step, --location of slots and next. */
static int
slot_args(struct pms_ctx *ctx, const struct args *a, struct pms_slot_query *q)
{
	int rc;

	memset(q, 0, sizeof(*q));
	q->provider = ARG(a, OPT_PROVIDER);
	q->location = ARG(a, OPT_LOCATION);
	q->type = ARG(a, OPT_TYPE);
	q->allow_past = FLAG(a, OPT_ALLOW_PAST);
	if (FLAG(a, OPT_LENGTH) && (rc = duration_arg(ctx, "--length",
	    ARG(a, OPT_LENGTH), &q->length_secs)) != 0)
		return rc;
	if (FLAG(a, OPT_STEP) && (rc = duration_arg(ctx, "--step",
	    ARG(a, OPT_STEP), &q->step_secs)) != 0)
		return rc;
	if (!FLAG(a, OPT_TYPE) && !FLAG(a, OPT_LENGTH))
		return pms_fail(ctx, EX_USAGE, "%s: give --type or --length",
		    ctx->cmd);
	return 0;
}

static int
cmd_slots(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_slot_query q;
	struct out w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "provider,on,type,length,"
	    "step,location,allow-past")) != 0 ||
	    (rc = slot_args(ctx, &a, &q)) != 0)
		return rc;
	if (!FLAG(&a, OPT_PROVIDER) || !FLAG(&a, OPT_ON))
		return pms_fail(ctx, EX_USAGE, "slots: --provider and --on are "
		    "needed");
	if ((rc = open_store(ctx, "schedule.slots", &s)) != 0)
		return rc;
	if ((rc = date_arg(ctx, s, "--on", ARG(&a, OPT_ON), &q.day)) != 0) {
		pms_store_close(s);
		return rc;
	}
	out_init(&w, ctx, slot_cols, PMS_NELEM(slot_cols));
	st = pms_slots(s, &q, write_slot, &w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		out_abort(&w);
		return w.rc != 0 ? w.rc : pms_fail_status(ctx, st);
	}
	return out_close(&w);
}

static int
cmd_next(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_slot_query q;
	struct pms_free_slot sl;
	struct out w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "type,length,provider,"
	    "location,after,within,allow-past")) != 0 ||
	    (rc = slot_args(ctx, &a, &q)) != 0)
		return rc;
	if (FLAG(&a, OPT_AFTER)) {
		const char *v = ARG(&a, OPT_AFTER);
		int32_t d;

		/* a date alone: from its start */
		if (strpbrk(v, "T ") == NULL && pms_date_parse(v,
		    PMS_DATE_ISO, &d) == PMS_OK) {
			memset(&q.after, 0, sizeof(q.after));
			q.after.days = d;
		} else if ((rc = local_arg(ctx, "--after", v, &q.after)) != 0)
			return rc;
		q.has_after = 1;
	}
	if (FLAG(&a, OPT_WITHIN)) {
		const char *v = ARG(&a, OPT_WITHIN);
		char buf[16];

		/* "30" or "30d" */
		snprintf(buf, sizeof(buf), "%s", v);
		if (*buf != '\0' && buf[strlen(buf) - 1] == 'd')
			buf[strlen(buf) - 1] = '\0';
		if ((rc = count_arg(ctx, "--within", buf, 3660,
		    &q.within_days)) != 0)
			return rc;
	}
	if ((rc = open_store(ctx, "schedule.next", &s)) != 0)
		return rc;
	st = pms_slot_next(s, &q, &sl);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	out_init(&w, ctx, slot_cols, PMS_NELEM(slot_cols));
	write_slot(&w, &sl);
	return out_close(&w);
}

static int
cmd_export(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_appt_query q;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "ics,provider,location,"
	    "from,to,with-names")) != 0)
		return rc;
	if (!FLAG(&a, OPT_ICS))
		return pms_fail(ctx, EX_USAGE, "export: --ics is the format");
	if (ctx->out_format != PMS_OUT_AUTO)
		return pms_fail(ctx, EX_USAGE, "export: -o does not apply; "
		    "the format is iCalendar");
	memset(&q, 0, sizeof(q));
	if ((rc = open_store(ctx, "schedule.export", &s)) != 0)
		return rc;
	if ((rc = query_args(ctx, s, &a, &q)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_appt_ics(s, &q, stdout, ctx->out_path);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	return EX_OK;
}

static int
cmd_import(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_appt_import_opts o;
	struct pms_appt_import_result r;
	struct pms_reader *rd;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	const char *file;
	FILE *f = stdin;
	int rc, v, enc = PMS_ENC_UTF8;

	if ((rc = parse(ctx, argc, argv, &a, 0, 1, "date-format,encoding,"
	    "skip-invalid")) != 0)
		return rc;
	memset(&o, 0, sizeof(o));
	if (FLAG(&a, OPT_DATE_FORMAT)) {
		if ((v = pms_date_form_parse(ARG(&a, OPT_DATE_FORMAT))) < 0)
			return pms_fail(ctx, EX_USAGE, "--date-format: "
			    "expected iso, mdy, dmy or excel, not \"%s\"",
			    ARG(&a, OPT_DATE_FORMAT));
		o.date_form = (enum pms_date_form)v;
	}
	if (FLAG(&a, OPT_ENCODING) && (enc = pms_in_encoding_parse(ARG(&a,
	    OPT_ENCODING))) < 0)
		return pms_fail(ctx, EX_USAGE, "--encoding: expected utf-8 or "
		    "windows-1252, not \"%s\"", ARG(&a, OPT_ENCODING));
	if (FLAG(&a, OPT_SKIP_INVALID)) {
		if (*ARG(&a, OPT_SKIP_INVALID) == '\0')
			return pms_fail(ctx, EX_USAGE, "--skip-invalid: a file "
			    "name is needed");
		o.rejects = ARG(&a, OPT_SKIP_INVALID);
	}
	o.dry_run = ctx->dry_run;
	file = a.nargs > 0 ? a.args[0] : "-";
	if ((rc = pms_cli_rejects_path(ctx, "--skip-invalid", o.rejects,
	    file)) != 0)
		return rc;
	if (strcmp(file, "-") != 0 && (f = fopen(file, "re")) == NULL)
		return pms_fail(ctx, EX_NOINPUT, "cannot open \"%s\": %s",
		    file, strerror(errno));
	if ((st = pms_reader_open(&rd, f, file, PMS_IN_AUTO,
	    (enum pms_in_encoding)enc)) != PMS_OK) {
		if (f != stdin)
			fclose(f);
		return pms_fail_status(ctx, st);
	}
	if ((rc = open_store(ctx, "schedule.import", &s)) != 0) {
		pms_reader_close(rd);
		if (f != stdin)
			fclose(f);
		return rc;
	}
	st = pms_appt_import(s, rd, &o, report, ctx, NULL, NULL, &r);
	pms_store_close(s);
	pms_reader_close(rd);
	if (f != stdin)
		fclose(f);
	return import_summary(ctx, st, &r, o.rejects, 0);
}

static const struct pms_cmd cmds[] = {
	{ "hours set", cmd_hours_set }, { "hours list", cmd_hours_list },
	{ "off add", cmd_off_add }, { "off list", cmd_off_list },
	{ "off remove", cmd_off_remove },
	{ "book", cmd_book }, { "move", cmd_move }, { "cancel", cmd_cancel },
	{ "checkin", cmd_checkin }, { "complete", cmd_complete },
	{ "noshow", cmd_noshow }, { "confirm", cmd_confirm },
	{ "show", cmd_show }, { "history", cmd_history },
	{ "list", cmd_list }, { "slots", cmd_slots }, { "next", cmd_next },
	{ "export", cmd_export }, { "import", cmd_import },
};

int
main(int argc, char *argv[])
{
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-schedule");
	ctx.usage = usage;
	rc = pms_cli_main(&ctx, cmds, PMS_NELEM(cmds), argc, argv);
	pms_ctx_release(&ctx);
	return rc;
}
