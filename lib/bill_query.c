/*
 * bill_query.c: reading the money (bill.h): charges and visits, what
 * each patient has open and with whom, the ledger with its running
 * total, aging in buckets, the fee schedules, and the check that the
 * ledger and the balances agree to the cent.  Reads of patient data are
 * audited: each runs in a write transaction whose entry names the
 * patients it passed on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bill_int.h"
#include "money.h"

static void
copy_col(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	bill_copy(dst, size, (const char *)sqlite3_column_text(st, i));
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

/* ---- charges ---- */

void
bill_charge_row(sqlite3_stmt *st, struct pms_charge *c)
{
	char vdx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ], *p, *q;
	char items[PMS_DX_MAX_VISIT][PMS_ICD_BUFSZ];
	size_t n = 0, len = 0, k;
	const char *ptr;
	char *end;
	long v;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->patient_id = sqlite3_column_int64(st, 1);
	copy_col(c->mrn, sizeof(c->mrn), st, 2);
	c->visit_id = sqlite3_column_int64(st, 3);
	c->line = sqlite3_column_int(st, 4);
	copy_col(c->kind, sizeof(c->kind), st, 5);
	copy_col(c->dos, sizeof(c->dos), st, 6);
	copy_col(c->provider, sizeof(c->provider), st, 7);
	copy_col(c->location, sizeof(c->location), st, 8);
	copy_col(c->place_of_service, sizeof(c->place_of_service), st, 9);
	copy_col(c->code, sizeof(c->code), st, 10);
	copy_col(c->modifiers, sizeof(c->modifiers), st, 11);
	c->units = sqlite3_column_int(st, 12);
	c->amount_cents = sqlite3_column_int64(st, 13);
	copy_col(c->dx_pointers, sizeof(c->dx_pointers), st, 14);
	c->patient_only = sqlite3_column_int(st, 15);
	copy_col(c->fee_schedule, sizeof(c->fee_schedule), st, 16);
	copy_col(c->status, sizeof(c->status), st, 17);
	c->appointment_id = sqlite3_column_int64(st, 18);
	copy_col(c->source_id, sizeof(c->source_id), st, 19);
	copy_col(c->billed_on, sizeof(c->billed_on), st, 20);
	c->correct_claim = sqlite3_column_int(st, 21);
	copy_col(c->referring_name, sizeof(c->referring_name), st, 22);
	copy_col(c->referring_npi, sizeof(c->referring_npi), st, 23);
	copy_col(c->prior_auth, sizeof(c->prior_auth), st, 24);
	copy_col(c->created_at, sizeof(c->created_at), st, 25);
	/* the line's diagnoses: the visit's, by the line's pointers */
	copy_col(vdx, sizeof(vdx), st, 26);
	for (p = vdx; *p != '\0' && n < PMS_DX_MAX_VISIT; p = q) {
		for (q = p; *q != '\0' && *q != ','; q++)
			;
		if (*q == ',')
			*q++ = '\0';
		bill_copy(items[n++], PMS_ICD_BUFSZ, p);
	}
	for (ptr = c->dx_pointers; *ptr != '\0'; ) {
		v = strtol(ptr, &end, 10);
		if (end == ptr)
			break;
		k = (size_t)v;
		if (v >= 1 && k <= n && len < sizeof(c->dx))
			len += (size_t)snprintf(c->dx + len,
			    sizeof(c->dx) - len, "%s%s", len > 0 ? "," : "",
			    items[k - 1]);
		ptr = *end == ',' ? end + 1 : end;
	}
}

enum pms_status
bill_charge_balances(struct pms_store *s, sqlite3_stmt *bal,
    struct pms_charge *c)
{
	const char *party;
	int64_t amt;
	int rc, first = 1;

	sqlite3_reset(bal);
	sqlite3_bind_int64(bal, 1, c->id);
	c->insurance_cents = c->pending_cents = c->patient_cents = 0;
	memset(&c->current, 0, sizeof(c->current));
	while ((rc = sqlite3_step(bal)) == SQLITE_ROW) {
		party = col_text(bal, 0);
		amt = sqlite3_column_int64(bal, 5);
		if (strcmp(party, "payer") == 0)
			c->insurance_cents += amt;
		else if (strcmp(party, "pending") == 0)
			c->pending_cents += amt;
		else
			c->patient_cents += amt;
		if (first && amt > 0) {
			first = 0;
			c->current.kind = strcmp(party, "payer") == 0 ?
			    PMS_PARTY_PAYER : strcmp(party, "pending") == 0 ?
			    PMS_PARTY_PENDING : PMS_PARTY_PATIENT;
			c->current.policy_id = sqlite3_column_int64(bal, 1);
			c->current.payer_id = sqlite3_column_int64(bal, 2);
			c->current.priority = sqlite3_column_int(bal, 3);
			copy_col(c->current.payer, sizeof(c->current.payer),
			    bal, 4);
		}
	}
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading balances");
	return PMS_OK;
}

enum pms_status
pms_bill_charge_get(struct pms_store *s, int64_t id, struct pms_charge *c)
{
	sqlite3_stmt *st = NULL, *bal = NULL;
	enum pms_status ps;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = sqlite3_prepare_v2(s->db, "SELECT " BILL_CHARGE_COLS
	    BILL_CHARGE_FROM "WHERE c.id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	rc = sqlite3_prepare_v2(s->db, BILL_BAL_SQL, -1, &bal, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ps = pms_seterr(PMS_EREFUSED, "no charge %lld", (long long)id);
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto sqlfail;
	bill_charge_row(st, c);
	ps = bill_charge_balances(s, bal, c);
	goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading a charge");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(bal);
	return ps;
}

enum pms_status
pms_bill_visit_get(struct pms_store *s, int64_t id, struct pms_visit *v)
{
	sqlite3_stmt *st;
	char dx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ], *p, *q;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = pms_store_prepare(s, "SELECT v.id, v.patient_id, v.dos, "
	    "v.provider_id, pr.code, v.location_id, lo.code, "
	    "v.place_of_service, v.appointment_id, v.dx, v.referring_name, "
	    "v.referring_npi, v.prior_auth FROM visits v JOIN providers pr ON "
	    "pr.id = v.provider_id JOIN locations lo ON lo.id = v.location_id "
	    "WHERE v.id = ?1", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a visit");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		v->id = sqlite3_column_int64(st, 0);
		v->patient_id = sqlite3_column_int64(st, 1);
		copy_col(v->dos, sizeof(v->dos), st, 2);
		v->provider_id = sqlite3_column_int64(st, 3);
		copy_col(v->provider, sizeof(v->provider), st, 4);
		v->location_id = sqlite3_column_int64(st, 5);
		copy_col(v->location, sizeof(v->location), st, 6);
		copy_col(v->place_of_service, sizeof(v->place_of_service), st,
		    7);
		v->appointment_id = sqlite3_column_int64(st, 8);
		copy_col(dx, sizeof(dx), st, 9);
		copy_col(v->referring_name, sizeof(v->referring_name), st, 10);
		copy_col(v->referring_npi, sizeof(v->referring_npi), st, 11);
		copy_col(v->prior_auth, sizeof(v->prior_auth), st, 12);
		for (p = dx; *p != '\0' && v->ndx < PMS_DX_MAX_VISIT; p = q) {
			for (q = p; *q != '\0' && *q != ','; q++)
				;
			if (*q == ',')
				*q++ = '\0';
			bill_copy(v->dx[v->ndx++], PMS_ICD_BUFSZ, p);
		}
	}
	pms_store_finalize(s, st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "no visit %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a visit");
	return PMS_OK;
}

/* Run st (bound) and pass each charge to fn; *count the number. */
static enum pms_status
charges_run(struct pms_store *s, sqlite3_stmt *st, pms_charge_fn *fn,
    void *arg, struct pms_audit_batch *b, size_t *count)
{
	struct pms_charge c;
	sqlite3_stmt *bal;
	enum pms_status ps = PMS_OK;
	int rc;

	if (count != NULL)
		*count = 0;
	rc = sqlite3_prepare_v2(s->db, BILL_BAL_SQL, -1, &bal, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading balances");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bill_charge_row(st, &c);
		if ((ps = bill_charge_balances(s, bal, &c)) != PMS_OK)
			goto out;
		if (b != NULL && (ps = pms_audit_batch_add(b, c.patient_id,
		    NULL)) != PMS_OK)
			goto out;
		if (count != NULL)
			(*count)++;
		if (fn(arg, &c) != 0) {
			ps = pms_read_stopped();
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading charges");
out:
	sqlite3_finalize(bal);
	return ps;
}

enum pms_status
pms_bill_visit_charges(struct pms_store *s, int64_t visit, pms_charge_fn *fn,
    void *arg)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT " BILL_CHARGE_COLS
	    BILL_CHARGE_FROM "WHERE c.visit_id = ?1 ORDER BY c.line, c.id",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading charges");
	sqlite3_bind_int64(st, 1, visit);
	ps = charges_run(s, st, fn, arg, NULL, NULL);
	sqlite3_finalize(st);
	return ps;
}

/* The list's statements, one per combination of what is asked (their
 * values always bound): patient or not. */
#define LIST_WHERE \
	"WHERE (?2 IS NULL OR c.dos >= ?2) AND (?3 IS NULL OR c.dos <= ?3) " \
	"AND (?4 IS NULL OR c.status = ?4) AND (?5 IS NULL OR pr.code = ?5) " \
	"AND (?6 = 0 OR EXISTS (SELECT 1 FROM balances b WHERE b.charge_id " \
	"= c.id)) "

static const char *const list_sql[] = {
	"SELECT " BILL_CHARGE_COLS BILL_CHARGE_FROM LIST_WHERE
	    "AND ?1 = 0 ORDER BY c.dos, c.id",
	"SELECT " BILL_CHARGE_COLS BILL_CHARGE_FROM LIST_WHERE
	    "AND c.patient_id = ?1 ORDER BY c.dos, c.id",
	"SELECT " BILL_CHARGE_COLS BILL_CHARGE_FROM LIST_WHERE
	    "AND c.id = ?1",
};

static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

enum pms_status
pms_bill_charges(struct pms_store *s, const struct pms_charge_query *q,
    pms_charge_fn *fn, void *arg, size_t *count)
{
	struct pms_audit_batch *b = NULL;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int64_t patient = 0;
	size_t n = 0;
	int rc, which;

	if (count != NULL)
		*count = 0;
	if (q->from != NULL && q->to != NULL && strcmp(q->from, q->to) > 0)
		return pms_seterr(PMS_EUSAGE, "--from: after --to");
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if (q->patient_id > 0 && (ps = pms_patient_id(s, q->patient_id, NULL,
	    &patient, NULL)) != PMS_OK)
		goto fail;
	/* a provider naming nothing is refused, not an empty list */
	if (q->provider != NULL) {
		rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM providers WHERE "
		    "code = ?1", -1, &st, NULL);
		if (rc != SQLITE_OK) {
			ps = pms_store_sqlerr(s, rc, "reading providers");
			goto fail;
		}
		sqlite3_bind_text(st, 1, q->provider, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (rc == SQLITE_DONE) {
			ps = pms_seterr(PMS_EREFUSED, "--provider: unknown "
			    "provider");
			goto fail;
		}
		if (rc != SQLITE_ROW) {
			ps = pms_store_sqlerr(s, rc, "reading providers");
			goto fail;
		}
	}
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	which = q->id > 0 ? 2 : patient > 0 ? 1 : 0;
	rc = sqlite3_prepare_v2(s->db, list_sql[which], -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading charges");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, which == 2 ? q->id : patient);
	bind_opt(st, 2, q->from);
	bind_opt(st, 3, q->to);
	bind_opt(st, 4, q->status);
	bind_opt(st, 5, q->provider);
	sqlite3_bind_int(st, 6, q->open);
	ps = charges_run(s, st, fn, arg, b, &n);
	if (count != NULL)
		*count = n;
	sqlite3_finalize(st);
	st = NULL;
	if (ps != PMS_OK && ps != PMS_EIO)
		goto fail;
	if (which == 2 && n == 0) {
		ps = pms_seterr(PMS_EREFUSED, "no charge %lld",
		    (long long)q->id);
		goto fail;
	}
	/* rows went out even when the writer failed: the entry stays */
	{
		enum pms_status es;

		es = pms_audit_batch_end(b, q->action != NULL ? q->action :
		    "bill.list", "charges");
		b = NULL;
		if (es != PMS_OK) {
			ps = es;
			goto fail;
		}
	}
	{
		enum pms_status cs;

		if ((cs = pms_store_commit(s)) != PMS_OK)
			return cs;
	}
	return ps;
fail:
	sqlite3_finalize(st);
	pms_audit_batch_free(b);
	pms_store_rollback(s);
	return ps;
}

/* ---- balances ---- */

enum pms_status
pms_bill_balance_get(struct pms_store *s, int64_t patient,
    struct pms_balance *b)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	const char *party;
	int64_t amt;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((ps = pms_patient_id(s, patient, NULL, &patient, NULL)) != PMS_OK)
		return ps;
	b->patient_id = patient;
	rc = sqlite3_prepare_v2(s->db, "SELECT party, payment_id IS NOT NULL, "
	    "sum(amount_cents) FROM balances WHERE patient_id = ?1 GROUP BY 1, "
	    "2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading balances");
	sqlite3_bind_int64(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		party = col_text(st, 0);
		amt = sqlite3_column_int64(st, 2);
		if (sqlite3_column_int(st, 1)) {
			if (strcmp(party, "patient") == 0)
				b->credit_cents += amt;
			else
				b->payer_credit_cents += amt;
		} else if (strcmp(party, "payer") == 0)
			b->insurance_cents += amt;
		else if (strcmp(party, "pending") == 0)
			b->pending_cents += amt;
		else
			b->patient_cents += amt;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading balances");
	return PMS_OK;
}

#define BALANCES_SQL(where) \
	"SELECT x.patient_id, pt.mrn, pt.last_name, pt.first_name, x.party, " \
	"x.payer, x.amount FROM (SELECT b.patient_id, CASE WHEN " \
	"b.payment_id IS NOT NULL THEN 'credit' WHEN b.party = 'payer' THEN " \
	"'insurance' ELSE b.party END AS party, coalesce(y.code, '') AS " \
	"payer, sum(b.amount_cents) AS amount FROM balances b LEFT JOIN " \
	"payers y ON y.id = b.payer_id " where " GROUP BY 1, 2, 3) x JOIN " \
	"patients pt ON pt.id = x.patient_id ORDER BY x.patient_id, CASE " \
	"x.party WHEN 'patient' THEN 0 WHEN 'pending' THEN 1 WHEN " \
	"'insurance' THEN 2 ELSE 3 END, x.payer"

enum pms_status
pms_bill_balances(struct pms_store *s, int64_t patient, pms_balance_fn *fn,
    void *arg, size_t *count)
{
	struct pms_audit_batch *b = NULL;
	struct pms_balance_row r;
	struct pms_patient *pt = NULL;
	sqlite3_stmt *st = NULL;
	enum pms_status ps, es;
	int rc, saw_patient = 0;

	if (count != NULL)
		*count = 0;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if (patient > 0 && (ps = pms_patient_id(s, patient, NULL, &patient,
	    NULL)) != PMS_OK)
		goto fail;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	rc = sqlite3_prepare_v2(s->db, patient > 0 ?
	    BALANCES_SQL("WHERE b.patient_id = ?1") : BALANCES_SQL(""), -1,
	    &st, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading balances");
		goto fail;
	}
	if (patient > 0)
		sqlite3_bind_int64(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.patient_id = sqlite3_column_int64(st, 0);
		r.mrn = col_text(st, 1);
		r.last_name = col_text(st, 2);
		r.first_name = col_text(st, 3);
		r.party = col_text(st, 4);
		r.payer = col_text(st, 5);
		r.amount_cents = sqlite3_column_int64(st, 6);
		if (strcmp(r.party, "patient") == 0)
			saw_patient = 1;
		else if (patient > 0 && !saw_patient) {
			/* the patient's own line comes first, 0.00 or not */
			struct pms_balance_row z = r;

			z.party = "patient";
			z.payer = "";
			z.amount_cents = 0;
			saw_patient = 1;
			if (fn(arg, &z) != 0) {
				ps = pms_read_stopped();
				break;
			}
		}
		if ((ps = pms_audit_batch_add(b, r.patient_id, NULL)) !=
		    PMS_OK)
			goto fail;
		if (count != NULL)
			(*count)++;
		if (fn(arg, &r) != 0) {
			ps = pms_read_stopped();
			break;
		}
	}
	if (ps == PMS_OK && rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading balances");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (ps == PMS_OK && patient > 0 && !saw_patient) {
		/* nothing open at all: the patient owes 0.00 */
		if ((pt = calloc(1, sizeof(*pt))) == NULL) {
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			goto fail;
		}
		if ((ps = pms_patient_get(s, patient, 0, pt)) != PMS_OK)
			goto fail;
		memset(&r, 0, sizeof(r));
		r.patient_id = patient;
		r.mrn = pt->mrn;
		r.last_name = pt->last_name;
		r.first_name = pt->first_name;
		r.party = "patient";
		r.payer = "";
		if ((ps = pms_audit_batch_add(b, patient, NULL)) != PMS_OK)
			goto fail;
		if (count != NULL)
			(*count)++;
		if (fn(arg, &r) != 0)
			ps = pms_read_stopped();
	}
	es = pms_audit_batch_end(b, "bill.balance", "balance");
	b = NULL;
	free(pt);
	pt = NULL;
	if (es != PMS_OK) {
		ps = es;
		goto fail;
	}
	if ((es = pms_store_commit(s)) != PMS_OK)
		return es;
	return ps;
fail:
	free(pt);
	sqlite3_finalize(st);
	pms_audit_batch_free(b);
	pms_store_rollback(s);
	return ps;
}

/* ---- the ledger ---- */

enum pms_status
pms_bill_ledger(struct pms_store *s, int64_t patient, pms_entry_fn *fn,
    void *arg, size_t *count)
{
	struct pms_entry e;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK, es;
	int64_t run = 0;
	int rc;

	if (count != NULL)
		*count = 0;
	if ((es = pms_store_begin(s)) != PMS_OK)
		return es;
	if ((es = pms_patient_id(s, patient, NULL, &patient, NULL)) != PMS_OK)
		goto fail;
	rc = sqlite3_prepare_v2(s->db, "SELECT l.id, l.op, l.kind, "
	    "l.posted_on, l.at, l.charge_id, c.dos, c.code, l.payment_id, "
	    "l.party, coalesce(y.code, ''), l.amount_cents, l.group_code, "
	    "l.reason, l.source_ref, l.by_user FROM ledger l LEFT JOIN "
	    "charges c ON c.id = l.charge_id LEFT JOIN payers y ON y.id = "
	    "l.payer_id WHERE l.patient_id = ?1 ORDER BY l.id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		es = pms_store_sqlerr(s, rc, "reading the ledger");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(st, 0);
		e.op = sqlite3_column_int64(st, 1);
		e.kind = col_text(st, 2);
		e.posted_on = col_text(st, 3);
		e.at = col_text(st, 4);
		e.charge_id = sqlite3_column_int64(st, 5);
		e.dos = col_text(st, 6);
		e.code = col_text(st, 7);
		e.payment_id = sqlite3_column_int64(st, 8);
		e.party = col_text(st, 9);
		e.payer = col_text(st, 10);
		e.amount_cents = sqlite3_column_int64(st, 11);
		run += e.amount_cents;
		e.balance_cents = run;
		e.group_code = col_text(st, 12);
		e.reason = col_text(st, 13);
		e.source_ref = col_text(st, 14);
		e.by_user = col_text(st, 15);
		if (count != NULL)
			(*count)++;
		if (fn(arg, &e) != 0) {
			ps = pms_read_stopped();
			break;
		}
	}
	if (ps == PMS_OK && rc != SQLITE_DONE) {
		es = pms_store_sqlerr(s, rc, "reading the ledger");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((es = pms_audit_append(s, "bill.ledger", "ledger", &patient, 1)) !=
	    PMS_OK)
		goto fail;
	if ((es = pms_store_commit(s)) != PMS_OK)
		return es;
	return ps;
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return es;
}

/* ---- aging ---- */

int
pms_aging_bucket(int32_t days)
{
	if (days <= 30)
		return 0;
	if (days <= 60)
		return 1;
	if (days <= 90)
		return 2;
	if (days <= 120)
		return 3;
	return 4;
}

/*
 * The date each open amount is aged from, by enum pms_aging_by.  Aging
 * reads the one index balances_aging in its order (patient, class,
 * payer), every value it needs in it, and groups as it goes: no sort.
 */
#define AGING_DATE_DOS	"b.dos"
#define AGING_DATE_BILLED "coalesce(b.billed_on, b.since)"
#define AGING_DATE_XFER	"b.since"

#define AGING_SUMS(d) \
	"sum(CASE WHEN " d " >= ?1 THEN b.amount_cents ELSE 0 END), " \
	"sum(CASE WHEN " d " < ?1 AND " d " >= ?2 THEN b.amount_cents ELSE " \
	"0 END), " \
	"sum(CASE WHEN " d " < ?2 AND " d " >= ?3 THEN b.amount_cents ELSE " \
	"0 END), " \
	"sum(CASE WHEN " d " < ?3 AND " d " >= ?4 THEN b.amount_cents ELSE " \
	"0 END), " \
	"sum(CASE WHEN " d " < ?4 THEN b.amount_cents ELSE 0 END), " \
	"sum(b.amount_cents)"

#define AGING_RESP(c) \
	"CASE " c " WHEN 0 THEN 'patient' WHEN 1 THEN 'insurance' WHEN 2 " \
	"THEN 'pending' ELSE 'credit' END"

/* what is open: now (the balances), or as the ledger stood at the end
 * of ?5, of charges served by then (each charge or credit and party,
 * from the day its first entry was posted; billed_on is not known for
 * a past day: --by billed then ages from that day too) */
#define AGING_NOW	"balances b"
#define AGING_THEN \
	"(SELECT min(l.patient_id) AS patient_id, CASE WHEN l.charge_id IS " \
	"NULL THEN 3 WHEN l.party = 'payer' THEN 1 WHEN l.party = 'pending' " \
	"THEN 2 ELSE 0 END AS class, min(l.payer_id) AS payer_id, " \
	"coalesce(min(c.dos), min(p.received_on)) AS dos, min(l.posted_on) " \
	"AS since, NULL AS billed_on, sum(l.amount_cents) AS amount_cents " \
	"FROM ledger l LEFT JOIN charges c ON c.id = l.charge_id LEFT JOIN " \
	"payments p ON l.charge_id IS NULL AND p.id = l.payment_id WHERE " \
	"l.posted_on <= ?5 AND (c.id IS NULL OR c.dos <= ?5) GROUP BY " \
	"coalesce(l.charge_id, -l.payment_id), l.party, coalesce(l.policy_id, " \
	"0) HAVING sum(l.amount_cents) <> 0) b"

#define AGING_BY_PATIENT(d, src) \
	"SELECT b.patient_id, (SELECT mrn FROM patients WHERE id = " \
	"b.patient_id), (SELECT last_name FROM patients WHERE id = " \
	"b.patient_id), (SELECT first_name FROM patients WHERE id = " \
	"b.patient_id), " AGING_RESP("b.class") ", coalesce((SELECT code " \
	"FROM payers WHERE id = b.payer_id), ''), " AGING_SUMS(d) " FROM " \
	src " GROUP BY b.patient_id, b.class, b.payer_id ORDER BY " \
	"b.patient_id, b.class, b.payer_id"

#define AGING_NAMED(d) \
	"sum(CASE WHEN " d " >= ?1 THEN b.amount_cents ELSE 0 END) AS s0, " \
	"sum(CASE WHEN " d " < ?1 AND " d " >= ?2 THEN b.amount_cents ELSE " \
	"0 END) AS s1, " \
	"sum(CASE WHEN " d " < ?2 AND " d " >= ?3 THEN b.amount_cents ELSE " \
	"0 END) AS s2, " \
	"sum(CASE WHEN " d " < ?3 AND " d " >= ?4 THEN b.amount_cents ELSE " \
	"0 END) AS s3, " \
	"sum(CASE WHEN " d " < ?4 THEN b.amount_cents ELSE 0 END) AS s4, " \
	"sum(b.amount_cents) AS t"

/* the summary regroups the patients' groups: far fewer rows than open
 * balances to sort */
#define AGING_SUMMARY(d, src) \
	"SELECT 0, NULL, NULL, NULL, " AGING_RESP("g.class") ", " \
	"coalesce((SELECT code FROM payers WHERE id = g.payer_id), ''), " \
	"sum(g.s0), sum(g.s1), sum(g.s2), sum(g.s3), sum(g.s4), sum(g.t) " \
	"FROM (SELECT b.class AS class, b.payer_id AS payer_id, " \
	AGING_NAMED(d) " FROM " src " GROUP BY b.patient_id, b.class, " \
	"b.payer_id) g GROUP BY g.class, g.payer_id ORDER BY g.class, " \
	"g.payer_id"

#define AGING_SQL(src) { \
	{ AGING_BY_PATIENT(AGING_DATE_DOS, src), \
	  AGING_BY_PATIENT(AGING_DATE_BILLED, src), \
	  AGING_BY_PATIENT(AGING_DATE_XFER, src) }, \
	{ AGING_SUMMARY(AGING_DATE_DOS, src), \
	  AGING_SUMMARY(AGING_DATE_BILLED, src), \
	  AGING_SUMMARY(AGING_DATE_XFER, src) } }

/* [past][summary][by] */
static const char *const aging_sql[2][2][3] = {
	AGING_SQL(AGING_NOW), AGING_SQL(AGING_THEN)
};

enum pms_status
pms_bill_aging(struct pms_store *s, enum pms_aging_by by, const char *as_of,
    int summary, pms_aging_fn *fn, void *arg, size_t *count)
{
	static const int32_t edge[4] = { 30, 60, 90, 120 };
	struct pms_audit_batch *b = NULL;
	struct pms_aging_row r;
	struct bill_env env;
	sqlite3_stmt *st = NULL;
	char at[PMS_DATE_BUFSZ], t[4][PMS_DATE_BUFSZ];
	enum pms_status ps = PMS_OK, es;
	int32_t day;
	int rc, i, past;

	if (count != NULL)
		*count = 0;
	if ((unsigned)by > PMS_AGE_TRANSFERRED)
		return pms_seterr(PMS_EINTERNAL, "aging: no such date");
	if ((es = bill_env_load(s, &env)) != PMS_OK)
		return es;
	es = bill_date(as_of, env.today_s, at);
	past = es == PMS_OK && strcmp(at, env.today_s) < 0;
	bill_env_free(&env);
	if (es != PMS_OK)
		return pms_seterr(PMS_EUSAGE, "--as-of: not a date "
		    "(YYYY-MM-DD)");

	(void)pms_date_parse(at, PMS_DATE_ISO, &day);
	for (i = 0; i < 4; i++)
		pms_date_fmt(day - edge[i], t[i]);
	if ((es = pms_store_begin(s)) != PMS_OK)
		return es;
	if ((es = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	rc = sqlite3_prepare_v2(s->db, aging_sql[past][summary != 0][by], -1,
	    &st, NULL);
	if (rc != SQLITE_OK) {
		es = pms_store_sqlerr(s, rc, "aging");
		goto fail;
	}
	for (i = 0; i < 4; i++)
		sqlite3_bind_text(st, i + 1, t[i], -1, SQLITE_STATIC);
	if (past)
		sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.patient_id = sqlite3_column_int64(st, 0);
		r.mrn = col_text(st, 1);
		r.last_name = col_text(st, 2);
		r.first_name = col_text(st, 3);
		r.responsibility = col_text(st, 4);
		r.payer = col_text(st, 5);
		for (i = 0; i < PMS_AGING_BUCKETS; i++)
			r.bucket[i] = sqlite3_column_int64(st, 6 + i);
		r.total_cents = sqlite3_column_int64(st, 11);
		if (r.patient_id > 0 && (es = pms_audit_batch_add(b,
		    r.patient_id, NULL)) != PMS_OK)
			goto fail;
		if (count != NULL)
			(*count)++;
		if (fn(arg, &r) != 0) {
			ps = pms_read_stopped();
			break;
		}
	}
	if (ps == PMS_OK && rc != SQLITE_DONE) {
		es = pms_store_sqlerr(s, rc, "aging");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	es = pms_audit_batch_end(b, "bill.aging", "balance");
	b = NULL;
	if (es != PMS_OK)
		goto fail;
	if ((es = pms_store_commit(s)) != PMS_OK)
		return es;
	return ps;
fail:
	sqlite3_finalize(st);
	pms_audit_batch_free(b);
	pms_store_rollback(s);
	return es;
}

/* ---- fee schedules ---- */

enum pms_status
pms_bill_fees(struct pms_store *s, const char *schedule, pms_fee_fn *fn,
    void *arg)
{
	struct pms_fee f;
	sqlite3_stmt *st;
	enum pms_status ps = PMS_OK;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT schedule, code, description, "
	    "price_cents FROM fees WHERE ?1 IS NULL OR schedule = ?1 ORDER BY "
	    "schedule, code", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the fee schedule");
	bind_opt(st, 1, schedule);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f.schedule = col_text(st, 0);
		f.code = col_text(st, 1);
		f.description = col_text(st, 2);
		f.price_cents = sqlite3_column_int64(st, 3);
		if (fn(arg, &f) != 0) {
			ps = pms_read_stopped();
			break;
		}
	}
	if (ps == PMS_OK && rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the fee schedule");
	sqlite3_finalize(st);
	return ps;
}

/* ---- the books balance ---- */

/* One check: a query whose first row, if any, is a fault: its key (a
 * charge id, or a payment's negated), and two amounts that differ. */
struct check {
	const char	*sql;
	const char	*what;	/* %s %lld: charge 12; then the amounts */
};

static const struct check checks[] = {
	{ "WITH s AS (SELECT coalesce(charge_id, -payment_id) AS k, party, "
	  "coalesce(policy_id, 0) AS pol, patient_id, sum(amount_cents) AS amt "
	  "FROM ledger GROUP BY 1, 2, 3, 4) SELECT s.k, s.amt, "
	  "coalesce(b.amount_cents, 0) FROM s LEFT JOIN balances b ON "
	  "coalesce(b.charge_id, -b.payment_id) = s.k AND b.party = s.party "
	  "AND coalesce(b.policy_id, 0) = s.pol AND b.patient_id = "
	  "s.patient_id WHERE s.amt <> coalesce(b.amount_cents, 0) LIMIT 1",
	  "%s %lld: its entries for a party sum to %s, its balance is %s" },
	{ "SELECT coalesce(charge_id, -payment_id), amount_cents, (SELECT "
	  "coalesce(sum(l.amount_cents), 0) FROM ledger l WHERE "
	  "coalesce(l.charge_id, -l.payment_id) = coalesce(b.charge_id, "
	  "-b.payment_id) AND l.party = b.party AND coalesce(l.policy_id, 0) = "
	  "coalesce(b.policy_id, 0) AND l.patient_id = b.patient_id) AS e FROM "
	  "balances b WHERE amount_cents <> e LIMIT 1",
	  "%s %lld: a balance of %s, its entries sum to %s" },
	{ "SELECT c.id, c.amount_cents, coalesce(x.a, 0) FROM charges c LEFT "
	  "JOIN (SELECT charge_id, sum(amount_cents) AS a FROM ledger WHERE "
	  "kind IN ('charge', 'opening') AND charge_id IS NOT NULL GROUP BY "
	  "charge_id) x ON x.charge_id = c.id WHERE c.amount_cents <> "
	  "coalesce(x.a, 0) LIMIT 1",
	  "%s %lld: its amount is %s, its charge entries sum to %s" },
	{ "SELECT -p.id, p.amount_cents, -coalesce(x.a, 0) FROM payments p "
	  "LEFT JOIN (SELECT payment_id, sum(amount_cents) AS a FROM ledger "
	  "WHERE payment_id IS NOT NULL AND kind <> 'refund' GROUP BY "
	  "payment_id) x ON x.payment_id = p.id WHERE p.amount_cents <> "
	  "-coalesce(x.a, 0) LIMIT 1",
	  "%s %lld: its amount is %s, its entries take in %s" },
	{ "SELECT coalesce(min(charge_id), -min(payment_id)), "
	      "sum(amount_cents), 0 FROM ledger WHERE kind IN ('transfer', "
	      "'apply') GROUP BY op HAVING sum(amount_cents) <> 0 LIMIT 1",
	  "%s %lld: a transfer or application nets to %s, not %s" },
	{ "SELECT coalesce(charge_id, -payment_id), amount_cents, 0 FROM "
	  "balances WHERE (charge_id IS NOT NULL AND amount_cents < 0) OR "
	  "(payment_id IS NOT NULL AND amount_cents > 0) LIMIT 1",
	  "%s %lld: a balance of %s, on the wrong side of %s" },
};

enum pms_status
pms_bill_check(struct pms_store *s, struct pms_bill_check_report *r)
{
	sqlite3_stmt *st = NULL;
	char amt[PMS_MONEY_BUFSZ], amt2[PMS_MONEY_BUFSZ];
	enum pms_status ps;
	sqlite3_int64 v;
	int64_t key;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((ps = pms_exec(s, "BEGIN", "checking the ledger")) != PMS_OK)
		return ps;
	if ((ps = pms_query_int(s, "SELECT count(*) FROM ledger", &v)) !=
	    PMS_OK)
		goto out;
	r->entries = v;
	if ((ps = pms_query_int(s, "SELECT count(*) FROM balances", &v)) !=
	    PMS_OK)
		goto out;
	r->balances = v;
	if ((ps = pms_query_int(s, "SELECT count(*) FROM charges", &v)) !=
	    PMS_OK)
		goto out;
	r->charges = v;
	if ((ps = pms_query_int(s, "SELECT count(*) FROM payments", &v)) !=
	    PMS_OK)
		goto out;
	r->payments = v;
	if ((ps = pms_query_int(s, "SELECT coalesce(sum(amount_cents), 0) "
	    "FROM balances", &v)) != PMS_OK)
		goto out;
	r->total_cents = v;
	for (i = 0; i < PMS_NELEM(checks); i++) {
		rc = sqlite3_prepare_v2(s->db, checks[i].sql, -1, &st, NULL);
		if (rc != SQLITE_OK) {
			ps = pms_store_sqlerr(s, rc, "checking the ledger");
			goto out;
		}
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			char m[256];

			key = sqlite3_column_int64(st, 0);
			pms_money_fmt(sqlite3_column_int64(st, 1), amt);
			pms_money_fmt(sqlite3_column_int64(st, 2), amt2);
			snprintf(m, sizeof(m), checks[i].what, key < 0 ?
			    "payment" : "charge", (long long)(key < 0 ? -key :
			    key), amt, amt2);
			ps = pms_seterr(PMS_ETAMPER, "the ledger does not "
			    "reconcile: %s", m);
			goto out;
		}
		if (rc != SQLITE_DONE) {
			ps = pms_store_sqlerr(s, rc, "checking the ledger");
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
out:
	sqlite3_finalize(st);
	(void)pms_exec(s, ps == PMS_OK ? "COMMIT" : "ROLLBACK",
	    "checking the ledger");
	return ps;
}
