// SPDX-License-Identifier: GPL-2.0-only
/*
 * Producers end to end on fixture trees: cgroup discovery (--cgroup-root
 * layout) of tests/fixtures/mem/v2, host files from tests/fixtures/proc/host
 * (meminfo with 4194300 kB swap, a 4-CPU x86 cpuinfo, diskstats, two swap
 * devices). Figures are worked out by hand from those files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuinfo.h"
#include "fileio.h"
#include "meminfo.h"
#include "vfile.h"

#define FIX "tests/fixtures"

struct ctx {
	struct pv_env env;
	struct pv_container c;
};

static int setup(void **state)
{
	struct ctx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	x->env.proc = FIX "/proc/host";
	x->env.sys = FIX "/proc/host-sys";
	x->env.cpu_quota_view = 1;
	x->env.host_ncpus = 4;
	if (pv_cgroups_discover(NULL, FIX "/mem/v2", &x->env.cg) ||
	    pv_cgroups_open(&x->env.cg) ||
	    pv_parse_proc_cgroup(&x->env.cg, "0::/limited\n", &x->c)) {
		free(x);
		return -1;
	}
	x->c.host = 0;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *x = *state;

	pv_cgroups_close(&x->env.cg);
	free(x);
	return 0;
}

static void set_path(struct ctx *x, const char *path)
{
	for (int i = 0; i < x->env.cg.n; i++)
		snprintf(x->c.path[i], PV_CGPATH_MAX, "%s", path);
}

static long long val(const char *text, const char *key)
{
	__u64 v;

	return pv_meminfo_host_kb(text, key, &v) ? -1 : (long long)v;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

static void produce__meminfo_v2_limited(void **state)
{
	struct ctx *x = *state;
	struct buf out = BUF_INIT;

	set_path(x, "/limited");
	assert_int_equal(pv_produce_meminfo(&x->env, &x->c, &out), 0);
	assert_int_equal(val(out.data, "MemTotal"), 204800);  /* memory.max 200 MiB */
	assert_int_equal(val(out.data, "MemFree"), 153600);   /* - current 50 MiB */
	assert_int_equal(val(out.data, "SwapTotal"), 4194300); /* swap.max max: host's */
	assert_int_equal(val(out.data, "SwapFree"), 4194300);
	buf_free(&out);
}

static void produce__host_reader_gets_host_files(void **state)
{
	struct ctx *x = *state;
	struct buf out = BUF_INIT;
	char host[32768];
	static const struct {
		pv_produce_fn fn;
		const char *file;
	} cases[] = {
		{ pv_produce_meminfo, FIX "/proc/host/meminfo" },
		{ pv_produce_cpuinfo, FIX "/proc/host/cpuinfo" },
		{ pv_produce_diskstats, FIX "/proc/host/diskstats" },
		{ pv_produce_swaps, FIX "/proc/host/swaps" },
		{ pv_produce_cpu_online, FIX "/proc/host-sys/devices/system/cpu/online" },
	};

	set_path(x, "/limited");
	x->c.host = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(pv_read_file_at(AT_FDCWD, cases[i].file, host, sizeof(host)) > 0);
		buf_reset(&out);
		assert_int_equal(cases[i].fn(&x->env, &x->c, &out), 0);
		assert_string_equal(out.data, host);
	}
	x->c.host = 0;
	buf_free(&out);
}

/* parent swap.max 100 MiB, child swap.current 10 MiB: same split as test_swaps */
static void produce__swaps_v2_parent_limit(void **state)
{
	struct ctx *x = *state;
	struct buf out = BUF_INIT;

	set_path(x, "/parent/child");
	assert_int_equal(pv_produce_swaps(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data,
			    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
			    "/dev/vdb2                               partition\t76799\t\t7679\t\t-2\n"
			    "/swapfile                               file\t25601\t\t2561\t\t-3\n");
	buf_free(&out);
}

static void produce__swaps_swap_forbidden__header_only(void **state)
{
	struct ctx *x = *state;
	struct buf out = BUF_INIT;

	set_path(x, "/swapzero");
	assert_int_equal(pv_produce_swaps(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	buf_free(&out);
}

static void produce__diskstats_v2(void **state)
{
	struct ctx *x = *state;
	struct buf out = BUF_INIT;

	set_path(x, "/limited");
	assert_int_equal(pv_produce_diskstats(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data,
			    " 254       0 vda 100 0 8000 0 200 0 16000 0 0 0 0 0 0 0 0 0 0\n"
			    "   8       0 sda 1 0 2 0 0 0 0 0 0 0 0\n");
	buf_free(&out);
}

/* cpuset 0-3, cpu.max 150000/100000: ceil(1.5) = 2 vCPUs, else 4 */
static void produce__cpuinfo_and_online_follow_quota_view(void **state)
{
	struct ctx *x = *state;
	struct buf out = BUF_INIT;

	set_path(x, "/limited");
	assert_int_equal(pv_produce_cpuinfo(&x->env, &x->c, &out), 0);
	assert_int_equal(count_lines(out.data, "processor"), 2);
	assert_non_null(strstr(out.data, "cpu MHz\t\t: 2100.001\n"));
	assert_non_null(strstr(out.data, "cpu MHz\t\t: 2100.101\n"));
	assert_null(strstr(out.data, "cpu MHz\t\t: 2100.202\n"));
	buf_reset(&out);
	assert_int_equal(pv_produce_cpu_online(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data, "0-1\n");

	x->env.cpu_quota_view = 0;
	buf_reset(&out);
	assert_int_equal(pv_produce_cpuinfo(&x->env, &x->c, &out), 0);
	assert_int_equal(count_lines(out.data, "processor"), 4);
	assert_int_equal(count_lines(out.data, "siblings\t: 4"), 4);
	buf_reset(&out);
	assert_int_equal(pv_produce_cpu_online(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data, "0-3\n");
	x->env.cpu_quota_view = 1;
	buf_free(&out);
}

static void produce__broken_cgroup__error_not_host_figures(void **state)
{
	struct ctx *x = *state;
	struct buf out = BUF_INIT;

	set_path(x, "/malformed");
	assert_true(pv_produce_meminfo(&x->env, &x->c, &out) < 0);
	set_path(x, "/gone-cgroup");
	assert_true(pv_produce_meminfo(&x->env, &x->c, &out) < 0);
	assert_true(pv_produce_swaps(&x->env, &x->c, &out) < 0);
	buf_free(&out);
}

/* Discovery of another fixture root into a fresh env (v1 / hybrid layouts). */
static struct ctx *ctx_for(const char *root, const char *proc_cgroup)
{
	struct ctx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->env.proc = FIX "/proc/host";
	x->env.sys = FIX "/proc/host-sys";
	x->env.cpu_quota_view = 1;
	x->env.host_ncpus = 4;
	assert_int_equal(pv_cgroups_discover(NULL, root, &x->env.cg), 0);
	assert_int_equal(pv_cgroups_open(&x->env.cg), 0);
	assert_int_equal(pv_parse_proc_cgroup(&x->env.cg, proc_cgroup, &x->c), 0);
	x->c.host = 0;
	return x;
}

/* v1 layout (memory/ and blkio/ hierarchies): docker/c1 as in test_meminfo. */
static void produce__v1_discovered__meminfo_swaps_diskstats(void **state)
{
	struct ctx *x = ctx_for(FIX "/mem/v1", "7:blkio:/c1\n4:memory:/docker/c1\n");
	struct buf out = BUF_INIT;

	assert_int_equal(pv_produce_meminfo(&x->env, &x->c, &out), 0);
	assert_int_equal(val(out.data, "MemTotal"), 524288);          /* 512 MiB */
	assert_int_equal(val(out.data, "MemFree"), 524288 - 153600);  /* usage 150 MiB */
	assert_int_equal(val(out.data, "SwapTotal"), 262144);         /* memsw 768 - 512 MiB */
	assert_int_equal(val(out.data, "SwapFree"), 262144 - 8192);   /* total_swap 8 MiB */
	buf_reset(&out);
	assert_int_equal(pv_produce_diskstats(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data, " 254       0 vda 100 0 8000 0 200 0 16000 0 0 0 0 0 0 0 0 0 0\n");
	buf_reset(&out);
	/* no cpuset hierarchy: every host CPU */
	assert_int_equal(pv_produce_cpu_online(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data, "0-3\n");
	buf_free(&out);
	pv_cgroups_close(&x->env.cg);
	free(x);
}

/* hybrid: memory on v1, io only on the unified hierarchy. */
static void produce__hybrid_discovered__memory_v1_io_unified(void **state)
{
	struct ctx *x = ctx_for(FIX "/mem/hybrid", "4:memory:/c\n0::/c\n");
	struct buf out = BUF_INIT;

	assert_int_equal(pv_produce_meminfo(&x->env, &x->c, &out), 0);
	assert_int_equal(val(out.data, "MemTotal"), 307200);           /* v1 300 MiB, not the unified decoy */
	buf_reset(&out);
	assert_int_equal(pv_produce_diskstats(&x->env, &x->c, &out), 0);
	assert_string_equal(out.data, " 254      16 vdb 16 0 2048 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	buf_free(&out);
	pv_cgroups_close(&x->env.cg);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(produce__meminfo_v2_limited),
		cmocka_unit_test(produce__host_reader_gets_host_files),
		cmocka_unit_test(produce__swaps_v2_parent_limit),
		cmocka_unit_test(produce__swaps_swap_forbidden__header_only),
		cmocka_unit_test(produce__diskstats_v2),
		cmocka_unit_test(produce__cpuinfo_and_online_follow_quota_view),
		cmocka_unit_test(produce__broken_cgroup__error_not_host_figures),
		cmocka_unit_test(produce__v1_discovered__meminfo_swaps_diskstats),
		cmocka_unit_test(produce__hybrid_discovered__memory_v1_io_unified),
	};

	return cmocka_run_group_tests_name("produce_mem", tests, setup, teardown);
}
