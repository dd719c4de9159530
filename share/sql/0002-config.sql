-- 0002-config: the practice's configuration (pms.yaml(5), lib/config.c).
-- The whole checked file is one row of canonical JSON in config, for any
-- module to read with json_extract(); the entities that other tables
-- point at (appointments at locations, providers and types; policies and
-- claims at payers) are rows of their own, with an integer id, their
-- code from the file, their fields as columns and their entry's JSON as
-- doc.  An entry that leaves the file becomes inactive (active = 0) and
-- is never deleted; it comes back active when it returns to the file.

CREATE TABLE config (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	doc		TEXT NOT NULL,
	loaded_at	TEXT NOT NULL,
	loaded_by	TEXT NOT NULL
) STRICT;

CREATE TABLE locations (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE,
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	name		TEXT NOT NULL,
	street		TEXT NOT NULL,
	street2		TEXT,
	city		TEXT NOT NULL,
	state		TEXT NOT NULL,
	zip		TEXT NOT NULL,
	time_zone	TEXT NOT NULL,
	place_of_service TEXT NOT NULL,
	phone		TEXT,
	npi		TEXT,
	rooms		TEXT NOT NULL,
	doc		TEXT NOT NULL
) STRICT;

CREATE TABLE providers (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE,
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	first_name	TEXT NOT NULL,
	middle_name	TEXT,
	last_name	TEXT NOT NULL,
	suffix		TEXT,
	credential	TEXT,
	npi		TEXT NOT NULL,
	taxonomy	TEXT NOT NULL,
	locations	TEXT NOT NULL,
	doc		TEXT NOT NULL
) STRICT;

CREATE TABLE appointment_types (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE,
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	name		TEXT NOT NULL,
	length_secs	INTEGER NOT NULL CHECK (length_secs > 0),
	codes		TEXT NOT NULL,
	may_overlap	INTEGER NOT NULL CHECK (may_overlap IN (0, 1)),
	doc		TEXT NOT NULL
) STRICT;

CREATE TABLE payers (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE,
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	name		TEXT NOT NULL,
	payer_id	TEXT NOT NULL,
	filing_indicator TEXT NOT NULL,
	timely_filing_days INTEGER NOT NULL,
	prior_auth_required INTEGER NOT NULL
	    CHECK (prior_auth_required IN (0, 1)),
	fee_schedule	TEXT,
	doc		TEXT NOT NULL
) STRICT;

CREATE TRIGGER config_no_delete BEFORE DELETE ON config
BEGIN SELECT RAISE(ABORT, 'the configuration is replaced, never deleted'); END;
CREATE TRIGGER locations_no_delete BEFORE DELETE ON locations
BEGIN SELECT RAISE(ABORT, 'a location becomes inactive, never deleted'); END;
CREATE TRIGGER providers_no_delete BEFORE DELETE ON providers
BEGIN SELECT RAISE(ABORT, 'a provider becomes inactive, never deleted'); END;
CREATE TRIGGER appointment_types_no_delete BEFORE DELETE ON appointment_types
BEGIN SELECT RAISE(ABORT, 'an appointment type becomes inactive, never deleted'); END;
CREATE TRIGGER payers_no_delete BEFORE DELETE ON payers
BEGIN SELECT RAISE(ABORT, 'a payer becomes inactive, never deleted'); END;

-- The practice's uuid (iCalendar UIDs and the like): random, made once,
-- copied with the data by rekey, backup and restore.
INSERT INTO meta (key, value)
SELECT 'practice_uuid', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) ||
    '-4' || substr(h, 14, 3) || '-' ||
    substr('89ab', 1 + unicode(substr(h, 17, 1)) % 4, 1) ||
    substr(h, 18, 3) || '-' || substr(h, 21, 12))
FROM (SELECT hex(randomblob(16)) AS h);
