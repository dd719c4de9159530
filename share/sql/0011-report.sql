-- 0011-report: what the reports (lib/report.c) read by date.  A report
-- of a period looks up the ledger by the day an entry was posted, the
-- charges and visits by their date of service and the payments by the
-- day they were received: without these, each report of a week would
-- read the practice's whole history.  No table, no view: a report is a
-- read of the others' tables.
CREATE INDEX ledger_by_posted ON ledger (posted_on);
CREATE INDEX charges_by_dos ON charges (dos);
CREATE INDEX visits_by_dos ON visits (dos);
CREATE INDEX payments_by_received ON payments (received_on);
