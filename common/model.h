/* model: the digitcnn model file (digitcnn(5)): a text header naming the
 * architecture and the tensors, a CRC-32, then little-endian float32 data */
#ifndef MODEL_H
#define MODEL_H

#include <stddef.h>

#include "net.h"

#define MODEL_MAGIC "digitcnn"
#define MODEL_VERSION 1
#define MODEL_MAXKV 32
#define MODEL_MAXX 128

/* What a checkpoint adds to a model: "state KEY VALUE" header lines and
 * extra tensors (the optimiser's), all owned by the struct. */
struct model_extra {
	int nkv;
	char *key[MODEL_MAXKV], *val[MODEL_MAXKV];
	int nt;
	struct tensor t[MODEL_MAXX];
};

/* Write n (and x, if not NULL) to path atomically: a temporary file in
 * the same folder, fsync, rename.  The nets of an ensemble (n->next) are
 * written one after the other, each a whole model (x only with one
 * net).  0, or -1 with a message in err and nothing left behind. */
int model_save(const char *path, const struct net *n,
    const struct model_extra *x, char *err, int errlen);
/* Read a model file (name is for messages).  The net is built from the
 * file's architecture and every tensor checked against it, the CRC-32
 * against the contents.  Extra tensors and state lines go to x if it is
 * not NULL, else are skipped.  A file of several models one after the
 * other, of the same input and classes, is an ensemble: the first net,
 * the others chained on its next (x must be NULL then).  NULL and a
 * message in err on failure. */
struct net *model_load(const char *path, struct model_extra *x, char *err,
    int errlen);
struct net *model_load_mem(const unsigned char *buf, size_t len,
    const char *name, struct model_extra *x, char *err, int errlen);
/* The model built into the program (model/digits.cnn at build time). */
struct net *model_builtin(char *err, int errlen);
/* A net that reads 28x28 digits: the model file at path; when path is
 * NULL, the file $DIGITPIPE_MODEL names, else the model installed beside
 * the program (BIN/../share/digitpipe/digits.cnn), else the built-in
 * one.  NULL and a message in err on failure. */
struct net *model_digits(const char *path, char *err, int errlen);
/* Add a state line or an extra tensor (copied) to x. */
void model_extra_set(struct model_extra *x, const char *key, const char *val);
const char *model_extra_get(const struct model_extra *x, const char *key);
struct tensor *model_extra_tensor(struct model_extra *x, const char *name);
void model_extra_add(struct model_extra *x, const char *name, long n);
void model_extra_free(struct model_extra *x);

#endif
