/* bench-cnn: digitpipe's side of bench/run: inference and training
 * images/s of a net (the built-in model's first by default), and the core's
 * measured fp32 peak, as "digitpipe<TAB>NAME<TAB>VALUE" lines.
 * usage: bench-cnn [-e seconds] [-m model] [-t train_threads] */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "gemm.h"
#include "model.h"
#include "net.h"
#include "netrun.h"
#include "nettrain.h"
#include "optim.h"
#include "rng.h"
#include "util.h"

#define PIX 784
#define NIMG 10000

static double secs = 3;

static void
put(const char *name, double v)
{
	printf("digitpipe\t%s\t%.6g\n", name, v);
	fflush(stdout);
}

#if defined(__x86_64__)
/* Independent FMA chains, enough to fill both pipes: the core's peak. */
__attribute__((target("avx512f,fma")))
static double
peak512(long n)
{
	__m512 a[24], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(1e-7f);
	double t = util_now();
	long r;
	int i;

	for (i = 0; i < 24; i++)
		a[i] = _mm512_set1_ps((float)i);
	for (r = 0; r < n; r++) {
#pragma GCC unroll 24
		for (i = 0; i < 24; i++)
			a[i] = _mm512_fmadd_ps(a[i], x, y);
	}
	t = util_now() - t;
	for (i = 1; i < 24; i++)
		a[0] = _mm512_add_ps(a[0], a[i]);
	if (_mm512_reduce_add_ps(a[0]) == 42)
		putchar(' ');
	return 24.0 * 16 * 2 * n / t;
}

__attribute__((target("avx2,fma")))
static double
peak256(long n)
{
	__m256 a[12], x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(1e-7f);
	float f[8];
	double t = util_now();
	long r;
	int i;

	for (i = 0; i < 12; i++)
		a[i] = _mm256_set1_ps((float)i);
	for (r = 0; r < n; r++) {
#pragma GCC unroll 12
		for (i = 0; i < 12; i++)
			a[i] = _mm256_fmadd_ps(a[i], x, y);
	}
	t = util_now() - t;
	for (i = 1; i < 12; i++)
		a[0] = _mm256_add_ps(a[0], a[i]);
	_mm256_storeu_ps(f, a[0]);
	if (f[0] == 42)
		putchar(' ');
	return 12.0 * 8 * 2 * n / t;
}
#endif

static double
peak(void)
{
	double best = 0, v;
	int i;

	for (i = 0; i < 5; i++) {
#if defined(__x86_64__)
		__builtin_cpu_init();
		if (__builtin_cpu_supports("avx512f"))
			v = peak512(20000000);
		else if (__builtin_cpu_supports("avx2"))
			v = peak256(40000000);
		else
			v = 0;
#else
		v = 0;
#endif
		best = v > best ? v : best;
	}
	return best;
}

/* Images/s of netrun_infer on batches of b, one thread; the best of
 * several rounds. */
static double
infer(struct net *n, const float *x, int b)
{
	float *p = xfloats((size_t)b * n->nclass);
	double best = 0, t0, t;
	long done, i;
	int r;

	netrun_infer(n, p, x, b);       /* warm up */
	for (r = 0; r < 5; r++) {
		t0 = util_now();
		for (done = 0, i = 0; (t = util_now() - t0) < secs / 5;
		    i = (i + b) % (NIMG - b), done += b)
			netrun_infer(n, p, x + i * PIX, b);
		best = done / t > best ? done / t : best;
	}
	free(p);
	return best;
}

/* Images/s of training steps (forward, backward, SGD update). */
static double
train(struct net *n, const float *x, const unsigned char *y, int b)
{
	struct optim o;
	double t0, t = 0, best = 0;
	long done, i;
	int ok, r;

	optim_init(&o, OPT_SGD, SCHED_CONSTANT, 0.01f, 5e-4f, 1000000,
	    n->nparam);
	nettrain_step(n, x, y, b, 1, 0, &ok, 0);
	for (r = 0; r < 3; r++) {
		t0 = util_now();
		for (done = 0, i = 0; (t = util_now() - t0) < secs / 3;
		    i = (i + b) % (NIMG - b), done += b) {
			nettrain_step(n, x + i * PIX, y + i, b, 1, done, &ok, 0);
			optim_step(&o, n);
		}
		best = done / t > best ? done / t : best;
	}
	optim_free(&o);
	return best;
}

int
main(int argc, char **argv)
{
	const char *model = NULL;
	int ch, tthreads = 2;
	struct net *n;
	struct rng r;
	float *x;
	unsigned char *y;
	char e[256];
	double pk, ips, f;
	long i;

	while ((ch = getopt(argc, argv, "e:m:t:")) != -1)
		switch (ch) {
		case 'e':
			secs = estrtod(optarg, 0.1, 600, "-e");
			break;
		case 'm':
			model = optarg;
			break;
		case 't':
			tthreads = estrtol(optarg, 1, 256, "-t");
			break;
		default:
			fprintf(stderr, "usage: bench-cnn [-e seconds] [-m model] "
			    "[-t threads]\n");
			return 2;
		}
	n = model ? model_load(model, NULL, e, sizeof(e)) : model_builtin(e,
	    sizeof(e));
	if (n == NULL)
		errx(1, "%s", e);
	/* one net's kernels, as PyTorch runs it: an ensemble's first */
	net_free(n->next);
	n->next = NULL;
	x = xfloats((size_t)NIMG * PIX);
	y = xmalloc(NIMG);
	rng_seed(&r, 1, 0);
	for (i = 0; i < (long)NIMG * PIX; i++)
		x[i] = rng_uniform(&r);
	for (i = 0; i < NIMG; i++)
		y[i] = (unsigned char)rng_below(&r, n->nclass);
	f = net_flops(n);
	put("flops_per_image", f);
	put("kernel_avx512", strcmp(gemm_kernel()->name, "avx512") == 0);
	pk = peak();
	put("peak_gflops_1core", pk / 1e9);
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	ips = infer(n, x, 100);
	put("infer_batch100_ips", ips);
	put("infer_batch100_gflops", ips * f / 1e9);
	put("infer_batch100_peak_pct", pk > 0 ? 100 * ips * f / pk : 0);
	ips = infer(n, x, 1);
	put("infer_single_ips", ips);
	put("infer_single_us", 1e6 / ips);
#ifdef _OPENMP
	omp_set_num_threads(tthreads);
#endif
	put("train_threads", tthreads);
	ips = train(n, x, y, 128);
	put("train_ips", ips);
	/* forward, and backward twice the work (data and weights) */
	put("train_gflops", 3 * ips * f / 1e9);
	put("train_peak_pct", pk > 0 ? 100 * 3 * ips * f / (tthreads * pk) : 0);
	net_free(n);
	return 0;
}
