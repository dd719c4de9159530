/*
 * fuzz-date: libFuzzer target for dates, times of day, wall-clock
 * readings, instants, zone names and durations.  Properties checked: a
 * parsed date formats and reparses (as ISO) to the same day and
 * survives split and make; a parsed time or reading formats and
 * reparses to itself; a reading that a zone accepts converts to an
 * instant that converts back to that reading; any instant in range
 * converts to a reading that converts back to it, with its offset; TZ
 * is left exactly as it was, set or unset; an accepted zone name is a
 * plain relative name; durations are positive and bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptime.h"

static const char *zones[] = {
	"America/New_York", "Europe/Berlin", "Australia/Lord_Howe",
	"Asia/Kolkata", "Pacific/Chatham", "America/St_Johns",
	"Africa/Casablanca", "Europe/Dublin", "Pacific/Apia",
	"America/Sao_Paulo", "UTC", "Antarctica/Troll",
};

static void
check_date(const char *s, enum pms_date_form form)
{
	char buf[PMS_DATE_BUFSZ];
	int32_t d, back;
	int y, m, dd;

	if (pms_date_parse(s, form, &d) != PMS_OK)
		return;
	pms_date_fmt(d, buf);
	if (pms_date_parse(buf, PMS_DATE_ISO, &back) != PMS_OK || back != d)
		abort();
	pms_date_split(d, &y, &m, &dd);
	if (pms_date_make(y, m, dd, &back) != PMS_OK || back != d)
		abort();
	if (pms_date_weekday(d) < 0 || pms_date_weekday(d) > 6)
		abort();
}

static void
check_local(const char *s, enum pms_date_form form, const char *zone)
{
	char buf[PMS_STAMP_BUFSZ];
	struct pms_local l, back;
	int64_t t;

	if (pms_local_parse(s, form, &l) != PMS_OK)
		return;
	pms_local_fmt(&l, buf);
	if (pms_local_parse(buf, PMS_DATE_ISO, &back) != PMS_OK ||
	    back.days != l.days || back.secs != l.secs ||
	    back.has_offset != l.has_offset ||
	    (l.has_offset && back.offset != l.offset))
		abort();
	if (pms_local_to_instant(zone, &l, &t) != PMS_OK)
		return;
	if (pms_instant_to_local(zone, t, &back) != PMS_OK ||
	    back.days != l.days || back.secs != l.secs ||
	    (l.has_offset && back.offset != l.offset))
		abort();
}

static void
check_instant(int64_t t, const char *zone)
{
	char buf[PMS_STAMP_BUFSZ];
	struct pms_local l;
	int64_t back;

	if (pms_instant_to_local(zone, t, &l) != PMS_OK)
		abort();
	if (pms_local_to_instant(zone, &l, &back) != PMS_OK || back != t)
		abort();
	pms_instant_fmt(t, buf);
	if (pms_instant_parse(buf, &back) != PMS_OK || back != t)
		abort();
	pms_local_fmt(&l, buf);
	if (pms_instant_parse(buf, &back) != PMS_OK || back != t)
		abort();
	/* without the offset: the same instant, or refused as ambiguous */
	l.has_offset = 0;
	if (pms_local_to_instant(zone, &l, &back) == PMS_OK && back != t)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *zone, *tz;
	char *s, tbuf[PMS_TIME_BUFSZ];
	int32_t secs, back;
	int64_t t, dur, lo, hi;
	int form, set;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	zone = zones[size > 0 ? data[0] % (sizeof(zones) / sizeof(zones[0])) :
	    0];
	set = size > 1 && (data[1] & 1);
	if (set)
		setenv("TZ", "Asia/Tokyo", 1);
	else
		unsetenv("TZ");

	for (form = PMS_DATE_ISO; form <= PMS_DATE_EXCEL; form++) {
		check_date(s, (enum pms_date_form)form);
		check_local(s, (enum pms_date_form)form, zone);
	}
	if (pms_time_parse(s, &secs) == PMS_OK) {
		pms_time_fmt(secs, tbuf);
		if (pms_time_parse(tbuf, &back) != PMS_OK || back != secs)
			abort();
	}
	if (pms_zone_valid(s) && (s[0] == '/' || strstr(s, "..") != NULL))
		abort();
	if (pms_duration_parse(s, &dur) == PMS_OK &&
	    (dur <= 0 || dur > PMS_DURATION_MAX))
		abort();
	if (size >= 8) {
		/* an instant whose date is in range in every zone */
		lo = ((int64_t)-62091 + 1) * 86400;	/* 1800-01-02 */
		hi = ((int64_t)376199 - 1) * 86400;	/* 2999-12-30 */
		memcpy(&t, data, sizeof(t));
		t = lo + (int64_t)((uint64_t)t % (uint64_t)(hi - lo));
		check_instant(t, zone);
	}

	tz = getenv("TZ");
	if (set ? tz == NULL || strcmp(tz, "Asia/Tokyo") != 0 : tz != NULL)
		abort();
	free(s);
	return 0;
}
