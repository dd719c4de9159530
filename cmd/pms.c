/*
 * pms: the umbrella, as git is one.  "pms schedule list" runs
 * "pms-schedule list" with the rest of the arguments as they were,
 * found first beside this program (so that an installed pms runs the
 * programs installed with it, and build/pms those of build/), then on
 * PATH; "pms help" lists the programs it can find, and "pms help
 * schedule" prints that program's usage.  It opens no store, reads no
 * key and knows nothing of the programs but their names.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "pms.h"

/* The programs of the toolkit, in the order of pms(7). */
static const struct {
	const char	*name;		/* "schedule" for pms-schedule */
	const char	*what;		/* its one job, for pms help */
} progs[] = {
	{ "admin",	"the store: create, unlock, users, backup, config" },
	{ "patient",	"the patient registry, guarantors, policies, import" },
	{ "schedule",	"the appointment book: hours, booking, check-in" },
	{ "remind",	"reminders, through the practice's own sender" },
	{ "bill",	"charges, payments, balances, aging, statements" },
	{ "claim",	"claims out as X12 837P, and the payers' answers" },
	{ "report",	"day sheet, no-shows, A/R aging and other reports" },
	{ "audit",	"the access log: who did what, verify, disclosures" },
};

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: pms command [args]\n"
	    "       pms help [command]\n"
	    "       pms --help | --version\n", f);
	exit(status);
}

/*
 * A command name is 1 to 32 lowercase letters and digits: nothing that
 * could name a file elsewhere ("../x") or carry an option.
 */
static int
valid_name(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if ((s[n] < 'a' || s[n] > 'z') && (s[n] < '0' || s[n] > '9'))
			return 0;
	return n >= 1 && n <= 32;
}

/*
 * The directory this program was run from, from /proc/self/exe, into
 * buf; 0 if it cannot be told (then only PATH is searched).
 */
static int
self_dir(char *buf, size_t len)
{
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", buf, len);
	if (n <= 0 || (size_t)n >= len)
		return 0;
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return 0;
	*slash = '\0';
	return 1;
}

/*
 * The path of pms-NAME beside this program into buf, if there is an
 * executable one; 0 if not.
 */
static int
beside(const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX];
	int n;

	if (!self_dir(dir, sizeof(dir)))
		return 0;
	n = snprintf(buf, len, "%s/pms-%s", dir, name);
	if (n < 0 || (size_t)n >= len)
		return 0;
	return access(buf, X_OK) == 0;
}

/* Whether pms-NAME is an executable file in a directory of PATH. */
static int
on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char buf[PATH_MAX];
	int n;

	if (path == NULL || *path == '\0')
		return 0;
	for (p = path; ; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		/* an empty entry is the current directory */
		n = snprintf(buf, sizeof(buf), "%.*s%spms-%s", (int)(end - p),
		    p, end == p ? "" : "/", name);
		if (n > 0 && (size_t)n < sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return 1;
		if (*end == '\0')
			return 0;
	}
}

/*
 * Run pms-NAME with argv (argv[0] is replaced by "pms-NAME"): the one
 * beside this program, else the first on PATH.  Returns only on
 * failure, with the exit code.
 */
static int
run(const char *name, char *argv[])
{
	char prog[64], path[PATH_MAX];
	int n;

	n = snprintf(prog, sizeof(prog), "pms-%s", name);
	if (n < 0 || (size_t)n >= sizeof(prog))
		return EX_SOFTWARE;
	argv[0] = prog;
	if (beside(name, path, sizeof(path)))
		execv(path, argv);
	else
		execvp(prog, argv);
	if (errno == ENOENT) {
		fprintf(stderr, "pms: \"%s\" is not a pms command (not "
		    "found beside pms or on PATH); \"pms help\" lists them\n",
		    name);
		return EX_USAGE;
	}
	fprintf(stderr, "pms: cannot run %s: %s\n", prog, strerror(errno));
	return EX_SOFTWARE;
}

/* pms help: the programs that can be found, each with its one job. */
static int
help(void)
{
	char path[PATH_MAX];
	size_t i;
	int found = 0;

	printf("The pms programs (\"pms NAME --help\" or \"man pms-NAME\" "
	    "tells more):\n\n");
	for (i = 0; i < PMS_NELEM(progs); i++) {
		if (!beside(progs[i].name, path, sizeof(path)) &&
		    !on_path(progs[i].name))
			continue;
		printf("   %-10s %s\n", progs[i].name, progs[i].what);
		found++;
	}
	if (found == 0)
		printf("   (none found beside pms or on PATH)\n");
	printf("\n\"man 7 pms\" is the overview: the store, roles, exit "
	    "codes.\n");
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 }
	};
	char *hargv[3];
	int ch;

	/* "+": stop at the command; its options are its program's */
	while ((ch = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(EX_OK);
		case 'V':
			printf("pms %s\n", PMS_VERSION);
			if (fflush(stdout) == EOF || ferror(stdout)) {
				fprintf(stderr, "pms: write error on standard "
				    "output\n");
				return EX_IOERR;
			}
			return EX_OK;
		default:
			usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage(EX_USAGE);
	if (strcmp(argv[0], "help") == 0) {
		if (argc > 2)
			usage(EX_USAGE);
		if (argc == 1) {
			help();
			if (fflush(stdout) == EOF || ferror(stdout)) {
				fprintf(stderr, "pms: write error on standard "
				    "output\n");
				return EX_IOERR;
			}
			return EX_OK;
		}
		if (!valid_name(argv[1])) {
			fprintf(stderr, "pms: help: not a pms command; "
			    "\"pms help\" lists them\n");
			return EX_USAGE;
		}
		/* pms's own command: its usage, as pms --help */
		if (strcmp(argv[1], "help") == 0)
			usage(EX_OK);
		hargv[0] = NULL;
		hargv[1] = (char *)"--help";
		hargv[2] = NULL;
		return run(argv[1], hargv);
	}
	if (!valid_name(argv[0])) {
		fprintf(stderr, "pms: not a pms command; \"pms help\" lists "
		    "them\n");
		return EX_USAGE;
	}
	return run(argv[0], argv);
}
