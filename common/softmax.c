/* softmax: class probabilities and the cross-entropy loss */
#include <math.h>

#include "softmax.h"

void
softmax_forward(float *prob, const float *logits, int n, int k)
{
	int i, j;

	for (i = 0; i < n; i++) {
		const float *z = logits + (long)i * k;
		float *p = prob + (long)i * k, m = z[0];
		double s = 0;

		for (j = 1; j < k; j++)
			if (z[j] > m)
				m = z[j];
		for (j = 0; j < k; j++) {
			p[j] = expf(z[j] - m);
			s += p[j];
		}
		for (j = 0; j < k; j++)
			p[j] = (float)(p[j] / s);
	}
}

double
softmax_xent(float *dlogits, const float *prob, const unsigned char *labels,
    int n, int k, float eps, float scale)
{
	double loss = 0;
	int i, j;

	for (i = 0; i < n; i++) {
		const float *p = prob + (long)i * k;
		float *d = dlogits + (long)i * k;

		for (j = 0; j < k; j++) {
			float t = eps / k + (j == labels[i] ? 1 - eps : 0);

			if (t > 0)
				loss -= t * log(fmax(p[j], 1e-30));
			d[j] = scale * (p[j] - t);
		}
	}
	return loss;
}
