/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel-side reader identity (include/procview_reader_id.h): loads and
 * attaches bpf/reader_id.bpf.c for the daemon's lifetime, points it at the
 * daemon's mount, and turns a record into per-hierarchy cgroup inodes for
 * pv_reader_resolve_ids. Optional: without it (no BPF, older kernel, a
 * daemon outside the initial pid namespace) readers are looked up in /proc.
 */
#ifndef PV_READER_ID_H
#define PV_READER_ID_H

#include <sys/types.h>

#include "cgroup.h"
#include "procview_reader_id.h"
#include "reader.h"

struct pv_rid_src;

/* Load and attach. 0 or -errno (the caller logs and goes on without). */
int pv_rid_open(const struct pv_cgroups *cg, struct pv_rid_src **ret);
void pv_rid_close(struct pv_rid_src *s);   /* NULL-safe */

/* Record opens on the FUSE mount at @mnt (found in mountinfo text, NULL:
   /proc/self/mountinfo) from now on. 0 or -errno. */
int pv_rid_arm(struct pv_rid_src *s, const char *mountinfo, const char *mnt);

/*
 * Take the record of thread @tid's open of FUSE node @nodeid: from its
 * mapped slot when that holds it whole (no system call), else taken and
 * removed from the map. 0, -ENOENT when there is none (or it is of another
 * node: an open that was interrupted), other -errno.
 */
int pv_rid_take(struct pv_rid_src *s, pid_t tid, __u64 nodeid, struct pv_reader_ids *ret);

/* The count of events that may change a memory.stat read (mapped;
   memstat_cache.h), or NULL when this kernel's are not counted. Valid
   until pv_rid_close. */
const volatile __u64 *pv_rid_memstat_epoch(struct pv_rid_src *s);
/* CPU hotplug steps alone (within the epoch); NULL likewise. */
const volatile __u64 *pv_rid_cpuhp_steps(struct pv_rid_src *s);

/* Records taken from slots and from the map so far (the stats line). */
void pv_rid_stats(struct pv_rid_src *s, unsigned long *slot_hits, unsigned long *map_hits);

/*
 * The memory sample and blkio probe (cgroup.h) the kernel took as thread
 * @tid's READ of node @nodeid at offset 0 was queued: a re-read's, for
 * the nodes named with pv_rid_sample_nodes. 0, or -ENOENT (none whole in
 * the slot; the caller reads the files). Either not ok when the node's
 * record does not carry it. No system call.
 */
int pv_rid_take_read(struct pv_rid_src *s, pid_t tid, __u64 nodeid, struct pv_memcg_sample *mem,
		     struct pv_blkio_probe *blkio);

/* The nodes (at most PV_SAMPLE_NODES) whose opens and re-reads carry a
   memory sample (@what PV_SAMPLE_MEM) or a blkio probe (PV_SAMPLE_BLKIO);
   none before this call. */
int pv_rid_sample_nodes(struct pv_rid_src *s, unsigned int what, const __u64 *nodes, int n);

/* Can opens and re-reads carry blkio probes (a v1 io controller, a kernel
   with the cgroup_mkdir tracepoint)? */
int pv_rid_blkio_probes(const struct pv_rid_src *s);

/*
 * Pure, for tests: copy @slot's record when it is stable (sequence count
 * even and unchanged around the copy) and is @tid's request @opcode
 * (PV_FUSE_OPEN, PV_FUSE_READ) of @nodeid. 0, -EAGAIN (being written),
 * -ENOENT (another thread's, node's or request's).
 */
int pv_rid_slot_read(const struct pv_rid_slot *slot, pid_t tid, __u64 nodeid, __u32 opcode,
		     struct pv_rid *ret);

/*
 * Pure, for tests: the kernel dev_t (MKDEV: major << 20 | minor) of the
 * last mount on @mnt in mountinfo @text (mount points octal-escaped as the
 * kernel prints them). 0 or -ENOENT.
 */
int pv_mountinfo_dev(const char *text, const char *mnt, __u32 *ret);

#endif
