/* classify: one digit image to the net's answer, and the answers printed
 * the ways cnn-infer(1) documents (plain, TSV, JSON) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "netrun.h"
#include "norm.h"
#include "util.h"

/* The second look's views: the digit itself, shifted a pixel each way,
 * 10% larger and smaller, turned 8.6 degrees (0.15 radians) each way.
 * Each row is the inverse map (a b c d: the 2x2 matrix, e f: the shift)
 * from a view's pixels, about the centre, to the digit's. */
static const float views[][6] = {
	{ 1, 0, 0, 1, 0, 0 },
	{ 1, 0, 0, 1, 1, 0 }, { 1, 0, 0, 1, -1, 0 },
	{ 1, 0, 0, 1, 0, 1 }, { 1, 0, 0, 1, 0, -1 },
	{ 1 / 1.1f, 0, 0, 1 / 1.1f, 0, 0 }, { 1 / 0.9f, 0, 0, 1 / 0.9f, 0, 0 },
	{ 0.98877f, -0.14944f, 0.14944f, 0.98877f, 0, 0 },
	{ 0.98877f, 0.14944f, -0.14944f, 0.98877f, 0, 0 },
};
#define NVIEW (int)(sizeof(views) / sizeof(views[0]))

/* out = in (NORM_SIZE square) seen through view v: sampled bilinearly,
 * zero outside. */
static void
view(float *out, const float *in, const float *v)
{
	const float c = (NORM_SIZE - 1) / 2.0f;
	int x, y, x0, y0, i, j, xx, yy;
	float sx, sy, fx, fy, s;

	for (y = 0; y < NORM_SIZE; y++)
		for (x = 0; x < NORM_SIZE; x++) {
			sx = v[0] * (x - c) + v[1] * (y - c) + c + v[4];
			sy = v[2] * (x - c) + v[3] * (y - c) + c + v[5];
			x0 = (int)floorf(sx), y0 = (int)floorf(sy);
			fx = sx - x0, fy = sy - y0, s = 0;
			for (j = 0; j < 2; j++)
				for (i = 0; i < 2; i++) {
					xx = x0 + i, yy = y0 + j;
					if (xx >= 0 && yy >= 0 && xx < NORM_SIZE &&
					    yy < NORM_SIZE)
						s += in[yy * NORM_SIZE + xx] *
						    (i ? fx : 1 - fx) * (j ? fy : 1 - fy);
				}
			out[y * NORM_SIZE + x] = s;
		}
}

/* prob, the first look's probabilities, made the mean of the views'
 * (p: NVIEW - 1 rows) over the digits: the share of each digit among
 * them, averaged, times the first look's probability of a digit.  The
 * views say which digit it is, not whether it is one: shifted, scaled
 * or turned, a digit looks less like one than it is. */
static void
second_look(const struct net *n, float *prob, const float *p)
{
	int k, v, nc = n->nclass, q;
	float share[CLASSIFY_TOP + 1] = { 0 }, digit, t;

	for (q = 0; q < nc && n->labels[q] != '?'; q++)
		;
	for (v = 0; v < NVIEW; v++) {
		const float *r = v ? p + (size_t)(v - 1) * nc : prob;

		for (t = 0, k = 0; k < nc; k++)
			t += k != q ? r[k] : 0;
		for (k = 0; k < nc; k++)
			share[k] += k != q ? r[k] / MAX(t, 1e-12f) / NVIEW : 0;
	}
	digit = q < nc ? 1 - prob[q] : 1;
	for (k = 0; k < nc; k++)
		if (k != q)
			prob[k] = share[k] * digit;
}

void
classify_infer(struct net *n, float *prob, const float *images, int count)
{
	const int pix = NORM_SIZE * NORM_SIZE, nc = n->nclass;
	int *unsure = xmalloc((count + 1) * sizeof(int)), m = 0, i, v;
	float conf, *x, *p;

	netrun_infer(n, prob, images, count);
	if (n->in_c != 1 || n->in_h != NORM_SIZE || n->in_w != NORM_SIZE ||
	    nc > CLASSIFY_TOP + 1) {
		free(unsure);
		return;
	}
	for (i = 0; i < count; i++) {
		classify_answer(n, prob + (size_t)i * nc, &conf);
		if (conf < CLASSIFY_UNSURE)
			unsure[m++] = i;
	}
	if (m == 0) {           /* sure of them all: one look */
		free(unsure);
		return;
	}
	x = xfloats((size_t)m * (NVIEW - 1) * pix);
	p = xfloats((size_t)m * (NVIEW - 1) * nc);
	for (i = 0; i < m; i++)
		for (v = 1; v < NVIEW; v++)
			view(x + ((size_t)i * (NVIEW - 1) + v - 1) * pix,
			    images + (size_t)unsure[i] * pix, views[v]);
	netrun_infer(n, p, x, m * (NVIEW - 1));
	for (i = 0; i < m; i++)
		second_look(n, prob + (size_t)unsure[i] * nc,
		    p + (size_t)i * (NVIEW - 1) * nc);
	free(x);
	free(p);
	free(unsure);
}

long
classify_prepare(float *out, const struct img *im)
{
	struct img *g = img_grey(im);
	size_t i, n = (size_t)g->w * g->h;
	long ink;

	if (norm_is_dark_on_light(g->px, g->w, g->h, g->w))
		for (i = 0; i < n; i++)
			g->px[i] = 255 - g->px[i];
	if (g->w == NORM_SIZE && g->h == NORM_SIZE)
		for (i = 0, ink = 0; i < n; i++) {
			out[i] = g->px[i] * (1.0f / 255);
			ink += g->px[i] >= 64;
		}
	else
		ink = norm_digit(out, g->px, g->w, g->h, g->w);
	img_free(g);
	return ink;
}

int
classify_answer(const struct net *n, const float *prob, float *conf)
{
	int q, c, best = -1;

	for (q = 0; q < n->nclass && n->labels[q] != '?'; q++)
		;
	if (q < n->nclass && prob[q] >= 0.5f) {
		*conf = prob[q];
		return q;
	}
	for (c = 0; c < n->nclass; c++)
		if (c != q && (best < 0 || prob[c] > prob[best]))
			best = c;
	if (best < 0) {                 /* '?' the only class, and NaN */
		*conf = 0;
		return q;
	}
	*conf = q < n->nclass ? prob[best] / MAX(1 - prob[q], 1e-6f) : prob[best];
	*conf = MIN(*conf, 1.0f);
	return best;
}

void
classify_top(struct digit *d, const struct net *n, const float *prob, int k,
    float threshold)
{
	int i, j, c, nclass = n->nclass;

	k = MIN(MIN(k, nclass), CLASSIFY_TOP);
	d->ntop = 0;
	for (c = 0; c < nclass; c++) {
		/* insertion into the sorted top k */
		for (i = d->ntop; i > 0 && d->top[i - 1].p < prob[c]; i--)
			if (i < k)
				d->top[i] = d->top[i - 1];
		if (i < k) {
			d->top[i].cls = c;
			d->top[i].p = prob[c];
			if (d->ntop < k)
				d->ntop++;
		}
	}
	for (j = d->ntop; j < k; j++)
		d->top[j].cls = -1, d->top[j].p = 0;
	d->cls = classify_answer(n, prob, &d->conf);
	d->reject = d->blank || n->labels[d->cls] == '?' || d->conf < threshold;
}

int
classify_char(const struct net *n, const struct digit *d)
{
	return d->reject ? '?' : n->labels[d->cls];
}

void
classify_plain(FILE *fp, const struct net *n, const struct digit *d, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++) {
		if (i > 0 && d[i].line != d[i - 1].line)
			putc(' ', fp);
		putc(classify_char(n, &d[i]), fp);
	}
	putc('\n', fp);
}

void
classify_tsv(FILE *fp, const struct net *n, const struct digit *d, int cnt)
{
	int i, j;

	for (i = 0; i < cnt; i++) {
		fprintf(fp, "%ld\t%d\t%d\t%d\t%d\t%d\t%d\t%c\t%.4f", d[i].img,
		    d[i].line, d[i].idx, d[i].box[0], d[i].box[1], d[i].box[2],
		    d[i].box[3], classify_char(n, &d[i]), d[i].conf);
		for (j = 1; j < d[i].ntop; j++)
			fprintf(fp, "\t%c\t%.4f", n->labels[d[i].top[j].cls],
			    d[i].top[j].p);
		putc('\n', fp);
	}
}

void
classify_json_string(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
	putc('"', fp);
}

void
classify_json_digits(FILE *fp, const struct net *n, const struct digit *d,
    int cnt)
{
	int i, j;

	fputs("\"text\":\"", fp);
	for (i = 0; i < cnt; i++) {
		if (i > 0 && d[i].line != d[i - 1].line)
			putc(' ', fp);
		putc(classify_char(n, &d[i]), fp);
	}
	fputs("\",\"digits\":[", fp);
	for (i = 0; i < cnt; i++) {
		fprintf(fp, "%s{\"line\":%d,\"index\":%d,\"box\":[%d,%d,%d,%d],"
		    "\"digit\":\"%c\",\"confidence\":%.4f,\"top\":[", i ? "," : "",
		    d[i].line, d[i].idx, d[i].box[0], d[i].box[1], d[i].box[2],
		    d[i].box[3], classify_char(n, &d[i]), d[i].conf);
		for (j = 0; j < d[i].ntop; j++)
			fprintf(fp, "%s{\"digit\":\"%c\",\"p\":%.4f}", j ? "," : "",
			    n->labels[d[i].top[j].cls], d[i].top[j].p);
		fputs("]}", fp);
	}
	putc(']', fp);
}

void
classify_json(FILE *fp, const struct net *n, long img, const char *src,
    const struct digit *d, int cnt)
{
	fprintf(fp, "{\"image\":%ld,", img);
	if (src) {
		fputs("\"source\":", fp);
		classify_json_string(fp, src);
		putc(',', fp);
	}
	classify_json_digits(fp, n, d, cnt);
	fputs("}\n", fp);
}
