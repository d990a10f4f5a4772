/* softmax: class probabilities and the cross-entropy loss */
#ifndef SOFTMAX_H
#define SOFTMAX_H

/* logits (N,K) -> prob (N,K); prob may alias logits */
void softmax_forward(float *prob, const float *logits, int n, int k);
/* Cross-entropy of prob (N,K) against labels (N), with label smoothing
 * eps (0: none): returns the summed loss and writes the gradient of
 * scale * loss with respect to the logits into dlogits (N,K). */
double softmax_xent(float *dlogits, const float *prob,
    const unsigned char *labels, int n, int k, float eps, float scale);

#endif
