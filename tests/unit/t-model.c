/* t-model: model files round trip, ensembles of nets too; truncated,
 * corrupted, wrong-version and wrong-architecture files are refused with
 * a clear message */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <math.h>

#include "model.h"
#include "net.h"
#include "netrun.h"
#include "util.h"
#include "tap.h"

#define ARCH "conv 4 3 p=1; bn; relu; maxpool 2; dense 10"

static char dir[] = "/tmp/t-model.XXXXXX";

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b = xmalloc(1 << 20);

	*len = fread(b, 1, 1 << 20, fp);
	fclose(fp);
	return b;
}

static void
spit(const char *path, const unsigned char *b, size_t len)
{
	FILE *fp = fopen(path, "wb");

	fwrite(b, 1, len, fp);
	fclose(fp);
}

/* Loading buf must fail with a message holding want. */
static void
refused(const unsigned char *b, size_t len, const char *want, const char *what)
{
	char err[512] = "";
	struct net *n = model_load_mem(b, len, "m", NULL, err, sizeof(err));

	ok(n == NULL && strstr(err, want) != NULL, "%s: %s", what, err);
	net_free(n);
}

static int
files_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int k = 0;

	while ((e = readdir(d)))
		k += e->d_name[0] != '.';
	closedir(d);
	return k;
}

int
main(void)
{
	char path[256], err[512];
	struct net *n, *m, *n2;
	struct model_extra x, y;
	unsigned char *b, *c;
	size_t len, at;
	long i;
	int same;

	mkdtemp(dir);
	snprintf(path, sizeof(path), "%s/m.cnn", dir);
	n = net_new(ARCH, err, sizeof(err));
	net_init(n, 3);
	for (i = 0; i < n->nstat; i++)
		n->stat[i] = 0.5f + i;
	ok(model_save(path, n, NULL, err, sizeof(err)) == 0, "save");
	ok(files_in_dir() == 1, "no temporary file left behind");
	m = model_load(path, NULL, err, sizeof(err));
	same = m && m->nparam == n->nparam &&
	    memcmp(m->param, n->param, n->nparam * 4) == 0 &&
	    memcmp(m->stat, n->stat, n->nstat * 4) == 0 &&
	    strcmp(m->arch, n->arch) == 0 && strcmp(m->labels, "0123456789") == 0;
	ok(same, "load gives back the same architecture and tensors");
	net_free(m);

	/* a checkpoint's extra state */
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	model_extra_set(&x, "epoch", "7");
	model_extra_set(&x, "data", "some dir/with spaces");
	model_extra_add(&x, "opt.m", n->nparam);
	for (i = 0; i < n->nparam; i++)
		x.t[0].p[i] = (float)i;
	ok(model_save(path, n, &x, err, sizeof(err)) == 0, "save a checkpoint");
	m = model_load(path, &y, err, sizeof(err));
	ok(m && strcmp(model_extra_get(&y, "epoch"), "7") == 0 &&
	    strcmp(model_extra_get(&y, "data"), "some dir/with spaces") == 0 &&
	    model_extra_tensor(&y, "opt.m") &&
	    memcmp(model_extra_tensor(&y, "opt.m")->p, x.t[0].p,
	    n->nparam * 4) == 0, "checkpoint state round trip");
	net_free(m);
	m = model_load(path, NULL, err, sizeof(err));
	ok(m != NULL, "a checkpoint loads as a plain model too");
	net_free(m);
	model_extra_free(&x);
	model_extra_free(&y);

	model_save(path, n, NULL, err, sizeof(err));
	b = slurp(path, &len);
	c = xmalloc(len + 16);
	refused(b, len - 1, "truncated", "one byte short");
	refused(b, 40, "truncated or bad header", "header cut");
	refused(b, 0, "not a digitcnn model file", "empty");
	memcpy(c, b, len);
	memcpy(c + len, "xx", 2);
	refused(c, len + 2, "junk after the data", "trailing bytes");
	memcpy(c, b, len);
	c[len - 5] ^= 0x10;
	refused(c, len, "checksum mismatch", "a flipped bit in the data");
	memcpy(c, b, len);
	at = strstr((char *)c, "tensor conv1.b") - (char *)c;
	c[at + 7] = 'C';
	refused(c, len, "tensor Conv1.b where the architecture has conv1.b",
	    "a renamed tensor");
	memcpy(c, b, len);
	at = strstr((char *)c, "conv 4 3") - (char *)c;
	c[at + 5] = '5';
	refused(c, len, "tensor conv1.w is 4x1x3x3, the architecture wants "
	    "5x1x3x3", "tensors of another architecture");
	memcpy(c, b, len);
	c[9] = '2';
	refused(c, len, "version 2; this program reads version 1",
	    "a newer version");
	memcpy(c, "PNG\r\n", 5);
	refused(c, len, "not a digitcnn model file", "another kind of file");
	memcpy(c, b, len);
	at = strstr((char *)c, "crc32 ") - (char *)c;
	c[at + 7] = c[at + 7] == '0' ? '1' : '0';
	refused(c, len, "checksum mismatch", "a wrong checksum");
	memcpy(c, b, len);
	at = strstr((char *)c, "arch ") - (char *)c;
	memcpy(c + at + 5, "conv 4 3 p=1; bn; relu; maxpool 2; xyzzy 10",
	    strlen("conv 4 3 p=1; bn; relu; maxpool 2; xyzzy 10"));
	refused(c, len, "bad architecture: unknown layer 'xyzzy'", "a bad arch");

	/* an ensemble: two nets one after the other */
	n2 = net_new(ARCH, err, sizeof(err));
	net_init(n2, 4);
	n->next = n2;
	ok(model_save(path, n, NULL, err, sizeof(err)) == 0,
	    "save an ensemble of two nets");
	m = model_load(path, NULL, err, sizeof(err));
	ok(m && m->next && m->next->next == NULL &&
	    memcmp(m->param, n->param, n->nparam * 4) == 0 &&
	    memcmp(m->next->param, n2->param, n2->nparam * 4) == 0,
	    "an ensemble loads back as its two nets, in order");
	if (m) {
		float img[784], p2[10], pm[10];
		struct tensor *w = net_tensor(m, "dense1.w"),
		    *bias = net_tensor(m, "dense1.b");
		int j, close = 1;

		for (j = 0; j < 784; j++)
			img[j] = (float)((j * 37) % 101) / 100;
		/* net 1 unsure (all classes 0.1): the mean */
		memset(w->p, 0, w->n * sizeof(float));
		memset(bias->p, 0, bias->n * sizeof(float));
		netrun_infer(m, pm, img, 1);
		netrun_infer(n2, p2, img, 1);
		for (j = 0; j < 10; j++)
			close &= fabsf(pm[j] - (0.1f + p2[j]) / 2) < 1e-6f;
		ok(close, "an ensemble's probabilities are its nets' mean");
		/* net 1 sure of a 3: its answer alone */
		net_free(m);
		m = model_load(path, NULL, err, sizeof(err));
		w = net_tensor(m, "dense1.w");
		bias = net_tensor(m, "dense1.b");
		memset(w->p, 0, w->n * sizeof(float));
		bias->p[3] = 50;
		netrun_infer(m, pm, img, 1);
		ok(pm[3] > 0.999f && pm[3] > (1 + p2[3]) / 2 + 1e-4f,
		    "but the first net's alone where it is sure (%g)", pm[3]);
	}
	net_free(m);
	memset(&x, 0, sizeof(x));
	model_extra_set(&x, "epoch", "1");
	ok(model_save(path, n, &x, err, sizeof(err)) < 0 &&
	    strstr(err, "a checkpoint holds one net"),
	    "an ensemble is no checkpoint: %s", err);
	model_extra_free(&x);
	model_save(path, n, NULL, err, sizeof(err));
	free(b);
	b = slurp(path, &len);
	free(c);
	c = xmalloc(len + 16);
	memcpy(c, b, len);
	memcpy(c + len, "xx", 2);
	refused(c, len + 2, "junk after the data", "an ensemble's trailing "
	    "bytes");
	refused(b, len - 1, "net 2: truncated", "an ensemble one byte short");
	memset(&y, 0, sizeof(y));
	m = model_load_mem(b, len, "m", &y, err, sizeof(err));
	ok(m == NULL && strstr(err, "a checkpoint is one") && y.nkv == 0 &&
	    y.nt == 0, "an ensemble read as a checkpoint, nothing kept: %s",
	    err);
	net_free(m);
	n->next = NULL;
	net_free(n2);
	n2 = net_new("conv 4 3 p=1; bn; relu; maxpool 2; dense 11", err,
	    sizeof(err));
	n->next = n2;
	model_save(path, n, NULL, err, sizeof(err));
	n->next = NULL;
	net_free(n2);
	free(b);
	b = slurp(path, &len);
	refused(b, len, "net 2: its input or classes are not those of net 1",
	    "an ensemble of nets of other classes");
	model_save(path, n, NULL, err, sizeof(err));
	free(b);
	b = slurp(path, &len);

	m = model_load(dir, NULL, err, sizeof(err));
	ok(m == NULL && strstr(err, "is a directory"), "a directory: %s", err);
	snprintf(path, sizeof(path), "%s/none.cnn", dir);
	m = model_load(path, NULL, err, sizeof(err));
	ok(m == NULL && strstr(err, "No such file"), "a missing file: %s", err);
	snprintf(path, sizeof(path), "%s/no/such/dir/m.cnn", dir);
	ok(model_save(path, n, NULL, err, sizeof(err)) < 0 &&
	    strstr(err, "No such file"), "save into a missing folder: %s", err);
	snprintf(path, sizeof(path), "%s/m.cnn", dir);
	spit(path, b, len / 2);
	ok(model_save(path, n, NULL, err, sizeof(err)) == 0 &&
	    (m = model_load(path, NULL, err, sizeof(err))) != NULL,
	    "saving over a broken file mends it");
	net_free(m);
	m = model_builtin(err, sizeof(err));
	ok(m != NULL && m->nclass == 11 && !strcmp(m->labels, "0123456789?"),
	    "the built-in model loads, ten digits and '?' (%s)",
	    m ? m->arch : err);
	net_free(m);
	unlink(path);
	rmdir(dir);
	free(b);
	free(c);
	net_free(n);
	return done_testing();
}
