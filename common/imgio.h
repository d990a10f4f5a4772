/* imgio: streams of netpbm images (PBM, PGM, PPM, plain and raw; PAM)
 * with "# key=value" header comments, read and written by hand because
 * libnetpbm 11.01 drops P5 comments */
#ifndef IMGIO_H
#define IMGIO_H

#include <stdio.h>

#include "img.h"

#define IMGIO_MAXPIX (100L * 1000 * 1000)   /* default pixel limit */

struct imgio {
	FILE *fp;
	const char *name;       /* for messages: file name or "stdin" */
	long maxpix;            /* refuse larger images; 0 means IMGIO_MAXPIX */
	const char *raise;      /* the option that raises maxpix, for the
				 * message ("-P"), or NULL */
	long count;             /* images read so far */
	char err[256];          /* why the last imgio_read returned -1 */
};

/* Start reading the stream fp, called name in messages. */
void imgio_open(struct imgio *r, FILE *fp, const char *name);
/* Read the next image of the stream: 1 and *out set (the caller frees it
 * with img_free), 0 at the clean end of the stream (an empty stream is
 * valid), -1 on bad or truncated data with r->err set ("truncated raster",
 * "bad magic", "image of 60000x60000 pixels exceeds the limit of ...").
 * PBM becomes grey (ink black = 0), PGM grey, PPM RGB; samples are scaled
 * from maxval to 0..255 (16-bit PGM and PPM are accepted). PAM (P7) of
 * DEPTH 1 (GRAYSCALE, BLACKANDWHITE) becomes grey, 3 (RGB) RGB; DEPTH 2
 * (GRAYSCALE_ALPHA) and 4 (RGB_ALPHA) are composited over white. Comments
 * of the form "# key=value" land in (*out)->meta; other comments are
 * ignored. */
int imgio_read(struct imgio *r, struct img **out);
/* Write im as raw PGM (c == 1) or PPM (c == 3), maxval 255, with one
 * "# key=value" line per metadata pair after the magic. 0, or -1 with
 * errno set on a write error. */
int imgio_write(FILE *fp, const struct img *im);

#endif
