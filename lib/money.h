/*
 * money.h: amounts of money as integer cents, parsed from what people
 * type and printed back, never through binary floating point.
 */
#ifndef PMS_MONEY_H
#define PMS_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "pms.h"

/* Largest amount accepted, in cents ($10,000,000,000.00): sums of a
 * practice's whole history stay far from INT64_MAX. */
#define PMS_MONEY_MAX		INT64_C(1000000000000)
/* Room for the longest formatted amount and its NUL. */
#define PMS_MONEY_BUFSZ		32

/*
 * Parse an amount into cents.  Accepted: "40", "40.5", "40.50", ".50",
 * "$1,234.56" (commas only as thousands separators, in groups of
 * three), "-15.00", "-$15.00", "$-15.00", "(15.00)", "($15.00)",
 * surrounding blanks (spaces, tabs); not "+15", "40." or "$ 15".
 * Refused with PMS_EDATA and a message that says what is wrong without
 * repeating the text: an empty string, more than two decimals
 * ("12.345"), exponents ("1e3"), a decimal comma ("12,34"), misplaced
 * separators, letters, two signs, amounts above PMS_MONEY_MAX.
 * "-0.00" is 0.
 */
enum pms_status	 pms_money_parse(const char *s, int64_t *cents);

/* "-1234.56": no currency sign, no separators, never "-0.00". */
void		 pms_money_fmt(int64_t cents, char buf[PMS_MONEY_BUFSZ]);

/*
 * Split total into n parts (parts has room for n; n == 0 does nothing)
 * that differ by at most one cent and sum to total exactly; the larger
 * parts come last (100.00 / 3 gives 33.33, 33.33, 33.34).  A negative
 * total splits as its magnitude, negated: -100.00 / 3 gives -33.33,
 * -33.33, -33.34.
 */
void		 pms_money_split(int64_t total, size_t n, int64_t *parts);

#endif /* PMS_MONEY_H */
