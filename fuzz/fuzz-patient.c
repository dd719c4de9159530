/*
 * fuzz-patient: libFuzzer target for what the patient module parses
 * without a store: an import map (libyaml), and the normalisers of names
 * (search keys, the X12 form) and phone numbers.  Beyond not crashing or
 * leaking, it checks their promises: a map's error names the file and a
 * line; a search key holds no capital ASCII letter, apostrophe or full
 * stop and no two spaces together; an X12 name is uppercase ASCII letters,
 * digits, space, "-", "." and "'" only; an E.164 number is "+" and 8 to
 * 15 digits, and reads back as itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "patient.h"
#include "patient_import.h"

static void
check_key(const char *k)
{
	const char *p;

	for (p = k; *p != '\0'; p++)
		if ((*p >= 'A' && *p <= 'Z') || *p == '\'' || *p == '.' ||
		    (p[0] == ' ' && p[1] == ' '))
			abort();
}

static void
check_x12(const char *x)
{
	const char *p;

	for (p = x; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == ' ' || *p == '-' || *p == '.' || *p == '\''))
			abort();
}

static void
check_phone(const char *e)
{
	char again[PMS_PT_PHONE];
	size_t n = strlen(e), i;

	if (n < 9 || n > 16 || e[0] != '+')
		abort();
	for (i = 1; i < n; i++)
		if (e[i] < '0' || e[i] > '9')
			abort();
	if (pms_phone_e164(e, "US", again) != PMS_OK || strcmp(e, again) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pms_import_map *m;
	char *s, out[PMS_PT_KEY], ph[PMS_PT_PHONE];
	const char *msg;

	if (pms_import_map_parse((const char *)data, size, "fuzz.yaml", &m) ==
	    PMS_OK)
		pms_import_map_free(m);
	else {
		msg = pms_errmsg();
		if (strncmp(msg, "fuzz.yaml:", 10) != 0 &&
		    strcmp(msg, "out of memory") != 0)
			abort();
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (pms_name_key(s, out, sizeof(out)) == PMS_OK)
		check_key(out);
	if (pms_name_x12(s, out, sizeof(out)) == PMS_OK)
		check_x12(out);
	if (pms_phone_e164(s, "US", ph) == PMS_OK)
		check_phone(ph);
	if (pms_phone_e164(s, "GB", ph) == PMS_OK)
		check_phone(ph);
	free(s);
	return 0;
}
