/*
 * pms-patient: the patient registry.  Add, show, find, list, update and
 * export patients; import a practice's spreadsheet; find likely
 * duplicates and merge them; guarantors and insurance policies.  The
 * work is lib/patient.c's; this file reads options and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "patient.h"
#include "patient_import.h"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-patient [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-patient add --last-name name --first-name name "
	    "--dob date [--mrn mrn] [--middle-name name] [--suffix suffix] "
	    "[--preferred-name name] [--sex f|m|x|u] [--street street] "
	    "[--street2 street] [--city city] [--state state] [--zip zip] "
	    "[--country country] [--phone phone] [--mobile-phone phone] "
	    "[--work-phone phone] [--email address] "
	    "[--preferred-contact sms|email|phone|mail|none] "
	    "[--sms-consent yes|no] [--email-consent yes|no] "
	    "[--language tag] [--first-visit date] "
	    "[--status active|inactive|deceased] [--deceased-on date] "
	    "[--ssn ssn] [--date-format iso|mdy|dmy|excel] "
	    "[-o table|csv|json]\n"
	    "       pms-patient show id|--mrn mrn [--reveal] "
	    "[-o table|csv|json]\n"
	    "       pms-patient find [--name words] [--dob date] "
	    "[--phone phone] [--mrn mrn] [--status active|inactive|deceased] "
	    "[--date-format iso|mdy|dmy|excel] [-o table|csv|json]\n"
	    "       pms-patient list [--status active|inactive|deceased] "
	    "[--merged] [-o table|csv|json] [--out file]\n"
	    "       pms-patient update id|- [--mrn mrn] [--last-name name] "
	    "[--first-name name] [--middle-name name] [--suffix suffix] "
	    "[--preferred-name name] [--dob date] [--sex f|m|x|u] "
	    "[--street street] [--street2 street] [--city city] "
	    "[--state state] [--zip zip] [--country country] "
	    "[--phone phone] [--mobile-phone phone] [--work-phone phone] "
	    "[--email address] "
	    "[--preferred-contact sms|email|phone|mail|none] "
	    "[--sms-consent yes|no] [--email-consent yes|no] "
	    "[--language tag] [--first-visit date] "
	    "[--status active|inactive|deceased] [--deceased-on date] "
	    "[--ssn ssn] [--date-format iso|mdy|dmy|excel]\n"
	    "       pms-patient export [--status active|inactive|deceased] "
	    "[--reveal] [-o table|csv|json] [--out file]\n"
	    "       pms-patient import [file] [--map map] "
	    "[--date-format iso|mdy|dmy|excel] "
	    "[--encoding utf-8|windows-1252] [--update] [--dry-run] "
	    "[--skip-invalid file] [-o table|csv|json]\n"
	    "       pms-patient duplicates [-o table|csv|json]\n"
	    "       pms-patient merge keep drop [--force] [--dry-run] "
	    "[-o table|csv|json]\n"
	    "       pms-patient guarantor set id "
	    "--relationship spouse|parent|child|guardian|other "
	    "[--guarantor id] [--patient id] [--last-name name] "
	    "[--first-name name] [--middle-name name] [--suffix suffix] "
	    "[--dob date] [--street street] [--street2 street] "
	    "[--city city] [--state state] [--zip zip] "
	    "[--country country] [--phone phone] [--email address] "
	    "[--date-format iso|mdy|dmy|excel]\n"
	    "       pms-patient guarantor show id [-o table|csv|json]\n"
	    "       pms-patient guarantor clear id\n"
	    "       pms-patient policy add id --payer code --member-id id "
	    "[--group-number number] "
	    "[--priority primary|secondary|tertiary] "
	    "[--relationship self|spouse|child|other] "
	    "[--subscriber-last-name name] [--subscriber-first-name name] "
	    "[--subscriber-middle-name name] [--subscriber-suffix suffix] "
	    "[--subscriber-dob date] [--subscriber-sex f|m|x|u] "
	    "[--subscriber-street street] [--subscriber-street2 street] "
	    "[--subscriber-city city] [--subscriber-state state] "
	    "[--subscriber-zip zip] [--from date] [--to date] "
	    "[--date-format iso|mdy|dmy|excel] [-o table|csv|json]\n"
	    "       pms-patient policy list [id] [-o table|csv|json]\n"
	    "       pms-patient policy end policy --on date\n"
	    "       pms-patient policy remove policy\n"
	    "       pms-patient policy import [file] "
	    "[--date-format iso|mdy|dmy|excel] "
	    "[--encoding utf-8|windows-1252] [--dry-run] "
	    "[--skip-invalid file] [-o table|csv|json]\n"
	    "       pms-patient --help | --version\n", f);
	pms_cli_usage_exit(status);
}

/* The options of a command: its own after PMS_OPT_FIRST. */
enum {
	OPT_DATE_FORMAT = PMS_OPT_FIRST,
	OPT_REVEAL,
	OPT_NAME,
	OPT_MERGED,
	OPT_STATUS_Q,
	OPT_MAP,
	OPT_ENCODING,
	OPT_UPDATE,
	OPT_SKIP,
	OPT_REL,
	OPT_GUARANTOR,
	OPT_PATIENT,
	OPT_ON,
	OPT_FORCE,
	OPT_FIELD = PMS_OPT_FIRST + 0x100	/* + a field's index */
};

#define FIELD_OPT(name, f) \
	{ name, required_argument, NULL, OPT_FIELD + (f) }

/* The patient fields as options of add and update. */
#define PATIENT_FIELD_OPTS \
	FIELD_OPT("mrn", PMS_PF_MRN), \
	FIELD_OPT("last-name", PMS_PF_LAST_NAME), \
	FIELD_OPT("first-name", PMS_PF_FIRST_NAME), \
	FIELD_OPT("middle-name", PMS_PF_MIDDLE_NAME), \
	FIELD_OPT("suffix", PMS_PF_SUFFIX), \
	FIELD_OPT("preferred-name", PMS_PF_PREFERRED_NAME), \
	FIELD_OPT("dob", PMS_PF_DOB), \
	FIELD_OPT("sex", PMS_PF_SEX), \
	FIELD_OPT("street", PMS_PF_STREET), \
	FIELD_OPT("street2", PMS_PF_STREET2), \
	FIELD_OPT("city", PMS_PF_CITY), \
	FIELD_OPT("state", PMS_PF_STATE), \
	FIELD_OPT("zip", PMS_PF_ZIP), \
	FIELD_OPT("country", PMS_PF_COUNTRY), \
	FIELD_OPT("phone", PMS_PF_PHONE), \
	FIELD_OPT("mobile-phone", PMS_PF_MOBILE_PHONE), \
	FIELD_OPT("work-phone", PMS_PF_WORK_PHONE), \
	FIELD_OPT("email", PMS_PF_EMAIL), \
	FIELD_OPT("preferred-contact", PMS_PF_PREFERRED_CONTACT), \
	FIELD_OPT("sms-consent", PMS_PF_SMS_CONSENT), \
	FIELD_OPT("email-consent", PMS_PF_EMAIL_CONSENT), \
	FIELD_OPT("language", PMS_PF_LANGUAGE), \
	FIELD_OPT("first-visit", PMS_PF_FIRST_VISIT), \
	FIELD_OPT("status", PMS_PF_STATUS), \
	FIELD_OPT("deceased-on", PMS_PF_DECEASED_ON), \
	FIELD_OPT("ssn", PMS_PF_SSN)

#define DATE_FORMAT_OPT \
	{ "date-format", required_argument, NULL, OPT_DATE_FORMAT }

/* What every command's option loop does with an option it does not
 * know itself: the common ones, else usage.  0 or an exit code. */
static int
common(struct pms_ctx *ctx, int ch, char **argv)
{
	return pms_cli_opt(ctx, ch, optarg, argv);
}

/* A bad value of an option: "OPT: expected WHAT, not "X"", X quoted
 * only when it has the shape of a word (pms_quotable). */
static int
bad_value(struct pms_ctx *ctx, const char *opt, const char *what,
    const char *arg)
{
	if (pms_quotable(arg))
		return pms_fail(ctx, EX_USAGE, "%s: expected %s, not \"%s\"",
		    opt, what, arg);
	return pms_fail(ctx, EX_USAGE, "%s: expected %s", opt, what);
}

static int
date_form(struct pms_ctx *ctx, const char *arg, enum pms_date_form *f)
{
	int v = pms_date_form_parse(arg);

	if (v < 0)
		return bad_value(ctx, "--date-format", "iso, mdy, dmy or excel",
		    arg);
	*f = (enum pms_date_form)v;
	return 0;
}

static int
status_arg(struct pms_ctx *ctx, const char *arg)
{
	if (strcmp(arg, "active") != 0 && strcmp(arg, "inactive") != 0 &&
	    strcmp(arg, "deceased") != 0)
		return bad_value(ctx, "--status", "active, inactive or "
		    "deceased", arg);
	return 0;
}

/* A patient id operand: 0, or the exit code after reporting. */
static int
id_arg(struct pms_ctx *ctx, const char *arg, int64_t *id)
{
	if (pms_patient_id_parse(arg, id) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "%s", pms_errmsg());
	return 0;
}

/* Errors, warnings and notices of a check, on stderr as they come. */
static void
report(void *arg, int kind, const char *msg)
{
	pms_cli_row(arg, kind == 1 ? "warning: " : kind == 2 ? "notice: " :
	    NULL, msg);
}

/* A failed library call: the exit code, after reporting. */
static int
fail(struct pms_ctx *ctx, enum pms_status st)
{
	return pms_fail_status(ctx, st);
}

/* A command that changes the store, done under --dry-run: say so. */
static int
dry_done(struct pms_ctx *ctx)
{
	if (ctx->dry_run)
		fprintf(stderr, "%s: --dry-run: nothing was written\n",
		    ctx->prog);
	return EX_OK;
}

/* The operands left after a command's options: between min and max,
 * else the reason (what the command takes) and the usage. */
static void
operands(struct pms_ctx *ctx, int argc, char **argv, int min, int max,
    const char *takes)
{
	int n = argc - optind;

	if (n >= min && n <= max)
		return;
	if (n < min)
		pms_cli_usage(ctx, "%s: %s", ctx->cmd, takes);
	pms_cli_usage(ctx, "%s: %s; %d operand%s too many", ctx->cmd, takes,
	    n - max, n - max == 1 ? " is one" : "s are");
	(void)argv;
}

/* ---- output ---- */

static const struct pms_col full_cols[] = {
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "last_name", PMS_COL_TEXT }, { "first_name", PMS_COL_TEXT },
	{ "middle_name", PMS_COL_TEXT }, { "suffix", PMS_COL_TEXT },
	{ "preferred_name", PMS_COL_TEXT }, { "dob", PMS_COL_DATE },
	{ "sex", PMS_COL_TEXT }, { "street", PMS_COL_TEXT },
	{ "street2", PMS_COL_TEXT }, { "city", PMS_COL_TEXT },
	{ "state", PMS_COL_TEXT }, { "zip", PMS_COL_TEXT },
	{ "country", PMS_COL_TEXT }, { "phone", PMS_COL_TEXT },
	{ "mobile_phone", PMS_COL_TEXT }, { "work_phone", PMS_COL_TEXT },
	{ "email", PMS_COL_TEXT }, { "preferred_contact", PMS_COL_TEXT },
	{ "sms_consent", PMS_COL_TEXT }, { "email_consent", PMS_COL_TEXT },
	{ "language", PMS_COL_TEXT }, { "first_visit", PMS_COL_DATE },
	{ "status", PMS_COL_TEXT }, { "deceased_on", PMS_COL_DATE },
	{ "ssn", PMS_COL_TEXT }, { "guarantor_id", PMS_COL_INT },
	{ "guarantor_relationship", PMS_COL_TEXT },
	{ "merged_into", PMS_COL_INT }, { "created_at", PMS_COL_TIME },
	{ "updated_at", PMS_COL_TIME },
};

static const struct pms_col short_cols[] = {
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "last_name", PMS_COL_TEXT }, { "first_name", PMS_COL_TEXT },
	{ "dob", PMS_COL_DATE }, { "sex", PMS_COL_TEXT },
	{ "phone", PMS_COL_TEXT }, { "mobile_phone", PMS_COL_TEXT },
	{ "status", PMS_COL_TEXT },
};

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

/* A patient's row in full_cols order. */
static void
full_row(const struct pms_patient *p, struct pms_cell *c)
{
	int_cell(&c[0], p->id);
	text_cell(&c[1], p->mrn);
	text_cell(&c[2], p->last_name);
	text_cell(&c[3], p->first_name);
	text_cell(&c[4], p->middle_name);
	text_cell(&c[5], p->suffix);
	text_cell(&c[6], p->preferred_name);
	text_cell(&c[7], p->dob);
	text_cell(&c[8], p->sex);
	text_cell(&c[9], p->street);
	text_cell(&c[10], p->street2);
	text_cell(&c[11], p->city);
	text_cell(&c[12], p->state);
	text_cell(&c[13], p->zip);
	text_cell(&c[14], p->country);
	text_cell(&c[15], p->phone);
	text_cell(&c[16], p->mobile_phone);
	text_cell(&c[17], p->work_phone);
	text_cell(&c[18], p->email);
	text_cell(&c[19], p->preferred_contact);
	text_cell(&c[20], p->sms_consent ? "yes" : "no");
	text_cell(&c[21], p->email_consent ? "yes" : "no");
	text_cell(&c[22], p->language);
	text_cell(&c[23], p->first_visit);
	text_cell(&c[24], p->status);
	text_cell(&c[25], p->deceased_on);
	text_cell(&c[26], p->ssn);
	int_cell(&c[27], p->guarantor_id);
	text_cell(&c[28], p->guarantor_relationship);
	int_cell(&c[29], p->merged_into);
	text_cell(&c[30], p->created_at);
	text_cell(&c[31], p->updated_at);
}

static void
short_row(const struct pms_patient *p, struct pms_cell *c)
{
	int_cell(&c[0], p->id);
	text_cell(&c[1], p->mrn);
	text_cell(&c[2], p->last_name);
	text_cell(&c[3], p->first_name);
	text_cell(&c[4], p->dob);
	text_cell(&c[5], p->sex);
	text_cell(&c[6], p->phone);
	text_cell(&c[7], p->mobile_phone);
	text_cell(&c[8], p->status);
}

/* The output of a query, opened at its first row (or its end): never
 * before the store said the user may see the rows. */
struct out {
	struct pms_ctx	*ctx;
	struct pms_writer *w;
	int		 full;
	int		 rc;		/* the writer's open failed: its code */
};

static int
out_open(struct out *o)
{
	if (o->w == NULL && o->rc == 0)
		o->rc = pms_cli_writer(o->ctx, o->full ? full_cols : short_cols,
		    o->full ? PMS_NELEM(full_cols) : PMS_NELEM(short_cols),
		    &o->w);
	return o->rc;
}

static int
write_patient(void *arg, const struct pms_patient *p)
{
	struct out *o = arg;
	struct pms_cell c[PMS_NELEM(full_cols)];

	if (out_open(o) != 0)
		return 1;
	if (o->full)
		full_row(p, c);
	else
		short_row(p, c);
	return pms_writer_row(o->w, c) != PMS_OK;
}

/* ---- add, show, update ---- */

static int
cmd_add(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		PATIENT_FIELD_OPTS,
		DATE_FORMAT_OPT,
		{ NULL, 0, NULL, 0 }
	};
	static const struct pms_col cols[] = {
		{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	};
	struct pms_pt_input in;
	struct pms_store *s;
	struct pms_writer *w;
	struct pms_cell c[2];
	enum pms_status st;
	char mrn[PMS_PT_MRN];
	int64_t id;
	int ch, rc;

	memset(&in, 0, sizeof(in));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch >= OPT_FIELD && ch < OPT_FIELD + PMS_PF_COUNT)
			in.in[ch - OPT_FIELD] = optarg;
		else if (ch == OPT_DATE_FORMAT) {
			if ((rc = date_form(ctx, optarg, &in.date_form)) != 0)
				return rc;
		} else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, 0, 0, "the fields are options "
	    "(--last-name, --first-name, --dob, ...), not operands");
	if ((rc = pms_cli_open(ctx, "patient.add", &s)) != 0)
		return rc;
	st = pms_patient_add(s, &in, report, ctx, &id, mrn);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if ((rc = pms_cli_writer(ctx, cols, PMS_NELEM(cols), &w)) != 0)
		return rc;
	int_cell(&c[0], id);
	text_cell(&c[1], mrn);
	pms_writer_row(w, c);
	if ((rc = pms_cli_writer_close(ctx, w)) != 0)
		return rc;
	return dry_done(ctx);
}

static int
cmd_show(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		FIELD_OPT("mrn", PMS_PF_MRN),
		{ "reveal", no_argument, NULL, OPT_REVEAL },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_patient p;
	struct pms_store *s;
	struct pms_writer *w;
	struct pms_cell c[PMS_NELEM(full_cols)];
	const char *mrn = NULL;
	enum pms_status st;
	int64_t id = 0, from;
	int ch, rc, reveal = 0;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_FIELD + PMS_PF_MRN)
			mrn = optarg;
		else if (ch == OPT_REVEAL)
			reveal = 1;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, mrn == NULL, mrn == NULL, mrn == NULL ?
	    "give one patient id, or --mrn" : "--mrn names the patient: "
	    "give no id with it");
	if (mrn == NULL && (rc = id_arg(ctx, argv[optind], &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.show", &s)) != 0)
		return rc;
	if (mrn != NULL && (st = pms_patient_id(s, 0, mrn, &id, NULL)) !=
	    PMS_OK) {
		pms_store_close(s);
		return fail(ctx, st);
	}
	st = pms_patient_show(s, id, reveal, ctx->emergency, &p, &from);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if (from != 0)
		fprintf(stderr, "%s: patient %lld was merged into %lld\n",
		    ctx->prog, (long long)from, (long long)p.id);
	if ((rc = pms_cli_writer(ctx, full_cols, PMS_NELEM(full_cols), &w)) !=
	    0)
		return rc;
	full_row(&p, c);
	pms_writer_row(w, c);
	return pms_cli_writer_close(ctx, w);
}

/* Run a query into the writer; the exit code. */
static int
run_query(struct pms_ctx *ctx, struct pms_pt_query *q, int full)
{
	struct pms_store *s;
	struct out o;
	enum pms_status st;
	size_t n;
	int rc;

	if ((rc = pms_cli_open(ctx, q->action, &s)) != 0)
		return rc;
	memset(&o, 0, sizeof(o));
	o.ctx = ctx;
	o.full = full;
	q->full = full;
	st = pms_patient_query(s, q, write_patient, &o, &n);
	pms_store_close(s);
	if (o.rc != 0)		/* reported by pms_cli_writer() */
		return o.rc;
	if (st != PMS_OK) {
		pms_writer_abort(o.w);
		return fail(ctx, st);
	}
	if ((rc = out_open(&o)) != 0)
		return rc;
	return pms_cli_writer_close(ctx, o.w);
}

static int
cmd_find(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "name", required_argument, NULL, OPT_NAME },
		FIELD_OPT("dob", PMS_PF_DOB),
		FIELD_OPT("phone", PMS_PF_PHONE),
		FIELD_OPT("mrn", PMS_PF_MRN),
		{ "status", required_argument, NULL, OPT_STATUS_Q },
		DATE_FORMAT_OPT,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_pt_query q;
	int ch, rc;

	memset(&q, 0, sizeof(q));
	q.action = "patient.find";
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_NAME:
			q.name = optarg;
			break;
		case OPT_FIELD + PMS_PF_DOB:
			q.dob = optarg;
			break;
		case OPT_FIELD + PMS_PF_PHONE:
			q.phone = optarg;
			break;
		case OPT_FIELD + PMS_PF_MRN:
			q.mrn = optarg;
			break;
		case OPT_STATUS_Q:
			if ((rc = status_arg(ctx, optarg)) != 0)
				return rc;
			q.status = optarg;
			break;
		case OPT_DATE_FORMAT:
			if ((rc = date_form(ctx, optarg, &q.date_form)) != 0)
				return rc;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	operands(ctx, argc, argv, 0, 0, "what to find goes with an option: "
	    "--name 'Jane Smith', --dob, --phone or --mrn");
	if (q.name == NULL && q.dob == NULL && q.phone == NULL &&
	    q.mrn == NULL)
		pms_cli_usage(ctx, "find: give --name, --dob, --phone or "
		    "--mrn");
	/* rows written to a file leave the store with it */
	if (ctx->out_path != NULL) {
		q.export_kind = "patient-find";
		q.out_path = ctx->out_path;
	}
	return run_query(ctx, &q, 0);
}

static int
cmd_list(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "status", required_argument, NULL, OPT_STATUS_Q },
		{ "merged", no_argument, NULL, OPT_MERGED },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_pt_query q;
	int ch, rc;

	memset(&q, 0, sizeof(q));
	q.action = "patient.list";
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_STATUS_Q) {
			if ((rc = status_arg(ctx, optarg)) != 0)
				return rc;
			q.status = optarg;
		} else if (ch == OPT_MERGED)
			q.merged = 1;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, 0, 0, "takes no operand (--status, "
	    "--merged)");
	/* a list written to a file leaves the store with it */
	if (ctx->out_path != NULL) {
		q.export_kind = "patient-list";
		q.out_path = ctx->out_path;
	}
	return run_query(ctx, &q, 0);
}

static int
cmd_export(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "status", required_argument, NULL, OPT_STATUS_Q },
		{ "reveal", no_argument, NULL, OPT_REVEAL },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_pt_query q;
	int ch, rc;

	memset(&q, 0, sizeof(q));
	q.action = "patient.export";
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_STATUS_Q) {
			if ((rc = status_arg(ctx, optarg)) != 0)
				return rc;
			q.status = optarg;
		} else if (ch == OPT_REVEAL)
			q.reveal = 1;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, 0, 0, "takes no operand (--status, "
	    "--reveal)");
	q.emergency = ctx->emergency;
	/* every export leaves the store, to a file or down a pipe */
	q.export_kind = "patients";
	q.out_path = ctx->out_path;
	return run_query(ctx, &q, 1);
}

static int
cmd_update(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		PATIENT_FIELD_OPTS,
		DATE_FORMAT_OPT,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_pt_input in;
	struct pms_store *s;
	enum pms_status st;
	int64_t id = 0;
	int ch, rc, changed, i, any = 0;

	memset(&in, 0, sizeof(in));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch >= OPT_FIELD && ch < OPT_FIELD + PMS_PF_COUNT)
			in.in[ch - OPT_FIELD] = optarg;
		else if (ch == OPT_DATE_FORMAT) {
			if ((rc = date_form(ctx, optarg, &in.date_form)) != 0)
				return rc;
		} else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, 1, 1, "give one patient id, or - to read "
	    "records");
	for (i = 0; i < PMS_PF_COUNT; i++)
		any |= in.in[i] != NULL;
	if (strcmp(argv[optind], "-") == 0) {
		if (any)
			return pms_fail(ctx, EX_USAGE, "update -: the fields "
			    "come from the records, not options");
	} else {
		if ((rc = id_arg(ctx, argv[optind], &id)) != 0)
			return rc;
		if (!any)
			return pms_fail(ctx, EX_USAGE, "update: no field to "
			    "change");
	}
	if ((rc = pms_cli_open(ctx, "patient.update", &s)) != 0)
		return rc;
	if (id == 0) {
		struct pms_import_opts o;
		struct pms_import_count n;

		memset(&o, 0, sizeof(o));
		o.date_form = (int)in.date_form;
		o.encoding = -1;
		o.report = report;
		o.report_arg = ctx;
		st = pms_patient_update_records(s, stdin, NULL, &o, &n);
		pms_store_close(s);
		if (st != PMS_OK)
			return fail(ctx, st);
		if (n.rows == 0)
			fprintf(stderr, "%s: no records on standard input\n",
			    ctx->prog);
		fprintf(stderr, "%s: %lu %s, %lu unchanged\n", ctx->prog,
		    n.updated, ctx->dry_run ? "would be updated" : "updated",
		    n.unchanged);
		return dry_done(ctx);
	}
	st = pms_patient_update(s, id, &in, report, ctx, &changed);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if (!changed)
		fprintf(stderr, "%s: patient %lld: nothing changed\n",
		    ctx->prog, (long long)id);
	return dry_done(ctx);
}

/* ---- import ---- */

static int
progress(void *arg, unsigned long rows)
{
	struct pms_ctx *ctx = arg;

	fprintf(stderr, "\r%s: %lu rows", ctx->prog, rows);
	return 0;
}

static const struct pms_col import_cols[] = {
	{ "rows", PMS_COL_INT }, { "added", PMS_COL_INT },
	{ "updated", PMS_COL_INT }, { "unchanged", PMS_COL_INT },
	{ "differ", PMS_COL_INT }, { "rejected", PMS_COL_INT },
	{ "dry_run", PMS_COL_TEXT },
};

static int
import_summary(struct pms_ctx *ctx, const struct pms_import_count *n,
    int dry_run)
{
	struct pms_writer *w;
	struct pms_cell c[PMS_NELEM(import_cols)];
	int rc;

	if ((rc = pms_cli_writer(ctx, import_cols, PMS_NELEM(import_cols),
	    &w)) != 0)
		return rc;
	c[0].null = c[1].null = c[2].null = c[3].null = c[4].null =
	    c[5].null = 0;
	c[0].i = (int64_t)n->rows;
	c[1].i = (int64_t)n->added;
	c[2].i = (int64_t)n->updated;
	c[3].i = (int64_t)n->unchanged;
	c[4].i = (int64_t)n->differ;
	c[5].i = (int64_t)n->rejected;
	text_cell(&c[6], dry_run ? "yes" : "no");
	pms_writer_row(w, c);
	return pms_cli_writer_close(ctx, w);
}

/* The import's end: the notices and the exit code. */
static int
import_end(struct pms_ctx *ctx, enum pms_status st, const char *name,
    const struct pms_import_count *n, const struct pms_import_opts *o)
{
	if (n->quotes > 0)
		fprintf(stderr, "%s: notice: %lu typographic apostrophe%s made "
		    "plain (first on line %lu)\n", ctx->prog, n->quotes,
		    n->quotes == 1 ? "" : "s", n->quotes_line);
	if (n->zips > 0)
		fprintf(stderr, "%s: warning: %lu ZIP code%s of 4 digits (first "
		    "on line %lu): a leading zero lost in a spreadsheet? kept "
		    "as %s\n", ctx->prog, n->zips, n->zips == 1 ? "" : "s",
		    n->zips_line, n->zips == 1 ? "it is" : "they are");
	if (n->zeros > 0)
		fprintf(stderr, "%s: warning: %lu new patient%s whose MRN is a "
		    "patient's but for its leading zeros (first on line %lu): "
		    "did a spreadsheet read the MRNs as numbers?\n", ctx->prog,
		    n->zeros, n->zeros == 1 ? "" : "s", n->zeros_line);
	if (n->differ > 0 && !o->update) {
		char lines[128];
		size_t i, w = 0;
		int r;

		lines[0] = '\0';
		for (i = 0; i < n->differ && i < PMS_IMPORT_LINES; i++) {
			r = snprintf(lines + w, sizeof(lines) - w, "%s%lu",
			    i > 0 ? ", " : "", n->differ_lines[i]);
			if (r > 0 && (size_t)r < sizeof(lines) - w)
				w += (size_t)r;
		}
		fprintf(stderr, "%s: %lu row%s match%s a patient but differ%s "
		    "(line%s %s%s): give --update to update %s\n", ctx->prog,
		    n->differ, n->differ == 1 ? "" : "s", n->differ == 1 ?
		    "es" : "", n->differ == 1 ? "s" : "", n->differ == 1 ? "" :
		    "s", lines, n->differ > PMS_IMPORT_LINES ? ", ..." : "",
		    n->differ == 1 ? "it" : "them");
	}
	if (st != PMS_OK)
		return fail(ctx, st);
	if (n->rows == 0)
		fprintf(stderr, "%s: %s: no rows\n", ctx->prog, name);
	if (n->rejected > 0 && ctx->dry_run)
		fprintf(stderr, "%s: %lu row%s rejected; --dry-run: %s was not "
		    "written\n", ctx->prog, n->rejected, n->rejected == 1 ? "" :
		    "s", o->rejects);
	else if (n->rejected > 0)
		fprintf(stderr, "%s: %lu row%s rejected, written to %s\n",
		    ctx->prog, n->rejected, n->rejected == 1 ? "" : "s",
		    o->rejects);
	return import_summary(ctx, n, ctx->dry_run);
}

static int
import_opts(struct pms_ctx *ctx, int argc, char **argv, int policies,
    struct pms_import_opts *o, const char **file)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		DATE_FORMAT_OPT,
		{ "map", required_argument, NULL, OPT_MAP },
		{ "encoding", required_argument, NULL, OPT_ENCODING },
		{ "update", no_argument, NULL, OPT_UPDATE },
		{ "skip-invalid", required_argument, NULL, OPT_SKIP },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc, v;

	memset(o, 0, sizeof(*o));
	o->encoding = -1;
	o->date_form = -1;
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_DATE_FORMAT:
			if ((v = pms_date_form_parse(optarg)) < 0)
				return bad_value(ctx, "--date-format", "iso, "
				    "mdy, dmy or excel", optarg);
			o->date_form = v;
			break;
		case OPT_MAP:
			if (policies)
				pms_cli_usage(ctx, "policy import: --map does "
				    "not apply: the columns are pms's own");
			o->map = optarg;
			break;
		case OPT_ENCODING:
			if ((v = pms_in_encoding_parse(optarg)) < 0)
				return bad_value(ctx, "--encoding", "utf-8 or "
				    "windows-1252", optarg);
			o->encoding = v;
			break;
		case OPT_UPDATE:
			if (policies)
				pms_cli_usage(ctx, "policy import: --update "
				    "does not apply");
			o->update = 1;
			break;
		case OPT_SKIP:
			if (*optarg == '\0')
				return pms_fail(ctx, EX_USAGE,
				    "--skip-invalid: a file name is needed");
			o->rejects = optarg;
			break;
		default:
			if ((rc = common(ctx, ch, argv)) != 0)
				return rc;
		}
	}
	operands(ctx, argc, argv, 0, 1, "one file at most (none, or -: "
	    "standard input)");
	*file = optind < argc ? argv[optind] : "-";
	o->dry_run = ctx->dry_run;
	if (isatty(STDERR_FILENO)) {
		o->progress = progress;
		o->progress_arg = ctx;
	}
	o->report = report;
	o->report_arg = ctx;
	return 0;
}

static int
cmd_import(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_import_opts o;
	struct pms_import_count n;
	struct pms_store *s;
	enum pms_status st;
	const char *file;
	FILE *in = stdin;
	int rc;

	if ((rc = import_opts(ctx, argc, argv, 0, &o, &file)) != 0 ||
	    (rc = pms_cli_rejects_path(ctx, "--skip-invalid", o.rejects,
	    file)) != 0 || (rc = pms_cli_input(ctx, file, &in)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.import", &s)) != 0) {
		if (in != stdin)
			fclose(in);
		return rc;
	}
	st = pms_patient_import(s, in, strcmp(file, "-") == 0 ? NULL : file,
	    &o, &n);
	pms_store_close(s);
	if (in != stdin)
		fclose(in);
	if (o.progress != NULL && n.rows >= PMS_IMPORT_PROGRESS)
		fputc('\n', stderr);
	return import_end(ctx, st, strcmp(file, "-") == 0 ?
	    "standard input" : file, &n, &o);
}

/* ---- duplicates, merge ---- */

static int
write_group(void *arg, const struct pms_pt_group *g)
{
	struct pms_writer *w = arg;
	struct pms_cell c[4];
	size_t i, len = 0, size = g->n * 21 + 1;
	char *ids;
	int rc;

	if ((ids = malloc(size)) == NULL)
		return 1;
	ids[0] = '\0';
	for (i = 0; i < g->n; i++)
		len += (size_t)snprintf(ids + len, size - len, "%s%lld",
		    i > 0 ? "," : "", (long long)g->ids[i]);
	int_cell(&c[0], g->group);
	int_cell(&c[1], (int64_t)g->n);
	text_cell(&c[2], ids);
	text_cell(&c[3], g->why);
	rc = pms_writer_row(w, c) != PMS_OK;
	free(ids);
	return rc;
}

static int
cmd_duplicates(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const struct pms_col cols[] = {
		{ "group_id", PMS_COL_INT }, { "patients", PMS_COL_INT },
		{ "patient_ids", PMS_COL_TEXT }, { "why", PMS_COL_TEXT },
	};
	struct pms_store *s;
	struct pms_writer *w;
	enum pms_status st;
	size_t n;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	operands(ctx, argc, argv, 0, 0, "takes no operand");
	if ((rc = pms_cli_open(ctx, "patient.duplicates", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, cols, PMS_NELEM(cols), &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_patient_duplicates(s, write_group, w, &n);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static int
cmd_merge(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "force", no_argument, NULL, OPT_FORCE },
		{ NULL, 0, NULL, 0 }
	};
	static const struct pms_col cols[] = {
		{ "table", PMS_COL_TEXT }, { "column", PMS_COL_TEXT },
		{ "rows", PMS_COL_INT },
	};
	struct pms_merge_report r;
	struct pms_store *s;
	struct pms_writer *w;
	struct pms_cell c[3];
	enum pms_status st;
	int64_t keep, drop;
	size_t i;
	int ch, rc, flags = 0;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_FORCE)
			flags |= PMS_MERGE_FORCE;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	if (ctx->dry_run)
		flags |= PMS_MERGE_DRY_RUN;
	operands(ctx, argc, argv, 2, 2, "give two patient ids: the one to "
	    "keep, then the one to drop");
	if ((rc = id_arg(ctx, argv[optind], &keep)) != 0 ||
	    (rc = id_arg(ctx, argv[optind + 1], &drop)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.merge", &s)) != 0)
		return rc;
	st = pms_patient_merge(s, keep, drop, flags, &r);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if ((rc = pms_cli_writer(ctx, cols, PMS_NELEM(cols), &w)) != 0)
		return rc;
	for (i = 0; i < r.n; i++) {
		text_cell(&c[0], r.moved[i].table);
		text_cell(&c[1], r.moved[i].column);
		c[2].null = 0;
		c[2].i = r.moved[i].rows;
		pms_writer_row(w, c);
	}
	if (r.folded > 0)
		fprintf(stderr, "%s: %lld polic%s of patient %lld %s the same "
		    "as patient %lld's: kept once\n", ctx->prog,
		    (long long)r.folded, r.folded == 1 ? "y" : "ies",
		    (long long)drop, r.folded == 1 ? "was" : "were",
		    (long long)keep);
	for (i = 0; i < r.noverlaps && i < PMS_MERGE_MAX; i++)
		fprintf(stderr, "%s: warning: appointments %lld and %lld are "
		    "at the same time: merged, the patient %s booked twice "
		    "(cancel one)\n", ctx->prog, (long long)r.overlaps[i][0],
		    (long long)r.overlaps[i][1], ctx->dry_run ? "would be" :
		    "is");
	if (r.noverlaps > PMS_MERGE_MAX)
		fprintf(stderr, "%s: warning: and %zu more pairs of "
		    "appointments at the same time\n", ctx->prog,
		    r.noverlaps - PMS_MERGE_MAX);
	fprintf(stderr, "%s: %s patient %lld into %lld\n", ctx->prog,
	    ctx->dry_run ? "would merge" : "merged", (long long)drop,
	    (long long)keep);
	return pms_cli_writer_close(ctx, w);
}

/* ---- guarantors ---- */

#define G_FIELD_OPT(name, f)	{ name, required_argument, NULL, \
	OPT_FIELD + (f) }

static int
cmd_guarantor_set(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		DATE_FORMAT_OPT,
		{ "relationship", required_argument, NULL, OPT_REL },
		{ "guarantor", required_argument, NULL, OPT_GUARANTOR },
		{ "patient", required_argument, NULL, OPT_PATIENT },
		G_FIELD_OPT("last-name", PMS_GF_LAST_NAME),
		G_FIELD_OPT("first-name", PMS_GF_FIRST_NAME),
		G_FIELD_OPT("middle-name", PMS_GF_MIDDLE_NAME),
		G_FIELD_OPT("suffix", PMS_GF_SUFFIX),
		G_FIELD_OPT("dob", PMS_GF_DOB),
		G_FIELD_OPT("street", PMS_GF_STREET),
		G_FIELD_OPT("street2", PMS_GF_STREET2),
		G_FIELD_OPT("city", PMS_GF_CITY),
		G_FIELD_OPT("state", PMS_GF_STATE),
		G_FIELD_OPT("zip", PMS_GF_ZIP),
		G_FIELD_OPT("country", PMS_GF_COUNTRY),
		G_FIELD_OPT("phone", PMS_GF_PHONE),
		G_FIELD_OPT("email", PMS_GF_EMAIL),
		{ NULL, 0, NULL, 0 }
	};
	struct pms_g_input g;
	struct pms_store *s;
	enum pms_status st;
	int64_t id, gid;
	int ch, rc;

	memset(&g, 0, sizeof(g));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch >= OPT_FIELD && ch < OPT_FIELD + PMS_GF_COUNT)
			g.in[ch - OPT_FIELD] = optarg;
		else if (ch == OPT_REL)
			g.relationship = optarg;
		else if (ch == OPT_GUARANTOR) {
			if (pms_patient_id_parse(optarg, &g.guarantor_id) !=
			    PMS_OK)
				return pms_fail(ctx, EX_USAGE, "--guarantor: "
				    "a guarantor id is a number");
		} else if (ch == OPT_PATIENT) {
			if ((rc = id_arg(ctx, optarg, &g.patient_id)) != 0)
				return rc;
		} else if (ch == OPT_DATE_FORMAT) {
			if ((rc = date_form(ctx, optarg, &g.date_form)) != 0)
				return rc;
		} else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, 1, 1, "give one patient id");
	if ((rc = id_arg(ctx, argv[optind], &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.guarantor", &s)) != 0)
		return rc;
	st = pms_guarantor_set(s, id, &g, report, ctx, &gid);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	printf("%lld\n", (long long)gid);
	return dry_done(ctx);
}

static int
cmd_guarantor_show(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const struct pms_col cols[] = {
		{ "patient_id", PMS_COL_INT }, { "guarantor_id", PMS_COL_INT },
		{ "relationship", PMS_COL_TEXT },
		{ "guarantor_patient_id", PMS_COL_INT },
		{ "last_name", PMS_COL_TEXT }, { "first_name", PMS_COL_TEXT },
		{ "middle_name", PMS_COL_TEXT }, { "suffix", PMS_COL_TEXT },
		{ "dob", PMS_COL_DATE }, { "street", PMS_COL_TEXT },
		{ "street2", PMS_COL_TEXT }, { "city", PMS_COL_TEXT },
		{ "state", PMS_COL_TEXT }, { "zip", PMS_COL_TEXT },
		{ "country", PMS_COL_TEXT }, { "phone", PMS_COL_TEXT },
		{ "email", PMS_COL_TEXT },
	};
	struct pms_guarantor g;
	struct pms_store *s;
	struct pms_writer *w;
	struct pms_cell c[PMS_NELEM(cols)];
	enum pms_status st;
	int64_t id;
	int ch, rc, self;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	operands(ctx, argc, argv, 1, 1, "give one patient id");
	if ((rc = id_arg(ctx, argv[optind], &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.guarantor", &s)) != 0)
		return rc;
	st = pms_guarantor_show(s, id, &g, &self);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if ((rc = pms_cli_writer(ctx, cols, PMS_NELEM(cols), &w)) != 0)
		return rc;
	int_cell(&c[0], id);
	int_cell(&c[1], g.id);
	text_cell(&c[2], self ? "self" : g.relationship);
	int_cell(&c[3], g.patient_id);
	text_cell(&c[4], g.last_name);
	text_cell(&c[5], g.first_name);
	text_cell(&c[6], g.middle_name);
	text_cell(&c[7], g.suffix);
	text_cell(&c[8], g.dob);
	text_cell(&c[9], g.street);
	text_cell(&c[10], g.street2);
	text_cell(&c[11], g.city);
	text_cell(&c[12], g.state);
	text_cell(&c[13], g.zip);
	text_cell(&c[14], g.country);
	text_cell(&c[15], g.phone);
	text_cell(&c[16], g.email);
	pms_writer_row(w, c);
	return pms_cli_writer_close(ctx, w);
}

static int
cmd_guarantor_clear(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	enum pms_status st;
	int64_t id;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	operands(ctx, argc, argv, 1, 1, "give one patient id");
	if ((rc = id_arg(ctx, argv[optind], &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.guarantor", &s)) != 0)
		return rc;
	st = pms_guarantor_clear(s, id);
	pms_store_close(s);
	return st != PMS_OK ? fail(ctx, st) : dry_done(ctx);
}

/* ---- policies ---- */

static const struct pms_col pol_cols[] = {
	{ "policy_id", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	{ "payer", PMS_COL_TEXT }, { "priority", PMS_COL_TEXT },
	{ "member_id", PMS_COL_TEXT }, { "group_number", PMS_COL_TEXT },
	{ "relationship", PMS_COL_TEXT },
	{ "subscriber_last_name", PMS_COL_TEXT },
	{ "subscriber_first_name", PMS_COL_TEXT },
	{ "subscriber_middle_name", PMS_COL_TEXT },
	{ "subscriber_suffix", PMS_COL_TEXT },
	{ "subscriber_dob", PMS_COL_DATE },
	{ "subscriber_sex", PMS_COL_TEXT },
	{ "subscriber_street", PMS_COL_TEXT },
	{ "subscriber_street2", PMS_COL_TEXT },
	{ "subscriber_city", PMS_COL_TEXT },
	{ "subscriber_state", PMS_COL_TEXT },
	{ "subscriber_zip", PMS_COL_TEXT },
	{ "effective_from", PMS_COL_DATE }, { "effective_to", PMS_COL_DATE },
};

static int
write_policy(void *arg, const struct pms_policy *o)
{
	static const char *const prio[] = { "", "primary", "secondary",
	    "tertiary" };
	struct pms_writer *w = arg;
	struct pms_cell c[PMS_NELEM(pol_cols)];

	int_cell(&c[0], o->id);
	int_cell(&c[1], o->patient_id);
	text_cell(&c[2], o->payer);
	text_cell(&c[3], prio[o->priority >= 1 && o->priority <= 3 ?
	    o->priority : 0]);
	text_cell(&c[4], o->member_id);
	text_cell(&c[5], o->group_number);
	text_cell(&c[6], o->relationship);
	text_cell(&c[7], o->subscriber_last_name);
	text_cell(&c[8], o->subscriber_first_name);
	text_cell(&c[9], o->subscriber_middle_name);
	text_cell(&c[10], o->subscriber_suffix);
	text_cell(&c[11], o->subscriber_dob);
	text_cell(&c[12], o->subscriber_sex);
	text_cell(&c[13], o->subscriber_street);
	text_cell(&c[14], o->subscriber_street2);
	text_cell(&c[15], o->subscriber_city);
	text_cell(&c[16], o->subscriber_state);
	text_cell(&c[17], o->subscriber_zip);
	text_cell(&c[18], o->effective_from);
	text_cell(&c[19], o->effective_to);
	return pms_writer_row(w, c) != PMS_OK;
}

#define O_FIELD_OPT(name, f)	{ name, required_argument, NULL, \
	OPT_FIELD + (f) }

static int
cmd_policy_add(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		DATE_FORMAT_OPT,
		O_FIELD_OPT("payer", PMS_OF_PAYER),
		O_FIELD_OPT("priority", PMS_OF_PRIORITY),
		O_FIELD_OPT("member-id", PMS_OF_MEMBER_ID),
		O_FIELD_OPT("group-number", PMS_OF_GROUP_NUMBER),
		O_FIELD_OPT("relationship", PMS_OF_RELATIONSHIP),
		O_FIELD_OPT("subscriber-last-name",
		    PMS_OF_SUBSCRIBER_LAST_NAME),
		O_FIELD_OPT("subscriber-first-name",
		    PMS_OF_SUBSCRIBER_FIRST_NAME),
		O_FIELD_OPT("subscriber-middle-name",
		    PMS_OF_SUBSCRIBER_MIDDLE_NAME),
		O_FIELD_OPT("subscriber-suffix", PMS_OF_SUBSCRIBER_SUFFIX),
		O_FIELD_OPT("subscriber-dob", PMS_OF_SUBSCRIBER_DOB),
		O_FIELD_OPT("subscriber-sex", PMS_OF_SUBSCRIBER_SEX),
		O_FIELD_OPT("subscriber-street", PMS_OF_SUBSCRIBER_STREET),
		O_FIELD_OPT("subscriber-street2", PMS_OF_SUBSCRIBER_STREET2),
		O_FIELD_OPT("subscriber-city", PMS_OF_SUBSCRIBER_CITY),
		O_FIELD_OPT("subscriber-state", PMS_OF_SUBSCRIBER_STATE),
		O_FIELD_OPT("subscriber-zip", PMS_OF_SUBSCRIBER_ZIP),
		O_FIELD_OPT("from", PMS_OF_EFFECTIVE_FROM),
		O_FIELD_OPT("to", PMS_OF_EFFECTIVE_TO),
		{ NULL, 0, NULL, 0 }
	};
	static const struct pms_col cols[] = {
		{ "policy_id", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	};
	struct pms_pol_input in;
	struct pms_store *s;
	struct pms_writer *w;
	struct pms_cell c[2];
	enum pms_status st;
	int64_t id, pid;
	int ch, rc;

	memset(&in, 0, sizeof(in));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch >= OPT_FIELD && ch < OPT_FIELD + PMS_OF_COUNT)
			in.in[ch - OPT_FIELD] = optarg;
		else if (ch == OPT_DATE_FORMAT) {
			if ((rc = date_form(ctx, optarg, &in.date_form)) != 0)
				return rc;
		} else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, 1, 1, "give one patient id");
	if ((rc = id_arg(ctx, argv[optind], &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.policy.add", &s)) != 0)
		return rc;
	st = pms_policy_add(s, id, &in, report, ctx, &pid);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	if ((rc = pms_cli_writer(ctx, cols, PMS_NELEM(cols), &w)) != 0)
		return rc;
	int_cell(&c[0], pid);
	int_cell(&c[1], id);
	pms_writer_row(w, c);
	if ((rc = pms_cli_writer_close(ctx, w)) != 0)
		return rc;
	return dry_done(ctx);
}

static int
cmd_policy_list(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	struct pms_writer *w;
	enum pms_status st;
	int64_t id = 0;
	size_t n;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	operands(ctx, argc, argv, 0, 1, "one patient id at most (none: "
	    "every patient's)");
	if (optind < argc && (rc = id_arg(ctx, argv[optind], &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.policy.list", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, pol_cols, PMS_NELEM(pol_cols), &w)) !=
	    0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_policy_list(s, id, write_policy, w, &n);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return fail(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static int
cmd_policy_end(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "on", required_argument, NULL, OPT_ON },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	enum pms_status st;
	const char *on = NULL;
	int64_t id;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_ON)
			on = optarg;
		else if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	}
	operands(ctx, argc, argv, 1, 1, "give one policy id");
	if (on == NULL)
		pms_cli_usage(ctx, "policy end: --on DATE, the last day the "
		    "policy covers, is needed");
	if (pms_patient_id_parse(argv[optind], &id) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "a policy id is a number");
	if ((rc = pms_cli_open(ctx, "patient.policy.end", &s)) != 0)
		return rc;
	st = pms_policy_end(s, id, on);
	pms_store_close(s);
	return st != PMS_OK ? fail(ctx, st) : dry_done(ctx);
}

static int
cmd_policy_remove(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	enum pms_status st;
	int64_t id;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = common(ctx, ch, argv)) != 0)
			return rc;
	operands(ctx, argc, argv, 1, 1, "give one policy id");
	if (pms_patient_id_parse(argv[optind], &id) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "a policy id is a number");
	if ((rc = pms_cli_open(ctx, "patient.policy.remove", &s)) != 0)
		return rc;
	st = pms_policy_remove(s, id);
	pms_store_close(s);
	if (st != PMS_OK)
		return fail(ctx, st);
	fprintf(stderr, "%s: policy %lld %s\n", ctx->prog, (long long)id,
	    ctx->dry_run ? "would be removed" : "removed");
	return dry_done(ctx);
}

static int
cmd_policy_import(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_import_opts o;
	struct pms_import_count n;
	struct pms_store *s;
	enum pms_status st;
	const char *file;
	FILE *in = stdin;
	int rc;

	if ((rc = import_opts(ctx, argc, argv, 1, &o, &file)) != 0 ||
	    (rc = pms_cli_rejects_path(ctx, "--skip-invalid", o.rejects,
	    file)) != 0 ||
	    (rc = pms_cli_input(ctx, file, &in)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "patient.policy.import", &s)) != 0) {
		if (in != stdin)
			fclose(in);
		return rc;
	}
	st = pms_policy_import(s, in, strcmp(file, "-") == 0 ? NULL : file,
	    &o, &n);
	pms_store_close(s);
	if (in != stdin)
		fclose(in);
	if (o.progress != NULL && n.rows >= PMS_IMPORT_PROGRESS)
		fputc('\n', stderr);
	return import_end(ctx, st, strcmp(file, "-") == 0 ?
	    "standard input" : file, &n, &o);
}

static const struct pms_cmd cmds[] = {	/* cmd_* parse their own options */
	{ "add", cmd_add },
	{ "show", cmd_show },
	{ "find", cmd_find },
	{ "list", cmd_list },
	{ "update", cmd_update },
	{ "export", cmd_export },
	{ "import", cmd_import },
	{ "duplicates", cmd_duplicates },
	{ "merge", cmd_merge },
	{ "guarantor set", cmd_guarantor_set },
	{ "guarantor show", cmd_guarantor_show },
	{ "guarantor clear", cmd_guarantor_clear },
	{ "policy add", cmd_policy_add },
	{ "policy list", cmd_policy_list },
	{ "policy end", cmd_policy_end },
	{ "policy remove", cmd_policy_remove },
	{ "policy import", cmd_policy_import },
};

int
main(int argc, char *argv[])
{
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-patient");
	ctx.usage = usage;
	rc = pms_cli_main(&ctx, cmds, PMS_NELEM(cmds), argc, argv);
	pms_ctx_release(&ctx);
	return rc;
}
