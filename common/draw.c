/* draw: boxes and small figures on 8-bit images, for pictures of what a
 * program did */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "util.h"

/* A 3x5 font: digits, then '>', '?', '%' and '.'; each row three bits,
 * the top row first. */
static const unsigned short font[14] = {
	075557, 022222, 071747, 071717, 055711, 074717, 074757, 071111,
	075757, 075717, 042124, 071202, 051245, 000002
};

static const unsigned char black[3] = { 0, 0, 0 };
static const unsigned char green[3] = { 40, 210, 40 };
static const unsigned char red[3] = { 235, 45, 45 };

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
		    *text == '>' ? 10 : *text == '%' ? 12 : *text == '.' ? 13 : 11;
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

/* The distance of x, y to the segment a-b. */
static float
seg_dist(float x, float y, const float *a, const float *b)
{
	float dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy, t = 0;

	if (l2 > 0)
		t = fmaxf(0, fminf(1, ((x - a[0]) * dx + (y - a[1]) * dy) / l2));
	dx = a[0] + t * dx - x, dy = a[1] + t * dy - y;
	return sqrtf(dx * dx + dy * dy);
}

void
draw_pen(unsigned char *px, int w, int h, const float *a, const float *b,
    float r, unsigned char ink, unsigned char paper)
{
	int x, y, x0, x1, y0, y1;
	float cov;
	unsigned char *p, v;

	x0 = MAX(0, (int)floorf(fminf(a[0], b[0]) - r - 1));
	x1 = MIN(w - 1, (int)ceilf(fmaxf(a[0], b[0]) + r + 1));
	y0 = MAX(0, (int)floorf(fminf(a[1], b[1]) - r - 1));
	y1 = MIN(h - 1, (int)ceilf(fmaxf(a[1], b[1]) + r + 1));
	for (y = y0; y <= y1; y++)
		for (x = x0; x <= x1; x++) {
			cov = r + 0.5f - seg_dist(x + 0.5f, y + 0.5f, a, b);
			if (cov <= 0)
				continue;
			v = (unsigned char)(paper + (ink - paper) *
			    fminf(cov, 1) + 0.5f);
			p = &px[(size_t)y * w + x];
			if (ink < paper ? v < *p : v > *p)
				*p = v;
		}
}

static void
fill(struct img *im, int x, int y, int w, int h, const unsigned char rgb[3])
{
	int i, j;

	for (j = 0; j < h; j++)
		for (i = 0; i < w; i++)
			dot(im, x + i, y + j, rgb);
}

/* The height of a label of text magnified s times. */
static int
label_h(int s)
{
	return 5 * s + 2 * MAX(1, s / 2);
}

/* Black text on a label of colour bg, its top left corner at x, y, moved
 * inside the picture if need be. */
static void
label(struct img *im, int x, int y, int s, const char *text,
    const unsigned char bg[3])
{
	int pad = MAX(1, s / 2), w = 4 * s * (int)strlen(text) - s + 2 * pad;

	x = MAX(0, MIN(x, im->w - w));
	y = MAX(0, MIN(y, im->h - label_h(s)));
	fill(im, x, y, w, label_h(s), bg);
	draw_text(im, x + pad, y + pad, s, text, black);
}

/* The large font's magnification: a hundredth of the picture's shorter
 * side, but at most a fifth of the digits' mean height, and at least 2. */
static int
answer_scale(const struct img *im, const struct digit *d, int n)
{
	int i, s = MIN(im->w, im->h) / 100;
	long sum = 0;

	for (i = 0; i < n; i++)
		sum += d[i].box[3];
	if (n > 0)
		s = (int)MIN(s, sum / n / 5);
	return MAX(2, s);
}

/* The answer's confidence in percent, rounded down (only a certainty
 * shows 100.0%), after its label when d is rejected. */
static void
percent(char *buf, size_t len, const struct net *net, const struct digit *d)
{
	int tenths = (int)(d->conf * 1000);

	if (d->reject)
		snprintf(buf, len, "%c %d.%d%%", net->labels[d->cls],
		    tenths / 10, tenths % 10);
	else
		snprintf(buf, len, "%d.%d%%", tenths / 10, tenths % 10);
}

/* d's labels, s the large font's magnification and t the ring's width. */
static void
answer_labels(struct img *im, const struct digit *d, const struct net *net,
    int s, int t)
{
	const unsigned char *rgb = d->reject ? red : green;
	int x = d->box[0] - t - 1, y = d->box[1] - t - 1;
	char big[2], small[32];

	big[0] = (char)classify_char(net, d), big[1] = '\0';
	label(im, x, y - label_h(s), s, big, rgb);
	if (d->blank)
		return;         /* no ink: the net's guess means nothing */
	percent(small, sizeof(small), net, d);
	label(im, x, d->box[1] + d->box[3] + t + 1, MAX(2, s / 2), small, rgb);
}

void
draw_answers(struct img *im, const struct digit *d, int n,
    const struct net *net)
{
	int i, s = answer_scale(im, d, n), t = MAX(2, s / 2);
	const int *b;

	for (i = 0; i < n; i++) {
		b = d[i].box;
		draw_box(im, b[0] - t - 1, b[1] - t - 1, b[2] + 2 * t + 2,
		    b[3] + 2 * t + 2, 1, black);
		draw_box(im, b[0] - t, b[1] - t, b[2] + 2 * t, b[3] + 2 * t, t,
		    d[i].reject ? red : green);
	}
	/* labels after every ring, so that none is drawn over */
	for (i = 0; i < n; i++)
		answer_labels(im, &d[i], net, s, t);
}
