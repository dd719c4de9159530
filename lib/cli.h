/*
 * cli.h: the programs' helpers that speak records (lib/cli_rec.c):
 * opening the input named on the command line and the output that -o
 * and --out ask for, with the messages and exit codes of DESIGN.md.
 */
#ifndef PMS_CLI_H
#define PMS_CLI_H

#include <stdio.h>

#include "pms.h"
#include "record.h"

/*
 * The input file named on the command line (NULL or "-": standard
 * input, *fp stdin): 0 with *fp open (the caller fcloses what is not
 * stdin), or 66 after reporting a file that cannot be opened or is a
 * directory.
 */
int		 pms_cli_input(struct pms_ctx *, const char *path, FILE **fp);

/*
 * Records from path (NULL or "-": standard input).  Returns 0 with *rp
 * open and *fp the file to fclose() after pms_reader_close() (NULL for
 * stdin), or the exit code after reporting: 66 for a file that cannot
 * be opened, 65 for an input that cannot be read as records.
 */
int		 pms_cli_reader(struct pms_ctx *, const char *path,
		    struct pms_reader **rp, FILE **fp);

/*
 * The output -o and --out ask for, with columns cols.  Returns 0 with
 * *wp open, or the exit code after reporting.  With --dry-run the rows
 * for --out go nowhere (the file is not written) and
 * pms_cli_writer_close() says so.
 */
int		 pms_cli_writer(struct pms_ctx *, const struct pms_col *cols,
		    size_t ncols, struct pms_writer **wp);

/*
 * Close the writer (for --out: fsync and rename, and then the file is
 * recorded among the exports: pms_cli_out_written()); 0, or 74
 * reported.
 */
int		 pms_cli_writer_close(struct pms_ctx *, struct pms_writer *);

/*
 * The file of --out is written and in place: record it among the
 * exports (pms_audit_export_written(), its real path), through the
 * store pms_cli_open() opened and holds for it, and let that store go.
 * For a command that writes --out itself; pms_cli_writer_close() calls
 * it.  0, or the exit code after reporting.
 */
int		 pms_cli_out_written(struct pms_ctx *);

#endif /* PMS_CLI_H */
