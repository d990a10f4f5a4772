/* dataset: the images a net trains and is checked on: MNIST's IDX files
 * and folders of the user's own labelled digit images */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify.h"
#include "dataset.h"
#include "decode.h"
#include "idx.h"
#include "util.h"

#define SIDE 28
#define PIX (SIDE * SIDE)

void
dataset_add(struct dataset *d, const unsigned char *img, int label)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->x = xrealloc(d->x, (size_t)d->cap * PIX);
		d->y = xrealloc(d->y, d->cap);
	}
	memcpy(d->x + (size_t)d->n * PIX, img, PIX);
	d->y[d->n++] = (unsigned char)label;
}

void
dataset_free(struct dataset *d)
{
	free(d->x);
	free(d->y);
	memset(d, 0, sizeof(*d));
}

int
dataset_idx(struct dataset *d, const char *images, const char *labels,
    char *err, int errlen)
{
	struct idx im, lb;
	int i;

	memset(d, 0, sizeof(*d));
	if (idx_load_pair(images, labels, &im, &lb, err, errlen) < 0)
		return -1;
	if (im.rows != SIDE || im.cols != SIDE) {
		seterr(err, errlen, "%s: images of %dx%d, want 28x28", images,
		    im.rows, im.cols);
		idx_free(&im);
		idx_free(&lb);
		return -1;
	}
	for (i = 0; i < lb.n; i++)
		if (lb.data[i] > 63) {
			seterr(err, errlen, "%s: label %d of item %d", labels,
			    lb.data[i], i);
			idx_free(&im);
			idx_free(&lb);
			return -1;
		}
	d->n = d->cap = im.n;
	d->x = im.data, d->y = lb.data;
	return 0;
}

int
dataset_mnist_train(struct dataset *train, struct dataset *val,
    const char *dir, int nval, int limit, char *err, int errlen)
{
	char ip[4096], lp[4096];
	struct dataset all;
	int i, nt;

	snprintf(ip, sizeof(ip), "%s/train-images-idx3-ubyte", dir);
	snprintf(lp, sizeof(lp), "%s/train-labels-idx1-ubyte", dir);
	if (dataset_idx(&all, ip, lp, err, errlen) < 0)
		return -1;
	if (nval >= all.n) {
		dataset_free(&all);
		return seterr(err, errlen, "validation split of %d leaves no "
		    "training images of %d", nval, all.n);
	}
	memset(train, 0, sizeof(*train));
	memset(val, 0, sizeof(*val));
	nt = all.n - nval;
	if (limit > 0 && limit < nt)
		nt = limit;
	for (i = 0; i < nt; i++)
		dataset_add(train, all.x + (size_t)i * PIX, all.y[i]);
	for (i = all.n - nval; i < all.n; i++)
		dataset_add(val, all.x + (size_t)i * PIX, all.y[i]);
	dataset_free(&all);
	return 0;
}

struct img *
dataset_load_image(const char *path, char *err, int errlen)
{
	return decode_file(path, 0, err, errlen);
}

/* Load one labelled image into d; -1 and err if it cannot be read or
 * holds no ink. */
static int
add_file(struct dataset *d, const char *path, int label, char *err,
    int errlen)
{
	unsigned char px[PIX];
	float f[PIX];
	struct img *im;
	long ink;
	int i;

	if ((im = dataset_load_image(path, err, errlen)) == NULL)
		return -1;
	ink = classify_prepare(f, im);
	img_free(im);
	if (ink == 0)
		return seterr(err, errlen, "%s: no ink found", path);
	for (i = 0; i < PIX; i++)
		px[i] = (unsigned char)(f[i] * 255 + 0.5f);
	dataset_add(d, px, label);
	return 0;
}

/* DIR/labels.txt: lines "NAME LABEL", NAME relative to DIR. */
static int
add_list(struct dataset *d, const char *dir, FILE *fp, int nclass,
    char *err, int errlen)
{
	char line[4096], path[8192], *end;
	int added = 0, lineno = 0;
	size_t len;
	long lab;

	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		end = line + len;
		while (end > line && end[-1] != ' ' && end[-1] != '\t')
			end--;
		lab = strtol(end, NULL, 10);
		if (end == line || *end < '0' || *end > '9' || lab >= nclass)
			return seterr(err, errlen, "%s/labels.txt:%d: want "
			    "'NAME LABEL' with LABEL 0..%d", dir, lineno, nclass - 1);
		while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, line);
		if (add_file(d, path, (int)lab, err, errlen) < 0)
			return -1;
		added++;
	}
	return added;
}

/* Files of dir (and of its subfolders named 0..9) labelled by name. */
static int
add_scan(struct dataset *d, const char *dir, const char *sub, int nclass,
    char *err, int errlen)
{
	char path[8192], *base = path;
	struct dirent **ents;
	struct stat st;
	int n, i, added = 0, r, lab;

	snprintf(path, sizeof(path), "%s%s%s", dir, sub ? "/" : "",
	    sub ? sub : "");
	if ((n = scandir(path, &ents, NULL, alphasort)) < 0)
		return seterr(err, errlen, "%s: %s", path, strerror(errno));
	for (i = 0, r = 0; i < n && r >= 0; i++) {
		const char *nm = ents[i]->d_name;

		base = path + strlen(dir) + (sub ? strlen(sub) + 1 : 0);
		snprintf(base, sizeof(path) - (base - path), "/%s", nm);
		if (nm[0] == '.' || stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (sub == NULL && nm[0] >= '0' && nm[0] <= '9' && !nm[1] &&
			    nm[0] - '0' < nclass)
				r = add_scan(d, dir, nm, nclass, err, errlen);
			added += r > 0 ? r : 0;
			continue;
		}
		lab = sub ? sub[0] - '0' : nm[0] >= '0' && nm[0] <= '9' ?
		    nm[0] - '0' : -1;
		if (lab < 0 || lab >= nclass)
			continue;
		if ((r = add_file(d, path, lab, err, errlen)) == 0)
			added++;
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return r < 0 ? -1 : added;
}

int
dataset_add_folder(struct dataset *d, const char *dir, int nclass, char *err,
    int errlen)
{
	char path[8192];
	FILE *fp;
	int r;

	snprintf(path, sizeof(path), "%s/labels.txt", dir);
	if ((fp = fopen(path, "r")) != NULL) {
		r = add_list(d, dir, fp, nclass, err, errlen);
		fclose(fp);
		return r;
	}
	return add_scan(d, dir, NULL, nclass, err, errlen);
}
