/*
 * remind_spawn.c: running the practice's sender command for one
 * reminder.  The sender is a program pms does not know (a script that
 * calls an SMS gateway, msmtp), so it gets nothing of pms's but what it
 * needs: the message on its standard input and a few variables in an
 * environment of its own, every other descriptor closed (the store's
 * files, its locks), default signal dispositions (pms programs ignore
 * SIGPIPE) and an empty signal mask, its own process group, and a fresh
 * session keyring, so that it cannot search ours for a cached key.  A
 * sender that does not end by the timeout is killed, its whole group:
 * SIGTERM, then SIGKILL.
 *
 * fork() and execve() rather than posix_spawn(): joining a new session
 * keyring has to happen in the child, between the two.  Everything the
 * child needs is prepared before fork(); the child itself only makes
 * system calls that are safe there.
 */
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "remind_int.h"

#define KEYCTL_JOIN_SESSION_KEYRING	1
#define GRACE_MS			2000	/* SIGTERM to SIGKILL */
#define MAX_VARS			16

/* Characters that make a command a shell line, run by /bin/sh -c. */
static const char shell_chars[] = "|&;<>()$`\\\"'*?[]#~=%{}!\n";

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An executable regular file? */
static int
runnable(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    access(path, X_OK) == 0;
}

/* name (without a "/") in the directories of path; a new string. */
static char *
find_in(const char *path, const char *name)
{
	const char *p = path, *e;
	char *full;
	size_t n;

	while (*p != '\0') {
		e = p + strcspn(p, ":");
		n = (size_t)(e - p);
		if (n > 0 && asprintf(&full, "%.*s/%s", (int)n, p, name) !=
		    -1) {
			if (runnable(full))
				return full;
			free(full);
		}
		p = *e == ':' ? e + 1 : e;
	}
	return NULL;
}

/* Descriptors 0 to 2 open, so that a pipe never takes their place. */
static void
std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			(void)open("/dev/null", O_RDWR);
}

enum pms_status
rm_sender_init(struct rm_sender *s, const char *cmd, const char *extra,
    int64_t timeout_ms)
{
	struct passwd *pw;
	const char *p, *e;
	char *search = NULL;
	size_t n = 0, i;

	memset(s, 0, sizeof(*s));
	s->timeout_ms = timeout_ms;
	s->grace_ms = GRACE_MS;
	s->keyring = pms_keyring_shared() != -1;
	std_fds();
	if (cmd == NULL || cmd[strspn(cmd, " \t")] == '\0')
		return pms_seterr(PMS_EUSAGE, "--exec: no command given");
	if (asprintf(&search, "%s%s%s", RM_SAFE_PATH, extra != NULL &&
	    *extra != '\0' ? ":" : "", extra != NULL ? extra : "") == -1 ||
	    asprintf(&s->env_path, "PATH=%s", search) == -1) {
		s->env_path = NULL;
		goto nomem;
	}
	if ((pw = getpwuid(geteuid())) != NULL && pw->pw_dir != NULL &&
	    asprintf(&s->env_home, "HOME=%s", pw->pw_dir) == -1) {
		s->env_home = NULL;
		goto nomem;
	}
	if (strpbrk(cmd, shell_chars) != NULL) {
		if ((s->argv = calloc(4, sizeof(*s->argv))) == NULL ||
		    (s->argv[0] = strdup("sh")) == NULL ||
		    (s->argv[1] = strdup("-c")) == NULL ||
		    (s->argv[2] = strdup(cmd)) == NULL ||
		    (s->path = strdup("/bin/sh")) == NULL)
			goto nomem;
		free(search);
		return PMS_OK;
	}
	for (p = cmd; *p != '\0'; p = e) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		e = p + strcspn(p, " \t");
		n++;
	}
	if ((s->argv = calloc(n + 1, sizeof(*s->argv))) == NULL)
		goto nomem;
	for (p = cmd, i = 0; i < n; p = e, i++) {
		p += strspn(p, " \t");
		e = p + strcspn(p, " \t");
		if ((s->argv[i] = strndup(p, (size_t)(e - p))) == NULL)
			goto nomem;
	}
	if (strchr(s->argv[0], '/') != NULL) {
		if (!runnable(s->argv[0])) {
			free(search);
			rm_sender_release(s);
			return pms_seterr(PMS_EUSAGE, "--exec: \"%s\" is not "
			    "an executable file", cmd);
		}
		if ((s->path = strdup(s->argv[0])) == NULL)
			goto nomem;
	} else if ((s->path = find_in(search, s->argv[0])) == NULL) {
		pms_seterr(PMS_EUSAGE, "--exec: no command \"%s\" in the "
		    "sender's PATH (%s)", s->argv[0], search);
		free(search);
		rm_sender_release(s);
		return PMS_EUSAGE;
	}
	free(search);
	return PMS_OK;
nomem:
	free(search);
	rm_sender_release(s);
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

void
rm_sender_release(struct rm_sender *s)
{
	size_t i;

	if (s->argv != NULL)
		for (i = 0; s->argv[i] != NULL; i++)
			free(s->argv[i]);
	free(s->argv);
	free(s->path);
	free(s->env_path);
	free(s->env_home);
	memset(s, 0, sizeof(*s));
}

/* The child, between fork() and execve(): nothing but system calls. */
static _Noreturn void
child(const struct rm_sender *s, char *const *envp, int in)
{
	/*
	 * The kernel's own struct sigaction, all zero: SIG_DFL, no flags,
	 * an empty mask (four words, as wide as any architecture's).  The
	 * system call itself, not sigaction(3): glibc refuses to touch the
	 * two real-time signals it keeps for itself, which a parent may
	 * have left ignored.
	 */
	unsigned long ksa[4] = { 0, 0, 0, 0 };
	sigset_t empty;
	long fd, max;
	int sig;

	for (sig = 1; sig < 65; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, ksa, NULL,
			    (size_t)8);
	(void)setpgid(0, 0);
	if (in == 0) {
		if (fcntl(0, F_SETFD, 0) == -1)
			_exit(126);
	} else if (dup2(in, 0) == -1)
		_exit(126);
	if (dup2(2, 1) == -1)
		_exit(126);
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == -1) {
		max = sysconf(_SC_OPEN_MAX);
		if (max < 0 || max > 1 << 20)
			max = 1 << 16;
		for (fd = 3; fd < max; fd++)
			(void)close((int)fd);
	}
	/* a keyring of its own: ours, with any cached key, out of reach */
	if (s->keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING,
	    (const char *)NULL) == -1)
		_exit(126);
	sigemptyset(&empty);
	(void)sigprocmask(SIG_SETMASK, &empty, NULL);
	execve(s->path, s->argv, envp);
	_exit(errno == ENOENT ? 127 : 126);
}

/*
 * Wait until deadline (ms) for pid to end, without reaping it: a child
 * not yet reaped keeps its process group id, so that the group can
 * still be killed without hitting another's.  1 if it ended, -1 when
 * *stop was set first (may be NULL), else 0.
 */
static int
wait_until(pid_t pid, int pidfd, int64_t deadline,
    const volatile sig_atomic_t *stop)
{
	struct pollfd pf;
	siginfo_t si;
	int64_t left;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == pid)
			return 1;
		if (stop != NULL && *stop)
			return -1;
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		if (pidfd >= 0) {
			pf.fd = pidfd;
			pf.events = POLLIN;
			pf.revents = 0;
			(void)poll(&pf, 1, left > 200 ? 200 : (int)left);
		} else {
			struct timespec ts = { 0, 1000000 };	/* 1 ms */

			(void)nanosleep(&ts, NULL);
		}
	}
}

enum pms_status
rm_sender_run(const struct rm_sender *s, char *const *vars, const char *msg,
    size_t len, struct rm_run *r)
{
	char *envp[MAX_VARS + 4];
	sigset_t all, old;
	struct pollfd pf[2];
	int64_t deadline, left;
	size_t i, n = 0, off = 0;
	ssize_t w;
	pid_t pid;
	int p[2], pidfd, st = 0, err, ended;

	memset(r, 0, sizeof(*r));
	for (i = 0; vars != NULL && vars[i] != NULL && n < MAX_VARS; i++)
		envp[n++] = vars[i];
	envp[n++] = s->env_path;
	if (s->env_home != NULL)
		envp[n++] = s->env_home;
	envp[n++] = (char *)"LANG=C.UTF-8";
	envp[n] = NULL;
	if (pipe2(p, O_CLOEXEC) == -1)
		return pms_seterr(PMS_EINTERNAL, "cannot make a pipe for the "
		    "sender: %s", strerror(errno));
	/* no handler of ours may run in the child before it resets them */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		child(s, envp, p[0]);
	err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[0]);
	if (pid == -1) {
		close(p[1]);
		return pms_seterr(PMS_EINTERNAL, "cannot start the sender: %s",
		    strerror(err));
	}
	(void)setpgid(pid, pid);	/* as the child does: whichever first */
	deadline = now_ms() + s->timeout_ms;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	(void)fcntl(p[1], F_SETFL, O_NONBLOCK);
	/* the message; a sender that does not read it all is its business */
	while (off < len) {
		w = write(p[1], msg + off, len - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno != EAGAIN)
			break;		/* EPIPE: it closed its input */
		if ((left = deadline - now_ms()) <= 0 || (s->stop != NULL &&
		    *s->stop))
			break;
		pf[0].fd = p[1];
		pf[0].events = POLLOUT;
		pf[1].fd = pidfd;
		pf[1].events = POLLIN;
		pf[0].revents = pf[1].revents = 0;
		if (poll(pf, pidfd >= 0 ? 2 : 1, left > 200 ? 200 :
		    (int)left) > 0 && (pf[1].revents & POLLIN))
			break;		/* it ended without reading */
	}
	close(p[1]);
	if ((ended = wait_until(pid, pidfd, deadline, s->stop)) != 1) {
		/* the whole group: a shell's children too */
		if (ended == 0)
			r->timed_out = 1;
		else
			r->stopped = 1;
		(void)kill(-pid, SIGTERM);
		(void)wait_until(pid, pidfd, now_ms() + s->grace_ms, NULL);
		(void)kill(-pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (pidfd >= 0)
		close(pidfd);
	if (WIFEXITED(st)) {
		r->exited = 1;
		r->code = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st))
		r->sig = WTERMSIG(st);
	return PMS_OK;
}

/* ---- the lease of a claim ---- */

/*
 * The start of process pid, in clock ticks since boot; 0 if unknown.
 * *zombie is set when it has died and waits to be reaped: a run killed
 * a moment ago is gone, whether or not its parent has seen it yet.
 */
static unsigned long long
proc_start(long pid, int *zombie)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	size_t n;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after the command's name, which may hold anything, in () */
	*zombie = 0;
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	if (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
		*zombie = 1;
	for (field = 2, p++; *p != '\0' && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22)
		return 0;
	start = strtoull(p, NULL, 10);
	return start;
}

/* The first line of a small file, as text; "" if it cannot be read. */
static void
read_line(const char *path, char *buf, size_t size)
{
	FILE *f;

	buf[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(buf, (int)size, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* The pid namespace's inode, as readlink shows it ("pid:[4026531836]"). */
static void
pid_ns(char *buf, size_t size)
{
	ssize_t n;

	if ((n = readlink("/proc/self/ns/pid", buf, size - 1)) < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, " ")] = '\0';
}

void
rm_lease_make(char *buf, size_t size)
{
	char boot[64], ns[64];
	int zombie;

	read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
	pid_ns(ns, sizeof(ns));
	boot[strcspn(boot, " ")] = '\0';
	if (snprintf(buf, size, "pid %ld start %llu boot %s ns %s",
	    (long)getpid(), proc_start((long)getpid(), &zombie),
	    boot[0] != '\0' ?
	    boot : "-", ns[0] != '\0' ? ns : "-") >= (int)size)
		buf[0] = '\0';		/* cannot be told: the deadline */
}

enum rm_lease
rm_lease_state(const char *lease)
{
	char boot[64], ns[64], lboot[64], lns[64];
	unsigned long long start, now;
	const char *p;
	long pid;
	int zombie = 0;

	if (lease == NULL || (p = strstr(lease, "pid ")) == NULL ||
	    sscanf(p, "pid %ld start %llu boot %63s ns %63s", &pid, &start,
	    lboot, lns) != 4 || pid <= 0)
		return RM_LEASE_UNSURE;
	read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
	if (boot[0] == '\0' || strcmp(lboot, "-") == 0)
		return RM_LEASE_UNSURE;
	if (strcmp(boot, lboot) != 0)
		return RM_LEASE_DEAD;	/* the machine started again */
	pid_ns(ns, sizeof(ns));
	if (ns[0] == '\0' || strcmp(ns, lns) != 0 || start == 0)
		return RM_LEASE_UNSURE;	/* another container's */
	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return RM_LEASE_DEAD;
	now = proc_start(pid, &zombie);
	if (zombie)
		return RM_LEASE_DEAD;
	if (now == 0)
		return kill((pid_t)pid, 0) == -1 && errno == ESRCH ?
		    RM_LEASE_DEAD : RM_LEASE_UNSURE;
	return now == start ? RM_LEASE_LIVE : RM_LEASE_DEAD;
}
