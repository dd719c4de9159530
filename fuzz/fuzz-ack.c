/*
 * fuzz-ack: libFuzzer target for the acknowledgement reader (TA1, 999,
 * 277CA: claim_ack.c), on a real store with claims sent (answers.h).
 *
 * Each input is read first as a dry run: a file refused is PMS_EDATA
 * with a message naming it; a file read gives results with an outcome
 * and a note of printable words.  The input with the patient's names
 * and ids changed must give the same results, notes and messages (no
 * patient's data in them).  When claims would move, the file is read
 * for real: it must move as many, and read again it moves none (each
 * acknowledgement is read once).  The store is put back after.
 */
#include "answers.h"

#define NAME	"fuzz.ack"

struct ack_run {
	enum pms_status	 st;
	char		 msg[512];
	struct pms_ack_count n;
	struct pms_ack_result *r;
	size_t		 nr, cap;
};

static int
keep(void *arg, const struct pms_ack_result *res)
{
	struct ack_run *run = arg;
	struct pms_ack_result *v;

	if (run->nr == run->cap) {
		run->cap = run->cap == 0 ? 16 : run->cap * 2;
		if ((v = realloc(run->r, run->cap * sizeof(*v))) == NULL)
			abort();
		run->r = v;
	}
	run->r[run->nr++] = *res;
	return 0;
}

static void
ack_run(const uint8_t *data, size_t size, int dry_run, struct ack_run *run)
{
	FILE *in;

	memset(run, 0, sizeof(*run));
	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	pms_store_set_dry_run(ans_store, dry_run);
	run->st = pms_claim_ack(ans_store, in, NAME, keep, run, &run->n);
	pms_store_set_dry_run(ans_store, 0);
	fclose(in);
	snprintf(run->msg, sizeof(run->msg), "%s", run->st == PMS_OK ? "" :
	    pms_errmsg());
	if (run->st != PMS_OK)
		ans_check_message(run->st, NAME);
}

static void
check_results(const struct ack_run *run)
{
	const char *p;
	size_t i;

	if (run->st != PMS_OK)
		return;
	for (i = 0; i < run->nr; i++) {
		if (run->r[i].outcome == NULL)
			abort();
		for (p = run->r[i].note; *p != '\0'; p++)
			if ((unsigned char)*p < ' ' || *p == 0x7f) {
				fprintf(stderr, "fuzz: a control byte in a "
				    "note: %s\n", run->r[i].note);
				abort();
			}
	}
}

static void
check_same(const struct ack_run *a, const struct ack_run *b)
{
	size_t i;

	if (a->st != b->st || strcmp(a->msg, b->msg) != 0 || a->nr != b->nr ||
	    memcmp(&a->n, &b->n, sizeof(a->n)) != 0) {
		fprintf(stderr, "fuzz: the patient's names changed what was "
		    "said: \"%s\" / \"%s\"\n", a->msg, b->msg);
		abort();
	}
	for (i = 0; i < a->nr; i++) {
		const struct pms_ack_result *x = &a->r[i], *y = &b->r[i];

		if (strcmp(x->outcome, y->outcome) != 0 ||
		    strcmp(x->note, y->note) != 0 ||
		    x->claim_id != y->claim_id ||
		    (x->state == NULL) != (y->state == NULL) ||
		    (x->state != NULL && strcmp(x->state, y->state) != 0)) {
			fprintf(stderr, "fuzz: the patient's names changed a "
			    "result: \"%s\" / \"%s\"\n", x->note, y->note);
			abort();
		}
	}
}

static unsigned long
moved(const struct pms_ack_count *n)
{
	return n->accepted + n->rejected + n->other;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ack_run a, b, c;
	uint8_t *masked;

	ans_setup();
	ack_run(data, size, 1, &a);
	check_results(&a);
	if (ans_masked(data, size, &masked)) {
		ack_run(masked, size, 1, &b);
		check_same(&a, &b);
		free(b.r);
		free(masked);
	}
	if (a.st == PMS_OK && moved(&a.n) > 0) {
		ack_run(data, size, 0, &b);
		if (b.st != PMS_OK || memcmp(&a.n, &b.n, sizeof(a.n)) != 0) {
			fprintf(stderr, "fuzz: read for real, not what the dry "
			    "run said: %s\n", b.msg);
			abort();
		}
		ack_run(data, size, 0, &c);
		if (c.st != PMS_OK || c.n.accepted != 0 || c.n.rejected != 0) {
			fprintf(stderr, "fuzz: read again, %lu accepted, %lu "
			    "rejected\n", c.n.accepted, c.n.rejected);
			abort();
		}
		free(b.r);
		free(c.r);
		ans_restore();
	}
	free(a.r);
	return 0;
}
