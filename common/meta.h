/* meta: the "# key=value" metadata an image carries in its P5/P6 header */
#ifndef META_H
#define META_H

#define META_MAX 32        /* pairs kept per image; more are dropped */
#define META_LINE 200      /* a header comment line is shorter than this */

struct meta {
	int n;
	char *key[META_MAX];
	char *val[META_MAX];
};

/* Set key to val (replacing an old value); both are copied. Keys are
 * lowercase [a-z0-9_]; values have no newline. Returns -1 if either is
 * not so or the pair would not fit in one header line, else 0. */
int meta_set(struct meta *m, const char *key, const char *val);
/* Formatted value: meta_setf(m, "box", "%d %d %d %d", x, y, w, h). */
int meta_setf(struct meta *m, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The value of key, or NULL. */
const char *meta_get(const struct meta *m, const char *key);
/* The value of key as a long, or def when absent or not a number. */
long meta_getl(const struct meta *m, const char *key, long def);
/* Copy every pair of src into dst (dst keeps its own pairs otherwise). */
void meta_copy(struct meta *dst, const struct meta *src);
/* Release the strings; m is empty afterwards. */
void meta_clear(struct meta *m);

#endif
