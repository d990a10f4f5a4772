/* draw: a canvas to draw digits on with the mouse, in a window, written
 * out as PGM images for prep(1) | segment(1) | cnn-infer(1), with the
 * answers shown over the strokes on request */
#include <err.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SDL_MAIN_HANDLED
#include <SDL.h>

#include "draw.h"
#include "imgio.h"
#include "model.h"
#include "pipeline.h"
#include "util.h"
#include "window.h"

#define MAXSIDE 4096            /* -s */
#define MAXTHICK 200            /* -t and the keys */
#define PAPER 255
#define INK 0

struct stroke {
	int first;              /* its first point in the point array */
	float r;                /* the pen's radius */
};

struct canvas {
	int every;              /* -e: write after each stroke */
	int read;               /* -r: read the digits after each stroke */
	float thick;            /* -t and the keys */
	struct img *im;         /* grey, what is written */
	float *pt;              /* x y of every stroke's points, in order */
	int npt, cappt;
	struct stroke *st;
	int nst, capst;
	int pen;                /* a stroke is being drawn */
	struct pipeline_opts po;        /* with -r */
	struct pipeline_result res;     /* the answers for the canvas as it is */
	int answered;           /* res is for the canvas as it is */
	long idx;               /* canvases read */
	SDL_Window *win;
	SDL_Renderer *ren;
	SDL_Texture *tex;
	unsigned char *rgb;     /* what the window shows */
	int dirty;              /* the window is to be drawn again */
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: draw [-ehr] [-m model] "
	    "[-s WxH] [-t thickness]\n");
	exit(status);
}

static struct net *
load(const char *model)
{
	struct net *n;
	char e[512];

	if ((n = model_digits(model, e, sizeof(e))) == NULL)
		errx(1, "%s", e);
	return n;
}

/* "640x360" into w and h, or exit 2. */
static void
size(const char *s, int *w, int *h)
{
	char *x, buf[64];

	snprintf(buf, sizeof(buf), "%s", s);
	if ((x = strchr(buf, 'x')) == NULL)
		errx(2, "-s: bad value: %s", s);
	*x = '\0';
	*w = (int)estrtol(buf, 16, MAXSIDE, "-s");
	*h = (int)estrtol(x + 1, 16, MAXSIDE, "-s");
}

static void
options(struct canvas *c, int argc, char **argv)
{
	const char *model = NULL;
	int ch, w = 640, h = 360;

	memset(c, 0, sizeof(*c));
	c->thick = 14;
	while ((ch = getopt(argc, argv, "ehm:rs:t:")) != -1)
		switch (ch) {
		case 'e':
			c->every = 1;
			break;
		case 'h':
			usage(0);
			break;
		case 'm':
			model = optarg;
			break;
		case 'r':
			c->read = 1;
			break;
		case 's':
			size(optarg, &w, &h);
			break;
		case 't':
			c->thick = (float)estrtod(optarg, 1, MAXTHICK, "-t");
			break;
		default:
			usage(2);
		}
	if (optind < argc)
		usage(2);
	if (c->read)
		pipeline_defaults(&c->po, load(model));
	c->im = img_new(w, h, 1);
	memset(c->im->px, PAPER, (size_t)w * h);
	c->rgb = xmalloc((size_t)w * h * 3);
}

/* Ink from a to b on the canvas, with the pen of radius r. */
static void
pen(struct canvas *c, const float *a, const float *b, float r)
{
	draw_pen(c->im->px, c->im->w, c->im->h, a, b, r, INK, PAPER);
}

/* Paper again, and every stroke drawn on it. */
static void
canvas_render(struct canvas *c)
{
	int s, i, end;

	memset(c->im->px, PAPER, (size_t)c->im->w * c->im->h);
	for (s = 0; s < c->nst; s++) {
		end = s + 1 < c->nst ? c->st[s + 1].first : c->npt;
		pen(c, c->pt + 2 * c->st[s].first, c->pt + 2 * c->st[s].first,
		    c->st[s].r);
		for (i = c->st[s].first + 1; i < end; i++)
			pen(c, c->pt + 2 * (i - 1), c->pt + 2 * i, c->st[s].r);
	}
	c->answered = 0;
	c->dirty = 1;
}

/* A point added to the stroke being drawn, and inked from the last. */
static void
stroke_add(struct canvas *c, int x, int y)
{
	float *p;

	if (c->npt == c->cappt) {
		c->cappt = c->cappt ? 2 * c->cappt : 1024;
		c->pt = xrealloc(c->pt, (size_t)c->cappt * 2 * sizeof(*c->pt));
	}
	p = c->pt + 2 * c->npt++;
	p[0] = x + 0.5f, p[1] = y + 0.5f;
	pen(c, c->npt - 1 > c->st[c->nst - 1].first ? p - 2 : p, p,
	    c->st[c->nst - 1].r);
	c->answered = 0;
	c->dirty = 1;
}

static void
stroke_begin(struct canvas *c, int x, int y)
{
	if (c->nst == c->capst) {
		c->capst = c->capst ? 2 * c->capst : 64;
		c->st = xrealloc(c->st, (size_t)c->capst * sizeof(*c->st));
	}
	c->st[c->nst].first = c->npt;
	c->st[c->nst++].r = c->thick / 2;
	c->pen = 1;
	stroke_add(c, x, y);
}

static void
undo(struct canvas *c)
{
	if (c->nst == 0)
		return;
	c->npt = c->st[--c->nst].first;
	canvas_render(c);
}

static void
clear(struct canvas *c)
{
	c->nst = c->npt = 0;
	canvas_render(c);
}

/* The canvas written to stdout as a PGM, at once.  A reader gone is the
 * end of the work, not an error. */
static void
put(struct canvas *c)
{
	if (imgio_write(stdout, c->im) == 0 && fflush(stdout) == 0)
		return;
	if (errno == EPIPE) {
		SDL_Quit();
		exit(0);
	}
	err(1, "stdout");
}

/* The digits on the canvas read in-process, as prep | segment |
 * cnn-infer reads the PGM put() writes, and named in the title. */
static void
answer(struct canvas *c)
{
	char *text, title[256];
	size_t len;
	FILE *mem;

	free(c->res.d);
	pipeline_image(&c->res, c->im, c->idx++, &c->po);
	if ((mem = open_memstream(&text, &len)) == NULL)
		err(1, "open_memstream");
	classify_plain(mem, c->po.net, c->res.d, c->res.n);
	if (fclose(mem) == EOF)
		err(1, "open_memstream");
	text[strcspn(text, "\n")] = '\0';
	snprintf(title, sizeof(title), text[0] ? "draw: %s" : "draw", text);
	SDL_SetWindowTitle(c->win, title);
	free(text);
	c->answered = 1;
	c->dirty = 1;
}

static void
stroke_end(struct canvas *c)
{
	c->pen = 0;
	if (c->every)
		put(c);
	if (c->read)
		answer(c);
}

/* The canvas in the window: the answers over it when they are the
 * canvas's, drawn on a copy and never on the canvas itself. */
static void
present(struct canvas *c)
{
	struct img *pic;
	size_t i, n = (size_t)c->im->w * c->im->h;

	if (c->read && c->answered && c->res.n > 0) {
		pic = img_rgb(c->im);
		draw_answers(pic, c->res.d, c->res.n, c->po.net);
		memcpy(c->rgb, pic->px, n * 3);
		img_free(pic);
	} else {
		for (i = 0; i < n; i++)
			memset(c->rgb + 3 * i, c->im->px[i], 3);
	}
	SDL_UpdateTexture(c->tex, NULL, c->rgb, c->im->w * 3);
	SDL_RenderClear(c->ren);
	SDL_RenderCopy(c->ren, c->tex, NULL, NULL);
	SDL_RenderPresent(c->ren);
	c->dirty = 0;
}

static void
no_window(const char *why)
{
	errx(1, "cannot open a window: %s", why);
}

/* SDL's video, or the reason there is none. */
static void
open_sdl(void)
{
	char why[256];

	if (window_open(why, sizeof(why)) < 0)
		no_window(why);
}

/* A window as large as the canvas, in which the mouse's coordinates are
 * the canvas's pixels. */
static void
view_open(struct canvas *c)
{
	int w = c->im->w, h = c->im->h;

	/* a click that gives the window the focus starts a stroke too */
	SDL_SetHint(SDL_HINT_MOUSE_FOCUS_CLICKTHROUGH, "1");
	open_sdl();
	c->win = SDL_CreateWindow("draw", SDL_WINDOWPOS_UNDEFINED,
	    SDL_WINDOWPOS_UNDEFINED, w, h, 0);
	if (c->win == NULL ||
	    (c->ren = SDL_CreateRenderer(c->win, -1, 0)) == NULL)
		no_window(SDL_GetError());
	c->tex = SDL_CreateTexture(c->ren, SDL_PIXELFORMAT_RGB24,
	    SDL_TEXTUREACCESS_STREAMING, w, h);
	if (c->tex == NULL || SDL_RenderSetLogicalSize(c->ren, w, h) < 0)
		errx(1, "cannot show a canvas of %dx%d: %s", w, h,
		    SDL_GetError());
	SDL_SetRenderDrawColor(c->ren, PAPER, PAPER, PAPER, 255);
	c->dirty = 1;
}

/* A key: 1 to quit, else 0.  While the left button is held only the
 * keys that quit count, lest a stroke be undone half drawn. */
static int
key(struct canvas *c, const SDL_KeyboardEvent *k)
{
	switch (k->keysym.sym) {
	case SDLK_q:
	case SDLK_ESCAPE:
		return 1;
	}
	if (c->pen)
		return 0;
	switch (k->keysym.sym) {
	case SDLK_RETURN:
	case SDLK_KP_ENTER:
		put(c);
		break;
	case SDLK_c:
	case SDLK_DELETE:
		clear(c);
		break;
	case SDLK_u:
		undo(c);
		break;
	case SDLK_z:
		if (k->keysym.mod & KMOD_CTRL)
			undo(c);
		break;
	case SDLK_PLUS:
	case SDLK_EQUALS:
	case SDLK_KP_PLUS:
		c->thick = MIN(MAXTHICK, c->thick + 2);
		break;
	case SDLK_MINUS:
	case SDLK_KP_MINUS:
		c->thick = MAX(1, c->thick - 2);
		break;
	}
	if (c->read && !c->answered && !c->pen)
		answer(c);
	return 0;
}

/* One event: 1 to quit, else 0. */
static int
event(struct canvas *c, const SDL_Event *ev)
{
	switch (ev->type) {
	case SDL_QUIT:
		return 1;
	case SDL_KEYDOWN:
		return key(c, &ev->key);
	case SDL_MOUSEBUTTONDOWN:
		if (ev->button.button == SDL_BUTTON_LEFT && !c->pen)
			stroke_begin(c, ev->button.x, ev->button.y);
		break;
	case SDL_MOUSEMOTION:
		if (c->pen)
			stroke_add(c, ev->motion.x, ev->motion.y);
		break;
	case SDL_MOUSEBUTTONUP:
		if (ev->button.button == SDL_BUTTON_LEFT && c->pen) {
			stroke_add(c, ev->button.x, ev->button.y);
			stroke_end(c);
		}
		break;
	case SDL_WINDOWEVENT:
		c->dirty = 1;
		break;
	}
	return 0;
}

/* Events until the user quits; the window drawn again once the events
 * waiting are handled. */
static void
run(struct canvas *c)
{
	SDL_Event ev;

	for (;;) {
		if (c->dirty)
			present(c);
		if (!SDL_WaitEvent(&ev))
			errx(1, "%s", SDL_GetError());
		do {
			if (event(c, &ev))
				return;
		} while (SDL_PollEvent(&ev));
	}
}

int
main(int argc, char **argv)
{
	struct canvas c;
	int status;

	util_std_fds();
	options(&c, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	SDL_SetMainReady();
	view_open(&c);
	run(&c);
	SDL_Quit();
	status = efshut(stdout, "stdout") ? 1 : 0;
	if (c.read)
		net_free(c.po.net);
	free(c.res.d);
	free(c.pt);
	free(c.st);
	free(c.rgb);
	img_free(c.im);
	return status;
}
