/*
 * pms-x12: the X12 writer and reader of libpms (x12.h) on the command
 * line, so that the Bats tests can write interchanges with any
 * delimiters and check what the reader makes of them.  A test helper,
 * built from libpms and never installed.
 *
 * "write" takes one segment a line on stdin in pms's own notation
 * ("*" elements, ":" components, "^" repetitions, whatever delimiters
 * are written) and writes an interchange: an ISA line gives the ISA's
 * fields ("ISA*00**01*ABC*...*42*0*T*:", split at "*" only; ISA11 and
 * ISA16 come from the delimiters, ISA13 is a number); a line "SE",
 * "GE" or "IEA" alone has the writer count and close.  "copy" reads a
 * file and writes every segment back with the delimiters of its own
 * interchange; "roundtrip" does that in memory, reads the copy and
 * checks that every segment came back the same.  "dump" prints each
 * segment as the reader splits it: the id, then each element as a list
 * of repetitions, each a list of components ([["HC","99213"]]).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "x12.h"

static _Noreturn void
usage(int status)
{
	fputs("usage: pms-x12 write [--element C] [--component C] "
	    "[--repetition C|none]\n"
	    "           [--segment C|lf|cr] [--eol none|lf|crlf] "
	    "[--keep-empty]\n"
	    "       pms-x12 copy [--eol none|lf|crlf] [--trim] FILE|-\n"
	    "       pms-x12 roundtrip FILE\n"
	    "       pms-x12 dump FILE|-\n",
	    status == EX_OK ? stdout : stderr);
	exit(status);
}

static int
fail(enum pms_status st)
{
	fprintf(stderr, "pms-x12: %s\n", pms_errmsg());
	return pms_exit_code(st);
}

/* ---- write ---- */

enum {
	OPT_ELEMENT = 0x100,
	OPT_COMPONENT,
	OPT_REPETITION,
	OPT_SEGMENT,
	OPT_EOL,
	OPT_KEEP_EMPTY,
	OPT_TRIM
};

static const struct option longopts[] = {
	{ "element",	required_argument,	NULL, OPT_ELEMENT },
	{ "component",	required_argument,	NULL, OPT_COMPONENT },
	{ "repetition",	required_argument,	NULL, OPT_REPETITION },
	{ "segment",	required_argument,	NULL, OPT_SEGMENT },
	{ "eol",	required_argument,	NULL, OPT_EOL },
	{ "keep-empty",	no_argument,		NULL, OPT_KEEP_EMPTY },
	{ "trim",	no_argument,		NULL, OPT_TRIM },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 }
};

/* One character of a delimiter option. */
static char
delim_arg(const char *s)
{
	if (strcmp(s, "none") == 0)
		return '\0';
	if (strcmp(s, "lf") == 0)
		return '\n';
	if (strcmp(s, "cr") == 0)
		return '\r';
	if (strlen(s) != 1)
		usage(EX_USAGE);
	return s[0];
}

static enum pms_x12_eol
eol_arg(const char *s)
{
	if (strcmp(s, "none") == 0)
		return PMS_X12_EOL_NONE;
	if (strcmp(s, "lf") == 0)
		return PMS_X12_EOL_LF;
	if (strcmp(s, "crlf") == 0)
		return PMS_X12_EOL_CRLF;
	usage(EX_USAGE);
}

/* The next field of s up to the separator c (s moves past it). */
static char *
field(char **s, char c)
{
	char *f = *s, *p;

	if (f == NULL)
		return NULL;
	if ((p = strchr(f, c)) != NULL) {
		*p = '\0';
		*s = p + 1;
	} else
		*s = NULL;
	return f;
}

/* An ISA line: its 16 fields. */
static enum pms_status
write_isa(struct pms_x12_writer *w, char *line)
{
	struct pms_x12_isa isa;
	char *f[17], *p = line, *end;
	unsigned long ctl;
	int i;

	for (i = 0; i < 17; i++)
		f[i] = field(&p, '*');
	if (f[16] == NULL || p != NULL) {
		fprintf(stderr, "pms-x12: an ISA line has 16 fields\n");
		exit(EX_USAGE);
	}
	errno = 0;
	ctl = strtoul(f[13], &end, 10);
	if (*f[13] == '\0' || *end != '\0' || errno != 0 || ctl > UINT32_MAX) {
		fprintf(stderr, "pms-x12: ISA13 is a number\n");
		exit(EX_USAGE);
	}
	memset(&isa, 0, sizeof(isa));
	isa.auth_qual = f[1];
	isa.auth = f[2];
	isa.sec_qual = f[3];
	isa.sec = f[4];
	isa.sender_qual = f[5];
	isa.sender = f[6];
	isa.receiver_qual = f[7];
	isa.receiver = f[8];
	isa.date = f[9];
	isa.time = f[10];
	isa.no_repetition = f[11][0];
	isa.version = f[12];
	isa.control = (uint32_t)ctl;
	isa.ack = f[14][0];
	isa.usage = f[15][0];
	return pms_x12_write_isa(w, &isa);
}

/* Any other line: "ID*elem*comp:comp^rep". */
static enum pms_status
write_line(struct pms_x12_writer *w, char *line)
{
	char *p = line, *e, *r, *c, *id;
	enum pms_status st;
	int first_rep, first_comp;

	id = field(&p, '*');
	if (p == NULL && strcmp(id, "SE") == 0)
		return pms_x12_write_se(w);
	if (p == NULL && strcmp(id, "GE") == 0)
		return pms_x12_write_ge(w);
	if (p == NULL && strcmp(id, "IEA") == 0)
		return pms_x12_write_iea(w);
	if ((st = pms_x12_write_begin(w, id)) != PMS_OK)
		return st;
	while ((e = field(&p, '*')) != NULL) {
		first_rep = 1;
		while ((r = field(&e, '^')) != NULL) {
			first_comp = 1;
			while ((c = field(&r, ':')) != NULL) {
				if (first_comp && first_rep)
					st = pms_x12_write_elem(w, c);
				else if (first_comp)
					st = pms_x12_write_rep(w, c);
				else
					st = pms_x12_write_comp(w, c);
				if (st != PMS_OK)
					return st;
				first_comp = 0;
			}
			first_rep = 0;
		}
	}
	return pms_x12_write_end(w);
}

static int
cmd_write(int argc, char **argv)
{
	struct pms_x12_writer_opts o = { PMS_X12_DELIMS_DEFAULT,
	    PMS_X12_EOL_NONE, 0 };
	struct pms_x12_writer *w;
	enum pms_status st;
	unsigned long n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ELEMENT:
			o.delims.element = delim_arg(optarg);
			break;
		case OPT_COMPONENT:
			o.delims.component = delim_arg(optarg);
			break;
		case OPT_REPETITION:
			o.delims.repetition = delim_arg(optarg);
			break;
		case OPT_SEGMENT:
			o.delims.segment = delim_arg(optarg);
			break;
		case OPT_EOL:
			o.eol = eol_arg(optarg);
			break;
		case OPT_KEEP_EMPTY:
			o.keep_empty = 1;
			break;
		case 'h':
			usage(EX_OK);
		default:
			usage(EX_USAGE);
		}
	}
	if (optind != argc)
		usage(EX_USAGE);
	if ((st = pms_x12_writer_open(&w, stdout, &o)) != PMS_OK)
		return fail(st);
	while ((len = getline(&line, &cap, stdin)) != -1) {
		n++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		st = strncmp(line, "ISA*", 4) == 0 ? write_isa(w, line) :
		    write_line(w, line);
		if (st != PMS_OK) {
			fprintf(stderr, "pms-x12: line %lu: %s\n", n,
			    pms_errmsg());
			free(line);
			pms_x12_writer_close(w);
			return pms_exit_code(st);
		}
	}
	free(line);
	if ((st = pms_x12_writer_close(w)) != PMS_OK)
		return fail(st);
	return 0;
}

/* ---- copy and roundtrip ---- */

/*
 * Read in (named name) and write every segment to out, a writer for
 * each interchange with its own delimiters.  PMS_OK, or the failure.
 */
static enum pms_status
copy(FILE *in, const char *name, FILE *out, enum pms_x12_eol eol,
    int keep_empty)
{
	struct pms_x12_writer_opts o;
	struct pms_x12_writer *w = NULL;
	struct pms_x12_reader *r;
	const struct pms_x12_seg *seg;
	enum pms_status st;

	if ((st = pms_x12_reader_open(&r, in, name)) != PMS_OK)
		return st;
	for (;;) {
		if ((st = pms_x12_next(r, &seg)) != PMS_OK || seg == NULL)
			break;
		if (strcmp(pms_x12_seg_id(seg), "ISA") == 0) {
			o.delims = *pms_x12_reader_delims(r);
			o.eol = eol;
			o.keep_empty = keep_empty;
			if ((st = pms_x12_writer_open(&w, out, &o)) != PMS_OK)
				break;
		}
		if ((st = pms_x12_write_copy(w, seg)) != PMS_OK)
			break;
		if (strcmp(pms_x12_seg_id(seg), "IEA") == 0) {
			st = pms_x12_writer_close(w);
			w = NULL;
			if (st != PMS_OK)
				break;
		}
	}
	if (w != NULL)
		pms_x12_writer_close(w);
	pms_x12_reader_close(r);
	return st;
}

static FILE *
open_in(const char *path)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdin;
	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "pms-x12: %s: %s\n", path, strerror(errno));
		exit(EX_NOINPUT);
	}
	return f;
}

static int
cmd_copy(int argc, char **argv)
{
	enum pms_x12_eol eol = PMS_X12_EOL_NONE;
	enum pms_status st;
	int ch, keep = 1;
	FILE *f;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_EOL:
			eol = eol_arg(optarg);
			break;
		case OPT_TRIM:
			keep = 0;
			break;
		case 'h':
			usage(EX_OK);
		default:
			usage(EX_USAGE);
		}
	}
	if (optind != argc - 1)
		usage(EX_USAGE);
	f = open_in(argv[optind]);
	st = copy(f, argv[optind], stdout, eol, keep);
	if (f != stdin)
		fclose(f);
	if (st != PMS_OK)
		return fail(st);
	if (fflush(stdout) == EOF)
		return EX_IOERR;
	return 0;
}

/* Is seg the same as b: id, elements, and the delimiters da and db? */
static int
same(const struct pms_x12_seg *a, const struct pms_x12_seg *b,
    const struct pms_x12_delims *da, const struct pms_x12_delims *db)
{
	size_t i;

	if (memcmp(da, db, sizeof(*da)) != 0 ||
	    strcmp(pms_x12_seg_id(a), pms_x12_seg_id(b)) != 0 ||
	    pms_x12_seg_count(a) != pms_x12_seg_count(b))
		return 0;
	for (i = 1; i <= pms_x12_seg_count(a); i++)
		if (strcmp(pms_x12_elem(a, i), pms_x12_elem(b, i)) != 0)
			return 0;
	return 1;
}

static int
cmd_roundtrip(int argc, char **argv)
{
	struct pms_x12_reader *r1 = NULL, *r2 = NULL;
	const struct pms_x12_seg *s1, *s2;
	enum pms_status st, st2;
	char *buf = NULL;
	size_t len = 0;
	FILE *f, *mem, *back;
	int rc = 0;

	if (argc != 2 || strcmp(argv[1], "-") == 0)
		usage(EX_USAGE);	/* read twice: a file, not a pipe */
	f = open_in(argv[1]);
	if ((mem = open_memstream(&buf, &len)) == NULL)
		return EX_OSERR;
	st = copy(f, argv[1], mem, PMS_X12_EOL_LF, 1);
	fclose(mem);
	if (st != PMS_OK) {
		free(buf);
		if (f != stdin)
			fclose(f);
		return fail(st);
	}
	rewind(f);
	if ((back = fmemopen(buf, len, "r")) == NULL)
		return EX_OSERR;
	if (pms_x12_reader_open(&r1, f, argv[1]) != PMS_OK ||
	    pms_x12_reader_open(&r2, back, "copy") != PMS_OK)
		return EX_OSERR;
	for (;;) {
		st = pms_x12_next(r1, &s1);
		st2 = pms_x12_next(r2, &s2);
		if (st != PMS_OK || st2 != PMS_OK) {
			rc = fail(st != PMS_OK ? st : st2);
			break;
		}
		if (s1 == NULL || s2 == NULL) {
			if (s1 != s2) {
				fprintf(stderr, "pms-x12: the copy has %s "
				    "segments\n", s1 == NULL ? "more" :
				    "fewer");
				rc = EX_SOFTWARE;
			}
			break;
		}
		if (!same(s1, s2, pms_x12_reader_delims(r1),
		    pms_x12_reader_delims(r2))) {
			fprintf(stderr, "pms-x12: segment %lu differs in the "
			    "copy\n", pms_x12_reader_pos(r1)->segment);
			rc = EX_SOFTWARE;
			break;
		}
	}
	pms_x12_reader_close(r1);
	pms_x12_reader_close(r2);
	fclose(back);
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* A string in double quotes, '"' and '\\' escaped. */
static void
quoted(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static int
cmd_dump(int argc, char **argv)
{
	struct pms_x12_reader *r;
	const struct pms_x12_seg *seg;
	enum pms_status st;
	size_t i, j, k;
	FILE *f;

	if (argc != 2)
		usage(EX_USAGE);
	f = open_in(argv[1]);
	if ((st = pms_x12_reader_open(&r, f, argv[1])) != PMS_OK)
		return fail(st);
	while ((st = pms_x12_next(r, &seg)) == PMS_OK && seg != NULL) {
		fputs(pms_x12_seg_id(seg), stdout);
		for (i = 1; i <= pms_x12_seg_count(seg); i++) {
			fputs(" [", stdout);
			for (j = 1; j <= pms_x12_nrep(seg, i); j++) {
				fputs(j > 1 ? ",[" : "[", stdout);
				for (k = 1; k <= pms_x12_ncomp(seg, i, j);
				    k++) {
					if (k > 1)
						putchar(',');
					quoted(pms_x12_rep_comp(seg, i, j, k));
				}
				putchar(']');
			}
			putchar(']');
		}
		putchar('\n');
	}
	pms_x12_reader_close(r);
	if (f != stdin)
		fclose(f);
	if (st != PMS_OK)
		return fail(st);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		usage(EX_USAGE);
	if (strcmp(argv[1], "write") == 0)
		return cmd_write(argc - 1, argv + 1);
	if (strcmp(argv[1], "copy") == 0)
		return cmd_copy(argc - 1, argv + 1);
	if (strcmp(argv[1], "roundtrip") == 0)
		return cmd_roundtrip(argc - 1, argv + 1);
	if (strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	usage(strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ?
	    EX_OK : EX_USAGE);
}
