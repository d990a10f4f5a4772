/* t-idx: IDX loading, good files and each kind of bad one */
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"
#include "tap.h"
#include "util.h"

#define IMAGES 0x00000803
#define LABELS 0x00000801

static char dir[] = "/tmp/t-idx.XXXXXX";
static char *made[64];
static int nmade;

/* The path of name in the test folder (remembered, removed at the end). */
static const char *
path(const char *name)
{
	char buf[256];
	int i;

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	for (i = 0; i < nmade; i++)
		if (strcmp(made[i], buf) == 0)
			return made[i];
	if (nmade == (int)LEN(made))
		errx(1, "too many test files");
	made[nmade] = xstrdup(buf);
	return made[nmade++];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/*
 * Make an IDX file in memory: magic, then n (and rows, cols for an image
 * file), then len bytes of data (i % 251).  Returns its size.
 */
static size_t
mkidx(unsigned char **buf, uint32_t magic, uint32_t n, uint32_t rows,
    uint32_t cols, size_t len)
{
	size_t hlen = magic == IMAGES ? 16 : 8, i;

	*buf = xmalloc(hlen + len);
	put32(*buf, magic);
	put32(*buf + 4, n);
	if (magic == IMAGES) {
		put32(*buf + 8, rows);
		put32(*buf + 12, cols);
	}
	for (i = 0; i < len; i++)
		(*buf)[hlen + i] = i % 251;
	return hlen + len;
}

static const char *
writefile(const char *name, const void *p, size_t len)
{
	const char *f = path(name);
	FILE *fp;

	if ((fp = fopen(f, "wb")) == NULL)
		err(1, "%s", f);
	if (fwrite(p, 1, len, fp) != len || fclose(fp) == EOF)
		err(1, "%s", f);
	return f;
}

/* Write an IDX file (see mkidx) named name; returns its path. */
static const char *
writeidx(const char *name, uint32_t magic, uint32_t n, uint32_t rows,
    uint32_t cols, size_t len)
{
	unsigned char *buf;
	const char *f;
	size_t size;

	size = mkidx(&buf, magic, n, rows, cols, len);
	f = writefile(name, buf, size);
	free(buf);
	return f;
}

/* A failure with message "f: ...frag...", out left alone. */
static void
failed(int r, const struct idx *x, const char *err, const char *f,
    const char *frag, const char *what)
{
	size_t flen = strlen(f);

	if (!ok(r == -1 && strncmp(err, f, flen) == 0 &&
	    strncmp(err + flen, ": ", 2) == 0 && strstr(err, frag) != NULL &&
	    x->n == -7 && x->data == NULL, "%s", what))
		diag("r=%d err=\"%s\", want \"%s: ...%s...\"", r, err, f, frag);
}

/* Load image file f, expecting the error frag. */
static void
badimages(const char *f, const char *frag, const char *what)
{
	struct idx x = { -7, -7, -7, NULL };
	char err[256] = "";

	failed(idx_load_images(f, &x, err, sizeof(err)), &x, err, f, frag,
	    what);
}

static void
badlabels(const char *f, const char *frag, const char *what)
{
	struct idx x = { -7, -7, -7, NULL };
	char err[256] = "";

	failed(idx_load_labels(f, &x, err, sizeof(err)), &x, err, f, frag,
	    what);
}

static int
isdata(const struct idx *x, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (x->data[i] != i % 251)
			return 0;
	return 1;
}

static void
test_good(void)
{
	const char *fi, *fl;
	struct idx img, lab;
	char err[256] = "";
	int r;

	fi = writeidx("img", IMAGES, 3, 2, 4, 24);
	fl = writeidx("lab", LABELS, 3, 0, 0, 3);
	r = idx_load_pair(fi, fl, &img, &lab, err, sizeof(err));
	if (!ok(r == 0, "a good pair loads"))
		diag("%s", err);
	if (r != 0)
		return;
	ok(img.n == 3 && img.rows == 2 && img.cols == 4, "images: 3 of 2x4");
	ok(isdata(&img, 24), "images: the pixels");
	ok(lab.n == 3 && lab.rows == 0 && lab.cols == 0, "labels: 3, no sides");
	ok(isdata(&lab, 3), "labels: the values");
	idx_free(&img);
	idx_free(&lab);
	ok(img.data == NULL && img.n == 0, "idx_free clears");
	idx_free(&img);
	ok(1, "idx_free twice is harmless");
}

static void
test_magic(void)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n0123456789abcdef";

	badimages(writeidx("lab", LABELS, 3, 0, 0, 3),
	    "not an IDX image file (magic 0x00000801, a label file)",
	    "a label file is not an image file");
	badlabels(writeidx("img", IMAGES, 3, 2, 4, 24),
	    "not an IDX label file (magic 0x00000803, an image file)",
	    "an image file is not a label file");
	badimages(writefile("png", png, sizeof(png) - 1),
	    "not an IDX image file (magic 0x89504e47)", "a PNG is not IDX");
	badimages(writeidx("f32", 0x00000d03, 3, 2, 4, 96),
	    "not an IDX image file (magic 0x00000d03)", "float IDX refused");
}

static void
test_truncated(void)
{
	unsigned char *buf;

	mkidx(&buf, IMAGES, 3, 2, 4, 0);
	badimages(writefile("hdr", buf, 10),
	    "truncated header (10 of 16 bytes)", "truncated image header");
	badimages(writefile("hdr", buf, 3), "truncated header (3 of 16 bytes)",
	    "a 3-byte file");
	badimages(writefile("hdr", buf, 0), "empty file", "an empty file");
	free(buf);
	mkidx(&buf, LABELS, 3, 0, 0, 0);
	badlabels(writefile("hdr", buf, 6), "truncated header (6 of 8 bytes)",
	    "truncated label header");
	free(buf);
	badimages(writeidx("img", IMAGES, 3, 2, 4, 20),
	    "truncated: header says 3 images of 2x4, file holds 2",
	    "truncated images");
	badimages(writeidx("img", IMAGES, 3, 2, 4, 0),
	    "truncated: header says 3 images of 2x4, file holds 0",
	    "images header alone");
	badlabels(writeidx("lab", LABELS, 3, 0, 0, 2),
	    "truncated: header says 3 labels, file holds 2",
	    "truncated labels");
	badimages(writeidx("img", IMAGES, 0x7fffffff, 4096, 4096, 10),
	    "truncated: header says 2147483647 images of 4096x4096, "
	    "file holds 0", "a huge header on a small file (no allocation)");
}

static void
test_trailing(void)
{
	badimages(writeidx("img", IMAGES, 3, 2, 4, 29),
	    "5 bytes of trailing junk after the 3 images of 2x4",
	    "trailing bytes after images");
	badlabels(writeidx("lab", LABELS, 3, 0, 0, 4),
	    "1 byte of trailing junk after the 3 labels",
	    "a trailing byte after labels");
}

static void
test_dimensions(void)
{
	badimages(writeidx("img", IMAGES, 3, 0, 4, 0),
	    "absurd dimensions 0x4", "zero rows");
	badimages(writeidx("img", IMAGES, 3, 4, 0, 0),
	    "absurd dimensions 4x0", "zero columns");
	badimages(writeidx("img", IMAGES, 0, 2, 4, 0),
	    "absurd count: 0 images", "zero images");
	badlabels(writeidx("lab", LABELS, 0, 0, 0, 0),
	    "absurd count: 0 labels", "zero labels");
	badimages(writeidx("img", IMAGES, 3, 2, IDX_MAXSIDE + 1, 0),
	    "absurd dimensions 2x4097", "a side over IDX_MAXSIDE");
	badimages(writeidx("img", IMAGES, 3, 0xffffffff, 0xffffffff, 0),
	    "absurd dimensions 4294967295x4294967295", "huge sides");
	badimages(writeidx("img", IMAGES, 0x80000000u, 28, 28, 0),
	    "absurd count: 2147483648 images", "a count over INT_MAX");
	badlabels(writeidx("lab", LABELS, 0xffffffff, 0, 0, 0),
	    "absurd count: 4294967295 labels", "a huge label count");
}

static void
test_files(void)
{
	struct idx img = { -7, -7, -7, NULL }, lab = { -7, -7, -7, NULL };
	const char *fi, *fl;
	char err[256] = "", small[12];
	int r;

	badimages(path("nonesuch"), "No such file or directory",
	    "a missing file");
	badlabels(dir, "Is a directory", "a directory");
	fi = writeidx("img", IMAGES, 3, 2, 4, 24);
	fl = writeidx("lab", LABELS, 2, 0, 0, 2);
	r = idx_load_pair(fi, fl, &img, &lab, err, sizeof(err));
	failed(r, &img, err, fi, "images has 3 items, labels 2",
	    "a count mismatch between images and labels");
	ok(lab.n == -7 && lab.data == NULL, "mismatch: labels untouched");
	r = idx_load_pair(path("nonesuch"), fl, &img, &lab, err, sizeof(err));
	failed(r, &img, err, path("nonesuch"), "No such file",
	    "a pair with no image file");
	r = idx_load_pair(fi, path("nonesuch"), &img, &lab, err, sizeof(err));
	failed(r, &lab, err, path("nonesuch"), "No such file",
	    "a pair with no label file");
	memset(small, 'x', sizeof(small));
	r = idx_load_images(path("nonesuch"), &img, small, 8);
	ok(r == -1 && small[7] == '\0' && small[8] == 'x',
	    "a short err buffer is cut, not overrun");
	r = idx_load_images(path("nonesuch"), &img, NULL, 0);
	ok(r == -1, "err may be NULL");
}

/*
 * Load an IDX file through a FIFO that a child fills with len bytes of
 * buf, so that the reader cannot know the size in advance.
 */
static int
loadfifo(const unsigned char *buf, size_t len, int labels, struct idx *x,
    char *msg, int msglen)
{
	const char *f = path("fifo");
	pid_t pid;
	FILE *fp;
	int r, status;

	unlink(f);
	if (mkfifo(f, 0600) == -1)
		err(1, "mkfifo %s", f);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if ((fp = fopen(f, "wb")) == NULL)
			_exit(1);
		fwrite(buf, 1, len, fp);
		_exit(fclose(fp) == EOF);
	}
	r = labels ? idx_load_labels(f, x, msg, msglen) :
	    idx_load_images(f, x, msg, msglen);
	waitpid(pid, &status, 0);
	return r;
}

static void
test_pipe(void)
{
	struct idx x = { -7, -7, -7, NULL };
	unsigned char *buf;
	char err[256] = "";
	size_t size;
	int r;

	/* 1000 images of 40x40: 1.6 MB, more than the first chunk read */
	size = mkidx(&buf, IMAGES, 1000, 40, 40, 1600000);
	r = loadfifo(buf, size, 0, &x, err, sizeof(err));
	if (!ok(r == 0 && x.n == 1000 && x.rows == 40 && x.cols == 40 &&
	    isdata(&x, 1600000), "images from a pipe"))
		diag("%s", err);
	if (r == 0)
		idx_free(&x);
	x.n = -7;
	r = loadfifo(buf, size - 1601, 0, &x, err, sizeof(err));
	failed(r, &x, err, path("fifo"),
	    "truncated: header says 1000 images of 40x40, file holds 998",
	    "truncated images from a pipe");
	free(buf);
	size = mkidx(&buf, LABELS, 5, 0, 0, 6);
	r = loadfifo(buf, size, 1, &x, err, sizeof(err));
	failed(r, &x, err, path("fifo"), "trailing junk after the 5 labels",
	    "trailing junk from a pipe");
	free(buf);
	mkidx(&buf, IMAGES, 0x7fffffff, 4096, 4096, 0);
	r = loadfifo(buf, 16, 0, &x, err, sizeof(err));
	failed(r, &x, err, path("fifo"), "file holds 0",
	    "a huge header on a pipe (no allocation)");
	free(buf);
}

/* Load the real pair named prefix from folder d: n items of 28x28. */
static void
mnistpair(const char *d, const char *prefix, int n, int label0)
{
	char fi[4096], fl[4096], err[256] = "";
	struct idx img, lab;
	int r;

	snprintf(fi, sizeof(fi), "%s/%s-images-idx3-ubyte", d, prefix);
	snprintf(fl, sizeof(fl), "%s/%s-labels-idx1-ubyte", d, prefix);
	r = idx_load_pair(fi, fl, &img, &lab, err, sizeof(err));
	if (!ok(r == 0 && img.n == n && img.rows == 28 && img.cols == 28 &&
	    lab.n == n && lab.data[0] == label0,
	    "MNIST %s: %d of 28x28, first label %d", prefix, n, label0))
		diag("%s", err);
	if (r == 0) {
		idx_free(&img);
		idx_free(&lab);
	}
}

/*
 * The real files, in the folder $MNIST_DATA, else data/mnist (prove
 * runs from the top of the tree, after scripts/fetch-mnist).
 */
static void
test_mnist(void)
{
	const char *d = getenv("MNIST_DATA");

	if (d == NULL || *d == '\0') {
		d = "data/mnist";
		if (access("data/mnist/t10k-images-idx3-ubyte", R_OK) == -1) {
			ok(1, "MNIST t10k # skip no MNIST_DATA or data/mnist");
			ok(1, "MNIST train # skip no MNIST_DATA or data/mnist");
			return;
		}
	}
	mnistpair(d, "t10k", 10000, 7);
	mnistpair(d, "train", 60000, 5);
}

int
main(void)
{
	int i;

	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp %s", dir);
	test_good();
	test_magic();
	test_truncated();
	test_trailing();
	test_dimensions();
	test_files();
	test_pipe();
	test_mnist();
	for (i = 0; i < nmade; i++) {
		unlink(made[i]);
		free(made[i]);
	}
	if (rmdir(dir) == -1)
		warn("rmdir %s", dir);
	return done_testing();
}
