/* label-crops: label the digits segment cut from pages mkpage made, by
 * the truth of the pages: training samples of the pipeline's own crops.
 * usage: label-crops -b boxes.tsv -o dir [-p prefix] [file ...]
 * Reads digit streams (segment's output; stdin without files) and
 * boxes.tsv (mkpage's: file, line, place, digit, x, y, width, height).
 * Each crop is matched by its box= and the name of its src= to the digit
 * boxes of its page.  It is not a digit (class 10) when it holds half of
 * a second digit's box as well as most of one's, and is a quarter wider
 * than that one: two digits run together.  Else it is that digit when it
 * holds most of one digit's box (60%).  It is not a digit either when it
 * lies mostly (80%) outside every digit's box and is not a thin bar:
 * dirt, paper texture, the rest of a frame.  Anything else is left out:
 * a part of a digit (one missing a detached stroke still looks like
 * itself), and thin bars far from digits (the rest of a ruled line, or
 * a 1: only its place and size can tell, not the crop).  So are crops
 * without ink.
 * Writes dir/PREFIXPAGE-LNN.pgm (the 28x28 crop of line L, place NN)
 * and appends "PREFIXPAGE-LNN.pgm LABEL" to dir/labels.txt, the layout cnn-train -u
 * reads; prints the count of each class and of those left out to
 * stderr. */
#include <err.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "img.h"
#include "imgio.h"
#include "meta.h"
#include "util.h"

struct truth {
	char file[64];
	int digit, x, y, w, h;
};

static struct truth *tr;
static int ntr;
static const char *prefix = "";

static void
usage(void)
{
	fprintf(stderr, "usage: label-crops -b boxes.tsv -o dir [-p prefix] "
	    "[file ...]\n");
	exit(2);
}

static void
load_truth(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	int cap = 0, li, ix, n = 0;
	struct truth t;

	if (fp == NULL)
		err(1, "%s", path);
	while (fgets(line, sizeof(line), fp)) {
		n++;
		if (sscanf(line, "%63s %d %d %d %d %d %d %d", t.file, &li, &ix,
		    &t.digit, &t.x, &t.y, &t.w, &t.h) != 8 || t.digit < 0 ||
		    t.digit > 9 || t.w <= 0 || t.h <= 0)
			errx(1, "%s:%d: want file, line, place, digit, x, y, "
			    "width, height", path, n);
		if (ntr == cap) {
			cap = cap ? 2 * cap : 1024;
			tr = xrealloc(tr, cap * sizeof(*tr));
		}
		tr[ntr++] = t;
	}
	if (ferror(fp))
		err(1, "%s", path);
	fclose(fp);
}

static long
inter(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh)
{
	int x0 = MAX(ax, bx), y0 = MAX(ay, by);
	int x1 = MIN(ax + aw, bx + bw), y1 = MIN(ay + ah, by + bh);

	return x1 > x0 && y1 > y0 ? (long)(x1 - x0) * (y1 - y0) : 0;
}

/* The label of a crop at box b of page file: 0..9, 10 for not a digit,
 * or -1 to leave it out. */
static int
label(const char *file, const int *b)
{
	int i, best = -1;
	double cov, c0 = 0, c1 = 0, in = 0;
	long a;

	for (i = 0; i < ntr; i++) {
		if (strcmp(tr[i].file, file) != 0)
			continue;
		a = inter(b[0], b[1], b[2], b[3], tr[i].x, tr[i].y, tr[i].w,
		    tr[i].h);
		in += a;
		cov = (double)a / ((double)tr[i].w * tr[i].h);
		if (cov > c0)
			c1 = c0, c0 = cov, best = i;
		else
			c1 = MAX(c1, cov);
	}
	if (c1 >= 0.5 && b[2] > 1.25 * tr[best].w)
		return 10;
	if (c0 >= 0.6 && c1 < 0.5)
		return tr[best].digit;
	if (in < 0.2 * (double)b[2] * b[3] && b[2] >= 0.4 * b[3])
		return 10;
	return -1;
}

static int
blank(const struct img *im)
{
	int i;

	for (i = 0; i < im->w * im->h; i++)
		if (im->px[i])
			return 0;
	return 1;
}

static void
crops(FILE *fp, const char *name, const char *dir, FILE *lab, long *count)
{
	struct imgio r;
	struct img *im;
	char page[64], path[4096], tmp[4096], *base, *dot;
	const char *src, *box;
	int k, b[4], rc;
	FILE *out;

	imgio_open(&r, fp, name);
	while ((rc = imgio_read(&r, &im)) == 1) {
		box = meta_get(&im->meta, "box");
		src = meta_get(&im->meta, "src");
		if (box == NULL) {              /* an image without digits */
			img_free(im);
			continue;
		}
		if (src == NULL || sscanf(box, "%d %d %d %d", &b[0], &b[1],
		    &b[2], &b[3]) != 4 || b[2] <= 0 || b[3] <= 0 ||
		    im->w != 28 || im->h != 28 || im->c != 1)
			errx(1, "%s: image %ld: not a digit of segment's stream",
			    name, r.count);
		snprintf(tmp, sizeof(tmp), "%s", src);
		base = basename(tmp);
		if ((k = blank(im) ? -1 : label(base, b)) < 0) {
			count[11]++;
			img_free(im);
			continue;
		}
		snprintf(page, sizeof(page), "%s", base);
		if ((dot = strrchr(page, '.')) != NULL)
			*dot = '\0';
		snprintf(path, sizeof(path), "%s/%s%s-%ld%02ld.pgm", dir, prefix,
		    page, meta_getl(&im->meta, "line", 0),
		    meta_getl(&im->meta, "idx", 0));
		meta_clear(&im->meta);
		if ((out = fopen(path, "wb")) == NULL)
			err(1, "%s", path);
		if (imgio_write(out, im) < 0 || fclose(out) != 0)
			err(1, "%s", path);
		if (fprintf(lab, "%s %d\n", strrchr(path, '/') + 1, k) < 0)
			err(1, "%s/labels.txt", dir);
		count[k]++;
		img_free(im);
	}
	if (rc < 0)
		errx(1, "%s: %s", name, r.err);
}

int
main(int argc, char **argv)
{
	const char *boxes = NULL, *dir = NULL;
	char path[4096];
	long count[12] = { 0 };
	int ch, i;
	FILE *lab, *fp;

	while ((ch = getopt(argc, argv, "b:o:p:")) != -1)
		switch (ch) {
		case 'b':
			boxes = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'p':
			if (strchr(optarg, '/') || strchr(optarg, ' '))
				errx(2, "-p %s: a prefix without / or blanks", optarg);
			prefix = optarg;
			break;
		default:
			usage();
		}
	if (boxes == NULL || dir == NULL)
		usage();
	load_truth(boxes);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		err(1, "%s", dir);
	snprintf(path, sizeof(path), "%s/labels.txt", dir);
	if ((lab = fopen(path, "a")) == NULL)
		err(1, "%s", path);
	if (optind == argc)
		crops(stdin, "stdin", dir, lab, count);
	for (i = optind; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL)
			err(1, "%s", argv[i]);
		crops(fp, argv[i], dir, lab, count);
		fclose(fp);
	}
	if (fclose(lab) != 0)
		err(1, "%s", path);
	fprintf(stderr, "label-crops:");
	for (i = 0; i < 11; i++)
		fprintf(stderr, " %d:%ld", i, count[i]);
	fprintf(stderr, ", left out %ld\n", count[11]);
	return 0;
}
