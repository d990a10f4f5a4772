/* progress: a one-line progress bar on a terminal */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdio.h>

struct progress {
	FILE *fp;               /* NULL: not a terminal, draw nothing */
	long total;
	double start, last;
	char label[32];
};

/* Draw on fp only if it is a terminal. */
void progress_start(struct progress *p, FILE *fp, const char *label,
    long total);
/* done of total, with a rate unit ("img/s") and a free text (the loss). */
void progress_update(struct progress *p, long done, const char *text);
/* Erase the bar, so that a normal line can follow. */
void progress_clear(struct progress *p);

#endif
