// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cache maintenance on a copy of tests/fixtures/stat: /proc/stat renders
 * for containers /ct and /ct2 leave one state slot each; after /ct2's
 * directories are removed a prune drops its slot and keeps /ct's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maint.h"
#include "vfile.h"

struct fx {
	char root[64];
	char cgr[128];
	struct pv_env env;
	struct pv_container a, b;
};

static void sh(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg);
	assert_int_equal(system(cmd), 0);
}

static __u64 ino_of(struct fx *f, const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", f->cgr, rel);
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char proc[128];

	assert_non_null(f);
	strcpy(f->root, "/tmp/pv-test-maint.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	sh("cp -r tests/fixtures/stat/. '%s/'", f->root);
	/* /ct2: a copy of /ct in every hierarchy that has one. */
	sh("cd '%s/cgroup' && for h in */; do [ -d \"$h/ct\" ] && cp -r \"$h/ct\" \"$h/ct2\"; done; true",
	   f->root);
	snprintf(f->cgr, sizeof(f->cgr), "%s/cgroup", f->root);
	snprintf(proc, sizeof(proc), "%s/proc", f->root);
	f->env.proc = strdup(proc);
	f->env.sys = "tests/fixtures/stat/sys";
	f->env.cpu_quota_view = 1;
	f->env.host_ncpus = 4;
	assert_int_equal(pv_cgroups_discover(NULL, f->cgr, &f->env.cg), 0);
	assert_int_equal(pv_cgroups_open(&f->env.cg), 0);
	for (int i = 0; i < f->env.cg.n; i++) {
		snprintf(f->a.path[i], PV_CGPATH_MAX, "/ct");
		snprintf(f->b.path[i], PV_CGPATH_MAX, "/ct2");
	}
	f->a.cpu_cgid = ino_of(f, "cpuacct/ct");
	f->b.cpu_cgid = ino_of(f, "cpuacct/ct2");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	pv_cgroups_close(&f->env.cg);
	sh("rm -rf '%s'", f->root);
	free((char *)f->env.proc);
	free(f);
	return 0;
}

static int has(const __u64 *v, size_t n, __u64 id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

static void maint__prune__removed_cgroup_slot_dropped(void **state)
{
	struct fx *f = *state;
	struct buf out = BUF_INIT;
	struct pv_prune_result res;
	__u64 ids[2048];
	size_t n0, n;

	n0 = pv_stat_state_cgids(NULL, 0);
	assert_int_equal(pv_produce_stat(&f->env, &f->a, &out), 0);
	assert_int_equal(pv_produce_stat(&f->env, &f->b, &out), 0);
	n = pv_stat_state_cgids(ids, 2048);
	assert_int_equal(n, n0 + 2);
	assert_true(has(ids, n, f->a.cpu_cgid) && has(ids, n, f->b.cpu_cgid));

	/* Both live: nothing goes. */
	assert_int_equal(pv_maint_prune(&f->env, NULL, &res), 0);
	assert_int_equal(res.err, 0);
	assert_int_equal(pv_stat_state_cgids(NULL, 0), n0 + 2);

	sh("rm -rf '%s'/cgroup/*/ct2", f->root);
	assert_int_equal(pv_maint_prune(&f->env, NULL, &res), 1);
	assert_int_equal(res.stat_dropped, 1);
	assert_int_equal(res.reader_dropped, 0);
	n = pv_stat_state_cgids(ids, 2048);
	assert_int_equal(n, n0 + 1);
	assert_false(has(ids, n, f->b.cpu_cgid));
	assert_true(has(ids, n, f->a.cpu_cgid));
	buf_free(&out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(maint__prune__removed_cgroup_slot_dropped),
	};

	return cmocka_run_group_tests_name("maint", tests, NULL, NULL);
}
