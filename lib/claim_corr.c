/*
 * claim_corr.c: corrections of claims (claim.h, "corrections"): a claim
 * rejected at the front end sent again, a replacement (frequency 7) or
 * void (frequency 8) of a claim the payer saw, and the chain of a
 * claim's corrections with its history.
 *
 * A claim the payer never saw (rejected by the clearinghouse's 999,
 * TA1 or 277CA) is the same claim sent again: its CLM01 was never
 * adjudicated, so it keeps it, and it goes back to draft with its lines
 * read again from the visit's charges, for validate and export.  A
 * claim the payer saw is never changed: a new claim, with its own
 * CLM01 and line numbers, names it (original_id) and carries its payer
 * claim number (REF*F8); the original becomes replaced or voided when
 * the new one is sent (export), not before, for until then the payer
 * still has only the original.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "claim.h"
#include "pms_int.h"

#define CORR_FIELDS	"claims,claim_lines,claim_history"

static void
copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return;
	n = src != NULL ? strnlen(src, size - 1) : 0;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "1,3" into at most max numbers; -1 when one is not a number 1..99. */
static int
ptrs_parse(const char *s, int *v, size_t max)
{
	size_t n = 0;
	int x;

	while (*s != '\0') {
		if (*s < '0' || *s > '9' || n == max)
			return -1;
		for (x = 0; *s >= '0' && *s <= '9'; s++)
			if ((x = x * 10 + (*s - '0')) > 99)
				return -1;
		if (x < 1)
			return -1;
		v[n++] = x;
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -1;
	}
	return (int)n;
}

/* A payer claim number as given: 1 to 50 letters, digits and "-". */
static int
pcn_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 50)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* ---- the lines of a correction ---- */

struct cline {
	int64_t		 charge_id;
	char		 dos[PMS_DATE_BUFSZ];
	char		 code[PMS_CODE_BUFSZ];
	char		 modifiers[PMS_MODS_BUFSZ];
	int		 units;
	int64_t		 amount_cents;
	char		 ptrs[32];	/* into the claim's dx */
};

struct cset {
	struct cline	 v[PMS_CLAIM_LINES_MAX];
	size_t		 n;
	char		 dx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ];
	int64_t		 total;
	char		 from[PMS_DATE_BUFSZ], to[PMS_DATE_BUFSZ];
};

/* The visit's charges, gathered. */
struct vcharges {
	struct pms_charge *v;
	size_t		 n, cap;
};

static int
gather_charge(void *arg, const struct pms_charge *c)
{
	struct vcharges *vc = arg;
	struct pms_charge *nv;
	size_t cap;

	if (vc->n == vc->cap) {
		cap = vc->cap == 0 ? 16 : vc->cap * 2;
		if ((nv = realloc(vc->v, cap * sizeof(*nv))) == NULL)
			return 1;
		vc->v = nv;
		vc->cap = cap;
	}
	vc->v[vc->n++] = *c;
	return 0;
}

/* Is charge on a line of claim (claim 0: of any claim to payer)? */
static enum pms_status
on_claim(struct pms_store *s, int64_t charge, int64_t claim, int64_t payer,
    int *yes)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM claim_lines l JOIN "
	    "claims k ON k.id = l.claim_id WHERE l.charge_id = ?1 AND (k.id "
	    "= ?2 OR (?2 = 0 AND k.payer_id = ?3))", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claim lines");
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_int64(st, 2, claim);
	sqlite3_bind_int64(st, 3, payer);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claim lines");
	*yes = rc == SQLITE_ROW;
	return PMS_OK;
}

/*
 * The lines of claim k as the visit's charges are now: each charge of
 * its lines that is not void (nor exclude), and for a claim of one part
 * every service line of the visit on no claim to that payer yet (a
 * charge added since), in the visit's order.  The diagnoses: the
 * visit's, or for a part those its lines point at, renumbered.
 */
static enum pms_status
lines_read(struct pms_store *s, const struct pms_claim *k, int64_t exclude,
    struct cset *cs)
{
	struct pms_visit v;
	struct vcharges vc = { NULL, 0, 0 };
	struct pms_charge *c;
	struct cline *l;
	enum pms_status ps;
	int used[PMS_DX_MAX_VISIT], ptrs[PMS_DX_MAX_LINE + 1];
	int np, j, yes, all, ndx = 0;
	size_t i, len;

	memset(cs, 0, sizeof(*cs));
	memset(used, 0, sizeof(used));
	if ((ps = pms_bill_visit_get(s, k->visit_id, &v)) != PMS_OK)
		return ps;
	if ((ps = pms_bill_visit_charges(s, k->visit_id, gather_charge,
	    &vc)) != PMS_OK) {
		if (ps == PMS_EIO)
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	all = k->parts == 1 && v.ndx <= PMS_CLAIM_DX_MAX;
	for (i = 0; i < vc.n; i++) {
		c = &vc.v[i];
		if (c->id == exclude || strcmp(c->status, "void") == 0 ||
		    strcmp(c->kind, "service") != 0 || c->patient_only)
			continue;
		if ((ps = on_claim(s, c->id, k->id, 0, &yes)) != PMS_OK)
			goto out;
		if (!yes && k->parts == 1) {
			if ((ps = on_claim(s, c->id, 0, k->payer_id, &yes)) !=
			    PMS_OK)
				goto out;
			yes = !yes;
		}
		if (!yes)
			continue;
		np = ptrs_parse(c->dx_pointers, ptrs, PMS_DX_MAX_LINE);
		if (strcmp(c->status, "needs-coding") == 0 || np <= 0) {
			ps = pms_seterr(PMS_EREFUSED, "claim %lld: charge %lld "
			    "has no diagnosis pointer: code it first (pms-bill "
			    "code %lld)", (long long)k->id, (long long)c->id,
			    (long long)c->id);
			goto out;
		}
		if (cs->n == PMS_CLAIM_LINES_MAX) {
			ps = pms_seterr(PMS_EREFUSED, "claim %lld: more than "
			    "%d lines: a claim carries at most %d",
			    (long long)k->id, PMS_CLAIM_LINES_MAX,
			    PMS_CLAIM_LINES_MAX);
			goto out;
		}
		for (j = 0; j < np; j++)
			if ((size_t)ptrs[j] > v.ndx) {
				ps = pms_seterr(PMS_EREFUSED, "claim %lld: "
				    "charge %lld: pointer %d points past the "
				    "visit's %zu diagnoses", (long long)k->id,
				    (long long)c->id, ptrs[j], v.ndx);
				goto out;
			} else
				used[ptrs[j] - 1] = -1;
		l = &cs->v[cs->n++];
		l->charge_id = c->id;
		copy(l->dos, sizeof(l->dos), c->dos);
		copy(l->code, sizeof(l->code), c->code);
		copy(l->modifiers, sizeof(l->modifiers), c->modifiers);
		l->units = c->units;
		l->amount_cents = c->amount_cents;
		copy(l->ptrs, sizeof(l->ptrs), c->dx_pointers);
		cs->total += c->amount_cents;
		if (cs->from[0] == '\0' || strcmp(c->dos, cs->from) < 0)
			copy(cs->from, sizeof(cs->from), c->dos);
		if (cs->to[0] == '\0' || strcmp(c->dos, cs->to) > 0)
			copy(cs->to, sizeof(cs->to), c->dos);
	}
	if (cs->n == 0) {
		ps = pms_seterr(PMS_EREFUSED, "claim %lld: no line is left to "
		    "claim: void the claim instead (pms-claim void %lld)",
		    (long long)k->id, (long long)k->id);
		goto out;
	}
	/* the claim's diagnoses, and each line's pointers into them */
	len = 0;
	for (i = 0; i < v.ndx && i < PMS_DX_MAX_VISIT; i++)
		if (all || used[i] != 0) {
			used[i] = ++ndx;
			len += (size_t)snprintf(cs->dx + len, len <
			    sizeof(cs->dx) ? sizeof(cs->dx) - len : 0, "%s%s",
			    len > 0 ? "," : "", v.dx[i]);
		}
	if (ndx > PMS_CLAIM_DX_MAX) {
		ps = pms_seterr(PMS_EREFUSED, "claim %lld: its lines point at "
		    "more than %d diagnoses", (long long)k->id,
		    PMS_CLAIM_DX_MAX);
		goto out;
	}
	for (i = 0; i < cs->n; i++) {
		l = &cs->v[i];
		np = ptrs_parse(l->ptrs, ptrs, PMS_DX_MAX_LINE);
		for (j = 0, len = 0; j < np; j++)
			len += (size_t)snprintf(l->ptrs + len, len <
			    sizeof(l->ptrs) ? sizeof(l->ptrs) - len : 0,
			    "%s%d", j > 0 ? "," : "", used[ptrs[j] - 1]);
	}
	ps = PMS_OK;
out:
	free(vc.v);
	return ps;
}

/* The lines of claim id as they are, for a void. */
static enum pms_status
lines_copy(struct pms_store *s, const struct pms_claim *k, struct cset *cs)
{
	sqlite3_stmt *st;
	struct cline *l;
	size_t len = 0, i;
	int rc;

	memset(cs, 0, sizeof(*cs));
	rc = sqlite3_prepare_v2(s->db, "SELECT charge_id, dos, code, "
	    "modifiers, units, amount_cents, dx_pointers FROM claim_lines "
	    "WHERE claim_id = ?1 ORDER BY lx", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claim lines");
	sqlite3_bind_int64(st, 1, k->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    cs->n < PMS_CLAIM_LINES_MAX) {
		l = &cs->v[cs->n++];
		l->charge_id = sqlite3_column_int64(st, 0);
		copy(l->dos, sizeof(l->dos),
		    (const char *)sqlite3_column_text(st, 1));
		copy(l->code, sizeof(l->code),
		    (const char *)sqlite3_column_text(st, 2));
		copy(l->modifiers, sizeof(l->modifiers),
		    (const char *)sqlite3_column_text(st, 3));
		l->units = sqlite3_column_int(st, 4);
		l->amount_cents = sqlite3_column_int64(st, 5);
		copy(l->ptrs, sizeof(l->ptrs),
		    (const char *)sqlite3_column_text(st, 6));
		cs->total += l->amount_cents;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading claim lines");
	for (i = 0; i < k->ndx; i++)
		len += (size_t)snprintf(cs->dx + len, len < sizeof(cs->dx) ?
		    sizeof(cs->dx) - len : 0, "%s%s", len > 0 ? "," : "",
		    k->dx[i]);
	copy(cs->from, sizeof(cs->from), k->dos_from);
	copy(cs->to, sizeof(cs->to), k->dos_to);
	return PMS_OK;
}

/* Do the lines of claim id differ from cs? */
static enum pms_status
lines_differ(struct pms_store *s, int64_t id, const struct cset *cs,
    const char *dx, int *differ)
{
	sqlite3_stmt *st;
	const struct cline *l;
	size_t n = 0;
	int rc;

	*differ = strcmp(dx, cs->dx) != 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT charge_id, dos, code, "
	    "modifiers, units, amount_cents, dx_pointers FROM claim_lines "
	    "WHERE claim_id = ?1 ORDER BY lx", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claim lines");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cs->n) {
			*differ = 1;
			break;
		}
		l = &cs->v[n++];
		if (sqlite3_column_int64(st, 0) != l->charge_id ||
		    strcmp((const char *)sqlite3_column_text(st, 1),
		    l->dos) != 0 ||
		    strcmp((const char *)sqlite3_column_text(st, 2),
		    l->code) != 0 ||
		    strcmp((const char *)sqlite3_column_text(st, 3),
		    l->modifiers) != 0 ||
		    sqlite3_column_int(st, 4) != l->units ||
		    sqlite3_column_int64(st, 5) != l->amount_cents ||
		    strcmp((const char *)sqlite3_column_text(st, 6),
		    l->ptrs) != 0)
			*differ = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading claim lines");
	if (n != cs->n)
		*differ = 1;
	return PMS_OK;
}

/* Write cs as the lines of claim id (CLM01 clm01): REF*6R CLM01-lx. */
static enum pms_status
lines_write(struct pms_store *s, int64_t id, const char *clm01,
    const struct cset *cs)
{
	sqlite3_stmt *st;
	char ctl[PMS_CLAIM_CONTROL];
	size_t i;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_lines (claim_id, "
	    "lx, charge_id, control, dos, code, modifiers, units, "
	    "amount_cents, dx_pointers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim line");
	for (i = 0; i < cs->n; i++) {
		snprintf(ctl, sizeof(ctl), "%s-%zu", clm01, i + 1);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)i + 1);
		sqlite3_bind_int64(st, 3, cs->v[i].charge_id);
		sqlite3_bind_text(st, 4, ctl, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, cs->v[i].dos, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, cs->v[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, cs->v[i].modifiers, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 8, cs->v[i].units);
		sqlite3_bind_int64(st, 9, cs->v[i].amount_cents);
		sqlite3_bind_text(st, 10, cs->v[i].ptrs, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return pms_store_sqlerr(s, rc, "writing a claim line");
		}
	}
	sqlite3_finalize(st);
	return PMS_OK;
}

static enum pms_status
history_created(struct pms_store *s, int64_t id, const char *at,
    const char *note)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_history (claim_id, "
	    "at, by_user, from_state, to_state, note) VALUES (?1, ?2, ?3, "
	    "NULL, 'draft', ?4)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pms_store_user(s), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	return PMS_OK;
}

/* A new claim of frequency freq for original k with lines cs: *idp. */
static enum pms_status
claim_new(struct pms_store *s, const struct pms_claim *k, char freq,
    const struct cset *cs, int64_t *idp)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	enum pms_status ps;
	char clm01[PMS_CLM01_MAX + 1], at[PMS_STAMP_BUFSZ], f[2], note[96];
	int rc;

	pms_instant_fmt((int64_t)time(NULL), at);
	if ((ps = pms_query_int(s, "SELECT coalesce(max(id), 0) + 1 FROM "
	    "claims", &id)) != PMS_OK)
		return ps;
	snprintf(clm01, sizeof(clm01), "C%06lld", (long long)id);
	f[0] = freq;
	f[1] = '\0';
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claims (id, clm01, "
	    "patient_id, visit_id, policy_id, payer_id, payer_seq, part, "
	    "parts, frequency, original_id, dos_from, dos_to, dx, "
	    "total_cents, state, created_at, created_by, updated_at, "
	    "prior_claim_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, 'draft', ?16, ?17, ?16, ?18)", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, clm01, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, k->patient_id);
	sqlite3_bind_int64(st, 4, k->visit_id);
	sqlite3_bind_int64(st, 5, k->policy_id);
	sqlite3_bind_int64(st, 6, k->payer_id);
	sqlite3_bind_int(st, 7, k->payer_seq);
	sqlite3_bind_int(st, 8, k->part);
	sqlite3_bind_int(st, 9, k->parts);
	sqlite3_bind_text(st, 10, f, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, k->id);
	sqlite3_bind_text(st, 12, cs->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, cs->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, cs->dx, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, cs->total);
	sqlite3_bind_text(st, 16, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, pms_store_user(s), -1, SQLITE_STATIC);
	/* a secondary's correction follows the same payers before it */
	if (k->prior_claim_id != 0)
		sqlite3_bind_int64(st, 18, k->prior_claim_id);
	else
		sqlite3_bind_null(st, 18);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim");
	if ((ps = lines_write(s, id, clm01, cs)) != PMS_OK)
		return ps;
	snprintf(note, sizeof(note), "made: %s claim %lld (frequency %c)",
	    freq == '7' ? "replaces" : "voids", (long long)k->id, freq);
	if ((ps = history_created(s, id, at, note)) != PMS_OK)
		return ps;
	*idp = id;
	return PMS_OK;
}

/* The correction of k not sent yet (draft or validated): *idp, or 0. */
static enum pms_status
pending_correction(struct pms_store *s, int64_t k, int64_t *idp)
{
	sqlite3_stmt *st;
	int rc;

	*idp = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT id FROM claims WHERE "
	    "original_id = ?1 AND state IN ('draft', 'validated') ORDER BY id "
	    "LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	sqlite3_bind_int64(st, 1, k);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*idp = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claims");
	return PMS_OK;
}

/*
 * A claim a 277CA A5 split has no number of its own, only those of the
 * claims the payer made of it: PMS_EREFUSED naming them, so that the
 * clerk gives the one to correct; PMS_OK when it was not split.
 */
static enum pms_status
split_into(struct pms_store *s, int64_t id, const char *verb)
{
	sqlite3_stmt *st;
	char list[PMS_CLAIM_TEXT * 2] = "";
	size_t n = 0, len;
	const char *v;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT value FROM claim_refs WHERE "
	    "claim_id = ?1 AND kind = 'split' ORDER BY value", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(st, 0);
		len = strlen(list);
		if (v == NULL || !pms_quotable(v) || len + strlen(v) + 3 >=
		    sizeof(list))
			continue;
		snprintf(list + len, sizeof(list) - len, "%s%s",
		    n > 0 ? ", " : "", v);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claims");
	if (n == 0)
		return PMS_OK;
	return pms_seterr(PMS_EREFUSED, "claim %lld was split by the payer "
	    "(277CA A5) into %s: it has no number of its own; give the one "
	    "of the part to %s with --payer-claim-number", (long long)id,
	    list, verb);
}

/* Did the payer see claim k, and does pms know its number?  Set from
 * pcn when given and none is known.  PMS_EREFUSED saying what to do. */
static enum pms_status
payer_saw(struct pms_store *s, struct pms_claim *k, const char *pcn,
    const char *verb)
{
	enum pms_claim_class cls = pms_claim_state_class(k->state);
	sqlite3_stmt *st;
	int64_t other;
	enum pms_status ps;
	int rc;

	if (k->state == PMS_CLAIM_REPLACED || k->state == PMS_CLAIM_VOIDED) {
		if (k->replaced_by != 0)
			return pms_seterr(PMS_EREFUSED, "claim %lld is %s "
			    "already, by claim %lld: correct that one instead",
			    (long long)k->id, pms_claim_state_name(k->state),
			    (long long)k->replaced_by);
		return pms_seterr(PMS_EREFUSED, "claim %lld is %s already",
		    (long long)k->id, pms_claim_state_name(k->state));
	}
	if ((ps = pending_correction(s, k->id, &other)) != PMS_OK)
		return ps;
	if (other != 0)
		return pms_seterr(PMS_EREFUSED, "claim %lld: its correction, "
		    "claim %lld, is waiting to be sent: validate and export "
		    "it, or pms-claim void %lld to withdraw it",
		    (long long)k->id, (long long)other, (long long)other);
	if (cls == PMS_CLAIM_UNSENT) {
		/* sent once, rejected, and back to draft (its charges
		 * corrected): it goes again as it is */
		rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM claim_history "
		    "WHERE claim_id = ?1 AND to_state = 'submitted'", -1, &st,
		    NULL);
		if (rc != SQLITE_OK)
			return pms_store_sqlerr(s, rc, "reading a claim's "
			    "history");
		sqlite3_bind_int64(st, 1, k->id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return pms_store_sqlerr(s, rc, "reading a claim's "
			    "history");
		if (rc == SQLITE_ROW)
			return pms_seterr(PMS_EREFUSED, "claim %lld is back "
			    "to %s already, to go again as it was: nothing to "
			    "%s with the payer; pms-claim validate and export "
			    "it", (long long)k->id,
			    pms_claim_state_name(k->state), verb);
	}
	if (cls == PMS_CLAIM_UNSENT)
		return pms_seterr(PMS_EREFUSED, "claim %lld was never sent: "
		    "nothing to %s with the payer; fix what it carries, then "
		    "pms-claim validate and export it (or pms-bill void its "
		    "charges)", (long long)k->id, verb);
	if (cls == PMS_CLAIM_FRONT_END)
		return pms_seterr(PMS_EREFUSED, "claim %lld was rejected "
		    "before the payer saw it: nothing to %s; fix it and "
		    "pms-claim resubmit %lld to send it again as an original",
		    (long long)k->id, verb, (long long)k->id);
	if (k->payer_claim_number[0] == '\0' && (pcn == NULL || *pcn ==
	    '\0') && (ps = split_into(s, k->id, verb)) != PMS_OK)
		return ps;
	if (k->payer_claim_number[0] == '\0' && (pcn == NULL || *pcn ==
	    '\0'))
		return pms_seterr(PMS_EREFUSED, "claim %lld: the payer's claim "
		    "number (835 CLP07, 277CA REF*1K) is not known, and a %s "
		    "carries it (REF*F8): wait for the payer's answer, or give "
		    "it with --payer-claim-number", (long long)k->id,
		    strcmp(verb, "void") == 0 ? "void" : "replacement");
	if (pcn == NULL || *pcn == '\0')
		return PMS_OK;
	if (k->payer_claim_number[0] != '\0') {
		if (strcmp(k->payer_claim_number, pcn) == 0)
			return PMS_OK;
		return pms_seterr(PMS_EREFUSED, "claim %lld: the payer's claim "
		    "number is known already, and is not the one given: leave "
		    "--payer-claim-number out", (long long)k->id);
	}
	rc = sqlite3_prepare_v2(s->db, "UPDATE claims SET payer_claim_number "
	    "= ?2 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim");
	sqlite3_bind_int64(st, 1, k->id);
	sqlite3_bind_text(st, 2, pcn, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim");
	copy(k->payer_claim_number, sizeof(k->payer_claim_number), pcn);
	return PMS_OK;
}

/* ---- resubmit, void ---- */

/* Claim k sent again as it is: back to draft, its lines read again. */
static enum pms_status
resend(struct pms_store *s, const struct pms_claim *k)
{
	struct cset *cs;
	sqlite3_stmt *st;
	enum pms_status ps;
	char dx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ], note[128];
	size_t i, len = 0;
	int differ, rc;

	if ((cs = malloc(sizeof(*cs))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((ps = lines_read(s, k, 0, cs)) != PMS_OK)
		goto out;
	dx[0] = '\0';
	for (i = 0; i < k->ndx; i++)
		len += (size_t)snprintf(dx + len, len < sizeof(dx) ?
		    sizeof(dx) - len : 0, "%s%s", len > 0 ? "," : "",
		    k->dx[i]);
	if ((ps = lines_differ(s, k->id, cs, dx, &differ)) != PMS_OK)
		goto out;
	if (differ) {
		rc = sqlite3_prepare_v2(s->db, "DELETE FROM claim_lines WHERE "
		    "claim_id = ?1", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, k->id);
			rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK :
			    sqlite3_errcode(s->db);
			sqlite3_finalize(st);
		}
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(s->db, "UPDATE claims SET dx = "
			    "?2, total_cents = ?3, dos_from = ?4, dos_to = ?5 "
			    "WHERE id = ?1", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, k->id);
			sqlite3_bind_text(st, 2, cs->dx, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, cs->total);
			sqlite3_bind_text(st, 4, cs->from, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, cs->to, -1, SQLITE_STATIC);
			rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK :
			    sqlite3_errcode(s->db);
			sqlite3_finalize(st);
		}
		if (rc != SQLITE_OK) {
			ps = pms_store_sqlerr(s, rc, "writing a claim");
			goto out;
		}
		if ((ps = lines_write(s, k->id, k->clm01, cs)) != PMS_OK)
			goto out;
	}
	if (k->state == PMS_CLAIM_DRAFT)
		goto out;
	snprintf(note, sizeof(note), "resubmit: to go again as %s%s",
	    k->frequency == '1' ? "an original (frequency 1)" :
	    "it was (frequency 7)", differ ? "; lines read again from the "
	    "charges" : "");
	ps = pms_claim_move(s, k->id, PMS_CLAIM_DRAFT, 0, note);
out:
	free(cs);
	return ps;
}

/*
 * The correction k (frequency 7 or 8), made by mistake and never sent,
 * withdrawn: voided unsent, as pms-bill void --correct-claim voids an
 * unsent replacement, with a row on the claim it corrects, whose state
 * it never changed (that happens only when a correction is sent).
 * *done is 0 when k was sent once (rejected and back to draft): the
 * payer may have seen it, so it is not pms's to withdraw.
 */
static enum pms_status
withdraw(struct pms_store *s, const struct pms_claim *k, int *done)
{
	struct pms_claim o;
	sqlite3_stmt *st;
	enum pms_status ps;
	char at[PMS_STAMP_BUFSZ], note[128];
	int rc;

	*done = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM claim_history WHERE "
	    "claim_id = ?1 AND to_state = 'submitted'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim's history");
	sqlite3_bind_int64(st, 1, k->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return PMS_OK;
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading a claim's history");
	if ((ps = pms_claim_get(s, k->original_id, &o)) != PMS_OK)
		return ps;
	snprintf(note, sizeof(note), "never sent: withdrawn (void); claim "
	    "%lld stays %s", (long long)o.id, pms_claim_state_name(o.state));
	if ((ps = pms_claim_move(s, k->id, PMS_CLAIM_VOIDED, 0, note)) !=
	    PMS_OK)
		return ps;
	pms_instant_fmt((int64_t)time(NULL), at);
	snprintf(note, sizeof(note), "its %s, claim %lld (frequency %c), "
	    "withdrawn, never sent", k->frequency == '7' ? "replacement" :
	    "void", (long long)k->id, k->frequency);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_history (claim_id, "
	    "at, by_user, from_state, to_state, note) VALUES (?1, ?2, ?3, "
	    "?4, ?4, ?5)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	sqlite3_bind_int64(st, 1, o.id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pms_store_user(s), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, pms_claim_state_name(o.state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	*done = 1;
	return PMS_OK;
}

/* Correct claim id: resubmit (freq '7') or void ('8'); *made gets the
 * claim to send (id itself when it is sent again). */
static enum pms_status
correct_one(struct pms_store *s, int64_t id, char freq, const char *pcn,
    int64_t exclude, int64_t *made, int64_t *patient)
{
	struct pms_claim k;
	struct cset *cs = NULL;
	enum pms_status ps;
	int done;

	*made = 0;
	if ((ps = pms_claim_get(s, id, &k)) != PMS_OK)
		return ps;
	*patient = k.patient_id;
	if (freq == '7' && (k.state == PMS_CLAIM_REJECTED ||
	    (k.frequency == '7' && pms_claim_state_class(k.state) ==
	    PMS_CLAIM_UNSENT))) {
		if (pcn != NULL && *pcn != '\0')
			return pms_seterr(PMS_EUSAGE, "claim %lld: the payer "
			    "never adjudicated it: --payer-claim-number does "
			    "not apply", (long long)id);
		if ((ps = resend(s, &k)) != PMS_OK)
			return ps;
		*made = id;
		return PMS_OK;
	}
	if (freq == '8' && k.original_id != 0 && k.frequency != '1' &&
	    pms_claim_state_class(k.state) == PMS_CLAIM_UNSENT) {
		/* a correction made and never sent: withdrawn */
		if ((ps = withdraw(s, &k, &done)) != PMS_OK)
			return ps;
		if (done) {
			*made = id;
			return PMS_OK;
		}
	}
	if (k.frequency == '8')
		return pms_seterr(PMS_EREFUSED, "claim %lld is a void "
		    "(frequency 8): nothing to %s", (long long)id, freq == '7' ?
		    "resubmit" : "void");
	if ((ps = payer_saw(s, &k, pcn, freq == '7' ? "resubmit" : "void")) !=
	    PMS_OK)
		return ps;
	if ((cs = malloc(sizeof(*cs))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if (freq == '7')
		ps = lines_read(s, &k, exclude, cs);
	else
		ps = lines_copy(s, &k, cs);
	if (ps == PMS_OK)
		ps = claim_new(s, &k, freq, cs, made);
	free(cs);
	return ps;
}

static enum pms_status
correct(struct pms_store *s, const int64_t *ids, size_t n, const char *pcn,
    char freq, int dry_run, pms_claim_fn *fn, void *arg)
{
	struct pms_claim *out = NULL;
	int64_t *pat = NULL, made;
	enum pms_status ps;
	size_t i, j;

	if (n == 0)
		return pms_seterr(PMS_EUSAGE, "no claim named");
	if (pcn != NULL && !pcn_ok(pcn))
		return pms_seterr(PMS_EUSAGE, "--payer-claim-number: 1 to 50 "
		    "letters, digits and \"-\"");
	if (pcn != NULL && n > 1)
		return pms_seterr(PMS_EUSAGE, "--payer-claim-number names the "
		    "number of one claim: name one");
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (ids[i] == ids[j])
				return pms_seterr(PMS_EUSAGE, "claim %lld "
				    "named twice", (long long)ids[i]);
	if ((out = calloc(n, sizeof(*out))) == NULL ||
	    (pat = calloc(n, sizeof(*pat))) == NULL) {
		free(out);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	for (i = 0; i < n; i++) {
		if ((ps = correct_one(s, ids[i], freq, pcn, 0, &made,
		    &pat[i])) != PMS_OK)
			goto fail;
		if ((ps = pms_claim_get(s, made, &out[i])) != PMS_OK)
			goto fail;
	}
	if (dry_run) {
		pms_store_rollback(s);
	} else {
		if ((ps = pms_audit_append(s, freq == '7' ? "claim.resubmit" :
		    "claim.void", CORR_FIELDS, pat, n)) != PMS_OK ||
		    (ps = pms_store_commit(s)) != PMS_OK)
			goto fail;
	}
	for (i = 0; fn != NULL && i < n; i++)
		if (fn(arg, &out[i]) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	goto done;
fail:
	pms_store_rollback(s);
done:
	free(out);
	free(pat);
	return ps;
}

enum pms_status
pms_claim_resubmit(struct pms_store *s, const int64_t *ids, size_t n,
    const char *pcn, int dry_run, pms_claim_fn *fn, void *arg)
{
	return correct(s, ids, n, pcn, '7', dry_run, fn, arg);
}

enum pms_status
pms_claim_void(struct pms_store *s, const int64_t *ids, size_t n,
    const char *pcn, int dry_run, pms_claim_fn *fn, void *arg)
{
	return correct(s, ids, n, pcn, '8', dry_run, fn, arg);
}

/* ---- a billed charge voided ---- */

enum pms_status
pms_claim_void_charge(struct pms_store *s, int64_t charge, const char *reason,
    int dry_run, pms_claim_fn *fn, void *arg)
{
	struct pms_claim *out = NULL, k;
	struct pms_charge ch;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int64_t ids[8], made, patient;
	size_t n = 0, nout = 0, i;
	int rc, others;

	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_bill_charge_get(s, charge, &ch)) != PMS_OK)
		goto fail;
	patient = ch.patient_id;
	/* the claims that carry it and are still in force */
	rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT k.id FROM claim_lines "
	    "l JOIN claims k ON k.id = l.claim_id WHERE l.charge_id = ?1 AND "
	    "k.state NOT IN ('replaced', 'voided') AND k.frequency <> '8' AND "
	    "NOT EXISTS (SELECT 1 FROM claims r WHERE r.original_id = k.id "
	    "AND r.state NOT IN ('replaced', 'voided')) ORDER BY k.id", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, charge);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < PMS_NELEM(ids))
		ids[n++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	/* the charge first: its lines are left off what is read again */
	if ((ps = pms_bill_void(s, charge, reason, 1, 0)) != PMS_OK)
		goto fail;
	/* two for each: a replacement voided unsent, and the void */
	if (n > 0 && (out = calloc(2 * n, sizeof(*out))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((ps = pms_claim_get(s, ids[i], &k)) != PMS_OK)
			goto fail;
		if (pms_claim_state_class(k.state) == PMS_CLAIM_UNSENT ||
		    k.state == PMS_CLAIM_REJECTED) {
			/* the payer never saw it: its lines are read again
			 * (none left: an original stays as it is, for
			 * validate to void it) */
			ps = resend(s, &k);
			if (ps == PMS_EREFUSED && k.frequency == '7' &&
			    k.original_id != 0 &&
			    pms_claim_state_class(k.state) ==
			    PMS_CLAIM_UNSENT) {
				/* a replacement waiting to be sent with
				 * nothing left to claim: never sent, voided;
				 * the claim it replaces is voided with the
				 * payer instead (frequency 8) */
				if ((ps = pms_claim_move(s, k.id,
				    PMS_CLAIM_VOIDED, 0, "never sent: no line "
				    "of it is left to claim (void)")) !=
				    PMS_OK || (ps = pms_claim_get(s, k.id,
				    &out[nout++])) != PMS_OK)
					goto fail;
				if ((ps = correct_one(s, k.original_id, '8',
				    NULL, charge, &made, &patient)) !=
				    PMS_OK) {
					if (ps == PMS_EREFUSED) {
						char why[512];

						copy(why, sizeof(why),
						    pms_errmsg());
						ps = pms_seterr(PMS_EREFUSED,
						    "charge %lld is on a claim "
						    "sent: %s",
						    (long long)charge, why);
					}
					goto fail;
				}
				if ((ps = pms_claim_get(s, made,
				    &out[nout++])) != PMS_OK)
					goto fail;
				continue;
			}
			if (ps == PMS_EREFUSED)
				continue;
			if (ps != PMS_OK || (ps = pms_claim_get(s, k.id,
			    &out[nout++])) != PMS_OK)
				goto fail;
			continue;
		}
		rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM "
		    "claim_lines l JOIN charges c ON c.id = l.charge_id WHERE "
		    "l.claim_id = ?1 AND c.status <> 'void'", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, k.id);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			goto sqlfail;
		others = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (k.payer_claim_number[0] == '\0' && k.frequency != '8') {
			/* the number can be given to pms-claim only */
			ps = pms_seterr(PMS_EREFUSED, "charge %lld is on a "
			    "claim sent: claim %lld: the payer's claim number "
			    "(835 CLP07, 277CA REF*1K) is not known, and a %s "
			    "carries it (REF*F8): wait for the payer's answer, "
			    "or give it with pms-claim %s %lld "
			    "--payer-claim-number N, then void the charge "
			    "again", (long long)charge, (long long)k.id,
			    others > 0 ? "replacement" : "void", others > 0 ?
			    "resubmit" : "void", (long long)k.id);
			goto fail;
		}
		if ((ps = correct_one(s, k.id, others > 0 ? '7' : '8', NULL,
		    charge, &made, &patient)) != PMS_OK) {
			if (ps == PMS_EREFUSED) {
				char why[512];

				copy(why, sizeof(why), pms_errmsg());
				ps = pms_seterr(PMS_EREFUSED, "charge %lld is "
				    "on a claim sent: %s", (long long)charge,
				    why);
			}
			goto fail;
		}
		if ((ps = pms_claim_get(s, made, &out[nout++])) != PMS_OK)
			goto fail;
	}
	if (dry_run)
		pms_store_rollback(s);
	else {
		if ((ps = pms_audit_append(s, "bill.void", "status", &patient,
		    1)) != PMS_OK)
			goto fail;
		for (i = 0; i < nout; i++)
			if (out[i].frequency != '8' &&
			    out[i].state != PMS_CLAIM_VOIDED)
				break;
		if (i < nout && (ps = pms_audit_append(s, "claim.resubmit",
		    CORR_FIELDS, &patient, 1)) != PMS_OK)
			goto fail;
		for (i = 0; i < nout; i++)
			if (out[i].frequency == '8' ||
			    out[i].state == PMS_CLAIM_VOIDED)
				break;
		if (i < nout && (ps = pms_audit_append(s, "claim.void",
		    CORR_FIELDS, &patient, 1)) != PMS_OK)
			goto fail;
		if ((ps = pms_store_commit(s)) != PMS_OK)
			goto fail;
	}
	for (i = 0; fn != NULL && i < nout; i++)
		if (fn(arg, &out[i]) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	free(out);
	return ps;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "voiding a charge");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	free(out);
	return ps;
}

/* ---- sent: the original superseded ---- */

enum pms_status
pms_claim_corr_sent(struct pms_store *s, int64_t id, int64_t batch)
{
	struct pms_claim k, o;
	enum pms_claim_state to;
	enum pms_status ps;
	char note[96];

	if ((ps = pms_claim_get(s, id, &k)) != PMS_OK)
		return ps;
	if (k.frequency == '1' || k.original_id == 0)
		return PMS_OK;
	if ((ps = pms_claim_get(s, k.original_id, &o)) != PMS_OK)
		return ps;
	to = k.frequency == '7' ? PMS_CLAIM_REPLACED : PMS_CLAIM_VOIDED;
	if (o.state == to || !pms_claim_may(o.state, to))
		return PMS_OK;
	snprintf(note, sizeof(note), "%s by claim %lld (frequency %c), sent",
	    to == PMS_CLAIM_REPLACED ? "replaced" : "voided", (long long)id,
	    k.frequency);
	return pms_claim_move(s, o.id, to, batch, note);
}

/* ---- the chain ---- */

enum pms_status
pms_claim_chain_history(struct pms_store *s, int64_t id,
    pms_claim_event_fn *fn, void *arg)
{
	struct pms_claim_event ev;
	sqlite3_stmt *st;
	enum pms_status ps = PMS_OK;
	const char *t;
	int rc, f, to;

	rc = sqlite3_prepare_v2(s->db, "WITH RECURSIVE up(id, o) AS (SELECT "
	    "id, original_id FROM claims WHERE id = ?1 UNION SELECT c.id, "
	    "c.original_id FROM claims c JOIN up ON c.id = up.o), "
	    "chain(id) AS (SELECT id FROM up WHERE o IS NULL UNION SELECT "
	    "c.id FROM claims c JOIN chain ON c.original_id = chain.id) "
	    "SELECT h.id, h.claim_id, h.at, h.by_user, h.from_state, "
	    "h.to_state, h.batch_id, h.note, k.clm01, k.state, k.frequency, "
	    "k.original_id, (SELECT max(r.id) FROM claims r WHERE "
	    "r.original_id = k.id), k.total_cents, (SELECT count(*) FROM "
	    "claim_lines l WHERE l.claim_id = k.id) FROM claim_history h "
	    "JOIN chain ON chain.id = h.claim_id JOIN claims k ON k.id = "
	    "h.claim_id ORDER BY h.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim's history");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof(ev));
		ev.id = sqlite3_column_int64(st, 0);
		ev.claim_id = sqlite3_column_int64(st, 1);
		copy(ev.at, sizeof(ev.at),
		    (const char *)sqlite3_column_text(st, 2));
		copy(ev.by, sizeof(ev.by),
		    (const char *)sqlite3_column_text(st, 3));
		f = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
		    pms_claim_state_parse((const char *)
		    sqlite3_column_text(st, 4));
		to = pms_claim_state_parse((const char *)
		    sqlite3_column_text(st, 5));
		ev.from = f < 0 ? NULL : pms_claim_state_name(f);
		ev.to = to < 0 ? "?" : pms_claim_state_name(to);
		ev.batch_id = sqlite3_column_int64(st, 6);
		copy(ev.note, sizeof(ev.note),
		    (const char *)sqlite3_column_text(st, 7));
		copy(ev.clm01, sizeof(ev.clm01),
		    (const char *)sqlite3_column_text(st, 8));
		t = (const char *)sqlite3_column_text(st, 9);
		f = t != NULL ? pms_claim_state_parse(t) : -1;
		ev.claim_state = f < 0 ? "?" : pms_claim_state_name(f);
		t = (const char *)sqlite3_column_text(st, 10);
		ev.frequency = t != NULL ? t[0] : '1';
		ev.original_id = sqlite3_column_int64(st, 11);
		ev.replaced_by = sqlite3_column_int64(st, 12);
		ev.total_cents = sqlite3_column_int64(st, 13);
		ev.nlines = sqlite3_column_int(st, 14);
		if (fn(arg, &ev) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	}
	if (ps == PMS_OK && rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading a claim's history");
	sqlite3_finalize(st);
	return ps;
}
