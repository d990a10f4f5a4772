/*
 * t-augment: training distortions are exact at strength 0, deterministic
 * by seed, in range, realistic in mass and place, and fast.
 *
 * AUGMENT_GRID=file.pgm also writes a grid to look at: one row per digit
 * (synthetic ones, then the first 0..9 of data/mnist if present), the
 * original then 10 variants; AUGMENT_STRENGTH sets their strength (1).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "augment.h"
#include "rng.h"
#include "util.h"
#include "tap.h"

#define W	28
#define N	(W * W)
#define C	((W - 1) * 0.5f)	/* the centre the maps turn about */
#define NVAR	10			/* variants per digit in the grid */
#define MNIST	"data/mnist/train-images-idx3-ubyte"
#define LABELS	"data/mnist/train-labels-idx1-ubyte"

/* Synthetic digits: one polyline each, x y pairs in a 20x20 box, -1 ends. */
static const float glyphs[][40] = {
	{ 7, 6, 21, 6, 12, 24, -1 },					/* 7 */
	{ 17, 24, 17, 4, 6, 17, 22, 17, -1 },				/* 4 */
	{ 15, 4, 13, 24, -1 },						/* 1 */
	{ 8, 9, 10, 6, 14, 5, 18, 6, 19, 9, 17, 13, 8, 23, 21, 23, -1 },/* 2 */
	{ 18, 5, 13, 8, 10, 13, 9, 19, 12, 23, 16, 23, 19, 20, 18, 16,
	  14, 15, 10, 18, -1 },						/* 6 */
	{ 10, 23, 15, 20, 18, 15, 19, 9, 16, 5, 12, 5, 9, 8, 10, 12,
	  14, 13, 18, 10, -1 },						/* 9 */
	{ 14, 4, 18, 6, 20, 11, 20, 17, 18, 22, 14, 24, 10, 22, 8, 17,
	  8, 11, 10, 6, 14, 4, -1 },					/* 0 */
};
#define NGLYPH	((int)LEN(glyphs))

static float
seg_dist(float px, float py, const float *a)
{
	float dx = a[2] - a[0], dy = a[3] - a[1], t, ex, ey;

	t = ((px - a[0]) * dx + (py - a[1]) * dy) / (dx * dx + dy * dy);
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	ex = a[0] + t * dx - px;
	ey = a[1] + t * dy - py;
	return sqrtf(ex * ex + ey * ey);
}

/* Draw polyline g moved by (ox, oy) with anti-aliased strokes of radius rad. */
static void
draw(float *im, const float *g, float rad, float ox, float oy)
{
	float d, v;
	int i, x, y;

	for (y = 0; y < W; y++)
		for (x = 0; x < W; x++) {
			d = 1e9f;
			for (i = 0; g[i + 2] >= 0; i += 2)
				d = fminf(d, seg_dist(x - ox, y - oy, g + i));
			v = rad + 0.5f - d;
			im[y * W + x] = v < 0 ? 0 : v > 1 ? 1 : v;
		}
}

static double
mass(const float *im, int n)
{
	double s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += im[i];
	return s;
}

static void
com(const float *im, int w, int h, double *cx, double *cy)
{
	double s = 0, sx = 0, sy = 0;
	int x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			s += im[y * w + x];
			sx += x * im[y * w + x];
			sy += y * im[y * w + x];
		}
	*cx = s > 0 ? sx / s : C;
	*cy = s > 0 ? sy / s : C;
}

/* An MNIST-like digit: glyph k, stroke radius rad, ink centred by mass. */
static void
synth(float *im, int k, float rad)
{
	double cx, cy;

	draw(im, glyphs[k % NGLYPH], rad, 0, 0);
	com(im, W, W, &cx, &cy);
	draw(im, glyphs[k % NGLYPH], rad, C - cx, C - cy);
}

static struct augment
only(void)
{
	struct augment a;

	augment_init(&a, 0);
	return a;
}

static void
test_identity(void)
{
	struct augment a;
	struct rng r;
	float in[N], out[N];
	int k, same = 1;

	augment_init(&a, 0);
	for (k = 0; k < 50; k++) {
		synth(in, k, 0.6f + 0.02f * k);
		rng_seed(&r, 1, k);
		augment_digit(out, in, W, W, &a, &r);
		same &= memcmp(in, out, sizeof(in)) == 0;
	}
	ok(same, "strength 0 copies in to out exactly");
}

static void
test_determinism(void)
{
	struct augment a;
	struct rng r;
	float in[N], o1[N], o2[N], o0[N];
	int k, same = 1, differ = 1;

	augment_init(&a, 1);
	synth(in, 0, 1);
	rng_seed(&r, 7, 0);
	augment_digit(o0, in, W, W, &a, &r);
	for (k = 0; k < 100; k++) {
		rng_seed(&r, 7, k);
		augment_digit(o1, in, W, W, &a, &r);
		rng_seed(&r, 7, k);
		augment_digit(o2, in, W, W, &a, &r);
		same &= memcmp(o1, o2, sizeof(o1)) == 0;
		if (k > 0)
			differ &= memcmp(o0, o1, sizeof(o1)) != 0;
	}
	ok(same, "the same seed and stream give the same output");
	ok(differ, "other streams give other outputs");
}

/* 1000 synthetic digits at strength s: range, ink mass, centre of mass. */
static void
test_realism(float s)
{
	struct augment a;
	struct rng r, g;
	float in[N], out[N];
	double cx, cy, m, sum = 0, lo = 1e9, hi = 0, dmax = 0;
	int k, i, inrange = 1, n = 1000;

	augment_init(&a, s);
	rng_seed(&g, 99, 0);
	for (k = 0; k < n; k++) {
		synth(in, k, rng_range(&g, 0.6f, 1.6f));
		rng_seed(&r, 3, k);
		augment_digit(out, in, W, W, &a, &r);
		for (i = 0; i < N; i++)
			inrange &= out[i] >= 0 && out[i] <= 1;
		m = mass(out, N) / mass(in, N);
		sum += m;
		lo = fmin(lo, m);
		hi = fmax(hi, m);
		com(out, W, W, &cx, &cy);
		dmax = fmax(dmax, fmax(fabs(cx - C), fabs(cy - C)));
	}
	diag("strength %g: ink mass ratio mean %.3f, min %.3f, max %.3f; "
	    "centre of mass moved <= %.2f px", s, sum / n, lo, hi, dmax);
	ok(inrange, "strength %g: outputs within [0,1]", s);
	ok(sum / n > 0.6 && sum / n < 1.6,
	    "strength %g: mean ink mass within 0.6..1.6 of the input", s);
	if (s > 1)
		return;
	ok(lo > 0.3 && hi < 4,
	    "strength %g: no digit fades or swells (0.3..4 of its ink)", s);
	ok(dmax <= a.shift + 2,
	    "strength %g: centre of mass within shift + 2 px", s);
}

/* Third central moment of the ink along y: a 6 (loop below) has its
 * tail of ink upwards, < 0; a 9 downwards, > 0. */
static double
skew_y(const float *im)
{
	double cx, cy, s = 0, m3 = 0, d;
	int i;

	com(im, W, W, &cx, &cy);
	for (i = 0; i < N; i++) {
		d = i / W - cy;
		s += im[i];
		m3 += d * d * d * im[i];
	}
	return m3 / s;
}

/* At strength 1 no 6 turns into a 9 or back. */
static void
test_orientation(void)
{
	struct augment a;
	struct rng r;
	float six[N], nine[N], out[N];
	double s6 = -1e9, s9 = 1e9;
	int k, kept = 1;

	augment_init(&a, 1);
	synth(six, 4, 1);
	synth(nine, 5, 1);
	for (k = 0; k < 1000; k++) {
		rng_seed(&r, 31, k);
		augment_digit(out, six, W, W, &a, &r);
		s6 = fmax(s6, skew_y(out));
		kept &= skew_y(out) < 0;
		rng_seed(&r, 37, k);
		augment_digit(out, nine, W, W, &a, &r);
		s9 = fmin(s9, skew_y(out));
		kept &= skew_y(out) > 0;
	}
	diag("orientation: skew of the 6 %.1f, variants <= %.1f; of the 9 "
	    "%.1f, variants >= %.1f", skew_y(six), s6, skew_y(nine), s9);
	ok(kept, "no 6 becomes a 9 and no 9 a 6 in 1000 variants each");
}

/* Tent of the bilinear interpolation. */
static float
tent(float t)
{
	return fmaxf(0, 1 - fabsf(t));
}

/* Translation only moves a dot, and only as far as the shift allows. */
static void
test_shift(void)
{
	struct augment a = only();
	struct rng r;
	float in[N] = { 0 }, out[N], e, err = 0;
	double cx, cy, lo = 0, hi = 0, far = 0;
	int k, x, y, inside = 1;

	a.shift = 3;
	in[17 * W + 10] = 1;
	for (k = 0; k < 200; k++) {
		rng_seed(&r, 5, k);
		augment_digit(out, in, W, W, &a, &r);
		com(out, W, W, &cx, &cy);
		cx -= 10;
		cy -= 17;
		inside &= fabs(cx) <= 3 + 1e-4 && fabs(cy) <= 3 + 1e-4 &&
		    fabs(mass(out, N) - 1) < 1e-5;
		lo = fmin(lo, fmin(cx, cy));
		hi = fmax(hi, fmax(cx, cy));
		far = fmax(far, fmax(fabs(cx), fabs(cy)));
		for (y = 0; y < W; y++)
			for (x = 0; x < W; x++) {
				e = tent(x - 10 - cx) * tent(y - 17 - cy);
				err = fmaxf(err, fabsf(out[y * W + x] - e));
			}
	}
	diag("shift 3: dot moved %.2f..%.2f px, off a moved dot by %g",
	    lo, hi, err);
	ok(inside, "shift 3 moves a dot by at most 3 px in x and y, mass kept");
	ok(err < 1e-5, "the moved dot is the input moved bilinearly");
	ok(lo < -2.5 && hi > 2.5 && far <= 3, "shifts span -3..3");
}

/* Orientation (degrees, y down) and major variance of the ink. */
static void
moments(const float *im, double *deg, double *major, double *cx,
    double *cy)
{
	double s = 0, xx = 0, yy = 0, xy = 0, dx, dy, tr, det;
	int x, y;

	com(im, W, W, cx, cy);
	for (y = 0; y < W; y++)
		for (x = 0; x < W; x++) {
			dx = x - *cx;
			dy = y - *cy;
			s += im[y * W + x];
			xx += dx * dx * im[y * W + x];
			yy += dy * dy * im[y * W + x];
			xy += dx * dy * im[y * W + x];
		}
	*deg = 0.5 * atan2(2 * xy, xx - yy) * 180 / M_PI;
	tr = (xx + yy) / s;
	det = (xx * yy - xy * xy) / (s * s);
	*major = tr / 2 + sqrt(fmax(0, tr * tr / 4 - det));
}

/* Rotation only, up to 90 degrees: a horizontal bar turns rigidly about
 * the centre, and the steepest turn of 400 draws stands it upright. */
static void
test_rotation(void)
{
	struct augment a = only();
	struct rng r;
	float in[N] = { 0 }, out[N], best[N];
	double deg, maj, maj0, cx, cy, top = 0, mid = 0;
	int k, x, y, rigid = 1;

	a.rot = 90;
	for (x = 6; x <= 21; x++)
		in[13 * W + x] = in[14 * W + x] = 1;
	moments(in, &deg, &maj0, &cx, &cy);
	for (k = 0; k < 400; k++) {
		rng_seed(&r, 11, k);
		augment_digit(out, in, W, W, &a, &r);
		moments(out, &deg, &maj, &cx, &cy);
		rigid &= fabs(mass(out, N) / mass(in, N) - 1) < 0.05 &&
		    fabs(maj / maj0 - 1) < 0.05 &&
		    fabs(cx - C) < 0.05 && fabs(cy - C) < 0.05;
		if (fabs(deg) > top) {
			top = fabs(deg);
			memcpy(best, out, sizeof(out));
		}
	}
	for (y = 0; y < W; y++)
		for (x = 12; x <= 15; x++)
			mid += best[y * W + x];
	diag("rotation 90: steepest bar at %.1f deg, %.1f%% of its ink in "
	    "columns 12..15", top, 100 * mid / mass(best, N));
	ok(rigid, "rotation keeps the ink (5%%), its spread and its centre");
	ok(top > 85 && mid > 0.9 * mass(best, N),
	    "a 90 degree turn makes a horizontal bar vertical");
}

static void
test_blur(void)
{
	struct augment a = only();
	struct rng r;
	float in[N], out[N], mi, mo;
	double m, worst = 0;
	int k, i, softer = 1;

	a.blur = 1.5f;
	a.blur_p = 1;
	for (k = 0; k < 100; k++) {
		synth(in, k, 0.8f);
		rng_seed(&r, 13, k);
		augment_digit(out, in, W, W, &a, &r);
		m = mass(out, N) / mass(in, N);
		worst = fmax(worst, fabs(m - 1));
		for (i = 0, mi = mo = 0; i < N; i++) {
			mi = fmaxf(mi, in[i]);
			mo = fmaxf(mo, out[i]);
		}
		softer &= mo < mi && memcmp(in, out, sizeof(in)) != 0;
	}
	diag("blur 1.5: ink mass off by at most %.3f%%", 100 * worst);
	ok(worst < 0.02, "blur keeps the ink mass within 2%%");
	ok(softer, "blur lowers the peak of the strokes");
}

/* Thickness only on a stroke of radius rad: the range of the ink mass
 * ratio, and the least that is left where the stroke was solid. */
static void
thickness(float rad, double *lo, double *hi, float *core)
{
	struct augment a = only();
	struct rng r;
	float in[N], out[N];
	double m;
	int k, i;

	a.thick_p = 1;
	synth(in, 2, rad);	/* a "1" */
	*lo = 1e9;
	*hi = 0;
	*core = 1;
	for (k = 0; k < 200; k++) {
		rng_seed(&r, 17, k);
		augment_digit(out, in, W, W, &a, &r);
		m = mass(out, N) / mass(in, N);
		*lo = fmin(*lo, m);
		*hi = fmax(*hi, m);
		for (i = 0; i < N; i++)
			if (in[i] >= 0.9f)
				*core = fminf(*core, out[i]);
	}
}

static void
test_thickness(void)
{
	double lo, hi;
	float core;

	thickness(1.5f, &lo, &hi, &core);
	diag("thickness: ink mass of a 4 px stroke %.2f..%.2f", lo, hi);
	ok(hi > 1.3 && lo < 0.85, "thickness both thickens and thins");
	thickness(0.3f, &lo, &hi, &core);
	diag("thickness: ink mass of a 1 px stroke %.2f..%.2f, core >= %.2f",
	    lo, hi, core);
	ok(lo >= 0.9 && core >= 0.9, "thinning leaves 1 px strokes be");
}

/*
 * Resampling and blur are linear in the image, so (with sums below 1)
 * the output for a + b is the sum of the outputs: no step may skip ink
 * it should have seen, whatever the box of the ink.  Dots land anywhere,
 * edges too, in images of odd and even sides.
 */
static void
test_linear(int w, int h)
{
	struct augment a = only();
	struct rng r, g;
	float ia[N], ib[N], iab[N], oa[N], ob[N], oab[N], e = 0;
	int k, i, j;

	augment_init(&a, 1.5f);
	a.elastic_p = a.blur_p = 1;
	a.thick_p = a.ink_p = 0;
	rng_seed(&g, 23, w * 100 + h);
	for (k = 0; k < 300; k++) {
		memset(ia, 0, sizeof(ia));
		memset(ib, 0, sizeof(ib));
		for (j = 0; j < 3; j++) {
			ia[rng_below(&g, w * h)] = rng_range(&g, 0.1f, 0.4f);
			ib[rng_below(&g, w * h)] = rng_range(&g, 0.1f, 0.4f);
		}
		for (i = 0; i < w * h; i++)
			iab[i] = ia[i] + ib[i];
		rng_seed(&r, 29, k);
		augment_digit(oa, ia, w, h, &a, &r);
		rng_seed(&r, 29, k);
		augment_digit(ob, ib, w, h, &a, &r);
		rng_seed(&r, 29, k);
		augment_digit(oab, iab, w, h, &a, &r);
		for (i = 0; i < w * h; i++)
			e = fmaxf(e, fabsf(oab[i] - oa[i] - ob[i]));
	}
	ok(e < 1e-5, "%dx%d: out(a + b) = out(a) + out(b) (off by %g)", w, h,
	    e);
}

static void
test_shapes(void)
{
	static float big[80 * 80], bigo[80 * 80];
	struct augment a;
	struct rng r;
	float in[20 * 40], out[20 * 40];
	double cx, cy;
	int i, k, good = 1;

	augment_init(&a, 2);
	for (i = 0; i < 80 * 80; i++)
		big[i] = (i % 7) / 6.0f;
	rng_seed(&r, 1, 0);
	augment_digit(bigo, big, 80, 80, &a, &r);
	ok(memcmp(big, bigo, sizeof(big)) == 0,
	    "images over %d pixels a side are copied", AUGMENT_MAXSIDE);
	for (i = 0; i < 20 * 40; i++)
		in[i] = (i % 20 >= 8 && i % 20 < 12 && i / 20 >= 8 &&
		    i / 20 < 32);
	for (k = 0; k < 100; k++) {
		rng_seed(&r, 2, k);
		augment_digit(out, in, 20, 40, &a, &r);
		com(out, 20, 40, &cx, &cy);
		for (i = 0; i < 20 * 40; i++)
			good &= out[i] >= 0 && out[i] <= 1;
		good &= fabs(cx - 9.5) <= a.shift + 2 &&
		    fabs(cy - 19.5) <= a.shift + 2 && mass(out, 800) > 0;
	}
	ok(good, "a 20x40 image stays in range and in place");
}

/* Seconds of processor time used by this thread. */
static double
cputime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 100000 calls at strength 1 in 5 rounds; the fastest round counts, as
 * other processes may share the processor. */
static void
test_speed(void)
{
	static float in[16][N];
	struct augment a;
	struct rng r;
	float out[N];
	double t, best = 1e9, wall = util_now();
	int k, j, n = 20000;

	augment_init(&a, 1);
	for (k = 0; k < 16; k++)
		synth(in[k], k, 0.6f + 0.06f * k);
	for (j = 0; j < 5; j++) {
		t = cputime();
		for (k = 0; k < n; k++) {
			rng_seed(&r, 21, j * n + k);
			augment_digit(out, in[k % 16], W, W, &a, &r);
		}
		best = fmin(best, cputime() - t);
	}
	wall = util_now() - wall;
	diag("speed: %.2f us per 28x28 image at strength 1 (best of 5 x %d "
	    "calls; %.2f us by the wall clock)", 1e6 * best / n, n,
	    1e6 * wall / (5 * n));
}

/* The first image of each label 0..9 in MNIST into digits; how many. */
static int
mnist_firsts(float digits[10][N])
{
	unsigned char px[N], lab;
	FILE *fi, *fl;
	int k, i, n = 0, seen[10] = { 0 };

	if ((fi = fopen(MNIST, "rb")) == NULL)
		return 0;
	if ((fl = fopen(LABELS, "rb")) == NULL) {
		fclose(fi);
		return 0;
	}
	if (fseek(fi, 16, SEEK_SET) != 0 || fseek(fl, 8, SEEK_SET) != 0)
		goto done;
	for (k = 0; k < 1000 && n < 10; k++) {
		if (fread(px, 1, N, fi) != N || fread(&lab, 1, 1, fl) != 1)
			break;
		if (lab > 9 || seen[lab])
			continue;
		seen[lab] = 1;
		for (i = 0; i < N; i++)
			digits[lab][i] = px[i] / 255.0f;
		n++;
	}
done:
	fclose(fi);
	fclose(fl);
	return n == 10 ? 10 : 0;
}

/* Put the W x W image im at cell (row, col) of the grey raster g. */
static void
put(unsigned char *g, int gw, int row, int col, const float *im)
{
	unsigned char *c = g + (row * (W + 2) + 2) * gw + col * (W + 2) + 2;
	int x, y;

	for (y = 0; y < W; y++)
		for (x = 0; x < W; x++)
			c[y * gw + x] = (unsigned char)lrintf(255 *
			    im[y * W + x]);
}

static void
write_grid(const char *path, float s)
{
	static float digits[NGLYPH + 10][N];
	struct augment a;
	struct rng r;
	unsigned char *g;
	float out[N];
	FILE *fp;
	int n, k, j, gw = (NVAR + 1) * (W + 2) + 2, gh;

	for (k = 0; k < NGLYPH; k++)
		synth(digits[k], k, 1);
	n = NGLYPH + mnist_firsts(digits + NGLYPH);
	gh = n * (W + 2) + 2;
	g = xcalloc((size_t)gw * gh, 1);
	augment_init(&a, s);
	for (k = 0; k < n; k++) {
		put(g, gw, k, 0, digits[k]);
		for (j = 0; j < NVAR; j++) {
			rng_seed(&r, 42, k * NVAR + j);
			augment_digit(out, digits[k], W, W, &a, &r);
			put(g, gw, k, j + 1, out);
		}
	}
	if ((fp = fopen(path, "wb")) == NULL) {
		diag("%s: cannot write", path);
	} else {
		fprintf(fp, "P5\n%d %d\n255\n", gw, gh);
		fwrite(g, 1, (size_t)gw * gh, fp);
		if (efshut(fp, path) == 0)
			diag("grid of %d digits at strength %g in %s", n, s,
			    path);
	}
	free(g);
}

int
main(void)
{
	const char *grid = getenv("AUGMENT_GRID");
	const char *s = getenv("AUGMENT_STRENGTH");

	test_identity();
	test_determinism();
	test_realism(1);
	test_realism(2);
	test_orientation();
	test_shift();
	test_rotation();
	test_blur();
	test_thickness();
	test_linear(W, W);
	test_linear(27, 23);
	test_linear(5, 6);
	test_shapes();
	test_speed();
	if (grid != NULL && *grid != '\0')
		write_grid(grid, s != NULL ? (float)atof(s) : 1);
	return done_testing();
}
