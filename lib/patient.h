/*
 * patient.h: the patient registry (lib/patient.c, lib/patient_norm.c,
 * lib/patient_import.c): patients, their guarantors and insurance
 * policies, finding them, likely duplicates, merging two into one, and
 * the import of a practice's spreadsheet.  Every function that reads or
 * changes patient data does so in one IMMEDIATE transaction with its
 * audit entry (field names only, never values; never the SSN).
 *
 * Other modules name a patient by pms's id or the practice's MRN and
 * turn it into the id it stands for now with pms_patient_id(), which
 * follows merges; a later module whose table points at patients adds
 * its (table, column) row to the merge table in lib/patient.c.
 */
#ifndef PMS_PATIENT_H
#define PMS_PATIENT_H

#include <stddef.h>
#include <stdint.h>

#include "pms.h"
#include "ptime.h"

/* Sizes in bytes, NUL included: characters as the 837 counts them, up
 * to four bytes each in UTF-8. */
#define PMS_PT_MRN	65	/* printable ASCII or UTF-8, 1 to 64 bytes */
#define PMS_PT_LAST	241	/* 60 characters */
#define PMS_PT_FIRST	141	/* 35 */
#define PMS_PT_MIDDLE	101	/* 25 */
#define PMS_PT_SUFFIX	41	/* 10 */
#define PMS_PT_KEY	512	/* a folded search key */
#define PMS_PT_STREET	221	/* 55 */
#define PMS_PT_CITY	121	/* 30 */
#define PMS_PT_STATE	81	/* "MA"; 20 characters elsewhere */
#define PMS_PT_ZIP	16	/* "02139-1234"; 15 elsewhere */
#define PMS_PT_PHONE	17	/* E.164: "+16175551234" */
#define PMS_PT_EMAIL	255
#define PMS_PT_WORD	16	/* enumerations, country, language */
#define PMS_PT_STAMP	32	/* a date, a local time, an instant */
#define PMS_PT_SSN	10	/* nine digits */

/*
 * A patient as stored.  Text fields are "" when not set; dates are ISO
 * ("1980-01-15"); phones E.164; consents 0 or 1.  ssn is the full value
 * only where the caller asked for it (pms_patient_get with reveal),
 * else "" or the masked form of pms_ssn_mask().
 */
struct pms_patient {
	int64_t		 id;
	int64_t		 merged_into;	/* 0 if not merged */
	int64_t		 guarantor_id;	/* 0: their own guarantor */
	char		 mrn[PMS_PT_MRN];
	char		 last_name[PMS_PT_LAST];
	char		 first_name[PMS_PT_FIRST];
	char		 middle_name[PMS_PT_MIDDLE];
	char		 suffix[PMS_PT_SUFFIX];
	char		 preferred_name[PMS_PT_FIRST];
	char		 dob[PMS_DATE_BUFSZ];
	char		 sex[2];		/* F, M, X, U */
	char		 street[PMS_PT_STREET];
	char		 street2[PMS_PT_STREET];
	char		 city[PMS_PT_CITY];
	char		 state[PMS_PT_STATE];
	char		 zip[PMS_PT_ZIP];
	char		 country[3];		/* ISO 3166: "US" */
	char		 phone[PMS_PT_PHONE];
	char		 mobile_phone[PMS_PT_PHONE];
	char		 work_phone[PMS_PT_PHONE];
	char		 email[PMS_PT_EMAIL];
	char		 preferred_contact[PMS_PT_WORD]; /* sms, email, ... */
	int		 sms_consent;
	int		 email_consent;
	char		 language[PMS_PT_WORD];
	char		 first_visit[PMS_PT_STAMP]; /* date, or date and time */
	char		 status[PMS_PT_WORD];	/* active, inactive, deceased */
	char		 deceased_on[PMS_DATE_BUFSZ];
	char		 ssn[16];		/* see above */
	char		 guarantor_relationship[PMS_PT_WORD];
	char		 created_at[PMS_PT_STAMP];	/* instants, UTC */
	char		 updated_at[PMS_PT_STAMP];
};

/* ---- naming a patient ---- */

/* A patient id as typed ("1042"): digits only, > 0; PMS_EUSAGE if not. */
enum pms_status	 pms_patient_id_parse(const char *s, int64_t *id);

/*
 * The patient named by id (when > 0) or else by mrn (exact text:
 * "000123" is not "123"): the id it stands for now in *idp, following
 * merges.  *merged_from (may be NULL) gets the id asked for when that
 * patient was merged into *idp, else 0.  PMS_EREFUSED "no patient 12"
 * or "no patient with that MRN" (the MRN is never quoted: it is the
 * patient's).  Reads only: the caller's transaction, if any.
 */
enum pms_status	 pms_patient_id(struct pms_store *, int64_t id,
		    const char *mrn, int64_t *idp, int64_t *merged_from);

/*
 * Read one patient by id, following merges as pms_patient_id() does
 * (p->id is then the patient merged into).  With reveal the full SSN
 * is in p->ssn, else its mask.  No audit entry: the caller writes it
 * (pms_patient_show does).
 */
enum pms_status	 pms_patient_get(struct pms_store *, int64_t id,
		    int reveal, struct pms_patient *p);

/* "***-**-1234" for the nine digits of ssn ("" for ""). */
void		 pms_ssn_mask(const char *ssn, char out[16]);

/* ---- fields ---- */

/*
 * The patient's fields, by the names of records and columns ("dob",
 * "last_name"); what set/update take and list/export print.
 */
enum pms_pt_field {
	PMS_PF_MRN,
	PMS_PF_LAST_NAME,
	PMS_PF_FIRST_NAME,
	PMS_PF_MIDDLE_NAME,
	PMS_PF_SUFFIX,
	PMS_PF_PREFERRED_NAME,
	PMS_PF_DOB,
	PMS_PF_SEX,
	PMS_PF_STREET,
	PMS_PF_STREET2,
	PMS_PF_CITY,
	PMS_PF_STATE,
	PMS_PF_ZIP,
	PMS_PF_COUNTRY,
	PMS_PF_PHONE,
	PMS_PF_MOBILE_PHONE,
	PMS_PF_WORK_PHONE,
	PMS_PF_EMAIL,
	PMS_PF_PREFERRED_CONTACT,
	PMS_PF_SMS_CONSENT,
	PMS_PF_EMAIL_CONSENT,
	PMS_PF_LANGUAGE,
	PMS_PF_FIRST_VISIT,
	PMS_PF_STATUS,
	PMS_PF_DECEASED_ON,
	PMS_PF_SSN,
	PMS_PF_COUNT
};

/* The field's name ("last_name"); the field named name, or -1. */
const char	*pms_pt_field_name(int field);
int		 pms_pt_field_find(const char *name);

/*
 * Values for an add or update, as typed: in[f] is the text of field f
 * (NULL: not given; "" on update: clear it).  Every value is checked
 * and normalised (names: typographic apostrophes to "'"; phones to
 * E.164 in the practice's country; dates by form; ...).
 */
struct pms_pt_input {
	const char	*in[PMS_PF_COUNT];
	enum pms_date_form date_form;	/* for dob, first_visit, deceased_on */
	const char	*country;	/* for phones; NULL: the practice's */
};

/*
 * Check every field of in; report is called once for each bad one,
 * with a message "FIELD: what is wrong" (never the value), and also
 * for notices ("last_name: typographic apostrophe made plain", with
 * warn set).  Returns the number of errors.
 */
typedef void	 pms_pt_report_fn(void *arg, int warn, const char *msg);

/* ---- the registry ---- */

/*
 * Add a patient: last_name, first_name and dob are needed.  One
 * transaction with its audit entry "patient.add" naming the fields
 * given.  PMS_EDATA with every bad field reported; PMS_EREFUSED if the
 * MRN is taken (nothing written).  *idp gets the new id, mrn (may be
 * NULL) the MRN as stored ("" for none).
 */
enum pms_status	 pms_patient_add(struct pms_store *,
		    const struct pms_pt_input *, pms_pt_report_fn *,
		    void *arg, int64_t *idp, char mrn[PMS_PT_MRN]);

/*
 * Change the fields given in in ("" clears a field that may be empty).
 * Audit entry "patient.update" naming the fields that changed, none if
 * nothing did (*changed then 0).  A merged patient is refused.
 */
enum pms_status	 pms_patient_update(struct pms_store *, int64_t id,
		    const struct pms_pt_input *, pms_pt_report_fn *,
		    void *arg, int *changed);

/*
 * Show one patient (following merges; see pms_patient_get): audit entry
 * "patient.show" naming the fields shown, ssn only with reveal, which
 * needs the right "patient.reveal" (PMS_EDENIED otherwise, logged,
 * nothing shown).
 */
enum pms_status	 pms_patient_show(struct pms_store *, int64_t id,
		    int reveal, const char *emergency, struct pms_patient *p,
		    int64_t *merged_from);

/* What list, find and export select. */
struct pms_pt_query {
	const char	*action;	/* "patient.list", .find, .export */
	const char	*status; /* active, inactive, deceased; NULL: all */
	const char	*name; /* words, each a prefix of a name word */
	const char	*dob;		/* as typed, in date_form */
	enum pms_date_form date_form;
	const char	*phone;		/* any form; matched as E.164 */
	const char	*mrn;		/* exact */
	int64_t		 id;		/* > 0: this patient only */
	int		 merged;	/* include merged patients */
	int		 reveal;	/* full SSNs: needs patient.reveal */
	int		 full;		/* every field is read, else only mrn,
					 * names, dob, sex, phones, status */
	const char	*emergency;
	/* the rows go to a file that leaves the store: recorded in
	 * exports (pms_audit_export) as this kind, with out_path (NULL:
	 * standard output) and the patients written */
	const char	*export_kind;
	const char	*out_path;
};

/*
 * Each patient the query selects, in id order, to fn (which returns 0
 * to go on; nonzero stops with PMS_EIO), in one transaction whose audit
 * entry (q->action, the fields read, ssn among them only with reveal,
 * and the ids of the patients passed to fn) is written before the
 * commit, even when fn stopped: some rows went out.  reveal needs the
 * right "patient.reveal" (PMS_EDENIED, logged).  *count gets the
 * number passed.
 */
typedef int	 pms_pt_fn(void *arg, const struct pms_patient *);
enum pms_status	 pms_patient_query(struct pms_store *,
		    const struct pms_pt_query *, pms_pt_fn *fn, void *arg,
		    size_t *count);

/* ---- duplicates and merging ---- */

/*
 * A group of likely duplicates: patients joined, two by two, by one of
 * the checks (why, comma separated, those that joined some of them):
 * "dob+name" (the same date of birth and names alike), "ssn",
 * "phone+first_name" (phone or mobile phone), "email+first_name".
 */
struct pms_pt_group {
	int64_t		 group;		/* 1, 2, ... in the order of ids[0] */
	const int64_t	*ids;		/* n, in id order; borrowed */
	size_t		 n;
	const char	*why;
};
typedef int	 pms_group_fn(void *arg, const struct pms_pt_group *);
/*
 * The groups of likely duplicates among patients not merged, to fn
 * (nonzero stops, PMS_EIO), after the commit of the audit entry
 * "patient.duplicates" naming every patient of them.  The work grows
 * as the registry's sort does, never as its pairs: a run of equal keys
 * is joined as it comes.  *count gets the number of groups.
 */
enum pms_status	 pms_patient_duplicates(struct pms_store *, pms_group_fn *,
		    void *arg, size_t *count);

/* What pms_patient_merge() moved: rows per table of the merge table. */
struct pms_merge_moved {
	const char	*table;		/* "policies" */
	const char	*column;	/* "patient_id" */
	int64_t		 rows;
};
#define PMS_MERGE_MAX	32
struct pms_merge_report {
	size_t		 n;
	struct pms_merge_moved moved[PMS_MERGE_MAX];
	int		 guarantor;	/* keep took drop's guarantor */
	int64_t		 folded;	/* drop's policies that were keep's */
	/* appointments of keep and of drop at the same time (neither
	 * cancelled nor a no-show): after the merge one patient is booked
	 * twice; the first PMS_MERGE_MAX pairs (keep's, drop's), and how
	 * many there are */
	size_t		 noverlaps;
	int64_t		 overlaps[PMS_MERGE_MAX][2];
};

/* pms_patient_merge()'s flags. */
#define PMS_MERGE_DRY_RUN	0x1	/* report what would move; write
					 * nothing */
#define PMS_MERGE_FORCE		0x2	/* two dates of birth all the same */

/*
 * Merge drop into keep: every row of the merge table that points at
 * drop points at keep, drop's guarantor becomes keep's if keep has
 * none, and drop's row stays with merged_into = keep.  A policy of
 * drop's that is the same as one of keep's (payer, member id, priority,
 * dates: one insurance card registered twice) is folded into it first.
 * Refused (PMS_EREFUSED, nothing written) when either is merged
 * already, they are the same, their dates of birth differ (unless
 * PMS_MERGE_FORCE), or keep would have two policies of one priority in
 * effect on the same day.  Audit entry "patient.merge" with both ids.
 */
enum pms_status	 pms_patient_merge(struct pms_store *, int64_t keep,
		    int64_t drop, int flags, struct pms_merge_report *);

/* ---- guarantors ---- */

struct pms_guarantor {
	int64_t		 id;
	int64_t		 patient_id;	/* a patient of the practice, or 0 */
	char		 last_name[PMS_PT_LAST];
	char		 first_name[PMS_PT_FIRST];
	char		 middle_name[PMS_PT_MIDDLE];
	char		 suffix[PMS_PT_SUFFIX];
	char		 dob[PMS_DATE_BUFSZ];
	char		 street[PMS_PT_STREET];
	char		 street2[PMS_PT_STREET];
	char		 city[PMS_PT_CITY];
	char		 state[PMS_PT_STATE];
	char		 zip[PMS_PT_ZIP];
	char		 country[3];
	char		 phone[PMS_PT_PHONE];
	char		 email[PMS_PT_EMAIL];
	char		 relationship[PMS_PT_WORD];	/* to the patient */
};

/* The fields of a guarantor set by pms_guarantor_set(). */
enum pms_g_field {
	PMS_GF_LAST_NAME,
	PMS_GF_FIRST_NAME,
	PMS_GF_MIDDLE_NAME,
	PMS_GF_SUFFIX,
	PMS_GF_DOB,
	PMS_GF_STREET,
	PMS_GF_STREET2,
	PMS_GF_CITY,
	PMS_GF_STATE,
	PMS_GF_ZIP,
	PMS_GF_COUNTRY,
	PMS_GF_PHONE,
	PMS_GF_EMAIL,
	PMS_GF_COUNT
};
const char	*pms_g_field_name(int field);

struct pms_g_input {
	const char	*relationship;	/* spouse, parent, child, guardian,
					 * other */
	int64_t		 guarantor_id;	/* share this guarantor, or 0 */
	int64_t		 patient_id;	/* a patient is the guarantor, or 0 */
	const char	*in[PMS_GF_COUNT];	/* or a person of their own */
	enum pms_date_form date_form;
};

/*
 * The patient's guarantor: the person of in (a new guarantor row), an
 * existing guarantor (siblings), or another patient.  Audit entry
 * "patient.guarantor" naming the fields.  PMS_EDATA for bad fields,
 * PMS_EREFUSED for unknown ids or the patient as their own guarantor.
 */
enum pms_status	 pms_guarantor_set(struct pms_store *, int64_t patient,
		    const struct pms_g_input *, pms_pt_report_fn *, void *arg,
		    int64_t *gidp);
/* Back to the patient themself; audit entry "patient.guarantor". */
enum pms_status	 pms_guarantor_clear(struct pms_store *, int64_t patient);
/*
 * The patient's guarantor (a patient guarantor's name and address are
 * that patient's), *self = 1 and g zeroed if it is the patient; audit
 * entry "patient.guarantor".
 */
enum pms_status	 pms_guarantor_show(struct pms_store *, int64_t patient,
		    struct pms_guarantor *g, int *self);
/* The same without an audit entry, for other modules (statements):
 * the caller's transaction. */
enum pms_status	 pms_guarantor_get(struct pms_store *, int64_t patient,
		    struct pms_guarantor *g, int *self);

/* ---- insurance policies ---- */

struct pms_policy {
	int64_t		 id;
	int64_t		 patient_id;
	int64_t		 payer_id;
	char		 payer[33];		/* the payer's config code */
	int		 priority;		/* 1, 2, 3 */
	char		 member_id[81];
	char		 group_number[51];
	char		 relationship[PMS_PT_WORD];	/* self, spouse, child,
						 * other */
	char		 subscriber_last_name[PMS_PT_LAST];
	char		 subscriber_first_name[PMS_PT_FIRST];
	char		 subscriber_middle_name[PMS_PT_MIDDLE];
	char		 subscriber_suffix[PMS_PT_SUFFIX];
	char		 subscriber_dob[PMS_DATE_BUFSZ];
	char		 subscriber_sex[2];
	char		 subscriber_street[PMS_PT_STREET];
	char		 subscriber_street2[PMS_PT_STREET];
	char		 subscriber_city[PMS_PT_CITY];
	char		 subscriber_state[PMS_PT_STATE];
	char		 subscriber_zip[PMS_PT_ZIP];
	char		 effective_from[PMS_DATE_BUFSZ]; /* "" from the start */
	char		 effective_to[PMS_DATE_BUFSZ];	/* "" open */
};

enum pms_pol_field {
	PMS_OF_PAYER,			/* a payer code of the configuration */
	PMS_OF_PRIORITY,		/* primary|secondary|tertiary or 1..3 */
	PMS_OF_MEMBER_ID,
	PMS_OF_GROUP_NUMBER,
	PMS_OF_RELATIONSHIP,
	PMS_OF_SUBSCRIBER_LAST_NAME,
	PMS_OF_SUBSCRIBER_FIRST_NAME,
	PMS_OF_SUBSCRIBER_MIDDLE_NAME,
	PMS_OF_SUBSCRIBER_SUFFIX,
	PMS_OF_SUBSCRIBER_DOB,
	PMS_OF_SUBSCRIBER_SEX,
	PMS_OF_SUBSCRIBER_STREET,
	PMS_OF_SUBSCRIBER_STREET2,
	PMS_OF_SUBSCRIBER_CITY,
	PMS_OF_SUBSCRIBER_STATE,
	PMS_OF_SUBSCRIBER_ZIP,
	PMS_OF_EFFECTIVE_FROM,
	PMS_OF_EFFECTIVE_TO,
	PMS_OF_COUNT
};
const char	*pms_pol_field_name(int field);

struct pms_pol_input {
	const char	*in[PMS_OF_COUNT];
	enum pms_date_form date_form;
};

/*
 * Add a policy: payer and member_id needed; priority defaults to
 * primary, relationship to self (else the subscriber's last and first
 * name and dob are needed).  Refused (PMS_EREFUSED) when the patient
 * has a policy of that priority in effect on a day of the new one's.
 * Audit entry "patient.policy.add".
 */
enum pms_status	 pms_policy_add(struct pms_store *, int64_t patient,
		    const struct pms_pol_input *, pms_pt_report_fn *,
		    void *arg, int64_t *idp);
/* End a policy: its last day covered is on (ISO).  Audit entry
 * "patient.policy.end". */
enum pms_status	 pms_policy_end(struct pms_store *, int64_t policy,
		    const char *on);
/*
 * Remove a policy entered in error (never one that anything points at:
 * a claim billed against it; end that one).  PMS_EREFUSED for an
 * unknown or used policy.  Audit entry "patient.policy.remove".
 */
enum pms_status	 pms_policy_remove(struct pms_store *, int64_t policy);
/* The patient's policies (patient 0: every patient's), by priority and
 * date, to fn; audit entry "patient.policy.list". */
typedef int	 pms_policy_fn(void *arg, const struct pms_policy *);
enum pms_status	 pms_policy_list(struct pms_store *, int64_t patient,
		    pms_policy_fn *fn, void *arg, size_t *count);
/*
 * The policies in effect for the patient on the day (ISO), by priority:
 * at most three, in out[0..*n).  No audit entry: the caller's
 * transaction (claims).
 */
enum pms_status	 pms_policy_in_effect(struct pms_store *, int64_t patient,
		    const char *day, struct pms_policy out[3], size_t *n);

/* ---- normalising what people type (patient_norm.c) ---- */

/*
 * The search key of a name: NFD, combining marks dropped, case folded
 * (libunistring), letters without a decomposition spelled out (ø o,
 * æ ae, ł l, ß ss), apostrophes and full stops dropped, anything else
 * a single space.  "O’Exámple-Smith" gives "oexample smith".
 * PMS_EDATA if in is not UTF-8; out is always terminated.
 */
enum pms_status	 pms_name_key(const char *in, char *out, size_t size);

/*
 * A name for X12 and the paper claim: uppercase ASCII letters, digits,
 * space, "-", "." and "'" only, accents and ligatures spelled out
 * ("Exámple-Smith" EXAMPLE-SMITH, "Zoë" ZOE, "Straße" STRASSE), never
 * a delimiter character; spaces collapsed.  PMS_EDATA if in is not
 * UTF-8 or nothing is left.
 */
enum pms_status	 pms_name_x12(const char *in, char *out, size_t size);

/*
 * A phone number in any common form ("(617) 555-0100", "617.555.0100",
 * "+1 617 555 0100", "00 44 20 7946 0000", "1-617-555-0100") as E.164
 * ("+16175550100"), national numbers read in country (ISO 3166 alpha-2:
 * NANP rules for US, CA and the other +1 countries; the calling code and
 * trunk prefix elsewhere).  PMS_EDATA with a message that never quotes
 * the number.
 */
enum pms_status	 pms_phone_e164(const char *in, const char *country,
		    char out[PMS_PT_PHONE]);

/* The two-letter code of a US state, territory or military "state"
 * by name or code, any case ("Massachusetts", "ma"); NULL if none. */
const char	*pms_us_state_code(const char *name);

#endif /* PMS_PATIENT_H */
