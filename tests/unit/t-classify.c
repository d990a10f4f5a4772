/* t-classify: the answer a digit's class probabilities give, with and
 * without a "not a digit" class, and when it prints as '?' */
#include <math.h>
#include <string.h>

#include "classify.h"
#include "tap.h"

static struct net *
labelled(const char *labels)
{
	static struct net n;

	memset(&n, 0, sizeof(n));
	n.nclass = (int)strlen(labels);
	strcpy(n.labels, labels);
	return &n;
}

int
main(void)
{
	struct net *n = labelled("0123456789?");
	struct digit d;
	float p[11], conf;
	int c;

	/* "not a digit" first, but under one half: the best digit, with its
	 * share of the digits' probability */
	memset(p, 0, sizeof(p));
	p[10] = 0.45f, p[1] = 0.40f, p[7] = 0.15f;
	c = classify_answer(n, p, &conf);
	ok(c == 1 && fabsf(conf - 0.40f / 0.55f) < 1e-5f,
	    "? at 0.45: the best digit, 1, at %.4f", conf);
	memset(&d, 0, sizeof(d));
	classify_top(&d, n, p, 2, 0.5f);
	ok(!d.reject && classify_char(n, &d) == '1' && d.top[0].cls == 10 &&
	    d.top[1].cls == 1, "it prints 1; the top list stays ? then 1");
	classify_top(&d, n, p, 2, 0.75f);
	ok(d.reject && classify_char(n, &d) == '?',
	    "below the threshold (0.727 < 0.75) it prints ?");

	/* half or more: not a digit, whatever the digits say */
	p[10] = 0.5f, p[1] = 0.5f, p[7] = 0;
	c = classify_answer(n, p, &conf);
	ok(c == 10 && conf == 0.5f, "? at 0.5: not a digit");
	classify_top(&d, n, p, 2, 0);
	ok(d.reject && classify_char(n, &d) == '?',
	    "not a digit prints ? even at threshold 0");

	/* two digits sharing what is left: each its share */
	p[10] = 0.2f, p[3] = 0.35f, p[5] = 0.45f, p[1] = 0;
	c = classify_answer(n, p, &conf);
	ok(c == 5 && fabsf(conf - 0.45f / 0.8f) < 1e-5f,
	    "5 over 3 at %.4f", conf);

	/* without the class: the best class and its probability */
	n = labelled("0123456789");
	memset(p, 0, sizeof(p));
	p[4] = 0.3f, p[9] = 0.7f;
	c = classify_answer(n, p, &conf);
	ok(c == 9 && conf == 0.7f, "ten classes: 9 at its probability");
	classify_top(&d, n, p, 1, 0.8f);
	ok(d.reject && d.cls == 9 && classify_char(n, &d) == '?',
	    "ten classes: below the threshold, ?");

	/* a net of "not a digit" alone, gone NaN: still an answer */
	n = labelled("?");
	p[0] = NAN;
	c = classify_answer(n, p, &conf);
	ok(c == 0 && conf == 0, "? the only class, NaN: ?, confidence 0");
	n = labelled("0123456789");

	/* a blank image prints ? whatever the net says */
	d.blank = 1;
	classify_top(&d, n, p, 1, 0);
	ok(d.reject, "blank: ?");
	return done_testing();
}
