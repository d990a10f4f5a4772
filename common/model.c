/* model: the digitcnn model file (digitcnn(5)): a text header naming the
 * architecture and the tensors, a CRC-32, then little-endian float32 data */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "model.h"
#include "util.h"

#define MAXHDR (1 << 20)        /* bytes of header at most */

extern const unsigned char builtin_model[], builtin_model_end[];

static int
little_endian(void)
{
	const uint32_t one = 1;

	return *(const unsigned char *)&one == 1;
}

/* A tensor's data as little-endian bytes (a copy if the host is not). */
static const void *
le_bytes(const float *p, long n, float **tmp)
{
	long i;

	*tmp = NULL;
	if (little_endian())
		return p;
	*tmp = xmalloc(n * sizeof(float));
	for (i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, &p[i], 4);
		u = __builtin_bswap32(u);
		memcpy(&(*tmp)[i], &u, 4);
	}
	return *tmp;
}

static void
add_line(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if ((size_t)n < *cap - *len)
			break;
		*cap = 2 * *cap + n;
		*buf = xrealloc(*buf, *cap);
	}
	*len += n;
}

static void
tensor_line(char **b, size_t *len, size_t *cap, const struct tensor *t)
{
	add_line(b, len, cap, "tensor %s %d %d %d %d\n", t->name, t->dim[0],
	    t->dim[1], t->dim[2], t->dim[3]);
}

/* The header text, up to and without the crc32 line. */
static char *
header(const struct net *n, const struct model_extra *x, size_t *len)
{
	size_t cap = 4096;
	char *b = xmalloc(cap);
	int i;

	*len = 0;
	add_line(&b, len, &cap, "%s %d\n", MODEL_MAGIC, MODEL_VERSION);
	add_line(&b, len, &cap, "arch %s\n", n->arch);
	add_line(&b, len, &cap, "input %d %d %d\n", n->in_c, n->in_h, n->in_w);
	add_line(&b, len, &cap, "labels %s\n", n->labels);
	for (i = 0; x && i < x->nkv; i++)
		add_line(&b, len, &cap, "state %s %s\n", x->key[i], x->val[i]);
	for (i = 0; i < n->nt; i++)
		tensor_line(&b, len, &cap, &n->t[i]);
	for (i = 0; x && i < x->nt; i++)
		tensor_line(&b, len, &cap, &x->t[i]);
	return b;
}

static uLong
data_crc(uLong crc, const struct tensor *t, int nt)
{
	float *tmp;
	const void *p;
	int i;

	for (i = 0; i < nt; i++) {
		p = le_bytes(t[i].p, t[i].n, &tmp);
		crc = crc32(crc, p, t[i].n * sizeof(float));
		free(tmp);
	}
	return crc;
}

static int
write_tensors(FILE *fp, const struct tensor *t, int nt)
{
	float *tmp;
	const void *p;
	size_t w;
	int i;

	for (i = 0; i < nt; i++) {
		p = le_bytes(t[i].p, t[i].n, &tmp);
		w = fwrite(p, sizeof(float), t[i].n, fp);
		free(tmp);
		if (w != (size_t)t[i].n)
			return -1;
	}
	return 0;
}

/* Write one net (and x) to fp. */
static int
write_one(FILE *fp, const struct net *n, const struct model_extra *x)
{
	size_t hl;
	char *h = header(n, x, &hl);
	uLong crc = crc32(0L, (const Bytef *)h, hl);
	int bad;

	crc = data_crc(crc, n->t, n->nt);
	if (x)
		crc = data_crc(crc, x->t, x->nt);
	bad = fwrite(h, 1, hl, fp) != hl;
	free(h);
	bad |= fprintf(fp, "crc32 %08lx\nend\n", (unsigned long)crc) < 0;
	bad |= write_tensors(fp, n->t, n->nt) < 0;
	if (x)
		bad |= write_tensors(fp, x->t, x->nt) < 0;
	return bad ? -1 : 0;
}

/* Write everything to the open temporary file fd: each net of an
 * ensemble in turn. */
static int
write_all(int fd, const struct net *n, const struct model_extra *x)
{
	FILE *fp = fdopen(fd, "wb");
	int bad = 0;

	if (fp == NULL) {
		close(fd);
		return -1;
	}
	for (; n; n = n->next)
		bad |= write_one(fp, n, x) < 0;
	bad |= fflush(fp) == EOF;
	bad |= fsync(fileno(fp)) < 0;
	bad |= fclose(fp) == EOF;
	return bad ? -1 : 0;
}

int
model_save(const char *path, const struct net *n, const struct model_extra *x,
    char *err, int errlen)
{
	char *tmp, *dcopy, *dir;
	int fd, dfd, e;
	struct stat st;

	if (x && n->next)
		return seterr(err, errlen, "%s: a checkpoint holds one net",
		    path);
	/* a rename would replace a device or a FIFO by a file */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return seterr(err, errlen, "%s: not a regular file", path);
	tmp = xmalloc(strlen(path) + 16);
	sprintf(tmp, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		e = errno;
		free(tmp);
		return seterr(err, errlen, "%s: %s", path, strerror(e));
	}
	fchmod(fd, 0644 & ~umask(umask(0)));
	if (write_all(fd, n, x) < 0 || rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		free(tmp);
		return seterr(err, errlen, "%s: %s", path, strerror(e));
	}
	free(tmp);
	dcopy = xstrdup(path);
	dir = dirname(dcopy);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dcopy);
	return 0;
}

/* The next header line of buf (from *pos), NUL-terminated in line. */
static int
next_line(const unsigned char *buf, size_t len, size_t *pos, char *line,
    size_t max)
{
	size_t i = 0;

	while (*pos < len && buf[*pos] != '\n') {
		if (i + 1 >= max || buf[*pos] == '\0')
			return -1;
		line[i++] = buf[(*pos)++];
	}
	if (*pos >= len)
		return -1;
	(*pos)++;
	line[i] = '\0';
	return 0;
}

struct parse {
	const char *name;
	char *err;
	int errlen;
	struct net *n;
	struct model_extra *x;
	int nt;                 /* tensors of the net seen */
	long nfloat;            /* floats the data must hold */
	size_t len;             /* bytes of the file */
	size_t used;            /* bytes of this net's, the header's and data's */
	struct tensor extra[MODEL_MAXX];
	int nx;
	unsigned long crc;
	int have_crc, have_input, have_labels, end;
};

static int
perr(struct parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return seterr(p->err, p->errlen, "%s: %s", p->name, msg);
}

static int
parse_tensor(struct parse *p, char *rest)
{
	char name[64];
	int d[4], i;
	long cnt = 1;
	struct tensor *t;

	if (sscanf(rest, "%63s %d %d %d %d", name, &d[0], &d[1], &d[2],
	    &d[3]) != 5)
		return perr(p, "bad tensor line '%s'", rest);
	if (strlen(name) >= sizeof(p->extra[0].name))
		return perr(p, "tensor name too long");
	for (i = 0; i < 4; i++) {
		if (d[i] < 1 || d[i] > 1 << 24 || cnt * d[i] > 1L << 28)
			return perr(p, "tensor %s: bad shape", name);
		cnt *= d[i];
	}
	if (p->nt < p->n->nt) {
		t = &p->n->t[p->nt];
		if (strcmp(t->name, name) != 0)
			return perr(p, "tensor %s where the architecture has %s",
			    name, t->name);
		if (memcmp(t->dim, d, sizeof(d)) != 0)
			return perr(p, "tensor %s is %dx%dx%dx%d, the architecture "
			    "wants %dx%dx%dx%d", name, d[0], d[1], d[2], d[3],
			    t->dim[0], t->dim[1], t->dim[2], t->dim[3]);
		p->nt++;
	} else {
		if (p->nx == MODEL_MAXX)
			return perr(p, "too many tensors");
		t = &p->extra[p->nx++];
		memset(t, 0, sizeof(*t));
		memcpy(t->name, name, strlen(name) + 1);
		memcpy(t->dim, d, sizeof(d));
		t->n = cnt;
	}
	p->nfloat += cnt;
	return 0;
}

static int
parse_first(struct parse *p, const char *line, char *rest)
{
	char word[16];
	int v;

	if (sscanf(line, "%15s %d", word, &v) != 2 || strcmp(word, MODEL_MAGIC))
		return perr(p, "not a digitcnn model file");
	if (v != MODEL_VERSION)
		return perr(p, "model file version %d; this program reads "
		    "version %d", v, MODEL_VERSION);
	(void)rest;
	return 0;
}

/* One header line after the first. */
static int
parse_line(struct parse *p, char *line)
{
	char *rest = strchr(line, ' '), e[256];
	int c, h, w;

	if (rest)
		*rest++ = '\0';
	else
		rest = line + strlen(line);
	if (p->n == NULL && strcmp(line, "arch") != 0)
		return perr(p, "'%s' before the arch line", line);
	if (p->have_crc && strcmp(line, "end") != 0)
		return perr(p, "'%s' after the crc32 line", line);
	if (strcmp(line, "arch") == 0) {
		if (p->n)
			return perr(p, "two arch lines");
		/* a small file must not make the reader allocate gigabytes:
		 * no net of more parameters than twice what the file holds
		 * (and a little), so that one a little off its tensors still
		 * gets the message that names the tensor */
		if ((p->n = net_new_max(rest, (long)(p->len / sizeof(float)) * 2 +
		    65536, e, sizeof(e))) == NULL)
			return perr(p, "bad architecture: %s (in a file of %zu "
			    "bytes)", e, p->len);
	} else if (strcmp(line, "input") == 0) {
		if (sscanf(rest, "%d %d %d", &c, &h, &w) != 3 || c != p->n->in_c ||
		    h != p->n->in_h || w != p->n->in_w)
			return perr(p, "input '%s' unsupported (want 1 28 28)", rest);
		p->have_input = 1;
	} else if (strcmp(line, "labels") == 0) {
		if ((int)strlen(rest) != p->n->nclass)
			return perr(p, "%zu labels for %d classes", strlen(rest),
			    p->n->nclass);
		strcpy(p->n->labels, rest);
		p->have_labels = 1;
	} else if (strcmp(line, "state") == 0) {
		char *val = strchr(rest, ' ');

		if (val == NULL)
			return perr(p, "bad state line");
		*val++ = '\0';
		if (p->x)
			model_extra_set(p->x, rest, val);
	} else if (strcmp(line, "tensor") == 0)
		return parse_tensor(p, rest);
	else if (strcmp(line, "crc32") == 0) {
		if (!p->have_input || !p->have_labels)
			return perr(p, "no %s line", p->have_input ? "labels" : "input");
		if (sscanf(rest, "%lx", &p->crc) != 1)
			return perr(p, "bad crc32 line");
		p->have_crc = 1;
	} else if (strcmp(line, "end") == 0)
		p->end = 1;
	else
		return perr(p, "unknown header line '%s'", line);
	return 0;
}

/* Copy little-endian floats into t. */
static const unsigned char *
take(struct tensor *t, const unsigned char *d)
{
	long i;

	memcpy(t->p, d, t->n * sizeof(float));
	if (!little_endian())
		for (i = 0; i < t->n; i++) {
			uint32_t u;

			memcpy(&u, &t->p[i], 4);
			u = __builtin_bswap32(u);
			memcpy(&t->p[i], &u, 4);
		}
	return d + t->n * sizeof(float);
}

static int
parse_data(struct parse *p, const unsigned char *buf, size_t len, size_t hdr,
    size_t crcpos)
{
	const unsigned char *d = buf + hdr;
	uLong crc;
	int i;

	if (p->nt < p->n->nt)
		return perr(p, "tensor %s missing", p->n->t[p->nt].name);
	if (!p->have_crc)
		return perr(p, "no crc32 line");
	if (len - hdr < (size_t)p->nfloat * 4)
		return perr(p, "truncated: %zu of %ld data bytes", len - hdr,
		    p->nfloat * 4);
	if (len - hdr > (size_t)p->nfloat * 4 && (len - hdr - p->nfloat * 4 <
	    strlen(MODEL_MAGIC) || memcmp(d + p->nfloat * 4, MODEL_MAGIC,
	    strlen(MODEL_MAGIC)) != 0))
		return perr(p, "%zu bytes of junk after the data",
		    len - hdr - p->nfloat * 4);
	p->used = hdr + p->nfloat * 4;
	crc = crc32(0L, buf, crcpos);
	crc = crc32(crc, d, p->nfloat * 4);
	if (crc != p->crc)
		return perr(p, "checksum mismatch: the file is corrupted");
	for (i = 0; i < p->n->nt; i++)
		d = take(&p->n->t[i], d);
	for (i = 0; i < p->nx; i++) {
		p->extra[i].p = xfloats(p->extra[i].n);
		d = take(&p->extra[i], d);
		if (p->x && p->x->nt < MODEL_MAXX)
			p->x->t[p->x->nt++] = p->extra[i];
		else
			free(p->extra[i].p);
	}
	return 0;
}

/* One net of a model file at buf; *used its bytes. */
static struct net *
load_one(const unsigned char *buf, size_t len, const char *name,
    struct model_extra *x, char *err, int errlen, size_t *used)
{
	struct parse p;
	char line[8192];
	size_t pos = 0, crcpos = 0;
	int first = 1;

	memset(&p, 0, sizeof(p));
	p.name = name, p.err = err, p.errlen = errlen, p.x = x, p.len = len;
	while (!p.end) {
		size_t at = pos;

		if (pos > MAXHDR || next_line(buf, len, &pos, line, sizeof(line))) {
			if (first)
				perr(&p, "not a digitcnn model file");
			else
				perr(&p, "truncated or bad header");
			goto bad;
		}
		if (first ? parse_first(&p, line, NULL) : parse_line(&p, line))
			goto bad;
		if (!first && strncmp(line, "crc32", 5) == 0)
			crcpos = at;
		first = 0;
	}
	if (parse_data(&p, buf, len, pos, crcpos) < 0)
		goto bad;
	*used = p.used;
	return p.n;
bad:
	net_free(p.n);
	if (x)
		model_extra_free(x);
	return NULL;
}

struct net *
model_load_mem(const unsigned char *buf, size_t len, const char *name,
    struct model_extra *x, char *err, int errlen)
{
	struct net *n, *m, **tail;
	size_t pos, used = 0;
	int k = 1;

	if ((n = load_one(buf, len, name, x, err, errlen, &used)) == NULL)
		return NULL;
	/* the nets of an ensemble follow the first, each a whole model */
	for (pos = used, tail = &n->next; pos < len; pos += used, k++) {
		char sub[512];

		snprintf(sub, sizeof(sub), "%s, net %d", name, k + 1);
		if (x) {
			seterr(err, errlen, "%s: holds several nets, and a "
			    "checkpoint is one", name);
			break;
		}
		if ((m = load_one(buf + pos, len - pos, sub, NULL, err, errlen,
		    &used)) == NULL)
			break;
		*tail = m, tail = &m->next;
		if (m->in_c != n->in_c || m->in_h != n->in_h ||
		    m->in_w != n->in_w || m->nclass != n->nclass ||
		    strcmp(m->labels, n->labels) != 0) {
			seterr(err, errlen, "%s: its input or classes are not "
			    "those of net 1", sub);
			break;
		}
	}
	if (pos < len) {
		net_free(n);
		if (x)
			model_extra_free(x);
		return NULL;
	}
	return n;
}

struct net *
model_load(const char *path, struct model_extra *x, char *err, int errlen)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	struct net *n;
	struct stat st;
	size_t len;

	if (fp == NULL || fstat(fileno(fp), &st) < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		if (fp)
			fclose(fp);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (1L << 30)) {
		seterr(err, errlen, "%s: %s", path, S_ISDIR(st.st_mode) ?
		    "is a directory" : "not a model file");
		fclose(fp);
		return NULL;
	}
	buf = xmalloc(st.st_size + 1);
	len = fread(buf, 1, st.st_size, fp);
	if (ferror(fp)) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	n = model_load_mem(buf, len, path, x, err, errlen);
	free(buf);
	return n;
}

struct net *
model_builtin(char *err, int errlen)
{
	return model_load_mem(builtin_model, builtin_model_end - builtin_model,
	    "built-in model", NULL, err, errlen);
}

void
model_extra_set(struct model_extra *x, const char *key, const char *val)
{
	int i;

	for (i = 0; i < x->nkv; i++)
		if (strcmp(x->key[i], key) == 0) {
			free(x->val[i]);
			x->val[i] = xstrdup(val);
			return;
		}
	if (x->nkv == MODEL_MAXKV)
		return;
	x->key[x->nkv] = xstrdup(key);
	x->val[x->nkv++] = xstrdup(val);
}

const char *
model_extra_get(const struct model_extra *x, const char *key)
{
	int i;

	for (i = 0; i < x->nkv; i++)
		if (strcmp(x->key[i], key) == 0)
			return x->val[i];
	return NULL;
}

struct tensor *
model_extra_tensor(struct model_extra *x, const char *name)
{
	int i;

	for (i = 0; i < x->nt; i++)
		if (strcmp(x->t[i].name, name) == 0)
			return &x->t[i];
	return NULL;
}

void
model_extra_add(struct model_extra *x, const char *name, long n)
{
	struct tensor *t;

	if (x->nt == MODEL_MAXX)
		return;
	t = &x->t[x->nt++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->dim[0] = (int)n, t->dim[1] = t->dim[2] = t->dim[3] = 1;
	t->n = n;
	t->p = xfloats(n);
}

void
model_extra_free(struct model_extra *x)
{
	int i;

	for (i = 0; i < x->nkv; i++) {
		free(x->key[i]);
		free(x->val[i]);
	}
	for (i = 0; i < x->nt; i++)
		free(x->t[i].p);
	memset(x, 0, sizeof(*x));
}

/* The model file the programs use when none is named: $DIGITPIPE_MODEL,
 * else the one installed beside the program (BIN/../share/digitpipe/
 * digits.cnn), else NULL for the built-in one. */
static const char *
model_path(char *buf, size_t len)
{
	const char *env = getenv("DIGITPIPE_MODEL");
	static const char rel[] = "/share/digitpipe/digits.cnn";
	ssize_t n;
	char *s;

	if (env && *env)
		return env;
	if ((n = readlink("/proc/self/exe", buf, len - 1)) <= 0)
		return NULL;
	buf[n] = '\0';
	if ((s = strrchr(buf, '/')) == NULL)
		return NULL;
	*s = '\0';
	if ((s = strrchr(buf, '/')) == NULL)
		return NULL;
	*s = '\0';
	if ((size_t)(s - buf) + sizeof(rel) > len)
		return NULL;
	memcpy(s, rel, sizeof(rel));
	return access(buf, F_OK) == 0 ? buf : NULL;
}

struct net *
model_digits(const char *path, char *err, int errlen)
{
	char buf[4096];
	struct net *n;

	if (path == NULL)
		path = model_path(buf, sizeof(buf));
	n = path ? model_load(path, NULL, err, errlen) :
	    model_builtin(err, errlen);
	if (n && (n->in_c != 1 || n->in_h != 28 || n->in_w != 28)) {
		seterr(err, errlen, "%s: the net does not take 28x28 digits",
		    path ? path : "the built-in model");
		net_free(n);
		return NULL;
	}
	return n;
}
