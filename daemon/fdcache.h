/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kept-open kernel files, re-read with pread at offset 0.
 *
 * Rendering a container's meminfo read memory.stat, memory.usage_in_bytes
 * and /proc/meminfo through openat+read+close each time: on this VM that is
 * 15, 7 and 11 us, of which a pread on a file kept open costs 8.4, 0.8 and
 * 5. The kernel regenerates a seq_file whenever it is read at offset 0
 * (seq_read_iter resets its iterator), which is how top and vmstat re-read
 * their /proc files, so a kept-open fd gives the same fresh text.
 *
 * Only files on cgroupfs, procfs and sysfs are kept (checked with fstatfs
 * when first opened): they are seq_files or single-shot attributes, so a
 * read shorter than the buffer is the whole file and one pread suffices.
 * Regular files (fixture trees) are read the ordinary way, every time.
 *
 * Staleness: an fd is bound to the kernfs node it was opened on, not to the
 * path. When that cgroup is removed every read through the fd fails
 * (ENODEV); the entry is then dropped and the path opened afresh, so a
 * read here always sees what openat of @path would see now. Callers that
 * must not see a cgroup re-created under the same name read through the
 * directory's inode (pv_fdcache_read_in) or stat it afterwards
 * (reader.h, pv_cg_ident_check).
 *
 * Never use it for /proc/<pid>/ files: a pid is reused, an fd is not
 * re-resolved while it keeps working.
 *
 * Bounded (PV_FDCACHE_MAX entries, least recently used goes first) and
 * pruned of entries idle for a while (pv_fdcache_prune, run by the
 * maintenance thread), so cgroups that come and go do not pin fds.
 */
#ifndef PV_FDCACHE_H
#define PV_FDCACHE_H

#include <linux/types.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define PV_FDCACHE_MAX 256
#define PV_FDCACHE_IDLE 30.0   /* seconds an unused entry is kept */

/*
 * As pv_read_whole_at (fileio.h): @path relative to @dirfd (or absolute
 * with AT_FDCWD) into @dst, NUL-terminated; the byte count or -errno,
 * -EFBIG when it does not fit. The fd stays open for the next read when
 * the file is a kernel file. Thread-safe.
 */
ssize_t pv_fdcache_read(int dirfd, const char *path, char *dst, size_t cap);

/* Same, appending the whole file to @out. 0 or -errno. */
int pv_fdcache_read_buf(int dirfd, const char *path, struct buf *out);

/*
 * Read @name in directory @dir (relative to @dirfd) only while @dir is the
 * directory with inode @dir_ino: the fd is opened through that directory
 * after checking its inode, and a kept fd stays bound to it, so a
 * successful read is of that cgroup, never of one made again under the
 * same name (no stat per read). -ESTALE when @dir is gone or is another
 * directory now, -ENOENT when @name is missing in it, else as above.
 */
ssize_t pv_fdcache_read_in(int dirfd, const char *dir, __u64 dir_ino, const char *name,
			   char *dst, size_t cap);
int pv_fdcache_read_buf_in(int dirfd, const char *dir, __u64 dir_ino, const char *name,
			   struct buf *out);

/* Close entries unused for @idle seconds (all with 0). Returns how many. */
size_t pv_fdcache_prune(double idle);

struct pv_fdcache_stats {
	size_t entries;
	unsigned long hits, misses, reopened;   /* reopened: ENODEV and retried */
};
void pv_fdcache_stats(struct pv_fdcache_stats *ret);

#endif
