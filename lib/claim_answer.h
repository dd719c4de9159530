/*
 * claim_answer.h: what comes back for the claims pms sent: the
 * acknowledgements (TA1, 999, 277CA: lib/claim_ack.c) that move claims
 * to acknowledged or rejected, and the payers' 835 remittances
 * (lib/claim_era.c), checked to balance and posted to the ledger
 * exactly once through pms-bill's calls (bill.h): payments applied,
 * contractual amounts written off, patient responsibility transferred,
 * other amounts left open as denials (pms_claim_denials).
 *
 * Each reads a whole file in one transaction of its own, with one audit
 * entry ("claim.ack", "claim.era") naming every patient touched, and
 * hands its results to the caller only after the commit, from memory:
 * no write transaction is held while they go to a slow reader.  A file
 * that is not X12, or breaks its envelope, writes nothing (PMS_EDATA).
 *
 * Messages name where (the file, the transaction set, the segment and
 * its line) and the claim by its pms id; never a patient's data, nor a
 * CLM01 (a practice may make it of an account number).
 */
#ifndef PMS_CLAIM_ANSWER_H
#define PMS_CLAIM_ANSWER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "claim.h"

#define PMS_ANS_NOTE	256	/* a result's words, NUL included */
#define PMS_ACK_NOTE	1024	/* an acknowledgement's, NUL included */

/* ---- 835 remittances (claim_era.c) ---- */

/* What became of one claim (CLP) of a remittance. */
struct pms_era_result {
	unsigned long	 interchange;	/* ordinals, as in pms_x12_pos */
	unsigned long	 transaction;
	unsigned long	 segment;	/* the CLP's, in the file */
	unsigned long	 line;
	char		 trace[81];	/* TRN02 */
	char		 payer[PMS_CFG_CODE];	/* the claim's payer; "" */
	int64_t		 claim_id;	/* 0: matched nothing */
	char		 clm01[40];	/* CLP01 as the payer wrote it */
	int64_t		 patient_id;	/* 0: matched nothing */
	char		 status[4];	/* CLP02 */
	/*
	 * posted, reversed (a CLP02 22 undid an earlier posting),
	 * already (posted before: nothing done), informational (23, 25:
	 * nothing to post), unbalanced, unmatched, refused; adjustment
	 * for a provider adjustment (PLB, claim_id 0, status its reason,
	 * paid what it adds to the check, payer_claim_number its
	 * reference)
	 */
	const char	*outcome;
	int64_t		 charge_cents;	/* CLP03 */
	int64_t		 paid_cents;	/* CLP04 */
	int64_t		 patient_cents;	/* PR amounts moved */
	int64_t		 written_off_cents;	/* contractual */
	int64_t		 denied_cents;	/* left open */
	char		 payer_claim_number[PMS_CLAIM_TEXT];	/* CLP07 */
	char		 note[PMS_ANS_NOTE];	/* why, for people; "" */
};
typedef int	 pms_era_fn(void *arg, const struct pms_era_result *);

struct pms_era_count {
	unsigned long	 remits;	/* transaction sets read */
	unsigned long	 remits_new;	/* of them, traces not seen before */
	unsigned long	 claims;	/* CLP segments */
	unsigned long	 posted;	/* posted or reversed now */
	unsigned long	 already;
	unsigned long	 informational;
	unsigned long	 unbalanced;
	unsigned long	 unmatched;
	unsigned long	 refused;
	unsigned long	 plb;		/* provider adjustments recorded */
	/* what this run posted: the CLP04s less the PLBs recorded */
	int64_t		 payment_cents;
	int64_t		 plb_cents;	/* of it, the PLBs recorded */
	int		 output_failed;	/* posted; fn failed after */
};

/*
 * Read the 835 in (name for messages) and post it, in one IMMEDIATE
 * transaction with the audit entry "claim.era".  Every transaction set
 * is checked: BPR02 = the claims' CLP04 less the PLB amounts, else none
 * of it is posted.  Each claim: CLP03 less every CAS amount (claim and
 * line) = CLP04, and each line SVC02 less its CAS = SVC03, else it is
 * not posted; then matched by CLP01 to a claim sent, its lines by
 * REF*6R, else code, modifiers and position, and posted once (payer +
 * TRN02 + what the CLP says), each in a savepoint of its own: a claim
 * that cannot post is rolled back alone and reported.  The posting
 * rules are pms-claim(1)'s (billing.contractual_writeoffs and
 * billing.informational of the configuration).  Each claim's result
 * goes to fn after the commit.  PMS_OK when the file was read (some
 * claims may not have posted: see the count), PMS_EDATA for a file that
 * is not a readable 835, or has a code outside its list (CLP02, CAS02,
 * CAS04 not a number, PLB03-1), PMS_ECONFIG with no configuration
 * loaded (nothing written either way).  A remittance naming no payee
 * or one without an NPI or EIN is another practice's: its claims are
 * refused; so is a CLP that says the same (CLP01, CLP02, CLP07, CLP03,
 * CLP04) as one before it in its set.
 */
enum pms_status	 pms_claim_era(struct pms_store *, FILE *in,
		    const char *name, pms_era_fn *fn, void *arg,
		    struct pms_era_count *);

/* One open denied amount, for the work queue. */
struct pms_denial {
	int64_t		 id;
	int64_t		 claim_id;
	char		 clm01[PMS_CLM01_MAX + 1];
	int64_t		 patient_id;
	char		 mrn[PMS_PT_MRN];
	char		 payer[PMS_CFG_CODE];
	char		 dos[PMS_DATE_BUFSZ];
	int		 line;		/* the claim line's lx */
	int64_t		 charge_id;
	char		 code[PMS_CODE_BUFSZ];
	char		 group[3];
	char		 reason[8];
	int64_t		 amount_cents;
	char		 denied_on[PMS_DATE_BUFSZ];
	char		 trace[81];
	char		 remarks[128];	/* "M15,N4" */
	char		 explained[PMS_ANS_NOTE];	/* in words */
};
typedef int	 pms_denial_fn(void *arg, const struct pms_denial *);

/*
 * The open denials (of payer, a code; NULL: every payer), oldest
 * first, to fn after the commit of the audit entry "claim.denials"
 * naming every patient read.  Reason and remark codes are explained
 * from the code lists loaded (pms-admin codes load), else from the few
 * pms knows.  *count gets the number.
 */
enum pms_status	 pms_claim_denials(struct pms_store *, const char *payer,
		    pms_denial_fn *fn, void *arg, size_t *count);

/* Words for a claim adjustment group code ("CO": "contractual
 * obligation"); NULL for none. */
const char	*pms_cas_group_words(const char *group);

/* Words for a claim adjustment reason code ("50": "not deemed a medical
 * necessity by the payer"): the loaded code list's (pms-admin codes
 * load), else those of the few pms knows, into buf; "" when neither
 * has it.  Reads in the caller's transaction, if any. */
enum pms_status	 pms_carc_words(struct pms_store *, const char *reason,
		    char *buf, size_t size);

/* ---- acknowledgements (claim_ack.c) ---- */

/* What an acknowledgement said of one claim (or of a whole set or
 * interchange, claim_id 0). */
struct pms_ack_result {
	char		 kind[8];	/* TA1, 999, 277CA */
	unsigned long	 segment;	/* where in the file */
	unsigned long	 line;
	int64_t		 batch_id;	/* 0: not one of ours */
	int64_t		 claim_id;	/* 0: the set or interchange */
	char		 clm01[PMS_CLM01_MAX + 1];
	int64_t		 patient_id;
	char		 code[16];	/* TA104, IK501, STC01-1 */
	/* accepted, rejected, received, split, already, unmatched */
	const char	*outcome;
	const char	*state;		/* the claim's state after; NULL */
	char		 payer_claim_number[PMS_CLAIM_TEXT];
	char		 note[PMS_ACK_NOTE];	/* in words */
};
typedef int	 pms_ack_fn(void *arg, const struct pms_ack_result *);

struct pms_ack_count {
	unsigned long	 acks;		/* TA1s and sets read */
	unsigned long	 already;	/* read before: nothing done */
	unsigned long	 accepted;	/* claims acknowledged */
	unsigned long	 rejected;	/* claims rejected */
	unsigned long	 other;		/* received, split, not found ... */
	unsigned long	 unmatched;	/* answers to nothing of ours */
	int		 output_failed;	/* moved; fn failed after */
};

/*
 * Read a file of TA1s, 999s and 277CAs and move the claims they answer,
 * in one IMMEDIATE transaction with the audit entry "claim.ack".  A TA1
 * rejecting an interchange (TA104 R) rejects every claim of that batch;
 * a 999 rejects every claim of a set whose IK5 is R, M, W or X
 * (accepts those of A and E, E's errors in the note) and, with no IK5
 * for it, of a group whose AK9 is R; a 277CA moves each claim (by its
 * TRN02, the CLM01): A1 received (no move), A2 acknowledged (REF*1K
 * kept as the payer's claim number), A3, A4, A6, A7, A8 rejected, A5
 * split (the new numbers kept).  Each result to fn after the commit.
 * PMS_EDATA for a file that cannot be read (nothing written).
 */
enum pms_status	 pms_claim_ack(struct pms_store *, FILE *in,
		    const char *name, pms_ack_fn *fn, void *arg,
		    struct pms_ack_count *);

#endif /* PMS_CLAIM_ANSWER_H */
