/*
 * fuzz-store: libFuzzer target for the store opener fed damaged files.
 * Once per process it makes a real store in a temporary directory (a
 * passphrase slot and the recovery slot, a few transactions left in the
 * WAL, not checkpointed) and keeps its three files' bytes.  Each input
 * then says how to damage them: its first byte picks the file (the
 * database, the WAL, the slot file, or all three), whether the WAL is
 * cut short or goes, and whether the -shm index survives; the rest is a
 * list of patches (three bytes of offset, a length, the bytes).  The
 * damaged store is opened with the recovery key (nothing cached) and,
 * if it opens, checked whole (pms_store_check) and read.
 *
 * Beyond not crashing, leaking or reading out of bounds, it checks the
 * opener's promises: a damaged store is refused with a status of the
 * table (tampered, denied, busy, bad data, no input or I/O, never an
 * internal error or a silent success of the check on a page it
 * changed), and every refusal has a message.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "pms.h"

#define PASS	"correct horse battery staple"

struct file {
	char		 path[256];
	unsigned char	*bytes;
	size_t		 len;
};

static char dir[64];
static char recovery[PMS_RECOVERY_KEY_LEN + 1];
static struct file files[3];	/* database, WAL, slot file */
static char shm[256];

static int
pass_fn(void *arg, const char *prompt, int confirm, char *buf, size_t size)
{
	(void)arg;
	(void)prompt;
	(void)confirm;
	snprintf(buf, size, "%s", PASS);
	return (int)strlen(PASS);
}

static void
slurp(struct file *f)
{
	struct stat sb;
	int fd;

	if ((fd = open(f->path, O_RDONLY)) == -1 || fstat(fd, &sb) == -1)
		abort();
	f->len = (size_t)sb.st_size;
	if ((f->bytes = malloc(f->len + 1)) == NULL ||
	    read(fd, f->bytes, f->len) != (ssize_t)f->len)
		abort();
	close(fd);
}

static void
opts(struct pms_store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->path = files[0].path;
	o->user = "admin";
	o->program = "fuzz-store";
	o->pass = pass_fn;
	o->recovery_key = recovery;
	o->no_cache = 1;
}

static void
make_store(void)
{
	struct pms_store_opts o;
	struct pms_store *s;
	int i;

	if (sodium_init() < 0)
		abort();
	snprintf(dir, sizeof(dir), "/tmp/fuzz-store.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(files[0].path, sizeof(files[0].path), "%s/store", dir);
	snprintf(files[1].path, sizeof(files[1].path), "%s/store-wal", dir);
	snprintf(files[2].path, sizeof(files[2].path), "%s/store.keys", dir);
	snprintf(shm, sizeof(shm), "%s/store-shm", dir);
	opts(&o);
	o.recovery_key = NULL;
	if (pms_store_create(&o, PMS_KDF_INTERACTIVE, recovery,
	    sizeof(recovery)) != PMS_OK)
		abort();
	opts(&o);
	if (pms_store_open(&s, &o) != PMS_OK)
		abort();
	for (i = 0; i < 6; i++) {
		if (pms_store_begin(s) != PMS_OK ||
		    pms_audit_append(s, "store.fuzz", "a,b", NULL, 0) !=
		    PMS_OK || pms_store_commit(s) != PMS_OK)
			abort();
	}
	pms_store_close(s);
	for (i = 0; i < 3; i++)
		slurp(&files[i]);
}

static void
put(const struct file *f, size_t len)
{
	int fd;

	if ((fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, f->bytes, len) != (ssize_t)len || close(fd) != 0)
		abort();
}

static void
cleanup(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;
	int i;

	for (i = 0; i < 3; i++)
		unlink(files[i].path);
	unlink(shm);
	/* the lock directory and what it holds, then the directory */
	snprintf(path, sizeof(path), "%s/store.lock.d", dir);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (snprintf(path, sizeof(path), "%s/store.lock.d/%s",
			    dir, e->d_name) < (int)sizeof(path))
				unlink(path);
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/store.lock.d", dir);
	rmdir(path);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pms_check_report rep;
	struct pms_store_opts o;
	struct pms_store *s;
	struct file f[3];
	enum pms_status st;
	size_t i, off, n, target, walen;
	unsigned mode;
	int version;

	if (dir[0] == '\0') {
		make_store();
		atexit(cleanup);
	}
	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	for (i = 0; i < 3; i++) {
		f[i] = files[i];
		if ((f[i].bytes = malloc(files[i].len + 1)) == NULL)
			abort();
		memcpy(f[i].bytes, files[i].bytes, files[i].len);
	}
	target = mode & 3;	/* 3: any of them, by each patch */
	while (size >= 4) {
		i = target == 3 ? data[3] % 3 : target;
		off = ((size_t)data[0] << 16 | (size_t)data[1] << 8 | data[2]);
		n = data[3] % 16 + 1;
		data += 4;
		size -= 4;
		if (n > size)
			n = size;
		if (f[i].len > 0) {
			off %= f[i].len;
			if (n > f[i].len - off)
				n = f[i].len - off;
			memcpy(f[i].bytes + off, data, n);
		}
		data += n;
		size -= n;
	}
	walen = f[1].len;
	if (mode & 4)		/* the WAL cut short */
		walen = walen * (mode >> 5) / 8;
	put(&f[0], f[0].len);
	put(&f[2], f[2].len);
	if (mode & 8)
		unlink(f[1].path);
	else
		put(&f[1], walen);
	if (!(mode & 16))
		unlink(shm);

	opts(&o);
	st = pms_store_open(&s, &o);
	if (st == PMS_OK) {
		memset(&rep, 0, sizeof(rep));
		st = pms_store_check(s, &rep);
		if (st == PMS_OK && pms_store_schema_version(s, &version) !=
		    PMS_OK)
			st = PMS_ETAMPER;
		pms_store_close(s);
	}
	if (st != PMS_OK) {
		if (st == PMS_EINTERNAL || st == PMS_ENOMEM || st == PMS_EUSAGE)
			abort();
		if (*pms_errmsg() == '\0')
			abort();
	}
	for (i = 0; i < 3; i++)
		free(f[i].bytes);
	return 0;
}
