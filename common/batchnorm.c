/* batchnorm: batch normalisation over the channels of (N,C,HW) */
#include <math.h>
#include <stdlib.h>

#include "batchnorm.h"
#include "util.h"

/* Sum of x and of x*x over n values; the simd reduction lets the compiler
 * add in vector lanes (a different order than one running sum). */
VECTOR_CLONES static void
sum2(const float *x, int n, float *s, float *q)
{
	float a = 0, b = 0;
	int j;

#pragma omp simd reduction(+:a, b)
	for (j = 0; j < n; j++) {
		a += x[j];
		b += x[j] * x[j];
	}
	*s = a, *q = b;
}

/* Sum of g and of g*(x-m) over n values, the same way. */
VECTOR_CLONES static void
sum2g(const float *g, const float *x, float m, int n, float *s, float *q)
{
	float a = 0, b = 0;
	int j;

#pragma omp simd reduction(+:a, b)
	for (j = 0; j < n; j++) {
		a += g[j];
		b += g[j] * (x[j] - m);
	}
	*s = a, *q = b;
}

/* in (N,C,HW) -> sum, sumsq (C) added to */
void
batchnorm_sums(double *sum, double *sumsq, const float *in, int n, int c,
    int hw)
{
	int i, ch;

	for (i = 0; i < n; i++)
		for (ch = 0; ch < c; ch++) {
			float s, q;

			sum2(in + ((size_t)i * c + ch) * hw, hw, &s, &q);
			sum[ch] += s;
			sumsq[ch] += q;
		}
}

void
batchnorm_stats(float *mean, float *invstd, const double *sum,
    const double *sumsq, long count, int c)
{
	int ch;

	for (ch = 0; ch < c; ch++) {
		double m = sum[ch] / count, v = sumsq[ch] / count - m * m;

		mean[ch] = (float)m;
		invstd[ch] = (float)(1.0 / sqrt(MAX(v, 0.0) + BN_EPS));
	}
}

/* in, out (N,C,HW) may alias; scale, shift (C) */
VECTOR_CLONES void
batchnorm_apply(float *out, const float *in, const float *scale,
    const float *shift, int n, int c, int hw)
{
	int i, ch, j;

	for (i = 0; i < n; i++)
		for (ch = 0; ch < c; ch++) {
			const float *x = in + ((size_t)i * c + ch) * hw;
			float *y = out + ((size_t)i * c + ch) * hw;
			float a = scale[ch], b = shift[ch];

#pragma omp simd
			for (j = 0; j < hw; j++)
				y[j] = x[j] * a + b;
		}
}

/* dout, in (N,C,HW) -> dsum = sum dout, dxsum = sum dout (x - mean), added */
void
batchnorm_bsums(double *dsum, double *dxsum, const float *dout,
    const float *in, const float *mean, int n, int c, int hw)
{
	int i, ch;

	for (i = 0; i < n; i++)
		for (ch = 0; ch < c; ch++) {
			float s, q;

			sum2g(dout + ((size_t)i * c + ch) * hw,
			    in + ((size_t)i * c + ch) * hw, mean[ch], hw, &s, &q);
			dsum[ch] += s;
			dxsum[ch] += q;
		}
}

/* din = gamma invstd (dout - dsum/count - xhat invstd dxsum/count) */
VECTOR_CLONES void
batchnorm_bapply(float *din, const float *dout, const float *in,
    const float *gamma, const float *mean, const float *invstd,
    const double *dsum, const double *dxsum, long count, int n, int c, int hw)
{
	int i, ch, j;

	for (i = 0; i < n; i++)
		for (ch = 0; ch < c; ch++) {
			const float *x = in + ((size_t)i * c + ch) * hw;
			const float *g = dout + ((size_t)i * c + ch) * hw;
			float *d = din + ((size_t)i * c + ch) * hw;
			float is = invstd[ch], m = mean[ch];
			float a = gamma[ch] * is;
			float gm = (float)(dsum[ch] / count);
			float k = (float)(dxsum[ch] / count) * is * is;

#pragma omp simd
			for (j = 0; j < hw; j++)
				d[j] = a * (g[j] - gm - (x[j] - m) * k);
		}
}

/* in, out (N,C,HW); gamma, beta, mean, invstd (C) */
void
batchnorm_forward(float *out, const float *in, const float *gamma,
    const float *beta, float *mean, float *invstd, int n, int c, int hw)
{
	double *sum = xcalloc(2 * c, sizeof(double)), *sumsq = sum + c;
	float *scale = xmalloc(2 * c * sizeof(float)), *shift = scale + c;
	int ch;

	batchnorm_sums(sum, sumsq, in, n, c, hw);
	batchnorm_stats(mean, invstd, sum, sumsq, (long)n * hw, c);
	for (ch = 0; ch < c; ch++) {
		scale[ch] = gamma[ch] * invstd[ch];
		shift[ch] = beta[ch] - mean[ch] * scale[ch];
	}
	batchnorm_apply(out, in, scale, shift, n, c, hw);
	free(sum);
	free(scale);
}

/* dout, in (N,C,HW) -> din (N,C,HW) written, dgamma, dbeta (C) added */
void
batchnorm_backward(float *din, float *dgamma, float *dbeta, const float *dout,
    const float *in, const float *gamma, const float *mean,
    const float *invstd, int n, int c, int hw)
{
	double *dsum = xcalloc(2 * c, sizeof(double)), *dxsum = dsum + c;
	int ch;

	batchnorm_bsums(dsum, dxsum, dout, in, mean, n, c, hw);
	for (ch = 0; ch < c; ch++) {
		dbeta[ch] += (float)dsum[ch];
		dgamma[ch] += (float)(dxsum[ch] * invstd[ch]);
	}
	batchnorm_bapply(din, dout, in, gamma, mean, invstd, dsum, dxsum,
	    (long)n * hw, n, c, hw);
	free(dsum);
}
