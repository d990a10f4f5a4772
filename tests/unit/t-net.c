/* t-net: the training step against numeric gradients of the whole net,
 * fast against reference kernels, the same bits on any thread count,
 * inference against the training-mode forward pass */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "net.h"
#include "netrun.h"
#include "nettrain.h"
#include "rng.h"
#include "util.h"
#include "tap.h"

#define B 6
#define ARCH "conv 4 3 p=1; bn; relu; maxpool 2; conv 6 3 s=2; bn; relu; " \
	"dropout 0.25; dense 12; bn; relu; dense 10"

static float images[B * 784];
static unsigned char labels[B];

static double
loss(struct net *n)
{
	int ok;

	return nettrain_step(n, images, labels, B, 7, 3, &ok, 0.1f);
}

/* The numeric derivative of the summed loss against the analytic
 * gradient of the mean, over a sample of each tensor's entries.  ReLU and
 * max pooling have kinks that a step can cross, so a few entries may
 * differ; the layers alone are checked exactly in t-grad. */
static void
numeric(struct net *n, const char *how)
{
	float *g = xfloats(n->nparam);
	double lp, lm, num, e;
	float keep, h = 1e-3f;
	long i, step, good = 0, all = 0;
	int t;

	loss(n);
	memcpy(g, n->grad, n->nparam * sizeof(float));
	for (t = 0; t < n->nt; t++) {
		if (!n->t[t].trainable)
			continue;
		step = n->t[t].n > 12 ? n->t[t].n / 12 : 1;
		for (i = 0; i < n->t[t].n; i += step) {
			float *p = n->t[t].p + i;

			keep = *p;
			*p = keep + h;
			lp = loss(n);
			*p = keep - h;
			lm = loss(n);
			*p = keep;
			num = (lp - lm) / (2 * h) / B;
			e = fabs(num - g[p - n->param]) /
			    fmax(1e-2, fabs(num) + fabs(g[p - n->param]));
			good += e < 1e-2;
			all++;
		}
	}
	ok(good >= 0.95 * all, "whole-net gradient against numeric, %s: %ld "
	    "of %ld entries within 1%%", how, good, all);
	free(g);
}

int
main(void)
{
	struct net *n;
	char err[256];
	float *g1, *g2, *p1, *p2;
	struct rng r;
	int i, ok1, ok2;
	double l1, l2, e;

	rng_seed(&r, 5, 0);
	for (i = 0; i < B * 784; i++)
		images[i] = rng_uniform(&r);
	for (i = 0; i < B; i++)
		labels[i] = (unsigned char)rng_below(&r, 10);
	n = net_new(ARCH, err, sizeof(err));
	if (!ok(n != NULL, "build '%s'", ARCH))
		return done_testing();
	net_init(n, 11);
	ok(net_new("conv 3; dense 10", err, sizeof(err)) == NULL &&
	    strstr(err, "conv wants") != NULL, "bad layer rejected: %s", err);
	ok(net_new("conv 4 3; relu", err, sizeof(err)) == NULL &&
	    strstr(err, "last layer") != NULL, "must end in dense: %s", err);
	ok(net_new("conv 4 29; dense 10", err, sizeof(err)) == NULL,
	    "kernel larger than the image rejected: %s", err);

	net_reference = 1;
	numeric(n, "reference kernels");
	net_reference = 0;
	numeric(n, "fast kernels");

	g1 = xfloats(n->nparam), g2 = xfloats(n->nparam);
	net_reference = 1;
	l1 = loss(n);
	memcpy(g1, n->grad, n->nparam * sizeof(float));
	net_reference = 0;
	l2 = loss(n);
	memcpy(g2, n->grad, n->nparam * sizeof(float));
	for (e = 0, i = 0; i < n->nparam; i++)
		e = fmax(e, fabs(g1[i] - g2[i]) / fmax(1e-3, fabs(g1[i])));
	ok(fabs(l1 - l2) < 1e-4 * fabs(l1) && e < 1e-3,
	    "training step: fast = reference (loss %.6f %.6f, grad err %.1e)",
	    l1, l2, e);

#ifdef _OPENMP
	omp_set_num_threads(1);
	l1 = nettrain_step(n, images, labels, B, 7, 3, &ok1, 0);
	memcpy(g1, n->grad, n->nparam * sizeof(float));
	omp_set_num_threads(2);
	l2 = nettrain_step(n, images, labels, B, 7, 3, &ok2, 0);
	memcpy(g2, n->grad, n->nparam * sizeof(float));
	ok(l1 == l2 && ok1 == ok2 && memcmp(g1, g2, n->nparam * 4) == 0,
	    "1 and 2 threads give the same bits");
#else
	printf("ok %d # skip built without OpenMP\n", ++tap_n);
#endif

	/* inference (bn folded, fast) against the reference kernels */
	p1 = xfloats(B * 10), p2 = xfloats(B * 10);
	netrun_infer(n, p1, images, B);
	net_reference = 1;
	netrun_free(n->run);
	n->run = NULL;
	netrun_infer(n, p2, images, B);
	net_reference = 0;
	for (e = 0, i = 0; i < B * 10; i++)
		e = fmax(e, fabs(p1[i] - p2[i]));
	ok(e < 1e-5, "inference: fast = reference (err %.1e)", e);
	for (e = 0, i = 0; i < 10; i++)
		e += p1[i];
	ok(fabs(e - 1) < 1e-5, "probabilities sum to 1");
	free(g1), free(g2), free(p1), free(p2);
	net_free(n);
	return done_testing();
}
