-- 0009-claim-answers: what comes back for the claims of 0008
-- (lib/claim_ack.c, lib/claim_era.c).  The clearinghouse's and the
-- payer's acknowledgements (TA1, 999, 277CA), and the payers' 835
-- remittances, posted to the ledger of 0006 through pms-bill's own
-- calls (payments, applications, adjustments, transfers, refunds).
--
-- An 835 transaction set is a remittance: one payment (BPR) under one
-- trace (TRN02), unique for its payer (payer_key: TRN03, the payer's
-- identifier, else its N1*PR id, else its name).  Each claim of it
-- (CLP) posted once is a row of claim_remit_claims, keyed by what the
-- payer said of it, so that the same file read again, or a re-issued or
-- split remittance with the same trace, posts only what is new.  What
-- a posting did (each application, write-off, transfer and open
-- denial) is a row of claim_remit_ops, so that a reversal (CLP02 22)
-- undoes exactly that.  Only postings are recorded: a claim that did
-- not balance, matched nothing or was refused is reported each time
-- the file is read, and posts when it can.

CREATE TABLE claim_remits (
	id		INTEGER PRIMARY KEY,
	payer_key	TEXT NOT NULL,
	trn02		TEXT NOT NULL,
	payer_name	TEXT,			-- N1*PR N102
	payer_id	INTEGER REFERENCES payers (id),	-- the payer known
	handling	TEXT NOT NULL,		-- BPR01: I, H, C, D, P, U, X
	method		TEXT NOT NULL,		-- BPR04: ACH, CHK, NON, ...
	payment_cents	INTEGER NOT NULL,	-- BPR02
	paid_on		TEXT,			-- BPR16, ISO
	isa13		TEXT NOT NULL,
	st02		TEXT NOT NULL,
	imported_at	TEXT NOT NULL,
	imported_by	TEXT NOT NULL,
	UNIQUE (payer_key, trn02)
) STRICT;

CREATE INDEX claim_remits_by_payer ON claim_remits (payer_id);

-- One claim of a remittance, posted.  status is CLP02; charge, paid
-- and patient are CLP03, CLP04 and CLP05; clp07 the payer's claim
-- number ('' when none).  reverses names the posting a reversal (22)
-- undid; reversed_by is set on that posting when it is undone.
CREATE TABLE claim_remit_claims (
	id		INTEGER PRIMARY KEY,
	remit_id	INTEGER NOT NULL REFERENCES claim_remits (id),
	claim_id	INTEGER NOT NULL REFERENCES claims (id),
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	policy_id	INTEGER REFERENCES policies (id),
	clp01		TEXT NOT NULL,
	status		TEXT NOT NULL,
	charge_cents	INTEGER NOT NULL,
	paid_cents	INTEGER NOT NULL,
	patient_cents	INTEGER NOT NULL,
	clp07		TEXT NOT NULL DEFAULT '',
	payment_id	INTEGER REFERENCES payments (id),
	reverses	INTEGER REFERENCES claim_remit_claims (id),
	reversed_by	INTEGER REFERENCES claim_remit_claims (id),
	remarks		TEXT NOT NULL DEFAULT '',	-- MOA, MIA: "M15,N4"
	posted_at	TEXT NOT NULL,
	UNIQUE (remit_id, clp01, status, clp07, charge_cents, paid_cents)
) STRICT;

CREATE INDEX claim_remit_claims_by_claim ON claim_remit_claims (claim_id);
CREATE INDEX claim_remit_claims_by_patient ON claim_remit_claims
    (patient_id);
CREATE INDEX claim_remit_claims_by_policy ON claim_remit_claims (policy_id);
CREATE INDEX claim_remit_claims_by_payment ON claim_remit_claims
    (payment_id);
CREATE INDEX claim_remit_claims_by_reverses ON claim_remit_claims
    (reverses);
CREATE INDEX claim_remit_claims_by_reversed ON claim_remit_claims
    (reversed_by);

-- What a posting did, in order.  kind: apply (of the claim's payment to
-- a charge), adjust (a contractual write-off, amount negative),
-- transfer (responsibility moved: from_party to to_party, each payer,
-- pending or patient with its policy), take (what was pending with a
-- later payer taken over by it before its own 835 posts), refund (a
-- reversal taking a payment back).
CREATE TABLE claim_remit_ops (
	id		INTEGER PRIMARY KEY,
	remit_claim_id	INTEGER NOT NULL REFERENCES claim_remit_claims (id),
	kind		TEXT NOT NULL CHECK (kind IN ('apply', 'adjust',
	    'transfer', 'take', 'refund')),
	charge_id	INTEGER REFERENCES charges (id),
	payment_id	INTEGER REFERENCES payments (id),
	amount_cents	INTEGER NOT NULL,
	group_code	TEXT,
	reason		TEXT,
	from_party	TEXT,
	from_policy	INTEGER REFERENCES policies (id),
	to_party	TEXT,
	to_policy	INTEGER REFERENCES policies (id),
	ledger_op	INTEGER		-- the ledger's op (no REFERENCES)
) STRICT;

CREATE INDEX claim_remit_ops_by_claim ON claim_remit_ops (remit_claim_id);
CREATE INDEX claim_remit_ops_by_charge ON claim_remit_ops (charge_id);
CREATE INDEX claim_remit_ops_by_payment ON claim_remit_ops (payment_id);
CREATE INDEX claim_remit_ops_by_from ON claim_remit_ops (from_policy);
CREATE INDEX claim_remit_ops_by_to ON claim_remit_ops (to_policy);

-- Amounts a payer did not pay and that were not written off: a CO, PI
-- or OA reason off the contractual and informational lists.  They stay
-- owed by the payer, and open here (pms-claim denials) until a later
-- posting of the claim pays or adjusts the line (closed_by), or a
-- reversal undoes the posting that denied them.  line is the claim
-- line's lx; remarks the remark codes of the line and the claim.
CREATE TABLE claim_denials (
	id		INTEGER PRIMARY KEY,
	remit_claim_id	INTEGER NOT NULL REFERENCES claim_remit_claims (id),
	claim_id	INTEGER NOT NULL REFERENCES claims (id),
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	charge_id	INTEGER NOT NULL REFERENCES charges (id),
	line		INTEGER NOT NULL,
	group_code	TEXT NOT NULL,
	reason		TEXT NOT NULL,
	amount_cents	INTEGER NOT NULL,
	remarks		TEXT NOT NULL DEFAULT '',
	denied_on	TEXT NOT NULL,
	closed_by	INTEGER REFERENCES claim_remit_claims (id),
	closed_on	TEXT
) STRICT;

CREATE INDEX claim_denials_open ON claim_denials (closed_by, denied_on, id);
CREATE INDEX claim_denials_by_claim ON claim_denials (claim_id);
CREATE INDEX claim_denials_by_patient ON claim_denials (patient_id);
CREATE INDEX claim_denials_by_charge ON claim_denials (charge_id);
CREATE INDEX claim_denials_by_remit ON claim_denials (remit_claim_id);

-- Provider-level adjustments (PLB): the payer's account with the
-- practice, never a patient's.  amount_cents as the payer wrote it
-- (positive: taken from the payment; negative: added to it).
CREATE TABLE claim_plb (
	id		INTEGER PRIMARY KEY,
	remit_id	INTEGER NOT NULL REFERENCES claim_remits (id),
	payer_id	INTEGER REFERENCES payers (id),
	period		TEXT,			-- PLB02, ISO
	reason		TEXT NOT NULL,		-- WO, L6, FB, ...
	reference	TEXT NOT NULL DEFAULT '',
	amount_cents	INTEGER NOT NULL,
	UNIQUE (remit_id, reason, reference, amount_cents)
) STRICT;

CREATE INDEX claim_plb_by_payer ON claim_plb (payer_id);

-- Acknowledgements read: a TA1 (st02 ''), each 999 or 277CA set.  The
-- same one read again changes nothing.
CREATE TABLE claim_acks (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('TA1', '999', '277CA')),
	sender		TEXT NOT NULL,		-- ISA06
	isa13		TEXT NOT NULL,
	st02		TEXT NOT NULL DEFAULT '',
	batch_id	INTEGER REFERENCES claim_batches (id),
	code		TEXT,			-- TA104, AK901
	imported_at	TEXT NOT NULL,
	imported_by	TEXT NOT NULL,
	UNIQUE (kind, sender, isa13, st02)
) STRICT;

CREATE INDEX claim_acks_by_batch ON claim_acks (batch_id);

-- The payer's numbers for a claim besides claims.payer_claim_number:
-- the claims a 277CA A5 split it into.
CREATE TABLE claim_refs (
	claim_id	INTEGER NOT NULL REFERENCES claims (id),
	kind		TEXT NOT NULL CHECK (kind IN ('split')),
	value		TEXT NOT NULL,
	PRIMARY KEY (claim_id, kind, value)
) STRICT, WITHOUT ROWID;

-- (the policies may change: a merge folds two identical ones)
CREATE TRIGGER claim_remit_ops_no_update BEFORE UPDATE OF id, remit_claim_id,
    kind, charge_id, payment_id, amount_cents, group_code, reason, from_party,
    to_party, ledger_op ON claim_remit_ops
BEGIN SELECT RAISE(ABORT, 'what a posting did stays on record'); END;
CREATE TRIGGER claim_remit_ops_no_delete BEFORE DELETE ON claim_remit_ops
BEGIN SELECT RAISE(ABORT, 'what a posting did stays on record'); END;
CREATE TRIGGER claim_remit_claims_no_delete BEFORE DELETE ON
    claim_remit_claims
BEGIN SELECT RAISE(ABORT, 'what a posting did stays on record'); END;
