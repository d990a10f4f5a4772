/* relu: max(0, x) */
#include "relu.h"
#include "util.h"

/* Plain selects, no branches: both loops vectorise, also in place
 * (the simd pragma tells the compiler that element i touches only i). */
VECTOR_CLONES void
relu_forward(float *out, const float *in, size_t n)
{
	size_t i;

#pragma omp simd
	for (i = 0; i < n; i++)
		out[i] = in[i] > 0 ? in[i] : 0.0f;
}

VECTOR_CLONES void
relu_backward(float *din, const float *dout, const float *out, size_t n)
{
	size_t i;

#pragma omp simd
	for (i = 0; i < n; i++) {
		float g = dout[i];      /* loaded always: a select, no branch */

		din[i] = out[i] > 0 ? g : 0.0f;
	}
}
