-- 0005-schedule: the appointment book (lib/schedule.c).  Office hours
-- per provider, location and weekday; exceptions to them (vacations,
-- half days, holidays); the appointments; and the history of every
-- change made to one.
--
-- Times: an appointment is the half-open interval [start_utc, end_utc)
-- of Unix seconds, and beside it the wall clock of its location as
-- text with the offset then ("2026-12-14T09:30:00-05:00"), the
-- location's IANA zone and the local date (the date of service).  The
-- instants decide conflicts; the text is what people and the other
-- programs read, so that no row needs a zone conversion to be shown.

-- Office hours: sessions in wall-clock time at the location.  A session
-- whose end_secs is not after start_secs ends on the next day (a night
-- session, 22:00 to 06:00).  weekday: 0 Monday ... 6 Sunday.
CREATE TABLE office_hours (
	id		INTEGER PRIMARY KEY,
	provider_id	INTEGER NOT NULL REFERENCES providers (id),
	location_id	INTEGER NOT NULL REFERENCES locations (id),
	weekday		INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
	start_secs	INTEGER NOT NULL CHECK (start_secs BETWEEN 0 AND 86399),
	end_secs	INTEGER NOT NULL CHECK (end_secs BETWEEN 0 AND 86399),
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL
) STRICT;

CREATE INDEX office_hours_by_provider ON office_hours (provider_id,
    weekday);

-- Exceptions: a provider (or everyone, provider_id NULL) not working
-- from local_from to local_to (wall clock at each location, without an
-- offset: "2026-12-24T12:00:00"; local_to is the first moment back),
-- at one location or (location_id NULL) at all.
CREATE TABLE schedule_off (
	id		INTEGER PRIMARY KEY,
	provider_id	INTEGER REFERENCES providers (id),
	location_id	INTEGER REFERENCES locations (id),
	local_from	TEXT NOT NULL,
	local_to	TEXT NOT NULL,
	reason		TEXT,
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL,
	CHECK (local_to > local_from)
) STRICT;

CREATE INDEX schedule_off_by_time ON schedule_off (local_from);

-- The appointments.  status: booked, checked-in, completed, no-show,
-- cancelled; a cancelled one says by whom (practice, patient) and
-- whether the patient cancelled within the notice of
-- schedule.late_cancel_notice (late_cancel).  confirmed_at, set by
-- confirm, is apart from the status.  type_id may be NULL (a length
-- without a type); room is one of the location's rooms, or NULL.
-- forced: booked with --force despite a conflict.  series_id: the
-- first appointment of a recurring series.  source_id: the row's id in
-- the system it was imported from.  sequence counts the changes
-- (iCalendar SEQUENCE).  Instants as text are UTC ("...Z").
CREATE TABLE appointments (
	id		INTEGER PRIMARY KEY,
	patient_id	INTEGER NOT NULL REFERENCES patients (id),
	provider_id	INTEGER NOT NULL REFERENCES providers (id),
	location_id	INTEGER NOT NULL REFERENCES locations (id),
	type_id		INTEGER REFERENCES appointment_types (id),
	room		TEXT,
	start_utc	INTEGER NOT NULL,
	end_utc		INTEGER NOT NULL,
	local_start	TEXT NOT NULL,
	local_end	TEXT NOT NULL,
	local_date	TEXT NOT NULL,
	zone		TEXT NOT NULL,
	status		TEXT NOT NULL DEFAULT 'booked'
	    CHECK (status IN ('booked', 'checked-in', 'completed', 'no-show',
	    'cancelled')),
	cancelled_by	TEXT CHECK (cancelled_by IN ('practice', 'patient')),
	late_cancel	INTEGER NOT NULL DEFAULT 0
	    CHECK (late_cancel IN (0, 1)),
	cancel_reason	TEXT,
	confirmed_at	TEXT,
	checked_in_at	TEXT,
	completed_at	TEXT,
	reason		TEXT,
	forced		INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
	series_id	INTEGER REFERENCES appointments (id),
	source_id	TEXT UNIQUE,
	sequence	INTEGER NOT NULL DEFAULT 0,
	created_at	TEXT NOT NULL,
	created_by	TEXT NOT NULL,
	updated_at	TEXT NOT NULL,
	CHECK (end_utc > start_utc),
	CHECK ((status = 'cancelled') = (cancelled_by IS NOT NULL)),
	CHECK (late_cancel = 0 OR cancelled_by = 'patient')
) STRICT;

-- conflicts and a provider's day: by start, bounded below by the
-- longest appointment (lib/schedule.c)
CREATE INDEX appointments_by_provider ON appointments (provider_id,
    start_utc);
CREATE INDEX appointments_by_patient ON appointments (patient_id,
    start_utc);
CREATE INDEX appointments_by_room ON appointments (location_id, room,
    start_utc) WHERE room IS NOT NULL;
-- the whole book by time (a day's list of every provider, reminders
-- due); the day list is by the clinic's date, local_date, within it
CREATE INDEX appointments_by_start ON appointments (start_utc);

-- Every change to an appointment: who, when, what it did, and the
-- field with its value before and after (one row per field changed;
-- values as the records carry them: local times with their offset,
-- statuses, ids).  Append-only.
CREATE TABLE appointment_history (
	id		INTEGER PRIMARY KEY,
	appointment_id	INTEGER NOT NULL REFERENCES appointments (id),
	at		TEXT NOT NULL,
	user		TEXT NOT NULL,
	action		TEXT NOT NULL,
	field		TEXT NOT NULL,
	from_value	TEXT,
	to_value	TEXT
) STRICT;

CREATE INDEX appointment_history_by_appointment ON appointment_history
    (appointment_id);

CREATE TRIGGER appointment_history_no_update BEFORE UPDATE ON
    appointment_history
BEGIN SELECT RAISE(ABORT, 'appointment history is append-only'); END;
CREATE TRIGGER appointment_history_no_delete BEFORE DELETE ON
    appointment_history
BEGIN SELECT RAISE(ABORT, 'appointment history is append-only'); END;
CREATE TRIGGER appointments_no_delete BEFORE DELETE ON appointments
BEGIN SELECT RAISE(ABORT, 'an appointment is cancelled, never deleted'); END;
