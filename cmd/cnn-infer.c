/* cnn-infer: classify a stream of digit images with a trained net */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "classify.h"
#include "dataset.h"
#include "evaluate.h"
#include "imgio.h"
#include "model.h"
#include "net.h"
#include "netrun.h"
#include "util.h"

#define PIX 784
#define MAXGROUP 4096           /* digits of one source image at most */

enum { PLAIN, TSV, JSON };

struct opts {
	int format, top, threads;
	float threshold;
	long maxpix;
	const char *model, *grid;
	char **eval;
};

/* The digits of the source image being read. */
struct group {
	long img;               /* its index, -1 when none is open */
	char *src;
	int want, n;            /* digits announced (count=), digits read */
	int cap;                /* images x and d have room for */
	float *x;               /* n images of PIX */
	struct digit *d;
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: cnn-infer [-v] "
	    "[-f plain|tsv|json] [-j threads] [-k top] [-m model]\n"
	    "                 [-p maxpixels] [-t threshold] [file ...]\n"
	    "       cnn-infer -e images labels [-j threads] [-m model] "
	    "[-w errors.pgm]\n");
	exit(status);
}

static const struct option longopts[] = {
	{ "eval", no_argument, NULL, 'e' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "threads", required_argument, NULL, 'j' },
	{ "top", required_argument, NULL, 'k' },
	{ "model", required_argument, NULL, 'm' },
	{ "max-pixels", required_argument, NULL, 'p' },
	{ "threshold", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "errors", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

static char **
options(struct opts *o, int argc, char **argv)
{
	int ch, eval = 0;

	memset(o, 0, sizeof(*o));
	o->top = 2, o->threshold = 0.5f, o->maxpix = IMGIO_MAXPIX;
	while ((ch = getopt_long(argc, argv, "ef:hj:k:m:p:t:vw:", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'e':
			eval = 1;
			break;
		case 'h':
			usage(0);
			break;
		case 'f':
			if (strcmp(optarg, "plain") == 0)
				o->format = PLAIN;
			else if (strcmp(optarg, "tsv") == 0)
				o->format = TSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = JSON;
			else
				errx(2, "-f: want plain, tsv or json, not '%s'", optarg);
			break;
		case 'j':
			o->threads = estrtol(optarg, 1, 256, "-j");
			break;
		case 'k':
			o->top = estrtol(optarg, 1, CLASSIFY_TOP, "-k");
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'p':
			o->maxpix = estrtol(optarg, 1, 2000000000L, "-p");
			break;
		case 't':
			o->threshold = estrtod(optarg, 0, 1, "-t");
			break;
		case 'v':
			o->format = TSV;
			break;
		case 'w':
			o->grid = optarg;
			break;
		default:
			usage(2);
		}
	if (eval) {
		if (argc - optind != 2)
			usage(2);
		o->eval = argv + optind;
	} else if (o->grid)
		usage(2);
	return argv + optind;
}

static struct net *
load(const struct opts *o)
{
	struct net *n;
	char e[512];

	if ((n = model_digits(o->model, e, sizeof(e))) == NULL)
		errx(1, "%s", e);
	return n;
}

/* Classify the digits of the open group, print them, start afresh. */
static void
flush_group(struct net *n, const struct opts *o, struct group *g)
{
	float *p;
	int i;

	if (g->img < 0)
		return;
	if (g->n > 0) {
		p = xmalloc((size_t)g->n * n->nclass * sizeof(float));
		classify_infer(n, p, g->x, g->n);
		for (i = 0; i < g->n; i++)
			classify_top(&g->d[i], n, p + (size_t)i * n->nclass,
			    o->top, o->threshold);
		free(p);
	}
	if (o->format == PLAIN)
		classify_plain(stdout, n, g->d, g->n);
	else if (o->format == TSV)
		classify_tsv(stdout, n, g->d, g->n);
	else
		classify_json(stdout, n, g->img, g->src, g->d, g->n);
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	free(g->src);
	g->src = NULL;
	g->img = -1;
	g->n = 0;
}

/* Open a group for im: its source image's index and digit count come
 * from the metadata segment(1) writes; an image without them is a
 * source of one digit. */
static void
open_group(struct group *g, const struct img *im, long *seq)
{
	const char *src = meta_get(&im->meta, "src");
	long idx = meta_getl(&im->meta, "img", -1);
	long want = meta_getl(&im->meta, "count", 1);

	g->img = idx >= 0 ? idx : *seq;
	*seq = g->img + 1;
	g->src = src ? xstrdup(src) : NULL;
	if (idx < 0)
		want = 1;
	if (want < 0 || want > MAXGROUP)
		errx(1, "image %ld: count=%ld out of range", g->img, want);
	g->want = (int)want;
}

static void
add_image(struct net *n, const struct opts *o, struct group *g,
    const struct img *im, long *seq)
{
	long idx = meta_getl(&im->meta, "img", -1);
	const char *box = meta_get(&im->meta, "box");
	struct digit *d;

	if (g->img >= 0 && (idx < 0 || idx != g->img))
		flush_group(n, o, g);   /* the last source lacked digits */
	if (g->img < 0)
		open_group(g, im, seq);
	if (g->want == 0) {
		flush_group(n, o, g);   /* a marker: no digits in that source */
		return;
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->x = xrealloc(g->x, (size_t)g->cap * PIX * sizeof(float));
		g->d = xrealloc(g->d, g->cap * sizeof(*g->d));
	}
	d = &g->d[g->n];
	memset(d, 0, sizeof(*d));
	d->img = g->img;
	d->line = (int)meta_getl(&im->meta, "line", 0);
	d->idx = (int)meta_getl(&im->meta, "idx", g->n);
	if (box == NULL || sscanf(box, "%d %d %d %d", &d->box[0], &d->box[1],
	    &d->box[2], &d->box[3]) != 4) {
		d->box[0] = d->box[1] = 0;
		d->box[2] = im->w, d->box[3] = im->h;
	}
	d->blank = classify_prepare(g->x + (size_t)g->n * PIX, im) == 0;
	if (++g->n == g->want)
		flush_group(n, o, g);
}

static void
infer_stream(struct net *n, const struct opts *o, struct group *g, FILE *fp,
    const char *name, long *seq)
{
	struct imgio r;
	struct img *im;
	int rc;

	imgio_open(&r, fp, name);
	r.maxpix = o->maxpix, r.raise = "-p";
	while ((rc = imgio_read(&r, &im)) == 1) {
		add_image(n, o, g, im, seq);
		img_free(im);
	}
	if (rc < 0)
		errx(1, "%s: %s", name, r.err);
}

static int
evaluate(struct net *n, const struct opts *o)
{
	struct evaluation e;
	struct dataset d;
	char msg[512];
	FILE *fp;
	int i, threads = 1;

	if (dataset_idx(&d, o->eval[0], o->eval[1], msg, sizeof(msg)) < 0)
		errx(1, "%s", msg);
	for (i = 0; i < d.n; i++)
		if (d.y[i] >= n->nclass)
			errx(1, "%s: label %d, but the net has %d classes",
			    o->eval[1], d.y[i], n->nclass);
	evaluate_run(&e, n, &d);
#ifdef _OPENMP
	threads = omp_get_max_threads();
#endif
	evaluate_print(stdout, &e, n, threads);
	if (o->grid) {
		if ((fp = fopen(o->grid, "wb")) == NULL)
			err(1, "%s", o->grid);
		if (evaluate_grid(fp, &e, &d, n) < 0 || efshut(fp, o->grid))
			errx(1, "%s: write failed", o->grid);
	}
	evaluate_free(&e);
	dataset_free(&d);
	return efshut(stdout, "stdout") ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct group g = { -1, NULL, 0, 0, 0, NULL, NULL };
	struct opts o;
	struct net *n;
	char **files = options(&o, argc, argv);
	long seq = 0;
	FILE *fp;

	util_std_fds();
#ifdef _OPENMP
	if (o.threads)
		omp_set_num_threads(o.threads);
#endif
	n = load(&o);
	if (o.eval)
		return evaluate(n, &o);
	if (*files == NULL)
		infer_stream(n, &o, &g, stdin, "stdin", &seq);
	for (; *files; files++) {
		if (strcmp(*files, "-") == 0) {
			infer_stream(n, &o, &g, stdin, "stdin", &seq);
			continue;
		}
		if ((fp = fopen(*files, "rb")) == NULL)
			err(1, "%s", *files);
		infer_stream(n, &o, &g, fp, *files, &seq);
		fclose(fp);
	}
	flush_group(n, &o, &g);
	free(g.x);
	free(g.d);
	net_free(n);
	return efshut(stdout, "stdout") ? 1 : 0;
}
