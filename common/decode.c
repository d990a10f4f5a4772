/*
 * decode: netpbm streams (through imgio), PNG (libpng) and JPEG (libjpeg),
 * told apart by their first bytes.
 *
 * Nothing here seeks, so a pipe will do: the bytes read to tell the kind
 * are handed on to the library that reads the rest (ungetc for netpbm; for
 * PNG, png_set_sig_bytes and a read function serving the IHDR chunk read
 * ahead to check the size; for JPEG, a source manager). Both libraries
 * report errors by longjmp; every path frees what it took, and every
 * problem comes back as a message in d->err.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "decode.h"
#include "util.h"

#define NOTIMAGE "not a PNM, PNG or JPEG image"
#define PNG_CHUNK_MAX 8000000L  /* bytes of one ancillary PNG chunk */
#define JPEG_MAXSCANS 500       /* a progressive JPEG has about 10 */
#define TILE 64                 /* of the turned image, for the cache */

static const unsigned char pngsig[8] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
};
static const unsigned char jpegsig[3] = { 0xff, 0xd8, 0xff };

static int
isws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static long
limit(const struct decoder *d)
{
	return d->maxpix > 0 ? d->maxpix : IMGIO_MAXPIX;
}

/* Refuse an image over the pixel limit, before anything is allocated. */
static int
checksize(struct decoder *d, unsigned long w, unsigned long h)
{
	long max = limit(d);

	if (w == 0 || h == 0)
		return seterr(d->err, sizeof(d->err), "image of %lux%lu "
		    "pixels is empty", w, h);
	if (w > (unsigned long)max / h)
		return seterr(d->err, sizeof(d->err), "image of %lux%lu pixels "
		    "exceeds the limit of %ld pixels%s%s%s", w, h, max,
		    d->raise ? " (" : "", d->raise ? d->raise : "",
		    d->raise ? " raises it)" : "");
	if (w > INT_MAX || h > INT_MAX)
		return seterr(d->err, sizeof(d->err), "image of %lux%lu "
		    "pixels is too large", w, h);
	return 0;
}

/*
 * The first n bytes of the image into buf, buf[0] already read: 0, or -1
 * with a message when they do not start with sig or the data ends early.
 */
static int
head(struct decoder *d, unsigned char *buf, size_t n,
    const unsigned char *sig, size_t siglen, const char *kind)
{
	size_t got = 1 + fread(buf + 1, 1, n - 1, d->fp);

	if (memcmp(buf, sig, MIN(got, siglen)) != 0)
		return seterr(d->err, sizeof(d->err), NOTIMAGE);
	if (got < n) {
		if (ferror(d->fp))
			return seterr(d->err, sizeof(d->err), "read error: %s",
			    strerror(errno));
		return seterr(d->err, sizeof(d->err), "truncated %s file",
		    kind);
	}
	return 0;
}

/* n pixels of c colours and an alpha each, composited over white. */
static void
overwhite(unsigned char *dst, const unsigned char *src, size_t n, int c)
{
	size_t i;
	unsigned a;
	int k;

	for (i = 0; i < n; i++, src += c + 1) {
		a = src[c];
		for (k = 0; k < c; k++)
			*dst++ = (src[k] * a + 255 * (255 - a) + 127) / 255;
	}
}

/* PNG: libpng, with the bytes already read served first. */
struct pngjob {
	struct decoder *d;
	unsigned char pre[33];  /* signature and IHDR chunk */
	size_t npre, off;
	int haveerr;            /* d->err is set already */
	struct img *volatile im;
	unsigned char *volatile buf;
	png_bytep *volatile rows;
};

static unsigned long
be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	    (unsigned long)p[2] << 8 | p[3];
}

static void
png_fail(png_structp png, png_const_charp msg)
{
	struct pngjob *j = png_get_error_ptr(png);

	if (!j->haveerr)
		seterr(j->d->err, sizeof(j->d->err), "bad PNG: %s", msg);
	png_longjmp(png, 1);
}

static void
png_warn(png_structp png, png_const_charp msg)
{
	(void)png, (void)msg;   /* e.g. "iCCP: known incorrect sRGB profile" */
}

static void
png_readfn(png_structp png, png_bytep buf, size_t n)
{
	struct pngjob *j = png_get_io_ptr(png);
	struct decoder *d = j->d;
	size_t k = MIN(n, j->npre - j->off);

	memcpy(buf, j->pre + j->off, k);
	j->off += k;
	if (k < n && fread(buf + k, 1, n - k, d->fp) != n - k) {
		if (ferror(d->fp))
			seterr(d->err, sizeof(d->err), "read error: %s",
			    strerror(errno));
		else
			seterr(d->err, sizeof(d->err), "truncated PNG file");
		j->haveerr = 1;
		png_error(png, "read");
	}
}

/* The signature and the IHDR chunk: the size is checked before libpng
 * allocates anything. */
static int
png_head(struct decoder *d, struct pngjob *j)
{
	unsigned long w, h;

	j->pre[0] = pngsig[0];
	if (head(d, j->pre, sizeof(j->pre), pngsig, sizeof(pngsig), "PNG") < 0)
		return -1;
	j->npre = sizeof(j->pre);
	j->off = sizeof(pngsig);
	if (be32(j->pre + 8) != 13 || memcmp(j->pre + 12, "IHDR", 4) != 0)
		return seterr(d->err, sizeof(d->err), "bad PNG: no IHDR chunk "
		    "first");
	w = be32(j->pre + 16);
	h = be32(j->pre + 20);
	if (w == 0 || h == 0 || w > PNG_UINT_31_MAX || h > PNG_UINT_31_MAX)
		return seterr(d->err, sizeof(d->err), "bad PNG: image of "
		    "%lux%lu pixels", w, h);
	return checksize(d, w, h);
}

/* Read the header; ask for 8-bit grey, grey and alpha, RGB or RGBA. */
static void
png_setup(png_structp png, png_infop info, struct pngjob *j)
{
	long max = MIN(limit(j->d), (long)PNG_UINT_31_MAX);

	png_set_read_fn(png, j, png_readfn);
	png_set_sig_bytes(png, sizeof(pngsig));
	png_set_user_limits(png, max, max);
	png_set_chunk_malloc_max(png, PNG_CHUNK_MAX);
	png_read_info(png, info);
	png_set_expand(png);    /* palette to RGB, grey to 8 bits, tRNS */
	png_set_scale_16(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
}

/* The pixels, alpha composited over white. */
static void
png_pixels(png_structp png, png_infop info, struct pngjob *j)
{
	png_uint_32 w = png_get_image_width(png, info), y;
	png_uint_32 h = png_get_image_height(png, info);
	int ch = png_get_channels(png, info), c = ch <= 2 ? 1 : 3;
	size_t stride = (size_t)w * ch;
	unsigned char *px;

	if (png_get_bit_depth(png, info) != 8 ||
	    png_get_rowbytes(png, info) != stride)
		png_error(png, "unexpected pixel layout");
	j->im = img_new(w, h, c);
	px = j->im->px;
	if (ch != c)
		px = j->buf = xmalloc(stride * h);
	j->rows = xmalloc(h * sizeof(*j->rows));
	for (y = 0; y < h; y++)
		j->rows[y] = px + y * stride;
	png_read_image(png, j->rows);
	if (ch != c)
		overwhite(j->im->px, j->buf, (size_t)w * h, c);
}

static int
png_decode(struct decoder *d, struct img **out)
{
	struct pngjob j;
	png_structp png;
	png_infop info = NULL;

	*out = NULL;
	memset(&j, 0, sizeof(j));
	j.d = d;
	if (png_head(d, &j) < 0)
		return -1;
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &j, png_fail,
	    png_warn);
	if (png != NULL)
		info = png_create_info_struct(png);
	if (info == NULL) {
		png_destroy_read_struct(&png, NULL, NULL);
		return seterr(d->err, sizeof(d->err), "out of memory");
	}
	if (setjmp(png_jmpbuf(png)) == 0) {
		png_setup(png, info, &j);
		png_pixels(png, info, &j);
		*out = j.im;
		j.im = NULL;
	}
	png_destroy_read_struct(&png, &info, NULL);
	free(j.rows);
	free(j.buf);
	img_free(j.im);
	return *out != NULL ? 1 : -1;
}

/* JPEG: libjpeg, with a source manager that serves the bytes already
 * read, then fread()s; its errors and warnings land in d. */
struct jsrc {
	struct jpeg_source_mgr pub;
	FILE *fp;
	JOCTET pre[3];
	int prefed;
	int eof;                /* the data ended early */
	JDIMENSION eofrow;      /* rows given out when it did */
	int eofscan;            /* and the scan being read */
	JOCTET buf[16384];
};

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	struct decoder *d;
};

struct jpegjob {
	struct jpeg_decompress_struct cinfo;
	struct jerr err;
	struct jsrc src;
	struct jpeg_progress_mgr prog;
	int orient;
};

/* Set d->err and give up on the image. */
static void
jfail(j_decompress_ptr ci, const char *fmt, ...)
{
	struct jerr *e = (struct jerr *)ci->err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->d->err, sizeof(e->d->err), fmt, ap);
	va_end(ap);
	longjmp(e->jb, 1);
}

static void
jerr_exit(j_common_ptr ci)
{
	struct jsrc *s = (struct jsrc *)((j_decompress_ptr)ci)->src;
	char msg[JMSG_LENGTH_MAX];

	(*ci->err->format_message)(ci, msg);
	if (s != NULL && s->eof)
		jfail((j_decompress_ptr)ci, "truncated JPEG file");
	jfail((j_decompress_ptr)ci, "bad JPEG: %s", msg);
}

/* Warnings (level -1) are counted, and the first kept; traces dropped. */
static void
jerr_emit(j_common_ptr ci, int level)
{
	struct jerr *e = (struct jerr *)ci->err;

	if (level >= 0)
		return;
	if (e->pub.num_warnings++ == 0)
		(*ci->err->format_message)(ci, e->d->warn);
}

static void
jprogress(j_common_ptr ci)
{
	j_decompress_ptr dc = (j_decompress_ptr)ci;

	if (dc->input_scan_number > JPEG_MAXSCANS)
		jfail(dc, "bad JPEG: more than %d scans", JPEG_MAXSCANS);
}

static void
jsrc_init(j_decompress_ptr ci)
{
	(void)ci;
}

/* At the end of the data, a warning and an EOI marker, as libjpeg's own
 * source managers do; a read error is an error. */
static boolean
jsrc_fill(j_decompress_ptr ci)
{
	static const JOCTET eoi[2] = { 0xff, JPEG_EOI };
	struct jsrc *s = (struct jsrc *)ci->src;
	size_t n = 0;

	if (!s->prefed) {
		s->prefed = 1;
		s->pub.next_input_byte = s->pre;
		s->pub.bytes_in_buffer = sizeof(s->pre);
		return TRUE;
	}
	if (!s->eof)
		n = fread(s->buf, 1, sizeof(s->buf), s->fp);
	if (n == 0) {
		if (ferror(s->fp))
			jfail(ci, "read error: %s", strerror(errno));
		if (!s->eof) {
			s->eof = 1;
			s->eofrow = ci->output_scanline;
			s->eofscan = ci->input_scan_number;
		}
		WARNMS(ci, JWRN_JPEG_EOF);
		s->pub.next_input_byte = eoi;
		s->pub.bytes_in_buffer = sizeof(eoi);
		return TRUE;
	}
	s->pub.next_input_byte = s->buf;
	s->pub.bytes_in_buffer = n;
	return TRUE;
}

static void
jsrc_skip(j_decompress_ptr ci, long n)
{
	struct jpeg_source_mgr *src = ci->src;

	if (n <= 0)
		return;
	while (n > (long)src->bytes_in_buffer) {
		n -= src->bytes_in_buffer;
		(*src->fill_input_buffer)(ci);
	}
	src->next_input_byte += n;
	src->bytes_in_buffer -= n;
}

static void
jsrc_term(j_decompress_ptr ci)
{
	(void)ci;
}

static unsigned
get16(const unsigned char *p, int le)
{
	return le ? p[0] | p[1] << 8 : p[0] << 8 | p[1];
}

static unsigned long
get32(const unsigned char *p, int le)
{
	return le ? get16(p, 1) | (unsigned long)get16(p + 2, 1) << 16 :
	    (unsigned long)get16(p, 0) << 16 | get16(p + 2, 0);
}

/*
 * The Orientation tag (0x0112, a SHORT) of IFD0 in the data of an APP1
 * marker: 1..8, or 0 when the marker is no EXIF or the tag is absent or
 * bad. Every offset is checked against the marker's length.
 */
static int
exif_orientation(const unsigned char *p, size_t len)
{
	size_t off, n, i;
	const unsigned char *e;
	unsigned v;
	int le;

	if (len < 6 + 8 || memcmp(p, "Exif\0\0", 6) != 0)
		return 0;
	p += 6, len -= 6;
	if (p[0] == 'I' && p[1] == 'I')
		le = 1;
	else if (p[0] == 'M' && p[1] == 'M')
		le = 0;
	else
		return 0;
	if (get16(p + 2, le) != 42)
		return 0;
	if ((off = get32(p + 4, le)) < 8 || off > len - 2)
		return 0;
	n = MIN(get16(p + off, le), (len - off - 2) / 12);
	for (i = 0, e = p + off + 2; i < n; i++, e += 12) {
		if (get16(e, le) != 0x0112)
			continue;
		if (get16(e + 2, le) != 3 || get32(e + 4, le) != 1)
			return 0;
		v = get16(e + 8, le);
		return v >= 1 && v <= 8 ? (int)v : 0;
	}
	return 0;
}

/* The orientation of the first EXIF APP1 marker, 1 when there is none. */
static int
jpeg_orientation(j_decompress_ptr ci)
{
	jpeg_saved_marker_ptr m;
	int o;

	for (m = ci->marker_list; m != NULL; m = m->next)
		if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
		    memcmp(m->data, "Exif\0\0", 6) == 0) {
			o = exif_orientation(m->data, m->data_length);
			return o > 0 ? o : 1;
		}
	return 1;
}

static void
jpeg_setup(struct decoder *d, struct jpegjob *j)
{
	j_decompress_ptr ci = &j->cinfo;

	jpeg_create_decompress(ci);
	j->src.fp = d->fp;
	j->src.pub.init_source = jsrc_init;
	j->src.pub.fill_input_buffer = jsrc_fill;
	j->src.pub.skip_input_data = jsrc_skip;
	j->src.pub.resync_to_restart = jpeg_resync_to_restart;
	j->src.pub.term_source = jsrc_term;
	ci->src = &j->src.pub;
	j->prog.progress_monitor = jprogress;
	ci->progress = &j->prog;
	jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);
}

/* Header, size, orientation, colour space and scale; then start. */
static void
jpeg_prepare(struct decoder *d, struct jpegjob *j)
{
	j_decompress_ptr ci = &j->cinfo;

	jpeg_read_header(ci, TRUE);
	if (checksize(d, ci->image_width, ci->image_height) < 0)
		longjmp(j->err.jb, 1);
	j->orient = jpeg_orientation(ci);
	switch (ci->jpeg_color_space) {
	case JCS_GRAYSCALE:
		ci->out_color_space = JCS_GRAYSCALE;
		break;
	case JCS_CMYK:
	case JCS_YCCK:
		ci->out_color_space = JCS_CMYK;
		break;
	case JCS_YCbCr:
		/* Y is BT.601's luma: img_grey() of the RGB, but for rounding */
		ci->out_color_space = d->grey ? JCS_GRAYSCALE : JCS_RGB;
		break;
	default:
		ci->out_color_space = JCS_RGB;
	}
	ci->scale_num = 1;
	ci->scale_denom = d->scale_denom;
	jpeg_start_decompress(ci);
	if (ci->output_components !=
	    (ci->out_color_space == JCS_GRAYSCALE ? 1 :
	    ci->out_color_space == JCS_RGB ? 3 : 4))
		jfail(ci, "bad JPEG: %d components", ci->output_components);
}

/* CMYK as Adobe writes it (inverted) or plain, to RGB. */
static void
cmyk_rgb(unsigned char *dst, const unsigned char *src, size_t n, int inv)
{
	unsigned k, v;
	size_t i;
	int ch;

	for (i = 0; i < n; i++, src += 4) {
		k = inv ? src[3] : 255 - src[3];
		for (ch = 0; ch < 3; ch++) {
			v = inv ? src[ch] : 255 - src[ch];
			*dst++ = (v * k + 127) / 255;
		}
	}
}

/* The scanlines into im; data that ends early is accepted once some
 * rows (or, progressive, a whole scan) came out. */
static void
jpeg_rows(struct jpegjob *j, struct img *im)
{
	j_decompress_ptr ci = &j->cinfo;
	size_t stride = (size_t)im->w * im->c;
	JSAMPROW rows[16];
	JSAMPARRAY cmyk = NULL;
	JDIMENSION y, k, n;

	if (ci->out_color_space == JCS_CMYK)
		cmyk = (*ci->mem->alloc_sarray)((j_common_ptr)ci, JPOOL_IMAGE,
		    ci->output_width * 4, 1);
	while ((y = ci->output_scanline) < ci->output_height) {
		n = cmyk != NULL ? 1 : MIN(LEN(rows), ci->output_height - y);
		for (k = 0; k < n; k++)
			rows[k] = im->px + (y + k) * stride;
		if (jpeg_read_scanlines(ci, cmyk != NULL ? cmyk : rows, n) == 0)
			jfail(ci, "bad JPEG: the decoder stalled");
		if (cmyk != NULL)
			cmyk_rgb(rows[0], cmyk[0], im->w, ci->saw_Adobe_marker);
	}
	if (j->src.eof && j->src.eofrow == 0 &&
	    !(jpeg_has_multiple_scans(ci) && j->src.eofscan > 1))
		jfail(ci, "truncated JPEG file: no rows decoded");
}

/* The TILE x TILE square of out at (x1, y1): output pixel (X, Y) is
 * input pixel m[0] + X*m[1] + Y*m[2]. */
static void
turn_tile(struct img *out, const struct img *im, const ptrdiff_t *m,
    ptrdiff_t x1, ptrdiff_t y1)
{
	const unsigned char *s;
	unsigned char *d;
	ptrdiff_t X, Y, x2, y2;

	x2 = MIN(x1 + TILE, out->w);
	y2 = MIN(y1 + TILE, out->h);
	for (Y = y1; Y < y2; Y++) {
		s = im->px + (m[0] + x1 * m[1] + Y * m[2]) * im->c;
		d = out->px + (Y * out->w + x1) * im->c;
		if (im->c == 1)
			for (X = x1; X < x2; X++, s += m[1])
				*d++ = *s;
		else
			for (X = x1; X < x2; X++, s += 3 * m[1], d += 3)
				d[0] = s[0], d[1] = s[1], d[2] = s[2];
	}
}

/*
 * im turned upright as EXIF orientation o says: 2 mirrors left-right, 3
 * turns 180 degrees, 4 mirrors top-bottom, 5 transposes, 6 turns 90
 * degrees clockwise, 7 transverses, 8 turns 90 degrees counterclockwise.
 * m is where output pixel (0, 0) comes from and the steps in the input
 * for one step right and one down in the output, in pixels.
 */
static struct img *
orient(struct img *im, int o)
{
	ptrdiff_t w = im->w, h = im->h, m[3], x1, y1;
	struct img *out;

	switch (o) {
	case 2:
		m[0] = w - 1, m[1] = -1, m[2] = w;
		break;
	case 3:
		m[0] = h * w - 1, m[1] = -1, m[2] = -w;
		break;
	case 4:
		m[0] = (h - 1) * w, m[1] = 1, m[2] = -w;
		break;
	case 5:
		m[0] = 0, m[1] = w, m[2] = 1;
		break;
	case 6:
		m[0] = (h - 1) * w, m[1] = -w, m[2] = 1;
		break;
	case 7:
		m[0] = h * w - 1, m[1] = -w, m[2] = -1;
		break;
	case 8:
		m[0] = w - 1, m[1] = w, m[2] = -1;
		break;
	default:
		return im;
	}
	out = o >= 5 ? img_new(h, w, im->c) : img_new(w, h, im->c);
	for (y1 = 0; y1 < out->h; y1 += TILE)
		for (x1 = 0; x1 < out->w; x1 += TILE)
			turn_tile(out, im, m, x1, y1);
	out->meta = im->meta;
	memset(&im->meta, 0, sizeof(im->meta));
	img_free(im);
	return out;
}

static int
jpeg_decode(struct decoder *d, struct img **out)
{
	struct jpegjob *j;
	struct img *volatile im = NULL;

	*out = NULL;
	j = xcalloc(1, sizeof(*j));
	j->src.pre[0] = jpegsig[0];
	if (head(d, j->src.pre, sizeof(j->src.pre), jpegsig, sizeof(jpegsig),
	    "JPEG") < 0) {
		free(j);
		return -1;
	}
	j->cinfo.err = jpeg_std_error(&j->err.pub);
	j->err.pub.error_exit = jerr_exit;
	j->err.pub.emit_message = jerr_emit;
	j->err.d = d;
	if (setjmp(j->err.jb) == 0) {
		jpeg_setup(d, j);
		jpeg_prepare(d, j);
		im = img_new(j->cinfo.output_width, j->cinfo.output_height,
		    j->cinfo.out_color_space == JCS_GRAYSCALE ? 1 : 3);
		jpeg_rows(j, im);
		*out = orient(im, j->orient);
		im = NULL;
	}
	jpeg_destroy_decompress(&j->cinfo);
	img_free(im);
	free(j);
	return *out != NULL ? 1 : -1;
}

void
decode_open(struct decoder *d, FILE *fp, const char *name)
{
	memset(d, 0, sizeof(*d));
	d->fp = fp;
	d->name = name != NULL ? name : "stdin";
	d->maxpix = IMGIO_MAXPIX;
	d->scale_denom = 1;
	imgio_open(&d->io, fp, d->name);
}

/* Tell the kind of the stream by its first byte (after blanks, which
 * netpbm allows): 1, or 0 for an empty stream, or -1. */
static int
sniff(struct decoder *d)
{
	int c;

	while (isws(c = getc(d->fp)))
		;
	if (c == EOF) {
		if (ferror(d->fp))
			return seterr(d->err, sizeof(d->err), "read error: %s",
			    strerror(errno));
		return 0;
	}
	if (c == 'P') {
		ungetc(c, d->fp);
		d->kind = DECODE_PNM;
	} else if (c == pngsig[0])
		d->kind = DECODE_PNG;
	else if (c == jpegsig[0])
		d->kind = DECODE_JPEG;
	else
		return seterr(d->err, sizeof(d->err), NOTIMAGE);
	return 1;
}

int
decode_next(struct decoder *d, struct img **out)
{
	int rc;

	*out = NULL;
	d->err[0] = d->warn[0] = '\0';
	if (d->done)
		return 0;
	if (d->scale_denom != 1 && d->scale_denom != 2 &&
	    d->scale_denom != 4 && d->scale_denom != 8)
		return seterr(d->err, sizeof(d->err), "bad scale_denom %d "
		    "(want 1, 2, 4 or 8)", d->scale_denom);
	if (d->kind == 0 && (rc = sniff(d)) <= 0) {
		d->done = 1;
		return rc;
	}
	if (d->kind == DECODE_PNM) {
		d->io.maxpix = limit(d);
		d->io.raise = d->raise;
		rc = imgio_read(&d->io, out);
		if (rc < 0)
			memcpy(d->err, d->io.err, sizeof(d->err));
		d->count = d->io.count;
		return rc;
	}
	d->done = 1;            /* one PNG or JPEG ends the stream */
	rc = d->kind == DECODE_PNG ? png_decode(d, out) : jpeg_decode(d, out);
	d->count += rc == 1;
	return rc;
}

void
decode_close(struct decoder *d)
{
	d->done = 1;            /* nothing is held between images */
}

struct img *
decode_file(const char *path, long maxpix, char *err, int errlen)
{
	struct decoder d;
	struct img *im = NULL;
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "rb")) == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	decode_open(&d, fp, path);
	if (maxpix > 0)
		d.maxpix = maxpix;
	rc = decode_next(&d, &im);
	if (rc == 0)
		seterr(err, errlen, "%s: no image", path);
	else if (rc < 0)
		seterr(err, errlen, "%s: %s", path, d.err);
	decode_close(&d);
	fclose(fp);
	return im;
}
