/* t-gemm: every micro-kernel this CPU runs against the plain reference,
 * on random shapes, strides and transposes, edges included */
#include <math.h>
#include <stdlib.h>

#include "gemm.h"
#include "rng.h"
#include "util.h"
#include "tap.h"

static struct rng R;

static double
one(int m, int n, int k, int ta, int tb, int add)
{
	float *a = xfloats((size_t)m * k), *b = xfloats((size_t)k * n);
	float *c1 = xfloats((size_t)m * (n + 3)), *c2 = xfloats((size_t)m * (n + 3));
	float *ws = xfloats(gemm_ws_size(m, n, k));
	long ars = ta ? 1 : k, acs = ta ? m : 1, brs = tb ? 1 : n, bcs = tb ? k : 1;
	double e = 0, s;
	long i;

	for (i = 0; i < (long)m * k; i++)
		a[i] = rng_range(&R, -1, 1);
	for (i = 0; i < (long)k * n; i++)
		b[i] = rng_range(&R, -1, 1);
	for (i = 0; i < (long)m * (n + 3); i++)
		c1[i] = c2[i] = rng_range(&R, -1, 1);
	gemm_ref(m, n, k, a, ars, acs, b, brs, bcs, c1, n + 3, add);
	gemm(m, n, k, a, ars, acs, b, brs, bcs, c2, n + 3, add, ws);
	for (i = 0; i < (long)m * (n + 3); i++) {
		s = fabs(c1[i] - c2[i]) / (1 + sqrt(k));
		e = fmax(e, s);
	}
	free(a), free(b), free(c1), free(c2), free(ws);
	return e;
}

int
main(void)
{
	int i, t, m, n, k, bad;
	double e, worst;

	rng_seed(&R, 9, 0);
	for (i = 0; gemm_kernels[i]; i++) {
		if (!gemm_kernels[i]->usable()) {
			printf("ok %d # skip %s: this CPU lacks it\n", ++tap_n,
			    gemm_kernels[i]->name);
			continue;
		}
		gemm_select(gemm_kernels[i]->name);
		worst = 0, bad = 0;
		for (t = 0; t < 60; t++) {
			m = 1 + (int)rng_below(&R, 70);
			n = 1 + (int)rng_below(&R, 90);
			k = 1 + (int)rng_below(&R, 600);
			e = one(m, n, k, t & 1, t >> 1 & 1, t >> 2 & 1);
			worst = fmax(worst, e);
			bad += e > 1e-5;
		}
		ok(bad == 0, "%s (%dx%d): 60 random shapes, transposes, C += "
		    "and C =, worst error %.1e", gemm_kernel()->name,
		    gemm_kernel()->mr, gemm_kernel()->nr, worst);
		e = one(128, 784, 576, 0, 0, 0);
		e = fmax(e, one(64, 288, 196, 0, 1, 1));
		e = fmax(e, one(1, 1, 1, 0, 0, 0));
		e = fmax(e, one(33, 17, 257, 1, 1, 1));
		ok(e < 1e-5, "%s: the layers' shapes and k-block edges (err %.1e)",
		    gemm_kernel()->name, e);
	}
	ok(gemm_select("no-such-kernel") < 0, "an unknown kernel is refused");
	return done_testing();
}
