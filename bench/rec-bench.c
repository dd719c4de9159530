/*
 * rec-bench: the record reader and writer (lib/record.c) on their own,
 * so that bench/run can show their memory staying flat as the input
 * grows, before any program imports or exports through them.
 *
 *   rec-bench read FILE	read every record, look at every field;
 *				print the number of records
 *   rec-bench copy FILE	read every record and write it again as
 *				CSV on standard output
 *
 * A bad record stops it (exit 65): the generated files have none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "pms.h"
#include "record.h"

static int
fail(enum pms_status st)
{
	fprintf(stderr, "rec-bench: %s\n", pms_errmsg());
	return pms_exit_code(st);
}

int
main(int argc, char *argv[])
{
	struct pms_reader *rd = NULL;
	struct pms_writer *wr = NULL;
	struct pms_record *rec;
	struct pms_col *cols = NULL;
	struct pms_cell *cells = NULL;
	enum pms_status st;
	unsigned long n = 0, bytes = 0;
	const char *t;
	size_t i, ncols;
	int copy, rc = EX_OK;
	FILE *in;

	if (argc != 3 || (strcmp(argv[1], "read") != 0 &&
	    strcmp(argv[1], "copy") != 0)) {
		fputs("usage: rec-bench read|copy file\n", stderr);
		return EX_USAGE;
	}
	copy = strcmp(argv[1], "copy") == 0;
	if ((in = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return EX_NOINPUT;
	}
	if ((st = pms_reader_open(&rd, in, argv[2], PMS_IN_AUTO,
	    PMS_ENC_UTF8)) != PMS_OK) {
		rc = fail(st);
		goto out;
	}
	ncols = pms_reader_ncols(rd);
	if (copy) {
		cols = calloc(ncols > 0 ? ncols : 1, sizeof(*cols));
		cells = calloc(ncols > 0 ? ncols : 1, sizeof(*cells));
		if (cols == NULL || cells == NULL) {
			rc = EX_OSERR;
			goto out;
		}
		for (i = 0; i < ncols; i++) {
			cols[i].name = pms_reader_col(rd, i);
			cols[i].type = PMS_COL_TEXT;
		}
		if ((st = pms_writer_open_stream(&wr, PMS_OUT_CSV, stdout,
		    cols, ncols)) != PMS_OK) {
			rc = fail(st);
			goto out;
		}
	}
	while ((st = pms_reader_next(rd, &rec)) == PMS_OK && rec != NULL) {
		n++;
		for (i = 0; i < ncols; i++) {
			t = pms_record_text_at(rec, i);
			if (t != NULL)
				bytes += strlen(t);
			if (copy) {
				cells[i].null = t == NULL;
				cells[i].text = t;
			}
		}
		if (copy && (st = pms_writer_row(wr, cells)) != PMS_OK)
			break;
	}
	if (st != PMS_OK) {
		rc = fail(st);
		goto out;
	}
	if (copy) {
		st = pms_writer_close(wr);
		wr = NULL;
		if (st != PMS_OK) {
			rc = fail(st);
			goto out;
		}
	} else
		printf("%lu records, %lu bytes of text\n", n, bytes);
out:
	pms_writer_abort(wr);
	pms_reader_close(rd);
	free(cols);
	free(cells);
	fclose(in);
	return rc;
}
