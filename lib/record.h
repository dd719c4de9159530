/*
 * record.h: records in and out.  One reader for CSV (libcsv) and JSON
 * Lines (jansson), streaming, with line numbers for every error; one
 * writer for -o table|csv|json with typed columns.
 */
#ifndef PMS_RECORD_H
#define PMS_RECORD_H

#include <stdint.h>
#include <stdio.h>

#include "pms.h"
#include "ptime.h"

/* ---- reading ---- */

enum pms_in_format {
	PMS_IN_AUTO,		/* the first non-blank byte: '{' is JSON */
	PMS_IN_CSV,
	PMS_IN_JSON
};

/* The type of a value as it came in.  CSV values are all text. */
enum pms_val_type {
	PMS_VAL_ABSENT,		/* no such field in this record */
	PMS_VAL_NULL,		/* JSON null, or an empty CSV cell */
	PMS_VAL_TEXT,
	PMS_VAL_INT,		/* JSON integer */
	PMS_VAL_REAL,		/* JSON real: refused wherever money goes */
	PMS_VAL_BOOL,		/* JSON true/false */
	PMS_VAL_OTHER		/* JSON array or object */
};

struct pms_reader;
struct pms_record;

/*
 * Start reading in (not closed by the reader).  name is what messages
 * call the input ("patients.csv", or "-" for stdin: then messages say
 * "line 12" alone).  A CSV header is read here: a UTF-8 BOM is dropped,
 * a UTF-16 or UTF-32 BOM is refused ("save as UTF-8"), the delimiter
 * is the most frequent of ',', ';' and TAB outside quotes in the
 * header line (',' on a tie), header names are trimmed and compared
 * without regard to ASCII case, and an empty or repeated name is
 * refused.  Empty input is a record stream of no records.
 */
enum pms_status	 pms_reader_open(struct pms_reader **, FILE *in,
		    const char *name, enum pms_in_format);
void		 pms_reader_close(struct pms_reader *);
/* The format found. */
enum pms_in_format pms_reader_format(const struct pms_reader *);

/*
 * The next record in *rec (owned by the reader, valid until the next
 * call), or *rec = NULL at the end.  A bad record (a CSV row with more
 * cells than the header, invalid UTF-8, a JSON line that is not an
 * object or does not parse, a record over 1 MiB) returns PMS_EDATA
 * with the message naming the line (and column for JSON), and reading
 * may go on with the next record: so an import can report every bad
 * row.  Blank lines are skipped.  An input that cannot go on (a quote
 * never closed, a read error) returns PMS_EDATA or PMS_EIO and then
 * ends.  A CSV row with fewer cells than the header has the rest
 * PMS_VAL_NULL, as spreadsheets write them.
 */
enum pms_status	 pms_reader_next(struct pms_reader *, struct pms_record **rec);

/* The line the record starts on (1 is the first line of the input). */
unsigned long	 pms_record_line(const struct pms_record *);
/* Fields in input order (CSV: the header's). */
size_t		 pms_record_nfields(const struct pms_record *);
const char	*pms_record_name(const struct pms_record *, size_t i);

/*
 * A field's type and its text (NULL when absent or null; a JSON
 * integer, real or bool as its JSON text).  CSV text cells that our
 * own writer guarded against formula injection ("'=SUM(A1)", "'-x")
 * come back without the leading "'".  Field names match without regard
 * to ASCII case.
 */
enum pms_val_type pms_record_type(const struct pms_record *, const char *field);
const char	*pms_record_text(const struct pms_record *, const char *field);

/*
 * Typed getters: PMS_OK with the value, PMS_ENOINPUT when the field is
 * absent or empty (nothing set), PMS_EDATA with "line N: FIELD: what is
 * wrong" (never the value) otherwise.
 *
 * Money: from CSV, the text through pms_money_parse; from JSON, an
 * integer in "<field>_cents", or a string in "<field>" (a JSON number
 * in "<field>" is refused: it may have gone through a double).
 */
enum pms_status	 pms_record_money(const struct pms_record *,
		    const char *field, int64_t *cents);
enum pms_status	 pms_record_int(const struct pms_record *,
		    const char *field, int64_t *v);
enum pms_status	 pms_record_date(const struct pms_record *,
		    const char *field, enum pms_date_form, int32_t *days);

/* ---- writing ---- */

enum pms_col_type {
	PMS_COL_TEXT,
	PMS_COL_INT,
	PMS_COL_MONEY,		/* cents: "-25.00"; JSON "<name>_cents" */
	PMS_COL_DATE,		/* ISO text, as given */
	PMS_COL_TIME		/* ISO text, as given */
};

struct pms_col {
	const char	*name;
	enum pms_col_type type;
};

/* One cell: text for TEXT, DATE, TIME; i for INT and MONEY. */
struct pms_cell {
	int		 null;
	const char	*text;
	int64_t		 i;
};

enum pms_out_format {
	PMS_OUT_AUTO,		/* table on a terminal, else JSON Lines */
	PMS_OUT_TABLE,
	PMS_OUT_CSV,
	PMS_OUT_JSON
};

/* Parse "table", "csv", "json"; -1 if unknown. */
int		 pms_out_format_parse(const char *);

struct pms_writer;

/*
 * Write rows to out_path (NULL: stdout).  A file is written to a temp
 * file beside it (mode 0600), fsynced and renamed into place by
 * pms_writer_close(); pms_writer_abort() removes it.  AUTO is table
 * when writing to a terminal, else JSON.  CSV: a header line, cells
 * quoted only when they must be, lines ending in LF; a TEXT cell that
 * starts with '=', '+', '-', '@', TAB or CR gets a leading "'"; money,
 * integers, dates and times are never touched.  Table: columns aligned
 * (rows are kept until close), money and integers right-aligned,
 * control characters shown as '?'.  JSON: one object a line, keys in
 * column order, money as "<name>_cents" integers, null cells as null.
 */
enum pms_status	 pms_writer_open(struct pms_writer **, enum pms_out_format,
		    const char *out_path, const struct pms_col *cols,
		    size_t ncols);
enum pms_status	 pms_writer_row(struct pms_writer *,
		    const struct pms_cell *cells);
/* Flush and, for a file, fsync and rename; PMS_EIO on a write error. */
enum pms_status	 pms_writer_close(struct pms_writer *);
void		 pms_writer_abort(struct pms_writer *);

#endif /* PMS_RECORD_H */
