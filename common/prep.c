/* prep: a photo or scan made ready for segment(1): grey, light
 * flattened, ink found by a threshold, white ink on black */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "imgio.h"
#include "prep.h"
#include "thresh.h"
#include "util.h"

#define MINCONTRAST 24          /* ink must be this much darker than paper */
#define MININK 40               /* in at least this many pixels */
#define WEAK 0.75               /* Sauvola's looser test: k times this */
#define RANGE 88                /* Sauvola's R, 128 in his paper: less
				 * keeps more of thin strokes' soft edges;
				 * 88 read the most generated pages */
#define OFFSHEET (1 / 3.0)      /* flatten(): darker is off the sheet */
#define RIM 6                   /* and so is this many pixels around it */
#define GROW 2                  /* pixels it may add to ink, outward */
#define TWOTONE 0.97            /* Otsu's separability: all but two-tone */
#define POLARSEP 0.85           /* two tones enough to tell ink by its share */
#define INKSHARE 0.2            /* ink covers less of a picture than this */

void
prep_defaults(struct prep_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = 1200;
	o->polarity = PREP_AUTO;
	o->method = PREP_AUTOT;
	o->k = 0.2;
	o->flatten = 1;
	o->output = PREP_GREY;
}

/* Grey and brought to the working size: reduced to it, or doubled when
 * at most half of it (thin strokes of small writing keep their grey
 * through the threshold) and four times its pixels stay within maxpix. */
static struct img *
working(const struct img *in, int size, long maxpix, double *scale)
{
	struct img *g = img_grey(in), *s;
	int big = MAX(g->w, g->h), w, h;

	*scale = 1;
	if (size > 0 && 2 * big <= size &&
	    (double)g->w * g->h * 4 <= (maxpix > 0 ? maxpix : IMGIO_MAXPIX)) {
		*scale = 2;
		s = img_new(2 * g->w, 2 * g->h, 1);
		filter_double(s->px, g->px, g->w, g->h);
		meta_copy(&s->meta, &g->meta);
		img_free(g);
		return s;
	}
	if (size <= 0 || big <= size)
		return g;
	*scale = (double)size / big;
	w = MAX(1, (int)lround(g->w * *scale));
	h = MAX(1, (int)lround(g->h * *scale));
	s = img_new(w, h, 1);
	filter_resize(s->px, w, h, g->px, g->w, g->h);
	meta_copy(&s->meta, &g->meta);
	img_free(g);
	return s;
}

/* Zero in d (w x h) each piece of what stands out at least t on one
 * side (side[]: dark or light) that reaches the picture's edge and is
 * broad (a quarter of its pixels with all eight neighbours in it): the
 * fill past a page turned in software, a desk, a wall.  A ruled or
 * squared sheet's lines reach the edge too, but are thin, and stay, with
 * any bold digits that touch them. */
static void
off_border(unsigned char *d, const unsigned char *side, int w, int h, int t)
{
	size_t n = (size_t)w * h, *list = xmalloc((n + 1) * sizeof(*list));
	size_t top, got, i, j, k, nb;
	unsigned char *in = xcalloc(n, 1);
	int x, y, e, dx, dy, broad;

	for (e = 0; e < 2 * (w + h); e++) {     /* the edge's pixels */
		x = e < w ? e : e < 2 * w ? e - w : e < 2 * w + h ? 0 : w - 1;
		y = e < w ? 0 : e < 2 * w ? h - 1 : e < 2 * w + h ? e - 2 * w :
		    e - 2 * w - h;
		i = (size_t)y * w + x;
		if (in[i] || d[i] < t)
			continue;
		in[i] = 1, list[0] = i, got = 1;
		for (top = 0; top < got; top++) {
			i = list[top];
			x = (int)(i % w), y = (int)(i / w);
			for (k = 0; k < 4; k++) {
				int xx = x + (k == 0) - (k == 1);
				int yy = y + (k == 2) - (k == 3);

				if (xx < 0 || yy < 0 || xx >= w || yy >= h)
					continue;
				j = (size_t)yy * w + xx;
				if (!in[j] && d[j] >= t && side[j] == side[i])
					in[j] = 1, list[got++] = j;
			}
		}
		for (nb = 0, k = 0; k < got; k++) {
			x = (int)(list[k] % w), y = (int)(list[k] / w);
			broad = x > 0 && y > 0 && x < w - 1 && y < h - 1;
			for (dy = -1; broad && dy <= 1; dy++)
				for (dx = -1; broad && dx <= 1; dx++) {
					j = (size_t)(y + dy) * w + x + dx;
					broad = in[j] && side[j] == side[list[k]];
				}
			nb += broad;
		}
		if (4 * nb >= got)
			for (k = 0; k < got; k++)
				d[list[k]] = 0;
	}
	free(list);
	free(in);
}

/* Dark ink on light paper, as most photos are?  Ink is a minority of
 * any neighbourhood, standing out from the ground around it: at a
 * reduced size, each pixel's difference from the median of a window
 * wider than strokes is ink, paper grain or noise, and the ink's side is
 * the one with the greater sum of squared differences (grain and noise
 * fall on both).  Light falling unevenly, a desk around the sheet or a
 * shadow move the median with them.  Only what is narrower than the
 * window counts, as far as it stands out of the closing (dark) or the
 * opening (light) of the image: a corner of the sheet on a dark desk,
 * where the desk is the window's median, stays in the opening and is no
 * light ink; the paper between ruled lines, which an opening would take
 * away, is the median.  Nor does what off_border() finds beyond the
 * sheet count: the white corners of a page turned in software. */
static int
dark_ink(const unsigned char *p, int w, int h, int r)
{
	int f = MAX(1, MIN(8, r / 4)), sw = MAX(1, w / f), sh = MAX(1, h / f);
	int rf = MAX(1, r / f);
	size_t n = (size_t)sw * sh, i;
	unsigned char *s = xmalloc(n), *m = xmalloc(n), *c = xmalloc(n);
	unsigned char *o = xmalloc(n);
	double dark = 0, light = 0, d;

	filter_resize(s, sw, sh, p, w, h);
	filter_median(m, s, sw, sh, rf);
	filter_max(c, s, sw, sh, rf);           /* closing: no dark strokes */
	filter_min(c, c, sw, sh, rf);
	filter_min(o, s, sw, sh, rf);           /* opening: no light strokes */
	filter_max(o, o, sw, sh, rf);
	for (i = 0; i < n; i++) {
		d = (double)s[i] - m[i];
		d = d < 0 ? -MIN(-d, c[i] - s[i]) : MIN(d, s[i] - o[i]);
		m[i] = (unsigned char)MIN(fabs(d), 255); /* how far out */
		c[i] = d < 0;                           /* on which side */
	}
	off_border(m, c, sw, sh, MINCONTRAST / 2);
	for (i = 0; i < n; i++) {
		d = m[i];
		if (c[i])
			dark += d * d;
		else
			light += d * d;
	}
	free(s);
	free(m);
	free(c);
	free(o);
	return dark >= light;
}

/* Dark ink on light paper, in a picture of two tones (Otsu's
 * separability above POLARSEP: a scan, a drawing, a clean photo) where
 * one tone is a minority (under INKSHARE of the pixels) made of strokes
 * (less than a tenth of it left by an erosion r / 2 each way, r the
 * window's half-width, where a desk or a wall past the sheet would
 * stay): that tone is the ink,
 * whatever its neighbourhoods say.  Bold digits fill most of a window in
 * a small picture, and the paper between their strokes stands out light
 * from the window's median as light ink would.  -1 when the picture is
 * not such a one. */
static int
two_tone_dark(const unsigned char *p, int w, int h, int r)
{
	size_t n = (size_t)w * h, i, minority = 0, left = 0;
	unsigned char *m;
	long hist[256], below = 0;
	double sep;
	int t, v, dark;

	filter_hist(hist, p, n);
	t = thresh_otsu(hist, &sep);
	for (v = 0; v <= t; v++)
		below += hist[v];
	if (sep <= POLARSEP || MIN(below, (long)n - below) >= INKSHARE * n)
		return -1;
	dark = below < (long)n - below;
	m = xmalloc(n);
	for (i = 0; i < n; i++)
		minority += m[i] = (p[i] <= t) == dark;
	filter_min(m, m, w, h, MAX(1, r / 2));
	for (i = 0; i < n; i++)
		left += m[i];
	free(m);
	return 10 * left < minority ? dark : -1;
}

/* p = 255 p / background, the background being the image with the ink
 * closed away (max then min over a window wider than strokes): paper
 * comes out near 255 however the light fell, ink keeps its darkness
 * relative to the paper around it.  A closing keeps the edges of what is
 * wider than the window, so a desk around the sheet or a shadow's edge
 * leaves no rim.  What is off the sheet, a background darker than
 * OFFSHEET of the paper's (its 90th percentile) and RIM pixels around
 * it, is marked in off: divided by its own dimness, a desk's grain would
 * stand out as ink.  Returns 1 when something is off the sheet. */
static int
flatten(unsigned char *p, unsigned char *off, int w, int h, int r)
{
	size_t n = (size_t)w * h, i;
	unsigned char *b = xmalloc(n);
	unsigned recip[256];
	long hist[256];
	int v, sheet;

	filter_max(b, p, w, h, r);
	filter_min(b, b, w, h, r);
	for (v = 0; v < 256; v++)       /* 255 / v in 16.16 fixed point */
		recip[v] = (255u << 16) / (unsigned)MAX(v, 1);
	for (i = 0; i < n; i++) {
		unsigned q = (p[i] * recip[b[i]] + (1u << 15)) >> 16;

		p[i] = (unsigned char)MIN(q, 255);
	}
	filter_hist(hist, b, n);
	sheet = (int)(OFFSHEET * filter_quantile(hist, 0.9));
	for (v = 0; v < sheet && !hist[v]; v++)
		;
	if (v < sheet) {
		for (i = 0; i < n; i++)
			off[i] = b[i] < sheet ? 255 : 0;
		filter_max(off, off, w, h, RIM);
	}
	free(b);
	return v < sheet;
}

/* A 1-2-1 by 1-2-1 blur: noise down, thin strokes still half there. */
static void
smooth3(unsigned char *out, const unsigned char *in, int w, int h)
{
	unsigned short *t = xmalloc((size_t)w * h * sizeof(*t));
	int x, y, l, r, u, d;

	for (y = 0; y < h; y++) {
		const unsigned char *row = in + (size_t)y * w;
		unsigned short *trow = t + (size_t)y * w;

		for (x = 1; x < w - 1; x++)
			trow[x] = row[x - 1] + 2 * row[x] + row[x + 1];
		for (x = 0; x < w; x += MAX(1, w - 1)) {        /* the ends */
			l = x ? x - 1 : x, r = x < w - 1 ? x + 1 : x;
			trow[x] = row[l] + 2 * row[x] + row[r];
		}
	}
	for (y = 0; y < h; y++) {
		u = y ? y - 1 : y, d = y < h - 1 ? y + 1 : y;
		for (x = 0; x < w; x++)
			out[(size_t)y * w + x] = (unsigned char)((t[(size_t)u * w + x] +
			    2 * t[(size_t)y * w + x] + t[(size_t)d * w + x] + 8) >> 4);
	}
	free(t);
}

/* The ink of d (dark ink on paper near 255): pixels clearly darker than
 * the paper, by Otsu's global threshold or Sauvola's local one.  Auto
 * chooses Otsu's for pictures all but two-tone, where Sauvola's window
 * could hollow thick strokes, and keeps Sauvola's ink as well: a photo
 * can be all but two-tone and still hold a faint stroke beside bold ones
 * (a loop drawn thinner than its stem), below which Otsu's threshold
 * falls.  On other photos Otsu's loses faint strokes where the light or
 * the ink varies, and auto chooses Sauvola's alone.  Returns the method
 * chosen, or -1 when the image holds no ink at all. */
static int
ink_mask(unsigned char *mask, const unsigned char *d, int w, int h,
    const struct prep_opts *o, int r)
{
	size_t n = (size_t)w * h, i;
	unsigned char *b = xmalloc(n);
	long hist[256];
	int t, paper, method = o->method;
	double sep;

	smooth3(b, d, w, h);            /* a little denoising */
	filter_hist(hist, b, n);
	paper = filter_quantile(hist, 0.5);
	if (paper - filter_quantile(hist, MIN(0.001, MININK / (double)n)) <
	    MINCONTRAST) {
		memset(mask, 0, n);
		free(b);
		return -1;
	}
	t = thresh_otsu(hist, &sep);
	if (method == PREP_AUTOT)
		method = sep > TWOTONE ? PREP_OTSU : PREP_SAUVOLA;
	if (o->method == PREP_OTSU)
		memset(mask, 0, n);
	else
		thresh_sauvola(mask, b, w, h, r, o->k, WEAK * o->k, RANGE);
	if (method == PREP_OTSU)
		for (i = 0; i < n; i++)
			if (b[i] <= t)
				mask[i] = 255;
	for (i = 0; i < n; i++)
		if (b[i] >= paper - MINCONTRAST)
			mask[i] = 0;
	if (o->method != PREP_OTSU)
		thresh_grow(mask, w, h, GROW);
	free(b);
	return method;
}

/* White ink on black: inside the mask grown by a pixel (to keep the soft
 * edges), 255 - d stretched so that solid ink (the 90th percentile of the
 * ink) is 255; outside, 0. */
static void
ink_out(unsigned char *out, const unsigned char *d, const unsigned char *mask,
    int w, int h)
{
	size_t n = (size_t)w * h, i, m = 0;
	unsigned char *grown = xmalloc(n), lut[256];
	long hist[256];
	int solid;

	filter_max(grown, mask, w, h, 1);
	memset(hist, 0, sizeof(hist));
	for (i = 0; i < n; i++)
		if (mask[i]) {
			hist[255 - d[i]]++;
			m++;
		}
	solid = m ? MAX(filter_quantile(hist, 0.9), 1) : 255;
	for (i = 0; i < 256; i++)
		lut[i] = (unsigned char)MIN(255, (255 - (int)i) * 255 / solid);
	for (i = 0; i < n; i++)
		out[i] = grown[i] ? lut[d[i]] : 0;
	free(grown);
}

struct img *
prep_image(const struct img *in, const struct prep_opts *o)
{
	double scale;
	struct img *g = working(in, o->size, o->maxpix, &scale), *out;
	int w = g->w, h = g->h, r, dark, method, offsheet;
	unsigned char *mask = xmalloc((size_t)w * h);
	unsigned char *off = xcalloc((size_t)w * h, 1);
	size_t i;

	r = o->window > 0 ? o->window : MAX(4, MAX(w, h) / 20);
	dark = o->polarity == PREP_AUTO ? two_tone_dark(g->px, w, h, r) :
	    o->polarity == PREP_DARK;
	if (dark < 0)
		dark = dark_ink(g->px, w, h, r);
	if (!dark)
		for (i = 0; i < (size_t)w * h; i++)
			g->px[i] = 255 - g->px[i];
	offsheet = o->flatten && flatten(g->px, off, w, h, r);
	method = ink_mask(mask, g->px, w, h, o, r);
	for (i = 0; offsheet && i < (size_t)w * h; i++)
		if (off[i])
			mask[i] = 0;
	free(off);
	out = img_new(w, h, 1);
	meta_copy(&out->meta, &in->meta);
	if (o->output == PREP_MASK)
		memcpy(out->px, mask, (size_t)w * h);
	else
		ink_out(out->px, g->px, mask, w, h);
	meta_setf(&out->meta, "scale", "%.6g", scale);
	meta_setf(&out->meta, "size", "%d %d", in->w, in->h);
	meta_set(&out->meta, "ink", dark ? "dark" : "light");
	meta_set(&out->meta, "threshold", method < 0 ? "none" :
	    method == PREP_OTSU ? "otsu" : "sauvola");
	free(mask);
	img_free(g);
	return out;
}
