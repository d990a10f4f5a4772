/* t-norm: MNIST normalisation of one digit; dark-on-light detection */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "util.h"
#include "tap.h"

#define N NORM_SIZE
#define NN (NORM_SIZE * NORM_SIZE)

/* What came out: rows and columns with ink, centre of mass, maximum. */
struct shape {
	int rows, cols;
	double cx, cy;
	float max;
};

static struct shape
measure(const float *out)
{
	struct shape s = { 0, 0, 0, 0, 0 };
	double sum = 0;
	int x, y, row[N] = { 0 }, col[N] = { 0 };

	for (y = 0; y < N; y++)
		for (x = 0; x < N; x++) {
			if (out[y * N + x] > 1e-6) {
				row[y] = col[x] = 1;
			}
			sum += out[y * N + x];
			s.cx += x * out[y * N + x];
			s.cy += y * out[y * N + x];
			s.max = MAX(s.max, out[y * N + x]);
		}
	for (x = 0; x < N; x++) {
		s.rows += row[x];
		s.cols += col[x];
	}
	if (sum > 0) {
		s.cx /= sum;
		s.cy /= sum;
	}
	return s;
}

static unsigned char *
canvas(int w, int h, int bg)
{
	unsigned char *px = xmalloc((size_t)w * h);

	memset(px, bg, (size_t)w * h);
	return px;
}

static void
rect(unsigned char *px, int stride, int x0, int y0, int w, int h, int v)
{
	int x, y;

	for (y = y0; y < y0 + h; y++)
		for (x = x0; x < x0 + w; x++)
			px[(size_t)y * stride + x] = v;
}

/* A ring (rin <= r < rout) of value v, its edge grey when aa is set. */
static void
ring(unsigned char *px, int w, int h, double cx, double cy, double rx,
    double ry, double thick, int v, int aa)
{
	double d, cov;
	int x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			d = hypot((x - cx) / rx, (y - cy) / ry) * MIN(rx, ry);
			cov = MIN(MIN(rx, ry) - d, d - (MIN(rx, ry) - thick));
			if (aa)
				cov = MAX(0, MIN(1, cov + 0.5));
			else
				cov = cov >= 0;
			if (cov > 0)
				px[(size_t)y * w + x] = v * cov + 0.5;
		}
}

static int
near(double a, double b, double eps)
{
	return fabs(a - b) <= eps;
}

static int
iszero(const float *out)
{
	int i;

	for (i = 0; i < NN; i++)
		if (out[i] != 0)
			return 0;
	return 1;
}

static double
maxdiff(const float *a, const float *b)
{
	double d = 0;
	int i;

	for (i = 0; i < NN; i++)
		d = MAX(d, fabs(a[i] - b[i]));
	return d;
}

/* Check a normalised shape: rows x cols, centred, maximum 1. */
static void
checkshape(const float *out, int rows, int cols, const char *what)
{
	struct shape s = measure(out);

	if (!ok(s.rows == rows && s.cols == cols, "%s: %dx%d (cols x rows)",
	    what, cols, rows))
		diag("got %dx%d", s.cols, s.rows);
	if (!ok(near(s.cx, 14, 0.501) && near(s.cy, 14, 0.501),
	    "%s: centre of mass at (14, 14)", what))
		diag("got (%.3f, %.3f)", s.cx, s.cy);
	ok(s.max == 1.0f, "%s: maximum 1", what);
}

static void
test_bars(void)
{
	float out[NN], ref[NN];
	unsigned char *px;
	long n;

	px = canvas(200, 100, 0);
	rect(px, 200, 50, 20, 10, 40, 255);
	n = norm_digit(ref, px, 200, 100, 200);
	ok(n == 400, "a 10x40 bar has 400 ink pixels (%ld)", n);
	checkshape(ref, 20, 5, "10x40 bar");

	px[90 * 200 + 180] = 255;       /* a speck far away */
	n = norm_digit(out, px, 200, 100, 200);
	ok(n == 400 && maxdiff(out, ref) == 0, "an isolated speck is ignored");
	free(px);

	px = canvas(200, 100, 60);      /* grey ground, grey ink */
	rect(px, 200, 50, 20, 10, 40, 200);
	n = norm_digit(out, px, 200, 100, 200);
	ok(n == 400 && maxdiff(out, ref) < 1e-6,
	    "contrast stretched: grey on grey gives the same");
	free(px);

	px = canvas(100, 60, 0);
	rect(px, 100, 20, 30, 40, 10, 255);
	norm_digit(out, px, 100, 60, 100);
	checkshape(out, 5, 20, "40x10 bar");
	free(px);

	px = canvas(50, 60, 0);
	rect(px, 50, 20, 10, 3, 40, 255);
	norm_digit(out, px, 50, 60, 50);
	checkshape(out, 20, 2, "a 3x40 one");
	free(px);

	px = canvas(30, 30, 0);
	rect(px, 30, 10, 10, 5, 8, 255);
	norm_digit(out, px, 30, 30, 30);
	checkshape(out, 20, 13, "5x8 box enlarged");
	free(px);
}

/* Uniform boxes of awkward sizes: every output pixel fully inside is 1. */
static void
test_coverage(void)
{
	static const int sz[][2] = {
		{ 37, 53 }, { 53, 37 }, { 7, 13 }, { 21, 21 }, { 19, 3 },
		{ 401, 599 }, { 41, 40 }
	};
	float out[NN];
	unsigned char *px;
	struct shape s;
	size_t i;
	int j, bad = 0, w, h;

	for (i = 0; i < LEN(sz); i++) {
		w = sz[i][0] + 20;
		h = sz[i][1] + 20;
		px = canvas(w, h, 0);
		rect(px, w, 10, 10, sz[i][0], sz[i][1], 255);
		norm_digit(out, px, w, h, w);
		s = measure(out);
		for (j = 0; j < NN; j++)
			if (out[j] > 1e-6 && !near(out[j], 1, 1e-5))
				bad++;
		if (MAX(s.rows, s.cols) != 20)
			bad++;
		free(px);
	}
	ok(bad == 0, "area averaging: weights sum to 1 along both axes");
}

static void
test_disk(void)
{
	float out[NN];
	unsigned char *px;
	long n;

	px = canvas(300, 300, 0);
	ring(px, 300, 300, 170, 140, 60, 60, 60, 255, 0);
	n = norm_digit(out, px, 300, 300, 300);
	ok(labs(n - 11310) < 200, "disk of radius 60: about 11310 ink pixels "
	    "(%ld)", n);
	checkshape(out, 20, 20, "disk");
	free(px);
}

/* Put the 20-row digit d (in the top left of N x N) at its centre of mass. */
static unsigned char *
centre(const unsigned char *d)
{
	unsigned char *px = canvas(N, N, 0);
	double sx = 0, sy = 0, sum = 0;
	int x, y, ox, oy;

	for (y = 0; y < N; y++)
		for (x = 0; x < N; x++) {
			sum += d[y * N + x];
			sx += x * d[y * N + x];
			sy += y * d[y * N + x];
		}
	ox = (int)floor(14 - sx / sum + 0.5);
	oy = (int)floor(14 - sy / sum + 0.5);
	for (y = 0; y < 20; y++)
		for (x = 0; x < 20; x++)
			px[(y + oy) * N + x + ox] = d[y * N + x];
	return px;
}

/*
 * A 7 drawn the way MNIST's digits were made: a binary figure 200 rows
 * tall, averaged down to 20 rows (grey edges), placed by centre of mass.
 */
static unsigned char *
aaseven(void)
{
	unsigned char *d = canvas(N, N, 0), *px;
	int x, y, X, Y, sum;
	double left;

	for (Y = 0; Y < 20; Y++)
		for (X = 0; X < 14; X++) {
			sum = 0;
			for (y = Y * 10; y < Y * 10 + 10; y++)
				for (x = X * 10; x < X * 10 + 10; x++) {
					left = 100 - (y - 30) * 0.45;
					sum += y < 30 ? x < 130 :
					    x >= left && x < left + 28;
				}
			d[Y * N + X] = (sum * 255 + 50) / 100;
		}
	px = centre(d);
	free(d);
	return px;
}

/* A hard-edged 7 in MNIST's form comes back unchanged. */
static void
test_mnist_like(void)
{
	float in[NN], out[NN];
	unsigned char *px, *seven;
	double d;
	int x, y, i;

	seven = canvas(N, N, 0);
	rect(seven, N, 4, 0, 12, 3, 255);       /* the bar */
	for (y = 3; y < 20; y++)                /* the slanted stem */
		rect(seven, N, 14 - (y - 3) / 2, y, 3, 1, 255);
	rect(seven, N, 7, 9, 8, 2, 200);        /* a grey crossbar */
	px = centre(seven);
	for (i = 0; i < NN; i++)
		in[i] = px[i] / 255.0f;
	norm_digit(out, px, N, N, N);
	ok(maxdiff(in, out) < 1e-6, "a 28x28 digit in MNIST's form is kept");
	free(px);

	px = aaseven();
	for (i = 0; i < NN; i++)
		in[i] = px[i] / 255.0f;
	norm_digit(out, px, N, N, N);
	for (i = 0, d = 0; i < NN; i++)
		d += fabs(in[i] - out[i]);
	ok(d / NN < 0.01, "an anti-aliased 7 made the MNIST way stays nearly "
	    "the same (mean difference %.4f)", d / NN);
	free(px);

	px = canvas(3 * N, 3 * N, 0);   /* the 7, three times larger */
	for (y = 0; y < 3 * N; y++)
		for (x = 0; x < 3 * N; x++)
			px[y * 3 * N + x] = seven[y / 3 * N + x / 3];
	norm_digit(out, px, 3 * N, 3 * N, 3 * N);
	for (i = 0; i < NN; i++)
		in[i] = 0;
	norm_digit(in, seven, N, N, N);
	ok(maxdiff(in, out) < 1e-5, "the same digit three times larger "
	    "gives the same result");
	free(px);
	free(seven);
}

static void
test_blank(void)
{
	float out[NN];
	unsigned char *px;
	int i;

	px = canvas(40, 30, 0);
	for (i = 0; i < NN; i++)
		out[i] = 0.5f;
	ok(norm_digit(out, px, 40, 30, 40) == 0 && iszero(out),
	    "a black image: 0, all zero");
	memset(px, 128, 40 * 30);
	ok(norm_digit(out, px, 40, 30, 40) == 0 && iszero(out),
	    "a uniform grey image: 0");
	for (i = 0; i < 40 * 30; i++)
		px[i] = 100 + (i * 7919) % 20;
	ok(norm_digit(out, px, 40, 30, 40) == 0 && iszero(out),
	    "faint noise only: 0");
	ok(norm_digit(out, px, 0, 0, 0) == 0 && iszero(out),
	    "an empty image: 0");
	free(px);
}

static void
test_dots(void)
{
	static const int at[][2] = { { 25, 25 }, { 0, 0 }, { 49, 49 },
		{ 0, 49 } };
	float out[NN];
	unsigned char *px;
	struct shape s;
	size_t i;
	long n;
	int good = 1;

	for (i = 0; i < LEN(at); i++) {
		px = canvas(50, 50, 0);
		px[at[i][1] * 50 + at[i][0]] = 255;
		n = norm_digit(out, px, 50, 50, 50);
		s = measure(out);
		good &= n == 1 && s.max == 1.0f && near(s.cx, 14, 0.5);
		free(px);
	}
	ok(good, "a one-pixel dot, also in corners, does not crash");
	px = canvas(1, 1, 255);
	ok(norm_digit(out, px, 1, 1, 1) == 0, "a 1x1 image is blank");
	free(px);
	px = canvas(1, 40, 0);
	rect(px, 1, 0, 5, 1, 30, 255);
	norm_digit(out, px, 1, 40, 1);
	checkshape(out, 20, 1, "a 1-pixel-wide image");
	free(px);
}

static void
test_stride(void)
{
	float a[NN], b[NN];
	unsigned char *big, *small;
	int y;

	big = canvas(120, 80, 77);
	rect(big, 120, 10, 10, 60, 50, 0);
	rect(big, 120, 30, 20, 6, 30, 255);
	rect(big, 120, 20, 20, 25, 5, 180);
	small = canvas(60, 50, 0);
	for (y = 0; y < 50; y++)
		memcpy(small + y * 60, big + (10 + y) * 120 + 10, 60);
	norm_digit(a, big + 10 * 120 + 10, 60, 50, 120);
	norm_digit(b, small, 60, 50, 60);
	ok(maxdiff(a, b) == 0, "rows stride bytes apart");
	free(big);
	free(small);
}

static void
test_polarity(void)
{
	unsigned char *px;

	px = canvas(60, 40, 230);
	rect(px, 60, 20, 5, 8, 30, 20);
	ok(norm_is_dark_on_light(px, 60, 40, 60) == 1,
	    "dark ink on light paper: 1");
	memset(px, 10, 60 * 40);
	rect(px, 60, 20, 5, 8, 30, 250);
	ok(norm_is_dark_on_light(px, 60, 40, 60) == 0,
	    "light ink on dark ground: 0");
	memset(px, 255, 60 * 40);
	rect(px, 60, 1, 1, 58, 38, 0);  /* only the border is light */
	ok(norm_is_dark_on_light(px, 60, 40, 60) == 1, "the border decides");
	rect(px, 60, 0, 0, 60, 1, 0);
	rect(px, 60, 0, 39, 60, 1, 0);  /* now only the side columns */
	ok(norm_is_dark_on_light(px, 60, 40, 60) == 0,
	    "all four edges count");
	memset(px, 76, 60 * 40);
	rect(px, 60, 20, 5, 8, 30, 0);  /* black ink on a dim red page */
	ok(norm_is_dark_on_light(px, 60, 40, 60) == 1,
	    "dark ink on a dim ground: 1 (the grey range decides, not 127)");
	memset(px, 200, 60 * 40);
	ok(norm_is_dark_on_light(px, 1, 1, 1) == 0 &&
	    norm_is_dark_on_light(px, 1, 9, 1) == 0 &&
	    norm_is_dark_on_light(px, 9, 1, 9) == 0 &&
	    norm_is_dark_on_light(px, 60, 40, 60) == 0 &&
	    norm_is_dark_on_light(px, 0, 0, 0) == 0,
	    "thin and flat images: nothing to invert");
	free(px);
}

static void
test_big(void)
{
	enum { W = 4000, H = 3000 };
	float out[NN];
	unsigned char *px, *mid;
	double t, t28, t500;
	long n;
	int i;

	px = canvas(W, H, 0);
	ring(px, W, H, 2100, 1400, 600, 900, 150, 255, 1);
	t = util_now();
	n = norm_digit(out, px, W, H, W);
	t = util_now() - t;
	ok(n > 0, "a 12-megapixel digit");
	checkshape(out, 20, 13, "a 1201x1801 ring in 4000x3000");
	diag("4000x3000: %.2f ms", t * 1e3);

	mid = canvas(500, 500, 0);
	ring(mid, 500, 500, 250, 240, 150, 200, 40, 255, 1);
	t = util_now();
	for (i = 0; i < 100; i++)
		norm_digit(out, mid, 500, 500, 500);
	t500 = (util_now() - t) / 100;
	free(px);
	px = canvas(N, N, 0);
	ring(px, N, N, 14, 14, 7, 10, 3, 255, 1);
	t = util_now();
	for (i = 0; i < 10000; i++)
		norm_digit(out, px, N, N, N);
	t28 = (util_now() - t) / 10000;
	diag("28x28: %.2f us, 500x500: %.3f ms", t28 * 1e6, t500 * 1e3);
	ok(t28 < 50e-6 && t500 < 5e-3, "fast enough (28x28 well under 50 us, "
	    "500x500 under 5 ms, even in a sanitizer build)");
	free(px);
	free(mid);
}

int
main(void)
{
	test_bars();
	test_coverage();
	test_disk();
	test_mnist_like();
	test_blank();
	test_dots();
	test_stride();
	test_polarity();
	test_big();
	return done_testing();
}
