/*
 * x12.h: X12 interchanges in and out, ours because no C library reads
 * them.  The reader streams: it holds one segment at a time (and the
 * ISA, GS and ST of the envelope it is in), so a 10k-claim 835 costs
 * no more memory than a one-claim file.  It takes the delimiters each
 * interchange declares in its ISA, checks the envelope (control
 * numbers and counts) as it goes, and gives segments, elements,
 * repetitions and components by position.  The writer makes segments
 * from elements with configurable delimiters, pads the ISA to its
 * fixed widths, counts for SE, GE and IEA, and refuses a value that
 * holds a delimiter rather than write a file that reads differently.
 *
 * Only 5010 (ISA12 00501) is read and written.  Messages name the
 * segment (its position in the file, its id, its line) and the
 * element, never a value from the file: X12 carries patients' names,
 * birth dates and member ids.
 */
#ifndef PMS_X12_H
#define PMS_X12_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pms.h"

/* The longest segment read or written, in bytes, its terminator not
 * counted.  X12 segments are short; a longer one is not X12. */
#define PMS_X12_SEGMENT_MAX	65536
/* The ISA is fixed width: "ISA", 16 elements and their separators,
 * the segment terminator. */
#define PMS_X12_ISA_LEN		106

/*
 * The four delimiters of an interchange.  repetition is '\0' when
 * there is none: an ISA11 that is a letter, digit or space (4010's "U",
 * which some 5010 senders still write), or equal to another delimiter.
 */
struct pms_x12_delims {
	char		 element;	/* the byte after "ISA" */
	char		 component;	/* ISA16 */
	char		 repetition;	/* ISA11, or '\0' */
	char		 segment;	/* the byte after ISA16 */
};

/* "*" ":" "^" "~": what pms writes unless configured otherwise. */
#define PMS_X12_DELIMS_DEFAULT	{ '*', ':', '^', '~' }

/*
 * Whether d can delimit an interchange: element, component and
 * segment set, all different from each other and from repetition
 * (when set); none a letter, digit or space; element, component and
 * repetition not CR or LF (the reader drops line breaks inside
 * segments).  PMS_EDATA with a message saying which, else PMS_OK.
 */
enum pms_status	 pms_x12_delims_check(const struct pms_x12_delims *d);

/* ---- segments: what the reader gives ---- */

struct pms_x12_seg;

/* The segment id ("CLM"): two or three capital letters and digits,
 * starting with a letter. */
const char	*pms_x12_seg_id(const struct pms_x12_seg *);
/* The number of elements after the id, trailing empty ones included
 * ("NM1*IL*1*" has 3). */
size_t		 pms_x12_seg_count(const struct pms_x12_seg *);
/*
 * Element i (1 is the first after the id, as in "CLM01"; 0 is the id)
 * as it is in the file, its component and repetition separators
 * included; "" when the segment has fewer elements.  The ISA's
 * elements are never split: ISA11 and ISA16 are delimiters themselves.
 */
const char	*pms_x12_elem(const struct pms_x12_seg *, size_t i);
/* The repetitions of element i: at least 1 when it exists (an empty
 * element is one empty repetition), 0 when it does not. */
size_t		 pms_x12_nrep(const struct pms_x12_seg *, size_t i);
/* The components of repetition r (from 1) of element i; 0 if none. */
size_t		 pms_x12_ncomp(const struct pms_x12_seg *, size_t i, size_t r);
/* Component j (from 1) of the first repetition of element i, as in
 * "SV101-2": pms_x12_comp(seg, 1, 2); "" when absent. */
const char	*pms_x12_comp(const struct pms_x12_seg *, size_t i, size_t j);
/* Component j of repetition r (both from 1) of element i; "" when
 * absent. */
const char	*pms_x12_rep_comp(const struct pms_x12_seg *, size_t i,
		    size_t r, size_t j);

/* ---- the reader ---- */

struct pms_x12_reader;

/* Where the reader is: ordinals from 1, 0 where there is none. */
struct pms_x12_pos {
	unsigned long	 segment;	/* segments read so far in the file */
	unsigned long	 line;		/* the line the segment starts on */
	unsigned long	 interchange;	/* ISA..IEA in the file */
	unsigned long	 group;		/* GS..GE in the interchange */
	unsigned long	 transaction;	/* ST..SE in the group */
	unsigned long	 position;	/* in the transaction set: ST is 1, as
					 * SE01 and a 999's IK302 count */
};

/*
 * Start reading in (not closed by the reader; read with fread, a chunk
 * at a time).  name is what messages call the input ("batch.837:
 * segment 12 (SE, line 12): ..."); NULL or "-" leaves it out.  Returns
 * PMS_OK with *rp to free with pms_x12_reader_close(), or PMS_ENOMEM.
 */
enum pms_status	 pms_x12_reader_open(struct pms_x12_reader **rp, FILE *in,
		    const char *name);
/* Free the reader; NULL does nothing. */
void		 pms_x12_reader_close(struct pms_x12_reader *);

/*
 * The next segment in *segp (owned by the reader, valid until the next
 * call), or PMS_OK with *segp = NULL at the end of the input.
 *
 * The input: a UTF-8 byte order mark is skipped; a UTF-16 or UTF-32
 * text, an empty input, one that does not start with an ISA (a bare
 * ST..SE, say), an ISA that is not fixed width, an interchange of
 * another version than 5010 (ISA12 00501; a 4010 one has a message of
 * its own, as does a group whose GS08 is 4010's) are refused.  Between
 * segments CR, LF, spaces and tabs are skipped, and CR and LF inside a
 * segment dropped (files wrapped at 80 columns); a terminator that is
 * itself CR or LF ends the segment.  An empty segment is skipped.
 * Several interchanges may follow each other; "ISA" starts one only at
 * the start of a segment after an IEA (or of the input), never inside
 * data.  The last segment may lack its terminator.
 *
 * Checked as it goes: segment ids (2 or 3 capital letters and digits);
 * bytes that are UTF-8 and not control characters (bar a delimiter
 * that is one); segments no longer than PMS_X12_SEGMENT_MAX; the
 * envelope: GS only in an interchange, ST only in a group, every other
 * segment in a transaction set (bar TA1, between the ISA and the
 * groups), SE01 = the segments of the set, SE02 = ST02, GE01 = the
 * sets of the group, GE02 = GS06, IEA01 = the groups of the
 * interchange, IEA02 = ISA13; an IEA for every ISA before the end.
 *
 * A fault returns PMS_EDATA (PMS_EIO for a read error) with a message
 * naming the segment and element, and so does every later call: the
 * reader does not go on past a fault.
 */
enum pms_status	 pms_x12_next(struct pms_x12_reader *,
		    const struct pms_x12_seg **segp);

/* Where the segment last returned is. */
const struct pms_x12_pos *pms_x12_reader_pos(const struct pms_x12_reader *);
/* The delimiters of the interchange being read (all '\0' before the
 * first ISA). */
const struct pms_x12_delims *pms_x12_reader_delims(
		    const struct pms_x12_reader *);
/*
 * The envelope the segment last returned is in: its interchange's ISA,
 * its group's GS, its transaction set's ST; NULL outside.  Each stays
 * until the segment that closes it has been returned (the SE's ST is
 * still there when the SE comes).  Borrowed, like the segment.
 */
const struct pms_x12_seg *pms_x12_reader_isa(const struct pms_x12_reader *);
const struct pms_x12_seg *pms_x12_reader_gs(const struct pms_x12_reader *);
const struct pms_x12_seg *pms_x12_reader_st(const struct pms_x12_reader *);

/*
 * Set the message of a fault found by the caller in the segment last
 * returned, in the reader's own form ("batch.835: segment 12 (CLP,
 * line 12): CLP03: not an X12 amount"; elem NULL leaves out the
 * element), and return st.  Never pass a value from the file.
 */
enum pms_status	 pms_x12_fail(const struct pms_x12_reader *, const char *elem,
		    enum pms_status st, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * An X12 amount (type R: an optional minus, digits, an optional point
 * and decimals; "125", "40.5", "-100.00", ".5") in cents, through
 * pms_money_parse: never a double.  Decimals past the second must be
 * zeros.  PMS_EDATA, with the message "not an X12 amount" (without
 * the text), otherwise.
 */
enum pms_status	 pms_x12_amount(const char *text, int64_t *cents);

/*
 * What kind of transaction set ST01 and GS08 say it is: "837P"
 * (X222), "837I" (X223), "837D" (X224), "277CA" (X214), otherwise ST01
 * itself ("835", "999", "270"...).  Borrowed: st01 or a constant.
 */
const char	*pms_x12_kind(const char *st01, const char *gs08);

/* ---- a summary of each transaction set, for inspect --summary ---- */

/* One transaction set (or one TA1, which has none), in short. */
struct pms_x12_summary {
	unsigned long	 interchange;	/* ordinals, as in pms_x12_pos */
	unsigned long	 group;		/* 0 for a TA1 */
	unsigned long	 transaction;	/* 0 for a TA1 */
	char		 kind[8];	/* pms_x12_kind(), or "TA1" */
	char		 version[16];	/* GS08; "" for a TA1 */
	char		 isa13[10];	/* interchange control number */
	char		 gs06[10];	/* group control number */
	char		 st02[10];	/* transaction set control number */
	char		 sender[16];	/* ISA06, trailing blanks removed */
	char		 receiver[16];	/* ISA08, the same */
	unsigned long	 segments;	/* ST to SE, as SE01 counts */
	unsigned long	 claims;	/* CLM (837) and CLP (835) segments */
	unsigned long	 lines;		/* SV1, SV2, SV3 (837), SVC (835) */
	int		 has_charge;	/* an 837 or an 835 */
	int64_t		 charge;	/* cents: the CLM02s, or the CLP03s */
	int		 has_payment;	/* an 835 */
	int64_t		 paid;		/* cents: the CLP04s */
	int64_t		 payment;	/* cents: BPR02 */
};

/*
 * Read on to the end of the next transaction set (or TA1) and sum it
 * up in *sum.  Returns PMS_OK with *done = 0 and *sum filled, PMS_OK
 * with *done = 1 at the end of the input, or the reader's fault (an
 * amount that is not one included: CLM02, CLP03, CLP04, BPR02).
 */
enum pms_status	 pms_x12_summary_next(struct pms_x12_reader *,
		    struct pms_x12_summary *sum, int *done);

/* ---- the writer ---- */

struct pms_x12_writer;

/* What goes after each segment terminator. */
enum pms_x12_eol {
	PMS_X12_EOL_NONE,	/* one long line, as most partners want */
	PMS_X12_EOL_LF,		/* a segment a line, for people */
	PMS_X12_EOL_CRLF
};

struct pms_x12_writer_opts {
	struct pms_x12_delims delims;	/* checked by pms_x12_delims_check */
	enum pms_x12_eol eol;		/* nothing when the terminator is
					 * itself CR or LF */
	int		 keep_empty;	/* write trailing empty elements and
					 * components as given; by default
					 * they are dropped, as X12 wants */
};

/*
 * Write to out (not closed by the writer).  Returns PMS_OK with *wp,
 * PMS_EDATA for delimiters that cannot be used, PMS_ENOMEM.
 */
enum pms_status	 pms_x12_writer_open(struct pms_x12_writer **wp, FILE *out,
		    const struct pms_x12_writer_opts *);
/*
 * Flush and free the writer.  PMS_EINTERNAL if an interchange, group
 * or set is still open or an earlier call failed, PMS_EIO on a write
 * error; the writer is freed whatever happens (NULL does nothing).
 */
enum pms_status	 pms_x12_writer_close(struct pms_x12_writer *);

/* The ISA's fields: text ones padded with spaces to their widths,
 * never cut; a longer one is refused ("ISA06 longer than 15"). */
struct pms_x12_isa {
	const char	*auth_qual;	/* ISA01: 2 */
	const char	*auth;		/* ISA02: up to 10 */
	const char	*sec_qual;	/* ISA03: 2 */
	const char	*sec;		/* ISA04: up to 10 */
	const char	*sender_qual;	/* ISA05: 2 */
	const char	*sender;	/* ISA06: up to 15 */
	const char	*receiver_qual;	/* ISA07: 2 */
	const char	*receiver;	/* ISA08: up to 15 */
	const char	*date;		/* ISA09: YYMMDD */
	const char	*time;		/* ISA10: HHMM */
	char		 no_repetition;	/* ISA11 when the delimiters have no
					 * repetition: a letter or digit; '\0'
					 * for "U" */
	const char	*version;	/* ISA12: NULL for "00501" */
	uint32_t	 control;	/* ISA13: 0 to 999999999 */
	char		 ack;		/* ISA14: '0' or '1' */
	char		 usage;		/* ISA15: 'P' production, 'T' test */
};

/*
 * Start an interchange: its ISA, exactly PMS_X12_ISA_LEN bytes with the
 * terminator; ISA11 and ISA16 are the delimiters.  PMS_EDATA naming
 * the field that is too long, not of its form or holds a delimiter.
 */
enum pms_status	 pms_x12_write_isa(struct pms_x12_writer *,
		    const struct pms_x12_isa *);

/*
 * A segment, element by element: begin with its id, then each element
 * (NULL is an empty one), and for a composite each further component
 * and each further repetition of the element last begun; end writes
 * it, with the terminator (and eol).  A value that holds a delimiter,
 * a control character or bytes that are not UTF-8 is refused, with
 * PMS_EDATA naming the segment and element; the caller cleans names
 * first.  ST, GS and TA1 may be written this way (GS06 and ST02 are
 * kept for GE and SE), and so may SE, GE and IEA when their counts and
 * control numbers are right; the ISA only by pms_x12_write_isa().
 * The first failure sticks: every later call returns it, so a
 * segment's calls can be checked once, at pms_x12_write_end().
 */
enum pms_status	 pms_x12_write_begin(struct pms_x12_writer *, const char *id);
enum pms_status	 pms_x12_write_elem(struct pms_x12_writer *, const char *text);
enum pms_status	 pms_x12_write_comp(struct pms_x12_writer *, const char *text);
enum pms_status	 pms_x12_write_rep(struct pms_x12_writer *, const char *text);
enum pms_status	 pms_x12_write_end(struct pms_x12_writer *);

/*
 * A whole segment from a template in pms's own notation, whatever the
 * configured delimiters: "*" begins an element, ":" a component, "^" a
 * repetition, "%s" takes the next argument (a string, NULL for an
 * empty one; checked like any value, never split), "%%" is "%".
 * pms_x12_write_seg(w, "SV1*HC:%s*%s*UN*%s***%s", code, amount, units,
 * ptr)
 * writes SV1 with the configured separators.  Only %s and %% exist.
 */
enum pms_status	 pms_x12_write_seg(struct pms_x12_writer *, const char *tmpl,
		    ...);

/*
 * Write a segment the reader gave (an ISA too), element by element,
 * repetitions and components as they were: with the same delimiters,
 * the same bytes (with keep_empty; without it, less the trailing
 * empty elements and components).  Fails as the calls it makes.
 */
enum pms_status	 pms_x12_write_copy(struct pms_x12_writer *,
		    const struct pms_x12_seg *);

/* Close the transaction set: SE with its segment count and ST02. */
enum pms_status	 pms_x12_write_se(struct pms_x12_writer *);
/* Close the group: GE with its number of sets and GS06. */
enum pms_status	 pms_x12_write_ge(struct pms_x12_writer *);
/* Close the interchange: IEA with its number of groups and ISA13. */
enum pms_status	 pms_x12_write_iea(struct pms_x12_writer *);
/* Segments written so far, the ISA's included. */
unsigned long	 pms_x12_writer_count(const struct pms_x12_writer *);

#endif /* PMS_X12_H */
