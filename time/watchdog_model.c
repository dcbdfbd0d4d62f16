/* Linux 6.1's clocksource watchdog read (time/watchdog_model.h). */
#include "watchdog_model.h"

unsigned wd_max_retries(unsigned cpus)
{
	unsigned log2 = 0;

	while (cpus > 1) {
		cpus >>= 1;
		log2++;
	}
	return log2 / 2 + 1;
}

enum wd_read wd_read_step(unsigned attempt, uint64_t delay_ns, uint64_t seq_ns, unsigned retries,
			  uint64_t max_skew_ns)
{
	if (delay_ns <= max_skew_ns)
		return WD_READ_SUCCESS;
	if (seq_ns > max_skew_ns / 2)
		return WD_READ_SKIP;
	return attempt < retries ? WD_READ_RETRY : WD_READ_UNSTABLE;
}

void wd_prediction_reset(struct wd_prediction *p)
{
	*p = (struct wd_prediction){0};
}

void wd_prediction_attempt(struct wd_prediction *p, uint64_t delay_ns, uint64_t seq_ns, uint64_t max_skew_ns)
{
	p->attempts++;
	p->attempts_over += delay_ns > max_skew_ns && seq_ns <= max_skew_ns / 2;
}

void wd_prediction_add(struct wd_prediction *p, enum wd_read outcome)
{
	p->intervals++;
	p->success += outcome == WD_READ_SUCCESS;
	p->skip += outcome == WD_READ_SKIP;
	p->unstable += outcome == WD_READ_UNSTABLE;
}

void wd_prediction_finish(struct wd_prediction *p, unsigned retries, unsigned intervals_per_hour)
{
	uint64_t direct = 0, num = 1000ull * intervals_per_hour, den = 1;
	unsigned k;

	if (p->intervals)
		direct = 1000ull * intervals_per_hour * p->unstable / p->intervals;
	/* intervals_per_hour * q^(1 + retries), q = over / attempts, in 128-bit steps */
	if (p->attempts) {
		unsigned __int128 n = num, d = den;

		for (k = 0; k <= retries; k++) {
			n *= p->attempts_over;
			d *= p->attempts;
		}
		num = (uint64_t)(n / d);
	} else {
		num = 0;
	}
	p->per_hour_milli = direct > num ? direct : num;
}
