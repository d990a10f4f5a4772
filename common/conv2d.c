/* conv2d: 2-D convolution, any kernel size, stride and zero padding */
#include <string.h>

#include "conv2d.h"
#include "gemm.h"
#include "util.h"

/* A sum in 16 partial sums, which the compiler vectorises. */
static float
sum(const float *x, int n)
{
	float a[16] = { 0 }, t = 0;
	int j, l;

	for (j = 0; j + 16 <= n; j += 16)
		for (l = 0; l < 16; l++)
			a[l] += x[j + l];
	for (; j < n; j++)
		t += x[j];
	for (l = 0; l < 16; l++)
		t += a[l];
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

/* dout (N,OC,OH,OW), in (N,C,H,W), w (OC,C,K,K) -> din, dw (OC,C,K,K), db (OC) */
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

size_t
conv2d_pack_size(int c, int oc, int k)
{
	size_t a = gemm_apack_full_size(oc, c * k * k);
	size_t b = gemm_apack_full_size(c * k * k, oc);

	return MAX(a, b);
}

void
conv2d_pack(float *wp, const float *w, int c, int oc, int k)
{
	gemm_pack_a_full(wp, w, (long)c * k * k, 1, oc, c * k * k);
}

void
conv2d_pack_t(float *wtp, const float *w, int c, int oc, int k)
{
	gemm_pack_a_full(wtp, w, 1, (long)c * k * k, c * k * k, oc);
}

size_t
conv2d_ws_size(int c, int h, int wd, int oc, int k, int s, int p)
{
	long kk = (long)c * k * k;
	long hw = (long)conv2d_out(h, k, s, p) * conv2d_out(wd, k, s, p);
	size_t g = MAX(gemm_ws_size(oc, hw, kk), gemm_ws_size(oc, kk, hw));

	g = MAX(g, gemm_ws_size(kk, hw, oc));
	return 2 * kk * hw + g + 64;
}

/* in (N,C,H,W), wp packed (OC, C*K*K), b (OC), out (N,OC,OH,OW) */
void
conv2d_forward(float *out, const float *in, const float *wp, const float *b,
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

/* dout (N,OC,OH,OW), in (N,C,H,W), wtp packed W^T (C*K*K, OC)
 * -> din (N,C,H,W) written if not NULL, dw (OC,C,K,K) and db (OC) added */
void
conv2d_backward(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *wtp, int n, int c, int h, int wd, int oc,
    int k, int s, int p, float *ws)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(wd, k, s, p);
	int kk = c * k * k, hw = oh * ow, i, o;
	size_t cs = ((size_t)kk * hw + 15) & ~(size_t)15;
	float *col = ws, *dcol = ws + cs, *gw = ws + 2 * cs;
	int direct = k == 1 && s == 1 && p == 0;

	for (i = 0; i < n; i++) {
		const float *ip = in + (size_t)i * c * h * wd;
		const float *gp = dout + (size_t)i * oc * hw;

		for (o = 0; o < oc; o++)
			db[o] += sum(gp + (size_t)o * hw, hw);
		if (!direct)
			im2col(col, ip, c, h, wd, k, s, p);
		/* dw (OC, KK) += dout (OC, HW) col^T (HW, KK) */
		gemm(oc, kk, hw, gp, hw, 1, direct ? ip : col, 1, hw, dw, kk, 1, gw);
		if (din == NULL)
			continue;
		/* dcol (KK, HW) = W^T (KK, OC) dout (OC, HW) */
		if (direct) {
			gemm_pa(kk, hw, oc, wtp, gp, hw, 1,
			    din + (size_t)i * c * h * wd, hw, 0, gw);
			continue;
		}
		gemm_pa(kk, hw, oc, wtp, gp, hw, 1, dcol, hw, 0, gw);
		col2im(din + (size_t)i * c * h * wd, dcol, c, h, wd, k, s, p);
	}
}
