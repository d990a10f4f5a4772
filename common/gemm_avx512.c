/* gemm_avx512: the AVX-512 micro-kernel, 8 rows x 32 columns: 16 zmm
 * accumulators, each A value broadcast from memory into two FMAs */
#include <string.h>

#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MR 8
#define NV 2
#define NR (16 * NV)

__attribute__((target("avx512f,fma")))
static void
kern_avx512(int k, const float *a, const float *b, float *c, int ldc,
    int m, int n, int add)
{
	__m512 acc[MR][NV], bv[NV], av;
	float tile[MR * NR] __attribute__((aligned(64)));
	float *t;
	int i, j, p, full = m == MR && n == NR;

#pragma GCC unroll 8
	for (i = 0; i < MR; i++)
		for (j = 0; j < NV; j++)
			acc[i][j] = _mm512_setzero_ps();
	for (p = 0; p < k; p++) {
		for (j = 0; j < NV; j++)
			bv[j] = _mm512_load_ps(b + 16 * j);
#pragma GCC unroll 8
		for (i = 0; i < MR; i++) {
			av = _mm512_set1_ps(a[i]);
			for (j = 0; j < NV; j++)
				acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
		}
		a += MR;
		b += NR;
	}
	if (full) {
#pragma GCC unroll 8
		for (i = 0; i < MR; i++)
			for (j = 0; j < NV; j++) {
				float *cp = c + (long)i * ldc + 16 * j;

				if (add)
					acc[i][j] = _mm512_add_ps(acc[i][j],
					    _mm512_loadu_ps(cp));
				_mm512_storeu_ps(cp, acc[i][j]);
			}
		return;
	}
	for (i = 0; i < MR; i++)
		for (j = 0; j < NV; j++)
			_mm512_store_ps(tile + i * NR + 16 * j, acc[i][j]);
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
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

const struct gemm_kernel gemm_avx512 = { "avx512", MR, NR, kern_avx512, usable };

#else

static int
never(void)
{
	return 0;
}

const struct gemm_kernel gemm_avx512 = { "avx512", 1, 1, NULL, never };

#endif
