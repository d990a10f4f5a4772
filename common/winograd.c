/* winograd: 3x3 convolutions, stride 1, padding 1, by Winograd's minimal
 * filtering F(2x2, 3x3) (Lavin and Gray, 2016).  For every 2x2 output
 * tile and input channel, the 4x4 input patch d becomes V = B^T d B and
 * the kernel g becomes U = G g G^T; the 16 sums over channels of U V are
 * 16 matrix products, and each tile's output is Y = A^T M A.
 *
 * The transforms run along long rows: a group of images is laid side by
 * side in one padded picture, each image an even number of columns after
 * the last (so tiles never straddle two), one or two zero columns between
 * them, and a row of tiles spans them all.  Outputs that fall in the gaps
 * are computed and dropped. */
#include <stdlib.h>
#include <string.h>

#include "conv2d.h"
#include "gemm.h"
#include "util.h"
#include "winograd.h"

#define TILES 256               /* tiles to aim for in one group */

struct geom {
	int c, h, w, oc, g;     /* channels, size, outputs, images */
	int stride;             /* columns from one image to the next, even */
	int pw, ph;             /* picture width and height */
	int th, tw;             /* rows of tiles, tiles per row */
	long t, tp;             /* tiles, and that padded to 16 */
};

int
winograd_ok(int c, int k, int s, int p)
{
	return k == 3 && s == 1 && p == 1 && c <= GEMM_KC;
}

static long
pad16(long x)
{
	return (x + 15) & ~15L;
}

static void
geom_init(struct geom *q, int c, int h, int wd, int oc, int g)
{
	q->c = c, q->h = h, q->w = wd, q->oc = oc, q->g = g;
	q->stride = (wd + 2) & ~1;
	q->th = (h + 1) / 2;
	q->tw = g * q->stride / 2;
	q->pw = (int)pad16(g * q->stride + 2);
	q->ph = 2 * q->th + 2;
	q->t = (long)q->th * q->tw;
	q->tp = pad16(q->t);
}

/* Images a group holds: about TILES tiles. */
static int
group(int h, int wd)
{
	int per = (h + 1) / 2 * ((wd + 2) & ~1) / 2;

	return MAX(1, MIN(64, TILES / per));
}

size_t
winograd_pack_size(int c, int oc)
{
	return 16 * gemm_apack_full_size(oc, c) + 16;
}

/* U = G g G^T for one 3x3 kernel g; G = [1 0 0; 1/2 1/2 1/2;
 * 1/2 -1/2 1/2; 0 0 1]. */
static void
kernel_transform(float u[16], const float g[9])
{
	float t[4][3];
	int j;

	for (j = 0; j < 3; j++) {
		t[0][j] = g[j];
		t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
		t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
		t[3][j] = g[6 + j];
	}
	for (j = 0; j < 4; j++) {
		u[4 * j] = t[j][0];
		u[4 * j + 1] = 0.5f * (t[j][0] + t[j][1] + t[j][2]);
		u[4 * j + 2] = 0.5f * (t[j][0] - t[j][1] + t[j][2]);
		u[4 * j + 3] = t[j][2];
	}
}

void
winograd_pack(float *up, const float *w, int c, int oc, int flip)
{
	int m = flip ? c : oc, kk = flip ? oc : c;     /* outputs, inputs */
	float *u = xmalloc((size_t)16 * m * kk * sizeof(float)), g[9], t[16];
	size_t one = gemm_apack_full_size(m, kk);
	int o, i, x;

	for (o = 0; o < m; o++)
		for (i = 0; i < kk; i++) {
			/* flipped: output o is input channel o of w, rotated */
			const float *src = flip ? w + ((size_t)i * c + o) * 9 :
			    w + ((size_t)o * c + i) * 9;

			for (x = 0; x < 9; x++)
				g[x] = flip ? src[8 - x] : src[x];
			kernel_transform(t, g);
			for (x = 0; x < 16; x++)
				u[((size_t)x * m + o) * kk + i] = t[x];
		}
	for (x = 0; x < 16; x++)
		gemm_pack_a_full(up + x * one, u + (size_t)x * m * kk, kk, 1, m, kk);
	free(u);
}

size_t
winograd_ws_size(int c, int h, int wd, int oc)
{
	struct geom q;

	geom_init(&q, c, h, wd, oc, group(h, wd));
	/* the picture, V, M, two rows of outputs, the packing of B */
	return (size_t)c * q.ph * q.pw + 16 * (size_t)(c + oc) * q.tp +
	    2 * (size_t)pad16(2 * q.tw) + gemm_ws_size(oc, (int)q.t, c) + 64;
}

/* The g images (C,H,W) into the picture: a zero row and column before
 * them, zeros between and after. */
static void
fill(float *pic, const float *in, const struct geom *q)
{
	int gi, ci, y;

	memset(pic, 0, (size_t)q->c * q->ph * q->pw * sizeof(float));
	for (gi = 0; gi < q->g; gi++)
		for (ci = 0; ci < q->c; ci++)
			for (y = 0; y < q->h; y++)
				memcpy(pic + ((size_t)ci * q->ph + y + 1) * q->pw + 1 +
				    gi * q->stride, in + (((size_t)gi * q->c + ci) * q->h +
				    y) * q->w, q->w * sizeof(float));
}

#define ROW 64                  /* tiles the transforms take at once */

/* d B along one picture row, for cnt tiles whose patches start at
 * columns 2x: r[j][x], j = 0..3, each a simple loop that vectorises. */
VECTOR_CLONES static void
row_transform(float r[4][ROW], const float *restrict d, int cnt)
{
	int x;

	for (x = 0; x < cnt; x++)
		r[0][x] = d[2 * x] - d[2 * x + 2];
	for (x = 0; x < cnt; x++)
		r[1][x] = d[2 * x + 1] + d[2 * x + 2];
	for (x = 0; x < cnt; x++)
		r[2][x] = d[2 * x + 2] - d[2 * x + 1];
	for (x = 0; x < cnt; x++)
		r[3][x] = d[2 * x + 1] - d[2 * x + 3];
}

/* V = B^T d B, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], for a row
 * of cnt tiles whose 4x4 patches start at p + 2 x: value x of tile t goes
 * to v[x * vs + t].  Rows first, then columns. */
VECTOR_CLONES static void
input_row(float *restrict v, long vs, const float *restrict p, int pw,
    int cnt)
{
	float r[4][4][ROW];
	int c0, n, i, j, x;

	for (c0 = 0; c0 < cnt; c0 += ROW) {
		n = MIN(ROW, cnt - c0);
		for (i = 0; i < 4; i++)
			row_transform(r[i], p + i * pw + 2 * c0, n);
		for (j = 0; j < 4; j++) {
			float *v0 = v + j * vs + c0, *v1 = v + (4 + j) * vs + c0;
			float *v2 = v + (8 + j) * vs + c0, *v3 = v + (12 + j) * vs + c0;

			for (x = 0; x < n; x++)
				v0[x] = r[0][j][x] - r[2][j][x];
			for (x = 0; x < n; x++)
				v1[x] = r[1][j][x] + r[2][j][x];
			for (x = 0; x < n; x++)
				v2[x] = r[2][j][x] - r[1][j][x];
			for (x = 0; x < n; x++)
				v3[x] = r[1][j][x] - r[3][j][x];
		}
	}
}

/* Y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1], for a row of cnt tiles whose
 * values are m[x * ms + t]: the tiles' top rows go to y0 (2 cnt values),
 * their bottom rows to y1.  Columns first, then rows. */
VECTOR_CLONES static void
output_row(float *restrict y0, float *restrict y1, const float *restrict m,
    long ms, int cnt)
{
	float s0[4][ROW], s1[4][ROW];
	int c0, n, j, x;

	for (c0 = 0; c0 < cnt; c0 += ROW) {
		n = MIN(ROW, cnt - c0);
		for (j = 0; j < 4; j++) {
			const float *m0 = m + j * ms + c0, *m1 = m + (4 + j) * ms + c0;
			const float *m2 = m + (8 + j) * ms + c0;
			const float *m3 = m + (12 + j) * ms + c0;

			for (x = 0; x < n; x++)
				s0[j][x] = m0[x] + m1[x] + m2[x];
			for (x = 0; x < n; x++)
				s1[j][x] = m1[x] - m2[x] - m3[x];
		}
		for (x = 0; x < n; x++) {
			y0[2 * (c0 + x)] = s0[0][x] + s0[1][x] + s0[2][x];
			y0[2 * (c0 + x) + 1] = s0[1][x] - s0[2][x] - s0[3][x];
			y1[2 * (c0 + x)] = s1[0][x] + s1[1][x] + s1[2][x];
			y1[2 * (c0 + x) + 1] = s1[1][x] - s1[2][x] - s1[3][x];
		}
	}
}

/* The outputs of a group (images i0..) from its 16 products M. */
static void
output(float *out, const float *M, float *y, const struct geom *q, int i0,
    const float *b, int relu, int pool)
{
	float *y0 = y, *y1 = y + pad16(2 * q->tw), bo;
	int o, ty, gi, oh = pool ? q->h / 2 : q->h, ow = pool ? q->w / 2 : q->w;
	float *dst;

	for (o = 0; o < q->oc; o++) {
		bo = b ? b[o] : 0;
		for (ty = 0; ty < q->th; ty++) {
			output_row(y0, y1, M + o * q->tp + (long)ty * q->tw,
			    q->oc * q->tp, q->tw);
			for (gi = 0; gi < q->g; gi++) {
				dst = out + (((size_t)(i0 + gi) * q->oc + o) * oh) * ow;
				if (pool && ty < oh)
					conv2d_row_pool(dst + (size_t)ty * ow, y0 + gi * q->stride,
					    y1 + gi * q->stride, ow, bo);
				if (pool)
					continue;
				conv2d_row(dst + (size_t)2 * ty * ow, y0 + gi * q->stride,
				    ow, bo, relu);
				if (2 * ty + 1 < q->h)
					conv2d_row(dst + (size_t)(2 * ty + 1) * ow,
					    y1 + gi * q->stride, ow, bo, relu);
			}
		}
	}
}

void
winograd_forward(float *out, const float *in, const float *up,
    const float *b, int n, int c, int h, int wd, int oc, int relu, int pool,
    float *ws)
{
	int G = group(h, wd), i0, ci, ty, x;
	size_t one = gemm_apack_full_size(oc, c);
	struct geom q;
	float *pic, *V, *M, *y, *gw;

	for (i0 = 0; i0 < n; i0 += G) {
		geom_init(&q, c, h, wd, oc, MIN(G, n - i0));
		pic = ws;
		V = pic + (size_t)c * q.ph * q.pw;
		M = V + 16 * (size_t)c * q.tp;
		y = M + 16 * (size_t)oc * q.tp;
		gw = y + 2 * pad16(2 * q.tw);
		fill(pic, in + (size_t)i0 * c * h * wd, &q);
		for (ci = 0; ci < c; ci++)
			for (ty = 0; ty < q.th; ty++)
				input_row(V + ci * q.tp + (long)ty * q.tw, c * q.tp,
				    pic + ((size_t)ci * q.ph + 2 * ty) * q.pw, q.pw, q.tw);
		for (x = 0; x < 16; x++)
			gemm_pa(oc, (int)q.t, c, up + x * one, V + (size_t)x * c * q.tp,
			    q.tp, 1, M + (size_t)x * oc * q.tp, (int)q.tp, 0, gw);
		output(out, M, y, &q, i0, b, relu, pool);
	}
}
