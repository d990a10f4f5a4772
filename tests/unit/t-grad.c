/* t-grad: numeric gradient checks for every layer, and the fast kernels
 * against the plain reference ones on random shapes */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batchnorm.h"
#include "conv2d.h"
#include "dense.h"
#include "dropout.h"
#include "gemm.h"
#include "maxpool.h"
#include "relu.h"
#include "rng.h"
#include "softmax.h"
#include "util.h"
#include "tap.h"

static struct rng R;

static float *
rnd(long n, float scale)
{
	float *p = xfloats(n);
	long i;

	for (i = 0; i < n; i++)
		p[i] = scale * rng_range(&R, -1, 1);
	return p;
}

/* The loss every check uses: sum of out * proj, proj fixed and random. */
static double
dot(const float *a, const float *b, long n)
{
	double s = 0;
	long i;

	for (i = 0; i < n; i++)
		s += (double)a[i] * b[i];
	return s;
}

/* Largest error of analytic against numeric, relative to the larger of
 * their magnitudes (floor 1). */
static double
relerr(double a, double b)
{
	return fabs(a - b) / fmax(1.0, fmax(fabs(a), fabs(b)));
}

static double
maxdiff(const float *a, const float *b, long n)
{
	double m = 0;
	long i;

	for (i = 0; i < n; i++)
		m = fmax(m, relerr(a[i], b[i]));
	return m;
}

/* Generic numeric check: f(x) computes the loss from the parameter array
 * x; g holds the analytic gradient; checks up to 40 entries of x. */
typedef double lossfn(void *ctx);

static double
numcheck(float *x, const float *g, long n, lossfn *f, void *ctx)
{
	double worst = 0, lp, lm, num;
	long i, step = n > 40 ? n / 40 : 1;
	float keep, h = 1e-2f;

	for (i = 0; i < n; i += step) {
		keep = x[i];
		x[i] = keep + h;
		lp = f(ctx);
		x[i] = keep - h;
		lm = f(ctx);
		x[i] = keep;
		num = (lp - lm) / (2 * h);
		worst = fmax(worst, relerr(num, g[i]));
	}
	return worst;
}

struct convctx {
	int n, c, h, w, oc, k, s, p;
	float *in, *wt, *b, *out, *proj;
};

static double
conv_loss(void *v)
{
	struct convctx *x = v;
	int oh = conv2d_out(x->h, x->k, x->s, x->p);
	int ow = conv2d_out(x->w, x->k, x->s, x->p);

	conv2d_forward_ref(x->out, x->in, x->wt, x->b, x->n, x->c, x->h, x->w,
	    x->oc, x->k, x->s, x->p);
	return dot(x->out, x->proj, (long)x->n * x->oc * oh * ow);
}

static void
check_conv_grad(int n, int c, int h, int w, int oc, int k, int s, int p)
{
	struct convctx x = { n, c, h, w, oc, k, s, p, 0, 0, 0, 0, 0 };
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(w, k, s, p);
	long ni = (long)n * c * h * w, nw = (long)oc * c * k * k;
	long no = (long)n * oc * oh * ow;
	float *din = xfloats(ni), *dw = xfloats(nw), *db = xfloats(oc);
	double e1, e2, e3;

	x.in = rnd(ni, 1), x.wt = rnd(nw, 0.5f), x.b = rnd(oc, 0.5f);
	x.out = xfloats(no), x.proj = rnd(no, 1);
	conv2d_backward_ref(din, dw, db, x.proj, x.in, x.wt, n, c, h, w, oc, k,
	    s, p);
	e1 = numcheck(x.in, din, ni, conv_loss, &x);
	e2 = numcheck(x.wt, dw, nw, conv_loss, &x);
	e3 = numcheck(x.b, db, oc, conv_loss, &x);
	ok(e1 < 2e-3 && e2 < 2e-3 && e3 < 2e-3,
	    "conv2d gradient %dx%dx%dx%d oc=%d k=%d s=%d p=%d (err %.1e %.1e %.1e)",
	    n, c, h, w, oc, k, s, p, e1, e2, e3);
	free(din), free(dw), free(db), free(x.in), free(x.wt), free(x.b);
	free(x.out), free(x.proj);
}

/* The fast convolution against the reference, forward and backward. */
static void
check_conv_fast(int n, int c, int h, int w, int oc, int k, int s, int p)
{
	int oh = conv2d_out(h, k, s, p), ow = conv2d_out(w, k, s, p);
	long ni = (long)n * c * h * w, nw = (long)oc * c * k * k;
	long no = (long)n * oc * oh * ow;
	float *in = rnd(ni, 1), *wt = rnd(nw, 0.5f), *b = rnd(oc, 0.5f);
	float *g = rnd(no, 1), *o1 = xfloats(no), *o2 = xfloats(no);
	float *d1 = xfloats(ni), *d2 = xfloats(ni), *w1 = xfloats(nw);
	float *w2 = xfloats(nw), *b1 = xfloats(oc), *b2 = xfloats(oc);
	float *wp = xfloats(conv2d_pack_size(c, oc, k));
	float *ws = xfloats(conv2d_ws_size(c, h, w, oc, k, s, p));
	double e;

	conv2d_forward_ref(o1, in, wt, b, n, c, h, w, oc, k, s, p);
	conv2d_pack(wp, wt, c, oc, k, s, p, 1);
	conv2d_forward(o2, in, wp, b, n, c, h, w, oc, k, s, p, 0, ws);
	e = maxdiff(o1, o2, no);
	conv2d_backward_ref(d1, w1, b1, g, in, wt, n, c, h, w, oc, k, s, p);
	conv2d_pack_t(wp, wt, c, oc, k, s, p);
	conv2d_backward(d2, w2, b2, g, in, wp, n, c, h, w, oc, k, s, p, ws);
	e = fmax(e, maxdiff(d1, d2, ni));
	e = fmax(e, maxdiff(w1, w2, nw));
	e = fmax(e, maxdiff(b1, b2, oc));
	ok(e < 1e-4, "conv2d %s = reference: %dx%dx%dx%d oc=%d k=%d s=%d p=%d "
	    "(err %.1e)", gemm_kernel()->name, n, c, h, w, oc, k, s, p, e);
	free(in), free(wt), free(b), free(g), free(o1), free(o2), free(d1);
	free(d2), free(w1), free(w2), free(b1), free(b2), free(wp), free(ws);
}

struct bnctx {
	int n, c, hw;
	float *in, *gamma, *beta, *out, *mean, *inv, *proj;
};

static double
bn_loss(void *v)
{
	struct bnctx *x = v;

	batchnorm_forward(x->out, x->in, x->gamma, x->beta, x->mean, x->inv,
	    x->n, x->c, x->hw);
	return dot(x->out, x->proj, (long)x->n * x->c * x->hw);
}

static void
check_bn(int n, int c, int hw)
{
	struct bnctx x = { n, c, hw, 0, 0, 0, 0, 0, 0, 0 };
	long ni = (long)n * c * hw;
	float *din = xfloats(ni), *dg = xfloats(c), *db = xfloats(c);
	double e1, e2, e3;

	x.in = rnd(ni, 2), x.gamma = rnd(c, 1), x.beta = rnd(c, 1);
	x.out = xfloats(ni), x.mean = xfloats(c), x.inv = xfloats(c);
	x.proj = rnd(ni, 1);
	bn_loss(&x);
	batchnorm_backward(din, dg, db, x.proj, x.in, x.gamma, x.mean, x.inv,
	    n, c, hw);
	e1 = numcheck(x.in, din, ni, bn_loss, &x);
	e2 = numcheck(x.gamma, dg, c, bn_loss, &x);
	e3 = numcheck(x.beta, db, c, bn_loss, &x);
	ok(e1 < 5e-3 && e2 < 2e-3 && e3 < 2e-3,
	    "batchnorm gradient n=%d c=%d hw=%d (err %.1e %.1e %.1e)", n, c, hw,
	    e1, e2, e3);
	free(din), free(dg), free(db), free(x.in), free(x.gamma), free(x.beta);
	free(x.out), free(x.mean), free(x.inv), free(x.proj);
}

struct densectx {
	int n, ni, no;
	float *in, *w, *b, *out, *proj;
};

static double
dense_loss(void *v)
{
	struct densectx *x = v;

	dense_forward_ref(x->out, x->in, x->w, x->b, x->n, x->ni, x->no);
	return dot(x->out, x->proj, (long)x->n * x->no);
}

static void
check_dense(int n, int ni, int no)
{
	struct densectx x = { n, ni, no, 0, 0, 0, 0, 0 };
	float *din = xfloats((long)n * ni), *dw = xfloats((long)no * ni);
	float *db = xfloats(no), *d2 = xfloats((long)n * ni);
	float *w2 = xfloats((long)no * ni), *b2 = xfloats(no);
	float *o2 = xfloats((long)n * no);
	float *ws = xfloats(dense_ws_size(n, ni, no));
	double e1, e2, e3, ef;

	x.in = rnd((long)n * ni, 1), x.w = rnd((long)no * ni, 0.5f);
	x.b = rnd(no, 1), x.out = xfloats((long)n * no);
	x.proj = rnd((long)n * no, 1);
	dense_backward_ref(din, dw, db, x.proj, x.in, x.w, n, ni, no);
	e1 = numcheck(x.in, din, (long)n * ni, dense_loss, &x);
	e2 = numcheck(x.w, dw, (long)no * ni, dense_loss, &x);
	e3 = numcheck(x.b, db, no, dense_loss, &x);
	ok(e1 < 2e-3 && e2 < 2e-3 && e3 < 2e-3,
	    "dense gradient n=%d %d->%d (err %.1e %.1e %.1e)", n, ni, no, e1, e2,
	    e3);
	dense_loss(&x);
	dense_forward(o2, x.in, x.w, x.b, n, ni, no, ws);
	dense_backward(d2, w2, b2, x.proj, x.in, x.w, n, ni, no, ws);
	ef = fmax(maxdiff(x.out, o2, (long)n * no), maxdiff(din, d2, (long)n * ni));
	ef = fmax(ef, fmax(maxdiff(dw, w2, (long)no * ni), maxdiff(db, b2, no)));
	ok(ef < 1e-4, "dense %s = reference n=%d %d->%d (err %.1e)",
	    gemm_kernel()->name, n, ni, no, ef);
	free(din), free(dw), free(db), free(d2), free(w2), free(b2), free(o2);
	free(ws), free(x.in), free(x.w), free(x.b), free(x.out), free(x.proj);
}

struct poolctx {
	int n, c, h, w, k, s;
	float *in, *out, *proj;
	int *arg;
};

static double
pool_loss(void *v)
{
	struct poolctx *x = v;

	maxpool_forward(x->out, x->arg, x->in, x->n, x->c, x->h, x->w, x->k,
	    x->s);
	return dot(x->out, x->proj, (long)x->n * x->c *
	    maxpool_out(x->h, x->k, x->s) * maxpool_out(x->w, x->k, x->s));
}

static void
check_pool(int n, int c, int h, int w, int k, int s)
{
	struct poolctx x = { n, c, h, w, k, s, 0, 0, 0, 0 };
	long ni = (long)n * c * h * w;
	long no = (long)n * c * maxpool_out(h, k, s) * maxpool_out(w, k, s);
	float *din = xfloats(ni);
	long i;
	double e;

	/* distinct values, far apart, so a small step moves no maximum */
	x.in = xfloats(ni);
	for (i = 0; i < ni; i++)
		x.in[i] = (float)((i * 7919) % ni) * 0.1f;
	x.out = xfloats(no), x.proj = rnd(no, 1), x.arg = xmalloc(no * sizeof(int));
	pool_loss(&x);
	maxpool_backward(din, x.proj, x.arg, n, c, h, w, k, s);
	e = numcheck(x.in, din, ni, pool_loss, &x);
	ok(e < 2e-3, "maxpool gradient %dx%dx%dx%d k=%d s=%d (err %.1e)", n, c,
	    h, w, k, s, e);
	free(din), free(x.in), free(x.out), free(x.proj), free(x.arg);
}

struct actctx {
	long n;
	float *in, *out, *proj, *mask;
};

static double
relu_loss(void *v)
{
	struct actctx *x = v;

	relu_forward(x->out, x->in, x->n);
	return dot(x->out, x->proj, x->n);
}

static double
drop_loss(void *v)
{
	struct actctx *x = v;
	long i;

	for (i = 0; i < x->n; i++)
		x->out[i] = x->in[i] * x->mask[i];
	return dot(x->out, x->proj, x->n);
}

static void
check_act(void)
{
	struct actctx x = { 300, 0, 0, 0, 0 };
	float *din = xfloats(x.n);
	struct rng r;
	long i, zero = 0;
	double e;

	x.in = rnd(x.n, 1), x.out = xfloats(x.n), x.proj = rnd(x.n, 1);
	for (i = 0; i < x.n; i++)       /* keep away from the kink */
		x.in[i] += x.in[i] > 0 ? 0.05f : -0.05f;
	relu_loss(&x);
	relu_backward(din, x.proj, x.out, x.n);
	e = numcheck(x.in, din, x.n, relu_loss, &x);
	ok(e < 2e-3, "relu gradient (err %.1e)", e);
	x.mask = xfloats(x.n);
	rng_seed(&r, 1, 2);
	dropout_forward(x.out, x.mask, x.in, x.n, 0.25f, &r);
	for (i = 0; i < x.n; i++)
		zero += x.mask[i] == 0;
	dropout_backward(din, x.proj, x.mask, x.n);
	e = numcheck(x.in, din, x.n, drop_loss, &x);
	ok(e < 2e-3 && zero > 40 && zero < 110,
	    "dropout gradient (err %.1e), %ld of 300 dropped at rate 0.25", e, zero);
	free(din), free(x.in), free(x.out), free(x.proj), free(x.mask);
}

struct smctx {
	int n, k;
	float *logit, *prob, *d;
	unsigned char *lab;
	float eps;
};

static double
sm_loss(void *v)
{
	struct smctx *x = v;

	softmax_forward(x->prob, x->logit, x->n, x->k);
	return softmax_xent(x->d, x->prob, x->lab, x->n, x->k, x->eps, 1);
}

static void
check_softmax(float eps)
{
	struct smctx x = { 5, 10, 0, 0, 0, 0, eps };
	float *g = xfloats(50);
	double e, sum = 0;
	int i;

	x.logit = rnd(50, 3), x.prob = xfloats(50), x.d = xfloats(50);
	x.lab = xmalloc(5);
	for (i = 0; i < 5; i++)
		x.lab[i] = (unsigned char)rng_below(&R, 10);
	sm_loss(&x);
	memcpy(g, x.d, 50 * sizeof(float));
	for (i = 0; i < 10; i++)
		sum += x.prob[i];
	e = numcheck(x.logit, g, 50, sm_loss, &x);
	ok(e < 2e-3 && fabs(sum - 1) < 1e-5,
	    "softmax cross-entropy gradient, smoothing %g (err %.1e)", eps, e);
	free(g), free(x.logit), free(x.prob), free(x.d), free(x.lab);
}

int
main(void)
{
	int i;

	rng_seed(&R, 42, 0);
	check_conv_grad(2, 3, 7, 6, 4, 3, 1, 1);
	check_conv_grad(2, 2, 8, 9, 3, 3, 2, 0);
	check_conv_grad(1, 1, 9, 9, 5, 5, 1, 2);
	check_conv_grad(2, 4, 5, 5, 3, 1, 1, 0);
	check_conv_grad(1, 2, 7, 7, 2, 4, 3, 2);
	check_bn(4, 3, 5);
	check_bn(6, 5, 1);
	check_dense(3, 17, 5);
	check_pool(2, 3, 6, 7, 2, 2);
	check_pool(1, 2, 7, 7, 3, 2);
	check_act();
	check_softmax(0);
	check_softmax(0.1f);
	for (i = 0; gemm_kernels[i]; i++) {
		if (!gemm_kernels[i]->usable()) {
			printf("ok %d # skip kernel %s: this CPU lacks it\n", ++tap_n,
			    gemm_kernels[i]->name);
			continue;
		}
		gemm_select(gemm_kernels[i]->name);
		check_conv_fast(3, 1, 28, 28, 32, 5, 1, 2);
		check_conv_fast(2, 32, 14, 14, 64, 3, 1, 1);
		check_conv_fast(2, 64, 7, 7, 128, 3, 1, 1);
		check_conv_fast(2, 3, 11, 9, 5, 3, 2, 1);
		check_conv_fast(2, 7, 6, 5, 9, 1, 1, 0);
		check_conv_fast(1, 5, 13, 13, 7, 4, 3, 3);
		check_conv_fast(1, 300, 5, 5, 13, 3, 1, 0);
		/* 3x3, stride 1, padding 1 on enough images: Winograd; odd
		 * sizes, one pixel, too many channels for it (direct) */
		check_conv_fast(8, 64, 7, 7, 16, 3, 1, 1);
		check_conv_fast(6, 5, 9, 7, 11, 3, 1, 1);
		check_conv_fast(3, 5, 9, 7, 11, 3, 1, 1);
		check_conv_fast(70, 17, 1, 1, 3, 3, 1, 1);
		check_conv_fast(3, 3, 2, 30, 40, 3, 1, 1);
		check_conv_fast(20, 400, 4, 4, 3, 3, 1, 1);
		check_dense(37, 1152, 10);
		check_dense(5, 300, 129);
	}
	return done_testing();
}
