// SPDX-License-Identifier: GPL-2.0-only
#include "memstat_cache.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

static struct online_cpus {
	pthread_mutex_t lock;   /* protects the two below */
	long ncpus;             /* online CPUs, counted at hotplug step ... */
	__u64 ncpus_steps;      /* ... this; ncpus 0: not counted yet */
} cpus = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct pv_kept kept = PV_KEPT_INIT;

static const volatile __u64 *epoch_src, *cpuhp_src;

void pv_memstat_cache_source(const volatile __u64 *epoch, const volatile __u64 *cpuhp)
{
	pthread_mutex_lock(&cpus.lock);
	cpus.ncpus = 0;
	__atomic_store_n(&cpuhp_src, cpuhp, __ATOMIC_RELEASE);
	__atomic_store_n(&epoch_src, epoch, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cpus.lock);
}

/* The kernel's flush threshold for the CPUs online now; 0 when unknown
   (a copy then stands only for a read with nothing batched). Counting the
   CPUs reads a sysfs file: done again only after a hotplug step, whose
   count is loaded first, so a step during the count makes the next call
   count again (and moves the epoch, staling copies kept meanwhile). */
static __u64 flush_threshold(void)
{
	const volatile __u64 *src = __atomic_load_n(&cpuhp_src, __ATOMIC_ACQUIRE);
	__u64 steps = src ? __atomic_load_n(src, __ATOMIC_ACQUIRE) : 0;
	long n;

	pthread_mutex_lock(&cpus.lock);
	if (!src || cpus.ncpus <= 0 || cpus.ncpus_steps != steps) {
		pthread_mutex_unlock(&cpus.lock);
		n = sysconf(_SC_NPROCESSORS_ONLN);
		pthread_mutex_lock(&cpus.lock);
		cpus.ncpus = n > 0 ? n : 0;
		cpus.ncpus_steps = steps;
	}
	n = cpus.ncpus;
	pthread_mutex_unlock(&cpus.lock);
	return (__u64)n * PV_MEMCG_CHARGE_BATCH;
}

int pv_memstat_reusable(const struct pv_kept_tag *k, __u64 ino, __u64 epoch, __u64 updates)
{
	return ino != 0 && k->ino == ino && k->epoch == epoch && updates <= k->aux;
}

/* What a read now would be: of the sample's cgroup, at this epoch. */
struct want {
	const struct pv_memcg_sample *s;
	__u64 epoch;
};

static int fits(const struct pv_kept_tag *k, const void *text, size_t len, const void *arg)
{
	(void)text;
	(void)len;
	const struct want *w = arg;

	return pv_memstat_reusable(k, w->s->ino, w->epoch, w->s->updates);
}

static int append(void *out, const struct pv_kept_tag *k, const void *text, size_t len)
{
	(void)k;
	buf_append(out, text, len);
	return buf_error(out);
}

int pv_memstat_get(const struct pv_memcg_sample *s, int (*read)(void *arg, struct buf *out),
		   void *arg, struct buf *out)
{
	const volatile __u64 *src = __atomic_load_n(&epoch_src, __ATOMIC_ACQUIRE);
	struct pv_kept_tag k;
	struct want w;
	size_t start = out->len;
	int err;

	if (!s || !s->ok || !s->ino || !src)
		return read(arg, out);
	/* Loaded before the CPU count and the read: a flush pass or hotplug
	   step ending meanwhile leaves this copy stale at once. */
	w = (struct want){ .s = s, .epoch = __atomic_load_n(src, __ATOMIC_ACQUIRE) };
	err = pv_kept_use(&kept, s->ino, fits, &w, append, out);
	if (err != -ENOENT)
		return err;
	/* The copy is reusable only while updates stay within the kernel's
	   threshold for the CPUs online now. */
	k = (struct pv_kept_tag){ .ino = s->ino, .epoch = w.epoch, .aux = flush_threshold() };
	err = read(arg, out);
	if (!err && out->data && out->len > start)
		pv_kept_put(&kept, &k, out->data + start, out->len - start, NULL, 0);
	return err;
}

void pv_memstat_cache_stats(unsigned long *hits, unsigned long *misses)
{
	pv_kept_stats(&kept, hits, misses);
}

void pv_memstat_cache_clear(void)
{
	pv_kept_clear(&kept);
}
