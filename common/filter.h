/* filter: whole-image operations on 8-bit grey rasters: area-averaging
 * resize, bilinear doubling, box blur, min and max filters, runs of ink, histograms */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>

/* Resize src (sw x sh) to dst (dw x dh) by exact area averaging: each
 * destination pixel is the mean of the source area it covers, fractions
 * of pixels weighed by their share.  Any ratio, up or down. */
void filter_resize(unsigned char *dst, int dw, int dh,
    const unsigned char *src, int sw, int sh);
/* dst (2w x 2h) = src (w x h) twice its size, by bilinear interpolation
 * (each new pixel 3/4 of its nearest source pixel and 1/4 of the next,
 * each way; edges clamped): a stroke a pixel or two wide becomes a soft
 * stroke of two to four. */
void filter_double(unsigned char *dst, const unsigned char *src, int w,
    int h);
/* dst = mean over a (2r+1)x(2r+1) box, edges clamped; dst may be src. */
void filter_box(unsigned char *dst, const unsigned char *src, int w, int h,
    int r);
/* dst = max (or min) over a (2r+1)x(2r+1) box (van Herk / Gil-Werman:
 * three comparisons a pixel whatever r); dst may be src. */
void filter_max(unsigned char *dst, const unsigned char *src, int w, int h,
    int r);
void filter_min(unsigned char *dst, const unsigned char *src, int w, int h,
    int r);
/* dst = median over the part of the (2r+1)x(2r+1) box inside the image
 * (the lower one of an even count); dst must not be src. */
void filter_median(unsigned char *dst, const unsigned char *src, int w,
    int h, int r);
/* len = the length of the run of ink (nonzero pixels) through each pixel
 * of p along its row, 0 on background (at most 65535); returns the
 * longest run.  filter_col_runs() the same along columns. */
int filter_row_runs(unsigned short *len, const unsigned char *p, int w,
    int h);
void filter_col_runs(unsigned short *len, const unsigned char *p, int w,
    int h);
/* hist[256] = counts of the n values of p. */
void filter_hist(long *hist, const unsigned char *p, size_t n);
/* The value below which a fraction q (0..1) of a histogram's mass lies. */
int filter_quantile(const long *hist, double q);

#endif
