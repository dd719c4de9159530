/*
 * report.c: the named reports (report.h).  Each report is one SQL
 * statement that selects its facts, one row each (an appointment, a
 * ledger entry, a payment, an open balance, a visit, a claim line an
 * 835 adjudicated or a denied amount of it), with the fact's own key
 * and its patient; the same statement whatever the output.  The read
 * goes through pms_read_run(): the first walk names every fact and
 * its patient in the access log's entry, the second walk, in a read
 * transaction, counts the facts it named into groups (by provider, by
 * payer, ...) with integer sums, and the groups become the rows, in a
 * fixed order, once the read is over.  So every figure of a report is
 * made of facts whose patients the entry names, and a fact added in
 * between counts nowhere.  A report that lists its facts (schedule)
 * writes each one as it is shown.
 *
 * Dates: a fact carries its own day (an appointment's local date at its
 * location, a charge's date of service, the day a ledger entry was
 * posted or a payment received, the day of a remittance's payment),
 * compared as ISO text, so no day depends on the zone of the process
 * nor on a DST change; hours and weekdays come from the appointment's
 * own wall clock.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "bill.h"
#include "claim_answer.h"
#include "config.h"
#include "pms_int.h"
#include "ptime.h"
#include "report.h"
#include "schedule.h"

#define SECS_DAY	86400
/* a local date spans at most these seconds either side of its UTC day
 * (zones run from -12:00 to +14:00) */
#define DAY_SLACK	(26 * 3600)
#define PERIOD_MAX	(20 * 366)	/* days */
#define RV_MAX		12		/* sums a group keeps */
#define RL_MAX		4		/* labels a group keeps (3 name it) */

/* ---- groups: labels, integer sums, found by their labels ---- */

struct rgroup {
	int		 rank;		/* first sort key: the kind of row */
	int64_t		 order;		/* second */
	char		*key;		/* identity and third sort key */
	char		*lab[RL_MAX];	/* label cells; NULL: null */
	int64_t		 v[RV_MAX];
	int64_t		 last;		/* the last visit counted (distinct) */
};

struct rtab {
	struct rgroup	**g;
	size_t		 n, cap;
	size_t		*slot;		/* index + 1 into g; 0: empty */
	size_t		 nslot;		/* a power of two */
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
rtab_free(struct rtab *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		free(t->g[i]->key);
		for (j = 0; j < RL_MAX; j++)
			free(t->g[i]->lab[j]);
		free(t->g[i]);
	}
	free(t->g);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static enum pms_status
rtab_grow(struct rtab *t)
{
	size_t *ns, n = t->nslot > 0 ? 2 * t->nslot : 64, i, h;

	if ((ns = calloc(n, sizeof(*ns))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	for (i = 0; i < t->n; i++) {
		h = hash_str(t->g[i]->key) & (n - 1);
		while (ns[h] != 0)
			h = (h + 1) & (n - 1);
		ns[h] = i + 1;
	}
	free(t->slot);
	t->slot = ns;
	t->nslot = n;
	return PMS_OK;
}

/*
 * The group of rank and labels (NULL: a null cell), made with order
 * when new.  *gp is borrowed from the table.
 */
static enum pms_status
rtab_get(struct rtab *t, int rank, int64_t order, const char *l0,
    const char *l1, const char *l2, struct rgroup **gp)
{
	const char *lab[RL_MAX] = { l0, l1, l2, NULL };
	struct rgroup *g, **ng;
	char key[512];
	size_t h, i, len;
	int n;

	/* a null label sorts after every text (0x7f) */
	n = snprintf(key, sizeof(key), "%02d\x1f%s\x1f%s\x1f%s", rank,
	    l0 != NULL ? l0 : "\x7f", l1 != NULL ? l1 : "\x7f",
	    l2 != NULL ? l2 : "\x7f");
	if (n < 0 || (size_t)n >= sizeof(key))
		return pms_seterr(PMS_EINTERNAL, "report: a label is too long");
	if (t->n * 2 >= t->nslot && rtab_grow(t) != PMS_OK)
		return PMS_ENOMEM;
	h = hash_str(key) & (t->nslot - 1);
	while (t->slot[h] != 0) {
		g = t->g[t->slot[h] - 1];
		if (strcmp(g->key, key) == 0) {
			*gp = g;
			return PMS_OK;
		}
		h = (h + 1) & (t->nslot - 1);
	}
	if (t->n == t->cap) {
		t->cap = t->cap > 0 ? 2 * t->cap : 64;
		if ((ng = reallocarray(t->g, t->cap, sizeof(*ng))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		t->g = ng;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	g->rank = rank;
	g->order = order;
	g->last = -1;
	len = (size_t)n;
	if ((g->key = malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(g->key, key, len + 1);
	for (i = 0; i < RL_MAX; i++)
		if (lab[i] != NULL && (g->lab[i] = strdup(lab[i])) == NULL)
			goto nomem;
	t->g[t->n++] = g;
	t->slot[h] = t->n;
	*gp = g;
	return PMS_OK;
nomem:
	for (i = 0; i < RL_MAX; i++)
		free(g->lab[i]);
	free(g->key);
	free(g);
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

/* Set label i of g (not one that names it) to a copy of v. */
static enum pms_status
group_label(struct rgroup *g, int i, const char *v)
{
	free(g->lab[i]);
	g->lab[i] = NULL;
	if (v != NULL && (g->lab[i] = strdup(v)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	return PMS_OK;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct rgroup *x = *(struct rgroup *const *)a;
	const struct rgroup *y = *(struct rgroup *const *)b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void
rtab_sort(struct rtab *t)
{
	if (t->n > 1)
		qsort(t->g, t->n, sizeof(*t->g), cmp_group);
}

/* ---- a report's run ---- */

struct rrun;

struct rdef {
	struct pms_report_info info;	/* first: pms_report_at() */
	int		 day;		/* the default period is today */
	const char	*fields;	/* the audit entry's */
	const char	*sql;
	enum pms_status	(*fact)(struct rrun *, sqlite3_stmt *);
	enum pms_status	(*emit)(struct rrun *);
};

struct rrun {
	const struct rdef *d;
	const struct pms_report_opts *o;
	char		 from[PMS_DATE_BUFSZ], to[PMS_DATE_BUFSZ];
	char		 as_of[PMS_DATE_BUFSZ], from90[PMS_DATE_BUFSZ];
	int32_t		 as_of_d;
	int		 past;		/* --as-of before today */
	int64_t		 lo_utc, hi_utc, now;
	int64_t		 provider, location, payer;	/* ids; 0: any */
	struct rtab	 t;
	struct pms_store *s;
	int32_t		 from_d, to_d;
	int64_t		 seq, seq_payer, seq_charge;	/* denials: the
					 * line (payer, charge) of the facts
					 * in hand, numbered as they come */
	pms_report_row_fn *fn;
	void		*arg;
	size_t		*count;
};

/* ---- cells and rows ---- */

static void
c_text(struct pms_cell *c, const char *t)
{
	c->null = t == NULL;
	c->text = t;
	c->i = 0;
}

static void
c_int(struct pms_cell *c, int64_t v)
{
	c->null = 0;
	c->text = NULL;
	c->i = v;
}

static void
c_null(struct pms_cell *c)
{
	c->null = 1;
	c->text = NULL;
	c->i = 0;
}

/*
 * num / den as a rate in per cent with one decimal, rounded half away
 * from zero, into buf; NULL (a null cell) when den is 0.  Integers only.
 */
#define RATE_BUFSZ	32
static const char *
rate(int64_t num, int64_t den, char buf[RATE_BUFSZ])
{
	int64_t q;
	int neg;

	if (den == 0)
		return NULL;
	neg = (num < 0) != (den < 0) && num != 0;
	if (num < 0)
		num = -num;
	if (den < 0)
		den = -den;
	q = (num * 2000 / den + 1) / 2;		/* tenths of a per cent */
	snprintf(buf, RATE_BUFSZ, "%s%lld.%lld", neg ? "-" : "",
	    (long long)(q / 10), (long long)(q % 10));
	return buf;
}

/* num / den with one decimal (days in A/R), as rate() but not in per
 * cent: num * 10 / den tenths. */
static const char *
ratio(int64_t num, int64_t den, char buf[RATE_BUFSZ])
{
	int64_t q;

	if (den <= 0 || num < 0)
		return NULL;
	q = (num * 20 / den + 1) / 2;
	snprintf(buf, RATE_BUFSZ, "%lld.%lld", (long long)(q / 10),
	    (long long)(q % 10));
	return buf;
}

static enum pms_status
put(struct rrun *r, const struct pms_cell *cells)
{
	if (r->fn(r->arg, cells) != 0)
		return pms_read_stopped();
	if (r->count != NULL)
		(*r->count)++;
	return PMS_OK;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- schedule: the printable day per provider ---- */

static const struct pms_col schedule_cols[] = {
	{ "date", PMS_COL_DATE }, { "provider", PMS_COL_TEXT },
	{ "location", PMS_COL_TEXT }, { "start", PMS_COL_TIME },
	{ "end", PMS_COL_TIME }, { "appointment_id", PMS_COL_INT },
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "patient_name", PMS_COL_TEXT }, { "type", PMS_COL_TEXT },
	{ "room", PMS_COL_TEXT }, { "status", PMS_COL_TEXT },
	{ "confirmed", PMS_COL_TEXT },
};

/* Bounds on start_utc (:lo, :hi) let the index by start find a period's
 * appointments; the local date then decides. */
#define APPT_PERIOD \
	"a.start_utc >= :lo AND a.start_utc < :hi AND a.local_date BETWEEN " \
	":from AND :to AND (:prov IS NULL OR a.provider_id = :prov) AND " \
	"(:loc IS NULL OR a.location_id = :loc)"

/* The appointments a rate counts: those that were due (not cancelled
 * in time, not still to come: a late cancel counts once its start has
 * passed, as a no-show would). */
#define APPT_DUE \
	"(a.status <> 'cancelled' OR a.late_cancel = 1) AND NOT (a.status " \
	"IN ('booked', 'cancelled') AND a.start_utc > :now)"

static const char schedule_sql[] =
	"SELECT a.id, a.patient_id, a.local_date, pr.code, l.code, "
	"substr(a.local_start, 12, 5), substr(a.local_end, 12, 5), p.mrn, "
	"p.last_name || ', ' || p.first_name, t.code, a.room, a.status, "
	"a.confirmed_at IS NOT NULL FROM appointments a JOIN providers pr ON "
	"pr.id = a.provider_id JOIN locations l ON l.id = a.location_id "
	"JOIN patients p ON p.id = a.patient_id LEFT JOIN appointment_types "
	"t ON t.id = a.type_id WHERE " APPT_PERIOD " AND a.status <> "
	"'cancelled' ORDER BY a.local_date, pr.code, a.start_utc, a.id";

static enum pms_status
schedule_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct pms_cell c[PMS_NELEM(schedule_cols)];

	c_text(&c[0], col_text(st, 2));
	c_text(&c[1], col_text(st, 3));
	c_text(&c[2], col_text(st, 4));
	c_text(&c[3], col_text(st, 5));
	c_text(&c[4], col_text(st, 6));
	c_int(&c[5], sqlite3_column_int64(st, 0));
	c_int(&c[6], sqlite3_column_int64(st, 1));
	c_text(&c[7], col_text(st, 7));
	c_text(&c[8], col_text(st, 8));
	c_text(&c[9], col_text(st, 9));
	c_text(&c[10], col_text(st, 10));
	c_text(&c[11], col_text(st, 11));
	c_text(&c[12], sqlite3_column_int(st, 12) ? "yes" : "no");
	return put(r, c);
}

/* ---- day-sheet: the day's appointments and money by provider ---- */

static const struct pms_col daysheet_cols[] = {
	{ "date", PMS_COL_DATE }, { "provider", PMS_COL_TEXT },
	{ "appointments", PMS_COL_INT }, { "completed", PMS_COL_INT },
	{ "no_shows", PMS_COL_INT }, { "cancelled", PMS_COL_INT },
	{ "charges", PMS_COL_MONEY }, { "payments", PMS_COL_MONEY },
	{ "adjustments", PMS_COL_MONEY }, { "other", PMS_COL_MONEY },
	{ "net", PMS_COL_MONEY },
};

/* Keys: an appointment's id * 4, a ledger entry's id * 4 + 1.  A ledger
 * entry is the provider's whose visit its charge is; a credit's and an
 * opening balance's are no provider's.  A payment applied on the day it
 * was received (an 835's, taken in whole and applied line by line; a
 * patient's credit applied the same day) is a payment of the lines it
 * paid, and out of the credit again: only money left unapplied that
 * day is nobody's payment; a credit applied on a later day is other.
 * Money given back (a refund, a payer's reversal) is out of payments. */
static const char daysheet_sql[] =
	"SELECT a.id * 4, a.patient_id, a.local_date, pr.code, 0, a.status, "
	"0 FROM appointments a JOIN providers pr ON pr.id = a.provider_id "
	"WHERE " APPT_PERIOD " UNION ALL SELECT g.id * 4 + 1, g.patient_id, "
	"g.posted_on, pr.code, 1, CASE WHEN g.kind = 'apply' AND EXISTS "
	"(SELECT 1 FROM ledger q WHERE q.payment_id = g.payment_id AND "
	"q.kind = 'payment' AND q.charge_id IS NULL AND q.posted_on = "
	"g.posted_on) THEN 'payment' ELSE g.kind END, g.amount_cents FROM "
	"ledger g LEFT "
	"JOIN charges c ON c.id = g.charge_id LEFT JOIN visits v ON v.id = "
	"c.visit_id LEFT JOIN providers pr ON pr.id = v.provider_id WHERE "
	"g.posted_on BETWEEN :from AND :to AND (:prov IS NULL OR "
	"v.provider_id = :prov) AND (:loc IS NULL OR v.location_id = :loc)";

enum { DS_APPTS, DS_DONE, DS_NOSHOW, DS_CANCEL, DS_CHARGE, DS_PAY, DS_ADJ,
	DS_OTHER, DS_NET };

static void
daysheet_add(struct rgroup *g, int ledger, const char *what, int64_t amt)
{
	if (!ledger) {
		if (strcmp(what, "cancelled") == 0)
			g->v[DS_CANCEL]++;
		else {
			g->v[DS_APPTS]++;
			if (strcmp(what, "completed") == 0)
				g->v[DS_DONE]++;
			else if (strcmp(what, "no-show") == 0)
				g->v[DS_NOSHOW]++;
		}
		return;
	}
	if (strcmp(what, "charge") == 0 || strcmp(what, "opening") == 0)
		g->v[DS_CHARGE] += amt;
	else if (strcmp(what, "payment") == 0 || strcmp(what, "refund") == 0)
		g->v[DS_PAY] += amt;
	else if (strcmp(what, "adjustment") == 0)
		g->v[DS_ADJ] += amt;
	else
		g->v[DS_OTHER] += amt;
	g->v[DS_NET] += amt;
}

static enum pms_status
daysheet_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g;
	enum pms_status ps;
	const char *day = col_text(st, 2), *what = col_text(st, 5);
	int ledger = sqlite3_column_int(st, 4);
	int64_t amt = sqlite3_column_int64(st, 6);

	if ((ps = rtab_get(&r->t, 0, 0, day, col_text(st, 3), NULL, &g)) !=
	    PMS_OK)
		return ps;
	daysheet_add(g, ledger, what, amt);
	if ((ps = rtab_get(&r->t, 1, 0, NULL, "total", NULL, &g)) != PMS_OK)
		return ps;
	daysheet_add(g, ledger, what, amt);
	return PMS_OK;
}

static enum pms_status
daysheet_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(daysheet_cols)];
	struct rgroup *g;
	enum pms_status ps;
	size_t i, k;

	/* a period without any row still has its total */
	if ((ps = rtab_get(&r->t, 1, 0, NULL, "total", NULL, &g)) != PMS_OK)
		return ps;
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		c_text(&c[1], g->lab[1]);
		for (k = 0; k <= DS_NET; k++)
			c_int(&c[2 + k], g->v[k]);
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- no-shows: rates by provider, weekday, hour, type; patients ---- */

static const struct pms_col noshow_cols[] = {
	{ "dimension", PMS_COL_TEXT }, { "value", PMS_COL_TEXT },
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "appointments", PMS_COL_INT }, { "no_shows", PMS_COL_INT },
	{ "late_cancels", PMS_COL_INT }, { "no_show_rate", PMS_COL_TEXT },
	{ "late_cancel_rate", PMS_COL_TEXT },
};

static const char noshow_sql[] =
	"SELECT a.id, a.patient_id, pr.code, a.local_date, "
	"substr(a.local_start, 12, 2), t.code, a.status, a.late_cancel, "
	"p.mrn FROM appointments a JOIN providers pr ON pr.id = "
	"a.provider_id JOIN patients p ON p.id = a.patient_id LEFT JOIN "
	"appointment_types t ON t.id = a.type_id WHERE " APPT_PERIOD " AND "
	APPT_DUE;

static const char *const weekdays[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

enum { NS_ALL, NS_PROVIDER, NS_WEEKDAY, NS_HOUR, NS_TYPE, NS_PATIENT };

static enum pms_status
noshow_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g[6];
	enum pms_status ps;
	const char *day = col_text(st, 3), *hour = col_text(st, 4);
	char pid[24];
	int32_t d;
	int wd, noshow, late, i;

	if (pms_date_parse(day, PMS_DATE_ISO, &d) != PMS_OK)
		return pms_seterr(PMS_EINTERNAL, "report: appointment %lld: "
		    "no date", (long long)sqlite3_column_int64(st, 0));
	wd = pms_date_weekday(d);
	if (wd < 0 || wd > 6)
		wd = 0;
	snprintf(pid, sizeof(pid), "%lld",
	    (long long)sqlite3_column_int64(st, 1));
	noshow = strcmp(col_text(st, 6), "no-show") == 0;
	late = sqlite3_column_int(st, 7) != 0;
	if ((ps = rtab_get(&r->t, NS_ALL, 0, "all", NULL, NULL, &g[0])) !=
	    PMS_OK ||
	    (ps = rtab_get(&r->t, NS_PROVIDER, 0, "provider", col_text(st, 2),
	    NULL, &g[1])) != PMS_OK ||
	    (ps = rtab_get(&r->t, NS_WEEKDAY, wd, "weekday", weekdays[wd],
	    NULL, &g[2])) != PMS_OK ||
	    (ps = rtab_get(&r->t, NS_HOUR, 0, "hour", hour, NULL, &g[3])) !=
	    PMS_OK ||
	    (ps = rtab_get(&r->t, NS_TYPE, 0, "type", col_text(st, 5), NULL,
	    &g[4])) != PMS_OK ||
	    (ps = rtab_get(&r->t, NS_PATIENT, 0, "patient", pid,
	    col_text(st, 8), &g[5])) != PMS_OK)
		return ps;
	for (i = 0; i < 6; i++) {
		g[i]->v[0]++;
		g[i]->v[1] += noshow;
		g[i]->v[2] += late;
	}
	g[5]->last = sqlite3_column_int64(st, 1);
	return PMS_OK;
}

static enum pms_status
noshow_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(noshow_cols)];
	struct rgroup *g;
	enum pms_status ps;
	char r1[RATE_BUFSZ], r2[RATE_BUFSZ];
	size_t i;

	/* a period without any appointment still has its row for all */
	if ((ps = rtab_get(&r->t, NS_ALL, 0, "all", NULL, NULL, &g)) !=
	    PMS_OK)
		return ps;
	/* patients: those with two no-shows or more, most first */
	for (i = 0; i < r->t.n; i++)
		if (r->t.g[i]->rank == NS_PATIENT)
			r->t.g[i]->order = -r->t.g[i]->v[1];
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		if (g->rank == NS_PATIENT && g->v[1] < 2)
			continue;
		c_text(&c[0], g->lab[0]);
		if (g->rank == NS_PATIENT) {
			c_null(&c[1]);
			c_int(&c[2], g->last);
			c_text(&c[3], g->lab[2]);
		} else {
			c_text(&c[1], g->lab[1]);
			c_null(&c[2]);
			c_null(&c[3]);
		}
		c_int(&c[4], g->v[0]);
		c_int(&c[5], g->v[1]);
		c_int(&c[6], g->v[2]);
		c_text(&c[7], rate(g->v[1], g->v[0], r1));
		c_text(&c[8], rate(g->v[2], g->v[0], r2));
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- utilisation: booked against available office hours ---- */

static const struct pms_col util_cols[] = {
	{ "provider", PMS_COL_TEXT }, { "appointments", PMS_COL_INT },
	{ "booked_minutes", PMS_COL_INT },
	{ "available_minutes", PMS_COL_INT }, { "utilisation", PMS_COL_TEXT },
};

/* The appointments that took time: any not cancelled (a no-show's slot
 * was kept for the patient), with their real length (an hour across
 * the night the clocks go forward is an hour). */
static const char util_sql[] =
	"SELECT a.id, a.patient_id, pr.code, a.end_utc - a.start_utc, "
	"a.provider_id FROM appointments a JOIN providers pr ON pr.id = "
	"a.provider_id WHERE " APPT_PERIOD " AND a.status <> 'cancelled'";

enum { UT_APPTS, UT_BOOKED, UT_AVAIL, UT_ID };

static enum pms_status
util_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g;
	enum pms_status ps;

	if ((ps = rtab_get(&r->t, 0, 0, col_text(st, 2), NULL, NULL, &g)) !=
	    PMS_OK)
		return ps;
	g->v[UT_APPTS]++;
	g->v[UT_BOOKED] += sqlite3_column_int64(st, 3);
	g->v[UT_ID] = sqlite3_column_int64(st, 4);
	return PMS_OK;
}

static enum pms_status
util_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(util_cols)];
	struct rgroup *g, *tot;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	char r1[RATE_BUFSZ];
	const char *code;
	int64_t avail;
	size_t i, k;
	int rc;

	/* every provider with office hours in the period, booked or not */
	rc = sqlite3_prepare_v2(r->s->db, "SELECT id, code FROM providers "
	    "WHERE ?1 IS NULL OR id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(r->s, rc, "report");
	if (r->provider > 0)
		sqlite3_bind_int64(st, 1, r->provider);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((ps = pms_hours_available(r->s, sqlite3_column_int64(st,
		    0), r->location, r->from_d, r->to_d, &avail)) != PMS_OK)
			goto out;
		code = col_text(st, 1);
		/* one without hours shows only when booked */
		for (i = 0; avail == 0 && i < r->t.n; i++)
			if (strcmp(r->t.g[i]->lab[0], code) == 0)
				break;
		if (avail == 0 && i == r->t.n)
			continue;
		if ((ps = rtab_get(&r->t, 0, 0, code, NULL, NULL,
		    &g)) != PMS_OK)
			goto out;
		g->v[UT_AVAIL] = avail;
	}
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(r->s, rc, "report");
		goto out;
	}
	if ((ps = rtab_get(&r->t, 1, 0, "total", NULL, NULL, &tot)) != PMS_OK)
		goto out;
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		if (g == tot)
			continue;
		for (k = 0; k < UT_ID; k++)
			tot->v[k] += g->v[k];
	}
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		c_int(&c[1], g->v[UT_APPTS]);
		c_int(&c[2], g->v[UT_BOOKED] / 60);
		c_int(&c[3], g->v[UT_AVAIL] / 60);
		c_text(&c[4], rate(g->v[UT_BOOKED], g->v[UT_AVAIL], r1));
		if ((ps = put(r, c)) != PMS_OK)
			goto out;
	}
	ps = PMS_OK;
out:
	sqlite3_finalize(st);
	return ps;
}

/* ---- productivity: visits, charges and codes per provider ---- */

static const struct pms_col product_cols[] = {
	{ "provider", PMS_COL_TEXT }, { "code", PMS_COL_TEXT },
	{ "visits", PMS_COL_INT }, { "lines", PMS_COL_INT },
	{ "units", PMS_COL_INT }, { "charges", PMS_COL_MONEY },
};

/* by visit, so that a group counts each visit once */
static const char product_sql[] =
	"SELECT c.id, c.patient_id, pr.code, c.code, c.units, "
	"c.amount_cents, c.visit_id FROM charges c JOIN visits v ON v.id = "
	"c.visit_id JOIN providers pr ON pr.id = v.provider_id WHERE c.dos "
	"BETWEEN :from AND :to AND c.status <> 'void' AND c.kind <> "
	"'opening' AND (:prov IS NULL OR v.provider_id = :prov) AND (:loc IS "
	"NULL OR v.location_id = :loc) ORDER BY c.visit_id, c.line";

static void
product_add(struct rgroup *g, int64_t visit, int64_t units, int64_t amt)
{
	if (g->last != visit) {
		g->v[0]++;
		g->last = visit;
	}
	g->v[1]++;
	g->v[2] += units;
	g->v[3] += amt;
}

static enum pms_status
product_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g[3];
	enum pms_status ps;
	const char *prov = col_text(st, 2);
	int64_t units = sqlite3_column_int64(st, 4),
	    amt = sqlite3_column_int64(st, 5),
	    visit = sqlite3_column_int64(st, 6);
	int i;

	if ((ps = rtab_get(&r->t, 0, 0, prov, col_text(st, 3), NULL,
	    &g[0])) != PMS_OK ||
	    (ps = rtab_get(&r->t, 0, 0, prov, NULL, NULL, &g[1])) != PMS_OK ||
	    (ps = rtab_get(&r->t, 1, 0, "total", NULL, NULL, &g[2])) !=
	    PMS_OK)
		return ps;
	for (i = 0; i < 3; i++)
		product_add(g[i], visit, units, amt);
	return PMS_OK;
}

static enum pms_status
product_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(product_cols)];
	struct rgroup *g;
	enum pms_status ps;
	size_t i;

	/* a period without any charge still has its total */
	if ((ps = rtab_get(&r->t, 1, 0, "total", NULL, NULL, &g)) != PMS_OK)
		return ps;
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		c_text(&c[1], g->lab[1]);
		c_int(&c[2], g->v[0]);
		c_int(&c[3], g->v[1]);
		c_int(&c[4], g->v[2]);
		c_int(&c[5], g->v[3]);
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- collections: payments by source, net collection rate ---- */

static const struct pms_col collect_cols[] = {
	{ "source", PMS_COL_TEXT }, { "payments", PMS_COL_MONEY },
	{ "payments_share", PMS_COL_TEXT }, { "contractual", PMS_COL_MONEY },
	{ "charges", PMS_COL_MONEY }, { "net_collection_rate", PMS_COL_TEXT },
	{ "refunds", PMS_COL_MONEY },
	{ "provider_adjustments", PMS_COL_MONEY },
};

/*
 * Keys: a payment's id * 4, a ledger entry's id * 4 + 1, a provider
 * adjustment's (PLB) id * 4 + 2.  The money of the period as it reached
 * or left the bank: payments received (opening credits brought from
 * another system aside), less the money given back (refunds: a
 * patient's, or a payer's payment taken back by a reversal), plus what
 * the payers' provider adjustments added to their checks (PLB amounts
 * are taken from the payment: an interest L6 of -1.25 adds 1.25, a
 * recoupment WO of 3.00 keeps 3.00 back), so that a payer's payments
 * are its 835s' BPR02.  A PLB is of the day its remittance's payments
 * were received (its check date, else the day it was read, when it
 * paid no claim).  Then the charges posted in the period and its
 * contractual adjustments (group CO), as positive amounts.
 */
static const char collect_sql[] =
	"SELECT y.id * 4, y.patient_id, 0, py.code, y.amount_cents FROM "
	"payments y LEFT JOIN payers py ON py.id = y.payer_id WHERE "
	"y.received_on BETWEEN :from AND :to AND y.method <> 'opening' AND "
	"(:payer IS NULL OR y.payer_id = :payer) UNION ALL SELECT g.id * 4 + "
	"1, g.patient_id, CASE g.kind WHEN 'charge' THEN 1 WHEN 'refund' THEN "
	"3 ELSE 2 END, py.code, g.amount_cents FROM ledger g LEFT JOIN payers "
	"py ON py.id = g.payer_id WHERE g.posted_on BETWEEN :from AND :to AND "
	"(g.kind IN ('charge', 'refund') OR (g.kind = 'adjustment' AND "
	"g.group_code = 'CO')) AND (:payer IS NULL OR g.payer_id = :payer) "
	"UNION ALL SELECT b.id * 4 + 2, 0, 4, coalesce(py.code, "
	"'unknown-payer'), b.amount_cents FROM claim_plb b JOIN claim_remits "
	"m ON m.id = b.remit_id LEFT JOIN payers py ON py.id = b.payer_id "
	"WHERE coalesce((SELECT min(y.received_on) FROM claim_remit_claims rc "
	"JOIN payments y ON y.id = rc.payment_id WHERE rc.remit_id = m.id), "
	"m.paid_on, substr(m.imported_at, 1, 10)) BETWEEN :from AND :to AND "
	"(:payer IS NULL OR b.payer_id = :payer)";

enum { CO_PAY, CO_CONTRACT, CO_CHARGE, CO_REFUND, CO_PLB };

static enum pms_status
collect_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g, *tot;
	enum pms_status ps;
	const char *src = col_text(st, 3);
	int kind = sqlite3_column_int(st, 2);
	int64_t amt = sqlite3_column_int64(st, 4);

	if ((ps = rtab_get(&r->t, 2, 0, "total", NULL, NULL, &tot)) != PMS_OK)
		return ps;
	if (kind == 1) {
		tot->v[CO_CHARGE] += amt;
		return PMS_OK;
	}
	if ((ps = rtab_get(&r->t, src == NULL ? 0 : 1, 0,
	    src == NULL ? "patient" : src, NULL, NULL, &g)) != PMS_OK)
		return ps;
	switch (kind) {
	case 0:		/* received */
		g->v[CO_PAY] += amt;
		tot->v[CO_PAY] += amt;
		break;
	case 3:		/* given back: the ledger's refund is positive */
		g->v[CO_PAY] -= amt;
		tot->v[CO_PAY] -= amt;
		g->v[CO_REFUND] += amt;
		tot->v[CO_REFUND] += amt;
		break;
	case 4:		/* PLB: positive is kept back from the check */
		g->v[CO_PAY] -= amt;
		tot->v[CO_PAY] -= amt;
		g->v[CO_PLB] -= amt;
		tot->v[CO_PLB] -= amt;
		break;
	default:
		g->v[CO_CONTRACT] -= amt;
		tot->v[CO_CONTRACT] -= amt;
	}
	return PMS_OK;
}

static enum pms_status
collect_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(collect_cols)];
	struct rgroup *g, *tot = NULL;
	enum pms_status ps;
	char r1[RATE_BUFSZ], r2[RATE_BUFSZ];
	size_t i;

	/* a period without any money still has its total */
	if ((ps = rtab_get(&r->t, 2, 0, "total", NULL, NULL, &tot)) != PMS_OK)
		return ps;
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		c_int(&c[1], g->v[CO_PAY]);
		c_text(&c[2], rate(g->v[CO_PAY], tot->v[CO_PAY], r1));
		c_int(&c[3], g->v[CO_CONTRACT]);
		if (g == tot) {
			c_int(&c[4], g->v[CO_CHARGE]);
			c_text(&c[5], rate(g->v[CO_PAY], g->v[CO_CHARGE] -
			    g->v[CO_CONTRACT], r2));
		} else {
			c_null(&c[4]);
			c_null(&c[5]);
		}
		c_int(&c[6], g->v[CO_REFUND]);
		c_int(&c[7], g->v[CO_PLB]);
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- ar-aging: what is open, in buckets; days in A/R ---- */

static const struct pms_col aging_cols[] = {
	{ "responsibility", PMS_COL_TEXT }, { "payer", PMS_COL_TEXT },
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "days_0_30", PMS_COL_MONEY }, { "days_31_60", PMS_COL_MONEY },
	{ "days_61_90", PMS_COL_MONEY }, { "days_91_120", PMS_COL_MONEY },
	{ "days_121_plus", PMS_COL_MONEY }, { "total", PMS_COL_MONEY },
	{ "days_in_ar", PMS_COL_TEXT },
};

/* Keys: an open balance's id * 4, a ledger entry's id * 4 + 1: the
 * charges of the 90 days to --as-of, for days in A/R.  Balances are
 * aged from the date of service, as pms-bill aging does by default. */
static const char aging_sql[] =
	"SELECT b.id * 4, b.patient_id, b.class, py.code, b.dos, "
	"b.amount_cents, p.mrn FROM balances b LEFT JOIN payers py ON py.id "
	"= b.payer_id JOIN patients p ON p.id = b.patient_id WHERE (:payer "
	"IS NULL OR b.payer_id = :payer) UNION ALL SELECT g.id * 4 + 1, "
	"g.patient_id, -1, NULL, g.posted_on, g.amount_cents, NULL FROM "
	"ledger g WHERE g.kind = 'charge' AND g.posted_on BETWEEN :from90 "
	"AND :asof AND (:payer IS NULL OR g.payer_id = :payer)";

/*
 * The same for an --as-of before today: what was open at the end of
 * that day, as pms-bill aging has it, from the ledger: each charge or
 * credit and party, with the entries posted by then, of charges served
 * by then.  A group's key is its first entry's.
 */
static const char aging_then_sql[] =
	"SELECT b.k * 4, b.patient_id, b.class, py.code, b.dos, "
	"b.amount_cents, p.mrn FROM (SELECT min(l.id) AS k, min(l.patient_id) "
	"AS patient_id, CASE WHEN l.charge_id IS NULL THEN 3 WHEN l.party = "
	"'payer' THEN 1 WHEN l.party = 'pending' THEN 2 ELSE 0 END AS class, "
	"min(l.payer_id) AS payer_id, coalesce(min(c.dos), "
	"min(y.received_on)) AS dos, sum(l.amount_cents) AS amount_cents "
	"FROM ledger l LEFT JOIN charges c ON c.id = l.charge_id LEFT JOIN "
	"payments y ON l.charge_id IS NULL AND y.id = l.payment_id WHERE "
	"l.posted_on <= :asof AND (c.id IS NULL OR c.dos <= :asof) AND "
	"(:payer IS NULL OR l.payer_id = :payer) GROUP BY "
	"coalesce(l.charge_id, -l.payment_id), l.party, "
	"coalesce(l.policy_id, 0) HAVING sum(l.amount_cents) <> 0) b LEFT "
	"JOIN payers py ON py.id = b.payer_id JOIN patients p ON p.id = "
	"b.patient_id UNION ALL SELECT g.id * 4 + 1, g.patient_id, -1, NULL, "
	"g.posted_on, g.amount_cents, NULL FROM ledger g WHERE g.kind = "
	"'charge' AND g.posted_on BETWEEN :from90 AND :asof AND (:payer IS "
	"NULL OR g.payer_id = :payer)";

static const char *const aging_resp[4] = {
	"patient", "insurance", "pending", "credit"
};

enum { AG_TOTAL = PMS_AGING_BUCKETS, AG_CHARGES90 };

static enum pms_status
aging_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g, *tot;
	enum pms_status ps;
	char pid[24];
	int cls = sqlite3_column_int(st, 2), b;
	int64_t amt = sqlite3_column_int64(st, 5);
	int32_t d;

	if ((ps = rtab_get(&r->t, 9, 0, "total", NULL, NULL, &tot)) != PMS_OK)
		return ps;
	if (cls < 0) {
		tot->v[AG_CHARGES90] += amt;
		return PMS_OK;
	}
	if (cls > 3)
		cls = 3;
	if (pms_date_parse(col_text(st, 4), PMS_DATE_ISO, &d) != PMS_OK)
		return pms_seterr(PMS_EINTERNAL, "report: a balance without "
		    "a date");
	b = pms_aging_bucket(r->as_of_d - d);
	if ((ps = rtab_get(&r->t, 1 + cls, 0, aging_resp[cls],
	    col_text(st, 3), NULL, &g)) != PMS_OK)
		return ps;
	g->v[b] += amt;
	g->v[AG_TOTAL] += amt;
	if (cls != 3) {
		tot->v[b] += amt;
		tot->v[AG_TOTAL] += amt;
	}
	if (r->o->by_patient) {
		snprintf(pid, sizeof(pid), "%lld",
		    (long long)sqlite3_column_int64(st, 1));
		/* within a patient: patient, insurance, pending, credit */
		if ((ps = rtab_get(&r->t, 0, sqlite3_column_int64(st, 1) * 4 +
		    cls, aging_resp[cls], col_text(st, 3), pid, &g)) != PMS_OK)
			return ps;
		if (g->last < 0 && (ps = group_label(g, 3, col_text(st, 6))) !=
		    PMS_OK)
			return ps;
		g->last = sqlite3_column_int64(st, 1);
		g->v[b] += amt;
		g->v[AG_TOTAL] += amt;
	}
	return PMS_OK;
}

static enum pms_status
aging_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(aging_cols)];
	struct rgroup *g, *tot;
	enum pms_status ps;
	char r1[RATE_BUFSZ];
	size_t i, k;

	if ((ps = rtab_get(&r->t, 9, 0, "total", NULL, NULL, &tot)) != PMS_OK)
		return ps;
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		c_text(&c[1], g->lab[1]);
		if (g->rank == 0) {
			c_int(&c[2], g->last);
			c_text(&c[3], g->lab[3]);
		} else {
			c_null(&c[2]);
			c_null(&c[3]);
		}
		for (k = 0; k <= AG_TOTAL; k++)
			c_int(&c[4 + k], g->v[k]);
		/* days in A/R: what is owed over a day's charges of the
		 * last 90 */
		if (g == tot)
			c_text(&c[10], ratio(g->v[AG_TOTAL] * 90,
			    g->v[AG_CHARGES90], r1));
		else
			c_null(&c[10]);
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- payer-mix: visits and charges by primary payer ---- */

static const struct pms_col mix_cols[] = {
	{ "payer", PMS_COL_TEXT }, { "visits", PMS_COL_INT },
	{ "visits_share", PMS_COL_TEXT }, { "charges", PMS_COL_MONEY },
	{ "charges_share", PMS_COL_TEXT },
};

/* A visit is its primary payer's on its date of service (the policy of
 * priority 1 in effect then), else self-pay; its charges are its lines
 * not void, and a visit with none (all entered in error) is no visit,
 * as productivity has it. */
static const char mix_sql[] =
	"SELECT v.id, v.patient_id, (SELECT y.code FROM policies po JOIN "
	"payers y ON y.id = po.payer_id WHERE po.patient_id = v.patient_id "
	"AND po.priority = 1 AND (po.effective_from IS NULL OR "
	"po.effective_from <= v.dos) AND (po.effective_to IS NULL OR "
	"po.effective_to >= v.dos) ORDER BY po.id DESC LIMIT 1), (SELECT "
	"coalesce(sum(c.amount_cents), 0) FROM charges c WHERE c.visit_id = "
	"v.id AND c.status <> 'void') FROM visits v WHERE v.dos BETWEEN "
	":from AND :to AND (:prov IS NULL OR v.provider_id = :prov) AND "
	"(:loc IS NULL OR v.location_id = :loc) AND EXISTS (SELECT 1 FROM "
	"charges c WHERE c.visit_id = v.id AND c.status <> 'void' AND "
	"c.kind <> 'opening')";

static enum pms_status
mix_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g, *tot;
	enum pms_status ps;
	const char *payer = col_text(st, 2);
	int64_t amt = sqlite3_column_int64(st, 3);

	if ((ps = rtab_get(&r->t, payer == NULL ? 1 : 0, 0,
	    payer == NULL ? "self-pay" : payer, NULL, NULL, &g)) != PMS_OK ||
	    (ps = rtab_get(&r->t, 2, 0, "total", NULL, NULL, &tot)) != PMS_OK)
		return ps;
	g->v[0]++;
	g->v[1] += amt;
	tot->v[0]++;
	tot->v[1] += amt;
	return PMS_OK;
}

static enum pms_status
mix_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(mix_cols)];
	struct rgroup *g, *tot;
	enum pms_status ps;
	char r1[RATE_BUFSZ], r2[RATE_BUFSZ];
	size_t i;

	if ((ps = rtab_get(&r->t, 2, 0, "total", NULL, NULL, &tot)) != PMS_OK)
		return ps;
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		c_int(&c[1], g->v[0]);
		c_text(&c[2], rate(g->v[0], tot->v[0], r1));
		c_int(&c[3], g->v[1]);
		c_text(&c[4], rate(g->v[1], tot->v[1], r2));
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- denials: denied against adjudicated claim lines, from the 835s ---- */

static const struct pms_col denial_cols[] = {
	{ "payer", PMS_COL_TEXT }, { "reason", PMS_COL_TEXT },
	{ "description", PMS_COL_TEXT }, { "remarks", PMS_COL_TEXT },
	{ "lines", PMS_COL_INT }, { "denied_lines", PMS_COL_INT },
	{ "denial_rate", PMS_COL_TEXT }, { "denied", PMS_COL_MONEY },
	{ "still_open", PMS_COL_MONEY },
};

/* The day of a remittance: its payment's date (BPR16), else (none, or
 * one ahead of it) the day it was posted (UTC). */
#define REMIT_DAY(m) \
	"CASE WHEN " m ".paid_on <= substr(" m ".imported_at, 1, 10) THEN " \
	m ".paid_on ELSE substr(" m ".imported_at, 1, 10) END"

/*
 * A fact for each claim line adjudicated by a posting of an 835 that
 * stands (claim_remit_claims: not a reversal, not a forwarded claim nor
 * a predetermination, and not undone by a reversal dated in the period
 * or before): a fact for each of its denied amounts (claim_denials), or
 * one with none.  A line is adjudicated by a posting
 * when the posting paid, wrote off, moved or denied some of it.  The
 * payer is the posting's policy's, else the remittance's, else the
 * claim's.  Keys: (the posting's id * 64 + the line's lx) * 2, a
 * denial's id * 2 + 1.  In the order of payer and charge, so that the
 * facts of a line (payer, charge) come together.
 */
static const char denial_sql[] =
	"SELECT CASE WHEN d.id IS NULL THEN (rc.id * 64 + l.lx) * 2 ELSE "
	"d.id * 2 + 1 END, rc.patient_id, y.code, l.charge_id, d.group_code, "
	"d.reason, d.amount_cents, d.remarks, d.closed_by IS NULL, y.id FROM "
	"claim_remits m JOIN claim_remit_claims rc ON rc.remit_id = m.id "
	"JOIN claims k ON k.id = rc.claim_id JOIN visits v ON v.id = "
	"k.visit_id JOIN claim_lines l ON l.claim_id = k.id LEFT JOIN "
	"policies o ON o.id = rc.policy_id JOIN payers y ON y.id = "
	"coalesce(o.payer_id, m.payer_id, k.payer_id) LEFT JOIN "
	"claim_denials d ON d.remit_claim_id = rc.id AND d.charge_id = "
	"l.charge_id WHERE " REMIT_DAY("m") " BETWEEN :from AND :to AND "
	"rc.status NOT IN ('22', '23', '25') AND rc.reverses IS NULL AND "
	"(rc.reversed_by IS NULL OR (SELECT " REMIT_DAY("m2") " FROM "
	"claim_remit_claims r2 JOIN claim_remits m2 ON m2.id = r2.remit_id "
	"WHERE r2.id = rc.reversed_by) > :to) AND (d.id IS NOT NULL OR "
	"EXISTS (SELECT 1 FROM claim_remit_ops op WHERE op.remit_claim_id = "
	"rc.id AND op.charge_id = l.charge_id)) AND (:payer IS NULL OR y.id = "
	":payer) AND (:prov IS NULL OR v.provider_id = :prov) AND (:loc IS "
	"NULL OR v.location_id = :loc) ORDER BY y.code, l.charge_id";

/* lines: distinct lines adjudicated; denied: distinct lines denied;
 * LAST_*: the number of the line counted last (distinct); PLINES: a
 * reason's payer's lines, for its rate. */
enum { DN_LINES, DN_DENIED, DN_CENTS, DN_OPEN, DN_LAST_LINE,
	DN_LAST_DENIED, DN_PLINES };

#define REMARKS_MAX	32	/* remark codes a reason's row lists */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Add the remark codes of list ("M15,N4") to those of g (its label 3),
 * each once, sorted; past REMARKS_MAX codes, or the room they take,
 * the rest are left out.
 */
static enum pms_status
remarks_merge(struct rgroup *g, const char *list)
{
	char buf[REMARKS_MAX * 10], out[REMARKS_MAX * 10], *v[REMARKS_MAX];
	char *p, *q;
	size_t n = 0, i, len = 0;
	int k;

	if (list == NULL || *list == '\0')
		return PMS_OK;
	k = snprintf(buf, sizeof(buf), "%s%s%s", g->lab[3] != NULL ?
	    g->lab[3] : "", g->lab[3] != NULL ? "," : "", list);
	if (k < 0 || (size_t)k >= sizeof(buf))
		return PMS_OK;	/* enough codes already */
	for (p = buf; p != NULL && *p != '\0' && n < REMARKS_MAX; p = q) {
		if ((q = strchr(p, ',')) != NULL)
			*q++ = '\0';
		if (*p == '\0')
			continue;
		for (i = 0; i < n && strcmp(v[i], p) != 0; i++)
			;
		if (i == n)
			v[n++] = p;
	}
	qsort(v, n, sizeof(*v), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(out + len, sizeof(out) - len, "%s%s",
		    i > 0 ? "," : "", v[i]);
		if (k < 0 || (size_t)k >= sizeof(out) - len)
			break;
		len += (size_t)k;
	}
	return group_label(g, 3, out);
}

/* Count the line of the fact once into g, and its denial if any. */
static void
denial_add(struct rgroup *g, int64_t seq, int line, int denied,
    int64_t amt, int open)
{
	if (line && g->v[DN_LAST_LINE] != seq) {
		g->v[DN_LINES]++;
		g->v[DN_LAST_LINE] = seq;
	}
	if (!denied)
		return;
	if (g->v[DN_LAST_DENIED] != seq) {
		g->v[DN_DENIED]++;
		g->v[DN_LAST_DENIED] = seq;
	}
	g->v[DN_CENTS] += amt;
	if (open)
		g->v[DN_OPEN] += amt;
}

static enum pms_status
denial_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g[4];
	enum pms_status ps;
	const char *payer = col_text(st, 2), *group = col_text(st, 4),
	    *reason = col_text(st, 5);
	int64_t charge = sqlite3_column_int64(st, 3),
	    payer_id = sqlite3_column_int64(st, 9),
	    amt = sqlite3_column_int64(st, 6);
	int denied = reason != NULL && group != NULL,
	    open = sqlite3_column_int(st, 8) != 0, i;
	char key[32];

	if (payer_id != r->seq_payer || charge != r->seq_charge) {
		r->seq++;
		r->seq_payer = payer_id;
		r->seq_charge = charge;
	}
	if ((ps = rtab_get(&r->t, 0, 0, payer, NULL, NULL, &g[0])) !=
	    PMS_OK ||
	    (ps = rtab_get(&r->t, 1, 0, "total", NULL, NULL, &g[1])) !=
	    PMS_OK)
		return ps;
	for (i = 0; i < 2; i++)
		denial_add(g[i], r->seq, 1, denied, amt, open);
	if (!denied)
		return PMS_OK;
	/* the reason's key sorts its code as a number would: "CO-   50" */
	snprintf(key, sizeof(key), "%.2s-%5.5s", group, reason);
	if ((ps = rtab_get(&r->t, 0, 0, payer, key, NULL, &g[2])) !=
	    PMS_OK ||
	    (ps = rtab_get(&r->t, 1, 0, "total", key, NULL, &g[3])) !=
	    PMS_OK)
		return ps;
	for (i = 2; i < 4; i++) {
		denial_add(g[i], r->seq, 0, 1, amt, open);
		if ((ps = remarks_merge(g[i], col_text(st, 7))) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

static enum pms_status
denial_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(denial_cols)];
	struct rgroup *g, *pg;
	enum pms_status ps;
	char r1[RATE_BUFSZ], reason[16], group[4], code[8], words[160];
	char desc[200];
	const char *gw, *p;
	size_t i;

	/* a period without any line still has its total */
	if ((ps = rtab_get(&r->t, 1, 0, "total", NULL, NULL, &pg)) != PMS_OK)
		return ps;
	/* each reason's payer (or the total) for its rate: found before
	 * the sort moves the groups */
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		if (g->lab[1] == NULL)
			continue;
		if ((ps = rtab_get(&r->t, g->rank, 0, g->lab[0], NULL, NULL,
		    &pg)) != PMS_OK)
			return ps;
		g->v[DN_PLINES] = pg->v[DN_LINES];
	}
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		if (g->lab[1] != NULL) {
			/* "CO-   50": group CO, code 50 */
			snprintf(group, sizeof(group), "%.2s", g->lab[1]);
			for (p = g->lab[1] + 3; *p == ' '; p++)
				;
			snprintf(code, sizeof(code), "%s", p);
			snprintf(reason, sizeof(reason), "%s-%s", group, code);
			if ((ps = pms_carc_words(r->s, code, words,
			    sizeof(words))) != PMS_OK)
				return ps;
			gw = pms_cas_group_words(group);
			/* cut short, if ever, as words may be */
			(void)snprintf(desc, sizeof(desc), "%s: %s", gw !=
			    NULL ? gw : group, words[0] != '\0' ? words :
			    "reason code not in the loaded list");
			c_text(&c[1], reason);
			c_text(&c[2], desc);
			c_text(&c[3], g->lab[3]);
			c_int(&c[4], g->v[DN_PLINES]);
			c_text(&c[6], rate(g->v[DN_DENIED], g->v[DN_PLINES],
			    r1));
		} else {
			c_null(&c[1]);
			c_null(&c[2]);
			c_null(&c[3]);
			c_int(&c[4], g->v[DN_LINES]);
			c_text(&c[6], rate(g->v[DN_DENIED], g->v[DN_LINES],
			    r1));
		}
		c_int(&c[5], g->v[DN_DENIED]);
		c_int(&c[7], g->v[DN_CENTS]);
		c_int(&c[8], g->v[DN_OPEN]);
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- reminders: sent, confirmed, failed; no-shows with and without ---- */

static const struct pms_col remind_cols[] = {
	{ "group", PMS_COL_TEXT }, { "appointments", PMS_COL_INT },
	{ "confirmed", PMS_COL_INT }, { "no_shows", PMS_COL_INT },
	{ "no_show_rate", PMS_COL_TEXT }, { "reminders_sent", PMS_COL_INT },
	{ "reminders_delivered", PMS_COL_INT },
	{ "reminders_failed", PMS_COL_INT },
	{ "reminders_skipped", PMS_COL_INT },
};

/* An appointment was reminded when a reminder of it went out (sent or
 * delivered); the counts are of its reminders by their status. */
#define REMINDERS_OF(w) \
	"(SELECT count(*) FROM reminders m WHERE m.appointment_id = a.id " \
	"AND " w ")"
static const char remind_sql[] =
	"SELECT a.id, a.patient_id, a.status, a.confirmed_at IS NOT NULL, "
	REMINDERS_OF("m.status IN ('sent', 'delivered')") ", "
	REMINDERS_OF("m.status = 'delivered'") ", "
	REMINDERS_OF("m.status = 'failed'") ", "
	REMINDERS_OF("m.status = 'skipped'") " FROM appointments a WHERE "
	APPT_PERIOD " AND " APPT_DUE;

static enum pms_status
remind_fact(struct rrun *r, sqlite3_stmt *st)
{
	struct rgroup *g[2];
	enum pms_status ps;
	int64_t sent = sqlite3_column_int64(st, 4);
	int i, k;

	if ((ps = rtab_get(&r->t, sent > 0 ? 0 : 1, 0, sent > 0 ? "reminded" :
	    "not-reminded", NULL, NULL, &g[0])) != PMS_OK ||
	    (ps = rtab_get(&r->t, 2, 0, "total", NULL, NULL, &g[1])) !=
	    PMS_OK)
		return ps;
	for (i = 0; i < 2; i++) {
		g[i]->v[0]++;
		g[i]->v[1] += sqlite3_column_int(st, 3) != 0;
		g[i]->v[2] += strcmp(col_text(st, 2), "no-show") == 0;
		for (k = 0; k < 4; k++)
			g[i]->v[3 + k] += sqlite3_column_int64(st, 4 + k);
	}
	return PMS_OK;
}

static enum pms_status
remind_emit(struct rrun *r)
{
	struct pms_cell c[PMS_NELEM(remind_cols)];
	struct rgroup *g;
	enum pms_status ps;
	char r1[RATE_BUFSZ];
	size_t i, k;

	/* a period without any appointment still has its total */
	if ((ps = rtab_get(&r->t, 2, 0, "total", NULL, NULL, &g)) != PMS_OK)
		return ps;
	rtab_sort(&r->t);
	for (i = 0; i < r->t.n; i++) {
		g = r->t.g[i];
		c_text(&c[0], g->lab[0]);
		c_int(&c[1], g->v[0]);
		c_int(&c[2], g->v[1]);
		c_int(&c[3], g->v[2]);
		c_text(&c[4], rate(g->v[2], g->v[0], r1));
		for (k = 0; k < 4; k++)
			c_int(&c[5 + k], g->v[3 + k]);
		if ((ps = put(r, c)) != PMS_OK)
			return ps;
	}
	return PMS_OK;
}

/* ---- the table of reports ---- */

#define P	PMS_REPORT_PERIOD
#define PL	(PMS_REPORT_PROVIDER | PMS_REPORT_LOCATION)
#define INFO(n, s, o, c)	{ n, s, o, c, PMS_NELEM(c) }

static const struct rdef reports[] = {
	{ INFO("day-sheet", "a day's appointments, charges, payments and "
	    "adjustments by provider", P | PL, daysheet_cols), 1,
	    "appointment_status,ledger", daysheet_sql, daysheet_fact,
	    daysheet_emit },
	{ INFO("schedule", "the printable daily schedule per provider",
	    P | PL, schedule_cols), 1, "start,end,provider,location,type,"
	    "room,status,confirmed_at,mrn,patient_name", schedule_sql,
	    schedule_fact, NULL },
	{ INFO("no-shows", "no-show and late-cancel rates by provider, "
	    "weekday, hour and type; repeated no-shows", P | PL, noshow_cols),
	    0, "start,type,status,late_cancel,mrn", noshow_sql, noshow_fact,
	    noshow_emit },
	{ INFO("utilisation", "booked against available office hours per "
	    "provider", P | PL, util_cols), 0, "start,end,provider",
	    util_sql, util_fact, util_emit },
	{ INFO("productivity", "visits, gross charges and codes per provider",
	    P | PL, product_cols), 0, "charge", product_sql, product_fact,
	    product_emit },
	{ INFO("collections", "payments by source and the net collection "
	    "rate", P | PMS_REPORT_PAYER, collect_cols), 0,
	    "payment,ledger,claim_plb", collect_sql, collect_fact,
	    collect_emit },
	{ INFO("ar-aging", "what is owed, in buckets by payer (and patient); "
	    "days in A/R", PMS_REPORT_AS_OF | PMS_REPORT_PAYER |
	    PMS_REPORT_BY_PATIENT, aging_cols), 0, "balance,ledger,mrn",
	    aging_sql, aging_fact, aging_emit },
	{ INFO("payer-mix", "shares of visits and charges by primary payer",
	    P | PL, mix_cols), 0, "visit,policy,charge", mix_sql, mix_fact,
	    mix_emit },
	{ INFO("denials", "denied against adjudicated claim lines (835s), by "
	    "payer and reason", P | PL | PMS_REPORT_PAYER, denial_cols), 0,
	    "remittance,claim_line,denial,payer", denial_sql, denial_fact,
	    denial_emit },
	{ INFO("reminders", "reminders sent, confirmed and failed; no-shows "
	    "with and without", P | PL, remind_cols), 0,
	    "reminder,status,confirmed_at", remind_sql, remind_fact,
	    remind_emit },
};

const struct pms_report_info *
pms_report_at(size_t i)
{
	return i < PMS_NELEM(reports) ? &reports[i].info : NULL;
}

const struct pms_report_info *
pms_report_find(const char *name)
{
	size_t i;

	for (i = 0; i < PMS_NELEM(reports); i++)
		if (strcmp(reports[i].info.name, name) == 0)
			return &reports[i].info;
	return NULL;
}

/* ---- running one ---- */

static void
bind_id(sqlite3_stmt *st, const char *name, int64_t id)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i == 0)
		return;
	if (id > 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

/* The walk of pms_read_run(): name every fact, then count those named. */
static enum pms_status
report_walk(struct pms_store *s, struct pms_read *rd, void *arg)
{
	struct rrun *r = arg;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	int64_t pid;
	int rc, show;

	/* ar-aging of a past day reads the ledger as it stood then */
	rc = sqlite3_prepare_v2(s->db, r->d->sql == aging_sql && r->past ?
	    aging_then_sql : r->d->sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "report");
	bind_text(st, ":from", r->from);
	bind_text(st, ":to", r->to);
	bind_text(st, ":asof", r->as_of);
	bind_text(st, ":from90", r->from90);
	bind_int(st, ":lo", r->lo_utc);
	bind_int(st, ":hi", r->hi_utc);
	bind_int(st, ":now", r->now);
	bind_id(st, ":prov", r->provider);
	bind_id(st, ":loc", r->location);
	bind_id(st, ":payer", r->payer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pid = sqlite3_column_int64(st, 1);
		if ((ps = pms_read_row(rd, sqlite3_column_int64(st, 0), &pid,
		    pid > 0 ? 1 : 0, &show)) != PMS_OK)
			goto out;
		if (show && (ps = r->d->fact(r, st)) != PMS_OK)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "report");
out:
	sqlite3_finalize(st);
	return ps;
}

/* The id of code in table's config entities (a fixed statement), the
 * code in any case as pms-schedule takes it, or PMS_EREFUSED naming
 * what. */
static enum pms_status
code_id(struct pms_store *s, const char *sql, const char *what,
    const char *code, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*id = 0;
	if (code == NULL)
		return PMS_OK;
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, what);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, what);
	if (*id == 0) {
		if (pms_quotable(code))
			return pms_seterr(PMS_EREFUSED, "--%s: unknown %s "
			    "\"%s\"", what, what, code);
		return pms_seterr(PMS_EREFUSED, "--%s: unknown %s", what,
		    what);
	}
	return PMS_OK;
}

/* Append "; what CODE" for a filter given (its code as the
 * configuration spells it) to the period of the page. */
static void
period_filter(char *buf, size_t size, const char *what, const char *code)
{
	size_t len = strlen(buf);
	char c[PMS_CFG_CODE];
	size_t i;

	if (code == NULL)
		return;
	for (i = 0; code[i] != '\0' && i + 1 < sizeof(c); i++)
		c[i] = code[i] >= 'A' && code[i] <= 'Z' ?
		    (char)(code[i] - 'A' + 'a') : code[i];
	c[i] = '\0';
	if (len < size)
		(void)snprintf(buf + len, size - len, "; %s %s", what, c);
}

/* The practice's day today, at its zone (UTC without one: not reached,
 * a report needs the configuration). */
static enum pms_status
practice_today(struct pms_store *s, int32_t *today)
{
	struct pms_config *cfg = NULL;
	enum pms_status st;
	const char *zone = "UTC";

	st = pms_config_read(s, &cfg);
	if (st != PMS_OK && st != PMS_ECONFIG)
		return st;
	if (cfg != NULL)
		(void)pms_config_text(cfg, "practice.time_zone", &zone);
	st = pms_today(zone, today);
	pms_config_free(cfg);
	return st;
}

/* 1 when v has the shape YYYY-MM-DD and is a date but for its year,
 * which is outside those a date may have. */
static int
date_out_of_range(const char *v)
{
	char buf[PMS_DATE_BUFSZ];
	int32_t d;
	int i, y = 0, leap;

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
			return 0;
	for (i = 0; i < 4; i++)
		y = y * 10 + (v[i] - '0');
	if (y >= PMS_YEAR_MIN && y <= PMS_YEAR_MAX)
		return 0;
	/* its month and day, in a year that is leap when it is */
	leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	snprintf(buf, sizeof(buf), "%s%s", leap ? "2000" : "2001", v + 4);
	return pms_date_parse(buf, PMS_DATE_ISO, &d) == PMS_OK;
}

/* A date option: ISO, or today, tomorrow, yesterday at the practice's
 * zone, as pms-schedule takes them. */
static enum pms_status
date_opt(struct pms_store *s, const char *opt, const char *v, int32_t *d)
{
	enum pms_status st;

	if ((st = pms_sched_date(s, v, d)) == PMS_OK)
		return PMS_OK;
	if (st != PMS_EDATA)
		return st;
	if (date_out_of_range(v))
		return pms_seterr(PMS_EUSAGE, "%s: %s is out of range (dates "
		    "are %d-01-01 to %d-12-31)", opt, v, PMS_YEAR_MIN,
		    PMS_YEAR_MAX);
	return pms_seterr(PMS_EUSAGE, "%s: not a date (YYYY-MM-DD)", opt);
}

enum pms_status
pms_report_run(struct pms_store *s, const struct pms_report_info *info,
    const struct pms_report_opts *o, pms_report_row_fn *fn, void *arg,
    size_t *count)
{
	struct pms_read_spec sp;
	struct rrun r;
	enum pms_status st;
	char action[64], kind[64];
	int32_t today, from, to;
	int y, m, d;

	memset(&r, 0, sizeof(r));
	r.d = (const struct rdef *)info;
	r.o = o;
	r.fn = fn;
	r.arg = arg;
	r.count = count;
	if (count != NULL)
		*count = 0;
	/* no practice, no practice's day: 78, as pms-schedule has it */
	if ((st = pms_sched_ready(s)) != PMS_OK ||
	    (st = practice_today(s, &today)) != PMS_OK)
		return st;
	/* the period */
	if (o->to != NULL && o->from == NULL)
		return pms_seterr(PMS_EUSAGE, "--to: needs --from");
	if (o->from != NULL) {
		if ((st = date_opt(s, o->on ? "--on" : "--from", o->from,
		    &from)) != PMS_OK)
			return st;
		to = today;
		if (o->to != NULL && (st = date_opt(s, o->on ? "--on" :
		    "--to", o->to, &to)) != PMS_OK)
			return st;
	} else if (r.d->day)
		from = to = today;
	else {
		pms_date_split(today, &y, &m, &d);
		if ((st = pms_date_make(y, m, 1, &from)) != PMS_OK)
			return st;
		to = today;
	}
	if (to < from)
		return pms_seterr(PMS_EUSAGE, "--from: after --to");
	if (to - from > PERIOD_MAX)
		return pms_seterr(PMS_EUSAGE, "the period is longer than 20 "
		    "years");
	pms_date_fmt(from, r.from);
	pms_date_fmt(to, r.to);
	r.s = s;
	r.from_d = from;
	r.to_d = to;
	r.lo_utc = (int64_t)from * SECS_DAY - DAY_SLACK;
	r.hi_utc = ((int64_t)to + 1) * SECS_DAY + DAY_SLACK;
	r.now = (int64_t)time(NULL);
	r.as_of_d = today;
	if (o->as_of != NULL && (st = date_opt(s, "--as-of", o->as_of,
	    &r.as_of_d)) != PMS_OK)
		return st;
	r.past = r.as_of_d < today;
	pms_date_fmt(r.as_of_d, r.as_of);
	pms_date_fmt(r.as_of_d - 89, r.from90);
	/* codes in any case: those of the configuration are lowercase */
	if ((st = code_id(s, "SELECT id FROM providers WHERE code = "
	    "lower(?1)", "provider", o->provider, &r.provider)) != PMS_OK ||
	    (st = code_id(s, "SELECT id FROM locations WHERE code = "
	    "lower(?1)", "location", o->location, &r.location)) != PMS_OK ||
	    (st = code_id(s, "SELECT id FROM payers WHERE code = lower(?1)",
	    "payer", o->payer, &r.payer)) != PMS_OK)
		return st;
	/* the page says what it covers: the period, and its filters */
	if (o->period != NULL && o->period_size > 0) {
		if (info->options & PMS_REPORT_PERIOD)
			snprintf(o->period, o->period_size, "%s to %s",
			    r.from, r.to);
		else
			snprintf(o->period, o->period_size, "as of %s",
			    r.as_of);
		period_filter(o->period, o->period_size, "provider",
		    o->provider);
		period_filter(o->period, o->period_size, "location",
		    o->location);
		period_filter(o->period, o->period_size, "payer", o->payer);
	}
	snprintf(action, sizeof(action), "report.%s", info->name);
	snprintf(kind, sizeof(kind), "report-%s", info->name);
	memset(&sp, 0, sizeof(sp));
	sp.action = action;
	sp.fields = r.d->fields;
	sp.out_path = o->out_path;
	if (o->out_path != NULL && strcmp(o->out_path, "-") != 0)
		sp.export_kind = kind;
	st = pms_read_run(s, &sp, report_walk, &r);
	if (st == PMS_OK && r.d->emit != NULL)
		st = r.d->emit(&r);
	rtab_free(&r.t);
	return st;
}
