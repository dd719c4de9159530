/*
 * audit.h: the access log beyond its entries (pms_audit_append() and
 * its batch are in pms.h).  Here: the record of every file that carried
 * patient data out of the store, which every program that writes one
 * keeps (lib/audit.c), and what pms-audit asks of the log: its
 * entries, the accounting of disclosures, the exports, verifying the
 * chain against a checkpoint kept outside the store, and the signed
 * extract an auditor verifies without the store (lib/audit_log.c).
 */
#ifndef PMS_AUDIT_H
#define PMS_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pms.h"

/* ---- exports: every program that writes patient data to a file ---- */

/*
 * Record that a file carrying patient data left the store: a claim
 * file, statements, a patient export, a report written with --out, an
 * extract of this log.  Call it inside the write transaction of the
 * command, after the command's own pms_audit_append(): the record
 * points at that entry (PMS_EINTERNAL without one), and says what kind
 * of file (1 to 32 of a-z, 0-9, ".", "_", "-": "patients", "837",
 * "statements", "report.ar-aging"), the path (NULL or "-": standard
 * output; a relative path is made absolute from the working
 * directory), who, when, from which program, and the patients it
 * carries (each once, in any order).  Written in the same transaction,
 * it is rolled back with the work.  Never a value of a patient's in
 * kind; the path is kept as given, inside the encrypted store.
 */
enum pms_status	 pms_audit_export(struct pms_store *, const char *kind,
		    const char *path, const int64_t *patients, size_t n);

/*
 * The same for a command whose entry is a batch (pms_audit_batch_*):
 * the export is recorded by pms_audit_batch_end(), with the patients
 * the entry names, once that entry is written.  Call it at any time
 * between _begin and _end.
 */
enum pms_status	 pms_audit_batch_export(struct pms_audit_batch *,
		    const char *kind, const char *path);

#endif /* PMS_AUDIT_H */
