/* conv2d: 2-D convolution, any kernel size, stride and zero padding */
#include <stdlib.h>
#include <string.h>

#include "conv2d.h"
#include "gemm.h"
#include "winograd.h"
#include "util.h"

/* A sum; the simd reduction lets the compiler add in vector lanes. */
VECTOR_CLONES static float
sum(const float *x, int n)
{
	float t = 0;
	int j;

#pragma omp simd reduction(+:t)
	for (j = 0; j < n; j++)
		t += x[j];
	return t;
}

int
conv2d_out(int side, int k, int s, int p)
{
	return (side + 2 * p - k) / s + 1;
}

/* in (N,C,H,W), w (OC,C,K,K), b (OC), out (N,OC,OH,OW) */
void
conv2d_forward_ref(float *out, const float *in, const float *w,
    const float *b, int n, int c, int h, int wd, int oc, int k, int s, int p)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);
	int i, o, ci, y, x, ky, kx, iy, ix;

	for (i = 0; i < n; i++)
		for (o = 0; o < oc; o++)
			for (y = 0; y < oh; y++)
				for (x = 0; x < ow; x++) {
					double sum = b[o];

					for (ci = 0; ci < c; ci++)
						for (ky = 0; ky < k; ky++)
							for (kx = 0; kx < k; kx++) {
								iy = y * s - p + ky;
								ix = x * s - p + kx;
								if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
									continue;
								sum += (double)w[((o * c + ci) * k + ky) * k + kx] *
								    in[(((long)i * c + ci) * h + iy) * wd + ix];
							}
					out[(((long)i * oc + o) * oh + y) * ow + x] = (float)sum;
				}
}

/* dout (N,OC,OH,OW), in (N,C,H,W), w (OC,C,K,K)
 * -> din (N,C,H,W), dw (OC,C,K,K), db (OC) */
void
conv2d_backward_ref(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *w, int n, int c, int h, int wd, int oc,
    int k, int s, int p)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);
	int i, o, ci, y, x, ky, kx, iy, ix;
	long ii, wi;
	float g;

	if (din)
		memset(din, 0, (size_t)n * c * h * wd * sizeof(float));
	for (i = 0; i < n; i++)
		for (o = 0; o < oc; o++)
			for (y = 0; y < oh; y++)
				for (x = 0; x < ow; x++) {
					g = dout[(((long)i * oc + o) * oh + y) * ow + x];
					db[o] += g;
					for (ci = 0; ci < c; ci++)
						for (ky = 0; ky < k; ky++)
							for (kx = 0; kx < k; kx++) {
								iy = y * s - p + ky;
								ix = x * s - p + kx;
								if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
									continue;
								ii = (((long)i * c + ci) * h + iy) * wd + ix;
								wi = ((o * c + ci) * k + ky) * k + kx;
								dw[wi] += g * in[ii];
								if (din)
									din[ii] += g * w[wi];
							}
				}
}

/* One image (C,H,W) to columns: col (C*K*K, OH*OW), row r = (ci, ky, kx). */
static void
im2col(float *col, const float *in, int c, int h, int wd, int k, int s, int p)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);
	int ci, ky, kx, y, x, iy, x0, x1;
	const float *src;

	for (ci = 0; ci < c; ci++)
		for (ky = 0; ky < k; ky++)
			for (kx = 0; kx < k; kx++) {
				/* output columns x0..x1-1 read inside the row */
				x0 = p - kx > 0 ? (p - kx + s - 1) / s : 0;
				x1 = (wd + p - kx + s - 1) / s;
				x1 = MIN(MAX(x1, x0), ow);
				for (y = 0; y < oh; y++, col += ow) {
					iy = y * s - p + ky;
					if (iy < 0 || iy >= h || x0 >= x1) {
						memset(col, 0, ow * sizeof(float));
						continue;
					}
					src = in + ((long)ci * h + iy) * wd;
					for (x = 0; x < x0; x++)
						col[x] = 0;
					if (s == 1)
						memcpy(col + x0, src + x0 - p + kx,
						    (x1 - x0) * sizeof(float));
					else
						for (x = x0; x < x1; x++)
							col[x] = src[x * s - p + kx];
					for (x = x1; x < ow; x++)
						col[x] = 0;
				}
			}
}

/* Add columns back into one image: the adjoint of im2col. */
static void
col2im(float *din, const float *col, int c, int h, int wd, int k, int s, int p)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);
	int ci, ky, kx, y, x, iy, x0, x1;
	float *dst;

	memset(din, 0, (size_t)c * h * wd * sizeof(float));
	for (ci = 0; ci < c; ci++)
		for (ky = 0; ky < k; ky++)
			for (kx = 0; kx < k; kx++) {
				x0 = p - kx > 0 ? (p - kx + s - 1) / s : 0;
				x1 = (wd + p - kx + s - 1) / s;
				x1 = MIN(MAX(x1, x0), ow);
				for (y = 0; y < oh; y++, col += ow) {
					iy = y * s - p + ky;
					if (iy < 0 || iy >= h)
						continue;
					dst = din + ((long)ci * h + iy) * wd;
					if (s == 1)
						for (x = x0; x < x1; x++)
							dst[x + kx - p] += col[x];
					else
						for (x = x0; x < x1; x++)
							dst[x * s - p + kx] += col[x];
				}
			}
}

/*
 * The direct path, for stride 1: the images, zero-padded, are laid side
 * by side in one wide picture whose rows are ww floats, each image wp =
 * w + p columns after the last (neighbours share their p columns of
 * padding); output pixel (y, x) of image g is column y ww + g wp + x of a
 * product whose row r = (ci, ky, kx) of B is the picture itself shifted by
 * off[r] = ci plane + ky ww + kx.  No im2col copy is made: the
 * micro-kernel reads the shifted rows directly.  The columns between the
 * images' outputs are computed and dropped.  The weight gradient is the
 * dot products of the output gradient's rows with those same shifted
 * rows.
 */
struct wide {
	int c, h, w, k, p, g;   /* channels, size, kernel, padding, images */
	int hp, wp, ww;         /* padded height, image stride, wide width */
	int oh, ow;             /* output of one image */
	long plane, q;          /* floats per channel; output columns */
};

#define FWD_COLS 512
#define DOT_COLS 2048           /* and in a dot product */
#define MAXG 64

static int
direct(int k, int s, int p)
{
	return s == 1 && p <= k - 1;
}

static void
wide_init(struct wide *w, int c, int h, int wd, int k, int p, int g)
{
	w->c = c, w->h = h, w->w = wd, w->k = k, w->p = p, w->g = g;
	w->hp = h + 2 * p, w->wp = wd + p, w->ww = g * w->wp + p;
	w->oh = w->hp - k + 1, w->ow = wd + 2 * p - k + 1;
	w->plane = (long)w->hp * w->ww;
	w->q = (long)w->oh * w->ww;
}

/* Images side by side per call: enough columns to keep the kernel busy. */
static int
wide_g(int h, int wd, int k, int p, int cols)
{
	int q = (h + p - k + 1 + p) * (wd + p);

	return MIN(MAXG, MAX(1, cols / MAX(q, 1)));
}

/* Floats of the padded picture, with slack for the kernels' over-read. */
static size_t
wide_size(const struct wide *w)
{
	return (size_t)w->c * w->plane + w->k + GEMM_MAXNR + GEMM_DOTPAD + 16;
}

/* Copy g images (C,H,W) into the wide picture, zeros around them. */
static void
wide_fill(float *pad, const float *in, const struct wide *w)
{
	int gi, ci, y;

	memset(pad, 0, wide_size(w) * sizeof(float));
	for (gi = 0; gi < w->g; gi++)
		for (ci = 0; ci < w->c; ci++)
			for (y = 0; y < w->h; y++)
				memcpy(pad + ci * w->plane + (long)(y + w->p) * w->ww +
				    gi * w->wp + w->p,
				    in + (((size_t)gi * w->c + ci) * w->h + y) * w->w,
				    w->w * sizeof(float));
}

static void
wide_offsets(int *off, const struct wide *w)
{
	int ci, ky, kx;

	for (ci = 0; ci < w->c; ci++)
		for (ky = 0; ky < w->k; ky++)
			for (kx = 0; kx < w->k; kx++)
				*off++ = (int)(ci * w->plane + (long)ky * w->ww + kx);
}

static long
round_up(long x, long m)
{
	return (x + m - 1) / m * m;
}

VECTOR_CLONES void
conv2d_row(float *restrict dst, const float *restrict src, int n, float bias,
    int relu)
{
	int x;

	if (relu)
		for (x = 0; x < n; x++)
			dst[x] = MAX(src[x] + bias, 0.0f);
	else
		for (x = 0; x < n; x++)
			dst[x] = src[x] + bias;
}

VECTOR_CLONES void
conv2d_row_pool(float *restrict dst, const float *restrict s0,
    const float *restrict s1, int n, float bias)
{
	float a, b;
	int x;

	for (x = 0; x < n; x++) {
		a = MAX(s0[2 * x], s0[2 * x + 1]);
		b = MAX(s1[2 * x], s1[2 * x + 1]);
		dst[x] = MAX(MAX(a, b) + bias, 0.0f);
	}
}

/* Lay g images out in the wide picture at ws, with the offsets of B's
 * rows after it; returns the room that follows. */
static float *
wide_begin(struct wide *w, float *ws, const float *in, int c, int h, int wd,
    int k, int p, int g, int **off)
{
	wide_init(w, c, h, wd, k, p, g);
	*off = (int *)(ws + round_up(wide_size(w), 16));
	wide_fill(ws, in, w);
	wide_offsets(*off, w);
	return (float *)*off + round_up((long)c * k * k, 16);
}

/* Forward for n images through the wide picture, in groups; pool: the
 * output is max(0, 2x2 max pooling of the convolution + bias). */
static void
direct_forward(float *out, const float *in, const float *wp, const float *b,
    int n, int c, int h, int wd, int oc, int k, int p, int relu, int pool,
    float *ws)
{
	int G = wide_g(h, wd, k, p, FWD_COLS), i0, gi, o, y;
	struct wide w;
	float *pad = ws, *cb, *dst;
	const float *src;
	int *off;
	long ldc;

	for (i0 = 0; i0 < n; i0 += G) {
		cb = wide_begin(&w, pad, in + (size_t)i0 * c * h * wd, c, h, wd, k,
		    p, MIN(G, n - i0), &off);
		ldc = round_up(w.q, GEMM_MAXNR);
		gemm_shift(oc, (int)w.q, c * k * k, wp, pad, off, cb, (int)ldc, 0);
		for (gi = 0; gi < w.g && pool; gi++)
			for (o = 0; o < oc; o++) {
				dst = out + (((size_t)(i0 + gi) * oc + o) * (w.oh / 2)) *
				    (w.ow / 2);
				src = cb + o * ldc + gi * w.wp;
				for (y = 0; y + 1 < w.oh; y += 2, dst += w.ow / 2)
					conv2d_row_pool(dst, src + (long)y * w.ww,
					    src + (long)(y + 1) * w.ww, w.ow / 2, b[o]);
			}
		for (gi = 0; gi < w.g && !pool; gi++)
			for (o = 0; o < oc; o++) {
				dst = out + (((size_t)(i0 + gi) * oc + o) * w.oh) * w.ow;
				src = cb + o * ldc + gi * w.wp;
				for (y = 0; y < w.oh; y++, dst += w.ow, src += w.ww)
					conv2d_row(dst, src, w.ow, b ? b[o] : 0, relu);
			}
	}
}

/* dw (OC, C*K*K) and db (OC) += the gradients from n images. */
static void
direct_weights(float *dw, float *db, const float *dout, const float *in,
    int n, int c, int h, int wd, int oc, int k, int p, float *ws)
{
	int G = wide_g(h, wd, k, p, DOT_COLS), i0, gi, o, y;
	struct wide w;
	float *pad = ws, *dg;
	const float *src;
	int *off;
	long qp;

	for (i0 = 0; i0 < n; i0 += G) {
		dg = wide_begin(&w, pad, in + (size_t)i0 * c * h * wd, c, h, wd, k,
		    p, MIN(G, n - i0), &off);
		qp = round_up(w.q, GEMM_DOTPAD);
		memset(dg, 0, (size_t)oc * qp * sizeof(float));
		for (gi = 0; gi < w.g; gi++)
			for (o = 0; o < oc; o++) {
				src = dout + ((size_t)(i0 + gi) * oc + o) * w.oh * w.ow;
				db[o] += sum(src, w.oh * w.ow);
				for (y = 0; y < w.oh; y++)
					memcpy(dg + o * qp + (long)y * w.ww + gi * w.wp,
					    src + y * w.ow, w.ow * sizeof(float));
			}
		gemm_dot(oc, c * k * k, (int)qp, dg, qp, pad, off, dw, c * k * k);
	}
}

/* The packed weights hold what each path needs, one after the other:
 * the direct (or im2col) product's, then, for 3x3 kernels, Winograd's. */
static size_t
plain_size(int c, int oc, int k)
{
	size_t a = gemm_apack_full_size(oc, c * k * k);
	size_t b = gemm_apack_full_size(c * k * k, oc);
	size_t f = gemm_apack_full_size(c, oc * k * k);

	return (MAX(MAX(a, b), f) + 15) & ~(size_t)15;
}

size_t
conv2d_pack_size(int c, int oc, int k)
{
	size_t a = plain_size(c, oc, k);

	if (k == 3)
		a += MAX(winograd_pack_size(c, oc), winograd_pack_size(oc, c));
	return a;
}

/* Winograd pays when the images give rows of tiles long enough for its
 * transforms; one small image goes the direct way. */
static int
use_winograd(int c, int h, int wd, int k, int s, int p, int n)
{
	return winograd_ok(c, k, s, p) && (long)n * ((h + 1) / 2) *
	    ((wd + 2) / 2) >= 64;
}

int
conv2d_winograd(int c, int h, int wd, int k, int s, int p, int n)
{
	return use_winograd(c, h, wd, k, s, p, n);
}

void
conv2d_pack(float *wp, const float *w, int c, int oc, int k, int s, int p,
    int wino)
{
	gemm_pack_a_full(wp, w, (long)c * k * k, 1, oc, c * k * k);
	if (wino && winograd_ok(c, k, s, p))
		winograd_pack(wp + plain_size(c, oc, k), w, c, oc, 0);
}

void
conv2d_pack_t(float *wtp, const float *w, int c, int oc, int k, int s, int p)
{
	long kk = (long)k * k, o, ci, t;
	float *f;

	if (!direct(k, s, p)) {
		gemm_pack_a_full(wtp, w, 1, (long)c * kk, c * kk, oc);
		return;
	}
	/* W' (C, OC, K, K): W turned over, its kernels rotated half a turn */
	f = xmalloc((size_t)c * oc * kk * sizeof(float));
	for (o = 0; o < oc; o++)
		for (ci = 0; ci < c; ci++)
			for (t = 0; t < kk; t++)
				f[(ci * oc + o) * kk + t] = w[(o * c + ci) * kk + kk - 1 - t];
	gemm_pack_a_full(wtp, f, (long)oc * kk, 1, c, oc * kk);
	free(f);
	if (winograd_ok(oc, k, s, k - 1 - p))
		winograd_pack(wtp + plain_size(c, oc, k), w, c, oc, 1);
}

size_t
conv2d_ws_size(int c, int h, int wd, int oc, int k, int s, int p)
{
	long kk = (long)c * k * k, oh, ow, hw, q;
	struct wide a, b, d;
	size_t g, dir;

	oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p), hw = oh * ow;
	g = MAX(gemm_ws_size(oc, hw, kk), gemm_ws_size(oc, kk, hw));
	g = MAX(g, gemm_ws_size(kk, hw, oc));
	g += 2 * kk * hw + 64;
	if (!direct(k, s, p))
		return g;
	/* forward, backward data (a forward over the output gradient), and
	 * weights: the picture, offsets, then product or dot rows */
	wide_init(&a, c, h, wd, k, p, wide_g(h, wd, k, p, FWD_COLS));
	wide_init(&b, oc, oh, ow, k, k - 1 - p, wide_g(oh, ow, k, k - 1 - p,
	    FWD_COLS));
	wide_init(&d, c, h, wd, k, p, wide_g(h, wd, k, p, DOT_COLS));
	q = MAX(kk, (long)oc * k * k);
	dir = round_up((long)wide_size(&a), 16) + round_up(q, 16) +
	    oc * round_up(a.q, GEMM_MAXNR);
	dir = MAX(dir, (size_t)(round_up((long)wide_size(&b), 16) +
	    round_up(q, 16) + c * round_up(b.q, GEMM_MAXNR)));
	dir = MAX(dir, (size_t)(round_up((long)wide_size(&d), 16) +
	    round_up(q, 16) + oc * round_up(d.q, GEMM_DOTPAD)));
	if (k == 3) {
		dir = MAX(dir, winograd_ws_size(c, h, wd, oc));
		dir = MAX(dir, winograd_ws_size(oc, oh, ow, c));
	}
	return MAX(g, dir + 64);
}

/* The im2col path, for any stride and padding. */
static void
col_forward(float *out, const float *in, const float *wp, const float *b,
    int n, int c, int h, int wd, int oc, int k, int s, int p, int relu,
    float *ws)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);
	int kk = c * k * k, hw = oh * ow, i, o, j;
	float *col = ws, *gw = ws + (((size_t)kk * hw + 15) & ~(size_t)15);
	float *op;

	for (i = 0; i < n; i++) {
		const float *ip = in + (size_t)i * c * h * wd;

		op = out + (size_t)i * oc * hw;
		if (k == 1 && s == 1 && p == 0)
			gemm_pa(oc, hw, kk, wp, ip, hw, 1, op, hw, 0, gw);
		else {
			im2col(col, ip, c, h, wd, k, s, p);
			gemm_pa(oc, hw, kk, wp, col, hw, 1, op, hw, 0, gw);
		}
		for (o = 0; o < oc; o++, op += hw) {
			float bo = b[o];

			if (relu)
				for (j = 0; j < hw; j++)
					op[j] = MAX(op[j] + bo, 0.0f);
			else
				for (j = 0; j < hw; j++)
					op[j] += bo;
		}
	}
}

/* in (N,C,H,W), wp packed (OC, C*K*K), b (OC), out (N,OC,OH,OW) */
void
conv2d_forward(float *out, const float *in, const float *wp, const float *b,
    int n, int c, int h, int wd, int oc, int k, int s, int p, int relu,
    float *ws)
{
	if (use_winograd(c, h, wd, k, s, p, n))
		winograd_forward(out, in, wp + plain_size(c, oc, k), b, n, c, h, wd,
		    oc, relu, 0, ws);
	else if (direct(k, s, p))
		direct_forward(out, in, wp, b, n, c, h, wd, oc, k, p, relu, 0, ws);
	else
		col_forward(out, in, wp, b, n, c, h, wd, oc, k, s, p, relu, ws);
}

int
conv2d_can_pool(int k, int s, int p)
{
	return direct(k, s, p);
}

void
conv2d_forward_pool(float *out, const float *in, const float *wp,
    const float *b, int n, int c, int h, int wd, int oc, int k, int p,
    float *ws)
{
	if (use_winograd(c, h, wd, k, 1, p, n))
		winograd_forward(out, in, wp + plain_size(c, oc, k), b, n, c, h, wd,
		    oc, 1, 1, ws);
	else
		direct_forward(out, in, wp, b, n, c, h, wd, oc, k, p, 1, 1, ws);
}

/* The im2col path of the backward pass. */
static void
col_backward(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *wtp, int n, int c, int h, int wd, int oc,
    int k, int s, int p, float *ws)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);
	int kk = c * k * k, hw = oh * ow, i, o;
	size_t cs = ((size_t)kk * hw + 15) & ~(size_t)15;
	float *col = ws, *dcol = ws + cs, *gw = ws + 2 * cs;
	int one = k == 1 && s == 1 && p == 0;

	for (i = 0; i < n; i++) {
		const float *ip = in + (size_t)i * c * h * wd;
		const float *gp = dout + (size_t)i * oc * hw;

		if (dw) {
			for (o = 0; o < oc; o++)
				db[o] += sum(gp + (size_t)o * hw, hw);
			if (!one)
				im2col(col, ip, c, h, wd, k, s, p);
			/* dw (OC, KK) += dout (OC, HW) col^T (HW, KK) */
			gemm(oc, kk, hw, gp, hw, 1, one ? ip : col, 1, hw, dw, kk, 1,
			    gw);
		}
		if (din == NULL)
			continue;
		/* dcol (KK, HW) = W^T (KK, OC) dout (OC, HW) */
		if (one) {
			gemm_pa(kk, hw, oc, wtp, gp, hw, 1,
			    din + (size_t)i * c * h * wd, hw, 0, gw);
			continue;
		}
		gemm_pa(kk, hw, oc, wtp, gp, hw, 1, dcol, hw, 0, gw);
		col2im(din + (size_t)i * c * h * wd, dcol, c, h, wd, k, s, p);
	}
}

void
conv2d_backward_data(float *din, const float *dout, const float *wtp, int n,
    int c, int h, int wd, int oc, int k, int s, int p, float *ws)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);

	if (direct(k, s, p) && use_winograd(oc, oh, ow, k, s, k - 1 - p, n))
		winograd_forward(din, dout, wtp + plain_size(c, oc, k), NULL, n, oc,
		    oh, ow, c, 0, 0, ws);
	else if (direct(k, s, p))
		direct_forward(din, dout, wtp, NULL, n, oc, oh, ow, c, k, k - 1 - p,
		    0, 0, ws);
	else
		col_backward(din, NULL, NULL, dout, NULL, wtp, n, c, h, wd, oc, k,
		    s, p, ws);
}

void
conv2d_backward_weights(float *dw, float *db, const float *dout,
    const float *in, int n, int c, int h, int wd, int oc, int k, int s, int p,
    float *ws)
{
	if (direct(k, s, p))
		direct_weights(dw, db, dout, in, n, c, h, wd, oc, k, p, ws);
	else
		col_backward(NULL, dw, db, dout, in, NULL, n, c, h, wd, oc, k, s,
		    p, ws);
}

/* dout (N,OC,OH,OW), in (N,C,H,W), wtp from conv2d_pack_t
 * -> din (N,C,H,W) written if not NULL, dw (OC,C,K,K) and db (OC) added */
void
conv2d_backward(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *wtp, int n, int c, int h, int wd, int oc,
    int k, int s, int p, float *ws)
{
	conv2d_backward_weights(dw, db, dout, in, n, c, h, wd, oc, k, s, p, ws);
	if (din)
		conv2d_backward_data(din, dout, wtp, n, c, h, wd, oc, k, s, p, ws);
}
