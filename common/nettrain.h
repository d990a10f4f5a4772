/* nettrain: one training step's forward and backward pass over a batch */
#ifndef NETTRAIN_H
#define NETTRAIN_H

#include "net.h"

/* images (B, 784) and labels (B) -> the gradient of the mean loss in
 * n->grad (overwritten); returns the summed loss and counts correct top-1
 * answers in *correct.  Batch norm uses the batch's statistics and updates
 * the running ones (momentum 0.1); dropout draws from (seed, stream).  The
 * batch is cut into fixed slices whose partial sums are added in order, so
 * a step gives the same bits whatever the thread count.  smooth: label
 * smoothing. */
double nettrain_step(struct net *n, const float *images,
    const unsigned char *labels, int b, unsigned long long seed,
    unsigned long long stream, int *correct, float smooth);
void nettrain_free(struct nettrain *t);

#endif
