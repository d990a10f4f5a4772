/* rng: small deterministic random numbers (splitmix64) */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

/* One independent stream per (seed, stream): e.g. stream = the index of
 * an image in an epoch, so results do not depend on the thread count. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0, 1). */
float rng_uniform(struct rng *r);
/* Uniform in [lo, hi). */
float rng_range(struct rng *r, float lo, float hi);
/* Standard normal (Box-Muller). */
float rng_normal(struct rng *r);
/* Uniform integer in [0, n), n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);

#endif
