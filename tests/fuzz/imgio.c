/* imgio: the netpbm stream reader (common/imgio.c) and the "# key=value"
 * header comments it hands to common/meta.c; every image of the stream is
 * read, its metadata queried and written back out. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "imgio.h"
#include "meta.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct imgio r;
	struct img *im;
	FILE *fp;
	int n;

	if (size == 0 || (fp = fmemopen((void *)data, size, "rb")) == NULL)
		return 0;
	if (null == NULL && (null = fopen("/dev/null", "wb")) == NULL)
		abort();
	imgio_open(&r, fp, "fuzz");
	r.maxpix = FUZZ_MAXPIX;
	for (n = 0; n < 1000 && imgio_read(&r, &im) == 1; n++) {
		if (im == NULL || im->w < 1 || im->h < 1 ||
		    (im->c != 1 && im->c != 3))
			abort();
		meta_getl(&im->meta, "count", -1);
		meta_get(&im->meta, "box");
		if (imgio_write(null, im) < 0)
			abort();
		if (fuzz_verbose())
			printf("image %dx%dx%d, %d pairs\n", im->w, im->h, im->c,
			    im->meta.n);
		img_free(im);
	}
	if (fuzz_verbose() && r.err[0] != '\0')
		printf("error: %s\n", r.err);
	fclose(fp);
	return 0;
}
