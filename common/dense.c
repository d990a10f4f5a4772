/* dense: fully connected layer, out = in W^T + b */
#include "dense.h"
#include "gemm.h"
#include "util.h"

/* in (N,I), w (O,I), b (O) -> out (N,O) */
void
dense_forward_ref(float *out, const float *in, const float *w,
    const float *b, int n, int ni, int no)
{
	int i, o, j;

	for (i = 0; i < n; i++)
		for (o = 0; o < no; o++) {
			double s = b[o];

			for (j = 0; j < ni; j++)
				s += (double)in[(size_t)i * ni + j] * w[(size_t)o * ni + j];
			out[(size_t)i * no + o] = (float)s;
		}
}

/* dout (N,O) -> din (N,I), dw (O,I), db (O) */
void
dense_backward_ref(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *w, int n, int ni, int no)
{
	int i, o, j;

	for (i = 0; i < n; i++)
		for (o = 0; o < no; o++) {
			float g = dout[(size_t)i * no + o];

			db[o] += g;
			for (j = 0; j < ni; j++)
				dw[(size_t)o * ni + j] += g * in[(size_t)i * ni + j];
		}
	if (din == NULL)
		return;
	for (i = 0; i < n; i++)
		for (j = 0; j < ni; j++) {
			double s = 0;

			for (o = 0; o < no; o++)
				s += (double)dout[(size_t)i * no + o] * w[(size_t)o * ni + j];
			din[(size_t)i * ni + j] = (float)s;
		}
}

size_t
dense_ws_size(int n, int ni, int no)
{
	/* the shapes of the three products below */
	size_t a = gemm_ws_size(n, no, ni), b = gemm_ws_size(no, ni, n);

	a = MAX(a, b);
	return MAX(a, gemm_ws_size(n, ni, no));
}

void
dense_forward(float *out, const float *in, const float *w, const float *b,
    int n, int ni, int no, float *ws)
{
	int i, o;

	/* out (N,O) = in (N,I) W^T (I,O) */
	gemm(n, no, ni, in, ni, 1, w, 1, ni, out, no, 0, ws);
	for (i = 0; i < n; i++)
		for (o = 0; o < no; o++)
			out[(size_t)i * no + o] += b[o];
}

void
dense_backward(float *din, float *dw, float *db, const float *dout,
    const float *in, const float *w, int n, int ni, int no, float *ws)
{
	int i, o;

	for (i = 0; i < n; i++)
		for (o = 0; o < no; o++)
			db[o] += dout[(size_t)i * no + o];
	/* dw (O,I) += dout^T (O,N) in (N,I) */
	gemm(no, ni, n, dout, 1, no, in, ni, 1, dw, ni, 1, ws);
	/* din (N,I) = dout (N,O) W (O,I) */
	if (din)
		gemm(n, ni, no, dout, no, 1, w, ni, 1, din, ni, 0, ws);
}
