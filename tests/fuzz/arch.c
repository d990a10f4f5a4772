/* arch: the architecture description (common/net.c, net_new): layers,
 * options, ';' and newlines, '#' comments; a net built is summarised and
 * its normalised description built again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct net *n, *again;
	char err[256], *arch;

	if (null == NULL && (null = fopen("/dev/null", "wb")) == NULL)
		abort();
	arch = malloc(size + 1);
	memcpy(arch, data, size);
	arch[size] = '\0';
	err[0] = '\0';
	if ((n = net_new(arch, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			abort();
		if (fuzz_verbose())
			printf("error: %s\n", err);
		free(arch);
		return 0;
	}
	net_summary(n, fuzz_verbose() ? stdout : null);
	net_flops(n);
	/* the normalised description describes the same net */
	if ((again = net_new(n->arch, err, sizeof(err))) == NULL ||
	    strcmp(again->arch, n->arch) != 0 || again->nparam != n->nparam)
		abort();
	net_free(again);
	net_free(n);
	free(arch);
	return 0;
}
