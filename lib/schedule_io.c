/*
 * schedule_io.c: appointments in and out in bulk.  The import of an old
 * system's book (and `book -`, bookings one a line), in one transaction,
 * all or nothing unless the bad rows go to a rejects file; and the
 * iCalendar export (RFC 5545) that calendar programs subscribe to.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "schedule_int.h"

/* ---- import ---- */

/* The import's columns, as the rejects file writes them. */
static const struct pms_col reject_cols[] = {
	{ "line", PMS_COL_INT }, { "source_id", PMS_COL_TEXT },
	{ "patient_id", PMS_COL_TEXT }, { "mrn", PMS_COL_TEXT },
	{ "provider", PMS_COL_TEXT }, { "location", PMS_COL_TEXT },
	{ "type", PMS_COL_TEXT }, { "room", PMS_COL_TEXT },
	{ "start", PMS_COL_TEXT }, { "end", PMS_COL_TEXT },
	{ "length", PMS_COL_TEXT }, { "status", PMS_COL_TEXT },
	{ "cancelled_by", PMS_COL_TEXT }, { "confirmed_at", PMS_COL_TEXT },
	{ "reason", PMS_COL_TEXT }, { "reject_reason", PMS_COL_TEXT },
};

/* Field names other systems use for ours (B01's export among them). */
static const struct alias {
	const char	*name;
	const char	*field;
} aliases[] = {
	{ "patient_mrn", "mrn" },
	{ "at", "start" },
	{ "duration", "length" },
};

/* The text of field (or of an alias of it) in rec; NULL if none. */
static const char *
field_text(const struct pms_record *rec, const char *field, const char **name)
{
	const char *t;
	size_t i;

	if (name != NULL)
		*name = field;
	if ((t = pms_record_text(rec, field)) != NULL)
		return t;
	for (i = 0; i < PMS_NELEM(aliases); i++)
		if (strcmp(aliases[i].field, field) == 0 &&
		    (t = pms_record_text(rec, aliases[i].name)) != NULL) {
			if (name != NULL)
				*name = aliases[i].name;
			return t;
		}
	return NULL;
}

/* The text of a field without surrounding blanks, in buf; NULL if none
 * or empty. */
static const char *
field_trim(const struct pms_record *rec, const char *field, char *buf,
    size_t size, const char **name)
{
	const char *t = field_text(rec, field, name), *e;
	size_t n;

	if (t == NULL)
		return NULL;
	while (*t == ' ' || *t == '\t')
		t++;
	e = t + strlen(t);
	while (e > t && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - t);
	if (n == 0)
		return NULL;
	if (n >= size)
		n = size - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return buf;
}

/* A status as old systems spell it: "No Show", "no_show", "canceled". */
static const char *
status_norm(const char *in, int *late)
{
	static const struct {
		const char *in, *out;
		int late;
	} forms[] = {
		{ "booked", "booked", 0 }, { "scheduled", "booked", 0 },
		{ "checked-in", "checked-in", 0 },
		{ "checkedin", "checked-in", 0 },
		{ "arrived", "checked-in", 0 },
		{ "completed", "completed", 0 }, { "complete", "completed", 0 },
		{ "seen", "completed", 0 },
		{ "no-show", "no-show", 0 }, { "noshow", "no-show", 0 },
		{ "cancelled", "cancelled", 0 }, { "canceled", "cancelled", 0 },
		{ "late-cancel", "cancelled", 1 },
		{ "late-cancelled", "cancelled", 1 },
		{ "late-canceled", "cancelled", 1 },
	};
	char buf[32];
	size_t i, n;

	for (n = 0; in[n] != '\0' && n + 1 < sizeof(buf); n++) {
		buf[n] = in[n];
		if (buf[n] >= 'A' && buf[n] <= 'Z')
			buf[n] = (char)(buf[n] - 'A' + 'a');
		if (buf[n] == ' ' || buf[n] == '_')
			buf[n] = '-';
	}
	buf[n] = '\0';
	for (i = 0; i < PMS_NELEM(forms); i++)
		if (strcmp(buf, forms[i].in) == 0) {
			*late = forms[i].late;
			return forms[i].out;
		}
	return NULL;
}

/* Small caches of what the rows name, by code. */
#define CACHE_N		64
struct imp_cache {
	size_t		 nprov, nloc, ntype;
	struct pms_provider prov[CACHE_N];
	struct pms_location loc[CACHE_N];
	struct pms_appt_type type[CACHE_N];
};

struct imp {
	struct pms_store *s;
	struct sched_frames *fs;
	const struct pms_appt_import_opts *o;
	struct pms_appt_opts bo;	/* for bookings */
	struct imp_cache c;
	int64_t		 now;
	int64_t		 first_id;	/* the first appointment written */
	unsigned long	*lines;		/* the input line of each written */
	size_t		 nlines, caplines;
	int64_t		*ids;		/* what was written, for fn */
	int64_t		*pids;		/* the patients, for the audit */
	size_t		 npids, cappids;
	size_t		 data_errors, conflicts;
	struct pms_writer *rej;
	pms_appt_report_fn *report;
	void		*rarg;
};

/* The message of the last failure as a report, and the rejects row. */
static enum pms_status
imp_bad(struct imp *m, const struct pms_record *rec, unsigned long line,
    enum pms_status st)
{
	struct pms_cell cells[PMS_NELEM(reject_cols)];
	char buf[PMS_NELEM(reject_cols)][PMS_APPT_TEXT];
	const char *msg = pms_errmsg();
	size_t i;

	if (st == PMS_EREFUSED)
		m->conflicts++;
	else
		m->data_errors++;
	if (m->report != NULL)
		m->report(m->rarg, msg);
	if (m->rej == NULL)
		return PMS_OK;
	memset(cells, 0, sizeof(cells));
	cells[0].i = (int64_t)line;
	for (i = 1; i + 1 < PMS_NELEM(reject_cols); i++) {
		cells[i].text = rec != NULL ? field_trim(rec,
		    reject_cols[i].name, buf[i], sizeof(buf[i]), NULL) : NULL;
		if (rec != NULL && cells[i].text == NULL &&
		    strcmp(reject_cols[i].name, "length") == 0)
			cells[i].text = field_trim(rec, "duration_min", buf[i],
			    sizeof(buf[i]), NULL);
		cells[i].null = cells[i].text == NULL;
	}
	cells[i].text = msg;
	return pms_writer_row(m->rej, cells);
}

static enum pms_status
cache_provider(struct imp *m, const char *code, struct pms_provider **pp)
{
	enum pms_status st;
	size_t i;

	for (i = 0; i < m->c.nprov; i++)
		if (strcmp(m->c.prov[i].code, code) == 0) {
			*pp = &m->c.prov[i];
			return PMS_OK;
		}
	i = m->c.nprov < CACHE_N ? m->c.nprov++ : CACHE_N - 1;
	if ((st = pms_provider_find(m->s, code, &m->c.prov[i])) != PMS_OK) {
		m->c.nprov = i;
		return st;
	}
	*pp = &m->c.prov[i];
	return PMS_OK;
}

static enum pms_status
cache_location(struct imp *m, const char *code, int64_t id,
    struct pms_location **lp)
{
	enum pms_status st;
	size_t i;

	for (i = 0; i < m->c.nloc; i++)
		if (code != NULL ? strcmp(m->c.loc[i].code, code) == 0 :
		    m->c.loc[i].id == id) {
			*lp = &m->c.loc[i];
			return PMS_OK;
		}
	i = m->c.nloc < CACHE_N ? m->c.nloc++ : CACHE_N - 1;
	st = code != NULL ? pms_location_find(m->s, code, &m->c.loc[i]) :
	    pms_location_get(m->s, id, &m->c.loc[i]);
	if (st != PMS_OK) {
		m->c.nloc = i;
		return st;
	}
	*lp = &m->c.loc[i];
	return PMS_OK;
}

static enum pms_status
cache_type(struct imp *m, const char *code, struct pms_appt_type **tp)
{
	enum pms_status st;
	size_t i;

	for (i = 0; i < m->c.ntype; i++)
		if (strcmp(m->c.type[i].code, code) == 0) {
			*tp = &m->c.type[i];
			return PMS_OK;
		}
	i = m->c.ntype < CACHE_N ? m->c.ntype++ : CACHE_N - 1;
	if ((st = pms_appt_type_find(m->s, code, &m->c.type[i])) != PMS_OK) {
		m->c.ntype = i;
		return st;
	}
	*tp = &m->c.type[i];
	return PMS_OK;
}

/* Remember what was written: its line, its patient. */
static enum pms_status
imp_written(struct imp *m, int64_t id, unsigned long line, int64_t patient)
{
	unsigned long *nl;
	int64_t *ni, *np;

	if (m->first_id == 0)
		m->first_id = id;
	if (m->nlines == m->caplines) {
		m->caplines = m->caplines ? m->caplines * 2 : 256;
		if ((nl = realloc(m->lines, m->caplines * sizeof(*nl))) ==
		    NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		m->lines = nl;
		if ((ni = realloc(m->ids, m->caplines * sizeof(*ni))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		m->ids = ni;
	}
	m->lines[m->nlines] = line;
	m->ids[m->nlines++] = id;
	if (m->npids == m->cappids) {
		m->cappids = m->cappids ? m->cappids * 2 : 256;
		if ((np = realloc(m->pids, m->cappids * sizeof(*np))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		m->pids = np;
	}
	m->pids[m->npids++] = patient;
	return PMS_OK;
}

/* " (line 3 of this input)" when appointment id came from this input. */
static void
imp_line_of(const struct imp *m, int64_t id, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	if (m->first_id == 0 || id < m->first_id)
		return;
	for (i = 0; i < m->nlines; i++)
		if (m->ids[i] == id) {
			snprintf(buf, size, " (line %lu of this input)",
			    m->lines[i]);
			return;
		}
}

/* The input line that wrote appointment id, or 0 if none did. */
static unsigned long
imp_line_id(const struct imp *m, int64_t id)
{
	size_t i;

	if (m->first_id == 0 || id < m->first_id)
		return 0;
	for (i = 0; i < m->nlines; i++)
		if (m->ids[i] == id)
			return m->lines[i];
	return 0;
}

/* A row's values, as read. */
struct imp_row {
	char		 source_id[PMS_APPT_SOURCE];
	char		 mrn[PMS_APPT_MRN];
	char		 provider[PMS_CFG_CODE];
	char		 location[PMS_CFG_CODE];
	char		 type[PMS_CFG_CODE];
	char		 room[PMS_CFG_CODE];
	char		 reason[PMS_APPT_TEXT];
	char		 confirmed[PMS_STAMP_BUFSZ];
	const char	*start_name;	/* "start", or the alias it came as */
	const char	*status;
	const char	*cancelled_by;
	int		 late;
	int64_t		 patient_id;
	struct pms_local start;
	int		 has_end;
	struct pms_local end;
	int64_t		 length;
};

/* A code field into buf: PMS_OK, PMS_ENOINPUT if absent, PMS_EDATA. */
static enum pms_status
code_field(const struct pms_record *rec, const char *field,
    char out[PMS_CFG_CODE])
{
	char buf[PMS_APPT_TEXT];
	const char *t, *name;

	if ((t = field_trim(rec, field, buf, sizeof(buf), &name)) == NULL)
		return PMS_ENOINPUT;
	if (sched_code(t, out) == -1)
		return pms_record_fail(rec, name, PMS_EDATA, "not a code "
		    "(letters, digits, - and _)");
	return PMS_OK;
}

/* Read the row's fields (not yet against the store). */
static enum pms_status
imp_read(struct imp *m, const struct pms_record *rec, struct imp_row *r)
{
	char buf[PMS_APPT_TEXT];
	const char *t, *name;
	enum pms_status st;
	int64_t v;
	int b;

	memset(r, 0, sizeof(*r));
	if ((t = field_trim(rec, "source_id", buf, sizeof(buf), NULL)) !=
	    NULL) {
		if (strlen(t) >= sizeof(r->source_id))
			return pms_record_fail(rec, "source_id", PMS_EDATA,
			    "longer than %zu bytes", sizeof(r->source_id) - 1);
		snprintf(r->source_id, sizeof(r->source_id), "%s", t);
	}
	st = pms_record_int(rec, "patient_id", &r->patient_id);
	if (st == PMS_EDATA)
		return st;
	if (st == PMS_OK && r->patient_id <= 0)
		return pms_record_fail(rec, "patient_id", PMS_EDATA, "not a "
		    "patient id");
	if ((t = field_trim(rec, "mrn", buf, sizeof(buf), &name)) != NULL) {
		if (strlen(t) >= sizeof(r->mrn))
			return pms_record_fail(rec, name, PMS_EDATA, "longer "
			    "than %zu bytes", sizeof(r->mrn) - 1);
		snprintf(r->mrn, sizeof(r->mrn), "%s", t);
	}
	if (r->patient_id == 0 && r->mrn[0] == '\0')
		return pms_record_fail(rec, NULL, PMS_EDATA, "no patient: "
		    "give patient_id or mrn");
	if ((st = code_field(rec, "provider", r->provider)) == PMS_ENOINPUT)
		return pms_record_fail(rec, "provider", PMS_EDATA, "missing");
	if (st != PMS_OK)
		return st;
	if ((st = code_field(rec, "location", r->location)) != PMS_OK &&
	    st != PMS_ENOINPUT)
		return st;
	if ((st = code_field(rec, "type", r->type)) != PMS_OK &&
	    st != PMS_ENOINPUT)
		return st;
	if ((st = code_field(rec, "room", r->room)) != PMS_OK &&
	    st != PMS_ENOINPUT)
		return st;
	if (field_text(rec, "start", &name) == NULL)
		return pms_record_fail(rec, "start", PMS_EDATA, "missing");
	r->start_name = name;
	if ((st = pms_record_local(rec, name, m->o->date_form, &r->start)) ==
	    PMS_ENOINPUT)
		return pms_record_fail(rec, name, PMS_EDATA, "missing");
	if (st != PMS_OK)
		return st;
	st = pms_record_local(rec, "end", m->o->date_form, &r->end);
	if (st == PMS_EDATA)
		return st;
	r->has_end = st == PMS_OK;
	if (!r->has_end && (t = field_trim(rec, "length", buf, sizeof(buf),
	    &name)) != NULL) {
		if (pms_duration_parse(t, &r->length) != PMS_OK)
			return pms_record_fail(rec, name, PMS_EDATA, "%s",
			    pms_errmsg());
		if (r->length % 60 != 0)
			return pms_record_fail(rec, name, PMS_EDATA, "whole "
			    "minutes (30m, 1h30m): seconds are not allowed");
	} else if (!r->has_end) {
		st = pms_record_int(rec, "duration_min", &v);
		if (st == PMS_ENOINPUT) {
			name = "length_min";
			st = pms_record_int(rec, name, &v);
		} else
			name = "duration_min";
		if (st == PMS_EDATA)
			return st;
		if (st == PMS_OK) {
			if (v <= 0 || v > PMS_APPT_LEN_MAX / 60)
				return pms_record_fail(rec, name, PMS_EDATA,
				    "an appointment lasts from 5 to 720 "
				    "minutes");
			r->length = v * 60;
		}
	}
	r->status = "booked";
	if ((t = field_trim(rec, "status", buf, sizeof(buf), NULL)) != NULL &&
	    (r->status = status_norm(t, &r->late)) == NULL)
		return pms_record_fail(rec, "status", PMS_EDATA, "expected "
		    "booked, checked-in, completed, no-show or cancelled");
	if (strcmp(r->status, "cancelled") == 0) {
		r->cancelled_by = r->late ? "patient" : "practice";
		if ((t = field_trim(rec, "cancelled_by", buf, sizeof(buf),
		    NULL)) != NULL) {
			if (strcasecmp(t, "patient") == 0)
				r->cancelled_by = "patient";
			else if (strcasecmp(t, "practice") == 0 && !r->late)
				r->cancelled_by = "practice";
			else
				return pms_record_fail(rec, "cancelled_by",
				    PMS_EDATA, "expected practice or patient");
		}
		st = pms_record_bool(rec, "late_cancel", &b);
		if (st == PMS_EDATA)
			return st;
		if (st == PMS_OK && b) {
			if (strcmp(r->cancelled_by, "patient") != 0)
				return pms_record_fail(rec, "late_cancel",
				    PMS_EDATA, "only a patient cancels late");
			r->late = 1;
		}
	}
	if ((t = field_trim(rec, "confirmed_at", buf, sizeof(buf), NULL)) !=
	    NULL) {
		int64_t ct;

		if (pms_instant_parse(t, &ct) != PMS_OK)
			return pms_record_fail(rec, "confirmed_at", PMS_EDATA,
			    "not an instant (2026-12-03T14:30:00Z)");
		sched_utc(ct, r->confirmed);
	}
	if ((t = field_text(rec, "reason", NULL)) != NULL && *t != '\0') {
		if (strlen(t) >= sizeof(r->reason))
			return pms_record_fail(rec, "reason", PMS_EDATA,
			    "longer than %zu bytes", sizeof(r->reason) - 1);
		snprintf(r->reason, sizeof(r->reason), "%s", t);
	}
	return PMS_OK;
}

/* Is there an appointment for this row already?  *id its id, or 0. */
static enum pms_status
imp_existing(struct imp *m, const struct imp_row *r,
    const struct sched_new *n, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	int rc;
	enum sched_q q = r->source_id[0] != '\0' ? SCHED_Q_EXIST_SOURCE :
	    SCHED_Q_EXIST_KEY;

	*id = 0;
	if (q == SCHED_Q_EXIST_SOURCE) {
		rc = sched_prepare(m->s, q, "SELECT id FROM appointments "
		    "WHERE source_id = ?1", &st);
		if (rc == SQLITE_OK)
			sqlite3_bind_text(st, 1, r->source_id, -1,
			    SQLITE_STATIC);
	} else {
		rc = sched_prepare(m->s, q, "SELECT id FROM appointments "
		    "WHERE provider_id = ?1 AND start_utc = ?2 AND patient_id "
		    "= ?3", &st);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, n->provider_id);
			sqlite3_bind_int64(st, 2, n->start);
			sqlite3_bind_int64(st, 3, n->patient_id);
		}
	}
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(m->s, rc, "reading the schedule");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(m->s, rc, "reading the schedule");
	sched_finish(m->s, q, st);
	return ps;
}

/*
 * The row's patient, by patient_id or mrn (following merges); a row
 * that gives both must name one patient with them.  A bad row's
 * status with the message set.
 */
static enum pms_status
imp_patient(struct imp *m, const struct pms_record *rec,
    const struct imp_row *r, int64_t *out)
{
	int64_t other;

	if (sched_patient(m->s, r->patient_id, r->patient_id > 0 ? NULL :
	    r->mrn, out) != PMS_OK)
		return pms_record_fail(rec, r->patient_id > 0 ? "patient_id" :
		    "mrn", PMS_EDATA, "%s", pms_errmsg());
	if (r->patient_id <= 0 || r->mrn[0] == '\0')
		return PMS_OK;
	if (sched_patient(m->s, 0, r->mrn, &other) != PMS_OK)
		return pms_record_fail(rec, "mrn", PMS_EDATA, "%s",
		    pms_errmsg());
	if (other != *out)
		return pms_record_fail(rec, NULL, PMS_EDATA, "mrn and "
		    "patient_id name different patients");
	return PMS_OK;
}

/*
 * One row of an import (history as the old system kept it): resolved,
 * converted, checked for conflicts, written.  *added 1 when written, 0
 * when it was there already.  A bad row returns its status with the
 * message set (PMS_EDATA, or PMS_EREFUSED for a conflict).
 */
static enum pms_status
imp_history(struct imp *m, const struct pms_record *rec,
    const struct imp_row *r, int *added)
{
	struct pms_provider *p;
	struct pms_location *l;
	struct pms_appt_type *t = NULL;
	struct sched_new n;
	struct pms_local lt;
	enum pms_status st;
	char msg[320], where[64];
	unsigned long prev;
	int64_t id, lid;
	int yes;

	*added = 0;
	memset(&n, 0, sizeof(n));
	if ((st = imp_patient(m, rec, r, &n.patient_id)) != PMS_OK)
		return st;
	if ((st = cache_provider(m, r->provider, &p)) != PMS_OK)
		return pms_record_fail(rec, "provider", PMS_EDATA, "%s",
		    pms_errmsg());
	if (r->type[0] != '\0' && (st = cache_type(m, r->type, &t)) != PMS_OK)
		return pms_record_fail(rec, "type", PMS_EDATA, "%s",
		    pms_errmsg());
	if (r->location[0] != '\0') {
		if ((st = cache_location(m, r->location, 0, &l)) != PMS_OK)
			return pms_record_fail(rec, "location", PMS_EDATA,
			    "%s", pms_errmsg());
	} else {
		if ((st = sched_only_location(m->s, p->id, &lid)) != PMS_OK)
			return st;
		if (lid == 0)
			return pms_record_fail(rec, "location", PMS_EDATA,
			    "missing: %s works at more than one location",
			    p->code);
		if ((st = cache_location(m, NULL, lid, &l)) != PMS_OK)
			return st;
	}
	if ((st = sched_provider_at(m->s, p->id, l->id, &yes)) != PMS_OK)
		return st;
	if (!yes)
		return pms_record_fail(rec, "location", PMS_EDATA, "%s does "
		    "not work at %s", p->code, l->code);
	if (r->room[0] != '\0') {
		if ((st = sched_room_at(m->s, l->id, r->room, &yes)) != PMS_OK)
			return st;
		if (!yes)
			return pms_record_fail(rec, "room", PMS_EDATA, "%s has "
			    "no room \"%s\"", l->code, r->room);
		n.room = r->room;
	}
	n.provider_id = p->id;
	snprintf(n.provider, sizeof(n.provider), "%s", p->code);
	n.location_id = l->id;
	snprintf(n.location, sizeof(n.location), "%s", l->code);
	snprintf(n.zone, sizeof(n.zone), "%s", l->time_zone);
	n.type_id = t != NULL ? t->id : 0;
	n.may_overlap = t != NULL && t->may_overlap;
	if ((st = sched_instant(m->fs, n.zone, &r->start, &n.start)) !=
	    PMS_OK)
		return pms_record_fail(rec, r->start_name, PMS_EDATA, "%s",
		    pms_errmsg());
	if (r->has_end) {
		if ((st = sched_instant(m->fs, n.zone, &r->end, &n.end)) !=
		    PMS_OK)
			return pms_record_fail(rec, "end", PMS_EDATA, "%s",
			    pms_errmsg());
	} else if (r->length > 0)
		n.end = n.start + r->length;
	else if (t != NULL)
		n.end = n.start + t->length_secs;
	else
		return pms_record_fail(rec, NULL, PMS_EDATA, "no length: give "
		    "end, length, duration_min or a type");
	if (sched_check_length(n.end - n.start) != PMS_OK)
		return pms_record_fail(rec, r->has_end ? "end" : "length",
		    PMS_EDATA, "an appointment lasts from 5m to 12h");
	if ((st = sched_local(m->fs, n.zone, n.start, &lt)) != PMS_OK)
		return st;
	if (sched_check_when(&lt) != PMS_OK)
		return pms_record_fail(rec, r->start_name, PMS_EDATA, "%s",
		    pms_errmsg());
	pms_local_fmt(&lt, n.local_start);
	pms_date_fmt(lt.days, n.date);
	if ((st = sched_stamp(m->fs, n.zone, n.end, n.local_end)) != PMS_OK)
		return st;
	/* checked in is for today's too (list -o csv of the day imports) */
	if (strcmp(r->status, "checked-in") == 0 && n.start > m->now) {
		int32_t today;

		if ((st = pms_today(n.zone, &today)) != PMS_OK)
			return st;
		if (lt.days > today)
			return pms_record_fail(rec, "status", PMS_EDATA,
			    "checked-in is for an appointment of today or "
			    "before; this one is later");
	} else if (n.start > m->now && strcmp(r->status, "booked") != 0 &&
	    strcmp(r->status, "cancelled") != 0)
		return pms_record_fail(rec, "status", PMS_EDATA, "%s is for an "
		    "appointment that has begun; this one is in the future",
		    r->status);
	if ((st = imp_existing(m, r, &n, &id)) != PMS_OK)
		return st;
	if (id != 0 && (prev = imp_line_id(m, id)) != 0)
		return pms_record_fail(rec, r->source_id[0] != '\0' ?
		    "source_id" : NULL, PMS_EDATA, "repeats line %lu%s", prev,
		    r->source_id[0] != '\0' ? "" : " (the same provider, "
		    "patient and start)");
	if (id != 0)
		return PMS_OK;
	if (strcmp(r->status, "cancelled") != 0 &&
	    strcmp(r->status, "no-show") != 0) {
		if ((st = sched_check_busy(m->s, &n, &id, msg, sizeof(msg))) !=
		    PMS_OK)
			return st;
		if (id != 0) {
			imp_line_of(m, id, where, sizeof(where));
			return pms_record_fail(rec, r->start_name,
			    PMS_EREFUSED, "%s%s", msg, where);
		}
	}
	n.status = r->status;
	n.cancelled_by = r->cancelled_by;
	n.late_cancel = r->late;
	n.confirmed_at = r->confirmed[0] != '\0' ? r->confirmed : NULL;
	n.reason = r->reason[0] != '\0' ? r->reason : NULL;
	n.source_id = r->source_id[0] != '\0' ? r->source_id : NULL;
	if ((st = sched_insert(m->s, &n, "import", &id)) != PMS_OK)
		return st;
	if ((st = imp_written(m, id, pms_record_line(rec), n.patient_id)) !=
	    PMS_OK)
		return st;
	*added = 1;
	return PMS_OK;
}

/* One row of `book -`: a booking by every rule of pms_appt_book. */
static enum pms_status
imp_booking(struct imp *m, const struct pms_record *rec,
    const struct imp_row *r, int *added)
{
	struct pms_appt_req q;
	struct sched_book b;
	struct sched_new n;
	enum pms_status st;
	char msg[320], why[320], where[64];
	const unsigned char *t;
	int64_t id;
	int yes;

	*added = 0;
	if (strcmp(r->status, "booked") != 0)
		return pms_record_fail(rec, "status", PMS_EDATA, "a booking is "
		    "booked; import the book of another system instead");
	for (t = (const unsigned char *)r->reason; *t != '\0'; t++)
		if (*t < 0x20 || *t == 0x7f)
			return pms_record_fail(rec, "reason", PMS_EDATA, "one "
			    "line of text, without control characters");
	memset(&q, 0, sizeof(q));
	if ((st = imp_patient(m, rec, r, &q.patient_id)) != PMS_OK)
		return st;
	q.provider = r->provider;
	q.location = r->location[0] != '\0' ? r->location : NULL;
	q.type = r->type[0] != '\0' ? r->type : NULL;
	q.room = r->room[0] != '\0' ? r->room : NULL;
	q.length_secs = r->length;
	memset(&b, 0, sizeof(b));
	b.s = m->s;
	b.fs = m->fs;
	b.o = &m->bo;
	b.now = m->now;
	if ((st = sched_book_resolve(&b, &q)) != PMS_OK)
		return pms_record_fail(rec, NULL, st == PMS_EUSAGE ? PMS_EDATA :
		    st, "%s", pms_errmsg());
	if (!b.has_loc && (st = sched_book_location(&b, &r->start)) != PMS_OK)
		return pms_record_fail(rec, "location", st, "%s",
		    pms_errmsg());
	if (b.has_room) {
		if ((st = sched_room_at(m->s, b.loc.id, b.room, &yes)) !=
		    PMS_OK)
			return st;
		if (!yes)
			return pms_record_fail(rec, "room", PMS_EDATA, "%s has "
			    "no room \"%s\"", b.loc.code, b.room);
	}
	if (r->has_end) {
		int64_t a, e;

		if ((st = sched_instant(m->fs, b.loc.time_zone, &r->start,
		    &a)) != PMS_OK ||
		    (st = sched_instant(m->fs, b.loc.time_zone, &r->end,
		    &e)) != PMS_OK)
			return pms_record_fail(rec, "end", PMS_EDATA, "%s",
			    pms_errmsg());
		if (sched_check_length(e - a) != PMS_OK)
			return pms_record_fail(rec, "end", PMS_EDATA, "an "
			    "appointment lasts from 5m to 12h");
		b.length = e - a;
	}
	st = sched_book_check(&b, &r->start, 0, &n, msg, sizeof(msg), why,
	    sizeof(why));
	if (st != PMS_OK) {
		where[0] = '\0';
		if (st == PMS_EREFUSED && strncmp(msg, "slot taken", 10) == 0) {
			int64_t cid = 0;

			sched_check_busy(m->s, &n, &cid, why, sizeof(why));
			imp_line_of(m, cid, where, sizeof(where));
		}
		return pms_record_fail(rec, r->start_name, st, "%s%s", msg,
		    where);
	}
	n.reason = r->reason[0] != '\0' ? r->reason : NULL;
	n.source_id = r->source_id[0] != '\0' ? r->source_id : NULL;
	if (n.source_id != NULL) {
		if ((st = imp_existing(m, r, &n, &id)) != PMS_OK)
			return st;
		if (id != 0 && imp_line_id(m, id) != 0)
			return pms_record_fail(rec, "source_id", PMS_EDATA,
			    "repeats line %lu", imp_line_id(m, id));
		if (id != 0)
			return pms_record_fail(rec, "source_id", PMS_EREFUSED,
			    "booked already as appointment %lld",
			    (long long)id);
	}
	if ((st = sched_insert(m->s, &n, "book", &id)) != PMS_OK)
		return st;
	if (n.forced && (st = sched_history_add(m->s, id, "book", "forced",
	    NULL, why)) != PMS_OK)
		return st;
	if (n.forced && m->report != NULL) {
		char warn[400];

		if (snprintf(warn, sizeof(warn), "line %lu: warning: booked "
		    "over a conflict (--force): %s", pms_record_line(rec),
		    why) >= (int)sizeof(warn))
			warn[sizeof(warn) - 1] = '\0';	/* the end of why */
		m->report(m->rarg, warn);
	}
	if ((st = imp_written(m, id, pms_record_line(rec), n.patient_id)) !=
	    PMS_OK)
		return st;
	*added = 1;
	return PMS_OK;
}

enum pms_status
pms_appt_import(struct pms_store *s, struct pms_reader *rd,
    const struct pms_appt_import_opts *o, pms_appt_report_fn *report,
    void *rarg, pms_appt_fn *fn, void *arg,
    struct pms_appt_import_result *res)
{
	struct pms_record *rec;
	struct pms_appt a;
	struct imp_row *row = NULL;
	struct imp *m;
	enum pms_status st, rs;
	size_t i;
	int added = 0;

	memset(res, 0, sizeof(*res));
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((m->fs = calloc(1, sizeof(*m->fs))) == NULL ||
	    (row = malloc(sizeof(*row))) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	m->s = s;
	m->o = o;
	m->report = report;
	m->rarg = rarg;
	m->now = o->now != 0 ? o->now : (int64_t)time(NULL);
	m->bo.allow_past = o->allow_past;
	m->bo.force = o->force;
	m->bo.now = m->now;
	if (o->rejects != NULL && (st = pms_writer_open(&m->rej, PMS_OUT_CSV,
	    o->rejects, reject_cols, PMS_NELEM(reject_cols))) != PMS_OK)
		goto out;
	if ((st = sched_begin(s)) != PMS_OK)
		goto out;
	sched_cache_begin(s);
	for (;;) {
		rs = pms_reader_next(rd, &rec);
		if (rs == PMS_OK && rec == NULL)
			break;
		res->rows++;
		if (rs != PMS_OK) {
			if (rs == PMS_EIO || rs == PMS_ENOMEM) {
				st = rs;
				goto fail;
			}
			if ((st = imp_bad(m, NULL, pms_reader_line(rd), rs)) !=
			    PMS_OK)
				goto fail;
			res->rejected++;
			continue;
		}
		if ((rs = imp_read(m, rec, row)) == PMS_OK)
			rs = o->booking ? imp_booking(m, rec, row, &added) :
			    imp_history(m, rec, row, &added);
		if (rs == PMS_EBUSY || rs == PMS_EIO || rs == PMS_ENOMEM ||
		    rs == PMS_EINTERNAL || rs == PMS_ETAMPER ||
		    rs == PMS_EDENIED || rs == PMS_ECONFIG) {
			st = rs;
			goto fail;
		}
		if (rs != PMS_OK) {
			if ((st = imp_bad(m, rec, pms_record_line(rec), rs)) !=
			    PMS_OK)
				goto fail;
			res->rejected++;
			continue;
		}
		if (added)
			res->added++;
		else
			res->existing++;
	}
	/* an empty input is a mistake (a file not saved, the wrong one);
	 * a header alone is an import of none */
	if (!o->booking && res->rows == 0 &&
	    pms_reader_format(rd) == PMS_IN_CSV &&
	    pms_reader_ncols(rd) == 0) {
		st = pms_seterr(PMS_EDATA, "the input is empty: no header "
		    "line");
		goto fail;
	}
	if (m->data_errors + m->conflicts > 0 && o->rejects == NULL &&
	    !(o->booking && o->skip_conflicts && m->data_errors == 0)) {
		st = pms_seterr(m->data_errors > 0 ? PMS_EDATA : PMS_EREFUSED,
		    "%zu bad row%s; nothing was written", m->data_errors +
		    m->conflicts, m->data_errors + m->conflicts == 1 ? "" :
		    "s");
		res->added = 0;
		goto fail;
	}
	if (m->npids > 0 || !o->booking)
		if ((st = pms_audit_append(s, o->booking ? "schedule.book" :
		    "schedule.import", "source_id,patient_id,provider,"
		    "location,type,room,start,end,status,cancelled_by,"
		    "confirmed_at,reason", m->pids, m->npids)) != PMS_OK)
			goto fail;
	/* the rejected rows carry patient data out too */
	if (m->rej != NULL && res->rejected > 0 && (m->npids > 0 ||
	    !o->booking) && (st = pms_audit_export(s, "rejects", o->rejects,
	    m->pids, m->npids)) != PMS_OK)
		goto fail;
	if (m->rej != NULL) {
		st = pms_writer_close(m->rej);
		m->rej = NULL;
		if (st != PMS_OK)
			goto fail;
	}
	sched_cache_end();
	if (o->dry_run)
		pms_store_rollback(s);
	else if ((st = pms_store_commit(s)) != PMS_OK)
		goto out;
	st = PMS_OK;
	if (fn != NULL && !o->dry_run)
		for (i = 0; i < m->nlines; i++) {
			if ((rs = pms_appt_get(s, m->ids[i], &a)) != PMS_OK) {
				st = rs;
				break;
			}
			if (fn(arg, &a) != 0) {
				st = pms_seterr(PMS_EIO, "output stopped");
				break;
			}
		}
	goto out;
fail:
	sched_cache_end();
	pms_store_rollback(s);
out:
	sched_cache_end();
	pms_writer_abort(m->rej);
	free(m->lines);
	free(m->ids);
	free(m->pids);
	free(m->fs);
	free(m);
	free(row);
	return st;
}

/* ---- iCalendar ---- */

/* Bytes of the UTF-8 sequence that starts with c (1 for a stray one). */
static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

int
pms_ics_line(FILE *f, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value), len, pos = 0, max,
	    cut;
	char *line;
	int rc = 0;

	len = nlen + 1 + vlen;
	if ((line = malloc(len + 1)) == NULL)
		return -1;
	memcpy(line, name, nlen);
	line[nlen] = ':';
	memcpy(line + nlen + 1, value, vlen + 1);
	/* 75 octets a line, CRLF not counted; a continuation's leading
	 * space counts; never cut before a continuation byte */
	for (max = 75; pos < len; max = 74) {
		cut = len - pos <= max ? len - pos : max;
		while (cut > 1 && pos + cut < len &&
		    is_cont((unsigned char)line[pos + cut]))
			cut--;
		if ((max == 74 && fputc(' ', f) == EOF) ||
		    fwrite(line + pos, 1, cut, f) != cut ||
		    fputs("\r\n", f) == EOF) {
			rc = -1;
			break;
		}
		pos += cut;
	}
	if (len == 0 && fputs("\r\n", f) == EOF)
		rc = -1;
	free(line);
	return rc;
}

char *
pms_ics_text(const char *s)
{
	size_t n = 0;
	const char *p;
	char *out, *q;

	for (p = s; *p != '\0'; p++)
		n += (*p == '\\' || *p == ';' || *p == ',' || *p == '\n') ?
		    2 : 1;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (p = s, q = out; *p != '\0'; p++) {
		if (*p == '\\' || *p == ';' || *p == ',') {
			*q++ = '\\';
			*q++ = *p;
		} else if (*p == '\n') {
			*q++ = '\\';
			*q++ = 'n';
		} else if ((unsigned char)*p < 0x20 && *p != '\t')
			continue;	/* CR and other controls */
		else
			*q++ = *p;
	}
	*q = '\0';
	return out;
}

/* "2026-12-14T14:30:00Z" (or an instant t) as "20261214T143000Z". */
static void
ics_utc(int64_t t, const char *stamp, char buf[PMS_STAMP_BUFSZ])
{
	char tmp[PMS_STAMP_BUFSZ];
	const char *p;
	size_t n = 0;

	if (stamp == NULL || *stamp == '\0') {
		pms_instant_fmt(t, tmp);
		stamp = tmp;
	}
	for (p = stamp; *p != '\0' && n + 1 < PMS_STAMP_BUFSZ; p++)
		if (*p != '-' && *p != ':')
			buf[n++] = *p;
	buf[n] = '\0';
}

struct ics {
	FILE		*f;
	const char	*uuid;
	int		 with_names;
	int		 err;
	struct pms_store *s;
};

/* A property with text escaped. */
static int
ics_text(struct ics *x, const char *name, const char *value)
{
	char *t = pms_ics_text(value);
	int rc;

	if (t == NULL)
		return -1;
	rc = pms_ics_line(x->f, name, t);
	free(t);
	return rc;
}

static int
ics_event(void *arg, const struct pms_appt *a)
{
	struct ics *x = arg;
	char buf[PMS_APPT_NAME + 256], t1[PMS_STAMP_BUFSZ], t2[PMS_STAMP_BUFSZ];
	int rc = 0;

	snprintf(buf, sizeof(buf), "appt-%lld@%s", (long long)a->id, x->uuid);
	rc |= pms_ics_line(x->f, "BEGIN", "VEVENT");
	rc |= pms_ics_line(x->f, "UID", buf);
	ics_utc(0, a->updated_at, t1);
	rc |= pms_ics_line(x->f, "DTSTAMP", t1);
	rc |= pms_ics_line(x->f, "LAST-MODIFIED", t1);
	ics_utc(0, a->created_at, t1);
	rc |= pms_ics_line(x->f, "CREATED", t1);
	snprintf(buf, sizeof(buf), "%lld", (long long)a->sequence);
	rc |= pms_ics_line(x->f, "SEQUENCE", buf);
	ics_utc(a->start_utc, NULL, t1);
	ics_utc(a->end_utc, NULL, t2);
	rc |= pms_ics_line(x->f, "DTSTART", t1);
	rc |= pms_ics_line(x->f, "DTEND", t2);
	if (x->with_names)
		snprintf(buf, sizeof(buf), "%s: %s (%s)", a->type_name[0] !=
		    '\0' ? a->type_name : "Appointment", a->patient_name,
		    a->provider);
	else
		snprintf(buf, sizeof(buf), "%s (%s)", a->type_name[0] != '\0' ?
		    a->type_name : "Appointment", a->provider);
	rc |= ics_text(x, "SUMMARY", buf);
	snprintf(buf, sizeof(buf), "%s%s%s", a->location, a->room[0] != '\0' ?
	    ", " : "", a->room);
	rc |= ics_text(x, "LOCATION", buf);
	snprintf(buf, sizeof(buf), "Appointment %lld, %s, %s to %s (%s)",
	    (long long)a->id, a->status, a->start, a->end, a->zone);
	rc |= ics_text(x, "DESCRIPTION", buf);
	rc |= pms_ics_line(x->f, "STATUS", strcmp(a->status, "cancelled") == 0 ?
	    "CANCELLED" : "CONFIRMED");
	rc |= pms_ics_line(x->f, "TRANSP", strcmp(a->status, "cancelled") ==
	    0 ? "TRANSPARENT" : "OPAQUE");
	rc |= pms_ics_line(x->f, "END", "VEVENT");
	if (rc != 0)
		x->err = errno != 0 ? errno : EIO;
	return rc != 0;
}

/*
 * Where --out goes, as the record writer decides it (lib/record.c): a
 * path under /dev, /proc or /sys, or anything there that is not a
 * regular file (a FIFO, /dev/stdout), is written directly (*direct);
 * a link is followed to its file, so that the temp file is renamed over
 * the file and never over the link.  The target into target (PATH_MAX).
 */
static enum pms_status
out_target(const char *path, char *target, size_t size, int *direct)
{
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];
	struct stat sb;
	int n;

	*direct = 0;
	if (snprintf(a, sizeof(a), "%s", path) >= (int)sizeof(a) ||
	    snprintf(b, sizeof(b), "%s", path) >= (int)sizeof(b))
		return pms_seterr(PMS_EIO, "%s: path too long", path);
	if (realpath(dirname(a), dir) == NULL)
		return pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
	n = snprintf(target, size, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir,
	    basename(b));
	if (n < 0 || (size_t)n >= size)
		return pms_seterr(PMS_EIO, "%s: path too long", path);
	if (strncmp(target, "/dev/", 5) == 0 ||
	    strncmp(target, "/proc/", 6) == 0 ||
	    strncmp(target, "/sys/", 5) == 0) {
		*direct = 1;
		return PMS_OK;
	}
	if (lstat(target, &sb) == -1)
		return errno == ENOENT ? PMS_OK : pms_seterr(PMS_EIO, "%s: %s",
		    path, strerror(errno));
	if (S_ISLNK(sb.st_mode)) {
		if (realpath(target, a) == NULL || stat(a, &sb) == -1)
			return pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
		snprintf(target, size, "%s", a);
	}
	if (S_ISDIR(sb.st_mode))
		return pms_seterr(PMS_EIO, "%s: is a directory", path);
	*direct = !S_ISREG(sb.st_mode);
	return PMS_OK;
}

/* A temp file beside path, 0600; its name in tmp (PATH_MAX). */
static FILE *
temp_beside(const char *path, char *tmp, size_t size)
{
	FILE *f;
	int fd;

	if (snprintf(tmp, size, "%s.tmpXXXXXX", path) >= (int)size)
		return NULL;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return NULL;
	if (fchmod(fd, 0600) == -1 || (f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return NULL;
	}
	return f;
}

enum pms_status
pms_appt_ics(struct pms_store *s, const struct pms_appt_query *q, FILE *out,
    const char *path)
{
	struct pms_practice pr;
	struct ics x;
	enum pms_status st;
	char tmp[PATH_MAX], target[PATH_MAX], uuid[PMS_UUID_BUFSZ];
	FILE *f = out;
	int rc = 0, direct = 0, dry = pms_store_dry_run(s);

	tmp[0] = '\0';
	if (path != NULL && (st = out_target(path, target, sizeof(target),
	    &direct)) != PMS_OK)
		return st;
	/* read without a transaction: the practice's name and uuid */
	if ((st = pms_practice_get(s, &pr)) != PMS_OK)
		return st;
	snprintf(uuid, sizeof(uuid), "%s", pr.uuid);
	/* a dry run writes no file: the calendar goes nowhere */
	if (path != NULL && dry && (f = fopen("/dev/null", "we")) == NULL)
		return pms_seterr(PMS_EIO, "/dev/null: %s", strerror(errno));
	if (path != NULL && !dry && direct && (f = fopen(target, "we")) ==
	    NULL)
		return pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
	if (path != NULL && !dry && !direct && (f = temp_beside(target, tmp,
	    sizeof(tmp))) == NULL)
		return pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
	memset(&x, 0, sizeof(x));
	x.f = f;
	x.uuid = uuid;
	x.with_names = q->with_names;
	x.s = s;
	errno = 0;
	rc |= pms_ics_line(f, "BEGIN", "VCALENDAR");
	rc |= pms_ics_line(f, "VERSION", "2.0");
	rc |= pms_ics_line(f, "PRODID", "-//pms//pms-schedule " PMS_VERSION
	    "//EN");
	rc |= pms_ics_line(f, "CALSCALE", "GREGORIAN");
	rc |= pms_ics_line(f, "METHOD", "PUBLISH");
	rc |= ics_text(&x, "X-WR-CALNAME", pr.name);
	if (rc != 0)
		goto ioerr;
	/* the entry first, then the events in a read transaction */
	if ((st = sched_read(s, q, "schedule.export", q->with_names ?
	    "start,end,provider,location,room,type,status,patient_name" :
	    "start,end,provider,location,room,type,status", path, ics_event,
	    &x, NULL)) != PMS_OK) {
		if (x.err != 0)
			goto ioerr;
		goto fail;
	}
	if (pms_ics_line(f, "END", "VCALENDAR") != 0 || fflush(f) == EOF ||
	    ferror(f))
		goto ioerr;
	if (path != NULL && (direct || dry)) {
		rc = fclose(f);
		f = NULL;
		if (rc == EOF)
			goto ioerr;
	} else if (path != NULL) {
		if (fsync(fileno(f)) == -1 || fclose(f) == EOF) {
			f = NULL;
			goto ioerr;
		}
		f = NULL;
		if (rename(tmp, target) == -1)
			goto ioerr;
		tmp[0] = '\0';
		pms_sync_dir(target);
	}
	return PMS_OK;
ioerr:
	st = pms_seterr(PMS_EIO, "%s: write error: %s", path != NULL ? path :
	    "standard output", strerror(errno != 0 ? errno : EIO));
fail:
	if (path != NULL && f != NULL)
		fclose(f);
	if (tmp[0] != '\0')
		unlink(tmp);
	return st;
}
