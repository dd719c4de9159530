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
#include <sys/time.h>

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "pms_int.h"

#define HASH_LEN	32

/*
 * Step a statement that writes the log (an entry, its patients, an
 * export), counting the rows it wrote: a dry run keeps a transaction
 * that wrote nothing else, a read's (pms_store_commit).
 */
static int
log_step(struct pms_store *s, sqlite3_stmt *st)
{
	int rc;

	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		s->tx_log += sqlite3_changes64(s->db);
	return rc;
}

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

void
pms_audit_now(char *buf, size_t size)
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
	pms_audit_now(at, sizeof(at));
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
	if ((rc = log_step(s, st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	s->audit_last = id;
	s->audit_latest = id;
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
		if ((rc = log_step(s, st)) != SQLITE_DONE)
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

/* The patients of entry id, in order, into *pids (grown as needed). */
static enum pms_status
entry_patients(struct pms_store *s, sqlite3_stmt *pt, int64_t id,
    int64_t **pids, size_t *n, size_t *cap)
{
	int64_t *np;
	int rc;

	*n = 0;
	sqlite3_reset(pt);
	sqlite3_bind_int64(pt, 1, id);
	while ((rc = sqlite3_step(pt)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			if ((np = realloc(*pids, *cap * sizeof(*np))) == NULL)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			*pids = np;
		}
		(*pids)[(*n)++] = sqlite3_column_int64(pt, 0);
	}
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading the access log");
	return PMS_OK;
}

/* The id of the entry whose hash is h: 0 for the zero hash (before the
 * first entry), -1 if none has it. */
static int64_t
entry_with_hash(struct pms_store *s, const unsigned char *h)
{
	static const unsigned char zero[HASH_LEN];
	sqlite3_stmt *st;
	int64_t id = -1;

	if (memcmp(h, zero, HASH_LEN) == 0)
		return 0;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM audit WHERE hash = ? "
	    "ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, h, HASH_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

void
pms_audit_entry_hash(const unsigned char *prev, int64_t id, const char *at,
    const char *user, int64_t slot, const char *program, const char *action,
    const char *fields, const char *flag, const int64_t *pids, size_t n,
    unsigned char out[PMS_AUDIT_HASH_LEN])
{
	entry_hash(prev, id, (const unsigned char *)at,
	    (const unsigned char *)user, slot, (const unsigned char *)program,
	    (const unsigned char *)action, (const unsigned char *)fields,
	    (const unsigned char *)flag, pids, n, out);
}

/*
 * Walk the chain from the first entry.  Each entry must have the next
 * number, hash to what it says, be signed by the key of its user's
 * slot, and name its predecessor's hash.  When one does not, tell the
 * kind of tampering that leads there, as far as it can be told: a gap
 * in the numbers (removed), an entry genuine but hashed under another
 * number (moved: reordered, or renumbered after a removal), one whose
 * contents no longer match (altered), one no user's key signed
 * (forged, inserted), one that follows another entry than the one
 * before it.
 */
enum pms_status
pms_audit_verify(struct pms_store *s, int64_t *count, int64_t *bad)
{
	static const char tampered[] = "the access log has been tampered "
	    "with";
	unsigned char prev[HASH_LEN], hash[HASH_LEN], alt[HASH_LEN];
	const unsigned char *rprev, *stored;
	sqlite3_stmt *st = NULL, *pt = NULL;
	int64_t id, expect = 1, *pids = NULL, j, k;
	size_t n, cap = 0;
	int rc, i;
	enum pms_status ps = PMS_OK;

#define TEXT(c)	((const char *)sqlite3_column_text(st, (c)))
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
		if (id != expect) {
			*bad = expect;
			if (expect == 1)
				ps = pms_seterr(PMS_ETAMPER, "%s: entry 1 is "
				    "missing: the log starts at entry %lld",
				    tampered, (long long)id);
			else
				ps = pms_seterr(PMS_ETAMPER, "%s: entry %lld "
				    "is missing: the log goes from entry %lld "
				    "to entry %lld", tampered,
				    (long long)expect, (long long)(expect - 1),
				    (long long)id);
			goto out;
		}
		*bad = id;
		if ((ps = entry_patients(s, pt, id, &pids, &n, &cap)) !=
		    PMS_OK)
			goto out;
		if (sqlite3_column_bytes(st, 7) != HASH_LEN ||
		    sqlite3_column_bytes(st, 8) != HASH_LEN) {
			ps = pms_seterr(PMS_ETAMPER, "%s: entry %lld was "
			    "altered: its hashes are not hashes", tampered,
			    (long long)id);
			goto out;
		}
		rprev = sqlite3_column_blob(st, 7);
		stored = sqlite3_column_blob(st, 8);
		pms_audit_entry_hash(rprev, id, TEXT(1), TEXT(2),
		    sqlite3_column_int64(st, 3), TEXT(4), TEXT(5), TEXT(6),
		    TEXT(12), pids, n, hash);
		if (memcmp(hash, stored, HASH_LEN) != 0) {
			/* hashed under another number: moved here */
			j = entry_with_hash(s, rprev);
			for (i = 0; i < 3; i++) {
				k = i == 0 ? (j >= 0 ? j + 1 : -1) : i == 1 ?
				    id + 1 : id - 1;
				if (k < 1 || k == id)
					continue;
				pms_audit_entry_hash(rprev, k, TEXT(1),
				    TEXT(2), sqlite3_column_int64(st, 3),
				    TEXT(4), TEXT(5), TEXT(6), TEXT(12), pids,
				    n, alt);
				if (memcmp(alt, stored, HASH_LEN) == 0)
					break;
			}
			if (i < 3)
				ps = pms_seterr(PMS_ETAMPER, "%s: entry %lld "
				    "was written as entry %lld: entries were "
				    "%s", tampered, (long long)id,
				    (long long)k, k > id ? "removed before it, "
				    "or reordered" : "inserted before it, or "
				    "reordered");
			else
				ps = pms_seterr(PMS_ETAMPER, "%s: entry %lld "
				    "was altered: it no longer matches its "
				    "hash", tampered, (long long)id);
			goto out;
		}
		if (sqlite3_column_type(st, 11) == SQLITE_NULL ||
		    strcmp(TEXT(2), TEXT(11)) != 0 ||
		    sqlite3_column_bytes(st, 9) != crypto_sign_BYTES ||
		    sqlite3_column_bytes(st, 10) !=
		    crypto_sign_PUBLICKEYBYTES ||
		    crypto_sign_verify_detached(sqlite3_column_blob(st, 9),
		    stored, HASH_LEN, sqlite3_column_blob(st, 10)) != 0) {
			ps = pms_seterr(PMS_ETAMPER, "%s: entry %lld is not "
			    "signed by the key of its user: it was forged or "
			    "inserted", tampered, (long long)id);
			goto out;
		}
		if (memcmp(rprev, prev, HASH_LEN) != 0) {
			ps = pms_seterr(PMS_ETAMPER, "%s: entry %lld does not "
			    "follow entry %lld: entries before it were "
			    "removed, inserted or reordered", tampered,
			    (long long)id, (long long)(id - 1));
			goto out;
		}
		memcpy(prev, hash, HASH_LEN);
		expect = id + 1;
		(*count)++;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	*bad = 0;
	sqlite3_finalize(st);
	st = NULL;
	/* patients of an entry that is not there */
	rc = sqlite3_prepare_v2(s->db, "SELECT min(audit_id) FROM "
	    "audit_patient WHERE audit_id NOT IN (SELECT id FROM audit)", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto sqlfail;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*bad = sqlite3_column_int64(st, 0);
		ps = pms_seterr(PMS_ETAMPER, "%s: patients are named for entry "
		    "%lld, which is not in the log", tampered,
		    (long long)*bad);
	}
	goto out;
#undef TEXT
sqlfail:
	ps = pms_store_sqlerr(s, rc, "reading the access log");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(pt);
	free(pids);
	return ps;
}

/* ---- files that carried patient data out of the store ---- */

/* A batch entry (pms_audit_batch_*, below) and the export it records. */
struct pms_audit_batch {
	struct pms_store *s;
	int64_t		 id;		/* the entry's, reserved */
	sqlite3_stmt	*ins;		/* INSERT OR IGNORE: audit_patient */
	char		*kind;		/* an export of the entry's patients */
	char		*path;		/* where to; NULL: standard output */
	int		 exported;	/* kind and path are set */
};


/* 1 if kind is 1 to 32 of a-z, 0-9, ".", "_", "-", from a letter or
 * digit. */
static int
kind_valid(const char *kind)
{
	size_t i, n = kind != NULL ? strlen(kind) : 0;

	if (n == 0 || n > 32 || kind[0] == '.' || kind[0] == '_' ||
	    kind[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((kind[i] >= 'a' && kind[i] <= 'z') ||
		    (kind[i] >= '0' && kind[i] <= '9') ||
		    strchr("._-", kind[i]) != NULL))
			return 0;
	return 1;
}

/*
 * The path to record: absolute, from the working directory when it is
 * relative (the file may not be there yet: it is renamed into place
 * after the commit); *out NULL for standard output.  The caller frees.
 */
static enum pms_status
export_path(const char *path, char **out)
{
	char cwd[PATH_MAX];
	size_t n;

	*out = NULL;
	if (path == NULL || *path == '\0' || strcmp(path, "-") == 0)
		return PMS_OK;
	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL) {
		if ((*out = strdup(path)) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		return PMS_OK;
	}
	n = strlen(cwd) + strlen(path) + 2;
	if ((*out = malloc(n)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	snprintf(*out, n, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/",
	    path[0] == '.' && path[1] == '/' ? path + 2 : path);
	return PMS_OK;
}

/*
 * Write one row of exports for entry audit_id, and its patients: those
 * of pids, or with from_entry those the entry names.
 */
static enum pms_status
export_insert(struct pms_store *s, int64_t audit_id, const char *kind,
    const char *path, const int64_t *pids, size_t n, int from_entry)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 count, eid;
	char at[64];
	int64_t *sorted = NULL;
	size_t i, k;
	int rc;
	enum pms_status ps;

	if (from_entry) {
		rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM "
		    "audit_patient WHERE audit_id = ?", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, audit_id);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			goto sqlfail;
		count = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
	} else {
		if (n > 0 && (sorted = malloc(n * sizeof(*sorted))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		if (n > 0)
			memcpy(sorted, pids, n * sizeof(*sorted));
		if (n > 0)
			qsort(sorted, n, sizeof(*sorted), cmp_i64);
		for (i = k = 0; i < n; i++)	/* each patient once */
			if (k == 0 || sorted[k - 1] != sorted[i])
				sorted[k++] = sorted[i];
		count = (sqlite3_int64)k;
		n = k;
	}
	pms_audit_now(at, sizeof(at));
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO exports (at, user, "
	    "slot_id, program, kind, path, audit_id, patients) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->u->label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->u->slot_id);
	sqlite3_bind_text(st, 4, s->program, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
	if (path != NULL)
		sqlite3_bind_text(st, 6, path, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, audit_id);
	sqlite3_bind_int64(st, 8, count);
	if ((rc = log_step(s, st)) != SQLITE_DONE)
		goto sqlfail;
	eid = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	st = NULL;
	if (from_entry) {
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO export_patients "
		    "(export_id, patient_id) SELECT ?1, patient_id FROM "
		    "audit_patient WHERE audit_id = ?2", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, eid);
		sqlite3_bind_int64(st, 2, audit_id);
		if ((rc = log_step(s, st)) != SQLITE_DONE)
			goto sqlfail;
	} else if (n > 0) {
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO export_patients "
		    "(export_id, patient_id) VALUES (?, ?)", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		for (i = 0; i < n; i++) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, eid);
			sqlite3_bind_int64(st, 2, sorted[i]);
			if ((rc = log_step(s, st)) != SQLITE_DONE)
				goto sqlfail;
		}
	}
	ps = PMS_OK;
	goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "recording the export");
out:
	sqlite3_finalize(st);
	free(sorted);
	return ps;
}

enum pms_status
pms_audit_export(struct pms_store *s, const char *kind, const char *path,
    const int64_t *patients, size_t n)
{
	enum pms_status ps;
	char *apath;

	if (sqlite3_get_autocommit(s->db))
		return pms_seterr(PMS_EINTERNAL, "export recorded outside a "
		    "transaction");
	if (!kind_valid(kind))
		return pms_seterr(PMS_EINTERNAL, "not a kind of export: "
		    "\"%s\"", kind != NULL ? kind : "");
	if (s->audit_last == 0)
		return pms_seterr(PMS_EINTERNAL, "an export is recorded after "
		    "its command's entry in the access log");
	if ((ps = export_path(path, &apath)) != PMS_OK)
		return ps;
	ps = export_insert(s, s->audit_last, kind, apath, patients, n, 0);
	free(apath);
	return ps;
}

enum pms_status
pms_audit_batch_export(struct pms_audit_batch *b, const char *kind,
    const char *path)
{
	enum pms_status ps;
	char *apath, *k;

	if (!kind_valid(kind))
		return pms_seterr(PMS_EINTERNAL, "not a kind of export: "
		    "\"%s\"", kind != NULL ? kind : "");
	if ((ps = export_path(path, &apath)) != PMS_OK)
		return ps;
	if ((k = strdup(kind)) == NULL) {
		free(apath);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	free(b->kind);
	free(b->path);
	b->kind = k;
	b->path = apath;
	b->exported = 1;
	return PMS_OK;
}

enum pms_status
pms_audit_export_written(struct pms_store *s, const char *path)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int64_t entry = s->audit_latest;
	char *apath = NULL, kind[64];
	int rc, record = 0;

	kind[0] = '\0';
	if (entry == 0 || path == NULL || strcmp(path, "-") == 0)
		return PMS_OK;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	/* the entry, if it stayed, with patients, and no export yet */
	rc = sqlite3_prepare_v2(s->db, "SELECT a.action FROM audit a WHERE "
	    "a.id = ?1 AND EXISTS (SELECT 1 FROM audit_patient p WHERE "
	    "p.audit_id = a.id) AND NOT EXISTS (SELECT 1 FROM exports e "
	    "WHERE e.audit_id = a.id)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, entry);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(kind, sizeof(kind), "%s", s->export_kind[0] != '\0' ?
		    s->export_kind : (const char *)sqlite3_column_text(st, 0));
		record = kind_valid(kind);
	} else if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if (!record) {
		pms_store_rollback(s);
		return PMS_OK;
	}
	if ((ps = export_path(path, &apath)) == PMS_OK)
		ps = export_insert(s, entry, kind, apath, NULL, 0, 1);
	free(apath);
	if (ps != PMS_OK) {
		pms_store_rollback(s);
		return ps;
	}
	return pms_store_commit_log(s);
sqlfail:
	sqlite3_finalize(st);
	ps = pms_store_sqlerr(s, rc, "reading the access log");
	pms_store_rollback(s);
	return ps;
}

/* ---- entries with many patients: an import, an export ---- */

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
	if ((rc = log_step(b->s, b->ins)) != SQLITE_DONE)
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
	pms_audit_now(at, sizeof(at));
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
	if ((rc = log_step(s, st)) != SQLITE_DONE)
		goto sqlfail;
	s->audit_last = b->id;
	s->audit_latest = b->id;
	ps = PMS_OK;
	if (b->exported)
		ps = export_insert(s, b->id, b->kind, b->path, NULL, 0, 1);
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
	free(b->kind);
	free(b->path);
	free(b);
}
