/*
 * claim.h: claims to insurers (lib/claim.c) and the X12 837P that
 * carries them (lib/claim_837.c).  A claim is one visit's coded service
 * lines for the payer of the policy covering the date of service; it
 * lives through one state machine (pms_claim_may), every move written
 * to its history; batches of claims go out as interchanges whose
 * control numbers are never used twice.
 *
 * Two layers.  The store's side (claim.c) makes claims from visits,
 * moves them, reads them, exports them; every function that reads or
 * changes patient data writes its audit entry in its own transaction,
 * except pms_claim_move(), which works inside the caller's (the 999,
 * 277CA and 835 readers of the next issue open one for a whole file).
 * The 837's side (claim_837.c) needs no store: a claim in memory
 * (struct pms_837_claim) is checked against every rule that can be
 * checked before sending, and written through lib/x12.h.  What passes
 * the check always writes (a fuzz target holding the two to that is
 * still to come; fuzz/fuzz-x12.c covers the reader and writer).
 *
 * Messages name the claim by its pms id, the loop and segment, and
 * what to fix where ("claim 12: 2010BA DMG03: the subscriber's sex is
 * not recorded: set it on patient 4"); never a patient's data, nor the
 * claim's CLM01 (a practice may make it of an account number).
 */
#ifndef PMS_CLAIM_H
#define PMS_CLAIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bill.h"
#include "config.h"
#include "patient.h"
#include "record.h"
#include "x12.h"

#define PMS_CLAIM_LINES_MAX	50	/* service lines of one claim */
#define PMS_CLAIM_DX_MAX	12	/* diagnoses of one claim (HI) */
#define PMS_CLAIM_PTR_MAX	4	/* pointers of one line (SV107) */
#define PMS_CLM01_MAX		20	/* CLM01, the patient control number */
#define PMS_CLAIM_SET_MAX	5000	/* claims of one ST..SE */
#define PMS_CLAIM_CONTROL	51	/* REF*6R, NUL included */
#define PMS_CLAIM_TEXT		129	/* notes, payer claim numbers */
#define PMS_CLAIM_NOTE		1024	/* a history note read back */

/* ---- the state machine ---- */

enum pms_claim_state {
	PMS_CLAIM_DRAFT,	/* made; not (or no longer) valid */
	PMS_CLAIM_VALIDATED,	/* passed every check; ready to send */
	PMS_CLAIM_SUBMITTED,	/* in a batch that was written out */
	PMS_CLAIM_ACKNOWLEDGED,	/* 999 / 277CA accepted it */
	PMS_CLAIM_REJECTED,	/* the front end refused it: fix, resend */
	PMS_CLAIM_PAID,		/* 835: paid in full of what was allowed */
	PMS_CLAIM_PARTLY_PAID,	/* 835: paid, some lines denied */
	PMS_CLAIM_DENIED,	/* 835: nothing paid */
	PMS_CLAIM_CROSSED_OVER,	/* 835 19/20/21: forwarded to the next */
	PMS_CLAIM_CLOSED,	/* nothing open on it */
	PMS_CLAIM_REPLACED,	/* superseded by a frequency 7 claim */
	PMS_CLAIM_VOIDED,	/* cancelled by a frequency 8 claim */
	PMS_CLAIM_NSTATES
};

/* "draft", "partly-paid", ...; the state named, or -1. */
const char	*pms_claim_state_name(enum pms_claim_state);
int		 pms_claim_state_parse(const char *);

/*
 * Whether a claim in state from may move to state to.  The one table of
 * moves, for every command and report:
 *
 *   draft        -> validated
 *   validated    -> draft, submitted
 *   submitted    -> submitted (a resend), acknowledged, rejected, paid,
 *                   partly-paid, denied, crossed-over, replaced, voided
 *   acknowledged -> rejected, paid, partly-paid, denied, crossed-over,
 *                   replaced, voided
 *   rejected     -> draft, validated, submitted (sent again, frequency 1)
 *   paid, partly-paid, denied, crossed-over
 *                -> each other, acknowledged (a reversal undoes the
 *                   adjudication), closed, replaced, voided
 *   closed       -> acknowledged (a reversal), replaced, voided
 *   replaced, voided: final.
 */
int		 pms_claim_may(enum pms_claim_state from,
		    enum pms_claim_state to);

/* What a state counts as, for status and the reports' rates. */
enum pms_claim_class {
	PMS_CLAIM_UNSENT,	/* draft, validated */
	PMS_CLAIM_IN_FLIGHT,	/* submitted, acknowledged */
	PMS_CLAIM_FRONT_END,	/* rejected */
	PMS_CLAIM_ADJUDICATED,	/* paid, partly-paid, denied, crossed-over */
	PMS_CLAIM_DONE,		/* closed */
	PMS_CLAIM_SUPERSEDED	/* replaced, voided */
};
enum pms_claim_class pms_claim_state_class(enum pms_claim_state);

/*
 * Move a claim, inside the caller's write transaction: the move must be
 * one pms_claim_may() allows (PMS_EREFUSED "claim 12: submitted cannot
 * become draft" otherwise), and is written to claim_history with the
 * batch (0: none) and a note (NULL, or words without patient data).
 * No audit entry: the caller writes one for its whole action.
 */
enum pms_status	 pms_claim_move(struct pms_store *, int64_t claim,
		    enum pms_claim_state to, int64_t batch, const char *note);

/* ---- claims as stored ---- */

struct pms_claim {
	int64_t		 id;
	char		 clm01[PMS_CLM01_MAX + 1];
	enum pms_claim_state state;
	int64_t		 patient_id;
	char		 mrn[PMS_PT_MRN];
	int64_t		 visit_id;
	int64_t		 policy_id;
	int64_t		 payer_id;
	char		 payer[PMS_CFG_CODE];	/* the payer's code */
	int		 payer_seq;	/* 1 primary, 2 secondary, 3 tertiary */
	char		 provider[PMS_CFG_CODE];	/* the visit's */
	char		 location[PMS_CFG_CODE];
	int		 part, parts;	/* of the visit's claims to the payer */
	char		 frequency;	/* CLM05-3: '1', '7', '8' */
	int64_t		 original_id;	/* the claim it replaces; 0 */
	int64_t		 replaced_by;	/* its correction (7 or 8); 0 */
	int64_t		 prior_claim_id;	/* a secondary's primary claim,
					 * a tertiary's secondary; 0 */
	char		 payer_claim_number[PMS_CLAIM_TEXT];
	char		 dos_from[PMS_DATE_BUFSZ], dos_to[PMS_DATE_BUFSZ];
	size_t		 ndx;
	char		 dx[PMS_DX_MAX_VISIT][PMS_ICD_BUFSZ];	/* HI order */
	int64_t		 total_cents;
	int		 nlines;
	int64_t		 batch_id;	/* the last batch it went in; 0 */
	char		 submitted_on[PMS_DATE_BUFSZ];	/* "" if never */
	char		 created_at[PMS_STAMP_BUFSZ];
	char		 updated_at[PMS_STAMP_BUFSZ];
};

struct pms_claim_line {
	int64_t		 id;
	int64_t		 claim_id;
	int		 lx;		/* 1 to 50 */
	int64_t		 charge_id;
	char		 control[PMS_CLAIM_CONTROL];	/* REF*6R */
	char		 dos[PMS_DATE_BUFSZ];
	char		 code[PMS_CODE_BUFSZ];
	char		 modifiers[PMS_MODS_BUFSZ];	/* "25,59" */
	int		 units;
	int64_t		 amount_cents;
	char		 dx_pointers[32];	/* "1,3": into the claim's dx */
	char		 dx[PMS_DX_MAX_LINE * PMS_ICD_BUFSZ];	/* "E119,Z7984" */
};

struct pms_claim_event {
	int64_t		 id;
	int64_t		 claim_id;
	char		 at[PMS_STAMP_BUFSZ];	/* UTC */
	char		 by[65];		/* the user's slot name */
	const char	*from;		/* NULL: created */
	const char	*to;
	int64_t		 batch_id;	/* 0: none */
	char		 note[PMS_CLAIM_NOTE];
	/* the claim of the event, in a chain of corrections (filled by
	 * pms_claim_chain_history only) */
	char		 clm01[PMS_CLM01_MAX + 1];
	const char	*claim_state;
	char		 frequency;
	int64_t		 original_id;
	int64_t		 replaced_by;
	int64_t		 total_cents;
	int		 nlines;
};

typedef int	 pms_claim_fn(void *arg, const struct pms_claim *);
typedef int	 pms_claim_line_fn(void *arg, const struct pms_claim_line *);
typedef int	 pms_claim_event_fn(void *arg, const struct pms_claim_event *);

/* One claim by id; PMS_EREFUSED "no claim 12".  The caller's
 * transaction; no audit entry. */
enum pms_status	 pms_claim_get(struct pms_store *, int64_t id,
		    struct pms_claim *);
/* The claim whose CLM01 is clm01 (an 835's CLP01), the same way. */
enum pms_status	 pms_claim_find(struct pms_store *, const char *clm01,
		    struct pms_claim *);
/* The service line whose line item control number is control (an 835's
 * REF*6R), with its claim's id; PMS_EREFUSED if none.  The caller's
 * transaction. */
enum pms_status	 pms_claim_line_find(struct pms_store *, const char *control,
		    struct pms_claim_line *);
/* A claim's lines by lx, and its history oldest first, to fn (nonzero
 * stops: PMS_EIO).  The caller's transaction; no audit entry. */
enum pms_status	 pms_claim_lines(struct pms_store *, int64_t claim,
		    pms_claim_line_fn *fn, void *arg);
enum pms_status	 pms_claim_history(struct pms_store *, int64_t claim,
		    pms_claim_event_fn *fn, void *arg);

/* ---- making claims ---- */

/* What becomes of each visit considered; kept to report. */
struct pms_claim_create_count {
	unsigned long	 visits;	/* considered */
	unsigned long	 claims;	/* claims made */
	unsigned long	 already;	/* visits on a claim to that payer */
	unsigned long	 waiting;	/* visits with a line to code first */
	unsigned long	 self_pay;	/* no policy covers the day */
	unsigned long	 refused;	/* a rule refused them */
};

struct pms_claim_create_opts {
	int		 unbilled;	/* every visit not claimed yet */
	struct pms_reader *rd;		/* or records: visit_id or charge_id,
					 * and claim (a CLM01 to give) */
	int		 split_dx;	/* past 12 diagnoses, split the lines */
	int		 dry_run;
	/* each visit refused or left, "visit 7: ...", never a value */
	void		(*report)(void *arg, int warn, const char *msg);
	void		*report_arg;
};

/*
 * Claims from visits, in one transaction with one audit entry
 * ("claim.create", naming every patient claimed): for each visit (of
 * the records, or with unbilled every visit with a service line and no
 * claim), its charges that are service lines, not void and not
 * patient-only; a visit with such a line not yet coded waits (it is
 * claimed once every line is); the payer is that of the first policy
 * in effect on the date of service (none: self-pay, nothing made); a
 * visit already on a claim to that payer makes nothing (run it again:
 * nothing new).  Past 50 lines, or with split_dx past 12 diagnoses, the
 * lines go on several claims (parts), each carrying the diagnoses its
 * lines point to, pointers renumbered; more than 12 diagnoses without
 * split_dx refuse the visit.  Each claim gets a CLM01 (the record's
 * claim, else "C" and its id in six digits or more) and each line a
 * line item control number (CLM01, "-", its number).  New claims are
 * drafts, passed to fn after the commit.  Refusals are reported and
 * counted, and the rest made: PMS_OK.  A record that is not one (no
 * visit_id or charge_id, an unknown one, a bad claim): PMS_EDATA and
 * nothing written.
 */
enum pms_status	 pms_claim_create(struct pms_store *,
		    const struct pms_claim_create_opts *, pms_claim_fn *fn,
		    void *arg, struct pms_claim_create_count *);

/* ---- secondary and tertiary claims (claim_cob.c) ---- */

struct pms_claim_secondary_count {
	unsigned long	 considered;	/* claims looked at */
	unsigned long	 made;		/* secondary or tertiary claims made */
	unsigned long	 already;	/* the claim has its next one */
	unsigned long	 crossed;	/* crossed over: the payer sent it on */
	unsigned long	 nothing;	/* nothing left for the next payer */
	unsigned long	 refused;	/* a rule refused them */
};

struct pms_claim_secondary_opts {
	const int64_t	*ids;		/* these claims */
	size_t		 nids;
	int		 ready;		/* or every claim ready for it */
	/* each claim left, and why: "claim 7: ...", never a value */
	void		(*report)(void *arg, int warn, const char *msg);
	void		*report_arg;
};

/*
 * The next payer's claim of each claim (ids, or with ready every
 * adjudicated claim of a patient with a next policy and no next claim
 * yet), in one transaction with one audit entry ("claim.secondary",
 * naming every patient): for a claim (primary, or secondary for a
 * tertiary) whose payer's 835 was posted (paid, partly paid, denied or
 * closed; not reversed; not crossed over, CLP02 19, 20, 21: that payer
 * sent it on itself) and whose patient has the policy of the next
 * priority covering the date of service, a draft claim to that policy's
 * payer: payer_seq one more, prior_claim_id the claim, the same visit,
 * diagnoses and lines (the same charges and amounts), its own CLM01
 * ("C" and its id in six digits or more) and line controls.  A claim
 * that has its next claim makes nothing (run it again: nothing new); a
 * claim with nothing pending for the next payer is left.  Refusals are
 * reported and counted (an id that is no claim: PMS_EREFUSED, nothing
 * written).  New claims go to fn after the commit.
 */
enum pms_status	 pms_claim_secondary(struct pms_store *,
		    const struct pms_claim_secondary_opts *, pms_claim_fn *fn,
		    void *arg, struct pms_claim_secondary_count *);

/* ---- validating ---- */

/* What validate found of one claim. */
struct pms_claim_result {
	int64_t		 claim_id;
	char		 clm01[PMS_CLM01_MAX + 1];
	enum pms_claim_state state;	/* after */
	unsigned	 errors;
	unsigned	 warnings;
};
typedef int	 pms_claim_result_fn(void *arg, const struct pms_claim_result *);
typedef void	 pms_claim_report_fn(void *arg, int warn, const char *msg);

/*
 * Check claims (ids, or with n 0 every draft and validated claim)
 * against every rule of pms_837_check(), in one transaction with its
 * audit entry ("claim.validate"): a draft that passes becomes
 * validated, a validated claim that fails draft again (a claim in a
 * later state is checked and stays where it is).  Each failure and
 * warning goes to report; each claim's result to fn after the commit.
 * PMS_EREFUSED "no claim 12" for an id that is none (nothing moved).
 */
enum pms_status	 pms_claim_validate(struct pms_store *, const int64_t *ids,
		    size_t n, int dry_run, pms_claim_report_fn *report,
		    void *rarg, pms_claim_result_fn *fn, void *arg);

/* ---- exporting ---- */

struct pms_claim_export_opts {
	const int64_t	*ids;		/* these claims (draft, validated,
					 * rejected or submitted: a resend) */
	size_t		 nids;		/* 0: every draft and validated one */
	int64_t		 resend;	/* a batch: its claims again */
	const char	*out_path;	/* NULL or "-": out */
	FILE		*out;		/* stdout when NULL */
	int		 dry_run;
	pms_claim_report_fn *report;	/* claims left out, and why */
	void		*report_arg;
};

struct pms_claim_export_result {
	int64_t		 batch_id;	/* 0: no batch (nothing to send) */
	uint32_t	 isa13;		/* = GS06 */
	uint32_t	 st02_first;	/* the sets' ST02, consecutive */
	unsigned	 sets;
	unsigned long	 claims;	/* in the file */
	unsigned long	 refused;	/* left out: they failed a check */
	int64_t		 total_cents;
};

/*
 * Write an 837P interchange of the claims (every claim checked again
 * first, as validate does: one that fails goes back to draft and is
 * left out), with the practice's trading partner's envelope: ISA
 * padded to its widths, ISA13 = GS06 and each ST02 from the store's
 * counters, a transaction set per 5000 claims.
 *
 * In three steps, under the store's export lock (a second export waits,
 * then PMS_EBUSY): (1) one transaction checks the claims, takes the
 * control numbers, records the batch as being written, writes the
 * audit entry "claim.export" and the export of the file (kind "837",
 * the path, the patients: pms_audit_export), builds the interchange in
 * memory and commits; (2) the file is written: out flushed, or
 * out_path written beside its place (0600), fsynced and renamed; (3)
 * only then a second transaction moves the claims to submitted (with
 * their batch, their history, claim_submissions and the day each
 * charge was billed, pms_bill_mark_billed) and the batch to sent.  A
 * write error (a full disk, a broken pipe) leaves the claims where
 * they were, the batch failed and its control numbers used: PMS_EIO.
 * No claim to send: PMS_OK with batch_id 0 and nothing written.  No
 * trading partner configured: PMS_ECONFIG.  dry_run checks and builds
 * everything and writes nothing, numbers included.
 */
enum pms_status	 pms_claim_export(struct pms_store *,
		    const struct pms_claim_export_opts *,
		    struct pms_claim_export_result *);

/* ---- reading ---- */

struct pms_claim_query {
	int64_t		 id;		/* one claim (show); 0: all */
	int64_t		 patient_id;	/* 0: every patient */
	int64_t		 batch_id;	/* 0: any */
	const char	*state;		/* a state's name; NULL: any */
	const char	*payer;		/* a payer's code; NULL: any */
	const char	*from, *to;	/* dates of service, ISO; NULL: open */
	const char	*action;	/* the audit entry: "claim.list" */
};

/*
 * The claims the query selects, by id, to fn, in one transaction whose
 * audit entry (q->action, the fields read, the patients) is written
 * before the commit; fn is called after it, from memory, so that no
 * write transaction is held while rows go to a slow reader.  *count
 * gets the number.  PMS_EREFUSED "no claim 12" for a q->id that is
 * none; PMS_EUSAGE for an unknown state.
 */
enum pms_status	 pms_claim_query(struct pms_store *,
		    const struct pms_claim_query *, pms_claim_fn *fn,
		    void *arg, size_t *count);

/*
 * One claim (following nothing: claims are not merged away) with its
 * lines and its history, read in one transaction with the audit entry
 * "claim.show", then passed on: the claim to cfn, each line to lfn and
 * each event to efn (any may be NULL).
 */
enum pms_status	 pms_claim_show(struct pms_store *, int64_t id,
		    pms_claim_fn *cfn, pms_claim_line_fn *lfn,
		    pms_claim_event_fn *efn, void *arg);

/* ---- corrections (claim_corr.c) ---- */

/*
 * Send claims again, in one transaction with the audit entry
 * "claim.resubmit" (all or nothing: one refused, none is done).  A
 * claim the payer never saw (rejected at the front end: 999, TA1,
 * 277CA; or a replacement not sent yet) is the same claim again, its
 * CLM01 kept: back to draft, its lines read again from the visit's
 * charges (a charge voided is left off, one added to a one-part visit
 * since goes on).  A claim the payer saw (adjudicated, or acknowledged
 * with its payer claim number) gets a replacement: a new draft claim,
 * frequency 7, original_id the old one, its own CLM01, the lines read
 * again, carrying the old one's payer claim number (REF*F8; pcn gives
 * it when none is known, for one claim).  The old claim becomes
 * replaced when the replacement is exported (pms_claim_corr_sent).
 * Each claim to send (the same or the new one) to fn after the commit.
 * PMS_EREFUSED saying what to do for a claim never sent, sent and not
 * answered, voided or replaced, a void, or one with a correction
 * waiting; PMS_EUSAGE for a bad pcn.
 */
enum pms_status	 pms_claim_resubmit(struct pms_store *, const int64_t *ids,
		    size_t n, const char *pcn, int dry_run, pms_claim_fn *fn,
		    void *arg);
/* The same for a void: a new claim of frequency 8 with the lines of the
 * original as they were sent and REF*F8; audit "claim.void".  Refused
 * for a claim the payer never saw. */
enum pms_status	 pms_claim_void(struct pms_store *, const int64_t *ids,
		    size_t n, const char *pcn, int dry_run, pms_claim_fn *fn,
		    void *arg);
/*
 * pms-bill void --correct-claim: void the charge (pms_bill_void) and,
 * in the same transaction, correct each claim in force carrying it: a
 * claim the payer saw gets a replacement without that line, or a void
 * when it was its only line; a claim it never saw has its lines read
 * again.  Audit "bill.void", and "claim.resubmit" or "claim.void" for
 * what it made.  The claims to send
 * to fn after the commit.  PMS_EREFUSED (nothing written) when a claim
 * cannot be corrected yet (sent, no payer claim number).
 */
enum pms_status	 pms_claim_void_charge(struct pms_store *, int64_t charge,
		    const char *reason, int dry_run, pms_claim_fn *fn,
		    void *arg);
/* Claim id was sent: its original (a 7 or 8) becomes replaced or
 * voided.  Inside export's transaction. */
enum pms_status	 pms_claim_corr_sent(struct pms_store *, int64_t id,
		    int64_t batch);
/* The history of every claim of id's chain (its original, their
 * replacements and voids), oldest first, each event with its claim's
 * fields.  The caller's transaction. */
enum pms_status	 pms_claim_chain_history(struct pms_store *, int64_t id,
		    pms_claim_event_fn *fn, void *arg);

/* How many claims are in each state, and what they charge. */
struct pms_claim_status_row {
	enum pms_claim_state state;
	enum pms_claim_class cls;
	int64_t		 claims;
	int64_t		 total_cents;
};
typedef int	 pms_claim_status_fn(void *arg,
		    const struct pms_claim_status_row *);
/* Every state in the machine's order, those with no claim too.  No
 * patient data: no audit entry. */
enum pms_status	 pms_claim_status(struct pms_store *,
		    pms_claim_status_fn *fn, void *arg);

/* ---- the 837P in memory (claim_837.c): no store needed ---- */

#define PMS_837_NAME	241	/* as the registry sizes them */
#define PMS_837_ID	81	/* NPIs, member ids, payer ids */
#define PMS_837_PTRS	8	/* pointers kept of one line: past 4 is an
				 * error to report, not to cut */
#define PMS_837_DX	(PMS_DX_MAX_VISIT + 1)	/* dx kept: past 12 too */

struct pms_837_address {
	char		 street[PMS_PT_STREET];
	char		 street2[PMS_PT_STREET];
	char		 city[PMS_PT_CITY];
	char		 state[PMS_PT_STATE];
	char		 zip[PMS_PT_ZIP];
};

/* A person or an organization of a loop (NM1, N3/N4, DMG, PRV). */
struct pms_837_entity {
	int		 org;		/* NM102 2; else 1, a person */
	char		 last[PMS_837_NAME];	/* an organization's name */
	char		 first[PMS_PT_FIRST];
	char		 middle[PMS_PT_MIDDLE];
	char		 suffix[PMS_PT_SUFFIX];
	char		 id[PMS_837_ID];	/* NPI, member id, payer id */
	char		 taxonomy[16];
	int		 has_address;
	struct pms_837_address address;
	char		 dob[PMS_DATE_BUFSZ];	/* ISO; "" if none */
	char		 sex[2];		/* F, M, X, U; "" if none */
	char		 fix[96];	/* where a message says to fix it:
					 * "patient 4", "payer \"acme\"" */
};

struct pms_837_line {
	char		 code[PMS_CODE_BUFSZ];
	size_t		 nmods;
	char		 mods[PMS_MODS_MAX][3];
	int64_t		 amount_cents;
	int		 units;
	char		 dos[PMS_DATE_BUFSZ];
	size_t		 nptrs;
	int		 ptrs[PMS_837_PTRS];
	int		 ptrs_bad;	/* more than PMS_837_PTRS, or not
					 * numbers */
	char		 control[PMS_CLAIM_CONTROL];
	int64_t		 charge_id;	/* for messages */
};

#define PMS_837_OTHERS	2	/* payers before this one: a tertiary's two */
#define PMS_837_CAS	30	/* adjustments of one claim or line: five
				 * CAS segments of six */

/* One claim adjustment (CAS triple) of a payer before this one. */
struct pms_837_cas {
	char		 group[3];	/* CO, PI, OA, PR, CR */
	char		 reason[8];	/* a CARC */
	int64_t		 amount_cents;
};

/* 2430: what a payer before this one did of one line. */
struct pms_837_line_adj {
	int		 has;		/* it adjudicated the line */
	char		 payer[PMS_837_ID];	/* SVD01: the payer that did */
	char		 code[PMS_CODE_BUFSZ];	/* SVD03, as adjudicated */
	size_t		 nmods;
	char		 mods[PMS_MODS_MAX][3];
	int		 units;		/* SVD05 */
	int64_t		 paid_cents;	/* SVD02 */
	size_t		 ncas;
	struct pms_837_cas cas[PMS_837_CAS + 1];	/* one past: an error */
	char		 adjudicated[PMS_DATE_BUFSZ];	/* DTP*573, ISO */
};

/* 2320, 2330A, 2330B: a payer before this one, and what it did. */
struct pms_837_other {
	int		 payer_seq;	/* its SBR01: 1 P, 2 S */
	int64_t		 claim_id;	/* its claim, for messages */
	int		 posted;	/* its 835 was posted, not reversed */
	int64_t		 corrected_by;	/* the claim correcting it */
	char		 corrected_freq;	/* its frequency: 7 or 8 */
	char		 relationship[PMS_PT_WORD];	/* SBR02 */
	char		 group_number[51];	/* SBR03 */
	char		 filing[3];		/* SBR09 */
	struct pms_837_entity subscriber;	/* 2330A: id the member id */
	struct pms_837_entity payer;		/* 2330B: id the payer id */
	int64_t		 paid_cents;	/* AMT*D */
	int64_t		 patient_cents;	/* AMT*EAF: left to the patient */
	size_t		 ncas;		/* claim-level CAS */
	struct pms_837_cas cas[PMS_837_CAS + 1];
	struct pms_837_line_adj lines[PMS_CLAIM_LINES_MAX + 1];
};

/* One claim, all an 837P needs of it. */
struct pms_837_claim {
	int64_t		 claim_id;	/* messages name it */
	int64_t		 visit_id;	/* and the visit to fix */
	char		 clm01[32];	/* room to see one too long */
	char		 frequency;	/* '1', '7', '8' */
	char		 payer_claim_number[PMS_CLAIM_TEXT];	/* REF*F8 */
	int		 payer_seq;	/* SBR01: 1 P, 2 S, 3 T */
	char		 relationship[PMS_PT_WORD];	/* self, spouse,
						 * child, other */
	char		 group_number[51];	/* SBR03; "" if none */
	char		 filing[3];		/* SBR09 */
	char		 pos[3];		/* CLM05-1 */
	int		 prior_auth_required;
	char		 prior_auth[PMS_BILL_AUTH];	/* REF*G1; "" */
	int		 timely_filing_days;
	struct pms_837_entity subscriber;	/* 2010BA: id the member id */
	struct pms_837_entity patient;		/* 2010CA, when not self */
	struct pms_837_entity payer;		/* 2010BB: id the payer id */
	struct pms_837_entity rendering;	/* 2310B: id the NPI */
	int		 has_referring;
	struct pms_837_entity referring;	/* 2310A */
	int		 has_facility;
	struct pms_837_entity facility;		/* 2310C: the location */
	size_t		 ndx;
	char		 dx[PMS_837_DX][PMS_ICD_BUFSZ];
	int64_t		 total_cents;	/* CLM02: as stored */
	size_t		 nlines;
	struct pms_837_line lines[PMS_CLAIM_LINES_MAX + 1];
	/* a secondary's or tertiary's: the payers before it, in order
	 * (payer_seq - 1 of them; the lines by the index of lines) */
	size_t		 nothers;
	struct pms_837_other others[PMS_837_OTHERS];
};

/*
 * The payers before a secondary or tertiary claim (doc loaded, its
 * lines and patient included) into doc->others, from the claims it
 * follows (prior_claim_id) and their last posting not reversed: the
 * other subscriber (the policy), the payer, what it paid, its CAS and
 * each line's adjudication.  What is missing is left for the check to
 * say.  The caller's transaction.
 */
enum pms_status	 pms_claim_cob_load(struct pms_store *, int64_t claim,
		    struct pms_837_claim *doc);

/* What every claim of a file shares: the practice and its partner. */
struct pms_837_env {
	struct pms_837_entity billing;	/* 2010AA: id the NPI */
	char		 ein[16];	/* REF*EI: nine digits */
	int		 has_pay_to;	/* 2010AB */
	struct pms_837_address pay_to;
	int		 has_partner;	/* a trading_partner is configured */
	char		 isa01[3], isa02[16], isa03[3], isa04[16];
	char		 sender_qual[3], sender[32];
	char		 receiver_qual[3], receiver[32];
	char		 usage;		/* 'T', 'P' */
	char		 gs_sender[32], gs_receiver[32];
	char		 submitter[PMS_CFG_NAME];	/* 1000A */
	char		 contact[PMS_CFG_NAME];
	char		 phone[PMS_CFG_PHONE];
	char		 email[PMS_PT_EMAIL];
	char		 receiver_name[PMS_CFG_NAME];	/* 1000B */
	struct pms_x12_delims delims;
	int		 newline;
	int32_t		 today;		/* the practice's day */
};

/* The envelope of one file. */
struct pms_837_batch {
	uint32_t	 isa13;		/* = GS06 */
	char		 date[PMS_DATE_BUFSZ];	/* the practice's, ISO */
	char		 time[6];		/* "HH:MM" */
	int64_t		 batch_id;	/* BHT03 */
};

/*
 * Check one claim against every rule the 837P and the practice's
 * payers set that can be checked before sending: NPIs (check digit
 * over 80840) of the billing, rendering and referring providers; the
 * billing provider's entity, taxonomy, EIN, street address (no PO
 * box) with ZIP+4, and pay-to address; the subscriber's member id,
 * name, birth date, sex and (when the patient) address; the patient's
 * loop when the patient is not the subscriber; the payer's id and the
 * claim filing indicator; the prior authorisation a payer requires;
 * one to 12 diagnoses, one to 50 lines, each line's one to four
 * pointers in range without duplicates; dates of service not after
 * env->today; lines summing to the claim's total; names and addresses
 * that still say something once cleaned of what X12 cannot carry and
 * of the delimiters, and fit their elements; CLM01 of 1 to 20
 * letters, digits and "-"; and a warning past the payer's timely
 * filing limit.  Each failure and warning to report (warn set for a
 * warning); returns the number of failures.
 */
unsigned	 pms_837_check(const struct pms_837_env *,
		    const struct pms_837_claim *, pms_claim_report_fn *report,
		    void *arg);

/*
 * Text for X12 (names, addresses, the practice's own words): uppercase
 * ASCII letters, digits, space, "-", "." and "'" (pms_name_x12), less
 * any character that is a delimiter of d, blanks collapsed.  PMS_EDATA
 * when nothing is left; out is always terminated.
 */
enum pms_status	 pms_837_clean(const struct pms_x12_delims *d,
		    const char *in, char *out, size_t size);

/* An amount as X12 writes it: "125", "40.5", "-0.25". */
void		 pms_837_amount(int64_t cents, char buf[32]);

/* Writing an interchange: open (ISA, GS), then per set of at most
 * PMS_CLAIM_SET_MAX claims _set_begin (ST, BHT, 1000A, 1000B, 2000A),
 * the claims (2000B .. 2400), _set_end (SE); _close (GE, IEA, flush). */
struct pms_837_writer;

enum pms_status	 pms_837_open(struct pms_837_writer **, FILE *out,
		    const struct pms_837_env *, const struct pms_837_batch *);
enum pms_status	 pms_837_set_begin(struct pms_837_writer *, uint32_t st02);
/* A claim that pms_837_check() passed; PMS_EDATA naming the claim and
 * segment otherwise (a bug of the check: the fuzzer's to find). */
enum pms_status	 pms_837_claim(struct pms_837_writer *,
		    const struct pms_837_claim *);
enum pms_status	 pms_837_set_end(struct pms_837_writer *);
/* GE, IEA and flush; frees the writer whatever happens (NULL: nothing).
 * abort frees it without closing what is open. */
enum pms_status	 pms_837_close(struct pms_837_writer *);
void		 pms_837_abort(struct pms_837_writer *);

#endif /* PMS_CLAIM_H */
