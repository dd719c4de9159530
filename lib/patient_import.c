/*
 * patient_import.c: the spreadsheet import (patient_import.h).  Not
 * written yet: this first version refuses, so that the registry's
 * other commands can be used and merged first.
 */
#include <stdlib.h>
#include <string.h>

#include "patient_import.h"
#include "pms_int.h"

enum pms_status
pms_patient_import(struct pms_store *s, FILE *in, const char *name,
    const struct pms_import_opts *o, struct pms_import_count *n)
{
	(void)s, (void)in, (void)name, (void)o;
	memset(n, 0, sizeof(*n));
	return pms_seterr(PMS_EINTERNAL, "import: not written yet");
}

enum pms_status
pms_policy_import(struct pms_store *s, FILE *in, const char *name,
    const struct pms_import_opts *o, struct pms_import_count *n)
{
	return pms_patient_import(s, in, name, o, n);
}
