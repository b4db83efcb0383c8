// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/loadavg for a container: collector + render_loadavg().
 *
 * Sources, best first:
 *  - averages: the pinned per-cgroup state the loadavg sampler updates every
 *    5 s (bpf/loadavg.bpf.c). Without BPF (--no-bpf, or it failed to load)
 *    the file sampler (loadavg_files.h) follows each container from its
 *    first read: its averages start at 0.00 then and rise as the kernel's
 *    do after boot; never the host's. Only when no sampler runs at all do
 *    they stay 0.00.
 *  - running/threads: counted now by the BPF accounting (pv_bpf_task_counts)
 *    when it is loaded, else the counts of the BPF sampler's last pass (at
 *    most 5 s old), else counted now from the cgroup's task lists and
 *    /proc/<tid>/stat (slow fallback, cost grows with the container's tasks).
 *    The reader itself counts as running, as in the kernel's file (the
 *    reading task is on a CPU when the kernel prints nr_running); ours is
 *    asleep in the FUSE request while we count, so it is added.
 *    Zombies are not counted in threads although the kernel's nr_threads
 *    holds them until they are reaped: the cgroup task lists, the BPF
 *    accounting and /proc/stat's counts all leave them out, and one
 *    container should not get two different task counts.
 *  - last pid: host readers get the host's value; readers in their own pid
 *    namespace get the kernel's allocation cursor of that namespace minus
 *    one, as the kernel prints it there (copied by BPF at every fork and
 *    pass), or, without BPF, the highest pid the container's tasks have in
 *    the reader's namespace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "cpustat.h"
#include "fileio.h"
#include "loadavg.h"
#include "reader.h"
#include "vfile.h"

#define FALLBACK_MAX_DEPTH 32

/* State letter of /proc/<tid>/stat (the stat parser cpustat.c fuzzes). */
static int tid_state(const struct pv_env *env, const char *tid, char *ret)
{
	char path[64 + PATH_MAX], text[1024];

	snprintf(path, sizeof(path), "%s/%s/stat", env->proc, tid);
	if (pv_read_whole_at(AT_FDCWD, path, text, sizeof(text)) < 0)
		return -ENOENT;
	return pv_parse_pid_state(text, ret);
}

/*
 * The NSpid numbers of @tid, host's first, into @ret (at most @max).
 * Returns how many (the depth of its pid namespace + 1), or -1.
 */
static int tid_nspids(const struct pv_env *env, const char *tid, int *ret, int max)
{
	char path[64 + PATH_MAX], text[4096];
	struct pv_pid_status st;

	snprintf(path, sizeof(path), "%s/%s/status", env->proc, tid);
	if (pv_read_whole_at(AT_FDCWD, path, text, sizeof(text)) < 0)
		return -1;
	pv_parse_pid_status(text, &st);   /* reader.c: one fuzzed parser */
	if (st.nspid_n <= 0)
		return -1;
	if (st.nspid_n < max)
		max = st.nspid_n;
	memcpy(ret, st.nspid, (size_t)max * sizeof(*ret));
	return max;
}

/*
 * The tid's number at pid-namespace depth @level (0 = the host's), or -1
 * for a task not that deep: a task of an outer namespace has no number
 * there, and must not offer its host pid as the namespace's last pid.
 */
static int tid_nspid_at(const struct pv_env *env, const char *tid, int level)
{
	int nr[PV_LOADAVG_MAX_PIDNS_LEVEL + 1];
	int n = tid_nspids(env, tid, nr, PV_LOADAVG_MAX_PIDNS_LEVEL + 1);

	return level >= 0 && level < n ? nr[level] : -1;
}

/* Depth of @tid's pid namespace (0: the host's), or -1. */
static int tid_pidns_level(const struct pv_env *env, const char *tid)
{
	int nr[PV_LOADAVG_MAX_PIDNS_LEVEL + 1];
	int n = tid_nspids(env, tid, nr, PV_LOADAVG_MAX_PIDNS_LEVEL + 1);

	return n > 0 ? n - 1 : -1;
}

/* Tally the tasks listed in dir @fd and below (v2 cgroup.threads, v1 tasks). */
static void tally_dir(const struct pv_env *env, int fd, int depth, struct pv_load_tally *t)
{
	struct buf list = BUF_INIT;
	DIR *d;
	struct dirent *de;

	if (pv_read_file_buf(fd, "cgroup.threads", &list) < 0) {
		buf_reset(&list);
		if (pv_read_file_buf(fd, "tasks", &list) < 0)
			buf_reset(&list);
	}
	if (list.len) {
		char *save = NULL, *tok;

		for (tok = strtok_r(list.data, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
			char st;

			if (tid_state(env, tok, &st) < 0 || st == 'Z' || st == 'X')
				continue; /* gone or dead since the list was read */
			t->threads++;
			if (st == 'R')
				t->running++;
			/* 'I' (TASK_IDLE) is uninterruptible but NOLOAD: not load. */
			if (st == 'R' || st == 'D')
				t->active++;
			if (t->want_nspid) {
				int n = tid_nspid_at(env, tok, t->nspid_level);

				if (n > t->max_nspid)
					t->max_nspid = n;
			}
		}
	}
	buf_free(&list);
	if (depth >= FALLBACK_MAX_DEPTH)
		return;
	d = fdopendir(dup(fd));
	if (!d)
		return;
	while ((de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile */
		tally_dir(env, sub, depth + 1, t);
		close(sub);
	}
	closedir(d);
}

int pv_loadavg_tally(const struct pv_env *env, const char *cgpath, struct pv_load_tally *t)
{
	const struct pv_hier *h;
	const char *rel = cgpath;
	int fd;

	if (env->cg.cpu_acct < 0)
		return -ENOENT;
	h = &env->cg.h[env->cg.cpu_acct];
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	if (h->dirfd >= 0) {
		fd = openat(h->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		char path[PATH_MAX + PV_CGPATH_MAX + 2];

		snprintf(path, sizeof(path), "%s/%s", h->mount, rel);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	tally_dir(env, fd, 0, t);
	close(fd);
	return 0;
}

/* Last field of the host's /proc/loadavg. */
static int host_last_pid(const struct pv_env *env, int *ret)
{
	char path[PATH_MAX], text[256];
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/loadavg", env->proc);
	n = pv_read_file_at(AT_FDCWD, path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	p = strrchr(text, ' ');
	if (!p)
		return -EINVAL;
	*ret = atoi(p + 1);
	return 0;
}

static int pidns_inum(const struct pv_env *env, pid_t pid, __u32 *ret)
{
	char path[64 + PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d/ns/pid", env->proc, (int)pid);
	if (stat(path, &st) < 0)
		return -errno;
	*ret = (__u32)st.st_ino;
	return 0;
}

/* The reader is not on a CPU while we count; the kernel's reader is. */
static void count_reader(const struct pv_env *env, const struct pv_container *c,
			 struct loadavg_view *v)
{
	char tid[16], st;

	if (c->reader_pid <= 0)
		return;
	snprintf(tid, sizeof(tid), "%d", (int)c->reader_pid);
	if (tid_state(env, tid, &st) == 0 && st != 'R')
		v->nr_running++;
}

static int collect_loadavg(const struct pv_env *env, const struct pv_container *c,
			   struct loadavg_view *v)
{
	struct pv_load_state s;
	struct pv_task_counts tc;
	struct pv_load_tally t = { .want_nspid = 0 };
	int have_counts = 0, have_pid = 0, err;

	memset(v, 0, sizeof(*v));
	pv_loadavg_track(env->loadavg, c);
	if (env->loadavg && pv_loadavg_lookup(env->loadavg, c->cpu_cgid, &s) == 0) {
		memcpy(v->avenrun, s.avenrun, sizeof(v->avenrun));
		/* The file sampler's counts cost what a fresh count costs and
		 * miss tasks (the reader) started since: count afresh then. */
		if (pv_loadavg_is_bpf(env->loadavg)) {
			v->nr_running = s.nr_running;
			v->nr_threads = s.nr_threads;
			have_counts = 1;
		}
	}
	if (env->bpf && pv_bpf_task_counts(env->bpf, &env->cg, c, -1, &tc) == 0) {
		v->nr_running = tc.running;
		v->nr_threads = tc.threads;
		have_counts = 1;
	}

	if (!c->own_pidns) {
		err = host_last_pid(env, &v->last_pid);
		if (err)
			return err;
		have_pid = 1;
	} else if (pv_loadavg_is_bpf(env->loadavg)) {
		__u32 inum;

		if (pidns_inum(env, c->reader_pid, &inum) == 0 &&
		    pv_loadavg_lastpid(env->loadavg, inum, &v->last_pid) == 0)
			have_pid = 1;
	}

	/* With BPF, a pid namespace not known yet had no fork since we
	 * started and no task at the last pass: nothing better to offer. */
	if (!have_counts || (!have_pid && !pv_loadavg_is_bpf(env->loadavg))) {
		char tid[16];

		snprintf(tid, sizeof(tid), "%d", (int)c->reader_pid);
		t.nspid_level = tid_pidns_level(env, tid);
		t.want_nspid = !have_pid && t.nspid_level > 0;
		err = env->cg.cpu_acct < 0 ? -ENOENT
					   : pv_loadavg_tally(env, c->path[env->cg.cpu_acct], &t);
		if (err)
			return err;
		if (!have_counts) {
			v->nr_running = t.running;
			v->nr_threads = t.threads;
		}
		if (!have_pid)
			v->last_pid = t.max_nspid;
	}
	count_reader(env, c, v);
	return 0;
}

int pv_produce_loadavg(const struct pv_env *env, const struct pv_container *c, struct buf *out)
{
	struct loadavg_view v;
	int err;

	if (c->host)
		return pv_produce_host_file(env, "loadavg", out);
	err = collect_loadavg(env, c, &v);
	if (err)
		return err;
	return render_loadavg(&v, out);
}
