/* cc: connected components of the non-zero pixels of an image, as runs.
 * One pass over the rows finds the runs and joins each to the runs it
 * touches in the row above (union-find); a second groups them. */
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "util.h"

int
cc_root(int *up, int i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

void
cc_join(int *up, int a, int b)
{
	a = cc_root(up, a), b = cc_root(up, b);
	if (a != b)
		up[MAX(a, b)] = MIN(a, b);
}

/* All runs of p, each joined to the runs of the row above it touches
 * (8-connectivity: overlapping or diagonal). */
static int
find_runs(struct cc_run **runs, int **up, const unsigned char *p, int w,
    int h)
{
	int n = 0, cap = 1024, x, y, prev0 = 0, prev1 = 0, cur0, j;
	struct cc_run *r = xmalloc(cap * sizeof(*r));
	int *u = xmalloc(cap * sizeof(int));

	for (y = 0; y < h; y++) {
		const unsigned char *row = p + (size_t)y * w;

		cur0 = n;
		for (x = 0; x < w; x++) {
			if (!row[x])
				continue;
			if (n == cap) {
				cap *= 2;
				r = xrealloc(r, cap * sizeof(*r));
				u = xrealloc(u, cap * sizeof(int));
			}
			r[n].y = y, r[n].x0 = x;
			while (x + 1 < w && row[x + 1])
				x++;
			r[n].x1 = x, u[n] = n;
			for (j = prev0; j < prev1; j++)
				if (r[j].x0 <= r[n].x1 + 1 && r[n].x0 <= r[j].x1 + 1)
					cc_join(u, j, n);
			n++;
		}
		prev0 = cur0, prev1 = n;
	}
	*runs = r, *up = u;
	return n;
}

static int
by_left(const void *a, const void *b)
{
	const struct cc_comp *p = a, *q = b;

	return p->x0 != q->x0 ? (p->x0 > q->x0) - (p->x0 < q->x0) :
	    (p->y0 > q->y0) - (p->y0 < q->y0);
}

void
cc_find(struct cc *c, const unsigned char *p, int w, int h)
{
	struct cc_run *r;
	int *up, *id, *fill, i, k, n = find_runs(&r, &up, p, w, h);
	struct cc_comp *m;

	memset(c, 0, sizeof(*c));
	id = xmalloc((n + 1) * sizeof(int));
	for (i = 0, k = 0; i < n; i++)
		id[i] = cc_root(up, i) == i ? k++ : id[cc_root(up, i)];
	c->n = k, c->nrun = n;
	c->comp = xcalloc(k ? k : 1, sizeof(*c->comp));
	c->run = xmalloc((n ? n : 1) * sizeof(*c->run));
	for (i = 0; i < k; i++)
		c->comp[i].x0 = w, c->comp[i].y0 = h, c->comp[i].x1 = -1,
		    c->comp[i].y1 = -1;
	for (i = 0; i < n; i++) {
		m = &c->comp[id[i]];
		m->nrun++;
		m->area += r[i].x1 - r[i].x0 + 1;
		for (int x = r[i].x0; x <= r[i].x1; x++)
			m->mass += p[(size_t)r[i].y * w + x];
		m->x0 = MIN(m->x0, r[i].x0), m->x1 = MAX(m->x1, r[i].x1);
		m->y0 = MIN(m->y0, r[i].y), m->y1 = MAX(m->y1, r[i].y);
	}
	fill = xcalloc(k + 1, sizeof(int));
	for (i = 1; i < k; i++)
		c->comp[i].run0 = c->comp[i - 1].run0 + c->comp[i - 1].nrun;
	for (i = 0; i < n; i++)
		c->run[c->comp[id[i]].run0 + fill[id[i]]++] = r[i];
	qsort(c->comp, k, sizeof(*c->comp), by_left);
	free(fill);
	free(id);
	free(up);
	free(r);
}

void
cc_free(struct cc *c)
{
	free(c->comp);
	free(c->run);
	memset(c, 0, sizeof(*c));
}
