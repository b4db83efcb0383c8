// SPDX-License-Identifier: GPL-2.0-only
/*
 * Limits of a container from its cgroup files. Everything is read relative
 * to the hierarchy dirfds so fixture trees and the real /sys/fs/cgroup go
 * through the same code; "walk up" means trying the container's directory,
 * then each parent up to the hierarchy root, because a parent's limit binds
 * every descendant.
 */
#include "cglimits.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>

#include "blkio_kept.h"
#include "fdcache.h"
#include "fileio.h"

/* Small files only: limits, cpulists, cpu.max. */
#define SMALL 4096

int pv_cg_relpath(const char *cgpath, char *dst, size_t cap)
{
	const char *s;
	size_t len;

	if (!cgpath || !dst || cgpath[0] != '/')
		return -EINVAL;
	s = cgpath;
	while (*s == '/')
		s++;
	len = strlen(s);
	while (len && s[len - 1] == '/')
		len--;
	if (len == 0) {
		s = ".";
		len = 1;
	}
	if (len + 1 > cap)
		return -ENAMETOOLONG;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int pv_cg_hier(const struct pv_cgroups *cg, enum pv_ctrl ctrl)
{
	int idx;

	if (!cg || (int)ctrl < 0 || ctrl >= PV_CTRL__COUNT)
		return -EINVAL;
	idx = cg->by_ctrl[ctrl];
	if (idx < 0 || idx >= cg->n)
		return -ENODEV;
	return idx;
}

int pv_cg_is_v2(const struct pv_cgroups *cg, enum pv_ctrl ctrl)
{
	int idx = pv_cg_hier(cg, ctrl);

	return idx < 0 ? idx : cg->h[idx].v2;
}

/*
 * Hierarchies whose container directory this thread read since
 * pv_cg_verified_reset: through its inode (c->ino[]), or by path.
 */
static __thread unsigned int read_by_ino, read_by_path;

void pv_cg_verified_reset(void)
{
	read_by_ino = read_by_path = 0;
}

void pv_cg_note_read_by_ino(int idx)
{
	if (idx >= 0 && idx < 32)
		read_by_ino |= 1u << idx;
}

unsigned int pv_cg_verified(void)
{
	return read_by_ino & ~read_by_path;
}

/* Hierarchy index, its dirfd and the container's relative dir in it. */
static int locate(const struct pv_cgroups *cg, const struct pv_container *c,
		  enum pv_ctrl ctrl, int *dirfd, char *rel, size_t cap)
{
	int idx = pv_cg_hier(cg, ctrl);

	if (idx < 0)
		return idx;
	if (!c)
		return -EINVAL;
	if (cg->h[idx].dirfd < 0)
		return -EBADF;
	*dirfd = cg->h[idx].dirfd;
	return pv_cg_relpath(c->path[idx], rel, cap) ? -EINVAL : idx;
}

static int join(char *dst, size_t cap, const char *dir, const char *name)
{
	if (snprintf(dst, cap, "%s/%s", dir, name) >= (int)cap)
		return -ENAMETOOLONG;
	return 0;
}

/* Strip the last component: "a/b" -> "a", "a" -> ".", "." -> 0 (done). */
static int parent_dir(char *rel)
{
	char *slash;

	if (!strcmp(rel, "."))
		return 0;
	slash = strrchr(rel, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(rel, ".");
	return 1;
}

/* The container's directory must exist, or its figures would be a parent's. */
static int dir_exists(int dirfd, const char *rel)
{
	struct stat st;

	if (fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}


/*
 * Read @name in directory @rel of a walk. -ENODATA: no such file at this
 * level (walk on). At the container's own level (@first) a missing file is
 * told apart from a vanished cgroup, which gives -ENOENT: a removed
 * container must not silently get its parent's figures.
 */
static ssize_t read_level(int dirfd, const char *rel, const char *name,
			  char *dst, size_t cap, int first, int idx, __u64 ino)
{
	char path[PV_CGPATH_MAX + 256];
	ssize_t n;
	int err;

	if (first && ino) {
		n = pv_fdcache_read_in(dirfd, rel, ino, name, dst, cap);
		if (n >= 0)
			read_by_ino |= 1u << idx;
		return n == -ENOENT ? -ENODATA : n;   /* the directory is there */
	}
	if (first)
		read_by_path |= 1u << idx;
	err = join(path, sizeof(path), rel, name);
	if (err)
		return err;
	n = pv_fdcache_read(dirfd, path, dst, cap);
	if (n != -ENOENT)
		return n;
	if (first) {
		err = dir_exists(dirfd, rel);
		if (err)
			return err;
	}
	return -ENODATA;
}

/* Next level up; 0 when done. Limit walks stop below a true root. */
static int next_level(char *rel, int stop_below_root)
{
	if (!parent_dir(rel))
		return 0;
	return !(stop_below_root && !strcmp(rel, "."));
}

ssize_t pv_cg_read(const struct pv_cgroups *cg, const struct pv_container *c,
		   enum pv_ctrl ctrl, const char *name, char *dst, size_t cap)
{
	char rel[PV_CGPATH_MAX], path[PV_CGPATH_MAX + 256];
	int dirfd, err;

	ssize_t n;

	if (!name || !dst)
		return -EINVAL;
	err = locate(cg, c, ctrl, &dirfd, rel, sizeof(rel));
	if (err < 0)
		return err;
	if (c->ino[err]) {
		n = pv_fdcache_read_in(dirfd, rel, c->ino[err], name, dst, cap);
		if (n >= 0)
			read_by_ino |= 1u << err;
		return n;
	}
	read_by_path |= 1u << err;
	err = join(path, sizeof(path), rel, name);
	if (err)
		return err;
	return pv_fdcache_read(dirfd, path, dst, cap);
}

int pv_cg_read_buf(const struct pv_cgroups *cg, const struct pv_container *c,
		   enum pv_ctrl ctrl, const char *name, struct buf *out)
{
	char rel[PV_CGPATH_MAX], path[PV_CGPATH_MAX + 256];
	int dirfd, err;

	int idx;

	if (!name || !out)
		return -EINVAL;
	idx = locate(cg, c, ctrl, &dirfd, rel, sizeof(rel));
	if (idx < 0)
		return idx;
	if (c->ino[idx]) {
		err = pv_fdcache_read_buf_in(dirfd, rel, c->ino[idx], name, out);
		if (!err)
			read_by_ino |= 1u << idx;
		return err;
	}
	read_by_path |= 1u << idx;
	err = join(path, sizeof(path), rel, name);
	if (err)
		return err;
	return pv_fdcache_read_buf(dirfd, path, out);
}

int pv_cg_read_u64(const struct pv_cgroups *cg, const struct pv_container *c,
		   enum pv_ctrl ctrl, const char *name, __u64 *ret)
{
	char text[SMALL];
	ssize_t n = pv_cg_read(cg, c, ctrl, name, text, sizeof(text));

	if (n < 0)
		return (int)n;
	return pv_parse_u64_or_max(text, ret);
}

int pv_cg_read_keyed(const struct pv_cgroups *cg, const struct pv_container *c,
		     enum pv_ctrl ctrl, const char *name, const char *key,
		     __u64 *ret)
{
	struct buf b = BUF_INIT;
	int err;

	if (!key || !ret)
		return -EINVAL;
	err = pv_cg_read_buf(cg, c, ctrl, name, &b);
	if (!err)
		err = pv_parse_keyed_u64(b.data ? b.data : "", key, ret);
	buf_free(&b);
	return err;
}

static __u64 norm_limit(__u64 v)
{
	return v >= PV_CG_HUGE ? PV_UNLIMITED : v;
}

int pv_cg_tightest_u64(const struct pv_cgroups *cg, const struct pv_container *c,
		       enum pv_ctrl ctrl, const char *name, __u64 *ret)
{
	char rel[PV_CGPATH_MAX], text[SMALL];
	__u64 best = PV_UNLIMITED;
	int dirfd, idx, real_root, first = 1;

	if (!name || !ret)
		return -EINVAL;
	idx = locate(cg, c, ctrl, &dirfd, rel, sizeof(rel));
	if (idx < 0)
		return idx;
	real_root = cg->h[idx].real_root;
	/* The kernel refuses limits on the true root: nothing to read. */
	if (!(real_root && !strcmp(rel, ".")))
		do {
			ssize_t n = read_level(dirfd, rel, name, text, sizeof(text), first, idx,
					       c->ino[idx]);
			__u64 v;
			int err;

			first = 0;
			if (n == -ENODATA)
				continue;
			if (n < 0)
				return (int)n;
			err = pv_parse_u64_or_max(text, &v);
			if (err)
				return err;
			v = norm_limit(v);
			if (v < best)
				best = v;
		} while (next_level(rel, real_root));
	*ret = best;
	return 0;
}

int pv_cg_mem_limit(const struct pv_cgroups *cg, const struct pv_container *c,
		    __u64 *ret)
{
	int v2 = pv_cg_is_v2(cg, PV_CTRL_MEMORY);

	if (v2 < 0)
		return v2;
	return pv_cg_tightest_u64(cg, c, PV_CTRL_MEMORY,
				  v2 ? "memory.max" : "memory.limit_in_bytes", ret);
}

/* v1 swap = memsw - memory, as Docker's --memory-swap defines it. */
static __u64 v1_swap(__u64 mem, __u64 memsw)
{
	if (memsw == PV_UNLIMITED)
		return PV_UNLIMITED;
	if (mem == PV_UNLIMITED)
		/* memory unlimited, memory+swap capped: swap alone can fill
		   the whole cap */
		return memsw;
	return memsw > mem ? memsw - mem : 0;
}

int pv_cg_swap_limit(const struct pv_cgroups *cg, const struct pv_container *c,
		     __u64 *ret)
{
	__u64 mem, memsw;
	int v2 = pv_cg_is_v2(cg, PV_CTRL_MEMORY), err;

	if (v2 < 0)
		return v2;
	if (v2)
		return pv_cg_tightest_u64(cg, c, PV_CTRL_MEMORY, "memory.swap.max", ret);
	err = pv_cg_tightest_u64(cg, c, PV_CTRL_MEMORY,
				 "memory.memsw.limit_in_bytes", &memsw);
	if (err)
		return err;
	err = pv_cg_tightest_u64(cg, c, PV_CTRL_MEMORY, "memory.limit_in_bytes", &mem);
	if (err)
		return err;
	*ret = v1_swap(mem, memsw);
	return 0;
}

int pv_cg_mem_limits(const struct pv_cgroups *cg, const struct pv_container *c,
		     const char *memory_stat, __u64 *ret_mem, __u64 *ret_swap)
{
	__u64 mem, memsw, swap;
	int v2 = pv_cg_is_v2(cg, PV_CTRL_MEMORY), err;

	if (v2 < 0)
		return v2;
	if (!ret_mem || !ret_swap)
		return -EINVAL;
	if (!v2 && memory_stat &&
	    pv_parse_keyed_u64(memory_stat, "hierarchical_memory_limit", &mem) == 0) {
		err = pv_parse_keyed_u64(memory_stat, "hierarchical_memsw_limit", &memsw);
		if (err == -ENOENT)
			memsw = PV_UNLIMITED;
		else if (err)
			return err;
		mem = norm_limit(mem);
		*ret_mem = mem;
		*ret_swap = v1_swap(mem, norm_limit(memsw));
		return 0;
	}
	err = pv_cg_mem_limit(cg, c, &mem);
	if (!err)
		err = pv_cg_swap_limit(cg, c, &swap);
	if (err)
		return err;
	*ret_mem = mem;
	*ret_swap = swap;
	return 0;
}

int pv_cg_mem_usage(const struct pv_cgroups *cg, const struct pv_container *c,
		    __u64 *ret)
{
	int v2 = pv_cg_is_v2(cg, PV_CTRL_MEMORY);
	__u64 v;
	int err;

	if (v2 < 0)
		return v2;
	err = pv_cg_read_u64(cg, c, PV_CTRL_MEMORY,
			     v2 ? "memory.current" : "memory.usage_in_bytes", &v);
	if (err)
		return err;
	if (v == PV_UNLIMITED)
		return -EINVAL; /* "max" is not a usage */
	*ret = v;
	return 0;
}

int pv_cg_swap_usage(const struct pv_cgroups *cg, const struct pv_container *c,
		     __u64 *ret)
{
	int v2 = pv_cg_is_v2(cg, PV_CTRL_MEMORY);
	__u64 sw, mem;
	int err;

	if (v2 < 0)
		return v2;
	if (v2) {
		err = pv_cg_read_u64(cg, c, PV_CTRL_MEMORY, "memory.swap.current", &sw);
		if (err)
			return err;
		if (sw == PV_UNLIMITED)
			return -EINVAL;
		*ret = sw;
		return 0;
	}
	err = pv_cg_read_u64(cg, c, PV_CTRL_MEMORY, "memory.memsw.usage_in_bytes", &sw);
	if (err)
		return err;
	err = pv_cg_read_u64(cg, c, PV_CTRL_MEMORY, "memory.usage_in_bytes", &mem);
	if (err)
		return err;
	if (sw == PV_UNLIMITED || mem == PV_UNLIMITED)
		return -EINVAL;
	/* Both are sampled separately; never report a negative difference. */
	*ret = sw > mem ? sw - mem : 0;
	return 0;
}

static int host_cpus(int host_ncpus, int *cpus, int max, int *ret_n)
{
	if (host_ncpus <= 0)
		return -EINVAL;
	if (host_ncpus > max)
		return -ERANGE;
	for (int i = 0; i < host_ncpus; i++)
		cpus[i] = i;
	*ret_n = host_ncpus;
	return 0;
}

/*
 * Try one cpuset file at @rel; 1 = found a non-empty list (in @cpus),
 * 0 = missing or empty (keep walking), <0 = error.
 */
static int try_cpuset_file(const struct pv_container *c, int idx, int dirfd, const char *rel,
			   const char *name, int first, char *text, size_t cap, int *cpus, int max,
			   int *ret_n)
{
	ssize_t n;
	int err, cnt;

	n = read_level(dirfd, rel, name, text, cap, first, idx, first ? c->ino[idx] : 0);
	if (n == -ENODATA)
		return 0;
	if (n < 0)
		return (int)n;
	err = pv_parse_cpulist(text, cpus, max, &cnt);
	if (err)
		return err;
	if (cnt == 0)
		return 0;
	*ret_n = cnt;
	return 1;
}

/* A cpulist of every other CPU up to id 8191 is about 20 KiB. */
#define CPULIST_TEXT 32768

int pv_cg_cpuset(const struct pv_cgroups *cg, const struct pv_container *c,
		 int host_ncpus, int *cpus, int max, int *ret_n)
{
	char rel[PV_CGPATH_MAX];
	int dirfd, idx, err, n = 0, first = 1;
	int *tmp;
	char *text;

	if (!cg || !c || !cpus || !ret_n || max < 0)
		return -EINVAL;
	idx = pv_cg_hier(cg, PV_CTRL_CPUSET);
	if (idx == -ENODEV)
		return host_cpus(host_ncpus, cpus, max, ret_n);
	idx = locate(cg, c, PV_CTRL_CPUSET, &dirfd, rel, sizeof(rel));
	if (idx < 0)
		return idx;
	/* Parse into scratch so @cpus stays untouched on error. */
	tmp = calloc(max > 0 ? (size_t)max : 1, sizeof(*tmp));
	text = malloc(CPULIST_TEXT);
	if (!tmp || !text) {
		err = -ENOMEM;
		goto out;
	}
	do {
		if (cg->h[idx].v2) {
			err = try_cpuset_file(c, idx, dirfd, rel, "cpuset.cpus.effective", first,
					      text, CPULIST_TEXT, tmp, max, &n);
		} else {
			err = try_cpuset_file(c, idx, dirfd, rel, "cpuset.effective_cpus", first,
					      text, CPULIST_TEXT, tmp, max, &n);
			if (err == 0)
				err = try_cpuset_file(c, idx, dirfd, rel, "cpuset.cpus", first,
						      text, CPULIST_TEXT, tmp, max, &n);
		}
		first = 0;
		if (err)
			break;
	} while (parent_dir(rel));
	if (err == 1) {
		memcpy(cpus, tmp, (size_t)n * sizeof(*tmp));
		*ret_n = n;
		err = 0;
	} else if (err == 0) {
		err = host_cpus(host_ncpus, cpus, max, ret_n);
	}
out:
	free(tmp);
	free(text);
	return err;
}

/* q1/p1 < q2/p2 without division or overflow. */
static int ratio_less(__u64 q1, __u64 p1, __u64 q2, __u64 p2)
{
	return (unsigned __int128)q1 * p2 < (unsigned __int128)q2 * p1;
}

/* v1 cpu.cfs_quota_us holds exactly "-1" when no quota is set. */
static int is_no_quota(const char *text)
{
	while (*text == ' ' || *text == '\t')
		text++;
	return text[0] == '-' && text[1] == '1' &&
	       (text[2] == '\0' || text[2] == '\n');
}

int pv_cg_cpu_quota(const struct pv_cgroups *cg, const struct pv_container *c,
		    __s64 *ret_quota_us, __u64 *ret_period_us)
{
	char rel[PV_CGPATH_MAX], qtext[SMALL], ptext[SMALL];
	__s64 best_q = -1;
	__u64 best_p = 100000;
	int dirfd, idx, real_root, first = 1;

	if (!cg || !c || !ret_quota_us || !ret_period_us)
		return -EINVAL;
	idx = pv_cg_hier(cg, PV_CTRL_CPU);
	if (idx == -ENODEV)
		goto done;
	idx = locate(cg, c, PV_CTRL_CPU, &dirfd, rel, sizeof(rel));
	if (idx < 0)
		return idx;
	real_root = cg->h[idx].real_root;
	if (real_root && !strcmp(rel, "."))
		goto done;
	do {
		__s64 q;
		__u64 p;
		ssize_t n;
		int err;

		int own = first;

		n = read_level(dirfd, rel, cg->h[idx].v2 ? "cpu.max" : "cpu.cfs_quota_us",
			       qtext, sizeof(qtext), own, idx, own ? c->ino[idx] : 0);
		first = 0;
		if (n == -ENODATA)
			continue;
		if (n < 0)
			return (int)n;
		if (cg->h[idx].v2) {
			err = pv_parse_cpu_max(qtext, &q, &p);
		} else {
			/* most levels set no quota: skip reading the period */
			if (is_no_quota(qtext))
				continue;
			n = read_level(dirfd, rel, "cpu.cfs_period_us", ptext,
				       sizeof(ptext), own, idx, own ? c->ino[idx] : 0);
			if (n == -ENODATA)
				return -ENOENT; /* a quota without a period */
			if (n < 0)
				return (int)n;
			err = pv_parse_cfs(qtext, ptext, &q, &p);
		}
		if (err)
			return err;
		if (q < 0)
			continue;
		if (best_q < 0 || ratio_less((__u64)q, p, (__u64)best_q, best_p)) {
			best_q = q;
			best_p = p;
		}
	} while (next_level(rel, real_root));
done:
	*ret_quota_us = best_q;
	*ret_period_us = best_p;
	return 0;
}

int pv_cg_io(const struct pv_cgroups *cg, const struct pv_container *c,
	     struct pv_io_dev *devs, int max, int *ret_n)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	int v2 = pv_cg_is_v2(cg, PV_CTRL_IO), err, idx;
	__u64 ino;

	if (v2 < 0)
		return v2;
	if (v2) {
		err = pv_cg_read_buf(cg, c, PV_CTRL_IO, "io.stat", &a);
		if (!err)
			err = pv_parse_io_stat(a.data ? a.data : "", devs, max, ret_n);
		goto out;
	}
	/*
	 * The _recursive files include nested cgroups (a container's figures
	 * include its children); older kernels only have the flat ones. The
	 * I/O counts first: they tell whether a kept parse stands for both
	 * files (blkio_kept.h).
	 */
	err = pv_cg_read_buf(cg, c, PV_CTRL_IO, "blkio.throttle.io_serviced_recursive", &b);
	if (err == -ENOENT) {
		buf_reset(&b);
		err = pv_cg_read_buf(cg, c, PV_CTRL_IO, "blkio.throttle.io_service_bytes", &a);
		if (!err)
			err = pv_cg_read_buf(cg, c, PV_CTRL_IO, "blkio.throttle.io_serviced", &b);
		if (!err)
			err = pv_parse_blkio_v1(a.data ? a.data : "", b.data ? b.data : "",
						devs, max, ret_n);
		goto out;
	}
	if (err)
		goto out;
	idx = pv_cg_hier(cg, PV_CTRL_IO);
	ino = idx >= 0 && idx < PV_MAX_HIER ? c->ino[idx] : 0;
	if (!pv_blkio_kept_get(&c->blkio, ino, b.data, b.len, devs, max, ret_n))
		goto out;
	err = pv_cg_read_buf(cg, c, PV_CTRL_IO, "blkio.throttle.io_service_bytes_recursive", &a);
	if (!err)
		err = pv_parse_blkio_v1(a.data ? a.data : "", b.data ? b.data : "",
					devs, max, ret_n);
	if (!err)
		pv_blkio_kept_put(&c->blkio, ino, b.data, b.len, devs, *ret_n);
out:
	buf_free(&a);
	buf_free(&b);
	return err;
}
