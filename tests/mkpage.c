/* mkpage: synthetic photos and scans of handwritten numbers, made of
 * MNIST test digits, with the text each holds: pages for measuring
 * prep | segment | cnn-infer (see tests/eval-pages).
 * usage: mkpage [-s seed] [-n pages] [-i first] [-f jpg|png|pnm|mix]
 *     [-d mnistdir] [-t n | -v] -o dir
 * -i first: the pages from page first on (0 by default), as a run from 0
 * makes them: page-0076 of -s 11 alone is -s 11 -i 76 -n 1.
 * -t n takes the digits from the first n images of the training set
 * instead: pages to train on (scripts/train-model), never to measure.
 * -v takes them from the last VALID (5000) images of the training set,
 * the validation split cnn-train holds out: pages to choose a setting
 * by, so that the test set's pages stay a measure.
 * Writes dir/page-0000.jpg ... and dir/truth.tsv, one "file<TAB>text" row
 * a page: the digits of each line of writing, top to bottom, lines
 * separated by a space; and dir/boxes.tsv, one row a digit: file, line,
 * place in the line, digit, and the box x, y, width, height of its ink
 * in the image.  Page i depends on the seed and i alone.
 *
 * A page is painted in page coordinates (the sheet seen straight on):
 * digits scaled up from MNIST and laid out as a hand writes them, on
 * paper with texture, rules and maybe a desk around the sheet.  The
 * camera then rotates and tilts it, lights it unevenly, blurs it, adds
 * sensor noise, and the page is written as JPEG, PNG or PNM.  The recipe
 * is in the draw_*() functions.  Random choices come from rngs seeded
 * with the seed and the page's number, pixel noise is hashed from
 * positions: neither -n nor the thread count changes a byte.
 */
#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "idx.h"
#include "rng.h"
#include "util.h"

#define MAXLINE 3               /* lines of writing a page */
#define MAXDIG 10               /* digits a line */
#define MN 28                   /* MNIST's side */
#define VALID 5000              /* cnn-train's validation split (-V) */
#define UP 4                    /* digits are upsampled this much first */
#define US (MN * UP)
#define PI 3.14159265f

enum { FMT_JPG, FMT_PNG, FMT_PNM, FMT_MIX };
enum { INK_PEN, INK_PENCIL, INK_MARKER };
enum { RULE_NONE, RULE_LINES, RULE_GRID };

static const char *const extname[] = { "jpg", "png", "pnm" };

struct mnist {
	struct idx img, lab;
};

/* A value-noise field: random values on a lattice, smoothly interpolated. */
struct field {
	int gw, gh;
	float sx, sy;           /* lattice cells per pixel */
	float x0, y0;           /* page coordinates of lattice point (0, 0) */
	float *v;
};

struct ink {
	int kind;
	float rgb[3];           /* reflectance of the ink at full coverage */
	float alpha;            /* peak coverage */
	int morph;              /* on the UP x grid: < 0 erode, > 0 dilate */
	float level;            /* where the stroke edge lies, 0..1 */
	float grain;            /* pencil: coverage lost to the paper's tooth */
	float pressure;         /* pen: coverage varying along the strokes */
};

struct paper {
	float rgb[3];
	float mottle, fibre, grain;     /* texture amplitudes */
	int rule;               /* RULE_* */
	float sp, phase;        /* rule spacing and offset, page pixels */
	float gphase;           /* grid: offset of the columns */
	float lw, lcov, lrgb[3];        /* rule width, coverage, colour */
	int snap;               /* baselines sit on the rules */
	int margin;             /* a red margin line at x = mx */
	float mx;
	int nfibre, nspeck;
	int frame;              /* a desk (or scanner lid) around the sheet */
	float sx0, sy0, sx1, sy1;       /* the sheet, page coordinates */
	float desk[3], desktex;
	int wood;
};

struct light {
	float expo, wb[3], gamma;
	float gdx, gdy, gs;             /* linear gradient: direction, depth */
	float rx, ry, rr, rs;           /* radial: centre, radius, strength */
	float vig;                      /* vignetting */
	float shx, shy, sha, shb, shc, shs, shsoft, shdepth;  /* shadow */
};

/* One digit's ink, alpha 0..1, with its anchor (the bottom centre of the
 * ink) at pixel (ax, ay). */
struct patch {
	int w, h, ax, ay;
	float *a;
	int *left, *right;      /* per row: first and last ink column, or -1 */
	int x0, y0, x1, y1;     /* ink box */
};

struct line {
	int n;
	int id[MAXDIG], label[MAXDIG];
	struct patch p[MAXDIG];
	int px[MAXDIG], py[MAXDIG];     /* patch origins */
	int x0, y0, x1, y1;             /* ink box */
	float h;                        /* digit height */
	float slope, slant, aspect;
	float base;                     /* baseline y at x = 0 */
};

struct page {
	int w, h;               /* the output image */
	int scan, hard, grey, fmt, quality;
	uint64_t seed;          /* for noise hashed from positions */
	int nline;
	struct line ln[MAXLINE];
	float dh;               /* digit height, pixels */
	float ptouch;           /* chance of drawing neighbours touching */
	struct ink ink;
	struct paper pp;
	struct light lt;
	double rot, kx, ky;     /* camera: rotation, perspective */
	double m[9], mi[9];     /* page to output coordinates, and back */
	int cx0, cy0, cw, ch;   /* canvas: page coordinates of (0, 0), size */
	float blur, noise;
};

/* ---- random numbers and noise ---- */

static uint64_t
hash64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
hash_xy(uint64_t seed, int x, int y)
{
	return hash64(seed ^ ((uint64_t)(uint32_t)y << 32 | (uint32_t)x));
}

/* Uniform in -1..1 from a hash. */
static float
hash_unit(uint64_t h)
{
	return (float)(h >> 40) * (2.0f / 16777216.0f) - 1;
}

/* Close to a standard normal (a sum of four uniforms) from a hash. */
static float
hash_gauss(uint64_t h)
{
	float s = (float)(h & 0xffff) + (float)(h >> 16 & 0xffff) +
	    (float)(h >> 32 & 0xffff) + (float)(h >> 48);

	return (s * (1.0f / 65535) - 2) * 1.7320508f;
}

static float
smooth(float t)
{
	return t * t * (3 - 2 * t);
}

static float
smoothstep(float a, float b, float x)
{
	float t = (x - a) / (b - a);

	return smooth(t < 0 ? 0 : t > 1 ? 1 : t);
}

static float
clampf(float v, float lo, float hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static float
luma(const float *rgb)
{
	return 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
}

/* Value noise in -1..1 with the lattice hashed: no storage, for sparse use. */
static float
vnoise(uint64_t seed, float x, float y)
{
	int ix = (int)floorf(x), iy = (int)floorf(y);
	float tx = smooth(x - ix), ty = smooth(y - iy);
	float a = hash_unit(hash_xy(seed, ix, iy));
	float b = hash_unit(hash_xy(seed, ix + 1, iy));
	float c = hash_unit(hash_xy(seed, ix, iy + 1));
	float d = hash_unit(hash_xy(seed, ix + 1, iy + 1));

	return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}

/* A field over the page rectangle (x0, y0, w, h), cells cx by cy pixels. */
static void
field_new(struct field *f, float x0, float y0, float w, float h, float cx,
    float cy, struct rng *r)
{
	long i, n;

	f->sx = 1 / fmaxf(cx, 1), f->sy = 1 / fmaxf(cy, 1);
	f->x0 = x0, f->y0 = y0;
	f->gw = (int)(w * f->sx) + 3;
	f->gh = (int)(h * f->sy) + 3;
	n = (long)f->gw * f->gh;
	f->v = xmalloc(sizeof(float) * n);
	for (i = 0; i < n; i++)
		f->v[i] = rng_range(r, -1, 1);
}

/* Uniform on a log scale. */
static float
rng_log(struct rng *r, float lo, float hi)
{
	return expf(rng_range(r, logf(lo), logf(hi)));
}

static int
chance(struct rng *r, float p)
{
	return rng_uniform(r) < p;
}

/* ---- 3x3 homographies ---- */

static void
hmul(double *c, const double *a, const double *b)
{
	double t[9];
	int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			t[3 * i + j] = a[3 * i] * b[j] +
			    a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
	memcpy(c, t, sizeof(t));
}

static void
hinv(double *b, const double *a)
{
	double d;

	b[0] = a[4] * a[8] - a[5] * a[7];
	b[1] = a[2] * a[7] - a[1] * a[8];
	b[2] = a[1] * a[5] - a[2] * a[4];
	b[3] = a[5] * a[6] - a[3] * a[8];
	b[4] = a[0] * a[8] - a[2] * a[6];
	b[5] = a[2] * a[3] - a[0] * a[5];
	b[6] = a[3] * a[7] - a[4] * a[6];
	b[7] = a[1] * a[6] - a[0] * a[7];
	b[8] = a[0] * a[4] - a[1] * a[3];
	d = a[0] * b[0] + a[1] * b[3] + a[2] * b[6];
	for (int i = 0; i < 9; i++)
		b[i] /= d;
}

static void
hmap(const double *m, double x, double y, double *u, double *v)
{
	double w = m[6] * x + m[7] * y + m[8];

	*u = (m[0] * x + m[1] * y + m[2]) / w;
	*v = (m[3] * x + m[4] * y + m[5]) / w;
}

/* ---- the recipe: every random choice of a page ---- */

/* Output size: area log-uniform from 300x150 to 4000x3000, aspect from
 * 2:1 landscape to 9:16 portrait, often a camera's. */
static void
draw_size(struct page *pg, struct rng *r)
{
	static const float common[] = { 4.f / 3, 3.f / 4, 16.f / 9, 9.f / 16,
	    3.f / 2, 2.f / 3, 1, 2 };
	float area = rng_log(r, 300 * 150, 4000 * 3000), asp, w, h;

	if (chance(r, 0.5f))
		asp = common[rng_below(r, LEN(common))];
	else
		asp = rng_log(r, 9.f / 16, 2);
	w = sqrtf(area * asp), h = w / asp;
	pg->w = (int)clampf(w, 300, 4000);
	pg->h = (int)clampf(h, 150, 3000);
}

static void
draw_ink_colour(struct ink *k, struct rng *r)
{
	float u = rng_uniform(r), g;

	if (k->kind == INK_PENCIL) {
		g = rng_range(r, 0.25f, 0.42f);
		k->rgb[0] = g, k->rgb[1] = g * 1.02f, k->rgb[2] = g * 1.08f;
	} else if (u < 0.45f) {         /* blue, often violet */
		k->rgb[0] = rng_range(r, 0.1f, 0.3f);
		k->rgb[1] = rng_range(r, 0.12f, 0.28f);
		k->rgb[2] = rng_range(r, 0.45f, 0.7f);
	} else if (u < 0.82f) {         /* black */
		g = rng_range(r, 0.05f, 0.18f);
		k->rgb[0] = g, k->rgb[1] = g, k->rgb[2] = g * 1.1f;
	} else if (u < 0.94f) {         /* dark red */
		k->rgb[0] = rng_range(r, 0.5f, 0.68f);
		k->rgb[1] = rng_range(r, 0.05f, 0.14f);
		k->rgb[2] = rng_range(r, 0.08f, 0.18f);
	} else {                        /* green */
		k->rgb[0] = rng_range(r, 0.05f, 0.15f);
		k->rgb[1] = rng_range(r, 0.3f, 0.42f);
		k->rgb[2] = rng_range(r, 0.15f, 0.25f);
	}
}

/* Pen 70% (65% on hard pages), thinned by 0..2 quarter MNIST pixels;
 * pencil 15% (25%), thinned 1..2, lighter, grainy; marker 15% (10%),
 * thickened 1..4.  Blue 45%, black 37%, dark red 12%, green 6%. */
static void
draw_ink(struct ink *k, int hard, struct rng *r)
{
	float u = rng_uniform(r);

	memset(k, 0, sizeof(*k));
	k->kind = u < (hard ? 0.65f : 0.7f) ? INK_PEN :
	    u < (hard ? 0.9f : 0.85f) ? INK_PENCIL : INK_MARKER;
	draw_ink_colour(k, r);
	switch (k->kind) {
	case INK_PEN:
		k->alpha = rng_range(r, 0.85f, 1);
		k->morph = -(int)rng_below(r, 3);
		k->level = rng_range(r, 0.4f, 0.6f);
		k->pressure = rng_range(r, 0, 0.3f);
		break;
	case INK_PENCIL:
		k->alpha = rng_range(r, hard ? 0.6f : 0.7f, 0.9f);
		k->morph = -1 - (int)rng_below(r, 2);
		k->level = rng_range(r, 0.4f, 0.55f);
		k->grain = rng_range(r, 0.15f, hard ? 0.45f : 0.3f);
		k->pressure = rng_range(r, 0, 0.2f);
		break;
	default:
		k->alpha = rng_range(r, 0.92f, 1);
		k->morph = 1 + (int)rng_below(r, 4);
		k->level = rng_range(r, 0.3f, 0.5f);
		break;
	}
}

/* White 55%, grey 25%, cream 20% (scans: 75% white); mottled, with
 * fibres, grain and now and then specks.  Ruled 15% (hard pages 30%),
 * the baselines on the rules 70% (40%) of the time, a red margin 40%;
 * squared 10% (20%).  Rules light blue, grey or green. */
static void
draw_paper(struct paper *pp, int scan, int hard, struct rng *r)
{
	float u = rng_uniform(r), g;

	memset(pp, 0, sizeof(*pp));
	if (u < 0.55f || (scan && u < 0.75f)) {
		g = rng_range(r, 0.88f, 0.98f);
		pp->rgb[0] = g * rng_range(r, 0.98f, 1.02f);
		pp->rgb[1] = g, pp->rgb[2] = g * rng_range(r, 0.98f, 1.03f);
	} else if (u < 0.8f) {
		g = rng_range(r, 0.62f, 0.82f);
		pp->rgb[0] = pp->rgb[1] = g, pp->rgb[2] = g * 1.02f;
	} else {
		pp->rgb[0] = rng_range(r, 0.93f, 0.98f);
		pp->rgb[1] = pp->rgb[0] * rng_range(r, 0.93f, 0.97f);
		pp->rgb[2] = pp->rgb[0] * rng_range(r, 0.8f, 0.9f);
	}
	pp->mottle = rng_range(r, 0.003f, hard ? 0.025f : 0.015f);
	pp->fibre = rng_range(r, 0, 0.015f);
	pp->grain = rng_range(r, 0.002f, 0.02f);
	pp->nfibre = chance(r, 0.5f) ? (int)rng_below(r, 150) : 0;
	pp->nspeck = chance(r, 0.3f) ? (int)rng_below(r, 40) : 0;
	u = rng_uniform(r);
	pp->rule = u < (hard ? 0.3f : 0.15f) ? RULE_LINES :
	    u < (hard ? 0.5f : 0.25f) ? RULE_GRID : RULE_NONE;
	pp->snap = pp->rule == RULE_LINES && chance(r, hard ? 0.4f : 0.7f);
	pp->margin = pp->rule == RULE_LINES && chance(r, 0.4f);
	pp->lcov = rng_range(r, 0.35f, hard ? 0.9f : 0.7f);
	g = rng_uniform(r);
	pp->lrgb[0] = g < 0.6f ? rng_range(r, 0.45f, 0.65f) : 0.6f;
	pp->lrgb[1] = g < 0.6f ? rng_range(r, 0.65f, 0.8f) :
	    g < 0.8f ? 0.75f : 0.6f;
	pp->lrgb[2] = g < 0.6f ? rng_range(r, 0.85f, 0.95f) :
	    0.6f;
}

/* The sheet's edges: inside the picture on some sides (a desk around it,
 * 1..16% of the picture wide, on 20% of easy photos and 50% of hard ones;
 * a scanner's dark edge on 15% of scans, 35% of hard ones), else beyond
 * the picture. */
static void
draw_sheet(struct page *pg, struct rng *r)
{
	struct paper *pp = &pg->pp;
	float in = pg->scan ? 0.04f : 0.16f, *e[4];
	int i, any = 0;

	pp->sx0 = pp->sy0 = -1e6f, pp->sx1 = pp->sy1 = 1e6f;
	pp->frame = chance(r, pg->scan ? (pg->hard ? 0.35f : 0.15f) :
	    pg->hard ? 0.5f : 0.2f);
	if (!pp->frame)
		return;
	e[0] = &pp->sx0, e[1] = &pp->sy0, e[2] = &pp->sx1, e[3] = &pp->sy1;
	for (i = 0; i < 4; i++) {
		if (!chance(r, pg->scan ? 0.3f : 0.55f) && (i < 3 || any))
			continue;
		any = 1;
		if (i % 2 == 0)
			*e[i] = rng_range(r, 0.01f, in) * pg->w;
		else
			*e[i] = rng_range(r, 0.01f, in) * pg->h;
		if (i >= 2)
			*e[i] = (i == 2 ? pg->w : pg->h) - *e[i];
	}
	i = (int)rng_below(r, pg->scan ? 1 : 4);
	pp->wood = i == 1;
	pp->desk[0] = i == 0 ? 0.06f : i == 1 ? 0.45f : i == 2 ? 0.3f : 0.15f;
	pp->desk[1] = i == 0 ? 0.06f : i == 1 ? 0.3f : i == 2 ? 0.3f : 0.2f;
	pp->desk[2] = i == 0 ? 0.07f : i == 1 ? 0.17f : i == 2 ? 0.32f : 0.3f;
	for (i = 0; i < 3; i++)
		pp->desk[i] *= rng_range(r, 0.6f, 1.3f);
	pp->desktex = pg->scan ? 0.02f : rng_range(r, 0.05f, 0.2f);
}

/* Lighting.  Scans: bright, even (a gradient of 5%, 15% on hard pages).
 * Photos: exposure 0.75..1.05 (0.6.. on hard pages), a colour cast (sd
 * 3%), a linear gradient of up to 20% (50%), on 30% (50%) of them a
 * radial spot of +-30%, vignetting of up to 20% (40%), and on 10% (50%)
 * a soft shadow (of a phone or a hand) 15..35% (55%) deep reaching in
 * from an edge. */
static void
draw_light(struct page *pg, struct rng *r)
{
	struct light *l = &pg->lt;
	float a, w = pg->w, h = pg->h, hard = pg->hard;
	int i;

	memset(l, 0, sizeof(*l));
	l->expo = pg->scan ? rng_range(r, 0.98f, 1.12f) :
	    rng_range(r, hard ? 0.6f : 0.75f, 1.05f);
	for (i = 0; i < 3; i++)
		l->wb[i] = 1 + (pg->scan ? 0.01f : 0.03f) * rng_normal(r);
	l->gamma = rng_range(r, 0.85f, 1.15f);
	a = rng_range(r, 0, 2 * PI);
	l->gdx = cosf(a), l->gdy = sinf(a);
	l->gs = pg->scan ? rng_range(r, 0, hard ? 0.15f : 0.05f) :
	    rng_range(r, 0, hard ? 0.5f : 0.2f);
	if (!pg->scan && chance(r, hard ? 0.5f : 0.3f)) {
		l->rx = rng_range(r, 0, w), l->ry = rng_range(r, 0, h);
		l->rr = rng_range(r, 0.2f, 0.7f) * hypotf(w, h);
		l->rs = rng_range(r, -0.3f, 0.3f);
	}
	if (!pg->scan && chance(r, hard ? 0.5f : 0.3f))
		l->vig = rng_range(r, 0.05f, hard ? 0.4f : 0.2f);
	if (!pg->scan && chance(r, hard ? 0.5f : 0.1f)) {
		a = rng_range(r, 0, 2 * PI);
		l->shx = w / 2 + cosf(a) * w * rng_range(r, 0.35f, 0.6f);
		l->shy = h / 2 + sinf(a) * h * rng_range(r, 0.35f, 0.6f);
		l->sha = rng_range(r, 0.2f, 0.6f) * w;
		l->shb = rng_range(r, 0.2f, 0.6f) * h;
		a = rng_range(r, 0, PI);
		l->shc = cosf(a), l->shs = sinf(a);
		l->shsoft = rng_range(r, 0.04f, 0.2f) * fminf(w, h);
		l->shdepth = rng_range(r, 0.15f, hard ? 0.55f : 0.35f);
	}
}

/* Camera: rotation within 1.5 degrees for scans, 2 (5 on hard pages) for
 * photos, and on 20% (50%) of photos a slight perspective. */
static void
draw_camera(struct page *pg, struct rng *r)
{
	float maxrot = pg->scan ? 1.5f : pg->hard ? 5 : 2;

	pg->rot = rng_range(r, -maxrot, maxrot) * PI / 180;
	pg->kx = pg->ky = 0;
	if (!pg->scan && chance(r, pg->hard ? 0.5f : 0.2f)) {
		pg->kx = rng_range(r, -0.06f, 0.06f) / (pg->w / 2.0);
		pg->ky = rng_range(r, -0.06f, 0.06f) / (pg->h / 2.0);
	}
}

/* Photos: JPEG 80%, PNG 12%, PNM 8%; scans: JPEG 35%, PNG 45%, PNM 20%,
 * 40% of them grey; PNG instead of PNM above 4 megapixels.  JPEG quality
 * 70..95, 40..75 on hard pages. */
static void
draw_format(struct page *pg, int fmt, struct rng *r)
{
	float u = rng_uniform(r);

	if (fmt != FMT_MIX)
		pg->fmt = fmt;
	else if (pg->scan)
		pg->fmt = u < 0.35f ? FMT_JPG : u < 0.8f ? FMT_PNG : FMT_PNM;
	else
		pg->fmt = u < 0.8f ? FMT_JPG : u < 0.92f ? FMT_PNG : FMT_PNM;
	if (fmt == FMT_MIX && pg->fmt == FMT_PNM && pg->w * pg->h > 4000000)
		pg->fmt = FMT_PNG;
	pg->grey = pg->scan && chance(r, 0.4f);
	pg->quality = pg->hard ? (int)rng_range(r, 40, 76) :
	    (int)rng_range(r, 70, 96);
}

/* The faintest the ink gets: its darkness on white, in luma. */
static float
ink_dark(const struct ink *k)
{
	return k->alpha * (1 - k->grain) * (1 - k->pressure) *
	    (1 - luma(k->rgb));
}

/* Rules at most half as dark as the faintest ink. */
static void
rules_limit(struct page *pg)
{
	pg->pp.lcov = fminf(pg->pp.lcov, 0.5f * ink_dark(&pg->ink) /
	    (1 - luma(pg->pp.lrgb)));
}

/* Blur and noise, in proportion to the digits: sigma up to 2 pixels
 * where digits are 40 pixels high (0..0.7 on easy pages, half that on
 * easy scans, 0.4..2 on hard pages), at most 45% of the stroke width;
 * sensor noise sd 0.3..1.8% of white (hard photos 1..4.5%, scans 0.2..1.2%,
 * hard scans ..3%), and later at most a fifth of the ink's contrast in
 * the darkest light. */
static void
draw_optics(struct page *pg, struct rng *r)
{
	float b, stroke, noise;

	b = pg->hard ? rng_range(r, 0.4f, 2) : rng_range(r, 0, 0.7f);
	if (pg->scan && !pg->hard)
		b *= 0.5f;
	stroke = pg->dh * (0.13f + 0.025f * pg->ink.morph);
	pg->blur = fminf(b * pg->dh / 40, 0.45f * stroke);
	noise = pg->scan ? rng_range(r, 0.002f, pg->hard ? 0.03f : 0.012f) :
	    pg->hard ? rng_range(r, 0.01f, 0.045f) :
	    rng_range(r, 0.003f, 0.018f);
	pg->noise = noise;
}

/* ---- digits ---- */

/* The test set, or with ntrain > 0 the first ntrain training images,
 * or with ntrain < 0 the last VALID. */
static void
mnist_load(struct mnist *mn, const char *dir, long ntrain)
{
	const char *set = ntrain ? "train" : "t10k";
	char img[4096], lab[4096], err[512];

	if (snprintf(img, sizeof(img), "%s/%s-images-idx3-ubyte", dir, set) >=
	    (int)sizeof(img) || snprintf(lab, sizeof(lab),
	    "%s/%s-labels-idx1-ubyte", dir, set) >= (int)sizeof(lab))
		errx(1, "%s: name too long", dir);
	if (idx_load_pair(img, lab, &mn->img, &mn->lab, err, sizeof(err)) < 0)
		errx(1, "%s (scripts/fetch-mnist gets MNIST; -d names its "
		    "folder)", err);
	if (mn->img.rows != MN || mn->img.cols != MN)
		errx(1, "%s: not 28x28 images", img);
	if (ntrain > mn->img.n)
		errx(1, "%s: -t %ld, but it holds %d images", img, ntrain,
		    mn->img.n);
	if (ntrain > 0)
		mn->img.n = mn->lab.n = (int)ntrain;
	if (ntrain < 0) {
		if (mn->img.n < VALID)
			errx(1, "%s: -v, but it holds %d images", img, mn->img.n);
		memmove(mn->img.data, mn->img.data + (size_t)(mn->img.n - VALID) *
		    MN * MN, (size_t)VALID * MN * MN);
		memmove(mn->lab.data, mn->lab.data + mn->lab.n - VALID, VALID);
		mn->img.n = mn->lab.n = VALID;
	}
}

/* The ink box of an MNIST digit: bx = x0 y0 x1 y1, inclusive. */
static void
mnist_box(const unsigned char *d, int *bx)
{
	int x, y;

	bx[0] = bx[1] = MN, bx[2] = bx[3] = -1;
	for (y = 0; y < MN; y++)
		for (x = 0; x < MN; x++)
			if (d[y * MN + x] > 40) {
				bx[0] = MIN(bx[0], x), bx[2] = MAX(bx[2], x);
				bx[1] = MIN(bx[1], y), bx[3] = MAX(bx[3], y);
			}
	if (bx[2] < 0)
		bx[0] = bx[1] = 0, bx[2] = bx[3] = MN - 1;
}

static void
cubic(float t, float *w)
{
	float t2 = t * t, t3 = t2 * t;

	w[0] = (-t3 + 2 * t2 - t) / 2;
	w[1] = (3 * t3 - 5 * t2 + 2) / 2;
	w[2] = (-3 * t3 + 4 * t2 + t) / 2;
	w[3] = (t3 - t2) / 2;
}

/* Scale an MNIST digit up UP times (Catmull-Rom), values 0..1. */
static void
digit_upsample(float *up, const unsigned char *d)
{
	static float tmp[MN * US];
	float w[US][4];
	int i0[US], i, j, k, s;

	for (i = 0; i < US; i++) {
		float u = (i + 0.5f) / UP - 0.5f;

		i0[i] = (int)floorf(u) - 1;
		cubic(u - floorf(u), w[i]);
	}
	for (j = 0; j < MN; j++)
		for (i = 0; i < US; i++) {
			float v = 0;

			for (k = 0; k < 4; k++)
				if ((s = i0[i] + k) >= 0 && s < MN)
					v += w[i][k] * d[j * MN + s];
			tmp[j * US + i] = v / 255;
		}
	for (j = 0; j < US; j++)
		for (i = 0; i < US; i++) {
			float v = 0;

			for (k = 0; k < 4; k++)
				if ((s = i0[j] + k) >= 0 && s < MN)
					v += w[j][k] * tmp[s * US + i];
			up[j * US + i] = clampf(v, 0, 1);
		}
}

/* Smooth an upsampled digit (a Gaussian of half an MNIST pixel), so that
 * its stroke edges come out as smooth as a pen's. */
static void
digit_smooth(float *up)
{
	static float tmp[US * US];
	float g[2 * UP + 1], s = 0, v;
	int i, x, y, k, r = UP;

	for (i = -r; i <= r; i++)
		s += g[i + r] = expf(-i * i / (2.0f * (UP / 2) * (UP / 2)));
	for (i = 0; i <= 2 * r; i++)
		g[i] /= s;
	for (y = 0; y < US; y++)
		for (x = 0; x < US; x++) {
			for (v = 0, k = -r; k <= r; k++)
				if (x + k >= 0 && x + k < US)
					v += g[k + r] * up[y * US + x + k];
			tmp[y * US + x] = v;
		}
	for (y = 0; y < US; y++)
		for (x = 0; x < US; x++) {
			for (v = 0, k = -r; k <= r; k++)
				if (y + k >= 0 && y + k < US)
					v += g[k + r] * tmp[(y + k) * US + x];
			up[y * US + x] = v;
		}
}

/* Grey erosion (rad < 0) or dilation (rad > 0) with a disc. */
static void
digit_morph(float *dst, const float *src, int rad)
{
	int x, y, dx, dy, a = abs(rad), sx, sy;

	for (y = 0; y < US; y++)
		for (x = 0; x < US; x++) {
			float v = src[y * US + x], s;

			for (dy = -a; dy <= a; dy++)
				for (dx = -a; dx <= a; dx++) {
					if (dx * dx + dy * dy > a * a + a / 2)
						continue;
					sx = x + dx, sy = y + dy;
					s = sx < 0 || sy < 0 || sx >= US ||
					    sy >= US ? 0 : src[sy * US + sx];
					v = rad > 0 ? fmaxf(v, s) : fminf(v, s);
				}
			dst[y * US + x] = v;
		}
}

static float
bilinear(const float *im, int w, int h, float x, float y)
{
	int ix = (int)floorf(x), iy = (int)floorf(y);
	float tx = x - ix, ty = y - iy, a, b, c, d;

	if (ix < -1 || iy < -1 || ix >= w || iy >= h)
		return 0;
	a = ix >= 0 && iy >= 0 ? im[iy * w + ix] : 0;
	b = ix + 1 < w && iy >= 0 ? im[iy * w + ix + 1] : 0;
	c = ix >= 0 && iy + 1 < h ? im[(iy + 1) * w + ix] : 0;
	d = ix + 1 < w && iy + 1 < h ? im[(iy + 1) * w + ix + 1] : 0;
	return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}

/* Size the patch for the MNIST ink box bx mapped by A (MNIST pixels
 * relative to the ink's bottom centre cu, cv, to page pixels). */
static void
patch_size(struct patch *p, const int *bx, const float *A, float cu, float cv,
    float pad)
{
	float mnx = 1e9f, mny = 1e9f, mxx = -1e9f, mxy = -1e9f, u, v, x, y;
	int k;

	for (k = 0; k < 4; k++) {
		u = (k & 1 ? bx[2] + 0.5f + pad : bx[0] - 0.5f - pad) - cu;
		v = (k & 2 ? bx[3] + 0.5f + pad : bx[1] - 0.5f - pad) - cv;
		x = A[0] * u + A[1] * v, y = A[2] * u + A[3] * v;
		mnx = fminf(mnx, x), mxx = fmaxf(mxx, x);
		mny = fminf(mny, y), mxy = fmaxf(mxy, y);
	}
	p->ax = -(int)floorf(mnx) + 1, p->ay = -(int)floorf(mny) + 1;
	p->w = (int)ceilf(mxx) + p->ax + 2, p->h = (int)ceilf(mxy) + p->ay + 2;
	p->a = xcalloc((size_t)p->w * p->h, sizeof(float));
	p->left = xmalloc(sizeof(int) * p->h);
	p->right = xmalloc(sizeof(int) * p->h);
}

/* Row profiles and the ink box of a rendered patch. */
static void
patch_profile(struct patch *p, float on)
{
	int x, y;

	p->x0 = p->y0 = 1 << 30, p->x1 = p->y1 = -1;
	for (y = 0; y < p->h; y++) {
		p->left[y] = p->right[y] = -1;
		for (x = 0; x < p->w; x++)
			if (p->a[y * p->w + x] > on) {
				if (p->left[y] < 0)
					p->left[y] = x;
				p->right[y] = x;
			}
		if (p->left[y] < 0)
			continue;
		p->x0 = MIN(p->x0, p->left[y]), p->x1 = MAX(p->x1, p->right[y]);
		p->y0 = MIN(p->y0, y), p->y1 = y;
	}
	if (p->x1 < 0)
		p->x0 = p->y0 = 0, p->x1 = p->w - 1, p->y1 = p->h - 1;
}

/* Render an upsampled digit through A into a fresh patch: the stroke
 * edge at ink level k->level, about a pixel wide, peak k->alpha. */
static void
patch_render(struct patch *p, const float *up, const int *bx, const float *A,
    const struct ink *k)
{
	float cu = (bx[0] + bx[2]) / 2.0f, cv = bx[3] + 0.5f;
	float det = A[0] * A[3] - A[1] * A[2], scale = sqrtf(fabsf(det));
	float ai[4] = { A[3] / det, -A[1] / det, -A[2] / det, A[0] / det };
	float e = clampf(0.5f / scale, 0.04f, 0.5f), ox, oy, u, v, lo, hi;
	int x, y;

	lo = fmaxf(k->level - e, 0.05f), hi = fmaxf(k->level + e, lo + 0.05f);
	patch_size(p, bx, A, cu, cv, 1.5f + (k->morph > 0 ? k->morph : 0));
	for (y = 0; y < p->h; y++)
		for (x = 0; x < p->w; x++) {
			ox = x - p->ax, oy = y - p->ay;
			u = cu + ai[0] * ox + ai[1] * oy;
			v = cv + ai[2] * ox + ai[3] * oy;
			v = bilinear(up, US, US, (u + 0.5f) * UP - 0.5f,
			    (v + 0.5f) * UP - 0.5f);
			p->a[y * p->w + x] = k->alpha * smoothstep(lo, hi, v);
		}
	patch_profile(p, 0.3f * k->alpha);
}

static void
patch_free(struct patch *p)
{
	free(p->a), free(p->left), free(p->right);
	memset(p, 0, sizeof(*p));
}

/* Pixels of an upsampled digit above level. */
static int
digit_area(const float *v, float level)
{
	int i, n = 0;

	for (i = 0; i < US * US; i++)
		n += v[i] > level;
	return n;
}

/* Thicken or thin the strokes of up into mo as the ink k says, but thin
 * a digit less (to the point of not at all, at level 0.5 at most) when
 * it would lose more than 40% of its ink: a thin pen must not break thin
 * strokes.  Returns the image to render; dk gets the ink used. */
static const float *
digit_stroke(float *mo, const float *up, const struct ink *k,
    struct ink *dk)
{
	int full = digit_area(up, 0.5f);

	*dk = *k;
	if (dk->morph > 0)
		digit_morph(mo, up, dk->morph);
	for (; dk->morph < 0; dk->morph++) {
		digit_morph(mo, up, dk->morph);
		if (digit_area(mo, dk->level) >= 0.6f * full)
			return mo;
	}
	if (dk->morph == 0) {
		if (digit_area(up, dk->level) < 0.6f * full)
			dk->level = fminf(dk->level, 0.5f);
		return up;
	}
	return mo;
}

/* Render the digits of a line at its height, each a little different:
 * height +-5%, rotation sd 2.5 degrees, the line's slant +-0.04. */
static void
line_render(struct line *ln, const struct mnist *mn, const struct ink *k,
    struct rng *r)
{
	static float up[US * US], mo[US * US];
	const unsigned char *d;
	const float *src;
	float s, a, sh, A[4], c, sn;
	struct ink dk;
	int i, bx[4];

	for (i = 0; i < ln->n; i++) {
		d = mn->img.data + (size_t)ln->id[i] * MN * MN;
		mnist_box(d, bx);
		digit_upsample(up, d);
		digit_smooth(up);
		src = digit_stroke(mo, up, k, &dk);
		s = ln->h * clampf(1 + 0.05f * rng_normal(r), 0.88f, 1.12f) /
		    (bx[3] - bx[1] + 1);
		a = clampf(2.5f * rng_normal(r), -7, 7) * PI / 180;
		sh = ln->slant + 0.04f * rng_normal(r);
		c = cosf(a), sn = sinf(a);
		A[0] = s * c * ln->aspect, A[1] = s * (-c * sh - sn);
		A[2] = s * sn * ln->aspect, A[3] = s * (-sn * sh + c);
		patch_render(&ln->p[i], src, bx, A, &dk);
	}
}

/* ---- layout ---- */

/* The gap before a digit: touching or overlapping a little (ptouch),
 * small (15%), else clear, 0.07..0.35 digit heights. */
static float
draw_gap(float h, float ptouch, struct rng *r)
{
	float u = rng_uniform(r);

	if (u < ptouch)
		return -rng_range(r, 0, 0.05f) * h;
	if (u < ptouch + 0.15f)
		return fmaxf(1, rng_range(r, 0.01f, 0.07f) * h);
	u = rng_uniform(r);
	return (0.07f + 0.28f * u * u) * h;
}

/* Where the anchor of patch p goes so that its ink keeps gap from the
 * ink placed so far (prof: rightmost ink x per row, rows from -yoff). */
static int
line_fit(const float *prof, int ny, int yoff, float right,
    const struct patch *p, int iy, float gap, float h)
{
	float need = -1e9f, box;
	int y, row;

	for (y = 0; y < p->h; y++) {
		row = iy - p->ay + y + yoff;
		if (p->left[y] < 0 || row < 0 || row >= ny || prof[row] < -1e8f)
			continue;
		need = fmaxf(need, prof[row] - (p->left[y] - p->ax) + 1);
	}
	if (right < -1e8f)
		return p->ax - p->x0;
	box = right - (p->x0 - p->ax) + 1;
	if (need < -1e8f)
		need = box;
	/* the ink boxes overlap 4% of the height at most, 10% touching */
	need = fmaxf(need + gap, box - (gap >= 0 ? 0.04f * h - gap : 0.1f * h));
	return (int)lroundf(need);
}

/* Set the digits of a line side by side, baseline at y = 0 from x = 0,
 * wobbling (sd 3.5% of the height) and sloping. */
static void
line_set(struct line *ln, float ptouch, struct rng *r)
{
	int yoff = (int)(3 * ln->h) + 8, ny = 2 * yoff, i, y, row, x, iy;
	float *prof = xmalloc(sizeof(float) * ny), right = -1e9f, xest = 0;
	struct patch *p;

	for (y = 0; y < ny; y++)
		prof[y] = -1e9f;
	ln->x0 = ln->y0 = 1 << 30, ln->x1 = ln->y1 = -(1 << 30);
	for (i = 0; i < ln->n; i++) {
		p = &ln->p[i];
		iy = (int)lroundf(ln->slope * xest +
		    0.035f * ln->h * rng_normal(r));
		x = line_fit(prof, ny, yoff, right, p, iy,
		    draw_gap(ln->h, ptouch, r), ln->h);
		ln->px[i] = x - p->ax, ln->py[i] = iy - p->ay;
		for (y = 0; y < p->h; y++) {
			row = ln->py[i] + y + yoff;
			if (p->left[y] >= 0 && row >= 0 && row < ny)
				prof[row] = fmaxf(prof[row],
				    ln->px[i] + p->right[y]);
		}
		right = fmaxf(right, ln->px[i] + p->x1);
		xest = right + 0.4f * ln->h;
		ln->x0 = MIN(ln->x0, ln->px[i] + p->x0);
		ln->y0 = MIN(ln->y0, ln->py[i] + p->y0);
		ln->x1 = MAX(ln->x1, ln->px[i] + p->x1);
		ln->y1 = MAX(ln->y1, ln->py[i] + p->y1);
	}
	free(prof);
}

static void
line_move(struct line *ln, int dx, int dy)
{
	int i;

	for (i = 0; i < ln->n; i++)
		ln->px[i] += dx, ln->py[i] += dy;
	ln->x0 += dx, ln->x1 += dx, ln->y0 += dy, ln->y1 += dy;
	ln->base += dy;
}

/* Stack the lines: baselines 1.4..2.2 digit heights apart, further if
 * the ink of two lines would come closer than a third of a height, and
 * on ruled paper a whole number of rules.  Shift them sideways as a hand
 * does: left aligned (50%), centred (20%) or indented 0..2.5 heights,
 * with a jitter of sd 0.3 heights.  The block's ink box starts at (0, 0);
 * its size goes to bw, bh. */
static void
block_set(struct page *pg, int *bw, int *bh, struct rng *r)
{
	int i, mode = (int)rng_below(r, 10), minx = 1 << 30, maxx = -(1 << 30);
	int top;
	float base = 0, pitch, hm, dx;
	struct line *ln, *pv;

	for (i = 0; i < pg->nline; i++) {
		ln = &pg->ln[i], pv = &pg->ln[i - (i > 0)];
		hm = fmaxf(ln->h, pv->h);
		if (i > 0) {
			pitch = fmaxf(rng_range(r, 1.4f, 2.2f) * hm,
			    pv->y1 - pv->base - ln->y0 + 0.33f * hm);
			if (pg->pp.snap)
				pitch = pg->pp.sp * ceilf(pitch / pg->pp.sp);
			base += pitch;
		}
		dx = mode < 5 ? 0.3f * hm * rng_normal(r) :
		    mode < 7 ? -(ln->x1 - ln->x0) / 2.0f +
		    0.3f * hm * rng_normal(r) : rng_range(r, 0, 2.5f) * hm;
		line_move(ln, (int)lroundf(dx - ln->x0), (int)lroundf(base));
		minx = MIN(minx, ln->x0), maxx = MAX(maxx, ln->x1);
	}
	top = pg->ln[0].y0;
	for (i = 0; i < pg->nline; i++)
		line_move(&pg->ln[i], -minx, -top);
	*bw = maxx - minx + 1;
	*bh = pg->ln[pg->nline - 1].y1 + 1;
}

/* Whether every digit's ink box lands in the picture, margin pixels in. */
static int
block_visible(const struct page *pg, float margin)
{
	const struct line *ln;
	const struct patch *p;
	double u, v, x, y;
	int i, j, k;

	for (i = 0; i < pg->nline; i++)
		for (ln = &pg->ln[i], j = 0; j < ln->n; j++)
			for (p = &ln->p[j], k = 0; k < 4; k++) {
				x = ln->px[j] + (k & 1 ? p->x1 : p->x0);
				y = ln->py[j] + (k & 2 ? p->y1 : p->y0);
				hmap(pg->m, x, y, &u, &v);
				if (u < margin || v < margin ||
				    u > pg->w - 1 - margin ||
				    v > pg->h - 1 - margin)
					return 0;
			}
	return 1;
}

/* The rectangle the writing may use: the picture and the sheet, a margin
 * in; r = x0 y0 x1 y1. */
static void
safe_rect(const struct page *pg, float margin, float *r)
{
	r[0] = fmaxf(0, pg->pp.sx0) + margin;
	r[1] = fmaxf(0, pg->pp.sy0) + margin;
	r[2] = fminf(pg->w, pg->pp.sx1) - margin;
	r[3] = fminf(pg->h, pg->pp.sy1) - margin;
}

/* Place the block in the safe rectangle, nearer the middle than not, so
 * that the camera still sees it all: 1 on success. */
static int
block_place(struct page *pg, struct rng *r)
{
	float s[4], margin = fmaxf(0.35f * pg->dh, 4), x, y;
	int bw, bh, i, try;

	block_set(pg, &bw, &bh, r);
	safe_rect(pg, margin, s);
	if (bw > s[2] - s[0] || bh > s[3] - s[1])
		return 0;
	for (try = 0; try < 6; try++) {
		x = s[0] + (s[2] - s[0] - bw) * (rng_uniform(r) +
		    rng_uniform(r)) / 2;
		y = s[1] + (s[3] - s[1] - bh) * (rng_uniform(r) +
		    rng_uniform(r)) / 2;
		for (i = 0; i < pg->nline; i++)
			line_move(&pg->ln[i], (int)x, (int)y);
		if (block_visible(pg, fmaxf(4, 0.25f * pg->dh)))
			return 1;
		for (i = 0; i < pg->nline; i++)
			line_move(&pg->ln[i], -(int)x, -(int)y);
	}
	return 0;
}

/* The text: 1 line (55%), 2 (30%) or 3 (15%), each of 1..10 digits,
 * mostly short; the digits drawn from the whole MNIST test set. */
static void
draw_text(struct page *pg, const struct mnist *mn, struct rng *r)
{
	static const int lenw[MAXDIG] = { 8, 12, 14, 16, 12, 10, 8, 7, 6, 7 };
	float u = rng_uniform(r);
	int i, j, t, tot = 0;

	for (i = 0; i < MAXDIG; i++)
		tot += lenw[i];
	pg->nline = u < 0.55f ? 1 : u < 0.85f ? 2 : 3;
	for (i = 0; i < pg->nline; i++) {
		t = (int)rng_below(r, tot);
		for (j = 0; t >= lenw[j]; j++)
			t -= lenw[j];
		pg->ln[i].n = j + 1;
		for (j = 0; j < pg->ln[i].n; j++) {
			pg->ln[i].id[j] = (int)rng_below(r, mn->img.n);
			pg->ln[i].label[j] = mn->lab.data[pg->ln[i].id[j]];
		}
	}
}

/* The digit height: log-uniform from max(20, 4% of the height) to 25%
 * of the height, or as much as the text fits in. */
static float
draw_height(const struct page *pg, struct rng *r)
{
	float lo = fmaxf(20, 0.04f * pg->h), hi = 0.25f * pg->h, s[4];
	int i, nmax = 1;

	safe_rect(pg, 0.05f * fminf(pg->w, pg->h), s);
	for (i = 0; i < pg->nline; i++)
		nmax = MAX(nmax, pg->ln[i].n);
	hi = fminf(hi, (s[2] - s[0]) / (0.85f * nmax + 0.5f));
	hi = fminf(hi, (s[3] - s[1]) / (1.9f * (pg->nline - 1) + 1.4f));
	return hi <= lo ? lo : rng_log(r, lo, hi);
}

/* Line parameters and the rules, which depend on the digit height. */
static void
draw_lines(struct page *pg, struct rng *r)
{
	struct line *ln;
	float slant = rng_range(r, -0.1f, 0.25f);
	int i;

	for (i = 0; i < pg->nline; i++) {
		ln = &pg->ln[i];
		ln->h = pg->dh * rng_range(r, 0.92f, 1.08f);
		ln->slope = tanf(clampf(1.5f * rng_normal(r), -3.5f, 3.5f) *
		    PI / 180);
		ln->slant = slant + 0.04f * rng_normal(r);
		ln->aspect = rng_range(r, 0.85f, 1.15f);
		ln->base = 0;
	}
	pg->pp.sp = pg->dh * (pg->pp.rule == RULE_GRID ?
	    rng_range(r, 0.55f, 1.1f) : rng_range(r, 1.25f, 1.9f));
	pg->pp.phase = rng_range(r, 0, pg->pp.sp);
	pg->pp.gphase = rng_range(r, 0, pg->pp.sp);
	pg->pp.lw = fmaxf(0.8f, pg->dh * rng_range(r, 0.015f, 0.04f));
}

static void
text_free(struct page *pg)
{
	int i, j;

	for (i = 0; i < pg->nline; i++)
		for (j = 0; j < pg->ln[i].n; j++)
			patch_free(&pg->ln[i].p[j]);
}

/* Snap the rules to the baselines, and the margin left of the text. */
static void
rules_fit(struct page *pg, struct rng *r)
{
	struct paper *pp = &pg->pp;
	float left = 1e9f;
	int i;

	if (pp->snap)
		pp->phase = fmodf(pg->ln[0].base + rng_range(r, 0, 0.08f) *
		    pg->dh, pp->sp);
	for (i = 0; i < pg->nline; i++)
		left = fminf(left, pg->ln[i].x0);
	pp->mx = left - rng_range(r, 0.5f, 2.5f) * pg->dh;
	if (pp->mx < fmaxf(0, pp->sx0) + 0.02f * pg->w)
		pp->margin = 0;
}

/* Lay the text out at a digit height that fits: shrink 15% at a time
 * down to the least height, then drop digits from the longest line. */
static void
page_layout(struct page *pg, const struct mnist *mn, struct rng *r)
{
	float lo = fmaxf(20, 0.04f * pg->h);
	int i, ok, longest;

	pg->dh = draw_height(pg, r);
	for (;;) {
		draw_lines(pg, r);
		for (i = 0; i < pg->nline; i++) {
			line_render(&pg->ln[i], mn, &pg->ink, r);
			line_set(&pg->ln[i], pg->ptouch, r);
		}
		ok = block_place(pg, r);
		if (ok)
			break;
		text_free(pg);
		if (pg->dh > lo * 1.01f) {
			pg->dh = fmaxf(lo, pg->dh * 0.85f);
			continue;
		}
		for (longest = i = 0; i < pg->nline; i++)
			if (pg->ln[i].n > pg->ln[longest].n)
				longest = i;
		if (pg->ln[longest].n == 1 && pg->nline > 1)
			pg->nline--;
		else if (pg->ln[longest].n > 1)
			pg->ln[longest].n--;
	}
	rules_fit(pg, r);
}

/* ---- the camera's geometry ---- */

/* Page to output: rotation and perspective about the centre.  The canvas
 * is the part of the page the camera sees. */
static void
camera_set(struct page *pg)
{
	double cx = pg->w / 2.0, cy = pg->h / 2.0, c = cos(pg->rot);
	double s = sin(pg->rot), u, v, x0 = 1e18, y0 = 1e18, x1 = -1e18;
	double y1 = -1e18;
	double t1[9] = { 1, 0, -cx, 0, 1, -cy, 0, 0, 1 };
	double rt[9] = { c, -s, 0, s, c, 0, 0, 0, 1 };
	double ps[9] = { 1, 0, 0, 0, 1, 0, pg->kx, pg->ky, 1 };
	double t2[9] = { 1, 0, cx, 0, 1, cy, 0, 0, 1 };
	int k;

	hmul(pg->m, rt, t1);
	hmul(pg->m, ps, pg->m);
	hmul(pg->m, t2, pg->m);
	hinv(pg->mi, pg->m);
	for (k = 0; k < 4; k++) {
		hmap(pg->mi, k & 1 ? pg->w : 0, k & 2 ? pg->h : 0, &u, &v);
		x0 = fmin(x0, u), x1 = fmax(x1, u);
		y0 = fmin(y0, v), y1 = fmax(y1, v);
	}
	pg->cx0 = (int)floor(x0) - 2, pg->cy0 = (int)floor(y0) - 2;
	pg->cw = (int)ceil(x1) + 3 - pg->cx0;
	pg->ch = (int)ceil(y1) + 3 - pg->cy0;
}

/* ---- painting the page ---- */

/* Coverage of a line of width lw whose centres lie at phase + k sp, at
 * coordinate t. */
static float
rule_cov(float t, float sp, float phase, float lw)
{
	float d = fmodf(t - phase, sp);

	if (d < 0)
		d += sp;
	d = fminf(d, sp - d);
	return clampf(lw / 2 + 0.5f - d, 0, 1);
}

/* Per column: the factor of the grid's columns and the margin line. */
static void
paint_columns(const struct page *pg, float *col)
{
	const struct paper *pp = &pg->pp;
	static const float red[3] = { 0.92f, 0.45f, 0.45f };
	float x, c, m;
	int i, k;

	for (i = 0; i < pg->cw; i++) {
		x = pg->cx0 + i;
		c = pp->rule == RULE_GRID ?
		    pp->lcov * rule_cov(x, pp->sp, pp->gphase, pp->lw) : 0;
		m = pp->margin ? 0.8f * clampf(pp->lw * 0.75f + 0.5f -
		    fabsf(x - pp->mx), 0, 1) : 0;
		for (k = 0; k < 3; k++)
			col[3 * i + k] = (1 - c * (1 - pp->lrgb[k])) *
			    (1 - m * (1 - red[k]));
	}
}

/* The desk around the sheet, or 0..1 of the sheet at (x, y). */
static float
sheet_cov(const struct paper *pp, float x, float y)
{
	float d = fminf(fminf(x - pp->sx0, pp->sx1 - x),
	    fminf(y - pp->sy0, pp->sy1 - y));

	return clampf(d + 0.5f, 0, 1);
}

/* Buffers kept from page to page; they only grow. */
struct work {
	unsigned char *cv, *ink, *px;
	float *im, *tmp;
	size_t ncv, nink, npx, nim, ntmp;
};

static void *
grow(void *p, size_t *cap, size_t n)
{
	if (n > *cap) {
		free(p);
		p = xmalloc(n);
		*cap = n;
	}
	return p;
}

/* A fast stream of random bits, one a row, so threads do not matter. */
static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Field f along page row y from x0, n values; lat is scratch of f->gw. */
static void
field_row(const struct field *f, float y, float x0, int n, float *out,
    float *lat)
{
	float fy = clampf((y - f->y0) * f->sy, 0, f->gh - 2.001f), fx, tx, ty;
	int iy = (int)fy, i, ix;
	const float *p = f->v + (long)iy * f->gw;

	ty = smooth(fy - iy);
	for (i = 0; i < f->gw; i++)
		lat[i] = p[i] + (p[i + f->gw] - p[i]) * ty;
	for (i = 0; i < n; i++) {
		fx = clampf((x0 + i - f->x0) * f->sx, 0, f->gw - 2.001f);
		ix = (int)fx, tx = smooth(fx - ix);
		out[i] = lat[ix] + (lat[ix + 1] - lat[ix]) * tx;
	}
}

/* The paper's brightness along canvas row j: mottle, fibres, grain. */
static void
paper_row(const struct page *pg, const struct field *tex, int j, float *t,
    float *f, float *lat)
{
	const struct paper *pp = &pg->pp;
	uint64_t s = hash_xy(pg->seed, 0, j) | 1;
	int i;

	field_row(&tex[0], pg->cy0 + j, pg->cx0, pg->cw, t, lat);
	field_row(&tex[1], pg->cy0 + j, pg->cx0, pg->cw, f, lat);
	for (i = 0; i < pg->cw; i++)
		t[i] = 1 + pp->mottle * t[i] + pp->fibre * f[i] +
		    pp->grain * hash_unit(xorshift(&s));
}

/* Ink coverage at page (x, y), a of the layer: pencil grain, pressure. */
static float
ink_at(const struct page *pg, float a, float x, float y)
{
	const struct ink *k = &pg->ink;
	float pn = 1 / fmaxf(1.5f, 0.025f * pg->dh), pr = 1 / (0.3f * pg->dh);

	if (k->grain > 0)
		a *= 1 - k->grain * (0.5f + 0.5f *
		    vnoise(pg->seed + 1, x * pn, y * pn));
	if (k->pressure > 0)
		a *= 1 - k->pressure * (0.5f + 0.5f *
		    vnoise(pg->seed + 2, x * pr, y * pr));
	return a;
}

/* One row of the canvas: paper, rules, ink, desk; t, f, lat scratch. */
static void
paint_row(const struct page *pg, const struct work *wk, const float *col,
    const struct field *tex, int j, float *t, float *f, float *lat)
{
	const struct paper *pp = &pg->pp;
	const unsigned char *ink = wk->ink + (size_t)j * pg->cw;
	unsigned char *out = wk->cv + (size_t)j * pg->cw * 3;
	float y = pg->cy0 + j, x, a, s, v, rowf[3], c;
	int i, ch;

	c = pp->rule != RULE_NONE ? pp->lcov * rule_cov(y, pp->sp, pp->phase,
	    pp->lw) : 0;
	for (ch = 0; ch < 3; ch++)
		rowf[ch] = pp->rgb[ch] * (1 - c * (1 - pp->lrgb[ch]));
	paper_row(pg, tex, j, t, f, lat);
	if (pp->frame)
		field_row(&tex[2], y, pg->cx0, pg->cw, f, lat);
	for (i = 0; i < pg->cw; i++) {
		x = pg->cx0 + i;
		a = ink[i] ? ink_at(pg, ink[i] * (1.0f / 255), x, y) : 0;
		s = pp->frame ? sheet_cov(pp, x, y) : 1;
		for (ch = 0; ch < 3; ch++) {
			v = rowf[ch] * t[i] * col[3 * i + ch] *
			    (1 - a + a * pg->ink.rgb[ch]);
			if (s < 1)
				v = s * v + (1 - s) * pp->desk[ch] *
				    (1 + pp->desktex * f[i]);
			out[3 * i + ch] = (unsigned char)(clampf(v, 0, 1) *
			    255 + 0.5f);
		}
	}
}

/* The digits' patches into the ink layer (coverage 0..255). */
static void
paint_ink(const struct page *pg, unsigned char *ink)
{
	const struct line *ln;
	const struct patch *p;
	unsigned char *d, v;
	int i, j, x, y, cx, cy;

	for (i = 0; i < pg->nline; i++)
		for (ln = &pg->ln[i], j = 0; j < ln->n; j++) {
			p = &ln->p[j];
			for (y = 0; y < p->h; y++) {
				cy = ln->py[j] + y - pg->cy0;
				if (cy < 0 || cy >= pg->ch)
					continue;
				for (x = 0; x < p->w; x++) {
					cx = ln->px[j] + x - pg->cx0;
					if (cx < 0 || cx >= pg->cw)
						continue;
					d = &ink[(size_t)cy * pg->cw + cx];
					v = (unsigned char)(p->a[y * p->w + x] *
					    255 + 0.5f);
					*d = MAX(*d, v);
				}
			}
		}
}

/* Darken (or lighten, d < 0) the canvas along a segment of width lw. */
static void
paint_segment(const struct page *pg, unsigned char *cv, float ax, float ay,
    float bx, float by, float lw, float d)
{
	float dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t, e, f;
	int x0 = (int)floorf(fminf(ax, bx) - lw - 1) - pg->cx0;
	int x1 = (int)ceilf(fmaxf(ax, bx) + lw + 1) - pg->cx0;
	int y0 = (int)floorf(fminf(ay, by) - lw - 1) - pg->cy0;
	int y1 = (int)ceilf(fmaxf(ay, by) + lw + 1) - pg->cy0;
	int x, y, k;
	unsigned char *c;

	for (y = MAX(y0, 0); y <= MIN(y1, pg->ch - 1); y++)
		for (x = MAX(x0, 0); x <= MIN(x1, pg->cw - 1); x++) {
			float px = x + pg->cx0 - ax, py = y + pg->cy0 - ay;

			t = l2 > 0 ? clampf((px * dx + py * dy) / l2, 0, 1) : 0;
			e = hypotf(px - t * dx, py - t * dy);
			f = 1 - d * clampf(lw / 2 + 0.5f - e, 0, 1);
			c = &cv[3 * ((size_t)y * pg->cw + x)];
			for (k = 0; k < 3; k++)
				c[k] = (unsigned char)clampf(c[k] * f + 0.5f,
				    0, 255);
		}
}

/* Paper fibres (short and faint) and specks (small, grey), on the sheet,
 * away from the ink. */
static void
paint_fibres(const struct page *pg, const struct work *wk, struct rng *r)
{
	float x, y, a, l, w, d, n = (float)pg->cw * pg->ch / (pg->dh * pg->dh);
	int i, nf = (int)fminf(pg->pp.nfibre, n), ns = (int)fminf(pg->pp.nspeck,
	    n / 4), ix, iy;

	for (i = 0; i < nf + ns; i++) {
		x = pg->cx0 + rng_range(r, 0, pg->cw);
		y = pg->cy0 + rng_range(r, 0, pg->ch);
		a = rng_range(r, 0, 2 * PI);
		l = (i < nf ? rng_range(r, 0.1f, 0.5f) :
		    rng_range(r, 0, 0.02f)) * pg->dh;
		w = i < nf ? fmaxf(0.7f, 0.01f * pg->dh) :
		    fmaxf(1, rng_range(r, 0.01f, 0.025f) * pg->dh);
		d = i < nf ? rng_range(r, -0.04f, 0.06f) :
		    rng_range(r, 0.05f, 0.25f);
		ix = (int)x - pg->cx0, iy = (int)y - pg->cy0;
		if ((pg->pp.frame && sheet_cov(&pg->pp, x, y) < 1) ||
		    wk->ink[(size_t)iy * pg->cw + ix] > 0)
			continue;
		paint_segment(pg, wk->cv, x, y, x + l * cosf(a),
		    y + l * sinf(a), w, d);
	}
}

/* The canvas, wk->cv: what the page looks like before the camera, RGB. */
static void
paint(const struct page *pg, struct work *wk, struct rng *r)
{
	const struct paper *pp = &pg->pp;
	size_t n = (size_t)pg->cw * pg->ch;
	float *col = xmalloc(sizeof(float) * 3 * pg->cw), d = pg->dh;
	struct field tex[3];
	int j, nlat;

	wk->cv = grow(wk->cv, &wk->ncv, n * 3);
	wk->ink = grow(wk->ink, &wk->nink, n);
	memset(wk->ink, 0, n);
	field_new(&tex[0], pg->cx0, pg->cy0, pg->cw, pg->ch,
	    fmaxf(4, 0.3f * d), fmaxf(4, 0.3f * d), r);
	field_new(&tex[1], pg->cx0, pg->cy0, pg->cw, pg->ch,
	    fmaxf(6, 0.15f * d), fmaxf(3, 0.05f * d), r);
	field_new(&tex[2], pg->cx0, pg->cy0, pg->cw, pg->ch,
	    pp->wood ? fmaxf(40, 4 * d) : fmaxf(4, 0.2f * d),
	    pp->wood ? fmaxf(3, 0.05f * d) : fmaxf(4, 0.2f * d), r);
	nlat = MAX(MAX(tex[0].gw, tex[1].gw), tex[2].gw);
	paint_ink(pg, wk->ink);
	paint_columns(pg, col);
#pragma omp parallel
	{
		float *t = xmalloc(sizeof(float) * (2 * pg->cw + nlat));
		int jj;

#pragma omp for schedule(dynamic, 16)
		for (jj = 0; jj < pg->ch; jj++)
			paint_row(pg, wk, col, tex, jj, t, t + pg->cw,
			    t + 2 * pg->cw);
		free(t);
	}
	paint_fibres(pg, wk, r);
	for (j = 0; j < 3; j++)
		free(tex[j].v);
	free(col);
}

/* ---- the camera ---- */

/* The light falling at output pixel (x, y). */
static float
light_at(const struct page *pg, float x, float y)
{
	const struct light *l = &pg->lt;
	float w = pg->w, h = pg->h, dg = hypotf(w, h), cx = x - w / 2;
	float cy = y - h / 2, v, a, b, q;

	v = l->expo * (1 + l->gs * (cx * l->gdx + cy * l->gdy) / dg);
	if (l->rs != 0)
		v *= 1 + l->rs * expf(-((x - l->rx) * (x - l->rx) +
		    (y - l->ry) * (y - l->ry)) / (2 * l->rr * l->rr));
	v *= 1 - l->vig * (cx * cx + cy * cy) / (dg * dg / 4);
	if (l->shdepth > 0) {
		a = (x - l->shx) * l->shc + (y - l->shy) * l->shs;
		b = -(x - l->shx) * l->shs + (y - l->shy) * l->shc;
		a /= l->sha, b /= l->shb;
		q = (sqrtf(a * a + b * b) - 1) * fminf(l->sha, l->shb);
		v *= 1 - l->shdepth *
		    (1 - smoothstep(-l->shsoft, l->shsoft, q));
	}
	return v;
}

/* The light on a coarse grid, step pixels apart; returns its minimum. */
static float
light_grid(const struct page *pg, float *g, int step, int gw, int gh)
{
	float lo = 1e9f;
	int i, j;

	for (j = 0; j < gh; j++)
		for (i = 0; i < gw; i++) {
			g[j * gw + i] = light_at(pg, i * step, j * step);
			lo = fminf(lo, g[j * gw + i]);
		}
	return lo;
}

/* The light along output row y, from the grid; lat is scratch of gw. */
static void
light_row(const float *lg, int step, int gw, int w, int y, float *out,
    float *lat)
{
	float fy = (float)y / step, ty, fx, tx;
	int gy = (int)fy, i, gx;

	ty = fy - gy;
	for (i = 0; i < gw; i++)
		lat[i] = lg[gy * gw + i] + (lg[(gy + 1) * gw + i] -
		    lg[gy * gw + i]) * ty;
	for (i = 0; i < w; i++) {
		fx = (float)i / step, gx = (int)fx, tx = fx - gx;
		out[i] = lat[gx] + (lat[gx + 1] - lat[gx]) * tx;
	}
}

/* One output row: the canvas through the camera, lit; l is the row's
 * light. */
static void
shoot_row(const struct page *pg, const struct work *wk, const float *l,
    int y)
{
	const double *m = pg->mi;
	const unsigned char *p, *cv = wk->cv;
	float *out = wk->im + (size_t)y * pg->w * 3, u, v, a, b, s, wx;
	float nu = (float)(m[1] * y + m[2]), nv = (float)(m[4] * y + m[5]);
	float nw = (float)(m[7] * y + m[8]), wb[3];
	int x, k, iu, iv, lim = 3 * (pg->cw + 1);

	for (k = 0; k < 3; k++)
		wb[k] = pg->lt.wb[k] * (1.0f / 255);
	for (x = 0; x < pg->w; x++) {
		wx = 1 / ((float)m[6] * x + nw);
		u = ((float)m[0] * x + nu) * wx - pg->cx0;
		v = ((float)m[3] * x + nv) * wx - pg->cy0;
		u = clampf(u, 0, pg->cw - 1.001f);
		v = clampf(v, 0, pg->ch - 1.001f);
		iu = (int)u, iv = (int)v, a = u - iu, b = v - iv;
		p = cv + 3 * ((size_t)iv * pg->cw + iu);
		for (k = 0; k < 3; k++) {
			s = (p[k] + (p[k + 3] - p[k]) * a) * (1 - b) +
			    (p[k + lim - 3] + (p[k + lim] - p[k + lim - 3]) *
			    a) * b;
			out[3 * x + k] = s * l[x] * wb[k];
		}
	}
}

/* The picture the camera takes, before blur and noise, into wk->im; the
 * darkest light goes to *lmin. */
static void
shoot(const struct page *pg, struct work *wk, float *lmin)
{
	int step = (int)clampf(fminf(pg->w, pg->h) / 150.0f, 1, 16);
	int gw = pg->w / step + 2, gh = pg->h / step + 2;
	float *lg = xmalloc(sizeof(float) * gw * gh);
	size_t n = (size_t)pg->w * pg->h * 3 * sizeof(float);

	wk->im = grow(wk->im, &wk->nim, n);
	*lmin = light_grid(pg, lg, step, gw, gh);
#pragma omp parallel
	{
		float *l = xmalloc(sizeof(float) * (pg->w + gw));
		int y;

#pragma omp for schedule(dynamic, 16)
		for (y = 0; y < pg->h; y++) {
			light_row(lg, step, gw, pg->w, y, l, l + pg->w);
			shoot_row(pg, wk, l, y);
		}
		free(l);
	}
	free(lg);
}

/* ---- blur: a Gaussian kernel when small, else three box passes ---- */

/* One row of n values (pixels of c channels): convolve with g[-r..r],
 * edges replicated; line is scratch of n + 2 r c floats. */
static void
row_kernel(float *im, float *line, int n, int c, const float *g, int r)
{
	int i, k;

	for (i = 0; i < r * c; i++) {
		line[i] = im[i % c];
		line[n + r * c + i] = im[n - c + i % c];
	}
	memcpy(line + r * c, im, sizeof(float) * n);
	memset(im, 0, sizeof(float) * n);
	for (k = 0; k <= 2 * r; k++) {
		const float *l = line + k * c, gk = g[k];

#pragma omp simd
		for (i = 0; i < n; i++)
			im[i] += gk * l[i];
	}
}

/* One row of n pixels of c channels: a box of radius r, edges
 * replicated. */
static void
row_box(float *im, float *line, int n, int c, int r)
{
	float sum[3] = { 0 }, inv = 1.0f / (2 * r + 1);
	int x, ch, a, b;

	memcpy(line, im, sizeof(float) * n * c);
	for (ch = 0; ch < c; ch++)
		for (x = -r - 1; x < r; x++) {
			a = x < 0 ? 0 : x >= n ? n - 1 : x;
			sum[ch] += line[a * c + ch];
		}
	for (x = 0; x < n; x++) {
		a = x - r - 1 < 0 ? 0 : x - r - 1;
		b = x + r >= n ? n - 1 : x + r;
		for (ch = 0; ch < c; ch++) {
			sum[ch] += line[b * c + ch] - line[a * c + ch];
			im[x * c + ch] = sum[ch] * inv;
		}
	}
}

/* Columns: dst row y = the rows of src around y, weighted by g[-r..r];
 * rows of n floats. */
static void
cols_kernel(float *dst, const float *src, int n, int h, const float *g, int r)
{
	int y;

#pragma omp parallel for schedule(dynamic, 16)
	for (y = 0; y < h; y++) {
		float *d = dst + (size_t)y * n;
		const float *p;
		int k, s, x;

		memset(d, 0, sizeof(float) * n);
		for (k = -r; k <= r; k++) {
			s = y + k < 0 ? 0 : y + k >= h ? h - 1 : y + k;
			p = src + (size_t)s * n;
#pragma omp simd
			for (x = 0; x < n; x++)
				d[x] += g[k + r] * p[x];
		}
	}
}

/* Columns: a box of radius r, a running sum down the rows. */
static void
cols_box(float *dst, const float *src, int n, int h, int r)
{
	float *sum = xfloats(n), inv = 1.0f / (2 * r + 1);
	const float *a, *b;
	int y, x;

	for (y = -r - 1; y < r; y++)
		for (b = src + (size_t)(y < 0 ? 0 : y >= h ? h - 1 : y) * n,
		    x = 0; x < n; x++)
			sum[x] += b[x];
	for (y = 0; y < h; y++) {
		a = src + (size_t)(y - r - 1 < 0 ? 0 : y - r - 1) * n;
		b = src + (size_t)(y + r >= h ? h - 1 : y + r) * n;
#pragma omp simd
		for (x = 0; x < n; x++) {
			sum[x] += b[x] - a[x];
			dst[(size_t)y * n + x] = sum[x] * inv;
		}
	}
	free(sum);
}

/* Radii of three boxes that together blur like a Gaussian of sigma. */
static void
box_radii(float sigma, int *rad)
{
	float wi = sqrtf(12 * sigma * sigma / 3 + 1);
	int wl = (int)wi - ((int)wi % 2 == 0), wu = wl + 2, m, i;

	m = (int)lroundf((12 * sigma * sigma - 3 * wl * wl - 12 * wl - 9) /
	    (-4.0f * wl - 4));
	for (i = 0; i < 3; i++)
		rad[i] = ((i < m ? wl : wu) - 1) / 2;
}

/* The rows of a w x h RGB image: a Gaussian kernel g[-r..r] (r > 0) or
 * three boxes. */
static void
blur_rows(float *im, int w, int h, const float *g, int r, const int *rad)
{
	int y;

#pragma omp parallel for schedule(dynamic, 16)
	for (y = 0; y < h; y++) {
		float *line = xmalloc(sizeof(float) * (w + 2 * 16) * 3);
		float *row = im + (size_t)y * w * 3;
		int i;

		if (r > 0)
			row_kernel(row, line, w * 3, 3, g, r);
		else
			for (i = 0; i < 3; i++)
				row_box(row, line, w, 3, rad[i]);
		free(line);
	}
}

/* Blur wk->im (w x h, RGB), with wk->tmp as scratch (they may swap). */
static void
blur(struct work *wk, int w, int h, float sigma)
{
	size_t n = (size_t)w * h * 3;
	float g[2 * 16 + 1], s = 0, *t;
	int r = 0, i, rad[3];

	wk->tmp = grow(wk->tmp, &wk->ntmp, n * sizeof(float));
	if (sigma < 2.4f) {
		r = (int)ceilf(2.5f * sigma);
		for (i = -r; i <= r; i++)
			s += g[i + r] = expf(-i * i / (2 * sigma * sigma));
		for (i = 0; i <= 2 * r; i++)
			g[i] /= s;
	} else
		box_radii(sigma, rad);
	blur_rows(wk->im, w, h, g, r, rad);
	if (r > 0)
		cols_kernel(wk->tmp, wk->im, w * 3, h, g, r);
	else {
		cols_box(wk->tmp, wk->im, w * 3, h, rad[0]);
		cols_box(wk->im, wk->tmp, w * 3, h, rad[1]);
		cols_box(wk->tmp, wk->im, w * 3, h, rad[2]);
	}
	t = wk->im, wk->im = wk->tmp, wk->tmp = t;
	n = wk->nim, wk->nim = wk->ntmp, wk->ntmp = n;
}

/* Sensor noise (shared by the channels, and each its own), the tone
 * curve and 8 bits into wk->px: RGB, or grey for c == 1. */
static void
develop(const struct page *pg, struct work *wk, int c)
{
	unsigned char lut[4097];
	float sd = pg->noise * 4096;
	int i, y;

	wk->px = grow(wk->px, &wk->npx, (size_t)pg->w * pg->h * c);
	for (i = 0; i <= 4096; i++)
		lut[i] = (unsigned char)(powf(i / 4096.0f, 1 / pg->lt.gamma) *
		    255 + 0.5f);
#pragma omp parallel for schedule(dynamic, 16)
	for (y = 0; y < pg->h; y++) {
		const float *s = wk->im + (size_t)y * pg->w * 3;
		unsigned char *d = wk->px + (size_t)y * pg->w * c;
		uint64_t st = hash_xy(pg->seed + 3, 0, y) | 1, h2;
		float v, n;
		int x, k;

		for (x = 0; x < pg->w; x++, s += 3, d += c) {
			n = 0.6f * hash_gauss(xorshift(&st));
			h2 = xorshift(&st);
			for (k = 0; k < c; k++) {
				v = c == 3 ? s[k] : 0.299f * s[0] +
				    0.587f * s[1] + 0.114f * s[2];
				v = v * 4096 + sd * (n + 1.4f * hash_unit(h2 <<
				    (20 * k)));
				d[k] = lut[(int)clampf(v + 0.5f, 0, 4096)];
			}
		}
	}
}

/* ---- files ---- */

static void
jpg_fail(j_common_ptr cj)
{
	char msg[JMSG_LENGTH_MAX];

	(*cj->err->format_message)(cj, msg);
	errx(1, "%s: %s", (const char *)cj->client_data, msg);
}

static void
write_jpg(FILE *fp, const char *name, const unsigned char *px, int w, int h,
    int c, int quality)
{
	struct jpeg_compress_struct cj;
	struct jpeg_error_mgr je;
	JSAMPROW row;

	cj.err = jpeg_std_error(&je);
	je.error_exit = jpg_fail;
	jpeg_create_compress(&cj);
	cj.client_data = (void *)name;
	jpeg_stdio_dest(&cj, fp);
	cj.image_width = w, cj.image_height = h;
	cj.input_components = c;
	cj.in_color_space = c == 3 ? JCS_RGB : JCS_GRAYSCALE;
	jpeg_set_defaults(&cj);
	jpeg_set_quality(&cj, quality, TRUE);
	jpeg_start_compress(&cj, TRUE);
	while (cj.next_scanline < cj.image_height) {
		row = (JSAMPROW)(px + (size_t)cj.next_scanline * w * c);
		jpeg_write_scanlines(&cj, &row, 1);
	}
	jpeg_finish_compress(&cj);
	jpeg_destroy_compress(&cj);
}

static void
png_fail(png_structp png, png_const_charp msg)
{
	errx(1, "%s: %s", (const char *)png_get_error_ptr(png), msg);
}

static void
write_png(FILE *fp, const char *name, const unsigned char *px, int w, int h,
    int c)
{
	png_structp png;
	png_infop info;
	int y;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, (void *)name,
	    png_fail, NULL);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL)
		errx(1, "out of memory");
	png_init_io(png, fp);
	png_set_compression_level(png, 1);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
	png_set_compression_strategy(png, Z_HUFFMAN_ONLY);
	png_set_IHDR(png, info, w, h, 8, c == 3 ? PNG_COLOR_TYPE_RGB :
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < h; y++)
		png_write_row(png, px + (size_t)y * w * c);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
}

static void
write_page(const struct page *pg, const char *path, const unsigned char *px,
    int c)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL)
		err(1, "%s", path);
	if (pg->fmt == FMT_JPG)
		write_jpg(fp, path, px, pg->w, pg->h, c, pg->quality);
	else if (pg->fmt == FMT_PNG)
		write_png(fp, path, px, pg->w, pg->h, c);
	else if (fprintf(fp, "P%d\n%d %d\n255\n", c == 3 ? 6 : 5, pg->w,
	    pg->h) < 0 || fwrite(px, (size_t)pg->w * c, pg->h, fp) !=
	    (size_t)pg->h)
		err(1, "%s", path);
	if (efshut(fp, path))
		exit(1);
}

/* ---- pages ---- */

/* Every random choice of page i, the text laid out.  A page is a scan
 * (25%) or a phone photo; 35% of pages are hard, with several
 * difficulties at once.  Neighbour digits are drawn touching 5% of the
 * time (11% on hard pages), which makes about 5% of them touch. */
static void
page_draw(struct page *pg, const struct mnist *mn, long seed, long i,
    int fmt)
{
	struct rng r;

	memset(pg, 0, sizeof(*pg));
	rng_seed(&r, (uint64_t)seed, (uint64_t)i);
	pg->seed = rng_u64(&r);
	draw_size(pg, &r);
	pg->hard = chance(&r, 0.35f);
	pg->scan = chance(&r, 0.25f);
	pg->ptouch = pg->hard ? 0.11f : 0.05f;
	draw_format(pg, fmt, &r);
	draw_ink(&pg->ink, pg->hard, &r);
	draw_paper(&pg->pp, pg->scan, pg->hard, &r);
	rules_limit(pg);
	draw_sheet(pg, &r);
	draw_light(pg, &r);
	draw_camera(pg, &r);
	camera_set(pg);
	draw_text(pg, mn, &r);
	page_layout(pg, mn, &r);
	draw_optics(pg, &r);
}

/* The text the page holds: the digits of each line, a space between. */
static void
page_text(const struct page *pg, char *s)
{
	int i, j;

	for (i = 0; i < pg->nline; i++) {
		if (i > 0)
			*s++ = ' ';
		for (j = 0; j < pg->ln[i].n; j++)
			*s++ = (char)('0' + pg->ln[i].label[j]);
	}
	*s = '\0';
}

/* The box of each digit of the page in the output image, one row each:
 * file, line, place in the line, digit, x, y, width, height. */
static void
page_boxes(const struct page *pg, FILE *fp, const char *name)
{
	const struct line *ln;
	const struct patch *p;
	double u, v, x0, y0, x1, y1;
	int i, j, k;

	for (i = 0; i < pg->nline; i++)
		for (ln = &pg->ln[i], j = 0; j < ln->n; j++) {
			p = &ln->p[j];
			x0 = y0 = 1e18, x1 = y1 = -1e18;
			for (k = 0; k < 4; k++) {
				hmap(pg->m, ln->px[j] + (k & 1 ? p->x1 + 1 : p->x0),
				    ln->py[j] + (k & 2 ? p->y1 + 1 : p->y0), &u, &v);
				x0 = fmin(x0, u), x1 = fmax(x1, u);
				y0 = fmin(y0, v), y1 = fmax(y1, v);
			}
			x0 = fmax(0, floor(x0)), y0 = fmax(0, floor(y0));
			x1 = fmin(pg->w, ceil(x1)), y1 = fmin(pg->h, ceil(y1));
			fprintf(fp, "%s\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\n", name,
			    i, j, ln->label[j], x0, y0, x1 - x0, y1 - y0);
		}
}

/* Make page i and write it to dir; its file name goes to name, its
 * text to text, its digits' boxes to boxes. */
static void
page_make(const struct mnist *mn, long seed, long i, int fmt,
    const char *dir, struct work *wk, char *name, size_t namelen, char *text,
    FILE *boxes)
{
	struct page pg;
	struct rng r;
	float lmin, con;
	char path[4096];
	int c;

	page_draw(&pg, mn, seed, i, fmt);
	rng_seed(&r, (uint64_t)seed ^ 0x5eedULL, (uint64_t)i);
	paint(&pg, wk, &r);
	shoot(&pg, wk, &lmin);
	/* keep the noise well under the ink's contrast */
	con = lmin * luma(pg.pp.rgb) * ink_dark(&pg.ink);
	pg.noise = fminf(pg.noise, 0.2f * con);
	if (pg.blur >= 0.3f)
		blur(wk, pg.w, pg.h, pg.blur);
	c = pg.grey ? 1 : 3;
	develop(&pg, wk, c);
	snprintf(name, namelen, "page-%04ld.%s", i, extname[pg.fmt]);
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		errx(1, "%s: name too long", dir);
	write_page(&pg, path, wk->px, c);
	page_text(&pg, text);
	page_boxes(&pg, boxes, name);
	text_free(&pg);
}

static void
usage(void)
{
	fprintf(stderr, "usage: mkpage [-s seed] [-n pages] [-i first] "
	    "[-f jpg|png|pnm|mix] [-d mnistdir] [-t n | -v] -o dir\n");
	exit(2);
}

static int
format(const char *s)
{
	int i;

	for (i = 0; i < FMT_MIX; i++)
		if (strcmp(s, extname[i]) == 0)
			return i;
	if (strcmp(s, "mix") == 0)
		return FMT_MIX;
	errx(2, "-f: want jpg, png, pnm or mix");
}

/* MNIST's folder by default: $DIGITPIPE_MNIST, else data/mnist at the top
 * of the source tree this program was built in (where scripts/fetch-mnist
 * puts it), else data/mnist. */
static const char *
mnist_dir(const char *argv0, char *buf, size_t len)
{
	const char *e = getenv("DIGITPIPE_MNIST"), *s = strrchr(argv0, '/');
	struct stat st;

	if (e != NULL && *e != '\0')
		return e;
	if (s != NULL) {
		snprintf(buf, len, "%.*s/../data/mnist", (int)(s - argv0),
		    argv0);
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return buf;
	}
	return "data/mnist";
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *data = NULL;
	char path[4096], name[64], text[MAXLINE * (MAXDIG + 1) + 1], buf[4096];
	long seed = 1, n = 200, ntrain = 0, first = 0, i;
	int ch, fmt = FMT_JPG, valid = 0;
	struct mnist mn;
	struct work wk;
	FILE *tsv, *bx;

	while ((ch = getopt(argc, argv, "d:f:i:n:o:s:t:v")) != -1)
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'f':
			fmt = format(optarg);
			break;
		case 'i':
			first = estrtol(optarg, 0, 1000000, "-i");
			break;
		case 'n':
			n = estrtol(optarg, 0, 1000000, "-n");
			break;
		case 'o':
			dir = optarg;
			break;
		case 's':
			seed = estrtol(optarg, 0, 1L << 62, "-s");
			break;
		case 't':
			ntrain = estrtol(optarg, 1, 1000000, "-t");
			break;
		case 'v':
			valid = 1;
			break;
		default:
			usage();
		}
	if (dir == NULL || optind != argc)
		usage();
	if (ntrain > 0 && valid)
		errx(2, "-t and -v: choose one");
	if (valid)
		ntrain = -1;
	if (data == NULL)
		data = mnist_dir(argv[0], buf, sizeof(buf));
	mnist_load(&mn, data, ntrain);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		err(1, "%s", dir);
	snprintf(path, sizeof(path), "%s/truth.tsv", dir);
	if ((tsv = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	snprintf(buf, sizeof(buf), "%s/boxes.tsv", dir);
	if ((bx = fopen(buf, "w")) == NULL)
		err(1, "%s", buf);
	memset(&wk, 0, sizeof(wk));
	for (i = first; i < first + n; i++) {
		page_make(&mn, seed, i, fmt, dir, &wk, name, sizeof(name),
		    text, bx);
		fprintf(tsv, "%s\t%s\n", name, text);
	}
	free(wk.cv), free(wk.ink), free(wk.px), free(wk.im), free(wk.tmp);
	idx_free(&mn.img), idx_free(&mn.lab);
	snprintf(buf, sizeof(buf), "%s/boxes.tsv", dir);
	return efshut(tsv, path) | efshut(bx, buf) ? 1 : 0;
}
