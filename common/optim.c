/* optim: SGD with Nesterov momentum and AdamW, learning-rate schedules */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"
#include "util.h"

static const char *types[] = { "sgd", "adamw" };
static const char *scheds[] = { "constant", "cosine", "onecycle" };

void
optim_init(struct optim *o, enum optim_type type, enum optim_sched sched,
    float lr, float wd, long total, long nparam)
{
	memset(o, 0, sizeof(*o));
	o->type = type, o->sched = sched;
	o->lr = lr, o->wd = wd, o->total = total > 0 ? total : 1;
	o->momentum = 0.9f;
	o->beta1 = 0.9f, o->beta2 = 0.999f, o->eps = 1e-8f;
	o->n = nparam;
	o->m = xfloats(nparam);
	o->v = type == OPT_ADAMW ? xfloats(nparam) : NULL;
}

void
optim_free(struct optim *o)
{
	free(o->m);
	free(o->v);
	o->m = o->v = NULL;
}

float
optim_lr(const struct optim *o, long step)
{
	double t = (double)step / o->total, pi = 3.14159265358979, up;

	t = t > 1 ? 1 : t;
	switch (o->sched) {
	case SCHED_COSINE:
		if (t < 0.03)
			return o->lr * (t / 0.03);
		return o->lr * 0.5 * (1 + cos(pi * (t - 0.03) / 0.97));
	case SCHED_ONECYCLE:
		up = 0.25;
		if (t < up)
			return o->lr / 25 + (o->lr - o->lr / 25) * 0.5 *
			    (1 - cos(pi * t / up));
		return o->lr / 25e4 + (o->lr - o->lr / 25e4) * 0.5 *
		    (1 + cos(pi * (t - up) / (1 - up)));
	default:
		return o->lr;
	}
}

static void
sgd(const struct optim *o, const struct tensor *t, float *m, float lr)
{
	float mu = o->momentum, wd = t->decay ? o->wd : 0, g;
	long i;

	for (i = 0; i < t->n; i++) {
		g = t->g[i] + wd * t->p[i];
		m[i] = mu * m[i] + g;
		t->p[i] -= lr * (g + mu * m[i]);
	}
}

static void
adamw(const struct optim *o, const struct tensor *t, float *m, float *v,
    float lr, long step)
{
	float b1 = o->beta1, b2 = o->beta2, g;
	float c1 = 1 - powf(b1, step), c2 = 1 - powf(b2, step);
	float decay = t->decay ? 1 - lr * o->wd : 1;
	long i;

	for (i = 0; i < t->n; i++) {
		g = t->g[i];
		m[i] = b1 * m[i] + (1 - b1) * g;
		v[i] = b2 * v[i] + (1 - b2) * g * g;
		t->p[i] = t->p[i] * decay -
		    lr * (m[i] / c1) / (sqrtf(v[i] / c2) + o->eps);
	}
}

void
optim_step(struct optim *o, struct net *n)
{
	float lr = optim_lr(o, o->step);
	const struct tensor *t;
	long off;
	int i;

	o->step++;
	for (i = 0; i < n->nt; i++) {
		t = &n->t[i];
		if (!t->trainable)
			continue;
		off = t->p - n->param;
		if (o->type == OPT_SGD)
			sgd(o, t, o->m + off, lr);
		else
			adamw(o, t, o->m + off, o->v + off, lr, o->step);
	}
}

const char *
optim_type_name(enum optim_type t)
{
	return types[t];
}

const char *
optim_sched_name(enum optim_sched s)
{
	return scheds[s];
}

int
optim_type_parse(const char *s)
{
	size_t i;

	for (i = 0; i < LEN(types); i++)
		if (strcmp(s, types[i]) == 0)
			return (int)i;
	return -1;
}

int
optim_sched_parse(const char *s)
{
	size_t i;

	for (i = 0; i < LEN(scheds); i++)
		if (strcmp(s, scheds[i]) == 0)
			return (int)i;
	return -1;
}
