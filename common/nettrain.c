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
	float **wp, **wtp;      /* conv: packed W and W^T */
	float *dbuf[2];         /* gradients flowing back, ping-pong */
	float *prob, *dlogit;
	float *sgrad;           /* per slice: a whole gradient */
	double *part;           /* per slice: 2 x maxc partial sums */
	double *tot;            /* their totals */
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
	for (i = 0; i < t->nthr; i++)
		free(t->ws[i]);
	free(t->ws);
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
	TAKE(t->dbuf[0], (long)b * maxio);
	TAKE(t->dbuf[1], (long)b * maxio);
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
#ifdef _OPENMP
	t->nthr = omp_get_max_threads();
#else
	t->nthr = 1;
#endif
	t->ws = xcalloc(t->nthr, sizeof(float *));
	for (i = 0; i < t->nthr; i++)
		t->ws[i] = xfloats(t->wsz);
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

/* Batch norm forward: statistics over the whole batch, from per-slice
 * sums added in slice order. */
static void
bn_forward(const struct step *st, int i, const float *x, float *y)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	int s, c, cnt, lo, hw = L->ih * L->iw, C = L->ic;
	float *mean = t->bn[i], *inv = mean + C, *sc = inv + C, *sh = sc + C;

#pragma omp for schedule(static)
	for (s = 0; s < st->ns; s++) {
		double *p = t->part + (size_t)s * 2 * t->maxc;

		memset(p, 0, 2 * t->maxc * sizeof(double));
		lo = slice(st->b, st->ns, s, &cnt);
		batchnorm_sums(p, p + t->maxc, x + (size_t)lo * C * hw, cnt, C, hw);
	}
#pragma omp single
	{
		long count = (long)st->b * hw;

		memset(t->tot, 0, 2 * t->maxc * sizeof(double));
		for (s = 0; s < st->ns; s++)
			for (c = 0; c < 2 * t->maxc; c++)
				t->tot[c] += t->part[(size_t)s * 2 * t->maxc + c];
		batchnorm_stats(mean, inv, t->tot, t->tot + t->maxc, count, C);
		for (c = 0; c < C; c++) {
			float var = 1 / (inv[c] * inv[c]) - BN_EPS;

			sc[c] = L->w[c] * inv[c];
			sh[c] = L->b[c] - mean[c] * sc[c];
			L->mean[c] += BN_MOMENTUM * (mean[c] - L->mean[c]);
			L->var[c] += BN_MOMENTUM *
			    (var * count / MAX(count - 1, 1) - L->var[c]);
		}
	}
#pragma omp for schedule(static)
	for (s = 0; s < st->ns; s++) {
		lo = slice(st->b, st->ns, s, &cnt);
		batchnorm_apply(y + (size_t)lo * C * hw, x + (size_t)lo * C * hw,
		    sc, sh, cnt, C, hw);
	}
}

static void
bn_backward(const struct step *st, int i, const float *x, const float *g,
    float *d)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	int s, c, cnt, lo, hw = L->ih * L->iw, C = L->ic;
	float *mean = t->bn[i], *inv = mean + C;

#pragma omp for schedule(static)
	for (s = 0; s < st->ns; s++) {
		double *p = t->part + (size_t)s * 2 * t->maxc;

		memset(p, 0, 2 * t->maxc * sizeof(double));
		lo = slice(st->b, st->ns, s, &cnt);
		batchnorm_bsums(p, p + t->maxc, g + (size_t)lo * C * hw,
		    x + (size_t)lo * C * hw, mean, cnt, C, hw);
	}
#pragma omp single
	{
		float *dg = sg(st, 0, L->dw), *db = sg(st, 0, L->db);

		memset(t->tot, 0, 2 * t->maxc * sizeof(double));
		for (s = 0; s < st->ns; s++)
			for (c = 0; c < 2 * t->maxc; c++)
				t->tot[c] += t->part[(size_t)s * 2 * t->maxc + c];
		for (c = 0; c < C; c++) {
			db[c] += (float)t->tot[c];
			dg[c] += (float)(t->tot[t->maxc + c] * inv[c]);
		}
	}
	if (d == NULL)
		return;
#pragma omp for schedule(static)
	for (s = 0; s < st->ns; s++) {
		lo = slice(st->b, st->ns, s, &cnt);
		batchnorm_bapply(d + (size_t)lo * C * hw, g + (size_t)lo * C * hw,
		    x + (size_t)lo * C * hw, L->w, mean, inv, t->tot,
		    t->tot + t->maxc, (long)st->b * hw, cnt, C, hw);
	}
}

/* One slice through layer i, forward. */
static void
forward_slice(const struct step *st, int i, int s, const float *x, float *y)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	int cnt, lo = slice(st->b, st->ns, s, &cnt), j;
	const float *xs = x + (size_t)lo * insize(L);
	float *ys = y + (size_t)lo * outsize(L);
	struct rng r;

	switch (L->type) {
	case L_CONV:
		if (net_reference)
			conv2d_forward_ref(ys, xs, L->w, L->b, cnt, L->ic, L->ih, L->iw,
			    L->oc, L->k, L->s, L->p);
		else
			conv2d_forward(ys, xs, t->wp[i], L->b, cnt, L->ic, L->ih,
			    L->iw, L->oc, L->k, L->s, L->p, 0, t->ws[tid()]);
		break;
	case L_DENSE:
		if (net_reference)
			dense_forward_ref(ys, xs, L->w, L->b, cnt, L->ic, L->oc);
		else
			dense_forward(ys, xs, L->w, L->b, cnt, L->ic, L->oc,
			    t->ws[tid()]);
		break;
	case L_RELU:
		relu_forward(ys, xs, (size_t)cnt * outsize(L));
		break;
	case L_MAXPOOL:
		maxpool_forward(ys, t->arg[i] + (size_t)lo * outsize(L), xs, cnt,
		    L->ic, L->ih, L->iw, L->k, L->s);
		break;
	case L_DROPOUT:
		for (j = 0; j < cnt; j++) {
			rng_seed(&r, st->seed + 7919 * (i + 1),
			    st->stream * 65536 + lo + j);
			dropout_forward(ys + j * outsize(L),
			    t->mask[i] + (size_t)(lo + j) * outsize(L),
			    xs + j * outsize(L), outsize(L), L->rate, &r);
		}
		break;
	case L_BN:
		break;
	}
}

/* One slice back through layer i: g is the gradient of its output, d
 * receives that of its input (NULL: not needed). */
static void
backward_slice(const struct step *st, int i, int s, const float *x,
    const float *g, float *d)
{
	struct layer *L = &st->n->l[i];
	struct nettrain *t = st->t;
	int cnt, lo = slice(st->b, st->ns, s, &cnt);
	size_t oi = (size_t)lo * insize(L), oo = (size_t)lo * outsize(L);
	float *ds = d ? d + oi : NULL;

	switch (L->type) {
	case L_CONV:
		if (net_reference)
			conv2d_backward_ref(ds, sg(st, s, L->dw), sg(st, s, L->db),
			    g + oo, x + oi, L->w, cnt, L->ic, L->ih, L->iw, L->oc, L->k,
			    L->s, L->p);
		else
			conv2d_backward(ds, sg(st, s, L->dw), sg(st, s, L->db),
			    g + oo, x + oi, t->wtp[i], cnt, L->ic, L->ih, L->iw, L->oc,
			    L->k, L->s, L->p, t->ws[tid()]);
		break;
	case L_DENSE:
		if (net_reference)
			dense_backward_ref(ds, sg(st, s, L->dw), sg(st, s, L->db),
			    g + oo, x + oi, L->w, cnt, L->ic, L->oc);
		else
			dense_backward(ds, sg(st, s, L->dw), sg(st, s, L->db),
			    g + oo, x + oi, L->w, cnt, L->ic, L->oc, t->ws[tid()]);
		break;
	case L_RELU:
		if (ds)
			relu_backward(ds, g + oo, t->act[i] + oo,
			    (size_t)cnt * outsize(L));
		break;
	case L_MAXPOOL:
		if (ds)
			maxpool_backward(ds, g + oo, t->arg[i] + oo, cnt, L->ic, L->ih,
			    L->iw, L->k, L->s);
		break;
	case L_DROPOUT:
		if (ds)
			dropout_backward(ds, g + oo, t->mask[i] + oo,
			    (size_t)cnt * outsize(L));
		break;
	case L_BN:
		break;
	}
}

static void
forward(const struct step *st)
{
	struct net *n = st->n;
	const float *x = st->images;
	int i, s;

	for (i = 0; i < n->nl; i++) {
		if (n->l[i].type == L_BN)
			bn_forward(st, i, x, st->t->act[i]);
		else {
#pragma omp for schedule(static)
			for (s = 0; s < st->ns; s++)
				forward_slice(st, i, s, x, st->t->act[i]);
		}
		x = st->t->act[i];
	}
}

static void
loss(const struct step *st, float smooth)
{
	struct nettrain *t = st->t;
	const float *logit = t->act[st->n->nl - 1];
	int s, cnt, lo, j, c, k = st->n->nclass, best;

#pragma omp for schedule(static)
	for (s = 0; s < st->ns; s++) {
		lo = slice(st->b, st->ns, s, &cnt);
		softmax_forward(t->prob + (size_t)lo * k, logit + (size_t)lo * k,
		    cnt, k);
		t->sloss[s] = softmax_xent(t->dlogit + (size_t)lo * k,
		    t->prob + (size_t)lo * k, st->labels + lo, cnt, k, smooth,
		    1.0f / st->b);
		t->scorrect[s] = 0;
		for (j = lo; j < lo + cnt; j++) {
			const float *p = t->prob + (size_t)j * k;

			for (best = 0, c = 1; c < k; c++)
				if (p[c] > p[best])
					best = c;
			t->scorrect[s] += best == st->labels[j];
		}
	}
}

static void
backward(const struct step *st)
{
	struct net *n = st->n;
	struct nettrain *t = st->t;
	const float *g = t->dlogit, *x;
	float *d;
	int i, s;

	for (i = n->nl - 1; i >= 0; i--) {
		x = i ? t->act[i - 1] : st->images;
		if (i == 0)
			d = NULL;
		else if (inplace(&n->l[i], i))
			d = (float *)g;
		else
			d = g == t->dbuf[0] ? t->dbuf[1] : t->dbuf[0];
		if (n->l[i].type == L_BN)
			bn_backward(st, i, x, g, d);
		else {
#pragma omp for schedule(static)
			for (s = 0; s < st->ns; s++)
				backward_slice(st, i, s, x, g, d);
		}
		if (d == NULL)
			break;
		g = d;
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
			conv2d_pack(st->t->wp[i], L->w, L->ic, L->oc, L->k);
			conv2d_pack_t(st->t->wtp[i], L->w, L->ic, L->oc, L->k);
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
		forward(&st);
		loss(&st, smooth);
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
