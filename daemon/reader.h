/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who is reading: FUSE request pid (host pid namespace) -> the container
 * whose figures that reader sees (DESIGN.md "Who is reading").
 *
 *  - A reader in the daemon's own pid namespace: its own cgroups.
 *  - A reader in another pid namespace: the cgroups of that namespace's
 *    init (the process whose last NSpid field is 1), so a process that
 *    moved itself to another cgroup inside a container still sees the
 *    container. The init is found by walking PPid upwards while the pid
 *    namespace stays the same; the topmost process must have NSpid ...1,
 *    else (a process setns()-ed in from outside) every /proc entry is
 *    scanned for the namespace's NSpid-1 process.
 *
 * Pid reuse: while we handle a request its reader cannot exit. The kernel
 * (fuse request_wait_answer) lets a fatal signal abort a request only
 * while it is still queued; once a daemon thread has read it, the reader
 * waits uninterruptibly for our reply. So the request's pid names the same
 * process for the whole lookup, and is read by number. Other processes
 * (the namespace's init and the walk towards it) have no such pin: they are
 * read through an O_DIRECTORY fd of /proc/<pid>, which procfs binds to the
 * process (its struct pid), not the number, so once that process exits
 * every read through it fails instead of reading a newcomer with the same
 * pid (a pidfd that also works on fixture trees). The walk starts only
 * after checking the reader's fd is in the namespace read before.
 *
 * Caches (bounded, LRU, one mutex): pid-namespace inode -> init, validated
 * on every hit (the init's fd still reads and is still in that namespace,
 * since namespace inodes are reused), with the init's cgroup file re-read
 * at most every PV_READER_TTL seconds; cgroup text -> container, validated
 * on every hit (the container's directory in the CPU-accounting and memory
 * hierarchies still exists with the same inode), so a removed or
 * re-created cgroup is never served from the cache. A reader in the
 * daemon's own pid namespace has its cgroup file read on every open, as it
 * may move between cgroups at any time. Entries of removed cgroups and
 * exited inits are dropped by pv_reader_prune (the daemon runs it every
 * few seconds), so after containers come and go the caches shrink back.
 *
 * With the kernel's record of the open (reader_id.h, pv_reader_resolve_ids)
 * none of the above runs for a container seen before: the record names the
 * cgroups by id, and a cache entry whose directories had those inodes when
 * /proc last agreed with a record is the container. Ids are never reused
 * while the machine runs, so a removed or re-created cgroup cannot match.
 */
#ifndef PV_READER_H
#define PV_READER_H

#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "env.h"

#define PV_READER_CACHE 256
#define PV_READER_TTL 1.0   /* seconds */

struct pv_reader;

/* @env (its proc dir and cgroup hierarchies) must outlive the reader. */
int pv_reader_new(const struct pv_env *env, struct pv_reader **ret);
void pv_reader_free(struct pv_reader *r);   /* NULL-safe */

/*
 * Fill @ret with the container of host pid (or tid) @pid: paths in every
 * hierarchy, ids, host flag, reader/init pids. 0 or -errno: -ESRCH the
 * process (or its namespace's init) is gone, -ENOENT its cgroup vanished.
 */
int pv_reader_resolve(struct pv_reader *r, pid_t pid, struct pv_container *ret);

/*
 * What the kernel recorded at the reader's open (reader_id.h): the inode
 * of its container's directory in every hierarchy (0 where not known), and
 * whose cgroups they are.
 */
struct pv_reader_ids {
	__u64 ino[PV_MAX_HIER];   /* index as cg->h[] */
	pid_t init_pid;
	int own_pidns;
	int cpu;                  /* where the reader queued its OPEN */
	struct pv_memcg_sample mem;
	struct pv_blkio_probe blkio;
};

/*
 * As pv_reader_resolve, from @ids: a cached container whose directories
 * have exactly these inodes is used without a single system call (cgroup
 * ids are never reused, and the reader is in those cgroups now). Else the
 * /proc lookup runs and, when it agrees with @ids, the entry learns them
 * for next time.
 */
int pv_reader_resolve_ids(struct pv_reader *r, pid_t pid, const struct pv_reader_ids *ids,
			  struct pv_container *ret);

struct pv_reader_stats {
	size_t ns_entries, cg_entries;       /* live cache entries */
	unsigned long ns_hits, cg_hits, cg_misses, scans;
	unsigned long id_hits, id_misses;    /* pv_reader_resolve_ids */
	unsigned long pruned;                /* entries dropped by prune */
};
void pv_reader_stats(struct pv_reader *r, struct pv_reader_stats *ret);

/*
 * Drop the entries a lookup would never hit again: cgroups that are gone
 * or re-created, pid namespaces whose init has exited. Without it a host
 * that churns containers keeps up to PV_READER_CACHE dead entries (and
 * their init's /proc fds) until the LRU recycles them. Returns the number
 * of entries dropped.
 */
size_t pv_reader_prune(struct pv_reader *r);

/*
 * Fields of /proc/<pid>/status text: Tgid, PPid and the NSpid numbers (the
 * host's first, the innermost pid namespace's last). -1 for a line that is
 * absent or whose value is not a number in 0..INT_MAX; nspid_n is 0 then.
 * Pure.
 */
#define PV_PIDNS_DEPTH_MAX 33   /* the kernel's MAX_PID_NS_LEVEL (32) + 1 */
struct pv_pid_status {
	pid_t tgid, ppid, nspid_last;
	int nspid_n;                      /* numbers in nspid[] */
	pid_t nspid[PV_PIDNS_DEPTH_MAX];
};
void pv_parse_pid_status(const char *text, struct pv_pid_status *ret);

/*
 * Identity of a container: the inode of its directory in every hierarchy
 * a producer reads (CPU accounting, cpu, cpuset, memory, io, pids). Paths
 * name a cgroup only until it is removed; a cgroup re-created under the
 * same name gets new inodes. A handle keeps the identity taken at open and
 * checks it after every rendering, so it never shows a newcomer's figures.
 */
/* Role of a hierarchy for the identity check, beside 1u << enum pv_ctrl:
   the CPU-accounting hierarchy BPF keys by (env->cg.cpu_acct). */
#define PV_IDENT_CPU_ACCT (1u << PV_CTRL__COUNT)
#define PV_IDENT_ALL (PV_IDENT_CPU_ACCT | ((1u << PV_CTRL__COUNT) - 1))

struct pv_cg_ident {
	int n;
	int idx[PV_MAX_HIER];     /* hierarchy index into cg->h[] */
	unsigned int roles[PV_MAX_HIER]; /* PV_IDENT_CPU_ACCT, 1u << ctrl */
	__u64 ino[PV_MAX_HIER];
};
/* Fill @ret for @c with the hierarchies that have a role in @roles (what
   a file's producer reads): the CPU-accounting and memory directories are
   the ones the reader lookup saw (c->cpu_cgid, c->mem_ino), the others
   one stat each. 0, -ENOENT when a directory is gone, or -errno. A
   cgroup re-created since the lookup fails the next pv_cg_ident_check. */
int pv_cg_ident_get(const struct pv_cgroups *cg, const struct pv_container *c,
		    unsigned int roles, struct pv_cg_ident *ret);
/* 0 while every directory of @c in a hierarchy with a role in @roles
   (PV_IDENT_CPU_ACCT, 1u << enum pv_ctrl) still has the inode @id
   recorded: one stat per hierarchy; -ESTALE when one was removed or
   re-created; other -errno. */
int pv_cg_ident_check(const struct pv_cgroups *cg, const struct pv_container *c,
		      const struct pv_cg_ident *id, unsigned int roles);

#endif
