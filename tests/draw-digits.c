/* draw-digits: draw digits as pen strokes, the way a hand might, and
 * write them as 28x28 PGMs normalised the MNIST way, with the metadata
 * segment(1) writes: the project's own sample digits, no data needed.
 * With -p, write instead a photo-like picture of each text: blue ink on
 * grey paper lit unevenly, a little turned, with sensor noise.
 * usage: draw-digits [-p WxH] [-s seed] [-t thickness] text...
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

/* Coverage of the canvas at (x, y), bilinear, 0 outside. */
static float
sample(const float *cv, float x, float y)
{
	int x0 = (int)floorf(x), y0 = (int)floorf(y), i, j;
	float fx = x - x0, fy = y - y0, v = 0, w;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			if (x0 + j < 0 || y0 + i < 0 || x0 + j >= CANVAS ||
			    y0 + i >= CANVAS)
				continue;
			w = (j ? fx : 1 - fx) * (i ? fy : 1 - fy);
			v += w * cv[(y0 + i) * CANVAS + x0 + j];
		}
	return v;
}

/* A photo-like picture of text: lines of digits, each digit's strokes
 * drawn on the canvas and laid on the page. */
static void
page(const char *text, int pw, int ph, float thick, struct rng *r)
{
	static float cv[CANVAS * CANVAS];
	struct img *im = img_new(pw, ph, 3);
	float *ink = xfloats((size_t)pw * ph), dh, ang, ca, sa, x0, y0, u, v;
	int nlines = 1, maxlen = 0, len = 0, line = 0, col = 0, x, y, k;
	const char *p;

	for (p = text; *p; p++, len++)
		if (*p == ' ')
			nlines++, maxlen = MAX(maxlen, len), len = -1;
	maxlen = MAX(maxlen, len);
	dh = fminf(ph / (nlines * 1.8f + 0.6f), pw / (maxlen * 0.75f + 1));
	ang = rng_range(r, -0.05f, 0.05f), ca = cosf(ang), sa = sinf(ang);
	for (p = text; *p; p++) {
		if (*p == ' ') {
			line++, col = 0;
			continue;
		}
		draw(cv, *p - '0', thick, r);
		len = (int)strcspn(p - col, " ");
		x0 = pw / 2 + (col - (len - 1) / 2.0f) * dh * 0.7f;
		y0 = ph / 2 + (line - (nlines - 1) / 2.0f) * dh * 1.6f;
		for (y = (int)(y0 - dh); y < y0 + dh; y++)
			for (x = (int)(x0 - dh); x < x0 + dh; x++) {
				if (x < 0 || y < 0 || x >= pw || y >= ph)
					continue;
				u = ca * (x - x0) + sa * (y - y0);
				v = -sa * (x - x0) + ca * (y - y0);
				ink[(size_t)y * pw + x] = fmaxf(ink[(size_t)y * pw + x],
				    sample(cv, CANVAS / 2 + u * CANVAS / dh / 0.75f,
				    CANVAS / 2 + v * CANVAS / dh / 0.75f));
			}
		col++;
	}
	for (y = 0; y < ph; y++)
		for (x = 0; x < pw; x++) {
			/* paper lit from the top left, blue ink, noise */
			float light = 0.7f + 0.25f * (1 - (float)(x + y) / (pw + ph));
			float a = ink[(size_t)y * pw + x];
			static const float paper[3] = { 205, 203, 196 };
			static const float blue[3] = { 45, 40, 150 };

			for (k = 0; k < 3; k++)
				im->px[((size_t)y * pw + x) * 3 + k] = (unsigned char)fminf(255,
				    fmaxf(0, (paper[k] * (1 - a) + blue[k] * a) * light +
				    4 * rng_normal(r)));
		}
	if (imgio_write(stdout, im) < 0)
		err(1, "stdout");
	free(ink);
	img_free(im);
}

int
main(int argc, char **argv)
{
	struct rng r;
	long seed = 1;
	float thick = 7;
	int ch, i, count, line, idx, pw = 0, ph = 0;
	const char *p;

	while ((ch = getopt(argc, argv, "p:s:t:")) != -1)
		switch (ch) {
		case 'p':
			if (sscanf(optarg, "%dx%d", &pw, &ph) != 2 || pw < 16 ||
			    ph < 16 || pw > 8000 || ph > 8000)
				errx(2, "-p: want WxH, 16 to 8000 each");
			break;
		case 's':
			seed = estrtol(optarg, 0, 1L << 30, "-s");
			break;
		case 't':
			thick = (float)estrtod(optarg, 1, 30, "-t");
			break;
		default:
			fprintf(stderr, "usage: draw-digits [-p WxH] [-s seed] "
			    "[-t thickness] text...\n");
			return 2;
		}
	rng_seed(&r, seed, 0);
	for (i = optind; i < argc; i++) {
		for (count = 0, p = argv[i]; *p; p++)
			if (*p >= '0' && *p <= '9')
				count++;
			else if (*p != ' ')
				errx(2, "'%c': only digits and spaces", *p);
		if (pw) {
			page(argv[i], pw, ph, thick, &r);
			continue;
		}
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
