-- 0008-claim: claims to payers and the X12 837P batches that carry them
-- (lib/claim.c, lib/claim_837.c).
--
-- A claim is one visit's coded service lines for one payer: the policy
-- covering the date of service (payer_seq 1 for the primary; the
-- secondary and tertiary claims of 0010 are 2 and 3).  A visit of more
-- than 50 lines, or of more than 12 diagnoses with --split-dx, is
-- several claims, part 1 of parts and so on, each carrying the
-- diagnoses its lines point to.  clm01 is the patient control number
-- the payer answers with (835 CLP01, 277CA REF*D9 ...): at most 20
-- characters, never reused.  dx lists the claim's diagnoses in the
-- order of its HI segment (ICD-10-CM without the dot, comma separated);
-- each line's dx_pointers count from 1 into it.
--
-- state is the claim's place in the one state machine of lib/claim.c
-- (pms_claim_may): draft, validated, submitted, acknowledged, rejected,
-- paid, partly-paid, denied, crossed-over, closed, replaced, voided.
-- Every move is a row of claim_history, which is append-only.
--
-- A batch is one interchange (ISA..IEA) of one group (GS..GE), of one
-- or more transaction sets (ST..SE, at most 5000 claims each).  Its
-- control numbers come from claim_counters and are committed before
-- the file is written, so that a run that fails (a full disk, a broken
-- pipe) has used them and the next gets new ones: ISA13 = GS06 =
-- isa13, ST02 = claim_sets.st02.  status is writing while the file is
-- being written, sent once it was, failed if it could not be.  Each
-- time a claim went out is a row of claim_submissions.
--
-- The answers (0009: 999, TA1, 277CA, 835) and corrections (0010:
-- frequency 7 and 8, secondary claims) add their columns and tables in
-- their own migrations.

CREATE TABLE claim_counters (
	name		TEXT PRIMARY KEY
	    CHECK (name = 'interchange' OR name = 'transaction'),
	next		INTEGER NOT NULL CHECK (next BETWEEN 1 AND 1000000000)
) STRICT, WITHOUT ROWID;

CREATE TABLE claim_batches (
	id		INTEGER PRIMARY KEY,
	isa13		INTEGER NOT NULL UNIQUE
	    CHECK (isa13 BETWEEN 1 AND 999999999),
	status		TEXT NOT NULL CHECK (status = 'writing' OR
	    status = 'sent' OR status = 'failed'),
	resend_of	INTEGER REFERENCES claim_batches (id),
	usage		TEXT NOT NULL CHECK (usage = 'T' OR usage = 'P'),
	sender		TEXT NOT NULL,		-- ISA06, unpadded
	receiver	TEXT NOT NULL,		-- ISA08
	path		TEXT,			-- absolute; NULL: stdout
	claims		INTEGER NOT NULL CHECK (claims >= 1),
	total_cents	INTEGER NOT NULL CHECK (total_cents >= 0),
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL,
	sent_at		TEXT,
	failure		TEXT		-- why it failed: no patient data
) STRICT;

CREATE INDEX claim_batches_by_resend ON claim_batches (resend_of)
    WHERE resend_of IS NOT NULL;

CREATE TABLE claim_sets (
	batch_id	INTEGER NOT NULL REFERENCES claim_batches (id),
	st02		INTEGER NOT NULL UNIQUE
	    CHECK (st02 BETWEEN 1 AND 999999999),
	claims		INTEGER NOT NULL CHECK (claims BETWEEN 1 AND 5000),
	PRIMARY KEY (batch_id, st02)
) STRICT, WITHOUT ROWID;

CREATE TABLE claims (
	id		INTEGER PRIMARY KEY,
	clm01		TEXT NOT NULL UNIQUE
	    CHECK (length(clm01) BETWEEN 1 AND 20),
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	visit_id	INTEGER NOT NULL REFERENCES visits (id),
	policy_id	INTEGER NOT NULL REFERENCES policies (id),
	payer_id	INTEGER NOT NULL REFERENCES payers (id),
	payer_seq	INTEGER NOT NULL DEFAULT 1
	    CHECK (payer_seq BETWEEN 1 AND 3),
	part		INTEGER NOT NULL DEFAULT 1 CHECK (part >= 1),
	parts		INTEGER NOT NULL DEFAULT 1 CHECK (parts >= part),
	frequency	TEXT NOT NULL DEFAULT '1'
	    CHECK (frequency = '1' OR frequency = '7' OR frequency = '8'),
	original_id	INTEGER REFERENCES claims (id),	-- 0010: replaced
	payer_claim_number TEXT,		-- 0009: CLP07, 277CA REF*1K
	dos_from	TEXT NOT NULL,
	dos_to		TEXT NOT NULL,
	dx		TEXT NOT NULL,
	total_cents	INTEGER NOT NULL CHECK (total_cents >= 0),
	state		TEXT NOT NULL CHECK (state = 'draft' OR
	    state = 'validated' OR state = 'submitted' OR
	    state = 'acknowledged' OR state = 'rejected' OR state = 'paid' OR
	    state = 'partly-paid' OR state = 'denied' OR
	    state = 'crossed-over' OR state = 'closed' OR
	    state = 'replaced' OR state = 'voided'),
	batch_id	INTEGER REFERENCES claim_batches (id),	-- the last
	submitted_on	TEXT,			-- the first day sent
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL,
	updated_at	TEXT NOT NULL
) STRICT;

-- Every column that references another table has a whole index (see
-- 0006-bill: the access log's batches defer foreign keys).
CREATE INDEX claims_by_patient ON claims (patient_id);
CREATE INDEX claims_by_visit ON claims (visit_id, payer_id);
CREATE INDEX claims_by_policy ON claims (policy_id);
CREATE INDEX claims_by_payer ON claims (payer_id);
CREATE INDEX claims_by_state ON claims (state, id);
CREATE INDEX claims_by_batch ON claims (batch_id);
CREATE INDEX claims_by_original ON claims (original_id);

-- A service line: one charge of the visit, as it went on the claim.
-- control is its line item control number (REF*6R), which an 835
-- answers with, so that two lines of one code are told apart.
CREATE TABLE claim_lines (
	id		INTEGER PRIMARY KEY,
	claim_id	INTEGER NOT NULL REFERENCES claims (id),
	lx		INTEGER NOT NULL CHECK (lx BETWEEN 1 AND 50),
	charge_id	INTEGER NOT NULL REFERENCES charges (id),
	control		TEXT NOT NULL UNIQUE
	    CHECK (length(control) BETWEEN 1 AND 50),
	dos		TEXT NOT NULL,
	code		TEXT NOT NULL,
	modifiers	TEXT NOT NULL DEFAULT '',
	units		INTEGER NOT NULL CHECK (units BETWEEN 1 AND 9999),
	amount_cents	INTEGER NOT NULL CHECK (amount_cents >= 0),
	dx_pointers	TEXT NOT NULL,
	UNIQUE (claim_id, lx)
) STRICT;

CREATE INDEX claim_lines_by_charge ON claim_lines (charge_id);

CREATE TABLE claim_submissions (
	claim_id	INTEGER NOT NULL REFERENCES claims (id),
	batch_id	INTEGER NOT NULL REFERENCES claim_batches (id),
	st02		INTEGER NOT NULL,
	PRIMARY KEY (claim_id, batch_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX claim_submissions_by_batch ON claim_submissions (batch_id,
    st02);

CREATE TABLE claim_history (
	id		INTEGER PRIMARY KEY,
	claim_id	INTEGER NOT NULL REFERENCES claims (id),
	at		TEXT NOT NULL,
	by_user		TEXT NOT NULL,
	from_state	TEXT,			-- NULL: created
	to_state	TEXT NOT NULL,
	batch_id	INTEGER REFERENCES claim_batches (id),
	note		TEXT			-- no patient data
) STRICT;

CREATE INDEX claim_history_by_claim ON claim_history (claim_id, id);
CREATE INDEX claim_history_by_batch ON claim_history (batch_id)
    WHERE batch_id IS NOT NULL;

CREATE TRIGGER claim_history_no_update BEFORE UPDATE ON claim_history
BEGIN SELECT RAISE(ABORT, 'the history of claims is append-only'); END;
CREATE TRIGGER claim_history_no_delete BEFORE DELETE ON claim_history
BEGIN SELECT RAISE(ABORT, 'the history of claims is append-only'); END;
CREATE TRIGGER claim_batches_no_delete BEFORE DELETE ON claim_batches
BEGIN SELECT RAISE(ABORT, 'a batch is kept for good: its control numbers are used'); END;
CREATE TRIGGER claim_sets_no_delete BEFORE DELETE ON claim_sets
BEGIN SELECT RAISE(ABORT, 'a batch is kept for good: its control numbers are used'); END;
CREATE TRIGGER claim_submissions_no_delete BEFORE DELETE ON claim_submissions
BEGIN SELECT RAISE(ABORT, 'what was sent stays on record'); END;
