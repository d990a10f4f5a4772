/* relu: max(0, x) */
#include "relu.h"

void
relu_forward(float *out, const float *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = in[i] > 0 ? in[i] : 0;
}

void
relu_backward(float *din, const float *dout, const float *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		din[i] = out[i] > 0 ? dout[i] : 0;
}
