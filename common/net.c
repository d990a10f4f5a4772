/* net: a convolutional network built from a text description, trained a
 * batch at a time over threads, and run for inference */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "batchnorm.h"
#include "conv2d.h"
#include "dense.h"
#include "dropout.h"
#include "maxpool.h"
#include "net.h"
#include "netrun.h"
#include "nettrain.h"
#include "relu.h"
#include "rng.h"
#include "softmax.h"
#include "util.h"

#define MAXLAYERS 64
#define MAXSIDE 4096
/* Parameters and batch norm statistics at most: what a model file of
 * 1 GiB, the most a reader takes, can hold.  Lower it (-DNET_MAXPARAM=...)
 * to bound memory where a description comes from anyone (fuzzing). */
#ifndef NET_MAXPARAM
#define NET_MAXPARAM (1L << 28)
#endif

int net_reference;

/* "key=value" with key one of s, p: value in *v */
static int
parse_opt(const char *tok, const char *key, int *v, int k)
{
	size_t kl = strlen(key);
	char *end;
	long x;

	if (strncmp(tok, key, kl) != 0 || tok[kl] != '=')
		return 0;
	if (strcmp(tok + kl + 1, "same") == 0 && strcmp(key, "p") == 0) {
		*v = k / 2;
		return 1;
	}
	x = strtol(tok + kl + 1, &end, 10);
	if (*end || end == tok + kl + 1 || x < 0 || x > 64)
		return -1;
	*v = (int)x;
	return 1;
}

static int
parse_int(const char *tok, int min, int max, int *v)
{
	char *end;
	long x;

	if (tok == NULL)
		return -1;
	x = strtol(tok, &end, 10);
	if (*end || end == tok || x < min || x > max)
		return -1;
	*v = (int)x;
	return 0;
}

/* One layer from its words; the shape is filled in later. */
static int
parse_layer(struct layer *L, char **tok, int nt, char *err, int errlen)
{
	const char *t = tok[0];
	int i, r;
	char *end;

	memset(L, 0, sizeof(*L));
	L->s = 1;
	if (strcmp(t, "conv") == 0) {
		L->type = L_CONV;
		if (nt < 3 || parse_int(tok[1], 1, 4096, &L->oc) ||
		    parse_int(tok[2], 1, 31, &L->k))
			return seterr(err, errlen, "conv wants: conv OC K [s=S] [p=P]");
		for (i = 3; i < nt; i++) {
			if ((r = parse_opt(tok[i], "s", &L->s, L->k)) == 0)
				r = parse_opt(tok[i], "p", &L->p, L->k);
			if (r != 1 || L->s < 1)
				return seterr(err, errlen, "conv: bad option '%s'", tok[i]);
		}
	} else if (strcmp(t, "maxpool") == 0) {
		L->type = L_MAXPOOL;
		if (nt < 2 || parse_int(tok[1], 1, 31, &L->k))
			return seterr(err, errlen, "maxpool wants: maxpool K [s=S]");
		L->s = L->k;
		for (i = 2; i < nt; i++)
			if (parse_opt(tok[i], "s", &L->s, L->k) != 1 || L->s < 1)
				return seterr(err, errlen, "maxpool: bad option '%s'", tok[i]);
	} else if (strcmp(t, "dense") == 0) {
		L->type = L_DENSE;
		if (nt != 2 || parse_int(tok[1], 1, 65536, &L->oc))
			return seterr(err, errlen, "dense wants: dense N");
	} else if (strcmp(t, "dropout") == 0) {
		L->type = L_DROPOUT;
		if (nt != 2)
			return seterr(err, errlen, "dropout wants: dropout P");
		L->rate = strtof(tok[1], &end);
		if (*end || end == tok[1] || !(L->rate >= 0 && L->rate < 1))
			return seterr(err, errlen, "dropout: rate '%s' not in [0,1)", tok[1]);
	} else if (strcmp(t, "bn") == 0 || strcmp(t, "relu") == 0) {
		L->type = t[0] == 'b' ? L_BN : L_RELU;
		if (nt != 1)
			return seterr(err, errlen, "%s takes no arguments", t);
	} else
		return seterr(err, errlen, "unknown layer '%s'", t);
	return 0;
}

/* One ';'-separated part of a line: its words to one layer, if any. */
static int
parse_part(struct layer *ls, int *nl, char *part, char *err, int errlen)
{
	char *tok[16], *save;
	int nt = 0;

	for (tok[0] = strtok_r(part, " \t\r", &save); tok[nt];
	    tok[nt] = strtok_r(NULL, " \t\r", &save))
		if (++nt == 16)
			return seterr(err, errlen, "too many words in '%s ...'", tok[0]);
	if (nt == 0)
		return 0;
	if (*nl == MAXLAYERS)
		return seterr(err, errlen, "more than %d layers", MAXLAYERS);
	if (parse_layer(&ls[*nl], tok, nt, err, errlen) < 0)
		return -1;
	(*nl)++;
	return 0;
}

/* Split the description into layers: lines, '#' comments cut off, then
 * parts separated by ';'. */
static int
parse_arch(struct layer *ls, const char *arch, char *err, int errlen)
{
	char *buf = xstrdup(arch), *line, *next, *part, *save;
	int nl = 0;

	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "#")] = '\0';
		for (part = strtok_r(line, ";", &save); part;
		    part = strtok_r(NULL, ";", &save))
			if (parse_part(ls, &nl, part, err, errlen) < 0) {
				free(buf);
				return -1;
			}
	}
	free(buf);
	return nl;
}

/* Shapes, names and parameter counts, layer by layer. */
static int
shape_layers(struct net *n, long maxparam, char *err, int errlen)
{
	int i, c = n->in_c, h = n->in_h, w = n->in_w, nconv = 0, nbn = 0,
	    ndense = 0, npool = 0, nt = 0;
	long np = 0;
	struct layer *L;

	for (i = 0; i < n->nl; i++) {
		L = &n->l[i];
		L->ic = c, L->ih = h, L->iw = w;
		L->oc = L->type == L_CONV || L->type == L_DENSE ? L->oc : c;
		L->oh = h, L->ow = w;
		switch (L->type) {
		case L_CONV:
			if (L->k > h + 2 * L->p || L->k > w + 2 * L->p)
				return seterr(err, errlen, "layer %d: conv %d on %dx%d input",
				    i + 1, L->k, h, w);
			L->oh = conv2d_out(h, L->k, L->s, L->p);
			L->ow = conv2d_out(w, L->k, L->s, L->p);
			L->nw = (long)L->oc * c * L->k * L->k, L->nb = L->oc;
			snprintf(L->name, sizeof(L->name), "conv%d", ++nconv);
			break;
		case L_MAXPOOL:
			if (L->k > h || L->k > w)
				return seterr(err, errlen, "layer %d: maxpool %d on %dx%d input",
				    i + 1, L->k, h, w);
			L->oh = maxpool_out(h, L->k, L->s);
			L->ow = maxpool_out(w, L->k, L->s);
			snprintf(L->name, sizeof(L->name), "pool%d", ++npool);
			break;
		case L_DENSE:
			L->ic = c * h * w, L->ih = L->iw = 1, L->oh = L->ow = 1;
			L->nw = (long)L->oc * L->ic, L->nb = L->oc;
			snprintf(L->name, sizeof(L->name), "dense%d", ++ndense);
			break;
		case L_BN:
			L->nw = L->nb = c;
			snprintf(L->name, sizeof(L->name), "bn%d", ++nbn);
			break;
		case L_RELU:
			snprintf(L->name, sizeof(L->name), "relu");
			break;
		case L_DROPOUT:
			snprintf(L->name, sizeof(L->name), "dropout");
			break;
		}
		c = L->oc, h = L->oh, w = L->ow;
		if ((long)c * h * w > 1L << 24)
			return seterr(err, errlen, "layer %d: output too large", i + 1);
		/* the tensors place_tensors() makes, and what they hold */
		nt += L->type == L_BN ? 4 : L->nw > 0 ? 2 : 0;
		np += L->nw + L->nb + (L->type == L_BN ? 2L * L->ic : 0);
		if (nt > NET_MAXT)
			return seterr(err, errlen, "layer %d: more than %d tensors",
			    i + 1, NET_MAXT);
		if (np > maxparam)
			return seterr(err, errlen, "layer %d: more than %ld "
			    "parameters", i + 1, maxparam);
	}
	if (n->nl == 0 || n->l[n->nl - 1].type != L_DENSE)
		return seterr(err, errlen, "the last layer must be 'dense N'");
	n->nclass = n->l[n->nl - 1].oc;
	if (n->nclass < 2 || n->nclass > 64)
		return seterr(err, errlen, "%d classes: want 2 to 64", n->nclass);
	for (i = 0; i < n->nclass; i++)
		n->labels[i] = "0123456789abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_+"[i];
	if (n->nclass == 11)
		n->labels[10] = '?';    /* the digits and "not a digit" */
	n->labels[n->nclass] = '\0';
	return 0;
}

static void
add_tensor(struct net *n, const char *layer, const char *what, float *p,
    float *g, int d0, int d1, int d2, int d3, int decay)
{
	struct tensor *t = &n->t[n->nt++];

	snprintf(t->name, sizeof(t->name), "%s.%s", layer, what);
	t->p = p, t->g = g;
	t->dim[0] = d0, t->dim[1] = d1, t->dim[2] = d2, t->dim[3] = d3;
	t->n = (long)d0 * d1 * d2 * d3;
	t->trainable = g != NULL;
	t->decay = decay;
}

/* Point every layer's tensors into the parameter blocks. */
static void
place_tensors(struct net *n)
{
	long np = 0, ns = 0;
	struct layer *L;
	int i;

	for (i = 0; i < n->nl; i++) {
		np += n->l[i].nw + n->l[i].nb;
		ns += n->l[i].type == L_BN ? 2 * n->l[i].ic : 0;
	}
	n->nparam = np, n->nstat = ns;
	n->param = xfloats(np), n->grad = xfloats(np), n->stat = xfloats(ns);
	np = ns = 0;
	for (i = 0; i < n->nl; i++) {
		L = &n->l[i];
		if (L->nw == 0)
			continue;
		L->w = n->param + np, L->dw = n->grad + np, np += L->nw;
		L->b = n->param + np, L->db = n->grad + np, np += L->nb;
		if (L->type == L_CONV) {
			add_tensor(n, L->name, "w", L->w, L->dw, L->oc, L->ic, L->k,
			    L->k, 1);
			add_tensor(n, L->name, "b", L->b, L->db, L->oc, 1, 1, 1, 0);
		} else if (L->type == L_DENSE) {
			add_tensor(n, L->name, "w", L->w, L->dw, L->oc, L->ic, 1, 1, 1);
			add_tensor(n, L->name, "b", L->b, L->db, L->oc, 1, 1, 1, 0);
		} else {
			L->mean = n->stat + ns, ns += L->ic;
			L->var = n->stat + ns, ns += L->ic;
			add_tensor(n, L->name, "gamma", L->w, L->dw, L->ic, 1, 1, 1, 0);
			add_tensor(n, L->name, "beta", L->b, L->db, L->ic, 1, 1, 1, 0);
			add_tensor(n, L->name, "mean", L->mean, NULL, L->ic, 1, 1, 1, 0);
			add_tensor(n, L->name, "var", L->var, NULL, L->ic, 1, 1, 1, 0);
		}
	}
}

/* The description, normalised to one line. */
static char *
arch_line(const struct net *n)
{
	char *s = xmalloc(32 * n->nl + 1), *p = s;
	const struct layer *L;
	int i;

	*s = '\0';
	for (i = 0; i < n->nl; i++) {
		L = &n->l[i];
		p += sprintf(p, "%s", i ? "; " : "");
		switch (L->type) {
		case L_CONV:
			p += sprintf(p, "conv %d %d", L->oc, L->k);
			if (L->s != 1)
				p += sprintf(p, " s=%d", L->s);
			if (L->p)
				p += sprintf(p, " p=%d", L->p);
			break;
		case L_MAXPOOL:
			p += sprintf(p, "maxpool %d", L->k);
			if (L->s != L->k)
				p += sprintf(p, " s=%d", L->s);
			break;
		case L_DENSE:
			p += sprintf(p, "dense %d", L->oc);
			break;
		case L_DROPOUT:
			p += sprintf(p, "dropout %g", L->rate);
			break;
		case L_BN:
			p += sprintf(p, "bn");
			break;
		case L_RELU:
			p += sprintf(p, "relu");
			break;
		}
	}
	return s;
}

struct net *
net_new(const char *arch, char *err, int errlen)
{
	return net_new_max(arch, NET_MAXPARAM, err, errlen);
}

struct net *
net_new_max(const char *arch, long maxparam, char *err, int errlen)
{
	struct layer ls[MAXLAYERS];
	struct net *n;
	int nl;

	if ((nl = parse_arch(ls, arch, err, errlen)) < 0)
		return NULL;
	n = xcalloc(1, sizeof(*n));
	n->in_c = 1, n->in_h = n->in_w = 28;
	n->nl = nl;
	n->l = xmalloc((nl ? nl : 1) * sizeof(*n->l));
	memcpy(n->l, ls, nl * sizeof(*ls));
	if (shape_layers(n, MIN(maxparam, NET_MAXPARAM), err, errlen) < 0) {
		free(n->l);
		free(n);
		return NULL;
	}
	place_tensors(n);
	n->arch = arch_line(n);
	return n;
}

void
net_free(struct net *n)
{
	if (n == NULL)
		return;
	net_free(n->next);
	netrun_free(n->run);
	nettrain_free(n->tr);
	free(n->param);
	free(n->grad);
	free(n->stat);
	free(n->arch);
	free(n->l);
	free(n);
}

void
net_init(struct net *n, unsigned long long seed)
{
	struct rng r;
	struct layer *L;
	float sd;
	long j;
	int i;

	for (i = 0; i < n->nl; i++) {
		L = &n->l[i];
		rng_seed(&r, seed, 1000 + i);
		if (L->type == L_CONV || L->type == L_DENSE) {
			sd = sqrtf(2.0f / (L->nw / L->oc));
			for (j = 0; j < L->nw; j++)
				L->w[j] = sd * rng_normal(&r);
			memset(L->b, 0, L->nb * sizeof(float));
		} else if (L->type == L_BN) {
			for (j = 0; j < L->ic; j++) {
				L->w[j] = 1, L->b[j] = 0;
				L->mean[j] = 0, L->var[j] = 1;
			}
		}
	}
	netrun_free(n->run);
	n->run = NULL;
}

struct tensor *
net_tensor(struct net *n, const char *name)
{
	int i;

	for (i = 0; i < n->nt; i++)
		if (strcmp(n->t[i].name, name) == 0)
			return &n->t[i];
	return NULL;
}

static double
layer_flops(const struct layer *L)
{
	if (L->type == L_CONV)
		return 2.0 * L->oc * L->oh * L->ow * L->ic * L->k * L->k;
	if (L->type == L_DENSE)
		return 2.0 * L->oc * L->ic;
	return 0;
}

double
net_flops(const struct net *n)
{
	double f = 0;
	int i;

	for (i = 0; i < n->nl; i++)
		f += layer_flops(&n->l[i]);
	return f;
}

void
net_summary(const struct net *n, FILE *fp)
{
	const struct layer *L;
	char shape[32], what[48];
	long total = 0;
	int i;

	fprintf(fp, "%-22s %-16s %10s %9s\n", "layer", "output shape",
	    "params", "MFLOPs");
	fprintf(fp, "%-22s %-16s %10s %9s\n", "input", "1x28x28", "0", "0");
	for (i = 0; i < n->nl; i++) {
		L = &n->l[i];
		switch (L->type) {
		case L_CONV:
			snprintf(what, sizeof(what), "%s %dx%d/%d", L->name, L->k,
			    L->k, L->s);
			break;
		case L_MAXPOOL:
			snprintf(what, sizeof(what), "%s %dx%d/%d", L->name, L->k,
			    L->k, L->s);
			break;
		case L_DROPOUT:
			snprintf(what, sizeof(what), "dropout %g", L->rate);
			break;
		default:
			snprintf(what, sizeof(what), "%s", L->name);
		}
		if (L->type == L_DENSE)
			snprintf(shape, sizeof(shape), "%d", L->oc);
		else
			snprintf(shape, sizeof(shape), "%dx%dx%d", L->oc, L->oh, L->ow);
		fprintf(fp, "%-22s %-16s %10ld %9.3f\n", what, shape,
		    L->nw + L->nb, layer_flops(L) / 1e6);
		total += L->nw + L->nb;
	}
	fprintf(fp, "total: %ld parameters (%.1f KiB), %.3f MFLOPs per image "
	    "(%.3f M multiply-adds)\n", total, total * 4 / 1024.0,
	    net_flops(n) / 1e6, net_flops(n) / 2e6);
}
