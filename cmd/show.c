/* show: read the digits of pictures and show them: a box around each
 * digit and the answer over it, in a window or as a PPM stream */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SDL_MAIN_HANDLED
#include <SDL.h>

#include "decode.h"
#include "draw.h"
#include "imgio.h"
#include "model.h"
#include "pipeline.h"
#include "util.h"
#include "window.h"

#define MAXW 1280               /* a larger picture is shown smaller */
#define MAXH 960

enum { PICTURE, END };          /* what the reader's events say */

struct show {
	struct pipeline_opts po;
	char **files;
	const char *out;        /* -o */
	FILE *ofp;
	long idx;               /* images so far */
	/* with a window, a thread reads, and the main thread shows */
	SDL_mutex *lock;        /* held while a line is printed and handed */
	struct img *pic;        /* the newest picture not taken yet, or NULL */
	char *text;             /* its line */
	Uint32 event;           /* the reader's event type */
};

struct view {
	SDL_Window *win;
	SDL_Renderer *ren;
	SDL_Texture *tex;
	int w, h;               /* the texture's size */
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: show [-m model] [-o file] "
	    "[-t threshold] [file ...]\n");
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

static void
options(struct show *s, int argc, char **argv)
{
	const char *model = NULL;
	float threshold = 0.5f;
	int ch;

	memset(s, 0, sizeof(*s));
	while ((ch = getopt(argc, argv, "hm:o:t:")) != -1)
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'm':
			model = optarg;
			break;
		case 'o':
			s->out = optarg;
			break;
		case 't':
			threshold = estrtod(optarg, 0, 1, "-t");
			break;
		default:
			usage(2);
		}
	s->files = argv + optind;
	pipeline_defaults(&s->po, load(model));
	s->po.threshold = threshold;
}

/* One image read: its answers drawn over a colour copy, and in *text
 * the line cnn-infer would print (malloc'ed). */
static struct img *
answer(struct show *s, const struct img *im, const char *name, char **text)
{
	struct pipeline_result r;
	struct img *pic;
	size_t len;
	FILE *mem;

	if (pipeline_image(&r, im, s->idx++, &s->po) < 0)
		errx(1, "%s: more than %d pieces of ink: not a page of digits",
		    name, s->po.seg.maxink);
	if ((mem = open_memstream(text, &len)) == NULL)
		err(1, "open_memstream");
	classify_plain(mem, s->po.net, r.d, r.n);
	if (fclose(mem) == EOF)
		err(1, "open_memstream");
	pic = img_rgb(im);
	draw_answers(pic, r.d, r.n, s->po.net);
	free(r.d);
	return pic;
}

static void
print(const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF)
		err(1, "stdout");
}

/* The line printed; the picture written to -o's file, or handed to the
 * main thread, replacing one it has not taken yet. */
static void
deliver(struct show *s, struct img *pic, char *text)
{
	SDL_Event ev;

	if (s->ofp) {
		print(text);
		if (imgio_write(s->ofp, pic) < 0 || fflush(s->ofp) == EOF)
			err(1, "%s", s->out);
		img_free(pic);
		free(text);
		return;
	}
	SDL_LockMutex(s->lock);
	print(text);
	img_free(s->pic);
	free(s->text);
	s->pic = pic, s->text = text;
	memset(&ev, 0, sizeof(ev));
	ev.type = s->event, ev.user.code = PICTURE;
	SDL_PushEvent(&ev);
	SDL_UnlockMutex(s->lock);
}

static void
show_stream(struct show *s, FILE *fp, const char *name)
{
	struct decoder d;
	struct img *im, *pic;
	char *text;
	int rc;

	decode_open(&d, fp, name);
	while ((rc = decode_next(&d, &im)) == 1) {
		if (d.warn[0])
			warnx("%s: %s", name, d.warn);
		pic = answer(s, im, name, &text);
		img_free(im);
		deliver(s, pic, text);
	}
	decode_close(&d);
	if (rc < 0)
		errx(1, "%s: %s", name, d.err);
}

/* Every image of every file, or of stdin; with a window this runs in a
 * thread of its own and says when it is done. */
static int
show_files(void *arg)
{
	struct show *s = arg;
	SDL_Event ev;
	char **f;
	FILE *fp;

	if (*s->files == NULL)
		show_stream(s, stdin, "stdin");
	for (f = s->files; *f; f++) {
		if (strcmp(*f, "-") == 0) {
			show_stream(s, stdin, "stdin");
			continue;
		}
		if ((fp = fopen(*f, "rb")) == NULL)
			err(1, "%s", *f);
		show_stream(s, fp, *f);
		fclose(fp);
	}
	if (s->ofp == NULL) {
		memset(&ev, 0, sizeof(ev));
		ev.type = s->event, ev.user.code = END;
		SDL_PushEvent(&ev);
	}
	return 0;
}

static void
no_window(const char *why)
{
	errx(1, "cannot open a window: %s (use -o)", why);
}

/* SDL's video, or the reason there is none. */
static void
open_sdl(void)
{
	char why[256];

	if (window_open(why, sizeof(why)) < 0)
		no_window(why);
}

/* w x h scaled down, keeping the aspect ratio, to fit MAXW x MAXH. */
static void
fit(int w, int h, int *fw, int *fh)
{
	double k = MIN(1.0, MIN((double)MAXW / w, (double)MAXH / h));

	*fw = MAX(1, (int)(w * k + 0.5));
	*fh = MAX(1, (int)(h * k + 0.5));
}

static void
present(struct view *v)
{
	SDL_SetRenderDrawColor(v->ren, 0, 0, 0, 255);
	SDL_RenderClear(v->ren);
	SDL_RenderCopy(v->ren, v->tex, NULL, NULL);
	SDL_RenderPresent(v->ren);
}

/* A window and a texture for pictures of w x h; the window is made, or
 * resized and centred, to fit them.  The logical size keeps their aspect
 * ratio however the user resizes the window. */
static void
view_size(struct view *v, int w, int h)
{
	int fw, fh;

	fit(w, h, &fw, &fh);
	if (v->win == NULL) {
		v->win = SDL_CreateWindow("show", SDL_WINDOWPOS_UNDEFINED,
		    SDL_WINDOWPOS_UNDEFINED, fw, fh, SDL_WINDOW_RESIZABLE);
		if (v->win == NULL ||
		    (v->ren = SDL_CreateRenderer(v->win, -1, 0)) == NULL)
			no_window(SDL_GetError());
	} else {
		/* centred again, lest a window grown from a small picture's
		 * reach past the screen's edge */
		SDL_SetWindowSize(v->win, fw, fh);
		SDL_SetWindowPosition(v->win, SDL_WINDOWPOS_CENTERED,
		    SDL_WINDOWPOS_CENTERED);
	}
	if (v->tex)
		SDL_DestroyTexture(v->tex);
	v->tex = SDL_CreateTexture(v->ren, SDL_PIXELFORMAT_RGB24,
	    SDL_TEXTUREACCESS_STREAMING, w, h);
	if (v->tex == NULL || SDL_RenderSetLogicalSize(v->ren, w, h) < 0)
		errx(1, "cannot show a picture of %dx%d: %s", w, h,
		    SDL_GetError());
	v->w = w, v->h = h;
}

/* Show the reader's newest picture, if it has not been shown yet. */
static void
take_picture(struct show *s, struct view *v)
{
	struct img *pic;
	char *text, title[256];

	SDL_LockMutex(s->lock);
	pic = s->pic, text = s->text;
	s->pic = NULL, s->text = NULL;
	SDL_UnlockMutex(s->lock);
	if (pic == NULL)
		return;
	if (v->win == NULL || pic->w != v->w || pic->h != v->h)
		view_size(v, pic->w, pic->h);
	SDL_UpdateTexture(v->tex, NULL, pic->px, pic->w * 3);
	text[strcspn(text, "\n")] = '\0';
	snprintf(title, sizeof(title), "show: %s", text);
	SDL_SetWindowTitle(v->win, title);
	present(v);
	img_free(pic);
	free(text);
}

static int
is_quit(const SDL_Event *ev)
{
	return ev->type == SDL_QUIT || (ev->type == SDL_KEYDOWN &&
	    (ev->key.keysym.sym == SDLK_q || ev->key.keysym.sym == SDLK_ESCAPE));
}

/* Show pictures as the reader thread hands them over; at the end of the
 * input keep the last one until the user closes the window.  Quitting
 * while pictures still come ends the program at once. */
static int
show_window(struct show *s)
{
	struct view v = { NULL, NULL, NULL, 0, 0 };
	SDL_Thread *t;
	SDL_Event ev;
	int status;

	if ((s->lock = SDL_CreateMutex()) == NULL ||
	    (s->event = SDL_RegisterEvents(1)) == (Uint32)-1 ||
	    (t = SDL_CreateThread(show_files, "reader", s)) == NULL)
		errx(1, "%s", SDL_GetError());
	SDL_DetachThread(t);
	while (SDL_WaitEvent(&ev) && !is_quit(&ev)) {
		if (ev.type == s->event && ev.user.code == PICTURE)
			take_picture(s, &v);
		else if (ev.type == s->event && v.win == NULL)
			break;          /* no picture at all: nothing to show */
		else if (ev.type == SDL_WINDOWEVENT && v.tex)
			present(&v);
	}
	SDL_LockMutex(s->lock);     /* no line half printed, no event half sent */
	status = efshut(stdout, "stdout") ? 1 : 0;
	SDL_Quit();
	return status;
}

int
main(int argc, char **argv)
{
	struct show s;

	util_std_fds();
	options(&s, argc, argv);
	util_keep_memory();
	if (s.out == NULL) {
		SDL_SetMainReady();
		SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
		open_sdl();
		exit(show_window(&s));
	}
	if ((s.ofp = fopen(s.out, "wb")) == NULL)
		err(1, "%s", s.out);
	show_files(&s);
	if (efshut(s.ofp, s.out))
		return 1;
	net_free(s.po.net);
	return efshut(stdout, "stdout") ? 1 : 0;
}
