/* gemm: packing, the macro-kernel and the portable micro-kernel */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "util.h"

#define GEN_MR 4
#define GEN_NR 16
#define GEN_DM 4
#define GEN_DN 4

/* Portable micro-kernels: plain loops the compiler vectorises. */
static void
kern_generic(int k, const float *a, const float *b, const int *off, float *c,
    int ldc, int m, int n, int add)
{
	float acc[GEN_MR][GEN_NR];
	const float *bp;
	int i, j, p;

	memset(acc, 0, sizeof(acc));
	for (p = 0; p < k; p++) {
		bp = b + off[p];
		for (i = 0; i < GEN_MR; i++)
			for (j = 0; j < GEN_NR; j++)
				acc[i][j] += a[i] * bp[j];
		a += GEN_MR;
	}
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			c[(long)i * ldc + j] = add ? c[(long)i * ldc + j] + acc[i][j]
			    : acc[i][j];
}

static void
dot_generic(int k, const float *a, long lda, const float *b, const int *boff,
    float *c, int ldc, int m, int n)
{
	float acc[GEN_DM][GEN_DN][8];
	int i, j, q, l;

	memset(acc, 0, sizeof(acc));
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			for (q = 0; q < k; q += 8)
				for (l = 0; l < 8; l++)
					acc[i][j][l] += a[i * lda + q + l] * b[boff[j] + q + l];
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			for (l = 0; l < 8; l++)
				c[(long)i * ldc + j] += acc[i][j][l];
}

static int
always(void)
{
	return 1;
}

const struct gemm_kernel gemm_generic = { "generic", GEN_MR, GEN_NR,
    kern_generic, GEN_DM, GEN_DN, 8, dot_generic, always };

const struct gemm_kernel *const gemm_kernels[] = {
	&gemm_avx512, &gemm_avx2, &gemm_generic, NULL
};

static const struct gemm_kernel *cur;

int
gemm_select(const char *name)
{
	int i;

	for (i = 0; gemm_kernels[i]; i++)
		if (strcmp(gemm_kernels[i]->name, name) == 0 &&
		    gemm_kernels[i]->usable()) {
			cur = gemm_kernels[i];
			return 0;
		}
	return -1;
}

const struct gemm_kernel *
gemm_kernel(void)
{
	const char *env;
	int i;

	if (cur)
		return cur;
	if ((env = getenv("DIGITPIPE_KERNEL")) && *env) {
		if (gemm_select(env) == 0)
			return cur;
		warnx("DIGITPIPE_KERNEL=%s: no such kernel, or this CPU lacks it",
		    env);
	}
	for (i = 0; gemm_kernels[i]; i++)
		if (gemm_kernels[i]->usable())
			break;
	cur = gemm_kernels[i];
	return cur;
}

int
gemm_kblock(int k, int p0)
{
	int nb = (k + GEMM_KC - 1) / GEMM_KC, kc = (k + nb - 1) / nb;

	return MIN(kc, k - p0);
}

size_t
gemm_apack_size(int m, int k)
{
	int mr = gemm_kernel()->mr;

	return (size_t)(m + mr - 1) / mr * mr * k;
}

size_t
gemm_bpack_size(int k, int n)
{
	int nr = gemm_kernel()->nr;

	return (size_t)(n + nr - 1) / nr * nr * k;
}

void
gemm_pack_a(float *ap, const float *a, long rs, long cs, int m, int k)
{
	int mr = gemm_kernel()->mr;
	int i0, i, p, mm;

	for (i0 = 0; i0 < m; i0 += mr) {
		mm = MIN(mr, m - i0);
		for (p = 0; p < k; p++) {
			for (i = 0; i < mm; i++)
				ap[i] = a[(i0 + i) * rs + p * cs];
			for (; i < mr; i++)
				ap[i] = 0;
			ap += mr;
		}
	}
}

void
gemm_pack_b(float *bp, const float *b, long rs, long cs, int k, int n)
{
	int nr = gemm_kernel()->nr;
	int j0, j, p, nn;

	for (j0 = 0; j0 < n; j0 += nr) {
		nn = MIN(nr, n - j0);
		for (p = 0; p < k; p++) {
			const float *row = b + p * rs + j0 * cs;

			if (cs == 1) {
				memcpy(bp, row, nn * sizeof(float));
				j = nn;
			} else
				for (j = 0; j < nn; j++)
					bp[j] = row[j * cs];
			for (; j < nr; j++)
				bp[j] = 0;
			bp += nr;
		}
	}
}

void
gemm_macro(int m, int n, int k, const float *ap, const float *bp, float *c,
    int ldc, int add)
{
	const struct gemm_kernel *kn = gemm_kernel();
	int mr = kn->mr, nr = kn->nr;
	int off[GEMM_KC], i, j;

	for (i = 0; i < k; i++)
		off[i] = i * nr;
	for (j = 0; j < n; j += nr)
		for (i = 0; i < m; i += mr)
			kn->fn(k, ap + (long)i * k, bp + (long)j * k, off,
			    c + (long)i * ldc + j, ldc, MIN(mr, m - i),
			    MIN(nr, n - j), add);
}

void
gemm_shift(int m, int n, int k, const float *ap, const float *b,
    const int *off, float *c, int ldc, int add)
{
	const struct gemm_kernel *kn = gemm_kernel();
	int mr = kn->mr, nr = kn->nr, p0, kc, i, j;

	for (p0 = 0; p0 < k; p0 += kc) {
		kc = gemm_kblock(k, p0);
		for (j = 0; j < n; j += nr)
			for (i = 0; i < m; i += mr)
				kn->fn(kc, ap + (long)i * kc, b + j, off + p0,
				    c + (long)i * ldc + j, ldc, MIN(mr, m - i),
				    MIN(nr, n - j), add || p0 > 0);
		ap += gemm_apack_size(m, kc);
	}
}

void
gemm_dot(int m, int n, int k, const float *a, long lda, const float *b,
    const int *boff, float *c, int ldc)
{
	const struct gemm_kernel *kn = gemm_kernel();
	int i, j;

	for (i = 0; i < m; i += kn->dm)
		for (j = 0; j < n; j += kn->dn)
			kn->dot(k, a + i * lda, lda, b, boff + j, c + (long)i * ldc + j,
			    ldc, MIN(kn->dm, m - i), MIN(kn->dn, n - j));
}

size_t
gemm_ws_size(int m, int n, int k)
{
	int kc = gemm_kblock(k, 0);

	return gemm_apack_size(m, kc) + gemm_bpack_size(kc, n) + 64;
}

void
gemm(int m, int n, int k, const float *a, long ars, long acs, const float *b,
    long brs, long bcs, float *c, int ldc, int add, float *ws)
{
	int p0, kc;
	float *ap, *bp;

	if (k == 0) {
		if (!add)
			for (int i = 0; i < m; i++)
				memset(c + (long)i * ldc, 0, n * sizeof(float));
		return;
	}
	ap = ws;
	bp = ws + ((gemm_apack_size(m, gemm_kblock(k, 0)) + 15) & ~(size_t)15);
	for (p0 = 0; p0 < k; p0 += kc) {
		kc = gemm_kblock(k, p0);
		gemm_pack_a(ap, a + p0 * acs, ars, acs, m, kc);
		gemm_pack_b(bp, b + p0 * brs, brs, bcs, kc, n);
		gemm_macro(m, n, kc, ap, bp, c, ldc, add || p0 > 0);
	}
}

size_t
gemm_apack_full_size(int m, int k)
{
	return gemm_apack_size(m, k);
}

void
gemm_pack_a_full(float *ap, const float *a, long rs, long cs, int m, int k)
{
	int p0, kc;

	for (p0 = 0; p0 < k; p0 += kc) {
		kc = gemm_kblock(k, p0);
		gemm_pack_a(ap, a + p0 * cs, rs, cs, m, kc);
		ap += gemm_apack_size(m, kc);
	}
}

void
gemm_pa(int m, int n, int k, const float *ap, const float *b, long brs,
    long bcs, float *c, int ldc, int add, float *ws)
{
	int p0, kc;

	if (k == 0) {
		if (!add)
			for (int i = 0; i < m; i++)
				memset(c + (long)i * ldc, 0, n * sizeof(float));
		return;
	}
	for (p0 = 0; p0 < k; p0 += kc) {
		kc = gemm_kblock(k, p0);
		gemm_pack_b(ws, b + p0 * brs, brs, bcs, kc, n);
		gemm_macro(m, n, kc, ap, ws, c, ldc, add || p0 > 0);
		ap += gemm_apack_size(m, kc);
	}
}

void
gemm_ref(int m, int n, int k, const float *a, long ars, long acs,
    const float *b, long brs, long bcs, float *c, int ldc, int add)
{
	int i, j, p;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			double s = add ? c[(long)i * ldc + j] : 0;

			for (p = 0; p < k; p++)
				s += (double)a[i * ars + p * acs] * b[p * brs + j * bcs];
			c[(long)i * ldc + j] = (float)s;
		}
}
