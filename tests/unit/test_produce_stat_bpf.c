// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /proc/stat collector with BPF accounting, against a fake of the BPF
 * loader's interface (this file defines every pv_bpf_* function the
 * collector calls, so the real bpf_loader.o is not linked in) on the
 * tests/fixtures/stat tree: when the clocks are read relative to the
 * counters, and what happens when the task-count iterator fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bpf_loader.h"
#include "cpustat.h"
#include "vfile.h"

#define FIX "tests/fixtures/stat"
#define NCPUS 4

/* What the fake BPF side shows; one per test. */
static struct {
	__u64 ct_ino;          /* inode of the container's cpuacct directory */
	__u64 start_boot_ns;   /* container start (pv_start) */
	int busy;              /* counters = both vCPUs busy since start */
	int iter_err;          /* pv_bpf_task_counts result */
	long iter_ms;          /* time the iterator takes */
	struct pv_task_counts counts;
} fake;

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

int pv_bpf_ncpus(const struct pv_bpf *b)
{
	(void)b;
	return NCPUS;
}

/* Busy: the container used all of its 2 vCPUs up to this very moment. */
int pv_bpf_cpu_add(struct pv_bpf *b, __u64 cgid, struct pv_cpu_stat *acc)
{
	(void)b;
	if (fake.busy && cgid == fake.ct_ino)
		acc[0].user_ns += 2 * (boot_ns() - fake.start_boot_ns);
	return 0;
}

int pv_bpf_task_counts(struct pv_bpf *b, const struct pv_cgroups *cg,
		       const struct pv_container *c, int cgfd, struct pv_task_counts *ret)
{
	struct timespec d = { fake.iter_ms / 1000, (fake.iter_ms % 1000) * 1000000L };

	(void)b;
	(void)cg;
	(void)c;
	(void)cgfd;
	nanosleep(&d, NULL);
	if (fake.iter_err)
		return fake.iter_err;
	*ret = fake.counts;
	return 0;
}

int pv_bpf_start_get(struct pv_bpf *b, __u64 cgid, struct pv_cg_start *ret)
{
	(void)b;
	(void)cgid;
	ret->boot_ns = fake.start_boot_ns;
	ret->flags = PV_START_MKDIR;
	return 0;
}

int pv_bpf_start_set(struct pv_bpf *b, __u64 cgid, __u64 ns)
{
	(void)b;
	(void)cgid;
	(void)ns;
	return 0;
}

int pv_bpf_hwm_load(struct pv_bpf *b, __u64 cgid, int n, struct pv_cpu_hwm *h)
{
	(void)b;
	(void)cgid;
	return pv_cpu_hwm_reset(h, n);
}

int pv_bpf_hwm_store(struct pv_bpf *b, __u64 cgid, const struct pv_cpu_hwm *h)
{
	(void)b;
	(void)cgid;
	(void)h;
	return 0;
}

int pv_bpf_forget(struct pv_bpf *b, __u64 cgid)
{
	(void)b;
	(void)cgid;
	return 0;
}

__u64 pv_bpf_dropped(struct pv_bpf *b)
{
	(void)b;
	return 0;
}

struct ctx {
	struct pv_env env;
	struct pv_container c;
};

static int setup(void **state)
{
	static __u64 next_cgid = 1000;
	struct ctx *x = calloc(1, sizeof(*x));
	struct stat st;

	if (!x || stat(FIX "/cgroup/cpuacct/ct", &st)) {
		free(x);
		return -1;
	}
	memset(&fake, 0, sizeof(fake));
	fake.ct_ino = (__u64)st.st_ino;
	fake.start_boot_ns = boot_ns() - 10 * 1000000000ULL;
	x->env.proc = FIX "/proc";
	x->env.sys = FIX "/sys";
	x->env.cpu_quota_view = 1;
	x->env.host_ncpus = NCPUS;
	x->env.bpf = (struct pv_bpf *)&fake; /* opaque: only the fakes see it */
	if (pv_cgroups_discover(NULL, FIX "/cgroup", &x->env.cg) || pv_cgroups_open(&x->env.cg)) {
		free(x);
		return -1;
	}
	for (int i = 0; i < x->env.cg.n; i++)
		snprintf(x->c.path[i], PV_CGPATH_MAX, "/ct");
	x->c.cpu_cgid = next_cgid++; /* fresh daemon-side marks per test */
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

static const char *line(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return p;
	return NULL;
}

static unsigned long long field(const char *text, const char *key, int col)
{
	const char *p = line(text, key);
	unsigned long long v = 0;

	assert_non_null(p);
	p += strlen(key);
	for (int i = 0; i <= col; i++) {
		char *end;

		v = strtoull(p, &end, 10);
		assert_true(end != p);
		p = end;
	}
	return v;
}

/*
 * A busy container whose task iterator takes 100 ms: the time since start
 * must be taken with the counters, or those 100 ms (10 ticks per vCPU)
 * show as idle that never was.
 */
static void stat__slow_iterator__no_idle_for_a_busy_container(void **state)
{
	struct ctx *x = *state;
	struct buf b = BUF_INIT;

	fake.busy = 1;
	fake.iter_ms = 100;
	fake.counts.running = 2;
	assert_int_equal(pv_produce_stat(&x->env, &x->c, &b), 0);
	assert_true(field(b.data, "cpu0", 0) >= 999); /* 10 s busy */
	assert_true(field(b.data, "cpu0", 3) <= 1);
	assert_true(field(b.data, "cpu1", 3) <= 1);
	assert_int_equal(field(b.data, "procs_running", 0), 2);
	buf_free(&b);
}

/*
 * The iterator fails (an error other than "too many cgroups for one read"):
 * the read still succeeds, with the counts from the fixture's thread lists
 * under env->proc: 100 R, 102 S in ct, 101 D in ct/sub.
 */
static void stat__iterator_fails__counts_from_cgroup_files(void **state)
{
	struct ctx *x = *state;
	static const int errs[] = { -EPERM, -E2BIG, -EOPNOTSUPP };

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct buf b = BUF_INIT;

		fake.iter_err = errs[i];
		assert_int_equal(pv_produce_stat(&x->env, &x->c, &b), 0);
		assert_int_equal(field(b.data, "procs_running", 0), 1);
		assert_int_equal(field(b.data, "procs_blocked", 0), 1);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stat__slow_iterator__no_idle_for_a_busy_container,
						setup, teardown),
		cmocka_unit_test_setup_teardown(stat__iterator_fails__counts_from_cgroup_files,
						setup, teardown),
	};
	return cmocka_run_group_tests_name("produce_stat_bpf", tests, NULL, NULL);
}
