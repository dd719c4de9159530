/*
 * patient_import.h: a practice's spreadsheet into the registry
 * (lib/patient_import.c): patients, by a mapping file or by the usual
 * header names, and insurance policies in pms's own columns.  Streamed:
 * memory stays flat however long the file; one transaction, one audit
 * entry; all or nothing unless the bad rows go to a rejects file.
 */
#ifndef PMS_PATIENT_IMPORT_H
#define PMS_PATIENT_IMPORT_H

#include <stdio.h>

#include "patient.h"

/* Rows between two calls of the progress callback. */
#define PMS_IMPORT_PROGRESS	10000

struct pms_import_opts {
	const char	*map;		/* a mapping file; NULL: header names */
	int		 date_form;	/* enum pms_date_form; -1: the map's */
	int		 encoding; /* enum pms_in_encoding; -1: the map's */
	int		 update;	/* update patients whose data changed */
	int		 dry_run;	/* write nothing; count what would be */
	const char	*rejects; /* bad rows go here (0600), the rest in */
	/* every PMS_IMPORT_PROGRESS rows; nonzero stops */
	int		(*progress)(void *arg, unsigned long rows);
	void		*progress_arg;
	/* each bad row's every fault, warnings, notices (kind 0, 1, 2);
	 * messages name the input, line and column, never a value */
	pms_pt_report_fn *report;
	void		*report_arg;
};

/* Lines kept of the rows a notice is about. */
#define PMS_IMPORT_LINES	8

struct pms_import_count {
	unsigned long	 rows;		/* records read */
	unsigned long	 added;
	unsigned long	 updated;
	unsigned long	 unchanged;	/* matched and equal */
	unsigned long	 differ;	/* matched, differ, not updated */
	unsigned long	 differ_lines[PMS_IMPORT_LINES];	/* the first */
	unsigned long	 rejected;	/* bad rows (to the rejects file) */
	unsigned long	 quotes;	/* typographic apostrophes made plain */
	unsigned long	 quotes_line;	/* the first of them */
	/* new patients whose MRN, all digits, is a patient's but for its
	 * leading zeros: a spreadsheet read them as numbers */
	unsigned long	 zeros;
	unsigned long	 zeros_line;	/* the first of them */
	/* 4-digit ZIP codes of the US (a lost leading zero), told once */
	unsigned long	 zips;
	unsigned long	 zips_line;
};

/*
 * Import patients from in (name: the file's name for messages, NULL for
 * standard input).  A row matches a patient by MRN, else (when it has
 * no MRN, or no patient has it) by last name, first name and date of
 * birth among patients without an MRN or with no MRN in the row; a
 * matched row changes nothing unless update is set.  Every bad row is
 * reported; with any, nothing is written (PMS_EDATA) unless rejects is
 * given: then the bad rows go there, with a reject_reason column, and
 * the good ones in.  One transaction, one audit entry "patient.import"
 * naming the fields written and every patient added or updated.
 */
enum pms_status	 pms_patient_import(struct pms_store *, FILE *in,
		    const char *name, const struct pms_import_opts *,
		    struct pms_import_count *);

/*
 * Import policies: one row a policy, columns patient_id or mrn, payer,
 * priority, member_id, group_number, relationship, the subscriber_*
 * fields, effective_from, effective_to (the names of policy list).  A
 * row equal to a policy of the patient (payer, member id, priority and
 * effective_from) adds nothing.  Audit entry "patient.policy.import".
 */
enum pms_status	 pms_policy_import(struct pms_store *, FILE *in,
		    const char *name, const struct pms_import_opts *,
		    struct pms_import_count *);

/*
 * Change patients from records (CSV or JSON Lines): each names its
 * patient by patient_id, else mrn, and carries fields by their names; a
 * null (an empty CSV cell) leaves a field alone, a JSON "" clears it.
 * All or nothing, in one transaction with one audit entry
 * "patient.update" naming the fields changed and the patients; every
 * bad row reported (PMS_EDATA).  n counts rows, updated, unchanged.
 */
enum pms_status	 pms_patient_update_records(struct pms_store *, FILE *in,
		    const char *name, const struct pms_import_opts *,
		    struct pms_import_count *);

/*
 * A mapping file parsed (libyaml) and checked: PMS_ECONFIG with
 * "FILE:LINE: what is wrong" for the first fault, PMS_ENOINPUT if it
 * cannot be read.  For the import and the fuzzer.
 */
struct pms_import_map;
enum pms_status	 pms_import_map_parse(const char *buf, size_t len,
		    const char *name, struct pms_import_map **);
void		 pms_import_map_free(struct pms_import_map *);

#endif /* PMS_PATIENT_IMPORT_H */
