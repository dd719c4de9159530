/*
 * remind.c: which reminders are due, sending them, and what came of
 * them.  For each booked appointment and each rule of the configuration
 * that applies to its type, the rule's time (so long before, or at a
 * time of the working day before or of the same day, at the
 * appointment's location), deferred out of the channel's quiet hours;
 * the patient's consent, contact and opt-outs; and the claim, a row of
 * the reminders table, that says whether it went already.
 *
 * The claim is the heart of it (B06): a reminder is keyed by
 * appointment, rule, channel and the appointment's start instant, and
 * is claimed, in an IMMEDIATE transaction that first looks again at the
 * store, before its sender runs.  Two runs at once: the second sees the
 * first's claim (or, at worst, the unique key refuses it).  A moved
 * appointment has another start, so another reminder; a cancelled one is
 * no longer booked.  No transaction is open while a sender runs; what
 * came of it is written after, and a claim whose end was never written
 * is unknown, never sent again by itself.
 *
 * Wall clocks are those of the appointment's own zone, through the tz
 * database (lib/ptime.c), whatever TZ the process has; a small cache of
 * each zone's offset around a day saves most conversions.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "remind_int.h"
#include "schedule.h"

#define SECS_DAY	86400
#define MAX_RULES	50
#define CLAIM_SLACK	60	/* seconds past a sender's timeout and grace */
#define WORKDAY_BACK	14	/* days looked back for a working day */
#define BEGIN_TRIES	3

/* Channels: an index into the quiet hours. */
enum { CH_SMS, CH_EMAIL, CH_N };
static const char *const channels[CH_N] = { "sms", "email" };

/* When a rule reminds. */
enum rule_kind { RULE_BEFORE, RULE_DAY_BEFORE, RULE_SAME_DAY };

struct rm_rule {
	char		 name[PMS_CFG_CODE];
	int		 channel;		/* CH_* */
	char		 tpl[PMS_CFG_CODE];
	enum rule_kind	 kind;
	int64_t		 before;		/* seconds */
	int32_t		 at;			/* seconds after midnight */
	int		 all_types;
	size_t		 ntypes;
	char		(*types)[PMS_CFG_CODE];
	char		 bad[160];	/* why it cannot send; "" if it can */
};

/* A closure of a whole location (or all), from schedule's exceptions. */
struct rm_closed {
	int64_t		 location_id;		/* 0: every location */
	char		 from[PMS_STAMP_BUFSZ];	/* local, no offset */
	char		 to[PMS_STAMP_BUFSZ];
};

/* A zone's offset around a UTC or local day (see frame()). */
struct rm_frame {
	char		 zone[PMS_ZONE_MAX];
	int32_t		 day;
	int		 used;
	int		 simple;		/* one offset over three days */
	int32_t		 off;
};
#define FRAMES	16

/* A location or provider as messages name it, cached by id. */
struct rm_place {
	int64_t		 id;
	char		 name[PMS_CFG_NAME];
	char		 address[200];
	char		 phone[PMS_CFG_PHONE];
};
struct rm_person {
	int64_t		 id;
	char		 name[PMS_CFG_NAME + PMS_CFG_FIRST + PMS_CFG_SHORT + 4];
};

/* Everything a run needs, read once. */
struct rm {
	struct pms_store *s;
	struct pms_config *cfg;
	struct rm_rule	 rules[MAX_RULES];
	size_t		 nrules;
	struct {
		int	 on;
		int32_t	 from, to;
	} quiet[CH_N];
	int		 max_attempts;
	int64_t		 backoff;
	int64_t		 reach;		/* the farthest a rule looks ahead */
	char		*sender_path;	/* "dir:dir", or NULL */
	struct rm_tpls	 tpls;
	struct pms_practice practice;
	struct rm_closed *closed;
	size_t		 nclosed;
	struct rm_frame	 frames[FRAMES];
	size_t		 next_frame;
	struct rm_place	 place;
	struct rm_person person;
	struct {
		char	 zone[PMS_ZONE_MAX];
		int32_t	 off;
		char	 abbr[16];
	} abbr;
	sqlite3_stmt	*q_claim;
	sqlite3_stmt	*q_optout;
	/* statements a run uses for every reminder, prepared once */
	sqlite3_stmt	*q_appt, *q_insert, *q_update, *q_outcome;
};

/* ---- the configuration ---- */

static void
rm_release(struct rm *r)
{
	size_t i;

	for (i = 0; i < r->nrules; i++)
		free(r->rules[i].types);
	sqlite3_finalize(r->q_claim);
	sqlite3_finalize(r->q_optout);
	sqlite3_finalize(r->q_appt);
	sqlite3_finalize(r->q_insert);
	sqlite3_finalize(r->q_update);
	sqlite3_finalize(r->q_outcome);
	rm_tpls_release(&r->tpls);
	pms_config_free(r->cfg);
	free(r->sender_path);
	free(r->closed);
	memset(r, 0, sizeof(*r));
}

static int
channel_index(const char *c)
{
	int i;

	for (i = 0; c != NULL && i < CH_N; i++)
		if (strcmp(c, channels[i]) == 0)
			return i;
	return -1;
}

static enum pms_status
rule_read(json_t *j, struct rm_rule *u)
{
	const char *name, *chan, *tpl, *at;
	json_t *types, *t;
	int32_t secs;
	size_t k;

	memset(u, 0, sizeof(*u));
	name = json_string_value(json_object_get(j, "name"));
	chan = json_string_value(json_object_get(j, "channel"));
	tpl = json_string_value(json_object_get(j, "template"));
	if (name == NULL || tpl == NULL || (u->channel = channel_index(chan))
	    < 0)
		return pms_seterr(PMS_ECONFIG, "reminders.rules: a rule "
		    "without its name, channel or template");
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->tpl, sizeof(u->tpl), "%s", tpl);
	if (json_is_integer(json_object_get(j, "before_secs"))) {
		u->kind = RULE_BEFORE;
		u->before = json_integer_value(json_object_get(j,
		    "before_secs"));
	} else if ((at = json_string_value(json_object_get(j,
	    "day_before_at"))) != NULL && pms_time_parse(at, &secs) ==
	    PMS_OK) {
		u->kind = RULE_DAY_BEFORE;
		u->at = secs;
	} else if ((at = json_string_value(json_object_get(j,
	    "same_day_at"))) != NULL && pms_time_parse(at, &secs) ==
	    PMS_OK) {
		u->kind = RULE_SAME_DAY;
		u->at = secs;
	} else
		return pms_seterr(PMS_ECONFIG, "reminders.rules: rule %s says "
		    "not when", name);
	types = json_object_get(j, "types");
	if (types == NULL || json_is_string(types)) {
		u->all_types = 1;
		return PMS_OK;
	}
	if ((u->types = calloc(json_array_size(types) + 1,
	    sizeof(*u->types))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	json_array_foreach(types, k, t)
		if (json_is_string(t))
			snprintf(u->types[u->ntypes++], PMS_CFG_CODE, "%s",
			    json_string_value(t));
	return PMS_OK;
}

/* The farthest ahead of a reminder's time that a rule's appointment
 * can start: its lead, a day of quiet hours, and the working days. */
static int64_t
rule_reach(const struct rm_rule *u)
{
	switch (u->kind) {
	case RULE_BEFORE:
		return u->before + SECS_DAY;
	case RULE_DAY_BEFORE:
		return (int64_t)(WORKDAY_BACK + 2) * SECS_DAY;
	case RULE_SAME_DAY:
		break;
	}
	return 2 * SECS_DAY;
}

static enum pms_status
closed_read(struct rm *r)
{
	sqlite3_stmt *st = NULL;
	struct rm_closed *nv;
	const unsigned char *f, *t;
	size_t cap = 0;
	int rc;

	if ((rc = sqlite3_prepare_v2(r->s->db, "SELECT coalesce(location_id, "
	    "0), local_from, local_to FROM schedule_off WHERE provider_id IS "
	    "NULL", -1, &st, NULL)) != SQLITE_OK)
		return pms_store_sqlerr(r->s, rc, "reading the schedule");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->nclosed == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(r->closed, cap * sizeof(*nv))) ==
			    NULL) {
				sqlite3_finalize(st);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			r->closed = nv;
		}
		f = sqlite3_column_text(st, 1);
		t = sqlite3_column_text(st, 2);
		r->closed[r->nclosed].location_id = sqlite3_column_int64(st,
		    0);
		snprintf(r->closed[r->nclosed].from, PMS_STAMP_BUFSZ, "%s",
		    f != NULL ? (const char *)f : "");
		snprintf(r->closed[r->nclosed].to, PMS_STAMP_BUFSZ, "%s",
		    t != NULL ? (const char *)t : "");
		r->nclosed++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(r->s, rc, "reading the schedule");
	return PMS_OK;
}

/* Read the reminders' configuration, templates and the practice. */
static enum pms_status
rm_load(struct rm *r, struct pms_store *s)
{
	enum pms_status st;
	json_t *rem = NULL, *tpls = NULL, *j, *q;
	char *text;
	const char *d;
	size_t i, k;
	int32_t secs;
	int c, rc;

	memset(r, 0, sizeof(*r));
	r->s = s;
	if ((st = pms_config_read(s, &r->cfg)) != PMS_OK)
		return st;
	if ((st = pms_practice_get(s, &r->practice)) != PMS_OK)
		goto fail;
	if ((text = pms_config_json(r->cfg, "reminders")) == NULL ||
	    (rem = json_loads(text, 0, NULL)) == NULL) {
		free(text);
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	free(text);
	if ((text = pms_config_json(r->cfg, "templates")) != NULL) {
		tpls = json_loads(text, 0, NULL);
		free(text);
	}
	for (c = 0; c < CH_N; c++) {
		q = json_object_get(json_object_get(rem, "quiet_hours"),
		    channels[c]);
		if (q == NULL)
			continue;
		if (pms_time_parse(json_string_value(json_object_get(q,
		    "from")), &r->quiet[c].from) != PMS_OK ||
		    pms_time_parse(json_string_value(json_object_get(q,
		    "to")), &secs) != PMS_OK)
			continue;
		r->quiet[c].to = secs;
		r->quiet[c].on = r->quiet[c].from != r->quiet[c].to;
	}
	j = json_object_get(rem, "retry");
	r->max_attempts = (int)json_integer_value(json_object_get(j,
	    "max_attempts"));
	r->backoff = json_integer_value(json_object_get(j, "backoff_secs"));
	if (r->max_attempts < 1)
		r->max_attempts = 3;
	if (r->backoff < 60)
		r->backoff = 900;
	json_array_foreach(json_object_get(rem, "rules"), k, j) {
		if (r->nrules == MAX_RULES)
			break;
		if ((st = rule_read(j, &r->rules[r->nrules])) != PMS_OK)
			goto fail;
		if (rule_reach(&r->rules[r->nrules]) > r->reach)
			r->reach = rule_reach(&r->rules[r->nrules]);
		r->nrules++;
	}
	json_array_foreach(json_object_get(rem, "sender_path"), k, j) {
		if ((d = json_string_value(j)) == NULL)
			continue;
		text = r->sender_path;
		if (asprintf(&r->sender_path, "%s%s%s", text != NULL ? text :
		    "", text != NULL ? ":" : "", d) == -1) {
			r->sender_path = text;
			st = pms_seterr(PMS_ENOMEM, "out of memory");
			goto fail;
		}
		free(text);
	}
	if ((st = rm_tpls_load(&r->tpls, tpls)) != PMS_OK)
		goto fail;
	/*
	 * A rule without its template, or a template that does not render,
	 * stops its own reminders (each warned of, and the run's status
	 * 78), never the others'.  config load refuses both; a store whose
	 * configuration was loaded before it did may still hold them.
	 */
	for (i = 0; i < r->nrules; i++)
		if (rm_tpl_find(&r->tpls, r->rules[i].tpl,
		    channels[r->rules[i].channel], "en") == NULL)
			snprintf(r->rules[i].bad, sizeof(r->rules[i].bad),
			    "reminders.rules: rule %s: no %s template \"%s\", "
			    "shipped or in the configuration",
			    r->rules[i].name, channels[r->rules[i].channel],
			    r->rules[i].tpl);
	for (i = 0; i < r->tpls.n; i++)
		if (rm_tpl_check(&r->tpls.v[i]) != PMS_OK &&
		    (r->tpls.v[i].bad = strdup(pms_errmsg())) == NULL) {
			st = pms_seterr(PMS_ENOMEM, "out of memory");
			goto fail;
		}
	if ((st = closed_read(r)) != PMS_OK)
		goto fail;
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT id, status, attempts, "
	    "next_utc, coalesce(reason, '') FROM reminders WHERE "
	    "appointment_id = ?1 AND rule = ?2 AND channel = ?3 AND "
	    "start_utc = ?4", -1, &r->q_claim, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM "
	    "reminder_optouts WHERE patient_id = ?1 AND channel = ?3 AND "
	    "ended_at IS NULL) OR EXISTS (SELECT 1 FROM reminder_optouts "
	    "WHERE address = ?2 AND channel = ?3 AND ended_at IS NULL)", -1,
	    &r->q_optout, NULL)) != SQLITE_OK) {
		st = pms_store_sqlerr(s, rc, "reading the reminders");
		goto fail;
	}
	json_decref(rem);
	json_decref(tpls);
	return PMS_OK;
fail:
	json_decref(rem);
	json_decref(tpls);
	rm_release(r);
	return st;
}

/* ---- wall clocks ---- */

static int32_t
floor_day(int64_t t)
{
	return (int32_t)(t >= 0 ? t / SECS_DAY : -((-t + SECS_DAY - 1) /
	    SECS_DAY));
}

/*
 * The zone's offsets over the three days around day (UTC or local: the
 * window is wide enough for both): simple when one offset holds for all
 * of them, and conversions are then sums.  Borrowed.
 */
static enum pms_status
frame(struct rm *r, const char *zone, int32_t day, const struct rm_frame **fp)
{
	struct pms_local a, b, c;
	struct rm_frame *f;
	enum pms_status st;
	size_t i;

	for (i = 0; i < FRAMES; i++)
		if (r->frames[i].used && r->frames[i].day == day &&
		    strcmp(r->frames[i].zone, zone) == 0) {
			*fp = &r->frames[i];
			return PMS_OK;
		}
	if ((st = pms_instant_to_local(zone, ((int64_t)day - 1) * SECS_DAY,
	    &a)) != PMS_OK || (st = pms_instant_to_local(zone, (int64_t)day *
	    SECS_DAY + SECS_DAY / 2, &b)) != PMS_OK ||
	    (st = pms_instant_to_local(zone, ((int64_t)day + 2) * SECS_DAY,
	    &c)) != PMS_OK)
		return st;
	f = &r->frames[r->next_frame];
	r->next_frame = (r->next_frame + 1) % FRAMES;
	snprintf(f->zone, sizeof(f->zone), "%s", zone);
	f->day = day;
	f->used = 1;
	f->simple = a.offset == b.offset && b.offset == c.offset;
	f->off = a.offset;
	*fp = f;
	return PMS_OK;
}

/* Instant t as a wall clock at zone: local day and seconds. */
static enum pms_status
to_local(struct rm *r, const char *zone, int64_t t, int32_t *days,
    int32_t *secs)
{
	const struct rm_frame *f;
	struct pms_local l;
	enum pms_status st;
	int64_t L;

	if ((st = frame(r, zone, floor_day(t), &f)) != PMS_OK)
		return st;
	if (f->simple) {
		L = t + f->off;
		*days = floor_day(L);
		*secs = (int32_t)(L - (int64_t)*days * SECS_DAY);
		return PMS_OK;
	}
	if ((st = pms_instant_to_local(zone, t, &l)) != PMS_OK)
		return st;
	*days = l.days;
	*secs = l.secs;
	return PMS_OK;
}

/* Is reading L (local seconds) the wall clock of instant t at zone? */
static int
reads(const char *zone, int64_t t, int64_t L)
{
	struct pms_local l;

	return pms_instant_to_local(zone, t, &l) == PMS_OK &&
	    (int64_t)l.days * SECS_DAY + l.secs == L;
}

/*
 * The instant of a wall clock at zone, leniently, for the times of
 * rules and quiet hours: in a spring-forward gap the reading as if the
 * clocks had not moved yet (02:30 that does not exist is 03:30); a
 * reading that comes twice, the earlier.
 */
static enum pms_status
to_instant(struct rm *r, const char *zone, int32_t days, int32_t secs,
    int64_t *t)
{
	const struct rm_frame *f;
	struct pms_local a, b;
	enum pms_status st;
	int64_t L = (int64_t)days * SECS_DAY + secs, t1, t2;
	int ok1, ok2;

	if ((st = frame(r, zone, days, &f)) != PMS_OK)
		return st;
	if (f->simple) {
		*t = L - f->off;
		return PMS_OK;
	}
	if ((st = pms_instant_to_local(zone, L - SECS_DAY, &a)) != PMS_OK ||
	    (st = pms_instant_to_local(zone, L + SECS_DAY, &b)) != PMS_OK)
		return st;
	t1 = L - a.offset;
	t2 = L - b.offset;
	ok1 = reads(zone, t1, L);
	ok2 = reads(zone, t2, L);
	if (ok1 && ok2)
		*t = t1 < t2 ? t1 : t2;
	else if (ok2)
		*t = t2;
	else
		*t = t1;	/* a gap: the offset before it */
	return PMS_OK;
}

/* Is the whole of local day d closed at location loc? */
static int
closed_day(const struct rm *r, int64_t loc, int32_t d)
{
	char from[PMS_STAMP_BUFSZ], to[PMS_STAMP_BUFSZ], day[PMS_DATE_BUFSZ];
	size_t i;

	pms_date_fmt(d, day);
	snprintf(from, sizeof(from), "%sT00:00:00", day);
	pms_date_fmt(d + 1, day);
	snprintf(to, sizeof(to), "%sT00:00:00", day);
	for (i = 0; i < r->nclosed; i++)
		if ((r->closed[i].location_id == 0 ||
		    r->closed[i].location_id == loc) &&
		    strcmp(r->closed[i].from, from) <= 0 &&
		    strcmp(r->closed[i].to, to) >= 0)
			return 1;
	return 0;
}

/* The working day before local day d at location loc: Monday to Friday,
 * and not closed; d - 1 if none is found within WORKDAY_BACK days. */
static int32_t
working_day_before(const struct rm *r, int64_t loc, int32_t d)
{
	int32_t x;

	for (x = d - 1; x >= d - WORKDAY_BACK; x--)
		if (pms_date_weekday(x) < 5 && !closed_day(r, loc, x))
			return x;
	return d - 1;
}

/*
 * Defer t out of the channel's quiet hours at zone: to their end, the
 * same day or the next.  Unchanged when t is outside them.
 */
static enum pms_status
unquiet(struct rm *r, int ch, const char *zone, int64_t t, int64_t *out)
{
	int32_t days, secs, from = r->quiet[ch].from, to = r->quiet[ch].to;
	enum pms_status st;
	int in;

	*out = t;
	if (!r->quiet[ch].on)
		return PMS_OK;
	if ((st = to_local(r, zone, t, &days, &secs)) != PMS_OK)
		return st;
	in = from < to ? secs >= from && secs < to : secs >= from || secs < to;
	if (!in)
		return PMS_OK;
	if (from > to && secs >= from)
		days++;
	if ((st = to_instant(r, zone, days, to, out)) != PMS_OK)
		return st;
	if (*out <= t)		/* a change of the clocks at the end */
		*out = t + 1;
	return PMS_OK;
}

/* ---- appointments ---- */

/* An appointment and what of its patient a reminder needs. */
struct rm_appt {
	int64_t		 id;
	int64_t		 patient_id;
	int64_t		 location_id;
	int64_t		 provider_id;
	int64_t		 start_utc;
	char		 status[PMS_REMIND_WORD];
	char		 zone[PMS_ZONE_MAX];
	char		 local_start[PMS_STAMP_BUFSZ];
	char		 type[PMS_CFG_CODE];
	char		 type_name[PMS_CFG_NAME];
	char		 location[PMS_CFG_CODE];
	char		 mrn[PMS_PT_MRN];
	char		 first_name[PMS_PT_FIRST];
	char		 preferred_name[PMS_PT_FIRST];
	char		 language[PMS_PT_WORD];
	char		 pstatus[PMS_REMIND_WORD];
	char		 mobile[PMS_PT_PHONE];
	char		 phone[PMS_PT_PHONE];
	char		 email[PMS_PT_EMAIL];
	int		 consent[CH_N];
	char		 contact[PMS_REMIND_WORD];	/* preferred_contact */
	int64_t		 booked_utc;	/* when it was booked */
};

#define APPT_SELECT \
	"SELECT a.id, a.patient_id, a.location_id, a.provider_id, " \
	"a.start_utc, a.status, a.zone, a.local_start, coalesce(t.code, ''), " \
	"coalesce(t.name, ''), l.code, coalesce(p.mrn, ''), p.first_name, " \
	"coalesce(p.preferred_name, ''), coalesce(p.language, ''), p.status, " \
	"coalesce(p.mobile_phone, ''), coalesce(p.phone, ''), " \
	"coalesce(p.email, ''), p.sms_consent, p.email_consent, " \
	"coalesce(p.preferred_contact, ''), " \
	"coalesce(CAST(strftime('%s', a.created_at) AS INTEGER), 0) " \
	"FROM appointments a JOIN patients p ON p.id = a.patient_id " \
	"JOIN locations l ON l.id = a.location_id " \
	"LEFT JOIN appointment_types t ON t.id = a.type_id "

static void
col(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, size, "%s", t != NULL ? (const char *)t : "");
}

static void
appt_row(sqlite3_stmt *st, struct rm_appt *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->patient_id = sqlite3_column_int64(st, 1);
	a->location_id = sqlite3_column_int64(st, 2);
	a->provider_id = sqlite3_column_int64(st, 3);
	a->start_utc = sqlite3_column_int64(st, 4);
	col(st, 5, a->status, sizeof(a->status));
	col(st, 6, a->zone, sizeof(a->zone));
	col(st, 7, a->local_start, sizeof(a->local_start));
	col(st, 8, a->type, sizeof(a->type));
	col(st, 9, a->type_name, sizeof(a->type_name));
	col(st, 10, a->location, sizeof(a->location));
	col(st, 11, a->mrn, sizeof(a->mrn));
	col(st, 12, a->first_name, sizeof(a->first_name));
	col(st, 13, a->preferred_name, sizeof(a->preferred_name));
	col(st, 14, a->language, sizeof(a->language));
	col(st, 15, a->pstatus, sizeof(a->pstatus));
	col(st, 16, a->mobile, sizeof(a->mobile));
	col(st, 17, a->phone, sizeof(a->phone));
	col(st, 18, a->email, sizeof(a->email));
	a->consent[CH_SMS] = sqlite3_column_int(st, 19);
	a->consent[CH_EMAIL] = sqlite3_column_int(st, 20);
	col(st, 21, a->contact, sizeof(a->contact));
	a->booked_utc = sqlite3_column_int64(st, 22);
}

/*
 * The statement sql in *slot, prepared the first time and reset with
 * its bindings cleared after that; the caller resets it after its use.
 */
static int
cached(struct rm *r, sqlite3_stmt **slot, const char *sql)
{
	if (*slot != NULL) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
		return SQLITE_OK;
	}
	return sqlite3_prepare_v2(r->s->db, sql, -1, slot, NULL);
}

/* One appointment by id; PMS_EREFUSED if there is none. */
static enum pms_status
appt_get(struct rm *r, int64_t id, struct rm_appt *a)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	int rc;

	if ((rc = cached(r, &r->q_appt, APPT_SELECT "WHERE a.id = ?1")) !=
	    SQLITE_OK)
		return pms_store_sqlerr(r->s, rc, "reading the schedule");
	st = r->q_appt;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		appt_row(st, a);
		ps = PMS_OK;
	} else if (rc == SQLITE_DONE)
		ps = pms_seterr(PMS_EREFUSED, "no appointment %lld",
		    (long long)id);
	else
		ps = pms_store_sqlerr(r->s, rc, "reading the schedule");
	sqlite3_reset(st);
	return ps;
}

static int
rule_applies(const struct rm_rule *u, const struct rm_appt *a)
{
	size_t i;

	if (u->all_types)
		return 1;
	for (i = 0; i < u->ntypes; i++)
		if (strcmp(u->types[i], a->type) == 0)
			return 1;
	return 0;
}

/* ---- what a reminder is now ---- */

/* What became of one rule for one appointment, looked at now. */
enum cand_state {
	C_NONE,		/* not yet, not at all, or handled */
	C_DUE,		/* to send */
	C_SKIP		/* its time came; it cannot go (reason) */
};

struct rm_cand {
	const struct rm_rule *rule;
	size_t		 idx;
	int64_t		 raw;		/* the rule's time */
	int64_t		 eff;		/* out of quiet hours */
	int64_t		 due;		/* when it fell due: eff, or when
					 * the appointment was booked, if
					 * later (and not after now) */
	int		 dropped;	/* no allowed time before the start */
	int		 quiet_now;	/* now is in the quiet hours */
	enum cand_state	 state;
	const char	*reason;	/* C_SKIP, or why C_NONE */
	int		 attempt;	/* C_DUE: this one's number */
	int64_t		 claim;		/* the row, 0 if none */
	char		 cstatus[PMS_REMIND_WORD];	/* the row's status */
	char		 creason[64];
	char		 id[PMS_REMIND_ID_BUFSZ];
	char		 recipient[PMS_PT_EMAIL];
};

/* Reasons a reminder that came due is skipped, and the ones that may
 * change (a skip with such a reason is looked at again next time). */
#define R_OPTED_OUT	"opted out"
#define R_NO_CONSENT	"no consent"
#define R_NO_CONTACT	"no contact"
#define R_NOT_ACTIVE	"patient not active"
#define R_NOT_WANTED	"no contact wanted"
#define R_QUIET		"quiet hours until after the appointment"

static int
reason_may_change(const char *reason)
{
	return strcmp(reason, R_QUIET) != 0;
}

/* The stable id of a reminder: a keyed hash of its four parts. */
static void
reminder_id(const struct rm *r, int64_t appt, const char *rule, int ch,
    int64_t start, char out[PMS_REMIND_ID_BUFSZ])
{
	unsigned char h[8];
	char msg[160];
	int n;

	n = snprintf(msg, sizeof(msg), "pms-reminder-v1|%lld|%s|%s|%lld",
	    (long long)appt, rule, channels[ch], (long long)start);
	crypto_generichash(h, sizeof(h), (const unsigned char *)msg,
	    (size_t)n, (const unsigned char *)r->practice.uuid,
	    strlen(r->practice.uuid));
	sodium_bin2hex(out, PMS_REMIND_ID_BUFSZ, h, sizeof(h));
}

/* The rule's time for the appointment; 0 with *t when it applies. */
static enum pms_status
rule_time(struct rm *r, const struct rm_rule *u, const struct rm_appt *a,
    int64_t *t, int *applies)
{
	struct pms_local l;
	enum pms_status st;
	int32_t d;

	*applies = 0;
	if (u->kind == RULE_BEFORE) {
		*t = a->start_utc - u->before;
		*applies = 1;
		return PMS_OK;
	}
	/* the appointment's own day, as its record says */
	if ((st = pms_local_parse(a->local_start, PMS_DATE_ISO, &l)) !=
	    PMS_OK)
		return pms_seterr(PMS_EINTERNAL, "appointment %lld: its local "
		    "start does not read", (long long)a->id);
	d = u->kind == RULE_DAY_BEFORE ? working_day_before(r,
	    a->location_id, l.days) : l.days;
	if ((st = to_instant(r, a->zone, d, u->at, t)) != PMS_OK)
		return st;
	*applies = *t < a->start_utc;
	return PMS_OK;
}

/* The claim row of c, if any. */
static enum pms_status
claim_find(struct rm *r, const struct rm_appt *a, struct rm_cand *c,
    int *attempts, int64_t *next)
{
	sqlite3_stmt *q = r->q_claim;
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, a->id);
	sqlite3_bind_text(q, 2, c->rule->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, channels[c->rule->channel], -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, a->start_utc);
	c->claim = 0;
	*attempts = 0;
	*next = 0;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		c->claim = sqlite3_column_int64(q, 0);
		col(q, 1, c->cstatus, sizeof(c->cstatus));
		*attempts = sqlite3_column_int(q, 2);
		*next = sqlite3_column_type(q, 3) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(q, 3);
		col(q, 4, c->creason, sizeof(c->creason));
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(q);
		return pms_store_sqlerr(r->s, rc, "reading the reminders");
	}
	sqlite3_reset(q);
	return PMS_OK;
}

/* Can the patient be sent this channel?  NULL, or why not; the
 * recipient in c. */
static enum pms_status
patient_check(struct rm *r, const struct rm_appt *a, struct rm_cand *c,
    const char **why)
{
	sqlite3_stmt *q = r->q_optout;
	int ch = c->rule->channel, rc;
	const char *to;

	*why = NULL;
	to = ch == CH_EMAIL ? a->email : a->mobile[0] != '\0' ? a->mobile :
	    a->phone;
	snprintf(c->recipient, sizeof(c->recipient), "%s", to);
	if (strcmp(a->pstatus, "active") != 0)
		*why = R_NOT_ACTIVE;
	else if (strcmp(a->contact, "none") == 0)
		*why = R_NOT_WANTED;
	else if (!a->consent[ch])
		*why = R_NO_CONSENT;
	else if (*to == '\0')
		*why = R_NO_CONTACT;
	if (*why != NULL)
		return PMS_OK;
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, a->patient_id);
	sqlite3_bind_text(q, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, channels[ch], -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
		sqlite3_reset(q);
		return pms_store_sqlerr(r->s, rc, "reading the opt-outs");
	}
	if (sqlite3_column_int(q, 0))
		*why = R_OPTED_OUT;
	sqlite3_reset(q);
	return PMS_OK;
}

/*
 * Every rule of appointment a, looked at at now (on channel ch, or all
 * if ch < 0): into c[0..*n).  A rule whose time came is superseded by a
 * later rule of the same channel whose time came too, so that an
 * appointment booked late gets the nearest reminder, not all of them.
 */
static enum pms_status
evaluate(struct rm *r, const struct rm_appt *a, int64_t now, int ch,
    struct rm_cand *c, size_t *n)
{
	enum pms_status st;
	struct rm_cand *x, *y;
	const char *why;
	int64_t next, nowq;
	size_t i, j;
	int applies, attempts;

	*n = 0;
	if (strcmp(a->status, "booked") != 0 || a->start_utc <= now)
		return PMS_OK;
	for (i = 0; i < r->nrules; i++) {
		if ((ch >= 0 && r->rules[i].channel != ch) ||
		    !rule_applies(&r->rules[i], a))
			continue;
		x = &c[*n];
		memset(x, 0, sizeof(*x));
		x->rule = &r->rules[i];
		x->idx = i;
		if ((st = rule_time(r, x->rule, a, &x->raw, &applies)) !=
		    PMS_OK)
			return st;
		if (!applies || x->raw > now)
			continue;	/* not this appointment's, or not yet */
		if ((st = unquiet(r, x->rule->channel, a->zone, x->raw,
		    &x->eff)) != PMS_OK)
			return st;
		/*
		 * Not in quiet hours now either: a run that comes late (a
		 * retry, a machine that was off) waits for the morning too.
		 * Dropped when the next allowed time is past the start.
		 */
		if ((st = unquiet(r, x->rule->channel, a->zone, now,
		    &nowq)) != PMS_OK)
			return st;
		x->dropped = x->eff >= a->start_utc || (x->eff <= now &&
		    nowq > now && nowq >= a->start_utc);
		x->quiet_now = nowq > now;
		x->due = a->booked_utc > x->eff && a->booked_utc <= now ?
		    a->booked_utc : x->eff;
		reminder_id(r, a->id, x->rule->name, x->rule->channel,
		    a->start_utc, x->id);
		(*n)++;
	}
	for (i = 0; i < *n; i++) {
		x = &c[i];
		x->state = C_NONE;
		if (!x->dropped && (x->eff > now || x->quiet_now)) {
			x->reason = "in quiet hours";
			continue;
		}
		for (j = 0; j < *n && !x->dropped; j++) {
			y = &c[j];
			if (j == i || y->dropped || y->eff > now ||
			    y->rule->channel != x->rule->channel)
				continue;
			if (y->eff > x->eff || (y->eff == x->eff &&
			    (y->raw > x->raw || (y->raw == x->raw &&
			    y->idx < x->idx))))
				break;
		}
		if (j < *n && !x->dropped) {
			x->reason = "superseded by a later rule";
			continue;
		}
		if ((st = claim_find(r, a, x, &attempts, &next)) != PMS_OK)
			return st;
		if (x->dropped) {
			if (x->claim == 0) {
				x->state = C_SKIP;
				x->reason = R_QUIET;
			}
			continue;
		}
		if (x->claim != 0 && strcmp(x->cstatus, "failed") == 0) {
			if (next == 0 || next > now ||
			    attempts >= r->max_attempts) {
				x->reason = "failed; not yet tried again";
				continue;
			}
		} else if (x->claim != 0 && !(strcmp(x->cstatus, "skipped") ==
		    0 && reason_may_change(x->creason))) {
			x->reason = "claimed already";
			continue;
		}
		x->attempt = attempts + 1;
		if ((st = patient_check(r, a, x, &why)) != PMS_OK)
			return st;
		if (why == NULL) {
			x->state = C_DUE;
			continue;
		}
		/* a skip already recorded for this reason stays as it is */
		if (x->claim != 0 && strcmp(x->creason, why) == 0)
			continue;
		x->state = C_SKIP;
		x->reason = why;
	}
	return PMS_OK;
}

/* ---- rendering a due reminder ---- */

static enum pms_status
place_get(struct rm *r, int64_t id)
{
	struct pms_location l;
	enum pms_status st;
	const struct pms_address *ad = &l.address;
	char zip[16];

	if (r->place.id == id)
		return PMS_OK;
	if ((st = pms_location_get(r->s, id, &l)) != PMS_OK)
		return st;
	if (strlen(ad->zip) == 9)
		snprintf(zip, sizeof(zip), "%.5s-%.4s", ad->zip, ad->zip + 5);
	else
		snprintf(zip, sizeof(zip), "%s", ad->zip);
	r->place.id = id;
	snprintf(r->place.name, sizeof(r->place.name), "%s", l.name);
	snprintf(r->place.address, sizeof(r->place.address), "%s%s%s, %s, "
	    "%s %s", ad->street, ad->street2[0] != '\0' ? ", " : "",
	    ad->street2, ad->city, ad->state, zip);
	snprintf(r->place.phone, sizeof(r->place.phone), "%s",
	    l.phone[0] != '\0' ? l.phone : r->practice.phone);
	return PMS_OK;
}

static enum pms_status
person_get(struct rm *r, int64_t id)
{
	struct pms_provider p;
	enum pms_status st;

	if (r->person.id == id)
		return PMS_OK;
	if ((st = pms_provider_get(r->s, id, &p)) != PMS_OK)
		return st;
	r->person.id = id;
	snprintf(r->person.name, sizeof(r->person.name), "%s %s%s%s",
	    p.first_name, p.last_name, p.credential[0] != '\0' ? ", " : "",
	    p.credential);
	return PMS_OK;
}

/* The zone's abbreviation at the appointment's start (B08: from the tz
 * database, the one in force then), cached by zone and offset. */
static enum pms_status
zone_abbr(struct rm *r, const char *zone, int32_t off, int64_t t)
{
	enum pms_status st;

	if (r->abbr.off == off && strcmp(r->abbr.zone, zone) == 0)
		return PMS_OK;
	if ((st = pms_zone_abbr(zone, t, r->abbr.abbr, sizeof(r->abbr.abbr)))
	    != PMS_OK)
		return st;
	snprintf(r->abbr.zone, sizeof(r->abbr.zone), "%s", zone);
	r->abbr.off = off;
	return PMS_OK;
}

void
pms_reminder_release(struct pms_reminder *m)
{
	if (m == NULL)
		return;
	if (m->text != NULL)
		sodium_memzero(m->text, strlen(m->text));
	free(m->text);
	free(m->subject);
	m->text = m->subject = NULL;
}

void
pms_reminder_list_release(struct pms_reminder_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		pms_reminder_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Render due candidate c of appointment a into m (zeroed first). */
static enum pms_status
render(struct rm *r, const struct rm_appt *a, const struct rm_cand *c,
    struct pms_reminder *m, pms_remind_warn_fn *warn, void *warg)
{
	const struct rm_tpl *t;
	struct rm_vals v;
	struct pms_local l;
	enum pms_status st;
	char what[64], msg[200];
	int not_gsm;

	memset(m, 0, sizeof(*m));
	t = rm_tpl_find(&r->tpls, c->rule->tpl, channels[c->rule->channel],
	    a->language);
	if (c->rule->bad[0] != '\0' || t == NULL)
		return pms_seterr(PMS_ECONFIG, "reminder %s: cannot be "
		    "rendered: %s", c->id, c->rule->bad[0] != '\0' ?
		    c->rule->bad : "no template");
	if (t->bad != NULL)
		return pms_seterr(PMS_ECONFIG, "reminder %s: cannot be "
		    "rendered: %s", c->id, t->bad);
	if ((st = pms_local_parse(a->local_start, PMS_DATE_ISO, &l)) !=
	    PMS_OK)
		return pms_seterr(PMS_EINTERNAL, "appointment %lld: its local "
		    "start does not read", (long long)a->id);
	if ((st = place_get(r, a->location_id)) != PMS_OK ||
	    (st = person_get(r, a->provider_id)) != PMS_OK ||
	    (st = zone_abbr(r, a->zone, l.offset, a->start_utc)) != PMS_OK)
		return st;
	memset(&v, 0, sizeof(v));
	v.preferred_name = a->preferred_name;
	v.first_name = a->first_name;
	v.provider = r->person.name;
	v.location = r->place.name;
	v.address = r->place.address;
	v.location_phone = r->place.phone;
	v.practice = r->practice.name;
	v.practice_phone = r->practice.phone;
	v.type = a->type_name;
	v.language = t->language;
	v.zone_abbr = r->abbr.abbr;
	v.days = l.days;
	v.secs = l.secs;
	snprintf(what, sizeof(what), "%s (%s)", t->name, t->language);
	if ((st = rm_render(t->body, what, &v, &m->text)) != PMS_OK)
		goto fail;
	if (c->rule->channel == CH_EMAIL && t->subject != NULL &&
	    (st = rm_render(t->subject, what, &v, &m->subject)) != PMS_OK)
		goto fail;
	snprintf(m->id, sizeof(m->id), "%s", c->id);
	m->appointment_id = a->id;
	m->patient_id = a->patient_id;
	snprintf(m->mrn, sizeof(m->mrn), "%s", a->mrn);
	snprintf(m->rule, sizeof(m->rule), "%s", c->rule->name);
	snprintf(m->channel, sizeof(m->channel), "%s",
	    channels[c->rule->channel]);
	snprintf(m->recipient, sizeof(m->recipient), "%s", c->recipient);
	snprintf(m->language, sizeof(m->language), "%s", t->language);
	snprintf(m->location, sizeof(m->location), "%s", a->location);
	snprintf(m->start, sizeof(m->start), "%s", a->local_start);
	m->start_utc = a->start_utc;
	m->due_utc = c->due;
	pms_instant_fmt(m->due_utc, m->due_at);
	m->attempt = c->attempt;
	if (c->rule->channel == CH_SMS) {
		m->sms_chars = rm_sms_length(m->text, &not_gsm);
		if (not_gsm)
			m->warn |= PMS_REMIND_W_NOT_GSM;
		if (m->sms_chars > (not_gsm ? 70u : 160u))
			m->warn |= PMS_REMIND_W_LONG;
		if (warn != NULL && (m->warn & PMS_REMIND_W_NOT_GSM)) {
			snprintf(msg, sizeof(msg), "reminder %s: the SMS holds "
			    "characters GSM-7 does not have (template %s): "
			    "%zu characters, sent as UCS-2 (70 a part)",
			    m->id, what, m->sms_chars);
			warn(warg, msg);
		} else if (warn != NULL && (m->warn & PMS_REMIND_W_LONG)) {
			snprintf(msg, sizeof(msg), "reminder %s: the SMS is "
			    "%zu GSM-7 characters, over 160 (template %s): "
			    "sent in parts", m->id, m->sms_chars, what);
			warn(warg, msg);
		}
	}
	return PMS_OK;
fail:
	pms_reminder_release(m);
	return st;
}

/* ---- due ---- */

/* Begin, trying again while another run holds the store a moment. */
static enum pms_status
begin(struct pms_store *s)
{
	enum pms_status st = PMS_EBUSY;
	int i;

	for (i = 0; i < BEGIN_TRIES && st == PMS_EBUSY; i++)
		st = pms_store_begin(s);
	return st;
}

static int64_t
clock_now(int64_t now)
{
	return now != 0 ? now : (int64_t)time(NULL);
}

static enum pms_status
list_add(struct pms_reminder_list *l, struct pms_reminder *m)
{
	struct pms_reminder *nv;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((nv = realloc(l->v, cap * sizeof(*nv))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *m;
	return PMS_OK;
}

static int
opts_channel(const struct pms_remind_opts *o, int *ch)
{
	*ch = -1;
	if (o->channel == NULL)
		return 0;
	if ((*ch = channel_index(o->channel)) < 0)
		return -1;
	return 0;
}

/* Each booked appointment starting in (now, now + within], to fn. */
typedef enum pms_status scan_fn(struct rm *, const struct rm_appt *,
		    void *);

static enum pms_status
scan(struct rm *r, int64_t now, int64_t within, scan_fn *fn, void *arg)
{
	struct rm_appt *a;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	int rc;

	if ((a = malloc(sizeof(*a))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((rc = sqlite3_prepare_v2(r->s->db, APPT_SELECT "WHERE "
	    "a.start_utc > ?1 AND a.start_utc <= ?2 AND a.status = 'booked' "
	    "ORDER BY a.start_utc, a.id", -1, &st, NULL)) != SQLITE_OK) {
		free(a);
		return pms_store_sqlerr(r->s, rc, "reading the schedule");
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now + within);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		appt_row(st, a);
		if ((ps = fn(r, a, arg)) != PMS_OK)
			break;
	}
	if (ps == PMS_OK && rc != SQLITE_DONE)
		ps = pms_store_sqlerr(r->s, rc, "reading the schedule");
	sqlite3_finalize(st);
	free(a);
	return ps;
}

struct due_ctx {
	int64_t		 now;
	int		 ch;
	struct pms_reminder_list *out;
	int64_t		*pids;
	size_t		 npids, cap;
	pms_remind_warn_fn *warn;
	void		*warg;
};

static enum pms_status
pid_add(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
	int64_t *nv;

	if (*n > 0 && (*v)[*n - 1] == id)
		return PMS_OK;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((nv = realloc(*v, *cap * sizeof(*nv))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		*v = nv;
	}
	(*v)[(*n)++] = id;
	return PMS_OK;
}

static enum pms_status
due_one(struct rm *r, const struct rm_appt *a, void *arg)
{
	struct due_ctx *d = arg;
	struct rm_cand c[MAX_RULES];
	struct pms_reminder m;
	enum pms_status st;
	size_t i, n;

	if ((st = evaluate(r, a, d->now, d->ch, c, &n)) != PMS_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (c[i].state != C_DUE)
			continue;
		if ((st = render(r, a, &c[i], &m, d->warn, d->warg)) ==
		    PMS_ECONFIG) {
			/* this one's template: the others are listed */
			d->out->bad++;
			if (d->warn != NULL)
				d->warn(d->warg, pms_errmsg());
			continue;
		}
		if (st != PMS_OK)
			return st;
		if ((st = list_add(d->out, &m)) != PMS_OK) {
			pms_reminder_release(&m);
			return st;
		}
		if ((st = pid_add(&d->pids, &d->npids, &d->cap,
		    a->patient_id)) != PMS_OK)
			return st;
	}
	return PMS_OK;
}

#define DUE_FIELDS	"reminder_id,appointment_id,patient_id,mrn,rule," \
			"channel,recipient,start,location,language,due_at," \
			"attempt,subject,text"

enum pms_status
pms_remind_due(struct pms_store *s, const struct pms_remind_opts *o,
    pms_remind_warn_fn *warn, void *warg, struct pms_reminder_list *out)
{
	struct due_ctx d;
	struct rm r;
	enum pms_status st;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if (opts_channel(o, &d.ch) == -1)
		return pms_seterr(PMS_EUSAGE, "--channel: sms or email");
	d.now = clock_now(o->now);
	d.out = out;
	d.warn = warn;
	d.warg = warg;
	if ((st = begin(s)) != PMS_OK)
		return st;
	if ((st = rm_load(&r, s)) != PMS_OK)
		goto fail0;
	if ((st = scan(&r, d.now, o->within > 0 ? o->within : r.reach,
	    due_one, &d)) != PMS_OK)
		goto fail;
	if ((st = pms_audit_append(s, "remind.due", DUE_FIELDS, d.pids,
	    d.npids)) != PMS_OK)
		goto fail;
	rm_release(&r);
	free(d.pids);
	return pms_store_commit(s);
fail:
	rm_release(&r);
fail0:
	free(d.pids);
	pms_store_rollback(s);
	pms_reminder_list_release(out);
	return st;
}

/* ---- the record of a due reminder ---- */

const struct pms_col pms_reminder_cols[] = {
	{ "reminder_id", PMS_COL_TEXT }, { "appointment_id", PMS_COL_INT },
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "rule", PMS_COL_TEXT }, { "channel", PMS_COL_TEXT },
	{ "recipient", PMS_COL_TEXT }, { "start", PMS_COL_TEXT },
	{ "location", PMS_COL_TEXT }, { "language", PMS_COL_TEXT },
	{ "due_at", PMS_COL_TEXT }, { "attempt", PMS_COL_INT },
	{ "subject", PMS_COL_TEXT }, { "text", PMS_COL_TEXT },
};
const size_t pms_reminder_ncols = PMS_NELEM(pms_reminder_cols);

static void
text_cell(struct pms_cell *c, const char *s)
{
	c->null = s == NULL || *s == '\0';
	c->text = s != NULL ? s : "";
}

void
pms_reminder_cells(const struct pms_reminder *m, struct pms_cell *c)
{
	memset(c, 0, pms_reminder_ncols * sizeof(*c));
	text_cell(&c[0], m->id);
	c[1].i = m->appointment_id;
	c[2].i = m->patient_id;
	text_cell(&c[3], m->mrn);
	text_cell(&c[4], m->rule);
	text_cell(&c[5], m->channel);
	text_cell(&c[6], m->recipient);
	text_cell(&c[7], m->start);
	text_cell(&c[8], m->location);
	text_cell(&c[9], m->language);
	text_cell(&c[10], m->due_at);
	c[11].i = m->attempt;
	text_cell(&c[12], m->subject);
	text_cell(&c[13], m->text);
}

enum pms_status
pms_remind_pick_read(const struct pms_record *rec, struct pms_remind_pick *p)
{
	const char *id, *rule, *start;
	enum pms_status st;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->line = pms_record_line(rec);
	id = pms_record_text(rec, "reminder_id");
	if (id == NULL || *id == '\0')
		return pms_record_fail(rec, "reminder_id", PMS_EDATA,
		    "missing: send takes the records of pms-remind due");
	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' &&
		    id[i] <= 'f')))
			break;
	if (i != PMS_REMIND_ID_BUFSZ - 1 || id[i] != '\0')
		return pms_record_fail(rec, "reminder_id", PMS_EDATA,
		    "not a reminder id (16 hex digits)");
	snprintf(p->id, sizeof(p->id), "%s", id);
	if ((st = pms_record_int(rec, "appointment_id", &p->appointment_id))
	    == PMS_ENOINPUT)
		return pms_record_fail(rec, "appointment_id", PMS_EDATA,
		    "missing");
	if (st != PMS_OK)
		return st;
	if (p->appointment_id <= 0)
		return pms_record_fail(rec, "appointment_id", PMS_EDATA,
		    "not an id");
	rule = pms_record_text(rec, "rule");
	if (rule == NULL || *rule == '\0')
		return pms_record_fail(rec, "rule", PMS_EDATA, "missing");
	if (strlen(rule) >= sizeof(p->rule))
		return pms_record_fail(rec, "rule", PMS_EDATA, "too long");
	snprintf(p->rule, sizeof(p->rule), "%s", rule);
	/* the start it was for, when the record has it: to tell a moved
	 * appointment from a record that is not one of due's */
	start = pms_record_text(rec, "start");
	if (start == NULL || pms_instant_parse(start, &p->start_utc) !=
	    PMS_OK)
		p->start_utc = 0;
	return PMS_OK;
}

/* ---- send ---- */

#define R_UNKNOWN	"claimed; the sender's end was never recorded"

/* What a run has to look at, found before any is sent. */
struct todo {
	int64_t		 appt;
	int64_t		 start_utc;	/* the record's start; 0 if none */
	size_t		 idx;		/* the rule; MAX_RULES: unknown rule */
	char		 id[PMS_REMIND_ID_BUFSZ];
	char		 rule[PMS_CFG_CODE];
};

struct send_ctx {
	struct rm	*r;
	const struct pms_remind_send_opts *so;
	struct rm_sender sender;
	int		 ch;
	pms_remind_warn_fn *warn;
	void		*warg;
	pms_remind_outcome_fn *fn;
	void		*arg;
	struct pms_remind_counts *counts;
	struct todo	*todo;
	size_t		 ntodo, cap;
	char		 lease[PMS_CFG_CODE + RM_LEASE_BUFSZ];	/* claimed_by */
	int		 bad_config;	/* a template did not render */
};

static enum pms_status
todo_add(struct send_ctx *x, int64_t appt, size_t idx, const char *id,
    const char *rule)
{
	struct todo *nv;
	size_t cap;

	if (x->ntodo == x->cap) {
		cap = x->cap ? x->cap * 2 : 64;
		if ((nv = realloc(x->todo, cap * sizeof(*nv))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		x->todo = nv;
		x->cap = cap;
	}
	x->todo[x->ntodo].appt = appt;
	x->todo[x->ntodo].start_utc = 0;
	x->todo[x->ntodo].idx = idx;
	snprintf(x->todo[x->ntodo].id, PMS_REMIND_ID_BUFSZ, "%s", id);
	snprintf(x->todo[x->ntodo].rule, PMS_CFG_CODE, "%s", rule);
	x->ntodo++;
	return PMS_OK;
}

static enum pms_status
send_scan_one(struct rm *r, const struct rm_appt *a, void *arg)
{
	struct send_ctx *x = arg;
	struct rm_cand c[MAX_RULES];
	enum pms_status st;
	size_t i, n;

	if ((st = evaluate(r, a, clock_now(x->so->o.now), x->ch, c, &n)) !=
	    PMS_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (c[i].state == C_NONE)
			continue;
		if ((st = todo_add(x, a->id, c[i].idx, c[i].id,
		    c[i].rule->name)) != PMS_OK)
			return st;
		x->todo[x->ntodo - 1].start_utc = a->start_utc;
	}
	return PMS_OK;
}

static int
tell(struct send_ctx *x, const char *id, int64_t appt, const char *rule,
    const char *chan, const char *status, const char *reason, int attempt)
{
	struct pms_remind_outcome o;

	o.reminder_id = id;
	o.appointment_id = appt;
	o.rule = rule;
	o.channel = chan;
	o.status = status;
	o.reason = reason != NULL ? reason : "";
	o.attempt = attempt;
	if (strcmp(status, "sent") == 0)
		x->counts->sent++;
	else if (strcmp(status, "failed") == 0)
		x->counts->failed++;
	else if (strcmp(status, "skipped") == 0)
		x->counts->skipped++;
	else if (strcmp(status, "unknown") == 0)
		x->counts->unknown++;
	else if (strcmp(status, "due") == 0)
		x->counts->due++;
	else
		x->counts->stale++;
	return x->fn != NULL ? x->fn(x->arg, &o) : 0;
}

/* Has the run that holds a claim (its lease, its deadline) died? */
static int
abandoned(const char *lease, int64_t deadline, int64_t now)
{
	enum rm_lease ls = rm_lease_state(lease);

	return ls == RM_LEASE_DEAD || (ls == RM_LEASE_UNSURE && deadline <
	    now);
}

/* The same in SQL, for the log: pms_rm_abandoned(by, deadline, now). */
static void
sql_abandoned(sqlite3_context *cx, int argc, sqlite3_value **v)
{
	(void)argc;
	sqlite3_result_int(cx, abandoned((const char *)sqlite3_value_text(
	    v[0]), sqlite3_value_int64(v[1]), sqlite3_value_int64(v[2])));
}

/*
 * Claims whose run died become unknown, told as such (they were sent,
 * perhaps: never again by themselves).  A claim's run died when its
 * lease says its process is gone (or the machine started again since),
 * or, when the lease cannot tell, once the claim's deadline passed; the
 * claims of a run that is still alive stay its own, however long it
 * takes.
 */
static enum pms_status
mark_unknown(struct send_ctx *x, int64_t now)
{
	struct pms_store *s = x->r->s;
	sqlite3_stmt *st = NULL, *up = NULL;
	enum pms_status ps = PMS_OK;
	char at[PMS_STAMP_BUFSZ], id[PMS_REMIND_ID_BUFSZ], rule[PMS_CFG_CODE],
	    chan[PMS_REMIND_WORD];
	const unsigned char *by;
	int64_t *pids = NULL;
	size_t npids = 0, cap = 0;
	int rc;

	pms_instant_fmt(now, at);
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT id, reminder_id, "
	    "appointment_id, rule, channel, patient_id, attempts, "
	    "deadline_utc, claimed_by FROM reminders WHERE status = "
	    "'sending' ORDER BY patient_id", -1, &st, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(s->db, "UPDATE reminders SET status = "
	    "'unknown', reason = ?2, deadline_utc = NULL, updated_at = ?3 "
	    "WHERE id = ?1 AND status = 'sending'", -1, &up, NULL)) !=
	    SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading the reminders");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		by = sqlite3_column_text(st, 8);
		if (!abandoned((const char *)by, sqlite3_column_int64(st, 7),
		    now))
			continue;
		sqlite3_reset(up);
		sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_text(up, 2, R_UNKNOWN, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, at, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(up)) != SQLITE_DONE) {
			ps = pms_store_sqlerr(s, rc, "recording a reminder");
			goto out;
		}
		if ((ps = pid_add(&pids, &npids, &cap,
		    sqlite3_column_int64(st, 5))) != PMS_OK)
			goto out;
		col(st, 1, id, sizeof(id));
		col(st, 3, rule, sizeof(rule));
		col(st, 4, chan, sizeof(chan));
		if (tell(x, id, sqlite3_column_int64(st, 2), rule, chan,
		    "unknown", R_UNKNOWN, sqlite3_column_int(st, 6)) != 0) {
			ps = pms_seterr(PMS_EIO, "output stopped");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading the reminders");
		goto out;
	}
	if (npids > 0)
		ps = pms_audit_append(s, "remind.send", "status", pids, npids);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	free(pids);
	return ps;
}

/*
 * Failed reminders that will never be tried again because their
 * appointment is no longer there to remind of (cancelled or otherwise
 * no longer booked, moved to another start, begun): skipped, with why,
 * their attempts kept, so that they do not wait as failed for good.
 */
static enum pms_status
close_failed(struct send_ctx *x, int64_t now)
{
	struct pms_store *s = x->r->s;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	char at[PMS_STAMP_BUFSZ];
	int64_t *pids = NULL;
	size_t npids = 0, cap = 0;
	int rc;

	pms_instant_fmt(now, at);
	if ((rc = sqlite3_prepare_v2(s->db, "UPDATE reminders AS r SET "
	    "status = 'skipped', next_utc = NULL, updated_at = ?2, reason = "
	    "CASE WHEN a.status <> 'booked' THEN 'not tried again: the "
	    "appointment is no longer booked' WHEN a.start_utc <> r.start_utc "
	    "THEN 'not tried again: the appointment moved' ELSE 'not tried "
	    "again: the appointment has begun' END FROM appointments AS a "
	    "WHERE a.id = r.appointment_id AND r.status = 'failed' AND "
	    "(a.status <> 'booked' OR a.start_utc <> r.start_utc OR "
	    "a.start_utc <= ?1) RETURNING patient_id", -1, &st, NULL)) !=
	    SQLITE_OK)
		return pms_store_sqlerr(s, rc, "recording a reminder");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ps = pid_add(&pids, &npids, &cap,
		    sqlite3_column_int64(st, 0))) != PMS_OK)
			goto out;
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "recording a reminder");
		goto out;
	}
	if (npids > 0)
		ps = pms_audit_append(s, "remind.send", "status,reason", pids,
		    npids);
out:
	sqlite3_finalize(st);
	free(pids);
	return ps;
}

/* Write a claim (status sending) or a skip for c; 0 rows: *lost. */
static enum pms_status
claim_write(struct send_ctx *x, const struct rm_appt *a,
    const struct rm_cand *c, int64_t now, int64_t deadline, int skip,
    int *lost)
{
	struct pms_store *s = x->r->s;
	sqlite3_stmt *st;
	char at[PMS_STAMP_BUFSZ];
	int rc;

	*lost = 0;
	pms_instant_fmt(now, at);
	if (c->claim == 0)
		rc = cached(x->r, &x->r->q_insert, "INSERT INTO reminders "
		    "(reminder_id, appointment_id, patient_id, rule, channel, "
		    "start_utc, status, reason, attempts, due_utc, "
		    "deadline_utc, claimed_at, claimed_by, created_at, "
		    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		    "?10, ?11, ?12, ?13, ?14, ?14)");
	else
		rc = cached(x->r, &x->r->q_update, "UPDATE reminders SET "
		    "status = ?7, reason = ?8, attempts = attempts + ?9, "
		    "due_utc = ?10, next_utc = NULL, deadline_utc = ?11, "
		    "claimed_at = "
		    "coalesce(?12, claimed_at), claimed_by = coalesce(?13, "
		    "claimed_by), updated_at = ?14 WHERE id = ?15 AND status = "
		    "?16");
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "recording a reminder");
	st = c->claim == 0 ? x->r->q_insert : x->r->q_update;
	if (c->claim == 0) {
		sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, a->id);
		sqlite3_bind_int64(st, 3, a->patient_id);
		sqlite3_bind_text(st, 4, c->rule->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, channels[c->rule->channel], -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, a->start_utc);
	}
	sqlite3_bind_text(st, 7, skip ? "skipped" : "sending", -1,
	    SQLITE_STATIC);
	if (skip)
		sqlite3_bind_text(st, 8, c->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, skip ? 0 : 1);
	sqlite3_bind_int64(st, 10, c->due);
	if (!skip) {
		sqlite3_bind_int64(st, 11, deadline);
		sqlite3_bind_text(st, 12, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 13, x->lease, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 14, at, -1, SQLITE_STATIC);
	if (c->claim != 0) {
		sqlite3_bind_int64(st, 15, c->claim);
		sqlite3_bind_text(st, 16, c->cstatus, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT) {
		*lost = 1;	/* the unique key: claimed by another run */
		return PMS_OK;
	}
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "recording a reminder");
	if (sqlite3_changes(s->db) != 1)
		*lost = 1;
	return PMS_OK;
}

/*
 * One reminder a run looks at: what to tell of it, and, when it was
 * claimed, its message (rendered, in a buffer of its own) and what its
 * sender did.
 */
struct pending {
	char		 id[PMS_REMIND_ID_BUFSZ];
	int64_t		 appt;
	char		 rule[PMS_CFG_CODE];
	char		 chan[PMS_REMIND_WORD];
	const char	*status;	/* sent, failed, skipped, stale, due */
	char		 reason[80];
	int		 attempt;
	int		 claimed;	/* its sender is to run */
	int		 ok;		/* it exited 0 */
	struct pms_reminder m;
};

/*
 * Record what came of a claimed reminder's sender, inside the caller's
 * transaction: sent, or failed (tried again after the backoff, which
 * doubles at each attempt, up to a day, or no more).  The claim is this
 * run's by its attempt: it is still sending, or another run took it for
 * unknown (this run was slow, not dead), and what this run knows wins.
 * When the gateway's word came first (mark: delivered, failed), that
 * stays, and a sent keeps its sent_at.  claimed_by is the user again,
 * the lease no longer needed.
 */
static enum pms_status
outcome_write(struct send_ctx *x, struct pending *p)
{
	struct pms_store *s = x->r->s;
	sqlite3_stmt *st = NULL;
	char at[PMS_STAMP_BUFSZ], why[60];
	int64_t now = clock_now(x->so->o.now), wait, next = 0;
	int rc, k;

	pms_instant_fmt(now, at);
	p->status = p->ok ? "sent" : "failed";
	snprintf(why, sizeof(why), "%.59s", p->reason);
	if (!p->ok && p->attempt < x->r->max_attempts) {
		for (wait = x->r->backoff, k = 1; k < p->attempt && wait <
		    SECS_DAY; k++)
			wait *= 2;
		next = now + (wait < SECS_DAY ? wait : SECS_DAY);
	} else if (!p->ok)
		snprintf(p->reason, sizeof(p->reason), "%s; no attempts left",
		    why);
	if ((rc = cached(x->r, &x->r->q_outcome, "UPDATE reminders SET "
	    "status = ?2, reason = ?3, next_utc = ?4, sent_at = ?5, "
	    "deadline_utc = NULL, claimed_by = ?8, updated_at = ?6 WHERE "
	    "reminder_id = ?1 AND attempts = ?7 AND (status = 'sending' OR "
	    "(status = 'unknown' AND reason = ?9))")) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "recording a reminder");
	st = x->r->q_outcome;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->status, -1, SQLITE_STATIC);
	if (!p->ok)
		sqlite3_bind_text(st, 3, p->reason, -1, SQLITE_STATIC);
	if (next != 0)
		sqlite3_bind_int64(st, 4, next);
	if (p->ok)
		sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, p->attempt);
	sqlite3_bind_text(st, 8, pms_store_user(s), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, R_UNKNOWN, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "recording a reminder");
	if (sqlite3_changes(s->db) == 1)
		return PMS_OK;
	/* the gateway's word came first: it stays; the sent_at is ours */
	if ((rc = sqlite3_prepare_v2(s->db, "UPDATE reminders SET sent_at = "
	    "coalesce(sent_at, ?2), deadline_utc = NULL, claimed_by = ?4 "
	    "WHERE reminder_id = ?1 AND attempts = ?3 AND (status = "
	    "'delivered' OR status = 'failed') RETURNING status", -1, &st,
	    NULL)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "recording a reminder");
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	if (p->ok)
		sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, p->attempt);
	sqlite3_bind_text(st, 4, pms_store_user(s), -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(st, 0),
		    "failed") == 0) {
			p->status = "failed";
			snprintf(p->reason, sizeof(p->reason), "the gateway "
			    "said it failed");
		}
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "recording a reminder");
	return PMS_OK;
}

/* Run the sender for m, with the variables it is told of. */
static enum pms_status
run_sender(struct send_ctx *x, const struct pms_reminder *m, int *ok,
    char *why, size_t size)
{
	char *vars[6] = { NULL };
	struct rm_run run;
	enum pms_status st;
	size_t n = 0, i;

	*ok = 0;
	if (asprintf(&vars[n++], "PMS_REMINDER_ID=%s", m->id) == -1 ||
	    asprintf(&vars[n++], "PMS_CHANNEL=%s", m->channel) == -1 ||
	    asprintf(&vars[n++], "PMS_RECIPIENT=%s", m->recipient) == -1 ||
	    asprintf(&vars[n++], "PMS_ATTEMPT=%d", m->attempt) == -1 ||
	    (m->subject != NULL && asprintf(&vars[n++], "PMS_SUBJECT=%s",
	    m->subject) == -1)) {
		vars[n - 1] = NULL;
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	st = rm_sender_run(&x->sender, vars, m->text, strlen(m->text), &run);
	if (st != PMS_OK) {
		snprintf(why, size, "could not start the sender");
		st = PMS_OK;
		goto out;
	}
	if (run.stopped && !(run.exited && run.code == 0))
		snprintf(why, size, "pms-remind was told to stop; the sender "
		    "was killed");
	else if (run.stopped)
		*ok = 1;	/* it ended well when told to */
	else if (run.timed_out)
		snprintf(why, size, "timed out after %lld s; killed",
		    (long long)(x->sender.timeout_ms / 1000));
	else if (run.exited && run.code == 0)
		*ok = 1;
	else if (run.exited)
		snprintf(why, size, "exit status %d", run.code);
	else
		snprintf(why, size, "killed by signal %d", run.sig);
out:
	for (i = 0; i < n; i++) {
		if (vars[i] != NULL)
			sodium_memzero(vars[i], strlen(vars[i]));
		free(vars[i]);
	}
	return st;
}

/* Why a reminder named (by a record or an earlier look) is not due now. */
static const char *
stale_reason(const struct rm_appt *a, int64_t now, const struct rm_cand *c)
{
	if (strcmp(a->status, "booked") != 0)
		return "the appointment is no longer booked";
	if (a->start_utc <= now)
		return "the appointment has begun";
	if (c == NULL)
		return "not due";
	return c->reason != NULL ? c->reason : "not due";
}

static void
stale(struct pending *p, const char *why)
{
	p->status = "stale";
	snprintf(p->reason, sizeof(p->reason), "%s", why);
}

/*
 * Look at one reminder again, inside the caller's transaction: skip it
 * (written), claim it (written, with its audit entry; its message
 * rendered into p->m), or find it stale (nothing written).  deadline is
 * when its claim, if its sender never ends, becomes unknown.
 */
static enum pms_status
take_one(struct send_ctx *x, const struct todo *t, int64_t now,
    int64_t deadline, struct pending *p)
{
	struct rm *r = x->r;
	struct rm_cand c[MAX_RULES], *me = NULL;
	struct rm_appt a;
	enum pms_status st;
	const char *fields;
	char id[PMS_REMIND_ID_BUFSZ];
	size_t i, n = 0;
	int lost;

	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", t->id);
	p->appt = t->appt;
	snprintf(p->rule, sizeof(p->rule), "%s", t->rule);
	if (t->idx < r->nrules)
		snprintf(p->chan, sizeof(p->chan), "%s",
		    channels[r->rules[t->idx].channel]);
	if ((st = appt_get(r, t->appt, &a)) == PMS_EREFUSED) {
		stale(p, "no such appointment");
		return PMS_OK;
	}
	if (st != PMS_OK)
		return st;
	if (t->idx >= r->nrules) {
		stale(p, "no such rule");
		return PMS_OK;
	}
	if ((st = evaluate(r, &a, now, x->ch, c, &n)) != PMS_OK)
		return st;
	for (i = 0; i < n; i++)
		if (c[i].idx == t->idx)
			me = &c[i];
	if (me != NULL && strcmp(me->id, t->id) != 0)
		me = NULL;	/* another start: the appointment moved */
	if (me == NULL || me->state == C_NONE) {
		if (me == NULL && strcmp(a.status, "booked") == 0 &&
		    a.start_utc > now) {
			reminder_id(r, a.id, t->rule, r->rules[t->idx].channel,
			    a.start_utc, id);
			if (strcmp(id, t->id) != 0) {
				/* moved: the id is the one of its start then */
				if (t->start_utc != 0 && t->start_utc !=
				    a.start_utc)
					reminder_id(r, a.id, t->rule,
					    r->rules[t->idx].channel,
					    t->start_utc, id);
				stale(p, strcmp(id, t->id) == 0 ?
				    "the appointment moved" : "not a reminder "
				    "of this appointment at its start");
				return PMS_OK;
			}
		}
		stale(p, stale_reason(&a, now, me));
		return PMS_OK;
	}
	p->attempt = me->state == C_DUE ? me->attempt : 0;
	if (x->so->dry_run) {
		p->status = me->state == C_DUE ? "due" : "skipped";
		if (me->state == C_SKIP)
			snprintf(p->reason, sizeof(p->reason), "%s",
			    me->reason);
		return PMS_OK;
	}
	if (me->state == C_SKIP) {
		p->attempt = 0;
		if ((st = claim_write(x, &a, me, now, 0, 1, &lost)) != PMS_OK)
			return st;
		if (lost) {
			stale(p, "claimed already");
			return PMS_OK;
		}
		p->status = "skipped";
		snprintf(p->reason, sizeof(p->reason), "%s", me->reason);
		return pms_audit_append(r->s, "remind.send", "status,reason",
		    &a.patient_id, 1);
	}
	/* due: rendered, claimed and on record before the sender runs */
	if ((st = render(r, &a, me, &p->m, x->warn, x->warg)) != PMS_OK)
		return st;
	if ((st = claim_write(x, &a, me, now, deadline, 0, &lost)) != PMS_OK)
		goto fail;
	if (lost) {
		pms_reminder_release(&p->m);
		stale(p, "claimed already");
		return PMS_OK;
	}
	fields = p->m.subject != NULL ? "status,recipient,subject,text" :
	    "status,recipient,text";
	if ((st = pms_audit_append(r->s, "remind.send", fields, &a.patient_id,
	    1)) != PMS_OK)
		goto fail;
	p->claimed = 1;
	return PMS_OK;
fail:
	pms_reminder_release(&p->m);
	return st;
}

/* Tell what came of p, and let go of its message. */
static int
tell_pending(struct send_ctx *x, struct pending *p)
{
	int stop;

	stop = tell(x, p->id, p->appt, p->rule, p->chan, p->status, p->reason,
	    p->attempt);
	pms_reminder_release(&p->m);
	p->claimed = 0;
	return stop;
}

/*
 * The reminders a run has found, one at a time: a short transaction
 * looks at it again and claims it (or skips it, or finds it stale),
 * right before its sender runs with no transaction open; another
 * records what came of it as soon as the sender ends.  A run that dies
 * leaves at most the one reminder whose sender was running claimed and
 * unrecorded (unknown); one told to stop (so->stop) hands out no more,
 * has its running sender killed, and records it.
 */
static enum pms_status
send_each(struct send_ctx *x)
{
	struct pms_store *s = x->r->s;
	struct pending *p;
	enum pms_status st = PMS_OK;
	int64_t now, per;
	size_t next;
	int tries;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	per = (x->sender.timeout_ms + x->sender.grace_ms + 999) / 1000;
	for (next = 0; next < x->ntodo; next++) {
		if (x->so->stop != NULL && *x->so->stop) {
			x->counts->left = x->ntodo - next;
			break;
		}
		if ((st = begin(s)) != PMS_OK)
			goto out;
		now = clock_now(x->so->o.now);
		st = take_one(x, &x->todo[next], now, now + per + CLAIM_SLACK,
		    p);
		if (st == PMS_ECONFIG) {
			/* this one's template: the others go all the same */
			pms_store_rollback(s);
			x->bad_config = 1;
			x->counts->bad_config++;
			if (x->warn != NULL)
				x->warn(x->warg, pms_errmsg());
			st = PMS_OK;
			continue;
		}
		if (st != PMS_OK) {
			pms_store_rollback(s);
			goto out;
		}
		if (x->so->dry_run)
			pms_store_rollback(s);
		else if ((st = pms_store_commit(s)) != PMS_OK)
			goto out;
		if (p->claimed) {
			/* no transaction open: the sender runs */
			if ((st = run_sender(x, &p->m, &p->ok, p->reason,
			    sizeof(p->reason))) != PMS_OK)
				goto out;
			/* what came of it, at once; harder tried than a claim */
			for (tries = 0; tries < 4; tries++)
				if ((st = begin(s)) != PMS_EBUSY)
					break;
			if (st != PMS_OK || (st = outcome_write(x, p)) !=
			    PMS_OK || (st = pms_store_commit(s)) != PMS_OK) {
				/* left sending: unknown, never sent twice */
				pms_store_rollback(s);
				goto out;
			}
		}
		if (tell_pending(x, p) != 0) {
			st = pms_seterr(PMS_EIO, "output stopped");
			goto out;
		}
		memset(p, 0, sizeof(*p));
	}
out:
	pms_reminder_release(&p->m);
	free(p);
	return st;
}

int
pms_remind_key_cached(struct pms_store *s)
{
	struct pms_slotfile *sf;
	size_t i;
	int found = 0;

	if ((sf = malloc(sizeof(*sf))) == NULL)
		return 0;
	if (pms_keys_read(s->kpath, sf) == PMS_OK)
		for (i = 0; i < sf->nslots && !found; i++)
			found = pms_keyring_has(s->file_id, sf->slots[i].id);
	sodium_memzero(sf, sizeof(*sf));
	free(sf);
	return found;
}

enum pms_status
pms_remind_send(struct pms_store *s, const struct pms_remind_send_opts *so,
    pms_remind_warn_fn *warn, void *warg, pms_remind_outcome_fn *fn,
    void *arg, struct pms_remind_counts *counts)
{
	struct send_ctx x;
	struct rm r;
	enum pms_status st;
	char lease[RM_LEASE_BUFSZ];
	int64_t now = clock_now(so->o.now);
	size_t i, k;

	memset(counts, 0, sizeof(*counts));
	memset(&x, 0, sizeof(x));
	x.r = &r;
	x.so = so;
	x.warn = warn;
	x.warg = warg;
	x.fn = fn;
	x.arg = arg;
	x.counts = counts;
	if (opts_channel(&so->o, &x.ch) == -1)
		return pms_seterr(PMS_EUSAGE, "--channel: sms or email");
	if ((st = begin(s)) != PMS_OK)
		return st;
	if ((st = rm_load(&r, s)) != PMS_OK) {
		pms_store_rollback(s);
		return st;
	}
	if ((st = rm_sender_init(&x.sender, so->exec, r.sender_path,
	    so->timeout_ms > 0 ? so->timeout_ms : PMS_REMIND_TIMEOUT_MS)) !=
	    PMS_OK)
		goto fail;
	if (!so->dry_run && ((st = mark_unknown(&x, now)) != PMS_OK ||
	    (st = close_failed(&x, now)) != PMS_OK))
		goto fail;
	if (so->use_picks)
		for (i = 0; i < so->npicks; i++) {
			for (k = 0; k < r.nrules; k++)
				if (strcmp(r.rules[k].name,
				    so->picks[i].rule) == 0)
					break;
			if ((st = todo_add(&x, so->picks[i].appointment_id,
			    k, so->picks[i].id, so->picks[i].rule)) != PMS_OK)
				goto fail;
			x.todo[x.ntodo - 1].start_utc = so->picks[i].start_utc;
		}
	else if ((st = scan(&r, now, so->o.within > 0 ? so->o.within :
	    r.reach, send_scan_one, &x)) != PMS_OK)
		goto fail;
	if ((st = so->dry_run ? (pms_store_rollback(s), PMS_OK) :
	    pms_store_commit(s)) != PMS_OK)
		goto out;
	if (warn != NULL && !so->dry_run && x.ntodo > 0 &&
	    pms_remind_key_cached(s))
		warn(warg, "a key of this store is cached in the kernel "
		    "keyring: the sender runs as the same user and could "
		    "reach it (see pms(7)); run send with a key file (cron), "
		    "or pms-admin lock first");
	rm_lease_make(lease, sizeof(lease));
	snprintf(x.lease, sizeof(x.lease), "%s%s%s", pms_store_user(s),
	    lease[0] != '\0' ? " " : "", lease);
	x.sender.stop = so->stop;
	if ((st = send_each(&x)) == PMS_OK && x.bad_config)
		st = pms_seterr(PMS_ECONFIG, "%zu reminder%s not sent: %s",
		    counts->bad_config, counts->bad_config == 1 ? "" : "s",
		    "a template of theirs is not valid (see the warnings)");
	goto out;
fail:
	pms_store_rollback(s);
out:
	rm_sender_release(&x.sender);
	free(x.todo);
	rm_release(&r);
	return st;
}

/* ---- opt-outs ---- */

/* The ids of the patients reached at number (sms) or address (email),
 * for audit entries; *v is the caller's to free. */
static enum pms_status
patients_at(struct pms_store *s, const char *addr, int ch, int64_t **v,
    size_t *n)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(s->db, ch == CH_SMS ? "SELECT id FROM patients "
	    "WHERE (mobile_phone = ?1 OR phone = ?1) AND merged_into IS NULL "
	    "ORDER BY id" : "SELECT id FROM patients WHERE lower(email) = "
	    "lower(?1) AND merged_into IS NULL ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the patients");
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ps = pid_add(v, n, &cap, sqlite3_column_int64(st, 0))) !=
		    PMS_OK)
			break;
	if (ps == PMS_OK && rc != SQLITE_DONE)
		ps = pms_store_sqlerr(s, rc, "reading the patients");
	sqlite3_finalize(st);
	return ps;
}

/*
 * Opt patient (> 0) or address out of channel ch, unless they are so
 * already (*changed 0); or opt them in again: end every opt-out of
 * theirs on the channel (with both_at, also those of the patients
 * reached at address).  Inside the caller's transaction.
 */
static enum pms_status
optout_write(struct pms_store *s, int64_t patient, const char *addr, int ch,
    int optin, int both_at, const char *source, int *changed)
{
	sqlite3_stmt *st = NULL;
	char at[PMS_STAMP_BUFSZ];
	sqlite3_int64 have;
	int rc;

	*changed = 0;
	pms_instant_fmt((int64_t)time(NULL), at);
	if (!optin) {
		rc = sqlite3_prepare_v2(s->db, patient > 0 ? "SELECT count(*) "
		    "FROM reminder_optouts WHERE patient_id = ?1 AND channel = "
		    "?2 AND ended_at IS NULL" : "SELECT count(*) FROM "
		    "reminder_optouts WHERE address = ?1 AND channel = ?2 AND "
		    "ended_at IS NULL", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return pms_store_sqlerr(s, rc, "reading the opt-outs");
		if (patient > 0)
			sqlite3_bind_int64(st, 1, patient);
		else
			sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, channels[ch], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		have = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return pms_store_sqlerr(s, rc, "reading the opt-outs");
		if (have > 0)
			return PMS_OK;
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO reminder_optouts "
		    "(patient_id, address, channel, source, created_at, "
		    "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st,
		    NULL);
		if (rc != SQLITE_OK)
			return pms_store_sqlerr(s, rc, "recording an opt-out");
		if (patient > 0)
			sqlite3_bind_int64(st, 1, patient);
		else
			sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
	} else {
		rc = sqlite3_prepare_v2(s->db, "UPDATE reminder_optouts SET "
		    "ended_at = ?5, ended_by = ?6, end_source = ?4 WHERE "
		    "ended_at IS NULL AND channel = ?3 AND (patient_id = ?1 OR "
		    "address = ?2 OR (?7 AND patient_id IN (SELECT id FROM "
		    "patients WHERE (?3 = 'sms' AND (mobile_phone = ?2 OR "
		    "phone = ?2)) OR (?3 = 'email' AND lower(email) = "
		    "lower(?2)))))", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return pms_store_sqlerr(s, rc, "recording an opt-in");
		if (patient > 0)
			sqlite3_bind_int64(st, 1, patient);
		if (addr != NULL)
			sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, both_at && addr != NULL);
	}
	sqlite3_bind_text(st, 3, channels[ch], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, pms_store_user(s), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "recording an opt-out");
	*changed = sqlite3_changes(s->db) > 0;
	return PMS_OK;
}

/* A phone number as E.164 in the practice's country. */
static enum pms_status
phone_norm(struct pms_store *s, const char *in, char out[PMS_PT_PHONE])
{
	struct pms_practice p;
	enum pms_status st;

	if ((st = pms_practice_get(s, &p)) != PMS_OK)
		return st;
	return pms_phone_e164(in, p.country[0] != '\0' ? p.country : "US",
	    out);
}

enum pms_status
pms_remind_optout(struct pms_store *s, const struct pms_remind_optout_req *q,
    int optin, int *changed)
{
	char phone[PMS_PT_PHONE], why[256];
	enum pms_status st;
	int64_t pid = 0, *pids = NULL;
	size_t npids = 0;
	int ch, ch2, dummy;

	if (changed == NULL)
		changed = &dummy;
	*changed = 0;
	ch = q->channel != NULL ? channel_index(q->channel) : -2;
	if (ch == -1)
		return pms_seterr(PMS_EUSAGE, "--channel: sms or email");
	if (q->phone != NULL) {
		if (ch == CH_EMAIL)
			return pms_seterr(PMS_EUSAGE, "--phone: a number opts "
			    "out of sms, not email");
		ch = CH_SMS;
	} else if (ch == -2)
		return pms_seterr(PMS_EUSAGE, "--channel sms or email is "
		    "needed");
	if ((st = begin(s)) != PMS_OK)
		return st;
	if (q->phone != NULL) {
		if ((st = phone_norm(s, q->phone, phone)) != PMS_OK) {
			/* a copy: the message is formatted into errmsg's */
			snprintf(why, sizeof(why), "%s", pms_errmsg());
			st = pms_seterr(PMS_EDATA, "--phone: %s", why);
			goto fail;
		}
		if ((st = patients_at(s, phone, CH_SMS, &pids, &npids)) !=
		    PMS_OK)
			goto fail;
	} else {
		if ((st = pms_patient_id(s, q->patient_id, q->mrn, &pid,
		    NULL)) != PMS_OK)
			goto fail;
		pids = malloc(sizeof(*pids));
		if (pids == NULL) {
			st = pms_seterr(PMS_ENOMEM, "out of memory");
			goto fail;
		}
		pids[npids++] = pid;
	}
	ch2 = ch;
	if ((st = optout_write(s, pid, q->phone != NULL ? phone : NULL, ch2,
	    optin, 0, "staff", changed)) != PMS_OK)
		goto fail;
	if (*changed && (st = pms_audit_append(s, optin ? "remind.optin" :
	    "remind.optout", "optout", pids, npids)) != PMS_OK)
		goto fail;
	free(pids);
	return pms_store_commit(s);
fail:
	free(pids);
	pms_store_rollback(s);
	return st;
}

/* ---- mark: outcomes and replies ---- */

/* A reminder as mark finds it by its id. */
struct rm_row {
	int64_t		 id;
	int64_t		 appointment_id;
	int64_t		 patient_id;
	int		 channel;
	int		 attempts;
	char		 status[PMS_REMIND_WORD];
};

static enum pms_status
row_find(struct pms_store *s, const char *rid, struct rm_row *w)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	char chan[PMS_REMIND_WORD];
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, "SELECT id, appointment_id, "
	    "patient_id, channel, attempts, status FROM reminders WHERE "
	    "reminder_id = ?1", -1, &st, NULL)) != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the reminders");
	sqlite3_bind_text(st, 1, rid, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		w->id = sqlite3_column_int64(st, 0);
		w->appointment_id = sqlite3_column_int64(st, 1);
		w->patient_id = sqlite3_column_int64(st, 2);
		col(st, 3, chan, sizeof(chan));
		w->channel = channel_index(chan);
		w->attempts = sqlite3_column_int(st, 4);
		col(st, 5, w->status, sizeof(w->status));
		ps = PMS_OK;
	} else if (rc == SQLITE_DONE)
		ps = pms_seterr(PMS_EREFUSED, "no reminder %s", rid);
	else
		ps = pms_store_sqlerr(s, rc, "reading the reminders");
	sqlite3_finalize(st);
	return ps;
}

/* Does patient pid have addr as their number (sms) or address? */
static enum pms_status
patient_has(struct pms_store *s, int64_t pid, const char *addr, int ch,
    int *yes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*yes = 0;
	rc = sqlite3_prepare_v2(s->db, ch == CH_SMS ? "SELECT count(*) FROM "
	    "patients WHERE id = ?1 AND (mobile_phone = ?2 OR phone = ?2)" :
	    "SELECT count(*) FROM patients WHERE id = ?1 AND lower(email) = "
	    "lower(?2)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the patients");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*yes = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? PMS_OK : pms_store_sqlerr(s, rc,
	    "reading the patients");
}

/*
 * Number addr's opt-out of channel ch, if it has one, made into one of
 * each patient who has the number but pid, and ended: so that pid
 * alone is opted in again.  Inside the caller's transaction.
 */
static enum pms_status
optout_split(struct pms_store *s, int64_t pid, const char *addr, int ch)
{
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int64_t *pids = NULL;
	size_t npids = 0, i;
	int have = 0, rc, changed;

	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM reminder_optouts "
	    "WHERE address = ?1 AND channel = ?2 AND ended_at IS NULL", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the opt-outs");
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, channels[ch], -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return pms_store_sqlerr(s, rc, "reading the opt-outs");
	if (!have)
		return PMS_OK;
	if ((ps = patients_at(s, addr, ch, &pids, &npids)) != PMS_OK)
		return ps;
	for (i = 0; i < npids; i++)
		if (pids[i] != pid && (ps = optout_write(s, pids[i], NULL, ch,
		    0, 0, "reply", &changed)) != PMS_OK)
			goto out;
	ps = optout_write(s, 0, addr, ch, 1, 0, "reply", &changed);
out:
	free(pids);
	return ps;
}

/*
 * The number a patient's SMS reminders go to (patient_check()): the
 * mobile phone, else the phone.  A reply is matched to it, never to
 * another number of the patient's (a household's landline that was
 * never texted).
 */
#define RECIPIENT_SMS \
	"CASE WHEN coalesce(p.mobile_phone, '') <> '' THEN p.mobile_phone " \
	"ELSE p.phone END"

/* Is addr the number (sms) or address the patient's reminders go to? */
static enum pms_status
texted_to(struct pms_store *s, int64_t pid, const char *addr, int ch,
    int *yes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*yes = 0;
	rc = sqlite3_prepare_v2(s->db, ch == CH_SMS ? "SELECT count(*) FROM "
	    "patients p WHERE p.id = ?1 AND " RECIPIENT_SMS " = ?2" :
	    "SELECT count(*) FROM patients p WHERE p.id = ?1 AND "
	    "lower(p.email) = lower(?2)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the patients");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*yes = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? PMS_OK : pms_store_sqlerr(s, rc,
	    "reading the patients");
}


/*
 * The one booked, future appointment that was reminded on channel ch to
 * addr (the number its reminders go to); PMS_EREFUSED when there is
 * none, or more than one (a family's number: the reply must name its
 * reminder).
 */
static enum pms_status
reminded_at(struct pms_store *s, const char *addr, int ch, int64_t now,
    int64_t *appt, int64_t *pid)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT r.appointment_id, "
	    "r.patient_id, a.start_utc FROM reminders r JOIN appointments a "
	    "ON a.id = r.appointment_id JOIN patients p ON p.id = "
	    "r.patient_id WHERE r.channel = ?2 AND (r.status = 'sent' OR "
	    "r.status = 'delivered' OR r.status = 'unknown') AND a.status = "
	    "'booked' AND a.start_utc = r.start_utc AND a.start_utc > ?3 AND "
	    "((?2 = 'sms' AND " RECIPIENT_SMS " = ?1) OR (?2 = 'email' AND "
	    "lower(p.email) = lower(?1))) ORDER BY a.start_utc", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the reminders");
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, channels[ch], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0) {
			*appt = sqlite3_column_int64(st, 0);
			*pid = sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading the reminders");
	if (n == 0)
		return pms_seterr(PMS_EREFUSED, "no reminded appointment to "
		    "come for that %s", ch == CH_SMS ? "number" : "address");
	if (n > 1)
		return pms_seterr(PMS_EREFUSED, "that %s was reminded of %d "
		    "appointments: the reply needs its reminder_id",
		    ch == CH_SMS ? "number" : "address", n);
	return PMS_OK;
}

/* The reply texts, in the patient's language where we have it. */
struct replies {
	const char	*tag;
	const char	*confirmed, *cancelled, *stopped, *started, *help;
};
static const struct replies replies[] = {
	{ "en", "Thank you: your visit is confirmed.",
	  "Your visit is cancelled. Call us to book another: %s.",
	  "You will get no more reminders from %s. Reply START to get them "
	  "again.",
	  "You will get reminders from %s again. Reply STOP to stop them.",
	  "%s: visit reminders. Reply C to confirm, X to cancel, STOP to "
	  "stop them, START to start again. Call us: %s." },
	{ "es", "Gracias: su cita est\xc3\xa1 confirmada.",
	  "Su cita est\xc3\xa1 cancelada. Ll\xc3\xa1menos para pedir otra: "
	  "%s.",
	  "No recibir\xc3\xa1 m\xc3\xa1s recordatorios de %s. Responda START "
	  "para recibirlos de nuevo.",
	  "Recibir\xc3\xa1 de nuevo recordatorios de %s. Responda STOP para "
	  "dejar de recibirlos.",
	  "%s: recordatorios de citas. Responda C para confirmar, X para "
	  "cancelar, STOP para no recibirlos, START para recibirlos. "
	  "Ll\xc3\xa1menos: %s." },
};

static const struct replies *
replies_for(struct pms_store *s, int64_t pid)
{
	struct pms_patient *p;
	size_t i, n;

	if (pid <= 0 || (p = malloc(sizeof(*p))) == NULL)
		return &replies[0];
	if (pms_patient_get(s, pid, 0, p) == PMS_OK) {
		n = strcspn(p->language, "-_");
		for (i = 0; i < PMS_NELEM(replies); i++)
			if (n == strlen(replies[i].tag) &&
			    strncasecmp(p->language, replies[i].tag, n) == 0) {
				sodium_memzero(p, sizeof(*p));
				free(p);
				return &replies[i];
			}
	}
	sodium_memzero(p, sizeof(*p));
	free(p);
	return &replies[0];
}

struct mark_ctx {
	struct pms_store *s;
	struct pms_practice practice;
	int		 max_attempts;
	int64_t		 backoff;
	int64_t		 now;
	char		 rid[PMS_REMIND_ID_BUFSZ + 8];
	char		 from[PMS_PT_EMAIL];
	char		 response[400];
	const char	*result;
	int64_t		 appt, pid;
};

/*
 * The words of a reply: its keyword (upper case) and what follows, at
 * most one word.  Punctuation at the end ("Stop.", "C!") is not part
 * of them.
 */
static int
reply_words(const char *text, char *kw, size_t ksize, char *rest,
    size_t rsize)
{
	char buf[256], *in = buf;
	size_t n, i;

	if (strlen(text) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", text);
	for (n = strlen(buf); n > 0 && strchr(" \t\r\n.!?,;:", buf[n - 1]) !=
	    NULL; n--)
		buf[n - 1] = '\0';
	in += strspn(in, " \t\r\n");
	n = strcspn(in, " \t\r\n");
	if (n == 0 || n >= ksize)
		return -1;
	for (i = 0; i < n; i++)
		kw[i] = (char)toupper((unsigned char)in[i]);
	kw[n] = '\0';
	in += n;
	in += strspn(in, " \t\r\n");
	n = strcspn(in, " \t\r\n");
	if (n >= rsize)
		return -1;
	snprintf(rest, rsize, "%.*s", (int)n, in);
	in += n;
	in += strspn(in, " \t\r\n");
	return *in == '\0' ? 0 : -1;
}

/* delivered, failed: what the gateway said of a reminder. */
static enum pms_status
mark_outcome(struct mark_ctx *m, const struct pms_record *rec, int delivered)
{
	struct rm_row w;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	char at[PMS_STAMP_BUFSZ];
	int64_t next = 0;
	int rc;

	if (m->rid[0] == '\0')
		return pms_record_fail(rec, "reminder_id", PMS_EDATA,
		    "missing: an outcome is of a reminder");
	if ((ps = row_find(m->s, m->rid, &w)) != PMS_OK)
		return ps == PMS_EREFUSED ? pms_record_fail(rec, "reminder_id",
		    PMS_EREFUSED, "no such reminder") : ps;
	m->appt = w.appointment_id;
	m->pid = w.patient_id;
	m->result = delivered ? "delivered" : "failed";
	if (strcmp(w.status, "skipped") == 0 || (!delivered &&
	    strcmp(w.status, "delivered") == 0) || (!delivered &&
	    strcmp(w.status, "failed") == 0))
		return pms_record_fail(rec, "outcome", PMS_EREFUSED, "reminder "
		    "%s is %s", m->rid, w.status);
	if (delivered && strcmp(w.status, "delivered") == 0)
		return PMS_OK;
	pms_instant_fmt(m->now, at);
	if (!delivered && w.attempts < m->max_attempts)
		next = m->now + m->backoff;
	rc = sqlite3_prepare_v2(m->s->db, delivered ? "UPDATE reminders SET "
	    "status = 'delivered', delivered_at = ?2, deadline_utc = NULL, "
	    "reason = NULL, updated_at = ?2 WHERE id = ?1" : "UPDATE reminders "
	    "SET status = 'failed', reason = ?3, next_utc = ?4, deadline_utc "
	    "= NULL, updated_at = ?2 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(m->s, rc, "recording a reminder");
	sqlite3_bind_int64(st, 1, w.id);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	if (!delivered) {
		sqlite3_bind_text(st, 3, next != 0 ? "the gateway said it "
		    "failed" : "the gateway said it failed; no attempts left",
		    -1, SQLITE_STATIC);
		if (next != 0)
			sqlite3_bind_int64(st, 4, next);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(m->s, rc, "recording a reminder");
	return pms_audit_append(m->s, "remind.mark", "status", &w.patient_id,
	    1);
}

/* A patient's reply: C, X, STOP [MRN], START [MRN], HELP. */
static enum pms_status
mark_reply(struct mark_ctx *m, const struct pms_record *rec,
    const char *text, int ch)
{
	const struct replies *rp;
	struct pms_appt_opts ao;
	struct rm_row w;
	enum pms_status ps;
	char kw[16], mrn[PMS_PT_MRN], phone[PMS_PT_PHONE];
	int64_t *pids = NULL, pid = 0;
	size_t npids = 0;
	int yes, changed, stop;

	if (reply_words(text, kw, sizeof(kw), mrn, sizeof(mrn)) == -1)
		return pms_record_fail(rec, "reply", PMS_EREFUSED, "not one of "
		    "C, X, STOP, START, HELP");
	if (m->from[0] != '\0' && ch == CH_SMS) {
		if (pms_phone_e164(m->from, m->practice.country[0] != '\0' ?
		    m->practice.country : "US", phone) != PMS_OK)
			return pms_record_fail(rec, "from", PMS_EDATA, "not a "
			    "phone number");
		snprintf(m->from, sizeof(m->from), "%s", phone);
	}
	if (m->rid[0] != '\0') {
		if ((ps = row_find(m->s, m->rid, &w)) != PMS_OK)
			return ps == PMS_EREFUSED ? pms_record_fail(rec,
			    "reminder_id", PMS_EREFUSED, "no such reminder") :
			    ps;
		m->appt = w.appointment_id;
		m->pid = w.patient_id;
		if (m->from[0] != '\0') {
			if ((ps = texted_to(m->s, w.patient_id, m->from, ch,
			    &yes)) != PMS_OK)
				return ps;
			if (!yes)
				return pms_record_fail(rec, "from",
				    PMS_EREFUSED, "not the %s that "
				    "reminder went to", ch == CH_SMS ?
				    "number" : "address");
		}
	}
	/*
	 * The carriers' opt-out words (CTIA) are STOP as well, and so is
	 * STOP followed by anything that is not the MRN of a patient with
	 * this number ("STOP ALL", "STOP please"): the whole number.  Any
	 * reasonable way of saying stop ends the consent.
	 */
	stop = strcmp(kw, "STOP") == 0 || (mrn[0] == '\0' && (strcmp(kw,
	    "STOPALL") == 0 || strcmp(kw, "UNSUBSCRIBE") == 0 ||
	    strcmp(kw, "CANCEL") == 0 || strcmp(kw, "END") == 0 ||
	    strcmp(kw, "QUIT") == 0));
	if (strcmp(kw, "UNSTOP") == 0)
		snprintf(kw, sizeof(kw), "START");
	if (stop || strcmp(kw, "START") == 0) {
		if (m->from[0] == '\0')
			return pms_record_fail(rec, "from", PMS_EDATA,
			    "missing: %s needs the number it came from",
			    stop ? "STOP" : kw);
		if (mrn[0] != '\0') {
			if ((ps = pms_patient_id(m->s, 0, mrn, &pid, NULL)) ==
			    PMS_OK && (ps = patient_has(m->s, pid, m->from,
			    ch, &yes)) == PMS_OK && !yes)
				ps = PMS_EREFUSED;
			if ((ps == PMS_EREFUSED || ps == PMS_EDATA) && stop)
				pid = 0;	/* the whole number */
			else if (ps == PMS_EREFUSED)
				return pms_record_fail(rec, "reply",
				    PMS_EREFUSED, "no patient with that MRN "
				    "has this %s", ch == CH_SMS ? "number" :
				    "address");
			else if (ps != PMS_OK)
				return ps;
			m->pid = pid;
		}
		/* START MRN from a number that is opted out whole: the
		 * others at the number stay out, that patient alone is in */
		if (!stop && pid > 0 && (ps = optout_split(m->s, pid, m->from,
		    ch)) != PMS_OK)
			return ps;
		if ((ps = optout_write(m->s, pid, pid > 0 ? NULL : m->from, ch,
		    !stop, 1, "reply", &changed)) != PMS_OK)
			return ps;
		m->result = stop ? "opted-out" : "opted-in";
		if (pid > 0) {
			pids = &pid;
			npids = 1;
		} else if ((ps = patients_at(m->s, m->from, ch, &pids,
		    &npids)) != PMS_OK)
			return ps;
		rp = replies_for(m->s, pid > 0 ? pid : npids == 1 ? pids[0] :
		    0);
		snprintf(m->response, sizeof(m->response), stop ? rp->stopped :
		    rp->started, m->practice.name);
		ps = changed ? pms_audit_append(m->s, "remind.mark", "optout",
		    pids, npids) : PMS_OK;
		if (pids != &pid)
			free(pids);
		return ps;
	}
	if (mrn[0] != '\0')
		return pms_record_fail(rec, "reply", PMS_EREFUSED, "not one of "
		    "C, X, STOP, START, HELP");
	if (strcmp(kw, "HELP") == 0 || strcmp(kw, "INFO") == 0) {
		rp = replies_for(m->s, m->pid);
		snprintf(m->response, sizeof(m->response), rp->help,
		    m->practice.name, m->practice.phone);
		m->result = "help";
		return PMS_OK;
	}
	if (strcmp(kw, "C") != 0 && strcmp(kw, "X") != 0)
		return pms_record_fail(rec, "reply", PMS_EREFUSED, "not one of "
		    "C, X, STOP, START, HELP");
	if (m->appt == 0) {
		if (m->from[0] == '\0')
			return pms_record_fail(rec, "from", PMS_EDATA,
			    "missing: give the number it came from, or its "
			    "reminder_id");
		if ((ps = reminded_at(m->s, m->from, ch, m->now, &m->appt,
		    &m->pid)) == PMS_EREFUSED)
			return pms_record_fail(rec, "from", PMS_EREFUSED, "%s",
			    pms_errmsg());
		if (ps != PMS_OK)
			return ps;
	}
	memset(&ao, 0, sizeof(ao));
	ao.in_transaction = 1;
	ao.action = "remind.mark";
	ao.now = m->now;
	rp = replies_for(m->s, m->pid);
	if (strcmp(kw, "C") == 0) {
		ps = pms_appt_mark(m->s, m->appt, PMS_APPT_CONFIRM, NULL, NULL,
		    &ao, NULL);
		m->result = "confirmed";
		snprintf(m->response, sizeof(m->response), "%s",
		    rp->confirmed);
	} else {
		ps = pms_appt_mark(m->s, m->appt, PMS_APPT_CANCEL, "patient",
		    "patient by reminder reply", &ao, NULL);
		m->result = "cancelled";
		snprintf(m->response, sizeof(m->response), rp->cancelled,
		    m->practice.phone);
	}
	if (ps == PMS_EREFUSED)
		return pms_record_fail(rec, "reply", PMS_EREFUSED, "%s",
		    pms_errmsg());
	return ps;
}

static enum pms_status
mark_one(struct mark_ctx *m, const struct pms_record *rec)
{
	const char *rid, *outcome, *reply, *from, *chan;
	struct rm_row w;
	enum pms_status ps;
	int ch = CH_SMS;

	m->rid[0] = m->from[0] = m->response[0] = '\0';
	m->result = "refused";
	m->appt = m->pid = 0;
	rid = pms_record_text(rec, "reminder_id");
	outcome = pms_record_text(rec, "outcome");
	reply = pms_record_text(rec, "reply");
	from = pms_record_text(rec, "from");
	chan = pms_record_text(rec, "channel");
	if (rid != NULL && *rid != '\0') {
		if (strlen(rid) != PMS_REMIND_ID_BUFSZ - 1 ||
		    strspn(rid, "0123456789abcdef") != strlen(rid))
			return pms_record_fail(rec, "reminder_id", PMS_EDATA,
			    "not a reminder id (16 hex digits)");
		snprintf(m->rid, sizeof(m->rid), "%s", rid);
	}
	if (from != NULL) {
		if (strlen(from) >= sizeof(m->from))
			return pms_record_fail(rec, "from", PMS_EDATA, "too "
			    "long");
		snprintf(m->from, sizeof(m->from), "%s", from);
	}
	if (chan != NULL && *chan != '\0') {
		if ((ch = channel_index(chan)) < 0)
			return pms_record_fail(rec, "channel", PMS_EDATA,
			    "expected sms or email");
	} else if (m->rid[0] != '\0' && row_find(m->s, m->rid, &w) ==
	    PMS_OK && w.channel >= 0)
		ch = w.channel;
	if (outcome != NULL && *outcome != '\0' && strcmp(outcome,
	    "reply") != 0) {
		if (strcmp(outcome, "delivered") != 0 && strcmp(outcome,
		    "failed") != 0)
			return pms_record_fail(rec, "outcome", PMS_EDATA,
			    "expected delivered, failed or reply");
		if (reply != NULL && *reply != '\0')
			return pms_record_fail(rec, "reply", PMS_EDATA, "a "
			    "reply is not a %s outcome", outcome);
		return mark_outcome(m, rec, strcmp(outcome, "delivered") == 0);
	}
	if (reply == NULL || *reply == '\0')
		return pms_record_fail(rec, NULL, PMS_EDATA, "give outcome "
		    "(delivered or failed) or reply (the patient's message)");
	ps = mark_reply(m, rec, reply, ch);
	return ps;
}

enum pms_status
pms_remind_mark(struct pms_store *s, struct pms_reader *rd, int64_t now,
    pms_remind_report_fn *report, void *rarg, pms_remind_mark_fn *fn,
    void *arg, struct pms_remind_mark_counts *counts)
{
	struct pms_remind_mark_result res;
	struct pms_record *rec;
	struct mark_ctx m;
	struct pms_config *cfg = NULL;
	enum pms_status st, worst = PMS_OK;
	int64_t v;

	memset(counts, 0, sizeof(*counts));
	memset(&m, 0, sizeof(m));
	m.s = s;
	if ((st = pms_practice_get(s, &m.practice)) != PMS_OK ||
	    (st = pms_config_read(s, &cfg)) != PMS_OK)
		return st;
	m.max_attempts = pms_config_int(cfg, "reminders.retry.max_attempts",
	    &v) == PMS_OK ? (int)v : 3;
	m.backoff = pms_config_int(cfg, "reminders.retry.backoff", &v) ==
	    PMS_OK ? v : 900;
	pms_config_free(cfg);
	for (;;) {
		if ((st = pms_reader_next(rd, &rec)) == PMS_EDATA) {
			counts->records++;
			counts->bad++;
			worst = PMS_EDATA;
			if (report != NULL)
				report(rarg, pms_errmsg());
			continue;
		}
		if (st != PMS_OK)
			return st;
		if (rec == NULL)
			break;
		counts->records++;
		m.now = clock_now(now);
		if ((st = begin(s)) != PMS_OK)
			return st;
		st = mark_one(&m, rec);
		if (st == PMS_OK) {
			if ((st = pms_store_commit(s)) != PMS_OK)
				return st;
			counts->applied++;
			memset(&res, 0, sizeof(res));
			res.line = pms_record_line(rec);
			res.reminder_id = m.rid;
			res.appointment_id = m.appt;
			res.patient_id = m.pid;
			res.from = m.from;
			res.result = m.result;
			res.response = m.response;
			if (fn != NULL && fn(arg, &res) != 0)
				return pms_seterr(PMS_EIO, "output stopped");
			continue;
		}
		pms_store_rollback(s);
		if (st != PMS_EDATA && st != PMS_EREFUSED)
			return st;
		if (st == PMS_EDATA) {
			counts->bad++;
			worst = PMS_EDATA;
		} else {
			counts->refused++;
			if (worst == PMS_OK)
				worst = PMS_EREFUSED;
		}
		if (report != NULL)
			report(rarg, pms_errmsg());
	}
	if (worst == PMS_EDATA)
		return pms_seterr(PMS_EDATA, "%zu of %zu records not applied",
		    counts->bad + counts->refused, counts->records);
	if (worst == PMS_EREFUSED)
		return pms_seterr(PMS_EREFUSED, "%zu of %zu records refused",
		    counts->refused, counts->records);
	return PMS_OK;
}

/* ---- the log ---- */

const struct pms_col pms_remind_log_cols[] = {
	{ "reminder_id", PMS_COL_TEXT }, { "appointment_id", PMS_COL_INT },
	{ "patient_id", PMS_COL_INT }, { "mrn", PMS_COL_TEXT },
	{ "rule", PMS_COL_TEXT }, { "channel", PMS_COL_TEXT },
	{ "status", PMS_COL_TEXT }, { "reason", PMS_COL_TEXT },
	{ "attempts", PMS_COL_INT }, { "start", PMS_COL_TEXT },
	{ "due_at", PMS_COL_TEXT }, { "claimed_at", PMS_COL_TEXT },
	{ "sent_at", PMS_COL_TEXT }, { "delivered_at", PMS_COL_TEXT },
	{ "next_at", PMS_COL_TEXT }, { "updated_at", PMS_COL_TEXT },
};
const size_t pms_remind_log_ncols = PMS_NELEM(pms_remind_log_cols);

void
pms_remind_entry_cells(const struct pms_remind_entry *e, struct pms_cell *c)
{
	memset(c, 0, pms_remind_log_ncols * sizeof(*c));
	text_cell(&c[0], e->reminder_id);
	c[1].i = e->appointment_id;
	c[2].i = e->patient_id;
	text_cell(&c[3], e->mrn);
	text_cell(&c[4], e->rule);
	text_cell(&c[5], e->channel);
	text_cell(&c[6], e->status);
	text_cell(&c[7], e->reason);
	c[8].i = e->attempts;
	text_cell(&c[9], e->start);
	text_cell(&c[10], e->due_at);
	text_cell(&c[11], e->claimed_at);
	text_cell(&c[12], e->sent_at);
	text_cell(&c[13], e->delivered_at);
	text_cell(&c[14], e->next_at);
	text_cell(&c[15], e->updated_at);
}

#define LOG_FIELDS	"reminder_id,appointment_id,patient_id,mrn,rule," \
			"channel,status,reason,attempts,start,due_at," \
			"claimed_at,sent_at,delivered_at,next_at,updated_at"

enum pms_status
pms_remind_log(struct pms_store *s, const struct pms_remind_log_query *q,
    pms_remind_entry_fn *fn, void *arg, size_t *count)
{
	struct pms_remind_entry e;
	struct pms_practice pr;
	struct pms_local l;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	char zone[PMS_ZONE_MAX];
	int64_t now = clock_now(q->now), lo, hi, pid = 0, *pids = NULL;
	size_t npids = 0, cap = 0, n = 0;
	int rc;

	if (count != NULL)
		*count = 0;
	if (q->channel != NULL && channel_index(q->channel) < 0)
		return pms_seterr(PMS_EUSAGE, "--channel: sms or email");
	if ((ps = begin(s)) != PMS_OK)
		return ps;
	if ((ps = pms_practice_get(s, &pr)) != PMS_OK)
		goto fail;
	if ((q->patient_id > 0 || (q->mrn != NULL && *q->mrn != '\0')) &&
	    (ps = pms_patient_id(s, q->patient_id, q->mrn, &pid, NULL)) !=
	    PMS_OK)
		goto fail;
	if ((rc = sqlite3_create_function(s->db, "pms_rm_abandoned", 3,
	    SQLITE_UTF8, NULL, sql_abandoned, NULL, NULL)) != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading the reminders");
		goto fail;
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT r.reminder_id, "
	    "r.appointment_id, r.patient_id, coalesce(p.mrn, ''), r.rule, "
	    "r.channel, CASE WHEN r.status = 'sending' AND pms_rm_abandoned("
	    "r.claimed_by, r.deadline_utc, ?7) THEN 'unknown' ELSE r.status "
	    "END AS st, CASE WHEN r.status = 'sending' AND pms_rm_abandoned("
	    "r.claimed_by, r.deadline_utc, ?7) THEN ?8 ELSE "
	    "coalesce(r.reason, '') END, r.attempts, r.start_utc, a.zone, "
	    "r.due_utc, coalesce(r.claimed_at, ''), coalesce(r.sent_at, ''), "
	    "coalesce(r.delivered_at, ''), r.next_utc, r.updated_at "
	    "FROM reminders r JOIN patients p ON p.id = r.patient_id "
	    "JOIN appointments a ON a.id = r.appointment_id "
	    "WHERE (?1 IS NULL OR r.due_utc >= ?1) AND (?2 IS NULL OR "
	    "r.due_utc < ?2) AND (?3 IS NULL OR r.patient_id = ?3) AND "
	    "(?4 IS NULL OR r.appointment_id = ?4) AND (?6 IS NULL OR "
	    "r.channel = ?6) AND (?5 IS NULL OR ?5 = st) "
	    "ORDER BY r.due_utc, r.id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading the reminders");
		goto fail;
	}
	if (q->has_from) {
		if ((ps = pms_local_to_instant(pr.time_zone, &(struct
		    pms_local){ q->from, 0, 0, 0 }, &lo)) != PMS_OK)
			lo = (int64_t)q->from * SECS_DAY;
		sqlite3_bind_int64(st, 1, lo);
	}
	if (q->has_to) {
		if ((ps = pms_local_to_instant(pr.time_zone, &(struct
		    pms_local){ q->to + 1, 0, 0, 0 }, &hi)) != PMS_OK)
			hi = ((int64_t)q->to + 1) * SECS_DAY;
		sqlite3_bind_int64(st, 2, hi);
	}
	if (pid > 0)
		sqlite3_bind_int64(st, 3, pid);
	if (q->appointment_id > 0)
		sqlite3_bind_int64(st, 4, q->appointment_id);
	if (q->status != NULL)
		sqlite3_bind_text(st, 5, q->status, -1, SQLITE_STATIC);
	if (q->channel != NULL)
		sqlite3_bind_text(st, 6, q->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_text(st, 8, R_UNKNOWN, -1, SQLITE_STATIC);
	ps = PMS_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		col(st, 0, e.reminder_id, sizeof(e.reminder_id));
		e.appointment_id = sqlite3_column_int64(st, 1);
		e.patient_id = sqlite3_column_int64(st, 2);
		col(st, 3, e.mrn, sizeof(e.mrn));
		col(st, 4, e.rule, sizeof(e.rule));
		col(st, 5, e.channel, sizeof(e.channel));
		col(st, 6, e.status, sizeof(e.status));
		col(st, 7, e.reason, sizeof(e.reason));
		e.attempts = sqlite3_column_int(st, 8);
		col(st, 10, zone, sizeof(zone));
		if (pms_instant_to_local(zone, sqlite3_column_int64(st, 9),
		    &l) == PMS_OK)
			pms_local_fmt(&l, e.start);
		pms_instant_fmt(sqlite3_column_int64(st, 11), e.due_at);
		col(st, 12, e.claimed_at, sizeof(e.claimed_at));
		col(st, 13, e.sent_at, sizeof(e.sent_at));
		col(st, 14, e.delivered_at, sizeof(e.delivered_at));
		if (sqlite3_column_type(st, 15) != SQLITE_NULL &&
		    strcmp(e.status, "failed") == 0)
			pms_instant_fmt(sqlite3_column_int64(st, 15),
			    e.next_at);
		col(st, 16, e.updated_at, sizeof(e.updated_at));
		if ((ps = pid_add(&pids, &npids, &cap, e.patient_id)) !=
		    PMS_OK)
			goto fail;
		n++;
		if (fn(arg, &e) != 0) {
			ps = pms_seterr(PMS_EIO, "output stopped");
			break;
		}
	}
	if (ps == PMS_OK && rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading the reminders");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (count != NULL)
		*count = n;
	/* rows went out even when fn stopped: the entry is written */
	{
		enum pms_status ps2;

		if ((ps2 = pms_audit_append(s, "remind.log", LOG_FIELDS, pids,
		    npids)) != PMS_OK) {
			ps = ps2;
			goto fail;
		}
		free(pids);
		if ((ps2 = pms_store_commit(s)) != PMS_OK)
			return ps2;
		return ps;
	}
fail:
	sqlite3_finalize(st);
	free(pids);
	pms_store_rollback(s);
	return ps;
}

/* ---- a new configuration's rules ---- */

/* The rules of a configuration: a JSON array (new), or NULL. */
static json_t *
rules_of(const struct pms_config *cfg)
{
	json_t *rem, *rules;
	char *text;

	if (cfg == NULL || (text = pms_config_json(cfg, "reminders")) == NULL)
		return NULL;
	rem = json_loads(text, 0, NULL);
	free(text);
	rules = json_incref(json_object_get(rem, "rules"));
	json_decref(rem);
	return rules;
}

/* The rule of rules named name, or NULL. */
static json_t *
rule_named(json_t *rules, const char *name)
{
	json_t *r;
	size_t i;

	json_array_foreach(rules, i, r)
		if (json_string_value(json_object_get(r, "name")) != NULL &&
		    strcmp(json_string_value(json_object_get(r, "name")),
		    name) == 0)
			return r;
	return NULL;
}

enum pms_status
pms_remind_rules_warn(struct pms_store *s, const struct pms_config *next,
    int64_t now, pms_remind_warn_fn *warn, void *warg)
{
	struct pms_config *old = NULL;
	json_t *was = NULL, *will = NULL, *r, *n;
	sqlite3_stmt *st = NULL;
	enum pms_status ps = PMS_OK;
	const char *name, *chan, *nname;
	char msg[400];
	size_t i, j;
	sqlite3_int64 count;
	int rc;

	if (warn == NULL)
		return PMS_OK;
	if ((ps = pms_store_begin_read(s)) != PMS_OK)
		return ps;
	if (pms_config_read(s, &old) != PMS_OK) {
		ps = PMS_OK;		/* none yet: nothing was reminded */
		goto out;
	}
	was = rules_of(old);
	will = rules_of(next);
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT count(DISTINCT "
	    "r.appointment_id) FROM reminders r JOIN appointments a ON a.id = "
	    "r.appointment_id WHERE r.rule = ?1 AND r.channel = ?2 AND "
	    "r.status IN ('sending', 'sent', 'delivered', 'unknown') AND "
	    "a.status = 'booked' AND a.start_utc = r.start_utc AND "
	    "a.start_utc > ?3", -1, &st, NULL)) != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading the reminders");
		goto out;
	}
	json_array_foreach(was, i, r) {
		name = json_string_value(json_object_get(r, "name"));
		chan = json_string_value(json_object_get(r, "channel"));
		if (name == NULL || chan == NULL || rule_named(will, name) !=
		    NULL)
			continue;
		/* a new rule of the same channel: the same reminders again */
		nname = NULL;
		json_array_foreach(will, j, n)
			if (json_string_value(json_object_get(n, "name")) !=
			    NULL && rule_named(was, json_string_value(
			    json_object_get(n, "name"))) == NULL &&
			    json_string_value(json_object_get(n, "channel")) !=
			    NULL && strcmp(json_string_value(json_object_get(n,
			    "channel")), chan) == 0) {
				nname = json_string_value(json_object_get(n,
				    "name"));
				break;
			}
		if (nname == NULL)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, chan, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, clock_now(now));
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			ps = pms_store_sqlerr(s, rc, "reading the reminders");
			goto out;
		}
		if ((count = sqlite3_column_int64(st, 0)) == 0)
			continue;
		snprintf(msg, sizeof(msg), "reminders.rules: rule %s is gone "
		    "and %s is new: %lld appointment%s to come, reminded "
		    "under %s already, will be reminded again under %s (keep "
		    "the rule's name to keep its reminders)", name, nname,
		    (long long)count, count == 1 ? "" : "s", name, nname);
		warn(warg, msg);
	}
out:
	sqlite3_finalize(st);
	json_decref(was);
	json_decref(will);
	pms_config_free(old);
	pms_store_rollback(s);
	return ps;
}
