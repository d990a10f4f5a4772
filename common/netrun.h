/* netrun: inference, with batch norm folded into the layer before it */
#ifndef NETRUN_H
#define NETRUN_H

#include "net.h"

/* An ensemble's first net alone answers for an image when its best class
 * has at least this probability. */
#define NETRUN_SURE 0.99f

/* images (N, in_c*in_h*in_w) -> prob (N, nclass).  Of an ensemble
 * (n->next), the first net's probabilities for an image it is sure of
 * (NETRUN_SURE), else the mean of all its nets': the others cost only
 * the few images the first finds hard.  The folded net is made on first
 * use (net_init and loading a model drop it); images are spread over
 * threads when there are many. */
void netrun_infer(struct net *n, float *prob, const float *images, int count);
void netrun_free(struct netrun *r);

#endif
