-- 0006-bill: the practice's money (lib/bill.c, lib/codes.c).  Fee
-- schedules and code lists; visits and their charges; payments; the
-- ledger, append-only, where every change of what someone owes is an
-- entry; the balances the ledger adds up to; statements sent.
--
-- Money is integer cents everywhere.  Who owes an amount is its party:
-- 'payer' (the policy policy_id, of payer payer_id), 'pending' (owed by
-- the patient once the payer of policy_id, the next one covering the
-- date of service, has had its turn: never billed to the patient while
-- it waits) or 'patient'.  The sum of the ledger's entries for a charge
-- and party, or for a payment's unapplied part (a credit) and party, is
-- its row of balances; pms-admin check proves it (pms_bill_check).

-- Prices per procedure code, per fee schedule: "default", "self-pay",
-- or the fee_schedule a payer of the configuration names.  What a
-- charge was priced at stays on the charge when the schedule changes.
CREATE TABLE fees (
	schedule	TEXT NOT NULL,
	code		TEXT NOT NULL,
	description	TEXT,
	price_cents	INTEGER NOT NULL CHECK (price_cents >= 0),
	updated_at	TEXT NOT NULL,
	PRIMARY KEY (schedule, code)
) STRICT, WITHOUT ROWID;

-- Code lists loaded with pms-admin codes load: procedure codes (cpt,
-- hcpcs), modifiers, diagnoses (icd10cm; without the dot, billable 0
-- for a category that is not a leaf), claim adjustment reasons (carc),
-- remark codes (rarc) and places of service (pos).  A kind with no row
-- is checked by shape alone.  effective_from/to: the first and last day
-- a code may be used; NULL: open.
CREATE TABLE code_list (
	kind		TEXT NOT NULL
	    CHECK (kind IN ('cpt', 'hcpcs', 'modifier', 'icd10cm', 'carc',
	    'rarc', 'pos')),
	code		TEXT NOT NULL,
	description	TEXT,
	billable	INTEGER NOT NULL DEFAULT 1 CHECK (billable IN (0, 1)),
	effective_from	TEXT NOT NULL DEFAULT '',	-- '': from the start
	effective_to	TEXT,
	loaded_at	TEXT NOT NULL,
	PRIMARY KEY (kind, code, effective_from)
) STRICT, WITHOUT ROWID;

-- A visit: patient, date of service, rendering provider, location (and
-- its place of service then).  dx lists the visit's diagnoses in order
-- (ICD-10-CM without the dot, comma separated): a line's dx_pointers
-- count from 1 into it.  appointment_id names the appointment of 0005
-- it was charged from (no REFERENCES: the schedule's table is its own).
CREATE TABLE visits (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	dos		TEXT NOT NULL,
	provider_id	INTEGER NOT NULL REFERENCES providers (id),
	location_id	INTEGER NOT NULL REFERENCES locations (id),
	place_of_service TEXT NOT NULL,
	appointment_id	INTEGER,
	dx		TEXT NOT NULL DEFAULT '',
	referring_name	TEXT,
	referring_npi	TEXT,
	prior_auth	TEXT,
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL
) STRICT;

CREATE INDEX visits_by_patient ON visits (patient_id, dos);
CREATE INDEX visits_by_appointment ON visits (appointment_id)
    WHERE appointment_id IS NOT NULL;

-- A charge: one line of a visit (kind service, or a no-show or
-- late-cancel fee), or a balance brought from another system (kind
-- opening: no visit, no code).  amount_cents is the line's total.
-- patient_only: a fee or a self-pay-only code, owed by the patient
-- alone and never put on a claim.  status: needs-coding (a service line
-- without a diagnosis), ready, void.  billed_on: the day it was first
-- on a claim sent (pms-claim); a void of such a charge needs
-- --correct-claim and sets correct_claim, which the claims issue turns
-- into a replacement or void claim.
CREATE TABLE charges (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	visit_id	INTEGER REFERENCES visits (id),
	line		INTEGER NOT NULL CHECK (line >= 1),
	kind		TEXT NOT NULL DEFAULT 'service'
	    CHECK (kind IN ('service', 'fee', 'opening')),
	dos		TEXT NOT NULL,
	code		TEXT,
	modifiers	TEXT NOT NULL DEFAULT '',
	units		INTEGER NOT NULL DEFAULT 1
	    CHECK (units BETWEEN 1 AND 9999),
	amount_cents	INTEGER NOT NULL CHECK (amount_cents >= 0),
	dx_pointers	TEXT NOT NULL DEFAULT '',
	patient_only	INTEGER NOT NULL DEFAULT 0
	    CHECK (patient_only IN (0, 1)),
	fee_schedule	TEXT,
	status		TEXT NOT NULL CHECK (status IN ('needs-coding', 'ready',
	    'void')),
	appointment_id	INTEGER,
	source_id	TEXT UNIQUE,
	billed_on	TEXT,
	correct_claim	INTEGER NOT NULL DEFAULT 0
	    CHECK (correct_claim IN (0, 1)),
	void_reason	TEXT,
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL,
	updated_at	TEXT NOT NULL,
	CHECK ((kind = 'opening') = (visit_id IS NULL)),
	CHECK (kind = 'opening' OR code IS NOT NULL)
) STRICT;

CREATE INDEX charges_by_patient ON charges (patient_id, dos);
CREATE INDEX charges_by_visit ON charges (visit_id, line);
CREATE INDEX charges_by_appointment ON charges (appointment_id)
    WHERE appointment_id IS NOT NULL;

-- Money received: from the patient (payer_id NULL) or from a payer
-- under the patient's policy policy_id (an 835's claim payment:
-- source_ref its claim id, ref the check or EFT trace).  amount_cents
-- is what came in; the ledger says where it went.
CREATE TABLE payments (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	payer_id	INTEGER REFERENCES payers (id),
	policy_id	INTEGER REFERENCES policies (id),
	method		TEXT NOT NULL CHECK (method IN ('card', 'cash', 'check',
	    'eft', 'opening')),
	amount_cents	INTEGER NOT NULL CHECK (amount_cents > 0),
	received_on	TEXT NOT NULL,
	ref		TEXT,
	source_ref	TEXT,
	source_id	TEXT UNIQUE,
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL,
	CHECK ((payer_id IS NULL) = (policy_id IS NULL))
) STRICT;

CREATE INDEX payments_by_patient ON payments (patient_id, received_on);

-- The ledger.  One entry per change of a balance, amount_cents the
-- change (positive: more is owed).  op is the id of the first entry of
-- the operation it belongs to (a transfer is two entries, a payment one
-- per charge it pays and one for what is left over).  kind is the
-- operation: charge, payment (money applied to a charge, or left as a
-- credit: charge_id NULL), apply (a credit applied later), transfer,
-- adjustment (group CO, PI or OA and a reason code, or a practice's own
-- writeoff, courtesy, small-balance), void (a charge reversed: its
-- payments back to credit, its adjustments and balances undone),
-- refund, opening.  An entry is about a charge (charge_id) or about a
-- payment's credit (payment_id alone).  reverses names the entry a void
-- undoes.  Append-only: corrections are entries; the one column that
-- may change is patient_id, which a merge of two patients moves.
CREATE TABLE ledger (
	id		INTEGER PRIMARY KEY,
	op		INTEGER NOT NULL,
	kind		TEXT NOT NULL
	    CHECK (kind IN ('charge', 'payment', 'apply', 'transfer',
	    'adjustment', 'void', 'refund', 'opening')),
	at		TEXT NOT NULL,
	posted_on	TEXT NOT NULL,
	by_user		TEXT NOT NULL,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	charge_id	INTEGER REFERENCES charges (id),
	payment_id	INTEGER REFERENCES payments (id),
	party		TEXT NOT NULL CHECK (party IN ('payer', 'pending',
	    'patient')),
	policy_id	INTEGER REFERENCES policies (id),
	payer_id	INTEGER REFERENCES payers (id),
	amount_cents	INTEGER NOT NULL CHECK (amount_cents <> 0),
	group_code	TEXT
	    CHECK (group_code IN ('CO', 'PI', 'OA', 'PR', 'CR')),
	reason		TEXT,
	source_ref	TEXT,
	reverses	INTEGER,	-- a ledger id (no REFERENCES: no index)
	CHECK (charge_id IS NOT NULL OR payment_id IS NOT NULL),
	CHECK ((party = 'patient') = (policy_id IS NULL)),
	CHECK ((policy_id IS NULL) = (payer_id IS NULL))
) STRICT;

-- Every column that references another table has a whole index: the
-- access log's batches defer foreign keys, and then an insert into a
-- parent table looks for its children, which must not be a scan.
CREATE INDEX ledger_by_patient ON ledger (patient_id, id);
CREATE INDEX ledger_by_charge ON ledger (charge_id);
CREATE INDEX ledger_by_payment ON ledger (payment_id);

CREATE TRIGGER ledger_no_update BEFORE UPDATE OF id, op, kind, at, posted_on,
    by_user, charge_id, payment_id, party, policy_id, payer_id, amount_cents,
    group_code, reason, source_ref, reverses ON ledger
BEGIN
SELECT RAISE(ABORT, 'the ledger is append-only: a correction is an entry');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
SELECT RAISE(ABORT, 'the ledger is append-only: a correction is an entry');
END;

-- What is open: for each charge and party (charge_id), or payment and
-- party (payment_id: its unapplied credit, negative), the sum of the
-- ledger's entries, kept beside the ledger by the one function that
-- writes entries, and gone when it is zero.  since: the day this party
-- became responsible (aging --by transferred); billed_on: the day it
-- was first billed to this party (a claim sent, a statement run).
-- class (0 patient, 1 payer, 2 pending, 3 credit) and dos (the charge's
-- date of service, a credit's day received) are kept so that aging
-- reads one index in order, and nothing else.
CREATE TABLE balances (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	charge_id	INTEGER REFERENCES charges (id),
	payment_id	INTEGER REFERENCES payments (id),
	party		TEXT NOT NULL CHECK (party IN ('payer', 'pending',
	    'patient')),
	policy_id	INTEGER REFERENCES policies (id),
	payer_id	INTEGER REFERENCES payers (id),
	amount_cents	INTEGER NOT NULL CHECK (amount_cents <> 0),
	since		TEXT NOT NULL,
	billed_on	TEXT,
	class		INTEGER NOT NULL CHECK (class BETWEEN 0 AND 3),
	dos		TEXT NOT NULL,
	CHECK ((charge_id IS NULL) <> (payment_id IS NULL)),
	CHECK ((class = 3) = (payment_id IS NOT NULL)),
	CHECK ((party = 'patient') = (policy_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX balances_key ON balances (coalesce(charge_id,
    -payment_id), party, coalesce(policy_id, 0));
CREATE INDEX balances_aging ON balances (patient_id, class, payer_id, dos,
    since, billed_on, amount_cents);
CREATE INDEX balances_by_charge ON balances (charge_id);
CREATE INDEX balances_by_payment ON balances (payment_id);

-- Statements: each run (one patient, or the monthly --all), recorded
-- only after its output was written out, and each statement of it:
-- whom it was addressed to and what it asked for.
CREATE TABLE statement_runs (
	id		INTEGER PRIMARY KEY,
	at		TEXT NOT NULL,
	by_user		TEXT NOT NULL,
	statement_date	TEXT NOT NULL,
	format		TEXT NOT NULL CHECK (format IN ('text', 'html')),
	statements	INTEGER NOT NULL,
	total_cents	INTEGER NOT NULL
) STRICT;

CREATE TABLE statements (
	id		INTEGER PRIMARY KEY,
	run_id		INTEGER NOT NULL REFERENCES statement_runs (id),
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	guarantor_id	INTEGER REFERENCES guarantors (id),
	statement_date	TEXT NOT NULL,
	due_on		TEXT NOT NULL,
	patient_cents	INTEGER NOT NULL,
	pending_cents	INTEGER NOT NULL,
	insurance_cents	INTEGER NOT NULL,
	credit_cents	INTEGER NOT NULL,
	amount_due_cents INTEGER NOT NULL CHECK (amount_due_cents >= 0)
) STRICT;

CREATE INDEX statements_by_patient ON statements (patient_id, id);
CREATE INDEX statements_by_run ON statements (run_id);
