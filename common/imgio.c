/*
 * imgio: streams of netpbm images read and written by hand.
 *
 * libnetpbm 11.01 drops the comments of a P5 header, and it exits on bad
 * input; both header and raster are therefore parsed here, and every
 * problem comes back as a message in r->err. Comments of the form
 * "# key=value" (anywhere a comment may stand in the header) become the
 * image's metadata. Samples are scaled from maxval to 0..255; PAM's alpha
 * is composited over white.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgio.h"
#include "util.h"

#define NUMCAP ((long)INT_MAX + 1)      /* header numbers saturate here */

struct hdr {
	int fmt;                /* 1..7, the digit of the magic */
	long w, h;
	long maxval;
	int depth;              /* samples per pixel in the file */
	int c;                  /* channels of the result */
};

/* PAM's tuple types: those with one more sample than channels carry an
 * alpha. Others are taken by their depth. */
static const struct {
	const char *name;
	int depth;
} tupltypes[] = {
	{ "BLACKANDWHITE", 1 }, { "GRAYSCALE", 1 },
	{ "BLACKANDWHITE_ALPHA", 2 }, { "GRAYSCALE_ALPHA", 2 },
	{ "RGB", 3 }, { "RGB_ALPHA", 4 },
};

enum { NUM_OK, NUM_EOF, NUM_BAD, NUM_NEG };

static int
isws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

/* Set r->err (after "image N: " past the first image) and return -1. */
static int
fail(struct imgio *r, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (r->count > 0)
		n = snprintf(r->err, sizeof(r->err), "image %ld: ",
		    r->count + 1);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* End of data in the middle of something: truncation or a read error. */
static int
failtrunc(struct imgio *r, const char *what)
{
	if (ferror(r->fp))
		return fail(r, "read error: %s", strerror(errno));
	return fail(r, "truncated %s", what);
}

/* A comment's text (after '#'): keep it if it is "key=value". */
static void
comment(struct meta *m, char *s)
{
	char *eq;

	while (*s == ' ' || *s == '\t')
		s++;
	if ((eq = strchr(s, '=')) == NULL || eq == s)
		return;
	*eq = '\0';
	meta_set(m, s, eq + 1);         /* refuses bad keys and long lines */
}

/*
 * The next header character; a comment (from '#' through the end of its
 * line) is handed to comment() and stands for the character ending it.
 * With m NULL (plain rasters) comments are just skipped.
 */
static int
hgetc(struct imgio *r, struct meta *m)
{
	char buf[META_LINE];
	size_t n = 0;
	int c, toolong = 0;

	if ((c = getc_unlocked(r->fp)) != '#')
		return c;
	while ((c = getc_unlocked(r->fp)) != EOF && c != '\n' && c != '\r') {
		if (n + 1 < sizeof(buf))
			buf[n++] = c;
		else
			toolong = 1;
	}
	buf[n] = '\0';
	if (m != NULL && !toolong && memchr(buf, '\0', n) == NULL)
		comment(m, buf);
	return c;
}

/*
 * An unsigned decimal number after optional whitespace and comments,
 * followed by one whitespace character (or a comment), which is consumed.
 * *endc gets that character. Values saturate at NUMCAP.
 */
static int
getnum(struct imgio *r, struct meta *m, long *v, int *endc)
{
	int c;

	while (isws(c = hgetc(r, m)))
		;
	if (c == EOF)
		return NUM_EOF;
	if (c == '-')
		return NUM_NEG;
	if (!isdig(c))
		return NUM_BAD;
	*v = 0;
	do {
		*v = *v * 10 + (c - '0');
		if (*v > NUMCAP)
			*v = NUMCAP;
	} while (isdig(c = hgetc(r, m)));
	*endc = c;
	if (c != EOF && !isws(c))
		return NUM_BAD;
	return NUM_OK;
}

/* Width or height: in 1..INT_MAX. */
static int
field(struct imgio *r, struct meta *m, const char *name, long *v)
{
	int c, rc;

	rc = getnum(r, m, v, &c);
	if (rc == NUM_EOF || (rc == NUM_OK && c == EOF))
		return failtrunc(r, "header");
	if (rc == NUM_NEG)
		return fail(r, "negative %s", name);
	if (rc == NUM_BAD)
		return fail(r, "bad %s", name);
	if (*v == 0)
		return fail(r, "zero %s", name);
	if (*v > INT_MAX)
		return fail(r, "%s too large", name);
	return 0;
}

static int
getmaxval(struct imgio *r, struct meta *m, long *v)
{
	int c, rc;

	rc = getnum(r, m, v, &c);
	if (rc == NUM_EOF || (rc == NUM_OK && c == EOF))
		return failtrunc(r, "header");
	if (rc != NUM_OK)
		return fail(r, "bad maxval");
	if (*v < 1 || *v > 65535) {
		if (*v >= NUMCAP)
			return fail(r, "bad maxval (want 1..65535)");
		return fail(r, "bad maxval %ld (want 1..65535)", *v);
	}
	return 0;
}

/*
 * One line of a PAM header into buf, without its newline; 1, or 0 when
 * it does not fit (or holds a NUL), or -1 at the end of the data.
 */
static int
pamline(struct imgio *r, char *buf, size_t size)
{
	size_t n = 0;
	int c, fits = 1;

	while ((c = getc_unlocked(r->fp)) != '\n') {
		if (c == EOF)
			return failtrunc(r, "header");
		if (c == '\0' || n + 1 >= size)
			fits = 0;
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	return fits;
}

/* The value of a PAM header line: a number in 1..max (or saturated). */
static int
pamnum(struct imgio *r, const char *s, const char *name, long max, long *v)
{
	const char *p = s;

	if (*p == '-')
		return fail(r, "negative %s", name);
	for (*v = 0; isdig(*p); p++)
		*v = MIN(*v * 10 + (*p - '0'), NUMCAP);
	if (p == s || *p != '\0')
		return fail(r, "bad %s", name);
	if (*v == 0)
		return fail(r, "zero %s", name);
	if (*v > max)
		return *v >= NUMCAP ? fail(r, "%s too large", name) :
		    fail(r, "%s %ld too large (want 1..%ld)", name, *v, max);
	return 0;
}

/* One header line: 1 for ENDHDR, 0 for any other good line, or -1. */
static int
pamfield(struct imgio *r, struct meta *m, struct hdr *h, char *tupl,
    size_t tsize)
{
	char line[META_LINE], *key, *val, *end;
	long depth;
	int rc;

	if ((rc = pamline(r, line, sizeof(line))) < 0)
		return -1;
	for (key = line; isws(*key); key++)
		;
	if (*key == '#') {
		if (rc == 1)
			comment(m, key + 1);
		return 0;
	}
	if (rc == 0)
		return fail(r, "PAM header line too long");
	for (val = key; *val != '\0' && !isws(*val); val++)
		;
	end = val + strlen(val);
	while (end > val && isws(end[-1]))
		*--end = '\0';
	if (*val != '\0')
		for (*val++ = '\0'; isws(*val); val++)
			;
	if (*key == '\0')
		return 0;
	if (strcmp(key, "ENDHDR") == 0)
		return 1;
	if (strcmp(key, "WIDTH") == 0)
		return pamnum(r, val, "width", INT_MAX, &h->w);
	if (strcmp(key, "HEIGHT") == 0)
		return pamnum(r, val, "height", INT_MAX, &h->h);
	if (strcmp(key, "MAXVAL") == 0)
		return pamnum(r, val, "maxval", 65535, &h->maxval);
	if (strcmp(key, "DEPTH") == 0) {
		rc = pamnum(r, val, "depth", 4, &depth);
		h->depth = depth;
		return rc;
	}
	if (strcmp(key, "TUPLTYPE") == 0) {
		if (*tupl != '\0')
			strncat(tupl, " ", tsize - strlen(tupl) - 1);
		strncat(tupl, val, tsize - strlen(tupl) - 1);
		return 0;
	}
	return fail(r, "bad PAM header line \"%.40s\"", key);
}

/* A PAM header after its magic: WIDTH, HEIGHT, DEPTH (1..4) and MAXVAL
 * are required, TUPLTYPE must agree with DEPTH when it is a known one. */
static int
pamheader(struct imgio *r, struct meta *m, struct hdr *h)
{
	char tupl[64] = "";
	size_t i;
	int rc;

	h->w = h->h = h->maxval = h->depth = 0;
	while ((rc = pamfield(r, m, h, tupl, sizeof(tupl))) == 0)
		;
	if (rc < 0)
		return -1;
	if (h->w == 0 || h->h == 0 || h->depth == 0 || h->maxval == 0)
		return fail(r, "PAM header lacks %s", h->w == 0 ? "WIDTH" :
		    h->h == 0 ? "HEIGHT" : h->depth == 0 ? "DEPTH" : "MAXVAL");
	for (i = 0; i < LEN(tupltypes); i++)
		if (strcmp(tupl, tupltypes[i].name) == 0 &&
		    tupltypes[i].depth != h->depth)
			return fail(r, "PAM TUPLTYPE %s with DEPTH %d", tupl,
			    h->depth);
	h->c = h->depth >= 3 ? 3 : 1;
	return 0;
}

/* Magic, width, height and maxval; comments go to m. */
static int
header(struct imgio *r, struct meta *m, struct hdr *h)
{
	int c;

	if ((c = getc_unlocked(r->fp)) != 'P')
		return fail(r, "bad magic");
	c = getc_unlocked(r->fp);
	if (c < '1' || c > '7')
		return c == EOF ? failtrunc(r, "header") : fail(r, "bad magic");
	h->fmt = c - '0';
	h->c = h->fmt == 3 || h->fmt == 6 ? 3 : 1;
	h->depth = h->c;
	c = h->fmt == 7 ? getc_unlocked(r->fp) : hgetc(r, m);
	if (c == EOF)
		return failtrunc(r, "header");
	if (!isws(c))
		return fail(r, "bad magic");
	if (h->fmt == 7)
		return pamheader(r, m, h);
	if (field(r, m, "width", &h->w) < 0 ||
	    field(r, m, "height", &h->h) < 0)
		return -1;
	h->maxval = 1;
	if (h->fmt != 1 && h->fmt != 4)
		return getmaxval(r, m, &h->maxval);
	return 0;
}

/* Refuse images over the pixel limit or too large to address. */
static int
checksize(struct imgio *r, const struct hdr *h)
{
	long max = r->maxpix > 0 ? r->maxpix : IMGIO_MAXPIX;
	size_t bytes = h->maxval > 255 ? 2 : 1;

	if (h->w > max / h->h)
		return fail(r, "image of %ldx%ld pixels exceeds the limit of "
		    "%ld pixels%s%s%s", h->w, h->h, max, r->raise ? " (" : "",
		    r->raise ? r->raise : "", r->raise ? " raises it)" : "");
	if ((size_t)h->w > SIZE_MAX / bytes / h->depth / (size_t)h->h)
		return fail(r, "image of %ldx%ld pixels is too large",
		    h->w, h->h);
	return 0;
}

/* Raw samples of one byte, scaled in place from maxval to 255. */
static int
rawbytes(struct imgio *r, const struct hdr *h, struct img *im)
{
	unsigned char lut[256];
	size_t i, n = (size_t)h->w * h->h * h->c;
	unsigned int v, m = h->maxval, bad = 0;

	if (fread(im->px, 1, n, r->fp) != n)
		return failtrunc(r, "raster");
	if (m == 255)
		return 0;
	for (v = 0; v < 256; v++)
		lut[v] = v <= m ? (v * 255 + m / 2) / m : 255;
	for (i = 0; i < n; i++) {
		bad |= im->px[i] > m;
		im->px[i] = lut[im->px[i]];
	}
	if (bad)
		return fail(r, "sample exceeds maxval %u", m);
	return 0;
}

/* Raw samples of two bytes, most significant first, read row by row. */
static int
rawwords(struct imgio *r, const struct hdr *h, struct img *im)
{
	size_t i, n = (size_t)h->w * h->c;
	unsigned long v, m = h->maxval;
	unsigned char *buf, *px = im->px;
	long y;
	int rc = 0;

	buf = xmalloc(2 * n);
	for (y = 0; y < h->h && rc == 0; y++) {
		if (fread(buf, 2, n, r->fp) != n) {
			rc = failtrunc(r, "raster");
			break;
		}
		for (i = 0; i < n; i++) {
			v = (unsigned long)buf[2 * i] << 8 | buf[2 * i + 1];
			if (v > m) {
				rc = fail(r, "sample %lu exceeds maxval %lu",
				    v, m);
				break;
			}
			*px++ = (v * 255 + m / 2) / m;
		}
	}
	free(buf);
	return rc;
}

/* Raw PBM: rows of packed bits, 1 is black (0), padded to a byte. */
static int
rawbits(struct imgio *r, const struct hdr *h, struct img *im)
{
	size_t x, rowbytes = ((size_t)h->w + 7) / 8;
	unsigned char *buf, *px = im->px;
	long y;
	int rc = 0;

	buf = xmalloc(rowbytes);
	for (y = 0; y < h->h; y++) {
		if (fread(buf, 1, rowbytes, r->fp) != rowbytes) {
			rc = failtrunc(r, "raster");
			break;
		}
		for (x = 0; x < (size_t)h->w; x++)
			*px++ = buf[x >> 3] & (0x80 >> (x & 7)) ? 0 : 255;
	}
	free(buf);
	return rc;
}

/* The next non-blank character of a plain raster, skipping comments. */
static int
plaingetc(struct imgio *r)
{
	int c;

	while (isws(c = hgetc(r, NULL)))
		;
	return c;
}

/* Plain PBM: '0' white, '1' black, blanks between them optional. */
static int
plainbits(struct imgio *r, const struct hdr *h, struct img *im)
{
	size_t i, n = (size_t)h->w * h->h;
	int c;

	for (i = 0; i < n; i++) {
		c = plaingetc(r);
		if (c == EOF)
			return failtrunc(r, "raster");
		if (c != '0' && c != '1')
			return fail(r, "bad pixel in plain PBM");
		im->px[i] = c == '1' ? 0 : 255;
	}
	return 0;
}

/* Plain PGM and PPM: decimal samples separated by blanks. */
static int
plainnums(struct imgio *r, const struct hdr *h, struct img *im)
{
	size_t i, n = (size_t)h->w * h->h * h->c;
	unsigned long v, m = h->maxval;
	int c;

	for (i = 0; i < n; i++) {
		c = plaingetc(r);
		if (c == EOF)
			return failtrunc(r, "raster");
		if (!isdig(c))
			return fail(r, "bad sample in plain raster");
		v = 0;
		do {
			if (v <= 65535)
				v = v * 10 + (c - '0');
		} while (isdig(c = hgetc(r, NULL)));
		if (c != EOF && !isws(c))
			return fail(r, "bad sample in plain raster");
		if (v > m)
			return fail(r, "sample %lu exceeds maxval %lu", v, m);
		im->px[i] = (v * 255 + m / 2) / m;
	}
	return 0;
}

/* A sample of one or two bytes (most significant first). */
static unsigned long
sample(const unsigned char *p, size_t i, size_t bytes)
{
	return bytes == 1 ? p[i] : (unsigned long)p[2 * i] << 8 | p[2 * i + 1];
}

/* PAM with an alpha (DEPTH 2 or 4), composited over white: with m the
 * maxval, v' = 255 (v a + m (m - a)) / m^2, rounded. */
static int
pamalpha(struct imgio *r, const struct hdr *h, struct img *im)
{
	size_t i, k, n = (size_t)h->w * h->depth;
	size_t bytes = h->maxval > 255 ? 2 : 1;
	uint64_t v, a, m = h->maxval, mm = m * m;
	unsigned char *buf, *px = im->px;
	long y;
	int rc = 0;

	buf = xmalloc(n * bytes);
	for (y = 0; y < h->h && rc == 0; y++) {
		if (fread(buf, bytes, n, r->fp) != n) {
			rc = failtrunc(r, "raster");
			break;
		}
		for (i = 0; i < n && rc == 0; i += h->depth)
			for (k = 0; k <= (size_t)h->c && rc == 0; k++)
				if (sample(buf, i + k, bytes) > m)
					rc = fail(r, "sample %lu exceeds "
					    "maxval %lu", sample(buf, i + k,
					    bytes), (unsigned long)m);
		for (i = 0; i < n && rc == 0; i += h->depth) {
			a = sample(buf, i + h->c, bytes);
			for (k = 0; k < (size_t)h->c; k++) {
				v = sample(buf, i + k, bytes);
				*px++ = ((v * a + m * (m - a)) * 255 + mm / 2) /
				    mm;
			}
		}
	}
	free(buf);
	return rc;
}

static int
raster(struct imgio *r, const struct hdr *h, struct img *im)
{
	if (h->depth != h->c)
		return pamalpha(r, h, im);
	switch (h->fmt) {
	case 1:
		return plainbits(r, h, im);
	case 2:
	case 3:
		return plainnums(r, h, im);
	case 4:
		return rawbits(r, h, im);
	default:
		if (h->maxval > 255)
			return rawwords(r, h, im);
		return rawbytes(r, h, im);
	}
}

void
imgio_open(struct imgio *r, FILE *fp, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
	r->name = name != NULL ? name : "stdin";
	r->maxpix = IMGIO_MAXPIX;
}

int
imgio_read(struct imgio *r, struct img **out)
{
	struct meta m = { 0 };
	struct hdr h;
	struct img *im;
	int c;

	*out = NULL;
	r->err[0] = '\0';
	while (isws(c = getc_unlocked(r->fp)))
		;
	if (c == EOF) {
		if (ferror(r->fp))
			return fail(r, "read error: %s", strerror(errno));
		return 0;
	}
	ungetc(c, r->fp);
	if (header(r, &m, &h) < 0 || checksize(r, &h) < 0) {
		meta_clear(&m);
		return -1;
	}
	im = img_new(h.w, h.h, h.c);
	im->meta = m;
	if (raster(r, &h, im) < 0) {
		img_free(im);
		return -1;
	}
	r->count++;
	*out = im;
	return 1;
}

int
imgio_write(FILE *fp, const struct img *im)
{
	size_t n;
	int i;

	if (im->c != 1 && im->c != 3) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < im->meta.n; i++)
		if (strpbrk(im->meta.val[i], "\n\r") != NULL) {
			errno = EINVAL;
			return -1;
		}
	if (fprintf(fp, "P%c\n", im->c == 1 ? '5' : '6') < 0)
		return -1;
	for (i = 0; i < im->meta.n; i++)
		if (fprintf(fp, "# %s=%s\n", im->meta.key[i],
		    im->meta.val[i]) < 0)
			return -1;
	if (fprintf(fp, "%d %d\n255\n", im->w, im->h) < 0)
		return -1;
	n = (size_t)im->w * im->h * im->c;
	if (n > 0 && fwrite(im->px, 1, n, fp) != n)
		return -1;
	return 0;
}
