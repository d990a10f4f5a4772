/* thresh: global and local thresholds of a grey image */
#ifndef THRESH_H
#define THRESH_H

#include <stddef.h>

/* Otsu's threshold of a histogram: the t that best separates the values
 * <= t from those above (largest between-class variance); *sep, if not
 * NULL, gets that variance over the total one (0..1: how cleanly two
 * classes separate). */
int thresh_otsu(const long *hist, double *sep);
/* Sauvola's local threshold for dark ink on a light ground: with m and s
 * the mean and standard deviation of a (2r+1)-square window around a
 * pixel (from integral images), the pixel passes the test of k when it is
 * below m (1 + k (s / range - 1)).  range is Sauvola's R, 128 in his
 * paper: the standard deviation at which the threshold is the mean.  mask gets 255 where it passes the test of k, 128 where it
 * passes only the looser one of kw (kw <= k), 0 else.  r is at most
 * 8000. */
void thresh_sauvola(unsigned char *mask, const unsigned char *p, int w,
    int h, int r, double k, double kw, double range);
/* The same, plainly: the window summed pixel by pixel, a square root and
 * a division a pixel (the reference the fast one is tested against). */
void thresh_sauvola_ref(unsigned char *mask, const unsigned char *p, int w,
    int h, int r, double k, double kw, double range);
/* Hysteresis: the pixels of 128 that are within steps pixels (4-connected,
 * through pixels of 128) of one of 255 become 255; then all but 255 are
 * 0.  Faint parts of a stroke join it; faint things apart from ink do
 * not. */
void thresh_grow(unsigned char *mask, int w, int h, int steps);

#endif
