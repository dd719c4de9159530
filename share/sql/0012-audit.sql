-- 0012-audit: what pms-audit keeps beside the access log.
--
-- exports: every file that carried patient data out of the store (claim
-- files, statements, patient exports, reports written with --out, the
-- auditor's extracts of the log), or standard output when no file was
-- named: what kind, where, who, when and for which patients.  Each row
-- is written in the transaction of the command that wrote the file and
-- points at that command's own entry in the access log, whose hash
-- covers the action, the user and the patients.
--
-- disclosures: the accounting of disclosures of 45 CFR 164.528, those
-- other than for treatment, payment and operations or to the patient
-- (records sent on a subpoena, to a public-health authority), recorded
-- by hand with pms-audit record-disclosure: the date, the recipient and
-- their address if known, the purpose and what was disclosed.
--
-- Neither is ever changed or deleted: a merge leaves them with the
-- patient they named, and the queries follow merged_into instead.

CREATE TABLE exports (
	id		INTEGER PRIMARY KEY,
	at		TEXT NOT NULL,		-- UTC, as audit.at
	user		TEXT NOT NULL,
	slot_id		INTEGER NOT NULL,
	program		TEXT NOT NULL,
	kind		TEXT NOT NULL,		-- "patients", "837", ...
	path		TEXT,			-- absolute; NULL: stdout
	audit_id	INTEGER NOT NULL REFERENCES audit (id),
	patients	INTEGER NOT NULL	-- how many
) STRICT;

CREATE TABLE export_patients (
	export_id	INTEGER NOT NULL REFERENCES exports (id),
	patient_id	INTEGER NOT NULL,
	PRIMARY KEY (export_id, patient_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX export_patients_by_patient ON export_patients (patient_id);

CREATE TABLE disclosures (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	disclosed_on	TEXT NOT NULL,		-- the date, ISO
	recipient	TEXT NOT NULL,
	address		TEXT,			-- NULL if not known
	purpose		TEXT NOT NULL,
	description	TEXT NOT NULL,
	at		TEXT NOT NULL,		-- recorded, UTC
	user		TEXT NOT NULL,
	slot_id		INTEGER NOT NULL,
	audit_id	INTEGER NOT NULL REFERENCES audit (id)
) STRICT;

CREATE INDEX disclosures_by_patient ON disclosures (patient_id, disclosed_on);

CREATE TRIGGER exports_no_update BEFORE UPDATE ON exports
BEGIN SELECT RAISE(ABORT, 'the record of exports is append-only'); END;
CREATE TRIGGER exports_no_delete BEFORE DELETE ON exports
BEGIN SELECT RAISE(ABORT, 'the record of exports is append-only'); END;
CREATE TRIGGER export_patients_no_update BEFORE UPDATE ON export_patients
BEGIN SELECT RAISE(ABORT, 'the record of exports is append-only'); END;
CREATE TRIGGER export_patients_no_delete BEFORE DELETE ON export_patients
BEGIN SELECT RAISE(ABORT, 'the record of exports is append-only'); END;
CREATE TRIGGER disclosures_no_update BEFORE UPDATE ON disclosures
BEGIN SELECT RAISE(ABORT, 'the accounting of disclosures is append-only'); END;
CREATE TRIGGER disclosures_no_delete BEFORE DELETE ON disclosures
BEGIN SELECT RAISE(ABORT, 'the accounting of disclosures is append-only'); END;
