/* idx: MNIST's IDX files (common/idx.c), read as images and as labels,
 * from a regular file (a memfd: the size is checked before reading) and
 * from a pipe (the buffer grows as data comes). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "idx.h"

#define PIPEMAX 60000           /* fits a pipe's buffer: no reader thread */

static volatile unsigned sink;

static void
load(const char *path, int images)
{
	struct idx x = { 0 };
	char err[256];
	size_t n;
	int rc;

	rc = images ? idx_load_images(path, &x, err, sizeof(err)) :
	    idx_load_labels(path, &x, err, sizeof(err));
	if (rc == 0) {
		n = (size_t)x.n * (images ? (size_t)x.rows * x.cols : 1);
		if (x.n < 1 || x.data == NULL ||
		    (images && (x.rows < 1 || x.cols < 1)))
			abort();
		sink += x.data[n - 1];  /* the last byte is there */
		if (fuzz_verbose())
			printf("%d %s of %dx%d\n", x.n, images ? "images" :
			    "labels", x.rows, x.cols);
		idx_free(&x);
	} else if (err[0] == '\0')
		abort();
	else if (fuzz_verbose())
		printf("error: %s\n", err);
}

static void
from_memfd(const uint8_t *data, size_t size, int images)
{
	char path[64];
	int fd;

	if ((fd = memfd_create("idx", 0)) < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	load(path, images);
	close(fd);
}

static void
from_pipe(const uint8_t *data, size_t size, int images)
{
	char path[64];
	int p[2];

	if (size > PIPEMAX || pipe(p) < 0)
		return;
	fcntl(p[1], F_SETPIPE_SZ, 65536);
	if (size > 0 && write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	load(path, images);
	close(p[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	from_memfd(data, size, 1);
	from_memfd(data, size, 0);
	from_pipe(data, size, 1);
	from_pipe(data, size, 0);
	return 0;
}
