/*
 * t-negative: the made-up "not a digit" images are normalised the MNIST
 * way, deterministic by seed, and of all four kinds: parts of digits
 * (narrow), two digits side by side (wider than high), dashes and
 * specks, letters and signs (each the shape it names: as many holes).
 * The digits are rings like 0s, 10 to 16 pixels wide and 20 high, so
 * that a pair's width tells it from one digit.
 */
#include <math.h>
#include <string.h>

#include "negative.h"
#include "rng.h"
#include "util.h"
#include "tap.h"

#define S	28
#define NDIG	8
#define NNEG	2000

static unsigned char digits[NDIG * S * S];

/* Ring k: an ellipse's outline, half-width 5 + k/1.2, half-height 10;
 * the last one lies flat (half-width 12, half-height 7): a ring's
 * upright parts are too thin to be made, a flat one's are not. */
static void
make_digits(void)
{
	int k, x, y;
	double a, b, e;

	for (k = 0; k < NDIG; k++) {
		a = k < NDIG - 1 ? 5 + k / 1.2 : 12;
		b = k < NDIG - 1 ? 10 : 7;
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

/* The holes each letter or sign has, in the order of negative_letters(). */
static const struct {
	char c;
	int holes;
} letter_holes[] = {
	{ 'A', 1 }, { 'E', 0 }, { 'F', 0 }, { 'H', 0 }, { 'K', 0 }, { 'M', 0 },
	{ 'N', 0 }, { 'R', 1 }, { 'V', 0 }, { 'W', 0 }, { 'X', 0 }, { 'Y', 0 },
	{ 'e', 1 }, { 'f', 0 }, { 'k', 0 }, { 'm', 0 }, { 'n', 0 }, { 'r', 0 },
	{ 'v', 0 }, { 'w', 0 }, { 'x', 0 }, { '#', 1 }, { '$', 2 }, { '%', 2 },
	{ '*', 0 }, { '+', 0 }, { '=', 0 },
};

#define NLET (int)(sizeof(letter_holes) / sizeof(letter_holes[0]))
#define TRIES 25

/* Each letter drawn TRIES times: its longer side 20 pixels, and the holes
 * it has (as the hand draws it, a stroke may fall short of closing one)
 * most often what its shape has. */
static void
letters(void)
{
	const char *names = negative_letters();
	float p[S * S];
	struct rng r;
	int k, t, bw, bh, h, nh[4], size = 0, shape = 0, hi;

	ok((int)strlen(names) == NLET, "%d letters and signs (%s)",
	    (int)strlen(names), names);
	rng_seed(&r, 3, 0);
	for (k = 0; k < NLET && names[k]; k++) {
		memset(nh, 0, sizeof(nh));
		for (t = 0; t < TRIES; t++) {
			if (!negative_letter(p, k, &r) || !box(p, &bw, &bh))
				continue;
			size += MAX(bw, bh) >= 19 && MAX(bw, bh) <= 21;
			h = holes(p);
			nh[MIN(h, 3)]++;
		}
		for (hi = 0, h = 1; h < 4; h++)
			if (nh[h] > nh[hi])
				hi = h;
		if (names[k] == letter_holes[k].c && hi == letter_holes[k].holes)
			shape++;
		else
			diag("%c: most often %d holes (%d %d %d %d), not %d",
			    names[k], hi, nh[0], nh[1], nh[2], nh[3],
			    letter_holes[k].holes);
	}
	ok(size == NLET * TRIES, "each drawn, 20 pixels on its longer side "
	    "(%d of %d)", size, NLET * TRIES);
	ok(shape == NLET, "each with the holes of its shape (%d of %d)",
	    shape, NLET);
	ok(!negative_letter(p, NLET, &r) && !negative_letter(p, -1, &r),
	    "no letter past the last");
}

int
main(void)
{
	static float a[NNEG][S * S], b[S * S];
	struct rng r, r2;
	int i, bw, bh, blank = 0, badsize = 0, narrow = 0, pairs = 0, flat = 0;
	int same = 1, twoholes = 0, kind, nletter = 0, wrongkind = 0;
	int wide = 0, pieces = 0, marks = 0;
	float hi;

	make_digits();
	rng_seed(&r, 11, 0);
	for (i = 0; i < NNEG; i++) {
		kind = negative_make(a[i], digits, NDIG, &r);
		hi = 0;
		for (int j = 0; j < S * S; j++)
			hi = MAX(hi, a[i][j]);
		if (!box(a[i], &bw, &bh) || hi < 0.99f) {
			blank++;
			continue;
		}
		badsize += MAX(bw, bh) < 19 || MAX(bw, bh) > 21;
		switch (kind) {
		case NEG_PAIR:          /* two rings side by side */
			pairs++;
			wide += bw > 1.1 * bh;
			twoholes += holes(a[i]) >= 2;
			break;
		case NEG_PIECE:         /* a part of a ring */
			pieces++;
			narrow += bw < 0.8 * bh;
			break;
		case NEG_MARK:          /* a dash or specks */
			marks++;
			flat += bw > 2.5 * bh;
			break;
		case NEG_LETTER:
			nletter++;
			break;
		default:
			wrongkind++;
		}
	}
	ok(blank == 0, "no blank or dim image (%d)", blank);
	ok(badsize == 0, "the ink's longer side is 20 pixels, as MNIST's "
	    "(%d not)", badsize);
	ok(wrongkind == 0, "each of the four kinds (%d not)", wrongkind);
	ok(pairs > 0.2 * NNEG && wide > 0.5 * pairs, "two digits side by "
	    "side, most wider than high (%d of %d, %d wide)", pairs, NNEG,
	    wide);
	ok(twoholes > 0.7 * pairs, "and both whole: two holes or more, most "
	    "(%d of %d; squeezed small rings lose theirs)",
	    twoholes, pairs);
	ok(pieces > 0.03 * NNEG && narrow > 0.9 * pieces, "parts of digits, "
	    "narrower than digits (%d of %d, %d narrow; the flat ring's, "
	    "as the parts of upright rings are thin strokes, not made)",
	    pieces, NNEG, narrow);
	ok(marks > 0.1 * NNEG && flat > 0.3 * marks, "dashes and specks "
	    "(%d of %d, %d dashes)", marks, NNEG, flat);
	ok(nletter > 0.05 * NNEG && nletter < 0.3 * NNEG, "letters and signs "
	    "(%d of %d)", nletter, NNEG);
	letters();

	rng_seed(&r2, 11, 0);
	for (i = 0; i < 50; i++) {
		negative_make(b, digits, NDIG, &r2);
		same &= memcmp(b, a[i], sizeof(b)) == 0;
	}
	ok(same, "the same seed makes the same images");
	return done_testing();
}
