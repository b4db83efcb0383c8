/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copies of a kernel file's reading, one per cgroup (by directory inode),
 * with what proves them current (the tag): the store under
 * memstat_cache.h and io_kept.h. Fixed size, the least recently used
 * copy out; thread-safe.
 */
#ifndef PV_KEPT_H
#define PV_KEPT_H

#include <linux/types.h>
#include <pthread.h>
#include <stddef.h>

#define PV_KEPT_ENTRIES 64

/* Of which cgroup (ino; 0 never kept), at which event count, and one
   figure of the user's own (memstat: the flush threshold; blkio: the
   length of the text the copy starts with). */
struct pv_kept_tag {
	__u64 ino;
	__u64 epoch;
	__u64 aux;
};

struct pv_kept_slot {
	struct pv_kept_tag tag;   /* tag.ino 0: free */
	void *data;
	size_t len;
	unsigned long tick;
};

struct pv_kept {
	pthread_mutex_t lock;   /* protects everything below */
	struct pv_kept_slot s[PV_KEPT_ENTRIES];
	unsigned long tick, hits, misses;
};
#define PV_KEPT_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* Does the copy tagged @kept, @len bytes at @data, stand for a read now
   (@want: the caller's)? */
typedef int (*pv_kept_fits_fn)(const struct pv_kept_tag *kept, const void *data, size_t len,
			       const void *want);
/* Take the copy tagged @tag (called with the store locked: copy it,
   nothing more). */
typedef int (*pv_kept_use_fn)(void *arg, const struct pv_kept_tag *tag, const void *data,
			      size_t len);

/*
 * @ino's copy when @fits says it stands for a read now: handed to @use,
 * whose result is returned, and counted a hit. Else counted a miss:
 * -ENOENT.
 */
int pv_kept_use(struct pv_kept *k, __u64 ino, pv_kept_fits_fn fits, const void *want,
		pv_kept_use_fn use, void *arg);
/* Keep a copy of @head_len bytes at @head followed by @tail_len at @tail,
   tagged @tag (replacing tag->ino's). Out of memory: nothing kept, the
   next call reads. */
void pv_kept_put(struct pv_kept *k, const struct pv_kept_tag *tag, const void *head,
		 size_t head_len, const void *tail, size_t tail_len);
void pv_kept_stats(struct pv_kept *k, unsigned long *hits, unsigned long *misses);
/* Drop every copy and zero the counts. */
void pv_kept_clear(struct pv_kept *k);

#endif
