/* t-imgio: netpbm streams with "# key=value" metadata; meta and img too */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "imgio.h"
#include "meta.h"
#include "util.h"
#include "tap.h"

/* A stream holding len bytes of buf, positioned at its start. */
static FILE *
memfile(const void *buf, size_t len)
{
	FILE *fp;

	if ((fp = tmpfile()) == NULL) {
		perror("tmpfile");
		exit(1);
	}
	if (len > 0 && fwrite(buf, 1, len, fp) != len) {
		perror("fwrite");
		exit(1);
	}
	rewind(fp);
	return fp;
}

/* Read every image of buf; the return of the last imgio_read. */
static int
readall(const void *buf, size_t len, long maxpix, long *nimg, char *err)
{
	struct imgio r;
	struct img *im;
	FILE *fp = memfile(buf, len);
	int rc;

	imgio_open(&r, fp, "test");
	if (maxpix > 0)
		r.maxpix = maxpix;
	while ((rc = imgio_read(&r, &im)) == 1)
		img_free(im);
	if (nimg != NULL)
		*nimg = r.count;
	if (err != NULL)
		strcpy(err, r.err);
	fclose(fp);
	return rc;
}

static void
test_meta(void)
{
	struct meta m = { 0 };
	char val[256];
	int rc;

	ok(meta_set(&m, "src", "scan7.png") == 0 &&
	    strcmp(meta_get(&m, "src"), "scan7.png") == 0, "meta_set, meta_get");
	meta_set(&m, "idx", "3");
	meta_setf(&m, "box", "%d %d %d %d", 40, 12, 28, 28);
	ok(meta_set(&m, "src", "other.png") == 0 && m.n == 3 &&
	    strcmp(meta_get(&m, "src"), "other.png") == 0,
	    "meta_set replaces an existing key in place");
	ok(strcmp(m.key[0], "src") == 0 && strcmp(m.key[1], "idx") == 0 &&
	    strcmp(m.key[2], "box") == 0, "insertion order kept");
	ok(strcmp(meta_get(&m, "box"), "40 12 28 28") == 0, "meta_setf");
	ok(meta_get(&m, "nope") == NULL, "meta_get of a missing key is NULL");
	ok(meta_set(&m, "", "x") < 0 && meta_set(&m, "Key", "x") < 0 &&
	    meta_set(&m, "a-b", "x") < 0 && meta_set(&m, "a b", "x") < 0 &&
	    meta_set(&m, "a=b", "x") < 0 && m.n == 3, "bad keys refused");
	ok(meta_set(&m, "k", "a\nb") < 0 && meta_set(&m, "k", "a\rb") < 0,
	    "newline in value refused");
	ok(meta_set(&m, "empty", "") == 0 && strcmp(meta_get(&m, "empty"),
	    "") == 0, "empty value allowed");
	memset(val, 'v', 194);
	val[194] = '\0';        /* "# k=" + 194 + "\n" is 199 bytes */
	rc = meta_set(&m, "k", val);
	val[194] = 'v';
	val[195] = '\0';
	ok(rc == 0 && meta_set(&m, "k", val) < 0,
	    "a line of %d bytes fits, %d does not", META_LINE - 1, META_LINE);
	ok(meta_setf(&m, "long", "%0250d", 1) < 0, "meta_setf too long");
	meta_clear(&m);
}

/* meta_getl, meta_copy, meta_clear, META_MAX */
static void
test_meta_more(void)
{
	struct meta m = { 0 }, d = { 0 };
	char key[16];
	int i, rc;

	meta_set(&m, "src", "a.png");
	meta_set(&m, "idx", "3");
	meta_set(&m, "empty", "");
	meta_set(&m, "n", "42");
	meta_set(&m, "neg", "-7");
	meta_set(&m, "junk", "4x");
	meta_set(&m, "huge", "99999999999999999999999");
	ok(meta_getl(&m, "n", -1) == 42 && meta_getl(&m, "neg", 0) == -7,
	    "meta_getl");
	ok(meta_getl(&m, "junk", -1) == -1 && meta_getl(&m, "empty", -2) == -2 &&
	    meta_getl(&m, "nope", -3) == -3 && meta_getl(&m, "huge", -4) == -4,
	    "meta_getl gives def for junk, empty, missing, overflow");

	meta_set(&d, "idx", "9");
	meta_set(&d, "own", "yes");
	meta_copy(&d, &m);
	ok(d.n == m.n + 1 && strcmp(meta_get(&d, "idx"), "3") == 0 &&
	    strcmp(meta_get(&d, "own"), "yes") == 0 &&
	    strcmp(d.key[2], "src") == 0 && strcmp(d.key[3], "empty") == 0,
	    "meta_copy");
	meta_clear(&d);
	ok(d.n == 0 && meta_get(&d, "own") == NULL, "meta_clear");
	meta_clear(&m);

	for (i = 0, rc = 0; i < META_MAX; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		rc |= meta_set(&m, key, "x");
	}
	ok(rc == 0 && meta_set(&m, "more", "x") < 0 && m.n == META_MAX &&
	    meta_set(&m, "k5", "y") == 0, "%d pairs at most; replace when full",
	    META_MAX);
	meta_clear(&m);
}

static void
test_img(void)
{
	static const unsigned char rgb[] = {
		255, 0, 0,  0, 255, 0,  0, 0, 255,  255, 255, 255,  128, 128, 128,
		10, 20, 30
	};
	static const unsigned char want[] = { 76, 150, 29, 255, 128, 18 };
	struct img *im, *g, *g2;
	size_t i;
	int zero = 1;

	im = img_new(7, 5, 3);
	for (i = 0; i < 7 * 5 * 3; i++)
		zero &= im->px[i] == 0;
	ok(zero && im->w == 7 && im->h == 5 && im->c == 3 && im->meta.n == 0,
	    "img_new zero-fills");
	img_free(im);

	im = img_new(6, 1, 3);
	memcpy(im->px, rgb, sizeof(rgb));
	meta_set(&im->meta, "src", "x.ppm");
	g = img_grey(im);
	ok(g->c == 1 && g->w == 6 && memcmp(g->px, want, 6) == 0,
	    "img_grey: BT.601 luma, rounded");
	ok(strcmp(meta_get(&g->meta, "src"), "x.ppm") == 0,
	    "img_grey copies metadata");
	g2 = img_grey(g);
	ok(memcmp(g2->px, g->px, 6) == 0 && g2->meta.n == 1,
	    "img_grey of a grey image copies it");
	img_free(im);
	img_free(g);
	img_free(g2);
}

static int
sameimg(const struct img *a, const struct img *b)
{
	int i;

	if (a->w != b->w || a->h != b->h || a->c != b->c ||
	    a->meta.n != b->meta.n)
		return 0;
	for (i = 0; i < a->meta.n; i++)
		if (strcmp(a->meta.key[i], b->meta.key[i]) != 0 ||
		    strcmp(a->meta.val[i], b->meta.val[i]) != 0)
			return 0;
	return memcmp(a->px, b->px, (size_t)a->w * a->h * a->c) == 0;
}

static void
test_roundtrip(void)
{
	struct img *a, *b, *x, *y;
	struct imgio r;
	FILE *fp;
	size_t i;
	int rc1, rc2, rc3;

	a = img_new(31, 17, 1);
	b = img_new(5, 3, 3);
	for (i = 0; i < 31 * 17; i++)
		a->px[i] = i * 7;
	for (i = 0; i < 5 * 3 * 3; i++)
		b->px[i] = 255 - i;
	a->px[0] = '\n';        /* raster bytes that look like header */
	a->px[1] = '#';
	meta_set(&a->meta, "src", "scan 7.png");
	meta_setf(&a->meta, "box", "%d %d %d %d", 40, 12, 28, 28);
	meta_set(&a->meta, "idx", "3");
	meta_set(&b->meta, "count", "0");
	fp = tmpfile();
	ok(imgio_write(fp, a) == 0 && imgio_write(fp, b) == 0,
	    "imgio_write P5 and P6");
	fputs("\n \n", fp);
	rewind(fp);
	imgio_open(&r, fp, "tmp");
	rc1 = imgio_read(&r, &x);
	ok(rc1 == 1 && sameimg(a, x), "P5 with meta round trip");
	img_free(x);
	rc2 = imgio_read(&r, &y);
	ok(rc2 == 1 && sameimg(b, y), "P6 with meta round trip");
	img_free(y);
	rc3 = imgio_read(&r, &x);
	ok(rc3 == 0 && x == NULL && r.count == 2,
	    "then trailing whitespace and the end: 0");
	fclose(fp);

	fp = tmpfile();
	imgio_write(fp, a);
	rewind(fp);
	{
		char buf[64];
		size_t n = fread(buf, 1, sizeof(buf) - 1, fp);

		buf[n] = '\0';
		ok(strncmp(buf, "P5\n# src=scan 7.png\n# box=40 12 28 28\n"
		    "# idx=3\n31 17\n255\n", 52) == 0, "header layout");
	}
	fclose(fp);
	if ((fp = fopen("/dev/full", "w")) != NULL) {
		setvbuf(fp, NULL, _IONBF, 0);
		ok(imgio_write(fp, a) < 0, "imgio_write reports a write error");
		fclose(fp);
	}
	img_free(a);
	img_free(b);
}

/* (v * 255 + m / 2) / m, the scaling the reader promises */
static int
sc(unsigned v, unsigned m)
{
	return (v * 255 + m / 2) / m;
}

static void
test_mixed(void)
{
	static const char s[] =
	    "P2 # key1=plain\n3 # w done\n2\n# maxval=next\n15\n"
	    "0 15 7\n# in the raster=ignored\n15 0 8\n"
	    "P5\n#tight=1\n2 #Upper=1\n2\n# not a pair\n255# after=maxval\n"
	    "\001\002\003\004"
	    "\n\nP6 2 1 255\n\011\012\013\014\015\016"
	    "P1\n# p1=yes\n3 2\n1 0 1\n010\n"
	    "P4\n10 2\n\245\300\000\077"
	    "P3 1 1 3 3 0 1\n\n";
	static const unsigned char p4[] = {
		0, 255, 0, 255, 255, 0, 255, 0, 0, 0,
		255, 255, 255, 255, 255, 255, 255, 255, 255, 255
	};
	unsigned char p2[6];
	struct imgio r;
	struct img *im[7];
	FILE *fp = memfile(s, sizeof(s) - 1);
	int i, n;

	imgio_open(&r, fp, "mixed");
	for (n = 0; n < 7 && imgio_read(&r, &im[n]) == 1; n++)
		;
	ok(n == 6 && r.count == 6, "six images in a mixed stream (%s)", r.err);
	if (n != 6)
		goto out;
	p2[0] = 0, p2[1] = 255, p2[2] = sc(7, 15);
	p2[3] = 255, p2[4] = 0, p2[5] = sc(8, 15);
	ok(im[0]->w == 3 && im[0]->h == 2 && im[0]->c == 1 &&
	    memcmp(im[0]->px, p2, 6) == 0, "P2, maxval 15");
	ok(im[0]->meta.n == 2 && strcmp(meta_get(&im[0]->meta, "key1"),
	    "plain") == 0 && strcmp(meta_get(&im[0]->meta, "maxval"),
	    "next") == 0, "P2 comments between header fields");
	ok(im[1]->w == 2 && im[1]->h == 2 && memcmp(im[1]->px, "\1\2\3\4",
	    4) == 0, "P5 with comments in odd places");
	ok(im[1]->meta.n == 2 && strcmp(meta_get(&im[1]->meta, "tight"),
	    "1") == 0 && strcmp(meta_get(&im[1]->meta, "after"),
	    "maxval") == 0, "P5: pairs kept, others ignored");
	ok(im[2]->c == 3 && im[2]->w == 2 &&
	    memcmp(im[2]->px, "\011\012\013\014\015\016", 6) == 0, "P6");
	ok(im[3]->c == 1 && im[3]->w == 3 && im[3]->h == 2 &&
	    memcmp(im[3]->px, "\0\377\0\377\0\377", 6) == 0 &&
	    strcmp(meta_get(&im[3]->meta, "p1"), "yes") == 0,
	    "P1: 1 is black (0), blanks optional");
	ok(im[4]->w == 10 && im[4]->h == 2 && memcmp(im[4]->px, p4, 20) == 0,
	    "P4: packed bits, padded rows");
	ok(im[5]->c == 3 && im[5]->px[0] == 255 && im[5]->px[1] == 0 &&
	    im[5]->px[2] == 85, "P3, maxval 3");
	ok(imgio_read(&r, &im[6]) == 0, "then the end");
out:
	for (i = 0; i < n; i++)
		img_free(im[i]);
	fclose(fp);
}

static void
test_deep(void)
{
	static const char s[] =
	    "P5 3 1 65535\n\000\000\377\377\200\000"
	    "P6 1 1 1000\n\001\364\003\350\000\001"
	    "P2 3 1 65535 257 65535 32767\n"
	    "P5 2 1 1\n\001\000";
	struct imgio r;
	struct img *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	FILE *fp = memfile(s, sizeof(s) - 1);

	imgio_open(&r, fp, "deep");
	if (imgio_read(&r, &a) == 1 && imgio_read(&r, &b) == 1 &&
	    imgio_read(&r, &c) == 1 && imgio_read(&r, &d) == 1) {
		ok(a->px[0] == 0 && a->px[1] == 255 && a->px[2] == 128,
		    "16-bit P5 scaled with rounding");
		ok(b->px[0] == 128 && b->px[1] == 255 && b->px[2] == 0,
		    "16-bit P6, maxval 1000");
		ok(c->px[0] == 1 && c->px[1] == 255 && c->px[2] == 127,
		    "P2 with maxval 65535");
		ok(d->px[0] == 255 && d->px[1] == 0, "P5 with maxval 1");
	} else
		ok(0, "16-bit stream read (%s)", r.err);
	img_free(a);
	img_free(b);
	img_free(c);
	img_free(d);
	fclose(fp);
}

/* PAM: each depth and tuple type, 8 and 16 bits, alpha over white. */
static void
test_pam(void)
{
	static const char s[] =
	    "P7\n# src=pam.png\nWIDTH 3 \nHEIGHT 1\n\n  DEPTH 1\r\n"
	    "MAXVAL 255\n#plain comment\nTUPLTYPE GRAYSCALE\nENDHDR\n"
	    "\001\002\003"
	    "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 1\nMAXVAL 1\n"
	    "TUPLTYPE BLACKANDWHITE\nENDHDR\n\000\001"
	    "P7\nWIDTH 4\nHEIGHT 1\nDEPTH 2\nMAXVAL 255\n"
	    "TUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n"
	    "\310\000\000\377\144\377\000\063"
	    "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 3\nMAXVAL 65535\nTUPLTYPE RGB\n"
	    "ENDHDR\n\377\377\200\000\000\000\000\001\001\001\377\377"
	    "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 4\nMAXVAL 65535\n"
	    "TUPLTYPE RGB_ALPHA\nENDHDR\n"
	    "\000\000\000\000\000\000\000\000"
	    "\377\377\000\000\000\000\377\377"
	    "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 2\nMAXVAL 3\nTUPLTYPE FOO\n"
	    "ENDHDR\n\000\001"
	    "P5 1 1 255\n\011";
	struct imgio r;
	struct img *im[8];
	FILE *fp = memfile(s, sizeof(s) - 1);
	int i, n;

	imgio_open(&r, fp, "pam");
	for (n = 0; n < 8 && imgio_read(&r, &im[n]) == 1; n++)
		;
	ok(n == 7 && r.count == 7, "six PAM images and a P5 (%s)", r.err);
	if (n != 7)
		goto out;
	ok(im[0]->c == 1 && im[0]->w == 3 && memcmp(im[0]->px, "\1\2\3",
	    3) == 0 && im[0]->meta.n == 1 &&
	    strcmp(meta_get(&im[0]->meta, "src"), "pam.png") == 0,
	    "GRAYSCALE, blank lines, spaces and CR, metadata");
	ok(im[1]->c == 1 && memcmp(im[1]->px, "\0\377", 2) == 0,
	    "BLACKANDWHITE: 0 black, 1 white");
	ok(im[2]->c == 1 && memcmp(im[2]->px, "\377\0\144\314", 4) == 0,
	    "GRAYSCALE_ALPHA over white");
	ok(im[3]->c == 3 && memcmp(im[3]->px, "\377\200\0\0\1\377",
	    6) == 0, "RGB, 16 bits");
	ok(im[4]->c == 3 && memcmp(im[4]->px, "\377\377\377\377\0\0",
	    6) == 0, "RGB_ALPHA, 16 bits: transparent black is white");
	ok(im[5]->c == 1 && im[5]->px[0] == 170,
	    "an unknown TUPLTYPE goes by its depth");
	ok(im[6]->c == 1 && im[6]->px[0] == 9, "then a P5");
	ok(imgio_read(&r, &im[7]) == 0, "then the end");
out:
	for (i = 0; i < n; i++)
		img_free(im[i]);
	fclose(fp);
}

struct bad {
	const char *in;
	size_t len;             /* 0: strlen(in) */
	const char *frag;       /* expected in r.err */
	const char *what;
};

static const struct bad bads[] = {
	{ "X5 1 1 255\n", 0, "bad magic", "bad magic" },
	{ "P9 1 1 255\n", 0, "bad magic", "bad magic digit" },
	{ "P53 2 255\nabcdef", 0, "bad magic", "no blank after the magic" },
	{ "P7\nWIDTH 1\n", 0, "truncated header", "PAM header cut short" },
	{ "P7x\n", 0, "bad magic", "P7 and no blank" },
	{ "P7 332\n", 0, "bad PAM header line \"332\"", "an XV thumbnail" },
	{ "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 1\nENDHDR\n", 0, "lacks MAXVAL",
	    "PAM without MAXVAL" },
	{ "P7\nHEIGHT 1\nDEPTH 1\nMAXVAL 1\nENDHDR\n", 0, "lacks WIDTH",
	    "PAM without WIDTH" },
	{ "P7\nWIDTH 1\nHEIGHT 1\nMAXVAL 1\nENDHDR\n", 0, "lacks DEPTH",
	    "PAM without DEPTH" },
	{ "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 5\nMAXVAL 255\nENDHDR\n", 0,
	    "depth 5 too large (want 1..4)", "PAM DEPTH 5" },
	{ "P7\nDEPTH 0\n", 0, "zero depth", "PAM DEPTH 0" },
	{ "P7\nMAXVAL 65536\n", 0, "maxval 65536 too large", "PAM MAXVAL" },
	{ "P7\nWIDTH -1\n", 0, "negative width", "PAM negative WIDTH" },
	{ "P7\nWIDTH 1x\n", 0, "bad width", "PAM junk after WIDTH" },
	{ "P7\nHEIGHT\n", 0, "bad height", "PAM HEIGHT without a value" },
	{ "P7\nWIDTH 99999999999\n", 0, "width too large", "PAM WIDTH" },
	{ "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 1\nMAXVAL 255\nTUPLTYPE RGB\n"
	    "ENDHDR\n", 0, "TUPLTYPE RGB with DEPTH 1", "PAM type and depth" },
	{ "P7\nWIDTH 1\nFOO 2\n", 0, "bad PAM header line \"FOO\"",
	    "PAM unknown header line" },
	{ "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 255\nENDHDR\nab", 0,
	    "truncated raster", "PAM truncated raster" },
	{ "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 4\nMAXVAL 65535\nENDHDR\nabcdef",
	    0, "truncated raster", "PAM truncated 16-bit alpha raster" },
	{ "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 2\nMAXVAL 100\nENDHDR\n\001\310",
	    0, "sample 200 exceeds maxval 100", "PAM alpha > maxval" },
	{ "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 1\nMAXVAL 9\nENDHDR\n\001\012",
	    0, "exceeds maxval 9", "PAM sample > maxval" },
	{ "P7\nTUPLTYPE 012345678901234567890123456789012345678901234567890123456789"
	    "012345678901234567890123456789012345678901234567890123456789"
	    "012345678901234567890123456789012345678901234567890123456789"
	    "012345678901234567890123456789012345678901234567890123456789\n", 0,
	    "too long", "PAM header line too long" },
	{ "P", 0, "truncated header", "truncated magic" },
	{ "P5", 0, "truncated header", "only a magic" },
	{ "P5 3", 0, "truncated header", "header ends after width" },
	{ "P5 3 2 # c=1\n", 0, "truncated header", "ends before maxval" },
	{ "P5 3 2 255", 0, "truncated header", "ends at maxval" },
	{ "P5 x 2 255\n", 0, "bad width", "bad width" },
	{ "P5 3x 2 255\n", 0, "bad width", "junk after width" },
	{ "P5 0 2 255\n", 0, "zero width", "zero width" },
	{ "P5 -3 2 255\n", 0, "negative width", "negative width" },
	{ "P5 3 0 255\n", 0, "zero height", "zero height" },
	{ "P5 3 -2 255\n", 0, "negative height", "negative height" },
	{ "P5 3 ? 255\n", 0, "bad height", "bad height" },
	{ "P5 99999999999999999999 2 255\n", 0, "width too large",
	    "width overflow" },
	{ "P5 2 3000000000 255\n", 0, "height too large", "height > INT_MAX" },
	{ "P5 3 2 0\n", 0, "bad maxval 0", "maxval 0" },
	{ "P5 3 2 65536\n", 0, "bad maxval 65536", "maxval 65536" },
	{ "P5 3 2 -1\n", 0, "bad maxval", "negative maxval" },
	{ "P5 3 2 255\nab", 0, "truncated raster", "truncated raster" },
	{ "P5 3 2 65535\nabcdefghijk", 0, "truncated raster",
	    "truncated 16-bit raster" },
	{ "P4 9 2\nabc", 0, "truncated raster", "truncated P4 raster" },
	{ "P2 2 2 10\n1 2 3", 0, "truncated raster", "truncated P2 raster" },
	{ "P1 2 2\n010", 0, "truncated raster", "truncated P1 raster" },
	{ "P2 2 1 10\n3 11\n", 0, "sample 11 exceeds maxval 10",
	    "plain sample > maxval" },
	{ "P3 1 1 255 1 2 300\n", 0, "exceeds maxval", "P3 sample > maxval" },
	{ "P2 2 1 10\n3 x\n", 0, "bad sample", "bad plain sample" },
	{ "P2 2 1 10\n3 4x\n", 0, "bad sample", "junk in a plain sample" },
	{ "P1 2 1\n0 2\n", 0, "bad pixel", "bad P1 pixel" },
	{ "P5 2 1 100\n\001\377", 0, "exceeds maxval", "raw sample > maxval" },
	{ "P5 1 1 1000\n\003\351", 0, "exceeds maxval",
	    "16-bit sample > maxval" },
	{ "P5 1 1 255\nA# x=1", 0, "image 2: bad magic",
	    "trailing garbage after an image" },
	{ "P5 1 1 255\nAP5 1 1 255\nBP5 2 2 255\nCC", 0,
	    "image 3: truncated raster", "the image is named" },
	{ "P5 1 1 255\nA\nP5 2 1 255 \n", 0, "image 2: truncated raster",
	    "maxval ends with a space, the raster is missing" },
	{ "P2 1 1 255 1 P5 1 1", 0, "image 2: truncated header",
	    "second header truncated" },
	{ "P5 2 1 255\n\0\0\0\0", 15, "image 2: bad magic",
	    "NUL bytes after an image" },
};

static void
test_bad(void)
{
	char err[256];
	size_t i, len;
	long n;
	int rc;

	for (i = 0; i < LEN(bads); i++) {
		len = bads[i].len ? bads[i].len : strlen(bads[i].in);
		rc = readall(bads[i].in, len, 0, &n, err);
		if (!ok(rc == -1 && strstr(err, bads[i].frag) != NULL,
		    "%s: -1, \"%s\"", bads[i].what, bads[i].frag))
			diag("rc %d, err \"%s\"", rc, err);
	}
	ok(readall("", 0, 0, &n, err) == 0 && n == 0, "empty stream: 0");
	ok(readall(" \n\t\r\n", 5, 0, &n, err) == 0 && n == 0,
	    "a stream of whitespace: 0");
	ok(readall("P5 10 10 255\n", 13, 99, NULL, err) == -1 &&
	    strstr(err, "10x10") != NULL && strstr(err, "limit of 99") != NULL &&
	    strcmp(err + strlen(err) - 6, "pixels") == 0,
	    "maxpix enforced, no option named: %s", err);
	ok(readall("P5 10 10 255\n", 13, 100, NULL, err) == -1 &&
	    strstr(err, "truncated raster") != NULL, "maxpix is inclusive");
	rc = readall("P5 60000 60000 255\n", 19, 0, NULL, err);
	ok(rc == -1 && strstr(err, "60000x60000") != NULL &&
	    strstr(err, "100000000") != NULL, "default limit: %s", err);
	rc = readall("P6 2147483647 2147483647 65535\n", 31, LONG_MAX,
	    NULL, err);
	ok(rc == -1, "no overflow with the largest sizes and no limit: %s",
	    err);
}

/* xorshift64*, so the test needs nothing but itself */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Bytes that look like netpbm often enough to get past the magic. */
static size_t
randbytes(uint64_t *s, unsigned char *buf, size_t max)
{
	static const char alpha[] = "P123456 \n#=k0123456789\t-";
	size_t i, n = rnd(s) % max;
	int mode = rnd(s) % 3;

	for (i = 0; i < n; i++) {
		if (mode == 0)
			buf[i] = rnd(s);
		else
			buf[i] = alpha[rnd(s) % (sizeof(alpha) - 1)];
	}
	if (n >= 2 && mode != 0) {
		buf[0] = 'P';
		buf[1] = "1234567"[rnd(s) % 7];
	}
	return n;
}

/* A valid stream of several kinds, to be mutated. */
static size_t
seedstream(unsigned char *buf, size_t max)
{
	static const char rest[] =
	    "P2 # a=b\n3 2\n# c=d\n65535\n1 2 3\n4 5 65535\n"
	    "P1 4 2 0101 1 1 1 1\nP4 9 1\n\377\200P5 2 1 1000\n\000\001\003\350"
	    "P3 1 1 7 1 2 7\n";
	struct img *im;
	FILE *fp = tmpfile();
	size_t n;
	int i;

	im = img_new(7, 5, 1);
	for (i = 0; i < 35; i++)
		im->px[i] = i * 7;
	meta_set(&im->meta, "src", "seed.png");
	meta_set(&im->meta, "box", "1 2 3 4");
	imgio_write(fp, im);
	img_free(im);
	im = img_new(3, 2, 3);
	imgio_write(fp, im);
	img_free(im);
	fwrite(rest, 1, sizeof(rest) - 1, fp);
	rewind(fp);
	n = fread(buf, 1, max, fp);
	fclose(fp);
	return n;
}

static void
test_fuzz(void)
{
	unsigned char buf[512], seed[512];
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	size_t n, sn, j, k;
	int i, rc, bad = 0, noerr = 0, counts[3] = { 0 };
	char err[256];

	for (i = 0; i < 2000; i++) {
		n = randbytes(&s, buf, 96);
		rc = readall(buf, n, 1 << 20, NULL, err);
		bad += rc != 0 && rc != -1;
		noerr += rc == -1 && err[0] == '\0';
		counts[rc + 1]++;
	}
	ok(bad == 0 && noerr == 0, "2000 random byte strings: %d errors, "
	    "%d clean ends", counts[0], counts[1]);
	sn = seedstream(seed, sizeof(seed));
	ok(readall(seed, sn, 0, NULL, err) == 0, "the seed stream reads (%s)",
	    err);
	counts[0] = counts[1] = 0;
	for (i = 0, bad = noerr = 0; i < 2000; i++) {
		memcpy(buf, seed, sn);
		n = sn;
		for (j = 0, k = 1 + rnd(&s) % 4; j < k; j++) {
			switch (rnd(&s) % 4) {
			case 0:
				buf[rnd(&s) % n] = rnd(&s);
				break;
			case 1:
				buf[rnd(&s) % n] = "0123456789 \n#P-"[rnd(&s) % 15];
				break;
			case 2:
				n = 1 + rnd(&s) % n;
				break;
			default:
				buf[rnd(&s) % n] ^= 1 << rnd(&s) % 8;
			}
		}
		rc = readall(buf, n, 1 << 20, NULL, err);
		bad += rc != 0 && rc != -1;
		noerr += rc == -1 && err[0] == '\0';
		counts[rc + 1]++;
	}
	ok(bad == 0 && noerr == 0, "2000 mutations of a valid stream: "
	    "%d errors, %d clean ends", counts[0], counts[1]);
}

static void
test_speed(void)
{
	enum { W = 4000, H = 3000 };
	struct imgio r;
	struct img *im;
	FILE *fp = tmpfile();
	unsigned char *px = xmalloc((size_t)W * H);
	double t, best = 1e9;
	size_t i;
	int k, good = 1;

	for (i = 0; i < (size_t)W * H; i++)
		px[i] = i * 31 >> 3;
	for (k = 0; k < 3; k++) {
		fprintf(fp, "P5\n# src=big.png\n%d %d\n255\n", W, H);
		fwrite(px, 1, (size_t)W * H, fp);
	}
	rewind(fp);
	imgio_open(&r, fp, "big");
	for (k = 0; k < 3; k++) {
		t = util_now();
		if (imgio_read(&r, &im) != 1) {
			good = 0;
			break;
		}
		t = util_now() - t;
		best = MIN(best, t);
		good &= memcmp(im->px, px, (size_t)W * H) == 0;
		img_free(im);
	}
	ok(good, "12-megapixel P5 reads");
	diag("12-megapixel P5 read in %.2f ms (best of 3)", best * 1e3);
	ok(best < 0.1, "... in well under 100 ms");
	free(px);
	fclose(fp);
}

int
main(void)
{
	test_meta();
	test_meta_more();
	test_img();
	test_roundtrip();
	test_mixed();
	test_deep();
	test_pam();
	test_bad();
	test_fuzz();
	test_speed();
	return done_testing();
}
