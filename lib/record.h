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
	PMS_IN_AUTO,		/* the first non-blank byte: '{' or '[' is
				 * JSON (a line not an object is refused) */
	PMS_IN_CSV,
	PMS_IN_JSON
};

/* Parse "auto", "csv", "json"; -1 if unknown. */
int		 pms_in_format_parse(const char *);

/* What the bytes of the input are. */
enum pms_in_encoding {
	PMS_ENC_UTF8,		/* the default, and the only one JSON has */
	PMS_ENC_WINDOWS_1252	/* converted to UTF-8 as it is read */
};

/* Parse "utf-8" ("utf8"), "windows-1252" ("cp1252"), any case; -1 if
 * unknown. */
int		 pms_in_encoding_parse(const char *);

/* The largest record read: a longer one is refused. */
#define PMS_RECORD_MAX		(1024 * 1024)

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
 * Start reading in (not closed by the reader; read with fread, never
 * whole into memory).  name is what messages call the input
 * ("patients.csv": "patients.csv: line 12: ..."); NULL or "-" (stdin)
 * makes them say "line 12: ..." alone.
 *
 * Before anything else: a UTF-8 byte order mark is dropped, a UTF-16
 * or UTF-32 one refused ("UTF-16 not supported, save as UTF-8").  A
 * UTF-8 mark wins over PMS_ENC_WINDOWS_1252: such a file is UTF-8.
 * With PMS_ENC_WINDOWS_1252 every byte is converted to UTF-8; the five
 * bytes the code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
 * make their record bad.
 *
 * A CSV header is read here: the first non-blank line.  The delimiter
 * is the most frequent of ',', ';' and TAB outside quotes in it (','
 * on a tie).  Header names are trimmed and compared without regard to
 * ASCII case; an empty or repeated name is refused, except that empty
 * names at the end (spreadsheets write trailing delimiters) are
 * dropped.  Empty input is a record stream of no records.
 *
 * Returns PMS_OK with *rp to free with pms_reader_close(), PMS_EDATA
 * for a bad header or encoding, PMS_EIO for a read error, PMS_ENOMEM.
 */
enum pms_status	 pms_reader_open(struct pms_reader **rp, FILE *in,
		    const char *name, enum pms_in_format,
		    enum pms_in_encoding);
/* Free the reader and its current record; NULL does nothing. */
void		 pms_reader_close(struct pms_reader *);
/* The format found (CSV for an empty input). */
enum pms_in_format pms_reader_format(const struct pms_reader *);
/* The CSV header's names, in order (borrowed); none for JSON. */
size_t		 pms_reader_ncols(const struct pms_reader *);
const char	*pms_reader_col(const struct pms_reader *, size_t i);
/* The line the last record returned by pms_reader_next(), good or bad,
 * started on; 0 before the first. */
unsigned long	 pms_reader_line(const struct pms_reader *);

/*
 * The next record in *rec (owned by the reader, valid until the next
 * call), or PMS_OK with *rec = NULL at the end.
 *
 * A bad record returns PMS_EDATA with *rec = NULL and the message
 * naming the line (and the field, or the column of a JSON line), and
 * reading goes on with the next record on the next call, so that an
 * import can report every bad row.  Bad records: a CSV row with more
 * non-empty cells than the header has names, a quote in the wrong
 * place (a quoted cell must be quoted whole, its quotes doubled),
 * invalid UTF-8 or a NUL byte in a cell; a JSON line that does not
 * parse, is not an object, repeats a key (or has two that differ only
 * in ASCII case); a record longer than PMS_RECORD_MAX.
 *
 * An input that cannot go on returns PMS_EDATA (a quote never closed,
 * a CSV record longer than PMS_RECORD_MAX: where it ends is unknown)
 * or PMS_EIO (a read error), and then the end.
 *
 * Blank lines are skipped, and so are CSV rows of only empty unquoted
 * cells (",,,": spreadsheets write them).  A CSV row with fewer cells
 * than the header has the rest PMS_VAL_NULL.  Unquoted CSV cells are
 * trimmed of surrounding spaces and tabs (libcsv's rule); quoted ones
 * are kept as they are.  Line numbers count LF, CRLF and a lone CR
 * alike, and a record keeps the line it started on, whatever quoted
 * newlines it holds.
 */
enum pms_status	 pms_reader_next(struct pms_reader *, struct pms_record **rec);

/* The line the record starts on (1 is the first line of the input). */
unsigned long	 pms_record_line(const struct pms_record *);
/* Fields in input order (CSV: the header's). */
size_t		 pms_record_nfields(const struct pms_record *);
const char	*pms_record_name(const struct pms_record *, size_t i);
/* The i-th field's type and text, as pms_record_type/_text below. */
enum pms_val_type pms_record_type_at(const struct pms_record *, size_t i);
const char	*pms_record_text_at(const struct pms_record *, size_t i);

/*
 * A field's type and its text (NULL when absent or null; a JSON
 * integer, real or bool as JSON text, an array or object as compact
 * JSON).  CSV text cells that our own writer guarded against formula
 * injection ("'=SUM(A1)", "'-x") come back without the leading "'":
 * one "'" is dropped from a cell of one or more "'" followed by '=',
 * '+', '-', '@', TAB or CR (see pms_writer_open).  JSON strings are
 * never touched.  Field names match without regard to ASCII case.
 */
enum pms_val_type pms_record_type(const struct pms_record *,
		    const char *field);
const char	*pms_record_text(const struct pms_record *, const char *field);

/*
 * Typed getters: PMS_OK with the value, PMS_ENOINPUT when the field is
 * absent, null or empty (nothing set, no message), PMS_EDATA with
 * "line N: FIELD: what is wrong" (never the value) otherwise.  Text is
 * read with surrounding blanks ignored.
 *
 * Money: the text of "<field>" through pms_money_parse; or an integer
 * number of cents in "<field>_cents" (a JSON integer, or CSV text of
 * digits), as our JSON writer writes it.  A JSON number in "<field>"
 * is refused (it may have gone through a double), and so is a record
 * that has both.
 * Integers: a JSON integer, or text of an optional sign and digits.
 * Booleans: JSON true/false, or text true/false, yes/no, y/n, 1/0 in
 * any case.
 * Dates, times of day, wall-clock readings: text through
 * pms_date_parse, pms_time_parse, pms_local_parse; a JSON number is
 * read as its text (an Excel serial, with form PMS_DATE_EXCEL).
 */
enum pms_status	 pms_record_money(const struct pms_record *,
		    const char *field, int64_t *cents);
enum pms_status	 pms_record_int(const struct pms_record *,
		    const char *field, int64_t *v);
enum pms_status	 pms_record_bool(const struct pms_record *,
		    const char *field, int *v);
enum pms_status	 pms_record_date(const struct pms_record *,
		    const char *field, enum pms_date_form, int32_t *days);
enum pms_status	 pms_record_time(const struct pms_record *,
		    const char *field, int32_t *secs);
enum pms_status	 pms_record_local(const struct pms_record *,
		    const char *field, enum pms_date_form, struct pms_local *);

/*
 * Set the message of a failure about a field of rec, in the readers'
 * own form ("patients.csv: line 12: provider: unknown \"dr-x\"";
 * field NULL leaves out the field), and return st.  For the checks a
 * program or module makes of its own.  Never pass a patient's data.
 */
enum pms_status	 pms_record_fail(const struct pms_record *, const char *field,
		    enum pms_status st, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* ---- writing ---- */

enum pms_col_type {
	PMS_COL_TEXT,
	PMS_COL_INT,
	PMS_COL_MONEY,		/* cents: "-25.00"; JSON "<name>_cents" */
	PMS_COL_DATE,		/* ISO text, as given */
	PMS_COL_TIME		/* ISO text, as given */
};

struct pms_col {
	const char	*name;	/* snake_case: [a-z][a-z0-9_]* */
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
 * Write rows to out_path (NULL or "-": stdout).  The columns are
 * copied; their names must be snake_case and differ (PMS_EUSAGE).
 *
 * A new or regular file is written to a temp file beside it (mode
 * 0600), which pms_writer_close() fsyncs and renames into place,
 * fsyncing the directory; pms_writer_abort(), or any failure, removes
 * it and leaves the old file as it was.  Anything else that exists
 * there (/dev/stdout, a FIFO, /dev/full) is written directly.
 *
 * AUTO is table when writing to a terminal, else JSON.
 * CSV: a header line, cells quoted only when they must be (a comma, a
 * quote, CR or LF, surrounding blanks; a null row as ""), lines ending
 * in LF.  A TEXT cell that starts with '=', '+', '-', '@', TAB or CR,
 * or with one or more "'" and then one of those, gets a leading "'"
 * (the reader drops it again); money, integers, dates and times are
 * never touched (but for a date or time that itself starts with "'"
 * and one of those, which gets one "'" more so that it reads back the
 * same).  Money as "-25.00".
 * Table: columns aligned by display width (UTF-8 code points, East
 * Asian wide ones as two), rows kept until close, money and integers
 * right-aligned, control characters shown as '?'.  A table wider than
 * its room (the terminal's width when out is a terminal, else COLUMNS,
 * else 80) is written expanded instead: each row a block of
 * "name: value" lines, values lined up, a blank line between rows.  A
 * table of no rows is its header alone, whatever its width.
 * JSON: one compact object a line, keys in column order, money as
 * "<name>_cents" integers, null cells as null.
 *
 * Rows are written as they come, except for tables.  Text must be
 * valid UTF-8 (PMS_EDATA otherwise, and the row is not written).
 * Writing to stdout or a stream, a write error may show only at close:
 * a program that commits "this was delivered" does so after
 * pms_writer_close() returned PMS_OK.
 */
enum pms_status	 pms_writer_open(struct pms_writer **, enum pms_out_format,
		    const char *out_path, const struct pms_col *cols,
		    size_t ncols);
/* The same on a stream the caller owns: close flushes it, and neither
 * close nor abort closes it. */
enum pms_status	 pms_writer_open_stream(struct pms_writer **,
		    enum pms_out_format, FILE *out, const struct pms_col *cols,
		    size_t ncols);
/* One row of ncols cells; PMS_EIO once a write has failed. */
enum pms_status	 pms_writer_row(struct pms_writer *,
		    const struct pms_cell *cells);
/*
 * Print a table, flush and, for a file, fsync and rename; frees the
 * writer whatever happens.  PMS_EIO on a write error, nothing of a
 * file left behind.
 */
enum pms_status	 pms_writer_close(struct pms_writer *);
/* Give up: a file's temp file is removed and the old file stays as it
 * was; on a stream, what was written stays written (a table: nothing
 * was).  Frees the writer; NULL does nothing. */
void		 pms_writer_abort(struct pms_writer *);

/*
 * A file of any other shape (a rejects file, whose columns are the
 * input's) written by the same rules as pms_writer_open(): a new or
 * regular file (a link followed to its file) through a temp file beside
 * it, mode 0600, renamed into place by pms_outfile_close(); a device, a
 * FIFO, or anything under /dev, /proc or /sys (/dev/stdout) written
 * directly, never renamed over; a directory refused.  *fp is the
 * stream to write, the outfile's to close.  PMS_EIO naming path.
 */
struct pms_outfile;
enum pms_status	 pms_outfile_open(struct pms_outfile **, const char *path,
		    FILE **fp);
/* The path as given. */
const char	*pms_outfile_path(const struct pms_outfile *);
/* Flush, fsync, close and put in place; PMS_EIO "PATH: write error:
 * ..." with nothing of a new file left.  Frees the outfile. */
enum pms_status	 pms_outfile_close(struct pms_outfile *);
/* Give up: the temp file removed, the old file as it was; what was
 * written to a device stays written.  NULL does nothing. */
void		 pms_outfile_abort(struct pms_outfile *);

#endif /* PMS_RECORD_H */
