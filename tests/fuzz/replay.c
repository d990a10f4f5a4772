/*
 * replay: a main() for a fuzz harness, so that it builds without clang
 * and libFuzzer: each argument, a file or a folder of files, is read
 * whole and handed to LLVMFuzzerTestOneInput, once.  Prints the number of
 * inputs run; a harness that finds a bug aborts (or the sanitizers do).
 */
#include <dirent.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static long runs;

static void
one(const char *path)
{
	unsigned char *buf = NULL, *copy;
	size_t len = 0, cap = 0, k;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	do {
		if (len == cap && (buf = realloc(buf, cap = 2 * cap + 4096)) ==
		    NULL)
			errx(1, "out of memory");
		len += k = fread(buf + len, 1, cap - len, fp);
	} while (k > 0);
	if (ferror(fp))
		err(1, "%s", path);
	fclose(fp);
	/* an exact copy, so that a read past the input's end is caught */
	if ((copy = malloc(len ? len : 1)) == NULL)
		errx(1, "out of memory");
	memcpy(copy, buf, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	free(buf);
	runs++;
}

/* A folder's files in name order (their order does not matter, but a
 * failing run is easier to follow so). */
static void
folder(const char *path)
{
	struct dirent **ent;
	char *p;
	int i, n;

	if ((n = scandir(path, &ent, NULL, alphasort)) < 0)
		err(1, "%s", path);
	for (i = 0; i < n; i++) {
		if (ent[i]->d_name[0] != '.') {
			if ((p = malloc(strlen(path) + strlen(ent[i]->d_name) +
			    2)) == NULL)
				errx(1, "out of memory");
			sprintf(p, "%s/%s", path, ent[i]->d_name);
			one(p);
			free(p);
		}
		free(ent[i]);
	}
	free(ent);
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: replay file|folder ...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0)
			err(1, "%s", argv[i]);
		if (S_ISDIR(st.st_mode))
			folder(argv[i]);
		else
			one(argv[i]);
	}
	printf("%ld inputs\n", runs);
	return 0;
}
