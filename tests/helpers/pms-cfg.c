/*
 * pms-cfg: the configuration API of libpms (config.h) on the command
 * line, so that the Bats tests can check what the domain modules will
 * see: entities by code and by id, the practice, and values by their
 * path.  A test helper, built from libpms and never installed.  It
 * opens the store as pms-sql does (PMS_STORE, PMS_USER, the passphrase
 * file) and prints "name=value" lines; a refusal prints "pms-cfg:
 * MESSAGE" on stderr and exits with the status's code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"

static _Noreturn void
usage(int status)
{
	fputs("usage: pms-cfg location|provider|type|payer code\n"
	    "       pms-cfg location-id|provider-id|type-id|payer-id id\n"
	    "       pms-cfg practice\n"
	    "       pms-cfg int|text|count|json path\n"
	    "       pms-cfg parse file\n", status == EX_OK ? stdout :
	    stderr);
	exit(status);
}

static void
address(const char *what, const struct pms_address *a)
{
	printf("%s=%s|%s|%s|%s|%s\n", what, a->street, a->street2, a->city,
	    a->state, a->zip);
}

static enum pms_status
entity(struct pms_store *s, const char *kind, const char *arg)
{
	struct pms_location l;
	struct pms_provider p;
	struct pms_appt_type t;
	struct pms_payer y;
	enum pms_status st;
	int64_t id = 0;
	int by_id = strstr(kind, "-id") != NULL;
	size_t i;
	char *end;

	if (by_id) {
		errno = 0;
		id = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0)
			usage(EX_USAGE);
	}
	if (strncmp(kind, "location", 8) == 0) {
		st = by_id ? pms_location_get(s, id, &l) :
		    pms_location_find(s, arg, &l);
		if (st != PMS_OK)
			return st;
		printf("id=%" PRId64 "\nactive=%d\ncode=%s\nname=%s\n", l.id,
		    l.active, l.code, l.name);
		address("address", &l.address);
		printf("time_zone=%s\nplace_of_service=%s\nphone=%s\nnpi=%s\n",
		    l.time_zone, l.place_of_service, l.phone, l.npi);
	} else if (strncmp(kind, "provider", 8) == 0) {
		st = by_id ? pms_provider_get(s, id, &p) :
		    pms_provider_find(s, arg, &p);
		if (st != PMS_OK)
			return st;
		printf("id=%" PRId64 "\nactive=%d\ncode=%s\nfirst_name=%s\n"
		    "middle_name=%s\nlast_name=%s\nsuffix=%s\ncredential=%s\n"
		    "npi=%s\ntaxonomy=%s\n", p.id, p.active, p.code,
		    p.first_name, p.middle_name, p.last_name, p.suffix,
		    p.credential, p.npi, p.taxonomy);
	} else if (strncmp(kind, "type", 4) == 0) {
		st = by_id ? pms_appt_type_get(s, id, &t) :
		    pms_appt_type_find(s, arg, &t);
		if (st != PMS_OK)
			return st;
		printf("id=%" PRId64 "\nactive=%d\ncode=%s\nname=%s\n"
		    "length_secs=%" PRId64 "\nmay_overlap=%d\ncodes=", t.id,
		    t.active, t.code, t.name, t.length_secs, t.may_overlap);
		for (i = 0; i < t.ncodes; i++)
			printf("%s%s", i > 0 ? "," : "", t.codes[i]);
		putchar('\n');
	} else if (strncmp(kind, "payer", 5) == 0) {
		st = by_id ? pms_payer_get(s, id, &y) :
		    pms_payer_find(s, arg, &y);
		if (st != PMS_OK)
			return st;
		printf("id=%" PRId64 "\nactive=%d\ncode=%s\nname=%s\n"
		    "payer_id=%s\nfiling_indicator=%s\ntimely_filing_days=%d\n"
		    "prior_auth_required=%d\nfee_schedule=%s\n", y.id, y.active,
		    y.code, y.name, y.payer_id, y.filing_indicator,
		    y.timely_filing_days, y.prior_auth_required,
		    y.fee_schedule);
	} else
		usage(EX_USAGE);
	return PMS_OK;
}

static enum pms_status
practice(struct pms_store *s)
{
	struct pms_practice p;
	enum pms_status st;

	if ((st = pms_practice_get(s, &p)) != PMS_OK)
		return st;
	printf("name=%s\nperson=%d\nlast_name=%s\nfirst_name=%s\nnpi=%s\n"
	    "taxonomy=%s\nein=%s\nphone=%s\ncountry=%s\ntime_zone=%s\n",
	    p.name, p.person, p.last_name, p.first_name, p.npi, p.taxonomy,
	    p.ein, p.phone, p.country, p.time_zone);
	address("address", &p.address);
	printf("has_pay_to=%d\n", p.has_pay_to);
	if (p.has_pay_to)
		address("pay_to", &p.pay_to);
	printf("uuid=%s\n", p.uuid);
	return PMS_OK;
}

static enum pms_status
value(const struct pms_config *cfg, const char *kind, const char *path)
{
	enum pms_status st;
	const char *text;
	int64_t v;
	size_t n;
	char *json;

	if (strcmp(kind, "int") == 0) {
		if ((st = pms_config_int(cfg, path, &v)) == PMS_OK)
			printf("%" PRId64 "\n", v);
	} else if (strcmp(kind, "text") == 0) {
		if ((st = pms_config_text(cfg, path, &text)) == PMS_OK)
			printf("%s\n", text);
	} else if (strcmp(kind, "count") == 0) {
		if ((st = pms_config_count(cfg, path, &n)) == PMS_OK)
			printf("%zu\n", n);
	} else if (strcmp(kind, "json") == 0) {
		if ((json = pms_config_json(cfg, path)) == NULL)
			return PMS_EREFUSED;
		printf("%s\n", json);
		free(json);
		st = PMS_OK;
	} else
		usage(EX_USAGE);
	return st;
}

static void
report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "pms-cfg: %s\n", msg);
}

int
main(int argc, char *argv[])
{
	struct pms_store_opts o;
	struct pms_config *cfg = NULL;
	struct pms_store *s;
	struct pms_ctx ctx;
	enum pms_status st;

	pms_ctx_init(&ctx, "pms-cfg");
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage(EX_OK);
	if (argc == 3 && strcmp(argv[1], "parse") == 0) {
		/* the checker alone, no store: the canonical JSON */
		if ((st = pms_config_read_file(argv[2], report, NULL, &cfg)) !=
		    PMS_OK)
			return pms_fail_status(&ctx, st);
		st = value(cfg, "json", "");
		pms_config_free(cfg);
		return st == PMS_OK ? EX_OK : pms_fail_status(&ctx, st);
	}
	if (argc != 2 && argc != 3)
		usage(EX_USAGE);
	if ((argc == 2) != (strcmp(argv[1], "practice") == 0))
		usage(EX_USAGE);
	pms_ctx_store_opts(&ctx, &o);
	if ((st = pms_store_open(&s, &o)) != PMS_OK)
		return pms_fail_status(&ctx, st);
	if (argc == 2)
		st = practice(s);
	else if (strcmp(argv[1], "int") == 0 || strcmp(argv[1], "text") == 0 ||
	    strcmp(argv[1], "count") == 0 || strcmp(argv[1], "json") == 0) {
		if ((st = pms_config_read(s, &cfg)) == PMS_OK)
			st = value(cfg, argv[1], argv[2]);
		pms_config_free(cfg);
	} else
		st = entity(s, argv[1], argv[2]);
	pms_store_close(s);
	if (st != PMS_OK)
		return pms_fail_status(&ctx, st);
	if (fflush(stdout) == EOF)
		return pms_fail(&ctx, EX_IOERR, "write error");
	return EX_OK;
}
