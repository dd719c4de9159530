/*
 * audit.c: the access log.  One entry per command and action -- time,
 * user, slot, program, action, the names of the fields touched (never
 * their values) -- with the patients concerned in a child table, written
 * in the caller's transaction.  Entries form a hash chain: each hash
 * covers the previous entry's hash and the entry itself, so an entry
 * cannot be changed, dropped or reordered without pms_audit_verify()
 * finding where; and each hash is signed with the user's Ed25519 key,
 * whose public half stays in slot_keys for good, so an entry cannot be
 * forged in another user's name nor rewritten by one who holds only the
 * data key.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "pms_int.h"

#define HASH_LEN	32

static void
h_u64(crypto_generichash_state *h, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	crypto_generichash_update(h, b, 8);
}

static void
h_str(crypto_generichash_state *h, const unsigned char *s)
{
	size_t n = s != NULL ? strlen((const char *)s) : 0;

	h_u64(h, n);
	if (n > 0)
		crypto_generichash_update(h, s, n);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The hash of one entry, begun: prev, then every field length-prefixed,
 * then the number of patients; their ids follow (h_u64 each, in
 * order). */
static void
entry_hash_begin(crypto_generichash_state *h, const unsigned char *prev,
    int64_t id, const unsigned char *at, const unsigned char *user,
    int64_t slot, const unsigned char *program, const unsigned char *action,
    const unsigned char *fields, const unsigned char *flag, size_t n)
{
	crypto_generichash_init(h, (const unsigned char *)"pms-audit-v1",
	    12, HASH_LEN);
	crypto_generichash_update(h, prev, HASH_LEN);
	h_u64(h, (uint64_t)id);
	h_str(h, at);
	h_str(h, user);
	h_u64(h, (uint64_t)slot);
	h_str(h, program);
	h_str(h, action);
	h_str(h, fields);
	h_str(h, flag);
	h_u64(h, n);
}

/* The hash of one entry: prev, then every field length-prefixed. */
static void
entry_hash(const unsigned char *prev, int64_t id, const unsigned char *at,
    const unsigned char *user, int64_t slot, const unsigned char *program,
    const unsigned char *action, const unsigned char *fields,
    const unsigned char *flag, const int64_t *pids, size_t n,
    unsigned char out[HASH_LEN])
{
	crypto_generichash_state h;
	size_t i;

	entry_hash_begin(&h, prev, id, at, user, slot, program, action, fields,
	    flag, n);
	for (i = 0; i < n; i++)
		h_u64(&h, (uint64_t)pids[i]);
	crypto_generichash_final(&h, out, HASH_LEN);
}

static void
now_iso(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000));
}

enum pms_status
pms_audit_append(struct pms_store *s, const char *action, const char *fields,
    const int64_t *patients, size_t n)
{
	unsigned char prev[HASH_LEN], hash[HASH_LEN];
	unsigned char sig[crypto_sign_BYTES];
	char at[64];
	const char *flag;
	sqlite3_stmt *st = NULL;
	int64_t id = 1, *pids = NULL;
	size_t i, k;
	int rc;
	enum pms_status ps = PMS_OK;

	if (sqlite3_get_autocommit(s->db))
		return pms_seterr(PMS_EINTERNAL,
		    "audit entry outside a transaction");
	if (n > 0) {
		if ((pids = malloc(n * sizeof(*pids))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		memcpy(pids, patients, n * sizeof(*pids));
		qsort(pids, n, sizeof(*pids), cmp_i64);
		for (i = k = 0; i < n; i++)	/* each patient once */
			if (k == 0 || pids[k - 1] != pids[i])
				pids[k++] = pids[i];
		n = k;
	}
	memset(prev, 0, sizeof(prev));
	rc = sqlite3_prepare_v2(s->db, "SELECT id, hash FROM audit ORDER BY "
	    "id DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0) + 1;
		if (sqlite3_column_bytes(st, 1) == HASH_LEN)
			memcpy(prev, sqlite3_column_blob(st, 1), HASH_LEN);
	} else if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	now_iso(at, sizeof(at));
	fields = fields != NULL ? fields : "";
	flag = s->emergency != NULL ? s->emergency : "";
	entry_hash(prev, id, (const unsigned char *)at,
	    (const unsigned char *)s->u->label, s->u->slot_id,
	    (const unsigned char *)s->program, (const unsigned char *)action,
	    (const unsigned char *)fields, (const unsigned char *)flag, pids,
	    n, hash);
	crypto_sign_detached(sig, NULL, hash, HASH_LEN, s->u->sign_sk);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO audit (id, at, user, "
	    "slot_id, program, action, fields, prev_hash, hash, sig, flag) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->u->label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s->u->slot_id);
	sqlite3_bind_text(st, 5, s->program, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, fields, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, prev, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, hash, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, sig, sizeof(sig), SQLITE_STATIC);
	sqlite3_bind_text(st, 11, flag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if (n == 0)
		goto out;
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO audit_patient (audit_id, "
	    "patient_id) VALUES (?, ?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, pids[i]);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto sqlfail;
	}
	goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "writing the access log");
out:
	sqlite3_finalize(st);
	free(pids);
	return ps;
}

enum pms_status
pms_audit_verify(struct pms_store *s, int64_t *count, int64_t *bad)
{
	unsigned char prev[HASH_LEN], hash[HASH_LEN];
	sqlite3_stmt *st = NULL, *pt = NULL;
	int64_t id, expect = 1, *pids = NULL, *np;
	size_t n, cap = 0;
	int rc;
	enum pms_status ps = PMS_OK;

	*count = 0;
	*bad = 0;
	memset(prev, 0, sizeof(prev));
	rc = sqlite3_prepare_v2(s->db, "SELECT a.id, a.at, a.user, a.slot_id, "
	    "a.program, a.action, a.fields, a.prev_hash, a.hash, a.sig, "
	    "k.ed25519_pk, k.label, a.flag FROM audit a LEFT JOIN slot_keys k "
	    "ON k.slot_id = a.slot_id ORDER BY a.id", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "SELECT patient_id FROM "
		    "audit_patient WHERE audit_id = ? ORDER BY patient_id",
		    -1, &pt, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		n = 0;
		sqlite3_reset(pt);
		sqlite3_bind_int64(pt, 1, id);
		while ((rc = sqlite3_step(pt)) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				if ((np = realloc(pids, cap * sizeof(*np))) ==
				    NULL) {
					ps = pms_seterr(PMS_ENOMEM,
					    "out of memory");
					goto out;
				}
				pids = np;
			}
			pids[n++] = sqlite3_column_int64(pt, 0);
		}
		if (rc != SQLITE_DONE)
			goto sqlfail;
		entry_hash(prev, id, sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3),
		    sqlite3_column_text(st, 4), sqlite3_column_text(st, 5),
		    sqlite3_column_text(st, 6), sqlite3_column_text(st, 12),
		    pids, n, hash);
		if (id != expect || sqlite3_column_bytes(st, 7) != HASH_LEN ||
		    memcmp(sqlite3_column_blob(st, 7), prev, HASH_LEN) != 0 ||
		    sqlite3_column_bytes(st, 8) != HASH_LEN ||
		    memcmp(sqlite3_column_blob(st, 8), hash, HASH_LEN) != 0) {
			*bad = id != expect && id > expect ? expect : id;
			ps = pms_seterr(PMS_ETAMPER, "the access log has been "
			    "tampered with: the chain breaks at entry %lld",
			    (long long)*bad);
			goto out;
		}
		if (sqlite3_column_type(st, 11) == SQLITE_NULL ||
		    strcmp((const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 11)) != 0 ||
		    sqlite3_column_bytes(st, 9) != crypto_sign_BYTES ||
		    sqlite3_column_bytes(st, 10) != crypto_sign_PUBLICKEYBYTES ||
		    crypto_sign_verify_detached(sqlite3_column_blob(st, 9),
		    hash, HASH_LEN, sqlite3_column_blob(st, 10)) != 0) {
			*bad = id;
			ps = pms_seterr(PMS_ETAMPER, "the access log has been "
			    "tampered with: entry %lld is not signed by the "
			    "key of its user", (long long)id);
			goto out;
		}
		memcpy(prev, hash, HASH_LEN);
		expect = id + 1;
		(*count)++;
	}
	if (rc == SQLITE_DONE)
		goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading the access log");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(pt);
	free(pids);
	return ps;
}

/* ---- entries with many patients: an import, an export ---- */

struct pms_audit_batch {
	struct pms_store *s;
	int64_t		 id;		/* the entry's, reserved */
	sqlite3_stmt	*ins;		/* INSERT OR IGNORE: audit_patient */
};

enum pms_status
pms_audit_batch_begin(struct pms_store *s, struct pms_audit_batch **bp)
{
	struct pms_audit_batch *b;
	sqlite3_int64 last;
	enum pms_status st;
	int rc;

	*bp = NULL;
	if (sqlite3_get_autocommit(s->db))
		return pms_seterr(PMS_EINTERNAL,
		    "audit entry outside a transaction");
	if ((st = pms_query_int(s, "SELECT coalesce(max(id), 0) FROM audit",
	    &last)) != PMS_OK)
		return st;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	b->s = s;
	b->id = last + 1;
	/* the patients go in before their entry: the reference to it is
	 * checked at commit */
	if ((st = pms_exec(s, "PRAGMA defer_foreign_keys = ON",
	    "writing the access log")) != PMS_OK) {
		free(b);
		return st;
	}
	rc = sqlite3_prepare_v3(s->db, "INSERT OR IGNORE INTO audit_patient "
	    "(audit_id, patient_id) VALUES (?, ?)", -1,
	    SQLITE_PREPARE_PERSISTENT, &b->ins, NULL);
	if (rc != SQLITE_OK) {
		st = pms_store_sqlerr(s, rc, "writing the access log");
		free(b);
		return st;
	}
	*bp = b;
	return PMS_OK;
}

enum pms_status
pms_audit_batch_add(struct pms_audit_batch *b, int64_t patient, int *isnew)
{
	int rc;

	sqlite3_reset(b->ins);
	sqlite3_bind_int64(b->ins, 1, b->id);
	sqlite3_bind_int64(b->ins, 2, patient);
	if ((rc = sqlite3_step(b->ins)) != SQLITE_DONE)
		return pms_store_sqlerr(b->s, rc, "writing the access log");
	if (isnew != NULL)
		*isnew = sqlite3_changes(b->s->db) > 0;
	return PMS_OK;
}

enum pms_status
pms_audit_batch_end(struct pms_audit_batch *b, const char *action,
    const char *fields)
{
	crypto_generichash_state h;
	unsigned char prev[HASH_LEN], hash[HASH_LEN];
	unsigned char sig[crypto_sign_BYTES];
	struct pms_store *s = b->s;
	sqlite3_stmt *st = NULL;
	sqlite3_int64 n;
	const char *flag;
	char at[64];
	int rc;
	enum pms_status ps;

	memset(prev, 0, sizeof(prev));
	rc = sqlite3_prepare_v2(s->db, "SELECT id, hash FROM audit ORDER BY "
	    "id DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) + 1 != b->id) {
			ps = pms_seterr(PMS_EINTERNAL, "an audit entry was "
			    "written inside a batch entry");
			goto out;
		}
		if (sqlite3_column_bytes(st, 1) == HASH_LEN)
			memcpy(prev, sqlite3_column_blob(st, 1), HASH_LEN);
	} else if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM audit_patient "
	    "WHERE audit_id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, b->id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto sqlfail;
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	now_iso(at, sizeof(at));
	fields = fields != NULL ? fields : "";
	flag = s->emergency != NULL ? s->emergency : "";
	entry_hash_begin(&h, prev, b->id, (const unsigned char *)at,
	    (const unsigned char *)s->u->label, s->u->slot_id,
	    (const unsigned char *)s->program, (const unsigned char *)action,
	    (const unsigned char *)fields, (const unsigned char *)flag,
	    (size_t)n);
	rc = sqlite3_prepare_v2(s->db, "SELECT patient_id FROM audit_patient "
	    "WHERE audit_id = ? ORDER BY patient_id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, b->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		h_u64(&h, (uint64_t)sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	crypto_generichash_final(&h, hash, HASH_LEN);
	crypto_sign_detached(sig, NULL, hash, HASH_LEN, s->u->sign_sk);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO audit (id, at, user, "
	    "slot_id, program, action, fields, prev_hash, hash, sig, flag) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, b->id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->u->label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s->u->slot_id);
	sqlite3_bind_text(st, 5, s->program, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, fields, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, prev, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, hash, HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, sig, sizeof(sig), SQLITE_STATIC);
	sqlite3_bind_text(st, 11, flag, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	ps = PMS_OK;
	goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "writing the access log");
out:
	sqlite3_finalize(st);
	pms_audit_batch_free(b);
	return ps;
}

void
pms_audit_batch_free(struct pms_audit_batch *b)
{
	if (b == NULL)
		return;
	sqlite3_finalize(b->ins);
	free(b);
}
