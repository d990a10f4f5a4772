/* classify: one digit image to the net's answer, and the answers printed
 * the ways cnn-infer(1) documents (plain, TSV, JSON) */
#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stdio.h>

#include "img.h"
#include "net.h"

#define CLASSIFY_TOP 10         /* most answers kept per digit */

struct guess {
	int cls;
	float p;
};

struct digit {
	long img;               /* index of the source image in the stream */
	int line, idx;          /* line of writing, index within the line */
	int box[4];             /* x y w h in source pixels */
	struct guess top[CLASSIFY_TOP];   /* best first */
	int ntop;
	int cls;                /* the answer (classify_answer()) */
	float conf;             /* and its confidence */
	int blank;              /* no ink: prints as '?' whatever the net says */
	int reject;             /* blank, not a digit, or the answer's
	                         * confidence below the threshold: '?' */
};

/* An image of one digit in the net's input form (28x28, 0..1, white ink
 * on black): grey; inverted when its border is light; used as it is when
 * 28x28 (taken as normalised already), else normalised the MNIST way
 * (norm.h).  Returns the ink pixels found: 0 for a blank image. */
long classify_prepare(float *out, const struct img *im);
/* Below this confidence the net takes a second look (classify_infer). */
#define CLASSIFY_UNSURE 0.8f

/* The net's class probabilities prob (count, nclass) for images (count,
 * 28x28, as classify_prepare() makes them): a digit whose answer it is
 * unsure of (confidence below CLASSIFY_UNSURE) is read again in eight
 * views, shifted a pixel each way, 10% larger and smaller, turned 8.6
 * degrees each way: which digit it is becomes the mean over the nine of
 * each digit's share of the digits' probability; whether it is a digit
 * at all ("not a digit", '?') stays the first look's.  A net whose input
 * is not 28x28 gets one look. */
void classify_infer(struct net *n, float *prob, const float *images,
    int count);
/* The net's answer for class probabilities prob, and its confidence in
 * *conf.  With a "not a digit" class (labelled '?'): that class when its
 * probability is 0.5 or more, with that probability; else the best of the
 * other classes, with its share of their probability (its own over one
 * less the '?' class's).  Without: the best class and its probability. */
int classify_answer(const struct net *n, const float *prob, float *conf);
/* Fill d->top with the k best classes of prob, d->cls and d->conf with
 * the answer, and set d->reject. */
void classify_top(struct digit *d, const struct net *n, const float *prob,
    int k, float threshold);
/* The character d prints as: its label, or '?' if rejected. */
int classify_char(const struct net *n, const struct digit *d);
/* One source image's digits (in reading order) as a line of text: lines
 * of writing separated by one space. */
void classify_plain(FILE *fp, const struct net *n, const struct digit *d,
    int cnt);
/* One TSV row per digit: image, line, index, x, y, w, h, digit,
 * confidence, then the runners-up and their confidences. */
void classify_tsv(FILE *fp, const struct net *n, const struct digit *d,
    int cnt);
/* A JSON string: quotes, backslashes and control characters escaped. */
void classify_json_string(FILE *fp, const char *s);
/* The members "text" (the line classify_plain prints) and "digits" (each
 * with its line, index, box, digit, confidence and top guesses), for a
 * JSON object the caller opens and closes. */
void classify_json_digits(FILE *fp, const struct net *n,
    const struct digit *d, int cnt);
/* One JSON object on one line for a source image. */
void classify_json(FILE *fp, const struct net *n, long img, const char *src,
    const struct digit *d, int cnt);

#endif
