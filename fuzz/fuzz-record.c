/*
 * fuzz-record: libFuzzer target for the record reader and writer.
 *
 * The first byte picks the format (auto, CSV, JSON) and the encoding;
 * the rest is read as input, and every field of every record goes
 * through every getter.  Beyond not crashing, it checks what the rest
 * of pms relies on: a field found by index is found by name, text is
 * valid UTF-8, a bad record names its line, and after a bad record
 * reading goes on.
 *
 * Then the same bytes make rows of typed cells, written as CSV and as
 * JSON Lines and read back: every cell must come back the same (an
 * empty text reads as null), however it had to be quoted or guarded,
 * and no message about a refused cell may quote it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "ptime.h"
#include "record.h"

/* Marks every text cell of the round trip, to look for in messages. */
#define MARK	"Qz7"

static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xC2 && *p <= 0xDF)
			n = 1;
		else if (*p >= 0xE0 && *p <= 0xEF)
			n = 2;
		else if (*p >= 0xF0 && *p <= 0xF4)
			n = 3;
		else
			return 0;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

static void
getters(const struct pms_record *rec, const char *f)
{
	static const enum pms_date_form forms[] = { PMS_DATE_ISO,
	    PMS_DATE_MDY, PMS_DATE_DMY, PMS_DATE_EXCEL };
	struct pms_local lt;
	int64_t v;
	int32_t d;
	size_t i;
	int b;

	(void)pms_record_text(rec, f);
	(void)pms_record_type(rec, f);
	(void)pms_record_money(rec, f, &v);
	(void)pms_record_int(rec, f, &v);
	(void)pms_record_bool(rec, f, &b);
	(void)pms_record_time(rec, f, &d);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		(void)pms_record_date(rec, f, forms[i], &d);
		(void)pms_record_local(rec, f, forms[i], &lt);
	}
}

static void
read_all(const uint8_t *data, size_t size, enum pms_in_format fmt,
    enum pms_in_encoding enc)
{
	struct pms_reader *r;
	struct pms_record *rec;
	enum pms_status st;
	const char *name, *text;
	size_t i, n, bad = 0;
	FILE *in;

	if (size == 0 || (in = fmemopen((void *)data, size, "rb")) == NULL)
		return;
	if (pms_reader_open(&r, in, "-", fmt, enc) != PMS_OK) {
		fclose(in);
		return;
	}
	for (i = 0; i < pms_reader_ncols(r); i++)
		if (!utf8_ok(pms_reader_col(r, i)))
			abort();
	for (n = 0; n < size + 2; n++) {
		st = pms_reader_next(r, &rec);
		if (st != PMS_OK) {
			/* a bad record names its line; what is wrong with
			 * the whole input (UTF-8 read as Windows-1252) may
			 * come before any, and then names none */
			if (rec != NULL || (pms_reader_line(r) == 0 &&
			    strstr(pms_errmsg(), "line ") != NULL))
				abort();
			if (st != PMS_EDATA || ++bad > size + 1)
				break;
			continue;
		}
		if (rec == NULL)
			break;
		if (pms_record_line(rec) == 0)
			abort();
		for (i = 0; i < pms_record_nfields(rec); i++) {
			name = pms_record_name(rec, i);
			text = pms_record_text_at(rec, i);
			if (pms_record_type(rec, name) !=
			    pms_record_type_at(rec, i) ||
			    pms_record_text(rec, name) != text)
				abort();
			if (text != NULL && !utf8_ok(text))
				abort();
			getters(rec, name);
		}
		getters(rec, "amount");
	}
	/* more records than lines would mean a loop */
	if (n == size + 2)
		abort();
	pms_reader_close(r);
	fclose(in);
}

/* ---- the round trip ---- */

#define MAXCOLS	6
#define MAXROWS	8

struct cursor {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned
take(struct cursor *c)
{
	if (c->n == 0)
		return 0;
	c->n--;
	return *c->p++;
}

/* A text cell from the input: the mark, then bytes made valid UTF-8
 * (NUL and stray bytes as '?'), at most 15 of them. */
static void
take_text(struct cursor *c, char *buf)
{
	size_t len = take(c) % 16, i, o = strlen(MARK);
	unsigned ch;

	memcpy(buf, MARK, o);
	if (len % 5 == 0)	/* put the interesting bytes first at times */
		o = 0;
	for (i = 0; i < len; i++) {
		ch = take(c);
		if (ch == 0 || ch >= 0x80)
			ch = ch == 0xC3 ? 0xE9 : '?';
		if (ch == 0xE9) {	/* é, two bytes */
			buf[o++] = (char)0xC3;
			buf[o++] = (char)0xA9;
			continue;
		}
		buf[o++] = (char)ch;
	}
	buf[o] = '\0';
}

static int64_t
take_int(struct cursor *c)
{
	uint64_t u = 0;
	int i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | take(c);
	return (int64_t)u;
}

static int
text_same(const char *got, const struct pms_cell *cell)
{
	if (cell->null || *cell->text == '\0')
		return got == NULL || *got == '\0';
	return got != NULL && strcmp(got, cell->text) == 0;
}

static void
check_back(const struct pms_record *rec, const struct pms_col *cols,
    size_t ncols, const struct pms_cell *cells)
{
	int64_t v;
	enum pms_status st;
	size_t i;

	for (i = 0; i < ncols; i++) {
		const struct pms_cell *c = &cells[i];

		switch (cols[i].type) {
		case PMS_COL_INT:
			st = pms_record_int(rec, cols[i].name, &v);
			if (c->null ? st != PMS_ENOINPUT :
			    st != PMS_OK || v != c->i)
				abort();
			break;
		case PMS_COL_MONEY:
			st = pms_record_money(rec, cols[i].name, &v);
			if (c->null ? st != PMS_ENOINPUT :
			    st != PMS_OK || v != c->i)
				abort();
			break;
		default:
			if (!text_same(pms_record_text(rec, cols[i].name), c))
				abort();
			/* a refusal never quotes the cell */
			if (pms_record_money(rec, cols[i].name, &v) ==
			    PMS_EDATA && strstr(pms_errmsg(), MARK) != NULL)
				abort();
			if (pms_record_int(rec, cols[i].name, &v) ==
			    PMS_EDATA && strstr(pms_errmsg(), MARK) != NULL)
				abort();
			break;
		}
	}
}

static void
round_trip(const uint8_t *data, size_t size, enum pms_out_format fmt)
{
	static const char *names[MAXCOLS] = { "c0", "c1", "c2", "c3", "c4",
	    "c5" };
	static const enum pms_col_type types[] = { PMS_COL_TEXT,
	    PMS_COL_TEXT, PMS_COL_TEXT, PMS_COL_INT, PMS_COL_MONEY,
	    PMS_COL_DATE, PMS_COL_TIME };
	struct cursor c = { data, size };
	struct pms_col cols[MAXCOLS];
	struct pms_cell cells[MAXROWS][MAXCOLS];
	char text[MAXROWS][MAXCOLS][40];
	struct pms_writer *w;
	struct pms_reader *r;
	struct pms_record *rec;
	size_t ncols, nrows, i, j, len = 0;
	char *buf = NULL;
	FILE *out, *in;
	unsigned k;

	ncols = take(&c) % MAXCOLS + 1;
	for (i = 0; i < ncols; i++) {
		cols[i].name = names[i];
		cols[i].type = types[take(&c) % (sizeof(types) /
		    sizeof(types[0]))];
	}
	for (nrows = 0; nrows < MAXROWS && c.n > 0; nrows++)
		for (j = 0; j < ncols; j++) {
			struct pms_cell *cell = &cells[nrows][j];

			k = take(&c);
			memset(cell, 0, sizeof(*cell));
			cell->null = k % 7 == 0;
			cell->text = text[nrows][j];
			take_text(&c, text[nrows][j]);
			cell->i = take_int(&c);
			if (cols[j].type == PMS_COL_MONEY)
				cell->i %= PMS_MONEY_MAX + 1;
		}
	if ((out = open_memstream(&buf, &len)) == NULL)
		return;
	if (pms_writer_open_stream(&w, fmt, out, cols, ncols) != PMS_OK)
		abort();
	for (i = 0; i < nrows; i++)
		if (pms_writer_row(w, cells[i]) != PMS_OK)
			abort();
	if (pms_writer_close(w) != PMS_OK)
		abort();
	fclose(out);
	if ((in = fmemopen(buf, len, "rb")) == NULL)
		abort();
	if (pms_reader_open(&r, in, "-", fmt == PMS_OUT_CSV ? PMS_IN_CSV :
	    PMS_IN_JSON, PMS_ENC_UTF8) != PMS_OK)
		abort();
	for (i = 0; i < nrows; i++) {
		if (pms_reader_next(r, &rec) != PMS_OK || rec == NULL)
			abort();
		check_back(rec, cols, ncols, cells[i]);
	}
	if (pms_reader_next(r, &rec) != PMS_OK || rec != NULL)
		abort();
	pms_reader_close(r);
	fclose(in);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pms_in_format fmts[] = { PMS_IN_AUTO, PMS_IN_CSV,
	    PMS_IN_JSON, PMS_IN_AUTO };
	unsigned mode;

	if (size == 0)
		return 0;
	mode = data[0];
	read_all(data + 1, size - 1, fmts[mode & 3],
	    (mode & 4) != 0 ? PMS_ENC_WINDOWS_1252 : PMS_ENC_UTF8);
	round_trip(data + 1, size - 1, (mode & 8) != 0 ? PMS_OUT_JSON :
	    PMS_OUT_CSV);
	return 0;
}
