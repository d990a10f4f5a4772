/* optim: SGD with Nesterov momentum and AdamW, learning-rate schedules */
#ifndef OPTIM_H
#define OPTIM_H

#include "net.h"

enum optim_type { OPT_SGD, OPT_ADAMW };
enum optim_sched { SCHED_CONSTANT, SCHED_COSINE, SCHED_ONECYCLE };

struct optim {
	enum optim_type type;
	enum optim_sched sched;
	float lr;               /* peak learning rate */
	float momentum;         /* SGD (Nesterov) */
	float beta1, beta2, eps;        /* AdamW */
	float wd;               /* weight decay: L2 for SGD, decoupled for AdamW;
	                         * conv and dense weights only */
	long total;             /* steps in the whole run */
	long step;              /* steps taken */
	float *m, *v;           /* state, one value per parameter */
	long n;
};

/* Defaults for a type: SGD momentum 0.9; AdamW betas 0.9, 0.999. */
void optim_init(struct optim *o, enum optim_type type, enum optim_sched sched,
    float lr, float wd, long total, long nparam);
void optim_free(struct optim *o);
/* The learning rate at a step: constant; cosine from lr to 0 after a
 * warm-up of 3% of the steps; one-cycle up from lr/25 over 25% of the
 * steps and down to lr/25e4 (cosine both ways). */
float optim_lr(const struct optim *o, long step);
/* One update of n's parameters from n->grad. */
void optim_step(struct optim *o, struct net *n);
/* Names for options and files, and back (-1 if unknown). */
const char *optim_type_name(enum optim_type t);
const char *optim_sched_name(enum optim_sched s);
int optim_type_parse(const char *s);
int optim_sched_parse(const char *s);

#endif
