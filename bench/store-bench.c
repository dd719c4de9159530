/*
 * store-bench: the encrypted store against plain SQLite, in one run, on
 * the same machine and the same SQL.  Prints times and their ratios;
 * asserts nothing.  Key derivation happens before any timed part.
 *
 *   store-bench [-n inserts] [-r reads] [-d dir]
 *
 * Workloads: N inserts in one transaction into an indexed table, then R
 * point reads through the index; then the cost of opening a store whose
 * WAL is empty and one whose WAL holds about 1,000 frames (every opener
 * decrypts the WAL it finds, STORE.md Amendment 4).
 */
#include <sys/stat.h>

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

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, sqlite3 *db)
{
	fprintf(stderr, "store-bench: %s: %s\n", what,
	    db != NULL ? sqlite3_errmsg(db) : pms_errmsg());
	exit(EX_SOFTWARE);
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

	snprintf(uri, sizeof(uri), "file:%s?vfs=pms&pmskey=%u", path, handle);
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

static void
line(const char *what, double plain, double enc)
{
	printf("%-28s %10.3f ms %10.3f ms %7.2fx\n", what, plain * 1e3,
	    enc * 1e3, plain > 0 ? enc / plain : 0.0);
}

int
main(int argc, char *argv[])
{
	struct pms_store_opts o;
	struct pms_store *s;
	char dir[256] = "", plain[300], enc[300], passpath[300];
	char rk[PMS_RECOVERY_KEY_LEN];
	char pass[] = "correct horse battery staple";
	unsigned n = 200000, r = 100000, handle;
	unsigned char file_id[8];
	sqlite3 *pdb, *edb;
	double ti[2], tr[2], to[2], tw[2];
	int ch;
	FILE *f;

	while ((ch = getopt(argc, argv, "n:r:d:")) != -1) {
		switch (ch) {
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			r = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			snprintf(dir, sizeof(dir), "%s", optarg);
			break;
		default:
			fprintf(stderr, "usage: store-bench [-n inserts] "
			    "[-r reads] [-d dir]\n");
			return EX_USAGE;
		}
	}
	if (n == 0 || r == 0 || sodium_init() < 0)
		return EX_USAGE;
	if (dir[0] == '\0' && mkdtemp(strcpy(dir, "/tmp/pms-bench.XXXXXX")) ==
	    NULL)
		die("mkdtemp", NULL);
	snprintf(plain, sizeof(plain), "%s/plain.db", dir);
	snprintf(enc, sizeof(enc), "%s/store.pms", dir);
	unlink(plain);

	/* key derivation and store creation: not timed */
	snprintf(passpath, sizeof(passpath), "%s/pass", dir);
	if ((f = fopen(passpath, "w")) == NULL)
		die("pass file", NULL);
	fprintf(f, "%s\n", pass);
	fclose(f);
	setenv("PMS_PASSPHRASE_FILE", passpath, 1);
	struct pms_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.pass_fd = -1;
	memset(&o, 0, sizeof(o));
	o.path = enc;
	o.user = "bench";
	o.program = "store-bench";
	o.pass = pms_cli_passphrase;
	o.pass_arg = &ctx;
	if (pms_store_create(&o, PMS_KDF_INTERACTIVE, rk, sizeof(rk)) !=
	    PMS_OK || pms_store_open(&s, &o) != PMS_OK)
		die("store", NULL);
	{
		struct stat sb;
		FILE *df = fopen(enc, "rb");

		if (df == NULL || fseek(df, 8, SEEK_SET) != 0 ||
		    fread(file_id, 1, 8, df) != 8 || stat(enc, &sb) != 0)
			die("file id", NULL);
		fclose(df);
	}
	if (pms_vfs_key_add(s->u->dek, file_id, 0, &handle) != SQLITE_OK)
		die("key", NULL);
	edb = s->db;
	pdb = open_plain(plain);

	printf("store-bench: %u inserts in one transaction, %u indexed point "
	    "reads\n", n, r);
	printf("%-28s %13s %13s %8s\n", "workload", "plain sqlite",
	    "encrypted", "ratio");
	ti[0] = inserts(pdb, n);
	ti[1] = inserts(edb, n);
	line("insert (one transaction)", ti[0], ti[1]);
	tr[0] = reads(pdb, n, r);
	tr[1] = reads(edb, n, r);
	line("indexed point reads", tr[0], tr[1]);
	line("total", ti[0] + tr[0], ti[1] + tr[1]);

	run(pdb, "PRAGMA wal_checkpoint(TRUNCATE)");
	run(edb, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(pdb);
	pms_store_close(s);		/* opens below must recover the WAL */
	to[0] = open_cost(plain, (unsigned)-1, 20);
	to[1] = open_cost(enc, handle, 20);
	line("open, empty WAL", to[0], to[1]);
	pdb = open_plain(plain);
	fill_wal(pdb);
	sqlite3_close(pdb);		/* no checkpoint on close */
	edb = open_crypt(enc, handle);
	fill_wal(edb);
	sqlite3_close(edb);
	tw[0] = open_cost(plain, (unsigned)-1, 20);
	tw[1] = open_cost(enc, handle, 20);
	line("open, ~1000-frame WAL", tw[0], tw[1]);
	printf("aim: total ratio at most 1.15x (Debian's SQLCipher: ~1.5x)\n");
	pms_vfs_key_remove(handle);
	return EX_OK;
}
