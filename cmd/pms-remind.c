/*
 * pms-remind: appointment reminders.  Which are due (as records, for a
 * sender or a filter to read), sending them through the practice's own
 * sender command, the outcomes and replies that come back, opt-outs,
 * and the log of what was sent.  The work is lib/remind.c's; this file
 * reads options and prints.  What send prints is counts and ids, never
 * a contact or a message.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "remind.h"

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms-remind [-S store] [-u user] [--passphrase-fd n] "
	    "[--keyfile file] [--emergency reason] command [args]\n"
	    "       pms-remind due [--at time] [--within duration] "
	    "[--channel sms|email] [-o table|csv|json] [--out file]\n"
	    "       pms-remind send --exec command [--timeout duration] "
	    "[--channel sms|email] [--dry-run] [-o table|csv|json]\n"
	    "       pms-remind mark [file] [--dry-run] [-o table|csv|json]\n"
	    "       pms-remind optout id|--mrn mrn --channel sms|email\n"
	    "       pms-remind optout --phone number\n"
	    "       pms-remind optin id|--mrn mrn --channel sms|email\n"
	    "       pms-remind optin --phone number\n"
	    "       pms-remind log [--from date] [--to date] "
	    "[--patient id|--mrn mrn] [--appointment id] "
	    "[--status sending|sent|delivered|failed|unknown|skipped] "
	    "[--channel sms|email] [-o table|csv|json] [--out file]\n"
	    "       pms-remind --help | --version\n", f);
	pms_cli_usage_exit(status);
}

enum {
	OPT_AT = PMS_OPT_FIRST,
	OPT_WITHIN,
	OPT_CHANNEL,
	OPT_EXEC,
	OPT_TIMEOUT,
	OPT_MRN,
	OPT_PHONE,
	OPT_FROM,
	OPT_TO,
	OPT_PATIENT,
	OPT_APPOINTMENT,
	OPT_STATUS
};

static const struct option longopts[] = {
	PMS_CLI_LONGOPTS,
	{ "at",		required_argument,	NULL, OPT_AT },
	{ "within",	required_argument,	NULL, OPT_WITHIN },
	{ "channel",	required_argument,	NULL, OPT_CHANNEL },
	{ "exec",	required_argument,	NULL, OPT_EXEC },
	{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
	{ "mrn",	required_argument,	NULL, OPT_MRN },
	{ "phone",	required_argument,	NULL, OPT_PHONE },
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "to",		required_argument,	NULL, OPT_TO },
	{ "patient",	required_argument,	NULL, OPT_PATIENT },
	{ "appointment", required_argument,	NULL, OPT_APPOINTMENT },
	{ "status",	required_argument,	NULL, OPT_STATUS },
	{ NULL,		0,			NULL, 0 }
};

struct args {
	const char	*v[OPT_STATUS - OPT_AT + 1];
	int		 nargs;
	char	       **args;
};

#define ARG(a, opt)	((a)->v[(opt) - OPT_AT])
#define FLAG(a, opt)	(ARG(a, opt) != NULL)

static int
allowed(const char *allow, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = allow; (p = strstr(p, name)) != NULL; p += n)
		if ((p == allow || p[-1] == ',') && (p[n] == ',' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

/* A command's options and operands (min to max); allow names the
 * options it takes besides the common ones.  0, or an exit code. */
static int
parse(struct pms_ctx *ctx, int argc, char **argv, struct args *a, int min,
    int max, const char *allow)
{
	int ch, rc, idx = 0;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, PMS_CLI_SHORTOPTS, longopts,
	    &idx)) != -1) {
		if (ch >= OPT_AT && ch <= OPT_STATUS) {
			if (!allowed(allow, longopts[idx].name)) {
				pms_fail(ctx, EX_USAGE, "%s: option \"--%s\" "
				    "does not apply", ctx->cmd,
				    longopts[idx].name);
				usage(EX_USAGE);
			}
			if (ARG(a, ch) != NULL) {
				pms_fail(ctx, EX_USAGE, "%s: --%s given twice",
				    ctx->cmd, longopts[idx].name);
				usage(EX_USAGE);
			}
			ARG(a, ch) = optarg != NULL ? optarg : "";
			continue;
		}
		if ((rc = pms_cli_opt(ctx, ch, optarg, argv)) != 0)
			return rc;
	}
	a->nargs = argc - optind;
	a->args = argv + optind;
	if (a->nargs < min || a->nargs > max)
		usage(EX_USAGE);
	return 0;
}

static int
id_arg(struct pms_ctx *ctx, const char *what, const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v <= 0)
		return pms_fail(ctx, EX_USAGE, "%s: not an id: \"%s\"", what,
		    s);
	*id = v;
	return 0;
}

static int
channel_arg(struct pms_ctx *ctx, const char *s)
{
	if (s != NULL && strcmp(s, "sms") != 0 && strcmp(s, "email") != 0)
		return pms_fail(ctx, EX_USAGE, "--channel: sms or email, not "
		    "\"%s\"", s);
	return 0;
}

static int
duration_arg(struct pms_ctx *ctx, const char *what, const char *s,
    int64_t *secs)
{
	if (pms_duration_parse(s, secs) != PMS_OK)
		return pms_fail(ctx, EX_USAGE, "%s: %s", what, pms_errmsg());
	return 0;
}

/* Warnings of the library, on stderr: they name reminders by id. */
static void
warn(void *arg, const char *msg)
{
	pms_cli_row(arg, "warning: ", msg);
}

static void
report(void *arg, const char *msg)
{
	pms_cli_row(arg, NULL, msg);
}

/* ---- due ---- */

/* --at: an instant ("...Z", "...-05:00"), or a wall clock at the
 * practice's zone.  0, or the exit code after reporting. */
static int
at_arg(struct pms_ctx *ctx, struct pms_store *s, const char *text,
    int64_t *t)
{
	struct pms_practice p;
	struct pms_local l;
	enum pms_status st;

	if (pms_instant_parse(text, t) == PMS_OK)
		return 0;
	if (pms_local_parse(text, PMS_DATE_ISO, &l) != PMS_OK)
		return pms_fail(ctx, EX_DATAERR, "--at: %s", pms_errmsg());
	if ((st = pms_practice_get(s, &p)) != PMS_OK)
		return pms_fail_status(ctx, st);
	if (pms_local_to_instant(p.time_zone, &l, t) != PMS_OK)
		return pms_fail(ctx, EX_DATAERR, "--at: %s", pms_errmsg());
	return 0;
}

static int
cmd_due(struct pms_ctx *ctx, int argc, char **argv)
{
	static struct pms_col table[PMS_REMINDER_TABLE_COLS];
	struct pms_remind_opts o;
	struct pms_reminder_list l;
	struct pms_cell c[32];
	struct pms_writer *w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	size_t i, bad;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "at,within,channel")) !=
	    0)
		return rc;
	memset(&o, 0, sizeof(o));
	if ((rc = channel_arg(ctx, ARG(&a, OPT_CHANNEL))) != 0)
		return rc;
	o.channel = ARG(&a, OPT_CHANNEL);
	if (FLAG(&a, OPT_WITHIN) && (rc = duration_arg(ctx, "--within",
	    ARG(&a, OPT_WITHIN), &o.within)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "remind.due", &s)) != 0)
		return rc;
	if (FLAG(&a, OPT_AT) && (rc = at_arg(ctx, s, ARG(&a, OPT_AT),
	    &o.now)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_remind_due(s, &o, warn, ctx, &l);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	/* a table for people, -o table or a terminal: the first columns */
	if (ctx->out_format == PMS_OUT_TABLE || (ctx->out_format ==
	    PMS_OUT_AUTO && ctx->out_path == NULL && isatty(1))) {
		memcpy(table, pms_reminder_cols, sizeof(table));
		rc = pms_cli_writer(ctx, table, PMS_REMINDER_TABLE_COLS, &w);
	} else
		rc = pms_cli_writer(ctx, pms_reminder_cols, pms_reminder_ncols,
		    &w);
	if (rc != 0) {
		pms_reminder_list_release(&l);
		return rc;
	}
	for (i = 0; i < l.n; i++) {
		pms_reminder_cells(&l.v[i], c);
		if (pms_writer_row(w, c) != PMS_OK)
			break;
	}
	bad = l.bad;
	pms_reminder_list_release(&l);
	if ((rc = pms_cli_writer_close(ctx, w)) != 0)
		return rc;
	if (bad > 0)
		return pms_fail(ctx, EX_CONFIG, "due: %zu reminder%s left out: "
		    "a template of theirs is not valid (see the warnings)",
		    bad, bad == 1 ? "" : "s");
	return EX_OK;
}

/* ---- send ---- */

static const struct pms_col outcome_cols[] = {
	{ "reminder_id", PMS_COL_TEXT }, { "appointment_id", PMS_COL_INT },
	{ "rule", PMS_COL_TEXT }, { "channel", PMS_COL_TEXT },
	{ "status", PMS_COL_TEXT }, { "reason", PMS_COL_TEXT },
	{ "attempt", PMS_COL_INT },
};

static int
write_outcome(void *arg, const struct pms_remind_outcome *o)
{
	struct pms_cell c[PMS_NELEM(outcome_cols)];

	memset(c, 0, sizeof(c));
	c[0].text = o->reminder_id;
	c[1].i = o->appointment_id;
	c[2].text = o->rule;
	c[3].text = o->channel;
	c[3].null = *o->channel == '\0';
	c[4].text = o->status;
	c[5].text = o->reason;
	c[5].null = *o->reason == '\0';
	c[6].i = o->attempt;
	c[6].null = o->attempt == 0;
	return pms_writer_row(arg, c) != PMS_OK;
}

/*
 * The due records on standard input, when it is a pipe or a file (a
 * terminal or /dev/null: none, send looks for itself).  All are read
 * and checked before anything is sent.  0 with *picks (the caller's
 * to free) and *use, or the exit code after reporting.
 */
static int
read_picks(struct pms_ctx *ctx, struct pms_remind_pick **picks, size_t *n,
    int *use)
{
	struct pms_remind_pick *v = NULL, *nv;
	struct pms_record *rec;
	struct pms_reader *rd;
	struct stat sb;
	enum pms_status st;
	size_t cap = 0;
	FILE *f;
	int bad = 0;

	*picks = NULL;
	*n = 0;
	*use = 0;
	if (isatty(0) || fstat(0, &sb) == -1 || !(S_ISFIFO(sb.st_mode) ||
	    S_ISREG(sb.st_mode) || S_ISSOCK(sb.st_mode)))
		return 0;
	*use = 1;
	if (pms_cli_reader(ctx, "-", &rd, &f) != 0)
		return EX_DATAERR;
	for (;;) {
		if ((st = pms_reader_next(rd, &rec)) != PMS_OK) {
			if (st != PMS_EDATA) {
				pms_reader_close(rd);
				free(v);
				return pms_fail_status(ctx, st);
			}
			report(ctx, pms_errmsg());
			bad++;
			continue;
		}
		if (rec == NULL)
			break;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*nv))) == NULL) {
				pms_reader_close(rd);
				free(v);
				return pms_fail(ctx, EX_SOFTWARE, "out of "
				    "memory");
			}
			v = nv;
		}
		if (pms_remind_pick_read(rec, &v[*n]) != PMS_OK) {
			report(ctx, pms_errmsg());
			bad++;
			continue;
		}
		(*n)++;
	}
	pms_reader_close(rd);
	if (bad > 0) {
		free(v);
		return pms_fail(ctx, EX_DATAERR, "send: %d bad record%s on "
		    "standard input; nothing was sent", bad, bad == 1 ? "" :
		    "s");
	}
	*picks = v;
	return 0;
}

/* The signal that told send to stop (SIGTERM, SIGINT, SIGHUP), or 0. */
static volatile sig_atomic_t stop_sig;

static void
on_stop(int sig)
{
	stop_sig = sig;
}

/*
 * While send runs, SIGTERM (systemd, cron's shutdown), SIGINT (^C) and
 * SIGHUP ask it to stop: it hands out no more reminders, kills the
 * running sender, records it, and then dies of the signal.
 */
static void
catch_stop(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a wait ends at once */
	for (i = 0; i < PMS_NELEM(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

static _Noreturn void
die_of(int sig)
{
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static int
cmd_send(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_remind_send_opts so;
	struct pms_remind_counts n;
	struct pms_remind_pick *picks = NULL;
	struct pms_config *cfg;
	struct pms_writer *w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int64_t secs;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "exec,timeout,channel")) !=
	    0)
		return rc;
	memset(&so, 0, sizeof(so));
	if (!FLAG(&a, OPT_EXEC))
		return pms_fail(ctx, EX_USAGE, "send: --exec command is "
		    "needed");
	so.exec = ARG(&a, OPT_EXEC);
	if ((rc = channel_arg(ctx, ARG(&a, OPT_CHANNEL))) != 0)
		return rc;
	so.o.channel = ARG(&a, OPT_CHANNEL);
	if (FLAG(&a, OPT_TIMEOUT)) {
		if ((rc = duration_arg(ctx, "--timeout", ARG(&a, OPT_TIMEOUT),
		    &secs)) != 0)
			return rc;
		if (secs > 3600)
			return pms_fail(ctx, EX_USAGE, "--timeout: at most 1h");
		so.timeout_ms = secs * 1000;
	}
	so.dry_run = ctx->dry_run;
	if ((rc = read_picks(ctx, &picks, &so.npicks, &so.use_picks)) != 0)
		return rc;
	so.picks = picks;
	if (so.use_picks && so.npicks == 0)
		fprintf(stderr, "%s: send: no due records on standard input, "
		    "so nothing to send (to send what is due, give it a "
		    "terminal or /dev/null: under cron, </dev/null)\n",
		    ctx->prog);
	if ((rc = pms_cli_open(ctx, "remind.send", &s)) != 0) {
		free(picks);
		return rc;
	}
	/* no configuration yet: the refusal alone, before any output */
	if ((st = pms_config_read(s, &cfg)) != PMS_OK) {
		pms_store_close(s);
		free(picks);
		return pms_fail_status(ctx, st);
	}
	pms_config_free(cfg);
	if ((rc = pms_cli_writer(ctx, outcome_cols, PMS_NELEM(outcome_cols),
	    &w)) != 0) {
		pms_store_close(s);
		free(picks);
		return rc;
	}
	so.stop = &stop_sig;
	catch_stop();
	st = pms_remind_send(s, &so, warn, ctx, write_outcome, w, &n);
	pms_store_close(s);
	free(picks);
	/*
	 * A bad configuration refuses the run before anything was looked
	 * at (none yet, a bad rule or sender): the refusal alone, as due
	 * says it; only reminders whose template is bad (bad_config) come
	 * after a run worth its summary.
	 */
	if (st != PMS_OK && (st != PMS_ECONFIG || n.bad_config == 0)) {
		pms_writer_abort(w);
		return pms_fail_status(ctx, st);
	}
	if ((rc = pms_cli_writer_close(ctx, w)) != 0)
		return rc;
	if (stop_sig != 0) {
		fprintf(stderr, "%s: send: stopped by signal %d: %zu sent, "
		    "%zu failed, %zu skipped, %zu stale, %zu unknown; %zu left "
		    "for the next run\n", ctx->prog, (int)stop_sig, n.sent,
		    n.failed, n.skipped, n.stale, n.unknown, n.left);
		die_of(stop_sig);
	}
	if (so.dry_run)
		fprintf(stderr, "%s: send: --dry-run: %zu due, %zu to skip, "
		    "%zu stale; nothing was claimed or sent\n", ctx->prog,
		    n.due, n.skipped, n.stale);
	else
		fprintf(stderr, "%s: send: %zu sent, %zu failed, %zu skipped, "
		    "%zu stale, %zu unknown\n", ctx->prog, n.sent, n.failed,
		    n.skipped, n.stale, n.unknown);
	if (st == PMS_ECONFIG)
		return pms_fail_status(ctx, st);
	return EX_OK;
}

/* ---- mark ---- */

static const struct pms_col mark_cols[] = {
	{ "line", PMS_COL_INT }, { "reminder_id", PMS_COL_TEXT },
	{ "appointment_id", PMS_COL_INT }, { "patient_id", PMS_COL_INT },
	{ "from", PMS_COL_TEXT }, { "result", PMS_COL_TEXT },
	{ "response", PMS_COL_TEXT },
};

static int
write_mark(void *arg, const struct pms_remind_mark_result *m)
{
	struct pms_cell c[PMS_NELEM(mark_cols)];

	memset(c, 0, sizeof(c));
	c[0].i = (int64_t)m->line;
	c[1].text = m->reminder_id;
	c[1].null = *m->reminder_id == '\0';
	c[2].i = m->appointment_id;
	c[2].null = m->appointment_id == 0;
	c[3].i = m->patient_id;
	c[3].null = m->patient_id == 0;
	c[4].text = m->from;
	c[4].null = *m->from == '\0';
	c[5].text = m->result;
	c[6].text = m->response;
	c[6].null = *m->response == '\0';
	return pms_writer_row(arg, c) != PMS_OK;
}

static int
cmd_mark(struct pms_ctx *ctx, int argc, char **argv)
{
	struct pms_remind_mark_counts n;
	struct pms_reader *rd;
	struct pms_writer *w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	FILE *f;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 1, "")) != 0)
		return rc;
	if ((rc = pms_cli_reader(ctx, a.nargs > 0 ? a.args[0] : "-", &rd,
	    &f)) != 0)
		return rc;
	if ((rc = pms_cli_open(ctx, "remind.mark", &s)) != 0)
		goto out;
	if ((rc = pms_cli_writer(ctx, mark_cols, PMS_NELEM(mark_cols), &w)) !=
	    0) {
		pms_store_close(s);
		goto out;
	}
	st = pms_remind_mark(s, rd, 0, report, ctx, write_mark, w, &n);
	pms_store_close(s);
	if ((rc = pms_cli_writer_close(ctx, w)) != 0)
		goto out;
	if (ctx->dry_run)
		fprintf(stderr, "%s: mark: --dry-run: %zu record%s: %zu would "
		    "be applied, %zu bad, %zu refused; nothing was written\n",
		    ctx->prog, n.records, n.records == 1 ? "" : "s", n.applied,
		    n.bad, n.refused);
	else
		fprintf(stderr, "%s: mark: %zu record%s: %zu applied, %zu bad, "
		    "%zu refused\n", ctx->prog, n.records, n.records == 1 ?
		    "" : "s", n.applied, n.bad, n.refused);
	if (st != PMS_OK)
		rc = pms_fail_status(ctx, st);
out:
	pms_reader_close(rd);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* ---- opt-outs ---- */

static int
optout(struct pms_ctx *ctx, int argc, char **argv, int optin)
{
	struct pms_remind_optout_req q;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	int rc, changed;

	if ((rc = parse(ctx, argc, argv, &a, 0, 1, "mrn,channel,phone")) != 0)
		return rc;
	memset(&q, 0, sizeof(q));
	if ((a.nargs > 0) + FLAG(&a, OPT_MRN) + FLAG(&a, OPT_PHONE) != 1)
		return pms_fail(ctx, EX_USAGE, "%s: give a patient's id, --mrn "
		    "or --phone", ctx->cmd);
	if (a.nargs > 0 && (rc = id_arg(ctx, ctx->cmd, a.args[0],
	    &q.patient_id)) != 0)
		return rc;
	if ((rc = channel_arg(ctx, ARG(&a, OPT_CHANNEL))) != 0)
		return rc;
	q.mrn = ARG(&a, OPT_MRN);
	q.phone = ARG(&a, OPT_PHONE);
	q.channel = ARG(&a, OPT_CHANNEL);
	if (q.phone == NULL && q.channel == NULL)
		return pms_fail(ctx, EX_USAGE, "%s: --channel sms or email is "
		    "needed", ctx->cmd);
	if ((rc = pms_cli_open(ctx, optin ? "remind.optin" : "remind.optout",
	    &s)) != 0)
		return rc;
	st = pms_remind_optout(s, &q, optin, &changed);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(ctx, st);
	fprintf(stderr, "%s: %s%s\n", ctx->prog, !changed ? "nothing to do: " :
	    "", optin ? (changed ? "opted in again" : "not opted out") :
	    (changed ? "opted out" : "opted out already"));
	return EX_OK;
}

static int
cmd_optout(struct pms_ctx *ctx, int argc, char **argv)
{
	return optout(ctx, argc, argv, 0);
}

static int
cmd_optin(struct pms_ctx *ctx, int argc, char **argv)
{
	return optout(ctx, argc, argv, 1);
}

/* ---- the log ---- */

static int
write_entry(void *arg, const struct pms_remind_entry *e)
{
	struct pms_cell c[32];

	pms_remind_entry_cells(e, c);
	return pms_writer_row(arg, c) != PMS_OK;
}

static int
date_arg(struct pms_ctx *ctx, const char *what, const char *s, int32_t *d)
{
	if (pms_date_parse(s, PMS_DATE_ISO, d) != PMS_OK)
		return pms_fail(ctx, EX_DATAERR, "%s: %s", what, pms_errmsg());
	return 0;
}

static int
cmd_log(struct pms_ctx *ctx, int argc, char **argv)
{
	static const char *const statuses[] = { "sending", "sent",
	    "delivered", "failed", "unknown", "skipped" };
	struct pms_remind_log_query q;
	struct pms_writer *w;
	struct pms_store *s;
	struct args a;
	enum pms_status st;
	size_t i;
	int rc;

	if ((rc = parse(ctx, argc, argv, &a, 0, 0, "from,to,patient,mrn,"
	    "appointment,status,channel")) != 0)
		return rc;
	memset(&q, 0, sizeof(q));
	if (FLAG(&a, OPT_PATIENT) && FLAG(&a, OPT_MRN))
		return pms_fail(ctx, EX_USAGE, "log: --patient or --mrn, not "
		    "both");
	if (FLAG(&a, OPT_PATIENT) && (rc = id_arg(ctx, "--patient",
	    ARG(&a, OPT_PATIENT), &q.patient_id)) != 0)
		return rc;
	if (FLAG(&a, OPT_APPOINTMENT) && (rc = id_arg(ctx, "--appointment",
	    ARG(&a, OPT_APPOINTMENT), &q.appointment_id)) != 0)
		return rc;
	if ((rc = channel_arg(ctx, ARG(&a, OPT_CHANNEL))) != 0)
		return rc;
	if (FLAG(&a, OPT_STATUS)) {
		for (i = 0; i < PMS_NELEM(statuses); i++)
			if (strcmp(statuses[i], ARG(&a, OPT_STATUS)) == 0)
				break;
		if (i == PMS_NELEM(statuses))
			return pms_fail(ctx, EX_USAGE, "--status: sending, "
			    "sent, delivered, failed, unknown or skipped, not "
			    "\"%s\"", ARG(&a, OPT_STATUS));
	}
	if (FLAG(&a, OPT_FROM) && (rc = date_arg(ctx, "--from", ARG(&a,
	    OPT_FROM), &q.from)) != 0)
		return rc;
	if (FLAG(&a, OPT_TO) && (rc = date_arg(ctx, "--to", ARG(&a, OPT_TO),
	    &q.to)) != 0)
		return rc;
	q.has_from = FLAG(&a, OPT_FROM);
	q.has_to = FLAG(&a, OPT_TO);
	if (q.has_from && q.has_to && q.from > q.to)
		return pms_fail(ctx, EX_USAGE, "log: --from is after --to");
	q.mrn = ARG(&a, OPT_MRN);
	q.status = ARG(&a, OPT_STATUS);
	q.channel = ARG(&a, OPT_CHANNEL);
	if ((rc = pms_cli_open(ctx, "remind.log", &s)) != 0)
		return rc;
	if ((rc = pms_cli_writer(ctx, pms_remind_log_cols,
	    pms_remind_log_ncols, &w)) != 0) {
		pms_store_close(s);
		return rc;
	}
	st = pms_remind_log(s, &q, write_entry, w, NULL);
	pms_store_close(s);
	if (st != PMS_OK) {
		pms_writer_abort(w);
		return pms_fail_status(ctx, st);
	}
	return pms_cli_writer_close(ctx, w);
}

static const struct pms_cmd cmds[] = {
	{ "due", cmd_due }, { "send", cmd_send }, { "mark", cmd_mark },
	{ "optout", cmd_optout }, { "optin", cmd_optin }, { "log", cmd_log },
};

int
main(int argc, char *argv[])
{
	struct pms_ctx ctx;
	int rc;

	pms_ctx_init(&ctx, "pms-remind");
	ctx.usage = usage;
	rc = pms_cli_main(&ctx, cmds, PMS_NELEM(cmds), argc, argv);
	pms_ctx_release(&ctx);
	return rc;
}
