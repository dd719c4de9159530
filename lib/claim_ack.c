/*
 * claim_ack.c: the acknowledgements of the claims pms sent
 * (claim_answer.h).  A TA1 answers an interchange, a 999 each
 * transaction set of a group, a 277CA each claim; what they say moves
 * the claims of pms_claim_move()'s one state machine to acknowledged or
 * rejected, with the reasons in words in the claim's history.  A
 * rejected claim never reached adjudication: it is fixed and sent again
 * as an original.  Each acknowledgement read is kept (claim_acks), so
 * that the same file read twice moves nothing the second time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "claim_answer.h"
#include "pms_int.h"

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

struct words {
	const char	*code;
	const char	*words;
};

static const char *
lookup(const struct words *w, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w[i].code, code) == 0)
			return w[i].words;
	return NULL;
}

/* TA105, IK304, IK403, IK5 codes, 277CA categories and statuses. */
static const struct words ta1_notes[] = {
	{ "000", "no error" }, { "001", "the interchange control numbers "
	  "in the header and trailer do not match" },
	{ "002", "this standard as noted in the control standards "
	  "identifier is not supported" },
	{ "003", "this version of the controls is not supported" },
	{ "004", "the segment terminator is invalid" },
	{ "005", "invalid interchange id qualifier for the sender" },
	{ "006", "invalid interchange sender id" },
	{ "007", "invalid interchange id qualifier for the receiver" },
	{ "008", "invalid interchange receiver id" },
	{ "009", "unknown interchange receiver id" },
	{ "010", "invalid authorization information qualifier" },
	{ "011", "invalid authorization information value" },
	{ "012", "invalid security information qualifier" },
	{ "013", "invalid security information value" },
	{ "014", "invalid interchange date" },
	{ "015", "invalid interchange time" },
	{ "016", "invalid interchange standards identifier" },
	{ "017", "invalid interchange version id" },
	{ "018", "invalid interchange control number" },
	{ "019", "invalid acknowledgment requested value" },
	{ "020", "invalid test indicator value" },
	{ "021", "invalid number of included groups value" },
	{ "022", "invalid control structure" },
	{ "023", "improper (premature) end-of-file" },
	{ "024", "invalid interchange content (e.g. invalid GS segment)" },
	{ "025", "duplicate interchange control number" },
	{ "026", "invalid data element separator" },
	{ "027", "invalid component element separator" },
	{ "028", "invalid delivery date in deferred delivery request" },
	{ "029", "invalid delivery time in deferred delivery request" },
	{ "030", "invalid delivery time code in deferred delivery request" },
	{ "031", "invalid grade of service code" },
};

static const struct words ik304[] = {
	{ "1", "unrecognized segment id" }, { "2", "unexpected segment" },
	{ "3", "required segment missing" },
	{ "4", "loop occurs over its maximum times" },
	{ "5", "segment exceeds its maximum use" },
	{ "6", "segment not in the defined transaction set" },
	{ "7", "segment not in proper sequence" },
	{ "8", "segment has data element errors" },
	{ "I4", "a segment the implementation does not use is present" },
	{ "I6", "an implementation dependent segment is missing" },
	{ "I7", "an implementation loop occurs under its minimum times" },
	{ "I8", "an implementation segment is below its minimum use" },
	{ "I9", "an implementation dependent segment not used is present" },
};

static const struct words ik403[] = {
	{ "1", "required data element missing" },
	{ "2", "conditional required data element missing" },
	{ "3", "too many data elements" }, { "4", "data element too short" },
	{ "5", "data element too long" },
	{ "6", "invalid character in data element" },
	{ "7", "invalid code value" }, { "8", "invalid date" },
	{ "9", "invalid time" }, { "10", "exclusion condition violated" },
	{ "12", "too many repetitions" }, { "13", "too many components" },
	{ "I6", "code value not used in the implementation" },
	{ "I9", "implementation dependent data element missing" },
	{ "I10", "a data element the implementation does not use is "
	  "present" },
	{ "I11", "implementation too few repetitions" },
	{ "I12", "implementation pattern match failure" },
	{ "I13", "an implementation dependent data element not used is "
	  "present" },
};

static const struct words ik5[] = {
	{ "A", "accepted" }, { "E", "accepted, but errors were noted" },
	{ "M", "rejected: message authentication code failed" },
	{ "R", "rejected" },
	{ "W", "rejected: assurance failed validity tests" },
	{ "X", "rejected: content after decryption could not be analyzed" },
};

static const struct words stc_cat[] = {
	{ "A0", "forwarded to another entity" },
	{ "A1", "received: not yet accepted" },
	{ "A2", "accepted into adjudication" },
	{ "A3", "returned as unprocessable" },
	{ "A4", "not found" },
	{ "A5", "split" },
	{ "A6", "rejected for missing information" },
	{ "A7", "rejected for invalid information" },
	{ "A8", "rejected for relational field in error" },
};

static const struct words stc_status[] = {
	{ "0", "cannot provide further status electronically" },
	{ "3", "claim has been adjudicated and is awaiting payment" },
	{ "15", "the claim's information is in error" },
	{ "19", "entity acknowledges receipt of the claim" },
	{ "20", "accepted for processing" },
	{ "21", "missing or invalid information" },
	{ "24", "entity not approved as an electronic submitter" },
	{ "29", "subscriber and policy number not found" },
	{ "33", "subscriber and subscriber id not found" },
	{ "35", "claim or encounter not found" },
	{ "65", "entity's name" }, { "85", "patient eligibility" },
	{ "88", "entity's date of birth" }, { "97", "entity's address" },
	{ "116", "claim submitted to the incorrect payer" },
	{ "145", "entity's gender" }, { "158", "entity's date of birth" },
	{ "164", "entity's contract or member number" },
	{ "187", "date of service" }, { "189", "facility type code" },
	{ "247", "line information" }, { "255", "diagnosis code" },
	{ "400", "claim is out of balance" },
	{ "454", "procedure code for services rendered" },
	{ "462", "diagnosis code pointer" },
	{ "464", "the payer assigned claim control number" },
	{ "477", "national drug code" },
	{ "484", "business application currently not available" },
	{ "510", "future date" }, { "516", "other payer's explanation" },
	{ "562", "entity's National Provider Identifier (NPI)" },
	{ "563", "entity's additional or secondary identifier" },
	{ "585", "denied charge or non-covered charge" },
	{ "640", "entity's tax id" },
	{ "715", "the procedure code or modifier" },
	{ "732", "information submitted inconsistent with billing "
	  "guidelines" },
};

static const struct words entities[] = {
	{ "03", "dependent" }, { "40", "receiver" }, { "41", "submitter" },
	{ "82", "rendering provider" }, { "85", "billing provider" },
	{ "87", "pay-to provider" }, { "DN", "referring provider" },
	{ "IL", "insured or subscriber" }, { "PR", "payer" },
	{ "QC", "patient" }, { "77", "service location" },
	{ "DK", "ordering physician" }, { "FA", "facility" },
};

#define W(t)	t, PMS_NELEM(t)

struct ack {
	struct pms_store *s;
	struct pms_x12_reader *r;
	char		 now[PMS_STAMP_BUFSZ];
	struct pms_ack_result *res;
	size_t		 nres, cap;
	int64_t		*pat;
	size_t		 npat, cappat;
	struct pms_ack_count *n;
	char		 sender_id[64];	/* trading_partner's */
};

/* Why the interchange being read is not for this practice (ISA08 is
 * not its trading_partner.sender_id); NULL when it is. */
static const char *
foreign(struct ack *a)
{
	char recv[32];
	size_t n;

	if (a->sender_id[0] == '\0')
		return NULL;
	copy(recv, sizeof(recv), pms_x12_elem(pms_x12_reader_isa(a->r), 8));
	for (n = strlen(recv); n > 0 && recv[n - 1] == ' '; n--)
		recv[n - 1] = '\0';
	return strcmp(recv, a->sender_id) == 0 ? NULL : "the interchange is "
	    "addressed to another receiver (ISA08 is not "
	    "trading_partner.sender_id): nothing moved";
}

static struct pms_ack_result *
result(struct ack *a, const char *kind)
{
	const struct pms_x12_pos *pos = pms_x12_reader_pos(a->r);
	struct pms_ack_result *r;
	size_t c = a->cap == 0 ? 16 : a->cap * 2;

	if (a->nres == a->cap) {
		if ((r = realloc(a->res, c * sizeof(*r))) == NULL)
			return NULL;
		a->res = r;
		a->cap = c;
	}
	r = &a->res[a->nres++];
	memset(r, 0, sizeof(*r));
	copy(r->kind, sizeof(r->kind), kind);
	r->segment = pos->segment;
	r->line = pos->line;
	r->outcome = "accepted";
	return r;
}

static enum pms_status
patient_add(struct ack *a, int64_t id)
{
	int64_t *p;
	size_t i;

	for (i = 0; i < a->npat; i++)
		if (a->pat[i] == id)
			return PMS_OK;
	if (a->npat == a->cappat) {
		size_t c = a->cappat == 0 ? 16 : a->cappat * 2;

		if ((p = realloc(a->pat, c * sizeof(*p))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		a->pat = p;
		a->cappat = c;
	}
	a->pat[a->npat++] = id;
	return PMS_OK;
}

/* Record the acknowledgement; *seen when it was read before. */
static enum pms_status
ack_row(struct ack *a, const char *kind, const char *st02, int64_t batch,
    const char *code, int *seen)
{
	const struct pms_x12_seg *isa = pms_x12_reader_isa(a->r);
	char sender[32];
	sqlite3_stmt *st;
	size_t n;
	int rc;

	copy(sender, sizeof(sender), pms_x12_elem(isa, 6));
	for (n = strlen(sender); n > 0 && sender[n - 1] == ' '; n--)
		sender[n - 1] = '\0';
	rc = sqlite3_prepare_v2(a->s->db, "INSERT OR IGNORE INTO claim_acks "
	    "(kind, sender, isa13, st02, batch_id, code, imported_at, "
	    "imported_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(a->s, rc, "recording an "
		    "acknowledgement");
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pms_x12_elem(isa, 13), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, st02, -1, SQLITE_STATIC);
	if (batch != 0)
		sqlite3_bind_int64(st, 5, batch);
	sqlite3_bind_text(st, 6, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, pms_store_user(a->s), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pms_store_sqlerr(a->s, rc, "recording an "
		    "acknowledgement");
	*seen = sqlite3_changes(a->s->db) == 0;
	a->n->acks++;
	if (*seen)
		a->n->already++;
	return PMS_OK;
}

/* Our batch whose ISA13 (= GS06) is text; 0 if none. */
static enum pms_status
batch_of(struct ack *a, const char *text, int64_t *id)
{
	sqlite3_stmt *st;
	char *end;
	long long v;
	int rc;

	*id = 0;
	v = strtoll(text, &end, 10);
	if (*text == '\0' || *end != '\0' || v <= 0 || v > 999999999)
		return PMS_OK;
	rc = sqlite3_prepare_v2(a->s->db, "SELECT id FROM claim_batches WHERE "
	    "isa13 = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(a->s, rc, "reading batches");
	sqlite3_bind_int64(st, 1, v);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pms_store_sqlerr(a->s, rc, "reading batches");
	return PMS_OK;
}

static void
append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
reason(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * What the acknowledgement's words keep free for what is said around
 * them (the set, the IK5, "claim 12 is paid already: nothing moved"),
 * so that a note of the most reasons that fit is never cut.
 */
#define WORDS_MAX	(PMS_ACK_NOTE - 320)

/*
 * Move a claim for an acknowledgement: to (acknowledged or rejected)
 * when the machine allows it from where the claim is; r gets the claim
 * and its state after.
 */
static enum pms_status
move(struct ack *a, const struct pms_claim *k, enum pms_claim_state to,
    const char *why, struct pms_ack_result *r)
{
	enum pms_status st;

	r->claim_id = k->id;
	r->patient_id = k->patient_id;
	if (r->batch_id == 0)
		r->batch_id = k->batch_id;
	copy(r->clm01, sizeof(r->clm01), k->clm01);
	r->state = pms_claim_state_name(k->state);
	if ((st = patient_add(a, k->patient_id)) != PMS_OK)
		return st;
	if (k->state == to && to == PMS_CLAIM_REJECTED) {
		char was[PMS_ACK_NOTE];

		copy(was, sizeof(was), r->note);
		r->outcome = "already";
		r->note[0] = '\0';
		append(r->note, sizeof(r->note), "claim %lld was rejected "
		    "already: nothing moved (%s)", (long long)k->id, was);
		return PMS_OK;
	}
	if (k->state == to)
		return PMS_OK;
	/* an acknowledgement is about a claim in flight: one adjudicated
	 * or rejected already stays where it is, and the row says so */
	if ((k->state != PMS_CLAIM_SUBMITTED &&
	    k->state != PMS_CLAIM_ACKNOWLEDGED) || !pms_claim_may(k->state,
	    to)) {
		char was[PMS_ACK_NOTE];

		copy(was, sizeof(was), r->note);
		r->outcome = "late";
		r->note[0] = '\0';
		append(r->note, sizeof(r->note), "claim %lld is %s already: "
		    "nothing moved (%s)", (long long)k->id,
		    pms_claim_state_name(k->state), was);
		a->n->other++;
		return PMS_OK;
	}
	if ((st = pms_claim_move(a->s, k->id, to, 0, why)) != PMS_OK)
		return st;
	r->state = pms_claim_state_name(to);
	if (to == PMS_CLAIM_REJECTED)
		a->n->rejected++;
	else
		a->n->accepted++;
	return PMS_OK;
}

/* Each claim of batch (and of set st02, when not 0), moved to to. */
static enum pms_status
move_batch(struct ack *a, int64_t batch, long st02, enum pms_claim_state to,
    const char *kind, const char *code, const char *why)
{
	sqlite3_stmt *st;
	struct pms_claim k;
	enum pms_status ps = PMS_OK;
	int64_t *ids = NULL, *p;
	size_t n = 0, cap = 0, i;
	int rc;

	/* every claim that sending carried, sent again since or not:
	 * an answer to an earlier sending is its own, and late */
	rc = sqlite3_prepare_v2(a->s->db, "SELECT s.claim_id FROM "
	    "claim_submissions s WHERE s.batch_id = ?1 AND (?2 = 0 OR "
	    "s.st02 = ?2) ORDER BY s.claim_id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pms_store_sqlerr(a->s, rc, "reading a batch");
	sqlite3_bind_int64(st, 1, batch);
	sqlite3_bind_int64(st, 2, st02);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((p = realloc(ids, cap * sizeof(*p))) == NULL) {
				sqlite3_finalize(st);
				free(ids);
				return pms_seterr(PMS_ENOMEM, "out of memory");
			}
			ids = p;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(ids);
		return pms_store_sqlerr(a->s, rc, "reading a batch");
	}
	if (n == 0) {
		/* an answer to a set pms did not send in that batch */
		struct pms_ack_result *r = result(a, kind);

		if (r == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		r->batch_id = batch;
		copy(r->code, sizeof(r->code), code);
		r->outcome = "unmatched";
		snprintf(r->note, sizeof(r->note), "%s set %04ld: batch %lld "
		    "has no transaction set of that number: nothing moved",
		    kind, st02, (long long)batch);
		a->n->unmatched++;
		return PMS_OK;
	}
	for (i = 0; i < n && ps == PMS_OK; i++) {
		struct pms_ack_result *r;

		if ((ps = pms_claim_get(a->s, ids[i], &k)) != PMS_OK)
			break;
		if ((r = result(a, kind)) == NULL) {
			ps = pms_seterr(PMS_ENOMEM, "out of memory");
			break;
		}
		r->batch_id = batch;
		copy(r->code, sizeof(r->code), code);
		r->outcome = to == PMS_CLAIM_REJECTED ? "rejected" :
		    "accepted";
		copy(r->note, sizeof(r->note), why);
		if (k.batch_id != batch) {
			/* sent again since (export --batch, or fixed and
			 * exported after a rejection): this answers the
			 * sending before, not the one in flight */
			r->claim_id = k.id;
			r->patient_id = k.patient_id;
			copy(r->clm01, sizeof(r->clm01), k.clm01);
			r->state = pms_claim_state_name(k.state);
			r->outcome = "late";
			r->note[0] = '\0';
			append(r->note, sizeof(r->note), "claim %lld was sent "
			    "again since, in batch %lld: this answers its "
			    "sending in batch %lld: nothing moved (%s)",
			    (long long)k.id, (long long)k.batch_id,
			    (long long)batch, why);
			a->n->other++;
			ps = patient_add(a, k.patient_id);
			continue;
		}
		ps = move(a, &k, to, why, r);
	}
	free(ids);
	return ps;
}

static void
append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* Said in place of the reasons that did not fit. */
#define MORE	"; and more, in the file"

/*
 * Add one reason (or one part of one: an IK4 of its IK3) to buf, whole
 * or not at all: what does not fit is left off with MORE said once,
 * never cut mid-word, so that the note keeps "what is wrong" of each
 * reason it shows.
 */
static void
reason(char *buf, size_t size, const char *fmt, ...)
{
	char t[PMS_ACK_NOTE];
	size_t n = strlen(buf), m, k = sizeof(MORE) - 1;
	va_list ap;

	if (n >= k && strcmp(buf + n - k, MORE) == 0)
		return;		/* left off already: so is the rest */
	va_start(ap, fmt);
	vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	m = strlen(t);
	if (m + 1 < sizeof(t) && n + m + k + 1 <= size)
		memcpy(buf + n, t, m + 1);
	else if (n + k + 1 <= size)
		memcpy(buf + n, MORE, k + 1);
}

/* The words of a code, or the code itself. */
static const char *
say(const struct words *w, size_t n, const char *code)
{
	const char *t = lookup(w, n, code);

	return t != NULL ? t : "a code pms does not explain";
}

static enum pms_status
ta1(struct ack *a, const struct pms_x12_seg *seg)
{
	struct pms_ack_result *r;
	enum pms_status st;
	const char *code = pms_x12_elem(seg, 4);
	const char *note = pms_x12_elem(seg, 5);
	char why[PMS_ACK_NOTE];
	const char *other = foreign(a);
	int64_t batch;
	int seen;

	if (other != NULL) {
		if ((r = result(a, "TA1")) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		copy(r->code, sizeof(r->code), code);
		r->outcome = "unmatched";
		copy(r->note, sizeof(r->note), other);
		a->n->acks++;
		a->n->unmatched++;
		return PMS_OK;
	}
	if ((st = batch_of(a, pms_x12_elem(seg, 1), &batch)) != PMS_OK ||
	    (st = ack_row(a, "TA1", pms_x12_elem(seg, 1), batch, code,
	    &seen)) != PMS_OK)
		return st;
	why[0] = '\0';
	append(why, sizeof(why), "TA1 %s: interchange %s; %s", code,
	    strcmp(code, "R") == 0 ? "rejected" : strcmp(code, "E") == 0 ?
	    "accepted with errors" : "accepted", say(W(ta1_notes), note));
	if (batch == 0 || seen || strcmp(code, "R") != 0) {
		if ((r = result(a, "TA1")) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		r->batch_id = batch;
		copy(r->code, sizeof(r->code), code);
		copy(r->note, sizeof(r->note), why);
		r->outcome = batch == 0 ? "unmatched" : seen ? "already" :
		    "accepted";
		if (batch == 0) {
			a->n->unmatched++;
			snprintf(r->note, sizeof(r->note), "TA101 names no "
			    "interchange pms sent");
		} else if (!seen)
			a->n->other++;
		return PMS_OK;
	}
	return move_batch(a, batch, 0, PMS_CLAIM_REJECTED, "TA1", code, why);
}

/* One AK2 set of a 999, as read. */
struct set999 {
	char		 st02[16];
	char		 code[4];	/* IK501 */
	char		 errors[WORDS_MAX];
	unsigned long	 seg, line;
};

/* Read on to the 999's SE and act on it. */
static enum pms_status
ack999(struct ack *a)
{
	const struct pms_x12_seg *seg;
	struct set999 sets[64], *cur = NULL;
	enum pms_status st;
	char gs06[16] = "", ak9[4] = "", st02[16], why[PMS_ACK_NOTE];
	const char *id;
	int64_t batch = 0;
	size_t nsets = 0, i;
	int seen, any = 0;

	copy(st02, sizeof(st02), pms_x12_elem(pms_x12_reader_st(a->r), 2));
	for (;;) {
		if ((st = pms_x12_next(a->r, &seg)) != PMS_OK)
			return st;
		if (seg == NULL)
			return pms_x12_fail(a->r, NULL, PMS_EDATA, "ends "
			    "inside a transaction set");
		id = pms_x12_seg_id(seg);
		if (strcmp(id, "SE") == 0)
			break;
		if (strcmp(id, "AK1") == 0)
			copy(gs06, sizeof(gs06), pms_x12_elem(seg, 2));
		else if (strcmp(id, "AK2") == 0) {
			if (nsets == PMS_NELEM(sets))
				return pms_x12_fail(a->r, NULL, PMS_EDATA,
				    "more than %zu sets acknowledged",
				    PMS_NELEM(sets));
			cur = &sets[nsets++];
			memset(cur, 0, sizeof(*cur));
			copy(cur->st02, sizeof(cur->st02),
			    pms_x12_elem(seg, 2));
			cur->seg = pms_x12_reader_pos(a->r)->segment;
			cur->line = pms_x12_reader_pos(a->r)->line;
		} else if (strcmp(id, "IK3") == 0 && cur != NULL)
			reason(cur->errors, sizeof(cur->errors), "%s%s "
			    "segment at position %s%s%s: %s",
			    cur->errors[0] != '\0' ? "; " : "",
			    pms_quotable(pms_x12_elem(seg, 1)) ?
			    pms_x12_elem(seg, 1) : "a",
			    pms_x12_elem(seg, 2), *pms_x12_elem(seg, 3) !=
			    '\0' ? " in loop " : "", pms_quotable(
			    pms_x12_elem(seg, 3)) ? pms_x12_elem(seg, 3) :
			    "", say(W(ik304), pms_x12_elem(seg, 4)));
		else if (strcmp(id, "IK4") == 0 && cur != NULL)
			/* IK404 is a copy of the bad data: never shown */
			reason(cur->errors, sizeof(cur->errors), ", element "
			    "%s%s%s (data element %s): %s",
			    pms_x12_comp(seg, 1, 1), *pms_x12_comp(seg, 1, 2) !=
			    '\0' ? "-" : "", pms_x12_comp(seg, 1, 2),
			    pms_quotable(pms_x12_elem(seg, 2)) ?
			    pms_x12_elem(seg, 2) : "?",
			    say(W(ik403), pms_x12_elem(seg, 3)));
		else if (strcmp(id, "IK5") == 0 && cur != NULL)
			copy(cur->code, sizeof(cur->code),
			    pms_x12_elem(seg, 1));
		else if (strcmp(id, "AK9") == 0)
			copy(ak9, sizeof(ak9), pms_x12_elem(seg, 1));
	}
	if (foreign(a) != NULL) {
		struct pms_ack_result *r = result(a, "999");

		if (r == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		copy(r->code, sizeof(r->code), ak9);
		r->outcome = "unmatched";
		copy(r->note, sizeof(r->note), foreign(a));
		a->n->acks++;
		a->n->unmatched++;
		return PMS_OK;
	}
	if ((st = batch_of(a, gs06, &batch)) != PMS_OK ||
	    (st = ack_row(a, "999", st02, batch, ak9, &seen)) != PMS_OK)
		return st;
	if (batch == 0 || seen) {
		struct pms_ack_result *r = result(a, "999");

		if (r == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		r->batch_id = batch;
		copy(r->code, sizeof(r->code), ak9);
		r->outcome = batch == 0 ? "unmatched" : "already";
		snprintf(r->note, sizeof(r->note), "%s", batch == 0 ?
		    "AK102 names no group pms sent" : "read before: nothing "
		    "moved");
		if (batch == 0)
			a->n->unmatched++;
		return PMS_OK;
	}
	for (i = 0; i < nsets; i++) {
		struct set999 *s = &sets[i];
		enum pms_claim_state to;
		char *end;
		long n = strtol(s->st02, &end, 10);

		any = 1;
		if (*s->st02 == '\0' || *end != '\0' || n <= 0) {
			struct pms_ack_result *r = result(a, "999");

			if (r == NULL)
				return pms_seterr(PMS_ENOMEM, "out of memory");
			r->segment = s->seg;
			r->line = s->line;
			r->batch_id = batch;
			copy(r->code, sizeof(r->code), s->code);
			r->outcome = "unmatched";
			snprintf(r->note, sizeof(r->note), "AK202 is not a "
			    "transaction set number: nothing moved");
			a->n->unmatched++;
			continue;
		}
		to = strcmp(s->code, "A") == 0 || strcmp(s->code, "E") == 0 ?
		    PMS_CLAIM_ACKNOWLEDGED : PMS_CLAIM_REJECTED;
		why[0] = '\0';
		append(why, sizeof(why), "999 set %s: IK5 %s, %s%s%s",
		    pms_quotable(s->st02) ? s->st02 : "?", s->code,
		    say(W(ik5), s->code), s->errors[0] != '\0' ? "; " : "",
		    s->errors);
		if ((st = move_batch(a, batch, n, to, "999", s->code, why)) !=
		    PMS_OK)
			return st;
	}
	/* a group rejected whole, with no set named */
	if (!any && strcmp(ak9, "R") == 0) {
		snprintf(why, sizeof(why), "999: AK9 R, the whole functional "
		    "group rejected");
		return move_batch(a, batch, 0, PMS_CLAIM_REJECTED, "999", ak9,
		    why);
	}
	if (!any && strcmp(ak9, "A") == 0)
		return move_batch(a, batch, 0, PMS_CLAIM_ACKNOWLEDGED, "999",
		    ak9, "999: AK9 A, the functional group accepted");
	return PMS_OK;
}

/* A claim of a 277CA, as read. */
struct c277 {
	int		 open;
	char		 clm01[40];
	char		 stc[64];	/* STC01 of the first STC */
	char		 words[WORDS_MAX];
	char		 pcn[PMS_CLAIM_TEXT];	/* REF*1K */
	char		 split[4][PMS_CLAIM_TEXT];
	size_t		 nsplit;
	unsigned long	 seg, line;
};

/* The words of an STC01 composite: category, status, entity. */
static void
stc_words(const struct pms_x12_seg *seg, size_t el, char *buf, size_t size)
{
	const char *cat = pms_x12_comp(seg, el, 1);
	const char *code = pms_x12_comp(seg, el, 2);
	const char *ent = pms_x12_comp(seg, el, 3);
	const char *e = lookup(W(entities), ent);

	reason(buf, size, "%s%s %s, status %s: %s%s%s%s", buf[0] != '\0' ?
	    "; " : "", pms_quotable(cat) ? cat : "?",
	    say(W(stc_cat), cat), pms_quotable(code) ? code : "?",
	    say(W(stc_status), code), *ent != '\0' ? " (" : "",
	    *ent != '\0' ? (e != NULL ? e : "entity code not explained") : "",
	    *ent != '\0' ? ")" : "");
}

static enum pms_status
claim277(struct ack *a, struct c277 *c)
{
	struct pms_ack_result *r;
	struct pms_claim k;
	enum pms_status st;
	char cat[4];
	size_t i;

	if (!c->open)
		return PMS_OK;
	c->open = 0;
	if ((r = result(a, "277CA")) == NULL)
		return pms_seterr(PMS_ENOMEM, "out of memory");
	r->segment = c->seg;
	r->line = c->line;
	copy(r->clm01, sizeof(r->clm01), c->clm01);
	copy(cat, sizeof(cat), c->stc);
	if (strchr(cat, ':') != NULL)
		*strchr(cat, ':') = '\0';
	copy(r->code, sizeof(r->code), c->stc);
	copy(r->payer_claim_number, sizeof(r->payer_claim_number), c->pcn);
	copy(r->note, sizeof(r->note), c->words);
	st = pms_claim_find(a->s, c->clm01, &k);
	if (st == PMS_EREFUSED) {
		r->outcome = "unmatched";
		snprintf(r->note, sizeof(r->note), "TRN02 matches no claim of "
		    "this store");
		a->n->unmatched++;
		return PMS_OK;
	}
	if (st != PMS_OK)
		return st;
	if (strcmp(cat, "A2") == 0 || strcmp(cat, "A5") == 0) {
		int split = strcmp(cat, "A5") == 0;
		unsigned long acc = a->n->accepted, oth = a->n->other;

		r->outcome = split ? "split" : "accepted";
		if (split) {
			/* each REF*1K of an A5 is one of the new claims,
			 * none the number of this one: the record says so
			 * instead of showing one as the claim's */
			r->payer_claim_number[0] = '\0';
			if (c->pcn[0] != '\0') {
				if (c->nsplit < PMS_NELEM(c->split)) {
					memmove(c->split[1], c->split[0],
					    c->nsplit * sizeof(c->split[0]));
					c->nsplit++;
				} else
					memmove(c->split[1], c->split[0],
					    (c->nsplit - 1) *
					    sizeof(c->split[0]));
				copy(c->split[0], sizeof(c->split[0]),
				    c->pcn);
			}
			for (i = 0; i < c->nsplit; i++)
				append(r->note, sizeof(r->note), "%s%s",
				    i == 0 ? "; the payer split it into its "
				    "claims " : ", ",
				    pms_quotable(c->split[i]) ? c->split[i] :
				    "?");
			if (c->nsplit > 0)
				append(r->note, sizeof(r->note), " (REF*1K), "
				    "none of them this claim's number: to "
				    "correct one, give it with pms-claim "
				    "resubmit --payer-claim-number");
		}
		if ((st = move(a, &k, PMS_CLAIM_ACKNOWLEDGED, c->words, r)) !=
		    PMS_OK)
			return st;
		if (split) {
			/* one answer: a split, counted once */
			a->n->accepted = acc;
			a->n->other = oth + 1;
		}
		if (c->pcn[0] != '\0' && strcmp(cat, "A2") == 0) {
			sqlite3_stmt *s1;
			int rc;

			rc = sqlite3_prepare_v2(a->s->db, "UPDATE claims SET "
			    "payer_claim_number = ?2 WHERE id = ?1", -1, &s1,
			    NULL);
			if (rc != SQLITE_OK)
				return pms_store_sqlerr(a->s, rc, "recording "
				    "a payer's claim number");
			sqlite3_bind_int64(s1, 1, k.id);
			sqlite3_bind_text(s1, 2, c->pcn, -1, SQLITE_STATIC);
			rc = sqlite3_step(s1);
			sqlite3_finalize(s1);
			if (rc != SQLITE_DONE)
				return pms_store_sqlerr(a->s, rc, "recording "
				    "a payer's claim number");
		}
		for (i = 0; i < c->nsplit; i++) {
			sqlite3_stmt *s1;
			int rc;

			rc = sqlite3_prepare_v2(a->s->db, "INSERT OR IGNORE "
			    "INTO claim_refs (claim_id, kind, value) VALUES "
			    "(?1, 'split', ?2)", -1, &s1, NULL);
			if (rc != SQLITE_OK)
				return pms_store_sqlerr(a->s, rc, "recording "
				    "a split");
			sqlite3_bind_int64(s1, 1, k.id);
			sqlite3_bind_text(s1, 2, c->split[i], -1,
			    SQLITE_STATIC);
			rc = sqlite3_step(s1);
			sqlite3_finalize(s1);
			if (rc != SQLITE_DONE)
				return pms_store_sqlerr(a->s, rc, "recording "
				    "a split");
		}
		return PMS_OK;
	}
	if (strcmp(cat, "A3") == 0 || strcmp(cat, "A4") == 0 ||
	    strcmp(cat, "A6") == 0 || strcmp(cat, "A7") == 0 ||
	    strcmp(cat, "A8") == 0) {
		r->outcome = "rejected";
		return move(a, &k, PMS_CLAIM_REJECTED, c->words, r);
	}
	/* A1 received, A0 forwarded: no move */
	r->outcome = "received";
	r->claim_id = k.id;
	r->batch_id = k.batch_id;
	r->patient_id = k.patient_id;
	r->state = pms_claim_state_name(k.state);
	a->n->other++;
	return patient_add(a, k.patient_id);
}

/* Read on to the 277CA's SE and act on each claim. */
static enum pms_status
ack277(struct ack *a)
{
	const struct pms_x12_seg *seg;
	struct c277 c;
	enum pms_status st;
	char st02[16], level[4] = "";
	const char *id, *other = foreign(a);
	int seen;

	copy(st02, sizeof(st02), pms_x12_elem(pms_x12_reader_st(a->r), 2));
	if (other != NULL) {
		/* read to its end, then say it once */
		a->n->acks++;
		seen = 1;
	} else if ((st = ack_row(a, "277CA", st02, 0, "", &seen)) != PMS_OK)
		return st;
	memset(&c, 0, sizeof(c));
	for (;;) {
		if ((st = pms_x12_next(a->r, &seg)) != PMS_OK)
			return st;
		if (seg == NULL)
			return pms_x12_fail(a->r, NULL, PMS_EDATA, "ends "
			    "inside a transaction set");
		id = pms_x12_seg_id(seg);
		if (strcmp(id, "SE") == 0 || strcmp(id, "HL") == 0) {
			if (!seen && (st = claim277(a, &c)) != PMS_OK)
				return st;
			if (strcmp(id, "SE") == 0)
				break;
			copy(level, sizeof(level), pms_x12_elem(seg, 3));
			memset(&c, 0, sizeof(c));
			continue;
		}
		if (strcmp(level, "PT") != 0)
			continue;
		if (strcmp(id, "TRN") == 0 && !c.open) {
			c.open = 1;
			copy(c.clm01, sizeof(c.clm01), pms_x12_elem(seg, 2));
			c.seg = pms_x12_reader_pos(a->r)->segment;
			c.line = pms_x12_reader_pos(a->r)->line;
		} else if (strcmp(id, "STC") == 0 && c.open) {
			if (c.stc[0] == '\0')
				copy(c.stc, sizeof(c.stc),
				    pms_x12_elem(seg, 1));
			stc_words(seg, 1, c.words, sizeof(c.words));
			if (*pms_x12_comp(seg, 10, 1) != '\0')
				stc_words(seg, 10, c.words, sizeof(c.words));
			if (*pms_x12_comp(seg, 11, 1) != '\0')
				stc_words(seg, 11, c.words, sizeof(c.words));
		} else if (strcmp(id, "REF") == 0 && c.open &&
		    strcmp(pms_x12_elem(seg, 1), "1K") == 0) {
			if (c.pcn[0] == '\0')
				copy(c.pcn, sizeof(c.pcn),
				    pms_x12_elem(seg, 2));
			else if (c.nsplit < PMS_NELEM(c.split))
				copy(c.split[c.nsplit++], sizeof(c.split[0]),
				    pms_x12_elem(seg, 2));
		} else if (strcmp(id, "SVC") == 0)
			level[0] = '\0';	/* line level: not the claim's */
	}
	if (seen) {
		struct pms_ack_result *r = result(a, "277CA");

		if (r == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		r->outcome = other != NULL ? "unmatched" : "already";
		snprintf(r->note, sizeof(r->note), "%s", other != NULL ?
		    other : "read before: nothing moved");
		if (other != NULL)
			a->n->unmatched++;
	}
	return PMS_OK;
}

enum pms_status
pms_claim_ack(struct pms_store *s, FILE *in, const char *name,
    pms_ack_fn *fn, void *arg, struct pms_ack_count *n)
{
	const struct pms_x12_seg *seg;
	struct ack a;
	enum pms_status st;
	const char *id;
	size_t i;
	int open = 0;

	memset(&a, 0, sizeof(a));
	memset(n, 0, sizeof(*n));
	a.s = s;
	a.n = n;
	pms_instant_fmt((int64_t)time(NULL), a.now);
	if ((st = pms_x12_reader_open(&a.r, in, name)) != PMS_OK)
		return st;
	if ((st = pms_store_begin(s)) != PMS_OK)
		goto out;
	open = 1;
	{
		struct pms_config *cfg = NULL;
		const char *t;

		/* whom the file is for is checked against it: without
		 * one, every answer would be "unmatched" */
		st = pms_config_read(s, &cfg);
		if (st == PMS_ECONFIG)
			st = pms_seterr(PMS_ECONFIG, "no configuration loaded "
			    "(pms-admin config load)");
		if (st != PMS_OK)
			goto out;
		if (cfg != NULL && pms_config_text(cfg,
		    "trading_partner.sender_id", &t) == PMS_OK)
			copy(a.sender_id, sizeof(a.sender_id), t);
		pms_config_free(cfg);
		st = PMS_OK;
	}
	for (;;) {
		if ((st = pms_x12_next(a.r, &seg)) != PMS_OK)
			goto out;
		if (seg == NULL)
			break;
		id = pms_x12_seg_id(seg);
		if (strcmp(id, "TA1") == 0)
			st = ta1(&a, seg);
		else if (strcmp(id, "ST") == 0) {
			const char *kind = pms_x12_kind(pms_x12_elem(seg, 1),
			    pms_x12_elem(pms_x12_reader_gs(a.r), 8));

			if (strcmp(kind, "999") == 0)
				st = ack999(&a);
			else if (strcmp(kind, "277CA") == 0)
				st = ack277(&a);
			else
				st = pms_x12_fail(a.r, "ST01", PMS_EDATA, "a "
				    "%s, not an acknowledgement (999, TA1, "
				    "277CA)%s", kind, strcmp(kind, "835") ==
				    0 ? ": pms-claim era posts remittances" :
				    "");
		}
		if (st != PMS_OK)
			goto out;
	}
	if (n->acks == 0) {
		st = pms_seterr(PMS_EDATA, "%s: no acknowledgement in it",
		    name != NULL && strcmp(name, "-") != 0 ? name :
		    "standard input");
		goto out;
	}
	if ((st = pms_audit_append(s, "claim.ack", "claims.state,"
	    "claims.payer_claim_number,claim_history", a.pat, a.npat)) !=
	    PMS_OK)
		goto out;
	/* a dry run keeps nothing, not even the entry of a file that
	 * moved nothing (which the commit would keep as a read) */
	if (pms_store_dry_run(s))
		pms_store_rollback(s);
	else
		st = pms_store_commit(s);
	open = 0;
	if (st != PMS_OK)
		goto out;
	for (i = 0; i < a.nres && fn != NULL; i++)
		if (fn(arg, &a.res[i]) != 0) {
			/* moved all the same: the caller says so */
			n->output_failed = 1;
			st = pms_seterr(PMS_EIO, "write error");
			break;
		}
out:
	if (open)
		pms_store_rollback(s);
	pms_x12_reader_close(a.r);
	free(a.res);
	free(a.pat);
	return st;
}
