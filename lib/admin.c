/*
 * admin.c: who may open a store, and the store as a whole -- users and
 * cron key files (slots), the keyring cache, rekey, backup and restore.
 *
 * Slot edits happen under the slot file's own lock (keys.lock): the file
 * is read again, checked with the data key, changed, written atomically,
 * and the change is recorded (public keys, serial, access log) in the
 * store in the same breath.  Rekey takes the store lock exclusively and
 * swaps in a copy under a new key (STORE.md 4.7); a crash at any point
 * leaves a store that opens with the key its slot file says, and
 * pms_store_open() finishes or clears a rekey that stopped half-way.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pms_int.h"
#include "vfs_crypt.h"

#define BUSY_MS		10000
#define REKEY_WAIT_MS	10000	/* others in the store: as pms-admin(1) says */
#define BACKUP_MAGIC	"PMSBAK01"

/* ---- names and roles ---------------------------------------------- */

static const char *role_names[] = { "admin", "front-desk", "clinician",
    "billing", "auditor", "reminder-bot", "portal" };

int
pms_roles_parse(const char *text, uint32_t *roles)
{
	const char *p = text, *e;
	size_t i, n;

	*roles = 0;
	while (*p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		for (i = 0; i < PMS_NELEM(role_names); i++)
			if (strlen(role_names[i]) == n &&
			    strncmp(role_names[i], p, n) == 0)
				break;
		/* "portal" is kept for later: not given out yet */
		if (i == PMS_NELEM(role_names) || strcmp(role_names[i],
		    "portal") == 0)
			return -1;
		*roles |= 1u << i;
		p += n;
		if (*p == ',')
			p++;
	}
	return *roles != 0 ? 0 : -1;
}

int
pms_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > PMS_LABEL_MAX || name[0] == '-' || name[0] == '.' ||
	    strcmp(name, "recovery") == 0)	/* the recovery slot's name */
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    strchr("._-@", name[i]) != NULL))
			return 0;
	return 1;
}

/*
 * The slot whose name is name but for ASCII case ("Bob" for "bob"), or
 * NULL: a new name must differ from every other in more than case, and
 * from "recovery" too, so that no two slots are told apart by case
 * alone in the access log or a user list.
 */
static const char *
name_clash(struct pms_slotfile *sf, const char *name)
{
	size_t i;

	if (strcasecmp(name, "recovery") == 0)
		return "recovery";
	for (i = 0; i < sf->nslots; i++)
		if (strcasecmp(sf->slots[i].label, name) == 0)
			return sf->slots[i].label;
	return NULL;
}

/* ---- slot edits ---------------------------------------------------- */

/* Take the slot file's lock and read it afresh, checked with our key. */
static enum pms_status
edit_begin(struct pms_store *s, struct pms_slotfile *sf, int *fd)
{
	enum pms_status st;

	if ((*fd = pms_lock_open(s->lockdir, "keys.lock")) == -1)
		return pms_seterr(PMS_EIO, "%s: %s", s->lockdir,
		    strerror(errno));
	if (pms_lock_wait(*fd, LOCK_EX, BUSY_MS) == -1) {
		close(*fd);
		*fd = -1;
		return pms_seterr(PMS_EBUSY, "the slot file is being changed; "
		    "try again");
	}
	if ((st = pms_keys_read(s->kpath, sf)) != PMS_OK ||
	    (st = pms_keys_verify(sf, s->u->dek)) != PMS_OK) {
		close(*fd);
		*fd = -1;
		return st;
	}
	if (memcmp(sf->file_id, s->file_id, 8) != 0) {
		close(*fd);
		*fd = -1;
		return pms_seterr(PMS_EBUSY, "the store was rekeyed meanwhile; "
		    "try again");
	}
	return PMS_OK;
}

/*
 * Write the changed slot file and record it in the store: the new slot's
 * public keys (if any), the file's serial and an access log entry.  The
 * slot file goes first: should the store's commit then fail, the missing
 * public keys are added when that slot next opens the store.
 */
static enum pms_status
edit_commit(struct pms_store *s, struct pms_slotfile *sf,
    const struct pms_slot *added, const char *action, const char *fields)
{
	enum pms_status st;

	if ((st = pms_store_begin(s)) != PMS_OK)
		return st;
	if ((st = pms_keys_write(s->kpath, sf, s->u->dek)) != PMS_OK)
		goto fail;
	if (added != NULL && (st = pms_store_record_slot(s, added)) != PMS_OK)
		goto fail;
	if ((st = pms_store_set_meta(s, "keys_serial", sf->serial)) !=
	    PMS_OK ||
	    (st = pms_audit_append(s, action, fields, NULL, 0)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
fail:
	pms_store_rollback(s);
	return st;
}

enum pms_status
pms_user_add(struct pms_store *s, const char *name, uint32_t roles,
    enum pms_kdf kdf, pms_pass_fn *newpass, void *arg)
{
	struct pms_store_opts o;
	struct pms_slotfile *sf;
	unsigned char *seed = NULL;
	const char *other;
	char *pass = NULL, prompt[128];
	size_t len;
	int fd = -1;
	enum pms_status st;

	if ((st = pms_rights_need(s, "admin.user.add")) != PMS_OK)
		return st;
	if (!pms_name_valid(name))
		return pms_seterr(PMS_EDATA, "user name \"%s\" is not valid: "
		    "letters, digits, \".\", \"_\", \"-\", \"@\" (and "
		    "\"recovery\" is taken)", name);
	if ((sf = malloc(sizeof(*sf))) == NULL ||
	    (seed = sodium_malloc(32)) == NULL) {
		free(sf);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if ((st = edit_begin(s, sf, &fd)) != PMS_OK)
		goto out;
	if (pms_keys_find(sf, name) != NULL) {
		st = pms_seterr(PMS_EREFUSED, "user \"%s\" exists", name);
		goto out;
	}
	if ((other = name_clash(sf, name)) != NULL) {
		st = pms_seterr(PMS_EREFUSED, "user \"%s\" is \"%s\" but for "
		    "case: names must differ in more than case", name, other);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.pass = newpass;
	o.pass_arg = arg;
	snprintf(prompt, sizeof(prompt), "New passphrase for %s: ", name);
	if ((st = pms_get_pass(&o, prompt, 1, &pass, &len)) != PMS_OK)
		goto out;
	if ((st = pms_pass_policy(pass, len)) != PMS_OK)
		goto out;
	randombytes_buf(seed, 32);
	if ((st = pms_keys_slot_add(sf, PMS_SLOT_PASSPHRASE, name, roles,
	    s->u->dek, seed, pass, len, kdf)) != PMS_OK)
		goto out;
	st = edit_commit(s, sf, &sf->slots[sf->nslots - 1], "user.add",
	    "name,roles");
out:
	if (fd != -1)
		close(fd);
	if (pass != NULL)
		sodium_free(pass);
	sodium_free(seed);
	sodium_memzero(sf, sizeof(*sf));
	free(sf);
	return st;
}

enum pms_status
pms_keyfile_create(struct pms_store *s, const char *name, uint32_t roles,
    const char *out)
{
	struct pms_slotfile *sf;
	unsigned char *seed;
	const char *other;
	int fd = -1, made = 0;
	enum pms_status st;

	if ((st = pms_rights_need(s, "admin.keyfile.create")) != PMS_OK)
		return st;
	if (!pms_name_valid(name))
		return pms_seterr(PMS_EDATA, "key file name \"%s\" is not "
		    "valid: letters, digits, \".\", \"_\", \"-\", \"@\"", name);
	if ((sf = malloc(sizeof(*sf))) == NULL ||
	    (seed = sodium_malloc(32)) == NULL) {
		free(sf);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if ((st = edit_begin(s, sf, &fd)) != PMS_OK)
		goto out;
	if (pms_keys_find(sf, name) != NULL) {
		st = pms_seterr(PMS_EREFUSED, "a slot named \"%s\" exists",
		    name);
		goto out;
	}
	if ((other = name_clash(sf, name)) != NULL) {
		st = pms_seterr(PMS_EREFUSED, "key file name \"%s\" is \"%s\" "
		    "but for case: names must differ in more than case", name,
		    other);
		goto out;
	}
	randombytes_buf(seed, 32);
	if ((st = pms_keyfile_write(out, name, seed)) != PMS_OK)
		goto out;
	made = 1;
	if ((st = pms_keys_slot_add(sf, PMS_SLOT_KEYFILE, name, roles,
	    s->u->dek, seed, NULL, 0, PMS_KDF_INTERACTIVE)) != PMS_OK)
		goto out;
	st = edit_commit(s, sf, &sf->slots[sf->nslots - 1], "keyfile.create",
	    "name,roles");
out:
	if (st != PMS_OK && made)
		unlink(out);
	if (fd != -1)
		close(fd);
	sodium_free(seed);
	sodium_memzero(sf, sizeof(*sf));
	free(sf);
	return st;
}

/* Does any passphrase slot but skip hold the admin role? */
static int
other_admin(const struct pms_slotfile *sf, const struct pms_slot *skip)
{
	size_t i;

	for (i = 0; i < sf->nslots; i++)
		if (&sf->slots[i] != skip &&
		    sf->slots[i].type == PMS_SLOT_PASSPHRASE &&
		    (sf->slots[i].roles & PMS_ROLE_ADMIN) != 0)
			return 1;
	return 0;
}

enum pms_status
pms_user_remove(struct pms_store *s, const char *name)
{
	struct pms_slotfile *sf;
	struct pms_slot *slot;
	size_t i;
	int fd = -1;
	enum pms_status st;

	if ((st = pms_rights_need(s, "admin.user.remove")) != PMS_OK)
		return st;
	if ((sf = malloc(sizeof(*sf))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((st = edit_begin(s, sf, &fd)) != PMS_OK)
		goto out;
	if ((slot = pms_keys_find(sf, name)) == NULL) {
		st = pms_seterr(PMS_EREFUSED, "no user \"%s\"", name);
		goto out;
	}
	if (slot->type == PMS_SLOT_RECOVERY) {
		st = pms_seterr(PMS_EREFUSED, "the recovery slot cannot be "
		    "removed");
		goto out;
	}
	if ((slot->roles & PMS_ROLE_ADMIN) != 0 &&
	    slot->type == PMS_SLOT_PASSPHRASE && !other_admin(sf, slot)) {
		st = pms_seterr(PMS_EREFUSED, "\"%s\" is the last admin: add "
		    "another admin first", name);
		goto out;
	}
	i = (size_t)(slot - sf->slots);
	memmove(&sf->slots[i], &sf->slots[i + 1],
	    (sf->nslots - i - 1) * sizeof(sf->slots[0]));
	sf->nslots--;
	st = edit_commit(s, sf, NULL, "user.remove", "name");
out:
	if (fd != -1)
		close(fd);
	sodium_memzero(sf, sizeof(*sf));
	free(sf);
	return st;
}

enum pms_status
pms_user_role(struct pms_store *s, const char *name, uint32_t roles)
{
	struct pms_slotfile *sf;
	struct pms_slot *slot;
	int fd = -1;
	enum pms_status st;

	if ((st = pms_rights_need(s, "admin.user.role")) != PMS_OK)
		return st;
	if (roles == 0 || (roles & PMS_ROLE_PORTAL) != 0)
		return pms_seterr(PMS_EUSAGE, "roles: at least one, and not "
		    "portal (kept for later)");
	if ((sf = malloc(sizeof(*sf))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((st = edit_begin(s, sf, &fd)) != PMS_OK)
		goto out;
	if ((slot = pms_keys_find(sf, name)) == NULL) {
		st = pms_seterr(PMS_EREFUSED, "no user \"%s\"", name);
		goto out;
	}
	if (slot->type == PMS_SLOT_RECOVERY) {
		st = pms_seterr(PMS_EREFUSED, "the recovery slot keeps the "
		    "admin role");
		goto out;
	}
	if ((slot->roles & PMS_ROLE_ADMIN) != 0 &&
	    (roles & PMS_ROLE_ADMIN) == 0 &&
	    slot->type == PMS_SLOT_PASSPHRASE && !other_admin(sf, slot)) {
		st = pms_seterr(PMS_EREFUSED, "\"%s\" is the last admin: make "
		    "another user an admin first", name);
		goto out;
	}
	/* the slot file's MAC covers the roles: only a key holder edits */
	slot->roles = roles;
	st = edit_commit(s, sf, NULL, "user.role", "roles");
out:
	if (fd != -1)
		close(fd);
	sodium_memzero(sf, sizeof(*sf));
	free(sf);
	return st;
}

/*
 * A new passphrase.  For one's own slot the seed is unwrapped with the
 * current passphrase and wrapped again: same slot, same keys.  An admin
 * who resets another user's passphrase cannot know that user's seed, so
 * the slot is replaced by a new one (new keys, same name and roles); the
 * old public keys stay in the store, so old entries still verify.
 */
enum pms_status
pms_user_passwd(struct pms_store *s, const char *name, enum pms_kdf kdf,
    const struct pms_store_opts *cur, pms_pass_fn *newpass, void *arg)
{
	struct pms_store_opts o;
	struct pms_slotfile *sf;
	struct pms_slot *slot, keep;
	unsigned char *seed = NULL;
	char *pass = NULL, *old = NULL, prompt[128];
	size_t len, oldlen, i;
	int fd = -1, self;
	enum pms_status st;

	if (name == NULL)
		name = s->u->label;
	self = strcmp(name, s->u->label) == 0;
	if ((st = pms_rights_need(s, self ? "admin.user.passwd" :
	    "admin.user.reset")) != PMS_OK)
		return st;
	if ((sf = malloc(sizeof(*sf))) == NULL ||
	    (seed = sodium_malloc(32)) == NULL) {
		free(sf);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if ((st = edit_begin(s, sf, &fd)) != PMS_OK)
		goto out;
	if ((slot = pms_keys_find(sf, name)) == NULL ||
	    slot->type != PMS_SLOT_PASSPHRASE) {
		st = pms_seterr(PMS_EREFUSED, "no passphrase user \"%s\"",
		    name);
		goto out;
	}
	if (self && s->seed != NULL && s->slot.id == slot->id) {
		memcpy(seed, s->seed, 32);	/* just unwrapped at open */
	} else if (self) {
		snprintf(prompt, sizeof(prompt), "Current passphrase for %s: ",
		    name);
		if ((st = pms_get_pass(cur, prompt, 0, &old, &oldlen)) !=
		    PMS_OK)
			goto out;
		if ((st = pms_keys_unwrap(slot, old, oldlen, seed)) != PMS_OK)
			goto out;
	} else {
		randombytes_buf(seed, 32);
	}
	memset(&o, 0, sizeof(o));
	o.pass = newpass;
	o.pass_arg = arg;
	snprintf(prompt, sizeof(prompt), "New passphrase for %s: ", name);
	if ((st = pms_get_pass(&o, prompt, 1, &pass, &len)) != PMS_OK)
		goto out;
	if ((st = pms_pass_policy(pass, len)) != PMS_OK)
		goto out;
	if (self) {
		st = pms_keys_rewrap(slot, seed, pass, len, kdf);
	} else {
		keep = *slot;
		i = (size_t)(slot - sf->slots);
		memmove(&sf->slots[i], &sf->slots[i + 1],
		    (sf->nslots - i - 1) * sizeof(sf->slots[0]));
		sf->nslots--;
		st = pms_keys_slot_add(sf, PMS_SLOT_PASSPHRASE, name,
		    keep.roles, s->u->dek, seed, pass, len, kdf);
	}
	if (st != PMS_OK)
		goto out;
	st = edit_commit(s, sf, self ? NULL : &sf->slots[sf->nslots - 1],
	    self ? "user.passwd" : "user.reset", "passphrase");
out:
	if (fd != -1)
		close(fd);
	if (pass != NULL)
		sodium_free(pass);
	if (old != NULL)
		sodium_free(old);
	sodium_free(seed);
	sodium_memzero(sf, sizeof(*sf));
	free(sf);
	return st;
}

/* ---- the keyring --------------------------------------------------- */

enum pms_status
pms_store_cache(struct pms_store *s, unsigned secs)
{
	if (pms_keyring_put(s->file_id, s->u, secs) == -1)
		return pms_seterr(PMS_EREFUSED, "the kernel keyring cannot be "
		    "used here: each program will ask for the passphrase");
	return PMS_OK;
}

int
pms_keyring_is_shared(void)
{
	return pms_keyring_shared();
}

enum pms_status
pms_store_uncache(const struct pms_store_opts *o)
{
	struct pms_slotfile *sf;
	struct pms_slot *slot;
	char *kpath;
	const char *user;
	enum pms_status st = PMS_OK;

	if (o->path == NULL || *o->path == '\0')
		return pms_seterr(PMS_EUSAGE,
		    "no store given: use --store PATH or set PMS_STORE");
	if ((user = pms_default_user(o->user)) == NULL)
		return pms_seterr(PMS_EUSAGE, "no user: use --user");
	/* a store that is not there is told as status and check tell it */
	if (access(o->path, F_OK) == -1 && (errno == ENOENT ||
	    errno == ENOTDIR))
		return pms_seterr(PMS_ENOINPUT, "%s: no such store", o->path);
	if ((kpath = pms_str_fmt("%s.keys", o->path)) == NULL ||
	    (sf = malloc(sizeof(*sf))) == NULL) {
		free(kpath);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if ((st = pms_keys_read(kpath, sf)) == PMS_OK &&
	    (slot = pms_keys_find(sf, user)) != NULL)
		pms_keyring_drop(sf->file_id, slot->id);
	free(sf);
	free(kpath);
	return st;
}

/* ---- copies of a store under another key --------------------------- */

/*
 * Copy the store s into a new database at path, sealed with dek under
 * file id fid, through the backup API in one step (so writers cannot
 * restart it), then check every page of the copy and fold its WAL in.
 * Returns the open copy in *tp.
 */
static enum pms_status
copy_store(struct pms_store *s, const char *path, int mode,
    const unsigned char *dek, const unsigned char fid[8],
    struct pms_store **tp)
{
	struct pms_vfs_verify v;
	struct pms_store *t;
	sqlite3_backup *b;
	enum pms_status st;
	int fd, rc;

	*tp = NULL;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1)
		return pms_seterr(errno == EEXIST ? PMS_EREFUSED : PMS_EIO,
		    "%s: %s", path, strerror(errno));
	(void)fchmod(fd, (mode_t)mode);
	close(fd);
	if ((t = pms_store_new(path, s->program)) == NULL) {
		unlink(path);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	*tp = t;
	*t->u = *s->u;
	memcpy(t->u->dek, dek, 32);
	t->slot = s->slot;
	memcpy(t->file_id, fid, 8);
	if ((st = pms_store_open_db(t, fid, 1)) != PMS_OK)
		return st;
	if ((b = sqlite3_backup_init(t->db, "main", s->db, "main")) == NULL)
		return pms_store_sqlerr(t, sqlite3_errcode(t->db), "copying");
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	/* a read of the store would have failed at its open: the copy */
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(t, rc, "copying the store");
	if ((st = pms_exec(t, "PRAGMA journal_mode=WAL", "copying")) != PMS_OK)
		return st;
	rc = sqlite3_file_control(t->db, "main", PMS_FCNTL_VERIFY, &v);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(t, rc, "checking the copy");
	return PMS_OK;
}

/* Fold the copy's WAL in and close it, leaving one self-contained file. */
static enum pms_status
close_copy(struct pms_store *t)
{
	char buf[PATH_MAX];
	enum pms_status st;

	st = pms_exec(t, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint");
	pms_store_stmts_clear(t);
	if (st == PMS_OK && sqlite3_close(t->db) != SQLITE_OK)
		st = pms_seterr(PMS_EINTERNAL, "closing the copy");
	t->db = NULL;
	snprintf(buf, sizeof(buf), "%s-wal", t->path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-shm", t->path);
	unlink(buf);
	return st;
}

static void
remove_copy(struct pms_store *t)
{
	char buf[PATH_MAX];

	if (t == NULL)
		return;
	if (t->db != NULL) {
		pms_store_stmts_clear(t);
		sqlite3_close(t->db);
		t->db = NULL;
	}
	unlink(t->path);
	snprintf(buf, sizeof(buf), "%s-wal", t->path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-shm", t->path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-journal", t->path);
	unlink(buf);
}

static enum pms_status
integrity(struct pms_store *t)
{
	sqlite3_stmt *st;
	const unsigned char *txt;
	enum pms_status ps = PMS_OK;
	int rc;

	rc = sqlite3_prepare_v2(t->db, "PRAGMA integrity_check(1)", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(t, rc, "integrity check");
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		ps = pms_store_sqlerr(t, rc, "integrity check");
	else if ((txt = sqlite3_column_text(st, 0)) == NULL ||
	    strcmp((const char *)txt, "ok") != 0)
		ps = pms_seterr(PMS_ETAMPER, "the copy failed its integrity "
		    "check: %s", txt != NULL ? (const char *)txt : "?");
	sqlite3_finalize(st);
	return ps;
}

/* Upgrade our shared store lock to exclusive: nobody else is in. */
static enum pms_status
lock_exclusive(struct pms_store *s)
{
	if (pms_lock_wait(s->lockfd, LOCK_EX, REKEY_WAIT_MS) == -1) {
		flock(s->lockfd, LOCK_SH);
		return pms_seterr(PMS_EBUSY, "others are using the store: try "
		    "again when they are done");
	}
	return PMS_OK;
}

enum pms_status
pms_store_rekey(struct pms_store *s)
{
	struct pms_slotfile *sf = NULL;
	struct pms_store *t = NULL;
	unsigned char fid[8], *dek = NULL, old_fid[8];
	char *rpath = NULL, *npath = NULL, buf[PATH_MAX];
	sqlite3_int64 busy;
	uint32_t id;
	int kfd = -1, swapped = 0;
	enum pms_status st;

	if ((st = pms_rights_need(s, "admin.rekey")) != PMS_OK)
		return st;
	if ((rpath = pms_str_fmt("%s.rekey", s->path)) == NULL ||
	    (npath = pms_str_fmt("%s.keys.new", s->path)) == NULL ||
	    (sf = malloc(sizeof(*sf))) == NULL ||
	    (dek = sodium_malloc(32)) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	if ((st = lock_exclusive(s)) != PMS_OK)
		goto out;
	if ((st = edit_begin(s, sf, &kfd)) != PMS_OK)
		goto unlock;
	unlink(rpath);
	unlink(npath);
	if ((st = pms_query_int(s, "PRAGMA wal_checkpoint(TRUNCATE)", &busy)) !=
	    PMS_OK)
		goto unlock;
	if (busy) {
		st = pms_seterr(PMS_EBUSY, "the store is busy; try again");
		goto unlock;
	}
	randombytes_buf(dek, 32);
	randombytes_buf(fid, 8);
	if ((st = copy_store(s, rpath, 0660, dek, fid, &t)) != PMS_OK ||
	    (st = integrity(t)) != PMS_OK)
		goto unlock;
	sf->generation++;
	memcpy(sf->file_id, fid, 8);
	pms_keys_reseal(sf, dek, 0);
	if ((st = pms_store_begin(t)) != PMS_OK)
		goto unlock;
	if ((st = pms_store_set_meta(t, "generation", sf->generation)) !=
	    PMS_OK ||
	    (st = pms_store_set_meta(t, "keys_serial", sf->serial + 1)) !=
	    PMS_OK ||
	    (st = pms_audit_append(t, "store.rekey", "", NULL, 0)) != PMS_OK) {
		pms_store_rollback(t);
		goto unlock;
	}
	if ((st = pms_store_commit(t)) != PMS_OK ||
	    (st = close_copy(t)) != PMS_OK)
		goto unlock;
	/* the new slot file waits beside the old one until the swap */
	if ((st = pms_keys_write(npath, sf, dek)) != PMS_OK)
		goto unlock;
	pms_store_stmts_clear(s);
	sqlite3_close(s->db);		/* the WAL is empty: nothing lost */
	s->db = NULL;
	snprintf(buf, sizeof(buf), "%s-wal", s->path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-shm", s->path);
	unlink(buf);
	if (rename(rpath, s->path) == -1) {
		st = pms_seterr(PMS_EIO, "%s: %s", s->path, strerror(errno));
		goto reopen;
	}
	swapped = 1;
	pms_sync_dir(s->path);
	if (rename(npath, s->kpath) == -1) {
		/* the next open finishes this (settle_rekey) */
		st = pms_seterr(PMS_EIO, "%s: %s", s->kpath, strerror(errno));
		goto reopen;
	}
	pms_sync_dir(s->kpath);
	st = PMS_OK;
reopen:
	if (swapped) {
		memcpy(old_fid, s->file_id, 8);
		memcpy(s->u->dek, dek, 32);
		memcpy(s->file_id, fid, 8);
		/*
		 * Every cached key of the old file id this session holds,
		 * of every slot there was (removed ones too): they open
		 * only copies from before the rekey, and must not linger.
		 */
		for (id = 0; id <= sf->next_id; id++) {
			pms_keyring_drop(old_fid, id);
			if (id == UINT32_MAX)
				break;
		}
	}
	pms_vfs_key_remove(s->handle);
	s->have_handle = 0;
	if (pms_store_open_db(s, s->file_id, 0) != PMS_OK && st == PMS_OK)
		st = PMS_EIO;
unlock:
	if (t != NULL && !swapped)
		remove_copy(t);
	if (!swapped)
		unlink(npath);
	pms_store_free(t);
	if (kfd != -1)
		close(kfd);
	flock(s->lockfd, LOCK_SH);
out:
	if (dek != NULL)
		sodium_free(dek);
	if (sf != NULL)
		sodium_memzero(sf, sizeof(*sf));
	free(sf);
	free(rpath);
	free(npath);
	return st;
}

/* ---- backup and restore ------------------------------------------- */

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Write all n bytes of p to fd: 0, or -1 with errno (ENOSPC for a
 * write that stopped short without one). */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	ssize_t w;

	while (n > 0) {
		errno = 0;
		if ((w = write(fd, b, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (errno == 0)
				errno = ENOSPC;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Append the whole file src to fd. */
static int
append_file(int fd, const char *src)
{
	char buf[65536];
	ssize_t n;
	int in;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)n) == -1) {
			close(in);
			return -1;
		}
	close(in);
	return n == 0 ? 0 : -1;
}

/*
 * A message about the file tmp said of the file the user named instead:
 * "b.bak.tmpA1b2C3: copying the store: disk full" is "b.bak: copying
 * the store: disk full".  Returns st.
 */
static enum pms_status
retarget(enum pms_status st, const char *tmp, const char *name)
{
	char msg[1024];
	size_t n = strlen(tmp);

	snprintf(msg, sizeof(msg), "%s", pms_errmsg());
	if (strncmp(msg, tmp, n) == 0)
		return pms_seterr(st, "%s%s", name, msg + n);
	return st;
}

/* A unique name beside path ("path.tmpXXXXXX"): made (0600) and, with
 * keep 0, removed again for the caller to create.  NULL on failure,
 * errno set; the caller frees. */
static char *
temp_name(const char *path, const char *what, int keep, int *fdp)
{
	char *t;
	int fd;

	if ((t = pms_str_fmt(what, path)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if ((fd = mkostemp(t, O_CLOEXEC)) == -1) {
		free(t);
		return NULL;
	}
	(void)fchmod(fd, 0600);
	if (keep) {
		*fdp = fd;
		return t;
	}
	close(fd);
	unlink(t);
	return t;
}

/*
 * The backup file: "PMSBAK01", the length of the slot section, the slot
 * section (every slot, the backup's own data key sealed only to the
 * recovery key and the admins), then the database sealed under that key.
 */
enum pms_status
pms_store_backup(struct pms_store *s, const char *out)
{
	struct pms_slotfile *sf = NULL;
	struct pms_store *t = NULL;
	unsigned char fid[8], *dek = NULL, *slots = NULL, head[12];
	char *tpath = NULL, *part = NULL, dir[PATH_MAX];
	size_t nslots;
	int kfd = -1, fd = -1;
	enum pms_status st;

	if ((st = pms_rights_need(s, "admin.backup")) != PMS_OK)
		return st;
	if (access(out, F_OK) == 0)
		return pms_seterr(PMS_EREFUSED, "%s already exists", out);
	/* where it goes, told in the name the user gave */
	snprintf(dir, sizeof(dir), "%s", out);
	if (access(dirname(dir), W_OK) == -1)
		return pms_seterr(errno == ENOENT ? PMS_ENOINPUT : PMS_EIO,
		    "%s: %s", out, strerror(errno));
	if ((sf = malloc(sizeof(*sf))) == NULL ||
	    (dek = sodium_malloc(32)) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * Temp files of unique names: one a killed backup left behind
	 * stops no later backup (and is only ever ciphertext, 0600).
	 */
	if ((tpath = temp_name(out, "%s.tmpXXXXXX", 0, NULL)) == NULL ||
	    (part = temp_name(out, "%s.partXXXXXX", 1, &fd)) == NULL) {
		st = pms_seterr(PMS_EIO, "%s: %s", out, strerror(errno));
		goto out;
	}
	if ((st = edit_begin(s, sf, &kfd)) != PMS_OK)
		goto out;
	close(kfd);
	kfd = -1;
	randombytes_buf(dek, 32);
	randombytes_buf(fid, 8);
	memcpy(sf->file_id, fid, 8);
	sf->generation = 1;
	pms_keys_reseal(sf, dek, PMS_ROLE_ADMIN);
	if ((st = pms_keys_encode(sf, dek, &slots, &nslots)) != PMS_OK)
		goto out;
	if ((st = copy_store(s, tpath, 0600, dek, fid, &t)) != PMS_OK ||
	    (st = close_copy(t)) != PMS_OK) {
		st = retarget(st, tpath, out);
		goto out;
	}
	memcpy(head, BACKUP_MAGIC, 8);
	put32(head + 8, (uint32_t)nslots);
	errno = 0;
	if (write_all(fd, head, sizeof(head)) == -1 ||
	    write_all(fd, slots, nslots) == -1 ||
	    append_file(fd, tpath) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1) {
		st = pms_seterr(PMS_EIO, "%s: %s", out, strerror(errno != 0 ?
		    errno : EIO));
		fd = -1;
		unlink(part);
		goto out;
	}
	fd = -1;
	if (rename(part, out) == -1) {
		st = pms_seterr(PMS_EIO, "%s: %s", out, strerror(errno));
		unlink(part);
		goto out;
	}
	pms_sync_dir(out);
	if ((st = pms_store_begin(s)) == PMS_OK) {
		if ((st = pms_audit_append(s, "store.backup", "", NULL, 0)) !=
		    PMS_OK)
			pms_store_rollback(s);
		else
			st = pms_store_commit(s);
	}
out:
	if (fd != -1) {
		close(fd);
		unlink(part);
	}
	if (kfd != -1)
		close(kfd);
	remove_copy(t);
	pms_store_free(t);
	free(slots);
	if (dek != NULL)
		sodium_free(dek);
	if (sf != NULL)
		sodium_memzero(sf, sizeof(*sf));
	free(sf);
	free(tpath);
	free(part);
	return st;
}

/* Read a backup's slot section and split its database off into dbpath;
 * messages about dbpath name name, the store being restored. */
static enum pms_status
backup_read(const char *file, struct pms_slotfile *sf, const char *dbpath,
    const char *name)
{
	unsigned char head[12], *slots = NULL;
	char buf[65536];
	uint32_t n;
	ssize_t r;
	int in, out = -1;
	enum pms_status st;

	if ((in = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return pms_seterr(errno == ENOENT ? PMS_ENOINPUT : PMS_EIO,
		    "%s: %s", file, strerror(errno));
	st = pms_seterr(PMS_EDATA, "%s: not a pms backup", file);
	if (read(in, head, sizeof(head)) != (ssize_t)sizeof(head) ||
	    memcmp(head, BACKUP_MAGIC, 8) != 0)
		goto out;
	n = get32(head + 8);
	if (n > 1 << 20 || (slots = malloc(n)) == NULL ||
	    read(in, slots, n) != (ssize_t)n)
		goto out;
	if ((st = pms_keys_parse(slots, n, sf)) != PMS_OK) {
		st = pms_seterr(PMS_ETAMPER, "%s: the backup is damaged", file);
		goto out;
	}
	if ((out = open(dbpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		st = pms_seterr(PMS_EIO, "%s: %s", name, strerror(errno));
		goto out;
	}
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)r) == -1)
			break;
	if (r != 0 || fsync(out) == -1 || close(out) == -1) {
		st = pms_seterr(PMS_EIO, "%s: %s", r < 0 ? file : name,
		    strerror(errno != 0 ? errno : EIO));
		out = -1;
		goto out;
	}
	out = -1;
	st = PMS_OK;
out:
	if (out != -1)
		close(out);
	close(in);
	free(slots);
	return st;
}

enum pms_status
pms_store_restore(const char *file, const char *to,
    const struct pms_store_opts *o)
{
	struct pms_slotfile *sf = NULL;
	struct pms_store *b = NULL, *t = NULL;
	struct pms_slot *slot;
	struct pms_vfs_verify v;
	unsigned char bfid[8], fid[8], *seed = NULL, *dek = NULL;
	char *bpath = NULL, *kpath = NULL, *lockdir = NULL, dir[PATH_MAX];
	struct stat sb;
	int done = 0, need_pass;
	enum pms_status st;

	if (to == NULL || *to == '\0')
		return pms_seterr(PMS_EUSAGE, "restore: --to PATH is needed");
	snprintf(dir, sizeof(dir), "%s", to);
	if (stat(dirname(dir), &sb) == -1 || !S_ISDIR(sb.st_mode))
		return pms_seterr(PMS_ENOINPUT, "%s: no such directory", dir);
	if (access(to, F_OK) == 0)
		return pms_seterr(PMS_EREFUSED, "%s already exists", to);
	if ((bpath = pms_str_fmt("%s.restore", to)) == NULL ||
	    (kpath = pms_str_fmt("%s.keys", to)) == NULL ||
	    (lockdir = pms_str_fmt("%s.lock.d", to)) == NULL ||
	    (sf = malloc(sizeof(*sf))) == NULL ||
	    (seed = sodium_malloc(32)) == NULL ||
	    (dek = sodium_malloc(32)) == NULL ||
	    (b = pms_store_new(bpath, o->program)) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	if (access(kpath, F_OK) == 0) {
		st = pms_seterr(PMS_EREFUSED, "%s already exists", kpath);
		goto out;
	}
	unlink(bpath);
	if ((st = backup_read(file, sf, bpath, to)) != PMS_OK)
		goto out;
	memcpy(bfid, sf->file_id, 8);
	/* who restores: the recovery key, or an admin of the backup */
	if ((st = pms_slot_resolve(o, sf, seed, &slot, &need_pass)) != PMS_OK ||
	    (need_pass && (st = pms_slot_unwrap(o, slot, seed)) != PMS_OK))
		goto out;
	if ((st = pms_keys_unlock(sf, slot, seed, b->u)) != PMS_OK) {
		if (st == PMS_EDENIED)
			st = pms_seterr(PMS_EDENIED, "only an admin or the "
			    "recovery key can restore a backup");
		goto out;
	}
	b->slot = *slot;
	memcpy(b->file_id, bfid, 8);
	/* the backup, not a store: said so, of the file given */
	if ((st = pms_store_open_db(b, bfid, 0)) != PMS_OK)
		goto damaged;
	if (sqlite3_file_control(b->db, "main", PMS_FCNTL_VERIFY, &v) !=
	    SQLITE_OK) {
		st = pms_seterr(PMS_ETAMPER, "%s: the backup is damaged or has "
		    "been tampered with: page %u failed authentication", file,
		    v.bad_pgno);
		goto out;
	}
	if ((st = integrity(b)) != PMS_OK)
		goto damaged;
	if ((st = pms_make_lockdir(lockdir)) != PMS_OK)
		goto out;
	randombytes_buf(dek, 32);
	randombytes_buf(fid, 8);
	if ((st = copy_store(b, to, 0660, dek, fid, &t)) != PMS_OK)
		goto out;
	memcpy(sf->file_id, fid, 8);
	sf->generation = 1;
	sf->serial = 0;
	pms_keys_reseal(sf, dek, 0);
	if ((st = pms_keys_write(kpath, sf, dek)) != PMS_OK)
		goto out;
	if ((st = pms_store_begin(t)) != PMS_OK)
		goto out;
	if ((st = pms_store_set_meta(t, "generation", sf->generation)) !=
	    PMS_OK ||
	    (st = pms_store_set_meta(t, "keys_serial", sf->serial)) != PMS_OK ||
	    (st = pms_audit_append(t, "store.restore", "", NULL, 0)) !=
	    PMS_OK) {
		pms_store_rollback(t);
		goto out;
	}
	if ((st = pms_store_commit(t)) != PMS_OK || (st = close_copy(t)) !=
	    PMS_OK)
		goto out;
	done = 1;
	goto out;
damaged:
	if (st == PMS_ETAMPER || st == PMS_EIO)
		st = pms_seterr(PMS_ETAMPER, "%s: the backup is damaged or "
		    "incomplete (cut short?): it cannot be restored", file);
out:
	if (!done && t != NULL) {
		remove_copy(t);
		unlink(kpath);
		rmdir(lockdir);
	}
	pms_store_free(t);
	if (b != NULL)
		remove_copy(b);
	pms_store_free(b);
	if (seed != NULL)
		sodium_free(seed);
	if (dek != NULL)
		sodium_free(dek);
	if (sf != NULL)
		sodium_memzero(sf, sizeof(*sf));
	free(sf);
	free(bpath);
	free(kpath);
	free(lockdir);
	return st;
}
