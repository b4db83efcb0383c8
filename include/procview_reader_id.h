/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reader identity taken in the kernel (bpf/reader_id.bpf.c): at every open
 * of a file on procview's own FUSE mount, the opener's cgroups (those of
 * its pid namespace's init when it lives in a child namespace) are
 * recorded under its thread id, before the FUSE OPEN request is queued.
 * The daemon reads the record while handling that request — from its
 * mapped slot (pv_rid_slot below), or, when the slot was busy, with one
 * bpf() lookup-and-delete in the map pv_rid — instead of reading
 * /proc/<pid>/ns/pid,
 * /proc/<pid>/cgroup and stat-ing cgroup directories. An open of meminfo
 * or swaps (pv_sample_nodes) also samples the container's memory cgroup
 * (daemon/memstat_cache.h); a READ at offset 0 of them leaves a record
 * with only that sample,
 * in the slot alone (PV_FUSE_READ records). Not pinned: the program lives
 * and dies with the daemon. Fixed-width fields only.
 */
#ifndef PROCVIEW_READER_ID_H
#define PROCVIEW_READER_ID_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Cgroup subsystems recorded (enum cgroup_subsys_id values below this). */
#define PV_RID_SUBSYS 16
/* Records kept for opens whose request was never handled (interrupted). */
#define PV_RID_ENTRIES 8192

/* Map pv_rid: LRU_HASH, key __u32 the pid of the FUSE request (thread id). */
struct pv_rid {
	__u64 nodeid;               /* FUSE node id of the file opened */
	__u64 dfl_id;               /* cgroup2 (unified) cgroup id */
	__u64 ss_id[PV_RID_SUBSYS]; /* per subsystem id: its cgroup's id */
	__u32 init_tgid;            /* whose cgroups: the reader's tgid, or
				       its pid namespace's init's */
	__u32 pidns_level;          /* 0: the reader is in the initial
				       pid namespace */
	__u32 cpu;                  /* the CPU the opener queued its OPEN
				       on (a placement hint, see fuse_ops.c) */
	__u32 mem_ok;               /* 1: the mem_* fields below were read */
	/* The container's memory cgroup as the OPEN was queued, from the
	   kernel's own counters (daemon/memstat_cache.h says why). Pages. */
	__u64 mem_usage;            /* memory page counter (v1 usage_in_bytes) */
	__u64 mem_max;              /* tightest memory max from it up to the root */
	__u64 memsw_max;            /* tightest memsw/swap max likewise */
	__u64 mem_updates;          /* stats updates batched for a flush: a
				       memory.stat read flushes only above a
				       threshold, never when this is 0 */
	__u32 opcode;               /* PV_FUSE_OPEN: the whole record;
				       PV_FUSE_READ: a re-read's (READ at
				       offset 0) sample and probe only */
	__u32 io_flags;             /* PV_IO_* below (pv_probe_nodes) */
	__u64 at_ns;                /* CLOCK_MONOTONIC when it was queued */
	/* The container's v1 blkio cgroup as the request was queued
	   (daemon/blkio_kept.h says why): the count of cgroups made so far
	   on the host (pv_cg_mkdirs), loaded before it was seen whether the
	   cgroup had children (PV_IO_ALONE). */
	__u64 io_mkdirs;
};

#define PV_IO_SEEN  1u   /* io_mkdirs and PV_IO_ALONE were read */
#define PV_IO_ALONE 2u   /* the blkio cgroup had no child, live or dying */

#define PV_FUSE_OPEN 14   /* enum fuse_opcode (uapi, stable) */
#define PV_FUSE_READ 15
/* Nodes whose re-reads get a memory sample (reader_id.bpf.c). */
#define PV_SAMPLE_NODES 4
/* A first read this soon after the open's rendering started is served
   with it (daemon/fuse_ops.c): its READ needs no sample of its own. */
#define PV_OPEN_RENDER_FRESH_NS 1000000ULL

/*
 * The same record, also in an mmapable array the daemon reads without a
 * system call: slot tid % PV_RID_SLOTS, under a sequence count (odd while
 * a writer fills it; a writer that finds it odd, or loses the
 * compare-and-swap to another, leaves it alone). The daemon uses a slot
 * only when the count is even and unchanged around its copy and tid and
 * node id and request match; otherwise it takes an OPEN's record from
 * the map pv_rid, where the program puts it only when the slot was busy
 * (or the daemon could not map the slots: pv_map_all). A READ's record
 * has no other copy. A
 * record that could not be built is written with nodeid 0, which matches
 * no node, so an older record of the same thread is never taken for it.
 */
#define PV_RID_SLOTS 1024   /* a power of two */
struct pv_rid_slot {
	__u64 seq;
	__u32 tid;
	__u32 reserved;
	struct pv_rid rec;
};

#endif
