/* cc: connected components of the non-zero pixels of an image, as runs */
#ifndef CC_H
#define CC_H

struct cc_run {
	int y, x0, x1;          /* pixels x0 .. x1 of row y */
};

struct cc_comp {
	int x0, y0, x1, y1;     /* bounding box, inclusive */
	long area;              /* pixels */
	double mass;            /* sum of their values */
	int run0, nrun;         /* its runs: cc.run[run0 .. run0+nrun-1] */
};

struct cc {
	int n;                  /* components */
	struct cc_comp *comp;
	int nrun;
	struct cc_run *run;     /* grouped by component, rows in order */
};

/* The 8-connected components of the pixels of p (w x h) that are not 0;
 * sorted by the left edge of their boxes. */
void cc_find(struct cc *c, const unsigned char *p, int w, int h);
void cc_free(struct cc *c);
/* Union-find over up[] (a root i has up[i] == i): the root of i's set,
 * halving the path on the way; and the union of a's set and b's, the
 * smaller root leading. */
int cc_root(int *up, int i);
void cc_join(int *up, int a, int b);

#endif
