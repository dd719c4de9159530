/*
 * codes.c: the code sets of billing (codes.h).  Every code is checked
 * by the shape of its kind; where the practice has loaded a list of
 * that kind (pms-admin codes load), also against the list: known, in
 * effect on the date of service and, for a diagnosis, a billable leaf
 * rather than a category.  Lists are rows of code_list (0006-bill).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codes.h"
#include "pms_int.h"

static const char *const kind_names[PMS_CODE_NKINDS] = {
	"cpt", "hcpcs", "modifier", "icd10cm", "carc", "rarc", "pos"
};

/* What a kind is called in messages. */
static const char *const kind_words[PMS_CODE_NKINDS] = {
	"CPT", "HCPCS", "modifier", "ICD-10-CM", "CARC", "RARC",
	"place of service"
};

const char *
pms_code_kind_name(enum pms_code_kind k)
{
	return (unsigned)k < PMS_CODE_NKINDS ? kind_names[k] : "?";
}

int
pms_code_kind_parse(const char *s)
{
	size_t i;

	for (i = 0; i < PMS_CODE_NKINDS; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_alnum(int c)
{
	return is_digit(c) || is_upper(c);
}

static int
ndigits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
pms_proc_kind(const char *s)
{
	if (s == NULL || strlen(s) != 5)
		return -1;
	if (ndigits(s, 5) || (ndigits(s, 4) && strchr("FTU", s[4]) != NULL))
		return PMS_CODE_CPT;
	if (is_upper((unsigned char)s[0]) && ndigits(s + 1, 4))
		return PMS_CODE_HCPCS;
	return -1;
}

/* Does u (uppercase, no blanks) have the shape of kind k? */
static int
shape_ok(enum pms_code_kind k, const char *u)
{
	size_t n = strlen(u), i;

	switch (k) {
	case PMS_CODE_CPT:
		return pms_proc_kind(u) == PMS_CODE_CPT;
	case PMS_CODE_HCPCS:
		return pms_proc_kind(u) == PMS_CODE_HCPCS;
	case PMS_CODE_MODIFIER:
		return n == 2 && is_alnum(u[0]) && is_alnum(u[1]);
	case PMS_CODE_ICD10CM:
		if (n < 3 || !is_upper(u[0]) || !is_digit(u[1]) ||
		    !is_alnum(u[2]))
			return 0;
		i = 3;
		if (u[i] == '.') {
			if (n < 5)
				return 0;
			i++;
		}
		if (n - i > 4)
			return 0;
		for (; i < n; i++)
			if (!is_alnum(u[i]))
				return 0;
		return 1;
	case PMS_CODE_CARC:
		if (n >= 1 && n <= 3 && ndigits(u, n))
			return 1;
		return (n == 2 || n == 3) && is_upper(u[0]) &&
		    ndigits(u + 1, n - 1);
	case PMS_CODE_RARC:
		if (n >= 3 && n <= 5 && u[0] == 'M' && u[1] == 'A')
			return ndigits(u + 2, n - 2);
		return n >= 2 && n <= 4 && (u[0] == 'M' || u[0] == 'N') &&
		    ndigits(u + 1, n - 1);
	case PMS_CODE_POS:
		return n == 2 && ndigits(u, 2);
	default:
		return 0;
	}
}

/* The same with its article, for "not a ... code". */
static const char *const kind_a[PMS_CODE_NKINDS] = {
	"a CPT", "a HCPCS", "a modifier", "an ICD-10-CM", "a CARC", "a RARC",
	"a place of service"
};

static const char *const shape_words[PMS_CODE_NKINDS] = {
	"five digits, or four and F, T or U",
	"a letter and four digits",
	"two letters or digits",
	("a letter, a digit, a letter or digit, then up to four more "
	    "after an optional dot"),
	"one to three digits, or a letter and one or two digits",
	"M, N or MA and digits",
	"two digits"
};

enum pms_status
pms_code_norm(enum pms_code_kind k, const char *in, char out[PMS_CODE_BUFSZ])
{
	char u[PMS_CODE_BUFSZ];
	size_t n = 0, i, j;
	const char *p, *e;

	out[0] = '\0';
	if ((unsigned)k >= PMS_CODE_NKINDS)
		return pms_seterr(PMS_EINTERNAL, "no such kind of code");
	if (in == NULL)
		return pms_seterr(PMS_EDATA, "no %s code", kind_words[k]);
	p = in;
	e = in + strlen(in);
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (p == e)
		return pms_seterr(PMS_EDATA, "no %s code", kind_words[k]);
	if ((size_t)(e - p) >= sizeof(u))
		return pms_seterr(PMS_EDATA, "not %s code (%s)", kind_a[k],
		    shape_words[k]);
	for (; p < e; p++) {
		if (*p >= 'a' && *p <= 'z')
			u[n++] = (char)(*p - 'a' + 'A');
		else
			u[n++] = *p;
	}
	u[n] = '\0';
	if (!shape_ok(k, u))
		return pms_seterr(PMS_EDATA, "not %s code (%s)", kind_a[k],
		    shape_words[k]);
	for (i = j = 0; i < n; i++)
		if (u[i] != '.')
			out[j++] = u[i];
	out[j] = '\0';
	return PMS_OK;
}

enum pms_status
pms_modifiers_norm(const char *in, char out[PMS_MODS_BUFSZ])
{
	char mods[PMS_MODS_MAX][PMS_CODE_BUFSZ], one[PMS_CODE_BUFSZ];
	size_t n = 0, i, len;
	const char *p = in, *q;
	enum pms_status st;

	out[0] = '\0';
	if (in == NULL)
		return PMS_OK;
	while (*p != '\0') {
		while (*p == ',' || *p == ':' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != ',' && *q != ':' && *q != ' ' &&
		    *q != '\t'; q++)
			;
		len = (size_t)(q - p);
		if (len >= sizeof(one))
			len = sizeof(one) - 1;
		memcpy(one, p, len);
		one[len] = '\0';
		if ((st = pms_code_norm(PMS_CODE_MODIFIER, one, mods[n < 4 ?
		    n : 3])) != PMS_OK)
			return st;
		if (n == PMS_MODS_MAX)
			return pms_seterr(PMS_EDATA, "more than four "
			    "modifiers");
		for (i = 0; i < n; i++)
			if (strcmp(mods[i], mods[n]) == 0)
				return pms_seterr(PMS_EDATA, "modifier \"%s\" "
				    "given twice", mods[n]);
		n++;
		p = q;
	}
	for (i = 0, len = 0; i < n; i++)
		len += (size_t)snprintf(out + len, PMS_MODS_BUFSZ - len, "%s%s",
		    i > 0 ? "," : "", mods[i]);
	return PMS_OK;
}

/* *have: 1 if a list of kind k is loaded, else 0. */
static enum pms_status
have_list(struct pms_store *s, enum pms_code_kind k, int *have)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(s, "SELECT 1 FROM code_list WHERE kind = "
	    "?1 LIMIT 1", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading code lists");
	sqlite3_bind_text(st, 1, kind_names[k], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*have = rc == SQLITE_ROW;
	pms_store_finalize(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading code lists");
	return PMS_OK;
}

enum pms_status
pms_code_check(struct pms_store *s, enum pms_code_kind k, const char *code,
    const char *day)
{
	sqlite3_stmt *st = NULL;
	int rc, found = 0, in_effect = 0, billable = 0, have = 0;
	const char *from, *to;
	enum pms_status ps;

	if ((unsigned)k >= PMS_CODE_NKINDS)
		return pms_seterr(PMS_EINTERNAL, "no such kind of code");
	if ((ps = have_list(s, k, &have)) != PMS_OK)
		return ps;
	if (have == 0)
		return PMS_OK;
	rc = sqlite3_prepare_v2(s->db, "SELECT billable, effective_from, "
	    "effective_to, EXISTS (SELECT 1 FROM code_list c WHERE c.kind = "
	    "?1 AND c.code > ?2 AND c.code < ?2 || '~') FROM code_list WHERE "
	    "kind = ?1 AND code = ?2", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading code lists");
	sqlite3_bind_text(st, 1, kind_names[k], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		from = (const char *)sqlite3_column_text(st, 1);
		to = (const char *)sqlite3_column_text(st, 2);
		if (day == NULL || ((from == NULL || strcmp(from, day) <= 0) &&
		    (to == NULL || strcmp(to, day) >= 0))) {
			in_effect = 1;
			if (sqlite3_column_int(st, 0) &&
			    !(k == PMS_CODE_ICD10CM &&
			    sqlite3_column_int(st, 3)))
				billable = 1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading code lists");
	/* a diagnosis is the patient's: never quoted */
	if (k == PMS_CODE_ICD10CM)
		code = "";
	if (!found)
		ps = pms_seterr(PMS_EDATA, "%s %s%s%snot in the loaded %s "
		    "list", kind_words[k], *code ? "\"" : "", code,
		    *code ? "\" is " : "code is ", kind_words[k]);
	else if (!in_effect)
		ps = pms_seterr(PMS_EDATA, "%s %s%s%snot in effect on the "
		    "date of service", kind_words[k], *code ? "\"" : "", code,
		    *code ? "\" is " : "code is ");
	else if (!billable)
		ps = pms_seterr(PMS_EDATA, k == PMS_CODE_ICD10CM ? "%s %s%s%sa "
		    "category, not a billable code: give the full code" :
		    "%s %s%s%snot billable", kind_words[k], *code ? "\"" : "",
		    code, *code ? "\" is " : "code is ");
	else
		ps = PMS_OK;
	return ps;
}

enum pms_status
pms_code_describe(struct pms_store *s, enum pms_code_kind k,
    const char *code, char *buf, size_t size)
{
	sqlite3_stmt *st;
	const unsigned char *d;
	int rc;

	if (size > 0)
		buf[0] = '\0';
	if ((unsigned)k >= PMS_CODE_NKINDS)
		return pms_seterr(PMS_EINTERNAL, "no such kind of code");
	rc = sqlite3_prepare_v2(s->db, "SELECT description FROM code_list "
	    "WHERE kind = ?1 AND code = ?2 AND description IS NOT NULL "
	    "ORDER BY effective_from DESC LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading code lists");
	sqlite3_bind_text(st, 1, kind_names[k], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (d = sqlite3_column_text(st, 0)) != NULL &&
	    size > 0)
		snprintf(buf, size, "%s", (const char *)d);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading code lists");
	return PMS_OK;
}

/* ---- loading ---- */

/* A row of a list as it will be stored. */
struct code_row {
	int		 kind;
	char		 code[PMS_CODE_BUFSZ];
	const char	*description;	/* borrowed from the record */
	int		 billable;
	char		 from[PMS_DATE_BUFSZ];	/* "" open */
	char		 to[PMS_DATE_BUFSZ];	/* "" open */
};

/* Read and check one record; PMS_EDATA reported through report. */
static enum pms_status
code_row_read(const struct pms_record *rec, struct code_row *r,
    pms_codes_report_fn *report, void *arg)
{
	enum pms_status st, bad = PMS_OK;
	const char *t;
	int32_t d, d2 = 0;
	int b, have_from = 0;

	memset(r, 0, sizeof(*r));
	r->kind = -1;
	r->billable = 1;
	t = pms_record_text(rec, "kind");
	if (t == NULL || *t == '\0')
		bad = pms_record_fail(rec, "kind", PMS_EDATA, "missing");
	else if ((r->kind = pms_code_kind_parse(t)) < 0)
		bad = pms_record_fail(rec, "kind", PMS_EDATA, "expected cpt, "
		    "hcpcs, modifier, icd10cm, carc, rarc or pos");
	if (bad != PMS_OK)
		report(arg, pms_errmsg());
	if (r->kind >= 0) {
		t = pms_record_text(rec, "code");
		if ((st = pms_code_norm((enum pms_code_kind)r->kind, t,
		    r->code)) != PMS_OK) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", pms_errmsg());
			bad = pms_record_fail(rec, "code", PMS_EDATA, "%s",
			    msg);
			report(arg, pms_errmsg());
		}
	}
	r->description = pms_record_text(rec, "description");
	if (r->description != NULL && strlen(r->description) > 500) {
		bad = pms_record_fail(rec, "description", PMS_EDATA, "longer "
		    "than 500 bytes");
		report(arg, pms_errmsg());
	}
	st = pms_record_date(rec, "effective_from", PMS_DATE_ISO, &d);
	if (st == PMS_OK) {
		pms_date_fmt(d, r->from);
		have_from = 1;
	} else if (st != PMS_ENOINPUT) {
		bad = st;
		report(arg, pms_errmsg());
	}
	st = pms_record_date(rec, "effective_to", PMS_DATE_ISO, &d2);
	if (st == PMS_OK) {
		pms_date_fmt(d2, r->to);
		if (have_from && d2 < d) {
			bad = pms_record_fail(rec, "effective_to", PMS_EDATA,
			    "before effective_from");
			report(arg, pms_errmsg());
		}
	} else if (st != PMS_ENOINPUT) {
		bad = st;
		report(arg, pms_errmsg());
	}
	st = pms_record_bool(rec, "billable", &b);
	if (st == PMS_OK)
		r->billable = b;
	else if (st != PMS_ENOINPUT) {
		bad = st;
		report(arg, pms_errmsg());
	}
	return bad;
}

/* Add or replace one row: *what 0 added, 1 changed, 2 unchanged. */
static enum pms_status
code_row_store(struct pms_store *s, const struct code_row *r,
    const char *now, int *what)
{
	sqlite3_stmt *st = NULL;
	const char *d, *to;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT description, billable, "
	    "effective_to FROM code_list WHERE kind = ?1 AND code = ?2 AND "
	    "effective_from = ?3", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, kind_names[r->kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->from, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(st, 0);
		to = (const char *)sqlite3_column_text(st, 2);
		if (((d == NULL && (r->description == NULL ||
		    *r->description == '\0')) || (d != NULL &&
		    r->description != NULL && strcmp(d, r->description) ==
		    0)) && sqlite3_column_int(st, 1) == r->billable &&
		    ((to == NULL && r->to[0] == '\0') || (to != NULL &&
		    strcmp(to, r->to) == 0))) {
			sqlite3_finalize(st);
			*what = 2;
			return PMS_OK;
		}
		*what = 1;
	} else if (rc == SQLITE_DONE)
		*what = 0;
	else
		goto fail;
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO code_list (kind, code, "
	    "description, billable, effective_from, effective_to, loaded_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (kind, code, "
	    "effective_from) DO UPDATE SET description = excluded.description,"
	    " billable = excluded.billable, effective_to = "
	    "excluded.effective_to, loaded_at = excluded.loaded_at", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, kind_names[r->kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->code, -1, SQLITE_STATIC);
	if (r->description != NULL && *r->description != '\0')
		sqlite3_bind_text(st, 3, r->description, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, r->billable);
	sqlite3_bind_text(st, 5, r->from, -1, SQLITE_STATIC);
	if (r->to[0] != '\0')
		sqlite3_bind_text(st, 6, r->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return PMS_OK;
fail:
	sqlite3_finalize(st);
	return pms_store_sqlerr(s, rc, "loading codes");
}

enum pms_status
pms_codes_load(struct pms_store *s, struct pms_reader *rd, int dry_run,
    pms_codes_report_fn *report, void *arg, struct pms_codes_count *n)
{
	struct pms_record *rec;
	struct code_row r;
	enum pms_status st, ps;
	char now[PMS_STAMP_BUFSZ];
	int what = 0;

	memset(n, 0, sizeof(*n));
	pms_instant_fmt((int64_t)time(NULL), now);
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	for (;;) {
		st = pms_reader_next(rd, &rec);
		if (st == PMS_OK && rec == NULL)
			break;
		if (st == PMS_EIO || st == PMS_ENOMEM) {
			ps = st;
			goto fail;
		}
		n->rows++;
		if (st != PMS_OK) {
			report(arg, pms_errmsg());
			n->bad++;
			continue;
		}
		if (code_row_read(rec, &r, report, arg) != PMS_OK) {
			n->bad++;
			continue;
		}
		if (n->bad > 0)
			continue;	/* nothing will be written: check */
		if ((ps = code_row_store(s, &r, now, &what)) != PMS_OK)
			goto fail;
		if (what == 0)
			n->added[r.kind]++;
		else if (what == 1)
			n->changed[r.kind]++;
		else
			n->unchanged[r.kind]++;
	}
	if (n->bad > 0) {
		ps = pms_seterr(PMS_EDATA, "%lu bad row%s; nothing was loaded",
		    n->bad, n->bad == 1 ? "" : "s");
		goto fail;
	}
	if (dry_run) {
		pms_store_rollback(s);
		return PMS_OK;
	}
	if ((ps = pms_audit_append(s, "admin.codes.load", "code_list", NULL,
	    0)) != PMS_OK)
		goto fail;
	return pms_store_commit(s);
fail:
	pms_store_rollback(s);
	return ps;
}
