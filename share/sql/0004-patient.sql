-- 0004-patient: the patient registry (lib/patient.c).  Patients, the
-- people responsible for their bills (guarantors) and their insurance
-- policies.  Names are kept as typed (accents, hyphens, apostrophes);
-- beside them, search keys folded for accent- and case-insensitive
-- matching (NFD, combining marks dropped, case folded, punctuation
-- gone): last_key and first_key, and name_key with every name word.
-- Dates are ISO text, phones E.164 text, identifiers (MRN, ZIP, member
-- id) opaque text: "000123" is not "123".  A patient merged into
-- another keeps its row with merged_into set; nothing is deleted.
-- The checks of fixed values are chains of "=", not IN lists: SQLite
-- builds a temporary table for an IN list at every row written, which
-- an import of a hundred thousand rows feels.

CREATE TABLE patients (
	id		INTEGER PRIMARY KEY,
	mrn		TEXT UNIQUE,		-- the practice's; NULL if none
	last_name	TEXT NOT NULL,
	first_name	TEXT NOT NULL,
	middle_name	TEXT,
	suffix		TEXT,
	preferred_name	TEXT,
	last_key	TEXT NOT NULL,
	first_key	TEXT NOT NULL,
	name_key	TEXT NOT NULL,
	dob		TEXT NOT NULL,
	sex		TEXT NOT NULL DEFAULT 'U'
	    CHECK (sex = 'F' OR sex = 'M' OR sex = 'X' OR sex = 'U'),
	street		TEXT,
	street2		TEXT,
	city		TEXT,
	state		TEXT,
	zip		TEXT,
	country		TEXT NOT NULL,		-- ISO 3166 alpha-2
	phone		TEXT,			-- E.164: home or main
	mobile_phone	TEXT,
	work_phone	TEXT,
	email		TEXT,
	preferred_contact TEXT
	    CHECK (preferred_contact = 'sms' OR preferred_contact = 'email' OR
	    preferred_contact = 'phone' OR preferred_contact = 'mail' OR
	    preferred_contact = 'none'),
	sms_consent	INTEGER NOT NULL DEFAULT 0
	    CHECK (sms_consent BETWEEN 0 AND 1),
	email_consent	INTEGER NOT NULL DEFAULT 0
	    CHECK (email_consent BETWEEN 0 AND 1),
	language	TEXT,			-- a language tag: "en", "pt-BR"
	first_visit	TEXT,			-- a date, or local date and time
	status		TEXT NOT NULL DEFAULT 'active'
	    CHECK (status = 'active' OR status = 'inactive' OR
	    status = 'deceased'),
	deceased_on	TEXT,
	ssn		TEXT CHECK (ssn IS NULL OR (length(ssn) = 9 AND
	    ssn NOT GLOB '*[^0-9]*')),
	guarantor_id	INTEGER REFERENCES guarantors (id),
	guarantor_relationship TEXT
	    CHECK (guarantor_relationship = 'spouse' OR
	    guarantor_relationship = 'parent' OR
	    guarantor_relationship = 'child' OR
	    guarantor_relationship = 'guardian' OR
	    guarantor_relationship = 'other'),
	merged_into	INTEGER REFERENCES patients (id),
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL,
	CHECK ((guarantor_id IS NULL) = (guarantor_relationship IS NULL)),
	CHECK (deceased_on IS NULL OR status = 'deceased'),
	CHECK (merged_into IS NULL OR merged_into <> id)
) STRICT;

-- name + date of birth: the import's match and find by birth date
CREATE INDEX patients_by_dob ON patients (dob);
CREATE INDEX patients_by_merged ON patients (merged_into)
    WHERE merged_into IS NOT NULL;

-- The person responsible for a patient's bills when it is not the
-- patient: a parent for a minor.  Either another patient of the practice
-- (patient_id; the name and address are then that patient's) or a
-- person of their own.  Siblings share one guarantor row.
CREATE TABLE guarantors (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER REFERENCES patients (id),
	last_name	TEXT,
	first_name	TEXT,
	middle_name	TEXT,
	suffix		TEXT,
	dob		TEXT,
	street		TEXT,
	street2		TEXT,
	city		TEXT,
	state		TEXT,
	zip		TEXT,
	country		TEXT,
	phone		TEXT,
	email		TEXT,
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL,
	CHECK ((patient_id IS NULL) = (last_name IS NOT NULL AND
	    first_name IS NOT NULL))
) STRICT;

CREATE INDEX guarantors_by_patient ON guarantors (patient_id)
    WHERE patient_id IS NOT NULL;

-- Insurance: a payer of the configuration, the member's id, and when
-- the subscriber is not the patient, the subscriber's name, birth date,
-- sex and address.  Priority 1 primary, 2 secondary, 3 tertiary; at
-- most one policy of a priority in effect on any day (lib/patient.c
-- checks).  effective_to is the last day covered; NULL: open.
CREATE TABLE policies (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	payer_id	INTEGER NOT NULL REFERENCES payers (id),
	priority	INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 3),
	member_id	TEXT NOT NULL,
	group_number	TEXT,
	relationship	TEXT NOT NULL DEFAULT 'self'
	    CHECK (relationship = 'self' OR relationship = 'spouse' OR
	    relationship = 'child' OR relationship = 'other'),
	subscriber_last_name TEXT,
	subscriber_first_name TEXT,
	subscriber_middle_name TEXT,
	subscriber_suffix TEXT,
	subscriber_dob	TEXT,
	subscriber_sex	TEXT CHECK (subscriber_sex = 'F' OR subscriber_sex = 'M'
	    OR subscriber_sex = 'X' OR subscriber_sex = 'U'),
	subscriber_street TEXT,
	subscriber_street2 TEXT,
	subscriber_city	TEXT,
	subscriber_state TEXT,
	subscriber_zip	TEXT,
	effective_from	TEXT,			-- NULL: from the start
	effective_to	TEXT,
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL,
	CHECK (relationship = 'self' OR (subscriber_last_name IS NOT NULL
	    AND subscriber_first_name IS NOT NULL AND
	    subscriber_dob IS NOT NULL)),
	CHECK (effective_to IS NULL OR effective_from IS NULL OR
	    effective_to >= effective_from)
) STRICT;

CREATE INDEX policies_by_patient ON policies (patient_id, priority);
CREATE INDEX policies_by_member ON policies (payer_id, member_id);
