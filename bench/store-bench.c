/*
 * store-bench: the encrypted store against plain SQLite, in one run, on
 * the same machine and the same SQL.  Prints measurements; asserts
 * nothing.  Key derivation happens before any timed part.
 *
 *   store-bench [-n inserts] [-r reads] [-k runs] [-d dir]
 *   store-bench -c store [-d dir]
 *
 * Workloads: N inserts in one transaction into an indexed table, then R
 * point reads through the index; the size of both files after; then the
 * cost of opening a database whose WAL is empty and one whose WAL holds
 * about 1,000 frames (every opener decrypts the WAL it finds, STORE.md
 * Amendment 4).  Each is run k times, the plain and the encrypted one
 * in turn (which goes first alternates), each time on fresh files, and
 * the median is printed.
 *
 * With -c, the store (opened as any program opens it: $PMS_USER,
 * $PMS_PASSPHRASE_FILE) is copied page by page into a plain database,
 * which is then vacuumed without the 40 reserved bytes a page of the
 * store carries: the same rows as plain SQLite keeps them.  Printed: the
 * rows, the store's bytes on disk (database, WAL, slot file) and the
 * plain copy's.
 *
 * Output is one line per workload, fields separated by tabs, for
 * bench/run to lay out: name, count, unit ("s" or "B"), the store's
 * figure, plain SQLite's figure, what the reference is.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "pms_int.h"
#include "vfs_crypt.h"

#define MAX_RUNS	99
#define OPENS		20	/* opens averaged per run */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static _Noreturn void
die(const char *what, sqlite3 *db)
{
	fprintf(stderr, "store-bench: %s: %s\n", what,
	    db != NULL ? sqlite3_errmsg(db) : pms_errmsg());
	exit(EX_SOFTWARE);
}

static void
path_of(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		die("directory name too long", NULL);
}

static void
run(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, db);
}

static void
policy(sqlite3 *db)
{
	int one = 1;

	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &one);
	run(db, "PRAGMA temp_store=MEMORY; PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0;"
	    "PRAGMA cache_size=-16384;");
}

/* A deterministic permutation step: keys inserted out of order. */
static unsigned
key_of(unsigned i, unsigned n)
{
	return (unsigned)(((unsigned long long)i * 2654435761u) % n);
}

static double
inserts(sqlite3 *db, unsigned n)
{
	sqlite3_stmt *st;
	char key[32], val[128];
	unsigned i;
	double t;

	run(db, "CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, "
	    "k TEXT NOT NULL, v TEXT NOT NULL);"
	    "CREATE INDEX IF NOT EXISTS bench_k ON bench (k)");
	if (sqlite3_prepare_v2(db, "INSERT INTO bench (k, v) VALUES (?, ?)",
	    -1, &st, NULL) != SQLITE_OK)
		die("prepare", db);
	memset(val, 'x', 100);
	val[100] = '\0';
	t = now();
	run(db, "BEGIN IMMEDIATE");
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "key%010u", key_of(i, n));
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, val, 100, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert", db);
		sqlite3_reset(st);
	}
	run(db, "COMMIT");
	t = now() - t;
	sqlite3_finalize(st);
	return t;
}

static double
reads(sqlite3 *db, unsigned n, unsigned r)
{
	sqlite3_stmt *st;
	char key[32];
	unsigned i, found = 0;
	double t;

	if (sqlite3_prepare_v2(db, "SELECT v FROM bench WHERE k = ?", -1,
	    &st, NULL) != SQLITE_OK)
		die("prepare", db);
	t = now();
	for (i = 0; i < r; i++) {
		snprintf(key, sizeof(key), "key%010u", key_of(i * 7919u, n));
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			found++;
		sqlite3_reset(st);
	}
	t = now() - t;
	sqlite3_finalize(st);
	if (found != r)
		die("reads found too few rows", NULL);
	return t;
}

static sqlite3 *
open_plain(const char *path)
{
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		die("open plain", db);
	policy(db);
	return db;
}

static sqlite3 *
open_crypt(const char *path, unsigned handle)
{
	char uri[4200];
	sqlite3 *db;
	int n;

	n = snprintf(uri, sizeof(uri), "file:%s?vfs=pms&pmskey=%u", path,
	    handle);
	if (n < 0 || (size_t)n >= sizeof(uri))
		die("path too long", NULL);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI,
	    "pms") != SQLITE_OK)
		die("open encrypted", db);
	policy(db);
	return db;
}

/* Open, read the schema (recovering the WAL), close; average of k. */
static double
open_cost(const char *path, unsigned handle, int k)
{
	sqlite3 *db;
	double t = now();
	int i;

	for (i = 0; i < k; i++) {
		db = handle == (unsigned)-1 ? open_plain(path) :
		    open_crypt(path, handle);
		run(db, "SELECT count(*) FROM sqlite_schema");
		sqlite3_close(db);
	}
	return (now() - t) / k;
}

/* Leave about 1,000 frames in the WAL. */
static void
fill_wal(sqlite3 *db)
{
	int i;

	run(db, "CREATE TABLE IF NOT EXISTS fill (b BLOB)");
	for (i = 0; i < 100; i++)
		run(db, "INSERT INTO fill VALUES (randomblob(36000))");
}

/* Bytes on disk of a database and its WAL (and whatever else is named). */
static double
disk_size(const char *path, const char *also)
{
	char wal[4200];
	struct stat sb;
	double n = 0;

	if (stat(path, &sb) == 0)
		n += (double)sb.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &sb) == 0)
		n += (double)sb.st_size;
	if (also != NULL && stat(also, &sb) == 0)
		n += (double)sb.st_size;
	return n;
}

/* Remove a database and its WAL and shared-memory files. */
static void
remove_db(const char *path)
{
	char p[4200];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static void
copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	ssize_t n;
	int in, out;

	remove_db(to);
	if ((in = open(from, O_RDONLY)) < 0 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		die("copy the empty store", NULL);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("copy the empty store", NULL);
	if (n < 0 || close(out) != 0)
		die("copy the empty store", NULL);
	close(in);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int k)
{
	qsort(v, (size_t)k, sizeof(v[0]), cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static void
emit(const char *what, unsigned long count, const char *unit, double ours,
    double plain, const char *ref)
{
	printf("%s\t%lu\t%s\t%.6g\t%.6g\t%s\n", what, count, unit, ours,
	    plain, ref);
}

/* Open the store as a program does; *sp is the caller's to close. */
static void
store_open(const char *path, struct pms_store **sp, struct pms_ctx *ctx)
{
	struct pms_store_opts o;

	memset(ctx, 0, sizeof(*ctx));
	ctx->pass_fd = -1;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.program = "store-bench";
	o.pass = pms_cli_passphrase;
	o.pass_arg = ctx;
	o.no_cache = 1;
	if (pms_store_open(sp, &o) != PMS_OK)
		die(path, NULL);
}

/* The rows of every table of db (names from its own schema). */
static unsigned long
count_rows(sqlite3 *db)
{
	sqlite3_stmt *st, *c;
	unsigned long rows = 0;
	char *sql;

	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE "
	    "type = 'table'", -1, &st, NULL) != SQLITE_OK)
		die("schema", db);
	while (sqlite3_step(st) == SQLITE_ROW) {
		sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"",
		    (const char *)sqlite3_column_text(st, 0));
		if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &c, NULL) !=
		    SQLITE_OK || sqlite3_step(c) != SQLITE_ROW)
			die("count", db);
		rows += (unsigned long)sqlite3_column_int64(c, 0);
		sqlite3_finalize(c);
		sqlite3_free(sql);
	}
	sqlite3_finalize(st);
	return rows;
}

/* -c: the store's rows in plain SQLite, and both sizes. */
static int
copy_size(const char *store, const char *dir)
{
	struct pms_store *s;
	struct pms_ctx ctx;
	sqlite3_backup *b;
	sqlite3 *pdb;
	char plain[4096], keys[4200];
	int zero = 0;
	unsigned long rows;

	path_of(plain, sizeof(plain), dir, "copy.db");
	snprintf(keys, sizeof(keys), "%s.keys", store);
	remove_db(plain);
	store_open(store, &s, &ctx);
	if (sqlite3_open(plain, &pdb) != SQLITE_OK)
		die("open plain", pdb);
	if ((b = sqlite3_backup_init(pdb, "main", s->db, "main")) == NULL)
		die("backup", pdb);
	if (sqlite3_backup_step(b, -1) != SQLITE_DONE)
		die("backup", pdb);
	sqlite3_backup_finish(b);
	pms_store_close(s);
	/* plain SQLite keeps no reserved bytes: drop them, as VACUUM does */
	if (sqlite3_file_control(pdb, "main", SQLITE_FCNTL_RESERVE_BYTES,
	    &zero) != SQLITE_OK)
		die("reserve", pdb);
	run(pdb, "VACUUM");
	rows = count_rows(pdb);
	sqlite3_close(pdb);
	emit("size on disk, built store", rows, "B", disk_size(store, keys),
	    disk_size(plain, NULL), "the same rows in plain SQLite, vacuumed");
	remove_db(plain);
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	struct pms_store_opts o;
	struct pms_store *s;
	struct pms_ctx ctx;
	char dir[256] = "", plain[300], tmpl[300], enc[300], passpath[300];
	char rk[PMS_RECOVERY_KEY_LEN];
	char pass[] = "correct horse battery staple";
	const char *copy = NULL;
	unsigned n = 200000, r = 100000, handle;
	unsigned char file_id[8];
	sqlite3 *pdb, *edb;
	double ti[2][MAX_RUNS], tr[2][MAX_RUNS], to[2][MAX_RUNS];
	double tw[2][MAX_RUNS], size[2] = { 0, 0 };
	int ch, k = 5, i, e, side;
	FILE *f, *df;

	while ((ch = getopt(argc, argv, "n:r:k:d:c:")) != -1) {
		switch (ch) {
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			r = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			k = (int)strtol(optarg, NULL, 10);
			break;
		case 'd':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		case 'c':
			copy = optarg;
			break;
		default:
			fprintf(stderr, "usage: store-bench [-n inserts] "
			    "[-r reads] [-k runs] [-d dir]\n"
			    "       store-bench -c store [-d dir]\n");
			return EX_USAGE;
		}
	}
	if (n == 0 || r == 0 || k < 1 || k > MAX_RUNS || sodium_init() < 0)
		return EX_USAGE;
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/pms-bench.XXXXXX");
		if (mkdtemp(dir) == NULL)
			die("mkdtemp", NULL);
	}
	if (copy != NULL)
		return copy_size(copy, dir);
	path_of(plain, sizeof(plain), dir, "plain.db");
	path_of(tmpl, sizeof(tmpl), dir, "empty.pms");
	path_of(enc, sizeof(enc), dir, "run.pms");
	remove_db(tmpl);

	/* key derivation and store creation: not timed */
	path_of(passpath, sizeof(passpath), dir, "pass");
	if ((f = fopen(passpath, "w")) == NULL)
		die("pass file", NULL);
	fprintf(f, "%s\n", pass);
	fclose(f);
	setenv("PMS_PASSPHRASE_FILE", passpath, 1);
	memset(&ctx, 0, sizeof(ctx));
	ctx.pass_fd = -1;
	memset(&o, 0, sizeof(o));
	o.path = tmpl;
	o.user = "bench";
	o.program = "store-bench";
	o.pass = pms_cli_passphrase;
	o.pass_arg = &ctx;
	o.no_cache = 1;
	if (pms_store_create(&o, PMS_KDF_INTERACTIVE, rk, sizeof(rk)) !=
	    PMS_OK || pms_store_open(&s, &o) != PMS_OK)
		die("store", NULL);
	if ((df = fopen(tmpl, "rb")) == NULL || fseek(df, 8, SEEK_SET) != 0 ||
	    fread(file_id, 1, 8, df) != 8)
		die("file id", NULL);
	fclose(df);
	if (pms_vfs_key_add(s->u->dek, file_id, 0, &handle) != SQLITE_OK)
		die("key", NULL);
	/* the empty store every run starts from: its WAL checkpointed in */
	run(s->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	pms_store_close(s);

	for (i = 0; i < k; i++) {
		remove_db(plain);
		copy_file(tmpl, enc);
		pdb = open_plain(plain);
		edb = open_crypt(enc, handle);
		/* which goes first alternates */
		for (e = 0; e < 2; e++) {
			side = (e + i) % 2;
			ti[side][i] = inserts(side ? edb : pdb, n);
		}
		for (e = 0; e < 2; e++) {
			side = (e + i) % 2;
			tr[side][i] = reads(side ? edb : pdb, n, r);
		}
		run(pdb, "PRAGMA wal_checkpoint(TRUNCATE)");
		run(edb, "PRAGMA wal_checkpoint(TRUNCATE)");
		sqlite3_close(pdb);
		sqlite3_close(edb);
		size[0] = disk_size(plain, NULL);
		size[1] = disk_size(enc, NULL);
		to[0][i] = open_cost(plain, (unsigned)-1, OPENS);
		to[1][i] = open_cost(enc, handle, OPENS);
		pdb = open_plain(plain);
		fill_wal(pdb);
		sqlite3_close(pdb);		/* no checkpoint on close */
		edb = open_crypt(enc, handle);
		fill_wal(edb);
		sqlite3_close(edb);
		tw[0][i] = open_cost(plain, (unsigned)-1, OPENS);
		tw[1][i] = open_cost(enc, handle, OPENS);
	}
	emit("insert, one transaction", n, "s", median(ti[1], k),
	    median(ti[0], k), "plain SQLite, same SQL (C API)");
	emit("indexed point reads", r, "s", median(tr[1], k),
	    median(tr[0], k), "plain SQLite, same SQL (C API)");
	emit("size on disk, inserted rows", n, "B", size[1], size[0],
	    "plain SQLite, same rows");
	emit("open database, empty WAL", OPENS, "s", median(to[1], k),
	    median(to[0], k), "plain SQLite (C API)");
	emit("open database, 1000-frame WAL", OPENS, "s", median(tw[1], k),
	    median(tw[0], k), "plain SQLite (C API)");
	pms_vfs_key_remove(handle);
	remove_db(plain);
	remove_db(enc);
	return EX_OK;
}
