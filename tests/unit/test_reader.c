// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reader identity on fixture trees: a fake /proc (pid dirs with status,
 * cgroup and a dangling ns/pid symlink "pid:[N]", which readlink reads like
 * the real one) and a v1 cgroup root with cpu,cpuacct and memory.
 *
 *  pid 100  the daemon (proc/self -> 100), pid ns 1000
 *  pid 200  host reader in /ctr, ns 1000
 *  pid 300  init of ns 2000 (NSpid 300 1), in /ctr
 *  pid 301  child of 300 in ns 2000, moved itself to /other
 *  pid 400  joined ns 2000 from outside: parent 200 is in ns 1000
 *  pid 500  host reader in the root cgroup
 *  tid 305  a thread of 300 (Tgid 300, its own NSpid 305 3)
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
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "env.h"
#include "reader.h"

struct fx {
	char root[64];
	char proc[128];
	char cgr[128];
	struct pv_env env;
	struct pv_reader *r;
};

static void put(const char *dir, const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdirf(const char *fmt, ...)
{
	char p[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void set_ns(struct fx *f, int pid, unsigned long long ns)
{
	char p[512], l[64];

	snprintf(p, sizeof(p), "%s/%d/ns/pid", f->proc, pid);
	unlink(p);
	snprintf(l, sizeof(l), "pid:[%llu]", ns);
	assert_int_equal(symlink(l, p), 0);
}

static void add_pid(struct fx *f, int pid, int ppid, const char *nspid,
		    unsigned long long ns, const char *cgpath)
{
	char dir[256], text[512];

	snprintf(dir, sizeof(dir), "%s/%d", f->proc, pid);
	mkdirf("%s", dir);
	mkdirf("%s/ns", dir);
	set_ns(f, pid, ns);
	snprintf(text, sizeof(text), "Name:\tx\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nNSpid:\t%s\nUid:\t0\n",
		 pid == 305 ? 300 : pid, pid, ppid, nspid);
	put(dir, "status", text);
	snprintf(text, sizeof(text), "4:memory:%s\n3:cpu,cpuacct:%s\n", cgpath, cgpath);
	put(dir, "cgroup", text);
}

static void set_cgroup(struct fx *f, int pid, const char *cgpath)
{
	char dir[256], text[512];

	snprintf(dir, sizeof(dir), "%s/%d", f->proc, pid);
	snprintf(text, sizeof(text), "4:memory:%s\n3:cpu,cpuacct:%s\n", cgpath, cgpath);
	put(dir, "cgroup", text);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char link[16];

	assert_non_null(f);
	strcpy(f->root, "/tmp/pv-test-reader.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->root);
	snprintf(f->cgr, sizeof(f->cgr), "%s/cg", f->root);
	mkdirf("%s", f->proc);
	mkdirf("%s", f->cgr);
	for (int i = 0; i < 2; i++) {
		const char *h = i ? "memory" : "cpu,cpuacct";

		mkdirf("%s/%s", f->cgr, h);
		mkdirf("%s/%s/ctr", f->cgr, h);
		mkdirf("%s/%s/other", f->cgr, h);
	}
	add_pid(f, 100, 1, "100", 1000, "/");
	snprintf(link, sizeof(link), "100");
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/self", f->proc);
		assert_int_equal(symlink(link, p), 0);
	}
	add_pid(f, 200, 1, "200", 1000, "/ctr");
	add_pid(f, 300, 1, "300\t1", 2000, "/ctr");
	add_pid(f, 301, 300, "301\t5", 2000, "/other");
	add_pid(f, 400, 200, "400\t7", 2000, "/");
	add_pid(f, 500, 1, "500", 1000, "/");
	add_pid(f, 305, 1, "305\t3", 2000, "/ctr");

	f->env.proc = f->proc;
	assert_int_equal(pv_cgroups_discover(NULL, f->cgr, &f->env.cg), 0);
	assert_int_equal(pv_cgroups_open(&f->env.cg), 0);
	assert_int_equal(pv_reader_new(&f->env, &f->r), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	pv_reader_free(f->r);
	pv_cgroups_close(&f->env.cg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int hier(struct fx *f, const char *ctrls)
{
	for (int i = 0; i < f->env.cg.n; i++)
		if (!strcmp(f->env.cg.h[i].ctrls, ctrls))
			return i;
	fail_msg("no hierarchy %s", ctrls);
	return -1;
}

static __u64 ino_of(struct fx *f, const char *h, const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s/%s", f->cgr, h, rel);
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

static struct pv_container *resolve(struct fx *f, pid_t pid, int want_rc)
{
	static struct pv_container c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(pv_reader_resolve(f->r, pid, &c), want_rc);
	return &c;
}

static void reader__same_pidns__own_cgroup(void **state)
{
	struct fx *f = *state;
	struct pv_container *c = resolve(f, 200, 0);

	assert_string_equal(c->path[hier(f, "cpu,cpuacct")], "/ctr");
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	assert_int_equal(c->host, 0);
	assert_int_equal(c->own_pidns, 0);
	assert_int_equal(c->reader_pid, 200);
	assert_int_equal(c->init_pid, 200);
	assert_int_equal(c->cpu_cgid, ino_of(f, "cpu,cpuacct", "ctr"));
}

static void reader__root_cgroup__host(void **state)
{
	struct fx *f = *state;
	struct pv_container *c = resolve(f, 500, 0);

	assert_int_equal(c->host, 1);
	assert_string_equal(c->path[hier(f, "memory")], "/");
}

static void reader__init_itself__its_cgroup(void **state)
{
	struct fx *f = *state;
	struct pv_container *c = resolve(f, 300, 0);

	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	assert_int_equal(c->own_pidns, 1);
	assert_int_equal(c->init_pid, 300);
}

static void reader__moved_child_in_pidns__init_cgroup(void **state)
{
	struct fx *f = *state;
	struct pv_container *c = resolve(f, 301, 0);

	/* 301 itself is in /other; the container is its init's /ctr. */
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	assert_int_equal(c->init_pid, 300);
	assert_int_equal(c->reader_pid, 301);
	assert_int_equal(c->own_pidns, 1);
	assert_int_equal(c->cpu_cgid, ino_of(f, "cpu,cpuacct", "ctr"));
}

static void reader__joined_from_outside__scans_for_init(void **state)
{
	struct fx *f = *state;
	struct pv_reader_stats s;
	struct pv_container *c = resolve(f, 400, 0);

	assert_int_equal(c->init_pid, 300);
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.scans, 1);
}

static void reader__thread_of_init__leader_without_scan(void **state)
{
	struct fx *f = *state;
	struct pv_reader_stats s;
	struct pv_container *c = resolve(f, 305, 0);

	assert_int_equal(c->init_pid, 300);
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.scans, 0);
}

static void reader__gone_pid__esrch(void **state)
{
	struct fx *f = *state;

	resolve(f, 999, -ESRCH);
	resolve(f, 0, -ESRCH);
	resolve(f, -5, -ESRCH);
}

static void reader__repeat__served_from_caches(void **state)
{
	struct fx *f = *state;
	struct pv_reader_stats s;

	resolve(f, 301, 0);
	resolve(f, 301, 0);
	resolve(f, 301, 0);
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.ns_entries, 1);
	assert_int_equal(s.ns_hits, 2);
	assert_int_equal(s.cg_entries, 1);
	assert_int_equal(s.cg_misses, 1);
	assert_int_equal(s.cg_hits, 2);
}

static void reader__reader_moves__cgroup_reread(void **state)
{
	struct fx *f = *state;

	assert_string_equal(resolve(f, 200, 0)->path[hier(f, "memory")], "/ctr");
	set_cgroup(f, 200, "/other");
	assert_string_equal(resolve(f, 200, 0)->path[hier(f, "memory")], "/other");
}

static void reader__cgroup_removed__enoent_not_cached(void **state)
{
	struct fx *f = *state;
	char p[512];

	resolve(f, 200, 0);
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s/ctr", f->cgr, i ? "memory" : "cpu,cpuacct");
		assert_int_equal(rmdir(p), 0);
	}
	resolve(f, 200, -ENOENT);
}

static void reader__cgroup_recreated__new_identity(void **state)
{
	struct fx *f = *state;
	__u64 old, now;
	char a[512], b[512];

	old = resolve(f, 200, 0)->cpu_cgid;
	/* A new directory under the same name (a new inode for certain). */
	for (int i = 0; i < 2; i++) {
		const char *h = i ? "memory" : "cpu,cpuacct";

		snprintf(a, sizeof(a), "%s/%s/ctr", f->cgr, h);
		snprintf(b, sizeof(b), "%s/%s/ctr.new", f->cgr, h);
		assert_int_equal(mkdir(b, 0755), 0);
		assert_int_equal(rmdir(a), 0);
		assert_int_equal(rename(b, a), 0);
	}
	now = resolve(f, 200, 0)->cpu_cgid;
	assert_int_not_equal(now, old);
	assert_int_equal(now, ino_of(f, "cpu,cpuacct", "ctr"));
}

static void reader__pidns_inode_reused__init_found_again(void **state)
{
	struct fx *f = *state;

	assert_int_equal(resolve(f, 301, 0)->init_pid, 300);
	/* 300 leaves; ns inode 2000 now belongs to a namespace whose init is 310. */
	set_ns(f, 300, 3000);
	add_pid(f, 310, 1, "310\t1", 2000, "/other");
	{
		char dir[256];

		snprintf(dir, sizeof(dir), "%s/301", f->proc);
		put(dir, "status", "Name:\tx\nPPid:\t310\nNSpid:\t301\t5\n");
	}
	struct pv_container *c = resolve(f, 301, 0);

	assert_int_equal(c->init_pid, 310);
	assert_string_equal(c->path[hier(f, "memory")], "/other");
}

static void reader__init_moves__seen_after_ttl(void **state)
{
	struct fx *f = *state;
	struct timespec ts = { (time_t)PV_READER_TTL, 100 * 1000 * 1000 };

	assert_string_equal(resolve(f, 301, 0)->path[hier(f, "memory")], "/ctr");
	set_cgroup(f, 300, "/other");
	/* Within the TTL the namespace's cached init text is used... */
	assert_string_equal(resolve(f, 301, 0)->path[hier(f, "memory")], "/ctr");
	nanosleep(&ts, NULL);
	/* ...after it, the init's file is read again. */
	assert_string_equal(resolve(f, 301, 0)->path[hier(f, "memory")], "/other");
}

static void reader__many_cgroups__cache_bounded(void **state)
{
	struct fx *f = *state;
	struct pv_reader_stats s;
	char rel[64];

	for (int i = 0; i < PV_READER_CACHE + 40; i++) {
		snprintf(rel, sizeof(rel), "/c%d", i);
		mkdirf("%s/cpu,cpuacct%s", f->cgr, rel);
		mkdirf("%s/memory%s", f->cgr, rel);
		set_cgroup(f, 200, rel);
		assert_string_equal(resolve(f, 200, 0)->path[hier(f, "memory")], rel);
	}
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.cg_entries, PV_READER_CACHE);
	assert_int_equal(s.cg_misses, PV_READER_CACHE + 40);
	/* The most recent entry is still cached. */
	resolve(f, 200, 0);
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.cg_hits, 1);
}

static void rm_ctr(struct fx *f, const char *h, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s/%s", f->cgr, h, name);
	assert_int_equal(rmdir(p), 0);
}

static void reader__prune__drops_removed_cgroups_and_gone_inits(void **state)
{
	struct fx *f = *state;
	struct pv_reader_stats s;
	unsigned long hits;
	char cmd[512];

	resolve(f, 200, 0);                  /* host-ns reader in /ctr */
	resolve(f, 301, 0);                  /* ns 2000, init 300, /ctr too */
	set_cgroup(f, 500, "/other");
	resolve(f, 500, 0);                  /* /other */
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.ns_entries, 1);
	assert_int_equal(s.cg_entries, 2);
	/* Nothing is gone: nothing dropped. */
	assert_int_equal(pv_reader_prune(f->r), 0);
	/* /ctr removed, init 300 exits: both entries go, /other stays. */
	rm_ctr(f, "cpu,cpuacct", "ctr");
	rm_ctr(f, "memory", "ctr");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/300'", f->proc);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pv_reader_prune(f->r), 2);
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.ns_entries, 0);
	assert_int_equal(s.cg_entries, 1);
	assert_int_equal(s.pruned, 2);
	hits = s.cg_hits;
	assert_string_equal(resolve(f, 500, 0)->path[hier(f, "memory")], "/other");
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.cg_hits, hits + 1);   /* /other's entry survived */
}

static void reader__ident__same_until_removed_or_recreated(void **state)
{
	struct fx *f = *state;
	struct pv_container c;
	struct pv_cg_ident id, id2;

	memcpy(&c, resolve(f, 200, 0), sizeof(c));
	assert_int_equal(pv_cg_ident_get(&f->env.cg, &c, PV_IDENT_ALL, &id), 0);
	/* Both fixture hierarchies, each with its directory's inode. */
	assert_int_equal(id.n, 2);
	for (int i = 0; i < id.n; i++) {
		const char *h = f->env.cg.h[id.idx[i]].ctrls;

		assert_int_equal(id.ino[i], ino_of(f, h, "ctr"));
	}
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, PV_IDENT_ALL), 0);
	/* Only the hierarchies asked for are taken (one stat each). */
	assert_int_equal(pv_cg_ident_get(&f->env.cg, &c, 1u << PV_CTRL_MEMORY, &id2), 0);
	assert_int_equal(id2.n, 1);
	assert_string_equal(f->env.cg.h[id2.idx[0]].ctrls, "memory");
	assert_int_equal(id2.ino[0], ino_of(f, "memory", "ctr"));
	/* Re-created in one hierarchy only (memory): another cgroup. */
	rm_ctr(f, "memory", "ctr");
	mkdirf("%s/memory/ctr.tmp", f->cgr);   /* takes a fresh inode first */
	mkdirf("%s/memory/ctr", f->cgr);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, PV_IDENT_ALL), -ESTALE);
	/* The CPU directory alone is still the same; so is every hierarchy
	   but memory's, and only a check that names memory sees it. */
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, PV_IDENT_CPU_ACCT), 0);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id,
					   (1u << PV_CTRL_CPU) | (1u << PV_CTRL_CPUACCT)), 0);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, 1u << PV_CTRL_MEMORY), -ESTALE);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, 0), 0);
	/* Removed: stale too. */
	rm_ctr(f, "cpu,cpuacct", "ctr");
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, PV_IDENT_ALL), -ESTALE);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, PV_IDENT_CPU_ACCT), -ESTALE);
	/* Without the lookup's ids, every directory is stat'ed: gone. */
	c.cpu_cgid = 0;
	c.mem_ino = 0;
	assert_int_equal(pv_cg_ident_get(&f->env.cg, &c, PV_IDENT_ALL, &id2), -ENOENT);
}

/* The identity is what the lookup saw: re-created since, the first check
   says so (and a producer's rendering is thrown away). */
static void reader__ident__lookup_older_than_directory__check_estale(void **state)
{
	struct fx *f = *state;
	struct pv_container c;
	struct pv_cg_ident id;

	memcpy(&c, resolve(f, 200, 0), sizeof(c));
	c.cpu_cgid += 1;   /* what a lookup saw before a re-creation */
	assert_int_equal(pv_cg_ident_get(&f->env.cg, &c, PV_IDENT_ALL, &id), 0);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, PV_IDENT_CPU_ACCT), -ESTALE);
	c.cpu_cgid -= 1;
	c.mem_ino += 1;
	assert_int_equal(pv_cg_ident_get(&f->env.cg, &c, PV_IDENT_ALL, &id), 0);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, PV_IDENT_CPU_ACCT), 0);
	assert_int_equal(pv_cg_ident_check(&f->env.cg, &c, &id, 1u << PV_CTRL_MEMORY), -ESTALE);
}

static void reader__parse_pid_status__fields(void **state)
{
	static const struct {
		const char *text;
		pid_t tgid, ppid, nspid;
	} cases[] = {
		{ "Name:\tx\nTgid:\t42\nPid:\t43\nPPid:\t7\nNSpid:\t43\t12\t1\n", 42, 7, 1 },
		{ "Tgid:\t5\nPPid:\t0\nNSpid:\t5\n", 5, 0, 5 },
		/* absent lines */
		{ "Name:\tx\n", -1, -1, -1 },
		{ "", -1, -1, -1 },
		/* a key only counts at the start of a line */
		{ "Name:\tPPid: 9\nNSpid:\t3\n", -1, -1, 3 },
		/* empty list, garbage, sign, overflow past INT_MAX */
		{ "PPid:\t\nNSpid:\t4 x\n", -1, -1, -1 },
		{ "PPid:\t-3\nNSpid:\t2147483647\n", -1, -1, 2147483647 },
		{ "PPid:\t2147483648\nNSpid:\t1\t99999999999999999999\n", -1, -1, -1 },
		/* last line without a newline; spaces as separators */
		{ "PPid:  8\nNSpid: 10 2", -1, 8, 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pv_pid_status st;

		pv_parse_pid_status(cases[i].text, &st);
		if (st.tgid != cases[i].tgid || st.ppid != cases[i].ppid ||
		    st.nspid_last != cases[i].nspid)
			fail_msg("case %zu: tgid %d ppid %d nspid %d, want %d %d %d", i,
				 (int)st.tgid, (int)st.ppid, (int)st.nspid_last,
				 (int)cases[i].tgid, (int)cases[i].ppid, (int)cases[i].nspid);
	}
}

/* Every NSpid number, host's first; deeper than the kernel nests: malformed. */
static void reader__parse_pid_status__nspid_list(void **state)
{
	struct pv_pid_status st;
	char deep[4096] = "NSpid:";

	pv_parse_pid_status("NSpid:\t4321\t87\t1\n", &st);
	assert_int_equal(st.nspid_n, 3);
	assert_int_equal(st.nspid[0], 4321);
	assert_int_equal(st.nspid[1], 87);
	assert_int_equal(st.nspid[2], 1);
	assert_int_equal(st.nspid_last, 1);

	for (int i = 0; i < 33; i++)
		snprintf(deep + strlen(deep), sizeof(deep) - strlen(deep), "\t%d", 100 - i);
	pv_parse_pid_status(deep, &st);
	assert_int_equal(st.nspid_n, 33);
	assert_int_equal(st.nspid_last, 68);
	strcat(deep, "\t5");
	pv_parse_pid_status(deep, &st);
	assert_int_equal(st.nspid_n, 0);
	assert_int_equal(st.nspid_last, -1);

	pv_parse_pid_status("Tgid:\t3\n", &st);
	assert_int_equal(st.nspid_n, 0);
}

/* The kernel's record of an open: the fixture directories' inodes. */
static struct pv_reader_ids ids_of(struct fx *f, const char *rel, pid_t init, int own)
{
	struct pv_reader_ids ids = { .init_pid = init, .own_pidns = own };

	ids.ino[hier(f, "cpu,cpuacct")] = ino_of(f, "cpu,cpuacct", rel);
	ids.ino[hier(f, "memory")] = ino_of(f, "memory", rel);
	return ids;
}

static struct pv_container *resolve_ids(struct fx *f, pid_t pid, const struct pv_reader_ids *ids,
					int want_rc)
{
	static struct pv_container c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(pv_reader_resolve_ids(f->r, pid, ids, &c), want_rc);
	return &c;
}

static void reader__ids__learnt_then_served_without_proc(void **state)
{
	struct fx *f = *state;
	struct pv_reader_ids ids = ids_of(f, "ctr", 200, 0);
	struct pv_reader_stats s;
	struct pv_container *c;
	char p[256];

	/* First open: /proc lookup, which agrees, so the entry learns. */
	c = resolve_ids(f, 200, &ids, 0);
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.id_hits, 0);
	assert_int_equal(s.id_misses, 1);
	/* Then /proc is not read at all: the reader's entries are gone. */
	snprintf(p, sizeof(p), "rm -rf '%s/200'", f->proc);
	assert_int_equal(system(p), 0);
	resolve(f, 200, -ESRCH);
	c = resolve_ids(f, 200, &ids, 0);
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	assert_string_equal(c->path[hier(f, "cpu,cpuacct")], "/ctr");
	assert_int_equal(c->cpu_cgid, ids.ino[hier(f, "cpu,cpuacct")]);
	assert_int_equal(c->ino[hier(f, "memory")], ids.ino[hier(f, "memory")]);
	assert_int_equal(c->reader_pid, 200);
	assert_int_equal(c->init_pid, 200);
	assert_int_equal(c->own_pidns, 0);
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.id_hits, 1);
}

static void reader__ids__record_fields_win_over_cached_ones(void **state)
{
	struct fx *f = *state;
	struct pv_reader_ids own = ids_of(f, "ctr", 200, 0), ns = ids_of(f, "ctr", 300, 1);
	struct pv_container *c;

	resolve_ids(f, 200, &own, 0);
	/* Same container, another reader in a child pid namespace. */
	c = resolve_ids(f, 305, &ns, 0);
	assert_int_equal(c->reader_pid, 305);
	assert_int_equal(c->init_pid, 300);
	assert_int_equal(c->own_pidns, 1);
}

static void reader__ids__disagreeing_record__proc_wins_nothing_learnt(void **state)
{
	struct fx *f = *state;
	/* The record says /other, /proc says /ctr (the reader moved). */
	struct pv_reader_ids ids = ids_of(f, "other", 200, 0);
	struct pv_reader_stats s;
	struct pv_container *c;

	c = resolve_ids(f, 200, &ids, 0);
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	assert_int_equal(c->ino[hier(f, "memory")], 0);
	c = resolve_ids(f, 200, &ids, 0);
	assert_string_equal(c->path[hier(f, "memory")], "/ctr");
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.id_hits, 0);
	assert_int_equal(s.id_misses, 2);
}

static void reader__ids__unknown_hierarchy__proc_lookup(void **state)
{
	struct fx *f = *state;
	struct pv_reader_ids ids = ids_of(f, "ctr", 200, 0);
	struct pv_reader_stats s;

	ids.ino[hier(f, "memory")] = 0;
	resolve_ids(f, 200, &ids, 0);
	resolve_ids(f, 200, &ids, 0);
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.id_hits, 0);
	assert_int_equal(s.cg_misses + s.cg_hits, 2);
}

static void reader__ids__recreated_cgroup__old_ids_never_match(void **state)
{
	struct fx *f = *state;
	struct pv_reader_ids old = ids_of(f, "ctr", 200, 0), now;
	struct pv_reader_stats s;
	char p[512];
	char q[600];

	resolve_ids(f, 200, &old, 0);
	/* A new directory under the same name (made first: a new inode). */
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s/ctr", f->cgr, i ? "memory" : "cpu,cpuacct");
		snprintf(q, sizeof(q), "%s.new", p);
		assert_int_equal(mkdir(q, 0755), 0);
		assert_int_equal(rmdir(p), 0);
		assert_int_equal(rename(q, p), 0);
	}
	now = ids_of(f, "ctr", 200, 0);
	assert_true(now.ino[hier(f, "memory")] != old.ino[hier(f, "memory")]);
	resolve_ids(f, 200, &now, 0);
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.id_hits, 0);
	/* Learnt afresh: the next open with the new ids is a hit. */
	resolve_ids(f, 200, &now, 0);
	pv_reader_stats(f->r, &s);
	assert_int_equal(s.id_hits, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(reader__same_pidns__own_cgroup),
		T(reader__root_cgroup__host),
		T(reader__init_itself__its_cgroup),
		T(reader__moved_child_in_pidns__init_cgroup),
		T(reader__joined_from_outside__scans_for_init),
		T(reader__thread_of_init__leader_without_scan),
		T(reader__gone_pid__esrch),
		T(reader__repeat__served_from_caches),
		T(reader__reader_moves__cgroup_reread),
		T(reader__cgroup_removed__enoent_not_cached),
		T(reader__cgroup_recreated__new_identity),
		T(reader__pidns_inode_reused__init_found_again),
		T(reader__init_moves__seen_after_ttl),
		T(reader__many_cgroups__cache_bounded),
		T(reader__prune__drops_removed_cgroups_and_gone_inits),
		T(reader__ident__same_until_removed_or_recreated),
		T(reader__ident__lookup_older_than_directory__check_estale),
		T(reader__parse_pid_status__fields),
		T(reader__parse_pid_status__nspid_list),
		T(reader__ids__learnt_then_served_without_proc),
		T(reader__ids__record_fields_win_over_cached_ones),
		T(reader__ids__disagreeing_record__proc_wins_nothing_learnt),
		T(reader__ids__unknown_hierarchy__proc_lookup),
		T(reader__ids__recreated_cgroup__old_ids_never_match),
	};

	return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
