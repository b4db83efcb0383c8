// SPDX-License-Identifier: GPL-2.0-only
#include "memstat_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct slot {
	struct pv_memstat_kept k;   /* k.ino 0: free */
	char *text;
	size_t len;
	unsigned long tick;
};

static struct {
	pthread_mutex_t lock;   /* protects everything below */
	struct slot s[PV_MEMSTAT_CACHE_ENTRIES];
	unsigned long tick, hits, misses;
	long ncpus;             /* online CPUs, counted at hotplug step ... */
	__u64 ncpus_steps;      /* ... this; ncpus 0: not counted yet */
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const volatile __u64 *epoch_src, *cpuhp_src;

void pv_memstat_cache_source(const volatile __u64 *epoch, const volatile __u64 *cpuhp)
{
	pthread_mutex_lock(&cache.lock);
	cache.ncpus = 0;
	__atomic_store_n(&cpuhp_src, cpuhp, __ATOMIC_RELEASE);
	__atomic_store_n(&epoch_src, epoch, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cache.lock);
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

	pthread_mutex_lock(&cache.lock);
	if (!src || cache.ncpus <= 0 || cache.ncpus_steps != steps) {
		pthread_mutex_unlock(&cache.lock);
		n = sysconf(_SC_NPROCESSORS_ONLN);
		pthread_mutex_lock(&cache.lock);
		cache.ncpus = n > 0 ? n : 0;
		cache.ncpus_steps = steps;
	}
	n = cache.ncpus;
	pthread_mutex_unlock(&cache.lock);
	return (__u64)n * PV_MEMCG_CHARGE_BATCH;
}

int pv_memstat_reusable(const struct pv_memstat_kept *k, __u64 ino, __u64 epoch,
			__u64 updates)
{
	return ino != 0 && k->ino == ino && k->epoch == epoch && updates <= k->threshold;
}

static struct slot *find(__u64 ino)
{
	for (int i = 0; i < PV_MEMSTAT_CACHE_ENTRIES; i++)
		if (cache.s[i].k.ino == ino)
			return &cache.s[i];
	return NULL;
}

/* The slot for @ino: its own, a free one, or the least recently used. */
static struct slot *slot_for(__u64 ino)
{
	struct slot *sl = find(ino), *lru = &cache.s[0];

	if (sl)
		return sl;
	for (int i = 0; i < PV_MEMSTAT_CACHE_ENTRIES; i++) {
		if (!cache.s[i].k.ino)
			return &cache.s[i];
		if (cache.s[i].tick < lru->tick)
			lru = &cache.s[i];
	}
	return lru;
}

static void keep(const struct pv_memstat_kept *k, const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	struct slot *sl;

	if (!copy)
		return;   /* the next open reads again */
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&cache.lock);
	sl = slot_for(k->ino);
	free(sl->text);
	*sl = (struct slot){ .k = *k, .text = copy, .len = len, .tick = ++cache.tick };
	pthread_mutex_unlock(&cache.lock);
}

int pv_memstat_get(const struct pv_memcg_sample *s, int (*read)(void *arg, struct buf *out),
		   void *arg, struct buf *out)
{
	const volatile __u64 *src = __atomic_load_n(&epoch_src, __ATOMIC_ACQUIRE);
	struct pv_memstat_kept k;
	size_t start = out->len;
	struct slot *sl;
	__u64 threshold;
	int err;

	if (!s || !s->ok || !s->ino || !src)
		return read(arg, out);
	/* Loaded before the CPU count and the read: a flush pass or hotplug
	   step ending meanwhile leaves this copy stale at once. */
	k.epoch = __atomic_load_n(src, __ATOMIC_ACQUIRE);
	pthread_mutex_lock(&cache.lock);
	sl = find(s->ino);
	if (sl && pv_memstat_reusable(&sl->k, s->ino, k.epoch, s->updates)) {
		sl->tick = ++cache.tick;
		cache.hits++;
		buf_append(out, sl->text, sl->len);
		pthread_mutex_unlock(&cache.lock);
		return buf_error(out);
	}
	cache.misses++;
	pthread_mutex_unlock(&cache.lock);
	threshold = flush_threshold();
	err = read(arg, out);
	/* The copy is reusable only while updates stay within the kernel's
	   threshold for the CPUs online now. */
	k.ino = s->ino;
	k.threshold = threshold;
	if (!err && out->data && out->len > start)
		keep(&k, out->data + start, out->len - start);
	return err;
}

void pv_memstat_cache_stats(unsigned long *hits, unsigned long *misses)
{
	pthread_mutex_lock(&cache.lock);
	*hits = cache.hits;
	*misses = cache.misses;
	pthread_mutex_unlock(&cache.lock);
}

void pv_memstat_cache_clear(void)
{
	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < PV_MEMSTAT_CACHE_ENTRIES; i++) {
		free(cache.s[i].text);
		cache.s[i] = (struct slot){ 0 };
	}
	cache.tick = cache.hits = cache.misses = 0;
	pthread_mutex_unlock(&cache.lock);
}
