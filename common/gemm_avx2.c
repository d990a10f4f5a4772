/* gemm_avx2: the AVX2+FMA micro-kernels.  The product kernel computes
 * 6 rows x 16 columns: 12 ymm accumulators, two B vectors and one
 * broadcast in the 16 registers; the dot kernel 3 x 4 dot products. */
#include <string.h>

#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MR 6
#define NV 2
#define NR (8 * NV)
#define DM 3
#define DN 4

__attribute__((target("avx2,fma")))
static void
kern_avx2(int k, const float *a, const float *b, const int *off, float *c,
    int ldc, int m, int n, int add)
{
	__m256 acc[MR][NV], bv[NV], av;
	float tile[MR * NR] __attribute__((aligned(32)));
	const float *bp;
	float *t;
	int i, j, p;

#pragma GCC unroll 8
	for (i = 0; i < MR; i++)
		for (j = 0; j < NV; j++)
			acc[i][j] = _mm256_setzero_ps();
	for (p = 0; p < k; p++) {
		bp = b + off[p];
		for (j = 0; j < NV; j++)
			bv[j] = _mm256_loadu_ps(bp + 8 * j);
#pragma GCC unroll 8
		for (i = 0; i < MR; i++) {
			av = _mm256_broadcast_ss(a + i);
			for (j = 0; j < NV; j++)
				acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);
		}
		a += MR;
	}
	if (m == MR && n == NR) {
#pragma GCC unroll 8
		for (i = 0; i < MR; i++)
			for (j = 0; j < NV; j++) {
				float *cp = c + (long)i * ldc + 8 * j;

				if (add)
					acc[i][j] = _mm256_add_ps(acc[i][j],
					    _mm256_loadu_ps(cp));
				_mm256_storeu_ps(cp, acc[i][j]);
			}
		return;
	}
	for (i = 0; i < MR; i++)
		for (j = 0; j < NV; j++)
			_mm256_store_ps(tile + i * NR + 8 * j, acc[i][j]);
	for (i = 0; i < m; i++) {
		t = tile + i * NR;
		for (j = 0; j < n; j++)
			c[(long)i * ldc + j] = add ? c[(long)i * ldc + j] + t[j] : t[j];
	}
}

__attribute__((target("avx2,fma")))
static float
hsum(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v),
	    _mm256_extractf128_ps(v, 1));

	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma")))
static void
dot_avx2(int k, const float *a, long lda, const float *b, const int *boff,
    float *c, int ldc, int m, int n)
{
	__m256 acc[DM][DN], av[DM], bv;
	const float *ar[DM], *br[DN];
	int i, j, q;

	for (i = 0; i < DM; i++)
		ar[i] = a + (i < m ? i : 0) * lda;
	for (j = 0; j < DN; j++)
		br[j] = b + boff[j < n ? j : 0];
#pragma GCC unroll 4
	for (i = 0; i < DM; i++)
		for (j = 0; j < DN; j++)
			acc[i][j] = _mm256_setzero_ps();
	for (q = 0; q < k; q += 8) {
#pragma GCC unroll 4
		for (i = 0; i < DM; i++)
			av[i] = _mm256_loadu_ps(ar[i] + q);
#pragma GCC unroll 4
		for (j = 0; j < DN; j++) {
			bv = _mm256_loadu_ps(br[j] + q);
			for (i = 0; i < DM; i++)
				acc[i][j] = _mm256_fmadd_ps(av[i], bv, acc[i][j]);
		}
	}
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++)
			c[(long)i * ldc + j] += hsum(acc[i][j]);
}

static int
usable(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const struct gemm_kernel gemm_avx2 = { "avx2", MR, NR, kern_avx2, DM, DN, 8,
    dot_avx2, usable };

#else

static int
never(void)
{
	return 0;
}

const struct gemm_kernel gemm_avx2 = { "avx2", 1, 1, NULL, 1, 1, 1, NULL,
    never };

#endif
