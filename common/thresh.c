/* thresh: global and local thresholds of a grey image */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "thresh.h"
#include "util.h"

int
thresh_otsu(const long *hist, double *sep)
{
	double total = 0, sum = 0, wb = 0, sb = 0, best = -1, mean, var = 0;
	double between, mb, mf;
	int t, bt = 0;

	for (t = 0; t < 256; t++) {
		total += hist[t];
		sum += (double)t * hist[t];
	}
	if (total == 0) {
		if (sep)
			*sep = 0;
		return 0;
	}
	mean = sum / total;
	for (t = 0; t < 256; t++)
		var += hist[t] * (t - mean) * (t - mean);
	for (t = 0; t < 255; t++) {
		wb += hist[t];
		sb += (double)t * hist[t];
		if (wb == 0 || wb == total)
			continue;
		mb = sb / wb, mf = (sum - sb) / (total - wb);
		between = wb * (total - wb) * (mb - mf) * (mb - mf) / total;
		if (between > best)
			best = between, bt = t;
	}
	if (sep)
		*sep = var > 0 ? best / var : 0;
	return bt;
}

/* Integral images of p and of its squares, (w + 1) x (h + 1), a zero
 * row and column first. */
static void
integrals(uint32_t *is, uint64_t *iq, const unsigned char *p, int w, int h)
{
	size_t W = (size_t)w + 1;
	int x, y;

	for (y = 0; y < h; y++) {
		uint32_t rs = 0;
		uint64_t rq = 0;
		const unsigned char *row = p + (size_t)y * w;

		for (x = 0; x < w; x++) {
			rs += row[x], rq += (uint32_t)row[x] * row[x];
			is[(y + 1) * W + x + 1] = is[y * W + x + 1] + rs;
			iq[(y + 1) * W + x + 1] = iq[y * W + x + 1] + rq;
		}
	}
}

/* As the reference below, without a square root or a division a pixel:
 * with T = m (1 - k) + m k s / 128, p < T when p - m (1 - k) < 0 or its
 * square is below (m k / 128)^2 s^2. */
void
thresh_sauvola(unsigned char *mask, const unsigned char *p, int w, int h,
    int r, double k)
{
	size_t W = (size_t)w + 1;
	uint32_t *is = xcalloc(W * (h + 1), sizeof(uint32_t));
	uint64_t *iq = xcalloc(W * (h + 1), sizeof(uint64_t));
	double *inx = xmalloc((w + 1) * sizeof(double));
	int x, y, y0, y1;

	integrals(is, iq, p, w, h);
	for (x = 0; x < w; x++)
		inx[x] = 1.0 / (MIN(x + r + 1, w) - MAX(x - r, 0));
	for (y = 0; y < h; y++) {
		const uint32_t *s0, *s1;
		const uint64_t *q0, *q1;
		unsigned char *out = mask + (size_t)y * w;
		const unsigned char *row = p + (size_t)y * w;
		double iny;

		y0 = MAX(y - r, 0), y1 = MIN(y + r + 1, h);
		iny = 1.0 / (y1 - y0);
		s0 = is + y0 * W, s1 = is + y1 * W;
		q0 = iq + y0 * W, q1 = iq + y1 * W;
		for (x = 0; x < w; x++) {
			int x0 = MAX(x - r, 0), x1 = MIN(x + r + 1, w);
			double in = inx[x] * iny;
			double m = (double)(s1[x1] - s0[x1] - s1[x0] + s0[x0]) * in;
			double v = (double)(q1[x1] - q0[x1] - q1[x0] + q0[x0]) * in -
			    m * m;
			double a = row[x] - m * (1 - k), c = m * k / 128;

			out[x] = a < 0 || a * a < c * c * v ? 255 : 0;
		}
	}
	free(is);
	free(iq);
	free(inx);
}

void
thresh_sauvola_ref(unsigned char *mask, const unsigned char *p, int w, int h,
    int r, double k)
{
	int x, y, i, j;
	double n, m, s, sum, sq, v;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			sum = sq = n = 0;
			for (j = MAX(y - r, 0); j < MIN(y + r + 1, h); j++)
				for (i = MAX(x - r, 0); i < MIN(x + r + 1, w); i++) {
					v = p[(size_t)j * w + i];
					sum += v, sq += v * v, n++;
				}
			m = sum / n;
			s = sqrt(MAX(sq / n - m * m, 0));
			mask[(size_t)y * w + x] = p[(size_t)y * w + x] <
			    m * (1 + k * (s / 128 - 1)) ? 255 : 0;
		}
}
