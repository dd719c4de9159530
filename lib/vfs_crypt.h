/*
 * vfs_crypt.h: the encrypting SQLite VFS "pms".  Every page of a store's
 * database, WAL and rollback journal is sealed with XChaCha20-Poly1305
 * under a fresh random nonce kept, with the tag, in the page's 40
 * reserved bytes.  See ../shared/STORE.md for the design.
 *
 * A primitive: it includes nothing of ours but this header.
 */
#ifndef PMS_VFS_CRYPT_H
#define PMS_VFS_CRYPT_H

#include <stdint.h>

#define PMS_PAGE_SIZE		4096
#define PMS_RESERVE		40
#define PMS_FILE_ID_LEN		8
#define PMS_STORE_MAGIC		"PMSSTOR1"
#define PMS_VFS_NAME		"pms"

/* Our own file control on the main database: authenticate every page. */
#define PMS_FCNTL_VERIFY	0x504d5301

/* Counters and the first authentication failure of one key handle. */
struct pms_vfs_stats {
	unsigned	 walauthfail;	/* WAL frames dropped in recovery */
	unsigned	 jrnlauthfail;	/* journal records that failed */
	unsigned	 sniff_fallback;/* header sniffs given the prefix */
	int		 wal_tampered;	/* a committed WAL was cut short */
	char		 bad_kind;	/* 'D', 'W', 'J' or 0 */
	uint32_t	 bad_pgno;	/* page (or WAL frame) that failed */
};

/* What PMS_FCNTL_VERIFY reports. */
struct pms_vfs_verify {
	int64_t		 pages;		/* database pages authenticated */
	int64_t		 frames;	/* WAL frames authenticated */
	uint32_t	 bad_pgno;	/* first page that failed, or 0 */
};

/* Register the VFS (not as the default); idempotent.  SQLite status. */
int	pms_vfs_register(void);

/*
 * Register a data key for one store and return the handle to pass as
 * the URI parameter "pmskey".  create allows an empty database file.
 * The key is copied into guarded memory; the caller wipes its own.
 */
int	pms_vfs_key_add(const unsigned char dek[32],
	    const unsigned char file_id[PMS_FILE_ID_LEN], int create,
	    unsigned *handle);
void	pms_vfs_key_remove(unsigned handle);
int	pms_vfs_key_stats(unsigned handle, struct pms_vfs_stats *);

/* The errno of the last read or write of the store's files that failed
 * in this thread (0: none since the last call), cleared. */
int	pms_vfs_take_errno(void);

#endif /* PMS_VFS_CRYPT_H */
