/* conv2d: 2-D convolution, any kernel size, stride and zero padding */
#ifndef CONV2D_H
#define CONV2D_H

#include <stddef.h>

/* Output side for an input side, kernel k, stride s, padding p. */
int conv2d_out(int side, int k, int s, int p);

/* The plain reference.
 * in (N,C,H,W), w (OC,C,K,K), b (OC), out (N,OC,OH,OW) */
void conv2d_forward_ref(float *out, const float *in, const float *w,
    const float *b, int n, int c, int h, int wd, int oc, int k, int s, int p);
/* dout (N,OC,OH,OW) -> din (N,C,H,W) written (if not NULL), dw and db
 * added to. */
void conv2d_backward_ref(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *w, int n, int c, int h, int wd, int oc,
    int k, int s, int p);

/* The fast version, on the kernels of gemm.h: Winograd's F(2x2, 3x3) for
 * 3x3 kernels with stride 1 and padding 1 (winograd.h); for other kernels
 * with stride 1, a direct convolution over the zero-padded images (no
 * im2col copy); else im2col.
 * Weights are packed once a pass with conv2d_pack (forward) and
 * conv2d_pack_t (backward data); ws holds conv2d_ws_size() floats for the
 * calling thread.  relu: apply max(0, .) to the output (inference). */
size_t conv2d_pack_size(int c, int oc, int k);
void conv2d_pack(float *wp, const float *w, int c, int oc, int k, int s,
    int p, int wino);
/* Whether conv2d_forward takes Winograd's way for n images: if so, the
 * weights must have been packed with wino set (else it may be 0, which
 * saves the work for one image at a time). */
int conv2d_winograd(int c, int h, int wd, int k, int s, int p, int n);
void conv2d_pack_t(float *wtp, const float *w, int c, int oc, int k, int s,
    int p);
size_t conv2d_ws_size(int c, int h, int wd, int oc, int k, int s, int p);
void conv2d_forward(float *out, const float *in, const float *wp,
    const float *b, int n, int c, int h, int wd, int oc, int k, int s, int p,
    int relu, float *ws);
/* Inference: out = max(0, 2x2 max pooling of conv + b) in one pass, for
 * the layers conv2d_can_pool says yes to (stride 1). */
int conv2d_can_pool(int k, int s, int p);
void conv2d_forward_pool(float *out, const float *in, const float *wp,
    const float *b, int n, int c, int h, int wd, int oc, int k, int p,
    float *ws);
/* An output row from a row of the product: plus bias, then max(0, .) if
 * relu; or a pooled row from two: max(0, 2x2 max + bias). */
void conv2d_row(float *dst, const float *src, int n, float bias, int relu);
void conv2d_row_pool(float *dst, const float *s0, const float *s1, int n,
    float bias);
/* Both gradients; or each alone: din written, dw and db added to. */
void conv2d_backward(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *wtp, int n, int c, int h, int wd, int oc,
    int k, int s, int p, float *ws);
void conv2d_backward_data(float *din, const float *dout, const float *wtp,
    int n, int c, int h, int wd, int oc, int k, int s, int p, float *ws);
void conv2d_backward_weights(float *dw, float *db, const float *dout,
    const float *in, int n, int c, int h, int wd, int oc, int k, int s, int p,
    float *ws);

#endif
