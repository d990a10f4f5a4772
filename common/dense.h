/* dense: fully connected layer, out = in W^T + b */
#ifndef DENSE_H
#define DENSE_H

#include <stddef.h>

/* in (N,I), w (O,I), b (O) -> out (N,O) */
void dense_forward_ref(float *out, const float *in, const float *w,
    const float *b, int n, int ni, int no);
/* din (N,I) written if not NULL; dw (O,I), db (O) added to */
void dense_backward_ref(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *w, int n, int ni, int no);
/* The same through gemm; ws holds dense_ws_size() floats. */
size_t dense_ws_size(int n, int ni, int no);
void dense_forward(float *out, const float *in, const float *w,
    const float *b, int n, int ni, int no, float *ws);
void dense_backward(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *w, int n, int ni, int no, float *ws);

#endif
