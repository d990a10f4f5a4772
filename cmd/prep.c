/* prep: make photos and scans ready for segment: grey, light flattened,
 * ink found, white ink on black */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "imgio.h"
#include "prep.h"
#include "util.h"

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: prep [-F] [-k k] "
	    "[-o grey|mask] [-P maxpixels] [-p auto|dark|light]\n"
	    "            [-s size] [-t auto|otsu|sauvola] [-w window] "
	    "[file ...]\n");
	exit(status);
}

static int
word(const char *s, const char *const *words, const char *opt)
{
	int i;

	for (i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	errx(2, "%s: bad value '%s'", opt, s);
}

static long
options(struct prep_opts *o, int argc, char **argv, char ***files)
{
	static const char *const outs[] = { "grey", "mask", NULL };
	static const char *const pols[] = { "auto", "dark", "light", NULL };
	static const char *const ths[] = { "auto", "otsu", "sauvola", NULL };
	long maxpix = IMGIO_MAXPIX;
	int ch;

	prep_defaults(o);
	while ((ch = getopt(argc, argv, "FP:hk:o:p:s:t:w:")) != -1)
		switch (ch) {
		case 'F':
			o->flatten = 0;
			break;
		case 'P':
			o->maxpix = maxpix = estrtol(optarg, 1, 2000000000L,
			    "-P");
			break;
		case 'h':
			usage(0);
			break;
		case 'k':
			o->k = estrtod(optarg, 0.01, 1, "-k");
			break;
		case 'o':
			o->output = word(optarg, outs, "-o");
			break;
		case 'p':
			o->polarity = word(optarg, pols, "-p");
			break;
		case 's':
			o->size = estrtol(optarg, 0, 100000, "-s");
			break;
		case 't':
			o->method = word(optarg, ths, "-t");
			break;
		case 'w':
			o->window = estrtol(optarg, 1, 8000, "-w");
			break;
		default:
			usage(2);
		}
	*files = argv + optind;
	return maxpix;
}

/* Every image of one input, prepared, to stdout. */
static void
prep_stream(FILE *fp, const char *name, const struct prep_opts *o,
    long maxpix)
{
	struct decoder d;
	struct img *im, *out;
	int rc;

	decode_open(&d, fp, name);
	d.maxpix = maxpix, d.raise = "-P";
	d.grey = 1;             /* prep_image() makes colour grey first */
	while ((rc = decode_next(&d, &im)) == 1) {
		if (d.warn[0])
			warnx("%s: %s", name, d.warn);
		out = prep_image(im, o);
		if (meta_get(&out->meta, "src") == NULL)
			meta_set(&out->meta, "src", name);
		if (imgio_write(stdout, out) < 0 || fflush(stdout) == EOF)
			err(1, "stdout");
		img_free(out);
		img_free(im);
	}
	decode_close(&d);
	if (rc < 0)
		errx(1, "%s: %s", name, d.err);
}

int
main(int argc, char **argv)
{
	struct prep_opts o;
	char **files;
	long maxpix = options(&o, argc, argv, &files);
	FILE *fp;

	util_std_fds();
	util_keep_memory();
	if (*files == NULL)
		prep_stream(stdin, "stdin", &o, maxpix);
	for (; *files; files++) {
		if (strcmp(*files, "-") == 0) {
			prep_stream(stdin, "stdin", &o, maxpix);
			continue;
		}
		if ((fp = fopen(*files, "rb")) == NULL)
			err(1, "%s", *files);
		prep_stream(fp, *files, &o, maxpix);
		fclose(fp);
	}
	return efshut(stdout, "stdout") ? 1 : 0;
}
