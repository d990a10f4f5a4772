/* classify: one digit image to the net's answer, and the answers printed
 * the ways cnn-infer(1) documents (plain, TSV, JSON) */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "norm.h"
#include "util.h"

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
