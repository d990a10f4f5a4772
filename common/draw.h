/* draw: boxes and small figures on 8-bit images, for pictures of what a
 * program did */
#ifndef DRAW_H
#define DRAW_H

#include "img.h"

/* A rectangle's outline, t pixels thick, in colour rgb (grey images take
 * its green), clipped to the image. */
void draw_box(struct img *im, int x, int y, int w, int h, int t,
    const unsigned char rgb[3]);
/* Text of digits, '>', '?' and spaces in a 3x5 font magnified s times;
 * other characters draw as '?'. */
void draw_text(struct img *im, int x, int y, int s, const char *text,
    const unsigned char rgb[3]);
/* Copy a grey w x h picture (values 0..1) into im at x, y, magnified s
 * times. */
void draw_grey(struct img *im, int x, int y, int s, const float *px, int w,
    int h);

#endif
