/* prep: a photo or scan made ready for segment(1): grey, light
 * flattened, ink found by a threshold, white ink on black */
#ifndef PREP_H
#define PREP_H

#include "img.h"

enum { PREP_AUTO, PREP_DARK, PREP_LIGHT };      /* ink polarity */
enum { PREP_AUTOT, PREP_OTSU, PREP_SAUVOLA };   /* threshold */
enum { PREP_GREY, PREP_MASK };                  /* output */

struct prep_opts {
	int size;               /* longer side at most this (0: keep the size) */
	int polarity;           /* the ink's: dark on light, light on dark */
	int method;             /* threshold */
	int window;             /* Sauvola's and flattening's window, pixels at
	                         * the working size; 0: longer side / 20 */
	double k;               /* Sauvola's k: higher takes less ink */
	int flatten;            /* even out light and shadows first */
	int output;
	long maxpix;            /* a picture is doubled only within this many
	                         * pixels (0: IMGIO_MAXPIX) */
};

void prep_defaults(struct prep_opts *o);
/* The image prepared: grey (c == 1), the longer side reduced to o->size by
 * area averaging, light flattened, ink found; ink white (its grey kept,
 * stretched so that solid ink is 255) and everything else 0; or, with
 * PREP_MASK, ink 255.  Metadata: the input's, plus scale (working pixels
 * per source pixel), size (the source's width and height), polarity and
 * threshold chosen. */
struct img *prep_image(const struct img *in, const struct prep_opts *o);

#endif
