/*
 * bill.c: the ledger and everything that moves money on it (bill.h):
 * the one function that writes entries and keeps the balances equal to
 * their sums, transactions that nest in a caller's (the 835 poster's),
 * responsibility moving between payers and the patient (transfer),
 * payments and their application, credits and refunds, adjustments and
 * voids.  Charges are made in bill_charge.c, read and reported in
 * bill_query.c, billed to patients in bill_stmt.c.
 *
 * Every amount is int64_t cents; sums stay far inside int64_t because
 * no single amount exceeds PMS_MONEY_MAX (money.h).  No binary
 * fractions anywhere: case B24 of the real-world cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "bill_int.h"
#include "claim.h"
#include "money.h"

/* ---- the practice's settings ---- */

void
bill_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return;
	n = src != NULL ? strnlen(src, size - 1) : 0;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

#define copy_text bill_copy

enum pms_status
bill_env_load(struct pms_store *s, struct bill_env *e)
{
	enum pms_status st;
	const char *t;
	char path[64];
	size_t n, i;

	memset(e, 0, sizeof(*e));
	copy_text(e->zone, sizeof(e->zone), "UTC");
	e->user = pms_store_user(s);
	pms_instant_fmt((int64_t)time(NULL), e->now);
	st = pms_config_read(s, &e->cfg);
	if (st == PMS_ECONFIG)
		e->cfg = NULL;
	else if (st != PMS_OK)
		return st;
	if (e->cfg != NULL) {
		if (pms_config_text(e->cfg, "practice.time_zone", &t) == PMS_OK)
			copy_text(e->zone, sizeof(e->zone), t);
		if (pms_config_text(e->cfg, "billing.no_show_fee.code", &t) ==
		    PMS_OK) {
			copy_text(e->noshow, sizeof(e->noshow), t);
			(void)pms_config_int(e->cfg,
			    "billing.no_show_fee.price", &e->noshow_price);
		}
		if (pms_config_text(e->cfg, "billing.late_cancel_fee.code",
		    &t) == PMS_OK) {
			copy_text(e->latec, sizeof(e->latec), t);
			(void)pms_config_int(e->cfg,
			    "billing.late_cancel_fee.price", &e->latec_price);
		}
		if (pms_config_count(e->cfg, "billing.self_pay_only_codes",
		    &n) == PMS_OK) {
			for (i = 0; i < n && i < BILL_FEE_MAX; i++) {
				snprintf(path, sizeof(path),
				    "billing.self_pay_only_codes[%zu]", i);
				if (pms_config_text(e->cfg, path, &t) == PMS_OK)
					e->selfpay[e->nselfpay++] = t;
			}
		}
	}
	if ((st = pms_today(e->zone, &e->today)) != PMS_OK) {
		bill_env_free(e);
		return st;
	}
	pms_date_fmt(e->today, e->today_s);
	return PMS_OK;
}

void
bill_env_free(struct bill_env *e)
{
	pms_config_free(e->cfg);
	e->cfg = NULL;
}

enum pms_status
bill_date(const char *in, const char *dflt, char buf[PMS_DATE_BUFSZ])
{
	enum pms_status st;
	int32_t d;

	if (in == NULL || *in == '\0') {
		copy_text(buf, PMS_DATE_BUFSZ, dflt);
		return PMS_OK;
	}
	if ((st = pms_date_parse(in, PMS_DATE_ISO, &d)) != PMS_OK)
		return st;
	pms_date_fmt(d, buf);
	return PMS_OK;
}

enum pms_status
bill_sqlerr(struct pms_store *s, int rc, const char *what)
{
	return pms_store_sqlerr(s, rc, what);
}

/* ---- transactions ---- */

enum pms_status
bill_tx_begin(struct pms_store *s, struct bill_tx *t)
{
	enum pms_status st;

	t->s = s;
	t->open = 0;
	t->own = sqlite3_get_autocommit(s->db) != 0;
	if (t->own)
		st = pms_store_begin(s);
	else
		st = pms_exec(s, "SAVEPOINT pms_bill", "starting a savepoint");
	if (st == PMS_OK)
		t->open = 1;
	return st;
}

enum pms_status
bill_tx_end(struct bill_tx *t, enum pms_status st, int dry_run,
    const char *action, const char *fields, const int64_t *patients,
    size_t n)
{
	enum pms_status ps;

	if (!t->open)
		return st;
	t->open = 0;
	if (st != PMS_OK) {
		if (t->own)
			pms_store_rollback(t->s);
		else {
			(void)pms_exec(t->s, "ROLLBACK TO pms_bill", "undoing");
			(void)pms_exec(t->s, "RELEASE pms_bill", "undoing");
		}
		return st;
	}
	if (!t->own) {
		if (dry_run) {
			(void)pms_exec(t->s, "ROLLBACK TO pms_bill", "undoing");
			(void)pms_exec(t->s, "RELEASE pms_bill", "undoing");
			return PMS_OK;
		}
		return pms_exec(t->s, "RELEASE pms_bill", "ending a savepoint");
	}
	if (dry_run) {
		pms_store_rollback(t->s);
		return PMS_OK;
	}
	if ((ps = pms_audit_append(t->s, action, fields, patients, n)) !=
	    PMS_OK) {
		pms_store_rollback(t->s);
		return ps;
	}
	return pms_store_commit(t->s);
}

/* ---- the ledger ---- */

const char *
pms_party_name(enum pms_party_kind k)
{
	switch (k) {
	case PMS_PARTY_PAYER:
		return "payer";
	case PMS_PARTY_PENDING:
		return "pending";
	case PMS_PARTY_PATIENT:
		return "patient";
	default:
		return "any";
	}
}

static enum pms_party_kind
party_parse(const char *s)
{
	if (s == NULL)
		return PMS_PARTY_ANY;
	if (strcmp(s, "payer") == 0)
		return PMS_PARTY_PAYER;
	if (strcmp(s, "pending") == 0)
		return PMS_PARTY_PENDING;
	if (strcmp(s, "patient") == 0)
		return PMS_PARTY_PATIENT;
	return PMS_PARTY_ANY;
}

enum pms_status
bill_patient(struct pms_store *s, int64_t id, const char *mrn, int64_t *out)
{
	enum pms_status st;
	int64_t other;
	int has_mrn;

	has_mrn = mrn != NULL && mrn[strspn(mrn, " \t")] != '\0';
	if ((st = pms_patient_id(s, id, has_mrn ? mrn : NULL, out, NULL)) !=
	    PMS_OK)
		return st;
	if (id <= 0 || !has_mrn)
		return PMS_OK;
	if ((st = pms_patient_id(s, 0, mrn, &other, NULL)) != PMS_OK) {
		if (st != PMS_EREFUSED)
			return st;
		return pms_seterr(PMS_EDATA, "mrn: no patient with that MRN, "
		    "and patient_id names one");
	}
	if (other != *out)
		return pms_seterr(PMS_EDATA, "patient_id, mrn: they name "
		    "different patients");
	return PMS_OK;
}

enum pms_status
bill_columns(const struct pms_record *rec, const char *const *known)
{
	const char *name;
	size_t i, j, n = pms_record_nfields(rec);
	int shape;

	for (i = 0; i < n; i++) {
		name = pms_record_name(rec, i);
		if (name == NULL || strcmp(name, "reject_reason") == 0)
			continue;
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(name, known[j]) == 0)
				break;
		if (known[j] != NULL)
			continue;
		/* named only when it has the shape of a name */
		shape = *name != '\0' && strlen(name) <= 32;
		for (j = 0; name[j] != '\0' && shape; j++)
			shape = (name[j] >= 'a' && name[j] <= 'z') ||
			    (name[j] >= 'A' && name[j] <= 'Z') ||
			    (name[j] >= '0' && name[j] <= '9') ||
			    strchr("._-", name[j]) != NULL;
		if (shape)
			return pms_record_fail(rec, name, PMS_EDATA, "not a "
			    "column pms-bill reads here (a misspelt name would "
			    "pass unread)");
		return pms_record_fail(rec, NULL, PMS_EDATA, "a column that "
		    "pms-bill does not read here (a misspelt name would pass "
		    "unread)");
	}
	return PMS_OK;
}

enum pms_status
bill_party_fill(struct pms_store *s, struct pms_party *p)
{
	sqlite3_stmt *st;
	int rc;

	p->payer_id = 0;
	p->priority = 0;
	p->payer[0] = '\0';
	if (p->kind == PMS_PARTY_PATIENT || p->kind == PMS_PARTY_ANY) {
		p->policy_id = 0;
		return PMS_OK;
	}
	rc = pms_store_prepare(s, "SELECT o.payer_id, o.priority, y.code "
	    "FROM policies o JOIN payers y ON y.id = o.payer_id WHERE o.id = "
	    "?1", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading policies");
	sqlite3_bind_int64(st, 1, p->policy_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->payer_id = sqlite3_column_int64(st, 0);
		p->priority = sqlite3_column_int(st, 1);
		copy_text(p->payer, sizeof(p->payer),
		    (const char *)sqlite3_column_text(st, 2));
	}
	pms_store_finalize(s, st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "no policy %lld",
		    (long long)p->policy_id);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading policies");
	return PMS_OK;
}

void
bill_op_init(struct bill_op *o, struct pms_store *s, const struct bill_env *e,
    const char *kind, const char *posted_on)
{
	memset(o, 0, sizeof(*o));
	o->s = s;
	o->kind = kind;
	o->at = e->now;
	o->user = e->user != NULL ? e->user : "";
	copy_text(o->posted_on, sizeof(o->posted_on), posted_on != NULL &&
	    *posted_on != '\0' ? posted_on : e->today_s);
}

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL && *v != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_id_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

enum pms_status
bill_post(struct bill_op *o, int64_t patient, int64_t charge, int64_t payment,
    const struct pms_party *p, int64_t amount, int64_t reverses)
{
	struct pms_store *s = o->s;
	sqlite3_stmt *st = NULL;
	sqlite3_int64 next;
	int64_t key, policy, have, bid;
	enum pms_status ps;
	int rc;

	if (amount == 0)
		return PMS_OK;
	if (amount > PMS_MONEY_MAX || amount < -PMS_MONEY_MAX)
		return pms_seterr(PMS_EDATA, "amount too large");
	if (p->kind == PMS_PARTY_ANY)
		return pms_seterr(PMS_EINTERNAL, "an entry without a party");
	policy = p->kind == PMS_PARTY_PATIENT ? 0 : p->policy_id;
	if (o->id == 0) {
		if ((ps = pms_query_int(s, "SELECT coalesce(max(id), 0) + 1 "
		    "FROM ledger", &next)) != PMS_OK)
			return ps;
		o->id = next;
	}
	rc = pms_store_prepare(s, "INSERT INTO ledger (op, kind, at, "
	    "posted_on, by_user, patient_id, charge_id, payment_id, party, "
	    "policy_id, payer_id, amount_cents, group_code, reason, "
	    "source_ref, reverses) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16)", &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, o->id);
	sqlite3_bind_text(st, 2, o->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->posted_on, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, o->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, patient);
	bind_id_or_null(st, 7, charge);
	bind_id_or_null(st, 8, payment);
	sqlite3_bind_text(st, 9, pms_party_name(p->kind), -1, SQLITE_STATIC);
	bind_id_or_null(st, 10, policy);
	bind_id_or_null(st, 11, policy > 0 ? p->payer_id : 0);
	sqlite3_bind_int64(st, 12, amount);
	bind_text_or_null(st, 13, o->group);
	bind_text_or_null(st, 14, o->reason);
	bind_text_or_null(st, 15, o->source_ref);
	bind_id_or_null(st, 16, reverses);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	st = NULL;

	/* the balance row: charge and party, or the payment's credit */
	key = charge > 0 ? charge : -payment;
	rc = pms_store_prepare(s, "SELECT id, amount_cents FROM balances "
	    "WHERE coalesce(charge_id, -payment_id) = ?1 AND party = ?2 AND "
	    "coalesce(policy_id, 0) = ?3", &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_text(st, 2, pms_party_name(p->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, policy);
	rc = sqlite3_step(st);
	bid = 0;
	have = 0;
	if (rc == SQLITE_ROW) {
		bid = sqlite3_column_int64(st, 0);
		have = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	st = NULL;
	if (bid > 0 && have + amount == 0) {
		rc = pms_store_prepare(s, "DELETE FROM balances WHERE id "
		    "= ?1", &st);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, bid);
	} else if (bid > 0) {
		rc = pms_store_prepare(s, "UPDATE balances SET "
		    "amount_cents = ?2 WHERE id = ?1", &st);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, bid);
		sqlite3_bind_int64(st, 2, have + amount);
	} else {
		rc = pms_store_prepare(s, "INSERT INTO balances "
		    "(patient_id, charge_id, payment_id, party, policy_id, "
		    "payer_id, amount_cents, since, class, dos) VALUES (?1, ?2, "
		    "?3, ?4, ?5, ?6, ?7, ?8, ?9, coalesce((SELECT dos FROM "
		    "charges WHERE id = ?2), (SELECT received_on FROM payments "
		    "WHERE id = ?3)))", &st);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, patient);
		bind_id_or_null(st, 2, charge);
		bind_id_or_null(st, 3, charge > 0 ? 0 : payment);
		sqlite3_bind_text(st, 4, pms_party_name(p->kind), -1,
		    SQLITE_STATIC);
		bind_id_or_null(st, 5, policy);
		bind_id_or_null(st, 6, policy > 0 ? p->payer_id : 0);
		sqlite3_bind_int64(st, 7, amount);
		sqlite3_bind_text(st, 8, o->posted_on, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 9, charge <= 0 ? 3 : p->kind ==
		    PMS_PARTY_PATIENT ? 0 : p->kind == PMS_PARTY_PAYER ? 1 : 2);
	}
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	return PMS_OK;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "writing the ledger");
	pms_store_finalize(s, st);
	return ps;
}

/* ---- charges as the money functions need them ---- */

/* A charge's open balance rows, in responsibility order. */
struct bal_row {
	struct pms_party party;
	int64_t		 amount;
};
#define BAL_MAX	16

struct charge_state {
	int64_t		 id;
	int64_t		 patient_id;
	char		 dos[PMS_DATE_BUFSZ];
	char		 status[16];
	char		 billed_on[PMS_DATE_BUFSZ];
	int		 patient_only;
	int64_t		 amount;
	size_t		 nbal;
	struct bal_row	 bal[BAL_MAX];
};

static enum pms_status
charge_state_get(struct pms_store *s, int64_t id, struct charge_state *c)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *t;
	enum pms_status ps;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = pms_store_prepare(s, "SELECT patient_id, dos, status, "
	    "billed_on, patient_only, amount_cents FROM charges WHERE id = ?1",
	    &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		pms_store_finalize(s, st);
		return pms_seterr(PMS_EREFUSED, "no charge %lld",
		    (long long)id);
	}
	if (rc != SQLITE_ROW)
		goto sqlfail;
	c->id = id;
	c->patient_id = sqlite3_column_int64(st, 0);
	copy_text(c->dos, sizeof(c->dos),
	    (const char *)sqlite3_column_text(st, 1));
	copy_text(c->status, sizeof(c->status),
	    (const char *)sqlite3_column_text(st, 2));
	t = sqlite3_column_text(st, 3);
	copy_text(c->billed_on, sizeof(c->billed_on), (const char *)t);
	c->patient_only = sqlite3_column_int(st, 4);
	c->amount = sqlite3_column_int64(st, 5);
	pms_store_finalize(s, st);
	st = NULL;
	rc = pms_store_prepare(s, BILL_BAL_SQL, &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->nbal < BAL_MAX) {
		struct bal_row *b = &c->bal[c->nbal++];

		b->party.kind = party_parse((const char *)
		    sqlite3_column_text(st, 0));
		b->party.policy_id = sqlite3_column_int64(st, 1);
		b->party.payer_id = sqlite3_column_int64(st, 2);
		b->party.priority = sqlite3_column_int(st, 3);
		copy_text(b->party.payer, sizeof(b->party.payer),
		    (const char *)sqlite3_column_text(st, 4));
		b->amount = sqlite3_column_int64(st, 5);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (rc != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	return PMS_OK;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading a charge");
	pms_store_finalize(s, st);
	return ps;
}

static int
same_party(const struct pms_party *a, const struct pms_party *b)
{
	if (a->kind != b->kind)
		return 0;
	return a->kind == PMS_PARTY_PATIENT || a->policy_id == b->policy_id;
}

/* What party p owes on the charge (0 if nothing). */
static int64_t
owed(const struct charge_state *c, const struct pms_party *p)
{
	size_t i;

	for (i = 0; i < c->nbal; i++)
		if (same_party(&c->bal[i].party, p))
			return c->bal[i].amount;
	return 0;
}

/* The charge's current party: the first in order that owes anything. */
static int
current_party(const struct charge_state *c, struct pms_party *p)
{
	size_t i;

	for (i = 0; i < c->nbal; i++)
		if (c->bal[i].amount > 0) {
			*p = c->bal[i].party;
			return 1;
		}
	memset(p, 0, sizeof(*p));
	return 0;
}

/* Resolve a request's source party: ANY is the current one; a payer or
 * pending without a policy is the one owing on the charge. */
static enum pms_status
source_party(struct pms_store *s, const struct charge_state *c,
    const struct pms_party *want, struct pms_party *p)
{
	size_t i;

	if (want->kind == PMS_PARTY_ANY) {
		if (!current_party(c, p))
			return pms_seterr(PMS_EREFUSED, "charge %lld: nothing "
			    "is owed on it", (long long)c->id);
		return PMS_OK;
	}
	*p = *want;
	if (p->kind == PMS_PARTY_PATIENT)
		return bill_party_fill(s, p);
	if (p->policy_id == 0) {
		for (i = 0; i < c->nbal; i++)
			if (c->bal[i].party.kind == p->kind &&
			    (want->payer_id == 0 ||
			    c->bal[i].party.payer_id == want->payer_id)) {
				*p = c->bal[i].party;
				return PMS_OK;
			}
		return pms_seterr(PMS_EREFUSED, "charge %lld: no %s owes on it",
		    (long long)c->id, p->kind == PMS_PARTY_PAYER ? "payer" :
		    "pending amount");
	}
	return bill_party_fill(s, p);
}

/* The policies covering the charge's date of service, by priority. */
static enum pms_status
policies_on(struct pms_store *s, const struct charge_state *c,
    struct pms_policy *pol, size_t *n)
{
	return pms_policy_in_effect(s, c->patient_id, c->dos, pol, n);
}

static int
text_ok(const char *t, size_t max)
{
	size_t n = 0;

	if (t == NULL)
		return 0;
	for (; *t != '\0'; t++, n++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return 0;
	return n >= 1 && n <= max;
}

/* ---- transfer ---- */

/* Where a transfer goes, from its source. */
static enum pms_status
transfer_target(struct pms_store *s, const struct charge_state *c,
    const struct pms_party *from, const struct pms_transfer *t,
    struct pms_party *to)
{
	struct pms_policy *pol;
	enum pms_status ps;
	size_t n = 0, i;

	memset(to, 0, sizeof(*to));
	if ((pol = calloc(3, sizeof(*pol))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((ps = policies_on(s, c, pol, &n)) != PMS_OK)
		goto out;
	switch (t->to) {
	case PMS_TO_NEXT:
		if (from->kind == PMS_PARTY_PATIENT) {
			ps = pms_seterr(PMS_EREFUSED, "charge %lld: the "
			    "patient is the last to owe it; no next payer",
			    (long long)c->id);
			goto out;
		}
		if (from->kind == PMS_PARTY_PENDING) {
			to->kind = PMS_PARTY_PAYER;
			to->policy_id = from->policy_id;
			break;
		}
		to->kind = PMS_PARTY_PATIENT;
		for (i = 0; i < n; i++)
			if (pol[i].priority > from->priority) {
				to->kind = PMS_PARTY_PAYER;
				to->policy_id = pol[i].id;
				break;
			}
		break;
	case PMS_TO_PATIENT:
		to->kind = PMS_PARTY_PATIENT;
		if (from->kind == PMS_PARTY_PAYER)
			for (i = 0; i < n; i++)
				if (pol[i].priority > from->priority) {
					/* the next payer may still pay it */
					to->kind = PMS_PARTY_PENDING;
					to->policy_id = pol[i].id;
					break;
				}
		break;
	case PMS_TO_PAYER:
	case PMS_TO_PENDING:
		for (i = 0; i < n; i++)
			if (pol[i].payer_id == t->payer_id) {
				to->kind = t->to == PMS_TO_PAYER ?
				    PMS_PARTY_PAYER : PMS_PARTY_PENDING;
				to->policy_id = pol[i].id;
				break;
			}
		if (to->kind == PMS_PARTY_ANY) {
			ps = pms_seterr(PMS_EREFUSED, "charge %lld: the "
			    "patient has no policy with that payer covering "
			    "the date of service", (long long)c->id);
			goto out;
		}
		break;
	default:
		ps = pms_seterr(PMS_EINTERNAL, "transfer: no such target");
		goto out;
	}
	if (to->kind == PMS_PARTY_PAYER && c->patient_only) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld is the patient's "
		    "alone (a fee or a self-pay-only code): it never goes to a "
		    "payer", (long long)c->id);
		goto out;
	}
	if ((ps = bill_party_fill(s, to)) != PMS_OK)
		goto out;
	if (same_party(from, to))
		ps = pms_seterr(PMS_EREFUSED, "charge %lld: it is owed there "
		    "already", (long long)c->id);
out:
	free(pol);
	return ps;
}

/* One write of denials_worked(): ?1 id, ?2 amount, ?3 the day. */
static enum pms_status
denial_write(struct pms_store *s, const char *sql, int64_t id, int64_t amt,
    const char *day)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "closing denials");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, amt);
	if (day != NULL)
		sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "closing denials");
	return PMS_OK;
}

/*
 * The denials of the work queue (claim_denials, 0009) that a billing
 * person worked by hand: an amount a payer denied stays owed by it, and
 * open, until a later 835 answers the line; but once a write-off, a
 * transfer or a void (not an 835's own posting: those carry its trace
 * as source_ref and close their denials themselves) leaves the payer
 * of policy owing less on charge than its open denials of the line add
 * up to, the difference is no longer open.  It is closed exactly:
 * the denials of the same group and reason first (then the newest),
 * each whole while it fits, and the one it ends in split into its
 * closed part and its open rest.  A denial closed by hand names its own
 * posting as closed_by (no later posting closed it), on the day
 * (policy 0: every payer's, the charge voided).
 */
static enum pms_status
denials_worked(struct pms_store *s, int64_t charge, int64_t policy,
    const char *group, const char *reason, const char *today)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	int64_t owed_now = 0, open = 0, excess, id, amt;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT coalesce((SELECT "
	    "sum(amount_cents) FROM balances WHERE charge_id = ?1 AND party = "
	    "'payer' AND policy_id = ?2), 0), coalesce((SELECT "
	    "sum(d.amount_cents) FROM claim_denials d JOIN claim_remit_claims "
	    "rc ON rc.id = d.remit_claim_id WHERE d.charge_id = ?1 AND "
	    "d.closed_by IS NULL AND (?2 = 0 OR rc.policy_id = ?2 OR "
	    "rc.policy_id IS NULL)), 0)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_int64(st, 2, policy);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto sqlfail;
	owed_now = policy == 0 ? 0 : sqlite3_column_int64(st, 0);
	open = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	if (owed_now < 0)
		owed_now = 0;
	if ((excess = open - owed_now) <= 0)
		return PMS_OK;
	rc = sqlite3_prepare_v2(s->db, "SELECT d.id, d.amount_cents FROM "
	    "claim_denials d JOIN claim_remit_claims rc ON rc.id = "
	    "d.remit_claim_id WHERE d.charge_id = ?1 AND d.closed_by IS NULL "
	    "AND (?2 = 0 OR rc.policy_id = ?2 OR rc.policy_id IS NULL) ORDER "
	    "BY (d.group_code = ?3 AND d.reason = ?4) DESC, d.id DESC", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_int64(st, 2, policy);
	bind_text_or_null(st, 3, group);
	bind_text_or_null(st, 4, reason);
	while (excess > 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		amt = sqlite3_column_int64(st, 1);
		if (amt <= 0)
			continue;
		if (amt > excess) {
			/* the open rest, a denial of its own */
			if ((ps = denial_write(s, "INSERT INTO claim_denials "
			    "(remit_claim_id, claim_id, patient_id, charge_id, "
			    "line, group_code, reason, amount_cents, remarks, "
			    "denied_on) SELECT remit_claim_id, claim_id, "
			    "patient_id, charge_id, line, group_code, reason, "
			    "?2, remarks, denied_on FROM claim_denials WHERE id "
			    "= ?1", id, amt - excess, NULL)) != PMS_OK)
				goto out;
			amt = excess;
		}
		if ((ps = denial_write(s, "UPDATE claim_denials SET "
		    "amount_cents = ?2, closed_by = remit_claim_id, closed_on "
		    "= ?3 WHERE id = ?1", id, amt, today)) != PMS_OK)
			goto out;
		excess -= amt;
	}
	if (excess > 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	/*
	 * A claim of the charge that its payer answered in part (partly
	 * paid, denied) is closed once the last of its denials is worked
	 * and its payer owes nothing on any of its lines: nothing is left
	 * for the payer to answer.  A paid claim stays paid (the patient's
	 * share is the ledger's, not the claim's).
	 */
	rc = sqlite3_prepare_v2(s->db, "SELECT k.id FROM claims k WHERE "
	    "k.state IN ('partly-paid', 'denied') AND k.id IN (SELECT "
	    "claim_id FROM claim_lines WHERE charge_id = ?1) AND NOT EXISTS "
	    "(SELECT 1 FROM claim_denials d WHERE d.claim_id = k.id AND "
	    "d.closed_by IS NULL) AND NOT EXISTS (SELECT 1 FROM claim_lines "
	    "l JOIN balances b ON b.charge_id = l.charge_id WHERE l.claim_id "
	    "= k.id AND b.party = 'payer' AND b.policy_id = k.policy_id)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, charge);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ps = pms_claim_move(s, sqlite3_column_int64(st, 0),
		    PMS_CLAIM_CLOSED, 0, "nothing left with the payer: "
		    "worked by hand")) != PMS_OK)
			goto out;
	if (rc != SQLITE_DONE)
		goto sqlfail;
	goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "closing denials");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_bill_transfer(struct pms_store *s, const struct pms_transfer *t,
    struct pms_transfer_result *r)
{
	struct charge_state c;
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	struct pms_party from, to;
	enum pms_status ps;
	char posted[PMS_DATE_BUFSZ];
	int64_t amount, have;

	memset(r, 0, sizeof(*r));
	if (!text_ok(t->reason, PMS_BILL_TEXT - 1))
		return pms_seterr(PMS_EDATA, "reason: give the reason in words "
		    "or a reason code, on one line (at most %d characters)",
		    PMS_BILL_TEXT - 1);
	if (t->amount_cents < 0)
		return pms_seterr(PMS_EDATA, "amount: a transfer moves a "
		    "positive amount");
	if (t->group != NULL && strcmp(t->group, "PR") != 0 &&
	    strcmp(t->group, "CO") != 0 && strcmp(t->group, "OA") != 0 &&
	    strcmp(t->group, "PI") != 0)
		return pms_seterr(PMS_EDATA, "group: expected PR, CO, OA or "
		    "PI");
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_date(t->posted_on, e.today_s, posted)) != PMS_OK)
		goto done;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = charge_state_get(s, t->charge_id, &c)) != PMS_OK)
		goto end;
	if (strcmp(c.status, "void") == 0) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld is void",
		    (long long)c.id);
		goto end;
	}
	if ((ps = source_party(s, &c, &t->from, &from)) != PMS_OK)
		goto end;
	have = owed(&c, &from);
	amount = t->amount_cents == 0 ? have : t->amount_cents;
	if (have <= 0 || amount > have) {
		char a[PMS_MONEY_BUFSZ], h[PMS_MONEY_BUFSZ];

		pms_money_fmt(amount, a);
		pms_money_fmt(have, h);
		ps = pms_seterr(PMS_EREFUSED, "charge %lld: the %s%s%s owes "
		    "%s, not %s", (long long)c.id, pms_party_name(from.kind),
		    from.payer[0] != '\0' ? " " : "", from.payer, h, a);
		goto end;
	}
	if ((ps = transfer_target(s, &c, &from, t, &to)) != PMS_OK)
		goto end;
	bill_op_init(&o, s, &e, "transfer", posted);
	o.group = t->group;
	o.reason = t->reason;
	o.source_ref = t->source_ref;
	if ((ps = bill_post(&o, c.patient_id, c.id, 0, &from, -amount, 0)) !=
	    PMS_OK ||
	    (ps = bill_post(&o, c.patient_id, c.id, 0, &to, amount, 0)) !=
	    PMS_OK)
		goto end;
	/* a payer's denial moved off it by hand is worked */
	if (t->source_ref == NULL && from.kind == PMS_PARTY_PAYER &&
	    (ps = denials_worked(s, c.id, from.policy_id, t->group, t->reason,
	    e.today_s)) != PMS_OK)
		goto end;
	r->op = o.id;
	r->amount_cents = amount;
	r->from = from;
	r->to = to;
end:
	ps = bill_tx_end(&tx, ps, t->dry_run, "bill.transfer",
	    "responsibility", &c.patient_id, 1);
done:
	bill_env_free(&e);
	return ps;
}

/* ---- adjustments ---- */

/* The practice's own reasons for a write-off. */
static const char *const own_reasons[] = {
	"writeoff", "courtesy", "small-balance", NULL
};

static int
own_reason(const char *r)
{
	size_t i;

	for (i = 0; own_reasons[i] != NULL; i++)
		if (strcmp(r, own_reasons[i]) == 0)
			return 1;
	return 0;
}

/* Sum of the adjustments party has had on the charge (<= 0 normally). */
static enum pms_status
adjusted(struct pms_store *s, int64_t charge, const struct pms_party *p,
    int64_t *sum)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(s, "SELECT coalesce(sum(amount_cents), 0) "
	    "FROM ledger WHERE charge_id = ?1 AND kind = 'adjustment' AND "
	    "party = ?2 AND coalesce(policy_id, 0) = ?3", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading adjustments");
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_text(st, 2, pms_party_name(p->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->kind == PMS_PARTY_PATIENT ? 0 :
	    p->policy_id);
	rc = sqlite3_step(st);
	*sum = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	pms_store_finalize(s, st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading adjustments");
	return PMS_OK;
}

enum pms_status
pms_bill_adjust(struct pms_store *s, const struct pms_adjust *a, int64_t *op)
{
	struct charge_state c;
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	struct pms_party from;
	enum pms_status ps;
	char posted[PMS_DATE_BUFSZ], carc[PMS_CODE_BUFSZ];
	const char *reason;
	int64_t have, sum;

	if (op != NULL)
		*op = 0;
	if (a->amount_cents == 0)
		return pms_seterr(PMS_EDATA, "amount: an adjustment of 0.00 "
		    "changes nothing");
	if (a->amount_cents > PMS_MONEY_MAX || a->amount_cents < -PMS_MONEY_MAX)
		return pms_seterr(PMS_EDATA, "amount too large");
	if (a->group != NULL && strcmp(a->group, "PR") == 0)
		return pms_seterr(PMS_EDATA, "group: patient responsibility "
		    "(PR) is not an adjustment: move it with transfer --to "
		    "patient");
	if (a->group != NULL && strcmp(a->group, "CO") != 0 &&
	    strcmp(a->group, "PI") != 0 && strcmp(a->group, "OA") != 0)
		return pms_seterr(PMS_EDATA, "group: expected CO, PI or OA");
	if (a->reason == NULL || *a->reason == '\0')
		return pms_seterr(PMS_EDATA, "reason: give a claim adjustment "
		    "reason code with --group, or writeoff, courtesy or "
		    "small-balance");
	if (a->group == NULL) {
		if (!own_reason(a->reason))
			return pms_seterr(PMS_EDATA, "reason: without a group, "
			    "expected writeoff, courtesy or small-balance");
		reason = a->reason;
	} else {
		if (own_reason(a->reason))
			return pms_seterr(PMS_EDATA, "reason: with a group, a "
			    "claim adjustment reason code (45), not \"%s\"",
			    a->reason);
		if (pms_code_norm(PMS_CODE_CARC, a->reason, carc) != PMS_OK)
			return pms_seterr(PMS_EDATA, "reason: not a claim "
			    "adjustment reason code (45, A1, P7)");
		reason = carc;
	}
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_date(a->posted_on, e.today_s, posted)) != PMS_OK)
		goto done;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if (a->group != NULL && (ps = pms_code_check(s, PMS_CODE_CARC, reason,
	    NULL)) != PMS_OK) {
		char m[256];

		snprintf(m, sizeof(m), "%s", pms_errmsg());
		ps = pms_seterr(PMS_EDATA, "reason: %s", m);
		goto end;
	}
	if ((ps = charge_state_get(s, a->charge_id, &c)) != PMS_OK)
		goto end;
	if (strcmp(c.status, "void") == 0) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld is void",
		    (long long)c.id);
		goto end;
	}
	if (a->from.kind == PMS_PARTY_ANY && a->amount_cents > 0) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld: say whose "
		    "write-off is taken back (--from)", (long long)c.id);
		goto end;
	}
	if ((ps = source_party(s, &c, &a->from, &from)) != PMS_OK)
		goto end;
	have = owed(&c, &from);
	if (a->amount_cents < 0 && -a->amount_cents > have) {
		char x[PMS_MONEY_BUFSZ], h[PMS_MONEY_BUFSZ];

		pms_money_fmt(-a->amount_cents, x);
		pms_money_fmt(have, h);
		ps = pms_seterr(PMS_EREFUSED, "charge %lld: the %s%s%s owes "
		    "%s; %s cannot be written off", (long long)c.id,
		    pms_party_name(from.kind), from.payer[0] != '\0' ? " " :
		    "", from.payer, h, x);
		goto end;
	}
	if (a->amount_cents > 0) {
		if ((ps = adjusted(s, c.id, &from, &sum)) != PMS_OK)
			goto end;
		if (sum + a->amount_cents > 0) {
			ps = pms_seterr(PMS_EREFUSED, "charge %lld: more "
			    "taken back than was written off",
			    (long long)c.id);
			goto end;
		}
	}
	bill_op_init(&o, s, &e, "adjustment", posted);
	o.group = a->group;
	o.reason = reason;
	o.source_ref = a->source_ref;
	if ((ps = bill_post(&o, c.patient_id, c.id, 0, &from,
	    a->amount_cents, 0)) != PMS_OK)
		goto end;
	/* a payer's denial written off by hand is worked */
	if (a->source_ref == NULL && from.kind == PMS_PARTY_PAYER &&
	    a->amount_cents < 0 && (ps = denials_worked(s, c.id,
	    from.policy_id, a->group, reason, e.today_s)) != PMS_OK)
		goto end;
	if (op != NULL)
		*op = o.id;
end:
	ps = bill_tx_end(&tx, ps, a->dry_run, "bill.adjust", "adjustment",
	    &c.patient_id, 1);
done:
	bill_env_free(&e);
	return ps;
}

/* ---- payments ---- */

static const char *const methods[] = {
	"card", "cash", "check", "eft", NULL
};

static int
method_ok(const char *m)
{
	size_t i;

	for (i = 0; m != NULL && methods[i] != NULL; i++)
		if (strcmp(m, methods[i]) == 0)
			return 1;
	return 0;
}

/* A payment's party: the patient, or the payer's policy. */
struct payment_state {
	int64_t		 id;
	int64_t		 patient_id;
	struct pms_party party;
	int64_t		 credit;	/* its unapplied part, <= 0 */
};

static enum pms_status
payment_state_get(struct pms_store *s, int64_t id, struct payment_state *p)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = pms_store_prepare(s, "SELECT patient_id, policy_id, "
	    "(SELECT coalesce(sum(amount_cents), 0) FROM balances WHERE "
	    "payment_id = ?1) FROM payments WHERE id = ?1", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a payment");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->id = id;
		p->patient_id = sqlite3_column_int64(st, 0);
		p->party.policy_id = sqlite3_column_int64(st, 1);
		p->party.kind = p->party.policy_id > 0 ? PMS_PARTY_PAYER :
		    PMS_PARTY_PATIENT;
		p->credit = sqlite3_column_int64(st, 2);
	}
	pms_store_finalize(s, st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "no payment %lld",
		    (long long)id);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a payment");
	if ((ps = bill_party_fill(s, &p->party)) != PMS_OK)
		return ps;
	return PMS_OK;
}

/* Record a payment inside tx: its row and its credit. */
static enum pms_status
payment_insert(struct pms_store *s, const struct bill_env *e,
    const struct pms_payment_in *in, int64_t patient, const char *received,
    const char *op_kind, int64_t *idp, int *existed, struct bill_op *o)
{
	struct pms_party party;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int64_t policy = in->policy_id;
	int rc;

	*existed = 0;
	if (in->source_id != NULL && *in->source_id != '\0') {
		rc = pms_store_prepare(s, "SELECT id FROM payments WHERE "
		    "source_id = ?1", &st);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_text(st, 1, in->source_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*idp = sqlite3_column_int64(st, 0);
			*existed = 1;
			pms_store_finalize(s, st);
			return PMS_OK;
		}
		if (rc != SQLITE_DONE)
			goto sqlfail;
		pms_store_finalize(s, st);
		st = NULL;
	}
	memset(&party, 0, sizeof(party));
	party.kind = PMS_PARTY_PATIENT;
	if (in->payer_id > 0) {
		if (policy == 0) {
			rc = pms_store_prepare(s, "SELECT id FROM "
			    "policies WHERE patient_id = ?1 AND payer_id = ?2 "
			    "ORDER BY coalesce(effective_to, '9999') DESC, id "
			    "DESC LIMIT 1", &st);
			if (rc != SQLITE_OK)
				goto sqlfail;
			sqlite3_bind_int64(st, 1, patient);
			sqlite3_bind_int64(st, 2, in->payer_id);
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW)
				policy = sqlite3_column_int64(st, 0);
			else if (rc != SQLITE_DONE)
				goto sqlfail;
			pms_store_finalize(s, st);
			st = NULL;
			if (policy == 0)
				return pms_seterr(PMS_EREFUSED, "the patient "
				    "has no policy with that payer");
		}
		party.kind = PMS_PARTY_PAYER;
		party.policy_id = policy;
		if ((ps = bill_party_fill(s, &party)) != PMS_OK)
			return ps;
		if (party.payer_id != in->payer_id)
			return pms_seterr(PMS_EREFUSED, "policy %lld is not "
			    "with that payer", (long long)policy);
	}
	rc = pms_store_prepare(s, "INSERT INTO payments (patient_id, "
	    "payer_id, policy_id, method, amount_cents, received_on, ref, "
	    "source_ref, source_id, created_at, created_by) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, patient);
	bind_id_or_null(st, 2, party.payer_id);
	bind_id_or_null(st, 3, party.kind == PMS_PARTY_PAYER ? policy : 0);
	sqlite3_bind_text(st, 4, in->method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, in->amount_cents);
	sqlite3_bind_text(st, 6, received, -1, SQLITE_STATIC);
	bind_text_or_null(st, 7, in->ref);
	bind_text_or_null(st, 8, in->source_ref);
	bind_text_or_null(st, 9, in->source_id);
	sqlite3_bind_text(st, 10, e->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, e->user != NULL ? e->user : "", -1,
	    SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	*idp = sqlite3_last_insert_rowid(s->db);
	bill_op_init(o, s, e, op_kind, received);
	o->source_ref = in->source_ref;
	return bill_post(o, patient, 0, *idp, &party, -in->amount_cents, 0);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "recording a payment");
	pms_store_finalize(s, st);
	return ps;
}

/* Check a payment's fields; the patient it is from in *patient. */
static enum pms_status
payment_check(struct pms_store *s, const struct bill_env *e,
    const struct pms_payment_in *in, int64_t *patient,
    char received[PMS_DATE_BUFSZ])
{
	enum pms_status ps;

	if (in->amount_cents <= 0)
		return pms_seterr(PMS_EDATA, in->amount_cents == 0 ?
		    "amount: a payment of 0.00" : "amount: a negative payment "
		    "is a refund or an adjustment");
	if (in->amount_cents > PMS_MONEY_MAX)
		return pms_seterr(PMS_EDATA, "amount too large");
	if (!method_ok(in->method))
		return pms_seterr(PMS_EDATA, "method: expected card, cash, "
		    "check or eft");
	if (in->ref != NULL && *in->ref != '\0' && !text_ok(in->ref, 80))
		return pms_seterr(PMS_EDATA, "ref: one line of at most 80 "
		    "characters");
	if ((ps = bill_date(in->received_on, e->today_s, received)) !=
	    PMS_OK) {
		char m[128];

		snprintf(m, sizeof(m), "%s", pms_errmsg());
		return pms_seterr(PMS_EDATA, "received_on: %s", m);
	}
	if (strcmp(received, e->today_s) > 0)
		return pms_seterr(PMS_EDATA, "received_on: a date in the "
		    "future");
	if ((ps = bill_patient(s, in->patient_id, in->mrn, patient)) !=
	    PMS_OK)
		return ps;
	return PMS_OK;
}

enum pms_status
pms_bill_payment_new(struct pms_store *s, const struct pms_payment_in *in,
    int64_t *idp, int *existed)
{
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	enum pms_status ps;
	char received[PMS_DATE_BUFSZ];
	int64_t patient = 0;
	int ex = 0;

	*idp = 0;
	if (existed != NULL)
		*existed = 0;
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = payment_check(s, &e, in, &patient, received)) != PMS_OK)
		goto end;
	ps = payment_insert(s, &e, in, patient, received, "payment", idp, &ex,
	    &o);
	if (existed != NULL)
		*existed = ex;
end:
	ps = bill_tx_end(&tx, ps, in->dry_run, "bill.pay", "payment",
	    &patient, 1);
done:
	bill_env_free(&e);
	return ps;
}

/* Move x of payment p's credit onto charge c (op kind "apply"), or
 * with x < 0 back. */
static enum pms_status
move_credit(struct bill_op *o, const struct payment_state *p,
    const struct charge_state *c, int64_t x)
{
	enum pms_status ps;

	if ((ps = bill_post(o, c->patient_id, c->id, p->id, &p->party, -x,
	    0)) != PMS_OK)
		return ps;
	return bill_post(o, p->patient_id, 0, p->id, &p->party, x, 0);
}

enum pms_status
pms_bill_apply(struct pms_store *s, int64_t payment, int64_t charge,
    int64_t amount, const char *posted_on, int dry_run, int64_t *applied)
{
	struct payment_state p;
	struct charge_state c;
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	enum pms_status ps;
	char posted[PMS_DATE_BUFSZ];
	int64_t have, x, pids[2] = { 0, 0 };

	if (applied != NULL)
		*applied = 0;
	if (amount < 0)
		return pms_seterr(PMS_EDATA, "amount: a negative application "
		    "is an unapply");
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_date(posted_on, e.today_s, posted)) != PMS_OK)
		goto done;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = payment_state_get(s, payment, &p)) != PMS_OK ||
	    (ps = charge_state_get(s, charge, &c)) != PMS_OK)
		goto end;
	pids[0] = c.patient_id;
	if (strcmp(c.status, "void") == 0) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld is void",
		    (long long)c.id);
		goto end;
	}
	if (p.patient_id != c.patient_id) {
		ps = pms_seterr(PMS_EREFUSED, "payment %lld is not of the "
		    "charge's patient", (long long)p.id);
		goto end;
	}
	have = owed(&c, &p.party);
	x = -p.credit;
	if (amount > 0 && amount < x)
		x = amount;
	if (x > have)
		x = have;
	if (p.credit >= 0 || have <= 0) {
		ps = pms_seterr(PMS_EREFUSED, p.credit >= 0 ? "payment %lld "
		    "has no credit left" : "charge %lld: the %s owes nothing "
		    "on it", p.credit >= 0 ? (long long)p.id : (long long)c.id,
		    pms_party_name(p.party.kind));
		goto end;
	}
	if (amount > 0 && amount > x) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld: only part of that "
		    "can be applied", (long long)c.id);
		goto end;
	}
	bill_op_init(&o, s, &e, "apply", posted);
	if ((ps = move_credit(&o, &p, &c, x)) != PMS_OK)
		goto end;
	if (applied != NULL)
		*applied = x;
end:
	ps = bill_tx_end(&tx, ps, dry_run, "bill.apply", "payment", pids, 1);
done:
	bill_env_free(&e);
	return ps;
}

/* What payment p has applied to charge c, net (>= 0). */
static enum pms_status
applied_to(struct pms_store *s, int64_t payment, int64_t charge,
    int64_t *sum)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(s, "SELECT coalesce(-sum(amount_cents), 0) "
	    "FROM ledger WHERE charge_id = ?1 AND payment_id = ?2", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the ledger");
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_int64(st, 2, payment);
	rc = sqlite3_step(st);
	*sum = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	pms_store_finalize(s, st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading the ledger");
	return PMS_OK;
}

enum pms_status
pms_bill_unapply(struct pms_store *s, int64_t payment, int64_t charge,
    int64_t amount, const char *reason, const char *posted_on, int dry_run)
{
	struct payment_state p;
	struct charge_state c;
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	enum pms_status ps;
	char posted[PMS_DATE_BUFSZ];
	int64_t sum, x, pid = 0;

	if (amount < 0)
		return pms_seterr(PMS_EDATA, "amount: give a positive amount");
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_date(posted_on, e.today_s, posted)) != PMS_OK)
		goto done;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = payment_state_get(s, payment, &p)) != PMS_OK ||
	    (ps = charge_state_get(s, charge, &c)) != PMS_OK)
		goto end;
	pid = c.patient_id;
	if ((ps = applied_to(s, payment, charge, &sum)) != PMS_OK)
		goto end;
	x = amount == 0 ? sum : amount;
	if (sum <= 0 || x > sum) {
		ps = pms_seterr(PMS_EREFUSED, "payment %lld: not that much of "
		    "it is applied to charge %lld", (long long)p.id,
		    (long long)c.id);
		goto end;
	}
	bill_op_init(&o, s, &e, "apply", posted);
	o.reason = reason;
	ps = move_credit(&o, &p, &c, -x);
end:
	ps = bill_tx_end(&tx, ps, dry_run, "bill.apply", "payment", &pid, 1);
done:
	bill_env_free(&e);
	return ps;
}

/* The patient's charges they owe (party patient), oldest first. */
static enum pms_status
patient_owing(struct pms_store *s, int64_t patient, int64_t only,
    int64_t **ids, int64_t **amts, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t *a = NULL, *b = NULL, *t;
	int rc;

	*n = 0;
	rc = pms_store_prepare(s, "SELECT b.charge_id, b.amount_cents "
	    "FROM balances b JOIN charges c ON c.id = b.charge_id WHERE "
	    "b.patient_id = ?1 AND b.party = 'patient' AND b.amount_cents > 0 "
	    "AND (?2 = 0 OR b.charge_id = ?2) ORDER BY c.dos, c.id", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading balances");
	sqlite3_bind_int64(st, 1, patient);
	sqlite3_bind_int64(st, 2, only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((t = realloc(a, cap * sizeof(*a))) == NULL)
				goto nomem;
			a = t;
			if ((t = realloc(b, cap * sizeof(*b))) == NULL)
				goto nomem;
			b = t;
		}
		a[*n] = sqlite3_column_int64(st, 0);
		b[*n] = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	pms_store_finalize(s, st);
	if (rc != SQLITE_DONE) {
		free(a);
		free(b);
		return pms_store_sqlerr(s, rc, "reading balances");
	}
	*ids = a;
	*amts = b;
	return PMS_OK;
nomem:
	pms_store_finalize(s, st);
	free(a);
	free(b);
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

/* Pay inside a transaction: record, apply, leave the rest as credit. */
static enum pms_status
pay_in(struct pms_store *s, const struct bill_env *e,
    const struct pms_pay_in *in, struct pms_pay_result *r, int64_t *patient)
{
	struct charge_state c;
	struct pms_party pat;
	struct bill_op o;
	enum pms_status ps;
	char received[PMS_DATE_BUFSZ];
	int64_t *ids = NULL, *amts = NULL, *parts = NULL, left, x, have;
	size_t n = 0, i, j;

	memset(r, 0, sizeof(*r));
	memset(&pat, 0, sizeof(pat));
	pat.kind = PMS_PARTY_PATIENT;
	if (in->p.payer_id != 0)
		return pms_seterr(PMS_EINTERNAL, "pay: a patient's payment");
	if ((ps = payment_check(s, e, &in->p, patient, received)) != PMS_OK)
		return ps;
	r->patient_id = *patient;
	if (in->evenly && in->napply < 2)
		return pms_seterr(PMS_EUSAGE, "--evenly: name two or more "
		    "charges with --apply");
	for (i = 0; i < in->napply; i++) {
		for (j = 0; j < i; j++)
			if (in->apply[j] == in->apply[i])
				return pms_seterr(PMS_EUSAGE, "--apply: charge "
				    "%lld named "
				    "twice", (long long)in->apply[i]);
		if ((ps = charge_state_get(s, in->apply[i], &c)) != PMS_OK)
			return ps;
		if (c.patient_id != *patient)
			return pms_seterr(PMS_EREFUSED, "charge %lld is not "
			    "the patient's", (long long)c.id);
		if (strcmp(c.status, "void") == 0)
			return pms_seterr(PMS_EREFUSED, "charge %lld is void",
			    (long long)c.id);
	}
	/* an idempotent payment seen before changes nothing */
	if (in->p.source_id != NULL && *in->p.source_id != '\0') {
		struct payment_state p;
		sqlite3_stmt *st;
		int rc;

		rc = pms_store_prepare(s, "SELECT id FROM payments WHERE "
		    "source_id = ?1", &st);
		if (rc != SQLITE_OK)
			return pms_store_sqlerr(s, rc, "reading payments");
		sqlite3_bind_text(st, 1, in->p.source_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			r->payment_id = sqlite3_column_int64(st, 0);
		pms_store_finalize(s, st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return pms_store_sqlerr(s, rc, "reading payments");
		if (r->payment_id > 0) {
			r->existed = 1;
			if ((ps = payment_state_get(s, r->payment_id, &p)) !=
			    PMS_OK)
				return ps;
			r->credit_cents = -p.credit;
			r->applied_cents = in->p.amount_cents - r->credit_cents;
			return PMS_OK;
		}
	}
	if (in->napply > 0) {
		if ((ids = calloc(in->napply, sizeof(*ids))) == NULL ||
		    (amts = calloc(in->napply, sizeof(*amts))) == NULL) {
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < in->napply; i++) {
			if ((ps = charge_state_get(s, in->apply[i], &c)) !=
			    PMS_OK)
				goto out;
			ids[i] = c.id;
			amts[i] = owed(&c, &pat);
		}
		n = in->napply;
	} else if ((ps = patient_owing(s, *patient, 0, &ids, &amts, &n)) !=
	    PMS_OK)
		goto out;
	if (in->evenly) {
		if ((parts = calloc(n, sizeof(*parts))) == NULL) {
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			goto out;
		}
		pms_money_split(in->p.amount_cents, n, parts);
	}
	/* the payment row, then one entry per charge paid and the rest */
	{
		sqlite3_stmt *st;
		int rc;

		rc = pms_store_prepare(s, "INSERT INTO payments "
		    "(patient_id, method, amount_cents, received_on, ref, "
		    "source_id, created_at, created_by) VALUES (?1, ?2, ?3, "
		    "?4, ?5, ?6, ?7, ?8)", &st);
		if (rc != SQLITE_OK) {
			ps = pms_store_sqlerr(s, rc, "recording a payment");
			goto out;
		}
		sqlite3_bind_int64(st, 1, *patient);
		sqlite3_bind_text(st, 2, in->p.method, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, in->p.amount_cents);
		sqlite3_bind_text(st, 4, received, -1, SQLITE_STATIC);
		bind_text_or_null(st, 5, in->p.ref);
		bind_text_or_null(st, 6, in->p.source_id);
		sqlite3_bind_text(st, 7, e->now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, e->user != NULL ? e->user : "", -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
		pms_store_finalize(s, st);
		if (rc != SQLITE_DONE) {
			ps = pms_store_sqlerr(s, rc, "recording a payment");
			goto out;
		}
		r->payment_id = sqlite3_last_insert_rowid(s->db);
	}
	bill_op_init(&o, s, e, "payment", received);
	left = in->p.amount_cents;
	for (i = 0; i < n && left > 0; i++) {
		have = amts[i];
		x = parts != NULL ? parts[i] : left;
		if (x > have)
			x = have;
		if (x > left)
			x = left;
		if (x <= 0)
			continue;
		if ((ps = bill_post(&o, *patient, ids[i], r->payment_id, &pat,
		    -x, 0)) != PMS_OK)
			goto out;
		left -= x;
		r->applied_cents += x;
	}
	if ((ps = bill_post(&o, *patient, 0, r->payment_id, &pat, -left, 0)) !=
	    PMS_OK)
		goto out;
	r->credit_cents = left;
out:
	free(ids);
	free(amts);
	free(parts);
	return ps;
}

enum pms_status
pms_bill_pay(struct pms_store *s, const struct pms_pay_in *in,
    struct pms_pay_result *r)
{
	struct bill_env e;
	struct bill_tx tx;
	enum pms_status ps;
	int64_t patient = 0;

	memset(r, 0, sizeof(*r));
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_tx_begin(s, &tx)) == PMS_OK) {
		ps = pay_in(s, &e, in, r, &patient);
		ps = bill_tx_end(&tx, ps, in->p.dry_run, "bill.pay", "payment",
		    &patient, 1);
	}
	bill_env_free(&e);
	return ps;
}

/* "3,5 7": charge ids into a new array. */
static enum pms_status
id_list(const char *t, int64_t **ids, size_t *n)
{
	const char *p = t;
	char *end;
	int64_t *a = NULL, *x;
	long long v;
	size_t cap = 0;

	*n = 0;
	*ids = NULL;
	while (p != NULL && *p != '\0') {
		while (*p == ',' || *p == ' ' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		v = strtoll(p, &end, 10);
		if (end == p || v <= 0 || (*end != '\0' && *end != ',' &&
		    *end != ' ' && *end != ';')) {
			free(a);
			return pms_seterr(PMS_EDATA, "not a list of charge "
			    "ids");
		}
		if (*n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			if ((x = realloc(a, cap * sizeof(*a))) == NULL) {
				free(a);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			a = x;
		}
		a[(*n)++] = v;
		p = end;
	}
	*ids = a;
	return PMS_OK;
}

static const char *const pay_columns[] = {
	"patient_id", "mrn", "amount", "method", "ref", "received_on",
	"apply", "source_id", NULL
};

enum pms_status
pms_bill_pay_records(struct pms_store *s, struct pms_reader *rd, int dry_run,
    void (*report)(void *, const char *), pms_pay_fn *fn, void *arg,
    unsigned long *rows)
{
	struct pms_audit_batch *b = NULL;
	struct pms_record *rec;
	struct pms_pay_result r, *done = NULL, *t;
	struct pms_pay_in in;
	struct bill_env e;
	enum pms_status st, ps;
	int64_t patient, *ids = NULL, v;
	unsigned long bad = 0;
	char m[512];
	size_t n, ndone = 0, cap = 0, i;

	*rows = 0;
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	for (;;) {
		st = pms_reader_next(rd, &rec);
		if (st == PMS_OK && rec == NULL)
			break;
		if (st == PMS_EIO || st == PMS_ENOMEM) {
			ps = st;
			goto fail;
		}
		(*rows)++;
		if (st != PMS_OK) {
			report(arg, pms_errmsg());
			bad++;
			continue;
		}
		if ((ps = bill_columns(rec, pay_columns)) != PMS_OK)
			goto bad_row;
		memset(&in, 0, sizeof(in));
		ps = pms_record_int(rec, "patient_id", &v);
		if (ps == PMS_OK)
			in.p.patient_id = v;
		else if (ps != PMS_ENOINPUT)
			goto bad_row;
		in.p.mrn = pms_record_text(rec, "mrn");
		if (in.p.patient_id == 0 && (in.p.mrn == NULL ||
		    *in.p.mrn == '\0')) {
			pms_record_fail(rec, "patient_id", PMS_EDATA, "give "
			    "patient_id or mrn");
			goto bad_row;
		}
		if ((ps = pms_record_money(rec, "amount",
		    &in.p.amount_cents)) != PMS_OK) {
			if (ps == PMS_ENOINPUT)
				pms_record_fail(rec, "amount", PMS_EDATA,
				    "missing");
			goto bad_row;
		}
		in.p.method = pms_record_text(rec, "method");
		in.p.ref = pms_record_text(rec, "ref");
		in.p.received_on = pms_record_text(rec, "received_on");
		in.p.source_id = pms_record_text(rec, "source_id");
		free(ids);
		ids = NULL;
		if ((ps = id_list(pms_record_text(rec, "apply"), &ids, &n)) !=
		    PMS_OK) {
			snprintf(m, sizeof(m), "%s", pms_errmsg());
			pms_record_fail(rec, "apply", PMS_EDATA, "%s", m);
			goto bad_row;
		}
		in.apply = ids;
		in.napply = n;
		if ((ps = pms_exec(s, "SAVEPOINT pms_row", "a row")) != PMS_OK)
			goto fail;
		ps = pay_in(s, &e, &in, &r, &patient);
		if (ps != PMS_OK) {
			(void)pms_exec(s, "ROLLBACK TO pms_row", "a row");
			(void)pms_exec(s, "RELEASE pms_row", "a row");
			if (ps != PMS_EDATA && ps != PMS_EREFUSED &&
			    ps != PMS_EUSAGE)
				goto fail;
			snprintf(m, sizeof(m), "%s", pms_errmsg());
			pms_record_fail(rec, NULL, PMS_EDATA, "%s", m);
			goto bad_row;
		}
		if ((ps = pms_exec(s, "RELEASE pms_row", "a row")) != PMS_OK ||
		    (ps = pms_audit_batch_add(b, patient, NULL)) != PMS_OK)
			goto fail;
		/* shown once the whole batch is in */
		if (ndone == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((t = realloc(done, cap * sizeof(*t))) == NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto fail;
			}
			done = t;
		}
		done[ndone++] = r;
		continue;
bad_row:
		report(arg, pms_errmsg());
		bad++;
	}
	if (bad > 0) {
		ps = pms_seterr(PMS_EDATA, "%lu bad row%s; nothing was written",
		    bad, bad == 1 ? "" : "s");
		goto fail;
	}
	if (dry_run) {
		pms_audit_batch_free(b);
		pms_store_rollback(s);
		ps = PMS_OK;
		goto show;
	}
	ps = pms_audit_batch_end(b, "bill.pay", "payment");
	b = NULL;
	if (ps != PMS_OK)
		goto fail;
	if ((ps = pms_store_commit(s)) != PMS_OK)
		goto done;
show:
	for (i = 0; i < ndone && fn != NULL; i++)
		if (fn(arg, &done[i]) != 0) {
			ps = pms_read_stopped();
			break;
		}
	goto done;
fail:
	pms_audit_batch_free(b);
	pms_store_rollback(s);
done:
	free(done);
	free(ids);
	bill_env_free(&e);
	return ps;
}

/* The patient's credits (party patient, or payer's), oldest first. */
struct credit {
	int64_t		 payment_id;
	int64_t		 amount;	/* < 0 */
	struct pms_party party;
};

static enum pms_status
credits_of(struct pms_store *s, int64_t patient, int64_t payer,
    int64_t only, struct credit **out, size_t *n)
{
	sqlite3_stmt *st;
	struct credit *a = NULL, *t;
	size_t cap = 0;
	int rc;

	*n = 0;
	*out = NULL;
	rc = pms_store_prepare(s, "SELECT b.payment_id, b.amount_cents, "
	    "b.party, b.policy_id FROM balances b JOIN payments p ON p.id = "
	    "b.payment_id WHERE b.patient_id = ?1 AND b.amount_cents < 0 AND "
	    "coalesce(b.payer_id, 0) = ?2 AND (?3 = 0 OR b.payment_id = ?3) "
	    "ORDER BY p.received_on, p.id", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading credits");
	sqlite3_bind_int64(st, 1, patient);
	sqlite3_bind_int64(st, 2, payer);
	sqlite3_bind_int64(st, 3, only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if ((t = realloc(a, cap * sizeof(*a))) == NULL) {
				pms_store_finalize(s, st);
				free(a);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			a = t;
		}
		memset(&a[*n], 0, sizeof(a[*n]));
		a[*n].payment_id = sqlite3_column_int64(st, 0);
		a[*n].amount = sqlite3_column_int64(st, 1);
		a[*n].party.kind = party_parse((const char *)
		    sqlite3_column_text(st, 2));
		a[*n].party.policy_id = sqlite3_column_int64(st, 3);
		(*n)++;
	}
	pms_store_finalize(s, st);
	if (rc != SQLITE_DONE) {
		free(a);
		return pms_store_sqlerr(s, rc, "reading credits");
	}
	*out = a;
	return PMS_OK;
}

/* The sum of the payers' credits of patient (<= 0) in *sum. */
static enum pms_status
payer_credits(struct pms_store *s, int64_t patient, int64_t *sum)
{
	sqlite3_stmt *st;
	int rc;

	*sum = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(sum(amount_cents), 0) "
	    "FROM balances WHERE patient_id = ?1 AND payment_id IS NOT NULL "
	    "AND payer_id IS NOT NULL AND amount_cents < 0", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading credits");
	sqlite3_bind_int64(st, 1, patient);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*sum = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading credits");
	return PMS_OK;
}

/* The patient of charge id (what 0) or payment id (what 1), refused
 * unless it is patient's. */
static enum pms_status
owned_by(struct pms_store *s, int what, int64_t id, int64_t patient)
{
	static const char *const sql[2] = {
		"SELECT patient_id FROM charges WHERE id = ?1",
		"SELECT patient_id FROM payments WHERE id = ?1",
	};
	static const char *const noun[2] = { "charge", "payment" };
	sqlite3_stmt *st;
	int64_t owner = 0;
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql[what], -1, &st, NULL)) !=
	    SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the ledger");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		owner = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading the ledger");
	if (owner == 0)
		return pms_seterr(PMS_EREFUSED, "no %s %lld", noun[what],
		    (long long)id);
	if (owner != patient)
		return pms_seterr(PMS_EREFUSED, "%s %lld is not the patient's",
		    noun[what], (long long)id);
	return PMS_OK;
}

enum pms_status
pms_bill_apply_credits(struct pms_store *s, int64_t patient, int64_t charge,
    int dry_run, int64_t *applied)
{
	struct payment_state p;
	struct charge_state c;
	struct credit *cr = NULL;
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	enum pms_status ps;
	int64_t *ids = NULL, *amts = NULL, x;
	size_t ncr = 0, n = 0, i, j;

	*applied = 0;
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = pms_patient_id(s, patient, NULL, &patient, NULL)) != PMS_OK)
		goto end;
	if (charge > 0 && (ps = owned_by(s, 0, charge, patient)) != PMS_OK)
		goto end;
	if ((ps = credits_of(s, patient, 0, 0, &cr, &ncr)) != PMS_OK ||
	    (ps = patient_owing(s, patient, charge, &ids, &amts, &n)) !=
	    PMS_OK)
		goto end;
	if (ncr == 0 || n == 0) {
		ps = pms_seterr(PMS_EREFUSED, ncr == 0 ? "the patient has no "
		    "credit" : "the patient owes nothing to apply it to");
		goto end;
	}
	bill_op_init(&o, s, &e, "apply", NULL);
	for (i = j = 0; i < ncr && j < n; ) {
		if ((ps = payment_state_get(s, cr[i].payment_id, &p)) !=
		    PMS_OK || (ps = charge_state_get(s, ids[j], &c)) != PMS_OK)
			goto end;
		x = -cr[i].amount < amts[j] ? -cr[i].amount : amts[j];
		if ((ps = move_credit(&o, &p, &c, x)) != PMS_OK)
			goto end;
		*applied += x;
		cr[i].amount += x;
		amts[j] -= x;
		if (cr[i].amount == 0)
			i++;
		if (amts[j] == 0)
			j++;
	}
end:
	ps = bill_tx_end(&tx, ps, dry_run, "bill.apply", "payment", &patient,
	    1);
done:
	free(cr);
	free(ids);
	free(amts);
	bill_env_free(&e);
	return ps;
}

/* ---- refunds ---- */

enum pms_status
pms_bill_refund(struct pms_store *s, const struct pms_refund *rf,
    int64_t *op)
{
	struct credit *cr = NULL;
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	enum pms_status ps;
	char posted[PMS_DATE_BUFSZ], why[PMS_BILL_TEXT];
	int64_t patient = 0, avail = 0, left, x, payer;
	size_t n = 0, i;

	if (op != NULL)
		*op = 0;
	if (rf->amount_cents <= 0)
		return pms_seterr(PMS_EDATA, "amount: a refund is a positive "
		    "amount");
	if (rf->method != NULL && !method_ok(rf->method))
		return pms_seterr(PMS_EDATA, "method: expected card, cash, "
		    "check or eft");
	if (rf->reason != NULL && *rf->reason != '\0' &&
	    !text_ok(rf->reason, 80))
		return pms_seterr(PMS_EDATA, "reason: one line of at most 80 "
		    "characters");
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_date(rf->posted_on, e.today_s, posted)) != PMS_OK)
		goto done;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = pms_patient_id(s, rf->patient_id, NULL, &patient, NULL)) !=
	    PMS_OK)
		goto end;
	if (rf->payment_id > 0 && (ps = owned_by(s, 1, rf->payment_id,
	    patient)) != PMS_OK)
		goto end;
	/* a payment's credit is its payer's (a payer's overpayment, or its
	 * payment of a charge voided since): refunded to that payer */
	payer = rf->payer_id;
	if (rf->payment_id > 0 && payer == 0) {
		struct payment_state ps0;

		if ((ps = payment_state_get(s, rf->payment_id, &ps0)) != PMS_OK)
			goto end;
		payer = ps0.party.payer_id;
	}
	if ((ps = credits_of(s, patient, payer, rf->payment_id, &cr, &n)) !=
	    PMS_OK)
		goto end;
	for (i = 0; i < n; i++)
		avail -= cr[i].amount;
	if (avail < rf->amount_cents) {
		char a[PMS_MONEY_BUFSZ], h[PMS_MONEY_BUFSZ];
		int64_t others = 0;

		pms_money_fmt(rf->amount_cents, a);
		pms_money_fmt(avail, h);
		/* the payers' credits of the patient, to say where they are */
		if (payer == 0 && rf->payment_id == 0 &&
		    (ps = payer_credits(s, patient, &others)) != PMS_OK)
			goto end;
		if (others < 0) {
			char o2[PMS_MONEY_BUFSZ];

			pms_money_fmt(-others, o2);
			ps = pms_seterr(PMS_EREFUSED, "the patient's credit is "
			    "%s; %s cannot be refunded (%s more is payers' "
			    "credit: refund it to the payer with --payer or "
			    "--payment)", h, a, o2);
		} else
			ps = pms_seterr(PMS_EREFUSED, "the credit is %s; %s "
			    "cannot be refunded", h, a);
		goto end;
	}
	snprintf(why, sizeof(why), "%s%s%s", rf->method != NULL ? rf->method :
	    "", rf->method != NULL && rf->reason != NULL &&
	    *rf->reason != '\0' ? ": " : "", rf->reason != NULL ? rf->reason :
	    "");
	bill_op_init(&o, s, &e, "refund", posted);
	o.reason = why[0] != '\0' ? why : NULL;
	o.source_ref = rf->ref != NULL && *rf->ref != '\0' ? rf->ref :
	    rf->source_ref;
	left = rf->amount_cents;
	for (i = 0; i < n && left > 0; i++) {
		x = -cr[i].amount < left ? -cr[i].amount : left;
		if ((ps = bill_party_fill(s, &cr[i].party)) != PMS_OK ||
		    (ps = bill_post(&o, patient, 0, cr[i].payment_id,
		    &cr[i].party, x, 0)) != PMS_OK)
			goto end;
		left -= x;
	}
	if (op != NULL)
		*op = o.id;
end:
	ps = bill_tx_end(&tx, ps, rf->dry_run, "bill.refund", "refund",
	    &patient, 1);
done:
	free(cr);
	bill_env_free(&e);
	return ps;
}

/* ---- void ---- */

enum pms_status
pms_bill_void(struct pms_store *s, int64_t charge, const char *reason,
    int correct_claim, int dry_run)
{
	struct charge_state c;
	struct bill_env e;
	struct bill_tx tx;
	struct bill_op o;
	struct pms_party p, cp;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int64_t pid = 0, payment, net;
	size_t i;
	int rc;

	if (reason != NULL && *reason != '\0' && !text_ok(reason,
	    PMS_BILL_TEXT - 1))
		return pms_seterr(PMS_EDATA, "reason: one line of at most %d "
		    "characters", PMS_BILL_TEXT - 1);
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = charge_state_get(s, charge, &c)) != PMS_OK)
		goto end;
	pid = c.patient_id;
	if (strcmp(c.status, "void") == 0) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld is void already",
		    (long long)c.id);
		goto end;
	}
	if (c.billed_on[0] != '\0' && !correct_claim) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld is on a claim sent "
		    "already: void it with --correct-claim, and the claim is "
		    "replaced or voided", (long long)c.id);
		goto end;
	}
	bill_op_init(&o, s, &e, "void", NULL);
	o.reason = reason != NULL && *reason != '\0' ? reason : NULL;
	/* payments applied to it go back to their credits */
	rc = pms_store_prepare(s, "SELECT payment_id, party, policy_id, "
	    "-sum(amount_cents) FROM ledger WHERE charge_id = ?1 AND "
	    "payment_id IS NOT NULL GROUP BY payment_id, party, policy_id "
	    "HAVING sum(amount_cents) < 0", &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, c.id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		payment = sqlite3_column_int64(st, 0);
		p.kind = party_parse((const char *)sqlite3_column_text(st, 1));
		p.policy_id = sqlite3_column_int64(st, 2);
		net = sqlite3_column_int64(st, 3);
		if ((ps = bill_party_fill(s, &p)) != PMS_OK ||
		    (ps = bill_post(&o, c.patient_id, c.id, payment, &p, net,
		    0)) != PMS_OK ||
		    (ps = bill_post(&o, c.patient_id, 0, payment, &p, -net,
		    0)) != PMS_OK)
			goto end;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	st = NULL;
	/* its adjustments are undone */
	rc = pms_store_prepare(s, "SELECT party, policy_id, "
	    "-sum(amount_cents) FROM ledger WHERE charge_id = ?1 AND kind = "
	    "'adjustment' GROUP BY party, policy_id HAVING sum(amount_cents) "
	    "<> 0", &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, c.id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		p.kind = party_parse((const char *)sqlite3_column_text(st, 0));
		p.policy_id = sqlite3_column_int64(st, 1);
		net = sqlite3_column_int64(st, 2);
		if ((ps = bill_party_fill(s, &p)) != PMS_OK ||
		    (ps = bill_post(&o, c.patient_id, c.id, 0, &p, net, 0)) !=
		    PMS_OK)
			goto end;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	st = NULL;
	/* and what is open on it reversed, party by party */
	if ((ps = charge_state_get(s, charge, &c)) != PMS_OK)
		goto end;
	for (i = 0; i < c.nbal; i++) {
		cp = c.bal[i].party;
		if ((ps = bill_post(&o, c.patient_id, c.id, 0, &cp,
		    -c.bal[i].amount, 0)) != PMS_OK)
			goto end;
	}
	rc = pms_store_prepare(s, "UPDATE charges SET status = 'void', "
	    "void_reason = ?2, correct_claim = ?3, updated_at = ?4 WHERE id = "
	    "?1", &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, c.id);
	bind_text_or_null(st, 2, reason);
	sqlite3_bind_int(st, 3, c.billed_on[0] != '\0' && correct_claim);
	sqlite3_bind_text(st, 4, e.now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	st = NULL;
	/* a void charge has no denial left to work */
	ps = denials_worked(s, c.id, 0, NULL, NULL, e.today_s);
	goto end;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "voiding a charge");
	pms_store_finalize(s, st);
	st = NULL;
end:
	pms_store_finalize(s, st);
	ps = bill_tx_end(&tx, ps, dry_run, "bill.void", "status", &pid, 1);
done:
	bill_env_free(&e);
	return ps;
}

/* ---- billed ---- */

enum pms_status
pms_bill_mark_billed(struct pms_store *s, int64_t charge, int64_t policy,
    const char *on)
{
	struct charge_state c;
	struct pms_party p;
	struct bill_env e;
	struct bill_tx tx;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	char day[PMS_DATE_BUFSZ];
	int64_t pid = 0;
	int rc;

	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_date(on, e.today_s, day)) != PMS_OK)
		goto done;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	if ((ps = charge_state_get(s, charge, &c)) != PMS_OK)
		goto end;
	pid = c.patient_id;
	if (policy == 0) {
		if (!current_party(&c, &p) || p.kind != PMS_PARTY_PAYER) {
			ps = pms_seterr(PMS_EREFUSED, "charge %lld: no payer "
			    "owes it", (long long)c.id);
			goto end;
		}
		policy = p.policy_id;
	}
	rc = pms_store_prepare(s, "UPDATE charges SET billed_on = "
	    "coalesce(billed_on, ?2), updated_at = ?3 WHERE id = ?1", &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, c.id);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e.now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	rc = pms_store_prepare(s, "UPDATE balances SET billed_on = "
	    "coalesce(billed_on, ?2) WHERE charge_id = ?1 AND policy_id = ?3",
	    &st);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, c.id);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, policy);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	pms_store_finalize(s, st);
	st = NULL;
	goto end;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "marking a charge billed");
	pms_store_finalize(s, st);
end:
	ps = bill_tx_end(&tx, ps, 0, "bill.billed", "billed_on", &pid, 1);
done:
	bill_env_free(&e);
	return ps;
}
