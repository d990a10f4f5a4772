/* decode: the image front end (common/decode.c): a netpbm stream, a PNG
 * or a JPEG told apart by their first bytes, a JPEG turned upright by its
 * EXIF orientation.  The input's length picks the JPEG scale (1/1, 1/2,
 * 1/4, 1/8), so that every scale is reached. */
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoder d;
	struct img *im;
	FILE *fp;
	int n, rc;

	if (size == 0 || (fp = fmemopen((void *)data, size, "rb")) == NULL)
		return 0;
	decode_open(&d, fp, "fuzz");
	d.maxpix = FUZZ_MAXPIX;
	d.scale_denom = 1 << (size % 4);
	d.grey = (size >> 2) % 2;       /* prep's JPEG luma, or colour */
	for (n = 0; n < 1000 && (rc = decode_next(&d, &im)) == 1; n++) {
		if (im == NULL || im->w < 1 || im->h < 1 ||
		    (im->c != 1 && im->c != 3))
			abort();
		if (fuzz_verbose())
			printf("image %dx%dx%d, kind %d\n", im->w, im->h, im->c,
			    d.kind);
		img_free(im);
	}
	if (fuzz_verbose() && rc < 0)
		printf("error: %s\n", d.err);
	if (n < 1000 && rc < 0 && d.err[0] == '\0')
		abort();        /* an error always says why */
	decode_close(&d);
	fclose(fp);
	return 0;
}
