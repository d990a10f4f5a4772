/* maxpool: max pooling, k x k windows, stride s, no padding (floor) */
#include <string.h>

#include "maxpool.h"

int
maxpool_out(int side, int k, int s)
{
	return (side - k) / s + 1;
}

void
maxpool_forward(float *out, int *arg, const float *in, int n, int c, int h,
    int w, int k, int s)
{
	int oh = maxpool_out(h, k, s), ow = maxpool_out(w, k, s);
	int pl, y, x, ky, kx, best, at;
	float m, v;

	for (pl = 0; pl < n * c; pl++) {
		const float *ip = in + (size_t)pl * h * w;

		for (y = 0; y < oh; y++)
			for (x = 0; x < ow; x++) {
				best = y * s * w + x * s;
				m = ip[best];
				for (ky = 0; ky < k; ky++)
					for (kx = 0; kx < k; kx++) {
						at = (y * s + ky) * w + x * s + kx;
						v = ip[at];
						if (v > m) {
							m = v;
							best = at;
						}
					}
				out[((size_t)pl * oh + y) * ow + x] = m;
				if (arg)
					arg[((size_t)pl * oh + y) * ow + x] = best;
			}
	}
}

void
maxpool_backward(float *din, const float *dout, const int *arg, int n, int c,
    int h, int w, int k, int s)
{
	int oh = maxpool_out(h, k, s), ow = maxpool_out(w, k, s);
	int pl, j;

	memset(din, 0, (size_t)n * c * h * w * sizeof(float));
	for (pl = 0; pl < n * c; pl++)
		for (j = 0; j < oh * ow; j++)
			din[(size_t)pl * h * w + arg[(size_t)pl * oh * ow + j]] +=
			    dout[(size_t)pl * oh * ow + j];
}
