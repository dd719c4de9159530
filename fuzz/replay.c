/*
 * replay: the driver that runs a fuzz target without libFuzzer, over
 * the files (or the files of the directories) named on its command
 * line, once each, in the order given.  Linked with one fuzz/fuzz-*.c
 * by any compiler into $(BUILD)/replay-NAME; tests/fuzz.bats runs each
 * over its corpus (fuzz/corpus/fuzz-NAME/ and the crashes kept as
 * fixtures), so that every build replays what the fuzzers found, under
 * ASan too in check-asan.  A target's own abort() is the failure; exit
 * 0 when every input passed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
run_file(const char *path)
{
	unsigned char *buf = NULL, *nb;
	size_t n = 0, cap = 0, r;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: cannot open\n", path);
		return -1;
	}
	for (;;) {
		if (cap - n < 65536) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		if ((r = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	(void)LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in the order of their names. */
static int
run_dir(const char *dir, size_t *count)
{
	char **names = NULL, **nn, path[4096];
	size_t n = 0, i;
	struct dirent *e;
	int rc = 0, len;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: cannot open\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (nn[n] = strdup(e->d_name)) == NULL) {
			fprintf(stderr, "replay: out of memory\n");
			rc = -1;
			if (nn != NULL)
				names = nn;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), names_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (len < 0 || (size_t)len >= sizeof(path)) {
			fprintf(stderr, "replay: a path is too long\n");
			rc = -1;
			break;
		}
		rc = run_file(path);
		(*count)++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat sb;
	size_t count = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			fprintf(stderr, "replay: %s: no such file\n", argv[i]);
			return 66;
		}
		if (S_ISDIR(sb.st_mode) ? run_dir(argv[i], &count) != 0 :
		    run_file(argv[i]) != 0)
			return 66;
		if (!S_ISDIR(sb.st_mode))
			count++;
	}
	printf("replay: %zu inputs passed\n", count);
	return 0;
}
