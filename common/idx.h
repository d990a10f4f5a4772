/* idx: MNIST's IDX files (unsigned byte images and labels), bounds-checked */
#ifndef IDX_H
#define IDX_H

#define IDX_MAXSIDE 4096        /* refuse images with a larger side */

struct idx {
	int n;                  /* items */
	int rows, cols;         /* 0 for a label file */
	unsigned char *data;    /* n * rows * cols bytes (n for labels) */
};

/* Load an idx3-ubyte image file (magic 0x00000803) or an idx1-ubyte
 * label file (0x00000801). 0 on success; -1 with a message in err (the
 * file name first: "x: not an IDX image file (magic 0x...)", "x: truncated:
 * header says 60000 images of 28x28, file holds 1234", "x: absurd
 * dimensions 0x28") and *out untouched. */
int idx_load_images(const char *path, struct idx *out, char *err, int errlen);
int idx_load_labels(const char *path, struct idx *out, char *err, int errlen);
/* Both of a pair, checking that they hold as many items: "images has
 * 60000 items, labels 10000". */
int idx_load_pair(const char *images, const char *labels, struct idx *img,
    struct idx *lab, char *err, int errlen);
void idx_free(struct idx *x);

#endif
