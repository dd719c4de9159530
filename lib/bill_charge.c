/*
 * bill_charge.c: making charges (bill.h).  One line of a visit at a
 * time, from the charge command or from records on stdin (appointments
 * from pms-schedule, or a practice's own charge lines), priced from
 * the fee schedule, coded with diagnoses and pointers, owed at first by
 * the primary policy covering the date of service; fee schedules and
 * balances brought from another system come in here too.  Imports are
 * all or nothing, each row in a savepoint of its own so that a bad row
 * leaves nothing behind when its good neighbours go in.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "bill_int.h"
#include "money.h"
#include "schedule.h"

#define copy_text bill_copy

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL && *v != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int
blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* One line of printable text of at most max bytes. */
static int
line_ok(const char *t, size_t max)
{
	size_t n = 0;

	for (; *t != '\0'; t++, n++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return 0;
	return n <= max;
}

/* A fee code of the practice's own: 2 to 10 capital letters, digits. */
static int
feecode_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (pms_proc_kind(s) >= 0)
		return 1;
	if (n < 2 || n > 10)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9')))
			return 0;
	return 1;
}

static void
upcase(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	while (src != NULL && (*src == ' ' || *src == '\t'))
		src++;
	for (; src != NULL && src[0] != '\0' && i + 1 < size; src++)
		dst[i++] = *src >= 'a' && *src <= 'z' ? (char)(*src - 32) :
		    *src;
	while (i > 0 && (dst[i - 1] == ' ' || dst[i - 1] == '\t'))
		i--;
	dst[i] = '\0';
}

static int
is_selfpay(const struct bill_env *e, const char *code)
{
	size_t i;

	for (i = 0; i < e->nselfpay; i++)
		if (strcmp(e->selfpay[i], code) == 0)
			return 1;
	return 0;
}

/* The price of code in schedule; *found 0 if it has none. */
static enum pms_status
price_of(struct pms_store *s, const char *schedule, const char *code,
    int64_t *price, int *found)
{
	sqlite3_stmt *st;
	int rc;

	*found = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT price_cents FROM fees WHERE "
	    "schedule = ?1 AND code = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the fee schedule");
	sqlite3_bind_text(st, 1, schedule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*price = sqlite3_column_int64(st, 0);
		*found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading the fee schedule");
	return PMS_OK;
}

/* A payer's fee schedule ("" for the default). */
static enum pms_status
payer_schedule(struct pms_store *s, int64_t payer, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int rc;

	buf[0] = '\0';
	rc = sqlite3_prepare_v2(s->db, "SELECT fee_schedule FROM payers WHERE "
	    "id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading payers");
	sqlite3_bind_int64(st, 1, payer);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_text(buf, size, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading payers");
	return PMS_OK;
}

/* ---- the visit's diagnoses ---- */

struct dxlist {
	size_t		 n;
	char		 dx[PMS_DX_MAX_VISIT][PMS_ICD_BUFSZ];
};

static void
dx_split(const char *t, struct dxlist *l)
{
	const char *p = t, *q;
	size_t len;

	l->n = 0;
	while (p != NULL && *p != '\0' && l->n < PMS_DX_MAX_VISIT) {
		for (q = p; *q != '\0' && *q != ','; q++)
			;
		len = (size_t)(q - p);
		if (len > 0 && len < PMS_ICD_BUFSZ) {
			memcpy(l->dx[l->n], p, len);
			l->dx[l->n][len] = '\0';
			l->n++;
		}
		p = *q == ',' ? q + 1 : q;
	}
}

static void
dx_join(const struct dxlist *l, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i > 0 ? "," : "", l->dx[i]);
}

/*
 * The diagnoses typed for a line ("E11.9, I10"), normalised and
 * checked against a loaded list, into line (at most four).
 */
static enum pms_status
dx_parse(struct pms_store *s, const char *in, const char *dos,
    struct dxlist *line)
{
	char one[PMS_CODE_BUFSZ], code[PMS_CODE_BUFSZ];
	const char *p = in, *q;
	enum pms_status st;
	size_t len, i;

	line->n = 0;
	while (p != NULL && *p != '\0') {
		while (*p == ',' || *p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != ',' && *q != ';' && *q != ' ' &&
		    *q != '\t'; q++)
			;
		len = (size_t)(q - p);
		if (len >= sizeof(one))
			return pms_seterr(PMS_EDATA, "not a diagnosis code");
		memcpy(one, p, len);
		one[len] = '\0';
		if (pms_code_norm(PMS_CODE_ICD10CM, one, code) != PMS_OK)
			return pms_seterr(PMS_EDATA, "not an ICD-10-CM code (a "
			    "letter, a digit, a letter or digit, then up to "
			    "four more after an optional dot)");
		if (line->n == PMS_DX_MAX_LINE)
			return pms_seterr(PMS_EDATA, "more than four diagnoses "
			    "for one line");
		for (i = 0; i < line->n; i++)
			if (strcmp(line->dx[i], code) == 0)
				return pms_seterr(PMS_EDATA, "a diagnosis "
				    "given twice");
		if ((st = pms_code_check(s, PMS_CODE_ICD10CM, code, dos)) !=
		    PMS_OK)
			return st;
		copy_text(line->dx[line->n++], PMS_ICD_BUFSZ, code);
		p = q;
	}
	return PMS_OK;
}

/* Add the line's diagnoses to the visit's; its pointers into them. */
static enum pms_status
dx_point(struct dxlist *visit, const struct dxlist *line, char *ptr,
    size_t size)
{
	size_t i, j, len = 0;

	ptr[0] = '\0';
	for (i = 0; i < line->n; i++) {
		for (j = 0; j < visit->n; j++)
			if (strcmp(visit->dx[j], line->dx[i]) == 0)
				break;
		if (j == visit->n) {
			if (visit->n == PMS_DX_MAX_VISIT)
				return pms_seterr(PMS_EREFUSED, "the visit has "
				    "%d diagnoses already", PMS_DX_MAX_VISIT);
			copy_text(visit->dx[visit->n++], PMS_ICD_BUFSZ,
			    line->dx[i]);
		}
		len += (size_t)snprintf(ptr + len, size - len, "%s%zu",
		    i > 0 ? "," : "", j + 1);
	}
	return PMS_OK;
}

/* ---- a line ---- */

/* A line checked and normalised, ready to be written. */
struct line {
	int64_t		 patient_id;
	char		 dos[PMS_DATE_BUFSZ];
	struct pms_provider prov;
	struct pms_location loc;
	char		 code[PMS_CODE_BUFSZ];
	char		 kind[8];	/* service, fee */
	int		 patient_only;
	char		 mods[PMS_MODS_BUFSZ];
	int64_t		 units;
	struct dxlist	 dx;
	char		 ref_name[PMS_BILL_TEXT];
	char		 ref_npi[11];
	char		 auth[PMS_BILL_AUTH];
};

/* Field-named failures: "field: what". */
static enum pms_status
fail_field(const char *field, enum pms_status st)
{
	char m[400];

	snprintf(m, sizeof(m), "%s", pms_errmsg());
	return pms_seterr(st, "%s: %s", field, m);
}

/* What an appointment of the store may be charged: a visit unless it
 * was cancelled or missed, and its fees only when they are due. */
static enum pms_status
appt_rules(const struct bill_env *e, const struct pms_appt *a,
    const char *code)
{
	long long id = (long long)a->id;
	int noshow, latec;

	noshow = e->noshow[0] != '\0' && strcmp(code, e->noshow) == 0;
	latec = e->latec[0] != '\0' && strcmp(code, e->latec) == 0;
	if (strcmp(a->status, "no-show") == 0 && !noshow)
		return pms_seterr(PMS_EREFUSED, "status: a no-show is charged "
		    "only the no-show fee (billing.no_show_fee of the "
		    "configuration)");
	if (strcmp(a->status, "cancelled") == 0 && !latec)
		return pms_seterr(PMS_EREFUSED, "status: a cancelled "
		    "appointment is charged only the late-cancel fee "
		    "(billing.late_cancel_fee of the configuration)");
	if (noshow && strcmp(a->status, "no-show") != 0)
		return pms_seterr(PMS_EREFUSED, "code: the no-show fee is for "
		    "a no-show, and appointment %lld is %s", id, a->status);
	if (latec && strcmp(a->status, "cancelled") != 0)
		return pms_seterr(PMS_EREFUSED, "code: the late-cancel fee is "
		    "for a cancelled appointment, and appointment %lld is %s",
		    id, a->status);
	if (latec && !a->late_cancel)
		return pms_seterr(PMS_EREFUSED, "code: appointment %lld was "
		    "not cancelled late (by the patient, within the notice of "
		    "the configuration): no late-cancel fee is due", id);
	return PMS_OK;
}

/*
 * The appointment a line names, from the store: its patient, provider,
 * location and date of service become the line's, and must agree with
 * the line's where it gives them; its status, not the record's (which
 * may be stale), decides what it may be charged (appt_rules).
 */
static enum pms_status
appt_take(struct pms_store *s, struct pms_charge_in *in, struct pms_appt *a)
{
	struct pms_provider prov;
	struct pms_location loc;
	enum pms_status st;
	long long id = (long long)in->appointment_id;
	int64_t pid, given;
	int32_t d, ad;

	if ((st = pms_appt_get(s, in->appointment_id, a)) != PMS_OK) {
		if (st != PMS_EREFUSED)
			return st;
		return pms_seterr(PMS_EREFUSED, "appointment_id: no "
		    "appointment %lld", id);
	}
	if ((st = pms_patient_id(s, a->patient_id, NULL, &pid, NULL)) !=
	    PMS_OK)
		return st;
	if (in->patient_id != 0 || !blank(in->mrn)) {
		if ((st = bill_patient(s, in->patient_id, in->mrn, &given)) !=
		    PMS_OK)
			return st;
		if (given != pid)
			return pms_seterr(PMS_EREFUSED, "%s: not the patient "
			    "of appointment %lld", in->patient_id != 0 ?
			    "patient_id" : "mrn", id);
	}
	if (!blank(in->provider)) {
		if ((st = pms_provider_find(s, in->provider, &prov)) != PMS_OK)
			return fail_field("provider", st);
		if (prov.id != a->provider_id)
			return pms_seterr(PMS_EREFUSED, "provider: appointment "
			    "%lld is with %s", id, a->provider);
	}
	if (!blank(in->location)) {
		if ((st = pms_location_find(s, in->location, &loc)) != PMS_OK)
			return fail_field("location", st);
		if (loc.id != a->location_id)
			return pms_seterr(PMS_EREFUSED, "location: appointment "
			    "%lld is at %s", id, a->location);
	}
	if (!blank(in->dos)) {
		if ((st = pms_date_parse(in->dos, PMS_DATE_ISO, &d)) != PMS_OK)
			return fail_field("date_of_service", st);
		if ((st = pms_date_parse(a->date, PMS_DATE_ISO, &ad)) !=
		    PMS_OK)
			return fail_field("date_of_service", st);
		if (d != ad)
			return pms_seterr(PMS_EREFUSED, "date_of_service: "
			    "appointment %lld is on %s", id, a->date);
	}
	in->patient_id = pid;
	in->mrn = NULL;
	in->provider = a->provider;
	in->location = a->location;
	in->dos = a->date;
	in->appt_status = a->status;
	return PMS_OK;
}

static enum pms_status
line_check(struct pms_store *s, const struct bill_env *e,
    const struct pms_charge_in *in, const struct pms_appt *a,
    struct line *l)
{
	enum pms_status st;
	int32_t d;
	int pk;

	memset(l, 0, sizeof(*l));
	if (in->patient_id == 0 && blank(in->mrn))
		return pms_seterr(PMS_EDATA, "patient_id: give patient_id or "
		    "mrn");
	if ((st = bill_patient(s, in->patient_id, in->mrn, &l->patient_id)) !=
	    PMS_OK)
		return st;
	if (blank(in->dos))
		return pms_seterr(PMS_EDATA, "date_of_service: missing");
	if ((st = pms_date_parse(in->dos, PMS_DATE_ISO, &d)) != PMS_OK)
		return fail_field("date_of_service", st);
	if (d > e->today)
		return pms_seterr(PMS_EDATA, "date_of_service: a date in the "
		    "future");
	pms_date_fmt(d, l->dos);
	if (blank(in->provider))
		return pms_seterr(PMS_EDATA, "provider: missing");
	if ((st = pms_provider_find(s, in->provider, &l->prov)) != PMS_OK)
		return fail_field("provider", st);
	if (blank(in->location))
		return pms_seterr(PMS_EDATA, "location: missing");
	if ((st = pms_location_find(s, in->location, &l->loc)) != PMS_OK)
		return fail_field("location", st);
	if (blank(in->code))
		return pms_seterr(PMS_EDATA, "code: missing");
	upcase(l->code, sizeof(l->code), in->code);
	copy_text(l->kind, sizeof(l->kind), "service");
	if ((e->noshow[0] != '\0' && strcmp(l->code, e->noshow) == 0) ||
	    (e->latec[0] != '\0' && strcmp(l->code, e->latec) == 0)) {
		copy_text(l->kind, sizeof(l->kind), "fee");
		l->patient_only = 1;
	} else if (is_selfpay(e, l->code))
		l->patient_only = 1;
	pk = pms_proc_kind(l->code);
	if (pk < 0 && strcmp(l->kind, "fee") != 0 && !l->patient_only)
		return pms_seterr(PMS_EDATA, "code: not a CPT code (five "
		    "digits, or four and F, T or U) or HCPCS code (a letter "
		    "and four digits), nor a fee of the configuration");
	if (pk >= 0 && (st = pms_code_check(s, (enum pms_code_kind)pk,
	    l->code, l->dos)) != PMS_OK)
		return fail_field("code", st);
	if (a != NULL && (st = appt_rules(e, a, l->code)) != PMS_OK)
		return st;
	if ((st = pms_modifiers_norm(in->modifiers, l->mods)) != PMS_OK)
		return fail_field("modifiers", st);
	if (l->mods[0] != '\0') {
		char one[3];
		size_t i;

		for (i = 0; l->mods[i] != '\0'; i += 3) {
			memcpy(one, l->mods + i, 2);
			one[2] = '\0';
			if ((st = pms_code_check(s, PMS_CODE_MODIFIER, one,
			    l->dos)) != PMS_OK)
				return fail_field("modifiers", st);
			if (l->mods[i + 2] == '\0')
				break;
		}
	}
	l->units = in->units == 0 ? 1 : in->units;
	if (l->units < 1 || l->units > 9999)
		return pms_seterr(PMS_EDATA, "units: 1 to 9999");
	if (in->has_amount && (in->amount_cents < 0 ||
	    in->amount_cents > PMS_MONEY_MAX))
		return pms_seterr(PMS_EDATA, in->amount_cents < 0 ? "amount: a "
		    "charge is not negative (a credit is a payment or an "
		    "adjustment)" : "amount: too large");
	if ((st = dx_parse(s, in->dx, l->dos, &l->dx)) != PMS_OK)
		return fail_field("dx", st);
	if (!blank(in->referring_npi)) {
		copy_text(l->ref_npi, sizeof(l->ref_npi), in->referring_npi);
		if (strlen(in->referring_npi) != 10 ||
		    !pms_npi_valid(l->ref_npi))
			return pms_seterr(PMS_EDATA, "referring_npi: not an "
			    "NPI (ten digits with a valid check digit)");
		if (blank(in->referring_name))
			return pms_seterr(PMS_EDATA, "referring_name: needed "
			    "with referring_npi");
	}
	if (!blank(in->referring_name)) {
		if (!line_ok(in->referring_name, 60))
			return pms_seterr(PMS_EDATA, "referring_name: one line "
			    "of at most 60 bytes");
		copy_text(l->ref_name, sizeof(l->ref_name),
		    in->referring_name);
	}
	if (!blank(in->prior_auth)) {
		if (!line_ok(in->prior_auth, 50))
			return pms_seterr(PMS_EDATA, "prior_auth: one line of "
			    "at most 50 bytes");
		copy_text(l->auth, sizeof(l->auth), in->prior_auth);
	}
	if (!blank(in->source_id) && !line_ok(in->source_id, 120))
		return pms_seterr(PMS_EDATA, "source_id: one line of at most "
		    "120 bytes");
	if (in->occurrence < 0)
		return pms_seterr(PMS_EDATA, "line: a number from 1");
	return PMS_OK;
}

/*
 * The charge a line names if it was made before, else 0: a true repeat
 * of the same line.  By source_id, whose charge must then be the line
 * (else PMS_EREFUSED: two lines with one source_id); by appointment,
 * code, modifiers and occurrence; else by patient, date, provider,
 * location, code, modifiers and occurrence.  A line found so whose
 * units or amount differ is refused.
 */
static enum pms_status
line_existing(struct pms_store *s, const struct pms_charge_in *in,
    const struct line *l, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int64_t occ = in->occurrence > 0 ? in->occurrence : 1;
	int rc, by_source = !blank(in->source_id), same;

	*id = 0;
	if (by_source) {
		rc = sqlite3_prepare_v2(s->db, "SELECT c.id, c.patient_id = ?2 "
		    "AND c.dos = ?3 AND c.code = ?4 AND c.modifiers = ?5 AND "
		    "v.provider_id = ?6 AND v.location_id = ?7 AND c.units = ?8 "
		    "AND (?9 IS NULL OR c.amount_cents = ?9) AND "
		    "coalesce(c.appointment_id, 0) = ?10 FROM charges c JOIN "
		    "visits v ON v.id = c.visit_id WHERE c.source_id = ?1",
		    -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		sqlite3_bind_text(st, 1, in->source_id, -1, SQLITE_STATIC);
	} else if (in->appointment_id > 0) {
		rc = sqlite3_prepare_v2(s->db, "SELECT c.id, c.units = ?8 AND "
		    "(?9 IS NULL OR c.amount_cents = ?9) FROM charges c WHERE "
		    "c.appointment_id = ?10 AND c.code = ?4 AND c.modifiers = ?5 "
		    "AND c.status <> 'void' ORDER BY c.id LIMIT 1 OFFSET ?11",
		    -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto fail;
	} else {
		rc = sqlite3_prepare_v2(s->db, "SELECT c.id, c.units = ?8 AND "
		    "(?9 IS NULL OR c.amount_cents = ?9) FROM charges c JOIN "
		    "visits v ON v.id = c.visit_id WHERE c.patient_id = ?2 AND "
		    "c.dos = ?3 AND c.code = ?4 AND c.modifiers = ?5 AND "
		    "v.provider_id = ?6 AND v.location_id = ?7 AND c.status <> "
		    "'void' ORDER BY c.id LIMIT 1 OFFSET ?11", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto fail;
	}
	if (!by_source)
		sqlite3_bind_int64(st, 11, occ - 1);
	sqlite3_bind_int64(st, 2, l->patient_id);
	sqlite3_bind_text(st, 3, l->dos, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, l->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, l->mods, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, l->prov.id);
	sqlite3_bind_int64(st, 7, l->loc.id);
	sqlite3_bind_int64(st, 8, l->units);
	if (in->has_amount)
		sqlite3_bind_int64(st, 9, in->amount_cents);
	sqlite3_bind_int64(st, 10, in->appointment_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		same = sqlite3_column_int(st, 1);
		sqlite3_finalize(st);
		if (same)
			return PMS_OK;
		if (by_source)
			return pms_seterr(PMS_EREFUSED, "source_id: charge "
			    "%lld has it already, and is another line (patient, "
			    "date, provider, location, appointment, code, "
			    "modifiers, units or amount): give each line its own",
			    (long long)*id);
		return pms_seterr(PMS_EREFUSED, "code: charge %lld is that "
		    "line already, with other units or amount", (long long)*id);
	} else if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return PMS_OK;
fail:
	sqlite3_finalize(st);
	return pms_store_sqlerr(s, rc, "reading charges");
}

/* The visit of the line: found (and updated with what the line adds)
 * or made. */
static enum pms_status
visit_for(struct pms_store *s, const struct bill_env *e,
    const struct pms_charge_in *in, struct line *l, int64_t *vid,
    char *ptr, size_t ptrsize)
{
	struct dxlist vdx;
	sqlite3_stmt *st = NULL;
	char dxs[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ];
	enum pms_status ps;
	int rc;

	*vid = 0;
	memset(&vdx, 0, sizeof(vdx));
	rc = sqlite3_prepare_v2(s->db, "SELECT id, dx FROM visits WHERE "
	    "patient_id = ?1 AND dos = ?2 AND provider_id = ?3 AND "
	    "location_id = ?4 ORDER BY id LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, l->patient_id);
	sqlite3_bind_text(st, 2, l->dos, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, l->prov.id);
	sqlite3_bind_int64(st, 4, l->loc.id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*vid = sqlite3_column_int64(st, 0);
		dx_split((const char *)sqlite3_column_text(st, 1), &vdx);
	} else if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if ((ps = dx_point(&vdx, &l->dx, ptr, ptrsize)) != PMS_OK)
		return ps;
	dx_join(&vdx, dxs, sizeof(dxs));
	if (*vid == 0) {
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO visits "
		    "(patient_id, dos, provider_id, location_id, "
		    "place_of_service, appointment_id, dx, referring_name, "
		    "referring_npi, prior_auth, created_at, updated_at) VALUES "
		    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
		    "?11)", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, l->patient_id);
		sqlite3_bind_text(st, 2, l->dos, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, l->prov.id);
		sqlite3_bind_int64(st, 4, l->loc.id);
		sqlite3_bind_text(st, 5, l->loc.place_of_service, -1,
		    SQLITE_STATIC);
		if (in->appointment_id > 0)
			sqlite3_bind_int64(st, 6, in->appointment_id);
		sqlite3_bind_text(st, 7, dxs, -1, SQLITE_STATIC);
		bind_text_or_null(st, 8, l->ref_name);
		bind_text_or_null(st, 9, l->ref_npi);
		bind_text_or_null(st, 10, l->auth);
		sqlite3_bind_text(st, 11, e->now, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		*vid = sqlite3_last_insert_rowid(s->db);
		return PMS_OK;
	}
	rc = sqlite3_prepare_v2(s->db, "UPDATE visits SET dx = ?2, "
	    "appointment_id = coalesce(appointment_id, ?3), referring_name = "
	    "coalesce(?4, referring_name), referring_npi = coalesce(?5, "
	    "referring_npi), prior_auth = coalesce(?6, prior_auth), "
	    "updated_at = ?7 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, *vid);
	sqlite3_bind_text(st, 2, dxs, -1, SQLITE_STATIC);
	if (in->appointment_id > 0)
		sqlite3_bind_int64(st, 3, in->appointment_id);
	bind_text_or_null(st, 4, l->ref_name);
	bind_text_or_null(st, 5, l->ref_npi);
	bind_text_or_null(st, 6, l->auth);
	sqlite3_bind_text(st, 7, e->now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return PMS_OK;
fail:
	sqlite3_finalize(st);
	return pms_store_sqlerr(s, rc, "writing a visit");
}

/*
 * Check and write one line inside the caller's transaction; *id the
 * charge, *added 0 if it was there already.
 */
static enum pms_status
charge_line(struct pms_store *s, const struct bill_env *e,
    const struct pms_charge_in *in, const struct pms_appt *a, int64_t *id,
    int *added, int64_t *patient)
{
	struct pms_policy *pol = NULL;
	struct pms_party party;
	struct bill_op o;
	struct line *l;
	sqlite3_stmt *st = NULL;
	char sched[PMS_CFG_CODE], ptr[PMS_DX_MAX_LINE * 4], used[PMS_CFG_CODE];
	enum pms_status ps;
	int64_t vid, price = 0, amount;
	size_t npol = 0;
	int found = 0, rc;

	*id = 0;
	*added = 0;
	*patient = 0;
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (pol = calloc(3, sizeof(*pol))) == NULL) {
		free(l);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	if ((ps = line_check(s, e, in, a, l)) != PMS_OK)
		goto out;
	*patient = l->patient_id;
	if ((ps = line_existing(s, in, l, id)) != PMS_OK || *id > 0)
		goto out;
	/* who owes it first */
	memset(&party, 0, sizeof(party));
	party.kind = PMS_PARTY_PATIENT;
	if (!l->patient_only) {
		if ((ps = pms_policy_in_effect(s, l->patient_id, l->dos, pol,
		    &npol)) != PMS_OK)
			goto out;
		if (npol > 0) {
			party.kind = PMS_PARTY_PAYER;
			party.policy_id = pol[0].id;
			if ((ps = bill_party_fill(s, &party)) != PMS_OK)
				goto out;
		}
	}
	/* its price */
	used[0] = '\0';
	if (in->has_amount)
		amount = in->amount_cents;
	else {
		sched[0] = '\0';
		if (party.kind == PMS_PARTY_PAYER && (ps = payer_schedule(s,
		    party.payer_id, sched, sizeof(sched))) != PMS_OK)
			goto out;
		if (sched[0] != '\0' && (ps = price_of(s, sched, l->code,
		    &price, &found)) != PMS_OK)
			goto out;
		if (!found && party.kind == PMS_PARTY_PATIENT) {
			copy_text(sched, sizeof(sched), "self-pay");
			if ((ps = price_of(s, sched, l->code, &price,
			    &found)) != PMS_OK)
				goto out;
		}
		if (!found) {
			copy_text(sched, sizeof(sched), "default");
			if ((ps = price_of(s, sched, l->code, &price,
			    &found)) != PMS_OK)
				goto out;
		}
		if (found)
			copy_text(used, sizeof(used), sched);
		else if (strcmp(l->kind, "fee") == 0) {
			price = strcmp(l->code, e->noshow) == 0 ?
			    e->noshow_price : e->latec_price;
			found = 1;
		}
		if (!found) {
			ps = pms_seterr(PMS_EDATA, "code: \"%s\" has no price "
			    "in the fee schedule: give amount, or add it with "
			    "fees import", l->code);
			goto out;
		}
		if (price > 0 && l->units > PMS_MONEY_MAX / price) {
			ps = pms_seterr(PMS_EDATA, "amount: too large");
			goto out;
		}
		amount = price * l->units;
	}
	if ((ps = visit_for(s, e, in, l, &vid, ptr, sizeof(ptr))) != PMS_OK)
		goto out;
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO charges (patient_id, "
	    "visit_id, line, kind, dos, code, modifiers, units, amount_cents, "
	    "dx_pointers, patient_only, fee_schedule, status, appointment_id, "
	    "source_id, created_at, created_by, updated_at) VALUES (?1, ?2, "
	    "(SELECT coalesce(max(line), 0) + 1 FROM charges WHERE visit_id = "
	    "?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "?16, ?15)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, l->patient_id);
	sqlite3_bind_int64(st, 2, vid);
	sqlite3_bind_text(st, 3, l->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, l->dos, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, l->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, l->mods, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, l->units);
	sqlite3_bind_int64(st, 8, amount);
	sqlite3_bind_text(st, 9, ptr, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, l->patient_only);
	bind_text_or_null(st, 11, used);
	sqlite3_bind_text(st, 12, strcmp(l->kind, "service") == 0 &&
	    l->dx.n == 0 ? "needs-coding" : "ready", -1, SQLITE_STATIC);
	if (in->appointment_id > 0)
		sqlite3_bind_int64(st, 13, in->appointment_id);
	bind_text_or_null(st, 14, blank(in->source_id) ? NULL : in->source_id);
	sqlite3_bind_text(st, 15, e->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, e->user != NULL ? e->user : "", -1,
	    SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	*id = sqlite3_last_insert_rowid(s->db);
	*added = 1;
	bill_op_init(&o, s, e, "charge", NULL);
	ps = bill_post(&o, l->patient_id, *id, 0, &party, amount, 0);
	goto out;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "writing a charge");
out:
	sqlite3_finalize(st);
	free(pol);
	free(l);
	return ps;
}

enum pms_status
pms_bill_charge(struct pms_store *s, const struct pms_charge_in *in,
    int dry_run, struct pms_charge_out *out)
{
	struct pms_charge_in line = *in;
	struct pms_appt *a = NULL;
	struct bill_env e;
	struct bill_tx tx;
	enum pms_status ps;
	int64_t patient = 0;

	memset(out, 0, sizeof(*out));
	if (in->appointment_id > 0 && (a = calloc(1, sizeof(*a))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((ps = bill_env_load(s, &e)) != PMS_OK) {
		free(a);
		return ps;
	}
	if ((ps = bill_tx_begin(s, &tx)) == PMS_OK) {
		if (a == NULL || (ps = appt_take(s, &line, a)) == PMS_OK)
			ps = charge_line(s, &e, &line, a, &out->charge_id,
			    &out->added, &patient);
		ps = bill_tx_end(&tx, ps, dry_run, "bill.charge",
		    "code,modifiers,units,amount,dx", &patient, 1);
	}
	bill_env_free(&e);
	free(a);
	return ps;
}

/* ---- rejects: the bad rows of an import, with why ---- */

struct rejects {
	FILE		*f;
	int		 json;
	int		 header;	/* CSV header written */
};

static enum pms_status
rejects_open(struct rejects *r, const char *path, int json)
{
	int fd;

	memset(r, 0, sizeof(*r));
	r->json = json;
	if (path == NULL)
		return PMS_OK;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (r->f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return pms_seterr(PMS_EIO, "--skip-invalid: cannot write the "
		    "file");
	}
	return PMS_OK;
}

/* A CSV cell, quoted only when it must be (RFC 4180), as given: the
 * rejects go back to the person who fixes them, unguarded. */
static void
csv_cell(FILE *f, const char *t, int first)
{
	size_t n;

	if (!first)
		fputc(',', f);
	if (t == NULL || *t == '\0')
		return;
	n = strlen(t);
	if (strpbrk(t, ",\"\r\n") == NULL && t[0] != ' ' && t[0] != '\t' &&
	    t[n - 1] != ' ' && t[n - 1] != '\t') {
		fputs(t, f);
		return;
	}
	fputc('"', f);
	for (; *t != '\0'; t++) {
		if (*t == '"')
			fputc('"', f);
		fputc(*t, f);
	}
	fputc('"', f);
}

/* Write a bad record and its reason. */
static void
rejects_put(struct rejects *r, const struct pms_reader *rd,
    const struct pms_record *rec, const char *why)
{
	json_t *o, *v;
	size_t i, n;
	char *line;

	if (r->f == NULL || rec == NULL)
		return;
	n = pms_record_nfields(rec);
	if (r->json) {
		if ((o = json_object()) == NULL)
			return;
		for (i = 0; i < n; i++) {
			const char *t = pms_record_text_at(rec, i);

			switch (pms_record_type_at(rec, i)) {
			case PMS_VAL_TEXT:
				v = json_string(t != NULL ? t : "");
				break;
			case PMS_VAL_NULL:
			case PMS_VAL_ABSENT:
				v = json_null();
				break;
			default:
				v = json_loads(t != NULL ? t : "null",
				    JSON_DECODE_ANY, NULL);
			}
			if (v != NULL)
				json_object_set_new(o, pms_record_name(rec, i),
				    v);
		}
		json_object_set_new(o, "reject_reason", json_string(why));
		if ((line = json_dumps(o, JSON_COMPACT |
		    JSON_PRESERVE_ORDER)) != NULL) {
			fprintf(r->f, "%s\n", line);
			free(line);
		}
		json_decref(o);
		return;
	}
	if (!r->header) {
		for (i = 0; i < pms_reader_ncols(rd); i++)
			csv_cell(r->f, pms_reader_col(rd, i), i == 0);
		csv_cell(r->f, "reject_reason", pms_reader_ncols(rd) == 0);
		fputc('\n', r->f);
		r->header = 1;
	}
	for (i = 0; i < pms_reader_ncols(rd); i++)
		csv_cell(r->f, i < n ? pms_record_text_at(rec, i) : NULL,
		    i == 0);
	csv_cell(r->f, why, pms_reader_ncols(rd) == 0);
	fputc('\n', r->f);
}

static enum pms_status
rejects_close(struct rejects *r)
{
	int bad = 0;

	if (r->f == NULL)
		return PMS_OK;
	if (fflush(r->f) == EOF || ferror(r->f) || fsync(fileno(r->f)) == -1)
		bad = 1;
	if (fclose(r->f) == EOF)
		bad = 1;
	r->f = NULL;
	return bad ? pms_seterr(PMS_EIO, "--skip-invalid: write error") :
	    PMS_OK;
}

/* ---- records ---- */

/* A field's integer, 0 if absent; PMS_EDATA reported otherwise. */
static enum pms_status
rec_int(const struct pms_record *rec, const char *field, int64_t *v)
{
	enum pms_status st;

	*v = 0;
	st = pms_record_int(rec, field, v);
	return st == PMS_ENOINPUT ? PMS_OK : st;
}

/* The codes of an appointment record: text "99213,99214" or a JSON
 * array, into buf as "99213,99214". */
static void
appt_codes(const struct pms_record *rec, char *buf, size_t size)
{
	const char *t = pms_record_text(rec, "codes");
	size_t n = 0;

	buf[0] = '\0';
	for (; t != NULL && *t != '\0' && n + 1 < size; t++)
		if (*t != '[' && *t != ']' && *t != '"' && *t != ' ')
			buf[n++] = *t;
	buf[n] = '\0';
}

/* An appointment type's default codes, comma separated. */
static enum pms_status
type_codes(struct pms_store *s, const char *type, char *buf, size_t size)
{
	struct pms_appt_type t;
	enum pms_status st;
	size_t i, n = 0;

	buf[0] = '\0';
	if (blank(type))
		return pms_seterr(PMS_EDATA, "type: missing, and no codes");
	if ((st = pms_appt_type_find(s, type, &t)) != PMS_OK)
		return fail_field("type", st);
	for (i = 0; i < t.ncodes && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i > 0 ? "," :
		    "", t.codes[i]);
	if (t.ncodes == 0)
		return pms_seterr(PMS_EREFUSED, "type: \"%s\" has no default "
		    "codes: charge it with --code", type);
	return PMS_OK;
}

/* The charges an import named, for its output once it is done. */
struct named {
	size_t		 n, cap;
	int64_t		*id;
	unsigned char	*added;
};

static enum pms_status
named_add(struct named *l, int64_t id, int added)
{
	int64_t *a;
	unsigned char *b;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 64 : l->cap * 2;
		if ((a = realloc(l->id, cap * sizeof(*a))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		l->id = a;
		if ((b = realloc(l->added, cap)) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		l->added = b;
		l->cap = cap;
	}
	l->id[l->n] = id;
	l->added[l->n++] = (unsigned char)added;
	return PMS_OK;
}

/* Each charge named to opts->each. */
static enum pms_status
named_emit(struct pms_store *s, const struct named *l,
    const struct pms_charge_opts *o)
{
	struct pms_charge c;
	enum pms_status st = PMS_OK;
	size_t i;
	int own;

	if (o->each == NULL || l->n == 0)
		return PMS_OK;
	/* one read transaction for them all, not one per statement */
	own = sqlite3_get_autocommit(s->db) != 0;
	if (own && (st = pms_exec(s, "BEGIN", "reading charges")) != PMS_OK)
		return st;
	for (i = 0; i < l->n; i++) {
		if ((st = pms_bill_charge_get(s, l->id[i], &c)) != PMS_OK)
			break;
		if (o->each(o->each_arg, &c, l->added[i]) != 0) {
			st = pms_read_stopped();
			break;
		}
	}
	if (own)
		(void)pms_exec(s, "COMMIT", "reading charges");
	return st;
}

static const char *const charge_columns[] = {
	"patient_id", "mrn", "date_of_service", "provider", "location",
	"code", "modifiers", "units", "amount", "dx", "referring_name",
	"referring_npi", "prior_auth", "source_id", "line", "appointment_id",
	NULL
};

/* Charge one record (one or more lines), each line named in l. */
static enum pms_status
charge_record(struct pms_store *s, const struct bill_env *e,
    const struct pms_record *rec, const struct pms_charge_opts *o,
    struct pms_audit_batch *b, struct pms_charge_count *n, struct named *l)
{
	struct pms_charge_in in;
	struct pms_appt *a = NULL;
	enum pms_status st;
	char codes[256], one[PMS_CODE_BUFSZ];
	const char *p, *q, *type;
	int64_t v, id, patient;
	int added, appt;
	size_t len;

	memset(&in, 0, sizeof(in));
	if ((st = rec_int(rec, "patient_id", &v)) != PMS_OK)
		return st;
	in.patient_id = v;
	in.mrn = pms_record_text(rec, "mrn");
	in.dos = pms_record_text(rec, "date_of_service");
	in.provider = pms_record_text(rec, "provider");
	in.location = pms_record_text(rec, "location");
	if ((st = rec_int(rec, "appointment_id", &v)) != PMS_OK)
		return st;
	in.appointment_id = v;
	appt = pms_record_type(rec, "appointment_id") != PMS_VAL_ABSENT &&
	    pms_record_type(rec, "code") == PMS_VAL_ABSENT;
	if (appt && in.appointment_id <= 0)
		return pms_record_fail(rec, "appointment_id", PMS_EDATA,
		    "missing");
	if (in.appointment_id < 0)
		return pms_record_fail(rec, "appointment_id", PMS_EDATA,
		    "not an id");
	if (in.appointment_id > 0) {
		if ((a = calloc(1, sizeof(*a))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		if ((st = appt_take(s, &in, a)) != PMS_OK)
			goto fail;
	}
	if (appt) {
		type = pms_record_text(rec, "type");
		if (!blank(type) && strcmp(type, a->type) != 0) {
			st = pms_seterr(PMS_EREFUSED, "type: appointment %lld "
			    "is %s", (long long)a->id, a->type[0] != '\0' ?
			    a->type : "of no type");
			goto fail;
		}
		if (o->code != NULL)
			copy_text(codes, sizeof(codes), o->code);
		else {
			appt_codes(rec, codes, sizeof(codes));
			if (codes[0] == '\0' && (st = type_codes(s, a->type,
			    codes, sizeof(codes))) != PMS_OK)
				goto fail;
		}
	} else {
		if ((st = bill_columns(rec, charge_columns)) != PMS_OK)
			goto out;
		copy_text(codes, sizeof(codes), pms_record_text(rec, "code"));
		in.modifiers = pms_record_text(rec, "modifiers");
		if ((st = rec_int(rec, "units", &v)) != PMS_OK)
			goto out;
		in.units = v;
		st = pms_record_money(rec, "amount", &in.amount_cents);
		if (st == PMS_OK)
			in.has_amount = 1;
		else if (st != PMS_ENOINPUT)
			goto out;
		in.dx = pms_record_text(rec, "dx");
		in.referring_name = pms_record_text(rec, "referring_name");
		in.referring_npi = pms_record_text(rec, "referring_npi");
		in.prior_auth = pms_record_text(rec, "prior_auth");
		in.source_id = pms_record_text(rec, "source_id");
		if ((st = rec_int(rec, "line", &v)) != PMS_OK)
			goto out;
		if (pms_record_type(rec, "line") != PMS_VAL_ABSENT &&
		    pms_record_text(rec, "line") != NULL && v < 1) {
			st = pms_record_fail(rec, "line", PMS_EDATA, "a "
			    "number from 1");
			goto out;
		}
		in.occurrence = v;
	}
	if (blank(codes)) {
		st = pms_record_fail(rec, "code", PMS_EDATA, "missing");
		goto out;
	}
	for (p = codes; *p != '\0'; p = *q == ',' ? q + 1 : q) {
		for (q = p; *q != '\0' && *q != ','; q++)
			;
		len = (size_t)(q - p);
		if (len == 0)
			continue;
		if (len >= sizeof(one))
			len = sizeof(one) - 1;
		memcpy(one, p, len);
		one[len] = '\0';
		in.code = one;
		if ((st = charge_line(s, e, &in, a, &id, &added, &patient)) !=
		    PMS_OK)
			goto fail;
		if ((st = pms_audit_batch_add(b, patient, NULL)) != PMS_OK)
			goto out;
		if (added)
			n->added++;
		else
			n->unchanged++;
		if ((st = named_add(l, id, added)) != PMS_OK)
			goto out;
	}
	st = PMS_OK;
	goto out;
fail:
	if (st == PMS_EDATA || st == PMS_EREFUSED) {
		char m[512];

		snprintf(m, sizeof(m), "%s", pms_errmsg());
		st = pms_record_fail(rec, NULL, st, "%s", m);
	}
out:
	free(a);
	return st;
}

enum pms_status
pms_bill_charge_records(struct pms_store *s, struct pms_reader *rd,
    const struct pms_charge_opts *o, struct pms_charge_count *n)
{
	struct pms_audit_batch *b = NULL;
	struct pms_record *rec;
	struct named l;
	struct rejects rj;
	struct bill_env e;
	enum pms_status st, ps, worst = PMS_OK;
	int rejecting;

	memset(n, 0, sizeof(*n));
	memset(&l, 0, sizeof(l));
	memset(&rj, 0, sizeof(rj));
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = rejects_open(&rj, o->rejects, pms_reader_format(rd) ==
	    PMS_IN_JSON)) != PMS_OK)
		goto done;
	rejecting = o->rejects != NULL;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	for (;;) {
		st = pms_reader_next(rd, &rec);
		if (st == PMS_OK && rec == NULL)
			break;
		if (st == PMS_EIO || st == PMS_ENOMEM) {
			ps = st;
			goto fail;
		}
		n->rows++;
		if (st == PMS_OK) {
			if ((ps = pms_exec(s, "SAVEPOINT pms_row", "a row")) !=
			    PMS_OK)
				goto fail;
			st = charge_record(s, &e, rec, o, b, n, &l);
			if (st == PMS_OK) {
				if ((ps = pms_exec(s, "RELEASE pms_row",
				    "a row")) != PMS_OK)
					goto fail;
				continue;
			}
			(void)pms_exec(s, "ROLLBACK TO pms_row", "a row");
			(void)pms_exec(s, "RELEASE pms_row", "a row");
			if (st != PMS_EDATA && st != PMS_EREFUSED) {
				ps = st;
				goto fail;
			}
		}
		if (o->report != NULL)
			o->report(o->report_arg, pms_errmsg());
		rejects_put(&rj, rd, rec, pms_errmsg());
		if (st == PMS_EREFUSED)
			n->refused++;
		else
			n->bad++;
		if (worst != PMS_EDATA)
			worst = st;
	}
	if (n->bad + n->refused > 0 && !rejecting) {
		ps = pms_seterr(worst, "%lu row%s refused; nothing was written",
		    n->bad + n->refused, n->bad + n->refused == 1 ? "" : "s");
		goto fail;
	}
	if ((ps = rejects_close(&rj)) != PMS_OK)
		goto fail;
	if (o->dry_run) {
		ps = named_emit(s, &l, o);
		pms_audit_batch_free(b);
		pms_store_rollback(s);
		goto done;
	}
	/* the rejected rows carry patient data out too: recorded, now
	 * that their file is written */
	if (rejecting && n->bad + n->refused > 0 &&
	    (ps = pms_audit_batch_export(b, "rejects", o->rejects)) != PMS_OK)
		goto fail;
	ps = pms_audit_batch_end(b, "bill.charge",
	    "code,modifiers,units,amount,dx");
	b = NULL;
	if (ps != PMS_OK)
		goto fail;
	if ((ps = pms_store_commit(s)) == PMS_OK)
		ps = named_emit(s, &l, o);
	goto done;
fail:
	pms_audit_batch_free(b);
	pms_store_rollback(s);
done:
	if (rj.f != NULL) {
		fclose(rj.f);
		if (o->rejects != NULL && ps != PMS_OK)
			(void)unlink(o->rejects);
	}
	free(l.id);
	free(l.added);
	bill_env_free(&e);
	return ps;
}

/* ---- coding ---- */

enum pms_status
pms_bill_code(struct pms_store *s, int64_t charge, const char *dx,
    int dry_run)
{
	struct dxlist line, vdx;
	struct bill_env e;
	struct bill_tx tx;
	sqlite3_stmt *st = NULL;
	char status[16], dos[PMS_DATE_BUFSZ], ptr[PMS_DX_MAX_LINE * 4];
	char dxs[PMS_DX_MAX_VISIT * PMS_ICD_BUFSZ], kind[8];
	enum pms_status ps;
	int64_t vid = 0, pid = 0;
	int rc, billed = 0;

	if (blank(dx))
		return pms_seterr(PMS_EUSAGE, "--dx: give the diagnoses");
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	rc = sqlite3_prepare_v2(s->db, "SELECT c.patient_id, c.visit_id, "
	    "c.status, c.dos, c.billed_on IS NOT NULL, c.kind, v.dx FROM "
	    "charges c LEFT JOIN visits v ON v.id = c.visit_id WHERE c.id = ?1",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, charge);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ps = pms_seterr(PMS_EREFUSED, "no charge %lld",
		    (long long)charge);
		goto end;
	}
	if (rc != SQLITE_ROW)
		goto sqlfail;
	pid = sqlite3_column_int64(st, 0);
	vid = sqlite3_column_int64(st, 1);
	copy_text(status, sizeof(status),
	    (const char *)sqlite3_column_text(st, 2));
	copy_text(dos, sizeof(dos), (const char *)sqlite3_column_text(st, 3));
	billed = sqlite3_column_int(st, 4);
	copy_text(kind, sizeof(kind), (const char *)sqlite3_column_text(st, 5));
	dx_split((const char *)sqlite3_column_text(st, 6), &vdx);
	sqlite3_finalize(st);
	st = NULL;
	if (strcmp(status, "void") == 0 || billed ||
	    strcmp(kind, "service") != 0) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld "
		    "%s", (long long)charge,
		    strcmp(status, "void") == 0 ? "is void" : billed ? "is on "
		    "a claim sent already: correct the claim instead": "is not "
		    "a service line: it has no diagnoses");
		goto end;
	}
	if ((ps = dx_parse(s, dx, dos, &line)) != PMS_OK) {
		ps = fail_field("dx", ps);
		goto end;
	}
	if ((ps = dx_point(&vdx, &line, ptr, sizeof(ptr))) != PMS_OK)
		goto end;
	dx_join(&vdx, dxs, sizeof(dxs));
	rc = sqlite3_prepare_v2(s->db, "UPDATE visits SET dx = ?2, updated_at "
	    "= ?3 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, vid);
	sqlite3_bind_text(st, 2, dxs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e.now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(s->db, "UPDATE charges SET dx_pointers = ?2, "
	    "status = 'ready', updated_at = ?3 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_text(st, 2, ptr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e.now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	goto end;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "coding a charge");
end:
	sqlite3_finalize(st);
	ps = bill_tx_end(&tx, ps, dry_run, "bill.code", "dx", &pid, 1);
done:
	bill_env_free(&e);
	return ps;
}

enum pms_status
pms_bill_code_visit(struct pms_store *s, int64_t charge, const char *auth,
    const char *ref_name, const char *ref_npi, int dry_run)
{
	struct bill_env e;
	struct bill_tx tx;
	sqlite3_stmt *st = NULL;
	char status[16], kind[8];
	enum pms_status ps;
	int64_t vid = 0, pid = 0;
	int rc, billed = 0;

	if (auth == NULL && ref_name == NULL && ref_npi == NULL)
		return pms_seterr(PMS_EUSAGE, "nothing to change");
	if (auth != NULL && (blank(auth) || !line_ok(auth, 50)))
		return pms_seterr(PMS_EDATA, "prior_auth: one line of at most "
		    "50 bytes");
	if ((ref_npi == NULL) != (ref_name == NULL))
		return pms_seterr(PMS_EUSAGE, "--referring-name and "
		    "--referring-npi: give both");
	if (ref_npi != NULL && (strlen(ref_npi) != 10 ||
	    !pms_npi_valid(ref_npi)))
		return pms_seterr(PMS_EDATA, "referring_npi: not an NPI (ten "
		    "digits with a valid check digit)");
	if (ref_name != NULL && (blank(ref_name) || !line_ok(ref_name, 60)))
		return pms_seterr(PMS_EDATA, "referring_name: one line of at "
		    "most 60 bytes");
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = bill_tx_begin(s, &tx)) != PMS_OK)
		goto done;
	rc = sqlite3_prepare_v2(s->db, "SELECT c.patient_id, c.visit_id, "
	    "c.status, c.kind, EXISTS (SELECT 1 FROM charges b WHERE "
	    "b.visit_id = c.visit_id AND b.billed_on IS NOT NULL) FROM charges "
	    "c WHERE c.id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, charge);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ps = pms_seterr(PMS_EREFUSED, "no charge %lld",
		    (long long)charge);
		goto end;
	}
	if (rc != SQLITE_ROW)
		goto sqlfail;
	pid = sqlite3_column_int64(st, 0);
	vid = sqlite3_column_int64(st, 1);
	copy_text(status, sizeof(status),
	    (const char *)sqlite3_column_text(st, 2));
	copy_text(kind, sizeof(kind), (const char *)sqlite3_column_text(st, 3));
	billed = sqlite3_column_int(st, 4);
	sqlite3_finalize(st);
	st = NULL;
	if (strcmp(status, "void") == 0 || billed ||
	    strcmp(kind, "service") != 0) {
		ps = pms_seterr(PMS_EREFUSED, "charge %lld %s",
		    (long long)charge, strcmp(status, "void") == 0 ? "is void" :
		    billed ? "is of a visit on a claim sent already: correct "
		    "the claim with a replacement instead" : "is not a service "
		    "line of a visit");
		goto end;
	}
	rc = sqlite3_prepare_v2(s->db, "UPDATE visits SET prior_auth = "
	    "coalesce(?2, prior_auth), referring_name = coalesce(?3, "
	    "referring_name), referring_npi = coalesce(?4, referring_npi), "
	    "updated_at = ?5 WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(st, 1, vid);
	bind_text_or_null(st, 2, auth);
	bind_text_or_null(st, 3, ref_name);
	bind_text_or_null(st, 4, ref_npi);
	sqlite3_bind_text(st, 5, e.now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	goto end;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "coding a visit");
end:
	sqlite3_finalize(st);
	ps = bill_tx_end(&tx, ps, dry_run, "bill.code",
	    "prior_auth,referring_name,referring_npi", &pid, 1);
done:
	bill_env_free(&e);
	return ps;
}

/* ---- fee schedules ---- */

static int
schedule_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static const char *const fee_columns[] = {
	"schedule", "code", "description", "price", NULL
};

enum pms_status
pms_bill_fees_import(struct pms_store *s, struct pms_reader *rd,
    const char *schedule, int dry_run, void (*report)(void *, const char *),
    unsigned long *added, unsigned long *changed, unsigned long *unchanged)
{
	struct pms_record *rec;
	struct bill_env e;
	sqlite3_stmt *st = NULL;
	enum pms_status rs, ps;
	char code[PMS_CODE_BUFSZ];
	const char *sched, *desc, *d;
	unsigned long bad = 0;
	int64_t price;
	int rc;

	*added = *changed = *unchanged = 0;
	if (schedule != NULL && !schedule_ok(schedule))
		return pms_seterr(PMS_EUSAGE, "--schedule: a name of a-z, 0-9, "
		    "- and _ (1 to 32)");
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		return ps;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	for (;;) {
		rs = pms_reader_next(rd, &rec);
		if (rs == PMS_OK && rec == NULL)
			break;
		if (rs == PMS_EIO || rs == PMS_ENOMEM) {
			ps = rs;
			goto fail;
		}
		if (rs != PMS_OK || (rs = bill_columns(rec, fee_columns)) !=
		    PMS_OK)
			goto bad_row;
		sched = pms_record_text(rec, "schedule");
		if (blank(sched))
			sched = schedule != NULL ? schedule : "default";
		if (!schedule_ok(sched)) {
			pms_record_fail(rec, "schedule", PMS_EDATA, "a name of "
			    "a-z, 0-9, - and _ (1 to 32)");
			goto bad_row;
		}
		upcase(code, sizeof(code), pms_record_text(rec, "code"));
		if (code[0] == '\0' || !feecode_ok(code)) {
			pms_record_fail(rec, "code", PMS_EDATA,
			    code[0] == '\0' ? "missing" : "not a CPT or HCPCS "
			    "code, nor a fee "
			    "code of the practice's own (2 to 10 capital "
			    "letters and digits)");
			goto bad_row;
		}
		if ((rs = pms_record_money(rec, "price", &price)) != PMS_OK) {
			if (rs == PMS_ENOINPUT)
				pms_record_fail(rec, "price", PMS_EDATA,
				    "missing");
			goto bad_row;
		}
		if (price < 0) {
			pms_record_fail(rec, "price", PMS_EDATA, "a price is "
			    "not negative");
			goto bad_row;
		}
		desc = pms_record_text(rec, "description");
		if (desc != NULL && !line_ok(desc, 200)) {
			pms_record_fail(rec, "description", PMS_EDATA, "one "
			    "line of at most 200 bytes");
			goto bad_row;
		}
		if (bad > 0)
			continue;
		rc = sqlite3_prepare_v2(s->db, "SELECT price_cents, "
		    "description FROM fees WHERE schedule = ?1 AND code = ?2",
		    -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_text(st, 1, sched, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			d = (const char *)sqlite3_column_text(st, 1);
			if (sqlite3_column_int64(st, 0) == price &&
			    ((d == NULL && blank(desc)) || (d != NULL &&
			    desc != NULL && strcmp(d, desc) == 0))) {
				(*unchanged)++;
				sqlite3_finalize(st);
				st = NULL;
				continue;
			}
			(*changed)++;
		} else if (rc == SQLITE_DONE)
			(*added)++;
		else
			goto sqlfail;
		sqlite3_finalize(st);
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO fees (schedule, "
		    "code, description, price_cents, updated_at) VALUES (?1, "
		    "?2, ?3, ?4, ?5) ON CONFLICT (schedule, code) DO UPDATE "
		    "SET description = excluded.description, price_cents = "
		    "excluded.price_cents, updated_at = excluded.updated_at",
		    -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_text(st, 1, sched, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
		bind_text_or_null(st, 3, desc);
		sqlite3_bind_int64(st, 4, price);
		sqlite3_bind_text(st, 5, e.now, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto sqlfail;
		sqlite3_finalize(st);
		st = NULL;
		continue;
bad_row:
		report(NULL, pms_errmsg());
		bad++;
	}
	if (bad > 0) {
		ps = pms_seterr(PMS_EDATA, "%lu bad row%s; nothing was written",
		    bad, bad == 1 ? "" : "s");
		goto fail;
	}
	if (dry_run) {
		pms_store_rollback(s);
		goto done;
	}
	if ((ps = pms_audit_append(s, "bill.fees.import", "fees", NULL, 0)) !=
	    PMS_OK)
		goto fail;
	ps = pms_store_commit(s);
	goto done;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "writing the fee schedule");
	sqlite3_finalize(st);
fail:
	pms_store_rollback(s);
done:
	bill_env_free(&e);
	return ps;
}

/* ---- opening balances ---- */

static const char *const opening_columns[] = {
	"patient_id", "mrn", "amount", "as_of", "payer", "source_id", NULL
};

enum pms_status
pms_bill_opening_import(struct pms_store *s, struct pms_reader *rd,
    int dry_run, void (*report)(void *, const char *), unsigned long *rows,
    unsigned long *added)
{
	struct pms_audit_batch *b = NULL;
	struct pms_policy *pol = NULL;
	struct pms_payer payer;
	struct pms_party party;
	struct pms_record *rec;
	struct bill_env e;
	struct bill_op o;
	sqlite3_stmt *st = NULL;
	enum pms_status rs, ps;
	char asof[PMS_DATE_BUFSZ], m[512];
	const char *t, *sid;
	unsigned long bad = 0;
	int64_t v, patient, amount, id;
	int32_t d;
	size_t npol, i;
	int rc;

	*rows = *added = 0;
	if ((pol = calloc(3, sizeof(*pol))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	if ((ps = bill_env_load(s, &e)) != PMS_OK) {
		free(pol);
		return ps;
	}
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	for (;;) {
		rs = pms_reader_next(rd, &rec);
		if (rs == PMS_OK && rec == NULL)
			break;
		if (rs == PMS_EIO || rs == PMS_ENOMEM) {
			ps = rs;
			goto fail;
		}
		(*rows)++;
		if (rs != PMS_OK || (rs = bill_columns(rec, opening_columns)) !=
		    PMS_OK)
			goto bad_row;
		if ((rs = rec_int(rec, "patient_id", &v)) != PMS_OK)
			goto bad_row;
		t = pms_record_text(rec, "mrn");
		if (v == 0 && blank(t)) {
			pms_record_fail(rec, "patient_id", PMS_EDATA, "give "
			    "patient_id or mrn");
			goto bad_row;
		}
		if ((rs = bill_patient(s, v, t, &patient)) != PMS_OK) {
			if (rs != PMS_EREFUSED && rs != PMS_EUSAGE &&
			    rs != PMS_EDATA) {
				ps = rs;
				goto fail;
			}
			snprintf(m, sizeof(m), "%s", pms_errmsg());
			pms_record_fail(rec, rs == PMS_EDATA ? NULL : v > 0 ?
			    "patient_id" : "mrn", PMS_EDATA, "%s", m);
			goto bad_row;
		}
		if ((rs = pms_record_money(rec, "amount", &amount)) != PMS_OK) {
			if (rs == PMS_ENOINPUT)
				pms_record_fail(rec, "amount", PMS_EDATA,
				    "missing");
			goto bad_row;
		}
		if (amount == 0) {
			pms_record_fail(rec, "amount", PMS_EDATA,
			    "a balance of 0.00 brings nothing");
			goto bad_row;
		}
		if ((rs = pms_record_date(rec, "as_of", PMS_DATE_ISO, &d)) !=
		    PMS_OK) {
			if (rs == PMS_ENOINPUT)
				pms_record_fail(rec, "as_of", PMS_EDATA,
				    "missing");
			goto bad_row;
		}
		pms_date_fmt(d, asof);
		if (d > e.today) {
			pms_record_fail(rec, "as_of", PMS_EDATA,
			    "a date in the future");
			goto bad_row;
		}
		memset(&party, 0, sizeof(party));
		party.kind = PMS_PARTY_PATIENT;
		t = pms_record_text(rec, "payer");
		if (!blank(t)) {
			if (amount < 0) {
				pms_record_fail(rec, "payer", PMS_EDATA, "a "
				    "credit is the patient's");
				goto bad_row;
			}
			if ((rs = pms_payer_find(s, t, &payer)) != PMS_OK) {
				snprintf(m, sizeof(m), "%s", pms_errmsg());
				pms_record_fail(rec, "payer", PMS_EDATA, "%s",
				    m);
				goto bad_row;
			}
			if ((ps = pms_policy_in_effect(s, patient, asof, pol,
			    &npol)) != PMS_OK)
				goto fail;
			for (i = 0; i < npol; i++)
				if (pol[i].payer_id == payer.id)
					break;
			if (i == npol) {
				pms_record_fail(rec, "payer", PMS_EDATA, "the "
				    "patient has no policy with that payer on "
				    "as_of");
				goto bad_row;
			}
			party.kind = PMS_PARTY_PAYER;
			party.policy_id = pol[i].id;
			if ((ps = bill_party_fill(s, &party)) != PMS_OK)
				goto fail;
		}
		sid = pms_record_text(rec, "source_id");
		if (!blank(sid) && !line_ok(sid, 120)) {
			pms_record_fail(rec, "source_id", PMS_EDATA, "one line "
			    "of at most 120 bytes");
			goto bad_row;
		}
		if (bad > 0)
			continue;
		/* brought already? */
		if (amount > 0)
			rc = sqlite3_prepare_v2(s->db, "SELECT id FROM charges "
			    "WHERE kind = 'opening' AND (source_id = ?4 OR (?4 "
			    "IS NULL AND patient_id = ?1 AND dos = ?2 AND "
			    "amount_cents = ?3))", -1, &st, NULL);
		else
			rc = sqlite3_prepare_v2(s->db, "SELECT id FROM "
			    "payments WHERE method = 'opening' AND (source_id "
			    "= ?4 OR (?4 IS NULL AND patient_id = ?1 AND "
			    "received_on = ?2 AND amount_cents = "
			    "?3))", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, patient);
		sqlite3_bind_text(st, 2, asof, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, amount < 0 ? -amount : amount);
		bind_text_or_null(st, 4, blank(sid) ? NULL : sid);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (rc == SQLITE_ROW) {
			if ((ps = pms_audit_batch_add(b, patient, NULL)) !=
			    PMS_OK)
				goto fail;
			continue;
		}
		if (rc != SQLITE_DONE)
			goto sqlfail;
		if (amount > 0)
			rc = sqlite3_prepare_v2(s->db, "INSERT INTO charges "
			    "(patient_id, line, kind, dos, amount_cents, "
			    "status, source_id, created_at, created_by, "
			    "updated_at) VALUES (?1, 1, 'opening', ?2, ?3, "
			    "'ready', ?4, ?5, ?6, ?5)", -1, &st, NULL);
		else
			rc = sqlite3_prepare_v2(s->db, "INSERT INTO payments "
			    "(patient_id, method, amount_cents, received_on, "
			    "source_id, created_at, created_by) VALUES (?1, "
			    "'opening', ?3, ?2, ?4, ?5, ?6)", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_int64(st, 1, patient);
		sqlite3_bind_text(st, 2, asof, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, amount < 0 ? -amount : amount);
		bind_text_or_null(st, 4, blank(sid) ? NULL : sid);
		sqlite3_bind_text(st, 5, e.now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, e.user != NULL ? e.user : "", -1,
		    SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto sqlfail;
		sqlite3_finalize(st);
		st = NULL;
		id = sqlite3_last_insert_rowid(s->db);
		bill_op_init(&o, s, &e, "opening", asof);
		if ((ps = bill_post(&o, patient, amount > 0 ? id : 0,
		    amount > 0 ? 0 : id, &party, amount, 0)) != PMS_OK ||
		    (ps = pms_audit_batch_add(b, patient, NULL)) != PMS_OK)
			goto fail;
		(*added)++;
		continue;
bad_row:
		report(NULL, pms_errmsg());
		bad++;
	}
	if (bad > 0) {
		ps = pms_seterr(PMS_EDATA, "%lu bad row%s; nothing was written",
		    bad, bad == 1 ? "" : "s");
		goto fail;
	}
	if (dry_run) {
		pms_audit_batch_free(b);
		pms_store_rollback(s);
		ps = PMS_OK;
		goto done;
	}
	ps = pms_audit_batch_end(b, "bill.opening-balance.import",
	    "opening_balance");
	b = NULL;
	if (ps != PMS_OK)
		goto fail;
	ps = pms_store_commit(s);
	goto done;
sqlfail:
	ps = pms_store_sqlerr(s, rc, "writing opening balances");
	sqlite3_finalize(st);
fail:
	pms_audit_batch_free(b);
	pms_store_rollback(s);
done:
	free(pol);
	bill_env_free(&e);
	return ps;
}
