/* draw: boxes and small figures on 8-bit images, for pictures of what a
 * program did */
#ifndef DRAW_H
#define DRAW_H

#include "classify.h"
#include "img.h"
#include "net.h"

/* A rectangle's outline, t pixels thick, in colour rgb (grey images take
 * its green), clipped to the image. */
void draw_box(struct img *im, int x, int y, int w, int h, int t,
    const unsigned char rgb[3]);
/* Text of digits, '>', '?', '%', '.' and spaces in a 3x5 font magnified
 * s times, 4s pixels a character; other characters draw as '?'. */
void draw_text(struct img *im, int x, int y, int s, const char *text,
    const unsigned char rgb[3]);
/* Copy a grey w x h picture (values 0..1) into im at x, y, magnified s
 * times. */
void draw_grey(struct img *im, int x, int y, int s, const float *px, int w,
    int h);
/* A stroke of a round pen of radius r from a to b (x, y each) on the
 * grey w x h image px: a capsule (a disc when a is b) with anti-aliased
 * edges, of ink on paper.  Each pixel keeps the ink nearest ink (the
 * darkest for dark ink), so that strokes crossing or drawn twice do not
 * thicken, and segments drawn one by one make the same picture as the
 * whole stroke drawn again. */
void draw_pen(unsigned char *px, int w, int h, const float *a,
    const float *b, float r, unsigned char ink, unsigned char paper);
/* The answers for the digits d[0..n-1] (cnn-infer's, boxes in im's
 * pixels) over the picture they were read in, for a person to see: a
 * ring around each box, green if accepted and red if rejected, edged in
 * black; above it on a label of its colour, large, the digit (or '?');
 * below it, small, the best class's probability in percent, after its
 * label when rejected ("7 41.2%").  Sizes follow the picture's and the
 * digits'. */
void draw_answers(struct img *im, const struct digit *d, int n,
    const struct net *net);

#endif
