/* idx: MNIST's IDX files (unsigned byte images and labels), bounds-checked */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "util.h"

#define IDX_MAGIC_IMAGES 0x00000803     /* unsigned bytes, 3 dimensions */
#define IDX_MAGIC_LABELS 0x00000801     /* unsigned bytes, 1 dimension */
#define IDX_CHUNK (1 << 20)             /* first read size on a pipe */

struct kind {
	uint32_t magic;
	int ndim;               /* dimensions after the magic */
	const char *what;       /* "image" */
	uint32_t othermagic;    /* the other kind's, named in a message */
	const char *other;
};

static const struct kind kimages = {
	IDX_MAGIC_IMAGES, 3, "image", IDX_MAGIC_LABELS, ", a label file"
};
static const struct kind klabels = {
	IDX_MAGIC_LABELS, 1, "label", IDX_MAGIC_IMAGES, ", an image file"
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * Read the header of kind k: 0 with dim[0] items of dim[1] x dim[2]
 * (1 x 1 for labels), else -1 with a message.
 */
static int
readheader(FILE *fp, const char *path, const struct kind *k, uint32_t dim[3],
    char *err, int errlen)
{
	unsigned char hdr[16];
	size_t want = 4 + 4 * (size_t)k->ndim, got;
	uint32_t magic;

	got = fread(hdr, 1, want, fp);
	if (ferror(fp)) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (got == 0) {
		seterr(err, errlen, "%s: empty file", path);
		return -1;
	}
	if (got >= 4 && (magic = be32(hdr)) != k->magic) {
		seterr(err, errlen, "%s: not an IDX %s file (magic 0x%08lx%s)",
		    path, k->what, (unsigned long)magic,
		    magic == k->othermagic ? k->other : "");
		return -1;
	}
	if (got < want) {
		seterr(err, errlen, "%s: truncated header (%zu of %zu bytes)",
		    path, got, want);
		return -1;
	}
	dim[0] = be32(hdr + 4);
	dim[1] = k->ndim == 3 ? be32(hdr + 8) : 1;
	dim[2] = k->ndim == 3 ? be32(hdr + 12) : 1;
	if (dim[0] == 0 || dim[0] > INT_MAX) {
		seterr(err, errlen, "%s: absurd count: %lu %ss", path,
		    (unsigned long)dim[0], k->what);
		return -1;
	}
	if (dim[1] == 0 || dim[1] > IDX_MAXSIDE ||
	    dim[2] == 0 || dim[2] > IDX_MAXSIDE) {
		seterr(err, errlen, "%s: absurd dimensions %lux%lu", path,
		    (unsigned long)dim[1], (unsigned long)dim[2]);
		return -1;
	}
	return 0;
}

/*
 * Read up to want bytes into a new buffer, first with room for cap.
 * The buffer grows as data comes, so that a lying header on a pipe
 * does not make us allocate it all; a regular file passes cap = want
 * and is read with one fread.  Sets *got (short on end of file).
 */
static unsigned char *
readbody(FILE *fp, size_t want, size_t cap, size_t *got)
{
	unsigned char *buf;
	size_t n = 0;

	buf = xmalloc(cap);
	for (;;) {
		n += fread(buf + n, 1, cap - n, fp);
		if (n < cap || n == want)
			break;
		cap = cap > want / 2 ? want : 2 * cap;
		buf = xrealloc(buf, cap);
	}
	*got = n;
	return buf;
}

/* Describe the items of dim in buf: "60000 images of 28x28", "10 labels". */
static const char *
items(char *buf, size_t len, const struct kind *k, const uint32_t dim[3])
{
	if (k->ndim == 1)
		snprintf(buf, len, "%lu %ss", (unsigned long)dim[0], k->what);
	else
		snprintf(buf, len, "%lu %ss of %lux%lu", (unsigned long)dim[0],
		    k->what, (unsigned long)dim[1], (unsigned long)dim[2]);
	return buf;
}

/*
 * The size check before reading: a regular file of st must be exactly
 * as long as the header says.  0 if it is (or cannot be known), else -1.
 */
static int
checksize(const struct stat *st, const char *path, const struct kind *k,
    const uint32_t dim[3], uint64_t size, char *err, int errlen)
{
	uint64_t hlen = 4 + 4 * (uint64_t)k->ndim, avail;
	char say[80];

	if (!S_ISREG(st->st_mode))
		return 0;
	avail = (uint64_t)st->st_size;
	avail = avail > hlen ? avail - hlen : 0;
	if (avail < size) {
		seterr(err, errlen, "%s: truncated: header says %s, file holds "
		    "%llu", path, items(say, sizeof(say), k, dim),
		    (unsigned long long)(avail / ((uint64_t)dim[1] * dim[2])));
		return -1;
	}
	if (avail > size) {
		seterr(err, errlen, "%s: %llu byte%s of trailing junk after "
		    "the %s", path, (unsigned long long)(avail - size),
		    avail - size == 1 ? "" : "s",
		    items(say, sizeof(say), k, dim));
		return -1;
	}
	return 0;
}

/*
 * Read the items after the header of fp (which fstat said is st) into
 * out; 0, or -1 with a message.
 */
static int
readitems(FILE *fp, const struct stat *st, const char *path,
    const struct kind *k, const uint32_t dim[3], struct idx *out, char *err,
    int errlen)
{
	uint64_t size = (uint64_t)dim[0] * dim[1] * dim[2];
	unsigned char *data;
	size_t got;
	char say[80];

	if (size > SIZE_MAX) {
		seterr(err, errlen, "%s: absurd dimensions: %s do not fit in "
		    "memory", path, items(say, sizeof(say), k, dim));
		return -1;
	}
	if (checksize(st, path, k, dim, size, err, errlen) == -1)
		return -1;
	data = readbody(fp, size, S_ISREG(st->st_mode) ? size :
	    MIN(size, IDX_CHUNK), &got);
	if (ferror(fp)) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		free(data);
		return -1;
	}
	if (got < size) {
		seterr(err, errlen, "%s: truncated: header says %s, file holds "
		    "%zu", path, items(say, sizeof(say), k, dim),
		    got / ((size_t)dim[1] * dim[2]));
		free(data);
		return -1;
	}
	if (getc(fp) != EOF) {
		seterr(err, errlen, "%s: trailing junk after the %s", path,
		    items(say, sizeof(say), k, dim));
		free(data);
		return -1;
	}
	out->n = (int)dim[0];
	out->rows = k->ndim == 1 ? 0 : (int)dim[1];
	out->cols = k->ndim == 1 ? 0 : (int)dim[2];
	out->data = data;
	return 0;
}

static int
idx_load(const char *path, const struct kind *k, struct idx *out, char *err,
    int errlen)
{
	struct stat st;
	uint32_t dim[3];
	FILE *fp;
	int r = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == -1)
		seterr(err, errlen, "%s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		seterr(err, errlen, "%s: %s", path, strerror(EISDIR));
	else if (readheader(fp, path, k, dim, err, errlen) == 0)
		r = readitems(fp, &st, path, k, dim, out, err, errlen);
	fclose(fp);
	return r;
}

int
idx_load_images(const char *path, struct idx *out, char *err, int errlen)
{
	return idx_load(path, &kimages, out, err, errlen);
}

int
idx_load_labels(const char *path, struct idx *out, char *err, int errlen)
{
	return idx_load(path, &klabels, out, err, errlen);
}

int
idx_load_pair(const char *images, const char *labels, struct idx *img,
    struct idx *lab, char *err, int errlen)
{
	struct idx i, l;

	if (idx_load_images(images, &i, err, errlen) == -1)
		return -1;
	if (idx_load_labels(labels, &l, err, errlen) == -1) {
		idx_free(&i);
		return -1;
	}
	if (i.n != l.n) {
		seterr(err, errlen, "%s: images has %d items, labels %d (%s)",
		    images, i.n, l.n, labels);
		idx_free(&i);
		idx_free(&l);
		return -1;
	}
	*img = i;
	*lab = l;
	return 0;
}

void
idx_free(struct idx *x)
{
	if (x == NULL)
		return;
	free(x->data);
	x->data = NULL;
	x->n = x->rows = x->cols = 0;
}
