/* t-filter: the image filters against plain loops, on random images and
 * sizes: min and max filters, box blur, area resize, bilinear doubling,
 * runs of ink, Otsu's threshold, Sauvola's against its plain reference */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "rng.h"
#include "thresh.h"
#include "util.h"
#include "tap.h"

static struct rng R;

static unsigned char *
random_image(int w, int h)
{
	unsigned char *p = xmalloc((size_t)w * h);
	size_t i;

	for (i = 0; i < (size_t)w * h; i++)
		p[i] = (unsigned char)rng_below(&R, 256);
	return p;
}

/* The extreme over the clamped (2r+1)-square, the slow way. */
static int
naive_ext(const unsigned char *p, int w, int h, int x, int y, int r, int max)
{
	int i, j, e = p[(size_t)y * w + x], v;

	for (i = MAX(y - r, 0); i <= MIN(y + r, h - 1); i++)
		for (j = MAX(x - r, 0); j <= MIN(x + r, w - 1); j++) {
			v = p[(size_t)i * w + j];
			e = max ? MAX(e, v) : MIN(e, v);
		}
	return e;
}

/* The lower median over the (2r+1)-square cut to the image, by sorting. */
static int
naive_median(const unsigned char *p, int w, int h, int x, int y, int r)
{
	int c[256] = { 0 }, i, j, n = 0, acc = 0, v;

	for (i = MAX(y - r, 0); i <= MIN(y + r, h - 1); i++)
		for (j = MAX(x - r, 0); j <= MIN(x + r, w - 1); j++, n++)
			c[p[(size_t)i * w + j]]++;
	for (v = 0; acc + c[v] < (n + 1) / 2; v++)
		acc += c[v];
	return v;
}

static void
check_median(void)
{
	int t, w, h, r, x, y, bad = 0;
	unsigned char *p, *q;

	for (t = 0; t < 60; t++) {
		w = 1 + (int)rng_below(&R, 40), h = 1 + (int)rng_below(&R, 40);
		r = (int)rng_below(&R, 12);
		p = random_image(w, h), q = xmalloc((size_t)w * h);
		if (t & 1)              /* few values: many ties */
			for (x = 0; x < w * h; x++)
				p[x] &= 3;
		filter_median(q, p, w, h, r);
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
				bad += q[(size_t)y * w + x] != naive_median(p, w, h, x, y,
				    r);
		free(p), free(q);
	}
	ok(bad == 0, "median filter = sorting on 60 random cases (%d pixels "
	    "differ)", bad);
}

static void
check_ext(void)
{
	int t, w, h, r, x, y, bad = 0, max;
	unsigned char *p, *q;

	for (t = 0; t < 60; t++) {
		w = 1 + (int)rng_below(&R, 40), h = 1 + (int)rng_below(&R, 40);
		r = (int)rng_below(&R, 12), max = t & 1;
		p = random_image(w, h), q = xmalloc((size_t)w * h);
		(max ? filter_max : filter_min)(q, p, w, h, r);
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
				bad += q[(size_t)y * w + x] != naive_ext(p, w, h, x, y, r,
				    max);
		free(p), free(q);
	}
	ok(bad == 0, "min and max filters = plain loops on 60 random cases "
	    "(%d pixels differ)", bad);
}

static void
check_box(void)
{
	int t, w, h, r, x, y, i, j, bad = 0, n;
	unsigned char *p, *q;
	long s;

	for (t = 0; t < 40; t++) {
		w = 1 + (int)rng_below(&R, 30), h = 1 + (int)rng_below(&R, 30);
		r = (int)rng_below(&R, 6);
		p = random_image(w, h), q = xmalloc((size_t)w * h);
		filter_box(q, p, w, h, r);
		n = (2 * r + 1) * (2 * r + 1);
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				for (s = 0, i = -r; i <= r; i++)
					for (j = -r; j <= r; j++)
						s += p[(size_t)MIN(MAX(y + i, 0), h - 1) * w +
						    MIN(MAX(x + j, 0), w - 1)];
				bad += abs(q[(size_t)y * w + x] - (int)((s + n / 2) / n)) > 0;
			}
		free(p), free(q);
	}
	ok(bad == 0, "box blur = plain loops (%d pixels differ)", bad);
}

/* Runs along rows and columns against walking from each pixel both
 * ways, on sparse and dense ink, edges included. */
static void
check_runs(void)
{
	int t, w, h, x, y, k, n, bad = 0, badlong = 0, longest, most;
	unsigned short *row, *col;
	unsigned char *p;
	size_t i;

	for (t = 0; t < 60; t++) {
		w = 1 + (int)rng_below(&R, 40), h = 1 + (int)rng_below(&R, 40);
		p = random_image(w, h);
		for (i = 0; i < (size_t)w * h; i++)
			p[i] = p[i] < 40 + 4 * t ? 0 : p[i];
		row = xmalloc((size_t)w * h * sizeof(*row));
		col = xmalloc((size_t)w * h * sizeof(*col));
		longest = filter_row_runs(row, p, w, h);
		filter_col_runs(col, p, w, h);
		most = 0;
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				i = (size_t)y * w + x;
				for (n = 0, k = x; p[i] && k >= 0 && p[(size_t)y * w + k]; k--)
					n++;
				for (k = x + 1; p[i] && k < w && p[(size_t)y * w + k]; k++)
					n++;
				bad += row[i] != n;
				most = MAX(most, n);
				for (n = 0, k = y; p[i] && k >= 0 && p[(size_t)k * w + x]; k--)
					n++;
				for (k = y + 1; p[i] && k < h && p[(size_t)k * w + x]; k++)
					n++;
				bad += col[i] != n;
			}
		badlong += longest != most;
		free(p), free(row), free(col);
	}
	ok(bad == 0 && badlong == 0, "runs of ink along rows and columns = "
	    "plain loops (%d pixels, %d longest differ)", bad, badlong);
}

static void
check_resize(void)
{
	unsigned char *p = random_image(97, 61), *q = xmalloc(97 * 61), *d;
	long hist[256];
	int x, y, bad = 0;
	double sum_in = 0, sum_out = 0;

	filter_resize(q, 97, 61, p, 97, 61);
	ok(memcmp(p, q, 97 * 61) == 0, "resize to the same size is a copy");
	d = xmalloc(30 * 20);
	filter_resize(d, 30, 20, p, 97, 61);
	for (y = 0; y < 61; y++)
		for (x = 0; x < 97; x++)
			sum_in += p[y * 97 + x];
	for (y = 0; y < 20; y++)
		for (x = 0; x < 30; x++)
			sum_out += d[y * 30 + x];
	ok(fabs(sum_in / (97 * 61) - sum_out / (30 * 20)) < 0.5,
	    "area averaging keeps the mean (%.2f, %.2f)", sum_in / (97 * 61),
	    sum_out / (30 * 20));
	memset(p, 0, 100);
	p[55] = 200;            /* one pixel of 10x10 halved: 50 */
	filter_resize(d, 5, 5, p, 10, 10);
	for (y = 0; y < 25; y++)
		bad += d[y] != (y == 12 ? 50 : 0);
	ok(bad == 0, "a halving averages 2x2 blocks");
	filter_hist(hist, p, 100);
	ok(hist[0] == 99 && hist[200] == 1 && filter_quantile(hist, 0.5) == 0 &&
	    filter_quantile(hist, 1) == 200, "histogram and quantiles");
	free(p), free(q), free(d);
}

/* Bilinear doubling, the plain way: output pixel (x, y) sits at source
 * position ((x + 0.5) / 2 - 0.5, (y + 0.5) / 2 - 0.5), clamped. */
static void
check_double(void)
{
	static const int size[][2] = { { 1, 1 }, { 1, 7 }, { 9, 1 }, { 37, 23 } };
	unsigned char *p, *d;
	int t, w, h, x, y, bad = 0, flat = 0;

	for (t = 0; t < 4; t++) {
		w = size[t][0], h = size[t][1];
		p = random_image(w, h), d = xmalloc((size_t)4 * w * h);
		filter_double(d, p, w, h);
		for (y = 0; y < 2 * h; y++)
			for (x = 0; x < 2 * w; x++) {
				double sx = (x + 0.5) / 2 - 0.5, sy = (y + 0.5) / 2 - 0.5;
				int x0 = (int)floor(sx), y0 = (int)floor(sy);
				double fx = sx - x0, fy = sy - y0, v = 0;
				int i, j;

				for (j = 0; j < 2; j++)
					for (i = 0; i < 2; i++) {
						int xx = MIN(MAX(x0 + i, 0), w - 1);
						int yy = MIN(MAX(y0 + j, 0), h - 1);

						v += (i ? fx : 1 - fx) * (j ? fy : 1 - fy) *
						    p[yy * w + xx];
					}
				bad += abs(d[y * 2 * w + x] - (int)lround(v)) > 1;
			}
		free(p), free(d);
	}
	ok(bad == 0, "doubling = plain bilinear interpolation (%d pixels "
	    "differ)", bad);
	p = xmalloc(12 * 8), d = xmalloc(24 * 16);
	memset(p, 77, 12 * 8);
	filter_double(d, p, 12, 8);
	for (x = 0; x < 24 * 16; x++)
		flat += d[x] != 77;
	ok(flat == 0, "a flat image doubles flat");
	free(p), free(d);
}

static void
check_otsu(void)
{
	long hist[256];
	double sep;
	int t;

	memset(hist, 0, sizeof(hist));
	hist[40] = 300, hist[45] = 200, hist[200] = 100, hist[210] = 50;
	t = thresh_otsu(hist, &sep);
	ok(t >= 45 && t < 200 && sep > 0.9, "Otsu splits two clusters (t %d, "
	    "separability %.3f)", t, sep);
	memset(hist, 0, sizeof(hist));
	ok(thresh_otsu(hist, &sep) == 0 && sep == 0, "an empty histogram");
}

/* The fast Sauvola against the plain one: random sizes and windows, on
 * noise and on dark strokes over a light ground with noise. */
static void
check_sauvola(void)
{
	int t, w, h, r, bad = 0, ink = 0;
	size_t i, n;

	for (t = 0; t < 200; t++) {
		unsigned char *p, *a, *b;

		w = 1 + (int)rng_below(&R, 90), h = 1 + (int)rng_below(&R, 90);
		r = (int)rng_below(&R, 30), n = (size_t)w * h;
		p = xmalloc(n), a = xmalloc(n), b = xmalloc(n);
		for (i = 0; i < n; i++)
			p[i] = (unsigned char)(t & 1 ? rng_below(&R, 256) :
			    (i % w) % 9 < 2 ? 40 + rng_below(&R, 40) :
			    200 + rng_below(&R, 40));
		thresh_sauvola(a, p, w, h, r, t % 3 ? 0.2 : 0.5,
		    t % 3 ? 0.15 : 0.2, t % 4 < 2 ? 128 : 88);
		thresh_sauvola_ref(b, p, w, h, r, t % 3 ? 0.2 : 0.5,
		    t % 3 ? 0.15 : 0.2, t % 4 < 2 ? 128 : 88);
		for (i = 0; i < n; i++)
			bad += a[i] != b[i], ink += b[i] != 0;
		free(p), free(a), free(b);
	}
	ok(bad == 0 && ink > 0, "Sauvola: fast and plain agree (%d of them "
	    "differ, %d ink)", bad, ink);
}

/* Hysteresis: a faint stroke (128) that touches ink (255) joins it up to
 * the number of steps from it; one apart from ink, or farther, does not. */
static void
check_grow(void)
{
	static const char *in[] = {
		"#++++..+",
		"......+.",
		"..#+....",
	};
	static const char *want[] = {
		"###.....",
		"........",
		"..##....",
	};
	unsigned char m[3 * 8];
	int i, j, bad = 0;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 8; j++)
			m[i * 8 + j] = in[i][j] == '#' ? 255 : in[i][j] == '+' ?
			    128 : 0;
	thresh_grow(m, 8, 3, 2);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 8; j++)
			bad += m[i * 8 + j] != (want[i][j] == '#' ? 255 : 0);
	ok(bad == 0, "hysteresis: grown two steps, through faint ink only "
	    "(%d pixels wrong)", bad);
}

/* The plain hysteresis: a step marks what it grows, then takes it in. */
static void
grow_ref(unsigned char *m, int w, int h, int steps)
{
	int x, y, k;

	for (k = 0; k < steps; k++) {
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				unsigned char *q = m + (size_t)y * w + x;

				if (*q == 128 && ((x > 0 && q[-1] == 255) ||
				    (x + 1 < w && q[1] == 255) ||
				    (y > 0 && q[-w] == 255) ||
				    (y + 1 < h && q[w] == 255)))
					*q = 254;
			}
		for (x = 0; x < w * h; x++)
			if (m[x] == 254)
				m[x] = 255;
	}
	for (x = 0; x < w * h; x++)
		m[x] = m[x] == 255 ? 255 : 0;
}

static void
check_grow_ref(void)
{
	int t, w, h, k, bad = 0, grown = 0;
	size_t i, n;

	for (t = 0; t < 200; t++) {
		unsigned char *a, *b;

		w = 1 + (int)rng_below(&R, 70), h = 1 + (int)rng_below(&R, 70);
		k = (int)rng_below(&R, 4), n = (size_t)w * h;
		a = xmalloc(n), b = xmalloc(n);
		for (i = 0; i < n; i++)
			a[i] = (unsigned char[]){ 0, 0, 128, 128, 128, 255 }
			    [rng_below(&R, 6)];
		memcpy(b, a, n);
		thresh_grow(a, w, h, k);
		grow_ref(b, w, h, k);
		for (i = 0; i < n; i++)
			bad += a[i] != b[i], grown += b[i] != 0;
		free(a), free(b);
	}
	ok(bad == 0 && grown > 0, "hysteresis: fast and plain agree (%d of "
	    "them differ)", bad);
}

int
main(void)
{
	rng_seed(&R, 3, 0);
	check_ext();
	check_median();
	check_box();
	check_runs();
	check_resize();
	check_double();
	check_otsu();
	check_sauvola();
	check_grow();
	check_grow_ref();
	return done_testing();
}
