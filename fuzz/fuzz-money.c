/*
 * fuzz-money: libFuzzer target for the money parser.  Beyond not
 * crashing, it checks the properties the rest of pms relies on: a
 * parsed amount is within PMS_MONEY_MAX, formats without "-0.00" and
 * parses back to the same cents, also in parentheses and with blanks
 * around; a refusal never quotes the text; splits sum exactly and
 * differ by at most a cent, the larger parts last.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

static void
check_fmt(int64_t c)
{
	char buf[PMS_MONEY_BUFSZ], wrapped[PMS_MONEY_BUFSZ + 8];
	int64_t back;

	pms_money_fmt(c, buf);
	if (strcmp(buf, "-0.00") == 0)
		abort();
	if (pms_money_parse(buf, &back) != PMS_OK || back != c)
		abort();
	if (c > 0) {
		(void)snprintf(wrapped, sizeof(wrapped), " ($%s)\t", buf);
		if (pms_money_parse(wrapped, &back) != PMS_OK || back != -c)
			abort();
	}
}

static void
check_split(int64_t total, size_t n)
{
	int64_t parts[64], sum = 0, lo, hi;
	size_t i;

	pms_money_split(total, n, parts);
	lo = hi = parts[0];
	for (i = 0; i < n; i++) {
		sum += parts[i];
		if (parts[i] < lo)
			lo = parts[i];
		if (parts[i] > hi)
			hi = parts[i];
		/* larger magnitudes come last */
		if (i > 0 && (total >= 0 ? parts[i] < parts[i - 1] :
		    parts[i] > parts[i - 1]))
			abort();
	}
	if (sum != total || hi - lo > 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int64_t c, v;
	size_t i;
	int digit = 0;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (pms_money_parse(s, &c) == PMS_OK) {
		if (c > PMS_MONEY_MAX || c < -PMS_MONEY_MAX)
			abort();
		check_fmt(c);
		check_split(c, size % 64 + 1);
	} else {
		for (i = 0; i < size; i++)
			digit |= s[i] >= '0' && s[i] <= '9';
		/* a message never quotes the text it refused */
		if (digit && strlen(s) >= 3 && strstr(pms_errmsg(), s) != NULL)
			abort();
	}
	if (size >= 8) {
		memcpy(&v, data, sizeof(v));
		v %= PMS_MONEY_MAX + 1;
		check_fmt(v);
		check_split(v, (size_t)data[0] % 64 + 1);
	}
	free(s);
	return 0;
}
