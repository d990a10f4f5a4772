/* meta: the "# key=value" metadata an image carries in its P5/P6 header */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "util.h"

/* Keys are one or more of [a-z0-9_]. */
static int
goodkey(const char *k)
{
	if (*k == '\0')
		return 0;
	for (; *k != '\0'; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
		    *k == '_'))
			return 0;
	return 1;
}

static int
find(const struct meta *m, const char *key)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->key[i], key) == 0)
			return i;
	return -1;
}

/*
 * The pair is written as "# key=value\n"; that line, newline included,
 * must be shorter than META_LINE so that it fits a META_LINE buffer.
 * A carriage return would end the comment early on reading, so it is
 * refused like a newline.
 */
int
meta_set(struct meta *m, const char *key, const char *val)
{
	size_t klen, vlen;
	int i;

	if (key == NULL || val == NULL || !goodkey(key) ||
	    strpbrk(val, "\n\r") != NULL)
		return -1;
	klen = strlen(key);
	vlen = strlen(val);
	if (klen >= META_LINE || vlen >= META_LINE ||
	    2 + klen + 1 + vlen + 1 >= META_LINE)
		return -1;
	if ((i = find(m, key)) >= 0) {
		free(m->val[i]);
		m->val[i] = xstrdup(val);
		return 0;
	}
	if (m->n >= META_MAX)
		return -1;
	m->key[m->n] = xstrdup(key);
	m->val[m->n] = xstrdup(val);
	m->n++;
	return 0;
}

int
meta_setf(struct meta *m, const char *key, const char *fmt, ...)
{
	char buf[META_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return meta_set(m, key, buf);
}

const char *
meta_get(const struct meta *m, const char *key)
{
	int i;

	if ((i = find(m, key)) < 0)
		return NULL;
	return m->val[i];
}

long
meta_getl(const struct meta *m, const char *key, long def)
{
	const char *s;
	char *end;
	long v;

	if ((s = meta_get(m, key)) == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return def;
	return v;
}

void
meta_copy(struct meta *dst, const struct meta *src)
{
	int i;

	if (dst == src)
		return;
	for (i = 0; i < src->n; i++)
		meta_set(dst, src->key[i], src->val[i]);
}

void
meta_clear(struct meta *m)
{
	int i;

	for (i = 0; i < m->n; i++) {
		free(m->key[i]);
		free(m->val[i]);
		m->key[i] = m->val[i] = NULL;
	}
	m->n = 0;
}
