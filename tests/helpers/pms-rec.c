/*
 * pms-rec: the record reader and writer of libpms (record.h) on the
 * command line, so that the Bats tests can feed them every quirk of
 * real input and look at exactly what comes out.  A test helper, built
 * from libpms and never installed.
 *
 * "read" prints each record as one line, "line N: name:type=value|...",
 * with "\", "|" and control bytes escaped; bad records go to stderr as
 * "pms-rec: MESSAGE" and reading goes on.  "write" takes rows of
 * tab-separated cells on stdin ("\N" a null cell; "\t", "\n", "\r",
 * "\\" escapes) and writes them through one writer.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "money.h"
#include "ptime.h"
#include "record.h"

static _Noreturn void
usage(int status)
{
	fputs("usage: pms-rec read [--format auto|csv|json] "
	    "[--encoding utf-8|windows-1252]\n"
	    "           [--header] [--get TYPE:FIELD[:FORM]]... [FILE|-]\n"
	    "       pms-rec write [-o auto|table|csv|json] [--out FILE] "
	    "[--abort]\n"
	    "           --cols NAME:TYPE,...\n"
	    "TYPE of --get: text money int bool date time local "
	    "(FORM: iso mdy dmy excel)\n"
	    "TYPE of --cols: text int money date time\n",
	    status == EX_OK ? stdout : stderr);
	exit(status);
}

/* ---- read ---- */

static const char *
type_name(enum pms_val_type t)
{
	switch (t) {
	case PMS_VAL_ABSENT:
		return "absent";
	case PMS_VAL_NULL:
		return "null";
	case PMS_VAL_TEXT:
		return "text";
	case PMS_VAL_INT:
		return "int";
	case PMS_VAL_REAL:
		return "real";
	case PMS_VAL_BOOL:
		return "bool";
	case PMS_VAL_OTHER:
		return "other";
	}
	return "?";
}

/* Print s with "\", "|" and control bytes escaped. */
static void
put_escaped(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\\' || *p == '|')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p == 0x7F)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

struct get {
	char		*type;
	char		*field;
	enum pms_date_form form;
};

/* Run one --get on rec: a line on stdout, or the message on stderr. */
static int
run_get(struct pms_ctx *ctx, const struct pms_record *rec,
    const struct get *g)
{
	char buf[PMS_STAMP_BUFSZ];
	enum pms_status st;
	int64_t v = 0;
	int32_t d = 0;
	struct pms_local lt;
	int b = 0;

	if (strcmp(g->type, "text") == 0) {
		const char *s = pms_record_text(rec, g->field);

		printf("line %lu: %s: %s ", pms_record_line(rec), g->field,
		    type_name(pms_record_type(rec, g->field)));
		put_escaped(s != NULL ? s : "");
		putchar('\n');
		return 0;
	}
	if (strcmp(g->type, "money") == 0)
		st = pms_record_money(rec, g->field, &v);
	else if (strcmp(g->type, "int") == 0)
		st = pms_record_int(rec, g->field, &v);
	else if (strcmp(g->type, "bool") == 0)
		st = pms_record_bool(rec, g->field, &b);
	else if (strcmp(g->type, "date") == 0)
		st = pms_record_date(rec, g->field, g->form, &d);
	else if (strcmp(g->type, "time") == 0)
		st = pms_record_time(rec, g->field, &d);
	else
		st = pms_record_local(rec, g->field, g->form, &lt);
	if (st == PMS_ENOINPUT) {
		printf("line %lu: %s: none\n", pms_record_line(rec), g->field);
		return 0;
	}
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	printf("line %lu: %s: %s ", pms_record_line(rec), g->field, g->type);
	if (strcmp(g->type, "money") == 0 || strcmp(g->type, "int") == 0)
		printf("%" PRId64 "\n", v);
	else if (strcmp(g->type, "bool") == 0)
		printf("%d\n", b);
	else if (strcmp(g->type, "date") == 0) {
		pms_date_fmt(d, buf);
		printf("%s\n", buf);
	} else if (strcmp(g->type, "time") == 0) {
		pms_time_fmt(d, buf);
		printf("%s\n", buf);
	} else {
		pms_local_fmt(&lt, buf);
		printf("%s\n", buf);
	}
	return 0;
}

static void
print_record(const struct pms_record *rec)
{
	size_t i;

	printf("line %lu: ", pms_record_line(rec));
	for (i = 0; i < pms_record_nfields(rec); i++) {
		if (i > 0)
			putchar('|');
		put_escaped(pms_record_name(rec, i));
		printf(":%s", type_name(pms_record_type_at(rec, i)));
		if (pms_record_text_at(rec, i) != NULL) {
			putchar('=');
			put_escaped(pms_record_text_at(rec, i));
		}
	}
	putchar('\n');
}

static const char *const get_types[] = {
	"text", "money", "int", "bool", "date", "time", "local",
};

/* Parse "TYPE:FIELD[:FORM]" in place. */
static int
parse_get(char *arg, struct get *g)
{
	char *form;
	size_t i;
	int f;

	g->type = arg;
	if ((g->field = strchr(arg, ':')) == NULL)
		return -1;
	*g->field++ = '\0';
	g->form = PMS_DATE_ISO;
	if ((form = strchr(g->field, ':')) != NULL) {
		*form++ = '\0';
		if ((f = pms_date_form_parse(form)) == -1)
			return -1;
		g->form = (enum pms_date_form)f;
	}
	for (i = 0; i < PMS_NELEM(get_types); i++)
		if (strcmp(g->type, get_types[i]) == 0)
			return *g->field != '\0' ? 0 : -1;
	return -1;
}

static int
cmd_read(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ "encoding",	required_argument,	NULL, 'e' },
		{ "header",	no_argument,		NULL, 'H' },
		{ "get",	required_argument,	NULL, 'g' },
		{ NULL,		0,			NULL, 0 },
	};
	enum pms_in_format fmt = PMS_IN_AUTO;
	enum pms_in_encoding enc = PMS_ENC_UTF8;
	struct pms_reader *r = NULL;
	struct pms_record *rec;
	struct get gets[32];
	const char *path = "-";
	size_t ngets = 0, i;
	enum pms_status st;
	FILE *in = stdin;
	int ch, v, header = 0, rc = EX_OK, grc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if ((v = pms_in_format_parse(optarg)) == -1)
				usage(EX_USAGE);
			fmt = (enum pms_in_format)v;
			break;
		case 'e':
			if ((v = pms_in_encoding_parse(optarg)) == -1)
				return pms_fail(ctx, EX_USAGE,
				    "--encoding: unknown encoding \"%s\"",
				    optarg);
			enc = (enum pms_in_encoding)v;
			break;
		case 'H':
			header = 1;
			break;
		case 'g':
			if (ngets == PMS_NELEM(gets) ||
			    parse_get(optarg, &gets[ngets]) != 0)
				usage(EX_USAGE);
			ngets++;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	if (argc - optind > 1)
		usage(EX_USAGE);
	if (argc - optind == 1)
		path = argv[optind];
	if (strcmp(path, "-") != 0 && (in = fopen(path, "rb")) == NULL)
		return pms_fail(ctx, EX_NOINPUT, "%s: %s", path,
		    strerror(errno));
	if ((st = pms_reader_open(&r, in, path, fmt, enc)) != PMS_OK) {
		rc = pms_fail_status(ctx, st);
		goto out;
	}
	if (header) {
		printf("format: %s\n", pms_reader_format(r) == PMS_IN_JSON ?
		    "json" : "csv");
		if (pms_reader_ncols(r) > 0) {
			printf("header: ");
			for (i = 0; i < pms_reader_ncols(r); i++) {
				if (i > 0)
					putchar('|');
				put_escaped(pms_reader_col(r, i));
			}
			putchar('\n');
		}
	}
	for (;;) {
		if ((st = pms_reader_next(r, &rec)) != PMS_OK) {
			rc = pms_fail_status(ctx, st);
			if (st != PMS_EDATA)
				break;
			continue;
		}
		if (rec == NULL)
			break;
		print_record(rec);
		for (i = 0; i < ngets; i++)
			if ((grc = run_get(ctx, rec, &gets[i])) != 0)
				rc = grc;
	}
out:
	pms_reader_close(r);
	if (in != stdin)
		fclose(in);
	return rc;
}

/* ---- write ---- */

/* Parse "name:type,..." in place into cols (at most max). */
static int
parse_cols(char *spec, struct pms_col *cols, size_t max, size_t *n)
{
	static const struct {
		const char	*name;
		enum pms_col_type type;
	} types[] = {
		{ "text", PMS_COL_TEXT }, { "int", PMS_COL_INT },
		{ "money", PMS_COL_MONEY }, { "date", PMS_COL_DATE },
		{ "time", PMS_COL_TIME },
	};
	char *p, *next, *t;
	size_t i;

	*n = 0;
	for (p = spec; p != NULL; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		if (*n == max || (t = strchr(p, ':')) == NULL)
			return -1;
		*t++ = '\0';
		for (i = 0; i < PMS_NELEM(types); i++)
			if (strcmp(t, types[i].name) == 0)
				break;
		if (i == PMS_NELEM(types))
			return -1;
		cols[*n].name = p;
		cols[*n].type = types[i].type;
		(*n)++;
	}
	return 0;
}

/* Undo the escapes of one cell in place. */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' :
		    *s == 'r' ? '\r' : *s;
	}
	*o = '\0';
}

/* Split one input line into cells; -1 if the count is wrong. */
static int
take_row(struct pms_ctx *ctx, unsigned long line, char *buf,
    const struct pms_col *cols, size_t ncols, struct pms_cell *cells)
{
	char *p = buf, *tab;
	size_t i;
	int rc;

	for (i = 0; i < ncols; i++) {
		if (p == NULL)
			return pms_fail(ctx, EX_DATAERR,
			    "line %lu: %zu cells, not %zu", line, i, ncols);
		if ((tab = strchr(p, '\t')) != NULL)
			*tab++ = '\0';
		memset(&cells[i], 0, sizeof(cells[i]));
		if (strcmp(p, "\\N") == 0) {
			cells[i].null = 1;
		} else if (cols[i].type == PMS_COL_INT) {
			char *end;

			errno = 0;
			cells[i].i = strtoll(p, &end, 10);
			if (*p == '\0' || *end != '\0' || errno != 0)
				return pms_fail(ctx, EX_DATAERR,
				    "line %lu: %s: not an integer", line,
				    cols[i].name);
		} else if (cols[i].type == PMS_COL_MONEY) {
			if (pms_money_parse(p, &cells[i].i) != PMS_OK)
				return pms_fail(ctx, EX_DATAERR,
				    "line %lu: %s: %s", line, cols[i].name,
				    pms_errmsg());
		} else {
			unescape(p);
			cells[i].text = p;
		}
		p = tab;
	}
	if (p != NULL) {
		rc = pms_fail(ctx, EX_DATAERR, "line %lu: more than %zu cells",
		    line, ncols);
		return rc;
	}
	return 0;
}

static int
cmd_write(struct pms_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out",	required_argument,	NULL, 'O' },
		{ "cols",	required_argument,	NULL, 'c' },
		{ "abort",	no_argument,		NULL, 'a' },
		{ NULL,		0,			NULL, 0 },
	};
	enum pms_out_format fmt = PMS_OUT_AUTO;
	struct pms_writer *w = NULL;
	struct pms_col cols[64];
	struct pms_cell cells[64];
	const char *out = NULL;
	char *spec = NULL, *line = NULL;
	size_t ncols = 0, cap = 0;
	unsigned long lineno = 0;
	enum pms_status st;
	ssize_t len;
	int ch, v, abort_it = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (strcmp(optarg, "auto") == 0)
				fmt = PMS_OUT_AUTO;
			else if ((v = pms_out_format_parse(optarg)) == -1)
				usage(EX_USAGE);
			else
				fmt = (enum pms_out_format)v;
			break;
		case 'O':
			out = optarg;
			break;
		case 'c':
			spec = optarg;
			break;
		case 'a':
			abort_it = 1;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	if (argc != optind || spec == NULL ||
	    parse_cols(spec, cols, PMS_NELEM(cols), &ncols) != 0)
		usage(EX_USAGE);
	if ((st = pms_writer_open(&w, fmt, out, cols, ncols)) != PMS_OK)
		return pms_fail_status(ctx, st);
	while ((len = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((rc = take_row(ctx, lineno, line, cols, ncols, cells)) !=
		    0)
			goto fail;
		if ((st = pms_writer_row(w, cells)) != PMS_OK) {
			rc = pms_fail_status(ctx, st);
			goto fail;
		}
	}
	free(line);
	if (abort_it) {
		pms_writer_abort(w);
		return EX_OK;
	}
	if ((st = pms_writer_close(w)) != PMS_OK)
		return pms_fail_status(ctx, st);
	return EX_OK;
fail:
	free(line);
	pms_writer_abort(w);
	return rc;
}

static const struct pms_cmd cmds[] = {
	{ "read", cmd_read }, { "write", cmd_write },
};

int
main(int argc, char *argv[])
{
	const struct pms_cmd *c;
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-rec");
	if (argc < 2)
		usage(EX_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		usage(EX_OK);
	if ((c = pms_cmd_find(cmds, PMS_NELEM(cmds), argv[1])) == NULL)
		usage(EX_USAGE);
	rc = c->fn(&ctx, argc - 1, argv + 1);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = pms_fail(&ctx, EX_IOERR, "write error on standard output");
	pms_ctx_release(&ctx);
	return rc;
}
