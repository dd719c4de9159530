/*
 * fuzz-x12: libFuzzer target for the X12 reader and writer (x12.h).
 * Beyond not crashing or leaking, it checks: every fault names the
 * input ("fuzz.x12: ..."); a segment's components and repetitions put
 * back together with the delimiters give the element's text; and an
 * input the reader accepts whole, written back segment by segment with
 * the delimiters of each interchange (pms_x12_write_copy, keep_empty),
 * reads back to the same segments with the same delimiters and
 * positions, and writes out again byte for byte the same.  The summary
 * of each transaction set is taken too, for the amounts' parser.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x12.h"

#define NAME	"fuzz.x12"

/* Messages name the input, or are about memory. */
static void
check_message(void)
{
	const char *m = pms_errmsg();

	if (strncmp(m, NAME ": ", strlen(NAME) + 2) != 0 &&
	    strcmp(m, "out of memory") != 0)
		abort();
}

/* Element i rebuilt from its repetitions and components. */
static void
check_split(const struct pms_x12_seg *seg, const struct pms_x12_delims *d)
{
	char buf[PMS_X12_SEGMENT_MAX + 1];
	size_t i, r, j, n, len;
	const char *c;

	if (strcmp(pms_x12_seg_id(seg), "ISA") == 0)
		return;
	for (i = 1; i <= pms_x12_seg_count(seg); i++) {
		n = 0;
		for (r = 1; r <= pms_x12_nrep(seg, i); r++) {
			if (r > 1)
				buf[n++] = d->repetition;
			for (j = 1; j <= pms_x12_ncomp(seg, i, r); j++) {
				if (j > 1)
					buf[n++] = d->component;
				c = pms_x12_rep_comp(seg, i, r, j);
				len = strlen(c);
				memcpy(buf + n, c, len);
				n += len;
			}
		}
		buf[n] = '\0';
		if (strcmp(buf, pms_x12_elem(seg, i)) != 0)
			abort();
	}
}

/* Everything the reader gives, one record a segment. */
struct snap {
	char		*text;		/* id and elements, NUL-separated */
	size_t		 len;
	struct pms_x12_delims d;
	struct pms_x12_pos pos;
};

static void
snap_free(struct snap *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(s[i].text);
	free(s);
}

/*
 * Read data whole: the segments in *sp (*np of them), and when out is
 * not NULL each written to it.  0 if the reader accepted all of it.
 */
static int
read_all(const uint8_t *data, size_t size, struct snap **sp, size_t *np,
    FILE *out)
{
	struct pms_x12_writer_opts o;
	struct pms_x12_writer *w = NULL;
	struct pms_x12_reader *r;
	const struct pms_x12_seg *seg;
	struct snap *s = NULL, *t;
	size_t n = 0, i, len, off;
	enum pms_status st;
	FILE *in;
	int rc = -1;

	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	if (pms_x12_reader_open(&r, in, NAME) != PMS_OK)
		abort();
	for (;;) {
		if ((st = pms_x12_next(r, &seg)) != PMS_OK) {
			check_message();
			break;
		}
		if (seg == NULL) {
			rc = 0;
			break;
		}
		check_split(seg, pms_x12_reader_delims(r));
		if ((t = realloc(s, (n + 1) * sizeof(*s))) == NULL)
			abort();
		s = t;
		len = 0;
		for (i = 0; i <= pms_x12_seg_count(seg); i++)
			len += strlen(pms_x12_elem(seg, i)) + 1;
		if ((s[n].text = malloc(len)) == NULL)
			abort();
		for (i = 0, off = 0; i <= pms_x12_seg_count(seg); i++) {
			memcpy(s[n].text + off, pms_x12_elem(seg, i),
			    strlen(pms_x12_elem(seg, i)) + 1);
			off += strlen(pms_x12_elem(seg, i)) + 1;
		}
		s[n].len = len;
		s[n].d = *pms_x12_reader_delims(r);
		s[n].pos = *pms_x12_reader_pos(r);
		n++;
		if (out == NULL)
			continue;
		if (strcmp(pms_x12_seg_id(seg), "ISA") == 0) {
			o.delims = *pms_x12_reader_delims(r);
			o.eol = PMS_X12_EOL_NONE;
			o.keep_empty = 1;
			if (pms_x12_writer_open(&w, out, &o) != PMS_OK)
				abort();	/* the reader checked them */
		}
		if (pms_x12_write_copy(w, seg) != PMS_OK)
			abort();	/* what was read can be written */
		if (strcmp(pms_x12_seg_id(seg), "IEA") == 0) {
			if (pms_x12_writer_close(w) != PMS_OK)
				abort();
			w = NULL;
		}
	}
	if (w != NULL)
		pms_x12_writer_close(w);
	pms_x12_reader_close(r);
	fclose(in);
	*sp = s;
	*np = n;
	return rc;
}

/* The summaries, for what they exercise; faults name the input. */
static void
summarise(const uint8_t *data, size_t size)
{
	struct pms_x12_reader *r;
	struct pms_x12_summary sum;
	FILE *in;
	int done = 0;

	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	if (pms_x12_reader_open(&r, in, NAME) != PMS_OK)
		abort();
	while (!done)
		if (pms_x12_summary_next(r, &sum, &done) != PMS_OK) {
			check_message();
			break;
		}
	pms_x12_reader_close(r);
	fclose(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snap *a = NULL, *b = NULL, *c = NULL;
	size_t na, nb, nc, i;
	char *buf = NULL, *buf2 = NULL;
	size_t len = 0, len2 = 0;
	FILE *out;

	if (size == 0)
		return 0;		/* fmemopen refuses a size of 0 */
	summarise(data, size);
	if ((out = open_memstream(&buf, &len)) == NULL)
		abort();
	if (read_all(data, size, &a, &na, out) != 0) {
		fclose(out);
		free(buf);
		snap_free(a, na);
		return 0;
	}
	if (fclose(out) != 0)
		abort();
	/* the copy reads back the same */
	if ((out = open_memstream(&buf2, &len2)) == NULL)
		abort();
	if (read_all((const uint8_t *)buf, len, &b, &nb, out) != 0)
		abort();
	if (fclose(out) != 0)
		abort();
	if (na != nb)
		abort();
	for (i = 0; i < na; i++)
		if (a[i].len != b[i].len || memcmp(a[i].text, b[i].text,
		    a[i].len) != 0 || memcmp(&a[i].d, &b[i].d,
		    sizeof(a[i].d)) != 0 || a[i].pos.interchange !=
		    b[i].pos.interchange || a[i].pos.group !=
		    b[i].pos.group || a[i].pos.transaction !=
		    b[i].pos.transaction || a[i].pos.position !=
		    b[i].pos.position)
			abort();
	/* and writes out the same bytes again */
	if (len != len2 || memcmp(buf, buf2, len) != 0)
		abort();
	if (read_all((const uint8_t *)buf2, len2, &c, &nc, NULL) != 0 ||
	    nc != na)
		abort();
	snap_free(a, na);
	snap_free(b, nb);
	snap_free(c, nc);
	free(buf);
	free(buf2);
	return 0;
}
