/*
 * ptime.h: dates, times of day and instants.  Dates and times travel
 * as ISO 8601; a wall-clock time means something only together with an
 * IANA zone, and is turned into an instant through the system's tz
 * database, whatever TZ the process itself runs under.
 *
 * Days are counted from 1970-01-01 (day 0) in the proleptic Gregorian
 * calendar; times of day are seconds after midnight; instants are Unix
 * seconds (UTC).  Dates are those of the years PMS_YEAR_MIN to
 * PMS_YEAR_MAX.
 *
 * The zone conversions set TZ for the length of the call and put it
 * back as it was (unset included): they are not thread-safe, and
 * pms programs are single-threaded.  Messages never quote the text
 * parsed: it may be a patient's birth date.  (The one exception is an
 * ambiguous wall-clock time, whose message shows the two readings to
 * choose from; zone names, which are the practice's, are quoted.)
 */
#ifndef PMS_PTIME_H
#define PMS_PTIME_H

#include <stddef.h>
#include <stdint.h>

#include "pms.h"

#define PMS_DATE_BUFSZ		11	/* 2026-12-03 */
#define PMS_TIME_BUFSZ		9	/* 09:30:00 */
#define PMS_STAMP_BUFSZ		32	/* 2026-12-03T09:30:00-05:00 */
#define PMS_ZONE_MAX		64	/* a zone name's bytes, NUL included */
#define PMS_YEAR_MIN		1800
#define PMS_YEAR_MAX		2999
#define PMS_DURATION_MAX	(366 * 86400)	/* seconds */

/* The forms a date column of an import may be read in. */
enum pms_date_form {
	PMS_DATE_ISO,		/* 2026-12-03: always, and the only default */
	PMS_DATE_MDY,		/* 12/03/2026, 12/3/2026 (US spreadsheets) */
	PMS_DATE_DMY,		/* 03/12/2026, 3/12/2026, 03.12.2026 */
	PMS_DATE_EXCEL		/* a serial of Excel's 1900 system: 45264 */
};

/* Parse "iso", "mdy", "dmy", "excel"; -1 if unknown. */
int		 pms_date_form_parse(const char *);

/* A civil date from year, month, day; PMS_EDATA if no such day or the
 * year is outside PMS_YEAR_MIN..PMS_YEAR_MAX. */
enum pms_status	 pms_date_make(int y, int m, int d, int32_t *days);
void		 pms_date_split(int32_t days, int *y, int *m, int *d);
/* 0 = Monday ... 6 = Sunday. */
int		 pms_date_weekday(int32_t days);

/*
 * Parse a date.  ISO ("YYYY-MM-DD", years 1800 to 2999) is always
 * accepted; form allows one spreadsheet form besides.  Slash forms
 * take one- or two-digit days and months and four-digit years only.
 * Excel serials: day 61 is 1900-03-01; serials up to 60 are refused
 * (Excel counts a 1900-02-29 that never was), as are fractions other
 * than .0 and serials past 2999.  Surrounding blanks are ignored.
 * Messages say what is wrong without the text.
 */
enum pms_status	 pms_date_parse(const char *s, enum pms_date_form form,
		    int32_t *days);
void		 pms_date_fmt(int32_t days, char buf[PMS_DATE_BUFSZ]);

/* "HH:MM" or "HH:MM:SS" (two digits each), 00:00:00 to 23:59:59. */
enum pms_status	 pms_time_parse(const char *s, int32_t *secs);
/* "HH:MM" when the seconds are zero, else "HH:MM:SS". */
void		 pms_time_fmt(int32_t secs, char buf[PMS_TIME_BUFSZ]);

/* A wall-clock reading, with the offset it was given with, if any. */
struct pms_local {
	int32_t		 days;
	int32_t		 secs;
	int		 has_offset;
	int32_t		 offset;	/* seconds east of UTC */
};

/*
 * Parse "YYYY-MM-DDTHH:MM[:SS]" with an optional "Z" or "+HH:MM" /
 * "-HH:MM" (a space instead of the T is accepted; offsets up to 18
 * hours, "+HH:MM:SS" too).  With form PMS_DATE_MDY or PMS_DATE_DMY the
 * date may be in that form ("12/03/2026 09:30"); with PMS_DATE_EXCEL a
 * serial with a fraction ("45292.5") is read too, rounded to the
 * second.
 */
enum pms_status	 pms_local_parse(const char *s, enum pms_date_form form,
		    struct pms_local *);

/*
 * 1 if zone names a zone of the system tz database (a TZif file under
 * $TZDIR, else /usr/share/zoneinfo), else 0.  Only names made of
 * letters, digits, "_", "+", "-" in "/"-separated parts that start
 * with a letter; never "localtime", "posixrules", "posix/..." or
 * "right/..." (leap-second time).  Unknown names are never UTC.
 */
int		 pms_zone_valid(const char *zone);

/*
 * The instant a wall-clock reading at zone stands for.  A reading in a
 * spring-forward gap is refused (PMS_EDATA, "does not exist"); one in
 * a fall-back overlap without an offset is refused as ambiguous, and
 * with one it must be one of the two.  A reading with an offset that
 * the zone does not have then is refused.
 */
enum pms_status	 pms_local_to_instant(const char *zone,
		    const struct pms_local *, int64_t *t);
/* The wall-clock reading at zone of instant t, offset included;
 * PMS_EDATA if its date is outside the years of PMS_YEAR_MIN..MAX. */
enum pms_status	 pms_instant_to_local(const char *zone, int64_t t,
		    struct pms_local *);
/* The zone's abbreviation at instant t, as the tz database has it
 * ("CET", "CEST", "EST"; "+0530" style where the zone has none);
 * PMS_EDATA for an unknown zone or an instant out of range. */
enum pms_status	 pms_zone_abbr(const char *zone, int64_t t, char *buf,
		    size_t size);
/* "2026-12-03T09:30:00-05:00": always with seconds, and with the offset
 * when it has one ("+00:00", never "Z": a wall clock is no instant). */
void		 pms_local_fmt(const struct pms_local *,
		    char buf[PMS_STAMP_BUFSZ]);
/* "2026-12-03T14:30:00Z" */
void		 pms_instant_fmt(int64_t t, char buf[PMS_STAMP_BUFSZ]);
/* An instant written as pms_local_parse reads it, "Z" or an offset
 * required: "2026-12-03T14:30:00Z", "2026-12-03T09:30-05:00". */
enum pms_status	 pms_instant_parse(const char *s, int64_t *t);

/* Today's date at zone (the practice's day, not the process's). */
enum pms_status	 pms_today(const char *zone, int32_t *days);

/*
 * "15m", "48h", "2d", "90s", "1h30m" into seconds: numbers each with a
 * unit, d h m s, largest first, each unit once, no blanks; more than
 * zero and at most PMS_DURATION_MAX.  PMS_EDATA if bad.
 */
enum pms_status	 pms_duration_parse(const char *s, int64_t *secs);

#endif /* PMS_PTIME_H */
