/*
 * pms-norm: the patient module's normalisers on the command line, for
 * the tests (built from libpms, never installed): the X12 form of a
 * name, the search key of a name, a phone number as E.164.
 *
 *	pms-norm x12-name TEXT
 *	pms-norm name-key TEXT
 *	pms-norm phone TEXT [COUNTRY]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "patient.h"

static _Noreturn void
usage(int status)
{
	fputs("usage: pms-norm x12-name text\n"
	    "       pms-norm name-key text\n"
	    "       pms-norm phone text [country]\n",
	    status == EX_OK ? stdout : stderr);
	exit(status);
}

int
main(int argc, char *argv[])
{
	char out[PMS_PT_KEY];
	enum pms_status st;

	if (argc < 3)
		usage(EX_USAGE);
	if (strcmp(argv[1], "x12-name") == 0 && argc == 3)
		st = pms_name_x12(argv[2], out, sizeof(out));
	else if (strcmp(argv[1], "name-key") == 0 && argc == 3)
		st = pms_name_key(argv[2], out, sizeof(out));
	else if (strcmp(argv[1], "phone") == 0 && argc <= 4)
		st = pms_phone_e164(argv[2], argc == 4 ? argv[3] : "US", out);
	else
		usage(EX_USAGE);
	if (st != PMS_OK) {
		fprintf(stderr, "pms-norm: %s\n", pms_errmsg());
		return pms_exit_code(st);
	}
	printf("%s\n", out);
	return EX_OK;
}
