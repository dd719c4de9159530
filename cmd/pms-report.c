/*
 * pms-report: the named reports an office manager reads: the day sheet,
 * the printable schedule, no-shows, utilisation, productivity, collections, A/R
 * aging, payer mix, denials, reminders.  Each is a read of the store, audited;
 * the work is lib/report.c's; this file reads options and prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "ptime.h"
#include "report.h"

#define PERIOD_PL	"[--on date] [--from date] [--to date] " \
	"[--provider code] [--location code] [-o table|csv|json|html] " \
	"[--out file]\n"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-report [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-report list [-o table|csv|json]\n"
	    "       pms-report day-sheet " PERIOD_PL
	    "       pms-report schedule " PERIOD_PL
	    "       pms-report no-shows " PERIOD_PL
	    "       pms-report utilisation " PERIOD_PL
	    "       pms-report productivity " PERIOD_PL
	    "       pms-report collections [--on date] [--from date] "
	    "[--to date] [--payer code] [-o table|csv|json|html] "
	    "[--out file]\n"
	    "       pms-report ar-aging [--as-of date] [--payer code] "
	    "[--by-patient] [-o table|csv|json|html] [--out file]\n"
	    "       pms-report payer-mix " PERIOD_PL
	    "       pms-report denials [--on date] [--from date] [--to date] "
	    "[--payer code] [--provider code] [--location code] "
	    "[-o table|csv|json|html] [--out file]\n"
	    "       pms-report reminders " PERIOD_PL
	    "       pms-report --help | --version\n", f);
	/* --help that cannot be written is 74, as in every program */
	pms_cli_usage_exit(status);
}

enum {
	OPT_ON = PMS_OPT_FIRST,
	OPT_FROM,
	OPT_TO,
	OPT_AS_OF,
	OPT_PROVIDER,
	OPT_LOCATION,
	OPT_PAYER,
	OPT_BY_PATIENT
};

static const struct option longopts[] = {
	PMS_CLI_LONGOPTS,
	{ "on",		required_argument,	NULL, OPT_ON },
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "to",		required_argument,	NULL, OPT_TO },
	{ "as-of",	required_argument,	NULL, OPT_AS_OF },
	{ "provider",	required_argument,	NULL, OPT_PROVIDER },
	{ "location",	required_argument,	NULL, OPT_LOCATION },
	{ "payer",	required_argument,	NULL, OPT_PAYER },
	{ "by-patient",	no_argument,		NULL, OPT_BY_PATIENT },
	{ NULL,		0,			NULL, 0 }
};

/* Which PMS_REPORT_* option an option of ours is. */
static unsigned
option_kind(int ch)
{
	switch (ch) {
	case OPT_ON:
	case OPT_FROM:
	case OPT_TO:
		return PMS_REPORT_PERIOD;
	case OPT_AS_OF:
		return PMS_REPORT_AS_OF;
	case OPT_PROVIDER:
		return PMS_REPORT_PROVIDER;
	case OPT_LOCATION:
		return PMS_REPORT_LOCATION;
	case OPT_PAYER:
		return PMS_REPORT_PAYER;
	case OPT_BY_PATIENT:
		return PMS_REPORT_BY_PATIENT;
	}
	return 0;
}

/* An argument no command takes: named (when it can be shown), so that
 * the line that matters is not only the usage. */
static _Noreturn void
stray(struct pms_ctx *ctx, const char *cmd, const char *arg)
{
	if (pms_quotable(arg))
		pms_cli_usage(ctx, "%s: unexpected argument \"%s\"", cmd, arg);
	pms_cli_usage(ctx, "%s: unexpected argument", cmd);
}

static int
write_row(void *arg, const struct pms_cell *cells)
{
	return pms_writer_row(arg, cells) != PMS_OK;
}

/* ---- list ---- */

static const struct pms_col list_cols[] = {
	{ "report", PMS_COL_TEXT }, { "description", PMS_COL_TEXT },
};

static int
cmd_list(struct pms_ctx *ctx, int argc, char **argv)
{
	const struct pms_report_info *r;
	struct pms_cell c[2];
	struct pms_writer *w;
	size_t i;
	int ch, rc, idx;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    &idx)) != -1) {
		if (option_kind(ch) != 0)
			pms_cli_usage(ctx, "list: --%s does not apply",
			    longopts[idx].name);
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	if (optind != argc)
		stray(ctx, "list", argv[optind]);
	if (ctx->out_path != NULL)
		pms_cli_usage(ctx, "list: --out does not apply");
	if ((rc = pms_cli_writer(ctx, list_cols, PMS_NELEM(list_cols), &w)) !=
	    0)
		return rc;
	memset(c, 0, sizeof(c));
	for (i = 0; (r = pms_report_at(i)) != NULL; i++) {
		c[0].text = r->name;
		c[1].text = r->summary;
		if (pms_writer_row(w, c) != PMS_OK)
			break;
	}
	return pms_cli_writer_close(ctx, w);
}

/* ---- the reports ---- */

/* The report as an HTML page on stdout or --out (a dry run writes no
 * file); the exit code. */
static int
report_html(struct pms_ctx *ctx, struct pms_store *s,
    const struct pms_report_info *r, struct pms_report_opts *o)
{
	struct pms_report_html *h = NULL;
	struct pms_outfile *of = NULL;
	enum pms_status st;
	char period[256] = "";
	const char *path = ctx->out_path;
	FILE *f = stdout;

	if (path != NULL && strcmp(path, "-") == 0)
		path = NULL;
	if (path != NULL && (st = pms_outfile_open(&of, ctx->dry_run ?
	    "/dev/null" : path, &f)) != PMS_OK) {
		pms_store_close(s);
		return pms_fail_status(ctx, st);
	}
	o->period = period;
	o->period_size = sizeof(period);
	/* the period is known once the report ran: the page is made then */
	if ((st = pms_report_html_open(&h, r, period, f)) == PMS_OK)
		st = pms_report_run(s, r, o, pms_report_html_row, h, NULL);
	pms_store_close(s);
	if (st == PMS_OK) {
		/* a write error names what could not be written */
		if ((st = pms_report_html_close(h)) == PMS_EIO) {
			pms_outfile_abort(of);
			return pms_fail(ctx, EX_IOERR, "%s: %s", path != NULL ?
			    path : "standard output", pms_errmsg());
		}
	} else
		pms_report_html_abort(h);
	if (st != PMS_OK) {
		pms_outfile_abort(of);
		if (st == PMS_EUSAGE)
			pms_cli_usage(ctx, "%s: %s", r->name, pms_errmsg());
		return pms_fail_status(ctx, st);
	}
	if (of != NULL && (st = pms_outfile_close(of)) != PMS_OK)
		return pms_fail_status(ctx, st);
	if (path != NULL && ctx->dry_run)
		pms_cli_would_write(ctx, path);
	return 0;
}

static int
cmd_report(struct pms_ctx *ctx, int argc, char **argv)
{
	const struct pms_report_info *r;
	struct pms_report_opts o;
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	const char *on = NULL;
	char action[64];
	unsigned k;
	int ch, rc, idx, html = 0;

	if ((r = pms_report_find(argv[0])) == NULL)
		usage(EX_USAGE);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    &idx)) != -1) {
		if ((k = option_kind(ch)) != 0 && (r->options & k) == 0)
			pms_cli_usage(ctx, "%s: --%s does not apply", r->name,
			    longopts[idx].name);
		switch (ch) {
		case OPT_ON:
			on = optarg;
			break;
		case OPT_FROM:
			o.from = optarg;
			break;
		case OPT_TO:
			o.to = optarg;
			break;
		case OPT_AS_OF:
			o.as_of = optarg;
			break;
		case OPT_PROVIDER:
			o.provider = optarg;
			break;
		case OPT_LOCATION:
			o.location = optarg;
			break;
		case OPT_PAYER:
			o.payer = optarg;
			break;
		case OPT_BY_PATIENT:
			o.by_patient = 1;
			break;
		case 'o':
			html = strcmp(optarg, "html") == 0;
			if (html)
				break;
			if (strcmp(optarg, "table") != 0 &&
			    strcmp(optarg, "csv") != 0 &&
			    strcmp(optarg, "json") != 0)
				return pms_fail(ctx, EX_USAGE, "-o: expected "
				    "table, csv, json or html");
			/* FALLTHROUGH */
		default:
			if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
				return rc;
		}
	}
	if (optind != argc)
		stray(ctx, r->name, argv[optind]);
	if (on != NULL) {
		if (o.from != NULL || o.to != NULL)
			pms_cli_usage(ctx, "%s: --on or --from and --to, not "
			    "both", r->name);
		/* judged by pms_report_run(), named as given, not as the
		 * --from it makes */
		o.from = o.to = on;
		o.on = 1;
	}
	o.out_path = ctx->out_path;
	snprintf(action, sizeof(action), "report.%s", r->name);
	if ((rc = pms_cli_open(ctx, action, &s)) != 0)
		return rc;
	if (html)
		return report_html(ctx, s, r, &o);
	if ((rc = pms_cli_writer(ctx, r->cols, r->ncols, &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_report_run(s, r, &o, write_row, w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		if (st == PMS_EUSAGE)
			pms_cli_usage(ctx, "%s: %s", r->name, pms_errmsg());
		return pms_fail_status(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static const struct pms_cmd cmds[] = {
	{ "list", cmd_list },
	{ "day-sheet", cmd_report },
	{ "schedule", cmd_report },
	{ "no-shows", cmd_report },
	{ "utilisation", cmd_report },
	{ "productivity", cmd_report },
	{ "collections", cmd_report },
	{ "ar-aging", cmd_report },
	{ "payer-mix", cmd_report },
	{ "denials", cmd_report },
	{ "reminders", cmd_report },
};

int
main(int argc, char *argv[])
{
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-report");
	ctx.usage = usage;
	rc = pms_cli_main(&ctx, cmds, PMS_NELEM(cmds), argc, argv);
	pms_ctx_release(&ctx);
	return rc;
}
