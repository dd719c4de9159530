/*
 * schedule_time.c: the appointment book's clock.  A zone's offsets
 * around a day are read once from the tz database (lib/ptime.c) and
 * every conversion of that day is then arithmetic, so that a day's
 * slots or a year's import do not switch the process's zone for each
 * row.  Office hours (sessions in wall-clock time, one crossing
 * midnight when it ends before it starts), their exceptions, free
 * slots and the first free slot.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "schedule_int.h"

/* ---- a zone around a day ---- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static enum pms_status
offset_at(const char *zone, int64_t t, int32_t *off)
{
	struct pms_local l;
	enum pms_status st;

	if ((st = pms_instant_to_local(zone, t, &l)) != PMS_OK)
		return st;
	*off = l.offset;
	return PMS_OK;
}

enum pms_status
sched_zone_check(const char *zone)
{
	struct pms_local l;

	if (pms_instant_to_local(zone, 0, &l) == PMS_OK)
		return PMS_OK;
	if (pms_quotable(zone) || strchr(zone, '/') != NULL)
		return pms_seterr(PMS_ECONFIG, "the configuration names the "
		    "time zone \"%.64s\", which this machine lacks (install "
		    "tzdata, or check TZDIR)", zone);
	return pms_seterr(PMS_ECONFIG, "the configuration names a time zone "
	    "this machine lacks (install tzdata, or check TZDIR)");
}

/*
 * Offsets at the two ends of the window and its middle: the same three
 * is a day without a change (a zone never changes twice within the 39
 * hours of half the window and back); one change is found to the
 * second by halving; anything else is complex.
 */
static enum pms_status
frame_make(struct sched_frame *f, const char *zone, int32_t day)
{
	enum pms_status st;
	int32_t a, m, b, o;
	int64_t lo, hi, mid, x, y, z;

	memset(f, 0, sizeof(*f));
	if (snprintf(f->zone, sizeof(f->zone), "%s", zone) >=
	    (int)sizeof(f->zone))
		return pms_seterr(PMS_EDATA, "time zone name too long");
	f->day = day;
	lo = (int64_t)day * SECS_DAY - 15 * 3600;
	hi = ((int64_t)day + 2) * SECS_DAY + 15 * 3600;
	mid = lo + (hi - lo) / 2;
	if ((st = offset_at(zone, lo, &a)) != PMS_OK ||
	    (st = offset_at(zone, mid, &m)) != PMS_OK ||
	    (st = offset_at(zone, hi, &b)) != PMS_OK)
		return sched_zone_check(zone) != PMS_OK ? PMS_ECONFIG : st;
	f->lo = lo;
	f->hi = hi;
	f->used = 1;
	f->off_a = a;
	f->off_b = b;
	f->trans = INT64_MAX;
	if (a == m && m == b)
		return PMS_OK;
	if (a == b || (a != m && m != b)) {
		f->complex = 1;
		return PMS_OK;
	}
	/* one change, in [lo, mid] or in [mid, hi]: the first instant of b */
	x = a != m ? lo : mid;
	y = a != m ? mid : hi;
	while (y - x > 1) {
		z = x + (y - x) / 2;
		if ((st = offset_at(zone, z, &o)) != PMS_OK)
			return st;
		if (o == a)
			x = z;
		else if (o == b)
			y = z;
		else {
			f->complex = 1;
			return PMS_OK;
		}
	}
	f->trans = y;
	return PMS_OK;
}

enum pms_status
sched_frame(struct sched_frames *fs, const char *zone, int32_t day,
    const struct sched_frame **fp)
{
	struct sched_frame *f;
	enum pms_status st;
	size_t i;

	for (i = 0; i < SCHED_FRAMES; i++) {
		f = &fs->f[i];
		if (f->used && f->day == day && strcmp(f->zone, zone) == 0) {
			*fp = f;
			return PMS_OK;
		}
	}
	f = &fs->f[fs->next];
	fs->next = (fs->next + 1) % SCHED_FRAMES;
	if ((st = frame_make(f, zone, day)) != PMS_OK) {
		f->used = 0;
		return st;
	}
	*fp = f;
	return PMS_OK;
}

/*
 * A wall clock into an instant by the frame: 0 one reading, 1 a gap
 * (*t the change), 2 two readings (*t the earlier, or the later), -1
 * when the frame cannot say (complex, or outside its window).
 */
static int
frame_instant(const struct sched_frame *f, int64_t local, int later,
    int64_t *t)
{
	int64_t ta, tb;
	int va, vb;

	if (f->complex)
		return -1;
	ta = local - f->off_a;
	tb = local - f->off_b;
	va = ta < f->trans;
	vb = f->trans != INT64_MAX && tb >= f->trans;
	if (va && vb) {
		*t = later ? (ta > tb ? ta : tb) : (ta < tb ? ta : tb);
		if (*t < f->lo || *t > f->hi)
			return -1;
		return 2;
	}
	if (va || vb) {
		*t = va ? ta : tb;
		if (*t < f->lo || *t > f->hi)
			return -1;
		return 0;
	}
	*t = f->trans;
	return 1;
}

/* The offset at t by the frame; -1 if it cannot say. */
static int
frame_offset(const struct sched_frame *f, int64_t t, int32_t *off)
{
	if (f->complex || t < f->lo || t > f->hi)
		return -1;
	*off = t < f->trans ? f->off_a : f->off_b;
	return 0;
}

enum pms_status
sched_instant(struct sched_frames *fs, const char *zone,
    const struct pms_local *l, int64_t *tp)
{
	const struct sched_frame *f;
	enum pms_status st = PMS_EDATA;
	int64_t L, t;
	int32_t off;

	if (l->secs >= 0 && l->secs < SECS_DAY &&
	    (st = sched_frame(fs, zone, l->days, &f)) == PMS_ECONFIG)
		return st;
	if (l->secs >= 0 && l->secs < SECS_DAY && st == PMS_OK) {
		L = (int64_t)l->days * SECS_DAY + l->secs;
		if (!l->has_offset) {
			if (frame_instant(f, L, 0, &t) == 0) {
				*tp = t;
				return PMS_OK;
			}
		} else {
			t = L - l->offset;
			if (frame_offset(f, t, &off) == 0 && off == l->offset) {
				*tp = t;
				return PMS_OK;
			}
		}
	}
	/* the tz database's own answer, and its messages */
	if ((st = pms_local_to_instant(zone, l, tp)) != PMS_OK)
		return st;
	return PMS_OK;
}

enum pms_status
sched_instant_lenient(struct sched_frames *fs, const char *zone,
    int64_t local, int later, int64_t *tp)
{
	const struct sched_frame *f;
	struct pms_local l;
	enum pms_status st;
	int32_t day = (int32_t)floor_div(local, SECS_DAY);

	if ((st = sched_frame(fs, zone, day, &f)) != PMS_OK)
		return st;
	if (frame_instant(f, local, later, tp) >= 0)
		return PMS_OK;
	l.days = day;
	l.secs = (int32_t)(local - (int64_t)day * SECS_DAY);
	l.has_offset = 0;
	l.offset = 0;
	return pms_local_to_instant(zone, &l, tp);
}

enum pms_status
sched_local(struct sched_frames *fs, const char *zone, int64_t t,
    struct pms_local *l)
{
	const struct sched_frame *f;
	enum pms_status st;
	int64_t L, d;
	int32_t off;

	if ((st = sched_frame(fs, zone, (int32_t)floor_div(t, SECS_DAY),
	    &f)) == PMS_ECONFIG)
		return st;
	if (st == PMS_OK && frame_offset(f, t, &off) == 0) {
		L = t + off;
		d = floor_div(L, SECS_DAY);
		l->days = (int32_t)d;
		l->secs = (int32_t)(L - d * SECS_DAY);
		l->has_offset = 1;
		l->offset = off;
		return PMS_OK;
	}
	return pms_instant_to_local(zone, t, l);
}

enum pms_status
sched_stamp(struct sched_frames *fs, const char *zone, int64_t t,
    char buf[PMS_STAMP_BUFSZ])
{
	struct pms_local l;
	enum pms_status st;

	if ((st = sched_local(fs, zone, t, &l)) != PMS_OK)
		return st;
	pms_local_fmt(&l, buf);
	return PMS_OK;
}

/* ---- settings, codes, small look-ups ---- */

enum pms_status
sched_cfg_read(struct pms_store *s, struct sched_cfg *c)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *z;
	enum pms_status ps;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = sqlite3_prepare_v2(s->db, "SELECT json_extract(doc, "
	    "'$.schedule.slot_step_secs'), json_extract(doc, "
	    "'$.schedule.late_cancel_notice_secs'), json_extract(doc, "
	    "'$.practice.time_zone') FROM config WHERE id = 1", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the configuration");
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ps = pms_seterr(PMS_ECONFIG, "no configuration loaded: "
		    "pms-admin config load FILE");
		goto out;
	}
	if (rc != SQLITE_ROW) {
		ps = pms_store_sqlerr(s, rc, "reading the configuration");
		goto out;
	}
	c->slot_step = sqlite3_column_int64(st, 0);
	c->late_cancel_notice = sqlite3_column_int64(st, 1);
	if (c->slot_step <= 0)
		c->slot_step = 15 * 60;
	if (c->late_cancel_notice <= 0)
		c->late_cancel_notice = SECS_DAY;
	z = sqlite3_column_text(st, 2);
	snprintf(c->zone, sizeof(c->zone), "%s", z != NULL ?
	    (const char *)z : "UTC");
	ps = PMS_OK;
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_sched_ready(struct pms_store *s)
{
	struct sched_cfg cfg;

	return sched_cfg_read(s, &cfg);
}

int64_t
sched_now(const struct pms_appt_opts *o)
{
	if (o != NULL && o->now != 0)
		return o->now;
	return (int64_t)time(NULL);
}

void
sched_utc(int64_t t, char buf[PMS_STAMP_BUFSZ])
{
	pms_instant_fmt(t, buf);
}

int
sched_code(const char *in, char out[PMS_CFG_CODE])
{
	size_t i;
	char c;

	if (in == NULL)
		return -1;
	for (i = 0; in[i] != '\0'; i++) {
		if (i + 1 >= PMS_CFG_CODE)
			return -1;
		c = in[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return -1;
		out[i] = c;
	}
	out[i] = '\0';
	return i == 0 ? -1 : 0;
}

/* Run a query of one integer (or none: *v = 0, *found = 0) with ?1 = a
 * and ?2 = b, or the text bt when not NULL. */
static enum pms_status
query_one(struct pms_store *s, enum sched_q q, const char *sql, int64_t a,
    int64_t b, const char *bt, int64_t *v, int *found)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	int rc;

	*v = 0;
	*found = 0;
	if ((rc = sched_prepare(s, q, sql, &st)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the schedule");
	sqlite3_bind_int64(st, 1, a);
	if (bt != NULL)
		sqlite3_bind_text(st, 2, bt, -1, SQLITE_STATIC);
	else if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		*found = 1;
	} else if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the schedule");
	sched_finish(s, q, st);
	return ps;
}

enum pms_status
sched_provider_at(struct pms_store *s, int64_t provider, int64_t location,
    int *yes)
{
	int64_t v;
	int found;
	enum pms_status st;

	st = query_one(s, SCHED_Q_PROVIDER_AT, "SELECT 1 FROM providers p, "
	    "json_each(p.locations) "
	    "j JOIN locations l ON l.code = j.value WHERE p.id = ?1 AND "
	    "l.id = ?2", provider, location, NULL, &v, &found);
	(void)v;
	*yes = found;
	return st;
}

enum pms_status
sched_room_at(struct pms_store *s, int64_t location, const char *room,
    int *yes)
{
	int64_t v;
	int found;
	enum pms_status st;

	st = query_one(s, SCHED_Q_ROOM_AT, "SELECT 1 FROM locations l, "
	    "json_each(l.rooms) j "
	    "WHERE l.id = ?1 AND j.value = ?2", location, 0, room, &v,
	    &found);
	*yes = found;
	return st;
}

enum pms_status
sched_only_location(struct pms_store *s, int64_t provider, int64_t *loc)
{
	int64_t v;
	int found;
	enum pms_status st;

	st = query_one(s, SCHED_Q_ONLY_LOCATION, "SELECT CASE WHEN "
	    "count(*) = 1 THEN max(l.id) "
	    "ELSE 0 END FROM providers p, json_each(p.locations) j JOIN "
	    "locations l ON l.code = j.value WHERE p.id = ?1", provider, 0,
	    NULL, &v, &found);
	*loc = v;
	return st;
}

enum pms_status
sched_id_of(struct pms_store *s, const char *sql, const char *code,
    int64_t *id)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	char c[PMS_CFG_CODE];
	int rc;

	*id = 0;
	if (sched_code(code, c) == -1)
		return PMS_OK;
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the configuration");
	sqlite3_bind_text(st, 1, c, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the configuration");
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_sched_date(struct pms_store *s, const char *text, int32_t *days)
{
	static const struct {
		const char *word;
		int delta;
	} words[] = { { "today", 0 }, { "tomorrow", 1 }, { "yesterday", -1 } };
	struct sched_cfg cfg;
	enum pms_status st;
	size_t i;

	for (i = 0; i < PMS_NELEM(words); i++)
		if (strcasecmp(text, words[i].word) == 0) {
			if ((st = sched_cfg_read(s, &cfg)) != PMS_OK ||
			    (st = sched_zone_check(cfg.zone)) != PMS_OK ||
			    (st = pms_today(cfg.zone, days)) != PMS_OK)
				return st;
			*days += words[i].delta;
			return PMS_OK;
		}
	return pms_date_parse(text, PMS_DATE_ISO, days);
}

/* ---- weekdays and sessions ---- */

static const char *const wdays[] = { "mon", "tue", "wed", "thu", "fri",
    "sat", "sun" };
static const char *const wdays_long[] = { "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday" };

const char *
pms_weekday_name(int wd)
{
	return wd >= 0 && wd < 7 ? wdays[wd] : "?";
}

/* A weekday by name ("mon", "Monday", any case); -1 if none. */
static int
weekday_find(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < 7; i++)
		if ((n == 3 && strncasecmp(p, wdays[i], 3) == 0) ||
		    (n == strlen(wdays_long[i]) &&
		    strncasecmp(p, wdays_long[i], n) == 0))
			return (int)i;
	return -1;
}

enum pms_status
pms_weekdays_parse(const char *s, unsigned *mask)
{
	const char *p, *e, *dash;
	int a, b, i;

	*mask = 0;
	if (s == NULL || *s == '\0')
		goto bad;
	if (strcasecmp(s, "all") == 0) {
		*mask = 0x7f;
		return PMS_OK;
	}
	for (p = s; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		dash = memchr(p, '-', (size_t)(e - p));
		if (dash != NULL) {
			a = weekday_find(p, (size_t)(dash - p));
			b = weekday_find(dash + 1, (size_t)(e - dash - 1));
		} else
			a = b = weekday_find(p, (size_t)(e - p));
		if (a < 0 || b < 0)
			goto bad;
		for (i = a; ; i = (i + 1) % 7) {	/* sat-mon wraps */
			*mask |= 1u << i;
			if (i == b)
				break;
		}
		if (*e == ',' && e[1] == '\0')
			goto bad;
	}
	return PMS_OK;
bad:
	return pms_seterr(PMS_EDATA, "not a set of weekdays (mon, mon-fri, "
	    "mon,wed,fri, all)");
}

/* "09:00", or for an end "24:00" (the end of the day: 0 of the next;
 * a session that starts at 24:00 is one of the next day at 00:00) */
static enum pms_status
session_time(const char *p, size_t n, int end, int32_t *secs)
{
	char buf[16];

	if (n == 0 || n >= sizeof(buf))
		return PMS_EDATA;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (strcmp(buf, "24:00") == 0) {
		*secs = 0;
		return end ? PMS_OK : PMS_EDATA;
	}
	if (pms_time_parse(buf, secs) != PMS_OK)
		return PMS_EDATA;
	return PMS_OK;
}

/* A session's length in seconds: one ending at or before its start
 * ends on the next day. */
static int64_t
session_len(int32_t start, int32_t end)
{
	return end > start ? end - start : end + SECS_DAY - start;
}

enum pms_status
pms_sessions_parse(const char *s, int32_t (*out)[2], size_t max, size_t *n)
{
	const char *p, *e, *dash;
	int64_t ai, bi, aj, bj;
	size_t i, j;

	*n = 0;
	if (s != NULL && strcasecmp(s, "off") == 0)
		return PMS_OK;
	if (s == NULL || *s == '\0')
		goto bad;
	for (p = s; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		if ((dash = memchr(p, '-', (size_t)(e - p))) == NULL ||
		    *n >= max)
			goto bad;
		if (dash - p == 5 && strncmp(p, "24:00", 5) == 0)
			return pms_seterr(PMS_EDATA, "a session starts by "
			    "23:59 (24:00 ends a day; 00:00 starts the next)");
		if (session_time(p, (size_t)(dash - p), 0, &out[*n][0]) !=
		    PMS_OK)
			goto bad;
		if (session_time(dash + 1, (size_t)(e - dash - 1), 1,
		    &out[*n][1]) != PMS_OK)
			goto bad;
		/* a session that ends at its start (00:00-00:00, 00:00-24:00,
		 * 22:00-22:00) is a whole day of 24 hours */
		(*n)++;
		if (*e == ',' && e[1] == '\0')
			goto bad;
	}
	/* sessions of one day may not overlap, a night one included */
	for (i = 0; i < *n; i++)
		for (j = i + 1; j < *n; j++) {
			ai = out[i][0];
			bi = ai + session_len(out[i][0], out[i][1]);
			aj = out[j][0];
			bj = aj + session_len(out[j][0], out[j][1]);
			if (ai < bj && aj < bi)
				return pms_seterr(PMS_EDATA, "the sessions "
				    "overlap");
		}
	return PMS_OK;
bad:
	return pms_seterr(PMS_EDATA, "not a list of sessions (09:00-12:00,"
	    "13:00-17:00; 22:00-06:00 for a night; off for none)");
}

static void
hhmm(int32_t secs, char buf[PMS_TIME_BUFSZ])
{
	pms_time_fmt(secs, buf);
}

/* ---- office hours ---- */

/* The week in seconds from Monday 00:00, for overlaps across days. */
#define WEEK	(7 * SECS_DAY)

/*
 * Two weeks the sessions are laid on, as instants, to compare sessions
 * at locations in different zones (09:00 in Chicago is 10:00 in New
 * York): Mondays 2026-01-05 and 2026-07-06, one in winter time and one
 * in summer time wherever the clocks change.
 */
static const int32_t ref_mondays[] = { 20458, 20640 };

/*
 * Refused (PMS_EREFUSED) when two of the provider's sessions overlap in
 * time, wherever they are: a provider is in one place at a time.
 */
static enum pms_status
check_week(struct pms_store *s, int64_t provider, const char *code)
{
	struct wk {
		int64_t a, b;
		int wd;
		int32_t st, en;
		char loc[PMS_CFG_CODE];
		char zone[PMS_ZONE_MAX];
	} *w = NULL, *nw;
	struct sched_frames *fs = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0, i, j, r;
	enum pms_status ps = PMS_OK;
	int64_t d, L;
	char a1[PMS_TIME_BUFSZ], a2[PMS_TIME_BUFSZ], b1[PMS_TIME_BUFSZ],
	    b2[PMS_TIME_BUFSZ];
	int rc, k;

	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(s->db, "SELECT h.weekday, h.start_secs, "
	    "h.end_secs, l.code, l.time_zone FROM office_hours h JOIN "
	    "locations l ON l.id = h.location_id WHERE h.provider_id = ?1",
	    -1, &st, NULL);
	if (rc != SQLITE_OK) {
		free(fs);
		return pms_store_sqlerr(s, rc, "reading office hours");
	}
	sqlite3_bind_int64(st, 1, provider);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nw = realloc(w, cap * sizeof(*w))) == NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto out;
			}
			w = nw;
		}
		w[n].wd = sqlite3_column_int(st, 0);
		w[n].st = sqlite3_column_int(st, 1);
		w[n].en = sqlite3_column_int(st, 2);
		snprintf(w[n].loc, sizeof(w[n].loc), "%s",
		    (const char *)sqlite3_column_text(st, 3));
		snprintf(w[n].zone, sizeof(w[n].zone), "%s",
		    (const char *)sqlite3_column_text(st, 4));
		n++;
	}
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading office hours");
		goto out;
	}
	for (r = 0; r < PMS_NELEM(ref_mondays); r++) {
		for (i = 0; i < n; i++) {
			L = ((int64_t)ref_mondays[r] + w[i].wd) * SECS_DAY +
			    w[i].st;
			if ((ps = sched_instant_lenient(fs, w[i].zone, L, 0,
			    &w[i].a)) != PMS_OK ||
			    (ps = sched_instant_lenient(fs, w[i].zone, L +
			    session_len(w[i].st, w[i].en), 1, &w[i].b)) !=
			    PMS_OK)
				goto out;
		}
		/* a week earlier and later too: Sunday night runs into
		 * Monday */
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				for (k = -1; k <= 1; k++) {
					d = (int64_t)k * WEEK;
					if (w[i].a < w[j].b + d &&
					    w[j].a + d < w[i].b)
						goto overlap;
				}
	}
	goto out;
overlap:
	hhmm(w[i].st, a1);
	hhmm(w[i].en, a2);
	hhmm(w[j].st, b1);
	hhmm(w[j].en, b2);
	ps = pms_seterr(PMS_EREFUSED, "office hours overlap: %s at %s on %s "
	    "%s-%s (%s) and at %s on %s %s-%s (%s)", code, w[i].loc,
	    wdays_long[w[i].wd], a1, a2, w[i].zone, w[j].loc,
	    wdays_long[w[j].wd], b1, b2, w[j].zone);
out:
	sqlite3_finalize(st);
	free(w);
	free(fs);
	return ps;
}

/* The provider (active) and location named, the location defaulting to
 * the provider's only one; each a refusal when unknown. */
static enum pms_status
provider_location(struct pms_store *s, const char *provider,
    const char *location, struct pms_provider *p, struct pms_location *l,
    int need_location)
{
	char code[PMS_CFG_CODE];
	enum pms_status st;
	int64_t only;
	int yes;

	if (sched_code(provider, code) == -1)
		return pms_seterr(PMS_EREFUSED, "unknown provider");
	if ((st = pms_provider_find(s, code, p)) != PMS_OK)
		return st;
	memset(l, 0, sizeof(*l));
	if (location == NULL) {
		if (!need_location)
			return PMS_OK;
		if ((st = sched_only_location(s, p->id, &only)) != PMS_OK)
			return st;
		if (only == 0)
			return pms_seterr(PMS_EUSAGE, "--location is needed: "
			    "%s works at more than one location", p->code);
		return pms_location_get(s, only, l);
	}
	if (sched_code(location, code) == -1)
		return pms_seterr(PMS_EREFUSED, "unknown location");
	if ((st = pms_location_find(s, code, l)) != PMS_OK)
		return st;
	if ((st = sched_provider_at(s, p->id, l->id, &yes)) != PMS_OK)
		return st;
	if (!yes)
		return pms_seterr(PMS_EREFUSED, "%s does not work at %s (see "
		    "the providers' locations in the configuration)", p->code,
		    l->code);
	return PMS_OK;
}

/*
 * The appointments booked from now on (booked or checked in) of the
 * provider (0: anyone) at the location (0: anywhere) that a change of
 * office hours leaves outside them (off 0), or that exception off now
 * covers, into *out.
 */
static enum pms_status
affected(struct pms_store *s, int64_t provider, int64_t location,
    int64_t off, struct pms_sched_affected *out)
{
	struct sched_frames *fs;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	char pcode[PMS_CFG_CODE], lcode[PMS_CFG_CODE], zone[PMS_ZONE_MAX],
	    msg[320];
	int64_t id, a, b, oid;
	int rc, ok;

	memset(out, 0, sizeof(*out));
	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(s->db, "SELECT a.id, a.provider_id, pr.code, "
	    "a.location_id, l.code, a.zone, a.start_utc, a.end_utc FROM "
	    "appointments a JOIN providers pr ON pr.id = a.provider_id JOIN "
	    "locations l ON l.id = a.location_id WHERE a.status IN "
	    "('booked', 'checked-in') AND a.end_utc > ?3 AND (?1 = 0 OR "
	    "a.provider_id = ?1) AND (?2 = 0 OR a.location_id = ?2) ORDER BY "
	    "a.start_utc, a.id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading the schedule");
		goto out;
	}
	sqlite3_bind_int64(st, 1, provider);
	sqlite3_bind_int64(st, 2, location);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(pcode, sizeof(pcode), "%s",
		    (const char *)sqlite3_column_text(st, 2));
		snprintf(lcode, sizeof(lcode), "%s",
		    (const char *)sqlite3_column_text(st, 4));
		snprintf(zone, sizeof(zone), "%s",
		    (const char *)sqlite3_column_text(st, 5));
		a = sqlite3_column_int64(st, 6);
		b = sqlite3_column_int64(st, 7);
		ok = 1;
		if (off == 0)
			ps = sched_check_hours(s, fs, sqlite3_column_int64(st,
			    1), pcode, sqlite3_column_int64(st, 3), lcode,
			    zone, a, b, &ok, msg, sizeof(msg));
		else if ((ps = sched_check_off(s, fs, sqlite3_column_int64(st,
		    1), pcode, sqlite3_column_int64(st, 3), zone, a, b, &oid,
		    msg, sizeof(msg))) == PMS_OK)
			ok = oid != off;
		if (ps != PMS_OK)
			goto out;
		if (ok)
			continue;
		if (out->n < PMS_AFFECTED_MAX)
			out->id[out->n] = id;
		out->n++;
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the schedule");
out:
	sqlite3_finalize(st);
	free(fs);
	return ps;
}

enum pms_status
pms_hours_set(struct pms_store *s, const char *provider,
    const char *location, unsigned days, const int32_t (*sessions)[2],
    size_t n, struct pms_sched_affected *aff)
{
	struct pms_provider p;
	struct pms_location l;
	sqlite3_stmt *del = NULL, *ins = NULL;
	enum pms_status st;
	char at[PMS_STAMP_BUFSZ];
	size_t i;
	int wd, rc;

	if (days == 0 || days > 0x7f)
		return pms_seterr(PMS_EUSAGE, "no weekdays");
	if ((st = sched_begin(s)) != PMS_OK)
		return st;
	if ((st = provider_location(s, provider, location, &p, &l, 1)) !=
	    PMS_OK)
		goto fail;
	sched_utc((int64_t)time(NULL), at);
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM office_hours WHERE "
	    "provider_id = ?1 AND location_id = ?2 AND weekday = ?3", -1,
	    &del, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO office_hours "
		    "(provider_id, location_id, weekday, start_secs, end_secs, "
		    "created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		    "?7)", -1, &ins, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	for (wd = 0; wd < 7; wd++) {
		if ((days & (1u << wd)) == 0)
			continue;
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, p.id);
		sqlite3_bind_int64(del, 2, l.id);
		sqlite3_bind_int(del, 3, wd);
		if ((rc = sqlite3_step(del)) != SQLITE_DONE)
			goto sqlfail;
		for (i = 0; i < n; i++) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, p.id);
			sqlite3_bind_int64(ins, 2, l.id);
			sqlite3_bind_int(ins, 3, wd);
			sqlite3_bind_int(ins, 4, sessions[i][0]);
			sqlite3_bind_int(ins, 5, sessions[i][1]);
			sqlite3_bind_text(ins, 6, at, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 7, pms_store_user(s), -1,
			    SQLITE_STATIC);
			if ((rc = sqlite3_step(ins)) != SQLITE_DONE)
				goto sqlfail;
		}
	}
	if ((st = check_week(s, p.id, p.code)) != PMS_OK)
		goto fail;
	if ((st = affected(s, p.id, l.id, 0, aff)) != PMS_OK)
		goto fail;
	if ((st = pms_audit_append(s, "schedule.hours.set",
	    "provider,location,weekday,start,end", NULL, 0)) != PMS_OK)
		goto fail;
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return pms_store_commit(s);
sqlfail:
	st = pms_store_sqlerr(s, rc, "writing office hours");
fail:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	pms_store_rollback(s);
	return st;
}

enum pms_status
pms_hours_list(struct pms_store *s, const char *provider,
    const char *location, pms_hours_fn *fn, void *arg, size_t *count)
{
	struct pms_hours h;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	char pc[PMS_CFG_CODE], lc[PMS_CFG_CODE];
	int64_t id;
	int rc;

	if (count != NULL)
		*count = 0;
	if (provider != NULL && ((ps = sched_id_of(s, "SELECT id FROM "
	    "providers WHERE code = ?1", provider, &id)) != PMS_OK || id == 0))
		return ps != PMS_OK ? ps : sched_unknown("provider", provider);
	if (location != NULL && ((ps = sched_id_of(s, "SELECT id FROM "
	    "locations WHERE code = ?1", location, &id)) != PMS_OK || id == 0))
		return ps != PMS_OK ? ps : sched_unknown("location", location);
	sched_code(provider != NULL ? provider : "x", pc);
	sched_code(location != NULL ? location : "x", lc);
	rc = sqlite3_prepare_v2(s->db, "SELECT p.code, l.code, h.weekday, "
	    "h.start_secs, h.end_secs FROM office_hours h JOIN providers p ON "
	    "p.id = h.provider_id JOIN locations l ON l.id = h.location_id "
	    "WHERE (?1 IS NULL OR p.code = ?1) AND (?2 IS NULL OR l.code = "
	    "?2) ORDER BY p.code, l.code, h.weekday, h.start_secs", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading office hours");
	if (provider != NULL)
		sqlite3_bind_text(st, 1, pc, -1, SQLITE_STATIC);
	if (location != NULL)
		sqlite3_bind_text(st, 2, lc, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&h, 0, sizeof(h));
		snprintf(h.provider, sizeof(h.provider), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		snprintf(h.location, sizeof(h.location), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		h.weekday = sqlite3_column_int(st, 2);
		h.start_secs = sqlite3_column_int(st, 3);
		h.end_secs = sqlite3_column_int(st, 4);
		if (count != NULL)
			(*count)++;
		if (fn(arg, &h) != 0) {
			ps = pms_seterr(PMS_EIO, "output stopped");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading office hours");
out:
	sqlite3_finalize(st);
	return ps;
}

static int
cmp_session(const void *a, const void *b)
{
	const struct sched_session *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static const char sessions_sql[] =
	"SELECT h.location_id, l.code, l.time_zone, h.weekday, h.start_secs, "
	"h.end_secs FROM office_hours h JOIN locations l ON l.id = "
	"h.location_id WHERE h.provider_id = ?1 AND (?2 = 0 OR h.location_id "
	"= ?2) AND (h.weekday = ?3 OR (h.weekday = ?4 AND h.end_secs <= "
	"h.start_secs))";

/* sched_sessions() with sessions_sql prepared by the caller (reset and
 * bound here), for a caller that reads many days. */
static enum pms_status
sessions_read(struct pms_store *s, struct sched_frames *fs, sqlite3_stmt *st,
    int64_t provider, int64_t location, int32_t day,
    struct sched_session **out, size_t *np)
{
	struct sched_session *v = NULL, *nv, *x;
	enum pms_status ps = PMS_OK;
	size_t n = 0, cap = 0;
	int32_t d;
	int wd = pms_date_weekday(day), wd1 = pms_date_weekday(day - 1);
	int rc;

	*out = NULL;
	*np = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, provider);
	sqlite3_bind_int64(st, 2, location);
	sqlite3_bind_int(st, 3, wd);
	sqlite3_bind_int(st, 4, wd1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		x = &v[n];
		memset(x, 0, sizeof(*x));
		x->location_id = sqlite3_column_int64(st, 0);
		snprintf(x->location, sizeof(x->location), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		snprintf(x->zone, sizeof(x->zone), "%s",
		    (const char *)sqlite3_column_text(st, 2));
		x->weekday = sqlite3_column_int(st, 3);
		x->start_secs = sqlite3_column_int(st, 4);
		x->end_secs = sqlite3_column_int(st, 5);
		d = x->weekday == wd ? day : day - 1;
		/* a bound in a gap is the change; one that comes twice
		 * opens at the first and closes at the second */
		if ((ps = sched_instant_lenient(fs, x->zone, (int64_t)d *
		    SECS_DAY + x->start_secs, 0, &x->start)) != PMS_OK ||
		    (ps = sched_instant_lenient(fs, x->zone, ((int64_t)d +
		    (x->end_secs <= x->start_secs)) * SECS_DAY + x->end_secs,
		    1, &x->end)) != PMS_OK)
			goto out;
		if (x->end <= x->start)
			continue;
		n++;
	}
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading office hours");
		goto out;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_session);
	*out = v;
	*np = n;
	v = NULL;
out:
	sqlite3_reset(st);
	free(v);
	return ps;
}

enum pms_status
sched_sessions(struct pms_store *s, struct sched_frames *fs,
    int64_t provider, int64_t location, int32_t day,
    struct sched_session **out, size_t *np)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc;

	*out = NULL;
	*np = 0;
	rc = sqlite3_prepare_v2(s->db, sessions_sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading office hours");
	ps = sessions_read(s, fs, st, provider, location, day, out, np);
	sqlite3_finalize(st);
	return ps;
}

/* The local date of instant t at zone. */
static enum pms_status
local_day(struct sched_frames *fs, const char *zone, int64_t t, int32_t *d)
{
	struct pms_local l;
	enum pms_status st;

	if ((st = sched_local(fs, zone, t, &l)) != PMS_OK)
		return st;
	*d = l.days;
	return PMS_OK;
}

enum pms_status
sched_check_hours(struct pms_store *s, struct sched_frames *fs,
    int64_t provider, const char *pcode, int64_t location,
    const char *lcode, const char *zone, int64_t start, int64_t end,
    int *ok, char *msg, size_t size)
{
	struct sched_session *v = NULL;
	enum pms_status st;
	char a[PMS_TIME_BUFSZ], b[PMS_TIME_BUFSZ], date[PMS_DATE_BUFSZ];
	size_t n, i, len;
	int32_t day;

	*ok = 0;
	msg[0] = '\0';
	if ((st = local_day(fs, zone, start, &day)) != PMS_OK)
		return st;
	if ((st = sched_sessions(s, fs, provider, location, day, &v, &n)) !=
	    PMS_OK)
		return st;
	for (i = 0; i < n; i++)
		if (v[i].start <= start && end <= v[i].end) {
			*ok = 1;
			goto out;
		}
	pms_date_fmt(day, date);
	len = (size_t)snprintf(msg, size, "outside office hours: %s at %s "
	    "on %s %s: ", pcode, lcode, wdays_long[pms_date_weekday(day)],
	    date);
	if (n == 0 && len < size)
		len += (size_t)snprintf(msg + len, size - len, "none");
	for (i = 0; i < n && len < size; i++) {
		hhmm(v[i].start_secs, a);
		if (v[i].end_secs == 0)
			snprintf(b, sizeof(b), "24:00");
		else
			hhmm(v[i].end_secs, b);
		/* the night session of the day before says so */
		len += (size_t)snprintf(msg + len, size - len, "%s%s-%s%s%s%s",
		    i > 0 ? ", " : "", a, b, v[i].weekday !=
		    pms_date_weekday(day) ? " (from " : "", v[i].weekday !=
		    pms_date_weekday(day) ? wdays_long[v[i].weekday] : "",
		    v[i].weekday != pms_date_weekday(day) ? ")" : "");
	}
out:
	free(v);
	return PMS_OK;
}

/* A stored wall clock ("2026-12-24T12:00:00") as local seconds. */
static int
stored_local(const unsigned char *text, int64_t *L)
{
	struct pms_local l;

	if (text == NULL || pms_local_parse((const char *)text, PMS_DATE_ISO,
	    &l) != PMS_OK)
		return -1;
	*L = (int64_t)l.days * SECS_DAY + l.secs;
	return 0;
}

enum pms_status
sched_check_off(struct pms_store *s, struct sched_frames *fs,
    int64_t provider, const char *pcode, int64_t location, const char *zone,
    int64_t start, int64_t end, int64_t *idp, char *msg, size_t size)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	char lo[PMS_DATE_BUFSZ], hi[PMS_DATE_BUFSZ];
	int32_t d0, d1;
	int64_t a, b, La, Lb;
	int rc;

	*idp = 0;
	msg[0] = '\0';
	if ((ps = local_day(fs, zone, start, &d0)) != PMS_OK ||
	    (ps = local_day(fs, zone, end, &d1)) != PMS_OK)
		return ps;
	pms_date_fmt(d0 - 1, lo);
	pms_date_fmt(d1 + 1, hi);
	rc = sqlite3_prepare_v2(s->db, "SELECT id, local_from, local_to FROM "
	    "schedule_off WHERE (provider_id IS NULL OR provider_id = ?1) AND "
	    "(location_id IS NULL OR location_id = ?2) AND local_from < ?3 "
	    "AND local_to > ?4 ORDER BY local_from", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading exceptions");
	sqlite3_bind_int64(st, 1, provider);
	sqlite3_bind_int64(st, 2, location);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, lo, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (stored_local(sqlite3_column_text(st, 1), &La) == -1 ||
		    stored_local(sqlite3_column_text(st, 2), &Lb) == -1 ||
		    sched_instant_lenient(fs, zone, La, 0, &a) != PMS_OK ||
		    sched_instant_lenient(fs, zone, Lb, 1, &b) != PMS_OK)
			continue;
		if (a < end && start < b) {
			*idp = sqlite3_column_int64(st, 0);
			snprintf(msg, size, "%s is away then (exception %lld: "
			    "%s to %s)", pcode, (long long)*idp,
			    (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2));
			break;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ps = pms_store_sqlerr(s, rc, "reading exceptions");
	sqlite3_finalize(st);
	return ps;
}

/* ---- exceptions ---- */

enum pms_status
pms_off_add(struct pms_store *s, const char *provider, const char *location,
    const struct pms_local *from, const struct pms_local *to,
    const char *reason, int64_t *idp, struct pms_sched_affected *aff)
{
	struct pms_provider p;
	struct pms_location l;
	struct pms_local a = *from, b = *to;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	char fa[PMS_STAMP_BUFSZ], fb[PMS_STAMP_BUFSZ], at[PMS_STAMP_BUFSZ];
	char code[PMS_CFG_CODE];
	int rc;

	a.has_offset = b.has_offset = 0;
	pms_local_fmt(&a, fa);
	pms_local_fmt(&b, fb);
	if (strcmp(fb, fa) <= 0)
		return pms_seterr(PMS_EDATA, "--to: must be after --from");
	if (reason != NULL && strlen(reason) >= PMS_APPT_TEXT)
		return pms_seterr(PMS_EDATA, "--reason: longer than %d bytes",
		    PMS_APPT_TEXT - 1);
	memset(&p, 0, sizeof(p));
	memset(&l, 0, sizeof(l));
	if ((ps = sched_begin(s)) != PMS_OK)
		return ps;
	if (provider != NULL && (sched_code(provider, code) == -1 ?
	    (ps = pms_seterr(PMS_EREFUSED, "unknown provider")) :
	    (ps = pms_provider_find(s, code, &p))) != PMS_OK)
		goto fail;
	if (location != NULL && (sched_code(location, code) == -1 ?
	    (ps = pms_seterr(PMS_EREFUSED, "unknown location")) :
	    (ps = pms_location_find(s, code, &l))) != PMS_OK)
		goto fail;
	sched_utc((int64_t)time(NULL), at);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO schedule_off "
	    "(provider_id, location_id, local_from, local_to, reason, "
	    "created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if (provider != NULL)
		sqlite3_bind_int64(st, 1, p.id);
	if (location != NULL)
		sqlite3_bind_int64(st, 2, l.id);
	sqlite3_bind_text(st, 3, fa, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, fb, -1, SQLITE_STATIC);
	if (reason != NULL && *reason != '\0')
		sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, pms_store_user(s), -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	*idp = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	st = NULL;
	if ((ps = affected(s, p.id, l.id, *idp, aff)) != PMS_OK)
		goto fail;
	if ((ps = pms_audit_append(s, "schedule.off.add",
	    "provider,location,from,to,reason", NULL, 0)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "writing an exception");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

enum pms_status
pms_off_list(struct pms_store *s, const char *provider, int has_from,
    int32_t from, int has_to, int32_t to, pms_off_fn *fn, void *arg,
    size_t *count)
{
	struct pms_off o;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	char lo[PMS_DATE_BUFSZ], hi[PMS_DATE_BUFSZ], pc[PMS_CFG_CODE];
	const unsigned char *t;
	int64_t id;
	int rc;

	if (count != NULL)
		*count = 0;
	if (provider != NULL && ((ps = sched_id_of(s, "SELECT id FROM "
	    "providers WHERE code = ?1", provider, &id)) != PMS_OK || id == 0))
		return ps != PMS_OK ? ps : sched_unknown("provider", provider);
	if (provider != NULL)
		sched_code(provider, pc);
	pms_date_fmt(has_from ? from : 0, lo);
	pms_date_fmt(has_to ? to + 1 : 0, hi);
	rc = sqlite3_prepare_v2(s->db, "SELECT o.id, p.code, l.code, "
	    "o.local_from, o.local_to, o.reason FROM schedule_off o LEFT JOIN "
	    "providers p ON p.id = o.provider_id LEFT JOIN locations l ON "
	    "l.id = o.location_id WHERE (?1 IS NULL OR o.provider_id IS NULL "
	    "OR p.code = ?1) AND (?2 IS NULL OR o.local_to > ?2) AND (?3 IS "
	    "NULL OR o.local_from < ?3) ORDER BY o.local_from, o.id", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading exceptions");
	if (provider != NULL)
		sqlite3_bind_text(st, 1, pc, -1, SQLITE_STATIC);
	if (has_from)
		sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	if (has_to)
		sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		o.id = sqlite3_column_int64(st, 0);
#define COPY(dst, i) do { t = sqlite3_column_text(st, (i)); \
	snprintf((dst), sizeof(dst), "%s", t != NULL ? (const char *)t : ""); \
	} while (0)
		COPY(o.provider, 1);
		COPY(o.location, 2);
		COPY(o.from, 3);
		COPY(o.to, 4);
		COPY(o.reason, 5);
#undef COPY
		if (count != NULL)
			(*count)++;
		if (fn(arg, &o) != 0) {
			ps = pms_seterr(PMS_EIO, "output stopped");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading exceptions");
out:
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_off_remove(struct pms_store *s, int64_t id)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc;

	if ((ps = sched_begin(s)) != PMS_OK)
		return ps;
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM schedule_off WHERE id = "
	    "?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	if (sqlite3_changes(s->db) == 0) {
		ps = pms_seterr(PMS_EREFUSED, "no exception %lld",
		    (long long)id);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((ps = pms_audit_append(s, "schedule.off.remove", "id", NULL,
	    0)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
sqlfail:
	ps = pms_store_sqlerr(s, rc, "removing an exception");
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	return ps;
}

/* ---- free slots ---- */

struct busy {
	int64_t		 a, b;
};

/* The provider's appointments that count, in [lo - longest, hi). */
static enum pms_status
busy_read(struct pms_store *s, int64_t provider, int64_t lo, int64_t hi,
    struct busy **out, size_t *np)
{
	struct busy *v = NULL, *nv;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*np = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT a.start_utc, a.end_utc FROM "
	    "appointments a LEFT JOIN appointment_types t ON t.id = a.type_id "
	    "WHERE a.provider_id = ?1 AND a.start_utc > ?2 - 43200 AND "
	    "a.start_utc < ?3 AND a.end_utc > ?2 AND a.status NOT IN "
	    "('cancelled', 'no-show') AND coalesce(t.may_overlap, 0) = 0 "
	    "ORDER BY a.start_utc", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the schedule");
	sqlite3_bind_int64(st, 1, provider);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		v[n].a = sqlite3_column_int64(st, 0);
		v[n].b = sqlite3_column_int64(st, 1);
		n++;
	}
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading the schedule");
		goto out;
	}
	*out = v;
	*np = n;
	v = NULL;
out:
	sqlite3_finalize(st);
	free(v);
	return ps;
}

static int
overlaps(const struct busy *v, size_t n, int64_t a, int64_t b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].a < b && a < v[i].b)
			return 1;
	return 0;
}

/* What slots and next resolve once. */
struct slot_ctx {
	struct pms_store *s;
	struct sched_frames *fs;
	int64_t		 length, step, now;
	int		 may_overlap;
	int		 allow_past;
	int64_t		 location_id;	/* 0: any */
};

/* The exceptions of the provider at a session, as busy intervals. */
static enum pms_status
off_read(struct slot_ctx *c, int64_t provider, const struct sched_session *x,
    struct busy **v, size_t *n, size_t *cap)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	struct busy *nv;
	char lo[PMS_DATE_BUFSZ], hi[PMS_DATE_BUFSZ];
	int32_t d0, d1;
	int64_t La, Lb, a, b;
	int rc;

	if ((ps = local_day(c->fs, x->zone, x->start, &d0)) != PMS_OK ||
	    (ps = local_day(c->fs, x->zone, x->end, &d1)) != PMS_OK)
		return ps;
	pms_date_fmt(d0 - 1, lo);
	pms_date_fmt(d1 + 1, hi);
	rc = sqlite3_prepare_v2(c->s->db, "SELECT local_from, local_to FROM "
	    "schedule_off WHERE (provider_id IS NULL OR provider_id = ?1) AND "
	    "(location_id IS NULL OR location_id = ?2) AND local_from < ?3 "
	    "AND local_to > ?4", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(c->s, rc, "reading exceptions");
	sqlite3_bind_int64(st, 1, provider);
	sqlite3_bind_int64(st, 2, x->location_id);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, lo, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (stored_local(sqlite3_column_text(st, 0), &La) == -1 ||
		    stored_local(sqlite3_column_text(st, 1), &Lb) == -1 ||
		    sched_instant_lenient(c->fs, x->zone, La, 0, &a) !=
		    PMS_OK ||
		    sched_instant_lenient(c->fs, x->zone, Lb, 1, &b) != PMS_OK)
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 32;
			if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto out;
			}
			*v = nv;
		}
		(*v)[*n].a = a;
		(*v)[*n].b = b;
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		ps = pms_store_sqlerr(c->s, rc, "reading exceptions");
out:
	sqlite3_finalize(st);
	return ps;
}

/*
 * The free slots of one provider starting on local day `day`, to fn
 * (which returns nonzero to stop: *stopped).  first: only the first.
 */
static enum pms_status
day_slots(struct slot_ctx *c, const struct pms_provider *p, int32_t day,
    pms_free_slot_fn *fn, void *arg, size_t *count, int *stopped)
{
	struct sched_session *ss = NULL;
	struct busy *busy = NULL, *offs = NULL;
	struct pms_free_slot slot;
	struct pms_local l;
	enum pms_status st;
	size_t nss = 0, nbusy = 0, noffs = 0, capoffs = 0, i;
	int64_t lo, hi, t;

	*stopped = 0;
	if ((st = sched_sessions(c->s, c->fs, p->id, c->location_id, day, &ss,
	    &nss)) != PMS_OK || nss == 0)
		goto out;
	lo = ss[0].start;
	hi = ss[0].end;
	for (i = 1; i < nss; i++)
		if (ss[i].end > hi)
			hi = ss[i].end;
	if (!c->may_overlap && (st = busy_read(c->s, p->id, lo, hi, &busy,
	    &nbusy)) != PMS_OK)
		goto out;
	for (i = 0; i < nss; i++) {
		noffs = 0;
		if ((st = off_read(c, p->id, &ss[i], &offs, &noffs,
		    &capoffs)) != PMS_OK)
			goto out;
		for (t = ss[i].start; t + c->length <= ss[i].end;
		    t += c->step) {
			if (!c->allow_past && t < c->now)
				continue;
			if ((st = sched_local(c->fs, ss[i].zone, t, &l)) !=
			    PMS_OK)
				goto out;
			if (l.days != day)
				continue;
			if (overlaps(busy, nbusy, t, t + c->length) ||
			    overlaps(offs, noffs, t, t + c->length))
				continue;
			memset(&slot, 0, sizeof(slot));
			snprintf(slot.provider, sizeof(slot.provider), "%s",
			    p->code);
			snprintf(slot.location, sizeof(slot.location), "%s",
			    ss[i].location);
			slot.start_utc = t;
			slot.end_utc = t + c->length;
			pms_local_fmt(&l, slot.start);
			if ((st = sched_stamp(c->fs, ss[i].zone, t + c->length,
			    slot.end)) != PMS_OK)
				goto out;
			if (count != NULL)
				(*count)++;
			if (fn(arg, &slot) != 0) {
				*stopped = 1;
				goto out;
			}
		}
	}
out:
	free(ss);
	free(busy);
	free(offs);
	return st;
}

/* Length, step and the rest, from the query and the configuration. */
static enum pms_status
slot_setup(struct pms_store *s, const struct pms_slot_query *q,
    struct slot_ctx *c)
{
	struct pms_appt_type t;
	struct sched_cfg cfg;
	enum pms_status st;
	char code[PMS_CFG_CODE];

	c->s = s;
	if ((st = sched_cfg_read(s, &cfg)) != PMS_OK)
		return st;
	c->length = q->length_secs;
	c->may_overlap = 0;
	if (q->type != NULL) {
		if (sched_code(q->type, code) == -1)
			return pms_seterr(PMS_EREFUSED, "unknown appointment "
			    "type");
		if ((st = pms_appt_type_find(s, code, &t)) != PMS_OK)
			return st;
		if (c->length == 0)
			c->length = t.length_secs;
		c->may_overlap = t.may_overlap;
	}
	if (c->length == 0)
		return pms_seterr(PMS_EUSAGE, "give --type or --length");
	if (c->length < PMS_APPT_LEN_MIN || c->length > PMS_APPT_LEN_MAX)
		return pms_seterr(PMS_EDATA, "--length: from 5m to 12h");
	c->step = q->step_secs > 0 ? q->step_secs : cfg.slot_step;
	if (c->step < 60 || c->step > PMS_APPT_LEN_MAX)
		return pms_seterr(PMS_EUSAGE, "--step: from 1m to 12h");
	c->now = q->now != 0 ? q->now : (int64_t)time(NULL);
	c->allow_past = q->allow_past;
	return PMS_OK;
}

enum pms_status
pms_slots(struct pms_store *s, const struct pms_slot_query *q,
    pms_free_slot_fn *fn, void *arg, size_t *count)
{
	struct sched_frames *fs;
	struct pms_provider p;
	struct pms_location l;
	struct slot_ctx c;
	enum pms_status st;
	int stopped;

	if (count != NULL)
		*count = 0;
	if (q->provider == NULL)
		return pms_seterr(PMS_EUSAGE, "--provider is needed");
	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	memset(&c, 0, sizeof(c));
	c.fs = fs;
	if ((st = slot_setup(s, q, &c)) != PMS_OK ||
	    (st = provider_location(s, q->provider, q->location, &p, &l,
	    0)) != PMS_OK)
		goto out;
	c.location_id = l.id;
	st = day_slots(&c, &p, q->day, fn, arg, count, &stopped);
	if (st == PMS_OK && stopped)
		st = pms_seterr(PMS_EIO, "output stopped");
out:
	free(fs);
	return st;
}

/* Keep the first slot handed over, and stop. */
static int
take_first(void *arg, const struct pms_free_slot *slot)
{
	*(struct pms_free_slot *)arg = *slot;
	return 1;
}

enum pms_status
pms_slot_next(struct pms_store *s, const struct pms_slot_query *q,
    struct pms_free_slot *out)
{
	struct sched_frames *fs;
	struct pms_provider *ps = NULL, *np;
	struct pms_location l;
	struct pms_free_slot best, cand;
	struct sched_cfg cfg;
	struct slot_ctx c;
	sqlite3_stmt *st = NULL;
	enum pms_status rs;
	size_t n = 0, cap = 0, i;
	int32_t today, d, last_day = INT32_MAX;
	int rc, stopped, within, found = 0;

	memset(out, 0, sizeof(*out));
	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	memset(&c, 0, sizeof(c));
	c.fs = fs;
	memset(&l, 0, sizeof(l));
	if ((rs = slot_setup(s, q, &c)) != PMS_OK ||
	    (rs = sched_cfg_read(s, &cfg)) != PMS_OK)
		goto out;
	c.allow_past = 0;
	if (q->has_after) {
		int64_t t;

		if ((rs = sched_instant(fs, cfg.zone, &q->after, &t)) !=
		    PMS_OK)
			goto out;
		/* never a slot before now, unless asked (back entry) */
		if (t > c.now || q->allow_past)
			c.now = t;
	}
	if (q->provider != NULL) {
		if ((ps = calloc(1, sizeof(*ps))) == NULL) {
			rs = pms_seterr(PMS_ENOMEM, "out of memory");
			goto out;
		}
		if ((rs = provider_location(s, q->provider, q->location, ps,
		    &l, 0)) != PMS_OK)
			goto out;
		n = 1;
	} else {
		if (q->location != NULL) {
			char code[PMS_CFG_CODE];

			if (sched_code(q->location, code) == -1) {
				rs = pms_seterr(PMS_EREFUSED,
				    "unknown location");
				goto out;
			}
			if ((rs = pms_location_find(s, code, &l)) != PMS_OK)
				goto out;
		}
		rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT p.id FROM "
		    "providers p JOIN office_hours h ON h.provider_id = p.id "
		    "WHERE p.active = 1 AND (?1 = 0 OR h.location_id = ?1) "
		    "ORDER BY p.code", -1, &st, NULL);
		if (rc != SQLITE_OK) {
			rs = pms_store_sqlerr(s, rc, "reading providers");
			goto out;
		}
		sqlite3_bind_int64(st, 1, l.id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				if ((np = realloc(ps, cap * sizeof(*ps))) ==
				    NULL) {
					rs = pms_seterr(PMS_ENOMEM,
					    "out of memory");
					goto out;
				}
				ps = np;
			}
			if ((rs = pms_provider_get(s, sqlite3_column_int64(st,
			    0), &ps[n])) != PMS_OK)
				goto out;
			n++;
		}
		if (rc != SQLITE_DONE) {
			rs = pms_store_sqlerr(s, rc, "reading providers");
			goto out;
		}
	}
	c.location_id = l.id;
	within = q->within_days > 0 ? q->within_days : 90;
	{
		struct pms_local now;

		if ((rs = sched_local(fs, cfg.zone, c.now, &now)) != PMS_OK)
			goto out;
		today = now.days;
	}
	/* a day early and late: the locations' days are not the practice's */
	for (d = today - 1; d <= today + within && d <= last_day; d++) {
		for (i = 0; i < n; i++) {
			memset(&cand, 0, sizeof(cand));
			if ((rs = day_slots(&c, &ps[i], d, take_first, &cand,
			    NULL, &stopped)) != PMS_OK)
				goto out;
			if (!stopped)
				continue;
			if (!found || cand.start_utc < best.start_utc) {
				best = cand;
				found = 1;
			}
		}
		if (found && last_day == INT32_MAX)
			last_day = d + 1;
	}
	if (!found) {
		rs = pms_seterr(PMS_EREFUSED, "no free slot within %d days",
		    within);
		goto out;
	}
	*out = best;
	rs = PMS_OK;
out:
	sqlite3_finalize(st);
	free(ps);
	free(fs);
	return rs;
}

/* ---- available office hours (for reports) ---- */

/* An exception as it is stored: wall clocks, and its location (0:
 * every one). */
struct off_wall {
	int64_t		 location_id;
	int64_t		 La, Lb;
};

static int
cmp_busy(const void *a, const void *b)
{
	const struct busy *x = a, *y = b;

	return x->a < y->a ? -1 : x->a > y->a;
}

/* The seconds of [a, b) that the intervals v (sorted by start) leave
 * free. */
static int64_t
free_secs(int64_t a, int64_t b, const struct busy *v, size_t n)
{
	int64_t t = a, left = 0, lo, hi;
	size_t i;

	for (i = 0; i < n && t < b; i++) {
		lo = v[i].a > a ? v[i].a : a;
		hi = v[i].b < b ? v[i].b : b;
		if (hi <= lo || hi <= t)
			continue;
		if (lo > t)
			left += lo - t;
		t = hi;
	}
	if (t < b)
		left += b - t;
	return left;
}

enum pms_status
pms_hours_available(struct pms_store *s, int64_t provider, int64_t location,
    int32_t from, int32_t to, int64_t *secs)
{
	struct sched_frames fs;
	struct sched_session *v = NULL;
	struct off_wall *off = NULL, *no;
	struct busy *bv = NULL;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	char lo[PMS_DATE_BUFSZ], hi[PMS_DATE_BUFSZ];
	size_t n = 0, noff = 0, coff = 0, nbv, i, k;
	int32_t d;
	int64_t a, b, total = 0;
	int rc;

	*secs = 0;
	memset(&fs, 0, sizeof(fs));
	/* the provider's exceptions near the period, read once */
	pms_date_fmt(from - 2, lo);
	pms_date_fmt(to + 3, hi);
	rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(location_id, 0), "
	    "local_from, local_to FROM schedule_off WHERE (provider_id IS NULL "
	    "OR provider_id = ?1) AND (?2 = 0 OR location_id IS NULL OR "
	    "location_id = ?2) AND local_from < ?3 AND local_to > ?4", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading exceptions");
	sqlite3_bind_int64(st, 1, provider);
	sqlite3_bind_int64(st, 2, location);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, lo, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (noff == coff) {
			coff = coff ? coff * 2 : 16;
			if ((no = reallocarray(off, coff, sizeof(*off))) ==
			    NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto out;
			}
			off = no;
		}
		off[noff].location_id = sqlite3_column_int64(st, 0);
		if (stored_local(sqlite3_column_text(st, 1), &off[noff].La) ==
		    -1 || stored_local(sqlite3_column_text(st, 2),
		    &off[noff].Lb) == -1)
			continue;
		noff++;
	}
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading exceptions");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (noff > 0 && (bv = calloc(noff, sizeof(*bv))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	/* one statement for every day */
	rc = sqlite3_prepare_v2(s->db, sessions_sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading office hours");
		goto out;
	}
	for (d = from; d <= to; d++) {
		if ((ps = sessions_read(s, &fs, st, provider, location, d, &v,
		    &n)) != PMS_OK)
			goto out;
		for (i = 0; i < n; i++) {
			/* a session is its starting day's (the night one of
			 * the day before is that day's) */
			if (v[i].weekday != pms_date_weekday(d))
				continue;
			/* its exceptions as instants at its zone */
			for (nbv = 0, k = 0; k < noff; k++) {
				if (off[k].location_id != 0 &&
				    off[k].location_id != v[i].location_id)
					continue;
				if (sched_instant_lenient(&fs, v[i].zone,
				    off[k].La, 0, &a) != PMS_OK ||
				    sched_instant_lenient(&fs, v[i].zone,
				    off[k].Lb, 1, &b) != PMS_OK || b <= a)
					continue;
				if (b <= v[i].start || a >= v[i].end)
					continue;
				bv[nbv].a = a;
				bv[nbv].b = b;
				nbv++;
			}
			if (nbv > 1)
				qsort(bv, nbv, sizeof(*bv), cmp_busy);
			total += free_secs(v[i].start, v[i].end, bv, nbv);
		}
		free(v);
		v = NULL;
	}
	*secs = total;
out:
	sqlite3_finalize(st);
	free(v);
	free(off);
	free(bv);
	return ps;
}
