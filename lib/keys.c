/*
 * keys.c: the slot file (STORE.keys) and the keys in it.
 *
 * A store has one random data key (DEK).  Each slot -- a member of
 * staff, a cron job, the recovery key -- holds one random 32-byte seed:
 * wrapped under Argon2id of a passphrase, kept in a key file, or printed
 * as the recovery key.  From the seed come an X25519 key pair, to whose
 * public half the DEK is sealed, and an Ed25519 pair that signs the
 * slot's audit entries.  The file ends in a MAC under a subkey of the
 * DEK, so it can only be checked after an unlock; its header carries a
 * key-check value that tells "wrong key" from "damaged store".
 *
 * Layout (integers little-endian):
 *   header 64: "PMSKEYS1", file id 8, generation 4, serial 4, slot
 *              count 4, next slot id 4, key-check value 16, zero 16
 *   slot:      id 4, type 1, label length 1, zero 2, roles 4, zero 4,
 *              opslimit 8, memlimit 8, salt 16, X25519 pk 32, Ed25519
 *              pk 32, nonce 24, wrapped seed 48, sealed DEK 92, label
 *   MAC 32:    BLAKE2b over everything before it
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pms_int.h"

#define KEYS_MAGIC	"PMSKEYS1"
#define HDR_LEN		64
#define SLOT_FIXED	276
#define MAC_LEN		32
#define SEED_CTX	"PMSSEED1"
#define STORE_CTX	"PMSSTORE"
#define SUBKEY_MAC	3
#define SUBKEY_KCV	4
#define MAX_FILE	(HDR_LEN + PMS_MAX_SLOTS * (SLOT_FIXED + \
			    PMS_LABEL_MAX) + MAC_LEN)

static void
put32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Serialise the file without its MAC; returns the length. */
static size_t
keys_encode(const struct pms_slotfile *sf, unsigned char *b)
{
	const struct pms_slot *s;
	size_t i, n, len;

	memset(b, 0, HDR_LEN);
	memcpy(b, KEYS_MAGIC, 8);
	memcpy(b + 8, sf->file_id, 8);
	put32(b + 16, sf->generation);
	put32(b + 20, sf->serial);
	put32(b + 24, (uint32_t)sf->nslots);
	put32(b + 28, sf->next_id);
	memcpy(b + 32, sf->kcv, 16);
	n = HDR_LEN;
	for (i = 0; i < sf->nslots; i++) {
		s = &sf->slots[i];
		len = strlen(s->label);
		memset(b + n, 0, SLOT_FIXED);
		put32(b + n, s->id);
		b[n + 4] = s->type;
		b[n + 5] = (unsigned char)len;
		put32(b + n + 8, s->roles);
		put64(b + n + 16, s->opslimit);
		put64(b + n + 24, s->memlimit);
		memcpy(b + n + 32, s->salt, 16);
		memcpy(b + n + 48, s->xpk, 32);
		memcpy(b + n + 80, s->epk, 32);
		memcpy(b + n + 112, s->nonce, 24);
		memcpy(b + n + 136, s->wrapped, 48);
		memcpy(b + n + 184, s->sealed, PMS_SEALED_LEN);
		memcpy(b + n + SLOT_FIXED, s->label, len);
		n += SLOT_FIXED + len;
	}
	return n;
}

static void
subkey(unsigned char out[32], int id, const unsigned char dek[32])
{
	crypto_kdf_derive_from_key(out, 32, (uint64_t)id, STORE_CTX, dek);
}

static void
keys_kcv(const unsigned char dek[32], const unsigned char file_id[8],
    unsigned char kcv[16])
{
	unsigned char k[32], in[3 + 8];

	subkey(k, SUBKEY_KCV, dek);
	memcpy(in, "kcv", 3);
	memcpy(in + 3, file_id, 8);
	crypto_generichash(kcv, 16, in, sizeof(in), k, sizeof(k));
	sodium_memzero(k, sizeof(k));
}

enum pms_status
pms_keys_parse(const unsigned char *b, size_t n, struct pms_slotfile *sf)
{
	struct pms_slot *s;
	size_t i, len;
	uint32_t count;
	enum pms_status st;

	memset(sf, 0, sizeof(*sf));
	st = pms_seterr(PMS_ETAMPER, "slot file is damaged");
	if (n < HDR_LEN + MAC_LEN || n > MAX_FILE ||
	    memcmp(b, KEYS_MAGIC, 8) != 0)
		return st;
	memcpy(sf->file_id, b + 8, 8);
	sf->generation = get32(b + 16);
	sf->serial = get32(b + 20);
	count = get32(b + 24);
	sf->next_id = get32(b + 28);
	memcpy(sf->kcv, b + 32, 16);
	if (count > PMS_MAX_SLOTS)
		return st;
	len = HDR_LEN;
	for (i = 0; i < count; i++) {
		s = &sf->slots[i];
		if (len + SLOT_FIXED > n - MAC_LEN)
			return st;
		s->id = get32(b + len);
		s->type = b[len + 4];
		s->roles = get32(b + len + 8);
		s->opslimit = get64(b + len + 16);
		s->memlimit = get64(b + len + 24);
		memcpy(s->salt, b + len + 32, 16);
		memcpy(s->xpk, b + len + 48, 32);
		memcpy(s->epk, b + len + 80, 32);
		memcpy(s->nonce, b + len + 112, 24);
		memcpy(s->wrapped, b + len + 136, 48);
		memcpy(s->sealed, b + len + 184, PMS_SEALED_LEN);
		if (b[len + 5] > PMS_LABEL_MAX ||
		    len + SLOT_FIXED + b[len + 5] > n - MAC_LEN)
			return st;
		memcpy(s->label, b + len + SLOT_FIXED, b[len + 5]);
		s->label[b[len + 5]] = '\0';
		if (s->type < PMS_SLOT_PASSPHRASE || s->type > PMS_SLOT_RECOVERY)
			return st;
		len += SLOT_FIXED + b[len + 5];
	}
	if (len + MAC_LEN != n)
		return st;
	sf->nslots = count;
	memcpy(sf->mac, b + len, MAC_LEN);
	return PMS_OK;
}

enum pms_status
pms_keys_read(const char *path, struct pms_slotfile *sf)
{
	unsigned char *b;
	size_t n = 0;
	ssize_t r;
	int fd;
	enum pms_status st;

	memset(sf, 0, sizeof(*sf));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return pms_seterr(PMS_EDENIED,
			    "slot file \"%s\" is missing: the store cannot be "
			    "unlocked", path);
		return pms_seterr(errno == EACCES ? PMS_EDENIED : PMS_EIO,
		    "%s: %s", path, strerror(errno));
	}
	if ((b = malloc(MAX_FILE + 1)) == NULL) {
		close(fd);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	while (n <= MAX_FILE && (r = read(fd, b + n, MAX_FILE + 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	if ((st = pms_keys_parse(b, n, sf)) != PMS_OK)
		pms_seterr(st, "slot file \"%s\" is damaged", path);
	free(b);
	return st;
}

/*
 * Give the file open on fd the group of the directory holding path, as a
 * setgid directory would: the store's files belong to the practice's
 * group whoever made them.  Failure is not an error (not a member).
 */
void
pms_chgrp_like_dir(int fd, const char *path)
{
	char buf[PATH_MAX];
	struct stat sb;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf) ||
	    stat(dirname(buf), &sb) == -1)
		return;
	(void)!fchown(fd, (uid_t)-1, sb.st_gid);
}

/* fsync the directory holding path, so a rename is durable. */
int
pms_sync_dir(const char *path)
{
	char buf[PATH_MAX];
	int fd, rc;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	if ((fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

enum pms_status
pms_keys_encode(struct pms_slotfile *sf, const unsigned char dek[32],
    unsigned char **bufp, size_t *lenp)
{
	unsigned char *b, k[32];
	size_t n;

	if ((b = malloc(MAX_FILE)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	keys_kcv(dek, sf->file_id, sf->kcv);
	n = keys_encode(sf, b);
	subkey(k, SUBKEY_MAC, dek);
	crypto_generichash(b + n, MAC_LEN, b, n, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	memcpy(sf->mac, b + n, MAC_LEN);
	*bufp = b;
	*lenp = n + MAC_LEN;
	return PMS_OK;
}

enum pms_status
pms_file_replace(const char *path, const void *b, size_t n, int mode)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >=
	    (int)sizeof(tmp))
		return pms_seterr(PMS_EIO, "%s: path too long", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return pms_seterr(PMS_EIO, "%s: %s", tmp, strerror(errno));
	pms_chgrp_like_dir(fd, path);
	if (fchmod(fd, (mode_t)mode) == -1 || write(fd, b, n) != (ssize_t)n ||
	    fsync(fd) == -1) {
		pms_seterr(PMS_EIO, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return PMS_EIO;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return PMS_EIO;
	}
	pms_sync_dir(path);
	return PMS_OK;
}

enum pms_status
pms_keys_write(const char *path, struct pms_slotfile *sf,
    const unsigned char dek[32])
{
	unsigned char *b;
	size_t n;
	enum pms_status st;

	sf->serial++;
	if ((st = pms_keys_encode(sf, dek, &b, &n)) != PMS_OK)
		return st;
	st = pms_file_replace(path, b, n, 0660);
	free(b);
	return st;
}

/* Seal dek to every slot again (rekey, restore). */
void
pms_keys_reseal(struct pms_slotfile *sf, const unsigned char dek[32],
    uint32_t only_roles)
{
	unsigned char msg[44];
	size_t i;

	memcpy(msg, dek, 32);
	memcpy(msg + 32, sf->file_id, 8);
	put32(msg + 40, sf->generation);
	for (i = 0; i < sf->nslots; i++) {
		if (only_roles != 0 &&
		    (sf->slots[i].roles & only_roles) == 0 &&
		    sf->slots[i].type != PMS_SLOT_RECOVERY) {
			memset(sf->slots[i].sealed, 0, PMS_SEALED_LEN);
			continue;
		}
		crypto_box_seal(sf->slots[i].sealed, msg, sizeof(msg),
		    sf->slots[i].xpk);
	}
	sodium_memzero(msg, sizeof(msg));
}

/* The two key pairs of a seed; sk may be NULL. */
static void
seed_keys(const unsigned char seed[32], unsigned char xpk[32],
    unsigned char xsk[32], unsigned char epk[32], unsigned char esk[64])
{
	unsigned char sub[32], sk1[32], sk2[64];

	crypto_kdf_derive_from_key(sub, 32, 1, SEED_CTX, seed);
	crypto_box_seed_keypair(xpk, xsk != NULL ? xsk : sk1, sub);
	crypto_kdf_derive_from_key(sub, 32, 2, SEED_CTX, seed);
	crypto_sign_seed_keypair(epk, esk != NULL ? esk : sk2, sub);
	sodium_memzero(sub, sizeof(sub));
	sodium_memzero(sk1, sizeof(sk1));
	sodium_memzero(sk2, sizeof(sk2));
}

void
pms_keys_pubkeys(const unsigned char seed[32], unsigned char xpk[32],
    unsigned char epk[32])
{
	seed_keys(seed, xpk, NULL, epk, NULL);
}

/* The associated data that binds a wrapped seed to its slot. */
static size_t
slot_ad(const struct pms_slot *s, unsigned char *ad)
{
	size_t n = 0, len = strlen(s->label);

	/*
	 * Not the store's file id: a slot outlives it (rekey and restore
	 * make a new one).  The sealed data key binds the file id instead.
	 */
	memcpy(ad, "PMSSLOT1", 8);
	memset(ad + 8, 0, 8);
	put32(ad + 16, s->id);
	ad[20] = s->type;
	ad[21] = (unsigned char)len;
	memcpy(ad + 22, s->label, len);
	n = 22 + len;
	put64(ad + n, s->opslimit);
	put64(ad + n + 8, s->memlimit);
	memcpy(ad + n + 16, s->salt, 16);
	memcpy(ad + n + 32, s->xpk, 32);
	memcpy(ad + n + 64, s->epk, 32);
	return n + 96;
}

static enum pms_status
derive_kek(const struct pms_slot *s, const char *pass, size_t passlen,
    unsigned char *kek)
{
	if (crypto_pwhash(kek, 32, pass, passlen, s->salt, s->opslimit,
	    (size_t)s->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return pms_seterr(PMS_ENOMEM,
		    "not enough memory for key derivation");
	return PMS_OK;
}

enum pms_status
pms_keys_slot_add(struct pms_slotfile *sf, uint8_t type, const char *label,
    uint32_t roles, const unsigned char dek[32], const unsigned char seed[32],
    const char *pass, size_t passlen, enum pms_kdf kdf)
{
	struct pms_slot *s;
	unsigned char msg[44];
	size_t i;
	enum pms_status st;

	if (sf->nslots >= PMS_MAX_SLOTS)
		return pms_seterr(PMS_EREFUSED, "too many slots");
	if (strlen(label) == 0 || strlen(label) > PMS_LABEL_MAX)
		return pms_seterr(PMS_EDATA, "slot name must be 1 to %d bytes",
		    PMS_LABEL_MAX);
	for (i = 0; i < sf->nslots; i++)
		if (strcmp(sf->slots[i].label, label) == 0)
			return pms_seterr(PMS_EREFUSED,
			    "a slot named \"%s\" exists", label);
	s = &sf->slots[sf->nslots];
	memset(s, 0, sizeof(*s));
	s->id = ++sf->next_id;
	s->type = type;
	s->roles = roles;
	snprintf(s->label, sizeof(s->label), "%s", label);
	seed_keys(seed, s->xpk, NULL, s->epk, NULL);
	if (type == PMS_SLOT_PASSPHRASE &&
	    (st = pms_keys_rewrap(s, seed, pass, passlen, kdf)) != PMS_OK)
		return st;
	memcpy(msg, dek, 32);
	memcpy(msg + 32, sf->file_id, 8);
	put32(msg + 40, sf->generation);
	crypto_box_seal(s->sealed, msg, sizeof(msg), s->xpk);
	sodium_memzero(msg, sizeof(msg));
	sf->nslots++;
	return PMS_OK;
}

enum pms_status
pms_keys_rewrap(struct pms_slot *s, const unsigned char seed[32],
    const char *pass, size_t passlen, enum pms_kdf kdf)
{
	unsigned char ad[22 + PMS_LABEL_MAX + 96], *kek;
	size_t adlen;
	enum pms_status st;

	s->opslimit = kdf == PMS_KDF_MODERATE ?
	    crypto_pwhash_OPSLIMIT_MODERATE : crypto_pwhash_OPSLIMIT_INTERACTIVE;
	s->memlimit = kdf == PMS_KDF_MODERATE ?
	    crypto_pwhash_MEMLIMIT_MODERATE : crypto_pwhash_MEMLIMIT_INTERACTIVE;
	randombytes_buf(s->salt, sizeof(s->salt));
	if ((kek = sodium_malloc(32)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((st = derive_kek(s, pass, passlen, kek)) == PMS_OK) {
		randombytes_buf(s->nonce, sizeof(s->nonce));
		adlen = slot_ad(s, ad);
		crypto_aead_xchacha20poly1305_ietf_encrypt(s->wrapped, NULL,
		    seed, 32, ad, adlen, NULL, s->nonce, kek);
	}
	sodium_free(kek);
	return st;
}

enum pms_status
pms_pass_policy(const char *pass, size_t len)
{
	size_t i, nchar;

	for (i = 0, nchar = 0; i < len; i++)
		if (((unsigned char)pass[i] & 0xc0) != 0x80)
			nchar++;
	if (nchar < 12)
		return pms_seterr(PMS_EDATA, "passphrase too short: use at "
		    "least 12 characters (or five words)");
	return PMS_OK;
}

struct pms_slot *
pms_keys_find(struct pms_slotfile *sf, const char *label)
{
	size_t i;

	for (i = 0; i < sf->nslots; i++)
		if (strcmp(sf->slots[i].label, label) == 0)
			return &sf->slots[i];
	return NULL;
}

struct pms_slot *
pms_keys_find_seed(struct pms_slotfile *sf, const unsigned char seed[32])
{
	unsigned char xpk[32], epk[32];
	size_t i;

	seed_keys(seed, xpk, NULL, epk, NULL);
	for (i = 0; i < sf->nslots; i++)
		if (sodium_memcmp(sf->slots[i].xpk, xpk, 32) == 0)
			return &sf->slots[i];
	return NULL;
}

enum pms_status
pms_keys_unwrap(const struct pms_slot *s, const char *pass, size_t passlen,
    unsigned char seed[32])
{
	unsigned char ad[22 + PMS_LABEL_MAX + 96], *kek;
	size_t adlen;
	enum pms_status st;

	if (s->type != PMS_SLOT_PASSPHRASE)
		return pms_seterr(PMS_EDENIED,
		    "slot \"%s\" is not a passphrase slot", s->label);
	if (s->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    s->opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    s->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    s->memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE)
		return pms_seterr(PMS_ETAMPER, "slot file is damaged");
	if ((kek = sodium_malloc(32)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((st = derive_kek(s, pass, passlen, kek)) != PMS_OK)
		goto out;
	adlen = slot_ad(s, ad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(seed, NULL, NULL,
	    s->wrapped, sizeof(s->wrapped), ad, adlen, s->nonce, kek) != 0)
		st = pms_seterr(PMS_EPASS, "wrong passphrase");
out:
	sodium_free(kek);
	return st;
}

enum pms_status
pms_keys_verify(const struct pms_slotfile *sf, const unsigned char dek[32])
{
	unsigned char kcv[16], k[32], mac[MAC_LEN], *b;
	size_t n;
	enum pms_status st = PMS_OK;

	keys_kcv(dek, sf->file_id, kcv);
	if (sodium_memcmp(kcv, sf->kcv, 16) != 0)
		return pms_seterr(PMS_ETAMPER, "key does not match this store");
	/* the MAC over the file as read, recomputed from its parts */
	if ((b = malloc(MAX_FILE)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	n = keys_encode(sf, b);
	subkey(k, SUBKEY_MAC, dek);
	crypto_generichash(mac, MAC_LEN, b, n, k, sizeof(k));
	if (sodium_memcmp(mac, sf->mac, MAC_LEN) != 0)
		st = pms_seterr(PMS_ETAMPER, "slot file is damaged or has been "
		    "tampered with");
	free(b);
	sodium_memzero(k, sizeof(k));
	return st;
}

enum pms_status
pms_keys_unlock(const struct pms_slotfile *sf, const struct pms_slot *s,
    const unsigned char seed[32], struct pms_unlocked *u)
{
	unsigned char xpk[32], epk[32], *xsk, msg[44];
	enum pms_status st = PMS_OK;

	if ((xsk = sodium_malloc(32)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	seed_keys(seed, xpk, xsk, epk, u->sign_sk);
	if (sodium_memcmp(xpk, s->xpk, 32) != 0 ||
	    sodium_memcmp(epk, s->epk, 32) != 0) {
		st = pms_seterr(PMS_EPASS, "key does not match slot \"%s\"",
		    s->label);
		goto out;
	}
	if (crypto_box_seal_open(msg, s->sealed, PMS_SEALED_LEN, xpk, xsk) !=
	    0 || memcmp(msg + 32, sf->file_id, 8) != 0 ||
	    get32(msg + 40) != sf->generation) {
		st = pms_seterr(PMS_EDENIED, "slot \"%s\" cannot open the data "
		    "key of this store", s->label);
		goto out;
	}
	memcpy(u->dek, msg, 32);
	if ((st = pms_keys_verify(sf, u->dek)) != PMS_OK)
		goto out;
	u->slot_id = s->id;
	u->roles = s->roles;
	snprintf(u->label, sizeof(u->label), "%s", s->label);
out:
	sodium_memzero(msg, sizeof(msg));
	sodium_free(xsk);
	if (st != PMS_OK)
		sodium_memzero(u, sizeof(*u));
	return st;
}

/* ---- recovery keys: base32 (RFC 4648 alphabet), groups of five ---- */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static void
recovery_check(const unsigned char seed[32], unsigned char chk[2])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), seed, 32,
	    (const unsigned char *)"pms-recovery-key", 16);
	chk[0] = h[0];
	chk[1] = h[1];
}

void
pms_recovery_encode(const unsigned char seed[32], char *out, size_t size)
{
	unsigned char raw[34];
	uint32_t acc = 0;
	size_t i, o = 0, nchar = 0;
	int bits = 0;

	memcpy(raw, seed, 32);
	recovery_check(seed, raw + 32);
	for (i = 0; i < sizeof(raw) || bits > 0; ) {
		if (bits < 5 && i < sizeof(raw)) {
			acc = acc << 8 | raw[i++];
			bits += 8;
			continue;
		}
		if (bits < 5) {
			acc <<= 5 - bits;
			bits = 5;
		}
		if (nchar > 0 && nchar % 5 == 0 && o + 1 < size)
			out[o++] = '-';
		if (o + 1 < size)
			out[o++] = b32[(acc >> (bits - 5)) & 31];
		bits -= 5;
		nchar++;
	}
	out[o < size ? o : size - 1] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

enum pms_status
pms_recovery_decode(const char *text, unsigned char seed[32])
{
	unsigned char raw[35], chk[2];
	uint32_t acc = 0;
	size_t n = 0;
	const char *p, *q;
	int bits = 0, c;

	for (p = text; *p != '\0'; p++) {
		c = *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p;
		if (c == '-' || c == ' ' || c == '\n' || c == '\r' ||
		    c == '\t')
			continue;
		if ((q = strchr(b32, c)) == NULL || c == '\0')
			return pms_seterr(PMS_EPASS, "not a recovery key");
		acc = acc << 5 | (uint32_t)(q - b32);
		bits += 5;
		if (bits >= 8) {
			if (n >= sizeof(raw))
				return pms_seterr(PMS_EPASS,
				    "not a recovery key");
			raw[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (n != 34)
		return pms_seterr(PMS_EPASS, "not a recovery key");
	recovery_check(raw, chk);
	if (chk[0] != raw[32] || chk[1] != raw[33])
		return pms_seterr(PMS_EPASS,
		    "recovery key mistyped: its check does not match");
	memcpy(seed, raw, 32);
	sodium_memzero(raw, sizeof(raw));
	return PMS_OK;
}

/* ---- key files (cron): a seed in a 0400 file ---------------------- */

#define KEYFILE_MAGIC	"pms-keyfile-v1"

enum pms_status
pms_keyfile_write(const char *path, const char *label,
    const unsigned char seed[32])
{
	char hex[65], *text;
	size_t n;
	int fd;
	enum pms_status st = PMS_OK;

	n = strlen(KEYFILE_MAGIC) + strlen(label) + 80;
	if ((text = sodium_malloc(n)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	sodium_bin2hex(hex, sizeof(hex), seed, 32);
	snprintf(text, n, "%s %s %s\n", KEYFILE_MAGIC, label, hex);
	sodium_memzero(hex, sizeof(hex));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400)) ==
	    -1) {
		st = pms_seterr(errno == EEXIST ? PMS_EREFUSED : PMS_EIO,
		    "%s: %s", path, strerror(errno));
		goto out;
	}
	n = strlen(text);
	if (fchmod(fd, 0400) == -1 || write(fd, text, n) != (ssize_t)n ||
	    fsync(fd) == -1) {
		st = pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	pms_sync_dir(path);
out:
	sodium_free(text);
	return st;
}

enum pms_status
pms_keyfile_read(const char *path, unsigned char seed[32])
{
	struct stat sb;
	char *text, *p, *q;
	size_t len;
	ssize_t n;
	int fd;
	enum pms_status st = PMS_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return pms_seterr(errno == ENOENT ? PMS_ENOINPUT : PMS_EDENIED,
		    "key file %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == -1 || (sb.st_mode & 077) != 0) {
		close(fd);
		return pms_seterr(PMS_EDENIED, "key file %s can be read by "
		    "others: make it 0400 (chmod 0400)", path);
	}
	if ((text = sodium_malloc(512)) == NULL) {
		close(fd);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	n = read(fd, text, 511);
	close(fd);
	st = pms_seterr(PMS_EDENIED, "key file %s is not a pms key file", path);
	if (n <= 0)
		goto out;
	text[n] = '\0';
	len = strlen(KEYFILE_MAGIC);
	if (strncmp(text, KEYFILE_MAGIC, len) != 0 || text[len] != ' ')
		goto out;
	p = text + len + 1;
	if ((q = strchr(p, ' ')) == NULL)
		goto out;
	q++;
	if (strlen(q) < 64 || (q[64] != '\n' && q[64] != '\0'))
		goto out;
	if (sodium_hex2bin(seed, 32, q, 64, NULL, &len, NULL) != 0 ||
	    len != 32)
		goto out;
	st = PMS_OK;
out:
	sodium_free(text);
	return st;
}
