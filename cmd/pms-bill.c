/*
 * pms-bill: the practice's money.  Charges for visits (from the
 * schedule's appointments or a practice's own lines), coding, voids,
 * who owes what (transfer), payments, credits and refunds,
 * adjustments, balances, the ledger, aging, statements and the fee
 * schedules.  The work is lib/bill*.c's; this file reads options and
 * prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "bill.h"
#include "claim.h"
#include "cli.h"
#include "money.h"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-bill [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-bill charge [file] [--code code] "
	    "[--skip-invalid file] [--dry-run] [-o table|csv|json]\n"
	    "       pms-bill charge --patient id|--mrn mrn --on date "
	    "--provider code --location code --code code [--units n] "
	    "[--amount amount] [--dx codes] [--referring-name name] "
	    "[--referring-npi npi] [--prior-auth number] "
	    "[--appointment id] [--dry-run] [-o table|csv|json]\n"
	    "       pms-bill code charge [--dx codes] [--prior-auth number] "
	    "[--referring-name name --referring-npi npi] [--dry-run] "
	    "[-o table|csv|json]\n"
	    "       pms-bill list [--patient id|--mrn mrn] [--on date] "
	    "[--from date] [--to date] "
	    "[--status needs-coding|ready|void] [--provider code] [--open] "
	    "[-o table|csv|json] [--out file]\n"
	    "       pms-bill show charge [-o table|csv|json]\n"
	    "       pms-bill void charge [--reason text] [--correct-claim] "
	    "[--dry-run] [-o table|csv|json]\n"
	    "       pms-bill transfer charge --to next|patient|PAYER "
	    "--reason text [--amount amount] [--from patient|pending|PAYER] "
	    "[--dry-run] [-o table|csv|json]\n"
	    "       pms-bill pay --patient id|--mrn mrn --amount amount "
	    "--method card|cash|check|eft [--ref ref] [--on date] "
	    "[--apply charges] [--evenly] [--dry-run] [-o table|csv|json]\n"
	    "       pms-bill pay file|- [--dry-run] [-o table|csv|json]\n"
	    "       pms-bill apply --patient id|--mrn mrn [--charge charge] "
	    "[--dry-run]\n"
	    "       pms-bill refund --patient id|--mrn mrn --amount amount "
	    "--method card|cash|check|eft [--ref ref] [--reason text] "
	    "[--payment payment] [--payer code] [--dry-run]\n"
	    "       pms-bill adjust charge --amount amount --reason code "
	    "[--group CO|PI|OA] [--from patient|pending|PAYER] [--dry-run] "
	    "[-o table|csv|json]\n"
	    "       pms-bill balance [patient|--mrn mrn] [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-bill ledger patient|--mrn mrn [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-bill aging [--by dos|billed|transferred] "
	    "[--as-of date] [--summary] [-o table|csv|json] [--out file]\n"
	    "       pms-bill statement patient|--mrn mrn [--date date] "
	    "[--template file] [-o text|html] [--out file] [--dry-run]\n"
	    "       pms-bill statement --all [--min-balance amount] "
	    "[--date date] [--template file] [-o text|html] [--out file] "
	    "[--dry-run]\n"
	    "       pms-bill fees import [file] [--schedule name] [--dry-run]\n"
	    "       pms-bill fees list [--schedule name] [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-bill opening-balance import [file] [--dry-run]\n"
	    "       pms-bill check\n"
	    "       pms-bill --help | --version\n", f);
	pms_cli_usage_exit(status);
}

/* The options of the commands: their own after PMS_OPT_FIRST. */
enum {
	OPT_PATIENT = PMS_OPT_FIRST,
	OPT_MRN,
	OPT_ON,
	OPT_FROM,
	OPT_TO,
	OPT_PROVIDER,
	OPT_LOCATION,
	OPT_CODE,
	OPT_UNITS,
	OPT_AMOUNT,
	OPT_DX,
	OPT_REF_NAME,
	OPT_REF_NPI,
	OPT_AUTH,
	OPT_APPT,
	OPT_SKIP,
	OPT_STATUS,
	OPT_OPEN,
	OPT_REASON,
	OPT_CORRECT,
	OPT_METHOD,
	OPT_REF,
	OPT_APPLY,
	OPT_EVENLY,
	OPT_CHARGE,
	OPT_PAYMENT,
	OPT_GROUP,
	OPT_BY,
	OPT_AS_OF,
	OPT_SUMMARY,
	OPT_ALL,
	OPT_MIN,
	OPT_DATE,
	OPT_TEMPLATE,
	OPT_SCHEDULE,
	OPT_PAYER
};

static int
common(struct pms_ctx *ctx, int ch, char **argv)
{
	return pms_cli_opt(ctx, ch, optarg, argv);
}

/*
 * --help or -h anywhere among a command's options, the values of the
 * options that take one aside: the usage, before any value is judged
 * (so that "list --from 3 --help" helps rather than refuses the date).
 */
static void
help_first(const struct option *longopts, int argc, char **argv)
{
	const struct option *o;
	const char *a, *eq;
	size_t n;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0)
			return;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			usage(EX_OK);
		if (a[0] == '-' && a[1] == '-') {
			eq = strchr(a, '=');
			n = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
			for (o = longopts; o->name != NULL; o++)
				if (strlen(o->name) == n &&
				    strncmp(o->name, a + 2, n) == 0)
					break;
			if (o->name != NULL && eq == NULL &&
			    o->has_arg == required_argument)
				i++;
		} else if (a[0] == '-' && a[1] != '\0' && a[2] == '\0' &&
		    strchr("Suo", a[1]) != NULL)
			i++;
	}
}

static int
fail(struct pms_ctx *ctx, enum pms_status st)
{
	return pms_fail_status(ctx, st);
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

static int
money_arg(struct pms_ctx *ctx, const char *what, const char *arg,
    int64_t *cents)
{
	if (pms_money_parse(arg, cents) != PMS_OK)
		return pms_fail(ctx, EX_DATAERR, "%s: %s", what, pms_errmsg());
	return 0;
}

/* The patient named by --patient or --mrn, in *id (0: --mrn, in *mrn);
 * once: two of them may name two patients. */
static int
patient_arg(struct pms_ctx *ctx, int ch, const char *arg, int64_t *id,
    const char **mrn)
{
	if (*id != 0 || *mrn != NULL)
		return pms_fail(ctx, EX_USAGE, "--patient, --mrn: give one "
		    "of them, once");
	if (ch == OPT_MRN) {
		if (*arg == '\0')
			return pms_fail(ctx, EX_USAGE, "--mrn: empty");
		*mrn = arg;
		*id = 0;
		return 0;
	}
	*mrn = NULL;
	return id_arg(ctx, "--patient", arg, id);
}

/* Turn --mrn into the patient's id, once the store is open. */
static int
resolve_patient(struct pms_ctx *ctx, struct pms_store *s, int64_t *id,
    const char *mrn)
{
	enum pms_status st;

	if (mrn == NULL)
		return 0;
	if ((st = pms_patient_id(s, 0, mrn, id, NULL)) != PMS_OK)
		return fail(ctx, st);
	return 0;
}

static void
text_cell(struct pms_cell *c, const char *s)
{
	c->null = s == NULL || *s == '\0';
	c->text = s;
	c->i = 0;
}

static void
int_cell(struct pms_cell *c, int64_t v)
{
	c->null = v == 0;
	c->text = NULL;
	c->i = v;
}

static void
money_cell(struct pms_cell *c, int64_t v)
{
	c->null = 0;
	c->text = NULL;
	c->i = v;
}

/* ---- charges out ---- */

static const struct pms_col charge_cols[] = {
	{ "charge_id", PMS_COL_INT }, { "visit_id", PMS_COL_INT },
	{ "line", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	{ "mrn", PMS_COL_TEXT }, { "date_of_service", PMS_COL_DATE },
	{ "provider", PMS_COL_TEXT }, { "location", PMS_COL_TEXT },
	{ "place_of_service", PMS_COL_TEXT }, { "code", PMS_COL_TEXT },
	{ "modifiers", PMS_COL_TEXT }, { "units", PMS_COL_INT },
	{ "amount", PMS_COL_MONEY }, { "dx", PMS_COL_TEXT },
	{ "dx_pointers", PMS_COL_TEXT }, { "status", PMS_COL_TEXT },
	{ "responsible", PMS_COL_TEXT }, { "payer", PMS_COL_TEXT },
	{ "insurance_balance", PMS_COL_MONEY },
	{ "pending_balance", PMS_COL_MONEY },
	{ "patient_balance", PMS_COL_MONEY },
	{ "kind", PMS_COL_TEXT }, { "appointment_id", PMS_COL_INT },
	{ "source_id", PMS_COL_TEXT }, { "billed_on", PMS_COL_DATE },
	{ "referring_npi", PMS_COL_TEXT }, { "prior_auth", PMS_COL_TEXT },
};

static int
write_charge(void *arg, const struct pms_charge *c)
{
	struct pms_writer *w = arg;
	struct pms_cell v[PMS_NELEM(charge_cols)];

	int_cell(&v[0], c->id);
	int_cell(&v[1], c->visit_id);
	int_cell(&v[2], c->line);
	int_cell(&v[3], c->patient_id);
	text_cell(&v[4], c->mrn);
	text_cell(&v[5], c->dos);
	text_cell(&v[6], c->provider);
	text_cell(&v[7], c->location);
	text_cell(&v[8], c->place_of_service);
	text_cell(&v[9], c->code);
	text_cell(&v[10], c->modifiers);
	int_cell(&v[11], c->units);
	money_cell(&v[12], c->amount_cents);
	text_cell(&v[13], c->dx);
	text_cell(&v[14], c->dx_pointers);
	text_cell(&v[15], c->status);
	text_cell(&v[16], c->current.kind == PMS_PARTY_ANY ? "" :
	    pms_party_name(c->current.kind));
	text_cell(&v[17], c->current.payer);
	money_cell(&v[18], c->insurance_cents);
	money_cell(&v[19], c->pending_cents);
	money_cell(&v[20], c->patient_cents);
	text_cell(&v[21], c->kind);
	int_cell(&v[22], c->appointment_id);
	text_cell(&v[23], c->source_id);
	text_cell(&v[24], c->billed_on);
	text_cell(&v[25], c->referring_npi);
	text_cell(&v[26], c->prior_auth);
	return pms_writer_row(w, v) != PMS_OK;
}

/* Print one charge as it is now (after a change). */
static int
print_charge(struct pms_ctx *ctx, struct pms_store *s, int64_t id)
{
	struct pms_charge_query q;
	struct pms_writer *w;
	enum pms_status st;
	int rc;

	if ((rc = pms_cli_writer(ctx, charge_cols, PMS_NELEM(charge_cols),
	    &w)) != 0)
		return rc;
	memset(&q, 0, sizeof(q));
	q.id = id;
	q.action = "bill.show";
	if ((st = pms_bill_charges(s, &q, write_charge, w, NULL)) != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

/* ---- charge ---- */

#define MAX_CODES	16

static void
report(void *arg, const char *msg)
{
	pms_cli_row(arg, NULL, msg);
}

static int
each_charge(void *arg, const struct pms_charge *c, int added)
{
	(void)added;
	return write_charge(arg, c);
}

/* Records on stdin or in a file. */
static int
charge_records(struct pms_ctx *ctx, const char *file, const char *code,
    const char *rejects)
{
	struct pms_charge_opts o;
	struct pms_charge_count n;
	struct pms_reader *rd;
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	FILE *fp;
	int rc;

	if ((rc = pms_cli_rejects_path(ctx, "--skip-invalid", rejects,
	    file)) != 0 || (rc = pms_cli_reader(ctx, file, &rd, &fp)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "bill.charge", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, charge_cols, PMS_NELEM(charge_cols),
	    &w)) != 0) {
		pms_store_close(s);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.dry_run = ctx->dry_run;
	o.code = code;
	o.rejects = rejects;
	o.report = report;
	o.report_arg = ctx;
	o.each = each_charge;
	o.each_arg = w;
	st = pms_bill_charge_records(s, rd, &o, &n);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		rc = fail(ctx, st);
		goto out;
	}
	fprintf(stderr, "%s: %lu line%s charged, %lu there already%s\n",
	    ctx->prog, n.added, n.added == 1 ? "" : "s", n.unchanged,
	    ctx->dry_run ? " (--dry-run: nothing was written)" : "");
	if (n.bad + n.refused > 0)
		fprintf(stderr, "%s: %lu row%s rejected, written to %s\n",
		    ctx->prog, n.bad + n.refused, n.bad + n.refused == 1 ? "" :
		    "s", rejects);
	rc = pms_cli_writer_close(ctx, w);
out:
	pms_reader_close(rd);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

static int
cmd_charge(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ "on", required_argument, NULL, OPT_ON },
		{ "provider", required_argument, NULL, OPT_PROVIDER },
		{ "location", required_argument, NULL, OPT_LOCATION },
		{ "code", required_argument, NULL, OPT_CODE },
		{ "units", required_argument, NULL, OPT_UNITS },
		{ "amount", required_argument, NULL, OPT_AMOUNT },
		{ "dx", required_argument, NULL, OPT_DX },
		{ "referring-name", required_argument, NULL, OPT_REF_NAME },
		{ "referring-npi", required_argument, NULL, OPT_REF_NPI },
		{ "prior-auth", required_argument, NULL, OPT_AUTH },
		{ "appointment", required_argument, NULL, OPT_APPT },
		{ "skip-invalid", required_argument, NULL, OPT_SKIP },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_charge_in in;
	struct pms_charge_out out;
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	char codes[MAX_CODES][32], joined[MAX_CODES * 32], *colon;
	const char *rejects = NULL;
	int64_t ids[MAX_CODES], occ[MAX_CODES];
	const char *dx_of[MAX_CODES] = { NULL }, *dx_first = NULL;
	long long units_of[MAX_CODES] = { 0 }, units_first = 0;
	size_t ncodes = 0, i, j, len = 0, ndx = 0;
	int ch, rc, single = 0, has_units = 0;
	long long v;
	char *end;

	memset(&in, 0, sizeof(in));
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_PATIENT:
		case OPT_MRN:
			if ((rc = patient_arg(ctx, ch, optarg, &in.patient_id,
			    &in.mrn)) != 0)
				return rc;
			single = 1;
			break;
		case OPT_ON:
			in.dos = optarg;
			single = 1;
			break;
		case OPT_PROVIDER:
			in.provider = optarg;
			single = 1;
			break;
		case OPT_LOCATION:
			in.location = optarg;
			single = 1;
			break;
		case OPT_CODE:
			if (ncodes == MAX_CODES)
				return pms_fail(ctx, EX_USAGE, "--code: at "
				    "most %d", MAX_CODES);
			if (strlen(optarg) >= sizeof(codes[0]))
				return pms_fail(ctx, EX_USAGE, "--code: too "
				    "long");
			snprintf(codes[ncodes++], sizeof(codes[0]), "%s",
			    optarg);
			break;
		case OPT_UNITS:
			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    v < 1 || v > 9999)
				return pms_fail(ctx, EX_USAGE, "--units: a "
				    "number from 1 to 9999");
			/* the --code before it; before any, the only one */
			if (ncodes == 0 ? units_first != 0 :
			    units_of[ncodes - 1] != 0)
				return pms_fail(ctx, EX_USAGE, "--units: given "
				    "twice for one --code: give it once, after "
				    "the --code it multiplies");
			if (ncodes == 0)
				units_first = v;
			else
				units_of[ncodes - 1] = v;
			has_units = 1;
			single = 1;
			break;
		case OPT_AMOUNT:
			if (in.has_amount)
				return pms_fail(ctx, EX_USAGE, "--amount given "
				    "twice: give it once");
			if ((rc = money_arg(ctx, "--amount", optarg,
			    &in.amount_cents)) != 0)
				return rc;
			in.has_amount = 1;
			single = 1;
			break;
		case OPT_DX:
			/* one --dx is every line's; several, each the
			 * --code's before it */
			if (ncodes == 0 ? dx_first != NULL :
			    dx_of[ncodes - 1] != NULL)
				return pms_fail(ctx, EX_USAGE, "--dx: given "
				    "twice for one --code: give a line's "
				    "diagnoses once, comma separated, after "
				    "its --code");
			if (ncodes == 0)
				dx_first = optarg;
			else
				dx_of[ncodes - 1] = optarg;
			ndx++;
			single = 1;
			break;
		case OPT_REF_NAME:
			in.referring_name = optarg;
			single = 1;
			break;
		case OPT_REF_NPI:
			in.referring_npi = optarg;
			single = 1;
			break;
		case OPT_AUTH:
			in.prior_auth = optarg;
			single = 1;
			break;
		case OPT_APPT:
			if ((rc = id_arg(ctx, "--appointment", optarg,
			    &in.appointment_id)) != 0)
				return rc;
			single = 1;
			break;
		case OPT_SKIP:
			if (*optarg == '\0')
				return pms_fail(ctx, EX_USAGE,
				    "--skip-invalid: a file name is needed");
			rejects = optarg;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	(void)has_units;
	if (!single) {
		if (argc - optind > 1)
			pms_cli_usage(ctx, "charge: one file at most");
		if (ncodes > 1)
			return pms_fail(ctx, EX_USAGE, "--code: give the codes "
			    "of appointment records once, comma separated");
		return charge_records(ctx, optind < argc ? argv[optind] : NULL,
		    ncodes == 1 ? codes[0] : NULL, rejects);
	}
	if (optind != argc || rejects != NULL)
		pms_cli_usage(ctx, "charge: a file (with --skip-invalid) or "
		    "--patient/--mrn and the visit's options; not both");
	if ((in.patient_id == 0 && in.mrn == NULL) || in.dos == NULL ||
	    in.provider == NULL || in.location == NULL || ncodes == 0)
		return pms_fail(ctx, EX_USAGE, "charge: give --patient or "
		    "--mrn, --on, --provider, --location and --code");
	if (in.has_amount && ncodes > 1)
		return pms_fail(ctx, EX_USAGE, "--amount: with one --code "
		    "only");
	if (units_first != 0 && ncodes > 1)
		return pms_fail(ctx, EX_USAGE, "--units: with several --code, "
		    "give it after the --code it multiplies");
	if (dx_first != NULL && ndx > 1)
		return pms_fail(ctx, EX_USAGE, "--dx: give it once for every "
		    "line, or after each --code it is for, not both");
	/* a code given again (with the same modifiers) is the visit's
	 * second line of it, and so on */
	for (i = 0; i < ncodes; i++) {
		occ[i] = 1;
		for (j = 0; j < i; j++)
			if (strcasecmp(codes[j], codes[i]) == 0)
				occ[i]++;
	}
	if ((rc = pms_cli_open(ctx, "bill.charge", &s)) != 0)
		return rc;
	for (i = 0; i < ncodes; i++) {
		in.occurrence = occ[i];
		if ((colon = strchr(codes[i], ':')) != NULL) {
			*colon = '\0';
			in.modifiers = colon + 1;
		} else
			in.modifiers = NULL;
		in.code = codes[i];
		in.units = (int)(units_first != 0 ? units_first : units_of[i]);
		if (ndx > 1)
			in.dx = dx_of[i];
		else if (dx_first != NULL)
			in.dx = dx_first;
		else
			for (j = 0, in.dx = NULL; j < ncodes; j++)
				if (dx_of[j] != NULL)
					in.dx = dx_of[j];
		if ((st = pms_bill_charge(s, &in, ctx->dry_run, &out)) !=
		    PMS_OK) {
			pms_store_close(s);
			if (i > 0)
				fprintf(stderr, "%s: the codes before \"%s\" "
				    "were charged\n", ctx->prog, codes[i]);
			return fail(ctx, st);
		}
		ids[i] = out.charge_id;
		if (!out.added)
			fprintf(stderr, "%s: %s: charged already (charge "
			    "%lld)\n", ctx->prog, codes[i],
			    (long long)out.charge_id);
		if (!out.added && (in.prior_auth != NULL ||
		    in.referring_name != NULL || in.referring_npi != NULL))
			fprintf(stderr, "%s: %s: charging again changes "
			    "nothing of the visit: set its prior "
			    "authorisation or referring provider with "
			    "pms-bill code %lld --prior-auth NUMBER (or "
			    "--referring-name and --referring-npi)\n",
			    ctx->prog, codes[i], (long long)out.charge_id);
		len += (size_t)snprintf(joined + len, sizeof(joined) - len,
		    "%s%s", i > 0 ? "," : "", codes[i]);
	}
	if (ctx->dry_run) {
		pms_store_close(s);
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
		return EX_OK;
	}
	if ((rc = pms_cli_writer(ctx, charge_cols, PMS_NELEM(charge_cols),
	    &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	for (i = 0; i < ncodes; i++) {
		struct pms_charge_query q;

		memset(&q, 0, sizeof(q));
		q.id = ids[i];
		q.action = "bill.show";
		if ((st = pms_bill_charges(s, &q, write_charge, w, NULL)) !=
		    PMS_OK) {
			pms_store_close(s);
			pms_writer_abort(w);
			return fail(ctx, st);
		}
	}
	pms_store_close(s);
	return pms_cli_writer_close(ctx, w);
}

/* ---- code, show, void ---- */

/* A command taking one charge operand and some options. */
static int
charge_operand(struct pms_ctx *ctx, int argc, char **argv, int64_t *id)
{
	if (optind + 1 != argc)
		pms_cli_usage(ctx, "%s: %s", ctx->cmd, optind == argc ?
		    "give the charge (its id)" : "one charge at most");
	return id_arg(ctx, "charge", argv[optind], id);
}

static int
cmd_code(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "dx", required_argument, NULL, OPT_DX },
		{ "prior-auth", required_argument, NULL, OPT_AUTH },
		{ "referring-name", required_argument, NULL, OPT_REF_NAME },
		{ "referring-npi", required_argument, NULL, OPT_REF_NPI },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	enum pms_status st;
	const char *dx = NULL, *auth = NULL, *rname = NULL, *rnpi = NULL;
	int64_t id;
	int ch, rc;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_DX) {
			if ((rc = pms_cli_once(ctx, "--dx", &dx, optarg)) != 0)
				return rc;
		} else if (ch == OPT_AUTH) {
			if ((rc = pms_cli_once(ctx, "--prior-auth", &auth,
			    optarg)) != 0)
				return rc;
		} else if (ch == OPT_REF_NAME) {
			if ((rc = pms_cli_once(ctx, "--referring-name", &rname,
			    optarg)) != 0)
				return rc;
		} else if (ch == OPT_REF_NPI) {
			if ((rc = pms_cli_once(ctx, "--referring-npi", &rnpi,
			    optarg)) != 0)
				return rc;
		} else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	if ((rc = charge_operand(ctx, argc, argv, &id)) != 0)
		return rc;
	if (dx == NULL && auth == NULL && rname == NULL && rnpi == NULL)
		pms_cli_usage(ctx, "code: give --dx, --prior-auth or "
		    "--referring-name and --referring-npi");
	if ((rname == NULL) != (rnpi == NULL))
		return pms_fail(ctx, EX_USAGE, "--referring-name and "
		    "--referring-npi: give both");
	if ((rc = pms_cli_open(ctx, "bill.code", &s)) != 0)
		return rc;
	if ((auth != NULL || rname != NULL) && (st = pms_bill_code_visit(s, id,
	    auth, rname, rnpi, ctx->dry_run)) != PMS_OK) {
		pms_store_close(s);
		return fail(ctx, st);
	}
	if (dx != NULL && (st = pms_bill_code(s, id, dx, ctx->dry_run)) !=
	    PMS_OK) {
		pms_store_close(s);
		return fail(ctx, st);
	}
	rc = print_charge(ctx, s, id);
	pms_store_close(s);
	return rc;
}

static int
cmd_show(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	int64_t id;
	int ch, rc;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	if ((rc = charge_operand(ctx, argc, argv, &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "bill.show", &s)) != 0)
		return rc;
	rc = print_charge(ctx, s, id);
	pms_store_close(s);
	return rc;
}

struct corrected {
	struct pms_ctx	*ctx;
	struct pms_store *s;
};

/* A claim corrected by void --correct-claim, said on stderr; with
 * --dry-run, what would be, naming no claim that was not made. */
static int
say_corrected(void *arg, const struct pms_claim *k)
{
	struct corrected *cr = arg;
	struct pms_ctx *ctx = cr->ctx;
	struct pms_claim was;
	int made = 0;

	if (ctx->dry_run)
		made = pms_claim_get(cr->s, k->id, &was) != PMS_OK;
	if (k->state == PMS_CLAIM_VOIDED)
		fprintf(stderr, "%s: claim %lld: never sent, and no line of it "
		    "is left to claim: %svoided\n", ctx->prog,
		    (long long)k->id, ctx->dry_run ? "would be " : "");
	else if (made)
		fprintf(stderr, "%s: claim %lld: would be %s by a new claim "
		    "(frequency %c)\n", ctx->prog, (long long)k->original_id,
		    k->frequency == '7' ? "replaced" : "voided", k->frequency);
	else if (k->original_id != 0 && k->frequency != '1')
		fprintf(stderr, "%s: claim %lld: %s claim %lld (frequency "
		    "%c): %s (pms-claim)\n", ctx->prog,
		    (long long)k->id, k->frequency == '7' ? "replaces" :
		    "voids", (long long)k->original_id, k->frequency,
		    ctx->dry_run ? "its lines would be read again" :
		    "validate and export it");
	else
		fprintf(stderr, "%s: claim %lld: its lines %s again, to "
		    "validate and export\n", ctx->prog, (long long)k->id,
		    ctx->dry_run ? "would be read" : "read");
	return 0;
}

/* void --correct-claim: the charge and its claims' corrections, in one
 * transaction, with the rights of both. */
static enum pms_status
void_correct(struct pms_ctx *ctx, struct pms_store *s, int64_t id,
    const char *reason)
{
	struct corrected cr = { ctx, s };
	enum pms_status st;

	if ((st = pms_store_authorize(s, "claim.resubmit", ctx->emergency)) !=
	    PMS_OK || (st = pms_store_authorize(s, "claim.void",
	    ctx->emergency)) != PMS_OK)
		return st;
	return pms_claim_void_charge(s, id, reason, ctx->dry_run,
	    say_corrected, &cr);
}

static int
cmd_void(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "correct-claim", no_argument, NULL, OPT_CORRECT },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	enum pms_status st;
	const char *reason = NULL;
	int64_t id;
	int ch, rc, correct = 0;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_REASON)
			reason = optarg;
		else if (ch == OPT_CORRECT)
			correct = 1;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	if ((rc = charge_operand(ctx, argc, argv, &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "bill.void", &s)) != 0)
		return rc;
	if (correct)
		st = void_correct(ctx, s, id, reason);
	else
		st = pms_bill_void(s, id, reason, 0, ctx->dry_run);
	if (st != PMS_OK) {
		pms_store_close(s);
		return fail(ctx, st);
	}
	rc = print_charge(ctx, s, id);
	pms_store_close(s);
	if (rc == 0 && ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
	return rc;
}

/* --from patient|pending|PAYER into a party. */
static int
party_arg(struct pms_ctx *ctx, struct pms_store *s, const char *arg,
    struct pms_party *p)
{
	struct pms_payer payer;
	enum pms_status st;

	memset(p, 0, sizeof(*p));
	if (arg == NULL)
		return 0;
	if (strcmp(arg, "patient") == 0)
		p->kind = PMS_PARTY_PATIENT;
	else if (strcmp(arg, "pending") == 0)
		p->kind = PMS_PARTY_PENDING;
	else {
		if ((st = pms_payer_find(s, arg, &payer)) != PMS_OK)
			return pms_fail(ctx, EX_USAGE, "--from: %s",
			    pms_errmsg());
		p->kind = PMS_PARTY_PAYER;
		p->payer_id = payer.id;
	}
	return 0;
}

static int
cmd_transfer(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "to", required_argument, NULL, OPT_TO },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "amount", required_argument, NULL, OPT_AMOUNT },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_transfer t;
	struct pms_transfer_result r;
	struct pms_payer payer;
	struct pms_store *s;
	enum pms_status st;
	const char *to = NULL, *from = NULL;
	int ch, rc;

	memset(&t, 0, sizeof(t));
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_TO:
			to = optarg;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_AMOUNT:
			if (t.amount_cents != 0)
				return pms_fail(ctx, EX_USAGE, "--amount given "
				    "twice: give it once");
			if ((rc = money_arg(ctx, "--amount", optarg,
			    &t.amount_cents)) != 0)
				return rc;
			if (t.amount_cents <= 0)
				return pms_fail(ctx, EX_DATAERR, "--amount: a "
				    "transfer moves a positive amount");
			break;
		case OPT_REASON:
			t.reason = optarg;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	if ((rc = charge_operand(ctx, argc, argv, &t.charge_id)) != 0)
		return rc;
	if (to == NULL || t.reason == NULL)
		pms_cli_usage(ctx, "transfer: give --to and --reason");
	t.dry_run = ctx->dry_run;
	if ((rc = pms_cli_open(ctx, "bill.transfer", &s)) != 0)
		return rc;
	if ((rc = party_arg(ctx, s, from, &t.from)) != 0) {
		pms_store_close(s);
		return rc;
	}
	if (strcmp(to, "next") == 0)
		t.to = PMS_TO_NEXT;
	else if (strcmp(to, "patient") == 0)
		t.to = PMS_TO_PATIENT;
	else if ((st = pms_payer_find(s, to, &payer)) == PMS_OK) {
		t.to = PMS_TO_PAYER;
		t.payer_id = payer.id;
	} else {
		pms_store_close(s);
		return pms_fail(ctx, EX_USAGE, "--to: next, patient or a "
		    "payer's code: %s", pms_errmsg());
	}
	if ((st = pms_bill_transfer(s, &t, &r)) != PMS_OK) {
		pms_store_close(s);
		return fail(ctx, st);
	}
	{
		char a[PMS_MONEY_BUFSZ];

		pms_money_fmt(r.amount_cents, a);
		fprintf(stderr, "%s: charge %lld: %s %s from the %s%s%s to the "
		    "%s%s%s\n", ctx->prog, (long long)t.charge_id,
		    ctx->dry_run ? "would move" : "moved", a,
		    pms_party_name(r.from.kind), r.from.payer[0] ? " " : "",
		    r.from.payer, pms_party_name(r.to.kind),
		    r.to.payer[0] ? " " : "", r.to.payer);
	}
	rc = print_charge(ctx, s, t.charge_id);
	pms_store_close(s);
	return rc;
}

/* ---- payments ---- */

static const struct pms_col pay_cols[] = {
	{ "payment_id", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	{ "amount", PMS_COL_MONEY }, { "applied", PMS_COL_MONEY },
	{ "credit", PMS_COL_MONEY },
};

struct pay_out {
	struct pms_writer *w;
	struct pms_ctx	*ctx;
};

static void
report_pay(void *arg, const char *msg)
{
	struct pay_out *o = arg;

	pms_cli_row(o->ctx, NULL, msg);
}

static int
write_pay(void *arg, const struct pms_pay_result *r)
{
	struct pay_out *o = arg;
	struct pms_cell v[PMS_NELEM(pay_cols)];

	int_cell(&v[0], r->payment_id);
	int_cell(&v[1], r->patient_id);
	money_cell(&v[2], r->applied_cents + r->credit_cents);
	money_cell(&v[3], r->applied_cents);
	money_cell(&v[4], r->credit_cents);
	return pms_writer_row(o->w, v) != PMS_OK;
}

static int
pay_records(struct pms_ctx *ctx, const char *file)
{
	struct pms_reader *rd;
	struct pay_out o;
	struct pms_store *s;
	enum pms_status st;
	unsigned long rows;
	FILE *fp;
	int rc;

	if ((rc = pms_cli_reader(ctx, file, &rd, &fp)) != 0)
		return rc;
	memset(&o, 0, sizeof(o));
	o.ctx = ctx;
	if ((rc = pms_cli_open(ctx, "bill.pay", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, pay_cols, PMS_NELEM(pay_cols), &o.w)) !=
	    0) {
		pms_store_close(s);
		goto out;
	}
	st = pms_bill_pay_records(s, rd, ctx->dry_run, report_pay, write_pay,
	    &o, &rows);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(o.w);
		rc = fail(ctx, st);
		goto out;
	}
	if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
	rc = pms_cli_writer_close(ctx, o.w);
out:
	pms_reader_close(rd);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

/* "3,5": charge ids. */
static int
charges_arg(struct pms_ctx *ctx, const char *arg, int64_t *ids, size_t max,
    size_t *n)
{
	char buf[32];
	const char *p = arg, *q;
	size_t len;
	int rc;

	*n = 0;
	while (*p != '\0') {
		for (q = p; *q != '\0' && *q != ','; q++)
			;
		len = (size_t)(q - p);
		if (len == 0 || len >= sizeof(buf) || *n == max)
			return pms_fail(ctx, EX_USAGE, "--apply: charge ids, "
			    "comma separated (at most %zu)", max);
		memcpy(buf, p, len);
		buf[len] = '\0';
		if ((rc = id_arg(ctx, "--apply", buf, &ids[(*n)++])) != 0)
			return rc;
		p = *q == ',' ? q + 1 : q;
	}
	if (*n == 0)
		return pms_fail(ctx, EX_USAGE, "--apply: charge ids, comma "
		    "separated");
	return 0;
}

#define MAX_APPLY	64

static int
cmd_pay(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ "amount", required_argument, NULL, OPT_AMOUNT },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "ref", required_argument, NULL, OPT_REF },
		{ "on", required_argument, NULL, OPT_ON },
		{ "apply", required_argument, NULL, OPT_APPLY },
		{ "evenly", no_argument, NULL, OPT_EVENLY },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_pay_in in;
	struct pms_pay_result r;
	struct pay_out o;
	struct pms_store *s;
	enum pms_status st;
	int64_t ids[MAX_APPLY];
	int ch, rc, have_amount = 0;

	memset(&in, 0, sizeof(in));
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_PATIENT:
		case OPT_MRN:
			if ((rc = patient_arg(ctx, ch, optarg,
			    &in.p.patient_id, &in.p.mrn)) != 0)
				return rc;
			break;
		case OPT_AMOUNT:
			if (have_amount)
				return pms_fail(ctx, EX_USAGE, "--amount given "
				    "twice: give it once");
			if ((rc = money_arg(ctx, "--amount", optarg,
			    &in.p.amount_cents)) != 0)
				return rc;
			have_amount = 1;
			break;
		case OPT_METHOD:
			in.p.method = optarg;
			break;
		case OPT_REF:
			in.p.ref = optarg;
			break;
		case OPT_ON:
			in.p.received_on = optarg;
			break;
		case OPT_APPLY:
			if ((rc = charges_arg(ctx, optarg, ids, MAX_APPLY,
			    &in.napply)) != 0)
				return rc;
			in.apply = ids;
			break;
		case OPT_EVENLY:
			in.evenly = 1;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	if (optind < argc) {
		if (optind + 1 != argc || in.p.patient_id != 0 ||
		    in.p.mrn != NULL || have_amount || in.p.method != NULL ||
		    in.napply > 0)
			pms_cli_usage(ctx, "pay: a file of payments, or "
			    "--patient/--mrn, --amount and --method; not both");
		return pay_records(ctx, argv[optind]);
	}
	if ((in.p.patient_id == 0 && in.p.mrn == NULL) || !have_amount ||
	    in.p.method == NULL)
		return pms_fail(ctx, EX_USAGE, "pay: give --patient or --mrn, "
		    "--amount and --method");
	in.p.dry_run = ctx->dry_run;
	if ((rc = pms_cli_open(ctx, "bill.pay", &s)) != 0)
		return rc;
	st = pms_bill_pay(s, &in, &r);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if (r.existed)
		fprintf(stderr, "%s: recorded already (payment %lld)\n",
		    ctx->prog, (long long)r.payment_id);
	if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
	if ((rc = pms_cli_writer(ctx, pay_cols, PMS_NELEM(pay_cols), &o.w)) !=
	    0)
		return rc;
	write_pay(&o, &r);
	return pms_cli_writer_close(ctx, o.w);
}

static int
cmd_apply(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ "charge", required_argument, NULL, OPT_CHARGE },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	enum pms_status st;
	const char *mrn = NULL;
	char a[PMS_MONEY_BUFSZ];
	int64_t patient = 0, charge = 0, applied;
	int ch, rc;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_PATIENT || ch == OPT_MRN) {
			if ((rc = patient_arg(ctx, ch, optarg, &patient,
			    &mrn)) != 0)
				return rc;
		} else if (ch == OPT_CHARGE) {
			if ((rc = id_arg(ctx, "--charge", optarg, &charge)) !=
			    0)
				return rc;
		} else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	if (optind != argc)
		pms_cli_usage(ctx, "apply: no operand is taken");
	if (patient == 0 && mrn == NULL)
		pms_cli_usage(ctx, "apply: give --patient or --mrn");
	if ((rc = pms_cli_open(ctx, "bill.apply", &s)) != 0)
		return rc;
	if ((rc = resolve_patient(ctx, s, &patient, mrn)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_bill_apply_credits(s, patient, charge, ctx->dry_run, &applied);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	pms_money_fmt(applied, a);
	fprintf(stderr, "%s: %s %s of the patient's credit\n", ctx->prog,
	    ctx->dry_run ? "would apply" : "applied", a);
	return EX_OK;
}

static int
cmd_refund(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ "amount", required_argument, NULL, OPT_AMOUNT },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "ref", required_argument, NULL, OPT_REF },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "payment", required_argument, NULL, OPT_PAYMENT },
		{ "payer", required_argument, NULL, OPT_PAYER },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_refund rf;
	struct pms_payer py;
	struct pms_store *s;
	enum pms_status st;
	const char *mrn = NULL, *payer = NULL;
	char a[PMS_MONEY_BUFSZ];
	int ch, rc, have_amount = 0;

	memset(&rf, 0, sizeof(rf));
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_PATIENT:
		case OPT_MRN:
			if ((rc = patient_arg(ctx, ch, optarg, &rf.patient_id,
			    &mrn)) != 0)
				return rc;
			break;
		case OPT_AMOUNT:
			if (have_amount)
				return pms_fail(ctx, EX_USAGE, "--amount given "
				    "twice: give it once");
			if ((rc = money_arg(ctx, "--amount", optarg,
			    &rf.amount_cents)) != 0)
				return rc;
			have_amount = 1;
			break;
		case OPT_METHOD:
			rf.method = optarg;
			break;
		case OPT_REF:
			rf.ref = optarg;
			break;
		case OPT_REASON:
			rf.reason = optarg;
			break;
		case OPT_PAYMENT:
			if ((rc = id_arg(ctx, "--payment", optarg,
			    &rf.payment_id)) != 0)
				return rc;
			break;
		case OPT_PAYER:
			payer = optarg;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	if (optind != argc)
		pms_cli_usage(ctx, "refund: no operand is taken");
	if ((rf.patient_id == 0 && mrn == NULL) || !have_amount ||
	    rf.method == NULL)
		pms_cli_usage(ctx, "refund: give --patient or --mrn, --amount "
		    "and --method");
	rf.dry_run = ctx->dry_run;
	if ((rc = pms_cli_open(ctx, "bill.refund", &s)) != 0)
		return rc;
	if ((rc = resolve_patient(ctx, s, &rf.patient_id, mrn)) != 0) {
		pms_store_close(s);
		return rc;
	}
	/* a payer's credit on the patient's account goes back to it */
	if (payer != NULL) {
		if ((st = pms_payer_find(s, payer, &py)) != PMS_OK) {
			pms_store_close(s);
			return fail(ctx, st);
		}
		rf.payer_id = py.id;
	}
	st = pms_bill_refund(s, &rf, NULL);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	pms_money_fmt(rf.amount_cents, a);
	fprintf(stderr, "%s: %s %s\n", ctx->prog, ctx->dry_run ?
	    "would refund" : "refunded", a);
	return EX_OK;
}

static int
cmd_adjust(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "amount", required_argument, NULL, OPT_AMOUNT },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "from", required_argument, NULL, OPT_FROM },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_adjust a;
	struct pms_store *s;
	enum pms_status st;
	const char *from = NULL;
	int ch, rc, have_amount = 0;

	memset(&a, 0, sizeof(a));
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_AMOUNT:
			if (have_amount)
				return pms_fail(ctx, EX_USAGE, "--amount given "
				    "twice: give it once");
			if ((rc = money_arg(ctx, "--amount", optarg,
			    &a.amount_cents)) != 0)
				return rc;
			have_amount = 1;
			break;
		case OPT_GROUP:
			a.group = optarg;
			break;
		case OPT_REASON:
			a.reason = optarg;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	if ((rc = charge_operand(ctx, argc, argv, &a.charge_id)) != 0)
		return rc;
	if (!have_amount || a.reason == NULL)
		pms_cli_usage(ctx, "adjust: give --amount and --reason");
	a.dry_run = ctx->dry_run;
	if ((rc = pms_cli_open(ctx, "bill.adjust", &s)) != 0)
		return rc;
	if ((rc = party_arg(ctx, s, from, &a.from)) != 0) {
		pms_store_close(s);
		return rc;
	}
	if ((st = pms_bill_adjust(s, &a, NULL)) != PMS_OK) {
		pms_store_close(s);
		return fail(ctx, st);
	}
	rc = print_charge(ctx, s, a.charge_id);
	pms_store_close(s);
	return rc;
}

/* ---- balances, ledger, list, aging ---- */

static const struct pms_col balance_cols[] = {
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "last_name", PMS_COL_TEXT }, { "first_name", PMS_COL_TEXT },
	{ "party", PMS_COL_TEXT }, { "payer", PMS_COL_TEXT },
	{ "amount", PMS_COL_MONEY },
};

static int
write_balance(void *arg, const struct pms_balance_row *r)
{
	struct pms_cell v[PMS_NELEM(balance_cols)];

	int_cell(&v[0], r->patient_id);
	text_cell(&v[1], r->mrn);
	text_cell(&v[2], r->last_name);
	text_cell(&v[3], r->first_name);
	text_cell(&v[4], r->party);
	text_cell(&v[5], r->payer);
	money_cell(&v[6], r->amount_cents);
	return pms_writer_row(arg, v) != PMS_OK;
}

/* A patient operand (id) or --mrn: for balance, ledger, statement. */
static int
patient_operand(struct pms_ctx *ctx, int argc, char **argv, const char *mrn,
    int optional, int64_t *id)
{
	*id = 0;
	if (mrn != NULL) {
		if (optind != argc)
			pms_cli_usage(ctx, "%s: a patient or --mrn, not both",
			    ctx->cmd);
		return 0;
	}
	if (optind == argc && optional)
		return 0;
	if (optind + 1 != argc)
		pms_cli_usage(ctx, "%s: %s", ctx->cmd, optind == argc ?
		    "give a patient (its id) or --mrn" : "one patient at most");
	return id_arg(ctx, "patient", argv[optind], id);
}

static int
cmd_balance(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	const char *mrn = NULL;
	int64_t id;
	int ch, rc;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_MRN)
			mrn = optarg;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	if ((rc = patient_operand(ctx, argc, argv, mrn, 1, &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "bill.balance", &s)) != 0)
		return rc;
	if ((rc = resolve_patient(ctx, s, &id, mrn)) != 0 ||
	    (rc = pms_cli_writer(ctx, balance_cols, PMS_NELEM(balance_cols),
	    &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_bill_balances(s, id, write_balance, w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static const struct pms_col ledger_cols[] = {
	{ "entry_id", PMS_COL_INT }, { "op", PMS_COL_INT },
	{ "posted_on", PMS_COL_DATE }, { "kind", PMS_COL_TEXT },
	{ "charge_id", PMS_COL_INT }, { "date_of_service", PMS_COL_DATE },
	{ "code", PMS_COL_TEXT }, { "payment_id", PMS_COL_INT },
	{ "party", PMS_COL_TEXT }, { "payer", PMS_COL_TEXT },
	{ "amount", PMS_COL_MONEY }, { "balance", PMS_COL_MONEY },
	{ "group_code", PMS_COL_TEXT }, { "reason", PMS_COL_TEXT },
	{ "source_ref", PMS_COL_TEXT }, { "by_user", PMS_COL_TEXT },
};

static int
write_entry(void *arg, const struct pms_entry *e)
{
	struct pms_cell v[PMS_NELEM(ledger_cols)];

	int_cell(&v[0], e->id);
	int_cell(&v[1], e->op);
	text_cell(&v[2], e->posted_on);
	text_cell(&v[3], e->kind);
	int_cell(&v[4], e->charge_id);
	text_cell(&v[5], e->dos);
	text_cell(&v[6], e->code);
	int_cell(&v[7], e->payment_id);
	text_cell(&v[8], e->party);
	text_cell(&v[9], e->payer);
	money_cell(&v[10], e->amount_cents);
	money_cell(&v[11], e->balance_cents);
	text_cell(&v[12], e->group_code);
	text_cell(&v[13], e->reason);
	text_cell(&v[14], e->source_ref);
	text_cell(&v[15], e->by_user);
	return pms_writer_row(arg, v) != PMS_OK;
}

static int
cmd_ledger(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	const char *mrn = NULL;
	int64_t id;
	int ch, rc;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_MRN)
			mrn = optarg;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	if ((rc = patient_operand(ctx, argc, argv, mrn, 0, &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "bill.ledger", &s)) != 0)
		return rc;
	if ((rc = resolve_patient(ctx, s, &id, mrn)) != 0 ||
	    (rc = pms_cli_writer(ctx, ledger_cols, PMS_NELEM(ledger_cols),
	    &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_bill_ledger(s, id, write_entry, w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static int
date_arg(struct pms_ctx *ctx, const char *what, const char *arg)
{
	int32_t d;

	if (pms_date_parse(arg, PMS_DATE_ISO, &d) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "%s: not a date (YYYY-MM-DD)",
		    what);
	return 0;
}

static int
cmd_list(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ "on", required_argument, NULL, OPT_ON },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "provider", required_argument, NULL, OPT_PROVIDER },
		{ "open", no_argument, NULL, OPT_OPEN },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_charge_query q;
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	const char *mrn = NULL;
	int ch, rc;

	memset(&q, 0, sizeof(q));
	q.action = "bill.list";
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_PATIENT:
		case OPT_MRN:
			if ((rc = patient_arg(ctx, ch, optarg, &q.patient_id,
			    &mrn)) != 0)
				return rc;
			break;
		case OPT_ON:
			if ((rc = date_arg(ctx, "--on", optarg)) != 0)
				return rc;
			q.from = q.to = optarg;
			break;
		case OPT_FROM:
			if ((rc = date_arg(ctx, "--from", optarg)) != 0)
				return rc;
			q.from = optarg;
			break;
		case OPT_TO:
			if ((rc = date_arg(ctx, "--to", optarg)) != 0)
				return rc;
			q.to = optarg;
			break;
		case OPT_STATUS:
			if (strcmp(optarg, "needs-coding") != 0 &&
			    strcmp(optarg, "ready") != 0 &&
			    strcmp(optarg, "void") != 0)
				return pms_fail(ctx, EX_USAGE, "--status: "
				    "expected needs-coding, ready or void, not "
				    "\"%s\"", optarg);
			q.status = optarg;
			break;
		case OPT_PROVIDER:
			q.provider = optarg;
			break;
		case OPT_OPEN:
			q.open = 1;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	if (optind != argc)
		pms_cli_usage(ctx, "%s: no operand is taken", ctx->cmd);
	if ((rc = pms_cli_open(ctx, "bill.list", &s)) != 0)
		return rc;
	if ((rc = resolve_patient(ctx, s, &q.patient_id, mrn)) != 0 ||
	    (rc = pms_cli_writer(ctx, charge_cols, PMS_NELEM(charge_cols),
	    &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_bill_charges(s, &q, write_charge, w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static const struct pms_col aging_cols[] = {
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "last_name", PMS_COL_TEXT }, { "first_name", PMS_COL_TEXT },
	{ "responsibility", PMS_COL_TEXT }, { "payer", PMS_COL_TEXT },
	{ "days_0_30", PMS_COL_MONEY }, { "days_31_60", PMS_COL_MONEY },
	{ "days_61_90", PMS_COL_MONEY }, { "days_91_120", PMS_COL_MONEY },
	{ "days_121_plus", PMS_COL_MONEY }, { "total", PMS_COL_MONEY },
};

static int
write_aging(void *arg, const struct pms_aging_row *r)
{
	struct pms_cell v[PMS_NELEM(aging_cols)];
	int i;

	int_cell(&v[0], r->patient_id);
	text_cell(&v[1], r->mrn);
	text_cell(&v[2], r->last_name);
	text_cell(&v[3], r->first_name);
	text_cell(&v[4], r->responsibility);
	text_cell(&v[5], r->payer);
	for (i = 0; i < PMS_AGING_BUCKETS; i++)
		money_cell(&v[6 + i], r->bucket[i]);
	money_cell(&v[11], r->total_cents);
	return pms_writer_row(arg, v) != PMS_OK;
}

static int
cmd_aging(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "by", required_argument, NULL, OPT_BY },
		{ "as-of", required_argument, NULL, OPT_AS_OF },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ NULL, 0, NULL, 0 }
	};
	enum pms_aging_by by = PMS_AGE_DOS;
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	const char *as_of = NULL;
	int ch, rc, summary = 0;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_BY:
			if (strcmp(optarg, "dos") == 0)
				by = PMS_AGE_DOS;
			else if (strcmp(optarg, "billed") == 0)
				by = PMS_AGE_BILLED;
			else if (strcmp(optarg, "transferred") == 0)
				by = PMS_AGE_TRANSFERRED;
			else
				return pms_fail(ctx, EX_USAGE, "--by: expected "
				    "dos, billed or transferred, not \"%s\"",
				    optarg);
			break;
		case OPT_AS_OF:
			if ((rc = date_arg(ctx, "--as-of", optarg)) != 0)
				return rc;
			as_of = optarg;
			break;
		case OPT_SUMMARY:
			summary = 1;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	if (optind != argc)
		pms_cli_usage(ctx, "%s: no operand is taken", ctx->cmd);
	if ((rc = pms_cli_open(ctx, "bill.aging", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, aging_cols, PMS_NELEM(aging_cols),
	    &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_bill_aging(s, by, as_of, summary, write_aging, w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

/* ---- statements ---- */

static int
cmd_statement(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "mrn", required_argument, NULL, OPT_MRN },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "min-balance", required_argument, NULL, OPT_MIN },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "template", required_argument, NULL, OPT_TEMPLATE },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_stmt_opts o;
	struct pms_stmt_result r;
	struct pms_store *s;
	enum pms_status st;
	const char *mrn = NULL;
	char a[PMS_MONEY_BUFSZ];
	int ch, rc;

	memset(&o, 0, sizeof(o));
	o.min_cents = -1;
	o.format = PMS_STMT_TEXT;
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o':
			/* documents, not records: text or html */
			if (strcmp(optarg, "text") == 0)
				o.format = PMS_STMT_TEXT;
			else if (strcmp(optarg, "html") == 0)
				o.format = PMS_STMT_HTML;
			else
				return pms_fail(ctx, EX_USAGE, "-o: expected "
				    "text or html, not \"%s\"", optarg);
			break;
		case OPT_MRN:
			mrn = optarg;
			break;
		case OPT_ALL:
			o.all = 1;
			break;
		case OPT_MIN:
			if ((rc = money_arg(ctx, "--min-balance", optarg,
			    &o.min_cents)) != 0)
				return rc;
			if (o.min_cents < 0)
				return pms_fail(ctx, EX_DATAERR,
				    "--min-balance: not negative");
			break;
		case OPT_DATE:
			if ((rc = date_arg(ctx, "--date", optarg)) != 0)
				return rc;
			o.date = optarg;
			break;
		case OPT_TEMPLATE:
			o.template_path = optarg;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	if (o.all) {
		if (optind != argc || mrn != NULL)
			pms_cli_usage(ctx, "statement: --all or a patient, not "
			    "both");
	} else {
		if (o.min_cents >= 0)
			pms_cli_usage(ctx, "statement: --min-balance: only with "
			    "--all");
		if ((rc = patient_operand(ctx, argc, argv, mrn, 0,
		    &o.patient_id)) != 0)
			return rc;
	}
	o.out_path = ctx->out_path;
	o.out = stdout;
	o.dry_run = ctx->dry_run;
	if ((rc = pms_cli_open(ctx, "bill.statement", &s)) != 0)
		return rc;
	if ((rc = resolve_patient(ctx, s, &o.patient_id, mrn)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_bill_statements(s, &o, &r);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if ((rc = pms_cli_out_written(ctx)) != 0)
		return rc;
	pms_money_fmt(r.total_cents, a);
	fprintf(stderr, "%s: %lu statement%s, %s due%s\n", ctx->prog,
	    r.statements, r.statements == 1 ? "" : "s", a, ctx->dry_run ?
	    " (--dry-run: the run was not recorded)" : "");
	return EX_OK;
}

/* ---- fee schedules, opening balances ---- */

static const struct pms_col fee_cols[] = {
	{ "schedule", PMS_COL_TEXT }, { "code", PMS_COL_TEXT },
	{ "description", PMS_COL_TEXT }, { "price", PMS_COL_MONEY },
};

static int
write_fee(void *arg, const struct pms_fee *f)
{
	struct pms_cell v[PMS_NELEM(fee_cols)];

	text_cell(&v[0], f->schedule);
	text_cell(&v[1], f->code);
	text_cell(&v[2], f->description);
	money_cell(&v[3], f->price_cents);
	return pms_writer_row(arg, v) != PMS_OK;
}

/* The program's context, for report_plain (whose arg is NULL). */
static struct pms_ctx *plain_ctx;

static void
report_plain(void *arg, const char *msg)
{
	(void)arg;
	if (plain_ctx != NULL)
		pms_cli_row(plain_ctx, NULL, msg);
	else
		fprintf(stderr, "pms-bill: %s\n", msg);
}

static int
schedule_opts(struct pms_ctx *ctx, int argc, char **argv,
    const char **schedule)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "schedule", required_argument, NULL, OPT_SCHEDULE },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc;

	*schedule = NULL;
	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_SCHEDULE)
			*schedule = optarg;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	return 0;
}

static int
cmd_fees_import(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_reader *rd;
	struct pms_store *s;
	enum pms_status st;
	const char *schedule;
	unsigned long added, changed, same;
	FILE *fp;
	int rc;

	if ((rc = schedule_opts(ctx, argc, argv, &schedule)) != 0)
		return rc;
	if (argc - optind > 1)
		pms_cli_usage(ctx, "%s: one file at most", ctx->cmd);
	if ((rc = pms_cli_reader(ctx, optind < argc ? argv[optind] : NULL, &rd,
	    &fp)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "bill.fees.import", &s)) != 0)
		goto out;
	plain_ctx = ctx;
	st = pms_bill_fees_import(s, rd, schedule, ctx->dry_run, report_plain,
	    &added, &changed, &same);
	pms_store_close(s);
	if (st != PMS_OK) {
		rc = fail(ctx, st);
		goto out;
	}
	fprintf(stderr, "%s: fees: %lu added, %lu changed, %lu unchanged%s\n",
	    ctx->prog, added, changed, same, ctx->dry_run ?
	    " (--dry-run: nothing was written)" : "");
	rc = EX_OK;
out:
	pms_reader_close(rd);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

static int
cmd_fees_list(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_writer *w;
	struct pms_store *s;
	enum pms_status st;
	const char *schedule;
	int rc;

	if ((rc = schedule_opts(ctx, argc, argv, &schedule)) != 0)
		return rc;
	if (optind != argc)
		pms_cli_usage(ctx, "%s: no operand is taken", ctx->cmd);
	if ((rc = pms_cli_open(ctx, "bill.fees.list", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, fee_cols, PMS_NELEM(fee_cols), &w)) !=
	    0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_bill_fees(s, schedule, write_fee, w);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static int
cmd_opening_import(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_reader *rd;
	struct pms_store *s;
	enum pms_status st;
	unsigned long rows, added;
	FILE *fp;
	int ch, rc;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	if (argc - optind > 1)
		pms_cli_usage(ctx, "%s: one file at most", ctx->cmd);
	if ((rc = pms_cli_reader(ctx, optind < argc ? argv[optind] : NULL, &rd,
	    &fp)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "bill.opening-balance.import", &s)) != 0)
		goto out;
	plain_ctx = ctx;
	st = pms_bill_opening_import(s, rd, ctx->dry_run, report_plain, &rows,
	    &added);
	pms_store_close(s);
	if (st != PMS_OK) {
		rc = fail(ctx, st);
		goto out;
	}
	fprintf(stderr, "%s: opening balances: %lu row%s, %lu added, %lu there "
	    "already%s\n", ctx->prog, rows, rows == 1 ? "" : "s", added,
	    rows - added, ctx->dry_run ? " (--dry-run: nothing was written)" :
	    "");
	rc = EX_OK;
out:
	pms_reader_close(rd);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

/* ---- the books ---- */

static int
cmd_check(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_bill_check_report r;
	struct pms_store *s;
	enum pms_status st;
	char total[PMS_MONEY_BUFSZ];
	int ch, rc;

	help_first(longopts, argc, argv);
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	if (optind != argc)
		pms_cli_usage(ctx, "%s: no operand is taken", ctx->cmd);
	if ((rc = pms_cli_open(ctx, "bill.check", &s)) != 0)
		return rc;
	st = pms_bill_check(s, &r);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	pms_money_fmt(r.total_cents, total);
	printf("ledger:     %lld %s reconcile with %lld open %s (%s)\n",
	    (long long)r.entries, r.entries == 1 ? "entry" : "entries",
	    (long long)r.balances, r.balances == 1 ? "balance" : "balances",
	    total);
	printf("charges:    %lld\n", (long long)r.charges);
	printf("payments:   %lld\n", (long long)r.payments);
	return EX_OK;
}

static const struct pms_cmd cmds[] = {	/* cmd_* parse their own options */
	{ "charge", cmd_charge },
	{ "code", cmd_code },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "void", cmd_void },
	{ "transfer", cmd_transfer },
	{ "pay", cmd_pay },
	{ "apply", cmd_apply },
	{ "refund", cmd_refund },
	{ "adjust", cmd_adjust },
	{ "balance", cmd_balance },
	{ "ledger", cmd_ledger },
	{ "aging", cmd_aging },
	{ "statement", cmd_statement },
	{ "fees import", cmd_fees_import },
	{ "fees list", cmd_fees_list },
	{ "opening-balance import", cmd_opening_import },
	{ "check", cmd_check },
};

int
main(int argc, char *argv[])
{
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-bill");
	ctx.usage = usage;
	rc = pms_cli_main(&ctx, cmds, PMS_NELEM(cmds), argc, argv);
	pms_ctx_release(&ctx);
	return rc;
}
