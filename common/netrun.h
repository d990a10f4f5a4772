/* netrun: inference, with batch norm folded into the layer before it */
#ifndef NETRUN_H
#define NETRUN_H

#include "net.h"

/* images (N, in_c*in_h*in_w) -> prob (N, nclass): of an ensemble (n->next),
 * the mean of its nets' probabilities.  The folded net is made on first
 * use (net_init and loading a model drop it); images are spread over
 * threads when there are many. */
void netrun_infer(struct net *n, float *prob, const float *images, int count);
void netrun_free(struct netrun *r);

#endif
