/*
 * keyring.c: the unlocked key of one slot, kept in the Linux kernel
 * keyring so that a pipeline of programs asks for the passphrase once.
 *
 * An entry is a "user" key named "pms:v1:<file id>:<slot id>" in the
 * session keyring, holding {data key, slot id, roles, signing key, idle
 * timeout}.  Its permissions give everything to its possessor and only
 * "view" to the rest of the user's processes.  Each use pushes the
 * timeout on.  Where the kernel refuses keyrings (some containers), the
 * calls fail and the programs ask for the passphrase instead.
 *
 * Honestly: without pam_keyinit (cron, su, many containers) the session
 * keyring is the user-session keyring, shared by every process of the
 * user; pms_keyring_shared() tells, and pms-admin unlock says so.
 */
#include <sys/syscall.h>

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pms_int.h"

#define KEY_SPEC_SESSION_KEYRING	-3
#define KEY_SPEC_USER_SESSION_KEYRING	-5
#define KEYCTL_GET_KEYRING_ID		0
#define KEYCTL_SETPERM			5
#define KEYCTL_UNLINK			9
#define KEYCTL_SEARCH			10
#define KEYCTL_READ			11
#define KEYCTL_SET_TIMEOUT		15
#define KEYCTL_INVALIDATE		21
#define KEY_POS_ALL			0x3f000000
#define KEY_USR_VIEW			0x00010000

/* What an entry holds. */
struct payload {
	unsigned char	 dek[32];
	unsigned char	 sign_sk[64];
	uint32_t	 slot_id;
	uint32_t	 roles;
	uint32_t	 timeout;
	char		 label[PMS_LABEL_MAX + 1];
};

static long
keyctl(int op, long a, long b, long c, long d)
{
	return syscall(SYS_keyctl, op, a, b, c, d);
}

static void
key_name(char *buf, size_t size, const unsigned char file_id[8],
    uint32_t slot)
{
	char hex[17];

	sodium_bin2hex(hex, sizeof(hex), file_id, 8);
	snprintf(buf, size, "pms:v1:%s:%u", hex, (unsigned)slot);
}

static long
find(const unsigned char file_id[8], uint32_t slot)
{
	char name[64];

	key_name(name, sizeof(name), file_id, slot);
	return keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (long)"user",
	    (long)name, 0);
}

int
pms_keyring_get(const unsigned char file_id[8], uint32_t slot,
    struct pms_unlocked *u)
{
	struct payload *p;
	long id, n;
	int rc = -1;

	if ((id = find(file_id, slot)) < 0)
		return -1;
	if ((p = sodium_malloc((sizeof(*p) + 15) & ~(size_t)15)) == NULL)
		return -1;
	n = keyctl(KEYCTL_READ, id, (long)p, (long)sizeof(*p), 0);
	if (n == (long)sizeof(*p) && p->slot_id == slot &&
	    memchr(p->label, '\0', sizeof(p->label)) != NULL) {
		memcpy(u->dek, p->dek, 32);
		memcpy(u->sign_sk, p->sign_sk, 64);
		u->slot_id = p->slot_id;
		u->roles = p->roles;
		memcpy(u->label, p->label, sizeof(u->label));
		if (p->timeout > 0)	/* an idle timeout: use renews it */
			keyctl(KEYCTL_SET_TIMEOUT, id, (long)p->timeout, 0, 0);
		rc = 0;
	}
	sodium_free(p);
	return rc;
}

int
pms_keyring_put(const unsigned char file_id[8], const struct pms_unlocked *u,
    unsigned timeout)
{
	struct payload *p;
	char name[64];
	long id;

	if ((p = sodium_malloc((sizeof(*p) + 15) & ~(size_t)15)) == NULL)
		return -1;
	memset(p, 0, sizeof(*p));
	memcpy(p->dek, u->dek, 32);
	memcpy(p->sign_sk, u->sign_sk, 64);
	p->slot_id = u->slot_id;
	p->roles = u->roles;
	p->timeout = timeout;
	memcpy(p->label, u->label, sizeof(p->label));
	key_name(name, sizeof(name), file_id, u->slot_id);
	/*
	 * A process without a session keyring of its own (no pam_keyinit:
	 * cron, su) would get a new, private one from add_key, gone when it
	 * exits; there the user-session keyring is the session keyring.
	 */
	id = syscall(SYS_add_key, "user", name, p, sizeof(*p),
	    pms_keyring_shared() == 1 ? KEY_SPEC_USER_SESSION_KEYRING :
	    KEY_SPEC_SESSION_KEYRING);
	sodium_free(p);
	if (id < 0)
		return -1;
	keyctl(KEYCTL_SETPERM, id, KEY_POS_ALL | KEY_USR_VIEW, 0, 0);
	if (timeout > 0)
		keyctl(KEYCTL_SET_TIMEOUT, id, (long)timeout, 0, 0);
	return 0;
}

int
pms_keyring_drop(const unsigned char file_id[8], uint32_t slot)
{
	long id;

	if ((id = find(file_id, slot)) < 0)
		return -1;
	if (keyctl(KEYCTL_INVALIDATE, id, 0, 0, 0) < 0)
		keyctl(KEYCTL_UNLINK, id, KEY_SPEC_SESSION_KEYRING, 0, 0);
	return 0;
}

int
pms_keyring_has(const unsigned char file_id[8], uint32_t slot)
{
	return find(file_id, slot) >= 0;
}

int
pms_keyring_shared(void)
{
	long s, us;

	s = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0);
	us = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_SESSION_KEYRING, 0, 0,
	    0);
	if (s < 0)
		return -1;	/* no keyring at all */
	return s == us;
}
