/* decode: the images a program is given, whatever their format: netpbm
 * streams (through imgio), PNG (libpng) and JPEG (libjpeg) */
#ifndef DECODE_H
#define DECODE_H

#include <stdio.h>

#include "img.h"
#include "imgio.h"

enum { DECODE_PNM = 1, DECODE_PNG, DECODE_JPEG };

struct decoder {
	FILE *fp;
	const char *name;       /* for messages: file name or "stdin" */
	long maxpix;            /* refuse larger images; 0 means IMGIO_MAXPIX */
	const char *raise;      /* the option that raises maxpix, for the
				 * message ("-P"), or NULL */
	int scale_denom;        /* JPEG only: decode at 1/1, 1/2, 1/4 or 1/8 */
	int grey;               /* JPEG only: colour (YCbCr) as its luma Y,
				 * a grey image (c == 1) */
	long count;             /* images read so far */
	int kind;               /* of the last image: DECODE_PNM, _PNG, _JPEG */
	char err[256];          /* why the last decode_next returned -1 */
	char warn[256];         /* JPEG: libjpeg's first warning about the
				 * last image ("Premature end of JPEG
				 * file"), or "" */
	/* private */
	struct imgio io;
	int done;
};

/* Start reading the stream fp, called name in messages. No seeking is
 * done: fp may be a pipe. */
void decode_open(struct decoder *d, FILE *fp, const char *name);
/*
 * The next image of the stream: 1 and *out (the caller frees it with
 * img_free), 0 at the clean end (an empty stream is valid: zero images),
 * -1 and d->err on bad data. The first bytes tell the kind: a PNM or PAM
 * stream holds any number of images, read by imgio to its end (anything
 * else after them is bad data); a PNG or a JPEG is one image and ends the
 * stream (bytes after it are ignored). Grey images come as c == 1, colour
 * (palette, CMYK too) as c == 3; alpha is composited over white, 16-bit
 * samples are scaled to 8. A JPEG is turned upright as its EXIF
 * Orientation tag says; with scale_denom above 1 it is decoded that many
 * times smaller (PNM and PNG keep their size; the pixel limit counts the
 * full size). A JPEG whose data ends early is accepted, its missing rows
 * grey, with d->warn set, unless no row at all could be decoded; a
 * truncated PNG is refused.
 */
int decode_next(struct decoder *d, struct img **out);
/* Release private state; fp is not closed. */
void decode_close(struct decoder *d);
/* The first image of the file at path, maxpix as in struct decoder; NULL
 * and "path: why" in err on failure. */
struct img *decode_file(const char *path, long maxpix, char *err, int errlen);

#endif
