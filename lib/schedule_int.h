/*
 * schedule_int.h: what the parts of the appointment book share
 * (schedule.c, schedule_time.c, schedule_io.c) and nothing else sees:
 * a zone's offsets around a day, computed once and used for every
 * conversion of that day; the resolved pieces of a booking; the checks
 * of one appointment against the book.
 */
#ifndef PMS_SCHEDULE_INT_H
#define PMS_SCHEDULE_INT_H

#include "pms_int.h"
#include "schedule.h"

#define SECS_DAY	86400

/*
 * A zone's offsets around local day `day` and the next: off_a until
 * trans, off_b from then on (trans INT64_MAX when the offset does not
 * change).  Conversions of a wall clock of those two days, or of an
 * instant of the UTC days `day` and the next, are then arithmetic.
 * complex: the zone changes more than once in the window; every
 * conversion then goes through lib/ptime.c.
 */
struct sched_frame {
	char		 zone[PMS_ZONE_MAX];
	int32_t		 day;
	int		 used;
	int		 complex;
	int32_t		 off_a, off_b;
	int64_t		 trans;
	int64_t		 lo, hi;	/* the instants it covers */
};

/* A few frames, reused round robin (an import goes through the days
 * in order; slots and next need one or two). */
#define SCHED_FRAMES	8
struct sched_frames {
	struct sched_frame f[SCHED_FRAMES];
	size_t		 next;
};

/* The frame of zone around day; borrowed until the next call. */
enum pms_status	 sched_frame(struct sched_frames *, const char *zone,
		    int32_t day, const struct sched_frame **);
/*
 * A wall clock (seconds since 1970-01-01 on the local calendar) into
 * an instant, leniently, for the bounds of office hours: in a gap the
 * instant the clocks jump; a time that comes twice, the later reading
 * when later, else the earlier.  PMS_EDATA only for a complex frame
 * whose ptime conversion fails.
 */
enum pms_status	 sched_instant_lenient(struct sched_frames *,
		    const char *zone, int64_t local, int later, int64_t *t);
/* Strictly, as pms_local_to_instant() (same refusals and messages). */
enum pms_status	 sched_instant(struct sched_frames *, const char *zone,
		    const struct pms_local *, int64_t *t);
/* An instant's wall clock at zone, with its offset. */
enum pms_status	 sched_local(struct sched_frames *, const char *zone,
		    int64_t t, struct pms_local *);
/* The same, formatted (pms_local_fmt). */
enum pms_status	 sched_stamp(struct sched_frames *, const char *zone,
		    int64_t t, char buf[PMS_STAMP_BUFSZ]);

/* PMS_OK if zone can be read from the tz database; else PMS_ECONFIG:
 * the configuration names a zone this machine lacks. */
enum pms_status	 sched_zone_check(const char *zone);
/* PMS_EREFUSED 'unknown provider "dr-x"' (what, then the code, quoted
 * when it has the shape of one). */
enum pms_status	 sched_unknown(const char *what, const char *code);

/* The practice's settings the book needs. */
struct sched_cfg {
	int64_t		 slot_step;		/* seconds */
	int64_t		 late_cancel_notice;	/* seconds */
	char		 zone[PMS_ZONE_MAX];	/* the practice's */
};
enum pms_status	 sched_cfg_read(struct pms_store *, struct sched_cfg *);

/* The clock, or opts->now. */
int64_t		 sched_now(const struct pms_appt_opts *);
/* An instant as "2026-12-14T14:30:00Z". */
void		 sched_utc(int64_t t, char buf[PMS_STAMP_BUFSZ]);

/* A code as the configuration has it: ASCII lowercase (DR-DEMO is
 * dr-demo).  0, or -1 if it cannot be a code. */
int		 sched_code(const char *in, char out[PMS_CFG_CODE]);

/* Is location (id) one of the provider's?  And room one of its? */
enum pms_status	 sched_provider_at(struct pms_store *, int64_t provider,
		    int64_t location, int *yes);
enum pms_status	 sched_room_at(struct pms_store *, int64_t location,
		    const char *room, int *yes);
/* The provider's only location, or 0 when they have several. */
enum pms_status	 sched_only_location(struct pms_store *, int64_t provider,
		    int64_t *location);
/* The ids of codes, active or not (for queries): 0 if unknown. */
enum pms_status	 sched_id_of(struct pms_store *, const char *table_sql,
		    const char *code, int64_t *id);

/* A session of office hours as instants. */
struct sched_session {
	int64_t		 location_id;
	char		 location[PMS_CFG_CODE];
	char		 zone[PMS_ZONE_MAX];
	int		 weekday;
	int32_t		 start_secs, end_secs;
	int64_t		 start, end;	/* [start, end) */
};

/*
 * The provider's sessions that touch local day `day` (those of the day
 * and the night session of the day before), at location (0: any), as
 * instants, into a list the caller frees with free().
 */
enum pms_status	 sched_sessions(struct pms_store *, struct sched_frames *,
		    int64_t provider, int64_t location, int32_t day,
		    struct sched_session **out, size_t *n);

/*
 * Is [start, end) at location (its zone) within one of the provider's
 * sessions, and clear of their exceptions?  *ok 1 if so; else msg says
 * why ("outside office hours: ...").
 */
enum pms_status	 sched_check_hours(struct pms_store *,
		    struct sched_frames *, int64_t provider,
		    const char *provider_code, int64_t location,
		    const char *location_code, const char *zone,
		    int64_t start, int64_t end, int *ok, char *msg,
		    size_t size);

/* The exceptions that touch [start, end) at location, as instants:
 * the first one's id in *id (0: none), with msg saying it. */
enum pms_status	 sched_check_off(struct pms_store *, struct sched_frames *,
		    int64_t provider, const char *provider_code,
		    int64_t location, const char *zone, int64_t start,
		    int64_t end, int64_t *id, char *msg, size_t size);

/* One appointment to check against the book or write to it. */
struct sched_new {
	int64_t		 self;		/* a move: the appointment itself */
	int64_t		 patient_id;
	int64_t		 provider_id;
	char		 provider[PMS_CFG_CODE];
	int64_t		 location_id;
	char		 location[PMS_CFG_CODE];
	char		 zone[PMS_ZONE_MAX];
	int64_t		 type_id;	/* 0: none */
	int		 may_overlap;
	const char	*room;		/* NULL: none */
	int64_t		 start, end;
	char		 local_start[PMS_STAMP_BUFSZ];
	char		 local_end[PMS_STAMP_BUFSZ];
	char		 date[PMS_DATE_BUFSZ];
	/* what is written */
	const char	*status;	/* NULL: booked */
	const char	*cancelled_by;
	int		 late_cancel;
	const char	*confirmed_at;
	const char	*reason;
	const char	*source_id;
	int		 forced;
	int64_t		 series_id;
};

/*
 * The first appointment in the way of n: the provider's, the room's,
 * the patient's (each leaving out cancelled and no-show ones, and for
 * the provider and room those of a type that may overlap).  *id 0 if
 * none; else msg says which and when.
 */
enum pms_status	 sched_check_busy(struct pms_store *,
		    const struct sched_new *, int64_t *id, char *msg,
		    size_t size);

/* Insert n: *idp the new id.  With the history row of its booking
 * (action "book" or "import"). */
enum pms_status	 sched_insert(struct pms_store *, const struct sched_new *,
		    const char *action, int64_t *idp);

/* A history row of appointment id. */
enum pms_status	 sched_history_add(struct pms_store *, int64_t id,
		    const char *action, const char *field, const char *from,
		    const char *to);

/* What a booking resolves once: the patient, provider, location, type,
 * room and length, and the clock. */
struct sched_book {
	struct pms_store *s;
	struct sched_frames *fs;
	const struct pms_appt_opts *o;
	int64_t		 now;
	int64_t		 patient_id;
	struct pms_provider prov;
	struct pms_location loc;
	int		 has_loc;
	struct pms_appt_type type;
	int		 has_type;
	char		 room[PMS_CFG_CODE];
	int		 has_room;
	int64_t		 length;
	int		 same_time;	/* a move of the room alone: the
					 * hours and exceptions are as they
					 * were when it was booked */
};

/* PMS_EDATA unless the local time (with its offset) is of 1900 to
 * 2200 and its offset whole minutes. */
enum pms_status	 sched_check_when(const struct pms_local *);
/* PMS_EDATA unless 5m <= len <= 12h. */
enum pms_status	 sched_check_length(int64_t len);
/* Look up what r names into b (inside the transaction): refusals for
 * unknown or inactive codes, a provider not at the location. */
enum pms_status	 sched_book_resolve(struct sched_book *,
		    const struct pms_appt_req *r);
/*
 * The location for wall clock at when none was named: the one of the
 * provider's locations where a session holds [t, t + length) at that
 * location's zone; else the provider's only location.
 */
enum pms_status	 sched_book_location(struct sched_book *,
		    const struct pms_local *at);
/*
 * Check one occurrence at wall clock `at`; fill n.  PMS_OK when it may
 * be written (n->forced set when opts->force overrode a refusal, with
 * the refusal in why), else the refusal with its message in msg
 * (PMS_EDATA: the time itself; PMS_EREFUSED: a rule).  self: a move.
 */
enum pms_status	 sched_book_check(struct sched_book *,
		    const struct pms_local *at, int64_t self,
		    struct sched_new *n, char *msg, size_t size, char *why,
		    size_t wsize);

/* The statements an import runs for every row, kept between
 * sched_cache_begin() and sched_cache_end() (schedule.c). */
enum sched_q {
	SCHED_Q_BUSY_PROVIDER,
	SCHED_Q_BUSY_ROOM,
	SCHED_Q_BUSY_PATIENT,
	SCHED_Q_INSERT,
	SCHED_Q_HISTORY,
	SCHED_Q_EXIST_SOURCE,
	SCHED_Q_EXIST_KEY,
	SCHED_Q_PROVIDER_AT,
	SCHED_Q_ROOM_AT,
	SCHED_Q_ONLY_LOCATION,
	SCHED_Q_COUNT
};
void		 sched_cache_begin(struct pms_store *);
void		 sched_cache_end(void);
/* sqlite3_prepare_v2(), or the kept statement; an SQLite code. */
int		 sched_prepare(struct pms_store *, enum sched_q,
		    const char *sql, sqlite3_stmt **);
/* Finalize, or reset the kept statement. */
void		 sched_finish(struct pms_store *, enum sched_q, sqlite3_stmt *);

/* Begin IMMEDIATE, again while the store is busy (a few times). */
enum pms_status	 sched_begin(struct pms_store *);

/*
 * The appointments q selects, to fn, without a transaction or audit of
 * their own; the patients passed are added to *pids (growing, *npids,
 * *cap; the caller frees).
 */
enum pms_status	 sched_iterate(struct pms_store *,
		    const struct pms_appt_query *, pms_appt_fn *fn, void *arg,
		    int64_t **pids, size_t *npids, size_t *cap, size_t *count);

/*
 * The appointments q selects, to fn, by pms_read_run(): the entry
 * (action, fields, the patients) first, then the rows in a read
 * transaction.  out_path as in struct pms_read_spec.  *count (may be
 * NULL) gets the number passed to fn.
 */
enum pms_status	 sched_read(struct pms_store *,
		    const struct pms_appt_query *, const char *action,
		    const char *fields, const char *out_path,
		    pms_appt_fn *fn, void *arg, size_t *count);

/* Resolve a patient: by id (> 0) or MRN, following merges. */
enum pms_status	 sched_patient(struct pms_store *, int64_t id,
		    const char *mrn, int64_t *out);

#endif /* PMS_SCHEDULE_INT_H */
