/* thresh: global and local thresholds of a grey image */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* The window sums are kept as integral images are, without the image:
 * per column, the sums of the pixels and of their squares over the rows
 * of the window, moved down a row at a time; per row, their running sums
 * across, so that a window's sums are two differences.  All of it stays
 * in cache, and the decision runs on whole vectors of pixels. */
struct win {
	uint32_t *cs, *cq;      /* per column: sum, sum of squares (up to
	                         * 16843 rows fit: r <= 8000) */
	uint64_t *ps, *pq;      /* their running sums along the row, w + 1 */
	int top, bot;           /* rows [top, bot) are in cs and cq */
};

/* Column sums over rows [y0, y1): add the rows that came into the window
 * and take out those that left it. */
VECTOR_CLONES static void
win_rows(struct win *s, const unsigned char *p, int w, int y0, int y1)
{
	int x;

	for (; s->bot < y1; s->bot++) {
		const unsigned char *row = p + (size_t)s->bot * w;

		for (x = 0; x < w; x++)
			s->cs[x] += row[x], s->cq[x] += (uint32_t)row[x] * row[x];
	}
	for (; s->top < y0; s->top++) {
		const unsigned char *row = p + (size_t)s->top * w;

		for (x = 0; x < w; x++)
			s->cs[x] -= row[x], s->cq[x] -= (uint32_t)row[x] * row[x];
	}
}

static void
win_across(struct win *s, int w)
{
	uint64_t a = 0, b = 0;
	int x;

	s->ps[0] = s->pq[0] = 0;
	for (x = 0; x < w; x++)
		s->ps[x + 1] = a += s->cs[x], s->pq[x + 1] = b += s->cq[x];
}

/* As the reference below, without a square root or a division a pixel:
 * with T = m (1 - k) + m k s / R, p < T when p - m (1 - k) < 0 or its
 * square is below (m k / R)^2 s^2; the same with kw for the weak test.
 * Pixels [from, to) of a row whose windows span columns [x + lo, x + hi)
 * (clipped to the row when the caller says so). */
#define SAUVOLA_PX(x0, x1) do { \
	double in = inx[x] * iny; \
	double m = (double)(ps[x1] - ps[x0]) * in; \
	double v = (double)(pq[x1] - pq[x0]) * in - m * m; \
	double a = row[x] - m * (1 - k), c = m * k / range; \
	double aw = row[x] - m * (1 - kw), cw = m * kw / range; \
	out[x] = (unsigned char)(((a < 0) | (a * a < c * c * v)) * 255 | \
	    ((aw < 0) | (aw * aw < cw * cw * v)) * 128); \
} while (0)

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
static void
decide(unsigned char *restrict out, const unsigned char *restrict row,
    const struct win *s, const double *restrict inx, double iny, int w,
    int r, double k, double kw, double range)
{
	const uint64_t *restrict ps = s->ps, *restrict pq = s->pq;
	int x, lo = MIN(r, w), hi = MAX(lo, w - r - 1);

	for (x = 0; x < lo; x++)
		SAUVOLA_PX(0, MIN(x + r + 1, w));
	for (x = lo; x < hi; x++)       /* the window whole across */
		SAUVOLA_PX(x - r, x + r + 1);
	for (x = hi; x < w; x++)
		SAUVOLA_PX(MAX(x - r, 0), w);
}

void
thresh_sauvola(unsigned char *mask, const unsigned char *p, int w, int h,
    int r, double k, double kw, double range)
{
	struct win s;
	double *inx = xmalloc((w + 1) * sizeof(double));
	int x, y, y0, y1;

	s.cs = xcalloc(w, sizeof(uint32_t)), s.cq = xcalloc(w, sizeof(uint32_t));
	s.ps = xmalloc((w + 1) * sizeof(uint64_t));
	s.pq = xmalloc((w + 1) * sizeof(uint64_t));
	s.top = s.bot = 0;
	for (x = 0; x < w; x++)
		inx[x] = 1.0 / (MIN(x + r + 1, w) - MAX(x - r, 0));
	for (y = 0; y < h; y++) {
		y0 = MAX(y - r, 0), y1 = MIN(y + r + 1, h);
		win_rows(&s, p, w, y0, y1);
		win_across(&s, w);
		decide(mask + (size_t)y * w, p + (size_t)y * w, &s, inx,
		    1.0 / (y1 - y0), w, r, k, kw, range);
	}
	free(s.cs), free(s.cq), free(s.ps), free(s.pq);
	free(inx);
}

/* One step of thresh_grow() on a row c, with the rows above and below
 * (zeros past the picture's edge): 255 where c is 255, or 128 next to a
 * 255; else c, or 0 on the last step. */
#define GROW_PX(l, r) ((c[x] == 255) | ((c[x] == 128) & (((l) == 255) | \
	((r) == 255) | (up[x] == 255) | (dn[x] == 255))))

__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
static void
grow_row(unsigned char *restrict d, const unsigned char *restrict up,
    const unsigned char *restrict c, const unsigned char *restrict dn, int w,
    int last)
{
	unsigned char keep = last ? 0 : 255;
	int x = 0;

	if (w == 1) {
		d[0] = GROW_PX(0, 0) ? 255 : c[0] & keep;
		return;
	}
	d[0] = GROW_PX(0, c[1]) ? 255 : c[0] & keep;
	for (x = 1; x < w - 1; x++)
		d[x] = GROW_PX(c[x - 1], c[x + 1]) ? 255 : c[x] & keep;
	d[x] = GROW_PX(c[x - 1], 0) ? 255 : c[x] & keep;
}

void
thresh_grow(unsigned char *mask, int w, int h, int steps)
{
	size_t n = (size_t)w * h, i;
	unsigned char *zero = xcalloc(w + 1, 1), *a = mask, *b, *t;
	int y, k;

	if (steps < 1) {
		for (i = 0; i < n; i++)
			mask[i] = mask[i] == 255 ? 255 : 0;
		free(zero);
		return;
	}
	b = xmalloc(n ? n : 1);
	for (k = 0; k < steps; k++) {
		for (y = 0; y < h; y++)
			grow_row(b + (size_t)y * w, y ? a + (size_t)(y - 1) * w :
			    zero, a + (size_t)y * w, y + 1 < h ?
			    a + (size_t)(y + 1) * w : zero, w, k == steps - 1);
		t = a, a = b, b = t;
	}
	if (a != mask) {
		memcpy(mask, a, n);
		b = a;
	}
	free(b);
	free(zero);
}

void
thresh_sauvola_ref(unsigned char *mask, const unsigned char *p, int w, int h,
    int r, double k, double kw, double range)
{
	int x, y, i, j;
	double n, m, s, sum, sq, v, t;

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
			v = p[(size_t)y * w + x];
			t = v < m * (1 + k * (s / range - 1)) ? 255 :
			    v < m * (1 + kw * (s / range - 1)) ? 128 : 0;
			mask[(size_t)y * w + x] = (unsigned char)t;
		}
}
