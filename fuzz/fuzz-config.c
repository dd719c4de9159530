/*
 * fuzz-config: libFuzzer target for the configuration checker,
 * pms_config_parse() on its own (no store).  Beyond not crashing or
 * leaking, it checks what `config dump` relies on: every error message
 * names the file and a position, and a file that is accepted writes out
 * as YAML that parses back to the same canonical JSON, and writes out
 * again byte for byte the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void
report(void *arg, const char *msg)
{
	(void)arg;
	if (strncmp(msg, "fuzz.yaml:", 10) != 0)
		abort();
}

/* cfg written as YAML into a buffer the caller frees. */
static char *
write_yaml(const struct pms_config *cfg, size_t *len)
{
	char *buf = NULL;
	FILE *f;

	if ((f = open_memstream(&buf, len)) == NULL)
		abort();
	if (pms_config_write(cfg, f) != PMS_OK)
		abort();
	if (fclose(f) != 0)
		abort();
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pms_config *cfg = NULL, *again = NULL;
	char *yaml, *yaml2, *j1, *j2;
	size_t len, len2;

	if (pms_config_parse((const char *)data, size, "fuzz.yaml", report,
	    NULL, &cfg) != PMS_OK)
		return 0;
	yaml = write_yaml(cfg, &len);
	if (pms_config_parse(yaml, len, "fuzz.yaml", report, NULL, &again) !=
	    PMS_OK)
		abort();	/* what we write must load */
	j1 = pms_config_json(cfg, NULL);
	j2 = pms_config_json(again, NULL);
	if (j1 == NULL || j2 == NULL || strcmp(j1, j2) != 0)
		abort();	/* and load unchanged */
	yaml2 = write_yaml(again, &len2);
	if (len != len2 || memcmp(yaml, yaml2, len) != 0)
		abort();	/* and write the same bytes */
	free(j1);
	free(j2);
	free(yaml);
	free(yaml2);
	pms_config_free(cfg);
	pms_config_free(again);
	return 0;
}
