/*
 * pms-claim: insurance claims out as X12 837P, and the answers in.
 * Claims are made from the visits pms-bill charged, checked against
 * every rule that can be checked before they are sent, written out as
 * an 837P interchange, and listed, shown and counted by state.
 * inspect reads any X12 file pms deals in (837P, 835, 999, TA1, 277CA)
 * and prints it as records: one a segment, or one a transaction set in
 * short; it needs no store, so it never asks for a passphrase.  The
 * work is lib/claim.c's and lib/x12.c's; this file reads options and
 * prints.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "claim.h"
#include "claim_answer.h"
#include "cli.h"
#include "money.h"
#include "x12.h"

/* Refused by a rule of the practice (DESIGN.md's exit 1). */
#define EX_REFUSED	1

/* The element columns of inspect: e01 .. e32. */
#define INSPECT_ELEMS	32

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-claim [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-claim create [--unbilled] [--split-dx] [--dry-run] "
	    "[-o table|csv|json] [file]\n"
	    "       pms-claim validate [--dry-run] [-o table|csv|json] "
	    "[claim ...]\n"
	    "       pms-claim secondary [--ready] [--dry-run] "
	    "[-o table|csv|json] [claim ...]\n"
	    "       pms-claim export [--batch batch] [--dry-run] [--out file] "
	    "[claim ...]\n"
	    "       pms-claim list [--patient id|--mrn mrn] [--state state] "
	    "[--payer code] [--batch batch] [--from date] [--to date] "
	    "[-o table|csv|json] [--out file]\n"
	    "       pms-claim show claim [--lines] [-o table|csv|json]\n"
	    "       pms-claim status [-o table|csv|json]\n"
	    "       pms-claim inspect [--summary] [-o table|csv|json] "
	    "[--out file] file|-\n"
	    "       pms-claim ack [--dry-run] [-o table|csv|json] file|-\n"
	    "       pms-claim era [--dry-run] [-o table|csv|json] file|-\n"
	    "       pms-claim denials [--payer code] [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-claim resubmit [--payer-claim-number number] "
	    "[--dry-run] [-o table|csv|json] claim ...\n"
	    "       pms-claim void [--payer-claim-number number] [--dry-run] "
	    "[-o table|csv|json] claim ...\n"
	    "       pms-claim --help | --version\n", f);
	pms_cli_usage_exit(status);
}

/* Every option of the commands: one table, each command allows some. */
enum {
	OPT_SUMMARY = PMS_OPT_FIRST,
	OPT_UNBILLED,
	OPT_SPLIT_DX,
	OPT_BATCH,
	OPT_PATIENT,
	OPT_MRN,
	OPT_STATE,
	OPT_PAYER,
	OPT_FROM,
	OPT_TO,
	OPT_LINES,
	OPT_PCN,
	OPT_READY,
	OPT_LAST = OPT_READY
};

static const struct option longopts[] = {
	PMS_CLI_LONGOPTS,
	{ "summary",	no_argument,		NULL, OPT_SUMMARY },
	{ "unbilled",	no_argument,		NULL, OPT_UNBILLED },
	{ "split-dx",	no_argument,		NULL, OPT_SPLIT_DX },
	{ "batch",	required_argument,	NULL, OPT_BATCH },
	{ "patient",	required_argument,	NULL, OPT_PATIENT },
	{ "mrn",	required_argument,	NULL, OPT_MRN },
	{ "state",	required_argument,	NULL, OPT_STATE },
	{ "payer",	required_argument,	NULL, OPT_PAYER },
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "to",		required_argument,	NULL, OPT_TO },
	{ "lines",	no_argument,		NULL, OPT_LINES },
	{ "payer-claim-number", required_argument, NULL, OPT_PCN },
	{ "ready",	no_argument,		NULL, OPT_READY },
	{ NULL,		0,			NULL, 0 }
};

/* What a command's options said. */
struct args {
	const char	*v[OPT_LAST - OPT_SUMMARY + 1];
	int		 nargs;
	char	       **args;
};

#define ARG(a, opt)	((a)->v[(opt) - OPT_SUMMARY])
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
 * A command's options and operands (min to max of them, max -1 for
 * any number); allow names the options it takes besides the common
 * ones.  0, or an exit code.
 */
static int
parse(struct pms_ctx *ctx, int argc, char **argv, struct args *a, int min,
    int max, const char *allow)
{
	int ch, rc, idx = 0;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    &idx)) != -1) {
		if (ch >= OPT_SUMMARY && ch <= OPT_LAST) {
			if (!allowed(allow, longopts[idx].name)) {
				pms_fail(ctx, EX_USAGE, "%s: option \"--%s\" "
				    "does not apply", ctx->cmd,
				    longopts[idx].name);
				usage(EX_USAGE);
			}
			ARG(a, ch) = optarg != NULL ? optarg : "";
			continue;
		}
		if ((ch == 'o' || ch == PMS_OPT_OUT || ch == 'n') &&
		    !allowed(allow, ch == 'o' ? "output" : ch == 'n' ?
		    "dry-run" : "out")) {
			pms_fail(ctx, EX_USAGE, "%s: option \"%s\" does not "
			    "apply", ctx->cmd, argv[optind - 1]);
			usage(EX_USAGE);
		}
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	a->nargs = argc - optind;
	a->args = argv + optind;
	if (a->nargs < min)
		pms_cli_usage(ctx, "%s: an operand is missing", ctx->cmd);
	if (max >= 0 && a->nargs > max) {
		if (max == 0)
			pms_cli_usage(ctx, "%s: no operand is taken",
			    ctx->cmd);
		pms_cli_usage(ctx, "%s: %d operand%s at most, not %d",
		    ctx->cmd, max, max == 1 ? "" : "s", a->nargs);
	}
	return 0;
}

/* An id operand or option value: 0, or the exit code after reporting. */
static int
id_arg(struct pms_ctx *ctx, const char *what, const char *arg, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v <= 0)
		return pms_fail(ctx, EX_USAGE, "%s: not an id: a number from "
		    "1", what);
	*id = v;
	return 0;
}

/* The claim ids of the operands, in *idp (the caller frees). */
static int
ids_arg(struct pms_ctx *ctx, const struct args *a, int64_t **idp)
{
	int64_t *ids;
	int i, rc;

	*idp = NULL;
	if (a->nargs == 0)
		return 0;
	if ((ids = calloc((size_t)a->nargs, sizeof(*ids))) == NULL)
		return pms_fail(ctx, EX_SOFTWARE, "out of memory");
	for (i = 0; i < a->nargs; i++)
		if ((rc = id_arg(ctx, "claim", a->args[i], &ids[i])) != 0) {
			free(ids);
			return rc;
		}
	*idp = ids;
	return 0;
}

static int
date_arg(struct pms_ctx *ctx, const char *what, const char *arg)
{
	int32_t d;

	if (arg != NULL && (pms_date_parse(arg, PMS_DATE_ISO, &d) != PMS_OK ||
	    strlen(arg) != 10))
		return pms_fail(ctx, EX_USAGE, "%s: not a date "
		    "(YYYY-MM-DD)", what);
	return 0;
}

static void
t_cell(struct pms_cell *c, const char *s)
{
	memset(c, 0, sizeof(*c));
	c->null = s == NULL || *s == '\0';
	c->text = s;
}

static void
i_cell(struct pms_cell *c, int64_t v, int zero_null)
{
	memset(c, 0, sizeof(*c));
	c->null = zero_null && v == 0;
	c->i = v;
}

/* A message of the library's, as the program's own. */
static void
report(void *arg, int warn, const char *msg)
{
	struct pms_ctx *ctx = arg;

	(void)warn;
	fprintf(stderr, "%s: %s\n", ctx->prog, msg);
}

/* ---- claims out ---- */

static const struct pms_col claim_cols[] = {
	{ "claim_id", PMS_COL_INT }, { "claim", PMS_COL_TEXT },
	{ "state", PMS_COL_TEXT }, { "patient_id", PMS_COL_INT },
	{ "mrn", PMS_COL_TEXT }, { "visit_id", PMS_COL_INT },
	{ "date_of_service", PMS_COL_DATE }, { "payer", PMS_COL_TEXT },
	{ "policy_id", PMS_COL_INT }, { "provider", PMS_COL_TEXT },
	{ "location", PMS_COL_TEXT }, { "part", PMS_COL_INT },
	{ "parts", PMS_COL_INT }, { "frequency", PMS_COL_TEXT },
	{ "lines", PMS_COL_INT }, { "dx", PMS_COL_TEXT },
	{ "total", PMS_COL_MONEY }, { "batch_id", PMS_COL_INT },
	{ "submitted_on", PMS_COL_DATE }, { "updated_at", PMS_COL_TIME },
	{ "payer_seq", PMS_COL_TEXT }, { "prior_claim_id", PMS_COL_INT },
};

/* SBR01's letter for a claim's payer_seq: P, S, T. */
static const char *
seq_letter(int seq)
{
	return seq == 3 ? "T" : seq == 2 ? "S" : "P";
}

/* The claim's columns into c[0 .. PMS_NELEM(claim_cols)); dx and
 * frequency are written into bufs the caller keeps. */
static void
claim_cells(struct pms_cell *c, const struct pms_claim *k, char *dx,
    size_t dxsize, char *freq)
{
	size_t i, n = 0;

	dx[0] = '\0';
	for (i = 0; i < k->ndx; i++)
		n += (size_t)snprintf(dx + n, n < dxsize ? dxsize - n : 0,
		    "%s%s", i > 0 ? "," : "", k->dx[i]);
	freq[0] = k->frequency;
	freq[1] = '\0';
	i_cell(&c[0], k->id, 0);
	t_cell(&c[1], k->clm01);
	t_cell(&c[2], pms_claim_state_name(k->state));
	i_cell(&c[3], k->patient_id, 0);
	t_cell(&c[4], k->mrn);
	i_cell(&c[5], k->visit_id, 0);
	t_cell(&c[6], k->dos_from);
	t_cell(&c[7], k->payer);
	i_cell(&c[8], k->policy_id, 0);
	t_cell(&c[9], k->provider);
	t_cell(&c[10], k->location);
	i_cell(&c[11], k->part, 0);
	i_cell(&c[12], k->parts, 0);
	t_cell(&c[13], freq);
	i_cell(&c[14], k->nlines, 0);
	t_cell(&c[15], dx);
	i_cell(&c[16], k->total_cents, 0);
	i_cell(&c[17], k->batch_id, 1);
	t_cell(&c[18], k->submitted_on);
	t_cell(&c[19], k->updated_at);
	t_cell(&c[20], seq_letter(k->payer_seq));
	i_cell(&c[21], k->prior_claim_id, 1);
}

static int
write_claim(void *arg, const struct pms_claim *k)
{
	struct pms_cell c[PMS_NELEM(claim_cols)];
	char dx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ], freq[2];

	claim_cells(c, k, dx, sizeof(dx), freq);
	return pms_writer_row(arg, c) != PMS_OK;
}

/* ---- create ---- */

static int
cmd_create(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_claim_create_opts o;
	struct pms_claim_create_count n;
	struct pms_reader *rd = NULL;
	struct pms_writer *w = NULL;
	struct pms_store *s = NULL;
	enum pms_status st;
	struct args a;
	FILE *fp = NULL;
	int rc, unbilled;

	if ((rc = parse(ctx, argc, argv, &a, 0, 1, "unbilled,split-dx,"
	    "output,dry-run")) != 0)
		return rc;
	unbilled = FLAG(&a, OPT_UNBILLED);
	if (unbilled && a.nargs > 0)
		return pms_fail(ctx, EX_USAGE, "create: --unbilled or records, "
		    "not both");
	if (!unbilled && (rc = pms_cli_reader(ctx, a.nargs > 0 ? a.args[0] :
	    NULL, &rd, &fp)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "claim.create", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, claim_cols, PMS_NELEM(claim_cols),
	    &w)) != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.unbilled = unbilled;
	o.rd = rd;
	o.split_dx = FLAG(&a, OPT_SPLIT_DX);
	o.dry_run = ctx->dry_run;
	o.report = report;
	o.report_arg = ctx;
	st = pms_claim_create(s, &o, write_claim, w, &n);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	if ((rc = pms_cli_writer_close(ctx, w)) != 0) {
		w = NULL;
		goto out;
	}
	w = NULL;
	fprintf(stderr, "%s: %lu claim%s made from %lu visit%s; %lu already "
	    "claimed, %lu waiting for coding, %lu self-pay, %lu refused%s\n",
	    ctx->prog, n.claims, n.claims == 1 ? "" : "s", n.visits,
	    n.visits == 1 ? "" : "s", n.already, n.waiting, n.self_pay,
	    n.refused, ctx->dry_run ? " (--dry-run: nothing was written)" :
	    "");
	rc = n.refused > 0 ? EX_REFUSED : 0;
out:
	pms_writer_abort(w);
	if (s != NULL)
		pms_store_close(s);
	pms_reader_close(rd);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

/* ---- validate ---- */

static const struct pms_col check_cols[] = {
	{ "claim_id", PMS_COL_INT }, { "claim", PMS_COL_TEXT },
	{ "state", PMS_COL_TEXT }, { "errors", PMS_COL_INT },
	{ "warnings", PMS_COL_INT },
};

struct checked {
	struct pms_writer *w;
	unsigned long	 claims, failed;
};

static int
write_check(void *arg, const struct pms_claim_result *r)
{
	struct checked *k = arg;
	struct pms_cell c[PMS_NELEM(check_cols)];

	k->claims++;
	if (r->errors > 0)
		k->failed++;
	i_cell(&c[0], r->claim_id, 0);
	t_cell(&c[1], r->clm01);
	t_cell(&c[2], pms_claim_state_name(r->state));
	i_cell(&c[3], r->errors, 0);
	i_cell(&c[4], r->warnings, 0);
	return pms_writer_row(k->w, c) != PMS_OK;
}

static int
cmd_validate(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_store *s = NULL;
	struct checked k;
	enum pms_status st;
	struct args a;
	int64_t *ids = NULL;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, -1, "output,dry-run")) != 0 ||
	    (rc = ids_arg(ctx, &a, &ids)) != 0)
		return rc;
	memset(&k, 0, sizeof(k));
	if ((rc = pms_cli_open(ctx, "claim.validate", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, check_cols, PMS_NELEM(check_cols),
	    &k.w)) != 0)
		goto out;
	st = pms_claim_validate(s, ids, (size_t)a.nargs, ctx->dry_run, report,
	    ctx, write_check, &k);
	if (st != PMS_OK) {
		pms_writer_abort(k.w);
		k.w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	rc = pms_cli_writer_close(ctx, k.w);
	k.w = NULL;
	if (rc != 0)
		goto out;
	fprintf(stderr, "%s: %lu claim%s checked, %lu failed%s\n", ctx->prog,
	    k.claims, k.claims == 1 ? "" : "s", k.failed, ctx->dry_run ?
	    " (--dry-run: nothing was written)" : "");
	rc = k.failed > 0 ? EX_REFUSED : 0;
out:
	pms_writer_abort(k.w);
	if (s != NULL)
		pms_store_close(s);
	free(ids);
	return rc;
}

/* ---- secondary ---- */

static int
cmd_secondary(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_claim_secondary_opts o;
	struct pms_claim_secondary_count n;
	struct pms_writer *w = NULL;
	struct pms_store *s = NULL;
	enum pms_status st;
	struct args a;
	int64_t *ids = NULL;
	int rc, ready;

	if ((rc = parse(ctx, argc, argv, &a, 0, -1, "ready,output,dry-run")) !=
	    0 || (rc = ids_arg(ctx, &a, &ids)) != 0)
		return rc;
	ready = FLAG(&a, OPT_READY);
	if (ready == (a.nargs > 0)) {
		rc = pms_fail(ctx, EX_USAGE, "secondary: claims or --ready, "
		    "one of the two");
		goto out;
	}
	if ((rc = pms_cli_open(ctx, "claim.secondary", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, claim_cols, PMS_NELEM(claim_cols),
	    &w)) != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.ids = ids;
	o.nids = (size_t)a.nargs;
	o.ready = ready;
	o.report = report;
	o.report_arg = ctx;
	st = pms_claim_secondary(s, &o, write_claim, w, &n);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	if ((rc = pms_cli_writer_close(ctx, w)) != 0) {
		w = NULL;
		goto out;
	}
	w = NULL;
	fprintf(stderr, "%s: %lu claim%s made from %lu claim%s; %lu with "
	    "theirs already, %lu crossed over, %lu with nothing left, %lu "
	    "refused%s\n", ctx->prog, n.made, n.made == 1 ? "" : "s",
	    n.considered, n.considered == 1 ? "" : "s", n.already, n.crossed,
	    n.nothing, n.refused, ctx->dry_run ? " (--dry-run: nothing was "
	    "written)" : "");
	rc = n.refused > 0 ? EX_REFUSED : 0;
out:
	pms_writer_abort(w);
	if (s != NULL)
		pms_store_close(s);
	free(ids);
	return rc;
}

/* ---- export ---- */

static int
cmd_export(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_claim_export_opts o;
	struct pms_claim_export_result r;
	struct pms_store *s = NULL;
	enum pms_status st;
	struct args a;
	int64_t *ids = NULL, batch = 0;
	char total[PMS_MONEY_BUFSZ];
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, -1, "batch,out,dry-run")) != 0
	    || (rc = ids_arg(ctx, &a, &ids)) != 0)
		return rc;
	if (ARG(&a, OPT_BATCH) != NULL && (rc = id_arg(ctx, "--batch",
	    ARG(&a, OPT_BATCH), &batch)) != 0)
		goto out;
	if (batch != 0 && a.nargs > 0) {
		rc = pms_fail(ctx, EX_USAGE, "export: --batch or claims, not "
		    "both");
		goto out;
	}
	if ((rc = pms_cli_open(ctx, "claim.export", &s)) != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.ids = ids;
	o.nids = (size_t)a.nargs;
	o.resend = batch;
	o.out_path = ctx->out_path;
	o.out = stdout;
	o.dry_run = ctx->dry_run;
	o.report = report;
	o.report_arg = ctx;
	st = pms_claim_export(s, &o, &r);
	if (st != PMS_OK) {
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	pms_money_fmt(r.total_cents, total);
	if (r.claims == 0)
		fprintf(stderr, "%s: no claim to send%s\n", ctx->prog,
		    r.refused > 0 ? " that passes its checks" : "");
	else if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: %lu claim%s (%s) would be "
		    "sent; nothing was written\n", ctx->prog, r.claims,
		    r.claims == 1 ? "" : "s", total);
	else
		fprintf(stderr, "%s: batch %lld: %lu claim%s (%s), interchange "
		    "%09u, %u transaction set%s from %04u, written to %s\n",
		    ctx->prog, (long long)r.batch_id, r.claims,
		    r.claims == 1 ? "" : "s", total, (unsigned)r.isa13, r.sets,
		    r.sets == 1 ? "" : "s", (unsigned)r.st02_first,
		    ctx->out_path != NULL ? ctx->out_path : "standard output");
	if (r.refused > 0)
		fprintf(stderr, "%s: %lu claim%s left out\n", ctx->prog,
		    r.refused, r.refused == 1 ? "" : "s");
	rc = r.refused > 0 ? EX_REFUSED : 0;
out:
	if (s != NULL)
		pms_store_close(s);
	free(ids);
	return rc;
}

/* ---- list ---- */

static int
cmd_list(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_claim_query q;
	struct pms_writer *w = NULL;
	struct pms_store *s = NULL;
	enum pms_status st;
	struct args a;
	int64_t patient = 0, batch = 0;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "patient,mrn,state,payer,"
	    "batch,from,to,output,out")) != 0)
		return rc;
	if (FLAG(&a, OPT_PATIENT) && FLAG(&a, OPT_MRN))
		return pms_fail(ctx, EX_USAGE, "list: --patient or --mrn, not "
		    "both");
	if ((ARG(&a, OPT_PATIENT) != NULL && (rc = id_arg(ctx, "--patient",
	    ARG(&a, OPT_PATIENT), &patient)) != 0) ||
	    (ARG(&a, OPT_BATCH) != NULL && (rc = id_arg(ctx, "--batch",
	    ARG(&a, OPT_BATCH), &batch)) != 0) ||
	    (rc = date_arg(ctx, "--from", ARG(&a, OPT_FROM))) != 0 ||
	    (rc = date_arg(ctx, "--to", ARG(&a, OPT_TO))) != 0)
		return rc;
	if (FLAG(&a, OPT_MRN) && *ARG(&a, OPT_MRN) == '\0')
		return pms_fail(ctx, EX_USAGE, "--mrn: empty");
	if (ARG(&a, OPT_STATE) != NULL &&
	    pms_claim_state_parse(ARG(&a, OPT_STATE)) < 0)
		return pms_fail(ctx, EX_USAGE, "--state: not a state of a "
		    "claim (draft, validated, submitted, acknowledged, "
		    "rejected, paid, partly-paid, denied, crossed-over, "
		    "closed, replaced, voided)");
	if (ARG(&a, OPT_FROM) != NULL && ARG(&a, OPT_TO) != NULL &&
	    strcmp(ARG(&a, OPT_FROM), ARG(&a, OPT_TO)) > 0)
		return pms_fail(ctx, EX_USAGE, "--from: after --to");
	if ((rc = pms_cli_open(ctx, "claim.list", &s)) != 0)
		return rc;
	if (FLAG(&a, OPT_MRN) && (st = pms_patient_id(s, 0, ARG(&a, OPT_MRN),
	    &patient, NULL)) != PMS_OK) {
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	/* a filter naming nothing is refused, not an empty list */
	if (!FLAG(&a, OPT_MRN) && patient > 0) {
		int64_t found;

		if ((st = pms_patient_id(s, patient, NULL, &found, NULL)) !=
		    PMS_OK) {
			rc = pms_fail_status(ctx, st);
			goto out;
		}
	}
	if ((rc = pms_cli_writer(ctx, claim_cols, PMS_NELEM(claim_cols),
	    &w)) != 0)
		goto out;
	memset(&q, 0, sizeof(q));
	q.patient_id = patient;
	q.batch_id = batch;
	q.state = ARG(&a, OPT_STATE);
	q.payer = ARG(&a, OPT_PAYER);
	q.from = ARG(&a, OPT_FROM);
	q.to = ARG(&a, OPT_TO);
	q.action = "claim.list";
	if ((st = pms_claim_query(s, &q, write_claim, w, NULL)) != PMS_OK) {
		pms_writer_abort(w);
		w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	rc = pms_cli_writer_close(ctx, w);
	w = NULL;
out:
	pms_writer_abort(w);
	pms_store_close(s);
	return rc;
}

/* ---- show ---- */

static const struct pms_col event_cols[] = {
	{ "claim_id", PMS_COL_INT }, { "claim", PMS_COL_TEXT },
	{ "state", PMS_COL_TEXT }, { "patient_id", PMS_COL_INT },
	{ "mrn", PMS_COL_TEXT }, { "date_of_service", PMS_COL_DATE },
	{ "payer", PMS_COL_TEXT }, { "lines", PMS_COL_INT },
	{ "total", PMS_COL_MONEY }, { "event", PMS_COL_INT },
	{ "at", PMS_COL_TIME }, { "user", PMS_COL_TEXT },
	{ "from", PMS_COL_TEXT }, { "to", PMS_COL_TEXT },
	{ "batch_id", PMS_COL_INT }, { "note", PMS_COL_TEXT },
	{ "frequency", PMS_COL_TEXT }, { "original_id", PMS_COL_INT },
	{ "replaced_by", PMS_COL_INT },
	{ "payer_seq", PMS_COL_TEXT }, { "prior_claim_id", PMS_COL_INT },
};

static const struct pms_col line_cols[] = {
	{ "claim_id", PMS_COL_INT }, { "claim", PMS_COL_TEXT },
	{ "line", PMS_COL_INT }, { "control", PMS_COL_TEXT },
	{ "charge_id", PMS_COL_INT }, { "date_of_service", PMS_COL_DATE },
	{ "code", PMS_COL_TEXT }, { "modifiers", PMS_COL_TEXT },
	{ "units", PMS_COL_INT }, { "amount", PMS_COL_MONEY },
	{ "dx_pointers", PMS_COL_TEXT }, { "dx", PMS_COL_TEXT },
};

struct shown {
	struct pms_writer *w;
	struct pms_claim c;
	unsigned	 n;
};

static int
keep_claim(void *arg, const struct pms_claim *c)
{
	((struct shown *)arg)->c = *c;
	return 0;
}

static int
skip_line(void *arg, const struct pms_claim_line *unused)
{
	(void)arg;
	(void)unused;
	return 0;
}

static int
write_history(void *arg, const struct pms_claim_event *e)
{
	struct shown *sh = arg;
	struct pms_cell c[PMS_NELEM(event_cols)];
	char freq[2];

	/* the claim of the event: the one shown, or another of its chain
	 * of corrections */
	i_cell(&c[0], e->claim_id, 0);
	t_cell(&c[1], e->clm01);
	t_cell(&c[2], e->claim_state);
	i_cell(&c[3], sh->c.patient_id, 0);
	t_cell(&c[4], sh->c.mrn);
	t_cell(&c[5], sh->c.dos_from);
	t_cell(&c[6], sh->c.payer);
	i_cell(&c[7], e->nlines, 0);
	i_cell(&c[8], e->total_cents, 0);
	i_cell(&c[9], ++sh->n, 0);
	t_cell(&c[10], e->at);
	t_cell(&c[11], e->by);
	t_cell(&c[12], e->from);
	t_cell(&c[13], e->to);
	i_cell(&c[14], e->batch_id, 1);
	t_cell(&c[15], e->note);
	freq[0] = e->frequency;
	freq[1] = '\0';
	t_cell(&c[16], freq);
	i_cell(&c[17], e->original_id, 1);
	i_cell(&c[18], e->replaced_by, 1);
	t_cell(&c[19], seq_letter(sh->c.payer_seq));
	i_cell(&c[20], sh->c.prior_claim_id, 1);
	return pms_writer_row(sh->w, c) != PMS_OK;
}

static int
write_line(void *arg, const struct pms_claim_line *l)
{
	struct shown *sh = arg;
	struct pms_cell c[PMS_NELEM(line_cols)];

	i_cell(&c[0], sh->c.id, 0);
	t_cell(&c[1], sh->c.clm01);
	i_cell(&c[2], l->lx, 0);
	t_cell(&c[3], l->control);
	i_cell(&c[4], l->charge_id, 0);
	t_cell(&c[5], l->dos);
	t_cell(&c[6], l->code);
	t_cell(&c[7], l->modifiers);
	i_cell(&c[8], l->units, 0);
	i_cell(&c[9], l->amount_cents, 0);
	t_cell(&c[10], l->dx_pointers);
	t_cell(&c[11], l->dx);
	return pms_writer_row(sh->w, c) != PMS_OK;
}

static int
cmd_show(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_store *s = NULL;
	struct shown sh;
	enum pms_status st;
	struct args a;
	int64_t id;
	int rc, lines;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "lines,output")) != 0 ||
	    (rc = id_arg(ctx, "claim", a.args[0], &id)) != 0)
		return rc;
	lines = FLAG(&a, OPT_LINES);
	memset(&sh, 0, sizeof(sh));
	if ((rc = pms_cli_open(ctx, "claim.show", &s)) != 0)
		return rc;
	if ((rc = lines ? pms_cli_writer(ctx, line_cols, PMS_NELEM(line_cols),
	    &sh.w) : pms_cli_writer(ctx, event_cols, PMS_NELEM(event_cols),
	    &sh.w)) != 0)
		goto out;
	st = pms_claim_show(s, id, keep_claim, lines ? write_line :
	    skip_line, lines ? NULL : write_history, &sh);
	if (st != PMS_OK) {
		pms_writer_abort(sh.w);
		sh.w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	rc = pms_cli_writer_close(ctx, sh.w);
	sh.w = NULL;
out:
	pms_writer_abort(sh.w);
	pms_store_close(s);
	return rc;
}

/* ---- status ---- */

static const struct pms_col status_cols[] = {
	{ "state", PMS_COL_TEXT }, { "class", PMS_COL_TEXT },
	{ "claims", PMS_COL_INT }, { "total", PMS_COL_MONEY },
};

static int
write_status(void *arg, const struct pms_claim_status_row *r)
{
	static const char *const classes[] = { "unsent", "in-flight",
	    "front-end", "adjudicated", "done", "superseded" };
	struct pms_cell c[PMS_NELEM(status_cols)];

	t_cell(&c[0], pms_claim_state_name(r->state));
	t_cell(&c[1], classes[r->cls]);
	i_cell(&c[2], r->claims, 0);
	i_cell(&c[3], r->total_cents, 0);
	return pms_writer_row(arg, c) != PMS_OK;
}

static int
cmd_status(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_writer *w = NULL;
	struct pms_store *s = NULL;
	enum pms_status st;
	struct args a;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "output")) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "claim.status", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, status_cols, PMS_NELEM(status_cols),
	    &w)) != 0)
		goto out;
	if ((st = pms_claim_status(s, write_status, w)) != PMS_OK) {
		pms_writer_abort(w);
		w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	rc = pms_cli_writer_close(ctx, w);
	w = NULL;
out:
	pms_writer_abort(w);
	pms_store_close(s);
	return rc;
}

/* ---- inspect ---- */

/* One record a segment. */
static const struct pms_col seg_cols[] = {
	{ "interchange", PMS_COL_INT }, { "group", PMS_COL_INT },
	{ "transaction", PMS_COL_INT }, { "segment", PMS_COL_INT },
	{ "position", PMS_COL_INT }, { "line", PMS_COL_INT },
	{ "id", PMS_COL_TEXT }, { "elements", PMS_COL_INT },
	{ "e01", PMS_COL_TEXT }, { "e02", PMS_COL_TEXT },
	{ "e03", PMS_COL_TEXT }, { "e04", PMS_COL_TEXT },
	{ "e05", PMS_COL_TEXT }, { "e06", PMS_COL_TEXT },
	{ "e07", PMS_COL_TEXT }, { "e08", PMS_COL_TEXT },
	{ "e09", PMS_COL_TEXT }, { "e10", PMS_COL_TEXT },
	{ "e11", PMS_COL_TEXT }, { "e12", PMS_COL_TEXT },
	{ "e13", PMS_COL_TEXT }, { "e14", PMS_COL_TEXT },
	{ "e15", PMS_COL_TEXT }, { "e16", PMS_COL_TEXT },
	{ "e17", PMS_COL_TEXT }, { "e18", PMS_COL_TEXT },
	{ "e19", PMS_COL_TEXT }, { "e20", PMS_COL_TEXT },
	{ "e21", PMS_COL_TEXT }, { "e22", PMS_COL_TEXT },
	{ "e23", PMS_COL_TEXT }, { "e24", PMS_COL_TEXT },
	{ "e25", PMS_COL_TEXT }, { "e26", PMS_COL_TEXT },
	{ "e27", PMS_COL_TEXT }, { "e28", PMS_COL_TEXT },
	{ "e29", PMS_COL_TEXT }, { "e30", PMS_COL_TEXT },
	{ "e31", PMS_COL_TEXT }, { "e32", PMS_COL_TEXT },
};

/* One record a transaction set (or TA1). */
static const struct pms_col sum_cols[] = {
	{ "interchange", PMS_COL_INT }, { "group", PMS_COL_INT },
	{ "transaction", PMS_COL_INT }, { "kind", PMS_COL_TEXT },
	{ "version", PMS_COL_TEXT }, { "sender", PMS_COL_TEXT },
	{ "receiver", PMS_COL_TEXT }, { "isa13", PMS_COL_TEXT },
	{ "gs06", PMS_COL_TEXT }, { "st02", PMS_COL_TEXT },
	{ "segments", PMS_COL_INT }, { "claims", PMS_COL_INT },
	{ "lines", PMS_COL_INT }, { "charge", PMS_COL_MONEY },
	{ "paid", PMS_COL_MONEY }, { "payment", PMS_COL_MONEY },
};

/* An integer cell, null when v is 0 and zero_null. */
static void
int_cell(struct pms_cell *c, unsigned long v, int zero_null)
{
	memset(c, 0, sizeof(*c));
	c->null = zero_null && v == 0;
	c->i = (int64_t)v;
}

static void
text_cell(struct pms_cell *c, const char *s)
{
	memset(c, 0, sizeof(*c));
	c->null = s == NULL || *s == '\0';
	c->text = s;
}

/* Print every segment; PMS_OK at the end of the input. */
static enum pms_status
inspect_segments(struct pms_x12_reader *r, struct pms_writer *w)
{
	struct pms_cell c[PMS_NELEM(seg_cols)];
	const struct pms_x12_seg *seg;
	const struct pms_x12_pos *pos;
	enum pms_status st;
	size_t i, n;

	for (;;) {
		if ((st = pms_x12_next(r, &seg)) != PMS_OK)
			return st;
		if (seg == NULL)
			return PMS_OK;
		pos = pms_x12_reader_pos(r);
		n = pms_x12_seg_count(seg);
		if (n > INSPECT_ELEMS)
			return pms_x12_fail(r, NULL, PMS_EDATA, "more than %d "
			    "elements: more than inspect shows",
			    INSPECT_ELEMS);
		int_cell(&c[0], pos->interchange, 0);
		int_cell(&c[1], pos->group, 1);
		int_cell(&c[2], pos->transaction, 1);
		int_cell(&c[3], pos->segment, 0);
		int_cell(&c[4], pos->position, 1);
		int_cell(&c[5], pos->line, 0);
		text_cell(&c[6], pms_x12_seg_id(seg));
		int_cell(&c[7], n, 0);
		for (i = 0; i < INSPECT_ELEMS; i++) {
			text_cell(&c[8 + i], pms_x12_elem(seg, i + 1));
			/* an empty element is "", one past the end null */
			c[8 + i].null = i >= n;
		}
		if ((st = pms_writer_row(w, c)) != PMS_OK)
			return st;
	}
}

/* Print one record a transaction set; PMS_OK at the end. */
static enum pms_status
inspect_summary(struct pms_x12_reader *r, struct pms_writer *w)
{
	struct pms_cell c[PMS_NELEM(sum_cols)];
	struct pms_x12_summary s;
	enum pms_status st;
	int done, ta1;

	for (;;) {
		if ((st = pms_x12_summary_next(r, &s, &done)) != PMS_OK)
			return st;
		if (done)
			return PMS_OK;
		ta1 = strcmp(s.kind, "TA1") == 0;
		int_cell(&c[0], s.interchange, 0);
		int_cell(&c[1], s.group, 1);
		int_cell(&c[2], s.transaction, 1);
		text_cell(&c[3], s.kind);
		text_cell(&c[4], s.version);
		text_cell(&c[5], s.sender);
		text_cell(&c[6], s.receiver);
		text_cell(&c[7], s.isa13);
		text_cell(&c[8], s.gs06);
		text_cell(&c[9], s.st02);
		int_cell(&c[10], s.segments, ta1);
		int_cell(&c[11], s.claims, ta1);
		int_cell(&c[12], s.lines, ta1);
		memset(&c[13], 0, 3 * sizeof(c[0]));
		c[13].i = s.charge;
		c[13].null = !s.has_charge;
		c[14].i = s.paid;
		c[14].null = !s.has_payment;
		c[15].i = s.payment;
		c[15].null = !s.has_payment;
		if ((st = pms_writer_row(w, c)) != PMS_OK)
			return st;
	}
}

static int
cmd_inspect(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_x12_reader *r = NULL;
	struct pms_writer *w = NULL;
	const char *path;
	enum pms_status st;
	struct stat sb;
	struct args a;
	FILE *f = stdin;
	int rc, summary;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "summary,output,out")) !=
	    0)
		return rc;
	path = a.args[0];
	summary = FLAG(&a, OPT_SUMMARY);
	if (strcmp(path, "-") != 0) {
		if ((f = fopen(path, "re")) == NULL)
			return pms_fail(ctx, EX_NOINPUT, "cannot open \"%s\": "
			    "%s", path, strerror(errno));
		if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
			fclose(f);
			return pms_fail(ctx, EX_NOINPUT, "\"%s\" is a "
			    "directory", path);
		}
	}
	if ((st = pms_x12_reader_open(&r, f, path)) != PMS_OK) {
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	if ((rc = summary ? pms_cli_writer(ctx, sum_cols, PMS_NELEM(sum_cols),
	    &w) : pms_cli_writer(ctx, seg_cols, PMS_NELEM(seg_cols), &w)) != 0)
		goto out;
	st = summary ? inspect_summary(r, w) : inspect_segments(r, w);
	if (st != PMS_OK) {
		/* --out leaves nothing behind; stdout keeps what it got */
		pms_writer_abort(w);
		w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	rc = pms_cli_writer_close(ctx, w);
	w = NULL;
out:
	pms_writer_abort(w);
	pms_x12_reader_close(r);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* ---- the answers: 835 remittances, acknowledgements, denials ---- */

/* Open an X12 input operand: stdin for "-".  0, or the exit code. */
static int
x12_input(struct pms_ctx *ctx, const char *path, FILE **fp)
{
	struct stat sb;

	*fp = stdin;
	if (strcmp(path, "-") == 0)
		return 0;
	if ((*fp = fopen(path, "re")) == NULL)
		return pms_fail(ctx, EX_NOINPUT, "cannot open \"%s\": %s", path,
		    strerror(errno));
	if (fstat(fileno(*fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(*fp);
		*fp = NULL;
		return pms_fail(ctx, EX_NOINPUT, "\"%s\" is a directory", path);
	}
	return 0;
}

static const struct pms_col era_cols[] = {
	{ "interchange", PMS_COL_INT }, { "transaction", PMS_COL_INT },
	{ "segment", PMS_COL_INT }, { "trace", PMS_COL_TEXT },
	{ "payer", PMS_COL_TEXT }, { "claim_id", PMS_COL_INT },
	{ "claim", PMS_COL_TEXT }, { "patient_id", PMS_COL_INT },
	{ "status", PMS_COL_TEXT }, { "outcome", PMS_COL_TEXT },
	{ "charge", PMS_COL_MONEY }, { "paid", PMS_COL_MONEY },
	{ "patient_resp", PMS_COL_MONEY }, { "written_off", PMS_COL_MONEY },
	{ "denied", PMS_COL_MONEY }, { "payer_claim_number", PMS_COL_TEXT },
	{ "note", PMS_COL_TEXT },
};

struct answers {
	struct pms_ctx	*ctx;
	struct pms_writer *w;
	const char	*name;
};

/* Where a result is, for a message: the file and the segment. */
static void
say(const struct answers *an, unsigned long seg, unsigned long line,
    const char *msg)
{
	fprintf(stderr, "%s: %s: segment %lu (line %lu): %s\n", an->ctx->prog,
	    strcmp(an->name, "-") == 0 ? "standard input" : an->name, seg,
	    line, msg);
}

static int
write_era(void *arg, const struct pms_era_result *r)
{
	struct answers *an = arg;
	struct pms_cell c[PMS_NELEM(era_cols)];

	int_cell(&c[0], r->interchange, 0);
	int_cell(&c[1], r->transaction, 0);
	int_cell(&c[2], r->segment, 0);
	text_cell(&c[3], r->trace);
	text_cell(&c[4], r->payer);
	i_cell(&c[5], r->claim_id, 1);
	text_cell(&c[6], r->clm01);
	i_cell(&c[7], r->patient_id, 1);
	text_cell(&c[8], r->status);
	text_cell(&c[9], r->outcome);
	i_cell(&c[10], r->charge_cents, 0);
	i_cell(&c[11], r->paid_cents, 0);
	i_cell(&c[12], r->patient_cents, 0);
	i_cell(&c[13], r->written_off_cents, 0);
	i_cell(&c[14], r->denied_cents, 0);
	text_cell(&c[15], r->payer_claim_number);
	text_cell(&c[16], r->note);
	if (strcmp(r->outcome, "unbalanced") == 0 ||
	    strcmp(r->outcome, "unmatched") == 0 ||
	    strcmp(r->outcome, "refused") == 0 ||
	    /* money the check holds that posts nowhere is a warning */
	    (strcmp(r->outcome, "informational") == 0 && r->paid_cents != 0))
		say(an, r->segment, r->line, r->note);
	return pms_writer_row(an->w, c) != PMS_OK;
}

static int
cmd_era(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_era_count n;
	struct pms_store *s = NULL;
	struct answers an;
	enum pms_status st;
	struct args a;
	FILE *f = NULL;
	char pay[PMS_MONEY_BUFSZ], plb[PMS_MONEY_BUFSZ];
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "output,dry-run")) != 0)
		return rc;
	memset(&an, 0, sizeof(an));
	an.ctx = ctx;
	an.name = a.args[0];
	if ((rc = x12_input(ctx, a.args[0], &f)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "claim.era", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, era_cols, PMS_NELEM(era_cols),
	    &an.w)) != 0)
		goto out;
	st = pms_claim_era(s, f, a.args[0], write_era, &an, &n);
	if (st != PMS_OK) {
		pms_writer_abort(an.w);
		an.w = NULL;
		rc = pms_fail_status(ctx, st);
		if (!n.output_failed)
			goto out;
	} else {
		rc = pms_cli_writer_close(ctx, an.w);
		an.w = NULL;
	}
	pms_money_fmt(n.payment_cents, pay);
	pms_money_fmt(n.plb_cents, plb);
	if (n.claims > 0 && n.already == n.claims)
		fprintf(stderr, "%s: every claim of it was posted before: "
		    "nothing was done\n", ctx->prog);
	fprintf(stderr, "%s: %lu remittance%s (%lu new, %s), %lu claim%s: %lu "
	    "posted, %lu posted before, %lu with nothing to post, %lu not "
	    "balanced, %lu matching no claim, %lu refused; %lu provider "
	    "adjustment%s (%s)%s\n", ctx->prog, n.remits, n.remits == 1 ?
	    "" : "s", n.remits_new, pay, n.claims, n.claims == 1 ? "" : "s",
	    n.posted, n.already, n.informational, n.unbalanced, n.unmatched,
	    n.refused, n.plb, n.plb == 1 ? "" : "s", plb, ctx->dry_run ?
	    " (--dry-run: nothing was written)" : "");
	if (rc != 0) {
		/* the posting was committed before the records went out */
		fprintf(stderr, "%s: the posting above is kept%s; only its "
		    "records could not be written: era on the same file again "
		    "lists them, as posted before\n", ctx->prog, ctx->dry_run ?
		    " (--dry-run: nothing was written)" : "");
		goto out;
	}
	rc = n.unbalanced + n.unmatched + n.refused > 0 ? EX_REFUSED : 0;
out:
	pms_writer_abort(an.w);
	if (s != NULL)
		pms_store_close(s);
	if (f != NULL && f != stdin)
		fclose(f);
	return rc;
}

static const struct pms_col ack_cols[] = {
	{ "kind", PMS_COL_TEXT }, { "segment", PMS_COL_INT },
	{ "batch_id", PMS_COL_INT }, { "claim_id", PMS_COL_INT },
	{ "claim", PMS_COL_TEXT }, { "patient_id", PMS_COL_INT },
	{ "code", PMS_COL_TEXT }, { "outcome", PMS_COL_TEXT },
	{ "state", PMS_COL_TEXT }, { "payer_claim_number", PMS_COL_TEXT },
	{ "note", PMS_COL_TEXT },
};

static int
write_ack(void *arg, const struct pms_ack_result *r)
{
	struct answers *an = arg;
	struct pms_cell c[PMS_NELEM(ack_cols)];

	text_cell(&c[0], r->kind);
	int_cell(&c[1], r->segment, 0);
	i_cell(&c[2], r->batch_id, 1);
	i_cell(&c[3], r->claim_id, 1);
	text_cell(&c[4], r->clm01);
	i_cell(&c[5], r->patient_id, 1);
	text_cell(&c[6], r->code);
	text_cell(&c[7], r->outcome);
	text_cell(&c[8], r->state);
	text_cell(&c[9], r->payer_claim_number);
	text_cell(&c[10], r->note);
	if (strcmp(r->outcome, "rejected") == 0 ||
	    strcmp(r->outcome, "unmatched") == 0 ||
	    strcmp(r->outcome, "late") == 0)
		say(an, r->segment, r->line, r->note);
	return pms_writer_row(an->w, c) != PMS_OK;
}

static int
cmd_ack(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_ack_count n;
	struct pms_store *s = NULL;
	struct answers an;
	enum pms_status st;
	struct args a;
	FILE *f = NULL;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "output,dry-run")) != 0)
		return rc;
	memset(&an, 0, sizeof(an));
	an.ctx = ctx;
	an.name = a.args[0];
	if ((rc = x12_input(ctx, a.args[0], &f)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "claim.ack", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, ack_cols, PMS_NELEM(ack_cols),
	    &an.w)) != 0)
		goto out;
	st = pms_claim_ack(s, f, a.args[0], write_ack, &an, &n);
	if (st != PMS_OK) {
		pms_writer_abort(an.w);
		an.w = NULL;
		rc = pms_fail_status(ctx, st);
		if (!n.output_failed)
			goto out;
	} else {
		rc = pms_cli_writer_close(ctx, an.w);
		an.w = NULL;
	}
	fprintf(stderr, "%s: %lu acknowledgement%s (%lu read before): %lu "
	    "claim%s accepted, %lu rejected, %lu other answers, %lu answering "
	    "nothing of ours%s\n", ctx->prog, n.acks, n.acks == 1 ? "" : "s",
	    n.already, n.accepted, n.accepted == 1 ? "" : "s", n.rejected,
	    n.other, n.unmatched, ctx->dry_run ?
	    " (--dry-run: nothing was written)" : "");
	if (rc != 0) {
		/* the claims were moved before the records went out */
		fprintf(stderr, "%s: what the summary says was done is kept%s; "
		    "only the records could not be written: pms-claim list "
		    "shows the claims' states\n", ctx->prog, ctx->dry_run ?
		    " (--dry-run: nothing was written)" : "");
		goto out;
	}
	rc = n.rejected + n.unmatched > 0 ? EX_REFUSED : 0;
out:
	pms_writer_abort(an.w);
	if (s != NULL)
		pms_store_close(s);
	if (f != NULL && f != stdin)
		fclose(f);
	return rc;
}

static const struct pms_col denial_cols[] = {
	{ "denial_id", PMS_COL_INT }, { "denied_on", PMS_COL_DATE },
	{ "claim_id", PMS_COL_INT }, { "claim", PMS_COL_TEXT },
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "payer", PMS_COL_TEXT }, { "date_of_service", PMS_COL_DATE },
	{ "line", PMS_COL_INT }, { "charge_id", PMS_COL_INT },
	{ "code", PMS_COL_TEXT }, { "group", PMS_COL_TEXT },
	{ "reason", PMS_COL_TEXT }, { "amount", PMS_COL_MONEY },
	{ "remarks", PMS_COL_TEXT }, { "trace", PMS_COL_TEXT },
	{ "explained", PMS_COL_TEXT },
};

static int
write_denial(void *arg, const struct pms_denial *d)
{
	struct pms_cell c[PMS_NELEM(denial_cols)];

	i_cell(&c[0], d->id, 0);
	text_cell(&c[1], d->denied_on);
	i_cell(&c[2], d->claim_id, 0);
	text_cell(&c[3], d->clm01);
	i_cell(&c[4], d->patient_id, 0);
	text_cell(&c[5], d->mrn);
	text_cell(&c[6], d->payer);
	text_cell(&c[7], d->dos);
	i_cell(&c[8], d->line, 0);
	i_cell(&c[9], d->charge_id, 0);
	text_cell(&c[10], d->code);
	text_cell(&c[11], d->group);
	text_cell(&c[12], d->reason);
	i_cell(&c[13], d->amount_cents, 0);
	text_cell(&c[14], d->remarks);
	text_cell(&c[15], d->trace);
	text_cell(&c[16], d->explained);
	return pms_writer_row(arg, c) != PMS_OK;
}

static int
cmd_denials(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_writer *w = NULL;
	struct pms_store *s = NULL;
	enum pms_status st;
	struct args a;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "payer,output,out")) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "claim.denials", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, denial_cols, PMS_NELEM(denial_cols),
	    &w)) != 0)
		goto out;
	if ((st = pms_claim_denials(s, ARG(&a, OPT_PAYER), write_denial, w,
	    NULL)) != PMS_OK) {
		pms_writer_abort(w);
		w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	rc = pms_cli_writer_close(ctx, w);
	w = NULL;
out:
	pms_writer_abort(w);
	pms_store_close(s);
	return rc;
}

/* ---- corrections: resubmit, void ---- */

struct corrected {
	struct pms_ctx	*ctx;
	struct pms_writer *w;
	unsigned long	 n;
	unsigned long	 withdrawn;	/* unsent corrections voided */
};

static int
write_corrected(void *arg, const struct pms_claim *k)
{
	struct corrected *cr = arg;

	if (k->state == PMS_CLAIM_VOIDED) {
		cr->withdrawn++;
		fprintf(stderr, "%s: claim %lld: withdrawn, never sent "
		    "(frequency %c, now voided); claim %lld stays as it was\n",
		    cr->ctx->prog, (long long)k->id, k->frequency,
		    (long long)k->original_id);
		return cr->w != NULL ? write_claim(cr->w, k) : 0;
	}
	cr->n++;
	if (k->frequency == '1' || k->original_id == 0)
		fprintf(stderr, "%s: claim %lld: to be sent again as it was "
		    "(frequency %c, its claim number kept), now %s\n",
		    cr->ctx->prog, (long long)k->id, k->frequency,
		    pms_claim_state_name(k->state));
	else
		fprintf(stderr, "%s: claim %lld: %s claim %lld (frequency "
		    "%c), a %s\n", cr->ctx->prog, (long long)k->id,
		    k->frequency == '7' ? "replaces" : "voids",
		    (long long)k->original_id, k->frequency,
		    pms_claim_state_name(k->state));
	return cr->w != NULL ? write_claim(cr->w, k) : 0;
}

static int
cmd_correct(struct pms_ctx *ctx, int argc, char **argv, int is_void)
{
	struct pms_store *s = NULL;
	struct corrected cr;
	enum pms_status st;
	struct args a;
	int64_t *ids = NULL;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 1, -1,
	    "payer-claim-number,output,dry-run")) != 0 ||
	    (rc = ids_arg(ctx, &a, &ids)) != 0)
		return rc;
	memset(&cr, 0, sizeof(cr));
	cr.ctx = ctx;
	if ((rc = pms_cli_open(ctx, is_void ? "claim.void" :
	    "claim.resubmit", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, claim_cols, PMS_NELEM(claim_cols),
	    &cr.w)) != 0)
		goto out;
	st = (is_void ? pms_claim_void : pms_claim_resubmit)(s, ids,
	    (size_t)a.nargs, ARG(&a, OPT_PCN), ctx->dry_run, write_corrected,
	    &cr);
	if (st != PMS_OK) {
		pms_writer_abort(cr.w);
		cr.w = NULL;
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	rc = pms_cli_writer_close(ctx, cr.w);
	cr.w = NULL;
	if (rc != 0)
		goto out;
	if (cr.withdrawn > 0)
		fprintf(stderr, "%s: %lu claim%s to validate and export, %lu "
		    "withdrawn%s\n", ctx->prog, cr.n, cr.n == 1 ? "" : "s",
		    cr.withdrawn, ctx->dry_run ?
		    " (--dry-run: nothing was written)" : "");
	else
		fprintf(stderr, "%s: %lu claim%s to validate and export%s\n",
		    ctx->prog, cr.n, cr.n == 1 ? "" : "s", ctx->dry_run ?
		    " (--dry-run: nothing was written)" : "");
out:
	pms_writer_abort(cr.w);
	if (s != NULL)
		pms_store_close(s);
	free(ids);
	return rc;
}

static int
cmd_resubmit(struct pms_ctx *ctx, int argc, char **argv)
{
	return cmd_correct(ctx, argc, argv, 0);
}

static int
cmd_void(struct pms_ctx *ctx, int argc, char **argv)
{
	return cmd_correct(ctx, argc, argv, 1);
}

static const struct pms_cmd cmds[] = {
	{ "create", cmd_create }, { "validate", cmd_validate },
	{ "export", cmd_export }, { "list", cmd_list }, { "show", cmd_show },
	{ "status", cmd_status }, { "inspect", cmd_inspect },
	{ "ack", cmd_ack }, { "era", cmd_era }, { "denials", cmd_denials },
	{ "resubmit", cmd_resubmit }, { "void", cmd_void },
	{ "secondary", cmd_secondary },
};

int
main(int argc, char *argv[])
{
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-claim");
	ctx.usage = usage;
	rc = pms_cli_main(&ctx, cmds, PMS_NELEM(cmds), argc, argv);
	pms_ctx_release(&ctx);
	return rc;
}
