/* pipeline: prep, segment and the net in one process: an image to the
 * digits prep(1) | segment(1) | cnn-infer(1) read in it */
#ifndef PIPELINE_H
#define PIPELINE_H

#include "classify.h"
#include "img.h"
#include "net.h"
#include "prep.h"
#include "segment.h"

struct pipeline_opts {
	struct prep_opts prep;
	struct seg_opts seg;    /* seg.net chooses among splits */
	struct net *net;        /* classifies the digits: 1x28x28 input */
	float threshold;        /* a best probability below it is rejected */
	int top;                /* guesses kept per digit */
};

struct pipeline_result {
	int n;                  /* digits found */
	struct digit *d;        /* in reading order; the caller frees it */
};

/* The programs' defaults (cnn-infer's threshold 0.5 and top 2), with net
 * for both segment's choices and the answers. */
void pipeline_defaults(struct pipeline_opts *o, struct net *net);
/* The digits of im (grey or RGB, any size), exactly as the three
 * programs with these options find them: boxes in im's pixels, d->img
 * set to idx, and blank or unsure digits rejected.  -1, and no digit,
 * when segment_image() refuses the image (too many pieces of ink). */
int pipeline_image(struct pipeline_result *r, const struct img *im,
    long idx, const struct pipeline_opts *o);

#endif
