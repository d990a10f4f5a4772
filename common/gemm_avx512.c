/* gemm_avx512: the AVX-512 micro-kernels.  The product kernel computes
 * 8 rows x 32 columns in 16 zmm accumulators, each A value broadcast into
 * two FMAs; the dot kernel 4 x 6 dot products along 16-float vectors. */
#include <string.h>

#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MR 8
#define NV 2
#define NR (16 * NV)
#define DM 4
#define DN 6

__attribute__((target("avx512f,fma")))
static void
kern_avx512(int k, const float *a, const float *b, const int *off, float *c,
    int ldc, int m, int n, int add)
{
	__m512 acc[MR][NV], bv[NV], av;
	__mmask16 mask[NV];
	const float *bp;
	int i, j, p;

#pragma GCC unroll 8
	for (i = 0; i < MR; i++)
		for (j = 0; j < NV; j++)
			acc[i][j] = _mm512_setzero_ps();
	for (p = 0; p < k; p++) {
		bp = b + off[p];
		for (j = 0; j < NV; j++)
			bv[j] = _mm512_loadu_ps(bp + 16 * j);
#pragma GCC unroll 8
		for (i = 0; i < MR; i++) {
			av = _mm512_set1_ps(a[i]);
			for (j = 0; j < NV; j++)
				acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
		}
		a += MR;
	}
	/* rows past m are not stored, columns past n are masked off */
	for (j = 0; j < NV; j++)
		mask[j] = n - 16 * j >= 16 ? 0xffff : n <= 16 * j ? 0 :
		    (__mmask16)((1u << (n - 16 * j)) - 1);
#pragma GCC unroll 8
	for (i = 0; i < MR; i++) {
		if (i >= m)
			break;
		for (j = 0; j < NV; j++) {
			float *cp = c + (long)i * ldc + 16 * j;

			if (add)
				acc[i][j] = _mm512_add_ps(acc[i][j],
				    _mm512_maskz_loadu_ps(mask[j], cp));
			_mm512_mask_storeu_ps(cp, mask[j], acc[i][j]);
		}
	}
}

__attribute__((target("avx512f,fma")))
static void
dot_avx512(int k, const float *a, long lda, const float *b, const int *boff,
    float *c, int ldc, int m, int n)
{
	__m512 acc[DM][DN], av[DM], bv;
	const float *ar[DM], *br[DN];
	int i, j, q;

	for (i = 0; i < DM; i++)
		ar[i] = a + (i < m ? i : 0) * lda;
	for (j = 0; j < DN; j++)
		br[j] = b + boff[j < n ? j : 0];
#pragma GCC unroll 6
	for (i = 0; i < DM; i++)
		for (j = 0; j < DN; j++)
			acc[i][j] = _mm512_setzero_ps();
	for (q = 0; q < k; q += 16) {
#pragma GCC unroll 4
		for (i = 0; i < DM; i++)
			av[i] = _mm512_loadu_ps(ar[i] + q);
#pragma GCC unroll 6
		for (j = 0; j < DN; j++) {
			bv = _mm512_loadu_ps(br[j] + q);
			for (i = 0; i < DM; i++)
				acc[i][j] = _mm512_fmadd_ps(av[i], bv, acc[i][j]);
		}
	}
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			c[(long)i * ldc + j] += _mm512_reduce_add_ps(acc[i][j]);
}

static int
usable(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

const struct gemm_kernel gemm_avx512 = { "avx512", MR, NR, kern_avx512,
    DM, DN, 16, dot_avx512, usable };

#else

static int
never(void)
{
	return 0;
}

const struct gemm_kernel gemm_avx512 = { "avx512", 1, 1, NULL, 1, 1, 1, NULL,
    never };

#endif
