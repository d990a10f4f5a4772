/* img: an 8-bit grey or RGB raster with its metadata */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "img.h"
#include "util.h"

/*
 * A bad size is a bug in the caller (readers check sizes before they get
 * here), so it ends the program like running out of memory does.
 */
struct img *
img_new(int w, int h, int c)
{
	struct img *im;
	size_t n;

	if (w < 0 || h < 0 || (c != 1 && c != 3))
		errx(1, "img_new: bad size %dx%dx%d", w, h, c);
	n = (size_t)w * c;
	if (h != 0 && n > SIZE_MAX / h)
		errx(1, "img_new: image of %dx%d pixels is too large", w, h);
	n *= h;
	im = xcalloc(1, sizeof(*im));
	im->w = w;
	im->h = h;
	im->c = c;
	im->px = xcalloc(n ? n : 1, 1);
	return im;
}

void
img_free(struct img *im)
{
	if (im == NULL)
		return;
	meta_clear(&im->meta);
	free(im->px);
	free(im);
}

/* Y = 0.299 R + 0.587 G + 0.114 B (BT.601) in 16.16 fixed point, rounded:
 * libjpeg's weights, within a grey level of the exact value. */
VECTOR_CLONES static void
grey_row(unsigned char *restrict d, const unsigned char *restrict s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (unsigned char)((19595u * s[3 * i] + 38470u * s[3 * i + 1] +
		    7471u * s[3 * i + 2] + 32768u) >> 16);
}

struct img *
img_grey(const struct img *im)
{
	struct img *g;
	size_t n;

	g = img_new(im->w, im->h, 1);
	n = (size_t)im->w * im->h;
	if (im->c == 1)
		memcpy(g->px, im->px, n);
	else
		grey_row(g->px, im->px, n);
	meta_copy(&g->meta, &im->meta);
	return g;
}

struct img *
img_rgb(const struct img *im)
{
	struct img *c;
	size_t i, n;

	c = img_new(im->w, im->h, 3);
	n = (size_t)im->w * im->h;
	if (im->c == 3)
		memcpy(c->px, im->px, 3 * n);
	else
		for (i = 0; i < n; i++)
			memset(c->px + 3 * i, im->px[i], 3);
	meta_copy(&c->meta, &im->meta);
	return c;
}
