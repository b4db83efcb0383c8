// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/loadavg for a container: collector + render_loadavg().
 *
 * Sources, best first:
 *  - averages: the pinned per-cgroup state the loadavg sampler updates every
 *    5 s (bpf/loadavg.bpf.c). Without the sampler (BPF unavailable) the
 *    averages read 0.00, the same way every time, never the host's.
 *  - running/threads: counted now by the BPF accounting (pv_bpf_task_counts)
 *    when it is loaded, else the counts of the sampler's last pass (at most
 *    5 s old), else counted from the cgroup's task lists and
 *    /proc/<tid>/stat (slow fallback, cost grows with the container's tasks).
 *  - last pid: host readers get the host's value; readers in their own pid
 *    namespace get the number the last fork got in that namespace (recorded
 *    by BPF at fork), or, in the file fallback, the highest pid number
 *    among the container's tasks.
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
#include "fileio.h"
#include "loadavg.h"
#include "reader.h"
#include "vfile.h"

#define FALLBACK_MAX_DEPTH 32

struct task_tally {
	__u32 running;
	__u32 threads;
	int max_nspid;
	int want_nspid;
};

/* State letter of /proc/<tid>/stat: the field after the last ')'. */
static int tid_state(const struct pv_env *env, const char *tid, char *ret)
{
	char path[64 + PATH_MAX], text[1024];
	const char *p;

	snprintf(path, sizeof(path), "%s/%s/stat", env->proc, tid);
	if (pv_read_file_at(AT_FDCWD, path, text, sizeof(text)) < 0)
		return -ENOENT;
	p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EINVAL;
	*ret = p[2];
	return 0;
}

/* The tid's number in its innermost pid namespace (last NSpid field). */
static int tid_nspid(const struct pv_env *env, const char *tid)
{
	char path[64 + PATH_MAX], text[4096];
	struct pv_pid_status st;

	snprintf(path, sizeof(path), "%s/%s/status", env->proc, tid);
	if (pv_read_file_at(AT_FDCWD, path, text, sizeof(text)) < 0)
		return 0;
	pv_parse_pid_status(text, &st);   /* reader.c: one fuzzed parser */
	return st.nspid_last > 0 ? st.nspid_last : 0;
}

/* Tally the tasks listed in dir @fd and below (v2 cgroup.threads, v1 tasks). */
static void tally_dir(const struct pv_env *env, int fd, int depth, struct task_tally *t)
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
			if (t->want_nspid) {
				int n = tid_nspid(env, tok);

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

static int tally_files(const struct pv_env *env, const struct pv_container *c,
		       struct task_tally *t)
{
	const struct pv_hier *h;
	const char *rel;
	int fd, base;

	if (env->cg.cpu_acct < 0)
		return -ENOENT;
	h = &env->cg.h[env->cg.cpu_acct];
	rel = c->path[env->cg.cpu_acct];
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	base = h->dirfd >= 0 ? h->dirfd : AT_FDCWD;
	if (h->dirfd >= 0) {
		fd = openat(base, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

static int collect_loadavg(const struct pv_env *env, const struct pv_container *c,
			   struct loadavg_view *v)
{
	struct pv_load_state s;
	struct pv_task_counts tc;
	struct task_tally t = { .want_nspid = 0 };
	int have_counts = 0, have_pid = 0, err;

	memset(v, 0, sizeof(*v));
	if (env->loadavg && pv_loadavg_lookup(env->loadavg, c->cpu_cgid, &s) == 0) {
		memcpy(v->avenrun, s.avenrun, sizeof(v->avenrun));
		v->nr_running = s.nr_running;
		v->nr_threads = s.nr_threads;
		have_counts = 1;
	}
	if (env->bpf && pv_bpf_task_counts(env->bpf, &env->cg, c, &tc) == 0) {
		v->nr_running = tc.running;
		v->nr_threads = tc.threads;
		have_counts = 1;
	}

	if (!c->own_pidns) {
		err = host_last_pid(env, &v->last_pid);
		if (err)
			return err;
		have_pid = 1;
	} else if (env->loadavg) {
		__u32 inum;

		if (pidns_inum(env, c->reader_pid, &inum) == 0 &&
		    pv_loadavg_lastpid(env->loadavg, inum, &v->last_pid) == 0)
			have_pid = 1;
	}

	if (!have_counts || (!have_pid && !env->loadavg)) {
		t.want_nspid = !have_pid;
		err = tally_files(env, c, &t);
		if (err)
			return err;
		if (!have_counts) {
			v->nr_running = t.running;
			v->nr_threads = t.threads;
		}
		if (!have_pid)
			v->last_pid = t.max_nspid;
	}
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
