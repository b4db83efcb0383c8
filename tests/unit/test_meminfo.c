// SPDX-License-Identifier: GPL-2.0-only
/*
 * meminfo: collector on fixture cgroup trees (v1, v2, hybrid), view
 * building and the renderer. Expected figures are worked out by hand from
 * the fixture files (tests/fixtures/mem, tests/fixtures/proc); the
 * arithmetic is spelled out next to each expectation.
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
#include <unistd.h>

#include "cgparse.h"
#include "env.h"
#include "fileio.h"
#include "meminfo.h"

#define FIX "tests/fixtures"

static char host_noswap[8192], host_swap[8192];

struct fx {
	struct pv_cgroups cg;
	struct pv_container c;
};

/* A cgroup layer with up to two hierarchies: memory in @mem_dir (v1 or v2). */
static struct fx *fx_new(const char *mem_dir, int mem_v2, const char *path)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[512];

	assert_non_null(f);
	for (int i = 0; i < PV_CTRL__COUNT; i++)
		f->cg.by_ctrl[i] = -1;
	f->cg.unified = -1;
	f->cg.cpu_acct = -1;
	f->cg.n = 1;
	f->cg.h[0].v2 = mem_v2;
	snprintf(p, sizeof(p), FIX "/mem/%s", mem_dir);
	snprintf(f->cg.h[0].mount, sizeof(f->cg.h[0].mount), "%s", p);
	f->cg.h[0].dirfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->cg.h[0].dirfd >= 0);
	f->cg.h[0].ctrl_mask = 1u << PV_CTRL_MEMORY;
	f->cg.by_ctrl[PV_CTRL_MEMORY] = 0;
	snprintf(f->c.path[0], PV_CGPATH_MAX, "%s", path);
	return f;
}

/* Hybrid: memory on v1 (h[0]), a unified hierarchy h[1] with decoy files. */
static struct fx *fx_hybrid(const char *path)
{
	struct fx *f = fx_new("hybrid/memory", 0, path);

	f->cg.n = 2;
	f->cg.h[1].v2 = 1;
	f->cg.h[1].dirfd = open(FIX "/mem/hybrid/unified", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->cg.h[1].dirfd >= 0);
	f->cg.unified = 1;
	f->cg.by_ctrl[PV_CTRL_IO] = 1;
	snprintf(f->c.path[1], PV_CGPATH_MAX, "%s", path);
	return f;
}

static void fx_free(struct fx *f)
{
	for (int i = 0; i < f->cg.n; i++)
		if (f->cg.h[i].dirfd >= 0)
			close(f->cg.h[i].dirfd);
	free(f);
}

static int setup(void **state)
{
	if (pv_read_file_at(AT_FDCWD, FIX "/proc/meminfo", host_noswap, sizeof(host_noswap)) < 0)
		return -1;
	if (pv_read_file_at(AT_FDCWD, FIX "/proc/meminfo.swap", host_swap, sizeof(host_swap)) < 0)
		return -1;
	return 0;
}

/* Collect + build for the fixture container; asserts success. */
static void view_of(struct fx *f, const char *host, struct mem_view *v)
{
	struct mem_cg m;

	assert_int_equal(pv_collect_memcg(&f->cg, &f->c, &m), 0);
	assert_int_equal(pv_mem_view_build(host, &m, v), 0);
}

static void assert_invariants(const struct mem_view *v)
{
	const __u64 *k = v->kb;

	assert_true(k[PV_MEM_MemFree] <= k[PV_MEM_MemAvailable]);
	assert_true(k[PV_MEM_MemAvailable] <= k[PV_MEM_MemTotal]);
	assert_true(k[PV_MEM_SwapFree] <= k[PV_MEM_SwapTotal]);
}

/* Compare rendered text; on mismatch print the first differing line. */
static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		const char *g = got, *w = want;
		int line = 1;

		while (*g && *g == *w) {
			if (*g == '\n')
				line++;
			g++, w++;
		}
		fprintf(stderr, "text differs at line %d\n--- want\n%s\n+++ got\n%s\n", line, want, got);
		fail();
	}
}

/* Value of @key in rendered meminfo text, or -1. */
static long long line_val(const char *text, const char *key)
{
	__u64 v;

	return pv_meminfo_host_kb(text, key, &v) ? -1 : (long long)v;
}

/* ---- v2 ---------------------------------------------------------------- */

static void meminfo__v2_limited__figures_from_cgroup(void **state)
{
	struct fx *f = fx_new("v2", 1, "/limited");
	struct mem_view v;

	view_of(f, host_noswap, &v);
	/* memory.max 200 MiB = 204800 kB; memory.current 50 MiB = 51200 kB */
	assert_int_equal(v.kb[PV_MEM_MemTotal], 204800);
	assert_int_equal(v.kb[PV_MEM_MemFree], 204800 - 51200);
	/* + active_file 4096 + inactive_file 8192 + slab_reclaimable 1024 */
	assert_int_equal(v.kb[PV_MEM_MemAvailable], 153600 + 4096 + 8192 + 1024);
	assert_int_equal(v.kb[PV_MEM_Buffers], 0);
	assert_int_equal(v.kb[PV_MEM_Cached], 16384);       /* file 16 MiB */
	assert_int_equal(v.kb[PV_MEM_AnonPages], 30720);    /* anon 30 MiB */
	assert_int_equal(v.kb[PV_MEM_Shmem], 4096);
	assert_int_equal(v.kb[PV_MEM_Mapped], 2048);
	assert_int_equal(v.kb[PV_MEM_Dirty], 128);          /* 131072 B */
	assert_int_equal(v.kb[PV_MEM_Active], 20480 + 4096);
	assert_int_equal(v.kb[PV_MEM_Inactive], 14336 + 8192);
	assert_int_equal(v.kb[PV_MEM_ActiveAnon], 20480);
	assert_int_equal(v.kb[PV_MEM_InactiveFile], 8192);
	assert_int_equal(v.kb[PV_MEM_Slab], 1024 + 2048);
	assert_int_equal(v.kb[PV_MEM_SReclaimable], 1024);
	assert_int_equal(v.kb[PV_MEM_SUnreclaim], 2048);
	assert_int_equal(v.kb[PV_MEM_KernelStack], 320);    /* 327680 B */
	assert_int_equal(v.kb[PV_MEM_PageTables], 640);
	assert_int_equal(v.kb[PV_MEM_Percpu], 80);
	/* swap.max "max" but the host has no swap */
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 0);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 0);
	assert_invariants(&v);
	fx_free(f);
}

static void meminfo__v2_swap_unlimited__shows_host_swap(void **state)
{
	struct fx *f = fx_new("v2", 1, "/limited");
	struct mem_view v;

	view_of(f, host_swap, &v);
	/* host SwapTotal 4194300 kB; container swap.current 0 */
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 4194300);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 4194300);
	fx_free(f);
}

static void meminfo__v2_unlimited__host_total_minus_usage(void **state)
{
	struct fx *f = fx_new("v2", 1, "/unlimited");
	struct mem_view v;

	view_of(f, host_noswap, &v);
	/* host MemTotal 24683656 kB, memory.current 100 MiB = 102400 kB */
	assert_int_equal(v.kb[PV_MEM_MemTotal], 24683656);
	assert_int_equal(v.kb[PV_MEM_MemFree], 24683656 - 102400);
	/* no page cache, no reclaimable slab */
	assert_int_equal(v.kb[PV_MEM_MemAvailable], 24683656 - 102400);
	fx_free(f);
}

static void meminfo__v2_parent_tighter__parent_limits_apply(void **state)
{
	struct fx *f = fx_new("v2", 1, "/parent/child");
	struct mem_view v;

	view_of(f, host_swap, &v);
	/* child max 2 GiB, parent 1 GiB -> 1048576 kB; current 256 MiB */
	assert_int_equal(v.kb[PV_MEM_MemTotal], 1048576);
	assert_int_equal(v.kb[PV_MEM_MemFree], 1048576 - 262144);
	assert_int_equal(v.kb[PV_MEM_MemAvailable], 786432 + 16384 + 40960);
	/* child swap.max max, parent 100 MiB; swap.current 10 MiB */
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 102400);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 102400 - 10240);
	assert_invariants(&v);

	view_of(f, host_noswap, &v);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 0);  /* never above host's */
	assert_int_equal(v.kb[PV_MEM_SwapFree], 0);
	fx_free(f);
}

static void meminfo__v2_no_swap_files__host_swap_unused(void **state)
{
	struct fx *f = fx_new("v2", 1, "/noswap");
	struct mem_view v;

	view_of(f, host_swap, &v);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 4194300);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 4194300);
	fx_free(f);
}

static void meminfo__v2_swap_max_zero__no_swap(void **state)
{
	struct fx *f = fx_new("v2", 1, "/swapzero");
	struct mem_view v;

	view_of(f, host_swap, &v);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 0);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 0);
	fx_free(f);
}

static void meminfo__v2_huge_values__clamped_no_wrap(void **state)
{
	struct fx *f = fx_new("v2", 1, "/huge");
	struct mem_view v;

	view_of(f, host_swap, &v);
	/* limit 2^64-2 B: above the host, so the host total */
	assert_int_equal(v.kb[PV_MEM_MemTotal], 24683656);
	assert_int_equal(v.kb[PV_MEM_MemFree], 0);          /* usage ~2^64 */
	assert_int_equal(v.kb[PV_MEM_MemAvailable], 24683656); /* clamped */
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 4194300);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 0);
	/* sums of two ~2^54 kB figures stay large, never wrap to small */
	assert_true(v.kb[PV_MEM_Active] >= v.kb[PV_MEM_ActiveAnon]);
	assert_invariants(&v);
	fx_free(f);
}

static void meminfo__v2_usage_above_limit__free_zero(void **state)
{
	struct fx *f = fx_new("v2", 1, "/overuse");
	struct mem_view v;

	view_of(f, host_noswap, &v);
	assert_int_equal(v.kb[PV_MEM_MemTotal], 102400);
	assert_int_equal(v.kb[PV_MEM_MemFree], 0);
	assert_int_equal(v.kb[PV_MEM_MemAvailable], 0);
	fx_free(f);
}

static void meminfo__bad_files__error_and_output_untouched(void **state)
{
	static const struct {
		const char *path;
		int err;
	} cases[] = {
		{ "/malformed", -EINVAL },   /* memory.max "12abc" */
		{ "/missing", -ENOENT },     /* no memory.current */
		{ "/badstat", -EINVAL },     /* memory.stat "anon notanumber" */
		{ "/emptyfile", -EINVAL },   /* memory.max empty */
		{ "/nonexistent", -ENOENT }, /* cgroup gone */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx *f = fx_new("v2", 1, cases[i].path);
		struct mem_cg m, before;

		memset(&m, 0xa5, sizeof(m));
		before = m;
		print_message("case %s\n", cases[i].path);
		assert_int_equal(pv_collect_memcg(&f->cg, &f->c, &m), cases[i].err);
		assert_memory_equal(&m, &before, sizeof(m));
		fx_free(f);
	}
}

static void meminfo__root_or_no_controller__enodev(void **state)
{
	struct fx *f = fx_new("v2", 1, "/");
	struct mem_cg m;

	assert_int_equal(pv_collect_memcg(&f->cg, &f->c, &m), -ENODEV);
	snprintf(f->c.path[0], PV_CGPATH_MAX, "/limited");
	f->cg.by_ctrl[PV_CTRL_MEMORY] = -1;
	assert_int_equal(pv_collect_memcg(&f->cg, &f->c, &m), -ENODEV);
	fx_free(f);
}

/* ---- v1 ---------------------------------------------------------------- */

static void meminfo__v1_memsw__hierarchical_totals_and_swap(void **state)
{
	struct fx *f = fx_new("v1/memory", 0, "/docker/c1");
	struct mem_view v;

	view_of(f, host_swap, &v);
	/* limit 512 MiB = 524288 kB; usage 150 MiB = 153600 kB */
	assert_int_equal(v.kb[PV_MEM_MemTotal], 524288);
	assert_int_equal(v.kb[PV_MEM_MemFree], 524288 - 153600);
	/* + total_active_file 20 MiB + total_inactive_file 38 MiB (v1 has no slab) */
	assert_int_equal(v.kb[PV_MEM_MemAvailable], 370688 + 20480 + 38912);
	/* the total_* keys, not the cgroup-local ones */
	assert_int_equal(v.kb[PV_MEM_Cached], 61440);
	assert_int_equal(v.kb[PV_MEM_AnonPages], 81920);
	assert_int_equal(v.kb[PV_MEM_Shmem], 2048);
	assert_int_equal(v.kb[PV_MEM_Mapped], 10240);
	assert_int_equal(v.kb[PV_MEM_Dirty], 4);
	assert_int_equal(v.kb[PV_MEM_Active], 40960 + 20480);
	assert_int_equal(v.kb[PV_MEM_Inactive], 43008 + 38912);
	assert_int_equal(v.kb[PV_MEM_Slab], 0);
	/* memsw 768 MiB - memory 512 MiB = 256 MiB swap; memsw.usage 158 - usage 150 = 8 MiB */
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 262144);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 262144 - 8192);
	assert_invariants(&v);

	view_of(f, host_noswap, &v);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 0);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 0);
	fx_free(f);
}

static void meminfo__v1_parent_tighter__limit_and_no_swap(void **state)
{
	struct fx *f = fx_new("v1/memory", 0, "/tight/c");
	struct mem_view v;

	view_of(f, host_swap, &v);
	/* child unlimited, parent 256 MiB; parent memsw == memory: no swap */
	assert_int_equal(v.kb[PV_MEM_MemTotal], 262144);
	assert_int_equal(v.kb[PV_MEM_MemFree], 262144 - 20480);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 0);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 0);
	fx_free(f);
}

static void meminfo__v1_no_swap_accounting__host_swap_total_swap_used(void **state)
{
	struct fx *f = fx_new("v1/memory", 0, "/noacct");
	struct mem_view v;

	view_of(f, host_swap, &v);
	assert_int_equal(v.kb[PV_MEM_MemTotal], 102400);
	/* no memsw files: host swap; in use = memory.stat total_swap 1 MiB */
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 4194300);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 4194300 - 1024);
	fx_free(f);
}

static void meminfo__v1_unlimited__host_total_and_swap(void **state)
{
	struct fx *f = fx_new("v1/memory", 0, "/unlimited");
	struct mem_view v;

	/* 9223372036854771712 in limit_in_bytes is v1's "unlimited" */
	view_of(f, host_swap, &v);
	assert_int_equal(v.kb[PV_MEM_MemTotal], 24683656);
	assert_int_equal(v.kb[PV_MEM_MemFree], 24683656 - 65536);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 4194300);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 4194300);
	view_of(f, host_noswap, &v);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 0);
	fx_free(f);
}

/*
 * memory.stat's hierarchical_* keys are the kernel's own tightest limits
 * along the path (including levels we cannot see): they win over the
 * files, which here all say unlimited. No memsw files: total_swap counts.
 */
static void meminfo__v1_hierarchical_keys__kernel_limits_used(void **state)
{
	struct fx *f = fx_new("v1/memory", 0, "/hier");
	struct mem_view v;

	view_of(f, host_swap, &v);
	assert_int_equal(v.kb[PV_MEM_MemTotal], 65536);            /* 64 MiB */
	assert_int_equal(v.kb[PV_MEM_MemFree], 65536 - 16384);     /* usage 16 MiB */
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 98304 - 65536);   /* memsw 96 - 64 MiB */
	assert_int_equal(v.kb[PV_MEM_SwapFree], 32768 - 4096);     /* total_swap 4 MiB */
	fx_free(f);
}

/* The kernel's sample of the OPEN (cgroup.h) for fixture @f's container. */
static void give_sample(struct fx *f, __u64 limit, __u64 memsw_limit, __u64 usage)
{
	struct stat st;

	assert_int_equal(fstatat(f->cg.h[0].dirfd, f->c.path[0] + 1, &st, 0), 0);
	f->c.ino[0] = st.st_ino;   /* the identity: reads go through this inode */
	f->c.mem = (struct pv_memcg_sample){ .ok = 1, .ino = st.st_ino, .usage = usage,
					     .limit = limit, .memsw_limit = memsw_limit };
}

static void meminfo__v1_sample__limits_and_usage_from_the_open(void **state)
{
	struct fx *f = fx_new("v1/memory", 0, "/hier");
	struct mem_view v;

	/* memory.stat says 64 MiB / 96 MiB, usage_in_bytes 16 MiB: the
	   sample, read at the OPEN, wins (a kept copy's limits may be old). */
	give_sample(f, 32 << 20, 48 << 20, 8 << 20);
	view_of(f, host_swap, &v);
	assert_int_equal(v.kb[PV_MEM_MemTotal], 32768);
	assert_int_equal(v.kb[PV_MEM_MemFree], 32768 - 8192);
	assert_int_equal(v.kb[PV_MEM_SwapTotal], 48 * 1024 - 32768);
	assert_int_equal(v.kb[PV_MEM_SwapFree], 16384 - 4096);     /* total_swap */
	fx_free(f);
}

static void meminfo__v1_sample_of_other_cgroup__files_used(void **state)
{
	struct fx *f = fx_new("v1/memory", 0, "/hier");
	struct mem_view v;

	give_sample(f, 32 << 20, 48 << 20, 8 << 20);
	f->c.mem.ino++;   /* not the container's memory cgroup */
	view_of(f, host_swap, &v);
	assert_int_equal(v.kb[PV_MEM_MemTotal], 65536);
	assert_int_equal(v.kb[PV_MEM_MemFree], 65536 - 16384);
	fx_free(f);
}

static void meminfo__v2_sample__ignored_limit_files_read(void **state)
{
	struct fx *f = fx_new("v2", 1, "/limited");
	struct mem_view v0, v;

	view_of(f, host_noswap, &v0);
	give_sample(f, 1 << 20, 1 << 20, 0);
	view_of(f, host_noswap, &v);
	assert_int_equal(v.kb[PV_MEM_MemTotal], v0.kb[PV_MEM_MemTotal]);
	assert_int_equal(v.kb[PV_MEM_MemFree], v0.kb[PV_MEM_MemFree]);
	fx_free(f);
}

/* ---- hybrid ------------------------------------------------------------ */

static void meminfo__hybrid__memory_from_v1_not_unified(void **state)
{
	struct fx *f = fx_hybrid("/c");
	struct mem_view v;

	view_of(f, host_noswap, &v);
	/* v1 limit 300 MiB (the unified decoy says 1000 MiB) */
	assert_int_equal(v.kb[PV_MEM_MemTotal], 307200);
	assert_int_equal(v.kb[PV_MEM_MemFree], 307200 - 30720);
	assert_int_equal(v.kb[PV_MEM_MemAvailable], 276480 + 4096 + 6144);
	assert_int_equal(v.kb[PV_MEM_Cached], 10240);
	fx_free(f);
}

/* ---- renderer ---------------------------------------------------------- */

static void meminfo__render__kernel_format_constants_and_zeros(void **state)
{
	const char *host =
		"MemTotal:       24683656 kB\n"
		"MemFree:        24350352 kB\n"
		"MemAvailable:   24349048 kB\n"
		"Active(anon):       1596 kB\n"
		"Committed_AS:     148476 kB\n"
		"VmallocTotal:   34359738367 kB\n"
		"HugePages_Total:       7\n"
		"Hugepagesize:       2048 kB\n"
		"DirectMap1G:    25165824 kB\n"
		"NewKernelField:      99 kB\n";
	const char *want =
		"MemTotal:         204800 kB\n"
		"MemFree:          153600 kB\n"
		"MemAvailable:   123456789 kB\n"
		"Active(anon):          5 kB\n"
		"Committed_AS:          0 kB\n"
		"VmallocTotal:   34359738367 kB\n"
		"HugePages_Total:       0\n"
		"Hugepagesize:       2048 kB\n"
		"DirectMap1G:           0 kB\n"
		"NewKernelField:        0 kB\n";
	struct mem_view v = { .host_text = host };
	struct buf out = BUF_INIT;

	v.kb[PV_MEM_MemTotal] = 204800;
	v.kb[PV_MEM_MemFree] = 153600;
	v.kb[PV_MEM_MemAvailable] = 123456789;
	v.kb[PV_MEM_ActiveAnon] = 5;
	assert_int_equal(render_meminfo(&v, &out), 0);
	assert_text(out.data, want);
	buf_free(&out);
}

static void meminfo__render_passthrough__host_unchanged(void **state)
{
	struct mem_view v = { .host_text = host_noswap, .passthrough = 1 };
	struct buf out = BUF_INIT;

	v.kb[PV_MEM_MemTotal] = 1;
	assert_int_equal(render_meminfo(&v, &out), 0);
	assert_text(out.data, host_noswap);
	buf_free(&out);
}

static void meminfo__render_real_host__same_keys_in_order(void **state)
{
	struct fx *f = fx_new("v2", 1, "/limited");
	struct buf out = BUF_INIT;
	struct mem_view v;
	const char *a, *b;

	view_of(f, host_noswap, &v);
	assert_int_equal(render_meminfo(&v, &out), 0);
	/* every host line, same key, same order, same unit */
	for (a = host_noswap, b = out.data; *a && *b;) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');

		assert_non_null(ea);
		assert_non_null(eb);
		assert_memory_equal(a, b, (size_t)(strchr(a, ':') - a + 1));
		assert_int_equal(memcmp(ea - 2, "kB", 2) == 0, memcmp(eb - 2, "kB", 2) == 0);
		a = ea + 1;
		b = eb + 1;
	}
	assert_int_equal(*a, '\0');
	assert_int_equal(*b, '\0');
	assert_non_null(strstr(out.data, "MemTotal:         204800 kB\n"));
	assert_int_equal(line_val(out.data, "MemFree"), 153600);
	assert_int_equal(line_val(out.data, "Buffers"), 0);
	assert_int_equal(line_val(out.data, "Hugepagesize"), 2048);           /* host constant */
	assert_int_equal(line_val(out.data, "VmallocTotal"), 34359738367LL); /* host constant */
	assert_int_equal(line_val(out.data, "DirectMap1G"), 0);  /* host-wide: 0 */
	assert_int_equal(line_val(out.data, "Committed_AS"), 0);
	assert_int_equal(line_val(out.data, "KernelStack"), 320);
	buf_free(&out);
	fx_free(f);
}

static void meminfo__collect_host_reader__passthrough(void **state)
{
	struct pv_env env = { .proc = FIX "/proc", .sys = FIX "/sys" };
	struct pv_container *c = calloc(1, sizeof(*c));
	struct buf out = BUF_INIT;
	struct mem_view v;

	assert_non_null(c);
	for (int i = 0; i < PV_CTRL__COUNT; i++)
		env.cg.by_ctrl[i] = -1;
	c->host = 1;
	assert_int_equal(pv_collect_mem(&env, c, host_noswap, &v), 0);
	assert_true(v.passthrough);
	assert_int_equal(render_meminfo(&v, &out), 0);
	assert_text(out.data, host_noswap);
	/* a container without a memory controller: the host's memory too */
	c->host = 0;
	assert_int_equal(pv_collect_mem(&env, c, host_noswap, &v), 0);
	assert_true(v.passthrough);
	assert_int_equal(pv_collect_mem(&env, c, NULL, &v), -EINVAL);
	buf_free(&out);
	free(c);
}

static void meminfo__view_without_memtotal__einval(void **state)
{
	struct mem_cg m = { .limit = PV_UNLIMITED };
	struct mem_view v;

	assert_int_equal(pv_mem_view_build("MemFree: 1 kB\n", &m, &v), -EINVAL);
	assert_int_equal(pv_mem_view_build("", &m, &v), -EINVAL);
	assert_int_equal(pv_mem_view_build("MemTotal: x kB\n", &m, &v), -EINVAL);
}

static void memcg_stat__v1_totals_win_plain_keys_fall_back(void **state)
{
	struct mem_cg m;

	memset(&m, 0x55, sizeof(m));
	assert_int_equal(pv_parse_memcg_stat("cache 1\nrss 2\nshmem 3\nmapped_file 4\n"
					     "total_cache 10\ntotal_rss 20\n", 0, &m), 0);
	assert_true(m.file == 10 && m.anon == 20);   /* hierarchical totals */
	assert_true(m.shmem == 3 && m.file_mapped == 4);   /* no total_: plain */
	assert_true(m.file_dirty == 0 && m.unevictable == 0);   /* absent */
	assert_true(m.slab_reclaimable == 0);   /* v1 has no such line */
}

static void memcg_stat__v2_keys_first_line_counts(void **state)
{
	struct mem_cg m;

	memset(&m, 0x55, sizeof(m));
	assert_int_equal(pv_parse_memcg_stat("anon 7\nfile 8\nanon 9\nkernel_stack 5\n"
					     "total_rss 99\nslab_reclaimable 6", 1, &m), 0);
	assert_true(m.anon == 7 && m.file == 8 && m.kernel_stack == 5);
	assert_true(m.slab_reclaimable == 6);   /* last line, no newline */
	assert_true(m.shmem == 0 && m.zswapped == 0);
}

static void memcg_stat__malformed_used_value_fails(void **state)
{
	struct mem_cg m;

	assert_int_equal(pv_parse_memcg_stat("anon 12x\n", 1, &m), -EINVAL);
	assert_int_equal(pv_parse_memcg_stat("total_cache -1\n", 0, &m), -EINVAL);
	/* The plain key is not used when total_ is there. */
	assert_int_equal(pv_parse_memcg_stat("cache junk\ntotal_cache 5\n", 0, &m), 0);
	assert_true(m.file == 5);
	/* A key with no value is no line of that key. */
	assert_int_equal(pv_parse_memcg_stat("anon\nanon 3\n", 1, &m), 0);
	assert_true(m.anon == 3);
	/* Prefixes are other keys. */
	assert_int_equal(pv_parse_memcg_stat("anon_thp 4\nfile_mapped 2\n", 1, &m), 0);
	assert_true(m.anon == 0 && m.anon_thp == 4 && m.file == 0 && m.file_mapped == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(meminfo__v2_limited__figures_from_cgroup),
		cmocka_unit_test(meminfo__v2_swap_unlimited__shows_host_swap),
		cmocka_unit_test(meminfo__v2_unlimited__host_total_minus_usage),
		cmocka_unit_test(meminfo__v2_parent_tighter__parent_limits_apply),
		cmocka_unit_test(meminfo__v2_no_swap_files__host_swap_unused),
		cmocka_unit_test(meminfo__v2_swap_max_zero__no_swap),
		cmocka_unit_test(meminfo__v2_huge_values__clamped_no_wrap),
		cmocka_unit_test(meminfo__v2_usage_above_limit__free_zero),
		cmocka_unit_test(meminfo__bad_files__error_and_output_untouched),
		cmocka_unit_test(meminfo__root_or_no_controller__enodev),
		cmocka_unit_test(meminfo__v1_memsw__hierarchical_totals_and_swap),
		cmocka_unit_test(meminfo__v1_parent_tighter__limit_and_no_swap),
		cmocka_unit_test(meminfo__v1_no_swap_accounting__host_swap_total_swap_used),
		cmocka_unit_test(meminfo__v1_unlimited__host_total_and_swap),
		cmocka_unit_test(meminfo__v1_hierarchical_keys__kernel_limits_used),
		cmocka_unit_test(meminfo__v1_sample__limits_and_usage_from_the_open),
		cmocka_unit_test(meminfo__v1_sample_of_other_cgroup__files_used),
		cmocka_unit_test(meminfo__v2_sample__ignored_limit_files_read),
		cmocka_unit_test(meminfo__hybrid__memory_from_v1_not_unified),
		cmocka_unit_test(meminfo__render__kernel_format_constants_and_zeros),
		cmocka_unit_test(meminfo__render_passthrough__host_unchanged),
		cmocka_unit_test(meminfo__render_real_host__same_keys_in_order),
		cmocka_unit_test(meminfo__collect_host_reader__passthrough),
		cmocka_unit_test(meminfo__view_without_memtotal__einval),
		cmocka_unit_test(memcg_stat__v1_totals_win_plain_keys_fall_back),
		cmocka_unit_test(memcg_stat__v2_keys_first_line_counts),
		cmocka_unit_test(memcg_stat__malformed_used_value_fails),
	};

	return cmocka_run_group_tests_name("meminfo", tests, setup, NULL);
}
