/*
 * remind.h: appointment reminders (lib/remind.c, lib/remind_render.c,
 * lib/remind_spawn.c).  Which reminders are due under the rules of the
 * configuration (reminders.rules), rendering each from its template in
 * the patient's language with the time at the appointment's location,
 * handing it to the practice's sender command, and recording what came
 * of it; opt-outs, and the patients' replies.
 *
 * A reminder is one rule for one appointment on the rule's channel for
 * the appointment's start instant.  It is claimed by a row of the
 * reminders table (unique on those four) written in an IMMEDIATE
 * transaction before its sender runs, so that two runs at once never
 * both send it; the sender runs with no transaction open, and what came
 * of it is written after.  A claim whose end was never written is
 * "unknown": listed, never sent again by itself.
 *
 * Nothing here changes an appointment but pms_remind_mark() (a patient's
 * reply, through pms_appt_mark()).  What is kept of a reminder is ids,
 * statuses and the program's own words: never a contact or a message.
 */
#ifndef PMS_REMIND_H
#define PMS_REMIND_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "patient.h"
#include "pms.h"
#include "ptime.h"
#include "record.h"

#define PMS_REMIND_ID_BUFSZ	17	/* 16 hex digits */
#define PMS_REMIND_WORD		16	/* channels, statuses */
#define PMS_REMIND_TIMEOUT_MS	30000	/* --timeout's default */

/* The warnings of a rendered SMS. */
#define PMS_REMIND_W_LONG	0x01	/* more than 160 GSM-7 characters */
#define PMS_REMIND_W_NOT_GSM	0x02	/* characters GSM-7 does not have */

/*
 * A due reminder: what `due` prints and what the sender is handed.
 * The text and subject are rendered for this reminder alone, into
 * buffers of its own (freed by pms_reminder_release()).
 */
struct pms_reminder {
	char		 id[PMS_REMIND_ID_BUFSZ];	/* reminder_id */
	int64_t		 appointment_id;
	int64_t		 patient_id;
	char		 mrn[PMS_PT_MRN];
	char		 rule[PMS_CFG_CODE];
	char		 channel[PMS_REMIND_WORD];	/* sms, email */
	char		 recipient[PMS_PT_EMAIL];	/* E.164, or address */
	char		 language[PMS_PT_WORD];	/* of the template used */
	char		 location[PMS_CFG_CODE];
	char		 start[PMS_STAMP_BUFSZ];	/* local, with offset */
	char		 due_at[PMS_STAMP_BUFSZ];	/* UTC */
	int64_t		 start_utc;
	int64_t		 due_utc;
	int		 attempt;	/* 1 for the first */
	unsigned	 warn;		/* PMS_REMIND_W_* */
	size_t		 sms_chars;	/* GSM-7 septets (or characters) */
	char		*subject;	/* email; NULL for SMS */
	char		*text;
};
void		 pms_reminder_release(struct pms_reminder *);

/* A list of due reminders; release frees every one. */
struct pms_reminder_list {
	size_t		 n, cap;
	struct pms_reminder *v;
	size_t		 bad;	/* due, left out: their template is not
				 * valid (each warned of) */
};
void		 pms_reminder_list_release(struct pms_reminder_list *);

/* What due and send look at. */
struct pms_remind_opts {
	int64_t		 now;		/* 0: the clock */
	int64_t		 within;	/* appointments starting up to
					 * now + within; 0: as far as a rule
					 * reaches */
	const char	*channel;	/* sms or email; NULL: both */
};

/* A warning about one reminder, naming it by id (never its text). */
typedef void	 pms_remind_warn_fn(void *arg, const char *msg);

/*
 * The reminders due at opts->now, by appointment start: a rule's time
 * for a booked appointment that has not begun, deferred out of quiet
 * hours, not claimed yet (or failed, and its retry due), the patient
 * consenting to the channel and not opted out, and no later rule of the
 * same channel due as well.  Rendered, into *out (the caller releases
 * it).  One transaction, with the audit entry "remind.due"; nothing
 * else is written.  A reminder whose template does not render (or
 * whose rule has none) is warned of and left out, out->bad counting
 * them; the others are listed all the same.
 */
enum pms_status	 pms_remind_due(struct pms_store *,
		    const struct pms_remind_opts *, pms_remind_warn_fn *,
		    void *warg, struct pms_reminder_list *out);

/*
 * Check the text of a template (its body or its subject) as rendering
 * would: PMS_ECONFIG "template WHAT: unknown placeholder {name}" (or a
 * lone brace), for pms.yaml's templates at config load.
 */
enum pms_status	 pms_remind_tpl_check(const char *text, const char *what);
/* 1 if pms ships a reminder template of this name for the channel. */
int		 pms_remind_tpl_shipped(const char *name, const char *channel);

/* The columns of a due record, and one reminder's cells. */
extern const struct pms_col pms_reminder_cols[];
extern const size_t pms_reminder_ncols;
#define PMS_REMINDER_TABLE_COLS	8	/* what a table for people shows */
void		 pms_reminder_cells(const struct pms_reminder *,
		    struct pms_cell *);

/* One reminder named by a due record (send reads them on stdin). */
struct pms_remind_pick {
	char		 id[PMS_REMIND_ID_BUFSZ];
	int64_t		 appointment_id;
	char		 rule[PMS_CFG_CODE];
	int64_t		 start_utc;	/* its start, if given; else 0 */
	unsigned long	 line;
};
/*
 * The reminder a due record names: its reminder_id, appointment_id and
 * rule (the rest of the record is not read: send reads everything
 * again from the store).  PMS_EDATA "line N: FIELD: ..." if one is
 * missing or bad.
 */
enum pms_status	 pms_remind_pick_read(const struct pms_record *,
		    struct pms_remind_pick *);

/* How send runs the sender. */
struct pms_remind_send_opts {
	struct pms_remind_opts o;
	const char	*exec;		/* the command: words, or sh -c */
	int64_t		 timeout_ms;	/* 0: PMS_REMIND_TIMEOUT_MS */
	const struct pms_remind_pick *picks;	/* only these (stdin) */
	size_t		 npicks;
	int		 use_picks;	/* picks given, even none */
	int		 dry_run;	/* claim nothing, run nothing */
	/*
	 * Set (by a signal handler) to stop the run: no reminder is handed
	 * out after it, the running sender is killed (SIGTERM, then
	 * SIGKILL, its whole group), and what came of it is recorded.
	 * May be NULL.
	 */
	const volatile sig_atomic_t *stop;
};

/* What came of one reminder in a run: ids and words only. */
struct pms_remind_outcome {
	const char	*reminder_id;
	int64_t		 appointment_id;
	const char	*rule;
	const char	*channel;
	const char	*status;	/* sent, failed, skipped, stale,
					 * unknown; due (dry run) */
	const char	*reason;	/* "" if none */
	int		 attempt;	/* 0 when nothing was tried */
};
typedef int	 pms_remind_outcome_fn(void *arg,
		    const struct pms_remind_outcome *);

struct pms_remind_counts {
	size_t		 sent, failed, skipped, stale, unknown;
	size_t		 due;		/* --dry-run: would be sent */
	size_t		 left;		/* not looked at: the run was stopped */
	size_t		 bad_config;	/* not sent: their template is bad */
};

/*
 * Send what is due (or, with picks, those of them that are still due),
 * one reminder at a time: it is looked at again (the appointment still
 * booked at that start, the patient's consent and opt-outs) and claimed
 * in a short IMMEDIATE transaction of its own (with the audit entry
 * "remind.send") right before its sender runs, the sender runs with no
 * transaction open, and what came of it is written in another as soon
 * as it ends.  A reminder whose time came but that cannot go is
 * recorded as skipped, with why; claims whose run died (its process is
 * gone, or its deadline passed and its process cannot be told) become
 * unknown, never those of a run that is still alive.  fn (may be NULL)
 * hears of each reminder, after its end is written.  Returns PMS_OK
 * when every reminder was handled, whatever its senders did (counts
 * say; counts->left when so->stop ended the run early);
 * PMS_ECONFIG when some could not be rendered (a bad template: the
 * others were sent); PMS_EUSAGE when the command cannot be found.
 */
enum pms_status	 pms_remind_send(struct pms_store *,
		    const struct pms_remind_send_opts *, pms_remind_warn_fn *,
		    void *warg, pms_remind_outcome_fn *fn, void *arg,
		    struct pms_remind_counts *);

/*
 * 1 if the key of a slot of this store is in the kernel keyring, where
 * a sender running as the same user could reach it; else 0.
 */
int		 pms_remind_key_cached(struct pms_store *);

/* ---- replies and outcomes (mark) ---- */

/* What came of one record of mark. */
struct pms_remind_mark_result {
	unsigned long	 line;
	const char	*reminder_id;	/* "" if none */
	int64_t		 appointment_id;	/* 0 if none */
	int64_t		 patient_id;	/* 0 if none */
	const char	*from;		/* as given, "" if none */
	const char	*result;	/* delivered, failed, confirmed,
					 * cancelled, opted-out, opted-in,
					 * help, refused */
	const char	*response;	/* a reply to send back, "" if none */
};
typedef int	 pms_remind_mark_fn(void *arg,
		    const struct pms_remind_mark_result *);
/* A record that could not be applied: its message ("line 3: ..."). */
typedef void	 pms_remind_report_fn(void *arg, const char *msg);

struct pms_remind_mark_counts {
	size_t		 records, applied, bad, refused;
};

/*
 * Outcome records from a sender or gateway, each applied in its own
 * transaction (pms-remind(1) has the fields): delivered and failed for
 * a reminder_id; a patient's reply C (confirm the appointment), X
 * (cancel it: by the patient, reason "patient by reminder reply"),
 * STOP (the whole number), STOP MRN (that patient on that channel),
 * START (undo), HELP.  A bad record is reported (PMS_EDATA), one that
 * names nothing it can act on is refused (PMS_EREFUSED); the others
 * are applied all the same, and the status is the worst of them.
 */
enum pms_status	 pms_remind_mark(struct pms_store *, struct pms_reader *,
		    int64_t now, pms_remind_report_fn *report, void *rarg,
		    pms_remind_mark_fn *fn, void *arg,
		    struct pms_remind_mark_counts *);

/* ---- opt-outs ---- */

/* Whom an opt-out or opt-in is for: a patient on a channel, or a
 * number (SMS). */
struct pms_remind_optout_req {
	int64_t		 patient_id;	/* > 0, or mrn */
	const char	*mrn;
	const char	*phone;		/* a whole number instead */
	const char	*channel;	/* sms, email; a number: sms */
};

/*
 * Opt a patient (or a number) out of a channel, or (optin) end their
 * opt-outs of it.  *changed (may be NULL) is 0 when there was nothing
 * to do.  Audit entry "remind.optout" or "remind.optin".
 */
enum pms_status	 pms_remind_optout(struct pms_store *,
		    const struct pms_remind_optout_req *, int optin,
		    int *changed);

/* ---- the log ---- */

struct pms_remind_log_query {
	int		 has_from, has_to;
	int32_t		 from, to;	/* days it fell due, practice zone */
	int64_t		 patient_id;	/* > 0, or mrn */
	const char	*mrn;
	int64_t		 appointment_id;
	const char	*status;	/* one status; NULL: all */
	const char	*channel;
	int64_t		 now;		/* 0: the clock */
};

/* One reminder as the log shows it. */
struct pms_remind_entry {
	char		 reminder_id[PMS_REMIND_ID_BUFSZ];
	int64_t		 appointment_id;
	int64_t		 patient_id;
	char		 mrn[PMS_PT_MRN];
	char		 rule[PMS_CFG_CODE];
	char		 channel[PMS_REMIND_WORD];
	char		 status[PMS_REMIND_WORD];
	char		 reason[64];
	int		 attempts;
	char		 start[PMS_STAMP_BUFSZ];	/* UTC instants */
	char		 due_at[PMS_STAMP_BUFSZ];
	char		 claimed_at[PMS_STAMP_BUFSZ];
	char		 sent_at[PMS_STAMP_BUFSZ];
	char		 delivered_at[PMS_STAMP_BUFSZ];
	char		 next_at[PMS_STAMP_BUFSZ];
	char		 updated_at[PMS_STAMP_BUFSZ];
};
typedef int	 pms_remind_entry_fn(void *arg,
		    const struct pms_remind_entry *);

/*
 * The reminders the query selects, by the time they fell due, to fn
 * (nonzero stops: PMS_EIO); a claim whose sender never ended shows as
 * unknown.  Audit entry "remind.log" with the patients listed.
 */
enum pms_status	 pms_remind_log(struct pms_store *,
		    const struct pms_remind_log_query *,
		    pms_remind_entry_fn *fn, void *arg, size_t *count);

extern const struct pms_col pms_remind_log_cols[];
extern const size_t pms_remind_log_ncols;
void		 pms_remind_entry_cells(const struct pms_remind_entry *,
		    struct pms_cell *);

/* ---- a new configuration ---- */

/*
 * Before pms-admin config load: warn (one message a rule) of each
 * reminder rule that next drops while adding another of its channel,
 * when reminders already sent under it are for appointments still to
 * come at now (0: the clock): a reminder is its rule's, so those will
 * be sent again under the new name.  Reads only.
 */
enum pms_status	 pms_remind_rules_warn(struct pms_store *,
		    const struct pms_config *next, int64_t now,
		    pms_remind_warn_fn *warn, void *warg);

#endif /* PMS_REMIND_H */
