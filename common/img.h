/* img: an 8-bit grey or RGB raster with its metadata */
#ifndef IMG_H
#define IMG_H

#include "meta.h"

struct img {
	int w, h;
	int c;                  /* 1 grey, 3 RGB (interleaved) */
	unsigned char *px;      /* h rows of w*c bytes, no padding */
	struct meta meta;
};

/* A zeroed w x h image of c channels; exits on out of memory. */
struct img *img_new(int w, int h, int c);
void img_free(struct img *im);
/* Grey copy of an RGB image (ITU-R BT.601 luma), or a copy of a grey one;
 * metadata is copied too. */
struct img *img_grey(const struct img *im);
/* RGB copy of a grey image (each grey level three times), or a copy of
 * an RGB one; metadata is copied too. */
struct img *img_rgb(const struct img *im);

#endif
