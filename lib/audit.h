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

/*
 * Record that the file at path (absolute) was written and put in place
 * by the command that last wrote an entry through this store handle:
 * an export of that entry's patients, of the kind of the read that
 * wrote it (pms_read_spec's export_kind) or else named by the entry's
 * action ("bill.aging").  Nothing when the entry did not stay, names
 * no patient (no patient data went out), or has its export already (a
 * command that records its own).  Its own transaction: call it with
 * none open.  The programs' framework calls it for --out (lib/cli_rec.c).
 */
enum pms_status	 pms_audit_export_written(struct pms_store *,
		    const char *path);

/* ---- reads that stream rows out (lib/audit_read.c) ---- */

/*
 * The rule for every command that reads patient data and writes it
 * down a pipe or into a file (list, find, export, history, a report,
 * pms-audit log): never hold a write transaction while writing the
 * rows.  A pipe is only as fast as its reader; a write transaction held
 * meanwhile ("| less", "| sleep 60", a stalled ssh) is the store's one
 * write lock held as long, and every other program of the practice
 * waits on it, then gives up busy (75).  A read's entry must be written
 * all the same, before anything is shown ("a read whose entry cannot be
 * written is refused").  So:
 *
 * pms_read_run() calls walk twice.  First inside a short IMMEDIATE
 * transaction, where the walk runs its query and names each row it
 * selects, with the patients the row shows (pms_read_row(): *show is
 * 0, write nothing); the entry (action, fields, every patient named,
 * and the export of kind to out_path if export_kind is set) is written
 * and committed.  Then inside a read (deferred) transaction, which in
 * WAL mode blocks no one, where the walk runs the same query again and
 * writes out each row for which pms_read_row() sets *show: those the
 * entry names.  A row added or changed to match in between is not
 * shown, so that nothing leaves the store without its entry.
 *
 * A walk that fails the first time (a bad option, an unknown patient)
 * writes no entry; the status is returned.  The second walk's failure
 * (PMS_EIO from a writer: set the message) is returned with the entry
 * in place: some rows may have gone out.  The walk may call only
 * functions that read (no audit entry of their own: authorise a
 * --reveal before).  In a dry run (pms_store_set_dry_run) rows for
 * standard output are read and shown and their entry kept; rows for a
 * file (out_path) go nowhere, and their entry is rolled back.
 *
 * A single record (show) read into memory in one transaction and
 * printed after the commit follows the rule as it is.
 */
struct pms_read;
struct pms_read_spec {
	const char	*action;	/* the entry's: "patient.list" */
	const char	*fields;	/* the names of the fields shown */
	const char	*export_kind;	/* recorded as an export, or NULL */
	const char	*out_path;	/* where rows go; NULL, "-": stdout */
};
typedef enum pms_status pms_read_walk_fn(struct pms_store *,
		    struct pms_read *, void *arg);
enum pms_status	 pms_read_run(struct pms_store *,
		    const struct pms_read_spec *, pms_read_walk_fn *walk,
		    void *arg);
/*
 * In a walk, for each row selected: key is the row's own id (unique
 * within the read), patients those it shows (n may be 0).  *show is 0
 * on the first walk, and on the second 1 when the first named key.
 * PMS_ENOMEM or a store failure otherwise.
 */
enum pms_status	 pms_read_row(struct pms_read *, int64_t key,
		    const int64_t *patients, size_t n, int *show);
/* A patient the read concerns beyond its rows' (the one asked about),
 * named in the entry; nothing on the second walk. */
enum pms_status	 pms_read_patient(struct pms_read *, int64_t patient);
/* PMS_EIO for a walk whose callback failed to write a row, with the
 * message the writer set (pms_writer_row). */
enum pms_status	 pms_read_stopped(void);
/* 1 on the second walk, the one that shows. */
int		 pms_read_showing(const struct pms_read *);

/* ---- what pms-audit asks of the log (lib/audit_log.c) ---- */

/*
 * Every function below runs in one IMMEDIATE transaction of its own and
 * writes its own entry in the access log, as every read of patient data
 * does ("audit.log", "audit.disclosures", ...; the names of the fields
 * read; the patients concerned), and when out_path is set also the
 * export of what it wrote there (pms_audit_export).  Rows go to the
 * callback as they come; one that returns nonzero stops the walk with
 * PMS_EIO, its entry written all the same.  Strings in a row are
 * borrowed until the callback returns.
 */

/* An entry of the log, as pms-audit log shows it. */
struct pms_audit_row {
	int64_t		 id;
	const char	*at;		/* UTC: "2026-12-04T14:30:00.123Z" */
	const char	*user;		/* the slot's name */
	const char	*program;
	const char	*action;
	const char	*fields;	/* field names, comma separated */
	const char	*patients;	/* patient ids, comma separated */
	const char	*flag;		/* the break-glass reason, or "" */
};
typedef int	 pms_audit_row_fn(void *arg, const struct pms_audit_row *);

struct pms_audit_query {
	int64_t		 patient;	/* > 0: naming them, or one merged
					 * into them */
	const char	*user;		/* NULL: anyone */
	const char	*action;	/* exact, or a pattern with "*" */
	const char	*from, *to;	/* ISO dates, the practice's days */
	int		 flagged;	/* only break-glass entries */
	const char	*out_path;	/* rows go to this file: an export */
};

/* The entries the query selects, in order.  PMS_EUSAGE for a bad date
 * or --from after --to, PMS_EREFUSED for an unknown patient. */
enum pms_status	 pms_audit_log(struct pms_store *,
		    const struct pms_audit_query *, pms_audit_row_fn *,
		    void *arg, size_t *count);

/* A disclosure of 45 CFR 164.528, recorded or listed. */
struct pms_disclosure {
	int64_t		 id;
	int64_t		 patient_id;	/* as recorded: merges not followed */
	const char	*on;		/* the date of the disclosure, ISO */
	const char	*recipient;	/* who received it */
	const char	*address;	/* theirs, if known: else NULL */
	const char	*purpose;
	const char	*description;	/* what was disclosed */
	const char	*recorded_at;	/* UTC */
	const char	*recorded_by;	/* the slot's name */
};
typedef int	 pms_disclosure_fn(void *arg, const struct pms_disclosure *);

/*
 * Record a disclosure of patient's data (following merges): d->on is
 * the date (NULL: today, the practice's day; never in the future, nor
 * more than six years back), recipient, purpose and description are
 * needed, address may be NULL.  Text is one line, 1 to 500 bytes of
 * UTF-8, never quoted in a message.  *idp gets its id.  With dry_run
 * it is checked and nothing is written.  PMS_EDATA for bad text or
 * date, PMS_EREFUSED for an unknown patient.
 */
enum pms_status	 pms_audit_disclose(struct pms_store *, int64_t patient,
		    const struct pms_disclosure *, int dry_run, int64_t *idp);

/*
 * The accounting of disclosures for patient: those of the six years
 * before today (the practice's day), of the patient and of every one
 * merged into them, by date.  out_path as for pms_audit_log().
 */
enum pms_status	 pms_audit_disclosures(struct pms_store *, int64_t patient,
		    const char *out_path, pms_disclosure_fn *, void *arg,
		    size_t *count);

/* A file that carried patient data out of the store. */
struct pms_export_row {
	int64_t		 id;
	const char	*at;		/* UTC */
	const char	*user;
	const char	*program;
	const char	*kind;		/* "patients", "837", ... */
	const char	*path;		/* absolute, or NULL: standard output */
	int64_t		 patients;	/* how many it carried */
	int64_t		 audit_id;	/* the entry of the command */
};
typedef int	 pms_export_fn(void *arg, const struct pms_export_row *);

/* The exports, in order; with patient > 0 those that carried that
 * patient or one merged into them. */
enum pms_status	 pms_audit_exports(struct pms_store *, int64_t patient,
		    const char *out_path, pms_export_fn *, void *arg,
		    size_t *count);

/*
 * The head of the chain, to keep outside the store: the practice's
 * store (its uuid, kept through rekey and restore), the last entry's
 * number, time, hash and signature, its user, slot and public key, and
 * a seal over all of it by that key: the head is the checkpoint's own
 * entry, written by the user making it.
 */
#define PMS_UUID_LEN	37		/* 36 and a NUL */
struct pms_audit_checkpoint {
	char		 store[PMS_UUID_LEN];
	int64_t		 entry;
	char		 at[32];
	unsigned char	 hash[32];
	char		 user[65];
	int64_t		 slot;
	unsigned char	 key[32];	/* Ed25519 public key of the slot */
	unsigned char	 sig[64];	/* the entry's, over its hash */
	unsigned char	 seal[64];	/* the same key's, over all the above */
};

/* Write the checkpoint entry ("audit.checkpoint") and return it, the
 * head of the chain, in *cp. */
enum pms_status	 pms_audit_checkpoint(struct pms_store *,
		    struct pms_audit_checkpoint *cp);
/* The text form (a few "name: value" lines), malloc'd: the caller frees
 * *textp. */
enum pms_status	 pms_audit_checkpoint_fmt(const struct pms_audit_checkpoint *,
		    char **textp);
/* Read the text form back from f (name for messages); PMS_EDATA when
 * it is not one, or its signature or seal does not verify under its
 * key. */
enum pms_status	 pms_audit_checkpoint_read(FILE *f, const char *name,
		    struct pms_audit_checkpoint *cp);

/* What pms_audit_check() found. */
struct pms_audit_report {
	int64_t		 entries;	/* verified */
	int64_t		 head;		/* the last entry's number */
	unsigned char	 head_hash[32];
	int64_t		 bad;		/* the first bad entry, or 0 */
};

/*
 * Verify the chain and every signature (pms_audit_verify) and, with cp,
 * that the log still holds the checkpoint's entry as it was: PMS_ETAMPER
 * when the log was cut off before it or rewritten up to it, PMS_EDATA
 * when the checkpoint is of another store.  Then write its own entry
 * ("audit.verify"), whatever it found.
 */
enum pms_status	 pms_audit_check(struct pms_store *,
		    const struct pms_audit_checkpoint *cp,
		    struct pms_audit_report *);

/* What an extract holds. */
struct pms_extract_info {
	int64_t		 first, last;	/* entries; 0, 0 if none */
	size_t		 entries;
	size_t		 keys;
	size_t		 patients;	/* distinct patients named */
	char		 store[PMS_UUID_LEN];
	char		 made_at[32];
	char		 made_by[65];
};

/*
 * An extract of the log for an auditor, self-verifying: the entries of
 * the days from to to (ISO dates, the practice's days), the public keys
 * of their slots and of the one making it, the hash of the entry before
 * the first, and a signature over all of it by the user making it.
 * JSON Lines, written to out_path (0600, a temp file renamed into
 * place), or to out when out_path is NULL.  Its entry ("audit.export")
 * and its export ("audit-extract") are written, with the patients it
 * names, after the file and before the commit.
 */
enum pms_status	 pms_audit_extract(struct pms_store *, const char *from,
		    const char *to, const char *out_path, FILE *out,
		    struct pms_extract_info *);

/*
 * Verify an extract without the store: every entry's hash and link,
 * every signature under the keys it carries, the signature of the
 * whole, and with cp (may be NULL) that the keys and, when the extract
 * holds it, the checkpoint's entry are those of the checkpoint.
 * PMS_EDATA when it is not an extract, PMS_ETAMPER naming the first
 * line that fails.
 */
enum pms_status	 pms_audit_extract_verify(FILE *f, const char *name,
		    const struct pms_audit_checkpoint *cp,
		    struct pms_extract_info *);

/* Write text (a checkpoint) to path (0600, temp file and rename), or to
 * out when path is NULL. */
enum pms_status	 pms_audit_write_text(const char *path, FILE *out,
		    const char *text, size_t len);

#endif /* PMS_AUDIT_H */
