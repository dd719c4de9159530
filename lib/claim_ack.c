/* claim_ack.c: placeholder, filled in below */
#include <string.h>

#include "claim_answer.h"
#include "pms_int.h"

enum pms_status
pms_claim_ack(struct pms_store *s, FILE *in, const char *name, pms_ack_fn *fn,
    void *arg, struct pms_ack_count *n)
{
	(void)s; (void)in; (void)name; (void)fn; (void)arg;
	memset(n, 0, sizeof(*n));
	return pms_seterr(PMS_EINTERNAL, "not yet");
}
