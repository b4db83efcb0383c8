// SPDX-License-Identifier: GPL-2.0-only
#include "fdcache.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

struct entry {
	uint64_t hash;
	int dirfd;
	char *path;            /* "dir/name" */
	__u64 dir_ino;         /* 0, or the inode its directory had at open */
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
	/* e[i]'s key hash, side by side: a lookup scans this array, not
	   up to 256 entries scattered over the heap. */
	uint64_t hash[PV_FDCACHE_MAX];
	unsigned long tick, hits, misses, reopened;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double now_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What a read names: @dir/@name below @dirfd (@name NULL: @dir is the
   whole path), and with @dir_ino the inode @dir must have. */
struct key {
	int dirfd;
	const char *dir, *name;
	__u64 dir_ino;
};

static uint64_t key_hash(const struct key *k)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned int)k->dirfd;   /* FNV-1a */

	for (const char *p = k->dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	if (k->name) {
		h = (h ^ '/') * 1099511628211ULL;
		for (const char *p = k->name; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	}
	return h ^ k->dir_ino;
}

static int key_is(const struct entry *e, uint64_t h, const struct key *k)
{
	size_t dl;

	if (e->hash != h || e->dirfd != k->dirfd || e->dir_ino != k->dir_ino)
		return 0;
	if (!k->name)
		return !strcmp(e->path, k->dir);
	dl = strlen(k->dir);
	return !strncmp(e->path, k->dir, dl) && e->path[dl] == '/' &&
	       !strcmp(e->path + dl + 1, k->name);
}

/*
 * Open what @k names: plainly, or (@k->dir_ino) through its directory,
 * which must have that inode: -ESTALE when the directory is gone or is
 * another one now, -ENOENT when only the file is missing.
 */
static int open_key(const struct key *k)
{
	struct stat st;
	int dfd, fd;

	if (!k->dir_ino) {
		fd = openat(k->dirfd, k->dir, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	dfd = openat(k->dirfd, k->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ESTALE : -errno;
	if (fstat(dfd, &st)) {
		fd = -errno;
	} else if ((__u64)st.st_ino != k->dir_ino) {
		fd = -ESTALE;
	} else {
		fd = openat(dfd, k->name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	close(dfd);
	return fd;
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
	cache.hash[i] = 0;
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
 * An entry for @k with a reference held, or NULL with *ret_fd an fd the
 * caller reads once and closes (not a kernel file, or no room), or NULL
 * with *ret_fd = -errno.
 */
static struct entry *get(const struct key *k, int *ret_fd)
{
	uint64_t h = key_hash(k);
	struct entry *e = NULL, *n;
	int fd, victim = -1;

	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < PV_FDCACHE_MAX; i++) {
		if (cache.hash[i] != h)
			continue;
		e = cache.e[i];
		if (e && key_is(e, h, k)) {
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

	fd = open_key(k);
	*ret_fd = fd;
	if (fd < 0 || !kernel_file(fd))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (n && k->name) {
		size_t dl = strlen(k->dir), nl = strlen(k->name);

		n->path = malloc(dl + nl + 2);
		if (n->path) {
			memcpy(n->path, k->dir, dl);
			n->path[dl] = '/';
			memcpy(n->path + dl + 1, k->name, nl + 1);
		}
	} else if (n) {
		n->path = strdup(k->dir);
	}
	if (!n || !n->path) {
		free(n);
		return NULL;
	}
	n->hash = h;
	n->dirfd = k->dirfd;
	n->dir_ino = k->dir_ino;
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
	cache.hash[victim] = h;
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
				cache.hash[i] = 0;
				e->dead = 1;
				break;
			}
		cache.reopened++;
	}
	if (--e->refs == 0 && e->dead)
		entry_close(e);
	pthread_mutex_unlock(&cache.lock);
}

/* A fresh fd for @k, read once (into @dst, or appended to @out), closed. */
static ssize_t read_uncached(const struct key *k, char *dst, size_t cap, struct buf *out)
{
	int fd = open_key(k);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = out ? pv_read_all_fd(fd, out) : pv_read_whole_fd(fd, dst, cap);
	close(fd);
	return n;
}

static ssize_t read_key(const struct key *k, char *dst, size_t cap)
{
	struct entry *e;
	ssize_t n;
	int fd;

	if (cap < 2)
		return -EINVAL;
	dst[0] = '\0';
	e = get(k, &fd);
	if (!e) {
		if (fd < 0)
			return fd;
		n = pv_read_whole_fd(fd, dst, cap);   /* not kept */
		close(fd);
		return n;
	}
	n = pv_read_whole_fd(e->fd, dst, cap);
	put(e, n < 0 && n != -EFBIG);
	/* Removed cgroup (ENODEV) or else: as a fresh open sees it now. */
	if (n < 0 && n != -EFBIG)
		n = read_uncached(k, dst, cap, NULL);
	return n;
}

static int read_key_buf(const struct key *k, struct buf *out)
{
	struct entry *e;
	size_t start = out->len;
	ssize_t n;
	int fd, err;

	e = get(k, &fd);
	if (!e) {
		if (fd < 0)
			return fd;
		err = pv_read_all_fd(fd, out);
		close(fd);
		return err;
	}
	/* Room for the whole file at once: a second pread at a later offset
	   could meet a generation another thread started at offset 0. */
	err = buf_reserve(out, e->size_hint * 2 + 4096);
	if (err) {
		put(e, 0);
		return buf_error(out);
	}
	n = pv_read_whole_fd(e->fd, out->data + start, out->cap - start);
	pthread_mutex_lock(&cache.lock);
	if (n >= 0 && (size_t)n > e->size_hint)
		e->size_hint = (size_t)n;
	else if (n == -EFBIG)   /* longer than ever: the next read makes room */
		e->size_hint = out->cap - start;
	pthread_mutex_unlock(&cache.lock);
	put(e, n < 0 && n != -EFBIG);
	if (n >= 0) {
		out->len = start + (size_t)n;
		return 0;
	}
	out->len = start;
	out->data[start] = '\0';
	return (int)read_uncached(k, NULL, 0, out);
}

ssize_t pv_fdcache_read(int dirfd, const char *path, char *dst, size_t cap)
{
	struct key k = { .dirfd = dirfd, .dir = path };

	return read_key(&k, dst, cap);
}

int pv_fdcache_read_buf(int dirfd, const char *path, struct buf *out)
{
	struct key k = { .dirfd = dirfd, .dir = path };

	return read_key_buf(&k, out);
}

ssize_t pv_fdcache_read_in(int dirfd, const char *dir, __u64 dir_ino, const char *name,
			   char *dst, size_t cap)
{
	struct key k = { .dirfd = dirfd, .dir = dir, .name = name, .dir_ino = dir_ino };

	if (!dir_ino || !name)
		return -EINVAL;
	return read_key(&k, dst, cap);
}

int pv_fdcache_read_buf_in(int dirfd, const char *dir, __u64 dir_ino, const char *name,
			   struct buf *out)
{
	struct key k = { .dirfd = dirfd, .dir = dir, .name = name, .dir_ino = dir_ino };

	if (!dir_ino || !name)
		return -EINVAL;
	return read_key_buf(&k, out);
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
