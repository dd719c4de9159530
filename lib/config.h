/*
 * config.h: the practice's configuration, one YAML file (pms.yaml(5))
 * loaded into the store by `pms-admin config load` and written back by
 * `config dump`.  Every program reads the practice from the store,
 * never from the file: the domain modules look up its entities
 * (locations, providers, appointment types, payers) by code or id, and
 * anything else by its path in pms.yaml(5).
 *
 * In the store the checked configuration is one row of canonical JSON
 * (config.doc: keys sorted, every default filled in), which SQL reads
 * with json_extract(doc, '$.schedule.late_cancel_notice_secs').  Values
 * are in their canonical form there: money as integer cents in a key
 * named KEY_cents, durations as integer seconds in KEY_secs, times of
 * day as "HH:MM", booleans as true/false, everything else as text.
 * Each entity is also a row of its own table (locations, providers,
 * appointment_types, payers: an integer id other tables point at, the
 * unique code, the fields as columns, the entry's JSON as doc, and an
 * active flag that goes to 0 when the entry leaves the file).
 */
#ifndef PMS_CONFIG_H
#define PMS_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "pms.h"
#include "ptime.h"

/* Sizes of the text fields below, NUL included (the limits of pms.yaml(5),
 * which follow the 837's). */
#define PMS_CFG_CODE		33	/* codes: a-z 0-9 - _, 1 to 32 */
#define PMS_CFG_NAME		61	/* names of things and surnames */
#define PMS_CFG_FIRST		36	/* first names */
#define PMS_CFG_MIDDLE		26	/* middle names */
#define PMS_CFG_SHORT		11	/* suffixes, credentials */
#define PMS_CFG_STREET		56
#define PMS_CFG_CITY		31
#define PMS_CFG_PHONE		33
#define PMS_CFG_PAYER_ID	81
#define PMS_CFG_PROC		6	/* CPT/HCPCS: 5 characters */
#define PMS_CFG_CODES_MAX	12	/* default procedure codes of a type */
#define PMS_UUID_BUFSZ		37

/*
 * Errors of a file go to a callback, one call per error, each message
 * "FILE:LINE:COLUMN: KEY.PATH: what is wrong" (never the value), in the
 * order of the file.
 */
typedef void	 pms_config_report_fn(void *arg, const char *msg);

/* The checked configuration in memory: from a file, or from the store. */
struct pms_config;

/*
 * Parse and check len bytes of YAML (name is the file name messages
 * use).  Every error is reported through report; the status is then
 * PMS_ECONFIG and *cfgp NULL.  On PMS_OK *cfgp is the caller's, freed
 * with pms_config_free().  Needs no store: this is what fuzz/ points at.
 */
enum pms_status	 pms_config_parse(const char *buf, size_t len,
		    const char *name, pms_config_report_fn *report, void *arg,
		    struct pms_config **cfgp);
/* The same for the file at path ("-": standard input, named so in
 * messages; a pipe or /dev/stdin as well as a file): PMS_ENOINPUT if it
 * is missing, unreadable or a directory, PMS_EIO on a read error. */
enum pms_status	 pms_config_read_file(const char *path,
		    pms_config_report_fn *report, void *arg,
		    struct pms_config **cfgp);
/* The configuration the store holds; PMS_ECONFIG if none was loaded. */
enum pms_status	 pms_config_read(struct pms_store *,
		    struct pms_config **cfgp);
void		 pms_config_free(struct pms_config *);

/* What pms_config_load() changed, or with dry_run would change. */
struct pms_config_count {
	unsigned	 added;		/* new codes */
	unsigned	 changed;	/* codes whose entry changed */
	unsigned	 inactivated;	/* codes no longer in the file */
	unsigned	 reactivated;	/* inactive codes back in the file */
};
struct pms_config_diff {
	int		 changed;	/* 0: the store holds this already */
	char		 sections[256];	/* that changed: "practice,payers" */
	struct pms_config_count locations, providers, appointment_types,
			 payers;
};

/*
 * Put cfg into the store in one transaction: the document, the entity
 * tables (entries left out of cfg become inactive, never deleted; those
 * back in it active again) and one audit entry "config.load" naming the
 * top-level sections that changed.  A configuration equal to what the
 * store holds writes nothing at all (diff->changed is 0).  With dry_run
 * nothing is written and diff says what would have changed.  Needs the
 * admin role unless dry_run.
 */
enum pms_status	 pms_config_load(struct pms_store *,
		    const struct pms_config *cfg, int dry_run,
		    struct pms_config_diff *diff);

/* Write cfg as YAML that parses back to the same configuration, the
 * same bytes for the same configuration.  PMS_EIO on a write error. */
enum pms_status	 pms_config_write(const struct pms_config *, FILE *out);
/* Write the configuration the store holds (pms_config_read, then
 * pms_config_write). */
enum pms_status	 pms_config_dump(struct pms_store *, FILE *out);

/*
 * Values by their path in pms.yaml(5): "schedule.late_cancel_notice",
 * "reminders.rules[0].channel" (lists count from 0).  A key that is not
 * in the file and has no default is PMS_EREFUSED ("not set"); a path
 * that pms.yaml(5) does not have, or a value of another type, is
 * PMS_EINTERNAL: a bug of the caller.
 *
 * pms_config_int: integers, booleans (0 or 1), money (cents), durations
 * (seconds), times of day (seconds after midnight).
 * pms_config_text: any value that is text (codes, zones, times "HH:MM",
 * "all" of reminders.rules[].types); *v is borrowed from cfg.
 * pms_config_count: the number of entries of a list.
 * pms_config_json: the value (path NULL or "": the whole configuration)
 * as compact JSON with sorted keys, in the store's form; the caller
 * frees it with free().  NULL if absent or out of memory.
 */
enum pms_status	 pms_config_int(const struct pms_config *, const char *path,
		    int64_t *v);
enum pms_status	 pms_config_text(const struct pms_config *,
		    const char *path, const char **v);
enum pms_status	 pms_config_count(const struct pms_config *,
		    const char *path, size_t *n);
char		*pms_config_json(const struct pms_config *, const char *path);

/* ---- the entities, from the store ---- */

struct pms_address {
	char		 street[PMS_CFG_STREET];
	char		 street2[PMS_CFG_STREET];	/* "" if none */
	char		 city[PMS_CFG_CITY];
	char		 state[3];
	char		 zip[10];		/* 5 or 9 digits */
};

/* The practice: the billing provider of its claims. */
struct pms_practice {
	char		 name[PMS_CFG_NAME];
	int		 person;	/* entity_type: 1 person, 0 org */
	/* a person's names; "" for an organization */
	char		 last_name[PMS_CFG_NAME];
	char		 first_name[PMS_CFG_FIRST];
	char		 npi[11];
	char		 taxonomy[11];
	char		 ein[10];		/* 9 digits, no dash */
	char		 phone[PMS_CFG_PHONE];	/* "" if none */
	char		 country[3];		/* ISO 3166: "US" */
	char		 time_zone[PMS_ZONE_MAX];	/* IANA */
	struct pms_address address;		/* a street, never a PO box */
	int		 has_pay_to;
	struct pms_address pay_to;
	char		 uuid[PMS_UUID_BUFSZ];	/* the store's, for UIDs */
};

struct pms_location {
	int64_t		 id;
	int		 active;
	char		 code[PMS_CFG_CODE];
	char		 name[PMS_CFG_NAME];
	struct pms_address address;
	char		 time_zone[PMS_ZONE_MAX];	/* of its wall clock */
	char		 place_of_service[3];	/* "11" */
	char		 phone[PMS_CFG_PHONE];
	char		 npi[11];		/* "" if none */
};

struct pms_provider {
	int64_t		 id;
	int		 active;
	char		 code[PMS_CFG_CODE];
	char		 first_name[PMS_CFG_FIRST];
	char		 middle_name[PMS_CFG_MIDDLE];
	char		 last_name[PMS_CFG_NAME];
	char		 suffix[PMS_CFG_SHORT];
	char		 credential[PMS_CFG_SHORT];	/* "MD"; "" if none */
	char		 npi[11];
	char		 taxonomy[11];
};

struct pms_appt_type {
	int64_t		 id;
	int		 active;
	char		 code[PMS_CFG_CODE];
	char		 name[PMS_CFG_NAME];
	int64_t		 length_secs;
	int		 may_overlap;
	size_t		 ncodes;		/* default procedure codes */
	char		 codes[PMS_CFG_CODES_MAX][PMS_CFG_PROC];
};

struct pms_payer {
	int64_t		 id;
	int		 active;
	char		 code[PMS_CFG_CODE];
	char		 name[PMS_CFG_NAME];
	char		 payer_id[PMS_CFG_PAYER_ID];	/* 2010BB NM109 */
	char		 filing_indicator[3];	/* SBR09: "CI", "MB" */
	int		 timely_filing_days;
	int		 prior_auth_required;
	char		 fee_schedule[PMS_CFG_CODE];	/* "" for the default */
};

/* The practice; PMS_ECONFIG if no configuration was loaded. */
enum pms_status	 pms_practice_get(struct pms_store *, struct pms_practice *);
/* The practice's uuid alone (made once per store, kept through rekey
 * and restore): "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
enum pms_status	 pms_practice_uuid(struct pms_store *,
		    char buf[PMS_UUID_BUFSZ]);

/*
 * An active entity by its code: PMS_EREFUSED with "unknown provider
 * \"x\"" when there is none, "provider \"x\" is inactive (no longer in
 * the configuration)" when it left the file.  _get by id finds inactive
 * ones too (an old appointment points at them): PMS_EREFUSED if none.
 */
enum pms_status	 pms_location_find(struct pms_store *, const char *code,
		    struct pms_location *);
enum pms_status	 pms_location_get(struct pms_store *, int64_t id,
		    struct pms_location *);
enum pms_status	 pms_provider_find(struct pms_store *, const char *code,
		    struct pms_provider *);
enum pms_status	 pms_provider_get(struct pms_store *, int64_t id,
		    struct pms_provider *);
enum pms_status	 pms_appt_type_find(struct pms_store *, const char *code,
		    struct pms_appt_type *);
enum pms_status	 pms_appt_type_get(struct pms_store *, int64_t id,
		    struct pms_appt_type *);
enum pms_status	 pms_payer_find(struct pms_store *, const char *code,
		    struct pms_payer *);
enum pms_status	 pms_payer_get(struct pms_store *, int64_t id,
		    struct pms_payer *);

/* ---- shapes other modules check too ---- */

/* 1 if the ten digits of npi carry a valid check digit (Luhn over
 * "80840" and the first nine digits). */
int		 pms_npi_valid(const char *npi);
/* 1 if a street line is a PO box (PO Box 12, P.O. Box, Post Office Box,
 * POB 12, Box 12, Lockbox, PO Drawer): no street address. */
int		 pms_po_box(const char *street);
/* 1 if code has the shape of a CPT code (5 digits, or 4 digits and F, T
 * or U) or a HCPCS Level II code (a letter and 4 digits); uppercase. */
int		 pms_proc_code_valid(const char *code);

#endif /* PMS_CONFIG_H */
