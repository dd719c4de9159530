/*
 * vfs_crypt.c: the encrypting VFS shim "pms" over SQLite's unix VFS.
 *
 * Page layout (P = 4096, reserve R = 40): bytes [0, P-40) are the
 * payload, sealed with XChaCha20-Poly1305; [P-40, P-16) the nonce, fresh
 * and random on every write; [P-16, P) the tag.  The associated data
 * binds the store's file id, the format version, the kind of file ('D'
 * database, 'W' WAL frame, 'J' journal record) and the page number; for
 * page 1 of the database, its 24 plaintext bytes (magic, file id, SQLite
 * header bytes 16-23); for a WAL frame, the WAL file header's salts and
 * the frame's commit field.  SQLite always sees a canonical page: the
 * reserve zeroed and the real magic in place.
 *
 * The WAL's frame checksums are computed by SQLite over plaintext, so
 * the shim masks them with a keyed PRF; the WAL file header carries a
 * keyed MAC in place of its checksum.  When SQLite recovers the WAL, the
 * shim first works out where SQLite's recovery will stop and refuses
 * (SQLITE_IOERR_DATA) if an authentic commit frame lies beyond: that is
 * tampering or media damage that would otherwise silently drop committed
 * transactions.  Temp files are refused (the store runs with
 * temp_store=MEMORY), there is no xFetch, so no mmap, and the page size
 * is fixed.  See ../shared/STORE.md.
 *
 * Key handles: the store registers its data key here and passes only a
 * small integer in the URI ("pmskey"), never the key.  The programs are
 * single-threaded; the registry has no lock.
 */
#include <sys/types.h>

#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfs_crypt.h"

#ifndef SQLITE_IOCAP_SUBPAGE_READ
#define SQLITE_IOCAP_SUBPAGE_READ	0x00008000
#endif

#define P		PMS_PAGE_SIZE
#define R		PMS_RESERVE
#define FORMAT_VERSION	1
#define WAL_HDR		32
#define FRAME_HDR	24
#define FRAME		(P + FRAME_HDR)
#define NKEYS		16
#define AD_MAX		(14 + 24)
#define NONCE_LEN	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN		crypto_aead_xchacha20poly1305_ietf_ABYTES

struct keyent {
	int		 used;
	int		 create;	/* an empty main file is allowed */
	unsigned char	 file_id[PMS_FILE_ID_LEN];
	unsigned char	*keys;		/* sodium_malloc: page key, mask key */
	struct pms_vfs_stats st;
};

static struct keyent keytab[NKEYS];

struct cfile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the unix file, just after us */
	struct keyent	*key;
	char		 kind;		/* 'D', 'W', 'J' or 0: pass-through */
	const char	*name;
	unsigned char	*buf;		/* P (+ FRAME_HDR) private bytes */
	struct cfile	*wal;		/* main db: its open WAL, if any */
	struct cfile	*main;		/* WAL: its main db */
	sqlite3_int64	 jpg_off;	/* journal: offset of last pgno write */
	uint32_t	 jpg;		/*   and its value */
	sqlite3_int64	 fh_off;	/* WAL: offset of last frame header */
	unsigned char	 fh[FRAME_HDR];	/*   and its bytes as SQLite wrote them */
	unsigned char	 fh_salts[8];	/*   and the salts it was sealed under */
};

static sqlite3_vfs	*lower;
static const sqlite3_io_methods crypt_methods;

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static const unsigned char *
page_key(const struct keyent *k)
{
	return k->keys;
}

static const unsigned char *
mask_key(const struct keyent *k)
{
	return k->keys + 32;
}

static void
note_failure(struct keyent *k, char kind, uint32_t pgno, const char *name)
{
	k->st.bad_kind = kind;
	k->st.bad_pgno = pgno;
	sqlite3_log(SQLITE_IOERR_DATA, "pms: %s %u of %s failed authentication",
	    kind == 'W' ? "WAL frame" : kind == 'J' ? "journal page" : "page",
	    pgno, name != NULL ? name : "?");
}

/* The associated data of one page image. */
static size_t
ad_make(unsigned char *ad, const struct keyent *k, char kind, uint32_t pgno,
    const unsigned char *extra, size_t nextra)
{
	memcpy(ad, k->file_id, PMS_FILE_ID_LEN);
	ad[8] = FORMAT_VERSION;
	ad[9] = (unsigned char)kind;
	ad[10] = pgno;
	ad[11] = pgno >> 8;
	ad[12] = pgno >> 16;
	ad[13] = pgno >> 24;
	if (nextra > 0)
		memcpy(ad + 14, extra, nextra);
	return 14 + nextra;
}

/*
 * Seal the plaintext page in into out (both P bytes, distinct).  For
 * page 1 of the database the first 24 bytes stay in clear: our magic,
 * the file id and SQLite's header bytes 16-23.
 */
static void
page_seal(const struct keyent *k, char kind, uint32_t pgno,
    const unsigned char *in, unsigned char *out,
    const unsigned char *extra, size_t nextra)
{
	unsigned char ad[AD_MAX];
	size_t adlen, off = 0;

	if (kind == 'D' && pgno == 1) {
		memcpy(out, PMS_STORE_MAGIC, 8);
		memcpy(out + 8, k->file_id, PMS_FILE_ID_LEN);
		memcpy(out + 16, in + 16, 8);
		extra = out;
		nextra = 24;
		off = 24;
	}
	adlen = ad_make(ad, k, kind, pgno, extra, nextra);
	randombytes_buf(out + P - R, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(out + off,
	    out + P - TAG_LEN, NULL, in + off, P - R - off, ad, adlen, NULL,
	    out + P - R, page_key(k));
}

/*
 * Open the sealed page in buf, in place.  Returns 0 and leaves the
 * canonical plaintext (reserve zeroed, SQLite's magic on page 1), or -1
 * if it does not authenticate.
 */
static int
page_open(const struct keyent *k, char kind, uint32_t pgno,
    unsigned char *buf, const unsigned char *extra, size_t nextra)
{
	unsigned char ad[AD_MAX], nonce[NONCE_LEN], tag[TAG_LEN];
	size_t adlen, off = 0;
	int rc;

	if (kind == 'D' && pgno == 1) {
		extra = buf;
		nextra = 24;
		off = 24;
	}
	adlen = ad_make(ad, k, kind, pgno, extra, nextra);
	memcpy(nonce, buf + P - R, NONCE_LEN);
	memcpy(tag, buf + P - TAG_LEN, TAG_LEN);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(buf + off,
	    NULL, buf + off, P - R - off, tag, ad, adlen, nonce,
	    page_key(k));
	if (rc != 0)
		return -1;
	memset(buf + P - R, 0, R);
	if (kind == 'D' && pgno == 1)
		memcpy(buf, "SQLite format 3", 16);
	return 0;
}

/* ---- the WAL ------------------------------------------------------ */

/* SQLite's WAL checksum (wal.c walChecksumBytes), either byte order. */
static void
wal_cksum(int bigend, const unsigned char *a, size_t n, uint32_t s[2])
{
	uint32_t s1 = s[0], s2 = s[1], x, y;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		if (bigend) {
			x = get_be32(a + i);
			y = get_be32(a + i + 4);
		} else {
			x = (uint32_t)a[i] | (uint32_t)a[i + 1] << 8 |
			    (uint32_t)a[i + 2] << 16 | (uint32_t)a[i + 3] << 24;
			y = (uint32_t)a[i + 4] | (uint32_t)a[i + 5] << 8 |
			    (uint32_t)a[i + 6] << 16 | (uint32_t)a[i + 7] << 24;
		}
		s1 += x + s2;
		s2 += y + s1;
	}
	s[0] = s1;
	s[1] = s2;
}

/* The keyed MAC that stands in for the WAL header's checksum. */
static void
wal_hdr_mac(const struct keyent *k, const unsigned char *hdr,
    unsigned char mac[8])
{
	unsigned char in[1 + PMS_FILE_ID_LEN + 24], out[16];

	in[0] = 'H';
	memcpy(in + 1, k->file_id, PMS_FILE_ID_LEN);
	memcpy(in + 1 + PMS_FILE_ID_LEN, hdr, 24);
	crypto_generichash(out, sizeof(out), in, sizeof(in), mask_key(k), 32);
	memcpy(mac, out, 8);
}

/* XOR the 8 checksum bytes of the frame at off with the keyed mask. */
static void
wal_mask(const struct keyent *k, const unsigned char salts[8],
    sqlite3_int64 off, unsigned char *cksum)
{
	unsigned char in[1 + 8 + 8], out[16];
	int i;

	in[0] = 'W';
	memcpy(in + 1, salts, 8);
	for (i = 0; i < 8; i++)
		in[9 + i] = (unsigned char)((uint64_t)off >> (8 * i));
	crypto_generichash(out, sizeof(out), in, sizeof(in), mask_key(k), 32);
	for (i = 0; i < 8; i++)
		cksum[i] ^= out[i];
}

static int
frame_start(sqlite3_int64 off)
{
	return off >= WAL_HDR && (off - WAL_HDR) % FRAME == 0;
}

/*
 * The errno of the last read or write that failed in this thread, for
 * xGetLastError and pms_vfs_take_errno(): SQLite reports a write that
 * failed at commit as SQLITE_IOERR_WRITE and no system error, so the
 * store asks here why (a file too large under ulimit -f, EFBIG, must
 * not become a mere "disk I/O error").
 */
static _Thread_local int io_errno;

/* rc, noting errno when it is a failure (errno cleared before the call). */
static int
keep_errno(int rc)
{
	if (rc != SQLITE_OK && rc != SQLITE_READONLY && errno != 0)
		io_errno = errno;
	return rc;
}

static int
lower_read(struct cfile *p, void *buf, int n, sqlite3_int64 off)
{
	int rc;

	errno = 0;
	if ((rc = p->real->pMethods->xRead(p->real, buf, n, off)) !=
	    SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ && errno != 0)
		io_errno = errno;
	return rc;
}

static int
lower_write(struct cfile *p, const void *buf, int n, sqlite3_int64 off)
{
	int rc;

	errno = 0;
	if ((rc = p->real->pMethods->xWrite(p->real, buf, n, off)) !=
	    SQLITE_OK && errno != 0)
		io_errno = errno;
	return rc;
}

/* The WAL file header's salts, read from the file itself. */
static int
wal_salts(struct cfile *p, unsigned char salts[8])
{
	unsigned char hdr[WAL_HDR];
	int rc;

	if ((rc = lower_read(p, hdr, WAL_HDR, 0)) != SQLITE_OK)
		return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_IOERR_READ : rc;
	memcpy(salts, hdr + 16, 8);
	return SQLITE_OK;
}

/*
 * The salts a frame is sealed under.  They are the WAL header's; a frame
 * header carries a copy, except while SQLite is about to rewrite the
 * checksums of a transaction (wal.c walRewriteChecksums), when the copy
 * is zero and the file header is read instead.  Taking the copy saves a
 * read per frame; a copy that was changed fails authentication.
 */
static int
frame_salts(struct cfile *p, const unsigned char *copy, unsigned char salts[8])
{
	static const unsigned char zero[8];

	if (memcmp(copy, zero, 8) == 0)
		return wal_salts(p, salts);
	memcpy(salts, copy, 8);
	return SQLITE_OK;
}

/* Open the page of a frame in place; fh is its (unmasked) header. */
static int
frame_open(const struct keyent *k, const unsigned char salts[8],
    const unsigned char *fh, unsigned char *page)
{
	unsigned char extra[12];

	memcpy(extra, salts, 8);
	memcpy(extra + 8, fh + 4, 4);		/* commit field */
	return page_open(k, 'W', get_be32(fh), page, extra, sizeof(extra));
}

/*
 * Walk the WAL as SQLite's recovery will: frames are valid while their
 * salts match the header's, their page number is set, they authenticate
 * and the checksum chain holds.  Then look past that point for a commit
 * frame that authenticates under the header's salts: SQLite would drop
 * it, so it can only be there through tampering or damage.  *valid gets
 * the number of valid frames.  Returns 1 if tampered, 0 if not, or a
 * negative SQLite error.
 */
static int
wal_scan(struct cfile *p, const unsigned char *hdr, sqlite3_int64 *valid,
    uint32_t *badframe)
{
	struct keyent *k = p->key;
	unsigned char *f = p->buf, salts[8];
	sqlite3_int64 size, off;
	uint32_t s[2] = { 0, 0 }, n;
	int rc, bigend, stopped = 0;

	*valid = 0;
	if ((rc = p->real->pMethods->xFileSize(p->real, &size)) != SQLITE_OK)
		return -rc;
	memcpy(salts, hdr + 16, 8);
	bigend = get_be32(hdr) & 1;
	wal_cksum(bigend, hdr, 24, s);
	for (off = WAL_HDR, n = 1; off + FRAME <= size; off += FRAME, n++) {
		rc = lower_read(p, f, FRAME, off);
		if (rc != SQLITE_OK)
			return -rc;
		if (memcmp(f + 8, salts, 8) != 0 || get_be32(f) == 0)
			goto invalid;
		wal_mask(k, salts, off, f + 16);
		if (frame_open(k, salts, f, f + FRAME_HDR) != 0)
			goto invalid;
		if (stopped) {
			if (get_be32(f + 4) != 0)
				return 1;	/* *badframe: where it stopped */
			continue;
		}
		wal_cksum(bigend, f, 8, s);
		wal_cksum(bigend, f + FRAME_HDR, P, s);
		if (s[0] != get_be32(f + 16) || s[1] != get_be32(f + 20))
			goto invalid;
		(*valid)++;
		continue;
invalid:
		if (!stopped)
			*badframe = n;
		stopped = 1;
	}
	return 0;
}

/* A read of the WAL header: check our MAC, hand SQLite its checksum. */
static int
wal_read_header(struct cfile *p, unsigned char *out)
{
	struct keyent *k = p->key;
	unsigned char mac[8];
	sqlite3_int64 size, valid;
	uint32_t s[2] = { 0, 0 }, bad = 0;
	int rc;

	if ((rc = lower_read(p, out, WAL_HDR, 0)) != SQLITE_OK)
		return rc;
	if ((rc = p->real->pMethods->xFileSize(p->real, &size)) != SQLITE_OK)
		return rc;
	wal_hdr_mac(k, out, mac);
	if (sodium_memcmp(mac, out + 24, 8) != 0) {
		if (size >= WAL_HDR + FRAME) {
			k->st.wal_tampered = 1;
			note_failure(k, 'W', 0, p->name);
			return SQLITE_IOERR_DATA;
		}
		memset(out + 24, 0, 8);	/* SQLite ignores this header */
		return SQLITE_OK;
	}
	rc = wal_scan(p, out, &valid, &bad);
	if (rc < 0)
		return -rc;
	if (rc == 1) {
		k->st.wal_tampered = 1;
		note_failure(k, 'W', bad, p->name);
		return SQLITE_IOERR_DATA;
	}
	wal_cksum(get_be32(out) & 1, out, 24, s);
	put_be32(out + 24, s[0]);
	put_be32(out + 28, s[1]);
	return SQLITE_OK;
}

static int
wal_read(struct cfile *p, unsigned char *out, int n, sqlite3_int64 off)
{
	struct keyent *k = p->key;
	unsigned char salts[8], fh[FRAME_HDR];
	uint32_t s[2] = { 0, 0 };
	int rc;

	if (off == 0 && n == WAL_HDR)
		return wal_read_header(p, out);
	if (off == 24 && n == 8) {
		/* walRewriteChecksums: the header's checksum */
		unsigned char hdr[WAL_HDR];

		if ((rc = lower_read(p, hdr, WAL_HDR, 0)) != SQLITE_OK)
			return rc;
		wal_cksum(get_be32(hdr) & 1, hdr, 24, s);
		put_be32(out, s[0]);
		put_be32(out + 4, s[1]);
		return SQLITE_OK;
	}
	if (off + n <= WAL_HDR)
		return lower_read(p, out, n, off);
	if (frame_start(off) && n == FRAME) {
		/* recovery and walRewriteChecksums read whole frames */
		if ((rc = lower_read(p, out, n, off)) != SQLITE_OK)
			return rc;
		if ((rc = frame_salts(p, out + 8, salts)) != SQLITE_OK)
			return rc;
		wal_mask(k, salts, off, out + 16);
		if (frame_open(k, salts, out, out + FRAME_HDR) != 0) {
			/* make SQLite certain this is the end of the log */
			memset(out + FRAME_HDR, 0, P);
			for (rc = 8; rc < 16; rc++)
				out[rc] = ~salts[rc - 8];
			k->st.walauthfail++;
		}
		return SQLITE_OK;
	}
	if (frame_start(off - FRAME_HDR) && n == P) {
		if ((rc = lower_read(p, p->buf, FRAME, off - FRAME_HDR)) !=
		    SQLITE_OK)
			return rc;
		if ((rc = frame_salts(p, p->buf + 8, salts)) != SQLITE_OK)
			return rc;
		memcpy(fh, p->buf, FRAME_HDR);
		if (frame_open(k, salts, fh, p->buf + FRAME_HDR) != 0) {
			note_failure(k, 'W',
			    (uint32_t)((off - FRAME_HDR - WAL_HDR) / FRAME + 1),
			    p->name);
			return SQLITE_IOERR_DATA;
		}
		memcpy(out, p->buf + FRAME_HDR, P);
		return SQLITE_OK;
	}
	if (frame_start(off - 16) && n == 8) {
		if ((rc = lower_read(p, fh, 16, off - 8)) != SQLITE_OK)
			return rc;
		if ((rc = frame_salts(p, fh, salts)) != SQLITE_OK)
			return rc;
		memcpy(out, fh + 8, 8);
		wal_mask(k, salts, off - 16, out);
		return SQLITE_OK;
	}
	sqlite3_log(SQLITE_IOERR_READ, "pms: unexpected WAL read of %d at %lld",
	    n, (long long)off);
	return SQLITE_IOERR_READ;
}

static int
wal_write(struct cfile *p, const unsigned char *in, int n, sqlite3_int64 off)
{
	struct keyent *k = p->key;
	unsigned char salts[8], extra[12], *fh;
	int rc;

	if (off == 0 && n == WAL_HDR) {
		unsigned char hdr[WAL_HDR];

		if (get_be32(in + 8) != P)
			return SQLITE_IOERR_WRITE;
		memcpy(hdr, in, 24);
		wal_hdr_mac(k, hdr, hdr + 24);
		return lower_write(p, hdr, WAL_HDR, 0);
	}
	if (frame_start(off) && n == FRAME_HDR) {
		unsigned char h[FRAME_HDR];

		if ((rc = frame_salts(p, in + 8, p->fh_salts)) != SQLITE_OK)
			return rc;
		memcpy(p->fh, in, FRAME_HDR);
		p->fh_off = off;
		memcpy(h, in, FRAME_HDR);
		wal_mask(k, p->fh_salts, off, h + 16);
		return lower_write(p, h, FRAME_HDR, off);
	}
	if (frame_start(off - FRAME_HDR) && n == P) {
		unsigned char back[FRAME_HDR];

		if (p->fh_off == off - FRAME_HDR) {
			fh = p->fh;
			memcpy(salts, p->fh_salts, 8);
		} else {
			/* a page rewritten in place: its header is on disk */
			rc = lower_read(p, back, FRAME_HDR, off - FRAME_HDR);
			if (rc != SQLITE_OK)
				return rc == SQLITE_IOERR_SHORT_READ ?
				    SQLITE_IOERR_WRITE : rc;
			fh = back;
			if ((rc = frame_salts(p, fh + 8, salts)) != SQLITE_OK)
				return rc;
		}
		if (memcmp(in + P - R, (const unsigned char[R]){ 0 }, R) != 0)
			return SQLITE_IOERR_WRITE;
		memcpy(extra, salts, 8);
		memcpy(extra + 8, fh + 4, 4);
		page_seal(k, 'W', get_be32(fh), in, p->buf, extra,
		    sizeof(extra));
		return lower_write(p, p->buf, P, off);
	}
	sqlite3_log(SQLITE_IOERR_WRITE, "pms: unexpected WAL write of %d at %lld",
	    n, (long long)off);
	return SQLITE_IOERR_WRITE;
}

/* ---- the rollback journal ----------------------------------------- */

static int
jrnl_pgno(struct cfile *p, sqlite3_int64 off, uint32_t *pgno)
{
	unsigned char b[4];
	int rc;

	if (p->jpg_off == off - 4) {
		*pgno = p->jpg;
		return SQLITE_OK;
	}
	if ((rc = lower_read(p, b, 4, off - 4)) != SQLITE_OK)
		return rc;
	*pgno = get_be32(b);
	return SQLITE_OK;
}

static int
jrnl_read(struct cfile *p, unsigned char *out, int n, sqlite3_int64 off)
{
	uint32_t pgno;
	int rc;

	if ((rc = lower_read(p, out, n, off)) != SQLITE_OK)
		return rc;
	if (n != P || off % 8 != 4)
		return SQLITE_OK;
	if ((rc = jrnl_pgno(p, off, &pgno)) != SQLITE_OK)
		return rc;
	if (page_open(p->key, 'J', pgno, out, NULL, 0) != 0) {
		/*
		 * Under synchronous=FULL every record a hot journal counts
		 * was synced before the database was touched, so a record
		 * that fails is damage, not a torn tail: stop, and keep the
		 * journal for a rollback from a good copy, rather than let
		 * SQLite end the playback half-way and delete it.
		 */
		memset(out, 0, P);
		p->key->st.jrnlauthfail++;
		note_failure(p->key, 'J', pgno, p->name);
		return SQLITE_IOERR_DATA;
	}
	return SQLITE_OK;
}

static int
jrnl_write(struct cfile *p, const unsigned char *in, int n, sqlite3_int64 off)
{
	uint32_t pgno;
	int rc;

	if (n == 4) {
		p->jpg_off = off;
		p->jpg = get_be32(in);
		return lower_write(p, in, n, off);
	}
	if (n == P && off % 8 == 4) {
		if ((rc = jrnl_pgno(p, off, &pgno)) != SQLITE_OK)
			return rc;
		page_seal(p->key, 'J', pgno, in, p->buf, NULL, 0);
		return lower_write(p, p->buf, P, off);
	}
	if (n >= P && off % 8 != 0) {
		sqlite3_log(SQLITE_IOERR_WRITE,
		    "pms: unexpected journal write of %d at %lld", n,
		    (long long)off);
		return SQLITE_IOERR_WRITE;
	}
	return lower_write(p, in, n, off);	/* headers, checksums */
}

/* ---- the main database -------------------------------------------- */

static int
db_read(struct cfile *p, unsigned char *out, int n, sqlite3_int64 off)
{
	sqlite3_int64 base = off - off % P;
	uint32_t pgno = (uint32_t)(off / P) + 1;
	int rc;

	if (off % P + n > P)
		return SQLITE_IOERR_READ;
	if (off % P == 0 && n == P) {
		rc = lower_read(p, out, P, off);
		if (rc != SQLITE_OK)
			return rc;	/* a short read is zero-filled */
		if (page_open(p->key, 'D', pgno, out, NULL, 0) != 0) {
			note_failure(p->key, 'D', pgno, p->name);
			return SQLITE_IOERR_DATA;
		}
		return SQLITE_OK;
	}
	rc = lower_read(p, p->buf, P, base);
	if (rc == SQLITE_IOERR_SHORT_READ) {
		memset(out, 0, n);
		return rc;
	}
	if (rc != SQLITE_OK)
		return rc;
	if (page_open(p->key, 'D', pgno, p->buf, NULL, 0) != 0) {
		if (pgno == 1 && off + n <= 100) {
			/*
			 * SQLite sniffs the header before any WAL recovery
			 * or journal rollback: a page 1 torn by a checkpoint
			 * must still open, its good copy being in the WAL.
			 */
			memset(p->buf, 0, P);
			memcpy(p->buf, "SQLite format 3", 16);
			rc = lower_read(p, p->buf + 16, 8, 16);
			if (rc != SQLITE_OK)
				return rc;
			memcpy(out, p->buf + off, n);
			p->key->st.sniff_fallback++;
			return SQLITE_OK;
		}
		note_failure(p->key, 'D', pgno, p->name);
		return SQLITE_IOERR_DATA;
	}
	memcpy(out, p->buf + off % P, n);
	return SQLITE_OK;
}

static int
db_write(struct cfile *p, const unsigned char *in, int n, sqlite3_int64 off)
{
	uint32_t pgno = (uint32_t)(off / P) + 1;
	static const unsigned char zero[R];

	if (off % P != 0 || n != P)
		return SQLITE_IOERR_WRITE;
	if (pgno == 1 && (memcmp(in, "SQLite format 3", 16) != 0 ||
	    in[16] != (P >> 8) || in[17] != (P & 0xff) || in[20] != R))
		return SQLITE_IOERR_WRITE;	/* reserve not set: never write */
	if (memcmp(in + P - R, zero, R) != 0)
		return SQLITE_IOERR_WRITE;
	page_seal(p->key, 'D', pgno, in, p->buf, NULL, 0);
	return lower_write(p, p->buf, P, off);
}

/* Authenticate every page of the database and the WAL's frames. */
static int
db_verify(struct cfile *p, struct pms_vfs_verify *v)
{
	sqlite3_int64 size, off, valid;
	unsigned char hdr[WAL_HDR], mac[8];
	uint32_t bad = 0;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = p->real->pMethods->xFileSize(p->real, &size)) != SQLITE_OK)
		return rc;
	for (off = 0; off < size; off += P) {
		rc = lower_read(p, p->buf, P, off);
		if (rc == SQLITE_IOERR_SHORT_READ || (rc == SQLITE_OK &&
		    page_open(p->key, 'D', (uint32_t)(off / P) + 1, p->buf,
		    NULL, 0) != 0)) {
			v->bad_pgno = (uint32_t)(off / P) + 1;
			note_failure(p->key, 'D', v->bad_pgno, p->name);
			return SQLITE_IOERR_DATA;
		}
		if (rc != SQLITE_OK)
			return rc;
		v->pages++;
	}
	if (p->wal == NULL)
		return SQLITE_OK;
	rc = lower_read(p->wal, hdr, WAL_HDR, 0);
	if (rc == SQLITE_IOERR_SHORT_READ)
		return SQLITE_OK;		/* no WAL yet */
	if (rc != SQLITE_OK)
		return rc;
	wal_hdr_mac(p->key, hdr, mac);
	if (sodium_memcmp(mac, hdr + 24, 8) != 0) {
		if ((rc = p->wal->real->pMethods->xFileSize(p->wal->real,
		    &size)) != SQLITE_OK)
			return rc;
		if (size < WAL_HDR + FRAME)
			return SQLITE_OK;
		p->key->st.wal_tampered = 1;
		note_failure(p->key, 'W', 0, p->wal->name);
		return SQLITE_IOERR_DATA;
	}
	rc = wal_scan(p->wal, hdr, &valid, &bad);
	if (rc < 0)
		return -rc;
	v->frames = valid;
	if (rc == 1) {
		p->key->st.wal_tampered = 1;
		note_failure(p->key, 'W', bad, p->wal->name);
		return SQLITE_IOERR_DATA;
	}
	return SQLITE_OK;
}

/* ---- io methods --------------------------------------------------- */

static int
c_close(sqlite3_file *f)
{
	struct cfile *p = (struct cfile *)f;
	int rc;

	rc = p->real->pMethods != NULL ? p->real->pMethods->xClose(p->real) :
	    SQLITE_OK;
	if (p->main != NULL && p->main->wal == p)
		p->main->wal = NULL;
	if (p->wal != NULL)
		p->wal->main = NULL;
	sqlite3_free(p->buf);
	p->buf = NULL;
	return rc;
}

static int
c_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	struct cfile *p = (struct cfile *)f;

	switch (p->kind) {
	case 'D':
		return db_read(p, buf, n, off);
	case 'W':
		return wal_read(p, buf, n, off);
	case 'J':
		return jrnl_read(p, buf, n, off);
	default:
		return lower_read(p, buf, n, off);
	}
}

static int
c_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	struct cfile *p = (struct cfile *)f;

	switch (p->kind) {
	case 'D':
		return db_write(p, buf, n, off);
	case 'W':
		return wal_write(p, buf, n, off);
	case 'J':
		return jrnl_write(p, buf, n, off);
	default:
		return lower_write(p, buf, n, off);
	}
}

static int
c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct cfile *p = (struct cfile *)f;

	if (p->kind == 'J')
		p->jpg_off = -1;
	if (p->kind == 'W')
		p->fh_off = -1;
	errno = 0;
	return keep_errno(p->real->pMethods->xTruncate(p->real, size));
}

static int
c_sync(sqlite3_file *f, int flags)
{
	struct cfile *p = (struct cfile *)f;

	errno = 0;
	return keep_errno(p->real->pMethods->xSync(p->real, flags));
}

static int
c_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct cfile *p = (struct cfile *)f;

	return p->real->pMethods->xFileSize(p->real, size);
}

static int
c_lock(sqlite3_file *f, int lk)
{
	struct cfile *p = (struct cfile *)f;

	return p->real->pMethods->xLock(p->real, lk);
}

static int
c_unlock(sqlite3_file *f, int lk)
{
	struct cfile *p = (struct cfile *)f;

	return p->real->pMethods->xUnlock(p->real, lk);
}

static int
c_reserved(sqlite3_file *f, int *res)
{
	struct cfile *p = (struct cfile *)f;

	return p->real->pMethods->xCheckReservedLock(p->real, res);
}

static int
veto(char **a, const char *why)
{
	a[0] = sqlite3_mprintf("pms store: %s", why);
	return SQLITE_ERROR;
}

/* Pragmas that would defeat the encryption are refused. */
static int
pragma(struct cfile *p, char **a)
{
	const char *name = a[1], *val = a[2];
	struct pms_vfs_stats *st = &p->key->st;
	long long v;
	char *end;

	if (sqlite3_stricmp(name, "pms_status") == 0) {
		a[0] = sqlite3_mprintf("format=%d walauthfail=%u "
		    "jrnlauthfail=%u sniff_fallback=%u wal_tampered=%d",
		    FORMAT_VERSION, st->walauthfail, st->jrnlauthfail,
		    st->sniff_fallback, st->wal_tampered);
		return SQLITE_OK;
	}
	if (val == NULL)
		return SQLITE_NOTFOUND;
	if (sqlite3_stricmp(name, "temp_store") == 0 &&
	    sqlite3_stricmp(val, "memory") != 0 && strcmp(val, "2") != 0)
		return veto(a, "temp_store must stay MEMORY");
	if (sqlite3_stricmp(name, "mmap_size") == 0) {
		v = strtoll(val, &end, 10);
		if (*end != '\0' || v != 0)
			return veto(a, "mmap is not allowed");
	}
	if (sqlite3_stricmp(name, "page_size") == 0) {
		v = strtoll(val, &end, 10);
		if (*end != '\0' || v != P)
			return veto(a, "the page size is fixed at 4096");
	}
	if (sqlite3_stricmp(name, "journal_mode") == 0 &&
	    (sqlite3_stricmp(val, "off") == 0 ||
	    sqlite3_stricmp(val, "memory") == 0))
		return veto(a, "journal_mode OFF and MEMORY are not allowed");
	return SQLITE_NOTFOUND;
}

static int
c_fcntl(sqlite3_file *f, int op, void *arg)
{
	struct cfile *p = (struct cfile *)f;
	int rc;

	if (p->kind == 'D' && op == SQLITE_FCNTL_PRAGMA) {
		rc = pragma(p, arg);
		if (rc != SQLITE_NOTFOUND)
			return rc;
	}
	if (p->kind == 'D' && op == PMS_FCNTL_VERIFY)
		return db_verify(p, arg);
	if (op == SQLITE_FCNTL_MMAP_SIZE) {
		*(sqlite3_int64 *)arg = 0;
		return SQLITE_OK;
	}
	return p->real->pMethods->xFileControl(p->real, op, arg);
}

static int
c_sector(sqlite3_file *f)
{
	struct cfile *p = (struct cfile *)f;

	return p->real->pMethods->xSectorSize(p->real);
}

static int
c_devchar(sqlite3_file *f)
{
	struct cfile *p = (struct cfile *)f;
	int c = p->real->pMethods->xDeviceCharacteristics(p->real);

	/* whole-page writes only, and never in two pieces */
	c &= ~(SQLITE_IOCAP_SUBPAGE_READ | SQLITE_IOCAP_BATCH_ATOMIC |
	    SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_ATOMIC512 |
	    SQLITE_IOCAP_ATOMIC1K | SQLITE_IOCAP_ATOMIC2K |
	    SQLITE_IOCAP_ATOMIC4K | SQLITE_IOCAP_ATOMIC8K |
	    SQLITE_IOCAP_ATOMIC16K | SQLITE_IOCAP_ATOMIC32K |
	    SQLITE_IOCAP_ATOMIC64K);
	return c | SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

static int
c_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	struct cfile *p = (struct cfile *)f;

	errno = 0;
	return keep_errno(p->real->pMethods->xShmMap(p->real, pg, sz, ext,
	    pp));
}

static int
c_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	struct cfile *p = (struct cfile *)f;

	return p->real->pMethods->xShmLock(p->real, off, n, flags);
}

static void
c_shmbarrier(sqlite3_file *f)
{
	struct cfile *p = (struct cfile *)f;

	p->real->pMethods->xShmBarrier(p->real);
}

static int
c_shmunmap(sqlite3_file *f, int del)
{
	struct cfile *p = (struct cfile *)f;

	return p->real->pMethods->xShmUnmap(p->real, del);
}

/* Version 2: shared memory for the WAL, and no xFetch, so no mmap. */
static const sqlite3_io_methods crypt_methods = {
	2, c_close, c_read, c_write, c_truncate, c_sync, c_size, c_lock,
	c_unlock, c_reserved, c_fcntl, c_sector, c_devchar, c_shmmap,
	c_shmlock, c_shmbarrier, c_shmunmap, NULL, NULL
};

/* ---- the VFS ------------------------------------------------------ */

static struct keyent *
key_from_uri(const char *name)
{
	const char *h = sqlite3_uri_parameter(name, "pmskey");
	char *end;
	unsigned long i;

	if (h == NULL || *h == '\0')
		return NULL;
	i = strtoul(h, &end, 10);
	if (*end != '\0' || i >= NKEYS || !keytab[i].used)
		return NULL;
	return &keytab[i];
}

/* Is the main file one of ours, for this key?  SQLite status. */
static int
check_main(struct cfile *p)
{
	unsigned char head[16];
	sqlite3_int64 size;
	int rc;

	if ((rc = c_size(&p->base, &size)) != SQLITE_OK)
		return rc;
	if (size == 0)
		return p->key->create ? SQLITE_OK : SQLITE_NOTADB;
	if ((rc = lower_read(p, head, 16, 0)) != SQLITE_OK)
		return SQLITE_NOTADB;
	if (memcmp(head, PMS_STORE_MAGIC, 8) != 0 ||
	    memcmp(head + 8, p->key->file_id, PMS_FILE_ID_LEN) != 0) {
		sqlite3_log(SQLITE_NOTADB, "pms: %s is not this store", p->name);
		return SQLITE_NOTADB;
	}
	return SQLITE_OK;
}

static int
v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *oflags)
{
	struct cfile *p = (struct cfile *)f, *m;
	int rc;

	(void)vfs;
	memset(p, 0, sizeof(*p));
	p->real = (sqlite3_file *)((char *)p +
	    ((sizeof(struct cfile) + 15) & ~(size_t)15));
	p->name = name;
	p->jpg_off = p->fh_off = -1;
	if (flags & (SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL |
	    SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TRANSIENT_DB)) {
		sqlite3_log(SQLITE_CANTOPEN, "pms: temp file refused");
		return SQLITE_CANTOPEN;
	}
	if (flags & SQLITE_OPEN_MAIN_DB) {
		if ((p->key = key_from_uri(name)) == NULL) {
			sqlite3_log(SQLITE_CANTOPEN, "pms: no key for %s",
			    name != NULL ? name : "?");
			return SQLITE_CANTOPEN;
		}
		p->kind = 'D';
	} else if (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)) {
		m = (struct cfile *)sqlite3_database_file_object(name);
		if (m == NULL || m->base.pMethods != &crypt_methods ||
		    m->kind != 'D')
			return SQLITE_CANTOPEN;
		p->key = m->key;
		p->kind = (flags & SQLITE_OPEN_WAL) ? 'W' : 'J';
		if (p->kind == 'W') {
			p->main = m;
			m->wal = p;
		}
	}
	if (p->kind != 0 && (p->buf = sqlite3_malloc(FRAME)) == NULL)
		return SQLITE_NOMEM;
	rc = lower->xOpen(lower, name, p->real, flags, oflags);
	if (rc != SQLITE_OK) {
		sqlite3_free(p->buf);
		p->buf = NULL;
		if (p->main != NULL)
			p->main->wal = NULL;
		return rc;
	}
	p->base.pMethods = &crypt_methods;
	if (p->kind == 'D' && (rc = check_main(p)) != SQLITE_OK) {
		c_close(&p->base);
		p->base.pMethods = NULL;
		return rc;
	}
	return SQLITE_OK;
}

static int
v_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	return lower->xDelete(lower, name, sync);
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *res)
{
	(void)vfs;
	return lower->xAccess(lower, name, flags, res);
}

static int
v_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return lower->xFullPathname(lower, name, n, out);
}

static int
v_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	randombytes_buf(out, (size_t)n);
	return n;
}

static int
v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return lower->xSleep(lower, us);
}

static int
v_time(sqlite3_vfs *vfs, double *t)
{
	(void)vfs;
	return lower->xCurrentTime(lower, t);
}

static int
v_lasterr(sqlite3_vfs *vfs, int n, char *buf)
{
	(void)vfs;
	if (io_errno != 0)
		return io_errno;
	return lower->xGetLastError(lower, n, buf);
}

int
pms_vfs_take_errno(void)
{
	int e = io_errno;

	io_errno = 0;
	return e;
}

static int
v_time64(sqlite3_vfs *vfs, sqlite3_int64 *t)
{
	(void)vfs;
	return lower->xCurrentTimeInt64(lower, t);
}

static sqlite3_vfs crypt_vfs = {
	2, 0, 0, NULL, PMS_VFS_NAME, NULL, v_open, v_delete, v_access,
	v_fullpath, NULL, NULL, NULL, NULL, v_random, v_sleep, v_time,
	v_lasterr, v_time64, NULL, NULL, NULL
};

int
pms_vfs_register(void)
{
	if (lower != NULL)
		return SQLITE_OK;
	if ((lower = sqlite3_vfs_find("unix")) == NULL)
		return SQLITE_ERROR;
	crypt_vfs.szOsFile = (int)(((sizeof(struct cfile) + 15) & ~(size_t)15) +
	    (size_t)lower->szOsFile);
	crypt_vfs.mxPathname = lower->mxPathname;
	return sqlite3_vfs_register(&crypt_vfs, 0);
}

int
pms_vfs_key_add(const unsigned char dek[32],
    const unsigned char file_id[PMS_FILE_ID_LEN], int create, unsigned *handle)
{
	struct keyent *k;
	unsigned i;

	for (i = 0; i < NKEYS && keytab[i].used; i++)
		continue;
	if (i == NKEYS)
		return SQLITE_FULL;
	k = &keytab[i];
	memset(k, 0, sizeof(*k));
	if ((k->keys = sodium_malloc(64)) == NULL)
		return SQLITE_NOMEM;
	crypto_kdf_derive_from_key(k->keys, 32, 1, "PMSSTORE", dek);
	crypto_kdf_derive_from_key(k->keys + 32, 32, 2, "PMSSTORE", dek);
	memcpy(k->file_id, file_id, PMS_FILE_ID_LEN);
	k->create = create;
	k->used = 1;
	*handle = i;
	return SQLITE_OK;
}

void
pms_vfs_key_remove(unsigned handle)
{
	if (handle >= NKEYS || !keytab[handle].used)
		return;
	sodium_free(keytab[handle].keys);	/* wipes */
	memset(&keytab[handle], 0, sizeof(keytab[handle]));
}

int
pms_vfs_key_stats(unsigned handle, struct pms_vfs_stats *st)
{
	if (handle >= NKEYS || !keytab[handle].used)
		return SQLITE_MISUSE;
	*st = keytab[handle].st;
	return SQLITE_OK;
}
