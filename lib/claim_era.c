/*
 * claim_era.c: the payers' 835 remittances, read, checked to balance
 * and posted to the ledger exactly once (claim_answer.h).
 *
 * The file is read one transaction set at a time (a remittance: BPR,
 * TRN, the payer and payee, its claims and their lines, PLB), kept in
 * memory only as long as it takes to post it.  Posting goes through
 * pms-bill's calls alone, inside this file's one transaction (they nest
 * as savepoints): a payment per claim paid, applied to the lines it
 * pays; contractual amounts written off; patient responsibility
 * transferred (to pending while a later policy covers the day, else to
 * the patient); other amounts left owed by the payer and open as
 * denials.  What a posting did is kept (claim_remit_ops), so that a
 * reversal undoes exactly that.  Provider adjustments (PLB) are the
 * payer's account with the practice: claim_plb, never a patient's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "bill.h"
#include "claim_answer.h"
#include "codes.h"
#include "money.h"
#include "pms_int.h"

#define CAS_TRIPLES	6	/* of one CAS segment */
#define LIST_MAX	200	/* codes of a posting list read */

struct cas {
	char		 group[3];
	char		 reason[8];
	int64_t		 amount;
};

struct casv {
	struct cas	*v;
	size_t		 n, cap;
};

struct svc {
	char		 code[PMS_CODE_BUFSZ];
	char		 mods[PMS_MODS_BUFSZ];	/* "25,59" */
	/* SVC01 as adjudicated (code is SVC06's when the payer changed
	 * it) and SVC05, the units paid (0: not said): a secondary claim
	 * shows them (0010) */
	char		 acode[PMS_CODE_BUFSZ];
	char		 amods[PMS_MODS_BUFSZ];
	int		 units;
	int64_t		 charge, paid;
	char		 control[PMS_CLAIM_CONTROL];	/* REF*6R */
	struct casv	 cas;
	char		 remarks[64];
	unsigned long	 seg, line;
};

struct clp {
	char		 clp01[40];
	char		 status[4];
	int64_t		 charge, paid, patient;
	char		 clp07[PMS_CLAIM_TEXT];
	struct casv	 cas;
	struct svc	*svc;
	size_t		 nsvc, capsvc;
	char		 remarks[64];
	unsigned long	 seg, line;
};

struct plb {
	unsigned long	 seg, line;
	char		 reason[8];
	char		 ref[51];
	char		 period[PMS_DATE_BUFSZ];
	int64_t		 amount;
};

/* One transaction set, as read. */
struct tx {
	unsigned long	 interchange, transaction, seg, line;
	char		 isa13[16], st02[16];
	char		 handling[4];
	char		 method[4];
	int64_t		 payment;
	char		 paid_on[PMS_DATE_BUFSZ];
	char		 trn02[81], trn03[81];
	char		 payer_name[61];
	char		 payer_ident[81];	/* N1*PR N104, else REF*2U */
	int		 has_pr;	/* an N1*PR was read */
	int		 has_bpr;	/* a BPR was read */
	int		 has_pe;	/* an N1*PE was read */
	char		 payee_qual[4];	/* N1*PE N103: XX, FI */
	char		 payee_id[81];	/* N1*PE N104 */
	char		 receiver[16];	/* ISA08, blanks cut */
	char		 paid_raw[16];	/* BPR16 as written */
	/* set by tx_check() before posting */
	const char	*foreign;	/* why it is not for this practice */
	int		 payer_state;	/* 1 known, 0 not checked (named
					 * only), -1 unknown id, -2 none */
	int64_t		 payer_id;	/* payers row, of state 1 */
	char		 payer_code[PMS_CFG_CODE];	/* its code */
	struct clp	*clp;
	size_t		 nclp, capclp;
	struct plb	*plb;
	size_t		 nplb, capplb;
	int		 part;		/* 0 head, 1 payer, 2 payee, 3 claim,
					 * 4 line */
	int		 bad_plb;
};

/* The whole run. */
struct era {
	struct pms_store *s;
	struct pms_x12_reader *r;
	size_t		 ncontract, ninfo;
	char		 contract[LIST_MAX][12];	/* "CO-45" */
	char		 info[LIST_MAX][12];
	char		 now[PMS_STAMP_BUFSZ];
	char		 today[PMS_DATE_BUFSZ];
	char		 ahead[PMS_DATE_BUFSZ];	/* today + 31 days */
	struct pms_era_result *res;
	size_t		 nres, capres;
	int64_t		*pat;
	size_t		 npat, cappat;
	struct pms_era_count *n;
	char		 sender_id[64];	/* trading_partner's */
	char		 npi[11], ein[10];	/* the practice's */
};

/* Copy src (NULL: "") into dst of size, cut short to fit. */
static void
copy(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static void *
grow(void *v, size_t *cap, size_t need, size_t each)
{
	size_t c = *cap == 0 ? 8 : *cap;
	void *p;

	if (need <= *cap)
		return v;
	while (c < need)
		c *= 2;
	if ((p = realloc(v, c * each)) == NULL)
		return NULL;
	*cap = c;
	return p;
}

static void
tx_free(struct tx *t)
{
	size_t i, j;

	for (i = 0; i < t->nclp; i++) {
		free(t->clp[i].cas.v);
		for (j = 0; j < t->clp[i].nsvc; j++)
			free(t->clp[i].svc[j].cas.v);
		free(t->clp[i].svc);
	}
	free(t->clp);
	free(t->plb);
	memset(t, 0, sizeof(*t));
}

/* CCYYMMDD as ISO in out ("" when it is not a date). */
static void
x12_date(const char *d, char out[PMS_DATE_BUFSZ])
{
	char iso[PMS_DATE_BUFSZ];
	int32_t days;

	out[0] = '\0';
	if (strlen(d) != 8 || strspn(d, "0123456789") != 8)
		return;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	if (pms_date_parse(iso, PMS_DATE_ISO, &days) == PMS_OK)
		copy(out, PMS_DATE_BUFSZ, iso);
}

static enum pms_status
amount(struct era *e, const struct pms_x12_seg *seg, size_t i,
    int64_t *cents)
{
	char name[16];

	if (pms_x12_amount(pms_x12_elem(seg, i), cents) == PMS_OK)
		return PMS_OK;
	snprintf(name, sizeof(name), "%s%02zu", pms_x12_seg_id(seg), i);
	return pms_x12_fail(e->r, name, PMS_EDATA, "not an X12 amount");
}

/* An optional amount: "" is 0. */
static enum pms_status
amount_opt(struct era *e, const struct pms_x12_seg *seg, size_t i,
    int64_t *cents)
{
	*cents = 0;
	if (*pms_x12_elem(seg, i) == '\0')
		return PMS_OK;
	return amount(e, seg, i, cents);
}

/* Is q an X12 decimal number (R: an optional minus, digits, at most
 * one decimal point), as a CAS quantity is? */
static int
is_quantity(const char *q)
{
	size_t ndig = 0;
	int dot = 0;

	if (*q == '-')
		q++;
	for (; *q != '\0'; q++)
		if (*q >= '0' && *q <= '9')
			ndig++;
		else if (*q == '.' && !dot)
			dot = 1;
		else
			return 0;
	return ndig > 0 && ndig <= 15;
}

/* The CAS segment's triples onto v. */
static enum pms_status
read_cas(struct era *e, const struct pms_x12_seg *seg, struct casv *v)
{
	const char *g = pms_x12_elem(seg, 1);
	char norm[PMS_CODE_BUFSZ];
	enum pms_status st;
	struct cas *c;
	size_t k;

	if (strcmp(g, "CO") != 0 && strcmp(g, "PI") != 0 &&
	    strcmp(g, "OA") != 0 && strcmp(g, "PR") != 0 &&
	    strcmp(g, "CR") != 0)
		return pms_x12_fail(e->r, "CAS01", PMS_EDATA, "not a claim "
		    "adjustment group (CO, PI, OA, PR, CR)");
	for (k = 0; k < CAS_TRIPLES; k++) {
		const char *reason = pms_x12_elem(seg, 2 + 3 * k);
		const char *qty = pms_x12_elem(seg, 4 + 3 * k);
		char name[8];

		snprintf(name, sizeof(name), "CAS%02zu", 2 + 3 * k);
		if (*reason == '\0') {
			/* a later triple left out whole is none; the first,
			 * or an amount without its reason, is an adjustment
			 * that cannot be posted nor left out: the claim
			 * would not balance for a reason nobody sees */
			if (k > 0 && *pms_x12_elem(seg, 3 + 3 * k) == '\0' &&
			    *qty == '\0')
				continue;
			return pms_x12_fail(e->r, name, PMS_EDATA, "empty: "
			    "an adjustment needs its claim adjustment reason "
			    "code");
		}
		if (strlen(reason) > 3 || pms_code_norm(PMS_CODE_CARC, reason,
		    norm) != PMS_OK)
			return pms_x12_fail(e->r, name, PMS_EDATA, "not a "
			    "claim adjustment reason code");
		if (*qty != '\0' && !is_quantity(qty)) {
			snprintf(name, sizeof(name), "CAS%02zu", 4 + 3 * k);
			return pms_x12_fail(e->r, name, PMS_EDATA, "not a "
			    "quantity (a number, such as 1 or 2.5)");
		}
		if ((v->v = grow(v->v, &v->cap, v->n + 1, sizeof(*v->v))) ==
		    NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		c = &v->v[v->n];
		copy(c->group, sizeof(c->group), g);
		copy(c->reason, sizeof(c->reason), reason);
		if ((st = amount(e, seg, 3 + 3 * k, &c->amount)) != PMS_OK)
			return st;
		v->n++;
	}
	return PMS_OK;
}

/* Append the remark code rc to the list buf ("M15,N4"). */
static void
remark_add(char *buf, size_t size, const char *rc)
{
	size_t n = strlen(buf);

	if (*rc == '\0' || strlen(rc) > 8 || strspn(rc,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(rc))
		return;
	if (n + strlen(rc) + 2 > size)
		return;
	snprintf(buf + n, size - n, "%s%s", n > 0 ? "," : "", rc);
}

/* The procedure of an SVC composite: code and modifiers. */
static void
svc_proc(const struct pms_x12_seg *seg, size_t i, char *code, char *mods_out)
{
	char mods[PMS_MODS_BUFSZ];
	size_t j, n = 0;

	copy(code, PMS_CODE_BUFSZ, pms_x12_comp(seg, i, 2));
	mods[0] = '\0';
	for (j = 3; j <= 6; j++) {
		const char *m = pms_x12_comp(seg, i, j);

		if (*m == '\0')
			continue;
		n += (size_t)snprintf(mods + n, n < sizeof(mods) ?
		    sizeof(mods) - n : 0, "%s%s", n > 0 ? "," : "", m);
	}
	if (n >= sizeof(mods))
		mods[0] = '\0';
	copy(mods_out, PMS_MODS_BUFSZ, mods);
}

static const char *plb_words(const char *);

/*
 * Is s a claim status code of the 835 (CLP02)?  Each has its own
 * posting rule; an unknown one is no "processed as primary".
 */
static int
clp_status_known(const char *s)
{
	static const char *const known[] = { "1", "2", "3", "4", "19", "20",
	    "21", "22", "23", "25" };
	size_t i;

	for (i = 0; i < PMS_NELEM(known); i++)
		if (strcmp(s, known[i]) == 0)
			return 1;
	return 0;
}

/*
 * Read on to the end of the next 835 transaction set into t.  PMS_OK
 * with *done at the end of the input; a set of another kind is refused.
 */
static enum pms_status
read_tx(struct era *e, struct tx *t, int *done)
{
	const struct pms_x12_seg *seg;
	const struct pms_x12_pos *pos;
	enum pms_status st;
	const char *id;
	struct clp *c = NULL;
	struct svc *v = NULL;
	size_t k;
	int in = 0;

	*done = 0;
	memset(t, 0, sizeof(*t));
	for (;;) {
		if ((st = pms_x12_next(e->r, &seg)) != PMS_OK)
			return st;
		if (seg == NULL) {
			*done = 1;
			return PMS_OK;
		}
		pos = pms_x12_reader_pos(e->r);
		id = pms_x12_seg_id(seg);
		if (strcmp(id, "ST") == 0) {
			if (strcmp(pms_x12_elem(seg, 1), "835") != 0)
				return pms_x12_fail(e->r, "ST01", PMS_EDATA,
				    "a %s, not an 835 (pms-claim ack reads "
				    "acknowledgements)", pms_x12_kind(
				    pms_x12_elem(seg, 1), pms_x12_elem(
				    pms_x12_reader_gs(e->r), 8)));
			in = 1;
			t->interchange = pos->interchange;
			t->transaction = pos->transaction;
			t->seg = pos->segment;
			t->line = pos->line;
			copy(t->isa13, sizeof(t->isa13), pms_x12_elem(
			    pms_x12_reader_isa(e->r), 13));
			copy(t->st02, sizeof(t->st02), pms_x12_elem(seg, 2));
			copy(t->receiver, sizeof(t->receiver), pms_x12_elem(
			    pms_x12_reader_isa(e->r), 8));
			for (k = strlen(t->receiver); k > 0 &&
			    t->receiver[k - 1] == ' '; k--)
				t->receiver[k - 1] = '\0';
			continue;
		}
		if (!in)
			continue;	/* ISA, GS, GE, IEA, TA1 */
		if (strcmp(id, "SE") == 0)
			return PMS_OK;
		if (strcmp(id, "BPR") == 0) {
			t->has_bpr = 1;
			copy(t->handling, sizeof(t->handling),
			    pms_x12_elem(seg, 1));
			copy(t->method, sizeof(t->method), pms_x12_elem(seg, 4));
			if ((st = amount(e, seg, 2, &t->payment)) != PMS_OK)
				return st;
			x12_date(pms_x12_elem(seg, 16), t->paid_on);
			copy(t->paid_raw, sizeof(t->paid_raw),
			    pms_x12_elem(seg, 16));
		} else if (strcmp(id, "TRN") == 0 && t->part == 0) {
			copy(t->trn02, sizeof(t->trn02), pms_x12_elem(seg, 2));
			copy(t->trn03, sizeof(t->trn03), pms_x12_elem(seg, 3));
		} else if (strcmp(id, "N1") == 0 && t->part <= 2) {
			if (strcmp(pms_x12_elem(seg, 1), "PR") == 0) {
				t->part = 1;
				t->has_pr = 1;
				copy(t->payer_name, sizeof(t->payer_name),
				    pms_x12_elem(seg, 2));
				copy(t->payer_ident, sizeof(t->payer_ident),
				    pms_x12_elem(seg, 4));
			} else {
				t->part = 2;
				if (strcmp(pms_x12_elem(seg, 1), "PE") == 0) {
					t->has_pe = 1;
					copy(t->payee_qual, sizeof(
					    t->payee_qual), pms_x12_elem(seg,
					    3));
					copy(t->payee_id, sizeof(t->payee_id),
					    pms_x12_elem(seg, 4));
				}
			}
		} else if (strcmp(id, "REF") == 0 && t->part == 1) {
			if (strcmp(pms_x12_elem(seg, 1), "2U") == 0 &&
			    t->payer_ident[0] == '\0')
				copy(t->payer_ident, sizeof(t->payer_ident),
				    pms_x12_elem(seg, 2));
		} else if (strcmp(id, "LX") == 0) {
			t->part = 3;
			c = NULL;
			v = NULL;
		} else if (strcmp(id, "CLP") == 0) {
			t->part = 3;
			if ((t->clp = grow(t->clp, &t->capclp, t->nclp + 1,
			    sizeof(*t->clp))) == NULL)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			c = &t->clp[t->nclp++];
			memset(c, 0, sizeof(*c));
			v = NULL;
			c->seg = pos->segment;
			c->line = pos->line;
			if (*pms_x12_elem(seg, 1) == '\0' ||
			    strlen(pms_x12_elem(seg, 1)) >= sizeof(c->clp01))
				return pms_x12_fail(e->r, "CLP01", PMS_EDATA,
				    "empty or longer than %zu",
				    sizeof(c->clp01) - 1);
			copy(c->clp01, sizeof(c->clp01), pms_x12_elem(seg, 1));
			if (!clp_status_known(pms_x12_elem(seg, 2)))
				return pms_x12_fail(e->r, "CLP02", PMS_EDATA,
				    "not a claim status code (1, 2, 3, 4, 19, "
				    "20, 21, 22, 23, 25)");
			copy(c->status, sizeof(c->status), pms_x12_elem(seg, 2));
			if ((st = amount(e, seg, 3, &c->charge)) != PMS_OK ||
			    (st = amount(e, seg, 4, &c->paid)) != PMS_OK ||
			    (st = amount_opt(e, seg, 5, &c->patient)) !=
			    PMS_OK)
				return st;
			copy(c->clp07, sizeof(c->clp07), pms_x12_elem(seg, 7));
		} else if (strcmp(id, "SVC") == 0 && c != NULL) {
			t->part = 4;
			if ((c->svc = grow(c->svc, &c->capsvc, c->nsvc + 1,
			    sizeof(*c->svc))) == NULL)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			v = &c->svc[c->nsvc++];
			memset(v, 0, sizeof(*v));
			v->seg = pos->segment;
			v->line = pos->line;
			/* SVC06: the procedure as billed, when changed */
			svc_proc(seg, *pms_x12_comp(seg, 6, 2) != '\0' ? 6 : 1,
			    v->code, v->mods);
			svc_proc(seg, 1, v->acode, v->amods);
			{
				const char *u = pms_x12_elem(seg, 5);
				char *end;
				long n;

				n = strtol(u, &end, 10);
				v->units = *u != '\0' && *end == '\0' &&
				    n > 0 && n <= 9999 ? (int)n : 0;
			}
			if ((st = amount(e, seg, 2, &v->charge)) != PMS_OK ||
			    (st = amount(e, seg, 3, &v->paid)) != PMS_OK)
				return st;
		} else if (strcmp(id, "CAS") == 0 && c != NULL) {
			if ((st = read_cas(e, seg, v != NULL ? &v->cas :
			    &c->cas)) != PMS_OK)
				return st;
		} else if (strcmp(id, "REF") == 0 && v != NULL) {
			if (strcmp(pms_x12_elem(seg, 1), "6R") == 0)
				copy(v->control, sizeof(v->control),
				    pms_x12_elem(seg, 2));
		} else if (strcmp(id, "LQ") == 0 && v != NULL) {
			if (strcmp(pms_x12_elem(seg, 1), "HE") == 0)
				remark_add(v->remarks, sizeof(v->remarks),
				    pms_x12_elem(seg, 2));
		} else if (strcmp(id, "MOA") == 0 && c != NULL) {
			for (k = 3; k <= 7; k++)
				remark_add(c->remarks, sizeof(c->remarks),
				    pms_x12_elem(seg, k));
		} else if (strcmp(id, "MIA") == 0 && c != NULL) {
			remark_add(c->remarks, sizeof(c->remarks),
			    pms_x12_elem(seg, 5));
			for (k = 20; k <= 24; k++)
				remark_add(c->remarks, sizeof(c->remarks),
				    pms_x12_elem(seg, k));
		} else if (strcmp(id, "PLB") == 0) {
			char period[PMS_DATE_BUFSZ];

			c = NULL;
			v = NULL;
			x12_date(pms_x12_elem(seg, 2), period);
			for (k = 3; k + 1 <= 14; k += 2) {
				struct plb *p;

				if (*pms_x12_elem(seg, k) == '\0')
					continue;
				if ((t->plb = grow(t->plb, &t->capplb,
				    t->nplb + 1, sizeof(*t->plb))) == NULL)
					return pms_seterr(PMS_ENOMEM, "out of "
					    "memory");
				if (plb_words(pms_x12_comp(seg, k, 1)) ==
				    NULL) {
					char name[12];

					snprintf(name, sizeof(name),
					    "PLB%02zu-1", k);
					return pms_x12_fail(e->r, name,
					    PMS_EDATA, "not a provider "
					    "adjustment reason code (such as "
					    "WO, L6, FB, 72, CS)");
				}
				p = &t->plb[t->nplb];
				memset(p, 0, sizeof(*p));
				p->seg = pos->segment;
				p->line = pos->line;
				copy(p->reason, sizeof(p->reason),
				    pms_x12_comp(seg, k, 1));
				copy(p->ref, sizeof(p->ref),
				    pms_x12_comp(seg, k, 2));
				copy(p->period, sizeof(p->period), period);
				if ((st = amount(e, seg, k + 1, &p->amount)) !=
				    PMS_OK)
					return st;
				t->nplb++;
			}
		}
	}
}

/* ---- the store ---- */

static enum pms_status
sqlerr(struct era *e, int rc, const char *what)
{
	return pms_store_sqlerr(e->s, rc, what);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL || *v == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void
bind_id(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* The posting lists of the configuration, or their defaults. */
static enum pms_status
lists_load(struct era *e)
{
	static const char *const dc[] = { "CO-45", "CO-253", "CO-24" };
	struct pms_config *cfg = NULL;
	enum pms_status st;
	const char *t;
	char path[64];
	size_t n, i;

	/* without a configuration, neither the receiver (ISA08) nor the
	 * payer can be checked: nothing posts (78, not "matches no claim") */
	if ((st = pms_config_read(e->s, &cfg)) != PMS_OK)
		return st;
	if (cfg != NULL && pms_config_count(cfg,
	    "billing.contractual_writeoffs", &n) == PMS_OK) {
		for (i = 0; i < n && e->ncontract < LIST_MAX; i++) {
			snprintf(path, sizeof(path),
			    "billing.contractual_writeoffs[%zu]", i);
			if (pms_config_text(cfg, path, &t) == PMS_OK)
				copy(e->contract[e->ncontract++],
				    sizeof(e->contract[0]), t);
		}
	} else
		for (i = 0; i < PMS_NELEM(dc); i++)
			copy(e->contract[e->ncontract++],
			    sizeof(e->contract[0]), dc[i]);
	if (cfg != NULL && pms_config_count(cfg, "billing.informational",
	    &n) == PMS_OK) {
		for (i = 0; i < n && e->ninfo < LIST_MAX; i++) {
			snprintf(path, sizeof(path),
			    "billing.informational[%zu]", i);
			if (pms_config_text(cfg, path, &t) == PMS_OK)
				copy(e->info[e->ninfo++], sizeof(e->info[0]),
				    t);
		}
	} else
		copy(e->info[e->ninfo++], sizeof(e->info[0]), "OA-23");
	if (cfg != NULL && pms_config_text(cfg, "trading_partner.sender_id",
	    &t) == PMS_OK)
		copy(e->sender_id, sizeof(e->sender_id), t);
	pms_config_free(cfg);
	return PMS_OK;
}

static int
listed(char list[][12], size_t n, const struct cas *c)
{
	char key[12];
	size_t i;

	snprintf(key, sizeof(key), "%s-%s", c->group, c->reason);
	for (i = 0; i < n; i++)
		if (strcmp(list[i], key) == 0)
			return 1;
	return 0;
}

static enum pms_status
patient_add(struct era *e, int64_t id)
{
	size_t i;

	for (i = 0; i < e->npat; i++)
		if (e->pat[i] == id)
			return PMS_OK;
	if ((e->pat = grow(e->pat, &e->cappat, e->npat + 1,
	    sizeof(*e->pat))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	e->pat[e->npat++] = id;
	return PMS_OK;
}

/* Is npi the practice's or one of its providers'? */
static enum pms_status
npi_ours(struct era *e, const char *npi, int *yes)
{
	sqlite3_stmt *st;
	int rc;

	*yes = e->npi[0] != '\0' && strcmp(npi, e->npi) == 0;
	if (*yes)
		return PMS_OK;
	rc = sqlite3_prepare_v2(e->s->db, "SELECT 1 FROM providers WHERE "
	    "npi = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading providers");
	sqlite3_bind_text(st, 1, npi, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading providers");
	*yes = rc == SQLITE_ROW;
	return PMS_OK;
}

/* The payers row whose column (payer_id, or name without case) is v. */
static enum pms_status
payer_by(struct era *e, int by_name, const char *v, int64_t *id,
    char code[PMS_CFG_CODE])
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	code[0] = '\0';
	rc = sqlite3_prepare_v2(e->s->db, by_name ? "SELECT id, code FROM "
	    "payers WHERE upper(name) = upper(?1) ORDER BY id LIMIT 1" :
	    "SELECT id, code FROM payers WHERE payer_id = ?1 ORDER BY id "
	    "LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading payers");
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		copy(code, PMS_CFG_CODE, (const char *)sqlite3_column_text(st,
		    1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading payers");
	return PMS_OK;
}

/*
 * Whom the remittance t is for and from, before any of it posts: an
 * interchange addressed to another receiver (ISA08 not the practice's
 * trading_partner.sender_id) or a payee (N1*PE) that is not the
 * practice (its NPI, a provider's NPI, its EIN) is another practice's:
 * t->foreign says why.  The payer: its id (N1*PR N104, else REF*2U)
 * must be a payer of the configuration; a payer named only is matched
 * by its name when one has it.
 */
static enum pms_status
tx_check(struct era *e, struct tx *t)
{
	enum pms_status st;
	char digits[16];
	size_t i, n = 0;
	int yes;

	t->foreign = NULL;
	if (e->sender_id[0] != '\0' && strcmp(t->receiver, e->sender_id) !=
	    0)
		t->foreign = "the interchange is addressed to another "
		    "receiver (ISA08 is not trading_partner.sender_id)";
	else if (!t->has_pe)
		t->foreign = "the remittance names no payee (N1*PE): it "
		    "does not say it is for the practice";
	else if (t->payee_id[0] == '\0')
		t->foreign = "the payee (N1*PE) has no id (N103, N104): it "
		    "does not say it is the practice";
	else if (strcmp(t->payee_qual, "XX") == 0) {
		if ((st = npi_ours(e, t->payee_id, &yes)) != PMS_OK)
			return st;
		if (!yes)
			t->foreign = "the payee (N1*PE N104) is not the "
			    "practice's NPI nor one of its providers'";
	} else if (strcmp(t->payee_qual, "FI") != 0)
		t->foreign = "the payee's id (N1*PE N103) is neither an NPI "
		    "(XX) nor an EIN (FI)";
	else if (e->ein[0] == '\0')
		t->foreign = "the payee (N1*PE N103 FI) is an EIN, and the "
		    "practice has none in its configuration (practice.ein)";
	else {
		for (i = 0; t->payee_id[i] != '\0' && n + 1 < sizeof(digits);
		    i++)
			if (t->payee_id[i] >= '0' && t->payee_id[i] <= '9')
				digits[n++] = t->payee_id[i];
		digits[n] = '\0';
		if (strcmp(digits, e->ein) != 0)
			t->foreign = "the payee (N1*PE N104) is not the "
			    "practice's EIN";
	}
	if (t->foreign == NULL && t->paid_raw[0] != '\0' &&
	    t->paid_on[0] == '\0')
		t->foreign = "BPR16 is not a date (CCYYMMDD)";
	else if (t->foreign == NULL && t->paid_on[0] != '\0' &&
	    strcmp(t->paid_on, e->ahead) > 0)
		t->foreign = "BPR16, the payment's date, is more than a month "
		    "ahead";
	t->payer_id = 0;
	if (!t->has_pr)
		t->payer_state = -2;
	else if (t->payer_ident[0] != '\0') {
		if ((st = payer_by(e, 0, t->payer_ident, &t->payer_id,
		    t->payer_code)) !=
		    PMS_OK)
			return st;
		t->payer_state = t->payer_id != 0 ? 1 : -1;
	} else {
		if ((st = payer_by(e, 1, t->payer_name, &t->payer_id,
		    t->payer_code)) !=
		    PMS_OK)
			return st;
		t->payer_state = t->payer_id != 0 ? 1 : 0;
	}
	return PMS_OK;
}

/* PMS_EREFUSED, with the words, when the payer of the remittance t is
 * not payer (the payers row) who owes the claim k. */
static enum pms_status
payer_check(const struct tx *t, const struct pms_claim *k, int64_t payer,
    const char *code)
{
	if (t->payer_state == -2)
		return pms_seterr(PMS_EREFUSED, "claim %lld: the remittance "
		    "names no payer (N1*PR): nothing of it was posted",
		    (long long)k->id);
	if (t->payer_state == -1)
		return pms_seterr(PMS_EREFUSED, "claim %lld: the remittance's "
		    "payer (N1*PR N104 %s) is not a payer of the "
		    "configuration: nothing of it was posted", (long long)k->id,
		    pms_quotable(t->payer_ident) ? t->payer_ident :
		    "(not shown)");
	if (t->payer_state == 1 && t->payer_id != payer)
		return pms_seterr(PMS_EREFUSED, "claim %lld: the remittance "
		    "is from %s (N1*PR), not %s, who owes it: nothing of it "
		    "was posted", (long long)k->id, t->payer_code, code);
	return PMS_OK;
}

/* The remittance's row: found (*seen) or made. */
static enum pms_status
remit_row(struct era *e, const struct tx *t, int64_t *id, int *seen)
{
	const char *key = t->trn03[0] != '\0' ? t->trn03 :
	    t->payer_ident[0] != '\0' ? t->payer_ident : t->payer_name;
	sqlite3_stmt *st;
	int rc;

	*seen = 0;
	rc = pms_store_prepare(e->s, "SELECT id FROM claim_remits WHERE "
	    "payer_key = ?1 AND trn02 = ?2", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading remittances");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->trn02, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*seen = 1;
	}
	pms_store_finalize(e->s, st);
	if (rc == SQLITE_ROW)
		return PMS_OK;
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading remittances");
	rc = pms_store_prepare(e->s, "INSERT INTO claim_remits "
	    "(payer_key, trn02, payer_name, payer_id, handling, method, "
	    "payment_cents, paid_on, isa13, st02, imported_at, imported_by) "
	    "VALUES (?1, ?2, ?3, (SELECT id FROM payers WHERE payer_id = ?4 "
	    "AND ?4 <> '' ORDER BY id LIMIT 1), ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12)", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "recording a remittance");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->trn02, -1, SQLITE_STATIC);
	bind_text(st, 3, t->payer_name);
	sqlite3_bind_text(st, 4, t->payer_ident, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->handling, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->method, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, t->payment);
	bind_text(st, 8, t->paid_on);
	sqlite3_bind_text(st, 9, t->isa13, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, t->st02, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, e->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, pms_store_user(e->s), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "recording a remittance");
	*id = sqlite3_last_insert_rowid(e->s->db);
	return PMS_OK;
}

static void
note(struct pms_era_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Words for a PLB03-1 adjustment reason code (the 835's code list);
 * NULL for others, which the reading refuses. */
static const char *
plb_words(const char *code)
{
	static const struct {
		const char	*code, *words;
	} w[] = {
		{ "L6", "interest owed" }, { "WO", "overpayment recovery" },
		{ "FB", "forwarding balance" }, { "72", "authorized return" },
		{ "CS", "adjustment" }, { "J1", "nonreimbursable" },
		{ "50", "late charge" }, { "90", "early payment allowance" },
		{ "AH", "origination fee" }, { "B2", "rebate" },
		{ "C5", "temporary allowance" }, { "IR", "internal revenue "
		  "service withholding" }, { "L3", "penalty" },
		{ "WU", "unspecified recovery" }, { "E3", "withholding" },
		{ "BD", "bad debt adjustment" }, { "GO", "garnishment" },
		{ "IS", "interim settlement" }, { "OB", "offset for "
		  "affiliated providers" }, { "PI", "periodic interim "
		  "payment" }, { "RA", "retro-activity adjustment" },
		{ "CV", "capital passthru" }, { "CW", "certified registered "
		  "nurse anesthetist passthru" }, { "DM", "direct medical "
		  "education passthru" }, { "GM", "graduate medical "
		  "education passthru" }, { "TL", "third party liability" },
		{ "AP", "acceleration of benefits" }, { "LE", "levy" },
		{ "SL", "student loan repayment" }, { "AM", "applied to "
		  "borrower's account" }, { "40", "tax withholding" },
		{ "51", "interest penalty charge" },
		{ "B3", "recovery allowance" }, { "BN", "bonus" },
		{ "CR", "capitation interest" }, { "CT", "capitation "
		  "payment" }, { "FC", "fund allocation" },
		{ "HM", "hemophilia clotting factor supplement" },
		{ "IP", "incentive premium payment" }, { "LS", "lump sum" },
		{ "OA", "organ acquisition passthru" }, { "PL", "payment "
		  "final" }, { "RE", "return on equity" },
	};
	size_t i;

	for (i = 0; i < PMS_NELEM(w); i++)
		if (strcmp(w[i].code, code) == 0)
			return w[i].words;
	return NULL;
}

/* The provider adjustments of t, each once, each a result of its own
 * (claim 0): the money it adds to the check (an L6 interest -1.25 is
 * 1.25 paid) as paid. */
static enum pms_status
plb_post(struct era *e, const struct tx *t, int64_t remit)
{
	struct pms_era_result *r;
	sqlite3_stmt *st;
	char m1[PMS_MONEY_BUFSZ];
	const char *w;
	size_t i;
	int rc;

	rc = pms_store_prepare(e->s, "INSERT OR IGNORE INTO claim_plb "
	    "(remit_id, payer_id, period, reason, reference, amount_cents) "
	    "VALUES (?1, (SELECT payer_id FROM claim_remits WHERE id = ?1), "
	    "?2, ?3, ?4, ?5)", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "recording a provider adjustment");
	for (i = 0; i < t->nplb; i++) {
		if (t->foreign != NULL) {
			r = &e->res[e->nres++];
			memset(r, 0, sizeof(*r));
			r->interchange = t->interchange;
			r->transaction = t->transaction;
			r->segment = t->plb[i].seg;
			r->line = t->plb[i].line;
			copy(r->trace, sizeof(r->trace), t->trn02);
			copy(r->status, sizeof(r->status), t->plb[i].reason);
			r->paid_cents = -t->plb[i].amount;
			r->outcome = "refused";
			note(r, "provider adjustment (PLB): %s: not recorded",
			    t->foreign);
			e->n->refused++;
			continue;
		}
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, remit);
		bind_text(st, 2, t->plb[i].period);
		sqlite3_bind_text(st, 3, t->plb[i].reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, t->plb[i].ref, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, t->plb[i].amount);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			pms_store_finalize(e->s, st);
			return sqlerr(e, rc, "recording a provider "
			    "adjustment");
		}
		r = &e->res[e->nres++];
		memset(r, 0, sizeof(*r));
		r->interchange = t->interchange;
		r->transaction = t->transaction;
		r->segment = t->plb[i].seg;
		r->line = t->plb[i].line;
		copy(r->trace, sizeof(r->trace), t->trn02);
		copy(r->payer, sizeof(r->payer), t->payer_code);
		copy(r->status, sizeof(r->status), t->plb[i].reason);
		r->paid_cents = -t->plb[i].amount;
		copy(r->payer_claim_number, sizeof(r->payer_claim_number),
		    t->plb[i].ref);
		w = plb_words(t->plb[i].reason);
		pms_money_fmt(r->paid_cents, m1);
		if (sqlite3_changes(e->s->db) > 0) {
			e->n->plb++;
			/* BPR02 is the claims' less the PLB amounts */
			e->n->payment_cents -= t->plb[i].amount;
			e->n->plb_cents -= t->plb[i].amount;
			r->outcome = "adjustment";
			note(r, "provider adjustment (PLB) %s%s%s: %s to the "
			    "practice, on the payer's account, no claim's",
			    pms_quotable(t->plb[i].reason) ? t->plb[i].reason :
			    "?", w != NULL ? ", " : "", w != NULL ? w : "",
			    m1);
		} else {
			r->outcome = "already";
			note(r, "provider adjustment (PLB) recorded before: "
			    "nothing done");
		}
	}
	pms_store_finalize(e->s, st);
	return PMS_OK;
}

/* Was this claim of the remittance posted before? */
static enum pms_status
posted_before(struct era *e, int64_t remit, const struct clp *c, int *yes,
    struct pms_era_result *r)
{
	sqlite3_stmt *st;
	int rc;

	/* a reversal's transfers are kept as the amounts moved back, and
	 * it denies nothing itself: its record negates what the posting
	 * it reverses moved to the patient and denied, as its first
	 * reading said */
	rc = pms_store_prepare(e->s, "SELECT (SELECT "
	    "coalesce(sum(amount_cents), 0) FROM claim_remit_ops WHERE "
	    "remit_claim_id = p.id AND kind = 'transfer') * CASE WHEN "
	    "p.reverses IS NULL THEN 1 ELSE -1 END, (SELECT "
	    "coalesce(-sum(amount_cents), 0) FROM claim_remit_ops WHERE "
	    "remit_claim_id = p.id AND kind = 'adjust'), CASE WHEN "
	    "p.reverses IS NULL THEN (SELECT coalesce(sum(amount_cents), 0) "
	    "FROM claim_denials WHERE remit_claim_id = p.id) ELSE (SELECT "
	    "-coalesce(sum(amount_cents), 0) FROM claim_denials WHERE "
	    "remit_claim_id = p.reverses) END FROM claim_remit_claims p "
	    "WHERE remit_id = ?1 AND clp01 = ?2 AND status = ?3 AND clp07 = "
	    "?4 AND charge_cents = ?5 AND paid_cents = ?6", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading postings");
	sqlite3_bind_int64(st, 1, remit);
	sqlite3_bind_text(st, 2, c->clp01, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->clp07, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->charge);
	sqlite3_bind_int64(st, 6, c->paid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* what that posting did, for the row that repeats it */
		r->patient_cents = sqlite3_column_int64(st, 0);
		r->written_off_cents = sqlite3_column_int64(st, 1);
		r->denied_cents = sqlite3_column_int64(st, 2);
	}
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading postings");
	*yes = rc == SQLITE_ROW;
	return PMS_OK;
}

static enum pms_status
posting_add(struct era *e, int64_t remit, const struct clp *c,
    const struct pms_claim *k, int64_t policy, int64_t reverses,
    int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(e->s, "INSERT INTO claim_remit_claims "
	    "(remit_id, claim_id, patient_id, policy_id, clp01, status, "
	    "charge_cents, paid_cents, patient_cents, clp07, reverses, "
	    "remarks, posted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13)", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "recording a posting");
	sqlite3_bind_int64(st, 1, remit);
	sqlite3_bind_int64(st, 2, k->id);
	sqlite3_bind_int64(st, 3, k->patient_id);
	bind_id(st, 4, policy);
	sqlite3_bind_text(st, 5, c->clp01, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, c->charge);
	sqlite3_bind_int64(st, 8, c->paid);
	sqlite3_bind_int64(st, 9, c->patient);
	sqlite3_bind_text(st, 10, c->clp07, -1, SQLITE_STATIC);
	bind_id(st, 11, reverses);
	sqlite3_bind_text(st, 12, c->remarks, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, e->now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "recording a posting");
	*id = sqlite3_last_insert_rowid(e->s->db);
	return PMS_OK;
}

/* One operation of a posting, as claim_remit_ops keeps it. */
struct op {
	const char	*kind;
	int64_t		 charge, payment, amount;
	const char	*group, *reason;
	const struct pms_party *from, *to;
	int64_t		 ledger_op;
};

static enum pms_status
op_add(struct era *e, int64_t posting, const struct op *o)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(e->s, "INSERT INTO claim_remit_ops "
	    "(remit_claim_id, kind, charge_id, payment_id, amount_cents, "
	    "group_code, reason, from_party, from_policy, to_party, "
	    "to_policy, ledger_op) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12)", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "recording a posting");
	sqlite3_bind_int64(st, 1, posting);
	sqlite3_bind_text(st, 2, o->kind, -1, SQLITE_STATIC);
	bind_id(st, 3, o->charge);
	bind_id(st, 4, o->payment);
	sqlite3_bind_int64(st, 5, o->amount);
	bind_text(st, 6, o->group);
	bind_text(st, 7, o->reason);
	if (o->from != NULL) {
		sqlite3_bind_text(st, 8, pms_party_name(o->from->kind), -1,
		    SQLITE_STATIC);
		bind_id(st, 9, o->from->policy_id);
	}
	if (o->to != NULL) {
		sqlite3_bind_text(st, 10, pms_party_name(o->to->kind), -1,
		    SQLITE_STATIC);
		bind_id(st, 11, o->to->policy_id);
	}
	bind_id(st, 12, o->ledger_op);
	rc = sqlite3_step(st);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "recording a posting");
	return PMS_OK;
}

/* What the party (kind, policy) owes on charge. */
static enum pms_status
owed(struct era *e, int64_t charge, enum pms_party_kind kind,
    int64_t policy, int64_t *cents)
{
	sqlite3_stmt *st;
	int rc;

	*cents = 0;
	rc = pms_store_prepare(e->s, "SELECT coalesce(sum(amount_cents), "
	    "0) FROM balances WHERE charge_id = ?1 AND party = ?2 AND "
	    "coalesce(policy_id, 0) = ?3", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading balances");
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_text(st, 2, pms_party_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, policy);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cents = sqlite3_column_int64(st, 0);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW)
		return sqlerr(e, rc, "reading balances");
	return PMS_OK;
}

static enum pms_status
denial_add(struct era *e, int64_t posting, const struct pms_claim *k,
    int64_t charge, int lx, const struct cas *c, const char *remarks,
    const char *on)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(e->s, "INSERT INTO claim_denials "
	    "(remit_claim_id, claim_id, patient_id, charge_id, line, "
	    "group_code, reason, amount_cents, remarks, denied_on) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "recording a denial");
	sqlite3_bind_int64(st, 1, posting);
	sqlite3_bind_int64(st, 2, k->id);
	sqlite3_bind_int64(st, 3, k->patient_id);
	sqlite3_bind_int64(st, 4, charge);
	sqlite3_bind_int(st, 5, lx);
	sqlite3_bind_text(st, 6, c->group, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, c->amount);
	sqlite3_bind_text(st, 9, remarks, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, on, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "recording a denial");
	return PMS_OK;
}

/*
 * Close the open denials of charge (every charge: 0) of claim that a
 * posting other than posting left, as closed by it.  The claims claim
 * replaces (original_id, back to the first) count as claim: the payer
 * adjudicating a replacement's line answers the denial it made of that
 * line on the claim replaced, as a later posting of the claim itself
 * would, and nothing is owed on it any more.
 */
static enum pms_status
denials_close(struct era *e, int64_t claim, int64_t charge, int64_t posting,
    int64_t of_posting)
{
	sqlite3_stmt *st;
	int rc;

	rc = pms_store_prepare(e->s, "WITH RECURSIVE chain(id) AS (SELECT "
	    "?3 UNION SELECT k.original_id FROM claims k JOIN chain ON k.id "
	    "= chain.id WHERE k.original_id IS NOT NULL) UPDATE "
	    "claim_denials SET closed_by = ?1, closed_on = ?2 WHERE claim_id "
	    "IN (SELECT id FROM chain) AND closed_by IS NULL AND "
	    "remit_claim_id <> ?1 AND (?4 = 0 OR charge_id = ?4) AND (?5 = 0 "
	    "OR remit_claim_id = ?5)", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "closing denials");
	sqlite3_bind_int64(st, 1, posting);
	sqlite3_bind_text(st, 2, e->today, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, claim);
	sqlite3_bind_int64(st, 4, charge);
	sqlite3_bind_int64(st, 5, of_posting);
	rc = sqlite3_step(st);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "closing denials");
	return PMS_OK;
}

/* ---- posting one claim ---- */

struct lines {
	struct pms_claim_line *v;
	size_t		 n, cap;
};

static int
keep_line(void *arg, const struct pms_claim_line *l)
{
	struct lines *ls = arg;

	if ((ls->v = grow(ls->v, &ls->cap, ls->n + 1, sizeof(*ls->v))) ==
	    NULL)
		return 1;
	ls->v[ls->n++] = *l;
	return 0;
}

/* What a posting puts on one line of the claim. */
struct alloc {
	int		 used;		/* the 835 speaks of it */
	int64_t		 paid;
	struct casv	 cas;
	char		 remarks[128];
};

/* a line's adjudication is only the prior payer's (billing.informational) */
static int
info_only(struct era *e, const struct alloc *a)
{
	size_t j;

	for (j = 0; j < a->cas.n; j++)
		if (a->cas.v[j].amount != 0 &&
		    !listed(e->info, e->ninfo, &a->cas.v[j]))
			return 0;
	return 1;
}

static enum pms_status
alloc_cas(struct alloc *a, const struct cas *c)
{
	struct casv *v = &a->cas;

	if ((v->v = grow(v->v, &v->cap, v->n + 1, sizeof(*v->v))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	v->v[v->n++] = *c;
	a->used = 1;
	return PMS_OK;
}

/* What is left of line i to be accounted for. */
static int64_t
room(const struct lines *ls, const struct alloc *a, size_t i)
{
	int64_t r = ls->v[i].amount_cents - a[i].paid;
	size_t j;

	for (j = 0; j < a[i].cas.n; j++)
		r -= a[i].cas.v[j].amount;
	return r;
}

/* What is left of cap[i], what a later payer may pay or leave the
 * patient on line i, once its payment and PR amounts so far. */
static int64_t
cap_room(const struct alloc *a, const int64_t *cap, size_t i)
{
	int64_t r = cap[i] - a[i].paid;
	size_t j;

	for (j = 0; j < a[i].cas.n; j++)
		if (strcmp(a[i].cas.v[j].group, "PR") == 0)
			r -= a[i].cas.v[j].amount;
	return r;
}

/*
 * Spread a claim-level amount over the lines, in their order, each
 * taking what is left of it; what is left over (or a negative amount)
 * goes to the first line.  paid: the payment, else the CAS c.  cap
 * (NULL: none) is what a later payer's 835 may pay or leave the
 * patient on each line (what waits for it there): its payment and PR
 * amounts go where that is, no further.
 */
static enum pms_status
spread(const struct lines *ls, struct alloc *a, int paid, int64_t amt,
    const struct cas *c, const int64_t *cap)
{
	enum pms_status st;
	struct cas part;
	size_t i;
	int64_t take, r, k;

	for (i = 0; i < ls->n && amt > 0; i++) {
		r = room(ls, a, i);
		if (cap != NULL && (paid || strcmp(c->group, "PR") == 0) &&
		    (k = cap_room(a, cap, i)) < r)
			r = k;
		if (r <= 0)
			continue;
		take = amt < r ? amt : r;
		if (paid) {
			a[i].paid += take;
			a[i].used = 1;
		} else {
			part = *c;
			part.amount = take;
			if ((st = alloc_cas(&a[i], &part)) != PMS_OK)
				return st;
		}
		amt -= take;
	}
	if (amt == 0 || ls->n == 0)
		return PMS_OK;
	if (paid) {
		a[0].paid += amt;
		a[0].used = 1;
		return PMS_OK;
	}
	part = *c;
	part.amount = amt;
	return alloc_cas(&a[0], &part);
}

static void
money(int64_t cents, char buf[PMS_MONEY_BUFSZ])
{
	pms_money_fmt(cents, buf);
}

/* The note of a result, printf style. */
static void
note(struct pms_era_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct pms_era_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
}

/* The policy of seq (1 primary ...) for the claim's patient on its day. */
static enum pms_status
policy_of(struct era *e, const struct pms_claim *k, int seq,
    struct pms_party *p)
{
	struct pms_policy pol[3];
	enum pms_status st;
	size_t n, i;

	memset(p, 0, sizeof(*p));
	p->kind = PMS_PARTY_PAYER;
	if (seq == k->payer_seq) {
		p->policy_id = k->policy_id;
		p->payer_id = k->payer_id;
		p->priority = seq;
		copy(p->payer, sizeof(p->payer), k->payer);
		return PMS_OK;
	}
	if ((st = pms_policy_in_effect(e->s, k->patient_id, k->dos_from, pol,
	    &n)) != PMS_OK)
		return st;
	for (i = 0; i < n; i++)
		if (pol[i].priority == seq) {
			p->policy_id = pol[i].id;
			p->payer_id = pol[i].payer_id;
			p->priority = seq;
			copy(p->payer, sizeof(p->payer), pol[i].payer);
			return PMS_OK;
		}
	return pms_seterr(PMS_EREFUSED, "claim %lld: no policy of priority %d "
	    "covers the date of service", (long long)k->id, seq);
}

static const char *
method_of(const char *bpr04)
{
	if (strcmp(bpr04, "CHK") == 0)
		return "check";
	return "eft";	/* ACH, FWT, BOP, NON with money on a claim */
}

/* One CAS triple of an adjudication (line: a claim line's id; 0: the
 * claim's own). */
static enum pms_status
adj_cas(struct era *e, sqlite3_stmt *st, int64_t posting, int64_t line,
    const struct cas *c)
{
	int rc;

	if (c->amount == 0)
		return PMS_OK;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, posting);
	bind_id(st, 2, line);
	sqlite3_bind_text(st, 3, c->group, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->amount);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		return sqlerr(e, rc, "recording an adjudication");
	return PMS_OK;
}

/*
 * Keep what the payer adjudicated (0010), as it said it, for the
 * claims to the payers after it, on the day of BPR16 (the day read
 * when BPR16 is ahead): with SVC lines, each line's SVC03,
 * SVC01 and SVC05 and its own CAS, and the CLP's CAS at claim level;
 * without, what posting spread onto the lines (svc_of[i] -1) as line
 * level.
 */
static enum pms_status
adjudication_record(struct era *e, const struct tx *t, int64_t posting,
    const struct clp *c, const struct pms_claim *k, int64_t policy,
    const struct lines *ls, const struct alloc *a, const int *svc_of)
{
	sqlite3_stmt *st = NULL, *sl = NULL, *sc = NULL;
	enum pms_status ps = PMS_OK;
	size_t i, j;
	int rc;

	rc = sqlite3_prepare_v2(e->s->db, "INSERT INTO claim_adjudications "
	    "(remit_claim_id, claim_id, policy_id, adjudicated_on, "
	    "paid_cents, patient_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1,
	    &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(e->s->db, "INSERT INTO "
		    "claim_adjudication_lines (remit_claim_id, claim_line_id, "
		    "code, modifiers, units, paid_cents) VALUES (?1, ?2, ?3, "
		    "?4, ?5, ?6)", -1, &sl, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(e->s->db, "INSERT INTO "
		    "claim_adjudication_cas (remit_claim_id, claim_line_id, "
		    "group_code, reason, amount_cents) VALUES (?1, ?2, ?3, ?4, "
		    "?5)", -1, &sc, NULL);
	if (rc != SQLITE_OK) {
		ps = sqlerr(e, rc, "recording an adjudication");
		goto out;
	}
	sqlite3_bind_int64(st, 1, posting);
	sqlite3_bind_int64(st, 2, k->id);
	bind_id(st, 3, policy);
	/* BPR16 is when the money moves, which may be ahead: the payer
	 * adjudicated by the day its 835 was read */
	sqlite3_bind_text(st, 4, t->paid_on[0] != '\0' && strcmp(t->paid_on,
	    e->today) <= 0 ? t->paid_on : e->today, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->paid);
	sqlite3_bind_int64(st, 6, c->patient);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		ps = sqlerr(e, rc, "recording an adjudication");
		goto out;
	}
	for (i = 0; i < ls->n; i++) {
		const struct pms_claim_line *l = &ls->v[i];
		const struct svc *v = svc_of[i] >= 0 ? &c->svc[svc_of[i]] :
		    NULL;

		if (!a[i].used)
			continue;
		sqlite3_reset(sl);
		sqlite3_bind_int64(sl, 1, posting);
		sqlite3_bind_int64(sl, 2, l->id);
		sqlite3_bind_text(sl, 3, v != NULL && v->acode[0] != '\0' ?
		    v->acode : l->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(sl, 4, v != NULL && v->acode[0] != '\0' ?
		    v->amods : l->modifiers, -1, SQLITE_STATIC);
		sqlite3_bind_int(sl, 5, v != NULL && v->units > 0 ? v->units :
		    l->units);
		sqlite3_bind_int64(sl, 6, v != NULL ? v->paid : a[i].paid);
		if ((rc = sqlite3_step(sl)) != SQLITE_DONE) {
			ps = sqlerr(e, rc, "recording an adjudication");
			goto out;
		}
		if (v != NULL) {
			for (j = 0; j < v->cas.n; j++)
				if ((ps = adj_cas(e, sc, posting, l->id,
				    &v->cas.v[j])) != PMS_OK)
					goto out;
		} else
			for (j = 0; j < a[i].cas.n; j++)
				if ((ps = adj_cas(e, sc, posting, l->id,
				    &a[i].cas.v[j])) != PMS_OK)
					goto out;
	}
	if (c->nsvc > 0)
		for (j = 0; j < c->cas.n; j++)
			if ((ps = adj_cas(e, sc, posting, 0, &c->cas.v[j])) !=
			    PMS_OK)
				goto out;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(sl);
	sqlite3_finalize(sc);
	return ps;
}

/* Where the 835 speaks of a line (svc: its SVC, -1: claim level), for
 * a message: "SVC at segment 12, REF*6R C000001-1". */
static void
line_where(const struct clp *c, int svc, char *buf, size_t size)
{
	const struct svc *v;

	if (svc < 0) {
		snprintf(buf, size, "claim level, CLP at segment %lu", c->seg);
		return;
	}
	v = &c->svc[svc];
	if (v->control[0] != '\0' && pms_quotable(v->control))
		snprintf(buf, size, "SVC at segment %lu, REF*6R %s", v->seg,
		    v->control);
	else
		snprintf(buf, size, "SVC at segment %lu", v->seg);
}

/*
 * What stands in the way of an 835 that asks more of payer on charge
 * than it owes there (need more than it has), and what to do, for the
 * refusal: a transfer off the payer made by hand (the pms-bill
 * transfer that brings it back), a write-off made by hand (the
 * pms-bill adjust that takes it back), or its own payment posted
 * already.  era posts no overpayment.
 */
static void
in_the_way(struct era *e, int64_t charge, const struct pms_party *payer,
    int64_t need, char *buf, size_t size)
{
	sqlite3_stmt *st;
	char m[PMS_MONEY_BUFSZ], to[PMS_CFG_CODE + 8] = "", group[4] = "";
	char reason[PMS_BILL_TEXT] = "";
	int64_t moved = 0, off = 0, paid = 0, x;

	/* by hand: no 835's trace as source_ref */
	if (pms_store_prepare(e->s, "SELECT coalesce((SELECT "
	    "-sum(amount_cents) FROM ledger WHERE charge_id = ?1 AND kind = "
	    "'transfer' AND party = 'payer' AND policy_id = ?2 AND source_ref "
	    "IS NULL), 0), coalesce((SELECT -sum(amount_cents) FROM ledger "
	    "WHERE charge_id = ?1 AND kind = 'adjustment' AND party = 'payer' "
	    "AND policy_id = ?2 AND source_ref IS NULL), 0), coalesce((SELECT "
	    "-sum(amount_cents) FROM ledger WHERE charge_id = ?1 AND kind = "
	    "'apply' AND party = 'payer' AND policy_id = ?2), 0), (SELECT "
	    "CASE g.party WHEN 'payer' THEN y.code ELSE g.party || "
	    "coalesce(' ' || y.code, '') END FROM "
	    "ledger f JOIN ledger g ON g.op = f.op AND g.amount_cents > 0 LEFT "
	    "JOIN payers y ON y.id = g.payer_id WHERE f.charge_id = ?1 AND "
	    "f.kind = 'transfer' AND f.party = 'payer' AND f.policy_id = ?2 "
	    "AND f.source_ref IS NULL AND f.amount_cents < 0 ORDER BY f.id "
	    "DESC LIMIT 1), (SELECT coalesce(group_code, '') || ' ' || reason "
	    "FROM ledger WHERE charge_id = ?1 AND kind = 'adjustment' AND "
	    "party = 'payer' AND policy_id = ?2 AND source_ref IS NULL AND "
	    "amount_cents < 0 ORDER BY id DESC LIMIT 1)", &st) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, charge);
		sqlite3_bind_int64(st, 2, payer->policy_id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *gr;

			moved = sqlite3_column_int64(st, 0);
			off = sqlite3_column_int64(st, 1);
			paid = sqlite3_column_int64(st, 2);
			copy(to, sizeof(to), (const char *)
			    sqlite3_column_text(st, 3));
			if ((gr = (const char *)sqlite3_column_text(st, 4)) !=
			    NULL) {
				const char *sp = strchr(gr, ' ');

				if (sp != NULL && sp - gr < (int)sizeof(group))
					memcpy(group, gr, (size_t)(sp - gr));
				copy(reason, sizeof(reason), sp != NULL ?
				    sp + 1 : gr);
			}
		}
		pms_store_finalize(e->s, st);
	}
	if (moved > 0 && to[0] != '\0') {
		const char *sp = strchr(to, ' ');

		/* "pending bluecross": --from pending */
		x = moved < need ? moved : need;
		money(x, m);
		snprintf(buf, size, "%s of it was moved by hand to %s: pms-bill "
		    "transfer %lld --from %.*s --to %s --amount %s --reason 835 "
		    "lets it post", m, to, (long long)charge, sp != NULL ?
		    (int)(sp - to) : (int)strlen(to), to, payer->payer, m);
		return;
	}
	if (off > 0 && pms_quotable(reason)) {
		x = off < need ? off : need;
		money(x, m);
		snprintf(buf, size, "%s of it was written off by hand: pms-bill "
		    "adjust %lld --amount %s --reason %s%s%s --from %s takes it "
		    "back", m, (long long)charge, m, reason, group[0] != '\0' ?
		    " --group " : "", group, payer->payer);
		return;
	}
	money(paid, m);
	if (paid > 0)
		snprintf(buf, size, "it paid %s on it already: pms-claim era "
		    "posts no overpayment (return it, or ask %s for a corrected "
		    "835)", m, payer->payer);
	else
		snprintf(buf, size, "pms-claim era posts no overpayment "
		    "(return it, or ask %s for a corrected 835)", payer->payer);
}

/*
 * A negative contractual amount outside a reversal (an allowance above
 * the charge) takes back a write-off: refused, saying so, when payer
 * has not written off that much on the line's charge.
 */
static enum pms_status
taken_back_ok(struct era *e, const struct pms_claim *k,
    const struct pms_claim_line *l, const char *where,
    const struct pms_party *payer, const struct cas *cs)
{
	sqlite3_stmt *st;
	char m1[PMS_MONEY_BUFSZ], m2[PMS_MONEY_BUFSZ];
	int64_t off = 0;
	int rc;

	rc = pms_store_prepare(e->s, "SELECT coalesce(-sum(amount_cents), 0) "
	    "FROM ledger WHERE charge_id = ?1 AND kind = 'adjustment' AND "
	    "party = 'payer' AND policy_id = ?2", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading the ledger");
	sqlite3_bind_int64(st, 1, l->charge_id);
	sqlite3_bind_int64(st, 2, payer->policy_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		off = sqlite3_column_int64(st, 0);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW)
		return sqlerr(e, rc, "reading the ledger");
	if (off >= -cs->amount)
		return PMS_OK;
	money(cs->amount, m1);
	money(off, m2);
	return pms_seterr(PMS_EREFUSED, "claim %lld line %d (%s): %s-%s %s "
	    "takes back more than %s wrote off on charge %lld (%s): an "
	    "allowance above the charge; pms-claim era posts no overpayment "
	    "(return it, or ask %s for a corrected 835)", (long long)k->id,
	    l->lx, where, cs->group, cs->reason, m1, payer->payer,
	    (long long)l->charge_id, m2, payer->payer);
}

/*
 * Refuse line i of claim k, where the 835 (at where) asks amt of payer
 * (what: "pays", "leaves the patient PR-3", "writes off CO-45") and it
 * owes have on the charge.
 */
static enum pms_status
too_much(struct era *e, const struct pms_claim *k,
    const struct pms_claim_line *l, const char *where, const char *what,
    const struct pms_party *payer, int64_t amt, int64_t have)
{
	char m1[PMS_MONEY_BUFSZ], m2[PMS_MONEY_BUFSZ], why[512];

	money(amt, m1);
	money(have < 0 ? 0 : have, m2);
	in_the_way(e, l->charge_id, payer, amt - (have < 0 ? 0 : have), why,
	    sizeof(why));
	return pms_seterr(PMS_EREFUSED, "claim %lld line %d (%s): %s %s %s "
	    "and owes %s on charge %lld; %s", (long long)k->id, l->lx, where,
	    payer->payer, what, m1, m2, (long long)l->charge_id, why);
}

/*
 * The next payer's 835 posted under claim k's number (CLP01 the
 * primary's, as a crossover's is, and a secondary's may be): the claim
 * made for that payer from k (secondary), while in flight, moves as its
 * own answer would have moved it, so that it does not wait for ever;
 * and k gets a row of its history saying so, a crossed-over k leaving
 * crossed-over, its wait over, for what its own payer left it
 * (partly-paid while a denial of that payer's is open, else paid).
 */
static enum pms_status
next_answered(struct era *e, const struct tx *t, const struct clp *c,
    const struct pms_claim *k, int seq, const struct pms_era_result *r)
{
	sqlite3_stmt *st;
	enum pms_claim_state to, kto;
	enum pms_status ps;
	int64_t next = 0, open = 0;
	int rc, cur = -1;
	char why[200];

	if (strcmp(c->status, "19") == 0 || strcmp(c->status, "20") == 0 ||
	    strcmp(c->status, "21") == 0)
		to = PMS_CLAIM_CROSSED_OVER;
	else if (strcmp(c->status, "4") == 0 || (c->paid == 0 &&
	    r->denied_cents > 0))
		to = PMS_CLAIM_DENIED;
	else if (r->denied_cents > 0)
		to = PMS_CLAIM_PARTLY_PAID;
	else
		to = PMS_CLAIM_PAID;
	rc = pms_store_prepare(e->s, "SELECT id, state FROM claims WHERE "
	    "prior_claim_id = ?1 AND payer_seq = ?2 AND state IN "
	    "('submitted', 'acknowledged') ORDER BY id DESC LIMIT 1", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading claims");
	sqlite3_bind_int64(st, 1, k->id);
	sqlite3_bind_int(st, 2, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		next = sqlite3_column_int64(st, 0);
		cur = pms_claim_state_parse((const char *)
		    sqlite3_column_text(st, 1));
	}
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading claims");
	if (next != 0 && cur >= 0 && pms_claim_may(cur, to)) {
		snprintf(why, sizeof(why), "835 CLP02 %s, trace %s, under the "
		    "number of claim %lld (CLP01), which it follows",
		    c->status, pms_quotable(t->trn02) ? t->trn02 :
		    "(not shown)", (long long)k->id);
		if ((ps = pms_claim_move(e->s, next, to, 0, why)) != PMS_OK)
			return ps;
	}
	kto = k->state;
	if (k->state == PMS_CLAIM_CROSSED_OVER) {
		rc = pms_store_prepare(e->s, "SELECT count(*) FROM "
		    "claim_denials d JOIN claim_remit_claims p ON p.id = "
		    "d.remit_claim_id WHERE d.claim_id = ?1 AND d.closed_by "
		    "IS NULL AND p.policy_id IS ?2", &st);
		if (rc != SQLITE_OK)
			return sqlerr(e, rc, "reading denials");
		sqlite3_bind_int64(st, 1, k->id);
		sqlite3_bind_int64(st, 2, k->policy_id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			open = sqlite3_column_int64(st, 0);
		pms_store_finalize(e->s, st);
		if (rc != SQLITE_ROW)
			return sqlerr(e, rc, "reading denials");
		kto = open > 0 ? PMS_CLAIM_PARTLY_PAID : PMS_CLAIM_PAID;
	}
	if (!pms_claim_may(k->state, kto))
		return PMS_OK;	/* closed: its row would change nothing */
	if (next != 0)
		snprintf(why, sizeof(why), "835 CLP02 %s, trace %s: the payer "
		    "of priority %d answered claim %lld under this claim's "
		    "number", c->status, pms_quotable(t->trn02) ? t->trn02 :
		    "(not shown)", seq, (long long)next);
	else
		snprintf(why, sizeof(why), "835 CLP02 %s, trace %s: the payer "
		    "of priority %d answered%s", c->status,
		    pms_quotable(t->trn02) ? t->trn02 : "(not shown)", seq,
		    k->state == PMS_CLAIM_CROSSED_OVER ? " the crossover: "
		    "its wait is over" : " under this claim's number");
	return pms_claim_move(e->s, k->id, kto, 0, why);
}

/*
 * Post claim c (not a reversal) of transaction t, matched to k, inside
 * the caller's savepoint.  PMS_EREFUSED with the message for a claim
 * the rules refuse; r gets the totals.
 */
static enum pms_status
post_claim(struct era *e, const struct tx *t, int64_t remit,
    const struct clp *c, const struct pms_claim *k, struct pms_era_result *r)
{
	struct lines ls = { NULL, 0, 0 };
	struct alloc *a = NULL;
	struct pms_party payer, pend;
	enum pms_claim_state to;
	enum pms_status st;
	int64_t posting = 0, payment = 0, have;
	char m1[PMS_MONEY_BUFSZ], m2[PMS_MONEY_BUFSZ], src[64];
	size_t i, j, lx;
	int64_t *cap = NULL;
	int seq, pass, *taken = NULL, *svc_of = NULL, idle = 0, busy = 0;

	seq = strcmp(c->status, "2") == 0 || strcmp(c->status, "20") == 0 ?
	    2 : strcmp(c->status, "3") == 0 || strcmp(c->status, "21") == 0 ?
	    3 : strcmp(c->status, "4") == 0 ? k->payer_seq : 1;
	/* a secondary's or tertiary's own claim went to its payer alone:
	 * whatever CLP02 says, that payer answers it */
	if (seq < k->payer_seq)
		seq = k->payer_seq;
	if ((st = policy_of(e, k, seq, &payer)) != PMS_OK)
		return st;
	copy(r->payer, sizeof(r->payer), payer.payer);
	if ((st = payer_check(t, k, payer.payer_id, payer.payer)) != PMS_OK)
		return st;
	if ((st = pms_claim_lines(e->s, k->id, keep_line, &ls)) != PMS_OK)
		goto out;
	if (ls.n == 0) {
		st = pms_seterr(PMS_EREFUSED, "claim %lld has no lines",
		    (long long)k->id);
		goto out;
	}
	if ((a = calloc(ls.n, sizeof(*a))) == NULL ||
	    (taken = calloc(ls.n, sizeof(*taken))) == NULL ||
	    (svc_of = calloc(ls.n, sizeof(*svc_of))) == NULL) {
		st = pms_seterr(PMS_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < ls.n; i++)
		svc_of[i] = -1;
	/* the 835's lines onto ours: REF*6R, else code and modifiers, else
	 * code, in order */
	for (i = 0; i < c->nsvc; i++) {
		const struct svc *v = &c->svc[i];

		lx = ls.n;
		for (j = 0; j < ls.n && v->control[0] != '\0'; j++)
			if (!taken[j] && strcasecmp(ls.v[j].control,
			    v->control) == 0) {
				lx = j;
				break;
			}
		for (j = 0; lx == ls.n && j < ls.n; j++)
			if (!taken[j] && strcmp(ls.v[j].code, v->code) == 0 &&
			    strcmp(ls.v[j].modifiers, v->mods) == 0)
				lx = j;
		for (j = 0; lx == ls.n && j < ls.n; j++)
			if (!taken[j] && strcmp(ls.v[j].code, v->code) == 0)
				lx = j;
		if (lx == ls.n) {
			st = pms_seterr(PMS_EREFUSED, "claim %lld: the SVC at "
			    "segment %lu matches none of its lines%s",
			    (long long)k->id, v->seg, v->code[0] == '\0' ?
			    " (SVC01 has no code after its qualifier: are its "
			    "components split by ISA16, the component "
			    "separator the file says?)" : "");
			goto out;
		}
		if (v->charge != ls.v[lx].amount_cents) {
			money(v->charge, m1);
			money(ls.v[lx].amount_cents, m2);
			st = pms_seterr(PMS_EREFUSED, "claim %lld line %d: "
			    "SVC02 %s is not the %s billed", (long long)k->id,
			    ls.v[lx].lx, m1, m2);
			goto out;
		}
		taken[lx] = 1;
		svc_of[lx] = (int)i;
		a[lx].used = 1;
		a[lx].paid = v->paid;
		copy(a[lx].remarks, sizeof(a[lx].remarks), v->remarks);
		for (j = 0; j < v->cas.n; j++)
			if ((st = alloc_cas(&a[lx], &v->cas.v[j])) != PMS_OK)
				goto out;
	}
	if (c->nsvc == 0) {
		if (c->charge != k->total_cents) {
			money(c->charge, m1);
			money(k->total_cents, m2);
			st = pms_seterr(PMS_EREFUSED, "claim %lld: CLP03 %s is "
			    "not the %s billed", (long long)k->id, m1, m2);
			goto out;
		}
		if (seq > 1) {
			/* a later payer pays what waits for it */
			if ((cap = calloc(ls.n, sizeof(*cap))) == NULL) {
				st = pms_seterr(PMS_ENOMEM, "out of memory");
				goto out;
			}
			for (i = 0; i < ls.n; i++) {
				int64_t o1 = 0, o2 = 0;

				if ((st = owed(e, ls.v[i].charge_id,
				    PMS_PARTY_PENDING, payer.policy_id, &o1)) !=
				    PMS_OK || (st = owed(e, ls.v[i].charge_id,
				    PMS_PARTY_PAYER, payer.policy_id, &o2)) !=
				    PMS_OK)
					goto out;
				cap[i] = o1 + o2;
			}
		}
		if ((st = spread(&ls, a, 1, c->paid, NULL, cap)) != PMS_OK)
			goto out;
	}
	/* with a cap, the PR amounts first: the rest may go anywhere */
	for (pass = cap != NULL ? 0 : 1; pass < 2; pass++)
		for (j = 0; j < c->cas.n; j++) {
			int pr = strcmp(c->cas.v[j].group, "PR") == 0;

			if (cap != NULL && pr != (pass == 0))
				continue;
			if ((st = spread(&ls, a, 0, c->cas.v[j].amount,
			    &c->cas.v[j], cap)) != PMS_OK)
				goto out;
		}
	for (i = 0; i < ls.n; i++)
		if (a[i].paid < 0) {
			st = pms_seterr(PMS_EREFUSED, "claim %lld line %d: a "
			    "negative payment outside a reversal",
			    (long long)k->id, ls.v[i].lx);
			goto out;
		}

	if ((st = posting_add(e, remit, c, k, payer.policy_id, 0, &posting)) !=
	    PMS_OK ||
	    (st = adjudication_record(e, t, posting, c, k, payer.policy_id,
	    &ls, a, svc_of)) != PMS_OK)
		goto out;
	if (c->paid > 0) {
		struct pms_payment_in p;
		int existed = 0;

		snprintf(src, sizeof(src), "835:%lld", (long long)posting);
		memset(&p, 0, sizeof(p));
		p.patient_id = k->patient_id;
		p.payer_id = payer.payer_id;
		p.policy_id = payer.policy_id;
		p.method = method_of(t->method);
		p.amount_cents = c->paid;
		/* every entry of a posting is on the day it was posted, so
		 * that the day sheet of that day reconciles and no closed
		 * day changes; BPR16 stays the remittance's paid_on */
		p.received_on = NULL;
		p.ref = t->trn02;
		p.source_ref = c->clp07[0] != '\0' ? c->clp07 : NULL;
		p.source_id = src;
		if ((st = pms_bill_payment_new(e->s, &p, &payment,
		    &existed)) != PMS_OK)
			goto out;
	}
	for (i = 0; i < ls.n; i++) {
		struct alloc *al = &a[i];
		int64_t charge = ls.v[i].charge_id;
		char remarks[192], where[96], what[32];
		struct op o;

		if (!al->used)
			continue;
		line_where(c, svc_of[i], where, sizeof(where));
		snprintf(remarks, sizeof(remarks), "%s%s%s", al->remarks,
		    al->remarks[0] != '\0' && c->remarks[0] != '\0' ? "," : "",
		    c->remarks);
		if (seq > 1) {
			/* the later payer takes over what waits for it */
			if ((st = owed(e, charge, PMS_PARTY_PENDING,
			    payer.policy_id, &have)) != PMS_OK)
				goto out;
			if (have > 0) {
				struct pms_transfer x;
				struct pms_transfer_result xr;

				memset(&x, 0, sizeof(x));
				memset(&pend, 0, sizeof(pend));
				pend.kind = PMS_PARTY_PENDING;
				pend.policy_id = payer.policy_id;
				x.charge_id = charge;
				x.amount_cents = have;
				x.from = pend;
				x.to = PMS_TO_PAYER;
				x.payer_id = payer.payer_id;
				x.reason = "the next payer's turn";
				x.source_ref = t->trn02;
				if ((st = pms_bill_transfer(e->s, &x, &xr)) !=
				    PMS_OK)
					goto out;
				memset(&o, 0, sizeof(o));
				o.kind = "take";
				o.charge = charge;
				o.amount = have;
				o.from = &xr.from;
				o.to = &xr.to;
				o.ledger_op = xr.op;
				if ((st = op_add(e, posting, &o)) != PMS_OK)
					goto out;
			} else if ((st = owed(e, charge, PMS_PARTY_PAYER,
			    payer.policy_id, &have)) != PMS_OK)
				goto out;
			else if (have <= 0 && al->paid == 0 &&
			    info_only(e, al)) {
				/* a line with nothing for this payer, which it
				 * answers with nothing: no pay, only the prior
				 * payer's adjudication (billing.informational);
				 * it posts nothing */
				if (idle == 0)
					idle = ls.v[i].lx;
				continue;
			} else if (have <= 0) {
				st = pms_seterr(PMS_EREFUSED, "claim %lld line "
				    "%d: nothing waits for the payer of "
				    "priority %d (post the earlier payer's "
				    "835 first)", (long long)k->id,
				    ls.v[i].lx, seq);
				goto out;
			}
		}
		if (al->paid > 0) {
			int64_t applied = 0;

			/* more than it owes: say where, how much and why */
			if ((st = owed(e, charge, PMS_PARTY_PAYER,
			    payer.policy_id, &have)) != PMS_OK)
				goto out;
			if (have < al->paid) {
				st = too_much(e, k, &ls.v[i], where, "pays",
				    &payer, al->paid, have);
				goto out;
			}
			if ((st = pms_bill_apply(e->s, payment, charge,
			    al->paid, NULL, 0, &applied)) != PMS_OK)
				goto out;
			if (applied != al->paid) {
				money(al->paid, m1);
				money(applied, m2);
				st = pms_seterr(PMS_EREFUSED, "claim %lld line "
				    "%d: paid %s, but the payer owed %s (posted "
				    "already?)", (long long)k->id, ls.v[i].lx,
				    m1, m2);
				goto out;
			}
			memset(&o, 0, sizeof(o));
			o.kind = "apply";
			o.charge = charge;
			o.payment = payment;
			o.amount = applied;
			o.from = &payer;
			if ((st = op_add(e, posting, &o)) != PMS_OK)
				goto out;
		}
		for (j = 0; j < al->cas.n; j++) {
			const struct cas *cs = &al->cas.v[j];
			/* outlives its branch: op_add reads it below */
			struct pms_transfer_result xr;

			if (cs->amount == 0 || listed(e->info, e->ninfo, cs))
				continue;
			memset(&o, 0, sizeof(o));
			o.charge = charge;
			o.group = cs->group;
			o.reason = cs->reason;
			if (strcmp(cs->group, "PR") == 0) {
				struct pms_transfer x;

				if (cs->amount < 0) {
					st = pms_seterr(PMS_EREFUSED, "claim "
					    "%lld line %d: a negative patient "
					    "responsibility outside a "
					    "reversal", (long long)k->id,
					    ls.v[i].lx);
					goto out;
				}
				if ((st = owed(e, charge, PMS_PARTY_PAYER,
				    payer.policy_id, &have)) != PMS_OK)
					goto out;
				if (have < cs->amount) {
					snprintf(what, sizeof(what), "leaves "
					    "the patient PR-%s", cs->reason);
					st = too_much(e, k, &ls.v[i], where,
					    what, &payer, cs->amount, have);
					goto out;
				}
				memset(&x, 0, sizeof(x));
				x.charge_id = charge;
				x.amount_cents = cs->amount;
				x.from = payer;
				x.to = PMS_TO_PATIENT;
				x.group = "PR";
				x.reason = cs->reason;
				x.source_ref = t->trn02;
				if ((st = pms_bill_transfer(e->s, &x, &xr)) !=
				    PMS_OK)
					goto out;
				o.kind = "transfer";
				o.amount = cs->amount;
				o.from = &xr.from;
				o.to = &xr.to;
				o.ledger_op = xr.op;
				r->patient_cents += cs->amount;
			} else if ((strcmp(cs->group, "CO") == 0 ||
			    strcmp(cs->group, "PI") == 0) &&
			    listed(e->contract, e->ncontract, cs)) {
				struct pms_adjust ad;
				int64_t lop = 0;

				if ((st = owed(e, charge, PMS_PARTY_PAYER,
				    payer.policy_id, &have)) != PMS_OK)
					goto out;
				if (cs->amount > 0 && have < cs->amount) {
					snprintf(what, sizeof(what), "writes "
					    "off %s-%s", cs->group, cs->reason);
					st = too_much(e, k, &ls.v[i], where,
					    what, &payer, cs->amount, have);
					goto out;
				}
				if (cs->amount < 0 && (st = taken_back_ok(e, k,
				    &ls.v[i], where, &payer, cs)) != PMS_OK)
					goto out;
				memset(&ad, 0, sizeof(ad));
				ad.charge_id = charge;
				ad.amount_cents = -cs->amount;
				ad.from = payer;
				ad.group = cs->group;
				ad.reason = cs->reason;
				ad.source_ref = t->trn02;
				if ((st = pms_bill_adjust(e->s, &ad, &lop)) !=
				    PMS_OK)
					goto out;
				o.kind = "adjust";
				o.amount = -cs->amount;
				o.from = &payer;
				o.ledger_op = lop;
				r->written_off_cents += cs->amount;
			} else {
				/* stays owed by the payer: a denial */
				if ((st = denial_add(e, posting, k, charge,
				    ls.v[i].lx, cs, remarks, e->today)) !=
				    PMS_OK)
					goto out;
				r->denied_cents += cs->amount;
				continue;
			}
			if ((st = op_add(e, posting, &o)) != PMS_OK)
				goto out;
		}
		/* an earlier denial of the line is answered by this */
		if ((st = denials_close(e, k->id, charge, posting, 0)) !=
		    PMS_OK)
			goto out;
		busy = 1;
	}
	if (idle != 0 && !busy) {
		/* not one line had anything for it: too early */
		st = pms_seterr(PMS_EREFUSED, "claim %lld line %d: nothing "
		    "waits for the payer of priority %d (post the earlier "
		    "payer's 835 first)", (long long)k->id, idle, seq);
		goto out;
	}
	if (payment != 0) {
		sqlite3_stmt *s1;
		int rc;

		rc = pms_store_prepare(e->s, "UPDATE claim_remit_claims "
		    "SET payment_id = ?2 WHERE id = ?1", &s1);
		if (rc != SQLITE_OK) {
			st = sqlerr(e, rc, "recording a posting");
			goto out;
		}
		sqlite3_bind_int64(s1, 1, posting);
		sqlite3_bind_int64(s1, 2, payment);
		rc = sqlite3_step(s1);
		pms_store_finalize(e->s, s1);
		if (rc != SQLITE_DONE) {
			st = sqlerr(e, rc, "recording a posting");
			goto out;
		}
	}
	if (c->clp07[0] != '\0' && seq == k->payer_seq) {
		sqlite3_stmt *s1;
		int rc;

		rc = pms_store_prepare(e->s, "UPDATE claims SET "
		    "payer_claim_number = ?2 WHERE id = ?1", &s1);
		if (rc != SQLITE_OK) {
			st = sqlerr(e, rc, "recording a payer's claim number");
			goto out;
		}
		sqlite3_bind_int64(s1, 1, k->id);
		sqlite3_bind_text(s1, 2, c->clp07, -1, SQLITE_STATIC);
		rc = sqlite3_step(s1);
		pms_store_finalize(e->s, s1);
		if (rc != SQLITE_DONE) {
			st = sqlerr(e, rc, "recording a payer's claim number");
			goto out;
		}
	}
	if (seq == k->payer_seq) {
		if (strcmp(c->status, "19") == 0 ||
		    strcmp(c->status, "20") == 0 ||
		    strcmp(c->status, "21") == 0)
			to = PMS_CLAIM_CROSSED_OVER;
		else if (strcmp(c->status, "4") == 0 || (c->paid == 0 &&
		    r->denied_cents > 0))
			to = PMS_CLAIM_DENIED;
		else if (r->denied_cents > 0)
			to = PMS_CLAIM_PARTLY_PAID;
		else
			to = PMS_CLAIM_PAID;
		if (to != k->state && pms_claim_may(k->state, to)) {
			char why[160];

			snprintf(why, sizeof(why), "835 CLP02 %s, trace %s",
			    c->status, pms_quotable(t->trn02) ? t->trn02 :
			    "(not shown)");
			if ((st = pms_claim_move(e->s, k->id, to, 0, why)) !=
			    PMS_OK)
				goto out;
		}
	} else if (seq > k->payer_seq &&
	    (st = next_answered(e, t, c, k, seq, r)) != PMS_OK)
		goto out;
	if (t->paid_on[0] != '\0' && strcmp(t->paid_on, k->dos_from) < 0)
		note(r, "claim %lld: BPR16 is before its date of service: kept "
		    "as the remittance's date only, every entry is dated the "
		    "day posted", (long long)k->id);
	st = PMS_OK;
out:
	if (a != NULL)
		for (i = 0; i < ls.n; i++)
			free(a[i].cas.v);
	free(a);
	free(taken);
	free(svc_of);
	free(cap);
	free(ls.v);
	return st;
}

/* The payer who made payment (0: none). */
static int64_t
payer_of_payment(struct era *e, int64_t payment)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (pms_store_prepare(e->s, "SELECT coalesce(payer_id, 0) FROM "
	    "payments WHERE id = ?1", &st) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, payment);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	pms_store_finalize(e->s, st);
	return id;
}

/* 1 if charge is void (0: not, or unknown). */
static int
charge_is_void(struct era *e, int64_t charge)
{
	sqlite3_stmt *st;
	int v = 0;

	if (sqlite3_prepare_v2(e->s->db, "SELECT status = 'void' FROM "
	    "charges WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, charge);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* What payment has applied to charge by now, net (0: nothing). */
static enum pms_status
applied_now(struct era *e, int64_t payment, int64_t charge, int64_t *cents)
{
	sqlite3_stmt *st;
	int rc;

	*cents = 0;
	rc = pms_store_prepare(e->s, "SELECT coalesce(-sum(amount_cents), "
	    "0) FROM ledger WHERE charge_id = ?1 AND payment_id = ?2", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading the ledger");
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_int64(st, 2, payment);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cents = sqlite3_column_int64(st, 0);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW)
		return sqlerr(e, rc, "reading the ledger");
	return PMS_OK;
}

/* The payer of policy (0: none). */
static int64_t
payer_of_policy(struct era *e, int64_t policy)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (pms_store_prepare(e->s, "SELECT payer_id FROM policies WHERE id "
	    "= ?1", &st) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, policy);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	pms_store_finalize(e->s, st);
	return id;
}

#define RECLAIM_MAX	32	/* parties and payments of one charge */

/*
 * Before a reversal moves amt back from party x on charge (what the
 * posting it undoes transferred to x, or what x took over): x may owe
 * less by now, the patient having paid the share they were left, or
 * the next payer having taken it over and paid it or left it to the
 * patient.  As pms-bill void does, what was paid goes back to the
 * credit of whoever paid it (their payment unapplied: the patient's
 * credit, to apply or refund, or the payer's, to refund or for its own
 * reversal to take back), and what a party after x owes comes back to
 * x, until x owes amt.  Each step is an op of the reversal's posting;
 * *back adds what went back to credits.  PMS_EREFUSED, saying so,
 * when even that does not make amt.
 */
static enum pms_status
reclaim(struct era *e, const struct tx *t, int64_t posting, int64_t charge,
    const struct pms_party *x, int64_t amt, int64_t rev, int64_t back[2])
{
	struct {
		enum pms_party_kind kind;
		int64_t	 policy, payment, cents;
	} v[RECLAIM_MAX];
	sqlite3_stmt *st;
	enum pms_status ps;
	char m1[PMS_MONEY_BUFSZ], m2[PMS_MONEY_BUFSZ];
	int64_t have, need, take, xpol;
	size_t n = 0, i;
	int rc;

	xpol = x->kind == PMS_PARTY_PATIENT ? 0 : x->policy_id;
	if ((ps = owed(e, charge, x->kind, xpol, &have)) != PMS_OK)
		return ps;
	if (have >= amt)
		return PMS_OK;
	need = amt - have;
	/* x's own payments first, then the parties after it in the order
	 * of responsibility (what waits for a payer just before it, the
	 * patient last): what each owes, then its payments, newest first */
	rc = pms_store_prepare(e->s, "WITH r (party, policy, payment, cents) "
	    "AS (SELECT party, coalesce(policy_id, 0), 0, amount_cents FROM "
	    "balances WHERE charge_id = ?1 AND amount_cents > 0 UNION ALL "
	    "SELECT party, coalesce(policy_id, 0), payment_id, "
	    "-sum(amount_cents) FROM ledger WHERE charge_id = ?1 AND "
	    "payment_id IS NOT NULL GROUP BY payment_id, party, policy_id "
	    "HAVING sum(amount_cents) < 0), k AS (SELECT r.*, CASE r.party "
	    "WHEN 'patient' THEN 1000 WHEN 'pending' THEN 2 * o.priority - 1 "
	    "ELSE 2 * o.priority END AS rank FROM r LEFT JOIN policies o ON "
	    "o.id = r.policy), x (rank) AS (SELECT coalesce((SELECT CASE ?2 "
	    "WHEN 'pending' THEN 2 * priority - 1 ELSE 2 * priority END FROM "
	    "policies WHERE id = ?3 AND ?2 <> 'patient'), 1000)) SELECT "
	    "party, policy, payment, cents FROM k WHERE (rank >= (SELECT rank "
	    "FROM x) OR rank >= (SELECT 2 * priority - 1 FROM policies WHERE "
	    "id = ?4)) AND NOT (party = ?2 AND policy = ?3 AND payment = 0) "
	    "AND (party <> 'payer' OR policy <> ?4 OR (?2 = 'payer' AND ?3 = "
	    "?4)) ORDER BY rank < (SELECT rank FROM x), rank, payment <> 0, "
	    "payment DESC", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading the ledger");
	sqlite3_bind_int64(st, 1, charge);
	sqlite3_bind_text(st, 2, pms_party_name(x->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, xpol);
	sqlite3_bind_int64(st, 4, rev);
	while (n < RECLAIM_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0);

		v[n].kind = strcmp(p, "payer") == 0 ? PMS_PARTY_PAYER :
		    strcmp(p, "pending") == 0 ? PMS_PARTY_PENDING :
		    PMS_PARTY_PATIENT;
		v[n].policy = sqlite3_column_int64(st, 1);
		v[n].payment = sqlite3_column_int64(st, 2);
		v[n].cents = sqlite3_column_int64(st, 3);
		n++;
	}
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading the ledger");
	for (i = 0; i < n && need > 0; i++) {
		struct pms_party y;
		struct pms_transfer_result xr;
		struct op o;

		take = v[i].cents < need ? v[i].cents : need;
		if (take <= 0)
			continue;
		memset(&y, 0, sizeof(y));
		y.kind = v[i].kind;
		y.policy_id = v[i].policy;
		if (v[i].payment != 0) {
			if ((ps = pms_bill_unapply(e->s, v[i].payment, charge,
			    take, "reversed by the payer: back to the credit "
			    "of whoever paid it", NULL, 0)) != PMS_OK)
				return ps;
			memset(&o, 0, sizeof(o));
			o.kind = "apply";
			o.charge = charge;
			o.payment = v[i].payment;
			o.amount = -take;
			if ((ps = op_add(e, posting, &o)) != PMS_OK)
				return ps;
			back[y.kind == PMS_PARTY_PATIENT ? 0 : 1] += take;
		}
		if (y.kind != x->kind || y.policy_id != xpol) {
			struct pms_transfer m;

			memset(&m, 0, sizeof(m));
			m.charge_id = charge;
			m.amount_cents = take;
			m.from = y;
			m.to = x->kind == PMS_PARTY_PENDING ? PMS_TO_PENDING :
			    x->kind == PMS_PARTY_PAYER ? PMS_TO_PAYER :
			    PMS_TO_PATIENT;
			m.payer_id = payer_of_policy(e, xpol);
			m.reason = "reversed by the payer: back to where it "
			    "was";
			m.source_ref = t->trn02;
			if ((ps = pms_bill_transfer(e->s, &m, &xr)) != PMS_OK)
				return ps;
			/* a take: not a patient responsibility of the
			 * reversal, which its transfers are */
			memset(&o, 0, sizeof(o));
			o.kind = "take";
			o.charge = charge;
			o.amount = take;
			o.from = &xr.from;
			o.to = &xr.to;
			o.ledger_op = xr.op;
			if ((ps = op_add(e, posting, &o)) != PMS_OK)
				return ps;
		}
		need -= take;
	}
	if (need > 0) {
		money(amt, m1);
		money(amt - need, m2);
		return pms_seterr(PMS_EREFUSED, "charge %lld: the reversal "
		    "takes back %s from the %s, and only %s of it is still on "
		    "the charge or paid on it: see pms-bill ledger, undo by "
		    "hand what moved the rest, then read the 835 again",
		    (long long)charge, m1, pms_party_name(x->kind), m2);
	}
	return PMS_OK;
}

/*
 * A denial the reversed posting orig left, that a billing person
 * worked by hand with a write-off (pms-bill adjust) since, is no
 * longer a denial once its payer reverses that answer: the write-off
 * is taken back with the posting, and the payer of policy owes the
 * line again as before its answer, for its corrected claim to post
 * (and to be worked again if it denies it again); *worked gets what
 * was taken back.
 */
static enum pms_status
worked_back(struct era *e, const struct tx *t, int64_t orig, int64_t posting,
    int64_t policy, int64_t *worked)
{
	sqlite3_stmt *st;
	enum pms_status ps;
	int64_t ch[RECLAIM_MAX], amt[RECLAIM_MAX];
	size_t n = 0, i;
	int rc;

	rc = pms_store_prepare(e->s, "SELECT d.charge_id, min(sum("
	    "d.amount_cents), coalesce((SELECT -sum(g.amount_cents) FROM "
	    "ledger g WHERE g.charge_id = d.charge_id AND g.kind = "
	    "'adjustment' AND g.party = 'payer' AND g.policy_id = ?2 AND "
	    "g.source_ref IS NULL), 0)) FROM claim_denials d WHERE "
	    "d.remit_claim_id = ?1 AND d.closed_by = ?1 GROUP BY d.charge_id",
	    &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading denials");
	sqlite3_bind_int64(st, 1, orig);
	sqlite3_bind_int64(st, 2, policy);
	while (n < RECLAIM_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ch[n] = sqlite3_column_int64(st, 0);
		amt[n] = sqlite3_column_int64(st, 1);
		if (amt[n] > 0 && !charge_is_void(e, ch[n]))
			n++;
	}
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading denials");
	for (i = 0; i < n; i++) {
		char group[4] = "", reason[PMS_BILL_TEXT] = "";
		struct pms_adjust ad;
		struct op o;
		int64_t lop = 0;

		/* taken back as the newest of those write-offs was made */
		rc = pms_store_prepare(e->s, "SELECT coalesce(group_code, ''), "
		    "reason FROM ledger WHERE charge_id = ?1 AND kind = "
		    "'adjustment' AND party = 'payer' AND policy_id = ?2 AND "
		    "source_ref IS NULL AND amount_cents < 0 ORDER BY id DESC "
		    "LIMIT 1", &st);
		if (rc != SQLITE_OK)
			return sqlerr(e, rc, "reading the ledger");
		sqlite3_bind_int64(st, 1, ch[i]);
		sqlite3_bind_int64(st, 2, policy);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			copy(group, sizeof(group), (const char *)
			    sqlite3_column_text(st, 0));
			copy(reason, sizeof(reason), (const char *)
			    sqlite3_column_text(st, 1));
		}
		pms_store_finalize(e->s, st);
		if (rc != SQLITE_ROW)
			return rc == SQLITE_DONE ? PMS_OK : sqlerr(e, rc,
			    "reading the ledger");
		memset(&ad, 0, sizeof(ad));
		ad.charge_id = ch[i];
		ad.amount_cents = amt[i];
		ad.from.kind = PMS_PARTY_PAYER;
		ad.from.policy_id = policy;
		ad.group = group[0] != '\0' ? group : NULL;
		ad.reason = reason;
		ad.source_ref = t->trn02;
		if ((ps = pms_bill_adjust(e->s, &ad, &lop)) != PMS_OK)
			return ps;
		memset(&o, 0, sizeof(o));
		o.kind = "adjust";
		o.charge = ch[i];
		o.amount = amt[i];
		o.group = ad.group;
		o.reason = reason;
		o.ledger_op = lop;
		if ((ps = op_add(e, posting, &o)) != PMS_OK)
			return ps;
		*worked += amt[i];
	}
	return PMS_OK;
}

/*
 * Undo, exactly, the posting that the reversal c names: the last one of
 * the claim not reversed yet, with the payer's claim number of c (when
 * it has one) and c's amounts negated.
 */
static enum pms_status
reverse_claim(struct era *e, const struct tx *t, int64_t remit,
    const struct clp *c, const struct pms_claim *k, struct pms_era_result *r)
{
	sqlite3_stmt *st1 = NULL;
	enum pms_status st;
	int64_t orig = 0, payment = 0, policy = 0, posting, refund = 0;
	int64_t ch = 0, pd = 0, back[2] = { 0, 0 }, worked = 0;
	int rc;

	rc = pms_store_prepare(e->s, "SELECT id, payment_id, "
	    "charge_cents, paid_cents, coalesce(policy_id, 0) FROM "
	    "claim_remit_claims WHERE claim_id = ?1 AND reversed_by IS NULL "
	    "AND reverses IS NULL AND status <> '22' AND status <> '23' AND "
	    "status <> '25' AND (?2 = '' OR clp07 = ?2) ORDER BY id DESC "
	    "LIMIT 1", &st1);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading postings");
	sqlite3_bind_int64(st1, 1, k->id);
	sqlite3_bind_text(st1, 2, c->clp07, -1, SQLITE_STATIC);
	rc = sqlite3_step(st1);
	if (rc == SQLITE_ROW) {
		orig = sqlite3_column_int64(st1, 0);
		payment = sqlite3_column_int64(st1, 1);
		ch = sqlite3_column_int64(st1, 2);
		pd = sqlite3_column_int64(st1, 3);
		policy = sqlite3_column_int64(st1, 4);
	}
	pms_store_finalize(e->s, st1);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading postings");
	if (orig == 0)
		return pms_seterr(PMS_EREFUSED, "claim %lld: the reversal "
		    "undoes no posting of it", (long long)k->id);
	if (ch != -c->charge || pd != -c->paid)
		return pms_seterr(PMS_EREFUSED, "claim %lld: the reversal's "
		    "amounts are not those of the posting it undoes",
		    (long long)k->id);
	{
		int64_t pid = k->payer_id;
		char pcode[PMS_CFG_CODE];

		copy(pcode, sizeof(pcode), k->payer);
		rc = sqlite3_prepare_v2(e->s->db, "SELECT o.payer_id, y.code "
		    "FROM policies o JOIN payers y ON y.id = o.payer_id WHERE "
		    "o.id = ?1", -1, &st1, NULL);
		if (rc != SQLITE_OK)
			return sqlerr(e, rc, "reading a policy");
		sqlite3_bind_int64(st1, 1, policy);
		if ((rc = sqlite3_step(st1)) == SQLITE_ROW) {
			pid = sqlite3_column_int64(st1, 0);
			copy(pcode, sizeof(pcode), (const char *)
			    sqlite3_column_text(st1, 1));
		}
		sqlite3_finalize(st1);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sqlerr(e, rc, "reading a policy");
		if ((st = payer_check(t, k, pid, pcode)) != PMS_OK)
			return st;
	}
	if ((st = posting_add(e, remit, c, k, policy, orig, &posting)) !=
	    PMS_OK)
		return st;
	rc = pms_store_prepare(e->s, "SELECT kind, charge_id, "
	    "coalesce(payment_id, 0), amount_cents, group_code, reason, "
	    "from_party, coalesce(from_policy, 0), to_party, "
	    "coalesce(to_policy, 0) FROM claim_remit_ops WHERE "
	    "remit_claim_id = ?1 ORDER BY id DESC", &st1);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading postings");
	sqlite3_bind_int64(st1, 1, orig);
	st = PMS_OK;
	while (st == PMS_OK && (rc = sqlite3_step(st1)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st1, 0);
		int64_t charge = sqlite3_column_int64(st1, 1);
		int64_t pay = sqlite3_column_int64(st1, 2);
		int64_t amt = sqlite3_column_int64(st1, 3);
		char group[4], reason[8], top[12];
		int64_t fpol = sqlite3_column_int64(st1, 7);
		int64_t tpol = sqlite3_column_int64(st1, 9);
		struct pms_party from;
		/* outlives its branch: op_add reads it below */
		struct pms_transfer_result xr;
		struct op o;

		copy(group, sizeof(group), (const char *)
		    sqlite3_column_text(st1, 4));
		copy(reason, sizeof(reason), (const char *)
		    sqlite3_column_text(st1, 5));
		copy(top, sizeof(top), (const char *)
		    sqlite3_column_text(st1, 8));
		memset(&o, 0, sizeof(o));
		o.charge = charge;
		o.group = group;
		o.reason = reason;
		/* a charge voided since: the void put the payer's money back
		 * to its credit and undid the rest, so the reversal only
		 * takes that money back */
		if (charge > 0 && charge_is_void(e, charge)) {
			if (strcmp(kind, "apply") == 0)
				refund += amt;
			continue;
		}
		if (strcmp(kind, "apply") == 0) {
			int64_t now = 0;

			/* what an earlier reversal put back to this
			 * payment's credit already (reclaim) stays there,
			 * for the refund below to draw on */
			st = applied_now(e, pay, charge, &now);
			if (st == PMS_OK && now > amt)
				now = amt;
			if (st == PMS_OK && now > 0)
				st = pms_bill_unapply(e->s, pay, charge, now,
				    "reversed by the payer", NULL, 0);
			refund += amt;
			o.kind = "apply";
			o.payment = pay;
			o.amount = -(now > 0 ? now : 0);
		} else if (strcmp(kind, "adjust") == 0) {
			struct pms_adjust ad;
			int64_t lop = 0;

			memset(&ad, 0, sizeof(ad));
			memset(&from, 0, sizeof(from));
			from.kind = PMS_PARTY_PAYER;
			from.policy_id = fpol;
			ad.charge_id = charge;
			ad.amount_cents = -amt;
			ad.from = from;
			ad.group = group;
			ad.reason = reason;
			ad.source_ref = t->trn02;
			st = pms_bill_adjust(e->s, &ad, &lop);
			o.kind = "adjust";
			o.amount = -amt;
			o.ledger_op = lop;
			r->written_off_cents -= amt < 0 ? -amt : amt;
		} else if (strcmp(kind, "transfer") == 0) {
			struct pms_transfer x;
			sqlite3_stmt *s2;
			int64_t payer_id = 0;

			rc = pms_store_prepare(e->s, "SELECT payer_id "
			    "FROM policies WHERE id = ?1", &s2);
			if (rc != SQLITE_OK) {
				st = sqlerr(e, rc, "reading a policy");
				break;
			}
			sqlite3_bind_int64(s2, 1, fpol);
			if (sqlite3_step(s2) == SQLITE_ROW)
				payer_id = sqlite3_column_int64(s2, 0);
			pms_store_finalize(e->s, s2);
			memset(&x, 0, sizeof(x));
			memset(&from, 0, sizeof(from));
			from.kind = strcmp(top, "pending") == 0 ?
			    PMS_PARTY_PENDING : strcmp(top, "payer") == 0 ?
			    PMS_PARTY_PAYER : PMS_PARTY_PATIENT;
			from.policy_id = tpol;
			/* paid or moved on since: back to where it was */
			if ((st = reclaim(e, t, posting, charge, &from, amt,
			    policy, back)) != PMS_OK)
				break;
			x.charge_id = charge;
			x.amount_cents = amt;
			x.from = from;
			x.to = PMS_TO_PAYER;
			x.payer_id = payer_id;
			x.group = group[0] != '\0' ? group : NULL;
			x.reason = reason[0] != '\0' ? reason : "reversed";
			x.source_ref = t->trn02;
			st = pms_bill_transfer(e->s, &x, &xr);
			o.kind = "transfer";
			o.amount = amt;
			o.from = &xr.from;
			o.to = &xr.to;
			o.ledger_op = xr.op;
			r->patient_cents -= amt;
		} else if (strcmp(kind, "take") == 0) {
			/* what a later payer took over waits for it again */
			struct pms_transfer x;
			sqlite3_stmt *s2;
			int64_t payer_id = 0;

			rc = sqlite3_prepare_v2(e->s->db, "SELECT payer_id "
			    "FROM policies WHERE id = ?1", -1, &s2, NULL);
			if (rc != SQLITE_OK) {
				st = sqlerr(e, rc, "reading a policy");
				break;
			}
			sqlite3_bind_int64(s2, 1, fpol);
			if (sqlite3_step(s2) == SQLITE_ROW)
				payer_id = sqlite3_column_int64(s2, 0);
			sqlite3_finalize(s2);
			memset(&x, 0, sizeof(x));
			memset(&from, 0, sizeof(from));
			from.kind = PMS_PARTY_PAYER;
			from.policy_id = tpol;
			if ((st = reclaim(e, t, posting, charge, &from, amt,
			    policy, back)) != PMS_OK)
				break;
			x.charge_id = charge;
			x.amount_cents = amt;
			x.from = from;
			x.to = PMS_TO_PENDING;
			x.payer_id = payer_id;
			x.reason = "reversed: the next payer's turn again";
			x.source_ref = t->trn02;
			st = pms_bill_transfer(e->s, &x, &xr);
			o.kind = "take";
			o.amount = amt;
			o.from = &xr.from;
			o.to = &xr.to;
			o.ledger_op = xr.op;
		} else {
			st = pms_seterr(PMS_EREFUSED, "claim %lld: a posting "
			    "of kind %s cannot be reversed here: undo it with "
			    "pms-bill", (long long)k->id, kind);
			break;
		}
		if (st == PMS_OK)
			st = op_add(e, posting, &o);
	}
	pms_store_finalize(e->s, st1);
	if (st != PMS_OK)
		return st;
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading postings");
	if ((st = worked_back(e, t, orig, posting, policy, &worked)) !=
	    PMS_OK)
		return st;
	if (refund > 0 && payment != 0) {
		struct pms_refund rf;
		struct op o;
		int64_t lop = 0;

		memset(&rf, 0, sizeof(rf));
		rf.patient_id = k->patient_id;
		rf.payer_id = payer_of_payment(e, payment);
		rf.payment_id = payment;
		rf.amount_cents = refund;
		rf.method = method_of(t->method);
		rf.ref = t->trn02;
		rf.reason = "taken back by the payer's reversal";
		rf.source_ref = t->trn02;
		if ((st = pms_bill_refund(e->s, &rf, &lop)) != PMS_OK)
			return st;
		memset(&o, 0, sizeof(o));
		o.kind = "refund";
		o.payment = payment;
		o.amount = refund;
		o.ledger_op = lop;
		if ((st = op_add(e, posting, &o)) != PMS_OK)
			return st;
	}
	/* what it denied is no longer denied */
	if ((st = denials_close(e, k->id, 0, posting, orig)) != PMS_OK)
		return st;
	rc = pms_store_prepare(e->s, "UPDATE claim_remit_claims SET "
	    "reversed_by = ?2 WHERE id = ?1", &st1);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "recording a reversal");
	sqlite3_bind_int64(st1, 1, orig);
	sqlite3_bind_int64(st1, 2, posting);
	rc = sqlite3_step(st1);
	pms_store_finalize(e->s, st1);
	if (rc != SQLITE_DONE)
		return sqlerr(e, rc, "recording a reversal");
	if (k->state != PMS_CLAIM_ACKNOWLEDGED &&
	    pms_claim_may(k->state, PMS_CLAIM_ACKNOWLEDGED) &&
	    (st = pms_claim_move(e->s, k->id, PMS_CLAIM_ACKNOWLEDGED, 0,
	    "835 reversal (CLP02 22)")) != PMS_OK)
		return st;
	r->paid_cents = c->paid;
	{
		char m[PMS_MONEY_BUFSZ], b1[128] = "", b2[128] = "", b3[96] = "";

		if (back[0] > 0) {
			money(back[0], m);
			snprintf(b1, sizeof(b1), "; %s the patient paid on what "
			    "it takes back is the patient's credit (pms-bill "
			    "apply)", m);
		}
		if (back[1] > 0) {
			money(back[1], m);
			snprintf(b2, sizeof(b2), "; %s a later payer paid on it "
			    "is that payer's credit (pms-bill refund --payer)",
			    m);
		}
		if (worked > 0) {
			money(worked, m);
			snprintf(b3, sizeof(b3), "; %s written off by hand for "
			    "its denials taken back", m);
		}
		note(r, "claim %lld: reverses the posting %lld%s%s%s",
		    (long long)k->id, (long long)orig, b1, b2, b3);
	}
	return PMS_OK;
}

/* Sum of every CAS amount of the claim, its lines' included. */
static int64_t
cas_sum(const struct casv *v)
{
	int64_t s = 0;
	size_t i;

	for (i = 0; i < v->n; i++)
		s += v->v[i].amount;
	return s;
}

/* Sent to the payer: a claim replaced or voided since was too, and
 * its answers (a reversal of it, CLP02 22) post. */
static int
is_state_sent(enum pms_claim_state s)
{
	return s == PMS_CLAIM_SUBMITTED || s == PMS_CLAIM_ACKNOWLEDGED ||
	    s == PMS_CLAIM_PAID || s == PMS_CLAIM_PARTLY_PAID ||
	    s == PMS_CLAIM_DENIED || s == PMS_CLAIM_CROSSED_OVER ||
	    s == PMS_CLAIM_CLOSED || s == PMS_CLAIM_REPLACED ||
	    s == PMS_CLAIM_VOIDED;
}

/* The claim of t before c that says the same as c, as a posting is
 * kept (posted_before): CLP01, CLP02, CLP07, CLP03, CLP04; NULL. */
static const struct clp *
same_before(const struct tx *t, const struct clp *c)
{
	const struct clp *o;

	for (o = t->clp; o < c; o++)
		if (strcmp(o->clp01, c->clp01) == 0 &&
		    strcmp(o->status, c->status) == 0 &&
		    strcmp(o->clp07, c->clp07) == 0 &&
		    o->charge == c->charge && o->paid == c->paid)
			return o;
	return NULL;
}

/*
 * The reversal of claim id, voided by a void sent (frequency 8), is the
 * payer's answer to that void: the void leaves submitted for
 * acknowledged, the furthest a claim with nothing to adjudicate goes.
 */
static enum pms_status
void_answered(struct era *e, int64_t id)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	char m[96];
	int rc;

	rc = pms_store_prepare(e->s, "SELECT id FROM claims WHERE "
	    "original_id = ?1 AND frequency = '8' AND state = 'submitted' "
	    "ORDER BY id DESC LIMIT 1", &st);
	if (rc != SQLITE_OK)
		return sqlerr(e, rc, "reading claims");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	pms_store_finalize(e->s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlerr(e, rc, "reading claims");
	if (v == 0)
		return PMS_OK;
	snprintf(m, sizeof(m), "835 reversal (CLP02 22) of claim %lld: the "
	    "void is answered", (long long)id);
	return pms_claim_move(e->s, v, PMS_CLAIM_ACKNOWLEDGED, 0, m);
}

/* One claim of a balanced transaction set. */
static enum pms_status
one_claim(struct era *e, const struct tx *t, int64_t remit,
    const struct clp *c, struct pms_era_result *r)
{
	const struct clp *d;
	struct pms_claim k;
	enum pms_status st;
	char m1[PMS_MONEY_BUFSZ], m2[PMS_MONEY_BUFSZ];
	int64_t total, posting;
	size_t i;
	int yes = 0;

	/* balanced? the claim, then each line */
	total = cas_sum(&c->cas);
	for (i = 0; i < c->nsvc; i++) {
		int64_t l = cas_sum(&c->svc[i].cas);

		total += l;
		if (c->svc[i].charge - l != c->svc[i].paid) {
			money(c->svc[i].charge - l, m1);
			money(c->svc[i].paid, m2);
			r->outcome = "unbalanced";
			note(r, "the SVC at segment %lu does not balance: its "
			    "charge less adjustments is %s, SVC03 %s",
			    c->svc[i].seg, m1, m2);
			e->n->unbalanced++;
			return PMS_OK;
		}
	}
	if (c->charge - total != c->paid) {
		money(c->charge - total, m1);
		money(c->paid, m2);
		r->outcome = "unbalanced";
		note(r, "the claim does not balance: CLP03 less adjustments is "
		    "%s, CLP04 %s", m1, m2);
		e->n->unbalanced++;
		return PMS_OK;
	}
	if ((st = posted_before(e, remit, c, &yes, r)) != PMS_OK)
		return st;
	st = pms_claim_find(e->s, c->clp01, &k);
	if (st == PMS_EREFUSED) {
		r->outcome = "unmatched";
		note(r, "CLP01 matches no claim of this store");
		e->n->unmatched++;
		return PMS_OK;
	}
	if (st != PMS_OK)
		return st;
	/* a void (frequency 8) is answered by the reversal of its original
	 * (CLP02 22), which may quote the void's own CLM01, the number the
	 * payer received: it undoes the original's posting */
	if (strcmp(c->status, "22") == 0 && k.frequency == '8' &&
	    k.original_id != 0 && (st = pms_claim_get(e->s, k.original_id,
	    &k)) != PMS_OK)
		return st;
	r->claim_id = k.id;
	r->patient_id = k.patient_id;
	copy(r->payer, sizeof(r->payer), k.payer);
	if ((d = same_before(t, c)) != NULL) {
		/* what is kept of a posting cannot tell the two apart: the
		 * second would read as "posted before", and its money in the
		 * check would be nowhere */
		money(c->paid, m1);
		r->outcome = "refused";
		r->patient_cents = r->written_off_cents = r->denied_cents = 0;
		note(r, "claim %lld: the same as the CLP at segment %lu of "
		    "this remittance (CLP01, CLP02, CLP07, CLP03, CLP04): a "
		    "claim posts once from a remittance, so this one is not "
		    "posted, nor its %s of the check: ask the payer about the "
		    "duplicate", (long long)k.id, d->seg, m1);
		e->n->refused++;
		return PMS_OK;
	}
	if (yes) {
		r->outcome = "already";
		note(r, "claim %lld: posted before from this remittance: "
		    "nothing done", (long long)k.id);
		e->n->already++;
		return PMS_OK;
	}
	if (!is_state_sent(k.state)) {
		r->outcome = "refused";
		if (k.state == PMS_CLAIM_REJECTED)
			note(r, "claim %lld is rejected: an acknowledgement "
			    "turned it back before adjudication; fix it and "
			    "send it again", (long long)k.id);
		else
			note(r, "claim %lld is %s: it was not sent",
			    (long long)k.id, pms_claim_state_name(k.state));
		e->n->refused++;
		return PMS_OK;
	}
	if (t->foreign != NULL) {
		r->outcome = "refused";
		note(r, "claim %lld: %s: nothing of it was posted",
		    (long long)k.id, t->foreign);
		e->n->refused++;
		return PMS_OK;
	}
	if ((st = pms_exec(e->s, "SAVEPOINT pms_era", "a claim")) != PMS_OK)
		return st;
	if (strcmp(c->status, "23") == 0 || strcmp(c->status, "25") == 0) {
		st = posting_add(e, remit, c, &k, 0, 0, &posting);
		r->outcome = "informational";
		money(c->paid, m1);
		note(r, "claim %lld: %s: nothing to post%s%s%s", (long long)k.id,
		    strcmp(c->status, "23") == 0 ? "not the payer's claim, "
		    "forwarded to another" : "a predetermination of "
		    "benefits", c->paid != 0 ? "; but CLP04 says " : "",
		    c->paid != 0 ? m1 : "", c->paid != 0 ? " paid: that money "
		    "is in the check (BPR02) and posted nowhere: ask the "
		    "payer" : "");
	} else if (strcmp(c->status, "22") == 0) {
		st = reverse_claim(e, t, remit, c, &k, r);
		if (st == PMS_OK && k.state == PMS_CLAIM_VOIDED)
			st = void_answered(e, k.id);
		r->outcome = "reversed";
		/* its record from what the store kept of it, as a reading
		 * again gives it: the same amounts, every one negated */
		if (st == PMS_OK)
			st = posted_before(e, remit, c, &yes, r);
	} else {
		st = post_claim(e, t, remit, c, &k, r);
		r->outcome = "posted";
		if (st == PMS_OK && (strcmp(c->status, "19") == 0 ||
		    strcmp(c->status, "20") == 0 ||
		    strcmp(c->status, "21") == 0))
			note(r, "claim %lld: crossed over: the next payer's "
			    "own 835 posts the rest", (long long)k.id);
	}
	if (st == PMS_OK)
		st = patient_add(e, k.patient_id);
	if (st == PMS_OK) {
		if (strcmp(r->outcome, "informational") == 0)
			e->n->informational++;
		else {
			e->n->posted++;
			e->n->payment_cents += c->paid;
		}
		return pms_exec(e->s, "RELEASE pms_era", "a claim");
	}
	(void)pms_exec(e->s, "ROLLBACK TO pms_era", "undoing a claim");
	(void)pms_exec(e->s, "RELEASE pms_era", "undoing a claim");
	/* what pms-bill refuses or finds wrong is this claim's alone */
	if (st != PMS_EREFUSED && st != PMS_EDATA)
		return st;
	r->outcome = "refused";
	r->patient_cents = r->written_off_cents = r->denied_cents = 0;
	copy(r->note, sizeof(r->note), pms_errmsg());
	e->n->refused++;
	return PMS_OK;
}

/*
 * The reversal i of t with the corrected claims after it for the same
 * CLP01, posted together or not at all: a re-adjudication is one, and
 * half of it would leave the books off by the check.  done marks them.
 */
static enum pms_status
rev_group(struct era *e, const struct tx *t, int64_t remit, size_t base,
    size_t i, char *done)
{
	struct pms_era_count save = *e->n;
	struct pms_era_result *r;
	enum pms_status st;
	size_t j, k, bad = t->nclp;

	done[i] = 1;
	for (j = 0; j < t->nclp; j++)
		if (j != i && !done[j] && strcmp(t->clp[j].status, "22") != 0 &&
		    strcmp(t->clp[j].clp01, t->clp[i].clp01) == 0)
			done[j] = 2;
	if ((st = pms_exec(e->s, "SAVEPOINT pms_era_group", "a claim")) !=
	    PMS_OK)
		return st;
	/* the reversal first, then its corrections, wherever they are */
	for (k = 0; k <= t->nclp; k++) {
		j = k == 0 ? i : k - 1;
		if (k > 0 && done[j] != 2)
			continue;
		if ((st = one_claim(e, t, remit, &t->clp[j], &e->res[base +
		    j])) != PMS_OK)
			return st;
		r = &e->res[base + j];
		if (bad == t->nclp && (strcmp(r->outcome, "refused") == 0 ||
		    strcmp(r->outcome, "unbalanced") == 0 ||
		    strcmp(r->outcome, "unmatched") == 0))
			bad = j;
	}
	if (bad == t->nclp)
		return pms_exec(e->s, "RELEASE pms_era_group", "a claim");
	(void)pms_exec(e->s, "ROLLBACK TO pms_era_group", "undoing a claim");
	(void)pms_exec(e->s, "RELEASE pms_era_group", "undoing a claim");
	*e->n = save;
	for (j = 0; j < t->nclp; j++) {
		if (j != i && done[j] != 2)
			continue;
		r = &e->res[base + j];
		if (j != bad) {
			r->outcome = "refused";
			r->patient_cents = r->written_off_cents =
			    r->denied_cents = 0;
			note(r, "claim %lld: a reversal and its corrected "
			    "claim post together, and the one at segment %lu "
			    "was not posted: nothing of either was",
			    (long long)r->claim_id, t->clp[bad].seg);
		}
		if (strcmp(r->outcome, "refused") == 0)
			e->n->refused++;
		else if (strcmp(r->outcome, "unbalanced") == 0)
			e->n->unbalanced++;
		else
			e->n->unmatched++;
	}
	return PMS_OK;
}

/* Post one transaction set: results for each of its claims. */
static enum pms_status
post_tx(struct era *e, struct tx *t)
{
	struct pms_era_result *r0;
	enum pms_status st;
	char m1[PMS_MONEY_BUFSZ], m2[PMS_MONEY_BUFSZ], m3[PMS_MONEY_BUFSZ];
	int64_t paid = 0, plb = 0, remit = 0;
	size_t i, base = e->nres;
	unsigned long before;
	int seen = 0, pass, unposted = 0;
	char *done;
	const char *why = NULL;

	e->n->remits++;
	if ((st = tx_check(e, t)) != PMS_OK)
		return st;
	if ((e->res = grow(e->res, &e->capres, e->nres + t->nclp + t->nplb +
	    1,
	    sizeof(*e->res))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	for (i = 0; i < t->nclp; i++) {
		struct pms_era_result *r = &e->res[base + i];

		memset(r, 0, sizeof(*r));
		r->interchange = t->interchange;
		r->transaction = t->transaction;
		r->segment = t->clp[i].seg;
		r->line = t->clp[i].line;
		copy(r->trace, sizeof(r->trace), t->trn02);
		copy(r->clm01, sizeof(r->clm01), t->clp[i].clp01);
		copy(r->status, sizeof(r->status), t->clp[i].status);
		r->charge_cents = t->clp[i].charge;
		r->paid_cents = t->clp[i].paid;
		copy(r->payer_claim_number, sizeof(r->payer_claim_number),
		    t->clp[i].clp07);
		paid += t->clp[i].paid;
		e->n->claims++;
	}
	e->nres += t->nclp;
	for (i = 0; i < t->nplb; i++)
		plb += t->plb[i].amount;
	if (t->trn02[0] == '\0')
		why = "it has no TRN02 trace: it cannot be posted once only";
	else if (!t->has_bpr)
		why = "it has no BPR segment: no payment to post";
	else if (t->payment != paid - plb) {
		money(t->payment, m1);
		money(paid, m2);
		money(plb, m3);
		unposted = 1;
		for (i = 0; i < t->nclp; i++) {
			struct pms_era_result *r = &e->res[base + i];

			r->outcome = "unbalanced";
			note(r, "transaction set %lu does not balance: BPR02 %s "
			    "is not the claims' %s less provider adjustments "
			    "%s: nothing of it was posted", t->transaction,
			    m1, m2, m3);
			e->n->unbalanced++;
		}
	}
	if (why != NULL) {
		unposted = 1;
		for (i = 0; i < t->nclp; i++) {
			e->res[base + i].outcome = "refused";
			note(&e->res[base + i], "transaction set %lu: %s",
			    t->transaction, why);
			e->n->refused++;
		}
	}
	if (unposted) {
		if (t->nclp == 0) {
			/* say it even with no claim to carry it */
			r0 = &e->res[e->nres++];
			memset(r0, 0, sizeof(*r0));
			r0->interchange = t->interchange;
			r0->transaction = t->transaction;
			r0->segment = t->seg;
			r0->line = t->line;
			copy(r0->trace, sizeof(r0->trace), t->trn02);
			r0->outcome = why != NULL ? "refused" : "unbalanced";
			note(r0, "transaction set %lu: %s", t->transaction,
			    why != NULL ? why : "BPR02 does not balance with "
			    "its provider adjustments");
			if (why != NULL)
				e->n->refused++;
			else
				e->n->unbalanced++;
		}
		return PMS_OK;
	}
	if ((st = remit_row(e, t, &remit, &seen)) != PMS_OK)
		return st;
	before = e->n->posted + e->n->plb;
	if ((st = plb_post(e, t, remit)) != PMS_OK)
		return st;
	if ((done = calloc(t->nclp + 1, sizeof(*done))) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	/* reversals first: the corrected claim that follows one is paid
	 * against what it gave back, and posts with it or not at all */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < t->nclp; i++) {
			int rev = strcmp(t->clp[i].status, "22") == 0;

			if (rev != (pass == 0) || done[i])
				continue;
			st = rev ? rev_group(e, t, remit, base, i, done) :
			    one_claim(e, t, remit, &t->clp[i],
			    &e->res[base + i]);
			if (st != PMS_OK) {
				free(done);
				return st;
			}
		}
	free(done);
	/* a remittance of which this run posted something is new */
	if (e->n->posted + e->n->plb > before)
		e->n->remits_new++;
	/* the payer of the remittance, when its id did not say */
	{
		sqlite3_stmt *s1;
		int rc;

		rc = pms_store_prepare(e->s, "UPDATE claim_remits SET "
		    "payer_id = (SELECT o.payer_id FROM claim_remit_claims c "
		    "JOIN policies o ON o.id = c.policy_id WHERE c.remit_id = "
		    "?1 ORDER BY c.id LIMIT 1) WHERE id = ?1 AND payer_id IS "
		    "NULL", &s1);
		if (rc != SQLITE_OK)
			return sqlerr(e, rc, "recording a remittance");
		sqlite3_bind_int64(s1, 1, remit);
		rc = sqlite3_step(s1);
		pms_store_finalize(e->s, s1);
		if (rc != SQLITE_DONE)
			return sqlerr(e, rc, "recording a remittance");
		rc = pms_store_prepare(e->s, "UPDATE claim_plb SET "
		    "payer_id = (SELECT payer_id FROM claim_remits WHERE id = "
		    "?1) WHERE remit_id = ?1 AND payer_id IS NULL", &s1);
		if (rc != SQLITE_OK)
			return sqlerr(e, rc, "recording a remittance");
		sqlite3_bind_int64(s1, 1, remit);
		rc = sqlite3_step(s1);
		pms_store_finalize(e->s, s1);
		if (rc != SQLITE_DONE)
			return sqlerr(e, rc, "recording a remittance");
	}
	return PMS_OK;
}

enum pms_status
pms_claim_era(struct pms_store *s, FILE *in, const char *name,
    pms_era_fn *fn, void *arg, struct pms_era_count *n)
{
	struct era e;
	struct tx t;
	enum pms_status st;
	int32_t today;
	size_t i;
	int done = 0, open = 0;

	memset(&e, 0, sizeof(e));
	memset(&t, 0, sizeof(t));
	memset(n, 0, sizeof(*n));
	e.s = s;
	e.n = n;
	pms_instant_fmt((int64_t)time(NULL), e.now);
	if ((st = pms_x12_reader_open(&e.r, in, name)) != PMS_OK)
		return st;
	if ((st = pms_store_begin(s)) != PMS_OK)
		goto out;
	open = 1;
	if ((st = lists_load(&e)) != PMS_OK)
		goto out;
	{
		struct pms_practice pr;
		const char *zone = "UTC";

		if (pms_practice_get(s, &pr) == PMS_OK) {
			zone = pr.time_zone;
			copy(e.npi, sizeof(e.npi), pr.npi);
			copy(e.ein, sizeof(e.ein), pr.ein);
		}
		if ((st = pms_today(zone, &today)) != PMS_OK)
			goto out;
		pms_date_fmt(today, e.today);
		pms_date_fmt(today + 31, e.ahead);
	}
	for (;;) {
		tx_free(&t);
		if ((st = read_tx(&e, &t, &done)) != PMS_OK)
			goto out;
		if (done)
			break;
		if ((st = post_tx(&e, &t)) != PMS_OK)
			goto out;
	}
	if (n->remits == 0) {
		st = pms_seterr(PMS_EDATA, "%s: no 835 transaction set in it",
		    name != NULL && strcmp(name, "-") != 0 ? name :
		    "standard input");
		goto out;
	}
	if ((st = pms_audit_append(s, "claim.era", "payments,ledger,"
	    "claims.state,claims.payer_claim_number,claim_denials", e.pat,
	    e.npat)) != PMS_OK)
		goto out;
	st = pms_store_commit(s);
	open = 0;
	if (st != PMS_OK)
		goto out;
	for (i = 0; i < e.nres && fn != NULL; i++)
		if (fn(arg, &e.res[i]) != 0) {
			/* posted all the same: the caller says so */
			n->output_failed = 1;
			st = pms_seterr(PMS_EIO, "write error");
			break;
		}
out:
	if (open)
		pms_store_rollback(s);
	tx_free(&t);
	pms_x12_reader_close(e.r);
	free(e.res);
	free(e.pat);
	return st;
}

/* ---- denials ---- */

const char *
pms_cas_group_words(const char *g)
{
	if (strcmp(g, "CO") == 0)
		return "contractual obligation";
	if (strcmp(g, "PI") == 0)
		return "payer initiated reduction";
	if (strcmp(g, "OA") == 0)
		return "other adjustment";
	if (strcmp(g, "PR") == 0)
		return "patient responsibility";
	if (strcmp(g, "CR") == 0)
		return "correction and reversal";
	return NULL;
}

/* A few reason and remark codes pms explains without a list loaded. */
static const struct {
	const char	*code;
	const char	*words;
} known_carc[] = {
	{ "1", "deductible" }, { "2", "coinsurance" }, { "3", "co-payment" },
	{ "4", "the procedure code is inconsistent with the modifier used" },
	{ "5", "the procedure code or bill type is inconsistent with the "
	  "place of service" },
	{ "16", "the claim lacks information or has submission or billing "
	  "errors" },
	{ "18", "exact duplicate claim or service" },
	{ "22", "this care may be covered by another payer (coordination "
	  "of benefits)" },
	{ "23", "the impact of prior payers' adjudication" },
	{ "27", "expenses incurred after coverage terminated" },
	{ "29", "the time limit for filing has expired" },
	{ "45", "charge exceeds the fee schedule or maximum allowable" },
	{ "50", "not deemed a medical necessity by the payer" },
	{ "96", "non-covered charge" },
	{ "97", "the benefit for this service is included in another "
	  "service already adjudicated" },
	{ "109", "not covered by this payer: send to the correct payer" },
	{ "197", "precertification or authorization absent" },
	{ "204", "this service is not covered under the patient's benefit "
	  "plan" },
	{ "242", "services not provided by network or primary care "
	  "providers" },
	{ "253", "sequestration: reduction of federal payment" },
	{ "24", "charges are covered under a capitation agreement" },
};

enum pms_status
pms_carc_words(struct pms_store *s, const char *reason, char *buf,
    size_t size)
{
	enum pms_status st;
	size_t i;

	if (size == 0)
		return PMS_OK;
	buf[0] = '\0';
	if ((st = pms_code_describe(s, PMS_CODE_CARC, reason, buf, size)) !=
	    PMS_OK)
		return st;
	for (i = 0; buf[0] == '\0' && i < PMS_NELEM(known_carc); i++)
		if (strcmp(known_carc[i].code, reason) == 0)
			copy(buf, size, known_carc[i].words);
	return PMS_OK;
}

static void
explain(struct pms_store *s, struct pms_denial *d)
{
	char carc[160], rarc[160], one[12];
	const char *p, *q, *g;
	size_t n;

	(void)pms_carc_words(s, d->reason, carc, sizeof(carc));
	g = pms_cas_group_words(d->group);
	n = (size_t)snprintf(d->explained, sizeof(d->explained), "%s: %s",
	    g != NULL ? g : d->group, carc[0] != '\0' ? carc :
	    "reason code not in the loaded list");
	for (p = d->remarks; *p != '\0' && n < sizeof(d->explained);
	    p = *q == ',' ? q + 1 : q) {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		snprintf(one, sizeof(one), "%.*s", (int)(q - p), p);
		rarc[0] = '\0';
		(void)pms_code_describe(s, PMS_CODE_RARC, one, rarc,
		    sizeof(rarc));
		n += (size_t)snprintf(d->explained + n, sizeof(d->explained) -
		    n, "; %s%s%s", one, rarc[0] != '\0' ? ": " : "", rarc);
	}
}

enum pms_status
pms_claim_denials(struct pms_store *s, const char *payer, pms_denial_fn *fn,
    void *arg, size_t *count)
{
	struct pms_denial *v = NULL;
	size_t nv = 0, cap = 0, i;
	int64_t *pat = NULL;
	size_t npat = 0, cappat = 0, j;
	sqlite3_stmt *st = NULL;
	enum pms_status ps;
	int rc;

	if (count != NULL)
		*count = 0;
	if (payer != NULL) {
		struct pms_payer py;

		if ((ps = pms_payer_find(s, payer, &py)) != PMS_OK &&
		    ps != PMS_EREFUSED)
			return ps;
		if (ps == PMS_EREFUSED)
			return pms_seterr(PMS_EREFUSED, "--payer: not a payer "
			    "of the configuration");
	}
	if ((ps = pms_store_begin(s)) != PMS_OK)
		return ps;
	rc = pms_store_prepare(s, "SELECT d.id, d.claim_id, k.clm01, "
	    "d.patient_id, p.mrn, y.code, k.dos_from, d.line, d.charge_id, "
	    "c.code, d.group_code, d.reason, d.amount_cents, d.denied_on, "
	    "m.trn02, d.remarks FROM claim_denials d JOIN claims k ON k.id = "
	    "d.claim_id JOIN patients p ON p.id = d.patient_id JOIN "
	    "claim_remit_claims rc ON rc.id = d.remit_claim_id JOIN "
	    "claim_remits m ON m.id = rc.remit_id LEFT JOIN policies o ON "
	    "o.id = rc.policy_id LEFT JOIN payers y ON y.id = "
	    "coalesce(o.payer_id, k.payer_id) JOIN charges c ON c.id = "
	    "d.charge_id WHERE d.closed_by IS NULL AND (?1 IS NULL OR "
	    "y.code = ?1) ORDER BY d.denied_on, d.id", &st);
	if (rc != SQLITE_OK) {
		ps = pms_store_sqlerr(s, rc, "reading denials");
		goto fail;
	}
	if (payer != NULL)
		sqlite3_bind_text(st, 1, payer, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pms_denial *d;

		if ((v = grow(v, &cap, nv + 1, sizeof(*v))) == NULL) {
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			goto fail;
		}
		d = &v[nv++];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(st, 0);
		d->claim_id = sqlite3_column_int64(st, 1);
		copy(d->clm01, sizeof(d->clm01),
		    (const char *)sqlite3_column_text(st, 2));
		d->patient_id = sqlite3_column_int64(st, 3);
		copy(d->mrn, sizeof(d->mrn),
		    (const char *)sqlite3_column_text(st, 4));
		copy(d->payer, sizeof(d->payer),
		    (const char *)sqlite3_column_text(st, 5));
		copy(d->dos, sizeof(d->dos),
		    (const char *)sqlite3_column_text(st, 6));
		d->line = sqlite3_column_int(st, 7);
		d->charge_id = sqlite3_column_int64(st, 8);
		copy(d->code, sizeof(d->code),
		    (const char *)sqlite3_column_text(st, 9));
		copy(d->group, sizeof(d->group),
		    (const char *)sqlite3_column_text(st, 10));
		copy(d->reason, sizeof(d->reason),
		    (const char *)sqlite3_column_text(st, 11));
		d->amount_cents = sqlite3_column_int64(st, 12);
		copy(d->denied_on, sizeof(d->denied_on),
		    (const char *)sqlite3_column_text(st, 13));
		copy(d->trace, sizeof(d->trace),
		    (const char *)sqlite3_column_text(st, 14));
		copy(d->remarks, sizeof(d->remarks),
		    (const char *)sqlite3_column_text(st, 15));
		explain(s, d);
		for (j = 0; j < npat && pat[j] != d->patient_id; j++)
			;
		if (j == npat) {
			if ((pat = grow(pat, &cappat, npat + 1,
			    sizeof(*pat))) == NULL) {
				ps = pms_seterr(PMS_ENOMEM, "out of memory");
				goto fail;
			}
			pat[npat++] = d->patient_id;
		}
	}
	pms_store_finalize(s, st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		ps = pms_store_sqlerr(s, rc, "reading denials");
		goto fail;
	}
	if ((ps = pms_audit_append(s, "claim.denials", "claim_denials,"
	    "claims.clm01,patients.mrn", pat, npat)) != PMS_OK ||
	    (ps = pms_store_commit(s)) != PMS_OK)
		goto done;
	for (i = 0; i < nv && fn != NULL; i++)
		if (fn(arg, &v[i]) != 0) {
			ps = pms_seterr(PMS_EIO, "write error");
			break;
		}
	if (count != NULL)
		*count = nv;
	goto done;
fail:
	pms_store_finalize(s, st);
	pms_store_rollback(s);
done:
	free(v);
	free(pat);
	return ps;
}
