/*
 * fuzz-claim: libFuzzer target for the 837P check and writer
 * (claim_837.c).  The input fills one claim and its practice: text
 * fields, lines, pointers and delimiters, and for a secondary or
 * tertiary claim the payers before it and their lines, from
 * NUL-separated pieces.
 * Beyond not crashing or leaking, it holds the promise of claim.h: a
 * claim that pms_837_check() passes is always written, and the file
 * written reads back through the X12 reader with its envelope right.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"

/* The input as pieces: each call takes the next NUL-terminated one. */
struct in {
	const uint8_t	*p;
	size_t		 n;
};

static void
take(struct in *in, char *out, size_t size)
{
	size_t i = 0;

	while (in->n > 0 && *in->p != '\0') {
		if (i + 1 < size)
			out[i++] = (char)*in->p;
		in->p++;
		in->n--;
	}
	if (in->n > 0) {
		in->p++;
		in->n--;
	}
	out[i] = '\0';
}

static int
byte(struct in *in)
{
	int c = in->n > 0 ? *in->p : 0;

	if (in->n > 0) {
		in->p++;
		in->n--;
	}
	return c;
}

static void
entity(struct in *in, struct pms_837_entity *e, int address)
{
	take(in, e->last, sizeof(e->last));
	take(in, e->first, sizeof(e->first));
	take(in, e->id, sizeof(e->id));
	take(in, e->dob, sizeof(e->dob));
	take(in, e->sex, sizeof(e->sex));
	snprintf(e->fix, sizeof(e->fix), "the fuzzer");
	if (address) {
		e->has_address = 1;
		take(in, e->address.street, sizeof(e->address.street));
		take(in, e->address.city, sizeof(e->address.city));
		take(in, e->address.state, sizeof(e->address.state));
		take(in, e->address.zip, sizeof(e->address.zip));
	}
}

static void
ignore(void *arg, int warn, const char *msg)
{
	(void)arg;
	(void)warn;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pms_837_claim c;
	struct pms_837_env e;
	struct pms_837_batch b;
	struct pms_837_writer *w = NULL;
	struct pms_x12_reader *r = NULL;
	const struct pms_x12_seg *seg;
	struct in in = { data, size };
	char *buf = NULL;
	size_t len = 0, i, j;
	FILE *f;

	memset(&c, 0, sizeof(c));
	memset(&e, 0, sizeof(e));
	memset(&b, 0, sizeof(b));
	e.delims = (struct pms_x12_delims)PMS_X12_DELIMS_DEFAULT;
	if (byte(&in) & 1) {
		e.delims.element = (char)byte(&in);
		e.delims.component = (char)byte(&in);
		e.delims.segment = (char)byte(&in);
	}
	e.newline = byte(&in) & 1;
	e.today = 20000;	/* 2024-10-04 */
	entity(&in, &e.billing, 1);
	e.billing.org = 1;
	snprintf(e.billing.taxonomy, sizeof(e.billing.taxonomy),
	    "207Q00000X");
	take(&in, e.ein, sizeof(e.ein));
	e.has_partner = 1;
	snprintf(e.isa01, sizeof(e.isa01), "00");
	snprintf(e.isa03, sizeof(e.isa03), "00");
	snprintf(e.sender_qual, sizeof(e.sender_qual), "ZZ");
	snprintf(e.receiver_qual, sizeof(e.receiver_qual), "ZZ");
	take(&in, e.sender, sizeof(e.sender));
	take(&in, e.receiver, sizeof(e.receiver));
	snprintf(e.gs_sender, sizeof(e.gs_sender), "%s", e.sender);
	snprintf(e.gs_receiver, sizeof(e.gs_receiver), "%s", e.receiver);
	e.usage = 'T';
	take(&in, e.submitter, sizeof(e.submitter));
	take(&in, e.contact, sizeof(e.contact));
	take(&in, e.phone, sizeof(e.phone));
	take(&in, e.receiver_name, sizeof(e.receiver_name));

	c.claim_id = 1;
	take(&in, c.clm01, sizeof(c.clm01));
	c.frequency = '1';
	c.payer_seq = 1;
	take(&in, c.relationship, sizeof(c.relationship));
	take(&in, c.filing, sizeof(c.filing));
	take(&in, c.pos, sizeof(c.pos));
	entity(&in, &c.subscriber, 1);
	entity(&in, &c.patient, 1);
	entity(&in, &c.payer, 0);
	c.payer.org = 1;
	entity(&in, &c.rendering, 0);
	snprintf(c.rendering.taxonomy, sizeof(c.rendering.taxonomy),
	    "207Q00000X");
	c.ndx = (size_t)byte(&in) % (PMS_837_DX + 1);
	for (i = 0; i < c.ndx; i++)
		take(&in, c.dx[i], sizeof(c.dx[i]));
	c.nlines = (size_t)byte(&in) % 4;
	for (i = 0; i < c.nlines; i++) {
		struct pms_837_line *l = &c.lines[i];

		take(&in, l->code, sizeof(l->code));
		l->amount_cents = byte(&in) * 100 + byte(&in);
		c.total_cents += l->amount_cents;
		l->units = byte(&in) % 3;
		snprintf(l->dos, sizeof(l->dos), "2024-10-%02u",
		    (unsigned)(byte(&in) % 4) + 1u);
		l->nptrs = (size_t)byte(&in) % 6;
		for (j = 0; j < l->nptrs && j < PMS_837_PTRS; j++)
			l->ptrs[j] = byte(&in) % 14;
		take(&in, l->control, sizeof(l->control));
	}
	/* a secondary or tertiary claim: the payers before it (2320,
	 * 2330A, 2330B) and their lines (2430) */
	if (byte(&in) & 1) {
		c.payer_seq = 2 + (byte(&in) & 1);
		c.nothers = (size_t)byte(&in) % (PMS_837_OTHERS + 1);
		for (i = 0; i < c.nothers; i++) {
			struct pms_837_other *o = &c.others[i];
			size_t k;

			o->payer_seq = (int)i + 1;
			o->claim_id = 2 + (int64_t)i;
			o->posted = byte(&in) % 8 != 0;
			take(&in, o->relationship, sizeof(o->relationship));
			take(&in, o->group_number, sizeof(o->group_number));
			take(&in, o->filing, sizeof(o->filing));
			entity(&in, &o->subscriber, 0);
			entity(&in, &o->payer, 0);
			o->payer.org = 1;
			o->paid_cents = byte(&in) * 100 + byte(&in);
			o->patient_cents = byte(&in);
			o->ncas = (size_t)byte(&in) % 4;
			for (k = 0; k < o->ncas; k++) {
				take(&in, o->cas[k].group,
				    sizeof(o->cas[k].group));
				take(&in, o->cas[k].reason,
				    sizeof(o->cas[k].reason));
				o->cas[k].amount_cents = byte(&in) - 64;
			}
			for (j = 0; j < c.nlines; j++) {
				struct pms_837_line_adj *l = &o->lines[j];

				l->has = byte(&in) % 8 != 0;
				if (byte(&in) & 1)
					memcpy(l->payer, o->payer.id,
					    sizeof(l->payer));
				else
					take(&in, l->payer, sizeof(l->payer));
				take(&in, l->code, sizeof(l->code));
				l->nmods = (size_t)byte(&in) % 3;
				for (k = 0; k < l->nmods; k++)
					take(&in, l->mods[k],
					    sizeof(l->mods[k]));
				l->units = byte(&in) % 3;
				l->paid_cents = byte(&in) * 100 + byte(&in);
				l->ncas = (size_t)byte(&in) % 8;
				for (k = 0; k < l->ncas; k++) {
					take(&in, l->cas[k].group,
					    sizeof(l->cas[k].group));
					take(&in, l->cas[k].reason,
					    sizeof(l->cas[k].reason));
					l->cas[k].amount_cents = byte(&in) * 10;
				}
				snprintf(l->adjudicated,
				    sizeof(l->adjudicated), "2024-10-%02u",
				    (unsigned)(byte(&in) % 9) + 1u);
			}
		}
	}
	snprintf(b.date, sizeof(b.date), "2024-10-30");
	snprintf(b.time, sizeof(b.time), "10:15");
	b.isa13 = 42;
	b.batch_id = 1;
	if (pms_837_check(&e, &c, ignore, NULL) != 0)
		return 0;

	/* passed: it must write, and read back whole */
	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	if (pms_837_open(&w, f, &e, &b) != PMS_OK ||
	    pms_837_set_begin(w, 7) != PMS_OK ||
	    pms_837_claim(w, &c) != PMS_OK ||
	    pms_837_set_end(w) != PMS_OK)
		abort();
	if (pms_837_close(w) != PMS_OK)
		abort();
	fclose(f);
	if ((f = fmemopen(buf, len, "r")) == NULL)
		abort();
	if (pms_x12_reader_open(&r, f, "fuzz.837") != PMS_OK)
		abort();
	for (;;) {
		if (pms_x12_next(r, &seg) != PMS_OK)
			abort();
		if (seg == NULL)
			break;
	}
	pms_x12_reader_close(r);
	fclose(f);
	free(buf);
	return 0;
}
