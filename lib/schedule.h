/*
 * schedule.h: the appointment book (lib/schedule.c, lib/schedule_time.c,
 * lib/schedule_io.c).  Office hours and their exceptions, booking with
 * every conflict settled inside one IMMEDIATE transaction, the changes
 * of an appointment's life (move, cancel, check-in, completion, no-show,
 * confirmation) each kept as history, free slots, the import of an old
 * system's book and the iCalendar export.
 *
 * Times: an appointment is the half-open interval [start_utc, end_utc)
 * of Unix seconds; people and records see the wall clock of its
 * location, with the offset then ("2026-12-14T09:30:00-05:00").  Every
 * conversion goes through the location's IANA zone (lib/ptime.h),
 * whatever TZ the process has.
 *
 * Every function that reads or changes patient data writes one audit
 * entry (field names only) in its own transaction, unless the caller
 * asks for its own transaction (opts->in_transaction).  The other
 * modules read appointments with pms_appt_query() and pms_appt_get(),
 * and change them with pms_appt_mark() (pms-remind: confirm, cancel).
 */
#ifndef PMS_SCHEDULE_H
#define PMS_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "pms.h"
#include "ptime.h"
#include "record.h"

/* Sizes in bytes, NUL included. */
#define PMS_APPT_MRN		65	/* as lib/patient.h */
#define PMS_APPT_WORD		16	/* statuses, who cancelled */
#define PMS_APPT_TEXT		501	/* a reason: up to 500 bytes */
#define PMS_APPT_CODES		(PMS_CFG_CODES_MAX * PMS_CFG_PROC)
#define PMS_APPT_SOURCE		65	/* an imported row's source_id */
#define PMS_APPT_USER		65	/* a slot label */
#define PMS_APPT_NAME		384	/* "Last, First" (--with-names) */
#define PMS_LOCAL_BUFSZ		20	/* 2026-12-14T09:30:00, no offset */

/* How long an appointment may be: 5 minutes to 12 hours. */
#define PMS_APPT_LEN_MIN	300
#define PMS_APPT_LEN_MAX	(12 * 3600)
/* A recurring series: at most this many occurrences. */
#define PMS_APPT_SERIES_MAX	104

/* One appointment as stored.  Text is "" when not set. */
struct pms_appt {
	int64_t		 id;
	int64_t		 patient_id;
	int64_t		 provider_id;
	int64_t		 location_id;
	int64_t		 type_id;		/* 0: none */
	int64_t		 series_id;		/* 0: none */
	char		 mrn[PMS_APPT_MRN];	/* the patient's, "" if none */
	char		 provider[PMS_CFG_CODE];	/* config codes */
	char		 location[PMS_CFG_CODE];
	char		 type[PMS_CFG_CODE];
	char		 type_name[PMS_CFG_NAME];
	char		 room[PMS_CFG_CODE];
	int64_t		 start_utc;		/* [start_utc, end_utc) */
	int64_t		 end_utc;
	char		 start[PMS_STAMP_BUFSZ];	/* local, with offset */
	char		 end[PMS_STAMP_BUFSZ];
	char		 date[PMS_DATE_BUFSZ];	/* of service: local */
	char		 zone[PMS_ZONE_MAX];
	char		 status[PMS_APPT_WORD];	/* booked, checked-in, ... */
	char		 cancelled_by[PMS_APPT_WORD];	/* practice, patient */
	int		 late_cancel;
	char		 cancel_reason[PMS_APPT_TEXT];
	char		 confirmed_at[PMS_STAMP_BUFSZ];	/* instants: UTC */
	char		 checked_in_at[PMS_STAMP_BUFSZ];
	char		 completed_at[PMS_STAMP_BUFSZ];
	char		 reason[PMS_APPT_TEXT];
	char		 codes[PMS_APPT_CODES];	/* the type's: "99213,99214" */
	int		 may_overlap;		/* the type's */
	int		 forced;
	char		 source_id[PMS_APPT_SOURCE];
	int64_t		 sequence;		/* changes so far */
	char		 created_at[PMS_STAMP_BUFSZ];
	char		 created_by[PMS_APPT_USER];
	char		 updated_at[PMS_STAMP_BUFSZ];
	char		 patient_name[PMS_APPT_NAME];	/* with_names only */
};

/* Handed each appointment (borrowed for the call); nonzero stops. */
typedef int	 pms_appt_fn(void *arg, const struct pms_appt *);

/*
 * How a change is made.  action is the audit entry's (NULL: the
 * command's own, "schedule.book", "schedule.cancel", ...).  now is the
 * clock (0: time(NULL)).  in_transaction: the caller has begun a write
 * transaction and commits it; the function then neither begins nor
 * commits nor rolls back, and its audit entry goes into the caller's
 * transaction.
 */
struct pms_appt_opts {
	const char	*action;
	int		 allow_past;	/* book, move: times before now */
	int		 force;		/* book despite a conflict or hours */
	int		 skip_conflicts;	/* a series: book the rest */
	int		 dry_run;	/* check, write nothing */
	int		 in_transaction;
	int64_t		 now;
};

/* What to book (or, for a move, what changes). */
struct pms_appt_req {
	int64_t		 patient_id;	/* > 0, or mrn */
	const char	*mrn;		/* the practice's MRN, exact text */
	const char	*provider;	/* config code; move: NULL keeps */
	const char	*location;	/* NULL: the provider's (see below) */
	const char	*type;		/* NULL: none (length needed) */
	const char	*room;		/* NULL: none */
	const char	*reason;	/* free text, or NULL */
	int		 has_at;	/* move: 0 keeps the time */
	struct pms_local at;		/* wall clock at the location */
	int64_t		 length_secs;	/* 0: the type's length */
	int		 every_days;	/* a series every N days; 0: one */
	int		 count;		/* occurrences of a series, or */
	int		 has_until;
	int32_t		 until;		/* the last day of a series */
	const char	*source_id;	/* import only */
};

/* One occurrence of a booking: booked, or why not. */
struct pms_appt_occ {
	char		 at[PMS_STAMP_BUFSZ];	/* the time asked for */
	int64_t		 id;		/* booked: its id; else 0 */
	enum pms_status	 st;		/* PMS_OK, or the refusal */
	int		 forced;	/* booked over the refusal in msg */
	char		 msg[320];	/* the refusal's message */
};

struct pms_appt_booking {
	size_t		 n;		/* occurrences */
	size_t		 booked;
	struct pms_appt_occ *occ;	/* n of them */
	struct pms_appt	*appt;		/* n: each booked one as written
					 * (a dry run's: id and series 0) */
};
void		 pms_appt_booking_release(struct pms_appt_booking *);

/*
 * Book an appointment, or a series of them (req->every_days with count
 * or until), in one IMMEDIATE transaction: the patient (following
 * merges), provider, location, type and room are looked up, the time is
 * turned into an instant at the location's zone (a time that does not
 * exist is refused, an ambiguous one needs its offset), and each
 * occurrence is checked: the provider, the room and the patient not
 * busy in an overlapping interval (cancelled and no-show appointments,
 * and those of a type that may overlap, do not count), within the
 * provider's office hours at the location and not in one of their
 * exceptions, not before now (unless opts->allow_past).  opts->force
 * books despite conflicts and office hours; the appointment is then
 * marked forced and the audit entry names "forced".
 *
 * The location, when not given, is the one where the provider has
 * office hours at that time, else the provider's only location.
 *
 * A series books whole or not at all; with opts->skip_conflicts the
 * occurrences that do not fit are left out (b->occ says which and why).
 * Returns PMS_OK with b filled (b->occ[i].id the new ids), PMS_EREFUSED
 * with the first refusal's message (nothing written), PMS_EDATA for a
 * bad time or length, PMS_EUSAGE for a bad request.  Audit entry
 * "schedule.book" with the patient.  b is the caller's to release.
 */
enum pms_status	 pms_appt_book(struct pms_store *,
		    const struct pms_appt_req *, const struct pms_appt_opts *,
		    struct pms_appt_booking *b);

/*
 * Move an appointment (booked only): a new time (req->has_at), and
 * optionally provider, location, room, length.  Checked as a booking,
 * itself left out.  History "move" rows name each field changed; the
 * sequence goes up.  *out (may be NULL) gets the appointment after.
 */
enum pms_status	 pms_appt_move(struct pms_store *, int64_t id,
		    const struct pms_appt_req *, const struct pms_appt_opts *,
		    struct pms_appt *out);

/* The changes of an appointment's status. */
enum pms_appt_op {
	PMS_APPT_CHECKIN,	/* booked -> checked-in, on its day */
	PMS_APPT_COMPLETE,	/* booked, checked-in -> completed, begun */
	PMS_APPT_NOSHOW,	/* booked -> no-show, once begun */
	PMS_APPT_CONFIRM,	/* sets confirmed_at (booked, checked-in) */
	PMS_APPT_CANCEL		/* booked -> cancelled */
};

/*
 * Change an appointment's status (or confirm it), with a history row and
 * an audit entry.  Cancel: by is "practice" (the default when NULL) or
 * "patient"; a patient cancelling less than schedule.late_cancel_notice
 * before the start is a late cancel.  reason (cancel only) may be NULL.
 * A change the status does not allow is PMS_EREFUSED ("appointment 12
 * is completed"); confirming one confirmed already changes nothing and
 * is PMS_OK.  opts may be NULL.  *out (may be NULL) gets the result.
 */
enum pms_status	 pms_appt_mark(struct pms_store *, int64_t id,
		    enum pms_appt_op, const char *by, const char *reason,
		    const struct pms_appt_opts *, struct pms_appt *out);

/* One appointment by id, no audit entry (the caller's transaction or
 * none).  PMS_EREFUSED "no appointment 12". */
enum pms_status	 pms_appt_get(struct pms_store *, int64_t id,
		    struct pms_appt *);

/* What pms_appt_query() selects; zero everything for every one. */
struct pms_appt_query {
	const char	*action;	/* audit action; NULL: schedule.list */
	int64_t		 id;		/* > 0: this one */
	int		 has_from, has_to;
	int32_t		 from, to;	/* local dates of service, inclusive */
	int64_t		 from_utc, to_utc;	/* starts in [from, to); 0 */
	const char	*provider;	/* a code */
	const char	*location;
	int64_t		 patient_id;	/* > 0, or mrn */
	const char	*mrn;
	const char	*statuses;	/* "booked,checked-in"; NULL: all */
	int		 with_names;	/* fill patient_name */
	const char	*fields;	/* audit fields; NULL: the record's */
};

/*
 * Each appointment the query selects, by start then id, to fn (nonzero
 * stops: PMS_EIO), in one transaction whose audit entry (q->action,
 * with the patients passed to fn) is written before the commit.
 * *count (may be NULL) gets the number passed.
 */
enum pms_status	 pms_appt_query(struct pms_store *,
		    const struct pms_appt_query *, pms_appt_fn *fn, void *arg,
		    size_t *count);

/* One appointment, shown: pms_appt_get with an audit entry
 * "schedule.show". */
enum pms_status	 pms_appt_show(struct pms_store *, int64_t id,
		    struct pms_appt *);

/* One row of an appointment's history. */
struct pms_appt_change {
	int64_t		 appointment_id;
	char		 at[PMS_STAMP_BUFSZ];	/* UTC */
	char		 user[PMS_APPT_USER];
	char		 action[PMS_APPT_WORD];	/* book, move, cancel, ... */
	char		 field[32];		/* status, start, ... */
	char		 from_value[PMS_APPT_TEXT];	/* "" if none */
	char		 to_value[PMS_APPT_TEXT];
};
typedef int	 pms_appt_change_fn(void *arg, const struct pms_appt_change *);
/* The history of an appointment, oldest first; audit entry
 * "schedule.history". */
enum pms_status	 pms_appt_history(struct pms_store *, int64_t id,
		    pms_appt_change_fn *fn, void *arg, size_t *count);

/*
 * The appointment record, as list, show and book print it: the columns
 * (the last, patient_name, only with names), and one appointment's
 * cells in their order (text borrowed from a).  The first
 * PMS_APPT_TABLE_COLS are the ones a table for people shows.
 */
extern const struct pms_col pms_appt_cols[];
extern const size_t pms_appt_ncols;	/* without patient_name */
#define PMS_APPT_TABLE_COLS	12
#define PMS_APPT_MAX_COLS	27
void		 pms_appt_cells(const struct pms_appt *, struct pms_cell *);

/* PMS_OK when the store has a configuration loaded (the book needs its
 * providers, locations and zones), else PMS_ECONFIG saying how to load
 * one. */
enum pms_status	 pms_sched_ready(struct pms_store *);

/*
 * A date as typed: ISO, or "today", "tomorrow", "yesterday" at the
 * practice's zone (whatever TZ the process has).  PMS_EDATA if bad.
 */
enum pms_status	 pms_sched_date(struct pms_store *, const char *,
		    int32_t *days);

/* ---- office hours and exceptions (schedule_time.c) ---- */

/* "mon", "tue", ... "sun" for weekday 0..6. */
const char	*pms_weekday_name(int weekday);
/*
 * A set of weekdays: "mon", "mon,wed,fri", "mon-fri", "sat-sun", "all"
 * (bit 0 Monday).  PMS_EDATA if bad.
 */
enum pms_status	 pms_weekdays_parse(const char *, unsigned *mask);

/* One session of office hours: [start, end) in wall-clock seconds;
 * end <= start ends on the next day. */
struct pms_hours {
	char		 provider[PMS_CFG_CODE];
	char		 location[PMS_CFG_CODE];
	int		 weekday;	/* 0 Monday ... 6 Sunday */
	int32_t		 start_secs;
	int32_t		 end_secs;
};
typedef int	 pms_hours_fn(void *arg, const struct pms_hours *);

/* Sessions "09:00-12:00,13:00-17:00" ("off": none) into out (at most
 * max); *n gets the number.  PMS_EDATA if bad or overlapping. */
enum pms_status	 pms_sessions_parse(const char *, int32_t (*out)[2],
		    size_t max, size_t *n);

/* The appointments a change of office hours leaves out: ids of the
 * first PMS_AFFECTED_MAX, and how many there are. */
#define PMS_AFFECTED_MAX	20
struct pms_sched_affected {
	size_t		 n;
	int64_t		 id[PMS_AFFECTED_MAX];
};

/*
 * Set the provider's sessions at location on each day of days (a
 * mask), replacing that day's sessions there.  Refused (PMS_EREFUSED)
 * if the provider does not work at the location, or if the sessions
 * would overlap the provider's sessions anywhere (a provider is in one
 * place at a time).  Audit entry "schedule.hours.set".  *aff gets the
 * appointments from now on that the new hours leave out (they stay
 * booked: the caller says so).
 */
enum pms_status	 pms_hours_set(struct pms_store *, const char *provider,
		    const char *location, unsigned days,
		    const int32_t (*sessions)[2], size_t n,
		    struct pms_sched_affected *aff);
/* The sessions (provider and location NULL: all), by provider,
 * location, weekday and start. */
enum pms_status	 pms_hours_list(struct pms_store *, const char *provider,
		    const char *location, pms_hours_fn *fn, void *arg,
		    size_t *count);

/* An exception to office hours: a provider ("" everyone) not working
 * at a location ("" all) from one wall-clock time to another. */
struct pms_off {
	int64_t		 id;
	char		 provider[PMS_CFG_CODE];
	char		 location[PMS_CFG_CODE];
	char		 from[PMS_LOCAL_BUFSZ];	/* 2026-12-24T12:00:00 */
	char		 to[PMS_LOCAL_BUFSZ];	/* the first moment back */
	char		 reason[PMS_APPT_TEXT];
};
typedef int	 pms_off_fn(void *arg, const struct pms_off *);

/* Add one; provider and location may be NULL.  Audit entry
 * "schedule.off.add".  *idp gets its id, *aff the appointments from now
 * on that it covers (they stay booked: the caller says so). */
enum pms_status	 pms_off_add(struct pms_store *, const char *provider,
		    const char *location, const struct pms_local *from,
		    const struct pms_local *to, const char *reason,
		    int64_t *idp, struct pms_sched_affected *aff);
/* Those that touch the days [from, to] (has_*: bounds given) and
 * concern provider (NULL: any), by start. */
enum pms_status	 pms_off_list(struct pms_store *, const char *provider,
		    int has_from, int32_t from, int has_to, int32_t to,
		    pms_off_fn *fn, void *arg, size_t *count);
/* Remove one; audit entry "schedule.off.remove". */
enum pms_status	 pms_off_remove(struct pms_store *, int64_t id);

/*
 * The seconds of office hours provider (an id) has at location (an id;
 * 0: any) in the sessions that start on local days [from, to] at their
 * location, less the exceptions that cover them (an exception for
 * everyone or every location too), in real seconds: a session of the
 * night the clocks go forward is an hour shorter.  For pms-report's
 * utilisation; no audit entry (no patient is read).
 */
enum pms_status	 pms_hours_available(struct pms_store *, int64_t provider,
		    int64_t location, int32_t from, int32_t to,
		    int64_t *secs);

/* A free slot. */
struct pms_free_slot {
	char		 provider[PMS_CFG_CODE];
	char		 location[PMS_CFG_CODE];
	int64_t		 start_utc;
	int64_t		 end_utc;
	char		 start[PMS_STAMP_BUFSZ];	/* local, with offset */
	char		 end[PMS_STAMP_BUFSZ];
};
typedef int	 pms_free_slot_fn(void *arg, const struct pms_free_slot *);

/* What pms_slots() and pms_slot_next() look for. */
struct pms_slot_query {
	const char	*provider;	/* next: NULL for any */
	const char	*location;	/* NULL: any of the provider's */
	const char	*type;		/* its length, unless length_secs */
	int64_t		 length_secs;
	int64_t		 step_secs;	/* 0: schedule.slot_step */
	int32_t		 day;		/* slots: the local date */
	int		 allow_past;	/* slots: list those before now too */
	int64_t		 now;		/* 0: the clock */
	int		 within_days;	/* next: how far to look (0: 90) */
	int		 has_after;	/* next: look from then, not now */
	struct pms_local after;		/* wall clock at the practice */
};

/*
 * The free slots of a provider starting on a day: within the office
 * hours of that day (and a night session of the day before), outside
 * their exceptions, not overlapping an appointment that counts (see
 * pms_appt_book), not before now (unless allow_past); from the start of
 * each session, every step, of the length asked for.  Time runs in real
 * seconds: on a day the clocks change, a session of 01:00 to 04:00 is
 * two or four hours long, and its slots say their offsets.  No audit
 * entry (no patient is read).
 */
enum pms_status	 pms_slots(struct pms_store *, const struct pms_slot_query *,
		    pms_free_slot_fn *fn, void *arg, size_t *count);
/* The first free slot from now, or from q->after (of any provider, when
 * q->provider is NULL: the earliest, then by provider code) within
 * q->within_days; PMS_EREFUSED if none. */
enum pms_status	 pms_slot_next(struct pms_store *,
		    const struct pms_slot_query *, struct pms_free_slot *out);

/* ---- import and iCalendar (schedule_io.c) ---- */

/* What an import did. */
struct pms_appt_import_result {
	size_t		 rows;		/* records read */
	size_t		 added;		/* appointments written */
	size_t		 existing;	/* there already: left as they were */
	size_t		 rejected;	/* bad or in conflict */
};

/* Each bad row's message ("line 3: start: ..."), as it is found. */
typedef void	 pms_appt_report_fn(void *arg, const char *msg);

struct pms_appt_import_opts {
	int		 booking;	/* book -: the rules of book */
	int		 allow_past;	/* booking only */
	int		 force;		/* booking only */
	int		 skip_conflicts;	/* booking: book the rest */
	int		 dry_run;
	const char	*rejects;	/* --skip-invalid FILE, or NULL */
	enum pms_date_form date_form;
	int64_t		 now;		/* 0: the clock */
};

/*
 * Appointments from records (fields in pms-schedule(1): source_id,
 * patient_id or mrn, provider, location, type, room, start, end or
 * length or duration_min, status, cancelled_by, confirmed_at, reason),
 * in one transaction: all or nothing.  Every bad row (bad data: 65,
 * PMS_EDATA; a conflict with the book or with an earlier row: 1,
 * PMS_EREFUSED) is reported; with opts->rejects the good rows are
 * written and the bad ones go to that file (0600, CSV, with their
 * reason), and the status is PMS_OK.
 *
 * Import (not booking): a row that is there already (same source_id;
 * without one, the same provider, patient and start) is left alone, so
 * that importing a file again changes nothing; rows are history as the
 * old system kept them (any status, past times, no office hours), but
 * the provider, the room and the patient may not be busy twice.
 * Booking (book -): each row is a booking of pms_appt_book, the whole
 * input books or none does unless skip_conflicts.  fn (may be NULL) is
 * handed each appointment written, after the commit.  Audit entry
 * "schedule.import" or "schedule.book" with the patients.
 */
enum pms_status	 pms_appt_import(struct pms_store *, struct pms_reader *,
		    const struct pms_appt_import_opts *,
		    pms_appt_report_fn *report, void *rarg,
		    pms_appt_fn *fn, void *arg,
		    struct pms_appt_import_result *);

/*
 * RFC 5545 iCalendar of the appointments q selects (cancelled ones as
 * STATUS:CANCELLED, so that a calendar that imported them drops them):
 * UTC times, UID appt-ID@PRACTICE-UUID, SEQUENCE the appointment's,
 * DTSTAMP its last change, lines of at most 75 octets folded without
 * splitting a UTF-8 character, CRLF.  No patient's name unless
 * q->with_names.  To out, or with path to that file (0600, written to
 * a temp file, fsynced and renamed).  Audit entry "schedule.export".
 */
enum pms_status	 pms_appt_ics(struct pms_store *,
		    const struct pms_appt_query *q, FILE *out,
		    const char *path);

/*
 * iCalendar's content lines: write "name:value" (value as it is:
 * escape text first) folded at 75 octets, never inside a UTF-8
 * sequence, with CRLF.  Returns 0, or -1 on a write error.
 */
int		 pms_ics_line(FILE *, const char *name, const char *value);
/* TEXT escaping (RFC 5545 3.3.11): backslash, ";", ",", newline.  The
 * result is the caller's to free; NULL if out of memory. */
char		*pms_ics_text(const char *);

#endif /* PMS_SCHEDULE_H */
