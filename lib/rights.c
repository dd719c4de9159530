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

/*
 * Admin may do everything and is not listed.  An entry whose action
 * ends in ".*" covers every action under that prefix; the first match
 * wins, so exceptions come before their wildcard.
 */
static const struct right {
	const char	*action;
	uint32_t	 roles;
} rights[] = {
	/* pms-admin: the store, users, keys: admins only */
	{ "admin.codes.load",		B },
	{ "admin.*",			0 },

	/* pms-patient */
	{ "patient.add",		F },
	{ "patient.show",		F | C | B },
	{ "patient.reveal",		B },	/* the SSN unmasked */
	{ "patient.find",		F | C | B },
	{ "patient.list",		F | C | B },
	{ "patient.update",		F | B },
	{ "patient.export",		F | B },
	{ "patient.import",		F },
	{ "patient.duplicates",		F },
	{ "patient.merge",		F },
	{ "patient.guarantor",		F | B },
	{ "patient.policy.list",	F | C | B },
	{ "patient.policy.*",		F | B },

	/* pms-schedule */
	{ "schedule.hours.list",	F | C | B },
	{ "schedule.off.list",		F | C | B },
	{ "schedule.list",		F | C | B },
	{ "schedule.show",		F | C | B },
	{ "schedule.history",		F | C | B },
	{ "schedule.slots",		F | C },
	{ "schedule.next",		F | C },
	{ "schedule.checkin",		F | C },
	{ "schedule.complete",		F | C },
	{ "schedule.export",		F | C },
	{ "schedule.*",			F },

	/* pms-remind: the cron job sends and records outcomes; opt-outs
	 * and the log are the desk's */
	{ "remind.due",			F | R },
	{ "remind.send",		F | R },
	{ "remind.mark",		F | R },
	{ "remind.optout",		F },
	{ "remind.optin",		F },
	{ "remind.log",			F },

	/* pms-bill: the desk takes payments, clinicians code */
	{ "bill.pay",			F | B },
	{ "bill.balance",		F | B },
	{ "bill.ledger",		F | B },
	{ "bill.list",			F | C | B },
	{ "bill.show",			F | C | B },
	{ "bill.fees.list",		F | C | B },
	{ "bill.code",			C | B },
	{ "bill.*",			B },

	/* pms-claim */
	{ "claim.*",			B },

	/* pms-report: the desk prints its day */
	{ "report.schedule",		F | C | B | U },
	{ "report.day-sheet",		F | B | U },
	{ "report.list",		F | C | B | U },
	{ "report.*",			B | U },

	/* pms-audit */
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

/* A reason fit for the log: printable, one line, not too long. */
static int
reason_valid(const char *r)
{
	size_t n = 0;

	for (; *r != '\0'; r++, n++)
		if ((unsigned char)*r < 0x20 || *r == 0x7f)
			return 0;
	return n >= 3 && n <= 200;
}

/* Write one entry in a transaction of its own. */
static enum pms_status
log_one(struct pms_store *s, const char *action)
{
	enum pms_status st;

	if ((st = pms_store_begin(s)) != PMS_OK)
		return st;
	if ((st = pms_audit_append(s, action, "", NULL, 0)) != PMS_OK) {
		pms_store_rollback(s);
		return st;
	}
	return pms_store_commit(s);
}

enum pms_status
pms_store_authorize(struct pms_store *s, const char *action,
    const char *emergency)
{
	char entry[128], roles[128];
	enum pms_status st;

	if (!pms_rights_known(action))
		return pms_seterr(PMS_EINTERNAL, "no rights are defined for "
		    "\"%s\"", action);
	if (emergency != NULL && !reason_valid(emergency))
		return pms_seterr(PMS_EUSAGE, "--emergency: give the reason "
		    "in words, on one line (3 to 200 characters)");
	if ((s->u->roles & pms_rights_roles(action)) != 0)
		return PMS_OK;
	if ((size_t)snprintf(entry, sizeof(entry), "%s:%s", emergency != NULL
	    ? "emergency" : "denied", action) >= sizeof(entry))
		return pms_seterr(PMS_EINTERNAL, "action name too long");
	if (emergency != NULL) {
		if ((s->emergency = strdup(emergency)) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		/* the break-glass use is on record before anything is done */
		return log_one(s, entry);
	}
	/* a refusal is on record too, when the log can be written */
	if ((st = log_one(s, entry)) != PMS_OK && st != PMS_EDENIED &&
	    st != PMS_EBUSY)
		return st;
	pms_roles_fmt(s->u->roles, roles, sizeof(roles));
	return pms_seterr(PMS_EDENIED, "%s (%s) may not do %s; ask an "
	    "admin, or act with --emergency \"reason\", which is logged",
	    s->u->label, roles, action);
}

const char *
pms_store_emergency(const struct pms_store *s)
{
	return s->emergency;
}
