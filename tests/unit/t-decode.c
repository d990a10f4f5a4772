/* t-decode: PNM, PAM, PNG and JPEG through the decoder; EXIF orientation,
 * truncated and hostile input, pipes, the pixel limit, real photos */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "dataset.h"
#include "decode.h"
#include "img.h"
#include "util.h"
#include "tap.h"

#define PHOTOS "/work/shared/photos"
#define B 16                    /* block side of the orientation image */

static char dir[] = "/tmp/t-decode.XXXXXX";
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

static FILE *
xfopen(const char *p, const char *mode)
{
	FILE *fp;

	if ((fp = fopen(p, mode)) == NULL)
		err(1, "%s", p);
	return fp;
}

/* The whole file at p; its size in *n. */
static unsigned char *
slurp(const char *p, size_t *n)
{
	FILE *fp = xfopen(p, "rb");
	unsigned char *buf;
	long len;

	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = xmalloc(len + 1);
	if (fread(buf, 1, len, fp) != (size_t)len)
		err(1, "%s", p);
	fclose(fp);
	*n = len;
	return buf;
}

static void
spew(const char *p, const void *buf, size_t n)
{
	FILE *fp = xfopen(p, "wb");

	if (n > 0 && fwrite(buf, 1, n, fp) != n)
		err(1, "%s", p);
	if (fclose(fp) != 0)
		err(1, "%s", p);
}

/* A stream holding n bytes of buf, positioned at its start. */
static FILE *
memfile(const void *buf, size_t n)
{
	FILE *fp;

	if ((fp = tmpfile()) == NULL)
		err(1, "tmpfile");
	if (n > 0 && fwrite(buf, 1, n, fp) != n)
		err(1, "tmpfile");
	rewind(fp);
	return fp;
}

/*
 * Decode every image of fp; the return of the last decode_next, the
 * first image in *first (NULL to free it), the count, the error and the
 * warning of the first image.
 */
static int
decode_all(FILE *fp, long maxpix, int scale, struct img **first, long *n,
    char *err, char *warn)
{
	struct decoder d;
	struct img *im;
	int rc;

	if (first != NULL)
		*first = NULL;
	decode_open(&d, fp, "test");
	if (maxpix > 0)
		d.maxpix = maxpix;
	d.scale_denom = scale;
	while ((rc = decode_next(&d, &im)) == 1) {
		if (warn != NULL && d.count == 1)
			strcpy(warn, d.warn);
		if (first != NULL && *first == NULL)
			*first = im;
		else
			img_free(im);
	}
	if (n != NULL)
		*n = d.count;
	if (err != NULL)
		strcpy(err, d.err);
	decode_close(&d);
	return rc;
}

/* The same for a file. */
static int
decode_path(const char *p, long maxpix, int scale, struct img **first,
    char *err, char *warn)
{
	FILE *fp = xfopen(p, "rb");
	int rc;

	if (warn != NULL)
		warn[0] = '\0';
	rc = decode_all(fp, maxpix, scale, first, NULL, err, warn);
	fclose(fp);
	return rc;
}

/* The same for bytes in memory. */
static int
decode_mem(const void *buf, size_t n, long maxpix, struct img **first,
    long *count, char *err)
{
	FILE *fp = memfile(buf, n);
	int rc;

	rc = decode_all(fp, maxpix, 1, first, count, err, NULL);
	fclose(fp);
	return rc;
}

/*
 * Write a PNG of the given colour type and bit depth from packed rows
 * (png_get_rowbytes each), optionally with a palette and a tRNS chunk.
 */
struct pngspec {
	int w, h, ctype, depth, interlace;
	const png_color *pal;
	int npal;
	const unsigned char *trns;
	int ntrns;
};

static void
put_png(const char *p, const struct pngspec *s, const unsigned char *data)
{
	FILE *fp = xfopen(p, "wb");
	png_structp png;
	png_infop info;
	png_bytep *rows;
	size_t rb;
	int y;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png_create_info_struct(png);
	if (setjmp(png_jmpbuf(png)))
		errx(1, "%s: libpng failed to write it", p);
	png_init_io(png, fp);
	png_set_IHDR(png, info, s->w, s->h, s->depth, s->ctype,
	    s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (s->pal != NULL)
		png_set_PLTE(png, info, s->pal, s->npal);
	if (s->trns != NULL)
		png_set_tRNS(png, info, s->trns, s->ntrns, NULL);
	png_write_info(png, info);
	rb = png_get_rowbytes(png, info);
	rows = xmalloc(s->h * sizeof(*rows));
	for (y = 0; y < s->h; y++)
		rows[y] = (png_bytep)data + y * rb;
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(rows);
	if (fclose(fp) != 0)
		err(1, "%s", p);
}

struct jpegspec {
	int w, h, comps;        /* 1 grey, 3 RGB, 4 CMYK */
	int quality, progressive;
	const unsigned char *app1;      /* written as is, no JFIF then */
	size_t app1len;
	const unsigned char *app1b;     /* a second APP1 after it */
	size_t app1blen;
};

static void
put_jpeg(const char *p, const struct jpegspec *s, const unsigned char *data)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	FILE *fp = xfopen(p, "wb");
	JSAMPROW row;

	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_stdio_dest(&ci, fp);
	ci.image_width = s->w;
	ci.image_height = s->h;
	ci.input_components = s->comps;
	ci.in_color_space = s->comps == 1 ? JCS_GRAYSCALE : s->comps == 3 ?
	    JCS_RGB : JCS_CMYK;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, s->quality ? s->quality : 95, TRUE);
	if (s->progressive)
		jpeg_simple_progression(&ci);
	if (s->app1 != NULL)
		ci.write_JFIF_header = FALSE;
	jpeg_start_compress(&ci, TRUE);
	if (s->app1 != NULL)
		jpeg_write_marker(&ci, JPEG_APP0 + 1, s->app1, s->app1len);
	if (s->app1b != NULL)
		jpeg_write_marker(&ci, JPEG_APP0 + 1, s->app1b, s->app1blen);
	while (ci.next_scanline < ci.image_height) {
		row = (JSAMPROW)data + (size_t)ci.next_scanline * s->w *
		    s->comps;
		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	if (fclose(fp) != 0)
		err(1, "%s", p);
}

static int
maxdiff(const unsigned char *a, const unsigned char *b, size_t n)
{
	int d, m = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		d = abs(a[i] - b[i]);
		m = MAX(m, d);
	}
	return m;
}

/* Mean absolute difference: JPEG moves edges, not flat areas. */
static double
meandiff(const unsigned char *a, const unsigned char *b, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += abs(a[i] - b[i]);
	return s / n;
}

static void
test_png_basic(void)
{
	static const unsigned char grey[6] = { 0, 50, 100, 150, 200, 255 };
	static const unsigned char rgb[18] = {
		255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70,
		80, 90
	};
	static const unsigned char bits[2] = { 0xa0, 0x40 }; /* 3x2, 1 bit */
	struct pngspec s = { 3, 2, PNG_COLOR_TYPE_GRAY, 8, 0, 0, 0, 0, 0 };
	struct img *im;
	char err[256];
	int rc;

	put_png(path("grey.png"), &s, grey);
	rc = decode_path(path("grey.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 1 && im->w == 3 && im->h == 2 &&
	    memcmp(im->px, grey, 6) == 0, "grey PNG: c 1, exact (%s)", err);
	img_free(im);
	s.ctype = PNG_COLOR_TYPE_RGB;
	put_png(path("rgb.png"), &s, rgb);
	rc = decode_path(path("rgb.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 3 && im->w == 3 &&
	    memcmp(im->px, rgb, 18) == 0, "RGB PNG: c 3, exact (%s)", err);
	img_free(im);
	s.ctype = PNG_COLOR_TYPE_GRAY, s.depth = 1;
	put_png(path("bits.png"), &s, bits);
	rc = decode_path(path("bits.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 1 &&
	    memcmp(im->px, "\377\0\377\0\377\0", 6) == 0,
	    "1-bit grey PNG: 0 and 255 (%s)", err);
	img_free(im);
	s.ctype = PNG_COLOR_TYPE_RGB, s.depth = 8, s.interlace = 1;
	put_png(path("adam7.png"), &s, rgb);
	rc = decode_path(path("adam7.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && memcmp(im->px, rgb, 18) == 0,
	    "interlaced PNG (%s)", err);
	img_free(im);
}

static void
test_png_deep(void)
{
	/* 16-bit grey: 0, 65535, 32768 (128.5: 128), 25700 (100), 257, 0 */
	static const unsigned char g16[12] = {
		0, 0, 255, 255, 128, 0, 100, 100, 1, 1, 0, 0
	};
	static const unsigned char want16[6] = { 0, 255, 128, 100, 1, 0 };
	static const png_color pal[3] = { { 255, 0, 0 }, { 0, 0, 255 },
		{ 9, 8, 7 } };
	static const unsigned char idx4[4] = { 0x01, 0x20, 0x12, 0x00 };
	static const unsigned char wantp[18] = {
		255, 0, 0, 0, 0, 255, 9, 8, 7, 0, 0, 255, 9, 8, 7, 255, 0, 0
	};
	struct pngspec s = { 3, 2, PNG_COLOR_TYPE_GRAY, 16, 0, 0, 0, 0, 0 };
	struct img *im;
	char err[256];
	int rc;

	put_png(path("g16.png"), &s, g16);
	rc = decode_path(path("g16.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 1 &&
	    memcmp(im->px, want16, 6) == 0, "16-bit PNG scaled to 8 (%s)",
	    err);
	img_free(im);
	s.ctype = PNG_COLOR_TYPE_PALETTE, s.depth = 4;
	s.pal = pal, s.npal = 3;
	put_png(path("pal.png"), &s, idx4);
	rc = decode_path(path("pal.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 3 &&
	    memcmp(im->px, wantp, 18) == 0, "4-bit palette PNG to RGB (%s)",
	    err);
	img_free(im);
}

/* Transparent background (black, alpha 0) and black ink must give black
 * ink on white, whatever the colour under a transparent pixel. */
static void
test_png_alpha(void)
{
	static const unsigned char rgba[16] = {
		0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 128, 255, 0, 0, 64
	};
	static const unsigned char wantc[12] = {
		255, 255, 255, 0, 0, 0, 127, 127, 127, 255, 191, 191
	};
	static const unsigned char ga[8] = { 0, 0, 0, 255, 200, 0, 100, 51 };
	static const unsigned char wantg[4] = { 255, 0, 255, 224 };
	static const png_color pal[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	static const unsigned char trns[2] = { 0, 255 };
	static const unsigned char idx[1] = { 0x11 };  /* 0 1 0 1, 2 bits */
	struct pngspec s = { 2, 2, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, 0, 0,
		0 };
	struct img *im;
	char err[256];
	int rc;

	put_png(path("rgba.png"), &s, rgba);
	rc = decode_path(path("rgba.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 3 &&
	    memcmp(im->px, wantc, 12) == 0,
	    "RGBA PNG: transparent black is white, ink black (%s)", err);
	img_free(im);
	s.ctype = PNG_COLOR_TYPE_GRAY_ALPHA;
	put_png(path("ga.png"), &s, ga);
	rc = decode_path(path("ga.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 1 &&
	    memcmp(im->px, wantg, 4) == 0, "grey+alpha PNG over white (%s)",
	    err);
	img_free(im);
	s.w = 4, s.h = 1, s.ctype = PNG_COLOR_TYPE_PALETTE, s.depth = 2;
	s.pal = pal, s.npal = 2, s.trns = trns, s.ntrns = 2;
	put_png(path("trns.png"), &s, idx);
	rc = decode_path(path("trns.png"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 3 && memcmp(im->px,
	    "\377\377\377\0\0\0\377\377\377\0\0\0", 12) == 0,
	    "palette PNG with tRNS over white (%s)", err);
	img_free(im);
}

static void
test_jpeg_basic(void)
{
	struct jpegspec s = { 32, 32, 1, 95, 0, NULL, 0, NULL, 0 };
	unsigned char g[32 * 32], rgb[32 * 32 * 3], cmyk[16 * 16 * 4];
	struct img *im;
	char err[256];
	int i, rc;

	for (i = 0; i < 32 * 32; i++) {
		g[i] = i % 32 < 16 ? 30 : 220;
		rgb[3 * i] = i / 32 < 16 ? 200 : 20;
		rgb[3 * i + 1] = 90, rgb[3 * i + 2] = i % 32 < 16 ? 10 : 250;
	}
	put_jpeg(path("grey.jpg"), &s, g);
	rc = decode_path(path("grey.jpg"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 1 && im->w == 32 &&
	    im->h == 32 && maxdiff(im->px, g, sizeof(g)) <= 8,
	    "grey JPEG: c 1, close (%s)", err);
	img_free(im);
	s.comps = 3;
	put_jpeg(path("rgb.jpg"), &s, rgb);
	rc = decode_path(path("rgb.jpg"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 3 &&
	    meandiff(im->px, rgb, sizeof(rgb)) < 4,
	    "RGB JPEG: c 3, close (%s)", err);
	img_free(im);
	s.progressive = 1;
	put_jpeg(path("prog.jpg"), &s, rgb);
	rc = decode_path(path("prog.jpg"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 3 &&
	    meandiff(im->px, rgb, sizeof(rgb)) < 4,
	    "progressive JPEG (%s)", err);
	img_free(im);
	/* pure red as Adobe writes CMYK: inverted, C=255 M=0 Y=0 K=255 */
	for (i = 0; i < 16 * 16; i++)
		memcpy(cmyk + 4 * i, "\377\0\0\377", 4);
	s.w = s.h = 16, s.comps = 4, s.progressive = 0;
	put_jpeg(path("cmyk.jpg"), &s, cmyk);
	rc = decode_path(path("cmyk.jpg"), 0, 1, &im, err, NULL);
	ok(rc == 0 && im != NULL && im->c == 3 && im->px[0] > 240 &&
	    im->px[1] < 15 && im->px[2] < 15, "CMYK JPEG to RGB (%s)", err);
	img_free(im);
}

/* The orientation image: 3x2 blocks of B pixels, A..F in these colours. */
static const unsigned char blockrgb[6][3] = {
	{ 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 },
	{ 255, 255, 255 }, { 0, 0, 0 }, { 255, 255, 0 },
};

static void
blocks(unsigned char *px)
{
	int x, y;

	for (y = 0; y < 2 * B; y++)
		for (x = 0; x < 3 * B; x++)
			memcpy(px + 3 * (y * 3 * B + x),
			    blockrgb[(y / B) * 3 + x / B], 3);
}

/* The blocks of a decoded image as letters, row by row ('?' when a block
 * is no colour of the table). */
static void
readblocks(const struct img *im, char *s)
{
	const unsigned char *p;
	int bx, by, k, best, d, dbest;

	for (by = 0; by < im->h / B; by++)
		for (bx = 0; bx < im->w / B; bx++) {
			p = im->px + 3 * ((by * B + B / 2) * im->w +
			    bx * B + B / 2);
			for (k = 0, best = 0, dbest = 1 << 30; k < 6; k++) {
				d = abs(p[0] - blockrgb[k][0]) +
				    abs(p[1] - blockrgb[k][1]) +
				    abs(p[2] - blockrgb[k][2]);
				if (d < dbest)
					dbest = d, best = k;
			}
			*s++ = dbest < 60 ? 'A' + best : '?';
		}
	*s = '\0';
}

static void
put16(unsigned char *p, unsigned v, int le)
{
	p[le ? 0 : 1] = v & 0xff;
	p[le ? 1 : 0] = v >> 8 & 0xff;
}

static void
put32(unsigned char *p, unsigned long v, int le)
{
	put16(p + (le ? 0 : 2), v & 0xffff, le);
	put16(p + (le ? 2 : 0), v >> 16 & 0xffff, le);
}

/* An IFD entry; a SHORT value sits first in its four bytes. */
static void
entry(unsigned char *p, unsigned tag, unsigned type, unsigned long count,
    unsigned long v, int le)
{
	put16(p, tag, le);
	put16(p + 2, type, le);
	put32(p + 4, count, le);
	memset(p + 8, 0, 4);
	if (type == 3)
		put16(p + 8, v, le);
	else
		put32(p + 8, v, le);
}

/*
 * The data of an APP1 "Exif" marker: a TIFF header in little- (le) or
 * big-endian order, IFD0 with ImageWidth and Orientation o. Its length
 * is EXIFLEN; the TIFF header starts at 6, IFD0 at 6 + 8, the entry of
 * the orientation at 6 + 22.
 */
#define EXIFLEN (6 + 38)

static void
exif(unsigned char *b, int le, unsigned o)
{
	unsigned char *t = b + 6;

	memcpy(b, "Exif\0\0", 6);
	memcpy(t, le ? "II" : "MM", 2);
	put16(t + 2, 42, le);
	put32(t + 4, 8, le);
	put16(t + 8, 2, le);
	entry(t + 10, 0x0100, 3, 1, 3 * B, le);
	entry(t + 22, 0x0112, 3, 1, o, le);
	put32(t + 34, 0, le);
}

/* Decode a JPEG of the orientation image with this APP1 data; its
 * blocks as letters in s, or "" when it did not decode. */
static void
oriented(const unsigned char *app1, size_t len, int scale, char *s, int *w,
    int *h)
{
	static unsigned char px[3 * B * 2 * B * 3];
	struct jpegspec js = { 3 * B, 2 * B, 3, 95, 0, app1, len, NULL, 0 };
	struct img *im;
	char err[256];

	blocks(px);
	put_jpeg(path("orient.jpg"), &js, px);
	*s = '\0';
	*w = *h = 0;
	if (decode_path(path("orient.jpg"), 0, scale, &im, err, NULL) != 0 ||
	    im == NULL) {
		diag("orient.jpg: %s", err);
		return;
	}
	*w = im->w, *h = im->h;
	if (scale == 1)
		readblocks(im, s);
	img_free(im);
}

/*
 * EXIF orientation: how the stored image A B C / D E F must be turned to
 * show upright (written out by hand from the EXIF definitions of where
 * row 0 and column 0 of the stored image go).
 */
static void
test_orientation(void)
{
	static const char *want[9] = { NULL,
		"ABCDEF",       /* 1 as stored */
		"CBAFED",       /* 2 mirrored left-right */
		"FEDCBA",       /* 3 turned 180 degrees */
		"DEFABC",       /* 4 mirrored top-bottom */
		"ADBECF",       /* 5 transposed */
		"DAEBFC",       /* 6 turned 90 degrees clockwise */
		"FCEBDA",       /* 7 transversed */
		"CFBEAD",       /* 8 turned 90 degrees counterclockwise */
	};
	unsigned char app1[EXIFLEN];
	char got[16];
	int o, le, w, h, wantw;

	oriented(NULL, 0, 1, got, &w, &h);
	ok(strcmp(got, "ABCDEF") == 0 && w == 3 * B && h == 2 * B,
	    "the orientation image without EXIF: %s", got);
	for (le = 0; le < 2; le++)
		for (o = 1; o <= 8; o++) {
			exif(app1, le, o);
			oriented(app1, sizeof(app1), 1, got, &w, &h);
			wantw = o >= 5 ? 2 * B : 3 * B;
			if (!ok(strcmp(got, want[o]) == 0 && w == wantw &&
			    h == 5 * B - wantw, "EXIF %s orientation %d: %s",
			    le ? "II" : "MM", o, want[o]))
				diag("got %s, %dx%d", got, w, h);
		}
	exif(app1, 1, 6);
	oriented(app1, sizeof(app1), 2, got, &w, &h);
	ok(w == B && h == 3 * B / 2, "orientation 6 at scale 1/2: %dx%d",
	    w, h);
}

/* Hostile EXIF: each is ignored (the image stays as stored). */
static void
test_bad_exif(void)
{
	static const char *what[] = {
		"IFD0 offset far out", "IFD0 offset at the last byte",
		"IFD0 offset inside the header", "65535 entries, one present",
		"the entry cut short", "Orientation as a LONG",
		"Orientation of two values", "Orientation 9", "Orientation 0",
		"byte order IM", "magic 43", "8 bytes of EXIF", "not Exif",
	};
	unsigned char b[EXIFLEN], *t = b + 6;
	size_t i, len;
	char got[16];
	int w, h;

	for (i = 0; i < LEN(what); i++) {
		exif(b, i % 2, 6);
		len = sizeof(b);
		switch (i) {
		case 0: put32(t + 4, 0xfffffff0UL, i % 2); break;
		case 1: put32(t + 4, len - 6 - 1, i % 2); break;
		case 2: put32(t + 4, 2, i % 2); break;
		case 3: put16(t + 8, 0xffff, i % 2), len = 6 + 22; break;
		case 4: len = 6 + 22 + 8; break;
		case 5: entry(t + 22, 0x0112, 4, 1, 6, i % 2); break;
		case 6: entry(t + 22, 0x0112, 3, 2, 6, i % 2); break;
		case 7: entry(t + 22, 0x0112, 3, 1, 9, i % 2); break;
		case 8: entry(t + 22, 0x0112, 3, 1, 0, i % 2); break;
		case 9: memcpy(t, "IM", 2); break;
		case 10: put16(t + 2, 43, i % 2); break;
		case 11: len = 6 + 2; break;
		default: memcpy(b, "Exif\0\1", 6);
		}
		oriented(b, len, 1, got, &w, &h);
		ok(strcmp(got, "ABCDEF") == 0, "bad EXIF ignored: %s", what[i]);
	}
}

/* The first EXIF marker counts, after an XMP one. */
static void
test_xmp_first(void)
{
	static const char xmp[] = "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>";
	static unsigned char px[3 * B * 2 * B * 3];
	unsigned char app1[EXIFLEN];
	struct jpegspec js = { 3 * B, 2 * B, 3, 95, 0, (unsigned char *)xmp,
		sizeof(xmp), app1, sizeof(app1) };
	struct img *im = NULL;
	char got[16] = "", err[256];

	exif(app1, 0, 3);
	blocks(px);
	put_jpeg(path("xmp.jpg"), &js, px);
	if (decode_path(path("xmp.jpg"), 0, 1, &im, err, NULL) == 0 &&
	    im != NULL)
		readblocks(im, got);
	ok(strcmp(got, "FEDCBA") == 0, "EXIF after an XMP APP1 applies: %s",
	    got);
	img_free(im);
}

/* netpbm and PAM through the decoder: a stream of several images. */
static void
test_pnm(void)
{
	static const char s[] =
	    "P5\n# src=a.png\n2 1\n255\n\001\002"
	    "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\n"
	    "# idx=4\nENDHDR\n\000\000\000\000\012\024\036\377"
	    "P6 1 1 255\n\011\012\013\n";
	struct decoder d;
	struct img *im[4] = { NULL };
	FILE *fp = memfile(s, sizeof(s) - 1);
	int n, rc;

	decode_open(&d, fp, "stream");
	for (n = 0; n < 4 && (rc = decode_next(&d, &im[n])) == 1; n++)
		;
	ok(n == 3 && rc == 0 && d.count == 3 && d.kind == DECODE_PNM,
	    "P5, P7, P6 in one stream, then the end (%s)", d.err);
	if (n == 3) {
		ok(im[0]->c == 1 && memcmp(im[0]->px, "\1\2", 2) == 0 &&
		    strcmp(meta_get(&im[0]->meta, "src"), "a.png") == 0,
		    "P5 with its metadata");
		ok(im[1]->c == 3 && im[1]->w == 2 && memcmp(im[1]->px,
		    "\377\377\377\012\024\036", 6) == 0 &&
		    meta_getl(&im[1]->meta, "idx", -1) == 4,
		    "PAM RGB_ALPHA over white, with its metadata");
		ok(im[2]->c == 3 && memcmp(im[2]->px, "\011\012\013", 3) == 0,
		    "P6");
	}
	ok(decode_next(&d, &im[3]) == 0, "0 again after the end");
	decode_close(&d);
	for (n = 0; n < 4; n++)
		img_free(im[n]);
	fclose(fp);
}

static void
test_stream_ends(void)
{
	static const char garbage[] = "GIF89a\001\000\001\000";
	unsigned char *png, *buf;
	size_t n;
	long count;
	char err[256];
	int rc;

	ok(decode_mem("", 0, 0, NULL, &count, err) == 0 && count == 0,
	    "empty stream: 0 images");
	ok(decode_mem(" \n\t", 3, 0, NULL, &count, err) == 0 && count == 0,
	    "a stream of blanks: 0 images");
	rc = decode_mem(garbage, sizeof(garbage) - 1, 0, NULL, &count, err);
	ok(rc == -1 && strcmp(err, "not a PNM, PNG or JPEG image") == 0,
	    "random bytes: \"%s\"", err);
	rc = decode_mem("\377\330\000", 3, 0, NULL, &count, err);
	ok(rc == -1 && strstr(err, "not a PNM, PNG or JPEG") != NULL,
	    "FF D8 and no FF: %s", err);
	rc = decode_mem("\211PNX", 4, 0, NULL, &count, err);
	ok(rc == -1 && strstr(err, "not a PNM, PNG or JPEG") != NULL,
	    "a broken PNG signature: %s", err);
	rc = decode_mem("P9 1 1 255\n", 11, 0, NULL, &count, err);
	ok(rc == -1 && strstr(err, "bad magic") != NULL, "P9: %s", err);
	png = slurp(path("rgb.png"), &n);
	buf = xmalloc(n + 64);
	memcpy(buf, png, n);
	memcpy(buf + n, "P5 1 1 255\n\001 and junk", 22);
	rc = decode_mem(buf, n + 22, 0, NULL, &count, err);
	ok(rc == 0 && count == 1, "a PNG ends the stream: what follows is "
	    "ignored (%s)", err);
	memcpy(buf, "P5 1 1 255\n\001", 12);
	memcpy(buf + 12, png, n);
	rc = decode_mem(buf, n + 12, 0, NULL, &count, err);
	ok(rc == -1 && count == 1 && strstr(err, "image 2: bad magic"),
	    "a PNG after a PNM is refused: %s", err);
	free(png);
	free(buf);
}

/* Truncated PNGs are refused; cut anywhere, they never crash. */
static void
test_truncated_png(void)
{
	unsigned char *png;
	struct pngspec s = { 64, 64, PNG_COLOR_TYPE_RGB, 8, 0, 0, 0, 0, 0 };
	unsigned char px[64 * 64 * 3];
	size_t n, cut;
	char err[256];
	int rc, bad = 0, noerr = 0;

	for (cut = 0; cut < sizeof(px); cut++)
		px[cut] = cut * 7919 >> 5;
	put_png(path("big.png"), &s, px);
	png = slurp(path("big.png"), &n);
	rc = decode_mem(png, n / 2, 0, NULL, NULL, err);
	ok(rc == -1 && strcmp(err, "truncated PNG file") == 0,
	    "PNG cut in half: \"%s\"", err);
	rc = decode_mem(png, 20, 0, NULL, NULL, err);
	ok(rc == -1 && strcmp(err, "truncated PNG file") == 0,
	    "PNG cut in its IHDR: \"%s\"", err);
	for (cut = 1; cut < n; cut += 1 + cut / 8) {
		rc = decode_mem(png, cut, 0, NULL, NULL, err);
		bad += rc != -1;
		noerr += rc == -1 && err[0] == '\0';
	}
	ok(bad == 0 && noerr == 0, "PNG cut at every length: -1 with a "
	    "message");
	free(png);
}

/* Truncated JPEGs: accepted with a warning once rows came out, else
 * refused. */
static void
test_truncated_jpeg(void)
{
	struct jpegspec s = { 256, 256, 3, 90, 0, NULL, 0, NULL, 0 };
	unsigned char *px = xmalloc(256 * 256 * 3), *jpg;
	struct img *im = NULL;
	size_t n, cut, i;
	char err[256], warn[256];
	int rc, bad = 0, noerr = 0;

	for (i = 0; i < 256 * 256 * 3; i++)
		px[i] = (i / 3 % 256 + i / 768) & 255;
	put_jpeg(path("cut.jpg"), &s, px);
	jpg = slurp(path("cut.jpg"), &n);
	spew(path("cut60.jpg"), jpg, n * 6 / 10);
	rc = decode_path(path("cut60.jpg"), 0, 1, &im, err, warn);
	ok(rc == 0 && im != NULL && im->w == 256 && im->h == 256 &&
	    maxdiff(im->px, px, 256 * 3 * 64) < 48 &&
	    strstr(warn, "Premature end") != NULL,
	    "JPEG cut at 60%%: decoded, top rows right, warned \"%s\"", warn);
	img_free(im);
	rc = decode_mem(jpg, 200, 0, NULL, NULL, err);
	ok(rc == -1 && strstr(err, "truncated JPEG file") != NULL,
	    "JPEG cut in its header: \"%s\"", err);
	for (cut = 1; cut < n; cut += 1 + cut / 16) {
		rc = decode_mem(jpg, cut, 0, NULL, NULL, err);
		bad += rc != -1 && rc != 0;
		noerr += rc == -1 && err[0] == '\0';
	}
	ok(bad == 0 && noerr == 0, "JPEG cut at every length: never a crash");
	free(jpg);
	free(px);
}

/* The pixel limit, for each kind: refused by name, inclusive. */
static void
test_limits(void)
{
	static const char *files[] = { "lim.png", "lim.jpg", "lim.pgm",
		"lim.pam" };
	unsigned char px[100 * 80 * 3] = { 0 };
	struct pngspec ps = { 100, 80, PNG_COLOR_TYPE_RGB, 8, 0, 0, 0, 0, 0 };
	struct jpegspec js = { 100, 80, 3, 90, 0, NULL, 0, NULL, 0 };
	FILE *fp;
	char err[256];
	size_t i;
	int rc1, rc2;

	put_png(path(files[0]), &ps, px);
	put_jpeg(path(files[1]), &js, px);
	fp = xfopen(path(files[2]), "wb");
	fprintf(fp, "P5 100 80 255\n");
	fwrite(px, 1, 8000, fp);
	fclose(fp);
	fp = xfopen(path(files[3]), "wb");
	fprintf(fp, "P7\nWIDTH 100\nHEIGHT 80\nDEPTH 3\nMAXVAL 255\n"
	    "ENDHDR\n");
	fwrite(px, 1, 24000, fp);
	fclose(fp);
	for (i = 0; i < LEN(files); i++) {
		rc1 = decode_path(path(files[i]), 7999, 1, NULL, err, NULL);
		ok(rc1 == -1 && strstr(err, "100x80") != NULL &&
		    strstr(err, "limit of 7999") != NULL,
		    "%s over the limit: %s", files[i], err);
		rc2 = decode_path(path(files[i]), 8000, 1, NULL, err, NULL);
		ok(rc2 == 0, "%s at the limit: decoded (%s)", files[i], err);
	}
	rc1 = decode_path(path(files[1]), 7999, 8, NULL, err, NULL);
	ok(rc1 == -1 && strstr(err, "100x80") != NULL,
	    "the limit counts a JPEG's full size, scaled or not");
}

/* Pipes: nothing seeks. */
static void
test_pipe(void)
{
	static const char *files[] = { "rgb.png", "rgb.jpg", "orient.jpg",
		"lim.pam" };
	char cmd[512], msg[256];
	struct img *im;
	FILE *fp;
	size_t i;
	long n;
	int rc;

	for (i = 0; i < LEN(files); i++) {
		snprintf(cmd, sizeof(cmd), "cat '%s'", path(files[i]));
		if ((fp = popen(cmd, "r")) == NULL)
			err(1, "popen");
		rc = decode_all(fp, 0, 1, &im, NULL, msg, NULL);
		pclose(fp);
		ok(rc == 0 && im != NULL, "%s from a pipe (%s)", files[i], msg);
		img_free(im);
	}
	snprintf(cmd, sizeof(cmd), "cat '%s' '%s' '%s'", path("lim.pgm"),
	    path("lim.pam"), path("lim.pgm"));
	if ((fp = popen(cmd, "r")) == NULL)
		err(1, "popen");
	rc = decode_all(fp, 0, 1, NULL, &n, msg, NULL);
	pclose(fp);
	ok(rc == 0 && n == 3, "a stream of 3 netpbm images from a pipe");
}

static void
test_api(void)
{
	static const char *files[] = { "rgb.png", "rgb.jpg", "lim.pam" };
	static const int kinds[] = { DECODE_PNG, DECODE_JPEG, DECODE_PNM };
	struct decoder d;
	struct img *im;
	char err[256];
	size_t i;
	FILE *fp;
	int rc;

	for (i = 0; i < LEN(files); i++) {
		fp = xfopen(path(files[i]), "rb");
		decode_open(&d, fp, files[i]);
		rc = decode_next(&d, &im);
		img_free(im);
		ok(rc == 1 && d.kind == kinds[i] && d.count == 1 &&
		    decode_next(&d, &im) == 0 && im == NULL,
		    "%s: kind %d, one image", files[i], kinds[i]);
		decode_close(&d);
		fclose(fp);
	}
	fp = xfopen(path("rgb.png"), "rb");
	decode_open(&d, fp, "x");
	d.scale_denom = 3;
	rc = decode_next(&d, &im);
	ok(rc == -1 && strstr(d.err, "bad scale_denom 3") != NULL,
	    "scale_denom 3 refused: %s", d.err);
	fclose(fp);
	ok(decode_path(path("lim.png"), 0, 2, &im, err, NULL) == 0 &&
	    im->w == 100, "a PNG keeps its size at scale 1/2");
	img_free(im);
	ok(decode_path(path("lim.jpg"), 0, 2, &im, err, NULL) == 0 &&
	    im->w == 50 && im->h == 40, "a JPEG at scale 1/2");
	img_free(im);
	{                               /* grey: Y, img_grey() of the RGB */
		struct img *rgb = decode_file(path("rgb.jpg"), 0, err,
		    sizeof(err)), *g = rgb ? img_grey(rgb) : NULL;
		size_t k, off = 0;

		fp = xfopen(path("rgb.jpg"), "rb");
		decode_open(&d, fp, "x");
		d.grey = 1;
		rc = decode_next(&d, &im);
		for (k = 0; rc == 1 && g && k < (size_t)g->w * g->h; k++)
			off += abs(im->px[k] - g->px[k]) > 1;
		ok(rc == 1 && g && im->c == 1 && im->w == g->w && im->h == g->h &&
		    off == 0, "grey: a colour JPEG as its luma, within 1 of "
		    "img_grey() of its RGB (%zu off)", off);
		img_free(im);
		img_free(g);
		img_free(rgb);
		decode_close(&d);
		fclose(fp);
	}
	im = decode_file(path("nope.png"), 0, err, sizeof(err));
	ok(im == NULL && strstr(err, "nope.png: No such file") != NULL,
	    "decode_file of a missing file: %s", err);
	spew(path("empty.png"), "", 0);
	im = decode_file(path("empty.png"), 0, err, sizeof(err));
	ok(im == NULL && strstr(err, "empty.png: no image") != NULL,
	    "decode_file of an empty file: %s", err);
	im = decode_file(path("rgb.jpg"), 0, err, sizeof(err));
	ok(im != NULL && im->c == 3 && im->w == 32, "decode_file of a JPEG");
	img_free(im);
	err[0] = '\0';
	im = dataset_load_image(path("grey.jpg"), err, sizeof(err));
	ok(im != NULL && im->c == 1, "dataset_load_image reads JPEG (%s)",
	    err);
	img_free(im);
}

/* Fix the CRC of every whole chunk of a PNG, so that a mutation reaches
 * past libpng's CRC check. */
static void
fixcrc(unsigned char *b, size_t n)
{
	size_t off = 8, len;
	unsigned long c;

	while (off + 12 <= n) {
		len = (size_t)b[off] << 24 | b[off + 1] << 16 |
		    b[off + 2] << 8 | b[off + 3];
		if (len > n - off - 12)
			break;
		c = crc32(0, b + off + 4, len + 4);
		b[off + 8 + len] = c >> 24, b[off + 9 + len] = c >> 16;
		b[off + 10 + len] = c >> 8, b[off + 11 + len] = c;
		off += len + 12;
	}
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

static size_t
mutate(uint64_t *s, unsigned char *buf, size_t n)
{
	size_t j, k;

	for (j = 0, k = 1 + rnd(s) % 6; j < k; j++)
		switch (rnd(s) % 5) {
		case 0:
			buf[rnd(s) % n] = rnd(s);
			break;
		case 1:
			buf[rnd(s) % n] ^= 1 << rnd(s) % 8;
			break;
		case 2:
			n = 1 + rnd(s) % n;
			break;
		case 3:
			buf[rnd(s) % n] = rnd(s) % 2 ? 0xff : 0;
			break;
		default:        /* a byte near the start, in the headers */
			buf[rnd(s) % MIN(n, 200)] = rnd(s);
		}
	return n;
}

static void
test_fuzz(void)
{
	static const char *seeds[] = { "pal.png", "rgba.png", "adam7.png",
		"g16.png", "trns.png", "rgb.jpg", "prog.jpg", "xmp.jpg",
		"cmyk.jpg", "grey.jpg", "fuzz.pam" };
	static const char pam[] = "P7\nWIDTH 3\nHEIGHT 2\nDEPTH 2\n"
	    "# k=v\nMAXVAL 65535\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n"
	    "\0\0\377\377\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\20\21\22\23\24";
	unsigned char *seed[LEN(seeds)], *buf;
	size_t len[LEN(seeds)], n, k;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	char err[256];
	int i, rc, bad = 0, noerr = 0, counts[3] = { 0 };

	spew(path("fuzz.pam"), pam, sizeof(pam) - 1);
	for (k = 0; k < LEN(seeds); k++)
		seed[k] = slurp(path(seeds[k]), &len[k]);
	buf = xmalloc(1 << 16);
	for (i = 0; i < 2000; i++) {
		k = rnd(&s) % LEN(seeds);
		memcpy(buf, seed[k], len[k]);
		n = mutate(&s, buf, len[k]);
		if (buf[0] == 0x89 && rnd(&s) % 4 != 0)
			fixcrc(buf, n);
		rc = decode_mem(buf, n, 1 << 20, NULL, NULL, err);
		bad += rc != 0 && rc != -1;
		noerr += rc == -1 && err[0] == '\0';
		counts[rc + 1]++;
	}
	ok(bad == 0 && noerr == 0, "2000 mutated PNG, JPEG and PAM files: "
	    "%d refused, %d read", counts[0], counts[1]);
	for (k = 0; k < LEN(seeds); k++)
		free(seed[k]);
	free(buf);
}

/* The real photos: all decode; one timed at full size and at 1/4. */
static void
test_photos(void)
{
	char p[512], err[256];
	struct dirent *e;
	struct img *im;
	size_t len;
	double t;
	DIR *dp;
	int n = 0, good = 0, rc, scale;

	if ((dp = opendir(PHOTOS)) == NULL) {
		printf("ok %d # skip %s is missing\n", ++tap_n, PHOTOS);
		printf("ok %d # skip %s is missing\n", ++tap_n, PHOTOS);
		printf("ok %d # skip %s is missing\n", ++tap_n, PHOTOS);
		return;
	}
	while ((e = readdir(dp)) != NULL) {
		len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".jpg") != 0)
			continue;
		n++;
		snprintf(p, sizeof(p), "%s/%s", PHOTOS, e->d_name);
		rc = decode_path(p, 0, 1, &im, err, NULL);
		if (rc == 0 && im != NULL && im->c == 3 && im->w > 1000 &&
		    im->h > 1000)
			good++;
		else
			diag("%s: %s", p, err);
		img_free(im);
	}
	closedir(dp);
	ok(n == 14 && good == n, "%d of %d photos decode", good, n);
	for (scale = 1; scale <= 4; scale += 3) {
		t = util_now();
		rc = decode_path(PHOTOS "/8.jpg", 0, scale, &im, err, NULL);
		t = util_now() - t;
		ok(rc == 0 && im != NULL && im->w == (3233 + scale - 1) / scale
		    && im->h == (3241 + scale - 1) / scale,
		    "8.jpg at scale 1/%d: %dx%d", scale, im ? im->w : 0,
		    im ? im->h : 0);
		diag("8.jpg (3233x3241) decoded at scale 1/%d in %.1f ms",
		    scale, t * 1e3);
		img_free(im);
	}
}

int
main(void)
{
	int i;

	if (mkdtemp(dir) == NULL)
		err(1, "mkdtemp");
	test_png_basic();
	test_png_deep();
	test_png_alpha();
	test_jpeg_basic();
	test_orientation();
	test_bad_exif();
	test_xmp_first();
	test_pnm();
	test_stream_ends();
	test_truncated_png();
	test_truncated_jpeg();
	test_limits();
	test_pipe();
	test_api();
	test_fuzz();
	test_photos();
	for (i = 0; i < nmade; i++) {
		unlink(made[i]);
		free(made[i]);
	}
	rmdir(dir);
	return done_testing();
}
