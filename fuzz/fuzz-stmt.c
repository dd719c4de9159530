/*
 * fuzz-stmt: libFuzzer target for the statements' templates
 * (lib/bill_stmt.c): the parser on any text, and what it accepts
 * rendered as text and as HTML over a run with two statements, lists of
 * items and payments, and values that hold every character a template
 * must not let through raw.  The parser and renderer are file-local to
 * bill_stmt.c, so this file includes it whole; libpms.a then supplies
 * everything else and not bill_stmt.o (each of its symbols is defined
 * here already).  Beyond not crashing or leaking, it checks their
 * promises: a refusal is PMS_EDATA or PMS_ENOMEM with a message that
 * starts "template: "; what renders as HTML holds none of the values'
 * markup unescaped; what renders as text holds no control character
 * that a value carried.
 */
#include "../lib/bill_stmt.c"

#define HOSTILE	"<b>&\"'\x01\x1b[31m"

static void
fill(struct tobj *o, int depth)
{
	static const char *keys[] = { "patient_name", "amount", "dos",
	    "service", "message", "guarantor_city", "last", "account" };
	static const char *lists[] = { "statements", "items", "payments",
	    "pending" };
	struct tlist *l;
	struct tobj *t;
	size_t i, j;

	for (i = 0; i < PMS_NELEM(keys); i++)
		if (tset(o, keys[i], i % 3 == 0 ? HOSTILE : i % 3 == 1 ?
		    "Zz\xc3\xa9t\xc3\xa9 de longue dur\xc3\xa9" : "") != 0)
			abort();
	if (depth == 2)
		return;
	for (i = 0; i < PMS_NELEM(lists); i++) {
		if ((l = tlist_of(o, lists[i])) == NULL)
			abort();
		for (j = 0; j < 2; j++) {
			if ((t = tlist_add(l)) == NULL)
				abort();
			fill(t, depth + 1);
		}
	}
}

/*
 * Render root over a run of hostile values.  The template's own text
 * comes through as it is, so only what it does not hold itself is
 * looked for: a value's control character (text and HTML), and in
 * HTML a value's markup.
 */
static void
render_all(const struct tnode *root, const uint8_t *tpl, size_t tlen,
    int html)
{
	struct render rd;
	struct tobj run;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&run, 0, sizeof(run));
	fill(&run, 0);
	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	memset(&rd, 0, sizeof(rd));
	rd.out = f;
	rd.html = html;
	rd.ctx[rd.depth++] = &run;
	render_nodes(&rd, root->kids, root->nkids);
	if (fclose(f) != 0)
		abort();
	if (memchr(tpl, '\x01', tlen) == NULL &&
	    memchr(buf, '\x01', len) != NULL)
		abort();
	if (memchr(tpl, '\x1b', tlen) == NULL &&
	    memchr(buf, '\x1b', len) != NULL)
		abort();
	if (html && memchr(tpl, '<', tlen) == NULL &&
	    memchr(buf, '<', len) != NULL)
		abort();
	tobj_release(&run);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tnode root;
	enum pms_status st;

	if (size > 16384)
		return 0;
	st = tparse((const char *)data, size, &root);
	if (st != PMS_OK) {
		if (st != PMS_EDATA && st != PMS_ENOMEM)
			abort();
		if (st == PMS_EDATA && strncmp(pms_errmsg(), "template: ",
		    10) != 0)
			abort();
		tnode_release(&root);
		return 0;
	}
	render_all(&root, data, size, 0);
	render_all(&root, data, size, 1);
	tnode_release(&root);
	return 0;
}
