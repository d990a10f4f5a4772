/* segment: the digits of a prepared image (white ink on black, as prep
 * writes it), in reading order, each normalised the MNIST way.
 *
 * The steps: ruled and squared paper's lines are taken out (long thin
 * runs of ink); the connected components of what is left are found;
 * page edges, frames and blobs are dropped; pieces of one digit (a 5's
 * detached bar) are joined; the components go into lines of writing,
 * following slanted lines left to right; specks, dots and dashes much
 * smaller than the digits are dropped; components too wide for one digit
 * are cut where the classifier reads the pieces best; what the classifier
 * is sure is not a digit is dropped; each digit's own ink is normalised
 * into 28x28. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
#include "filter.h"
#include "netrun.h"
#include "norm.h"
#include "segment.h"
#include "util.h"

struct blob {
	int x0, y0, x1, y1;     /* box, inclusive */
	unsigned char *px;      /* its own ink over the box, 0 elsewhere */
	long area;
	int line;
	int dead;
	int edge;               /* touches the picture's edge */
	int flat;               /* a long flat stroke lower than half a digit:
				 * a dash, or a digit's bar broken off */
	int read;               /* read by the net as it is: 0 not yet, 1 a
				 * digit, 2 not a digit (see not_digit()) */
};

#define BW(b) ((b)->x1 - (b)->x0 + 1)
#define BH(b) ((b)->y1 - (b)->y0 + 1)
#define TALL 1.8               /* in a line, taller than this many heights: not a digit */
#define EDGESIZE 0.6            /* at the picture's edge, lower: not a digit */
#define HOLES 20                /* ink with more holes is grain, not a digit */
#define STRAY 1.5               /* a piece of a line strays no further from
				 * straight, in pixels */

void
segment_defaults(struct seg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lines = 1;
	o->split = 1;
	o->minsize = 0.3;
	o->maxink = SEGMENT_MAXINK;
}

static int
cmp_int(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) -
	    (*(const int *)a < *(const int *)b);
}

/* The median of n ints (n > 0); v is reordered. */
static int
median(int *v, int n)
{
	qsort(v, n, sizeof(int), cmp_int);
	return v[n / 2];
}

/* The median height of the components that may be digits. */
static int
digit_height(const struct cc *c, int w, int h)
{
	int *v = xmalloc((c->n + 1) * sizeof(int)), n = 0, i, m;
	const struct cc_comp *k;

	for (i = 0; i < c->n; i++) {
		k = &c->comp[i];
		if (k->area >= 12 && k->y1 - k->y0 + 1 >= 6 &&
		    k->y1 - k->y0 < h / 2 && k->x1 - k->x0 < w / 2)
			v[n++] = k->y1 - k->y0 + 1;
	}
	m = n ? median(v, n) : MAX(8, h / 10);
	free(v);
	return m;
}

/* The page's skew, as the tangent of its angle (-0.18 .. 0.18, ten
 * degrees): the angle at which the thin ink (at most thin across) of
 * the components at least lh wide or lv high (rules, grids, margins)
 * piles up most sharply into rows, and crosswise into columns.  Broad
 * ink, a desk around the sheet or a shadow, would pile up along its
 * own edges.  Profiles' sums of squares over every half degree, then
 * every twentieth around the best.  Pixels are sampled every other
 * column. */
static double
skew(const struct cc *c, const unsigned char *p, int w, int h, int lh,
    int lv, int thin)
{
	int span = 2 * (w + h) + 2, i, k, x, step, pass;   /* for |t| < 1 */
	long *prof = xmalloc(2 * (size_t)span * sizeof(long)), *pv = prof + span;
	unsigned short *vl = xmalloc((size_t)w * h * sizeof(*vl));
	double best = 0, bs = -1, a0 = 0, a, t, sc;

	filter_col_runs(vl, p, w, h);
	for (pass = 0; pass < 2; pass++) {
		double lo = pass ? a0 - 0.5 : -10, hi = pass ? a0 + 0.5 : 10;
		double da = pass ? 0.05 : 0.5;

		for (a = lo; a <= hi + 1e-9; a += da) {
			t = tan(a * 3.14159265358979 / 180);
			memset(prof, 0, 2 * (size_t)span * sizeof(long));
			for (k = 0; k < c->n; k++) {
				const struct cc_comp *m = &c->comp[k];

				if (m->x1 - m->x0 + 1 < lh && m->y1 - m->y0 + 1 < lv)
					continue;
				for (i = m->run0; i < m->run0 + m->nrun; i++) {
					const struct cc_run *r = &c->run[i];
					int across = r->x1 - r->x0 + 1 <= thin;

					for (x = r->x0 + (r->x0 & 1), step = 2; x <= r->x1;
					    x += step) {
						if (vl[(size_t)r->y * w + x] <= thin)
							prof[MIN(MAX(r->y - lround(x * t) + w, 0),
							    span - 1)]++;
						if (across)
							pv[MIN(MAX(x + lround(r->y * t) + h, 0),
							    span - 1)]++;
					}
				}
			}
			for (sc = 0, i = 0; i < 2 * span; i++)
				sc += (double)prof[i] * prof[i];
			if (sc > bs)
				bs = sc, best = a;
		}
		a0 = best;
	}
	free(prof);
	free(vl);
	return tan(best * 3.14159265358979 / 180);
}

/* dst (w x h + |w t|) = p sheared so that rows at slope t become rows:
 * dst row yy + off, column x, is p's pixel (x, yy + round(x t)); the
 * row of p's (x, y) comes back from row_of(). */
static int
row_of(int x, int y, double t, int off)
{
	return y - (int)lround(x * t) + off;
}

static void
shear(unsigned char *dst, const unsigned char *p, int w, int h, int hs,
    double t, int off)
{
	int x, y;

	memset(dst, 0, (size_t)w * hs);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			dst[(size_t)row_of(x, y, t, off) * w + x] = p[(size_t)y * w + x];
}

/* p transposed into q (h x w). */
static void
transpose(unsigned char *q, const unsigned char *p, int w, int h)
{
	int x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			q[(size_t)x * h + y] = p[(size_t)y * w + x];
}

/* The lines found on a page: in each direction (0 along the rows, 1
 * along the columns), the rows of the sheared image (see shear()) that
 * hold one. */
struct rules {
	double t;               /* the page's skew */
	int thick;              /* the thickest a line may be */
	int off[2], n[2];
	unsigned char *row[2];
};

/* In pl, the length of the longest path through each pixel of s (w x
 * hs) that runs along the rows through ink in row runs (hl) at least m
 * long, stepping a row up or down after m columns in a row at least: a
 * line bent by the lens or the paper's curl, slanting a little off the
 * page's skew, whose rows break into runs.  The strokes of a digit on a
 * line are too steep to carry it far. */
static void
paths(unsigned short *pl, const unsigned short *hl, int w, int hs, int m)
{
	unsigned short *a = xmalloc((size_t)w * hs * sizeof(*a));
	int *run = xmalloc(hs * sizeof(int)), x, y, d, s, best, dx;
	size_t j;

	for (d = 0; d < 2; d++) {       /* from the left into pl, the right into a */
		unsigned short *q = d ? a : pl;

		dx = d ? 1 : -1;
		memset(run, 0, hs * sizeof(int));
		for (s = 0; s < w; s++) {
			x = d ? w - 1 - s : s;
			for (y = 0; y < hs; y++) {
				j = (size_t)y * w + x;
				run[y] = hl[j] ? run[y] + 1 : 0;
				if (hl[j] < m) {
					q[j] = 0;
					continue;
				}
				best = s ? q[j + dx] + 1 : 1;
				if (run[y] > m) {
					size_t b = j + (ptrdiff_t)dx * m;

					if (y > 0)
						best = MAX(best, q[b - w] + m);
					if (y < hs - 1)
						best = MAX(best, q[b + w] + m);
				}
				q[j] = (unsigned short)MIN(best, 65535);
			}
		}
	}
	for (j = 0; j < (size_t)w * hs; j++)
		pl[j] = pl[j] ? (unsigned short)MIN(pl[j] + a[j] - 1, 65535) : 0;
	free(a);
	free(run);
}

/* The thickness of the lines: the commonest extent across (vl) of the
 * ink on paths at least len long (pl), counting each column's crossing
 * once; 0 when that is not half a line's length, or no thinner than a
 * sixteenth of one. */
static int
line_thick(const unsigned short *pl, const unsigned short *vl, size_t n,
    int len)
{
	long hist[65] = { 0 };
	int v, best = 0;
	size_t j;

	for (j = 0; j < n; j++)
		if (pl[j] >= len && vl[j] <= 64)
			hist[vl[j]]++;
	for (v = 1; v <= 64; v++)
		if (hist[v] / v > hist[best] / MAX(best, 1))
			best = v;
	return best && 2 * hist[best] / best >= len && 16 * best <= len ?
	    best : 0;
}

/* Mark in kill the ink of p (w x h) on paths along slope t at least len
 * long (see paths()), whose extent across (along the columns) is at most
 * *thickp, raised first to a little over the lines' own thickness (see
 * line_thick()) where the digits' height put it lower.  Flag in *row
 * (made here, *n of them) the sheared rows near which at least len/2
 * such pixels lie on paths a quarter as long, and mark those too: the
 * rest of a line broken where digits sit on it. */
static void
mark_lines(unsigned char *kill, unsigned char **row, int *n, int *offp,
    const unsigned char *p, int w, int h, double t, int len, int *thickp)
{
	int off = (int)lround(MAX(0, (w - 1) * t)), hs = h + (int)lround((w - 1) *
	    fabs(t)) + 1, x, y, r;
	unsigned char *s = xmalloc((size_t)w * hs);
	unsigned short *hl = xmalloc((size_t)w * hs * sizeof(*hl));
	unsigned short *vl = xmalloc((size_t)w * hs * sizeof(*vl));
	unsigned short *pl = xmalloc((size_t)w * hs * sizeof(*pl));
	int *cnt = xcalloc(hs + 2, sizeof(int)), lt, thick;
	size_t j;

	shear(s, p, w, h, hs, t, off);
	filter_row_runs(hl, s, w, hs);
	filter_col_runs(vl, s, w, hs);
	paths(pl, hl, w, hs, MAX(6, len / 32));
	memcpy(hl, pl, (size_t)w * hs * sizeof(*hl));
	lt = line_thick(pl, vl, (size_t)w * hs, len);
	thick = *thickp = MAX(*thickp, lt + 1 + lt / 4);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			j = (size_t)(r = row_of(x, y, t, off)) * w + x;
			if (4 * hl[j] >= len && vl[j] <= thick) {
				if (hl[j] >= len)
					kill[(size_t)y * w + x] = 1;
				cnt[r + 1]++;
			}
		}
	*row = xcalloc(hs, 1), *n = hs, *offp = off;
	for (r = 0; r < hs; r++)
		(*row)[r] = 2 * (cnt[r] + cnt[r + 1] + cnt[r + 2]) >= len;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			j = (size_t)(r = row_of(x, y, t, off)) * w + x;
			if ((*row)[r] && 4 * hl[j] >= len && vl[j] <= thick)
				kill[(size_t)y * w + x] = 1;
		}
	free(s);
	free(hl);
	free(vl);
	free(pl);
	free(cnt);
}

/* Take out ruled and squared paper, margins and page edges: ink on
 * paths along the page's skew t at least lh long whose extent across is
 * at most thick, or a little over the lines' own thickness (see
 * mark_lines()), and the same crosswise (lv long).  Where a digit's
 * stroke crosses a line the ink is thicker, and stays.  The lines, and
 * the thickness used, go to ru, for line_piece(). */
static void
remove_lines(struct rules *ru, unsigned char *p, int w, int h, int lh,
    int lv, int thick, double t)
{
	size_t n = (size_t)w * h, i;
	unsigned char *kill = xcalloc(n, 1), *q = xmalloc(n), *kq = xcalloc(n, 1);
	int x, y;

	ru->t = t, ru->thick = thick;
	mark_lines(kill, &ru->row[0], &ru->n[0], &ru->off[0], p, w, h, t, lh,
	    &ru->thick);
	/* vertical lines: x = x0 - y t, rows at slope -t of the transpose */
	transpose(q, p, w, h);
	mark_lines(kq, &ru->row[1], &ru->n[1], &ru->off[1], q, h, w, -t, lv,
	    &thick);
	ru->thick = MAX(ru->thick, thick);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			kill[(size_t)y * w + x] |= kq[(size_t)x * h + y];
	for (i = 0; i < n; i++)
		if (kill[i])
			p[i] = 0;
	free(kill);
	free(q);
	free(kq);
}

/* Whether component m is a piece of a line that remove_lines() took out:
 * no thicker across than a line, and lying along one. */
static int
line_piece(const struct rules *ru, const struct cc *c, const struct cc_comp *m)
{
	int o, i, lo, hi, a, b, r;

	for (o = 0; o < 2; o++) {
		lo = 1 << 30, hi = -(1 << 30);
		for (i = m->run0; i < m->run0 + m->nrun; i++) {
			const struct cc_run *u = &c->run[i];

			if (o == 0)     /* rows of the sheared image */
				a = row_of(u->x0, u->y, ru->t, ru->off[0]),
				b = row_of(u->x1, u->y, ru->t, ru->off[0]);
			else            /* ... of the sheared transpose */
				a = row_of(u->y, u->x0, -ru->t, ru->off[1]),
				b = row_of(u->y, u->x1, -ru->t, ru->off[1]);
			lo = MIN(lo, MIN(a, b)), hi = MAX(hi, MAX(a, b));
		}
		if (hi - lo + 1 > ru->thick + 2)
			continue;
		for (r = MAX(lo - 2, 0); r <= MIN(hi + 2, ru->n[o] - 1); r++)
			if (ru->row[o][r])
				return 1;
	}
	return 0;
}

/* Whether some component is long enough to hold a ruled line. */
static int
long_ink(const struct cc *c, int lh, int lv)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->comp[i].x1 - c->comp[i].x0 + 1 >= lh ||
		    c->comp[i].y1 - c->comp[i].y0 + 1 >= lv)
			return 1;
	return 0;
}

static void
blob_from(struct blob *b, const struct cc *c, int k, const unsigned char *p,
    int w)
{
	const struct cc_comp *m = &c->comp[k];
	const struct cc_run *r;
	int i;

	memset(b, 0, sizeof(*b));
	b->x0 = m->x0, b->y0 = m->y0, b->x1 = m->x1, b->y1 = m->y1;
	b->area = m->area;
	b->px = xcalloc((size_t)BW(b) * BH(b), 1);
	for (i = 0; i < m->nrun; i++) {
		r = &c->run[m->run0 + i];
		memcpy(b->px + (size_t)(r->y - b->y0) * BW(b) + r->x0 - b->x0,
		    p + (size_t)r->y * w + r->x0, r->x1 - r->x0 + 1);
	}
}

/* The union of a's and b's ink, in a box around both. */
static void
blob_union(struct blob *m, const struct blob *a, const struct blob *b)
{
	const struct blob *s[2] = { a, b };
	int i, y, x;

	*m = *a;
	m->x0 = MIN(a->x0, b->x0), m->y0 = MIN(a->y0, b->y0);
	m->x1 = MAX(a->x1, b->x1), m->y1 = MAX(a->y1, b->y1);
	m->px = xcalloc((size_t)BW(m) * BH(m), 1);
	m->area = a->area + b->area;
	m->edge = a->edge || b->edge;
	m->flat = 0;
	m->read = 0;
	for (i = 0; i < 2; i++)
		for (y = s[i]->y0; y <= s[i]->y1; y++)
			for (x = s[i]->x0; x <= s[i]->x1; x++) {
				unsigned char v = s[i]->px[(size_t)(y - s[i]->y0) *
				    BW(s[i]) + x - s[i]->x0];
				unsigned char *d = m->px + (size_t)(y - m->y0) * BW(m) +
				    x - m->x0;

				*d = MAX(*d, v);
			}
}

/* a takes in b's ink; b is dead. */
static void
blob_merge(struct blob *a, struct blob *b)
{
	struct blob m;

	blob_union(&m, a, b);
	free(a->px);
	free(b->px);
	b->px = NULL, b->dead = 1;
	*a = m;
}

static int
overlap(int a0, int a1, int b0, int b1)
{
	return MIN(a1, b1) - MAX(a0, b0) + 1;
}

/* Whether the flat stroke f may be the bar of d (a 5's, a 7's): over
 * d's top third or under its bottom third, not beside its middle (a
 * dash), the two no wider than 1.2 times their height (not a line under
 * a number), and d no flat stroke itself. */
static int
bar_of(const struct blob *f, const struct blob *d)
{
	double cy = (f->y0 + f->y1) / 2.0;
	int w = MAX(f->x1, d->x1) - MIN(f->x0, d->x0) + 1;
	int h = MAX(f->y1, d->y1) - MIN(f->y0, d->y0) + 1;

	return !d->flat && w <= 1.2 * h &&
	    (cy < d->y0 + BH(d) / 3.0 || cy > d->y1 - BH(d) / 3.0);
}

/* Join the pieces of one digit: boxes that share most of the narrower's
 * columns and stack close, into something no taller than a digit; a flat
 * stroke only as a bar over or under the rest (bar_of()). */
static void
join_pieces(struct blob *b, int n, int height)
{
	int i, j, again = 1;

	while (again) {
		again = 0;
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n && !b[i].dead; j++) {
				struct blob *p = &b[i], *q = &b[j];
				int gap, ov;

				if (q->dead)
					continue;
				ov = overlap(p->x0, p->x1, q->x0, q->x1);
				gap = MAX(p->y0, q->y0) - MIN(p->y1, q->y1);
				if (ov < 0.5 * MIN(BW(p), BW(q)) || gap > 0.6 * height ||
				    MAX(p->y1, q->y1) - MIN(p->y0, q->y0) + 1 > 1.6 * height ||
				    (p->flat && !bar_of(p, q)) ||
				    (q->flat && !bar_of(q, p)))
					continue;
				blob_merge(p, q);
				again = 1;
			}
	}
}

static int
by_x(const void *a, const void *b)
{
	const struct blob *p = *(struct blob *const *)a, *q = *(struct blob *const *)b;

	return (p->x0 > q->x0) - (p->x0 < q->x0);
}

/* Lines of writing: left to right, a blob joins the line whose latest
 * member it overlaps most in height (at least 30% of the taller of the
 * two), which follows slanted lines; else it starts a line.  A blob
 * under 60% of the height of the line's latest member joins it without
 * becoming its latest, so that a fragment does not lead a line astray.  Lines are
 * then numbered top to bottom by their mean centres.  Returns how many. */
static int
find_lines(struct blob **v, int n)
{
	int *last = xmalloc((n + 1) * sizeof(int)), nl = 0, i, l, best;
	double *cy = xcalloc(n + 1, sizeof(double)), bo, ov;
	int *cnt = xcalloc(n + 1, sizeof(int)), *rank = xmalloc((n + 1) *
	    sizeof(int));

	qsort(v, n, sizeof(*v), by_x);
	for (i = 0; i < n; i++) {
		for (best = -1, bo = 0, l = 0; l < nl; l++) {
			struct blob *p = v[last[l]];

			ov = overlap(v[i]->y0, v[i]->y1, p->y0, p->y1) /
			    (double)MAX(BH(v[i]), BH(p));
			if (ov >= 0.3 && ov > bo)
				bo = ov, best = l;
		}
		if (best < 0)
			best = nl++, last[best] = i;
		if (BH(v[i]) * 5 >= BH(v[last[best]]) * 3)
			last[best] = i;
		v[i]->line = best;
		cy[best] += (v[i]->y0 + v[i]->y1) / 2.0;
		cnt[best]++;
	}
	/* rank lines by mean centre */
	for (l = 0; l < nl; l++) {
		rank[l] = 0;
		for (i = 0; i < nl; i++)
			if (cy[i] / cnt[i] < cy[l] / cnt[l] ||
			    (cy[i] / cnt[i] == cy[l] / cnt[l] && i < l))
				rank[l]++;
	}
	for (i = 0; i < n; i++)
		v[i]->line = rank[v[i]->line];
	free(last);
	free(cy);
	free(cnt);
	free(rank);
	return nl;
}

/* The median height of line l's blobs. */
static int
line_height(struct blob **v, int n, int l)
{
	int *h = xmalloc((n + 1) * sizeof(int)), k = 0, i, m;

	for (i = 0; i < n; i++)
		if (!v[i]->dead && v[i]->line == l)
			h[k++] = BH(v[i]);
	m = k ? median(h, k) : 0;
	free(h);
	return m;
}

/* The part of b between two cut paths, its box tightened: in row y the
 * columns from c0[y] up to c1[y]; 0 if no ink. */
static int
blob_cut(struct blob *out, const struct blob *b, const int *c0,
    const int *c1)
{
	int x, y, tx0 = BW(b), tx1 = -1, ty0 = BH(b), ty1 = -1;

	for (y = 0; y < BH(b); y++)
		for (x = c0[y]; x < c1[y]; x++)
			if (b->px[(size_t)y * BW(b) + x]) {
				tx0 = MIN(tx0, x), tx1 = MAX(tx1, x);
				ty0 = MIN(ty0, y), ty1 = MAX(ty1, y);
			}
	if (tx1 < 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->x0 = b->x0 + tx0, out->x1 = b->x0 + tx1;
	out->y0 = b->y0 + ty0, out->y1 = b->y0 + ty1;
	out->line = b->line;
	out->px = xcalloc((size_t)BW(out) * BH(out), 1);
	for (y = ty0; y <= ty1; y++)
		for (x = MAX(tx0, c0[y]); x <= MIN(tx1, c1[y] - 1); x++) {
			out->px[(size_t)(y - ty0) * BW(out) + x - tx0] =
			    b->px[(size_t)y * BW(b) + x];
			out->area += b->px[(size_t)y * BW(b) + x] != 0;
		}
	return 1;
}

/* The part of b in columns [c0, c1). */
static int
blob_cols(struct blob *out, const struct blob *b, int c0, int c1)
{
	int *p = xmalloc(2 * (BH(b) + 1) * sizeof(int)), *q = p + BH(b) + 1, y, k;

	for (y = 0; y < BH(b); y++)
		p[y] = c0, q[y] = c1;
	k = blob_cut(out, b, p, q);
	free(p);
	return k;
}

#define MAXCUT 24               /* candidate cuts of one component */
#define SLANT 0.3               /* slanted cuts lean a column in this many
				 * a row (17 degrees) */

/* A cut: in row y the left piece ends before column x[y]. */
struct cut {
	int c;                  /* where it starts, at the top */
	long cost;              /* the ink it goes through */
	int *x;
};

/* What cutting between columns x - 1 and x of row y costs: the ink it
 * parts, nothing beside a stroke's edge. */
static int
part_cost(const struct blob *b, int x, int y)
{
	const unsigned char *r = b->px + (size_t)y * BW(b);

	return x <= 0 || x >= BW(b) ? 0 : MIN(r[x - 1], r[x]);
}

/* The cheapest cut from the top to the bottom, moving at most a column a
 * row and never further than d from a line through column c at the
 * middle row, leaning t columns a row (0: upright): the path between two
 * touching digits, around the stroke of one that leans over the other.
 * A step sideways costs a little, so that of equal paths the straightest
 * wins. */
static void
seam(struct cut *k, const struct blob *b, int c, int d, double t)
{
	int w = BW(b), h = BH(b), n = 2 * d + 1, x, y, j, o, best, *cen;
	long *cost = xmalloc((size_t)n * h * sizeof(long)), v, m;
	signed char *from = xcalloc((size_t)n * h, 1);
	const long INF = 1L << 50;

	cen = xmalloc(h * sizeof(int));
	for (y = 0; y < h; y++)     /* within the blob: a path always exists */
		cen[y] = MIN(MAX(c + (int)lround(t * (y - (h - 1) / 2.0)), 1),
		    w - 1);
	for (y = 0; y < h; y++)
		for (o = 0; o < n; o++) {
			long *at = cost + (size_t)y * n + o;

			x = cen[y] + o - d;
			if (x < 1 || x > w - 1) {
				*at = INF;
				continue;
			}
			if (y == 0) {
				*at = part_cost(b, x, y) + 8 * labs(x - cen[y]);
				continue;
			}
			m = INF, best = 0;
			for (j = -1; j <= 1; j++) {
				int oo = x + j - cen[y - 1] + d;

				if (oo < 0 || oo >= n)
					continue;
				v = cost[(size_t)(y - 1) * n + oo] + (j ? 8 : 0);
				if (v < m)
					m = v, best = j;
			}
			*at = m >= INF ? INF : m + part_cost(b, x, y);
			from[(size_t)y * n + o] = (signed char)best;
		}
	for (best = 0, o = 0; o < n; o++)
		if (cost[(size_t)(h - 1) * n + o] < cost[(size_t)(h - 1) * n + best])
			best = o;
	k->c = c;
	k->cost = cost[(size_t)(h - 1) * n + best];
	k->x = xmalloc(h * sizeof(int));
	for (x = cen[h - 1] + best - d, y = h - 1; y >= 0; y--) {
		k->x[y] = MIN(MAX(x, 0), w);
		o = x - cen[y] + d;
		if (y && o >= 0 && o < n)
			x += from[(size_t)y * n + o];
	}
	free(cen);
	free(cost);
	free(from);
}

static int
cmp_cut(const void *a, const void *b)
{
	const struct cut *p = a, *q = b;

	return (p->c > q->c) - (p->c < q->c);
}

/* Candidate cuts of b, left to right, the first and last along its
 * edges: the cheapest cut from each column, where it is cheaper than
 * those from the columns around (two on each side; the first of a run of
 * equals), and straight cuts into even shares of 2 to 5 pieces; all of
 * them leaning t columns a row (see seam()). */
static int
candidates(struct cut *cut, const struct blob *b, int hl, double t)
{
	int w = BW(b), h = BH(b), d = MAX(2, hl / 8), n = 0, x, y, k, i;
	struct cut *all = xmalloc((w + 1) * sizeof(*all));

	for (x = 1; x < w; x++)
		seam(&all[x], b, x, d, t);
	all[0].cost = all[w].cost = -1;
	for (x = 1; x < w && n < MAXCUT - 12; x++) {
		long c = all[x].cost;

		if (c < all[x - 1].cost + (x == 1) * (1L << 40) &&
		    (x < 2 || c <= all[x - 2].cost) &&
		    (x + 1 > w - 1 || c <= all[x + 1].cost) &&
		    (x + 2 > w - 1 || c <= all[x + 2].cost)) {
			cut[n] = all[x];
			cut[n++].x = all[x].x, all[x].x = NULL;
		}
	}
	for (x = 1; x < w; x++)
		free(all[x].x);
	free(all);
	for (k = 2; k <= 5; k++)
		for (i = 1; i < k; i++) {
			cut[n].c = i * w / k, cut[n].cost = 0;
			cut[n].x = xmalloc(h * sizeof(int));
			for (y = 0; y < h; y++)
				cut[n].x[y] = MIN(MAX(i * w / k + (int)lround(t *
				    (y - (h - 1) / 2.0)), 0), w);
			n++;
		}
	for (k = 0; k < 2; k++) {
		cut[n].c = k * w, cut[n].cost = 0;
		cut[n].x = xmalloc(h * sizeof(int));
		for (y = 0; y < h; y++)
			cut[n].x[y] = k * w;
		n++;
	}
	qsort(cut, n, sizeof(*cut), cmp_cut);
	for (i = 1, k = 1; i < n; i++)
		if (cut[i].c > cut[k - 1].c)
			cut[k++] = cut[i];
		else
			free(cut[i].x);
	return k;
}

/* The log of how likely a piece r line heights wide is one digit:
 * digits are 0.3 to 1.3 line heights wide, a 1 narrower still; a thin
 * 1 (thin) as narrow as a stroke. */
static double
width_prior(double r, int thin)
{
	if (r > 1.3)
		return -((r - 1.3) / 0.25) * ((r - 1.3) / 0.25);
	if (r < 0.3 && !thin)
		return -((0.3 - r) / 0.15) * ((0.3 - r) / 0.15);
	return 0;
}

/* How sure the net is that its input, class probabilities p, is a digit:
 * with a "not a digit" class (labelled '?'), one less its probability,
 * else the best class's. */
static double
digit_conf(const struct net *net, const float *p)
{
	double c = 0;
	int k;

	for (k = 0; k < net->nclass; k++)
		if (net->labels[k] == '?')
			return 1 - p[k];
	for (k = 0; k < net->nclass; k++)
		c = MAX(c, p[k]);
	return c;
}

/* The digit class the net finds likeliest in p (not "not a digit"). */
static int
best_digit(const struct net *net, const float *p)
{
	int k, b = -1;

	for (k = 0; k < net->nclass; k++)
		if (net->labels[k] != '?' && (b < 0 || p[k] > p[b]))
			b = k;
	return b;
}

/* 1 when the net has a "not a digit" class and finds p, its class
 * probabilities for a piece, at least as likely not a digit: what
 * best_cuts() does not count as a digit and drop_nondigits() drops. */
static int
not_digit(const struct net *net, const float *p)
{
	int k;

	for (k = 0; k < net->nclass; k++)
		if (net->labels[k] == '?')
			return p[k] >= 0.5f;
	return 0;
}

/* Cut b into digits by what the classifier recognises best: over the
 * candidate cuts, the pieces 0.2 to 1.6 line heights wide (a 2 with a
 * long foot is as wide as that) and at least 0.6 high whose confidences,
 * times a prior on their widths and a half for each cut, multiply to the
 * most.  A cut
 * must find two digits at least (pieces not_digit() would not drop): one
 * digit and what is not one, as a letter's stem and the rest of it, stays
 * whole, to be read or dropped whole; with sure > 0, every piece must be
 * a digit with a confidence of sure at least (a sign such as # would cut
 * into a 1 and a 4 read half as surely).
 * With thin, a piece the net reads as a 1 may be a stroke wide (from 0.1
 * line heights), with no prior against its width but its confidence the
 * probability of a 1 alone; the cut must then leave one such thin piece
 * and pieces 0.3 line heights wide at least: a thin 1 leaning on a digit.
 * The cuts lean t columns a row (see seam()).
 * Returns the pieces in out (at most MAXCUT); 1 piece or 0 if b should
 * stay whole.  *score: the log of the product of a cut into two pieces
 * or more, to weigh cuts with and without thin 1s. */
static int
best_cuts(struct blob *out, const struct blob *b, int hl, struct net *net,
    double sure, int thin, double t, double *score)
{
	struct cut cut[MAXCUT];
	int nc = candidates(cut, b, hl, t), i, j, n = 0, np, ok, ndig = 0, one;
	int from[MAXCUT], pi[MAXCUT][MAXCUT], nthin = 0, nwide = 0;
	struct blob *piece = xcalloc(MAXCUT * MAXCUT, sizeof(*piece));
	float *px = xfloats((size_t)MAXCUT * MAXCUT * 784), *p, *q;
	double best[MAXCUT], sc, r;

	for (i = 0; i < nc; i++)
		for (j = i + 1; j < nc; j++) {
			pi[i][j] = -1;
			if (cut[j].c - cut[i].c < (thin ? 0.1 : 0.2) * hl ||
			    cut[j].c - cut[i].c > 1.6 * hl ||
			    !blob_cut(&piece[n], b, cut[i].x, cut[j].x))
				continue;
			if (BH(&piece[n]) < 0.6 * hl ||
			    norm_digit(px + (size_t)n * 784, piece[n].px, BW(&piece[n]),
			    BH(&piece[n]), BW(&piece[n])) == 0) {
				free(piece[n].px);
				continue;
			}
			pi[i][j] = n++;
		}
	p = xfloats((size_t)(n + 1) * net->nclass);
	if (n)
		netrun_infer(net, p, px, n);
	best[0] = 0, from[0] = -1;
	for (j = 1; j < nc; j++) {
		best[j] = -1e30, from[j] = -1;
		for (i = 0; i < j; i++) {
			if (pi[i][j] < 0 || best[i] <= -1e29)
				continue;
			q = p + (size_t)pi[i][j] * net->nclass;
			r = (double)(cut[j].c - cut[i].c) / hl;
			one = thin && r < 0.3 && !not_digit(net, q) &&
			    net->labels[best_digit(net, q)] == '1';
			if (r < 0.2 && !one)
				continue;
			sc = one ? q[best_digit(net, q)] : digit_conf(net, q);
			sc = best[i] + log(MAX(sc, 1e-9)) + (i ? log(0.5) : 0) +
			    width_prior(r, one);
			if (sc > best[j])
				best[j] = sc, from[j] = i;
		}
	}
	np = 0;
	ok = from[nc - 1] >= 0;
	for (j = nc - 1; ok && j > 0 && np < MAXCUT; j = from[j]) {
		i = from[j];
		ndig += !not_digit(net, p + (size_t)pi[i][j] * net->nclass) &&
		    digit_conf(net, p + (size_t)pi[i][j] * net->nclass) >= sure;
		nthin += BW(&piece[pi[i][j]]) < 0.2 * hl;
		nwide += BW(&piece[pi[i][j]]) >= 0.3 * hl;
		out[np] = piece[pi[i][j]];
		piece[pi[i][j]].px = NULL;
		np++;
	}
	if (np > 1 && (ndig < 2 || (sure > 0 && ndig < np) ||
	    (thin && (nthin > 1 || nwide < np - nthin)))) {
		for (i = 0; i < np; i++)
			free(out[i].px);
		np = 0;
	}
	for (i = 0; i < n; i++)
		free(piece[i].px);
	for (i = 0; i < nc; i++)
		free(cut[i].x);
	free(piece);
	free(px);
	free(p);
	*score = ok && np > 1 ? best[nc - 1] : -1e30;
	return ok ? np : 0;
}

struct blobs {
	struct blob *b;
	int n, cap;
};

static struct blob *
add(struct blobs *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->b = xrealloc(s->b, s->cap * sizeof(*s->b));
	}
	memset(&s->b[s->n], 0, sizeof(*s->b));
	return &s->b[s->n++];
}

/* The holes of component m: the cycles of the graph of its runs, joined
 * where they touch (8-connected) from one row to the next.  A digit has
 * two at most, and a few pinholes in a thick stroke; the grain of a desk
 * or of a shadow's edge, dozens. */
static int
holes(const struct cc *c, const struct cc_comp *m)
{
	const struct cc_run *r = c->run + m->run0;
	long pairs = 0;
	int n = m->nrun, i = 0, e, f, j, k, k0;

	while (i < n) {
		for (e = i; e < n && r[e].y == r[i].y; e++)
			;
		for (f = e; f < n && r[f].y == r[i].y + 1; f++)
			;
		for (k0 = e, j = i; j < e; j++) {       /* rows sorted by x */
			while (k0 < f && r[k0].x1 + 1 < r[j].x0)
				k0++;
			for (k = k0; k < f && r[k].x0 <= r[j].x1 + 1; k++)
				pairs++;
		}
		i = e;
	}
	return (int)(pairs - n + 1);
}

/* Components to blobs, but for specks of a few pixels and what cannot be
 * writing: pieces of the lines taken out (ru, if not NULL), anything
 * along the picture's edge or running from it far into the picture (a
 * page edge, a frame, a shadow's rim), solid ink from the edge (a desk or
 * a shadow seen past the sheet: strokes leave most of their box empty),
 * what covers half the picture, and ink with more than HOLES holes (the
 * grain of a desk, of a shadow's edge, of a dotted texture).  Long flat
 * strokes lower than half a digit are marked flat: a dash, or a digit's
 * bar that join_pieces() joins to it. */
static void
collect(struct blobs *s, const struct cc *c, const unsigned char *p, int w,
    int h, int height, const struct rules *ru)
{
	const struct cc_comp *m;
	int i, bw, bh, along, edge;

	for (i = 0; i < c->n; i++) {
		m = &c->comp[i];
		bw = m->x1 - m->x0 + 1, bh = m->y1 - m->y0 + 1;
		along = ((m->y0 == 0 || m->y1 == h - 1) && (bw > 3 * bh ||
		    bw > 0.6 * w || (bh > 3 * bw && bh > 0.5 * h))) ||
		    ((m->x0 == 0 || m->x1 == w - 1) && (bh > 3 * bw ||
		    bh > 0.6 * h || (bw > 3 * bh && bw > 0.5 * w)));
		edge = m->x0 == 0 || m->y0 == 0 || m->x1 == w - 1 ||
		    m->y1 == h - 1;
		if (m->area < 4 || along || (double)bw * bh > 0.5 * w * h ||
		    (edge && bw > 0.5 * bh && m->area > 0.7 * bw * bh &&
		    bh > 0.5 * height) ||
		    (ru && line_piece(ru, c, m)) || holes(c, m) > HOLES)
			continue;
		blob_from(add(s), c, i, p, w);
		s->b[s->n - 1].edge = edge;
		s->b[s->n - 1].flat = bw > 2.5 * bh && bh < 0.5 * height;
	}
}

/* The height of the blobs that hold half the ink, each weighted by its
 * height: the digits' height, however many specks and dots there are.
 * Of the blobs clear of the picture's edge, if there are any: what the
 * edge cuts (a desk, a shadow, a digit half out of the picture) has no
 * digit's height. */
static int
ink_height(struct blob **v, int n)
{
	int *h = xmalloc((n + 1) * sizeof(int)), i, j, t, m, inner = 0;
	long total = 0, acc = 0;

	for (i = 0; i < n; i++)
		inner += !v[i]->edge;
	for (m = 0, i = 0; i < n; i++)
		if (!inner || !v[i]->edge)
			h[m++] = i, total += (long)v[i]->area * BH(v[i]);
	for (i = 1; i < m; i++)         /* by height: few blobs, insertion */
		for (j = i; j > 0 && BH(v[h[j]]) < BH(v[h[j - 1]]); j--)
			t = h[j], h[j] = h[j - 1], h[j - 1] = t;
	for (i = 0; i < m && acc * 2 < total; i++)
		acc += (long)v[h[i]]->area * BH(v[h[i]]);
	t = i ? BH(v[h[i - 1]]) : 0;
	free(h);
	return t;
}

/* Drop what touches the picture's edge and is taller than TALL times
 * the page's digits (hp): a strip of desk or shadow past the sheet,
 * ragged enough not to be taken for solid ink or a page edge.  Before
 * the lines of writing are found, which it would join into one.
 * Returns how many of v are left, in order. */
static int
drop_edge_tall(struct blob **v, int n, int hp)
{
	int i, m;

	for (m = 0, i = 0; i < n; i++)
		if (v[i]->edge && BH(v[i]) > TALL * hp)
			v[i]->dead = 1;
		else
			v[m++] = v[i];
	return m;
}

/* Whether b, in a line of writing that holds only such, beside other
 * lines, is a scrap: an upright stroke (under half as wide as high)
 * under LONE_LOW or over LONE_HIGH times the page's digit height hp, or
 * a flat one (over 1.5 times as wide as high) under LONE_LOW: a piece of
 * a ruled or squared sheet's line or cross, of a margin or of the
 * sheet's edge, a dash, which read as a 1.  A number of one digit written on a line of its own
 * is the height of the others, a 1 above all; a digit wider than a
 * stroke may be lower (written flat) or higher (two digits run together,
 * on a page whose specks and scraps set hp). */
#define LONE_LOW 0.7
#define LONE_HIGH 1.3
static int
lone_scrap(const struct blob *b, int hp)
{
	int w = BW(b), h = BH(b);

	if (w < 0.5 * h)
		return h < LONE_LOW * hp || h > LONE_HIGH * hp;
	return w > 1.5 * h && h < LONE_LOW * hp;
}

/* Drop what is much smaller than the digits of its line, or than the
 * page's digits: specks, dots, commas, dashes; at the picture's edge,
 * what is lower than EDGESIZE of the page's digits (the tip of a corner
 * past the sheet, half a digit cut by the frame); in a line of three or
 * more, what is far taller than its digits: the edge of the paper, a
 * shadow's border; and a line of blobs each far from the page's digits'
 * height (lone_scrap()): a scrap of a line, the pieces of a squared
 * sheet's crosses.  hp is the page's digit height
 * (ink_height()). */
static void
drop_small(struct blob **v, int n, int nl, double minsize, int hp)
{
	int l, i, k, hl;

	for (i = 0; i < n; i++)
		if (BH(v[i]) < (v[i]->edge ? MAX(minsize, EDGESIZE) : minsize) *
		    hp)
			v[i]->dead = 1;

	for (l = 0; l < nl; l++) {
		hl = line_height(v, n, l);
		for (k = 0, i = 0; i < n; i++)
			if (v[i]->line == l && !v[i]->dead)
				k++;
		for (i = 0; i < n; i++)
			if (v[i]->line == l && (BH(v[i]) < minsize * hl ||
			    v[i]->area < 0.02 * hl * hl ||
			    (k >= 3 && BH(v[i]) > TALL * hl)))
				v[i]->dead = 1;
	}
	/* a line of scraps beside lines of writing, far from the page's
	 * digits' height */
	for (l = 0; l < nl && nl > 1; l++) {
		int scraps = 0, others = 0;

		for (k = 0, i = 0; i < n; i++)
			if (!v[i]->dead) {
				if (v[i]->line == l)
					k++, scraps += lone_scrap(v[i], hp);
				else
					others++;
			}
		if (k >= 1 && scraps == k && others > 0)
			for (i = 0; i < n; i++)
				if (v[i]->line == l)
					v[i]->dead = 1;
	}
}

/* How straight a piece is: x = a + b y, fitted through the centres of
 * its ink in each row (in the picture's coordinates), and how far those
 * centres stray from it at most; cy, their mean row. */
struct stroke {
	double a, b, stray, cy;
};

static void
stroke_fit(struct stroke *f, const struct blob *bl)
{
	double *c = xmalloc((BH(bl) + 1) * sizeof(double));
	double n = 0, sy = 0, sx = 0, syy = 0, sxy = 0, d;
	int x, y;

	for (y = 0; y < BH(bl); y++) {
		const unsigned char *r = bl->px + (size_t)y * BW(bl);
		double m = 0, mx = 0;

		for (x = 0; x < BW(bl); x++)
			m += r[x], mx += (double)r[x] * x;
		c[y] = -1;
		if (m == 0)
			continue;
		c[y] = bl->x0 + mx / m;
		d = bl->y0 + y;
		n++, sy += d, sx += c[y], syy += d * d, sxy += d * c[y];
	}
	d = n * syy - sy * sy;
	f->b = d > 0 ? (n * sxy - sy * sx) / d : 0;
	f->a = n > 0 ? (sx - f->b * sy) / n : 0;
	f->cy = n > 0 ? sy / n : 0;
	for (f->stray = 0, y = 0; y < BH(bl); y++)
		if (c[y] >= 0)
			f->stray = MAX(f->stray, fabs(c[y] - f->a - f->b *
			    (bl->y0 + y)));
	free(c);
}

/* Drop the pieces of a broken upright line, each read as a 1 else: a
 * margin or a squared sheet's line too faint for remove_lines() to find
 * whole.  Upright strokes at least twice as high as wide and 0.15 of the
 * page's digit height (height, from ink_height()) high, straight within
 * STRAY pixels, three or more on one straight line (each's slope within
 * 0.06 of that through their centres, upright within 0.15) over three
 * digit heights, are such a line; the dead among them count.  Of them go
 * those with no other ink of their line of writing within the line's
 * height beside them, and all of a line three or more of whose pieces,
 * and at least half, are so alone or dead: a margin runs between the
 * lines of writing, beside their first digits too, while a 1 that begins
 * a number has its digits beside it, however many numbers begin with 1
 * one under the other. */
static void
drop_dashed(struct blob **v, int n, int nl, int height)
{
	struct stroke *f = xmalloc((n + 1) * sizeof(*f));
	int *up = xmalloc((n + 1) * sizeof(int)), *cnt = xcalloc(n + 1, sizeof(int));
	int *top = xmalloc((n + 1) * sizeof(int)), *bot = xmalloc((n + 1) * sizeof(int));
	int *lh = xcalloc(nl + 1, sizeof(int)), i, j, r;
	unsigned char *cand = xcalloc(n + 1, 1), *alone = xcalloc(n + 1, 1);
	int *nalone = xcalloc(n + 1, sizeof(int));
	double s, ci, cj;

	for (i = 0; i < n; i++) {
		up[i] = i, top[i] = INT_MAX, bot[i] = INT_MIN;
		if (BH(v[i]) < 0.15 * height || 2 * BW(v[i]) > BH(v[i]))
			continue;
		stroke_fit(&f[i], v[i]);
		cand[i] = f[i].stray <= STRAY && fabs(f[i].b) <= 0.15;
	}
	for (i = 0; i < n; i++)         /* j under i, on i's line and j's */
		for (j = 0; j < n && cand[i]; j++) {
			if (!cand[j] || f[j].cy - f[i].cy < BH(v[i]) / 2.0)
				continue;
			ci = f[i].a + f[i].b * f[i].cy, cj = f[j].a + f[j].b * f[j].cy;
			s = (cj - ci) / (f[j].cy - f[i].cy);
			if (fabs(s - f[i].b) <= 0.06 && fabs(s - f[j].b) <= 0.06 &&
			    fabs(s) <= 0.15)
				cc_join(up, i, j);
		}
	for (i = 0; i < n; i++)
		if (cand[i]) {
			r = cc_root(up, i);
			cnt[r]++;
			top[r] = MIN(top[r], v[i]->y0), bot[r] = MAX(bot[r], v[i]->y1);
		}
	for (i = 0; i < nl; i++)
		lh[i] = line_height(v, n, i);
	for (i = 0; i < n; i++) {
		r = cc_root(up, i);
		if (!cand[i] || cnt[r] < 3 || bot[r] - top[r] < 3 * height)
			continue;
		alone[i] = 1;
		for (j = 0; j < n && alone[i] && !v[i]->dead; j++)
			alone[i] = j == i || v[j]->dead ||
			    v[j]->line != v[i]->line ||
			    (cand[j] && cc_root(up, j) == r) ||
			    MAX(v[j]->x0 - v[i]->x1, v[i]->x0 - v[j]->x1) >=
			    lh[v[i]->line];
		nalone[r] += alone[i];
	}
	for (i = 0; i < n; i++)
		if (cand[i] && (alone[i] || (nalone[r = cc_root(up, i)] >= 3 &&
		    2 * nalone[r] >= cnt[r])))
			v[i]->dead = 1;
	free(f), free(up), free(cnt), free(top), free(bot), free(lh), free(cand);
	free(alone), free(nalone);
}

/* Without a classifier: cut b into as many even pieces as its width
 * holds digits of the line, when it is much too wide for one. */
static int
split_even(struct blob *out, const struct blob *b, int hl)
{
	int k = MIN(5, (int)lround(BW(b) / (0.75 * hl))), i, n = 0;

	if (BW(b) <= 1.3 * hl || k < 2)
		return 0;
	for (i = 0; i < k; i++)
		n += blob_cols(&out[n], b, i * BW(b) / k, (i + 1) * BW(b) / k);
	return n;
}

static int
by_line_x0(const void *a, const void *b)
{
	const struct blob *p = *(struct blob *const *)a;
	const struct blob *q = *(struct blob *const *)b;

	if (p->line != q->line)
		return (p->line > q->line) - (p->line < q->line);
	return (p->x0 > q->x0) - (p->x0 < q->x0);
}

/* The live blobs of s, by line and then left to right, in a new array
 * (*n of them), and the heights of its nl lines (line_height()) in a new
 * *lh. */
static struct blob **
live_blobs(struct blobs *s, int nl, int *n, int **lh)
{
	struct blob **v = xmalloc((s->n + 1) * sizeof(*v));
	int i;

	for (*n = 0, i = 0; i < s->n; i++)
		if (!s->b[i].dead)
			v[(*n)++] = &s->b[i];
	*lh = xcalloc(nl + 1, sizeof(int));
	for (i = 0; i < nl; i++)
		(*lh)[i] = line_height(v, *n, i);
	qsort(v, *n, sizeof(*v), by_line_x0);
	return v;
}

/* Join the pieces of a digit broken across: neighbours in a line, less
 * than 0.15 line heights apart, that make something no wider than 1.1
 * line heights which the classifier reads as a digit more surely than it
 * reads the two (the halves of an open 0, a 4 in two strokes).  Left to
 * right, again while some join. */
static void
join_broken(struct blobs *s, int nl, struct net *net)
{
	struct blob **v, *u;
	int *lh, *at, i, k, n, m, again, round, joined;
	float *px, *p;

	v = live_blobs(s, nl, &n, &lh);
	at = xmalloc((n + 1) * sizeof(int));
	u = xcalloc(n + 1, sizeof(*u));
	px = xfloats((size_t)3 * (n + 1) * 784);
	p = xfloats((size_t)3 * (n + 1) * net->nclass);
	for (round = 0, again = 1; again && round < 3; round++) {
		again = 0;
		for (m = 0, i = 0; i + 1 < n; i++) {
			struct blob *a = v[i], *b = v[i + 1];
			int hl = lh[a->line];

			if (a->dead || b->dead || a->line != b->line || hl == 0 ||
			    b->x0 - a->x1 - 1 > 0.15 * hl ||
			    MAX(a->x1, b->x1) - MIN(a->x0, b->x0) + 1 > 1.6 * hl)
				continue;
			blob_union(&u[m], a, b);
			norm_digit(px + (size_t)3 * m * 784, a->px, BW(a), BH(a), BW(a));
			norm_digit(px + (size_t)(3 * m + 1) * 784, b->px, BW(b), BH(b),
			    BW(b));
			norm_digit(px + (size_t)(3 * m + 2) * 784, u[m].px, BW(&u[m]),
			    BH(&u[m]), BW(&u[m]));
			at[m++] = i;
		}
		if (m)
			netrun_infer(net, p, px, 3 * m);
		for (joined = -2, k = 0; k < m; k++) {
			struct blob *a = v[at[k]], *b = v[at[k] + 1];
			double ca = digit_conf(net, p + (size_t)3 * k * net->nclass);
			double cb = digit_conf(net, p + (size_t)(3 * k + 1) * net->nclass);
			double cu = digit_conf(net, p + (size_t)(3 * k + 2) * net->nclass);

			/* a pair whose left blob was joined just now waits for
			 * the next round: its union was made of the old one */
			if (at[k] != joined + 1 && !a->dead && !b->dead &&
			    cu >= 0.5 && cu > ca * cb) {
				joined = at[k];
				free(a->px);
				free(b->px);
				b->px = NULL, b->dead = 1;
				*a = u[k];
				u[k].px = NULL;
				again = 1;
				/* b's place in v now holds a, for a's next neighbour */
				v[at[k] + 1] = a;
				v[at[k]] = b;
			}
			free(u[k].px);
			u[k].px = NULL;
		}
	}
	free(v);
	free(lh);
	free(at);
	free(u);
	free(px);
	free(p);
}

/* Read the blobs of s flagged in want with the net, in one batch, and
 * note in each what it read (see struct blob).  Returns their class
 * probabilities, a row each, blob at[k]'s in row k, *np rows: blobs too
 * faint to hold any ink are left out, unread.  The caller frees them. */
static float *
read_blobs(struct blobs *s, const unsigned char *want, struct net *net,
    int *at, int *np)
{
	float *px = xfloats((size_t)(s->n + 1) * 784), *p;
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		if (want[i] && norm_digit(px + (size_t)n * 784, s->b[i].px,
		    BW(&s->b[i]), BH(&s->b[i]), BW(&s->b[i])) > 0)
			at[n++] = i;
	p = xfloats((size_t)(n + 1) * net->nclass);
	if (n)
		netrun_infer(net, p, px, n);
	for (i = 0; i < n; i++)
		s->b[at[i]].read = 1 + not_digit(net, p + (size_t)i *
		    net->nclass);
	free(px);
	*np = n;
	return p;
}

/* Of the blobs flagged in try, unflag those under 0.7 of their line's
 * height lh[] wide that the net reads whole as one digit with a
 * probability of 0.9 at least. */
static void
narrow_sure(struct blobs *s, const int *lh, unsigned char *try,
    struct net *net)
{
	unsigned char *want = xcalloc(s->n + 1, 1);
	int *at = xmalloc((s->n + 1) * sizeof(int)), i, k, n;
	float *p;

	for (i = 0; i < s->n; i++)
		want[i] = try[i] && BW(&s->b[i]) <= 0.7 * lh[s->b[i].line];
	p = read_blobs(s, want, net, at, &n);
	for (i = 0; i < n; i++)
		for (k = 0; k < net->nclass; k++)
			if (net->labels[k] != '?' &&
			    p[(size_t)i * net->nclass + k] >= 0.9f)
				try[at[i]] = 0;
	free(want);
	free(at);
	free(p);
}

/* 1 when the net reads b whole as not a digit, or as no digit with a
 * probability of a half at least. */
static int
whole_unsure(const struct blob *b, struct net *net)
{
	float *px = xfloats(784), *p = xfloats(net->nclass);
	int r = 1;

	if (norm_digit(px, b->px, BW(b), BH(b), BW(b)) > 0) {
		netrun_infer(net, p, px, 1);
		r = not_digit(net, p) || p[best_digit(net, p)] < 0.5f;
	}
	free(px);
	free(p);
	return r;
}

/* The cut alt (kt pieces scoring sct, from best_cuts()) in place of the
 * one in piece (*k pieces scoring *sc) where it cuts and scores better
 * (a cut always scores better than none); the other's pieces freed. */
static void
take_better(struct blob *piece, int *k, double *sc, struct blob *alt,
    int kt, double sct)
{
	int j;

	if (kt > 1 && sct > *sc) {
		for (j = 0; j < *k; j++)
			free(piece[j].px);
		memcpy(piece, alt, kt * sizeof(*alt));
		*k = kt, *sc = sct;
	} else
		for (j = 0; j < kt; j++)
			free(alt[j].px);
}

/* Split what may be more than one digit: anything wider than 0.7 of its
 * line's height, the classifier judging (best_cuts()) whether it is; and
 * with the classifier, anything wider than half the line's height that
 * it does not read whole as one digit surely (narrow_sure()), into
 * pieces it reads surely: a 1 leaning on its neighbour, two digits
 * written into each other.  What is at least 0.7 of the page's digit
 * height hp and that the net does not read whole as a digit
 * (whole_unsure()) is tried once more with thin 1s (see best_cuts()),
 * and cut so where that scores better: a 1 one stroke wide leaning on
 * its neighbour, which no other cut parts, or which another cut leaves
 * with a piece of its neighbour (a 1 and the end of a 5's bar, read as
 * a 7).  Such a component that no cut parts is tried along slanted cuts,
 * leaning SLANT one way and the other, into pieces all read as digits
 * with a confidence of 0.9 (an @ would be cut into a 6 and a 7 read less
 * surely), and cut as the better scores: two digits written with a slant
 * touching along it (a 1 leaning against the 5 before it). */
static void
split_wide(struct blobs *s, int nl, struct net *net, int hp)
{
	struct blob piece[MAXCUT], thin[MAXCUT];
	double sc, sct;
	int i, j, k, k0, kt, a, n, hl, *lh;
	unsigned char *try;

	free(live_blobs(s, nl, &n, &lh));
	try = xcalloc(s->n + 1, 1);
	for (i = 0; i < s->n; i++) {
		hl = lh[s->b[i].line];
		try[i] = !s->b[i].dead && hl > 0 &&
		    BW(&s->b[i]) > (net ? 0.5 : 0.7) * hl;
	}
	if (net)
		narrow_sure(s, lh, try, net);
	for (i = 0, n = s->n; i < n; i++) {
		struct blob b = s->b[i];

		if (!try[i])
			continue;
		hl = lh[b.line];
		if (!net)
			k = split_even(piece, &b, hl);
		else
			k = best_cuts(piece, &b, hl, net, BW(&b) <= 0.7 * hl ?
			    0.9 : 0, 0, 0, &sc);
		if (net && BH(&b) >= 0.7 * hp && whole_unsure(&b, net)) {
			k0 = k;
			kt = best_cuts(thin, &b, hl, net, BW(&b) <= 0.7 * hl ?
			    0.9 : 0, 1, 0, &sct);
			take_better(piece, &k, &sc, thin, kt, sct);
			for (a = -1; k0 < 2 && a <= 1; a += 2) {
				kt = best_cuts(thin, &b, hl, net, 0.9, 0, a * SLANT,
				    &sct);
				take_better(piece, &k, &sc, thin, kt, sct);
			}
		}
		if (k < 2) {
			for (j = 0; j < k; j++)
				free(piece[j].px);
			continue;
		}
		free(s->b[i].px);
		s->b[i].px = NULL, s->b[i].dead = 1;
		for (j = 0; j < k; j++)
			*add(s) = piece[j];     /* i's slot may move: b is a copy */
	}
	free(lh);
	free(try);
}

/* The best digit class's probability for each of n blobs (0 for one too
 * faint to read), into c. */
static void
sureness(double *c, struct blob *const *b, int n, struct net *net)
{
	float *px = xfloats((size_t)n * 784), *p = xfloats((size_t)n * net->nclass);
	int i;

	for (i = 0; i < n; i++)
		if (norm_digit(px + (size_t)i * 784, b[i]->px, BW(b[i]), BH(b[i]),
		    BW(b[i])) == 0)
			memset(px + (size_t)i * 784, 0, 784 * sizeof(*px));
	netrun_infer(net, p, px, n);
	for (i = 0; i < n; i++)
		c[i] = p[(size_t)i * net->nclass +
		    best_digit(net, p + (size_t)i * net->nclass)];
	free(px);
	free(p);
}

/* Share the ink of neighbours in a line that overlap in columns anew,
 * where the two together, at least 0.7 of the page's digit height hp,
 * read as no digit (whole_unsure()) and a cut of them into two
 * (best_cuts(), with and without thin 1s) reads more surely than the two
 * do: the foot of a 4's stem touching the 2 before it went with the 2,
 * which read as no digit. */
static void
recut_pairs(struct blobs *s, int nl, struct net *net, int hp)
{
	struct blob **v, u, cut[2][MAXCUT], *four[4];
	int i, j, n, hl, k[2], w, *lh;
	double sc[2], c[4];

	v = live_blobs(s, nl, &n, &lh);
	for (i = 0; i + 1 < n; i++) {
		struct blob *a = v[i], *b = v[i + 1];

		hl = lh[a->line];
		if (a->line != b->line || b->x0 > a->x1 || hl == 0 ||
		    MAX(a->x1, b->x1) - MIN(a->x0, b->x0) + 1 > 1.6 * hl)
			continue;
		blob_union(&u, a, b);
		if (BH(&u) < 0.7 * hp || !whole_unsure(&u, net)) {
			free(u.px);
			continue;
		}
		for (j = 0; j < 2; j++)
			k[j] = best_cuts(cut[j], &u, hl, net, 0, j, 0, &sc[j]);
		w = sc[1] > sc[0];
		if (k[w] == 2) {
			four[0] = a, four[1] = b;
			four[2] = &cut[w][0], four[3] = &cut[w][1];
			sureness(c, four, 4, net);
		}
		if (k[w] == 2 && c[2] * c[3] > c[0] * c[1]) {
			free(a->px);
			free(b->px);
			*a = cut[w][0], *b = cut[w][1];
			a->read = b->read = 0;
			k[w] = 0;
			i++;
		}
		for (j = 0; j < 2; j++)
			while (k[j] > 0)
				free(cut[j][--k[j]].px);
		free(u.px);
	}
	free(v);
	free(lh);
}

static int
by_line_x(const void *a, const void *b)
{
	const struct blob *p = a, *q = b;

	if (p->dead != q->dead)
		return p->dead - q->dead;
	if (p->line != q->line)
		return (p->line > q->line) - (p->line < q->line);
	return (p->x0 > q->x0) - (p->x0 < q->x0);
}

/* With a net that knows "not a digit" (a class labelled '?'), drop what
 * it finds more likely not a digit than a digit: dirt, letters,
 * punctuation, pieces of lines.  What narrow_sure() read already is not
 * read again. */
static void
drop_nondigits(struct blobs *s, struct net *net)
{
	unsigned char *want;
	int i, n, *at, q;

	for (q = 0; q < net->nclass && net->labels[q] != '?'; q++)
		;
	if (q == net->nclass)
		return;
	want = xcalloc(s->n + 1, 1);
	at = xmalloc((s->n + 1) * sizeof(int));
	for (i = 0; i < s->n; i++)
		want[i] = !s->b[i].dead && !s->b[i].read;
	free(read_blobs(s, want, net, at, &n));
	for (i = 0; i < s->n; i++)
		if (s->b[i].read == 2)
			s->b[i].dead = 1;
	free(want);
	free(at);
}

/* The live blobs, in reading order, normalised into r (but for those
 * too faint to normalise). */
static void
emit(struct seg_result *r, struct blobs *s)
{
	int i, l = -1, idx = 0;
	struct seg_digit *d;

	if (s->n)
		qsort(s->b, s->n, sizeof(*s->b), by_line_x);
	r->d = xmalloc((s->n + 1) * sizeof(*r->d));
	for (i = 0; i < s->n && !s->b[i].dead; i++) {
		struct blob *b = &s->b[i];

		d = &r->d[r->n];
		if (norm_digit(d->px, b->px, BW(b), BH(b), BW(b)) == 0)
			continue;       /* too faint to hold any ink */
		if (b->line != l)
			l = b->line, idx = 0, r->nlines++;
		d->x = b->x0, d->y = b->y0, d->w = BW(b), d->h = BH(b);
		d->line = r->nlines - 1, d->idx = idx++;
		r->n++;
	}
}

int
segment_image(struct seg_result *r, const struct img *im,
    const struct seg_opts *o)
{
	size_t n = (size_t)im->w * im->h;
	unsigned char *p = xmalloc(n ? n : 1);
	struct blobs s = { NULL, 0, 0 };
	struct blob **v;
	struct cc c;
	struct rules ru;
	int i, nv, nl, height, hp, lh, lv;

	memset(r, 0, sizeof(*r));
	memset(&ru, 0, sizeof(ru));
	memcpy(p, im->px, n);
	cc_find(&c, p, im->w, im->h);
	height = digit_height(&c, im->w, im->h);
	lh = MAX(im->w / 4, 4 * height), lv = MAX(im->h / 4, 4 * height);
	if (o->lines && long_ink(&c, lh, lv)) {
		remove_lines(&ru, p, im->w, im->h, lh, lv, MAX(3, height / 8),
		    skew(&c, p, im->w, im->h, lh, lv, MAX(6, height / 4)));
		cc_free(&c);
		cc_find(&c, p, im->w, im->h);
	}
	collect(&s, &c, p, im->w, im->h, height, ru.row[0] ? &ru : NULL);
	free(ru.row[0]);
	free(ru.row[1]);
	cc_free(&c);
	if (s.n > o->maxink) {
		for (i = 0; i < s.n; i++)
			free(s.b[i].px);
		free(s.b);
		free(p);
		r->d = xmalloc(sizeof(*r->d));
		return -1;
	}
	join_pieces(s.b, s.n, height);
	for (i = 0; i < s.n; i++)       /* dashes, underlines: no digit's bar */
		if (s.b[i].flat && !s.b[i].dead) {
			free(s.b[i].px);
			s.b[i].px = NULL, s.b[i].dead = 1;
		}
	v = xmalloc((s.n + 1) * sizeof(*v));
	for (nv = 0, i = 0; i < s.n; i++)
		if (!s.b[i].dead)
			v[nv++] = &s.b[i];
	hp = ink_height(v, nv);
	nv = drop_edge_tall(v, nv, hp);
	nl = find_lines(v, nv);
	drop_small(v, nv, nl, o->minsize, hp);
	drop_dashed(v, nv, nl, hp);
	free(v);
	if (o->net)
		join_broken(&s, nl, o->net);
	if (o->split)
		split_wide(&s, nl, o->net, hp);
	if (o->split && o->net)
		recut_pairs(&s, nl, o->net, hp);
	if (o->net && !o->keep)
		drop_nondigits(&s, o->net);
	emit(r, &s);
	r->height = height;
	for (i = 0; i < s.n; i++)
		free(s.b[i].px);
	free(s.b);
	free(p);
	return 0;
}
