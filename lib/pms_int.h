/*
 * pms_int.h: what the modules of libpms share and the programs never
 * see: error setting, the store's insides, the slot file.
 */
#ifndef PMS_INT_H
#define PMS_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "pms.h"

/* Set the message of the current failure and return st. */
enum pms_status	 pms_seterr(enum pms_status st, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* The status the last pms_seterr() was given (for a callback that can
 * return only -1, as pms_pass_fn). */
enum pms_status	 pms_errstatus(void);

/* ---- the slot file (keys.c) ---- */

#define PMS_SLOT_PASSPHRASE	1
#define PMS_SLOT_KEYFILE	2
#define PMS_SLOT_RECOVERY	3
#define PMS_MAX_SLOTS		64
#define PMS_LABEL_MAX		64
#define PMS_SEALED_LEN		(48 + 44)	/* box seal of dek|id|gen */

struct pms_slot {
	uint32_t	 id;
	uint8_t		 type;
	uint32_t	 roles;
	uint64_t	 opslimit;
	uint64_t	 memlimit;
	unsigned char	 salt[16];
	unsigned char	 xpk[32];	/* X25519: the data key is sealed to it */
	unsigned char	 epk[32];	/* Ed25519: audit signatures */
	unsigned char	 nonce[24];
	unsigned char	 wrapped[48];	/* the seed under the passphrase KEK */
	unsigned char	 sealed[PMS_SEALED_LEN];
	char		 label[PMS_LABEL_MAX + 1];
};

struct pms_slotfile {
	unsigned char	 file_id[8];
	uint32_t	 generation;	/* of the data key */
	uint32_t	 serial;	/* bumped at every rewrite */
	uint32_t	 next_id;
	unsigned char	 kcv[16];
	size_t		 nslots;
	struct pms_slot	 slots[PMS_MAX_SLOTS];
	unsigned char	 mac[32];
};

/* What an unlocked slot gives: in sodium_malloc memory. */
struct pms_unlocked {
	unsigned char	 dek[32];
	unsigned char	 sign_sk[64];
	uint32_t	 slot_id;
	uint32_t	 roles;
	char		 label[PMS_LABEL_MAX + 1];
};

enum pms_status	 pms_keys_read(const char *path, struct pms_slotfile *);
enum pms_status	 pms_keys_parse(const unsigned char *, size_t,
		    struct pms_slotfile *);
/* The file's bytes, MAC under dek included; *bufp is the caller's. */
enum pms_status	 pms_keys_encode(struct pms_slotfile *,
		    const unsigned char dek[32], unsigned char **bufp,
		    size_t *lenp);
/* Seal dek to every slot (only_roles: to those and recovery only). */
void		 pms_keys_reseal(struct pms_slotfile *,
		    const unsigned char dek[32], uint32_t only_roles);
/* Write a file atomically: temp file, fsync, rename, fsync the dir. */
enum pms_status	 pms_file_replace(const char *path, const void *,
		    size_t, int mode);
int		 pms_sync_dir(const char *path);

/*
 * A temp file of an output being written (path: the caller's string,
 * kept until pms_tmp_untrack()): removed if SIGINT, SIGTERM or SIGHUP
 * ends the process first, when those are not the program's own (their
 * disposition is SIG_DFL at the first call).  Untrack before renaming
 * or freeing it.  At most 8 at a time; more are not tracked.
 */
void		 pms_tmp_track(char *path);
void		 pms_tmp_untrack(const char *path);
void		 pms_chgrp_like_dir(int fd, const char *path);
enum pms_status	 pms_keys_write(const char *path, struct pms_slotfile *,
		    const unsigned char dek[32]);
/* Add a slot sealing dek; seed is the slot's secret (made by the caller). */
enum pms_status	 pms_keys_slot_add(struct pms_slotfile *, uint8_t type,
		    const char *label, uint32_t roles,
		    const unsigned char dek[32], const unsigned char seed[32],
		    const char *pass, size_t passlen, enum pms_kdf);
struct pms_slot	*pms_keys_find(struct pms_slotfile *, const char *label);
/* Wrap a passphrase slot's seed under a new passphrase (new salt). */
enum pms_status	 pms_keys_rewrap(struct pms_slot *, const unsigned char seed[32],
		    const char *pass, size_t passlen, enum pms_kdf);
/* At least 12 characters: PMS_EDATA otherwise. */
enum pms_status	 pms_pass_policy(const char *pass, size_t len);
/* Unwrap a passphrase slot's seed. */
enum pms_status	 pms_keys_unwrap(const struct pms_slot *, const char *pass,
		    size_t passlen, unsigned char seed[32]);
/* Key files: "pms-keyfile-v1 LABEL HEXSEED", 0400, never group-readable. */
enum pms_status	 pms_keyfile_write(const char *path, const char *label,
		    const unsigned char seed[32]);
enum pms_status	 pms_keyfile_read(const char *path, unsigned char seed[32]);
/* Open the data key with a slot's seed; checks MAC and key-check value. */
enum pms_status	 pms_keys_unlock(const struct pms_slotfile *,
		    const struct pms_slot *, const unsigned char seed[32],
		    struct pms_unlocked *);
/* Check a data key against the file's key-check value and MAC. */
enum pms_status	 pms_keys_verify(const struct pms_slotfile *,
		    const unsigned char dek[32]);
/* Find the slot whose keys come from seed (recovery, key files). */
struct pms_slot	*pms_keys_find_seed(struct pms_slotfile *,
		    const unsigned char seed[32]);
/* Recovery keys: 32-byte seed <-> text with a check. */
void		 pms_recovery_encode(const unsigned char seed[32], char *out,
		    size_t size);
enum pms_status	 pms_recovery_decode(const char *text, unsigned char seed[32]);
void		 pms_keys_pubkeys(const unsigned char seed[32],
		    unsigned char xpk[32], unsigned char epk[32]);

/* ---- the kernel keyring (keyring.c): 0 on success, -1 otherwise ---- */

int		 pms_keyring_get(const unsigned char file_id[8],
		    uint32_t slot, struct pms_unlocked *);
int		 pms_keyring_put(const unsigned char file_id[8],
		    const struct pms_unlocked *, unsigned timeout);
int		 pms_keyring_drop(const unsigned char file_id[8],
		    uint32_t slot);
/* 1 if the session keyring is shared by all the user's processes. */
int		 pms_keyring_shared(void);
/* 1 if the keyring holds an entry of this store and slot (reading
 * nothing, renewing nothing), else 0. */
int		 pms_keyring_has(const unsigned char file_id[8], uint32_t slot);

/* ---- the store (store.c) ---- */

struct pms_store {
	sqlite3		*db;
	unsigned char	 file_id[8];
	struct pms_slot	 slot;		/* the slot it was opened with */
	char		*kpath;		/* the slot file */
	unsigned	 handle;	/* the VFS key handle */
	int		 have_handle;
	struct pms_unlocked *u;
	unsigned char	*seed;		/* the slot's seed, if it was unwrapped */
	char		*path;
	char		*lockdir;
	const char	*program;
	int		 lockfd;	/* shared flock while open */
	char		*emergency;	/* break-glass reason: flags entries */
	int64_t		 audit_last;	/* entry appended in this transaction */
	int64_t		 audit_latest;	/* entry appended last, in any */
	char		 export_kind[33];	/* of a read bound for a file, or "" */
	int		 held;		/* pms_store_hold() */
	int		 closed;	/* closed while held */
	int		 dry_run;	/* commits roll back (pms.h) */
	sqlite3_int64	 tx_changes;	/* total changes at BEGIN */
	sqlite3_int64	 tx_log;	/* rows of the access log since */
	struct pms_stmt_slot *stmts;	/* pms_store_prepare()'s cache */
	size_t		 nstmts, capstmts;
	struct pms_config *cfg;		/* the last configuration read */
};

/* One statement of the store's cache (pms_store_prepare). */
struct pms_stmt_slot {
	const char	*sql;		/* the caller's constant text */
	sqlite3_stmt	*st;
	int		 busy;		/* handed out, not yet finalized */
};

#define PMS_CACHE_SECS	900	/* default idle timeout of a cached key */

/*
 * COMMIT, even in a dry run: for the entries that must stay whatever
 * the command was asked (a refusal, a break-glass, the entry of a read
 * whose rows went out).  PMS_OK, or the failure, rolled back.
 */
enum pms_status	 pms_store_commit_log(struct pms_store *);
/* BEGIN DEFERRED: a read transaction, which in WAL mode blocks no
 * writer; ended by pms_store_rollback(). */
enum pms_status	 pms_store_begin_read(struct pms_store *);

enum pms_status	 pms_store_record_slot(struct pms_store *,
		    const struct pms_slot *);
enum pms_status	 pms_store_set_meta(struct pms_store *, const char *key,
		    sqlite3_int64);

/* Helpers of store.c that admin.c shares. */
char		*pms_str_fmt(const char *fmt, const char *arg);
/* 1 if code is an ISO 3166-1 alpha-2 code as assigned (upper case). */
int		 pms_country_valid(const char *code);
int		 pms_lock_open(const char *dir, const char *name);
int		 pms_lock_wait(int fd, int op, int ms);
struct pms_store *pms_store_new(const char *path, const char *program);
void		 pms_store_free(struct pms_store *);
enum pms_status	 pms_store_open_db(struct pms_store *,
		    const unsigned char file_id[8], int create);
enum pms_status	 pms_make_lockdir(const char *dir);
const char	*pms_default_user(const char *user);
enum pms_status	 pms_get_pass(const struct pms_store_opts *,
		    const char *prompt, int confirm, char **pass, size_t *len);
enum pms_status	 pms_query_int(struct pms_store *, const char *sql,
		    sqlite3_int64 *);
enum pms_status	 pms_exec(struct pms_store *, const char *sql,
		    const char *what);

/*
 * A prepared statement for sql, a constant string, from the store's
 * cache (prepared once per process with SQLITE_PREPARE_PERSISTENT):
 * returns sqlite3_prepare_v2()'s code, the statement in *stp.  A
 * statement already handed out and not yet given back (a walk that
 * calls itself) is prepared afresh, outside the cache.  Give it back
 * with pms_store_finalize(), which resets it and clears its bindings
 * (or finalizes one outside the cache); never sqlite3_finalize() it.
 */
int		 pms_store_prepare(struct pms_store *, const char *sql,
		    sqlite3_stmt **stp);
void		 pms_store_finalize(struct pms_store *, sqlite3_stmt *);
/* Finalize every cached statement: before the connection closes. */
void		 pms_store_stmts_clear(struct pms_store *);

/*
 * Which slot of sf the options name: the recovery key (given or asked),
 * a key file, or the user's passphrase slot (*need_pass: the caller
 * unwraps its seed, by pms_slot_unwrap() or from the keyring cache).
 * seed gets the slot's seed in the first two cases.
 */
enum pms_status	 pms_slot_resolve(const struct pms_store_opts *,
		    struct pms_slotfile *, unsigned char *seed,
		    struct pms_slot **, int *need_pass);
/* Ask for a passphrase slot's passphrase and unwrap its seed. */
enum pms_status	 pms_slot_unwrap(const struct pms_store_opts *,
		    const struct pms_slot *, unsigned char *seed);

/*
 * The check of pms-admin's actions (no break-glass there): PMS_OK when
 * one of the user's roles may take action, else the refusal is logged
 * and the status is PMS_EDENIED ("user \"x\" lacks the admin role").
 */
enum pms_status	 pms_rights_need(struct pms_store *, const char *action);

/* ---- the access log's insides (audit.c), for audit_log.c ---- */

#define PMS_AUDIT_HASH_LEN	32
/* The hash of one entry: prev, then every field length-prefixed, the
 * number of patients and their ids, in order. */
void		 pms_audit_entry_hash(const unsigned char *prev, int64_t id,
		    const char *at, const char *user, int64_t slot,
		    const char *program, const char *action,
		    const char *fields, const char *flag,
		    const int64_t *pids, size_t n,
		    unsigned char out[PMS_AUDIT_HASH_LEN]);
/* Now, as the log writes it: "2026-12-04T14:30:00.123Z". */
void		 pms_audit_now(char *buf, size_t size);

/* Turn a SQLite failure into a status and message. */
enum pms_status	 pms_store_sqlerr(struct pms_store *, int rc,
		    const char *what);

/* Embedded migrations (generated from share/sql by the Makefile). */
struct pms_migration {
	int		 version;
	const char	*name;
	const unsigned char *sql;
	unsigned int	 len;
};
extern const struct pms_migration pms_migrations[];
extern const unsigned int pms_nmigrations;

/* Embedded templates (share/templates/: reminders NAME.LANGUAGE.txt,
 * statements statement.txt and statement.html, by the Makefile): name
 * is the file's name; the text is not NUL-terminated. */
struct pms_template_file {
	const char	*name;
	const unsigned char *text;
	unsigned int	 len;
};
extern const struct pms_template_file pms_template_files[];
extern const unsigned int pms_ntemplate_files;

#endif /* PMS_INT_H */
