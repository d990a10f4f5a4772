/* pipeline: prep, segment and the net in one process, computing bit for
 * bit what the three programs compute through their pipes */
#include <stdlib.h>
#include <string.h>

#include "netrun.h"
#include "pipeline.h"
#include "util.h"

#define PIX (28 * 28)

void
pipeline_defaults(struct pipeline_opts *o, struct net *net)
{
	memset(o, 0, sizeof(*o));
	prep_defaults(&o->prep);
	segment_defaults(&o->seg);
	o->seg.net = net;
	o->net = net;
	o->threshold = 0.5f;
	o->top = 2;
}

/* Working pixels per source pixel, read back from the header comment
 * prep wrote, as segment(1) reads it (rounded to 6 digits). */
static double
prep_scale(const struct img *p)
{
	const char *sc = meta_get(&p->meta, "scale");
	double scale = sc ? strtod(sc, NULL) : 1;

	return scale > 0 ? scale : 1;
}

/* One digit as cnn-infer(1) gets it from segment(1): its box in source
 * pixels, its pixels through a PGM's bytes, then made the net's input x. */
static void
take_digit(struct digit *d, float *x, const struct seg_digit *s,
    double scale, long idx)
{
	struct img *crop = img_new(28, 28, 1);
	int j;

	memset(d, 0, sizeof(*d));
	d->img = idx;
	d->line = s->line;
	d->idx = s->idx;
	d->box[0] = (int)(s->x / scale);
	d->box[1] = (int)(s->y / scale);
	d->box[2] = (int)(s->w / scale + 0.5);
	d->box[3] = (int)(s->h / scale + 0.5);
	for (j = 0; j < PIX; j++)
		crop->px[j] = (unsigned char)(s->px[j] * 255 + 0.5f);
	d->blank = classify_prepare(x, crop) == 0;
	img_free(crop);
}

int
pipeline_image(struct pipeline_result *r, const struct img *im, long idx,
    const struct pipeline_opts *o)
{
	struct img *p = prep_image(im, &o->prep);
	double scale = prep_scale(p);
	int i, nc = o->net->nclass;
	struct seg_result s;
	float *x, *prob;

	if (segment_image(&s, p, &o->seg) < 0) {
		free(s.d);
		img_free(p);
		r->n = 0;
		r->d = xmalloc(sizeof(*r->d));
		return -1;
	}
	r->n = s.n;
	r->d = xmalloc((size_t)MAX(s.n, 1) * sizeof(*r->d));
	x = xmalloc((size_t)MAX(s.n, 1) * PIX * sizeof(float));
	prob = xmalloc((size_t)MAX(s.n, 1) * nc * sizeof(float));
	for (i = 0; i < s.n; i++)
		take_digit(&r->d[i], x + (size_t)i * PIX, &s.d[i], scale, idx);
	/* all digits of the image in one batch, as cnn-infer runs them */
	if (s.n > 0)
		classify_infer(o->net, prob, x, s.n);
	for (i = 0; i < s.n; i++)
		classify_top(&r->d[i], o->net, prob + (size_t)i * nc, o->top,
		    o->threshold);
	free(prob);
	free(x);
	free(s.d);
	img_free(p);
	return 0;
}
