/*
 * remind_int.h: what the parts of the reminders module share (remind.c,
 * remind_render.c, remind_spawn.c) and nothing else sees: templates and
 * their rendering, and the sender process.
 */
#ifndef PMS_REMIND_INT_H
#define PMS_REMIND_INT_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "pms_int.h"
#include "remind.h"

/* ---- templates (remind_render.c) ---- */

/* One template: shipped, or from the configuration (which wins). */
struct rm_tpl {
	char		 name[PMS_CFG_CODE];
	char		 language[PMS_PT_WORD];
	char		 channel[PMS_REMIND_WORD];
	char		*subject;	/* NULL if none */
	char		*body;
	char		*bad;		/* why it does not render, or NULL */
};

struct rm_tpls {
	size_t		 n;
	struct rm_tpl	*v;
};

/*
 * The shipped templates, and over them those of the configuration (a
 * JSON list of {name, language, channel, subject, body}; may be NULL).
 * Release with rm_tpls_release().
 */
enum pms_status	 rm_tpls_load(struct rm_tpls *, json_t *config);
void		 rm_tpls_release(struct rm_tpls *);
/*
 * The template name for channel in language: the tag itself ("pt-BR"),
 * then its language alone ("pt"), then English, then any; case does
 * not matter.  NULL if the name has none of that channel.
 */
const struct rm_tpl *rm_tpl_find(const struct rm_tpls *, const char *name,
		    const char *channel, const char *language);

/* What a template's placeholders stand for: borrowed text. */
struct rm_vals {
	const char	*preferred_name;	/* else the first name */
	const char	*first_name;
	const char	*provider;
	const char	*location;
	const char	*address;
	const char	*location_phone;
	const char	*practice;
	const char	*practice_phone;
	const char	*type;
	const char	*language;	/* of the template: date names */
	const char	*zone_abbr;	/* "CET" */
	int32_t		 days;		/* the appointment's local date */
	int32_t		 secs;		/* and time of day */
};

/*
 * Render text (a template's body or subject, never changed) for vals
 * into a new buffer of its own, *out, the caller's to free.  "{{" and
 * "}}" stand for braces.  PMS_ECONFIG naming the template (what) for an
 * unknown placeholder or a lone brace.
 */
enum pms_status	 rm_render(const char *text, const char *what,
		    const struct rm_vals *, char **out);
/* Check a template renders (its placeholders are known). */
enum pms_status	 rm_tpl_check(const struct rm_tpl *);

/* GSM-7 septets of an SMS text (characters when *not_gsm), and
 * whether it holds characters outside GSM-7. */
size_t		 rm_sms_length(const char *text, int *not_gsm);

/* ---- the sender (remind_spawn.c) ---- */

/* The default PATH of a sender; reminders.sender_path comes after. */
#define RM_SAFE_PATH	"/usr/local/bin:/usr/bin:/bin"

struct rm_sender {
	const volatile sig_atomic_t *stop;	/* nonzero: kill the sender */
	char		*path;		/* the program, found in PATH */
	char	       **argv;		/* words, or /bin/sh -c line */
	char		*env_path;	/* "PATH=..." */
	char		*env_home;	/* "HOME=...", or NULL */
	int		 keyring;	/* the kernel has keyrings */
	int64_t		 timeout_ms;
	int64_t		 grace_ms;	/* SIGTERM to SIGKILL */
};

/*
 * Make ready to run cmd: split into words and found in the sender's
 * PATH (RM_SAFE_PATH, then extra, "dir:dir" or NULL), or run by
 * /bin/sh -c when it holds shell syntax.  PMS_EUSAGE when there is no
 * such command.
 */
enum pms_status	 rm_sender_init(struct rm_sender *, const char *cmd,
		    const char *extra, int64_t timeout_ms);
void		 rm_sender_release(struct rm_sender *);

/* How a sender ended. */
struct rm_run {
	int		 timed_out;	/* killed at the timeout */
	int		 stopped;	/* killed because *stop was set */
	int		 exited;	/* exited, with code */
	int		 code;
	int		 sig;		/* else killed by this signal */
};

/*
 * Run the sender with msg on its standard input and vars ("NAME=value",
 * NULL-terminated) besides PATH, HOME and LANG in an environment of its
 * own; its standard output and error are ours (standard error).  In a
 * process group of its own with a fresh session keyring, every other
 * descriptor closed, default signal dispositions and an empty mask.
 * Killed (SIGTERM, then SIGKILL, the whole group) at the timeout, or
 * as soon as *s->stop is set (pms-remind itself was told to stop).
 * PMS_OK whatever the sender did (*r says); an error only when it
 * could not be started.
 */
enum pms_status	 rm_sender_run(const struct rm_sender *,
		    char *const *vars, const char *msg, size_t len,
		    struct rm_run *r);

/* ---- the lease of a claim (remind_spawn.c) ---- */

/*
 * Which process holds a claim, so that another run can tell a live
 * run's claim from a dead one's: "pid P start T boot B ns N" (the
 * process id, its start in clock ticks since boot, the boot's id and
 * the pid namespace).  Written with the claim, while it is sending.
 */
#define RM_LEASE_BUFSZ	128
void		 rm_lease_make(char *buf, size_t size);

enum rm_lease { RM_LEASE_UNSURE, RM_LEASE_LIVE, RM_LEASE_DEAD };
/*
 * What a lease says now: its process runs (LIVE), it has ended or the
 * machine was started again since (DEAD), or it cannot be told (no
 * lease, another pid namespace, no /proc: UNSURE, and the claim's
 * deadline decides).
 */
enum rm_lease	 rm_lease_state(const char *lease);

#endif /* PMS_REMIND_INT_H */
