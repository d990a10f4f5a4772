/* t-optim: the optimisers' updates against the formulas, weight decay
 * only on weights, the learning-rate schedules' shapes */
#include <math.h>
#include <string.h>

#include "net.h"
#include "optim.h"
#include "util.h"
#include "tap.h"

#define ARCH "conv 2 3; bn; relu; dense 10"

int
main(void)
{
	struct optim o;
	struct net *n;
	struct tensor *w, *g;
	char err[256];
	float w0, m, v, want, lr;
	long i;

	n = net_new(ARCH, err, sizeof(err));
	net_init(n, 1);
	w = net_tensor(n, "conv1.w");
	g = net_tensor(n, "bn1.gamma");
	for (i = 0; i < n->nparam; i++)
		n->grad[i] = 0.01f * (i % 7 - 3);

	/* SGD with Nesterov momentum and L2 decay, two steps */
	optim_init(&o, OPT_SGD, SCHED_CONSTANT, 0.1f, 0.01f, 10, n->nparam);
	w0 = w->p[5];
	optim_step(&o, n);
	optim_step(&o, n);
	{
		float gr = w->g[5], p = w0, mm = 0, gg;
		int s;

		for (s = 0; s < 2; s++) {
			gg = gr + 0.01f * p;
			mm = 0.9f * mm + gg;
			p -= 0.1f * (gg + 0.9f * mm);
		}
		ok(fabsf(w->p[5] - p) < 1e-6f, "sgd: nesterov step as the formula "
		    "(%g %g)", w->p[5], p);
	}
	optim_free(&o);

	/* AdamW: first step moves each weight by lr (sign of the gradient),
	 * plus decoupled decay on weights only */
	net_init(n, 1);
	optim_init(&o, OPT_ADAMW, SCHED_CONSTANT, 0.01f, 0.1f, 10, n->nparam);
	w0 = w->p[4];
	m = g->p[0];
	optim_step(&o, n);
	want = w0 * (1 - 0.01f * 0.1f) - 0.01f * ((w->g[4] > 0) - (w->g[4] < 0));
	ok(w->g[4] != 0 && fabsf(w->p[4] - want) < 1e-5f,
	    "adamw: first step (%g %g)", w->p[4],
	    want);
	v = m - 0.01f * (g->g[0] > 0 ? 1 : g->g[0] < 0 ? -1 : 0);
	ok(fabsf(g->p[0] - v) < 1e-5f, "adamw: no decay on batch norm scales");
	optim_free(&o);

	/* schedules */
	optim_init(&o, OPT_SGD, SCHED_ONECYCLE, 1, 0, 1000, 1);
	lr = optim_lr(&o, 0);
	ok(fabsf(lr - 1.0f / 25) < 1e-6f, "onecycle starts at lr/25 (%g)", lr);
	ok(fabsf(optim_lr(&o, 250) - 1) < 1e-6f, "onecycle peaks at 25%%");
	ok(optim_lr(&o, 1000) < 1e-5f, "onecycle ends near 0 (%g)",
	    optim_lr(&o, 1000));
	for (i = 251; i < 1000; i++)
		if (optim_lr(&o, i) > optim_lr(&o, i - 1))
			break;
	ok(i == 1000, "onecycle falls steadily after the peak");
	o.sched = SCHED_COSINE;
	ok(optim_lr(&o, 0) == 0 && fabsf(optim_lr(&o, 30) - 1) < 1e-6f &&
	    optim_lr(&o, 1000) < 1e-6f && fabsf(optim_lr(&o, 515) - 0.5f) < 1e-2f,
	    "cosine: warm-up to lr, half at the middle, 0 at the end");
	o.sched = SCHED_CONSTANT;
	ok(optim_lr(&o, 0) == 1 && optim_lr(&o, 999) == 1, "constant");
	optim_free(&o);
	ok(optim_type_parse("adamw") == OPT_ADAMW && optim_type_parse("x") < 0 &&
	    optim_sched_parse("cosine") == SCHED_COSINE, "names parse");
	net_free(n);
	return done_testing();
}
