/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cgroup hierarchies (v1, v2, hybrid, any co-mounting) and the identity of a
 * container in each of them. Discovery reads mountinfo text; collectors read
 * cgroup files through the per-hierarchy dirfds, so unit tests can point the
 * whole layer at a fixture tree with --cgroup-root.
 */
#ifndef PV_CGROUP_H
#define PV_CGROUP_H

#include <limits.h>
#include <linux/types.h>
#include <sys/types.h>

#define PV_MAX_HIER 16
#define PV_CGPATH_MAX 1024

enum pv_ctrl {
	PV_CTRL_CPU,
	PV_CTRL_CPUACCT,
	PV_CTRL_CPUSET,
	PV_CTRL_MEMORY,
	PV_CTRL_IO,     /* blkio on v1, io on v2 */
	PV_CTRL_PIDS,
	PV_CTRL__COUNT,
};

struct pv_hier {
	int v2;                  /* 1 for the cgroup2 (unified) hierarchy */
	unsigned int ctrl_mask;  /* 1u << enum pv_ctrl held by this hierarchy */
	char ctrls[128];         /* controller field as /proc/<pid>/cgroup
				    prints it: "cpu,cpuacct", "name=systemd",
				    "" for cgroup2 */
	char mount[PATH_MAX];    /* where the hierarchy root is mounted */
	int dirfd;               /* O_DIRECTORY fd of mount, -1 until opened */
	int real_root;           /* set by pv_cgroups_open: the mount shows the
				    hierarchy's true root (not a cgroup
				    namespace's), where the kernel refuses
				    memory and CPU-bandwidth limits, so limit
				    walks stop below it */
};

struct pv_cgroups {
	int n;
	struct pv_hier h[PV_MAX_HIER];
	int by_ctrl[PV_CTRL__COUNT]; /* index into h[] or -1 */
	int unified;                 /* index of the cgroup2 hierarchy or -1 */
	int cpu_acct;                /* index whose cgroup ids key the BPF CPU
					stats: cpuacct (v1), else cpu (v1),
					else unified; -1 if none */
};

/* Where a reader's container sits in every hierarchy. */
/*
 * The container's memory cgroup as the kernel had it when the reader's
 * OPEN was queued (reader_id.bpf.c), for that open's rendering only
 * (daemon/memstat_cache.h). Bytes.
 */
struct pv_memcg_sample {
	int ok;               /* 0: none; the cgroup files are read */
	__u64 ino;            /* inode of the memory cgroup directory it is of */
	__u64 usage;          /* memory page counter (v1 usage_in_bytes) */
	__u64 limit;          /* tightest memory max, it up to the root */
	__u64 memsw_limit;    /* tightest memsw (v1) / swap (v2) max */
	__u64 updates;        /* stats updates batched for a flush */
};

/*
 * The container's v1 blkio cgroup as the kernel had it when the reader's
 * OPEN was queued (reader_id.bpf.c), for that open's rendering only: what
 * proves a kept reading of its statistics current (daemon/blkio_kept.h).
 */
struct pv_blkio_probe {
	int ok;               /* 0: none; nothing kept is used or made */
	int alone;            /* it had no child cgroup, live or dying */
	__u64 ino;            /* inode of the blkio cgroup directory */
	__u64 mkdirs;         /* cgroups made on the host before that was seen */
};

/* What a request's kernel record carries (vfile.h samples): the memory
   sample, the blkio probe. */
#define PV_SAMPLE_MEM   1u
#define PV_SAMPLE_BLKIO 2u

struct pv_container {
	char path[PV_MAX_HIER][PV_CGPATH_MAX]; /* index as cg->h[]; "/" = root */
	__u64 cpu_cgid;    /* inode of the container dir in h[cpu_acct] */
	__u64 mem_ino;     /* inode of its dir in the memory hierarchy, as
			      the reader lookup saw it; 0: not known */
	int host;          /* root cgroup of the CPU-accounting hierarchy:
			      the reader is in no container */
	pid_t reader_pid;  /* host pid of the reader */
	pid_t init_pid;    /* host pid whose cgroups define the container
			      (pid-namespace init, or the reader itself) */
	int own_pidns;     /* reader lives in a non-initial pid namespace */
	__u64 ino[PV_MAX_HIER]; /* inode of the container dir per hierarchy,
				   as the kernel reported it at open (reader
				   identity from BPF); 0: not known */
	struct pv_memcg_sample mem;
	struct pv_blkio_probe blkio;
};

/*
 * Fill @ret from mountinfo text (NULL: read /proc/self/mountinfo). Only
 * mounts of a hierarchy's root (mountinfo root field "/") count; the same
 * hierarchy mounted twice is kept once (the first). v1 controller fields
 * are the super options minus mount flags; v2 controllers come from the
 * mount's cgroup.controllers. With @root_override the real mount points
 * are ignored and the hierarchies are discovered from the directory layout
 * below it (fixture trees): DIR/cgroup.controllers => pure v2 at DIR;
 * otherwise every DIR/<ctrls> directory (not symlink) is a v1 hierarchy
 * named by its controllers ("systemd" means "name=systemd") and
 * DIR/unified a v2 one.
 * by_ctrl[c]: the v1 hierarchy holding c, else the v2 one if its
 * cgroup.controllers lists c; by_ctrl[PV_CTRL_CPUACCT] falls back to the
 * v2 hierarchy, whose cpu.stat accounts CPU in every cgroup.
 * dirfds are -1 until pv_cgroups_open(). Returns 0 or -errno (-ENOENT: no
 * hierarchy found); @ret untouched on error.
 */
int pv_cgroups_discover(const char *mountinfo_text, const char *root_override,
			struct pv_cgroups *ret);
/* Opens every h[].dirfd and sets h[].real_root. 0 or -errno (all closed). */
int pv_cgroups_open(struct pv_cgroups *cg);
void pv_cgroups_close(struct pv_cgroups *cg); /* NULL-safe */

/*
 * Parse /proc/<pid>/cgroup text: every hierarchy of @cg gets its path in
 * @ret->path (hierarchies missing from the text get "/"). Lines are matched
 * to hierarchies by their controller field, not the numeric id.
 */
int pv_parse_proc_cgroup(const struct pv_cgroups *cg, const char *text,
			 struct pv_container *ret);

/* Set ret->cpu_cgid and ret->host from the paths. -ENOENT: cgroup gone. */
int pv_container_ids(const struct pv_cgroups *cg, struct pv_container *c);

/*
 * The container's CPUs: the effective cpuset (ascending physical ids) and
 * the vCPU count N (cpuset size, reduced to ceil(quota/period) when
 * @quota_view and a CFS quota is set; at least 1). vCPU i maps onto
 * phys[i] when N == nphys; when N < nphys the vCPUs share the cpuset.
 */
#define PV_MAX_CPUS 1024
struct pv_cpus {
	int n;                 /* vCPUs */
	int nphys;             /* CPUs in the effective cpuset */
	int phys[PV_MAX_CPUS]; /* ascending physical ids */
};
int pv_container_cpus(const struct pv_cgroups *cg, const struct pv_container *c,
		      int quota_view, int host_ncpus, struct pv_cpus *ret);

#endif
