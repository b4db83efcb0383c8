/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one table of served files. A producer is collector + pure renderer:
 * it fills a view struct from cgroup files / BPF maps for container @c and
 * renders it into @out. Producers never log; they return 0 or -errno and
 * the FUSE layer logs once with file, cgroup and errno.
 */
#ifndef PV_VFILE_H
#define PV_VFILE_H

#include <stddef.h>

#include "buf.h"
#include "cgroup.h"
#include "env.h"

typedef int (*pv_produce_fn)(const struct pv_env *env,
			     const struct pv_container *c, struct buf *out);

struct pv_vfile {
	const char *path;       /* below the mountpoint, e.g. "/proc/meminfo" */
	pv_produce_fn produce;
	/* Hierarchies the producer reads (PV_IDENT_CPU_ACCT, 1u << enum
	 * pv_ctrl): after each rendering a handle checks they are still its
	 * cgroups. */
	unsigned int ident_roles;
	/* Checked before rendering too: the producer writes state keyed by
	 * that cgroup's id, which a removed cgroup must not get. */
	unsigned int ident_roles_before;
	/* The producer reads cgroup files only through cglimits.h: its reads
	 * of the container's own directories are checked by inode as they
	 * happen (pv_cg_verified), and those hierarchies need no stat. */
	int cg_reads_only;
	/* The rendering counts the reader's own run state (procs_running,
	 * loadavg's running tasks: the reader counts as running, as with the
	 * kernel's file). Open renders it before replying, while the reader
	 * sleeps in the request, never while it runs towards its read. */
	int counts_reader;
	/* Renders from what the kernel's record of the request carries
	 * (PV_SAMPLE_*, cgroup.h) when it has it: re-reads at offset 0 ask for
	 * theirs too. */
	unsigned int samples;
};

extern const struct pv_vfile pv_vfiles[];
extern const size_t pv_nvfiles;

/* NULL when @path is not a served file. */
const struct pv_vfile *pv_vfile_find(const char *path);

/* Producers, one per served file. */
int pv_produce_meminfo(const struct pv_env *env, const struct pv_container *c, struct buf *out);
int pv_produce_cpuinfo(const struct pv_env *env, const struct pv_container *c, struct buf *out);
int pv_produce_cpu_online(const struct pv_env *env, const struct pv_container *c, struct buf *out);
int pv_produce_swaps(const struct pv_env *env, const struct pv_container *c, struct buf *out);
int pv_produce_diskstats(const struct pv_env *env, const struct pv_container *c, struct buf *out);
int pv_produce_stat(const struct pv_env *env, const struct pv_container *c, struct buf *out);
int pv_produce_uptime(const struct pv_env *env, const struct pv_container *c, struct buf *out);
int pv_produce_loadavg(const struct pv_env *env, const struct pv_container *c, struct buf *out);

/* The host's own file (env->proc + "/" + @name), unchanged. */
int pv_produce_host_file(const struct pv_env *env, const char *name, struct buf *out);

#endif
