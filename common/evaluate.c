/* evaluate: a net's accuracy on a labelled set, the confusion matrix,
 * and a picture of the digits it got wrong */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "draw.h"
#include "evaluate.h"
#include "imgio.h"
#include "netrun.h"
#include "util.h"

#define PIX 784
#define CHUNK 2000
#define COLS 20                 /* cells per row of the grid */
#define CELL 32                 /* 28 pixels and a margin */
#define CAPTION 8

void
evaluate_run(struct evaluation *e, struct net *n, const struct dataset *d)
{
	float *x = xfloats((size_t)CHUNK * PIX);
	float *p = xfloats((size_t)CHUNK * n->nclass);
	double t0, l = 0;
	int i, j, cnt, best;
	float conf;

	memset(e, 0, sizeof(*e));
	e->nclass = n->nclass;
	e->n = d->n;
	e->pred = xmalloc(d->n ? d->n : 1);
	for (i = 0; i < d->n; i += CHUNK) {
		cnt = MIN(CHUNK, d->n - i);
		for (j = 0; j < cnt * PIX; j++)
			x[j] = d->x[(size_t)i * PIX + j] * (1.0f / 255);
		t0 = util_now();
		classify_infer(n, p, x, cnt);
		e->secs += util_now() - t0;
		for (j = 0; j < cnt; j++) {
			const float *q = p + (size_t)j * n->nclass;

			best = classify_answer(n, q, &conf);
			e->pred[i + j] = (unsigned char)best;
			e->right += best == d->y[i + j];
			if (d->y[i + j] < 64)
				e->conf[d->y[i + j]][best]++;
			l -= log(fmax(d->y[i + j] < n->nclass ? q[d->y[i + j]] : 0,
			    1e-30));
		}
	}
	e->loss = d->n ? l / d->n : 0;
	free(x);
	free(p);
}

void
evaluate_free(struct evaluation *e)
{
	free(e->pred);
	e->pred = NULL;
}

void
evaluate_print(FILE *fp, const struct evaluation *e, const struct net *n,
    int threads)
{
	long tot;
	int i, j;

	fprintf(fp, "accuracy %.2f%% (%ld/%ld)\n", e->n ? 100.0 * e->right /
	    e->n : 0, e->right, e->n);
	fprintf(fp, "loss %.4f\n", e->loss);
	fprintf(fp, "\nclass\tcorrect\ttotal\taccuracy\n");
	for (i = 0; i < e->nclass; i++) {
		for (tot = 0, j = 0; j < e->nclass; j++)
			tot += e->conf[i][j];
		fprintf(fp, "%c\t%ld\t%ld\t%.2f%%\n", n->labels[i], e->conf[i][i],
		    tot, tot ? 100.0 * e->conf[i][i] / tot : 0);
	}
	fprintf(fp, "\nconfusion (rows: true class, columns: answer)\n ");
	for (j = 0; j < e->nclass; j++)
		fprintf(fp, "\t%c", n->labels[j]);
	putc('\n', fp);
	for (i = 0; i < e->nclass; i++) {
		fprintf(fp, "%c", n->labels[i]);
		for (j = 0; j < e->nclass; j++)
			fprintf(fp, "\t%ld", e->conf[i][j]);
		putc('\n', fp);
	}
	fprintf(fp, "\nspeed %.0f images/s (%.3f s, %d thread%s)\n",
	    e->secs > 0 ? e->n / e->secs : 0, e->secs, threads,
	    threads == 1 ? "" : "s");
}

int
evaluate_grid(FILE *fp, const struct evaluation *e, const struct dataset *d,
    const struct net *n)
{
	static const unsigned char grey[3] = { 160, 160, 160 };
	long wrong = e->n - e->right, k = 0, i;
	int cols = (int)MIN(COLS, MAX(wrong, 1));
	int rows = (int)((wrong + cols - 1) / cols), x0, y0, j;
	struct img *im = img_new(cols * CELL, MAX(rows, 1) * (CELL + CAPTION), 1);
	char cap[4];
	float px[PIX];

	for (i = 0; i < e->n; i++) {
		if (e->pred[i] == d->y[i])
			continue;
		x0 = (int)(k % cols) * CELL + 2;
		y0 = (int)(k / cols) * (CELL + CAPTION) + 1;
		cap[0] = n->labels[d->y[i]], cap[1] = '>';
		cap[2] = n->labels[e->pred[i]], cap[3] = '\0';
		draw_text(im, x0 + 8, y0, 1, cap, grey);
		for (j = 0; j < PIX; j++)
			px[j] = d->x[(size_t)i * PIX + j] * (1.0f / 255);
		draw_grey(im, x0, y0 + CAPTION, 1, px, 28, 28);
		k++;
	}
	meta_setf(&im->meta, "wrong", "%ld", wrong);
	i = imgio_write(fp, im);
	img_free(im);
	return i < 0 || ferror(fp) ? -1 : 0;
}
