/* segment: the digits of a prepared image (white ink on black, as prep
 * writes it), in reading order, each normalised the MNIST way */
#ifndef SEGMENT_H
#define SEGMENT_H

#include "img.h"
#include "net.h"

#define SEGMENT_MAXINK 20000

struct seg_opts {
	int lines;              /* remove ruled and squared paper's lines */
	int split;              /* split digits that touch */
	int keep;               /* keep what the net finds not a digit */
	double minsize;         /* drop ink smaller than this share of the
	                         * median digit height (specks, dots, dashes) */
	struct net *net;        /* chooses among splits; NULL: by shape */
	int maxink;             /* refuse an image of more pieces of ink */
};

struct seg_digit {
	int x, y, w, h;         /* box, in the image's pixels */
	int line, idx;          /* line of writing, place in it */
	float px[28 * 28];      /* normalised, 0..1, white ink on black */
};

struct seg_result {
	int n;
	struct seg_digit *d;
	int nlines;
	double height;          /* median digit height found */
};

void segment_defaults(struct seg_opts *o);
/* Find the digits of im (grey, ink > 0 on 0).  The caller frees r->d.
 * -1, and no digit, when im holds more than o->maxink pieces of ink
 * (beside specks): no page of digits, and hostile to time and memory. */
int segment_image(struct seg_result *r, const struct img *im,
    const struct seg_opts *o);

#endif
