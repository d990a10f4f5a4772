/* maxpool: max pooling, k x k windows, stride s, no padding (floor) */
#ifndef MAXPOOL_H
#define MAXPOOL_H

int maxpool_out(int side, int k, int s);
/* in (N,C,H,W) -> out (N,C,OH,OW); arg (N,C,OH,OW) gets the index of
 * each maximum within its input plane (NULL for inference). */
void maxpool_forward(float *out, int *arg, const float *in, int n, int c,
    int h, int w, int k, int s);
/* dout (N,C,OH,OW) -> din (N,C,H,W) written */
void maxpool_backward(float *din, const float *dout, const int *arg, int n,
    int c, int h, int w, int k, int s);

#endif
