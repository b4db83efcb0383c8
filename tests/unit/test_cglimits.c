// SPDX-License-Identifier: GPL-2.0-only
/*
 * Limits along the path to the root, swap, usage, cpuset, CFS quota and I/O
 * on the fixture trees. Expected figures are the numbers written in the
 * fixture files under tests/fixtures, combined as the kernel applies them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cglimits.h"
#include "fileio.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define U PV_UNLIMITED
#define MiB (1024ULL * 1024)
#define UNTOUCHED 0x1234567ULL

struct env {
	struct pv_cgroups cg;
	struct pv_container c;
};

static const char *fixtures(void)
{
	const char *d = getenv("PV_FIXTURES");

	return d ? d : "tests/fixtures";
}

/* Discover + open fixture @kind and place the container per proc/@proc.cgroup. */
static struct env *env_new(const char *kind, const char *proc)
{
	char root[PATH_MAX], path[PATH_MAX];
	struct buf b = BUF_INIT;
	struct env *e = calloc(1, sizeof(*e));

	snprintf(root, sizeof(root), "%s/%s/cgroup", fixtures(), kind);
	snprintf(path, sizeof(path), "%s/%s/proc/%s.cgroup", fixtures(), kind, proc);
	if (pv_cgroups_discover(NULL, root, &e->cg) || pv_cgroups_open(&e->cg))
		fail_msg("fixture %s", root);
	if (pv_read_file_buf(AT_FDCWD, path, &b) ||
	    pv_parse_proc_cgroup(&e->cg, b.data ? b.data : "", &e->c))
		fail_msg("fixture %s", path);
	buf_free(&b);
	return e;
}

/* Give the container its directory inodes, as a handle's identity does:
   its own directories are then read through them (cglimits.h). */
static void with_inos(struct env *e)
{
	for (int i = 0; i < e->cg.n; i++) {
		const char *rel = e->c.path[i] + strspn(e->c.path[i], "/");
		struct stat st;

		if (fstatat(e->cg.h[i].dirfd, *rel ? rel : ".", &st, 0) == 0)
			e->c.ino[i] = st.st_ino;
	}
}

static void env_free(struct env *e)
{
	pv_cgroups_close(&e->cg);
	free(e);
}

struct mem_case {
	const char *kind, *proc;
	int lim_err;
	__u64 limit;
	int swap_err;
	__u64 swap;
};

/* Every row twice: by path, then through the directory inodes. */
static void check_mem(const struct mem_case *t, size_t count)
{
	for (size_t j = 0; j < 2 * count; j++) {
		size_t i = j % count;
		struct env *e = env_new(t[i].kind, t[i].proc);
		__u64 v = UNTOUCHED;
		int err;

		if (j >= count)
			with_inos(e);
		err = pv_cg_mem_limit(&e->cg, &e->c, &v);
		if (err != t[i].lim_err || (!err && v != t[i].limit))
			fail_msg("%s/%s%s limit: err %d v %llu, want err %d v %llu",
				 t[i].kind, t[i].proc, j >= count ? " (by inode)" : "", err, (unsigned long long)v,
				 t[i].lim_err, (unsigned long long)t[i].limit);
		if (err)
			assert_true(v == UNTOUCHED);
		v = UNTOUCHED;
		err = pv_cg_swap_limit(&e->cg, &e->c, &v);
		if (err != t[i].swap_err || (!err && v != t[i].swap))
			fail_msg("%s/%s swap: err %d v %llu, want err %d v %llu",
				 t[i].kind, t[i].proc, err, (unsigned long long)v,
				 t[i].swap_err, (unsigned long long)t[i].swap);
		if (err)
			assert_true(v == UNTOUCHED);
		env_free(e);
	}
}

static void mem__v2_table(void **state)
{
	static const struct mem_case t[] = {
		{ "v2", "limited", 0, 200 * MiB, 0, 100 * MiB },
		{ "v2", "unlimited", 0, U, 0, U },
		/* parent: 100M, swap 0 */
		{ "v2", "parent", 0, 100 * MiB, 0, 0 },
		/* child 512M under a 100M parent; swap max under parent's 0 */
		{ "v2", "child", 0, 100 * MiB, 0, 0 },
		{ "v2", "leaf", 0, 100 * MiB, 0, 0 },
		/* no memory files anywhere (v2 root has none) */
		{ "v2", "bare", 0, U, 0, U },
		{ "v2", "host", 0, U, 0, U },
		{ "v2", "malformed", -EINVAL, 0, -EINVAL, 0 },
		/* 2^64-1 is unlimited; 2^64 overflows */
		{ "v2", "huge", 0, U, -ERANGE, 0 },
		{ "v2", "empty", -EINVAL, 0, 0, U },
		{ "v2", "gone", -ENOENT, 0, -ENOENT, 0 },
	};

	check_mem(t, ARRAY_SIZE(t));
}

static void mem__v1_hybrid_table(void **state)
{
	static const struct mem_case t[] = {
		/* 256M, memsw 384M -> swap 128M */
		{ "v1", "abc", 0, 256 * MiB, 0, 128 * MiB },
		/* 9223372036854771712 everywhere: unlimited */
		{ "v1", "def", 0, U, 0, U },
		{ "v1", "host", 0, U, 0, U },
		/* inner 200M/300M under tight 100M/150M: 100M, swap 150-100 */
		{ "v1", "tight", 0, 100 * MiB, 0, 50 * MiB },
		{ "v1", "bad", -EINVAL, 0, -EINVAL, 0 },
		/* hybrid c1: 512M under lxc's 1G; no memsw files (swap
		   accounting off): swap not limited by the cgroup */
		{ "hybrid", "c1", 0, 512 * MiB, 0, U },
		/* c2 unlimited itself, lxc parent 1G binds */
		{ "hybrid", "c2", 0, 1024 * MiB, 0, U },
		{ "hybrid", "host", 0, U, 0, U },
		/* memory co-mounted with cpuset, cpu, cpuacct: pod 128M with
		   memsw 128M (no swap) binds the unlimited ctr */
		{ "comount", "ctr", 0, 128 * MiB, 0, 0 },
	};

	check_mem(t, ARRAY_SIZE(t));
}

static void mem_limits__v1_stat_lines_and_walk_agree(void **state)
{
	static const struct {
		const char *kind, *proc;
		__u64 mem, swap;
	} t[] = {
		/* memory.stat of these carries hierarchical_* lines equal to
		   what the files give */
		{ "v1", "abc", 256 * MiB, 128 * MiB },
		{ "v1", "def", U, U },
		{ "v1", "tight", 100 * MiB, 50 * MiB },
		/* no memory.stat / v2: walked */
		{ "hybrid", "c1", 512 * MiB, U },
		{ "v2", "limited", 200 * MiB, 100 * MiB },
		{ "v2", "child", 100 * MiB, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct env *e = env_new(t[i].kind, t[i].proc);
		struct buf st = BUF_INIT;
		__u64 m = UNTOUCHED, sw = UNTOUCHED;

		(void)pv_cg_read_buf(&e->cg, &e->c, PV_CTRL_MEMORY, "memory.stat", &st);
		assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c, st.data, &m, &sw), 0);
		if (m != t[i].mem || sw != t[i].swap)
			fail_msg("%s/%s with stat: %llu/%llu", t[i].kind, t[i].proc,
				 (unsigned long long)m, (unsigned long long)sw);
		assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c, NULL, &m, &sw), 0);
		if (m != t[i].mem || sw != t[i].swap)
			fail_msg("%s/%s walked: %llu/%llu", t[i].kind, t[i].proc,
				 (unsigned long long)m, (unsigned long long)sw);
		buf_free(&st);
		env_free(e);
	}
}

static void mem_limits__v1_uses_kernel_hierarchical_figures(void **state)
{
	struct env *e = env_new("v1", "abc");
	__u64 m = UNTOUCHED, sw = UNTOUCHED;

	/* the kernel's figures win over the walk (files say 256M/384M) */
	assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c,
		"hierarchical_memory_limit 1048576\nhierarchical_memsw_limit 3145728\n",
		&m, &sw), 0);
	assert_true(m == 1 * MiB && sw == 2 * MiB);
	/* no hierarchical_memsw_limit: swap not accounted */
	assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c,
		"hierarchical_memory_limit 1048576\n", &m, &sw), 0);
	assert_true(m == 1 * MiB && sw == U);
	/* unlimited spelled the v1 way */
	assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c,
		"hierarchical_memory_limit 9223372036854771712\n"
		"hierarchical_memsw_limit 9223372036854771712\n", &m, &sw), 0);
	assert_true(m == U && sw == U);
	m = sw = UNTOUCHED;
	assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c,
		"hierarchical_memory_limit 1048576\nhierarchical_memsw_limit x\n",
		&m, &sw), -EINVAL);
	assert_true(m == UNTOUCHED && sw == UNTOUCHED);
	/* a stat without the lines (old kernel): walk, 256M/128M */
	assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c, "cache 1\n", &m, &sw), 0);
	assert_true(m == 256 * MiB && sw == 128 * MiB);
	env_free(e);

	/* v2 ignores memory.stat for limits */
	e = env_new("v2", "limited");
	assert_int_equal(pv_cg_mem_limits(&e->cg, &e->c,
		"hierarchical_memory_limit 1048576\n", &m, &sw), 0);
	assert_true(m == 200 * MiB && sw == 100 * MiB);
	env_free(e);
}

static void usage__v1_v2(void **state)
{
	static const struct {
		const char *kind, *proc;
		int mem_err;
		__u64 mem;
		int swap_err;
		__u64 swap;
	} t[] = {
		{ "v2", "limited", 0, 50 * MiB, 0, 1 * MiB },
		{ "v2", "unlimited", 0, 4096, 0, 0 },
		{ "v2", "bare", -ENOENT, 0, -ENOENT, 0 },
		/* memsw 105M - 100M */
		{ "v1", "abc", 0, 100 * MiB, 0, 5 * MiB },
		{ "v1", "def", 0, 4096, 0, 0 },
		/* memsw.usage below usage (sampled apart): 0, not negative */
		{ "v1", "tight", 0, 1000, 0, 0 },
		{ "v1", "bad", -EINVAL, 0, -EINVAL, 0 },
		{ "hybrid", "c1", 0, 1 * MiB, -ENOENT, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct env *e = env_new(t[i].kind, t[i].proc);
		__u64 v = UNTOUCHED;
		int err = pv_cg_mem_usage(&e->cg, &e->c, &v);

		if (err != t[i].mem_err || v != (err ? UNTOUCHED : t[i].mem))
			fail_msg("%s/%s usage err %d v %llu", t[i].kind, t[i].proc, err,
				 (unsigned long long)v);
		v = UNTOUCHED;
		err = pv_cg_swap_usage(&e->cg, &e->c, &v);
		if (err != t[i].swap_err || v != (err ? UNTOUCHED : t[i].swap))
			fail_msg("%s/%s swap usage err %d v %llu", t[i].kind, t[i].proc,
				 err, (unsigned long long)v);
		env_free(e);
	}
}

static void quota__table(void **state)
{
	static const struct {
		const char *kind, *proc;
		int err;
		__s64 q;
		__u64 p;
	} t[] = {
		{ "v2", "limited", 0, 50000, 100000 },
		{ "v2", "unlimited", 0, -1, 100000 },
		{ "v2", "parent", 0, 150000, 100000 },
		{ "v2", "child", 0, 150000, 100000 },
		{ "v2", "leaf", 0, 150000, 100000 },
		{ "v2", "bigquota", 0, 400000, 100000 },
		{ "v2", "bare", 0, -1, 100000 },
		{ "v2", "huge", 0, INT64_MAX, 1000 },
		{ "v2", "malformed", -EINVAL, 0, 0 },
		{ "v2", "empty", -EINVAL, 0, 0 },
		{ "v2", "gone", -ENOENT, 0, 0 },
		/* abc 0.5 is tighter than docker's 2.0 */
		{ "v1", "abc", 0, 50000, 100000 },
		{ "v1", "def", 0, 200000, 100000 },
		{ "v1", "host", 0, -1, 100000 },
		{ "v1", "bad", -EINVAL, 0, 0 },
		{ "hybrid", "c1", 0, 150000, 100000 },
		{ "hybrid", "c2", 0, -1, 100000 },
		{ "comount", "ctr", 0, 250000, 100000 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct env *e = env_new(t[i].kind, t[i].proc);
		__s64 q = 777;
		__u64 p = 777;
		int err = pv_cg_cpu_quota(&e->cg, &e->c, &q, &p);

		if (err != t[i].err)
			fail_msg("%s/%s err %d want %d", t[i].kind, t[i].proc, err, t[i].err);
		if (err)
			assert_true(q == 777 && p == 777);
		else if (q != t[i].q || p != t[i].p)
			fail_msg("%s/%s quota %lld/%llu want %lld/%llu", t[i].kind,
				 t[i].proc, (long long)q, (unsigned long long)p,
				 (long long)t[i].q, (unsigned long long)t[i].p);
		env_free(e);
	}
}

static void quota__tightest_ratio_not_smallest_quota(void **state)
{
	/* 30000/50000 = 0.6 is looser than 50000/100000 = 0.5 despite the
	   smaller quota; written into a temp tree */
	char tmpl[] = "/tmp/pv-cgl-XXXXXX", path[PATH_MAX];
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));
	__s64 q;
	__u64 p;
	FILE *f;

	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/cgroup.controllers", tmpl);
	f = fopen(path, "w");
	fputs("cpu\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a", tmpl);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/cpu.max", tmpl);
	f = fopen(path, "w");
	fputs("50000 100000\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a/b", tmpl);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b/cpu.max", tmpl);
	f = fopen(path, "w");
	fputs("30000 50000\n", f);
	fclose(f);
	assert_int_equal(pv_cgroups_discover(NULL, tmpl, &cg), 0);
	assert_int_equal(pv_cgroups_open(&cg), 0);
	assert_int_equal(pv_parse_proc_cgroup(&cg, "0::/a/b\n", c), 0);
	assert_int_equal(pv_cg_cpu_quota(&cg, c, &q, &p), 0);
	assert_true(q == 50000 && p == 100000);
	pv_cgroups_close(&cg);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpl);
	assert_int_equal(system(path), 0);
	free(c);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("create %s", path);
	fputs(text, f);
	fclose(f);
}

/*
 * A limit at the top of the mount counts only when the mount is a cgroup
 * namespace's root (an ordinary cgroup); on the true root the kernel
 * refuses limits, so procview does not even read there.
 */
static void walk__root_limits_only_below_a_namespace_root(void **state)
{
	static const struct {
		int v2, true_root;
		__u64 mem;
		__s64 quota;
	} t[] = {
		{ 0, 1, U, -1 },                 /* release_agent: true v1 root */
		{ 0, 0, 64 * MiB, 20000 },       /* v1 cgroupns root */
		{ 1, 1, U, -1 },                 /* no cgroup.type: true v2 root */
		{ 1, 0, 64 * MiB, 20000 },       /* v2 cgroupns root */
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char tmpl[] = "/tmp/pv-cgr-XXXXXX", dir[PATH_MAX / 2], cmd[PATH_MAX];
		struct pv_cgroups cg;
		struct pv_container *c = calloc(1, sizeof(*c));
		__u64 m = UNTOUCHED;
		__s64 q = 777;
		__u64 p;

		assert_non_null(mkdtemp(tmpl));
		if (t[i].v2) {
			snprintf(dir, sizeof(dir), "%s", tmpl);
			put(dir, "cgroup.controllers", "cpu memory\n");
			if (!t[i].true_root)
				put(dir, "cgroup.type", "domain\n");
			put(dir, "memory.max", "67108864\n");
			put(dir, "cpu.max", "20000 100000\n");
		} else {
			snprintf(dir, sizeof(dir), "%s/cpu,memory", tmpl);
			assert_int_equal(mkdir(dir, 0755), 0);
			if (t[i].true_root)
				put(dir, "release_agent", "\n");
			put(dir, "memory.limit_in_bytes", "67108864\n");
			put(dir, "cpu.cfs_quota_us", "20000\n");
			put(dir, "cpu.cfs_period_us", "100000\n");
		}
		snprintf(cmd, sizeof(cmd), "%s/ctr", dir);
		assert_int_equal(mkdir(cmd, 0755), 0);
		assert_int_equal(pv_cgroups_discover(NULL, tmpl, &cg), 0);
		assert_int_equal(pv_cgroups_open(&cg), 0);
		assert_int_equal(cg.h[0].real_root, t[i].true_root);
		assert_int_equal(pv_parse_proc_cgroup(&cg, t[i].v2 ? "0::/ctr\n" :
						      "3:cpu,memory:/ctr\n", c), 0);
		assert_int_equal(pv_cg_mem_limit(&cg, c, &m), 0);
		assert_int_equal(pv_cg_cpu_quota(&cg, c, &q, &p), 0);
		if (m != t[i].mem || q != t[i].quota)
			fail_msg("row %zu: mem %llu quota %lld", i, (unsigned long long)m,
				 (long long)q);
		/* the root itself as the container */
		assert_int_equal(pv_parse_proc_cgroup(&cg, t[i].v2 ? "0::/\n" :
						      "3:cpu,memory:/\n", c), 0);
		assert_int_equal(pv_cg_mem_limit(&cg, c, &m), 0);
		assert_true(m == t[i].mem);
		pv_cgroups_close(&cg);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		assert_int_equal(system(cmd), 0);
		free(c);
	}
}

/*
 * Reads of the container's own directory through its inode: the same
 * figures, counted as verified; a directory made again under the same
 * name (or never the identity's) gives -ESTALE, never its figures.
 */
static void verified__own_dir_by_inode(void **state)
{
	char tmpl[] = "/tmp/pv-cgv-XXXXXX", dir[PATH_MAX / 2], ctr[PATH_MAX / 2 + 8],
		neu[PATH_MAX / 2 + 16];
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));
	struct stat st;
	__u64 m = 0, u = 0;
	__s64 q = 0;
	__u64 p = 0;
	char cmd[3 * PATH_MAX];

	assert_non_null(c);
	assert_non_null(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s/cpu,memory", tmpl);
	assert_int_equal(mkdir(dir, 0755), 0);
	put(dir, "release_agent", "\n");
	snprintf(ctr, sizeof(ctr), "%s/ctr", dir);
	assert_int_equal(mkdir(ctr, 0755), 0);
	put(ctr, "memory.limit_in_bytes", "67108864\n");
	put(ctr, "memory.usage_in_bytes", "4096\n");
	put(ctr, "cpu.cfs_quota_us", "20000\n");
	put(ctr, "cpu.cfs_period_us", "100000\n");
	assert_int_equal(pv_cgroups_discover(NULL, tmpl, &cg), 0);
	assert_int_equal(pv_cgroups_open(&cg), 0);
	assert_int_equal(pv_parse_proc_cgroup(&cg, "3:cpu,memory:/ctr\n", c), 0);
	assert_int_equal(stat(ctr, &st), 0);

	/* By path: nothing verified. */
	pv_cg_verified_reset();
	assert_int_equal(pv_cg_mem_limit(&cg, c, &m), 0);
	assert_int_equal(pv_cg_verified(), 0);
	/* By inode: same figures, hierarchy 0 verified. */
	c->ino[0] = st.st_ino;
	pv_cg_verified_reset();
	assert_int_equal(pv_cg_mem_limit(&cg, c, &m), 0);
	assert_int_equal(pv_cg_mem_usage(&cg, c, &u), 0);
	assert_int_equal(pv_cg_cpu_quota(&cg, c, &q, &p), 0);
	assert_true(m == 64 * MiB && u == 4096 && q == 20000 && p == 100000);
	assert_int_equal(pv_cg_verified(), 1u);
	/* A file missing in the right directory: -ENOENT, as by path. */
	assert_int_equal(pv_cg_read_u64(&cg, c, PV_CTRL_MEMORY, "memory.nope", &u), -ENOENT);
	/* Made again under the same name, with other figures: -ESTALE. */
	snprintf(neu, sizeof(neu), "%s.new", ctr);
	assert_int_equal(mkdir(neu, 0755), 0);
	put(neu, "memory.limit_in_bytes", "1048576\n");
	put(neu, "memory.usage_in_bytes", "1\n");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mv '%s' '%s'", ctr, neu, ctr);
	assert_int_equal(system(cmd), 0);
	m = UNTOUCHED;
	assert_int_equal(pv_cg_mem_limit(&cg, c, &m), -ESTALE);
	assert_true(m == UNTOUCHED);
	assert_int_equal(pv_cg_mem_usage(&cg, c, &u), -ESTALE);
	/* ... while by path it reads the newcomer, which is why a handle
	   without verified reads stats its directory after rendering. */
	c->ino[0] = 0;
	pv_cg_verified_reset();
	assert_int_equal(pv_cg_mem_limit(&cg, c, &m), 0);
	assert_true(m == 1 * MiB);
	/* Removed for good: -ESTALE too. */
	c->ino[0] = st.st_ino;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ctr);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pv_cg_mem_usage(&cg, c, &u), -ESTALE);
	pv_cgroups_close(&cg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
	free(c);
}

static void cpuset__direct(void **state)
{
	struct env *e = env_new("v1", "abc");
	int cpus[4] = { -5, -5, -5, -5 }, n = -5;

	/* 7 CPUs do not fit in 4: -ERANGE, output untouched */
	assert_int_equal(pv_cg_cpuset(&e->cg, &e->c, 16, cpus, 4, &n), -ERANGE);
	assert_int_equal(n, -5);
	assert_int_equal(cpus[0], -5);
	env_free(e);
}

static void io__v1_v2(void **state)
{
	struct pv_io_dev d[8];
	struct env *e;
	int n;

	e = env_new("v2", "limited");
	assert_int_equal(pv_cg_io(&e->cg, &e->c, d, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_true(d[0].major == 8 && d[0].rbytes == 1048576 && d[0].wios == 512);
	assert_true(d[1].major == 253 && d[1].rbytes == 4096);
	env_free(e);

	e = env_new("v2", "malformed");
	n = -5;
	assert_int_equal(pv_cg_io(&e->cg, &e->c, d, 8, &n), -EINVAL);
	assert_int_equal(n, -5);
	env_free(e);

	e = env_new("v2", "bare");
	assert_int_equal(pv_cg_io(&e->cg, &e->c, d, 8, &n), -ENOENT);
	env_free(e);

	/* v1 recursive files */
	e = env_new("v1", "abc");
	assert_int_equal(pv_cg_io(&e->cg, &e->c, d, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_true(d[0].major == 8 && d[0].minor == 0);
	assert_true(d[0].rbytes == 4096 && d[0].wbytes == 8192);
	assert_true(d[0].rios == 1 && d[0].wios == 2);
	assert_true(d[1].minor == 16 && d[1].rbytes == 512 && d[1].rios == 1);
	env_free(e);

	/* v1 flat files (no _recursive), no I/O yet */
	e = env_new("v1", "def");
	assert_int_equal(pv_cg_io(&e->cg, &e->c, d, 8, &n), 0);
	assert_int_equal(n, 0);
	env_free(e);

	e = env_new("hybrid", "c1");
	assert_int_equal(pv_cg_io(&e->cg, &e->c, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_true(d[0].rbytes == 100 && d[0].wbytes == 200);
	assert_true(d[0].rios == 1 && d[0].wios == 2);
	env_free(e);
}

static void read__keyed_and_hier(void **state)
{
	struct env *e = env_new("v2", "limited");
	char buf[64];
	__u64 v = 0;

	assert_int_equal(pv_cg_read_keyed(&e->cg, &e->c, PV_CTRL_CPUACCT, "cpu.stat",
					  "usage_usec", &v), 0);
	assert_true(v == 5000000);
	assert_int_equal(pv_cg_read_keyed(&e->cg, &e->c, PV_CTRL_MEMORY, "memory.stat",
					  "file_mapped", &v), 0);
	assert_true(v == 1048576);
	assert_int_equal(pv_cg_read(&e->cg, &e->c, PV_CTRL_CPU, "cpu.max", buf,
				    sizeof(buf)), 13);
	assert_string_equal(buf, "50000 100000\n");
	assert_int_equal(pv_cg_read(&e->cg, &e->c, PV_CTRL_CPU, "nope", buf,
				    sizeof(buf)), -ENOENT);
	assert_int_equal(pv_cg_is_v2(&e->cg, PV_CTRL_MEMORY), 1);
	env_free(e);

	e = env_new("hybrid", "c1");
	assert_int_equal(pv_cg_is_v2(&e->cg, PV_CTRL_MEMORY), 0);
	assert_int_equal(pv_cg_read_keyed(&e->cg, &e->c, PV_CTRL_CPUACCT,
					  "cpuacct.usage", "x", &v), -ENOENT);
	assert_int_equal(pv_cg_read_u64(&e->cg, &e->c, PV_CTRL_CPUACCT,
					"cpuacct.usage", &v), 0);
	assert_true(v == 42000000);
	env_free(e);
}

static void relpath__table(void **state)
{
	static const struct {
		const char *in;
		int err;
		const char *out;
	} t[] = {
		{ "/", 0, "." }, { "/a/b", 0, "a/b" }, { "//a//", 0, "a" },
		{ "a", -EINVAL, NULL }, { "", -EINVAL, NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char dst[16] = "untouched";

		assert_int_equal(pv_cg_relpath(t[i].in, dst, sizeof(dst)), t[i].err);
		assert_string_equal(dst, t[i].err ? "untouched" : t[i].out);
	}
	{
		char dst[3];

		assert_int_equal(pv_cg_relpath("/abc", dst, sizeof(dst)), -ENAMETOOLONG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mem__v2_table),
		cmocka_unit_test(mem__v1_hybrid_table),
		cmocka_unit_test(mem_limits__v1_stat_lines_and_walk_agree),
		cmocka_unit_test(mem_limits__v1_uses_kernel_hierarchical_figures),
		cmocka_unit_test(usage__v1_v2),
		cmocka_unit_test(quota__table),
		cmocka_unit_test(quota__tightest_ratio_not_smallest_quota),
		cmocka_unit_test(walk__root_limits_only_below_a_namespace_root),
		cmocka_unit_test(verified__own_dir_by_inode),
		cmocka_unit_test(cpuset__direct),
		cmocka_unit_test(io__v1_v2),
		cmocka_unit_test(read__keyed_and_hier),
		cmocka_unit_test(relpath__table),
	};

	return cmocka_run_group_tests_name("cglimits", tests, NULL, NULL);
}
