/*
 * record.c: records in and out (see record.h).
 *
 * The reader pulls the input through one buffer with fread, never
 * holding more than a record and a chunk.  CSV goes to libcsv one
 * physical line at a time (a segment ends after each CR or LF), so a
 * row can only end at the end of a segment and the line a record
 * started on is known however many quoted newlines it holds.  JSON
 * Lines go to jansson one line at a time.  Either way a record is a
 * list of named, typed fields whose text lives in one arena that is
 * reused from record to record.
 *
 * The writer streams CSV and JSON Lines through stdio and keeps table
 * rows until close, when the widths are known.  A file is written to
 * a temp file beside it and renamed into place only once everything
 * was written and synced.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <signal.h>

#include <csv.h>
#include <libgen.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "money.h"
#include "pms_int.h"
#include "ptime.h"
#include "record.h"

#if !JSON_INTEGER_IS_LONG_LONG
#error "jansson must be built with long long integers"
#endif

#define CHUNK		65536		/* bytes read at a time */
#define NO_OFF		SIZE_MAX	/* a field without text */
/* libcsv's parser states (struct csv_parser's pstate, in csv.h) */
#define ROW_NOT_BEGUN	0		/* between rows */
#define FIELD_BEGUN	2		/* in a cell */

/* ---- small helpers ---- */

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 1 if a and b are equal without regard to ASCII case. */
static int
name_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static int
name_cmp(const char *a, const char *b)
{
	int ca, cb;

	for (;; a++, b++) {
		ca = ascii_lower((unsigned char)*a);
		cb = ascii_lower((unsigned char)*b);
		if (ca != cb || ca == '\0')
			return ca - cb;
	}
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * Decode one UTF-8 sequence of s[0..n); the code point in *cp and its
 * length, or 0 if it is not valid UTF-8 (overlong forms, surrogates
 * and code points past U+10FFFF included).
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* 1 if s[0..n) is valid UTF-8 without NUL bytes; else 0, *bad = 'n'
 * for a NUL byte, 'u' for invalid UTF-8. */
static int
utf8_valid(const unsigned char *s, size_t n, int *bad)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if (s[i] == 0) {
			*bad = 'n';
			return 0;
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_next(s + i, n - i, &cp)) == 0) {
			*bad = 'u';
			return 0;
		}
		i += k;
	}
	return 1;
}

/* A name fit to quote in a message: control bytes as '?', at most 40
 * bytes (cut on a character boundary). */
static void
safe_name(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0, k;
	uint32_t cp;

	while (i < n && o + 5 < size && o < 40) {
		k = utf8_next(p + i, n - i, &cp);
		if (k == 0 || cp < 0x20 || cp == 0x7F ||
		    (cp >= 0x80 && cp < 0xA0)) {
			buf[o++] = '?';
			i += k == 0 ? 1 : k;
			continue;
		}
		memcpy(buf + o, p + i, k);
		o += k;
		i += k;
	}
	if (i < n && o + 3 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* ---- Windows-1252 ---- */

/* 0x80..0x9F; 0 where the code page defines nothing. */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/*
 * Convert n Windows-1252 bytes into out (room for 3n); returns the
 * bytes written.  An undefined byte becomes 0xFF, which no UTF-8 text
 * holds, so that the record it is in is refused with a message of its
 * own.
 */
static size_t
cp1252_to_utf8(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t i, o = 0;
	uint32_t c;

	for (i = 0; i < n; i++) {
		c = in[i];
		if (c < 0x80) {
			out[o++] = (unsigned char)c;
			continue;
		}
		if (c < 0xA0 && (c = cp1252_hi[c - 0x80]) == 0) {
			out[o++] = 0xFF;
			continue;
		}
		if (c < 0x800) {
			out[o++] = (unsigned char)(0xC0 | (c >> 6));
			out[o++] = (unsigned char)(0x80 | (c & 0x3F));
		} else {
			out[o++] = (unsigned char)(0xE0 | (c >> 12));
			out[o++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (unsigned char)(0x80 | (c & 0x3F));
		}
	}
	return o;
}

/* ---- the reader ---- */

struct field {
	const char	*name;
	const char	*text;		/* NULL: null */
	size_t		 name_off;	/* in the arena, or NO_OFF */
	size_t		 text_off;	/* in the arena, or NO_OFF */
	enum pms_val_type type;
};

struct pms_record {
	const struct pms_reader *r;
	unsigned long	 line;
	struct field	*f;
	size_t		 n, cap;
};

/* A CSV cell of the row being read: where its bytes are. */
struct cell {
	size_t		 off;		/* in the arena */
	size_t		 len;
};

struct pms_reader {
	FILE		*in;
	char		*name;		/* NULL: messages say "line N" alone */
	enum pms_in_format fmt;
	enum pms_in_encoding enc;
	unsigned char	*buf;		/* decoded input, buf[pos..len) unread */
	size_t		 cap, pos, len;
	unsigned char	*raw;		/* Windows-1252 bytes, undecoded */
	/* Windows-1252 asked for: are the bytes UTF-8 already? */
	int		 judged;	/* decided: they are not */
	unsigned char	 carry[4];	/* a sequence begun, not ended */
	size_t		 ncarry;
	unsigned long	 nutf8;		/* multi-byte sequences seen */
	int		 told_enc;	/* --encoding suggested once */
	int		 eof;		/* fread found the end */
	int		 done;		/* no more records */
	unsigned long	 line;		/* the line of buf[pos] */
	int		 prev_cr;	/* the byte before buf[pos] was a CR */
	unsigned long	 last_line;	/* of the last record returned */
	int		 oom;		/* a callback ran out of memory */

	/* CSV */
	struct csv_parser csv;
	int		 csv_ready;
	unsigned char	 delim;
	int		 hdr_phase;	/* the row being read is the header */
	char		**hdr;
	size_t		 nhdr;
	int		 in_row;	/* bytes of a row have been fed */
	int		 row_done;	/* libcsv ended the row */
	int		 skip_line;	/* drop bytes up to the next CR/LF */
	unsigned long	 row_line;
	size_t		 row_bytes;
	struct cell	*cells;
	size_t		 ncells, cellcap;
	size_t		 ncells_seen;	/* cells of the row, kept or not */
	size_t		 last_full;	/* 1 + index of the last non-empty */
	int		 nonblank;	/* a cell that is not unquoted-empty */

	/* JSON */
	int		 skip_json;	/* in a line that is too long */
	unsigned long	 skip_line_no;

	/* the record */
	char		*arena;
	size_t		 alen, acap;
	struct pms_record rec;
};

int
pms_in_format_parse(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return PMS_IN_AUTO;
	if (strcmp(s, "csv") == 0)
		return PMS_IN_CSV;
	if (strcmp(s, "json") == 0)
		return PMS_IN_JSON;
	return -1;
}

int
pms_in_encoding_parse(const char *s)
{
	if (name_eq(s, "utf-8") || name_eq(s, "utf8"))
		return PMS_ENC_UTF8;
	if (name_eq(s, "windows-1252") || name_eq(s, "cp1252"))
		return PMS_ENC_WINDOWS_1252;
	return -1;
}

/* "patients.csv: " or "" */
static const char *
in_prefix(const struct pms_reader *r, char *buf, size_t size)
{
	if (r->name == NULL)
		return "";
	if (snprintf(buf, size, "%s: ", r->name) >= (int)size)
		return "";
	return buf;
}

/* Fail about line `line` of the input (field may be NULL). */
static enum pms_status
line_fail(const struct pms_reader *r, unsigned long line, const char *field,
    enum pms_status st, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static enum pms_status
line_fail(const struct pms_reader *r, unsigned long line, const char *field,
    enum pms_status st, const char *fmt, ...)
{
	char what[512], pre[PATH_MAX + 4], fname[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (field != NULL) {
		safe_name(field, fname, sizeof(fname));
		return pms_seterr(st, "%sline %lu: %s: %s",
		    in_prefix(r, pre, sizeof(pre)), line, fname, what);
	}
	return pms_seterr(st, "%sline %lu: %s", in_prefix(r, pre, sizeof(pre)),
	    line, what);
}

static enum pms_status
nomem(void)
{
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

/* Append n bytes and a NUL to the arena; the offset, or NO_OFF. */
static size_t
arena_add(struct pms_reader *r, const void *s, size_t n)
{
	size_t off = r->alen, want;
	char *p;

	if (n > SIZE_MAX / 2 - r->alen)
		return NO_OFF;
	want = r->alen + n + 1;
	if (want > r->acap) {
		size_t c = r->acap > 0 ? r->acap : 4096;

		while (c < want)
			c *= 2;
		if ((p = realloc(r->arena, c)) == NULL)
			return NO_OFF;
		r->arena = p;
		r->acap = c;
	}
	if (n > 0)
		memcpy(r->arena + off, s, n);
	r->arena[off + n] = '\0';
	r->alen = want;
	return off;
}

/* Count the line breaks in s[0..n): LF, CRLF, a lone CR. */
static void
count_lines(struct pms_reader *r, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			if (!r->prev_cr)
				r->line++;
			r->prev_cr = 0;
		} else if (s[i] == '\r') {
			r->line++;
			r->prev_cr = 1;
		} else
			r->prev_cr = 0;
	}
}

static void
consume(struct pms_reader *r, size_t n)
{
	count_lines(r, r->buf + r->pos, n);
	r->pos += n;
}

/*
 * With Windows-1252 asked for: look at the raw bytes for what the
 * option would mangle, a file that is UTF-8 already ("Weiß" read as
 * "WeiÃŸ").  A byte that cannot be UTF-8 settles it (Windows-1252 it
 * is); with decide (the first chunk read, or the end), bytes above
 * 0x7F that all made valid multi-byte UTF-8 are refused: PMS_EDATA.
 */
static enum pms_status
enc_check(struct pms_reader *r, const unsigned char *s, size_t n,
    int decide)
{
	char pre[PATH_MAX + 4];
	size_t i, len;
	uint32_t cp;
	unsigned char c;

	if (r->enc != PMS_ENC_WINDOWS_1252 || r->judged)
		return PMS_OK;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c < 0x80 && r->ncarry == 0)
			continue;
		r->carry[r->ncarry++] = c;
		len = r->carry[0] >= 0xC2 && r->carry[0] <= 0xDF ? 2 :
		    r->carry[0] >= 0xE0 && r->carry[0] <= 0xEF ? 3 :
		    r->carry[0] >= 0xF0 && r->carry[0] <= 0xF4 ? 4 : 0;
		if (len == 0 || (r->ncarry > 1 && (c & 0xC0) != 0x80)) {
			r->judged = 1;		/* not UTF-8 */
			return PMS_OK;
		}
		if (r->ncarry < len)
			continue;
		if (utf8_next(r->carry, len, &cp) != len) {
			r->judged = 1;
			return PMS_OK;
		}
		r->nutf8++;
		r->ncarry = 0;
	}
	if (!decide || r->nutf8 == 0)
		return PMS_OK;
	r->judged = 1;
	return pms_seterr(PMS_EDATA, "%sthe file is UTF-8 already: leave out "
	    "the Windows-1252 encoding (--encoding, or the map's encoding)",
	    in_prefix(r, pre, sizeof(pre)));
}

/* Decode raw bytes into the buffer (room for them made by the caller). */
static void
put_decoded(struct pms_reader *r, const unsigned char *s, size_t n)
{
	if (r->enc == PMS_ENC_WINDOWS_1252)
		r->len += cp1252_to_utf8(s, n, r->buf + r->len);
	else {
		memcpy(r->buf + r->len, s, n);
		r->len += n;
	}
}

/*
 * Read more input after buf[len], moving the unread bytes to the
 * front first and growing the buffer when they fill it.  Sets eof at
 * the end; PMS_EIO on a read error.
 */
static enum pms_status
fill(struct pms_reader *r)
{
	size_t room, want, n;
	unsigned char *p;
	char pre[PATH_MAX + 4];
	enum pms_status st;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < 3 * 1024) {
		if ((p = realloc(r->buf, r->cap * 2)) == NULL)
			return nomem();
		r->buf = p;
		r->cap *= 2;
	}
	room = r->cap - r->len;
	if (r->enc == PMS_ENC_WINDOWS_1252) {
		want = room / 3 < CHUNK ? room / 3 : CHUNK;
		n = fread(r->raw, 1, want, r->in);
		if (!ferror(r->in) && (st = enc_check(r, r->raw, n, 1)) !=
		    PMS_OK)
			return st;
		put_decoded(r, r->raw, n);
	} else {
		want = room;
		n = fread(r->buf + r->len, 1, want, r->in);
		r->len += n;
	}
	if (n < want) {
		if (ferror(r->in)) {
			int e = errno != 0 ? errno : EIO;
			const char *p = in_prefix(r, pre, sizeof(pre));

			r->done = 1;
			return pms_seterr(PMS_EIO, "%sread error: %s",
			    *p != '\0' ? p : "standard input: ",
			    strerror(e));
		}
		r->eof = 1;
	}
	return PMS_OK;
}

/* Make the arrays of the record hold n fields. */
static enum pms_status
rec_room(struct pms_reader *r, size_t n)
{
	struct field *f;
	size_t c;

	if (n <= r->rec.cap)
		return PMS_OK;
	c = r->rec.cap > 0 ? r->rec.cap : 16;
	while (c < n)
		c *= 2;
	if ((f = reallocarray(r->rec.f, c, sizeof(*f))) == NULL)
		return nomem();
	r->rec.f = f;
	r->rec.cap = c;
	return PMS_OK;
}

/* Turn the fields' arena offsets into pointers, once the arena is
 * done growing. */
static void
rec_finish(struct pms_reader *r, unsigned long line)
{
	size_t i;

	for (i = 0; i < r->rec.n; i++) {
		struct field *f = &r->rec.f[i];

		if (f->name_off != NO_OFF)
			f->name = r->arena + f->name_off;
		f->text = f->text_off != NO_OFF ? r->arena + f->text_off :
		    NULL;
	}
	r->rec.line = line;
	r->rec.r = r;
	r->last_line = line;
}

/* The message for a cell that is not text we take; the first time, a
 * file that is not UTF-8 is likely Windows-1252: said so. */
static const char *
bad_text(struct pms_reader *r, int bad)
{
	if (bad == 'n')
		return "a NUL byte";
	if (r->enc == PMS_ENC_WINDOWS_1252)
		return "a byte that Windows-1252 does not define";
	if (!r->told_enc++)
		return "not valid UTF-8 (saved by Excel on Windows? give "
		    "--encoding windows-1252)";
	return "not valid UTF-8";
}

/*
 * 1 if s is a cell our writer guarded: one or more "'" and then one of
 * the characters a spreadsheet takes for the start of a formula.
 */
static int
guarded(const char *s)
{
	if (*s != '\'')
		return 0;
	while (*s == '\'')
		s++;
	return *s == '=' || *s == '+' || *s == '-' || *s == '@' ||
	    *s == '\t' || *s == '\r';
}

/* 1 if a spreadsheet would take s for a formula. */
static int
needs_guard(const char *s)
{
	return *s == '=' || *s == '+' || *s == '-' || *s == '@' ||
	    *s == '\t' || *s == '\r' || guarded(s);
}

/* -- CSV -- */

static void
csv_cell_cb(void *s, size_t len, void *arg)
{
	struct pms_reader *r = arg;
	struct cell *c;
	size_t i = r->ncells_seen++;

	if (s != NULL)
		r->nonblank = 1;
	if (s != NULL && len > 0)
		r->last_full = i + 1;
	if (!r->hdr_phase && i >= r->nhdr)
		return;		/* an extra cell: only whether it is empty */
	if (r->ncells == r->cellcap) {
		size_t n = r->cellcap > 0 ? r->cellcap * 2 : 32;

		if ((c = reallocarray(r->cells, n, sizeof(*c))) == NULL) {
			r->oom = 1;
			return;
		}
		r->cells = c;
		r->cellcap = n;
	}
	c = &r->cells[r->ncells++];
	c->len = s != NULL ? len : 0;
	c->off = arena_add(r, s, c->len);
	if (c->off == NO_OFF)
		r->oom = 1;
}

static void
csv_row_cb(int term, void *arg)
{
	struct pms_reader *r = arg;

	(void)term;
	r->row_done = 1;
}

static void
row_reset(struct pms_reader *r)
{
	r->ncells = 0;
	r->ncells_seen = 0;
	r->last_full = 0;
	r->nonblank = 0;
	r->alen = 0;
	r->row_bytes = 0;
}

static enum pms_status
csv_start(struct pms_reader *r)
{
	if (r->csv_ready) {
		csv_free(&r->csv);
		r->csv_ready = 0;
	}
	if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI |
	    CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
		return nomem();
	csv_set_delim(&r->csv, r->delim);
	r->csv_ready = 1;
	return PMS_OK;
}

/*
 * Feed libcsv until a row is complete.  Returns PMS_OK with *got set
 * (0 at the end), PMS_EDATA for a row it refused (and reading goes on)
 * or for input that cannot go on (and r->done is set).
 */
static enum pms_status
csv_read_row(struct pms_reader *r, int *got)
{
	const unsigned char *s, *e;
	size_t seg, fed;
	int term;
	enum pms_status st;

	*got = 0;
	for (;;) {
		if (r->pos == r->len) {
			if (!r->eof) {
				if ((st = fill(r)) != PMS_OK)
					return st;
				continue;
			}
			r->done = 1;
			if (!r->in_row)
				return PMS_OK;
			r->in_row = 0;
			r->last_line = r->row_line;
			if (csv_fini(&r->csv, csv_cell_cb, csv_row_cb, r) != 0)
				return line_fail(r, r->row_line, NULL,
				    PMS_EDATA, "a quote never closed");
			if (r->oom)
				return nomem();
			*got = r->row_done;
			r->row_done = 0;
			return PMS_OK;
		}
		s = r->buf + r->pos;
		e = NULL;
		for (seg = 0; seg < r->len - r->pos; seg++)
			if (s[seg] == '\n' || s[seg] == '\r') {
				e = s + seg;
				break;
			}
		term = e != NULL;
		seg = term ? seg + 1 : r->len - r->pos;
		if (r->skip_line) {
			consume(r, seg);
			r->skip_line = !term;
			continue;
		}
		if (!r->in_row) {
			if (term && seg == 1) {		/* a blank line */
				consume(r, seg);
				continue;
			}
			row_reset(r);
			r->in_row = 1;
			r->row_line = r->line;
		}
		fed = csv_parse(&r->csv, s, seg, csv_cell_cb, csv_row_cb, r);
		r->row_bytes += seg;
		consume(r, seg);
		if (r->oom)
			return nomem();
		if (fed < seg || csv_error(&r->csv) != CSV_SUCCESS) {
			/* strict mode: start again on the next line */
			r->in_row = 0;
			r->row_done = 0;
			r->skip_line = !term;
			if ((st = csv_start(r)) != PMS_OK)
				return st;
			r->last_line = r->row_line;
			return line_fail(r, r->row_line, NULL, PMS_EDATA,
			    "a quote in the wrong place (a quoted cell must "
			    "be quoted whole, its quotes doubled)");
		}
		if (r->row_done) {
			r->row_done = 0;
			r->in_row = 0;
			if (r->row_bytes <= PMS_RECORD_MAX) {
				*got = 1;
				return PMS_OK;
			}
			r->last_line = r->row_line;
			return line_fail(r, r->row_line, NULL, PMS_EDATA,
			    "record longer than 1 MiB");
		}
		if (r->csv.pstate == ROW_NOT_BEGUN) {
			r->in_row = 0;		/* only blanks so far */
			continue;
		}
		if (r->row_bytes <= PMS_RECORD_MAX)
			continue;
		r->in_row = 0;
		r->last_line = r->row_line;
		if (r->csv.pstate == FIELD_BEGUN && r->csv.quoted) {
			/* where a quoted cell ends is anyone's guess */
			r->done = 1;
			return line_fail(r, r->row_line, NULL, PMS_EDATA,
			    "record longer than 1 MiB (a quote never "
			    "closed?)");
		}
		r->skip_line = !term;
		if ((st = csv_start(r)) != PMS_OK)
			return st;
		return line_fail(r, r->row_line, NULL, PMS_EDATA,
		    "record longer than 1 MiB");
	}
}

/* Trim blanks around a header name in place (quoted names keep them
 * in libcsv). */
static void
trim_name(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && is_blank((unsigned char)s[n - 1]))
		n--;
	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i);
	s[n - i] = '\0';
}

/* qsort_r: order column indices by their names. */
static int
hdr_cmp(const void *a, const void *b, void *arg)
{
	char **hdr = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = name_cmp(hdr[i], hdr[j]);

	return c != 0 ? c : (i > j) - (i < j);
}

/* Make the header from the row just read. */
static enum pms_status
csv_take_header(struct pms_reader *r)
{
	unsigned long line = r->row_line;
	char *name, nbuf[64];
	size_t i, n = r->ncells, *sorted = NULL;
	enum pms_status st = PMS_OK;
	int bad;

	r->last_line = line;
	for (i = 0; i < n; i++) {
		name = r->arena + r->cells[i].off;
		if (!utf8_valid((unsigned char *)name, r->cells[i].len, &bad))
			return line_fail(r, line, "header", PMS_EDATA,
			    "column %zu: %s%s", i + 1, bad_text(r, bad),
			    bad == 'n' ? " (UTF-16 not supported, save as "
			    "UTF-8)" : "");
		trim_name(name);
	}
	while (n > 0 && r->arena[r->cells[n - 1].off] == '\0')
		n--;		/* trailing delimiters */
	if (n == 0)
		return line_fail(r, line, "header", PMS_EDATA,
		    "no column names");
	if ((r->hdr = calloc(n, sizeof(*r->hdr))) == NULL)
		return nomem();
	for (i = 0; i < n; i++) {
		name = r->arena + r->cells[i].off;
		if (*name == '\0') {
			st = line_fail(r, line, "header", PMS_EDATA,
			    "column %zu has no name", i + 1);
			goto out;
		}
		if ((r->hdr[i] = strdup(name)) == NULL) {
			st = nomem();
			goto out;
		}
		r->nhdr = i + 1;
	}
	if ((sorted = calloc(n, sizeof(*sorted))) == NULL) {
		st = nomem();
		goto out;
	}
	for (i = 0; i < n; i++)
		sorted[i] = i;
	qsort_r(sorted, n, sizeof(*sorted), hdr_cmp, r->hdr);
	for (i = 1; i < n; i++)
		if (name_cmp(r->hdr[sorted[i - 1]], r->hdr[sorted[i]]) == 0) {
			/* quoted when it is the shape of a name of a column:
			 * a first line of data is a patient's */
			safe_name(r->hdr[sorted[i]], nbuf, sizeof(nbuf));
			if (pms_quotable(nbuf))
				st = line_fail(r, line, "header", PMS_EDATA,
				    "column %zu \"%s\" repeats column %zu",
				    sorted[i] + 1, nbuf, sorted[i - 1] + 1);
			else
				st = line_fail(r, line, "header", PMS_EDATA,
				    "column %zu repeats column %zu",
				    sorted[i] + 1, sorted[i - 1] + 1);
			goto out;
		}
out:
	free(sorted);
	return st;
}

/* Build the record of the row just read, or refuse it. */
static enum pms_status
csv_take_row(struct pms_reader *r)
{
	unsigned long line = r->row_line;
	size_t i;
	enum pms_status st;
	int bad;

	r->last_line = line;
	if (r->last_full > r->nhdr)
		return line_fail(r, line, NULL, PMS_EDATA,
		    "%zu cells, the header has %zu columns", r->last_full,
		    r->nhdr);
	for (i = 0; i < r->ncells; i++)
		if (!utf8_valid((unsigned char *)r->arena + r->cells[i].off,
		    r->cells[i].len, &bad))
			return line_fail(r, line, r->hdr[i], PMS_EDATA, "%s",
			    bad_text(r, bad));
	if ((st = rec_room(r, r->nhdr)) != PMS_OK)
		return st;
	r->rec.n = r->nhdr;
	for (i = 0; i < r->nhdr; i++) {
		struct field *f = &r->rec.f[i];

		f->name = r->hdr[i];
		f->name_off = NO_OFF;
		if (i < r->ncells && r->cells[i].len > 0) {
			f->type = PMS_VAL_TEXT;
			f->text_off = r->cells[i].off;
			if (guarded(r->arena + f->text_off))
				f->text_off++;
		} else {
			f->type = PMS_VAL_NULL;
			f->text_off = NO_OFF;
		}
	}
	rec_finish(r, line);
	return PMS_OK;
}

/*
 * Find the delimiter: the most frequent of ',', ';' and TAB outside
 * quotes in the header line at buf[pos], reading more as needed.
 */
static enum pms_status
csv_detect(struct pms_reader *r)
{
	size_t i = 0, n[3] = { 0, 0, 0 };
	int inq = 0;
	enum pms_status st;
	unsigned char c;

	for (;;) {
		if (r->pos + i == r->len) {
			if (r->eof || i > PMS_RECORD_MAX)
				break;
			if ((st = fill(r)) != PMS_OK)
				return st;
			continue;
		}
		c = r->buf[r->pos + i++];
		if (c == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == ',')
			n[0]++;
		else if (c == ';')
			n[1]++;
		else if (c == '\t')
			n[2]++;
	}
	r->delim = ',';
	if (n[1] > n[0] && n[1] >= n[2])
		r->delim = ';';
	else if (n[2] > n[0] && n[2] > n[1])
		r->delim = '\t';
	return PMS_OK;
}

/* -- JSON -- */

/* The text jansson gives a real: the shortest of %.15g and %.17g that
 * reads back the same. */
static void
real_text(double d, char *buf, size_t size)
{
	snprintf(buf, size, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, size, "%.17g", d);
}

static int
field_cmp(const void *a, const void *b)
{
	return name_cmp((*(const struct field *const *)a)->name,
	    (*(const struct field *const *)b)->name);
}

/* Build the record of a parsed JSON object. */
static enum pms_status
json_take(struct pms_reader *r, json_t *obj, unsigned long line)
{
	const struct field **sorted = NULL;
	const char *key;
	json_t *v;
	char num[64], *dump;
	size_t i;
	enum pms_status st;

	r->alen = 0;
	r->rec.n = 0;
	if ((st = rec_room(r, json_object_size(obj))) != PMS_OK)
		return st;
	json_object_foreach(obj, key, v) {
		struct field *f = &r->rec.f[r->rec.n++];

		f->name = NULL;
		f->text_off = NO_OFF;
		if ((f->name_off = arena_add(r, key, strlen(key))) == NO_OFF)
			return nomem();
		switch (json_typeof(v)) {
		case JSON_STRING:
			f->type = PMS_VAL_TEXT;
			f->text_off = arena_add(r, json_string_value(v),
			    json_string_length(v));
			break;
		case JSON_INTEGER:
			f->type = PMS_VAL_INT;
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			f->text_off = arena_add(r, num, strlen(num));
			break;
		case JSON_REAL:
			f->type = PMS_VAL_REAL;
			real_text(json_real_value(v), num, sizeof(num));
			f->text_off = arena_add(r, num, strlen(num));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			f->type = PMS_VAL_BOOL;
			f->text_off = arena_add(r, json_is_true(v) ? "true" :
			    "false", json_is_true(v) ? 4 : 5);
			break;
		case JSON_NULL:
			f->type = PMS_VAL_NULL;
			continue;
		default:
			f->type = PMS_VAL_OTHER;
			if ((dump = json_dumps(v, JSON_COMPACT |
			    JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)) == NULL)
				return nomem();
			f->text_off = arena_add(r, dump, strlen(dump));
			free(dump);
			break;
		}
		if (f->text_off == NO_OFF)
			return nomem();
	}
	rec_finish(r, line);
	if (r->rec.n < 2)
		return PMS_OK;
	if ((sorted = calloc(r->rec.n, sizeof(*sorted))) == NULL)
		return nomem();
	for (i = 0; i < r->rec.n; i++)
		sorted[i] = &r->rec.f[i];
	qsort(sorted, r->rec.n, sizeof(*sorted), field_cmp);
	st = PMS_OK;
	for (i = 1; i < r->rec.n; i++)
		if (name_cmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
			st = line_fail(r, line, NULL, PMS_EDATA,
			    "two keys that differ only in case");
			break;
		}
	free(sorted);
	return st;
}

/* jansson's message without the " near '...'" part: that quotes the
 * input, which may be a patient's data. */
static void
json_why(const json_error_t *err, char *buf, size_t size)
{
	const char *near = strstr(err->text, " near ");
	size_t n = near != NULL ? (size_t)(near - err->text) :
	    strlen(err->text);

	if (n >= size)
		n = size - 1;
	memcpy(buf, err->text, n);
	buf[n] = '\0';
}

static enum pms_status
json_next(struct pms_reader *r, int *got)
{
	unsigned char *s, *nl;
	size_t n, i, k;
	unsigned long line;
	json_error_t err;
	json_t *obj;
	char why[160];
	enum pms_status st;

	*got = 0;
	for (;;) {
		s = r->buf + r->pos;
		n = r->len - r->pos;
		nl = memchr(s, '\n', n);
		if (r->skip_json) {
			if (nl == NULL) {
				r->pos = r->len;
				if (r->eof) {
					r->done = 1;
				} else if ((st = fill(r)) != PMS_OK)
					return st;
				if (!r->done)
					continue;
			} else {
				r->pos += (size_t)(nl - s) + 1;
				r->line++;
			}
			r->skip_json = 0;
			r->last_line = r->skip_line_no;
			return line_fail(r, r->skip_line_no, NULL, PMS_EDATA,
			    "record longer than 1 MiB");
		}
		if (nl == NULL && !r->eof) {
			if (n > PMS_RECORD_MAX) {
				r->skip_json = 1;
				r->skip_line_no = r->line;
				continue;
			}
			if ((st = fill(r)) != PMS_OK)
				return st;
			continue;
		}
		if (nl == NULL && n == 0) {
			r->done = 1;
			return PMS_OK;
		}
		k = nl != NULL ? (size_t)(nl - s) : n;
		line = r->line;
		r->pos += nl != NULL ? k + 1 : k;
		r->line++;
		if (k > 0 && s[k - 1] == '\r')
			k--;
		for (i = 0; i < k && (is_blank(s[i]) || s[i] == '\r'); i++)
			;
		if (i == k)
			continue;		/* a blank line */
		r->last_line = line;
		if (k > PMS_RECORD_MAX)
			return line_fail(r, line, NULL, PMS_EDATA,
			    "record longer than 1 MiB");
		obj = json_loadb((const char *)s, k, JSON_REJECT_DUPLICATES,
		    &err);
		if (obj == NULL && strstr(err.text, "JSON_ALLOW_NUL") != NULL)
			return line_fail(r, line, NULL, PMS_EDATA,
			    "column %d: a NUL character (\\u0000) in a string",
			    err.column);
		if (obj == NULL) {
			json_why(&err, why, sizeof(why));
			return line_fail(r, line, NULL, PMS_EDATA,
			    "column %d: %s", err.column, why);
		}
		if (!json_is_object(obj)) {
			json_decref(obj);
			return line_fail(r, line, NULL, PMS_EDATA,
			    "a line must be a JSON object ({\"name\": value, "
			    "...})");
		}
		st = json_take(r, obj, line);
		json_decref(obj);
		if (st == PMS_OK)
			*got = 1;
		return st;
	}
}

/* -- opening -- */

/*
 * Read the first bytes and refuse the byte order marks of UTF-16 and
 * UTF-32; drop a UTF-8 one.  What follows goes into the buffer.
 */
static enum pms_status
read_bom(struct pms_reader *r)
{
	unsigned char head[4];
	size_t n, skip = 0;
	char pre[PATH_MAX + 4];
	const char *p = in_prefix(r, pre, sizeof(pre));
	enum pms_status st;

	n = fread(head, 1, sizeof(head), r->in);
	if (n < sizeof(head)) {
		if (ferror(r->in)) {
			r->done = 1;
			return pms_seterr(PMS_EIO, "%sread error: %s",
			    *p != '\0' ? p : "standard input: ",
			    strerror(errno != 0 ? errno : EIO));
		}
		r->eof = 1;
	}
	if ((n == 4 && memcmp(head, "\xFF\xFE\0\0", 4) == 0) ||
	    (n == 4 && memcmp(head, "\0\0\xFE\xFF", 4) == 0))
		return pms_seterr(PMS_EDATA,
		    "%sUTF-32 not supported, save as UTF-8", p);
	if (n >= 2 && (memcmp(head, "\xFF\xFE", 2) == 0 ||
	    memcmp(head, "\xFE\xFF", 2) == 0))
		return pms_seterr(PMS_EDATA,
		    "%sUTF-16 not supported, save as UTF-8", p);
	if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) {
		skip = 3;
		r->enc = PMS_ENC_UTF8;		/* the mark says so */
	}
	if ((st = enc_check(r, head + skip, n - skip, r->eof)) != PMS_OK)
		return st;
	put_decoded(r, head + skip, n - skip);
	return PMS_OK;
}

/*
 * Skip the blank lines before the first non-blank byte, leaving pos at
 * the start of its line; *first gets that byte, or -1 if there is none
 * (or none in the first PMS_RECORD_MAX blanks of a line).
 */
static enum pms_status
skip_blank_lines(struct pms_reader *r, int *first)
{
	size_t i = 0, mark = 0;
	unsigned char c;
	enum pms_status st;

	*first = -1;
	for (;;) {
		if (r->pos + i == r->len) {
			consume(r, mark);
			i -= mark;
			mark = 0;
			if (r->eof || i > PMS_RECORD_MAX)
				return PMS_OK;
			if ((st = fill(r)) != PMS_OK)
				return st;
			continue;
		}
		c = r->buf[r->pos + i++];
		if (c == '\n' || c == '\r')
			mark = i;
		else if (!is_blank(c)) {
			*first = c;
			break;
		}
	}
	consume(r, mark);
	return PMS_OK;
}

enum pms_status
pms_reader_open(struct pms_reader **rp, FILE *in, const char *name,
    enum pms_in_format fmt, enum pms_in_encoding enc)
{
	struct pms_reader *r;
	enum pms_status st;
	int first, got;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return nomem();
	r->in = in;
	r->fmt = fmt;
	r->enc = enc;
	r->line = 1;
	r->cap = 3 * CHUNK;
	if (name != NULL && strcmp(name, "-") != 0 &&
	    (r->name = strdup(name)) == NULL) {
		st = nomem();
		goto out;
	}
	if ((r->buf = malloc(r->cap)) == NULL ||
	    (enc == PMS_ENC_WINDOWS_1252 &&
	    (r->raw = malloc(CHUNK)) == NULL)) {
		st = nomem();
		goto out;
	}
	errno = 0;
	if ((st = read_bom(r)) != PMS_OK)
		goto out;
	if ((st = skip_blank_lines(r, &first)) != PMS_OK)
		goto out;
	if (r->fmt == PMS_IN_AUTO)
		r->fmt = first == '{' || first == '[' ? PMS_IN_JSON :
		    PMS_IN_CSV;
	if (first == -1 && r->eof) {
		r->done = 1;
		goto ok;
	}
	if (r->fmt == PMS_IN_JSON)
		goto ok;
	if ((st = csv_detect(r)) != PMS_OK || (st = csv_start(r)) != PMS_OK)
		goto out;
	r->hdr_phase = 1;
	do {
		if ((st = csv_read_row(r, &got)) != PMS_OK)
			goto header_bad;
		if (!got) {
			r->done = 1;
			goto ok;
		}
	} while (!r->nonblank);
	if ((st = csv_take_header(r)) != PMS_OK)
		goto out;
	r->hdr_phase = 0;
ok:
	r->last_line = 0;
	*rp = r;
	return PMS_OK;
header_bad:
	if (st == PMS_EDATA) {
		char why[512];

		snprintf(why, sizeof(why), "%s", pms_errmsg());
		st = pms_seterr(st, "%s (in the header)", why);
	}
out:
	pms_reader_close(r);
	return st;
}

void
pms_reader_close(struct pms_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->csv_ready)
		csv_free(&r->csv);
	for (i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->hdr);
	free(r->cells);
	free(r->arena);
	free(r->rec.f);
	free(r->buf);
	free(r->raw);
	free(r->name);
	free(r);
}

enum pms_in_format
pms_reader_format(const struct pms_reader *r)
{
	return r->fmt;
}

size_t
pms_reader_ncols(const struct pms_reader *r)
{
	return r->nhdr;
}

const char *
pms_reader_col(const struct pms_reader *r, size_t i)
{
	return i < r->nhdr ? r->hdr[i] : NULL;
}

unsigned long
pms_reader_line(const struct pms_reader *r)
{
	return r->last_line;
}

enum pms_status
pms_reader_next(struct pms_reader *r, struct pms_record **rec)
{
	enum pms_status st;
	int got;

	*rec = NULL;
	while (!r->done) {
		if (r->fmt == PMS_IN_JSON) {
			if ((st = json_next(r, &got)) != PMS_OK)
				goto fail;
			if (got)
				goto found;
			continue;
		}
		if ((st = csv_read_row(r, &got)) != PMS_OK)
			goto fail;
		if (!got)
			break;
		if (!r->nonblank)
			continue;		/* ",,,": a blank row */
		if ((st = csv_take_row(r)) != PMS_OK)
			goto fail;
		goto found;
	}
	return PMS_OK;
found:
	*rec = &r->rec;
	return PMS_OK;
fail:
	if (st != PMS_EDATA)
		r->done = 1;		/* out of memory, a read error */
	return st;
}

/* ---- the record ---- */

unsigned long
pms_record_line(const struct pms_record *rec)
{
	return rec->line;
}

size_t
pms_record_nfields(const struct pms_record *rec)
{
	return rec->n;
}

const char *
pms_record_name(const struct pms_record *rec, size_t i)
{
	return i < rec->n ? rec->f[i].name : NULL;
}

enum pms_val_type
pms_record_type_at(const struct pms_record *rec, size_t i)
{
	return i < rec->n ? rec->f[i].type : PMS_VAL_ABSENT;
}

const char *
pms_record_text_at(const struct pms_record *rec, size_t i)
{
	return i < rec->n ? rec->f[i].text : NULL;
}

static const struct field *
find(const struct pms_record *rec, const char *name)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		if (name_eq(rec->f[i].name, name))
			return &rec->f[i];
	return NULL;
}

enum pms_val_type
pms_record_type(const struct pms_record *rec, const char *field)
{
	const struct field *f = find(rec, field);

	return f != NULL ? f->type : PMS_VAL_ABSENT;
}

const char *
pms_record_text(const struct pms_record *rec, const char *field)
{
	const struct field *f = find(rec, field);

	return f != NULL ? f->text : NULL;
}

enum pms_status
pms_record_fail(const struct pms_record *rec, const char *field,
    enum pms_status st, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return line_fail(rec->r, rec->line, field, st, "%s", what);
}

/* Fail with the message a parser of ours just set. */
static enum pms_status
fail_with_errmsg(const struct pms_record *rec, const char *field)
{
	char why[512];

	snprintf(why, sizeof(why), "%s", pms_errmsg());
	return pms_record_fail(rec, field, PMS_EDATA, "%s", why);
}

/*
 * The text of a scalar field, trimmed, in buf: PMS_ENOINPUT when the
 * field is absent, null or blank, PMS_EDATA when it is no scalar or
 * too long to be one, with *type set.
 */
static enum pms_status
scalar(const struct pms_record *rec, const char *field, char *buf,
    size_t size, enum pms_val_type *type)
{
	const struct field *f = find(rec, field);
	const char *s;
	size_t n;

	*type = f != NULL ? f->type : PMS_VAL_ABSENT;
	if (f == NULL || f->text == NULL)
		return PMS_ENOINPUT;
	if (f->type == PMS_VAL_OTHER)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "a JSON array or object, not a single value");
	s = f->text;
	while (is_blank((unsigned char)*s) || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (is_blank((unsigned char)s[n - 1]) ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0)
		return PMS_ENOINPUT;
	if (n >= size)
		return pms_record_fail(rec, field, PMS_EDATA, "too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	return PMS_OK;
}

/* Parse an optional sign and decimal digits; 0, or -1 if not that, -2
 * out of range. */
static int
parse_int(const char *s, int64_t *v)
{
	int neg = 0;
	uint64_t u = 0, lim;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (u > (lim - (uint64_t)(*s - '0')) / 10)
			return -2;
		u = u * 10 + (uint64_t)(*s - '0');
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

enum pms_status
pms_record_int(const struct pms_record *rec, const char *field, int64_t *v)
{
	char buf[64];
	enum pms_val_type t;
	enum pms_status st;
	int rc;

	if ((st = scalar(rec, field, buf, sizeof(buf), &t)) != PMS_OK)
		return st;
	if (t == PMS_VAL_REAL || t == PMS_VAL_BOOL)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "not a whole number");
	if ((rc = parse_int(buf, v)) == -2)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "number out of range");
	if (rc != 0)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "not a whole number");
	return PMS_OK;
}

enum pms_status
pms_record_bool(const struct pms_record *rec, const char *field, int *v)
{
	static const char *yes[] = { "true", "yes", "y", "1" };
	static const char *no[] = { "false", "no", "n", "0" };
	char buf[16];
	enum pms_val_type t;
	enum pms_status st;
	size_t i;

	if ((st = scalar(rec, field, buf, sizeof(buf), &t)) == PMS_ENOINPUT)
		return st;
	if (st == PMS_OK && t != PMS_VAL_REAL)
		for (i = 0; i < PMS_NELEM(yes); i++) {
			if (name_eq(buf, yes[i])) {
				*v = 1;
				return PMS_OK;
			}
			if (name_eq(buf, no[i])) {
				*v = 0;
				return PMS_OK;
			}
		}
	return pms_record_fail(rec, field, PMS_EDATA, "not yes or no");
}

enum pms_status
pms_record_money(const struct pms_record *rec, const char *field,
    int64_t *cents)
{
	char cname[256], buf[128];
	enum pms_val_type t, tc;
	enum pms_status st, stc = PMS_ENOINPUT;
	int64_t v;

	st = scalar(rec, field, buf, sizeof(buf), &t);
	if (st == PMS_EDATA)
		return st;
	if (snprintf(cname, sizeof(cname), "%s_cents", field) <
	    (int)sizeof(cname)) {
		char cbuf[64];

		stc = scalar(rec, cname, cbuf, sizeof(cbuf), &tc);
		if (stc == PMS_EDATA)
			return stc;
		if (stc == PMS_OK && st == PMS_OK)
			return pms_record_fail(rec, field, PMS_EDATA,
			    "given both as %s and as %s", field, cname);
		if (stc == PMS_OK) {
			if (tc == PMS_VAL_REAL || tc == PMS_VAL_BOOL ||
			    parse_int(cbuf, &v) == -1)
				return pms_record_fail(rec, cname, PMS_EDATA,
				    "not a whole number of cents");
			if (parse_int(cbuf, &v) != 0 || v > PMS_MONEY_MAX ||
			    v < -PMS_MONEY_MAX)
				return pms_record_fail(rec, cname, PMS_EDATA,
				    "amount too large");
			*cents = v;
			return PMS_OK;
		}
	}
	if (st != PMS_OK)
		return st;
	if (t == PMS_VAL_INT || t == PMS_VAL_REAL)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "a JSON number (give %s_cents, or the amount as a "
		    "string)", field);
	if (t == PMS_VAL_BOOL)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "not an amount");
	if (pms_money_parse(buf, &v) != PMS_OK)
		return fail_with_errmsg(rec, field);
	*cents = v;
	return PMS_OK;
}

enum pms_status
pms_record_date(const struct pms_record *rec, const char *field,
    enum pms_date_form form, int32_t *days)
{
	char buf[64];
	enum pms_val_type t;
	enum pms_status st;

	if ((st = scalar(rec, field, buf, sizeof(buf), &t)) != PMS_OK)
		return st;
	if (t == PMS_VAL_BOOL)
		return pms_record_fail(rec, field, PMS_EDATA, "not a date");
	if (pms_date_parse(buf, form, days) != PMS_OK)
		return fail_with_errmsg(rec, field);
	return PMS_OK;
}

enum pms_status
pms_record_time(const struct pms_record *rec, const char *field,
    int32_t *secs)
{
	char buf[64];
	enum pms_val_type t;
	enum pms_status st;

	if ((st = scalar(rec, field, buf, sizeof(buf), &t)) != PMS_OK)
		return st;
	if (t != PMS_VAL_TEXT)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "not a time of day");
	if (pms_time_parse(buf, secs) != PMS_OK)
		return fail_with_errmsg(rec, field);
	return PMS_OK;
}

enum pms_status
pms_record_local(const struct pms_record *rec, const char *field,
    enum pms_date_form form, struct pms_local *lt)
{
	char buf[64];
	enum pms_val_type t;
	enum pms_status st;

	if ((st = scalar(rec, field, buf, sizeof(buf), &t)) != PMS_OK)
		return st;
	if (t == PMS_VAL_BOOL)
		return pms_record_fail(rec, field, PMS_EDATA,
		    "not a date and time");
	if (pms_local_parse(buf, form, lt) != PMS_OK)
		return fail_with_errmsg(rec, field);
	return PMS_OK;
}

/* ---- temp files removed on a fatal signal ---- */

#define TMP_SLOTS	8

static char *volatile tmp_slot[TMP_SLOTS];
static int tmp_handlers;

static void
tmp_on_signal(int sig)
{
	size_t i;

	for (i = 0; i < TMP_SLOTS; i++)
		if (tmp_slot[i] != NULL)
			(void)unlink(tmp_slot[i]);
	/* and die of it, as without the handler */
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

void
pms_tmp_track(char *path)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	if (!tmp_handlers) {
		tmp_handlers = 1;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = tmp_on_signal;
		sigfillset(&sa.sa_mask);
		for (i = 0; i < PMS_NELEM(sigs); i++)
			if (sigaction(sigs[i], NULL, &old) == 0 &&
			    !(old.sa_flags & SA_SIGINFO) &&
			    old.sa_handler == SIG_DFL)
				(void)sigaction(sigs[i], &sa, NULL);
	}
	for (i = 0; i < TMP_SLOTS; i++)
		if (tmp_slot[i] == NULL) {
			tmp_slot[i] = path;
			return;
		}
}

void
pms_tmp_untrack(const char *path)
{
	size_t i;

	for (i = 0; i < TMP_SLOTS; i++)
		if (tmp_slot[i] == path)
			tmp_slot[i] = NULL;
}

/* ---- the writer ---- */

/* A file written by the rules of pms_outfile_open(). */
struct pms_outfile {
	FILE		*f;
	char		*path;		/* the file asked for */
	char		*target;	/* the file written (links followed) */
	char		*tmp;		/* the temp file to rename, or NULL */
};

struct pms_writer {
	enum pms_out_format fmt;
	FILE		*out;
	struct pms_outfile *of;		/* out is this file's, or NULL */
	struct pms_col	*cols;
	size_t		 ncols;
	int		 err;		/* errno of the first write error */
	unsigned long	 nrows;
	int		 hdr_out;	/* the CSV header is written */
	/* table */
	char		*tbuf;		/* every cell's display text */
	size_t		 tlen, tcap;
	size_t		*toff;		/* nrows * ncols offsets in tbuf */
	size_t		 tcells, tcellcap;
	size_t		*width;
};

int
pms_out_format_parse(const char *s)
{
	if (strcmp(s, "table") == 0)
		return PMS_OUT_TABLE;
	if (strcmp(s, "csv") == 0)
		return PMS_OUT_CSV;
	if (strcmp(s, "json") == 0)
		return PMS_OUT_JSON;
	return -1;
}

static void
wr(struct pms_writer *w, const void *p, size_t n)
{
	if (w->err != 0 || n == 0)
		return;
	errno = 0;
	if (fwrite(p, 1, n, w->out) != n)
		w->err = errno != 0 ? errno : EIO;
}

static void
wrs(struct pms_writer *w, const char *s)
{
	wr(w, s, strlen(s));
}

static const char *
out_name(const struct pms_writer *w)
{
	if (w->of != NULL)
		return w->of->path;
	return w->out == stdout ? "standard output" : "output";
}

static enum pms_status
write_fail(const struct pms_writer *w)
{
	/* a reader that went away ("| head") needs no more words */
	if (w->err == EPIPE)
		return pms_seterr(PMS_EIO, "%s: %s", out_name(w),
		    strerror(w->err));
	return pms_seterr(PMS_EIO, "%s: write error: %s", out_name(w),
	    strerror(w->err));
}

static int
snake_case(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

/* The key a column has in JSON into buf. */
static void
json_key(const struct pms_col *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", c->name,
	    c->type == PMS_COL_MONEY ? "_cents" : "");
}

/* Copy and check the columns. */
static enum pms_status
set_cols(struct pms_writer *w, const struct pms_col *cols, size_t ncols)
{
	char a[128], b[128];
	size_t i, j;

	if (ncols == 0)
		return pms_seterr(PMS_EUSAGE, "no output columns");
	if ((w->cols = calloc(ncols, sizeof(*w->cols))) == NULL ||
	    (w->width = calloc(ncols, sizeof(*w->width))) == NULL)
		return nomem();
	for (i = 0; i < ncols; i++) {
		if (!snake_case(cols[i].name) || strlen(cols[i].name) > 64) {
			safe_name(cols[i].name, a, sizeof(a));
			return pms_seterr(PMS_EUSAGE,
			    "column name \"%s\" is not snake_case", a);
		}
		if ((w->cols[i].name = strdup(cols[i].name)) == NULL)
			return nomem();
		w->cols[i].type = cols[i].type;
		w->ncols = i + 1;
		json_key(&cols[i], a, sizeof(a));
		for (j = 0; j < i; j++) {
			json_key(&cols[j], b, sizeof(b));
			if (strcmp(cols[i].name, cols[j].name) == 0 ||
			    strcmp(a, b) == 0)
				return pms_seterr(PMS_EUSAGE,
				    "column \"%s\" twice", cols[i].name);
		}
	}
	return PMS_OK;
}

static void
writer_free(struct pms_writer *w)
{
	size_t i;

	for (i = 0; i < w->ncols; i++)
		free((char *)w->cols[i].name);
	free(w->cols);
	free(w->width);
	free(w->tbuf);
	free(w->toff);
	free(w);
}

/*
 * Note the table header's widths.  The CSV header is written with the
 * first row, or at a close with none (csv_header_out): a command that
 * fails before its first row leaves no header-only output behind.
 */
static void
write_header(struct pms_writer *w);

static void
csv_header_out(struct pms_writer *w);

static void
writer_start(struct pms_writer *w, enum pms_out_format fmt)
{
	int fd;

	if (fmt == PMS_OUT_AUTO) {
		fd = fileno(w->out);
		fmt = fd >= 0 && isatty(fd) ? PMS_OUT_TABLE : PMS_OUT_JSON;
	}
	w->fmt = fmt;
	write_header(w);
}

enum pms_status
pms_writer_open_stream(struct pms_writer **wp, enum pms_out_format fmt,
    FILE *out, const struct pms_col *cols, size_t ncols)
{
	struct pms_writer *w;
	enum pms_status st;

	*wp = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return nomem();
	w->out = out;
	if ((st = set_cols(w, cols, ncols)) != PMS_OK) {
		writer_free(w);
		return st;
	}
	writer_start(w, fmt);
	*wp = w;
	return PMS_OK;
}

/*
 * Where a file for path is to be written: *target, the file a temp
 * file is renamed over (the one a symbolic link points to), or with
 * *direct set, nothing to rename over: a device, a FIFO, or anything
 * under /dev, /proc or /sys (/dev/stdout is a link to whatever the
 * standard output is, and a rename would replace the link itself).
 */
static enum pms_status
out_target(const char *path, char **target, int *direct)
{
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX], canon[PATH_MAX];
	char real[PATH_MAX];
	const char *base, *t;
	struct stat sb;

	*target = NULL;
	*direct = 0;
	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s", path) >= (int)sizeof(b))
		return pms_seterr(PMS_EIO, "%s: path too long", path);
	base = basename(b);
	if (realpath(dirname(a), dir) == NULL)
		return pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
	if (snprintf(canon, sizeof(canon), "%s/%s", strcmp(dir, "/") == 0 ?
	    "" : dir, base) >= (int)sizeof(canon))
		return pms_seterr(PMS_EIO, "%s: path too long", path);
	t = canon;
	if (strncmp(canon, "/dev/", 5) == 0 ||
	    strncmp(canon, "/proc/", 6) == 0 ||
	    strncmp(canon, "/sys/", 5) == 0) {
		*direct = 1;
	} else if (lstat(canon, &sb) == -1) {
		if (errno != ENOENT)
			return pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
	} else {
		if (S_ISLNK(sb.st_mode)) {
			if (realpath(canon, real) == NULL ||
			    stat(real, &sb) == -1)
				return pms_seterr(PMS_EIO, "%s: %s", path,
				    strerror(errno));
			t = real;
		}
		if (S_ISDIR(sb.st_mode))
			return pms_seterr(PMS_EIO, "%s: is a directory",
			    path);
		*direct = !S_ISREG(sb.st_mode);
	}
	if ((*target = strdup(t)) == NULL)
		return nomem();
	return PMS_OK;
}

static void
outfile_free(struct pms_outfile *of)
{
	free(of->path);
	free(of->target);
	free(of->tmp);
	free(of);
}

enum pms_status
pms_outfile_open(struct pms_outfile **op, const char *path, FILE **fp)
{
	struct pms_outfile *of;
	enum pms_status st;
	char tmp[PATH_MAX];
	int fd = -1, direct;

	*op = NULL;
	*fp = NULL;
	if ((of = calloc(1, sizeof(*of))) == NULL)
		return nomem();
	if ((of->path = strdup(path)) == NULL) {
		st = nomem();
		goto fail;
	}
	if ((st = out_target(path, &of->target, &direct)) != PMS_OK)
		goto fail;
	if (direct) {
		/* appending: /dev/stdout may be a file the shell opened */
		if ((fd = open(of->target, O_WRONLY | O_APPEND | O_CLOEXEC |
		    O_NOCTTY)) == -1) {
			st = pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
	} else {
		if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", of->target) >=
		    (int)sizeof(tmp)) {
			st = pms_seterr(PMS_EIO, "%s: path too long", path);
			goto fail;
		}
		if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
			st = pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if ((of->tmp = strdup(tmp)) == NULL) {
			unlink(tmp);
			close(fd);
			st = nomem();
			goto fail;
		}
		pms_tmp_track(of->tmp);
		if (fchmod(fd, 0600) == -1) {
			st = pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
			goto fail;
		}
	}
	if ((of->f = fdopen(fd, "w")) == NULL) {
		st = pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	*op = of;
	*fp = of->f;
	return PMS_OK;
fail:
	if (fd != -1)
		close(fd);
	if (of->tmp != NULL) {
		pms_tmp_untrack(of->tmp);
		unlink(of->tmp);
	}
	outfile_free(of);
	return st;
}

const char *
pms_outfile_path(const struct pms_outfile *of)
{
	return of->path;
}

/* Close of's stream; err (an errno, or 0) is a write error seen before.
 * Renames the temp file into place when all went well. */
static enum pms_status
outfile_finish(struct pms_outfile *of, int err)
{
	enum pms_status st = PMS_OK;

	if (err == 0 && fflush(of->f) == EOF)
		err = errno != 0 ? errno : EIO;
	if (err == 0 && ferror(of->f))
		err = EIO;
	/* fsync fails on a FIFO or a device with EINVAL: no matter */
	if (err == 0 && fsync(fileno(of->f)) == -1 &&
	    (of->tmp != NULL || (errno != EINVAL && errno != EROFS)))
		err = errno;
	if (fclose(of->f) == EOF && err == 0)
		err = errno != 0 ? errno : EIO;
	of->f = NULL;
	if (err != 0) {
		st = pms_seterr(PMS_EIO, "%s: write error: %s", of->path,
		    strerror(err));
		goto out;
	}
	if (of->tmp != NULL) {
		pms_tmp_untrack(of->tmp);
		if (rename(of->tmp, of->target) == -1) {
			st = pms_seterr(PMS_EIO, "%s: %s", of->path,
			    strerror(errno));
			goto out;
		}
		free(of->tmp);
		of->tmp = NULL;
		/* as pms_file_replace: the file is in place either way */
		pms_sync_dir(of->target);
	}
out:
	if (of->tmp != NULL) {
		pms_tmp_untrack(of->tmp);
		unlink(of->tmp);
	}
	outfile_free(of);
	return st;
}

enum pms_status
pms_outfile_close(struct pms_outfile *of)
{
	return outfile_finish(of, 0);
}

void
pms_outfile_abort(struct pms_outfile *of)
{
	if (of == NULL)
		return;
	if (of->f != NULL)
		fclose(of->f);
	if (of->tmp != NULL) {
		pms_tmp_untrack(of->tmp);
		unlink(of->tmp);
	}
	outfile_free(of);
}

enum pms_status
pms_writer_open(struct pms_writer **wp, enum pms_out_format fmt,
    const char *path, const struct pms_col *cols, size_t ncols)
{
	struct pms_writer *w;
	enum pms_status st;

	if (path == NULL || strcmp(path, "-") == 0)
		return pms_writer_open_stream(wp, fmt, stdout, cols, ncols);
	*wp = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return nomem();
	if ((st = set_cols(w, cols, ncols)) != PMS_OK ||
	    (st = pms_outfile_open(&w->of, path, &w->out)) != PMS_OK) {
		writer_free(w);
		return st;
	}
	writer_start(w, fmt);
	*wp = w;
	return PMS_OK;
}

/* CSV: quote when a reader would otherwise split or trim the cell. */
static void
csv_cell(struct pms_writer *w, const char *s, int guard)
{
	size_t n = strlen(s);
	int quote;
	const char *p, *q;

	quote = strpbrk(s, ",\"\r\n") != NULL ||
	    (n > 0 && !guard && is_blank((unsigned char)s[0])) ||
	    (n > 0 && is_blank((unsigned char)s[n - 1]));
	if (quote)
		wr(w, "\"", 1);
	if (guard)
		wr(w, "'", 1);
	for (p = s; quote && (q = strchr(p, '"')) != NULL; p = q + 1) {
		wr(w, p, (size_t)(q - p + 1));		/* a quote doubled */
		wr(w, "\"", 1);
	}
	wrs(w, p);
	if (quote)
		wr(w, "\"", 1);
}

static int
col_right(const struct pms_col *c)
{
	return c->type == PMS_COL_INT || c->type == PMS_COL_MONEY;
}

static int
col_textual(const struct pms_col *c)
{
	return c->type == PMS_COL_TEXT || c->type == PMS_COL_DATE ||
	    c->type == PMS_COL_TIME;
}

/* Code points a terminal shows as nothing or moves the cursor for: C0,
 * DEL, C1, line and paragraph separators, bidirectional controls. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
	    (cp >= 0x200E && cp <= 0x200F) ||
	    (cp >= 0x2028 && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* Columns a code point takes on a terminal: East Asian wide ones 2,
 * combining marks 0. */
static int
cp_width(uint32_t cp)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD },
		{ 0x0610, 0x061A }, { 0x064B, 0x065F }, { 0x1AB0, 0x1AFF },
		{ 0x1DC0, 0x1DFF }, { 0x200B, 0x200D }, { 0x20D0, 0x20FF },
		{ 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A },
		{ 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF },
		{ 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF }, { 0xA960, 0xA97F },
		{ 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 },
		{ 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 },
		{ 0x1F300, 0x1F64F }, { 0x1F900, 0x1F9FF },
		{ 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
	};
	size_t i;

	for (i = 0; i < PMS_NELEM(zero); i++)
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	for (i = 0; i < PMS_NELEM(wide); i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* Display width of valid UTF-8 text. */
static size_t
disp_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k, wd = 0;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_next(p + i, n - i, &cp)) == 0)
			k = 1, cp = '?';
		wd += (size_t)cp_width(cp);
		i += k;
	}
	return wd;
}

/* Keep one table cell: s with control characters as '?'. */
static enum pms_status
table_keep(struct pms_writer *w, size_t col, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k, off, wd, want;
	uint32_t cp;
	char *b;

	if (w->tcells == w->tcellcap) {
		size_t c = w->tcellcap > 0 ? w->tcellcap * 2 : 256;
		size_t *t;

		if ((t = reallocarray(w->toff, c, sizeof(*t))) == NULL)
			return nomem();
		w->toff = t;
		w->tcellcap = c;
	}
	if (n > SIZE_MAX / 2 - w->tlen)
		return nomem();
	want = w->tlen + n + 1;
	if (want > w->tcap) {
		size_t c = w->tcap > 0 ? w->tcap : 4096;

		while (c < want)
			c *= 2;
		if ((b = realloc(w->tbuf, c)) == NULL)
			return nomem();
		w->tbuf = b;
		w->tcap = c;
	}
	off = w->tlen;
	while (i < n) {
		k = utf8_next(p + i, n - i, &cp);
		if (k == 0 || is_control(cp)) {
			w->tbuf[w->tlen++] = '?';
			i += k == 0 ? 1 : k;
			continue;
		}
		memcpy(w->tbuf + w->tlen, p + i, k);
		w->tlen += k;
		i += k;
	}
	w->tbuf[w->tlen++] = '\0';
	w->toff[w->tcells++] = off;
	if ((wd = disp_width(w->tbuf + off)) > w->width[col])
		w->width[col] = wd;
	return PMS_OK;
}

static void
write_header(struct pms_writer *w)
{
	size_t i, wd;

	for (i = 0; i < w->ncols; i++)
		if (w->fmt == PMS_OUT_TABLE &&
		    (wd = strlen(w->cols[i].name)) > w->width[i])
			w->width[i] = wd;
}

static void
csv_header_out(struct pms_writer *w)
{
	size_t i;

	if (w->fmt != PMS_OUT_CSV || w->hdr_out)
		return;
	w->hdr_out = 1;
	for (i = 0; i < w->ncols; i++) {
		if (i > 0)
			wr(w, ",", 1);
		wrs(w, w->cols[i].name);
	}
	wr(w, "\n", 1);
}

static enum pms_status
row_csv(struct pms_writer *w, const struct pms_cell *cells)
{
	char num[PMS_MONEY_BUFSZ];
	size_t i, nnull = 0;

	for (i = 0; i < w->ncols; i++)
		if (cells[i].null ||
		    (col_textual(&w->cols[i]) && (cells[i].text == NULL ||
		    *cells[i].text == '\0')))
			nnull++;
	for (i = 0; i < w->ncols; i++) {
		const struct pms_cell *c = &cells[i];

		if (i > 0)
			wr(w, ",", 1);
		if (i == 0 && nnull == w->ncols) {
			wr(w, "\"\"", 2);	/* not a blank line */
			continue;
		}
		if (c->null)
			continue;
		switch (w->cols[i].type) {
		case PMS_COL_TEXT:
			if (c->text != NULL)
				csv_cell(w, c->text, needs_guard(c->text));
			break;
		case PMS_COL_INT:
			snprintf(num, sizeof(num), "%" PRId64, c->i);
			wrs(w, num);
			break;
		case PMS_COL_MONEY:
			pms_money_fmt(c->i, num);
			wrs(w, num);
			break;
		case PMS_COL_DATE:
		case PMS_COL_TIME:
			/* never guarded; but one that looks guarded gets
			 * its "'" more, or the reader would drop one */
			if (c->text != NULL)
				csv_cell(w, c->text, guarded(c->text));
			break;
		}
	}
	wr(w, "\n", 1);
	return PMS_OK;
}

static enum pms_status
row_json(struct pms_writer *w, const struct pms_cell *cells)
{
	json_t *obj, *v;
	char key[128];
	size_t i;
	enum pms_status st = PMS_OK;

	if ((obj = json_object()) == NULL)
		return nomem();
	for (i = 0; i < w->ncols; i++) {
		const struct pms_cell *c = &cells[i];

		if (c->null || (col_textual(&w->cols[i]) && c->text == NULL))
			v = json_null();
		else if (col_textual(&w->cols[i]))
			v = json_string(c->text);
		else
			v = json_integer(c->i);
		json_key(&w->cols[i], key, sizeof(key));
		if (v == NULL || json_object_set_new(obj, key, v) != 0) {
			st = nomem();
			goto out;
		}
	}
	if (w->err == 0) {
		errno = 0;
		/* the order is kept anyway since jansson 2.8: said all
		 * the same */
		if (json_dumpf(obj, w->out, JSON_COMPACT |
		    JSON_PRESERVE_ORDER) != 0)
			w->err = errno != 0 ? errno : EIO;
	}
	wr(w, "\n", 1);
out:
	json_decref(obj);
	return st;
}

static enum pms_status
row_table(struct pms_writer *w, const struct pms_cell *cells)
{
	char num[PMS_MONEY_BUFSZ];
	const char *s;
	size_t i;
	enum pms_status st;

	for (i = 0; i < w->ncols; i++) {
		const struct pms_cell *c = &cells[i];

		s = "";
		if (c->null)
			;
		else if (col_textual(&w->cols[i]))
			s = c->text != NULL ? c->text : "";
		else if (w->cols[i].type == PMS_COL_MONEY) {
			pms_money_fmt(c->i, num);
			s = num;
		} else {
			snprintf(num, sizeof(num), "%" PRId64, c->i);
			s = num;
		}
		if ((st = table_keep(w, i, s)) != PMS_OK)
			return st;
	}
	return PMS_OK;
}

enum pms_status
pms_writer_row(struct pms_writer *w, const struct pms_cell *cells)
{
	size_t i;
	int bad;
	enum pms_status st;

	for (i = 0; i < w->ncols; i++)
		if (!cells[i].null && col_textual(&w->cols[i]) &&
		    cells[i].text != NULL &&
		    !utf8_valid((const unsigned char *)cells[i].text,
		    strlen(cells[i].text), &bad))
			return pms_seterr(PMS_EDATA, "row %lu: %s: %s",
			    w->nrows + 1, w->cols[i].name,
			    "not valid UTF-8");
	if (w->err != 0)
		return write_fail(w);
	switch (w->fmt) {
	case PMS_OUT_CSV:
		csv_header_out(w);
		st = row_csv(w, cells);
		break;
	case PMS_OUT_TABLE:
		st = row_table(w, cells);
		break;
	default:
		st = row_json(w, cells);
		break;
	}
	if (st != PMS_OK)
		return st;
	w->nrows++;
	if (w->err != 0)
		return write_fail(w);
	return PMS_OK;
}

static void
pad(struct pms_writer *w, size_t n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		wr(w, sp, k);
		n -= k;
	}
}

/* One line of a table: right- or left-aligned, no trailing blanks
 * (the line ends with its last non-empty cell). */
static void
table_line(struct pms_writer *w, const char *const *s)
{
	size_t i, wd, last = 0;

	for (i = 0; i < w->ncols; i++)
		if (*s[i] != '\0')
			last = i + 1;
	for (i = 0; i < last; i++) {
		wd = disp_width(s[i]);
		if (i > 0)
			wr(w, "  ", 2);
		if (col_right(&w->cols[i])) {
			pad(w, w->width[i] - wd);
			wrs(w, s[i]);
		} else {
			wrs(w, s[i]);
			if (i + 1 < last)
				pad(w, w->width[i] - wd);
		}
	}
	wr(w, "\n", 1);
}

/*
 * The width a table must fit in: the terminal's, when out is one
 * (TIOCGWINSZ); else COLUMNS, when it is a number; else 80.
 */
static size_t
table_room(const struct pms_writer *w)
{
	struct winsize ws;
	const char *e;
	char *end;
	unsigned long v;
	int fd = fileno(w->out);

	if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	if ((e = getenv("COLUMNS")) != NULL && *e >= '0' && *e <= '9') {
		errno = 0;
		v = strtoul(e, &end, 10);
		if (errno == 0 && *end == '\0' && v > 0 && v <= 100000)
			return (size_t)v;
	}
	return 80;
}

/*
 * A table too wide for its room, as psql's expanded mode shows one: each
 * row a block of "name: value" lines, the values lined up after the
 * longest name, a blank line between rows; an empty cell is its name
 * and colon alone.
 */
static void
table_print_expanded(struct pms_writer *w)
{
	const char *v;
	size_t i, r, nw = 0;

	for (i = 0; i < w->ncols; i++)
		if (strlen(w->cols[i].name) > nw)
			nw = strlen(w->cols[i].name);
	for (r = 0; r < w->nrows; r++) {
		if (r > 0)
			wr(w, "\n", 1);
		for (i = 0; i < w->ncols; i++) {
			v = w->tbuf + w->toff[r * w->ncols + i];
			wrs(w, w->cols[i].name);
			wr(w, ":", 1);
			if (*v != '\0') {
				pad(w, nw - strlen(w->cols[i].name) + 1);
				wrs(w, v);
			}
			wr(w, "\n", 1);
		}
	}
}

static enum pms_status
table_print(struct pms_writer *w)
{
	const char **s;
	char *dash;
	size_t i, r, maxw = 0, total = 0;

	/* the widest line is every column at its width, two blanks apart
	 * (the last column's width is that of its header or of a row's
	 * cell, which either line reaches); no rows: just the header */
	for (i = 0; i < w->ncols; i++)
		total += w->width[i] + (i > 0 ? 2 : 0);
	if (w->nrows > 0 && total > table_room(w)) {
		table_print_expanded(w);
		return PMS_OK;
	}
	if ((s = calloc(w->ncols, sizeof(*s))) == NULL)
		return nomem();
	for (i = 0; i < w->ncols; i++)
		if (w->width[i] > maxw)
			maxw = w->width[i];
	if ((dash = malloc(maxw + 1)) == NULL) {
		free(s);
		return nomem();
	}
	memset(dash, '-', maxw);
	for (i = 0; i < w->ncols; i++)
		s[i] = w->cols[i].name;
	table_line(w, s);
	for (i = 0; i < w->ncols; i++)
		s[i] = dash + maxw - w->width[i];
	dash[maxw] = '\0';
	table_line(w, s);
	for (r = 0; r < w->nrows; r++) {
		for (i = 0; i < w->ncols; i++)
			s[i] = w->tbuf + w->toff[r * w->ncols + i];
		table_line(w, s);
	}
	free(dash);
	free(s);
	return PMS_OK;
}

enum pms_status
pms_writer_close(struct pms_writer *w)
{
	enum pms_status st = PMS_OK;

	csv_header_out(w);
	if (w->fmt == PMS_OUT_TABLE && (st = table_print(w)) != PMS_OK) {
		pms_outfile_abort(w->of);
		goto out;
	}
	if (w->of != NULL) {
		st = outfile_finish(w->of, w->err);
		goto out;
	}
	if (w->err == 0 && fflush(w->out) == EOF)
		w->err = errno != 0 ? errno : EIO;
	if (w->err == 0 && ferror(w->out))
		w->err = EIO;
	if (w->err != 0) {
		st = write_fail(w);
		/* reported here, and once is enough: the caller's own check
		 * of its stream must not say it again */
		clearerr(w->out);
	}
out:
	writer_free(w);
	return st;
}

void
pms_writer_abort(struct pms_writer *w)
{
	if (w == NULL)
		return;
	pms_outfile_abort(w->of);
	writer_free(w);
}
