/*
 * pms-rights: the table of lib/rights.c for the tests, built from libpms
 * and never installed.  Without an argument it prints every row in the
 * table's order, "action<TAB>roles" (roles comma separated, admin
 * first); with actions, the roles that may take each one, one line
 * each, exit 1 for an action the table does not know.  tests/docs.bats
 * holds pms(7) to the first form, tests/rights.bats runs the matrix of
 * roles by actions from the second.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "pms.h"

int
main(int argc, char *argv[])
{
	const char *action;
	char roles[128];
	uint32_t r;
	size_t i;
	int rc = EX_OK;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs("usage: pms-rights [action ...]\n", stdout);
		return EX_OK;
	}
	if (argc == 1) {
		for (i = 0; pms_rights_row(i, &action, &r); i++) {
			pms_roles_fmt(r, roles, sizeof(roles));
			printf("%s\t%s\n", action, roles);
		}
	}
	for (i = 1; i < (size_t)argc; i++) {
		if (!pms_rights_known(argv[i])) {
			fprintf(stderr, "pms-rights: unknown action \"%s\"\n",
			    argv[i]);
			rc = 1;
			continue;
		}
		pms_roles_fmt(pms_rights_roles(argv[i]), roles, sizeof(roles));
		printf("%s\n", roles);
	}
	if (fflush(stdout) == EOF)
		return EX_IOERR;
	return rc;
}
