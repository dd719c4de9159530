/*
 * report_html.c: a report as one self-contained HTML page (report.h):
 * its title, an SVG chart that fits the report and the table, with
 * the style inline and nothing fetched from anywhere (no script, font,
 * image or link; no URL at all), so that it opens and prints the same
 * on any machine.  The page is well-formed XML (an XHTML document
 * without a namespace declaration, which browsers read as HTML5 and
 * xmllint as XML), every value escaped.  Rows are kept until close:
 * the chart needs them all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "pms_int.h"
#include "ptime.h"
#include "report.h"

#define CH_NVAL		5	/* values a chart draws for a label */
#define CH_NCOND	3
#define CH_MAXBARS	40	/* labels a chart shows (the table has all) */
#define CH_MAXDAYS	366	/* days a line over the period draws each */
#define CH_MAXSERIES	8	/* lines a line chart draws */

enum ch_kind { CH_BARS, CH_STACKED, CH_LINE };
enum ch_op { CO_NONE, CO_EQ, CO_NE, CO_NULL, CO_NOTNULL };

struct ch_cond {
	enum ch_op	 op;
	int		 col;
	const char	*val;
};

/* What a report's chart draws: rows that meet every condition, grouped
 * by their label columns (series: the lines of a line chart), each
 * value column summed (-1: the rows counted). */
struct ch_spec {
	const char	*report;
	enum ch_kind	 kind;
	const char	*title;
	int		 label[2];	/* -1: none */
	int		 series;	/* CH_LINE: the column of the series */
	int		 val[CH_NVAL];
	const char	*vname[CH_NVAL];
	int		 nval;
	struct ch_cond	 cond[CH_NCOND];
};

static const struct ch_spec specs[] = {
	{ "day-sheet", CH_LINE, "Appointments by day and provider", { 0, -1 },
	    1, { 2 }, { "appointments" }, 1, { { CO_NE, 1, "total" },
	    { CO_NOTNULL, 1, NULL }, { CO_NOTNULL, 0, NULL } } },
	{ "schedule", CH_BARS, "Appointments by provider", { 1, -1 }, -1,
	    { -1 }, { "appointments" }, 1, { { CO_NONE, 0, NULL } } },
	{ "no-shows", CH_BARS, "No-show and late-cancel rates (%) by "
	    "provider", { 1, -1 }, -1, { 7, 8 }, { "no-show rate",
	    "late-cancel rate" }, 2, { { CO_EQ, 0, "provider" } } },
	{ "utilisation", CH_BARS, "Booked and available minutes by provider",
	    { 0, -1 }, -1, { 2, 3 }, { "booked", "available" }, 2,
	    { { CO_NE, 0, "total" } } },
	{ "productivity", CH_BARS, "Gross charges by provider", { 0, -1 }, -1,
	    { 5 }, { "charges" }, 1,
	    { { CO_NULL, 1, NULL }, { CO_NE, 0, "total" } } },
	{ "collections", CH_BARS, "Payments by source", { 0, -1 }, -1,
	    { 1 }, { "payments" }, 1, { { CO_NE, 0, "total" } } },
	{ "ar-aging", CH_STACKED, "What is owed, by age (days)", { 0, 1 }, -1,
	    { 4, 5, 6, 7, 8 }, { "0-30", "31-60", "61-90", "91-120", "121+" },
	    5, { { CO_NULL, 2, NULL }, { CO_NE, 0, "total" },
	    { CO_NE, 0, "credit" } } },
	{ "payer-mix", CH_BARS, "Charges by primary payer", { 0, -1 }, -1,
	    { 3 }, { "charges" }, 1, { { CO_NE, 0, "total" } } },
	{ "denials", CH_BARS, "Denial rate (%) by payer", { 0, -1 }, -1,
	    { 6 }, { "denial rate" }, 1,
	    { { CO_NULL, 1, NULL }, { CO_NE, 0, "total" } } },
	{ "reminders", CH_BARS, "No-show rate (%), reminded or not",
	    { 0, -1 }, -1, { 4 }, { "no-show rate" }, 1,
	    { { CO_NE, 0, "total" } } },
};

/* A row kept: each cell's text as the table shows it (NULL: null) and
 * its number (money in cents, a rate in tenths). */
struct hrow {
	char		**text;
	int64_t		*num;
};

struct pms_report_html {
	const struct pms_report_info *r;
	const struct ch_spec *spec;
	FILE		*out;
	const char	*subtitle;	/* borrowed; read at close */
	struct hrow	*rows;
	size_t		 n, cap;
	int		 failed;
};

/* ---- escaping ---- */

/* s with &, <, >, " and ' as entities and the control characters XML
 * forbids as '?'. */
static void
put_esc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t' &&
			    *s != '\n')
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

/* A rate's text ("12.5", "-3.0") in tenths; 0 for anything else. */
static int64_t
tenths(const char *s)
{
	int64_t v = 0;
	int neg = 0, frac = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++)
		if (v < INT64_MAX / 100)
			v = v * 10 + (*s - '0');
	if (*s == '.' && s[1] >= '0' && s[1] <= '9') {
		frac = s[1] - '0';
		s += 2;
	}
	if (*s != '\0')
		return 0;
	v = v * 10 + frac;
	return neg ? -v : v;
}

/* ---- opening, rows ---- */

enum pms_status
pms_report_html_open(struct pms_report_html **hp,
    const struct pms_report_info *r, const char *subtitle, FILE *out)
{
	struct pms_report_html *h;
	size_t i;

	*hp = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	h->r = r;
	h->out = out;
	for (i = 0; i < PMS_NELEM(specs); i++)
		if (strcmp(specs[i].report, r->name) == 0)
			h->spec = &specs[i];
	h->subtitle = subtitle;
	*hp = h;
	return PMS_OK;
}

static void
row_free(struct hrow *w, size_t ncols)
{
	size_t i;

	if (w->text != NULL)
		for (i = 0; i < ncols; i++)
			free(w->text[i]);
	free(w->text);
	free(w->num);
}

static enum pms_status
row_keep(struct pms_report_html *h, const struct pms_cell *cells)
{
	const struct pms_col *col;
	struct hrow w, *nr;
	char buf[PMS_MONEY_BUFSZ];
	const char *t;
	size_t i, nc = h->r->ncols;

	if (h->n == h->cap) {
		h->cap = h->cap > 0 ? 2 * h->cap : 32;
		if ((nr = reallocarray(h->rows, h->cap, sizeof(*nr))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		h->rows = nr;
	}
	w.text = calloc(nc, sizeof(*w.text));
	w.num = calloc(nc, sizeof(*w.num));
	if (w.text == NULL || w.num == NULL)
		goto nomem;
	for (i = 0; i < nc; i++) {
		col = &h->r->cols[i];
		if (cells[i].null)
			continue;
		switch (col->type) {
		case PMS_COL_INT:
			snprintf(buf, sizeof(buf), "%lld",
			    (long long)cells[i].i);
			w.num[i] = cells[i].i;
			t = buf;
			break;
		case PMS_COL_MONEY:
			pms_money_fmt(cells[i].i, buf);
			w.num[i] = cells[i].i;
			t = buf;
			break;
		default:
			t = cells[i].text != NULL ? cells[i].text : "";
			w.num[i] = tenths(t);
		}
		if ((w.text[i] = strdup(t)) == NULL)
			goto nomem;
	}
	h->rows[h->n++] = w;
	return PMS_OK;
nomem:
	row_free(&w, nc);
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

int
pms_report_html_row(void *arg, const struct pms_cell *cells)
{
	struct pms_report_html *h = arg;

	if (row_keep(h, cells) != PMS_OK) {
		h->failed = 1;
		return 1;
	}
	return 0;
}

/* ---- the chart ---- */

struct cgroup {
	const char	*lab[2];
	const char	*series;
	int64_t		 v[CH_NVAL];
};

static int
cond_holds(const struct ch_cond *c, const struct hrow *w)
{
	const char *t = w->text[c->col];

	switch (c->op) {
	case CO_NONE:
		return 1;
	case CO_EQ:
		return t != NULL && strcmp(t, c->val) == 0;
	case CO_NE:
		return t == NULL || strcmp(t, c->val) != 0;
	case CO_NULL:
		return t == NULL;
	case CO_NOTNULL:
		return t != NULL;
	}
	return 0;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The chart's groups, in the order their first rows came; *np of them,
 * at most max. */
static size_t
chart_groups(const struct pms_report_html *h, struct cgroup *g, size_t max)
{
	const struct ch_spec *sp = h->spec;
	const struct hrow *w;
	const char *l0, *l1, *se;
	size_t i, j, n = 0;
	int k, ok;

	for (i = 0; i < h->n; i++) {
		w = &h->rows[i];
		for (ok = 1, k = 0; k < CH_NCOND && ok; k++)
			ok = cond_holds(&sp->cond[k], w);
		if (!ok)
			continue;
		l0 = sp->label[0] >= 0 ? w->text[sp->label[0]] : NULL;
		l1 = sp->label[1] >= 0 ? w->text[sp->label[1]] : NULL;
		se = sp->series >= 0 ? w->text[sp->series] : NULL;
		for (j = 0; j < n; j++)
			if (same(g[j].lab[0], l0) && same(g[j].lab[1], l1) &&
			    same(g[j].series, se))
				break;
		if (j == n) {
			if (n == max)
				continue;
			memset(&g[n], 0, sizeof(g[n]));
			g[n].lab[0] = l0;
			g[n].lab[1] = l1;
			g[n].series = se;
			n++;
		}
		for (k = 0; k < sp->nval; k++)
			g[j].v[k] += sp->val[k] < 0 ? 1 : w->num[sp->val[k]];
	}
	return n;
}

/* How a value shows: money as "1234.00", a rate as "12.5", a count. */
static void
val_text(const struct pms_report_html *h, int k, int64_t v, char *buf,
    size_t size)
{
	int c = h->spec->val[k];

	if (c >= 0 && h->r->cols[c].type == PMS_COL_MONEY) {
		char m[PMS_MONEY_BUFSZ];

		pms_money_fmt(v, m);
		snprintf(buf, size, "%s", m);
	} else if (c >= 0 && h->r->cols[c].type == PMS_COL_TEXT)
		snprintf(buf, size, "%s%lld.%lld", v < 0 ? "-" : "",
		    (long long)(v < 0 ? -v : v) / 10,
		    (long long)(v < 0 ? -v : v) % 10);
	else
		snprintf(buf, size, "%lld", (long long)v);
}

static void
put_label(FILE *f, const struct cgroup *g)
{
	put_esc(f, g->lab[0] != NULL ? g->lab[0] : "-");
	if (g->lab[1] != NULL) {
		fputc(' ', f);
		put_esc(f, g->lab[1]);
	}
}

#define CH_W		720	/* the chart's width, its coordinates */
#define CH_LEFT		170	/* labels */
#define CH_RIGHT	110	/* values */
#define CH_BAR		18
#define CH_GAP		8

static void
legend(FILE *f, const struct ch_spec *sp, int n, int y)
{
	int k, x = CH_LEFT;

	for (k = 0; k < n; k++) {
		fprintf(f, "<rect class=\"s%d\" x=\"%d\" y=\"%d\" width=\"12\" "
		    "height=\"12\"/><text x=\"%d\" y=\"%d\">", k, x, y, x + 16,
		    y + 11);
		put_esc(f, sp->vname[k]);
		fputs("</text>\n", f);
		x += 24 + 9 * (int)strlen(sp->vname[k]);
	}
}

/* Horizontal bars, grouped (a bar a value) or stacked (the values one
 * after the other). */
static void
chart_bars(const struct pms_report_html *h, const struct cgroup *g, size_t n)
{
	const struct ch_spec *sp = h->spec;
	FILE *f = h->out;
	int64_t max = 0, sum, v;
	char num[64];
	size_t i;
	int k, y, x, wd, per, height, span = CH_W - CH_LEFT - CH_RIGHT;

	per = sp->kind == CH_STACKED ? 1 : sp->nval;
	for (i = 0; i < n; i++) {
		for (sum = 0, k = 0; k < sp->nval; k++) {
			v = g[i].v[k] > 0 ? g[i].v[k] : 0;
			if (sp->kind == CH_STACKED)
				sum += v;
			else if (v > max)
				max = v;
		}
		if (sp->kind == CH_STACKED && sum > max)
			max = sum;
	}
	height = 30 + (int)n * (per * CH_BAR + CH_GAP) + 10;
	fprintf(f, "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox="
	    "\"0 0 %d %d\" role=\"img\">\n<title>", CH_W, height, CH_W,
	    height);
	put_esc(f, sp->title);
	fputs("</title>\n", f);
	if (sp->nval > 1)
		legend(f, sp, sp->nval, 4);
	y = 30;
	for (i = 0; i < n; i++) {
		fprintf(f, "<text class=\"lab\" x=\"%d\" y=\"%d\">",
		    CH_LEFT - 6, y + CH_BAR - 5);
		put_label(f, &g[i]);
		fputs("</text>\n", f);
		x = CH_LEFT;
		for (sum = 0, k = 0; k < sp->nval; k++) {
			v = g[i].v[k] > 0 ? g[i].v[k] : 0;
			wd = max > 0 ? (int)(v * span / max) : 0;
			if (sp->kind == CH_STACKED) {
				fprintf(f, "<rect class=\"s%d\" x=\"%d\" "
				    "y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
				    k, x, y, wd, CH_BAR);
				x += wd;
				sum += g[i].v[k];
				continue;
			}
			fprintf(f, "<rect class=\"s%d\" x=\"%d\" y=\"%d\" "
			    "width=\"%d\" height=\"%d\"/>\n", k, CH_LEFT,
			    y + k * CH_BAR, wd, CH_BAR - 2);
			val_text(h, k, g[i].v[k], num, sizeof(num));
			fprintf(f, "<text class=\"num\" x=\"%d\" y=\"%d\">%s"
			    "</text>\n", CH_LEFT + wd + 4, y + k * CH_BAR +
			    CH_BAR - 6, num);
		}
		if (sp->kind == CH_STACKED) {
			val_text(h, 0, sum, num, sizeof(num));
			fprintf(f, "<text class=\"num\" x=\"%d\" y=\"%d\">%s"
			    "</text>\n", x + 4, y + CH_BAR - 5, num);
		}
		y += per * CH_BAR + CH_GAP;
	}
	if (n == 0)
		fputs("<text x=\"10\" y=\"20\">nothing to show</text>\n", f);
	fputs("</svg>\n", f);
}

/* A line a series over the distinct labels (the x axis, in the order
 * they came: the report's own); bars when there is one label alone. */
static void
chart_line(const struct pms_report_html *h, const struct cgroup *g, size_t n)
{
	const char *xs[CH_MAXBARS], *ss[8];
	FILE *f = h->out;
	int64_t max = 0;
	char num[64];
	size_t nx = 0, ns = 0, i, j, s;
	int x, y, height = 260, top = 30, bottom = 220, left = 60;
	int right = CH_W - 50, first;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nx && !same(xs[j], g[i].lab[0]); j++)
			;
		if (j == nx)
			xs[nx++] = g[i].lab[0];
		for (j = 0; j < ns && !same(ss[j], g[i].series); j++)
			;
		if (j == ns && ns < PMS_NELEM(ss))
			ss[ns++] = g[i].series;
		if (g[i].v[0] > max)
			max = g[i].v[0];
	}
	fprintf(f, "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox="
	    "\"0 0 %d %d\" role=\"img\">\n<title>", CH_W, height, CH_W,
	    height);
	put_esc(f, h->spec->title);
	fputs("</title>\n", f);
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", left, bottom, right, bottom);
	val_text(h, 0, max, num, sizeof(num));
	fprintf(f, "<text class=\"lab\" x=\"%d\" y=\"%d\">%s</text>\n",
	    left - 4, top + 4, num);
	fprintf(f, "<text class=\"lab\" x=\"%d\" y=\"%d\">0</text>\n",
	    left - 4, bottom);
	for (j = 0; j < nx; j++) {
		x = nx > 1 ? left + (int)j * (right - left) / (int)(nx - 1) :
		    (left + right) / 2;
		if (nx <= 12 || j % ((nx + 11) / 12) == 0) {
			fprintf(f, "<text class=\"xl\" x=\"%d\" y=\"%d\">", x,
			    bottom + 16);
			put_esc(f, xs[j] != NULL ? xs[j] : "-");
			fputs("</text>\n", f);
		}
	}
	for (s = 0; s < ns; s++) {
		fprintf(f, "<rect class=\"s%zu\" x=\"%d\" y=\"4\" width=\"12\" "
		    "height=\"12\"/><text x=\"%d\" y=\"15\">", s % 5,
		    left + (int)s * 110, left + (int)s * 110 + 16);
		put_esc(f, ss[s] != NULL ? ss[s] : "-");
		fputs("</text>\n", f);
		fprintf(f, "<polyline class=\"l%zu\" points=\"", s % 5);
		first = 1;
		for (j = 0; j < nx; j++)
			for (i = 0; i < n; i++) {
				if (!same(g[i].lab[0], xs[j]) ||
				    !same(g[i].series, ss[s]))
					continue;
				x = nx > 1 ? left + (int)j * (right - left) /
				    (int)(nx - 1) : (left + right) / 2;
				y = bottom - (max > 0 && g[i].v[0] > 0 ?
				    (int)(g[i].v[0] * (bottom - top) / max) :
				    0);
				fprintf(f, "%s%d,%d", first ? "" : " ", x, y);
				first = 0;
			}
		fputs("\"/>\n", f);
	}
	if (n == 0)
		fputs("<text x=\"10\" y=\"40\">nothing to show</text>\n", f);
	fputs("</svg>\n", f);
}

/*
 * A line a series over every day of the period (from, nx days), a day
 * without a row at 0: the days with no appointments are those a reader
 * looks for.  The label column holds the row's date.
 */
static void
chart_days(const struct pms_report_html *h, int32_t from, size_t nx)
{
	const struct ch_spec *sp = h->spec;
	const char *ss[CH_MAXSERIES], *se;
	const struct hrow *w;
	FILE *f = h->out;
	int64_t max = 0, *v;
	char num[64], day[PMS_DATE_BUFSZ];
	size_t ns = 0, i, j, s;
	int32_t d;
	int x, y, k, ok, height = 260, top = 30, bottom = 220, left = 60;
	int right = CH_W - 50;

	if ((v = calloc(CH_MAXSERIES * nx, sizeof(*v))) == NULL)
		return;		/* the table says it all */
	for (i = 0; i < h->n; i++) {
		w = &h->rows[i];
		for (ok = 1, k = 0; k < CH_NCOND && ok; k++)
			ok = cond_holds(&sp->cond[k], w);
		if (!ok || pms_date_parse(w->text[sp->label[0]],
		    PMS_DATE_ISO, &d) != PMS_OK || d < from ||
		    (size_t)(d - from) >= nx)
			continue;
		se = w->text[sp->series];
		for (s = 0; s < ns && !same(ss[s], se); s++)
			;
		if (s == ns) {
			if (ns == CH_MAXSERIES)
				continue;
			ss[ns++] = se;
		}
		j = (size_t)(d - from);
		v[s * nx + j] += sp->val[0] < 0 ? 1 : w->num[sp->val[0]];
		if (v[s * nx + j] > max)
			max = v[s * nx + j];
	}
	fprintf(f, "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox="
	    "\"0 0 %d %d\" role=\"img\">\n<title>", CH_W, height, CH_W,
	    height);
	put_esc(f, sp->title);
	fputs("</title>\n", f);
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", left, bottom, right, bottom);
	val_text(h, 0, max, num, sizeof(num));
	fprintf(f, "<text class=\"lab\" x=\"%d\" y=\"%d\">%s</text>\n",
	    left - 4, top + 4, num);
	fprintf(f, "<text class=\"lab\" x=\"%d\" y=\"%d\">0</text>\n",
	    left - 4, bottom);
	for (j = 0; j < nx; j++) {
		if (nx > 12 && j % ((nx + 11) / 12) != 0 && j != nx - 1)
			continue;
		x = left + (int)j * (right - left) / (int)(nx - 1);
		pms_date_fmt(from + (int32_t)j, day);
		fprintf(f, "<text class=\"xl\" x=\"%d\" y=\"%d\">%s</text>\n",
		    x, bottom + 16, day);
	}
	for (s = 0; s < ns; s++) {
		fprintf(f, "<rect class=\"s%zu\" x=\"%d\" y=\"4\" width=\"12\" "
		    "height=\"12\"/><text x=\"%d\" y=\"15\">", s % 5,
		    left + (int)s * 110, left + (int)s * 110 + 16);
		put_esc(f, ss[s] != NULL ? ss[s] : "-");
		fputs("</text>\n", f);
		fprintf(f, "<polyline class=\"l%zu\" points=\"", s % 5);
		for (j = 0; j < nx; j++) {
			x = left + (int)j * (right - left) / (int)(nx - 1);
			y = bottom - (max > 0 && v[s * nx + j] > 0 ?
			    (int)(v[s * nx + j] * (bottom - top) / max) : 0);
			fprintf(f, "%s%d,%d", j > 0 ? " " : "", x, y);
		}
		fputs("\"/>\n", f);
	}
	if (ns == 0)
		fputs("<text x=\"10\" y=\"40\">nothing to show</text>\n", f);
	fputs("</svg>\n", f);
	free(v);
}

/* The period of the page's subtitle ("2026-11-30 to 2026-12-04; ..."),
 * the days of a line chart; 0 when it names none. */
static int
subtitle_period(const struct pms_report_html *h, int32_t *from, int32_t *to)
{
	char a[PMS_DATE_BUFSZ], b[PMS_DATE_BUFSZ];
	const char *t = h->subtitle;

	if (t == NULL || strlen(t) < 24 || strncmp(t + 10, " to ", 4) != 0)
		return 0;
	memcpy(a, t, 10);
	a[10] = '\0';
	memcpy(b, t + 14, 10);
	b[10] = '\0';
	return pms_date_parse(a, PMS_DATE_ISO, from) == PMS_OK &&
	    pms_date_parse(b, PMS_DATE_ISO, to) == PMS_OK;
}

static void
chart(const struct pms_report_html *h)
{
	struct cgroup g[CH_MAXBARS];
	size_t n, i, nx = 0;
	int32_t from, to;

	if (h->spec == NULL)
		return;
	/* a line over the period's days, each drawn, when it has a few */
	if (h->spec->kind == CH_LINE && subtitle_period(h, &from, &to) &&
	    to > from && to - from < CH_MAXDAYS) {
		chart_days(h, from, (size_t)(to - from) + 1);
		return;
	}
	n = chart_groups(h, g, PMS_NELEM(g));
	if (h->spec->kind == CH_LINE) {
		for (i = 0; i < n; i++)
			if (i == 0 || !same(g[i].lab[0], g[0].lab[0]))
				nx++;
		if (nx > 1) {
			chart_line(h, g, n);
			return;
		}
		/* one day: a bar a provider */
		for (i = 0; i < n; i++) {
			g[i].lab[0] = g[i].series;
			g[i].lab[1] = NULL;
		}
	}
	chart_bars(h, g, n);
}

/* ---- the page ---- */

static const char style[] =
	"body{font-family:sans-serif;font-size:10pt;margin:1.5em;color:#000}"
	"h1{font-size:14pt;margin:0 0 .2em}"
	"p.sub{margin:0 0 1em;color:#333}"
	"table{border-collapse:collapse;margin-top:1em;font-size:9pt}"
	"th,td{border:1px solid #999;padding:2px 6px;text-align:left}"
	"th{background:#eee}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr{page-break-inside:avoid}"
	"thead{display:table-header-group}"
	"svg text{font-family:sans-serif;font-size:11px}"
	"svg text.lab{text-anchor:end}"
	"svg text.xl{text-anchor:middle}"
	".axis{stroke:#000}"
	".s0{fill:#4e79a7}.s1{fill:#f28e2b}.s2{fill:#e15759}"
	".s3{fill:#76b7b2}.s4{fill:#59a14f}"
	".l0,.l1,.l2,.l3,.l4{fill:none;stroke-width:2}"
	".l0{stroke:#4e79a7}.l1{stroke:#f28e2b}.l2{stroke:#e15759}"
	".l3{stroke:#76b7b2}.l4{stroke:#59a14f}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"@page{size:auto;margin:12mm}"
	"@media print{body{margin:0}svg.chart{max-width:100%;height:auto}}";

static int
numeric(const struct pms_col *c)
{
	return c->type == PMS_COL_INT || c->type == PMS_COL_MONEY;
}

static void
page(const struct pms_report_html *h)
{
	FILE *f = h->out;
	const char *t;
	size_t i, j;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
	    "<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>",
	    f);
	fputs("pms-report ", f);
	put_esc(f, h->r->name);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>",
	    style);
	put_esc(f, h->r->name);
	fputs(": ", f);
	put_esc(f, h->r->summary);
	fputs("</h1>\n", f);
	if (h->subtitle != NULL && h->subtitle[0] != '\0') {
		fputs("<p class=\"sub\">", f);
		put_esc(f, h->subtitle);
		fputs("</p>\n", f);
	}
	chart(h);
	fputs("<table>\n<thead><tr>", f);
	for (i = 0; i < h->r->ncols; i++) {
		fputs("<th>", f);
		put_esc(f, h->r->cols[i].name);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (j = 0; j < h->n; j++) {
		fputs("<tr>", f);
		for (i = 0; i < h->r->ncols; i++) {
			t = h->rows[j].text[i];
			fputs(numeric(&h->r->cols[i]) ? "<td class=\"n\">" :
			    "<td>", f);
			if (t != NULL)
				put_esc(f, t);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fprintf(f, "</tbody>\n</table>\n<p class=\"sub\">%zu row%s</p>\n"
	    "</body>\n</html>\n", h->n, h->n == 1 ? "" : "s");
}

static void
html_free(struct pms_report_html *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		row_free(&h->rows[i], h->r->ncols);
	free(h->rows);
	free(h);
}

enum pms_status
pms_report_html_close(struct pms_report_html *h)
{
	enum pms_status st = PMS_OK;

	if (h == NULL)
		return PMS_OK;
	if (!h->failed) {
		errno = 0;
		page(h);
		if (fflush(h->out) != 0 || ferror(h->out))
			st = pms_seterr(PMS_EIO, "write error: %s",
			    strerror(errno != 0 ? errno : EIO));
	}
	html_free(h);
	return st;
}

void
pms_report_html_abort(struct pms_report_html *h)
{
	if (h != NULL)
		html_free(h);
}
