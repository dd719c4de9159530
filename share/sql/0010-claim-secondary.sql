-- 0010-claim-secondary: secondary and tertiary claims (lib/claim_cob.c)
-- and what they must show of the payers before them.
--
-- A secondary claim (payer_seq 2) is made from its primary claim once
-- the primary's 835 was posted, and a tertiary (3) from the secondary;
-- prior_claim_id names that claim.  It has its own CLM01 and lines
-- (the same charges, the same amounts), and its 837 carries the prior
-- payers' adjudication: 2320 (the other subscriber, the claim-level
-- adjustments, AMT*D the paid amount), 2330A, 2330B and per line 2430
-- (SVD, CAS, DTP*573).
--
-- For that, 835 posting (lib/claim_era.c) keeps from now on what each
-- posting adjudicated, exactly as the payer said it: the day
-- (adjudicated_on: BPR16, else, or when BPR16 is ahead, the day the 835
-- was read), the claim's
-- paid and patient amounts, each line's paid amount and procedure as
-- adjudicated (SVC01, SVC05), and every CAS triple by group and reason
-- (PR and OA included, informational ones too), claim-level ones with
-- claim_line_id NULL.  A posting made before this migration has none:
-- a secondary claim of it cannot pass validate (post the 835 again
-- after a reversal, or bill the secondary on paper).  The rows are
-- never changed: a reversal is its own posting (reversed_by of 0009).

ALTER TABLE claims ADD COLUMN prior_claim_id INTEGER REFERENCES claims (id);

CREATE INDEX claims_by_prior ON claims (prior_claim_id)
    WHERE prior_claim_id IS NOT NULL;

CREATE TABLE claim_adjudications (
	remit_claim_id	INTEGER PRIMARY KEY
	    REFERENCES claim_remit_claims (id),
	claim_id	INTEGER NOT NULL REFERENCES claims (id),
	policy_id	INTEGER REFERENCES policies (id),	-- the payer's
	adjudicated_on	TEXT NOT NULL,		-- ISO
	paid_cents	INTEGER NOT NULL,	-- CLP04
	patient_cents	INTEGER NOT NULL	-- CLP05
) STRICT;

CREATE INDEX claim_adjudications_by_claim ON claim_adjudications
    (claim_id);
CREATE INDEX claim_adjudications_by_policy ON claim_adjudications
    (policy_id);

CREATE TABLE claim_adjudication_lines (
	remit_claim_id	INTEGER NOT NULL
	    REFERENCES claim_adjudications (remit_claim_id),
	claim_line_id	INTEGER NOT NULL REFERENCES claim_lines (id),
	code		TEXT NOT NULL,		-- as adjudicated (SVC01)
	modifiers	TEXT NOT NULL DEFAULT '',
	units		INTEGER NOT NULL CHECK (units >= 0),
	paid_cents	INTEGER NOT NULL,	-- SVC03
	PRIMARY KEY (remit_claim_id, claim_line_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX claim_adjudication_lines_by_line ON claim_adjudication_lines
    (claim_line_id);

CREATE TABLE claim_adjudication_cas (
	id		INTEGER PRIMARY KEY,
	remit_claim_id	INTEGER NOT NULL
	    REFERENCES claim_adjudications (remit_claim_id),
	claim_line_id	INTEGER REFERENCES claim_lines (id),	-- NULL: claim
	group_code	TEXT NOT NULL CHECK (group_code IN ('CO', 'PI', 'OA',
	    'PR', 'CR')),
	reason		TEXT NOT NULL,
	amount_cents	INTEGER NOT NULL
) STRICT;

CREATE INDEX claim_adjudication_cas_by_remit ON claim_adjudication_cas
    (remit_claim_id, claim_line_id);
CREATE INDEX claim_adjudication_cas_by_line ON claim_adjudication_cas
    (claim_line_id);

-- (the policy may change: a merge folds two identical ones)
CREATE TRIGGER claim_adjudications_no_update BEFORE UPDATE OF
    remit_claim_id, claim_id, adjudicated_on, paid_cents, patient_cents ON
    claim_adjudications
BEGIN SELECT RAISE(ABORT, 'what a payer adjudicated stays on record'); END;
CREATE TRIGGER claim_adjudications_no_delete BEFORE DELETE ON
    claim_adjudications
BEGIN SELECT RAISE(ABORT, 'what a payer adjudicated stays on record'); END;
CREATE TRIGGER claim_adjudication_lines_no_update BEFORE UPDATE ON
    claim_adjudication_lines
BEGIN SELECT RAISE(ABORT, 'what a payer adjudicated stays on record'); END;
CREATE TRIGGER claim_adjudication_lines_no_delete BEFORE DELETE ON
    claim_adjudication_lines
BEGIN SELECT RAISE(ABORT, 'what a payer adjudicated stays on record'); END;
CREATE TRIGGER claim_adjudication_cas_no_update BEFORE UPDATE ON
    claim_adjudication_cas
BEGIN SELECT RAISE(ABORT, 'what a payer adjudicated stays on record'); END;
CREATE TRIGGER claim_adjudication_cas_no_delete BEFORE DELETE ON
    claim_adjudication_cas
BEGIN SELECT RAISE(ABORT, 'what a payer adjudicated stays on record'); END;
