/*
 * claim_cob.c: secondary and tertiary claims (claim.h), coordination
 * of benefits.  Once a claim's payer has answered (its 835 posted), the
 * patient's next policy covering the date of service gets a claim of
 * its own, for the same lines, whose 837P shows what each payer before
 * it did: 2320 (the other subscriber, the claim-level adjustments, the
 * amount paid), 2330A, 2330B and, per line, 2430.  What they did is
 * what 835 posting kept of it (0010: claim_adjudications and its
 * lines and CAS).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "claim.h"
#include "pms_int.h"

static void
copy(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t != NULL ? t : "";
}

/* "25,59" into mods. */
static size_t
mods_split(const char *m, char mods[PMS_MODS_MAX][3])
{
	size_t n = 0;

	while (*m != '\0') {
		if (n < PMS_MODS_MAX) {
			mods[n][0] = m[0];
			mods[n][1] = m[1] != ',' ? m[1] : '\0';
			mods[n][2] = '\0';
		}
		n++;
		while (*m != '\0' && *m != ',')
			m++;
		if (*m == ',')
			m++;
	}
	return n < PMS_MODS_MAX ? n : PMS_MODS_MAX;
}

/* ---- loading the payers before a claim ---- */

/* The CAS of posting (line: a claim line's id; 0: the claim's) onto
 * v (one past PMS_837_CAS is kept, for the check to refuse). */
static enum pms_status
cas_load(struct pms_store *s, int64_t posting, int64_t line,
    struct pms_837_cas *v, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT group_code, reason, "
	    "amount_cents FROM claim_adjudication_cas WHERE remit_claim_id = "
	    "?1 AND coalesce(claim_line_id, 0) = ?2 ORDER BY id", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading an adjudication");
	sqlite3_bind_int64(st, 1, posting);
	sqlite3_bind_int64(st, 2, line);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n <= PMS_837_CAS) {
		copy(v[*n].group, sizeof(v[*n].group), col(st, 0));
		copy(v[*n].reason, sizeof(v[*n].reason), col(st, 1));
		v[*n].amount_cents = sqlite3_column_int64(st, 2);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading an adjudication");
	return PMS_OK;
}

/* The payer entity of payer id (2330B) and its filing indicator. */
static enum pms_status
payer_entity(struct pms_store *s, int64_t id, struct pms_837_entity *e,
    char filing[3])
{
	struct pms_payer py;
	enum pms_status ps;

	if ((ps = pms_payer_get(s, id, &py)) != PMS_OK)
		return ps;
	e->org = 1;
	copy(e->last, sizeof(e->last), py.name);
	copy(e->id, sizeof(e->id), py.payer_id);
	snprintf(e->fix, sizeof(e->fix), "payer \"%s\" in the configuration",
	    py.code);
	if (filing != NULL)
		copy(filing, 3, py.filing_indicator);
	return PMS_OK;
}

/* One payer before the claim: its claim prior, into o. */
static enum pms_status
other_load(struct pms_store *s, int64_t prior, const struct pms_837_claim *doc,
    struct pms_837_other *o)
{
	const struct pms_837_entity *pt = strcmp(doc->relationship, "self") ==
	    0 ? &doc->subscriber : &doc->patient;
	sqlite3_stmt *st;
	enum pms_status ps;
	int64_t policy = 0, payer = 0, posting = 0, adj_payer = 0;
	char adjudicated[PMS_DATE_BUFSZ] = "";
	size_t i;
	int rc, seq = 0;

	memset(o, 0, sizeof(*o));
	o->claim_id = prior;
	rc = sqlite3_prepare_v2(s->db, "SELECT k.payer_seq, k.policy_id, "
	    "k.payer_id, o.relationship, o.member_id, o.group_number, "
	    "o.subscriber_last_name, o.subscriber_first_name, "
	    "o.subscriber_middle_name, o.subscriber_suffix FROM claims k JOIN "
	    "policies o ON o.id = k.policy_id WHERE k.id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim");
	sqlite3_bind_int64(st, 1, prior);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int(st, 0);
		policy = sqlite3_column_int64(st, 1);
		payer = sqlite3_column_int64(st, 2);
		copy(o->relationship, sizeof(o->relationship), col(st, 3));
		if (strcmp(o->relationship, "self") == 0)
			o->subscriber = *pt;
		else {
			copy(o->subscriber.last, sizeof(o->subscriber.last),
			    col(st, 6));
			copy(o->subscriber.first, sizeof(o->subscriber.first),
			    col(st, 7));
			copy(o->subscriber.middle,
			    sizeof(o->subscriber.middle), col(st, 8));
			copy(o->subscriber.suffix,
			    sizeof(o->subscriber.suffix), col(st, 9));
		}
		o->subscriber.has_address = 0;
		copy(o->subscriber.id, sizeof(o->subscriber.id), col(st, 4));
		snprintf(o->subscriber.fix, sizeof(o->subscriber.fix),
		    "policy %lld", (long long)policy);
		copy(o->group_number, sizeof(o->group_number), col(st, 5));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "claim %lld: no claim %lld "
		    "before it", (long long)doc->claim_id, (long long)prior);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a claim");
	o->payer_seq = seq;
	if ((ps = payer_entity(s, payer, &o->payer, o->filing)) != PMS_OK)
		return ps;

	/* replaced or voided (sent or waiting to be): the check says so */
	rc = sqlite3_prepare_v2(s->db, "SELECT id, frequency FROM claims "
	    "WHERE original_id = ?1 AND state <> 'voided' ORDER BY id DESC "
	    "LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	sqlite3_bind_int64(st, 1, prior);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->corrected_by = sqlite3_column_int64(st, 0);
		o->corrected_freq = *col(st, 1) != '\0' ? *col(st, 1) : '7';
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claims");

	/* its payer's last posting, not reversed: processed (CLP02 1 to
	 * 3) or denied (4), under its own policy (a later payer's 835 on
	 * its CLM01 is not its adjudication) */
	rc = sqlite3_prepare_v2(s->db, "SELECT r.id, a.paid_cents, "
	    "a.patient_cents, a.adjudicated_on, coalesce(o.payer_id, 0) FROM "
	    "claim_remit_claims r JOIN claim_adjudications a ON "
	    "a.remit_claim_id = r.id LEFT JOIN policies o ON o.id = "
	    "a.policy_id WHERE r.claim_id = ?1 AND r.reversed_by IS NULL AND "
	    "r.reverses IS NULL AND r.status IN ('1', '2', '3', '4') AND "
	    "r.policy_id = ?2 ORDER BY r.id DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading postings");
	sqlite3_bind_int64(st, 1, prior);
	sqlite3_bind_int64(st, 2, policy);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		posting = sqlite3_column_int64(st, 0);
		o->paid_cents = sqlite3_column_int64(st, 1);
		o->patient_cents = sqlite3_column_int64(st, 2);
		copy(adjudicated, sizeof(adjudicated), col(st, 3));
		adj_payer = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading postings");
	if (posting == 0)
		return PMS_OK;		/* not posted: the check says so */
	o->posted = 1;
	if ((ps = cas_load(s, posting, 0, o->cas, &o->ncas)) != PMS_OK)
		return ps;

	/* each line of ours: the prior claim's line of the same charge */
	rc = sqlite3_prepare_v2(s->db, "SELECT l.id, a.code, a.modifiers, "
	    "a.units, a.paid_cents FROM claim_lines l JOIN "
	    "claim_adjudication_lines a ON a.claim_line_id = l.id AND "
	    "a.remit_claim_id = ?2 WHERE l.claim_id = ?1 AND l.charge_id = ?3",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading an adjudication");
	for (i = 0; i < doc->nlines && i <= PMS_CLAIM_LINES_MAX; i++) {
		struct pms_837_line_adj *l = &o->lines[i];
		int64_t line = 0;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, prior);
		sqlite3_bind_int64(st, 2, posting);
		sqlite3_bind_int64(st, 3, doc->lines[i].charge_id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			line = sqlite3_column_int64(st, 0);
			l->has = 1;
			copy(l->code, sizeof(l->code), col(st, 1));
			l->nmods = mods_split(col(st, 2), l->mods);
			l->units = sqlite3_column_int(st, 3);
			l->paid_cents = sqlite3_column_int64(st, 4);
			copy(l->adjudicated, sizeof(l->adjudicated),
			    adjudicated);
		} else if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return pms_store_sqlerr(s, rc, "reading an "
			    "adjudication");
		}
		if (line == 0)
			continue;
		if (adj_payer != 0) {
			struct pms_837_entity pe;

			memset(&pe, 0, sizeof(pe));
			if ((ps = payer_entity(s, adj_payer, &pe, NULL)) !=
			    PMS_OK) {
				sqlite3_finalize(st);
				return ps;
			}
			copy(l->payer, sizeof(l->payer), pe.id);
		}
		if ((ps = cas_load(s, posting, line, l->cas, &l->ncas)) !=
		    PMS_OK) {
			sqlite3_finalize(st);
			return ps;
		}
	}
	sqlite3_finalize(st);
	return PMS_OK;
}

enum pms_status
pms_claim_cob_load(struct pms_store *s, int64_t claim,
    struct pms_837_claim *doc)
{
	int64_t chain[PMS_837_OTHERS], id = claim, prior;
	enum pms_status ps;
	size_t n = 0, i;
	int rc;

	doc->nothers = 0;
	/* the claims before it, nearest first: at most two */
	while (n < PMS_837_OTHERS) {
		sqlite3_stmt *st;

		rc = sqlite3_prepare_v2(s->db, "SELECT coalesce("
		    "prior_claim_id, 0) FROM claims WHERE id = ?1", -1, &st,
		    NULL);
		if (rc != SQLITE_OK)
			return pms_store_sqlerr(s, rc, "reading a claim");
		sqlite3_bind_int64(st, 1, id);
		prior = sqlite3_step(st) == SQLITE_ROW ?
		    sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
		if (prior == 0)
			break;
		chain[n++] = prior;
		id = prior;
	}
	/* in the payers' order: the primary first */
	for (i = 0; i < n; i++)
		if ((ps = other_load(s, chain[n - 1 - i], doc,
		    &doc->others[i])) != PMS_OK)
			return ps;
	doc->nothers = n;
	return PMS_OK;
}

/* ---- making them ---- */

struct sec {
	struct pms_store *s;
	const struct pms_claim_secondary_opts *o;
	struct pms_claim_secondary_count *n;
	char		 now[PMS_STAMP_BUFSZ];
	int64_t		*made;
	size_t		 nmade, capmade;
	int64_t		*pat;
	size_t		 npat, cappat;
};

static void sreport(struct sec *, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sreport(struct sec *x, int warn, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (x->o->report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->o->report(x->o->report_arg, warn, msg);
}

static enum pms_status
push(int64_t **v, size_t *n, size_t *cap, int64_t id, int uniq)
{
	int64_t *nv;
	size_t i;

	for (i = 0; uniq && i < *n; i++)
		if ((*v)[i] == id)
			return PMS_OK;
	if (*n == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		if ((nv = realloc(*v, *cap * sizeof(*nv))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		*v = nv;
	}
	(*v)[(*n)++] = id;
	return PMS_OK;
}

/* What the patient's policy of priority seq on the claim's day is
 * owed as pending, on the claim's charges. */
static enum pms_status
pending_for(struct pms_store *s, int64_t claim, int64_t policy,
    int64_t *cents)
{
	sqlite3_stmt *st;
	int rc;

	*cents = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(sum(b.amount_cents), "
	    "0) FROM balances b WHERE b.party = 'pending' AND b.policy_id = ?2 "
	    "AND b.charge_id IN (SELECT charge_id FROM claim_lines WHERE "
	    "claim_id = ?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading balances");
	sqlite3_bind_int64(st, 1, claim);
	sqlite3_bind_int64(st, 2, policy);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cents = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading balances");
	return PMS_OK;
}

/* Whether the claim's payer answered with an 835 posted and not
 * reversed: processed or denied, under the claim's policy. */
static enum pms_status
adjudicated(struct pms_store *s, const struct pms_claim *k, int *yes)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM claim_remit_claims r "
	    "WHERE r.claim_id = ?1 AND r.reversed_by IS NULL AND r.reverses "
	    "IS NULL AND r.status IN ('1', '2', '3', '4') AND r.policy_id = "
	    "?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading postings");
	sqlite3_bind_int64(st, 1, k->id);
	sqlite3_bind_int64(st, 2, k->policy_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading postings");
	*yes = rc == SQLITE_ROW;
	return PMS_OK;
}

/* The claim that follows k already, or 0. */
static enum pms_status
next_of(struct pms_store *s, int64_t claim, int64_t *next)
{
	sqlite3_stmt *st;
	int rc;

	*next = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT id FROM claims WHERE "
	    "prior_claim_id = ?1 ORDER BY id LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	sqlite3_bind_int64(st, 1, claim);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claims");
	return PMS_OK;
}

/* Write the next claim of k, to pol. */
static enum pms_status
next_insert(struct sec *x, const struct pms_claim *k,
    const struct pms_policy *pol)
{
	struct pms_store *s = x->s;
	sqlite3_stmt *st;
	sqlite3_int64 id;
	enum pms_status ps;
	char clm01[PMS_CLM01_MAX + 1], note[PMS_CLAIM_TEXT];
	int rc;

	if ((ps = pms_query_int(s, "SELECT coalesce(max(id), 0) + 1 FROM "
	    "claims", &id)) != PMS_OK)
		return ps;
	snprintf(clm01, sizeof(clm01), "C%06lld", (long long)id);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claims (id, clm01, "
	    "patient_id, visit_id, policy_id, payer_id, payer_seq, part, "
	    "parts, frequency, prior_claim_id, dos_from, dos_to, dx, "
	    "total_cents, state, created_at, created_by, updated_at) SELECT "
	    "?1, ?2, patient_id, visit_id, ?3, ?4, payer_seq + 1, part, parts, "
	    "'1', id, dos_from, dos_to, dx, total_cents, 'draft', ?5, ?6, ?5 "
	    "FROM claims WHERE id = ?7", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, clm01, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pol->id);
	sqlite3_bind_int64(st, 4, pol->payer_id);
	sqlite3_bind_text(st, 5, x->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, pms_store_user(s), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, k->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return pms_seterr(PMS_EREFUSED, "claim %lld: the next claim "
		    "number is taken", (long long)k->id);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim");
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_lines (claim_id, "
	    "lx, charge_id, control, dos, code, modifiers, units, "
	    "amount_cents, dx_pointers) SELECT ?1, lx, charge_id, ?2 || '-' "
	    "|| lx, dos, code, modifiers, units, amount_cents, dx_pointers "
	    "FROM claim_lines WHERE claim_id = ?3 ORDER BY lx", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing claim lines");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, clm01, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, k->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return pms_seterr(PMS_EREFUSED, "claim %lld: a line control "
		    "number of the next claim is taken", (long long)k->id);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing claim lines");
	snprintf(note, sizeof(note), "made, %s of claim %lld",
	    k->payer_seq == 1 ? "secondary" : "tertiary", (long long)k->id);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_history (claim_id, "
	    "at, by_user, from_state, to_state, note) VALUES (?1, ?2, ?3, "
	    "NULL, 'draft', ?4)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, x->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pms_store_user(s), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	x->n->made++;
	return push(&x->made, &x->nmade, &x->capmade, id, 0);
}

/*
 * k replaces a claim whose next claim was made and never sent: that one
 * shows an adjudication the payer no longer stands by, and the claim just
 * made takes its place, so it is voided, never sent.
 */
static enum pms_status
stale_void(struct sec *x, const struct pms_claim *k, const char *which)
{
	struct pms_store *s = x->s;
	sqlite3_stmt *st;
	enum pms_status ps;
	int64_t old[8];
	size_t n = 0, i;
	char note[PMS_CLAIM_TEXT];
	int rc;

	if (k->frequency != '7' || k->original_id == 0)
		return PMS_OK;
	rc = sqlite3_prepare_v2(s->db, "SELECT id FROM claims WHERE "
	    "prior_claim_id = ?1 AND payer_seq = ?2 AND frequency = '1' AND "
	    "state IN ('draft', 'validated') ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	sqlite3_bind_int64(st, 1, k->original_id);
	sqlite3_bind_int(st, 2, k->payer_seq + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < PMS_NELEM(old))
		old[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claims");
	for (i = 0; i < n; i++) {
		snprintf(note, sizeof(note), "never sent: claim %lld, before "
		    "it, is replaced by claim %lld, whose %s claim takes its "
		    "place", (long long)k->original_id, (long long)k->id,
		    which);
		if ((ps = pms_claim_move(s, old[i], PMS_CLAIM_VOIDED, 0,
		    note)) != PMS_OK)
			return ps;
		sreport(x, 1, "claim %lld: the %s claim of claim %lld, which "
		    "claim %lld replaces, was never sent: voided",
		    (long long)old[i], which, (long long)k->original_id,
		    (long long)k->id);
	}
	return PMS_OK;
}

/*
 * k replaces a claim whose next claim was corrected, the correction not
 * sent yet: the correction follows k instead (*moved, its id), and no
 * new claim is made.
 */
static enum pms_status
correction_follow(struct sec *x, const struct pms_claim *k, const char *which,
    int64_t *moved)
{
	struct pms_store *s = x->s;
	sqlite3_stmt *st;
	int64_t id = 0;
	char note[PMS_CLAIM_TEXT], state[32] = "";
	int rc;

	*moved = 0;
	if (k->frequency != '7' || k->original_id == 0)
		return PMS_OK;
	rc = sqlite3_prepare_v2(s->db, "SELECT id, state FROM claims WHERE "
	    "prior_claim_id = ?1 AND payer_seq = ?2 AND frequency IN ('7', "
	    "'8') AND state IN ('draft', 'validated') ORDER BY id LIMIT 1",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	sqlite3_bind_int64(st, 1, k->original_id);
	sqlite3_bind_int(st, 2, k->payer_seq + 1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(state, sizeof(state), "%s", col(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claims");
	if (id == 0)
		return PMS_OK;
	rc = sqlite3_prepare_v2(s->db, "UPDATE claims SET prior_claim_id = "
	    "?2, updated_at = ?3 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, k->id);
	sqlite3_bind_text(st, 3, x->now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim");
	snprintf(note, sizeof(note), "follows claim %lld, which replaces "
	    "claim %lld", (long long)k->id, (long long)k->original_id);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_history (claim_id, "
	    "at, by_user, from_state, to_state, note) VALUES (?1, ?2, ?3, "
	    "?4, ?4, ?5)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, x->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pms_store_user(s), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	sreport(x, 1, "claim %lld, the correction of a %s claim of claim "
	    "%lld, now follows claim %lld, which replaces it: validate and "
	    "export it", (long long)id, which, (long long)k->original_id,
	    (long long)k->id);
	*moved = id;
	return PMS_OK;
}

/*
 * The next claim of claim id.  named: the caller asked for it (what is
 * left is said; with --ready only refusals are).  PMS_OK when made or
 * left (counted); other statuses stop.
 */
static enum pms_status
one(struct sec *x, int64_t id, int named)
{
	struct pms_store *s = x->s;
	struct pms_policy pol[3];
	struct pms_claim k;
	enum pms_status ps;
	int64_t next = 0, pending = 0;
	size_t np = 0, i;
	int yes = 0, seq;
	const char *which;

	x->n->considered++;
	if ((ps = pms_claim_get(s, id, &k)) != PMS_OK)
		return ps;
	seq = k.payer_seq + 1;
	which = seq == 2 ? "secondary" : "tertiary";
	if ((ps = push(&x->pat, &x->npat, &x->cappat, k.patient_id, 1)) !=
	    PMS_OK)
		return ps;
	if (k.payer_seq >= 3) {
		x->n->refused++;
		sreport(x, 0, "claim %lld is a tertiary claim: pms bills no "
		    "payer after the third", (long long)id);
		return PMS_OK;
	}
	if ((ps = next_of(s, id, &next)) != PMS_OK)
		return ps;
	if (next != 0) {
		x->n->already++;
		if (named)
			sreport(x, 1, "claim %lld has its %s claim already: "
			    "claim %lld", (long long)id, which,
			    (long long)next);
		return PMS_OK;
	}
	if (k.state == PMS_CLAIM_CROSSED_OVER) {
		x->n->crossed++;
		if (named)
			sreport(x, 1, "claim %lld was crossed over: its payer "
			    "sent it on to the next payer itself, whose own "
			    "835 follows; no %s claim is made", (long long)id,
			    which);
		return PMS_OK;
	}
	if ((ps = adjudicated(s, &k, &yes)) != PMS_OK)
		return ps;
	if (!yes || (k.state != PMS_CLAIM_PAID &&
	    k.state != PMS_CLAIM_PARTLY_PAID && k.state != PMS_CLAIM_DENIED &&
	    k.state != PMS_CLAIM_CLOSED)) {
		x->n->refused++;
		sreport(x, 0, "claim %lld is %s: its payer's 835 must be "
		    "posted before a %s claim can show what it paid",
		    (long long)id, pms_claim_state_name(k.state), which);
		return PMS_OK;
	}
	if ((ps = correction_follow(x, &k, which, &next)) != PMS_OK)
		return ps;
	if (next != 0) {
		x->n->already++;
		return PMS_OK;
	}
	if ((ps = pms_policy_in_effect(s, k.patient_id, k.dos_from, pol,
	    &np)) != PMS_OK)
		return ps;
	for (i = 0; i < np && pol[i].priority != seq; i++)
		;
	if (i == np) {
		x->n->refused++;
		sreport(x, 0, "claim %lld: patient %lld has no %s policy "
		    "covering the date of service: there is no %s payer to "
		    "bill (pms-patient policy add --priority %s)",
		    (long long)id, (long long)k.patient_id, which, which,
		    which);
		return PMS_OK;
	}
	if ((ps = pending_for(s, id, pol[i].id, &pending)) != PMS_OK)
		return ps;
	if (pending <= 0) {
		x->n->nothing++;
		if (named)
			sreport(x, 1, "claim %lld: nothing is left pending for "
			    "the %s payer: no claim is made", (long long)id,
			    which);
		return PMS_OK;
	}
	if ((ps = next_insert(x, &k, &pol[i])) != PMS_OK)
		return ps;
	return stale_void(x, &k, which);
}

enum pms_status
pms_claim_secondary(struct pms_store *s,
    const struct pms_claim_secondary_opts *o, pms_claim_fn *fn, void *arg,
    struct pms_claim_secondary_count *n)
{
	struct sec x;
	struct pms_claim k, *made = NULL;
	enum pms_status ps;
	int64_t *ids = NULL, *cand = NULL;
	size_t nids, ncand = 0, capcand = 0, i;
	int open = 0;

	memset(&x, 0, sizeof(x));
	memset(n, 0, sizeof(*n));
	x.s = s;
	x.o = o;
	x.n = n;
	pms_instant_fmt((int64_t)time(NULL), x.now);
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	open = 1;
	if (o->ready) {
		sqlite3_stmt *st;
		int rc;

		/* adjudicated, not followed yet, of a patient with a
		 * policy of the next priority: the rest is one()'s; a
		 * crossed-over one while something waits for that policy,
		 * so that it is counted as the named form counts it */
		rc = sqlite3_prepare_v2(s->db, "SELECT k.id FROM claims k "
		    "WHERE k.payer_seq < 3 AND k.state IN ('paid', "
		    "'partly-paid', 'denied', 'closed', 'crossed-over') AND "
		    "NOT EXISTS (SELECT 1 FROM claims n WHERE n.prior_claim_id "
		    "= k.id) AND EXISTS (SELECT 1 FROM policies o WHERE "
		    "o.patient_id = k.patient_id AND o.priority = k.payer_seq "
		    "+ 1 AND coalesce(o.effective_from, '0000') <= k.dos_from "
		    "AND coalesce(o.effective_to, '9999') >= k.dos_from AND "
		    "(k.state <> 'crossed-over' OR EXISTS (SELECT 1 FROM "
		    "balances b JOIN claim_lines l ON l.charge_id = "
		    "b.charge_id WHERE l.claim_id = k.id AND b.party = "
		    "'pending' AND "
		    "b.policy_id = o.id AND b.amount_cents > 0))) ORDER BY "
		    "k.id", -1, &st, NULL);
		if (rc != SQLITE_OK) {
			ps = pms_store_sqlerr(s, rc, "reading claims");
			goto out;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if ((ps = push(&cand, &ncand, &capcand,
			    sqlite3_column_int64(st, 0), 0)) != PMS_OK) {
				sqlite3_finalize(st);
				goto out;
			}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			ps = pms_store_sqlerr(s, rc, "reading claims");
			goto out;
		}
		ids = cand;
		nids = ncand;
	} else {
		ids = (int64_t *)o->ids;
		nids = o->nids;
		/* every id a claim, before anything is made */
		for (i = 0; i < nids; i++)
			if ((ps = pms_claim_get(s, ids[i], &k)) != PMS_OK)
				goto out;
	}
	for (i = 0; i < nids; i++)
		if ((ps = one(&x, ids[i], !o->ready)) != PMS_OK)
			goto out;
	/* what was made, read before the commit: a dry run's is gone
	 * after it */
	if (x.nmade > 0 && (made = calloc(x.nmade, sizeof(*made))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < x.nmade; i++)
		if ((ps = pms_claim_get(s, x.made[i], &made[i])) != PMS_OK)
			goto out;
	if ((ps = pms_audit_append(s, "claim.secondary", "claims,claim_lines,"
	    "policies.priority,claim_adjudications", x.pat, x.npat)) !=
	    PMS_OK)
		goto out;
	/* a dry run keeps nothing, not even the entry of a run that made
	 * nothing (which the commit would keep as a read) */
	if (pms_store_dry_run(s))
		pms_store_rollback(s);
	else
		ps = pms_store_commit(s);
	open = 0;
	if (ps != PMS_OK)
		goto out;
	for (i = 0; i < x.nmade && fn != NULL; i++)
		if (fn(arg, &made[i]) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
out:
	if (open)
		pms_store_rollback(s);
	free(cand);
	free(made);
	free(x.made);
	free(x.pat);
	return ps;
}
