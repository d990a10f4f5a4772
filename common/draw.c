/* draw: boxes and small figures on 8-bit images, for pictures of what a
 * program did */
#include <stddef.h>

#include "draw.h"

/* A 3x5 font: digits, then '>' and '?'; each row three bits, the top
 * row first. */
static const unsigned short font[12] = {
	075557, 022222, 071747, 071717, 055711, 074717, 074757, 071111,
	075757, 075717, 042124, 071202
};

static void
dot(struct img *im, int x, int y, const unsigned char rgb[3])
{
	unsigned char *p;
	int k;

	if (x < 0 || y < 0 || x >= im->w || y >= im->h)
		return;
	p = im->px + ((size_t)y * im->w + x) * im->c;
	if (im->c == 1)
		*p = rgb[1];
	else
		for (k = 0; k < 3; k++)
			p[k] = rgb[k];
}

void
draw_box(struct img *im, int x, int y, int w, int h, int t,
    const unsigned char rgb[3])
{
	int i, j;

	for (j = 0; j < t; j++)
		for (i = 0; i < w; i++) {
			dot(im, x + i, y + j, rgb);
			dot(im, x + i, y + h - 1 - j, rgb);
		}
	for (j = 0; j < h; j++)
		for (i = 0; i < t; i++) {
			dot(im, x + i, y + j, rgb);
			dot(im, x + w - 1 - i, y + j, rgb);
		}
}

void
draw_text(struct img *im, int x, int y, int s, const char *text,
    const unsigned char rgb[3])
{
	int g, r, c, i, j;

	for (; *text; text++, x += 4 * s) {
		if (*text == ' ')
			continue;
		g = *text >= '0' && *text <= '9' ? *text - '0' :
		    *text == '>' ? 10 : 11;
		for (r = 0; r < 5; r++)
			for (c = 0; c < 3; c++)
				if (font[g] >> (14 - 3 * r - c) & 1)
					for (i = 0; i < s; i++)
						for (j = 0; j < s; j++)
							dot(im, x + c * s + j, y + r * s + i, rgb);
	}
}

void
draw_grey(struct img *im, int x, int y, int s, const float *px, int w, int h)
{
	unsigned char v[3];
	int r, c, i, j;

	for (r = 0; r < h; r++)
		for (c = 0; c < w; c++) {
			v[0] = v[1] = v[2] = (unsigned char)(px[r * w + c] * 255 + 0.5f);
			for (i = 0; i < s; i++)
				for (j = 0; j < s; j++)
					dot(im, x + c * s + j, y + r * s + i, v);
		}
}
