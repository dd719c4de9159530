/*
 * bill_stmt.c: statements (bill.h).  What a patient owes, addressed to
 * whoever pays their bills, rendered from a template (share/templates/,
 * built into the library like the migrations, or a file of the
 * practice's own) as text or as HTML that prints well.  A statement asks
 * only for what is the patient's: amounts with payers, or pending for a
 * next payer, are shown as such and never asked for.
 *
 * The run is one IMMEDIATE transaction: the statements are gathered and
 * written out first (flushed; a file written beside its place, fsynced
 * and renamed), and only then recorded, so that a run whose output did
 * not reach the disk records nothing.
 *
 * Templates: text with {{name}} (a value; {{name:20}} padded or cut to
 * 20 characters, {{name:>10}} aligned right), {{#list}}...{{/list}} once
 * for each row of a list (or once for a value that is not empty),
 * {{?name}}...{{/name}} once if the list or value is not empty, and
 * {{^name}}...{{/name}} once if it is.  The template's one top-level
 * {{#statements}} section is rendered once per statement, the rest once
 * per run.  HTML output escapes every value.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bill_int.h"
#include "money.h"

/* ---- values: a tree of named strings and lists ---- */

struct tobj;

struct tval {
	const char	*key;		/* static */
	char		*val;
};

struct tlist {
	const char	*key;		/* static */
	struct tobj	*items;
	size_t		 n, cap;
};

struct tobj {
	struct tval	*v;
	size_t		 nv, capv;
	struct tlist	*l;
	size_t		 nl, capl;
};

static void
tobj_release(struct tobj *o)
{
	size_t i, j;

	for (i = 0; i < o->nv; i++)
		free(o->v[i].val);
	for (i = 0; i < o->nl; i++) {
		for (j = 0; j < o->l[i].n; j++)
			tobj_release(&o->l[i].items[j]);
		free(o->l[i].items);
	}
	free(o->v);
	free(o->l);
	memset(o, 0, sizeof(*o));
}

/* Set key to a copy of val (NULL: ""); -1 when out of memory. */
static int
tset(struct tobj *o, const char *key, const char *val)
{
	struct tval *v;
	size_t cap;

	if (o->nv == o->capv) {
		cap = o->capv == 0 ? 16 : o->capv * 2;
		if ((v = realloc(o->v, cap * sizeof(*v))) == NULL)
			return -1;
		o->v = v;
		o->capv = cap;
	}
	if ((o->v[o->nv].val = strdup(val != NULL ? val : "")) == NULL)
		return -1;
	o->v[o->nv++].key = key;
	return 0;
}

static int
tset_money(struct tobj *o, const char *key, int64_t cents)
{
	char buf[PMS_MONEY_BUFSZ];

	pms_money_fmt(cents, buf);
	return tset(o, key, buf);
}

/* The list key of o, made if needed; NULL when out of memory. */
static struct tlist *
tlist_of(struct tobj *o, const char *key)
{
	struct tlist *l;
	size_t i, cap;

	for (i = 0; i < o->nl; i++)
		if (strcmp(o->l[i].key, key) == 0)
			return &o->l[i];
	if (o->nl == o->capl) {
		cap = o->capl == 0 ? 4 : o->capl * 2;
		if ((l = realloc(o->l, cap * sizeof(*l))) == NULL)
			return NULL;
		o->l = l;
		o->capl = cap;
	}
	l = &o->l[o->nl++];
	memset(l, 0, sizeof(*l));
	l->key = key;
	return l;
}

/* A new row at the end of list; NULL when out of memory. */
static struct tobj *
tlist_add(struct tlist *l)
{
	struct tobj *t;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 8 : l->cap * 2;
		if ((t = realloc(l->items, cap * sizeof(*t))) == NULL)
			return NULL;
		l->items = t;
		l->cap = cap;
	}
	memset(&l->items[l->n], 0, sizeof(l->items[0]));
	return &l->items[l->n++];
}

/* ---- templates: parsed into a tree of nodes ---- */

enum tnode_kind { T_TEXT, T_VAR, T_EACH, T_IF, T_IFNOT };

struct tnode {
	enum tnode_kind	 kind;
	const char	*text;		/* T_TEXT: into the template's text */
	size_t		 len;
	char		 name[48];	/* T_VAR and sections */
	size_t		 width;		/* T_VAR: 0 none */
	int		 right;
	struct tnode	*kids;		/* sections */
	size_t		 nkids, capk;
};

static void
tnode_release(struct tnode *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++)
		tnode_release(&n->kids[i]);
	free(n->kids);
	n->kids = NULL;
	n->nkids = 0;
}

static struct tnode *
tnode_add(struct tnode *parent)
{
	struct tnode *k;
	size_t cap;

	if (parent->nkids == parent->capk) {
		cap = parent->capk == 0 ? 8 : parent->capk * 2;
		if ((k = realloc(parent->kids, cap * sizeof(*k))) == NULL)
			return NULL;
		parent->kids = k;
		parent->capk = cap;
	}
	k = &parent->kids[parent->nkids++];
	memset(k, 0, sizeof(*k));
	return k;
}

static unsigned long
line_at(const char *start, const char *p)
{
	unsigned long line = 1;

	for (; start < p; start++)
		if (*start == '\n')
			line++;
	return line;
}

static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= 48)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Every name a statement sets (gather, tset_addr, the run's values). */
static const char *const tnames[] = {
	"account", "adjusted", "amount", "amount_due", "charged", "code",
	"credit", "date", "description", "dos", "due_date", "formfeed",
	"guarantor_city", "guarantor_name", "guarantor_state",
	"guarantor_street", "guarantor_street2", "guarantor_zip",
	"has_credit", "insurance_pending", "items", "last", "message",
	"method", "owed", "paid", "patient_balance", "patient_name", "payer",
	"payments", "pending", "practice_city", "practice_name",
	"practice_phone", "practice_state", "practice_street",
	"practice_street2", "practice_zip", "ref", "service",
	"statement_date", "statements",
};

/* PMS_EDATA for a name no statement has: a misspelt {{amount_due}}
 * would print blanks on a whole run. */
static enum pms_status
tcheck(const struct tnode *n)
{
	enum pms_status st;
	size_t i;

	if (n->kind != T_TEXT && n->name[0] != '\0') {
		for (i = 0; i < PMS_NELEM(tnames); i++)
			if (strcmp(n->name, tnames[i]) == 0)
				break;
		if (i == PMS_NELEM(tnames))
			return pms_seterr(PMS_EDATA, "template: {{%s}} is not "
			    "a name of a statement (pms-bill(1) lists them)",
			    n->name);
	}
	for (i = 0; i < n->nkids; i++)
		if ((st = tcheck(&n->kids[i])) != PMS_OK)
			return st;
	return PMS_OK;
}

/*
 * Parse text[0..len) into root's children.  Returns PMS_OK, or
 * PMS_EDATA "template: line N: what is wrong".
 */
static enum pms_status
tparse(const char *text, size_t len, struct tnode *root)
{
	struct tnode *stack[16], *cur, *n;
	const char *p = text, *end = text + len, *open, *close, *c;
	size_t depth = 0, tl, wl;
	char *wend;
	long w;

	memset(root, 0, sizeof(*root));
	cur = root;
	while (p < end) {
		open = memmem(p, (size_t)(end - p), "{{", 2);
		if (open == NULL)
			open = end;
		if (open > p) {
			if ((n = tnode_add(cur)) == NULL)
				goto nomem;
			n->kind = T_TEXT;
			n->text = p;
			n->len = (size_t)(open - p);
		}
		if (open == end)
			break;
		close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2);
		if (close == NULL)
			return pms_seterr(PMS_EDATA, "template: line %lu: "
			    "\"{{\" without \"}}\"", line_at(text, open));
		c = open + 2;
		tl = (size_t)(close - c);
		if (tl > 0 && (*c == '#' || *c == '?' || *c == '^')) {
			if (!name_ok(c + 1, tl - 1))
				goto badname;
			if (depth == PMS_NELEM(stack))
				return pms_seterr(PMS_EDATA, "template: line "
				    "%lu: sections nested too deep",
				    line_at(text, open));
			if ((n = tnode_add(cur)) == NULL)
				goto nomem;
			n->kind = *c == '#' ? T_EACH : *c == '?' ? T_IF :
			    T_IFNOT;
			memcpy(n->name, c + 1, tl - 1);
			n->name[tl - 1] = '\0';
			stack[depth++] = cur;
			cur = n;
		} else if (tl > 0 && *c == '/') {
			if (depth == 0 || cur->kind == T_TEXT ||
			    strlen(cur->name) != tl - 1 ||
			    memcmp(cur->name, c + 1, tl - 1) != 0)
				return pms_seterr(PMS_EDATA, "template: line "
				    "%lu: a section closed that is not open",
				    line_at(text, open));
			cur = stack[--depth];
		} else {
			const char *colon = memchr(c, ':', tl);

			wl = colon != NULL ? (size_t)(colon - c) : tl;
			if (!name_ok(c, wl))
				goto badname;
			if ((n = tnode_add(cur)) == NULL)
				goto nomem;
			n->kind = T_VAR;
			memcpy(n->name, c, wl);
			n->name[wl] = '\0';
			if (colon != NULL) {
				const char *q = colon + 1;

				if (q < close && *q == '>') {
					n->right = 1;
					q++;
				}
				w = strtol(q, &wend, 10);
				if (wend != close || w < 1 || w > 200)
					return pms_seterr(PMS_EDATA,
					    "template: line %lu: a width is 1 "
					    "to 200", line_at(text, open));
				n->width = (size_t)w;
			}
		}
		p = close + 2;
	}
	if (depth != 0)
		return pms_seterr(PMS_EDATA, "template: section \"%s\" is "
		    "never closed", cur->name);
	return PMS_OK;
badname:
	return pms_seterr(PMS_EDATA, "template: line %lu: a name is a-z, 0-9 "
	    "and _", line_at(text, open));
nomem:
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

/* ---- rendering ---- */

struct render {
	FILE		*out;
	int		 html;
	const struct tobj *ctx[8];
	size_t		 depth;
};

static const char *
lookup_val(const struct render *r, const char *name)
{
	size_t d, i;

	for (d = r->depth; d-- > 0; )
		for (i = 0; i < r->ctx[d]->nv; i++)
			if (strcmp(r->ctx[d]->v[i].key, name) == 0)
				return r->ctx[d]->v[i].val;
	return NULL;
}

static const struct tlist *
lookup_list(const struct render *r, const char *name)
{
	size_t d, i;

	for (d = r->depth; d-- > 0; )
		for (i = 0; i < r->ctx[d]->nl; i++)
			if (strcmp(r->ctx[d]->l[i].key, name) == 0)
				return &r->ctx[d]->l[i];
	return NULL;
}

/* The characters (UTF-8 code points) of s. */
static size_t
nchars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Write s, at most max characters of it (0: all), escaped for HTML or
 * with control characters shown as "?" in text. */
static void
put_value(struct render *r, const char *s, size_t max)
{
	size_t n = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c & 0xc0) != 0x80) {
			if (max > 0 && n == max)
				break;
			n++;
		}
		if (r->html) {
			if (c == '&')
				fputs("&amp;", r->out);
			else if (c == '<')
				fputs("&lt;", r->out);
			else if (c == '>')
				fputs("&gt;", r->out);
			else if (c == '"')
				fputs("&quot;", r->out);
			else if (c == '\'')
				fputs("&#39;", r->out);
			else if (c < 0x20 && c != '\n' && c != '\t')
				fputc('?', r->out);
			else
				fputc(c, r->out);
		} else if ((c < 0x20 && c != '\n' && c != '\t' && c != '\f') ||
		    c == 0x7f)
			fputc('?', r->out);
		else
			fputc(c, r->out);
	}
}

static void
put_var(struct render *r, const struct tnode *n)
{
	const char *v = lookup_val(r, n->name);
	size_t len, pad;

	if (v == NULL)
		v = "";
	if (n->width == 0) {
		put_value(r, v, 0);
		return;
	}
	len = nchars(v);
	pad = len < n->width ? n->width - len : 0;
	if (n->right)
		for (; pad > 0; pad--)
			fputc(' ', r->out);
	put_value(r, v, n->width);
	if (!n->right)
		for (; pad > 0; pad--)
			fputc(' ', r->out);
}

static void render_nodes(struct render *, const struct tnode *, size_t);

static void
render_node(struct render *r, const struct tnode *n)
{
	const struct tlist *l;
	const char *v;
	size_t i;
	int full;

	switch (n->kind) {
	case T_TEXT:
		fwrite(n->text, 1, n->len, r->out);
		return;
	case T_VAR:
		put_var(r, n);
		return;
	default:
		break;
	}
	l = lookup_list(r, n->name);
	v = lookup_val(r, n->name);
	full = (l != NULL && l->n > 0) || (v != NULL && *v != '\0');
	if (n->kind == T_IFNOT) {
		if (!full)
			render_nodes(r, n->kids, n->nkids);
		return;
	}
	if (n->kind == T_IF || l == NULL) {
		if (full)
			render_nodes(r, n->kids, n->nkids);
		return;
	}
	if (r->depth == PMS_NELEM(r->ctx))
		return;
	for (i = 0; i < l->n; i++) {
		r->ctx[r->depth++] = &l->items[i];
		render_nodes(r, n->kids, n->nkids);
		r->depth--;
	}
}

static void
render_nodes(struct render *r, const struct tnode *n, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		render_node(r, &n[i]);
}

/* ---- the output: stdout, a device, or a file put in place ---- */

struct out {
	FILE		*f;
	int		 own;		/* we opened f */
	char		*tmp;		/* the temp file to rename, or NULL */
	const char	*path;
};

static enum pms_status
out_open(struct out *o, const char *path, FILE *stream)
{
	struct stat sb;
	int fd;

	memset(o, 0, sizeof(*o));
	if (path == NULL || strcmp(path, "-") == 0) {
		o->f = stream != NULL ? stream : stdout;
		return PMS_OK;
	}
	o->path = path;
	o->own = 1;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* a device or a FIFO: written where it is */
		if ((o->f = fopen(path, "we")) == NULL)
			return pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
		return PMS_OK;
	}
	if ((o->tmp = malloc(strlen(path) + 16)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	snprintf(o->tmp, strlen(path) + 16, "%s.tmpXXXXXX", path);
	if ((fd = mkostemp(o->tmp, O_CLOEXEC)) == -1) {
		pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return PMS_EIO;
	}
	pms_tmp_track(o->tmp);
	if (fchmod(fd, 0600) == -1 || (o->f = fdopen(fd, "w")) == NULL) {
		pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		pms_tmp_untrack(o->tmp);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return PMS_EIO;
	}
	return PMS_OK;
}

/* Flush (fsync, rename) or, with fail set, give up; PMS_EIO on a write
 * error, with nothing of a new file left behind. */
static enum pms_status
out_close(struct out *o, int fail)
{
	enum pms_status st = PMS_OK;
	int err = 0;

	if (o->f == NULL)
		return PMS_OK;
	if (fflush(o->f) == EOF || ferror(o->f))
		err = errno != 0 ? errno : EIO;
	if (!fail && !err && o->own && fsync(fileno(o->f)) == -1 &&
	    errno != EINVAL && errno != EROFS)
		err = errno;
	if (o->own && fclose(o->f) == EOF && !err)
		err = errno != 0 ? errno : EIO;
	o->f = NULL;
	if (o->tmp != NULL)
		pms_tmp_untrack(o->tmp);
	if (!fail && !err && o->tmp != NULL) {
		if (rename(o->tmp, o->path) == -1)
			err = errno;
		else {
			(void)pms_sync_dir(o->path);
			free(o->tmp);
			o->tmp = NULL;
		}
	}
	if (o->tmp != NULL) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	if (err && !fail)
		st = pms_seterr(PMS_EIO, "%s: write error: "
		    "%s", o->path != NULL ?
		    o->path : "standard output", strerror(err));
	return fail ? PMS_EIO : st;
}

/* ---- gathering a statement ---- */

/* A column's text (NULL for NULL). */
static const char *
col_str(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

struct stmt_rec {
	int64_t		 patient_id;
	int64_t		 guarantor_id;
	int64_t		 patient_cents, pending_cents, insurance_cents;
	int64_t		 credit_cents, due_cents;
};

static void
join_name(char *buf, size_t size, const char *first, const char *middle,
    const char *last, const char *suffix)
{
	size_t n = 0;
	const char *parts[4];
	int i;

	parts[0] = first;
	parts[1] = middle;
	parts[2] = last;
	parts[3] = suffix;
	buf[0] = '\0';
	for (i = 0; i < 4; i++)
		if (parts[i] != NULL && *parts[i] != '\0' && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
			    n > 0 ? " " : "", parts[i]);
}

/* "455021234" as "45502-1234". */
static void
zip_fmt(char *buf, size_t size, const char *zip)
{
	if (strlen(zip) == 9)
		snprintf(buf, size, "%.5s-%.4s", zip, zip + 5);
	else
		bill_copy(buf, size, zip);
}

static int
tset_addr(struct tobj *o, const char *street, const char *street2,
    const char *city, const char *state, const char *zip,
    const char *k_street, const char *k_street2, const char *k_city,
    const char *k_state, const char *k_zip)
{
	char z[16];

	zip_fmt(z, sizeof(z), zip);
	return tset(o, k_street, street) || tset(o, k_street2, street2) ||
	    tset(o, k_city, city) || tset(o, k_state, state) ||
	    tset(o, k_zip, z);
}

/* The patient's open charges as rows of items. */
static enum pms_status
gather_items(struct pms_store *s, int64_t patient, struct tobj *o)
{
	struct tlist *l;
	struct tobj *it;
	sqlite3_stmt *st;
	char service[PMS_BILL_TEXT + PMS_CODE_BUFSZ];
	const char *code, *kind, *desc;
	int rc;

	if ((l = tlist_of(o, "items")) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(s->db, "SELECT c.dos, coalesce(c.code, ''), "
	    "c.kind, c.amount_cents, coalesce((SELECT description FROM fees f "
	    "WHERE f.code = c.code AND f.schedule = coalesce(c.fee_schedule, "
	    "'default')), (SELECT description FROM fees f WHERE f.code = "
	    "c.code AND f.schedule = 'default'), (SELECT description FROM "
	    "code_list k WHERE k.kind IN ('cpt', 'hcpcs') AND k.code = c.code "
	    "ORDER BY k.effective_from DESC LIMIT 1), ''), (SELECT "
	    "coalesce(-sum(amount_cents), 0) FROM ledger l WHERE l.charge_id = "
	    "c.id AND l.payment_id IS NOT NULL), (SELECT "
	    "coalesce(-sum(amount_cents), 0) FROM ledger l WHERE l.charge_id = "
	    "c.id AND l.kind = 'adjustment'), (SELECT coalesce(sum("
	    "amount_cents), 0) FROM balances b WHERE b.charge_id = c.id AND "
	    "b.party <> 'patient'), (SELECT coalesce(sum(amount_cents), 0) "
	    "FROM balances b WHERE b.charge_id = c.id AND b.party = 'patient') "
	    "FROM charges c WHERE c.patient_id = ?1 AND c.status <> 'void' AND "
	    "EXISTS (SELECT 1 FROM balances b WHERE b.charge_id = c.id) ORDER "
	    "BY c.dos, c.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading charges");
	sqlite3_bind_int64(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((it = tlist_add(l)) == NULL)
			goto nomem;
		code = (const char *)sqlite3_column_text(st, 1);
		kind = (const char *)sqlite3_column_text(st, 2);
		desc = (const char *)sqlite3_column_text(st, 4);
		if (strcmp(kind, "opening") == 0)
			snprintf(service, sizeof(service), "Balance forward");
		else if (desc != NULL && *desc != '\0')
			snprintf(service, sizeof(service), "%s %s", code, desc);
		else
			snprintf(service, sizeof(service), "%s", code);
		if (tset(it, "dos", (const char *)sqlite3_column_text(st, 0)) ||
		    tset(it, "code", code) || tset(it, "description",
		    desc != NULL ? desc : "") || tset(it, "service", service) ||
		    tset_money(it, "charged", sqlite3_column_int64(st, 3)) ||
		    tset_money(it, "paid", sqlite3_column_int64(st, 5)) ||
		    tset_money(it, "adjusted", sqlite3_column_int64(st, 6)) ||
		    tset_money(it, "pending", sqlite3_column_int64(st, 7)) ||
		    tset_money(it, "owed", sqlite3_column_int64(st, 8)))
			goto nomem;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading charges");
	return PMS_OK;
nomem:
	sqlite3_finalize(st);
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

/* The patient's payments since their last statement (all, if none):
 * those recorded after it was made, whatever day they are dated, so
 * that one taken on the day of a statement, after it, is on the next
 * (one recorded in the very second of the statement is on both). */
static enum pms_status
gather_payments(struct pms_store *s, int64_t patient, struct tobj *o)
{
	struct tlist *l;
	struct tobj *it;
	sqlite3_stmt *st;
	int rc;

	if ((l = tlist_of(o, "payments")) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(s->db, "SELECT received_on, method, "
	    "coalesce(ref, ''), amount_cents FROM payments WHERE patient_id = "
	    "?1 AND payer_id IS NULL AND method <> 'opening' AND created_at >= "
	    "coalesce((SELECT max(r.at) FROM statements t JOIN statement_runs "
	    "r ON r.id = t.run_id WHERE t.patient_id = ?1), '') ORDER BY "
	    "received_on, id LIMIT 100", -1,
	    &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading payments");
	sqlite3_bind_int64(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((it = tlist_add(l)) == NULL ||
		    tset(it, "date", col_str(st, 0)) ||
		    tset(it, "method", col_str(st, 1)) ||
		    tset(it, "ref", col_str(st, 2)) ||
		    tset_money(it, "amount", sqlite3_column_int64(st, 3))) {
			sqlite3_finalize(st);
			return pms_seterr(PMS_ENOMEM, "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading payments");
	return PMS_OK;
}

/* What is with each payer, or waits for one. */
static enum pms_status
gather_pending(struct pms_store *s, int64_t patient, struct tobj *o)
{
	struct tlist *l;
	struct tobj *it;
	sqlite3_stmt *st;
	int rc;

	if ((l = tlist_of(o, "pending")) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(s->db, "SELECT y.name, sum(b.amount_cents) "
	    "FROM balances b JOIN payers y ON y.id = b.payer_id WHERE "
	    "b.patient_id = ?1 AND b.charge_id IS NOT NULL AND b.party <> "
	    "'patient' GROUP BY y.id ORDER BY y.name", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading balances");
	sqlite3_bind_int64(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((it = tlist_add(l)) == NULL ||
		    tset(it, "payer", col_str(st, 0)) ||
		    tset_money(it, "amount", sqlite3_column_int64(st, 1))) {
			sqlite3_finalize(st);
			return pms_seterr(PMS_ENOMEM, "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading balances");
	return PMS_OK;
}

/* Gather one statement into o and rec. */
static enum pms_status
gather(struct pms_store *s, int64_t patient, struct tobj *o,
    struct stmt_rec *rec, int last)
{
	struct pms_patient *pt = NULL;
	struct pms_guarantor *g = NULL;
	struct pms_balance b;
	enum pms_status ps;
	char name[PMS_PT_LAST + PMS_PT_FIRST + PMS_PT_MIDDLE + PMS_PT_SUFFIX];
	char acct[PMS_PT_MRN + 8];
	int self;

	memset(rec, 0, sizeof(*rec));
	if ((pt = calloc(1, sizeof(*pt))) == NULL ||
	    (g = calloc(1, sizeof(*g))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	if ((ps = pms_patient_get(s, patient, 0, pt)) != PMS_OK ||
	    (ps = pms_guarantor_get(s, pt->id, g, &self)) != PMS_OK ||
	    (ps = pms_bill_balance_get(s, pt->id, &b)) != PMS_OK)
		goto out;
	rec->patient_id = pt->id;
	rec->guarantor_id = self ? 0 : g->id;
	rec->patient_cents = b.patient_cents;
	rec->pending_cents = b.pending_cents;
	rec->insurance_cents = b.insurance_cents;
	rec->credit_cents = b.credit_cents;
	rec->due_cents = b.patient_cents + b.credit_cents;
	if (rec->due_cents < 0)
		rec->due_cents = 0;
	if (pt->mrn[0] != '\0')
		bill_copy(acct, sizeof(acct), pt->mrn);
	else
		snprintf(acct, sizeof(acct), "%lld", (long long)pt->id);
	join_name(name, sizeof(name), pt->first_name, pt->middle_name,
	    pt->last_name, pt->suffix);
	if (tset(o, "patient_name", name) || tset(o, "account", acct) ||
	    tset(o, "last", last ? "1" : ""))
		goto nomem;
	if (self) {
		if (tset(o, "guarantor_name", name) || tset_addr(o, pt->street,
		    pt->street2, pt->city, pt->state, pt->zip,
		    "guarantor_street", "guarantor_street2", "guarantor_city",
		    "guarantor_state", "guarantor_zip"))
			goto nomem;
	} else {
		join_name(name, sizeof(name), g->first_name, g->middle_name,
		    g->last_name, g->suffix);
		if (tset(o, "guarantor_name", name) || tset_addr(o, g->street,
		    g->street2, g->city, g->state, g->zip, "guarantor_street",
		    "guarantor_street2", "guarantor_city", "guarantor_state",
		    "guarantor_zip"))
			goto nomem;
	}
	if (tset_money(o, "patient_balance", b.patient_cents) ||
	    tset_money(o, "credit", b.credit_cents) ||
	    tset(o, "has_credit", b.credit_cents < 0 ? "1" : "") ||
	    tset_money(o, "insurance_pending", b.insurance_cents +
	    b.pending_cents) ||
	    tset_money(o, "amount_due", rec->due_cents))
		goto nomem;
	if ((ps = gather_items(s, pt->id, o)) != PMS_OK ||
	    (ps = gather_payments(s, pt->id, o)) != PMS_OK ||
	    (ps = gather_pending(s, pt->id, o)) != PMS_OK)
		goto out;
	ps = PMS_OK;
	goto out;
nomem:
	ps = pms_seterr(PMS_ENOMEM, "out of memory");
out:
	free(pt);
	free(g);
	return ps;
}

/* ---- the run ---- */

/* The template's text: a file of the practice's, or the one built in. */
static enum pms_status
template_text(const struct pms_stmt_opts *o, char **bufp, size_t *lenp)
{
	const char *want = o->format == PMS_STMT_HTML ? "statement.html" :
	    "statement.txt";
	FILE *f;
	char *b = NULL, *t;
	size_t n = 0, cap = 0, r;
	unsigned i;

	*bufp = NULL;
	if (o->template_path == NULL) {
		for (i = 0; i < pms_ntemplate_files; i++)
			if (strcmp(pms_template_files[i].name, want) == 0) {
				if ((b = malloc(pms_template_files[i].len + 1)) ==
				    NULL)
					return pms_seterr(PMS_ENOMEM, "out of "
					    "memory");
				memcpy(b, pms_template_files[i].text,
				    pms_template_files[i].len);
				b[pms_template_files[i].len] = '\0';
				*bufp = b;
				*lenp = pms_template_files[i].len;
				return PMS_OK;
			}
		return pms_seterr(PMS_EINTERNAL, "no built-in template %s",
		    want);
	}
	if ((f = fopen(o->template_path, "re")) == NULL)
		return pms_seterr(PMS_ENOINPUT, "--template: cannot open "
		    "\"%s\": %s", o->template_path, strerror(errno));
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > 1024 * 1024) {
				fclose(f);
				free(b);
				return pms_seterr(PMS_EDATA, "--template: "
				    "larger than 1 MiB");
			}
			if ((t = realloc(b, cap + 1)) == NULL) {
				fclose(f);
				free(b);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			b = t;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(b);
		return pms_seterr(PMS_EIO, "--template: read error");
	}
	fclose(f);
	if (b == NULL && (b = malloc(1)) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	b[n] = '\0';
	*bufp = b;
	*lenp = n;
	return PMS_OK;
}

/* The patients of an --all run: amount due of min or more (and > 0). */
static enum pms_status
due_patients(struct pms_store *s, int64_t min, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;
	int64_t *a = NULL, *t;
	size_t cap = 0;
	int rc;

	*n = 0;
	*ids = NULL;
	rc = sqlite3_prepare_v2(s->db, "SELECT patient_id FROM balances WHERE "
	    "party = 'patient' GROUP BY patient_id HAVING sum(amount_cents) > "
	    "0 AND sum(amount_cents) >= ?1 ORDER BY patient_id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading balances");
	sqlite3_bind_int64(st, 1, min);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((t = realloc(a, cap * sizeof(*a))) == NULL) {
				sqlite3_finalize(st);
				free(a);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			a = t;
		}
		a[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(a);
		return pms_store_sqlerr(s, rc, "reading balances");
	}
	*ids = a;
	return PMS_OK;
}

/* Record the run and its statements; the patients' balances billed. */
static enum pms_status
record_run(struct pms_store *s, const struct bill_env *e, const char *date,
    const char *due, const struct pms_stmt_opts *o,
    const struct stmt_rec *recs, size_t n, int64_t total, int64_t *run)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "INSERT INTO statement_runs (at, "
	    "by_user, statement_date, format, statements, total_cents) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, e->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->user != NULL ? e->user : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->format == PMS_STMT_HTML ? "html" : "text",
	    -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)n);
	sqlite3_bind_int64(st, 6, total);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	*run = sqlite3_last_insert_rowid(s->db);
	for (i = 0; i < n; i++) {
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO statements "
		    "(run_id, patient_id, guarantor_id, statement_date, "
		    "due_on, patient_cents, pending_cents, insurance_cents, "
		    "credit_cents, amount_due_cents) VALUES (?1, ?2, ?3, ?4, "
		    "?5, ?6, ?7, ?8, ?9, ?10)", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, *run);
		sqlite3_bind_int64(st, 2, recs[i].patient_id);
		if (recs[i].guarantor_id > 0)
			sqlite3_bind_int64(st, 3, recs[i].guarantor_id);
		sqlite3_bind_text(st, 4, date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, due, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, recs[i].patient_cents);
		sqlite3_bind_int64(st, 7, recs[i].pending_cents);
		sqlite3_bind_int64(st, 8, recs[i].insurance_cents);
		sqlite3_bind_int64(st, 9, recs[i].credit_cents);
		sqlite3_bind_int64(st, 10, recs[i].due_cents);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		rc = sqlite3_prepare_v2(s->db, "UPDATE balances SET billed_on "
		    "= ?2 WHERE patient_id = ?1 AND party = 'patient' AND "
		    "charge_id IS NOT NULL AND billed_on IS "
		    "NULL", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, recs[i].patient_id);
		sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
	}
	return PMS_OK;
fail:
	sqlite3_finalize(st);
	return pms_store_sqlerr(s, rc, "recording statements");
}

/* The run's own values: the practice and the dates. */
static enum pms_status
run_values(struct pms_store *s, const struct bill_env *e, const char *date,
    const char *due, struct tobj *run)
{
	struct pms_practice p;
	enum pms_status ps;
	const char *msg = NULL;

	if ((ps = pms_practice_get(s, &p)) != PMS_OK)
		return ps;
	if (e->cfg != NULL)
		(void)pms_config_text(e->cfg, "billing.statement.message",
		    &msg);
	if (tset(run, "practice_name", p.name) ||
	    tset_addr(run, p.address.street, p.address.street2,
	    p.address.city, p.address.state, p.address.zip, "practice_street",
	    "practice_street2", "practice_city", "practice_state",
	    "practice_zip") ||
	    tset(run, "practice_phone", p.phone) ||
	    tset(run, "statement_date", date) || tset(run, "due_date", due) ||
	    tset(run, "message", msg) || tset(run, "formfeed", "\f"))
		return pms_seterr(PMS_ENOMEM, "out of memory");
	return PMS_OK;
}

enum pms_status
pms_bill_statements(struct pms_store *s, const struct pms_stmt_opts *o,
    struct pms_stmt_result *r)
{
	struct pms_audit_batch *b = NULL;
	struct stmt_rec *recs = NULL;
	struct tnode root, *sect = NULL;
	struct tobj run, one;
	struct render rd;
	struct bill_env e;
	struct out out;
	enum pms_status ps;
	char date[PMS_DATE_BUFSZ], due[PMS_DATE_BUFSZ], *text = NULL;
	int64_t *ids = NULL, min = o->min_cents, due_days = 30;
	size_t nids = 0, i, len = 0, si = 0;
	int32_t d;
	int out_open_ok = 0;

	memset(r, 0, sizeof(*r));
	memset(&root, 0, sizeof(root));
	memset(&run, 0, sizeof(run));
	memset(&one, 0, sizeof(one));
	memset(&out, 0, sizeof(out));
	if (!o->all && o->patient_id <= 0)
		return pms_seterr(PMS_EUSAGE, "statement: a patient, or --all");
	if ((ps = template_text(o, &text, &len)) != PMS_OK)
		return ps;
	if ((ps = tparse(text, len, &root)) != PMS_OK ||
	    (ps = tcheck(&root)) != PMS_OK)
		goto free_text;
	for (i = 0; i < root.nkids; i++)
		if (root.kids[i].kind == T_EACH &&
		    strcmp(root.kids[i].name, "statements") == 0) {
			sect = &root.kids[i];
			si = i;
			break;
		}
	if (sect == NULL) {
		ps = pms_seterr(PMS_EDATA, "template: no {{#statements}} "
		    "section at its top level");
		goto free_text;
	}
	if ((ps = bill_env_load(s, &e)) != PMS_OK)
		goto free_text;
	if ((ps = bill_date(o->date, e.today_s, date)) != PMS_OK)
		goto done;
	if (e.cfg != NULL) {
		(void)pms_config_int(e.cfg, "billing.statement.due_days",
		    &due_days);
		if (min < 0)
			(void)pms_config_int(e.cfg,
			    "billing.statement.min_balance", &min);
	}
	if (min < 0)
		min = 500;
	(void)pms_date_parse(date, PMS_DATE_ISO, &d);
	pms_date_fmt(d + (int32_t)due_days, due);
	if ((ps = pms_store_begin(s)) != PMS_OK)
		goto done;
	if ((ps = pms_audit_batch_begin(s, &b)) != PMS_OK)
		goto fail;
	if (o->all) {
		if ((ps = due_patients(s, min, &ids, &nids)) != PMS_OK)
			goto fail;
	} else {
		if ((ids = malloc(sizeof(*ids))) == NULL) {
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			goto fail;
		}
		if ((ps = pms_patient_id(s, o->patient_id, NULL, &ids[0],
		    NULL)) != PMS_OK)
			goto fail;
		nids = 1;
	}
	if (nids > 0 && (recs = calloc(nids, sizeof(*recs))) == NULL) {
		ps = pms_seterr(PMS_ENOMEM, "out of memory");
		goto fail;
	}
	if ((ps = run_values(s, &e, date, due, &run)) != PMS_OK)
		goto fail;
	/* write everything out first */
	if ((ps = out_open(&out, o->out_path, o->out)) != PMS_OK)
		goto fail;
	out_open_ok = 1;
	memset(&rd, 0, sizeof(rd));
	rd.out = out.f;
	rd.html = o->format == PMS_STMT_HTML;
	rd.ctx[rd.depth++] = &run;
	render_nodes(&rd, root.kids, si);
	for (i = 0; i < nids; i++) {
		memset(&one, 0, sizeof(one));
		if ((ps = gather(s, ids[i], &one, &recs[i], i + 1 == nids)) !=
		    PMS_OK ||
		    (ps = pms_audit_batch_add(b, recs[i].patient_id, NULL)) !=
		    PMS_OK) {
			tobj_release(&one);
			goto fail;
		}
		rd.ctx[rd.depth++] = &one;
		render_nodes(&rd, sect->kids, sect->nkids);
		rd.depth--;
		tobj_release(&one);
		r->statements++;
		r->total_cents += recs[i].due_cents;
		if (ferror(out.f))
			break;
	}
	render_nodes(&rd, root.kids + si + 1, root.nkids - si - 1);
	out_open_ok = 0;
	if ((ps = out_close(&out, 0)) != PMS_OK)
		goto fail;
	/* delivered: now it may be recorded */
	if (o->dry_run) {
		pms_audit_batch_free(b);
		b = NULL;
		pms_store_rollback(s);
		goto done;
	}
	if ((ps = record_run(s, &e, date, due, o, recs, nids, r->total_cents,
	    &r->run_id)) != PMS_OK)
		goto fail;
	ps = pms_audit_batch_end(b, "bill.statement", "statement");
	b = NULL;
	if (ps != PMS_OK)
		goto fail;
	ps = pms_store_commit(s);
	goto done;
fail:
	if (out_open_ok)
		(void)out_close(&out, 1);
	pms_audit_batch_free(b);
	pms_store_rollback(s);
	if (ps == PMS_OK)
		ps = PMS_EINTERNAL;
done:
	free(ids);
	free(recs);
	tobj_release(&run);
	bill_env_free(&e);
free_text:
	tnode_release(&root);
	free(text);
	return ps;
}
