/* gemm: single-precision matrix products for the layers, the way BLIS
 * builds them: operands packed into panels, a register-blocked
 * micro-kernel per instruction set, chosen at run time */
#ifndef GEMM_H
#define GEMM_H

#include <stddef.h>

/* The product micro-kernel computes an mr x nr tile of C from a packed A
 * panel (k steps of mr values) and k rows of B, row p being the nr floats
 * at b + off[p]: a packed panel (off[p] = p nr) or rows of an image shifted
 * for a direct convolution.  Only the top-left m x n of the tile is
 * stored; add: C += AB, else C = AB. */
typedef void gemm_kern_fn(int k, const float *a, const float *b,
    const int *off, float *c, int ldc, int m, int n, int add);
/* The dot micro-kernel adds to an m x n (at most dm x dn) tile of C the
 * dot products of rows a + i lda and b + boff[j], k floats long (k a
 * multiple of the kernel's dvl; pad with zeros). */
typedef void gemm_dot_fn(int k, const float *a, long lda, const float *b,
    const int *boff, float *c, int ldc, int m, int n);

struct gemm_kernel {
	const char *name;       /* "avx512", "avx2", "generic" */
	int mr, nr;
	gemm_kern_fn *fn;
	int dm, dn, dvl;
	gemm_dot_fn *dot;
	int (*usable)(void);    /* does this CPU run it? */
};

#define GEMM_DOTPAD 16          /* dot lengths padded to a multiple of this */

#define GEMM_KC 384             /* longest k block: B panels stay near */
#define GEMM_MAXNR 48

/* The kernel in use: the fastest this CPU runs, or the one named by the
 * environment variable DIGITPIPE_KERNEL (avx512, avx2, generic). */
const struct gemm_kernel *gemm_kernel(void);
/* Select a kernel by name; 0, or -1 if unknown or unusable here. */
int gemm_select(const char *name);
/* Every kernel this build has, NULL-terminated (tests compare them). */
extern const struct gemm_kernel *const gemm_kernels[];

/* Packed sizes, in floats, of an m x k A block and a k x n B block. */
size_t gemm_apack_size(int m, int k);
size_t gemm_bpack_size(int k, int n);
/* Pack the m x k block of A whose element (i, p) is a[i*rs + p*cs]. */
void gemm_pack_a(float *ap, const float *a, long rs, long cs, int m, int k);
/* Pack the k x n block of B whose element (p, j) is b[p*rs + j*cs]. */
void gemm_pack_b(float *bp, const float *b, long rs, long cs, int k, int n);
/* C (m x n, row stride ldc) = [C +] Apacked (m x k) Bpacked (k x n). */
void gemm_macro(int m, int n, int k, const float *ap, const float *bp,
    float *c, int ldc, int add);

/* The k range is cut into blocks of at most GEMM_KC, all of one size but
 * the last: the length of the block that starts at p0. */
int gemm_kblock(int k, int p0);
/* A packed whole for gemm_pa: its k range in gemm_kblock blocks, each block
 * packed as gemm_pack_a does; so a layer's weights are packed once a pass. */
size_t gemm_apack_full_size(int m, int k);
void gemm_pack_a_full(float *ap, const float *a, long rs, long cs, int m,
    int k);
/* C = [C +] A B with A packed by gemm_pack_a_full and B strided; ws holds
 * gemm_ws_size(m, n, k) floats. */
void gemm_pa(int m, int n, int k, const float *ap, const float *b, long brs,
    long bcs, float *c, int ldc, int add, float *ws);

/* C (m x n) = [C +] Apacked (as gemm_pack_a_full) B, where row p of B is
 * the n floats at b + off[p], read up to the next multiple of nr. */
void gemm_shift(int m, int n, int k, const float *ap, const float *b,
    const int *off, float *c, int ldc, int add);
/* C (m x n) += A B^T: the dot products of rows a + i lda and b + boff[j],
 * each k floats (k a multiple of GEMM_DOTPAD). */
void gemm_dot(int m, int n, int k, const float *a, long lda, const float *b,
    const int *boff, float *c, int ldc);

/* C = [C +] A B for general strided A (m x k) and B (k x n); ws holds
 * gemm_ws_size(m, n, k) floats. Transposes are strides: A^T is (cs, rs). */
size_t gemm_ws_size(int m, int n, int k);
void gemm(int m, int n, int k, const float *a, long ars, long acs,
    const float *b, long brs, long bcs, float *c, int ldc, int add, float *ws);
/* The plain reference: three loops, double accumulation. */
void gemm_ref(int m, int n, int k, const float *a, long ars, long acs,
    const float *b, long brs, long bcs, float *c, int ldc, int add);

/* Kernels, defined in gemm_*.c */
extern const struct gemm_kernel gemm_generic, gemm_avx2, gemm_avx512;

#endif
