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
enum pms_status	 pms_keys_write(const char *path, struct pms_slotfile *,
		    const unsigned char dek[32]);
/* Add a slot sealing dek; seed is the slot's secret (made by the caller). */
enum pms_status	 pms_keys_slot_add(struct pms_slotfile *, uint8_t type,
		    const char *label, uint32_t roles,
		    const unsigned char dek[32], const unsigned char seed[32],
		    const char *pass, size_t passlen, enum pms_kdf);
struct pms_slot	*pms_keys_find(struct pms_slotfile *, const char *label);
/* Unwrap a passphrase slot's seed. */
enum pms_status	 pms_keys_unwrap(const struct pms_slotfile *,
		    const struct pms_slot *, const char *pass, size_t passlen,
		    unsigned char seed[32]);
/* Open the data key with a slot's seed; checks MAC and key-check value. */
enum pms_status	 pms_keys_unlock(const struct pms_slotfile *,
		    const struct pms_slot *, const unsigned char seed[32],
		    struct pms_unlocked *);
/* Find the slot whose keys come from seed (recovery, key files). */
struct pms_slot	*pms_keys_find_seed(struct pms_slotfile *,
		    const unsigned char seed[32]);
/* Recovery keys: 32-byte seed <-> text with a check. */
void		 pms_recovery_encode(const unsigned char seed[32], char *out,
		    size_t size);
enum pms_status	 pms_recovery_decode(const char *text, unsigned char seed[32]);
void		 pms_keys_pubkeys(const unsigned char seed[32],
		    unsigned char xpk[32], unsigned char epk[32]);

/* ---- the store (store.c) ---- */

struct pms_store {
	sqlite3		*db;
	unsigned	 handle;	/* the VFS key handle */
	int		 have_handle;
	struct pms_unlocked *u;
	char		*path;
	char		*lockdir;
	const char	*program;
	int		 lockfd;	/* shared flock while open */
};

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

#endif /* PMS_INT_H */
