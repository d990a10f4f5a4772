/* util: allocation that cannot fail, number parsing, closing streams */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <stdio.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* For loops the compiler vectorises: built for AVX-512, AVX2 and the
 * baseline, the one this CPU runs chosen at load time (GCC's
 * target_clones); other compilers get the baseline alone. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", \
	"default")))
#else
#define VECTOR_CLONES
#endif

/* Exit with "prog: out of memory" instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* 64-byte aligned, zeroed; release with free(). */
float *xfloats(size_t n);
/* The same, not zeroed: pages are touched only as they are used. */
float *xfloats_raw(size_t n);

/* Parse a whole number or real in [min, max]; on anything else exit 2
 * with "prog: what: bad value" (an option argument is a usage error). */
long estrtol(const char *s, long min, long max, const char *what);
double estrtod(const char *s, double min, double max, const char *what);

/* Flush, check for write errors and close; 0 on success, else warn()
 * with name and return -1.  Closing stdout this way catches a full disk. */
int efshut(FILE *fp, const char *name);

/* Format a message into err (errlen bytes) and return -1: for functions
 * that report errors to their callers instead of exiting. */
int seterr(char *err, int errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keep freed memory for reuse instead of returning it to the system:
 * a filter that allocates the same buffers for every image of a stream
 * then touches no new pages (glibc; elsewhere nothing). */
void util_keep_memory(void);
/* A standard descriptor (0 to 2) the program was started without is
 * taken by /dev/null opened the other way, so that using it fails as on
 * a closed one (stdout: Bad file descriptor) and no file opened later
 * takes its number and gets what was meant for it. */
void util_std_fds(void);

/* Wall-clock seconds from a monotonic clock. */
double util_now(void);

#endif
