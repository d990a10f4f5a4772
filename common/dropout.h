/* dropout: zero a fraction of the activations while training */
#ifndef DROPOUT_H
#define DROPOUT_H

#include <stddef.h>

#include "rng.h"

/* out = in * mask, mask (n) = 0 with probability rate, else 1/(1-rate);
 * out may alias in. */
void dropout_forward(float *out, float *mask, const float *in, size_t n,
    float rate, struct rng *r);
/* din = dout * mask; din may alias dout */
void dropout_backward(float *din, const float *dout, const float *mask,
    size_t n);

#endif
