/* net: a convolutional network built from a text description, trained a
 * batch at a time over threads, and run for inference */
#ifndef NET_H
#define NET_H

#include <stdio.h>

enum layer_type { L_CONV, L_BN, L_RELU, L_MAXPOOL, L_DENSE, L_DROPOUT };

struct layer {
	enum layer_type type;
	char name[16];          /* conv1, bn2, dense1 ...: tensor name prefix */
	int ic, ih, iw;         /* input shape (a dense layer's input is ic,1,1) */
	int oc, oh, ow;         /* output shape */
	int k, s, p;            /* kernel, stride, padding (conv, maxpool) */
	float rate;             /* dropout */
	long nw, nb;            /* sizes of w and b */
	float *w, *b;           /* conv, dense: weights, bias; bn: gamma, beta */
	float *dw, *db;         /* their gradients (in net.grad) */
	float *mean, *var;      /* bn: running statistics (in net.stat) */
};

#define NET_MAXT 64             /* tensors at most */

struct tensor {
	char name[40];
	float *p;
	int dim[4];             /* unused dimensions are 1 */
	long n;
	int trainable;          /* updated by the optimiser */
	int decay;              /* weight decay applies (conv and dense weights) */
	float *g;               /* gradient, if trainable */
};

struct net {
	char *arch;             /* normalised description, one line */
	int in_c, in_h, in_w;   /* 1, 28, 28 */
	int nclass;
	char labels[65];        /* what each class prints as: "0123456789";
	                         * a net of 11 classes has "not a digit" last,
	                         * printed '?' */
	int nl;
	struct layer *l;
	float *param, *grad;    /* trainable parameters, one block each */
	long nparam;
	float *stat;            /* batch norm running means and variances */
	long nstat;
	int nt;
	struct tensor t[NET_MAXT];
	struct netrun *run;     /* inference state, made on first use */
	struct nettrain *tr;    /* training state, made on first use */
	struct net *next;       /* the next net of an ensemble, of the same
	                         * input and classes: netrun_infer() takes
	                         * the mean of their probabilities where
	                         * the first is unsure; training sees this
	                         * net alone */
};

/* Build the net an architecture description gives (see digitcnn(5)):
 * layers "conv OC K [s=S] [p=P]", "bn", "relu", "maxpool K [s=S]",
 * "dense N", "dropout P", separated by ';' or newlines, '#' comments.
 * The input is 1x28x28; the last layer must be "dense N", N classes.
 * Parameters are zero; NULL and a message in err on a bad description. */
struct net *net_new(const char *arch, char *err, int errlen);
/* The same, refusing a net of more than maxparam parameters and batch
 * norm statistics (a model file's reader: no more than its bytes hold). */
struct net *net_new_max(const char *arch, long maxparam, char *err,
    int errlen);
void net_free(struct net *n);
/* He-normal weights, zero biases, unit batch norms, from seed. */
void net_init(struct net *n, unsigned long long seed);
/* The tensor called name, or NULL. */
struct tensor *net_tensor(struct net *n, const char *name);
/* Multiply-adds per image times two. */
double net_flops(const struct net *n);
/* Keras-style table: layer, output shape, parameters, MFLOPs. */
void net_summary(const struct net *n, FILE *fp);

/* Use the reference kernels instead of the fast ones (tests). */
extern int net_reference;

#endif
