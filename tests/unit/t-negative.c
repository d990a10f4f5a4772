/*
 * t-negative: the made-up "not a digit" images are normalised the MNIST
 * way, deterministic by seed, and of all three kinds: parts of digits
 * (narrow), two digits side by side (wider than high), dashes and
 * specks.  The digits are rings like 0s, 10 to 16 pixels
 * wide and 20 high, so that a pair's width tells it from one digit.
 */
#include <math.h>
#include <string.h>

#include "negative.h"
#include "rng.h"
#include "util.h"
#include "tap.h"

#define S	28
#define NDIG	7
#define NNEG	2000

static unsigned char digits[NDIG * S * S];

/* Ring k: an ellipse's outline, half-width 5 + k/1.2, half-height 10. */
static void
make_digits(void)
{
	int k, x, y;
	double a, b, e;

	for (k = 0; k < NDIG; k++) {
		a = 5 + k / 1.2, b = 10;
		for (y = 0; y < S; y++)
			for (x = 0; x < S; x++) {
				e = sqrt((x - 13.5) * (x - 13.5) / (a * a) +
				    (y - 13.5) * (y - 13.5) / (b * b));
				digits[(size_t)k * S * S + y * S + x] =
				    fabs(e - 0.85) < 0.15 ? 255 : 0;
			}
	}
}

/* The ink's box (values above 0.25): width and height; 0 if blank. */
static int
box(const float *p, int *bw, int *bh)
{
	int x, y, x0 = S, x1 = -1, y0 = S, y1 = -1;

	for (y = 0; y < S; y++)
		for (x = 0; x < S; x++)
			if (p[y * S + x] > 0.25f) {
				x0 = MIN(x0, x), x1 = MAX(x1, x);
				y0 = MIN(y0, y), y1 = MAX(y1, y);
			}
	*bw = x1 - x0 + 1, *bh = y1 - y0 + 1;
	return x1 >= 0;
}

/* Holes: 4-connected regions of background (values up to 0.25) that do
 * not reach the border. */
static int
holes(const float *p)
{
	int lab[S * S], stack[S * S], n = 0, sp, i, k, x, y, edge, d;
	static const int dx[4] = { 1, -1, 0, 0 }, dy[4] = { 0, 0, 1, -1 };

	for (i = 0; i < S * S; i++)
		lab[i] = p[i] > 0.25f;
	for (i = 0; i < S * S; i++) {
		if (lab[i])
			continue;
		lab[i] = 1, stack[0] = i, sp = 1, edge = 0;
		while (sp > 0) {
			k = stack[--sp], x = k % S, y = k / S;
			edge |= x == 0 || y == 0 || x == S - 1 || y == S - 1;
			for (d = 0; d < 4; d++) {
				int nx = x + dx[d], ny = y + dy[d];

				if (nx >= 0 && ny >= 0 && nx < S && ny < S &&
				    !lab[ny * S + nx])
					lab[ny * S + nx] = 1, stack[sp++] = ny * S + nx;
			}
		}
		n += !edge;
	}
	return n;
}

int
main(void)
{
	static float a[NNEG][S * S], b[S * S];
	struct rng r, r2;
	int i, bw, bh, blank = 0, badsize = 0, narrow = 0, pairs = 0, flat = 0;
	int same = 1, twoholes = 0;
	float hi;

	make_digits();
	rng_seed(&r, 11, 0);
	for (i = 0; i < NNEG; i++) {
		negative_make(a[i], digits, NDIG, &r);
		hi = 0;
		for (int j = 0; j < S * S; j++)
			hi = MAX(hi, a[i][j]);
		if (!box(a[i], &bw, &bh) || hi < 0.99f) {
			blank++;
			continue;
		}
		badsize += MAX(bw, bh) < 19 || MAX(bw, bh) > 21;
		if (bw > 2.5 * bh)
			flat++;         /* a dash */
		else if (bw > 1.1 * bh) {
			pairs++;        /* two rings side by side */
			twoholes += holes(a[i]) >= 2;
		}
		else if (bw < 0.8 * bh)
			narrow++;       /* a part of a ring, or specks */
	}
	ok(blank == 0, "no blank or dim image (%d)", blank);
	ok(badsize == 0, "the ink's longer side is 20 pixels, as MNIST's "
	    "(%d not)", badsize);
	ok(pairs > 0.2 * NNEG && pairs < 0.6 * NNEG, "two digits side by "
	    "side, wider than high (%d of %d)", pairs, NNEG);
	ok(twoholes > 0.7 * pairs, "and both whole: two holes or more, most "
	    "(%d of %d; squeezed small rings lose theirs)",
	    twoholes, pairs);
	ok(narrow > 0.03 * NNEG, "parts of digits, narrower than digits "
	    "(%d of %d; most parts of a ring are thin upright strokes, which "
	    "are not made)", narrow, NNEG);
	ok(flat > 0.03 * NNEG, "dashes (%d of %d)", flat, NNEG);

	rng_seed(&r2, 11, 0);
	for (i = 0; i < 50; i++) {
		negative_make(b, digits, NDIG, &r2);
		same &= memcmp(b, a[i], sizeof(b)) == 0;
	}
	ok(same, "the same seed makes the same images");
	return done_testing();
}
