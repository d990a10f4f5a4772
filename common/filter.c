/* filter: whole-image operations on 8-bit grey rasters: area-averaging
 * resize, box blur, min and max filters, histograms */
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "util.h"

/* The source spans [x0, x1) in source pixels for each destination pixel
 * along one axis: the first pixel, its weight, then whole pixels, then
 * the last pixel's weight. */
struct span {
	int first, count;       /* source pixels touched */
	float *w;               /* their weights, summing to 1 */
};

static struct span *
spans(int dn, int sn, float **wbuf)
{
	struct span *s = xmalloc(dn * sizeof(*s));
	double scale = (double)sn / dn, x0, x1;
	int i, j, n = 0;
	float *w;

	*wbuf = w = xmalloc(((size_t)sn + 2 * dn + 2) * sizeof(float));
	for (i = 0; i < dn; i++) {
		x0 = i * scale, x1 = (i + 1) * scale;
		s[i].first = (int)x0;
		s[i].count = MIN(sn, (int)x1 + (x1 > (int)x1)) - s[i].first;
		s[i].w = w + n;
		for (j = 0; j < s[i].count; j++) {
			double a = MAX(x0, s[i].first + j), b = MIN(x1, s[i].first + j + 1);

			w[n++] = (float)((b - a) / (x1 - x0));
		}
	}
	return s;
}

void
filter_resize(unsigned char *dst, int dw, int dh, const unsigned char *src,
    int sw, int sh)
{
	float *wx, *wy, *row = xmalloc((size_t)dw * sizeof(float));
	struct span *sx = spans(dw, sw, &wx), *sy = spans(dh, sh, &wy);
	int x, y, j, k;

	for (y = 0; y < dh; y++) {
		memset(row, 0, dw * sizeof(float));
		for (j = 0; j < sy[y].count; j++) {
			const unsigned char *s = src + (size_t)(sy[y].first + j) * sw;
			float wyj = sy[y].w[j];

			for (x = 0; x < dw; x++) {
				float v = 0;

				for (k = 0; k < sx[x].count; k++)
					v += sx[x].w[k] * s[sx[x].first + k];
				row[x] += wyj * v;
			}
		}
		for (x = 0; x < dw; x++)
			dst[(size_t)y * dw + x] = (unsigned char)MIN(255.0f, row[x] + 0.5f);
	}
	free(row);
	free(sx);
	free(sy);
	free(wx);
	free(wy);
}

/* Running sums along rows then columns, clamping at the edges. */
void
filter_box(unsigned char *dst, const unsigned char *src, int w, int h, int r)
{
	unsigned *t = xmalloc((size_t)w * h * sizeof(unsigned));
	unsigned sum, n = 2 * r + 1;
	int x, y, i;

	for (y = 0; y < h; y++) {
		const unsigned char *s = src + (size_t)y * w;

		for (sum = 0, i = -r; i <= r; i++)
			sum += s[MIN(MAX(i, 0), w - 1)];
		for (x = 0; x < w; x++) {
			t[(size_t)y * w + x] = sum;
			sum += s[MIN(x + r + 1, w - 1)] - s[MAX(x - r, 0)];
		}
	}
	for (x = 0; x < w; x++) {
		for (sum = 0, i = -r; i <= r; i++)
			sum += t[(size_t)MIN(MAX(i, 0), h - 1) * w + x];
		for (y = 0; y < h; y++) {
			dst[(size_t)y * w + x] = (unsigned char)((sum + n * n / 2) / (n * n));
			sum += t[(size_t)MIN(y + r + 1, h - 1) * w + x] -
			    t[(size_t)MAX(y - r, 0) * w + x];
		}
	}
	free(t);
}

/* One line (in[i * stride]) of a running max or min of width 2r+1, into
 * out[i]: forward and backward partial extremes over blocks of 2r+1, then
 * one comparison each. */
static void
line_ext(unsigned char *out, const unsigned char *in, long stride, int n,
    int r, int max, unsigned char *f, unsigned char *g)
{
	int k = 2 * r + 1, i, lo, hi;
	unsigned char v;

	for (i = 0; i < n; i++) {
		v = in[i * stride];
		f[i] = i % k == 0 ? v : max ? MAX(f[i - 1], v) : MIN(f[i - 1], v);
	}
	for (i = n - 1; i >= 0; i--) {
		v = in[i * stride];
		g[i] = i % k == k - 1 || i == n - 1 ? v :
		    max ? MAX(g[i + 1], v) : MIN(g[i + 1], v);
	}
	for (i = 0; i < n; i++) {
		lo = MAX(i - r, 0), hi = MIN(i + r, n - 1);
		/* [lo, hi] spans at most two blocks: g of lo's, f of hi's */
		if (lo / k == hi / k) {
			unsigned char e = in[lo * stride];
			int j;

			for (j = lo + 1; j <= hi; j++)
				e = max ? MAX(e, in[j * stride]) : MIN(e, in[j * stride]);
			out[i] = e;
		} else
			out[i] = max ? MAX(g[lo], f[hi]) : MIN(g[lo], f[hi]);
	}
}

static void
extreme(unsigned char *dst, const unsigned char *src, int w, int h, int r,
    int max)
{
	unsigned char *f = xmalloc(MAX(w, h) + 1), *g = xmalloc(MAX(w, h) + 1);
	unsigned char *line = xmalloc(MAX(w, h) + 1);
	int x, y;

	for (y = 0; y < h; y++) {
		line_ext(line, src + (size_t)y * w, 1, w, r, max, f, g);
		memcpy(dst + (size_t)y * w, line, w);
	}
	for (x = 0; x < w; x++) {
		line_ext(line, dst + x, w, h, r, max, f, g);
		for (y = 0; y < h; y++)
			dst[(size_t)y * w + x] = line[y];
	}
	free(f);
	free(g);
	free(line);
}

void
filter_max(unsigned char *dst, const unsigned char *src, int w, int h, int r)
{
	extreme(dst, src, w, h, r, 1);
}

void
filter_min(unsigned char *dst, const unsigned char *src, int w, int h, int r)
{
	extreme(dst, src, w, h, r, 0);
}

void
filter_hist(long *hist, const unsigned char *p, size_t n)
{
	size_t i;

	memset(hist, 0, 256 * sizeof(long));
	for (i = 0; i < n; i++)
		hist[p[i]]++;
}

int
filter_quantile(const long *hist, double q)
{
	double total = 0, acc = 0;
	int i;

	for (i = 0; i < 256; i++)
		total += hist[i];
	for (i = 0; i < 256; i++) {
		acc += hist[i];
		if (acc >= q * total)
			return i;
	}
	return 255;
}
