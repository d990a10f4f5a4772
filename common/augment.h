/* augment: random distortions of a training digit, deterministic by rng */
#ifndef AUGMENT_H
#define AUGMENT_H

#include "rng.h"

/* Images with a side longer than this are copied unchanged (the work
 * buffers live on the stack). */
#define AUGMENT_MAXSIDE 64

/*
 * One random inverse map (rotation, scale, aspect, shear, shift, and an
 * elastic field interpolated from a 5x5 grid of random displacements)
 * resamples the image once, bilinearly, zero outside.  Stroke thickness
 * changes before it; blur and the ink tone curve after it.  A field of 0
 * turns its distortion off; all 0 copies in to out exactly.
 */
struct augment {
	float rot;              /* max rotation, degrees */
	float scale;            /* max relative change of size (0.15: 0.85..1.15) */
	float aspect;           /* max relative change of width vs height */
	float shear;            /* max horizontal shear (tan of the angle) */
	float shift;            /* max translation, pixels */
	float elastic;          /* elastic distortion amplitude, pixels */
	float elastic_p;        /* probability of an elastic distortion */
	float thick_p;          /* probability of thickening or thinning strokes */
	float blur;             /* max Gaussian blur sigma, pixels */
	float blur_p;           /* probability of a blur */
	float ink;              /* max k of the ink tone curve v(1+k)/(1+kv):
	                         * k > 0 bolder, saturated ink (markers,
	                         * thresholded scans), k < 0 fainter edges */
	float ink_p;            /* probability of an ink tone change */
};

/* The distortions at a given strength: 0 none, 1 the defaults, up to 2. */
void augment_init(struct augment *a, float strength);
/* Distort the w x h image in (values 0..1, white ink on black) into out
 * (same size, may not alias in), drawing every random choice from r.
 * The output is clamped to 0..1 unless it is an exact copy. */
void augment_digit(float *out, const float *in, int w, int h,
    const struct augment *a, struct rng *r);

#endif
