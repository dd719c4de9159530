/*
 * ptime.c: dates, times of day, instants and durations.
 *
 * Civil dates are plain arithmetic on day numbers (the proleptic
 * Gregorian calendar, 1970-01-01 = day 0).  A wall-clock reading means
 * an instant only at a zone, and the zone's rules come from the
 * system's tz database: for the length of a conversion TZ is set to
 * the zone's file, and localtime_r() answers; TZ is then put back
 * exactly as it was.  glibc quietly takes an unknown TZ for UTC, so a
 * zone is checked first to be a TZif file of the database.
 *
 * Spreadsheet forms (MM/DD/YYYY, DD/MM/YYYY, Excel serials) are read
 * only when the caller asks for them: 03/04/2026 means two different
 * days on the two sides of the Atlantic.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ptime.h"
#include "pms_int.h"

#define SECS_DAY	86400
/* Day 1 of Excel's 1900 system is 1900-01-01 and it counts a
 * 1900-02-29, so from serial 61 (1900-03-01) on, serial - 25569 is
 * the day number: the epoch is in effect 1899-12-30. */
#define EXCEL_DAY0	25569
#define EXCEL_FIRST	61
/* Offsets accepted in text: up to 18 hours either way. */
#define OFFSET_MAX	(18 * 3600)
#define TZDIR_DEFAULT	"/usr/share/zoneinfo"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The text of s without surrounding blanks, as [*pp, *endp). */
static void
trim(const char *s, const char **pp, const char **endp)
{
	const char *p = s, *end = s + strlen(s);

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*pp = p;
	*endp = end;
}

/*
 * Read min to max digits at *pp (before end) into *v and move past
 * them; 0 on success, -1 if there are fewer than min digits.  At most
 * max digits are read: the caller sees the next one as junk.
 */
static int
digits(const char **pp, const char *end, int min, int max, int *v)
{
	const char *p = *pp;
	int n = 0, x = 0;

	while (p < end && n < max && is_digit(*p)) {
		x = x * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n < min)
		return -1;
	*pp = p;
	*v = x;
	return 0;
}

/* ---- civil dates ---- */

/* Day number of y-m-d (m 1..12, d 1..31), any year. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *yp, int *mp, int *dp)
{
	int64_t era, doe, yoe, y, doy, mq;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mq = (5 * doy + 2) / 153;
	*dp = (int)(doy - (153 * mq + 2) / 5 + 1);
	*mp = (int)(mq < 10 ? mq + 3 : mq - 9);
	*yp = y + (*mp <= 2);
}

static int
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m == 2 && leap_year(y) ? 29 : n[m - 1];
}

/* The first and last day numbers of the years we accept. */
static int32_t
day_min(void)
{
	return (int32_t)days_from_civil(PMS_YEAR_MIN, 1, 1);
}

static int32_t
day_max(void)
{
	return (int32_t)days_from_civil(PMS_YEAR_MAX, 12, 31);
}

static int
day_in_range(int64_t days)
{
	return days >= day_min() && days <= day_max();
}

enum pms_status
pms_date_make(int y, int m, int d, int32_t *days)
{
	if (y < PMS_YEAR_MIN || y > PMS_YEAR_MAX)
		return pms_seterr(PMS_EDATA, "not a valid date: the year is "
		    "out of range (%d to %d)", PMS_YEAR_MIN, PMS_YEAR_MAX);
	if (m < 1 || m > 12)
		return pms_seterr(PMS_EDATA, "not a valid date: no such "
		    "month");
	if (d < 1 || d > month_days(y, m))
		return pms_seterr(PMS_EDATA, "not a valid date: no such day "
		    "in that month");
	*days = (int32_t)days_from_civil(y, m, d);
	return PMS_OK;
}

void
pms_date_split(int32_t days, int *y, int *m, int *d)
{
	int64_t yy;

	civil_from_days(days, &yy, m, d);
	*y = (int)yy;
}

int
pms_date_weekday(int32_t days)
{
	return (int)(((int64_t)days % 7 + 7 + 3) % 7);
}

int
pms_date_form_parse(const char *s)
{
	static const char *names[] = { "iso", "mdy", "dmy", "excel" };
	static const enum pms_date_form forms[] = { PMS_DATE_ISO,
	    PMS_DATE_MDY, PMS_DATE_DMY, PMS_DATE_EXCEL };
	size_t i;

	for (i = 0; s != NULL && i < PMS_NELEM(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)forms[i];
	return -1;
}

/* "YYYY-MM-DD" exactly: 1 with the parts, 0 if it is not that shape. */
static int
iso_shape(const char *p, const char *end, int *y, int *m, int *d)
{
	if (end - p != 10 || digits(&p, end, 4, 4, y) == -1 || *p++ != '-' ||
	    digits(&p, end, 2, 2, m) == -1 || *p++ != '-' ||
	    digits(&p, end, 2, 2, d) == -1)
		return 0;
	return 1;
}

/*
 * "A/B/YYYY" with one of the separators in seps, the same twice, A and
 * B one or two digits: 1 with the parts, 0 if not that shape, -1 if it
 * is that shape with a two-digit year.
 */
static int
slash_shape(const char *p, const char *end, const char *seps, int *a,
    int *b, int *y)
{
	const char *q;
	char sep;

	if (digits(&p, end, 1, 2, a) == -1 || p == end ||
	    strchr(seps, *p) == NULL)
		return 0;
	sep = *p++;
	if (digits(&p, end, 1, 2, b) == -1 || p == end || *p++ != sep)
		return 0;
	q = p;
	if (digits(&p, end, 4, 4, y) == 0 && p == end)
		return 1;
	p = q;
	if (digits(&p, end, 2, 2, y) == 0 && p == end)
		return -1;
	return 0;
}

/*
 * An Excel serial "NNNNN[.FFF]" at p..end: 1 with the day number and
 * the time of day of the fraction, rounded to the second; 0 if it is
 * not that shape; -1 with the message set if it is and is refused.
 */
static int
excel_shape(const char *p, const char *end, int32_t *days, int32_t *secs)
{
	const char *q;
	uint64_t serial = 0, frac = 0, scale = 1;
	int nint = 0;

	for (q = p; q < end && is_digit(*q); q++) {
		if (++nint <= 9)
			serial = serial * 10 + (uint64_t)(*q - '0');
	}
	if (nint == 0)
		return 0;
	if (q < end) {
		if (*q++ != '.' || q == end)
			return 0;
		for (; q < end && is_digit(*q); q++) {
			/* 13 digits are far below a second */
			if (scale < UINT64_C(10000000000000)) {
				frac = frac * 10 + (uint64_t)(*q - '0');
				scale *= 10;
			}
		}
		if (q != end)
			return 0;
	}
	if (nint > 9 || serial > (uint64_t)day_max() + EXCEL_DAY0) {
		pms_seterr(PMS_EDATA, "not a valid date: the Excel serial is "
		    "past %d", PMS_YEAR_MAX);
		return -1;
	}
	if (serial < EXCEL_FIRST) {
		pms_seterr(PMS_EDATA, "not a valid date: Excel serials "
		    "below %d are not dates (Excel counts a 1900-02-29 that "
		    "never was)", EXCEL_FIRST);
		return -1;
	}
	*days = (int32_t)((int64_t)serial - EXCEL_DAY0);
	*secs = (int32_t)((frac * SECS_DAY + scale / 2) / scale);
	if (*secs == SECS_DAY) {
		*secs = 0;
		if (*days == day_max()) {
			pms_seterr(PMS_EDATA, "not a valid date: the Excel "
			    "serial is past %d", PMS_YEAR_MAX);
			return -1;
		}
		(*days)++;
	}
	return 1;
}

static const char *
form_hint(enum pms_date_form form)
{
	switch (form) {
	case PMS_DATE_MDY:
		return "YYYY-MM-DD or MM/DD/YYYY";
	case PMS_DATE_DMY:
		return "YYYY-MM-DD or DD/MM/YYYY";
	case PMS_DATE_EXCEL:
		return "YYYY-MM-DD or an Excel serial";
	case PMS_DATE_ISO:
		break;
	}
	return "YYYY-MM-DD";
}

/*
 * The date at p..end in form (ISO always).  With secs non-NULL an
 * Excel serial may carry a time of day, which goes there; otherwise a
 * fraction other than zero is refused.
 */
static enum pms_status
date_parse(const char *p, const char *end, enum pms_date_form form,
    int32_t *days, int32_t *secs)
{
	int y, m, d, a, b, r;
	int32_t s = 0;

	if (p == end)
		return pms_seterr(PMS_EDATA, "no date");
	if (iso_shape(p, end, &y, &m, &d))
		goto make;
	switch (form) {
	case PMS_DATE_MDY:
	case PMS_DATE_DMY:
		r = slash_shape(p, end, form == PMS_DATE_MDY ? "/" : "/.", &a,
		    &b, &y);
		if (r == -1)
			return pms_seterr(PMS_EDATA, "not a valid date: a "
			    "two-digit year (write all four digits)");
		if (r == 0)
			break;
		m = form == PMS_DATE_MDY ? a : b;
		d = form == PMS_DATE_MDY ? b : a;
		goto make;
	case PMS_DATE_EXCEL:
		r = excel_shape(p, end, days, &s);
		if (r == -1)
			return PMS_EDATA;
		if (r == 0)
			break;
		if (secs != NULL)
			*secs = s;
		else if (s != 0)
			return pms_seterr(PMS_EDATA, "not a valid date: an "
			    "Excel serial with a time of day");
		else {
			/* a fraction that rounds to zero seconds is still
			 * not .0: look at the digits themselves */
			const char *q = memchr(p, '.', (size_t)(end - p));

			for (q = q == NULL ? end : q + 1; q < end; q++)
				if (*q != '0')
					return pms_seterr(PMS_EDATA, "not a "
					    "valid date: an Excel serial with "
					    "a time of day");
		}
		return PMS_OK;
	case PMS_DATE_ISO:
		break;
	}
	return pms_seterr(PMS_EDATA, "not a valid date (expected %s)",
	    form_hint(form));
make:
	if (secs != NULL)
		*secs = 0;
	return pms_date_make(y, m, d, days);
}

enum pms_status
pms_date_parse(const char *s, enum pms_date_form form, int32_t *days)
{
	const char *p, *end;

	if (s == NULL)
		return pms_seterr(PMS_EDATA, "no date");
	trim(s, &p, &end);
	return date_parse(p, end, form, days, NULL);
}

void
pms_date_fmt(int32_t days, char buf[PMS_DATE_BUFSZ])
{
	int y, m, d;

	pms_date_split(days, &y, &m, &d);
	if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) {
		/* not a date we ever make; keep the buffer a string */
		(void)snprintf(buf, PMS_DATE_BUFSZ, "?");
		return;
	}
	/* the remainders only tell the compiler what the test above did */
	(void)snprintf(buf, PMS_DATE_BUFSZ, "%04u-%02u-%02u",
	    (unsigned)y % 10000, (unsigned)m % 100, (unsigned)d % 100);
}

/* ---- times of day ---- */

/* "HH:MM[:SS]" at *pp: advances past it. */
static enum pms_status
time_scan(const char **pp, const char *end, int32_t *secs)
{
	const char *p = *pp;
	int h, m, s = 0;

	if (digits(&p, end, 2, 2, &h) == -1 || p == end || *p++ != ':' ||
	    digits(&p, end, 2, 2, &m) == -1)
		return pms_seterr(PMS_EDATA, "not a valid time (expected "
		    "HH:MM)");
	if (p < end && *p == ':') {
		p++;
		if (digits(&p, end, 2, 2, &s) == -1)
			return pms_seterr(PMS_EDATA, "not a valid time "
			    "(expected HH:MM or HH:MM:SS)");
	}
	if (h > 23 || m > 59 || s > 59)
		return pms_seterr(PMS_EDATA, "not a valid time: no such time "
		    "of day");
	*pp = p;
	*secs = h * 3600 + m * 60 + s;
	return PMS_OK;
}

enum pms_status
pms_time_parse(const char *s, int32_t *secs)
{
	const char *p, *end;
	enum pms_status st;
	int32_t v;

	if (s == NULL)
		return pms_seterr(PMS_EDATA, "no time");
	trim(s, &p, &end);
	if (p == end)
		return pms_seterr(PMS_EDATA, "no time");
	if ((st = time_scan(&p, end, &v)) != PMS_OK)
		return st;
	if (p != end)
		return pms_seterr(PMS_EDATA, "not a valid time (expected "
		    "HH:MM or HH:MM:SS)");
	*secs = v;
	return PMS_OK;
}

void
pms_time_fmt(int32_t secs, char buf[PMS_TIME_BUFSZ])
{
	int h, m, s;

	if (secs < 0 || secs >= SECS_DAY) {
		(void)snprintf(buf, PMS_TIME_BUFSZ, "?");
		return;
	}
	h = secs / 3600;
	m = secs / 60 % 60;
	s = secs % 60;
	if (s == 0)
		(void)snprintf(buf, PMS_TIME_BUFSZ, "%02d:%02d", h, m);
	else
		(void)snprintf(buf, PMS_TIME_BUFSZ, "%02d:%02d:%02d", h, m, s);
}

/* ---- wall-clock readings ---- */

/* "Z", "+HH:MM", "-HH:MM" or "+HH:MM:SS" filling p..end exactly. */
static enum pms_status
offset_scan(const char *p, const char *end, int32_t *off)
{
	int neg, h, m, s = 0;

	if (end - p == 1 && *p == 'Z') {
		*off = 0;
		return PMS_OK;
	}
	if (p == end || (*p != '+' && *p != '-'))
		goto bad;
	neg = *p++ == '-';
	if (digits(&p, end, 2, 2, &h) == -1 || p == end || *p++ != ':' ||
	    digits(&p, end, 2, 2, &m) == -1)
		goto bad;
	if (p < end && *p == ':') {
		p++;
		if (digits(&p, end, 2, 2, &s) == -1)
			goto bad;
	}
	if (p != end)
		goto bad;
	if (m > 59 || s > 59 || h * 3600 + m * 60 + s > OFFSET_MAX)
		return pms_seterr(PMS_EDATA, "not a valid time: the offset is "
		    "out of range");
	*off = (h * 3600 + m * 60 + s) * (neg ? -1 : 1);
	return PMS_OK;
bad:
	return pms_seterr(PMS_EDATA, "not a valid time: a bad offset "
	    "(expected Z, +HH:MM or -HH:MM)");
}

enum pms_status
pms_local_parse(const char *s, enum pms_date_form form,
    struct pms_local *lp)
{
	struct pms_local l = { 0, 0, 0, 0 };
	const char *p, *end, *q;
	enum pms_status st;

	if (s == NULL)
		return pms_seterr(PMS_EDATA, "no date and time");
	trim(s, &p, &end);
	if (p == end)
		return pms_seterr(PMS_EDATA, "no date and time");
	if (form == PMS_DATE_EXCEL) {
		for (q = p; q < end && (is_digit(*q) || *q == '.'); q++)
			continue;
		if (q == end) {
			st = date_parse(p, end, form, &l.days, &l.secs);
			if (st != PMS_OK)
				return st;
			*lp = l;
			return PMS_OK;
		}
	}
	for (q = p; q < end && *q != 'T' && *q != ' '; q++)
		continue;
	if (q == end)
		return pms_seterr(PMS_EDATA, "not a valid date and time "
		    "(expected YYYY-MM-DDTHH:MM)");
	if ((st = date_parse(p, q, form == PMS_DATE_EXCEL ? PMS_DATE_ISO :
	    form, &l.days, NULL)) != PMS_OK)
		return st;
	p = q + 1;
	if ((st = time_scan(&p, end, &l.secs)) != PMS_OK)
		return st;
	if (p < end) {
		if ((st = offset_scan(p, end, &l.offset)) != PMS_OK)
			return st;
		l.has_offset = 1;
	}
	*lp = l;
	return PMS_OK;
}

/* "-05:00", or "-04:56:02" for an offset with seconds. */
#define OFFSET_BUFSZ	10
static void
offset_fmt(long off, char buf[OFFSET_BUFSZ])
{
	long a = off < 0 ? -off : off;

	if (a > OFFSET_MAX)
		a = 0;
	if (a % 60 != 0)
		(void)snprintf(buf, OFFSET_BUFSZ, "%c%02ld:%02ld:%02ld",
		    off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
	else
		(void)snprintf(buf, OFFSET_BUFSZ, "%c%02ld:%02ld",
		    off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

void
pms_local_fmt(const struct pms_local *l, char buf[PMS_STAMP_BUFSZ])
{
	char date[PMS_DATE_BUFSZ], off[OFFSET_BUFSZ] = "";
	int32_t secs = l->secs;

	if (secs < 0 || secs >= SECS_DAY)
		secs = 0;
	pms_date_fmt(l->days, date);
	if (l->has_offset)
		offset_fmt(l->offset, off);
	(void)snprintf(buf, PMS_STAMP_BUFSZ, "%sT%02d:%02d:%02d%s", date,
	    secs / 3600, secs / 60 % 60, secs % 60, off);
}

void
pms_instant_fmt(int64_t t, char buf[PMS_STAMP_BUFSZ])
{
	char date[PMS_DATE_BUFSZ];
	int64_t days, secs;

	days = t / SECS_DAY;
	secs = t % SECS_DAY;
	if (secs < 0) {
		secs += SECS_DAY;
		days--;
	}
	if (days < INT32_MIN || days > INT32_MAX) {
		(void)snprintf(buf, PMS_STAMP_BUFSZ, "?");
		return;
	}
	pms_date_fmt((int32_t)days, date);
	(void)snprintf(buf, PMS_STAMP_BUFSZ, "%sT%02d:%02d:%02dZ", date,
	    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

enum pms_status
pms_instant_parse(const char *s, int64_t *t)
{
	struct pms_local l;
	enum pms_status st;

	if ((st = pms_local_parse(s, PMS_DATE_ISO, &l)) != PMS_OK)
		return st;
	if (!l.has_offset)
		return pms_seterr(PMS_EDATA, "not an instant: the time has no "
		    "offset (add Z or one like -05:00)");
	*t = (int64_t)l.days * SECS_DAY + l.secs - l.offset;
	return PMS_OK;
}

/* ---- zones ---- */

static const char *
tz_dir(void)
{
	const char *d = getenv("TZDIR");

	return d != NULL && d[0] == '/' ? d : TZDIR_DEFAULT;
}

/* Whether zone is spelled like a name of the tz database. */
static int
zone_name_ok(const char *zone)
{
	static const char *refused[] = { "localtime", "posixrules",
	    "posix", "right" };
	const char *p, *part;
	size_t i, n;

	if (zone == NULL || (n = strlen(zone)) == 0 || n >= PMS_ZONE_MAX)
		return 0;
	for (part = p = zone; ; p++) {
		if (*p == '/' || *p == '\0') {
			if (p == part || !is_alpha(*part))
				return 0;
			if (*p == '\0')
				break;
			part = p + 1;
			continue;
		}
		if (!is_alpha(*p) && !is_digit(*p) && *p != '_' &&
		    *p != '+' && *p != '-')
			return 0;
	}
	for (i = 0; i < PMS_NELEM(refused); i++) {
		n = strlen(refused[i]);
		if (strncmp(zone, refused[i], n) == 0 &&
		    (zone[n] == '\0' || zone[n] == '/'))
			return 0;
	}
	return 1;
}

/* The zone's file into path; 0, or -1 if the name or file is no zone. */
static int
zone_path(const char *zone, char *path, size_t size)
{
	unsigned char magic[5];
	struct stat sb;
	int fd, n, ok = 0;

	if (!zone_name_ok(zone))
		return -1;
	n = snprintf(path, size, "%s/%s", tz_dir(), zone);
	if (n < 0 || (size_t)n >= size)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0 &&
	    (magic[4] == '\0' || (magic[4] >= '2' && magic[4] <= '9')))
		ok = 1;
	close(fd);
	return ok ? 0 : -1;
}

int
pms_zone_valid(const char *zone)
{
	char path[PATH_MAX];

	return zone_path(zone, path, sizeof(path)) == 0;
}

/* TZ as it was before zone_enter(), to be put back by zone_leave(). */
struct tz_saved {
	int		 was_set;
	char		*value;
};

static enum pms_status
zone_error(const char *zone)
{
	const char *p;

	/* a zone name is no patient's data, but it may be junk */
	for (p = zone; p != NULL && *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e || *p == '"')
			break;
	if (zone == NULL || *p != '\0' || p - zone >= PMS_ZONE_MAX)
		return pms_seterr(PMS_EDATA, "unknown time zone (not in the "
		    "tz database)");
	return pms_seterr(PMS_EDATA, "unknown time zone \"%s\" (not in the "
	    "tz database)", zone);
}

/* Make zone the process's zone until zone_leave(sv). */
static enum pms_status
zone_enter(const char *zone, struct tz_saved *sv)
{
	char path[PATH_MAX], tz[PATH_MAX + 1];
	const char *old;
	int n;

	if (zone_path(zone, path, sizeof(path)) == -1)
		return zone_error(zone);
	n = snprintf(tz, sizeof(tz), ":%s", path);
	if (n < 0 || (size_t)n >= sizeof(tz))
		return zone_error(zone);
	sv->value = NULL;
	sv->was_set = (old = getenv("TZ")) != NULL;
	if (sv->was_set && (sv->value = strdup(old)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if (setenv("TZ", tz, 1) == -1) {
		free(sv->value);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	tzset();
	return PMS_OK;
}

static void
zone_leave(struct tz_saved *sv)
{
	if (sv->was_set)
		(void)setenv("TZ", sv->value, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	free(sv->value);
	sv->value = NULL;
}

/* Instants that far out are nobody's appointment; time_t is 64-bit. */
#define T_LIMIT		(INT64_C(1) << 40)

/* The zone's offset at t (inside zone_enter()); 0, or -1. */
static int
offset_at(int64_t t, long *off)
{
	struct tm tm;
	time_t tt;

	if (t < -T_LIMIT || t > T_LIMIT)
		return -1;
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL)
		return -1;
	*off = tm.tm_gmtoff;
	return 0;
}

/* Keep up to 8 distinct values in set. */
static void
add_distinct(long *set, size_t *n, long v)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (set[i] == v)
			return;
	if (*n < 8)
		set[(*n)++] = v;
}

enum pms_status
pms_local_to_instant(const char *zone, const struct pms_local *l,
    int64_t *tp)
{
	struct pms_local a, b;
	struct tz_saved sv;
	enum pms_status st;
	char sa[PMS_STAMP_BUFSZ], sb[PMS_STAMP_BUFSZ], oa[OFFSET_BUFSZ],
	    ob[OFFSET_BUFSZ];
	long offs[8], found[8], off;
	size_t i, noffs = 0, nfound = 0;
	int64_t L, t;

	if (!day_in_range(l->days) || l->secs < 0 || l->secs >= SECS_DAY)
		return pms_seterr(PMS_EDATA, "not a valid date and time: out "
		    "of range");
	if (l->has_offset && (l->offset < -OFFSET_MAX ||
	    l->offset > OFFSET_MAX))
		return pms_seterr(PMS_EDATA, "not a valid time: the offset is "
		    "out of range");
	if ((st = zone_enter(zone, &sv)) != PMS_OK)
		return st;
	L = (int64_t)l->days * SECS_DAY + l->secs;
	if (l->has_offset) {
		t = L - l->offset;
		if (offset_at(t, &off) == -1) {
			st = pms_seterr(PMS_EINTERNAL, "the time zone cannot "
			    "say the offset then");
			goto out;
		}
		if (off == l->offset) {
			*tp = t;
			st = PMS_OK;
			goto out;
		}
	}
	/*
	 * The offsets the zone has around L are the candidates; t = L - o
	 * is the reading L when the zone's offset at t is o itself.  None
	 * is a spring-forward gap, two a fall-back overlap.  The offsets
	 * at the candidates found catch changes the probes jumped over.
	 */
	for (i = 0; i < 3; i++)
		if (offset_at(L + ((int64_t)i - 1) * SECS_DAY, &off) == 0)
			add_distinct(offs, &noffs, off);
	for (i = 0; i < noffs; i++) {
		t = L - offs[i];
		if (offset_at(t, &off) == -1)
			continue;
		if (off == offs[i])
			add_distinct(found, &nfound, off);
		else
			add_distinct(offs, &noffs, off);
	}
	if (nfound == 0) {
		st = pms_seterr(PMS_EDATA, "local time does not exist on that "
		    "date (the clocks go forward then)");
		goto out;
	}
	/* the earlier instant first: the larger offset */
	if (nfound > 1 && found[1] > found[0]) {
		off = found[0];
		found[0] = found[1];
		found[1] = off;
	}
	if (l->has_offset) {
		offset_fmt(found[0], oa);
		offset_fmt(nfound > 1 ? found[1] : 0, ob);
		st = pms_seterr(PMS_EDATA, "the offset is not the zone's at "
		    "that time (it is %s%s%s)", oa, nfound > 1 ? " or " : "",
		    nfound > 1 ? ob : "");
		goto out;
	}
	if (nfound > 1) {
		a = b = *l;
		a.has_offset = b.has_offset = 1;
		a.offset = (int32_t)found[0];
		b.offset = (int32_t)found[1];
		pms_local_fmt(&a, sa);
		pms_local_fmt(&b, sb);
		st = pms_seterr(PMS_EDATA, "ambiguous local time: it comes "
		    "twice as the clocks go back; give the offset, as in %s "
		    "or %s", sa, sb);
		goto out;
	}
	*tp = L - found[0];
	st = PMS_OK;
out:
	zone_leave(&sv);
	return st;
}

enum pms_status
pms_instant_to_local(const char *zone, int64_t t, struct pms_local *l)
{
	struct tz_saved sv;
	enum pms_status st;
	struct tm tm;
	time_t tt;
	int64_t days;

	if (t < -T_LIMIT || t > T_LIMIT)
		return pms_seterr(PMS_EDATA, "not a valid instant: out of "
		    "range");
	if ((st = zone_enter(zone, &sv)) != PMS_OK)
		return st;
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL) {
		st = pms_seterr(PMS_EDATA, "not a valid instant: out of "
		    "range");
		goto out;
	}
	days = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	if (!day_in_range(days)) {
		st = pms_seterr(PMS_EDATA, "not a valid instant: its date is "
		    "out of range (years %d to %d)", PMS_YEAR_MIN,
		    PMS_YEAR_MAX);
		goto out;
	}
	l->days = (int32_t)days;
	l->secs = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	l->has_offset = 1;
	l->offset = (int32_t)tm.tm_gmtoff;
	st = PMS_OK;
out:
	zone_leave(&sv);
	return st;
}

enum pms_status
pms_zone_abbr(const char *zone, int64_t t, char *buf, size_t size)
{
	struct tz_saved sv;
	enum pms_status st;
	struct tm tm;
	time_t tt;

	if (t < -T_LIMIT || t > T_LIMIT)
		return pms_seterr(PMS_EDATA, "not a valid instant: out of "
		    "range");
	if ((st = zone_enter(zone, &sv)) != PMS_OK)
		return st;
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL || tm.tm_zone == NULL)
		st = pms_seterr(PMS_EDATA, "not a valid instant: out of "
		    "range");
	else
		snprintf(buf, size, "%s", tm.tm_zone);
	zone_leave(&sv);
	return st;
}

enum pms_status
pms_today(const char *zone, int32_t *days)
{
	/* the last answer: a program asks per record, the same second
	 * (each answer sets TZ and reads the zone's file twice) */
	static char last_zone[PMS_ZONE_MAX];
	static time_t last_now = (time_t)-1;
	static int32_t last_days;
	struct pms_local l = { 0, 0, 0, 0 };
	enum pms_status st;
	time_t now;

	if ((now = time(NULL)) == (time_t)-1)
		return pms_seterr(PMS_EINTERNAL, "cannot read the clock: %s",
		    strerror(errno));
	if (now == last_now && zone != NULL && strcmp(zone, last_zone) == 0) {
		*days = last_days;
		return PMS_OK;
	}
	if ((st = pms_instant_to_local(zone, (int64_t)now, &l)) != PMS_OK)
		return st;
	*days = l.days;
	if (zone != NULL && strlen(zone) < sizeof(last_zone)) {
		memcpy(last_zone, zone, strlen(zone) + 1);
		last_now = now;
		last_days = l.days;
	}
	return PMS_OK;
}

/* ---- durations ---- */

enum pms_status
pms_duration_parse(const char *s, int64_t *secs)
{
	static const char units[] = "dhms";
	static const int64_t mult[] = { SECS_DAY, 3600, 60, 1 };
	const char *p, *u;
	int64_t total = 0, v;
	size_t next = 0, i;
	int nd;

	if (s == NULL || *s == '\0')
		return pms_seterr(PMS_EDATA, "no duration");
	for (p = s; *p != '\0'; ) {
		for (v = 0, nd = 0; is_digit(*p); p++, nd++)
			if (nd < 10)
				v = v * 10 + (*p - '0');
		if (nd == 0 || *p == '\0' ||
		    (u = strchr(units, *p)) == NULL)
			goto bad;
		i = (size_t)(u - units);
		if (i < next)
			goto bad;	/* units largest first, each once */
		next = i + 1;
		p++;
		if (nd > 10 || v > PMS_DURATION_MAX / mult[i])
			goto toolong;
		total += v * mult[i];
		if (total > PMS_DURATION_MAX)
			goto toolong;
	}
	if (total == 0)
		return pms_seterr(PMS_EDATA, "not a duration: it must be more "
		    "than zero");
	*secs = total;
	return PMS_OK;
bad:
	return pms_seterr(PMS_EDATA, "not a duration (expected a number "
	    "and a unit, d h m or s: 15m, 48h, 2d, 1h30m)");
toolong:
	return pms_seterr(PMS_EDATA, "not a duration: longer than %dd",
	    PMS_DURATION_MAX / SECS_DAY);
}
