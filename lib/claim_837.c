/*
 * claim_837.c: one claim in memory (struct pms_837_claim), checked
 * against the rules of the 837P implementation guide (005010X222A1)
 * and of the practice's payers that can be checked before sending, and
 * written through the X12 writer (lib/x12.h) as an interchange of
 * transaction sets.  Nothing here reads the store: lib/claim.c fills
 * the claims in, fuzz/fuzz-claim.c throws made-up ones at the check
 * and the writer, and holds them to their promise: a claim the check
 * passes always writes, and reads back the same.
 *
 * Names and addresses are cleaned for X12 (pms_name_x12: uppercase
 * ASCII, accents spelled out, less the delimiters of the interchange);
 * identifiers (NPIs, member ids, payer ids, authorisations) are never
 * changed: one that holds what X12 cannot carry fails the check.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "money.h"
#include "pms_int.h"

#define CLEAN_MAX	1024	/* a cleaned name: accents spelled out */

/* ---- small things ---- */

void
pms_837_amount(int64_t cents, char buf[32])
{
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents :
	    (uint64_t)cents;
	uint64_t whole = a / 100, frac = a % 100;
	const char *sign = cents < 0 ? "-" : "";

	if (frac == 0)
		snprintf(buf, 32, "%s%" PRIu64, sign, whole);
	else if (frac % 10 == 0)
		snprintf(buf, 32, "%s%" PRIu64 ".%" PRIu64, sign, whole,
		    frac / 10);
	else
		snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64, sign, whole,
		    frac);
}

static int
is_delim(const struct pms_x12_delims *d, char c)
{
	return c == d->element || c == d->component || c == d->segment ||
	    (d->repetition != '\0' && c == d->repetition);
}

enum pms_status
pms_837_clean(const struct pms_x12_delims *d, const char *in, char *out,
    size_t size)
{
	char tmp[CLEAN_MAX], sep[CLEAN_MAX];
	enum pms_status st;
	size_t i, n = 0;
	int space = 0, alnum = 0;
	char c;

	if (size == 0)
		return pms_seterr(PMS_EINTERNAL, "no room for a name");
	out[0] = '\0';
	/* ASCII punctuation X12 text does not keep ("St*Apt", "#4",
	 * "Main/Oak") separates words: a blank, not nothing */
	for (i = 0; in[i] != '\0'; i++) {
		if (i + 1 >= sizeof(sep))
			return pms_seterr(PMS_EDATA, "too long");
		c = in[i];
		sep[i] = (unsigned char)c < 0x80 && ispunct((unsigned char)c) &&
		    c != '-' && c != '.' && c != '\'' ? ' ' : c;
	}
	sep[i] = '\0';
	if ((st = pms_name_x12(sep, tmp, sizeof(tmp))) != PMS_OK)
		return st;
	for (i = 0; tmp[i] != '\0'; i++) {
		c = tmp[i];
		if (c == ' ' || is_delim(d, c)) {
			space = n > 0;
			continue;
		}
		if (n + (space ? 2 : 1) >= size) {
			out[0] = '\0';
			return pms_seterr(PMS_EDATA, "too long");
		}
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = c;
		alnum |= isalnum((unsigned char)c) != 0;
	}
	out[n] = '\0';
	if (!alnum) {
		out[0] = '\0';
		return pms_seterr(PMS_EDATA, "nothing X12 can carry");
	}
	return PMS_OK;
}

/* "2026-12-04" as "20261204"; "" if not of that form. */
static void
d8(const char *iso, char out[9])
{
	out[0] = '\0';
	if (strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-')
		return;
	memcpy(out, iso, 4);
	memcpy(out + 4, iso + 5, 2);
	memcpy(out + 6, iso + 8, 2);
	out[8] = '\0';
}

/* The digits of a ZIP code ("45502-1234": 455021234); -1 for anything
 * but digits and one dash. */
static int
zip_digits(const char *zip, char out[16])
{
	size_t n = 0;
	int dash = 0;

	out[0] = '\0';
	for (; *zip != '\0'; zip++) {
		if (*zip == '-' && !dash && n > 0) {
			dash = 1;
			continue;
		}
		if (*zip < '0' || *zip > '9' || n >= 15)
			return -1;
		out[n++] = *zip;
	}
	out[n] = '\0';
	return 0;
}

/* The digits of a phone number, without the 1 of a ten-digit NANP
 * number: what PER04 wants. */
static void
phone_digits(const char *in, char out[PMS_CFG_PHONE])
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < PMS_CFG_PHONE; in++)
		if (*in >= '0' && *in <= '9')
			out[n++] = *in;
	out[n] = '\0';
	if (n == 11 && out[0] == '1')
		memmove(out, out + 1, n);
}

static int
taxonomy_ok(const char *t)
{
	size_t i;

	if (strlen(t) != 10 || t[9] != 'X')
		return 0;
	for (i = 0; i < 3; i++)
		if (!isdigit((unsigned char)t[i]))
			return 0;
	for (i = 3; i < 9; i++)
		if (!isdigit((unsigned char)t[i]) &&
		    !isupper((unsigned char)t[i]))
			return 0;
	return 1;
}

/* An ICD-10-CM code as stored: a letter, a digit, a letter or digit,
 * and up to four more letters or digits. */
static int
icd_ok(const char *c)
{
	size_t n = strlen(c), i;

	if (n < 3 || n > 7 || !isupper((unsigned char)c[0]) ||
	    !isdigit((unsigned char)c[1]))
		return 0;
	for (i = 2; i < n; i++)
		if (!isdigit((unsigned char)c[i]) &&
		    !isupper((unsigned char)c[i]))
			return 0;
	return 1;
}

static int
date_ok(const char *iso, int32_t *days)
{
	return *iso != '\0' && pms_date_parse(iso, PMS_DATE_ISO, days) ==
	    PMS_OK && strlen(iso) == 10;
}

static const char *
sex_code(const char *s)
{
	if (strcmp(s, "F") == 0 || strcmp(s, "M") == 0)
		return s;
	return "U";	/* X: 5010 has no other */
}

static const char *
pat01(const char *relationship)
{
	if (strcmp(relationship, "spouse") == 0)
		return "01";
	if (strcmp(relationship, "child") == 0)
		return "19";
	if (strcmp(relationship, "other") == 0)
		return "G8";
	return NULL;
}

static int
self(const struct pms_837_claim *c)
{
	return strcmp(c->relationship, "self") == 0;
}

/* The claim filing indicators of SBR09. */
static int
filing_ok(const char *f)
{
	static const char *const v[] = { "11", "12", "13", "14", "15", "16",
	    "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB",
	    "MC", "OF", "TV", "VA", "WC", "ZZ" };
	size_t i;

	for (i = 0; i < PMS_NELEM(v); i++)
		if (strcmp(f, v[i]) == 0)
			return 1;
	return 0;
}

/* ---- the check ---- */

struct chk {
	const struct pms_837_env *e;
	const struct pms_837_claim *c;
	pms_claim_report_fn *report;
	void		*arg;
	unsigned	 errors;
};

static void say(struct chk *, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct chk *k, int warn, const char *fmt, ...)
{
	char msg[640];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "claim %lld: %s",
	    (long long)k->c->claim_id, warn ? "warning: " : "");
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (!warn)
		k->errors++;
	if (k->report != NULL)
		k->report(k->arg, warn, msg);
}

/* A name or address line: cleaned, it must say something and fit. */
static void
check_text(struct chk *k, const char *where, const char *what,
    const char *text, size_t max, int required, const char *fix)
{
	char buf[CLEAN_MAX];

	if (*text == '\0') {
		if (required)
			say(k, 0, "%s: %s is missing: set it on %s", where,
			    what, fix);
		return;
	}
	if (pms_837_clean(&k->e->delims, text, buf, sizeof(buf)) != PMS_OK) {
		say(k, 0, "%s: %s has nothing X12 can carry once cleaned of "
		    "other characters and the delimiters: fix it on %s", where,
		    what, fix);
		return;
	}
	if (strlen(buf) > max)
		say(k, 0, "%s: %s is longer than %zu characters as X12 "
		    "writes it: shorten it on %s", where, what, max, fix);
}

/* An identifier, written as it is: printable ASCII, no delimiter. */
static void
check_id(struct chk *k, const char *where, const char *what, const char *id,
    size_t max, const char *fix)
{
	const char *p;

	if (*id == '\0') {
		say(k, 0, "%s: %s is missing: set it on %s", where, what, fix);
		return;
	}
	if (strlen(id) > max) {
		say(k, 0, "%s: %s is longer than %zu characters: fix it on %s",
		    where, what, max, fix);
		return;
	}
	if (id[0] == ' ' || id[strlen(id) - 1] == ' ') {
		say(k, 0, "%s: %s starts or ends with a blank: fix it on %s",
		    where, what, fix);
		return;
	}
	for (p = id; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			say(k, 0, "%s: %s holds a character that is not "
			    "printable ASCII: fix it on %s", where, what, fix);
			return;
		}
		if (is_delim(&k->e->delims, *p)) {
			say(k, 0, "%s: %s holds the delimiter character "
			    "\"%c\" of the interchange: fix it on %s", where,
			    what, *p, fix);
			return;
		}
	}
}

static void
check_npi(struct chk *k, const char *where, const char *what,
    const char *npi, const char *fix)
{
	if (*npi == '\0')
		say(k, 0, "%s: %s NPI is missing: set it on %s", where, what,
		    fix);
	else if (!pms_npi_valid(npi))
		say(k, 0, "%s: %s NPI fails its check digit (Luhn over "
		    "80840 and its first nine digits): fix it on %s", where,
		    what, fix);
}

/*
 * An address of a loop (N3, N4): a street (with street_only, not a PO
 * box), a city, a US state, a ZIP code of five digits or (zip9) nine.
 */
static void
check_address(struct chk *k, const char *loop, const char *whose,
    const struct pms_837_address *a, int street_only, int zip9,
    const char *fix)
{
	char where[32], what[96], zip[16];

	snprintf(where, sizeof(where), "%s N301", loop);
	snprintf(what, sizeof(what), "%s street", whose);
	check_text(k, where, what, a->street, 55, 1, fix);
	if (street_only && *a->street != '\0' && pms_po_box(a->street))
		say(k, 0, "%s: %s address is a PO box: the 837 needs a street "
		    "address here: fix it on %s", where, whose, fix);
	snprintf(where, sizeof(where), "%s N302", loop);
	snprintf(what, sizeof(what), "%s second address line", whose);
	check_text(k, where, what, a->street2, 55, 0, fix);
	snprintf(where, sizeof(where), "%s N401", loop);
	snprintf(what, sizeof(what), "%s city", whose);
	check_text(k, where, what, a->city, 30, 1, fix);
	snprintf(where, sizeof(where), "%s N402", loop);
	if (*a->state == '\0')
		say(k, 0, "%s: %s state is missing: set it on %s", where,
		    whose, fix);
	else if (strlen(a->state) != 2 ||
	    !isupper((unsigned char)a->state[0]) ||
	    !isupper((unsigned char)a->state[1]))
		say(k, 0, "%s: %s state is not a two-letter US state code: "
		    "fix it on %s", where, whose, fix);
	snprintf(where, sizeof(where), "%s N403", loop);
	if (*a->zip == '\0')
		say(k, 0, "%s: %s ZIP code is missing: set it on %s", where,
		    whose, fix);
	else if (zip_digits(a->zip, zip) == -1 || (strlen(zip) != 5 &&
	    strlen(zip) != 9))
		say(k, 0, "%s: %s ZIP code is not five or nine digits: fix "
		    "it on %s", where, whose, fix);
	else if (zip9 && strlen(zip) != 9)
		say(k, 0, "%s: %s ZIP code needs its four more digits "
		    "(ZIP+4): fix it on %s", where, whose, fix);
}

/* A person's or organization's name of an NM1. */
static void
check_name(struct chk *k, const char *loop, const char *whose,
    const struct pms_837_entity *p)
{
	char where[32], what[96];

	snprintf(where, sizeof(where), "%s NM103", loop);
	snprintf(what, sizeof(what), p->org ? "%s name" : "%s last name",
	    whose);
	check_text(k, where, what, p->last, p->org ? 60 : 60, 1, p->fix);
	if (p->org)
		return;
	snprintf(where, sizeof(where), "%s NM104", loop);
	snprintf(what, sizeof(what), "%s first name", whose);
	check_text(k, where, what, p->first, 35, 1, p->fix);
	snprintf(where, sizeof(where), "%s NM105", loop);
	snprintf(what, sizeof(what), "%s middle name", whose);
	check_text(k, where, what, p->middle, 25, 0, p->fix);
	snprintf(where, sizeof(where), "%s NM107", loop);
	snprintf(what, sizeof(what), "%s name suffix", whose);
	check_text(k, where, what, p->suffix, 10, 0, p->fix);
}

/* DMG: a birth date not in the future, a sex recorded. */
static void
check_dmg(struct chk *k, const char *loop, const char *whose,
    const struct pms_837_entity *p)
{
	int32_t d;

	if (*p->dob == '\0')
		say(k, 0, "%s DMG02: %s date of birth is missing: set it on "
		    "%s", loop, whose, p->fix);
	else if (!date_ok(p->dob, &d))
		say(k, 0, "%s DMG02: %s date of birth is not a date: fix it "
		    "on %s", loop, whose, p->fix);
	else if (d > k->e->today)
		say(k, 0, "%s DMG02: %s date of birth is in the future: fix "
		    "it on %s", loop, whose, p->fix);
	if (strcmp(p->sex, "F") != 0 && strcmp(p->sex, "M") != 0 &&
	    strcmp(p->sex, "X") != 0)
		say(k, 0, "%s DMG03: %s sex is not recorded (F, M or X): set "
		    "it on %s", loop, whose, p->fix);
}

static void
check_billing(struct chk *k)
{
	const struct pms_837_env *e = k->e;
	const struct pms_837_entity *b = &e->billing;
	const char *p;

	check_npi(k, "2010AA NM109", "the billing provider's", b->id, b->fix);
	check_name(k, "2010AA", "the billing provider's", b);
	if (!taxonomy_ok(b->taxonomy))
		say(k, 0, "2000A PRV03: the billing provider's taxonomy is not "
		    "a NUCC taxonomy code (three digits, six letters or "
		    "digits, X): fix it on %s", b->fix);
	for (p = e->ein; *p >= '0' && *p <= '9'; p++)
		;
	if (strlen(e->ein) != 9 || *p != '\0')
		say(k, 0, "2010AA REF*EI: the billing provider's EIN is not "
		    "nine digits: fix it on %s", b->fix);
	if (!b->has_address)
		say(k, 0, "2010AA N3: the billing provider's address is "
		    "missing: set it on %s", b->fix);
	else
		check_address(k, "2010AA", "the billing provider's",
		    &b->address, 1, 1, b->fix);
	if (e->has_pay_to)
		check_address(k, "2010AB", "the pay-to", &e->pay_to, 0, 0,
		    "practice.pay_to in the configuration");
}

static void
check_parties(struct chk *k)
{
	const struct pms_837_claim *c = k->c;
	const struct pms_837_entity *s = &c->subscriber, *p = &c->patient;

	/* 2000B, 2010BA: the subscriber */
	check_id(k, "2010BA NM109", "the subscriber's member id", s->id, 80,
	    s->fix);
	check_name(k, "2010BA", "the subscriber's", s);
	if (s->org)
		say(k, 0, "2010BA NM102: the subscriber must be a person: fix "
		    "it on %s", s->fix);
	if (*c->group_number != '\0')
		check_id(k, "2000B SBR03", "the group number", c->group_number,
		    50, s->fix);
	if (self(c)) {
		check_dmg(k, "2010BA", "the subscriber's", s);
		if (!s->has_address)
			say(k, 0, "2010BA N3: the subscriber's address is "
			    "missing: set it on %s", s->fix);
		else
			check_address(k, "2010BA", "the subscriber's",
			    &s->address, 0, 0, s->fix);
	} else {
		/* 2000C, 2010CA: the patient, who is not the subscriber */
		if (pat01(c->relationship) == NULL)
			say(k, 0, "2000C PAT01: the patient's relationship to "
			    "the subscriber is not spouse, child or other: "
			    "fix it on %s", s->fix);
		if (s->has_address)
			check_address(k, "2010BA", "the subscriber's",
			    &s->address, 0, 0, s->fix);
		check_name(k, "2010CA", "the patient's", p);
		check_dmg(k, "2010CA", "the patient's", p);
		if (!p->has_address)
			say(k, 0, "2010CA N3: the patient's address is missing: "
			    "set it on %s", p->fix);
		else
			check_address(k, "2010CA", "the patient's",
			    &p->address, 0, 0, p->fix);
	}
	/* 2010BB: the payer */
	check_name(k, "2010BB", "the payer's", &c->payer);
	check_id(k, "2010BB NM109", "the payer's id", c->payer.id, 80,
	    c->payer.fix);
	if (!filing_ok(c->filing))
		say(k, 0, "2000B SBR09: the claim filing indicator is not one "
		    "of the 837's: fix it on %s", c->payer.fix);
	if (c->payer_seq < 1 || c->payer_seq > 3)
		say(k, 0, "2000B SBR01: the payer's sequence is not primary, "
		    "secondary or tertiary");
}

static void
check_providers(struct chk *k)
{
	const struct pms_837_claim *c = k->c;
	char fix[96];

	check_npi(k, "2310B NM109", "the rendering provider's",
	    c->rendering.id, c->rendering.fix);
	check_name(k, "2310B", "the rendering provider's", &c->rendering);
	if (!taxonomy_ok(c->rendering.taxonomy))
		say(k, 0, "2310B PRV03: the rendering provider's taxonomy is "
		    "not a NUCC taxonomy code: fix it on %s",
		    c->rendering.fix);
	if (c->has_referring) {
		check_npi(k, "2310A NM109", "the referring provider's",
		    c->referring.id, c->referring.fix);
		check_name(k, "2310A", "the referring provider's",
		    &c->referring);
	}
	if (c->has_facility) {
		check_name(k, "2310C", "the service facility's",
		    &c->facility);
		if (*c->facility.id != '\0')
			check_npi(k, "2310C NM109", "the service facility's",
			    c->facility.id, c->facility.fix);
		/* 5010: a US service facility's N403 is ZIP+4, as
		 * the billing provider's */
		check_address(k, "2310C", "the service facility's",
		    &c->facility.address, 1, 1, c->facility.fix);
	}
	/* as a secondary or tertiary, the payer follows the primary's
	 * adjudication: its own authorisation rule is for its claims as
	 * the primary */
	if (c->prior_auth_required && c->payer_seq < 2 &&
	    *c->prior_auth == '\0') {
		snprintf(fix, sizeof(fix), "visit %lld (pms-bill code %lld "
		    "--prior-auth NUMBER)", (long long)c->visit_id,
		    (long long)(c->nlines > 0 ? c->lines[0].charge_id : 0));
		say(k, 0, "2300 REF*G1: %s needs a prior authorisation number: "
		    "give it for %s", c->payer.fix, fix);
	} else if (*c->prior_auth != '\0') {
		snprintf(fix, sizeof(fix), "visit %lld", (long long)c->visit_id);
		check_id(k, "2300 REF*G1", "the prior authorisation number",
		    c->prior_auth, 50, fix);
	}
}

static void
check_dx(struct chk *k)
{
	const struct pms_837_claim *c = k->c;
	size_t i, j;

	if (c->ndx == 0) {
		say(k, 0, "2300 HI: no diagnosis: code the visit's lines "
		    "(pms-bill code)");
		return;
	}
	if (c->ndx > PMS_CLAIM_DX_MAX)
		say(k, 0, "2300 HI: more than %d diagnoses: a claim carries at "
		    "most %d, and none is left out: code fewer, or make the "
		    "claims with --split-dx", PMS_CLAIM_DX_MAX,
		    PMS_CLAIM_DX_MAX);
	for (i = 0; i < c->ndx && i < PMS_837_DX; i++) {
		if (!icd_ok(c->dx[i]))
			say(k, 0, "2300 HI%02zu: diagnosis %zu is not an "
			    "ICD-10-CM code", i + 1, i + 1);
		for (j = 0; j < i; j++)
			if (strcmp(c->dx[i], c->dx[j]) == 0)
				say(k, 0, "2300 HI%02zu: diagnosis %zu is "
				    "diagnosis %zu again", i + 1, i + 1, j + 1);
	}
}

static void
check_lines(struct chk *k)
{
	const struct pms_837_claim *c = k->c;
	const struct pms_837_line *l;
	int32_t d, first = INT32_MAX;
	int64_t sum = 0;
	size_t i, j, m, n = c->nlines;
	char a[32], b[32], fix[48];
	int dup;

	if (n == 0) {
		say(k, 0, "2400: no service line");
		return;
	}
	if (n > PMS_CLAIM_LINES_MAX) {
		say(k, 0, "2400 LX: more than %d service lines",
		    PMS_CLAIM_LINES_MAX);
		n = PMS_CLAIM_LINES_MAX;
	}
	for (i = 0; i < n; i++) {
		l = &c->lines[i];
		snprintf(fix, sizeof(fix), "charge %lld",
		    (long long)l->charge_id);
		if (!pms_proc_code_valid(l->code))
			say(k, 0, "2400 SV101-2 (line %zu): not a CPT or HCPCS "
			    "code: fix %s", i + 1, fix);
		for (m = 0; m < l->nmods && m < PMS_MODS_MAX; m++)
			if (strlen(l->mods[m]) != 2 ||
			    !isalnum((unsigned char)l->mods[m][0]) ||
			    !isalnum((unsigned char)l->mods[m][1]) ||
			    islower((unsigned char)l->mods[m][0]) ||
			    islower((unsigned char)l->mods[m][1]))
				say(k, 0, "2400 SV101-%zu (line %zu): modifier "
				    "%zu is not two capital letters or digits: "
				    "fix %s", m + 3, i + 1, m + 1, fix);
		if (l->nmods > PMS_MODS_MAX)
			say(k, 0, "2400 SV101 (line %zu): more than %d "
			    "modifiers: fix %s", i + 1, PMS_MODS_MAX, fix);
		if (l->units < 1 || l->units > 9999)
			say(k, 0, "2400 SV104 (line %zu): units not 1 to 9999: "
			    "fix %s", i + 1, fix);
		if (l->amount_cents < 0 || l->amount_cents > PMS_MONEY_MAX)
			say(k, 0, "2400 SV102 (line %zu): the charge is "
			    "negative or too large: fix %s", i + 1, fix);
		else
			sum += l->amount_cents;
		/* SV107: one to four pointers, in range, each once */
		if (l->ptrs_bad || l->nptrs > PMS_CLAIM_PTR_MAX)
			say(k, 0, "2400 SV107 (line %zu): more than %d "
			    "diagnosis pointers: a line points at one to four "
			    "of the claim's diagnoses: fix %s", i + 1,
			    PMS_CLAIM_PTR_MAX, fix);
		else if (l->nptrs == 0)
			say(k, 0, "2400 SV107 (line %zu): no diagnosis pointer: "
			    "every line points at a diagnosis: code %s "
			    "(pms-bill code)", i + 1, fix);
		dup = 0;
		for (j = 0; j < l->nptrs && j < PMS_837_PTRS; j++) {
			if (l->ptrs[j] < 1 || (size_t)l->ptrs[j] > c->ndx)
				say(k, 0, "2400 SV107 (line %zu): pointer %d "
				    "points past the claim's %zu diagnoses: "
				    "fix %s", i + 1, l->ptrs[j], c->ndx, fix);
			for (m = 0; m < j && !dup; m++)
				if (l->ptrs[m] == l->ptrs[j]) {
					say(k, 0, "2400 SV107 (line %zu): "
					    "pointer %d given more than once "
					    "(duplicates): fix %s", i + 1,
					    l->ptrs[j], fix);
					dup = 1;
				}
		}
		if (!date_ok(l->dos, &d))
			say(k, 0, "2400 DTP*472 (line %zu): the date of service "
			    "is not a date: fix %s", i + 1, fix);
		else {
			if (d > k->e->today)
				say(k, 0, "2400 DTP*472 (line %zu): the date of "
				    "service is in the future: a claim goes "
				    "out after the visit", i + 1);
			if (d < first)
				first = d;
		}
		snprintf(a, sizeof(a), "2400 REF*6R (line %zu)", i + 1);
		check_id(k, a, "the line item control number", l->control,
		    50, "the claim (make it again)");
	}
	if (c->nlines <= PMS_CLAIM_LINES_MAX && sum != c->total_cents) {
		pms_837_amount(c->total_cents, a);
		pms_837_amount(sum, b);
		say(k, 0, "2300 CLM02: the claim's total (%s) is not the sum "
		    "of its lines (%s): make the claim again", a, b);
	}
	if (first != INT32_MAX && c->timely_filing_days > 0 &&
	    k->e->today - first > c->timely_filing_days)
		say(k, 1, "2300: the date of service is %ld days ago, past the "
		    "timely filing limit of %s (%d days): send it with proof "
		    "of timely filing, or write it off", (long)(k->e->today -
		    first), c->payer.fix, c->timely_filing_days);
}

/* ---- coordination of benefits: the payers before this one ---- */

static int
cas_group_ok(const char *g)
{
	return strcmp(g, "CO") == 0 || strcmp(g, "PI") == 0 ||
	    strcmp(g, "OA") == 0 || strcmp(g, "PR") == 0 ||
	    strcmp(g, "CR") == 0;
}

/* How many CAS segments the triples v make: one per group (in the
 * order first seen), another for each six more. */
static size_t
cas_segments(const struct pms_837_cas *v, size_t n)
{
	size_t i, j, segs = 0, k;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(v[j].group, v[i].group) != 0; j++)
			;
		if (j < i)
			continue;
		for (k = 0, j = i; j < n; j++)
			if (strcmp(v[j].group, v[i].group) == 0)
				k++;
		segs += (k + 5) / 6;
	}
	return segs;
}

/* The CAS triples of a claim or line: groups, reasons, amounts, at
 * most five segments; *sum gets their total. */
static void
check_cas(struct chk *k, const char *where, const struct pms_837_cas *v,
    size_t n, int64_t *sum)
{
	size_t i;

	*sum = 0;
	if (n > PMS_837_CAS) {
		say(k, 0, "%s CAS: more than %d adjustments", where,
		    PMS_837_CAS);
		n = PMS_837_CAS;
	}
	for (i = 0; i < n; i++) {
		const char *r = v[i].reason;

		if (!cas_group_ok(v[i].group))
			say(k, 0, "%s CAS01: \"%s\" is not a claim adjustment "
			    "group", where, v[i].group);
		if (*r == '\0' || strlen(r) > 3 || strspn(r,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(r))
			say(k, 0, "%s CAS02: not a claim adjustment reason "
			    "code", where);
		if (v[i].amount_cents == 0)
			say(k, 0, "%s CAS03: an adjustment of nothing", where);
		*sum += v[i].amount_cents;
	}
	if (cas_segments(v, n) > 5)
		say(k, 0, "%s CAS: the adjustments need more than five CAS "
		    "segments", where);
}

/*
 * A secondary's or tertiary's loops: one 2320 for each payer before it
 * (its SBR01, the other subscriber of 2330A, the payer of 2330B), that
 * payer's 835 posted; per line a 2430 whose SVD01 is that payer's id,
 * whose charge is SVD02 plus its CAS, with DTP*573; and the claim's
 * CAS and AMT*D consistent with the lines.
 */
static void
check_cob(struct chk *k)
{
	const struct pms_837_claim *c = k->c;
	char where[64], a[32], b[32];
	size_t i, j, m, n = c->nlines <= PMS_CLAIM_LINES_MAX ? c->nlines :
	    PMS_CLAIM_LINES_MAX;
	int32_t d;

	if (c->payer_seq < 2) {
		if (c->nothers > 0)
			say(k, 0, "2320: a primary claim shows no other payer");
		return;
	}
	if (c->nothers != (size_t)(c->payer_seq - 1)) {
		say(k, 0, "2320: a %s claim shows the %d payer%s before it; "
		    "it has %zu (make it again with pms-claim secondary)",
		    c->payer_seq == 2 ? "secondary" : "tertiary",
		    c->payer_seq - 1, c->payer_seq == 2 ? "" : "s",
		    c->nothers);
		return;
	}
	for (i = 0; i < c->nothers; i++) {
		const struct pms_837_other *o = &c->others[i];
		int64_t claim_cas = 0, line_cas = 0, line_paid = 0, sum;
		int64_t billed = 0;
		size_t nadj = 0;

		if (o->payer_seq != (int)i + 1)
			say(k, 0, "2320 SBR01: the payer before it of priority "
			    "%zu is claim %lld's, of priority %d", i + 1,
			    (long long)o->claim_id, o->payer_seq);
		if (o->corrected_by != 0 && o->corrected_freq == '8') {
			say(k, 0, "2320: claim %lld, of the payer before it, "
			    "is voided by claim %lld: a claim after it cannot "
			    "go out", (long long)o->claim_id,
			    (long long)o->corrected_by);
			continue;
		}
		if (o->corrected_by != 0) {
			say(k, 0, "2320: claim %lld, of the payer before it, "
			    "is replaced by claim %lld: this claim waits for "
			    "claim %lld's 835; then pms-claim secondary %lld "
			    "%s", (long long)o->claim_id,
			    (long long)o->corrected_by,
			    (long long)o->corrected_by,
			    (long long)o->corrected_by, c->frequency == '1' ?
			    "makes it again and voids this one" :
			    "makes this correction follow it");
			continue;
		}
		if (!o->posted) {
			say(k, 0, "2320: claim %lld's payer has no 835 posted "
			    "(or it was reversed): post it (pms-claim era) "
			    "before its %s claim goes out",
			    (long long)o->claim_id, c->payer_seq == 2 ?
			    "secondary" : "tertiary");
			continue;
		}
		snprintf(where, sizeof(where), "2320 (claim %lld)",
		    (long long)o->claim_id);
		if (strcmp(o->relationship, "self") != 0 &&
		    pat01(o->relationship) == NULL)
			say(k, 0, "%s SBR02: the relationship to the "
			    "subscriber is not self, spouse, child or other: "
			    "fix it on %s", where, o->subscriber.fix);
		if (*o->group_number != '\0')
			check_id(k, "2320 SBR03", "the other policy's group "
			    "number", o->group_number, 50, o->subscriber.fix);
		if (!filing_ok(o->filing))
			say(k, 0, "%s SBR09: the claim filing indicator is not "
			    "one X12 knows: fix it on %s", where, o->payer.fix);
		check_text(k, "2330A NM103", "the other subscriber's last "
		    "name", o->subscriber.last, 60, 1, o->subscriber.fix);
		check_id(k, "2330A NM109", "the other subscriber's member id",
		    o->subscriber.id, 80, o->subscriber.fix);
		check_text(k, "2330B NM103", "the other payer's name",
		    o->payer.last, 60, 1, o->payer.fix);
		check_id(k, "2330B NM109", "the other payer's id",
		    o->payer.id, 80, o->payer.fix);
		if (strcmp(o->payer.id, c->payer.id) == 0)
			say(k, 0, "2330B NM109: the other payer's id is the "
			    "id of the payer the claim goes to (2010BB): "
			    "give each payer its own id in the configuration");
		for (j = 0; j < i; j++)
			if (strcmp(o->payer.id, c->others[j].payer.id) == 0)
				say(k, 0, "2330B NM109: two payers before it "
				    "have one id");
		if (o->paid_cents < 0)
			say(k, 0, "%s AMT*D: the other payer's paid amount "
			    "is negative", where);
		check_cas(k, where, o->cas, o->ncas, &claim_cas);
		/* a payer that adjudicated some lines only (a secondary
		 * answering the lines left for it): the others have no
		 * 2430 and its sums are of the lines it adjudicated */
		for (j = 0; j < n; j++)
			if (o->lines[j].has) {
				nadj++;
				billed += c->lines[j].amount_cents;
			}
		if (nadj == 0)
			billed = c->total_cents;
		for (j = 0; j < n; j++) {
			const struct pms_837_line_adj *l = &o->lines[j];

			snprintf(where, sizeof(where), "2430 (line %zu, claim "
			    "%lld)", j + 1, (long long)o->claim_id);
			if (!l->has && nadj > 0)
				continue;
			if (!l->has) {
				say(k, 0, "%s: the payer before it did not "
				    "adjudicate the line", where);
				continue;
			}
			if (strcmp(l->payer, o->payer.id) != 0)
				say(k, 0, "%s SVD01: the payer that "
				    "adjudicated the line is not the other "
				    "payer of 2330B NM109", where);
			if (!pms_proc_code_valid(l->code))
				say(k, 0, "%s SVD03-2: not a CPT or HCPCS code",
				    where);
			for (m = 0; m < l->nmods; m++)
				if (m >= PMS_MODS_MAX ||
				    strlen(l->mods[m]) != 2 ||
				    !isalnum((unsigned char)l->mods[m][0]) ||
				    !isalnum((unsigned char)l->mods[m][1]) ||
				    islower((unsigned char)l->mods[m][0]) ||
				    islower((unsigned char)l->mods[m][1])) {
					say(k, 0, "%s SVD03: a modifier is not "
					    "two capital letters or digits",
					    where);
					break;
				}
			if (l->units < 0 || l->units > 9999)
				say(k, 0, "%s SVD05: units not 0 to 9999",
				    where);
			if (l->paid_cents < 0)
				say(k, 0, "%s SVD02: the paid amount is "
				    "negative", where);
			check_cas(k, where, l->cas, l->ncas, &sum);
			if (l->paid_cents + sum != c->lines[j].amount_cents) {
				pms_837_amount(c->lines[j].amount_cents, a);
				pms_837_amount(l->paid_cents + sum, b);
				say(k, 0, "%s: the line's charge (%s) is not "
				    "SVD02 plus its adjustments (%s)", where,
				    a, b);
			}
			if (!date_ok(l->adjudicated, &d))
				say(k, 0, "%s DTP*573: the adjudication date "
				    "is not a date", where);
			else if (d > k->e->today)
				say(k, 0, "%s DTP*573: the adjudication date "
				    "is in the future", where);
			line_cas += sum;
			line_paid += l->paid_cents;
		}
		snprintf(where, sizeof(where), "2320 (claim %lld)",
		    (long long)o->claim_id);
		if (line_paid - claim_cas != o->paid_cents) {
			pms_837_amount(o->paid_cents, a);
			pms_837_amount(line_paid - claim_cas, b);
			say(k, 0, "%s AMT*D: the paid amount (%s) is not the "
			    "lines' SVD02 less the claim's CAS (%s)", where, a,
			    b);
		}
		if (o->paid_cents + claim_cas + line_cas != billed) {
			pms_837_amount(billed, a);
			pms_837_amount(o->paid_cents + claim_cas + line_cas, b);
			if (billed == c->total_cents)
				say(k, 0, "%s: CLM02 (%s) is not AMT*D plus "
				    "the claim's and the lines' CAS (%s)",
				    where, a, b);
			else
				say(k, 0, "%s: the charges of the lines it "
				    "adjudicated (%s) are not AMT*D plus the "
				    "claim's and the lines' CAS (%s)", where,
				    a, b);
		}
	}
}

unsigned
pms_837_check(const struct pms_837_env *e, const struct pms_837_claim *c,
    pms_claim_report_fn *report, void *arg)
{
	struct chk k;
	const char *p;
	size_t n;

	memset(&k, 0, sizeof(k));
	k.e = e;
	k.c = c;
	k.report = report;
	k.arg = arg;
	if (pms_x12_delims_check(&e->delims) != PMS_OK)
		say(&k, 0, "trading_partner.separators: %s", pms_errmsg());
	/* 2300 CLM: the claim itself */
	n = strlen(c->clm01);
	for (p = c->clm01; isalnum((unsigned char)*p) || *p == '-'; p++)
		;
	if (n == 0 || n > PMS_CLM01_MAX || *p != '\0' ||
	    (is_delim(&e->delims, '-') && strchr(c->clm01, '-') != NULL))
		say(&k, 0, "2300 CLM01: the patient control number is not 1 "
		    "to %d letters, digits and \"-\"", PMS_CLM01_MAX);
	if (c->total_cents < 0 || c->total_cents > PMS_MONEY_MAX)
		say(&k, 0, "2300 CLM02: the claim's total is negative or too "
		    "large");
	if (strlen(c->pos) != 2 || !isdigit((unsigned char)c->pos[0]) ||
	    !isdigit((unsigned char)c->pos[1]))
		say(&k, 0, "2300 CLM05-1: the place of service is not two "
		    "digits: fix it on %s", c->facility.fix[0] != '\0' ?
		    c->facility.fix : "the location");
	if (c->frequency != '1' && c->frequency != '7' && c->frequency != '8')
		say(&k, 0, "2300 CLM05-3: the claim frequency is not 1, 7 or "
		    "8");
	else if (c->frequency != '1')
		check_id(&k, "2300 REF*F8", "the payer's claim number (a "
		    "replacement or void needs it)", c->payer_claim_number,
		    50, "the claim");
	check_billing(&k);
	check_parties(&k);
	check_providers(&k);
	check_dx(&k);
	check_lines(&k);
	check_cob(&k);
	return k.errors;
}

/* ---- the writer ---- */

struct pms_837_writer {
	struct pms_x12_writer *w;
	const struct pms_837_env *e;
	struct pms_837_batch b;
	char		 date8[9];	/* CCYYMMDD */
	char		 time4[5];	/* HHMM */
	unsigned	 hl;		/* the last HL id of the set */
	int		 in_set;
	uint32_t	 st02;
	unsigned long	 claims;	/* of the set */
};

/* Cleaned text into buf, or "" when there is nothing to write. */
static const char *
cl(const struct pms_837_writer *o, const char *text, char *buf, size_t size)
{
	if (*text == '\0' || pms_837_clean(&o->e->delims, text, buf, size) !=
	    PMS_OK)
		buf[0] = '\0';
	return buf;
}

/* N3 and N4 of an address. */
static enum pms_status
w_address(struct pms_837_writer *o, const struct pms_837_address *a)
{
	char s1[CLEAN_MAX], s2[CLEAN_MAX], city[CLEAN_MAX], zip[16];
	enum pms_status st;

	if (zip_digits(a->zip, zip) == -1)
		zip[0] = '\0';
	if ((st = pms_x12_write_seg(o->w, "N3*%s*%s", cl(o, a->street, s1,
	    sizeof(s1)), cl(o, a->street2, s2, sizeof(s2)))) != PMS_OK)
		return st;
	return pms_x12_write_seg(o->w, "N4*%s*%s*%s", cl(o, a->city, city,
	    sizeof(city)), a->state, zip);
}

/* NM1 of a person (1) or organization (2): qual, names, then id_qual
 * and the id when there is one. */
static enum pms_status
w_nm1(struct pms_837_writer *o, const char *qual, const struct pms_837_entity
    *p, const char *id_qual)
{
	char last[CLEAN_MAX], first[CLEAN_MAX], mid[CLEAN_MAX], suf[CLEAN_MAX];
	const char *id = id_qual != NULL && *p->id != '\0' ? p->id : NULL;

	cl(o, p->last, last, sizeof(last));
	if (p->org)
		return pms_x12_write_seg(o->w, "NM1*%s*2*%s*****%s*%s", qual,
		    last, id != NULL ? id_qual : NULL, id);
	return pms_x12_write_seg(o->w, "NM1*%s*1*%s*%s*%s**%s*%s*%s", qual,
	    last, cl(o, p->first, first, sizeof(first)), cl(o, p->middle, mid,
	    sizeof(mid)), cl(o, p->suffix, suf, sizeof(suf)),
	    id != NULL ? id_qual : NULL, id);
}

enum pms_status
pms_837_open(struct pms_837_writer **op, FILE *out,
    const struct pms_837_env *e, const struct pms_837_batch *b)
{
	struct pms_x12_writer_opts wo;
	struct pms_837_writer *o;
	struct pms_x12_isa isa;
	enum pms_status st;
	char yymmdd[7], hhmm[5], gs06[16];

	*op = NULL;
	if (!e->has_partner)
		return pms_seterr(PMS_ECONFIG, "no trading_partner in the "
		    "configuration: claims cannot be exported (pms.yaml(5))");
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	o->e = e;
	o->b = *b;
	d8(b->date, o->date8);
	if (strlen(o->date8) != 8 || strlen(b->time) != 5) {
		free(o);
		return pms_seterr(PMS_EINTERNAL, "837: a bad batch date");
	}
	memcpy(o->time4, b->time, 2);
	memcpy(o->time4 + 2, b->time + 3, 2);
	o->time4[4] = '\0';
	memset(&wo, 0, sizeof(wo));
	wo.delims = e->delims;
	wo.eol = e->newline ? PMS_X12_EOL_LF : PMS_X12_EOL_NONE;
	if ((st = pms_x12_writer_open(&o->w, out, &wo)) != PMS_OK) {
		free(o);
		return st;
	}
	memcpy(yymmdd, o->date8 + 2, 6);
	yymmdd[6] = '\0';
	memcpy(hhmm, o->time4, 5);
	memset(&isa, 0, sizeof(isa));
	isa.auth_qual = e->isa01;
	isa.auth = e->isa02;
	isa.sec_qual = e->isa03;
	isa.sec = e->isa04;
	isa.sender_qual = e->sender_qual;
	isa.sender = e->sender;
	isa.receiver_qual = e->receiver_qual;
	isa.receiver = e->receiver;
	isa.date = yymmdd;
	isa.time = hhmm;
	isa.control = b->isa13;
	isa.ack = '0';
	isa.usage = e->usage;
	snprintf(gs06, sizeof(gs06), "%" PRIu32, b->isa13);
	if ((st = pms_x12_write_isa(o->w, &isa)) != PMS_OK ||
	    (st = pms_x12_write_seg(o->w, "GS*HC*%s*%s*%s*%s*%s*X*"
	    "005010X222A1", e->gs_sender, e->gs_receiver, o->date8, o->time4,
	    gs06)) != PMS_OK) {
		pms_837_abort(o);
		return st;
	}
	*op = o;
	return PMS_OK;
}

enum pms_status
pms_837_set_begin(struct pms_837_writer *o, uint32_t st02)
{
	const struct pms_837_env *e = o->e;
	char ctl[16], bht[40], name[CLEAN_MAX], contact[CLEAN_MAX];
	char phone[PMS_CFG_PHONE], tax[16];
	enum pms_status st;
	struct pms_x12_writer *w = o->w;

	if (o->in_set)
		return pms_seterr(PMS_EINTERNAL, "837: a set is open");
	snprintf(ctl, sizeof(ctl), "%04" PRIu32, st02);
	snprintf(bht, sizeof(bht), "%lld-%" PRIu32, (long long)o->b.batch_id,
	    st02);
	phone_digits(e->phone, phone);
	o->hl = 1;
	o->claims = 0;
	o->st02 = st02;
	o->in_set = 1;
	snprintf(tax, sizeof(tax), "%s", e->billing.taxonomy);
	if ((st = pms_x12_write_seg(w, "ST*837*%s*005010X222A1", ctl)) !=
	    PMS_OK ||
	    (st = pms_x12_write_seg(w, "BHT*0019*00*%s*%s*%s*CH", bht,
	    o->date8, o->time4)) != PMS_OK ||
	    /* 1000A: the submitter, and whom to call */
	    (st = pms_x12_write_seg(w, "NM1*41*2*%s*****46*%s", cl(o,
	    e->submitter, name, sizeof(name)), e->sender)) != PMS_OK)
		return st;
	cl(o, e->contact, contact, sizeof(contact));
	if (*phone != '\0' && *e->email != '\0')
		st = pms_x12_write_seg(w, "PER*IC*%s*TE*%s*EM*%s", contact,
		    phone, e->email);
	else if (*phone != '\0')
		st = pms_x12_write_seg(w, "PER*IC*%s*TE*%s", contact, phone);
	else
		st = pms_x12_write_seg(w, "PER*IC*%s*EM*%s", contact,
		    e->email);
	if (st != PMS_OK ||
	    /* 1000B: the receiver */
	    (st = pms_x12_write_seg(w, "NM1*40*2*%s*****46*%s", cl(o,
	    e->receiver_name, name, sizeof(name)), e->receiver)) != PMS_OK ||
	    /* 2000A, 2010AA: the billing provider */
	    (st = pms_x12_write_seg(w, "HL*1**20*1")) != PMS_OK ||
	    (st = pms_x12_write_seg(w, "PRV*BI*PXC*%s", tax)) != PMS_OK ||
	    (st = w_nm1(o, "85", &e->billing, "XX")) != PMS_OK ||
	    (st = w_address(o, &e->billing.address)) != PMS_OK ||
	    (st = pms_x12_write_seg(w, "REF*EI*%s", e->ein)) != PMS_OK)
		return st;
	/* 2010AB: where payments go, when elsewhere */
	if (e->has_pay_to) {
		if ((st = pms_x12_write_seg(w, "NM1*87*2")) != PMS_OK ||
		    (st = w_address(o, &e->pay_to)) != PMS_OK)
			return st;
	}
	return PMS_OK;
}

/* SV1: the procedure and its modifiers, the charge, units, pointers. */
static enum pms_status
w_sv1(struct pms_837_writer *o, const struct pms_837_line *l)
{
	struct pms_x12_writer *w = o->w;
	char amt[32], units[16], ptr[16];
	size_t i;

	pms_837_amount(l->amount_cents, amt);
	snprintf(units, sizeof(units), "%d", l->units);
	pms_x12_write_begin(w, "SV1");
	pms_x12_write_elem(w, "HC");
	pms_x12_write_comp(w, l->code);
	for (i = 0; i < l->nmods && i < PMS_MODS_MAX; i++)
		pms_x12_write_comp(w, l->mods[i]);
	pms_x12_write_elem(w, amt);
	pms_x12_write_elem(w, "UN");
	pms_x12_write_elem(w, units);
	pms_x12_write_elem(w, NULL);	/* SV105: the claim's place */
	pms_x12_write_elem(w, NULL);
	for (i = 0; i < l->nptrs && i < PMS_CLAIM_PTR_MAX; i++) {
		snprintf(ptr, sizeof(ptr), "%d", l->ptrs[i]);
		if (i == 0)
			pms_x12_write_elem(w, ptr);
		else
			pms_x12_write_comp(w, ptr);
	}
	return pms_x12_write_end(w);
}

static enum pms_status
w_dmg(struct pms_837_writer *o, const struct pms_837_entity *p)
{
	char dob[9];

	d8(p->dob, dob);
	return pms_x12_write_seg(o->w, "DMG*D8*%s*%s", dob, sex_code(p->sex));
}

/* The CAS segments of v: one per group, in the order first seen, of
 * at most six triples each. */
static enum pms_status
w_cas(struct pms_837_writer *o, const struct pms_837_cas *v, size_t n)
{
	struct pms_x12_writer *w = o->w;
	enum pms_status st;
	char amt[32];
	size_t i, j, k;

	if (n > PMS_837_CAS)
		n = PMS_837_CAS;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(v[j].group, v[i].group) != 0; j++)
			;
		if (j < i)
			continue;
		k = 0;
		for (j = i; j < n; j++) {
			if (strcmp(v[j].group, v[i].group) != 0)
				continue;
			if (k % 6 == 0) {
				if (k > 0 && (st = pms_x12_write_end(w)) !=
				    PMS_OK)
					return st;
				pms_x12_write_begin(w, "CAS");
				pms_x12_write_elem(w, v[i].group);
			}
			pms_837_amount(v[j].amount_cents, amt);
			pms_x12_write_elem(w, v[j].reason);
			pms_x12_write_elem(w, amt);
			pms_x12_write_elem(w, NULL);	/* quantity */
			k++;
		}
		if ((st = pms_x12_write_end(w)) != PMS_OK)
			return st;
	}
	return PMS_OK;
}

/* 2320, 2330A, 2330B of each payer before this one. */
static enum pms_status
w_others(struct pms_837_writer *o, const struct pms_837_claim *c)
{
	struct pms_x12_writer *w = o->w;
	enum pms_status st;
	char sbr[2], amt[32];
	size_t i;

	for (i = 0; i < c->nothers; i++) {
		const struct pms_837_other *x = &c->others[i];
		const char *rel = strcmp(x->relationship, "self") == 0 ?
		    "18" : pat01(x->relationship);

		sbr[0] = x->payer_seq == 2 ? 'S' : x->payer_seq == 3 ? 'T' :
		    'P';
		sbr[1] = '\0';
		if ((st = pms_x12_write_seg(w, "SBR*%s*%s*%s******%s", sbr,
		    rel, x->group_number, x->filing)) != PMS_OK ||
		    (st = w_cas(o, x->cas, x->ncas)) != PMS_OK)
			return st;
		pms_837_amount(x->paid_cents, amt);
		if ((st = pms_x12_write_seg(w, "AMT*D*%s", amt)) != PMS_OK)
			return st;
		if (x->patient_cents > 0) {
			pms_837_amount(x->patient_cents, amt);
			if ((st = pms_x12_write_seg(w, "AMT*EAF*%s", amt)) !=
			    PMS_OK)
				return st;
		}
		/* benefits assigned, the patient's signature on file,
		 * release of information: as the claim's CLM */
		if ((st = pms_x12_write_seg(w, "OI***Y*P**Y")) != PMS_OK ||
		    (st = w_nm1(o, "IL", &x->subscriber, "MI")) != PMS_OK ||
		    (st = w_nm1(o, "PR", &x->payer, "PI")) != PMS_OK)
			return st;
	}
	return PMS_OK;
}

/* 2430 of line i for each payer before this one: SVD, CAS, DTP*573. */
static enum pms_status
w_line_adj(struct pms_837_writer *o, const struct pms_837_claim *c, size_t i)
{
	struct pms_x12_writer *w = o->w;
	enum pms_status st;
	char amt[32], units[16], d[9];
	size_t j, m;

	for (j = 0; j < c->nothers; j++) {
		const struct pms_837_line_adj *l = &c->others[j].lines[i];

		/* 2430 only where that payer adjudicated the line */
		if (!l->has)
			continue;
		pms_837_amount(l->paid_cents, amt);
		snprintf(units, sizeof(units), "%d", l->units);
		pms_x12_write_begin(w, "SVD");
		pms_x12_write_elem(w, l->payer);
		pms_x12_write_elem(w, amt);
		pms_x12_write_elem(w, "HC");
		pms_x12_write_comp(w, l->code);
		for (m = 0; m < l->nmods && m < PMS_MODS_MAX; m++)
			pms_x12_write_comp(w, l->mods[m]);
		pms_x12_write_elem(w, NULL);	/* SVD04: institutional */
		pms_x12_write_elem(w, units);
		d8(l->adjudicated, d);
		if ((st = pms_x12_write_end(w)) != PMS_OK ||
		    (st = w_cas(o, l->cas, l->ncas)) != PMS_OK ||
		    (st = pms_x12_write_seg(w, "DTP*573*D8*%s", d)) != PMS_OK)
			return st;
	}
	return PMS_OK;
}

enum pms_status
pms_837_claim(struct pms_837_writer *o, const struct pms_837_claim *c)
{
	const struct pms_837_env *e = o->e;
	struct pms_x12_writer *w = o->w;
	enum pms_status st;
	char sbr[2], hl[24], hl2[24], amt[32], freq[2], dos[9], lx[24];
	unsigned subscriber_hl;
	size_t i;
	int pat = !self(c);

	if (!o->in_set)
		return pms_seterr(PMS_EINTERNAL, "837: no set is open");
	if (o->claims >= PMS_CLAIM_SET_MAX)
		return pms_seterr(PMS_EINTERNAL, "837: a set is full");
	if (c->nlines > PMS_CLAIM_LINES_MAX || c->ndx > PMS_CLAIM_DX_MAX ||
	    c->nlines == 0 || c->ndx == 0 || (pat && pat01(c->relationship) ==
	    NULL) || c->nothers > PMS_837_OTHERS || (c->payer_seq > 1 &&
	    c->nothers != (size_t)(c->payer_seq - 1)))
		return pms_seterr(PMS_EDATA, "claim %lld: not a claim the "
		    "check passes", (long long)c->claim_id);
	o->claims++;
	sbr[0] = c->payer_seq == 2 ? 'S' : c->payer_seq == 3 ? 'T' : 'P';
	sbr[1] = '\0';
	subscriber_hl = ++o->hl;
	snprintf(hl, sizeof(hl), "%u", subscriber_hl);
	/* 2000B, 2010BA, 2010BB: the subscriber and the payer */
	if ((st = pms_x12_write_seg(w, "HL*%s*1*22*%s", hl, pat ? "1" :
	    "0")) != PMS_OK ||
	    (st = pms_x12_write_seg(w, "SBR*%s*%s*%s******%s", sbr, pat ?
	    NULL : "18", c->group_number, c->filing)) != PMS_OK ||
	    (st = w_nm1(o, "IL", &c->subscriber, "MI")) != PMS_OK)
		return st;
	if (c->subscriber.has_address &&
	    (st = w_address(o, &c->subscriber.address)) != PMS_OK)
		return st;
	if (!pat && (st = w_dmg(o, &c->subscriber)) != PMS_OK)
		return st;
	if ((st = w_nm1(o, "PR", &c->payer, "PI")) != PMS_OK)
		return st;
	/* 2000C, 2010CA: the patient, when not the subscriber */
	if (pat) {
		snprintf(hl2, sizeof(hl2), "%u", ++o->hl);
		if ((st = pms_x12_write_seg(w, "HL*%s*%s*23*0", hl2, hl)) !=
		    PMS_OK ||
		    (st = pms_x12_write_seg(w, "PAT*%s",
		    pat01(c->relationship))) != PMS_OK ||
		    (st = w_nm1(o, "QC", &c->patient, NULL)) != PMS_OK ||
		    (st = w_address(o, &c->patient.address)) != PMS_OK ||
		    (st = w_dmg(o, &c->patient)) != PMS_OK)
			return st;
	}
	/* 2300: the claim */
	pms_837_amount(c->total_cents, amt);
	freq[0] = c->frequency;
	freq[1] = '\0';
	if ((st = pms_x12_write_seg(w, "CLM*%s*%s***%s:B:%s*Y*A*Y*Y",
	    c->clm01, amt, c->pos, freq)) != PMS_OK)
		return st;
	/* the 2300 REFs in the guide's order: G1, then F8 */
	if (*c->prior_auth != '\0' && (st = pms_x12_write_seg(w, "REF*G1*%s",
	    c->prior_auth)) != PMS_OK)
		return st;
	if (c->frequency != '1' && (st = pms_x12_write_seg(w, "REF*F8*%s",
	    c->payer_claim_number)) != PMS_OK)
		return st;
	pms_x12_write_begin(w, "HI");
	for (i = 0; i < c->ndx; i++) {
		pms_x12_write_elem(w, i == 0 ? "ABK" : "ABF");
		pms_x12_write_comp(w, c->dx[i]);
	}
	if ((st = pms_x12_write_end(w)) != PMS_OK)
		return st;
	/* 2310A referring, 2310B rendering (when not the billing
	 * provider), 2310C the service facility (when elsewhere) */
	if (c->has_referring &&
	    (st = w_nm1(o, "DN", &c->referring, "XX")) != PMS_OK)
		return st;
	if (strcmp(c->rendering.id, e->billing.id) != 0 &&
	    ((st = w_nm1(o, "82", &c->rendering, "XX")) != PMS_OK ||
	    (st = pms_x12_write_seg(w, "PRV*PE*PXC*%s",
	    c->rendering.taxonomy)) != PMS_OK))
		return st;
	if (c->has_facility &&
	    ((st = w_nm1(o, "77", &c->facility, "XX")) != PMS_OK ||
	    (st = w_address(o, &c->facility.address)) != PMS_OK))
		return st;
	/* 2320, 2330A, 2330B: the payers before this one */
	if ((st = w_others(o, c)) != PMS_OK)
		return st;
	/* 2400: the service lines */
	for (i = 0; i < c->nlines; i++) {
		snprintf(lx, sizeof(lx), "%zu", i + 1);
		d8(c->lines[i].dos, dos);
		if ((st = pms_x12_write_seg(w, "LX*%s", lx)) != PMS_OK ||
		    (st = w_sv1(o, &c->lines[i])) != PMS_OK ||
		    (st = pms_x12_write_seg(w, "DTP*472*D8*%s", dos)) !=
		    PMS_OK ||
		    (st = pms_x12_write_seg(w, "REF*6R*%s",
		    c->lines[i].control)) != PMS_OK ||
		    /* 2430: what each payer before did of it */
		    (st = w_line_adj(o, c, i)) != PMS_OK)
			return st;
	}
	return PMS_OK;
}

enum pms_status
pms_837_set_end(struct pms_837_writer *o)
{
	if (!o->in_set)
		return pms_seterr(PMS_EINTERNAL, "837: no set is open");
	o->in_set = 0;
	return pms_x12_write_se(o->w);
}

enum pms_status
pms_837_close(struct pms_837_writer *o)
{
	enum pms_status st;

	if (o == NULL)
		return PMS_OK;
	if (o->in_set)
		st = pms_seterr(PMS_EINTERNAL, "837: a set is still open");
	else if ((st = pms_x12_write_ge(o->w)) == PMS_OK)
		st = pms_x12_write_iea(o->w);
	if (st != PMS_OK) {
		pms_837_abort(o);
		return st;
	}
	st = pms_x12_writer_close(o->w);
	free(o);
	return st;
}

void
pms_837_abort(struct pms_837_writer *o)
{
	if (o == NULL)
		return;
	(void)pms_x12_writer_close(o->w);
	free(o);
}
