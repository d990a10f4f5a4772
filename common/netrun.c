/* netrun: inference, with batch norm folded into the layer before it */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "batchnorm.h"
#include "conv2d.h"
#include "dense.h"
#include "maxpool.h"
#include "netrun.h"
#include "relu.h"
#include "softmax.h"
#include "util.h"

#define CHUNK 16                 /* images a thread carries through the net */

struct rlayer {
	enum layer_type type;   /* L_CONV, L_DENSE, L_MAXPOOL, L_BN, L_RELU */
	int ic, ih, iw, oc, oh, ow, k, s, p;
	int relu;               /* max(0, .) after it */
	int wino;               /* conv: weights packed for Winograd too */
	int pool;               /* conv: and 2x2 max pooling (oh, ow pooled) */
	float *w, *b;           /* folded weights (conv: also packed in wp) */
	float *wp;
};

struct netrun {
	int nl;
	struct rlayer *l;
	long maxact;            /* floats of the largest activation of an image */
	size_t wsz;             /* per-thread workspace, floats */
	int nthr;
	float **buf;            /* per thread: two activation buffers, workspace */
	int *bufn;              /* images each buffer holds */
};

void
netrun_free(struct netrun *r)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nl; i++) {
		free(r->l[i].w);
		free(r->l[i].wp);
	}
	for (i = 0; i < r->nthr; i++)
		free(r->buf[i]);
	free(r->buf);
	free(r->bufn);
	free(r->l);
	free(r);
}

/* Weights and bias of a conv or dense layer, with the batch norm that
 * follows it (if any) folded in: w' = w g/s, b' = (b - mean) g/s + beta. */
static void
fold(struct rlayer *R, const struct layer *L, const struct layer *bn)
{
	long per = L->nw / L->oc, j;
	int o;

	R->w = xfloats(L->nw + L->nb);
	R->b = R->w + L->nw;
	memcpy(R->w, L->w, L->nw * sizeof(float));
	memcpy(R->b, L->b, L->nb * sizeof(float));
	if (bn == NULL)
		return;
	for (o = 0; o < L->oc; o++) {
		float sc = bn->w[o] / sqrtf(bn->var[o] + BN_EPS);

		for (j = 0; j < per; j++)
			R->w[o * per + j] *= sc;
		R->b[o] = (R->b[o] - bn->mean[o]) * sc + bn->b[o];
	}
}

static void
add_layer(struct netrun *r, const struct net *n, int *i)
{
	const struct layer *L = &n->l[*i], *next;
	struct rlayer *R = &r->l[r->nl++];

	R->type = L->type;
	R->ic = L->ic, R->ih = L->ih, R->iw = L->iw;
	R->oc = L->oc, R->oh = L->oh, R->ow = L->ow;
	R->k = L->k, R->s = L->s, R->p = L->p;
	next = *i + 1 < n->nl ? &n->l[*i + 1] : NULL;
	if (L->type == L_CONV || L->type == L_DENSE) {
		fold(R, L, next && next->type == L_BN ? next : NULL);
		if (next && next->type == L_BN)
			next = ++*i + 1 < n->nl ? &n->l[*i + 1] : NULL;
	} else if (L->type == L_BN) {
		R->w = xfloats(2 * L->ic), R->b = R->w + L->ic;
		for (int c = 0; c < L->ic; c++) {
			R->w[c] = L->w[c] / sqrtf(L->var[c] + BN_EPS);
			R->b[c] = L->b[c] - L->mean[c] * R->w[c];
		}
	}
	if (L->type != L_RELU && next && next->type == L_RELU) {
		R->relu = 1;
		next = ++*i + 1 < n->nl ? &n->l[*i + 1] : NULL;
	}
	if (!net_reference && R->type == L_CONV && R->relu && next &&
	    next->type == L_MAXPOOL &&
	    next->k == 2 && next->s == 2 && conv2d_can_pool(R->k, R->s, R->p)) {
		R->pool = 1;
		R->oh /= 2, R->ow /= 2;
		++*i;
	}
	if (R->type == L_CONV) {
		R->wp = xfloats(conv2d_pack_size(R->ic, R->oc, R->k));
		conv2d_pack(R->wp, R->w, R->ic, R->oc, R->k, R->s, R->p, 0);
	}
}

static struct netrun *
build(const struct net *n)
{
	struct netrun *r = xcalloc(1, sizeof(*r));
	struct rlayer *R;
	size_t ws;
	int i;

	r->l = xcalloc(n->nl, sizeof(*r->l));
	r->maxact = (long)n->in_c * n->in_h * n->in_w;
	for (i = 0; i < n->nl; i++)
		if (n->l[i].type != L_DROPOUT)
			add_layer(r, n, &i);
	r->wsz = 64;
	for (i = 0; i < r->nl; i++) {
		R = &r->l[i];
		r->maxact = MAX(r->maxact, (long)R->oc * R->oh * R->ow);
		ws = R->type == L_CONV ? conv2d_ws_size(R->ic, R->ih, R->iw, R->oc,
		    R->k, R->s, R->p) : R->type == L_DENSE ?
		    dense_ws_size(CHUNK, R->ic, R->oc) : 0;
		r->wsz = MAX(r->wsz, ws);
	}
#ifdef _OPENMP
	r->nthr = omp_get_max_threads();
#else
	r->nthr = 1;
#endif
	r->buf = xcalloc(r->nthr, sizeof(*r->buf));
	r->bufn = xcalloc(r->nthr, sizeof(*r->bufn));
	return r;
}

/* Run one chunk of images through the folded net. */
static void
run_chunk(const struct netrun *r, float *prob, const float *in, int cnt,
    int nclass, float *buf)
{
	float *a = buf, *b = buf + cnt * r->maxact, *ws = b + cnt * r->maxact;
	const struct rlayer *R;
	const float *x = in;
	float *y, *t;
	int i;

	for (i = 0; i < r->nl; i++) {
		R = &r->l[i];
		y = x == a ? b : a;
		switch (R->type) {
		case L_CONV:
			if (net_reference) {
				conv2d_forward_ref(y, x, R->w, R->b, cnt, R->ic, R->ih, R->iw,
				    R->oc, R->k, R->s, R->p);
				if (R->relu)
					relu_forward(y, y, (size_t)cnt * R->oc * R->oh * R->ow);
			} else if (R->pool)
				conv2d_forward_pool(y, x, R->wp, R->b, cnt, R->ic, R->ih,
				    R->iw, R->oc, R->k, R->p, ws);
			else
				conv2d_forward(y, x, R->wp, R->b, cnt, R->ic, R->ih, R->iw,
				    R->oc, R->k, R->s, R->p, R->relu, ws);
			break;
		case L_DENSE:
			if (net_reference)
				dense_forward_ref(y, x, R->w, R->b, cnt, R->ic, R->oc);
			else
				dense_forward(y, x, R->w, R->b, cnt, R->ic, R->oc, ws);
			if (R->relu)
				relu_forward(y, y, (size_t)cnt * R->oc);
			break;
		case L_MAXPOOL:
			maxpool_forward(y, NULL, x, cnt, R->ic, R->ih, R->iw, R->k, R->s);
			if (R->relu)
				relu_forward(y, y, (size_t)cnt * R->oc * R->oh * R->ow);
			break;
		case L_BN:
			batchnorm_apply(y, x, R->w, R->b, cnt, R->ic, R->ih * R->iw);
			if (R->relu)
				relu_forward(y, y, (size_t)cnt * R->oc * R->oh * R->ow);
			break;
		default:
			relu_forward(y, x, (size_t)cnt * R->ic * R->ih * R->iw);
		}
		x = y;
	}
	t = (float *)x;
	softmax_forward(prob, t, cnt, nclass);
}

/* Pack the Winograd weights of the layers that batches of cnt images
 * send that way, the first time one comes. */
static void
prepare(struct netrun *r, int cnt)
{
	struct rlayer *R;
	int i;

	for (i = 0; i < r->nl; i++) {
		R = &r->l[i];
		if (R->type == L_CONV && !R->wino && conv2d_winograd(R->ic, R->ih,
		    R->iw, R->k, R->s, R->p, cnt)) {
			conv2d_pack(R->wp, R->w, R->ic, R->oc, R->k, R->s, R->p, 1);
			R->wino = 1;
		}
	}
}

static void
infer_one(struct net *n, float *prob, const float *images, int count)
{
	long per = (long)n->in_c * n->in_h * n->in_w;
	int nch = (count + CHUNK - 1) / CHUNK, ch;
	struct netrun *r;

	if (n->run == NULL)
		n->run = build(n);
	r = n->run;
	prepare(r, MIN(count, CHUNK));
#ifdef _OPENMP
	if (omp_get_max_threads() > r->nthr) {
		r->buf = xrealloc(r->buf, omp_get_max_threads() * sizeof(*r->buf));
		r->bufn = xrealloc(r->bufn, omp_get_max_threads() * sizeof(int));
		while (r->nthr < omp_get_max_threads()) {
			r->bufn[r->nthr] = 0;
			r->buf[r->nthr++] = NULL;
		}
	}
#endif
#pragma omp parallel for schedule(dynamic, 4) if (nch > 2 && r->nthr > 1)
	for (ch = 0; ch < nch; ch++) {
		int t = 0, cnt = MIN(CHUNK, count - ch * CHUNK);

#ifdef _OPENMP
		t = omp_get_thread_num();
#endif
		if (r->bufn[t] < cnt) {
			/* sized for what is asked: one digit costs little */
			free(r->buf[t]);
			r->buf[t] = xfloats_raw(2 * cnt * r->maxact + r->wsz);
			r->bufn[t] = cnt;
		}
		run_chunk(r, prob + (long)ch * CHUNK * n->nclass,
		    images + ch * CHUNK * per, cnt, n->nclass, r->buf[t]);
	}
}

void
netrun_infer(struct net *n, float *prob, const float *images, int count)
{
	long per = (long)n->in_c * n->in_h * n->in_w, i;
	int nc = n->nclass, m = 0, j, c, k = 1;
	struct net *o;
	float *x, *q, *sum;
	int *which;

	infer_one(n, prob, images, count);
	if (n->next == NULL || count <= 0)
		return;
	/* the images the first net is unsure of */
	which = xmalloc(count * sizeof(int));
	for (i = 0; i < count; i++) {
		float best = 0;

		for (c = 0; c < nc; c++)
			best = MAX(best, prob[i * nc + c]);
		if (best < NETRUN_SURE)
			which[m++] = (int)i;
	}
	if (m > 0) {
		x = xfloats_raw((size_t)m * per);
		q = xfloats_raw((size_t)m * nc);
		sum = xfloats((size_t)m * nc);
		for (j = 0; j < m; j++) {
			memcpy(x + j * per, images + which[j] * per,
			    per * sizeof(float));
			for (c = 0; c < nc; c++)
				sum[j * nc + c] = prob[which[j] * nc + c];
		}
		for (o = n->next; o; o = o->next, k++) {
			infer_one(o, q, x, m);
			for (i = 0; i < (long)m * nc; i++)
				sum[i] += q[i];
		}
		for (j = 0; j < m; j++)
			for (c = 0; c < nc; c++)
				prob[which[j] * nc + c] = sum[j * nc + c] / k;
		free(x);
		free(q);
		free(sum);
	}
	free(which);
}
