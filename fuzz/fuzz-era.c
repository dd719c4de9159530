/*
 * fuzz-era: libFuzzer target for the 835 reader and poster
 * (claim_era.c), on a real store with claims waiting (answers.h).
 *
 * Each input is read as an 835, first as a dry run: a file refused is
 * PMS_EDATA with a message naming it; a file read gives one result
 * per claim (an outcome, a note that is a line of words); each claim
 * posted is posted whole (check_sums), and the ledger's sums are
 * untouched.  The input with the patient's names
 * and ids changed must give the same results, notes and messages (no
 * patient's data in them).  When something would post, it is posted
 * for real: the ledger must then still prove its sums (pms_bill_check)
 * and the same file read again posts nothing.  The store is put back
 * after.
 */
#include "answers.h"

#define NAME	"fuzz.835"

struct era_run {
	enum pms_status	 st;
	char		 msg[512];
	struct pms_era_count n;
	struct pms_era_result *r;
	size_t		 nr, cap;
};

static int
keep(void *arg, const struct pms_era_result *res)
{
	struct era_run *run = arg;
	struct pms_era_result *v;

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
era_run(const uint8_t *data, size_t size, int dry_run, struct era_run *run)
{
	FILE *in;

	memset(run, 0, sizeof(*run));
	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	pms_store_set_dry_run(ans_store, dry_run);
	run->st = pms_claim_era(ans_store, in, NAME, keep, run, &run->n);
	pms_store_set_dry_run(ans_store, 0);
	fclose(in);
	snprintf(run->msg, sizeof(run->msg), "%s", run->st == PMS_OK ? "" :
	    pms_errmsg());
	if (run->st != PMS_OK)
		ans_check_message(run->st, NAME);
}

static void
era_free(struct era_run *run)
{
	free(run->r);
}

/* Every result an outcome, a note of printable words. */
static void
check_results(const struct era_run *run)
{
	size_t i;
	const char *p;

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

/* The same results, field for field (the CLM01 is the input's own). */
static void
check_same(const struct era_run *a, const struct era_run *b)
{
	size_t i;

	if (a->st != b->st || strcmp(a->msg, b->msg) != 0 || a->nr != b->nr ||
	    memcmp(&a->n, &b->n, sizeof(a->n)) != 0) {
		fprintf(stderr, "fuzz: the patient's names changed what was "
		    "said: \"%s\" / \"%s\"\n", a->msg, b->msg);
		abort();
	}
	for (i = 0; i < a->nr; i++) {
		const struct pms_era_result *x = &a->r[i], *y = &b->r[i];

		if (strcmp(x->outcome, y->outcome) != 0 ||
		    strcmp(x->note, y->note) != 0 ||
		    x->claim_id != y->claim_id ||
		    x->paid_cents != y->paid_cents ||
		    x->patient_cents != y->patient_cents ||
		    x->written_off_cents != y->written_off_cents ||
		    x->denied_cents != y->denied_cents) {
			fprintf(stderr, "fuzz: the patient's names changed a "
			    "result: \"%s\" / \"%s\"\n", x->note, y->note);
			abort();
		}
	}
}

/*
 * The balance of each claim posted: a claim balances (CLP03 less its
 * adjustments, claim's and lines', is CLP04), and what was posted of
 * its adjustments is the patient's part, the write-offs and the
 * denials, all of them but the informational ones (OA-23, the
 * configuration's): so CLP03 - CLP04 - patient - written off - denied
 * is the sum of its OA-23 amounts.  Those are summed here from the
 * input as the reader reads it (a CAS belongs to the CLP before it,
 * until an LX, a PLB or the set's end).
 */
struct info {
	unsigned long	 seg;		/* the CLP's, in the file */
	int64_t		 cents;
};

static size_t
informational(const uint8_t *data, size_t size, struct info **ip)
{
	struct pms_x12_reader *r;
	const struct pms_x12_seg *seg;
	struct info *v = NULL, *nv;
	size_t n = 0, k;
	int64_t cents;
	const char *id;
	int in_claim = 0;
	FILE *in;

	if ((in = fmemopen((void *)data, size, "r")) == NULL ||
	    pms_x12_reader_open(&r, in, NAME) != PMS_OK)
		abort();
	while (pms_x12_next(r, &seg) == PMS_OK && seg != NULL) {
		id = pms_x12_seg_id(seg);
		if (strcmp(id, "CLP") == 0) {
			if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL)
				abort();
			v = nv;
			v[n].seg = pms_x12_reader_pos(r)->segment;
			v[n++].cents = 0;
			in_claim = 1;
		} else if (strcmp(id, "ST") == 0 || strcmp(id, "SE") == 0 ||
		    strcmp(id, "LX") == 0 || strcmp(id, "PLB") == 0)
			in_claim = 0;
		else if (strcmp(id, "CAS") == 0 && in_claim &&
		    strcmp(pms_x12_elem(seg, 1), "OA") == 0)
			for (k = 0; k < 6; k++)
				if (strcmp(pms_x12_elem(seg, 2 + 3 * k),
				    "23") == 0 && pms_x12_amount(pms_x12_elem(
				    seg, 3 + 3 * k), &cents) == PMS_OK)
					v[n - 1].cents += cents;
	}
	pms_x12_reader_close(r);
	fclose(in);
	*ip = v;
	return n;
}

static void
check_sums(const uint8_t *data, size_t size, const struct era_run *run)
{
	const struct pms_era_result *r;
	struct info *v;
	size_t n, i, j;
	int64_t left;

	if (run->st != PMS_OK)
		return;
	n = informational(data, size, &v);
	for (i = 0; i < run->nr; i++) {
		r = &run->r[i];
		if (strcmp(r->outcome, "posted") != 0)
			continue;
		for (j = 0; j < n && v[j].seg != r->segment; j++)
			;
		if (j == n)
			abort();	/* a result of no CLP */
		left = r->charge_cents - r->paid_cents - r->patient_cents -
		    r->written_off_cents - r->denied_cents;
		if (left != v[j].cents) {
			fprintf(stderr, "fuzz: claim %lld posted, but charge "
			    "%lld - paid %lld - patient %lld - written off "
			    "%lld - denied %lld is %lld, not the OA-23 %lld\n",
			    (long long)r->claim_id, (long long)r->charge_cents,
			    (long long)r->paid_cents,
			    (long long)r->patient_cents,
			    (long long)r->written_off_cents,
			    (long long)r->denied_cents, (long long)left,
			    (long long)v[j].cents);
			abort();
		}
	}
	free(v);
}

static void
ledger(struct pms_bill_check_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	if (pms_bill_check(ans_store, rep) != PMS_OK) {
		fprintf(stderr, "fuzz: the ledger does not prove: %s\n",
		    pms_errmsg());
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pms_bill_check_report before, after;
	struct era_run a, b, c;
	uint8_t *masked;

	ans_setup();
	ledger(&before);
	era_run(data, size, 1, &a);
	check_results(&a);
	check_sums(data, size, &a);
	ledger(&after);
	if (before.entries != after.entries ||
	    before.total_cents != after.total_cents) {
		fprintf(stderr, "fuzz: a dry run changed the ledger\n");
		abort();
	}
	if (ans_masked(data, size, &masked)) {
		era_run(masked, size, 1, &b);
		check_same(&a, &b);
		era_free(&b);
		free(masked);
	}
	if (a.st == PMS_OK && (a.n.posted > 0 || a.n.plb > 0)) {
		era_run(data, size, 0, &b);
		if (b.st != PMS_OK || b.n.posted != a.n.posted) {
			fprintf(stderr, "fuzz: posted %lu of the %lu a dry run "
			    "did: %s\n", b.n.posted, a.n.posted, b.msg);
			abort();
		}
		ledger(&after);
		era_run(data, size, 0, &c);
		if (c.st != PMS_OK || c.n.posted != 0 || c.n.remits_new != 0 ||
		    c.n.payment_cents != 0) {
			fprintf(stderr, "fuzz: read again, it posted %lu\n",
			    c.n.posted);
			abort();
		}
		ledger(&before);
		if (before.entries != after.entries ||
		    before.total_cents != after.total_cents) {
			fprintf(stderr, "fuzz: read again, the ledger "
			    "moved\n");
			abort();
		}
		era_free(&b);
		era_free(&c);
		ans_restore();
	}
	era_free(&a);
	return 0;
}
