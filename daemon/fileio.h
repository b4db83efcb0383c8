/* SPDX-License-Identifier: GPL-2.0-only */
/* Small whole-file readers shared by collectors. */
#ifndef PV_FILEIO_H
#define PV_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/*
 * Read the file @path (relative to @dirfd, or absolute with AT_FDCWD) into
 * @dst (at most @cap - 1 bytes, NUL-terminated). Returns the byte count or
 * -errno; -EFBIG when the file does not fit. On error @dst holds "".
 */
ssize_t pv_read_file_at(int dirfd, const char *path, char *dst, size_t cap);

/*
 * Same for files the kernel renders whole at the first read (/proc/<pid>/
 * files of one seq_file record such as cgroup, status and stat; kernfs
 * cgroup files): a read shorter than the buffer is the whole file, so the
 * usual second read that returns 0 is skipped. Per FUSE request these
 * are the reader lookup's and the renderer's hottest reads.
 */
ssize_t pv_read_whole_at(int dirfd, const char *path, char *dst, size_t cap);

/* Same as pv_read_file_at, growing @out as needed (appends). 0 or -errno. */
int pv_read_file_buf(int dirfd, const char *path, struct buf *out);

/*
 * The same two readers on an open fd, from offset 0 whatever its position
 * (pread), so a kept-open kernel file is read afresh (fdcache.h):
 * pv_read_whole_fd as pv_read_whole_at, pv_read_all_fd as
 * pv_read_file_buf. Not for pipes (the path readers use read(2) and
 * take /dev/stdin).
 */
ssize_t pv_read_whole_fd(int fd, char *dst, size_t cap);
int pv_read_all_fd(int fd, struct buf *out);

#endif
