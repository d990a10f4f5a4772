/* batchnorm: batch normalisation over the channels of (N,C,HW) */
#ifndef BATCHNORM_H
#define BATCHNORM_H

#define BN_EPS 1e-5f

/* Whole batch, for training.  in, out (N,C,HW); gamma, beta (C);
 * mean and invstd (C) are the batch statistics, written for backward. */
void batchnorm_forward(float *out, const float *in, const float *gamma,
    const float *beta, float *mean, float *invstd, int n, int c, int hw);
/* din written; dgamma, dbeta added to. */
void batchnorm_backward(float *din, float *dgamma, float *dbeta,
    const float *dout, const float *in, const float *gamma, const float *mean,
    const float *invstd, int n, int c, int hw);

/* The same in steps, so that the images of a batch can be spread over
 * threads: sums over a part of the batch are added into sum and sumsq,
 * the statistics follow from all parts, then each part is transformed. */
void batchnorm_sums(double *sum, double *sumsq, const float *in, int n,
    int c, int hw);
void batchnorm_stats(float *mean, float *invstd, const double *sum,
    const double *sumsq, long count, int c);
/* out = in * scale + shift per channel (inference folds to this too). */
void batchnorm_apply(float *out, const float *in, const float *scale,
    const float *shift, int n, int c, int hw);
void batchnorm_bsums(double *dsum, double *dxsum, const float *dout,
    const float *in, const float *mean, int n, int c, int hw);
void batchnorm_bapply(float *din, const float *dout, const float *in,
    const float *gamma, const float *mean, const float *invstd,
    const double *dsum, const double *dxsum, long count, int n, int c, int hw);

#endif
