/* dataset: the images a net trains and is checked on: MNIST's IDX files
 * and folders of the user's own labelled digit images */
#ifndef DATASET_H
#define DATASET_H

#include "img.h"

struct dataset {
	int n, cap;
	unsigned char *x;       /* n images of 28x28, 0..255, white ink on black */
	unsigned char *y;       /* n labels */
};

/* MNIST's training set from dir: the last nval images become val, the
 * others (at most limit of them, 0: all) train.  -1 and err on failure. */
int dataset_mnist_train(struct dataset *train, struct dataset *val,
    const char *dir, int nval, int limit, char *err, int errlen);
/* A pair of IDX files (e.g. MNIST's test set): 28x28 images only. */
int dataset_idx(struct dataset *d, const char *images, const char *labels,
    char *err, int errlen);
/* Add the labelled images of a folder: each label comes from the line
 * "NAME LABEL" of DIR/labels.txt when that file exists, else from a
 * subfolder named after the digit (DIR/7/x.png), else from the first
 * character of the file name (7_pen.png).  Images are PNM, PNG or JPEG
 * of one digit in any polarity and size; they are normalised the MNIST
 * way.  Returns how many were added, or -1 and err. */
int dataset_add_folder(struct dataset *d, const char *dir, int nclass,
    char *err, int errlen);
void dataset_add(struct dataset *d, const unsigned char *img784, int label);
void dataset_free(struct dataset *d);

/* Read the first image of a PNM, PNG or JPEG file; NULL and err on
 * failure. */
struct img *dataset_load_image(const char *path, char *err, int errlen);
#endif
