/*
 * x12.c: the X12 reader and writer (see x12.h).
 *
 * The reader pulls its input through one buffer with fread and builds
 * one segment at a time: its bytes, then an index of its elements,
 * their repetitions and their components, each a NUL-terminated string
 * in one arena reused from segment to segment.  The ISA is read before
 * the delimiters are known: "ISA", the element separator after it,
 * sixteen of those, ISA16 and the terminator, checked against the
 * fixed widths afterwards.  The envelope is checked segment by
 * segment, so a fault is found where it is, not at the end.
 *
 * The writer builds each segment's bytes with the configured
 * delimiters, checking every value as it is added, and keeps the
 * counts and control numbers the closing segments need.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "pms_int.h"
#include "x12.h"

#define CHUNK		65536		/* bytes read at a time */
#define ISA_SCAN_MAX	256		/* bytes looked at for 16 separators */

/* The widths of ISA01..ISA16. */
static const unsigned char isa_width[16] = {
	2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1
};

/* ---- small helpers ---- */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_upper_alnum(int c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z');
}

/* 1 if s is all digits, and not empty. */
static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_digit((unsigned char)*s))
			return 0;
	return 1;
}

/* A segment id: a capital letter, then one or two capitals or digits. */
static int
id_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= 3 && s[0] >= 'A' && s[0] <= 'Z' &&
	    is_upper_alnum((unsigned char)s[1]) &&
	    (n == 2 || is_upper_alnum((unsigned char)s[2]));
}

/*
 * The length of the UTF-8 sequence at s[0..n), or 0 if it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are not).
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	cp = s[0] & (0x7f >> k);
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

/*
 * Why the bytes s[0..n) cannot be X12 data of an interchange with
 * delimiters d (NULL: none yet): NULL if they can.  A delimiter is
 * allowed when allow_delims (the segment as a whole), else not (one
 * value).  CR and LF never come here.
 */
static const char *
bytes_fault(const unsigned char *s, size_t n, const struct pms_x12_delims *d,
    int allow_delims)
{
	size_t i, k;
	int delim;

	for (i = 0; i < n; i += k) {
		delim = d != NULL && s[i] != '\0' && (s[i] == (unsigned char)
		    d->element || s[i] == (unsigned char)d->component ||
		    s[i] == (unsigned char)d->segment || (d->repetition !=
		    '\0' && s[i] == (unsigned char)d->repetition));
		if (delim && !allow_delims)
			return "holds a delimiter character";
		k = 1;
		if (delim)
			continue;
		if (s[i] < 0x20 || s[i] == 0x7f)
			return "holds a control character";
		if ((k = utf8_len(s + i, n - i)) == 0)
			return "holds bytes that are not UTF-8";
	}
	return NULL;
}

/*
 * Would the reader take c, the ISA11 of an interchange whose other
 * delimiters are d, for a repetition separator?  Not a letter, digit,
 * blank, line break, NUL, byte past ASCII, nor another delimiter.
 */
static int
takes_repetition(char c, const struct pms_x12_delims *d)
{
	unsigned char u = (unsigned char)c;

	return u != 0 && u < 0x80 && !is_alnum(u) && u != ' ' && u != '\t' &&
	    u != '\r' && u != '\n' && c != d->element && c != d->component &&
	    c != d->segment;
}

/* Why an ISA field s cannot be one: printable ASCII, no delimiter. */
static const char *
isa_text_fault(const char *s, const struct pms_x12_delims *d)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return "only printable ASCII characters may be used";
		if (*s == d->element || *s == d->component ||
		    *s == d->segment || (d->repetition != '\0' &&
		    *s == d->repetition))
			return "holds a delimiter character";
	}
	return NULL;
}

enum pms_status
pms_x12_delims_check(const struct pms_x12_delims *d)
{
	const char *names[4] = { "element separator", "component separator",
	    "repetition separator", "segment terminator" };
	char c[4];
	int i, j;

	c[0] = d->element;
	c[1] = d->component;
	c[2] = d->repetition;
	c[3] = d->segment;
	for (i = 0; i < 4; i++) {
		if (c[i] == '\0') {
			if (i == 2)
				continue;
			return pms_seterr(PMS_EDATA, "the %s is missing",
			    names[i]);
		}
		if (is_alnum((unsigned char)c[i]) || c[i] == ' ')
			return pms_seterr(PMS_EDATA, "the %s is a letter, a "
			    "digit or a space", names[i]);
		if ((unsigned char)c[i] >= 0x80)
			return pms_seterr(PMS_EDATA, "the %s is not an ASCII "
			    "character", names[i]);
		if (i != 3 && (c[i] == '\r' || c[i] == '\n' || c[i] == '\t'))
			return pms_seterr(PMS_EDATA, "the %s is a tab or a "
			    "line break", names[i]);
		for (j = 0; j < i; j++)
			if (c[j] == c[i])
				return pms_seterr(PMS_EDATA, "the %s is the "
				    "same character as the %s", names[i],
				    names[j]);
	}
	return PMS_OK;
}

/* Parse a count or control number of digits only; -1 if it is not. */
static int
parse_ulong(const char *s, unsigned long *v)
{
	unsigned long x = 0;

	if (!all_digits(s) || strlen(s) > 9)
		return -1;
	for (; *s != '\0'; s++)
		x = x * 10 + (unsigned long)(*s - '0');
	*v = x;
	return 0;
}

/*
 * Do two control numbers match: as numbers when both are digits
 * ("42" is "000000042"), else as text.
 */
static int
control_eq(const char *a, const char *b)
{
	unsigned long x, y;

	if (parse_ulong(a, &x) == 0 && parse_ulong(b, &y) == 0)
		return x == y;
	return strcmp(a, b) == 0;
}

/* ---- segments ---- */

struct x12_elem {
	size_t		 raw;		/* offset of its text in raw */
	size_t		 rep0;		/* its first repetition in reps */
	size_t		 nrep;
};

struct x12_rep {
	size_t		 comp0;		/* its first component in comps */
	size_t		 ncomp;
};

struct pms_x12_seg {
	char		*raw;		/* the elements, NUL-terminated */
	size_t		 rawcap;
	char		*text;		/* the components, NUL-terminated */
	size_t		 textcap;
	struct x12_elem	*elems;		/* [0] is the id */
	size_t		 nelem, elemcap;
	struct x12_rep	*reps;
	size_t		 nrep, repcap;
	size_t		*comps;		/* offsets in text */
	size_t		 ncomp, compcap;
};

static void
seg_release(struct pms_x12_seg *s)
{
	free(s->raw);
	free(s->text);
	free(s->elems);
	free(s->reps);
	free(s->comps);
	memset(s, 0, sizeof(*s));
}

/* Room for n items of size sz in *p (capacity *cap); -1 if none. */
static int
grow(void *pp, size_t *cap, size_t n, size_t sz)
{
	void **p = pp;
	size_t c = *cap;
	void *q;

	if (n <= c)
		return 0;
	while (c < n)
		c = c == 0 ? 16 : c * 2;
	if ((q = realloc(*p, c * sz)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/*
 * Index the segment b[0..n) (its terminator not included) into s: the
 * elements at the element separator, and (when split) each element's
 * repetitions and components.  PMS_ENOMEM or PMS_OK.
 */
static enum pms_status
seg_parse(struct pms_x12_seg *s, const char *b, size_t n,
    const struct pms_x12_delims *d, int split)
{
	size_t i, t = 0, estart = 0;
	struct x12_elem *e;
	struct x12_rep *r;
	char c;

	if (grow(&s->raw, &s->rawcap, n + 1, 1) == -1 ||
	    grow(&s->text, &s->textcap, n + 1, 1) == -1)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	s->nelem = s->nrep = s->ncomp = 0;
	for (i = 0; i <= n; i++) {
		c = i < n ? b[i] : d->element;
		if (c == d->element) {
			/* element [estart, i) */
			if (grow(&s->elems, &s->elemcap, s->nelem + 1,
			    sizeof(*s->elems)) == -1)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			e = &s->elems[s->nelem++];
			e->raw = estart;
			e->rep0 = s->nrep;
			e->nrep = 0;
			memcpy(s->raw + estart, b + estart, i - estart);
			s->raw[i] = '\0';
			estart = i + 1;
		}
	}
	/* now the repetitions and components of each element */
	for (i = 0; i < s->nelem; i++) {
		const char *p = s->raw + s->elems[i].raw;
		int rep_split = split && i > 0 && d->repetition != '\0';
		int comp_split = split && i > 0;

		s->elems[i].rep0 = s->nrep;
		for (;;) {
			if (grow(&s->reps, &s->repcap, s->nrep + 1,
			    sizeof(*s->reps)) == -1)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			r = &s->reps[s->nrep++];
			s->elems[i].nrep++;
			r->comp0 = s->ncomp;
			r->ncomp = 0;
			for (;;) {
				if (grow(&s->comps, &s->compcap, s->ncomp + 1,
				    sizeof(*s->comps)) == -1)
					return pms_seterr(PMS_ENOMEM,
					    "out of memory");
				s->comps[s->ncomp++] = t;
				r->ncomp++;
				while (*p != '\0' && !(comp_split &&
				    *p == d->component) && !(rep_split &&
				    *p == d->repetition))
					s->text[t++] = *p++;
				s->text[t++] = '\0';
				if (comp_split && *p == d->component) {
					p++;
					continue;
				}
				break;
			}
			if (rep_split && *p == d->repetition) {
				p++;
				continue;
			}
			break;
		}
	}
	return PMS_OK;
}

const char *
pms_x12_seg_id(const struct pms_x12_seg *s)
{
	return s->nelem > 0 ? s->raw : "";
}

size_t
pms_x12_seg_count(const struct pms_x12_seg *s)
{
	return s->nelem > 0 ? s->nelem - 1 : 0;
}

const char *
pms_x12_elem(const struct pms_x12_seg *s, size_t i)
{
	return i < s->nelem ? s->raw + s->elems[i].raw : "";
}

size_t
pms_x12_nrep(const struct pms_x12_seg *s, size_t i)
{
	return i < s->nelem ? s->elems[i].nrep : 0;
}

size_t
pms_x12_ncomp(const struct pms_x12_seg *s, size_t i, size_t r)
{
	if (i >= s->nelem || r == 0 || r > s->elems[i].nrep)
		return 0;
	return s->reps[s->elems[i].rep0 + r - 1].ncomp;
}

const char *
pms_x12_rep_comp(const struct pms_x12_seg *s, size_t i, size_t r, size_t j)
{
	const struct x12_rep *rep;

	if (i >= s->nelem || r == 0 || r > s->elems[i].nrep)
		return "";
	rep = &s->reps[s->elems[i].rep0 + r - 1];
	if (j == 0 || j > rep->ncomp)
		return "";
	return s->text + s->comps[rep->comp0 + j - 1];
}

const char *
pms_x12_comp(const struct pms_x12_seg *s, size_t i, size_t j)
{
	return pms_x12_rep_comp(s, i, 1, j);
}

/* ---- the reader ---- */

enum rstate {
	R_START,		/* nothing read yet */
	R_OUTSIDE,		/* between interchanges: an ISA or the end */
	R_INSIDE		/* in an interchange */
};

struct pms_x12_reader {
	FILE		*in;
	char		*name;		/* for messages; NULL for stdin */
	unsigned char	 buf[CHUNK];
	size_t		 off, len;	/* unread bytes: buf[off..len) */
	int		 eof;
	unsigned long	 line;		/* of the next byte */
	enum rstate	 state;
	struct pms_x12_delims d;
	char		*seg;		/* the current segment's bytes */
	size_t		 seglen, segcap;
	struct pms_x12_seg cur, isa, gs, st;
	int		 have_isa, have_gs, have_st;
	int		 close_isa, close_gs, close_st;
	unsigned long	 ngroups;	/* in the interchange */
	unsigned long	 nsets;		/* in the group */
	unsigned long	 st_segment;	/* where the ST was */
	struct pms_x12_pos pos;
	enum pms_status	 fault;		/* sticky */
	char		*faultmsg;
};

enum pms_status
pms_x12_reader_open(struct pms_x12_reader **rp, FILE *in, const char *name)
{
	struct pms_x12_reader *r;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	r->in = in;
	r->line = 1;
	if (name != NULL && strcmp(name, "-") != 0 &&
	    (r->name = strdup(name)) == NULL) {
		free(r);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	*rp = r;
	return PMS_OK;
}

void
pms_x12_reader_close(struct pms_x12_reader *r)
{
	if (r == NULL)
		return;
	seg_release(&r->cur);
	seg_release(&r->isa);
	seg_release(&r->gs);
	seg_release(&r->st);
	free(r->seg);
	free(r->name);
	free(r->faultmsg);
	free(r);
}

const struct pms_x12_pos *
pms_x12_reader_pos(const struct pms_x12_reader *r)
{
	return &r->pos;
}

const struct pms_x12_delims *
pms_x12_reader_delims(const struct pms_x12_reader *r)
{
	return &r->d;
}

const struct pms_x12_seg *
pms_x12_reader_isa(const struct pms_x12_reader *r)
{
	return r->have_isa ? &r->isa : NULL;
}

const struct pms_x12_seg *
pms_x12_reader_gs(const struct pms_x12_reader *r)
{
	return r->have_gs ? &r->gs : NULL;
}

const struct pms_x12_seg *
pms_x12_reader_st(const struct pms_x12_reader *r)
{
	return r->have_st ? &r->st : NULL;
}

/*
 * Format a message about the current segment: "NAME: segment N (ID,
 * line L): ELEM: what".  id NULL: the segment has no usable id.
 */
static void
vformat(const struct pms_x12_reader *r, const char *id, const char *elem,
    const char *fmt, va_list ap, char *buf, size_t size)
{
	char what[512];
	int n;

	vsnprintf(what, sizeof(what), fmt, ap);
	n = snprintf(buf, size, "%s%s", r->name != NULL ? r->name : "",
	    r->name != NULL ? ": " : "");
	if (n < 0 || (size_t)n >= size)
		return;
	if (id != NULL)
		snprintf(buf + n, size - (size_t)n, "segment %lu (%s, line "
		    "%lu): %s%s%s", r->pos.segment, id, r->pos.line,
		    elem != NULL ? elem : "", elem != NULL ? ": " : "", what);
	else
		snprintf(buf + n, size - (size_t)n, "segment %lu (line %lu): "
		    "%s%s%s", r->pos.segment, r->pos.line,
		    elem != NULL ? elem : "", elem != NULL ? ": " : "", what);
}

/* Make st the reader's fault, with the message given. */
static enum pms_status
stick(struct pms_x12_reader *r, enum pms_status st, const char *msg)
{
	r->fault = st;
	free(r->faultmsg);
	/* msg may be the library's own message buffer: copy it first */
	r->faultmsg = strdup(msg);
	return pms_seterr(st, "%s", r->faultmsg != NULL ? r->faultmsg :
	    "out of memory");
}

/* A fault in the current segment (id NULL: it has none). */
static enum pms_status
rfault(struct pms_x12_reader *r, const char *id, const char *elem,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum pms_status
rfault(struct pms_x12_reader *r, const char *id, const char *elem,
    const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vformat(r, id, elem, fmt, ap, buf, sizeof(buf));
	va_end(ap);
	return stick(r, PMS_EDATA, buf);
}

/* A fault of the input as a whole: "NAME: what". */
static enum pms_status
ifault(struct pms_x12_reader *r, enum pms_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum pms_status
ifault(struct pms_x12_reader *r, enum pms_status st, const char *fmt, ...)
{
	char what[512], buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(buf, sizeof(buf), "%s%s%s", r->name != NULL ? r->name : "",
	    r->name != NULL ? ": " : "", what);
	return stick(r, st, buf);
}

enum pms_status
pms_x12_fail(const struct pms_x12_reader *r, const char *elem,
    enum pms_status st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vformat(r, r->cur.nelem > 0 ? pms_x12_seg_id(&r->cur) : NULL, elem,
	    fmt, ap, buf, sizeof(buf));
	va_end(ap);
	return pms_seterr(st, "%s", buf);
}

/*
 * Have at least n unread bytes in the buffer, unless the input ends
 * first.  0, or -1 on a read error (reported).
 */
static int
fill(struct pms_x12_reader *r, size_t n)
{
	size_t got;

	while (r->len - r->off < n && !r->eof) {
		if (r->off > 0) {
			memmove(r->buf, r->buf + r->off, r->len - r->off);
			r->len -= r->off;
			r->off = 0;
		}
		got = fread(r->buf + r->len, 1, sizeof(r->buf) - r->len,
		    r->in);
		r->len += got;
		if (got == 0) {
			if (ferror(r->in)) {
				ifault(r, PMS_EIO, "read error: %s",
				    strerror(errno));
				return -1;
			}
			r->eof = 1;
		}
	}
	return 0;
}

/* The next byte, -1 at the end, -2 on a read error (reported). */
static int
getbyte(struct pms_x12_reader *r)
{
	int c;

	if (r->off == r->len && fill(r, 1) == -1)
		return -2;
	if (r->off == r->len)
		return -1;
	c = r->buf[r->off++];
	if (c == '\n')
		r->line++;
	return c;
}

/* The next byte without taking it; -1 at the end, -2 read error. */
static int
peekbyte(struct pms_x12_reader *r)
{
	if (r->off == r->len && fill(r, 1) == -1)
		return -2;
	return r->off == r->len ? -1 : r->buf[r->off];
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip what may come between segments.  0, or -2 on a read error. */
static int
skip_space(struct pms_x12_reader *r)
{
	int c;

	while ((c = peekbyte(r)) >= 0 && is_space(c))
		getbyte(r);
	return c == -2 ? -2 : 0;
}

/* Append c to the segment's bytes; -1 if it is too long (reported). */
static int
seg_put(struct pms_x12_reader *r, int c)
{
	if (r->seglen >= PMS_X12_SEGMENT_MAX) {
		rfault(r, NULL, NULL, "longer than %d bytes: not an X12 "
		    "segment (is the segment terminator right?)",
		    PMS_X12_SEGMENT_MAX);
		return -1;
	}
	if (grow(&r->seg, &r->segcap, r->seglen + 1, 1) == -1) {
		ifault(r, PMS_ENOMEM, "out of memory");
		return -1;
	}
	r->seg[r->seglen++] = (char)c;
	return 0;
}

/*
 * The start of the input: a UTF-8 byte order mark is dropped; UTF-16
 * and UTF-32, with a mark or without (NUL bytes among the first ones),
 * and an input of nothing but blanks are refused.
 */
static enum pms_status
read_start(struct pms_x12_reader *r)
{
	const unsigned char *b;
	size_t n;

	if (fill(r, 4) == -1)
		return r->fault;
	b = r->buf + r->off;
	n = r->len - r->off;
	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
		r->off += 3;
		b += 3;
		n -= 3;
	}
	if (n >= 4 && ((b[0] == 0xff && b[1] == 0xfe && b[2] == 0 &&
	    b[3] == 0) || (b[0] == 0 && b[1] == 0 && b[2] == 0xfe &&
	    b[3] == 0xff)))
		return ifault(r, PMS_EDATA, "UTF-32 text: X12 is ASCII or "
		    "UTF-8 (save the file as UTF-8)");
	if ((n >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe &&
	    b[1] == 0xff))) || (n >= 2 && (b[0] == 0) != (b[1] == 0)))
		return ifault(r, PMS_EDATA, "UTF-16 text: X12 is ASCII or "
		    "UTF-8 (save the file as UTF-8)");
	if (skip_space(r) == -2)
		return r->fault;
	if (peekbyte(r) == -1)
		return ifault(r, PMS_EDATA, "empty input: no X12 interchange");
	return PMS_OK;
}

/* The next byte of an ISA, line breaks dropped: no ISA field holds
 * one, and a file wrapped at 80 columns breaks its 106 bytes. */
static int
isa_byte(struct pms_x12_reader *r)
{
	int c;

	while ((c = getbyte(r)) == '\r' || c == '\n')
		;
	return c;
}

/*
 * Read an ISA from the input (blanks before it already skipped): its
 * 16 elements whatever their widths, line breaks inside dropped, then
 * check it and take the interchange's delimiters from it.
 */
static enum pms_status
read_isa(struct pms_x12_reader *r)
{
	const char *isa_fields[16];
	char sep, name[6];
	const char *p;
	int c, nsep = 0, i;
	struct pms_x12_delims d;
	const char *why;
	enum pms_status st;
	size_t len;

	r->seglen = 0;
	r->pos.segment++;
	r->pos.line = r->line;
	for (i = 0; i < 4; i++) {
		if ((c = i == 0 ? getbyte(r) : isa_byte(r)) == -2)
			return r->fault;
		if (c < 0 || (i < 3 && c != "ISA"[i])) {
			if (r->state == R_START)
				return ifault(r, PMS_EDATA, "not an X12 "
				    "interchange: it does not start with an "
				    "ISA segment");
			return rfault(r, NULL, NULL, "after an IEA only an "
			    "ISA may come");
		}
		if (seg_put(r, c) == -1)
			return r->fault;
	}
	sep = (char)c;
	if (is_alnum((unsigned char)sep) || is_space((unsigned char)sep) ||
	    sep == '\0')
		return rfault(r, "ISA", NULL, "the element separator is a "
		    "letter, a digit or a blank");
	while (nsep < 15) {
		if ((c = isa_byte(r)) == -2)
			return r->fault;
		if (c < 0)
			return rfault(r, "ISA", NULL, "the input ends inside "
			    "the ISA");
		if (r->seglen >= ISA_SCAN_MAX)
			return rfault(r, "ISA", NULL, "not an interchange "
			    "header: 16 elements not found");
		if (c == sep)
			nsep++;
		if (seg_put(r, c) == -1)
			return r->fault;
	}
	/* ISA16, then the segment terminator */
	for (i = 0; i < 2; i++) {
		if ((c = i == 0 ? isa_byte(r) : getbyte(r)) == -2)
			return r->fault;
		if (c < 0)
			return rfault(r, "ISA", NULL, "the input ends inside "
			    "the ISA");
		if (i == 0 && seg_put(r, c) == -1)
			return r->fault;
	}
	/* a line break after ISA16 is the terminator when a segment (a
	 * letter) follows it, else the line was wrapped before the
	 * terminator, which is never a letter or a digit */
	if (c == '\r' || c == '\n') {
		int next, brk = c;

		while ((next = peekbyte(r)) == '\r' || next == '\n')
			(void)getbyte(r);
		if (next == -2)
			return r->fault;
		if (next >= 0 && !is_alnum((unsigned char)next) &&
		    !is_space((unsigned char)next) && next != sep &&
		    next != r->seg[r->seglen - 1])
			c = getbyte(r);
		else
			c = brk;
	}
	d.element = sep;
	d.component = r->seg[r->seglen - 1];
	d.segment = (char)c;
	d.repetition = '\0';
	r->d = d;		/* for the split below: no repetitions yet */
	if ((st = seg_parse(&r->cur, r->seg, r->seglen, &d, 0)) != PMS_OK)
		return ifault(r, st, "%s", pms_errmsg());
	for (i = 0; i < 16; i++)
		isa_fields[i] = pms_x12_elem(&r->cur, (size_t)i + 1);
	/* fixed width: each element its width, 106 bytes in all */
	for (i = 0; i < 16; i++) {
		len = strlen(isa_fields[i]);
		if (len != isa_width[i])
			return rfault(r, "ISA", NULL, "not fixed width (%d "
			    "bytes): ISA%02d is %zu bytes wide, not %d",
			    PMS_X12_ISA_LEN, i + 1, len, isa_width[i]);
	}
	/* the version, before anything that depends on it */
	p = isa_fields[11];
	if (strcmp(p, "00501") != 0) {
		/* a message never shows a value from the file */
		if (all_digits(p) && strcmp(p, "00501") < 0)
			return rfault(r, "ISA", "ISA12", "an X12 4010 (or "
			    "older) interchange: only 5010 (00501) is read");
		if (all_digits(p))
			return rfault(r, "ISA", "ISA12", "a version other "
			    "than 5010: only 5010 (00501) is read");
		return rfault(r, "ISA", "ISA12", "not a version number");
	}
	/* ISA11 is the repetition separator when it can be one */
	c = (unsigned char)isa_fields[10][0];
	if (takes_repetition((char)c, &d))
		d.repetition = (char)c;
	else if (c < 0x20 || c >= 0x7f)
		return rfault(r, "ISA", "ISA11", "neither a repetition "
		    "separator nor a printable character");
	if (pms_x12_delims_check(&d) != PMS_OK)
		return rfault(r, "ISA", NULL, "%s", pms_errmsg());
	r->d = d;
	for (i = 0; i < 15; i++) {
		if (i == 10)
			continue;
		why = isa_text_fault(isa_fields[i], &d);
		if (why != NULL) {
			snprintf(name, sizeof(name), "ISA%02d", i + 1);
			return rfault(r, "ISA", name, "%s", why);
		}
	}
	if (!all_digits(isa_fields[8]))
		return rfault(r, "ISA", "ISA09", "not a date (YYMMDD)");
	if (!all_digits(isa_fields[9]))
		return rfault(r, "ISA", "ISA10", "not a time (HHMM)");
	if (!all_digits(isa_fields[12]))
		return rfault(r, "ISA", "ISA13", "not a control number of 9 "
		    "digits");
	if ((st = seg_parse(&r->isa, r->seg, r->seglen, &d, 0)) != PMS_OK)
		return ifault(r, st, "%s", pms_errmsg());
	r->have_isa = 1;
	r->state = R_INSIDE;
	r->ngroups = 0;
	r->pos.interchange++;
	r->pos.group = r->pos.transaction = r->pos.position = 0;
	return PMS_OK;
}

/*
 * Read the bytes of the next segment of the interchange into r->seg:
 * up to its terminator (or the end of the input), CR and LF dropped.
 * *got is 0 at the end of the input.
 */
static enum pms_status
read_bytes(struct pms_x12_reader *r, int *got)
{
	int c;

	r->seglen = 0;
	*got = 0;
	if (skip_space(r) == -2)
		return r->fault;
	if (peekbyte(r) == -1)
		return PMS_OK;
	r->pos.segment++;
	r->pos.line = r->line;
	*got = 1;
	for (;;) {
		if ((c = getbyte(r)) == -2)
			return r->fault;
		if (c == -1 || c == (unsigned char)r->d.segment)
			return PMS_OK;
		if (c == '\r' || c == '\n')
			continue;
		if (seg_put(r, c) == -1)
			return r->fault;
	}
}

/* Parse element name of the current segment as a count. */
static enum pms_status
count_elem(struct pms_x12_reader *r, const char *id, size_t i,
    unsigned long *v)
{
	char name[32];

	snprintf(name, sizeof(name), "%s%02zu", id, i);
	if (parse_ulong(pms_x12_elem(&r->cur, i), v) == -1)
		return rfault(r, id, name, "not a number");
	return PMS_OK;
}

/* The envelope's rules for the segment just read (id valid). */
static enum pms_status
envelope(struct pms_x12_reader *r, const char *id)
{
	unsigned long v;
	enum pms_status st;
	const char *s;

	if (strcmp(id, "ISA") == 0)
		return rfault(r, id, NULL, "an ISA inside an interchange: the "
		    "IEA of interchange %lu is missing", r->pos.interchange);
	if (strcmp(id, "IEA") == 0) {
		if (r->have_gs)
			return rfault(r, id, NULL, "the group is not closed: "
			    "GE missing");
		if ((st = count_elem(r, id, 1, &v)) != PMS_OK)
			return st;
		if (v != r->ngroups)
			return rfault(r, id, "IEA01", "does not match the "
			    "number of functional groups in the interchange "
			    "(%lu)", r->ngroups);
		s = pms_x12_elem(&r->cur, 2);
		if (!all_digits(s) || !control_eq(s, pms_x12_elem(&r->isa,
		    13)))
			return rfault(r, id, "IEA02", "does not match ISA13");
		r->close_isa = 1;
		return PMS_OK;
	}
	if (strcmp(id, "TA1") == 0) {
		if (r->have_gs)
			return rfault(r, id, NULL, "a TA1 inside a functional "
			    "group");
		return PMS_OK;
	}
	if (strcmp(id, "GS") == 0) {
		if (r->have_gs)
			return rfault(r, id, NULL, "a GS inside a functional "
			    "group: the GE of group %lu is missing",
			    r->pos.group);
		s = pms_x12_elem(&r->cur, 8);
		if (strncmp(s, "004", 3) == 0 || strncmp(s, "003", 3) == 0)
			return rfault(r, id, "GS08", "an X12 4010 (or older) "
			    "functional group: only 5010 is read");
		if (strlen(s) > 12)
			return rfault(r, id, "GS08", "longer than 12 "
			    "characters");
		if (parse_ulong(pms_x12_elem(&r->cur, 6), &v) == -1)
			return rfault(r, id, "GS06", "not a control number of "
			    "1 to 9 digits");
		if ((st = seg_parse(&r->gs, r->seg, r->seglen, &r->d, 1)) !=
		    PMS_OK)
			return ifault(r, st, "%s", pms_errmsg());
		r->have_gs = 1;
		r->ngroups++;
		r->nsets = 0;
		r->pos.group = r->ngroups;
		return PMS_OK;
	}
	if (strcmp(id, "GE") == 0) {
		if (!r->have_gs)
			return rfault(r, id, NULL, "a GE outside a functional "
			    "group");
		if (r->have_st)
			return rfault(r, id, NULL, "the transaction set is "
			    "not closed: SE missing");
		if ((st = count_elem(r, id, 1, &v)) != PMS_OK)
			return st;
		if (v != r->nsets)
			return rfault(r, id, "GE01", "does not match the "
			    "number of transaction sets in the group (%lu)",
			    r->nsets);
		if (!control_eq(pms_x12_elem(&r->cur, 2), pms_x12_elem(&r->gs,
		    6)))
			return rfault(r, id, "GE02", "does not match GS06");
		r->close_gs = 1;
		return PMS_OK;
	}
	if (strcmp(id, "ST") == 0) {
		if (!r->have_gs)
			return rfault(r, id, NULL, "an ST outside a "
			    "functional group (GS..GE)");
		if (r->have_st)
			return rfault(r, id, NULL, "an ST inside a "
			    "transaction set: the SE of the set at segment "
			    "%lu is missing", r->st_segment);
		s = pms_x12_elem(&r->cur, 2);
		if (*s == '\0' || strlen(s) > 9)
			return rfault(r, id, "ST02", "not a control number of "
			    "1 to 9 characters");
		if ((st = seg_parse(&r->st, r->seg, r->seglen, &r->d, 1)) !=
		    PMS_OK)
			return ifault(r, st, "%s", pms_errmsg());
		r->have_st = 1;
		r->nsets++;
		r->st_segment = r->pos.segment;
		r->pos.transaction = r->nsets;
		r->pos.position = 1;
		return PMS_OK;
	}
	if (!r->have_st)
		return rfault(r, id, NULL, "outside a transaction set "
		    "(ST..SE)");
	r->pos.position++;
	if (strcmp(id, "SE") == 0) {
		if ((st = count_elem(r, id, 1, &v)) != PMS_OK)
			return st;
		if (v != r->pos.position)
			return rfault(r, id, "SE01", "does not match the "
			    "number of segments in the transaction set (%lu)",
			    r->pos.position);
		if (strcmp(pms_x12_elem(&r->cur, 2),
		    pms_x12_elem(&r->st, 2)) != 0)
			return rfault(r, id, "SE02", "does not match the ST02 "
			    "of segment %lu", r->st_segment);
		r->close_st = 1;
	}
	return PMS_OK;
}

enum pms_status
pms_x12_next(struct pms_x12_reader *r, const struct pms_x12_seg **segp)
{
	enum pms_status st;
	const char *why, *id;
	int got;

	*segp = NULL;
	if (r->fault != PMS_OK)
		return pms_seterr(r->fault, "%s", r->faultmsg != NULL ?
		    r->faultmsg : "the input could not be read");
	if (r->close_st) {
		r->have_st = r->close_st = 0;
		r->pos.transaction = r->pos.position = 0;
	}
	if (r->close_gs) {
		r->have_gs = r->close_gs = 0;
		r->pos.group = 0;
	}
	if (r->close_isa) {
		r->have_isa = r->close_isa = 0;
		r->state = R_OUTSIDE;
	}
	if (r->state == R_START && (st = read_start(r)) != PMS_OK)
		return st;
	if (r->state != R_INSIDE) {
		if (skip_space(r) == -2)
			return r->fault;
		if (peekbyte(r) == -1)
			return PMS_OK;	/* the end, between interchanges */
		if ((st = read_isa(r)) != PMS_OK)
			return st;
		*segp = &r->cur;
		return PMS_OK;
	}
	for (;;) {
		if ((st = read_bytes(r, &got)) != PMS_OK)
			return st;
		if (!got)
			return ifault(r, PMS_EDATA, "the input ends inside "
			    "interchange %lu (after segment %lu): its IEA is "
			    "missing", r->pos.interchange, r->pos.segment);
		if (r->seglen > 0)
			break;
		r->pos.segment--;	/* an empty segment is no segment */
	}
	if ((why = bytes_fault((const unsigned char *)r->seg, r->seglen, &r->d,
	    1)) != NULL)
		return rfault(r, NULL, NULL, "%s", why);
	if ((st = seg_parse(&r->cur, r->seg, r->seglen, &r->d, 1)) != PMS_OK)
		return ifault(r, st, "%s", pms_errmsg());
	id = pms_x12_seg_id(&r->cur);
	if (!id_valid(id))
		return rfault(r, NULL, NULL, "not a segment id (2 or 3 "
		    "capital letters and digits) at its start");
	if ((st = envelope(r, id)) != PMS_OK)
		return st;
	*segp = &r->cur;
	return PMS_OK;
}

/* ---- amounts, kinds and summaries ---- */

enum pms_status
pms_x12_amount(const char *text, int64_t *cents)
{
	char buf[PMS_MONEY_BUFSZ];
	const char *p = text, *dot = NULL;
	size_t n, ndig = 0;

	if (*p == '-')
		p++;
	for (; *p != '\0'; p++) {
		if (*p == '.' && dot == NULL)
			dot = p;
		else if (is_digit((unsigned char)*p))
			ndig++;
		else
			goto bad;
	}
	if (ndig == 0 || ndig > 18)
		goto bad;
	n = strlen(text);
	/* decimals past the second: zeros, dropped */
	if (dot != NULL) {
		while (n > (size_t)(dot - text) + 3 && text[n - 1] == '0')
			n--;
		if (n == (size_t)(dot - text) + 1)
			n--;		/* "40." is 40 */
	}
	if (n == 0 || n >= sizeof(buf) || (n == 1 && *text == '-'))
		goto bad;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (pms_money_parse(buf, cents) != PMS_OK)
		goto bad;
	return PMS_OK;
bad:
	return pms_seterr(PMS_EDATA, "not an X12 amount");
}

const char *
pms_x12_kind(const char *st01, const char *gs08)
{
	if (strcmp(st01, "837") == 0) {
		if (strstr(gs08, "X222") != NULL)
			return "837P";
		if (strstr(gs08, "X223") != NULL)
			return "837I";
		if (strstr(gs08, "X224") != NULL)
			return "837D";
	}
	if (strcmp(st01, "277") == 0 && strstr(gs08, "X214") != NULL)
		return "277CA";
	return st01;
}

/* Copy s into buf (size), trailing blanks removed; cut if too long,
 * which the reader's checks make impossible for what is copied. */
static void
copy_trim(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* Add the amount in element i of seg to *sum. */
static enum pms_status
add_amount(struct pms_x12_reader *r, const struct pms_x12_seg *seg,
    size_t i, int64_t *sum)
{
	char name[32];
	int64_t v;

	snprintf(name, sizeof(name), "%s%02zu", pms_x12_seg_id(seg), i);
	if (pms_x12_amount(pms_x12_elem(seg, i), &v) != PMS_OK)
		return stick(r, PMS_EDATA, (pms_x12_fail(r, name, PMS_EDATA,
		    "not an X12 amount"), pms_errmsg()));
	if (__builtin_add_overflow(*sum, v, sum))
		return stick(r, PMS_EDATA, (pms_x12_fail(r, name, PMS_EDATA,
		    "the sum of the amounts is too large"), pms_errmsg()));
	return PMS_OK;
}

enum pms_status
pms_x12_summary_next(struct pms_x12_reader *r, struct pms_x12_summary *sum,
    int *done)
{
	const struct pms_x12_seg *seg, *isa;
	const char *id;
	enum pms_status st;
	int is837 = 0, is835 = 0;

	*done = 0;
	for (;;) {
		if ((st = pms_x12_next(r, &seg)) != PMS_OK)
			return st;
		if (seg == NULL) {
			*done = 1;
			return PMS_OK;
		}
		id = pms_x12_seg_id(seg);
		if (strcmp(id, "ST") == 0 || strcmp(id, "TA1") == 0) {
			memset(sum, 0, sizeof(*sum));
			isa = pms_x12_reader_isa(r);
			sum->interchange = r->pos.interchange;
			sum->group = r->pos.group;
			sum->transaction = r->pos.transaction;
			copy_trim(sum->isa13, sizeof(sum->isa13),
			    pms_x12_elem(isa, 13));
			copy_trim(sum->sender, sizeof(sum->sender),
			    pms_x12_elem(isa, 6));
			copy_trim(sum->receiver, sizeof(sum->receiver),
			    pms_x12_elem(isa, 8));
		}
		if (strcmp(id, "TA1") == 0) {
			copy_trim(sum->kind, sizeof(sum->kind), "TA1");
			return PMS_OK;
		}
		if (strcmp(id, "ST") == 0) {
			const struct pms_x12_seg *gs = pms_x12_reader_gs(r);

			copy_trim(sum->version, sizeof(sum->version),
			    pms_x12_elem(gs, 8));
			copy_trim(sum->gs06, sizeof(sum->gs06),
			    pms_x12_elem(gs, 6));
			copy_trim(sum->st02, sizeof(sum->st02),
			    pms_x12_elem(seg, 2));
			copy_trim(sum->kind, sizeof(sum->kind),
			    pms_x12_kind(pms_x12_elem(seg, 1), sum->version));
			is837 = strcmp(pms_x12_elem(seg, 1), "837") == 0;
			is835 = strcmp(pms_x12_elem(seg, 1), "835") == 0;
			sum->has_charge = is837 || is835;
			sum->has_payment = is835;
			continue;
		}
		if (pms_x12_reader_st(r) == NULL)
			continue;
		if (strcmp(id, "CLM") == 0 || strcmp(id, "CLP") == 0)
			sum->claims++;
		if (strcmp(id, "SV1") == 0 || strcmp(id, "SV2") == 0 ||
		    strcmp(id, "SV3") == 0 || strcmp(id, "SVC") == 0)
			sum->lines++;
		if (is837 && strcmp(id, "CLM") == 0 &&
		    (st = add_amount(r, seg, 2, &sum->charge)) != PMS_OK)
			return st;
		if (is835 && strcmp(id, "CLP") == 0 &&
		    ((st = add_amount(r, seg, 3, &sum->charge)) != PMS_OK ||
		    (st = add_amount(r, seg, 4, &sum->paid)) != PMS_OK))
			return st;
		if (is835 && strcmp(id, "BPR") == 0 &&
		    (st = add_amount(r, seg, 2, &sum->payment)) != PMS_OK)
			return st;
		if (strcmp(id, "SE") == 0) {
			sum->segments = r->pos.position;
			return PMS_OK;
		}
	}
}

/* ---- the writer ---- */

struct pms_x12_writer {
	FILE		*out;
	struct pms_x12_writer_opts o;
	enum pms_status	 fault;		/* sticky */
	char		*faultmsg;
	unsigned long	 count;		/* segments written */
	/* the segment being built */
	int		 in_seg;
	char		 id[4];
	char		*buf;
	size_t		 len, cap;
	size_t		*eoff;		/* where each element starts in buf */
	size_t		 nelem, ecap;
	size_t		 ncomp, nrep;	/* of the element last begun */
	/* the envelope */
	int		 in_isa, in_gs, in_st;
	uint32_t	 isa13;
	char		 gs06[16];
	char		 st02[16];
	unsigned long	 ngroups, nsets, nsegs;
};

/* Make st the writer's fault, with a message in its form. */
static enum pms_status
wfault(struct pms_x12_writer *w, enum pms_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum pms_status
wfault(struct pms_x12_writer *w, enum pms_status st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w->fault = st;
	free(w->faultmsg);
	w->faultmsg = strdup(buf);
	return pms_seterr(st, "%s", buf);
}

/* The writer's fault again, for every call after the first failure. */
static enum pms_status
wstuck(struct pms_x12_writer *w)
{
	return pms_seterr(w->fault, "%s", w->faultmsg != NULL ? w->faultmsg :
	    "the X12 output failed");
}

enum pms_status
pms_x12_writer_open(struct pms_x12_writer **wp, FILE *out,
    const struct pms_x12_writer_opts *o)
{
	struct pms_x12_writer *w;
	enum pms_status st;

	*wp = NULL;
	if ((st = pms_x12_delims_check(&o->delims)) != PMS_OK)
		return st;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	w->out = out;
	w->o = *o;
	*wp = w;
	return PMS_OK;
}

static void
writer_free(struct pms_x12_writer *w)
{
	free(w->buf);
	free(w->eoff);
	free(w->faultmsg);
	free(w);
}

enum pms_status
pms_x12_writer_close(struct pms_x12_writer *w)
{
	enum pms_status st = PMS_OK;

	if (w == NULL)
		return PMS_OK;
	if (w->fault != PMS_OK)
		st = wstuck(w);
	else if (w->in_seg || w->in_isa)
		st = pms_seterr(PMS_EINTERNAL, "x12 writer: closed with %s "
		    "open", w->in_seg ? "a segment" : w->in_st ? "a "
		    "transaction set" : w->in_gs ? "a functional group" :
		    "an interchange");
	else if (fflush(w->out) == EOF || ferror(w->out))
		st = pms_seterr(PMS_EIO, "write error: %s", strerror(errno));
	writer_free(w);
	return st;
}

unsigned long
pms_x12_writer_count(const struct pms_x12_writer *w)
{
	return w->count;
}

/* Write n bytes of b, then the terminator and the end of line. */
static enum pms_status
emit(struct pms_x12_writer *w, const char *b, size_t n)
{
	char tail[3];
	size_t t = 0;

	tail[t++] = w->o.delims.segment;
	if (w->o.delims.segment != '\n' && w->o.delims.segment != '\r') {
		if (w->o.eol == PMS_X12_EOL_CRLF)
			tail[t++] = '\r';
		if (w->o.eol != PMS_X12_EOL_NONE)
			tail[t++] = '\n';
	}
	if (fwrite(b, 1, n, w->out) != n || fwrite(tail, 1, t, w->out) != t)
		return wfault(w, PMS_EIO, "write error: %s", strerror(errno));
	w->count++;
	return PMS_OK;
}

/* The name of the value being added, for messages: "SV101-2". */
static void
value_name(const struct pms_x12_writer *w, char *buf, size_t size)
{
	if (w->ncomp > 1)
		snprintf(buf, size, "%s%02zu-%zu", w->id, w->nelem - 1,
		    w->ncomp);
	else
		snprintf(buf, size, "%s%02zu", w->id, w->nelem - 1);
}

/* Append bytes to the segment being built; n bytes of s. */
static enum pms_status
wput(struct pms_x12_writer *w, const char *s, size_t n)
{
	if (w->len + n > PMS_X12_SEGMENT_MAX)
		return wfault(w, PMS_EDATA, "segment %lu (%s): longer than %d "
		    "bytes", w->count + 1, w->id, PMS_X12_SEGMENT_MAX);
	if (grow(&w->buf, &w->cap, w->len + n, 1) == -1)
		return wfault(w, PMS_ENOMEM, "out of memory");
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	return PMS_OK;
}

/* Append a value (NULL: nothing), checked. */
static enum pms_status
wvalue(struct pms_x12_writer *w, const char *s, size_t n)
{
	const char *why;
	char name[48];

	if (s == NULL || n == 0)
		return PMS_OK;
	why = bytes_fault((const unsigned char *)s, n, &w->o.delims, 0);
	if (why != NULL || memchr(s, '\0', n) != NULL) {
		value_name(w, name, sizeof(name));
		return wfault(w, PMS_EDATA, "segment %lu (%s): %s: %s",
		    w->count + 1, w->id, name, why != NULL ? why :
		    "holds a NUL byte");
	}
	return wput(w, s, n);
}

/* Begin a new element, component or repetition: its separator. */
static enum pms_status
wsep(struct pms_x12_writer *w, char which)
{
	if (w->fault != PMS_OK)
		return wstuck(w);
	if (!w->in_seg)
		return wfault(w, PMS_EINTERNAL, "x12 writer: no segment "
		    "begun");
	if (which == 'e') {
		if (grow(&w->eoff, &w->ecap, w->nelem + 1, sizeof(*w->eoff)) ==
		    -1)
			return wfault(w, PMS_ENOMEM, "out of memory");
		w->eoff[w->nelem++] = w->len + 1;
		w->ncomp = w->nrep = 1;
		return wput(w, &w->o.delims.element, 1);
	}
	if (w->nelem < 2)
		return wfault(w, PMS_EINTERNAL, "x12 writer: a component or "
		    "repetition before the first element of %s", w->id);
	if (which == 'c') {
		w->ncomp++;
		return wput(w, &w->o.delims.component, 1);
	}
	if (w->o.delims.repetition == '\0')
		return wfault(w, PMS_EDATA, "segment %lu (%s): a repetition, "
		    "but the delimiters have no repetition separator",
		    w->count + 1, w->id);
	w->nrep++;
	w->ncomp = 1;
	return wput(w, &w->o.delims.repetition, 1);
}

enum pms_status
pms_x12_write_begin(struct pms_x12_writer *w, const char *id)
{
	if (w->fault != PMS_OK)
		return wstuck(w);
	if (w->in_seg)
		return wfault(w, PMS_EINTERNAL, "x12 writer: %s begun before "
		    "%s ended", id, w->id);
	if (!id_valid(id))
		return wfault(w, PMS_EINTERNAL, "x12 writer: not a segment "
		    "id");
	if (strcmp(id, "ISA") == 0)
		return wfault(w, PMS_EINTERNAL, "x12 writer: an ISA is "
		    "written by pms_x12_write_isa");
	memcpy(w->id, id, strlen(id) + 1);
	w->len = 0;
	w->nelem = 0;
	if (grow(&w->eoff, &w->ecap, 1, sizeof(*w->eoff)) == -1)
		return wfault(w, PMS_ENOMEM, "out of memory");
	w->eoff[w->nelem++] = 0;
	w->in_seg = 1;
	return wput(w, id, strlen(id));
}

enum pms_status
pms_x12_write_elem(struct pms_x12_writer *w, const char *text)
{
	enum pms_status st;

	if ((st = wsep(w, 'e')) != PMS_OK)
		return st;
	return wvalue(w, text, text != NULL ? strlen(text) : 0);
}

enum pms_status
pms_x12_write_comp(struct pms_x12_writer *w, const char *text)
{
	enum pms_status st;

	if ((st = wsep(w, 'c')) != PMS_OK)
		return st;
	return wvalue(w, text, text != NULL ? strlen(text) : 0);
}

enum pms_status
pms_x12_write_rep(struct pms_x12_writer *w, const char *text)
{
	enum pms_status st;

	if ((st = wsep(w, 'r')) != PMS_OK)
		return st;
	return wvalue(w, text, text != NULL ? strlen(text) : 0);
}

/*
 * Element i of the segment being ended, copied into buf (size): the
 * bytes from its start to the next element separator.
 */
static const char *
built_elem(const struct pms_x12_writer *w, size_t i, char *buf, size_t size)
{
	size_t start, end, n;

	buf[0] = '\0';
	if (i >= w->nelem)
		return buf;
	start = w->eoff[i];
	end = i + 1 < w->nelem ? w->eoff[i + 1] - 1 : w->len;
	n = end > start ? end - start : 0;
	if (n >= size)
		n = size - 1;
	memcpy(buf, w->buf + start, n);
	buf[n] = '\0';
	return buf;
}

/* The envelope's rules for the segment being ended, as the reader's. */
static enum pms_status
wenvelope(struct pms_x12_writer *w)
{
	char e1[32], e2[32], ctl[16];
	unsigned long v;
	const char *id = w->id;

	built_elem(w, 1, e1, sizeof(e1));
	built_elem(w, 2, e2, sizeof(e2));
	if (!w->in_isa)
		return wfault(w, PMS_EINTERNAL, "x12 writer: %s outside an "
		    "interchange", id);
	if (strcmp(id, "IEA") == 0) {
		snprintf(ctl, sizeof(ctl), "%09" PRIu32, w->isa13);
		if (w->in_gs || parse_ulong(e1, &v) == -1 || v != w->ngroups ||
		    !all_digits(e2) || !control_eq(e2, ctl))
			return wfault(w, PMS_EINTERNAL, "x12 writer: IEA does "
			    "not close the interchange");
		w->in_isa = 0;
		return PMS_OK;
	}
	if (strcmp(id, "TA1") == 0)
		return w->in_gs ? wfault(w, PMS_EINTERNAL, "x12 writer: TA1 "
		    "inside a group") : PMS_OK;
	if (strcmp(id, "GS") == 0) {
		built_elem(w, 6, w->gs06, sizeof(w->gs06));
		if (w->in_gs || parse_ulong(w->gs06, &v) == -1)
			return wfault(w, PMS_EINTERNAL, "x12 writer: GS "
			    "inside a group, or GS06 not a control number");
		w->in_gs = 1;
		w->ngroups++;
		w->nsets = 0;
		return PMS_OK;
	}
	if (strcmp(id, "GE") == 0) {
		if (!w->in_gs || w->in_st || parse_ulong(e1, &v) == -1 ||
		    v != w->nsets || !control_eq(e2, w->gs06))
			return wfault(w, PMS_EINTERNAL, "x12 writer: GE does "
			    "not close the group");
		w->in_gs = 0;
		return PMS_OK;
	}
	if (strcmp(id, "ST") == 0) {
		if (!w->in_gs || w->in_st || *e2 == '\0' || strlen(e2) > 9)
			return wfault(w, PMS_EINTERNAL, "x12 writer: ST "
			    "outside a group, or ST02 not a control number");
		memcpy(w->st02, e2, strlen(e2) + 1);
		w->in_st = 1;
		w->nsets++;
		w->nsegs = 1;
		return PMS_OK;
	}
	if (!w->in_st)
		return wfault(w, PMS_EINTERNAL, "x12 writer: %s outside a "
		    "transaction set", id);
	w->nsegs++;
	if (strcmp(id, "SE") == 0) {
		if (parse_ulong(e1, &v) == -1 || v != w->nsegs ||
		    strcmp(e2, w->st02) != 0)
			return wfault(w, PMS_EINTERNAL, "x12 writer: SE does "
			    "not close the transaction set");
		w->in_st = 0;
	}
	return PMS_OK;
}

enum pms_status
pms_x12_write_end(struct pms_x12_writer *w)
{
	const struct pms_x12_delims *d = &w->o.delims;
	enum pms_status st;
	char c;

	if (w->fault != PMS_OK)
		return wstuck(w);
	if (!w->in_seg)
		return wfault(w, PMS_EINTERNAL, "x12 writer: no segment "
		    "begun");
	if (!w->o.keep_empty) {
		/* trailing empty elements, components, repetitions */
		while (w->len > strlen(w->id)) {
			c = w->buf[w->len - 1];
			if (c != d->element && c != d->component &&
			    (d->repetition == '\0' || c != d->repetition))
				break;
			w->len--;
		}
		while (w->nelem > 1 && w->eoff[w->nelem - 1] > w->len)
			w->nelem--;
	}
	if ((st = wenvelope(w)) != PMS_OK)
		return st;
	w->in_seg = 0;
	return emit(w, w->buf, w->len);
}

enum pms_status
pms_x12_write_seg(struct pms_x12_writer *w, const char *tmpl, ...)
{
	enum pms_status st = PMS_OK;
	const char *p, *s, *q;
	char id[4];
	va_list ap;
	size_t n;

	if (w->fault != PMS_OK)
		return wstuck(w);
	for (n = 0; tmpl[n] != '\0' && tmpl[n] != '*' && tmpl[n] != ':' &&
	    tmpl[n] != '^'; n++)
		;
	if (n >= sizeof(id))
		return wfault(w, PMS_EINTERNAL, "x12 writer: not a segment "
		    "id");
	memcpy(id, tmpl, n);
	id[n] = '\0';
	if ((st = pms_x12_write_begin(w, id)) != PMS_OK)
		return st;
	va_start(ap, tmpl);
	for (p = tmpl + n; *p != '\0' && st == PMS_OK; ) {
		switch (*p) {
		case '*':
			st = wsep(w, 'e');
			p++;
			continue;
		case ':':
			st = wsep(w, 'c');
			p++;
			continue;
		case '^':
			st = wsep(w, 'r');
			p++;
			continue;
		case '%':
			if (p[1] == 's') {
				s = va_arg(ap, const char *);
				st = wvalue(w, s, s != NULL ? strlen(s) : 0);
				p += 2;
				continue;
			}
			if (p[1] == '%') {
				st = wvalue(w, "%", 1);
				p += 2;
				continue;
			}
			st = wfault(w, PMS_EINTERNAL, "x12 writer: only %%s "
			    "and %%%% in a template");
			continue;
		default:
			for (q = p; *q != '\0' && *q != '*' && *q != ':' &&
			    *q != '^' && *q != '%'; q++)
				;
			st = wvalue(w, p, (size_t)(q - p));
			p = q;
		}
	}
	va_end(ap);
	if (st != PMS_OK)
		return st;
	return pms_x12_write_end(w);
}

/* Check an ISA text field: at most width bytes (exactly, if exact),
 * printable ASCII, no delimiter. */
static enum pms_status
isa_field(struct pms_x12_writer *w, int i, const char *s, size_t width,
    int exact)
{
	size_t n = s != NULL ? strlen(s) : 0;
	const char *why;

	if (n > width)
		return wfault(w, PMS_EDATA, "ISA%02d longer than %zu "
		    "characters (it is never cut)", i, width);
	if (exact && n != width)
		return wfault(w, PMS_EDATA, "ISA%02d: must be exactly %zu "
		    "characters", i, width);
	if (s != NULL && (why = isa_text_fault(s, &w->o.delims)) != NULL)
		return wfault(w, PMS_EDATA, "ISA%02d: %s", i, why);
	return PMS_OK;
}

/* 1 if s is n digits. */
static int
n_digits(const char *s, size_t n)
{
	return s != NULL && strlen(s) == n && all_digits(s);
}

enum pms_status
pms_x12_write_isa(struct pms_x12_writer *w, const struct pms_x12_isa *isa)
{
	const struct pms_x12_delims *d = &w->o.delims;
	const char *version = isa->version != NULL ? isa->version : "00501";
	char buf[PMS_X12_ISA_LEN + 8], ack[2], usage[2], e, rep;
	enum pms_status st;
	int n;

	if (w->fault != PMS_OK)
		return wstuck(w);
	if (w->in_isa || w->in_seg)
		return wfault(w, PMS_EINTERNAL, "x12 writer: an ISA inside an "
		    "interchange");
	ack[0] = isa->ack;
	usage[0] = isa->usage;
	ack[1] = usage[1] = '\0';
	rep = d->repetition != '\0' ? d->repetition : isa->no_repetition !=
	    '\0' ? isa->no_repetition : 'U';
	if ((st = isa_field(w, 1, isa->auth_qual, 2, 1)) != PMS_OK ||
	    (st = isa_field(w, 2, isa->auth, 10, 0)) != PMS_OK ||
	    (st = isa_field(w, 3, isa->sec_qual, 2, 1)) != PMS_OK ||
	    (st = isa_field(w, 4, isa->sec, 10, 0)) != PMS_OK ||
	    (st = isa_field(w, 5, isa->sender_qual, 2, 1)) != PMS_OK ||
	    (st = isa_field(w, 6, isa->sender, 15, 0)) != PMS_OK ||
	    (st = isa_field(w, 7, isa->receiver_qual, 2, 1)) != PMS_OK ||
	    (st = isa_field(w, 8, isa->receiver, 15, 0)) != PMS_OK ||
	    (st = isa_field(w, 14, ack, 1, 1)) != PMS_OK ||
	    (st = isa_field(w, 15, usage, 1, 1)) != PMS_OK)
		return st;
	if (!n_digits(isa->date, 6))
		return wfault(w, PMS_EDATA, "ISA09: not a date (YYMMDD)");
	if (!n_digits(isa->time, 4))
		return wfault(w, PMS_EDATA, "ISA10: not a time (HHMM)");
	if (d->repetition == '\0' && (takes_repetition(rep, d) ||
	    (unsigned char)rep < 0x20 || (unsigned char)rep >= 0x7f))
		return wfault(w, PMS_EDATA, "ISA11: without a repetition "
		    "separator, a letter or digit (or another delimiter)");
	if (strcmp(version, "00501") != 0)
		return wfault(w, PMS_EDATA, "ISA12: only 00501 is written");
	if (isa->control > 999999999)
		return wfault(w, PMS_EDATA, "ISA13: more than 9 digits");
	e = d->element;
	n = snprintf(buf, sizeof(buf), "ISA%c%-2s%c%-10s%c%-2s%c%-10s%c%-2s%c"
	    "%-15s%c%-2s%c%-15s%c%s%c%s%c%c%c%s%c%09" PRIu32 "%c%c%c%c%c%c",
	    e, isa->auth_qual, e, isa->auth != NULL ? isa->auth : "", e,
	    isa->sec_qual, e, isa->sec != NULL ? isa->sec : "", e,
	    isa->sender_qual, e, isa->sender != NULL ? isa->sender : "", e,
	    isa->receiver_qual, e, isa->receiver != NULL ? isa->receiver : "",
	    e, isa->date, e, isa->time, e, rep, e, version, e, isa->control,
	    e, isa->ack, e, isa->usage, e, d->component);
	if (n != PMS_X12_ISA_LEN - 1)
		return wfault(w, PMS_EINTERNAL, "x12 writer: the ISA is %d "
		    "bytes", n + 1);
	if ((st = emit(w, buf, (size_t)n)) != PMS_OK)
		return st;
	w->in_isa = 1;
	w->in_gs = w->in_st = 0;
	w->isa13 = isa->control;
	w->ngroups = 0;
	return PMS_OK;
}

enum pms_status
pms_x12_write_se(struct pms_x12_writer *w)
{
	char n[24], ctl[16];

	if (w->fault != PMS_OK)
		return wstuck(w);
	snprintf(n, sizeof(n), "%lu", w->nsegs + 1);
	memcpy(ctl, w->st02, sizeof(ctl));
	return pms_x12_write_seg(w, "SE*%s*%s", n, ctl);
}

enum pms_status
pms_x12_write_ge(struct pms_x12_writer *w)
{
	char n[24], ctl[16];

	if (w->fault != PMS_OK)
		return wstuck(w);
	snprintf(n, sizeof(n), "%lu", w->nsets);
	memcpy(ctl, w->gs06, sizeof(ctl));
	return pms_x12_write_seg(w, "GE*%s*%s", n, ctl);
}

enum pms_status
pms_x12_write_iea(struct pms_x12_writer *w)
{
	char n[24], ctl[16];

	if (w->fault != PMS_OK)
		return wstuck(w);
	snprintf(n, sizeof(n), "%lu", w->ngroups);
	snprintf(ctl, sizeof(ctl), "%09" PRIu32, w->isa13);
	return pms_x12_write_seg(w, "IEA*%s*%s", n, ctl);
}

enum pms_status
pms_x12_write_copy(struct pms_x12_writer *w, const struct pms_x12_seg *seg)
{
	const char *id = pms_x12_seg_id(seg);
	struct pms_x12_isa isa;
	unsigned long control;
	enum pms_status st;
	size_t i, r, j, nrep, ncomp;

	if (w->fault != PMS_OK)
		return wstuck(w);
	if (strcmp(id, "ISA") == 0) {
		memset(&isa, 0, sizeof(isa));
		isa.auth_qual = pms_x12_elem(seg, 1);
		isa.auth = pms_x12_elem(seg, 2);
		isa.sec_qual = pms_x12_elem(seg, 3);
		isa.sec = pms_x12_elem(seg, 4);
		isa.sender_qual = pms_x12_elem(seg, 5);
		isa.sender = pms_x12_elem(seg, 6);
		isa.receiver_qual = pms_x12_elem(seg, 7);
		isa.receiver = pms_x12_elem(seg, 8);
		isa.date = pms_x12_elem(seg, 9);
		isa.time = pms_x12_elem(seg, 10);
		isa.no_repetition = pms_x12_elem(seg, 11)[0];
		isa.version = pms_x12_elem(seg, 12);
		if (parse_ulong(pms_x12_elem(seg, 13), &control) == -1)
			return wfault(w, PMS_EDATA, "ISA13: not a control "
			    "number of 9 digits");
		isa.control = (uint32_t)control;
		isa.ack = pms_x12_elem(seg, 14)[0];
		isa.usage = pms_x12_elem(seg, 15)[0];
		if (pms_x12_seg_count(seg) != 16 || pms_x12_elem(seg, 16)[0] !=
		    w->o.delims.component || (w->o.delims.repetition != '\0' &&
		    isa.no_repetition != w->o.delims.repetition))
			return wfault(w, PMS_EDATA, "ISA: its delimiters are "
			    "not the writer's");
		return pms_x12_write_isa(w, &isa);
	}
	if ((st = pms_x12_write_begin(w, id)) != PMS_OK)
		return st;
	for (i = 1; i <= pms_x12_seg_count(seg); i++) {
		nrep = pms_x12_nrep(seg, i);
		for (r = 1; r <= nrep; r++) {
			ncomp = pms_x12_ncomp(seg, i, r);
			for (j = 1; j <= ncomp; j++) {
				const char *t = pms_x12_rep_comp(seg, i, r, j);

				if (j > 1)
					st = pms_x12_write_comp(w, t);
				else if (r > 1)
					st = pms_x12_write_rep(w, t);
				else
					st = pms_x12_write_elem(w, t);
				if (st != PMS_OK)
					return st;
			}
		}
	}
	return pms_x12_write_end(w);
}
