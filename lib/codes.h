/*
 * codes.h: the code sets of billing (lib/codes.c).  Procedure codes
 * (CPT, HCPCS Level II) and their modifiers, ICD-10-CM diagnoses,
 * claim adjustment reason codes (CARC), remark codes (RARC) and places
 * of service: each checked by its shape always, and against a list in
 * the store when one of its kind was loaded (pms-admin codes load), with
 * the days each code may be used.  No CPT list or description ships
 * with pms (the AMA's licence); a practice that has one loads it.
 */
#ifndef PMS_CODES_H
#define PMS_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "pms.h"
#include "record.h"

enum pms_code_kind {
	PMS_CODE_CPT,		/* 99213, 0001F */
	PMS_CODE_HCPCS,		/* G0008: a letter and four digits */
	PMS_CODE_MODIFIER,	/* 25, GT: two letters or digits */
	PMS_CODE_ICD10CM,	/* E11.9, stored and compared as E119 */
	PMS_CODE_CARC,		/* 45, A1, P7 */
	PMS_CODE_RARC,		/* M15, N130, MA01 */
	PMS_CODE_POS,		/* 11: two digits */
	PMS_CODE_NKINDS
};

/* Sizes, NUL included. */
#define PMS_CODE_BUFSZ		16	/* any code, normalised */
#define PMS_ICD_BUFSZ		8	/* E1165XA: seven characters */
#define PMS_MODS_MAX		4	/* modifiers on a line */
#define PMS_MODS_BUFSZ		12	/* "25,59,XU,76" */

/* "cpt", "hcpcs", ...; the kind named, or -1. */
const char	*pms_code_kind_name(enum pms_code_kind);
int		 pms_code_kind_parse(const char *);

/*
 * A code as typed, uppercased and in its stored form in out (ICD-10-CM
 * without its dot), if it has the shape of its kind; PMS_EDATA with a
 * message naming the shape otherwise.  CPT: five digits, or four and F,
 * T or U.  HCPCS: a letter and four digits.  Modifier: two letters or
 * digits.  ICD-10-CM: a letter, a digit, a letter or digit, then
 * optionally a dot and one to four letters or digits.  CARC: one to
 * three digits, or a letter and one or two digits.  RARC: M, N or MA
 * and one to three digits.  POS: two digits.
 */
enum pms_status	 pms_code_norm(enum pms_code_kind, const char *in,
		    char out[PMS_CODE_BUFSZ]);

/* The kind of a procedure code's shape: CPT or HCPCS; -1 for neither. */
int		 pms_proc_kind(const char *code);

/*
 * Up to PMS_MODS_MAX modifiers, separated by commas, colons or spaces
 * ("25,59", "25:59"), as "25,59" in out ("" for none).  PMS_EDATA if
 * one is not two letters or digits, one is given twice, or there are
 * more than four.
 */
enum pms_status	 pms_modifiers_norm(const char *in,
		    char out[PMS_MODS_BUFSZ]);

/*
 * Is code (normalised) usable on day (ISO; NULL: any day)?  PMS_OK when
 * no list of its kind is loaded or the list has it in effect that day
 * (and, for ICD-10-CM, billable: a leaf, not a category with codes
 * under it); PMS_EDATA "not in the loaded ICD-10-CM list", "not in
 * effect on that day", "a category, not a billable code" otherwise.
 * Reads in the caller's transaction, if any.
 */
enum pms_status	 pms_code_check(struct pms_store *, enum pms_code_kind,
		    const char *code, const char *day);

/* The description of a loaded code, in buf ("" when none); never
 * fails for a code that is not there. */
enum pms_status	 pms_code_describe(struct pms_store *, enum pms_code_kind,
		    const char *code, char *buf, size_t size);

/* What pms_codes_load() did, per kind. */
struct pms_codes_count {
	unsigned long	 rows;
	unsigned long	 added[PMS_CODE_NKINDS];
	unsigned long	 changed[PMS_CODE_NKINDS];
	unsigned long	 unchanged[PMS_CODE_NKINDS];
	unsigned long	 bad;
};

/* Each bad row, with a message "FILE: line N: field: what is wrong". */
typedef void	 pms_codes_report_fn(void *arg, const char *msg);

/*
 * Load a code list from records: columns kind (cpt, hcpcs, modifier,
 * icd10cm, carc, rarc, pos), code, description, effective_from,
 * effective_to (ISO dates, optional), billable (optional, yes/no; a
 * diagnosis that has codes under it is never billable).  A row of the
 * same kind, code and effective_from replaces the stored one; rows not
 * in the file stay.  All or nothing: every bad row is reported and
 * then nothing is written (PMS_EDATA).  One transaction, one audit
 * entry "admin.codes.load" (no patient data).  dry_run writes nothing.
 */
enum pms_status	 pms_codes_load(struct pms_store *, struct pms_reader *,
		    int dry_run, pms_codes_report_fn *, void *arg,
		    struct pms_codes_count *);

#endif /* PMS_CODES_H */
