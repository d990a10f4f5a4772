/* negative: made-up images that are not one digit, for training a net's
 * "not a digit" class.  They are what segment(1) meets when it cuts in
 * the wrong place or finds dirt: the left or right part of a digit (as
 * when a cut falls inside it), two digits run together, a dash, a blot of
 * specks. */
#include <math.h>
#include <string.h>

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

void
negative_make(float *out, const unsigned char *digits, int n, struct rng *r)
{
	const unsigned char *a, *b;
	uint32_t k;

	for (;;) {              /* until one is made */
		a = digits + (size_t)rng_below(r, n) * S * S;
		b = digits + (size_t)rng_below(r, n) * S * S;
		k = rng_below(r, 10);
		if (k < 5 ? piece(out, a, r) : k < 8 ? pair(out, a, b, r) :
		    (mark(out, r), 1))
			return;
	}
}
