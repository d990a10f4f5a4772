/* norm: bring a grey image of one digit to MNIST's form */
#ifndef NORM_H
#define NORM_H

#define NORM_SIZE 28    /* MNIST's side */
#define NORM_BOX 20     /* the longer side of the ink after scaling */

/* Normalise a grey image of one digit, white ink on black, 0..255, w x h
 * with rows stride bytes apart, the MNIST way: crop to the ink's bounding
 * box, stretch the ink's contrast to 0..255, scale the longer side to
 * NORM_BOX pixels keeping the aspect ratio with area averaging, and place
 * it in out[NORM_SIZE * NORM_SIZE] (values 0..1) with the ink's centre of
 * mass at the centre. Returns the number of ink pixels found in the source
 * (0: blank input, out is all zero). */
long norm_digit(float *out, const unsigned char *px, int w, int h, int stride);
/* 1 when the image looks like dark ink on a light ground (the mean of its
 * border is above the middle of the image's grey range), so the caller
 * should invert it; else 0. */
int norm_is_dark_on_light(const unsigned char *px, int w, int h, int stride);

#endif
