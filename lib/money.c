/*
 * money.c: amounts of money as integer cents.  One parser for what
 * people and spreadsheets write ("$1,234.56", "(15.00)"), one way to
 * print an amount back, and a split that loses no cent.  Everything is
 * integer arithmetic on int64_t: a binary fraction never comes near an
 * amount (case B24 of the real-world cases is what happens otherwise).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "pms_int.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Why the number part p..end (the text after any sign, parenthesis and
 * dollar sign; sign says whether there was one) is not an amount: the
 * most helpful of the messages that apply.  Messages never quote the
 * text, which may come from a patient's row.
 */
static enum pms_status
number_error(const char *p, const char *end, int sign)
{
	const char *q, *dot = NULL, *comma = NULL;
	size_t ncomma = 0, after;

	for (q = p; q < end; q++) {
		if ((*q == 'e' || *q == 'E') && q > p && is_digit(q[-1]) &&
		    q + 1 < end && (is_digit(q[1]) || q[1] == '+' ||
		    q[1] == '-'))
			return pms_seterr(PMS_EDATA, "not an amount: "
			    "exponents are not accepted");
		if (*q == '(' || *q == ')')
			return pms_seterr(PMS_EDATA, "not an amount: "
			    "misplaced parenthesis");
		if (*q == '-')
			return pms_seterr(PMS_EDATA, sign ? "not an amount: "
			    "more than one sign" : "not an amount: misplaced "
			    "minus sign");
		if (*q == '.' && dot == NULL)
			dot = q;
		if (*q == ',') {
			ncomma++;
			comma = q;
		}
	}
	for (q = p; q < end; q++)
		if (!is_digit(*q) && *q != '.' && *q != ',')
			return pms_seterr(PMS_EDATA, "not an amount");
	if (ncomma == 1 && dot == NULL) {
		after = (size_t)(end - comma - 1);
		if (after == 1 || after == 2)
			return pms_seterr(PMS_EDATA, "not an amount: a "
			    "decimal comma (cents go after a point)");
	}
	if (ncomma > 0)
		return pms_seterr(PMS_EDATA, "not an amount: misplaced "
		    "thousands separator");
	return pms_seterr(PMS_EDATA, "not an amount");
}

/*
 * Parse the digits of p..end: an integer part with optional thousands
 * separators, an optional point and one or two decimals.
 */
static enum pms_status
parse_number(const char *p, const char *end, int sign, int64_t *cents)
{
	const char *q = p;
	int64_t v = 0;
	size_t group = 0, ndig = 0, ndec = 0;
	int commas = 0;

	for (; q < end && (is_digit(*q) || *q == ','); q++) {
		if (*q == ',') {
			/* first group 1 to 3 digits, later ones exactly 3 */
			if (ndig == 0 || (commas ? group != 3 : group > 3))
				return number_error(p, end, sign);
			commas = 1;
			group = 0;
			continue;
		}
		v = v * 10 + (*q - '0');
		if (v > PMS_MONEY_MAX / 100)
			goto toolarge;
		group++;
		ndig++;
	}
	if (commas && group != 3)
		return number_error(p, end, sign);
	v *= 100;
	if (q < end && *q == '.') {
		q++;
		for (; q < end && is_digit(*q); q++) {
			if (++ndec > 2) {
				/* make sure it is not junk after all */
				while (q < end && is_digit(*q))
					q++;
				if (q < end)
					return number_error(p, end, sign);
				return pms_seterr(PMS_EDATA, "not an amount: "
				    "more than two decimals");
			}
			v += (*q - '0') * (ndec == 1 ? 10 : 1);
		}
		if (ndec == 0)
			return pms_seterr(PMS_EDATA, "not an amount: no "
			    "digits after the decimal point");
	}
	if (q != end)
		return number_error(p, end, sign);
	if (ndig == 0 && ndec == 0)
		return pms_seterr(PMS_EDATA, "not an amount");
	if (v > PMS_MONEY_MAX)
		goto toolarge;
	*cents = v;
	return PMS_OK;
toolarge:
	return pms_seterr(PMS_EDATA, "amount too large (at most "
	    "%" PRId64 ".00)", PMS_MONEY_MAX / 100);
}

enum pms_status
pms_money_parse(const char *s, int64_t *cents)
{
	const char *p, *end;
	enum pms_status st;
	int neg = 0, paren = 0;
	int64_t v = 0;

	if (s == NULL)
		return pms_seterr(PMS_EDATA, "no amount");
	p = s;
	end = s + strlen(s);
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if (p == end)
		return pms_seterr(PMS_EDATA, "no amount");
	if (*p == '(') {
		if (end[-1] != ')')
			return pms_seterr(PMS_EDATA, "not an amount: an "
			    "unclosed parenthesis");
		paren = 1;
		p++;
		end--;
	}
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p < end && *p == '$')
		p++;
	if (p < end && *p == '-') {
		if (neg)
			return pms_seterr(PMS_EDATA, "not an amount: more "
			    "than one sign");
		neg = 1;
		p++;
	}
	if (neg && paren)
		return pms_seterr(PMS_EDATA, "not an amount: more than one "
		    "sign");
	if (p == end)
		return pms_seterr(PMS_EDATA, "not an amount: no digits");
	if ((st = parse_number(p, end, neg || paren, &v)) != PMS_OK)
		return st;
	*cents = (neg || paren) ? -v : v;
	return PMS_OK;
}

void
pms_money_fmt(int64_t cents, char buf[PMS_MONEY_BUFSZ])
{
	uint64_t m;

	/* the magnitude in unsigned arithmetic: INT64_MIN has one too */
	m = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
	(void)snprintf(buf, PMS_MONEY_BUFSZ, "%s%" PRIu64 ".%02u",
	    cents < 0 ? "-" : "", m / 100, (unsigned)(m % 100));
}

void
pms_money_split(int64_t total, size_t n, int64_t *parts)
{
	uint64_t m, q, r, v;
	size_t i;

	if (n == 0)
		return;
	m = total < 0 ? 0 - (uint64_t)total : (uint64_t)total;
	q = m / n;
	r = m % n;
	for (i = 0; i < n; i++) {
		v = q + (i >= n - r ? 1 : 0);
		/* v <= m, so -v fits even when total is INT64_MIN */
		if (total >= 0)
			parts[i] = (int64_t)v;
		else
			parts[i] = v == 0 ? 0 : -(int64_t)(v - 1) - 1;
	}
}
