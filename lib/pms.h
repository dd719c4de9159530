/*
 * pms.h: the public interface of libpms, the library behind every pms
 * program.  Functions that can fail return an enum pms_status; the
 * message that goes with it is in pms_errmsg() until the next failure.
 * Nothing in the library prints, prompts or exits: the programs in cmd/
 * do that, through the helpers at the end of this file (lib/cli.c).
 */
#ifndef PMS_H
#define PMS_H

#include <stddef.h>
#include <stdint.h>

#define PMS_VERSION	"0.1.0"
#define PMS_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Statuses.  Each maps to one exit code of DESIGN.md in pms_exit_code();
 * several 77s are kept apart so that callers can tell them from each
 * other without parsing messages.
 */
enum pms_status {
	PMS_OK = 0,
	PMS_EREFUSED,		/* a rule of the practice said no: 1 */
	PMS_EUSAGE,		/* 64 */
	PMS_EDATA,		/* bad input data: 65 */
	PMS_ENOINPUT,		/* input file or store missing: 66 */
	PMS_EIO,		/* 74 */
	PMS_EBUSY,		/* store busy, try again: 75 */
	PMS_EPASS,		/* wrong passphrase: 77 */
	PMS_EDENIED,		/* not allowed, locked, foreign slot file: 77 */
	PMS_ETAMPER,		/* damaged or tampered store: 77 */
	PMS_ECONFIG,		/* 78 */
	PMS_ENOMEM,		/* 70 */
	PMS_EINTERNAL		/* 70 */
};

/* The message of the last failure in this thread; never NULL. */
const char	*pms_errmsg(void);
/* Map a status to its sysexits(3) exit code. */
int		 pms_exit_code(enum pms_status);

/*
 * 1 if a value from the command line or the input may be quoted in a
 * message: the shape of a code or an id, 1 to 32 of letters, digits,
 * ".", "_", "-".  Anything else (words with spaces, a date, an address)
 * may be a patient's data: name the field and say what is wrong.
 */
int		 pms_quotable(const char *);

/* Roles, stored with each slot; lib/rights.c says what each may do. */
#define PMS_ROLE_ADMIN		0x01u
#define PMS_ROLE_FRONT_DESK	0x02u
#define PMS_ROLE_CLINICIAN	0x04u
#define PMS_ROLE_BILLING	0x08u
#define PMS_ROLE_AUDITOR	0x10u
#define PMS_ROLE_REMINDER_BOT	0x20u
#define PMS_ROLE_PORTAL		0x40u

/* Fill buf with the names of roles, comma separated. */
void		 pms_roles_fmt(uint32_t roles, char *buf, size_t size);

/* KDF cost of a passphrase slot. */
enum pms_kdf {
	PMS_KDF_INTERACTIVE,	/* libsodium INTERACTIVE: 64 MiB, ~0.1 s */
	PMS_KDF_MODERATE	/* libsodium MODERATE: 256 MiB, ~0.6 s */
};

/*
 * Where the passphrase comes from.  The callback writes at most size-1
 * bytes and a NUL into buf (guarded memory the library owns and wipes),
 * and returns the length, or -1 with a message set by pms_seterr().
 * confirm is nonzero when a new passphrase is being chosen.
 */
typedef int	 pms_pass_fn(void *arg, const char *prompt, int confirm,
		    char *buf, size_t size);

struct pms_store;

/* How to open (or create) a store. */
struct pms_store_opts {
	const char	*path;		/* the database file */
	const char	*user;		/* slot label; NULL: $PMS_USER, login */
	const char	*program;	/* for the audit log, e.g. "pms-admin" */
	pms_pass_fn	*pass;		/* passphrase source */
	void		*pass_arg;
	const char	*recovery_key;	/* open with the recovery key instead */
	const char	*keyfile;	/* or with a cron key file */
	int		 recovery;	/* ask for the recovery key instead */
	int		 no_cache;	/* do not use or fill the keyring */
	int		 cache_only;	/* open only with a cached key: no asking */
	unsigned	 cache_secs;	/* idle timeout of a cached key */
};

/*
 * Open an existing store: unlock the user's slot, open the database
 * through the encrypting VFS, set the connection policy and apply the
 * migrations it lacks, in one transaction.  On success *sp owns
 * everything; free it with pms_store_close().
 */
enum pms_status	 pms_store_open(struct pms_store **sp,
		    const struct pms_store_opts *);

/*
 * Create a store: database, slot file with a first admin slot under the
 * user's passphrase and a recovery slot, lock directory.  The recovery
 * key is written to recovery (at least PMS_RECOVERY_KEY_LEN bytes), to
 * be shown once.  Nothing is left behind on failure.
 */
#define PMS_RECOVERY_KEY_LEN	80
enum pms_status	 pms_store_create(const struct pms_store_opts *,
		    enum pms_kdf, char *recovery, size_t size);

/*
 * Remove a store pms_store_create() made a moment ago (the database and
 * its WAL, the slot file, the lock directory), for a program that could
 * not show the recovery key: a store nobody can recover is not kept.
 * Never for a store in use.
 */
enum pms_status	 pms_store_unmake(const char *path);

/* Close the store; may run a small checkpoint (see store.c). */
void		 pms_store_close(struct pms_store *);

/*
 * Keep the store open past its pms_store_close() (which then only marks
 * it closed) until pms_store_release(): for the programs' framework,
 * which records a file written with --out once it is in place, after
 * the command is done with the store (lib/cli_rec.c).
 */
void		 pms_store_hold(struct pms_store *);
void		 pms_store_release(struct pms_store *);

/* The user (slot label) and slot id the store was opened as. */
const char	*pms_store_user(const struct pms_store *);

/* What can be told about a store without unlocking it. */
struct pms_slot_info {
	uint32_t	 id;
	char		 label[65];
	char		 type[16];	/* passphrase, keyfile, recovery */
	uint32_t	 roles;
};
struct pms_store_info {
	char		 file_id[17];	/* hex */
	uint32_t	 generation;	/* data key generation */
	size_t		 nslots;
	struct pms_slot_info slots[64];
};
enum pms_status	 pms_store_info(const char *path, struct pms_store_info *);

/* The schema version (highest migration applied). */
enum pms_status	 pms_store_schema_version(struct pms_store *, int *);

/* What pms_store_check() found. */
struct pms_check_report {
	int64_t		 pages;		/* database pages authenticated */
	int64_t		 wal_frames;	/* WAL frames authenticated */
	int64_t		 audit_entries;	/* entries whose chain verified */
};

/*
 * Authenticate every page of the database and every frame of the WAL,
 * run SQLite's integrity check and verify the audit chain.  Returns
 * PMS_ETAMPER naming the first bad page or entry.
 */
enum pms_status	 pms_store_check(struct pms_store *,
		    struct pms_check_report *);

/* Checkpoint (TRUNCATE) under the checkpoint lock, then optimise. */
enum pms_status	 pms_store_maintain(struct pms_store *);

/* Write transactions: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK. */
enum pms_status	 pms_store_begin(struct pms_store *);
enum pms_status	 pms_store_commit(struct pms_store *);
void		 pms_store_rollback(struct pms_store *);

/*
 * A dry run (--dry-run, set by pms_cli_open() for every data program):
 * from then on pms_store_commit() of a transaction that changed the
 * store rolls back instead and returns PMS_OK, so that a command does
 * all its work and all its checks, can tell what it would have done
 * (the new ids, the counts), and nothing of it is kept, its audit entry
 * included.  A transaction that wrote only to the access log is a read
 * (list, show, a report): it commits, since what was read was shown,
 * and so do the entries of access control (a refusal, a break-glass
 * use).  Nothing else needs to know, but a command that writes a file
 * besides the store (an export with --out, a rejects file, statements,
 * a claim file): it asks pms_store_dry_run() and writes none, saying
 * what it would have written (pms_cli_writer() does so for --out), and
 * a read whose rows went nowhere keeps no entry (pms_read_run()).
 */
void		 pms_store_set_dry_run(struct pms_store *, int on);
int		 pms_store_dry_run(const struct pms_store *);

/*
 * Append one audit entry inside the caller's write transaction: action
 * ("store.init"), the names of the fields touched (never values), and
 * the ids of the patients concerned.
 */
enum pms_status	 pms_audit_append(struct pms_store *, const char *action,
		    const char *fields, const int64_t *patients, size_t n);

/*
 * One entry for an action on more patients than an array should hold
 * (an import, an export), inside the caller's write transaction:
 * _begin reserves the entry, _add names a patient (*isnew, if not NULL,
 * is 0 when the entry names it already), _end writes the entry with its
 * action and fields and frees the batch.  No other entry may be
 * appended between _begin and _end.  _free gives up (the caller rolls
 * back); _free(NULL) does nothing.
 */
struct pms_audit_batch;
enum pms_status	 pms_audit_batch_begin(struct pms_store *,
		    struct pms_audit_batch **);
enum pms_status	 pms_audit_batch_add(struct pms_audit_batch *,
		    int64_t patient, int *isnew);
enum pms_status	 pms_audit_batch_end(struct pms_audit_batch *,
		    const char *action, const char *fields);
void		 pms_audit_batch_free(struct pms_audit_batch *);

/*
 * Verify the audit chain from the first entry.  *count gets the number
 * of entries; on PMS_ETAMPER *bad gets the first entry that fails.
 */
enum pms_status	 pms_audit_verify(struct pms_store *, int64_t *count,
		    int64_t *bad);

/* ---- who may open a store, and the store as a whole (admin.c) ---- */

/* Parse "front-desk,billing"; 0, or -1 for an unknown role. */
int		 pms_roles_parse(const char *, uint32_t *);
/* Letters, digits, ".", "_", "-", "@"; 1 to 64 bytes. */
int		 pms_name_valid(const char *);
/* Add a passphrase user; the new passphrase comes from newpass. */
enum pms_status	 pms_user_add(struct pms_store *, const char *name,
		    uint32_t roles, enum pms_kdf, pms_pass_fn *newpass,
		    void *arg);
/* Remove a user or key file slot (not the recovery slot, not the last
 * admin).  Their key opens nothing new after pms_store_rekey(). */
enum pms_status	 pms_user_remove(struct pms_store *, const char *name);
/* A new passphrase for name (NULL: oneself, asking the current one
 * through cur); an admin resetting another user gives them a new slot. */
enum pms_status	 pms_user_passwd(struct pms_store *, const char *name,
		    enum pms_kdf, const struct pms_store_opts *cur,
		    pms_pass_fn *newpass, void *arg);
/*
 * Give a user or key file slot these roles instead of its own (admins
 * only).  The recovery slot keeps its own, and the last passphrase slot
 * with the admin role keeps that role: PMS_EREFUSED.  Audited.
 */
enum pms_status	 pms_user_role(struct pms_store *, const char *name,
		    uint32_t roles);
/* A cron key file: a slot whose seed is written to out (0400). */
enum pms_status	 pms_keyfile_create(struct pms_store *, const char *name,
		    uint32_t roles, const char *out);
/* Keep the open slot's key in the kernel keyring for secs idle. */
enum pms_status	 pms_store_cache(struct pms_store *, unsigned secs);
/* Drop the cached key of the user's slot; needs no passphrase. */
enum pms_status	 pms_store_uncache(const struct pms_store_opts *);
/* 1 if every process of the user shares the keyring, -1 if none. */
int		 pms_keyring_is_shared(void);
/* A new data key and file id, by copy-and-swap under the store lock. */
enum pms_status	 pms_store_rekey(struct pms_store *);
/* One backup file, openable by the recovery key and the admins. */
enum pms_status	 pms_store_backup(struct pms_store *, const char *out);
/* A working store at to from a backup: new file id, every slot kept. */
enum pms_status	 pms_store_restore(const char *file, const char *to,
		    const struct pms_store_opts *);

/*
 * Run SQL for tests/helpers/pms-sql only (an insider's raw client).
 * Each result row goes to the callback as an array of strings.
 */
typedef int	 pms_row_fn(void *arg, int ncol, char **vals, char **names);
enum pms_status	 pms_store_exec_raw(struct pms_store *, const char *sql,
		    pms_row_fn *, void *arg);

/* ---- who may do what (rights.c) ---- */

/* 1 if action ("patient.add") is in the table of rights. */
int		 pms_rights_known(const char *action);
/* The roles that may take action (admin always); 0 if unknown. */
uint32_t	 pms_rights_roles(const char *action);
/*
 * Row i of the table, in its order (exceptions before the ".*" rows
 * they come under): 1 with *action and *roles (admin included) set,
 * or 0 past the last row.  For pms(7) and its test.
 */
int		 pms_rights_row(size_t i, const char **action,
		    uint32_t *roles);
/*
 * May the user the store was opened as take action?  PMS_OK when one
 * of their roles allows it, or when emergency gives a reason: then the
 * break-glass use is logged at once, and every later entry of this
 * open store carries the reason (pms-audit log --flagged).  Otherwise
 * the refusal is logged and the status is PMS_EDENIED.
 */
enum pms_status	 pms_store_authorize(struct pms_store *, const char *action,
		    const char *emergency);
/* 1 if a break-glass reason is fit for the log: 3 to 200 bytes on one
 * line, no control characters. */
int		 pms_rights_reason_valid(const char *reason);
/* The break-glass reason the store was authorised with, or NULL. */
const char	*pms_store_emergency(const struct pms_store *);

/* ------------------------------------------------------------------ */
/* Helpers for the programs (lib/cli.c): the only printing in libpms.  */

struct pms_ctx {
	const char	*prog;		/* "pms-admin" */
	const char	*store_path;	/* --store, else $PMS_STORE */
	const char	*user;		/* --user, else $PMS_USER */
	int		 pass_fd;	/* --passphrase-fd, or -1 */
	int		 new_pass_fd;	/* --new-passphrase-fd, or -1 */
	const char	*keyfile;	/* --keyfile, else $PMS_KEYFILE */
	int		 recovery;	/* --recovery: ask for the recovery key */
	/* the data programs' common options (pms_cli_opt) */
	void		(*usage)(int);	/* the program's usage(): no return */
	const char	*cmd;		/* the command being run: "book" */
	int		 out_format;	/* -o: enum pms_out_format */
	const char	*out_path;	/* --out FILE */
	int		 dry_run;	/* -n, --dry-run */
	const char	*emergency;	/* --emergency REASON */
	struct pms_store *out_store;	/* held for --out's export record */
	unsigned long	 row_msgs;	/* messages about rows (pms_cli_row) */
};

struct pms_cmd {
	const char	*name;		/* "book", or two words: "policy add" */
	int		(*fn)(struct pms_ctx *, int, char **);
};

/*
 * The options every data program (pms-patient ... pms-audit) takes,
 * before its command and after it: put PMS_CLI_LONGOPTS in each
 * command's getopt_long table and PMS_CLI_SHORTOPTS at the start of
 * its option string, and hand what the command does not know itself
 * to pms_cli_opt().  A command's own long options take values from
 * PMS_OPT_FIRST on.
 */
enum {
	PMS_OPT_PASSFD = 0x1000,
	PMS_OPT_KEYFILE,
	PMS_OPT_OUT,
	PMS_OPT_EMERGENCY,
	PMS_OPT_VERSION,
	PMS_OPT_FIRST = 0x1100
};
#define PMS_CLI_SHORTOPTS	":hS:u:o:n"
#define PMS_CLI_LONGOPTS \
	{ "help",		no_argument,		NULL, 'h' }, \
	{ "store",		required_argument,	NULL, 'S' }, \
	{ "user",		required_argument,	NULL, 'u' }, \
	{ "passphrase-fd",	required_argument,	NULL, PMS_OPT_PASSFD }, \
	{ "keyfile",		required_argument,	NULL, PMS_OPT_KEYFILE }, \
	{ "output",		required_argument,	NULL, 'o' }, \
	{ "out",		required_argument,	NULL, PMS_OPT_OUT }, \
	{ "dry-run",		no_argument,		NULL, 'n' }, \
	{ "emergency",		required_argument,	NULL, PMS_OPT_EMERGENCY }

/*
 * Handle one of the common options (ch and arg from getopt_long, argv
 * for naming a bad option).  Returns 0 when handled, or an exit code
 * after reporting a bad value; --help and unknown or incomplete options
 * end in ctx->usage().
 */
int		 pms_cli_opt(struct pms_ctx *, int ch, const char *arg,
		    char **argv);

/*
 * The whole of a data program's main(): the common options before the
 * command, the command (one or two words) from cmds, its run with
 * argv[0] the command's name and getopt reset, and an exit code that
 * turns a failed write to standard output into 74.
 */
int		 pms_cli_main(struct pms_ctx *, const struct pms_cmd *cmds,
		    size_t ncmds, int argc, char **argv);

/*
 * Open the store for action (a row of lib/rights.c), with the user's
 * roles checked (ctx->emergency for break-glass).  Returns 0 with *sp
 * open, or the exit code after reporting.  With --dry-run the store is
 * a dry run (pms_store_set_dry_run): every command of every data
 * program honours it with nothing more to do, but for the files it
 * writes besides the store (pms_cli_writer() does --out).
 */
int		 pms_cli_open(struct pms_ctx *, const char *action,
		    struct pms_store **sp);
/*
 * A message about one row of an input (a bad row, a warning of an
 * import), "prog: msg" on stderr: the first PMS_CLI_ROW_MSGS of them;
 * the rest are only counted, and pms_cli_rows_end() says how many.  A
 * big bad file must not flood stderr (or the mail of a cron job): its
 * bad rows are all in --skip-invalid FILE.  prefix ("warning: ") may
 * be NULL.
 */
#define PMS_CLI_ROW_MSGS	100
void		 pms_cli_row(struct pms_ctx *, const char *prefix,
		    const char *msg);
/* "prog: N more messages about rows not shown", when there were; run
 * by pms_cli_main() when the command is done. */
void		 pms_cli_rows_end(struct pms_ctx *);

/* "prog: --dry-run: PATH was not written", for a command's own file. */
void		 pms_cli_would_write(const struct pms_ctx *, const char *path);

/*
 * The end of a program's usage() (and of --version): exit with status;
 * for EX_OK (--help on standard output) only once standard output took
 * it all, else "prog: write error on standard output: ..." and 74.
 */
_Noreturn void	 pms_cli_usage_exit(int status);

/* A usage error: "prog: reason" on stderr, then the usage; no return. */
_Noreturn void	 pms_cli_usage(struct pms_ctx *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* The option getopt_long() just refused (returned '?' or ':'), as it
 * was typed, in quotes: "--bogus", or "-b" in "-bob". */
void		 pms_cli_bad_option(char **argv, char *buf, size_t size);

/*
 * 0 if path may be written by a command, or 64 after reporting when it
 * is one of the store's own files (the database, its WAL, shared
 * memory, journal, slot file, lock directory), however it is spelt.
 * pms_cli_open() checks --out; a command checks its other outputs
 * (rejects files) with it, naming the option in opt.
 */
int		 pms_cli_out_path(struct pms_ctx *, const char *opt,
		    const char *path);

/*
 * The same for a rejects file (--skip-invalid FILE), which may not be
 * the input either (input NULL or "-": standard input): written over
 * it, the good rows would be lost.  0, or 64 after reporting.
 */
int		 pms_cli_rejects_path(struct pms_ctx *, const char *opt,
		    const char *path, const char *input);

/*
 * An option that is given once: *slot gets arg ("" for a flag), or 64
 * after reporting "--mrn given twice" when *slot is set already.  A
 * repeated option is a mistake (the last one would win silently).
 */
int		 pms_cli_once(struct pms_ctx *, const char *opt,
		    const char **slot, const char *arg);

/* Set up the process: sodium, umask 007, no core dumps. */
void		 pms_ctx_init(struct pms_ctx *, const char *prog);
void		 pms_ctx_release(struct pms_ctx *);
const struct pms_cmd *pms_cmd_find(const struct pms_cmd *, size_t,
		    const char *);
/* Print "prog: message" on stderr and return the exit code. */
int		 pms_fail(const struct pms_ctx *, int code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Report the library's last error for status st; returns the exit code. */
int		 pms_fail_status(const struct pms_ctx *, enum pms_status);
/* Fill store options from the context (path, user, passphrase source). */
int		 pms_ctx_store_opts(struct pms_ctx *, struct pms_store_opts *);
/* The passphrase callback the programs use (terminal, fd, file). */
pms_pass_fn	 pms_cli_passphrase;
/* The same for a new passphrase: --new-passphrase-fd,
 * PMS_NEW_PASSPHRASE_FILE, or the terminal, asked twice. */
pms_pass_fn	 pms_cli_new_passphrase;

#endif /* PMS_H */
