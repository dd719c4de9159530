-- 0001-core: what every store has from its first day: the migration
-- history, store metadata, the public keys of every slot ever made, and
-- the access log.  A released migration is never edited; a change is a
-- new file.

CREATE TABLE schema_migrations (
	version		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	applied_at	TEXT NOT NULL
) STRICT;

CREATE TABLE meta (
	key		TEXT PRIMARY KEY,
	value		ANY NOT NULL
) STRICT;

-- Public keys of every slot, kept for good (append-only), so that the
-- audit entries of a removed user still verify.
CREATE TABLE slot_keys (
	slot_id		INTEGER PRIMARY KEY,
	label		TEXT NOT NULL,
	kind		TEXT NOT NULL
	    CHECK (kind IN ('passphrase', 'keyfile', 'recovery')),
	x25519_pk	BLOB NOT NULL CHECK (length(x25519_pk) = 32),
	ed25519_pk	BLOB NOT NULL CHECK (length(ed25519_pk) = 32),
	added_at	TEXT NOT NULL
) STRICT;

CREATE TRIGGER slot_keys_no_update BEFORE UPDATE ON slot_keys
BEGIN SELECT RAISE(ABORT, 'slot_keys is append-only'); END;
CREATE TRIGGER slot_keys_no_delete BEFORE DELETE ON slot_keys
BEGIN SELECT RAISE(ABORT, 'slot_keys is append-only'); END;

-- The access log: one entry per action, hash-chained and signed by the
-- user's Ed25519 key (lib/audit.c).  fields holds the names of the fields
-- touched, never their values.
CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at		TEXT NOT NULL,
	user		TEXT NOT NULL,
	slot_id		INTEGER NOT NULL,
	program		TEXT NOT NULL,
	action		TEXT NOT NULL,
	fields		TEXT NOT NULL DEFAULT '',
	prev_hash	BLOB NOT NULL,
	hash		BLOB NOT NULL,
	sig		BLOB NOT NULL
) STRICT;

CREATE TABLE audit_patient (
	audit_id	INTEGER NOT NULL REFERENCES audit (id),
	patient_id	INTEGER NOT NULL,
	PRIMARY KEY (audit_id, patient_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX audit_patient_by_patient ON audit_patient (patient_id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER audit_patient_no_update BEFORE UPDATE ON audit_patient
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER audit_patient_no_delete BEFORE DELETE ON audit_patient
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
