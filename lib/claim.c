/*
 * claim.c: claims in the store (claim.h, share/sql/0008-claim.sql).
 * The one state machine of a claim and its history; claims made from
 * the visits pms-bill charged; the check of claim_837.c run on each
 * claim as the store holds it; the export of batches whose control
 * numbers are taken, and committed, before a byte is written; and the
 * reads of list, show and status.
 *
 * Every read or change of patient data writes its audit entry in its
 * own transaction; what is printed is read into memory in that
 * transaction and handed to the caller after the commit, so that no
 * write transaction waits on a slow reader of standard output.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "claim.h"
#include "money.h"
#include "pms_int.h"

/* ---- the state machine ---- */

static const char *const state_names[PMS_CLAIM_NSTATES] = {
	"draft", "validated", "submitted", "acknowledged", "rejected",
	"paid", "partly-paid", "denied", "crossed-over", "closed",
	"replaced", "voided"
};

#define S(x)	(1u << PMS_CLAIM_##x)
#define ADJUDICATED	(S(PAID) | S(PARTLY_PAID) | S(DENIED) | \
			 S(CROSSED_OVER))

/* moves[from]: the states it may become. */
static const unsigned moves[PMS_CLAIM_NSTATES] = {
	[PMS_CLAIM_DRAFT] = S(VALIDATED) | S(VOIDED),
	[PMS_CLAIM_VALIDATED] = S(DRAFT) | S(SUBMITTED) | S(VOIDED),
	[PMS_CLAIM_SUBMITTED] = S(SUBMITTED) | S(ACKNOWLEDGED) |
	    S(REJECTED) | ADJUDICATED | S(REPLACED) | S(VOIDED),
	[PMS_CLAIM_ACKNOWLEDGED] = S(REJECTED) | ADJUDICATED | S(REPLACED) |
	    S(VOIDED),
	[PMS_CLAIM_REJECTED] = S(DRAFT) | S(VALIDATED) | S(SUBMITTED),
	[PMS_CLAIM_PAID] = ADJUDICATED | S(ACKNOWLEDGED) | S(CLOSED) |
	    S(REPLACED) | S(VOIDED),
	[PMS_CLAIM_PARTLY_PAID] = ADJUDICATED | S(ACKNOWLEDGED) | S(CLOSED) |
	    S(REPLACED) | S(VOIDED),
	[PMS_CLAIM_DENIED] = ADJUDICATED | S(ACKNOWLEDGED) | S(CLOSED) |
	    S(REPLACED) | S(VOIDED),
	[PMS_CLAIM_CROSSED_OVER] = ADJUDICATED | S(ACKNOWLEDGED) |
	    S(CLOSED) | S(REPLACED) | S(VOIDED),
	/* a later 835 (a reversal, a re-adjudication) still posts */
	[PMS_CLAIM_CLOSED] = ADJUDICATED | S(ACKNOWLEDGED) | S(REPLACED) |
	    S(VOIDED),
	[PMS_CLAIM_REPLACED] = 0,
	[PMS_CLAIM_VOIDED] = 0,
};

const char *
pms_claim_state_name(enum pms_claim_state st)
{
	if ((unsigned)st >= PMS_CLAIM_NSTATES)
		return "?";
	return state_names[st];
}

int
pms_claim_state_parse(const char *s)
{
	int i;

	for (i = 0; i < PMS_CLAIM_NSTATES; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

int
pms_claim_may(enum pms_claim_state from, enum pms_claim_state to)
{
	if ((unsigned)from >= PMS_CLAIM_NSTATES ||
	    (unsigned)to >= PMS_CLAIM_NSTATES)
		return 0;
	return (moves[from] & (1u << to)) != 0;
}

enum pms_claim_class
pms_claim_state_class(enum pms_claim_state st)
{
	switch (st) {
	case PMS_CLAIM_DRAFT:
	case PMS_CLAIM_VALIDATED:
		return PMS_CLAIM_UNSENT;
	case PMS_CLAIM_SUBMITTED:
	case PMS_CLAIM_ACKNOWLEDGED:
		return PMS_CLAIM_IN_FLIGHT;
	case PMS_CLAIM_REJECTED:
		return PMS_CLAIM_FRONT_END;
	case PMS_CLAIM_CLOSED:
		return PMS_CLAIM_DONE;
	case PMS_CLAIM_REPLACED:
	case PMS_CLAIM_VOIDED:
		return PMS_CLAIM_SUPERSEDED;
	default:
		return PMS_CLAIM_ADJUDICATED;
	}
}

/* ---- small things ---- */

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

static void
copy_col(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	copy(dst, size, (const char *)sqlite3_column_text(st, i));
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_id(sqlite3_stmt *st, int i, int64_t v)
{
	if (v != 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void
now_utc(char buf[PMS_STAMP_BUFSZ])
{
	pms_instant_fmt((int64_t)time(NULL), buf);
}

/* Split "E119,I10" into up to max items of size each; the number. */
static size_t
split_list(const char *s, char (*items)[PMS_ICD_BUFSZ], size_t max)
{
	size_t n = 0, len;
	const char *q;

	while (s != NULL && *s != '\0') {
		for (q = s; *q != '\0' && *q != ','; q++)
			;
		len = (size_t)(q - s);
		if (n < max) {
			if (len >= PMS_ICD_BUFSZ)
				len = PMS_ICD_BUFSZ - 1;
			memcpy(items[n], s, len);
			items[n][len] = '\0';
		}
		n++;
		s = *q == ',' ? q + 1 : q;
	}
	return n;
}

/* Pointers "1,3" into ptrs (up to max); *bad for more, or for what is
 * not a number from 1 to 99. */
static size_t
parse_ptrs(const char *s, int *ptrs, size_t max, int *bad)
{
	size_t n = 0;
	long v;
	char *end;

	*bad = 0;
	while (*s != '\0') {
		if (*s < '0' || *s > '9') {
			*bad = 1;
			return n;
		}
		v = strtol(s, &end, 10);
		if (v < 1 || v > 99) {
			*bad = 1;
			return n;
		}
		if (n < max)
			ptrs[n] = (int)v;
		else
			*bad = 1;
		n++;
		s = end;
		if (*s == ',')
			s++;
		else if (*s != '\0') {
			*bad = 1;
			return n;
		}
	}
	return n < max ? n : max;
}

/* The claims' SQL: the columns of struct pms_claim. */
#define CLAIM_COLS \
	"k.id, k.clm01, k.state, k.patient_id, p.mrn, k.visit_id, " \
	"k.policy_id, k.payer_id, y.code, k.payer_seq, pr.code, lo.code, " \
	"k.part, k.parts, k.frequency, k.original_id, " \
	"k.payer_claim_number, k.dos_from, k.dos_to, k.dx, k.total_cents, " \
	"(SELECT count(*) FROM claim_lines l WHERE l.claim_id = k.id), " \
	"k.batch_id, k.submitted_on, k.created_at, k.updated_at, " \
	"(SELECT max(r.id) FROM claims r WHERE r.original_id = k.id), " \
	"k.prior_claim_id "
#define CLAIM_FROM \
	"FROM claims k JOIN patients p ON p.id = k.patient_id " \
	"JOIN payers y ON y.id = k.payer_id " \
	"JOIN visits v ON v.id = k.visit_id " \
	"JOIN providers pr ON pr.id = v.provider_id " \
	"JOIN locations lo ON lo.id = v.location_id "

static void
claim_row(sqlite3_stmt *st, struct pms_claim *c)
{
	char dx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ];
	int s;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	copy_col(c->clm01, sizeof(c->clm01), st, 1);
	s = pms_claim_state_parse(col_text(st, 2));
	c->state = s < 0 ? PMS_CLAIM_DRAFT : (enum pms_claim_state)s;
	c->patient_id = sqlite3_column_int64(st, 3);
	copy_col(c->mrn, sizeof(c->mrn), st, 4);
	c->visit_id = sqlite3_column_int64(st, 5);
	c->policy_id = sqlite3_column_int64(st, 6);
	c->payer_id = sqlite3_column_int64(st, 7);
	copy_col(c->payer, sizeof(c->payer), st, 8);
	c->payer_seq = sqlite3_column_int(st, 9);
	copy_col(c->provider, sizeof(c->provider), st, 10);
	copy_col(c->location, sizeof(c->location), st, 11);
	c->part = sqlite3_column_int(st, 12);
	c->parts = sqlite3_column_int(st, 13);
	c->frequency = col_text(st, 14)[0];
	c->original_id = sqlite3_column_int64(st, 15);
	copy_col(c->payer_claim_number, sizeof(c->payer_claim_number), st,
	    16);
	copy_col(c->dos_from, sizeof(c->dos_from), st, 17);
	copy_col(c->dos_to, sizeof(c->dos_to), st, 18);
	copy_col(dx, sizeof(dx), st, 19);
	c->ndx = split_list(dx, c->dx, PMS_DX_MAX_VISIT);
	if (c->ndx > PMS_DX_MAX_VISIT)
		c->ndx = PMS_DX_MAX_VISIT;
	c->total_cents = sqlite3_column_int64(st, 20);
	c->nlines = sqlite3_column_int(st, 21);
	c->batch_id = sqlite3_column_int64(st, 22);
	copy_col(c->submitted_on, sizeof(c->submitted_on), st, 23);
	copy_col(c->created_at, sizeof(c->created_at), st, 24);
	copy_col(c->updated_at, sizeof(c->updated_at), st, 25);
	c->replaced_by = sqlite3_column_int64(st, 26);
	c->prior_claim_id = sqlite3_column_int64(st, 27);
}

static enum pms_status
claim_one(struct pms_store *s, const char *sql, int64_t id, const char *text,
    struct pms_claim *c)
{
	sqlite3_stmt *st;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = pms_store_prepare(s, sql, &st)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim");
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		claim_row(st, c);
	pms_store_finalize(s, st);
	if (rc == SQLITE_DONE)
		return text != NULL ? pms_seterr(PMS_EREFUSED, "no claim with "
		    "that claim number") : pms_seterr(PMS_EREFUSED, "no "
		    "claim %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a claim");
	return PMS_OK;
}

enum pms_status
pms_claim_get(struct pms_store *s, int64_t id, struct pms_claim *c)
{
	return claim_one(s, "SELECT " CLAIM_COLS CLAIM_FROM "WHERE k.id = ?1",
	    id, NULL, c);
}

/*
 * A claim number without the blanks around it (payers pad CLP01), with
 * up in capitals: pms upper-cases the claim numbers it is given, and
 * looks an answer's up in capitals too (payers and clearinghouses fold
 * case), or as spelled, for one kept before.
 */
static void
clm01_key(const char *in, char *out, size_t size, int up)
{
	size_t n, i;

	while (*in == ' ')
		in++;
	n = strlen(in);
	while (n > 0 && in[n - 1] == ' ')
		n--;
	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = up ? (char)toupper((unsigned char)in[i]) : in[i];
	out[n] = '\0';
}

enum pms_status
pms_claim_find(struct pms_store *s, const char *clm01, struct pms_claim *c)
{
	char key[64];

	clm01_key(clm01, key, sizeof(key), 0);
	return claim_one(s, "SELECT " CLAIM_COLS CLAIM_FROM
	    "WHERE k.clm01 IN (?1, upper(?1)) ORDER BY k.clm01 = ?1 DESC "
	    "LIMIT 1", 0, key, c);
}

/* ---- lines and history ---- */

#define LINE_COLS \
	"l.id, l.claim_id, l.lx, l.charge_id, l.control, l.dos, l.code, " \
	"l.modifiers, l.units, l.amount_cents, l.dx_pointers, k.dx "

static void
line_row(sqlite3_stmt *st, struct pms_claim_line *l)
{
	char dx[PMS_DX_MAX_VISIT][PMS_ICD_BUFSZ];
	int ptrs[PMS_837_PTRS];
	size_t ndx, n, i, len = 0;
	int bad;

	memset(l, 0, sizeof(*l));
	l->id = sqlite3_column_int64(st, 0);
	l->claim_id = sqlite3_column_int64(st, 1);
	l->lx = sqlite3_column_int(st, 2);
	l->charge_id = sqlite3_column_int64(st, 3);
	copy_col(l->control, sizeof(l->control), st, 4);
	copy_col(l->dos, sizeof(l->dos), st, 5);
	copy_col(l->code, sizeof(l->code), st, 6);
	copy_col(l->modifiers, sizeof(l->modifiers), st, 7);
	l->units = sqlite3_column_int(st, 8);
	l->amount_cents = sqlite3_column_int64(st, 9);
	copy_col(l->dx_pointers, sizeof(l->dx_pointers), st, 10);
	ndx = split_list(col_text(st, 11), dx, PMS_DX_MAX_VISIT);
	n = parse_ptrs(l->dx_pointers, ptrs, PMS_837_PTRS, &bad);
	for (i = 0; i < n && i < PMS_DX_MAX_LINE; i++)
		if (ptrs[i] >= 1 && (size_t)ptrs[i] <= ndx &&
		    ptrs[i] <= PMS_DX_MAX_VISIT)
			len += (size_t)snprintf(l->dx + len, sizeof(l->dx) -
			    len, "%s%s", len > 0 ? "," : "", dx[ptrs[i] - 1]);
}

enum pms_status
pms_claim_line_find(struct pms_store *s, const char *control,
    struct pms_claim_line *l)
{
	sqlite3_stmt *st;
	int rc;

	char key[PMS_CLAIM_CONTROL + 8];

	memset(l, 0, sizeof(*l));
	clm01_key(control, key, sizeof(key), 0);
	rc = pms_store_prepare(s, "SELECT " LINE_COLS "FROM claim_lines "
	    "l JOIN claims k ON k.id = l.claim_id WHERE l.control IN (?1, "
	    "upper(?1)) ORDER BY l.control = ?1 DESC LIMIT 1", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim line");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		line_row(st, l);
	pms_store_finalize(s, st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "no claim line with that line "
		    "item control number");
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a claim line");
	return PMS_OK;
}

enum pms_status
pms_claim_lines(struct pms_store *s, int64_t claim, pms_claim_line_fn *fn,
    void *arg)
{
	struct pms_claim_line l;
	sqlite3_stmt *st;
	enum pms_status ps = PMS_OK;
	int rc;

	rc = pms_store_prepare(s, "SELECT " LINE_COLS "FROM claim_lines "
	    "l JOIN claims k ON k.id = l.claim_id WHERE l.claim_id = ?1 "
	    "ORDER BY l.lx", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claim lines");
	sqlite3_bind_int64(st, 1, claim);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		line_row(st, &l);
		if (fn(arg, &l) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	}
	if (ps == PMS_OK && rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading claim lines");
	pms_store_finalize(s, st);
	return ps;
}

enum pms_status
pms_claim_history(struct pms_store *s, int64_t claim, pms_claim_event_fn *fn,
    void *arg)
{
	struct pms_claim_event ev;
	sqlite3_stmt *st;
	enum pms_status ps = PMS_OK;
	int rc, f, t;

	rc = sqlite3_prepare_v2(s->db, "SELECT id, claim_id, at, by_user, "
	    "from_state, to_state, batch_id, note FROM claim_history WHERE "
	    "claim_id = ?1 ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim's history");
	sqlite3_bind_int64(st, 1, claim);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof(ev));
		ev.id = sqlite3_column_int64(st, 0);
		ev.claim_id = sqlite3_column_int64(st, 1);
		copy_col(ev.at, sizeof(ev.at), st, 2);
		copy_col(ev.by, sizeof(ev.by), st, 3);
		f = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 :
		    pms_claim_state_parse(col_text(st, 4));
		t = pms_claim_state_parse(col_text(st, 5));
		ev.from = f < 0 ? NULL : state_names[f];
		ev.to = t < 0 ? "?" : state_names[t];
		ev.batch_id = sqlite3_column_int64(st, 6);
		copy_col(ev.note, sizeof(ev.note), st, 7);
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

/* ---- moving a claim ---- */

static enum pms_status
history_add(struct pms_store *s, int64_t claim, const char *from,
    const char *to, int64_t batch, const char *note, const char *at)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(s, "INSERT INTO claim_history (claim_id, "
	    "at, by_user, from_state, to_state, batch_id, note) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7)", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	sqlite3_bind_int64(st, 1, claim);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pms_store_user(s), -1, SQLITE_STATIC);
	bind_text(st, 4, from);
	sqlite3_bind_text(st, 5, to, -1, SQLITE_STATIC);
	bind_id(st, 6, batch);
	bind_text(st, 7, note);
	rc = sqlite3_step(st);
	pms_store_finalize(s, st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim's history");
	return PMS_OK;
}

enum pms_status
pms_claim_move(struct pms_store *s, int64_t claim, enum pms_claim_state to,
    int64_t batch, const char *note)
{
	sqlite3_stmt *st;
	char at[PMS_STAMP_BUFSZ];
	int rc, from;

	if (sqlite3_get_autocommit(s->db))
		return pms_seterr(PMS_EINTERNAL, "a claim moved outside a "
		    "transaction");
	rc = pms_store_prepare(s, "SELECT state FROM claims WHERE id = "
	    "?1", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim");
	sqlite3_bind_int64(st, 1, claim);
	rc = sqlite3_step(st);
	from = rc == SQLITE_ROW ? pms_claim_state_parse(col_text(st, 0)) : -1;
	pms_store_finalize(s, st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "no claim %lld",
		    (long long)claim);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a claim");
	if (from < 0 || !pms_claim_may((enum pms_claim_state)from, to))
		return pms_seterr(PMS_EREFUSED, "claim %lld: %s cannot become "
		    "%s", (long long)claim, from < 0 ? "?" : state_names[from],
		    pms_claim_state_name(to));
	now_utc(at);
	rc = pms_store_prepare(s, "UPDATE claims SET state = ?2, "
	    "batch_id = coalesce(?3, batch_id), updated_at = ?4 WHERE id = ?1",
	    &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "moving a claim");
	sqlite3_bind_int64(st, 1, claim);
	sqlite3_bind_text(st, 2, state_names[to], -1, SQLITE_STATIC);
	bind_id(st, 3, batch);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	pms_store_finalize(s, st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "moving a claim");
	return history_add(s, claim, state_names[from], state_names[to], batch,
	    note, at);
}

/* ---- the practice, as the 837 needs it ---- */

static void
addr_from_cfg(struct pms_837_address *a, const struct pms_address *c)
{
	memset(a, 0, sizeof(*a));
	copy(a->street, sizeof(a->street), c->street);
	copy(a->street2, sizeof(a->street2), c->street2);
	copy(a->city, sizeof(a->city), c->city);
	copy(a->state, sizeof(a->state), c->state);
	copy(a->zip, sizeof(a->zip), c->zip);
}

/* A text of the trading partner ("" when not set). */
static void
tp_text(const struct pms_config *cfg, const char *key, char *out, size_t size)
{
	const char *v;
	char path[96];

	snprintf(path, sizeof(path), "trading_partner.%s", key);
	if (pms_config_text(cfg, path, &v) != PMS_OK)
		v = "";
	copy(out, size, v);
}

/*
 * The practice (the billing provider), its trading partner and today
 * at its zone, into e; zone gets the practice's zone.  PMS_ECONFIG
 * when no configuration was loaded.
 */
static enum pms_status
env_load(struct pms_store *s, struct pms_837_env *e, char zone[PMS_ZONE_MAX])
{
	struct pms_practice pr;
	struct pms_config *cfg = NULL;
	enum pms_status st;
	char sep[8], usage[4];
	int64_t v;

	memset(e, 0, sizeof(*e));
	if ((st = pms_practice_get(s, &pr)) != PMS_OK)
		return st;
	if ((st = pms_config_read(s, &cfg)) != PMS_OK)
		return st;
	e->billing.org = !pr.person;
	copy(e->billing.last, sizeof(e->billing.last), pr.person ?
	    pr.last_name : pr.name);
	copy(e->billing.first, sizeof(e->billing.first), pr.first_name);
	copy(e->billing.id, sizeof(e->billing.id), pr.npi);
	copy(e->billing.taxonomy, sizeof(e->billing.taxonomy), pr.taxonomy);
	e->billing.has_address = 1;
	addr_from_cfg(&e->billing.address, &pr.address);
	copy(e->billing.fix, sizeof(e->billing.fix),
	    "the practice in the configuration");
	copy(e->ein, sizeof(e->ein), pr.ein);
	e->has_pay_to = pr.has_pay_to;
	if (pr.has_pay_to)
		addr_from_cfg(&e->pay_to, &pr.pay_to);
	copy(zone, PMS_ZONE_MAX, pr.time_zone);

	tp_text(cfg, "sender_id", e->sender, sizeof(e->sender));
	e->has_partner = *e->sender != '\0';
	tp_text(cfg, "isa01", e->isa01, sizeof(e->isa01));
	tp_text(cfg, "isa02", e->isa02, sizeof(e->isa02));
	tp_text(cfg, "isa03", e->isa03, sizeof(e->isa03));
	tp_text(cfg, "isa04", e->isa04, sizeof(e->isa04));
	tp_text(cfg, "sender_qualifier", e->sender_qual,
	    sizeof(e->sender_qual));
	tp_text(cfg, "receiver_qualifier", e->receiver_qual,
	    sizeof(e->receiver_qual));
	tp_text(cfg, "receiver_id", e->receiver, sizeof(e->receiver));
	tp_text(cfg, "gs_sender", e->gs_sender, sizeof(e->gs_sender));
	tp_text(cfg, "gs_receiver", e->gs_receiver, sizeof(e->gs_receiver));
	tp_text(cfg, "usage", usage, sizeof(usage));
	e->usage = usage[0] == 'P' ? 'P' : 'T';
	tp_text(cfg, "submitter.name", e->submitter, sizeof(e->submitter));
	tp_text(cfg, "submitter.contact", e->contact, sizeof(e->contact));
	tp_text(cfg, "submitter.phone", e->phone, sizeof(e->phone));
	tp_text(cfg, "submitter.email", e->email, sizeof(e->email));
	tp_text(cfg, "receiver_name", e->receiver_name,
	    sizeof(e->receiver_name));
	e->delims = (struct pms_x12_delims)PMS_X12_DELIMS_DEFAULT;
	tp_text(cfg, "separators.element", sep, sizeof(sep));
	if (*sep != '\0')
		e->delims.element = sep[0];
	tp_text(cfg, "separators.component", sep, sizeof(sep));
	if (*sep != '\0')
		e->delims.component = sep[0];
	tp_text(cfg, "separators.repetition", sep, sizeof(sep));
	if (*sep != '\0')
		e->delims.repetition = sep[0];
	tp_text(cfg, "separators.segment", sep, sizeof(sep));
	if (*sep != '\0')
		e->delims.segment = sep[0];
	if (e->has_partner && pms_config_int(cfg, "trading_partner.newline",
	    &v) == PMS_OK)
		e->newline = v != 0;
	pms_config_free(cfg);
	return pms_today(zone, &e->today);
}

/* ---- a claim as the 837 needs it: the loader ---- */

#define CACHE_MAX	64

struct loader {
	struct pms_store *s;
	const struct pms_837_env *env;
	sqlite3_stmt	*claim, *lines, *policy;
	size_t		 npayers, nproviders, nlocations;
	struct pms_payer payers[CACHE_MAX];
	struct pms_provider providers[CACHE_MAX];
	struct pms_location locations[CACHE_MAX];
	struct pms_patient pt;		/* scratch */
	struct pms_visit visit;
};

static enum pms_status
loader_open(struct loader *ld, struct pms_store *s,
    const struct pms_837_env *env)
{
	int rc;

	memset(ld, 0, sizeof(*ld));
	ld->s = s;
	ld->env = env;
	/* a replacement or void carries its original's payer claim
	 * number (REF*F8), not its own */
	rc = sqlite3_prepare_v2(s->db, "SELECT k.clm01, k.frequency, CASE "
	    "WHEN k.frequency <> '1' THEN o.payer_claim_number ELSE "
	    "k.payer_claim_number END, k.payer_seq, k.patient_id, k.visit_id, "
	    "k.policy_id, k.payer_id, k.dx, k.total_cents, k.state FROM claims "
	    "k LEFT JOIN claims o ON o.id = k.original_id WHERE k.id = ?1", -1,
	    &ld->claim, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT code, modifiers, units, "
		    "amount_cents, dos, dx_pointers, control, charge_id FROM "
		    "claim_lines WHERE claim_id = ?1 ORDER BY lx", -1,
		    &ld->lines, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT relationship, member_id, "
		    "group_number, subscriber_last_name, subscriber_first_name, "
		    "subscriber_middle_name, subscriber_suffix, subscriber_dob, "
		    "subscriber_sex, subscriber_street, subscriber_street2, "
		    "subscriber_city, subscriber_state, subscriber_zip FROM "
		    "policies WHERE id = ?1", -1, &ld->policy, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(ld->claim);
		sqlite3_finalize(ld->lines);
		return pms_store_sqlerr(s, rc, "reading claims");
	}
	return PMS_OK;
}

static void
loader_close(struct loader *ld)
{
	sqlite3_finalize(ld->claim);
	sqlite3_finalize(ld->lines);
	sqlite3_finalize(ld->policy);
	ld->claim = ld->lines = ld->policy = NULL;
}

static enum pms_status
payer_of(struct loader *ld, int64_t id, const struct pms_payer **pp)
{
	enum pms_status st;
	size_t i;

	for (i = 0; i < ld->npayers; i++)
		if (ld->payers[i].id == id) {
			*pp = &ld->payers[i];
			return PMS_OK;
		}
	i = ld->npayers < CACHE_MAX ? ld->npayers++ : CACHE_MAX - 1;
	if ((st = pms_payer_get(ld->s, id, &ld->payers[i])) != PMS_OK) {
		ld->payers[i].id = 0;
		return st;
	}
	*pp = &ld->payers[i];
	return PMS_OK;
}

static enum pms_status
provider_of(struct loader *ld, int64_t id, const struct pms_provider **pp)
{
	enum pms_status st;
	size_t i;

	for (i = 0; i < ld->nproviders; i++)
		if (ld->providers[i].id == id) {
			*pp = &ld->providers[i];
			return PMS_OK;
		}
	i = ld->nproviders < CACHE_MAX ? ld->nproviders++ : CACHE_MAX - 1;
	if ((st = pms_provider_get(ld->s, id, &ld->providers[i])) != PMS_OK) {
		ld->providers[i].id = 0;
		return st;
	}
	*pp = &ld->providers[i];
	return PMS_OK;
}

static enum pms_status
location_of(struct loader *ld, int64_t id, const struct pms_location **pp)
{
	enum pms_status st;
	size_t i;

	for (i = 0; i < ld->nlocations; i++)
		if (ld->locations[i].id == id) {
			*pp = &ld->locations[i];
			return PMS_OK;
		}
	i = ld->nlocations < CACHE_MAX ? ld->nlocations++ : CACHE_MAX - 1;
	if ((st = pms_location_get(ld->s, id, &ld->locations[i])) != PMS_OK) {
		ld->locations[i].id = 0;
		return st;
	}
	*pp = &ld->locations[i];
	return PMS_OK;
}

/* Two addresses the same place (street, city, ZIP's first five)? */
static int
same_place(const struct pms_address *a, const struct pms_address *b)
{
	return strcasecmp(a->street, b->street) == 0 &&
	    strcasecmp(a->street2, b->street2) == 0 &&
	    strcasecmp(a->city, b->city) == 0 &&
	    strncmp(a->zip, b->zip, 5) == 0;
}

/* "Last, First" or "First Middle Last" into a person's names. */
static void
referring_names(const char *name, struct pms_837_entity *p)
{
	const char *comma = strchr(name, ','), *sp;
	size_t n;

	if (comma != NULL) {
		n = (size_t)(comma - name);
		if (n >= sizeof(p->last))
			n = sizeof(p->last) - 1;
		memcpy(p->last, name, n);
		p->last[n] = '\0';
		for (comma++; *comma == ' '; comma++)
			;
		copy(p->first, sizeof(p->first), comma);
		return;
	}
	if ((sp = strrchr(name, ' ')) == NULL) {
		copy(p->last, sizeof(p->last), name);
		return;
	}
	copy(p->last, sizeof(p->last), sp + 1);
	n = (size_t)(sp - name);
	if (n >= sizeof(p->first))
		n = sizeof(p->first) - 1;
	memcpy(p->first, name, n);
	p->first[n] = '\0';
}

static void
patient_entity(const struct pms_patient *p, struct pms_837_entity *e)
{
	memset(e, 0, sizeof(*e));
	copy(e->last, sizeof(e->last), p->last_name);
	copy(e->first, sizeof(e->first), p->first_name);
	copy(e->middle, sizeof(e->middle), p->middle_name);
	copy(e->suffix, sizeof(e->suffix), p->suffix);
	copy(e->dob, sizeof(e->dob), p->dob);
	copy(e->sex, sizeof(e->sex), p->sex);
	e->has_address = *p->street != '\0' || *p->city != '\0' ||
	    *p->zip != '\0';
	copy(e->address.street, sizeof(e->address.street), p->street);
	copy(e->address.street2, sizeof(e->address.street2), p->street2);
	copy(e->address.city, sizeof(e->address.city), p->city);
	copy(e->address.state, sizeof(e->address.state), p->state);
	copy(e->address.zip, sizeof(e->address.zip), p->zip);
	snprintf(e->fix, sizeof(e->fix), "patient %lld", (long long)p->id);
}

/*
 * Fill doc with claim id as the store has it now: the claim and its
 * lines, the visit (referring provider, prior authorisation, place of
 * service), the patient, the policy (subscriber), the payer, the
 * rendering provider, the location.  *state and *patient get the
 * claim's.  PMS_EREFUSED "no claim 12".
 */
static enum pms_status
load_doc(struct loader *ld, int64_t id, struct pms_837_claim *doc,
    enum pms_claim_state *state, int64_t *patient)
{
	struct pms_store *s = ld->s;
	const struct pms_payer *py;
	const struct pms_provider *pv;
	const struct pms_location *lo;
	struct pms_837_line *l;
	sqlite3_stmt *st = ld->claim;
	enum pms_status ps;
	char dx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ];
	char rel[PMS_PT_WORD];
	int64_t visit, policy, payer;
	int rc, k;
	const char *m;
	size_t n;

	memset(doc, 0, sizeof(*doc));
	doc->claim_id = id;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return pms_seterr(PMS_EREFUSED, "no claim %lld",
			    (long long)id);
		return pms_store_sqlerr(s, rc, "reading a claim");
	}
	copy_col(doc->clm01, sizeof(doc->clm01), st, 0);
	doc->frequency = col_text(st, 1)[0];
	copy_col(doc->payer_claim_number, sizeof(doc->payer_claim_number), st,
	    2);
	doc->payer_seq = sqlite3_column_int(st, 3);
	*patient = sqlite3_column_int64(st, 4);
	visit = sqlite3_column_int64(st, 5);
	policy = sqlite3_column_int64(st, 6);
	payer = sqlite3_column_int64(st, 7);
	copy_col(dx, sizeof(dx), st, 8);
	doc->total_cents = sqlite3_column_int64(st, 9);
	k = pms_claim_state_parse(col_text(st, 10));
	*state = k < 0 ? PMS_CLAIM_DRAFT : (enum pms_claim_state)k;
	sqlite3_reset(st);
	doc->visit_id = visit;
	doc->ndx = split_list(dx, doc->dx, PMS_837_DX);
	if (doc->ndx > PMS_837_DX)
		doc->ndx = PMS_837_DX;

	/* the lines */
	st = ld->lines;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (doc->nlines == PMS_CLAIM_LINES_MAX + 1) {
			doc->nlines++;	/* too many: the check says so */
			break;
		}
		l = &doc->lines[doc->nlines++];
		copy_col(l->code, sizeof(l->code), st, 0);
		for (m = col_text(st, 1), n = 0; *m != '\0'; n++) {
			if (n < PMS_MODS_MAX) {
				l->mods[n][0] = m[0];
				l->mods[n][1] = m[1] != ',' ? m[1] : '\0';
				l->mods[n][2] = '\0';
			}
			while (*m != '\0' && *m != ',')
				m++;
			if (*m == ',')
				m++;
		}
		l->nmods = n;
		l->units = sqlite3_column_int(st, 2);
		l->amount_cents = sqlite3_column_int64(st, 3);
		copy_col(l->dos, sizeof(l->dos), st, 4);
		l->nptrs = parse_ptrs(col_text(st, 5), l->ptrs, PMS_837_PTRS,
		    &l->ptrs_bad);
		copy_col(l->control, sizeof(l->control), st, 6);
		l->charge_id = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading claim lines");

	/* the visit: provider, location, referring, authorisation */
	if ((ps = pms_bill_visit_get(s, visit, &ld->visit)) != PMS_OK)
		return ps;
	copy(doc->pos, sizeof(doc->pos), ld->visit.place_of_service);
	copy(doc->prior_auth, sizeof(doc->prior_auth), ld->visit.prior_auth);
	if (*ld->visit.referring_name != '\0' ||
	    *ld->visit.referring_npi != '\0') {
		doc->has_referring = 1;
		referring_names(ld->visit.referring_name, &doc->referring);
		copy(doc->referring.id, sizeof(doc->referring.id),
		    ld->visit.referring_npi);
		snprintf(doc->referring.fix, sizeof(doc->referring.fix),
		    "visit %lld (pms-bill code %lld --referring-name NAME "
		    "--referring-npi NPI)", (long long)visit,
		    (long long)(doc->nlines > 0 ? doc->lines[0].charge_id :
		    0));
	}
	if ((ps = provider_of(ld, ld->visit.provider_id, &pv)) != PMS_OK)
		return ps;
	copy(doc->rendering.last, sizeof(doc->rendering.last), pv->last_name);
	copy(doc->rendering.first, sizeof(doc->rendering.first),
	    pv->first_name);
	copy(doc->rendering.middle, sizeof(doc->rendering.middle),
	    pv->middle_name);
	copy(doc->rendering.suffix, sizeof(doc->rendering.suffix),
	    pv->suffix);
	copy(doc->rendering.id, sizeof(doc->rendering.id), pv->npi);
	copy(doc->rendering.taxonomy, sizeof(doc->rendering.taxonomy),
	    pv->taxonomy);
	snprintf(doc->rendering.fix, sizeof(doc->rendering.fix), "provider "
	    "\"%s\" in the configuration", pv->code);
	if ((ps = location_of(ld, ld->visit.location_id, &lo)) != PMS_OK)
		return ps;
	snprintf(doc->facility.fix, sizeof(doc->facility.fix), "location "
	    "\"%s\" in the configuration", lo->code);
	{
		struct pms_address billing_addr;

		memset(&billing_addr, 0, sizeof(billing_addr));
		copy(billing_addr.street, sizeof(billing_addr.street),
		    ld->env->billing.address.street);
		copy(billing_addr.street2, sizeof(billing_addr.street2),
		    ld->env->billing.address.street2);
		copy(billing_addr.city, sizeof(billing_addr.city),
		    ld->env->billing.address.city);
		copy(billing_addr.zip, sizeof(billing_addr.zip),
		    ld->env->billing.address.zip);
		if (!same_place(&lo->address, &billing_addr)) {
			doc->has_facility = 1;
			doc->facility.org = 1;
			copy(doc->facility.last, sizeof(doc->facility.last),
			    lo->name);
			copy(doc->facility.id, sizeof(doc->facility.id),
			    lo->npi);
			doc->facility.has_address = 1;
			addr_from_cfg(&doc->facility.address, &lo->address);
		}
	}

	/* the payer */
	if ((ps = payer_of(ld, payer, &py)) != PMS_OK)
		return ps;
	doc->payer.org = 1;
	copy(doc->payer.last, sizeof(doc->payer.last), py->name);
	copy(doc->payer.id, sizeof(doc->payer.id), py->payer_id);
	snprintf(doc->payer.fix, sizeof(doc->payer.fix), "payer \"%s\" in the "
	    "configuration", py->code);
	copy(doc->filing, sizeof(doc->filing), py->filing_indicator);
	doc->timely_filing_days = py->timely_filing_days;
	doc->prior_auth_required = py->prior_auth_required;

	/* the patient and the policy: the subscriber */
	if ((ps = pms_patient_get(s, *patient, 0, &ld->pt)) != PMS_OK)
		return ps;
	st = ld->policy;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, policy);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return pms_seterr(PMS_EREFUSED, "claim %lld: no policy "
			    "%lld", (long long)id, (long long)policy);
		return pms_store_sqlerr(s, rc, "reading a policy");
	}
	copy_col(rel, sizeof(rel), st, 0);
	copy(doc->relationship, sizeof(doc->relationship), rel);
	copy_col(doc->group_number, sizeof(doc->group_number), st, 2);
	if (strcmp(rel, "self") == 0) {
		patient_entity(&ld->pt, &doc->subscriber);
	} else {
		patient_entity(&ld->pt, &doc->patient);
		memset(&doc->subscriber, 0, sizeof(doc->subscriber));
		copy_col(doc->subscriber.last, sizeof(doc->subscriber.last),
		    st, 3);
		copy_col(doc->subscriber.first, sizeof(doc->subscriber.first),
		    st, 4);
		copy_col(doc->subscriber.middle,
		    sizeof(doc->subscriber.middle), st, 5);
		copy_col(doc->subscriber.suffix,
		    sizeof(doc->subscriber.suffix), st, 6);
		copy_col(doc->subscriber.dob, sizeof(doc->subscriber.dob), st,
		    7);
		copy_col(doc->subscriber.sex, sizeof(doc->subscriber.sex), st,
		    8);
		copy_col(doc->subscriber.address.street,
		    sizeof(doc->subscriber.address.street), st, 9);
		copy_col(doc->subscriber.address.street2,
		    sizeof(doc->subscriber.address.street2), st, 10);
		copy_col(doc->subscriber.address.city,
		    sizeof(doc->subscriber.address.city), st, 11);
		copy_col(doc->subscriber.address.state,
		    sizeof(doc->subscriber.address.state), st, 12);
		copy_col(doc->subscriber.address.zip,
		    sizeof(doc->subscriber.address.zip), st, 13);
		doc->subscriber.has_address =
		    *doc->subscriber.address.street != '\0';
		snprintf(doc->subscriber.fix, sizeof(doc->subscriber.fix),
		    "policy %lld", (long long)policy);
	}
	copy_col(doc->subscriber.id, sizeof(doc->subscriber.id), st, 1);
	sqlite3_reset(st);
	/* a secondary's or tertiary's: the payers before it (0010) */
	if (doc->payer_seq > 1)
		return pms_claim_cob_load(s, id, doc);
	return PMS_OK;
}

/* The member id and group number are the policy's, whoever the
 * subscriber is: the check names the policy for them. */
struct check_ctx {
	pms_claim_report_fn *report;
	void		*arg;
	int64_t		 policy;
	int64_t		 patient;
};

/* ---- making claims ---- */

/* A charge of the visit, as create looks at it. */
struct vline {
	int64_t		 charge_id;
	int		 line;
	char		 status[16];
	int		 service;	/* a service line an insurer pays */
	char		 dos[PMS_DATE_BUFSZ];
	char		 code[PMS_CODE_BUFSZ];
	char		 modifiers[PMS_MODS_BUFSZ];
	int		 units;
	int64_t		 amount_cents;
	size_t		 nptrs;
	int		 ptrs[PMS_837_PTRS];
	int		 bad;
	int		 part;		/* the claim it goes on, from 0 */
};

struct vlines {
	struct vline	*v;
	size_t		 n, cap;
};

static int
collect_line(void *arg, const struct pms_charge *c)
{
	struct vlines *vs = arg;
	struct vline *l, *nv;
	size_t cap;

	if (vs->n == vs->cap) {
		cap = vs->cap == 0 ? 16 : vs->cap * 2;
		if ((nv = realloc(vs->v, cap * sizeof(*nv))) == NULL)
			return 1;
		vs->v = nv;
		vs->cap = cap;
	}
	l = &vs->v[vs->n++];
	memset(l, 0, sizeof(*l));
	l->charge_id = c->id;
	l->line = c->line;
	copy(l->status, sizeof(l->status), c->status);
	l->service = strcmp(c->kind, "service") == 0 &&
	    strcmp(c->status, "void") != 0 && !c->patient_only;
	copy(l->dos, sizeof(l->dos), c->dos);
	copy(l->code, sizeof(l->code), c->code);
	copy(l->modifiers, sizeof(l->modifiers), c->modifiers);
	l->units = c->units;
	l->amount_cents = c->amount_cents;
	l->nptrs = parse_ptrs(c->dx_pointers, l->ptrs, PMS_837_PTRS, &l->bad);
	return 0;
}

/* Whether charge is a line of a claim not voided or replaced. */
static int
on_claim(struct pms_store *s, int64_t charge)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM claim_lines l JOIN claims "
	    "k ON k.id = l.claim_id WHERE l.charge_id = ?1 AND k.state <> "
	    "'voided' AND k.state <> 'replaced'", -1, &st, NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_int64(st, 1, charge);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc != SQLITE_DONE;
}

/* A CLM01 from the input: letters, digits and "-", 1 to 20; never
 * "C" and digits alone, which are pms's own. */
static int
clm01_ok(const char *s)
{
	const char *p;
	size_t n = strlen(s);

	if (n == 0 || n > PMS_CLM01_MAX)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
	if ((s[0] == 'C' || s[0] == 'c') && n > 1) {
		for (p = s + 1; *p >= '0' && *p <= '9'; p++)
			;
		if (*p == '\0')
			return 0;
	}
	return 1;
}

struct create {
	struct pms_store *s;
	const struct pms_claim_create_opts *o;
	struct pms_claim_create_count *n;
	struct pms_audit_batch *b;
	char		 now[PMS_STAMP_BUFSZ];
	int64_t		*made;		/* the claims made, for fn */
	size_t		 nmade, capmade;
	sqlite3_stmt	*ins_claim, *ins_line, *exists;
	/* the visit's unsent primary claims, made again in place (follow) */
	int64_t		 old[8];
	char		 old_clm01[8][PMS_CLM01_MAX + 1];
	size_t		 nold;
	unsigned	 remade;	/* claims that changed */
	int		 follow_only;	/* no unsent claim: nothing to do */
};

static void creport(struct create *, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
creport(struct create *c, int warn, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->o->report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->o->report(c->o->report_arg, warn, msg);
}

static enum pms_status
made_add(struct create *c, int64_t id)
{
	int64_t *nm;
	size_t cap;

	if (c->nmade == c->capmade) {
		cap = c->capmade == 0 ? 64 : c->capmade * 2;
		if ((nm = realloc(c->made, cap * sizeof(*nm))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		c->made = nm;
		c->capmade = cap;
	}
	c->made[c->nmade++] = id;
	return PMS_OK;
}

/* The diagnoses of part p, in the visit's order: those its lines point
 * at; with all PART_DX_ALL every diagnosis of the visit, with
 * PART_DX_UNPOINTED those no line of any part points at as well.
 * used[i]: the claim's number of the visit's diagnosis i, or 0. */
#define PART_DX_OWN		0
#define PART_DX_ALL		1
#define PART_DX_UNPOINTED	2

static size_t
part_dx(const struct vlines *vs, const struct pms_visit *v, int p, int all,
    int used[PMS_DX_MAX_VISIT])
{
	int anywhere[PMS_DX_MAX_VISIT];
	size_t i, j, n = 0;

	memset(used, 0, PMS_DX_MAX_VISIT * sizeof(used[0]));
	memset(anywhere, 0, sizeof(anywhere));
	for (i = 0; i < vs->n; i++) {
		if (!vs->v[i].service)
			continue;
		for (j = 0; j < vs->v[i].nptrs; j++) {
			anywhere[vs->v[i].ptrs[j] - 1] = 1;
			if (vs->v[i].part == p)
				used[vs->v[i].ptrs[j] - 1] = -1;
		}
	}
	for (i = 0; i < v->ndx; i++)
		if (used[i] != 0 || all == PART_DX_ALL ||
		    (all == PART_DX_UNPOINTED && !anywhere[i]))
			used[i] = (int)++n;
	return n;
}

/*
 * What an unsent claim says, as one text (*sigp, to free): its policy,
 * payer, diagnoses, total, days, part and lines.  Two texts differ when
 * the claim was made again from changed charges or policies.
 */
static enum pms_status
claim_sig(struct pms_store *s, int64_t id, char **sigp)
{
	sqlite3_stmt *st;
	int rc;

	*sigp = NULL;
	rc = sqlite3_prepare_v2(s->db, "SELECT k.policy_id || '|' || "
	    "k.payer_id || '|' || k.dx || '|' || k.total_cents || '|' || "
	    "k.dos_from || '|' || k.dos_to || '|' || k.part || '/' || k.parts "
	    "|| '|' || coalesce((SELECT group_concat(x, ';') FROM (SELECT "
	    "l.lx || ',' || l.charge_id || ',' || l.code || ',' || "
	    "l.modifiers || ',' || l.units || ',' || l.amount_cents || ',' || "
	    "l.dx_pointers || ',' || l.dos AS x FROM claim_lines l WHERE "
	    "l.claim_id = k.id ORDER BY l.lx)), '') FROM claims k WHERE k.id = "
	    "?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (*sigp = strdup(col_text(st, 0))) == NULL) {
		sqlite3_finalize(st);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a claim");
	return PMS_OK;
}

/* Claim id's state, or -1. */
static int
claim_state_of(struct pms_store *s, int64_t id)
{
	sqlite3_stmt *st;
	int k = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT state FROM claims WHERE id = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		k = pms_claim_state_parse(col_text(st, 0));
	sqlite3_finalize(st);
	return k;
}

/*
 * Put part p again on the unsent claim c->old[p], in place: its row
 * from the visit's charges and policy now, its lines anew (never sent,
 * so nothing answered them).  *changed when it says something else.
 */
static enum pms_status
claim_redo(struct create *c, int64_t id, const struct pms_policy *pol,
    int p, int parts, const char *from, const char *to, const char *dx,
    int64_t total, char **before)
{
	struct pms_store *s = c->s;
	sqlite3_stmt *st;
	enum pms_status ps;
	int rc;

	if ((ps = claim_sig(s, id, before)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "UPDATE claims SET policy_id = ?2, "
	    "payer_id = ?3, part = ?4, parts = ?5, dos_from = ?6, dos_to = ?7, "
	    "dx = ?8, total_cents = ?9, updated_at = ?10 WHERE id = ?1", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, pol->id);
	sqlite3_bind_int64(st, 3, pol->payer_id);
	sqlite3_bind_int(st, 4, p + 1);
	sqlite3_bind_int(st, 5, parts);
	sqlite3_bind_text(st, 6, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, dx, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, total);
	sqlite3_bind_text(st, 10, c->now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim");
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM claim_lines WHERE "
	    "claim_id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "writing a claim");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "writing a claim");
	return PMS_OK;
}

/* After claim_redo and the lines: say so if it changed. */
static enum pms_status
claim_redone(struct create *c, int64_t id, const char *clm01, char *before)
{
	struct pms_store *s = c->s;
	enum pms_status ps;
	char *after = NULL;
	int k;

	if ((ps = claim_sig(s, id, &after)) != PMS_OK)
		goto out;
	if (strcmp(before, after) == 0)
		goto out;
	c->remade++;
	k = claim_state_of(s, id);
	if (k == PMS_CLAIM_VALIDATED)
		ps = pms_claim_move(s, id, PMS_CLAIM_DRAFT, 0, "made again "
		    "from its charges and policies: check it again");
	else
		ps = history_add(s, id, "draft", "draft", 0, "made again from "
		    "its charges and policies", c->now);
	if (ps != PMS_OK)
		goto out;
	creport(c, 1, "claim %lld (%s): not sent yet, and its visit's charges "
	    "or policies changed since it was made: made again from them",
	    (long long)id, clm01);
out:
	free(after);
	return ps;
}

/*
 * The unsent claims of the visit that nothing is left to claim: voided,
 * never sent.  why says what changed.
 */
static enum pms_status
follow_void(struct create *c, const char *why)
{
	enum pms_status ps;
	char note[128];
	size_t i;

	snprintf(note, sizeof(note), "never sent: %s", why);
	for (i = 0; i < c->nold; i++) {
		if ((ps = pms_claim_move(c->s, c->old[i], PMS_CLAIM_VOIDED, 0,
		    note)) != PMS_OK)
			return ps;
		c->remade++;
		creport(c, 1, "claim %lld (%s): not sent yet, and %s: voided",
		    (long long)c->old[i], c->old_clm01[i], why);
	}
	return PMS_OK;
}

/* The visit's unsent primary claims, part by part, into c->old. */
static enum pms_status
follow_load(struct create *c, int64_t visit)
{
	sqlite3_stmt *st;
	int rc;

	c->nold = 0;
	rc = sqlite3_prepare_v2(c->s->db, "SELECT id, clm01 FROM claims WHERE "
	    "visit_id = ?1 AND payer_seq = 1 AND (state = 'draft' OR state = "
	    "'validated') ORDER BY part, id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(c->s, rc, "reading claims");
	sqlite3_bind_int64(st, 1, visit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->nold == sizeof(c->old) / sizeof(c->old[0])) {
			/* more parts than followed: left as they are */
			c->nold = 0;
			rc = SQLITE_DONE;
			break;
		}
		c->old[c->nold] = sqlite3_column_int64(st, 0);
		copy_col(c->old_clm01[c->nold], sizeof(c->old_clm01[0]), st,
		    1);
		c->nold++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(c->s, rc, "reading claims");
	return PMS_OK;
}

/* Insert the claim of part p (of parts), its lines and history. */
static enum pms_status
claim_insert(struct create *c, const struct pms_visit *v,
    const struct pms_policy *pol, struct vlines *vs, int p, int parts,
    int all_dx, const char *given)
{
	struct pms_store *s = c->s;
	int used[PMS_DX_MAX_VISIT];
	char clm01[PMS_CLM01_MAX + 1], dx[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ];
	char ctl[PMS_CLAIM_CONTROL], ptrs[32], note[64];
	const char *from = NULL, *to = NULL;
	char *before = NULL;
	sqlite3_int64 id;
	enum pms_status ps;
	size_t i, j, len = 0, plen;
	int64_t total = 0;
	int rc, lx = 0;

	part_dx(vs, v, p, all_dx, used);
	for (i = 0; i < v->ndx; i++)
		if (used[i] > 0)
			len += (size_t)snprintf(dx + len, sizeof(dx) - len,
			    "%s%s", len > 0 ? "," : "", v->dx[i]);
	dx[len] = '\0';
	for (i = 0; i < vs->n; i++) {
		if (!vs->v[i].service || vs->v[i].part != p)
			continue;
		total += vs->v[i].amount_cents;
		if (from == NULL || strcmp(vs->v[i].dos, from) < 0)
			from = vs->v[i].dos;
		if (to == NULL || strcmp(vs->v[i].dos, to) > 0)
			to = vs->v[i].dos;
	}
	if ((size_t)p < c->nold) {
		id = c->old[p];
		copy(clm01, sizeof(clm01), c->old_clm01[p]);
		if ((ps = claim_redo(c, id, pol, p, parts, from, to, dx, total,
		    &before)) != PMS_OK)
			goto out;
		goto lines;
	}
	if ((ps = pms_query_int(s, "SELECT coalesce(max(id), 0) + 1 FROM "
	    "claims", &id)) != PMS_OK)
		return ps;
	if (given != NULL && p == 0)
		copy(clm01, sizeof(clm01), given);
	else if (given != NULL)
		snprintf(clm01, sizeof(clm01), "%s-%d", given, p + 1);
	else
		snprintf(clm01, sizeof(clm01), "C%06lld", (long long)id);
	sqlite3_reset(c->ins_claim);
	sqlite3_bind_int64(c->ins_claim, 1, id);
	sqlite3_bind_text(c->ins_claim, 2, clm01, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(c->ins_claim, 3, v->patient_id);
	sqlite3_bind_int64(c->ins_claim, 4, v->id);
	sqlite3_bind_int64(c->ins_claim, 5, pol->id);
	sqlite3_bind_int64(c->ins_claim, 6, pol->payer_id);
	sqlite3_bind_int(c->ins_claim, 7, p + 1);
	sqlite3_bind_int(c->ins_claim, 8, parts);
	sqlite3_bind_text(c->ins_claim, 9, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins_claim, 10, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins_claim, 11, dx, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(c->ins_claim, 12, total);
	sqlite3_bind_text(c->ins_claim, 13, c->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->ins_claim, 14, pms_store_user(s), -1,
	    SQLITE_STATIC);
	if ((rc = sqlite3_step(c->ins_claim)) != SQLITE_DONE) {
		sqlite3_reset(c->ins_claim);
		if (rc == SQLITE_CONSTRAINT)
			return pms_seterr(PMS_EREFUSED, "visit %lld: claim: "
			    "that claim number is taken", (long long)v->id);
		return pms_store_sqlerr(s, rc, "writing a claim");
	}
	sqlite3_reset(c->ins_claim);
lines:
	for (i = 0; i < vs->n; i++) {
		if (!vs->v[i].service || vs->v[i].part != p)
			continue;
		lx++;
		snprintf(ctl, sizeof(ctl), "%s-%d", clm01, lx);
		plen = 0;
		ptrs[0] = '\0';
		for (j = 0; j < vs->v[i].nptrs; j++)
			plen += (size_t)snprintf(ptrs + plen, sizeof(ptrs) -
			    plen, "%s%d", j > 0 ? "," : "",
			    used[vs->v[i].ptrs[j] - 1]);
		sqlite3_reset(c->ins_line);
		sqlite3_bind_int64(c->ins_line, 1, id);
		sqlite3_bind_int(c->ins_line, 2, lx);
		sqlite3_bind_int64(c->ins_line, 3, vs->v[i].charge_id);
		sqlite3_bind_text(c->ins_line, 4, ctl, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c->ins_line, 5, vs->v[i].dos, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(c->ins_line, 6, vs->v[i].code, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(c->ins_line, 7, vs->v[i].modifiers, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int(c->ins_line, 8, vs->v[i].units);
		sqlite3_bind_int64(c->ins_line, 9, vs->v[i].amount_cents);
		sqlite3_bind_text(c->ins_line, 10, ptrs, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(c->ins_line);
		sqlite3_reset(c->ins_line);
		if (rc != SQLITE_DONE) {
			ps = pms_store_sqlerr(s, rc, "writing a claim line");
			goto out;
		}
	}
	if (before != NULL) {
		ps = claim_redone(c, id, clm01, before);
		goto out;
	}
	if (parts > 1)
		snprintf(note, sizeof(note), "made, part %d of %d", p + 1,
		    parts);
	else
		snprintf(note, sizeof(note), "made");
	if ((ps = history_add(s, id, NULL, "draft", 0, note, c->now)) !=
	    PMS_OK)
		return ps;
	c->n->claims++;
	return made_add(c, id);
out:
	free(before);
	return ps;
}

/*
 * Claim one visit.  PMS_OK when it was claimed or left (counted and
 * reported); PMS_EREFUSED is never returned for a rule: the visit is
 * counted refused and reported instead.  Other statuses stop create.
 */
static enum pms_status
create_visit(struct create *c, int64_t visit, const char *given, int named)
{
	struct pms_store *s = c->s;
	struct pms_policy pol[3];
	struct pms_visit v;
	struct vlines vs = { NULL, 0, 0 };
	enum pms_status ps;
	size_t i, j, k, m, npol, nserv = 0, nlines, ndx_part, unpointed = 0;
	int used[PMS_DX_MAX_VISIT], seen[PMS_DX_MAX_VISIT];
	int part, parts, rc, refused = 0, any;

	c->n->visits++;
	if ((ps = pms_bill_visit_get(s, visit, &v)) != PMS_OK)
		return ps;
	/* an unsent claim follows its charges: made again, not anew */
	if ((ps = follow_load(c, visit)) != PMS_OK)
		return ps;
	if (c->follow_only && c->nold == 0)
		return PMS_OK;
	if ((ps = pms_bill_visit_charges(s, visit, collect_line, &vs)) !=
	    PMS_OK)
		goto out;
	for (i = 0; i < vs.n; i++) {
		if (!vs.v[i].service)
			continue;
		nserv++;
		if (strcmp(vs.v[i].status, "needs-coding") == 0 ||
		    vs.v[i].nptrs == 0) {
			creport(c, !named, "visit %lld: line %d (charge %lld) "
			    "has no diagnosis pointer: code it first "
			    "(pms-bill code %lld); the visit waits for it",
			    (long long)visit, vs.v[i].line,
			    (long long)vs.v[i].charge_id,
			    (long long)vs.v[i].charge_id);
			if (named)
				refused = 1;
			else
				c->n->waiting++;
			goto refuse;
		}
	}
	if (nserv == 0 && c->nold > 0) {
		ps = follow_void(c, "no line of its visit is left to claim "
		    "(void, or the patient's own)");
		goto out;
	}
	if (nserv == 0) {
		if (named)
			creport(c, 0, "visit %lld: nothing to claim: no coded "
			    "service line an insurer pays", (long long)visit);
		if (named)
			refused = 1;
		goto refuse;
	}
	if ((ps = pms_policy_in_effect(s, v.patient_id, v.dos, pol, &npol)) !=
	    PMS_OK)
		goto out;
	if (npol == 0 && c->nold > 0) {
		ps = follow_void(c, "no policy covers its date of service any "
		    "more (what a payer owes on its charges stays with it: "
		    "pms-bill transfer CHARGE --to patient)");
		goto out;
	}
	if (npol == 0) {
		if (named) {
			creport(c, 0, "visit %lld: no policy covers the date of "
			    "service: the patient pays it (self-pay)",
			    (long long)visit);
			refused = 1;
		} else
			c->n->self_pay++;
		goto refuse;
	}
	/* already on a claim sent: nothing new; a line of the visit on
	 * none of its claims is said, and is for a replacement */
	sqlite3_reset(c->exists);
	sqlite3_bind_int64(c->exists, 1, visit);
	sqlite3_bind_int64(c->exists, 2, pol[0].payer_id);
	rc = c->nold > 0 ? SQLITE_DONE : sqlite3_step(c->exists);
	if (rc == SQLITE_ROW) {
		int64_t sent = sqlite3_column_int64(c->exists, 0);
		int same = sqlite3_column_int(c->exists, 1);

		sqlite3_reset(c->exists);
		c->n->already++;
		if (!same)
			creport(c, 1, "visit %lld: claim %lld was sent to "
			    "another payer than the policy covering the date "
			    "of service now: correct it (pms-claim void %lld), "
			    "then claim the visit again", (long long)visit,
			    (long long)sent, (long long)sent);
		for (i = 0; i < vs.n; i++)
			if (vs.v[i].service && !on_claim(s, vs.v[i].charge_id))
				creport(c, 1, "visit %lld: line %d (charge "
				    "%lld) is on none of its claims, and claim "
				    "%lld was sent: put it on a replacement "
				    "(pms-claim resubmit %lld)",
				    (long long)visit, vs.v[i].line,
				    (long long)vs.v[i].charge_id,
				    (long long)sent, (long long)sent);
		goto done;
	}
	sqlite3_reset(c->exists);
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading claims");
		goto out;
	}
	/* the pointers: into the visit's diagnoses, at most four, each
	 * once */
	for (i = 0; i < vs.n; i++) {
		if (!vs.v[i].service)
			continue;
		if (vs.v[i].bad || vs.v[i].nptrs > PMS_CLAIM_PTR_MAX) {
			creport(c, 0, "visit %lld: line %d (charge %lld): more "
			    "than %d diagnosis pointers: a line points at one "
			    "to four diagnoses", (long long)visit,
			    vs.v[i].line, (long long)vs.v[i].charge_id,
			    PMS_CLAIM_PTR_MAX);
			refused = 1;
		}
		for (j = 0; j < vs.v[i].nptrs && j < PMS_837_PTRS; j++) {
			if (vs.v[i].ptrs[j] < 1 ||
			    (size_t)vs.v[i].ptrs[j] > v.ndx) {
				creport(c, 0, "visit %lld: line %d (charge "
				    "%lld): pointer %d points past the visit's "
				    "%zu diagnoses", (long long)visit,
				    vs.v[i].line,
				    (long long)vs.v[i].charge_id,
				    vs.v[i].ptrs[j], v.ndx);
				refused = 1;
			}
			for (m = 0; m < j; m++)
				if (vs.v[i].ptrs[m] == vs.v[i].ptrs[j]) {
					creport(c, 0, "visit %lld: line %d "
					    "(charge %lld): pointer %d given "
					    "more than once (duplicates)",
					    (long long)visit, vs.v[i].line,
					    (long long)vs.v[i].charge_id,
					    vs.v[i].ptrs[j]);
					refused = 1;
					break;
				}
		}
	}
	if (refused)
		goto refuse;
	if (v.ndx > PMS_CLAIM_DX_MAX && !c->o->split_dx) {
		creport(c, 0, "visit %lld: more than %d diagnoses (%zu): a "
		    "claim carries at most %d, and none is left out: code "
		    "fewer, or put its lines on several claims with "
		    "--split-dx", (long long)visit, PMS_CLAIM_DX_MAX, v.ndx,
		    PMS_CLAIM_DX_MAX);
		refused = 1;
		goto refuse;
	}
	/* the parts: in line order, at most 50 lines and 12 diagnoses */
	part = 0;
	nlines = 0;
	memset(seen, 0, sizeof(seen));
	ndx_part = 0;
	for (i = 0; i < vs.n; i++) {
		if (!vs.v[i].service)
			continue;
		m = 0;
		for (j = 0; j < vs.v[i].nptrs; j++)
			if (!seen[vs.v[i].ptrs[j] - 1])
				m++;
		if (nlines == PMS_CLAIM_LINES_MAX ||
		    ndx_part + m > PMS_CLAIM_DX_MAX) {
			part++;
			nlines = 0;
			ndx_part = 0;
			memset(seen, 0, sizeof(seen));
			m = vs.v[i].nptrs;
		}
		for (j = 0; j < vs.v[i].nptrs; j++)
			seen[vs.v[i].ptrs[j] - 1] = 1;
		ndx_part += m;
		nlines++;
		vs.v[i].part = part;
	}
	parts = part + 1;
	/* the diagnoses no line points at go on the first part, if they
	 * fit; else they are left off, and that is said */
	any = 0;
	if (parts > 1) {
		part_dx(&vs, &v, 0, 0, used);
		for (i = 0; i < v.ndx; i++) {
			for (j = 0, m = 0; j < vs.n && !m; j++) {
				if (!vs.v[j].service)
					continue;
				for (k = 0; k < vs.v[j].nptrs; k++)
					if (vs.v[j].ptrs[k] == (int)i + 1)
						m = 1;
			}
			if (!m)
				unpointed++;
		}
		ndx_part = part_dx(&vs, &v, 0, 0, used);
		any = ndx_part + unpointed <= PMS_CLAIM_DX_MAX;
		if (unpointed > 0 && !any)
			creport(c, 1, "visit %lld: %zu diagnoses no line points "
			    "at are left off its claims (--split-dx)",
			    (long long)visit, unpointed);
	}
	for (part = 0; part < parts; part++) {
		if ((ps = claim_insert(c, &v, &pol[0], &vs, part, parts,
		    parts == 1 ? PART_DX_ALL : part == 0 && any ?
		    PART_DX_UNPOINTED : PART_DX_OWN, given)) != PMS_OK) {
			if (ps == PMS_EREFUSED) {
				creport(c, 0, "%s", pms_errmsg());
				ps = PMS_EDATA;
			}
			goto out;
		}
	}
	if (c->nold > 0)
		c->n->already++;	/* on its unsent claims, made again */
	for (i = (size_t)parts; i < c->nold; i++) {
		if ((ps = pms_claim_move(s, c->old[i], PMS_CLAIM_VOIDED, 0,
		    "never sent: its lines are on the visit's other claims"))
		    != PMS_OK)
			goto out;
		creport(c, 1, "claim %lld (%s): not sent yet, and its lines "
		    "are on the visit's other claims now: voided",
		    (long long)c->old[i], c->old_clm01[i]);
	}
	if (parts > 1)
		creport(c, 1, "visit %lld: %zu lines and %zu diagnoses: on %d "
		    "claims, each with the diagnoses its lines point at",
		    (long long)visit, nserv, v.ndx, parts);
	if (c->b != NULL && (ps = pms_audit_batch_add(c->b, v.patient_id,
	    NULL)) != PMS_OK)
		goto out;
done:
	ps = PMS_OK;
	goto out;
refuse:
	if (refused)
		c->n->refused++;
	ps = PMS_OK;
out:
	free(vs.v);
	return ps;
}

/* A visit named twice (two charge records of it) is claimed once. */
struct vnamed {
	int64_t		 visit;
	char		 clm01[PMS_CLM01_MAX + 1];	/* "" if none */
};

static enum pms_status
read_records(struct pms_store *s, struct pms_reader *rd, struct vnamed **vp,
    size_t *np)
{
	struct pms_record *rec;
	struct pms_charge ch;
	struct vnamed *v = NULL, *nv;
	enum pms_status ps, first = PMS_OK;
	const char *t;
	size_t n = 0, cap = 0, i;
	int64_t visit, charge;
	char msg[512];

	*vp = NULL;
	*np = 0;
	msg[0] = '\0';
	for (;;) {
		ps = pms_reader_next(rd, &rec);
		if (ps != PMS_OK) {
			if (first == PMS_OK) {
				first = ps;
				copy(msg, sizeof(msg), pms_errmsg());
			}
			if (rec == NULL && ps == PMS_EIO)
				break;
			continue;
		}
		if (rec == NULL)
			break;
		visit = charge = 0;
		ps = pms_record_int(rec, "visit_id", &visit);
		if (ps == PMS_ENOINPUT) {
			ps = pms_record_int(rec, "charge_id", &charge);
			if (ps == PMS_ENOINPUT)
				ps = pms_record_fail(rec, NULL, PMS_EDATA, "a "
				    "record needs a visit_id or a charge_id");
		}
		if (ps == PMS_OK && charge > 0) {
			if ((ps = pms_bill_charge_get(s, charge, &ch)) !=
			    PMS_OK)
				ps = pms_record_fail(rec, "charge_id",
				    PMS_EDATA, "no charge %lld",
				    (long long)charge);
			else if (ch.visit_id == 0)
				ps = pms_record_fail(rec, "charge_id",
				    PMS_EDATA, "charge %lld is a balance "
				    "brought in, of no visit",
				    (long long)charge);
			else
				visit = ch.visit_id;
		} else if (ps == PMS_OK && visit <= 0)
			ps = pms_record_fail(rec, "visit_id", PMS_EDATA, "not "
			    "an id");
		else if (ps == PMS_OK && charge < 0)
			ps = pms_record_fail(rec, "charge_id", PMS_EDATA, "not "
			    "an id");
		else if (ps == PMS_OK) {
			struct pms_visit vv;

			if (pms_bill_visit_get(s, visit, &vv) != PMS_OK)
				ps = pms_record_fail(rec, "visit_id",
				    PMS_EDATA, "no visit %lld",
				    (long long)visit);
		}
		t = ps == PMS_OK ? pms_record_text(rec, "claim") : NULL;
		while (t != NULL && *t == ' ')
			t++;
		if (t != NULL && *t != '\0' && !clm01_ok(t))
			ps = pms_record_fail(rec, "claim", PMS_EDATA, "not a "
			    "claim number: 1 to 20 letters, digits and \"-\" "
			    "(\"C\" and digits alone are pms's own)");
		if (ps != PMS_OK) {
			if (first == PMS_OK) {
				first = ps;
				copy(msg, sizeof(msg), pms_errmsg());
			}
			continue;
		}
		for (i = 0; i < n; i++)
			if (v[i].visit == visit)
				break;
		if (i < n)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*nv))) == NULL) {
				free(v);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			v = nv;
		}
		v[n].visit = visit;
		clm01_key(t != NULL ? t : "", v[n].clm01, sizeof(v[n].clm01),
		    1);
		n++;
	}
	if (first != PMS_OK) {
		free(v);
		return pms_seterr(first, "%s", msg);
	}
	*vp = v;
	*np = n;
	return PMS_OK;
}

enum pms_status
pms_claim_create(struct pms_store *s, const struct pms_claim_create_opts *o,
    pms_claim_fn *fn, void *arg, struct pms_claim_create_count *n)
{
	struct create c;
	struct pms_config *cfg = NULL;
	struct vnamed *named = NULL;
	struct pms_claim *made = NULL;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	size_t nnamed = 0, i;
	int64_t *visits = NULL, *nv;
	size_t nvisits = 0, cap = 0;
	int rc;

	memset(n, 0, sizeof(*n));
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.o = o;
	c.n = n;
	now_utc(c.now);
	/* no claim is made without the practice's configuration, even
	 * when there is nothing to claim: cron learns of it at once */
	if ((ps = pms_config_read(s, &cfg)) != PMS_OK)
		return ps;
	pms_config_free(cfg);
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if (o->rd != NULL && (ps = read_records(s, o->rd, &named, &nnamed)) !=
	    PMS_OK)
		goto fail;
	if (o->unbilled) {
		rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT c.visit_id "
		    "FROM charges c WHERE c.visit_id IS NOT NULL AND c.kind = "
		    "'service' AND c.status <> 'void' AND c.patient_only = 0 "
		    "AND NOT EXISTS (SELECT 1 FROM claim_lines l JOIN claims k "
		    "ON k.id = l.claim_id WHERE l.charge_id = c.id AND k.state "
		    "<> 'voided' AND k.state <> 'replaced') ORDER BY "
		    "c.visit_id", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (nvisits == cap) {
				cap = cap == 0 ? 256 : cap * 2;
				if ((nv = realloc(visits, cap *
				    sizeof(*nv))) == NULL) {
					ps = pms_seterr(PMS_ENOMEM, "out of "
					    "memory");
					goto fail;
				}
				visits = nv;
			}
			visits[nvisits++] = sqlite3_column_int64(st, 0);
		}
		if (rc != SQLITE_DONE)
			goto sqlfail;
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claims (id, clm01, "
	    "patient_id, visit_id, policy_id, payer_id, payer_seq, part, parts, "
	    "frequency, dos_from, dos_to, dx, total_cents, state, created_at, "
	    "created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, "
	    "?8, '1', ?9, ?10, ?11, ?12, 'draft', ?13, ?14, ?13)", -1,
	    &c.ins_claim, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_lines "
		    "(claim_id, lx, charge_id, control, dos, code, modifiers, "
		    "units, amount_cents, dx_pointers) VALUES (?1, ?2, ?3, ?4, "
		    "?5, ?6, ?7, ?8, ?9, ?10)", -1, &c.ins_line, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT id, payer_id = ?2 FROM "
		    "claims WHERE visit_id = ?1 AND payer_seq = 1 AND state <> "
		    "'voided' AND state <> 'replaced' ORDER BY payer_id = ?2 "
		    "DESC, id DESC LIMIT 1", -1, &c.exists, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if ((ps = pms_audit_batch_begin(s, &c.b)) != PMS_OK)
		goto fail;
	for (i = 0; i < nnamed; i++) {
		if (*named[i].clm01 != '\0') {
			struct pms_claim tmp;

			if (pms_claim_find(s, named[i].clm01, &tmp) == PMS_OK) {
				creport(&c, 0, "visit %lld: claim: that claim "
				    "number is on claim %lld already",
				    (long long)named[i].visit,
				    (long long)tmp.id);
				n->visits++;
				n->refused++;
				continue;
			}
		}
		if ((ps = create_visit(&c, named[i].visit, *named[i].clm01 !=
		    '\0' ? named[i].clm01 : NULL, 1)) != PMS_OK)
			goto fail;
	}
	for (i = 0; i < nvisits; i++) {
		if ((ps = create_visit(&c, visits[i], NULL, 0)) != PMS_OK)
			goto fail;
	}
	sqlite3_finalize(c.ins_claim);
	sqlite3_finalize(c.ins_line);
	sqlite3_finalize(c.exists);
	c.ins_claim = c.ins_line = c.exists = NULL;
	/* the claims made, read back before the commit, passed on after */
	if (c.nmade > 0 && (made = calloc(c.nmade, sizeof(*made))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < c.nmade; i++)
		if ((ps = pms_claim_get(s, c.made[i], &made[i])) != PMS_OK)
			goto fail;
	if (o->dry_run) {
		pms_audit_batch_free(c.b);
		c.b = NULL;
		pms_store_rollback(s);
	} else {
		ps = pms_audit_batch_end(c.b, "claim.create", "claims");
		c.b = NULL;
		if (ps != PMS_OK || (ps = pms_store_commit(s)) != PMS_OK)
			goto fail;
	}
	for (i = 0; fn != NULL && i < c.nmade; i++)
		if (fn(arg, &made[i]) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "making claims");
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(c.ins_claim);
	sqlite3_finalize(c.ins_line);
	sqlite3_finalize(c.exists);
	pms_audit_batch_free(c.b);
	pms_store_rollback(s);
out:
	free(made);
	free(named);
	free(visits);
	free(c.made);
	return ps;
}

/* ---- an unsent claim follows its charges ---- */

struct follow_tally {
	pms_claim_report_fn *report;
	void		*arg;
	unsigned	 errors;
};

static void
follow_report(void *arg, int warn, const char *msg)
{
	struct follow_tally *t = arg;

	if (!warn)
		t->errors++;
	if (t->report != NULL)
		t->report(t->arg, warn, msg);
}

/*
 * Before a check: an unsent (draft, validated) primary original
 * (frequency 1: a replacement or void is made from its original on
 * purpose, and a secondary from its primary) is made again from its
 * visit's charges and the policy covering the date of
 * service now (create_visit, in place), voided if nothing is left to
 * claim (*gone).  Then each line's charge must be owed by the claim's
 * policy, not another's (the ledger and the claim agree on who owes
 * it).  *errors counts what keeps it from being sent.
 */
static enum pms_status
claim_follow(struct pms_store *s, int64_t id, pms_claim_report_fn *report,
    void *rarg, unsigned *errors, int *gone)
{
	struct pms_claim_create_opts o;
	struct pms_claim_create_count n;
	struct follow_tally t;
	struct create c;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int64_t visit;
	int rc, k, split;

	*gone = 0;
	rc = pms_store_prepare(s, "SELECT visit_id, parts FROM claims "
	    "WHERE id = ?1 AND payer_seq = 1 AND frequency = '1' AND (state "
	    "= 'draft' OR state = 'validated')", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a claim");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	visit = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	/* made with --split-dx: made again so */
	split = rc == SQLITE_ROW && sqlite3_column_int(st, 1) > 1;
	pms_store_finalize(s, st);
	st = NULL;
	if (rc == SQLITE_DONE)
		return PMS_OK;	/* sent, a later payer's, or a correction */
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a claim");

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	memset(&c, 0, sizeof(c));
	t.report = report;
	t.arg = rarg;
	o.report = follow_report;
	o.report_arg = &t;
	o.split_dx = split;
	c.s = s;
	c.o = &o;
	c.n = &n;
	memset(&n, 0, sizeof(n));
	now_utc(c.now);
	c.follow_only = 1;
	rc = pms_store_prepare(s, "INSERT INTO claim_lines "
	    "(claim_id, lx, charge_id, control, dos, code, modifiers, "
	    "units, amount_cents, dx_pointers) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10)", &c.ins_line);
	if (rc == SQLITE_OK)
		rc = pms_store_prepare(s, "INSERT INTO claims (id, "
		    "clm01, patient_id, visit_id, policy_id, payer_id, "
		    "payer_seq, part, parts, frequency, dos_from, dos_to, dx, "
		    "total_cents, state, created_at, created_by, updated_at) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, '1', ?9, ?10, "
		    "?11, ?12, 'draft', ?13, ?14, ?13)", &c.ins_claim);
	if (rc == SQLITE_OK)
		rc = pms_store_prepare(s, "SELECT 0, 1 WHERE 0", &c.exists);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "making a claim again");
		goto out;
	}
	if ((ps = create_visit(&c, visit, NULL, 1)) != PMS_OK)
		goto out;
	*errors += t.errors;
	k = claim_state_of(s, id);
	if (k == PMS_CLAIM_VOIDED) {
		*gone = 1;
		goto out;
	}

	/* who owes each line: the claim's policy, or say how to move it */
	rc = pms_store_prepare(s, "SELECT l.lx, l.charge_id, py.code, "
	    "kp.code FROM claims k JOIN claim_lines l ON l.claim_id = k.id "
	    "JOIN balances b ON b.charge_id = l.charge_id AND b.party = "
	    "'payer' AND b.policy_id <> k.policy_id AND b.amount_cents > 0 "
	    "JOIN payers py ON py.id = b.payer_id JOIN payers kp ON kp.id = "
	    "k.payer_id WHERE k.id = ?1 ORDER BY l.lx", &st);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading balances");
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char msg[512];

		snprintf(msg, sizeof(msg), "claim %lld: line %d: charge %lld "
		    "is owed by the payer \"%s\" (another policy), but the "
		    "policy covering the date of service now is \"%s\"'s: move "
		    "it first (pms-bill transfer %lld --from %s --to %s "
		    "--reason 'policy corrected')", (long long)id,
		    sqlite3_column_int(st, 0),
		    (long long)sqlite3_column_int64(st, 1), col_text(st, 2),
		    col_text(st, 3), (long long)sqlite3_column_int64(st, 1),
		    col_text(st, 2), col_text(st, 3));
		(*errors)++;
		if (report != NULL)
			report(rarg, 0, msg);
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading balances");
out:
	pms_store_finalize(s, st);
	pms_store_finalize(s, c.ins_claim);
	pms_store_finalize(s, c.ins_line);
	pms_store_finalize(s, c.exists);
	free(c.made);
	return ps;
}

/* ---- validating ---- */

/* The fields a check reads, for the access log. */
#define CHECK_FIELDS \
	"last_name,first_name,middle_name,suffix,dob,sex,street,street2," \
	"city,state,zip,member_id,group_number,relationship,subscriber," \
	"dx,lines"

/* Counts the warnings a check reports, and passes them on. */
struct tally {
	pms_claim_report_fn *report;
	void		*arg;
	unsigned	 warnings;
};

static void
tally_report(void *arg, int warn, const char *msg)
{
	struct tally *t = arg;

	if (warn)
		t->warnings++;
	if (t->report != NULL)
		t->report(t->arg, warn, msg);
}

/* The ids the statement sql (one optional ?1) selects, by id. */
static enum pms_status
select_ids(struct pms_store *s, const char *sql, int64_t bind, int64_t **idp,
    size_t *np)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL, *nv;
	size_t n = 0, cap = 0;
	int rc;

	*idp = NULL;
	*np = 0;
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	if (bind != 0)
		sqlite3_bind_int64(st, 1, bind);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((nv = realloc(ids, cap * sizeof(*nv))) == NULL) {
				sqlite3_finalize(st);
				free(ids);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			ids = nv;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(ids);
		return pms_store_sqlerr(s, rc, "reading claims");
	}
	*idp = ids;
	*np = n;
	return PMS_OK;
}

enum pms_status
pms_claim_validate(struct pms_store *s, const int64_t *ids, size_t n,
    int dry_run, pms_claim_report_fn *report, void *rarg,
    pms_claim_result_fn *fn, void *arg)
{
	struct pms_837_env env;
	struct loader ld;
	struct pms_837_claim *doc = NULL;
	struct pms_claim_result *res = NULL;
	struct pms_audit_batch *b = NULL;
	struct tally t;
	enum pms_claim_state state;
	enum pms_status ps;
	int64_t *all = NULL, patient;
	char zone[PMS_ZONE_MAX];
	unsigned errors;
	size_t i;
	int ld_open = 0;

	if ((ps = env_load(s, &env, zone)) != PMS_OK)
		return ps;
	if ((doc = malloc(sizeof(*doc))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	if (n == 0) {
		if ((ps = select_ids(s, "SELECT id FROM claims WHERE state = "
		    "'draft' OR state = 'validated' ORDER BY id", 0, &all,
		    &n)) != PMS_OK)
			goto fail;
		ids = all;
	}
	if (n > 0 && (res = calloc(n, sizeof(*res))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	if ((ps = loader_open(&ld, s, &env)) != PMS_OK)
		goto fail;
	ld_open = 1;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	if (n > 0 && !env.has_partner && report != NULL)
		report(rarg, 1, "no trading_partner in the configuration: the "
		    "claims can be checked, not exported (pms.yaml(5))");
	for (i = 0; i < n; i++) {
		int gone;

		errors = 0;
		if ((ps = claim_follow(s, ids[i], report, rarg, &errors,
		    &gone)) != PMS_OK)
			goto fail;
		if ((ps = load_doc(&ld, ids[i], doc, &state, &patient)) !=
		    PMS_OK)
			goto fail;
		memset(&t, 0, sizeof(t));
		t.report = report;
		t.arg = rarg;
		if (!gone)
			errors += pms_837_check(&env, doc, tally_report, &t);
		if (errors == 0 && state == PMS_CLAIM_DRAFT) {
			if ((ps = pms_claim_move(s, ids[i],
			    PMS_CLAIM_VALIDATED, 0, "checked")) != PMS_OK)
				goto fail;
			state = PMS_CLAIM_VALIDATED;
		} else if (errors > 0 && state == PMS_CLAIM_VALIDATED) {
			if ((ps = pms_claim_move(s, ids[i], PMS_CLAIM_DRAFT, 0,
			    "a check failed")) != PMS_OK)
				goto fail;
			state = PMS_CLAIM_DRAFT;
		}
		res[i].claim_id = ids[i];
		copy(res[i].clm01, sizeof(res[i].clm01), doc->clm01);
		res[i].state = state;
		res[i].errors = errors;
		res[i].warnings = t.warnings;
		if ((ps = pms_audit_batch_add(b, patient, NULL)) != PMS_OK)
			goto fail;
	}
	loader_close(&ld);
	ld_open = 0;
	if (dry_run) {
		pms_audit_batch_free(b);
		b = NULL;
		pms_store_rollback(s);
	} else {
		ps = pms_audit_batch_end(b, "claim.validate", CHECK_FIELDS);
		b = NULL;
		if (ps != PMS_OK || (ps = pms_store_commit(s)) != PMS_OK)
			goto fail;
	}
	for (i = 0; fn != NULL && i < n; i++)
		if (fn(arg, &res[i]) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	goto done;
fail:
	if (ld_open)
		loader_close(&ld);
	pms_audit_batch_free(b);
	pms_store_rollback(s);
done:
	free(doc);
	free(res);
	free(all);
	return ps;
}

/* ---- exporting ---- */

/*
 * Take count numbers from counter name ("interchange" starting at
 * first, "transaction" at 1; never below first): the first in *v.
 * PMS_EREFUSED when the nine digits of X12 are used up.
 */
static enum pms_status
counter_take(struct pms_store *s, const char *name, int64_t first,
    int64_t count, uint32_t *v)
{
	sqlite3_stmt *st;
	int64_t next = first;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT next FROM claim_counters WHERE "
	    "name = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading control numbers");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 0) > next)
		next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading control numbers");
	if (next < 1 || next + count - 1 > 999999999)
		return pms_seterr(PMS_EREFUSED, "the %s control numbers are "
		    "used up (999999999)", name);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_counters (name, "
	    "next) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET next = "
	    "excluded.next", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "taking control numbers");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, next + count);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "taking control numbers");
	*v = (uint32_t)next;
	return PMS_OK;
}

/* A claim that goes in the file. */
struct sent {
	int64_t		 claim;
	int64_t		 patient;
	enum pms_claim_state state;	/* when it was checked */
	uint32_t	 st02;
};

struct export {
	struct pms_store *s;
	const struct pms_claim_export_opts *o;
	struct pms_claim_export_result *r;
	struct pms_837_env env;
	char		 zone[PMS_ZONE_MAX];
	struct pms_837_batch batch;
	int64_t		 first_control;
	struct sent	*sent;
	size_t		 nsent, capsent;
	struct pms_837_writer *w;
	FILE		*mem;
	char		*buf;
	size_t		 len;
	unsigned	 in_set;	/* claims of the open set */
	uint32_t	 st02;
};

static void ereport(struct export *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ereport(struct export *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (x->o->report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->o->report(x->o->report_arg, 0, msg);
}

/* Put a claim that passed in the interchange, opening it (and taking
 * its control numbers) at the first, and a set every 5000. */
static enum pms_status
export_claim(struct export *x, const struct pms_837_claim *doc,
    int64_t patient, enum pms_claim_state state)
{
	struct sent *ns;
	enum pms_status ps;
	size_t cap;

	if (x->w == NULL) {
		if ((ps = counter_take(x->s, "interchange", x->first_control,
		    1, &x->batch.isa13)) != PMS_OK)
			return ps;
		x->batch.batch_id = x->batch.isa13;
		if ((x->mem = open_memstream(&x->buf, &x->len)) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		if ((ps = pms_837_open(&x->w, x->mem, &x->env, &x->batch)) !=
		    PMS_OK)
			return ps;
		x->r->isa13 = x->batch.isa13;
	}
	if (x->in_set == PMS_CLAIM_SET_MAX) {
		if ((ps = pms_837_set_end(x->w)) != PMS_OK)
			return ps;
		x->in_set = 0;
	}
	if (x->in_set == 0) {
		if ((ps = counter_take(x->s, "transaction", 1, 1, &x->st02)) !=
		    PMS_OK || (ps = pms_837_set_begin(x->w, x->st02)) != PMS_OK)
			return ps;
		if (x->r->sets++ == 0)
			x->r->st02_first = x->st02;
	}
	if ((ps = pms_837_claim(x->w, doc)) != PMS_OK)
		return ps;
	x->in_set++;
	if (x->nsent == x->capsent) {
		cap = x->capsent == 0 ? 256 : x->capsent * 2;
		if ((ns = realloc(x->sent, cap * sizeof(*ns))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		x->sent = ns;
		x->capsent = cap;
	}
	x->sent[x->nsent].claim = doc->claim_id;
	x->sent[x->nsent].patient = patient;
	x->sent[x->nsent].state = state;
	x->sent[x->nsent].st02 = x->st02;
	x->nsent++;
	x->r->claims++;
	x->r->total_cents += doc->total_cents;
	return PMS_OK;
}

/* The interchange complete, in x->buf. */
static enum pms_status
export_finish(struct export *x)
{
	enum pms_status ps;

	if ((ps = pms_837_set_end(x->w)) != PMS_OK) {
		pms_837_abort(x->w);
		x->w = NULL;
		return ps;
	}
	ps = pms_837_close(x->w);
	x->w = NULL;
	if (ps != PMS_OK)
		return ps;
	if (fflush(x->mem) == EOF || ferror(x->mem))
		return pms_seterr(PMS_ENOMEM, "out of memory");
	return PMS_OK;
}

/* An absolute path for the record of a batch, or NULL for stdout. */
static char *
abs_path(const char *path)
{
	char cwd[PATH_MAX], *p;
	size_t n;

	if (path == NULL || strcmp(path, "-") == 0)
		return NULL;
	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return strdup(path);
	n = strlen(cwd) + strlen(path) + 2;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/%s", cwd, path);
	return p;
}

static enum pms_status
batch_record(struct export *x, int64_t *idp)
{
	struct pms_store *s = x->s;
	sqlite3_stmt *st;
	char now[PMS_STAMP_BUFSZ], *path;
	uint32_t st02 = 0;
	unsigned n = 0;
	size_t i;
	int rc;

	now_utc(now);
	path = abs_path(x->o->out_path);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_batches (isa13, "
	    "status, resend_of, usage, sender, receiver, path, claims, "
	    "total_cents, created_at, created_by) VALUES (?1, 'writing', ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		free(path);
		return pms_store_sqlerr(s, rc, "recording a batch");
	}
	sqlite3_bind_int64(st, 1, x->batch.isa13);
	bind_id(st, 2, x->o->resend);
	sqlite3_bind_text(st, 3, x->env.usage == 'P' ? "P" : "T", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->env.sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, x->env.receiver, -1, SQLITE_STATIC);
	bind_text(st, 6, path);
	sqlite3_bind_int64(st, 7, (int64_t)x->nsent);
	sqlite3_bind_int64(st, 8, x->r->total_cents);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, pms_store_user(s), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(path);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "recording a batch");
	*idp = sqlite3_last_insert_rowid(s->db);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO claim_sets (batch_id, "
	    "st02, claims) VALUES (?1, ?2, ?3)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "recording a batch");
	for (i = 0; i <= x->nsent; i++) {
		if (i < x->nsent && (n == 0 || x->sent[i].st02 == st02)) {
			st02 = x->sent[i].st02;
			n++;
			continue;
		}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, *idp);
		sqlite3_bind_int64(st, 2, st02);
		sqlite3_bind_int64(st, 3, n);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return pms_store_sqlerr(s, rc, "recording a batch");
		}
		if (i < x->nsent) {
			st02 = x->sent[i].st02;
			n = 1;
		}
	}
	sqlite3_finalize(st);
	return PMS_OK;
}

/*
 * Write len bytes of buf to path (NULL or "-": stream): a file that is
 * not there or regular is written beside its place (0600), fsynced and
 * renamed; anything else (a device, a FIFO) is written where it is.
 * PMS_EIO naming the file and the error; nothing left behind.
 */
static enum pms_status
write_out(const char *path, FILE *stream, const char *buf, size_t len)
{
	struct stat sb;
	char *tmp = NULL;
	FILE *f;
	int fd, err = 0;
	size_t n;

	if (path == NULL || strcmp(path, "-") == 0) {
		f = stream != NULL ? stream : stdout;
		errno = 0;
		if (len > 0 && fwrite(buf, 1, len, f) != len)
			err = errno != 0 ? errno : EIO;
		if (!err && (fflush(f) == EOF || ferror(f)))
			err = errno != 0 ? errno : EIO;
		if (err)
			return pms_seterr(PMS_EIO, "standard output: write "
			    "error: %s", strerror(err));
		return PMS_OK;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return pms_seterr(PMS_EIO, "%s: a directory", path);
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if ((f = fopen(path, "we")) == NULL)
			return pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
	} else {
		n = strlen(path) + 16;
		if ((tmp = malloc(n)) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		snprintf(tmp, n, "%s.tmpXXXXXX", path);
		if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
			err = errno;
			free(tmp);
			return pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(err));
		}
		if (fchmod(fd, 0600) == -1 || (f = fdopen(fd, "w")) == NULL) {
			err = errno;
			close(fd);
			unlink(tmp);
			free(tmp);
			return pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(err));
		}
	}
	errno = 0;
	if (len > 0 && fwrite(buf, 1, len, f) != len)
		err = errno != 0 ? errno : EIO;
	if (!err && (fflush(f) == EOF || ferror(f)))
		err = errno != 0 ? errno : EIO;
	if (!err && tmp != NULL && fsync(fileno(f)) == -1)
		err = errno;
	if (fclose(f) == EOF && !err)
		err = errno != 0 ? errno : EIO;
	if (!err && tmp != NULL && rename(tmp, path) == -1)
		err = errno;
	if (tmp != NULL) {
		if (err)
			unlink(tmp);
		else
			(void)pms_sync_dir(path);
		free(tmp);
	}
	if (err)
		return pms_seterr(PMS_EIO, "%s: write error: %s", path,
		    strerror(err));
	return PMS_OK;
}

/* Step 3: the claims sent, and the batch. */
static enum pms_status
export_sent(struct export *x, int64_t batch)
{
	struct pms_store *s = x->s;
	struct pms_audit_batch *b = NULL;
	sqlite3_stmt *cur = NULL, *sub = NULL, *lines = NULL, *sent = NULL;
	enum pms_status ps;
	char now[PMS_STAMP_BUFSZ], note[96], today[PMS_DATE_BUFSZ];
	int64_t policy;
	size_t i;
	int rc, state;

	now_utc(now);
	pms_date_fmt(x->env.today, today);
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "SELECT state, policy_id FROM claims "
	    "WHERE id = ?1", -1, &cur, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO "
		    "claim_submissions (claim_id, batch_id, st02) VALUES (?1, "
		    "?2, ?3)", -1, &sub, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT charge_id FROM "
		    "claim_lines WHERE claim_id = ?1 ORDER BY lx", -1, &lines,
		    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "UPDATE claims SET "
		    "submitted_on = coalesce(submitted_on, ?2) WHERE id = ?1",
		    -1, &sent, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	snprintf(note, sizeof(note), "sent in batch %lld (interchange %09"
	    PRIu32 ")", (long long)batch, x->batch.isa13);
	for (i = 0; i < x->nsent; i++) {
		sqlite3_reset(cur);
		sqlite3_bind_int64(cur, 1, x->sent[i].claim);
		if ((rc = sqlite3_step(cur)) != SQLITE_ROW)
			goto sqlfail;
		state = pms_claim_state_parse(col_text(cur, 0));
		policy = sqlite3_column_int64(cur, 1);
		sqlite3_reset(cur);
		if (state != (int)x->sent[i].state) {
			ereport(x, "claim %lld: changed while the file was "
			    "written: it is in the file, and left as it is "
			    "now", (long long)x->sent[i].claim);
			continue;
		}
		if ((ps = pms_claim_move(s, x->sent[i].claim,
		    PMS_CLAIM_SUBMITTED, batch, note)) != PMS_OK ||
		    (ps = pms_claim_corr_sent(s, x->sent[i].claim, batch)) !=
		    PMS_OK)
			goto fail;
		sqlite3_reset(sent);
		sqlite3_bind_int64(sent, 1, x->sent[i].claim);
		sqlite3_bind_text(sent, 2, today, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(sent)) != SQLITE_DONE)
			goto sqlfail;
		sqlite3_reset(sub);
		sqlite3_bind_int64(sub, 1, x->sent[i].claim);
		sqlite3_bind_int64(sub, 2, batch);
		sqlite3_bind_int64(sub, 3, x->sent[i].st02);
		if ((rc = sqlite3_step(sub)) != SQLITE_DONE)
			goto sqlfail;
		sqlite3_reset(lines);
		sqlite3_bind_int64(lines, 1, x->sent[i].claim);
		while ((rc = sqlite3_step(lines)) == SQLITE_ROW)
			if ((ps = pms_bill_mark_billed(s,
			    sqlite3_column_int64(lines, 0), policy, today)) !=
			    PMS_OK)
				goto fail;
		if (rc != SQLITE_DONE)
			goto sqlfail;
		if ((ps = pms_audit_batch_add(b, x->sent[i].patient, NULL)) !=
		    PMS_OK)
			goto fail;
	}
	sqlite3_finalize(cur);
	sqlite3_finalize(sub);
	sqlite3_finalize(lines);
	sqlite3_finalize(sent);
	cur = sub = lines = sent = NULL;
	rc = sqlite3_prepare_v2(s->db, "UPDATE claim_batches SET status = "
	    "'sent', sent_at = ?2 WHERE id = ?1", -1, &cur, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(cur, 1, batch);
	sqlite3_bind_text(cur, 2, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(cur);
	sqlite3_finalize(cur);
	cur = NULL;
	if (rc != SQLITE_DONE)
		goto sqlfail;
	ps = pms_audit_batch_end(b, "claim.export", "state,billed_on");
	b = NULL;
	if (ps != PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "recording the claims sent");
fail:
	sqlite3_finalize(cur);
	sqlite3_finalize(sub);
	sqlite3_finalize(lines);
	sqlite3_finalize(sent);
	pms_audit_batch_free(b);
	pms_store_rollback(s);
	return ps;
}

/* The batch could not be written: it failed, its numbers stay used. */
static void
export_failed(struct export *x, int64_t batch, const char *why)
{
	struct pms_store *s = x->s;
	sqlite3_stmt *st;

	if (pms_store_begin(s) != PMS_OK)
		return;
	if (sqlite3_prepare_v2(s->db, "UPDATE claim_batches SET status = "
	    "'failed', failure = ?2 WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK) {
		pms_store_rollback(s);
		return;
	}
	sqlite3_bind_int64(st, 1, batch);
	sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		pms_store_rollback(s);
		return;
	}
	sqlite3_finalize(st);
	(void)pms_store_commit(s);
}

/* The fields an 837 carries, for the access log. */
#define EXPORT_FIELDS CHECK_FIELDS ",claims"

enum pms_status
pms_claim_export(struct pms_store *s, const struct pms_claim_export_opts *o,
    struct pms_claim_export_result *r)
{
	struct export x;
	struct loader ld;
	struct pms_837_claim *doc = NULL;
	struct pms_audit_batch *b = NULL;
	struct pms_local now;
	struct pms_config *cfg = NULL;
	struct tally t;
	enum pms_claim_state state;
	enum pms_status ps;
	int64_t *ids = NULL, patient, batch = 0, v;
	size_t n = 0, i;
	int lockfd = -1, ld_open = 0;
	char why[256];

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.o = o;
	x.r = r;
	if ((ps = env_load(s, &x.env, x.zone)) != PMS_OK)
		return ps;
	if (!x.env.has_partner)
		return pms_seterr(PMS_ECONFIG, "no trading_partner in the "
		    "configuration: claims cannot be exported (pms.yaml(5))");
	x.first_control = 1;
	if (pms_config_read(s, &cfg) == PMS_OK) {
		if (pms_config_int(cfg, "trading_partner.first_control_number",
		    &v) == PMS_OK)
			x.first_control = v;
		pms_config_free(cfg);
	}
	if ((ps = pms_instant_to_local(x.zone, (int64_t)time(NULL), &now)) !=
	    PMS_OK)
		return ps;
	pms_date_fmt(now.days, x.batch.date);
	snprintf(x.batch.time, sizeof(x.batch.time), "%02u:%02u",
	    (unsigned)now.secs / 3600 % 24, (unsigned)now.secs / 60 % 60);
	if ((doc = malloc(sizeof(*doc))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");

	/* one export at a time: its numbers, its claims */
	if ((lockfd = pms_lock_open(s->lockdir, "claim-export.lock")) == -1 ||
	    pms_lock_wait(lockfd, LOCK_EX, 10000) == -1) {
		ps = pms_seterr(PMS_EBUSY, "another export of claims is "
		    "running: try again");
		goto done;
	}

	/* (1) check, number, build, record: committed before writing */
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	if ((ps = pms_exec(s, "UPDATE claim_batches SET status = 'failed', "
	    "failure = 'interrupted while it was written' WHERE status = "
	    "'writing'", "clearing batches")) != PMS_OK)
		goto fail;
	if (o->resend != 0) {
		sqlite3_int64 have;
		sqlite3_stmt *st;
		int rc;

		rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM "
		    "claim_batches WHERE id = ?1", -1, &st, NULL);
		if (rc != SQLITE_OK) {
			ps = pms_store_sqlerr(s, rc, "reading batches");
			goto fail;
		}
		sqlite3_bind_int64(st, 1, o->resend);
		rc = sqlite3_step(st);
		have = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW || have == 0) {
			ps = pms_seterr(PMS_EREFUSED, "no batch %lld",
			    (long long)o->resend);
			goto fail;
		}
		if ((ps = select_ids(s, "SELECT claim_id FROM "
		    "claim_submissions WHERE batch_id = ?1 ORDER BY st02, "
		    "claim_id", o->resend, &ids, &n)) != PMS_OK)
			goto fail;
	} else if (o->nids == 0) {
		if ((ps = select_ids(s, "SELECT id FROM claims WHERE state = "
		    "'draft' OR state = 'validated' ORDER BY id", 0, &ids,
		    &n)) != PMS_OK)
			goto fail;
	}
	if ((ps = loader_open(&ld, s, &x.env)) != PMS_OK)
		goto fail;
	ld_open = 1;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	if (o->resend == 0 && o->nids > 0)
		n = o->nids;
	for (i = 0; i < n; i++) {
		int64_t id = ids != NULL ? ids[i] : o->ids[i];
		unsigned ferr = 0;
		int gone;

		if (o->resend == 0 && (ps = claim_follow(s, id, o->report,
		    o->report_arg, &ferr, &gone)) != PMS_OK)
			goto fail;
		if ((ps = load_doc(&ld, id, doc, &state, &patient)) != PMS_OK)
			goto fail;
		if ((ps = pms_audit_batch_add(b, patient, NULL)) != PMS_OK)
			goto fail;
		if (o->resend == 0 && gone)
			continue;
		if (state != PMS_CLAIM_DRAFT && state != PMS_CLAIM_VALIDATED &&
		    state != PMS_CLAIM_REJECTED &&
		    state != PMS_CLAIM_SUBMITTED) {
			ereport(&x, "claim %lld: %s: only a draft, validated, "
			    "rejected or submitted claim is sent",
			    (long long)id, pms_claim_state_name(state));
			r->refused++;
			continue;
		}
		memset(&t, 0, sizeof(t));
		t.report = o->report;
		t.arg = o->report_arg;
		if (pms_837_check(&x.env, doc, tally_report, &t) + ferr > 0) {
			if (state == PMS_CLAIM_VALIDATED &&
			    (ps = pms_claim_move(s, id, PMS_CLAIM_DRAFT, 0,
			    "a check failed")) != PMS_OK)
				goto fail;
			ereport(&x, "claim %lld: left out of the file: fix what "
			    "is said above", (long long)id);
			r->refused++;
			continue;
		}
		if (state == PMS_CLAIM_DRAFT || state == PMS_CLAIM_REJECTED) {
			if ((ps = pms_claim_move(s, id, PMS_CLAIM_VALIDATED, 0,
			    "checked")) != PMS_OK)
				goto fail;
			state = PMS_CLAIM_VALIDATED;
		}
		if ((ps = export_claim(&x, doc, patient, state)) != PMS_OK)
			goto fail;
	}
	loader_close(&ld);
	ld_open = 0;
	if (x.w != NULL && (ps = export_finish(&x)) != PMS_OK)
		goto fail;
	if (x.nsent == 0) {
		/* nothing to send: the checks' moves and entry are kept */
		if (o->dry_run) {
			pms_audit_batch_free(b);
			b = NULL;
			pms_store_rollback(s);
			goto done;
		}
		ps = pms_audit_batch_end(b, "claim.validate", CHECK_FIELDS);
		b = NULL;
		if (ps != PMS_OK || (ps = pms_store_commit(s)) != PMS_OK)
			goto fail;
		goto done;
	}
	if ((ps = batch_record(&x, &batch)) != PMS_OK ||
	    (ps = pms_audit_batch_export(b, "837", o->out_path)) != PMS_OK)
		goto fail;
	if (o->dry_run) {
		pms_audit_batch_free(b);
		b = NULL;
		pms_store_rollback(s);
		goto done;
	}
	ps = pms_audit_batch_end(b, "claim.export", EXPORT_FIELDS);
	b = NULL;
	if (ps != PMS_OK || (ps = pms_store_commit(s)) != PMS_OK)
		goto fail;
	r->batch_id = batch;

	/* (2) the file, written and flushed or renamed into place */
	if ((ps = write_out(o->out_path, o->out, x.buf, x.len)) != PMS_OK) {
		copy(why, sizeof(why), pms_errmsg());
		export_failed(&x, batch, why);
		ps = pms_seterr(PMS_EIO, "%s", why);
		goto done;
	}
	/* (3) only now are the claims sent */
	if ((ps = export_sent(&x, batch)) != PMS_OK) {
		copy(why, sizeof(why), pms_errmsg());
		ps = pms_seterr(ps, "batch %lld was written, but the claims "
		    "could not be marked sent: %s", (long long)batch, why);
	}
	goto done;
fail:
	if (ld_open)
		loader_close(&ld);
	pms_837_abort(x.w);
	x.w = NULL;
	pms_audit_batch_free(b);
	pms_store_rollback(s);
	r->claims = 0;
	r->batch_id = 0;
done:
	pms_837_abort(x.w);
	if (x.mem != NULL)
		fclose(x.mem);
	free(x.buf);
	free(x.sent);
	free(ids);
	free(doc);
	if (lockfd != -1)
		close(lockfd);
	return ps;
}

/* ---- reading ---- */

struct claims {
	struct pms_claim *v;
	size_t		 n, cap;
};

static enum pms_status
claims_add(struct claims *cs, const struct pms_claim *c)
{
	struct pms_claim *nv;
	size_t cap;

	if (cs->n == cs->cap) {
		cap = cs->cap == 0 ? 64 : cs->cap * 2;
		if ((nv = realloc(cs->v, cap * sizeof(*nv))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		cs->v = nv;
		cs->cap = cap;
	}
	cs->v[cs->n++] = *c;
	return PMS_OK;
}

/* The fields list and show print, for the access log. */
#define READ_FIELDS	"mrn,claim,state,dos,payer,total,dx,lines"

enum pms_status
pms_claim_query(struct pms_store *s, const struct pms_claim_query *q,
    pms_claim_fn *fn, void *arg, size_t *count)
{
	struct pms_audit_batch *b = NULL;
	struct claims cs = { NULL, 0, 0 };
	struct pms_claim c;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	size_t i;
	int rc;

	if (count != NULL)
		*count = 0;
	if (q->state != NULL && pms_claim_state_parse(q->state) < 0)
		return pms_seterr(PMS_EUSAGE, "--state: not a state of a "
		    "claim: \"%s\"", q->state);
	if (q->from != NULL && q->to != NULL && strcmp(q->from, q->to) > 0)
		return pms_seterr(PMS_EUSAGE, "--from: after --to");
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	/* a filter naming nothing is refused, not an empty list */
	rc = sqlite3_prepare_v2(s->db, "SELECT (?1 IS NULL OR EXISTS (SELECT "
	    "1 FROM payers WHERE code = ?1)), (?2 = 0 OR EXISTS (SELECT 1 "
	    "FROM claim_batches WHERE id = ?2))", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	bind_text(st, 1, q->payer);
	sqlite3_bind_int64(st, 2, q->batch_id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto sqlfail;
	if (sqlite3_column_int(st, 0) == 0 || sqlite3_column_int(st, 1) == 0) {
		ps = sqlite3_column_int(st, 0) == 0 ? pms_seterr(PMS_EREFUSED,
		    "--payer: not a payer of the configuration") :
		    pms_seterr(PMS_EREFUSED, "--batch: no batch %lld",
		    (long long)q->batch_id);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(s->db, "SELECT " CLAIM_COLS CLAIM_FROM
	    "WHERE (?1 = 0 OR k.id = ?1) AND (?2 = 0 OR k.patient_id = ?2) "
	    "AND (?3 = 0 OR k.batch_id = ?3 OR EXISTS (SELECT 1 FROM "
	    "claim_submissions u WHERE u.claim_id = k.id AND u.batch_id = "
	    "?3)) AND (?4 IS NULL OR k.state = ?4) AND (?5 IS NULL OR y.code "
	    "= ?5) AND (?6 IS NULL OR k.dos_to >= ?6) AND (?7 IS NULL OR "
	    "k.dos_from <= ?7) ORDER BY k.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, q->id);
	sqlite3_bind_int64(st, 2, q->patient_id);
	sqlite3_bind_int64(st, 3, q->batch_id);
	bind_text(st, 4, q->state);
	bind_text(st, 5, q->payer);
	bind_text(st, 6, q->from);
	bind_text(st, 7, q->to);
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		claim_row(st, &c);
		if ((ps = claims_add(&cs, &c)) != PMS_OK ||
		    (ps = pms_audit_batch_add(b, c.patient_id, NULL)) !=
		    PMS_OK)
			goto fail;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if (q->id != 0 && cs.n == 0) {
		ps = pms_seterr(PMS_EREFUSED, "no claim %lld", (long long)q->id);
		goto fail;
	}
	ps = pms_audit_batch_end(b, q->action != NULL ? q->action :
	    "claim.list", READ_FIELDS);
	b = NULL;
	if (ps != PMS_OK || (ps = pms_store_commit(s)) != PMS_OK)
		goto fail;
	if (count != NULL)
		*count = cs.n;
	for (i = 0; i < cs.n; i++)
		if (fn(arg, &cs.v[i]) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	free(cs.v);
	return ps;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading claims");
fail:
	sqlite3_finalize(st);
	pms_audit_batch_free(b);
	pms_store_rollback(s);
	free(cs.v);
	return ps;
}

/* What show gathers before it prints. */
struct gathered {
	struct pms_claim_line *lines;
	size_t		 nlines, caplines;
	struct pms_claim_event *events;
	size_t		 nevents, capevents;
};

static int
gather_line(void *arg, const struct pms_claim_line *l)
{
	struct gathered *g = arg;
	struct pms_claim_line *nv;
	size_t cap;

	if (g->nlines == g->caplines) {
		cap = g->caplines == 0 ? 16 : g->caplines * 2;
		if ((nv = realloc(g->lines, cap * sizeof(*nv))) == NULL)
			return 1;
		g->lines = nv;
		g->caplines = cap;
	}
	g->lines[g->nlines++] = *l;
	return 0;
}

static int
gather_event(void *arg, const struct pms_claim_event *e)
{
	struct gathered *g = arg;
	struct pms_claim_event *nv;
	size_t cap;

	if (g->nevents == g->capevents) {
		cap = g->capevents == 0 ? 16 : g->capevents * 2;
		if ((nv = realloc(g->events, cap * sizeof(*nv))) == NULL)
			return 1;
		g->events = nv;
		g->capevents = cap;
	}
	g->events[g->nevents++] = *e;
	return 0;
}

enum pms_status
pms_claim_show(struct pms_store *s, int64_t id, pms_claim_fn *cfn,
    pms_claim_line_fn *lfn, pms_claim_event_fn *efn, void *arg)
{
	struct gathered g;
	struct pms_claim c;
	enum pms_status ps;
	size_t i;

	memset(&g, 0, sizeof(g));
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_claim_get(s, id, &c)) != PMS_OK)
		goto fail;
	if ((ps = pms_claim_lines(s, id, gather_line, &g)) != PMS_OK ||
	    (ps = pms_claim_chain_history(s, id, gather_event, &g)) !=
	    PMS_OK) {
		if (ps == PMS_EIO)
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	if ((ps = pms_audit_append(s, "claim.show", READ_FIELDS,
	    &c.patient_id, 1)) != PMS_OK ||
	    (ps = pms_store_commit(s)) != PMS_OK)
		goto fail;
	if (cfn != NULL && cfn(arg, &c) != 0)
		ps = pms_seterr(PMS_EIO, "write error");
	for (i = 0; ps == PMS_OK && lfn != NULL && i < g.nlines; i++)
		if (lfn(arg, &g.lines[i]) != 0)
			ps = pms_seterr(PMS_EIO, "write error");
	for (i = 0; ps == PMS_OK && efn != NULL && i < g.nevents; i++)
		if (efn(arg, &g.events[i]) != 0)
			ps = pms_seterr(PMS_EIO, "write error");
	free(g.lines);
	free(g.events);
	return ps;
fail:
	pms_store_rollback(s);
	free(g.lines);
	free(g.events);
	return ps;
}

enum pms_status
pms_claim_status(struct pms_store *s, pms_claim_status_fn *fn, void *arg)
{
	struct pms_claim_status_row rows[PMS_CLAIM_NSTATES];
	sqlite3_stmt *st;
	enum pms_status ps = PMS_OK;
	int rc, k, i;

	memset(rows, 0, sizeof(rows));
	for (i = 0; i < PMS_CLAIM_NSTATES; i++) {
		rows[i].state = (enum pms_claim_state)i;
		rows[i].cls = pms_claim_state_class(rows[i].state);
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT state, count(*), "
	    "sum(total_cents) FROM claims GROUP BY state", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading claims");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((k = pms_claim_state_parse(col_text(st, 0))) < 0)
			continue;
		rows[k].claims = sqlite3_column_int64(st, 1);
		rows[k].total_cents = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading claims");
	for (i = 0; i < PMS_CLAIM_NSTATES && ps == PMS_OK; i++)
		if (fn(arg, &rows[i]) != 0)
			ps = pms_seterr(PMS_EIO, "write error");
	return ps;
}
