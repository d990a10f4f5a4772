/* augment: random distortions of a training digit, deterministic by rng */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "augment.h"

#define MAXS	AUGMENT_MAXSIDE
#define B	2			/* zero border of the padded copy */
#define PADS	(AUGMENT_MAXSIDE + 2 * B)
#define GRID	4			/* elastic control points a side */
#define MAXR	5			/* largest blur kernel radius */

#define FMIN(a, b)	((a) < (b) ? (a) : (b))
#define FMAX(a, b)	((a) > (b) ? (a) : (b))

/* Every random choice for one image, drawn before any work. */
struct plan {
	int morph;		/* -1 none, 0 dilate (cross), 1 dilate (3x3),
				 * 2 erode (cross) */
	float mix;		/* fraction of the morphed image to take */
	int warp;		/* is there a map at all? */
	float m[6];		/* inverse affine map: output (x, y) to input
				 * (m0 x + m1 y + m2, m3 x + m4 y + m5) */
	int elastic;		/* is the field in use? */
	float gx[GRID][GRID];	/* control displacements, pixels */
	float gy[GRID][GRID];
	float sigma;		/* blur, 0 none */
	float k;		/* ink tone curve, 0 none */
};

/* Pixels [x0, x1) x [y0, y1), empty if x0 >= x1: every pixel of an image
 * outside its box is 0, so each step only works inside it. */
struct box {
	int x0, y0, x1, y1;
};

/* Cubic (Catmull-Rom) weights w and first control point k of each pixel
 * of a side of n pixels, with the GRID control points spread evenly from
 * pixel 0 to pixel n - 1. */
struct spline {
	float w[MAXS][4];
	int k[MAXS];
};

/* The elastic field along x for each control row, the largest magnitude
 * in each, and the four rows that make output row y. */
struct field {
	float rows[GRID][MAXS];
	float max[GRID];
	const float *r[4];
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
	a->elastic = 1.75f * s;
	a->elastic_p = FMIN(0.5f * s, 1);
	a->thick_p = FMIN(0.3f * s, 1);
	a->blur = 0.8f * s;
	a->blur_p = FMIN(0.2f * s, 1);
	a->ink = 0.7f * s;
	a->ink_p = FMIN(0.2f * s, 1);
}

/* v clamped to 0..1 without branches (which compilers tend to make of
 * float clamps): the bits of floats >= 0 order like integers. */
static inline float
unit(float v)
{
	int32_t i;

	memcpy(&i, &v, sizeof(i));
	i = i < 0 ? 0 : i;				/* v < 0, -0, -NaN */
	i = i > 0x3f800000 ? 0x3f800000 : i;		/* v > 1, +NaN */
	memcpy(&v, &i, sizeof(v));
	return v;
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

/* Thicken (dilate, taking 30..100% of the result) or thin (erode, taking
 * 20..60%, so that a thin stroke keeps at least 40% of its ink before
 * the peak is restored). */
static void
plan_thick(struct plan *p, const struct augment *a, struct rng *r)
{
	p->morph = -1;
	if (!chance(r, a->thick_p))
		return;
	if (rng_uniform(r) < 0.5f) {
		p->morph = rng_uniform(r) < 0.5f ? 0 : 1;
		p->mix = rng_range(r, 0.3f, 1);
	} else {
		p->morph = 2;
		p->mix = rng_range(r, 0.2f, 0.6f);
	}
}

/* The inverse of rotate(th) . shear(k) . diag(s asp, s / asp) about the
 * centre, after a shift of (dx, dy). */
static void
plan_affine(struct plan *p, const struct augment *a, struct rng *r, int w,
    int h)
{
	float th, s, asp, k, dx, dy, c, sn, sx, sy, cx, cy;

	th = sym(r, a->rot) * 0.0174532925f;	/* pi / 180 */
	s = 1 + sym(r, a->scale);
	asp = 1 + sym(r, a->aspect);
	k = sym(r, a->shear);
	dx = sym(r, a->shift);
	dy = sym(r, a->shift);
	p->warp = th != 0 || s != 1 || asp != 1 || k != 0 || dx != 0 ||
	    dy != 0;
	sx = 1 / (s * asp);
	sy = asp / s;
	c = cosf(th);
	sn = sinf(th);
	p->m[0] = sx * (c + k * sn);
	p->m[1] = sx * (sn - k * c);
	p->m[3] = -sy * sn;
	p->m[4] = sy * c;
	cx = (w - 1) * 0.5f;
	cy = (h - 1) * 0.5f;
	p->m[2] = cx - p->m[0] * (cx + dx) - p->m[1] * (cy + dy);
	p->m[5] = cy - p->m[3] * (cx + dx) - p->m[4] * (cy + dy);
}

/* A GRID x GRID field of random displacements, uniform in +-elastic. */
static void
plan_elastic(struct plan *p, const struct augment *a, struct rng *r)
{
	int i, j;

	p->elastic = a->elastic > 0 && chance(r, a->elastic_p);
	for (i = 0; p->elastic && i < GRID; i++)
		for (j = 0; j < GRID; j++) {
			p->gx[i][j] = sym(r, a->elastic);
			p->gy[i][j] = sym(r, a->elastic);
		}
	p->warp |= p->elastic;
}

static void
plan_draw(struct plan *p, const struct augment *a, struct rng *r, int w,
    int h)
{
	float lo;

	plan_thick(p, a, r);
	plan_affine(p, a, r, w, h);
	plan_elastic(p, a, r);
	p->sigma = 0;
	if (a->blur > 0 && chance(r, a->blur_p)) {
		lo = a->blur < 0.6f ? a->blur / 2 : 0.3f;
		p->sigma = rng_range(r, lo, a->blur);
	}
	p->k = 0;
	if (a->ink > 0 && chance(r, a->ink_p))
		p->k = expf(sym(r, a->ink)) - 1;
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

/* Add the pixels [x0, x1) of row y to b; rows come in increasing order. */
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

static void
spline_init(struct spline *sp, int n)
{
	float c = n > 1 ? (float)(GRID - 1) / (n - 1) : 0, u, t, t2, t3;
	int i, k;

	for (i = 0; i < n; i++) {
		u = i * c;
		k = (int)u;
		k = k > GRID - 2 ? GRID - 2 : k;
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

/* Interpolate each control row of g along x over the n pixels of a row,
 * the end points repeated beyond the edges. */
static void
field_init(struct field *f, const float g[GRID][GRID],
    const struct spline *sp, int n)
{
	float e[GRID + 2], v;
	const float *gp;
	int i, j, x;

	for (i = 0; i < GRID; i++) {
		e[0] = g[i][0];
		for (j = 0; j < GRID; j++)
			e[j + 1] = g[i][j];
		e[GRID + 1] = g[i][GRID - 1];
		f->max[i] = 0;
		for (x = 0; x < n; x++) {
			gp = e + sp->k[x] + 1;
			v = sp->w[x][0] * gp[0] + sp->w[x][1] * gp[1] +
			    sp->w[x][2] * gp[2] + sp->w[x][3] * gp[3];
			f->rows[i][x] = v;
			f->max[i] = FMAX(f->max[i], fabsf(v));
		}
	}
}

/* Control row k + i (0 <= i < 4) for output row y. */
static int
field_row(const struct spline *sp, int y, int i)
{
	int k = sp->k[y] + i;

	return k < 0 ? 0 : k > GRID - 1 ? GRID - 1 : k;
}

/* Point f at the four control rows that make output row y. */
static void
field_pick(struct field *f, const struct spline *sp, int y)
{
	int i;

	for (i = 0; i < 4; i++)
		f->r[i] = f->rows[field_row(sp, y, i)];
}

/* A bound of the displacement of field f along output row y. */
static float
field_reach(const struct field *f, const struct spline *sp, int y)
{
	float e = 0;
	int i;

	for (i = 0; i < 4; i++)
		e += fabsf(sp->w[y][i]) * f->max[field_row(sp, y, i)];
	return e;
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

/*
 * The pixels [*xa, *xb) of output row y whose affine input point lies
 * within ex, ey of (x0 - 1, x1) x (y0 - 1, y1), where s is the box of the
 * input: a bilinear sample is 0 outside that.  0 if there are none.  The
 * margin of 0.01 pixel covers rounding, so with ex = ey = 0 every input
 * point of the span is inside the zero border of the padded copy.
 */
static int
row_span(const float *m, const struct box *s, int y, int w, float ex,
    float ey, int *xa, int *xb)
{
	float lo = 0, hi = w - 1;

	ex += 0.01f;
	ey += 0.01f;
	narrow(m[0], m[1] * y + m[2], s->x0 - 1 - ex, s->x1 + ex, &lo, &hi);
	narrow(m[3], m[4] * y + m[5], s->y0 - 1 - ey, s->y1 + ey, &lo, &hi);
	*xa = *xb = 0;
	if (box_empty(s) || lo > hi)
		return 0;
	*xa = (int)ceilf(lo);
	*xb = (int)hi + 1;
	return *xa < *xb;
}

/*
 * Bilinear sample of pad (row length pw) at (ux, uy), which must lie in
 * [0, pw - 1) x [0, rows - 1).  With taps in 0..1 each lerp a + f(b - a),
 * 0 <= f < 1, is >= 0 even when rounded (the rounding is monotonic), but
 * may pass 1 by an ulp: only that side is clamped.
 */
static inline float
sample_in(const float *pad, int pw, float ux, float uy)
{
	const float *p;
	float fx, fy, t, b;
	int ix = (int)ux, iy = (int)uy;

	fx = ux - ix;
	fy = uy - iy;
	p = pad + iy * pw + ix;
	t = p[0] + fx * (p[1] - p[0]);
	b = p[pw] + fx * (p[pw + 1] - p[pw]);
	t += fy * (b - t);
	return FMIN(t, 1);
}

/* The same anywhere: points off the image are clamped into the zero
 * border, where all four taps are 0 (NaN goes there too). */
static inline float
sample(const float *pad, int w, int h, float ux, float uy)
{
	ux = ux > 0 ? ux : 0;
	uy = uy > 0 ? uy : 0;
	ux = FMIN(ux, w + B);
	uy = FMIN(uy, h + B);
	return sample_in(pad, w + 2 * B, ux, uy);
}

/* Output row y, pixels [x0, x1), through the affine map alone; the input
 * point (x, y) is at (x + B, y + B) in pad. */
static void
warp_row(float *o, const float *pad, int w, const float *m, int y, int x0,
    int x1)
{
	float ux = m[0] * x0 + m[1] * y + m[2] + B;
	float uy = m[3] * x0 + m[4] * y + m[5] + B;
	int x;

	for (x = x0; x < x1; x++, ux += m[0], uy += m[3])
		o[x] = sample_in(pad, w + 2 * B, ux, uy);
}

/* The same, displaced by the fields fx and fy picked for row y, whose
 * weights along y are k. */
static void
warp_row_elastic(float *o, const float *pad, int w, int h, const float *m,
    int y, int x0, int x1, const struct field *fx, const struct field *fy,
    const float *k)
{
	const float *a0 = fx->r[0], *a1 = fx->r[1], *a2 = fx->r[2];
	const float *a3 = fx->r[3], *b0 = fy->r[0], *b1 = fy->r[1];
	const float *b2 = fy->r[2], *b3 = fy->r[3];
	float ux = m[0] * x0 + m[1] * y + m[2] + B;
	float uy = m[3] * x0 + m[4] * y + m[5] + B;
	int x;

	for (x = x0; x < x1; x++, ux += m[0], uy += m[3])
		o[x] = sample(pad, w, h,
		    ux + k[0] * a0[x] + k[1] * a1[x] + k[2] * a2[x] +
		    k[3] * a3[x],
		    uy + k[0] * b0[x] + k[1] * b1[x] + k[2] * b2[x] +
		    k[3] * b3[x]);
}

/* Resample pad, whose ink is in *bx, through the map of p into out; *bx
 * becomes the box of the output. */
static void
warp_apply(float *out, const float *pad, int w, int h, const struct plan *p,
    struct box *bx)
{
	struct field fx, fy;
	struct spline spx, spy;
	struct box ob = { 0, 0, 0, 0 };
	float ex = 0, ey = 0;
	int xa[MAXS], xb[MAXS], y;

	memset(out, 0, (size_t)w * h * sizeof(*out));
	if (p->elastic) {
		spline_init(&spx, w);
		spline_init(&spy, h);
		field_init(&fx, p->gx, &spx, w);
		field_init(&fy, p->gy, &spx, w);
	}
	for (y = 0; y < h; y++) {
		if (p->elastic) {
			ex = field_reach(&fx, &spy, y);
			ey = field_reach(&fy, &spy, y);
		}
		if (row_span(p->m, bx, y, w, ex, ey, &xa[y], &xb[y]))
			box_add(&ob, xa[y], xb[y], y);
	}
	*bx = ob;
	for (y = ob.y0; y < ob.y1 && !p->elastic; y++)
		warp_row(out + y * w, pad, w, p->m, y, xa[y], xb[y]);
	for (y = ob.y0; y < ob.y1 && p->elastic; y++) {
		field_pick(&fx, &spy, y);
		field_pick(&fy, &spy, y);
		warp_row_elastic(out + y * w, pad, w, h, p->m, y, xa[y], xb[y],
		    &fx, &fy, spy.w[y]);
	}
}

/* Is column x of the image in pad (row length pw) 0 in rows [y0, y1)? */
static int
col_zero(const float *pad, int pw, int x, int y0, int y1)
{
	int y, z = 1;

	for (y = y0; y < y1; y++)
		z &= pad[(y + B) * pw + B + x] == 0;
	return z;
}

/*
 * Copy the w x h image in into the middle of pad, inside a zero border B
 * wide, and find the box of its nonzero pixels without a branch per
 * pixel: the bits of each pair of pixels are or-ed into the pair's
 * column and the row, then the edge columns are checked one by one.
 */
static void
pad_copy(float *pad, const float *in, int w, int h, struct box *bx)
{
	const uint64_t mask = 0x7fffffff7fffffffULL;	/* -0 is 0 */
	uint64_t col[(MAXS + 1) / 2], row, v;
	uint32_t u;
	float *p;
	int pw = w + 2 * B, x, y;

	memset(pad, 0, (size_t)pw * (h + 2 * B) * sizeof(*pad));
	memset(col, 0, sizeof(col));
	*bx = (struct box){ 0, 0, 0, 0 };
	for (y = 0; y < h; y++) {
		p = pad + (y + B) * pw + B;
		row = 0;
		for (x = 0; x + 1 < w; x += 2) {
			memcpy(&v, in + y * w + x, sizeof(v));
			memcpy(p + x, &v, sizeof(v));
			col[x / 2] |= v;
			row |= v;
		}
		if (x < w) {		/* the last of an odd width */
			memcpy(&u, in + y * w + x, sizeof(u));
			p[x] = in[y * w + x];
			col[x / 2] |= u;
			row |= u;
		}
		if ((row & mask) != 0)
			box_add(bx, 0, 1, y);
	}
	if (box_empty(bx))
		return;
	for (x = 0; x + 1 < w && (col[x / 2] & mask) == 0; x += 2)
		continue;
	bx->x0 = x;
	for (x = (w - 1) & ~1; x > 0 && (col[x / 2] & mask) == 0; x -= 2)
		continue;
	bx->x1 = x + 2 > w ? w : x + 2;
	if (bx->x0 < bx->x1 - 1 && col_zero(pad, pw, bx->x0, bx->y0, bx->y1))
		bx->x0++;
	if (bx->x0 < bx->x1 - 1 &&
	    col_zero(pad, pw, bx->x1 - 1, bx->y0, bx->y1))
		bx->x1--;
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

/* The largest value of the image in pad inside b. */
static float
pad_max(const float *pad, int w, const struct box *b)
{
	float v = 0;
	int pw = w + 2 * B, x, y;

	for (y = b->y0; y < b->y1; y++)
		for (x = b->x0; x < b->x1; x++)
			v = FMAX(v, pad[(y + B) * pw + B + x]);
	return v;
}

/* Blend the strokes in pad (ink in *bx) with their morph of p.  After
 * thinning the peak goes back to what it was, as input is contrast
 * stretched: strokes too thin to survive erosion stay as they were. */
static void
thick(float *pad, int w, int h, const struct plan *p, struct box *bx)
{
	float m[MAXS * MAXS], *q, top = 0, f;
	int pw = w + 2 * B, x, y;

	if (p->morph == 2)
		top = pad_max(pad, w, bx);
	else
		box_grow(bx, 1, w, h);
	morph(m, pad, w, bx, p->morph);
	for (y = bx->y0; y < bx->y1; y++) {
		q = pad + (y + B) * pw + B;
		for (x = bx->x0; x < bx->x1; x++)
			q[x] += p->mix * (m[y * w + x] - q[x]);
	}
	if (p->morph != 2 || (f = pad_max(pad, w, bx)) <= 0)
		return;
	f = top / f;
	for (y = bx->y0; y < bx->y1; y++) {
		q = pad + (y + B) * pw + B;
		for (x = bx->x0; x < bx->x1; x++)
			q[x] = FMIN(q[x] * f, 1);
	}
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

/* Separable Gaussian of standard deviation sigma (kernel radius
 * ceil(2 sigma), at most MAXR) over the w x h image im, zero outside;
 * *bx grows by the radius. */
static void
blur(float *im, int w, int h, float sigma, struct box *bx)
{
	float k[2 * MAXR + 1], t[MAXS * MAXS], buf[MAXS + 2 * MAXR], sum = 0;
	float *o;
	struct box in = *bx;
	int rad = (int)ceilf(2 * sigma), i, x, y, n, lo, hi;

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
		lo = FMAX(y - rad, in.y0);
		hi = FMIN(y + rad, in.y1 - 1);
		for (i = lo; i <= hi; i++)
			for (x = 0; x < n; x++)
				o[x] += k[i - y + rad] * t[i * w + bx->x0 + x];
	}
}

/* Clamp im to 0..1 inside b, after the ink tone curve if k is not 0:
 * v(1 + k)/(1 + kv/P), k > -1, where P is the peak, which stays put. */
static void
tone(float *im, int w, const struct box *b, float k)
{
	float *p, top = 0;
	int x, y;

	for (y = b->y0; y < b->y1 && k != 0; y++)
		for (x = b->x0; x < b->x1; x++)
			top = FMAX(top, im[y * w + x]);
	for (y = b->y0; y < b->y1; y++) {
		p = im + y * w;
		if (top > 0)
			for (x = b->x0; x < b->x1; x++)
				p[x] = p[x] * (1 + k) / (1 + k / top * p[x]);
		for (x = b->x0; x < b->x1; x++)
			p[x] = unit(p[x]);
	}
}

void
augment_digit(float *out, const float *in, int w, int h,
    const struct augment *a, struct rng *r)
{
	float pad[PADS * PADS];
	struct plan p;
	struct box bx;

	if (w <= 0 || h <= 0)
		return;
	if (w > MAXS || h > MAXS) {
		memcpy(out, in, (size_t)w * h * sizeof(*out));
		return;
	}
	plan_draw(&p, a, r, w, h);
	if (p.morph < 0 && !p.warp && p.sigma == 0 && p.k == 0) {
		memcpy(out, in, (size_t)w * h * sizeof(*out));
		return;
	}
	pad_copy(pad, in, w, h, &bx);
	if (p.morph >= 0)
		thick(pad, w, h, &p, &bx);
	if (p.warp)
		warp_apply(out, pad, w, h, &p, &bx);
	else
		unpad(out, pad, w, h);
	if (p.sigma > 0)
		blur(out, w, h, p.sigma, &bx);
	/* samples are clamped already */
	if (!p.warp || p.sigma > 0 || p.k != 0)
		tone(out, w, &bx, p.k);
}
