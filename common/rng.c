/* rng: small deterministic random numbers (splitmix64) */
#include <math.h>

#include "rng.h"

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = mix(seed + 0x9e3779b97f4a7c15ULL) ^
	    mix(stream * 0xd1b54a32d192ed03ULL + 1);
}

uint64_t
rng_u64(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix(r->s);
}

float
rng_uniform(struct rng *r)
{
	return (rng_u64(r) >> 40) * (1.0f / 16777216.0f);
}

float
rng_range(struct rng *r, float lo, float hi)
{
	return lo + (hi - lo) * rng_uniform(r);
}

float
rng_normal(struct rng *r)
{
	double u1 = ((rng_u64(r) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
	double u2 = (rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);

	return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}
