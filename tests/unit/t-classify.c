/* t-classify: the answer a digit's class probabilities give, with and
 * without a "not a digit" class, and when it prints as '?'; the second
 * look at unsure digits against plain loops, with the built-in net */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "model.h"
#include "netrun.h"
#include "norm.h"
#include "rng.h"
#include "util.h"
#include "tap.h"

#define PIX (NORM_SIZE * NORM_SIZE)

static struct net *
labelled(const char *labels)
{
	static struct net n;

	memset(&n, 0, sizeof(n));
	n.nclass = (int)strlen(labels);
	strcpy(n.labels, labels);
	return &n;
}

/* in seen through the inverse map m (about the centre) then shifted by
 * (tx, ty), bilinearly, in doubles. */
static void
view_ref(float *out, const float *in, const double m[4], double tx,
    double ty)
{
	double c = (NORM_SIZE - 1) / 2.0, sx, sy, v, wx, wy;
	int x, y, i, j, xx, yy;

	for (y = 0; y < NORM_SIZE; y++)
		for (x = 0; x < NORM_SIZE; x++) {
			sx = m[0] * (x - c) + m[1] * (y - c) + c + tx;
			sy = m[2] * (x - c) + m[3] * (y - c) + c + ty;
			v = 0;
			for (yy = (int)floor(sy), j = 0; j < 2; j++, yy++)
				for (xx = (int)floor(sx), i = 0; i < 2; i++, xx++) {
					wx = 1 - fabs(sx - xx), wy = 1 - fabs(sy - yy);
					if (xx >= 0 && yy >= 0 && xx < NORM_SIZE &&
					    yy < NORM_SIZE)
						v += in[yy * NORM_SIZE + xx] * wx * wy;
				}
			out[y * NORM_SIZE + x] = (float)v;
		}
}

/* Random strokes, some of them digit-like enough for the net to hesitate:
 * classify_infer() against one look for the sure ones, and for the
 * unsure ones against the nine views made and averaged here. */
static void
check_second_look(void)
{
	char err[256];
	struct net *n = model_builtin(err, sizeof(err));
	struct rng r;
	const int cnt = 200;
	float *x = xfloats((size_t)cnt * PIX), *one, *two, *v = xfloats(9 * PIX);
	float pv[9 * 11];
	float share[11], conf;
	double a = 0.15, m[9][6] = {
		{ 1, 0, 0, 1, 0, 0 }, { 1, 0, 0, 1, 1, 0 }, { 1, 0, 0, 1, -1, 0 },
		{ 1, 0, 0, 1, 0, 1 }, { 1, 0, 0, 1, 0, -1 },
		{ 1 / 1.1, 0, 0, 1 / 1.1, 0, 0 }, { 1 / 0.9, 0, 0, 1 / 0.9, 0, 0 },
		{ cos(a), -sin(a), sin(a), cos(a), 0, 0 },
		{ cos(a), sin(a), -sin(a), cos(a), 0, 0 },
	};
	int i, k, t, s, px, py, sure = 0, unsure = 0, same = 0, bad = 0;
	double d, worst = 0, tot;

	if (!ok(n != NULL && n->nclass == 11, "the built-in net: %s",
	    n ? "11 classes" : err))
		return;
	rng_seed(&r, 7, 0);
	for (i = 0; i < cnt; i++) {
		float *im = x + (size_t)i * PIX;

		px = 8 + (int)rng_below(&r, 12), py = 6 + (int)rng_below(&r, 6);
		for (s = 0; s < 3 + i % 4; s++)
			for (t = 0; t < 10; t++) {
				im[py * NORM_SIZE + px] = 1;
				im[py * NORM_SIZE + px + 1] = 0.7f;
				px = MAX(4, MIN(22, px + (int)rng_below(&r, 3) - 1));
				py = MAX(4, MIN(23, py + (int)rng_below(&r, 3) - (s & 1)));
			}
	}
	one = xfloats((size_t)cnt * 11), two = xfloats((size_t)cnt * 11);
	netrun_infer(n, one, x, cnt);
	classify_infer(n, two, x, cnt);
	for (i = 0; i < cnt; i++) {
		const float *o = one + (size_t)i * 11, *w = two + (size_t)i * 11;

		classify_answer(n, o, &conf);
		if (conf >= CLASSIFY_UNSURE) {
			sure++;
			same += memcmp(o, w, 11 * sizeof(float)) == 0;
			continue;
		}
		unsure++;
		for (t = 0; t < 9; t++)
			view_ref(v + t * PIX, x + (size_t)i * PIX, m[t], m[t][4],
			    m[t][5]);
		netrun_infer(n, pv, v, 9);
		memset(share, 0, sizeof(share));
		for (t = 0; t < 9; t++) {
			for (tot = 0, k = 0; k < 10; k++)
				tot += pv[t * 11 + k];
			for (k = 0; k < 10; k++)
				share[k] += (float)(pv[t * 11 + k] / tot / 9);
		}
		bad += w[10] != o[10];
		for (k = 0; k < 10; k++) {
			d = fabs(w[k] - share[k] * (1 - o[10]));
			worst = MAX(worst, d);
		}
	}
	ok(sure > 10 && same == sure, "sure digits: one look (%d of %d the "
	    "same)", same, sure);
	ok(unsure > 10 && bad == 0 && worst < 1e-4, "unsure digits (%d): "
	    "not a digit as the first look says (%d differ), which digit the "
	    "mean of nine views (off by %.2g at most)", unsure, bad, worst);
	free(x), free(one), free(two), free(v);
	net_free(n);
}

int
main(void)
{
	struct net *n = labelled("0123456789?");
	struct digit d;
	float p[11], conf;
	int c;

	/* "not a digit" first, but under one half: the best digit, with its
	 * share of the digits' probability */
	memset(p, 0, sizeof(p));
	p[10] = 0.45f, p[1] = 0.40f, p[7] = 0.15f;
	c = classify_answer(n, p, &conf);
	ok(c == 1 && fabsf(conf - 0.40f / 0.55f) < 1e-5f,
	    "? at 0.45: the best digit, 1, at %.4f", conf);
	memset(&d, 0, sizeof(d));
	classify_top(&d, n, p, 2, 0.5f);
	ok(!d.reject && classify_char(n, &d) == '1' && d.top[0].cls == 10 &&
	    d.top[1].cls == 1, "it prints 1; the top list stays ? then 1");
	classify_top(&d, n, p, 2, 0.75f);
	ok(d.reject && classify_char(n, &d) == '?',
	    "below the threshold (0.727 < 0.75) it prints ?");

	/* half or more: not a digit, whatever the digits say */
	p[10] = 0.5f, p[1] = 0.5f, p[7] = 0;
	c = classify_answer(n, p, &conf);
	ok(c == 10 && conf == 0.5f, "? at 0.5: not a digit");
	classify_top(&d, n, p, 2, 0);
	ok(d.reject && classify_char(n, &d) == '?',
	    "not a digit prints ? even at threshold 0");

	/* two digits sharing what is left: each its share */
	p[10] = 0.2f, p[3] = 0.35f, p[5] = 0.45f, p[1] = 0;
	c = classify_answer(n, p, &conf);
	ok(c == 5 && fabsf(conf - 0.45f / 0.8f) < 1e-5f,
	    "5 over 3 at %.4f", conf);

	/* without the class: the best class and its probability */
	n = labelled("0123456789");
	memset(p, 0, sizeof(p));
	p[4] = 0.3f, p[9] = 0.7f;
	c = classify_answer(n, p, &conf);
	ok(c == 9 && conf == 0.7f, "ten classes: 9 at its probability");
	classify_top(&d, n, p, 1, 0.8f);
	ok(d.reject && d.cls == 9 && classify_char(n, &d) == '?',
	    "ten classes: below the threshold, ?");

	/* a net of "not a digit" alone, gone NaN: still an answer */
	n = labelled("?");
	p[0] = NAN;
	c = classify_answer(n, p, &conf);
	ok(c == 0 && conf == 0, "? the only class, NaN: ?, confidence 0");
	n = labelled("0123456789");

	/* a blank image prints ? whatever the net says */
	d.blank = 1;
	classify_top(&d, n, p, 1, 0);
	ok(d.reject, "blank: ?");

	check_second_look();
	return done_testing();
}
