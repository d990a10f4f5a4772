/* augment: random distortions of a training digit, deterministic by rng */
#ifndef AUGMENT_H
#define AUGMENT_H

#include "rng.h"

/* Images with a side longer than this are copied unchanged (the work
 * buffers live on the stack). */
#define AUGMENT_MAXSIDE 64

/*
 * In the order applied, each drawn independently:
 * - stroke thickness: grey dilation (cross or 3x3) blended in by 30..100%,
 *   or erosion (cross) by 20..60% with the peak restored afterwards, so
 *   strokes too thin to erode stay as they are;
 * - one inverse map, sampled once, bilinearly, zero outside: rotation,
 *   scale, aspect, shear and shift about the centre, plus an elastic
 *   field of random displacements at 4x4 control points interpolated by
 *   Catmull-Rom splines;
 * - a Gaussian blur, sigma uniform in [0.3, blur] (blur/2 if blur <
 *   0.6; kernel radius ceil(2 sigma), at most 5), which keeps the ink
 *   mass;
 * - an ink tone curve v(1 + k)/(1 + kv/P) with P the peak, k = e^s - 1,
 *   s uniform in +-ink: k > 0 bolder, flatter strokes (markers,
 *   thresholded scans), k < 0 softer edges (pencil).
 * Every range is symmetric and uniform.  A field of 0 turns its
 * distortion off; all 0 copies in to out exactly.
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
	float ink;              /* max |s| of the ink tone curve (see above) */
	float ink_p;            /* probability of an ink tone change */
};

/* The distortions at a given strength: 0 none, 1 the defaults (rot 12,
 * scale 0.12, aspect 0.1, shear 0.25, shift 2.5, elastic 1.75 with p 0.5,
 * thick_p 0.3, blur 0.8 with p 0.2, ink 0.7 with p 0.2), up to 2, every
 * field scaled linearly (probabilities stop at 1).  Beyond about 1.5 many
 * digits stop looking like handwriting. */
void augment_init(struct augment *a, float strength);
/* Distort the w x h image in (values 0..1, white ink on black) into out
 * (same size, may not alias in), drawing every random choice from r.
 * The output stays within 0..1. */
void augment_digit(float *out, const float *in, int w, int h,
    const struct augment *a, struct rng *r);

#endif
