/* dropout: zero a fraction of the activations while training */
#include "dropout.h"
#include "util.h"

void
dropout_forward(float *out, float *mask, const float *in, size_t n,
    float rate, struct rng *r)
{
	float keep = 1.0f / (1.0f - rate);
	size_t i;

	for (i = 0; i < n; i++) {
		mask[i] = rng_uniform(r) < rate ? 0.0f : keep;
		out[i] = in[i] * mask[i];
	}
}

VECTOR_CLONES void
dropout_backward(float *din, const float *dout, const float *mask, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		din[i] = dout[i] * mask[i];
}
