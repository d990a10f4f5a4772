/* progress: a one-line progress bar on a terminal */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

#define WIDTH 24

void
progress_start(struct progress *p, FILE *fp, const char *label, long total)
{
	memset(p, 0, sizeof(*p));
	p->fp = fp && isatty(fileno(fp)) ? fp : NULL;
	p->total = total > 0 ? total : 1;
	p->start = p->last = util_now();
	snprintf(p->label, sizeof(p->label), "%s", label);
}

void
progress_update(struct progress *p, long done, const char *text)
{
	double now = util_now(), el = now - p->start, rate, eta;
	char bar[WIDTH + 1];
	int i, fill;

	if (p->fp == NULL || (now - p->last < 0.1 && done < p->total))
		return;
	p->last = now;
	fill = (int)((double)WIDTH * done / p->total);
	for (i = 0; i < WIDTH; i++)
		bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
	bar[WIDTH] = '\0';
	rate = el > 0 ? done / el : 0;
	eta = rate > 0 ? (p->total - done) / rate : 0;
	fprintf(p->fp, "\r%s [%s] %3d%% %6.0f img/s ETA %d:%02d %s\033[K",
	    p->label, bar, (int)(100.0 * done / p->total), rate,
	    (int)eta / 60, (int)eta % 60, text);
	fflush(p->fp);
}

void
progress_clear(struct progress *p)
{
	if (p->fp) {
		fputs("\r\033[K", p->fp);
		fflush(p->fp);
	}
}
