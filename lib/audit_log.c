/*
 * audit_log.c: what pms-audit asks of the access log.  The entries as
 * records for a compliance officer; the accounting of disclosures of
 * 45 CFR 164.528 and the record of exports (migration 0012); verifying
 * the chain against a checkpoint kept outside the store; and the
 * signed extract an auditor verifies without the store.  Each of these
 * reads is itself an action on patient data, so each writes its own
 * entry in the transaction of the read.
 *
 * Days (--from, --to, six years back) are the practice's, at its time
 * zone; the log's instants are UTC text ("2026-12-04T14:30:00.123Z"),
 * compared as text against bounds written the same way.  Patients are
 * followed through merges: a patient merged into another is that
 * patient, for the log, the disclosures and the exports alike.
 */
#include <sys/types.h>

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "audit.h"
#include "config.h"
#include "patient.h"
#include "pms_int.h"
#include "ptime.h"

_Static_assert(PMS_UUID_LEN == PMS_UUID_BUFSZ, "a uuid's size");

#define HASH_LEN	PMS_AUDIT_HASH_LEN
#define TEXT_MAX	500		/* bytes of a disclosure's text */
#define EXTRACT_MAGIC	"pms-audit-extract"
#define CHECKPOINT_MAGIC "pms-audit-checkpoint 1"
#define BOUND_SZ	32		/* "2026-12-04T05:00:00.000Z" */

/* The patient and every patient merged into them, however deep. */
#define MERGED_IDS \
	"WITH RECURSIVE ids(id) AS (SELECT ?1 UNION SELECT p.id FROM " \
	"patients p JOIN ids ON p.merged_into = ids.id) "

/* ---- small helpers ---- */

/* A growing array of patient ids, sorted and made unique at the end. */
struct idset {
	int64_t		*v;
	size_t		 n, cap;
};

static enum pms_status
idset_add(struct idset *s, int64_t id)
{
	int64_t *nv;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		if ((nv = realloc(s->v, s->cap * sizeof(*nv))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		s->v = nv;
	}
	s->v[s->n++] = id;
	return PMS_OK;
}

/* Name each patient id of a comma-separated list in the read's entry. */
static enum pms_status
read_patients(struct pms_read *r, const char *list)
{
	enum pms_status st;
	char *end;
	long long v;

	while (list != NULL && *list != '\0') {
		errno = 0;
		v = strtoll(list, &end, 10);
		if (end == list || errno != 0)
			break;
		if ((st = pms_read_patient(r, v)) != PMS_OK)
			return st;
		list = *end == ',' ? end + 1 : end;
	}
	return PMS_OK;
}

/* A read of the log by pms_read_run(): its entry is action, fields, and
 * with out_path the export of kind. */
static enum pms_status
log_read(struct pms_store *s, const char *action, const char *fields,
    const char *out_path, const char *kind, pms_read_walk_fn *walk,
    void *arg)
{
	struct pms_read_spec sp;

	memset(&sp, 0, sizeof(sp));
	sp.action = action;
	sp.fields = fields;
	sp.out_path = out_path;
	sp.export_kind = out_path != NULL ? kind : NULL;
	return pms_read_run(s, &sp, walk, arg);
}

/* The practice's zone, or "" before a configuration is loaded (UTC). */
static enum pms_status
practice_zone(struct pms_store *s, char zone[PMS_ZONE_MAX])
{
	struct pms_practice p;
	enum pms_status st;

	zone[0] = '\0';
	if ((st = pms_practice_get(s, &p)) == PMS_ECONFIG)
		return PMS_OK;
	if (st != PMS_OK)
		return st;
	snprintf(zone, PMS_ZONE_MAX, "%s", p.time_zone);
	return PMS_OK;
}

/* Today, the practice's day. */
static enum pms_status
today(const char *zone, int32_t *days)
{
	if (*zone != '\0')
		return pms_today(zone, days);
	return pms_today("UTC", days);
}

/*
 * The first instant of a day at zone, as the log writes instants, for
 * comparing as text.  A day that does not start at midnight there (a
 * spring-forward at 00:00) starts at the first hour that exists.
 */
static void
day_start(const char *zone, int32_t days, char buf[BOUND_SZ])
{
	struct pms_local l;
	int64_t t = (int64_t)days * 86400;
	char tmp[PMS_STAMP_BUFSZ];
	size_t n;
	int h;

	memset(&l, 0, sizeof(l));
	l.days = days;
	for (h = 0; *zone != '\0' && h < 3; h++) {
		l.secs = h * 3600;
		if (pms_local_to_instant(zone, &l, &t) == PMS_OK)
			break;
	}
	pms_instant_fmt(t, tmp);
	n = strlen(tmp);
	if (n > 0 && tmp[n - 1] == 'Z')
		tmp[n - 1] = '\0';
	/* the 19 of YYYY-MM-DDTHH:MM:SS, then milliseconds as the log has */
	snprintf(buf, BOUND_SZ, "%.19s.000Z", tmp);
}

/* A date option: PMS_EUSAGE naming it when it is not an ISO date. */
static enum pms_status
date_opt(const char *opt, const char *text, int32_t *days)
{
	if (pms_date_parse(text, PMS_DATE_ISO, days) != PMS_OK)
		return pms_seterr(PMS_EUSAGE, "%s: not a date (YYYY-MM-DD)",
		    opt);
	return PMS_OK;
}

/* The patient as they are now, following merges: PMS_EREFUSED if none. */
static enum pms_status
current_patient(struct pms_store *s, int64_t patient, int64_t *to)
{
	return pms_patient_id(s, patient, NULL, to, NULL);
}

/* ---- the log ---- */

struct log_walk {
	const struct pms_audit_query *q;
	pms_audit_row_fn *fn;
	void		*arg;
	size_t		*count;
	int64_t		 patient;	/* the one asked about, as now */
	char		 zone[PMS_ZONE_MAX];
	char		 lo[BOUND_SZ], hi[BOUND_SZ];
	int32_t		 from, to;
};

static enum pms_status
log_walk(struct pms_store *s, struct pms_read *r, void *arg)
{
	static const char sql[] = MERGED_IDS
	    "SELECT a.id, a.at, a.user, a.program, a.action, a.fields, "
	    "a.flag, (SELECT group_concat(patient_id, ',') FROM (SELECT "
	    "patient_id FROM audit_patient WHERE audit_id = a.id ORDER BY "
	    "patient_id)) FROM audit a WHERE (?1 IS NULL OR a.id IN (SELECT "
	    "audit_id FROM audit_patient WHERE patient_id IN ids)) AND "
	    "(?2 IS NULL OR a.user = ?2) AND (?3 IS NULL OR a.at >= ?3) AND "
	    "(?4 IS NULL OR a.at < ?4) AND (?5 IS NULL OR a.action = ?5) AND "
	    "(?6 IS NULL OR a.action GLOB ?6) AND (?7 = 0 OR a.flag <> '') "
	    "ORDER BY a.id";
	struct log_walk *w = arg;
	const struct pms_audit_query *q = w->q;
	struct pms_audit_row row;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc, show;

	if (!pms_read_showing(r)) {
		/* once: the zone and the patient as they are now */
		if ((ps = practice_zone(s, w->zone)) != PMS_OK)
			return ps;
		if (q->patient > 0 && (ps = current_patient(s, q->patient,
		    &w->patient)) != PMS_OK)
			return ps;
		if (q->from != NULL)
			day_start(w->zone, w->from, w->lo);
		if (q->to != NULL)
			day_start(w->zone, w->to + 1, w->hi);
	}
	if ((ps = pms_read_patient(r, w->patient)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if (w->patient > 0)
		sqlite3_bind_int64(st, 1, w->patient);
	if (q->user != NULL)
		sqlite3_bind_text(st, 2, q->user, -1, SQLITE_STATIC);
	if (q->from != NULL)
		sqlite3_bind_text(st, 3, w->lo, -1, SQLITE_STATIC);
	if (q->to != NULL)
		sqlite3_bind_text(st, 4, w->hi, -1, SQLITE_STATIC);
	if (q->action != NULL)
		sqlite3_bind_text(st, strchr(q->action, '*') != NULL ? 6 : 5,
		    q->action, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, q->flagged != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		row.patients = sqlite3_column_type(st, 7) == SQLITE_NULL ? "" :
		    (const char *)sqlite3_column_text(st, 7);
		if ((ps = pms_read_row(r, row.id, NULL, 0, &show)) != PMS_OK ||
		    (ps = read_patients(r, row.patients)) != PMS_OK)
			goto out;
		if (!show)
			continue;
		row.at = (const char *)sqlite3_column_text(st, 1);
		row.user = (const char *)sqlite3_column_text(st, 2);
		row.program = (const char *)sqlite3_column_text(st, 3);
		row.action = (const char *)sqlite3_column_text(st, 4);
		row.fields = (const char *)sqlite3_column_text(st, 5);
		row.flag = (const char *)sqlite3_column_text(st, 6);
		(*w->count)++;
		if (w->fn(w->arg, &row) != 0) {
			ps = pms_read_stopped();
			goto out;
		}
	}
	if (rc == SQLITE_DONE) {
		ps = PMS_OK;
		goto out;
	}
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading the access log");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_audit_log(struct pms_store *s, const struct pms_audit_query *q,
    pms_audit_row_fn *fn, void *arg, size_t *count)
{
	struct log_walk w;
	enum pms_status ps;

	*count = 0;
	memset(&w, 0, sizeof(w));
	w.q = q;
	w.fn = fn;
	w.arg = arg;
	w.count = count;
	if (q->from != NULL && (ps = date_opt("--from", q->from, &w.from)) !=
	    PMS_OK)
		return ps;
	if (q->to != NULL && (ps = date_opt("--to", q->to, &w.to)) != PMS_OK)
		return ps;
	if (q->from != NULL && q->to != NULL && w.from > w.to)
		return pms_seterr(PMS_EUSAGE, "--from is after --to");
	return log_read(s, "audit.log", "at,user,program,action,fields,"
	    "patient_ids,flag", q->out_path, "audit-log", log_walk, &w);
}

/* ---- disclosures ---- */

/* One line of UTF-8, 1 to TEXT_MAX bytes; what names it in messages. */
static enum pms_status
text_valid(const char *what, const char *text, int needed)
{
	size_t n;

	if (text == NULL) {
		if (needed)
			return pms_seterr(PMS_EUSAGE, "%s is needed", what);
		return PMS_OK;
	}
	n = strlen(text);
	if (n == 0 || n > TEXT_MAX)
		return pms_seterr(PMS_EDATA, "%s: 1 to %d bytes", what,
		    TEXT_MAX);
	if (u8_check((const uint8_t *)text, n) != NULL)
		return pms_seterr(PMS_EDATA, "%s: not UTF-8", what);
	for (; *text != '\0'; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			return pms_seterr(PMS_EDATA, "%s: one line, without "
			    "control characters", what);
	return PMS_OK;
}

/* The day six years before today: the accounting's first. */
static int32_t
six_years_before(int32_t today)
{
	int32_t d;
	int y, m, dd;

	pms_date_split(today, &y, &m, &dd);
	if (pms_date_make(y - 6, m, dd, &d) != PMS_OK &&
	    pms_date_make(y - 6, m, dd - 1, &d) != PMS_OK)	/* 29 Feb */
		d = today - 6 * 365 - 1;
	return d;
}

enum pms_status
pms_audit_disclose(struct pms_store *s, int64_t patient,
    const struct pms_disclosure *d, int dry_run, int64_t *idp)
{
	sqlite3_stmt *st = NULL;
	char zone[PMS_ZONE_MAX], on[PMS_DATE_BUFSZ], at[64];
	int32_t days, now;
	int64_t to;
	enum pms_status ps;
	int rc;

	*idp = 0;
	if ((ps = text_valid("--to", d->recipient, 1)) != PMS_OK ||
	    (ps = text_valid("--purpose", d->purpose, 1)) != PMS_OK ||
	    (ps = text_valid("--what", d->description, 1)) != PMS_OK ||
	    (ps = text_valid("--address", d->address, 0)) != PMS_OK)
		return ps;
	if (d->on != NULL && (ps = date_opt("--on", d->on, &days)) != PMS_OK)
		return ps;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = practice_zone(s, zone)) != PMS_OK ||
	    (ps = today(zone, &now)) != PMS_OK)
		goto fail;
	if (d->on == NULL)
		days = now;
	if (days > now) {
		ps = pms_seterr(PMS_EDATA, "--on: a disclosure cannot be "
		    "recorded before it is made");
		goto fail;
	}
	if (days < six_years_before(now)) {
		ps = pms_seterr(PMS_EDATA, "--on: more than six years ago, "
		    "past what an accounting covers");
		goto fail;
	}
	pms_date_fmt(days, on);
	if ((ps = current_patient(s, patient, &to)) != PMS_OK)
		goto fail;
	if (dry_run) {
		pms_store_rollback(s);
		return PMS_OK;
	}
	/* the entry first: the disclosure points at it */
	if ((ps = pms_audit_append(s, "audit.record-disclosure", d->address !=
	    NULL ? "disclosed_on,recipient,address,purpose,description" :
	    "disclosed_on,recipient,purpose,description", &to, 1)) != PMS_OK)
		goto fail;
	pms_audit_now(at, sizeof(at));
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO disclosures (patient_id, "
	    "disclosed_on, recipient, address, purpose, description, at, "
	    "user, slot_id, audit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, to);
	sqlite3_bind_text(st, 2, on, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->recipient, -1, SQLITE_STATIC);
	if (d->address != NULL)
		sqlite3_bind_text(st, 4, d->address, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, d->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, d->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, s->u->label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, s->u->slot_id);
	sqlite3_bind_int64(st, 10, s->audit_last);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	*idp = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "recording the disclosure");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

struct disc_walk {
	int64_t		 patient;	/* asked about */
	int64_t		 to;		/* as now */
	char		 since[PMS_DATE_BUFSZ];
	pms_disclosure_fn *fn;
	void		*arg;
	size_t		*count;
};

static enum pms_status
disc_walk(struct pms_store *s, struct pms_read *r, void *arg)
{
	static const char sql[] = MERGED_IDS
	    "SELECT id, patient_id, disclosed_on, recipient, address, "
	    "purpose, description, at, user FROM disclosures WHERE "
	    "patient_id IN ids AND disclosed_on >= ?2 ORDER BY disclosed_on, "
	    "id";
	struct disc_walk *w = arg;
	struct pms_disclosure d;
	sqlite3_stmt *st = NULL;
	char zone[PMS_ZONE_MAX];
	int32_t now;
	int64_t pid;
	enum pms_status ps;
	int rc, show;

	if (!pms_read_showing(r)) {
		if ((ps = practice_zone(s, zone)) != PMS_OK ||
		    (ps = today(zone, &now)) != PMS_OK ||
		    (ps = current_patient(s, w->patient, &w->to)) != PMS_OK)
			return ps;
		pms_date_fmt(six_years_before(now), w->since);
	}
	if ((ps = pms_read_patient(r, w->to)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, w->to);
	sqlite3_bind_text(st, 2, w->since, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pid = sqlite3_column_int64(st, 1);
		if ((ps = pms_read_row(r, sqlite3_column_int64(st, 0), &pid, 1,
		    &show)) != PMS_OK)
			goto out;
		if (!show)
			continue;
		d.id = sqlite3_column_int64(st, 0);
		d.patient_id = pid;
		d.on = (const char *)sqlite3_column_text(st, 2);
		d.recipient = (const char *)sqlite3_column_text(st, 3);
		d.address = (const char *)sqlite3_column_text(st, 4);
		d.purpose = (const char *)sqlite3_column_text(st, 5);
		d.description = (const char *)sqlite3_column_text(st, 6);
		d.recorded_at = (const char *)sqlite3_column_text(st, 7);
		d.recorded_by = (const char *)sqlite3_column_text(st, 8);
		(*w->count)++;
		if (w->fn(w->arg, &d) != 0) {
			ps = pms_read_stopped();
			goto out;
		}
	}
	if (rc == SQLITE_DONE) {
		ps = PMS_OK;
		goto out;
	}
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading the disclosures");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_audit_disclosures(struct pms_store *s, int64_t patient,
    const char *out_path, pms_disclosure_fn *fn, void *arg, size_t *count)
{
	struct disc_walk w;

	*count = 0;
	memset(&w, 0, sizeof(w));
	w.patient = patient;
	w.fn = fn;
	w.arg = arg;
	w.count = count;
	return log_read(s, "audit.disclosures", "disclosed_on,recipient,"
	    "address,purpose,description", out_path, "disclosures", disc_walk,
	    &w);
}

/* ---- exports ---- */

struct exp_walk {
	int64_t		 patient;	/* asked about, 0: all */
	int64_t		 to;		/* as now */
	pms_export_fn	*fn;
	void		*arg;
	size_t		*count;
};

static enum pms_status
exp_walk(struct pms_store *s, struct pms_read *r, void *arg)
{
	static const char sql[] = MERGED_IDS
	    "SELECT e.id, e.at, e.user, e.program, e.kind, e.path, "
	    "e.patients, e.audit_id FROM exports e WHERE ?1 IS NULL OR e.id "
	    "IN (SELECT export_id FROM export_patients WHERE patient_id IN "
	    "ids) ORDER BY e.id";
	struct exp_walk *w = arg;
	struct pms_export_row row;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc, show;

	if (!pms_read_showing(r) && w->patient > 0 &&
	    (ps = current_patient(s, w->patient, &w->to)) != PMS_OK)
		return ps;
	/* the rows name no patient; only the one asked about is read */
	if ((ps = pms_read_patient(r, w->to)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if (w->to > 0)
		sqlite3_bind_int64(st, 1, w->to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(st, 0);
		if ((ps = pms_read_row(r, row.id, NULL, 0, &show)) != PMS_OK)
			goto out;
		if (!show)
			continue;
		row.at = (const char *)sqlite3_column_text(st, 1);
		row.user = (const char *)sqlite3_column_text(st, 2);
		row.program = (const char *)sqlite3_column_text(st, 3);
		row.kind = (const char *)sqlite3_column_text(st, 4);
		row.path = (const char *)sqlite3_column_text(st, 5);
		row.patients = sqlite3_column_int64(st, 6);
		row.audit_id = sqlite3_column_int64(st, 7);
		(*w->count)++;
		if (w->fn(w->arg, &row) != 0) {
			ps = pms_read_stopped();
			goto out;
		}
	}
	if (rc == SQLITE_DONE) {
		ps = PMS_OK;
		goto out;
	}
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading the exports");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_audit_exports(struct pms_store *s, int64_t patient, const char *out_path,
    pms_export_fn *fn, void *arg, size_t *count)
{
	struct exp_walk w;

	*count = 0;
	memset(&w, 0, sizeof(w));
	w.patient = patient;
	w.fn = fn;
	w.arg = arg;
	w.count = count;
	return log_read(s, "audit.exports", "at,user,program,kind,path,"
	    "patients", out_path, "audit-exports", exp_walk, &w);
}

/* ---- checkpoints ---- */

/* The head of the chain, as a checkpoint (store uuid included). */
static enum pms_status
head(struct pms_store *s, struct pms_audit_checkpoint *cp)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	int rc;

	memset(cp, 0, sizeof(*cp));
	if ((ps = pms_practice_uuid(s, cp->store)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "SELECT a.id, a.at, a.hash, a.user, "
	    "a.slot_id, k.ed25519_pk, a.sig FROM audit a LEFT JOIN slot_keys "
	    "k ON k.slot_id = a.slot_id ORDER BY a.id DESC LIMIT 1", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the access log");
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return pms_seterr(PMS_ETAMPER, "the access log is "
			    "empty");
		return pms_store_sqlerr(s, rc, "reading the access log");
	}
	ps = PMS_OK;
	if (sqlite3_column_bytes(st, 2) != HASH_LEN ||
	    sqlite3_column_bytes(st, 5) != 32 ||
	    sqlite3_column_bytes(st, 6) != 64)
		ps = pms_seterr(PMS_ETAMPER, "the access log has been tampered "
		    "with: its last entry is not whole");
	else {
		cp->entry = sqlite3_column_int64(st, 0);
		snprintf(cp->at, sizeof(cp->at), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		memcpy(cp->hash, sqlite3_column_blob(st, 2), HASH_LEN);
		snprintf(cp->user, sizeof(cp->user), "%s",
		    (const char *)sqlite3_column_text(st, 3));
		cp->slot = sqlite3_column_int64(st, 4);
		memcpy(cp->key, sqlite3_column_blob(st, 5), 32);
		memcpy(cp->sig, sqlite3_column_blob(st, 6), 64);
	}
	sqlite3_finalize(st);
	return ps;
}

/* The lines of a checkpoint that its seal covers, into buf; the
 * length, or 0 if they do not fit. */
static size_t
checkpoint_body(const struct pms_audit_checkpoint *cp, char *buf, size_t size)
{
	char hash[2 * HASH_LEN + 1], key[65], sig[129];
	int w;

	sodium_bin2hex(hash, sizeof(hash), cp->hash, HASH_LEN);
	sodium_bin2hex(key, sizeof(key), cp->key, 32);
	sodium_bin2hex(sig, sizeof(sig), cp->sig, 64);
	w = snprintf(buf, size, "%s\nstore: %s\nentry: %lld\nat: %s\n"
	    "hash: %s\nuser: %s\nslot: %lld\nkey: %s\nsignature: %s\n",
	    CHECKPOINT_MAGIC, cp->store, (long long)cp->entry, cp->at, hash,
	    cp->user, (long long)cp->slot, key, sig);
	return w < 0 || (size_t)w >= size ? 0 : (size_t)w;
}

enum pms_status
pms_audit_checkpoint(struct pms_store *s, struct pms_audit_checkpoint *cp)
{
	unsigned char pk[32];
	char body[1024];
	size_t n;
	enum pms_status ps;

	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_audit_append(s, "audit.checkpoint", "", NULL, 0)) !=
	    PMS_OK || (ps = head(s, cp)) != PMS_OK)
		goto fail;
	/* the head is our own entry: seal the whole with the same key */
	crypto_sign_ed25519_sk_to_pk(pk, s->u->sign_sk);
	if (cp->entry != s->audit_last || memcmp(pk, cp->key, 32) != 0) {
		ps = pms_seterr(PMS_ETAMPER, "the access log has been tampered "
		    "with: the key of its last entry is not its user's");
		goto fail;
	}
	if ((n = checkpoint_body(cp, body, sizeof(body))) == 0) {
		ps = pms_seterr(PMS_EINTERNAL, "checkpoint too long");
		goto fail;
	}
	crypto_sign_detached(cp->seal, NULL, (const unsigned char *)body, n,
	    s->u->sign_sk);
	return pms_store_commit(s);
fail:
	pms_store_rollback(s);
	return ps;
}

enum pms_status
pms_audit_checkpoint_fmt(const struct pms_audit_checkpoint *cp, char **textp)
{
	char seal[129], *t;
	size_t n = 1024, len;

	*textp = NULL;
	if ((t = malloc(n)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	sodium_bin2hex(seal, sizeof(seal), cp->seal, 64);
	if ((len = checkpoint_body(cp, t, n)) == 0 ||
	    (size_t)snprintf(t + len, n - len, "seal: %s\n", seal) >=
	    n - len) {
		free(t);
		return pms_seterr(PMS_EINTERNAL, "checkpoint too long");
	}
	*textp = t;
	return PMS_OK;
}

/* Hex of exactly n bytes into out: 0, or -1. */
static int
unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t len;

	if (strlen(hex) != 2 * n)
		return -1;
	return sodium_hex2bin(out, n, hex, 2 * n, NULL, &len, NULL) == 0 &&
	    len == n ? 0 : -1;
}

/* A decimal number > 0 into *v: 0, or -1. */
static int
number(const char *text, int64_t *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || n <= 0)
		return -1;
	*v = n;
	return 0;
}

enum pms_status
pms_audit_checkpoint_read(FILE *f, const char *name,
    struct pms_audit_checkpoint *cp)
{
	static const char *const keys[] = { "store", "entry", "at", "hash",
	    "user", "slot", "key", "signature", "seal" };
	char line[512], body[1024], *v, *nl;
	unsigned seen = 0;
	size_t i, n, lineno = 0;
	int bad;

	memset(cp, 0, sizeof(*cp));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL && !feof(f))
			return pms_seterr(PMS_EDATA, "%s: line %zu: too long",
			    name, lineno);
		if (nl != NULL)
			*nl = '\0';
		if (nl != NULL && nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if (lineno == 1) {
			if (strcmp(line, CHECKPOINT_MAGIC) != 0)
				return pms_seterr(PMS_EDATA, "%s: not a "
				    "checkpoint of pms-audit", name);
			continue;
		}
		if (*line == '\0')
			continue;
		if ((v = strstr(line, ": ")) == NULL)
			return pms_seterr(PMS_EDATA, "%s: line %zu: not "
			    "\"name: value\"", name, lineno);
		*v = '\0';
		v += 2;
		for (i = 0; i < PMS_NELEM(keys); i++)
			if (strcmp(line, keys[i]) == 0)
				break;
		if (i == PMS_NELEM(keys) || (seen & (1u << i)) != 0)
			return pms_seterr(PMS_EDATA, "%s: line %zu: %s \"%s\"",
			    name, lineno, i == PMS_NELEM(keys) ? "unknown" :
			    "twice:", line);
		seen |= 1u << i;
		switch (i) {
		case 0:
			bad = strlen(v) != PMS_UUID_LEN - 1;
			if (!bad)
				memcpy(cp->store, v, PMS_UUID_LEN);
			break;
		case 1:
			bad = number(v, &cp->entry);
			break;
		case 2:
			bad = strlen(v) >= sizeof(cp->at);
			if (!bad)
				snprintf(cp->at, sizeof(cp->at), "%s", v);
			break;
		case 3:
			bad = unhex(v, cp->hash, HASH_LEN);
			break;
		case 4:
			bad = !pms_name_valid(v) && strcmp(v, "recovery") != 0;
			if (!bad)
				snprintf(cp->user, sizeof(cp->user), "%s", v);
			break;
		case 5:
			bad = number(v, &cp->slot);
			break;
		case 6:
			bad = unhex(v, cp->key, 32);
			break;
		case 7:
			bad = unhex(v, cp->sig, 64);
			break;
		default:
			bad = unhex(v, cp->seal, 64);
			break;
		}
		if (bad)
			return pms_seterr(PMS_EDATA, "%s: line %zu: %s: not "
			    "valid", name, lineno, keys[i]);
	}
	if (ferror(f))
		return pms_seterr(PMS_EIO, "%s: %s", name, strerror(errno));
	if (lineno == 0)
		return pms_seterr(PMS_EDATA, "%s: not a checkpoint of "
		    "pms-audit", name);
	for (i = 0; i < PMS_NELEM(keys); i++)
		if ((seen & (1u << i)) == 0)
			return pms_seterr(PMS_EDATA, "%s: no %s", name,
			    keys[i]);
	if (crypto_sign_verify_detached(cp->sig, cp->hash, HASH_LEN,
	    cp->key) != 0 || (n = checkpoint_body(cp, body, sizeof(body))) ==
	    0 || crypto_sign_verify_detached(cp->seal,
	    (const unsigned char *)body, n, cp->key) != 0)
		return pms_seterr(PMS_EDATA, "%s: the checkpoint's signature "
		    "does not verify under its key: it was changed", name);
	return PMS_OK;
}

/*
 * The log against a checkpoint, once its chain has verified: it must
 * still hold the checkpoint's entry, with the same hash, written by the
 * same slot, whose key in the store is the checkpoint's.  The chain
 * then proves that nothing before it changed.
 */
static enum pms_status
against_checkpoint(struct pms_store *s, const struct pms_audit_checkpoint *cp,
    int64_t last)
{
	char store[PMS_UUID_LEN];
	sqlite3_stmt *st;
	enum pms_status ps;
	int rc, same;

	if ((ps = pms_practice_uuid(s, store)) != PMS_OK)
		return ps;
	if (strcmp(store, cp->store) != 0)
		return pms_seterr(PMS_EDATA, "the checkpoint is of another "
		    "store (%s)", cp->store);
	if (last < cp->entry)
		return pms_seterr(PMS_ETAMPER, "the access log has been cut "
		    "off: it ends at entry %lld, and the checkpoint of %s "
		    "names entry %lld", (long long)last, cp->at,
		    (long long)cp->entry);
	rc = sqlite3_prepare_v2(s->db, "SELECT a.hash, a.slot_id, "
	    "k.ed25519_pk FROM audit a LEFT JOIN slot_keys k ON k.slot_id = "
	    "a.slot_id WHERE a.id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the access log");
	sqlite3_bind_int64(st, 1, cp->entry);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return pms_store_sqlerr(s, rc, "reading the access log");
	}
	same = sqlite3_column_bytes(st, 0) == HASH_LEN &&
	    memcmp(sqlite3_column_blob(st, 0), cp->hash, HASH_LEN) == 0 &&
	    sqlite3_column_int64(st, 1) == cp->slot &&
	    sqlite3_column_bytes(st, 2) == 32 &&
	    memcmp(sqlite3_column_blob(st, 2), cp->key, 32) == 0;
	sqlite3_finalize(st);
	if (!same)
		return pms_seterr(PMS_ETAMPER, "the access log has been "
		    "rewritten: entry %lld is not the one the checkpoint of %s "
		    "names, so the log up to it is not what it was",
		    (long long)cp->entry, cp->at);
	return PMS_OK;
}

enum pms_status
pms_audit_check(struct pms_store *s, const struct pms_audit_checkpoint *cp,
    struct pms_audit_report *r)
{
	struct pms_audit_checkpoint h;
	enum pms_status ps, found;
	char msg[1024];

	memset(r, 0, sizeof(*r));
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	found = pms_audit_verify(s, &r->entries, &r->bad);
	if (found == PMS_OK && (found = head(s, &h)) == PMS_OK) {
		r->head = h.entry;
		memcpy(r->head_hash, h.hash, HASH_LEN);
		if (cp != NULL)
			found = against_checkpoint(s, cp, h.entry);
	}
	if (found != PMS_OK && found != PMS_ETAMPER && found != PMS_EDATA) {
		pms_store_rollback(s);
		return found;
	}
	/* on record whatever it found; the message is kept for the caller */
	snprintf(msg, sizeof(msg), "%s", pms_errmsg());
	if ((ps = pms_audit_append(s, "audit.verify", "", NULL, 0)) != PMS_OK ||
	    (ps = pms_store_commit(s)) != PMS_OK) {
		pms_store_rollback(s);
		if (found == PMS_OK)
			return ps;
	}
	if (found != PMS_OK)
		return pms_seterr(found, "%s", msg);
	return PMS_OK;
}

/* ---- extracts ---- */

/* A growing buffer of text. */
struct buf {
	char		*b;
	size_t		 n, cap;
};

static enum pms_status
buf_add(struct buf *b, const char *s, size_t n)
{
	char *nb;
	size_t cap;

	if (b->n + n + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 4096; cap < b->n + n + 1;)
			cap *= 2;
		if ((nb = realloc(b->b, cap)) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		b->b = nb;
		b->cap = cap;
	}
	memcpy(b->b + b->n, s, n);
	b->n += n;
	b->b[b->n] = '\0';
	return PMS_OK;
}

/* Append o as one compact line, and free it. */
static enum pms_status
buf_json(struct buf *b, json_t *o)
{
	enum pms_status st;
	char *t;

	if (o == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII);
	json_decref(o);
	if (t == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((st = buf_add(b, t, strlen(t))) == PMS_OK)
		st = buf_add(b, "\n", 1);
	free(t);
	return st;
}

static json_t *
hex_json(const unsigned char *bin, size_t n)
{
	char hex[2 * 64 + 1];

	if (n > 64)
		return NULL;
	sodium_bin2hex(hex, sizeof(hex), bin, n);
	return json_string(hex);
}

/* Set key of o to v (NULL from a failed allocation: remembered). */
static void
put(json_t *o, const char *key, json_t *v, int *oom)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		*oom = 1;
}

/* The signature line over the bytes before it, by the open slot. */
static enum pms_status
sign_extract(struct pms_store *s, struct buf *b)
{
	unsigned char h[HASH_LEN], sig[64];
	json_t *o;
	int oom = 0;

	crypto_generichash(h, HASH_LEN, (const unsigned char *)b->b, b->n,
	    (const unsigned char *)EXTRACT_MAGIC, strlen(EXTRACT_MAGIC));
	crypto_sign_detached(sig, NULL, h, HASH_LEN, s->u->sign_sk);
	if ((o = json_object()) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	put(o, "type", json_string("signature"), &oom);
	put(o, "slot_id", json_integer(s->u->slot_id), &oom);
	put(o, "user", json_string(s->u->label), &oom);
	put(o, "signature", hex_json(sig, 64), &oom);
	if (oom) {
		json_decref(o);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	return buf_json(b, o);
}

/* The key lines: every slot that wrote an entry from first to last, and
 * the one making the extract. */
static enum pms_status
extract_keys(struct pms_store *s, int64_t first, int64_t last, struct buf *b,
    size_t *n)
{
	sqlite3_stmt *st;
	json_t *o;
	enum pms_status ps = PMS_OK;
	int rc, oom = 0;

	rc = sqlite3_prepare_v2(s->db, "SELECT slot_id, label, kind, "
	    "ed25519_pk, added_at FROM slot_keys WHERE slot_id IN (SELECT "
	    "slot_id FROM audit WHERE id BETWEEN ?1 AND ?2) OR slot_id = ?3 "
	    "ORDER BY slot_id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the keys");
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	sqlite3_bind_int64(st, 3, s->u->slot_id);
	while (ps == PMS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((o = json_object()) == NULL) {
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			break;
		}
		put(o, "type", json_string("key"), &oom);
		put(o, "slot_id", json_integer(sqlite3_column_int64(st, 0)),
		    &oom);
		put(o, "label", json_string((const char *)
		    sqlite3_column_text(st, 1)), &oom);
		put(o, "kind", json_string((const char *)
		    sqlite3_column_text(st, 2)), &oom);
		put(o, "ed25519_pk", hex_json(sqlite3_column_blob(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3)), &oom);
		put(o, "added_at", json_string((const char *)
		    sqlite3_column_text(st, 4)), &oom);
		if (oom) {
			json_decref(o);
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			break;
		}
		ps = buf_json(b, o);
		(*n)++;
	}
	if (ps == PMS_OK && rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the keys");
	sqlite3_finalize(st);
	return ps;
}

/* The entry lines, first to last, with their patients. */
static enum pms_status
extract_entries(struct pms_store *s, int64_t first, int64_t last,
    struct buf *b, struct idset *ids, size_t *n)
{
	sqlite3_stmt *st = NULL, *pt = NULL;
	json_t *o, *pa;
	enum pms_status ps = PMS_OK;
	int rc, oom = 0;
	int64_t pid;

	rc = sqlite3_prepare_v2(s->db, "SELECT id, at, user, slot_id, program, "
	    "action, fields, flag, prev_hash, hash, sig FROM audit WHERE id "
	    "BETWEEN ?1 AND ?2 ORDER BY id", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT patient_id FROM "
		    "audit_patient WHERE audit_id = ? ORDER BY patient_id", -1,
		    &pt, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading the access log");
		goto out;
	}
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	while (ps == PMS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((o = json_object()) == NULL || (pa = json_array()) ==
		    NULL) {
			json_decref(o);
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			break;
		}
		sqlite3_reset(pt);
		sqlite3_bind_int64(pt, 1, sqlite3_column_int64(st, 0));
		while ((rc = sqlite3_step(pt)) == SQLITE_ROW) {
			pid = sqlite3_column_int64(pt, 0);
			if (json_array_append_new(pa, json_integer(pid)) != 0)
				oom = 1;
			if ((ps = idset_add(ids, pid)) != PMS_OK)
				break;
		}
		put(o, "type", json_string("entry"), &oom);
		put(o, "audit_id", json_integer(sqlite3_column_int64(st, 0)),
		    &oom);
		put(o, "at", json_string((const char *)
		    sqlite3_column_text(st, 1)), &oom);
		put(o, "user", json_string((const char *)
		    sqlite3_column_text(st, 2)), &oom);
		put(o, "slot_id", json_integer(sqlite3_column_int64(st, 3)),
		    &oom);
		put(o, "program", json_string((const char *)
		    sqlite3_column_text(st, 4)), &oom);
		put(o, "action", json_string((const char *)
		    sqlite3_column_text(st, 5)), &oom);
		put(o, "fields", json_string((const char *)
		    sqlite3_column_text(st, 6)), &oom);
		put(o, "flag", json_string((const char *)
		    sqlite3_column_text(st, 7)), &oom);
		put(o, "patient_ids", pa, &oom);
		put(o, "prev_hash", hex_json(sqlite3_column_blob(st, 8),
		    (size_t)sqlite3_column_bytes(st, 8)), &oom);
		put(o, "hash", hex_json(sqlite3_column_blob(st, 9),
		    (size_t)sqlite3_column_bytes(st, 9)), &oom);
		put(o, "sig", hex_json(sqlite3_column_blob(st, 10),
		    (size_t)sqlite3_column_bytes(st, 10)), &oom);
		if (ps != PMS_OK || oom) {
			json_decref(o);
			if (ps == PMS_OK)
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
			break;
		}
		ps = buf_json(b, o);
		(*n)++;
	}
	if (ps == PMS_OK && rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the access log");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(pt);
	return ps;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

enum pms_status
pms_audit_write_text(const char *path, FILE *out, const char *text,
    size_t len)
{
	if (path != NULL)
		return pms_file_replace(path, text, len, 0600);
	if (fwrite(text, 1, len, out) != len || fflush(out) == EOF)
		return pms_seterr(PMS_EIO, "write error on the output: %s",
		    strerror(errno));
	return PMS_OK;
}

enum pms_status
pms_audit_extract(struct pms_store *s, const char *from, const char *to,
    const char *out_path, FILE *out, struct pms_extract_info *info)
{
	struct buf b = { NULL, 0, 0 };
	struct idset ids = { NULL, 0, 0 };
	sqlite3_stmt *st = NULL;
	char zone[PMS_ZONE_MAX], lo[BOUND_SZ], hi[BOUND_SZ];
	unsigned char prev[HASH_LEN];
	int32_t dfrom, dto;
	size_t i, k;
	json_t *o;
	enum pms_status ps;
	int rc, oom = 0;

	memset(info, 0, sizeof(*info));
	if ((ps = date_opt("from", from, &dfrom)) != PMS_OK ||
	    (ps = date_opt("to", to, &dto)) != PMS_OK)
		return ps;
	if (dfrom > dto)
		return pms_seterr(PMS_EUSAGE, "from is after to");
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = practice_zone(s, zone)) != PMS_OK ||
	    (ps = pms_practice_uuid(s, info->store)) != PMS_OK)
		goto fail;
	day_start(zone, dfrom, lo);
	day_start(zone, dto + 1, hi);
	/* the entries of those days: a run of the chain, first to last */
	rc = sqlite3_prepare_v2(s->db, "SELECT min(id), max(id) FROM audit "
	    "WHERE at >= ?1 AND at < ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto sqlfail;
	info->first = sqlite3_column_int64(st, 0);
	info->last = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	memset(prev, 0, sizeof(prev));
	if (info->first > 1) {
		rc = sqlite3_prepare_v2(s->db, "SELECT hash FROM audit WHERE "
		    "id = ?", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, info->first - 1);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		    sqlite3_column_bytes(st, 0) == HASH_LEN)
			memcpy(prev, sqlite3_column_blob(st, 0), HASH_LEN);
		else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			goto sqlfail;
		sqlite3_finalize(st);
		st = NULL;
	}
	pms_audit_now(info->made_at, sizeof(info->made_at));
	snprintf(info->made_by, sizeof(info->made_by), "%s", s->u->label);
	if ((o = json_object()) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	put(o, "type", json_string("header"), &oom);
	put(o, "format", json_string(EXTRACT_MAGIC), &oom);
	put(o, "version", json_integer(1), &oom);
	put(o, "store", json_string(info->store), &oom);
	put(o, "from", json_string(from), &oom);
	put(o, "to", json_string(to), &oom);
	put(o, "first", json_integer(info->first), &oom);
	put(o, "last", json_integer(info->last), &oom);
	put(o, "prev_hash", hex_json(prev, HASH_LEN), &oom);
	put(o, "made_at", json_string(info->made_at), &oom);
	put(o, "made_by", json_string(info->made_by), &oom);
	put(o, "slot_id", json_integer(s->u->slot_id), &oom);
	if (oom) {
		json_decref(o);
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	if ((ps = buf_json(&b, o)) != PMS_OK ||
	    (ps = extract_keys(s, info->first, info->last, &b, &info->keys)) !=
	    PMS_OK ||
	    (ps = extract_entries(s, info->first, info->last, &b, &ids,
	    &info->entries)) != PMS_OK ||
	    (ps = sign_extract(s, &b)) != PMS_OK)
		goto fail;
	if (ids.n > 0)
		qsort(ids.v, ids.n, sizeof(*ids.v), cmp_id);
	for (i = k = 0; i < ids.n; i++)
		if (k == 0 || ids.v[k - 1] != ids.v[i])
			ids.v[k++] = ids.v[i];
	ids.n = k;
	info->patients = k;
	if ((ps = pms_audit_append(s, "audit.export", "at,user,program,action,"
	    "fields,patient_ids,flag", ids.v, ids.n)) != PMS_OK ||
	    (ps = pms_audit_export(s, "audit-extract", out_path, ids.v,
	    ids.n)) != PMS_OK)
		goto fail;
	/* delivered before the commit that says so */
	if ((ps = pms_audit_write_text(out_path, out, b.b, b.n)) != PMS_OK)
		goto fail;
	ps = pms_store_commit(s);
	free(b.b);
	free(ids.v);
	return ps;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading the access log");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	free(b.b);
	free(ids.v);
	return ps;
}

/* ---- verifying an extract, without the store ---- */

struct xkey {
	int64_t		 slot;
	char		 label[65];
	unsigned char	 pk[32];
};

/* Text of key in o, or NULL. */
static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Integer of key in o, or -1. */
static int64_t
jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Hex of key in o into out (n bytes): 0, or -1. */
static int
jhex(json_t *o, const char *key, unsigned char *out, size_t n)
{
	const char *v = jstr(o, key);

	return v != NULL ? unhex(v, out, n) : -1;
}

static const struct xkey *
find_key(const struct xkey *keys, size_t n, int64_t slot)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].slot == slot)
			return &keys[i];
	return NULL;
}

enum pms_status
pms_audit_extract_verify(FILE *f, const char *name,
    const struct pms_audit_checkpoint *cp, struct pms_extract_info *info)
{
	crypto_generichash_state hs;
	unsigned char prev[HASH_LEN], hash[HASH_LEN], want[HASH_LEN];
	unsigned char sig[64], total[HASH_LEN];
	struct xkey *keys = NULL, *nk;
	const struct xkey *k;
	size_t nkeys = 0, lineno = 0, i, np;
	int64_t expect = 0, *pids = NULL, *npids, id;
	json_t *o = NULL, *pa;
	json_error_t jerr;
	const char *type, *user, *at, *program, *action, *fields, *flag;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	enum pms_status ps = PMS_OK;
	int signed_ = 0, cp_seen = 0;

	memset(info, 0, sizeof(*info));
	crypto_generichash_init(&hs, (const unsigned char *)EXTRACT_MAGIC,
	    strlen(EXTRACT_MAGIC), HASH_LEN);
#define BAD(st, ...)	do { ps = pms_seterr((st), __VA_ARGS__); \
			    goto out; } while (0)
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (signed_)
			BAD(PMS_ETAMPER, "%s: line %zu: lines after the "
			    "signature", name, lineno);
		json_decref(o);
		if ((o = json_loadb(line, (size_t)len, 0, &jerr)) == NULL ||
		    !json_is_object(o) || (type = jstr(o, "type")) == NULL)
			BAD(lineno == 1 ? PMS_EDATA : PMS_ETAMPER, "%s: line "
			    "%zu: %s", name, lineno, lineno == 1 ? "not an "
			    "extract of pms-audit" : "not a line of an "
			    "extract");
		if (lineno == 1) {
			if (strcmp(type, "header") != 0 ||
			    jstr(o, "format") == NULL ||
			    strcmp(jstr(o, "format"), EXTRACT_MAGIC) != 0 ||
			    jint(o, "version") != 1)
				BAD(PMS_EDATA, "%s: not an extract of "
				    "pms-audit (version 1)", name);
			info->first = jint(o, "first");
			info->last = jint(o, "last");
			if (jstr(o, "store") == NULL || strlen(jstr(o,
			    "store")) != PMS_UUID_LEN - 1 ||
			    jstr(o, "made_at") == NULL ||
			    jstr(o, "made_by") == NULL ||
			    jhex(o, "prev_hash", prev, HASH_LEN) != 0 ||
			    info->first < 0 || info->last < info->first ||
			    (info->first == 0) != (info->last == 0))
				BAD(PMS_ETAMPER, "%s: line 1: the header is "
				    "not whole", name);
			snprintf(info->store, sizeof(info->store), "%s",
			    jstr(o, "store"));
			snprintf(info->made_at, sizeof(info->made_at), "%s",
			    jstr(o, "made_at"));
			snprintf(info->made_by, sizeof(info->made_by), "%s",
			    jstr(o, "made_by"));
			if (cp != NULL && strcmp(cp->store, info->store) != 0)
				BAD(PMS_EDATA, "%s: the checkpoint is of "
				    "another store (%s)", name, cp->store);
			expect = info->first;
		} else if (strcmp(type, "key") == 0) {
			if (expect != info->first)
				BAD(PMS_ETAMPER, "%s: line %zu: a key among "
				    "the entries", name, lineno);
			if ((nk = realloc(keys, (nkeys + 1) *
			    sizeof(*keys))) == NULL)
				BAD(PMS_ENOMEM, "out of memory");
			keys = nk;
			nk = &keys[nkeys];
			nk->slot = jint(o, "slot_id");
			if (nk->slot <= 0 || jstr(o, "label") == NULL ||
			    strlen(jstr(o, "label")) >= sizeof(nk->label) ||
			    jhex(o, "ed25519_pk", nk->pk, 32) != 0 ||
			    find_key(keys, nkeys, nk->slot) != NULL)
				BAD(PMS_ETAMPER, "%s: line %zu: not a whole "
				    "key", name, lineno);
			snprintf(nk->label, sizeof(nk->label), "%s",
			    jstr(o, "label"));
			if (cp != NULL && nk->slot == cp->slot &&
			    memcmp(nk->pk, cp->key, 32) != 0)
				BAD(PMS_ETAMPER, "%s: line %zu: the key of "
				    "slot %lld is not the checkpoint's", name,
				    lineno, (long long)nk->slot);
			nkeys++;
			info->keys = nkeys;
		} else if (strcmp(type, "entry") == 0) {
			id = jint(o, "audit_id");
			user = jstr(o, "user");
			at = jstr(o, "at");
			program = jstr(o, "program");
			action = jstr(o, "action");
			fields = jstr(o, "fields");
			flag = jstr(o, "flag");
			pa = json_object_get(o, "patient_ids");
			if (id != expect || expect > info->last)
				BAD(PMS_ETAMPER, "%s: line %zu: entry %lld is "
				    "missing: the extract goes on with %lld",
				    name, lineno, (long long)expect,
				    (long long)id);
			if (user == NULL || at == NULL || program == NULL ||
			    action == NULL || fields == NULL || flag == NULL ||
			    !json_is_array(pa) ||
			    jhex(o, "prev_hash", want, HASH_LEN) != 0 ||
			    jhex(o, "hash", hash, HASH_LEN) != 0 ||
			    jhex(o, "sig", sig, 64) != 0)
				BAD(PMS_ETAMPER, "%s: line %zu: entry %lld is "
				    "not whole", name, lineno, (long long)id);
			np = json_array_size(pa);
			if ((npids = realloc(pids, (np + 1) *
			    sizeof(*pids))) == NULL)
				BAD(PMS_ENOMEM, "out of memory");
			pids = npids;
			for (i = 0; i < np; i++) {
				if (!json_is_integer(json_array_get(pa, i)))
					BAD(PMS_ETAMPER, "%s: line %zu: entry "
					    "%lld is not whole", name, lineno,
					    (long long)id);
				pids[i] = json_integer_value(
				    json_array_get(pa, i));
			}
			if (memcmp(want, prev, HASH_LEN) != 0)
				BAD(PMS_ETAMPER, "%s: line %zu: entry %lld "
				    "does not follow the one before it", name,
				    lineno, (long long)id);
			pms_audit_entry_hash(prev, id, at, user,
			    jint(o, "slot_id"), program, action, fields, flag,
			    pids, np, want);
			if (memcmp(want, hash, HASH_LEN) != 0)
				BAD(PMS_ETAMPER, "%s: line %zu: entry %lld was "
				    "altered: it no longer matches its hash",
				    name, lineno, (long long)id);
			if ((k = find_key(keys, nkeys, jint(o, "slot_id"))) ==
			    NULL || strcmp(k->label, user) != 0 ||
			    crypto_sign_verify_detached(sig, hash, HASH_LEN,
			    k->pk) != 0)
				BAD(PMS_ETAMPER, "%s: line %zu: entry %lld is "
				    "not signed by the key of its user", name,
				    lineno, (long long)id);
			if (cp != NULL && id == cp->entry) {
				if (memcmp(hash, cp->hash, HASH_LEN) != 0)
					BAD(PMS_ETAMPER, "%s: line %zu: "
					    "entry %lld is not the one the "
					    "checkpoint of %s names", name,
					    lineno, (long long)id, cp->at);
				cp_seen = 1;
			}
			memcpy(prev, hash, HASH_LEN);
			expect++;
			info->entries++;
		} else if (strcmp(type, "signature") == 0) {
			crypto_generichash_final(&hs, total, HASH_LEN);
			if ((k = find_key(keys, nkeys, jint(o, "slot_id"))) ==
			    NULL || jstr(o, "user") == NULL ||
			    strcmp(k->label, jstr(o, "user")) != 0 ||
			    strcmp(k->label, info->made_by) != 0 ||
			    jhex(o, "signature", sig, 64) != 0 ||
			    crypto_sign_verify_detached(sig, total, HASH_LEN,
			    k->pk) != 0)
				BAD(PMS_ETAMPER, "%s: line %zu: the extract's "
				    "signature does not verify: it was changed "
				    "after it was made", name, lineno);
			signed_ = 1;
			continue;
		} else
			BAD(PMS_ETAMPER, "%s: line %zu: not a line of an "
			    "extract", name, lineno);
		crypto_generichash_update(&hs, (const unsigned char *)line,
		    (size_t)len);
	}
	if (ferror(f))
		BAD(PMS_EIO, "%s: %s", name, strerror(errno));
	if (lineno == 0)
		BAD(PMS_EDATA, "%s: not an extract of pms-audit", name);
	if (info->first != 0 && expect != info->last + 1)
		BAD(PMS_ETAMPER, "%s: entries %lld to %lld are missing: the "
		    "extract was cut off", name, (long long)expect,
		    (long long)info->last);
	if (!signed_)
		BAD(PMS_ETAMPER, "%s: no signature: the extract was cut off",
		    name);
	if (cp != NULL && !cp_seen && cp->entry >= info->first &&
	    cp->entry <= info->last)
		BAD(PMS_ETAMPER, "%s: the checkpoint's entry %lld is not in "
		    "the extract", name, (long long)cp->entry);
#undef BAD
out:
	json_decref(o);
	free(line);
	free(keys);
	free(pids);
	return ps;
}
