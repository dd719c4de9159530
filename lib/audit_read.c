/*
 * audit_read.c: reads whose rows leave the store down a pipe or into a
 * file (list, find, export, a report), audited without holding the
 * store's write lock while the rows are written.  A write transaction
 * held while writing to a pipe lasts as long as the slowest reader at
 * the other end ("| less", "| sleep", a stalled ssh): every other
 * program of the practice waits on it, then gives up busy.  So the read
 * walks its rows twice (see audit.h): once in a short IMMEDIATE
 * transaction that only names them, to write and commit the entry; then
 * in a read transaction, which in WAL mode blocks no writer, showing
 * only the rows the entry names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "pms_int.h"

/* Attempts at the naming walk's BEGIN IMMEDIATE, each after the
 * store's busy timeout (as the schedule's writes). */
#define BEGIN_TRIES	3

struct pms_read {
	struct pms_audit_batch *b;	/* the naming walk's entry */
	int		 showing;	/* 0 naming, 1 showing */
	int64_t		*keys;		/* the rows named, sorted at the end */
	size_t		 n, cap;
	int		 sorted;	/* named in increasing order so far */
};

static int
cmp_key(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

enum pms_status
pms_read_stopped(void)
{
	char why[512];

	snprintf(why, sizeof(why), "%s", pms_errmsg());
	return pms_seterr(PMS_EIO, "%s", why[0] != '\0' ? why :
	    "the output could not be written");
}

int
pms_read_showing(const struct pms_read *r)
{
	return r->showing;
}

enum pms_status
pms_read_patient(struct pms_read *r, int64_t patient)
{
	if (r->showing || patient <= 0)
		return PMS_OK;
	return pms_audit_batch_add(r->b, patient, NULL);
}

enum pms_status
pms_read_row(struct pms_read *r, int64_t key, const int64_t *patients,
    size_t n, int *show)
{
	enum pms_status st;
	int64_t *nk;
	size_t i;

	*show = 0;
	if (r->showing) {
		*show = r->n > 0 && bsearch(&key, r->keys, r->n,
		    sizeof(*r->keys), cmp_key) != NULL;
		return PMS_OK;
	}
	if (r->n == r->cap) {
		r->cap = r->cap > 0 ? 2 * r->cap : 256;
		if ((nk = reallocarray(r->keys, r->cap, sizeof(*nk))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		r->keys = nk;
	}
	if (r->n > 0 && key <= r->keys[r->n - 1])
		r->sorted = 0;
	r->keys[r->n++] = key;
	for (i = 0; i < n; i++)
		if ((st = pms_read_patient(r, patients[i])) != PMS_OK)
			return st;
	return PMS_OK;
}

/* Sort the keys named and drop repeats, for the showing walk. */
static void
keys_done(struct pms_read *r)
{
	size_t i, k;

	if (r->n == 0)
		return;
	if (!r->sorted)
		qsort(r->keys, r->n, sizeof(*r->keys), cmp_key);
	for (i = k = 1; i < r->n; i++)
		if (r->keys[i] != r->keys[k - 1])
			r->keys[k++] = r->keys[i];
	r->n = k;
}

enum pms_status
pms_read_run(struct pms_store *s, const struct pms_read_spec *sp,
    pms_read_walk_fn *walk, void *arg)
{
	struct pms_read r;
	enum pms_status st = PMS_OK;
	int i, to_file;

	memset(&r, 0, sizeof(r));
	r.sorted = 1;
	for (i = 0; i < BEGIN_TRIES; i++)
		if ((st = pms_store_begin(s)) != PMS_EBUSY)
			break;
	if (st != PMS_OK)
		goto out;
	if ((st = pms_audit_batch_begin(s, &r.b)) != PMS_OK)
		goto fail;
	/* a file is recorded once it is written (pms_audit_export_written);
	 * standard output now */
	to_file = sp->out_path != NULL && strcmp(sp->out_path, "-") != 0;
	/* a copy: the caller's kind may be gone by the time it is written */
	if (to_file && sp->export_kind != NULL)
		snprintf(s->export_kind, sizeof(s->export_kind), "%s",
		    sp->export_kind);
	else
		s->export_kind[0] = '\0';
	if (sp->export_kind != NULL && !to_file &&
	    (st = pms_audit_batch_export(r.b, sp->export_kind, sp->out_path)) !=
	    PMS_OK)
		goto fail;
	if ((st = walk(s, &r, arg)) != PMS_OK)
		goto fail;
	st = pms_audit_batch_end(r.b, sp->action, sp->fields);
	r.b = NULL;
	if (st != PMS_OK)
		goto fail;
	/*
	 * Rows on standard output leave the store, dry run or not: their
	 * entry stays.  In a dry run rows bound for a file go nowhere (the
	 * file is not written), and their entry goes with them.
	 */
	if (to_file && pms_store_dry_run(s))
		pms_store_rollback(s);
	else if ((st = pms_store_commit_log(s)) != PMS_OK)
		goto out;
	keys_done(&r);
	r.showing = 1;
	if ((st = pms_store_begin_read(s)) != PMS_OK)
		goto out;
	st = walk(s, &r, arg);
	pms_store_rollback(s);	/* ends the read; nothing to undo */
	goto out;
fail:
	pms_audit_batch_free(r.b);
	pms_store_rollback(s);
out:
	free(r.keys);
	return st;
}
