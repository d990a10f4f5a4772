/* gemm_avx2: the AVX2+FMA micro-kernel, 6 rows x 16 columns: 12 ymm
 * accumulators, two B vectors and one broadcast in the 16 registers */
#include <string.h>

#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MR 6
#define NV 2
#define NR (8 * NV)

__attribute__((target("avx2,fma")))
static void
kern_avx2(int k, const float *a, const float *b, float *c, int ldc,
    int m, int n, int add)
{
	__m256 acc[MR][NV], bv[NV], av;
	float tile[MR * NR] __attribute__((aligned(32)));
	float *t;
	int i, j, p, full = m == MR && n == NR;

#pragma GCC unroll 8
	for (i = 0; i < MR; i++)
		for (j = 0; j < NV; j++)
			acc[i][j] = _mm256_setzero_ps();
	for (p = 0; p < k; p++) {
		for (j = 0; j < NV; j++)
			bv[j] = _mm256_load_ps(b + 8 * j);
#pragma GCC unroll 8
		for (i = 0; i < MR; i++) {
			av = _mm256_broadcast_ss(a + i);
			for (j = 0; j < NV; j++)
				acc[i][j] = _mm256_fmadd_ps(av, bv[j], acc[i][j]);
		}
		a += MR;
		b += NR;
	}
	if (full) {
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

static int
usable(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const struct gemm_kernel gemm_avx2 = { "avx2", MR, NR, kern_avx2, usable };

#else

static int
never(void)
{
	return 0;
}

const struct gemm_kernel gemm_avx2 = { "avx2", 1, 1, NULL, never };

#endif
