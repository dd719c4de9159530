/*
 * store-checkpointer: a test helper for tests/store.bats, compiled by
 * the test itself against libpms.  It opens the store named by
 * $PMS_STORE as any program does and, N times, runs the given SQL and
 * then checkpoints the way a program does as it closes a long WAL:
 * PASSIVE, and only under a non-blocking flock of
 * STORE.lock.d/checkpoint.lock (when the lock is taken it skips that
 * checkpoint).  One process doing it over and over puts checkpoints
 * under whatever else runs against the store, such as pms-admin check.
 *
 * usage: store-checkpointer N SQL
 */
#include <sys/file.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "pms.h"

int
main(int argc, char *argv[])
{
	struct pms_store_opts o;
	struct pms_store *s;
	struct pms_ctx ctx;
	enum pms_status st;
	char lock[PATH_MAX];
	long i, n;
	int fd;

	pms_ctx_init(&ctx, "store-checkpointer");
	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0)
		return pms_fail(&ctx, EX_USAGE, "usage: store-checkpointer N SQL");
	if (ctx.store_path == NULL || snprintf(lock, sizeof(lock),
	    "%s.lock.d/checkpoint.lock", ctx.store_path) >= (int)sizeof(lock))
		return pms_fail(&ctx, EX_USAGE, "PMS_STORE: not set or too long");
	pms_ctx_store_opts(&ctx, &o);
	if ((st = pms_store_open(&s, &o)) != PMS_OK)
		return pms_fail_status(&ctx, st);
	for (i = 0; i < n; i++) {
		if ((st = pms_store_exec_raw(s, argv[2], NULL, NULL)) != PMS_OK)
			break;
		if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1) {
			pms_store_close(s);
			return pms_fail(&ctx, EX_IOERR, "%s: cannot open", lock);
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			st = pms_store_exec_raw(s,
			    "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL);
			flock(fd, LOCK_UN);
		}
		close(fd);
		if (st != PMS_OK)
			break;
	}
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(&ctx, st);
	return EX_OK;
}
