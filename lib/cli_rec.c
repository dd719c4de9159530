/*
 * cli_rec.c: the programs' record input and output (cli.h), kept apart
 * from cli.c so that a program that needs no records (pms-admin's store
 * commands) links without the reader and writer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

int
pms_cli_input(struct pms_ctx *ctx, const char *path, FILE **fp)
{
	struct stat sb;
	FILE *f;

	*fp = stdin;
	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	if ((f = fopen(path, "re")) == NULL)
		return pms_fail(ctx, EX_NOINPUT, "cannot open \"%s\": %s",
		    path, strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return pms_fail(ctx, EX_NOINPUT, "cannot open \"%s\": %s",
		    path, strerror(EISDIR));
	}
	*fp = f;
	return 0;
}

int
pms_cli_reader(struct pms_ctx *ctx, const char *path, struct pms_reader **rp,
    FILE **fp)
{
	enum pms_status st;
	FILE *f = stdin;
	int rc;

	*rp = NULL;
	*fp = NULL;
	if (path != NULL && strcmp(path, "-") != 0) {
		if ((rc = pms_cli_input(ctx, path, &f)) != 0)
			return rc;
		*fp = f;
	}
	if ((st = pms_reader_open(rp, f, path != NULL ? path : "-",
	    PMS_IN_AUTO, PMS_ENC_UTF8)) != PMS_OK) {
		if (*fp != NULL)
			fclose(*fp);
		*fp = NULL;
		return pms_fail_status(ctx, st);
	}
	return 0;
}

int
pms_cli_writer(struct pms_ctx *ctx, const struct pms_col *cols, size_t ncols,
    struct pms_writer **wp)
{
	enum pms_status st;
	const char *path = ctx->out_path;
	int rc;

	/* never over the store's own files, nor a backup or key file:
	 * checked here too for the commands that open no store */
	if ((rc = pms_cli_out_path(ctx, "--out", path)) != 0)
		return rc;
	/* a dry run writes no file: the rows go nowhere */
	if (ctx->dry_run && path != NULL && strcmp(path, "-") != 0)
		path = "/dev/null";
	if ((st = pms_writer_open(wp, (enum pms_out_format)ctx->out_format,
	    path, cols, ncols)) != PMS_OK)
		return pms_fail_status(ctx, st);
	return 0;
}

int
pms_cli_writer_close(struct pms_ctx *ctx, struct pms_writer *w)
{
	enum pms_status st;

	if ((st = pms_writer_close(w)) != PMS_OK)
		return pms_fail_status(ctx, st);
	if (ctx->dry_run && ctx->out_path != NULL &&
	    strcmp(ctx->out_path, "-") != 0)
		pms_cli_would_write(ctx, ctx->out_path);
	return pms_cli_out_written(ctx);
}
