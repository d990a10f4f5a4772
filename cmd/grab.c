/* grab: frames from a V4L2 camera, through libv4l2, as a PPM or PGM
 * stream */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <unistd.h>

#include <libv4l2.h>
#include <linux/videodev2.h>

#include "img.h"
#include "imgio.h"
#include "util.h"

#define NBUF 4

struct opts {
	const char *dev;
	int w, h, fps, grey, list, verbose;
	long count, skip;       /* frames to write (0: no end), to drop */
	double timeout;         /* seconds to wait for a frame */
};

struct cam {
	int fd;
	const char *dev;
	struct v4l2_format fmt;
	void *buf[NBUF];
	size_t len[NBUF];
	int nbuf, streaming;
};

static volatile sig_atomic_t stop;     /* the signal that asked to stop */
static int gone;                        /* the reader went away */

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: grab [-glv] [-d device] "
	    "[-k skip] [-n count] [-r fps] [-s WxH] [-t timeout]\n");
	exit(status);
}

static void
size_arg(struct opts *o, const char *s)
{
	char *end, *hs;
	long w, h;

	w = strtol(s, &end, 10);
	if (end == s || *end != 'x')
		errx(2, "-s: bad size '%s' (want WxH, as 640x480)", s);
	hs = end + 1;
	h = strtol(hs, &end, 10);
	if (end == hs || *end || w < 1 || h < 1 || w > 16384 || h > 16384)
		errx(2, "-s: bad size '%s' (want WxH, as 640x480)", s);
	o->w = (int)w, o->h = (int)h;
}

static void
options(struct opts *o, int argc, char **argv)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->dev = "/dev/video0", o->w = 640, o->h = 480, o->count = 1;
	o->skip = 5, o->timeout = 5;
	while ((ch = getopt(argc, argv, "d:ghk:ln:r:s:t:v")) != -1)
		switch (ch) {
		case 'd':
			o->dev = optarg;
			break;
		case 'g':
			o->grey = 1;
			break;
		case 'h':
			usage(0);
			break;
		case 'k':
			o->skip = estrtol(optarg, 0, 100000, "-k");
			break;
		case 'l':
			o->list = 1;
			break;
		case 'n':
			o->count = estrtol(optarg, 0, 2000000000L, "-n");
			break;
		case 'r':
			o->fps = (int)estrtol(optarg, 1, 1000, "-r");
			break;
		case 's':
			size_arg(o, optarg);
			break;
		case 't':
			o->timeout = estrtod(optarg, 0.001, 1e6, "-t");
			break;
		case 'v':
			o->verbose = 1;
			break;
		default:
			usage(2);
		}
	if (argc > optind)
		usage(2);
}

static const char *
fourcc(unsigned f, char *s)
{
	int i;

	for (i = 0; i < 4; i++) {
		s[i] = (char)(f >> 8 * i & 0xff);
		if (s[i] < ' ' || s[i] > '~')
			s[i] = '?';
	}
	s[4] = '\0';
	return s;
}

/* An ioctl through libv4l2, again when a signal interrupted it. */
static int
xioctl(int fd, unsigned long req, void *arg)
{
	int rc;

	while ((rc = v4l2_ioctl(fd, req, arg)) == -1 && errno == EINTR &&
	    !stop)
		;
	return rc;
}

/* An ioctl that must work: on failure, the reason, in words a user can
 * act on when there are any. */
static void
must(struct cam *c, unsigned long req, void *arg, const char *what)
{
	if (xioctl(c->fd, req, arg) == 0)
		return;
	if (errno == EBUSY)
		errx(1, "%s: device busy (is another program using the "
		    "camera?)", c->dev);
	if (errno == ENODEV)
		errx(1, "%s: the device went away", c->dev);
	err(1, "%s: %s", c->dev, what);
}

static void
cam_open(struct cam *c, const char *dev)
{
	struct v4l2_capability cap;

	int fd;

	memset(c, 0, sizeof(*c));
	c->dev = dev;
	/* Asked first without libv4l2, which would print its own messages
	 * about a file that is no camera. */
	if ((fd = open(dev, O_RDWR | O_NONBLOCK)) == -1)
		err(1, "%s", dev);
	memset(&cap, 0, sizeof(cap));
	if (ioctl(fd, VIDIOC_QUERYCAP, &cap) == -1) {
		if (errno == ENOTTY || errno == EINVAL)
			errx(1, "%s: not a V4L2 device", dev);
		err(1, "%s: VIDIOC_QUERYCAP", dev);
	}
	if (cap.capabilities & V4L2_CAP_DEVICE_CAPS)
		cap.capabilities = cap.device_caps;
	if (!(cap.capabilities & V4L2_CAP_VIDEO_CAPTURE))
		errx(1, "%s: not a video capture device (%s)", dev,
		    (char *)cap.card);
	if (!(cap.capabilities & V4L2_CAP_STREAMING))
		errx(1, "%s: the device cannot stream (no mmap capture)", dev);
	if ((c->fd = v4l2_fd_open(fd, 0)) == -1)
		err(1, "%s: libv4l2", dev);
}

/* Ask for RGB24 (YU12 with -g: its Y plane is the grey picture) and
 * check what came back: libv4l2 converts the camera's own formats only
 * to RGB24, BGR24, YU12 and YV12, and hands back the native format when
 * it cannot convert. */
static void
cam_format(struct cam *c, const struct opts *o)
{
	unsigned want = o->grey ? V4L2_PIX_FMT_YUV420 : V4L2_PIX_FMT_RGB24;
	char a[5], b[5];

	memset(&c->fmt, 0, sizeof(c->fmt));
	c->fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	c->fmt.fmt.pix.width = (unsigned)o->w;
	c->fmt.fmt.pix.height = (unsigned)o->h;
	c->fmt.fmt.pix.pixelformat = want;
	c->fmt.fmt.pix.field = V4L2_FIELD_NONE;
	must(c, VIDIOC_S_FMT, &c->fmt, "VIDIOC_S_FMT");
	if (c->fmt.fmt.pix.pixelformat != want)
		errx(1, "%s: no format libv4l2 can convert to %s (the "
		    "camera gives %s; see grab -l)", c->dev, fourcc(want, a),
		    fourcc(c->fmt.fmt.pix.pixelformat, b));
	if (c->fmt.fmt.pix.bytesperline < c->fmt.fmt.pix.width *
	    (o->grey ? 1 : 3))
		c->fmt.fmt.pix.bytesperline = c->fmt.fmt.pix.width *
		    (o->grey ? 1 : 3);
	if (o->verbose || (int)c->fmt.fmt.pix.width != o->w ||
	    (int)c->fmt.fmt.pix.height != o->h)
		warnx("%s: %ux%u %s", c->dev, c->fmt.fmt.pix.width,
		    c->fmt.fmt.pix.height, fourcc(want, a));
}

/* Ask for fps frames a second; a driver that cannot set it keeps its
 * own rate. */
static void
cam_rate(struct cam *c, const struct opts *o)
{
	struct v4l2_streamparm p;
	struct v4l2_fract *t = &p.parm.capture.timeperframe;

	memset(&p, 0, sizeof(p));
	p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (o->fps) {
		t->numerator = 1, t->denominator = (unsigned)o->fps;
		if (xioctl(c->fd, VIDIOC_S_PARM, &p) == -1)
			warn("%s: cannot set the frame rate", c->dev);
	}
	if (o->verbose && xioctl(c->fd, VIDIOC_G_PARM, &p) == 0 &&
	    t->numerator)
		warnx("%s: %.4g frames a second", c->dev,
		    (double)t->denominator / t->numerator);
}

static void
cam_start(struct cam *c)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_buffer b;
	int i, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	memset(&rb, 0, sizeof(rb));
	rb.count = NBUF, rb.type = type, rb.memory = V4L2_MEMORY_MMAP;
	must(c, VIDIOC_REQBUFS, &rb, "VIDIOC_REQBUFS");
	if (rb.count < 1)
		errx(1, "%s: the driver gave no buffers", c->dev);
	c->nbuf = (int)MIN(rb.count, NBUF);
	for (i = 0; i < c->nbuf; i++) {
		memset(&b, 0, sizeof(b));
		b.type = type, b.memory = V4L2_MEMORY_MMAP, b.index = (unsigned)i;
		must(c, VIDIOC_QUERYBUF, &b, "VIDIOC_QUERYBUF");
		c->len[i] = b.length;
		c->buf[i] = v4l2_mmap(NULL, b.length, PROT_READ | PROT_WRITE,
		    MAP_SHARED, c->fd, b.m.offset);
		if (c->buf[i] == MAP_FAILED) {
			c->buf[i] = NULL;
			err(1, "%s: mmap", c->dev);
		}
		must(c, VIDIOC_QBUF, &b, "VIDIOC_QBUF");
	}
	must(c, VIDIOC_STREAMON, &type, "VIDIOC_STREAMON");
	c->streaming = 1;
}

/* Stop streaming and give everything back; quiet, as it also runs when
 * the device has gone. */
static void
cam_close(struct cam *c)
{
	struct v4l2_requestbuffers rb;
	int i, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (c->fd < 0)
		return;
	if (c->streaming)
		xioctl(c->fd, VIDIOC_STREAMOFF, &type);
	for (i = 0; i < c->nbuf; i++)
		if (c->buf[i])
			v4l2_munmap(c->buf[i], c->len[i]);
	if (c->nbuf) {
		memset(&rb, 0, sizeof(rb));
		rb.type = type, rb.memory = V4L2_MEMORY_MMAP;
		xioctl(c->fd, VIDIOC_REQBUFS, &rb);
	}
	v4l2_close(c->fd);
	c->fd = -1;
}

/* Wait for the next frame and dequeue it into b: 1, or 0 when a signal
 * asked to stop. */
static int
cam_next(struct cam *c, struct v4l2_buffer *b, double timeout)
{
	struct timeval tv;
	fd_set fds;
	int rc;

	for (;;) {
		if (stop)
			return 0;
		FD_ZERO(&fds);
		FD_SET(c->fd, &fds);
		tv.tv_sec = (time_t)timeout;
		tv.tv_usec = (suseconds_t)((timeout - (double)tv.tv_sec) * 1e6);
		rc = select(c->fd + 1, &fds, NULL, NULL, &tv);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1)
			err(1, "%s: select", c->dev);
		if (rc == 0)
			errx(1, "%s: no frame came for %g s (the camera "
			    "stopped delivering)", c->dev, timeout);
		memset(b, 0, sizeof(*b));
		b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b->memory = V4L2_MEMORY_MMAP;
		if (xioctl(c->fd, VIDIOC_DQBUF, b) == 0)
			return 1;
		if (errno != EAGAIN)
			must(c, VIDIOC_DQBUF, b, "VIDIOC_DQBUF");
	}
}

/* The frame in buffer b as an image: RGB, or the Y plane of YU12. */
static struct img *
frame(const struct cam *c, const struct v4l2_buffer *b, int grey)
{
	const struct v4l2_pix_format *f = &c->fmt.fmt.pix;
	int w = (int)f->width, h = (int)f->height, bpl = (int)f->bytesperline;
	int rowlen = w * (grey ? 1 : 3), y;
	const unsigned char *src = c->buf[b->index];
	struct img *im;

	if ((size_t)bpl * (h - 1) + rowlen > c->len[b->index])
		errx(1, "%s: a frame smaller than its format", c->dev);
	im = img_new(w, h, grey ? 1 : 3);
	for (y = 0; y < h; y++)
		memcpy(im->px + (size_t)y * rowlen, src + (size_t)y * bpl,
		    (size_t)rowlen);
	return im;
}

/* Write one frame whole and flush it: 0, or -1 when the reader has gone
 * (EPIPE). */
static int
put(struct img *im, const char *dev, long seq)
{
	meta_set(&im->meta, "src", dev);
	meta_setf(&im->meta, "frame", "%ld", seq);
	if (imgio_write(stdout, im) == 0 && fflush(stdout) == 0)
		return 0;
	if (errno == EPIPE) {
		gone = 1;
		return -1;
	}
	err(1, "stdout");
}

static void
on_signal(int sig)
{
	stop = sig;
}

static void
signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;      /* no SA_RESTART: select returns */
	sigemptyset(&sa.sa_mask);
	/* A signal ignored from the start (nohup, a background job of a
	 * script) stays ignored. */
	for (i = 0; i < LEN(sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Capture: skip frames while exposure settles, then write count of them
 * (0: until stopped). */
static void
capture(struct cam *c, const struct opts *o)
{
	struct v4l2_buffer b;
	struct img *im;
	long got = 0, skipped = 0;

	while (o->count == 0 || got < o->count) {
		if (!cam_next(c, &b, o->timeout))
			return;
		im = skipped < o->skip ? NULL : frame(c, &b, o->grey);
		must(c, VIDIOC_QBUF, &b, "VIDIOC_QBUF");
		if (im == NULL) {
			skipped++;
			continue;
		}
		if (put(im, c->dev, got++) < 0) {
			img_free(im);
			return;
		}
		img_free(im);
	}
}

/* The frame rates of one format and size, after the size. */
static void
list_rates(struct cam *c, unsigned pf, unsigned w, unsigned h)
{
	struct v4l2_frmivalenum fi;
	const char *sep = "";

	memset(&fi, 0, sizeof(fi));
	fi.pixel_format = pf, fi.width = w, fi.height = h;
	for (; xioctl(c->fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi) == 0;
	    fi.index++, sep = ",")
		if (fi.type == V4L2_FRMIVAL_TYPE_DISCRETE &&
		    fi.discrete.numerator)
			printf("%s%.4g", sep, (double)fi.discrete.denominator /
			    fi.discrete.numerator);
		else if (fi.stepwise.max.numerator) {
			printf("%s%.4g-%.4g", sep,
			    (double)fi.stepwise.max.denominator /
			    fi.stepwise.max.numerator,
			    (double)fi.stepwise.min.denominator /
			    fi.stepwise.min.numerator);
			break;
		}
}

/* -l: one line per format and size: fourcc, WxH, frame rates, and what
 * the format is ("emulated": libv4l2 converts to it). */
static void
list(struct cam *c)
{
	struct v4l2_fmtdesc fd;
	struct v4l2_frmsizeenum fs;
	char a[5];

	memset(&fd, 0, sizeof(fd));
	fd.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	for (; xioctl(c->fd, VIDIOC_ENUM_FMT, &fd) == 0; fd.index++) {
		memset(&fs, 0, sizeof(fs));
		fs.pixel_format = fd.pixelformat;
		for (; xioctl(c->fd, VIDIOC_ENUM_FRAMESIZES, &fs) == 0;
		    fs.index++) {
			printf("%s\t", fourcc(fd.pixelformat, a));
			if (fs.type != V4L2_FRMSIZE_TYPE_DISCRETE) {
				printf("%ux%u-%ux%u\t\t", fs.stepwise.min_width,
				    fs.stepwise.min_height,
				    fs.stepwise.max_width,
				    fs.stepwise.max_height);
			} else {
				printf("%ux%u\t", fs.discrete.width,
				    fs.discrete.height);
				list_rates(c, fd.pixelformat, fs.discrete.width,
				    fs.discrete.height);
				printf("\t");
			}
			printf("%s%s\n", (char *)fd.description,
			    fd.flags & V4L2_FMT_FLAG_EMULATED ?
			    " (emulated)" : "");
			if (fs.type != V4L2_FRMSIZE_TYPE_DISCRETE)
				break;
		}
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct cam c;

	util_std_fds();
	options(&o, argc, argv);
	signals();
	cam_open(&c, o.dev);
	if (o.list) {
		list(&c);
		cam_close(&c);
		return efshut(stdout, "stdout") ? 1 : 0;
	}
	cam_format(&c, &o);
	cam_rate(&c, &o);
	cam_start(&c);
	capture(&c, &o);
	cam_close(&c);
	if (gone)               /* nobody to tell: a clean end */
		_exit(0);
	if (stop) {             /* die of the signal, as the shell expects */
		fflush(stdout);
		signal(stop, SIG_DFL);
		raise(stop);
	}
	return efshut(stdout, "stdout") ? 1 : 0;
}
