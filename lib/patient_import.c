/*
 * patient_import.c: a practice's spreadsheet into the registry.
 *
 * The file is read record by record (lib/record.c: CSV or JSON Lines,
 * BOM, encodings, delimiters, quoted newlines) and never held whole;
 * which column is which field comes from a mapping file (YAML, read
 * with libyaml) or from the usual header names.  Every row is checked
 * as pms_patient_add() checks one patient, then matched against the
 * store through its indexes (MRN, else name and date of birth) with
 * statements prepared once, in one IMMEDIATE transaction whose single
 * audit entry names every patient the file touched (pms_audit_batch,
 * kept in the store, not in memory).  That entry also tells a row that
 * names a patient an earlier row named already.
 *
 * All or nothing: a bad row is reported (line and column, never its
 * value) and the transaction rolled back at the end, unless a rejects
 * file takes the bad rows, as they came, with a reject_reason column.
 */
#include <sys/stat.h>

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include <unicase.h>
#include <unistr.h>

#include "audit.h"
#include "patient_import.h"
#include "patient_int.h"
#include "record.h"

/* ---- the mapping file ---- */

enum transform {
	T_TRIM,
	T_COLLAPSE,
	T_TITLE,
	T_UPPER,
	T_LOWER,
	T_STRIP_DIGITS,
	T_STATE_CODE
};

static const char *const transform_names[] = {
	"trim", "collapse-spaces", "title-case", "upper", "lower",
	"strip-trailing-digits", "state-code"
};

#define MAX_TRANSFORMS	8

struct map_value {
	char		*from;
	char		*to;
};

struct map_field {
	char		*column;	/* NULL: not mapped */
	enum transform	 t[MAX_TRANSFORMS];
	size_t		 nt;
	struct map_value *values;
	size_t		 nvalues;
};

struct pms_import_map {
	int		 date_form;	/* -1: not given */
	int		 encoding;	/* -1: not given */
	int		 refuse_extra;
	struct map_field f[PMS_PF_COUNT];
	char		**ignore;
	size_t		 nignore;
};

void
pms_import_map_free(struct pms_import_map *m)
{
	size_t i, k;

	if (m == NULL)
		return;
	for (i = 0; i < PMS_PF_COUNT; i++) {
		free(m->f[i].column);
		for (k = 0; k < m->f[i].nvalues; k++) {
			free(m->f[i].values[k].from);
			free(m->f[i].values[k].to);
		}
		free(m->f[i].values);
	}
	for (k = 0; k < m->nignore; k++)
		free(m->ignore[k]);
	free(m->ignore);
	free(m);
}

struct yctx {
	yaml_document_t	 doc;
	const char	*name;
};

static enum pms_status
yfail(const struct yctx *y, const yaml_node_t *n, const char *what)
{
	return pms_seterr(PMS_ECONFIG, "%s:%lu: %s", y->name,
	    n != NULL ? (unsigned long)n->start_mark.line + 1 : 0UL, what);
}

static const char *
yscalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

/* A scalar value, trimmed, non-empty, in a malloc'd copy. */
static enum pms_status
ystrdup(const struct yctx *y, const yaml_node_t *n, const char *what,
    char **out)
{
	const char *s = yscalar(n), *e;
	char msg[128];

	*out = NULL;
	if (s == NULL) {
		snprintf(msg, sizeof(msg), "%s: a text value is expected",
		    what);
		return yfail(y, n, msg);
	}
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s) {
		snprintf(msg, sizeof(msg), "%s: may not be empty", what);
		return yfail(y, n, msg);
	}
	if ((*out = strndup(s, (size_t)(e - s))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	return PMS_OK;
}

/* 1 if key came before pair pr in the mapping node m. */
static int
twice(struct yctx *y, const yaml_node_t *m, const yaml_node_pair_t *pr,
    const char *key)
{
	const yaml_node_pair_t *q;
	const char *k;

	for (q = m->data.mapping.pairs.start; q < pr; q++) {
		k = yscalar(yaml_document_get_node(&y->doc, q->key));
		if (k != NULL && strcmp(k, key) == 0)
			return 1;
	}
	return 0;
}

static enum pms_status
map_field(struct yctx *y, struct pms_import_map *m, int fi,
    yaml_node_t *v)
{
	struct map_field *f = &m->f[fi];
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	yaml_node_t *k, *x, *a, *b;
	const char *key, *t;
	char msg[160];
	size_t i, n;
	enum pms_status st;

	if (v->type == YAML_SCALAR_NODE)
		return ystrdup(y, v, pms_pt_fields[fi].name, &f->column);
	if (v->type != YAML_MAPPING_NODE) {
		snprintf(msg, sizeof(msg), "fields.%s: a column name or a "
		    "mapping is expected", pms_pt_fields[fi].name);
		return yfail(y, v, msg);
	}
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top;
	    pr++) {
		k = yaml_document_get_node(&y->doc, pr->key);
		x = yaml_document_get_node(&y->doc, pr->value);
		key = yscalar(k);
		if (key != NULL && twice(y, v, pr, key)) {
			snprintf(msg, sizeof(msg), "fields.%s.%.20s: given "
			    "twice", pms_pt_fields[fi].name, key);
			return yfail(y, k, msg);
		}
		if (key != NULL && strcmp(key, "column") == 0) {
			free(f->column);
			if ((st = ystrdup(y, x, "column", &f->column)) !=
			    PMS_OK)
				return st;
		} else if (key != NULL && strcmp(key, "transforms") == 0) {
			if (x->type != YAML_SEQUENCE_NODE)
				return yfail(y, x, "transforms: a list is "
				    "expected");
			f->nt = 0;
			for (it = x->data.sequence.items.start;
			    it < x->data.sequence.items.top; it++) {
				a = yaml_document_get_node(&y->doc, *it);
				if ((t = yscalar(a)) == NULL)
					return yfail(y, a, "transforms: a "
					    "name is expected");
				for (i = 0; i < PMS_NELEM(transform_names); i++)
					if (strcmp(t, transform_names[i]) == 0)
						break;
				if (i == PMS_NELEM(transform_names)) {
					snprintf(msg, sizeof(msg), "unknown "
					    "transform \"%.40s\" (trim, "
					    "collapse-spaces, title-case, "
					    "upper, lower, "
					    "strip-trailing-digits, "
					    "state-code)", t);
					return yfail(y, a, msg);
				}
				if (f->nt == MAX_TRANSFORMS)
					return yfail(y, a, "too many "
					    "transforms");
				f->t[f->nt++] = (enum transform)i;
			}
		} else if (key != NULL && strcmp(key, "values") == 0) {
			if (x->type != YAML_MAPPING_NODE)
				return yfail(y, x, "values: a mapping is "
				    "expected");
			n = (size_t)(x->data.mapping.pairs.top -
			    x->data.mapping.pairs.start);
			if ((f->values = calloc(n + 1, sizeof(*f->values))) ==
			    NULL)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			for (i = 0; i < n; i++) {
				a = yaml_document_get_node(&y->doc,
				    x->data.mapping.pairs.start[i].key);
				b = yaml_document_get_node(&y->doc,
				    x->data.mapping.pairs.start[i].value);
				if (yscalar(a) == NULL || yscalar(b) == NULL)
					return yfail(y, a, "values: text to "
					    "text is expected");
				if ((f->values[i].from = strdup(yscalar(a))) ==
				    NULL || (f->values[i].to =
				    strdup(yscalar(b))) == NULL)
					return pms_seterr(PMS_ENOMEM,
					    "out of memory");
				f->nvalues = i + 1;
			}
		} else {
			snprintf(msg, sizeof(msg), "fields.%s: unknown key "
			    "\"%.40s\" (column, transforms, values)",
			    pms_pt_fields[fi].name, key != NULL ? key : "?");
			return yfail(y, k, msg);
		}
	}
	if (f->column == NULL) {
		snprintf(msg, sizeof(msg), "fields.%s: no column",
		    pms_pt_fields[fi].name);
		return yfail(y, v, msg);
	}
	return PMS_OK;
}

static enum pms_status
map_top(struct yctx *y, struct pms_import_map *m, yaml_node_t *root)
{
	yaml_node_pair_t *pr, *fp;
	yaml_node_item_t *it;
	yaml_node_t *k, *v, *a;
	const char *key, *s;
	char msg[160];
	int fi, i, j;
	size_t n;
	enum pms_status st;

	if (root == NULL || root->type != YAML_MAPPING_NODE)
		return yfail(y, root, "a mapping is expected");
	for (pr = root->data.mapping.pairs.start;
	    pr < root->data.mapping.pairs.top; pr++) {
		k = yaml_document_get_node(&y->doc, pr->key);
		v = yaml_document_get_node(&y->doc, pr->value);
		if ((key = yscalar(k)) == NULL)
			return yfail(y, k, "a key is expected");
		if (twice(y, root, pr, key)) {
			snprintf(msg, sizeof(msg), "%.20s: given twice", key);
			return yfail(y, k, msg);
		}
		if (strcmp(key, "date_format") == 0) {
			if ((s = yscalar(v)) == NULL ||
			    (m->date_form = pms_date_form_parse(s)) < 0)
				return yfail(y, v, "date_format: iso, mdy, dmy "
				    "or excel");
		} else if (strcmp(key, "encoding") == 0) {
			if ((s = yscalar(v)) == NULL ||
			    (m->encoding = pms_in_encoding_parse(s)) < 0)
				return yfail(y, v, "encoding: utf-8 or "
				    "windows-1252");
		} else if (strcmp(key, "extra_columns") == 0) {
			s = yscalar(v);
			if (s != NULL && strcmp(s, "ignore") == 0)
				m->refuse_extra = 0;
			else if (s != NULL && strcmp(s, "refuse") == 0)
				m->refuse_extra = 1;
			else
				return yfail(y, v, "extra_columns: ignore or "
				    "refuse");
		} else if (strcmp(key, "ignore") == 0) {
			if (v->type != YAML_SEQUENCE_NODE)
				return yfail(y, v, "ignore: a list of columns "
				    "is expected");
			n = (size_t)(v->data.sequence.items.top -
			    v->data.sequence.items.start);
			if ((m->ignore = calloc(n + 1, sizeof(char *))) == NULL)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			for (it = v->data.sequence.items.start;
			    it < v->data.sequence.items.top; it++) {
				a = yaml_document_get_node(&y->doc, *it);
				if ((st = ystrdup(y, a, "ignore",
				    &m->ignore[m->nignore])) != PMS_OK)
					return st;
				m->nignore++;
			}
		} else if (strcmp(key, "fields") == 0) {
			if (v->type != YAML_MAPPING_NODE)
				return yfail(y, v, "fields: a mapping of field "
				    "to column is expected");
			for (fp = v->data.mapping.pairs.start;
			    fp < v->data.mapping.pairs.top; fp++) {
				a = yaml_document_get_node(&y->doc, fp->key);
				s = yscalar(a);
				if (s == NULL || (fi = pms_pt_field_find(s)) <
				    0) {
					snprintf(msg, sizeof(msg), "fields: "
					    "unknown field \"%.40s\"",
					    s != NULL ? s : "?");
					return yfail(y, a, msg);
				}
				if (m->f[fi].column != NULL) {
					snprintf(msg, sizeof(msg), "fields.%s: "
					    "given twice", s);
					return yfail(y, a, msg);
				}
				if ((st = map_field(y, m, fi,
				    yaml_document_get_node(&y->doc,
				    fp->value))) != PMS_OK)
					return st;
			}
		} else {
			snprintf(msg, sizeof(msg), "unknown key \"%.40s\" "
			    "(date_format, encoding, extra_columns, fields, "
			    "ignore)", key);
			return yfail(y, k, msg);
		}
	}
	/* one column, one field */
	for (i = 0; i < PMS_PF_COUNT; i++)
		for (j = i + 1; j < PMS_PF_COUNT; j++)
			if (m->f[i].column != NULL && m->f[j].column != NULL &&
			    strcasecmp(m->f[i].column, m->f[j].column) == 0) {
				snprintf(msg, sizeof(msg), "fields: %s and %s "
				    "have the same column",
				    pms_pt_fields[i].name,
				    pms_pt_fields[j].name);
				return yfail(y, root, msg);
			}
	for (i = 0; i < PMS_PF_COUNT; i++)
		if (m->f[i].column != NULL)
			return PMS_OK;
	return yfail(y, root, "fields: no field is mapped");
}

enum pms_status
pms_import_map_parse(const char *buf, size_t len, const char *name,
    struct pms_import_map **mp)
{
	struct pms_import_map *m;
	yaml_parser_t parser;
	struct yctx y;
	enum pms_status st;
	char msg[200];

	*mp = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	m->date_form = -1;
	m->encoding = -1;
	y.name = name != NULL ? name : "map";
	if (!yaml_parser_initialize(&parser)) {
		free(m);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &y.doc)) {
		snprintf(msg, sizeof(msg), "%s", parser.problem != NULL ?
		    parser.problem : "not YAML");
		st = pms_seterr(PMS_ECONFIG, "%s:%lu: %s", y.name,
		    (unsigned long)parser.problem_mark.line + 1, msg);
		yaml_parser_delete(&parser);
		pms_import_map_free(m);
		return st;
	}
	st = map_top(&y, m, yaml_document_get_root_node(&y.doc));
	yaml_document_delete(&y.doc);
	yaml_parser_delete(&parser);
	if (st != PMS_OK) {
		pms_import_map_free(m);
		return st;
	}
	*mp = m;
	return PMS_OK;
}

/* Read a map file whole (it is small) and parse it. */
static enum pms_status
map_read(const char *path, struct pms_import_map **mp)
{
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	FILE *f;
	enum pms_status st;

	if ((f = fopen(path, "re")) == NULL)
		return pms_seterr(PMS_ENOINPUT, "%s: %s", path,
		    strerror(errno));
	for (;;) {
		if (n == cap) {
			char *nb;

			if (cap >= 1024 * 1024) {
				fclose(f);
				free(buf);
				return pms_seterr(PMS_ECONFIG, "%s: too big "
				    "for a map", path);
			}
			cap = cap ? 2 * cap : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				fclose(f);
				free(buf);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			buf = nb;
		}
		if ((r = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
	}
	fclose(f);
	st = pms_import_map_parse(buf != NULL ? buf : "", n, path, mp);
	free(buf);
	return st;
}

/* ---- headers ---- */

/* Header names that mean a field, lower case without spaces, "_",
 * "-", "." or "/". */
static const struct alias {
	const char	*name;
	int		 field;
} aliases[] = {
	{ "mrn", PMS_PF_MRN }, { "medicalrecordnumber", PMS_PF_MRN },
	{ "medicalrecordno", PMS_PF_MRN }, { "chartnumber", PMS_PF_MRN },
	{ "chartno", PMS_PF_MRN }, { "chart", PMS_PF_MRN },
	{ "patientnumber", PMS_PF_MRN }, { "recordnumber", PMS_PF_MRN },
	{ "lastname", PMS_PF_LAST_NAME }, { "last", PMS_PF_LAST_NAME },
	{ "surname", PMS_PF_LAST_NAME }, { "familyname", PMS_PF_LAST_NAME },
	{ "firstname", PMS_PF_FIRST_NAME }, { "first", PMS_PF_FIRST_NAME },
	{ "givenname", PMS_PF_FIRST_NAME }, { "forename", PMS_PF_FIRST_NAME },
	{ "middlename", PMS_PF_MIDDLE_NAME }, { "middle", PMS_PF_MIDDLE_NAME },
	{ "middleinitial", PMS_PF_MIDDLE_NAME }, { "mi", PMS_PF_MIDDLE_NAME },
	{ "suffix", PMS_PF_SUFFIX },
	{ "preferredname", PMS_PF_PREFERRED_NAME },
	{ "nickname", PMS_PF_PREFERRED_NAME },
	{ "dob", PMS_PF_DOB }, { "dateofbirth", PMS_PF_DOB },
	{ "birthdate", PMS_PF_DOB }, { "birthday", PMS_PF_DOB },
	{ "sex", PMS_PF_SEX }, { "gender", PMS_PF_SEX },
	{ "street", PMS_PF_STREET }, { "address", PMS_PF_STREET },
	{ "address1", PMS_PF_STREET }, { "addressline1", PMS_PF_STREET },
	{ "street1", PMS_PF_STREET },
	{ "street2", PMS_PF_STREET2 }, { "address2", PMS_PF_STREET2 },
	{ "addressline2", PMS_PF_STREET2 },
	{ "city", PMS_PF_CITY }, { "town", PMS_PF_CITY },
	{ "state", PMS_PF_STATE }, { "province", PMS_PF_STATE },
	{ "zip", PMS_PF_ZIP }, { "zipcode", PMS_PF_ZIP },
	{ "postcode", PMS_PF_ZIP }, { "postalcode", PMS_PF_ZIP },
	{ "country", PMS_PF_COUNTRY },
	{ "phone", PMS_PF_PHONE }, { "homephone", PMS_PF_PHONE },
	{ "telephone", PMS_PF_PHONE }, { "phonenumber", PMS_PF_PHONE },
	{ "tel", PMS_PF_PHONE },
	{ "mobilephone", PMS_PF_MOBILE_PHONE },
	{ "mobile", PMS_PF_MOBILE_PHONE },
	{ "cell", PMS_PF_MOBILE_PHONE }, { "cellphone", PMS_PF_MOBILE_PHONE },
	{ "workphone", PMS_PF_WORK_PHONE },
	{ "email", PMS_PF_EMAIL }, { "emailaddress", PMS_PF_EMAIL },
	{ "preferredcontact", PMS_PF_PREFERRED_CONTACT },
	{ "smsconsent", PMS_PF_SMS_CONSENT }, { "smsok", PMS_PF_SMS_CONSENT },
	{ "textok", PMS_PF_SMS_CONSENT },
	{ "emailconsent", PMS_PF_EMAIL_CONSENT },
	{ "emailok", PMS_PF_EMAIL_CONSENT },
	{ "language", PMS_PF_LANGUAGE },
	{ "preferredlanguage", PMS_PF_LANGUAGE },
	{ "firstvisit", PMS_PF_FIRST_VISIT },
	{ "firstvisitdate", PMS_PF_FIRST_VISIT },
	{ "status", PMS_PF_STATUS },
	{ "deceasedon", PMS_PF_DECEASED_ON },
	{ "deathdate", PMS_PF_DECEASED_ON },
	{ "dateofdeath", PMS_PF_DECEASED_ON }, { "dod", PMS_PF_DECEASED_ON },
	{ "ssn", PMS_PF_SSN }, { "socialsecuritynumber", PMS_PF_SSN },
};

/* Columns of our own export that the import leaves alone, quietly. */
static const char *const ours[] = {
	"patientid", "guarantorid", "guarantorrelationship", "mergedinto",
	"createdat", "updatedat", "rejectreason", NULL
};

static void
squash(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < size; in++) {
		if (*in == ' ' || *in == '_' || *in == '-' || *in == '.' ||
		    *in == '/' || *in == '\t')
			continue;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
}

static int
alias_field(const char *header)
{
	char sq[64];
	size_t i;

	squash(header, sq, sizeof(sq));
	for (i = 0; i < PMS_NELEM(aliases); i++)
		if (strcmp(aliases[i].name, sq) == 0)
			return aliases[i].field;
	return -1;
}

static int
is_ours(const char *header)
{
	char sq[64];
	size_t i;

	squash(header, sq, sizeof(sq));
	for (i = 0; ours[i] != NULL; i++)
		if (strcmp(ours[i], sq) == 0)
			return 1;
	return 0;
}

/* ---- one import ---- */

/*
 * The line each patient of this import came from, for the message of a
 * later row naming them again ("the same patient as line 3"): a table
 * of ids, open addressing, grown at half full.  Sixteen bytes a
 * patient touched: the one thing of an import that grows with it.
 */
struct idlines {
	int64_t		*id;		/* 0: empty */
	unsigned long	*line;
	size_t		 n, cap;	/* cap a power of two */
};

static size_t
idl_slot(const struct idlines *t, int64_t id)
{
	size_t i = (size_t)((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15) >>
	    17) & (t->cap - 1);

	while (t->id[i] != 0 && t->id[i] != id)
		i = (i + 1) & (t->cap - 1);
	return i;
}

/* Remember id's line, unless it has one: PMS_ENOMEM or PMS_OK. */
static enum pms_status
idl_put(struct idlines *t, int64_t id, unsigned long line)
{
	struct idlines g;
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		g.cap = t->cap > 0 ? 2 * t->cap : 1024;
		g.n = 0;
		if ((g.id = calloc(g.cap, sizeof(*g.id))) == NULL ||
		    (g.line = calloc(g.cap, sizeof(*g.line))) == NULL) {
			free(g.id);
			return pms_seterr(PMS_ENOMEM, "out of memory");
		}
		for (i = 0; i < t->cap; i++)
			if (t->id[i] != 0) {
				size_t k = idl_slot(&g, t->id[i]);

				g.id[k] = t->id[i];
				g.line[k] = t->line[i];
				g.n++;
			}
		free(t->id);
		free(t->line);
		*t = g;
	}
	i = idl_slot(t, id);
	if (t->id[i] == 0) {
		t->id[i] = id;
		t->line[i] = line;
		t->n++;
	}
	return PMS_OK;
}

/* The line id came from, or 0. */
static unsigned long
idl_get(const struct idlines *t, int64_t id)
{
	size_t i;

	if (t->cap == 0)
		return 0;
	i = idl_slot(t, id);
	return t->id[i] == id ? t->line[i] : 0;
}

static void
idl_free(struct idlines *t)
{
	free(t->id);
	free(t->line);
	memset(t, 0, sizeof(*t));
}

struct pol_imp {
	sqlite3_stmt	*same, *clash, *ins;
	int64_t		 base;		/* the last policy id before */
	unsigned long	*lines;		/* of policies base+1, base+2, ... */
	size_t		 nlines, cap;
};

struct imp {
	struct pms_store *s;
	const struct pms_import_opts *o;
	struct pms_import_count *n;
	struct pms_import_map *map;
	struct pms_reader *r;
	const char	*name;		/* for messages: the file, or NULL */
	struct pt_env	 env;
	struct pt_dates	 dates;
	int		 col[PMS_PF_COUNT];	/* CSV: header index, or -1 */
	const char	*colname[PMS_PF_COUNT];	/* what messages call it */
	int		 json;
	int		 nulls;		/* a patient without an MRN exists */
	unsigned long	 bad;		/* bad rows not in a rejects file */
	uint32_t	 touched;	/* fields written */
	struct pms_audit_batch *batch;
	sqlite3_stmt	*by_mrn, *by_name, *get, *ins, *upd;
	/* the rejects file, by the record writer's rules (a temp file
	 * renamed in, or a device written directly) */
	FILE		*rej;
	struct pms_outfile *rej_of;
	unsigned long	 line;		/* of the row being read */
	char		 now[PMS_PT_STAMP];	/* created_at of the rows */
	char		 reason[1024];	/* the row's faults, for rejects */
	size_t		 rlen;
	int		 nfaults;
	char		 bufs[PMS_PF_COUNT][512];	/* a row's cells */
	struct pol_imp	*pol;		/* policy import's statements */
	struct idlines	 lines;		/* where each patient came from */
	sqlite3_stmt	*zeros;		/* an MRN but for leading zeros */
	char		 told[16][33];	/* JSON keys told of, not imported */
	size_t		 ntold;
};

static void
say(struct imp *im, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct imp *im, int kind, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (im->o->report != NULL)
		im->o->report(im->o->report_arg, kind, msg);
}

/* A fault of the current row: reported, and kept for its rejects line. */
static void
fault(struct imp *im, const char *column, const char *what)
{
	char pre[PATH_MAX + 8];
	int w;

	snprintf(pre, sizeof(pre), "%s%s", im->name != NULL ? im->name : "",
	    im->name != NULL ? ": " : "");
	if (column != NULL)
		say(im, 0, "%sline %lu: %s: %s", pre, im->line, column, what);
	else
		say(im, 0, "%sline %lu: %s", pre, im->line, what);
	if (im->nfaults++ == 0)
		w = snprintf(im->reason, sizeof(im->reason), "line %lu: ",
		    im->line);
	else
		w = snprintf(im->reason + im->rlen, sizeof(im->reason) -
		    im->rlen, "; ");
	if (w > 0 && (size_t)w < sizeof(im->reason) - im->rlen)
		im->rlen += (size_t)w;
	w = snprintf(im->reason + im->rlen, sizeof(im->reason) - im->rlen,
	    "%s%s%s", column != NULL ? column : "", column != NULL ? ": " : "",
	    what);
	if (w > 0 && (size_t)w < sizeof(im->reason) - im->rlen)
		im->rlen += (size_t)w;
	else
		im->rlen = strlen(im->reason);
}

static void
check_msg(void *arg, int kind, int field, const char *text)
{
	struct imp *im = arg;
	char pre[PATH_MAX + 8];

	if (kind == 0) {
		fault(im, im->colname[field] != NULL ? im->colname[field] :
		    pms_pt_fields[field].name, text);
		return;
	}
	if (kind == 2 && field >= PMS_PF_LAST_NAME &&
	    field <= PMS_PF_PREFERRED_NAME) {
		/* typographic apostrophes: counted, told once at the end */
		if (im->n->quotes++ == 0)
			im->n->quotes_line = im->line;
		return;
	}
	if (kind == 1 && field == PMS_PF_ZIP) {
		/* 4-digit ZIP codes: the same, one warning for the file */
		if (im->n->zips++ == 0)
			im->n->zips_line = im->line;
		return;
	}
	snprintf(pre, sizeof(pre), "%s%s", im->name != NULL ? im->name : "",
	    im->name != NULL ? ": " : "");
	say(im, kind, "%sline %lu: %s: %s", pre, im->line,
	    im->colname[field] != NULL ? im->colname[field] :
	    pms_pt_fields[field].name, text);
}

/* ---- rejects ---- */

/* A CSV cell as our writer guards it: a leading "'" on text that a
 * spreadsheet would take for a formula (lib/record.c takes it off). */
static int
rej_cell(FILE *f, const char *s, int first)
{
	const char *p = s;
	char *g = NULL;
	int rc;

	if (!first && fputc(',', f) == EOF)
		return -1;
	if (s == NULL)
		return 0;
	while (*p == '\'')
		p++;
	if (*p == '=' || *p == '+' || *p == '-' || *p == '@' || *p == '\t' ||
	    *p == '\r') {
		if ((g = malloc(strlen(s) + 2)) == NULL)
			return -1;
		g[0] = '\'';
		memcpy(g + 1, s, strlen(s) + 1);
		s = g;
	}
	rc = csv_fwrite(f, s, strlen(s));
	free(g);
	return rc == 0 ? 0 : -1;
}

static enum pms_status
rej_open(struct imp *im)
{
	enum pms_status st;
	size_t i, n;
	int first = 1;

	if ((st = pms_outfile_open(&im->rej_of, im->o->rejects, &im->rej)) !=
	    PMS_OK)
		return st;
	if (im->json)
		return PMS_OK;
	n = pms_reader_ncols(im->r);
	for (i = 0; i < n; i++, first = 0)
		if (rej_cell(im->rej, pms_reader_col(im->r, i), first) == -1)
			goto ioerr;
	if (rej_cell(im->rej, "reject_reason", first) == -1 ||
	    fputc('\n', im->rej) == EOF)
		goto ioerr;
	return PMS_OK;
ioerr:
	return pms_seterr(PMS_EIO, "%s: %s", im->o->rejects, strerror(errno));
}

/* The bad row rec, as it came, with its reasons. */
static enum pms_status
rej_row(struct imp *im, const struct pms_record *rec)
{
	json_t *o, *v;
	char *js;
	size_t i, n, nc;
	const char *t;
	int first = 1, rc;

	if (im->json) {
		if ((o = json_object()) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		for (i = 0; i < pms_record_nfields(rec); i++) {
			t = pms_record_text_at(rec, i);
			switch (pms_record_type_at(rec, i)) {
			case PMS_VAL_TEXT:
				v = json_string(t);
				break;
			case PMS_VAL_NULL:
			case PMS_VAL_ABSENT:
				v = json_null();
				break;
			default:
				v = json_loads(t, JSON_DECODE_ANY, NULL);
			}
			json_object_set_new(o, pms_record_name(rec, i),
			    v != NULL ? v : json_null());
		}
		json_object_set_new(o, "reject_reason",
		    json_string(im->reason));
		js = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (js == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		rc = fputs(js, im->rej) == EOF || fputc('\n', im->rej) == EOF;
		free(js);
		if (rc)
			goto ioerr;
		return PMS_OK;
	}
	nc = pms_reader_ncols(im->r);
	n = pms_record_nfields(rec);
	for (i = 0; i < nc; i++, first = 0)
		if (rej_cell(im->rej, i < n ? pms_record_text_at(rec, i) :
		    NULL, first) == -1)
			goto ioerr;
	if (rej_cell(im->rej, im->reason, first) == -1 ||
	    fputc('\n', im->rej) == EOF)
		goto ioerr;
	return PMS_OK;
ioerr:
	return pms_seterr(PMS_EIO, "%s: %s", im->o->rejects, strerror(errno));
}

/* Put the rejects file in place, or (ok 0) throw it away. */
static enum pms_status
rej_close(struct imp *im, int ok)
{
	enum pms_status st = PMS_OK;

	if (im->rej_of == NULL)
		return PMS_OK;
	if (ok)
		st = pms_outfile_close(im->rej_of);
	else
		pms_outfile_abort(im->rej_of);
	im->rej_of = NULL;
	im->rej = NULL;
	return st;
}

/*
 * The rejects file may not be the input: written over it, the good rows
 * would be lost.  PMS_EUSAGE when path is the file in reads (any name
 * of it: a link, another path).
 */
static enum pms_status
rej_not_input(FILE *in, const char *path)
{
	struct stat a, b;

	if (path == NULL || fstat(fileno(in), &a) == -1 || stat(path, &b) == -1)
		return PMS_OK;
	if (S_ISREG(a.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return pms_seterr(PMS_EUSAGE, "--skip-invalid: %s is the file "
		    "being imported; name another file", path);
	return PMS_OK;
}

/* ---- columns ---- */

/* A header name for a message: quoted when it has the shape of one,
 * else by its place ("column 3"): without a header line, the first row
 * is taken for one, and its cells are a patient's. */
static const char *
col_label(char *buf, size_t size, const char *h, size_t i)
{
	if (pms_quotable(h))
		snprintf(buf, size, "\"%s\"", h);
	else
		snprintf(buf, size, "%zu", i + 1);
	return buf;
}

/* Which header column is which field: by the map, or by their names. */
static enum pms_status
resolve_columns(struct imp *im)
{
	size_t i, k, nc = pms_reader_ncols(im->r);
	const char *h, *pre = im->name != NULL ? im->name : "";
	const char *sep = im->name != NULL ? ": " : "";
	char a[64], b[64];
	int f, used, bad = 0, known = 0;

	for (f = 0; f < PMS_PF_COUNT; f++) {
		im->col[f] = -1;
		im->colname[f] = NULL;
	}
	if (im->map != NULL)
		for (f = 0; f < PMS_PF_COUNT; f++)
			im->colname[f] = im->map->f[f].column;
	/* JSON names its fields in each record; an empty input has none */
	if (im->json || nc == 0)
		return PMS_OK;
	for (i = 0; i < nc; i++) {
		h = pms_reader_col(im->r, i);
		used = 0;
		if (im->map != NULL) {
			for (f = 0; f < PMS_PF_COUNT; f++)
				if (im->map->f[f].column != NULL &&
				    strcasecmp(im->map->f[f].column, h) == 0) {
					im->col[f] = (int)i;
					used = 1;
				}
			for (k = 0; k < im->map->nignore && !used; k++)
				if (strcasecmp(im->map->ignore[k], h) == 0)
					used = 1;
		} else if ((f = alias_field(h)) >= 0) {
			if (im->col[f] >= 0) {
				say(im, 0, "%s%scolumns %s and %s are both %s: "
				    "give a --map", pre, sep, col_label(a,
				    sizeof(a), pms_reader_col(im->r,
				    (size_t)im->col[f]), (size_t)im->col[f]),
				    col_label(b, sizeof(b), h, i),
				    pms_pt_fields[f].name);
				bad = 1;
			}
			im->col[f] = (int)i;
			im->colname[f] = h;
			used = 1;
		}
		known += used;
		if (used || is_ours(h))
			continue;
		if (im->map != NULL && im->map->refuse_extra) {
			say(im, 0, "%s%scolumn %s is not in the map", pre, sep,
			    col_label(a, sizeof(a), h, i));
			bad = 1;
		}
	}
	/* a first line that names nothing pms knows is not a header */
	if (im->map == NULL && known == 0) {
		say(im, 0, "%s%sthe first line names no field pms knows: is "
		    "there a header line? (mrn, last_name, first_name, dob, "
		    "...; or give a --map)", pre, sep);
		return pms_seterr(PMS_EDATA, "no header line: nothing was "
		    "imported");
	}
	for (i = 0; i < nc && !bad; i++) {
		h = pms_reader_col(im->r, i);
		for (f = 0, used = 0; f < PMS_PF_COUNT && !used; f++)
			used = im->col[f] == (int)i;
		for (k = 0; im->map != NULL && k < im->map->nignore && !used;
		    k++)
			used = strcasecmp(im->map->ignore[k], h) == 0;
		if (!used && !is_ours(h))
			say(im, 2, "%s%scolumn %s is not imported", pre, sep,
			    col_label(a, sizeof(a), h, i));
	}
	if (im->map != NULL)
		for (f = 0; f < PMS_PF_COUNT; f++)
			if (im->map->f[f].column != NULL && im->col[f] < 0) {
				say(im, 0, "%s%sthe map's column \"%s\" (%s) "
				    "is not in the file", pre, sep,
				    im->map->f[f].column,
				    pms_pt_fields[f].name);
				bad = 1;
			}
	if (bad)
		return pms_seterr(PMS_EDATA, "the columns do not fit: nothing "
		    "was imported");
	for (f = 0; f < PMS_PF_COUNT; f++)
		if (pms_pt_fields[f].required && im->col[f] < 0)
			say(im, 1, "%s%sno column is %s: every row will "
			    "lack it", pre, sep, pms_pt_fields[f].name);
	return PMS_OK;
}

/* ---- transforms ---- */

/* Apply the map's values and transforms to s into buf; the result. */
static const char *
transform(const struct map_field *mf, const char *s, char *buf, size_t size)
{
	uint8_t tmp[1024], *r;
	size_t i, n, len;
	const char *code;

	if (mf == NULL || s == NULL)
		return s;
	for (i = 0; i < mf->nvalues; i++)
		if (strcasecmp(mf->values[i].from, s) == 0) {
			s = mf->values[i].to;
			break;
		}
	if (mf->nt == 0)
		return s;
	pt_cpy(buf, size, s);
	for (i = 0; i < mf->nt; i++) {
		n = strlen(buf);
		switch (mf->t[i]) {
		case T_TRIM:
		case T_COLLAPSE:
			{
				size_t a = 0, b = 0;
				int sp = 0;

				while (buf[a] == ' ' || buf[a] == '\t')
					a++;
				for (; buf[a] != '\0'; a++) {
					if (buf[a] == ' ' || buf[a] == '\t') {
						sp = 1;
						if (mf->t[i] == T_TRIM)
							buf[b++] = buf[a];
						continue;
					}
					if (sp && b > 0 && mf->t[i] ==
					    T_COLLAPSE)
						buf[b++] = ' ';
					sp = 0;
					buf[b++] = buf[a];
				}
				while (b > 0 && (buf[b - 1] == ' ' ||
				    buf[b - 1] == '\t'))
					b--;
				buf[b] = '\0';
			}
			break;
		case T_STRIP_DIGITS:
			while (n > 0 && (isdigit((unsigned char)buf[n - 1]) ||
			    buf[n - 1] == ' '))
				buf[--n] = '\0';
			break;
		case T_STATE_CODE:
			if ((code = pms_us_state_code(buf)) != NULL)
				pt_cpy(buf, size, code);
			break;
		case T_TITLE:
		case T_UPPER:
		case T_LOWER:
			if (u8_check((const uint8_t *)buf, n) != NULL)
				break;
			len = sizeof(tmp) - 1;
			r = mf->t[i] == T_TITLE ? u8_totitle((const uint8_t *)
			    buf, n, NULL, NULL, tmp, &len) : mf->t[i] ==
			    T_UPPER ? u8_toupper((const uint8_t *)buf, n, NULL,
			    NULL, tmp, &len) : u8_tolower((const uint8_t *)buf,
			    n, NULL, NULL, tmp, &len);
			if (r == NULL)
				break;
			if (len < size) {
				memcpy(buf, r, len);
				buf[len] = '\0';
			}
			if (r != tmp)
				free(r);
			break;
		}
	}
	return buf;
}

/* "***-**-1234", as our export writes a masked SSN: no value. */
static int
masked_ssn(const char *s)
{
	return s != NULL && strncmp(s, "***-**-", 7) == 0;
}

/* ---- matching and writing ---- */

static enum pms_status
sqlfail(struct imp *im, int rc)
{
	return pms_store_sqlerr(im->s, rc, "importing patients");
}

/*
 * The patient the row names: by MRN (following merges), else by name and
 * date of birth.  *id 0 for none; PMS_EDATA (reported) when the name and
 * date of birth match several.
 */
static enum pms_status
match(struct imp *im, const struct pms_patient *p, const char *lk,
    const char *fk, int64_t *id)
{
	int64_t cand = 0, to;
	int rc, nc = 0;
	enum pms_status st;

	*id = 0;
	if (p->mrn[0] != '\0') {
		sqlite3_reset(im->by_mrn);
		sqlite3_bind_text(im->by_mrn, 1, p->mrn, -1, SQLITE_STATIC);
		rc = sqlite3_step(im->by_mrn);
		if (rc == SQLITE_ROW) {
			cand = sqlite3_column_int64(im->by_mrn, 0);
			if (sqlite3_column_type(im->by_mrn, 1) != SQLITE_NULL) {
				if ((st = pms_patient_id(im->s, cand, NULL, &to,
				    NULL)) != PMS_OK)
					return st;
				cand = to;
			}
			*id = cand;
			return PMS_OK;
		}
		if (rc != SQLITE_DONE)
			return sqlfail(im, rc);
	}
	/* a row with an MRN no patient has matches by name only a patient
	 * without one: when there is none, no need to look */
	if (p->mrn[0] != '\0' && !im->nulls)
		return PMS_OK;
	sqlite3_reset(im->by_name);
	sqlite3_bind_text(im->by_name, 1, p->dob, -1, SQLITE_STATIC);
	sqlite3_bind_text(im->by_name, 2, lk, -1, SQLITE_STATIC);
	sqlite3_bind_text(im->by_name, 3, fk, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(im->by_name)) == SQLITE_ROW) {
		/* a row with an MRN is another patient than one with
		 * another MRN */
		if (p->mrn[0] != '\0' &&
		    sqlite3_column_type(im->by_name, 1) != SQLITE_NULL)
			continue;
		cand = sqlite3_column_int64(im->by_name, 0);
		nc++;
	}
	if (rc != SQLITE_DONE)
		return sqlfail(im, rc);
	if (nc > 1) {
		fault(im, NULL, "the name and date of birth match several "
		    "patients: give the row an MRN");
		return PMS_EDATA;
	}
	*id = cand;
	return PMS_OK;
}

/* Overlay the fields of given from p on old into out. */
static void
overlay(const struct pms_patient *old, const struct pms_patient *p,
    uint32_t given, struct pms_patient *out)
{
	const struct pt_field *f;
	char buf[16];
	int i;

	*out = *old;
	if ((given >> PMS_PF_DECEASED_ON) & 1)
		given |= UINT32_C(1) << PMS_PF_STATUS;
	for (i = 0; i < PMS_PF_COUNT; i++) {
		if (!((given >> i) & 1))
			continue;
		f = &pms_pt_fields[i];
		pt_store(f, out, pt_text(f, p, buf, sizeof(buf)));
	}
}

/* The last and first name keys of p into buf (two PMS_PT_KEY halves);
 * the first half, "" if they cannot be made. */
static const char *
old_lk(const struct pms_patient *p, char *buf, size_t size)
{
	char nk[PMS_PT_NKEY];

	(void)size;
	if (pt_keys(p, buf, buf + PMS_PT_KEY, nk, sizeof(nk)) != PMS_OK)
		buf[0] = buf[PMS_PT_KEY] = '\0';
	return buf;
}

/*
 * A new patient whose MRN, all digits, is an existing patient's but for
 * leading zeros ("101" and "000101"): a spreadsheet that read the MRNs
 * as numbers.  Counted, with the first line, for one warning at the
 * end; the row goes in as the file says.
 */
static enum pms_status
zeros_lost(struct imp *im, const struct pms_patient *p)
{
	char z[PMS_PT_MRN];
	size_t n = strlen(p->mrn), k;
	int rc;

	if (n == 0 || n >= 16 || p->mrn[0] == '0' ||
	    strspn(p->mrn, "0123456789") != n)
		return PMS_OK;
	if (im->zeros == NULL && (rc = sqlite3_prepare_v3(im->s->db,
	    "SELECT 1 FROM patients WHERE mrn = ?1", -1,
	    SQLITE_PREPARE_PERSISTENT, &im->zeros, NULL)) != SQLITE_OK)
		return sqlfail(im, rc);
	for (k = 1; n + k <= 16; k++) {
		memset(z, '0', k);
		memcpy(z + k, p->mrn, n + 1);
		sqlite3_reset(im->zeros);
		sqlite3_bind_text(im->zeros, 1, z, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(im->zeros)) == SQLITE_ROW) {
			if (im->n->zeros++ == 0)
				im->n->zeros_line = im->line;
			break;
		}
		if (rc != SQLITE_DONE)
			return sqlfail(im, rc);
	}
	sqlite3_reset(im->zeros);
	return PMS_OK;
}

/* One good row: add, or compare and perhaps update. */
static enum pms_status
write_row(struct imp *im, const struct pms_patient *p, uint32_t given)
{
	struct pms_patient old, neu;
	char lk[PMS_PT_KEY], fk[PMS_PT_KEY], nk[PMS_PT_NKEY];
	char buf[2 * PMS_PT_KEY];
	uint32_t diff;
	int64_t id;
	int rc, isnew;
	enum pms_status st;

	if ((st = pt_keys(p, lk, fk, nk, sizeof(nk))) != PMS_OK) {
		fault(im, NULL, pms_errmsg());
		return PMS_EDATA;
	}
	if ((st = match(im, p, lk, fk, &id)) != PMS_OK)
		return st;
	if (id == 0) {
		if ((st = zeros_lost(im, p)) != PMS_OK)
			return st;
		sqlite3_reset(im->ins);
		pt_bind_keyed(im->ins, p, im->now, lk, fk, nk);
		if ((rc = sqlite3_step(im->ins)) != SQLITE_DONE)
			return sqlfail(im, rc);
		id = sqlite3_last_insert_rowid(im->s->db);
		if ((st = pms_audit_batch_add(im->batch, id, NULL)) != PMS_OK ||
		    (st = idl_put(&im->lines, id, im->line)) != PMS_OK)
			return st;
		if (p->mrn[0] == '\0')
			im->nulls = 1;
		im->n->added++;
		im->touched |= given;
		return PMS_OK;
	}
	if ((st = pms_audit_batch_add(im->batch, id, &isnew)) != PMS_OK)
		return st;
	sqlite3_reset(im->get);
	sqlite3_bind_int64(im->get, 1, id);
	if ((rc = sqlite3_step(im->get)) != SQLITE_ROW)
		return sqlfail(im, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc);
	pt_read(im->get, &old, 1);
	sqlite3_reset(im->get);
	overlay(&old, p, given, &neu);
	diff = pt_diff(&old, &neu);
	if (!isnew) {
		/* a patient an earlier row of this file named */
		if (diff != 0) {
			char what[128];

			snprintf(what, sizeof(what), "the same patient as line "
			    "%lu, with other values", idl_get(&im->lines, id));
			fault(im, NULL, what);
			return PMS_EDATA;
		}
		im->n->unchanged++;
		return PMS_OK;
	}
	if ((st = idl_put(&im->lines, id, im->line)) != PMS_OK)
		return st;
	if (diff == 0) {
		im->n->unchanged++;
		return PMS_OK;
	}
	/* matched by MRN, yet neither the name nor the birth date is the
	 * patient's: another person, whose identity --update would take */
	if (im->o->update && p->mrn[0] != '\0' &&
	    (diff >> PMS_PF_DOB) & 1 && (strcmp(lk, old_lk(&old, buf,
	    sizeof(buf))) != 0 || strcmp(fk, buf + PMS_PT_KEY) != 0)) {
		fault(im, "mrn", "the MRN belongs to a patient with another "
		    "name and date of birth: check the row (nothing of that "
		    "patient was changed)");
		return PMS_EDATA;
	}
	if (!im->o->update) {
		if (im->n->differ < PMS_IMPORT_LINES)
			im->n->differ_lines[im->n->differ] = im->line;
		im->n->differ++;
		return PMS_OK;
	}
	sqlite3_reset(im->upd);
	if ((st = pt_keys(&neu, lk, fk, nk, sizeof(nk))) != PMS_OK) {
		fault(im, NULL, pms_errmsg());
		return PMS_EDATA;
	}
	pt_bind_keyed(im->upd, &neu, im->now, lk, fk, nk);
	sqlite3_bind_int64(im->upd, 31, id);
	if ((rc = sqlite3_step(im->upd)) != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			sqlite3_reset(im->upd);
			fault(im, NULL, "the MRN is another patient's");
			return PMS_EDATA;
		}
		return sqlfail(im, rc);
	}
	im->n->updated++;
	im->touched |= diff;
	return PMS_OK;
}

/* The text of field f in rec (NULL: none), after the map's work. */
static const char *
cell(struct imp *im, const struct pms_record *rec, int f, char *buf,
    size_t size)
{
	const struct map_field *mf = im->map != NULL ? &im->map->f[f] : NULL;
	const char *s = NULL;
	size_t i, n;
	int a;

	if (!im->json) {
		if (im->col[f] < 0 || (size_t)im->col[f] >=
		    pms_record_nfields(rec))
			return NULL;
		s = pms_record_text_at(rec, (size_t)im->col[f]);
	} else if (mf != NULL && mf->column != NULL) {
		s = pms_record_text(rec, mf->column);
	} else if (mf == NULL) {
		n = pms_record_nfields(rec);
		for (i = 0; i < n; i++) {
			if ((a = alias_field(pms_record_name(rec, i))) == f) {
				s = pms_record_text_at(rec, i);
				im->colname[f] = pms_pt_fields[f].name;
				break;
			}
		}
	}
	if (s == NULL || *s == '\0')
		return NULL;
	s = transform(mf, s, buf, size);
	if (s == NULL || *s == '\0')
		return NULL;
	return s;
}

/* The field a JSON key names (by the map, or as a header would), or
 * -1. */
static int
json_field(const struct imp *im, const char *key)
{
	int f;

	if (im->map == NULL)
		return alias_field(key);
	for (f = 0; f < PMS_PF_COUNT; f++)
		if (im->map->f[f].column != NULL &&
		    strcasecmp(im->map->f[f].column, key) == 0)
			return f;
	return -1;
}

/*
 * What a JSON record holds that a CSV cell cannot: keys of no field
 * (told once each, as CSV columns are), arrays and objects, numbers
 * that are not whole as an MRN (1.50 would be "1.5").  *skip gets the
 * fields not to read, one bit each.
 */
static void
json_checks(struct imp *im, const struct pms_record *rec, uint32_t *skip)
{
	size_t i, k, n = pms_record_nfields(rec);
	const char *key;
	enum pms_val_type t;
	int f, ignored;

	*skip = 0;
	for (i = 0; i < n; i++) {
		key = pms_record_name(rec, i);
		t = pms_record_type_at(rec, i);
		if ((f = json_field(im, key)) < 0) {
			for (k = 0, ignored = 0; im->map != NULL &&
			    k < im->map->nignore && !ignored; k++)
				ignored = strcasecmp(im->map->ignore[k], key) ==
				    0;
			if (ignored || is_ours(key))
				continue;
			/* each told once, by name when it is a name */
			for (k = 0; k < im->ntold; k++)
				if (strcasecmp(im->told[k], key) == 0)
					break;
			if (k < im->ntold || im->ntold == PMS_NELEM(im->told))
				continue;
			pt_cpy(im->told[im->ntold++], sizeof(im->told[0]),
			    pms_quotable(key) ? key : "");
			if (pms_quotable(key))
				say(im, 2, "%s%sfield \"%s\" is not imported",
				    im->name != NULL ? im->name : "",
				    im->name != NULL ? ": " : "", key);
			else
				say(im, 2, "%s%sline %lu: a field is not "
				    "imported", im->name != NULL ? im->name :
				    "", im->name != NULL ? ": " : "",
				    im->line);
			continue;
		}
		if (t == PMS_VAL_OTHER) {
			fault(im, pms_pt_fields[f].name, "a JSON array or "
			    "object: give a value");
			*skip |= UINT32_C(1) << f;
		} else if (f == PMS_PF_MRN && t == PMS_VAL_REAL) {
			fault(im, "mrn", "give it as text (a JSON string): as "
			    "a number it may have lost its digits");
			*skip |= UINT32_C(1) << f;
		}
	}
}

/* One record: check, then add, match or reject. */
static enum pms_status
one_row(struct imp *im, const struct pms_record *rec)
{
	const char *in[PMS_PF_COUNT];
	struct pms_patient p;
	uint32_t given, skip = 0;
	int f;
	enum pms_status st;

	im->nfaults = 0;
	im->rlen = 0;
	im->reason[0] = '\0';
	if (im->json)
		json_checks(im, rec, &skip);
	for (f = 0; f < PMS_PF_COUNT; f++) {
		in[f] = (skip >> f) & 1 ? NULL : cell(im, rec, f, im->bufs[f],
		    sizeof(im->bufs[f]));
		if (f == PMS_PF_SSN && masked_ssn(in[f]))
			in[f] = NULL;
	}
	memset(&p, 0, sizeof(p));
	if (pt_check(&im->env, &im->dates, im->line, in, 0, &p, &given,
	    check_msg, im) == 0 && im->bad == 0 && im->nfaults == 0) {
		if ((st = write_row(im, &p, given)) != PMS_EDATA)
			return st;
	}
	if (im->nfaults == 0)
		return PMS_OK;	/* good, but a bad row came before */
	if (im->rej != NULL) {
		im->n->rejected++;
		return rej_row(im, rec);
	}
	im->bad++;
	return PMS_OK;
}

static enum pms_status
prepare(struct imp *im)
{
	static const struct {
		const char	*sql;
		size_t		 off;
	} stmts[] = {
		{ pt_sql_by_mrn, offsetof(struct imp, by_mrn) },
		{ pt_sql_by_name, offsetof(struct imp, by_name) },
		{ pt_sql_get, offsetof(struct imp, get) },
		{ pt_sql_insert, offsetof(struct imp, ins) },
		{ pt_sql_update, offsetof(struct imp, upd) },
	};
	size_t i;
	int rc;

	for (i = 0; i < PMS_NELEM(stmts); i++) {
		rc = sqlite3_prepare_v3(im->s->db, stmts[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, (sqlite3_stmt **)(void *)
		    ((char *)im + stmts[i].off), NULL);
		if (rc != SQLITE_OK)
			return sqlfail(im, rc);
	}
	return PMS_OK;
}

static void
finalize(struct imp *im)
{
	sqlite3_finalize(im->by_mrn);
	sqlite3_finalize(im->by_name);
	sqlite3_finalize(im->get);
	sqlite3_finalize(im->ins);
	sqlite3_finalize(im->upd);
	sqlite3_finalize(im->zeros);
	im->by_mrn = im->by_name = im->get = im->ins = im->upd = NULL;
	im->zeros = NULL;
}

/* Is there a patient without an MRN? */
static enum pms_status
any_without_mrn(struct pms_store *s, int *yes)
{
	sqlite3_int64 v;
	enum pms_status st;

	if ((st = pms_query_int(s, "SELECT EXISTS (SELECT 1 FROM patients "
	    "WHERE mrn IS NULL)", &v)) != PMS_OK)
		return st;
	*yes = v != 0;
	return PMS_OK;
}

/* The reader, with the encoding of the options, else of the map. */
static enum pms_status
open_reader(struct imp *im, FILE *in)
{
	int enc = im->o->encoding;

	if (enc < 0 && im->map != NULL)
		enc = im->map->encoding;
	if (enc < 0)
		enc = PMS_ENC_UTF8;
	return pms_reader_open(&im->r, in, im->name, PMS_IN_AUTO,
	    (enum pms_in_encoding)enc);
}

/* Read every record, rows through fn; bad records reported. */
static enum pms_status
each_record(struct imp *im, enum pms_status (*fn)(struct imp *,
    const struct pms_record *))
{
	struct pms_record *rec;
	enum pms_status st;

	for (;;) {
		st = pms_reader_next(im->r, &rec);
		if (st == PMS_OK && rec == NULL)
			return PMS_OK;
		im->n->rows++;
		if (im->o->progress != NULL &&
		    im->n->rows % PMS_IMPORT_PROGRESS == 0 &&
		    im->o->progress(im->o->progress_arg, im->n->rows) != 0)
			return pms_seterr(PMS_EIO, "stopped");
		if (st == PMS_EDATA && rec == NULL) {
			/* a row the reader cannot give: reported, never in
			 * the rejects (its cells are unknown) */
			im->line = pms_reader_line(im->r);
			say(im, 0, "%s", pms_errmsg());
			if (im->rej != NULL)
				say(im, 1, "%s%sline %lu: could not be read, "
				    "so it is not in %s: fix it in the file",
				    im->name != NULL ? im->name : "",
				    im->name != NULL ? ": " : "", im->line,
				    im->o->rejects);
			im->bad++;
			continue;
		}
		if (st != PMS_OK)
			return st;
		im->line = pms_record_line(rec);
		if ((st = fn(im, rec)) != PMS_OK)
			return st;
	}
}

static void
imp_init(struct imp *im, struct pms_store *s, const char *name,
    const struct pms_import_opts *o, struct pms_import_count *n)
{
	memset(im, 0, sizeof(*im));
	memset(n, 0, sizeof(*n));
	im->s = s;
	im->o = o;
	im->n = n;
	im->name = name;
	pt_now(im->now);
}

enum pms_status
pms_patient_import(struct pms_store *s, FILE *in, const char *name,
    const struct pms_import_opts *o, struct pms_import_count *n)
{
	struct imp im;
	char fields[600];
	enum pms_status st;
	int began = 0, dry = o->dry_run || pms_store_dry_run(s);

	imp_init(&im, s, name, o, n);
	if ((st = rej_not_input(in, o->rejects)) != PMS_OK)
		return st;
	if (o->map != NULL && (st = map_read(o->map, &im.map)) != PMS_OK)
		return st;
	im.dates.form = o->date_form >= 0 ? (enum pms_date_form)o->date_form :
	    im.map != NULL && im.map->date_form >= 0 ?
	    (enum pms_date_form)im.map->date_form : PMS_DATE_ISO;
	im.dates.seen = PMS_DATE_ISO;
	if ((st = pt_env_load(s, &im.env)) != PMS_OK ||
	    (st = open_reader(&im, in)) != PMS_OK)
		goto out;
	im.json = pms_reader_format(im.r) == PMS_IN_JSON;
	if ((st = resolve_columns(&im)) != PMS_OK)
		goto out;
	if (o->rejects != NULL && !dry && (st = rej_open(&im)) != PMS_OK)
		goto out;
	if ((st = pms_store_begin(s)) != PMS_OK)
		goto out;
	began = 1;
	if ((st = pms_audit_batch_begin(s, &im.batch)) != PMS_OK ||
	    (st = prepare(&im)) != PMS_OK ||
	    (st = any_without_mrn(s, &im.nulls)) != PMS_OK)
		goto out;
	if (o->rejects != NULL && dry) {
		/* a dry run with --skip-invalid counts the rejects */
		im.rej = tmpfile();
		if (im.rej == NULL) {
			st = pms_seterr(PMS_EIO, "a dry run's rejects: %s",
			    strerror(errno));
			goto out;
		}
	}
	if ((st = each_record(&im, one_row)) != PMS_OK)
		goto out;
	finalize(&im);
	if (im.bad > 0) {
		st = pms_seterr(PMS_EDATA, "%lu bad row%s: nothing was "
		    "imported", im.bad, im.bad == 1 ? "" : "s");
		goto out;
	}
	if (dry)
		goto out;
	pt_fields_fmt(im.touched, fields, sizeof(fields));
	/* the rejected rows carry patient data out too */
	if (o->rejects != NULL && im.n->rejected > 0 &&
	    (st = pms_audit_batch_export(im.batch, "rejects", o->rejects)) !=
	    PMS_OK)
		goto out;
	st = pms_audit_batch_end(im.batch, "patient.import", fields);
	im.batch = NULL;
	if (st != PMS_OK)
		goto out;
	if ((st = rej_close(&im, 1)) != PMS_OK)
		goto out;
	if ((st = pms_store_commit(s)) != PMS_OK) {
		began = 0;
		if (o->rejects != NULL)
			unlink(o->rejects);
		goto out;
	}
	began = 0;
out:
	finalize(&im);
	pms_audit_batch_free(im.batch);
	if (im.rej != NULL && dry) {
		fclose(im.rej);
		im.rej = NULL;
	}
	(void)rej_close(&im, 0);
	if (began)
		pms_store_rollback(s);
	pms_reader_close(im.r);
	pms_import_map_free(im.map);
	idl_free(&im.lines);
	return st;
}

/* ---- policies ---- */


static void
pol_msg(void *arg, int kind, int field, const char *text)
{
	struct imp *im = arg;
	char pre[PATH_MAX + 8];

	if (kind == 0) {
		fault(im, pms_pol_field_name(field), text);
		return;
	}
	if (kind == 2 && field >= PMS_OF_SUBSCRIBER_LAST_NAME &&
	    field <= PMS_OF_SUBSCRIBER_SUFFIX) {
		if (im->n->quotes++ == 0)
			im->n->quotes_line = im->line;
		return;
	}
	snprintf(pre, sizeof(pre), "%s%s", im->name != NULL ? im->name : "",
	    im->name != NULL ? ": " : "");
	say(im, kind, "%sline %lu: %s: %s", pre, im->line,
	    pms_pol_field_name(field), text);
}

static enum pms_status
pol_row(struct imp *im, const struct pms_record *rec)
{
	struct pol_imp *ps = im->pol;
	const char *in[PMS_OF_COUNT], *v;
	struct pms_policy o;
	char now[PMS_PT_STAMP];
	uint32_t given;
	int64_t pid = 0, to;
	int f, rc, isnew;
	enum pms_status st;

	im->nfaults = 0;
	im->rlen = 0;
	im->reason[0] = '\0';
	for (f = 0; f < PMS_OF_COUNT; f++) {
		v = pms_record_text(rec, pms_pol_field_name(f));
		in[f] = v != NULL && *v != '\0' ? v : NULL;
	}
	v = pms_record_text(rec, "patient_id");
	if (v != NULL && *v != '\0') {
		if (pms_patient_id_parse(v, &pid) != PMS_OK)
			fault(im, "patient_id", "not a patient id");
	} else if ((v = pms_record_text(rec, "mrn")) != NULL && *v != '\0') {
		if ((st = pms_patient_id(im->s, 0, v, &pid, NULL)) ==
		    PMS_EREFUSED)
			fault(im, "mrn", "no patient with that MRN");
		else if (st != PMS_OK)
			return st;
	} else
		fault(im, "patient_id", "a patient_id or an mrn is needed");
	if (pid > 0 && (st = pms_patient_id(im->s, pid, NULL, &to, NULL)) ==
	    PMS_OK)
		pid = to;
	else if (pid > 0 && st == PMS_EREFUSED) {
		fault(im, "patient_id", pms_errmsg());
		pid = 0;
	} else if (pid > 0)
		return st;
	if (pt_pol_check(&im->env, &im->dates, im->line, in, &o, &given,
	    pol_msg, im) > 0 || im->nfaults > 0 || im->bad > 0)
		goto bad;
	o.patient_id = pid;
	if ((st = pt_payer(im->s, o.payer, &o.payer_id)) == PMS_EREFUSED) {
		fault(im, "payer", pms_errmsg());
		goto bad;
	} else if (st != PMS_OK)
		return st;	/* no configuration: no row can go in */
	/* the same policy already: nothing to do */
	sqlite3_reset(ps->same);
	sqlite3_bind_int64(ps->same, 1, pid);
	sqlite3_bind_int64(ps->same, 2, o.payer_id);
	sqlite3_bind_text(ps->same, 3, o.member_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(ps->same, 4, o.priority);
	if (o.effective_from[0] != '\0')
		sqlite3_bind_text(ps->same, 5, o.effective_from, -1,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(ps->same, 5);
	rc = sqlite3_step(ps->same);
	if (rc == SQLITE_ROW) {
		if ((st = pms_audit_batch_add(im->batch, pid, NULL)) != PMS_OK)
			return st;
		im->n->unchanged++;
		return PMS_OK;
	}
	if (rc != SQLITE_DONE)
		return sqlfail(im, rc);
	sqlite3_reset(ps->clash);
	sqlite3_bind_int64(ps->clash, 1, pid);
	sqlite3_bind_int(ps->clash, 2, o.priority);
	if (o.effective_from[0] != '\0')
		sqlite3_bind_text(ps->clash, 3, o.effective_from, -1,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(ps->clash, 3);
	if (o.effective_to[0] != '\0')
		sqlite3_bind_text(ps->clash, 4, o.effective_to, -1,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(ps->clash, 4);
	rc = sqlite3_step(ps->clash);
	if (rc == SQLITE_ROW) {
		char what[128];
		int64_t cid = sqlite3_column_int64(ps->clash, 0);

		/* one this import added is no policy yet: its line */
		if (cid > ps->base && (size_t)(cid - ps->base) <= ps->nlines)
			snprintf(what, sizeof(what), "line %lu is a policy of "
			    "that priority on some of the same days",
			    ps->lines[cid - ps->base - 1]);
		else
			snprintf(what, sizeof(what), "policy %lld is of that "
			    "priority on some of the same days",
			    (long long)cid);
		fault(im, "priority", what);
		goto bad;
	}
	if (rc != SQLITE_DONE)
		return sqlfail(im, rc);
	pt_now(now);
	sqlite3_reset(ps->ins);
	pt_pol_bind(ps->ins, &o, now);
	if ((rc = sqlite3_step(ps->ins)) != SQLITE_DONE)
		return sqlfail(im, rc);
	if (ps->nlines == ps->cap) {
		unsigned long *nl;

		ps->cap = ps->cap > 0 ? 2 * ps->cap : 256;
		if ((nl = reallocarray(ps->lines, ps->cap, sizeof(*nl))) ==
		    NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		ps->lines = nl;
	}
	/* ids follow on from base: this import alone writes meanwhile */
	ps->lines[ps->nlines++] = im->line;
	if ((st = pms_audit_batch_add(im->batch, pid, &isnew)) != PMS_OK)
		return st;
	im->n->added++;
	im->touched |= given;
	return PMS_OK;
bad:
	if (im->nfaults == 0)
		return PMS_OK;
	if (im->rej != NULL) {
		im->n->rejected++;
		return rej_row(im, rec);
	}
	im->bad++;
	return PMS_OK;
}

enum pms_status
pms_policy_import(struct pms_store *s, FILE *in, const char *name,
    const struct pms_import_opts *o, struct pms_import_count *n)
{
	static const char *const known[] = { "policy_id", "patient_id", "mrn",
	    NULL };
	struct pol_imp ps;
	struct imp im;
	char fields[600];
	size_t i, k, nc, w = 0;
	const char *h;
	char label[64];
	sqlite3_int64 base;
	enum pms_status st;
	int began = 0, rc, f, ok, dry = o->dry_run || pms_store_dry_run(s);

	memset(&ps, 0, sizeof(ps));
	imp_init(&im, s, name, o, n);
	if ((st = rej_not_input(in, o->rejects)) != PMS_OK)
		return st;
	im.dates.form = o->date_form >= 0 ? (enum pms_date_form)o->date_form :
	    PMS_DATE_ISO;
	im.dates.seen = PMS_DATE_ISO;
	if ((st = pt_env_load(s, &im.env)) != PMS_OK ||
	    (st = open_reader(&im, in)) != PMS_OK)
		goto out;
	im.json = pms_reader_format(im.r) == PMS_IN_JSON;
	nc = pms_reader_ncols(im.r);
	for (i = 0; i < nc; i++) {
		h = pms_reader_col(im.r, i);
		for (ok = 0, k = 0; known[k] != NULL && !ok; k++)
			ok = strcasecmp(known[k], h) == 0;
		for (f = 0; f < PMS_OF_COUNT && !ok; f++)
			ok = strcasecmp(pms_pol_field_name(f), h) == 0;
		if (!ok && !is_ours(h))
			say(&im, 2, "%s%scolumn %s is not imported",
			    name != NULL ? name : "", name != NULL ? ": " : "",
			    col_label(label, sizeof(label), h, i));
	}
	if (o->rejects != NULL && !dry && (st = rej_open(&im)) != PMS_OK)
		goto out;
	if ((st = pms_store_begin(s)) != PMS_OK)
		goto out;
	began = 1;
	if ((st = pms_audit_batch_begin(s, &im.batch)) != PMS_OK ||
	    (st = pms_query_int(s, "SELECT coalesce(max(id), 0) FROM "
	    "policies", &base)) != PMS_OK)
		goto out;
	ps.base = base;
	if (o->rejects != NULL && dry && (im.rej = tmpfile()) == NULL) {
		st = pms_seterr(PMS_EIO, "a dry run's rejects: %s",
		    strerror(errno));
		goto out;
	}
	rc = sqlite3_prepare_v3(s->db, "SELECT id FROM policies WHERE "
	    "patient_id = ?1 AND payer_id = ?2 AND member_id = ?3 AND "
	    "priority = ?4 AND effective_from IS ?5", -1,
	    SQLITE_PREPARE_PERSISTENT, &ps.same, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(s->db, "SELECT id FROM policies WHERE "
		    "patient_id = ?1 AND priority = ?2 AND "
		    "coalesce(effective_from, '0000') <= coalesce(?4, '9999') "
		    "AND coalesce(?3, '0000') <= coalesce(effective_to, "
		    "'9999') LIMIT 1", -1, SQLITE_PREPARE_PERSISTENT,
		    &ps.clash, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(s->db, pt_sql_pol_insert, -1,
		    SQLITE_PREPARE_PERSISTENT, &ps.ins, NULL);
	if (rc != SQLITE_OK) {
		st = sqlfail(&im, rc);
		goto out;
	}
	im.pol = &ps;
	st = each_record(&im, pol_row);
	if (st != PMS_OK)
		goto out;
	if (im.bad > 0) {
		st = pms_seterr(PMS_EDATA, "%lu bad row%s: nothing was "
		    "imported", im.bad, im.bad == 1 ? "" : "s");
		goto out;
	}
	if (dry)
		goto out;
	fields[0] = '\0';
	for (f = 0; f < PMS_OF_COUNT; f++) {
		if (!((im.touched >> f) & 1))
			continue;
		rc = snprintf(fields + w, sizeof(fields) - w, "%s%s",
		    w > 0 ? "," : "", pms_pol_field_name(f));
		if (rc > 0 && (size_t)rc < sizeof(fields) - w)
			w += (size_t)rc;
	}
	st = pms_audit_batch_end(im.batch, "patient.policy.import", fields);
	im.batch = NULL;
	if (st != PMS_OK || (st = rej_close(&im, 1)) != PMS_OK)
		goto out;
	if ((st = pms_store_commit(s)) != PMS_OK) {
		began = 0;
		if (o->rejects != NULL)
			unlink(o->rejects);
		goto out;
	}
	began = 0;
out:
	sqlite3_finalize(ps.same);
	sqlite3_finalize(ps.clash);
	sqlite3_finalize(ps.ins);
	free(ps.lines);
	pms_audit_batch_free(im.batch);
	if (im.rej != NULL && dry) {
		fclose(im.rej);
		im.rej = NULL;
	}
	(void)rej_close(&im, 0);
	if (began)
		pms_store_rollback(s);
	pms_reader_close(im.r);
	return st;
}

/* ---- updates from records ---- */

static enum pms_status
upd_row(struct imp *im, const struct pms_record *rec)
{
	const char *in[PMS_PF_COUNT], *v;
	struct pms_patient old, p;
	char lk[PMS_PT_KEY], fk[PMS_PT_KEY], nk[PMS_PT_NKEY];
	uint32_t given, diff;
	size_t i, n = pms_record_nfields(rec);
	int64_t id = 0, to;
	int f, rc, isnew;
	enum pms_status st;

	im->nfaults = 0;
	im->rlen = 0;
	im->reason[0] = '\0';
	memset(in, 0, sizeof(in));
	for (i = 0; i < n; i++) {
		/* null (an empty CSV cell) leaves a field alone; JSON ""
		 * clears it */
		if ((v = pms_record_text_at(rec, i)) == NULL)
			continue;
		if (strcasecmp(pms_record_name(rec, i), "patient_id") == 0) {
			if (pms_patient_id_parse(v, &id) != PMS_OK) {
				fault(im, "patient_id", "not a patient id");
				id = -1;
			}
			continue;
		}
		if ((f = pms_pt_field_find(pms_record_name(rec, i))) >= 0)
			in[f] = v;
	}
	if (id == 0 && in[PMS_PF_MRN] != NULL && *in[PMS_PF_MRN] != '\0') {
		if ((st = pms_patient_id(im->s, 0, in[PMS_PF_MRN], &id,
		    NULL)) == PMS_EREFUSED)
			fault(im, "mrn", "no patient with that MRN");
		else if (st != PMS_OK)
			return st;
		in[PMS_PF_MRN] = NULL;	/* the key, not a change */
	} else if (id == 0)
		fault(im, "patient_id", "a patient id or an mrn is needed");
	if (id > 0) {
		if ((st = pms_patient_id(im->s, id, NULL, &to, NULL)) ==
		    PMS_EREFUSED)
			fault(im, "patient_id", pms_errmsg());
		else if (st != PMS_OK)
			return st;
		else if (to != id) {
			char what[128];

			snprintf(what, sizeof(what), "patient %lld was merged "
			    "into %lld", (long long)id, (long long)to);
			fault(im, "patient_id", what);
		}
	}
	if (im->nfaults > 0)
		goto bad;
	sqlite3_reset(im->get);
	sqlite3_bind_int64(im->get, 1, id);
	if ((rc = sqlite3_step(im->get)) != SQLITE_ROW)
		return sqlfail(im, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc);
	pt_read(im->get, &old, 1);
	sqlite3_reset(im->get);
	p = old;
	/* the masked SSN that show and export print: unchanged, if it is
	 * the patient's own */
	if (masked_ssn(in[PMS_PF_SSN])) {
		char mask[16];

		pms_ssn_mask(old.ssn, mask);
		if (strcmp(mask, in[PMS_PF_SSN]) != 0) {
			fault(im, "ssn", "masked, and not as the patient's "
			    "shows: give the whole number to change it");
			goto bad;
		}
		in[PMS_PF_SSN] = NULL;
	}
	if (pt_check(&im->env, &im->dates, im->line, in, 1, &p, &given,
	    check_msg, im) > 0 || im->bad > 0)
		goto bad;
	if ((st = pms_audit_batch_add(im->batch, id, &isnew)) != PMS_OK)
		return st;
	if (!isnew) {
		char what[128];

		snprintf(what, sizeof(what), "the same patient as line %lu",
		    idl_get(&im->lines, id));
		fault(im, NULL, what);
		goto bad;
	}
	if ((st = idl_put(&im->lines, id, im->line)) != PMS_OK)
		return st;
	if ((diff = pt_diff(&old, &p)) == 0) {
		im->n->unchanged++;
		return PMS_OK;
	}
	if ((st = pt_keys(&p, lk, fk, nk, sizeof(nk))) != PMS_OK) {
		fault(im, NULL, pms_errmsg());
		goto bad;
	}
	sqlite3_reset(im->upd);
	pt_bind_keyed(im->upd, &p, im->now, lk, fk, nk);
	sqlite3_bind_int64(im->upd, 31, id);
	if ((rc = sqlite3_step(im->upd)) != SQLITE_DONE) {
		sqlite3_reset(im->upd);
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			fault(im, "mrn", "another patient has that MRN");
			goto bad;
		}
		return sqlfail(im, rc);
	}
	im->n->updated++;
	im->touched |= diff;
	return PMS_OK;
bad:
	if (im->nfaults > 0)
		im->bad++;
	return PMS_OK;
}

enum pms_status
pms_patient_update_records(struct pms_store *s, FILE *in, const char *name,
    const struct pms_import_opts *o, struct pms_import_count *n)
{
	struct imp im;
	char fields[600];
	enum pms_status st;
	int began = 0;

	imp_init(&im, s, name, o, n);
	im.dates.form = o->date_form >= 0 ? (enum pms_date_form)o->date_form :
	    PMS_DATE_ISO;
	im.dates.seen = PMS_DATE_ISO;
	if ((st = pt_env_load(s, &im.env)) != PMS_OK ||
	    (st = open_reader(&im, in)) != PMS_OK)
		goto out;
	im.json = pms_reader_format(im.r) == PMS_IN_JSON;
	if ((st = pms_store_begin(s)) != PMS_OK)
		goto out;
	began = 1;
	if ((st = pms_audit_batch_begin(s, &im.batch)) != PMS_OK ||
	    (st = prepare(&im)) != PMS_OK)
		goto out;
	if ((st = each_record(&im, upd_row)) != PMS_OK)
		goto out;
	finalize(&im);
	if (im.bad > 0) {
		st = pms_seterr(PMS_EDATA, "%lu bad row%s: nothing was changed",
		    im.bad, im.bad == 1 ? "" : "s");
		goto out;
	}
	if (o->dry_run || pms_store_dry_run(s))
		goto out;
	pt_fields_fmt(im.touched, fields, sizeof(fields));
	st = pms_audit_batch_end(im.batch, "patient.update", fields);
	im.batch = NULL;
	if (st != PMS_OK)
		goto out;
	st = pms_store_commit(s);
	began = 0;
out:
	finalize(&im);
	pms_audit_batch_free(im.batch);
	if (began)
		pms_store_rollback(s);
	pms_reader_close(im.r);
	idl_free(&im.lines);
	return st;
}
