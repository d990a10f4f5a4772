/* segment: the digits of a prepared image (white ink on black, as prep
 * writes it), in reading order, each normalised the MNIST way.
 *
 * The steps: ruled and squared paper's lines are taken out (long thin
 * runs of ink); the connected components of what is left are found;
 * page edges, frames and blobs are dropped; pieces of one digit (a 5's
 * detached bar) are joined; the components go into lines of writing,
 * following slanted lines left to right; specks, dots and dashes much
 * smaller than the line's digits are dropped; components too wide for one
 * digit are split where the ink is thinnest (the classifier choosing,
 * when there is one); each digit's own ink is normalised into 28x28. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cc.h"
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
};

#define BW(b) ((b)->x1 - (b)->x0 + 1)
#define BH(b) ((b)->y1 - (b)->y0 + 1)

void
segment_defaults(struct seg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lines = 1;
	o->split = 1;
	o->minsize = 0.3;
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

/* Lengths of the runs of ink through each pixel along its row. */
static int
row_runs(unsigned short *len, const unsigned char *p, int w, int h)
{
	int y, i, j, k, longest = 0;

	for (y = 0; y < h; y++) {
		const unsigned char *q = p + (size_t)y * w;
		unsigned short *l = len + (size_t)y * w;

		for (i = 0; i < w; i = j) {
			for (j = i; j < w && (q[j] != 0) == (q[i] != 0); j++)
				;
			for (k = i; k < j; k++)
				l[k] = q[i] ? (unsigned short)MIN(j - i, 65535) : 0;
			if (q[i])
				longest = MAX(longest, j - i);
		}
	}
	return longest;
}

/* ... and along its column: the run above it and the run below it,
 * counted a row at a time (the loops run along memory). */
VECTOR_CLONES static void
count_on(unsigned short *restrict cur, const unsigned short *restrict prev,
    const unsigned char *restrict p, int w)
{
	int x;

	for (x = 0; x < w; x++)
		cur[x] = p[x] ? prev[x] + 1 : 0;
}

static void
col_runs(unsigned short *len, const unsigned char *p, int w, int h)
{
	unsigned short *dn = xcalloc((size_t)w * (h + 1), sizeof(*dn));
	unsigned short *zero = dn + (size_t)w * h;
	int y, x;

	for (y = 0; y < h; y++)
		count_on(len + (size_t)y * w, y ? len + (size_t)(y - 1) * w : zero,
		    p + (size_t)y * w, w);
	for (y = h - 1; y >= 0; y--)
		count_on(dn + (size_t)y * w, y < h - 1 ? dn + (size_t)(y + 1) * w :
		    zero, p + (size_t)y * w, w);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;

			len[i] = len[i] ? (unsigned short)MIN(len[i] + dn[i] - 1,
			    65535) : 0;
		}
	free(dn);
}

/* Take out ruled and squared paper: ink in horizontal runs at least lh
 * long whose vertical extent there is at most thick, and the same
 * crosswise.  Where a digit's stroke crosses a line the ink is thicker,
 * and stays. */
static void
remove_lines(unsigned char *p, int w, int h, int lh, int lv, int thick)
{
	size_t n = (size_t)w * h, i;
	unsigned short *hl = xmalloc(n * sizeof(*hl)), *vl = xmalloc(n *
	    sizeof(*vl));
	int longh = row_runs(hl, p, w, h);

	col_runs(vl, p, w, h);
	for (i = 0; i < n; i++)
		if ((longh >= lh && hl[i] >= lh && vl[i] <= thick) ||
		    (vl[i] >= lv && hl[i] <= thick))
			p[i] = 0;
	free(hl);
	free(vl);
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

/* a takes in b's ink; b is dead. */
static void
blob_merge(struct blob *a, struct blob *b)
{
	struct blob m = *a;
	const struct blob *s[2] = { a, b };
	int i, y, x;

	m.x0 = MIN(a->x0, b->x0), m.y0 = MIN(a->y0, b->y0);
	m.x1 = MAX(a->x1, b->x1), m.y1 = MAX(a->y1, b->y1);
	m.px = xcalloc((size_t)BW(&m) * BH(&m), 1);
	m.area = a->area + b->area;
	for (i = 0; i < 2; i++)
		for (y = s[i]->y0; y <= s[i]->y1; y++)
			for (x = s[i]->x0; x <= s[i]->x1; x++) {
				unsigned char v = s[i]->px[(size_t)(y - s[i]->y0) *
				    BW(s[i]) + x - s[i]->x0];
				unsigned char *d = m.px + (size_t)(y - m.y0) * BW(&m) +
				    x - m.x0;

				*d = MAX(*d, v);
			}
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

/* Join the pieces of one digit: boxes that share most of the narrower's
 * columns and stack close, into something no taller than a digit. */
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
				    MAX(p->y1, q->y1) - MIN(p->y0, q->y0) + 1 > 1.6 * height)
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
 * member it overlaps most in height (at least 40% of the lower of the
 * two), which follows slanted lines; else it starts a line.  Lines are
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
			    (double)MIN(BH(v[i]), BH(p));
			if (ov >= 0.4 && ov > bo)
				bo = ov, best = l;
		}
		if (best < 0)
			best = nl++;
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

/* The column of b, between fractions a and z of its width, where the ink
 * is thinnest (fewest ink pixels, then nearest the middle of [a, z]). */
static int
thin_column(const struct blob *b, double a, double z)
{
	int x0 = (int)(a * BW(b)), x1 = (int)(z * BW(b)), x, y, best = x0;
	long cnt, bc = -1;
	double mid = (x0 + x1) / 2.0;

	for (x = x0; x <= x1 && x < BW(b); x++) {
		for (cnt = 0, y = 0; y < BH(b); y++)
			cnt += b->px[(size_t)y * BW(b) + x] != 0;
		if (bc < 0 || cnt < bc || (cnt == bc && fabs(x - mid) <
		    fabs(best - mid)))
			bc = cnt, best = x;
	}
	return best;
}

/* The part of b in columns [c0, c1), its box tightened; 0 if no ink. */
static int
blob_cut(struct blob *out, const struct blob *b, int c0, int c1)
{
	int x, y, tx0 = BW(b), tx1 = -1, ty0 = BH(b), ty1 = -1;

	for (y = 0; y < BH(b); y++)
		for (x = c0; x < c1; x++)
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
		for (x = tx0; x <= tx1; x++) {
			out->px[(size_t)(y - ty0) * BW(out) + x - tx0] =
			    b->px[(size_t)y * BW(b) + x];
			out->area += b->px[(size_t)y * BW(b) + x] != 0;
		}
	return 1;
}

/* The classifier's confidence that b is one digit. */
static float
confidence(struct net *net, const struct blob *b)
{
	float px[784], p[64], best = 0;
	int i;

	if (norm_digit(px, b->px, BW(b), BH(b), BW(b)) == 0)
		return 0;
	netrun_infer(net, p, px, 1);
	for (i = 0; i < net->nclass; i++)
		best = MAX(best, p[i]);
	return best;
}

/* Split b into k pieces at its thinnest columns near the k-1 even cuts;
 * 0 if a piece would be empty. */
static int
split_at(struct blob *out, const struct blob *b, int k)
{
	int cut[5], i, j;

	cut[0] = 0, cut[k] = BW(b);
	for (i = 1; i < k; i++)
		cut[i] = thin_column(b, (i - 0.3) / k, (i + 0.3) / k);
	for (i = 0; i < k; i++)
		if (cut[i + 1] <= cut[i] || !blob_cut(&out[i], b, cut[i],
		    cut[i + 1])) {
			for (j = 0; j < i; j++)
				free(out[j].px);
			return 0;
		}
	return 1;
}

/* Whether b, too wide for one digit of a line hl high, is better as k
 * pieces: with a classifier, when the least sure piece is surer than
 * the whole; without, when it is much too wide. */
static int
better_split(struct net *net, const struct blob *b, const struct blob *piece,
    int k, int hl)
{
	float whole, worst = 1, c;
	int i;

	for (i = 0; i < k; i++)
		if (BW(&piece[i]) < 0.15 * hl || BH(&piece[i]) < 0.4 * hl)
			return 0;
	if (net == NULL)
		return BW(b) > 1.3 * hl;
	whole = confidence(net, b);
	for (i = 0; i < k; i++) {
		c = confidence(net, &piece[i]);
		worst = MIN(worst, c);
	}
	return worst > whole;
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

/* Components to blobs, but for specks of a few pixels and what cannot be
 * writing: anything along the picture's edge (a page edge, a frame, a
 * shadow's rim), what covers half the picture, and long flat strokes
 * lower than half a digit (dashes, underlines). */
static void
collect(struct blobs *s, const struct cc *c, const unsigned char *p, int w,
    int h, int height)
{
	const struct cc_comp *m;
	int i, bw, bh, along;

	for (i = 0; i < c->n; i++) {
		m = &c->comp[i];
		bw = m->x1 - m->x0 + 1, bh = m->y1 - m->y0 + 1;
		along = ((m->y0 == 0 || m->y1 == h - 1) && (bw > 3 * bh ||
		    bw > 0.6 * w)) || ((m->x0 == 0 || m->x1 == w - 1) &&
		    (bh > 3 * bw || bh > 0.6 * h));
		if (m->area < 4 || along || (double)bw * bh > 0.5 * w * h ||
		    (bw > 2.5 * bh && bh < 0.5 * height))
			continue;
		blob_from(add(s), c, i, p, w);
	}
}

/* Drop what is much smaller than the digits of its line: specks, dots,
 * commas, dashes. */
static void
drop_small(struct blob **v, int n, int nl, double minsize)
{
	int l, i, hl;

	for (l = 0; l < nl; l++) {
		hl = line_height(v, n, l);
		for (i = 0; i < n; i++)
			if (v[i]->line == l && (BH(v[i]) < minsize * hl ||
			    v[i]->area < 0.02 * hl * hl))
				v[i]->dead = 1;
	}
}

/* Split what is too wide to be one digit of its line. */
static void
split_wide(struct blobs *s, int nl, struct net *net)
{
	struct blob piece[4], **v = xmalloc((s->n + 1) * sizeof(*v));
	int i, j, k, n, l, hl, *lh = xcalloc(nl + 1, sizeof(int));

	for (n = 0, i = 0; i < s->n; i++)
		if (!s->b[i].dead)
			v[n++] = &s->b[i];
	for (l = 0; l < nl; l++)
		lh[l] = line_height(v, n, l);
	free(v);
	for (i = 0; i < s->n; i++) {
		struct blob b = s->b[i];

		hl = lh[b.line];
		if (b.dead || hl == 0 || BW(&b) <= 1.15 * hl)
			continue;
		k = MIN(4, MAX(2, (int)lround(BW(&b) / (0.75 * hl))));
		if (!split_at(piece, &b, k))
			continue;
		if (!better_split(net, &b, piece, k, hl)) {
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

/* The live blobs, in reading order, normalised into r. */
static void
emit(struct seg_result *r, struct blobs *s)
{
	int i, l = -1, idx = 0;
	struct seg_digit *d;

	qsort(s->b, s->n, sizeof(*s->b), by_line_x);
	r->d = xmalloc((s->n + 1) * sizeof(*r->d));
	for (i = 0; i < s->n && !s->b[i].dead; i++) {
		struct blob *b = &s->b[i];

		if (b->line != l)
			l = b->line, idx = 0, r->nlines++;
		d = &r->d[r->n++];
		d->x = b->x0, d->y = b->y0, d->w = BW(b), d->h = BH(b);
		d->line = r->nlines - 1, d->idx = idx++;
		norm_digit(d->px, b->px, BW(b), BH(b), BW(b));
	}
}

void
segment_image(struct seg_result *r, const struct img *im,
    const struct seg_opts *o)
{
	size_t n = (size_t)im->w * im->h;
	unsigned char *p = xmalloc(n ? n : 1);
	struct blobs s = { NULL, 0, 0 };
	struct blob **v;
	struct cc c;
	int i, nv, nl, height;

	memset(r, 0, sizeof(*r));
	memcpy(p, im->px, n);
	cc_find(&c, p, im->w, im->h);
	height = digit_height(&c, im->w, im->h);
	if (o->lines && long_ink(&c, MAX(im->w / 4, 4 * height),
	    MAX(im->h / 4, 4 * height))) {
		remove_lines(p, im->w, im->h, MAX(im->w / 4, 4 * height),
		    MAX(im->h / 4, 4 * height), MAX(3, height / 8));
		cc_free(&c);
		cc_find(&c, p, im->w, im->h);
	}
	collect(&s, &c, p, im->w, im->h, height);
	cc_free(&c);
	join_pieces(s.b, s.n, height);
	v = xmalloc((s.n + 1) * sizeof(*v));
	for (nv = 0, i = 0; i < s.n; i++)
		if (!s.b[i].dead)
			v[nv++] = &s.b[i];
	nl = find_lines(v, nv);
	drop_small(v, nv, nl, o->minsize);
	free(v);
	if (o->split)
		split_wide(&s, nl, o->net);
	emit(r, &s);
	r->height = height;
	for (i = 0; i < s.n; i++)
		free(s.b[i].px);
	free(s.b);
	free(p);
}
