/*
 * rights.c: who may do what.  One table names every action a program
 * can take ("patient.add", "bill.adjust") and the roles that may take
 * it; pms_store_authorize() checks the roles of the slot that opened
 * the store against it before a command does anything.  A refusal is
 * itself written to the access log; break-glass (--emergency "reason")
 * lets a user act beyond their roles for one command, logged at once
 * and flagged on every entry the command writes.  pms(7) prints this
 * table for people: keep the two equal (tests/docs.bats checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pms_int.h"

#define A	PMS_ROLE_ADMIN
#define F	PMS_ROLE_FRONT_DESK
#define C	PMS_ROLE_CLINICIAN
#define B	PMS_ROLE_BILLING
#define U	PMS_ROLE_AUDITOR
#define R	PMS_ROLE_REMINDER_BOT
#define ALL	(F | C | B | U | R)

/*
 * Admin may do everything and is not listed.  An entry whose action
 * ends in ".*" covers every action under that prefix; the first match
 * wins, so exceptions come before their wildcard.  Break-glass lets a
 * person (not a key file) take any action of the data programs; the
 * actions of pms-admin it never reaches.
 */
static const struct right {
	const char	*action;
	uint32_t	 roles;
} rights[] = {
	/* pms-admin: the store and who may open it.  Checking it, keeping
	 * it small and backing it up are for everyone (cron too); one's
	 * own passphrase is one's own; the rest is for admins. */
	{ "admin.check",		ALL },
	{ "admin.maintain",		ALL },
	{ "admin.backup",		ALL },
	{ "admin.config.dump",		ALL },
	{ "admin.user.passwd",		ALL },
	{ "admin.codes.load",		B },	/* billing keeps the code lists */
	{ "admin.*",			0 },

	/* pms-patient: the desk registers, clinicians read, billing
	 * keeps insurance and addresses; the SSN is billing's */
	{ "patient.add",		F },
	{ "patient.show",		F | C | B },
	{ "patient.reveal",		B },	/* the SSN unmasked */
	{ "patient.find",		F | C | B },
	{ "patient.list",		F | C | B },
	{ "patient.update",		F | B },
	{ "patient.export",		B },	/* the whole registry */
	{ "patient.import",		F },
	{ "patient.duplicates",		F },
	{ "patient.merge",		F },
	{ "patient.guarantor",		F | B },
	{ "patient.policy.list",	F | C | B },
	{ "patient.policy.*",		F | B },

	/* pms-schedule: the desk books and checks in; clinicians read
	 * it and complete visits; billing reads it, changes nothing */
	{ "schedule.hours.list",	F | C | B },
	{ "schedule.off.list",		F | C | B },
	{ "schedule.list",		F | C | B },
	{ "schedule.show",		F | C | B },
	{ "schedule.history",		F | C | B },
	{ "schedule.slots",		F | C },
	{ "schedule.next",		F | C },
	{ "schedule.export",		F | C },
	{ "schedule.complete",		F | C },
	{ "schedule.*",			F },

	/* pms-remind: the cron job sends and records outcomes; opt-outs
	 * and the log are the desk's */
	{ "remind.due",			F | R },
	{ "remind.send",		F | R },
	{ "remind.mark",		F | R },
	{ "remind.optout",		F },
	{ "remind.optin",		F },
	{ "remind.log",			F },

	/* pms-bill: the desk takes payments, clinicians code; adjusting,
	 * voiding and refunding are billing's */
	{ "bill.pay",			F | B },
	{ "bill.balance",		F | B },
	{ "bill.ledger",		F | B },
	{ "bill.list",			F | C | B },
	{ "bill.show",			F | C | B },
	{ "bill.fees.list",		F | C | B },
	{ "bill.code",			C | B },
	{ "bill.*",			B },

	/* pms-claim: claims are billing's, each action by name (inspect
	 * reads a file the user holds, opens no store and so needs no
	 * right) */
	{ "claim.create",		B },
	{ "claim.validate",		B },
	{ "claim.export",		B },
	{ "claim.list",			B },
	{ "claim.show",			B },
	{ "claim.status",		B },
	{ "claim.ack",			B },	/* the answers: billing's */
	{ "claim.era",			B },	/* posts remittances */
	{ "claim.denials",		B },
	{ "claim.resubmit",		B },	/* corrections: 1, 7 */
	{ "claim.void",			B },	/* frequency 8 */
	{ "claim.*",			B },

	/* pms-report: the desk prints its day; auditors read reports
	 * (list names them, opens no store and so needs no right) */
	{ "report.schedule",		F | C | B | U },
	{ "report.day-sheet",		F | B | U },
	{ "report.*",			B | U },

	/* pms-audit: the log is the auditor's; billing, which releases
	 * records, keeps the accounting of disclosures too */
	{ "audit.disclosures",		B | U },
	{ "audit.record-disclosure",	B | U },
	{ "audit.*",			U },
};

static int
matches(const char *pattern, const char *action)
{
	size_t n = strlen(pattern);

	if (n >= 2 && strcmp(pattern + n - 2, ".*") == 0)
		return strncmp(pattern, action, n - 1) == 0;
	return strcmp(pattern, action) == 0;
}

int
pms_rights_known(const char *action)
{
	size_t i;

	for (i = 0; i < PMS_NELEM(rights); i++)
		if (matches(rights[i].action, action))
			return 1;
	return 0;
}

uint32_t
pms_rights_roles(const char *action)
{
	size_t i;

	for (i = 0; i < PMS_NELEM(rights); i++)
		if (matches(rights[i].action, action))
			return rights[i].roles | A;
	return 0;
}

int
pms_rights_row(size_t i, const char **action, uint32_t *roles)
{
	if (i >= PMS_NELEM(rights))
		return 0;
	*action = rights[i].action;
	*roles = rights[i].roles | A;
	return 1;
}

int
pms_rights_reason_valid(const char *r)
{
	size_t n = 0;

	for (; *r != '\0'; r++, n++)
		if ((unsigned char)*r < 0x20 || *r == 0x7f)
			return 0;
	return n >= 3 && n <= 200;
}

/* Write one entry, "what:action", in a transaction of its own. */
static enum pms_status
log_one(struct pms_store *s, const char *what, const char *action)
{
	char entry[128];
	enum pms_status st;

	if ((size_t)snprintf(entry, sizeof(entry), "%s:%s", what, action) >=
	    sizeof(entry))
		return pms_seterr(PMS_EINTERNAL, "action name too long");
	if ((st = pms_store_begin(s)) != PMS_OK)
		return st;
	if ((st = pms_audit_append(s, entry, "", NULL, 0)) != PMS_OK) {
		pms_store_rollback(s);
		return st;
	}
	/* on record even in a dry run */
	return pms_store_commit_log(s);
}

/*
 * Put a refusal on record, when the log can be written: a read-only
 * store or a busy one refuses all the same.  Returns PMS_OK when the
 * caller goes on to refuse, or the status that stops it first.
 */
static enum pms_status
log_refusal(struct pms_store *s, const char *action)
{
	enum pms_status st;

	if ((st = log_one(s, "denied", action)) != PMS_OK &&
	    st != PMS_EDENIED && st != PMS_EBUSY)
		return st;
	return PMS_OK;
}

enum pms_status
pms_store_authorize(struct pms_store *s, const char *action,
    const char *emergency)
{
	char roles[128];
	enum pms_status st;
	int keyfile = s->slot.type == PMS_SLOT_KEYFILE;

	if (!pms_rights_known(action))
		return pms_seterr(PMS_EINTERNAL, "no rights are defined for "
		    "\"%s\"", action);
	if (emergency != NULL && !pms_rights_reason_valid(emergency))
		return pms_seterr(PMS_EUSAGE, "--emergency: give the reason "
		    "in words, on one line (3 to 200 characters)");
	if ((s->u->roles & pms_rights_roles(action)) != 0)
		return PMS_OK;
	pms_roles_fmt(s->u->roles, roles, sizeof(roles));
	/*
	 * Break-glass is for people: a key file is a cron job's, and one
	 * that leaked must not open more than its roles for a reason.
	 */
	if (emergency != NULL && keyfile) {
		if ((st = log_refusal(s, action)) != PMS_OK)
			return st;
		return pms_seterr(PMS_EDENIED, "%s (%s) may not do %s, and "
		    "--emergency is for people, not key files", s->u->label,
		    roles, action);
	}
	if (emergency != NULL) {
		/* one reason flags every later entry of this open store */
		if (s->emergency == NULL &&
		    (s->emergency = strdup(emergency)) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		/* the break-glass use is on record before anything is done */
		return log_one(s, "emergency", action);
	}
	if ((st = log_refusal(s, action)) != PMS_OK)
		return st;
	if (keyfile)
		return pms_seterr(PMS_EDENIED, "%s (%s) may not do %s: make "
		    "the key file with the roles its job needs", s->u->label,
		    roles, action);
	return pms_seterr(PMS_EDENIED, "%s (%s) may not do %s; ask an "
	    "admin, or act with --emergency \"reason\", which is logged",
	    s->u->label, roles, action);
}

enum pms_status
pms_rights_need(struct pms_store *s, const char *action)
{
	char roles[128];
	uint32_t need;
	enum pms_status st;

	if ((need = pms_rights_roles(action)) == 0)
		return pms_seterr(PMS_EINTERNAL, "no rights are defined for "
		    "\"%s\"", action);
	if ((s->u->roles & need) != 0)
		return PMS_OK;
	if ((st = log_refusal(s, action)) != PMS_OK)
		return st;
	if (need == A)
		return pms_seterr(PMS_EDENIED, "user \"%s\" lacks the admin "
		    "role", s->u->label);
	pms_roles_fmt(s->u->roles, roles, sizeof(roles));
	return pms_seterr(PMS_EDENIED, "%s (%s) may not do %s; ask an admin",
	    s->u->label, roles, action);
}

const char *
pms_store_emergency(const struct pms_store *s)
{
	return s->emergency;
}
