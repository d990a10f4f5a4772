/* maxpool: max pooling, k x k windows, stride s, no padding (floor) */
#include <string.h>

#include "maxpool.h"
#include "util.h"

int
maxpool_out(int side, int k, int s)
{
	return (side - k) / s + 1;
}

/* The common 2x2 window, stride 2, without branches; ties go to the
 * first maximum in row order, as in the general loop. */
VECTOR_CLONES static void
pool2(float *restrict out, int *restrict arg, const float *restrict ip, int w,
    int oh, int ow)
{
	const float *r0, *r1;
	float a, b, c, d, m1, m2;
	int y, x, i0, i1, i2;

	for (y = 0; y < oh; y++) {
		r0 = ip + 2 * y * w, r1 = r0 + w;
		for (x = 0; x < ow; x++) {
			a = r0[2 * x], b = r0[2 * x + 1];
			c = r1[2 * x], d = r1[2 * x + 1];
			i0 = 2 * y * w + 2 * x;
			m1 = b > a ? b : a;
			i1 = b > a ? i0 + 1 : i0;
			m2 = d > c ? d : c;
			i2 = d > c ? i0 + w + 1 : i0 + w;
			out[y * ow + x] = m2 > m1 ? m2 : m1;
			arg[y * ow + x] = m2 > m1 ? i2 : i1;
		}
	}
}

/* The same without the arguments of the maxima (inference): plain
 * selects over pairs, which vectorise. */
VECTOR_CLONES static void
pool2max(float *out, const float *ip, int w, int oh, int ow)
{
	const float *r0, *r1;
	float a, b;
	int y, x;

	for (y = 0; y < oh; y++) {
		r0 = ip + 2 * y * w, r1 = r0 + w;
		for (x = 0; x < ow; x++) {
			a = r0[2 * x] > r0[2 * x + 1] ? r0[2 * x] : r0[2 * x + 1];
			b = r1[2 * x] > r1[2 * x + 1] ? r1[2 * x] : r1[2 * x + 1];
			out[y * ow + x] = a > b ? a : b;
		}
	}
}

void
maxpool_forward(float *out, int *arg, const float *in, int n, int c, int h,
    int w, int k, int s)
{
	int oh = maxpool_out(h, k, s), ow = maxpool_out(w, k, s);
	int pl, y, x, ky, kx, best, at;
	float m, v;

	if (k == 2 && s == 2 && arg == NULL) {
		for (pl = 0; pl < n * c; pl++)
			pool2max(out + (size_t)pl * oh * ow, in + (size_t)pl * h * w,
			    w, oh, ow);
		return;
	}
	if (k == 2 && s == 2) {
		for (pl = 0; pl < n * c; pl++)
			pool2(out + (size_t)pl * oh * ow, arg + (size_t)pl * oh * ow,
			    in + (size_t)pl * h * w, w, oh, ow);
		return;
	}
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

VECTOR_CLONES void
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
