/*
 * patient.c: the patient registry.  Adding, reading, changing and
 * finding patients; likely duplicates and merging one into another;
 * guarantors; insurance policies.  Each command is one IMMEDIATE
 * transaction with its audit entry, which names fields, never values.
 *
 * The merge table below is the one list of (table, column) pairs that
 * point at a patient: a module whose table does adds its row there, and
 * a test in its own .bats that a merge moves it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "patient_int.h"

/*
 * Every (table, column) that points at a patient, with the statement
 * that moves its rows from the dropped patient (?2) to the kept one
 * (?1).  Later modules add theirs: appointments, charges, ledger, ...
 * A NULL statement marks an append-only record that stays where it is
 * and is read through merged_into (the accounting of disclosures).
 */
static const struct merge_ref {
	const char	*table;
	const char	*column;
	const char	*move;
} merge_refs[] = {
	{ "policies", "patient_id",
	  "UPDATE policies SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "guarantors", "patient_id",
	  "UPDATE guarantors SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "disclosures", "patient_id", NULL },
	/* 0005-schedule: a merge may leave the kept patient with two
	 * appointments at once; the book shows both, as they were booked */
	{ "appointments", "patient_id",
	  "UPDATE appointments SET patient_id = ?1 WHERE patient_id = ?2" },
	/* 0007-remind: the reminders sent, and the opt-outs (drop's choice
	 * not to be messaged is keep's: it is the same person) */
	{ "reminders", "patient_id",
	  "UPDATE reminders SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "reminder_optouts", "patient_id",
	  "UPDATE reminder_optouts SET patient_id = ?1 WHERE patient_id = ?2" },
	/* 0006-bill: the ledger's patient_id is the one column of it a
	 * merge may change */
	{ "visits", "patient_id",
	  "UPDATE visits SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "charges", "patient_id",
	  "UPDATE charges SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "payments", "patient_id",
	  "UPDATE payments SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "ledger", "patient_id",
	  "UPDATE ledger SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "balances", "patient_id",
	  "UPDATE balances SET patient_id = ?1 WHERE patient_id = ?2" },
	{ "statements", "patient_id",
	  "UPDATE statements SET patient_id = ?1 WHERE patient_id = ?2" },
	/* 0008-claim: a claim is the patient's, as its visit is */
	{ "claims", "patient_id",
	  "UPDATE claims SET patient_id = ?1 WHERE patient_id = ?2" },
	/* 0009-claim-answers: the postings of 835s and their denials */
	{ "claim_remit_claims", "patient_id",
	  "UPDATE claim_remit_claims SET patient_id = ?1 WHERE patient_id = "
	  "?2" },
	{ "claim_denials", "patient_id",
	  "UPDATE claim_denials SET patient_id = ?1 WHERE patient_id = ?2" },
};

/*
 * Every (table, column) that points at a policy: a merge that folds
 * two identical policies into one points their rows at the one kept
 * (?1 for ?2), and "policy remove" refuses a policy any of them points
 * at (it was billed against: end it instead).  Later modules that
 * point at policies (charges, claims) add their row here, with a test
 * in their own .bats that a merge folds and a remove refuses.  The
 * last row is the end.
 */
static const struct policy_ref {
	const char	*table;
	const char	*count;		/* ?1 a policy: how many rows */
	const char	*move;		/* to ?1 from ?2 */
} policy_refs[] = {
	/* 0008-claim: the policy a claim was made to */
	{ "claims", "SELECT count(*) FROM claims WHERE policy_id = ?1",
	  "UPDATE claims SET policy_id = ?1 WHERE policy_id = ?2" },
	/* 0006-bill: a payer's payment under the policy */
	{ "payments", "SELECT count(*) FROM payments WHERE policy_id = ?1",
	  "UPDATE payments SET policy_id = ?1 WHERE policy_id = ?2" },
	/*
	 * 0006-bill: the ledger is append-only, so a policy it names is
	 * never folded (fold_policies leaves it, the same card twice) and
	 * there is no move; balances follow the ledger.
	 */
	{ "ledger", "SELECT count(*) FROM ledger WHERE policy_id = ?1",
	  NULL },
	/* 0009-claim-answers: the policy an 835 posted against */
	{ "claim_remit_claims",
	  "SELECT count(*) FROM claim_remit_claims WHERE policy_id = ?1",
	  "UPDATE claim_remit_claims SET policy_id = ?1 WHERE policy_id = ?2" },
	{ "claim_remit_ops",
	  "SELECT count(*) FROM claim_remit_ops WHERE from_policy = ?1 OR "
	  "to_policy = ?1",
	  "UPDATE claim_remit_ops SET from_policy = CASE from_policy WHEN ?2 "
	  "THEN ?1 ELSE from_policy END, to_policy = CASE to_policy WHEN ?2 "
	  "THEN ?1 ELSE to_policy END WHERE from_policy = ?2 OR to_policy = "
	  "?2" },
	/* 0010-claim-secondary: the policy whose payer adjudicated */
	{ "claim_adjudications",
	  "SELECT count(*) FROM claim_adjudications WHERE policy_id = ?1",
	  "UPDATE claim_adjudications SET policy_id = ?1 WHERE policy_id = "
	  "?2" },
	{ NULL, NULL, NULL }
};

#define PF(name, kind, max, req) \
	{ #name, kind, max, offsetof(struct pms_patient, name), \
	  sizeof(((struct pms_patient *)0)->name), req }
#define PB(name) \
	{ #name, K_BOOL, 3, offsetof(struct pms_patient, name), 0, 0 }

const struct pt_field pms_pt_fields[PMS_PF_COUNT] = {
	PF(mrn, K_MRN, 64, 0),
	PF(last_name, K_NAME, 60, 1),
	PF(first_name, K_NAME, 35, 1),
	PF(middle_name, K_NAME, 25, 0),
	PF(suffix, K_NAME, 10, 0),
	PF(preferred_name, K_NAME, 35, 0),
	PF(dob, K_DATE, 10, 1),
	PF(sex, K_SEX, 1, 0),
	PF(street, K_TEXT, 55, 0),
	PF(street2, K_TEXT, 55, 0),
	PF(city, K_TEXT, 30, 0),
	PF(state, K_STATE, 20, 0),
	PF(zip, K_ZIP, 15, 0),
	PF(country, K_COUNTRY, 2, 0),
	PF(phone, K_PHONE, 16, 0),
	PF(mobile_phone, K_PHONE, 16, 0),
	PF(work_phone, K_PHONE, 16, 0),
	PF(email, K_EMAIL, 254, 0),
	PF(preferred_contact, K_CONTACT, 5, 0),
	PB(sms_consent),
	PB(email_consent),
	PF(language, K_LANG, 15, 0),
	PF(first_visit, K_STAMP, 19, 0),
	PF(status, K_STATUS, 8, 0),
	PF(deceased_on, K_DATE, 10, 0),
	PF(ssn, K_SSN, 9, 0),
};

#define GF(name, kind, max, req) \
	{ #name, kind, max, offsetof(struct pms_guarantor, name), \
	  sizeof(((struct pms_guarantor *)0)->name), req }

const struct pt_field pms_g_fields[PMS_GF_COUNT] = {
	GF(last_name, K_NAME, 60, 1),
	GF(first_name, K_NAME, 35, 1),
	GF(middle_name, K_NAME, 25, 0),
	GF(suffix, K_NAME, 10, 0),
	GF(dob, K_DATE, 10, 0),
	GF(street, K_TEXT, 55, 0),
	GF(street2, K_TEXT, 55, 0),
	GF(city, K_TEXT, 30, 0),
	GF(state, K_STATE, 20, 0),
	GF(zip, K_ZIP, 15, 0),
	GF(country, K_COUNTRY, 2, 0),
	GF(phone, K_PHONE, 16, 0),
	GF(email, K_EMAIL, 254, 0),
};

#define OF(name, kind, max, req) \
	{ #name, kind, max, offsetof(struct pms_policy, name), \
	  sizeof(((struct pms_policy *)0)->name), req }

/* payer and priority are held as text here and resolved apart */
const struct pt_field pms_pol_fields[PMS_OF_COUNT] = {
	OF(payer, K_CODE, 32, 1),
	{ "priority", K_PRIORITY, 9, offsetof(struct pms_policy, priority),
	  0, 0 },
	OF(member_id, K_ID, 80, 1),
	OF(group_number, K_ID, 50, 0),
	OF(relationship, K_SUBREL, 6, 0),
	OF(subscriber_last_name, K_NAME, 60, 0),
	OF(subscriber_first_name, K_NAME, 35, 0),
	OF(subscriber_middle_name, K_NAME, 25, 0),
	OF(subscriber_suffix, K_NAME, 10, 0),
	OF(subscriber_dob, K_DATE, 10, 0),
	OF(subscriber_sex, K_SEX, 1, 0),
	OF(subscriber_street, K_TEXT, 55, 0),
	OF(subscriber_street2, K_TEXT, 55, 0),
	OF(subscriber_city, K_TEXT, 30, 0),
	OF(subscriber_state, K_STATE, 20, 0),
	OF(subscriber_zip, K_ZIP, 15, 0),
	OF(effective_from, K_DAY, 10, 0),
	OF(effective_to, K_DAY, 10, 0),
};

const char *
pms_pt_field_name(int f)
{
	return f >= 0 && f < PMS_PF_COUNT ? pms_pt_fields[f].name : NULL;
}

int
pms_pt_field_find(const char *name)
{
	int i;

	for (i = 0; i < PMS_PF_COUNT; i++)
		if (strcasecmp(pms_pt_fields[i].name, name) == 0)
			return i;
	return -1;
}

const char *
pms_g_field_name(int f)
{
	return f >= 0 && f < PMS_GF_COUNT ? pms_g_fields[f].name : NULL;
}

const char *
pms_pol_field_name(int f)
{
	return f >= 0 && f < PMS_OF_COUNT ? pms_pol_fields[f].name : NULL;
}

/* ---- SQL ---- */

/* The columns read into a struct pms_patient, in the order of
 * read_patient(); name_key last, for find. */
#define PT_COLS \
	"id, merged_into, guarantor_id, mrn, last_name, first_name, " \
	"middle_name, suffix, preferred_name, dob, sex, street, street2, " \
	"city, state, zip, country, phone, mobile_phone, work_phone, email, " \
	"preferred_contact, sms_consent, email_consent, language, " \
	"first_visit, status, deceased_on, ssn, guarantor_relationship, " \
	"created_at, updated_at, name_key"
#define PT_NCOLS	33

const char pt_sql_insert[] =
    "INSERT INTO patients (mrn, last_name, first_name, middle_name, "
    "suffix, preferred_name, dob, sex, street, street2, city, state, zip, "
    "country, phone, mobile_phone, work_phone, email, preferred_contact, "
    "sms_consent, email_consent, language, first_visit, status, "
    "deceased_on, ssn, last_key, first_key, name_key, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
    "?26, ?27, ?28, ?29, ?30, ?30)";

const char pt_sql_update[] =
    "UPDATE patients SET mrn = ?1, last_name = ?2, first_name = ?3, "
    "middle_name = ?4, suffix = ?5, preferred_name = ?6, dob = ?7, "
    "sex = ?8, street = ?9, street2 = ?10, city = ?11, state = ?12, "
    "zip = ?13, country = ?14, phone = ?15, mobile_phone = ?16, "
    "work_phone = ?17, email = ?18, preferred_contact = ?19, "
    "sms_consent = ?20, email_consent = ?21, language = ?22, "
    "first_visit = ?23, status = ?24, deceased_on = ?25, ssn = ?26, "
    "last_key = ?27, first_key = ?28, name_key = ?29, updated_at = ?30 "
    "WHERE id = ?31";

const char pt_sql_get[] =
    "SELECT " PT_COLS " FROM patients WHERE id = ?";
const char pt_sql_by_mrn[] =
    "SELECT id, merged_into FROM patients WHERE mrn = ?";
/* name + date of birth: the import's second match */
const char pt_sql_by_name[] =
    "SELECT id, mrn FROM patients WHERE dob = ?1 AND last_key = ?2 AND "
    "first_key = ?3 AND merged_into IS NULL ORDER BY id LIMIT 2";

/* Bind p's fields to ?1..?29 and now to ?30, all borrowed until the
 * statement is reset: p, the keys and now must outlive its step. */
void
pt_bind_keyed(sqlite3_stmt *st, const struct pms_patient *p, const char *now,
    const char *lk, const char *fk, const char *nk)
{
	const struct pt_field *f;
	const char *v;
	int i;

	for (i = 0; i < PMS_PF_COUNT; i++) {
		f = &pms_pt_fields[i];
		if (f->size == 0) {
			sqlite3_bind_int(st, i + 1, *(const int *)(const void *)
			    ((const char *)p + f->off));
			continue;
		}
		v = (const char *)p + f->off;
		if (*v == '\0')
			sqlite3_bind_null(st, i + 1);
		else
			sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 27, lk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 28, fk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 29, nk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 30, now, -1, SQLITE_STATIC);
}

static void
col_copy(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	pt_cpy(buf, size, t != NULL ? (const char *)t : "");
}

/* A row of PT_COLS into p; the SSN masked unless reveal. */
void
pt_read(sqlite3_stmt *st, struct pms_patient *p, int reveal)
{
	const struct pt_field *f;
	char ssn[16];
	int i;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->merged_into = sqlite3_column_int64(st, 1);
	p->guarantor_id = sqlite3_column_int64(st, 2);
	for (i = 0; i < PMS_PF_COUNT; i++) {
		f = &pms_pt_fields[i];
		if (f->size == 0)
			*(int *)(void *)((char *)p + f->off) =
			    sqlite3_column_int(st, 3 + i);
		else
			col_copy(st, 3 + i, (char *)p + f->off, f->size);
	}
	col_copy(st, 29, p->guarantor_relationship,
	    sizeof(p->guarantor_relationship));
	col_copy(st, 30, p->created_at, sizeof(p->created_at));
	col_copy(st, 31, p->updated_at, sizeof(p->updated_at));
	if (!reveal) {
		pms_ssn_mask(p->ssn, ssn);
		snprintf(p->ssn, sizeof(p->ssn), "%s", ssn);
	}
}

void
pms_ssn_mask(const char *ssn, char out[16])
{
	size_t n = strlen(ssn);

	if (n == 0) {
		out[0] = '\0';
		return;
	}
	if (n != 9) {
		snprintf(out, 16, "***-**-****");
		return;
	}
	snprintf(out, 16, "***-**-%s", ssn + 5);
}

/* The search keys of p: last, first, and every name word. */
enum pms_status
pt_keys(const struct pms_patient *p, char lk[PMS_PT_KEY],
    char fk[PMS_PT_KEY], char *nk, size_t nsize)
{
	char mk[PMS_PT_KEY], pk[PMS_PT_KEY];
	enum pms_status st;

	if ((st = pms_name_key(p->last_name, lk, PMS_PT_KEY)) != PMS_OK ||
	    (st = pms_name_key(p->first_name, fk, PMS_PT_KEY)) != PMS_OK ||
	    (st = pms_name_key(p->middle_name, mk, PMS_PT_KEY)) != PMS_OK ||
	    (st = pms_name_key(p->preferred_name, pk, PMS_PT_KEY)) != PMS_OK)
		return st;
	if ((size_t)snprintf(nk, nsize, "%s %s%s%s%s%s", lk, fk,
	    *mk != '\0' ? " " : "", mk, *pk != '\0' ? " " : "", pk) >= nsize)
		return pms_seterr(PMS_EDATA, "names too long");
	return PMS_OK;
}

/* ---- checking what was typed ---- */

/* The environment for a patient: their own country when they have one. */
static void
env_for(const struct pt_env *env, const char *country, struct pt_env *e)
{
	*e = *env;
	if (country != NULL && *country != '\0')
		snprintf(e->country, sizeof(e->country), "%s", country);
}

int
pt_check(const struct pt_env *env0, struct pt_dates *dates,
    unsigned long line, const char *const in[PMS_PF_COUNT], int update,
    struct pms_patient *p, uint32_t *given, pt_msg_fn *msg, void *arg)
{
	const struct pt_field *f;
	const char *notice, *warn, *v;
	struct pt_env env;
	char out[PMS_PT_EMAIL + 16], country[3];
	int i, errors = 0, k;
	enum pms_status st;

	*given = 0;
	/* the country first: it says how ZIP codes, states and phones read */
	snprintf(country, sizeof(country), "%s", p->country);
	v = in[PMS_PF_COUNTRY];
	if (v != NULL && *v != '\0') {
		notice = warn = NULL;
		/* a bad one is told below, with the other fields */
		if (pt_value(&pms_pt_fields[PMS_PF_COUNTRY], v, env0, dates,
		    line, out, sizeof(out), &notice, &warn) == PMS_OK)
			pt_cpy(country, sizeof(country), out);
	}
	env_for(env0, country, &env);
	for (i = 0; i < PMS_PF_COUNT; i++) {
		f = &pms_pt_fields[i];
		v = in[i];
		if (v == NULL || (*v == '\0' && !update))
			continue;
		*given |= UINT32_C(1) << i;
		if (*v == '\0') {
			if (f->required) {
				msg(arg, 0, i, "may not be empty");
				errors++;
			} else
				pt_store(f, p, f->size == 0 ? "0" : "");
			continue;
		}
		notice = warn = NULL;
		st = pt_value(f, v, &env, dates, line, out, sizeof(out),
		    &notice, &warn);
		if (st != PMS_OK) {
			msg(arg, 0, i, pms_errmsg());
			errors++;
			continue;
		}
		if (warn != NULL)
			msg(arg, 1, i, warn);
		if (notice != NULL)
			msg(arg, 2, i, notice);
		pt_store(f, p, out);
	}
	if (p->country[0] == '\0')
		pt_cpy(p->country, sizeof(p->country), env.country);
	for (i = 0; i < PMS_PF_COUNT; i++) {
		f = &pms_pt_fields[i];
		if (f->required && (in[i] == NULL || *in[i] == '\0') &&
		    *((char *)p + f->off) == '\0') {
			msg(arg, 0, i, "missing");
			errors++;
		}
	}
	if (errors > 0)
		return errors;
	if (p->sex[0] == '\0')
		snprintf(p->sex, sizeof(p->sex), "U");
	if (p->deceased_on[0] != '\0') {
		k = (*given >> PMS_PF_STATUS) & 1;
		if (k && strcmp(p->status, "deceased") != 0 &&
		    ((*given >> PMS_PF_DECEASED_ON) & 1)) {
			msg(arg, 0, PMS_PF_STATUS, "not deceased, yet a "
			    "deceased_on date is given");
			errors++;
		} else if (k && strcmp(p->status, "deceased") != 0) {
			msg(arg, 0, PMS_PF_STATUS, "the patient has a "
			    "deceased_on date: clear it too (an empty "
			    "deceased_on, --deceased-on '')");
			errors++;
		}
		snprintf(p->status, sizeof(p->status), "deceased");
	}
	if (p->status[0] == '\0')
		snprintf(p->status, sizeof(p->status), "active");
	if (p->dob[0] != '\0' && p->deceased_on[0] != '\0' &&
	    strcmp(p->deceased_on, p->dob) < 0) {
		msg(arg, 0, PMS_PF_DECEASED_ON, "before the date of birth");
		errors++;
	}
	if (p->dob[0] != '\0' && p->first_visit[0] != '\0' &&
	    strncmp(p->first_visit, p->dob, 10) < 0) {
		msg(arg, 0, PMS_PF_FIRST_VISIT, "before the date of birth");
		errors++;
	}
	return errors;
}

/* ---- naming a patient ---- */

enum pms_status
pms_patient_id_parse(const char *s, int64_t *id)
{
	int64_t v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return pms_seterr(PMS_EUSAGE, "a patient id is a number");
	for (p = s; *p != '\0'; p++) {
		/* never quoted: what is not an id may be a name */
		if (!isdigit((unsigned char)*p))
			return pms_seterr(PMS_EUSAGE, "a patient id is a "
			    "number (digits only): give --mrn for an MRN, or "
			    "find the patient (find --name)");
		if (v > (INT64_MAX - 9) / 10)
			return pms_seterr(PMS_EUSAGE, "a patient id is a "
			    "number: that one is too large");
		v = v * 10 + (*p - '0');
	}
	if (v == 0)
		return pms_seterr(PMS_EUSAGE, "a patient id is a number from "
		    "1 on");
	*id = v;
	return PMS_OK;
}

/* Follow merged_into from id; *idp the end. */
static enum pms_status
follow(struct pms_store *s, int64_t id, int64_t *idp, int64_t *from)
{
	sqlite3_stmt *st = NULL;
	int64_t cur = id, next;
	int rc, hops;
	enum pms_status ps = PMS_OK;

	rc = pms_store_prepare(s, "SELECT merged_into FROM patients "
	    "WHERE id = ?", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "finding a patient");
	for (hops = 0; hops < 64; hops++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, cur);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			ps = pms_seterr(PMS_EREFUSED, "no patient %lld",
			    (long long)cur);
			goto out;
		}
		if (rc != SQLITE_ROW) {
			ps = pms_store_sqlerr(s, rc, "finding a patient");
			goto out;
		}
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			break;
		next = sqlite3_column_int64(st, 0);
		cur = next;
	}
	if (hops == 64) {
		ps = pms_seterr(PMS_EINTERNAL, "patient %lld: merges go round "
		    "in a circle", (long long)id);
		goto out;
	}
	*idp = cur;
	if (from != NULL)
		*from = cur != id ? id : 0;
out:
	pms_store_finalize(s, st);
	return ps;
}

enum pms_status
pms_patient_id(struct pms_store *s, int64_t id, const char *mrn, int64_t *idp,
    int64_t *merged_from)
{
	sqlite3_stmt *st = NULL;
	char key[PMS_PT_MRN];
	int rc;

	if (merged_from != NULL)
		*merged_from = 0;
	if (id > 0)
		return follow(s, id, idp, merged_from);
	if (mrn == NULL || *mrn == '\0')
		return pms_seterr(PMS_EUSAGE, "no patient given");
	if (pt_mrn_norm(mrn, key) != PMS_OK)
		return pms_seterr(PMS_EREFUSED, "no patient with that MRN");
	rc = sqlite3_prepare_v2(s->db, pt_sql_by_mrn, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "finding a patient");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "no patient with that MRN");
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "finding a patient");
	return follow(s, id, idp, merged_from);
}

enum pms_status
pms_patient_get(struct pms_store *s, int64_t id, int reveal,
    struct pms_patient *p)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc;

	if ((ps = follow(s, id, &id, NULL)) != PMS_OK)
		return ps;
	rc = pms_store_prepare(s, pt_sql_get, &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a patient");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		pt_read(st, p, reveal);
	pms_store_finalize(s, st);
	if (rc == SQLITE_DONE)
		return pms_seterr(PMS_EREFUSED, "no patient %lld",
		    (long long)id);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a patient");
	return PMS_OK;
}

/* ---- audit helpers ---- */

/* Append the names of the fields in mask to buf, comma separated. */
void
pt_fields_fmt(uint32_t mask, char *buf, size_t size)
{
	size_t n = 0;
	int i, w;

	buf[0] = '\0';
	for (i = 0; i < PMS_PF_COUNT; i++) {
		if (!(mask & (UINT32_C(1) << i)))
			continue;
		w = snprintf(buf + n, size - n, "%s%s", n > 0 ? "," : "",
		    pms_pt_fields[i].name);
		if (w < 0 || (size_t)w >= size - n) {
			buf[n] = '\0';
			return;
		}
		n += (size_t)w;
	}
}

static enum pms_status
audit1(struct pms_store *s, const char *action, const char *fields,
    int64_t id)
{
	return pms_audit_append(s, action, fields, &id, id > 0 ? 1 : 0);
}

/* The fields a read shows: all but the SSN, which is masked unless
 * revealed. */
static uint32_t
read_mask(int reveal)
{
	uint32_t all = (UINT32_C(1) << PMS_PF_COUNT) - 1;

	return reveal ? all : all & ~(UINT32_C(1) << PMS_PF_SSN);
}

/* What list and find show. */
#define SHORT_MASK \
	((UINT32_C(1) << PMS_PF_MRN) | (UINT32_C(1) << PMS_PF_LAST_NAME) | \
	(UINT32_C(1) << PMS_PF_FIRST_NAME) | (UINT32_C(1) << PMS_PF_DOB) | \
	(UINT32_C(1) << PMS_PF_SEX) | (UINT32_C(1) << PMS_PF_PHONE) | \
	(UINT32_C(1) << PMS_PF_MOBILE_PHONE) | (UINT32_C(1) << PMS_PF_STATUS))

/* ---- add, update, show ---- */

struct report_ctx {
	pms_pt_report_fn *report;
	void		*arg;
	const char	*const *names;	/* field names for messages */
};

static void
report_msg(void *arg, int kind, int field, const char *text)
{
	struct report_ctx *r = arg;
	char buf[600];

	snprintf(buf, sizeof(buf), "%s: %s", r->names != NULL ?
	    r->names[field] : pms_pt_fields[field].name, text);
	if (r->report != NULL)
		r->report(r->arg, kind, buf);
}

/*
 * How many patients other than id (not merged away) have p's name keys
 * and date of birth, in *n, and the first of them in *first.
 */
static enum pms_status
same_person(struct pms_store *s, const struct pms_patient *p,
    const char *lk, const char *fk, int64_t id, int64_t *n, int64_t *first)
{
	static const char sql[] =
	    "SELECT count(*), min(id) FROM patients WHERE dob = ?1 AND "
	    "last_key = ?2 AND first_key = ?3 AND merged_into IS NULL AND "
	    "id <> ?4";
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	*first = 0;
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return pms_store_sqlerr(s, rc, "looking for the same patient");
	sqlite3_bind_text(st, 1, p->dob, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, fk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		*first = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "looking for the same patient");
	return PMS_OK;
}

enum pms_status
pms_patient_add(struct pms_store *s, const struct pms_pt_input *in,
    pms_pt_report_fn *report, void *arg, int64_t *idp,
    char mrn[PMS_PT_MRN])
{
	struct report_ctx rc = { report, arg, NULL };
	struct pt_dates dates = { in->date_form, PMS_DATE_ISO, 0 };
	struct pms_patient p;
	struct pt_env env;
	sqlite3_stmt *st = NULL;
	char now[PMS_PT_STAMP], fields[600], msg[200];
	char lk[PMS_PT_KEY], fk[PMS_PT_KEY], nk[PMS_PT_NKEY];
	uint32_t given;
	int64_t dup, nsame, first;
	enum pms_status ps;
	int r;

	if ((ps = pt_env_load(s, &env)) != PMS_OK)
		return ps;
	if (in->country != NULL)
		snprintf(env.country, sizeof(env.country), "%s", in->country);
	memset(&p, 0, sizeof(p));
	if (pt_check(&env, &dates, 0, in->in, 0, &p, &given, report_msg,
	    &rc) > 0)
		return pms_seterr(PMS_EDATA, "nothing was added");
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if (p.mrn[0] != '\0' && pms_patient_id(s, 0, p.mrn, &dup, NULL) ==
	    PMS_OK) {
		ps = pms_seterr(PMS_EREFUSED, "mrn: patient %lld has that MRN "
		    "already", (long long)dup);
		goto fail;
	}
	pt_now(now);
	if ((ps = pt_keys(&p, lk, fk, nk, sizeof(nk))) != PMS_OK)
		goto fail;
	r = sqlite3_prepare_v2(s->db, pt_sql_insert, -1, &st, NULL);
	if (r != SQLITE_OK)
		goto sqlfail;
	pt_bind_keyed(st, &p, now, lk, fk, nk);
	if ((r = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	*idp = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	st = NULL;
	pt_fields_fmt(given, fields, sizeof(fields));
	if ((ps = audit1(s, "patient.add", fields, *idp)) != PMS_OK ||
	    (ps = same_person(s, &p, lk, fk, *idp, &nsame, &first)) !=
	    PMS_OK)
		goto fail;
	if (mrn != NULL)
		pt_cpy(mrn, PMS_PT_MRN, p.mrn);
	if ((ps = pms_store_commit(s)) != PMS_OK)
		return ps;
	/* added all the same: a twin, or a namesake born the same day */
	if (nsame == 1)
		snprintf(msg, sizeof(msg), "patient %lld has the same name "
		    "and date of birth: if they are one person, merge them "
		    "(pms-patient merge %lld %lld)", (long long)first,
		    (long long)first, (long long)*idp);
	else if (nsame > 1)
		snprintf(msg, sizeof(msg), "%lld patients (the first: %lld) "
		    "have the same name and date of birth: see pms-patient "
		    "duplicates", (long long)nsame, (long long)first);
	if (nsame > 0 && report != NULL)
		report(arg, 1, msg);
	return PMS_OK;
sqlfail:
	ps = pms_store_sqlerr(s, r, "adding a patient");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

/* The fields whose normalised values differ between a and b. */
uint32_t
pt_diff(const struct pms_patient *a, const struct pms_patient *b)
{
	const struct pt_field *f;
	char x[16], y[16];
	uint32_t mask = 0;
	int i;

	for (i = 0; i < PMS_PF_COUNT; i++) {
		f = &pms_pt_fields[i];
		if (strcmp(pt_text(f, a, x, sizeof(x)), pt_text(f, b, y,
		    sizeof(y))) != 0)
			mask |= UINT32_C(1) << i;
	}
	return mask;
}

/* Write p over the row of p->id. */
static enum pms_status
write_patient(struct pms_store *s, const struct pms_patient *p)
{
	sqlite3_stmt *st = NULL;
	char now[PMS_PT_STAMP];
	char lk[PMS_PT_KEY], fk[PMS_PT_KEY], nk[PMS_PT_NKEY];
	enum pms_status ps;
	int rc;

	pt_now(now);
	if ((ps = pt_keys(p, lk, fk, nk, sizeof(nk))) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, pt_sql_update, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "changing a patient");
	pt_bind_keyed(st, p, now, lk, fk, nk);
	sqlite3_bind_int64(st, 31, p->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			return pms_seterr(PMS_EREFUSED, "mrn: another patient "
			    "has that MRN already");
		return pms_store_sqlerr(s, rc, "changing a patient");
	}
	return PMS_OK;
}

enum pms_status
pms_patient_update(struct pms_store *s, int64_t id,
    const struct pms_pt_input *in, pms_pt_report_fn *report, void *arg,
    int *changed)
{
	struct report_ctx rc = { report, arg, NULL };
	struct pt_dates dates = { in->date_form, PMS_DATE_ISO, 0 };
	struct pms_patient old, p;
	struct pt_env env;
	char fields[600];
	uint32_t given, diff;
	int64_t dup;
	enum pms_status ps;

	*changed = 0;
	if ((ps = pt_env_load(s, &env)) != PMS_OK)
		return ps;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_patient_get(s, id, 1, &old)) != PMS_OK)
		goto fail;
	if (old.id != id) {
		ps = pms_seterr(PMS_EREFUSED, "patient %lld was merged into "
		    "%lld: change %lld instead", (long long)id,
		    (long long)old.id, (long long)old.id);
		goto fail;
	}
	p = old;
	if (pt_check(&env, &dates, 0, in->in, 1, &p, &given, report_msg,
	    &rc) > 0) {
		ps = pms_seterr(PMS_EDATA, "nothing was changed");
		goto fail;
	}
	diff = pt_diff(&old, &p);
	if ((diff >> PMS_PF_MRN) & 1 && p.mrn[0] != '\0' &&
	    pms_patient_id(s, 0, p.mrn, &dup, NULL) == PMS_OK && dup != id) {
		ps = pms_seterr(PMS_EREFUSED, "mrn: patient %lld has that MRN "
		    "already", (long long)dup);
		goto fail;
	}
	if (diff != 0 && (ps = write_patient(s, &p)) != PMS_OK)
		goto fail;
	pt_fields_fmt(diff, fields, sizeof(fields));
	if ((ps = audit1(s, "patient.update", fields, id)) != PMS_OK)
		goto fail;
	if ((ps = pms_store_commit(s)) != PMS_OK)
		return ps;
	*changed = diff != 0;
	return PMS_OK;
fail:
	pms_store_rollback(s);
	return ps;
}

enum pms_status
pms_patient_show(struct pms_store *s, int64_t id, int reveal,
    const char *emergency, struct pms_patient *p, int64_t *merged_from)
{
	char fields[600];
	int64_t to;
	enum pms_status ps;

	if (reveal && (ps = pms_store_authorize(s, "patient.reveal",
	    emergency)) != PMS_OK)
		return ps;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_patient_id(s, id, NULL, &to, merged_from)) != PMS_OK ||
	    (ps = pms_patient_get(s, to, reveal, p)) != PMS_OK)
		goto fail;
	pt_fields_fmt(read_mask(reveal), fields, sizeof(fields));
	if ((ps = audit1(s, "patient.show", fields, to)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
fail:
	pms_store_rollback(s);
	return ps;
}

/* ---- list, find, export ---- */

/* 1 if every word of the folded query is a prefix of a word of key. */
static int
name_matches(const char *key, const char *query)
{
	const char *q = query, *k, *w;
	size_t n;

	while (*q != '\0') {
		while (*q == ' ')
			q++;
		if (*q == '\0')
			break;
		for (n = 0; q[n] != '\0' && q[n] != ' '; n++)
			;
		for (k = key, w = NULL; *k != '\0';) {
			while (*k == ' ')
				k++;
			if (strncmp(k, q, n) == 0) {
				w = k;
				break;
			}
			while (*k != '\0' && *k != ' ')
				k++;
		}
		if (w == NULL)
			return 0;
		q += n;
	}
	return 1;
}

/* A query's walk (pms_read_run): its statement and key, decided once. */
struct pt_walk {
	const struct pms_pt_query *q;
	const char	*sql;
	const char	*key;		/* bound to ?1, or NULL */
	const char	*qkey;		/* the folded --name, or "" */
	const char	*dob;		/* the normalised --dob, or NULL */
	pms_pt_fn	*fn;
	void		*arg;
	size_t		*count;
};

static enum pms_status
pt_walk(struct pms_store *s, struct pms_read *r, void *arg)
{
	struct pt_walk *w = arg;
	const struct pms_pt_query *q = w->q;
	struct pms_patient p;
	sqlite3_stmt *st = NULL;
	int64_t id;
	int rc, show;
	enum pms_status ps = PMS_OK;

	rc = sqlite3_prepare_v2(s->db, w->sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading patients");
	if (q->id > 0)
		sqlite3_bind_int64(st, 1, q->id);
	else if (w->key != NULL)
		sqlite3_bind_text(st, 1, w->key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!q->merged && sqlite3_column_type(st, 1) != SQLITE_NULL)
			continue;
		if (q->status != NULL && strcmp((const char *)
		    sqlite3_column_text(st, 3 + PMS_PF_STATUS), q->status) != 0)
			continue;
		if (w->dob != NULL && strcmp((const char *)
		    sqlite3_column_text(st, 3 + PMS_PF_DOB), w->dob) != 0)
			continue;
		if (*w->qkey != '\0' && !name_matches((const char *)
		    sqlite3_column_text(st, PT_NCOLS - 1), w->qkey))
			continue;
		id = sqlite3_column_int64(st, 0);
		if ((ps = pms_read_row(r, id, &id, 1, &show)) != PMS_OK)
			goto out;
		if (!show)
			continue;
		pt_read(st, &p, q->reveal);
		(*w->count)++;
		if (w->fn(w->arg, &p) != 0) {
			ps = pms_read_stopped();
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading patients");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_patient_query(struct pms_store *s, const struct pms_pt_query *q,
    pms_pt_fn *fn, void *arg, size_t *count)
{
	/* one statement per key, so that each uses its index */
	static const char by_id[] = "SELECT " PT_COLS " FROM patients "
	    "WHERE id = ?1";
	static const char by_mrn[] = "SELECT " PT_COLS " FROM patients "
	    "WHERE mrn = ?1";
	static const char by_dob[] = "SELECT " PT_COLS " FROM patients "
	    "WHERE dob = ?1 ORDER BY id";
	static const char by_phone[] = "SELECT " PT_COLS " FROM patients "
	    "WHERE ?1 IN (phone, mobile_phone, work_phone) ORDER BY id";
	static const char all[] = "SELECT " PT_COLS " FROM patients "
	    "ORDER BY id";
	struct pms_read_spec sp;
	struct pt_walk w;
	struct pt_env env;
	struct pt_dates dates = { q->date_form, PMS_DATE_ISO, 0 };
	const char *notice, *warn;
	char qkey[PMS_PT_KEY], val[PMS_PT_EMAIL], fields[600];
	char mrn[PMS_PT_MRN];
	const struct pt_field *f;
	enum pms_status ps;

	*count = 0;
	memset(&w, 0, sizeof(w));
	w.q = q;
	w.sql = all;
	w.fn = fn;
	w.arg = arg;
	w.count = count;
	qkey[0] = '\0';
	w.qkey = qkey;
	if ((ps = pt_env_load(s, &env)) != PMS_OK)
		return ps;
	if (q->name != NULL && (ps = pms_name_key(q->name, qkey,
	    sizeof(qkey))) != PMS_OK)
		return pt_reerr(PMS_EUSAGE, "--name");
	/* a selector that selects nothing would select everyone */
	if (q->name != NULL && strspn(qkey, " ") == strlen(qkey))
		return pms_seterr(PMS_EUSAGE, "--name: give a name, or the "
		    "start of one (letters or digits; no wildcards)");
	if ((q->dob != NULL && *q->dob == '\0') ||
	    (q->phone != NULL && *q->phone == '\0'))
		return pms_seterr(PMS_EUSAGE, "--%s: may not be empty",
		    q->dob != NULL && *q->dob == '\0' ? "dob" : "phone");
	if (q->mrn != NULL && pt_mrn_norm(q->mrn, mrn) != PMS_OK)
		return pms_seterr(PMS_EUSAGE, "--mrn: may not be empty");
	if (q->mrn != NULL)
		w.key = mrn;
	if (q->dob != NULL) {
		f = &pms_pt_fields[PMS_PF_DOB];
		notice = warn = NULL;
		if (pt_value(f, q->dob, &env, &dates, 0, val, sizeof(val),
		    &notice, &warn) != PMS_OK)
			return pt_reerr(PMS_EUSAGE, "--dob");
		w.dob = val;
	}
	if (q->id > 0) {
		w.sql = by_id;
	} else if (q->mrn != NULL) {
		w.sql = by_mrn;
	} else if (q->dob != NULL) {
		w.sql = by_dob;
		w.key = val;
	} else if (q->phone != NULL) {
		if (pms_phone_e164(q->phone, env.country, val) != PMS_OK)
			return pt_reerr(PMS_EUSAGE, "--phone");
		w.sql = by_phone;
		w.key = val;
		w.dob = NULL;
	}
	if (q->reveal && (ps = pms_store_authorize(s, "patient.reveal",
	    q->emergency)) != PMS_OK)
		return ps;
	pt_fields_fmt(q->full ? read_mask(q->reveal) : SHORT_MASK, fields,
	    sizeof(fields));
	memset(&sp, 0, sizeof(sp));
	sp.action = q->action;
	sp.fields = fields;
	sp.export_kind = q->export_kind;
	sp.out_path = q->out_path;
	return pms_read_run(s, &sp, pt_walk, &w);
}

/* ---- duplicates ---- */

/* Edit distance of a and b, capped: more than cap is cap + 1. */
static int
distance(const char *a, const char *b, int cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[64], prev, cur, best;

	if (la > 60 || lb > 60)
		return strcmp(a, b) == 0 ? 0 : cap + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)cap)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* Two first (or last) names that may be one: equal, one a prefix of
 * the other (Jo, Joanna), or one or two letters apart. */
static int
similar(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == 0 || lb == 0)
		return 0;
	if (strncmp(a, b, la < lb ? la : lb) == 0)
		return 1;
	return distance(a, b, la < 5 || lb < 5 ? 1 : 2) <= (la < 5 ||
	    lb < 5 ? 1 : 2);
}

/* Names of one person, likely: the same last name and a first name
 * alike, the same first name and a last name alike, or the two swapped. */
static int
names_alike(const char *al, const char *af, const char *bl, const char *bf)
{
	return (strcmp(al, bl) == 0 && similar(af, bf)) ||
	    (strcmp(af, bf) == 0 && similar(al, bl)) ||
	    (strcmp(al, bf) == 0 && strcmp(af, bl) == 0);
}

/*
 * Groups of likely duplicates: a union-find over the patients' ids,
 * each check a scan in the order of its key (one index or one sort),
 * joining the patients of a run of equal keys; only names alike under
 * one date of birth are compared two by two, and those only between
 * the distinct names of that date.
 */
struct dups {
	int64_t		*up;		/* by id: the parent, 0 for none */
	uint8_t		*why;		/* by id: the checks that joined it */
	int64_t		 max;		/* the largest id */
};

static int64_t
dup_root(struct dups *d, int64_t x)
{
	int64_t r = x, n;

	while (d->up[r] != r)
		r = d->up[r];
	while (d->up[x] != r) {		/* path halving's simpler cousin */
		n = d->up[x];
		d->up[x] = r;
		x = n;
	}
	return r;
}

static void
dup_join(struct dups *d, int64_t a, int64_t b, int check)
{
	int64_t ra, rb;

	if (d->up[a] == 0)
		d->up[a] = a;
	if (d->up[b] == 0)
		d->up[b] = b;
	ra = dup_root(d, a);
	rb = dup_root(d, b);
	d->why[a] |= (uint8_t)(1u << check);
	d->why[b] |= (uint8_t)(1u << check);
	if (ra != rb)
		d->up[ra > rb ? ra : rb] = ra < rb ? ra : rb;
}

/* The checks, in the order of why's bits. */
static const char *const dup_why[] = {
	"dob+name", "ssn", "phone+first_name", "email+first_name"
};

/* One scan of runs of equal keys (columns 1.. of sql; column 0 the
 * id): every patient of a run joined to the run's first. */
static enum pms_status
dup_runs(struct pms_store *s, struct dups *d, const char *sql, int nkeys,
    int check)
{
	sqlite3_stmt *st = NULL;
	char *prev[2] = { NULL, NULL };
	const char *k;
	int64_t first = 0, id;
	int rc, i, same;
	enum pms_status ps = PMS_OK;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "looking for duplicates");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id <= 0 || id > d->max)
			continue;
		for (i = 0, same = first != 0; i < nkeys; i++) {
			k = (const char *)sqlite3_column_text(st, 1 + i);
			same = same && prev[i] != NULL && k != NULL &&
			    strcmp(prev[i], k) == 0;
		}
		if (same) {
			dup_join(d, first, id, check);
			continue;
		}
		first = id;
		for (i = 0; i < nkeys; i++) {
			free(prev[i]);
			k = (const char *)sqlite3_column_text(st, 1 + i);
			if ((prev[i] = strdup(k != NULL ? k : "")) == NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto out;
			}
		}
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "looking for duplicates");
out:
	free(prev[0]);
	free(prev[1]);
	sqlite3_finalize(st);
	return ps;
}

/* A name under one date of birth: the first patient who has it. */
struct dob_name {
	int64_t		 id;
	char		*last, *first;
};

/* The distinct names of one date compared two by two. */
static void
dob_compare(struct dups *d, struct dob_name *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (names_alike(v[i].last, v[i].first, v[j].last,
			    v[j].first))
				dup_join(d, v[i].id, v[j].id, 0);
}

static void
dob_clear(struct dob_name *v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		free(v[i].last);
		free(v[i].first);
	}
	*n = 0;
}

/* Same date of birth and a name alike: the same names joined in their
 * run, the distinct ones of a date compared. */
static enum pms_status
dup_dob(struct pms_store *s, struct dups *d)
{
	sqlite3_stmt *st = NULL;
	struct dob_name *v = NULL, *nv;
	size_t n = 0, cap = 0;
	char *dob = NULL;
	const char *x, *l, *f;
	int64_t id;
	int rc;
	enum pms_status ps = PMS_OK;

	rc = sqlite3_prepare_v2(s->db, "SELECT id, dob, last_key, first_key "
	    "FROM patients WHERE merged_into IS NULL ORDER BY dob, last_key, "
	    "first_key, id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "looking for duplicates");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		x = (const char *)sqlite3_column_text(st, 1);
		l = (const char *)sqlite3_column_text(st, 2);
		f = (const char *)sqlite3_column_text(st, 3);
		if (id <= 0 || id > d->max || x == NULL || l == NULL ||
		    f == NULL)
			continue;
		if (dob == NULL || strcmp(dob, x) != 0) {
			dob_compare(d, v, n);
			dob_clear(v, &n);
			free(dob);
			if ((dob = strdup(x)) == NULL)
				goto oom;
		} else if (n > 0 && strcmp(v[n - 1].last, l) == 0 &&
		    strcmp(v[n - 1].first, f) == 0) {
			dup_join(d, v[n - 1].id, id, 0);
			continue;
		}
		if (n == cap) {
			cap = cap > 0 ? 2 * cap : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		v[n].id = id;
		v[n].last = strdup(l);
		v[n].first = strdup(f);
		n++;
		if (v[n - 1].last == NULL || v[n - 1].first == NULL)
			goto oom;
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "looking for duplicates");
	else
		dob_compare(d, v, n);
	goto out;
oom:
	ps = pms_seterr(PMS_ENOMEM, "out of memory");
out:
	dob_clear(v, &n);
	free(v);
	free(dob);
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_patient_duplicates(struct pms_store *s, pms_group_fn *fn, void *arg,
    size_t *count)
{
	static const struct {
		const char	*sql;
		int		 nkeys, check;
	} runs[] = {
		{ "SELECT id, ssn FROM patients WHERE ssn IS NOT NULL AND "
		  "merged_into IS NULL ORDER BY ssn, id", 1, 1 },
		{ "SELECT id, phone, first_key FROM patients WHERE phone IS "
		  "NOT NULL AND merged_into IS NULL ORDER BY phone, first_key, "
		  "id", 2, 2 },
		{ "SELECT id, mobile_phone, first_key FROM patients WHERE "
		  "mobile_phone IS NOT NULL AND merged_into IS NULL ORDER BY "
		  "mobile_phone, first_key, id", 2, 2 },
		{ "SELECT id, lower(email), first_key FROM patients WHERE "
		  "email IS NOT NULL AND merged_into IS NULL ORDER BY "
		  "lower(email), first_key, id", 2, 3 },
	};
	struct pms_audit_batch *b = NULL;
	struct pms_pt_group g;
	struct dups d = { NULL, NULL, 0 };
	sqlite3_int64 max;
	int64_t *ids = NULL, *start = NULL, id, r;
	char why[64];
	size_t i, k, n, w, *size = NULL;
	int stop = 0, c;
	enum pms_status ps;

	*count = 0;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_query_int(s, "SELECT coalesce(max(id), 0) FROM "
	    "patients", &max)) != PMS_OK)
		goto fail;
	d.max = max;
	if ((d.up = calloc((size_t)max + 1, sizeof(*d.up))) == NULL ||
	    (d.why = calloc((size_t)max + 1, 1)) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	if ((ps = dup_dob(s, &d)) != PMS_OK)
		goto fail;
	for (i = 0; i < PMS_NELEM(runs); i++)
		if ((ps = dup_runs(s, &d, runs[i].sql, runs[i].nkeys,
		    runs[i].check)) != PMS_OK)
			goto fail;
	/* the members of each group, in id order, by their root */
	if ((size = calloc((size_t)max + 1, sizeof(*size))) == NULL ||
	    (start = calloc((size_t)max + 2, sizeof(*start))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	for (id = 1, n = 0; id <= max; id++)
		if (d.up[id] != 0) {
			size[dup_root(&d, id)]++;
			n++;
		}
	if (n > 0 && (ids = calloc(n, sizeof(*ids))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	for (id = 1, k = 0; id <= max; id++) {
		start[id] = (int64_t)k;
		k += size[id];
	}
	/* fill each group's slots in id order */
	memset(size, 0, ((size_t)max + 1) * sizeof(*size));
	for (id = 1; id <= max; id++)
		if (d.up[id] != 0) {
			r = dup_root(&d, id);
			ids[start[r] + (int64_t)size[r]++] = id;
		}
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if ((ps = pms_audit_batch_add(b, ids[i], NULL)) != PMS_OK)
			goto fail;
	ps = pms_audit_batch_end(b, "patient.duplicates", "last_name,"
	    "first_name,dob,phone,mobile_phone,email,ssn");
	b = NULL;
	if (ps != PMS_OK || (ps = pms_store_commit(s)) != PMS_OK)
		goto fail_done;
	/* a group's root is its smallest id: groups come in its order */
	for (id = 1; id <= max && !stop; id++) {
		if (d.up[id] == 0 || dup_root(&d, id) != id)
			continue;
		memset(&g, 0, sizeof(g));
		g.group = (int64_t)++*count;
		g.ids = ids + start[id];
		g.n = size[id];
		why[0] = '\0';
		for (c = 0, w = 0; c < (int)PMS_NELEM(dup_why); c++) {
			for (k = 0; k < g.n; k++)
				if (d.why[g.ids[k]] & (1u << c))
					break;
			if (k == g.n)
				continue;
			w += (size_t)snprintf(why + w, sizeof(why) - w, "%s%s",
			    w > 0 ? "," : "", dup_why[c]);
		}
		g.why = why;
		if (fn(arg, &g) != 0)
			stop = 1;
	}
	ps = stop ? pms_seterr(PMS_EIO, "the output could not be written") :
	    PMS_OK;
	goto fail_done;
fail:
	pms_audit_batch_free(b);
	pms_store_rollback(s);
fail_done:
	free(d.up);
	free(d.why);
	free(ids);
	free(start);
	free(size);
	return ps;
}

/* ---- merge ---- */

/* Point what points at policy from at policy to (policy_refs). */
static enum pms_status
policy_repoint(struct pms_store *s, int64_t to, int64_t from)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; policy_refs[i].table != NULL; i++) {
		if (policy_refs[i].move == NULL)
			continue;
		rc = sqlite3_prepare_v2(s->db, policy_refs[i].move, -1, &st,
		    NULL);
		if (rc != SQLITE_OK)
			return pms_store_sqlerr(s, rc, "merging policies");
		sqlite3_bind_int64(st, 1, to);
		sqlite3_bind_int64(st, 2, from);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return pms_store_sqlerr(s, rc, "merging policies");
	}
	return PMS_OK;
}

/*
 * Before a merge moves drop's policies to keep: each of drop's that is
 * the same as one of keep's (payer, member id, priority, dates) goes,
 * what points at it pointing at keep's.  One the ledger names stays (the
 * ledger is append-only): keep then has the same card twice, which the
 * overlap check lets be.  *n gets how many went.
 */
static enum pms_status
fold_policies(struct pms_store *s, int64_t keep, int64_t drop, int64_t *n)
{
	sqlite3_stmt *st = NULL, *del = NULL;
	int64_t from, to;
	int rc;
	enum pms_status ps = PMS_OK;

	*n = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT d.id, min(k.id) FROM policies "
	    "d JOIN policies k ON k.patient_id = ?1 AND k.payer_id = "
	    "d.payer_id AND k.member_id = d.member_id AND k.priority = "
	    "d.priority AND k.effective_from IS d.effective_from AND "
	    "k.effective_to IS d.effective_to WHERE d.patient_id = ?2 "
	    "AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.policy_id = "
	    "d.id) GROUP BY d.id ORDER BY d.id", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "DELETE FROM policies WHERE "
		    "id = ?1", -1, &del, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, keep);
	sqlite3_bind_int64(st, 2, drop);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		from = sqlite3_column_int64(st, 0);
		to = sqlite3_column_int64(st, 1);
		if ((ps = policy_repoint(s, to, from)) != PMS_OK)
			goto out;
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, from);
		if ((rc = sqlite3_step(del)) != SQLITE_DONE)
			goto sqlfail;
		(*n)++;
	}
	if (rc == SQLITE_DONE)
		goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "merging policies");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	return ps;
}

enum pms_status
pms_patient_merge(struct pms_store *s, int64_t keep, int64_t drop,
    int flags, struct pms_merge_report *r)
{
	struct pms_patient k, d;
	sqlite3_stmt *st = NULL;
	char now[PMS_PT_STAMP];
	int64_t ids[2];
	size_t i;
	int rc;
	enum pms_status ps;

	memset(r, 0, sizeof(*r));
	if (keep == drop)
		return pms_seterr(PMS_EREFUSED, "a patient cannot be merged "
		    "into themself");
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_patient_get(s, keep, 0, &k)) != PMS_OK ||
	    (ps = pms_patient_get(s, drop, 0, &d)) != PMS_OK)
		goto fail;
	if (k.id != keep || d.id != drop) {
		ps = pms_seterr(PMS_EREFUSED, "patient %lld was merged into "
		    "%lld already", (long long)(k.id != keep ? keep : drop),
		    (long long)(k.id != keep ? k.id : d.id));
		goto fail;
	}
	/* one person has one date of birth: two are two people, likely */
	if (strcmp(k.dob, d.dob) != 0 && !(flags & PMS_MERGE_FORCE)) {
		ps = pms_seterr(PMS_EREFUSED, "patients %lld and %lld have "
		    "different dates of birth: likely two people; give "
		    "--force if one of the dates is wrong", (long long)keep,
		    (long long)drop);
		goto fail;
	}
	/* the same insurance card registered twice: kept once */
	if ((ps = fold_policies(s, keep, drop, &r->folded)) != PMS_OK)
		goto fail;
	/* the two booked at once: said, not refused (one visit may be
	 * the other entered twice; the desk cancels one) */
	rc = sqlite3_prepare_v2(s->db, "SELECT a.id, b.id FROM appointments "
	    "a JOIN appointments b ON b.patient_id = ?2 AND b.start_utc < "
	    "a.end_utc AND a.start_utc < b.end_utc AND b.status NOT IN "
	    "('cancelled', 'no-show') WHERE a.patient_id = ?1 AND a.status "
	    "NOT IN ('cancelled', 'no-show') ORDER BY a.start_utc, a.id, b.id",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, keep);
	sqlite3_bind_int64(st, 2, drop);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->noverlaps < PMS_MERGE_MAX) {
			r->overlaps[r->noverlaps][0] =
			    sqlite3_column_int64(st, 0);
			r->overlaps[r->noverlaps][1] =
			    sqlite3_column_int64(st, 1);
		}
		r->noverlaps++;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	for (i = 0; i < PMS_NELEM(merge_refs); i++) {
		if (merge_refs[i].move == NULL)
			continue;
		rc = sqlite3_prepare_v2(s->db, merge_refs[i].move, -1, &st,
		    NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, keep);
		sqlite3_bind_int64(st, 2, drop);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto sqlfail;
		sqlite3_finalize(st);
		st = NULL;
		if (r->n < PMS_MERGE_MAX) {
			r->moved[r->n].table = merge_refs[i].table;
			r->moved[r->n].column = merge_refs[i].column;
			r->moved[r->n].rows = sqlite3_changes(s->db);
			r->n++;
		}
	}
	/* keep two policies of one priority in effect on one day? */
	rc = sqlite3_prepare_v2(s->db, "SELECT a.id, b.id FROM policies a "
	    "JOIN policies b ON b.patient_id = a.patient_id AND b.priority = "
	    "a.priority AND b.id > a.id WHERE a.patient_id = ?1 AND "
	    "NOT (b.payer_id = a.payer_id AND b.member_id = a.member_id "
	    "AND b.effective_from IS a.effective_from AND b.effective_to IS "
	    "a.effective_to) AND "
	    "coalesce(a.effective_from, '0000') <= "
	    "coalesce(b.effective_to, '9999') AND "
	    "coalesce(b.effective_from, '0000') <= "
	    "coalesce(a.effective_to, '9999') LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, keep);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ps = pms_seterr(PMS_EREFUSED, "policies %lld and %lld would "
		    "both be of one priority on the same days: end one "
		    "first (policy end)", sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1));
		goto fail;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	pt_now(now);
	/* drop's guarantor, if keep has none; never keep as their own */
	rc = sqlite3_prepare_v2(s->db, "UPDATE patients SET guarantor_id = "
	    "?2, guarantor_relationship = ?3, updated_at = ?4 WHERE id = ?1 "
	    "AND guarantor_id IS NULL AND ?2 IS NOT NULL AND NOT EXISTS "
	    "(SELECT 1 FROM guarantors WHERE id = ?2 AND patient_id = ?1)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, keep);
	if (d.guarantor_id > 0)
		sqlite3_bind_int64(st, 2, d.guarantor_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, d.guarantor_relationship, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	r->guarantor = sqlite3_changes(s->db) > 0;
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(s->db, "UPDATE patients SET guarantor_id = "
	    "NULL, guarantor_relationship = NULL, updated_at = ?2 WHERE id = "
	    "?1 AND guarantor_id IN (SELECT id FROM guarantors WHERE "
	    "patient_id = ?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, keep);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(s->db, "UPDATE patients SET merged_into = ?1, "
	    "updated_at = ?3 WHERE id = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, keep);
	sqlite3_bind_int64(st, 2, drop);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if (flags & PMS_MERGE_DRY_RUN) {
		pms_store_rollback(s);
		return PMS_OK;
	}
	ids[0] = keep;
	ids[1] = drop;
	if ((ps = pms_audit_append(s, "patient.merge", r->guarantor ?
	    "merged_into,guarantor" : "merged_into", ids, 2)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "merging patients");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

/* ---- guarantors ---- */

#define G_COLS \
	"g.id, coalesce(g.patient_id, 0), " \
	"coalesce(p.last_name, g.last_name), " \
	"coalesce(p.first_name, g.first_name), " \
	"CASE WHEN p.id IS NULL THEN g.middle_name ELSE p.middle_name END, " \
	"CASE WHEN p.id IS NULL THEN g.suffix ELSE p.suffix END, " \
	"CASE WHEN p.id IS NULL THEN g.dob ELSE p.dob END, " \
	"CASE WHEN p.id IS NULL THEN g.street ELSE p.street END, " \
	"CASE WHEN p.id IS NULL THEN g.street2 ELSE p.street2 END, " \
	"CASE WHEN p.id IS NULL THEN g.city ELSE p.city END, " \
	"CASE WHEN p.id IS NULL THEN g.state ELSE p.state END, " \
	"CASE WHEN p.id IS NULL THEN g.zip ELSE p.zip END, " \
	"CASE WHEN p.id IS NULL THEN g.country ELSE p.country END, " \
	"CASE WHEN p.id IS NULL THEN g.phone ELSE " \
	"    coalesce(p.phone, p.mobile_phone) END, " \
	"CASE WHEN p.id IS NULL THEN g.email ELSE p.email END"

enum pms_status
pms_guarantor_get(struct pms_store *s, int64_t patient,
    struct pms_guarantor *g, int *self)
{
	sqlite3_stmt *st = NULL;
	struct pms_patient pt;
	enum pms_status ps;
	int rc, i;

	memset(g, 0, sizeof(*g));
	*self = 0;
	if ((ps = pms_patient_get(s, patient, 0, &pt)) != PMS_OK)
		return ps;
	if (pt.guarantor_id == 0) {
		*self = 1;
		return PMS_OK;
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT " G_COLS " FROM guarantors g "
	    "LEFT JOIN patients p ON p.id = g.patient_id WHERE g.id = ?", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading a guarantor");
	sqlite3_bind_int64(st, 1, pt.guarantor_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		g->id = sqlite3_column_int64(st, 0);
		g->patient_id = sqlite3_column_int64(st, 1);
		for (i = 0; i < PMS_GF_COUNT; i++)
			col_copy(st, 2 + i, (char *)g + pms_g_fields[i].off,
			    pms_g_fields[i].size);
		snprintf(g->relationship, sizeof(g->relationship), "%s",
		    pt.guarantor_relationship);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading a guarantor");
	return PMS_OK;
}

enum pms_status
pms_guarantor_show(struct pms_store *s, int64_t patient,
    struct pms_guarantor *g, int *self)
{
	int64_t ids[2];
	enum pms_status ps;

	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = follow(s, patient, &patient, NULL)) != PMS_OK ||
	    (ps = pms_guarantor_get(s, patient, g, self)) != PMS_OK)
		goto fail;
	ids[0] = patient;
	ids[1] = g->patient_id;
	if ((ps = pms_audit_append(s, "patient.guarantor", *self ? "" :
	    "guarantor", ids, g->patient_id > 0 ? 2 : 1)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
fail:
	pms_store_rollback(s);
	return ps;
}

/* The patient as the target of a change: existing, not merged. */
static enum pms_status
live_patient(struct pms_store *s, int64_t id)
{
	int64_t to;
	enum pms_status ps;

	if ((ps = follow(s, id, &to, NULL)) != PMS_OK)
		return ps;
	if (to != id)
		return pms_seterr(PMS_EREFUSED, "patient %lld was merged into "
		    "%lld: use %lld", (long long)id, (long long)to,
		    (long long)to);
	return PMS_OK;
}

static void
g_report(void *arg, int kind, int field, const char *text)
{
	struct report_ctx *r = arg;
	char buf[600];

	snprintf(buf, sizeof(buf), "guarantor %s: %s",
	    pms_g_fields[field].name, text);
	if (r->report != NULL)
		r->report(r->arg, kind, buf);
}

/*
 * PMS_EREFUSED if patient gp, to become patient's guarantor, has patient
 * as their guarantor, or their guarantor's guarantor, and so on: who
 * would pay in the end?  The chain is followed through each patient's
 * guarantor row to the patient it is, until it ends or comes round.
 */
static enum pms_status
guarantor_cycle(struct pms_store *s, int64_t patient, int64_t gp)
{
	static const char sql[] =
	    "WITH RECURSIVE chain(pid) AS (SELECT ?1 UNION "
	    "SELECT g.patient_id FROM chain c JOIN patients p ON p.id = "
	    "c.pid JOIN guarantors g ON g.id = p.guarantor_id WHERE "
	    "g.patient_id IS NOT NULL) "
	    "SELECT EXISTS (SELECT 1 FROM chain WHERE pid = ?2)";
	sqlite3_stmt *st;
	int rc, found = 0;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return pms_store_sqlerr(s, rc, "following guarantors");
	sqlite3_bind_int64(st, 1, gp);
	sqlite3_bind_int64(st, 2, patient);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		found = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "following guarantors");
	if (found)
		return pms_seterr(PMS_EREFUSED, "patient %lld has patient "
		    "%lld as their guarantor (or their guarantor's): a "
		    "guarantor may not be guaranteed by the patient in turn",
		    (long long)gp, (long long)patient);
	return PMS_OK;
}

enum pms_status
pms_guarantor_set(struct pms_store *s, int64_t patient,
    const struct pms_g_input *gi, pms_pt_report_fn *report, void *arg,
    int64_t *gidp)
{
	static const struct pt_field relf = { "relationship", K_REL, 8, 0, 0,
	    1 };
	struct report_ctx rctx = { report, arg, NULL };
	struct pt_dates dates = { gi->date_form, PMS_DATE_ISO, 0 };
	struct pms_guarantor g;
	struct pt_env env, genv;
	sqlite3_stmt *st = NULL;
	const char *notice, *warn, *v;
	char out[PMS_PT_EMAIL + 16], rel[PMS_PT_WORD], now[PMS_PT_STAMP];
	char fields[600];
	size_t n = 0;
	int i, errors = 0, person = 0, rc, w;
	int64_t gid = 0, gp = 0, ids[2];
	enum pms_status ps;

	*gidp = 0;
	memset(&g, 0, sizeof(g));
	if ((ps = pt_env_load(s, &env)) != PMS_OK)
		return ps;
	notice = warn = NULL;
	if (gi->relationship == NULL)
		return pms_seterr(PMS_EUSAGE, "--relationship is needed");
	if (pt_value(&relf, gi->relationship, &env, NULL, 0, rel,
	    sizeof(rel), &notice, &warn) != PMS_OK)
		return pt_reerr(PMS_EUSAGE, "--relationship");
	for (i = 0; i < PMS_GF_COUNT; i++)
		if (gi->in[i] != NULL && *gi->in[i] != '\0')
			person = 1;
	if ((gi->guarantor_id > 0) + (gi->patient_id > 0) + person != 1)
		return pms_seterr(PMS_EUSAGE, "give one guarantor: an existing "
		    "guarantor, a patient, or a person's name");
	fields[0] = '\0';
	if (person) {
		genv = env;
		v = gi->in[PMS_GF_COUNTRY];
		if (v != NULL && *v != '\0' && pt_value(&pms_g_fields
		    [PMS_GF_COUNTRY], v, &env, NULL, 0, out, sizeof(out),
		    &notice, &warn) == PMS_OK)
			pt_cpy(genv.country, sizeof(genv.country), out);
		for (i = 0; i < PMS_GF_COUNT; i++) {
			v = gi->in[i];
			if (v == NULL || *v == '\0') {
				if (pms_g_fields[i].required) {
					g_report(&rctx, 0, i, "missing");
					errors++;
				}
				continue;
			}
			notice = warn = NULL;
			if (pt_value(&pms_g_fields[i], v, &genv, &dates, 0, out,
			    sizeof(out), &notice, &warn) != PMS_OK) {
				g_report(&rctx, 0, i, pms_errmsg());
				errors++;
				continue;
			}
			if (warn != NULL)
				g_report(&rctx, 1, i, warn);
			if (notice != NULL)
				g_report(&rctx, 2, i, notice);
			pt_store(&pms_g_fields[i], &g, out);
			w = snprintf(fields + n, sizeof(fields) - n,
			    ",guarantor.%s", pms_g_fields[i].name);
			if (w > 0 && (size_t)w < sizeof(fields) - n)
				n += (size_t)w;
		}
		if (errors > 0)
			return pms_seterr(PMS_EDATA, "nothing was changed");
		if (g.country[0] == '\0')
			snprintf(g.country, sizeof(g.country), "%s",
			    genv.country);
	}
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = live_patient(s, patient)) != PMS_OK)
		goto fail;
	pt_now(now);
	if (gi->patient_id > 0) {
		if ((ps = live_patient(s, gi->patient_id)) != PMS_OK)
			goto fail;
		if (gi->patient_id == patient) {
			ps = pms_seterr(PMS_EREFUSED, "a patient who is their "
			    "own guarantor needs none: guarantor clear");
			goto fail;
		}
		rc = sqlite3_prepare_v2(s->db, "SELECT id FROM guarantors "
		    "WHERE patient_id = ? ORDER BY id LIMIT 1", -1, &st,
		    NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, gi->patient_id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			gid = sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_DONE)
			goto sqlfail;
		sqlite3_finalize(st);
		st = NULL;
	} else if (gi->guarantor_id > 0) {
		rc = sqlite3_prepare_v2(s->db, "SELECT id, patient_id FROM "
		    "guarantors WHERE id = ?", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, gi->guarantor_id);
		if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
			ps = pms_seterr(PMS_EREFUSED, "no guarantor %lld",
			    (long long)gi->guarantor_id);
			goto fail;
		}
		if (rc != SQLITE_ROW)
			goto sqlfail;
		if (sqlite3_column_int64(st, 1) == patient) {
			ps = pms_seterr(PMS_EREFUSED, "a patient who is their "
			    "own guarantor needs none: guarantor clear");
			goto fail;
		}
		gp = sqlite3_column_int64(st, 1);
		gid = gi->guarantor_id;
		sqlite3_finalize(st);
		st = NULL;
	}
	if ((gp > 0 || (gp = gi->patient_id) > 0) &&
	    (ps = guarantor_cycle(s, patient, gp)) != PMS_OK)
		goto fail;
	if (gid == 0) {
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO guarantors "
		    "(patient_id, last_name, first_name, middle_name, suffix, "
		    "dob, street, street2, city, state, zip, country, phone, "
		    "email, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, "
		    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
		    -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		if (gi->patient_id > 0)
			sqlite3_bind_int64(st, 1, gi->patient_id);
		for (i = 0; i < PMS_GF_COUNT; i++) {
			v = (const char *)&g + pms_g_fields[i].off;
			if (*v != '\0' && gi->patient_id == 0)
				sqlite3_bind_text(st, 2 + i, v, -1,
				    SQLITE_STATIC);
		}
		sqlite3_bind_text(st, 15, now, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto sqlfail;
		gid = sqlite3_last_insert_rowid(s->db);
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = sqlite3_prepare_v2(s->db, "UPDATE patients SET guarantor_id = ?2, "
	    "guarantor_relationship = ?3, updated_at = ?4 WHERE id = ?1", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, patient);
	sqlite3_bind_int64(st, 2, gid);
	sqlite3_bind_text(st, 3, rel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	ids[0] = patient;
	ids[1] = gi->patient_id;
	{
		char all[700];

		snprintf(all, sizeof(all), "guarantor_id,"
		    "guarantor_relationship%s", fields);
		if ((ps = pms_audit_append(s, "patient.guarantor", all, ids,
		    gi->patient_id > 0 ? 2 : 1)) != PMS_OK)
			goto fail;
	}
	if ((ps = pms_store_commit(s)) != PMS_OK)
		return ps;
	*gidp = gid;
	return PMS_OK;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "setting a guarantor");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

enum pms_status
pms_guarantor_clear(struct pms_store *s, int64_t patient)
{
	sqlite3_stmt *st = NULL;
	char now[PMS_PT_STAMP];
	enum pms_status ps;
	int rc;

	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = live_patient(s, patient)) != PMS_OK)
		goto fail;
	pt_now(now);
	rc = sqlite3_prepare_v2(s->db, "UPDATE patients SET guarantor_id = "
	    "NULL, guarantor_relationship = NULL, updated_at = ?2 WHERE id = "
	    "?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, patient);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if ((ps = audit1(s, "patient.guarantor", "guarantor_id,"
	    "guarantor_relationship", patient)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "clearing a guarantor");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

/* ---- insurance policies ---- */

#define POL_COLS \
	"o.id, o.patient_id, o.payer_id, y.code, o.priority, o.member_id, " \
	"o.group_number, o.relationship, o.subscriber_last_name, " \
	"o.subscriber_first_name, o.subscriber_middle_name, " \
	"o.subscriber_suffix, o.subscriber_dob, o.subscriber_sex, " \
	"o.subscriber_street, o.subscriber_street2, o.subscriber_city, " \
	"o.subscriber_state, o.subscriber_zip, o.effective_from, " \
	"o.effective_to"

static void
pol_read(sqlite3_stmt *st, struct pms_policy *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->patient_id = sqlite3_column_int64(st, 1);
	o->payer_id = sqlite3_column_int64(st, 2);
	col_copy(st, 3, o->payer, sizeof(o->payer));
	o->priority = sqlite3_column_int(st, 4);
	for (i = PMS_OF_MEMBER_ID; i < PMS_OF_COUNT; i++)
		col_copy(st, 3 + i, (char *)o + pms_pol_fields[i].off,
		    pms_pol_fields[i].size);
}

static void
o_report(void *arg, int kind, int field, const char *text)
{
	struct report_ctx *r = arg;
	char buf[600];

	snprintf(buf, sizeof(buf), "%s: %s", pms_pol_fields[field].name,
	    text);
	if (r->report != NULL)
		r->report(r->arg, kind, buf);
}

int
pt_pol_check(const struct pt_env *env, struct pt_dates *dates,
    unsigned long line, const char *const in[PMS_OF_COUNT],
    struct pms_policy *o, uint32_t *given, pt_msg_fn *msg, void *arg)
{
	const char *notice, *warn, *v;
	char out[PMS_PT_EMAIL + 16];
	int i, errors = 0;

	*given = 0;
	memset(o, 0, sizeof(*o));
	o->priority = 1;
	snprintf(o->relationship, sizeof(o->relationship), "self");
	for (i = 0; i < PMS_OF_COUNT; i++) {
		v = in[i];
		if (v == NULL || *v == '\0') {
			if (pms_pol_fields[i].required) {
				msg(arg, 0, i, "missing");
				errors++;
			}
			continue;
		}
		*given |= UINT32_C(1) << i;
		notice = warn = NULL;
		if (pt_value(&pms_pol_fields[i], v, env, dates, line, out,
		    sizeof(out), &notice, &warn) != PMS_OK) {
			msg(arg, 0, i, pms_errmsg());
			errors++;
			continue;
		}
		if (warn != NULL)
			msg(arg, 1, i, warn);
		if (notice != NULL)
			msg(arg, 2, i, notice);
		pt_store(&pms_pol_fields[i], o, out);
	}
	if (errors > 0)
		return errors;
	if (strcmp(o->relationship, "self") != 0) {
		static const int need[] = { PMS_OF_SUBSCRIBER_LAST_NAME,
		    PMS_OF_SUBSCRIBER_FIRST_NAME, PMS_OF_SUBSCRIBER_DOB };
		size_t k;

		for (k = 0; k < PMS_NELEM(need); k++)
			if (*((char *)o + pms_pol_fields[need[k]].off) ==
			    '\0') {
				msg(arg, 0, need[k], "needed when the "
				    "subscriber is not the patient");
				errors++;
			}
	} else {
		for (i = PMS_OF_SUBSCRIBER_LAST_NAME;
		    i <= PMS_OF_SUBSCRIBER_ZIP; i++)
			if ((*given >> i) & 1) {
				msg(arg, 0, i, "given, yet the subscriber is "
				    "the patient (relationship self)");
				errors++;
			}
	}
	if (o->effective_from[0] != '\0' && o->effective_to[0] != '\0' &&
	    strcmp(o->effective_to, o->effective_from) < 0) {
		msg(arg, 0, PMS_OF_EFFECTIVE_TO, "before effective_from");
		errors++;
	}
	return errors;
}

/* Is there a policy of o's priority on one of o's days (other than
 * o->id)?  Its id in *clash, or 0. */
static enum pms_status
pol_clash(struct pms_store *s, const struct pms_policy *o, int64_t *clash)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*clash = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT id FROM policies WHERE "
	    "patient_id = ?1 AND priority = ?2 AND id <> ?3 AND "
	    "coalesce(effective_from, '0000') <= coalesce(?5, '9999') AND "
	    "coalesce(?4, '0000') <= coalesce(effective_to, '9999') "
	    "ORDER BY id LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading policies");
	sqlite3_bind_int64(st, 1, o->patient_id);
	sqlite3_bind_int(st, 2, o->priority);
	sqlite3_bind_int64(st, 3, o->id);
	if (o->effective_from[0] != '\0')
		sqlite3_bind_text(st, 4, o->effective_from, -1, SQLITE_STATIC);
	if (o->effective_to[0] != '\0')
		sqlite3_bind_text(st, 5, o->effective_to, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*clash = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading policies");
	return PMS_OK;
}

const char pt_sql_pol_insert[] =
    "INSERT INTO policies (patient_id, payer_id, priority, member_id, "
    "group_number, relationship, subscriber_last_name, "
    "subscriber_first_name, subscriber_middle_name, subscriber_suffix, "
    "subscriber_dob, subscriber_sex, subscriber_street, "
    "subscriber_street2, subscriber_city, subscriber_state, "
    "subscriber_zip, effective_from, effective_to, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17, ?18, ?19, ?20, ?20)";

/* Bind o to pt_sql_pol_insert, now to ?20. */
void
pt_pol_bind(sqlite3_stmt *st, const struct pms_policy *o, const char *now)
{
	const char *v;
	int i;

	sqlite3_bind_int64(st, 1, o->patient_id);
	sqlite3_bind_int64(st, 2, o->payer_id);
	sqlite3_bind_int(st, 3, o->priority);
	for (i = PMS_OF_MEMBER_ID; i < PMS_OF_COUNT; i++) {
		v = (const char *)o + pms_pol_fields[i].off;
		if (*v != '\0')
			sqlite3_bind_text(st, 2 + i, v, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, 2 + i);
	}
	sqlite3_bind_text(st, 20, now, -1, SQLITE_TRANSIENT);
}

/* The payer of code: its id, active. */
enum pms_status
pt_payer(struct pms_store *s, const char *code, int64_t *id)
{
	struct pms_payer y;
	enum pms_status ps;

	struct pms_practice pr;

	if ((ps = pms_payer_find(s, code, &y)) == PMS_EREFUSED &&
	    pms_practice_get(s, &pr) == PMS_ECONFIG)
		return PMS_ECONFIG;	/* no payer is known before a load */
	if (ps != PMS_OK)
		return ps;
	*id = y.id;
	return PMS_OK;
}

enum pms_status
pms_policy_add(struct pms_store *s, int64_t patient,
    const struct pms_pol_input *pi, pms_pt_report_fn *report, void *arg,
    int64_t *idp)
{
	struct report_ctx rctx = { report, arg, NULL };
	struct pt_dates dates = { pi->date_form, PMS_DATE_ISO, 0 };
	struct pms_policy o;
	struct pt_env env;
	sqlite3_stmt *st = NULL;
	char now[PMS_PT_STAMP], fields[600];
	uint32_t given;
	size_t n = 0;
	int64_t clash;
	int rc, i, w;
	enum pms_status ps;

	*idp = 0;
	if ((ps = pt_env_load(s, &env)) != PMS_OK)
		return ps;
	if (pt_pol_check(&env, &dates, 0, pi->in, &o, &given, o_report,
	    &rctx) > 0)
		return pms_seterr(PMS_EDATA, "nothing was added");
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = live_patient(s, patient)) != PMS_OK ||
	    (ps = pt_payer(s, o.payer, &o.payer_id)) != PMS_OK)
		goto fail;
	o.patient_id = patient;
	if ((ps = pol_clash(s, &o, &clash)) != PMS_OK)
		goto fail;
	if (clash > 0) {
		ps = pms_seterr(PMS_EREFUSED, "policy %lld is of that "
		    "priority on some of the same days: end it first (policy "
		    "end)", (long long)clash);
		goto fail;
	}
	pt_now(now);
	rc = sqlite3_prepare_v2(s->db, pt_sql_pol_insert, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	pt_pol_bind(st, &o, now);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	*idp = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	st = NULL;
	fields[0] = '\0';
	for (i = 0; i < PMS_OF_COUNT; i++) {
		if (!((given >> i) & 1))
			continue;
		w = snprintf(fields + n, sizeof(fields) - n, "%s%s",
		    n > 0 ? "," : "", pms_pol_fields[i].name);
		if (w > 0 && (size_t)w < sizeof(fields) - n)
			n += (size_t)w;
	}
	if ((ps = audit1(s, "patient.policy.add", fields, patient)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "adding a policy");
fail:
	*idp = 0;
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

enum pms_status
pms_policy_end(struct pms_store *s, int64_t policy, const char *on)
{
	sqlite3_stmt *st = NULL;
	char now[PMS_PT_STAMP], day[PMS_DATE_BUFSZ];
	int64_t patient;
	int32_t d;
	int rc;
	enum pms_status ps;

	if ((ps = pms_date_parse(on, PMS_DATE_ISO, &d)) != PMS_OK)
		return pt_reerr(PMS_EUSAGE, "--on");
	pms_date_fmt(d, day);
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "SELECT patient_id, effective_from "
	    "FROM policies WHERE id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, policy);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		ps = pms_seterr(PMS_EREFUSED, "no policy %lld",
		    (long long)policy);
		goto fail;
	}
	if (rc != SQLITE_ROW)
		goto sqlfail;
	patient = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
	    strcmp((const char *)sqlite3_column_text(st, 1), day) > 0) {
		ps = pms_seterr(PMS_EREFUSED, "policy %lld starts after that "
		    "day", (long long)policy);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	pt_now(now);
	rc = sqlite3_prepare_v2(s->db, "UPDATE policies SET effective_to = ?2, "
	    "updated_at = ?3 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, policy);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if ((ps = audit1(s, "patient.policy.end", "effective_to", patient)) !=
	    PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "ending a policy");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

struct pol_walk {
	int64_t		 patient;	/* 0: every patient's */
	pms_policy_fn	*fn;
	void		*arg;
	size_t		*count;
};

static enum pms_status
pol_walk(struct pms_store *s, struct pms_read *r, void *arg)
{
	struct pol_walk *w = arg;
	struct pms_policy o;
	sqlite3_stmt *st = NULL;
	int64_t key, pid;
	int rc, show;
	enum pms_status ps = PMS_OK;

	if ((ps = pms_read_patient(r, w->patient)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "SELECT " POL_COLS " FROM policies o "
	    "JOIN payers y ON y.id = o.payer_id WHERE ?1 = 0 OR "
	    "o.patient_id = ?1 ORDER BY o.patient_id, o.priority, "
	    "coalesce(o.effective_from, ''), o.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading policies");
	sqlite3_bind_int64(st, 1, w->patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = sqlite3_column_int64(st, 0);
		pid = sqlite3_column_int64(st, 1);
		if ((ps = pms_read_row(r, key, &pid, 1, &show)) != PMS_OK)
			goto out;
		if (!show)
			continue;
		pol_read(st, &o);
		(*w->count)++;
		if (w->fn(w->arg, &o) != 0) {
			ps = pms_read_stopped();
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading policies");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_policy_remove(struct pms_store *s, int64_t policy)
{
	sqlite3_stmt *st = NULL;
	int64_t patient, uses = 0;
	size_t i;
	int rc;
	enum pms_status ps;

	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "SELECT patient_id FROM policies WHERE "
	    "id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, policy);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		ps = pms_seterr(PMS_EREFUSED, "no policy %lld",
		    (long long)policy);
		goto fail;
	}
	if (rc != SQLITE_ROW)
		goto sqlfail;
	patient = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	/* billed against, it is history: ended, never removed */
	for (i = 0; policy_refs[i].table != NULL; i++) {
		rc = sqlite3_prepare_v2(s->db, policy_refs[i].count, -1, &st,
		    NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, policy);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			goto sqlfail;
		uses += sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (uses > 0) {
			ps = pms_seterr(PMS_EREFUSED, "policy %lld is used by "
			    "%s: end it instead (policy end)",
			    (long long)policy, policy_refs[i].table);
			goto fail;
		}
	}
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM policies WHERE id = ?", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, policy);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	if ((ps = audit1(s, "patient.policy.remove", "policies", patient)) !=
	    PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "removing a policy");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

enum pms_status
pms_policy_list(struct pms_store *s, int64_t patient, pms_policy_fn *fn,
    void *arg, size_t *count)
{
	struct pms_read_spec sp = { "patient.policy.list", "policies", NULL,
	    NULL };
	struct pol_walk w = { 0, fn, arg, count };
	enum pms_status ps;

	*count = 0;
	if (patient > 0 && (ps = follow(s, patient, &w.patient, NULL)) !=
	    PMS_OK)
		return ps;
	return pms_read_run(s, &sp, pol_walk, &w);
}

enum pms_status
pms_policy_in_effect(struct pms_store *s, int64_t patient, const char *day,
    struct pms_policy out[3], size_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc;
	enum pms_status ps;

	*n = 0;
	if ((ps = follow(s, patient, &patient, NULL)) != PMS_OK)
		return ps;
	rc = pms_store_prepare(s, "SELECT " POL_COLS " FROM policies o "
	    "JOIN payers y ON y.id = o.payer_id WHERE o.patient_id = ?1 AND "
	    "coalesce(o.effective_from, '0000') <= ?2 AND "
	    "coalesce(o.effective_to, '9999') >= ?2 ORDER BY o.priority, "
	    "o.id", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading policies");
	sqlite3_bind_int64(st, 1, patient);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	while (*n < 3 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		pol_read(st, &out[(*n)++]);
	if (*n == 3)
		rc = SQLITE_DONE;
	pms_store_finalize(s, st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading policies");
	return PMS_OK;
}
