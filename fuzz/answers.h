/*
 * answers.h: what fuzz-era.c and fuzz-ack.c share, the readers of the
 * answers to our claims (claim_answer.h) fed through a real store.
 *
 * Once per process a store is made in a temporary directory through
 * libpms itself, as the programs do: a practice (a configuration of
 * its own, below), three patients with their policies, and six claims
 * charged, created, validated and exported in one batch (interchange
 * 1), so that they wait as submitted for an answer.  Their CLM01s are
 * those of the seeds (tests/fixtures/claim-answers, the tests' own
 * acknowledgements): ACCT001, ACCT020, K1 (patient 1, acme, 99213 at
 * 100.00), ACCT002, K2 (patient 2, bluecross, 60.00) and ACCT0050
 * (patient 3, acme with bluecross second, 40.00).  The store's files
 * are kept, to put back after an input that committed.
 *
 * The checks each target makes of every input, beyond the sanitizers':
 * a file refused is PMS_EDATA (or out of memory) with a message that
 * names the input; a reader's words never carry the patient's names
 * or ids from the input, nor a CLM01 that is none of ours (the input
 * read again with those elements changed gives the very same results
 * and messages); and what posts posts once.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bill.h"
#include "claim.h"
#include "claim_answer.h"
#include "config.h"
#include "patient.h"
#include "pms.h"
#include "record.h"
#include "x12.h"

#define ANS_PASS	"correct horse battery staple"

static const char ans_practice[] =
    "practice:\n"
    "  name: Fuzz Family Medicine\n"
    "  entity_type: organization\n"
    "  npi: \"1234567893\"\n"
    "  taxonomy: 207Q00000X\n"
    "  ein: \"12-3456789\"\n"
    "  phone: \"+1 937 555 0100\"\n"
    "  country: US\n"
    "  time_zone: America/New_York\n"
    "  address:\n"
    "    street: 12 Main Street\n"
    "    city: Springfield\n"
    "    state: OH\n"
    "    zip: \"45502-1234\"\n"
    "trading_partner:\n"
    "  isa01: \"00\"\n"
    "  isa02: \"\"\n"
    "  isa03: \"00\"\n"
    "  isa04: \"\"\n"
    "  sender_qualifier: ZZ\n"
    "  sender_id: RIVERSIDE01\n"
    "  receiver_qualifier: ZZ\n"
    "  receiver_id: CLEARHOUSE1\n"
    "  usage: T\n"
    "  submitter:\n"
    "    name: Fuzz Family Medicine\n"
    "    contact: Jo Biller\n"
    "    phone: \"937 555 0101\"\n"
    "  receiver_name: Example Clearinghouse\n"
    "  first_control_number: 1\n"
    "locations:\n"
    "  - code: main\n"
    "    name: Main Office\n"
    "    address:\n"
    "      street: 12 Main Street\n"
    "      city: Springfield\n"
    "      state: OH\n"
    "      zip: \"455021234\"\n"
    "    time_zone: America/New_York\n"
    "    place_of_service: \"11\"\n"
    "providers:\n"
    "  - code: lee\n"
    "    first_name: Ann\n"
    "    last_name: Lee\n"
    "    credential: MD\n"
    "    npi: \"1245319599\"\n"
    "    taxonomy: 207Q00000X\n"
    "    locations: [main]\n"
    "appointment_types:\n"
    "  - code: followup\n"
    "    name: Follow-up visit\n"
    "    length: 20m\n"
    "    codes: [\"99213\"]\n"
    "payers:\n"
    "  - code: medicare\n"
    "    name: Medicare Part B\n"
    "    payer_id: \"15202\"\n"
    "    filing_indicator: MB\n"
    "    timely_filing_days: 365\n"
    "  - code: bluecross\n"
    "    name: Blue Cross of Example\n"
    "    payer_id: \"00834\"\n"
    "    filing_indicator: BL\n"
    "    timely_filing_days: 180\n"
    "  - code: acme\n"
    "    name: Acme Health Plan\n"
    "    payer_id: \"60054\"\n"
    "    filing_indicator: CI\n"
    "    timely_filing_days: 90\n"
    "billing:\n"
    "  contractual_writeoffs: [CO-45, CO-253, CO-24]\n"
    "  informational: [OA-23]\n";

/* The CLM01s of the store's claims. */
static const char *const ans_clm01[] = { "ACCT001", "ACCT020", "K1",
    "ACCT002", "K2", "ACCT0050" };

static int
ans_known(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(ans_clm01) / sizeof(ans_clm01[0]); i++)
		if (strlen(ans_clm01[i]) == n &&
		    memcmp(ans_clm01[i], v, n) == 0)
			return 1;
	return 0;
}

struct ans_file {
	char		 path[256];
	unsigned char	*bytes;
	size_t		 len;
	int		 have;
};

static char ans_dir[64];
static char ans_recovery[PMS_RECOVERY_KEY_LEN + 1];
static struct ans_file ans_files[3];	/* database, WAL, slot file */
static char ans_shm[256];
static struct pms_store *ans_store;

static int
ans_pass_fn(void *arg, const char *prompt, int confirm, char *buf,
    size_t size)
{
	(void)arg;
	(void)prompt;
	(void)confirm;
	snprintf(buf, size, "%s", ANS_PASS);
	return (int)strlen(ANS_PASS);
}

static void
ans_opts(struct pms_store_opts *o, int recovery)
{
	memset(o, 0, sizeof(*o));
	o->path = ans_files[0].path;
	o->user = "admin";
	o->program = "fuzz-answers";
	o->pass = ans_pass_fn;
	o->recovery_key = recovery ? ans_recovery : NULL;
	o->no_cache = 1;
}

static void
ans_must(enum pms_status st, const char *what)
{
	if (st != PMS_OK) {
		fprintf(stderr, "fuzz: setting up: %s: %s\n", what,
		    pms_errmsg());
		abort();
	}
}

static void
ans_ignore(void *arg, int warn, const char *msg)
{
	(void)arg;
	(void)warn;
	(void)msg;
}

static void
ans_ignore_cfg(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void
ans_patient(const char *mrn, const char *first, const char *dob,
    const char *payer, const char *member, const char *second)
{
	struct pms_pt_input in;
	struct pms_pol_input pol;
	int64_t id, pid;

	memset(&in, 0, sizeof(in));
	in.in[PMS_PF_MRN] = mrn;
	in.in[PMS_PF_LAST_NAME] = "Zztest";
	in.in[PMS_PF_FIRST_NAME] = first;
	in.in[PMS_PF_DOB] = dob;
	in.in[PMS_PF_SEX] = "f";
	in.in[PMS_PF_STREET] = "1 Elm Street";
	in.in[PMS_PF_CITY] = "Springfield";
	in.in[PMS_PF_STATE] = "OH";
	in.in[PMS_PF_ZIP] = "45502";
	ans_must(pms_patient_add(ans_store, &in, ans_ignore, NULL, &id,
	    NULL), "a patient");
	memset(&pol, 0, sizeof(pol));
	pol.in[PMS_OF_PAYER] = payer;
	pol.in[PMS_OF_MEMBER_ID] = member;
	pol.in[PMS_OF_EFFECTIVE_FROM] = "2020-01-01";
	ans_must(pms_policy_add(ans_store, id, &pol, ans_ignore, NULL, &pid),
	    "a policy");
	if (second != NULL) {
		pol.in[PMS_OF_PAYER] = second;
		pol.in[PMS_OF_MEMBER_ID] = "BC0003";
		pol.in[PMS_OF_PRIORITY] = "secondary";
		ans_must(pms_policy_add(ans_store, id, &pol, ans_ignore, NULL,
		    &pid), "a second policy");
	}
}

/* Charge one line to patient on dos; its charge id. */
static int64_t
ans_charge(int64_t patient, const char *dos, int64_t cents, int nth)
{
	struct pms_charge_in c;
	struct pms_charge_out out;

	memset(&c, 0, sizeof(c));
	c.patient_id = patient;
	c.dos = dos;
	c.provider = "lee";
	c.location = "main";
	c.code = "99213";
	c.has_amount = 1;
	c.amount_cents = cents;
	c.dx = "E11.9";
	c.occurrence = nth;
	ans_must(pms_bill_charge(ans_store, &c, 0, &out), "a charge");
	return out.charge_id;
}

static void
ans_slurp(struct ans_file *f)
{
	struct stat sb;
	int fd;

	free(f->bytes);
	f->bytes = NULL;
	f->len = 0;
	f->have = 0;
	if ((fd = open(f->path, O_RDONLY)) == -1)
		return;
	if (fstat(fd, &sb) == -1)
		abort();
	f->len = (size_t)sb.st_size;
	if ((f->bytes = malloc(f->len + 1)) == NULL ||
	    read(fd, f->bytes, f->len) != (ssize_t)f->len)
		abort();
	f->have = 1;
	close(fd);
}

static void
ans_open(void)
{
	struct pms_store_opts o;

	ans_opts(&o, 1);
	ans_must(pms_store_open(&ans_store, &o), "opening");
}

static void
ans_cleanup(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;
	int i;

	pms_store_close(ans_store);
	ans_store = NULL;
	for (i = 0; i < 3; i++)
		unlink(ans_files[i].path);
	unlink(ans_shm);
	snprintf(path, sizeof(path), "%s/store.lock.d", ans_dir);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (snprintf(path, sizeof(path), "%s/store.lock.d/%s",
			    ans_dir, e->d_name) < (int)sizeof(path))
				unlink(path);
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), "%s/store.lock.d", ans_dir);
	rmdir(path);
	rmdir(ans_dir);
}

/* The store of the claims, made once; ans_store is it, open. */
static void
ans_setup(void)
{
	static const int patient[] = { 1, 1, 1, 2, 2, 3 };
	static const int64_t cents[] = { 10000, 10000, 10000, 6000, 6000,
	    4000 };
	struct pms_store_opts o;
	struct pms_config *cfg;
	struct pms_config_diff diff;
	struct pms_claim_create_opts co;
	struct pms_claim_create_count cc;
	struct pms_claim_export_opts eo;
	struct pms_claim_export_result er;
	struct pms_reader *rd;
	char csv[512], dos[PMS_DATE_BUFSZ], *buf = NULL;
	size_t len = 0, i, off = 0;
	int64_t ids[6];
	int32_t today;
	FILE *f;

	if (ans_dir[0] != '\0')
		return;
	if (sodium_init() < 0)
		abort();
	snprintf(ans_dir, sizeof(ans_dir), "/tmp/fuzz-answers.XXXXXX");
	if (mkdtemp(ans_dir) == NULL)
		abort();
	snprintf(ans_files[0].path, sizeof(ans_files[0].path), "%s/store",
	    ans_dir);
	snprintf(ans_files[1].path, sizeof(ans_files[1].path),
	    "%s/store-wal", ans_dir);
	snprintf(ans_files[2].path, sizeof(ans_files[2].path),
	    "%s/store.keys", ans_dir);
	snprintf(ans_shm, sizeof(ans_shm), "%s/store-shm", ans_dir);
	atexit(ans_cleanup);
	ans_opts(&o, 0);
	ans_must(pms_store_create(&o, PMS_KDF_INTERACTIVE, ans_recovery,
	    sizeof(ans_recovery)), "creating");
	ans_open();
	ans_must(pms_config_parse(ans_practice, strlen(ans_practice),
	    "fuzz.yaml", ans_ignore_cfg, NULL, &cfg), "the configuration");
	ans_must(pms_config_load(ans_store, cfg, 0, &diff), "loading it");
	pms_config_free(cfg);
	ans_patient("A-1", "Ann", "1980-01-11", "acme", "XK0001", NULL);
	ans_patient("A-2", "Bea", "1980-01-12", "bluecross", "BC0002", NULL);
	ans_patient("A-3", "Cal", "1980-01-13", "acme", "XK0003",
	    "bluecross");
	ans_must(pms_today("America/New_York", &today), "today");
	off = (size_t)snprintf(csv, sizeof(csv), "charge_id,claim\n");
	for (i = 0; i < 6; i++) {
		int64_t c;

		/* a visit, so a claim, each: ten days ago and before */
		pms_date_fmt(today - 10 - (int32_t)i, dos);
		c = ans_charge(patient[i], dos, cents[i], 1);

		off += (size_t)snprintf(csv + off, sizeof(csv) - off,
		    "%lld,%s\n", (long long)c, ans_clm01[i]);
	}
	if ((f = fmemopen(csv, off, "r")) == NULL)
		abort();
	ans_must(pms_reader_open(&rd, f, "claims.csv", PMS_IN_CSV,
	    PMS_ENC_UTF8), "the claims' records");
	memset(&co, 0, sizeof(co));
	co.rd = rd;
	co.report = ans_ignore;
	ans_must(pms_claim_create(ans_store, &co, NULL, NULL, &cc),
	    "the claims");
	if (cc.claims != 6) {
		fprintf(stderr, "fuzz: setting up: %lu claims, not 6\n",
		    cc.claims);
		abort();
	}
	pms_reader_close(rd);
	fclose(f);
	for (i = 0; i < 6; i++)
		ids[i] = (int64_t)i + 1;
	ans_must(pms_claim_validate(ans_store, ids, 6, 0, ans_ignore, NULL,
	    NULL, NULL), "validating");
	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	memset(&eo, 0, sizeof(eo));
	eo.out = f;
	eo.report = ans_ignore;
	ans_must(pms_claim_export(ans_store, &eo, &er), "exporting");
	fclose(f);
	free(buf);
	if (er.claims != 6) {
		fprintf(stderr, "fuzz: setting up: %lu claims sent, not 6\n",
		    er.claims);
		abort();
	}
	pms_store_close(ans_store);
	ans_store = NULL;
	for (i = 0; i < 3; i++)
		ans_slurp(&ans_files[i]);
	ans_open();
}

/* Put the store back as ans_setup() left it, and open it again. */
static void
ans_restore(void)
{
	int i, fd;

	pms_store_close(ans_store);
	ans_store = NULL;
	for (i = 0; i < 3; i++) {
		if (!ans_files[i].have) {
			unlink(ans_files[i].path);
			continue;
		}
		if ((fd = open(ans_files[i].path, O_WRONLY | O_CREAT |
		    O_TRUNC, 0600)) == -1 || write(fd, ans_files[i].bytes,
		    ans_files[i].len) != (ssize_t)ans_files[i].len ||
		    close(fd) != 0)
			abort();
	}
	unlink(ans_shm);
	ans_open();
}

/* A refusal names the input, or is about memory. */
static void
ans_check_message(enum pms_status st, const char *name)
{
	const char *m = pms_errmsg();
	size_t n = strlen(name);

	if (st != PMS_EDATA && st != PMS_ENOMEM) {
		fprintf(stderr, "fuzz: status %d: %s\n", (int)st, m);
		abort();
	}
	if (strcmp(m, "out of memory") != 0 && (strncmp(m, name, n) != 0 ||
	    m[n] != ':')) {
		fprintf(stderr, "fuzz: a message without the input's name: "
		    "%s\n", m);
		abort();
	}
}

/*
 * Whether element e of the segment (its id, its first two elements)
 * is one the readers must never repeat: the patient's and the
 * subscriber's names and ids (NM1*QC, NM1*IL, NM1*74: NM103, NM104,
 * NM105, NM107, NM109), and a CLM01 that is none of ours (CLP01 of an
 * 835, TRN02 of a 277CA's claim: TRN*2 in an ST*277), which nothing
 * else depends on.
 */
static int
ans_private(const char *st01, const char *id, const char *e1,
    const char *e2, size_t e2len, size_t e)
{
	if (strcmp(id, "NM1") == 0)
		return (strcmp(e1, "QC") == 0 || strcmp(e1, "IL") == 0 ||
		    strcmp(e1, "74") == 0) && (e == 3 || e == 4 || e == 5 ||
		    e == 7 || e == 9);
	if (strcmp(id, "CLP") == 0)
		return e == 1 && !ans_known(e1, strlen(e1));
	if (strcmp(id, "TRN") == 0)
		return e == 2 && strcmp(st01, "277") == 0 &&
		    strcmp(e1, "2") == 0 && !ans_known(e2, e2len);
	return 0;
}

/*
 * The input with those elements changed, letter for letter and digit
 * for digit, into *outp (the caller frees); 0 when there is none to
 * change, or when the reader would not see the same segments but for
 * those (then no comparison is made).
 */
static int
ans_masked(const uint8_t *data, size_t size, uint8_t **outp)
{
	struct pms_x12_reader *ra = NULL, *rb = NULL;
	const struct pms_x12_seg *sa, *sb;
	const uint8_t *isa;
	uint8_t *out, el, term;
	char id[4], e1[64], e2[64], st01[4] = "", sta[4] = "";
	size_t i, start, e, k, j, n, e2len;
	int changed = 0, same = 1;
	FILE *fa, *fb;

	*outp = NULL;
	if (size < 106 || (isa = memmem(data, size, "ISA", 3)) == NULL ||
	    (size_t)(isa - data) + 106 > size)
		return 0;
	el = isa[3];
	term = isa[105];
	if ((out = malloc(size)) == NULL)
		abort();
	memcpy(out, data, size);
	for (start = 0; start < size; start = i + 1) {
		for (i = start; i < size && out[i] != term; i++)
			;
		k = start;
		while (k < i && (out[k] == '\r' || out[k] == '\n' ||
		    out[k] == ' '))
			k++;
		/* the id and the first two elements, cut short */
		id[0] = e1[0] = e2[0] = '\0';
		e2len = 0;
		for (j = k, e = 0, n = 0; j < i && e <= 2; j++) {
			if (out[j] == el) {
				e++;
				n = 0;
				continue;
			}
			if (e == 0 && n < sizeof(id) - 1) {
				id[n++] = (char)out[j];
				id[n] = '\0';
			} else if (e == 1 && n < sizeof(e1) - 1) {
				e1[n++] = (char)out[j];
				e1[n] = '\0';
			} else if (e == 2 && n < sizeof(e2) - 1) {
				e2[n++] = (char)out[j];
				e2[n] = '\0';
				e2len = n;
			}
		}
		if (strcmp(id, "ST") == 0)
			snprintf(st01, sizeof(st01), "%.3s", e1);
		for (e = 0; k < i; k++) {
			if (out[k] == el) {
				e++;
				continue;
			}
			if (!ans_private(st01, id, e1, e2, e2len, e))
				continue;
			if (out[k] >= 'A' && out[k] <= 'Z' && out[k] != 'Q') {
				out[k] = 'Q';
				changed = 1;
			} else if (out[k] >= 'a' && out[k] <= 'z' &&
			    out[k] != 'q') {
				out[k] = 'q';
				changed = 1;
			} else if (out[k] >= '0' && out[k] <= '9' &&
			    out[k] != '7') {
				out[k] = '7';
				changed = 1;
			}
		}
	}
	if (!changed) {
		free(out);
		return 0;
	}
	/* the same segments but for those elements (still none of ours),
	 * or no comparison */
	if ((fa = fmemopen((void *)data, size, "r")) == NULL ||
	    (fb = fmemopen(out, size, "r")) == NULL)
		abort();
	if (pms_x12_reader_open(&ra, fa, "a") != PMS_OK ||
	    pms_x12_reader_open(&rb, fb, "a") != PMS_OK)
		abort();
	for (;;) {
		enum pms_status a = pms_x12_next(ra, &sa);
		enum pms_status b = pms_x12_next(rb, &sb);
		const char *x, *y;

		if (a != PMS_OK || b != PMS_OK) {
			/* both refused: their words are compared too */
			same = a != PMS_OK && b != PMS_OK;
			break;
		}
		if (sa == NULL || sb == NULL) {
			same = sa == sb;
			break;
		}
		if (pms_x12_seg_count(sa) != pms_x12_seg_count(sb) ||
		    strcmp(pms_x12_seg_id(sa), pms_x12_seg_id(sb)) != 0) {
			same = 0;
			break;
		}
		if (strcmp(pms_x12_seg_id(sa), "ST") == 0)
			snprintf(sta, sizeof(sta), "%.3s", pms_x12_elem(sa, 1));
		for (e = 1; e <= pms_x12_seg_count(sa) && same; e++) {
			x = pms_x12_elem(sa, e);
			y = pms_x12_elem(sb, e);
			if (strcmp(x, y) == 0)
				continue;
			same = ans_private(sta, pms_x12_seg_id(sa),
			    pms_x12_elem(sa, 1), pms_x12_elem(sa, 2),
			    strlen(pms_x12_elem(sa, 2)), e) &&
			    ans_private(sta, pms_x12_seg_id(sb),
			    pms_x12_elem(sb, 1), pms_x12_elem(sb, 2),
			    strlen(pms_x12_elem(sb, 2)), e);
		}
		if (!same)
			break;
	}
	pms_x12_reader_close(ra);
	pms_x12_reader_close(rb);
	fclose(fa);
	fclose(fb);
	if (!same) {
		free(out);
		return 0;
	}
	*outp = out;
	return 1;
}
