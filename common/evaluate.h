/* evaluate: a net's accuracy on a labelled set, the confusion matrix,
 * and a picture of the digits it got wrong */
#ifndef EVALUATE_H
#define EVALUATE_H

#include <stdio.h>

#include "dataset.h"
#include "net.h"

struct evaluation {
	int nclass;
	long n, right;
	double loss;            /* mean cross-entropy */
	double secs;            /* inference time alone */
	long conf[64][64];      /* conf[true][predicted] */
	unsigned char *pred;    /* per image: the predicted class */
};

/* Run n over d (batch norm folded, all threads). */
void evaluate_run(struct evaluation *e, struct net *n, const struct dataset *d);
void evaluate_free(struct evaluation *e);
/* "accuracy 99.62% (9962/10000)", per-class accuracy, the confusion
 * matrix and images/s, as cnn-infer(1) shows them. */
void evaluate_print(FILE *fp, const struct evaluation *e, const struct net *n,
    int threads);
/* The misclassified digits as a PGM grid, each captioned "true>guess";
 * 0, or -1 with errno set. */
int evaluate_grid(FILE *fp, const struct evaluation *e,
    const struct dataset *d, const struct net *n);

#endif
