/*
 * bill_int.h: what the files of the billing module share (bill.c,
 * bill_query.c, bill_stmt.c) and nothing else sees: the practice's
 * settings as billing reads them, transactions that nest in the
 * caller's, and the one function that writes ledger entries.
 */
#ifndef PMS_BILL_INT_H
#define PMS_BILL_INT_H

#include "bill.h"
#include "pms_int.h"

#define BILL_FEE_MAX	200	/* self-pay-only codes read */


/* The practice as billing needs it, read once per call. */
struct bill_env {
	struct pms_config *cfg;		/* NULL: no configuration loaded */
	char		 zone[PMS_ZONE_MAX];
	int32_t		 today;
	char		 today_s[PMS_DATE_BUFSZ];
	char		 now[PMS_STAMP_BUFSZ];	/* UTC instant */
	const char	*user;
	char		 noshow[PMS_CODE_BUFSZ];	/* "" if none */
	int64_t		 noshow_price;
	char		 latec[PMS_CODE_BUFSZ];
	int64_t		 latec_price;
	size_t		 nselfpay;
	const char	*selfpay[BILL_FEE_MAX];	/* borrowed from cfg */
};

enum pms_status	 bill_env_load(struct pms_store *, struct bill_env *);
void		 bill_env_free(struct bill_env *);

/*
 * A unit of work: its own IMMEDIATE transaction when none is open
 * (own), else a savepoint in the caller's.  bill_tx_end() with a
 * failure undoes it; with PMS_OK it writes the audit entry (own only:
 * action, fields, the patients) and commits, or with dry_run rolls
 * back.
 */
struct bill_tx {
	struct pms_store *s;
	int		 own;
	int		 open;
};

enum pms_status	 bill_tx_begin(struct pms_store *, struct bill_tx *);
enum pms_status	 bill_tx_end(struct bill_tx *, enum pms_status st,
		    int dry_run, const char *action, const char *fields,
		    const int64_t *patients, size_t n);

/* An operation on the ledger: its entries share op, kind, time. */
struct bill_op {
	struct pms_store *s;
	int64_t		 id;		/* the first entry's id; 0 before */
	const char	*kind;
	char		 posted_on[PMS_DATE_BUFSZ];
	const char	*at;
	const char	*user;
	const char	*group;
	const char	*reason;
	const char	*source_ref;
};

void		 bill_op_init(struct bill_op *, struct pms_store *,
		    const struct bill_env *, const char *kind,
		    const char *posted_on);

/*
 * Write one entry of op and keep its balance row (charge and party, or
 * payment and party) equal to the sum: the only writer of ledger and
 * balances.  amount 0 writes nothing.
 */
enum pms_status	 bill_post(struct bill_op *, int64_t patient, int64_t charge,
		    int64_t payment, const struct pms_party *, int64_t amount,
		    int64_t reverses);

/* Fill payer_id, priority and payer of a party with a policy. */
enum pms_status	 bill_party_fill(struct pms_store *, struct pms_party *);

/*
 * The patient a record names by patient_id or mrn (pms_patient_id), and
 * when it gives both, PMS_EDATA unless they name the same patient.
 */
enum pms_status	 bill_patient(struct pms_store *, int64_t id,
		    const char *mrn, int64_t *out);

/*
 * PMS_EDATA, the record failed naming it, for a column that is not one
 * of known (NULL-terminated) nor reject_reason (a rejects file sent
 * back): a misspelt source_id or apply must not pass silently.
 */
enum pms_status	 bill_columns(const struct pms_record *,
		    const char *const *known);

/* Copy src (NULL: "") into dst of size, cut short to fit. */
void		 bill_copy(char *dst, size_t size, const char *src);

/* A date as typed (ISO) into buf; NULL or "" gives dflt. */
enum pms_status	 bill_date(const char *in, const char *dflt,
		    char buf[PMS_DATE_BUFSZ]);

/* Statement step helpers shared by the query files. */
enum pms_status	 bill_sqlerr(struct pms_store *, int rc, const char *what);

/* Read the charge in the row of st (columns of BILL_CHARGE_COLS). */
#define BILL_CHARGE_COLS \
	"c.id, c.patient_id, p.mrn, c.visit_id, c.line, c.kind, c.dos, " \
	"pr.code, lo.code, v.place_of_service, c.code, c.modifiers, " \
	"c.units, c.amount_cents, c.dx_pointers, c.patient_only, " \
	"c.fee_schedule, c.status, c.appointment_id, c.source_id, " \
	"c.billed_on, c.correct_claim, v.referring_name, v.referring_npi, " \
	"v.prior_auth, c.created_at, v.dx "
#define BILL_CHARGE_FROM \
	"FROM charges c JOIN patients p ON p.id = c.patient_id " \
	"LEFT JOIN visits v ON v.id = c.visit_id " \
	"LEFT JOIN providers pr ON pr.id = v.provider_id " \
	"LEFT JOIN locations lo ON lo.id = v.location_id "

/* A charge's row read, and its balances from bal (a statement of
 * BILL_BAL_SQL, reset and rebound here). */
void		 bill_charge_row(sqlite3_stmt *, struct pms_charge *);
enum pms_status	 bill_charge_balances(struct pms_store *, sqlite3_stmt *bal,
		    struct pms_charge *);
#define BILL_BAL_SQL \
	"SELECT b.party, b.policy_id, b.payer_id, o.priority, y.code, " \
	"b.amount_cents FROM balances b LEFT JOIN policies o ON o.id = " \
	"b.policy_id LEFT JOIN payers y ON y.id = b.payer_id WHERE " \
	"b.charge_id = ?1 ORDER BY CASE b.party WHEN 'payer' THEN 0 WHEN " \
	"'pending' THEN 1 ELSE 2 END, o.priority, b.id"

#endif /* PMS_BILL_INT_H */
