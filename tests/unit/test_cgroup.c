// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hierarchy discovery, /proc/<pid>/cgroup parsing, container identity and
 * CPU views on the fixture trees in tests/fixtures (see its README).
 * Expected values come from the fixture files and the filesystem (stat),
 * not from the code under test.
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

#include "buf.h"
#include "cgroup.h"
#include "fileio.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *fixtures(void)
{
	const char *d = getenv("PV_FIXTURES");

	return d ? d : "tests/fixtures";
}

/* Whole fixture file as a malloc'd string (test fails if unreadable). */
static char *slurp(const char *rel)
{
	char path[PATH_MAX];
	struct buf b = BUF_INIT;

	snprintf(path, sizeof(path), "%s/%s", fixtures(), rel);
	if (pv_read_file_buf(AT_FDCWD, path, &b))
		fail_msg("cannot read fixture %s", path);
	if (!b.data)
		return strdup("");
	return b.data;
}

static int find_hier(const struct pv_cgroups *cg, const char *ctrls, int v2)
{
	for (int i = 0; i < cg->n; i++)
		if (cg->h[i].v2 == v2 && !strcmp(cg->h[i].ctrls, ctrls))
			return i;
	return -1;
}

static __u64 ino_of(const char *kind, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/cgroup/%s", fixtures(), kind, rel);
	if (stat(path, &st))
		fail_msg("stat %s", path);
	return st.st_ino;
}

/* ---- discovery from mountinfo text ---- */

static void discover__hybrid_mountinfo_separate_cpu_and_cpuacct(void **state)
{
	char *mi = slurp("hybrid/mountinfo");
	struct pv_cgroups cg;
	int cpu, cpuacct, uni;

	assert_int_equal(pv_cgroups_discover(mi, NULL, &cg), 0);
	/* 9 cgroup v1 mounts + cgroup2; the tmpfs is not a hierarchy */
	assert_int_equal(cg.n, 10);
	cpu = find_hier(&cg, "cpu", 0);
	cpuacct = find_hier(&cg, "cpuacct", 0);
	uni = find_hier(&cg, "", 1);
	assert_true(cpu >= 0 && cpuacct >= 0 && uni >= 0);
	assert_string_equal(cg.h[cpu].mount, "/sys/fs/cgroup/cpu");
	assert_string_equal(cg.h[uni].mount, "/sys/fs/cgroup/unified");
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPU], cpu);
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPUACCT], cpuacct);
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPUSET], find_hier(&cg, "cpuset", 0));
	assert_int_equal(cg.by_ctrl[PV_CTRL_MEMORY], find_hier(&cg, "memory", 0));
	assert_int_equal(cg.by_ctrl[PV_CTRL_IO], find_hier(&cg, "blkio", 0));
	assert_int_equal(cg.by_ctrl[PV_CTRL_PIDS], find_hier(&cg, "pids", 0));
	assert_true(find_hier(&cg, "name=systemd", 0) >= 0);
	assert_int_equal(cg.unified, uni);
	assert_int_equal(cg.cpu_acct, cpuacct);
	for (int i = 0; i < cg.n; i++)
		assert_int_equal(cg.h[i].dirfd, -1);
	free(mi);
}

static void discover__v1_mountinfo_comounted_and_bind_duplicates(void **state)
{
	char *mi = slurp("v1/mountinfo");
	struct pv_cgroups cg;
	int cc, cs, mem;

	assert_int_equal(pv_cgroups_discover(mi, NULL, &cg), 0);
	/* systemd, cpu+cpuacct, net_cls+net_prio, memory, blkio, pids, devices,
	   freezer, cpuset (the root bind), perf_event; no cgroup2 */
	assert_int_equal(cg.n, 10);
	cc = find_hier(&cg, "cpu,cpuacct", 0);
	assert_true(cc >= 0);
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPU], cc);
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPUACCT], cc);
	assert_int_equal(cg.cpu_acct, cc);
	assert_int_equal(cg.unified, -1);
	assert_true(find_hier(&cg, "name=systemd", 0) >= 0);  /* xattr dropped */
	assert_true(find_hier(&cg, "net_cls,net_prio", 0) >= 0);
	assert_true(find_hier(&cg, "perf_event", 0) >= 0);    /* release_agent= dropped */
	/* cpuset: the sub-cgroup bind (root /docker) is ignored, the root one
	   at an escaped path kept, its clone_children flag dropped */
	cs = find_hier(&cg, "cpuset", 0);
	assert_true(cs >= 0);
	assert_string_equal(cg.h[cs].mount, "/mnt/cpu set");
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPUSET], cs);
	/* memory bound twice at its root: first kept */
	mem = find_hier(&cg, "memory", 0);
	assert_string_equal(cg.h[mem].mount, "/sys/fs/cgroup/memory");
	for (int i = 0; i < cg.n; i++)
		if (i != mem)
			assert_true(strcmp(cg.h[i].ctrls, "memory") != 0);
	free(mi);
}

static void discover__comount_mountinfo_and_ids(void **state)
{
	char *mi = slurp("comount/mountinfo"), root[PATH_MAX];
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));
	char *txt = slurp("comount/proc/ctr.cgroup");
	int all;

	assert_int_equal(pv_cgroups_discover(mi, NULL, &cg), 0);
	assert_int_equal(cg.n, 2);
	all = find_hier(&cg, "cpuset,cpu,cpuacct,memory", 0);
	assert_true(all >= 0);
	for (int k = PV_CTRL_CPU; k <= PV_CTRL_MEMORY; k++)
		assert_int_equal(cg.by_ctrl[k], all);
	assert_int_equal(cg.by_ctrl[PV_CTRL_IO], -1);
	assert_int_equal(cg.by_ctrl[PV_CTRL_PIDS], -1);
	assert_int_equal(cg.cpu_acct, all);
	free(mi);

	snprintf(root, sizeof(root), "%s/comount/cgroup", fixtures());
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	assert_int_equal(pv_cgroups_open(&cg), 0);
	assert_int_equal(pv_parse_proc_cgroup(&cg, txt, c), 0);
	assert_int_equal(pv_container_ids(&cg, c), 0);
	assert_true(c->cpu_cgid == ino_of("comount", "cpuset,cpu,cpuacct,memory/pod/ctr"));
	assert_int_equal(c->host, 0);
	pv_cgroups_close(&cg);
	free(txt);
	free(c);
}

static void discover__v2_mountinfo_ignores_subtree_bind(void **state)
{
	char *mi = slurp("v2/mountinfo");
	struct pv_cgroups cg;

	assert_int_equal(pv_cgroups_discover(mi, NULL, &cg), 0);
	assert_int_equal(cg.n, 1);
	assert_int_equal(cg.h[0].v2, 1);
	assert_string_equal(cg.h[0].mount, "/sys/fs/cgroup");
	assert_string_equal(cg.h[0].ctrls, "");
	assert_int_equal(cg.unified, 0);
	assert_int_equal(cg.cpu_acct, 0);
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPUACCT], 0);
	free(mi);
}

static void discover__mountinfo_errors_leave_output(void **state)
{
	static const char *bad[] = {
		"",
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n",
		"garbage\n\n\n",
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup\n", /* truncated */
		"32 31 0:29 /sub /x rw - cgroup2 cgroup2 rw\n",            /* only a bind */
	};
	struct pv_cgroups cg;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&cg, 0x5a, sizeof(cg));
		if (pv_cgroups_discover(bad[i], NULL, &cg) == 0)
			fail_msg("bad mountinfo %zu accepted", i);
		assert_int_equal(cg.n, 0x5a5a5a5a);
	}
}

static void discover__unknown_controller_kept_in_field(void **state)
{
	/* a controller newer than this code: the field must still match
	   /proc/<pid>/cgroup, which prints it */
	static const char mi[] =
		"40 31 0:40 / /sys/fs/cgroup/cpu,dmem rw - cgroup cgroup rw,cpu,dmem,xattr\n";
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));

	assert_int_equal(pv_cgroups_discover(mi, NULL, &cg), 0);
	assert_int_equal(cg.n, 1);
	assert_string_equal(cg.h[0].ctrls, "cpu,dmem");
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPU], 0);
	assert_int_equal(cg.cpu_acct, 0); /* no cpuacct: cpu */
	assert_int_equal(pv_parse_proc_cgroup(&cg, "3:cpu,dmem:/a\n", c), 0);
	assert_string_equal(c->path[0], "/a");
	/* a subset is not the same hierarchy */
	assert_int_equal(pv_parse_proc_cgroup(&cg, "3:cpu:/b\n", c), 0);
	assert_string_equal(c->path[0], "/");
	free(c);
}

static void discover__more_hierarchies_than_slots_keeps_useful(void **state)
{
	struct buf mi = BUF_INIT;
	struct pv_cgroups cg;

	/* 20 named hierarchies first, then memory and cgroup2 */
	for (int i = 0; i < 20; i++)
		buf_printf(&mi, "%d 31 0:%d / /cg/n%d rw - cgroup cgroup rw,name=n%d\n",
			   50 + i, 50 + i, i, i);
	buf_puts(&mi, "90 31 0:90 / /cg/memory rw - cgroup cgroup rw,memory\n");
	buf_puts(&mi, "91 31 0:91 / /cg/unified rw - cgroup2 cgroup2 rw\n");
	assert_int_equal(buf_error(&mi), 0);
	assert_int_equal(pv_cgroups_discover(mi.data, NULL, &cg), 0);
	assert_int_equal(cg.n, PV_MAX_HIER);
	assert_true(cg.by_ctrl[PV_CTRL_MEMORY] >= 0);
	assert_string_equal(cg.h[cg.by_ctrl[PV_CTRL_MEMORY]].mount, "/cg/memory");
	assert_true(cg.unified >= 0);
	assert_string_equal(cg.h[cg.unified].mount, "/cg/unified");
	buf_free(&mi);
}

/* ---- discovery from fixture trees (--cgroup-root) ---- */

static void setroot(char *dst, size_t cap, const char *kind)
{
	snprintf(dst, cap, "%s/%s/cgroup", fixtures(), kind);
}

static void discover__override_v2(void **state)
{
	char root[PATH_MAX];
	struct pv_cgroups cg;

	setroot(root, sizeof(root), "v2");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	assert_int_equal(cg.n, 1);
	assert_int_equal(cg.h[0].v2, 1);
	assert_string_equal(cg.h[0].mount, root);
	/* fixture cgroup.controllers: cpuset cpu io memory hugetlb pids ... */
	for (int c = 0; c < PV_CTRL__COUNT; c++)
		assert_int_equal(cg.by_ctrl[c], 0);
	assert_int_equal(cg.unified, 0);
	assert_int_equal(cg.cpu_acct, 0);
	assert_int_equal(pv_cgroups_open(&cg), 0);
	assert_true(cg.h[0].dirfd >= 0);
	pv_cgroups_close(&cg);
	assert_int_equal(cg.h[0].dirfd, -1);
	pv_cgroups_close(NULL);
}

static void discover__override_v1_and_hybrid(void **state)
{
	char root[PATH_MAX];
	struct pv_cgroups cg;
	int cc, uni;

	setroot(root, sizeof(root), "v1");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	/* directories: blkio cpu,cpuacct cpuset memory name=systemd net_cls,net_prio pids */
	assert_int_equal(cg.n, 7);
	cc = find_hier(&cg, "cpu,cpuacct", 0);
	assert_int_equal(cg.cpu_acct, cc);
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPU], cc);
	assert_int_equal(cg.unified, -1);
	assert_int_equal(cg.by_ctrl[PV_CTRL_IO], find_hier(&cg, "blkio", 0));

	setroot(root, sizeof(root), "hybrid");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	assert_int_equal(cg.n, 8);
	uni = find_hier(&cg, "", 1);
	assert_true(uni >= 0);
	assert_int_equal(cg.unified, uni);
	assert_int_equal(cg.cpu_acct, find_hier(&cg, "cpuacct", 0));
	assert_int_equal(cg.by_ctrl[PV_CTRL_CPU], find_hier(&cg, "cpu", 0));
	/* empty cgroup.controllers: v1 holds memory, not unified */
	assert_int_equal(cg.by_ctrl[PV_CTRL_MEMORY], find_hier(&cg, "memory", 0));
	assert_int_equal(pv_cgroups_open(&cg), 0);
	pv_cgroups_close(&cg);
}

static void discover__override_real_host_layout(void **state)
{
	/* /sys/fs/cgroup of a v1 host: cpu and cpuacct symlinks to
	   cpu,cpuacct, systemd for name=systemd, a stray file */
	char tmpl[] = "/tmp/pv-cg-XXXXXX", p[PATH_MAX], q[PATH_MAX];
	struct pv_cgroups cg;
	int cc;

	assert_non_null(mkdtemp(tmpl));
	snprintf(p, sizeof(p), "%s/cpu,cpuacct", tmpl);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/systemd", tmpl);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/cpu", tmpl);
	assert_int_equal(symlink("cpu,cpuacct", p), 0);
	snprintf(p, sizeof(p), "%s/cpuacct", tmpl);
	assert_int_equal(symlink("cpu,cpuacct", p), 0);
	snprintf(p, sizeof(p), "%s/stray", tmpl);
	assert_int_equal(close(open(p, O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(pv_cgroups_discover(NULL, tmpl, &cg), 0);
	assert_int_equal(cg.n, 2);
	cc = find_hier(&cg, "cpu,cpuacct", 0);
	assert_true(cc >= 0);
	assert_int_equal(cg.cpu_acct, cc);
	assert_true(find_hier(&cg, "name=systemd", 0) >= 0);
	snprintf(q, sizeof(q), "rm -rf '%s'", tmpl);
	assert_int_equal(system(q), 0);
}

static void discover__override_missing_dir(void **state)
{
	struct pv_cgroups cg;

	memset(&cg, 0x5a, sizeof(cg));
	assert_int_equal(pv_cgroups_discover(NULL, "/nonexistent/procview", &cg), -ENOENT);
	assert_int_equal(cg.n, 0x5a5a5a5a);
}

/* ---- /proc/<pid>/cgroup ---- */

static void proc_cgroup__hybrid_every_hierarchy(void **state)
{
	char root[PATH_MAX];
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));
	char *txt = slurp("hybrid/proc/c1.cgroup");

	setroot(root, sizeof(root), "hybrid");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	assert_int_equal(pv_parse_proc_cgroup(&cg, txt, c), 0);
	for (int i = 0; i < cg.n; i++)
		assert_string_equal(c->path[i], "/lxc/c1");
	free(txt);
	free(c);
}

static void proc_cgroup__v1_comounted_and_defaults(void **state)
{
	char root[PATH_MAX];
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));
	char *txt = slurp("v1/proc/tight.cgroup");

	setroot(root, sizeof(root), "v1");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	assert_int_equal(pv_parse_proc_cgroup(&cg, txt, c), 0);
	assert_string_equal(c->path[cg.by_ctrl[PV_CTRL_MEMORY]], "/tight/inner");
	assert_string_equal(c->path[cg.by_ctrl[PV_CTRL_CPU]], "/");
	/* hierarchies absent from the text: "/" */
	assert_string_equal(c->path[cg.by_ctrl[PV_CTRL_PIDS]], "/");
	assert_string_equal(c->path[find_hier(&cg, "name=systemd", 0)], "/");
	free(txt);

	/* controller order in the line does not matter */
	assert_int_equal(pv_parse_proc_cgroup(&cg, "4:cpuacct,cpu:/x/y\n", c), 0);
	assert_string_equal(c->path[cg.by_ctrl[PV_CTRL_CPU]], "/x/y");
	free(c);
}

static void proc_cgroup__v2_paths(void **state)
{
	static const struct {
		const char *in;
		int err;
		const char *path;
	} t[] = {
		{ "0::/limited\n", 0, "/limited" },
		{ "0::/\n", 0, "/" },
		{ "0::/limited (deleted)\n", 0, "/limited" },
		{ "0::/a:b/c d\n", 0, "/a:b/c d" },     /* ':' and ' ' in names */
		{ "0::/x", 0, "/x" },                   /* no final newline */
		{ "", 0, "/" },                         /* nothing: root */
		{ "12:pids:/p\n0::/u\n", 0, "/u" },     /* unknown v1 line skipped */
		{ "0::relative\n", -EINVAL, NULL },
		{ "0::\n", -EINVAL, NULL },
		{ "0::/a/../../etc\n", -EINVAL, NULL },
		{ "garbage\n", -EINVAL, NULL },
		{ "0:/x\n", -EINVAL, NULL },
		{ ":/x\n", -EINVAL, NULL },
	};
	char root[PATH_MAX];
	struct pv_cgroups cg;
	struct pv_container *c = malloc(sizeof(*c));

	setroot(root, sizeof(root), "v2");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int err;

		strcpy(c->path[0], "untouched");
		err = pv_parse_proc_cgroup(&cg, t[i].in, c);
		if (err != t[i].err)
			fail_msg("row %zu '%s': err %d want %d", i, t[i].in, err, t[i].err);
		assert_string_equal(c->path[0], err ? "untouched" : t[i].path);
	}
	/* a path of PV_CGPATH_MAX bytes does not fit */
	{
		char *big = malloc(PV_CGPATH_MAX + 16);

		strcpy(big, "0::/");
		memset(big + 4, 'a', PV_CGPATH_MAX);
		big[4 + PV_CGPATH_MAX] = '\0';
		assert_int_equal(pv_parse_proc_cgroup(&cg, big, c), -ENAMETOOLONG);
		free(big);
	}
	free(c);
}

/* ---- identity ---- */

static void ids__v2_hybrid_host_and_gone(void **state)
{
	char root[PATH_MAX];
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));

	setroot(root, sizeof(root), "v2");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	/* not opened yet */
	assert_int_equal(pv_parse_proc_cgroup(&cg, "0::/limited\n", c), 0);
	assert_int_equal(pv_container_ids(&cg, c), -EBADF);
	assert_int_equal(pv_cgroups_open(&cg), 0);
	assert_int_equal(pv_container_ids(&cg, c), 0);
	assert_true(c->cpu_cgid == ino_of("v2", "limited"));
	assert_int_equal(c->host, 0);

	assert_int_equal(pv_parse_proc_cgroup(&cg, "0::/\n", c), 0);
	assert_int_equal(pv_container_ids(&cg, c), 0);
	assert_true(c->cpu_cgid == ino_of("v2", "."));
	assert_int_equal(c->host, 1);

	assert_int_equal(pv_parse_proc_cgroup(&cg, "0::/gone (deleted)\n", c), 0);
	c->cpu_cgid = 4242;
	c->host = 7;
	assert_int_equal(pv_container_ids(&cg, c), -ENOENT);
	assert_true(c->cpu_cgid == 4242 && c->host == 7);
	/* a file, not a cgroup directory */
	assert_int_equal(pv_parse_proc_cgroup(&cg, "0::/cgroup.procs\n", c), 0);
	assert_int_equal(pv_container_ids(&cg, c), -ENOTDIR);
	pv_cgroups_close(&cg);

	/* hybrid: id from the v1 cpuacct hierarchy, not cpu or unified */
	setroot(root, sizeof(root), "hybrid");
	assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
	assert_int_equal(pv_cgroups_open(&cg), 0);
	{
		char *txt = slurp("hybrid/proc/c1.cgroup");

		assert_int_equal(pv_parse_proc_cgroup(&cg, txt, c), 0);
		free(txt);
	}
	assert_int_equal(pv_container_ids(&cg, c), 0);
	assert_true(c->cpu_cgid == ino_of("hybrid", "cpuacct/lxc/c1"));
	assert_int_equal(c->host, 0);
	pv_cgroups_close(&cg);
	free(c);
}

/* ---- CPUs ---- */

struct cpus_case {
	const char *kind, *proc; /* fixture and proc/<name>.cgroup */
	int quota_view, host_ncpus, err, n, nphys;
	const char *phys;        /* expected ids, "" for any when err */
};

static void check_cpus(const struct cpus_case *t, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		char root[PATH_MAX], rel[128], got[512] = "";
		struct pv_cgroups cg;
		struct pv_container *c = calloc(1, sizeof(*c));
		struct pv_cpus *cpus = malloc(sizeof(*cpus));
		char *txt;
		int err;

		setroot(root, sizeof(root), t[i].kind);
		snprintf(rel, sizeof(rel), "%s/proc/%s.cgroup", t[i].kind, t[i].proc);
		txt = slurp(rel);
		assert_int_equal(pv_cgroups_discover(NULL, root, &cg), 0);
		assert_int_equal(pv_cgroups_open(&cg), 0);
		assert_int_equal(pv_parse_proc_cgroup(&cg, txt, c), 0);
		cpus->n = -77;
		cpus->nphys = -77;
		err = pv_container_cpus(&cg, c, t[i].quota_view, t[i].host_ncpus, cpus);
		if (err != t[i].err)
			fail_msg("%s/%s: err %d want %d", t[i].kind, t[i].proc, err, t[i].err);
		if (err) {
			assert_int_equal(cpus->n, -77);
			assert_int_equal(cpus->nphys, -77);
		} else {
			for (int j = 0; j < cpus->nphys; j++)
				snprintf(got + strlen(got), sizeof(got) - strlen(got),
					 "%s%d", j ? "," : "", cpus->phys[j]);
			if (cpus->n != t[i].n || cpus->nphys != t[i].nphys ||
			    strcmp(got, t[i].phys))
				fail_msg("%s/%s q%d: n=%d nphys=%d [%s], want n=%d nphys=%d [%s]",
					 t[i].kind, t[i].proc, t[i].quota_view, cpus->n,
					 cpus->nphys, got, t[i].n, t[i].nphys, t[i].phys);
		}
		pv_cgroups_close(&cg);
		free(txt);
		free(c);
		free(cpus);
	}
}

static void cpus__v2_table(void **state)
{
	static const struct cpus_case t[] = {
		/* cpuset 0-3,8,10-11 (7 CPUs), cpu.max 50000 100000 -> 1 */
		{ "v2", "limited", 1, 16, 0, 1, 7, "0,1,2,3,8,10,11" },
		{ "v2", "limited", 0, 16, 0, 7, 7, "0,1,2,3,8,10,11" },
		{ "v2", "unlimited", 1, 16, 0, 16, 16,
		  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
		/* parent: 150000/100000 -> ceil 1.5 = 2 of cpuset 2-5 */
		{ "v2", "parent", 1, 16, 0, 2, 4, "2,3,4,5" },
		/* child: own cpu.max is max; the parent's quota binds */
		{ "v2", "child", 1, 16, 0, 2, 4, "2,3,4,5" },
		{ "v2", "child", 0, 16, 0, 4, 4, "2,3,4,5" },
		/* leaf: no cpuset files, walks up to child's 2-5 */
		{ "v2", "leaf", 1, 16, 0, 2, 4, "2,3,4,5" },
		/* quota of 4 CPUs on a 2-CPU cpuset: cpuset wins */
		{ "v2", "bigquota", 1, 16, 0, 2, 2, "0,1" },
		/* no controller files at all: root cpuset, no quota */
		{ "v2", "bare", 1, 16, 0, 16, 16,
		  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
		/* 2^63-1 us quota per 1000 us: no overflow, all 16 */
		{ "v2", "huge", 1, 16, 0, 16, 16,
		  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
		{ "v2", "malformed", 0, 16, -EINVAL, 0, 0, "" },
		{ "v2", "malformed", 1, 16, -EINVAL, 0, 0, "" },
		/* empty cpuset.cpus.effective walks up (root 0-15), empty cpu.max is malformed */
		{ "v2", "empty", 0, 16, 0, 16, 16,
		  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
		{ "v2", "empty", 1, 16, -EINVAL, 0, 0, "" },
		{ "v2", "gone", 1, 16, -ENOENT, 0, 0, "" },
		{ "v2", "limited", 1, 0, -EINVAL, 0, 0, "" },
	};

	check_cpus(t, ARRAY_SIZE(t));
}

static void cpus__v1_hybrid_table(void **state)
{
	static const struct cpus_case t[] = {
		/* abc: own quota 0.5 tighter than docker's 2.0 */
		{ "v1", "abc", 1, 16, 0, 1, 7, "0,1,2,3,8,10,11" },
		/* def: quota -1, docker's 200000/100000 -> 2; cpuset.cpus empty
		   and no effective_cpus -> docker's 0-15 */
		{ "v1", "def", 1, 16, 0, 2, 16,
		  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
		{ "v1", "def", 0, 16, 0, 16, 16,
		  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
		{ "v1", "bad", 0, 16, -EINVAL, 0, 0, "" },
		{ "v1", "host", 1, 16, 0, 16, 16,
		  "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" },
		/* hybrid c1: cpuset 0-1,4-5, 150000/100000 -> 2 */
		{ "hybrid", "c1", 1, 8, 0, 2, 4, "0,1,4,5" },
		{ "hybrid", "c2", 1, 8, 0, 1, 1, "6" },
		{ "hybrid", "host", 1, 8, 0, 8, 8, "0,1,2,3,4,5,6,7" },
		/* all four in one hierarchy: cpuset 1-3, pod quota 2.5 -> 3 */
		{ "comount", "ctr", 1, 4, 0, 3, 3, "1,2,3" },
	};

	check_cpus(t, ARRAY_SIZE(t));
}

static void cpus__no_cpuset_controller_uses_host(void **state)
{
	struct pv_cgroups cg;
	struct pv_container *c = calloc(1, sizeof(*c));
	struct pv_cpus *cpus = malloc(sizeof(*cpus));

	/* one v2 hierarchy with no controllers: only core files */
	memset(&cg, 0, sizeof(cg));
	cg.n = 1;
	cg.h[0].v2 = 1;
	cg.h[0].dirfd = -1;
	for (int i = 0; i < PV_CTRL__COUNT; i++)
		cg.by_ctrl[i] = -1;
	cg.unified = cg.cpu_acct = 0;
	strcpy(c->path[0], "/anything");
	assert_int_equal(pv_container_cpus(&cg, c, 1, 3, cpus), 0);
	assert_int_equal(cpus->n, 3);
	assert_int_equal(cpus->nphys, 3);
	assert_int_equal(cpus->phys[2], 2);
	free(c);
	free(cpus);
}

/*
 * Live check: this machine's real mountinfo. The hierarchies the project
 * relies on must all be found; skipped where /proc/self/mountinfo has no
 * cgroup mounts (some build sandboxes).
 */
static void live__real_mountinfo(void **state)
{
	static const char *want[] = { "cpu", "cpuacct", "cpuset", "memory", "blkio",
				      "pids", "name=systemd" };
	struct pv_cgroups cg;
	int err = pv_cgroups_discover(NULL, NULL, &cg);

	if (err == -ENOENT || access("/sys/fs/cgroup/unified", F_OK)) {
		/* only the hybrid host layout of the dev VM is asserted */
		skip();
	}
	assert_int_equal(err, 0);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		int found = 0;

		for (int j = 0; j < cg.n; j++) {
			const char *s = cg.h[j].ctrls;
			size_t l = strlen(want[i]);

			for (;;) {
				if (!strncmp(s, want[i], l) && (s[l] == ',' || !s[l]))
					found = 1;
				s = strchr(s, ',');
				if (!s)
					break;
				s++;
			}
		}
		if (!found)
			fail_msg("live mountinfo: %s not discovered", want[i]);
	}
	assert_true(cg.unified >= 0);
	assert_true(cg.cpu_acct >= 0);
	assert_int_equal(pv_cgroups_open(&cg), 0);
	{
		struct pv_container *c = calloc(1, sizeof(*c));
		struct buf b = BUF_INIT;
		struct stat st;
		char path[PATH_MAX];

		assert_int_equal(pv_read_file_buf(AT_FDCWD, "/proc/self/cgroup", &b), 0);
		assert_int_equal(pv_parse_proc_cgroup(&cg, b.data, c), 0);
		assert_int_equal(pv_container_ids(&cg, c), 0);
		snprintf(path, sizeof(path), "%s%s", cg.h[cg.cpu_acct].mount,
			 c->path[cg.cpu_acct]);
		assert_int_equal(stat(path, &st), 0);
		assert_true(c->cpu_cgid == st.st_ino);
		{
			/* cpuset of this process: the kernel's own list for its
			   cgroup, read without procview's walk when it is set there */
			struct pv_cpus *cpus = malloc(sizeof(*cpus));
			char cs[PATH_MAX], text[4096];
			int idx = cg.by_ctrl[PV_CTRL_CPUSET];

			assert_int_equal(pv_container_cpus(&cg, c, 0, 1, cpus), 0);
			assert_true(idx >= 0);
			snprintf(cs, sizeof(cs), "%s%s/%s", cg.h[idx].mount,
				 strcmp(c->path[idx], "/") ? c->path[idx] : "",
				 cg.h[idx].v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus");
			if (pv_read_file_at(AT_FDCWD, cs, text, sizeof(text)) > 1) {
				/* count ids in "0-1,3" without the parser under test */
				int cnt = 0;
				char *p = text;

				while (*p && *p != '\n') {
					long lo = strtol(p, &p, 10), hi = lo;

					if (*p == '-')
						hi = strtol(p + 1, &p, 10);
					cnt += (int)(hi - lo + 1);
					if (*p == ',')
						p++;
				}
				assert_int_equal(cpus->nphys, cnt);
			}
			assert_true(cpus->n >= 1 && cpus->n <= cpus->nphys);
			free(cpus);
		}
		buf_free(&b);
		free(c);
	}
	pv_cgroups_close(&cg);
}

/*
 * Live: the true-root probes of pv_cgroups_open against the real kernel.
 * Every mounted hierarchy here shows its true root; a cgroup below ours
 * (a new v2 child, our own non-root memory cgroup) seen as a mount root
 * must not count as one, or limits set on it would be skipped.
 */
static void live__real_root_probe(void **state)
{
	struct pv_cgroups cg, sub;
	struct pv_container *c = calloc(1, sizeof(*c));
	struct buf b = BUF_INIT;
	char child[PATH_MAX];
	int mem, made = 0;

	if (pv_cgroups_discover(NULL, NULL, &cg) || cg.unified < 0 || geteuid() != 0) {
		free(c);
		skip();
	}
	assert_int_equal(pv_cgroups_open(&cg), 0);
	for (int i = 0; i < cg.n; i++)
		if (cg.h[i].real_root != 1)
			fail_msg("%s: true root not recognised", cg.h[i].mount);
	assert_int_equal(pv_read_file_buf(AT_FDCWD, "/proc/self/cgroup", &b), 0);
	assert_int_equal(pv_parse_proc_cgroup(&cg, b.data, c), 0);

	/* a v2 child below our own v2 cgroup */
	snprintf(child, sizeof(child), "%s%s/pv-unit-%d", cg.h[cg.unified].mount,
		 strcmp(c->path[cg.unified], "/") ? c->path[cg.unified] : "", getpid());
	if (mkdir(child, 0755) == 0) {
		made = 1;
		sub = cg;
		for (int i = 0; i < sub.n; i++)
			sub.h[i].dirfd = -1;
		snprintf(sub.h[cg.unified].mount, sizeof(sub.h[cg.unified].mount), "%s", child);
		assert_int_equal(pv_cgroups_open(&sub), 0);
		assert_int_equal(sub.h[cg.unified].real_root, 0);
		pv_cgroups_close(&sub);
	}
	if (made)
		assert_int_equal(rmdir(child), 0);

	/* v1: our memory cgroup when it is not the root */
	mem = cg.by_ctrl[PV_CTRL_MEMORY];
	if (mem >= 0 && !cg.h[mem].v2 && strcmp(c->path[mem], "/")) {
		sub = cg;
		for (int i = 0; i < sub.n; i++)
			sub.h[i].dirfd = -1;
		snprintf(sub.h[mem].mount, sizeof(sub.h[mem].mount), "%s%s",
			 cg.h[mem].mount, c->path[mem]);
		assert_int_equal(pv_cgroups_open(&sub), 0);
		assert_int_equal(sub.h[mem].real_root, 0);
		pv_cgroups_close(&sub);
	}
	pv_cgroups_close(&cg);
	buf_free(&b);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(discover__hybrid_mountinfo_separate_cpu_and_cpuacct),
		cmocka_unit_test(discover__v1_mountinfo_comounted_and_bind_duplicates),
		cmocka_unit_test(discover__v2_mountinfo_ignores_subtree_bind),
		cmocka_unit_test(discover__comount_mountinfo_and_ids),
		cmocka_unit_test(discover__mountinfo_errors_leave_output),
		cmocka_unit_test(discover__unknown_controller_kept_in_field),
		cmocka_unit_test(discover__more_hierarchies_than_slots_keeps_useful),
		cmocka_unit_test(discover__override_v2),
		cmocka_unit_test(discover__override_real_host_layout),
		cmocka_unit_test(discover__override_v1_and_hybrid),
		cmocka_unit_test(discover__override_missing_dir),
		cmocka_unit_test(proc_cgroup__hybrid_every_hierarchy),
		cmocka_unit_test(proc_cgroup__v1_comounted_and_defaults),
		cmocka_unit_test(proc_cgroup__v2_paths),
		cmocka_unit_test(ids__v2_hybrid_host_and_gone),
		cmocka_unit_test(cpus__v2_table),
		cmocka_unit_test(cpus__v1_hybrid_table),
		cmocka_unit_test(cpus__no_cpuset_controller_uses_host),
		cmocka_unit_test(live__real_mountinfo),
		cmocka_unit_test(live__real_root_probe),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
