/* nettrain: one training step's forward and backward pass over a batch */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "batchnorm.h"
#include "conv2d.h"
#include "dense.h"
#include "dropout.h"
#include "maxpool.h"
#include "netrun.h"
#include "nettrain.h"
#include "relu.h"
#include "rng.h"
#include "softmax.h"
#include "util.h"

#define NSLICE 8                /* a batch's fixed parts */
#define BN_MOMENTUM 0.1f

struct nettrain {
	int bmax;               /* batch size the buffers hold */
	int nthr;
	float *fmem;            /* one block for the per-layer buffers */
	int *imem;
	float **act;            /* act[i]: layer i's output (B, size) */
	int **arg;              /* maxpool: where each maximum was */
	float **mask;           /* dropout masks */
	float **bn;             /* bn: mean, 1/std, scale, shift (4 x C) */
	float **wp, **wtp;      /* conv: packed W, and W for backward data */
	float *gb[2];           /* gradients at batch norm outputs (B, size) */
	float *prob, *dlogit;
	double **bnt;           /* bn: batch totals (2 x C), forward then back */
	int *bound;             /* segment bounds: 0, each bn layer, nl */
	int nbound;
	float **scr;            /* per thread: two gradient buffers of a slice */
	long maxio, scrn;
	float *sgrad;           /* per slice: a whole gradient */
	double *part;           /* per slice: 2 x maxc partial sums */
	double *tot;
	int maxc;
	float **ws;             /* per thread workspace */
	size_t wsz;
	double sloss[NSLICE];
	int scorrect[NSLICE];
};

/* The part of a step's state a layer's kernels see. */
struct step {
	struct net *n;
	struct nettrain *t;
	int b, ns;
	const float *images;
	const unsigned char *labels;
	unsigned long long seed, stream;
};

static long
outsize(const struct layer *L)
{
	return (long)L->oc * L->oh * L->ow;
}

static long
insize(const struct layer *L)
{
	return (long)L->ic * L->ih * L->iw;
}

static int
inplace(const struct layer *L, int i)
{
	return i > 0 && (L->type == L_RELU || L->type == L_DROPOUT);
}

void
nettrain_free(struct nettrain *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nthr; i++) {
		free(t->ws[i]);
		free(t->scr[i]);
	}
	free(t->ws);
	free(t->scr);
	free(t->part);
	free(t->bnt[0]);
	free(t->bnt);
	free(t->bound);
	free(t->fmem);
	free(t->imem);
	free(t->act);
	free(t);
}

/* Place every per-layer buffer in f and in (when not NULL); the floats
 * and ints needed go to *nf and *ni. */
static void
layout(struct nettrain *t, const struct net *n, int b, float *f, int *in,
    size_t *nf, size_t *ni)
{
	size_t fo = 0, io = 0, sz;
	const struct layer *L;
	long maxio = 0;
	int i;

#define TAKE(p, cnt) do { \
		sz = ((size_t)(cnt) + 15) & ~(size_t)15; \
		if (f) \
			(p) = f + fo; \
		fo += sz; \
	} while (0)
	for (i = 0; i < n->nl; i++) {
		L = &n->l[i];
		maxio = MAX(maxio, MAX(insize(L), outsize(L)));
		if (!inplace(L, i))
			TAKE(t->act[i], (long)b * outsize(L));
		else if (f)
			t->act[i] = t->act[i - 1];
		if (L->type == L_DROPOUT)
			TAKE(t->mask[i], (long)b * outsize(L));
		if (L->type == L_BN)
			TAKE(t->bn[i], 4 * L->ic);
		if (L->type == L_CONV) {
			TAKE(t->wp[i], conv2d_pack_size(L->ic, L->oc, L->k));
			TAKE(t->wtp[i], conv2d_pack_size(L->ic, L->oc, L->k));
		}
		if (L->type == L_MAXPOOL) {
			if (in)
				t->arg[i] = in + io;
			io += (size_t)b * outsize(L);
		}
	}
	TAKE(t->gb[0], (long)b * maxio);
	TAKE(t->gb[1], (long)b * maxio);
	t->maxio = maxio;
	TAKE(t->prob, (long)b * n->nclass);
	TAKE(t->dlogit, (long)b * n->nclass);
	TAKE(t->sgrad, (long)NSLICE * n->nparam);
#undef TAKE
	*nf = fo, *ni = io;
}

static struct nettrain *
build(const struct net *n, int b)
{
	struct nettrain *t = xcalloc(1, sizeof(*t));
	const struct layer *L;
	int i, per = (b + NSLICE - 1) / NSLICE;
	size_t ws, nf, ni;

	t->bmax = b;
	t->act = xcalloc(6 * n->nl, sizeof(float *));
	t->mask = t->act + n->nl, t->bn = t->mask + n->nl;
	t->wp = t->bn + n->nl, t->wtp = t->wp + n->nl;
	t->arg = (int **)(t->wtp + n->nl);
	layout(t, n, b, NULL, NULL, &nf, &ni);
	t->fmem = xfloats(nf);
	t->imem = xmalloc((ni + 1) * sizeof(int));
	layout(t, n, b, t->fmem, t->imem, &nf, &ni);
	t->wsz = 64;
	for (i = 0; i < n->nl; i++) {
		L = &n->l[i];
		t->maxc = MAX(t->maxc, L->ic);
		ws = L->type == L_CONV ? conv2d_ws_size(L->ic, L->ih, L->iw, L->oc,
		    L->k, L->s, L->p) : L->type == L_DENSE ?
		    dense_ws_size(per, L->ic, L->oc) : 0;
		t->wsz = MAX(t->wsz, ws);
	}
	t->part = xcalloc((size_t)(NSLICE + 1) * 2 * t->maxc, sizeof(double));
	t->tot = t->part + (size_t)NSLICE * 2 * t->maxc;
	t->bnt = xcalloc(n->nl, sizeof(double *));
	t->bnt[0] = xcalloc((size_t)n->nl * 2 * t->maxc, sizeof(double));
	t->bound = xmalloc((n->nl + 2) * sizeof(int));
	t->bound[t->nbound++] = 0;
	for (i = 0; i < n->nl; i++) {
		t->bnt[i] = t->bnt[0] + (size_t)i * 2 * t->maxc;
		if (n->l[i].type == L_BN)
			t->bound[t->nbound++] = i;
	}
	t->bound[t->nbound++] = n->nl;
#ifdef _OPENMP
	t->nthr = omp_get_max_threads();
#else
	t->nthr = 1;
#endif
	t->scrn = ((long)per * t->maxio + 15) & ~15L;
	t->ws = xcalloc(t->nthr, sizeof(float *));
	t->scr = xcalloc(t->nthr, sizeof(float *));
	for (i = 0; i < t->nthr; i++) {
		t->ws[i] = xfloats(t->wsz);
		t->scr[i] = xfloats(2 * t->scrn);
	}
	return t;
}

static int
tid(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

/* Slice s of a batch of b: images lo .. lo+cnt-1 */
static int
slice(int b, int ns, int s, int *cnt)
{
	int lo = (int)((long)b * s / ns), hi = (int)((long)b * (s + 1) / ns);

	*cnt = hi - lo;
	return lo;
}

/* This slice's copy of a gradient pointer into n->grad. */
static float *
sg(const struct step *st, int s, const float *g)
{
	return st->t->sgrad + (size_t)s * st->n->nparam + (g - st->n->grad);
}

/* Layer i forward for images j .. j+n-1 of the batch (a slice). */
static void
forward_images(const struct step *st, int i, int j, int n)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	const float *x = (i ? t->act[i - 1] : st->images) + (size_t)j * insize(L);
	float *y = t->act[i] + (size_t)j * outsize(L), *bn;
	struct rng r;
	int k;

	switch (L->type) {
	case L_CONV:
		if (net_reference)
			conv2d_forward_ref(y, x, L->w, L->b, n, L->ic, L->ih, L->iw,
			    L->oc, L->k, L->s, L->p);
		else
			conv2d_forward(y, x, t->wp[i], L->b, n, L->ic, L->ih, L->iw,
			    L->oc, L->k, L->s, L->p, 0, t->ws[tid()]);
		break;
	case L_DENSE:
		if (net_reference)
			dense_forward_ref(y, x, L->w, L->b, n, L->ic, L->oc);
		else
			dense_forward(y, x, L->w, L->b, n, L->ic, L->oc, t->ws[tid()]);
		break;
	case L_BN:
		bn = t->bn[i];
		batchnorm_apply(y, x, bn + 2 * L->ic, bn + 3 * L->ic, n, L->ic,
		    L->ih * L->iw);
		break;
	case L_RELU:
		relu_forward(y, x, (size_t)n * outsize(L));
		break;
	case L_MAXPOOL:
		maxpool_forward(y, t->arg[i] + (size_t)j * outsize(L), x, n, L->ic,
		    L->ih, L->iw, L->k, L->s);
		break;
	case L_DROPOUT:
		/* each image its own stream: the same masks whatever the slices */
		for (k = 0; k < n; k++) {
			rng_seed(&r, st->seed + 7919 * (i + 1),
			    st->stream * 65536 + j + k);
			dropout_forward(y + k * outsize(L), t->mask[i] + (size_t)(j +
			    k) * outsize(L), x + k * outsize(L), outsize(L), L->rate, &r);
		}
		break;
	}
}

/* Layer i backward for images j .. j+n-1, slice s: g is the gradient of
 * its output, d receives that of its input (NULL: not needed; may be g
 * for layers that work in place); weight gradients go to the slice's. */
static void
backward_images(const struct step *st, int i, int j, int n, int s,
    const float *g, float *d)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	const float *x = (i ? t->act[i - 1] : st->images) + (size_t)j * insize(L);
	size_t oo = (size_t)j * outsize(L), no = (size_t)n * outsize(L);
	const float *bn;

	switch (L->type) {
	case L_CONV:
		if (net_reference) {
			conv2d_backward_ref(d, sg(st, s, L->dw), sg(st, s, L->db), g, x,
			    L->w, n, L->ic, L->ih, L->iw, L->oc, L->k, L->s, L->p);
			break;
		}
		conv2d_backward_weights(sg(st, s, L->dw), sg(st, s, L->db), g, x, n,
		    L->ic, L->ih, L->iw, L->oc, L->k, L->s, L->p, t->ws[tid()]);
		if (d)
			conv2d_backward_data(d, g, t->wtp[i], n, L->ic, L->ih, L->iw,
			    L->oc, L->k, L->s, L->p, t->ws[tid()]);
		break;
	case L_DENSE:
		if (net_reference)
			dense_backward_ref(d, sg(st, s, L->dw), sg(st, s, L->db), g, x,
			    L->w, n, L->ic, L->oc);
		else
			dense_backward(d, sg(st, s, L->dw), sg(st, s, L->db), g, x,
			    L->w, n, L->ic, L->oc, t->ws[tid()]);
		break;
	case L_BN:
		bn = t->bn[i];
		if (d)
			batchnorm_bapply(d, g, x, L->w, bn, bn + L->ic, t->bnt[i],
			    t->bnt[i] + t->maxc, (long)st->b * L->ih * L->iw, n,
			    L->ic, L->ih * L->iw);
		break;
	case L_RELU:
		if (d)
			relu_backward(d, g, t->act[i] + oo, no);
		break;
	case L_MAXPOOL:
		if (d)
			maxpool_backward(d, g, t->arg[i] + oo, n, L->ic, L->ih, L->iw,
			    L->k, L->s);
		break;
	case L_DROPOUT:
		if (d)
			dropout_backward(d, g, t->mask[i] + oo, no);
		break;
	}
}

/* Sum the slices' partial sums into tot, in slice order. */
static void
total(const struct step *st, double *tot, int c)
{
	struct nettrain *t = st->t;
	int s, k;

	memset(tot, 0, 2 * t->maxc * sizeof(double));
	for (s = 0; s < st->ns; s++)
		for (k = 0; k < c; k++) {
			tot[k] += t->part[(size_t)s * 2 * t->maxc + k];
			tot[t->maxc + k] += t->part[(size_t)s * 2 * t->maxc +
			    t->maxc + k];
		}
}

/* Batch norm i's statistics from the batch totals of its input. */
static void
bn_stats(const struct step *st, int i)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	long count = (long)st->b * L->ih * L->iw;
	float *mean = t->bn[i], *inv = mean + L->ic, *sc = inv + L->ic;
	float *sh = sc + L->ic, var;
	double *tot = t->bnt[i];
	int c;

	total(st, tot, L->ic);
	batchnorm_stats(mean, inv, tot, tot + t->maxc, count, L->ic);
	for (c = 0; c < L->ic; c++) {
		var = 1 / (inv[c] * inv[c]) - BN_EPS;
		sc[c] = L->w[c] * inv[c];
		sh[c] = L->b[c] - mean[c] * sc[c];
		L->mean[c] += BN_MOMENTUM * (mean[c] - L->mean[c]);
		L->var[c] += BN_MOMENTUM * (var * count / MAX(count - 1, 1) -
		    L->var[c]);
	}
}

/* Softmax and cross-entropy for images j .. j+n-1; correct answers
 * counted in *ok. */
static double
loss_images(const struct step *st, int j, int n, float smooth, int *ok)
{
	struct nettrain *t = st->t;
	int k = st->n->nclass, c, best, i;
	const float *z = t->act[st->n->nl - 1] + (size_t)j * k;
	float *p = t->prob + (size_t)j * k;

	softmax_forward(p, z, n, k);
	for (i = 0; i < n; i++) {
		for (best = 0, c = 1; c < k; c++)
			if (p[i * k + c] > p[i * k + best])
				best = c;
		*ok += best == st->labels[j + i];
	}
	return softmax_xent(t->dlogit + (size_t)j * k, p, st->labels + j, n, k,
	    smooth, 1.0f / st->b);
}

/* Forward, one segment of layers between batch norms at a time: each
 * slice goes through the whole segment while it is in cache, and adds its
 * part of the next batch norm's sums. */
static void
forward(const struct step *st, float smooth)
{
	struct nettrain *t = st->t;
	const struct layer *L;
	int g, lo, hi, s, cnt, first, last = st->n->nl, i;

	for (g = 0; g + 1 < t->nbound; g++) {
		lo = t->bound[g], hi = t->bound[g + 1];
#pragma omp for schedule(static)
		for (s = 0; s < st->ns; s++) {
			double *p = t->part + (size_t)s * 2 * t->maxc;

			memset(p, 0, 2 * t->maxc * sizeof(double));
			t->sloss[s] = 0, t->scorrect[s] = 0;
			first = slice(st->b, st->ns, s, &cnt);
			for (i = lo; i < hi; i++)
				forward_images(st, i, first, cnt);
			if (hi < last) {
				L = &st->n->l[hi];
				batchnorm_sums(p, p + t->maxc, (hi ? t->act[hi - 1] :
				    st->images) + (size_t)first * insize(L), cnt, L->ic,
				    L->ih * L->iw);
			} else
				t->sloss[s] = loss_images(st, first, cnt, smooth,
				    &t->scorrect[s]);
		}
		if (hi < last) {
#pragma omp single
			bn_stats(st, hi);
		}
	}
}

/* Batch norm i's parameter gradients from the batch totals of its
 * output's gradient. */
static void
bn_grads(const struct step *st, int i)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	float *dg = sg(st, 0, L->dw), *db = sg(st, 0, L->db);
	float *inv = t->bn[i] + L->ic;
	double *tot = t->bnt[i];
	int c;

	total(st, tot, L->ic);
	for (c = 0; c < L->ic; c++) {
		db[c] += (float)tot[c];
		dg[c] += (float)(tot[t->maxc + c] * inv[c]);
	}
}

/* Backward over the segment (lo, hi] for images j .. j+n-1 of slice s;
 * gin is the gradient at the top, gout receives it at batch norm lo's
 * output. */
static void
back_segment(const struct step *st, int lo, int hi, int j, int n, int s,
    const float *gin, float *gout)
{
	struct nettrain *t = st->t;
	float *a = t->scr[tid()], *b = a + t->scrn, *d;
	const float *g = gin;
	int i, stop = st->n->l[lo].type == L_BN ? lo : -1;

	for (i = hi; i > stop; i--) {
		if (i == 0)
			d = NULL;
		else if (i - 1 == stop)
			d = gout;
		else if (inplace(&st->n->l[i], i))
			d = (float *)g;
		else
			d = g == a ? b : a;
		backward_images(st, i, j, n, s, g, d);
		g = d;
	}
}

static void
backward(const struct step *st)
{
	struct nettrain *t = st->t;
	const struct layer *L;
	int g, lo, hi, s, cnt, first, k = st->n->nclass, cur = 0;
	size_t sz;
	const float *gin;
	float *gout;

	for (g = t->nbound - 2; g >= 0; g--) {
		lo = t->bound[g], hi = t->bound[g + 1];
		if (lo == hi)
			continue;       /* a batch norm first: nothing below it */
		L = &st->n->l[lo];
#pragma omp for schedule(static)
		for (s = 0; s < st->ns; s++) {
			double *p = t->part + (size_t)s * 2 * t->maxc;

			memset(p, 0, 2 * t->maxc * sizeof(double));
			first = slice(st->b, st->ns, s, &cnt);
			sz = hi < st->n->nl ? insize(&st->n->l[hi]) : 0;
			gin = hi < st->n->nl ? t->gb[cur] + first * sz :
			    t->dlogit + (size_t)first * k;
			gout = t->gb[!cur] + (size_t)first * outsize(L);
			back_segment(st, lo, hi == st->n->nl ? hi - 1 : hi, first, cnt,
			    s, gin, gout);
			if (L->type == L_BN)
				batchnorm_bsums(p, p + t->maxc, gout, (lo ? t->act[lo - 1] :
				    st->images) + (size_t)first * insize(L), t->bn[lo], cnt,
				    L->ic, L->ih * L->iw);
		}
		if (L->type == L_BN) {
#pragma omp single
			bn_grads(st, lo);
		}
		cur = !cur;
	}
}

/* Pack conv weights; zero the slices' gradients. */
static void
prepare(const struct step *st)
{
	struct net *n = st->n;
	struct layer *L;
	int i, s;

	if (!net_reference) {
#pragma omp for schedule(static)
		for (i = 0; i < n->nl; i++) {
			L = &n->l[i];
			if (L->type != L_CONV)
				continue;
			conv2d_pack(st->t->wp[i], L->w, L->ic, L->oc, L->k, L->s,
			    L->p, 1);
			conv2d_pack_t(st->t->wtp[i], L->w, L->ic, L->oc, L->k, L->s,
			    L->p);
		}
	}
#pragma omp for schedule(static)
	for (s = 0; s < NSLICE; s++)
		memset(st->t->sgrad + (size_t)s * n->nparam, 0,
		    n->nparam * sizeof(float));
}

/* grad = the sum of the slices' gradients, in slice order. */
static void
reduce(const struct step *st)
{
	struct net *n = st->n;
	long j, c, np = n->nparam;
	int s;

#pragma omp for schedule(static)
	for (c = 0; c < np; c += 4096) {
		long end = MIN(np, c + 4096);

		for (j = c; j < end; j++) {
			float sum = 0;

			for (s = 0; s < st->ns; s++)
				sum += st->t->sgrad[(size_t)s * np + j];
			n->grad[j] = sum;
		}
	}
}

double
nettrain_step(struct net *n, const float *images, const unsigned char *labels,
    int b, unsigned long long seed, unsigned long long stream, int *correct,
    float smooth)
{
	struct step st;
	double l = 0;
	int s;

	if (n->tr && (n->tr->bmax < b
#ifdef _OPENMP
	    || n->tr->nthr < omp_get_max_threads()
#endif
	    )) {
		nettrain_free(n->tr);
		n->tr = NULL;
	}
	if (n->tr == NULL)
		n->tr = build(n, b);
	st.n = n, st.t = n->tr, st.b = b, st.ns = MIN(NSLICE, b);
	st.images = images, st.labels = labels;
	st.seed = seed, st.stream = stream;
#pragma omp parallel
	{
		prepare(&st);
		forward(&st, smooth);
		backward(&st);
		reduce(&st);
	}
	*correct = 0;
	for (s = 0; s < st.ns; s++) {
		l += st.t->sloss[s];
		*correct += st.t->scorrect[s];
	}
	if (n->run) {
		netrun_free(n->run);
		n->run = NULL;
	}
	return l;
}
