/* filter: whole-image operations on 8-bit grey rasters: area-averaging
 * resize, box blur, min, max and median filters, histograms */
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

void
filter_double(unsigned char *dst, const unsigned char *src, int w, int h)
{
	/* the source rows doubled along x, in quarters (4 times the value) */
	unsigned short *r = xmalloc((size_t)2 * w * h * sizeof(*r)), *a, *b;
	int x, y, ya;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			const unsigned char *s = src + (size_t)y * w;

			r[(size_t)y * 2 * w + 2 * x] =
			    (unsigned short)(3 * s[x] + s[MAX(x - 1, 0)]);
			r[(size_t)y * 2 * w + 2 * x + 1] =
			    (unsigned short)(3 * s[x] + s[MIN(x + 1, w - 1)]);
		}
	for (y = 0; y < 2 * h; y++) {
		ya = y / 2;
		a = r + (size_t)ya * 2 * w;
		b = r + (size_t)(y & 1 ? MIN(ya + 1, h - 1) : MAX(ya - 1, 0)) *
		    2 * w;
		for (x = 0; x < 2 * w; x++)
			dst[(size_t)y * 2 * w + x] =
			    (unsigned char)((3 * a[x] + b[x] + 8) / 16);
	}
	free(r);
}

/* Add row a and take row b from the running column sums s. */
VECTOR_CLONES static void
slide(unsigned *restrict s, const unsigned *restrict a,
    const unsigned *restrict b, int w)
{
	int x;

	for (x = 0; x < w; x++)
		s[x] += a[x] - b[x];
}

/* dst = the rounded mean of the column sums s, by a fixed-point
 * reciprocal (off by one at most from exact division). */
VECTOR_CLONES static void
mean_row(unsigned char *restrict dst, const unsigned *restrict s, int w,
    unsigned half, unsigned long long inv)
{
	int x;

	for (x = 0; x < w; x++)
		dst[x] = (unsigned char)(((s[x] + half) * inv) >> 32);
}

/* Running sums along each row, then down the columns a row at a time,
 * clamping at the edges. */
void
filter_box(unsigned char *dst, const unsigned char *src, int w, int h, int r)
{
	unsigned *t = xmalloc((size_t)w * h * sizeof(unsigned));
	unsigned *s = xcalloc(w, sizeof(unsigned)), sum, n = 2 * r + 1;
	unsigned long long inv = (1ULL << 32) / (n * n) + 1;
	int x, y, i;

	for (y = 0; y < h; y++) {
		const unsigned char *p = src + (size_t)y * w;
		unsigned *q = t + (size_t)y * w;

		for (sum = 0, i = -r; i <= r; i++)
			sum += p[MIN(MAX(i, 0), w - 1)];
		for (x = 0; x < w; x++) {
			q[x] = sum;
			sum += p[MIN(x + r + 1, w - 1)] - p[MAX(x - r, 0)];
		}
	}
	for (i = -r; i <= r; i++)
		for (x = 0; x < w; x++)
			s[x] += t[(size_t)MIN(MAX(i, 0), h - 1) * w + x];
	for (y = 0; y < h; y++) {
		mean_row(dst + (size_t)y * w, s, w, n * n / 2, inv);
		slide(s, t + (size_t)MIN(y + r + 1, h - 1) * w,
		    t + (size_t)MAX(y - r, 0) * w, w);
	}
	free(t);
	free(s);
}

static inline unsigned char
pick(unsigned char a, unsigned char b, int max)
{
	return max ? (a > b ? a : b) : (a < b ? a : b);
}

/* A running max or min down the columns, width 2r+1 (edges clamped):
 * van Herk and Gil-Werman's forward and backward extremes over blocks of
 * 2r+1 rows, then one comparison each; a whole row at a time, so that
 * the loops run along memory and vectorise. */
VECTOR_CLONES static void
rows_pick(unsigned char *restrict d, const unsigned char *restrict a,
    const unsigned char *restrict b, int w, int max)
{
	int x;

	if (max)
		for (x = 0; x < w; x++)
			d[x] = a[x] > b[x] ? a[x] : b[x];
	else
		for (x = 0; x < w; x++)
			d[x] = a[x] < b[x] ? a[x] : b[x];
}

static void
col_ext(unsigned char *dst, const unsigned char *src, int w, int h, int r,
    int max)
{
	size_t n = (size_t)w * h;
	unsigned char *f = xmalloc(n), *g = xmalloc(n);
	int k = 2 * r + 1, b, y, e, lo, hi;

	for (b = 0; b < h; b += k) {
		e = MIN(b + k, h);
		memcpy(f + (size_t)b * w, src + (size_t)b * w, w);
		for (y = b + 1; y < e; y++)
			rows_pick(f + (size_t)y * w, f + (size_t)(y - 1) * w,
			    src + (size_t)y * w, w, max);
		memcpy(g + (size_t)(e - 1) * w, src + (size_t)(e - 1) * w, w);
		for (y = e - 2; y >= b; y--)
			rows_pick(g + (size_t)y * w, g + (size_t)(y + 1) * w,
			    src + (size_t)y * w, w, max);
	}
	for (y = 0; y < h; y++) {
		lo = MAX(y - r, 0), hi = MIN(y + r, h - 1);
		if (lo / k != hi / k)
			rows_pick(dst + (size_t)y * w, g + (size_t)lo * w,
			    f + (size_t)hi * w, w, max);
		else
			memcpy(dst + (size_t)y * w, lo % k == 0 ? f + (size_t)hi * w :
			    g + (size_t)lo * w, w);
	}
	free(f);
	free(g);
}

/* The common 3x3 case: a row from its neighbours, vectorised. */
VECTOR_CLONES static void
row3(unsigned char *restrict out, const unsigned char *restrict in, int n,
    int max)
{
	int i;

	out[0] = n > 1 ? pick(in[0], in[1], max) : in[0];
	for (i = 1; i < n - 1; i++)
		out[i] = pick(pick(in[i - 1], in[i], max), in[i + 1], max);
	if (n > 1)
		out[n - 1] = pick(in[n - 2], in[n - 1], max);
}

/* d[i] = the max (or min) of a[i] and a[i + s], for i < n. */
VECTOR_CLONES static void
shift_pick(unsigned char *restrict d, const unsigned char *restrict a, int s,
    int n, int max)
{
	int i;

	if (max)
		for (i = 0; i < n; i++)
			d[i] = a[i] > a[i + s] ? a[i] : a[i + s];
	else
		for (i = 0; i < n; i++)
			d[i] = a[i] < a[i + s] ? a[i] : a[i + s];
}

/* One row of a running max or min of width k = 2r+1, edges clamped: the
 * row padded with its end pixels, then extremes over widths 2, 4, 8 ...
 * s <= k by doubling, and out[x] from the two windows of width s that
 * cover [x - r, x + r].  Every pass runs along memory and vectorises. */
static void
row_ext(unsigned char *out, const unsigned char *in, int w, int r, int max,
    unsigned char *a, unsigned char *b)
{
	int k = 2 * r + 1, n = w + 2 * r, s;
	unsigned char *t;

	memset(a, in[0], r);
	memcpy(a + r, in, w);
	memset(a + r + w, in[w - 1], r);
	for (s = 1; 2 * s <= k; s *= 2) {      /* a[i] = extreme of [i, i + s) */
		shift_pick(b, a, s, n - s, max);
		t = a, a = b, b = t;
		n -= s;
	}
	shift_pick(out, a, k - s, w, max);
}

static void
extreme(unsigned char *dst, const unsigned char *src, int w, int h, int r,
    int max)
{
	unsigned char *t = xmalloc((size_t)w * h + 1);
	unsigned char *a = xmalloc((size_t)w + 2 * r + 1);
	unsigned char *b = xmalloc((size_t)w + 2 * r + 1);
	int y;

	for (y = 0; y < h; y++)
		if (r == 1)
			row3(t + (size_t)y * w, src + (size_t)y * w, w, max);
		else
			row_ext(t + (size_t)y * w, src + (size_t)y * w, w, r, max, a,
			    b);
	col_ext(dst, t, w, h, r, max);
	free(t);
	free(a);
	free(b);
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

/* Add (d = 1) or take away (d = -1) column x's pixels of rows y0..y1 to
 * the histogram, keeping lt, the count of values below m, right. */
static void
hist_col(int *hist, int *lt, int m, const unsigned char *src,
    int w, int x, int y0, int y1, int d)
{
	int y, v;

	for (y = y0; y <= y1; y++) {
		v = src[(size_t)y * w + x];
		hist[v] += d;
		if (v < m)
			*lt += d;
	}
}

/* Huang's running median: a histogram of the window slides along each
 * row, a column in and a column out, and the median walks from where it
 * was. */
void
filter_median(unsigned char *dst, const unsigned char *src, int w, int h,
    int r)
{
	int hist[256], lt, n, half, x, y, y0, y1, m, c;

	for (y = 0; y < h; y++) {
		y0 = MAX(y - r, 0), y1 = MIN(y + r, h - 1);
		memset(hist, 0, sizeof(hist));
		lt = 0, m = 0;
		for (c = 0; c <= MIN(r, w - 1); c++)
			hist_col(hist, &lt, m, src, w, c, y0, y1, 1);
		for (x = 0; x < w; x++) {
			n = (MIN(x + r, w - 1) - MAX(x - r, 0) + 1) * (y1 - y0 + 1);
			half = (n + 1) / 2;
			while (lt >= half)
				lt -= hist[--m];
			while (lt + hist[m] < half)
				lt += hist[m++];
			dst[(size_t)y * w + x] = (unsigned char)m;
			if (x - r >= 0)
				hist_col(hist, &lt, m, src, w, x - r, y0, y1, -1);
			if (x + r + 1 < w)
				hist_col(hist, &lt, m, src, w, x + r + 1, y0, y1, 1);
		}
	}
}

/* Four histograms filled in turn and summed: no increment waits for
 * the one before when neighbouring pixels are alike. */
void
filter_hist(long *hist, const unsigned char *p, size_t n)
{
	unsigned h[4][256];
	size_t i;
	int k;

	memset(h, 0, sizeof(h));
	for (i = 0; i + 4 <= n; i += 4) {
		h[0][p[i]]++;
		h[1][p[i + 1]]++;
		h[2][p[i + 2]]++;
		h[3][p[i + 3]]++;
	}
	for (; i < n; i++)
		h[0][p[i]]++;
	for (k = 0; k < 256; k++)
		hist[k] = (long)h[0][k] + h[1][k] + h[2][k] + h[3][k];
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

int
filter_row_runs(unsigned short *len, const unsigned char *p, int w, int h)
{
	int y, i, j, k, longest = 0;

	for (y = 0; y < h; y++) {
		const unsigned char *q = p + (size_t)y * w;
		unsigned short *l = len + (size_t)y * w;

		for (i = 0; i < w; i = j) {
			for (j = i; j < w && (q[j] != 0) == (q[i] != 0); j++)
				;
			for (k = i; k < j; k++)
				l[k] = q[i] ? (unsigned short)MIN(j - i, 65535) : 0;
			if (q[i])
				longest = MAX(longest, j - i);
		}
	}
	return longest;
}

/* A column's run through each pixel of a row: the run above it and the
 * run below it, counted a row at a time (the loops run along memory). */
VECTOR_CLONES static void
count_on(unsigned short *restrict cur, const unsigned short *restrict prev,
    const unsigned char *restrict p, int w)
{
	int x;

	for (x = 0; x < w; x++)
		cur[x] = p[x] ? prev[x] + 1 : 0;
}

void
filter_col_runs(unsigned short *len, const unsigned char *p, int w, int h)
{
	unsigned short *dn = xcalloc((size_t)w * (h + 1), sizeof(*dn));
	unsigned short *zero = dn + (size_t)w * h;
	int y, x;

	for (y = 0; y < h; y++)
		count_on(len + (size_t)y * w, y ? len + (size_t)(y - 1) * w : zero,
		    p + (size_t)y * w, w);
	for (y = h - 1; y >= 0; y--)
		count_on(dn + (size_t)y * w, y < h - 1 ? dn + (size_t)(y + 1) * w :
		    zero, p + (size_t)y * w, w);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;

			len[i] = len[i] ? (unsigned short)MIN(len[i] + dn[i] - 1,
			    65535) : 0;
		}
	free(dn);
}
