/*
 * report.h: the named reports an office manager reads (lib/report.c).
 * Each report is one query over the store, whatever the output; its
 * read is audited like any other ("report.day-sheet", the fields shown,
 * every patient whose rows it counted), through pms_read_run(), so that
 * no write transaction is held while the rows go out.  Money is int64_t
 * cents; dates are the practice's (or the location's) days, ISO 8601;
 * rates are text with one decimal ("12.5", per cent), null when there
 * is nothing to divide by.
 */
#ifndef PMS_REPORT_H
#define PMS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pms.h"
#include "record.h"

/* The options a report takes (pms_report_info.options). */
#define PMS_REPORT_PERIOD	0x01u	/* --on, --from, --to */
#define PMS_REPORT_AS_OF	0x02u	/* --as-of */
#define PMS_REPORT_PROVIDER	0x04u	/* --provider */
#define PMS_REPORT_LOCATION	0x08u	/* --location */
#define PMS_REPORT_PAYER	0x10u	/* --payer */
#define PMS_REPORT_BY_PATIENT	0x20u	/* --by-patient */

struct pms_report_info {
	const char	*name;		/* "day-sheet" */
	const char	*summary;	/* one line, for list */
	unsigned	 options;	/* PMS_REPORT_* it takes */
	const struct pms_col *cols;	/* its output columns */
	size_t		 ncols;
};

/* The i-th report, in list order, or NULL past the last. */
const struct pms_report_info *pms_report_at(size_t i);
/* The report named name, or NULL. */
const struct pms_report_info *pms_report_find(const char *name);

/* What a report is asked for; NULL or 0 where not given. */
struct pms_report_opts {
	const char	*from, *to;	/* dates: the period, inclusive */
	const char	*as_of;		/* date */
	const char	*provider;	/* codes of the configuration */
	const char	*location;
	const char	*payer;
	int		 by_patient;
	int		 on;		/* from and to are --on's */
	const char	*out_path;	/* where the rows go (recorded as an
					 * export when a file) */
	char		*period;	/* if not NULL, gets what the report
					 * covered: "2026-12-01 to 2026-12-14",
					 * "as of 2026-12-14" */
	size_t		 period_size;
};

/* One output row: as many cells as the report has columns.  Nonzero
 * stops the report (PMS_EIO, with the message the callback set). */
typedef int	 pms_report_row_fn(void *arg, const struct pms_cell *cells);

/*
 * Run report r with options o; rows go to fn.  The period without
 * --from is the day (schedule, day-sheet) or the month so far (the
 * others) at the practice's zone, today; --to without --from is refused
 * (PMS_EUSAGE), and so is a period that ends before it starts or is
 * longer than 20 years, and so is a date that is none (ISO, or today,
 * tomorrow, yesterday at the practice's zone) or is outside the years
 * PMS_YEAR_MIN..MAX.  A store without configuration is PMS_ECONFIG.
 * An unknown provider, location or payer (codes in any case) is
 * PMS_EREFUSED; o->period gets its filters after the period.  The
 * read is audited as "report.NAME".  *count, if not NULL, gets the
 * number of rows written.
 */
enum pms_status	 pms_report_run(struct pms_store *,
		    const struct pms_report_info *r,
		    const struct pms_report_opts *o, pms_report_row_fn *fn,
		    void *arg, size_t *count);

/*
 * A report as one self-contained HTML page (lib/report_html.c): a
 * title, an SVG chart that fits the report (bars by provider, a line
 * over days, stacked aging bars) and the table, the style inline, no
 * script, font, image, link or URL; well-formed XML, every value
 * escaped.  Open it on out (the caller's), hand pms_report_html_row
 * to pms_report_run() as its row function, and close: the page is
 * written then (rows are kept until close; the chart needs them all).
 * subtitle (NULL or "": none), borrowed and read at close (so it may be
 * the period pms_report_run() fills in), is shown under the title.
 */
struct pms_report_html;
enum pms_status	 pms_report_html_open(struct pms_report_html **,
		    const struct pms_report_info *r, const char *subtitle,
		    FILE *out);
int		 pms_report_html_row(void *h, const struct pms_cell *cells);
/* Write the page and free; PMS_EIO on a write error. */
enum pms_status	 pms_report_html_close(struct pms_report_html *);
/* Free without writing anything; NULL does nothing. */
void		 pms_report_html_abort(struct pms_report_html *);

#endif /* PMS_REPORT_H */
