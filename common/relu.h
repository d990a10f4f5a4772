/* relu: max(0, x) */
#ifndef RELU_H
#define RELU_H

#include <stddef.h>

/* in, out (n) may alias */
void relu_forward(float *out, const float *in, size_t n);
/* din (n) = dout where out > 0, else 0; din may alias dout */
void relu_backward(float *din, const float *dout, const float *out, size_t n);

#endif
