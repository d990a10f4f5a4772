/* model: the digitcnn model file (common/model.c, model_load_mem), with
 * its architecture line (common/net.c), state lines and extra tensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_extra x;
	struct net *n;
	char err[512];

	memset(&x, 0, sizeof(x));
	err[0] = '\0';
	n = model_load_mem(data, size, "fuzz", &x, err, sizeof(err));
	if (n == NULL) {
		if (err[0] == '\0' || x.nkv != 0 || x.nt != 0)
			abort();
		if (fuzz_verbose())
			printf("error: %s\n", err);
		return 0;
	}
	if (n->nclass < 2 || strlen(n->labels) != (size_t)n->nclass ||
	    n->in_c != 1 || n->in_h != 28 || n->in_w != 28)
		abort();
	if (fuzz_verbose())
		printf("%s: %ld parameters, labels %s, %d state lines, %d "
		    "extra tensors\n", n->arch, n->nparam, n->labels, x.nkv,
		    x.nt);
	model_extra_free(&x);
	net_free(n);
	return 0;
}
