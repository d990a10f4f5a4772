/* segment: find the digits of prepared images, in reading order, and
 * write each as a 28x28 PGM normalised the MNIST way */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draw.h"
#include "imgio.h"
#include "model.h"
#include "segment.h"
#include "util.h"

struct opts {
	struct seg_opts seg;
	const char *debug, *model;
	long maxpix;
	FILE *dfp;
	long img;               /* source images so far */
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: segment [-kLS] [-d debug.ppm] "
	    "[-m model] [-n maxink] [-P maxpixels] [-s minsize]\n"
	    "               [file ...]\n");
	exit(status);
}

static char **
options(struct opts *o, int argc, char **argv)
{
	int ch;

	memset(o, 0, sizeof(*o));
	segment_defaults(&o->seg);
	o->maxpix = IMGIO_MAXPIX;
	while ((ch = getopt(argc, argv, "LP:Sd:hkm:n:s:")) != -1)
		switch (ch) {
		case 'L':
			o->seg.lines = 0;
			break;
		case 'P':
			o->maxpix = estrtol(optarg, 1, 2000000000L, "-P");
			break;
		case 'S':
			o->seg.split = 0;
			break;
		case 'd':
			o->debug = optarg;
			break;
		case 'h':
			usage(0);
			break;
		case 'k':
			o->seg.keep = 1;
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'n':
			o->seg.maxink = (int)estrtol(optarg, 1, 100000000L, "-n");
			break;
		case 's':
			o->seg.minsize = estrtod(optarg, 0, 1, "-s");
			break;
		default:
			usage(2);
		}
	return argv + optind;
}

static const unsigned char palette[6][3] = {
	{ 255, 64, 64 }, { 64, 220, 64 }, { 80, 140, 255 },
	{ 255, 200, 0 }, { 255, 64, 255 }, { 0, 220, 220 }
};

/* What segment did, as a picture: the prepared image dimmed, a box of
 * its line's colour and the reading order over each digit, and below,
 * the 28x28 digits the classifier will see, twice their size. */
static struct img *
picture(const struct img *im, const struct seg_result *r)
{
	int cell = 60, w = MAX(im->w, MIN(r->n, 40) * cell), rows, i, s, x, y;
	struct img *pic;
	char num[16];

	rows = (r->n + w / cell - 1) / (w / cell);
	pic = img_new(w, im->h + rows * (cell + 12) + 4, 3);
	for (i = 0; i < im->w * im->h; i++)
		memset(pic->px + ((size_t)(i / im->w) * w + i % im->w) * 3,
		    im->px[i] / 2, 3);
	s = MAX(1, (int)r->height / 30);
	for (i = 0; i < r->n; i++) {
		const struct seg_digit *d = &r->d[i];

		draw_box(pic, d->x - 2, d->y - 2, d->w + 4, d->h + 4, MAX(1, s / 2),
		    palette[d->line % 6]);
		snprintf(num, sizeof(num), "%d", i);
		draw_text(pic, d->x, MAX(0, d->y - 6 * s - 3), s, num,
		    palette[d->line % 6]);
		x = (i % (w / cell)) * cell + 2;
		y = im->h + 4 + (i / (w / cell)) * (cell + 12);
		draw_grey(pic, x, y, 2, d->px, 28, 28);
		draw_text(pic, x, y + 58, 1, num, palette[d->line % 6]);
	}
	return pic;
}

static void
put(struct img *im)
{
	if (imgio_write(stdout, im) < 0)
		err(1, "stdout");
	img_free(im);
}

/* One source image's digits, or a marker saying it has none. */
static void
write_digits(const struct img *src, const struct seg_result *r, long idx)
{
	const char *name = meta_get(&src->meta, "src");
	const char *sc = meta_get(&src->meta, "scale");
	double scale = sc ? strtod(sc, NULL) : 1;
	struct img *im;
	int i, j;

	if (!(scale > 0))
		scale = 1;
	for (i = 0; i < MAX(r->n, 1); i++) {
		const struct seg_digit *d = &r->d[i];

		im = img_new(r->n ? 28 : 1, r->n ? 28 : 1, 1);
		meta_setf(&im->meta, "img", "%ld", idx);
		if (name)
			meta_set(&im->meta, "src", name);
		meta_setf(&im->meta, "count", "%d", r->n);
		if (r->n == 0) {
			put(im);
			break;
		}
		meta_setf(&im->meta, "line", "%d", d->line);
		meta_setf(&im->meta, "idx", "%d", d->idx);
		meta_setf(&im->meta, "box", "%d %d %d %d", (int)(d->x / scale),
		    (int)(d->y / scale), (int)(d->w / scale + 0.5),
		    (int)(d->h / scale + 0.5));
		for (j = 0; j < 28 * 28; j++)
			im->px[j] = (unsigned char)(d->px[j] * 255 + 0.5f);
		put(im);
	}
	if (fflush(stdout) == EOF)
		err(1, "stdout");
}

static void
segment_stream(struct opts *o, FILE *fp, const char *name)
{
	struct seg_result r;
	struct imgio io;
	struct img *im, *g;
	int rc;

	imgio_open(&io, fp, name);
	io.maxpix = o->maxpix, io.raise = "-P";
	while ((rc = imgio_read(&io, &im)) == 1) {
		g = img_grey(im);
		img_free(im);
		if (segment_image(&r, g, &o->seg) < 0)
			errx(1, "%s: more than %d pieces of ink: not a page of "
			    "digits (-n raises the limit)", name, o->seg.maxink);
		write_digits(g, &r, o->img++);
		if (o->dfp && imgio_write(o->dfp, (im = picture(g, &r))) < 0)
			err(1, "%s", o->debug);
		if (o->dfp)
			img_free(im);
		free(r.d);
		img_free(g);
	}
	if (rc < 0)
		errx(1, "%s: %s", name, io.err);
}

int
main(int argc, char **argv)
{
	struct opts o;
	char **files = options(&o, argc, argv), e[512];
	FILE *fp;

	util_std_fds();
	util_keep_memory();
	if ((o.seg.net = model_digits(o.model, e, sizeof(e))) == NULL)
		errx(1, "%s", e);
	if (o.debug && (o.dfp = fopen(o.debug, "wb")) == NULL)
		err(1, "%s", o.debug);
	if (*files == NULL)
		segment_stream(&o, stdin, "stdin");
	for (; *files; files++) {
		if (strcmp(*files, "-") == 0) {
			segment_stream(&o, stdin, "stdin");
			continue;
		}
		if ((fp = fopen(*files, "rb")) == NULL)
			err(1, "%s", *files);
		segment_stream(&o, fp, *files);
		fclose(fp);
	}
	if (o.dfp && efshut(o.dfp, o.debug))
		return 1;
	net_free(o.seg.net);
	return efshut(stdout, "stdout") ? 1 : 0;
}
