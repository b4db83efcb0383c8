/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * v1 blkio statistics without reading both files on every open.
 *
 * A container's diskstats needs blkio.throttle.io_service_bytes_recursive
 * and blkio.throttle.io_serviced_recursive: two kernel reads of about
 * 2.5 us each here, most of a diskstats rendering. Whenever the kernel
 * adds bytes to a cgroup's throttle statistics it also adds an I/O, in the
 * same call and the same categories (blk_should_throtl: bytes on a bio's
 * first pass, one I/O on every pass), and nothing takes either away but a
 * child's figures leaving the recursive sums when the child goes (the
 * throttle policy has no reset_stats handler). So when the I/O counts of a
 * cgroup with no child, read first, are what they were at an earlier
 * read, the bytes are too, and the parse of that read stands for both
 * files now. Exactly, provided the cgroup had no child all the while:
 * the reader's OPEN (reader_id.bpf.c) sees it without children, live or
 * dying, and with the same count of cgroups made on the host as at the
 * OPEN that made the copy; the copy is made only from such an OPEN.
 * Otherwise, or without a probe, both files are read.
 */
#ifndef PV_BLKIO_KEPT_H
#define PV_BLKIO_KEPT_H

#include <stddef.h>

#include "cgparse.h"
#include "cgroup.h"
#include "kept.h"

/*
 * The parse kept for the blkio cgroup whose directory inode is @ino, when
 * probe @p proves it stands for a read now of both files, whose
 * io_serviced text read just now is @ios (@len bytes): copied to @devs,
 * 0. Else -ENOENT (-ENOBUFS: more devices than @max).
 */
int pv_blkio_kept_get(const struct pv_blkio_probe *p, __u64 ino, const char *ios, size_t len,
		      struct pv_io_dev *devs, int max, int *n);

/* Keep the parse @devs[@n] of a read whose io_serviced text was @ios,
   when probe @p allows (the cgroup had no child). */
void pv_blkio_kept_put(const struct pv_blkio_probe *p, __u64 ino, const char *ios, size_t len,
		       const struct pv_io_dev *devs, int n);

/* Pure: may copy @k (epoch: its OPEN's cgroup count) stand for a read
   of @ino under probe @p, its io_serviced text aside? */
int pv_blkio_kept_reusable(const struct pv_kept_tag *k, const struct pv_blkio_probe *p,
			   __u64 ino);

void pv_blkio_kept_stats(unsigned long *hits, unsigned long *misses);
/* Drop every copy and zero the counts (tests). */
void pv_blkio_kept_clear(void);

#endif
