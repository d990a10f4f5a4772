/*
 * web: digits-web's request handling (cmd/digits-web.c: routing, methods,
 * the body kept up to its limit, the image decoded and read, the JSON
 * answer or error), under libmicrohttpd itself: the daemon runs in this
 * process without a listening socket, each input is the raw bytes of what
 * a client sends on one connection (one request or several, kept alive),
 * written into one end of a socket pair whose other end is handed to the
 * daemon.  Built with -DWEB_BODY, the input is the body of a well-formed
 * POST /api/recognize instead, so that the fuzzer spends its time on the
 * images rather than on HTTP.
 */
#define FUZZ_NO_MAIN
#pragma GCC diagnostic ignored "-Wunused-function"  /* main's helpers */
#include "../../cmd/digits-web.c"
#pragma GCC diagnostic warning "-Wunused-function"

#include <errno.h>
#include <fcntl.h>

#include "fuzz.h"

#define MAXBODY 16384           /* -b: smaller than the inputs can be */
#define ROUNDS 100000           /* of the daemon, for one input */
#define NET "maxpool 4; dense 11"   /* the digits and "not a digit" */

static struct server srv;
static struct MHD_Daemon *daemon_;

static void
quiet(void *cls, const char *fmt, va_list ap)
{
	(void)cls, (void)fmt, (void)ap;
}

static void
setup(void)
{
	struct net *net;
	char e[256];

	memset(&srv, 0, sizeof(srv));
	srv.addr = "127.0.0.1", srv.maxbody = MAXBODY, srv.conns = 8;
	srv.jobs = 1, srv.maxpix = FUZZ_MAXPIX, srv.timeout = 30;
	srv.threshold = 0.5f;
	/* as workers_new(), with a net that costs next to nothing to run in
	 * place of the built-in model: the time goes to our code, not to
	 * the convolutions */
	srv.po = xcalloc(srv.jobs, sizeof(*srv.po));
	srv.busy = xcalloc(srv.jobs, 1);
	if ((net = net_new(NET, e, sizeof(e))) == NULL)
		errx(1, "%s", e);
	net_init(net, 1);
	pipeline_defaults(&srv.po[0], net);
	srv.po[0].threshold = srv.threshold;
	srv.po[0].top = TOP;
	if (pthread_mutex_init(&srv.lock, NULL))
		errx(1, "pthread_mutex_init failed");
	signal(SIGPIPE, SIG_IGN);
	daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, handle, &srv,
	    MHD_OPTION_EXTERNAL_LOGGER, quiet, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, srv.conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, srv.timeout,
	    MHD_OPTION_NOTIFY_COMPLETED, done, &srv,
	    MHD_OPTION_END);
	if (daemon_ == NULL)
		errx(1, "MHD_start_daemon failed");
}

/* What the client end receives; an answer our code never gives is a
 * bug: 500 comes only from a failed fmemopen of a non-empty body. */
static void
check_answer(const char *buf, size_t len)
{
	static const char bad[] = " 500 ";
	size_t i;

	for (i = 0; i + sizeof(bad) - 1 <= len; i++)
		if (memcmp(buf + i, "HTTP/1.", 7) == 0 && i + 8 +
		    sizeof(bad) - 1 <= len &&
		    memcmp(buf + i + 8, bad, sizeof(bad) - 1) == 0)
			abort();
}

/* Send in to the daemon on a new connection, the client's side shut
 * once all is written, and run the daemon until it closes its side. */
static void
converse(const uint8_t *in, size_t len)
{
	static char answer[1 << 20];
	struct sockaddr_in sin;
	size_t off = 0, got = 0;
	ssize_t k;
	int sv[2], rounds, shut = 0;
	char tmp[4096];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		err(1, "socketpair");
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(40000);
	if (MHD_add_connection(daemon_, sv[0], (struct sockaddr *)&sin,
	    sizeof(sin)) != MHD_YES)
		errx(1, "MHD_add_connection failed");
	for (rounds = 0; rounds < ROUNDS; rounds++) {
		if (off < len) {
			k = write(sv[1], in + off, len - off);
			if (k > 0)
				off += k;
			else if (k < 0 && errno != EAGAIN)
				off = len;      /* the daemon hung up */
		}
		if (off == len && !shut) {
			shutdown(sv[1], SHUT_WR);
			shut = 1;
		}
		MHD_run(daemon_);
		k = read(sv[1], tmp, sizeof(tmp));
		if (k == 0 || (k < 0 && errno != EAGAIN))
			break;
		if (k > 0 && got + k <= sizeof(answer)) {
			memcpy(answer + got, tmp, k);
			got += k;
		}
	}
	close(sv[1]);
	/* let the daemon see the close and free the connection */
	for (rounds = 0; rounds < 100; rounds++)
		MHD_run(daemon_);
	check_answer(answer, got);
	if (fuzz_verbose())
		fwrite(answer, 1, got, stdout);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef WEB_BODY
	static const char fmt[] = "POST /api/recognize HTTP/1.1\r\n"
	    "Host: fuzz\r\nContent-Length: %zu\r\n\r\n";
	char head[128];
	uint8_t *req;
	int n;
#endif

	if (daemon_ == NULL)
		setup();
#ifdef WEB_BODY
	n = snprintf(head, sizeof(head), fmt, size);
	req = xmalloc(n + size);
	memcpy(req, head, n);
	memcpy(req + n, data, size);
	converse(req, n + size);
	free(req);
#else
	converse(data, size);
#endif
	return 0;
}
