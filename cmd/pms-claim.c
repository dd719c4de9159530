/*
 * pms-claim: insurance claims out as X12 837P, and the answers in.
 * This first command reads any X12 file pms deals in (837P, 835, 999,
 * TA1, 277CA) and prints it as records: one a segment, or one a
 * transaction set in short.  It needs no store, so it never asks for a
 * passphrase.  The reading is lib/x12.c's; this file reads options and
 * prints.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "x12.h"

/* The element columns of inspect: e01 .. e32. */
#define INSPECT_ELEMS	32

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-claim [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-claim inspect [--summary] [-o table|csv|json] "
	    "[--out file] file|-\n"
	    "       pms-claim --help | --version\n", f);
	pms_cli_usage_exit(status);
}

/* Every option of the commands: one table, each command allows some. */
enum {
	OPT_SUMMARY = PMS_OPT_FIRST
};

static const struct option longopts[] = {
	PMS_CLI_LONGOPTS,
	{ "summary",	no_argument,		NULL, OPT_SUMMARY },
	{ NULL,		0,			NULL, 0 }
};

/* What a command's options said. */
struct args {
	const char	*v[OPT_SUMMARY - OPT_SUMMARY + 1];
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
 * A command's options and operands (min to max of them); allow names
 * the options it takes besides the common ones.  0, or an exit code.
 */
static int
parse(struct pms_ctx *ctx, int argc, char **argv, struct args *a, int min,
    int max, const char *allow)
{
	int ch, rc, idx = 0;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    &idx)) != -1) {
		if (ch >= OPT_SUMMARY && ch <= OPT_SUMMARY) {
			if (!allowed(allow, longopts[idx].name)) {
				pms_fail(ctx, EX_USAGE, "%s: option \"--%s\" "
				    "does not apply", ctx->cmd,
				    longopts[idx].name);
				usage(EX_USAGE);
			}
			ARG(a, ch) = optarg != NULL ? optarg : "";
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

	if ((rc = parse(ctx, argc, argv, &a, 1, 1, "summary")) != 0)
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

static const struct pms_cmd cmds[] = {
	{ "inspect", cmd_inspect },
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
