/*
 * fakecam: a V4L2 camera emulated for the tests, as an LD_PRELOAD library.
 *
 * It plays the kernel's part for one device path: a simple UVC-like USB
 * webcam with one camera input, no controls, streaming I/O with mmap'ed
 * buffers only (no read(2) I/O), native formats YUYV and MJPEG.  It sits
 * *below* libv4l2, so libv4l2 and libv4lconvert run their own code on it:
 * format negotiation and emulation, mmap streaming, and the YUYV and MJPEG
 * conversion to RGB24 or YU12.  libv4l2 1.22 reaches the device only
 * through syscall(3) (SYS_openat, SYS_ioctl, SYS_mmap, SYS_munmap,
 * SYS_close); a program without libv4l2 uses the libc functions.  Both are
 * interposed: syscall, open, open64, openat, openat64, __open_2,
 * __open64_2, __openat_2, __openat64_2, close, ioctl, mmap, mmap64, munmap
 * and read; and stat, stat64, fopen and fopen64, for programs such as
 * v4l2-ctl that check the node.  Every other path and fd is passed
 * through unchanged.
 *
 * "make check" builds it ("make tests/fakecam.so" alone); run a program
 * under it:
 *	LD_PRELOAD=tests/fakecam.so FAKECAM_DEVICE=/dev/video0 \
 *	    FAKECAM_FRAMES=frames.ppm grab -n 3 >out.ppm
 *
 * Environment:
 *  FAKECAM_DEVICE  the path the camera answers at, compared as a string;
 *		it need not exist.  stat(2) of it says character device
 *		81:N (N: the path's trailing digits) and the fopen(3) of
 *		/sys/dev/char/81:N/uevent says DEVNAME=videoN, which is what
 *		v4l2-ctl checks; fstat(2) of the fd says anonymous inode, so
 *		libv4lconvert finds no USB ids and no quirks.  Unset: the
 *		library does nothing.
 *  FAKECAM_FRAMES  a file of raw PPM (P6) or PGM (P5) images, maxval 255,
 *		concatenated, comments allowed, all of one size: the frames,
 *		served in order and cycling forever.  Their size is the
 *		camera's native frame size, the one offered first.
 *  FAKECAM_SIZES   more sizes offered after it, e.g. "320x240 1280x720";
 *		frames are scaled to the size set, nearest neighbour.  Set
 *		sizes are matched as uvcvideo does (least area difference).
 *  FAKECAM_FORMAT  the native formats, comma-separated, in enumeration
 *		order (default YUYV): YUYV; MJPEG (or MJPG); H264, HEVC, VP8,
 *		which libv4lconvert cannot convert (their buffers hold zeros).
 *		YUYV: Y is the full-range BT.601 luma of the frame, unscaled
 *		(a grey g gives Y = g), U and V the BT.601 (JFIF) colour of
 *		each pixel pair, averaged (grey gives 128).  So through
 *		libv4lconvert a grey frame comes out byte for byte as the
 *		source, as RGB24 and as YU12's Y plane (U, V all 128).
 *		Colour is near: libv4lconvert's YUYV->RGB24 uses rougher
 *		coefficients than BT.601 (1.5 for 1.402, 2.02 for 1.772).
 *		MJPEG: each frame is encoded by libjpeg at quality 90 with
 *		4:2:2 sampling, as UVC cameras send (libv4lconvert's YU12
 *		output then needs a width a multiple of 16 and a height a
 *		multiple of 8).  libv4lconvert decodes it with libjpeg.
 *		Measured at 640x480, largest difference from the source
 *		(mean), RGB24; for grey frames the Y plane of YU12 is the
 *		same and its U, V are all 128:
 *					  YUYV		MJPEG
 *		  flat grey, a ramp	  0 (exact)	0; 1 (0.12)
 *		  grey photo of digits	  0 (exact)	17 (1.75)
 *		  flat colours		  15 (7)	1 (0.7)
 *		  colour photo, noisy	  50 (2.1)	58 (3.1)
 *  FAKECAM_FPS     the frame rate reported and kept (default 30; decimals
 *		are allowed): frame k is ready at STREAMON + k/fps, and goes
 *		into the oldest queued buffer, or is dropped (its sequence
 *		number skipped) when none is queued.  The picture is the next
 *		frame of the file all the same, so what a program receives
 *		does not depend on its speed.  0: unpaced, a queued buffer is
 *		filled at once (for benchmarks); 30 fps is reported.
 *  FAKECAM_FAIL    one failure, for tests of a program's errors:
 *		notcap   QUERYCAP reports a video output device; ioctls on
 *			 capture buffers then fail with EINVAL;
 *		busy     open works, S_FMT, REQBUFS and STREAMON fail with
 *			 EBUSY, as when another program streams from a UVC
 *			 camera;
 *		open     open fails with EACCES;
 *		stall:N  N frames are delivered, then no more ever: the fd
 *			 never becomes readable again;
 *		vanish:N once the program has dequeued N frames, the camera
 *			 is unplugged at the next frame time: the fd becomes
 *			 readable, every ioctl, mmap and read fails with
 *			 ENODEV (as uvcvideo's unregistered device does);
 *			 close works.
 *  FAKECAM_LOG     a file to append one line per event to, written at
 *		once: open, querycap, "s_fmt WxH FOURCC" (the native format
 *		libv4l2 set), "reqbufs N" (as granted), streamon, "frame SEQ
 *		NS" when a buffer is dequeued (NS: the CLOCK_MONOTONIC time in
 *		ns the frame became ready, also its timestamp), streamoff,
 *		close.  libv4l2 and its mplane plugin issue QUERYCAP
 *		themselves, so "querycap" shows up several times per open.
 *  FAKECAM_DEBUG   if set, ioctls the camera does not know are reported
 *		on stderr (they fail with ENOTTY).
 * A bad environment (frames missing or not raw PPM/PGM of maxval 255,
 * unknown format, bad size, rate or failure) makes the open fail with EIO
 * after a "fakecam: message" on stderr.
 *
 * The device: the fd the program gets is an epoll fd watching an eventfd
 * and a timerfd, so that poll(2) and select(2) work on it with no thread.
 * The eventfd is signalled while a filled buffer waits to be dequeued
 * (and while not streaming, or after an unplug, when vb2 reports
 * EPOLLERR, which select counts as readable).  Frame times are computed
 * from the clock whenever the program makes an ioctl; between ioctls the
 * timerfd is armed at the time of the next frame, so a program asleep in
 * select() wakes when it is due.  Buffers live in a memfd: mmap of the fd
 * at a buffer's offset maps the memfd there.  STREAMON converts all the
 * frames to the format and size set, once (kept until those change), and
 * DQBUF copies one into the buffer, so that the program's CPU time and
 * latency are not the emulation's.  QUERYCAP says driver "fakecam", card
 * "digitpipe fake camera", bus_info "platform:fakecam".
 * Implemented: QUERYCAP, ENUM_FMT, G_FMT, TRY_FMT, S_FMT (EBUSY while
 * buffers exist), ENUM_FRAMESIZES and ENUM_FRAMEINTERVALS (discrete),
 * G_PARM, S_PARM (answers its one rate), REQBUFS (MMAP, at most 32; EBUSY
 * while streaming or mapped), QUERYBUF, QBUF, DQBUF (timestamps monotonic,
 * field none), STREAMON, STREAMOFF, ENUMINPUT, G_INPUT, S_INPUT,
 * G_PRIORITY, S_PRIORITY, CROPCAP and G_SELECTION (crop bounds: the
 * frame); control ioctls fail with EINVAL (no controls), all others with
 * ENOTTY.
 * Differences from a real device: a blocking DQBUF that could never
 * complete (stall, or no buffer queued) fails with EAGAIN instead of
 * sleeping until a signal; each open is a device of its own; a dup(2) of
 * the fd is not the camera.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>

#include <linux/version.h>
#include <linux/videodev2.h>

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jpeglib.h>

#define NBUF	32		/* buffers REQBUFS grants at most */
#define NDEV	8		/* cameras open at once */
#define NFMT	8
#define NSIZE	16
#define NMAP	(NDEV * NBUF * 2)
#define MAXDIM	8192
#define NSEC	1000000000LL

enum { FAIL_NONE, FAIL_NOTCAP, FAIL_BUSY, FAIL_OPEN, FAIL_STALL,
    FAIL_VANISH };
enum { B_DEQUEUED, B_QUEUED, B_DONE };

struct fmtname {
	const char	*name;
	uint32_t	 fourcc;
	const char	*desc;
};

static const struct fmtname fmtnames[] = {
	{ "YUYV",  V4L2_PIX_FMT_YUYV,  "YUYV 4:2:2" },
	{ "MJPEG", V4L2_PIX_FMT_MJPEG, "Motion-JPEG" },
	{ "MJPG",  V4L2_PIX_FMT_MJPEG, "Motion-JPEG" },
	{ "H264",  V4L2_PIX_FMT_H264,  "H.264" },
	{ "HEVC",  V4L2_PIX_FMT_HEVC,  "HEVC" },
	{ "VP8",   V4L2_PIX_FMT_VP8,   "VP8" },
};

struct size {
	uint32_t	 w, h;
};

static struct cfg {
	int		 state;		/* 0 unread, 1 good, -1 bad */
	char		 err[256];
	unsigned char	*rgb;		/* nframe frames of w*h*3 */
	size_t		 cap;
	uint32_t	 w, h;
	long		 nframe;
	uint32_t	 fmt[NFMT];
	int		 nfmt;
	struct size	 size[NSIZE];	/* size[0] is the frames' */
	int		 nsize;
	uint32_t	 tpfnum, tpfden;	/* time per frame, in s */
	long long	 period;	/* ns; 0: unpaced */
	int		 fail;
	long		 failn;
	int		 debug;
} cfg;

/* The frames in the native format set, YUYV or JPEG, at its size. */
static struct cache {
	uint32_t	 fmt, w, h;
	long		 n;
	unsigned char	**data;
	unsigned long	*len;
} fc;

struct buf {
	int		 state;
	unsigned long	 order;		/* FIFO rank */
	uint32_t	 seq;
	long long	 ts;		/* ns, CLOCK_MONOTONIC */
	long		 frame;
	uint32_t	 used;
	int		 nmap;
};

struct dev {
	int		 fd;		/* epoll fd: the program's */
	int		 efd;		/* eventfd: readable now */
	int		 tfd;		/* timerfd: at the next frame */
	int		 mfd;		/* memfd: the buffers */
	int		 evset;
	long long	 armed;		/* timerfd's time, 0: off */
	struct v4l2_pix_format pix;
	struct buf	 buf[NBUF];
	int		 nbuf;
	size_t		 buflen;	/* sizeimage, page rounded */
	unsigned char	*mem;
	unsigned long	 order;
	int		 streaming;
	int		 vanished;
	long long	 next;		/* time of the next frame */
	uint32_t	 seq;
	long		 delivered;
};

struct map {
	void		*addr;
	struct dev	*d;
	int		 idx;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct dev *devs[NDEV];
static int ndev;		/* atomic: cameras open */
static struct map maps[NMAP];
static int nmaps;		/* atomic: mappings tracked */

static int	(*real_open)(const char *, int, ...);
static int	(*real_open64)(const char *, int, ...);
static int	(*real_openat)(int, const char *, int, ...);
static int	(*real_openat64)(int, const char *, int, ...);
static int	(*real_open_2)(const char *, int);
static int	(*real_open64_2)(const char *, int);
static int	(*real_openat_2)(int, const char *, int);
static int	(*real_openat64_2)(int, const char *, int);
static int	(*real_close)(int);
static int	(*real_ioctl)(int, unsigned long, ...);
static void	*(*real_mmap)(void *, size_t, int, int, int, off_t);
static void	*(*real_mmap64)(void *, size_t, int, int, int, off64_t);
static int	(*real_munmap)(void *, size_t);
static ssize_t	(*real_read)(int, void *, size_t);
static long	(*real_syscall)(long, ...);
static int	(*real_stat)(const char *, struct stat *);
static int	(*real_stat64)(const char *, struct stat64 *);
static FILE	*(*real_fopen)(const char *, const char *);
static FILE	*(*real_fopen64)(const char *, const char *);

int	__open_2(const char *, int);
int	__open64_2(const char *, int);
int	__openat_2(int, const char *, int);
int	__openat64_2(int, const char *, int);

static void
real_resolve(void)
{
	real_open = dlsym(RTLD_NEXT, "open");
	real_open64 = dlsym(RTLD_NEXT, "open64");
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_openat64 = dlsym(RTLD_NEXT, "openat64");
	real_open_2 = dlsym(RTLD_NEXT, "__open_2");
	real_open64_2 = dlsym(RTLD_NEXT, "__open64_2");
	real_openat_2 = dlsym(RTLD_NEXT, "__openat_2");
	real_openat64_2 = dlsym(RTLD_NEXT, "__openat64_2");
	real_close = dlsym(RTLD_NEXT, "close");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_mmap = dlsym(RTLD_NEXT, "mmap");
	real_mmap64 = dlsym(RTLD_NEXT, "mmap64");
	real_munmap = dlsym(RTLD_NEXT, "munmap");
	real_read = dlsym(RTLD_NEXT, "read");
	real_syscall = dlsym(RTLD_NEXT, "syscall");
	real_stat = dlsym(RTLD_NEXT, "stat");
	real_stat64 = dlsym(RTLD_NEXT, "stat64");
	real_fopen = dlsym(RTLD_NEXT, "fopen");
	real_fopen64 = dlsym(RTLD_NEXT, "fopen64");
}

static void
real_init(void)
{
	pthread_once(&once, real_resolve);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static void
fc_log(const char *fmt, ...)
{
	char line[128];
	const char *path;
	va_list ap;
	int fd, n;

	if ((path = getenv("FAKECAM_LOG")) == NULL || *path == '\0')
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return;
	line[n++] = '\n';
	fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd == -1)
		return;
	if (write(fd, line, n) != n)
		fprintf(stderr, "fakecam: %s: %s\n", path, strerror(errno));
	real_close(fd);
}

static int
cfg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cfg.err, sizeof(cfg.err), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- configuration: frames ---- */

static unsigned char *
file_read(const char *path, size_t *lenp)
{
	unsigned char *p = NULL, *q;
	size_t len = 0, cap = 0, n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 1 << 20;
			if ((q = realloc(p, cap)) == NULL) {
				free(p);
				fclose(fp);
				errno = ENOMEM;
				return NULL;
			}
			p = q;
		}
		n = fread(p + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		free(p);
		fclose(fp);
		errno = EIO;
		return NULL;
	}
	fclose(fp);
	*lenp = len;
	return p;
}

/* Skip white space and comments. */
static void
pnm_skip(const unsigned char *p, size_t n, size_t *i)
{
	while (*i < n) {
		if (p[*i] == '#')
			while (*i < n && p[*i] != '\n')
				(*i)++;
		else if (isspace(p[*i]))
			(*i)++;
		else
			break;
	}
}

static int
pnm_num(const unsigned char *p, size_t n, size_t *i, long *v)
{
	pnm_skip(p, n, i);
	if (*i >= n || !isdigit(p[*i]))
		return -1;
	for (*v = 0; *i < n && isdigit(p[*i]); (*i)++)
		if ((*v = *v * 10 + (p[*i] - '0')) > 1000000)
			return -1;
	return 0;
}

/* Append one raster of c channels to cfg.rgb, as RGB. */
static int
frame_add(const unsigned char *src, int c)
{
	size_t fsz = (size_t)cfg.w * cfg.h * 3, i;
	unsigned char *q, *dst;

	if ((cfg.nframe + 1) * fsz > cfg.cap) {
		cfg.cap = cfg.cap ? 2 * cfg.cap : fsz;
		if ((q = realloc(cfg.rgb, cfg.cap)) == NULL)
			return cfg_error("out of memory");
		cfg.rgb = q;
	}
	dst = cfg.rgb + cfg.nframe++ * fsz;
	if (c == 3)
		memcpy(dst, src, fsz);
	else
		for (i = 0; i < fsz / 3; i++)
			dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = src[i];
	return 0;
}

static int
pnm_one(const char *path, const unsigned char *p, size_t n, size_t *i)
{
	long w, h, maxval;
	int c;

	if (n - *i < 2 || p[*i] != 'P' || (p[*i + 1] != '5' &&
	    p[*i + 1] != '6'))
		return cfg_error("%s: image %ld: not a raw PPM or PGM", path,
		    cfg.nframe + 1);
	c = p[*i + 1] == '6' ? 3 : 1;
	*i += 2;
	if (pnm_num(p, n, i, &w) || pnm_num(p, n, i, &h) ||
	    pnm_num(p, n, i, &maxval) || *i >= n || !isspace(p[*i]))
		return cfg_error("%s: image %ld: bad header", path,
		    cfg.nframe + 1);
	(*i)++;
	if (maxval != 255)
		return cfg_error("%s: maxval %ld, not 255", path, maxval);
	if (w < 1 || h < 1 || w > MAXDIM || h > MAXDIM)
		return cfg_error("%s: bad size %ldx%ld", path, w, h);
	if (cfg.nframe == 0) {
		cfg.w = w;
		cfg.h = h;
	} else if (w != (long)cfg.w || h != (long)cfg.h)
		return cfg_error("%s: image %ld is %ldx%ld, not %ux%u", path,
		    cfg.nframe + 1, w, h, cfg.w, cfg.h);
	if (n - *i < (size_t)(w * h * c))
		return cfg_error("%s: image %ld: truncated", path,
		    cfg.nframe + 1);
	if (frame_add(p + *i, c) == -1)
		return -1;
	*i += w * h * c;
	return 0;
}

static int
frames_load(const char *path)
{
	unsigned char *p;
	size_t n, i = 0;
	int r = 0;

	if (path == NULL || *path == '\0')
		return cfg_error("FAKECAM_FRAMES not set");
	if ((p = file_read(path, &n)) == NULL)
		return cfg_error("%s: %s", path, strerror(errno));
	for (;;) {
		pnm_skip(p, n, &i);
		if (i >= n)
			break;
		if ((r = pnm_one(path, p, n, &i)) == -1)
			break;
	}
	free(p);
	if (r == 0 && cfg.nframe == 0)
		r = cfg_error("%s: no images", path);
	return r;
}

/* ---- configuration: the rest ---- */

static void
size_add(uint32_t w, uint32_t h)
{
	int i;

	for (i = 0; i < cfg.nsize; i++)
		if (cfg.size[i].w == w && cfg.size[i].h == h)
			return;
	cfg.size[cfg.nsize].w = w;
	cfg.size[cfg.nsize++].h = h;
}

static int
sizes_parse(const char *s)
{
	unsigned int w, h;
	int n;

	size_add(cfg.w, cfg.h);
	if (s == NULL)
		return 0;
	for (;;) {
		s += strspn(s, " ,\t");
		if (*s == '\0')
			return 0;
		if (sscanf(s, "%4ux%4u%n", &w, &h, &n) != 2 || w < 1 ||
		    h < 1 || w > MAXDIM || h > MAXDIM ||
		    (s[n] != '\0' && !strchr(" ,\t", s[n])))
			return cfg_error("FAKECAM_SIZES: bad size: %s", s);
		if (cfg.nsize == NSIZE)
			return cfg_error("FAKECAM_SIZES: more than %d sizes",
			    NSIZE - 1);
		size_add(w, h);
		s += n;
	}
}

static int
formats_parse(const char *s)
{
	size_t len, i, n = sizeof(fmtnames) / sizeof(fmtnames[0]);

	if (s == NULL || *s == '\0')
		s = "YUYV";
	for (; *s != '\0'; s += len + (s[len] == ',')) {
		len = strcspn(s, ",");
		for (i = 0; i < n; i++)
			if (strlen(fmtnames[i].name) == len &&
			    strncmp(fmtnames[i].name, s, len) == 0)
				break;
		if (i == n)
			return cfg_error("FAKECAM_FORMAT: unknown format: %.*s",
			    (int)len, s);
		if (cfg.nfmt == NFMT)
			return cfg_error("FAKECAM_FORMAT: too many formats");
		cfg.fmt[cfg.nfmt++] = fmtnames[i].fourcc;
		if (fmtnames[i].fourcc == V4L2_PIX_FMT_YUYV && cfg.w % 2)
			return cfg_error("YUYV needs an even width, not %u",
			    cfg.w);
	}
	if (cfg.nfmt == 0)
		return cfg_error("FAKECAM_FORMAT: no format");
	return 0;
}

static int
fps_parse(const char *s)
{
	unsigned long a, b, t;
	double fps = 30;
	char *end;

	if (s != NULL && *s != '\0') {
		fps = strtod(s, &end);
		if (*end != '\0' || !(fps >= 0 && fps <= 1000))
			return cfg_error("FAKECAM_FPS: bad rate: %s", s);
	}
	if (fps == 0 || (b = fps * 1000 + 0.5) == 0) {
		cfg.tpfnum = 1;
		cfg.tpfden = 30;
		cfg.period = 0;
		return 0;
	}
	for (a = 1000, t = b; t != 0; ) {	/* gcd(1000, b) */
		unsigned long r = a % t;
		a = t;
		t = r;
	}
	cfg.tpfnum = 1000 / a;
	cfg.tpfden = b / a;
	cfg.period = (long long)cfg.tpfnum * NSEC / cfg.tpfden;
	return 0;
}

static int
fail_parse(const char *s)
{
	char *end;

	cfg.fail = FAIL_NONE;
	if (s == NULL || *s == '\0')
		return 0;
	if (strcmp(s, "notcap") == 0)
		cfg.fail = FAIL_NOTCAP;
	else if (strcmp(s, "busy") == 0)
		cfg.fail = FAIL_BUSY;
	else if (strcmp(s, "open") == 0)
		cfg.fail = FAIL_OPEN;
	else if (strncmp(s, "stall:", 6) == 0)
		cfg.fail = FAIL_STALL;
	else if (strncmp(s, "vanish:", 7) == 0)
		cfg.fail = FAIL_VANISH;
	else
		return cfg_error("FAKECAM_FAIL: unknown failure: %s", s);
	if (cfg.fail == FAIL_STALL || cfg.fail == FAIL_VANISH) {
		s = strchr(s, ':') + 1;
		errno = 0;
		cfg.failn = strtol(s, &end, 10);
		if (!isdigit((unsigned char)*s) || *end != '\0' || errno)
			return cfg_error("FAKECAM_FAIL: bad count: %s", s);
	}
	return 0;
}

/* Read the environment once; 0 if it is good. */
static int
cfg_load(void)
{
	if (cfg.state == 0) {
		if (frames_load(getenv("FAKECAM_FRAMES")) == -1 ||
		    sizes_parse(getenv("FAKECAM_SIZES")) == -1 ||
		    formats_parse(getenv("FAKECAM_FORMAT")) == -1 ||
		    fps_parse(getenv("FAKECAM_FPS")) == -1 ||
		    fail_parse(getenv("FAKECAM_FAIL")) == -1)
			cfg.state = -1;
		else
			cfg.state = 1;
		cfg.debug = getenv("FAKECAM_DEBUG") != NULL;
	}
	return cfg.state == 1 ? 0 : -1;
}

/* ---- pictures ---- */

/* Row y of a frame scaled to w x h, nearest neighbour, as RGB. */
static void
rgb_row(unsigned char *out, const unsigned char *frame, uint32_t y,
    uint32_t w, uint32_t h)
{
	const unsigned char *row;
	uint32_t x;

	row = frame + (size_t)((uint64_t)y * cfg.h / h) * cfg.w * 3;
	for (x = 0; x < w; x++)
		memcpy(out + 3 * x, row + (size_t)((uint64_t)x * cfg.w / w) * 3,
		    3);
}

static unsigned char
luma(const unsigned char *p)
{
	return (19595 * p[0] + 38470 * p[1] + 7471 * p[2] + 32768) >> 16;
}

/* BT.601 full-range chroma of a pixel pair: weights sum to 0, scale 2^16. */
static unsigned char
chroma(const unsigned char *p, const unsigned char *q, int kr, int kg,
    int kb)
{
	int s;

	s = kr * (p[0] + q[0]) + kg * (p[1] + q[1]) + kb * (p[2] + q[2]);
	s = (s + (128 << 17) + (1 << 16)) >> 17;
	return s > 255 ? 255 : s;
}

/* YUYV row from an RGB row of even width w. */
static void
yuyv_row(unsigned char *out, const unsigned char *rgb, uint32_t w)
{
	const unsigned char *p, *q;
	uint32_t x;

	for (x = 0; x + 1 < w; x += 2, out += 4) {
		p = rgb + 3 * x;
		q = p + 3;
		out[0] = luma(p);
		out[1] = chroma(p, q, -11059, -21709, 32768);
		out[2] = luma(q);
		out[3] = chroma(p, q, 32768, -27439, -5329);
	}
}

struct jerr {
	struct jpeg_error_mgr	 pub;
	jmp_buf			 jb;
};

static void
jerr_exit(j_common_ptr c)
{
	longjmp(((struct jerr *)c->err)->jb, 1);
}

/* Encode a frame scaled to w x h: quality 90, 4:2:2 like UVC cameras. */
static int
jpeg_encode(const unsigned char *frame, uint32_t w, uint32_t h,
    unsigned char **out, unsigned long *len)
{
	struct jpeg_compress_struct c;
	struct jerr je;
	unsigned char *row;
	JSAMPROW rp;

	if ((row = malloc(3 * (size_t)w)) == NULL)
		return -1;
	*out = NULL;
	*len = 0;
	c.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jerr_exit;
	if (setjmp(je.jb)) {
		jpeg_destroy_compress(&c);
		free(row);
		free(*out);
		*out = NULL;
		return -1;
	}
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, out, len);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 90, TRUE);
	c.comp_info[0].h_samp_factor = 2;
	c.comp_info[0].v_samp_factor = 1;
	jpeg_start_compress(&c, TRUE);
	for (rp = row; c.next_scanline < h; ) {
		rgb_row(row, frame, c.next_scanline, w, h);
		jpeg_write_scanlines(&c, &rp, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(row);
	return 0;
}

/* A frame as YUYV of w x h, in a new buffer. */
static int
yuyv_encode(const unsigned char *frame, uint32_t w, uint32_t h,
    unsigned char **out, unsigned long *len)
{
	unsigned char *row;
	uint32_t y;

	*len = 2 * (unsigned long)w * h;
	if ((*out = malloc(*len)) == NULL || (row = malloc(3 * (size_t)w)) ==
	    NULL) {
		free(*out);
		return -1;
	}
	for (y = 0; y < h; y++) {
		rgb_row(row, frame, y, w, h);
		yuyv_row(*out + (size_t)y * 2 * w, row, w);
	}
	free(row);
	return 0;
}

static void
cache_free(void)
{
	long i;

	for (i = 0; i < fc.n; i++)
		free(fc.data[i]);
	free(fc.data);
	free(fc.len);
	memset(&fc, 0, sizeof(fc));
}

/*
 * Have every frame in format pf at w x h, converted once when streaming
 * starts, so that a frame costs the program a copy only.
 */
static int
cache_make(uint32_t pf, uint32_t w, uint32_t h)
{
	size_t fsz = (size_t)cfg.w * cfg.h * 3;
	const unsigned char *frame;
	int r;

	if (fc.fmt == pf && fc.n == cfg.nframe && fc.w == w && fc.h == h)
		return 0;
	cache_free();
	fc.data = calloc(cfg.nframe, sizeof(fc.data[0]));
	fc.len = calloc(cfg.nframe, sizeof(fc.len[0]));
	if (fc.data == NULL || fc.len == NULL) {
		cache_free();
		return -1;
	}
	fc.fmt = pf;
	fc.w = w;
	fc.h = h;
	for (fc.n = 0; fc.n < cfg.nframe; fc.n++) {
		frame = cfg.rgb + fc.n * fsz;
		if (pf == V4L2_PIX_FMT_MJPEG)
			r = jpeg_encode(frame, w, h, &fc.data[fc.n],
			    &fc.len[fc.n]);
		else
			r = yuyv_encode(frame, w, h, &fc.data[fc.n],
			    &fc.len[fc.n]);
		if (r == -1) {
			cache_free();
			fprintf(stderr, "fakecam: cannot convert frames\n");
			return -1;
		}
	}
	return 0;
}

/* ---- the device: formats ---- */

static int
fmt_offered(uint32_t pf)
{
	int i;

	for (i = 0; i < cfg.nfmt; i++)
		if (cfg.fmt[i] == pf)
			return 1;
	return 0;
}

static const char *
fmt_desc(uint32_t pf)
{
	size_t i;

	for (i = 0; i < sizeof(fmtnames) / sizeof(fmtnames[0]); i++)
		if (fmtnames[i].fourcc == pf)
			return fmtnames[i].desc;
	return "?";
}

/* The offered size nearest w x h, by uvcvideo's measure. */
static struct size
size_nearest(uint32_t w, uint32_t h)
{
	uint64_t d, best = UINT64_MAX, ow, oh;
	int i, bi = 0;

	for (i = 0; i < cfg.nsize; i++) {
		ow = cfg.size[i].w;
		oh = cfg.size[i].h;
		d = (ow < w ? ow : w) * (oh < h ? oh : h);
		d = ow * oh + (uint64_t)w * h - 2 * d;
		if (d < best) {
			best = d;
			bi = i;
		}
	}
	return cfg.size[bi];
}

static void
fmt_fill(struct v4l2_pix_format *pix, uint32_t pf, struct size sz)
{
	memset(pix, 0, sizeof(*pix));
	pix->width = sz.w;
	pix->height = sz.h;
	pix->pixelformat = pf;
	pix->field = V4L2_FIELD_NONE;
	if (pf == V4L2_PIX_FMT_YUYV) {
		pix->bytesperline = 2 * sz.w;
		pix->sizeimage = 2 * sz.w * sz.h;
	} else if (pf == V4L2_PIX_FMT_MJPEG)
		pix->sizeimage = 3 * sz.w * sz.h + 4096;
	else
		pix->sizeimage = 2 * sz.w * sz.h;
	pix->colorspace = V4L2_COLORSPACE_SRGB;
	pix->priv = V4L2_PIX_FMT_PRIV_MAGIC;
	pix->ycbcr_enc = V4L2_YCBCR_ENC_601;
	pix->quantization = V4L2_QUANTIZATION_FULL_RANGE;
	pix->xfer_func = V4L2_XFER_FUNC_SRGB;
}

static int
captype(uint32_t type)
{
	return type == V4L2_BUF_TYPE_VIDEO_CAPTURE && cfg.fail != FAIL_NOTCAP;
}

/* ---- the device: frames and readiness ---- */

static int
buf_oldest(struct dev *d, int state)
{
	int i, bi = -1;

	for (i = 0; i < d->nbuf; i++)
		if (d->buf[i].state == state &&
		    (bi == -1 || d->buf[i].order < d->buf[bi].order))
			bi = i;
	return bi;
}

/* Would the next frame time change anything? */
static int
tick_wanted(struct dev *d)
{
	if (!d->streaming || d->vanished)
		return 0;
	if (cfg.fail == FAIL_STALL && d->delivered >= cfg.failn)
		return 0;
	if (cfg.fail == FAIL_VANISH && d->delivered >= cfg.failn)
		return buf_oldest(d, B_DONE) == -1;
	return buf_oldest(d, B_QUEUED) != -1;
}

/* The frame of time t: into the oldest queued buffer, or an unplug. */
static void
tick(struct dev *d, long long t)
{
	struct buf *b;
	int i;

	if (cfg.fail == FAIL_VANISH && d->delivered >= cfg.failn) {
		d->vanished = 1;
		return;
	}
	i = buf_oldest(d, B_QUEUED);
	b = &d->buf[i];
	b->state = B_DONE;
	b->order = ++d->order;
	b->seq = d->seq++;
	b->ts = t;
	b->frame = d->delivered++;
}

/* Make every frame due by now. */
static void
dev_advance(struct dev *d)
{
	long long now, k;

	if (!d->streaming || d->vanished)
		return;
	now = now_ns();
	if (cfg.period == 0) {
		while (tick_wanted(d))
			tick(d, now);
		return;
	}
	while (d->next <= now && !d->vanished) {
		if (tick_wanted(d)) {
			tick(d, d->next);
			d->next += cfg.period;
		} else {	/* frames nobody takes: dropped */
			k = (now - d->next) / cfg.period + 1;
			d->seq += k;
			d->next += k * cfg.period;
		}
	}
}

static void
ev_set(struct dev *d, int on)
{
	uint64_t v = 1;

	if (on && !d->evset && write(d->efd, &v, sizeof(v)) == sizeof(v))
		d->evset = 1;
	else if (!on && d->evset) {
		(void)real_read(d->efd, &v, sizeof(v));
		d->evset = 0;
	}
}

/* Arm the timerfd at time at, or stop it (0). */
static void
timer_set(struct dev *d, long long at)
{
	struct itimerspec its;
	uint64_t v;

	if (at == d->armed)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = at / NSEC;
	its.it_value.tv_nsec = at % NSEC;
	timerfd_settime(d->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	(void)real_read(d->tfd, &v, sizeof(v));
	d->armed = at;
}

/* Make the fd readable exactly when vb2's poll would report it. */
static void
dev_sync(struct dev *d)
{
	int ready;

	ready = d->vanished || !d->streaming || buf_oldest(d, B_DONE) != -1;
	ev_set(d, ready);
	if (!ready && cfg.period > 0 && tick_wanted(d))
		timer_set(d, d->next);
	else
		timer_set(d, 0);
}

/* ---- the device: buffers ---- */

static void
bufs_free(struct dev *d)
{
	if (d->mem != NULL)
		real_munmap(d->mem, d->nbuf * d->buflen);
	if (d->mfd != -1)
		real_close(d->mfd);
	d->mem = NULL;
	d->mfd = -1;
	d->nbuf = 0;
}

static int
bufs_alloc(struct dev *d, int n)
{
	size_t pg = sysconf(_SC_PAGESIZE);

	d->buflen = (d->pix.sizeimage + pg - 1) / pg * pg;
	if ((d->mfd = memfd_create("fakecam", MFD_CLOEXEC)) == -1)
		return -1;
	if (ftruncate(d->mfd, n * d->buflen) == -1 ||
	    (d->mem = real_mmap(NULL, n * d->buflen, PROT_READ | PROT_WRITE,
	    MAP_SHARED, d->mfd, 0)) == MAP_FAILED) {
		d->mem = NULL;
		bufs_free(d);
		return -1;
	}
	memset(d->buf, 0, sizeof(d->buf));
	d->nbuf = n;
	return 0;
}

static int
bufs_mapped(struct dev *d)
{
	int i;

	for (i = 0; i < d->nbuf; i++)
		if (d->buf[i].nmap > 0)
			return 1;
	return 0;
}

/* Put buffer i's frame into it, in the format set (zeros if unknown). */
static void
buf_fill(struct dev *d, int i)
{
	struct buf *b = &d->buf[i];
	unsigned char *p = d->mem + i * d->buflen;
	long k = b->frame % cfg.nframe;

	b->used = d->pix.sizeimage;
	if (fc.fmt == d->pix.pixelformat && k < fc.n &&
	    fc.w == d->pix.width && fc.h == d->pix.height) {
		if (fc.len[k] < b->used)
			b->used = fc.len[k];
		memcpy(p, fc.data[k], b->used);
	} else
		memset(p, 0, b->used);
}

static void
buf_describe(struct dev *d, int i, struct v4l2_buffer *vb)
{
	struct buf *b = &d->buf[i];

	memset(vb, 0, sizeof(*vb));
	vb->index = i;
	vb->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	vb->memory = V4L2_MEMORY_MMAP;
	vb->m.offset = i * d->buflen;
	vb->length = d->pix.sizeimage;
	vb->field = V4L2_FIELD_NONE;
	vb->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC |
	    V4L2_BUF_FLAG_TSTAMP_SRC_SOE;
	if (b->nmap > 0)
		vb->flags |= V4L2_BUF_FLAG_MAPPED;
	if (b->state == B_QUEUED)
		vb->flags |= V4L2_BUF_FLAG_QUEUED;
	if (b->state == B_DONE)
		vb->flags |= V4L2_BUF_FLAG_DONE;
	if (b->state != B_QUEUED && b->ts != 0) {
		vb->bytesused = b->used;
		vb->sequence = b->seq;
		vb->timestamp.tv_sec = b->ts / NSEC;
		vb->timestamp.tv_usec = b->ts % NSEC / 1000;
	}
}

/* ---- the device: ioctls; each returns 0 or -errno ---- */

static int
vi_querycap(struct v4l2_capability *c)
{
	memset(c, 0, sizeof(*c));
	snprintf((char *)c->driver, sizeof(c->driver), "fakecam");
	snprintf((char *)c->card, sizeof(c->card), "digitpipe fake camera");
	snprintf((char *)c->bus_info, sizeof(c->bus_info), "platform:fakecam");
	c->version = LINUX_VERSION_CODE;
	if (cfg.fail == FAIL_NOTCAP)
		c->device_caps = V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_STREAMING;
	else
		c->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING |
		    V4L2_CAP_EXT_PIX_FORMAT;
	c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
	fc_log("querycap");
	return 0;
}

static int
vi_enum_fmt(struct v4l2_fmtdesc *f)
{
	uint32_t index = f->index, type = f->type, pf;

	if (!captype(type) || index >= (uint32_t)cfg.nfmt)
		return -EINVAL;
	pf = cfg.fmt[index];
	memset(f, 0, sizeof(*f));
	f->index = index;
	f->type = type;
	if (pf != V4L2_PIX_FMT_YUYV)
		f->flags = V4L2_FMT_FLAG_COMPRESSED;
	snprintf((char *)f->description, sizeof(f->description), "%s",
	    fmt_desc(pf));
	f->pixelformat = pf;
	return 0;
}

static int
vi_enum_framesizes(struct v4l2_frmsizeenum *fs)
{
	uint32_t index = fs->index, pf = fs->pixel_format;

	if (!fmt_offered(pf) || index >= (uint32_t)cfg.nsize ||
	    cfg.fail == FAIL_NOTCAP)
		return -EINVAL;
	memset(fs, 0, sizeof(*fs));
	fs->index = index;
	fs->pixel_format = pf;
	fs->type = V4L2_FRMSIZE_TYPE_DISCRETE;
	fs->discrete.width = cfg.size[index].w;
	fs->discrete.height = cfg.size[index].h;
	return 0;
}

static int
vi_enum_frameintervals(struct v4l2_frmivalenum *fi)
{
	struct size sz;

	if (!fmt_offered(fi->pixel_format) || fi->index != 0 ||
	    cfg.fail == FAIL_NOTCAP)
		return -EINVAL;
	sz = size_nearest(fi->width, fi->height);
	if (sz.w != fi->width || sz.h != fi->height)
		return -EINVAL;
	fi->type = V4L2_FRMIVAL_TYPE_DISCRETE;
	fi->discrete.numerator = cfg.tpfnum;
	fi->discrete.denominator = cfg.tpfden;
	memset(fi->reserved, 0, sizeof(fi->reserved));
	return 0;
}

static int
vi_g_fmt(struct dev *d, struct v4l2_format *f)
{
	if (!captype(f->type))
		return -EINVAL;
	f->fmt.pix = d->pix;
	return 0;
}

static int
vi_try_fmt(struct dev *d, struct v4l2_format *f, int set)
{
	struct v4l2_pix_format *pix = &f->fmt.pix;
	uint32_t pf;
	char cc[5];

	if (!captype(f->type))
		return -EINVAL;
	if (set && cfg.fail == FAIL_BUSY)
		return -EBUSY;
	if (set && d->nbuf > 0)
		return -EBUSY;
	pf = fmt_offered(pix->pixelformat) ? pix->pixelformat : cfg.fmt[0];
	fmt_fill(pix, pf, size_nearest(pix->width, pix->height));
	if (!set)
		return 0;
	d->pix = *pix;
	memcpy(cc, &pf, 4);
	cc[4] = '\0';
	fc_log("s_fmt %ux%u %s", pix->width, pix->height, cc);
	return 0;
}

static int
vi_parm(struct v4l2_streamparm *p)
{
	if (!captype(p->type))
		return -EINVAL;
	memset(&p->parm, 0, sizeof(p->parm));
	p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
	p->parm.capture.timeperframe.numerator = cfg.tpfnum;
	p->parm.capture.timeperframe.denominator = cfg.tpfden;
	return 0;
}

static int
vi_reqbufs(struct dev *d, struct v4l2_requestbuffers *rb)
{
	uint32_t n;

	if (!captype(rb->type) || rb->memory != V4L2_MEMORY_MMAP)
		return -EINVAL;
	if (cfg.fail == FAIL_BUSY || d->streaming || bufs_mapped(d))
		return -EBUSY;
	bufs_free(d);
	n = rb->count < NBUF ? rb->count : NBUF;
	if (n > 0 && bufs_alloc(d, n) == -1)
		return -ENOMEM;
	rb->count = n;
	rb->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
	memset(rb->reserved, 0, sizeof(rb->reserved));
	fc_log("reqbufs %u", n);
	return 0;
}

static int
vi_querybuf(struct dev *d, struct v4l2_buffer *vb)
{
	if (!captype(vb->type) || vb->index >= (uint32_t)d->nbuf)
		return -EINVAL;
	buf_describe(d, vb->index, vb);
	return 0;
}

static int
vi_qbuf(struct dev *d, struct v4l2_buffer *vb)
{
	struct buf *b;

	if (!captype(vb->type) || vb->memory != V4L2_MEMORY_MMAP ||
	    vb->index >= (uint32_t)d->nbuf)
		return -EINVAL;
	b = &d->buf[vb->index];
	if (b->state != B_DEQUEUED)
		return -EINVAL;
	b->state = B_QUEUED;
	b->order = ++d->order;
	buf_describe(d, vb->index, vb);
	return 0;
}

static int
vi_dqbuf(struct dev *d, struct v4l2_buffer *vb)
{
	int i;

	if (!captype(vb->type) || vb->memory != V4L2_MEMORY_MMAP ||
	    !d->streaming)
		return -EINVAL;
	if ((i = buf_oldest(d, B_DONE)) == -1)
		return -EAGAIN;
	buf_fill(d, i);
	d->buf[i].state = B_DEQUEUED;
	buf_describe(d, i, vb);
	fc_log("frame %u %lld", d->buf[i].seq, d->buf[i].ts);
	return 0;
}

static int
vi_streamon(struct dev *d, const int *type)
{
	if (!captype(*type))
		return -EINVAL;
	if (cfg.fail == FAIL_BUSY)
		return -EBUSY;
	if (d->nbuf == 0)
		return -EINVAL;
	if (d->streaming)
		return 0;
	if ((d->pix.pixelformat == V4L2_PIX_FMT_MJPEG ||
	    d->pix.pixelformat == V4L2_PIX_FMT_YUYV) &&
	    cache_make(d->pix.pixelformat, d->pix.width, d->pix.height) == -1)
		return -ENOMEM;
	d->streaming = 1;
	d->seq = 0;
	d->next = now_ns() + cfg.period;
	fc_log("streamon");
	return 0;
}

static int
vi_streamoff(struct dev *d, const int *type)
{
	int i;

	if (!captype(*type))
		return -EINVAL;
	for (i = 0; i < d->nbuf; i++)
		d->buf[i].state = B_DEQUEUED;
	d->streaming = 0;
	fc_log("streamoff");
	return 0;
}

static int
vi_input(unsigned long req, void *arg)
{
	struct v4l2_input *in = arg;
	uint32_t index;

	if (cfg.fail == FAIL_NOTCAP)
		return -ENOTTY;
	switch (req) {
	case VIDIOC_ENUMINPUT:
		if ((index = in->index) != 0)
			return -EINVAL;
		memset(in, 0, sizeof(*in));
		snprintf((char *)in->name, sizeof(in->name), "Camera 1");
		in->type = V4L2_INPUT_TYPE_CAMERA;
		return 0;
	case VIDIOC_G_INPUT:
		*(int *)arg = 0;
		return 0;
	default:	/* VIDIOC_S_INPUT */
		return *(int *)arg == 0 ? 0 : -EINVAL;
	}
}

/* Cropping is not supported: the bounds are the frame, as uvcvideo says. */
static int
vi_selection(struct dev *d, unsigned long req, void *arg)
{
	struct v4l2_selection *sel = arg;
	struct v4l2_cropcap *cc = arg;

	if (req == VIDIOC_CROPCAP) {
		if (!captype(cc->type))
			return -EINVAL;
		cc->bounds.left = cc->bounds.top = 0;
		cc->bounds.width = d->pix.width;
		cc->bounds.height = d->pix.height;
		cc->defrect = cc->bounds;
		cc->pixelaspect.numerator = cc->pixelaspect.denominator = 1;
		return 0;
	}
	if (!captype(sel->type) || (sel->target != V4L2_SEL_TGT_CROP_DEFAULT &&
	    sel->target != V4L2_SEL_TGT_CROP_BOUNDS))
		return -EINVAL;
	sel->r.left = sel->r.top = 0;
	sel->r.width = d->pix.width;
	sel->r.height = d->pix.height;
	return 0;
}

static int
vi_other(unsigned long req, void *arg)
{
	switch (req) {
	case VIDIOC_G_PRIORITY:
		*(uint32_t *)arg = V4L2_PRIORITY_DEFAULT;
		return 0;
	case VIDIOC_S_PRIORITY:
		return *(uint32_t *)arg <= V4L2_PRIORITY_RECORD ? 0 : -EINVAL;
	case VIDIOC_QUERYCTRL:
	case VIDIOC_QUERY_EXT_CTRL:
	case VIDIOC_QUERYMENU:
	case VIDIOC_G_CTRL:
	case VIDIOC_S_CTRL:
	case VIDIOC_G_EXT_CTRLS:
	case VIDIOC_S_EXT_CTRLS:
	case VIDIOC_TRY_EXT_CTRLS:
		return -EINVAL;	/* no controls */
	}
	if (cfg.debug)
		fprintf(stderr, "fakecam: unknown ioctl 0x%08lx ('%c', %lu)\n",
		    req, (int)_IOC_TYPE(req), (unsigned long)_IOC_NR(req));
	return -ENOTTY;
}

static int
vi_dispatch(struct dev *d, unsigned long req, void *arg)
{
	switch (req) {
	case VIDIOC_QUERYCAP:
		return vi_querycap(arg);
	case VIDIOC_ENUM_FMT:
		return vi_enum_fmt(arg);
	case VIDIOC_ENUM_FRAMESIZES:
		return vi_enum_framesizes(arg);
	case VIDIOC_ENUM_FRAMEINTERVALS:
		return vi_enum_frameintervals(arg);
	case VIDIOC_G_FMT:
		return vi_g_fmt(d, arg);
	case VIDIOC_TRY_FMT:
		return vi_try_fmt(d, arg, 0);
	case VIDIOC_S_FMT:
		return vi_try_fmt(d, arg, 1);
	case VIDIOC_G_PARM:
	case VIDIOC_S_PARM:
		return vi_parm(arg);
	case VIDIOC_REQBUFS:
		return vi_reqbufs(d, arg);
	case VIDIOC_QUERYBUF:
		return vi_querybuf(d, arg);
	case VIDIOC_QBUF:
		return vi_qbuf(d, arg);
	case VIDIOC_DQBUF:
		return vi_dqbuf(d, arg);
	case VIDIOC_STREAMON:
		return vi_streamon(d, arg);
	case VIDIOC_STREAMOFF:
		return vi_streamoff(d, arg);
	case VIDIOC_ENUMINPUT:
	case VIDIOC_G_INPUT:
	case VIDIOC_S_INPUT:
		return vi_input(req, arg);
	case VIDIOC_CROPCAP:
	case VIDIOC_G_SELECTION:
		return vi_selection(d, req, arg);
	}
	return vi_other(req, arg);
}

static int
dev_ioctl(struct dev *d, unsigned long req, void *arg)
{
	int r;

	if (arg == NULL)
		return -EFAULT;
	dev_advance(d);
	if (d->vanished)
		r = -ENODEV;
	else {
		r = vi_dispatch(d, req, arg);
		dev_advance(d);
	}
	dev_sync(d);
	return r;
}

/* ---- the interposed calls ---- */

/* Lock held. */
static struct dev *
dev_find(int fd)
{
	int i;

	if (fd < 0)
		return NULL;
	for (i = 0; i < NDEV; i++)
		if (devs[i] != NULL && devs[i]->fd == fd)
			return devs[i];
	return NULL;
}

static void
dev_free(struct dev *d)
{
	bufs_free(d);
	if (d->efd != -1)
		real_close(d->efd);
	if (d->tfd != -1)
		real_close(d->tfd);
	free(d);
}

static struct dev *
dev_new(int flags)
{
	struct epoll_event ev;
	struct dev *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->mfd = -1;
	d->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->fd = epoll_create1(flags & O_CLOEXEC ? EPOLL_CLOEXEC : 0);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (d->efd == -1 || d->tfd == -1 || d->fd == -1 ||
	    epoll_ctl(d->fd, EPOLL_CTL_ADD, d->efd, &ev) == -1 ||
	    epoll_ctl(d->fd, EPOLL_CTL_ADD, d->tfd, &ev) == -1 ||
	    ((flags & O_NONBLOCK) && fcntl(d->fd, F_SETFL, O_NONBLOCK) == -1)) {
		if (d->fd != -1)
			real_close(d->fd);
		dev_free(d);
		return NULL;
	}
	fmt_fill(&d->pix, cfg.fmt[0], cfg.size[0]);
	dev_sync(d);
	return d;
}

/* Open the camera: its fd, or -1 and errno. */
static int
dev_open(int flags)
{
	struct dev *d;
	int i, fd = -1;

	pthread_mutex_lock(&lock);
	if (cfg_load() == -1) {
		fprintf(stderr, "fakecam: %s\n", cfg.err);
		errno = EIO;
	} else if (cfg.fail == FAIL_OPEN)
		errno = EACCES;
	else {
		for (i = 0; i < NDEV && devs[i] != NULL; i++)
			;
		if (i == NDEV)
			errno = EMFILE;
		else if ((d = dev_new(flags)) != NULL) {
			devs[i] = d;
			__atomic_add_fetch(&ndev, 1, __ATOMIC_SEQ_CST);
			fd = d->fd;
			fc_log("open");
		}
	}
	pthread_mutex_unlock(&lock);
	return fd;
}

/* 1 if path is the camera's, with its fd or -1 in *fdp; 0 otherwise. */
static int
fc_open(int dirfd, const char *path, int flags, int *fdp)
{
	const char *dev;

	real_init();
	dev = getenv("FAKECAM_DEVICE");
	if (dev == NULL || *dev == '\0' || path == NULL ||
	    strcmp(path, dev) != 0 || (path[0] != '/' && dirfd != AT_FDCWD))
		return 0;
	*fdp = dev_open(flags);
	return 1;
}

/* 1 and *rp if fd is a camera's; 0 otherwise. */
static int
fc_close(int fd, int *rp)
{
	struct dev *d;
	int i;

	real_init();
	if (__atomic_load_n(&ndev, __ATOMIC_SEQ_CST) == 0)
		return 0;
	pthread_mutex_lock(&lock);
	if ((d = dev_find(fd)) == NULL) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	for (i = 0; i < NDEV; i++)
		if (devs[i] == d)
			devs[i] = NULL;
	__atomic_sub_fetch(&ndev, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < NMAP; i++)
		if (maps[i].d == d)
			maps[i].d = NULL;
	*rp = real_close(d->fd);
	dev_free(d);
	fc_log("close");
	pthread_mutex_unlock(&lock);
	return 1;
}

static int
dev_blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl != -1 && !(fl & O_NONBLOCK);
}

/* 1 and *rp if fd is a camera's; 0 otherwise. */
static int
fc_ioctl(int fd, unsigned long req, void *arg, int *rp)
{
	struct pollfd pfd;
	struct dev *d;
	int r;

	real_init();
	if (__atomic_load_n(&ndev, __ATOMIC_SEQ_CST) == 0)
		return 0;
	req = (unsigned int)req;
	pthread_mutex_lock(&lock);
	if ((d = dev_find(fd)) == NULL) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	r = dev_ioctl(d, req, arg);
	/* A blocking DQBUF waits for a frame that is to come. */
	while (r == -EAGAIN && req == VIDIOC_DQBUF && dev_blocking(fd) &&
	    tick_wanted(d)) {
		pthread_mutex_unlock(&lock);
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, -1);
		pthread_mutex_lock(&lock);
		if (r == -1) {
			r = -errno;
			break;
		}
		if ((d = dev_find(fd)) == NULL) {
			r = -EBADF;
			break;
		}
		r = dev_ioctl(d, req, arg);
	}
	pthread_mutex_unlock(&lock);
	if (r < 0) {
		errno = -r;
		r = -1;
	}
	*rp = r;
	return 1;
}

/* 1 and *rp if fd is a camera's; 0 otherwise. */
static int
fc_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
    void **rp)
{
	struct dev *d;
	void *p = MAP_FAILED;
	int i, err = EINVAL;

	real_init();
	if (__atomic_load_n(&ndev, __ATOMIC_SEQ_CST) == 0)
		return 0;
	pthread_mutex_lock(&lock);
	if ((d = dev_find(fd)) == NULL) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	dev_advance(d);
	i = d->buflen > 0 && off >= 0 ? (int)(off / d->buflen) : -1;
	if (d->vanished)
		err = ENODEV;
	else if ((flags & MAP_SHARED) && i >= 0 && i < d->nbuf &&
	    (size_t)off == i * d->buflen && len > 0 && len <= d->buflen) {
		if ((p = real_mmap(addr, len, prot, flags, d->mfd, off)) ==
		    MAP_FAILED)
			err = errno;
	}
	if (p != MAP_FAILED) {
		d->buf[i].nmap++;
		for (i = 0; i < NMAP && maps[i].addr != NULL; i++)
			;
		if (i < NMAP) {
			maps[i].addr = p;
			maps[i].d = d;
			maps[i].idx = off / d->buflen;
			__atomic_add_fetch(&nmaps, 1, __ATOMIC_SEQ_CST);
		}
	}
	pthread_mutex_unlock(&lock);
	if (p == MAP_FAILED)
		errno = err;
	*rp = p;
	return 1;
}

/* Forget a mapping of a camera's buffer. */
static void
fc_munmap(void *addr)
{
	int i;

	real_init();
	if (__atomic_load_n(&nmaps, __ATOMIC_SEQ_CST) == 0)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < NMAP; i++)
		if (maps[i].addr == addr) {
			if (maps[i].d != NULL)
				maps[i].d->buf[maps[i].idx].nmap--;
			maps[i].addr = NULL;
			maps[i].d = NULL;
			__atomic_sub_fetch(&nmaps, 1, __ATOMIC_SEQ_CST);
			break;
		}
	pthread_mutex_unlock(&lock);
}

/* 1 and *rp if fd is a camera's: no read(2) I/O. */
static int
fc_read(int fd, ssize_t *rp)
{
	struct dev *d;

	real_init();
	if (__atomic_load_n(&ndev, __ATOMIC_SEQ_CST) == 0)
		return 0;
	pthread_mutex_lock(&lock);
	if ((d = dev_find(fd)) == NULL) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	dev_advance(d);
	errno = d->vanished ? ENODEV : EINVAL;
	pthread_mutex_unlock(&lock);
	*rp = -1;
	return 1;
}

/* ---- the device node, for programs that look at it (v4l2-ctl) ---- */

#define V4L_MAJOR	81

static const char *
node_path(void)
{
	const char *dev = getenv("FAKECAM_DEVICE");

	return dev != NULL && *dev != '\0' ? dev : NULL;
}

/* The minor number: the path's trailing digits, as in /dev/video7. */
static unsigned int
node_minor(const char *dev)
{
	const char *p = dev + strlen(dev);

	while (p > dev && isdigit((unsigned char)p[-1]))
		p--;
	return strtoul(p, NULL, 10) % 256;
}

/* 1 if path is the camera's: a character device, 81:minor. */
static int
fc_stat(const char *path, struct stat *st)
{
	const char *dev;

	real_init();
	if ((dev = node_path()) == NULL || path == NULL ||
	    strcmp(path, dev) != 0)
		return 0;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0660;
	st->st_nlink = 1;
	st->st_rdev = makedev(V4L_MAJOR, node_minor(dev));
	st->st_blksize = 4096;
	return 1;
}

/* The node's sysfs uevent file, if path is its name; else NULL. */
static FILE *
fc_uevent(const char *path)
{
	char want[64], text[64];
	const char *dev;
	unsigned int minor;
	FILE *fp;
	int fd, n;

	real_init();
	if ((dev = node_path()) == NULL || path == NULL)
		return NULL;
	minor = node_minor(dev);
	snprintf(want, sizeof(want), "/sys/dev/char/%d:%u/uevent", V4L_MAJOR,
	    minor);
	if (strcmp(path, want) != 0)
		return NULL;
	/* A real fd: libstdc++'s ifstream read(2)s the FILE's fd. */
	n = snprintf(text, sizeof(text),
	    "MAJOR=%d\nMINOR=%u\nDEVNAME=video%u\n", V4L_MAJOR, minor, minor);
	if ((fd = memfd_create("uevent", MFD_CLOEXEC)) == -1)
		return NULL;
	if (write(fd, text, n) != n || lseek(fd, 0, SEEK_SET) != 0 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		real_close(fd);
		return NULL;
	}
	return fp;
}

#define NEEDMODE(f)	(((f) & O_CREAT) || ((f) & O_TMPFILE) == O_TMPFILE)

static mode_t
va_mode(int flags, va_list ap)
{
	return NEEDMODE(flags) ? (mode_t)va_arg(ap, int) : 0;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	if (fc_open(AT_FDCWD, path, flags, &fd))
		return fd;
	return real_open(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	if (fc_open(AT_FDCWD, path, flags, &fd))
		return fd;
	return real_open64(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	if (fc_open(dirfd, path, flags, &fd))
		return fd;
	return real_openat(dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	int fd;

	va_start(ap, flags);
	mode = va_mode(flags, ap);
	va_end(ap);
	if (fc_open(dirfd, path, flags, &fd))
		return fd;
	return real_openat64(dirfd, path, flags, mode);
}

int
__open_2(const char *path, int flags)
{
	int fd;

	if (fc_open(AT_FDCWD, path, flags, &fd))
		return fd;
	return real_open_2(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	int fd;

	if (fc_open(AT_FDCWD, path, flags, &fd))
		return fd;
	return real_open64_2(path, flags);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	int fd;

	if (fc_open(dirfd, path, flags, &fd))
		return fd;
	return real_openat_2(dirfd, path, flags);
}

int
__openat64_2(int dirfd, const char *path, int flags)
{
	int fd;

	if (fc_open(dirfd, path, flags, &fd))
		return fd;
	return real_openat64_2(dirfd, path, flags);
}

int
close(int fd)
{
	int r;

	if (fc_close(fd, &r))
		return r;
	return real_close(fd);
}

int
ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fc_ioctl(fd, req, arg, &r))
		return r;
	return real_ioctl(fd, req, arg);
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	if (fc_mmap(addr, len, prot, flags, fd, off, &p))
		return p;
	return real_mmap(addr, len, prot, flags, fd, off);
}

void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	void *p;

	if (fc_mmap(addr, len, prot, flags, fd, off, &p))
		return p;
	return real_mmap64(addr, len, prot, flags, fd, off);
}

int
munmap(void *addr, size_t len)
{
	fc_munmap(addr);
	return real_munmap(addr, len);
}

ssize_t
read(int fd, void *p, size_t n)
{
	ssize_t r;

	if (fc_read(fd, &r))
		return r;
	return real_read(fd, p, n);
}

/* libv4l2's way in: the calls above, by number. */
long
syscall(long nr, ...)
{
	va_list ap;
	long a[6], r;
	void *p;
	int i, ir;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	real_init();
	switch (nr) {
	case SYS_open:
		if (fc_open(AT_FDCWD, (const char *)a[0], a[1], &ir))
			return ir;
		break;
	case SYS_openat:
		if (fc_open(a[0], (const char *)a[1], a[2], &ir))
			return ir;
		break;
	case SYS_close:
		if (fc_close(a[0], &ir))
			return ir;
		break;
	case SYS_ioctl:
		if (fc_ioctl(a[0], a[1], (void *)a[2], &ir))
			return ir;
		break;
	case SYS_mmap:
		if (fc_mmap((void *)a[0], a[1], a[2], a[3], a[4], a[5], &p))
			return (long)p;
		break;
	case SYS_munmap:
		fc_munmap((void *)a[0]);
		break;
	case SYS_read:
		if (fc_read(a[0], &r))
			return r;
		break;
	}
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int
stat(const char *path, struct stat *st)
{
	if (fc_stat(path, st))
		return 0;
	return real_stat(path, st);
}

int
stat64(const char *path, struct stat64 *st)
{
	if (fc_stat(path, (struct stat *)st))
		return 0;
	return real_stat64(path, st);
}

FILE *
fopen(const char *path, const char *mode)
{
	FILE *fp;

	if ((fp = fc_uevent(path)) != NULL)
		return fp;
	return real_fopen(path, mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
	FILE *fp;

	if ((fp = fc_uevent(path)) != NULL)
		return fp;
	return real_fopen64(path, mode);
}
