/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The FUSE low-level operations over the served-file table (vfile.h):
 * a fixed read-only tree, per-handle renderings, every write refused.
 */
#ifndef PV_FUSE_OPS_H
#define PV_FUSE_OPS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <sys/types.h>

#include "cgroup.h"
#include "env.h"

/*
 * Who is reading: fill @ret with the container of the process @pid (a host
 * pid from the FUSE request) opening node @ino, and @reader_cpu with the
 * CPU it queued the open on (-1: unknown), which only decides where open's
 * rendering overlaps the reader (fuse_ops.c). 0 or -errno. main.c
 * provides the real one, over reader.c.
 */
typedef int (*pv_resolve_fn)(void *ctx, pid_t pid, fuse_ino_t ino, struct pv_container *ret,
			     int *reader_cpu);

/*
 * A re-read's memory sample and blkio probe into @c->mem and @c->blkio:
 * what the kernel took as @pid's READ of node @ino at offset 0 was queued
 * (reader_id.h, pv_rid_take_read). 0, or -errno when there is none (the
 * files are read). Called with the resolve context.
 */
typedef int (*pv_resample_fn)(void *ctx, pid_t pid, fuse_ino_t ino, struct pv_container *c);

struct pv_fs;

/* @env and @resolve_ctx must outlive the filesystem. NULL on ENOMEM. */
struct pv_fs *pv_fs_new(const struct pv_env *env, pv_resolve_fn resolve,
			void *resolve_ctx);
void pv_fs_free(struct pv_fs *fs);      /* NULL-safe */

/* Re-reads of files with samples (vfile.h) ask @fn; NULL: they never do. */
void pv_fs_set_resample(struct pv_fs *fs, pv_resample_fn fn);
/* Node ids of the files whose samples include @what (PV_SAMPLE_*), at
   most @max; returns how many. */
int pv_fs_sample_nodes(struct pv_fs *fs, unsigned int what, __u64 *nodes, int max);

/* Handles open right now (the stats line of the daemon). */
size_t pv_fs_open_handles(struct pv_fs *fs);

/* Where open's rendering went (the stats line; unsigned longs only). */
struct pv_fs_stats {
	unsigned long open_render_inline;   /* before the reply: the reader
					       waits on the rendering's CPU */
	unsigned long open_render_after;    /* after it, overlapping the reader */
	unsigned long open_rendering_read;  /* a first read served with it */
	unsigned long open_rendering_stale; /* a first read at 0 too late
					       for it, rendered afresh */
};
void pv_fs_stats(struct pv_fs *fs, struct pv_fs_stats *ret);

/* Operations table; the session's userdata must be the struct pv_fs. */
const struct fuse_lowlevel_ops *pv_fuse_ops(void);

/* Cgroup path of @c to name in log lines (the CPU or memory hierarchy's). */
const char *pv_container_name(const struct pv_env *env, const struct pv_container *c);

#endif
