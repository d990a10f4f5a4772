/* draw-digits: draw digits as pen strokes, the way a hand might, and
 * write them as 28x28 PGMs normalised the MNIST way, with the metadata
 * segment(1) writes: the project's own sample digits, no data needed.
 * usage: draw-digits [-s seed] [-t thickness] text...
 * Each argument is one source image; a space in it starts a new line of
 * writing. */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img.h"
#include "imgio.h"
#include "norm.h"
#include "rng.h"
#include "util.h"

#define CANVAS 160
#define MAXPT 16

/* Each digit: one or two strokes of points in a unit box, x right, y down;
 * a stroke ends at a point with x < 0, the digit at (0, 0). */
static const float strokes[10][2 * MAXPT][2] = {
	{ {.5,.04}, {.25,.15}, {.15,.45}, {.2,.8}, {.45,.96}, {.72,.88},
	  {.85,.55}, {.8,.2}, {.6,.05}, {.48,.05}, {-1,-1} },
	{ {.35,.2}, {.55,.04}, {.53,.5}, {.5,.96}, {-1,-1} },
	{ {.18,.25}, {.35,.07}, {.62,.05}, {.8,.2}, {.75,.42}, {.5,.65},
	  {.2,.93}, {.5,.92}, {.86,.93}, {-1,-1} },
	{ {.18,.12}, {.5,.03}, {.78,.16}, {.72,.36}, {.45,.48}, {.74,.57},
	  {.82,.78}, {.58,.95}, {.2,.88}, {-1,-1} },
	{ {.62,.04}, {.38,.35}, {.14,.66}, {.5,.66}, {.88,.65}, {-1,-1},
	  {.66,.3}, {.65,.62}, {.64,.97}, {-1,-1} },
	{ {.8,.05}, {.55,.06}, {.3,.06}, {.26,.45}, {.55,.38}, {.8,.52},
	  {.8,.8}, {.52,.96}, {.2,.88}, {-1,-1} },
	{ {.72,.04}, {.45,.2}, {.25,.5}, {.24,.82}, {.5,.96}, {.76,.82},
	  {.74,.58}, {.5,.48}, {.26,.62}, {-1,-1} },
	{ {.14,.06}, {.5,.06}, {.86,.06}, {.66,.4}, {.52,.7}, {.42,.96},
	  {-1,-1} },
	{ {.5,.47}, {.26,.3}, {.3,.1}, {.5,.03}, {.72,.12}, {.72,.3},
	  {.5,.47}, {.24,.64}, {.27,.88}, {.5,.97}, {.76,.86}, {.76,.64},
	  {.5,.47}, {-1,-1} },
	{ {.76,.28}, {.6,.07}, {.38,.06}, {.24,.22}, {.3,.42}, {.52,.46},
	  {.76,.3}, {.74,.62}, {.64,.97}, {-1,-1} },
};

/* Ink of a round pen of radius r along segment a-b, anti-aliased. */
static void
segment(float *cv, float ax, float ay, float bx, float by, float r)
{
	int x0 = (int)fmaxf(0, fminf(ax, bx) - r - 2);
	int x1 = (int)fminf(CANVAS - 1, fmaxf(ax, bx) + r + 2);
	int y0 = (int)fmaxf(0, fminf(ay, by) - r - 2);
	int y1 = (int)fminf(CANVAS - 1, fmaxf(ay, by) + r + 2);
	float dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, t, d, v;
	int x, y;

	for (y = y0; y <= y1; y++)
		for (x = x0; x <= x1; x++) {
			t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
			t = fminf(1, fmaxf(0, t));
			d = hypotf(x - ax - t * dx, y - ay - t * dy);
			v = fminf(1, fmaxf(0, r + 0.5f - d));
			if (v > cv[y * CANVAS + x])
				cv[y * CANVAS + x] = v;
		}
}

/* One digit, jittered by r, into a CANVAS x CANVAS picture. */
static void
draw(float *cv, int digit, float thick, struct rng *r)
{
	const float (*s)[2] = strokes[digit];
	float rot = rng_range(r, -0.12f, 0.12f), slant = rng_range(r, -0.2f, 0.3f);
	float sc = CANVAS * 0.6f, px = 0, py = 0, x, y, u, v;
	int i, have = 0;

	memset(cv, 0, sizeof(float) * CANVAS * CANVAS);
	for (i = 0; i < 2 * MAXPT && (s[i][0] != 0 || s[i][1] != 0); i++) {
		if (s[i][0] < 0) {
			have = 0;
			continue;
		}
		u = s[i][0] - 0.5f + rng_range(r, -0.03f, 0.03f);
		v = s[i][1] - 0.5f + rng_range(r, -0.03f, 0.03f);
		u -= slant * v;
		x = CANVAS / 2 + sc * (u * cosf(rot) - v * sinf(rot)) * 0.75f;
		y = CANVAS / 2 + sc * (u * sinf(rot) + v * cosf(rot));
		if (have)
			segment(cv, px, py, x, y, thick);
		px = x, py = y, have = 1;
	}
}

static void
emit(long img, int count, int line, int idx, int x, int digit, float thick,
    struct rng *r)
{
	static float cv[CANVAS * CANVAS];
	unsigned char grey[CANVAS * CANVAS];
	float out[NORM_SIZE * NORM_SIZE];
	struct img *im = img_new(NORM_SIZE, NORM_SIZE, 1);
	int i;

	draw(cv, digit, thick, r);
	for (i = 0; i < CANVAS * CANVAS; i++)
		grey[i] = (unsigned char)(cv[i] * 255 + 0.5f);
	norm_digit(out, grey, CANVAS, CANVAS, CANVAS);
	for (i = 0; i < NORM_SIZE * NORM_SIZE; i++)
		im->px[i] = (unsigned char)(out[i] * 255 + 0.5f);
	meta_setf(&im->meta, "img", "%ld", img);
	meta_setf(&im->meta, "count", "%d", count);
	meta_setf(&im->meta, "line", "%d", line);
	meta_setf(&im->meta, "idx", "%d", idx);
	meta_setf(&im->meta, "box", "%d %d %d %d", x, line * 120, 90, 110);
	if (imgio_write(stdout, im) < 0)
		err(1, "stdout");
	img_free(im);
}

int
main(int argc, char **argv)
{
	struct rng r;
	long seed = 1;
	float thick = 7;
	int ch, i, count, line, idx;
	const char *p;

	while ((ch = getopt(argc, argv, "s:t:")) != -1)
		switch (ch) {
		case 's':
			seed = estrtol(optarg, 0, 1L << 30, "-s");
			break;
		case 't':
			thick = (float)estrtod(optarg, 1, 30, "-t");
			break;
		default:
			fprintf(stderr, "usage: draw-digits [-s seed] [-t thickness] "
			    "text...\n");
			return 2;
		}
	rng_seed(&r, seed, 0);
	for (i = optind; i < argc; i++) {
		for (count = 0, p = argv[i]; *p; p++)
			if (*p >= '0' && *p <= '9')
				count++;
			else if (*p != ' ')
				errx(2, "'%c': only digits and spaces", *p);
		for (line = idx = 0, p = argv[i]; *p; p++) {
			if (*p == ' ') {
				line++, idx = 0;
				continue;
			}
			emit(i - optind, count, line, idx, idx * 100, *p - '0', thick,
			    &r);
			idx++;
		}
	}
	return efshut(stdout, "stdout") ? 1 : 0;
}
