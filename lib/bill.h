/*
 * bill.h: the practice's money (lib/bill.c, lib/bill_query.c,
 * lib/bill_stmt.c): fee schedules, visits and their charges, who owes
 * each charge (its responsibility), payments, adjustments, refunds,
 * voids, balances, aging and statements.  Money is int64_t cents from
 * end to end (money.h); never a binary fraction.
 *
 * Who owes an amount is its party: a payer (through the patient's
 * policy that covers the date of service), "pending" (the patient's
 * part while the payer of a later policy covering that date may still
 * pay it: never on a statement), or the patient.  Every change of what
 * a party owes is an entry of the append-only ledger; the open
 * balances are the ledger's sums, which pms_bill_check() proves.
 *
 * Transactions: the functions that change money (charge, pay, apply,
 * adjust, transfer, refund, void, mark billed) work inside the caller's
 * write transaction when one is open -- the 835 poster of pms-claim
 * opens one for a whole remittance and writes its own audit entry --
 * and otherwise in an IMMEDIATE transaction of their own, with their
 * audit entry ("bill.transfer", ...) and, when dry_run is set, rolled
 * back at the end.  On failure nothing of theirs is written (in the
 * caller's transaction: the caller rolls back).
 */
#ifndef PMS_BILL_H
#define PMS_BILL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codes.h"
#include "config.h"
#include "patient.h"
#include "record.h"

#define PMS_DX_MAX_LINE		4	/* diagnosis pointers of one line */
#define PMS_DX_MAX_VISIT	32	/* diagnoses of a visit (a claim: 12) */
#define PMS_BILL_TEXT		129	/* reasons, references, names */
#define PMS_BILL_AUTH		51	/* a prior authorisation number */

/* ---- parties ---- */

enum pms_party_kind {
	PMS_PARTY_ANY = 0,	/* in a request: the charge's current party */
	PMS_PARTY_PAYER,
	PMS_PARTY_PENDING,
	PMS_PARTY_PATIENT
};

struct pms_party {
	enum pms_party_kind kind;
	int64_t		 policy_id;	/* PAYER, PENDING: the policy; else 0 */
	/* filled in by the library */
	int64_t		 payer_id;
	int		 priority;	/* of the policy: 1, 2, 3 */
	char		 payer[PMS_CFG_CODE];	/* the payer's code */
};

/* "payer", "pending", "patient" */
const char	*pms_party_name(enum pms_party_kind);

/* ---- visits and charges ---- */

struct pms_visit {
	int64_t		 id;
	int64_t		 patient_id;
	char		 dos[PMS_DATE_BUFSZ];
	int64_t		 provider_id;
	char		 provider[PMS_CFG_CODE];
	int64_t		 location_id;
	char		 location[PMS_CFG_CODE];
	char		 place_of_service[3];
	int64_t		 appointment_id;	/* 0 if none */
	size_t		 ndx;			/* the visit's diagnoses */
	char		 dx[PMS_DX_MAX_VISIT][PMS_ICD_BUFSZ];	/* E119 */
	char		 referring_name[PMS_BILL_TEXT];	/* "" if none */
	char		 referring_npi[11];
	char		 prior_auth[PMS_BILL_AUTH];
};

struct pms_charge {
	int64_t		 id;
	int64_t		 patient_id;
	char		 mrn[PMS_PT_MRN];
	int64_t		 visit_id;		/* 0 for an opening balance */
	int		 line;			/* in the visit, from 1 */
	char		 kind[8];		/* service, fee, opening */
	char		 dos[PMS_DATE_BUFSZ];
	char		 provider[PMS_CFG_CODE];	/* "": an opening one */
	char		 location[PMS_CFG_CODE];
	char		 place_of_service[3];
	char		 code[PMS_CODE_BUFSZ];	/* "" for an opening one */
	char		 modifiers[PMS_MODS_BUFSZ];	/* "25,59" */
	int		 units;
	int64_t		 amount_cents;
	char		 dx[PMS_DX_MAX_LINE * PMS_ICD_BUFSZ];	/* "E119,I10" */
	char		 dx_pointers[PMS_DX_MAX_LINE * 3];	/* "9,10,11,12" */
	int		 patient_only;	/* a fee, a self-pay-only code */
	char		 fee_schedule[PMS_CFG_CODE];
	char		 status[16];	/* needs-coding, ready, void */
	int64_t		 appointment_id;
	char		 source_id[PMS_BILL_TEXT];
	char		 billed_on[PMS_DATE_BUFSZ];	/* "" if never */
	int		 correct_claim;
	char		 referring_name[PMS_BILL_TEXT];
	char		 referring_npi[11];
	char		 prior_auth[PMS_BILL_AUTH];
	char		 created_at[PMS_STAMP_BUFSZ];
	/* what is open on it, by party */
	int64_t		 insurance_cents;	/* with payers */
	int64_t		 pending_cents;		/* waiting for a next payer */
	int64_t		 patient_cents;
	struct pms_party current;	/* who owes it now; ANY when paid */
};

/*
 * One charge line as given, by the charge command or a record.  Strings
 * may be NULL (not given); the library checks and normalises them all.
 */
struct pms_charge_in {
	int64_t		 patient_id;	/* or mrn */
	const char	*mrn;
	const char	*dos;		/* the date of service, ISO */
	const char	*provider;	/* config codes */
	const char	*location;
	int64_t		 appointment_id;	/* 0 if none */
	const char	*appt_status;	/* an appointment record's status */
	const char	*code;
	const char	*modifiers;	/* "25,59" */
	int64_t		 units;		/* 0: 1 */
	int		 has_amount;	/* else the fee schedule's price */
	int64_t		 amount_cents;	/* the line's total */
	const char	*dx;		/* the line's diagnoses, up to four */
	const char	*referring_name;
	const char	*referring_npi;
	const char	*prior_auth;
	const char	*source_id;	/* the other system's id of the line */
	int64_t		 occurrence;	/* nth line of code that day; 0: 1 */
};

/* What became of one line. */
struct pms_charge_out {
	int64_t		 charge_id;
	int		 added;		/* 0: it was there already */
};

/* Records in (charges or appointments) and what became of them. */
struct pms_charge_opts {
	int		 dry_run;
	const char	*code;		/* appointment records: instead of the
					 * type's default codes */
	const char	*rejects;	/* bad rows here (0600), the rest in */
	/* each line's fault, "line N: field: what is wrong", never a value */
	void		(*report)(void *arg, const char *msg);
	void		*report_arg;
	/* each charge the input named, new or there already; nonzero stops */
	int		(*each)(void *arg, const struct pms_charge *,
			    int added);
	void		*each_arg;
};

struct pms_charge_count {
	unsigned long	 rows;		/* records read */
	unsigned long	 added;		/* charge lines added */
	unsigned long	 unchanged;	/* lines there already */
	unsigned long	 bad;		/* rows with bad data */
	unsigned long	 refused;	/* rows a rule refused */
};

/*
 * Charge one line: the visit (patient, date of service, provider,
 * location, its place of service) is found or made, the line's
 * diagnoses added to the visit's and pointed at, the price taken from
 * the fee schedule unless given (the primary payer's schedule, else
 * "self-pay" for a patient without insurance, else "default"), and the
 * amount put on the ledger owed by the primary policy covering the date
 * of service, or the patient (no policy; a fee or self-pay-only code).
 * A line already there (the same source_id; the same appointment and
 * code; else the same patient, date, code and occurrence) adds nothing
 * (out->added 0).  A line without a diagnosis is "needs-coding".
 * PMS_EDATA for bad fields, PMS_EREFUSED for a rule (an unknown
 * patient, a cancelled or no-show appointment charged anything but the
 * configured fee).  Audit entry "bill.charge".
 */
enum pms_status	 pms_bill_charge(struct pms_store *,
		    const struct pms_charge_in *, int dry_run,
		    struct pms_charge_out *out);

/*
 * Charge records from rd: appointment records (they carry
 * appointment_id: patient_id, provider, location, type,
 * date_of_service, status, codes; the appointment type's default codes
 * when codes is empty, opts->code instead when given) or charge
 * records (the fields of struct pms_charge_in by their names:
 * patient_id or mrn, date_of_service, provider, location, code,
 * modifiers, units, amount, dx, referring_name, referring_npi,
 * prior_auth, source_id, line, appointment_id).  All or nothing: every
 * bad or refused row is reported, and then nothing is written
 * (PMS_EDATA, or PMS_EREFUSED when every fault was a refusal) unless
 * opts->rejects is given (those rows go there, with a reject_reason
 * column, and the rest in).  One transaction, one audit entry
 * "bill.charge" naming every patient charged.
 */
enum pms_status	 pms_bill_charge_records(struct pms_store *,
		    struct pms_reader *, const struct pms_charge_opts *,
		    struct pms_charge_count *);

/* One charge, with what is open on it; PMS_EREFUSED if none.  No audit
 * entry: the caller's transaction. */
enum pms_status	 pms_bill_charge_get(struct pms_store *, int64_t id,
		    struct pms_charge *);
/* One visit; PMS_EREFUSED if none.  The caller's transaction. */
enum pms_status	 pms_bill_visit_get(struct pms_store *, int64_t id,
		    struct pms_visit *);
/* The charges of a visit, by line, void ones too, to fn (nonzero stops:
 * PMS_EIO).  The caller's transaction; no audit entry. */
typedef int	 pms_charge_fn(void *arg, const struct pms_charge *);
enum pms_status	 pms_bill_visit_charges(struct pms_store *, int64_t visit,
		    pms_charge_fn *fn, void *arg);

/*
 * Code a charge: its diagnoses (up to four, added to the visit's list)
 * replace the line's pointers and a "needs-coding" line becomes
 * "ready".  Refused for a void charge, or one on a claim sent already
 * (billed_on). Audit entry "bill.code".
 */
enum pms_status	 pms_bill_code(struct pms_store *, int64_t charge,
		    const char *dx, int dry_run);

/*
 * Void a charge: its payments go back to their payers' and the
 * patient's credits, its adjustments are undone and what is open on it
 * reversed, every step an entry; the charge's status becomes "void".
 * A charge on a claim sent (billed_on) needs correct_claim, which marks
 * it (correct_claim); pms_claim_void_charge() (claim.h) calls this and
 * makes the claims' replacement or void claim in the same transaction.
 * Audit "bill.void".
 */
enum pms_status	 pms_bill_void(struct pms_store *, int64_t charge,
		    const char *reason, int correct_claim, int dry_run);

/* The day a charge went on a claim sent to the payer of policy (0: the
 * charge's current payer): billed_on of the charge (the first time)
 * and of that party's balance.  For pms-claim; audit "bill.billed". */
enum pms_status	 pms_bill_mark_billed(struct pms_store *, int64_t charge,
		    int64_t policy, const char *on);

/* ---- responsibility ---- */

enum pms_xfer_to {
	PMS_TO_NEXT,		/* the next policy covering the date, else the
				 * patient; from pending, its payer */
	PMS_TO_PATIENT,		/* pending while a later policy covers the
				 * date of service, else the patient */
	PMS_TO_PAYER		/* payer_id's policy covering the date */
};

/*
 * The one way responsibility moves: staff (pms-bill transfer) and the
 * 835 poster (a PR amount to the patient, a crossover to the next
 * payer) both call it.
 */
struct pms_transfer {
	int64_t		 charge_id;
	int64_t		 amount_cents;	/* > 0; 0: all the source party owes */
	struct pms_party from;		/* ANY: the charge's current party */
	enum pms_xfer_to to;
	int64_t		 payer_id;	/* PMS_TO_PAYER */
	const char	*group;		/* "PR" from an 835; NULL */
	const char	*reason;	/* needed: a CARC ("1": deductible) or
					 * words ("lapsed coverage") */
	const char	*source_ref;	/* an 835's claim id; NULL */
	const char	*posted_on;	/* ISO; NULL: today at the practice */
	int		 dry_run;
};

struct pms_transfer_result {
	int64_t		 op;		/* the first ledger entry of it */
	int64_t		 amount_cents;	/* moved */
	struct pms_party from, to;
};

/*
 * Move amount from the source party to the target.  PMS_EREFUSED when
 * the source owes less than amount (or nothing), the target is the
 * source, there is no policy of that payer covering the date of
 * service, or the charge is void; PMS_EDATA for no reason.  Audit entry
 * "bill.transfer" when in a transaction of its own.
 */
enum pms_status	 pms_bill_transfer(struct pms_store *,
		    const struct pms_transfer *, struct pms_transfer_result *);

/* ---- payments ---- */

/* A payment received, with nothing applied yet: all of it a credit of
 * the patient (payer_id 0) or of the payer's policy. */
struct pms_payment_in {
	int64_t		 patient_id;	/* or mrn */
	const char	*mrn;
	int64_t		 payer_id;	/* 0: the patient or guarantor paid */
	int64_t		 policy_id;	/* a payer's: the policy it paid under;
					 * 0: the patient's of payer_id */
	const char	*method;	/* card, cash, check, eft */
	int64_t		 amount_cents;	/* > 0: a refund is refund() */
	const char	*received_on;	/* ISO; NULL: today */
	const char	*ref;		/* a check number, a card slip */
	const char	*source_ref;	/* an 835's claim id */
	const char	*source_id;	/* makes it idempotent */
	int		 dry_run;
};

/*
 * Record a payment (*idp its payment_id): a credit of the party that
 * paid until applied.  A source_id already recorded adds nothing:
 * *existed 1 and *idp that payment.  PMS_EDATA for a zero or negative
 * amount ("a negative payment is a refund or an adjustment") or an
 * unknown method.  Audit entry "bill.pay".
 */
enum pms_status	 pms_bill_payment_new(struct pms_store *,
		    const struct pms_payment_in *, int64_t *idp, int *existed);

/*
 * Apply up to amount (0: as much as it can) of payment's credit to
 * what the payment's party owes on charge (a patient's payment: the
 * patient party; a payer's: its policy's party); *applied gets what
 * went.  PMS_EREFUSED if the payment has no credit left or the party
 * owes nothing on the charge.  Audit entry "bill.apply".
 */
enum pms_status	 pms_bill_apply(struct pms_store *, int64_t payment,
		    int64_t charge, int64_t amount, const char *posted_on,
		    int dry_run, int64_t *applied);

/* Take amount (0: all) of payment's application to charge back to its
 * credit (a reversal; void does this itself).  Audit "bill.apply". */
enum pms_status	 pms_bill_unapply(struct pms_store *, int64_t payment,
		    int64_t charge, int64_t amount, const char *reason,
		    const char *posted_on, int dry_run);

/* pay: a patient's payment at the desk, applied at once. */
struct pms_pay_in {
	struct pms_payment_in p;
	const int64_t	*apply;		/* these charges, in this order; NULL:
					 * the oldest the patient owes */
	size_t		 napply;
	int		 evenly;	/* split evenly over apply */
};

struct pms_pay_result {
	int64_t		 payment_id;
	int64_t		 patient_id;
	int64_t		 applied_cents;
	int64_t		 credit_cents;	/* what is left as a credit */
	int		 existed;	/* the source_id was recorded already */
};

/*
 * Record the patient's payment and apply it: to the charges named (in
 * their order; evenly: the amount split over them with
 * pms_money_split, larger parts last), else to the oldest charges the
 * patient owes (party patient, never pending).  What is left is a
 * credit.  Audit entry "bill.pay".
 */
enum pms_status	 pms_bill_pay(struct pms_store *, const struct pms_pay_in *,
		    struct pms_pay_result *);

/*
 * Many payments from records (patient_id or mrn, amount, method, ref,
 * received_on, apply: charge ids "3,5", source_id; any other column
 * is a bad row: a misspelt source_id must not post twice); all or
 * nothing as charge records are.  fn gets each result once all are in
 * (none when the batch is refused); report gets each bad row's message,
 * both with arg.  Audit entry "bill.pay".
 */
typedef int	 pms_pay_fn(void *arg, const struct pms_pay_result *);
enum pms_status	 pms_bill_pay_records(struct pms_store *,
		    struct pms_reader *, int dry_run,
		    void (*report)(void *, const char *), pms_pay_fn *fn,
		    void *arg, unsigned long *rows);

/*
 * Apply the patient's credits, oldest first, to the oldest charges they
 * owe (or to charge only, when not 0).  *applied gets the total.
 * Audit entry "bill.apply".
 */
enum pms_status	 pms_bill_apply_credits(struct pms_store *, int64_t patient,
		    int64_t charge, int dry_run, int64_t *applied);

/* A refund of a credit: the patient's (payer_id 0) or a payer's (an
 * overpayment or a recoupment it takes back). */
struct pms_refund {
	int64_t		 patient_id;
	int64_t		 payer_id;	/* 0: the patient's credit */
	int64_t		 payment_id;	/* that payment's credit; 0: oldest */
	int64_t		 amount_cents;	/* > 0 */
	const char	*method;	/* check, card, cash, eft */
	const char	*ref;
	const char	*reason;
	const char	*source_ref;
	const char	*posted_on;
	int		 dry_run;
};

/* PMS_EREFUSED if the credits are less than the amount.  Audit entry
 * "bill.refund". */
enum pms_status	 pms_bill_refund(struct pms_store *,
		    const struct pms_refund *, int64_t *op);

/* ---- adjustments ---- */

struct pms_adjust {
	int64_t		 charge_id;
	int64_t		 amount_cents;	/* negative: a write-off; positive:
					 * one taken back */
	struct pms_party from;		/* ANY: the charge's current party */
	const char	*group;		/* CO, PI, OA; NULL for the practice's
					 * own (writeoff, courtesy, ...) */
	const char	*reason;	/* a CARC with a group; else writeoff,
					 * courtesy, small-balance */
	const char	*source_ref;
	const char	*posted_on;
	int		 dry_run;
};

/*
 * A write-off (never a move of responsibility: group PR is refused, it
 * is a transfer).  PMS_EREFUSED when it would take the party below
 * zero; PMS_EDATA for a bad group or reason (a CARC is checked by shape
 * and against a loaded list).  Audit entry "bill.adjust".
 */
enum pms_status	 pms_bill_adjust(struct pms_store *, const struct pms_adjust *,
		    int64_t *op);

/* ---- balances and the ledger ---- */

/* What one patient has open: patient and pending are also split by
 * payer in the rows of pms_bill_balances(). */
struct pms_balance {
	int64_t		 patient_id;
	int64_t		 patient_cents;		/* billable to the patient */
	int64_t		 pending_cents;		/* waiting for a next payer */
	int64_t		 insurance_cents;	/* with payers */
	int64_t		 credit_cents;		/* the patient's, <= 0 */
	int64_t		 payer_credit_cents;	/* payers' overpayments, <= 0 */
};

/* The patient's totals (following merges).  The caller's transaction;
 * no audit entry. */
enum pms_status	 pms_bill_balance_get(struct pms_store *, int64_t patient,
		    struct pms_balance *);

/* One row of balance: a patient, a party (patient, pending,
 * insurance, credit), its payer ("" for the patient's), the amount. */
struct pms_balance_row {
	int64_t		 patient_id;
	const char	*mrn;
	const char	*last_name;
	const char	*first_name;
	const char	*party;		/* patient pending insurance credit */
	const char	*payer;		/* "" for the patient's own */
	int64_t		 amount_cents;
};
typedef int	 pms_balance_fn(void *arg, const struct pms_balance_row *);

/*
 * The open balances of the patient (0: of every patient with any), one
 * row per party and payer, to fn.  Audit entry "bill.balance" naming
 * the patients passed.
 */
enum pms_status	 pms_bill_balances(struct pms_store *, int64_t patient,
		    pms_balance_fn *fn, void *arg, size_t *count);

/* One ledger entry, with the patient's running total after it. */
struct pms_entry {
	int64_t		 id;
	int64_t		 op;
	const char	*kind;
	const char	*posted_on;
	const char	*at;
	int64_t		 charge_id;	/* 0 for a credit's entry */
	const char	*dos;		/* the charge's; NULL */
	const char	*code;
	int64_t		 payment_id;
	const char	*party;
	const char	*payer;		/* "" for the patient */
	int64_t		 amount_cents;
	int64_t		 balance_cents;	/* the running total, every party */
	const char	*group_code;
	const char	*reason;
	const char	*source_ref;
	const char	*by_user;
};
typedef int	 pms_entry_fn(void *arg, const struct pms_entry *);

/* Every entry of the patient's ledger, oldest first.  Audit entry
 * "bill.ledger". */
enum pms_status	 pms_bill_ledger(struct pms_store *, int64_t patient,
		    pms_entry_fn *fn, void *arg, size_t *count);

/* What list selects. */
struct pms_charge_query {
	int64_t		 patient_id;	/* 0: every patient */
	const char	*from, *to;	/* dates of service, ISO; NULL: open */
	const char	*status;	/* needs-coding, ready, void; NULL */
	const char	*provider;	/* a code; NULL */
	int		 open;		/* only charges with something open */
	int64_t		 id;		/* one charge (show) */
	const char	*action;	/* "bill.list", "bill.show" */
};

/* Charges by date of service and id, to fn, in one transaction with
 * the audit entry q->action naming every patient passed. */
enum pms_status	 pms_bill_charges(struct pms_store *,
		    const struct pms_charge_query *, pms_charge_fn *fn,
		    void *arg, size_t *count);

/* ---- aging ---- */

enum pms_aging_by {
	PMS_AGE_DOS,		/* from the date of service */
	PMS_AGE_BILLED,		/* from the day first billed to the party
				 * (a claim, a statement); not yet: from
				 * the day it became the party's */
	PMS_AGE_TRANSFERRED	/* from the day it became the party's */
};

#define PMS_AGING_BUCKETS	5	/* 0-30, 31-60, 61-90, 91-120, 121+ */

struct pms_aging_row {
	int64_t		 patient_id;	/* 0 in a summary */
	const char	*mrn;
	const char	*last_name;
	const char	*first_name;
	const char	*responsibility;	/* patient, insurance, pending,
						 * credit */
	const char	*payer;		/* insurance, a payer's credit */
	int64_t		 bucket[PMS_AGING_BUCKETS];
	int64_t		 total_cents;
};
typedef int	 pms_aging_fn(void *arg, const struct pms_aging_row *);

/* The bucket of an age in days: 0 for 0 to 30 (and the future), 1 for
 * 31 to 60, 2 for 61 to 90, 3 for 91 to 120, 4 from 121. */
int		 pms_aging_bucket(int32_t days);

/*
 * What is open, aged at as_of (ISO; NULL: today): one row per patient
 * and responsibility (the patient's; insurance per payer; pending per
 * payer it waits for; credits apart, never netted), by patient, then
 * in that order, then by payer id; or with summary one per
 * responsibility and payer.  Audit entry "bill.aging".
 */
enum pms_status	 pms_bill_aging(struct pms_store *, enum pms_aging_by,
		    const char *as_of, int summary, pms_aging_fn *fn,
		    void *arg, size_t *count);

/* ---- fee schedules ---- */

struct pms_fee {
	const char	*schedule;
	const char	*code;
	const char	*description;
	int64_t		 price_cents;
};
typedef int	 pms_fee_fn(void *arg, const struct pms_fee *);

/*
 * Prices from records (code, description, price; schedule when the
 * record has one, else schedule, else "default").  A code is a CPT or
 * HCPCS code, or a practice's own fee code (two to ten capital letters
 * and digits: NOSHOW).  All or nothing; audit "bill.fees.import".
 * *added and *changed count rows.
 */
enum pms_status	 pms_bill_fees_import(struct pms_store *,
		    struct pms_reader *, const char *schedule, int dry_run,
		    void (*report)(void *, const char *), unsigned long *added,
		    unsigned long *changed, unsigned long *unchanged);
/* The prices of schedule (NULL: every schedule), by schedule and code. */
enum pms_status	 pms_bill_fees(struct pms_store *, const char *schedule,
		    pms_fee_fn *fn, void *arg);

/*
 * Balances brought from another system: records patient_id or mrn,
 * amount (positive: owed; negative: a credit), as_of (ISO date), payer
 * (optional: owed by that payer's policy covering as_of), source_id.
 * A row already brought (source_id; else patient, as_of and amount)
 * adds nothing.  All or nothing; audit "bill.opening-balance.import".
 */
enum pms_status	 pms_bill_opening_import(struct pms_store *,
		    struct pms_reader *, int dry_run,
		    void (*report)(void *, const char *), unsigned long *rows,
		    unsigned long *added);

/* ---- statements (bill_stmt.c) ---- */

enum pms_stmt_format {
	PMS_STMT_TEXT,
	PMS_STMT_HTML
};

struct pms_stmt_opts {
	int64_t		 patient_id;	/* one patient; 0 with all */
	int		 all;		/* every patient owing min_cents+ */
	int64_t		 min_cents;	/* -1: billing.statement.min_balance */
	const char	*date;		/* the statement date; NULL: today */
	enum pms_stmt_format format;
	const char	*template_path;	/* NULL: the one built in */
	const char	*out_path;	/* NULL or "-": out */
	FILE		*out;		/* stdout, when no out_path */
	int		 dry_run;	/* write them; record nothing */
};

struct pms_stmt_result {
	unsigned long	 statements;
	int64_t		 total_cents;	/* the amounts due */
	int64_t		 run_id;
};

/*
 * Statements: each addressed to the patient's guarantor (or the
 * patient), with the practice's header, the charges still open
 * (itemised: charged, paid and adjusted by insurance, insurance
 * pending, paid by the patient, owed), the payments since the last
 * statement, the amount due (what the patient owes less their credit)
 * and the due date (billing.statement.due_days on).  Amounts with
 * payers, or pending for a next payer, are shown, never asked for.
 *
 * In one IMMEDIATE transaction: every statement is written out first
 * (out flushed; out_path written to a temp file, fsynced and renamed
 * into place), and only then is the run recorded (statement_runs,
 * statements, the patient balances' billed_on) with its audit entry
 * "bill.statement".  A write error (a full disk) records nothing:
 * PMS_EIO.  One patient's statement is written whatever is due (0.00
 * included); --all takes those owing min_cents or more.
 */
enum pms_status	 pms_bill_statements(struct pms_store *,
		    const struct pms_stmt_opts *, struct pms_stmt_result *);

/* ---- the books balance (pms-admin check) ---- */

struct pms_bill_check_report {
	int64_t		 entries;	/* ledger entries summed */
	int64_t		 balances;	/* open balances compared */
	int64_t		 charges;
	int64_t		 payments;
	int64_t		 total_cents;	/* what is open, every party */
};

/*
 * Prove that the ledger and the balances agree: every open balance is
 * the sum of its entries (and no sum without a balance), every
 * charge's charge entries are its amount, every payment's entries are
 * its amount less its refunds, every transfer and application nets to
 * zero, no charge is owed below zero nor a credit above it.  The first
 * fault is PMS_ETAMPER "the ledger does not reconcile: ...".  In a read
 * transaction of its own; no audit entry (pms_store_check writes one).
 */
enum pms_status	 pms_bill_check(struct pms_store *,
		    struct pms_bill_check_report *);

#endif /* PMS_BILL_H */
