// SPDX-License-Identifier: GPL-2.0-only
#include "fdcache.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

struct entry {
	uint64_t hash;
	int dirfd;
	char *path;
	int fd;
	int refs;              /* readers using @fd right now */
	int dead;              /* out of the table: the last reader closes */
	size_t size_hint;      /* longest text seen, for the buffer variant */
	double used;           /* CLOCK_MONOTONIC_COARSE seconds */
	unsigned long tick;    /* LRU order */
};

static struct {
	pthread_mutex_t lock;  /* protects everything below */
	struct entry *e[PV_FDCACHE_MAX];
	unsigned long tick, hits, misses, reopened;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double now_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t key_hash(int dirfd, const char *path)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned int)dirfd;   /* FNV-1a */

	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211ULL;
	return h;
}

static void entry_close(struct entry *e)
{
	close(e->fd);
	free(e->path);
	free(e);
}

/* Under the lock: take @e out of the table; closed now or by its last user. */
static void unlink_slot(int i)
{
	struct entry *e = cache.e[i];

	cache.e[i] = NULL;
	if (e->refs)
		e->dead = 1;
	else
		entry_close(e);
}

/* The files worth keeping: kernel-generated, whole at one read. */
static int kernel_file(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return 0;
	return sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC ||
	       sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC;
}

/*
 * An entry for (@dirfd, @path) with a reference held, or NULL with *ret_fd
 * an fd the caller reads once and closes (not a kernel file, or no room),
 * or NULL with *ret_fd = -errno.
 */
static struct entry *get(int dirfd, const char *path, int *ret_fd)
{
	uint64_t h = key_hash(dirfd, path);
	struct entry *e = NULL, *n;
	int fd, victim = -1;

	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < PV_FDCACHE_MAX; i++) {
		e = cache.e[i];
		if (e && e->hash == h && e->dirfd == dirfd && !strcmp(e->path, path)) {
			e->refs++;
			e->tick = ++cache.tick;
			e->used = now_coarse();
			cache.hits++;
			pthread_mutex_unlock(&cache.lock);
			return e;
		}
	}
	cache.misses++;
	pthread_mutex_unlock(&cache.lock);

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*ret_fd = -errno;
		return NULL;
	}
	*ret_fd = fd;
	if (!kernel_file(fd))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->path = strdup(path))) {
		free(n);
		return NULL;
	}
	n->hash = h;
	n->dirfd = dirfd;
	n->fd = fd;
	n->refs = 1;
	n->used = now_coarse();

	pthread_mutex_lock(&cache.lock);
	/* A free slot, else the least recently used entry nobody reads now. */
	for (int i = 0; i < PV_FDCACHE_MAX; i++) {
		if (!cache.e[i]) {
			victim = i;
			break;
		}
		if (!cache.e[i]->refs &&
		    (victim < 0 || cache.e[i]->tick < cache.e[victim]->tick))
			victim = i;
	}
	if (victim < 0) {
		pthread_mutex_unlock(&cache.lock);
		free(n->path);
		free(n);
		return NULL;   /* every entry busy: read this one uncached */
	}
	if (cache.e[victim])
		unlink_slot(victim);
	n->tick = ++cache.tick;
	cache.e[victim] = n;
	pthread_mutex_unlock(&cache.lock);
	return n;
}

/* Release @e; with @drop also take it out of the table (its fd failed). */
static void put(struct entry *e, int drop)
{
	pthread_mutex_lock(&cache.lock);
	if (drop && !e->dead) {
		for (int i = 0; i < PV_FDCACHE_MAX; i++)
			if (cache.e[i] == e) {
				cache.e[i] = NULL;
				e->dead = 1;
				break;
			}
		cache.reopened++;
	}
	if (--e->refs == 0 && e->dead)
		entry_close(e);
	pthread_mutex_unlock(&cache.lock);
}

static ssize_t pread_retry(int fd, void *dst, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, dst, n, off);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

/* One pread from offset 0 (a short read is the whole file), then a probe. */
static ssize_t read_whole(int fd, char *dst, size_t cap)
{
	ssize_t n = pread_retry(fd, dst, cap - 1, 0), m;
	char probe;

	if (n < 0)
		return n;
	if ((size_t)n == cap - 1) {
		m = pread_retry(fd, &probe, 1, n);
		if (m < 0)
			return m;
		if (m > 0)
			return -EFBIG;
	}
	dst[n] = '\0';
	return n;
}

ssize_t pv_fdcache_read(int dirfd, const char *path, char *dst, size_t cap)
{
	struct entry *e;
	ssize_t n;
	int fd;

	if (cap < 2)
		return -EINVAL;
	e = get(dirfd, path, &fd);
	if (!e) {
		if (fd < 0) {
			dst[0] = '\0';
			return fd;
		}
		close(fd);   /* not kept: read the ordinary way */
		return pv_read_whole_at(dirfd, path, dst, cap);
	}
	n = read_whole(e->fd, dst, cap);
	put(e, n < 0 && n != -EFBIG);
	if (n < 0 && n != -EFBIG)   /* removed cgroup (ENODEV) or else: as openat sees it now */
		n = pv_read_whole_at(dirfd, path, dst, cap);
	if (n < 0)
		dst[0] = '\0';
	return n;
}

int pv_fdcache_read_buf(int dirfd, const char *path, struct buf *out)
{
	struct entry *e;
	size_t want, start = out->len;
	ssize_t n;
	int fd, err;

	e = get(dirfd, path, &fd);
	if (!e) {
		if (fd < 0)
			return fd;
		close(fd);
		return pv_read_file_buf(dirfd, path, out);
	}
	/* Room for the whole file at once: a second pread at a later offset
	   could meet a generation another thread started at offset 0. */
	want = e->size_hint * 2 + 4096;
	err = buf_reserve(out, want);
	if (err) {
		put(e, 0);
		return buf_error(out);
	}
	n = pread_retry(e->fd, out->data + start, out->cap - start - 1, 0);
	if (n >= 0 && (size_t)n < out->cap - start - 1) {
		pthread_mutex_lock(&cache.lock);
		if ((size_t)n > e->size_hint)
			e->size_hint = (size_t)n;
		pthread_mutex_unlock(&cache.lock);
		put(e, 0);
		out->len = start + (size_t)n;
		out->data[out->len] = '\0';
		return 0;
	}
	if (n >= 0) {
		/* Longer than ever before: remember, read it the ordinary way. */
		pthread_mutex_lock(&cache.lock);
		e->size_hint = (size_t)n;
		pthread_mutex_unlock(&cache.lock);
	}
	put(e, n < 0);
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return pv_read_file_buf(dirfd, path, out);
}

size_t pv_fdcache_prune(double idle)
{
	double now = now_coarse();
	size_t n = 0;

	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < PV_FDCACHE_MAX; i++)
		if (cache.e[i] && (idle <= 0 || now - cache.e[i]->used >= idle)) {
			unlink_slot(i);
			n++;
		}
	pthread_mutex_unlock(&cache.lock);
	return n;
}

void pv_fdcache_stats(struct pv_fdcache_stats *ret)
{
	struct pv_fdcache_stats s = { 0 };

	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < PV_FDCACHE_MAX; i++)
		s.entries += cache.e[i] != NULL;
	s.hits = cache.hits;
	s.misses = cache.misses;
	s.reopened = cache.reopened;
	pthread_mutex_unlock(&cache.lock);
	*ret = s;
}
