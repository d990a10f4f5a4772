/* augment: random distortions of a training digit, deterministic by rng */
#include <math.h>
#include <string.h>

#include "augment.h"

#define FMIN(a, b)	((a) < (b) ? (a) : (b))
#define FMAX(a, b)	((a) > (b) ? (a) : (b))

#define MAXS	AUGMENT_MAXSIDE
#define B	2			/* zero border of the padded copy */
#define PADS	(AUGMENT_MAXSIDE + 2 * B)
#define GRID	5			/* elastic control points per side */
#define MAXR	5			/* largest blur kernel radius */

/* The inverse map from an output pixel (x, y) to the input point
 * (m[0]x + m[1]y + m[2] + ex(x, y), m[3]x + m[4]y + m[5] + ey(x, y)). */
struct warp {
	float m[6];
	int elastic;			/* is the field (gx, gy) in use? */
	float reach;			/* bound of |ex| and |ey| */
	float gx[GRID][GRID], gy[GRID][GRID];
};

/* Pixels [x0, x1) x [y0, y1), empty if x0 >= x1: every pixel of an image
 * outside its box is 0, so each step only works inside it. */
struct box {
	int x0, y0, x1, y1;
};

/* Cubic (Catmull-Rom) weights and first tap from n pixels onto GRID
 * control points spread evenly from pixel 0 to pixel n - 1. */
struct spline {
	float w[MAXS][4];
	int k[MAXS];
};

void
augment_init(struct augment *a, float strength)
{
	float s = strength < 0 ? 0 : strength > 2 ? 2 : strength;

	a->rot = 12 * s;
	a->scale = 0.12f * s;
	a->aspect = 0.10f * s;
	a->shear = 0.25f * s;
	a->shift = 2.5f * s;
	a->elastic = 2.0f * s;
	a->elastic_p = 0.5f * s;
	a->thick_p = 0.3f * s;
	a->blur = 0.8f * s;
	a->blur_p = 0.2f * s;
	a->ink = 0.7f * s;
	a->ink_p = 0.2f * s;
}

/* Draw with probability p; draws nothing when p is 0. */
static int
chance(struct rng *r, float p)
{
	return p > 0 && rng_uniform(r) < p;
}

static float
sym(struct rng *r, float max)
{
	return max > 0 ? rng_range(r, -max, max) : 0;
}

/* Draw the affine part and the elastic field; 0 if the map is the identity. */
static int
warp_draw(struct warp *wp, const struct augment *a, struct rng *r,
    int w, int h)
{
	float th, s, asp, sx, sy, k, dx, dy, c, sn, cx, cy;
	int i, j;

	th = sym(r, a->rot) * 0.0174532925f;	/* pi / 180 */
	s = 1 + sym(r, a->scale);
	asp = 1 + sym(r, a->aspect);
	k = sym(r, a->shear);
	dx = sym(r, a->shift);
	dy = sym(r, a->shift);
	wp->elastic = a->elastic > 0 && chance(r, a->elastic_p);
	wp->reach = 0;
	for (i = 0; wp->elastic && i < GRID; i++)
		for (j = 0; j < GRID; j++) {
			wp->gx[i][j] = sym(r, a->elastic);
			wp->gy[i][j] = sym(r, a->elastic);
			wp->reach = FMAX(wp->reach, fabsf(wp->gx[i][j]));
			wp->reach = FMAX(wp->reach, fabsf(wp->gy[i][j]));
		}
	/* the cubic weights of a point sum in magnitude to <= 1.25 a side */
	wp->reach *= 1.5625f;
	if (th == 0 && s == 1 && asp == 1 && k == 0 && dx == 0 && dy == 0 &&
	    !wp->elastic)
		return 0;

	/* forward: rotate(th) . shear(k) . diag(s asp, s / asp); inverse: */
	sx = 1 / (s * asp);
	sy = asp / s;
	c = cosf(th);
	sn = sinf(th);
	wp->m[0] = sx * (c + k * sn);
	wp->m[1] = sx * (sn - k * c);
	wp->m[3] = -sy * sn;
	wp->m[4] = sy * c;
	/* about the centre, after the shift */
	cx = (w - 1) * 0.5f;
	cy = (h - 1) * 0.5f;
	wp->m[2] = cx - wp->m[0] * (cx + dx) - wp->m[1] * (cy + dy);
	wp->m[5] = cy - wp->m[3] * (cx + dx) - wp->m[4] * (cy + dy);
	return 1;
}

static void
spline_init(struct spline *sp, int n)
{
	float u, t, t2, t3;
	int i, k;

	for (i = 0; i < n; i++) {
		u = n > 1 ? (float)i * (GRID - 1) / (n - 1) : 0;
		k = (int)u;
		if (k > GRID - 2)
			k = GRID - 2;
		t = u - k;
		t2 = t * t;
		t3 = t2 * t;
		sp->w[i][0] = 0.5f * (-t3 + 2 * t2 - t);
		sp->w[i][1] = 0.5f * (3 * t3 - 5 * t2 + 2);
		sp->w[i][2] = 0.5f * (-3 * t3 + 4 * t2 + t);
		sp->w[i][3] = 0.5f * (t3 - t2);
		sp->k[i] = k - 1;
	}
}

/* Control point j of a grid row, the ends repeated beyond the edge. */
static float
grid_at(const float *g, int j)
{
	return g[j < 0 ? 0 : j >= GRID ? GRID - 1 : j];
}

/* Interpolate every grid row of g along x in [x0, x1): rows[i][x]. */
static void
field_rows(float rows[GRID][MAXS], float g[GRID][GRID],
    const struct spline *sp, int x0, int x1)
{
	int i, x, k;

	for (i = 0; i < GRID; i++)
		for (x = x0; x < x1; x++) {
			k = sp->k[x];
			rows[i][x] = sp->w[x][0] * grid_at(g[i], k) +
			    sp->w[x][1] * grid_at(g[i], k + 1) +
			    sp->w[x][2] * grid_at(g[i], k + 2) +
			    sp->w[x][3] * grid_at(g[i], k + 3);
		}
}

/* Row y of the field in [x0, x1) from the rows interpolated along x. */
static void
field_row(float *out, float rows[GRID][MAXS], const struct spline *sp,
    int y, int x0, int x1)
{
	const float *r0, *r1, *r2, *r3;
	const float *wy = sp->w[y];
	int k = sp->k[y], x;

	r0 = rows[k < 0 ? 0 : k];
	r1 = rows[k + 1];
	r2 = rows[k + 2];
	r3 = rows[k + 3 > GRID - 1 ? GRID - 1 : k + 3];
	for (x = x0; x < x1; x++)
		out[x] = wy[0] * r0[x] + wy[1] * r1[x] + wy[2] * r2[x] +
		    wy[3] * r3[x];
}


static int
box_empty(const struct box *b)
{
	return b->x0 >= b->x1 || b->y0 >= b->y1;
}

/* Grow b by d pixels each way, within the w x h image. */
static void
box_grow(struct box *b, int d, int w, int h)
{
	if (box_empty(b))
		return;
	b->x0 = b->x0 - d < 0 ? 0 : b->x0 - d;
	b->y0 = b->y0 - d < 0 ? 0 : b->y0 - d;
	b->x1 = b->x1 + d > w ? w : b->x1 + d;
	b->y1 = b->y1 + d > h ? h : b->y1 + d;
}

/* Add the pixels [x0, x1) of row y to b. */
static void
box_add(struct box *b, int x0, int x1, int y)
{
	if (box_empty(b)) {
		b->x0 = x0;
		b->x1 = x1;
		b->y0 = y;
	}
	b->x0 = x0 < b->x0 ? x0 : b->x0;
	b->x1 = x1 > b->x1 ? x1 : b->x1;
	b->y1 = y + 1;
}

/* Narrow [*lo, *hi] to the x with l <= a x + c <= u. */
static void
narrow(float a, float c, float l, float u, float *lo, float *hi)
{
	float t0, t1;

	if (fabsf(a) < 1e-6f) {
		if (c < l || c > u)
			*hi = -1;
		return;
	}
	t0 = (l - c) / a;
	t1 = (u - c) / a;
	*lo = FMAX(*lo, FMIN(t0, t1));
	*hi = FMIN(*hi, FMAX(t0, t1));
}

/* The pixels [*xa, *xb) of output row y that may map onto the ink box s
 * of the input (more, never fewer); 0 if there are none. */
static int
row_span(const struct warp *wp, const struct box *s, int y, int w,
    int *xa, int *xb)
{
	const float *m = wp->m;
	float e = wp->reach + 0.5f, lo = 0, hi = w - 1;

	narrow(m[0], m[1] * y + m[2], s->x0 - 1 - e, s->x1 + e, &lo, &hi);
	narrow(m[3], m[4] * y + m[5], s->y0 - 1 - e, s->y1 + e, &lo, &hi);
	if (box_empty(s) || lo > hi) {
		*xa = *xb = 0;
		return 0;
	}
	*xa = (int)lo - 1 < 0 ? 0 : (int)lo - 1;
	*xb = (int)hi + 2 > w ? w : (int)hi + 2;
	return 1;
}

/* Bilinear sample at input point (sx, sy) of pad, the image with a zero
 * border B wide (row length w + 2B).  Points off the image are clamped
 * into the border, where all four taps are 0: no branches. */
static inline float
sample(const float *pad, int w, int h, float sx, float sy)
{
	const float *p;
	float ux = sx + B, uy = sy + B, fx, fy, t, b;
	int pw = w + 2 * B, ix, iy;

	ux = ux > 0 ? ux : 0;		/* NaN goes to 0 too */
	uy = uy > 0 ? uy : 0;
	ux = FMIN(ux, w + B);
	uy = FMIN(uy, h + B);
	ix = (int)ux;
	iy = (int)uy;
	fx = ux - ix;
	fy = uy - iy;
	p = pad + iy * pw + ix;
	t = p[0] + fx * (p[1] - p[0]);
	b = p[pw] + fx * (p[pw + 1] - p[pw]);
	return t + fy * (b - t);
}

/* Output row y, pixels [x0, x1), displaced by (ex, ey). */
static void
warp_row(float *o, const float *pad, int w, int h, const float *m, int y,
    int x0, int x1, const float *ex, const float *ey)
{
	float bx = m[1] * y + m[2], by = m[4] * y + m[5];
	int x;

	for (x = x0; x < x1; x++)
		o[x] = sample(pad, w, h, m[0] * x + bx + ex[x],
		    m[3] * x + by + ey[x]);
}

/* Resample pad, whose ink is in *bx, through wp into out; *bx becomes
 * the box of the output. */
static void
warp_apply(float *out, const float *pad, int w, int h,
    const struct warp *wp, struct box *bx)
{
	float rx[GRID][MAXS], ry[GRID][MAXS], ex[MAXS], ey[MAXS];
	struct spline spx, spy;
	struct box ob = { 0, 0, 0, 0 };
	int xa[MAXS], xb[MAXS], x, y;

	memset(out, 0, (size_t)w * h * sizeof(*out));
	for (y = 0; y < h; y++)
		if (row_span(wp, bx, y, w, &xa[y], &xb[y]))
			box_add(&ob, xa[y], xb[y], y);
	*bx = ob;
	if (box_empty(&ob))
		return;
	if (wp->elastic) {
		spline_init(&spx, w);
		spline_init(&spy, h);
		field_rows(rx, wp->gx, &spx, ob.x0, ob.x1);
		field_rows(ry, wp->gy, &spx, ob.x0, ob.x1);
	} else
		for (x = ob.x0; x < ob.x1; x++)
			ex[x] = ey[x] = 0;
	for (y = ob.y0; y < ob.y1; y++) {
		if (wp->elastic) {
			field_row(ex, rx, &spy, y, xa[y], xb[y]);
			field_row(ey, ry, &spy, y, xa[y], xb[y]);
		}
		warp_row(out + y * w, pad, w, h, wp->m, y, xa[y], xb[y],
		    ex, ey);
	}
}

/* Copy the w x h image in into the middle of pad, inside a zero border,
 * and find the box of its nonzero pixels. */
static void
pad_copy(float *pad, const float *in, int w, int h, struct box *bx)
{
	const float *row;
	int pw = w + 2 * B, x, x0, x1, y;

	memset(pad, 0, (size_t)pw * (h + 2 * B) * sizeof(*pad));
	*bx = (struct box){ 0, 0, 0, 0 };
	for (y = 0; y < h; y++) {
		row = in + y * w;
		for (x0 = 0; x0 < w && row[x0] == 0; x0++)
			continue;
		if (x0 == w)
			continue;
		for (x1 = w; row[x1 - 1] == 0; x1--)
			continue;
		for (x = x0; x < x1; x++)
			pad[(y + B) * pw + B + x] = row[x];
		box_add(bx, x0, x1, y);
	}
}

/* The inverse of pad_copy. */
static void
unpad(float *out, const float *pad, int w, int h)
{
	int pw = w + 2 * B, x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			out[y * w + x] = pad[(y + B) * pw + B + x];
}

/* Grey morphology of pad into dst (row length w) inside box b: op 0
 * dilates with a cross, 1 with a 3x3 square, 2 erodes with a cross. */
static void
morph(float *dst, const float *pad, int w, const struct box *b, int op)
{
	const float *p;
	float v;
	int pw = w + 2 * B, x, y;

	for (y = b->y0; y < b->y1; y++)
		for (x = b->x0; x < b->x1; x++) {
			p = pad + (y + B) * pw + B + x;
			if (op == 2) {
				v = FMIN(p[-pw], p[pw]);
				v = FMIN(v, FMIN(p[-1], p[1]));
				v = FMIN(v, p[0]);
			} else {
				v = FMAX(p[-pw], p[pw]);
				v = FMAX(v, FMAX(p[-1], p[1]));
				v = FMAX(v, p[0]);
			}
			if (op == 1) {
				v = FMAX(v, FMAX(p[-pw - 1], p[-pw + 1]));
				v = FMAX(v, FMAX(p[pw - 1], p[pw + 1]));
			}
			dst[y * w + x] = v;
		}
}

/* Maybe thicken or thin the strokes in pad (ink in *bx), blended with
 * the original by a random fraction; thin strokes keep >= 40% of their
 * ink.  0 if nothing was drawn. */
static int
thick(float *pad, int w, int h, const struct augment *a, struct rng *r,
    struct box *bx)
{
	float m[MAXS * MAXS], f, *p;
	int pw = w + 2 * B, op, x, y;

	if (!chance(r, a->thick_p))
		return 0;
	if (rng_uniform(r) < 0.5f) {
		op = rng_uniform(r) < 0.5f ? 0 : 1;
		f = rng_range(r, 0.3f, 1);
		box_grow(bx, 1, w, h);
	} else {
		op = 2;
		f = rng_range(r, 0.2f, 0.6f);
	}
	morph(m, pad, w, bx, op);
	for (y = bx->y0; y < bx->y1; y++) {
		p = pad + (y + B) * pw + B;
		for (x = bx->x0; x < bx->x1; x++)
			p[x] += f * (m[y * w + x] - p[x]);
	}
	return 1;
}

/* Convolve the n values of in with the 2 rad + 1 taps k into out, zero
 * outside; buf holds n + 2 rad values. */
static void
conv_line(float *out, const float *in, int n, const float *k, int rad,
    float *buf)
{
	int i, x;

	for (x = 0; x < rad; x++)
		buf[x] = buf[n + rad + x] = 0;
	for (x = 0; x < n; x++) {
		buf[rad + x] = in[x];
		out[x] = 0;
	}
	for (i = 0; i <= 2 * rad; i++)
		for (x = 0; x < n; x++)
			out[x] += k[i] * buf[x + i];
}

/* Separable Gaussian of standard deviation sigma over the w x h image
 * im, zero outside; *bx grows by the kernel radius. */
static void
blur(float *im, int w, int h, float sigma, struct box *bx)
{
	float k[2 * MAXR + 1], t[MAXS * MAXS], buf[MAXS + 2 * MAXR], sum = 0;
	float *o;
	struct box in = *bx;
	int rad = (int)ceilf(2 * sigma), i, x, y, n;

	rad = rad > MAXR ? MAXR : rad < 1 ? 1 : rad;
	for (i = -rad; i <= rad; i++)
		sum += k[i + rad] = expf(-0.5f * i * i / (sigma * sigma));
	for (i = 0; i <= 2 * rad; i++)
		k[i] /= sum;
	box_grow(bx, rad, w, h);
	n = bx->x1 - bx->x0;
	for (y = in.y0; y < in.y1; y++)
		conv_line(t + y * w + bx->x0, im + y * w + bx->x0, n, k, rad,
		    buf);
	for (y = bx->y0; y < bx->y1; y++) {
		o = im + y * w + bx->x0;
		for (x = 0; x < n; x++)
			o[x] = 0;
		for (i = FMAX(y - rad, in.y0); i <= FMIN(y + rad, in.y1 - 1); i++)
			for (x = 0; x < n; x++)
				o[x] += k[i - y + rad] * t[i * w + bx->x0 + x];
	}
}

/* Apply the ink tone curve v(1 + k)/(1 + kv), k > -1, and clamp to 0..1
 * inside b. */
static void
tone(float *im, int w, const struct box *b, float k)
{
	float v;
	int x, y;

	for (y = b->y0; y < b->y1; y++)
		for (x = b->x0; x < b->x1; x++) {
			v = im[y * w + x];
			v = k != 0 ? v * (1 + k) / (1 + k * v) : v;
			im[y * w + x] = FMIN(FMAX(v, 0), 1);
		}
}

void
augment_digit(float *out, const float *in, int w, int h,
    const struct augment *a, struct rng *r)
{
	float pad[PADS * PADS], k = 0, lo;
	struct warp wp;
	struct box bx;
	int changed;

	if (w <= 0 || h <= 0)
		return;
	if (w > MAXS || h > MAXS) {
		memcpy(out, in, (size_t)w * h * sizeof(*out));
		return;
	}
	pad_copy(pad, in, w, h, &bx);
	changed = thick(pad, w, h, a, r, &bx);
	if (warp_draw(&wp, a, r, w, h)) {
		warp_apply(out, pad, w, h, &wp, &bx);
		changed = 1;
	} else
		unpad(out, pad, w, h);
	if (a->blur > 0 && chance(r, a->blur_p)) {
		lo = a->blur < 0.6f ? a->blur / 2 : 0.3f;
		blur(out, w, h, rng_range(r, lo, a->blur), &bx);
		changed = 1;
	}
	if (a->ink > 0 && chance(r, a->ink_p)) {
		k = expf(sym(r, a->ink)) - 1;
		changed = 1;
	}
	if (changed)
		tone(out, w, &bx, k);
}
