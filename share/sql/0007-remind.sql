-- 0007-remind: reminders (lib/remind.c).  What was claimed, sent,
-- failed or skipped, and who asked not to be messaged.
--
-- A reminder is one rule of the configuration (reminders.rules) for one
-- appointment, on the rule's channel, for the appointment's start as it
-- was then: (appointment_id, rule, channel, start_utc) is unique, and
-- the row is written, inside an IMMEDIATE transaction, before the
-- sender runs.  Two runs of pms-remind at once cannot both claim it;
-- an appointment moved to another time is another reminder.
--
-- status:
--   sending    claimed, the sender running (until deadline_utc)
--   sent       the sender exited 0
--   delivered  the gateway said so later (pms-remind mark)
--   failed     the sender failed or timed out, or the gateway said so;
--              tried again at next_utc, until the attempts reach
--              reminders.retry.max_attempts (then next_utc is NULL)
--   unknown    claimed, and its end never recorded (pms-remind died
--              while the sender ran): never tried again by itself
--   skipped    its time came and it could not go: reason says why
--              (opted out, no consent, no contact, patient not active,
--              quiet hours until after the appointment)
-- reason is the program's own words, never a patient's data; no
-- contact (phone, email) and no message text is kept here.  The
-- reminder_id is the stable id a sender sees as PMS_REMINDER_ID.
-- Instants as text are UTC ("...Z").
CREATE TABLE reminders (
	id		INTEGER PRIMARY KEY,
	reminder_id	TEXT NOT NULL UNIQUE,
	appointment_id	INTEGER NOT NULL REFERENCES appointments (id),
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	rule		TEXT NOT NULL,
	channel		TEXT NOT NULL CHECK (channel = 'sms' OR
	    channel = 'email'),
	start_utc	INTEGER NOT NULL,
	status		TEXT NOT NULL CHECK (status = 'sending' OR
	    status = 'sent' OR status = 'delivered' OR status = 'failed' OR
	    status = 'unknown' OR status = 'skipped'),
	reason		TEXT,
	attempts	INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	due_utc		INTEGER NOT NULL,
	next_utc	INTEGER,
	deadline_utc	INTEGER,
	claimed_at	TEXT,
	claimed_by	TEXT,
	sent_at		TEXT,
	delivered_at	TEXT,
	created_at	TEXT NOT NULL,
	updated_at	TEXT NOT NULL,
	UNIQUE (appointment_id, rule, channel, start_utc),
	CHECK (status <> 'sending' OR deadline_utc IS NOT NULL)
) STRICT;

CREATE INDEX reminders_by_patient ON reminders (patient_id);
-- the log by the time they fell due; the claims a run looks at again
CREATE INDEX reminders_by_due ON reminders (due_utc);
CREATE INDEX reminders_by_status ON reminders (status)
    WHERE status = 'sending' OR status = 'failed';

-- Opt-outs: one patient on a channel (patient_id), or a whole number
-- or address (address: E.164 for sms) that a family may share.  An
-- opt-in ends one (ended_at); nothing is deleted, so the log of who
-- asked what stays.  source: staff (pms-remind optout) or reply (a
-- STOP read by pms-remind mark).
CREATE TABLE reminder_optouts (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER REFERENCES patients (id),
	address		TEXT,
	channel		TEXT NOT NULL CHECK (channel = 'sms' OR
	    channel = 'email'),
	source		TEXT NOT NULL CHECK (source = 'staff' OR
	    source = 'reply'),
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL,
	ended_at	TEXT,
	ended_by	TEXT,
	end_source	TEXT CHECK (end_source = 'staff' OR
	    end_source = 'reply'),
	CHECK ((patient_id IS NULL) <> (address IS NULL)),
	CHECK ((ended_at IS NULL) = (ended_by IS NULL) AND
	    (ended_at IS NULL) = (end_source IS NULL))
) STRICT;

CREATE INDEX reminder_optouts_by_patient ON reminder_optouts (patient_id,
    channel) WHERE ended_at IS NULL AND patient_id IS NOT NULL;
CREATE INDEX reminder_optouts_by_address ON reminder_optouts (address,
    channel) WHERE ended_at IS NULL AND address IS NOT NULL;

CREATE TRIGGER reminders_no_delete BEFORE DELETE ON reminders
BEGIN SELECT RAISE(ABORT, 'a reminder is kept, never deleted'); END;
CREATE TRIGGER reminder_optouts_no_delete BEFORE DELETE ON reminder_optouts
BEGIN SELECT RAISE(ABORT, 'an opt-out is ended, never deleted'); END;
