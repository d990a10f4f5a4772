/* negative: made-up images that are not one digit, for training a net's
 * "not a digit" class: pieces of digits, two digits run together, dashes
 * and specks, letters and signs */
#ifndef NEGATIVE_H
#define NEGATIVE_H

#include "rng.h"

enum { NEG_PIECE, NEG_PAIR, NEG_MARK, NEG_LETTER };

/* One such image, normalised the MNIST way into out[784], made from the
 * 28x28 digits digits[0 .. n-1] (bytes, white ink on black); returns its
 * kind, NEG_PIECE (a part of a digit), NEG_PAIR (two digits), NEG_MARK
 * (a dash or specks) or NEG_LETTER. */
int negative_make(float *out, const unsigned char *digits, int n,
    struct rng *r);
/* Letter or sign k (0 ..), as written by a hand r draws, normalised into
 * out[784]; 0 when there is no letter k.  negative_letters() lists them:
 * letter k is its k-th character. */
int negative_letter(float *out, int k, struct rng *r);
const char *negative_letters(void);

#endif
