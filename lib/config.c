/*
 * config.c: the practice's configuration, pms.yaml(5).
 *
 * The file is read with libyaml's event API into a small tree of our
 * own (so that every node keeps its line and column, aliases and
 * custom tags are refused, and nesting is bounded), then checked
 * against one declarative schema: a table of keys per mapping, each
 * with its type, whether it is required, its default, its limits, and
 * the list whose codes it refers to.  Checking builds the canonical
 * JSON the store keeps (keys sorted, defaults filled in, values in one
 * form each) and collects every error of the file, sorted by position,
 * before any is reported: a bad file is reported whole and nothing is
 * written.  A later key is one more row in a table below (and a line
 * in pms.yaml(5)); rules that span keys are the few *_check functions.
 *
 * Loading puts the document in the config table and each location,
 * provider, appointment type and payer in a table of its own, where an
 * entry that leaves the file is made inactive, never deleted.  Dumping
 * walks the same schema over the stored JSON and writes it with
 * libyaml's emitter, so that what is dumped loads back unchanged.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "config.h"
#include "money.h"
#include "pms_int.h"
#include "ptime.h"
#include "remind.h"

#define FILE_MAX	(1024 * 1024)	/* far more than any practice needs */
#define DEPTH_MAX	16		/* the schema nests 5 deep */
#define ERRORS_MAX	100		/* reported; the rest are counted */
#define PATHBUF		320
#define LIST_MAX	1000		/* entries of a list without its own */

/* ---- the YAML tree ------------------------------------------------- */

enum ykind { Y_SCALAR, Y_MAP, Y_SEQ };

struct ynode {
	enum ykind	 kind;
	int		 line, col;	/* from 1 */
	int		 plain;		/* an untagged plain scalar */
	char		*text;		/* a scalar's value, NUL-terminated */
	size_t		 len;
	struct ynode   **kids;		/* items; or key, value, key, ... */
	size_t		 n, cap;
};

static void
ynode_free(struct ynode *y)
{
	size_t i;

	if (y == NULL)
		return;
	for (i = 0; i < y->n; i++)
		ynode_free(y->kids[i]);
	free(y->kids);
	free(y->text);
	free(y);
}

/* A plain ~, null or nothing: the key is there without a value. */
static int
ynull(const struct ynode *y)
{
	return y == NULL || (y->kind == Y_SCALAR && y->plain &&
	    (y->len == 0 || strcmp(y->text, "~") == 0 ||
	    strcmp(y->text, "null") == 0 || strcmp(y->text, "Null") == 0 ||
	    strcmp(y->text, "NULL") == 0));
}

/* The value of key name in mapping y, or NULL. */
static const struct ynode *
yget(const struct ynode *y, const char *name, const struct ynode **keyp)
{
	size_t i;

	if (y == NULL || y->kind != Y_MAP)
		return NULL;
	for (i = 0; i + 1 < y->n; i += 2)
		if (y->kids[i]->kind == Y_SCALAR &&
		    strcmp(y->kids[i]->text, name) == 0) {
			if (keyp != NULL)
				*keyp = y->kids[i];
			return y->kids[i + 1];
		}
	return NULL;
}

/* ---- errors and where they are ------------------------------------ */

struct cerr {
	int		 line, col;
	size_t		 seq;		/* keeps equal positions in order */
	char		*msg;
};

/* What a reference to a code names, checked once the file is read. */
struct cref {
	const char	*list;		/* "locations" */
	const char	*what;		/* "location" */
	char		*code;
	char		*path;
	int		 line, col;
};

struct cdef {
	const char	*list;
	const char	*code;		/* borrowed from the tree */
};

/* A default taken from another key once the file is read. */
struct cfill {
	json_t		*obj;		/* borrowed: lives in the root */
	const char	*key;
	const char	*from;
};

struct ctx {
	const char	*name;		/* the file, for messages */
	struct cerr	*errs;
	size_t		 nerr, cap;
	int		 nomem;
	char		 path[PATHBUF];
	size_t		 plen;
	struct cref	*refs;
	size_t		 nref, capref;
	struct cdef	*defs;
	size_t		 ndef, capdef;
	struct cfill	*fills;
	size_t		 nfill, capfill;
	json_t		*root;
};

/* Grow *arr (of elements of size sz) to hold one more. */
static int
grow(void *arrp, size_t *cap, size_t n, size_t sz)
{
	void **arr = arrp, *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if ((p = realloc(*arr, ncap * sz)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Record an error at line:col, for path (NULL: none). */
static void
vcerr(struct ctx *c, int line, int col, const char *path, const char *fmt,
    va_list ap)
{
	char what[512], *msg;
	int n;

	vsnprintf(what, sizeof(what), fmt, ap);
	if (grow(&c->errs, &c->cap, c->nerr, sizeof(*c->errs)) == -1) {
		c->nomem = 1;
		return;
	}
	if (line > 0 && path != NULL && *path != '\0')
		n = asprintf(&msg, "%s:%d:%d: %s: %s", c->name, line, col,
		    path, what);
	else if (line > 0)
		n = asprintf(&msg, "%s:%d:%d: %s", c->name, line, col, what);
	else
		n = asprintf(&msg, "%s: %s", c->name, what);
	if (n == -1) {
		c->nomem = 1;
		return;
	}
	c->errs[c->nerr].line = line;
	c->errs[c->nerr].col = col;
	c->errs[c->nerr].seq = c->nerr;
	c->errs[c->nerr].msg = msg;
	c->nerr++;
}

/* An error at line:col for the current path (none if nopath). */
static void __attribute__((format(printf, 5, 6)))
cerr_at(struct ctx *c, int line, int col, int nopath, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcerr(c, line, col, nopath ? NULL : c->path, fmt, ap);
	va_end(ap);
}

/* An error at line:col for a path of its own. */
static void __attribute__((format(printf, 5, 6)))
cerr_path(struct ctx *c, int line, int col, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcerr(c, line, col, path, fmt, ap);
	va_end(ap);
}

#define yerr(c, y, ...)	cerr_at((c), (y)->line, (y)->col, 0, __VA_ARGS__)

static int
cerr_cmp(const void *a, const void *b)
{
	const struct cerr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Append a key to the path, as typed but made safe to print: control
 * characters become '?', and a long key is cut at a character boundary.
 * Returns the length to go back to.
 */
static size_t
path_key(struct ctx *c, const char *key)
{
	size_t old = c->plen, i, n = 0, room;
	unsigned char ch;

	if (c->plen + 8 >= sizeof(c->path))
		return old;		/* deeper than the schema goes */
	if (c->plen > 0)
		c->path[c->plen++] = '.';
	room = sizeof(c->path) - c->plen - 4;
	for (i = 0; key[i] != '\0' && n < 40 && n < room; i++, n++) {
		ch = (unsigned char)key[i];
		c->path[c->plen++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (key[i] != '\0') {
		/* back to the start of a UTF-8 sequence, then an ellipsis */
		while (c->plen > old && ((unsigned char)c->path[c->plen - 1] &
		    0xc0) == 0x80)
			c->plen--;
		if (c->plen > old &&
		    (unsigned char)c->path[c->plen - 1] >= 0xc0)
			c->plen--;
		memcpy(c->path + c->plen, "...", 3);
		c->plen += 3;
	}
	c->path[c->plen] = '\0';
	return old;
}

static size_t
path_index(struct ctx *c, size_t i)
{
	size_t old = c->plen;
	int n;

	n = snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "[%zu]",
	    i);
	if (n > 0 && (size_t)n < sizeof(c->path) - c->plen)
		c->plen += (size_t)n;
	c->path[c->plen] = '\0';
	return old;
}

static void
path_pop(struct ctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* ---- reading the file into the tree ------------------------------- */

/* Line and column (from 1) of byte offset off of buf. */
static void
offset_pos(const char *buf, size_t len, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

/* Tags other than the plain ones change nothing here: refused. */
static int
tag_ok(const yaml_char_t *tag, const char *plain)
{
	const char *t = (const char *)tag;

	return t == NULL || strcmp(t, "!") == 0 || strcmp(t, plain) == 0;
}

static struct ynode *
ynode_new(struct ctx *c, enum ykind kind, const yaml_mark_t *m)
{
	struct ynode *y;

	if ((y = calloc(1, sizeof(*y))) == NULL) {
		c->nomem = 1;
		return NULL;
	}
	y->kind = kind;
	y->line = (int)m->line + 1;
	y->col = (int)m->column + 1;
	return y;
}

static int
ynode_add(struct ynode *parent, struct ynode *y)
{
	if (grow(&parent->kids, &parent->cap, parent->n,
	    sizeof(*parent->kids)) == -1)
		return -1;
	parent->kids[parent->n++] = y;
	return 0;
}

/*
 * Parse buf into a tree.  Returns the root (NULL for an empty file), or
 * NULL with an error recorded: a syntax error stops the reading, as
 * libyaml cannot go on after one.
 */
static struct ynode *
yload(struct ctx *c, const char *buf, size_t len, int *failed)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct ynode *stack[DEPTH_MAX], *root = NULL, *y;
	int depth = 0, docs = 0, done = 0, line, col, bad = 0;
	const yaml_mark_t *m;
	char where[64];
	size_t off;

	*failed = 0;
	if (!yaml_parser_initialize(&p)) {
		c->nomem = 1;
		*failed = 1;
		return NULL;
	}
	/* libyaml drops a byte order mark only when it guesses the
	 * encoding, and it must not guess: UTF-8 it is */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done && !bad) {
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR) {
				c->nomem = 1;
			} else if (p.error == YAML_READER_ERROR) {
				/* to the first byte of a bad sequence */
				off = p.problem_offset;
				while (off > 0 && off < len &&
				    (unsigned char)buf[off] < 0xc0 &&
				    (unsigned char)buf[off - 1] >= 0x80)
					off--;
				offset_pos(buf, len, off, &line, &col);
				cerr_at(c, line, col, 1, "not valid UTF-8 "
				    "text: %s", p.problem != NULL ? p.problem :
				    "bad byte");
			} else {
				/* where the construct began, if elsewhere */
				where[0] = '\0';
				if (p.context != NULL && p.context_mark.line !=
				    p.problem_mark.line)
					snprintf(where, sizeof(where), " (from "
					    "line %zu, column %zu)",
					    p.context_mark.line + 1,
					    p.context_mark.column + 1);
				cerr_at(c, (int)p.problem_mark.line + 1,
				    (int)p.problem_mark.column + 1, 1,
				    "syntax error: %s%s%s%s%s",
				    p.problem != NULL ? p.problem : "not YAML",
				    p.context != NULL ?
				    " " : "", p.context != NULL ? p.context :
				    "", where, p.problem_mark.index < len &&
				    buf[p.problem_mark.index] == '\t' ?
				    " (a tab: indent with spaces)" : "");
			}
			bad = 1;
			break;
		}
		m = &ev.start_mark;
		y = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				cerr_at(c, (int)m->line + 1, (int)m->column + 1,
				    1, "a second document (---): the "
				    "configuration is one document");
				bad = 1;
			}
			break;
		case YAML_ALIAS_EVENT:
			cerr_at(c, (int)m->line + 1, (int)m->column + 1, 1,
			    "aliases (*name) are not supported: write the "
			    "value out");
			bad = 1;
			break;
		case YAML_SCALAR_EVENT:
			if ((y = ynode_new(c, Y_SCALAR, m)) == NULL)
				break;
			if (!tag_ok(ev.data.scalar.tag,
			    "tag:yaml.org,2002:str"))
				cerr_at(c, y->line, y->col, 1, "tags (!!int, "
				    "!name) are not supported");
			y->plain = ev.data.scalar.style ==
			    YAML_PLAIN_SCALAR_STYLE &&
			    ev.data.scalar.tag == NULL;
			y->len = ev.data.scalar.length;
			if ((y->text = malloc(y->len + 1)) == NULL) {
				free(y);
				y = NULL;
				c->nomem = 1;
				break;
			}
			memcpy(y->text, ev.data.scalar.value, y->len);
			y->text[y->len] = '\0';
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == DEPTH_MAX) {
				cerr_at(c, (int)m->line + 1, (int)m->column + 1,
				    1, "nested too deep");
				bad = 1;
				break;
			}
			y = ynode_new(c, ev.type == YAML_MAPPING_START_EVENT ?
			    Y_MAP : Y_SEQ, m);
			if (y != NULL && !tag_ok(ev.type ==
			    YAML_MAPPING_START_EVENT ?
			    ev.data.mapping_start.tag :
			    ev.data.sequence_start.tag, ev.type ==
			    YAML_MAPPING_START_EVENT ? "tag:yaml.org,2002:map" :
			    "tag:yaml.org,2002:seq"))
				cerr_at(c, y->line, y->col, 1, "tags (!!int, "
				    "!name) are not supported");
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (y != NULL) {
			if (depth == 0 && root == NULL)
				root = y;
			else if (depth == 0 || ynode_add(stack[depth - 1],
			    y) == -1) {
				ynode_free(y);
				c->nomem = 1;
				y = NULL;
			}
			if (y != NULL && y->kind != Y_SCALAR)
				stack[depth++] = y;
		}
		yaml_event_delete(&ev);
		if (c->nomem)
			bad = 1;
	}
	yaml_parser_delete(&p);
	if (bad) {
		ynode_free(root);
		*failed = 1;
		return NULL;
	}
	return root;
}

/* ---- the schema ---------------------------------------------------- */

enum ktype {
	K_MAP,		/* a mapping of the keys of .map */
	K_LIST,		/* a list of .item */
	K_TYPES,	/* "all", or a list of .item */
	K_TEXT,		/* one line of text, 1 to .max bytes */
	K_BODY,		/* text that may span lines: templates */
	K_CODE,		/* an identifier: a-z 0-9 - _, 1 to 32 */
	K_INT,		/* .min to .max */
	K_BOOL,		/* true, false */
	K_MONEY,	/* pms_money_parse, stored as KEY_cents */
	K_DURATION,	/* pms_duration_parse, stored as KEY_secs */
	K_TIME,		/* a time of day, "HH:MM" */
	K_ZONE,		/* an IANA zone of the system's tz database */
	K_NPI,		/* 10 digits, Luhn check digit */
	K_EIN,		/* 9 digits, "12-3456789" or "123456789" */
	K_TAXONOMY,	/* NUCC: 3 digits, 6 letters or digits, X */
	K_STATE,	/* USPS state or territory */
	K_ZIP,		/* 5 or 9 digits (ZIP+4), a dash allowed */
	K_COUNTRY,	/* ISO 3166 alpha-2 */
	K_PHONE,	/* digits, spaces, + - ( ) . ; 7 to 15 digits */
	K_EMAIL,
	K_POS,		/* place of service: 2 digits */
	K_PROC,		/* CPT/HCPCS shape */
	K_FEECODE,	/* CPT/HCPCS, or an in-house code: NOSHOW */
	K_CARC,		/* group and reason: CO-45 */
	K_SEP,		/* an X12 separator */
	K_X12,		/* an X12 envelope value: printable ASCII */
	K_ENUM,		/* one of .values */
	K_LANG		/* a language tag: en, es, pt-BR */
};

#define F_REQ		0x01	/* required */
#define F_FILL		0x02	/* a mapping made of its defaults if absent */
#define F_ID		0x04	/* identifies its list entry: unique there */
#define F_IDPART	0x08	/* part of the identity, with the F_ID key */
#define F_DISTINCT	0x10	/* differs from entry to entry of its list */
#define F_UNIQUE	0x20	/* a list whose entries must differ */
#define F_EMPTY		0x40	/* text that may be "" */
#define F_STREET	0x80	/* an address that must not be a PO box */

struct ctx;
struct key;

struct map {
	const struct key *keys;
	size_t		 n;
	/* rules across the keys of one mapping, after they are checked */
	void		(*check)(struct ctx *, const struct ynode *, json_t *);
};

struct key {
	const char	*name;
	enum ktype	 type;
	unsigned	 flags;
	const char	*dflt;		/* as written in the file; lists: a,b */
	const char	*dflt_from;	/* else the value at this path */
	long long	 min, max;	/* range; text: bytes; list: entries */
	const struct map *map;		/* K_MAP */
	const struct key *item;		/* K_LIST, K_TYPES */
	const char *const *values;	/* K_ENUM */
	const char	*ref;		/* K_CODE: a code of this list */
	const char	*what;		/* ... which are called this */
	const char	*elem;		/* the X12 element, for messages */
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const v_entity[] = { "organization", "person", NULL };
static const char *const v_isa01[] = { "00", "03", NULL };
static const char *const v_isa03[] = { "00", "01", NULL };
static const char *const v_qual[] = { "01", "14", "20", "27", "28", "29",
	"30", "33", "ZZ", NULL };
static const char *const v_usage[] = { "T", "P", NULL };
static const char *const v_channel[] = { "sms", "email", NULL };
static const char *const v_filing[] = { "11", "12", "13", "14", "15", "16",
	"17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC",
	"OF", "TV", "VA", "WC", "ZZ", NULL };

static void practice_check(struct ctx *, const struct ynode *, json_t *);
static void sep_check(struct ctx *, const struct ynode *, json_t *);
static void submitter_check(struct ctx *, const struct ynode *, json_t *);
static void tp_check(struct ctx *, const struct ynode *, json_t *);
static void quiet_check(struct ctx *, const struct ynode *, json_t *);
static void rule_check(struct ctx *, const struct ynode *, json_t *);
static void reminders_check(struct ctx *, const struct ynode *, json_t *);
static void template_check(struct ctx *, const struct ynode *, json_t *);
static void billing_check(struct ctx *, const struct ynode *, json_t *);

static const struct key address_keys[] = {
	{ .name = "street", .type = K_TEXT, .flags = F_REQ, .max = 55 },
	{ .name = "street2", .type = K_TEXT, .max = 55 },
	{ .name = "city", .type = K_TEXT, .flags = F_REQ, .max = 30 },
	{ .name = "state", .type = K_STATE, .flags = F_REQ },
	{ .name = "zip", .type = K_ZIP, .flags = F_REQ },
};
static const struct map address = { address_keys, N(address_keys), NULL };

static const struct key practice_keys[] = {
	{ .name = "name", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "entity_type", .type = K_ENUM, .dflt = "organization",
	  .values = v_entity },
	{ .name = "last_name", .type = K_TEXT, .max = 60 },
	{ .name = "first_name", .type = K_TEXT, .max = 35 },
	{ .name = "npi", .type = K_NPI, .flags = F_REQ },
	{ .name = "taxonomy", .type = K_TAXONOMY, .flags = F_REQ },
	{ .name = "ein", .type = K_EIN, .flags = F_REQ },
	{ .name = "phone", .type = K_PHONE },
	{ .name = "country", .type = K_COUNTRY, .dflt = "US" },
	{ .name = "time_zone", .type = K_ZONE, .flags = F_REQ },
	{ .name = "address", .type = K_MAP, .flags = F_REQ | F_STREET,
	  .map = &address },
	{ .name = "pay_to", .type = K_MAP, .map = &address },
};
static const struct map practice = { practice_keys, N(practice_keys),
	practice_check };

static const struct key sep_keys[] = {
	{ .name = "element", .type = K_SEP, .dflt = "*" },
	{ .name = "component", .type = K_SEP, .dflt = ":" },
	{ .name = "repetition", .type = K_SEP, .dflt = "^" },
	{ .name = "segment", .type = K_SEP, .dflt = "~" },
};
static const struct map separators = { sep_keys, N(sep_keys), sep_check };

static const struct key submitter_keys[] = {
	{ .name = "name", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "contact", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "phone", .type = K_PHONE },
	{ .name = "email", .type = K_EMAIL },
};
static const struct map submitter = { submitter_keys, N(submitter_keys),
	submitter_check };

static const struct key tp_keys[] = {
	{ .name = "isa01", .type = K_ENUM, .dflt = "00", .values = v_isa01 },
	{ .name = "isa02", .type = K_X12, .flags = F_EMPTY, .dflt = "",
	  .max = 10, .elem = "ISA02" },
	{ .name = "isa03", .type = K_ENUM, .dflt = "00", .values = v_isa03 },
	{ .name = "isa04", .type = K_X12, .flags = F_EMPTY, .dflt = "",
	  .max = 10, .elem = "ISA04" },
	{ .name = "sender_qualifier", .type = K_ENUM, .dflt = "ZZ",
	  .values = v_qual },
	{ .name = "sender_id", .type = K_X12, .flags = F_REQ, .min = 2,
	  .max = 15, .elem = "ISA06" },
	{ .name = "receiver_qualifier", .type = K_ENUM, .dflt = "ZZ",
	  .values = v_qual },
	{ .name = "receiver_id", .type = K_X12, .flags = F_REQ, .min = 2,
	  .max = 15, .elem = "ISA08" },
	{ .name = "usage", .type = K_ENUM, .dflt = "T", .values = v_usage },
	{ .name = "gs_sender", .type = K_X12, .min = 2, .max = 15,
	  .dflt_from = "trading_partner.sender_id", .elem = "GS02" },
	{ .name = "gs_receiver", .type = K_X12, .min = 2, .max = 15,
	  .dflt_from = "trading_partner.receiver_id", .elem = "GS03" },
	{ .name = "submitter", .type = K_MAP, .flags = F_REQ,
	  .map = &submitter },
	{ .name = "receiver_name", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "separators", .type = K_MAP, .flags = F_FILL,
	  .map = &separators },
	{ .name = "newline", .type = K_BOOL, .dflt = "false" },
	{ .name = "first_control_number", .type = K_INT, .dflt = "1",
	  .min = 1, .max = 999999999 },
};
static const struct map trading_partner = { tp_keys, N(tp_keys), tp_check };

static const struct key room_item = { .type = K_CODE };
static const struct key location_keys[] = {
	{ .name = "code", .type = K_CODE, .flags = F_REQ | F_ID },
	{ .name = "name", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "address", .type = K_MAP, .flags = F_REQ | F_STREET,
	  .map = &address },
	{ .name = "time_zone", .type = K_ZONE,
	  .dflt_from = "practice.time_zone" },
	{ .name = "place_of_service", .type = K_POS, .dflt = "11" },
	{ .name = "phone", .type = K_PHONE },
	{ .name = "npi", .type = K_NPI },
	{ .name = "rooms", .type = K_LIST, .flags = F_UNIQUE,
	  .item = &room_item, .max = 100 },
};
static const struct map location = { location_keys, N(location_keys), NULL };
static const struct key location_item = { .type = K_MAP, .map = &location };

static const struct key location_ref = { .type = K_CODE, .ref = "locations",
	.what = "location" };
static const struct key provider_keys[] = {
	{ .name = "code", .type = K_CODE, .flags = F_REQ | F_ID },
	{ .name = "first_name", .type = K_TEXT, .flags = F_REQ, .max = 35 },
	{ .name = "middle_name", .type = K_TEXT, .max = 25 },
	{ .name = "last_name", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "suffix", .type = K_TEXT, .max = 10 },
	{ .name = "credential", .type = K_TEXT, .max = 10 },
	{ .name = "npi", .type = K_NPI, .flags = F_REQ | F_DISTINCT },
	{ .name = "taxonomy", .type = K_TAXONOMY, .flags = F_REQ },
	{ .name = "locations", .type = K_LIST, .flags = F_UNIQUE,
	  .item = &location_ref, .max = 200 },
};
static const struct map provider = { provider_keys, N(provider_keys), NULL };
static const struct key provider_item = { .type = K_MAP, .map = &provider };

static const struct key proc_item = { .type = K_PROC };
static const struct key type_keys[] = {
	{ .name = "code", .type = K_CODE, .flags = F_REQ | F_ID },
	{ .name = "name", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "length", .type = K_DURATION, .flags = F_REQ, .min = 60,
	  .max = 12 * 3600 },
	{ .name = "codes", .type = K_LIST, .flags = F_UNIQUE,
	  .item = &proc_item, .max = PMS_CFG_CODES_MAX },
	{ .name = "may_overlap", .type = K_BOOL, .dflt = "false" },
};
static const struct map appt_type = { type_keys, N(type_keys), NULL };
static const struct key type_item = { .type = K_MAP, .map = &appt_type };

static const struct key payer_keys[] = {
	{ .name = "code", .type = K_CODE, .flags = F_REQ | F_ID },
	{ .name = "name", .type = K_TEXT, .flags = F_REQ, .max = 60 },
	{ .name = "payer_id", .type = K_X12, .flags = F_REQ, .min = 2,
	  .max = 80, .elem = "NM109" },
	{ .name = "filing_indicator", .type = K_ENUM, .flags = F_REQ,
	  .values = v_filing },
	{ .name = "timely_filing_days", .type = K_INT, .dflt = "90",
	  .min = 1, .max = 3650 },
	{ .name = "prior_auth_required", .type = K_BOOL, .dflt = "false" },
	{ .name = "fee_schedule", .type = K_CODE },
	{ .name = "address", .type = K_MAP, .map = &address },
};
static const struct map payer = { payer_keys, N(payer_keys), NULL };
static const struct key payer_item = { .type = K_MAP, .map = &payer };

static const struct key schedule_keys[] = {
	{ .name = "late_cancel_notice", .type = K_DURATION, .dflt = "24h",
	  .min = 60, .max = 14 * 86400 },
	{ .name = "slot_step", .type = K_DURATION, .dflt = "15m", .min = 60,
	  .max = 4 * 3600 },
};
static const struct map schedule = { schedule_keys, N(schedule_keys), NULL };

static const struct key fee_keys[] = {
	{ .name = "code", .type = K_FEECODE, .flags = F_REQ },
	{ .name = "price", .type = K_MONEY, .flags = F_REQ, .min = 0,
	  .max = PMS_MONEY_MAX },
};
static const struct map fee = { fee_keys, N(fee_keys), NULL };

static const struct key statement_keys[] = {
	{ .name = "due_days", .type = K_INT, .dflt = "30", .min = 0,
	  .max = 365 },
	{ .name = "min_balance", .type = K_MONEY, .dflt = "5.00", .min = 0,
	  .max = PMS_MONEY_MAX },
	{ .name = "message", .type = K_BODY, .max = 1000 },
};
static const struct map statement = { statement_keys, N(statement_keys),
	NULL };

static const struct key carc_item = { .type = K_CARC };
static const struct key feecode_item = { .type = K_FEECODE };
static const struct key billing_keys[] = {
	{ .name = "contractual_writeoffs", .type = K_LIST, .flags = F_UNIQUE,
	  .item = &carc_item, .dflt = "CO-45,CO-253,CO-24", .max = 200 },
	{ .name = "informational", .type = K_LIST, .flags = F_UNIQUE,
	  .item = &carc_item, .dflt = "OA-23", .max = 200 },
	{ .name = "no_show_fee", .type = K_MAP, .map = &fee },
	{ .name = "late_cancel_fee", .type = K_MAP, .map = &fee },
	{ .name = "self_pay_only_codes", .type = K_LIST, .flags = F_UNIQUE,
	  .item = &feecode_item, .max = 200 },
	{ .name = "statement", .type = K_MAP, .flags = F_FILL,
	  .map = &statement },
};
static const struct map billing = { billing_keys, N(billing_keys),
	billing_check };

static const struct key quiet_sms_keys[] = {
	{ .name = "from", .type = K_TIME, .dflt = "21:00" },
	{ .name = "to", .type = K_TIME, .dflt = "08:00" },
};
static const struct map quiet_sms = { quiet_sms_keys, N(quiet_sms_keys),
	quiet_check };
static const struct key quiet_keys[] = {
	{ .name = "from", .type = K_TIME, .flags = F_REQ },
	{ .name = "to", .type = K_TIME, .flags = F_REQ },
};
static const struct map quiet = { quiet_keys, N(quiet_keys), quiet_check };
static const struct key quiet_hours_keys[] = {
	{ .name = "sms", .type = K_MAP, .flags = F_FILL, .map = &quiet_sms },
	{ .name = "email", .type = K_MAP, .map = &quiet },
};
static const struct map quiet_hours = { quiet_hours_keys,
	N(quiet_hours_keys), NULL };

static const struct key retry_keys[] = {
	{ .name = "max_attempts", .type = K_INT, .dflt = "3", .min = 1,
	  .max = 20 },
	{ .name = "backoff", .type = K_DURATION, .dflt = "15m", .min = 60,
	  .max = 86400 },
};
static const struct map retry = { retry_keys, N(retry_keys), NULL };

static const struct key type_ref = { .type = K_CODE,
	.ref = "appointment_types", .what = "appointment type" };
static const struct key rule_keys[] = {
	{ .name = "name", .type = K_CODE, .flags = F_REQ | F_ID },
	{ .name = "types", .type = K_TYPES, .flags = F_UNIQUE, .dflt = "all",
	  .item = &type_ref, .max = 200 },
	{ .name = "before", .type = K_DURATION, .min = 60,
	  .max = 30 * 86400 },
	{ .name = "day_before_at", .type = K_TIME },
	{ .name = "same_day_at", .type = K_TIME },
	{ .name = "channel", .type = K_ENUM, .flags = F_REQ,
	  .values = v_channel },
	{ .name = "template", .type = K_CODE, .flags = F_REQ },
};
static const struct map rule = { rule_keys, N(rule_keys), rule_check };
static const struct key rule_item = { .type = K_MAP, .map = &rule };

static const struct key dir_item = { .type = K_TEXT, .max = 200 };
static const struct key reminders_keys[] = {
	{ .name = "quiet_hours", .type = K_MAP, .flags = F_FILL,
	  .map = &quiet_hours },
	{ .name = "retry", .type = K_MAP, .flags = F_FILL, .map = &retry },
	{ .name = "rules", .type = K_LIST, .item = &rule_item, .max = 50 },
	{ .name = "sender_path", .type = K_LIST, .item = &dir_item,
	  .max = 20 },
};
static const struct map reminders = { reminders_keys, N(reminders_keys),
	reminders_check };

static const struct key template_keys[] = {
	{ .name = "name", .type = K_CODE, .flags = F_REQ | F_ID },
	{ .name = "language", .type = K_LANG, .flags = F_IDPART, .dflt = "en" },
	{ .name = "channel", .type = K_ENUM, .flags = F_REQ,
	  .values = v_channel },
	{ .name = "subject", .type = K_TEXT, .max = 200 },
	{ .name = "body", .type = K_BODY, .flags = F_REQ, .max = 4000 },
};
static const struct map template = { template_keys, N(template_keys),
	template_check };
static const struct key template_item = { .type = K_MAP, .map = &template };

static const struct key root_keys[] = {
	{ .name = "practice", .type = K_MAP, .flags = F_REQ, .map = &practice },
	{ .name = "trading_partner", .type = K_MAP, .map = &trading_partner },
	{ .name = "locations", .type = K_LIST, .flags = F_REQ,
	  .item = &location_item, .min = 1, .max = 200 },
	{ .name = "providers", .type = K_LIST, .flags = F_REQ,
	  .item = &provider_item, .min = 1, .max = 500 },
	{ .name = "appointment_types", .type = K_LIST, .item = &type_item,
	  .max = 200 },
	{ .name = "payers", .type = K_LIST, .item = &payer_item, .max = 500 },
	{ .name = "schedule", .type = K_MAP, .flags = F_FILL,
	  .map = &schedule },
	{ .name = "billing", .type = K_MAP, .flags = F_FILL, .map = &billing },
	{ .name = "reminders", .type = K_MAP, .flags = F_FILL,
	  .map = &reminders },
	{ .name = "templates", .type = K_LIST, .item = &template_item,
	  .max = 200 },
};
static const struct map root_map = { root_keys, N(root_keys), NULL };
static const struct key root_key = { .type = K_MAP, .map = &root_map };

/* The name a key has in the stored JSON: money and durations carry
 * their unit. */
static const char *
jname(const struct key *k, char *buf, size_t size)
{
	const char *unit = k->type == K_MONEY ? "_cents" :
	    k->type == K_DURATION ? "_secs" : NULL;

	if (unit == NULL)
		return k->name;
	snprintf(buf, size, "%s%s", k->name, unit);
	return buf;
}

/* ---- values -------------------------------------------------------- */

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
upper_alnum(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* "1h30m": hours, minutes and seconds, the zero ones left out. */
static void
duration_fmt(int64_t secs, char *buf, size_t size)
{
	size_t n = 0;
	int64_t h = secs / 3600, m = secs / 60 % 60, s = secs % 60;

	buf[0] = '\0';
	if (secs == 0) {
		snprintf(buf, size, "0m");
		return;
	}
	if (h > 0)
		n += (size_t)snprintf(buf + n, size - n, "%lldh", (long long)h);
	if (m > 0 && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%lldm", (long long)m);
	if (s > 0 && n < size)
		snprintf(buf + n, size - n, "%llds", (long long)s);
}

/* Does text hold a control character (C0, DEL, C1)?  A body may hold
 * line breaks and tabs. */
static int
has_control(const char *s, size_t len, int body)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n' || p[i] == '\t') {
			if (!body)
				return 1;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			return 1;
		} else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			return 1;
		}
	}
	return 0;
}

static int
code_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > PMS_CFG_CODE - 1 || s[0] == '-' || s[0] == '_')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static int
zone_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= PMS_ZONE_MAX || s[0] == '/' || s[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("/_+-", s[i]) != NULL) || (s[i] == '/' &&
		    s[i + 1] == '/'))
			return 0;
	return pms_zone_valid(s);
}

int
pms_npi_valid(const char *npi)
{
	int sum = 24, i, d;	/* 24: the Luhn sum of the prefix 80840 */

	if (npi == NULL || strlen(npi) != 10 || !digits(npi, 10))
		return 0;
	for (i = 8; i >= 0; i--) {
		d = npi[i] - '0';
		if ((8 - i) % 2 == 0 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return (10 - sum % 10) % 10 == npi[9] - '0';
}

int
pms_proc_code_valid(const char *s)
{
	if (s == NULL || strlen(s) != 5)
		return 0;
	if (digits(s, 5))
		return 1;				/* 99213 */
	if (digits(s, 4) && strchr("FTU", s[4]) != NULL)
		return 1;				/* 0001F */
	return s[0] >= 'A' && s[0] <= 'Z' && digits(s + 1, 4);	/* G0008 */
}

/* Uppercase fee codes: a procedure code or an in-house one (NOSHOW). */
static int
feecode_ok(const char *s, size_t n)
{
	size_t i;

	if (pms_proc_code_valid(s))
		return 1;
	if (n < 2 || n > 10)
		return 0;
	for (i = 0; i < n; i++)
		if (!upper_alnum(s[i]))
			return 0;
	return 1;
}

static int
carc_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 4 || n > 6 || s[2] != '-' || (strncmp(s, "CO", 2) != 0 &&
	    strncmp(s, "PI", 2) != 0 && strncmp(s, "OA", 2) != 0 &&
	    strncmp(s, "PR", 2) != 0 && strncmp(s, "CR", 2) != 0))
		return 0;
	for (i = 3; i < n; i++)
		if (!upper_alnum(s[i]))
			return 0;
	return 1;
}

static int
state_ok(const char *s)
{
	static const char states[] =
	    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD "
	    "MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD "
	    "TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM AA AE AP ";
	size_t i;

	if (strlen(s) != 2)
		return 0;
	for (i = 0; states[i] != '\0'; i += 3)
		if (states[i] == s[0] && states[i + 1] == s[1])
			return 1;
	return 0;
}

static int
phone_ok(const char *s, size_t n)
{
	size_t i, d = 0;

	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d++;
		else if (s[i] == '+' && i != 0)
			return 0;
		else if (strchr("+-(). ", s[i]) == NULL)
			return 0;
	}
	return d >= 7 && d <= 15;
}

static int
email_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n), *dot;
	size_t i;

	if (at == NULL || at == s || n > 80 || memchr(at + 1, '@',
	    n - (size_t)(at - s) - 1) != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>()[],;:\"\\",
		    s[i]) != NULL)
			return 0;
	dot = strrchr(at, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

static int
lang_ok(const char *s, size_t n)
{
	size_t i = 0, part;

	while (i < n && s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return 0;
	while (i < n) {
		if (s[i++] != '-')
			return 0;
		for (part = 0; i < n && ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9')); i++)
			part++;
		if (part < 2 || part > 8)
			return 0;
	}
	return 1;
}

static int
enum_ok(const char *const *v, const char *s)
{
	for (; *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static void
enum_list(const char *const *v, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *v != NULL && n < size; v++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
		    n > 0 ? ", " : "", *v);
}

/* A reference to be checked once all the codes are known. */
static void
add_ref(struct ctx *c, const struct key *k, const char *code, int line,
    int col)
{
	struct cref *r;

	if (grow(&c->refs, &c->capref, c->nref, sizeof(*c->refs)) == -1) {
		c->nomem = 1;
		return;
	}
	r = &c->refs[c->nref];
	r->list = k->ref;
	r->what = k->what;
	r->line = line;
	r->col = col;
	r->code = strdup(code);
	r->path = strdup(c->path);
	if (r->code == NULL || r->path == NULL) {
		free(r->code);
		free(r->path);
		c->nomem = 1;
		return;
	}
	c->nref++;
}

/* Text as JSON; jansson takes valid UTF-8 only, which libyaml gives
 * unless an escape made something else. */
static json_t *
jtext(struct ctx *c, const char *s, size_t len, int line, int col)
{
	json_t *j;

	if ((j = json_stringn(s, len)) == NULL)
		cerr_at(c, line, col, 0, "not valid UTF-8 text");
	return j;
}

/*
 * Check the scalar text s (len bytes, at line:col) as a value of key k
 * and return its JSON, or NULL with an error recorded.  Messages name
 * what was expected, never the value.
 */
static json_t *
conv(struct ctx *c, const struct key *k, const char *s, size_t len, int line,
    int col)
{
	char buf[PMS_ZONE_MAX + 16], lim[32], lim2[32], vals[256];
	long long v;
	int64_t cents, secs;
	int32_t tod;
	char *end;
	size_t i, n;

#define BAD(...)	do { cerr_at(c, line, col, 0, __VA_ARGS__); \
			    return NULL; } while (0)
	if (strlen(s) != len || has_control(s, len, k->type == K_BODY)) {
		if (k->type == K_TEXT && memchr(s, '\n', len) != NULL)
			BAD("must be one line");
		BAD("contains control characters");
	}
	switch (k->type) {
	case K_TEXT:
	case K_BODY:
		if (len == 0 && !(k->flags & F_EMPTY))
			BAD("empty");
		if (k->max > 0 && len > (size_t)k->max)
			BAD("longer than %lld bytes", k->max);
		return jtext(c, s, len, line, col);
	case K_CODE:
		if (!code_ok(s, len))
			BAD("expected a code: 1 to 32 of a-z, 0-9, - and _, "
			    "starting with a letter or digit");
		if (k->ref != NULL)
			add_ref(c, k, s, line, col);
		return jtext(c, s, len, line, col);
	case K_INT:
		errno = 0;
		v = strtoll(s, &end, 10);
		if (len == 0 || end != s + len || errno != 0 ||
		    (s[0] != '-' && (s[0] < '0' || s[0] > '9')) || v < k->min ||
		    v > k->max)
			BAD("expected a whole number from %lld to %lld", k->min,
			    k->max);
		return json_integer(v);
	case K_BOOL:
		if (strcmp(s, "true") == 0)
			return json_true();
		if (strcmp(s, "false") == 0)
			return json_false();
		BAD("expected true or false");
	case K_MONEY:
		if (pms_money_parse(s, &cents) != PMS_OK)
			BAD("%s", pms_errmsg());
		if (cents < k->min)
			BAD("must not be negative");
		if (cents > k->max)
			BAD("too large an amount");
		return json_integer(cents);
	case K_DURATION:
		if (pms_duration_parse(s, &secs) != PMS_OK)
			BAD("%s", pms_errmsg());
		if (secs < k->min || secs > k->max) {
			duration_fmt(k->min, lim, sizeof(lim));
			duration_fmt(k->max, lim2, sizeof(lim2));
			BAD("must be from %s to %s", lim, lim2);
		}
		return json_integer(secs);
	case K_TIME:
		if (pms_time_parse(s, &tod) != PMS_OK)
			BAD("expected a time of day, HH:MM (24-hour clock)");
		{
			char t[PMS_TIME_BUFSZ];

			pms_time_fmt(tod, t);
			return json_string(t);
		}
	case K_ZONE:
		if (!zone_ok(s, len))
			BAD("unknown time zone: expected a name of the tz "
			    "database such as America/New_York");
		return jtext(c, s, len, line, col);
	case K_NPI:
		if (len != 10 || !digits(s, 10))
			BAD("expected an NPI: 10 digits");
		if (!pms_npi_valid(s))
			BAD("check digit is wrong (not a valid NPI)");
		return jtext(c, s, len, line, col);
	case K_EIN:
		if (len == 10 && s[2] == '-' && digits(s, 2) &&
		    digits(s + 3, 7)) {
			snprintf(buf, sizeof(buf), "%.2s%.7s", s, s + 3);
			return json_string(buf);
		}
		if (len != 9 || !digits(s, 9))
			BAD("expected an EIN: 9 digits, as 12-3456789");
		return jtext(c, s, len, line, col);
	case K_ZIP:
		if (len == 10 && s[5] == '-' && digits(s, 5) &&
		    digits(s + 6, 4)) {
			snprintf(buf, sizeof(buf), "%.5s%.4s", s, s + 6);
			return json_string(buf);
		}
		if ((len != 5 && len != 9) || !digits(s, len))
			BAD("expected a ZIP code: 5 or 9 digits");
		return jtext(c, s, len, line, col);
	case K_POS:
		if (len != 2 || !digits(s, 2) || strcmp(s, "00") == 0)
			BAD("expected a place of service: 2 digits such as 11");
		return jtext(c, s, len, line, col);
	case K_SEP:
		if (len != 1 || s[0] <= ' ' || s[0] >= 0x7f ||
		    upper_alnum(s[0]) || (s[0] >= 'a' && s[0] <= 'z'))
			BAD("expected one character that is not a letter, "
			    "digit or space");
		/* pms writes them inside values: claim and line control
		 * numbers (C000006-1), amounts (92.50) */
		if (s[0] == '-' || s[0] == '.')
			BAD("\"%c\" is in the values every claim carries (its "
			    "line control numbers, its amounts), so no claim "
			    "could be sent: choose another character", s[0]);
		return jtext(c, s, len, line, col);
	case K_X12:
		for (i = 0; i < len; i++)
			if ((unsigned char)s[i] < ' ' ||
			    (unsigned char)s[i] > '~')
				BAD("only printable ASCII characters go into "
				    "X12");
		if (len > 0 && (s[0] == ' ' || s[len - 1] == ' '))
			BAD("no leading or trailing spaces");
		if (len == 0 && !(k->flags & F_EMPTY))
			BAD("empty");
		if (k->max > 0 && len > (size_t)k->max)
			BAD("%s longer than %lld characters: shorten it (it "
			    "is never truncated)", k->elem, k->max);
		if (len < (size_t)k->min)
			BAD("%s shorter than %lld characters", k->elem, k->min);
		return jtext(c, s, len, line, col);
	case K_ENUM:
		if (!enum_ok(k->values, s)) {
			enum_list(k->values, vals, sizeof(vals));
			BAD("expected one of %s", vals);
		}
		return jtext(c, s, len, line, col);
	case K_LANG:
		if (!lang_ok(s, len))
			BAD("expected a language tag such as en, es or pt-BR");
		return jtext(c, s, len, line, col);
	case K_EMAIL:
		if (!email_ok(s, len))
			BAD("expected an email address");
		return jtext(c, s, len, line, col);
	case K_PHONE:
		if (!phone_ok(s, len))
			BAD("expected a phone number: 7 to 15 digits, with "
			    "spaces, + - ( ) or . between");
		return jtext(c, s, len, line, col);
	default:
		break;
	}
	/* the rest are codes written in capitals: lowercase is forgiven */
	n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
	buf[n] = '\0';
	switch (k->type) {
	case K_TAXONOMY:
		if (len != 10 || !digits(buf, 3) || buf[9] != 'X' ||
		    !upper_alnum(buf[3]) || !upper_alnum(buf[4]) ||
		    !upper_alnum(buf[5]) || !upper_alnum(buf[6]) ||
		    !upper_alnum(buf[7]) || !upper_alnum(buf[8]))
			BAD("expected a taxonomy code: 10 characters such as "
			    "207Q00000X");
		break;
	case K_STATE:
		if (!state_ok(buf))
			BAD("expected a two-letter state code such as OH");
		break;
	case K_COUNTRY:
		if (len != 2 || !pms_country_valid(buf))
			BAD("expected a two-letter country code (ISO 3166) "
			    "such as US");
		break;
	case K_PROC:
		if (len != 5 || !pms_proc_code_valid(buf))
			BAD("expected a procedure code: 5 digits (99213), 4 "
			    "digits and F, T or U (0001F), or a letter and 4 "
			    "digits (G0008)");
		break;
	case K_FEECODE:
		if (len != n || !feecode_ok(buf, n))
			BAD("expected a procedure code (99213, G0008) or a "
			    "code of the practice's own: 2 to 10 capital "
			    "letters and digits (NOSHOW)");
		break;
	case K_CARC:
		if (len != n || !carc_ok(buf, n))
			BAD("expected a group and reason code such as CO-45");
		break;
	default:
		BAD("a value of unknown type");
	}
	return json_string(buf);
#undef BAD
}

/* ---- walking the tree through the schema ---------------------------- */

static json_t	*walk(struct ctx *, const struct key *, const struct ynode *);

static const char *
kind_name(const struct ynode *y)
{
	return y->kind == Y_MAP ? "a mapping" : y->kind == Y_SEQ ? "a list" :
	    "a single value";
}

static json_t *
scalar(struct ctx *c, const struct key *k, const struct ynode *y)
{
	if (y->kind != Y_SCALAR) {
		yerr(c, y, "expected a single value, not %s", kind_name(y));
		return NULL;
	}
	return conv(c, k, y->text, y->len, y->line, y->col);
}

/* Levenshtein distance, for "did you mean"; short words only. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[33], prev, tmp;

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = d[j];
			d[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < d[j] ?
			    (prev < d[j - 1] ? prev : d[j - 1]) :
			    (d[j] < d[j - 1] ? d[j] : d[j - 1]));
			prev = tmp;
		}
	}
	return d[lb];
}

static int
find_key(const struct map *m, const char *name)
{
	size_t j;

	for (j = 0; j < m->n; j++)
		if (strcmp(m->keys[j].name, name) == 0)
			return (int)j;
	return -1;
}

static void
unknown_key(struct ctx *c, const struct map *m, const struct ynode *key)
{
	const char *best = NULL;
	size_t j, d, bd = 3;
	size_t old;

	for (j = 0; j < m->n; j++)
		if ((d = distance(key->text, m->keys[j].name)) < bd) {
			bd = d;
			best = m->keys[j].name;
		}
	old = path_key(c, key->text);
	if (best != NULL)
		yerr(c, key, "unknown key (did you mean \"%s\"?)", best);
	else
		yerr(c, key, "unknown key");
	path_pop(c, old);
}

static json_t	*walk_map(struct ctx *, const struct key *,
		    const struct ynode *, const struct ynode *);

/* A list's default: "a,b" of its .dflt, each checked as an entry. */
static json_t *
default_list(struct ctx *c, const struct key *k, const struct ynode *at)
{
	json_t *arr, *v;
	const char *p, *e;
	char item[64];

	if ((arr = json_array()) == NULL) {
		c->nomem = 1;
		return NULL;
	}
	for (p = k->dflt; p != NULL && *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		snprintf(item, sizeof(item), "%.*s", (int)(e - p), p);
		if ((v = conv(c, k->item, item, strlen(item), at->line,
		    at->col)) != NULL && json_array_append_new(arr, v) == -1)
			c->nomem = 1;
	}
	return arr;
}

/* The value of an absent (or empty) key: its default, or an error. */
static json_t *
absent(struct ctx *c, const struct key *k, const struct ynode *at,
    int empty, json_t *obj)
{
	if (k->flags & F_REQ) {
		yerr(c, at, empty ? "required, but empty" :
		    "required, but missing");
		return NULL;
	}
	switch (k->type) {
	case K_MAP:
		return (k->flags & F_FILL) ? walk_map(c, k, NULL, at) : NULL;
	case K_LIST:
		return default_list(c, k, at);
	case K_TYPES:
		return json_string(k->dflt);
	default:
		break;
	}
	if (k->dflt != NULL)
		return conv(c, k, k->dflt, strlen(k->dflt), at->line, at->col);
	if (k->dflt_from != NULL) {
		if (grow(&c->fills, &c->capfill, c->nfill,
		    sizeof(*c->fills)) == -1) {
			c->nomem = 1;
			return NULL;
		}
		c->fills[c->nfill].obj = obj;
		c->fills[c->nfill].key = k->name;
		c->fills[c->nfill].from = k->dflt_from;
		c->nfill++;
	}
	return NULL;
}

/* PO box, P.O. Box, P O Box, Post Office Box, POB 12, Box 12, Lockbox. */
static int
pobox(const char *s)
{
	char w[8][16];
	size_t nw = 0, i, n;

	while (*s != '\0' && nw < 8) {
		while (*s != '\0' && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' &&
		    *s <= 'Z') || (*s >= '0' && *s <= '9')))
			s++;
		for (n = 0; *s != '\0' && ((*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '.'); s++) {
			if (*s != '.' && n < sizeof(w[0]) - 1)
				w[nw][n++] = (char)(*s >= 'A' && *s <= 'Z' ?
				    *s + 32 : *s);
		}
		w[nw][n] = '\0';
		if (n > 0)
			nw++;
	}
	for (i = 0; i < nw; i++) {
		if (strcmp(w[i], "pobox") == 0 ||
		    strcmp(w[i], "lockbox") == 0 ||
		    (strcmp(w[i], "pob") == 0 && i + 1 < nw) ||
		    (strcmp(w[i], "po") == 0 && i + 1 < nw &&
		    (strcmp(w[i + 1], "box") == 0 ||
		    strcmp(w[i + 1], "drawer") == 0)) ||
		    (strcmp(w[i], "p") == 0 && i + 2 < nw &&
		    strcmp(w[i + 1], "o") == 0 &&
		    strcmp(w[i + 2], "box") == 0) ||
		    (strcmp(w[i], "post") == 0 && i + 2 < nw &&
		    strcmp(w[i + 1], "office") == 0 &&
		    strcmp(w[i + 2], "box") == 0))
			return 1;
	}
	return nw >= 2 && strcmp(w[0], "box") == 0 && w[1][0] >= '0' &&
	    w[1][0] <= '9';
}

int
pms_po_box(const char *street)
{
	return pobox(street);
}

static void
pobox_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	static const char *const keys[] = { "street", "street2" };
	const struct ynode *v;
	json_t *s;
	size_t i, old;

	for (i = 0; i < N(keys); i++) {
		s = json_object_get(obj, keys[i]);
		if (!json_is_string(s) || !pobox(json_string_value(s)))
			continue;
		v = yget(y, keys[i], NULL);
		old = path_key(c, keys[i]);
		yerr(c, v != NULL ? v : y, "a PO box: this must be a street "
		    "address (a PO box can be the pay_to address)");
		path_pop(c, old);
	}
}

#define KEYS_MAX	32	/* keys of the largest mapping */

static json_t *
walk_map(struct ctx *c, const struct key *k, const struct ynode *y,
    const struct ynode *at)
{
	const struct map *m = k->map;
	const struct ynode *kk[KEYS_MAX], *kv[KEYS_MAX], *key, *pos;
	const struct key *kd;
	char nbuf[64];
	const char *name;
	json_t *obj, *val;
	size_t i, j, old, nerr;
	int idx;

	if (y != NULL && y->kind != Y_MAP) {
		yerr(c, y, "expected a mapping (key: value lines), not %s",
		    kind_name(y));
		return NULL;
	}
	if ((obj = json_object()) == NULL) {
		c->nomem = 1;
		return NULL;
	}
	memset(kk, 0, sizeof(kk));
	memset(kv, 0, sizeof(kv));
	for (i = 0; y != NULL && i + 1 < y->n; i += 2) {
		key = y->kids[i];
		if (key->kind != Y_SCALAR) {
			yerr(c, key, "a key must be a name, not %s",
			    kind_name(key));
			continue;
		}
		if ((idx = find_key(m, key->text)) < 0) {
			unknown_key(c, m, key);
			continue;
		}
		if (kk[idx] != NULL) {
			old = path_key(c, key->text);
			yerr(c, key, "duplicate key (first at line %d)",
			    kk[idx]->line);
			path_pop(c, old);
			continue;
		}
		kk[idx] = key;
		kv[idx] = y->kids[i + 1];
	}
	for (j = 0; j < m->n && j < KEYS_MAX; j++) {
		kd = &m->keys[j];
		name = jname(kd, nbuf, sizeof(nbuf));
		old = path_key(c, kd->name);
		if (!ynull(kv[j])) {
			nerr = c->nerr;
			/* a value is checked, or an error says why not */
			if ((val = walk(c, kd, kv[j])) == NULL &&
			    c->nerr == nerr)
				c->nomem = 1;
		} else {
			pos = kk[j] != NULL ? kk[j] : y != NULL ? y : at;
			val = absent(c, kd, pos, kk[j] != NULL, obj);
		}
		if (val != NULL && json_object_set_new(obj, name, val) == -1)
			c->nomem = 1;
		path_pop(c, old);
	}
	if (k->flags & F_STREET)
		pobox_check(c, y != NULL ? y : at, obj);
	if (m->check != NULL)
		m->check(c, y != NULL ? y : at, obj);
	return obj;
}

static const char *
json_text(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Register the codes a list defines, for the references to them. */
static void
add_def(struct ctx *c, const char *code)
{
	if (grow(&c->defs, &c->capdef, c->ndef, sizeof(*c->defs)) == -1 ||
	    (c->defs[c->ndef].list = strdup(c->path)) == NULL) {
		c->nomem = 1;
		return;
	}
	c->defs[c->ndef++].code = code;
}

/* Entries of a list of mappings that are the same where they must
 * differ: their identity (F_ID, F_IDPART) or an F_DISTINCT key. */
static void
list_dupes(struct ctx *c, const struct key *k, json_t *arr,
    const struct ynode **src, const size_t *pos)
{
	const struct map *m = k->item->map;
	const struct key *id = NULL, *part = NULL, *kd;
	const struct ynode *v, *w;
	size_t a, b, j, n = json_array_size(arr), old, old2;
	json_t *x, *y;

	for (j = 0; j < m->n; j++) {
		if (m->keys[j].flags & F_ID)
			id = &m->keys[j];
		if (m->keys[j].flags & F_IDPART)
			part = &m->keys[j];
	}
	for (b = 0; b < n; b++) {
		x = json_array_get(arr, b);
		if (id != NULL && part == NULL &&
		    json_text(x, id->name) != NULL)
			add_def(c, json_text(x, id->name));
		for (j = 0; j < m->n; j++) {
			kd = &m->keys[j];
			if (!(kd->flags & (F_ID | F_DISTINCT)))
				continue;
			for (a = 0; a < b; a++) {
				y = json_array_get(arr, a);
				if (json_object_get(x, kd->name) == NULL ||
				    !json_equal(json_object_get(x, kd->name),
				    json_object_get(y, kd->name)))
					continue;
				if ((kd->flags & F_ID) && part != NULL &&
				    !json_equal(json_object_get(x, part->name),
				    json_object_get(y, part->name)))
					continue;
				if ((v = yget(src[b], kd->name, NULL)) == NULL)
					v = src[b];
				if ((w = yget(src[a], kd->name, NULL)) == NULL)
					w = src[a];
				old = path_index(c, pos[b]);
				old2 = path_key(c, kd->name);
				if (part != NULL && (kd->flags & F_ID))
					yerr(c, v, "the same %s and %s as at "
					    "line %d", kd->name, part->name,
					    w->line);
				else
					yerr(c, v, "duplicate %s (also at line "
					    "%d)", kd->name, w->line);
				path_pop(c, old2);
				path_pop(c, old);
				break;
			}
		}
	}
}

static json_t *
walk_list(struct ctx *c, const struct key *k, const struct ynode *y)
{
	const struct ynode **src = NULL;
	size_t *pos = NULL;	/* where in the file each entry of arr is */
	long long max = k->max > 0 ? k->max : LIST_MAX;
	json_t *arr = NULL, *v;
	size_t i, a, n = 0, old, nerr;

	if (y->kind != Y_SEQ) {
		yerr(c, y, "expected a list (lines that start with \"- \", or "
		    "[a, b]), not %s", kind_name(y));
		return NULL;
	}
	if ((long long)y->n < k->min)
		yerr(c, y, "needs at least %lld entr%s", k->min,
		    k->min == 1 ? "y" : "ies");
	if ((long long)y->n > max) {
		yerr(c, y, "more than %lld entries", max);
		return NULL;
	}
	if ((arr = json_array()) == NULL ||
	    (src = calloc(y->n + 1, sizeof(*src))) == NULL ||
	    (pos = calloc(y->n + 1, sizeof(*pos))) == NULL) {
		json_decref(arr);
		free(src);
		c->nomem = 1;
		return NULL;
	}
	for (i = 0; i < y->n; i++) {
		old = path_index(c, i);
		nerr = c->nerr;
		if (ynull(y->kids[i]))
			yerr(c, y->kids[i], "an empty entry");
		else if ((v = walk(c, k->item, y->kids[i])) == NULL) {
			if (c->nerr == nerr)
				c->nomem = 1;
		} else if (json_array_append_new(arr, v) == -1)
			c->nomem = 1;
		else {
			pos[n] = i;
			src[n++] = y->kids[i];
		}
		path_pop(c, old);
	}
	if (k->item->type == K_MAP)
		list_dupes(c, k, arr, src, pos);
	else if (k->flags & F_UNIQUE) {
		for (i = 0; i < n; i++)
			for (a = 0; a < i; a++)
				if (json_equal(json_array_get(arr, i),
				    json_array_get(arr, a))) {
					old = path_index(c, pos[i]);
					yerr(c, src[i], "duplicate (also at "
					    "%d:%d)", src[a]->line,
					    src[a]->col);
					path_pop(c, old);
					break;
				}
	}
	free(src);
	free(pos);
	return arr;
}

static json_t *
walk(struct ctx *c, const struct key *k, const struct ynode *y)
{
	switch (k->type) {
	case K_MAP:
		return walk_map(c, k, y, y);
	case K_LIST:
		return walk_list(c, k, y);
	case K_TYPES:
		if (y->kind != Y_SCALAR)
			return walk_list(c, k, y);
		if (strcmp(y->text, "all") == 0)
			return json_string("all");
		yerr(c, y, "expected all, or a list of appointment type codes");
		return NULL;
	default:
		return scalar(c, k, y);
	}
}

/* ---- rules across keys --------------------------------------------- */

/* An error about key name of mapping y, at that key if it is there. */
static void __attribute__((format(printf, 4, 5)))
key_err(struct ctx *c, const struct ynode *y, const char *name,
    const char *fmt, ...)
{
	const struct ynode *key = NULL, *v;
	va_list ap;
	size_t old;

	/* at the value if there is one, else the key, else the mapping */
	if ((v = yget(y, name, &key)) != NULL && !ynull(v))
		key = v;
	if (key == NULL)
		key = y;
	old = path_key(c, name);
	va_start(ap, fmt);
	vcerr(c, key->line, key->col, c->path, fmt, ap);
	va_end(ap);
	path_pop(c, old);
}

/*
 * A template's body and subject render: every placeholder one that
 * pms-remind(1) names, and no lone brace (else every reminder that
 * would use it stops at send time).
 */
static void
template_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	static const char *const parts[] = { "body", "subject" };
	const char *name = json_text(obj, "name"), *lang, *text;
	char what[PMS_CFG_CODE + 40];
	size_t i;

	lang = json_text(obj, "language");
	snprintf(what, sizeof(what), "%s (%s)", name != NULL ? name : "?",
	    lang != NULL ? lang : "en");
	for (i = 0; i < N(parts); i++)
		if ((text = json_text(obj, parts[i])) != NULL &&
		    pms_remind_tpl_check(text, what) != PMS_OK)
			key_err(c, y, parts[i], "%s", pms_errmsg());
}

static void
practice_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	const char *et = json_text(obj, "entity_type");
	int person = et != NULL && strcmp(et, "person") == 0;

	if (person && json_object_get(obj, "last_name") == NULL)
		key_err(c, y, "last_name", "required when entity_type is "
		    "person");
	if (person && json_object_get(obj, "first_name") == NULL)
		key_err(c, y, "first_name", "required when entity_type is "
		    "person");
	if (!person && json_object_get(obj, "last_name") != NULL)
		key_err(c, y, "last_name", "only for entity_type person");
	if (!person && json_object_get(obj, "first_name") != NULL)
		key_err(c, y, "first_name", "only for entity_type person");
}

static void
sep_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	size_t a, b;
	const char *x, *z;

	for (b = 1; b < separators.n; b++)
		for (a = 0; a < b; a++) {
			x = json_text(obj, sep_keys[a].name);
			z = json_text(obj, sep_keys[b].name);
			if (x != NULL && z != NULL && strcmp(x, z) == 0) {
				key_err(c, y, sep_keys[b].name, "the same "
				    "character as the %s separator",
				    sep_keys[a].name);
				break;
			}
		}
}

static void
submitter_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	if (json_object_get(obj, "phone") == NULL &&
	    json_object_get(obj, "email") == NULL)
		yerr(c, y, "give a phone or an email for the contact (the "
		    "837's PER segment needs one)");
}

/* The envelope's values must not hold a separator. */
static void
tp_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	static const char *const ids[] = { "isa02", "isa04", "sender_id",
	    "receiver_id", "gs_sender", "gs_receiver", "receiver_name" };
	json_t *seps = json_object_get(obj, "separators");
	const char *v, *s;
	size_t i, j;

	for (i = 0; i < N(ids); i++) {
		if ((v = json_text(obj, ids[i])) == NULL)
			continue;
		for (j = 0; j < separators.n; j++) {
			s = json_text(seps, sep_keys[j].name);
			if (s != NULL && strchr(v, s[0]) != NULL) {
				key_err(c, y, ids[i], "holds the %s separator "
				    "character", sep_keys[j].name);
				break;
			}
		}
	}
}

static void
quiet_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	json_t *f = json_object_get(obj, "from"), *t = json_object_get(obj,
	    "to");

	if (f != NULL && t != NULL && json_equal(f, t))
		key_err(c, y, "to", "the same time as from");
}

static void
rule_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	static const char *const whens[] = { "before", "day_before_at",
	    "same_day_at" };
	const char *first = NULL;
	size_t i;

	for (i = 0; i < N(whens); i++) {
		if (json_object_get(obj, whens[i]) == NULL &&
		    yget(y, whens[i], NULL) == NULL)
			continue;
		if (first != NULL) {
			key_err(c, y, whens[i], "give one of before, "
			    "day_before_at and same_day_at, not %s too",
			    first);
			return;
		}
		first = whens[i];
	}
	if (first == NULL)
		yerr(c, y, "give before (such as 48h), day_before_at or "
		    "same_day_at (such as \"10:00\")");
}

/* The sender's PATH: absolute directories, each a PATH element. */
static void
reminders_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	const struct ynode *list = yget(y, "sender_path", NULL), *at;
	json_t *dirs = json_object_get(obj, "sender_path");
	const char *d;
	size_t i, old, old2;

	for (i = 0; i < json_array_size(dirs); i++) {
		d = json_string_value(json_array_get(dirs, i));
		if (d == NULL || (d[0] == '/' && strchr(d, ':') == NULL))
			continue;
		old = path_key(c, "sender_path");
		old2 = path_index(c, i);
		at = list != NULL && list->kind == Y_SEQ && i < list->n ?
		    list->kids[i] : y;
		yerr(c, at, "expected an absolute directory (starting with "
		    "/, without :)");
		path_pop(c, old2);
		path_pop(c, old);
	}
}

static void
billing_check(struct ctx *c, const struct ynode *y, json_t *obj)
{
	json_t *w = json_object_get(obj, "contractual_writeoffs");
	json_t *inf = json_object_get(obj, "informational");
	const struct ynode *list = yget(y, "informational", NULL);
	size_t i, j, old, old2;

	for (i = 0; i < json_array_size(inf); i++)
		for (j = 0; j < json_array_size(w); j++)
			if (json_equal(json_array_get(inf, i),
			    json_array_get(w, j))) {
				old = path_key(c, "informational");
				old2 = path_index(c, i);
				if (list != NULL && list->kind == Y_SEQ &&
				    i < list->n)
					yerr(c, list->kids[i], "also in "
					    "contractual_writeoffs: a code is "
					    "written off or informational");
				else
					yerr(c, y, "also in "
					    "contractual_writeoffs: a code is "
					    "written off or informational");
				path_pop(c, old2);
				path_pop(c, old);
			}
}

/* A value by its dotted path of object keys. */
static json_t *
jpath(json_t *root, const char *path)
{
	char key[64];
	const char *p = path, *e;

	while (root != NULL && *p != '\0') {
		e = strchr(p, '.');
		if (e == NULL)
			e = p + strlen(p);
		snprintf(key, sizeof(key), "%.*s", (int)(e - p), p);
		root = json_object_get(root, key);
		p = *e == '.' ? e + 1 : e;
	}
	return root;
}

/*
 * What needs the whole file: defaults taken from other keys, references
 * to codes, and a rule's template of another channel.
 */
static void
finish(struct ctx *c, const struct ynode *y)
{
	const struct ynode *ry, *rule_y, *ty;
	json_t *v, *rules, *tpls, *r, *t;
	const char *name, *chan;
	size_t i, j, d;
	int found, same;

	for (i = 0; i < c->nfill; i++)
		if ((v = jpath(c->root, c->fills[i].from)) != NULL &&
		    json_object_set(c->fills[i].obj, c->fills[i].key, v) == -1)
			c->nomem = 1;
	for (i = 0; i < c->nref; i++) {
		for (d = 0; d < c->ndef; d++)
			if (strcmp(c->defs[d].list, c->refs[i].list) == 0 &&
			    strcmp(c->defs[d].code, c->refs[i].code) == 0)
				break;
		if (d == c->ndef)
			cerr_path(c, c->refs[i].line, c->refs[i].col,
			    c->refs[i].path, "no %s has this code (see %s)",
			    c->refs[i].what, c->refs[i].list);
	}
	rules = jpath(c->root, "reminders.rules");
	tpls = json_object_get(c->root, "templates");
	ry = yget(yget(y, "reminders", NULL), "rules", NULL);
	for (i = 0; i < json_array_size(rules); i++) {
		r = json_array_get(rules, i);
		name = json_text(r, "template");
		chan = json_text(r, "channel");
		found = same = 0;
		for (j = 0; name != NULL && j < json_array_size(tpls); j++) {
			t = json_array_get(tpls, j);
			if (json_text(t, "name") == NULL ||
			    strcmp(json_text(t, "name"), name) != 0)
				continue;
			found = 1;
			same |= chan != NULL && json_text(t, "channel") !=
			    NULL && strcmp(json_text(t, "channel"), chan) == 0;
		}
		if (same || ry == NULL || ry->kind != Y_SEQ || (!found &&
		    (name == NULL || chan == NULL ||
		    pms_remind_tpl_shipped(name, chan))))
			continue;
		/* the rule's node, by its name (names are unique) */
		for (j = 0, rule_y = NULL; json_text(r, "name") != NULL &&
		    j < ry->n && rule_y == NULL; j++)
			if ((ty = yget(ry->kids[j], "name", NULL)) != NULL &&
			    ty->kind == Y_SCALAR && strcmp(ty->text,
			    json_text(r, "name")) == 0)
				rule_y = ry->kids[j];
		if (rule_y == NULL)
			continue;
		path_pop(c, 0);
		path_key(c, "reminders");
		path_key(c, "rules");
		path_index(c, j - 1);
		if (found)
			key_err(c, rule_y, "template", "the templates of this "
			    "name are for another channel");
		else
			key_err(c, rule_y, "template", "no %s template of this "
			    "name, shipped or in templates", chan);
		path_pop(c, 0);
	}
}

/* ---- parsing -------------------------------------------------------- */

struct pms_config {
	json_t		*root;
	char		*text;		/* canonical: compact, keys sorted */
	unsigned	 refs;		/* holders besides the first */
};

static void
ctx_release(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nerr; i++)
		free(c->errs[i].msg);
	for (i = 0; i < c->nref; i++) {
		free(c->refs[i].code);
		free(c->refs[i].path);
	}
	for (i = 0; i < c->ndef; i++)
		free((char *)c->defs[i].list);
	free(c->errs);
	free(c->refs);
	free(c->defs);
	free(c->fills);
	json_decref(c->root);
}

/* A file in UTF-16 or UTF-32 (with or without its BOM). */
static int
wide_text(const unsigned char *b, size_t len)
{
	if (len >= 2 && ((b[0] == 0xff && b[1] == 0xfe) ||
	    (b[0] == 0xfe && b[1] == 0xff)))
		return 1;
	return len >= 2 && (b[0] == 0 || b[1] == 0);
}

enum pms_status
pms_config_parse(const char *buf, size_t len, const char *name,
    pms_config_report_fn *report, void *arg, struct pms_config **cfgp)
{
	struct pms_config *cfg = NULL;
	struct ynode *y = NULL;
	struct ctx c;
	enum pms_status st = PMS_OK;
	size_t i;
	int failed = 0;
	char more[128];

	*cfgp = NULL;
	memset(&c, 0, sizeof(c));
	c.name = name != NULL ? name : "config";
	if (len > FILE_MAX)
		cerr_at(&c, 0, 0, 1, "larger than %d KiB: not a configuration "
		    "file", FILE_MAX / 1024);
	else if (wide_text((const unsigned char *)buf, len))
		cerr_at(&c, 1, 1, 1, "the file is UTF-16, not UTF-8: save it "
		    "as UTF-8");
	else if ((y = yload(&c, buf, len, &failed)) == NULL && !failed)
		cerr_at(&c, 1, 1, 1, "the file is empty: no configuration in "
		    "it");
	else if (y != NULL && ynull(y))
		cerr_at(&c, y->line, y->col, 1, "the document is empty: no "
		    "configuration in it");
	else if (y != NULL && y->kind != Y_MAP)
		cerr_at(&c, y->line, y->col, 1, "expected a mapping of "
		    "sections (practice:, locations:, providers:, ...), not %s",
		    kind_name(y));
	else if (y != NULL) {
		c.root = walk_map(&c, &root_key, y, y);
		if (!c.nomem && c.root != NULL)
			finish(&c, y);
	}
	ynode_free(y);
	if (c.nomem) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	if (c.nerr > 0) {
		qsort(c.errs, c.nerr, sizeof(*c.errs), cerr_cmp);
		for (i = 0; i < c.nerr && i < ERRORS_MAX && report != NULL;
		    i++)
			report(arg, c.errs[i].msg);
		if (c.nerr > ERRORS_MAX && report != NULL) {
			snprintf(more, sizeof(more), "%s: %zu more errors not "
			    "shown", c.name, c.nerr - ERRORS_MAX);
			report(arg, more);
		}
		st = pms_seterr(PMS_ECONFIG, "%s: %zu error%s", c.name,
		    c.nerr, c.nerr == 1 ? "" : "s");
		goto out;
	}
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (cfg->text = json_dumps(c.root, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL) {
		free(cfg);
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	cfg->root = c.root;
	c.root = NULL;
	*cfgp = cfg;
out:
	ctx_release(&c);
	return st;
}

enum pms_status
pms_config_read_file(const char *path, pms_config_report_fn *report,
    void *arg, struct pms_config **cfgp)
{
	struct stat sb;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	enum pms_status st;
	int fd;

	*cfgp = NULL;
	if (strcmp(path, "-") == 0) {
		path = "standard input";
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return pms_seterr(errno == ENOENT || errno == EACCES ||
		    errno == ENOTDIR ? PMS_ENOINPUT : PMS_EIO, "%s: %s", path,
		    strerror(errno));
	/* a file, a pipe (/dev/stdin) or a terminal; not a directory */
	if (fstat(fd, &sb) == -1) {
		st = pms_seterr(PMS_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode) || S_ISBLK(sb.st_mode)) {
		st = pms_seterr(PMS_ENOINPUT, "%s: not a file", path);
		goto out;
	}
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	while (n <= FILE_MAX &&
	    (r = read(fd, buf + n, FILE_MAX + 1 - n)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			st = pms_seterr(PMS_EIO, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	st = pms_config_parse(buf, n, path, report, arg, cfgp);
out:
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return st;
}

void
pms_config_free(struct pms_config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->refs > 0) {	/* the store's cache holds it too */
		cfg->refs--;
		return;
	}
	json_decref(cfg->root);
	free(cfg->text);
	free(cfg);
}

/* ---- values by path -------------------------------------------------- */

/*
 * Find path in the schema and in cfg: *kp gets the key, *vp the value
 * (NULL if not set).  PMS_EINTERNAL if pms.yaml(5) has no such path.
 */
static enum pms_status
resolve(const struct pms_config *cfg, const char *path,
    const struct key **kp, json_t **vp)
{
	const struct key *k = &root_key;
	json_t *v = cfg->root;
	char name[64], nbuf[64];
	const char *p = path;
	size_t n;
	char *end;
	unsigned long idx;
	int j;

	while (*p != '\0') {
		if (k->type != K_MAP)
			goto bad;
		n = strcspn(p, ".[");
		if (n == 0 || n >= sizeof(name))
			goto bad;
		memcpy(name, p, n);
		name[n] = '\0';
		if ((j = find_key(k->map, name)) < 0)
			goto bad;
		k = &k->map->keys[j];
		v = json_object_get(v, jname(k, nbuf, sizeof(nbuf)));
		p += n;
		while (*p == '[') {
			if ((k->type != K_LIST && k->type != K_TYPES) ||
			    p[1] < '0' || p[1] > '9')
				goto bad;
			idx = strtoul(p + 1, &end, 10);
			if (*end != ']')
				goto bad;
			v = json_array_get(v, idx);
			k = k->item;
			p = end + 1;
		}
		if (*p == '.')
			p++;
		else if (*p != '\0')
			goto bad;
	}
	*kp = k;
	*vp = v;
	return PMS_OK;
bad:
	return pms_seterr(PMS_EINTERNAL, "config: no key \"%s\" in "
	    "pms.yaml(5)", path);
}

enum pms_status
pms_config_int(const struct pms_config *cfg, const char *path, int64_t *v)
{
	const struct key *k;
	enum pms_status st;
	int32_t tod;
	json_t *j;

	if ((st = resolve(cfg, path, &k, &j)) != PMS_OK)
		return st;
	if (k->type != K_INT && k->type != K_BOOL && k->type != K_MONEY &&
	    k->type != K_DURATION && k->type != K_TIME)
		return pms_seterr(PMS_EINTERNAL, "config: %s is not a number",
		    path);
	if (j == NULL)
		return pms_seterr(PMS_EREFUSED, "config: %s is not set", path);
	if (k->type == K_TIME) {
		if (pms_time_parse(json_string_value(j), &tod) != PMS_OK)
			return pms_seterr(PMS_EINTERNAL, "config: %s: bad "
			    "time", path);
		*v = tod;
	} else if (k->type == K_BOOL)
		*v = json_is_true(j);
	else
		*v = json_integer_value(j);
	return PMS_OK;
}

enum pms_status
pms_config_text(const struct pms_config *cfg, const char *path,
    const char **v)
{
	const struct key *k;
	enum pms_status st;
	json_t *j;

	if ((st = resolve(cfg, path, &k, &j)) != PMS_OK)
		return st;
	if (k->type == K_MAP || k->type == K_LIST || k->type == K_INT ||
	    k->type == K_BOOL || k->type == K_MONEY || k->type == K_DURATION)
		return pms_seterr(PMS_EINTERNAL, "config: %s is not text",
		    path);
	if (j == NULL)
		return pms_seterr(PMS_EREFUSED, "config: %s is not set", path);
	if (!json_is_string(j))
		return pms_seterr(PMS_EREFUSED, "config: %s is a list", path);
	*v = json_string_value(j);
	return PMS_OK;
}

enum pms_status
pms_config_count(const struct pms_config *cfg, const char *path, size_t *n)
{
	const struct key *k;
	enum pms_status st;
	json_t *j;

	if ((st = resolve(cfg, path, &k, &j)) != PMS_OK)
		return st;
	if (k->type != K_LIST && k->type != K_TYPES)
		return pms_seterr(PMS_EINTERNAL, "config: %s is not a list",
		    path);
	if (j == NULL || !json_is_array(j))
		return pms_seterr(PMS_EREFUSED, "config: %s is not a list of "
		    "entries", path);
	*n = json_array_size(j);
	return PMS_OK;
}

char *
pms_config_json(const struct pms_config *cfg, const char *path)
{
	const struct key *k;
	json_t *j;

	if (path == NULL || *path == '\0')
		return strdup(cfg->text);
	if (resolve(cfg, path, &k, &j) != PMS_OK || j == NULL)
		return NULL;
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* ---- writing YAML ----------------------------------------------------- */

/* Text that a YAML reader would take for a number, a boolean or null
 * is quoted, so that any tool reads it as text too. */
static yaml_scalar_style_t
text_style(const char *s)
{
	static const char *const words[] = { "~", "null", "true", "false",
	    "yes", "no", "on", "off", "y", "n" };
	size_t i;

	if (*s == '\0' || strchr("0123456789+-.", *s) != NULL)
		return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	for (i = 0; i < N(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return YAML_ANY_SCALAR_STYLE;
}

static int
emit_scalar(yaml_emitter_t *e, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (const yaml_char_t *)s, (int)strlen(s), 1, 1, style))
		return 0;
	return yaml_emitter_emit(e, &ev);
}

static int	emit_value(yaml_emitter_t *, const struct key *, json_t *);

static int
emit_map(yaml_emitter_t *e, const struct map *m, json_t *obj)
{
	yaml_event_t ev;
	char nbuf[64];
	json_t *v;
	size_t j;

	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
	    YAML_BLOCK_MAPPING_STYLE) || !yaml_emitter_emit(e, &ev))
		return 0;
	for (j = 0; j < m->n; j++) {
		v = json_object_get(obj, jname(&m->keys[j], nbuf,
		    sizeof(nbuf)));
		if (v == NULL)
			continue;
		if (!emit_scalar(e, m->keys[j].name, YAML_PLAIN_SCALAR_STYLE) ||
		    !emit_value(e, &m->keys[j], v))
			return 0;
	}
	return yaml_mapping_end_event_initialize(&ev) &&
	    yaml_emitter_emit(e, &ev);
}

static int
emit_value(yaml_emitter_t *e, const struct key *k, json_t *v)
{
	yaml_event_t ev;
	char buf[64];
	const char *s;
	size_t i;

	switch (k->type) {
	case K_MAP:
		return emit_map(e, k->map, v);
	case K_LIST:
	case K_TYPES:
		if (json_is_string(v))
			return emit_scalar(e, json_string_value(v),
			    YAML_PLAIN_SCALAR_STYLE);
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    k->item->type == K_MAP ? YAML_BLOCK_SEQUENCE_STYLE :
		    YAML_FLOW_SEQUENCE_STYLE) || !yaml_emitter_emit(e, &ev))
			return 0;
		for (i = 0; i < json_array_size(v); i++)
			if (!emit_value(e, k->item, json_array_get(v, i)))
				return 0;
		return yaml_sequence_end_event_initialize(&ev) &&
		    yaml_emitter_emit(e, &ev);
	case K_INT:
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(v));
		return emit_scalar(e, buf, YAML_PLAIN_SCALAR_STYLE);
	case K_BOOL:
		return emit_scalar(e, json_is_true(v) ? "true" : "false",
		    YAML_PLAIN_SCALAR_STYLE);
	case K_MONEY:
		pms_money_fmt(json_integer_value(v), buf);
		return emit_scalar(e, buf, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	case K_DURATION:
		duration_fmt(json_integer_value(v), buf, sizeof(buf));
		return emit_scalar(e, buf, YAML_PLAIN_SCALAR_STYLE);
	default:
		s = json_string_value(v) != NULL ? json_string_value(v) : "";
		if (k->type == K_BODY && strchr(s, '\n') != NULL)
			return emit_scalar(e, s, YAML_LITERAL_SCALAR_STYLE);
		return emit_scalar(e, s, text_style(s));
	}
}

struct obuf {
	char		*p;
	size_t		 n, cap;
};

static int
obuf_write(void *arg, unsigned char *data, size_t size)
{
	struct obuf *b = arg;
	char *np;
	size_t ncap;

	if (b->n + size + 1 > b->cap) {
		ncap = b->cap == 0 ? 8192 : b->cap;
		while (ncap < b->n + size + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL)
			return 0;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, data, size);
	b->n += size;
	return 1;
}

enum pms_status
pms_config_write(const struct pms_config *cfg, FILE *out)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	struct obuf b = { NULL, 0, 0 };
	size_t i;
	int ok;

	if (!yaml_emitter_initialize(&e))
		return pms_seterr(PMS_ENOMEM, "out of memory");
	yaml_emitter_set_output(&e, obuf_write, &b);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	yaml_emitter_set_width(&e, -1);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    yaml_emitter_emit(&e, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	    yaml_emitter_emit(&e, &ev) &&
	    emit_map(&e, &root_map, cfg->root) &&
	    yaml_document_end_event_initialize(&ev, 1) &&
	    yaml_emitter_emit(&e, &ev) &&
	    yaml_stream_end_event_initialize(&ev) &&
	    yaml_emitter_emit(&e, &ev) && yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
	if (!ok) {
		free(b.p);
		return pms_seterr(PMS_ENOMEM, "out of memory writing YAML");
	}
	/* a blank line before each section but the first, for people */
	fputs("# The practice's configuration: pms.yaml(5).  Load it with\n"
	    "# \"pms-admin config load FILE\".\n", out);
	for (i = 0; i < b.n; i++) {
		if (i > 0 && b.p[i - 1] == '\n' && b.p[i] != ' ' &&
		    b.p[i] != '-' && b.p[i] != '\n')
			fputc('\n', out);
		fputc(b.p[i], out);
	}
	free(b.p);
	if (ferror(out))
		return pms_seterr(PMS_EIO, "write error: %s", strerror(errno));
	return PMS_OK;
}

/* ---- the store ---------------------------------------------------- */

/* An entity table: how an entry goes in, leaves, and is found. */
struct entity {
	const char	*list;		/* its section of the file */
	const char	*what;		/* what messages call one */
	const char	*active;	/* ?1 code: its active flag */
	const char	*upsert;	/* ?1: the entry as JSON */
	const char	*retire;	/* ?1: the codes in the file, as JSON */
	const char	*by_code;	/* ?1 code: id, active, doc */
	const char	*by_id;		/* ?1 id: id, active, doc */
};

#define J(k)	"json_extract(?1, '$." k "')"

static const struct entity e_locations = {
	"locations", "location",
	"SELECT active FROM locations WHERE code = ?1",
	"INSERT INTO locations (code, name, street, street2, city, state, "
	"zip, time_zone, place_of_service, phone, npi, rooms, doc) VALUES ("
	J("code") ", " J("name") ", " J("address.street") ", "
	J("address.street2") ", " J("address.city") ", " J("address.state")
	", " J("address.zip") ", " J("time_zone") ", " J("place_of_service")
	", " J("phone") ", " J("npi") ", " J("rooms") ", ?1) "
	"ON CONFLICT (code) DO UPDATE SET active = 1, name = excluded.name, "
	"street = excluded.street, street2 = excluded.street2, "
	"city = excluded.city, state = excluded.state, zip = excluded.zip, "
	"time_zone = excluded.time_zone, "
	"place_of_service = excluded.place_of_service, "
	"phone = excluded.phone, npi = excluded.npi, rooms = excluded.rooms, "
	"doc = excluded.doc "
	"WHERE locations.doc IS NOT excluded.doc OR locations.active = 0",
	"UPDATE locations SET active = 0 WHERE active = 1 AND code NOT IN "
	"(SELECT value FROM json_each(?1))",
	"SELECT id, active, doc FROM locations WHERE code = ?1",
	"SELECT id, active, doc FROM locations WHERE id = ?1",
};

static const struct entity e_providers = {
	"providers", "provider",
	"SELECT active FROM providers WHERE code = ?1",
	"INSERT INTO providers (code, first_name, middle_name, last_name, "
	"suffix, credential, npi, taxonomy, locations, doc) VALUES ("
	J("code") ", " J("first_name") ", " J("middle_name") ", "
	J("last_name") ", " J("suffix") ", " J("credential") ", " J("npi")
	", " J("taxonomy") ", " J("locations") ", ?1) "
	"ON CONFLICT (code) DO UPDATE SET active = 1, "
	"first_name = excluded.first_name, "
	"middle_name = excluded.middle_name, last_name = excluded.last_name, "
	"suffix = excluded.suffix, credential = excluded.credential, "
	"npi = excluded.npi, taxonomy = excluded.taxonomy, "
	"locations = excluded.locations, doc = excluded.doc "
	"WHERE providers.doc IS NOT excluded.doc OR providers.active = 0",
	"UPDATE providers SET active = 0 WHERE active = 1 AND code NOT IN "
	"(SELECT value FROM json_each(?1))",
	"SELECT id, active, doc FROM providers WHERE code = ?1",
	"SELECT id, active, doc FROM providers WHERE id = ?1",
};

static const struct entity e_types = {
	"appointment_types", "appointment type",
	"SELECT active FROM appointment_types WHERE code = ?1",
	"INSERT INTO appointment_types (code, name, length_secs, codes, "
	"may_overlap, doc) VALUES (" J("code") ", " J("name") ", "
	J("length_secs") ", " J("codes") ", " J("may_overlap") ", ?1) "
	"ON CONFLICT (code) DO UPDATE SET active = 1, name = excluded.name, "
	"length_secs = excluded.length_secs, codes = excluded.codes, "
	"may_overlap = excluded.may_overlap, doc = excluded.doc "
	"WHERE appointment_types.doc IS NOT excluded.doc OR "
	"appointment_types.active = 0",
	"UPDATE appointment_types SET active = 0 WHERE active = 1 AND code "
	"NOT IN (SELECT value FROM json_each(?1))",
	"SELECT id, active, doc FROM appointment_types WHERE code = ?1",
	"SELECT id, active, doc FROM appointment_types WHERE id = ?1",
};

static const struct entity e_payers = {
	"payers", "payer",
	"SELECT active FROM payers WHERE code = ?1",
	"INSERT INTO payers (code, name, payer_id, filing_indicator, "
	"timely_filing_days, prior_auth_required, fee_schedule, doc) VALUES ("
	J("code") ", " J("name") ", " J("payer_id") ", "
	J("filing_indicator") ", " J("timely_filing_days") ", "
	J("prior_auth_required") ", " J("fee_schedule") ", ?1) "
	"ON CONFLICT (code) DO UPDATE SET active = 1, name = excluded.name, "
	"payer_id = excluded.payer_id, "
	"filing_indicator = excluded.filing_indicator, "
	"timely_filing_days = excluded.timely_filing_days, "
	"prior_auth_required = excluded.prior_auth_required, "
	"fee_schedule = excluded.fee_schedule, doc = excluded.doc "
	"WHERE payers.doc IS NOT excluded.doc OR payers.active = 0",
	"UPDATE payers SET active = 0 WHERE active = 1 AND code NOT IN "
	"(SELECT value FROM json_each(?1))",
	"SELECT id, active, doc FROM payers WHERE code = ?1",
	"SELECT id, active, doc FROM payers WHERE id = ?1",
};

#undef J

/* The document the store holds, or NULL in *docp; the caller frees. */
static enum pms_status
stored_doc(struct pms_store *s, char **docp)
{
	sqlite3_stmt *st;
	int rc;

	*docp = NULL;
	rc = pms_store_prepare(s, "SELECT doc FROM config WHERE id = 1", &st);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "reading the configuration");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (*docp = strdup((const char *)sqlite3_column_text(st, 0))) ==
	    NULL) {
		pms_store_finalize(s, st);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	pms_store_finalize(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, "reading the configuration");
	return PMS_OK;
}

/* Step a statement that writes; PMS_OK and its change count. */
static enum pms_status
step_write(struct pms_store *s, sqlite3_stmt *st, const char *what,
    int *changes)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(s, rc, what);
	if (changes != NULL)
		*changes = sqlite3_changes(s->db);
	return PMS_OK;
}

/* Bring one entity table in line with the entries of cfg. */
static enum pms_status
sync_entity(struct pms_store *s, const struct entity *e, json_t *list,
    struct pms_config_count *n)
{
	sqlite3_stmt *sel = NULL, *up = NULL, *ret = NULL;
	json_t *codes = NULL, *entry;
	enum pms_status st = PMS_OK;
	char *doc = NULL, *text = NULL;
	size_t i;
	int rc, was, changes = 0;

	memset(n, 0, sizeof(*n));
	if ((rc = sqlite3_prepare_v2(s->db, e->active, -1, &sel, NULL)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(s->db, e->upsert, -1, &up, NULL)) !=
	    SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(s->db, e->retire, -1, &ret, NULL)) !=
	    SQLITE_OK) {
		st = pms_store_sqlerr(s, rc, e->list);
		goto out;
	}
	if ((codes = json_array()) == NULL)
		goto nomem;
	for (i = 0; i < json_array_size(list); i++) {
		entry = json_array_get(list, i);
		if ((doc = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS)) ==
		    NULL || json_array_append(codes, json_object_get(entry,
		    "code")) == -1)
			goto nomem;
		sqlite3_reset(sel);
		sqlite3_bind_text(sel, 1, json_string_value(json_object_get(
		    entry, "code")), -1, SQLITE_TRANSIENT);
		if ((rc = sqlite3_step(sel)) == SQLITE_ROW)
			was = sqlite3_column_int(sel, 0);
		else if (rc == SQLITE_DONE)
			was = -1;
		else {
			st = pms_store_sqlerr(s, rc, e->list);
			goto out;
		}
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, doc, -1, SQLITE_TRANSIENT);
		if ((st = step_write(s, up, e->list, &changes)) != PMS_OK)
			goto out;
		free(doc);
		doc = NULL;
		if (changes == 0)
			continue;
		if (was == -1)
			n->added++;
		else if (was == 0)
			n->reactivated++;
		else
			n->changed++;
	}
	if ((text = json_dumps(codes, JSON_COMPACT)) == NULL)
		goto nomem;
	sqlite3_bind_text(ret, 1, text, -1, SQLITE_TRANSIENT);
	if ((st = step_write(s, ret, e->list, &changes)) != PMS_OK)
		goto out;
	n->inactivated = (unsigned)changes;
	goto out;
nomem:
	st = pms_seterr(PMS_ENOMEM, "out of memory");
out:
	free(doc);
	free(text);
	json_decref(codes);
	sqlite3_finalize(sel);
	sqlite3_finalize(up);
	sqlite3_finalize(ret);
	return st;
}

static void
add_section(struct pms_config_diff *d, const char *name)
{
	size_t n = strlen(d->sections);

	snprintf(d->sections + n, sizeof(d->sections) - n, "%s%s",
	    n > 0 ? "," : "", name);
}

enum pms_status
pms_config_load(struct pms_store *s, const struct pms_config *cfg,
    int dry_run, struct pms_config_diff *d)
{
	const struct { const struct entity *e; struct pms_config_count *n; }
	    ents[] = { { &e_locations, &d->locations },
	    { &e_providers, &d->providers },
	    { &e_types, &d->appointment_types },
	    { &e_payers, &d->payers } };
	sqlite3_stmt *st = NULL;
	json_t *old = NULL, *a, *b;
	enum pms_status ps;
	char *doc = NULL;
	size_t i;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!dry_run && (ps = pms_rights_need(s, "admin.config.load")) !=
	    PMS_OK)
		return ps;
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	if ((ps = stored_doc(s, &doc)) != PMS_OK)
		goto fail;
	if (doc != NULL && strcmp(doc, cfg->text) == 0) {
		ps = PMS_OK;
		goto fail;		/* nothing to write: roll back */
	}
	if (doc != NULL && (old = json_loads(doc, 0, NULL)) == NULL) {
		ps = pms_seterr(PMS_ETAMPER, "the stored configuration is not "
		    "JSON");
		goto fail;
	}
	d->changed = 1;
	for (i = 0; i < root_map.n; i++) {
		a = json_object_get(old, root_keys[i].name);
		b = json_object_get(cfg->root, root_keys[i].name);
		if ((a != NULL || b != NULL) && (a == NULL || b == NULL ||
		    !json_equal(a, b)))
			add_section(d, root_keys[i].name);
	}
	for (i = 0; i < N(ents); i++)
		if ((ps = sync_entity(s, ents[i].e, json_object_get(cfg->root,
		    ents[i].e->list), ents[i].n)) != PMS_OK)
			goto fail;
	if (dry_run)
		goto fail;		/* said what would change: roll back */
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO config (id, doc, "
	    "loaded_at, loaded_by) VALUES (1, ?1, "
	    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2) ON CONFLICT (id) DO "
	    "UPDATE SET doc = excluded.doc, loaded_at = excluded.loaded_at, "
	    "loaded_by = excluded.loaded_by", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "config");
		goto fail;
	}
	sqlite3_bind_text(st, 1, cfg->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->u->label, -1, SQLITE_STATIC);
	if ((ps = step_write(s, st, "config", NULL)) != PMS_OK ||
	    (ps = pms_audit_append(s, "config.load", d->sections, NULL, 0)) !=
	    PMS_OK)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	free(doc);
	json_decref(old);
	return pms_store_commit(s);
fail:
	sqlite3_finalize(st);
	pms_store_rollback(s);
	free(doc);
	json_decref(old);
	return ps;
}

enum pms_status
pms_config_read(struct pms_store *s, struct pms_config **cfgp)
{
	struct pms_config *cfg;
	enum pms_status st;
	char *doc;

	*cfgp = NULL;
	if ((st = stored_doc(s, &doc)) != PMS_OK)
		return st;
	if (doc == NULL)
		return pms_seterr(PMS_ECONFIG, "the practice has no "
		    "configuration yet: load one with \"pms-admin config load "
		    "FILE\"");
	/* the same text as last time: the same configuration, parsed once
	 * per process (billing and claims read it per call) */
	if (s->cfg != NULL && strcmp(s->cfg->text, doc) == 0) {
		free(doc);
		s->cfg->refs++;
		*cfgp = s->cfg;
		return PMS_OK;
	}
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL) {
		free(doc);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	cfg->text = doc;
	if ((cfg->root = json_loads(doc, 0, NULL)) == NULL ||
	    !json_is_object(cfg->root)) {
		pms_config_free(cfg);
		return pms_seterr(PMS_ETAMPER, "the stored configuration is "
		    "not JSON");
	}
	pms_config_free(s->cfg);	/* its other holders keep it */
	cfg->refs = 1;
	s->cfg = cfg;
	*cfgp = cfg;
	return PMS_OK;
}

enum pms_status
pms_config_dump(struct pms_store *s, FILE *out)
{
	struct pms_config *cfg;
	enum pms_status st;

	if ((st = pms_rights_need(s, "admin.config.dump")) != PMS_OK ||
	    (st = pms_config_read(s, &cfg)) != PMS_OK)
		return st;
	st = pms_config_write(cfg, out);
	pms_config_free(cfg);
	return st;
}

/* ---- the entities ------------------------------------------------------ */

/* Copy the text at key of o into buf; "" if absent. */
static void
jcopy(char *buf, size_t size, const json_t *o, const char *key)
{
	const char *v = json_text(o, key);

	snprintf(buf, size, "%s", v != NULL ? v : "");
}

#define JCOPY(dst, o, key)	jcopy((dst), sizeof(dst), (o), (key))

static void
fill_address(struct pms_address *a, const json_t *o)
{
	JCOPY(a->street, o, "street");
	JCOPY(a->street2, o, "street2");
	JCOPY(a->city, o, "city");
	JCOPY(a->state, o, "state");
	JCOPY(a->zip, o, "zip");
}

/*
 * One row of an entity table, by code (id 0) or by id: its id, active
 * flag and JSON in *doc (the caller's).  PMS_EREFUSED if there is none,
 * or by code an inactive one.
 */
static enum pms_status
entity_row(struct pms_store *s, const struct entity *e, const char *code,
    int64_t id, int64_t *idp, int *active, json_t **doc)
{
	sqlite3_stmt *st;
	enum pms_status ps = PMS_OK;
	int rc;

	*doc = NULL;
	rc = sqlite3_prepare_v2(s->db, code != NULL ? e->by_code : e->by_id,
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, e->list);
	if (code != NULL)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*idp = sqlite3_column_int64(st, 0);
		*active = sqlite3_column_int(st, 1);
		if ((*doc = json_loads((const char *)sqlite3_column_text(st, 2),
		    0, NULL)) == NULL)
			ps = pms_seterr(PMS_ETAMPER, "%s: stored entry is not "
			    "JSON", e->list);
		else if (code != NULL && !*active)
			ps = pms_seterr(PMS_EREFUSED, "%s \"%s\" is inactive "
			    "(no longer in the configuration)", e->what, code);
	} else if (rc == SQLITE_DONE && code != NULL && pms_quotable(code))
		ps = pms_seterr(PMS_EREFUSED, "unknown %s \"%s\"", e->what,
		    code);
	else if (rc == SQLITE_DONE && code != NULL)
		/* not the shape of a code: it may be anything, a name */
		ps = pms_seterr(PMS_EREFUSED, "unknown %s: not a code of the "
		    "configuration", e->what);
	else if (rc == SQLITE_DONE)
		ps = pms_seterr(PMS_EREFUSED, "no %s with id %lld", e->what,
		    (long long)id);
	else
		ps = pms_store_sqlerr(s, rc, e->list);
	sqlite3_finalize(st);
	if (ps != PMS_OK) {
		json_decref(*doc);
		*doc = NULL;
	}
	return ps;
}

static enum pms_status
location_row(struct pms_store *s, const char *code, int64_t id,
    struct pms_location *l)
{
	enum pms_status st;
	json_t *o;

	memset(l, 0, sizeof(*l));
	if ((st = entity_row(s, &e_locations, code, id, &l->id, &l->active,
	    &o)) != PMS_OK)
		return st;
	JCOPY(l->code, o, "code");
	JCOPY(l->name, o, "name");
	fill_address(&l->address, json_object_get(o, "address"));
	JCOPY(l->time_zone, o, "time_zone");
	JCOPY(l->place_of_service, o, "place_of_service");
	JCOPY(l->phone, o, "phone");
	JCOPY(l->npi, o, "npi");
	json_decref(o);
	return PMS_OK;
}

enum pms_status
pms_location_find(struct pms_store *s, const char *code,
    struct pms_location *l)
{
	return location_row(s, code, 0, l);
}

enum pms_status
pms_location_get(struct pms_store *s, int64_t id, struct pms_location *l)
{
	return location_row(s, NULL, id, l);
}

static enum pms_status
provider_row(struct pms_store *s, const char *code, int64_t id,
    struct pms_provider *p)
{
	enum pms_status st;
	json_t *o;

	memset(p, 0, sizeof(*p));
	if ((st = entity_row(s, &e_providers, code, id, &p->id, &p->active,
	    &o)) != PMS_OK)
		return st;
	JCOPY(p->code, o, "code");
	JCOPY(p->first_name, o, "first_name");
	JCOPY(p->middle_name, o, "middle_name");
	JCOPY(p->last_name, o, "last_name");
	JCOPY(p->suffix, o, "suffix");
	JCOPY(p->credential, o, "credential");
	JCOPY(p->npi, o, "npi");
	JCOPY(p->taxonomy, o, "taxonomy");
	json_decref(o);
	return PMS_OK;
}

enum pms_status
pms_provider_find(struct pms_store *s, const char *code,
    struct pms_provider *p)
{
	return provider_row(s, code, 0, p);
}

enum pms_status
pms_provider_get(struct pms_store *s, int64_t id, struct pms_provider *p)
{
	return provider_row(s, NULL, id, p);
}

static enum pms_status
type_row(struct pms_store *s, const char *code, int64_t id,
    struct pms_appt_type *t)
{
	enum pms_status st;
	json_t *o, *codes;
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((st = entity_row(s, &e_types, code, id, &t->id, &t->active,
	    &o)) != PMS_OK)
		return st;
	JCOPY(t->code, o, "code");
	JCOPY(t->name, o, "name");
	t->length_secs = json_integer_value(json_object_get(o, "length_secs"));
	t->may_overlap = json_is_true(json_object_get(o, "may_overlap"));
	codes = json_object_get(o, "codes");
	for (i = 0; i < json_array_size(codes) && i < PMS_CFG_CODES_MAX; i++)
		snprintf(t->codes[i], sizeof(t->codes[i]), "%s",
		    json_string_value(json_array_get(codes, i)) != NULL ?
		    json_string_value(json_array_get(codes, i)) : "");
	t->ncodes = i;
	json_decref(o);
	return PMS_OK;
}

enum pms_status
pms_appt_type_find(struct pms_store *s, const char *code,
    struct pms_appt_type *t)
{
	return type_row(s, code, 0, t);
}

enum pms_status
pms_appt_type_get(struct pms_store *s, int64_t id, struct pms_appt_type *t)
{
	return type_row(s, NULL, id, t);
}

static enum pms_status
payer_row(struct pms_store *s, const char *code, int64_t id,
    struct pms_payer *p)
{
	enum pms_status st;
	json_t *o;

	memset(p, 0, sizeof(*p));
	if ((st = entity_row(s, &e_payers, code, id, &p->id, &p->active,
	    &o)) != PMS_OK)
		return st;
	JCOPY(p->code, o, "code");
	JCOPY(p->name, o, "name");
	JCOPY(p->payer_id, o, "payer_id");
	JCOPY(p->filing_indicator, o, "filing_indicator");
	p->timely_filing_days = (int)json_integer_value(json_object_get(o,
	    "timely_filing_days"));
	p->prior_auth_required = json_is_true(json_object_get(o,
	    "prior_auth_required"));
	JCOPY(p->fee_schedule, o, "fee_schedule");
	json_decref(o);
	return PMS_OK;
}

enum pms_status
pms_payer_find(struct pms_store *s, const char *code, struct pms_payer *p)
{
	return payer_row(s, code, 0, p);
}

enum pms_status
pms_payer_get(struct pms_store *s, int64_t id, struct pms_payer *p)
{
	return payer_row(s, NULL, id, p);
}

enum pms_status
pms_practice_uuid(struct pms_store *s, char buf[PMS_UUID_BUFSZ])
{
	sqlite3_stmt *st;
	enum pms_status ps = PMS_OK;
	int rc;

	buf[0] = '\0';
	rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = "
	    "'practice_uuid'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(s, rc, "practice uuid");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == PMS_UUID_BUFSZ - 1)
		memcpy(buf, sqlite3_column_text(st, 0), PMS_UUID_BUFSZ);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		ps = pms_seterr(PMS_ETAMPER, "the store has no practice uuid");
	else
		ps = pms_store_sqlerr(s, rc, "practice uuid");
	sqlite3_finalize(st);
	return ps;
}

enum pms_status
pms_practice_get(struct pms_store *s, struct pms_practice *p)
{
	struct pms_config *cfg;
	enum pms_status st;
	const char *et;
	json_t *o;

	memset(p, 0, sizeof(*p));
	if ((st = pms_config_read(s, &cfg)) != PMS_OK)
		return st;
	o = json_object_get(cfg->root, "practice");
	JCOPY(p->name, o, "name");
	et = json_text(o, "entity_type");
	p->person = et != NULL && strcmp(et, "person") == 0;
	JCOPY(p->last_name, o, "last_name");
	JCOPY(p->first_name, o, "first_name");
	JCOPY(p->npi, o, "npi");
	JCOPY(p->taxonomy, o, "taxonomy");
	JCOPY(p->ein, o, "ein");
	JCOPY(p->phone, o, "phone");
	JCOPY(p->country, o, "country");
	JCOPY(p->time_zone, o, "time_zone");
	fill_address(&p->address, json_object_get(o, "address"));
	if (json_object_get(o, "pay_to") != NULL) {
		p->has_pay_to = 1;
		fill_address(&p->pay_to, json_object_get(o, "pay_to"));
	}
	pms_config_free(cfg);
	return pms_practice_uuid(s, p->uuid);
}
