/* cnn-train: train a digit classifier on MNIST and the user's samples */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "augment.h"
#include "dataset.h"
#include "evaluate.h"
#include "model.h"
#include "negative.h"
#include "net.h"
#include "netrun.h"
#include "nettrain.h"
#include "optim.h"
#include "progress.h"
#include "rng.h"
#include "util.h"

#define PIX 784
#define MAXSAMPLES 16

struct cfg {
	const char *arch, *archfile, *data, *out, *ckpt, *resume, *init, *log;
	const char *samples[MAXSAMPLES];
	int nsamples;
	int batch, epochs, stop, threads, nval, limit, summary, quiet;
	float lr, wd, smooth, augment, neg;
	double mix;             /* -W: share of the way from -i's model */
	int opt, sched;
	unsigned long long seed;
	unsigned set;           /* options given on the command line */
};

enum { S_BATCH = 1, S_EPOCHS = 2, S_LR = 4, S_OPT = 8, S_SCHED = 16,
	S_WD = 32, S_SMOOTH = 64, S_SEED = 128, S_AUG = 256, S_NVAL = 512,
	S_LIMIT = 1024, S_DATA = 2048, S_SAMPLES = 4096, S_NEG = 8192 };

struct run {
	struct cfg *c;
	struct net *n;
	struct optim o;
	struct augment aug;
	struct dataset train, val;
	int epoch;              /* epochs done */
	FILE *log;
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: cnn-train [-Sq] [-a arch] "
	    "[-b batch] [-d mnistdir] [-e epochs] [-g augment]\n"
	    "                 [-i model] [-j threads] [-k checkpoint] "
	    "[-L log.csv] [-l rate] [-N negatives]\n"
	    "                 [-n images]"
	    " [-O sgd|adamw] [-o output] [-R checkpoint] "
	    "[-r seed]\n"
	    "                 [-s onecycle|cosine|constant] [-T epochs] "
	    "[-u samplesdir]\n"
	    "                 [-V validation] [-W share] [-w decay] "
	    "[-x smoothing]\n");
	exit(status);
}

static const struct option longopts[] = {
	{ "summary", no_argument, NULL, 'S' },
	{ "arch", required_argument, NULL, 'a' },
	{ "batch", required_argument, NULL, 'b' },
	{ "data", required_argument, NULL, 'd' },
	{ "epochs", required_argument, NULL, 'e' },
	{ "augment", required_argument, NULL, 'g' },
	{ "help", no_argument, NULL, 'h' },
	{ "init", required_argument, NULL, 'i' },
	{ "threads", required_argument, NULL, 'j' },
	{ "checkpoint", required_argument, NULL, 'k' },
	{ "log", required_argument, NULL, 'L' },
	{ "negatives", required_argument, NULL, 'N' },
	{ "rate", required_argument, NULL, 'l' },
	{ "images", required_argument, NULL, 'n' },
	{ "optimizer", required_argument, NULL, 'O' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "resume", required_argument, NULL, 'R' },
	{ "seed", required_argument, NULL, 'r' },
	{ "schedule", required_argument, NULL, 's' },
	{ "samples", required_argument, NULL, 'u' },
	{ "validation", required_argument, NULL, 'V' },
	{ "mix", required_argument, NULL, 'W' },
	{ "decay", required_argument, NULL, 'w' },
	{ "stop-after", required_argument, NULL, 'T' },
	{ "smoothing", required_argument, NULL, 'x' },
	{ NULL, 0, NULL, 0 }
};

static void
defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->data = getenv("DIGITPIPE_MNIST") ? getenv("DIGITPIPE_MNIST") :
	    "data/mnist";
	c->out = "digits.cnn";
	c->batch = 128, c->epochs = 20, c->nval = 5000;
	c->lr = 0.1f, c->wd = 5e-4f, c->smooth = 0, c->augment = 1, c->neg = 0.1f;
	c->opt = OPT_SGD, c->sched = SCHED_ONECYCLE, c->seed = 1;
	c->mix = 1;
}

static void
options(struct cfg *c, int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv,
	    "L:N:O:R:ST:V:W:a:b:d:e:g:hi:j:k:l:n:o:qr:s:u:w:x:", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'L':
			c->log = optarg;
			break;
		case 'N':
			c->neg = estrtod(optarg, 0, 0.9, "-N");
			c->set |= S_NEG;
			break;
		case 'O':
			if ((c->opt = optim_type_parse(optarg)) < 0)
				errx(2, "-O: want sgd or adamw, not '%s'", optarg);
			c->set |= S_OPT;
			break;
		case 'R':
			c->resume = optarg;
			break;
		case 'S':
			c->summary = 1;
			break;
		case 'T':
			c->stop = estrtol(optarg, 1, 10000, "-T");
			break;
		case 'V':
			c->nval = estrtol(optarg, 0, 59000, "-V");
			c->set |= S_NVAL;
			break;
		case 'W':
			c->mix = estrtod(optarg, 0, 1, "-W");
			break;
		case 'a':
			c->arch = optarg;
			break;
		case 'b':
			c->batch = estrtol(optarg, 1, 4096, "-b");
			c->set |= S_BATCH;
			break;
		case 'd':
			c->data = optarg;
			c->set |= S_DATA;
			break;
		case 'e':
			c->epochs = estrtol(optarg, 1, 10000, "-e");
			c->set |= S_EPOCHS;
			break;
		case 'g':
			c->augment = estrtod(optarg, 0, 2, "-g");
			c->set |= S_AUG;
			break;
		case 'h':
			usage(0);
			break;
		case 'i':
			c->init = optarg;
			break;
		case 'j':
			c->threads = estrtol(optarg, 1, 256, "-j");
			break;
		case 'k':
			c->ckpt = optarg;
			break;
		case 'l':
			c->lr = estrtod(optarg, 1e-7, 10, "-l");
			c->set |= S_LR;
			break;
		case 'n':
			c->limit = estrtol(optarg, 1, 1000000, "-n");
			c->set |= S_LIMIT;
			break;
		case 'o':
			c->out = optarg;
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'r':
			c->seed = estrtol(optarg, 0, 2147483647, "-r");
			c->set |= S_SEED;
			break;
		case 's':
			if ((c->sched = optim_sched_parse(optarg)) < 0)
				errx(2, "-s: want onecycle, cosine or constant, not "
				    "'%s'", optarg);
			c->set |= S_SCHED;
			break;
		case 'u':
			if (c->nsamples == MAXSAMPLES)
				errx(2, "-u: at most %d folders", MAXSAMPLES);
			c->samples[c->nsamples++] = optarg;
			c->set |= S_SAMPLES;
			break;
		case 'w':
			c->wd = estrtod(optarg, 0, 1, "-w");
			c->set |= S_WD;
			break;
		case 'x':
			c->smooth = estrtod(optarg, 0, 0.5, "-x");
			c->set |= S_SMOOTH;
			break;
		default:
			usage(2);
		}
	if (optind != argc)
		usage(2);
	if (c->resume && c->init)
		errx(2, "-i and -R exclude each other");
	if (c->mix < 1 && c->init == NULL)
		errx(2, "-W: wants -i, the model to start from");
}

/* The model training starts from (-i), kept for -W: its weights and
 * batch norm statistics. */
struct start {
	float *param, *stat;
};

static void
keep_start(const struct cfg *c, const struct net *n, struct start *a)
{
	memset(a, 0, sizeof(*a));
	if (c->mix >= 1)
		return;
	a->param = xmalloc(n->nparam * sizeof(float));
	a->stat = xmalloc((n->nstat + 1) * sizeof(float));
	memcpy(a->param, n->param, n->nparam * sizeof(float));
	memcpy(a->stat, n->stat, n->nstat * sizeof(float));
}

/* The trained net n moved back towards the model it started from, to a
 * share c->mix of the way from it: each weight and batch norm statistic
 * (1 - mix) start + mix trained (weight-space ensembling: fine-tuned on
 * the crops, the net keeps more of what it knew of MNIST). */
static void
mix_start(const struct cfg *c, struct net *n, struct start *a)
{
	long i;

	if (c->mix >= 1)
		return;
	for (i = 0; i < n->nparam; i++)
		n->param[i] = (float)((1 - c->mix) * a->param[i] +
		    c->mix * n->param[i]);
	for (i = 0; i < n->nstat; i++)
		n->stat[i] = (float)((1 - c->mix) * a->stat[i] +
		    c->mix * n->stat[i]);
	free(a->param);
	free(a->stat);
}

/* The training configuration as checkpoint state lines. */
static void
save_cfg(const struct run *r, struct model_extra *x)
{
	const struct cfg *c = r->c;
	char v[64], k[16];
	int i;

#define SETF(key, fmt, val) (snprintf(v, sizeof(v), fmt, val), \
	model_extra_set(x, key, v))
	SETF("epoch", "%d", r->epoch);
	SETF("step", "%ld", r->o.step);
	SETF("batch", "%d", c->batch);
	SETF("epochs", "%d", c->epochs);
	SETF("rate", "%.9g", c->lr);
	SETF("decay", "%.9g", c->wd);
	SETF("smoothing", "%.9g", c->smooth);
	SETF("augment", "%.9g", c->augment);
	SETF("negatives", "%.9g", c->neg);
	SETF("seed", "%llu", c->seed);
	SETF("validation", "%d", c->nval);
	SETF("images", "%d", c->limit);
#undef SETF
	model_extra_set(x, "optimizer", optim_type_name(c->opt));
	model_extra_set(x, "schedule", optim_sched_name(c->sched));
	for (i = 0; i < c->nsamples; i++)
		if (strchr(c->samples[i], '\n'))
			errx(1, "a checkpoint cannot record a folder name with a "
			    "newline");
	if (strchr(c->data, '\n'))
		errx(1, "a checkpoint cannot record a folder name with a newline");
	model_extra_set(x, "data", c->data);
	for (i = 0; i < c->nsamples; i++) {
		snprintf(k, sizeof(k), "samples%d", i);
		model_extra_set(x, k, c->samples[i]);
	}
}

static const char *
need(const struct model_extra *x, const char *key)
{
	const char *v = model_extra_get(x, key);

	if (v == NULL)
		errx(1, "checkpoint lacks its '%s' state", key);
	return v;
}

/* Take from the checkpoint what the command line did not set. */
static void
load_cfg(struct cfg *c, const struct model_extra *x)
{
	static char *keep[MAXSAMPLES + 1];
	char k[16];
	int i;

	if (!(c->set & S_BATCH))
		c->batch = atoi(need(x, "batch"));
	if (!(c->set & S_EPOCHS))
		c->epochs = atoi(need(x, "epochs"));
	if (!(c->set & S_LR))
		c->lr = strtof(need(x, "rate"), NULL);
	if (!(c->set & S_WD))
		c->wd = strtof(need(x, "decay"), NULL);
	if (!(c->set & S_SMOOTH))
		c->smooth = strtof(need(x, "smoothing"), NULL);
	if (!(c->set & S_AUG))
		c->augment = strtof(need(x, "augment"), NULL);
	if (!(c->set & S_NEG))
		c->neg = strtof(need(x, "negatives"), NULL);
	if (!(c->set & S_SEED))
		c->seed = strtoull(need(x, "seed"), NULL, 10);
	if (!(c->set & S_NVAL))
		c->nval = atoi(need(x, "validation"));
	if (!(c->set & S_LIMIT))
		c->limit = atoi(need(x, "images"));
	if (!(c->set & S_OPT) &&
	    (c->opt = optim_type_parse(need(x, "optimizer"))) < 0)
		errx(1, "checkpoint: unknown optimizer");
	if (!(c->set & S_SCHED) &&
	    (c->sched = optim_sched_parse(need(x, "schedule"))) < 0)
		errx(1, "checkpoint: unknown schedule");
	if (!(c->set & S_DATA))
		c->data = keep[MAXSAMPLES] = xstrdup(need(x, "data"));
	if (!(c->set & S_SAMPLES))
		for (i = 0; i < MAXSAMPLES; i++) {
			snprintf(k, sizeof(k), "samples%d", i);
			if (model_extra_get(x, k) == NULL)
				break;
			c->samples[c->nsamples++] = keep[i] =
			    xstrdup(model_extra_get(x, k));
		}
	if (c->batch < 1 || c->epochs < 1 || !(c->lr > 0))
		errx(1, "checkpoint: bad training state");
}

/* -a names a file holding the description: c->arch becomes its text,
 * c->archfile the file's name. */
static void
read_arch(struct cfg *c)
{
	FILE *fp;
	char *text = NULL;
	size_t len, got;

	if (c->arch == NULL || access(c->arch, F_OK) != 0)
		return;
	if ((fp = fopen(c->arch, "r")) == NULL)
		err(1, "%s", c->arch);
	for (len = 0; !feof(fp) && !ferror(fp); len += got) {
		text = xrealloc(text, len + 65536);
		got = fread(text + len, 1, 65535, fp);
	}
	if (ferror(fp))
		err(1, "%s", c->arch);
	fclose(fp);
	text[len] = '\0';
	c->archfile = c->arch;
	c->arch = text;
}

/* The net to train: from a checkpoint, a model, -a, or the built-in
 * model's architecture; x gets a checkpoint's state. */
static struct net *
make_net(struct cfg *c, struct model_extra *x)
{
	struct net *n, *b;
	char e[512];

	read_arch(c);
	if (c->resume) {
		if ((n = model_load(c->resume, x, e, sizeof(e))) == NULL)
			errx(1, "%s", e);
		if (c->ckpt == NULL)
			c->ckpt = c->resume;
		return n;
	}
	if (c->init) {
		if ((n = model_load(c->init, NULL, e, sizeof(e))) == NULL)
			errx(1, "%s", e);
		return n;
	}
	if (c->arch == NULL) {
		if ((b = model_builtin(e, sizeof(e))) == NULL)
			errx(1, "%s", e);
		c->arch = xstrdup(b->arch);
		net_free(b);
	}
	if ((n = net_new(c->arch, e, sizeof(e))) == NULL) {
		if (c->archfile)
			errx(1, "%s: %s", c->archfile, e);
		errx(2, "architecture: %s", e);
	}
	net_init(n, c->seed);
	return n;
}

/* A model given with -i or -R must be what -a asks for, if -a is given. */
static void
check_arch(const struct cfg *c, const struct net *n)
{
	struct net *want;
	char e[512];

	if (c->arch == NULL || !(c->resume || c->init))
		return;
	if ((want = net_new(c->arch, e, sizeof(e))) == NULL)
		errx(2, "architecture: %s", e);
	if (strcmp(want->arch, n->arch) != 0)
		errx(1, "%s: architecture '%s' differs from -a '%s'",
		    c->resume ? c->resume : c->init, n->arch, want->arch);
	net_free(want);
}

static void
load_data(struct run *r)
{
	struct cfg *c = r->c;
	char e[512];
	int i, k, before;

	if (dataset_mnist_train(&r->train, &r->val, c->data, c->nval, c->limit,
	    e, sizeof(e)) < 0)
		errx(1, "%s (scripts/fetch-mnist gets MNIST; -d names its "
		    "folder)", e);
	for (i = 0; i < c->nsamples; i++) {
		before = r->train.n;
		if ((k = dataset_add_folder(&r->train, c->samples[i],
		    r->n->nclass, e, sizeof(e))) < 0)
			errx(1, "%s", e);
		if (!c->quiet)
			fprintf(stderr, "cnn-train: %s: %d samples\n", c->samples[i],
			    r->train.n - before);
	}
	for (i = 0; i < r->train.n; i++)
		if (r->train.y[i] >= r->n->nclass)
			errx(1, "label %d, but the net has %d classes",
			    r->train.y[i], r->n->nclass);
	if (r->train.n < c->batch)
		errx(1, "%d training images, fewer than a batch of %d",
		    r->train.n, c->batch);
}

/* Shuffle the training set's order for an epoch. */
static void
shuffle(int *perm, int n, unsigned long long seed, int epoch)
{
	struct rng g;
	int i, j, t;

	rng_seed(&g, seed, 0x5eed0000ULL + epoch);
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = (int)rng_below(&g, i + 1);
		t = perm[i], perm[i] = perm[j], perm[j] = t;
	}
}

/* Images of a batch, distorted: each from its own random stream. */
static void
make_batch(const struct run *r, float *x, unsigned char *y, const int *idx,
    int b, unsigned long long stream)
{
	int i;

#pragma omp parallel for schedule(static)
	for (i = 0; i < b; i++) {
		float in[PIX];
		const unsigned char *src = r->train.x + (size_t)idx[i] * PIX;
		struct rng g;
		int j;

		rng_seed(&g, r->c->seed, stream + i);
		if (r->n->nclass == 11 && rng_uniform(&g) < r->c->neg) {
			/* in place of this digit, something that is not one */
			negative_make(in, r->train.x, r->train.n, &g);
			y[i] = 10;
		} else {
			for (j = 0; j < PIX; j++)
				in[j] = src[j] * (1.0f / 255);
			y[i] = r->train.y[idx[i]];
		}
		augment_digit(x + (size_t)i * PIX, in, 28, 28, &r->aug, &g);
	}
}

/* Loss and accuracy of the net (inference mode) on a set. */
static void
evaluate(struct net *n, const struct dataset *d, double *loss, double *acc)
{
	struct evaluation e;

	evaluate_run(&e, n, d);
	*loss = e.loss;
	*acc = e.n ? 100.0 * e.right / e.n : 0;
	evaluate_free(&e);
}

struct stats {
	double loss, acc, vloss, vacc, secs, lr;
};

static void
train_epoch(struct run *r, struct stats *s)
{
	struct cfg *c = r->c;
	int nb = r->train.n / c->batch, b, right, done = 0, e = r->epoch;
	int *perm = xmalloc(r->train.n * sizeof(int));
	float *x = xfloats((size_t)c->batch * PIX);
	unsigned char *y = xmalloc(c->batch);
	double t0 = util_now(), sum = 0;
	struct progress pg;
	char label[32], text[64];
	long stream;

	snprintf(label, sizeof(label), "epoch %d/%d", e + 1, c->epochs);
	progress_start(&pg, c->quiet ? NULL : stderr, label,
	    (long)nb * c->batch);
	shuffle(perm, r->train.n, c->seed, e);
	for (b = 0; b < nb; b++) {
		stream = ((long)e * nb + b) * c->batch;
		make_batch(r, x, y, perm + (size_t)b * c->batch, c->batch, stream);
		s->lr = optim_lr(&r->o, r->o.step);
		sum += nettrain_step(r->n, x, y, c->batch, c->seed, stream, &right,
		    c->smooth);
		if (!isfinite(sum))
			errx(1, "epoch %d: the loss diverged; try a smaller "
			    "learning rate (-l)", e + 1);
		optim_step(&r->o, r->n);
		done += right;
		snprintf(text, sizeof(text), "loss %.4f acc %.2f%%",
		    sum / ((b + 1.0) * c->batch), 100.0 * done / ((b + 1.0) *
		    c->batch));
		progress_update(&pg, (long)(b + 1) * c->batch, text);
	}
	progress_clear(&pg);
	s->loss = sum / ((double)nb * c->batch);
	s->acc = 100.0 * done / ((double)nb * c->batch);
	s->secs = util_now() - t0;
	evaluate(r->n, &r->val, &s->vloss, &s->vacc);
	free(perm);
	free(x);
	free(y);
}

static void
report(struct run *r, const struct stats *s)
{
	double ips = (double)(r->train.n / r->c->batch) * r->c->batch / s->secs;

	if (!r->c->quiet) {
		printf("epoch %d/%d lr %.5f loss %.4f acc %.2f%%", r->epoch,
		    r->c->epochs, s->lr, s->loss, s->acc);
		if (r->val.n)
			printf(" val_loss %.4f val_acc %.2f%%", s->vloss, s->vacc);
		printf(" %.1fs %.0f img/s\n", s->secs, ips);
		if (fflush(stdout) == EOF)
			err(1, "stdout");
	}
	if (r->log && r->val.n)
		fprintf(r->log, "%d,%.6g,%.6f,%.4f,%.6f,%.4f,%.2f\n", r->epoch,
		    s->lr, s->loss, s->acc, s->vloss, s->vacc, s->secs);
	else if (r->log)
		fprintf(r->log, "%d,%.6g,%.6f,%.4f,,,%.2f\n", r->epoch, s->lr,
		    s->loss, s->acc, s->secs);
	if (r->log) {
		if (fflush(r->log) == EOF)
			err(1, "%s", r->c->log);
	}
}

/* Write a checkpoint: the model, the optimiser's state, the config. */
static void
checkpoint(struct run *r)
{
	struct model_extra x;
	struct tensor *t;
	char e[512];

	memset(&x, 0, sizeof(x));
	save_cfg(r, &x);
	model_extra_add(&x, "opt.m", r->n->nparam);
	memcpy(x.t[0].p, r->o.m, r->n->nparam * sizeof(float));
	if (r->o.v) {
		model_extra_add(&x, "opt.v", r->n->nparam);
		t = model_extra_tensor(&x, "opt.v");
		memcpy(t->p, r->o.v, r->n->nparam * sizeof(float));
	}
	if (model_save(r->c->ckpt, r->n, &x, e, sizeof(e)) < 0)
		errx(1, "%s", e);
	model_extra_free(&x);
}

/* Set the optimiser up, from a checkpoint's state if resuming. */
static void
start(struct run *r, struct model_extra *x)
{
	struct cfg *c = r->c;
	long steps = (long)(r->train.n / c->batch) * c->epochs;
	struct tensor *t;

	optim_init(&r->o, c->opt, c->sched, c->lr, c->wd, steps, r->n->nparam);
	augment_init(&r->aug, c->augment);
	if (!c->resume)
		return;
	r->epoch = atoi(need(x, "epoch"));
	r->o.step = atol(need(x, "step"));
	if ((t = model_extra_tensor(x, "opt.m")) == NULL ||
	    t->n != r->n->nparam)
		errx(1, "%s: no optimiser state", c->resume);
	memcpy(r->o.m, t->p, t->n * sizeof(float));
	if (r->o.v) {
		if ((t = model_extra_tensor(x, "opt.v")) == NULL ||
		    t->n != r->n->nparam)
			errx(1, "%s: no AdamW state", c->resume);
		memcpy(r->o.v, t->p, t->n * sizeof(float));
	}
}

static FILE *
open_log(const struct cfg *c)
{
	FILE *fp;

	if (c->log == NULL)
		return NULL;
	if ((fp = fopen(c->log, c->resume ? "a" : "w")) == NULL)
		err(1, "%s", c->log);
	if (!c->resume || ftell(fp) == 0)
		fprintf(fp, "epoch,lr,train_loss,train_acc,val_loss,val_acc,"
		    "seconds\n");
	return fp;
}

int
main(int argc, char **argv)
{
	struct cfg c;
	struct run r;
	struct model_extra x;
	struct start start0;
	struct stats s = { 0, 0, 0, 0, 0, 0 };
	struct net *nets, *m, *after;
	char e[512];
	int done, k;
	struct stat st;

	util_std_fds();
	defaults(&c);
	options(&c, argc, argv);
	/* before the training, which model_save() would refuse at its end */
	if (!c.summary && stat(c.out, &st) == 0 && !S_ISREG(st.st_mode))
		errx(1, "%s: not a regular file", c.out);
	memset(&r, 0, sizeof(r));
	memset(&x, 0, sizeof(x));
	r.c = &c;
	r.n = make_net(&c, &x);
	check_arch(&c, r.n);
	keep_start(&c, r.n, &start0);
	if (c.summary) {
		net_summary(r.n, stdout);
		return efshut(stdout, "stdout") ? 1 : 0;
	}
	nets = r.n;
	if (nets->next && (c.ckpt || c.stop))
		errx(2, "%s holds several nets; checkpoints (-k, -T) hold one",
		    c.init);
	if (c.resume)
		load_cfg(&c, &x);
#ifdef _OPENMP
	if (c.threads)
		omp_set_num_threads(c.threads);
#endif
	load_data(&r);
	r.log = open_log(&c);
	/* each net of an ensemble in turn, alike but for the batches' order */
	for (m = nets, k = 0; m; m = after, k++) {
		after = m->next;
		m->next = NULL;
		r.n = m;
		if (k > 0) {
			r.epoch = 0;
			c.seed++;
			memset(&s, 0, sizeof(s));
			keep_start(&c, m, &start0);
			if (!c.quiet)
				printf("net %d\n", k + 1);
		}
		start(&r, &x);
		model_extra_free(&x);
		for (done = 0; r.epoch < c.epochs &&
		    (!c.stop || done < c.stop); done++) {
			train_epoch(&r, &s);
			r.epoch++;
			report(&r, &s);
			if (c.ckpt)
				checkpoint(&r);
		}
		if (r.epoch < c.epochs) {
			if (!c.quiet)
				printf("stopped after epoch %d of %d%s%s\n",
				    r.epoch, c.epochs,
				    c.ckpt ? "; resume with -R " : "",
				    c.ckpt ? c.ckpt : "");
			return efshut(stdout, "stdout") ? 1 : 0;
		}
		mix_start(&c, m, &start0);
		optim_free(&r.o);
		m->next = after;
	}
	if (model_save(c.out, nets, NULL, e, sizeof(e)) < 0)
		errx(1, "%s", e);
	if (!c.quiet)
		printf("wrote %s\n", c.out);
	if (r.log && efshut(r.log, c.log))
		return 1;
	return efshut(stdout, "stdout") ? 1 : 0;
}
