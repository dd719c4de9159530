/*
 * config.h: the practice's configuration, one YAML file (pms.yaml(5))
 * loaded into the store by `pms-admin config load` and written back by
 * `config dump`.  Every program reads the practice from the store,
 * never from the file.
 */
#ifndef PMS_CONFIG_H
#define PMS_CONFIG_H

#include <stdio.h>

#include "pms.h"

/*
 * Read, check and load path into the store, in one transaction with its
 * audit entry.  Every error of the file is reported, each as
 * "FILE:LINE:COLUMN: KEY.PATH: what is wrong" (never a value), through
 * report (one call per error), and then nothing is written: the status
 * is PMS_ECONFIG for a file that is wrong, PMS_ENOINPUT for a missing
 * one.  Loading a file equal to what the store holds writes nothing
 * and sets *changed to 0.
 */
typedef void	 pms_config_report_fn(void *arg, const char *msg);

/*
 * The checked configuration in memory, apart from any store: parse and
 * check len bytes of YAML (name is the file name for messages).  This
 * is what pms_config_load() runs first, and what fuzz/ points at.
 */
struct pms_config;
enum pms_status	 pms_config_parse(const char *buf, size_t len,
		    const char *name, pms_config_report_fn *report, void *arg,
		    struct pms_config **);
void		 pms_config_free(struct pms_config *);
enum pms_status	 pms_config_load(struct pms_store *, const char *path,
		    int dry_run, pms_config_report_fn *report, void *arg,
		    int *changed);

/* Write the configuration the store holds as YAML that loads back
 * unchanged. */
enum pms_status	 pms_config_dump(struct pms_store *, FILE *out);

/* 1 if the ten digits of npi carry a valid check digit (Luhn over
 * "80840" and the first nine digits). */
int		 pms_npi_valid(const char *npi);

#endif /* PMS_CONFIG_H */
