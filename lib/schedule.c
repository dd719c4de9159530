/*
 * schedule.c: the appointment book.  Booking (one appointment or a
 * series) and moving are checked and written inside one IMMEDIATE
 * transaction, so that of two clerks booking the same slot at the same
 * moment the second sees the first's appointment and is refused; every
 * change of an appointment is a row of its history and one audit entry.
 * Reading: one appointment, a query streamed to a callback, history.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "patient.h"
#include "schedule_int.h"

/* The fields of an appointment record, for audit entries. */
#define APPT_FIELDS	"appointment_id,patient_id,mrn,provider,location," \
			"type,room,start,end,status,confirmed_at,reason"

/* Attempts at BEGIN IMMEDIATE, each after the store's busy timeout. */
#define BEGIN_TRIES	3

enum pms_status
sched_begin(struct pms_store *s)
{
	enum pms_status st;
	int i;

	for (i = 0; i < BEGIN_TRIES; i++)
		if ((st = pms_store_begin(s)) != PMS_EBUSY)
			return st;
	return st;
}

/*
 * Statements kept for the length of an import (which runs the same few
 * for each of a million rows): between sched_cache_begin() and
 * sched_cache_end() sched_prepare() hands out the same statement again,
 * reset, and sched_finish() resets it instead of finalizing.  Outside,
 * each is prepared and finalized as usual.  The programs are single-
 * threaded; the cache is always ended before the store is closed.
 */
static struct {
	sqlite3		*db;
	sqlite3_stmt	*st[SCHED_Q_COUNT];
} stmt_cache;

void
sched_cache_begin(struct pms_store *s)
{
	sched_cache_end();
	stmt_cache.db = s->db;
}

void
sched_cache_end(void)
{
	size_t i;

	for (i = 0; i < SCHED_Q_COUNT; i++) {
		sqlite3_finalize(stmt_cache.st[i]);
		stmt_cache.st[i] = NULL;
	}
	stmt_cache.db = NULL;
}

int
sched_prepare(struct pms_store *s, enum sched_q q, const char *sql,
    sqlite3_stmt **stp)
{
	int rc;

	if (stmt_cache.db != s->db)
		return sqlite3_prepare_v2(s->db, sql, -1, stp, NULL);
	if (stmt_cache.st[q] == NULL) {
		rc = sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &stmt_cache.st[q], NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	*stp = stmt_cache.st[q];
	return SQLITE_OK;
}

void
sched_finish(struct pms_store *s, enum sched_q q, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	if (stmt_cache.db == s->db && stmt_cache.st[q] == st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return;
	}
	sqlite3_finalize(st);
}

/* Begin unless the caller's transaction is open. */
static enum pms_status
begin(struct pms_store *s, const struct pms_appt_opts *o)
{
	if (o != NULL && o->in_transaction)
		return PMS_OK;
	return sched_begin(s);
}

static enum pms_status
commit(struct pms_store *s, const struct pms_appt_opts *o)
{
	if (o != NULL && o->in_transaction)
		return PMS_OK;
	if (o != NULL && o->dry_run) {
		pms_store_rollback(s);
		return PMS_OK;
	}
	return pms_store_commit(s);
}

static void
rollback(struct pms_store *s, const struct pms_appt_opts *o)
{
	if (o != NULL && o->in_transaction)
		return;
	pms_store_rollback(s);
}

enum pms_status
sched_patient(struct pms_store *s, int64_t id, const char *mrn,
    int64_t *out)
{
	if (id <= 0 && (mrn == NULL || *mrn == '\0'))
		return pms_seterr(PMS_EUSAGE, "give --patient or --mrn");
	return pms_patient_id(s, id > 0 ? id : 0, id > 0 ? NULL : mrn, out,
	    NULL);
}

/* ---- reading appointments ---- */

#define APPT_SELECT \
	"SELECT a.id, a.patient_id, p.mrn, a.provider_id, pr.code, " \
	"a.location_id, l.code, a.type_id, t.code, t.name, " \
	"(SELECT group_concat(value, ',') FROM json_each(t.codes)), " \
	"coalesce(t.may_overlap, 0), a.room, a.start_utc, a.end_utc, " \
	"a.local_start, a.local_end, a.local_date, a.zone, a.status, " \
	"a.cancelled_by, a.late_cancel, a.cancel_reason, a.confirmed_at, " \
	"a.checked_in_at, a.completed_at, a.reason, a.forced, a.series_id, " \
	"a.source_id, a.sequence, a.created_at, a.created_by, a.updated_at, " \
	"p.last_name, p.first_name " \
	"FROM appointments a JOIN patients p ON p.id = a.patient_id " \
	"JOIN providers pr ON pr.id = a.provider_id " \
	"JOIN locations l ON l.id = a.location_id " \
	"LEFT JOIN appointment_types t ON t.id = a.type_id "

/* The filters every query has; ?7 and ?8 bound the start. */
#define APPT_FILTERS \
	"(?1 IS NULL OR a.patient_id = ?1) AND " \
	"(?2 IS NULL OR a.local_date >= ?2) AND " \
	"(?3 IS NULL OR a.local_date <= ?3) AND " \
	"(?4 IS NULL OR a.provider_id = ?4) AND " \
	"(?5 IS NULL OR a.location_id = ?5) AND " \
	"(?6 IS NULL OR instr(',' || ?6 || ',', ',' || a.status || ',') > 0) " \
	"AND a.start_utc >= ?7 AND a.start_utc < ?8 " \
	"ORDER BY a.start_utc, a.id"

/* One statement per index: the patient's, the provider's, by time. */
static const char q_by_id[] = APPT_SELECT "WHERE a.id = ?9";
static const char q_by_patient[] = APPT_SELECT "WHERE a.patient_id = ?1 "
    "AND " APPT_FILTERS;
static const char q_by_provider[] = APPT_SELECT "WHERE a.provider_id = ?4 "
    "AND " APPT_FILTERS;
static const char q_by_time[] = APPT_SELECT "WHERE " APPT_FILTERS;

static void
col_text(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, size, "%s", t != NULL ? (const char *)t : "");
}

/* A row of APPT_SELECT into a. */
static void
appt_row(sqlite3_stmt *st, struct pms_appt *a, int with_names)
{
	const unsigned char *last, *first;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->patient_id = sqlite3_column_int64(st, 1);
	col_text(st, 2, a->mrn, sizeof(a->mrn));
	a->provider_id = sqlite3_column_int64(st, 3);
	col_text(st, 4, a->provider, sizeof(a->provider));
	a->location_id = sqlite3_column_int64(st, 5);
	col_text(st, 6, a->location, sizeof(a->location));
	a->type_id = sqlite3_column_int64(st, 7);
	col_text(st, 8, a->type, sizeof(a->type));
	col_text(st, 9, a->type_name, sizeof(a->type_name));
	col_text(st, 10, a->codes, sizeof(a->codes));
	a->may_overlap = sqlite3_column_int(st, 11);
	col_text(st, 12, a->room, sizeof(a->room));
	a->start_utc = sqlite3_column_int64(st, 13);
	a->end_utc = sqlite3_column_int64(st, 14);
	col_text(st, 15, a->start, sizeof(a->start));
	col_text(st, 16, a->end, sizeof(a->end));
	col_text(st, 17, a->date, sizeof(a->date));
	col_text(st, 18, a->zone, sizeof(a->zone));
	col_text(st, 19, a->status, sizeof(a->status));
	col_text(st, 20, a->cancelled_by, sizeof(a->cancelled_by));
	a->late_cancel = sqlite3_column_int(st, 21);
	col_text(st, 22, a->cancel_reason, sizeof(a->cancel_reason));
	col_text(st, 23, a->confirmed_at, sizeof(a->confirmed_at));
	col_text(st, 24, a->checked_in_at, sizeof(a->checked_in_at));
	col_text(st, 25, a->completed_at, sizeof(a->completed_at));
	col_text(st, 26, a->reason, sizeof(a->reason));
	a->forced = sqlite3_column_int(st, 27);
	a->series_id = sqlite3_column_int64(st, 28);
	col_text(st, 29, a->source_id, sizeof(a->source_id));
	a->sequence = sqlite3_column_int64(st, 30);
	col_text(st, 31, a->created_at, sizeof(a->created_at));
	col_text(st, 32, a->created_by, sizeof(a->created_by));
	col_text(st, 33, a->updated_at, sizeof(a->updated_at));
	if (with_names) {
		last = sqlite3_column_text(st, 34);
		first = sqlite3_column_text(st, 35);
		snprintf(a->patient_name, sizeof(a->patient_name), "%s, %s",
		    last != NULL ? (const char *)last : "",
		    first != NULL ? (const char *)first : "");
	}
}

enum pms_status
pms_appt_get(struct pms_store *s, int64_t id, struct pms_appt *a)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, q_by_id, -1, &st, NULL)) !=
	    SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the schedule");
	sqlite3_bind_int64(st, 9, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		appt_row(st, a, 0);
		ps = PMS_OK;
	} else if (rc == SQLITE_DONE)
		ps = pms_seterr(PMS_EREFUSED, "no appointment %lld",
		    (long long)id);
	else
		ps = pms_store_sqlerr(s, rc, "reading the schedule");
	sqlite3_finalize(st);
	return ps;
}

/* Append v to a growing array of patient ids. */
static enum pms_status
pid_add(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
	int64_t *nv;

	if (*n > 0 && (*v)[*n - 1] == id)
		return PMS_OK;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		*v = nv;
	}
	(*v)[(*n)++] = id;
	return PMS_OK;
}

enum pms_status
sched_unknown(const char *what, const char *code)
{
	if (pms_quotable(code))
		return pms_seterr(PMS_EREFUSED, "unknown %s \"%s\"", what,
		    code);
	return pms_seterr(PMS_EREFUSED, "unknown %s", what);
}

/* Time bounds wide enough for any offset around the dates asked. */
#define T_MIN		(-(INT64_C(1) << 40))
#define T_MAX		(INT64_C(1) << 40)
#define OFF_SLACK	(26 * 3600)

enum pms_status
sched_iterate(struct pms_store *s, const struct pms_appt_query *q,
    pms_appt_fn *fn, void *arg, int64_t **pids, size_t *npids, size_t *cap,
    size_t *count)
{
	struct pms_appt *a = NULL;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	const char *sql;
	char from[PMS_DATE_BUFSZ], to[PMS_DATE_BUFSZ];
	int64_t patient = 0, provider = 0, location = 0, lo = T_MIN,
	    hi = T_MAX;
	int rc;

	if (count != NULL)
		*count = 0;
	if (q->patient_id > 0 || (q->mrn != NULL && *q->mrn != '\0'))
		if ((ps = sched_patient(s, q->patient_id, q->mrn, &patient)) !=
		    PMS_OK)
			return ps;
	if (q->provider != NULL) {
		if ((ps = sched_id_of(s, "SELECT id FROM providers WHERE "
		    "code = ?1", q->provider, &provider)) != PMS_OK)
			return ps;
		if (provider == 0)
			return sched_unknown("provider", q->provider);
	}
	if (q->location != NULL) {
		if ((ps = sched_id_of(s, "SELECT id FROM locations WHERE "
		    "code = ?1", q->location, &location)) != PMS_OK)
			return ps;
		if (location == 0)
			return sched_unknown("location", q->location);
	}
	if (q->has_from)
		lo = (int64_t)q->from * SECS_DAY - OFF_SLACK;
	if (q->has_to)
		hi = ((int64_t)q->to + 1) * SECS_DAY + OFF_SLACK;
	if (q->from_utc != 0 && q->from_utc > lo)
		lo = q->from_utc;
	if (q->to_utc != 0 && q->to_utc < hi)
		hi = q->to_utc;
	if ((a = malloc(sizeof(*a))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	sql = q->id > 0 ? q_by_id : patient > 0 ? q_by_patient : provider > 0 ?
	    q_by_provider : q_by_time;
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading the schedule");
		goto out;
	}
	if (q->id > 0)
		sqlite3_bind_int64(st, 9, q->id);
	else {
		if (patient > 0)
			sqlite3_bind_int64(st, 1, patient);
		if (q->has_from) {
			pms_date_fmt(q->from, from);
			sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
		}
		if (q->has_to) {
			pms_date_fmt(q->to, to);
			sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
		}
		if (provider > 0)
			sqlite3_bind_int64(st, 4, provider);
		if (location > 0)
			sqlite3_bind_int64(st, 5, location);
		if (q->statuses != NULL)
			sqlite3_bind_text(st, 6, q->statuses, -1,
			    SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, lo);
		sqlite3_bind_int64(st, 8, hi);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		appt_row(st, a, q->with_names);
		if (pids != NULL && (ps = pid_add(pids, npids, cap,
		    a->patient_id)) != PMS_OK)
			goto out;
		if (count != NULL)
			(*count)++;
		if (fn(arg, a) != 0) {
			ps = pms_seterr(PMS_EIO, "output stopped");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the schedule");
out:
	sqlite3_finalize(st);
	free(a);
	return ps;
}

/*
 * A query walked for pms_read_run(): on the first walk each appointment
 * is only named, on the second those named go to the caller's fn.
 */
struct appt_walk {
	const struct pms_appt_query *q;
	struct pms_read	*r;
	pms_appt_fn	*fn;
	void		*arg;
	size_t		*count;
	enum pms_status	 st;		/* why the walk stopped, if it did */
};

static int
appt_walk_one(void *arg, const struct pms_appt *a)
{
	struct appt_walk *w = arg;
	int show;

	if ((w->st = pms_read_row(w->r, a->id, &a->patient_id, 1, &show)) !=
	    PMS_OK)
		return 1;
	if (!show)
		return 0;
	if (w->count != NULL)
		(*w->count)++;
	if (w->fn(w->arg, a) != 0) {
		w->st = pms_read_stopped();
		return 1;
	}
	return 0;
}

static enum pms_status
appt_walk(struct pms_store *s, struct pms_read *r, void *arg)
{
	struct appt_walk *w = arg;
	enum pms_status st;

	w->r = r;
	w->st = PMS_OK;
	if (w->count != NULL)
		*w->count = 0;
	st = sched_iterate(s, w->q, appt_walk_one, w, NULL, NULL, NULL, NULL);
	return w->st != PMS_OK ? w->st : st;
}

enum pms_status
sched_read(struct pms_store *s, const struct pms_appt_query *q,
    const char *action, const char *fields, const char *out_path,
    pms_appt_fn *fn, void *arg, size_t *count)
{
	struct pms_read_spec sp;
	struct appt_walk w = { q, NULL, fn, arg, count, PMS_OK };

	memset(&sp, 0, sizeof(sp));
	sp.action = action;
	sp.fields = fields;
	sp.out_path = out_path;
	if (count != NULL)
		*count = 0;
	return pms_read_run(s, &sp, appt_walk, &w);
}

enum pms_status
pms_appt_query(struct pms_store *s, const struct pms_appt_query *q,
    pms_appt_fn *fn, void *arg, size_t *count)
{
	return sched_read(s, q, q->action != NULL ? q->action :
	    "schedule.list", q->fields != NULL ? q->fields : q->with_names ?
	    APPT_FIELDS ",patient_name" : APPT_FIELDS, NULL, fn, arg, count);
}

enum pms_status
pms_appt_show(struct pms_store *s, int64_t id, struct pms_appt *a)
{
	enum pms_status st;

	if ((st = sched_begin(s)) != PMS_OK)
		return st;
	if ((st = pms_appt_get(s, id, a)) != PMS_OK ||
	    (st = pms_audit_append(s, "schedule.show", APPT_FIELDS,
	    &a->patient_id, 1)) != PMS_OK) {
		pms_store_rollback(s);
		return st;
	}
	return pms_store_commit(s);
}

struct hist_walk {
	int64_t		 id;
	pms_appt_change_fn *fn;
	void		*arg;
	size_t		*count;
};

static enum pms_status
hist_walk(struct pms_store *s, struct pms_read *r, void *arg)
{
	struct hist_walk *w = arg;
	struct pms_appt_change c;
	struct pms_appt a;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc, show;

	if ((ps = pms_appt_get(s, w->id, &a)) != PMS_OK ||
	    (ps = pms_read_patient(r, a.patient_id)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "SELECT appointment_id, at, user, "
	    "action, field, from_value, to_value, id FROM "
	    "appointment_history WHERE appointment_id = ?1 ORDER BY id", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, w->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((ps = pms_read_row(r, sqlite3_column_int64(st, 7), NULL, 0,
		    &show)) != PMS_OK)
			goto out;
		if (!show)
			continue;
		memset(&c, 0, sizeof(c));
		c.appointment_id = sqlite3_column_int64(st, 0);
		col_text(st, 1, c.at, sizeof(c.at));
		col_text(st, 2, c.user, sizeof(c.user));
		col_text(st, 3, c.action, sizeof(c.action));
		col_text(st, 4, c.field, sizeof(c.field));
		col_text(st, 5, c.from_value, sizeof(c.from_value));
		col_text(st, 6, c.to_value, sizeof(c.to_value));
		if (w->count != NULL)
			(*w->count)++;
		if (w->fn(w->arg, &c) != 0) {
			ps = pms_read_stopped();
			goto out;
		}
	}
	if (rc == SQLITE_DONE)
		goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading the history");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_appt_history(struct pms_store *s, int64_t id, pms_appt_change_fn *fn,
    void *arg, size_t *count)
{
	struct pms_read_spec sp = { "schedule.history",
	    "at,user,action,field,from_value,to_value", NULL, NULL };
	struct hist_walk w = { id, fn, arg, count };

	if (count != NULL)
		*count = 0;
	return pms_read_run(s, &sp, hist_walk, &w);
}

/* ---- checking and writing ---- */

/* The appointment in the way: one statement per kind of conflict.  An
 * appointment is at most PMS_APPT_LEN_MAX long, which bounds the index
 * range searched from below. */
#define BUSY_SELECT \
	"SELECT a.id, a.local_start, a.local_end, pr.code FROM appointments " \
	"a JOIN providers pr ON pr.id = a.provider_id LEFT JOIN " \
	"appointment_types t ON t.id = a.type_id WHERE "
#define BUSY_WHEN \
	" AND a.start_utc > ?2 - 43200 AND a.start_utc < ?3 AND " \
	"a.end_utc > ?2 AND a.status NOT IN ('cancelled', 'no-show') AND " \
	"a.id <> ?4 "

static const char q_busy_provider[] = BUSY_SELECT "a.provider_id = ?1"
    BUSY_WHEN "AND coalesce(t.may_overlap, 0) = 0 ORDER BY a.start_utc "
    "LIMIT 1";
static const char q_busy_room[] = BUSY_SELECT "a.location_id = ?1 AND "
    "a.room = ?5" BUSY_WHEN "AND coalesce(t.may_overlap, 0) = 0 ORDER BY "
    "a.start_utc LIMIT 1";
static const char q_busy_patient[] = BUSY_SELECT "a.patient_id = ?1"
    BUSY_WHEN "ORDER BY a.start_utc LIMIT 1";

static enum pms_status
busy_one(struct pms_store *s, enum sched_q q, const char *sql, int64_t key,
    const char *room, const struct sched_new *n, int64_t *id, char *start,
    char *end, char *prov)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	int rc;

	*id = 0;
	if ((rc = sched_prepare(s, q, sql, &st)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "checking the schedule");
	sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_int64(st, 2, n->start);
	sqlite3_bind_int64(st, 3, n->end);
	sqlite3_bind_int64(st, 4, n->self);
	if (room != NULL)
		sqlite3_bind_text(st, 5, room, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		col_text(st, 1, start, PMS_STAMP_BUFSZ);
		col_text(st, 2, end, PMS_STAMP_BUFSZ);
		col_text(st, 3, prov, PMS_CFG_CODE);
	} else if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "checking the schedule");
	sched_finish(s, q, st);
	return ps;
}

enum pms_status
sched_check_busy(struct pms_store *s, const struct sched_new *n,
    int64_t *id, char *msg, size_t size)
{
	enum pms_status st;
	char a[PMS_STAMP_BUFSZ], b[PMS_STAMP_BUFSZ], prov[PMS_CFG_CODE];

	*id = 0;
	msg[0] = '\0';
	if (!n->may_overlap) {
		if ((st = busy_one(s, SCHED_Q_BUSY_PROVIDER, q_busy_provider,
		    n->provider_id, NULL, n,
		    id, a, b, prov)) != PMS_OK)
			return st;
		if (*id != 0) {
			snprintf(msg, size, "slot taken: %s has appointment "
			    "%lld from %s to %s", n->provider, (long long)*id,
			    a, b);
			return PMS_OK;
		}
		if (n->room != NULL) {
			if ((st = busy_one(s, SCHED_Q_BUSY_ROOM, q_busy_room,
			    n->location_id,
			    n->room, n, id, a, b, prov)) != PMS_OK)
				return st;
			if (*id != 0) {
				snprintf(msg, size, "room taken: %s at %s has "
				    "appointment %lld from %s to %s", n->room,
				    n->location, (long long)*id, a, b);
				return PMS_OK;
			}
		}
	}
	if ((st = busy_one(s, SCHED_Q_BUSY_PATIENT, q_busy_patient,
	    n->patient_id, NULL, n, id, a, b, prov)) != PMS_OK)
		return st;
	if (*id != 0)
		snprintf(msg, size, "the patient has appointment %lld from %s "
		    "to %s (with %s)", (long long)*id, a, b, prov);
	return PMS_OK;
}

enum pms_status
sched_history_add(struct pms_store *s, int64_t id, const char *action,
    const char *field, const char *from, const char *to)
{
	sqlite3_stmt *st = NULL;
	char at[PMS_STAMP_BUFSZ];
	int rc;

	sched_utc((int64_t)time(NULL), at);
	rc = sched_prepare(s, SCHED_Q_HISTORY, "INSERT INTO "
	    "appointment_history (appointment_id, at, user, action, field, "
	    "from_value, to_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing the history");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pms_store_user(s), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, field, -1, SQLITE_STATIC);
	if (from != NULL && *from != '\0')
		sqlite3_bind_text(st, 6, from, -1, SQLITE_STATIC);
	if (to != NULL && *to != '\0')
		sqlite3_bind_text(st, 7, to, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sched_finish(s, SCHED_Q_HISTORY, st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing the history");
	return PMS_OK;
}

static void
bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL && *v != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

enum pms_status
sched_insert(struct pms_store *s, const struct sched_new *n,
    const char *action, int64_t *idp)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	char at[PMS_STAMP_BUFSZ];
	const char *status = n->status != NULL ? n->status : "booked";
	int rc;

	sched_utc((int64_t)time(NULL), at);
	rc = sched_prepare(s, SCHED_Q_INSERT, "INSERT INTO appointments "
	    "(patient_id, "
	    "provider_id, location_id, type_id, room, start_utc, end_utc, "
	    "local_start, local_end, local_date, zone, status, cancelled_by, "
	    "late_cancel, confirmed_at, reason, forced, series_id, source_id, "
	    "created_at, created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
	    "?20, ?21, ?20)", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing an appointment");
	sqlite3_bind_int64(st, 1, n->patient_id);
	sqlite3_bind_int64(st, 2, n->provider_id);
	sqlite3_bind_int64(st, 3, n->location_id);
	if (n->type_id > 0)
		sqlite3_bind_int64(st, 4, n->type_id);
	bind_opt_text(st, 5, n->room);
	sqlite3_bind_int64(st, 6, n->start);
	sqlite3_bind_int64(st, 7, n->end);
	sqlite3_bind_text(st, 8, n->local_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, n->local_end, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, n->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, n->zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, status, -1, SQLITE_STATIC);
	bind_opt_text(st, 13, n->cancelled_by);
	sqlite3_bind_int(st, 14, n->late_cancel);
	bind_opt_text(st, 15, n->confirmed_at);
	bind_opt_text(st, 16, n->reason);
	sqlite3_bind_int(st, 17, n->forced);
	if (n->series_id > 0)
		sqlite3_bind_int64(st, 18, n->series_id);
	bind_opt_text(st, 19, n->source_id);
	sqlite3_bind_text(st, 20, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 21, pms_store_user(s), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sched_finish(s, SCHED_Q_INSERT, st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing an appointment");
	*idp = sqlite3_last_insert_rowid(s->db);
	if ((ps = sched_history_add(s, *idp, action, "status", NULL,
	    status)) != PMS_OK ||
	    (ps = sched_history_add(s, *idp, action, "start", NULL,
	    n->local_start)) != PMS_OK)
		return ps;
	return PMS_OK;
}

/* ---- booking ---- */

enum pms_status
sched_check_length(int64_t len)
{
	if (len < PMS_APPT_LEN_MIN || len > PMS_APPT_LEN_MAX)
		return pms_seterr(PMS_EDATA, "length: an appointment lasts "
		    "from 5m to 12h");
	return PMS_OK;
}

enum pms_status
sched_book_resolve(struct sched_book *b, const struct pms_appt_req *r)
{
	char code[PMS_CFG_CODE];
	enum pms_status st;
	int yes;

	if (r->patient_id > 0 || r->mrn != NULL)
		if ((st = sched_patient(b->s, r->patient_id, r->mrn,
		    &b->patient_id)) != PMS_OK)
			return st;
	if (r->provider != NULL) {
		if (sched_code(r->provider, code) == -1)
			return pms_seterr(PMS_EREFUSED, "unknown provider");
		if ((st = pms_provider_find(b->s, code, &b->prov)) != PMS_OK)
			return st;
	}
	if (r->type != NULL) {
		if (sched_code(r->type, code) == -1)
			return pms_seterr(PMS_EREFUSED, "unknown appointment "
			    "type");
		if ((st = pms_appt_type_find(b->s, code, &b->type)) != PMS_OK)
			return st;
		b->has_type = 1;
	}
	if (r->length_secs > 0)
		b->length = r->length_secs;
	else if (b->has_type && r->type != NULL)
		b->length = b->type.length_secs;
	if (b->length == 0)
		return pms_seterr(PMS_EUSAGE, "give --type or --length");
	if ((st = sched_check_length(b->length)) != PMS_OK)
		return st;
	if (r->location != NULL) {
		if (sched_code(r->location, code) == -1)
			return pms_seterr(PMS_EREFUSED, "unknown location");
		if ((st = pms_location_find(b->s, code, &b->loc)) != PMS_OK)
			return st;
		b->has_loc = 1;
	}
	if (b->has_loc) {
		if ((st = sched_provider_at(b->s, b->prov.id, b->loc.id,
		    &yes)) != PMS_OK)
			return st;
		if (!yes)
			return pms_seterr(PMS_EREFUSED, "%s does not work at "
			    "%s (see the providers' locations in the "
			    "configuration)", b->prov.code, b->loc.code);
	}
	if (r->room != NULL && *r->room != '\0') {
		if (sched_code(r->room, b->room) == -1)
			return pms_seterr(PMS_EREFUSED, "unknown room");
		b->has_room = 1;
	}
	return PMS_OK;
}

enum pms_status
sched_book_location(struct sched_book *b, const struct pms_local *at)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK, cst, bad = PMS_OK;
	char zone[PMS_ZONE_MAX], msg[256], badmsg[256];
	int64_t t, only, id, found = 0;
	int rc, ok, converted = 0;

	rc = sqlite3_prepare_v2(b->s->db, "SELECT l.id, l.code, l.time_zone "
	    "FROM providers p, json_each(p.locations) j JOIN locations l ON "
	    "l.code = j.value WHERE p.id = ?1 AND l.active = 1 ORDER BY "
	    "j.key", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(b->s, rc, "reading locations");
	sqlite3_bind_int64(st, 1, b->prov.id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		col_text(st, 2, zone, sizeof(zone));
		if ((cst = sched_instant(b->fs, zone, at, &t)) != PMS_OK) {
			if (bad == PMS_OK) {
				bad = cst;
				snprintf(badmsg, sizeof(badmsg), "%s",
				    pms_errmsg());
			}
			continue;
		}
		converted = 1;
		if ((ps = sched_check_hours(b->s, b->fs, b->prov.id,
		    b->prov.code, id, "", zone, t, t + b->length, &ok, msg,
		    sizeof(msg))) != PMS_OK)
			goto out;
		if (ok) {
			found = id;
			break;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ps = pms_store_sqlerr(b->s, rc, "reading locations");
		goto out;
	}
	if (found == 0 && !converted && bad != PMS_OK) {
		/* the time does not exist (or is ambiguous) wherever */
		ps = pms_seterr(bad, "%s", badmsg);
		goto out;
	}
	if (found == 0) {
		if ((ps = sched_only_location(b->s, b->prov.id, &only)) !=
		    PMS_OK)
			goto out;
		if (only == 0) {
			ps = pms_seterr(PMS_EREFUSED, "outside office "
			    "hours: %s has none then at any location; name "
			    "one with --location", b->prov.code);
			goto out;
		}
		found = only;
	}
	ps = pms_location_get(b->s, found, &b->loc);
	b->has_loc = ps == PMS_OK;
out:
	sqlite3_finalize(st);
	return ps;
}

/* Local days of 1900-01-01 and 2201-01-01: the book's years. */
#define BOOK_FIRST_DAY	(-25567)
#define BOOK_END_DAY	84371

enum pms_status
sched_check_when(const struct pms_local *l)
{
	if (l->days < BOOK_FIRST_DAY || l->days >= BOOK_END_DAY)
		return pms_seterr(PMS_EDATA, "appointments are from 1900 to "
		    "2200");
	/* a zone's local mean time (New York's -04:56:02 before 1883) has
	 * no RFC 3339 offset */
	if (l->has_offset && l->offset % 60 != 0)
		return pms_seterr(PMS_EDATA, "the zone's offset then is not "
		    "whole minutes");
	return PMS_OK;
}

enum pms_status
sched_book_check(struct sched_book *b, const struct pms_local *at, int64_t self,
    struct sched_new *n, char *msg, size_t size, char *why, size_t wsize)
{
	struct pms_local l;
	enum pms_status st;
	int64_t id;
	int ok;

	msg[0] = '\0';
	why[0] = '\0';
	memset(n, 0, sizeof(*n));
	n->self = self;
	n->patient_id = b->patient_id;
	n->provider_id = b->prov.id;
	snprintf(n->provider, sizeof(n->provider), "%s", b->prov.code);
	n->location_id = b->loc.id;
	snprintf(n->location, sizeof(n->location), "%s", b->loc.code);
	snprintf(n->zone, sizeof(n->zone), "%s", b->loc.time_zone);
	n->type_id = b->has_type ? b->type.id : 0;
	n->may_overlap = b->has_type && b->type.may_overlap;
	n->room = b->has_room ? b->room : NULL;
	if ((st = sched_instant(b->fs, n->zone, at, &n->start)) != PMS_OK) {
		snprintf(msg, size, "%s", pms_errmsg());
		return st;
	}
	n->end = n->start + b->length;
	if ((st = sched_local(b->fs, n->zone, n->start, &l)) != PMS_OK ||
	    (st = sched_check_when(&l)) != PMS_OK)
		goto err;
	pms_local_fmt(&l, n->local_start);
	pms_date_fmt(l.days, n->date);
	if ((st = sched_stamp(b->fs, n->zone, n->end, n->local_end)) !=
	    PMS_OK)
		goto err;
	if (n->start < b->now && (b->o == NULL || !b->o->allow_past)) {
		snprintf(msg, size, "in the past: %s is before now "
		    "(--allow-past enters it afterwards)", n->local_start);
		return PMS_EREFUSED;
	}
	/* the rules --force may override, in order */
	if ((st = sched_check_busy(b->s, n, &id, msg, size)) != PMS_OK)
		goto err;
	if (id == 0 && !b->same_time) {
		if ((st = sched_check_hours(b->s, b->fs, n->provider_id,
		    n->provider, n->location_id, n->location, n->zone,
		    n->start, n->end, &ok, msg, size)) != PMS_OK)
			goto err;
		if (ok) {
			msg[0] = '\0';
			if ((st = sched_check_off(b->s, b->fs, n->provider_id,
			    n->provider, n->location_id, n->zone, n->start,
			    n->end, &id, msg, size)) != PMS_OK)
				goto err;
		}
	}
	if (msg[0] == '\0')
		return PMS_OK;
	if (b->o != NULL && b->o->force) {
		n->forced = 1;
		snprintf(why, wsize, "%s", msg);
		msg[0] = '\0';
		return PMS_OK;
	}
	return PMS_EREFUSED;
err:
	snprintf(msg, size, "%s", pms_errmsg());
	return st;
}

void
pms_appt_booking_release(struct pms_appt_booking *b)
{
	if (b == NULL)
		return;
	free(b->occ);
	free(b->appt);
	b->occ = NULL;
	b->appt = NULL;
	b->n = b->booked = 0;
}

/* The audit fields of a booking. */
static const char *
book_fields(const struct pms_appt_req *r, int forced)
{
	(void)r;
	return forced ? "patient_id,provider,location,type,room,start,end,"
	    "reason,forced" : "patient_id,provider,location,type,room,start,"
	    "end,reason";
}

enum pms_status
pms_appt_book(struct pms_store *s, const struct pms_appt_req *r,
    const struct pms_appt_opts *o, struct pms_appt_booking *bk)
{
	struct sched_book b;
	struct sched_new n;
	struct pms_local at;
	enum pms_status st, first = PMS_OK;
	char why[320];
	size_t i, count, failed = 0, forced = 0;
	int64_t id, series = 0;
	sqlite3_stmt *upd = NULL;
	int rc;

	memset(bk, 0, sizeof(*bk));
	memset(&b, 0, sizeof(b));
	if (r->provider == NULL)
		return pms_seterr(PMS_EUSAGE, "--provider is needed");
	if (r->length_secs != 0 && (st = sched_check_length(r->length_secs)) !=
	    PMS_OK)
		return st;
	if (r->reason != NULL && strlen(r->reason) >= PMS_APPT_TEXT)
		return pms_seterr(PMS_EDATA, "reason: longer than %d bytes",
		    PMS_APPT_TEXT - 1);
	count = 1;
	if (r->every_days != 0) {
		if (r->every_days < 1 || r->every_days > 366)
			return pms_seterr(PMS_EUSAGE, "--every: from 1d to "
			    "52w");
		if (r->has_until) {
			if (r->until < r->at.days)
				return pms_seterr(PMS_EUSAGE, "--until: before "
				    "the first date");
			count = (size_t)((r->until - r->at.days) /
			    r->every_days) + 1;
		} else
			count = r->count > 0 ? (size_t)r->count : 0;
		if (count < 1 || count > PMS_APPT_SERIES_MAX)
			return pms_seterr(PMS_EUSAGE, "a series has 1 to %d "
			    "occurrences (--count or --until)",
			    PMS_APPT_SERIES_MAX);
	}
	if ((bk->occ = calloc(count, sizeof(*bk->occ))) == NULL ||
	    (bk->appt = calloc(count, sizeof(*bk->appt))) == NULL) {
		pms_appt_booking_release(bk);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	bk->n = count;
	if ((b.fs = calloc(1, sizeof(*b.fs))) == NULL) {
		pms_appt_booking_release(bk);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	b.s = s;
	b.o = o;
	b.now = sched_now(o);
	if ((st = begin(s, o)) != PMS_OK)
		goto out;
	if ((st = sched_book_resolve(&b, r)) != PMS_OK)
		goto fail;
	if (b.patient_id == 0) {
		st = pms_seterr(PMS_EUSAGE, "give --patient or --mrn");
		goto fail;
	}
	if (!b.has_loc && (st = sched_book_location(&b, &r->at)) != PMS_OK)
		goto fail;
	if (b.has_room) {
		int yes;

		if ((st = sched_room_at(s, b.loc.id, b.room, &yes)) != PMS_OK)
			goto fail;
		if (!yes) {
			st = pms_seterr(PMS_EREFUSED, "%s has no room \"%s\"",
			    b.loc.code, b.room);
			goto fail;
		}
	}
	for (i = 0; i < count; i++) {
		struct pms_appt_occ *oc = &bk->occ[i];

		at = r->at;
		at.days = r->at.days + (int32_t)i * r->every_days;
		if (i > 0)
			at.has_offset = 0;	/* the wall clock of each */
		pms_local_fmt(&at, oc->at);
		oc->st = sched_book_check(&b, &at, 0, &n, oc->msg,
		    sizeof(oc->msg), why, sizeof(why));
		if (oc->st != PMS_OK) {
			if (failed++ == 0)
				first = oc->st;
			continue;
		}
		n.reason = r->reason;
		n.source_id = r->source_id;
		n.series_id = series;
		if ((st = sched_insert(s, &n, "book", &id)) != PMS_OK)
			goto fail;
		if (n.forced) {
			forced++;
			oc->forced = 1;
			snprintf(oc->msg, sizeof(oc->msg), "%s", why);
			if ((st = sched_history_add(s, id, "book", "forced",
			    NULL, why)) != PMS_OK)
				goto fail;
		}
		if (count > 1 && series == 0)
			series = id;
		oc->id = id;
		bk->booked++;
	}
	if (failed > 0 && (count == 1 || !o || !o->skip_conflicts)) {
		if (count == 1)
			st = pms_seterr(first, "%s", bk->occ[0].msg);
		else {
			for (i = 0; i < count && bk->occ[i].st == PMS_OK; i++)
				;
			st = pms_seterr(PMS_EREFUSED, "%zu of %zu dates of the "
			    "series do not fit (the first: %s: %s); nothing "
			    "was booked (--skip-conflicts books the others)",
			    failed, count, bk->occ[i].at, bk->occ[i].msg);
		}
		bk->booked = 0;
		for (i = 0; i < count; i++)
			bk->occ[i].id = 0;
		goto fail;
	}
	if (bk->booked == 0) {
		st = pms_seterr(PMS_EREFUSED, "no date of the series fits");
		goto fail;
	}
	if (series != 0) {
		rc = sqlite3_prepare_v2(s->db, "UPDATE appointments SET "
		    "series_id = ?1 WHERE id = ?1", -1, &upd, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(upd, 1, series);
			rc = sqlite3_step(upd);
		}
		sqlite3_finalize(upd);
		if (rc != SQLITE_DONE) {
			st = pms_store_sqlerr(s, rc, "writing a series");
			goto fail;
		}
	}
	/* the records as written, before a dry run rolls them back */
	for (i = 0; i < count; i++) {
		if (bk->occ[i].id == 0)
			continue;
		if ((st = pms_appt_get(s, bk->occ[i].id, &bk->appt[i])) !=
		    PMS_OK)
			goto fail;
		if (o != NULL && (o->dry_run || pms_store_dry_run(s))) {
			bk->appt[i].id = 0;
			bk->appt[i].series_id = 0;
		}
	}
	if ((st = pms_audit_append(s, o != NULL && o->action != NULL ?
	    o->action : "schedule.book", book_fields(r, forced > 0),
	    &b.patient_id, 1)) != PMS_OK)
		goto fail;
	st = commit(s, o);
	if (st != PMS_OK)
		bk->booked = 0;
	goto out;
fail:
	rollback(s, o);
out:
	free(b.fs);
	return st;
}

/* ---- changes ---- */

static enum pms_status
exec_update(struct pms_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, what);
	return PMS_OK;
}

enum pms_status
pms_appt_move(struct pms_store *s, int64_t id, const struct pms_appt_req *r,
    const struct pms_appt_opts *o, struct pms_appt *out)
{
	struct pms_appt a;
	struct pms_appt_req req;
	struct sched_book b;
	struct sched_new n;
	struct pms_local at;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	struct pms_appt_opts oo;
	char msg[320], why[320], now[PMS_STAMP_BUFSZ], fields[128];
	size_t len = 0;
	int rc, room_only;

	memset(&b, 0, sizeof(b));
	memset(&oo, 0, sizeof(oo));
	if (r->length_secs != 0 && (ps = sched_check_length(r->length_secs)) !=
	    PMS_OK)
		return ps;
	if ((b.fs = calloc(1, sizeof(*b.fs))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	b.s = s;
	b.o = o;
	b.now = sched_now(o);
	if ((ps = begin(s, o)) != PMS_OK)
		goto out;
	if ((ps = pms_appt_get(s, id, &a)) != PMS_OK)
		goto fail;
	/* a patient checked in may change rooms, and nothing else */
	room_only = r->room != NULL && !r->has_at && r->provider == NULL &&
	    r->location == NULL && r->length_secs == 0;
	if (strcmp(a.status, "booked") != 0 && !(room_only &&
	    strcmp(a.status, "checked-in") == 0)) {
		ps = pms_seterr(PMS_EREFUSED, "appointment %lld is %s: only a "
		    "booked appointment moves (a checked-in one changes "
		    "rooms: --room alone)", (long long)id, a.status);
		goto fail;
	}
	b.same_time = room_only;
	if (strcmp(a.status, "checked-in") == 0) {
		/* it has begun, or is about to: its time is not checked */
		if (o != NULL)
			oo = *o;
		oo.allow_past = 1;
		b.o = &oo;
	}
	/* what the request leaves out stays as it is */
	req = *r;
	req.patient_id = a.patient_id;
	req.mrn = NULL;
	if (req.provider == NULL)
		req.provider = a.provider;
	if (req.location == NULL && strcmp(req.provider, a.provider) == 0)
		req.location = a.location;
	req.type = a.type[0] != '\0' ? a.type : NULL;
	if (req.length_secs == 0)
		req.length_secs = a.end_utc - a.start_utc;
	if ((ps = sched_book_resolve(&b, &req)) != PMS_OK)
		goto fail;
	if (req.has_at)
		at = req.at;
	else if ((ps = sched_local(b.fs, a.zone, a.start_utc, &at)) !=
	    PMS_OK)
		goto fail;
	if (!b.has_loc) {
		/* the wall clock it had, wherever it goes */
		struct pms_local wall = at;

		if (!req.has_at)
			wall.has_offset = 0;
		if ((ps = sched_book_location(&b, &wall)) != PMS_OK)
			goto fail;
	}
	/* at another office the same wall clock, at that office's zone;
	 * the offset it had is its old zone's */
	if (!req.has_at && strcmp(b.loc.time_zone, a.zone) != 0)
		at.has_offset = 0;
	/* the room stays while the office does, unless a room is named */
	if (r->room == NULL && a.room[0] != '\0' && b.loc.id == a.location_id) {
		snprintf(b.room, sizeof(b.room), "%s", a.room);
		b.has_room = 1;
	}
	if (b.has_room) {
		int yes;

		if ((ps = sched_room_at(s, b.loc.id, b.room, &yes)) != PMS_OK)
			goto fail;
		if (!yes) {
			ps = pms_seterr(PMS_EREFUSED, "%s has no room \"%s\"",
			    b.loc.code, b.room);
			goto fail;
		}
	}
	if ((ps = sched_book_check(&b, &at, id, &n, msg, sizeof(msg), why,
	    sizeof(why))) != PMS_OK) {
		ps = pms_seterr(ps, "%s", msg);
		goto fail;
	}
	sched_utc((int64_t)time(NULL), now);
	rc = sqlite3_prepare_v2(s->db, "UPDATE appointments SET provider_id "
	    "= ?2, location_id = ?3, room = ?4, start_utc = ?5, end_utc = ?6, "
	    "local_start = ?7, local_end = ?8, local_date = ?9, zone = ?10, "
	    "forced = max(forced, ?11), sequence = sequence + 1, updated_at = "
	    "?12 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "moving an appointment");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, n.provider_id);
	sqlite3_bind_int64(st, 3, n.location_id);
	bind_opt_text(st, 4, n.room);
	sqlite3_bind_int64(st, 5, n.start);
	sqlite3_bind_int64(st, 6, n.end);
	sqlite3_bind_text(st, 7, n.local_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, n.local_end, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, n.date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, n.zone, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, n.forced);
	sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
	if ((ps = exec_update(s, st, "moving an appointment")) != PMS_OK)
		goto fail;
	fields[0] = '\0';
#define CHANGED(name, old, new) do { \
	if (strcmp((old), (new)) != 0) { \
		if ((ps = sched_history_add(s, id, "move", (name), (old), \
		    (new))) != PMS_OK) \
			goto fail; \
		len += (size_t)snprintf(fields + len, sizeof(fields) - len, \
		    "%s%s", len > 0 ? "," : "", (name)); \
	} } while (0)
	CHANGED("start", a.start, n.local_start);
	CHANGED("end", a.end, n.local_end);
	CHANGED("provider", a.provider, n.provider);
	CHANGED("location", a.location, n.location);
	CHANGED("room", a.room, n.room != NULL ? n.room : "");
#undef CHANGED
	if (n.forced) {
		if ((ps = sched_history_add(s, id, "move", "forced", NULL,
		    why)) != PMS_OK)
			goto fail;
		len += (size_t)snprintf(fields + len, sizeof(fields) - len,
		    "%sforced", len > 0 ? "," : "");
	}
	if ((ps = pms_audit_append(s, o != NULL && o->action != NULL ?
	    o->action : "schedule.move", fields, &a.patient_id, 1)) != PMS_OK)
		goto fail;
	if (out != NULL && (ps = pms_appt_get(s, id, out)) != PMS_OK)
		goto fail;
	ps = commit(s, o);
	goto out;
fail:
	rollback(s, o);
out:
	free(b.fs);
	return ps;
}

static const char *
op_verb(enum pms_appt_op op)
{
	switch (op) {
	case PMS_APPT_CHECKIN:
		return "checkin";
	case PMS_APPT_COMPLETE:
		return "complete";
	case PMS_APPT_NOSHOW:
		return "noshow";
	case PMS_APPT_CONFIRM:
		return "confirm";
	case PMS_APPT_CANCEL:
		return "cancel";
	}
	return "?";
}

enum pms_status
pms_appt_mark(struct pms_store *s, int64_t id, enum pms_appt_op op,
    const char *by, const char *reason, const struct pms_appt_opts *o,
    struct pms_appt *out)
{
	struct pms_appt a;
	struct sched_cfg cfg;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	const char *to = NULL, *verb = op_verb(op), *fields = "status";
	char now[PMS_STAMP_BUFSZ], action[48], today_s[PMS_DATE_BUFSZ];
	int64_t t = sched_now(o);
	int32_t today;
	int late = 0, rc, changed = 1;

	if (op == PMS_APPT_CANCEL) {
		if (by == NULL)
			by = "practice";
		if (strcmp(by, "practice") != 0 && strcmp(by, "patient") != 0)
			return pms_seterr(PMS_EUSAGE, "--by: practice or "
			    "patient");
		if (reason != NULL && strlen(reason) >= PMS_APPT_TEXT)
			return pms_seterr(PMS_EDATA, "reason: longer than %d "
			    "bytes", PMS_APPT_TEXT - 1);
	}
	if ((ps = begin(s, o)) != PMS_OK)
		return ps;
	if ((ps = pms_appt_get(s, id, &a)) != PMS_OK)
		goto fail;
	sched_utc(t, now);
	switch (op) {
	case PMS_APPT_CHECKIN:
		if (strcmp(a.status, "booked") != 0)
			goto bad_status;
		if ((ps = sched_zone_check(a.zone)) != PMS_OK ||
		    (ps = pms_today(a.zone, &today)) != PMS_OK)
			goto fail;
		pms_date_fmt(today, today_s);
		if (strcmp(a.date, today_s) > 0) {
			ps = pms_seterr(PMS_EREFUSED, "appointment %lld is on "
			    "%s, not today", (long long)id, a.date);
			goto fail;
		}
		if (strcmp(a.date, today_s) < 0 &&
		    (o == NULL || !o->allow_past)) {
			ps = pms_seterr(PMS_EREFUSED, "appointment %lld was on "
			    "%s (--allow-past checks it in afterwards)",
			    (long long)id, a.date);
			goto fail;
		}
		to = "checked-in";
		fields = "status,checked_in_at";
		break;
	case PMS_APPT_COMPLETE:
	case PMS_APPT_NOSHOW:
		if (strcmp(a.status, "booked") != 0 &&
		    (op == PMS_APPT_NOSHOW ||
		    strcmp(a.status, "checked-in") != 0))
			goto bad_status;
		if (a.start_utc > t) {
			ps = pms_seterr(PMS_EREFUSED, "appointment %lld has "
			    "not begun (%s)", (long long)id, a.start);
			goto fail;
		}
		to = op == PMS_APPT_COMPLETE ? "completed" : "no-show";
		if (op == PMS_APPT_COMPLETE)
			fields = "status,completed_at";
		break;
	case PMS_APPT_CONFIRM:
		if (strcmp(a.status, "booked") != 0 &&
		    strcmp(a.status, "checked-in") != 0)
			goto bad_status;
		changed = a.confirmed_at[0] == '\0';
		fields = "confirmed_at";
		break;
	case PMS_APPT_CANCEL:
		/* a patient checked in may leave unseen */
		if (strcmp(a.status, "booked") != 0 &&
		    strcmp(a.status, "checked-in") != 0)
			goto bad_status;
		/* one that has begun is cancelled afterwards, on purpose;
		 * a patient who leaves unseen after check-in is cancelled
		 * the same day */
		if (a.start_utc <= t && strcmp(a.status, "booked") == 0 &&
		    (o == NULL || !o->allow_past)) {
			ps = pms_seterr(PMS_EREFUSED, "appointment %lld began "
			    "at %s (--allow-past cancels it afterwards; or "
			    "mark it a no-show)", (long long)id, a.start);
			goto fail;
		}
		if ((ps = sched_cfg_read(s, &cfg)) != PMS_OK)
			goto fail;
		/* late: within the notice before the start, not after it */
		late = strcmp(by, "patient") == 0 && t < a.start_utc &&
		    t > a.start_utc - cfg.late_cancel_notice;
		to = "cancelled";
		fields = reason != NULL ? "status,cancelled_by,late_cancel,"
		    "cancel_reason" : "status,cancelled_by,late_cancel";
		break;
	}
	if (changed) {
		rc = sqlite3_prepare_v2(s->db, op == PMS_APPT_CONFIRM ?
		    "UPDATE appointments SET confirmed_at = ?2, updated_at = "
		    "?2 WHERE id = ?1" :
		    "UPDATE appointments SET status = ?3, updated_at = ?2, "
		    "sequence = sequence + 1, "
		    "checked_in_at = CASE WHEN ?3 = 'checked-in' THEN ?2 ELSE "
		    "checked_in_at END, "
		    "completed_at = CASE WHEN ?3 = 'completed' THEN ?2 ELSE "
		    "completed_at END, "
		    "cancelled_by = ?4, late_cancel = ?5, cancel_reason = ?6 "
		    "WHERE id = ?1", -1, &st, NULL);
		if (rc != SQLITE_OK) {
			ps = pms_store_sqlerr(s, rc, "changing an appointment");
			goto fail;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		if (op != PMS_APPT_CONFIRM) {
			sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
			if (op == PMS_APPT_CANCEL)
				sqlite3_bind_text(st, 4, by, -1,
				    SQLITE_STATIC);
			sqlite3_bind_int(st, 5, late);
			if (op == PMS_APPT_CANCEL)
				bind_opt_text(st, 6, reason);
		}
		if ((ps = exec_update(s, st, "changing an appointment")) !=
		    PMS_OK)
			goto fail;
		if (op == PMS_APPT_CONFIRM)
			ps = sched_history_add(s, id, verb, "confirmed_at",
			    NULL, now);
		else
			ps = sched_history_add(s, id, verb, "status", a.status,
			    to);
		if (ps == PMS_OK && op == PMS_APPT_CANCEL) {
			ps = sched_history_add(s, id, verb, "cancelled_by",
			    NULL, by);
			if (ps == PMS_OK && late)
				ps = sched_history_add(s, id, verb,
				    "late_cancel", "0", "1");
			if (ps == PMS_OK && reason != NULL)
				ps = sched_history_add(s, id, verb,
				    "cancel_reason", NULL, reason);
		}
		if (ps != PMS_OK)
			goto fail;
	}
	if (o != NULL && o->action != NULL)
		snprintf(action, sizeof(action), "%s", o->action);
	else
		snprintf(action, sizeof(action), "schedule.%s", verb);
	if ((ps = pms_audit_append(s, action, changed ? fields : "",
	    &a.patient_id, 1)) != PMS_OK)
		goto fail;
	if (out != NULL && (ps = pms_appt_get(s, id, out)) != PMS_OK)
		goto fail;
	return commit(s, o);
bad_status:
	ps = pms_seterr(PMS_EREFUSED, "appointment %lld is %s: it cannot be "
	    "%s", (long long)id, a.status, op == PMS_APPT_CHECKIN ?
	    "checked in" : op == PMS_APPT_COMPLETE ? "completed" :
	    op == PMS_APPT_NOSHOW ? "marked a no-show" :
	    op == PMS_APPT_CONFIRM ? "confirmed" : "cancelled");
fail:
	rollback(s, o);
	return ps;
}

/* ---- the record ---- */

const struct pms_col pms_appt_cols[] = {
	{ "appointment_id", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	{ "mrn", PMS_COL_TEXT }, { "provider", PMS_COL_TEXT },
	{ "location", PMS_COL_TEXT }, { "type", PMS_COL_TEXT },
	{ "room", PMS_COL_TEXT }, { "start", PMS_COL_TEXT },
	{ "end", PMS_COL_TEXT }, { "status", PMS_COL_TEXT },
	{ "confirmed_at", PMS_COL_TEXT }, { "reason", PMS_COL_TEXT },
	{ "date_of_service", PMS_COL_DATE }, { "zone", PMS_COL_TEXT },
	{ "length_min", PMS_COL_INT }, { "cancelled_by", PMS_COL_TEXT },
	{ "late_cancel", PMS_COL_INT }, { "checked_in_at", PMS_COL_TEXT },
	{ "completed_at", PMS_COL_TEXT }, { "codes", PMS_COL_TEXT },
	{ "series_id", PMS_COL_INT }, { "source_id", PMS_COL_TEXT },
	{ "forced", PMS_COL_INT }, { "sequence", PMS_COL_INT },
	{ "created_at", PMS_COL_TEXT }, { "updated_at", PMS_COL_TEXT },
	{ "patient_name", PMS_COL_TEXT },
};
const size_t pms_appt_ncols = PMS_NELEM(pms_appt_cols) - 1;

static void
text_cell(struct pms_cell *c, const char *s)
{
	c->null = s == NULL || *s == '\0';
	c->text = s;
	c->i = 0;
}

static void
int_cell(struct pms_cell *c, int64_t v, int null_if_zero)
{
	c->null = null_if_zero && v == 0;
	c->text = NULL;
	c->i = v;
}

void
pms_appt_cells(const struct pms_appt *a, struct pms_cell *c)
{
	int_cell(&c[0], a->id, 1);	/* a dry run's has none yet */
	int_cell(&c[1], a->patient_id, 0);
	text_cell(&c[2], a->mrn);
	text_cell(&c[3], a->provider);
	text_cell(&c[4], a->location);
	text_cell(&c[5], a->type);
	text_cell(&c[6], a->room);
	text_cell(&c[7], a->start);
	text_cell(&c[8], a->end);
	text_cell(&c[9], a->status);
	text_cell(&c[10], a->confirmed_at);
	text_cell(&c[11], a->reason);
	text_cell(&c[12], a->date);
	text_cell(&c[13], a->zone);
	int_cell(&c[14], (a->end_utc - a->start_utc) / 60, 0);
	text_cell(&c[15], a->cancelled_by);
	int_cell(&c[16], a->late_cancel, 0);
	text_cell(&c[17], a->checked_in_at);
	text_cell(&c[18], a->completed_at);
	text_cell(&c[19], a->codes);
	int_cell(&c[20], a->series_id, 1);
	text_cell(&c[21], a->source_id);
	int_cell(&c[22], a->forced, 0);
	int_cell(&c[23], a->sequence, 0);
	text_cell(&c[24], a->created_at);
	text_cell(&c[25], a->updated_at);
	text_cell(&c[26], a->patient_name);
}
