/*
 * bill_stmt.c: statements (bill.h).  Not written yet in this first
 * version: it refuses, so that charges and balances can be used first.
 */
#include <string.h>

#include "bill_int.h"

enum pms_status
pms_bill_statements(struct pms_store *s, const struct pms_stmt_opts *o,
    struct pms_stmt_result *r)
{
	(void)s, (void)o;
	memset(r, 0, sizeof(*r));
	return pms_seterr(PMS_EINTERNAL, "statement: not written yet");
}
