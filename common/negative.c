/* negative: made-up images that are not one digit, for training a net's
 * "not a digit" class.  They are what segment(1) meets when it cuts in
 * the wrong place or finds dirt: the left or right part of a digit (as
 * when a cut falls inside it), two digits run together, a dash, a blot of
 * specks; and what a form or a cheque holds beside its digits: letters
 * and signs written by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "negative.h"
#include "norm.h"
#include "util.h"

#define S 28

/* The columns (or rows) of digit d holding ink. */
static void
extent(const unsigned char *d, int rows, int *lo, int *hi)
{
	int i, j, any;

	*lo = S, *hi = -1;
	for (i = 0; i < S; i++) {
		for (any = 0, j = 0; j < S; j++)
			any |= d[rows ? i * S + j : j * S + i] > 64;
		if (any) {
			*lo = MIN(*lo, i);
			*hi = MAX(*hi, i);
		}
	}
}

/* A part of a digit, as when a cut falls inside it: a band of 20 to 42%
 * of its width from one side.  0 (nothing made) when the digit is too
 * thin to cut or the part is a thin upright stroke, which is what a 1
 * looks like, or holds most of the digit's ink (a 7 without the end of
 * its bar is still a 7). */
static int
piece(float *out, const unsigned char *d, struct rng *r)
{
	unsigned char c[S * S];
	int lo, hi, cut, keep_left, i, j, y0 = S, y1 = -1, x0 = S, x1 = -1;
	long all = 0, kept = 0;

	extent(d, 0, &lo, &hi);
	if (hi - lo < 8)
		return 0;
	cut = lo + (int)((hi - lo + 1) * rng_range(r, 0.2f, 0.42f));
	keep_left = rng_below(r, 2);
	if (!keep_left)
		cut = hi - (cut - lo);
	memcpy(c, d, sizeof(c));
	for (i = 0; i < S; i++)
		for (j = 0; j < S; j++) {
			all += d[i * S + j];
			if (keep_left ? j > cut : j < cut)
				c[i * S + j] = 0;
			kept += c[i * S + j];
			if (c[i * S + j] > 64) {
				y0 = MIN(y0, i), y1 = MAX(y1, i);
				x0 = MIN(x0, j), x1 = MAX(x1, j);
			}
		}
	if (x1 < 0 || y1 - y0 + 1 > 2.2 * (x1 - x0 + 1) || kept > all / 2)
		return 0;
	return norm_digit(out, c, S, S, S) > 0;
}

/* Digit d squeezed across to a share f of its width, about its centre,
 * into c (linear between columns). */
static void
squeeze(unsigned char *c, const unsigned char *d, float f)
{
	int i, j, x0;
	float x, a;

	for (j = 0; j < S; j++) {
		x = (S - 1) / 2.0f + (j - (S - 1) / 2.0f) / f;
		x0 = (int)floorf(x), a = x - x0;
		for (i = 0; i < S; i++)
			c[i * S + j] = (unsigned char)lroundf(
			    (x0 >= 0 && x0 < S ? (1 - a) * d[i * S + x0] : 0) +
			    (x0 + 1 >= 0 && x0 + 1 < S ? a * d[i * S + x0 + 1] : 0));
	}
}

/* Two digits side by side, each maybe squeezed to 65% of its width, from
 * a pixel apart to overlapping by six (of 28); 0 if one is too narrow
 * (a 1 inside another digit's box may read as that digit). */
static int
pair(float *out, const unsigned char *a0, const unsigned char *b0,
    struct rng *r)
{
	unsigned char c[S * 2 * S], a[S * S], b[S * S];
	int la, ha, lb, hb, off, i, j, x;

	squeeze(a, a0, rng_range(r, 0.65f, 1));
	squeeze(b, b0, rng_range(r, 0.65f, 1));
	extent(a, 0, &la, &ha);
	extent(b, 0, &lb, &hb);
	if (ha - la < 6 || hb - lb < 6)
		return 0;
	memset(c, 0, sizeof(c));
	off = ha - lb + 2 - (int)rng_below(r, 8);       /* gap 1 .. -6 */
	for (i = 0; i < S; i++)
		memcpy(c + i * 2 * S, a + i * S, S);
	for (i = 0; i < S; i++)
		for (j = 0; j < S; j++) {
			x = j + off;
			if (x >= 0 && x < 2 * S)
				c[i * 2 * S + x] = MAX(c[i * 2 * S + x], b[i * S + j]);
		}
	return norm_digit(out, c, 2 * S, S, 2 * S) > 0;
}

/* A dash, a short flat stroke, or a blot of specks. */
static void
mark(float *out, struct rng *r)
{
	unsigned char c[S * S];
	int i, n, x, y, len, t;

	memset(c, 0, sizeof(c));
	if (rng_below(r, 2)) {
		len = 10 + (int)rng_below(r, 14), t = 2 + (int)rng_below(r, 3);
		y = 10 + (int)rng_below(r, 8);
		for (x = 14 - len / 2; x < 14 + len / 2; x++)
			for (i = 0; i < t; i++)
				c[(y + i) * S + x] = 255;
	} else {
		n = 3 + (int)rng_below(r, 8);
		for (i = 0; i < n; i++) {
			x = 6 + (int)rng_below(r, 16), y = 6 + (int)rng_below(r, 16);
			t = 1 + (int)rng_below(r, 3);
			for (int dy = 0; dy < t; dy++)
				for (int dx = 0; dx < t; dx++)
					c[(y + dy) * S + x + dx] = 255;
		}
	}
	norm_digit(out, c, S, S, S);
}

/* Letters and signs as strokes on a grid 6 wide and 10 high (y down;
 * small letters from y = 4), one string a glyph: strokes separated by
 * ';', each a polyline of points "x,y" and arcs "@cx,cy,rx,ry,a0,a1"
 * (degrees, 0 along x, 90 down, a0 to a1 either way).  Only shapes no
 * hand writes for a digit: no O, I, l, Z, S, B, G, b, g, q, T (0, 1, 2,
 * 5, 8, 6, 9, 7), nor C, U, L, P, a, h, t, u, which some hands' digits
 * come near. */
static const struct glyph {
	char c;
	const char *s;
} glyph[] = {
	{ 'A', "0,10 3,0 6,10; 1.2,6.5 4.8,6.5" },
	{ 'E', "6,0 0,0 0,10 6,10; 0,5 4.5,5" },
	{ 'F', "6,0 0,0 0,10; 0,5 4.5,5" },
	{ 'H', "0,0 0,10; 6,0 6,10; 0,5 6,5" },
	{ 'K', "0,0 0,10; 5.5,0 0,6; 1.8,4.2 6,10" },
	{ 'M', "0,10 0.6,0 3,7 5.4,0 6,10" },
	{ 'N', "0,10 0,0 6,10 6,0" },
	{ 'R', "0,10 0,0 3.5,0 @3.5,2.5,2.5,2.5,-90,90 0,5; 2.5,5 6,10" },
	{ 'V', "0,0 3,10 6,0" },
	{ 'W', "0,0 1.5,10 3,3 4.5,10 6,0" },
	{ 'X', "0,0 6,10; 6,0 0,10" },
	{ 'Y', "0,0 3,5 6,0; 3,5 3,10" },
	{ 'e', "0.2,7 5.8,7 @3,7,2.8,3,0,-315" },
	{ 'f', "@4.5,2,1.5,2,-30,-180 3,10; 1,5 5,5" },
	{ 'k', "0,0 0,10; 5,4 0,7.5; 1.5,6.5 5.5,10" },
	{ 'm', "0,4 0,10; 0,6 @1.5,6,1.5,1.8,180,360 3,10; "
	    "3,6 @4.5,6,1.5,1.8,180,360 6,10" },
	{ 'n', "0,4 0,10; 0,6.5 @3,6.5,3,2.3,180,360 6,10" },
	{ 'r', "0,4 0,10; 0,7 @3,7,3,2.5,180,290" },
	{ 'v', "0,4 3,10 6,4" },
	{ 'w', "0,4 1.5,10 3,6 4.5,10 6,4" },
	{ 'x', "0,4 6,10; 6,4 0,10" },
	{ '#', "2,1 1.5,9; 4.5,1 4,9; 0,3.5 6,3.5; 0,6.5 6,6.5" },
	{ '$', "@3,2.7,2.6,2.3,-20,-270 @3,7.4,2.8,2.6,-90,150; 3,-1 3,11" },
	{ '%', "5.5,0 0.5,10; @1.5,2,1.4,1.8,0,360; @4.5,8,1.4,1.8,0,360" },
	{ '*', "3,1 3,9; 0,3 6,7; 6,3 0,7" },
	{ '+', "3,1.5 3,8.5; 0,5 6,5" },
	{ '=', "0,3.5 6,3.5; 0,6.5 6,6.5" },
};

#define NGLYPH (int)(sizeof(glyph) / sizeof(glyph[0]))
#define MAXPT 256
#define CAN 64          /* the canvas a glyph is drawn on */

const char *
negative_letters(void)
{
	static char all[NGLYPH + 1];
	int i;

	for (i = 0; i < NGLYPH; i++)
		all[i] = glyph[i].c;
	return all;
}

/* Glyph k as a hand writes it: each point moved a little, the whole
 * slanted, turned, squeezed or stretched, and drawn with a round pen of
 * a random width, anti-aliased; normalised the MNIST way into out.  0 if
 * there is no glyph k. */
int
negative_letter(float *out, int k, struct rng *r)
{
	static const float unit = 4.5f;        /* canvas pixels a grid unit */
	unsigned char c[CAN * CAN];
	float x[MAXPT], y[MAXPT], v[6], jit = 0.25f;
	float sl = rng_range(r, -0.3f, 0.3f), rot = rng_range(r, -0.15f, 0.15f);
	float sx = rng_range(r, 0.75f, 1.25f), pen = rng_range(r, 0.6f, 1.6f);
	float cs = cosf(rot), sn = sinf(rot), u, w, a;
	const char *s;
	char *e;
	int start[MAXPT], n = 0, ns = 0, i, j, m, t;

	if (k < 0 || k >= NGLYPH)
		return 0;
	s = glyph[k].s;
	start[ns++] = 0;
	while (*s && n < MAXPT - 64) {
		while (*s == ' ')
			s++;
		if (*s == ';') {
			start[ns++] = n, s++;
			continue;
		}
		if (*s == '@') {
			for (s++, i = 0; i < 6; i++, s = e + (*e == ','))
				v[i] = strtof(s, &e);
			m = MAX(2, (int)(fabsf(v[5] - v[4]) / 15));
			for (i = 0; i <= m; i++) {
				a = (v[4] + (v[5] - v[4]) * i / m) * (float)M_PI / 180;
				x[n] = v[0] + v[2] * cosf(a);
				y[n++] = v[1] + v[3] * sinf(a);
			}
			continue;
		}
		x[n] = strtof(s, &e);
		y[n++] = strtof(e + 1, &e);
		s = e;
	}
	start[ns] = n;
	for (i = 0; i < n; i++) {       /* jitter, slant, squeeze, turn */
		u = (x[i] + rng_range(r, -jit, jit) - 3) * sx;
		w = y[i] + rng_range(r, -jit, jit) - 5;
		u -= sl * w;
		x[i] = CAN / 2 + unit * (cs * u - sn * w);
		y[i] = CAN / 2 + unit * (sn * u + cs * w);
	}
	memset(c, 0, sizeof(c));
	for (t = 0; t < ns; t++)
		for (j = start[t]; j + 1 < start[t + 1]; j++) {
			float p0[2] = { x[j], y[j] }, p1[2] = { x[j + 1], y[j + 1] };

			draw_pen(c, CAN, CAN, p0, p1, unit * pen / 2, 255, 0);
		}
	return norm_digit(out, c, CAN, CAN, CAN) > 0;
}

int
negative_make(float *out, const unsigned char *digits, int n, struct rng *r)
{
	const unsigned char *a, *b;
	uint32_t k;

	for (;;) {              /* until one is made */
		a = digits + (size_t)rng_below(r, n) * S * S;
		b = digits + (size_t)rng_below(r, n) * S * S;
		k = rng_below(r, 11);
		if (k < 5 && piece(out, a, r))
			return NEG_PIECE;
		if (k >= 5 && k < 8 && pair(out, a, b, r))
			return NEG_PAIR;
		if (k >= 8 && k < 10) {
			mark(out, r);
			return NEG_MARK;
		}
		if (k >= 10 &&
		    negative_letter(out, (int)rng_below(r, NGLYPH), r))
			return NEG_LETTER;
	}
}
