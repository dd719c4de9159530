/*
 * patient_int.h: what the parts of the patient module share (patient.c,
 * patient_norm.c, patient_import.c) and nothing else sees: the field
 * table, the checks of single values, and the practice's country, zone
 * and today that the checks depend on.
 */
#ifndef PMS_PATIENT_INT_H
#define PMS_PATIENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "patient.h"
#include "pms_int.h"

/* What a value is, for checking and storing it. */
enum pt_kind {
	K_MRN,
	K_NAME,		/* letters, spaces, hyphens, full stops, apostrophes */
	K_TEXT,		/* a line of text: street, city */
	K_DATE,		/* not in the future, nor over 130 years ago */
	K_STAMP,	/* a date, or a local date and time; not in the
			 * future */
	K_DAY,		/* a date, future ones too */
	K_SEX,
	K_STATE,
	K_ZIP,
	K_COUNTRY,
	K_PHONE,
	K_EMAIL,
	K_CONTACT,
	K_BOOL,
	K_LANG,
	K_STATUS,
	K_SSN,
	K_REL,		/* guarantor relationship */
	K_SUBREL,	/* subscriber relationship */
	K_PRIORITY,
	K_CODE,		/* a config code: a payer */
	K_ID		/* member id, group number: opaque text,
			 * without X12's separators * ~ : ^ | */
};

/* One field of a patient, guarantor or policy. */
struct pt_field {
	const char	*name;		/* "last_name": column, record field */
	enum pt_kind	 kind;
	size_t		 max;		/* characters */
	size_t		 off;		/* in the struct */
	size_t		 size;		/* of its buffer (0: an int) */
	int		 required;
};

extern const struct pt_field pms_pt_fields[PMS_PF_COUNT];
extern const struct pt_field pms_g_fields[PMS_GF_COUNT];
extern const struct pt_field pms_pol_fields[PMS_OF_COUNT];

/* The practice as the checks need it. */
struct pt_env {
	char		 country[3];	/* ISO 3166; "US" when none is set */
	char		 zone[PMS_ZONE_MAX];	/* "UTC" when none is set */
	int32_t		 today;		/* at zone */
};

enum pms_status	 pt_env_load(struct pms_store *, struct pt_env *);

/* How ambiguous slash dates were read so far (an import remembers). */
struct pt_dates {
	enum pms_date_form form;	/* given, or ISO: infer */
	enum pms_date_form seen;	/* inferred so far: MDY, DMY or ISO */
	unsigned long	 seen_line;	/* where it was inferred */
};

/*
 * Check and normalise one value of field f into out (size bytes):
 * PMS_OK, or PMS_EDATA with the message "what is wrong" (no field name,
 * never the value).  *notice is set to a constant text when something
 * was changed that the user should hear of (a typographic apostrophe),
 * *warn to a warning (a 4-digit ZIP), else left alone.  line is for
 * pt_dates only.
 */
enum pms_status	 pt_value(const struct pt_field *f, const char *in,
		    const struct pt_env *, struct pt_dates *,
		    unsigned long line, char *out, size_t size,
		    const char **notice, const char **warn);

/* An MRN as it is kept: blanks around it dropped, checked.  PMS_EDATA
 * "what is wrong" (no field name, never the value). */
enum pms_status	 pt_mrn_norm(const char *in, char out[PMS_PT_MRN]);

/* Set a field of the struct at base from its normalised text. */
void		 pt_store(const struct pt_field *f, void *base,
		    const char *val);
/* The field's normalised text in buf ("1"/"0" for booleans). */
const char	*pt_text(const struct pt_field *f, const void *base,
		    char *buf, size_t size);

/* A message about field (an index of the field table in use): kind 0
 * an error, 1 a warning, 2 a notice. */
typedef void	 pt_msg_fn(void *arg, int kind, int field, const char *text);

/*
 * Check the values of in (NULL: not given; "" on update: clear) into p,
 * which holds what is kept now (zeroed for a new patient), with the
 * cross-field rules (deceased_on makes status deceased; required
 * fields).  *given gets the fields given, one bit each.  Returns the
 * number of errors, each sent to msg.
 */
int		 pt_check(const struct pt_env *, struct pt_dates *,
		    unsigned long line, const char *const in[PMS_PF_COUNT],
		    int update, struct pms_patient *p, uint32_t *given,
		    pt_msg_fn *msg, void *arg);
/* The fields whose values differ, one bit each. */
uint32_t	 pt_diff(const struct pms_patient *,
		    const struct pms_patient *);
/* The names of the fields of mask, comma separated. */
void		 pt_fields_fmt(uint32_t mask, char *buf, size_t size);
/* The search keys of p. */
enum pms_status	 pt_keys(const struct pms_patient *p, char lk[PMS_PT_KEY],
		    char fk[PMS_PT_KEY], char *nk, size_t nsize);

/* Statements on patients (patient.c), shared with the import. */
extern const char pt_sql_insert[];	/* pt_bind_keyed */
extern const char pt_sql_update[];	/* the same, ?31 the id */
extern const char pt_sql_get[];		/* ?1 id: the columns pt_read reads */
extern const char pt_sql_by_mrn[];	/* ?1 mrn: id, merged_into */
extern const char pt_sql_by_name[];	/* ?1 dob ?2 last_key ?3 first_key */
/* Bind a patient's fields to ?1..?29 with its keys (pt_keys), now to
 * ?30: borrowed, so they must outlive the statement's step. */
void		 pt_bind_keyed(sqlite3_stmt *, const struct pms_patient *,
		    const char *now, const char *lk, const char *fk,
		    const char *nk);
#define PMS_PT_NKEY	(4 * PMS_PT_KEY)	/* name_key's buffer */
/* A row of pt_sql_get into p, the SSN masked unless reveal. */
void		 pt_read(sqlite3_stmt *, struct pms_patient *p, int reveal);

/* Policies (patient.c), shared with the policy import: check in into
 * o (payer as its code; payer_id and patient_id are the caller's),
 * bind o to pt_sql_pol_insert (now ?20), the id of a payer code. */
int		 pt_pol_check(const struct pt_env *, struct pt_dates *,
		    unsigned long line, const char *const in[PMS_OF_COUNT],
		    struct pms_policy *o, uint32_t *given, pt_msg_fn *msg,
		    void *arg);
extern const char pt_sql_pol_insert[];
void		 pt_pol_bind(sqlite3_stmt *, const struct pms_policy *,
		    const char *now);
/* PMS_EREFUSED for a code no payer has, PMS_ECONFIG before any
 * configuration was loaded. */
enum pms_status	 pt_payer(struct pms_store *, const char *code,
		    int64_t *id);

/* The last message again, with what in front: "--dob: ...". */
enum pms_status	 pt_reerr(enum pms_status, const char *what);

/* Copy src into dst of size bytes, cut short if need be. */
void		 pt_cpy(char *dst, size_t size, const char *src);

/* Characters (code points) of a UTF-8 string. */
size_t		 pt_u8_chars(const char *s);

/* Now as stored in created_at: "2026-12-04T10:15:30Z". */
void		 pt_now(char buf[PMS_PT_STAMP]);

#endif /* PMS_PATIENT_INT_H */
