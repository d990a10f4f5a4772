/* digits-web: the pipeline as a web page and a JSON API, on
 * libmicrohttpd: POST /api/recognize takes an image, answers its digits */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "decode.h"
#include "model.h"
#include "pipeline.h"
#include "util.h"

#define TOP 3                   /* guesses answered per digit */
#define JSON "application/json"

/* The page, cmd/digits-web.html, inside the program (as common/builtin.S
 * holds the model); the path is the build's, from the top of the tree. */
__asm__(".section .rodata\n"
    ".globl web_page\n.globl web_page_end\n"
    "web_page:\n.incbin \"cmd/digits-web.html\"\n"
    "web_page_end:\n.byte 0\n.previous");
extern const char web_page[], web_page_end[];

/*
 * The nets are not safe to share: netrun_infer builds its folded copy on
 * first use and keeps per-thread buffers indexed by OpenMP thread number,
 * which every connection thread would see as 0.  So each of the -j
 * workers has a net of its own; a request takes a free one or gets 503.
 */
struct server {
	const char *addr;       /* -a */
	size_t maxbody;         /* -b */
	unsigned conns;         /* -c */
	int jobs;               /* -j */
	const char *model;      /* -m */
	long maxpix;            /* -P */
	int port;               /* -p */
	unsigned timeout;       /* -T, seconds */
	float threshold;        /* -t */
	pthread_mutex_t lock;   /* guards busy */
	struct pipeline_opts *po;       /* jobs of them, a net each */
	char *busy;
};

struct request {
	char *buf;              /* the body so far */
	size_t len, cap;
	double start;           /* when its headers came */
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: digits-web [-P pixels] "
	    "[-T seconds] [-a address] [-b bytes] [-c connections] [-j jobs]\n"
	    "                  [-m model] [-p port] [-t threshold]\n");
	exit(status);
}

static void
options(struct server *s, int argc, char **argv)
{
	int ch;

	memset(s, 0, sizeof(*s));
	s->addr = "127.0.0.1", s->maxbody = 20L << 20, s->conns = 64;
	s->jobs = (int)MAX(1, MIN(64, sysconf(_SC_NPROCESSORS_ONLN)));
	s->maxpix = IMGIO_MAXPIX, s->port = 8080, s->timeout = 30;
	s->threshold = 0.5f;
	while ((ch = getopt(argc, argv, "P:T:a:b:c:hj:m:p:t:")) != -1)
		switch (ch) {
		case 'P':
			s->maxpix = estrtol(optarg, 1, 2000000000L, "-P");
			break;
		case 'T':
			s->timeout = estrtol(optarg, 1, 86400, "-T");
			break;
		case 'a':
			s->addr = optarg;
			break;
		case 'b':
			s->maxbody = estrtol(optarg, 1, 1L << 30, "-b");
			break;
		case 'c':
			s->conns = estrtol(optarg, 1, 10000, "-c");
			break;
		case 'h':
			usage(0);
			break;
		case 'j':
			s->jobs = estrtol(optarg, 1, 256, "-j");
			break;
		case 'm':
			s->model = optarg;
			break;
		case 'p':
			s->port = estrtol(optarg, 0, 65535, "-p");
			break;
		case 't':
			s->threshold = estrtod(optarg, 0, 1, "-t");
			break;
		default:
			usage(2);
		}
	if (optind != argc)
		usage(2);
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

/* A net and options for each worker. */
static void
workers_new(struct server *s)
{
	int i;

	s->po = xcalloc(s->jobs, sizeof(*s->po));
	s->busy = xcalloc(s->jobs, 1);
	for (i = 0; i < s->jobs; i++) {
		pipeline_defaults(&s->po[i], load(s->model));
		s->po[i].threshold = s->threshold;
		s->po[i].top = TOP;
	}
	if (pthread_mutex_init(&s->lock, NULL))
		errx(1, "pthread_mutex_init failed");
}

/* A free worker's number, or -1 when all are busy. */
static int
worker_take(struct server *s)
{
	int i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->jobs && s->busy[i]; i++)
		;
	if (i < s->jobs)
		s->busy[i] = 1;
	pthread_mutex_unlock(&s->lock);
	return i < s->jobs ? i : -1;
}

static void
worker_give(struct server *s, int i)
{
	pthread_mutex_lock(&s->lock);
	s->busy[i] = 0;
	pthread_mutex_unlock(&s->lock);
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status, const char *type,
    void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
		    "GET, HEAD, POST");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A memstream's text, once it is closed, as the body of a reply. */
static enum MHD_Result
reply_mem(struct MHD_Connection *c, unsigned status, FILE *mem, char **text,
    size_t *len)
{
	if (fclose(mem) == EOF)
		return MHD_NO;
	return reply(c, status, JSON, *text, *len, MHD_RESPMEM_MUST_FREE);
}

/* {"error":"why"}, with the status. */
static enum MHD_Result
fail(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	char why[512], *text;
	size_t len;
	va_list ap;
	FILE *mem;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if ((mem = open_memstream(&text, &len)) == NULL)
		return MHD_NO;
	fputs("{\"error\":", mem);
	classify_json_string(mem, why);
	fputs("}\n", mem);
	return reply_mem(c, status, mem, &text, &len);
}

/* The answer as JSON: the image's size, its text (as cnn-infer prints
 * it), and each digit with its box and its best guesses. */
static void
answer_json(FILE *fp, const struct net *n, const struct img *im,
    const struct pipeline_result *r, const char *warn, double ms)
{
	fprintf(fp, "{\"width\":%d,\"height\":%d,", im->w, im->h);
	classify_json_digits(fp, n, r->d, r->n);
	if (warn[0]) {
		fputs(",\"warning\":", fp);
		classify_json_string(fp, warn);
	}
	fprintf(fp, ",\"ms\":%.1f}\n", ms);
}

/* Decode the body and read its digits with worker w's net. */
static enum MHD_Result
recognize_with(struct server *s, struct MHD_Connection *c,
    struct request *rq, int w)
{
	struct pipeline_result r;
	struct decoder d;
	struct img *im;
	char *text;
	size_t len;
	FILE *fp, *mem;
	int rc;

	if ((fp = fmemopen(rq->buf, rq->len, "rb")) == NULL)
		return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "fmemopen failed");
	decode_open(&d, fp, "body");
	d.maxpix = s->maxpix;
	rc = decode_next(&d, &im);
	decode_close(&d);
	fclose(fp);
	if (rc < 0)
		return fail(c, strstr(d.err, "exceeds the limit") ?
		    MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST, "%s", d.err);
	if (rc == 0)
		return fail(c, MHD_HTTP_BAD_REQUEST, "no image in the body");
	if (pipeline_image(&r, im, 0, &s->po[w]) < 0) {
		free(r.d);
		img_free(im);
		return fail(c, MHD_HTTP_CONTENT_TOO_LARGE, "more than %d pieces "
		    "of ink: not a page of digits", s->po[w].seg.maxink);
	}
	if ((mem = open_memstream(&text, &len)) == NULL) {
		free(r.d);
		img_free(im);
		return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory for the answer");
	}
	answer_json(mem, s->po[w].net, im, &r, d.warn,
	    (util_now() - rq->start) * 1000);
	free(r.d);
	img_free(im);
	return reply_mem(c, MHD_HTTP_OK, mem, &text, &len);
}

static enum MHD_Result
recognize(struct server *s, struct MHD_Connection *c, struct request *rq)
{
	enum MHD_Result ret;
	int w;

	if (rq->len == 0)
		return fail(c, MHD_HTTP_BAD_REQUEST, "empty body: POST an image");
	if (rq->len > s->maxbody)
		return fail(c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "body larger than %zu bytes", s->maxbody);
	if (util_now() - rq->start > s->timeout)
		return fail(c, MHD_HTTP_REQUEST_TIMEOUT,
		    "request took longer than %u seconds", s->timeout);
	if ((w = worker_take(s)) < 0)
		return fail(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy: all %d jobs are reading images", s->jobs);
	ret = recognize_with(s, c, rq, w);
	worker_give(s, w);
	return ret;
}

/* Keep a piece of the body; past the limit only its length is counted. */
static void
take(struct server *s, struct request *rq, const char *data, size_t n)
{
	if (rq->len + n <= s->maxbody) {
		if (rq->len + n > rq->cap) {
			rq->cap = MIN(s->maxbody, MAX(rq->cap * 2, rq->len + n));
			rq->buf = xrealloc(rq->buf, rq->cap);
		}
		memcpy(rq->buf + rq->len, data, n);
	}
	rq->len = rq->len + n > s->maxbody ? s->maxbody + 1 : rq->len + n;
}

static enum MHD_Result
health(struct server *s, struct MHD_Connection *c)
{
	char *text;
	size_t len;
	FILE *mem;
	int i, busy = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->jobs; i++)
		busy += s->busy[i];
	pthread_mutex_unlock(&s->lock);
	if ((mem = open_memstream(&text, &len)) == NULL)
		return MHD_NO;
	fprintf(mem, "{\"status\":\"ok\",\"jobs\":%d,\"busy\":%d,"
	    "\"max_bytes\":%zu,\"max_pixels\":%ld,\"timeout\":%u}\n",
	    s->jobs, busy, s->maxbody, s->maxpix, s->timeout);
	return reply_mem(c, MHD_HTTP_OK, mem, &text, &len);
}

/* The first call for a request: GETs answered at once, a POST to the
 * API started. */
static enum MHD_Result
route(struct server *s, struct MHD_Connection *c, const char *url,
    const char *method, void **con_cls)
{
	int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	struct request *rq;

	if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
		return get ? reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
		    (void *)web_page, web_page_end - web_page,
		    MHD_RESPMEM_PERSISTENT) :
		    fail(c, MHD_HTTP_METHOD_NOT_ALLOWED, "%s: use GET", method);
	if (!strcmp(url, "/api/health"))
		return get ? health(s, c) :
		    fail(c, MHD_HTTP_METHOD_NOT_ALLOWED, "%s: use GET", method);
	if (strcmp(url, "/api/recognize"))
		return fail(c, MHD_HTTP_NOT_FOUND, "%s: no such page", url);
	if (strcmp(method, "POST"))
		return fail(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "%s: POST the image", method);
	/* a body too large is read to its end (-T bounds it) and dropped,
	 * as clients that send it all before they read see the 413 only so */
	rq = xcalloc(1, sizeof(*rq));
	rq->start = util_now();
	*con_cls = rq;
	return MHD_YES;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *size, void **con_cls)
{
	struct server *s = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (rq == NULL)
		return route(s, c, url, method, con_cls);
	if (*size > 0) {
		take(s, rq, data, *size);
		*size = 0;
		/* libmicrohttpd cannot answer before the body's end: one
		 * trickled in for longer than -T is cut off unanswered */
		return util_now() - rq->start > s->timeout ? MHD_NO : MHD_YES;
	}
	return recognize(s, c, rq);
}

static void
done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode why)
{
	struct request *rq = *con_cls;

	(void)cls, (void)c, (void)why;
	if (rq) {
		free(rq->buf);
		free(rq);
		*con_cls = NULL;
	}
}

/* libmicrohttpd's messages, as ours. */
static void
logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("digits-web: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (*fmt == '\0' || fmt[strlen(fmt) - 1] != '\n')
		putc('\n', stderr);
}

/* The address -a names, IPv4 or IPv6, with the port; 1 for IPv6. */
static int
address(struct server *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s->addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(s->port);
		return 0;
	}
	if (inet_pton(AF_INET6, s->addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(s->port);
		return 1;
	}
	errx(2, "-a: %s: not an IPv4 or IPv6 address", s->addr);
}

static struct MHD_Daemon *
start(struct server *s)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	int v6 = address(s, &ss);

	if (v6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, s->port, NULL, NULL, handle, s,
	    MHD_OPTION_EXTERNAL_LOGGER, logger, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, s->conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, s->timeout,
	    MHD_OPTION_NOTIFY_COMPLETED, done, s,
	    MHD_OPTION_END);
	if (d == NULL)
		errx(1, "cannot listen on %s port %d", s->addr, s->port);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "digits-web: listening on http://%s%s%s:%u/\n",
	    v6 ? "[" : "", s->addr, v6 ? "]" : "",
	    info ? info->port : (unsigned)s->port);
	return d;
}

/* A fuzz harness includes this file for handle() and done(), with
 * FUZZ_NO_MAIN defined (tests/fuzz/web.c). */
#ifndef FUZZ_NO_MAIN
int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	struct server s;
	sigset_t set;
	int sig, i;

	util_std_fds();
	options(&s, argc, argv);
	workers_new(&s);
	/* every thread started from here on leaves the signals to sigwait */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		errx(1, "pthread_sigmask failed");
	signal(SIGPIPE, SIG_IGN);
	d = start(&s);
	if (sigwait(&set, &sig))
		errx(1, "sigwait failed");
	MHD_stop_daemon(d);
	for (i = 0; i < s.jobs; i++)
		net_free(s.po[i].net);
	free(s.po);
	free(s.busy);
	return 0;
}
#endif
