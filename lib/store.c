/*
 * store.c: open, create, migrate, check and close the encrypted store.
 *
 * One pms_store_open() serves every program.  It unlocks the user's slot,
 * registers the data key with the VFS, opens the database through it
 * with the connection policy of STORE.md (WAL, synchronous=FULL, temp
 * store in memory, no checkpoint on close, no ATTACH), and applies the
 * migrations the store lacks in one transaction.
 *
 * Files of a store at PATH: PATH (the database), PATH.keys (the slot
 * file), PATH-wal and PATH-shm (SQLite's), and PATH.lock.d/ holding the
 * flock targets: store.lock (shared while open; exclusive for key
 * rotation), checkpoint.lock (the one path that checkpoints).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "pms_int.h"
#include "vfs_crypt.h"

#define BUSY_MS			10000
#define CKPT_FRAMES		128	/* checkpoint at close past this */
#define CKPT_AGE		300	/* or when the last one is older (s) */
#define PASS_MAX		1024

char *
pms_str_fmt(const char *fmt, const char *a)
{
	size_t n = strlen(fmt) + strlen(a) + 1;
	char *s;

	if ((s = malloc(n)) != NULL)
		snprintf(s, n, fmt, a);
	return s;
}

/* The user a store is opened as: given, $PMS_USER, the login name. */
const char *
pms_default_user(const char *user)
{
	struct passwd *pw;
	const char *e;

	if (user != NULL && *user != '\0')
		return user;
	if ((e = getenv("PMS_USER")) != NULL && *e != '\0')
		return e;
	if ((pw = getpwuid(geteuid())) != NULL)
		return pw->pw_name;
	return NULL;
}

/* A file URI for path, percent-encoded, with our VFS and key handle. */
static char *
store_uri(const char *path, unsigned handle)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path), i, o = 0;
	char *u;
	unsigned char c;

	if ((u = malloc(3 * n + 64)) == NULL)
		return NULL;
	o = (size_t)snprintf(u, 8, "file:");
	for (i = 0; i < n; i++) {
		c = (unsigned char)path[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("/-._~", c) != NULL) {
			u[o++] = (char)c;
		} else {
			u[o++] = '%';
			u[o++] = hex[c >> 4];
			u[o++] = hex[c & 15];
		}
	}
	snprintf(u + o, 64, "?vfs=%s&pmskey=%u", PMS_VFS_NAME, handle);
	return u;
}

enum pms_status
pms_store_sqlerr(struct pms_store *s, int rc, const char *what)
{
	struct pms_vfs_stats st;
	const char *msg = s != NULL && s->db != NULL ? sqlite3_errmsg(s->db) :
	    sqlite3_errstr(rc);
	const char *path = s != NULL && s->path != NULL ? s->path : "store";
	int errno_was = pms_vfs_take_errno();

	memset(&st, 0, sizeof(st));
	if (s != NULL && s->have_handle)
		pms_vfs_key_stats(s->handle, &st);
	if (st.wal_tampered && st.bad_pgno == 0)
		return pms_seterr(PMS_ETAMPER, "%s-wal: the WAL header has "
		    "been tampered with or damaged: committed transactions "
		    "would be lost; restore from backup", path);
	if (st.wal_tampered)
		return pms_seterr(PMS_ETAMPER, "%s-wal: the WAL has been "
		    "tampered with or damaged at frame %u: committed "
		    "transactions after it would be lost; restore from backup",
		    path, st.bad_pgno);
	switch (rc & 0xff) {
	case SQLITE_IOERR:
		if (rc == SQLITE_IOERR_DATA)
			return pms_seterr(PMS_ETAMPER, "the store is damaged "
			    "or has been tampered with: %s %u of %s%s failed "
			    "authentication; restore from backup",
			    st.bad_kind == 'W' ? "WAL frame" : st.bad_kind ==
			    'J' ? "journal page" : "page", st.bad_pgno, path,
			    st.bad_kind == 'W' ? "-wal" : st.bad_kind == 'J' ?
			    "-journal" : "");
		if (rc == SQLITE_IOERR_NOMEM)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		/* the system's reason, which SQLite's message leaves out */
		if (errno_was == ENOSPC)
			return pms_seterr(PMS_EIO, "%s: %s: disk full", path,
			    what);
		if (errno_was == EFBIG)
			return pms_seterr(PMS_EIO, "%s: %s: file too large "
			    "(a limit on the size of files: ulimit -f)", path,
			    what);
		if (errno_was != 0)
			return pms_seterr(PMS_EIO, "%s: %s: %s: %s", path,
			    what, msg, strerror(errno_was));
		return pms_seterr(PMS_EIO, "%s: %s: %s", path, what, msg);
	case SQLITE_FULL:
		return pms_seterr(PMS_EIO, "%s: %s: disk full", path, what);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return pms_seterr(PMS_ETAMPER, "the store is damaged: %s: %s; "
		    "restore from backup", what, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return pms_seterr(PMS_EBUSY, "the store is busy; try again");
	case SQLITE_READONLY:
		return pms_seterr(PMS_EDENIED, "%s: the store is read-only",
		    path);
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return pms_seterr(PMS_EDENIED, "%s: %s: not allowed", path,
		    what);
	case SQLITE_CANTOPEN:
		return pms_seterr(PMS_EIO, "%s: cannot open: %s", path, msg);
	case SQLITE_NOMEM:
		return pms_seterr(PMS_ENOMEM, "out of memory");
	default:
		return pms_seterr(PMS_EINTERNAL, "%s: %s", what, msg);
	}
}

enum pms_status
pms_exec(struct pms_store *s, const char *sql, const char *what)
{
	enum pms_status ps = PMS_OK;
	sqlite3_stmt *st;
	int rc;

	/* one statement (a savepoint, BEGIN, COMMIT: many per run) from
	 * the cache; a script of several through sqlite3_exec() */
	if (strchr(sql, ';') != NULL) {
		if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) !=
		    SQLITE_OK)
			return pms_store_sqlerr(s, rc, what);
		return PMS_OK;
	}
	if ((rc = pms_store_prepare(s, sql, &st)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, what);
	if (st == NULL)
		return PMS_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, what);
	pms_store_finalize(s, st);
	return ps;
}

/* One integer from a one-row query. */
enum pms_status
pms_query_int(struct pms_store *s, const char *sql, sqlite3_int64 *v)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = pms_store_prepare(s, sql, &st)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW) {
		enum pms_status ps = pms_store_sqlerr(s, rc, sql);

		pms_store_finalize(s, st);
		return ps;
	}
	pms_store_finalize(s, st);
	return PMS_OK;
}

/* ---- the statement cache (pms_int.h) ---- */

#define STMT_CACHE_MAX	128	/* statements kept; past that, prepared */

int
pms_store_prepare(struct pms_store *s, const char *sql, sqlite3_stmt **stp)
{
	struct pms_stmt_slot *v;
	size_t i, cap;
	int rc;

	*stp = NULL;
	for (i = 0; i < s->nstmts; i++) {
		v = &s->stmts[i];
		if (v->sql != sql || strcmp(sqlite3_sql(v->st), sql) != 0)
			continue;
		if (v->busy)	/* in use further up: one of its own */
			return sqlite3_prepare_v2(s->db, sql, -1, stp, NULL);
		v->busy = 1;
		*stp = v->st;
		return SQLITE_OK;
	}
	if (s->nstmts == s->capstmts && s->capstmts < STMT_CACHE_MAX) {
		cap = s->capstmts == 0 ? 16 : s->capstmts * 2;
		if ((v = realloc(s->stmts, cap * sizeof(*v))) != NULL) {
			s->stmts = v;
			s->capstmts = cap;
		}
	}
	if (s->nstmts == s->capstmts)
		return sqlite3_prepare_v2(s->db, sql, -1, stp, NULL);
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    stp, NULL);
	if (rc != SQLITE_OK || *stp == NULL)
		return rc;
	v = &s->stmts[s->nstmts++];
	v->sql = sql;
	v->st = *stp;
	v->busy = 1;
	return SQLITE_OK;
}

void
pms_store_finalize(struct pms_store *s, sqlite3_stmt *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < s->nstmts; i++)
		if (s->stmts[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->stmts[i].busy = 0;
			return;
		}
	sqlite3_finalize(st);
}

void
pms_store_stmts_clear(struct pms_store *s)
{
	size_t i;

	for (i = 0; i < s->nstmts; i++)
		sqlite3_finalize(s->stmts[i].st);
	free(s->stmts);
	s->stmts = NULL;
	s->nstmts = s->capstmts = 0;
}

/* Does path hold one of our stores?  Checks what can be told unlocked. */
static enum pms_status
sniff(const char *path, unsigned char file_id[8])
{
	unsigned char head[24];
	struct stat sb;
	ssize_t n;
	int fd;

	if (stat(path, &sb) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return pms_seterr(PMS_ENOINPUT, "%s: no such store",
			    path);
		return pms_seterr(errno == EACCES ? PMS_EDENIED : PMS_EIO,
		    "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return pms_seterr(PMS_ENOINPUT, "%s: not a store (not a "
		    "regular file)", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return pms_seterr(errno == EACCES ? PMS_EDENIED : PMS_EIO,
		    "%s: %s", path, strerror(errno));
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n >= 16 && memcmp(head, "SQLite format 3", 16) == 0)
		return pms_seterr(PMS_EDENIED, "%s: an unencrypted SQLite "
		    "database, not a pms store", path);
	if (n != (ssize_t)sizeof(head) || memcmp(head, PMS_STORE_MAGIC, 8) != 0)
		return pms_seterr(PMS_ETAMPER, "%s: not a pms store, or its "
		    "first page is damaged", path);
	memcpy(file_id, head + 8, 8);
	return PMS_OK;
}

/* Read a passphrase into guarded memory; *pass is freed by the caller. */
enum pms_status
pms_get_pass(const struct pms_store_opts *o, const char *prompt, int confirm,
    char **pass, size_t *len)
{
	int n;

	if (o->pass == NULL)
		return pms_seterr(PMS_EDENIED, "no passphrase source");
	if ((*pass = sodium_malloc(PASS_MAX)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	n = o->pass(o->pass_arg, prompt, confirm, *pass, PASS_MAX);
	if (n < 0) {
		sodium_free(*pass);
		*pass = NULL;
		/* the callback set the message, and its status */
		return pms_errstatus() != PMS_OK ? pms_errstatus() :
		    PMS_EDENIED;
	}
	*len = (size_t)n;
	return PMS_OK;
}

int
pms_lock_open(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -1;
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
}

/* flock with a bounded wait; returns 0, or -1 if still held. */
int
pms_lock_wait(int fd, int op, int ms)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int waited;

	for (waited = 0; flock(fd, op | LOCK_NB) == -1; waited += 20) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (waited >= ms)
			return -1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/*
 * No ATTACH of a file: it would let "VACUUM INTO 'file:x?vfs=unix'" or
 * an attached plain database take the data out in clear.  VACUUM's own
 * temporary database (an empty name, kept in memory) is allowed.
 */
static int
authorize(void *arg, int action, const char *a, const char *b,
    const char *db, const char *trigger)
{
	(void)arg;
	(void)b;
	(void)db;
	(void)trigger;
	if (action == SQLITE_ATTACH && a != NULL && *a != '\0')
		return SQLITE_DENY;
	return SQLITE_OK;
}

/* The connection policy of STORE.md 4.9, for every connection. */
static enum pms_status
configure(struct pms_store *s)
{
	int rc, one = 1;

	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &one);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &one);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0,
	    NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, 1);	/* VACUUM's own */
	sqlite3_set_authorizer(s->db, authorize, NULL);
	sqlite3_extended_result_codes(s->db, 1);
	if ((rc = sqlite3_busy_timeout(s->db, BUSY_MS)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "busy timeout");
	return pms_exec(s, "PRAGMA temp_store=MEMORY;"
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA wal_autocheckpoint=0;"
	    "PRAGMA cell_size_check=ON;"
	    "PRAGMA secure_delete=ON;"
	    "PRAGMA cache_size=-16384;", "opening the store");
}

/*
 * Whether migration version v is in the store's schema_migrations (a
 * store that has none, version 0, has no such table).
 */
static enum pms_status
applied(struct pms_store *s, sqlite3_int64 have, int v, int *yes)
{
	sqlite3_stmt *q;
	int rc;

	*yes = 0;
	if (have == 0)
		return PMS_OK;
	rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM schema_migrations "
	    "WHERE version = ?", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the schema's version");
	sqlite3_bind_int(q, 1, v);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		*yes = 1;
	else if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading the schema's version");
	return PMS_OK;
}

/*
 * Apply the migrations the store lacks, all in one transaction.  A
 * migration is lacking when schema_migrations does not name it, not
 * merely when its number is above user_version: a module's migration
 * may carry a lower number than one that came before it (the numbers
 * say what depends on what, not the order they were written), and a
 * store made in between must still get it.  user_version is the
 * highest applied.
 */
static enum pms_status
migrate(struct pms_store *s)
{
	sqlite3_int64 have, n = 0;
	const struct pms_migration *m;
	enum pms_status st;
	sqlite3_stmt *ins = NULL;
	char *sql = NULL, pragma[64];
	unsigned i;
	int rc, latest, yes;

	latest = pms_migrations[pms_nmigrations - 1].version;
	if ((st = pms_query_int(s, "PRAGMA user_version", &have)) != PMS_OK)
		return st;
	if (have > 0 && (st = pms_query_int(s, "SELECT count(*) FROM "
	    "schema_migrations", &n)) != PMS_OK)
		return st;
	if (have == latest && n == (sqlite3_int64)pms_nmigrations)
		return PMS_OK;
	if (have > latest || n > (sqlite3_int64)pms_nmigrations)
		return pms_seterr(PMS_EREFUSED, "the store's schema (%lld) is "
		    "newer than this program's (%d): upgrade pms",
		    (long long)have, latest);
	if ((st = pms_store_begin(s)) != PMS_OK)
		return st;
	if ((st = pms_query_int(s, "PRAGMA user_version", &have)) != PMS_OK)
		goto fail;
	for (i = 0; i < pms_nmigrations; i++) {
		m = &pms_migrations[i];
		if ((st = applied(s, have, m->version, &yes)) != PMS_OK)
			goto fail;
		if (yes)
			continue;
		if ((sql = malloc(m->len + 1)) == NULL) {
			st = pms_seterr(PMS_ENOMEM, "out of memory");
			goto fail;
		}
		memcpy(sql, m->sql, m->len);
		sql[m->len] = '\0';
		rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		free(sql);
		if (rc != SQLITE_OK) {
			st = pms_store_sqlerr(s, rc, m->name);
			goto fail;
		}
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO schema_migrations "
		    "(version, name, applied_at) VALUES (?, ?, "
		    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", -1, &ins, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int(ins, 1, m->version);
			sqlite3_bind_text(ins, 2, m->name, -1, SQLITE_STATIC);
			rc = sqlite3_step(ins);
			sqlite3_finalize(ins);
		}
		if (rc != SQLITE_OK && rc != SQLITE_DONE) {
			st = pms_store_sqlerr(s, rc, m->name);
			goto fail;
		}
		if (m->version > have)
			have = m->version;
		/* a number of ours, not input: safe to format */
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%lld",
		    (long long)have);
		if ((st = pms_exec(s, pragma, m->name)) != PMS_OK)
			goto fail;
	}
	return pms_store_commit(s);
fail:
	pms_store_rollback(s);
	return st;
}

void
pms_store_free(struct pms_store *s)
{
	if (s == NULL)
		return;
	pms_store_stmts_clear(s);
	pms_config_free(s->cfg);
	if (s->db != NULL)
		sqlite3_close(s->db);	/* never checkpoints: NO_CKPT_ON_CLOSE */
	if (s->have_handle)
		pms_vfs_key_remove(s->handle);
	if (s->u != NULL)
		sodium_free(s->u);
	if (s->seed != NULL)
		sodium_free(s->seed);
	if (s->lockfd != -1)
		close(s->lockfd);
	free(s->path);
	free(s->lockdir);
	free(s->kpath);
	free(s->emergency);
	free(s);
}

struct pms_store *
pms_store_new(const char *path, const char *program)
{
	struct pms_store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->lockfd = -1;
	s->program = program != NULL ? program : "pms";
	s->path = strdup(path);
	s->lockdir = pms_str_fmt("%s.lock.d", path);
	s->kpath = pms_str_fmt("%s.keys", path);
	if (s->path == NULL || s->lockdir == NULL || s->kpath == NULL ||
	    (s->u = sodium_malloc((sizeof(*s->u) + 15) & ~(size_t)15)) ==
	    NULL) {
		pms_store_free(s);
		return NULL;
	}
	return s;
}

/* Open the database through the VFS with the unlocked key. */
enum pms_status
pms_store_open_db(struct pms_store *s, const unsigned char file_id[8], int create)
{
	char *uri;
	int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI |
	    SQLITE_OPEN_NOMUTEX;
	int reserve = PMS_RESERVE;

	if ((rc = pms_vfs_register()) != SQLITE_OK)
		return pms_seterr(PMS_EINTERNAL, "cannot register the VFS");
	if (pms_vfs_key_add(s->u->dek, file_id, create, &s->handle) !=
	    SQLITE_OK)
		return pms_seterr(PMS_ENOMEM, "too many open stores");
	s->have_handle = 1;
	if ((uri = store_uri(s->path, s->handle)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	rc = sqlite3_open_v2(uri, &s->db, flags, PMS_VFS_NAME);
	free(uri);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "opening the store");
	if (create && sqlite3_file_control(s->db, "main",
	    SQLITE_FCNTL_RESERVE_BYTES, &reserve) != SQLITE_OK)
		return pms_store_sqlerr(s, SQLITE_ERROR, "reserve bytes");
	return configure(s);
}

/*
 * A rekey that stopped between renaming the new database into place and
 * renaming its slot file (STORE.keys.new) finishes here; one that stopped
 * before leaves files that are cleared away.  Runs under the shared store
 * lock, so no rekey is under way.
 */
static enum pms_status
settle_rekey(struct pms_store *s, const unsigned char file_id[8])
{
	struct pms_slotfile *nf;
	char *npath, *rpath;
	enum pms_status st = PMS_OK;

	npath = pms_str_fmt("%s.keys.new", s->path);
	rpath = pms_str_fmt("%s.rekey", s->path);
	if (npath == NULL || rpath == NULL || (nf = malloc(sizeof(*nf))) ==
	    NULL) {
		free(npath);
		free(rpath);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if (access(npath, F_OK) == 0 && pms_keys_read(npath, nf) == PMS_OK &&
	    memcmp(nf->file_id, file_id, 8) == 0) {
		if (rename(npath, s->kpath) == -1)
			st = pms_seterr(PMS_EIO, "%s: %s", s->kpath,
			    strerror(errno));
		else
			pms_sync_dir(s->kpath);
	} else {
		static const char *ext[] = { "", "-wal", "-shm", "-journal" };
		char buf[PATH_MAX];
		size_t i;

		unlink(npath);
		for (i = 0; i < PMS_NELEM(ext); i++) {
			snprintf(buf, sizeof(buf), "%s%s", rpath, ext[i]);
			unlink(buf);
		}
	}
	free(nf);
	free(npath);
	free(rpath);
	return st;
}

/*
 * The store records the serial of the slot file it last wrote; a slot
 * file with a smaller one is an older copy put back, perhaps holding a
 * slot removed since.  (The slot file is written first, so a crash can
 * only leave it ahead.)
 */
static enum pms_status
check_serial(struct pms_store *s, const struct pms_slotfile *sf)
{
	sqlite3_int64 serial = 0;
	enum pms_status st;

	st = pms_query_int(s, "SELECT coalesce((SELECT value FROM meta WHERE "
	    "key = 'keys_serial'), 0)", &serial);
	if (st != PMS_OK)
		return st;
	if (serial > (sqlite3_int64)sf->serial)
		return pms_seterr(PMS_ETAMPER, "%s is older than the store "
		    "(serial %u, the store wrote %lld): an old copy was put "
		    "back; restore the slot file from a backup", s->kpath,
		    (unsigned)sf->serial, (long long)serial);
	return PMS_OK;
}

/* Record the opening slot's public keys if a crash kept them out. */
static enum pms_status
ensure_slot_keys(struct pms_store *s)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	int rc, have;

	rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM slot_keys WHERE "
	    "slot_id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "slot keys");
	sqlite3_bind_int64(st, 1, s->slot.id);
	rc = sqlite3_step(st);
	have = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "slot keys");
	if (have)
		return PMS_OK;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_store_record_slot(s, &s->slot)) != PMS_OK) {
		pms_store_rollback(s);
		return ps;
	}
	return pms_store_commit(s);
}

/*
 * Unlock a passphrase slot: from the keyring if this slot of this store
 * is cached there, else ask.  Programs of a pipeline that start together
 * queue on the unlock lock: the first asks and caches, the others find
 * the key when their turn comes.
 */
static enum pms_status
unlock_passphrase(struct pms_store *s, const struct pms_store_opts *o,
    const struct pms_slotfile *sf, const struct pms_slot *slot,
    unsigned char *seed)
{
	char name[64];
	int fd = -1;
	enum pms_status st;

	if (!o->no_cache && pms_keyring_get(sf->file_id, slot->id, s->u) == 0 &&
	    pms_keys_verify(sf, s->u->dek) == PMS_OK)
		goto cached;
	if (o->cache_only)
		return pms_seterr(PMS_EDENIED, "the store is locked");
	if (!o->no_cache) {
		snprintf(name, sizeof(name), "unlock-%u.lock",
		    (unsigned)slot->id);
		if ((fd = pms_lock_open(s->lockdir, name)) != -1) {
			while (flock(fd, LOCK_EX) == -1 && errno == EINTR)
				continue;
			if (pms_keyring_get(sf->file_id, slot->id, s->u) == 0 &&
			    pms_keys_verify(sf, s->u->dek) == PMS_OK) {
				close(fd);
				goto cached;
			}
		}
	}
	if ((st = pms_slot_unwrap(o, slot, seed)) != PMS_OK)
		goto out;
	if ((st = pms_keys_unlock(sf, slot, seed, s->u)) != PMS_OK)
		goto out;
	if ((s->seed = sodium_malloc(32)) != NULL)	/* for user passwd */
		memcpy(s->seed, seed, 32);
	if (!o->no_cache)	/* where the kernel refuses, each asks */
		(void)pms_keyring_put(sf->file_id, s->u, o->cache_secs != 0 ?
		    o->cache_secs : PMS_CACHE_SECS);
	st = PMS_OK;
	goto out;
cached:
	/* roles and name come from the slot file, not from the cache */
	s->u->roles = slot->roles;
	snprintf(s->u->label, sizeof(s->u->label), "%s", slot->label);
	st = PMS_OK;
out:
	if (fd != -1)
		close(fd);	/* releases the unlock lock */
	return st;
}

enum pms_status
pms_slot_unwrap(const struct pms_store_opts *o, const struct pms_slot *slot,
    unsigned char *seed)
{
	char prompt[128], *pass;
	size_t len;
	enum pms_status st;

	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", slot->label);
	if ((st = pms_get_pass(o, prompt, 0, &pass, &len)) != PMS_OK)
		return st;
	st = pms_keys_unwrap(slot, pass, len, seed);
	sodium_free(pass);
	return st;
}

enum pms_status
pms_slot_resolve(const struct pms_store_opts *o, struct pms_slotfile *sf,
    unsigned char *seed, struct pms_slot **slotp, int *need_pass)
{
	struct pms_slot *slot;
	const char *user;
	char *text = NULL;
	size_t len;
	enum pms_status st = PMS_OK;

	*need_pass = 0;
	if (o->recovery_key != NULL || o->recovery) {
		if (o->recovery_key == NULL && (st = pms_get_pass(o,
		    "Recovery key: ", 0, &text, &len)) != PMS_OK)
			return st;
		st = pms_recovery_decode(o->recovery_key != NULL ?
		    o->recovery_key : text, seed);
		if (text != NULL)
			sodium_free(text);
		if (st != PMS_OK)
			return st;
		if ((slot = pms_keys_find_seed(sf, seed)) == NULL ||
		    slot->type != PMS_SLOT_RECOVERY)
			return pms_seterr(PMS_EPASS,
			    "the recovery key does not open this store");
	} else if (o->keyfile != NULL) {
		if ((st = pms_keyfile_read(o->keyfile, seed)) != PMS_OK)
			return st;
		if ((slot = pms_keys_find_seed(sf, seed)) == NULL ||
		    slot->type != PMS_SLOT_KEYFILE)
			return pms_seterr(PMS_EPASS, "key file %s does not open "
			    "this store (removed or rekeyed)", o->keyfile);
	} else {
		if ((user = pms_default_user(o->user)) == NULL)
			return pms_seterr(PMS_EUSAGE, "no user: use --user");
		if ((slot = pms_keys_find(sf, user)) == NULL ||
		    slot->type != PMS_SLOT_PASSPHRASE)
			return pms_seterr(PMS_EDENIED, "no slot for user \"%s\" "
			    "in this store", user);
		*need_pass = 1;
	}
	*slotp = slot;
	return PMS_OK;
}

/* Find the slot to open and unlock it; fills s->u and s->slot. */
static enum pms_status
unlock_slot(struct pms_store *s, const struct pms_store_opts *o,
    struct pms_slotfile *sf)
{
	struct pms_slot *slot;
	unsigned char *seed;
	enum pms_status st;
	int need_pass;

	if ((seed = sodium_malloc(32)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	st = pms_slot_resolve(o, sf, seed, &slot, &need_pass);
	if (st == PMS_OK)
		st = need_pass ? unlock_passphrase(s, o, sf, slot, seed) :
		    pms_keys_unlock(sf, slot, seed, s->u);
	if (st == PMS_OK)
		s->slot = *slot;
	sodium_free(seed);
	return st;
}

/* 1 if a rekey left its new slot file beside the store. */
static int
rekey_pending(const char *path)
{
	char buf[PATH_MAX];

	return snprintf(buf, sizeof(buf), "%s.keys.new", path) <
	    (int)sizeof(buf) && access(buf, F_OK) == 0;
}

enum pms_status
pms_store_open(struct pms_store **sp, const struct pms_store_opts *o)
{
	struct pms_store *s = NULL;
	struct pms_slotfile *sf = NULL;
	unsigned char file_id[8];
	enum pms_status st;

	*sp = NULL;
	if (o->path == NULL || *o->path == '\0')
		return pms_seterr(PMS_EUSAGE,
		    "no store given: use --store PATH or set PMS_STORE");
	if ((st = sniff(o->path, file_id)) != PMS_OK)
		return st;
	/* every open writes the access log: a store we cannot write is shut */
	if (access(o->path, W_OK) == -1 && (errno == EACCES || errno == EROFS))
		return pms_seterr(PMS_EDENIED, "%s: the store is read-only: "
		    "the access log cannot be written", o->path);
	if ((s = pms_store_new(o->path, o->program)) == NULL ||
	    (sf = malloc(sizeof(*sf))) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	/* without its slot file (or a rekey's new one) it cannot open:
	 * said before anything is made beside it */
	if (access(s->kpath, F_OK) == -1 && errno == ENOENT &&
	    !rekey_pending(s->path)) {
		st = pms_keys_read(s->kpath, sf);
		goto out;
	}
	/* a store copied without its lock directory gets a new one */
	if (access(s->lockdir, F_OK) == -1 && errno == ENOENT &&
	    (st = pms_make_lockdir(s->lockdir)) != PMS_OK)
		goto out;
	if ((s->lockfd = pms_lock_open(s->lockdir, "store.lock")) == -1) {
		st = pms_seterr(errno == EACCES ? PMS_EDENIED : PMS_EIO,
		    "%s: %s", s->lockdir, strerror(errno));
		goto out;
	}
	if (pms_lock_wait(s->lockfd, LOCK_SH, BUSY_MS) == -1) {
		st = pms_seterr(PMS_EBUSY, "the store is being rekeyed; try "
		    "again");
		goto out;
	}
	if ((st = settle_rekey(s, file_id)) != PMS_OK)
		goto out;
	if ((st = sniff(o->path, file_id)) != PMS_OK)
		goto out;
	if ((st = pms_keys_read(s->kpath, sf)) != PMS_OK)
		goto out;
	if (memcmp(sf->file_id, file_id, 8) != 0) {
		st = pms_seterr(PMS_EDENIED, "%s: the slot file belongs to a "
		    "different store", s->kpath);
		goto out;
	}
	if ((st = unlock_slot(s, o, sf)) != PMS_OK)
		goto out;
	memcpy(s->file_id, file_id, 8);
	if ((st = pms_store_open_db(s, file_id, 0)) != PMS_OK)
		goto out;
	if ((st = migrate(s)) != PMS_OK)
		goto out;
	if ((st = check_serial(s, sf)) != PMS_OK)
		goto out;
	if ((st = ensure_slot_keys(s)) != PMS_OK)
		goto out;
	*sp = s;
	s = NULL;
out:
	if (sf != NULL)
		sodium_memzero(sf, sizeof(*sf));
	free(sf);
	pms_store_free(s);
	return st;
}

/* Remove what a failed create made. */
static void
create_undo(const char *path, const char *kpath, const char *lockdir)
{
	char buf[PATH_MAX];

	unlink(path);
	unlink(kpath);
	snprintf(buf, sizeof(buf), "%s-wal", path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-shm", path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-journal", path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s/store.lock", lockdir);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s/checkpoint.lock", lockdir);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s/keys.lock", lockdir);
	unlink(buf);
	rmdir(lockdir);
}

enum pms_status
pms_store_unmake(const char *path)
{
	char *kpath, *lockdir;

	if ((kpath = pms_str_fmt("%s.keys", path)) == NULL ||
	    (lockdir = pms_str_fmt("%s.lock.d", path)) == NULL) {
		free(kpath);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	create_undo(path, kpath, lockdir);
	free(kpath);
	free(lockdir);
	return PMS_OK;
}

/* Record a slot's public keys in the store, for good. */
enum pms_status
pms_store_record_slot(struct pms_store *s, const struct pms_slot *slot)
{
	static const char *types[] = { "", "passphrase", "keyfile",
	    "recovery" };
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "INSERT INTO slot_keys (slot_id, "
	    "label, kind, x25519_pk, ed25519_pk, added_at) VALUES (?, ?, ?, "
	    "?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "slot keys");
	sqlite3_bind_int64(st, 1, slot->id);
	sqlite3_bind_text(st, 2, slot->label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, types[slot->type], -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, slot->xpk, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, slot->epk, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "slot keys");
	return PMS_OK;
}

enum pms_status
pms_store_set_meta(struct pms_store *s, const char *key, sqlite3_int64 v)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "INSERT INTO meta (key, value) VALUES "
	    "(?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? PMS_OK : pms_store_sqlerr(s, rc, "meta");
}

/* Make the lock directory: 2770, in the group of its parent. */
enum pms_status
pms_make_lockdir(const char *dir)
{
	int fd;

	if (mkdir(dir, 02770) == -1 && errno != EEXIST)
		return pms_seterr(errno == EACCES ? PMS_EDENIED : PMS_EIO,
		    "%s: %s", dir, strerror(errno));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		pms_chgrp_like_dir(fd, dir);
		close(fd);
	}
	if (chmod(dir, 02770) == -1)
		return pms_seterr(PMS_EIO, "%s: %s", dir, strerror(errno));
	return PMS_OK;
}

enum pms_status
pms_store_create(const struct pms_store_opts *o, enum pms_kdf kdf,
    char *recovery, size_t size)
{
	struct pms_store *s = NULL;
	struct pms_slotfile *sf = NULL;
	unsigned char file_id[8], *seeds = NULL;
	char *kpath = NULL, *pass = NULL, dir[PATH_MAX], prompt[128];
	const char *user;
	struct stat sb;
	size_t passlen;
	int fd, made = 0;
	enum pms_status st;

	if (o->path == NULL || *o->path == '\0')
		return pms_seterr(PMS_EUSAGE,
		    "no store given: use --store PATH or set PMS_STORE");
	if ((user = pms_default_user(o->user)) == NULL)
		return pms_seterr(PMS_EUSAGE, "no user: use --user");
	if (!pms_name_valid(user) || strcasecmp(user, "recovery") == 0)
		return pms_seterr(PMS_EDATA, "user name \"%s\" is not valid: "
		    "letters, digits, \".\", \"_\", \"-\", \"@\" (and "
		    "\"recovery\" is taken): use --user", user);
	snprintf(dir, sizeof(dir), "%s", o->path);
	if (stat(dirname(dir), &sb) == -1 || !S_ISDIR(sb.st_mode))
		return pms_seterr(PMS_ENOINPUT, "%s: no such directory", dir);
	if ((s = pms_store_new(o->path, o->program)) == NULL ||
	    (kpath = pms_str_fmt("%s.keys", o->path)) == NULL ||
	    (sf = calloc(1, sizeof(*sf))) == NULL ||
	    (seeds = sodium_malloc(64)) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	if (access(kpath, F_OK) == 0) {
		st = pms_seterr(PMS_EREFUSED, "%s already exists", kpath);
		goto out;
	}
	/* O_EXCL: of two concurrent inits, one wins */
	if ((fd = open(o->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0660)) == -1) {
		st = errno == EEXIST ? pms_seterr(PMS_EREFUSED,
		    "%s already exists", o->path) : pms_seterr(PMS_EIO,
		    "%s: %s", o->path, strerror(errno));
		goto out;
	}
	made = 1;
	if (fstat(fd, &sb) == 0 && stat(dir, &sb) == 0)
		(void)!fchown(fd, (uid_t)-1, sb.st_gid);
	fchmod(fd, 0660);
	close(fd);
	if ((st = pms_make_lockdir(s->lockdir)) != PMS_OK)
		goto out;

	snprintf(prompt, sizeof(prompt), "New passphrase for %s: ", user);
	if ((st = pms_get_pass(o, prompt, 1, &pass, &passlen)) != PMS_OK)
		goto out;
	if ((st = pms_pass_policy(pass, passlen)) != PMS_OK)
		goto out;

	randombytes_buf(file_id, sizeof(file_id));
	randombytes_buf(s->u->dek, sizeof(s->u->dek));
	randombytes_buf(seeds, 64);		/* user seed, recovery seed */
	memcpy(sf->file_id, file_id, 8);
	sf->generation = 1;
	if ((st = pms_keys_slot_add(sf, PMS_SLOT_PASSPHRASE, user,
	    PMS_ROLE_ADMIN, s->u->dek, seeds, pass, passlen, kdf)) != PMS_OK)
		goto out;
	if ((st = pms_keys_slot_add(sf, PMS_SLOT_RECOVERY, "recovery",
	    PMS_ROLE_ADMIN, s->u->dek, seeds + 32, NULL, 0, kdf)) != PMS_OK)
		goto out;
	/* write the slot file, then unlock through it as any open will */
	if ((st = pms_keys_write(kpath, sf, s->u->dek)) != PMS_OK)
		goto out;
	if ((st = pms_keys_unlock(sf, &sf->slots[0], seeds, s->u)) != PMS_OK)
		goto out;
	s->slot = sf->slots[0];
	memcpy(s->file_id, file_id, 8);

	if ((st = pms_store_open_db(s, file_id, 1)) != PMS_OK)
		goto out;
	if ((st = migrate(s)) != PMS_OK)
		goto out;
	if ((st = pms_store_begin(s)) != PMS_OK)
		goto out;
	if ((st = pms_store_record_slot(s, &sf->slots[0])) != PMS_OK ||
	    (st = pms_store_record_slot(s, &sf->slots[1])) != PMS_OK ||
	    (st = pms_store_set_meta(s, "keys_serial", sf->serial)) != PMS_OK ||
	    (st = pms_store_set_meta(s, "generation", sf->generation)) != PMS_OK ||
	    (st = pms_audit_append(s, "store.init", "", NULL, 0)) != PMS_OK) {
		pms_store_rollback(s);
		goto out;
	}
	if ((st = pms_store_commit(s)) != PMS_OK)
		goto out;
	/* fold the WAL in: the new database file stands on its own */
	if ((st = pms_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)",
	    "checkpoint")) != PMS_OK)
		goto out;
	pms_recovery_encode(seeds + 32, recovery, size);
	st = PMS_OK;
out:
	if (pass != NULL)
		sodium_free(pass);
	if (seeds != NULL)
		sodium_free(seeds);
	if (sf != NULL)
		sodium_memzero(sf, sizeof(*sf));
	free(sf);
	if (s != NULL && s->db != NULL) {
		pms_store_stmts_clear(s);
		sqlite3_close(s->db);
		s->db = NULL;
	}
	if (st != PMS_OK && made)
		create_undo(o->path, kpath != NULL ? kpath : "", s->lockdir);
	pms_store_free(s);
	free(kpath);
	return st;
}

/*
 * Checkpoint through the one locked path.  At close the checkpoint is
 * PASSIVE and only taken when the lock is free and the WAL is past
 * CKPT_FRAMES frames or the last checkpoint is older than CKPT_AGE.
 */
static void
close_checkpoint(struct pms_store *s)
{
	struct stat wal, db;
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s-wal", s->path) >=
	    (int)sizeof(path) || stat(path, &wal) == -1 ||
	    stat(s->path, &db) == -1)
		return;
	if (wal.st_size <= 32)
		return;
	if ((wal.st_size - 32) / (PMS_PAGE_SIZE + 24) < CKPT_FRAMES &&
	    time(NULL) - db.st_mtime < CKPT_AGE)
		return;
	if ((fd = pms_lock_open(s->lockdir, "checkpoint.lock")) == -1)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		/*
		 * Someone holding the lock is already doing it.  TRUNCATE
		 * without waiting: when others read, it does what PASSIVE
		 * would; when none do, the WAL starts again from nothing.
		 * (How far a PASSIVE one got lives only in -shm, which the
		 * next lone opener resets: the WAL would never restart.)
		 */
		sqlite3_busy_timeout(s->db, 0);
		sqlite3_wal_checkpoint_v2(s->db, "main",
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		flock(fd, LOCK_UN);
	}
	close(fd);
}

void
pms_store_close(struct pms_store *s)
{
	if (s == NULL)
		return;
	if (s->held) {
		s->closed = 1;
		return;
	}
	if (s->db != NULL && sqlite3_get_autocommit(s->db))
		close_checkpoint(s);
	pms_store_free(s);
}

void
pms_store_hold(struct pms_store *s)
{
	s->held = 1;
}

void
pms_store_release(struct pms_store *s)
{
	if (s == NULL)
		return;
	s->held = 0;
	if (s->closed)
		pms_store_close(s);
}

const char *
pms_store_user(const struct pms_store *s)
{
	return s->u->label;
}

enum pms_status
pms_store_begin(struct pms_store *s)
{
	s->audit_last = 0;	/* pms_audit_export() ties to this one's */
	s->tx_changes = sqlite3_total_changes64(s->db);
	s->tx_log = 0;
	return pms_exec(s, "BEGIN IMMEDIATE", "starting a transaction");
}

enum pms_status
pms_store_commit(struct pms_store *s)
{
	/*
	 * A dry run does all the work and keeps none of it; but a
	 * transaction that wrote only to the access log was a read, whose
	 * entry stays: what was read was shown.
	 */
	if (s->dry_run && sqlite3_total_changes64(s->db) - s->tx_changes >
	    s->tx_log) {
		pms_store_rollback(s);
		return PMS_OK;
	}
	return pms_store_commit_log(s);
}

enum pms_status
pms_store_commit_log(struct pms_store *s)
{
	enum pms_status st;

	if ((st = pms_exec(s, "COMMIT", "committing")) != PMS_OK)
		pms_store_rollback(s);
	return st;
}

void
pms_store_set_dry_run(struct pms_store *s, int on)
{
	s->dry_run = on != 0;
}

int
pms_store_dry_run(const struct pms_store *s)
{
	return s->dry_run;
}

enum pms_status
pms_store_begin_read(struct pms_store *s)
{
	return pms_exec(s, "BEGIN DEFERRED", "starting a read");
}

void
pms_store_rollback(struct pms_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum pms_status
pms_store_schema_version(struct pms_store *s, int *v)
{
	sqlite3_int64 n;
	enum pms_status st;

	if ((st = pms_query_int(s, "PRAGMA user_version", &n)) == PMS_OK)
		*v = (int)n;
	return st;
}

enum pms_status
pms_store_info(const char *path, struct pms_store_info *info)
{
	static const char *types[] = { "", "passphrase", "keyfile",
	    "recovery" };
	struct pms_slotfile *sf;
	unsigned char file_id[8];
	char *kpath;
	size_t i;
	enum pms_status st;

	memset(info, 0, sizeof(*info));
	if (path == NULL || *path == '\0')
		return pms_seterr(PMS_EUSAGE,
		    "no store given: use --store PATH or set PMS_STORE");
	if ((st = sniff(path, file_id)) != PMS_OK)
		return st;
	if ((kpath = pms_str_fmt("%s.keys", path)) == NULL ||
	    (sf = malloc(sizeof(*sf))) == NULL) {
		free(kpath);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if ((st = pms_keys_read(kpath, sf)) == PMS_OK &&
	    memcmp(sf->file_id, file_id, 8) != 0)
		st = pms_seterr(PMS_EDENIED, "%s: the slot file belongs to a "
		    "different store", kpath);
	if (st == PMS_OK) {
		sodium_bin2hex(info->file_id, sizeof(info->file_id),
		    file_id, 8);
		info->generation = sf->generation;
		info->nslots = sf->nslots;
		for (i = 0; i < sf->nslots && i < PMS_NELEM(info->slots);
		    i++) {
			info->slots[i].id = sf->slots[i].id;
			info->slots[i].roles = sf->slots[i].roles;
			snprintf(info->slots[i].label,
			    sizeof(info->slots[i].label), "%s",
			    sf->slots[i].label);
			snprintf(info->slots[i].type,
			    sizeof(info->slots[i].type), "%s",
			    types[sf->slots[i].type]);
		}
	}
	free(sf);
	free(kpath);
	return st;
}

enum pms_status
pms_store_check(struct pms_store *s, struct pms_check_report *r)
{
	struct pms_vfs_verify v;
	sqlite3_stmt *st = NULL;
	const unsigned char *txt;
	int64_t bad;
	enum pms_status ps;
	int rc, cfd = -1;

	memset(r, 0, sizeof(*r));
	if ((ps = pms_rights_need(s, "admin.check")) != PMS_OK)
		return ps;
	/* the write lock keeps the WAL still while it is scanned */
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	/*
	 * A checkpoint by another program rewrites pages of the main file
	 * without the write lock: hold the checkpoint lock while reading.
	 * (Taken second: with the write lock held, writers wait for us
	 * instead of starving us.)
	 */
	if ((cfd = pms_lock_open(s->lockdir, "checkpoint.lock")) == -1 ||
	    pms_lock_wait(cfd, LOCK_EX, BUSY_MS) == -1) {
		ps = cfd == -1 ? pms_seterr(PMS_EIO, "%s: %s", s->lockdir,
		    strerror(errno)) : pms_seterr(PMS_EBUSY, "a checkpoint is "
		    "running; try again");
		goto fail;
	}
	rc = sqlite3_file_control(s->db, "main", PMS_FCNTL_VERIFY, &v);
	close(cfd);
	cfd = -1;
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "checking pages");
		goto fail;
	}
	r->pages = v.pages;
	r->wal_frames = v.frames;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(20)", -1, &st,
	    NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "integrity check");
		goto fail;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		ps = pms_store_sqlerr(s, rc, "integrity check");
		goto fail;
	}
	txt = sqlite3_column_text(st, 0);
	if (txt == NULL || strcmp((const char *)txt, "ok") != 0) {
		ps = pms_seterr(PMS_ETAMPER, "the store is damaged: integrity "
		    "check: %s; restore from backup",
		    txt != NULL ? (const char *)txt : "?");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((ps = pms_audit_verify(s, &r->audit_entries, &bad)) != PMS_OK)
		goto fail;
	if ((ps = pms_audit_append(s, "store.check", "", NULL, 0)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
fail:
	if (cfd != -1)
		close(cfd);
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

enum pms_status
pms_store_maintain(struct pms_store *s)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	int fd, rc, busy = 0;

	if ((ps = pms_rights_need(s, "admin.maintain")) != PMS_OK)
		return ps;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_audit_append(s, "store.maintain", "", NULL, 0)) !=
	    PMS_OK) {
		pms_store_rollback(s);
		return ps;
	}
	if ((ps = pms_store_commit(s)) != PMS_OK)
		return ps;
	if ((fd = pms_lock_open(s->lockdir, "checkpoint.lock")) == -1)
		return pms_seterr(PMS_EIO, "%s: %s", s->lockdir,
		    strerror(errno));
	if (pms_lock_wait(fd, LOCK_EX, BUSY_MS) == -1) {
		close(fd);
		return pms_seterr(PMS_EBUSY, "another checkpoint is running; "
		    "try again");
	}
	rc = sqlite3_prepare_v2(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1,
	    &st, NULL);
	if (rc == SQLITE_OK) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			busy = sqlite3_column_int(st, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	flock(fd, LOCK_UN);
	close(fd);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "checkpoint");
	if (busy)
		return pms_seterr(PMS_EBUSY, "the checkpoint could not finish "
		    "while others read the store; try again");
	return pms_exec(s, "PRAGMA optimize", "optimize");
}

enum pms_status
pms_store_exec_raw(struct pms_store *s, const char *sql, pms_row_fn *fn,
    void *arg)
{
	char *err = NULL;
	int rc;

	rc = sqlite3_exec(s->db, sql, fn, arg, &err);
	if (rc != SQLITE_OK) {
		enum pms_status st = pms_store_sqlerr(s, rc, "SQL");

		sqlite3_free(err);
		return st;
	}
	return PMS_OK;
}
