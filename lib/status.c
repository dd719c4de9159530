/*
 * status.c: the library's failure messages and their exit codes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "pms_int.h"

static _Thread_local char errbuf[1024];
static _Thread_local enum pms_status errst;

enum pms_status
pms_seterr(enum pms_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	errst = st;
	return st;
}

enum pms_status
pms_errstatus(void)
{
	return errst;
}

const char *
pms_errmsg(void)
{
	return errbuf[0] != '\0' ? errbuf : "unknown error";
}

int
pms_exit_code(enum pms_status st)
{
	switch (st) {
	case PMS_OK:
		return EX_OK;
	case PMS_EREFUSED:
		return 1;
	case PMS_EUSAGE:
		return EX_USAGE;
	case PMS_EDATA:
		return EX_DATAERR;
	case PMS_ENOINPUT:
		return EX_NOINPUT;
	case PMS_EIO:
		return EX_IOERR;
	case PMS_EBUSY:
		return EX_TEMPFAIL;
	case PMS_EPASS:
	case PMS_EDENIED:
	case PMS_ETAMPER:
		return EX_NOPERM;
	case PMS_ECONFIG:
		return EX_CONFIG;
	case PMS_ENOMEM:
	case PMS_EINTERNAL:
		break;
	}
	return EX_SOFTWARE;
}

void
pms_roles_fmt(uint32_t roles, char *buf, size_t size)
{
	static const char *names[] = { "admin", "front-desk", "clinician",
	    "billing", "auditor", "reminder-bot", "portal" };
	size_t i, n = 0;
	int w;

	if (size > 0)
		buf[0] = '\0';
	for (i = 0; i < PMS_NELEM(names); i++) {
		if ((roles & (1u << i)) == 0)
			continue;
		w = snprintf(buf + n, size - n, "%s%s", n > 0 ? "," : "",
		    names[i]);
		if (w < 0 || (size_t)w >= size - n)
			return;
		n += (size_t)w;
	}
}

int
pms_quotable(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= 32 || !((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') ||
		    strchr("._-", s[n]) != NULL))
			return 0;
	return n > 0;
}
