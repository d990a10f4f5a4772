/* fuzz.h: what the harnesses share.  Each harness defines
 * LLVMFuzzerTestOneInput; tests/fuzz/run links it with libFuzzer, and
 * tests/fuzz/replay.c gives it a main() that feeds it files instead. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Images larger than this are refused by the parsers' own pixel limits,
 * so that the fuzzer's memory limit is not hit by a valid large image. */
#define FUZZ_MAXPIX (1L << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* With FUZZ_VERBOSE set in the environment, harnesses print what they
 * got (tests/t0920-fuzz-regress.t compares it); never while fuzzing. */
#include <stdlib.h>
static inline int
fuzz_verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("FUZZ_VERBOSE") != NULL;
	return v;
}

#endif
