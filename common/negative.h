/* negative: made-up images that are not one digit, for training a net's
 * "not a digit" class: pieces of digits, two digits run together, dashes
 * and specks */
#ifndef NEGATIVE_H
#define NEGATIVE_H

#include "rng.h"

/* One such image, normalised the MNIST way into out[784], made from the
 * 28x28 digits digits[0 .. n-1] (bytes, white ink on black). */
void negative_make(float *out, const unsigned char *digits, int n,
    struct rng *r);

#endif
