/* winograd: 3x3 convolutions, stride 1, padding 1, by Winograd's minimal
 * filtering F(2x2, 3x3): 16 multiplications for each 2x2 output tile and
 * channel pair instead of 36 */
#ifndef WINOGRAD_H
#define WINOGRAD_H

#include <stddef.h>

/* Whether a layer can go this way: c input channels (at most one k block
 * of gemm.h), a 3x3 kernel, stride 1, padding 1. */
int winograd_ok(int c, int k, int s, int p);
/* The weights transformed, U = G w G^T for each output and input channel,
 * packed as 16 (outputs x inputs) products: from w (OC,C,3,3); or, with
 * flip, for the backward data pass, from w turned over and rotated half a
 * turn (outputs C, inputs OC). */
size_t winograd_pack_size(int c, int oc);
void winograd_pack(float *up, const float *w, int c, int oc, int flip);
size_t winograd_ws_size(int c, int h, int wd, int oc);
/* in (N,C,H,W) -> out (N,OC,H,W), plus b if not NULL, then max(0, .) if
 * relu; with pool, out (N,OC,H/2,W/2) = max(0, 2x2 max pooling + b). */
void winograd_forward(float *out, const float *in, const float *up,
    const float *b, int n, int c, int h, int wd, int oc, int relu, int pool,
    float *ws);

#endif
