/*
 * pms-audit: the tamper-evident access log, for the compliance officer.
 * The entries as records (who did what, to which patients, when, by
 * break-glass or not), the accounting of disclosures of 45 CFR 164.528,
 * the files that carried patient data out of the store, verifying the
 * chain and its signatures (against a checkpoint kept outside the
 * store), checkpoints, and a signed extract an auditor verifies without
 * the store.  The work is lib/audit_log.c's; this file reads options
 * and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "audit.h"
#include "cli.h"
#include "patient.h"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-audit [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-audit log [--patient id] [--user user] [--from date] "
	    "[--to date] [--action action] [--flagged] [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-audit disclosures id [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-audit record-disclosure id --to recipient "
	    "--purpose purpose --what description [--address address] "
	    "[--on date] [--dry-run] [-o table|csv|json]\n"
	    "       pms-audit exports [--patient id] [-o table|csv|json] "
	    "[--out file]\n"
	    "       pms-audit verify [--checkpoint file]\n"
	    "       pms-audit checkpoint [--out file]\n"
	    "       pms-audit export from to [--out file]\n"
	    "       pms-audit verify-export file [--checkpoint file]\n"
	    "       pms-audit --help | --version\n", f);
	pms_cli_usage_exit(status);
}

enum {
	OPT_PATIENT = PMS_OPT_FIRST,
	OPT_BY_USER,
	OPT_FROM,
	OPT_TO,
	OPT_ACTION,
	OPT_FLAGGED,
	OPT_PURPOSE,
	OPT_WHAT,
	OPT_ADDRESS,
	OPT_ON,
	OPT_CHECKPOINT
};

/* What a command takes of the common options beyond the store's. */
#define TAKES_O		0x1	/* -o */
#define TAKES_OUT	0x2	/* --out */
#define TAKES_DRY	0x4	/* --dry-run */

/*
 * After a command's options: refuse the common ones it does not take,
 * and operands beyond nargs.  0, or the exit code.
 */
static int
check_opts(struct pms_ctx *ctx, unsigned takes, int argc, int nargs)
{
	const char *bad = NULL;

	if (!(takes & TAKES_O) && ctx->out_format != PMS_OUT_AUTO)
		bad = "-o";
	else if (!(takes & TAKES_OUT) && ctx->out_path != NULL)
		bad = "--out";
	else if (!(takes & TAKES_DRY) && ctx->dry_run)
		bad = "--dry-run";
	if (bad != NULL) {
		pms_fail(ctx, EX_USAGE, "%s: option \"%s\" does not apply",
		    ctx->cmd, bad);
		usage(EX_USAGE);
	}
	if (argc - optind != nargs)
		usage(EX_USAGE);
	return 0;
}

/* A patient id: 0, or the exit code after reporting. */
static int
patient_arg(struct pms_ctx *ctx, const char *what, const char *arg,
    int64_t *id)
{
	if (pms_patient_id_parse(arg, id) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "%s: %s", what, pms_errmsg());
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
	c->null = 0;
	c->text = NULL;
	c->i = v;
}

/* Close the writer after a walk: the walk's status first. */
static int
walk_done(struct pms_ctx *ctx, struct pms_writer *w, enum pms_status st)
{
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return pms_fail_status(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

/* ---- log ---- */

static const struct pms_col log_cols[] = {
	{ "audit_id", PMS_COL_INT }, { "at", PMS_COL_TIME },
	{ "user", PMS_COL_TEXT }, { "program", PMS_COL_TEXT },
	{ "action", PMS_COL_TEXT }, { "fields", PMS_COL_TEXT },
	{ "patient_ids", PMS_COL_TEXT }, { "flag", PMS_COL_TEXT },
};

static int
log_row(void *arg, const struct pms_audit_row *r)
{
	struct pms_cell c[PMS_NELEM(log_cols)];

	int_cell(&c[0], r->id);
	text_cell(&c[1], r->at);
	text_cell(&c[2], r->user);
	text_cell(&c[3], r->program);
	text_cell(&c[4], r->action);
	text_cell(&c[5], r->fields);
	text_cell(&c[6], r->patients);
	text_cell(&c[7], r->flag);
	return pms_writer_row(arg, c) != PMS_OK;
}

static int
cmd_log(struct pms_ctx *ctx, int argc, char **argv)
{
	/* --user is the filter here, before the common --user (the
	 * slot), which -u and the options before the command still set */
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, OPT_BY_USER },
		PMS_CLI_LONGOPTS,
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "action", required_argument, NULL, OPT_ACTION },
		{ "flagged", no_argument, NULL, OPT_FLAGGED },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_audit_query q;
	struct pms_store *s;
	struct pms_writer *w;
	enum pms_status st;
	size_t n;
	int ch, rc;

	memset(&q, 0, sizeof(q));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_PATIENT:
			if ((rc = patient_arg(ctx, "--patient", optarg,
			    &q.patient)) != 0)
				return rc;
			break;
		case OPT_BY_USER:
			q.user = optarg;
			break;
		case OPT_FROM:
			q.from = optarg;
			break;
		case OPT_TO:
			q.to = optarg;
			break;
		case OPT_ACTION:
			q.action = optarg;
			break;
		case OPT_FLAGGED:
			q.flagged = 1;
			break;
		default:
			if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
				return rc;
		}
	}
	if ((rc = check_opts(ctx, TAKES_O | TAKES_OUT, argc, 0)) != 0)
		return rc;
	q.out_path = ctx->out_path;
	if ((rc = pms_cli_open(ctx, "audit.log", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, log_cols, PMS_NELEM(log_cols), &w)) !=
	    0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_audit_log(s, &q, log_row, w, &n);
	pms_store_close(s);
	return walk_done(ctx, w, st);
}

/* ---- disclosures ---- */

static const struct pms_col disclosure_cols[] = {
	{ "disclosure_id", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	{ "disclosed_on", PMS_COL_DATE }, { "recipient", PMS_COL_TEXT },
	{ "address", PMS_COL_TEXT }, { "purpose", PMS_COL_TEXT },
	{ "description", PMS_COL_TEXT }, { "recorded_at", PMS_COL_TIME },
	{ "recorded_by", PMS_COL_TEXT },
};

static int
disclosure_row(void *arg, const struct pms_disclosure *d)
{
	struct pms_cell c[PMS_NELEM(disclosure_cols)];

	int_cell(&c[0], d->id);
	int_cell(&c[1], d->patient_id);
	text_cell(&c[2], d->on);
	text_cell(&c[3], d->recipient);
	text_cell(&c[4], d->address);
	text_cell(&c[5], d->purpose);
	text_cell(&c[6], d->description);
	text_cell(&c[7], d->recorded_at);
	text_cell(&c[8], d->recorded_by);
	return pms_writer_row(arg, c) != PMS_OK;
}

static int
cmd_disclosures(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	struct pms_writer *w;
	enum pms_status st;
	int64_t id;
	size_t n;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	if ((rc = check_opts(ctx, TAKES_O | TAKES_OUT, argc, 1)) != 0 ||
	    (rc = patient_arg(ctx, "disclosures", argv[optind], &id)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "audit.disclosures", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, disclosure_cols,
	    PMS_NELEM(disclosure_cols), &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_audit_disclosures(s, id, ctx->out_path, disclosure_row, w,
	    &n);
	pms_store_close(s);
	return walk_done(ctx, w, st);
}

static int
cmd_record_disclosure(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		PMS_CLI_LONGOPTS,
		{ "purpose", required_argument, NULL, OPT_PURPOSE },
		{ "what", required_argument, NULL, OPT_WHAT },
		{ "address", required_argument, NULL, OPT_ADDRESS },
		{ "on", required_argument, NULL, OPT_ON },
		{ NULL, 0, NULL, 0 }
	};
	static const struct pms_col cols[] = {
		{ "disclosure_id", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	};
	struct pms_disclosure d;
	struct pms_store *s;
	struct pms_writer *w;
	struct pms_cell c[2];
	enum pms_status st;
	int64_t patient, id;
	int ch, rc;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_TO:
			d.recipient = optarg;
			break;
		case OPT_PURPOSE:
			d.purpose = optarg;
			break;
		case OPT_WHAT:
			d.description = optarg;
			break;
		case OPT_ADDRESS:
			d.address = optarg;
			break;
		case OPT_ON:
			d.on = optarg;
			break;
		default:
			if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
				return rc;
		}
	}
	if ((rc = check_opts(ctx, TAKES_O | TAKES_DRY, argc, 1)) != 0 ||
	    (rc = patient_arg(ctx, "record-disclosure", argv[optind],
	    &patient)) != 0)
		return rc;
	if (d.recipient == NULL || d.purpose == NULL || d.description == NULL)
		return pms_fail(ctx, EX_USAGE, "record-disclosure: --to, "
		    "--purpose and --what are needed");
	if ((rc = pms_cli_open(ctx, "audit.record-disclosure", &s)) != 0)
		return rc;
	st = pms_audit_disclose(s, patient, &d, ctx->dry_run, &id);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	if (ctx->dry_run) {
		fprintf(stderr, "%s: --dry-run: the disclosure is valid; "
		    "nothing was written\n", ctx->prog);
		return EX_OK;
	}
	if ((rc = pms_cli_writer(ctx, cols, PMS_NELEM(cols), &w)) != 0)
		return rc;
	int_cell(&c[0], id);
	int_cell(&c[1], patient);
	pms_writer_row(w, c);
	return pms_cli_writer_close(ctx, w);
}

/* ---- exports ---- */

static const struct pms_col export_cols[] = {
	{ "export_id", PMS_COL_INT }, { "at", PMS_COL_TIME },
	{ "user", PMS_COL_TEXT }, { "program", PMS_COL_TEXT },
	{ "kind", PMS_COL_TEXT }, { "path", PMS_COL_TEXT },
	{ "patients", PMS_COL_INT }, { "audit_id", PMS_COL_INT },
};

static int
export_row(void *arg, const struct pms_export_row *r)
{
	struct pms_cell c[PMS_NELEM(export_cols)];

	int_cell(&c[0], r->id);
	text_cell(&c[1], r->at);
	text_cell(&c[2], r->user);
	text_cell(&c[3], r->program);
	text_cell(&c[4], r->kind);
	text_cell(&c[5], r->path);	/* null: standard output */
	int_cell(&c[6], r->patients);
	int_cell(&c[7], r->audit_id);
	return pms_writer_row(arg, c) != PMS_OK;
}

static int
cmd_exports(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_store *s;
	struct pms_writer *w;
	enum pms_status st;
	int64_t patient = 0;
	size_t n;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_PATIENT) {
			if ((rc = patient_arg(ctx, "--patient", optarg,
			    &patient)) != 0)
				return rc;
		} else if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	if ((rc = check_opts(ctx, TAKES_O | TAKES_OUT, argc, 0)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "audit.exports", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, export_cols, PMS_NELEM(export_cols),
	    &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_audit_exports(s, patient, ctx->out_path, export_row, w, &n);
	pms_store_close(s);
	return walk_done(ctx, w, st);
}

/* ---- verify, checkpoint ---- */

/* Read the checkpoint file path into cp: 0, or the exit code. */
static int
read_checkpoint(struct pms_ctx *ctx, const char *path,
    struct pms_audit_checkpoint *cp)
{
	enum pms_status st;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return pms_fail(ctx, EX_NOINPUT, "cannot open \"%s\": %s",
		    path, strerror(errno));
	st = pms_audit_checkpoint_read(f, path, cp);
	fclose(f);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	return 0;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static int
cmd_verify(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_audit_checkpoint cp;
	struct pms_audit_report r;
	struct pms_store *s;
	enum pms_status st;
	const char *cpath = NULL;
	char h[65];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_CHECKPOINT)
			cpath = optarg;
		else if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	if ((rc = check_opts(ctx, 0, argc, 0)) != 0)
		return rc;
	/* a bad checkpoint is told before the store is opened */
	if (cpath != NULL && (rc = read_checkpoint(ctx, cpath, &cp)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "audit.verify", &s)) != 0)
		return rc;
	st = pms_audit_check(s, cpath != NULL ? &cp : NULL, &r);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	hex(r.head_hash, sizeof(r.head_hash), h);
	printf("entries:    %lld verified, chain and signatures\n",
	    (long long)r.entries);
	printf("head:       entry %lld, hash %s\n", (long long)r.head, h);
	if (cpath != NULL)
		printf("checkpoint: entry %lld of %s by %s: still in the log, "
		    "unchanged\n", (long long)cp.entry, cp.at, cp.user);
	return EX_OK;
}

static int
cmd_checkpoint(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_audit_checkpoint cp;
	struct pms_store *s;
	enum pms_status st;
	char *text;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	if ((rc = check_opts(ctx, TAKES_OUT, argc, 0)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "audit.checkpoint", &s)) != 0)
		return rc;
	st = pms_audit_checkpoint(s, &cp);
	pms_store_close(s);
	if (st != PMS_OK || (st = pms_audit_checkpoint_fmt(&cp, &text)) !=
	    PMS_OK)
		return pms_fail_status(ctx, st);
	st = pms_audit_write_text(ctx->out_path, stdout, text, strlen(text));
	free(text);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	return EX_OK;
}

/* ---- extracts ---- */

static int
cmd_export(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct pms_extract_info info;
	struct pms_store *s;
	enum pms_status st;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	if ((rc = check_opts(ctx, TAKES_OUT, argc, 2)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "audit.export", &s)) != 0)
		return rc;
	st = pms_audit_extract(s, argv[optind], argv[optind + 1],
	    ctx->out_path, stdout, &info);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	if (info.entries == 0)
		fprintf(stderr, "%s: no entries from %s to %s; the extract "
		    "holds its header and signature only\n", ctx->prog,
		    argv[optind], argv[optind + 1]);
	else
		fprintf(stderr, "%s: entries %lld to %lld (%zu), %zu keys, "
		    "%zu patients named, signed by %s\n", ctx->prog,
		    (long long)info.first, (long long)info.last, info.entries,
		    info.keys, info.patients, info.made_by);
	return EX_OK;
}

static int
cmd_verify_export(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		PMS_CLI_LONGOPTS,
		{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
		{ NULL, 0, NULL, 0 }
	};
	struct pms_audit_checkpoint cp;
	struct pms_extract_info info;
	enum pms_status st;
	const char *cpath = NULL, *path;
	FILE *f;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (ch == OPT_CHECKPOINT)
			cpath = optarg;
		else if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	if ((rc = check_opts(ctx, 0, argc, 1)) != 0)
		return rc;
	if (cpath != NULL && (rc = read_checkpoint(ctx, cpath, &cp)) != 0)
		return rc;
	path = argv[optind];
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "re")) == NULL)
		return pms_fail(ctx, EX_NOINPUT, "cannot open \"%s\": %s",
		    path, strerror(errno));
	st = pms_audit_extract_verify(f, path, cpath != NULL ? &cp : NULL,
	    &info);
	if (f != stdin)
		fclose(f);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("store:      %s\n", info.store);
	printf("made:       %s by %s, signature verified\n", info.made_at,
	    info.made_by);
	if (info.entries > 0)
		printf("entries:    %lld to %lld, %zu verified, chain and "
		    "signatures\n", (long long)info.first,
		    (long long)info.last, info.entries);
	else
		printf("entries:    none\n");
	printf("keys:       %zu\n", info.keys);
	if (cpath != NULL)
		printf("checkpoint: entry %lld of %s: %s\n",
		    (long long)cp.entry, cp.at, cp.entry >= info.first &&
		    cp.entry <= info.last ? "in the extract, unchanged" :
		    "outside the extract; its key agrees");
	return EX_OK;
}

static const struct pms_cmd cmds[] = {
	{ "log", cmd_log },
	{ "disclosures", cmd_disclosures },
	{ "record-disclosure", cmd_record_disclosure },
	{ "exports", cmd_exports },
	{ "verify", cmd_verify },
	{ "checkpoint", cmd_checkpoint },
	{ "export", cmd_export },
	{ "verify-export", cmd_verify_export },
};

int
main(int argc, char *argv[])
{
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-audit");
	ctx.usage = usage;
	rc = pms_cli_main(&ctx, cmds, PMS_NELEM(cmds), argc, argv);
	pms_ctx_release(&ctx);
	return rc;
}
