// SPDX-License-Identifier: GPL-2.0-only
/*
 * Collector of the CPU snapshot (BPF maps + clocks, or cgroup files when
 * the daemon runs degraded) and the /proc/stat and /proc/uptime producers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "bpf_loader.h"
#include "cgparse.h"
#include "cpustat.h"
#include "fileio.h"
#include "log.h"
#include "maint.h"
#include "vfile.h"

/*
 * Per-container state the daemon keeps between reads: high-water marks
 * (monotonic columns) and the estimated start time of cgroups that existed
 * before BPF saw their mkdir (degraded mode recomputes nothing per read).
 * Bounded: the least recently used entry is recycled.
 * Protected by pv_state_lock.
 */
#define PV_STATE_SLOTS 1024
struct pv_cstate {
	__u64 cgid;
	__u64 start_ns;     /* 0: not estimated yet */
	__u64 last_use;
	char *dir;          /* the cgroup's directory in the CPU hierarchy
			       (relative), so a prune can stat it */
	struct pv_cpu_hwm hwm;
};
static struct pv_cstate pv_state[PV_STATE_SLOTS];
static __u64 pv_state_clock;
static pthread_mutex_t pv_state_lock = PTHREAD_MUTEX_INITIALIZER;

static void pv_cstate_clear(struct pv_cstate *cs)
{
	pv_cpu_hwm_free(&cs->hwm);
	free(cs->dir);
	memset(cs, 0, sizeof(*cs));
}

/* @cgid's slot; a new one remembers @dir (NULL when out of memory). */
static struct pv_cstate *pv_state_get(__u64 cgid, const char *dir)
{
	struct pv_cstate *lru = &pv_state[0];

	for (int i = 0; i < PV_STATE_SLOTS; i++) {
		if (pv_state[i].cgid == cgid) {
			pv_state[i].last_use = ++pv_state_clock;
			return &pv_state[i];
		}
		if (pv_state[i].last_use < lru->last_use)
			lru = &pv_state[i];
	}
	pv_cstate_clear(lru);
	lru->cgid = cgid;
	lru->dir = strdup(dir);
	lru->last_use = ++pv_state_clock;
	return lru;
}

/* For the stats line: the number of slots in use, their ids into @out. */
size_t pv_stat_state_cgids(__u64 *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&pv_state_lock);
	for (int i = 0; i < PV_STATE_SLOTS; i++)
		if (pv_state[i].cgid && n++ < max)
			out[n - 1] = pv_state[i].cgid;
	pthread_mutex_unlock(&pv_state_lock);
	return n;
}

/* Container directory in the CPU-accounting hierarchy (or unified). */
static int pv_cpu_hier(const struct pv_env *env)
{
	return env->cg.cpu_acct >= 0 ? env->cg.cpu_acct : env->cg.unified;
}

/*
 * A slot whose directory is gone, or is another cgroup now (its inode is
 * the id), belongs to a removed cgroup: one stat per slot, taken outside
 * the lock so readers are not held up, then the slot (and what the daemon
 * wrote to the pinned maps for it, in case a read raced the rmdir
 * program) is dropped.
 */
size_t pv_stat_state_prune(const struct pv_env *env, int *ret_err)
{
	struct { __u64 cgid; char *dir; } *list;
	int idx = pv_cpu_hier(env);
	size_t n = 0, dropped = 0;

	*ret_err = 0;
	if (idx < 0 || idx >= env->cg.n)
		return 0;
	list = calloc(PV_STATE_SLOTS, sizeof(*list));
	if (!list) {
		*ret_err = -ENOMEM;
		return 0;
	}
	pthread_mutex_lock(&pv_state_lock);
	for (int i = 0; i < PV_STATE_SLOTS; i++)
		if (pv_state[i].cgid && pv_state[i].dir &&
		    (list[n].dir = strdup(pv_state[i].dir)))
			list[n++].cgid = pv_state[i].cgid;
	pthread_mutex_unlock(&pv_state_lock);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (!fstatat(env->cg.h[idx].dirfd, list[i].dir, &st, AT_SYMLINK_NOFOLLOW)) {
			if ((__u64)st.st_ino == list[i].cgid)
				continue;
		} else if (errno != ENOENT) {
			continue;   /* cannot tell: keep it */
		}
		pthread_mutex_lock(&pv_state_lock);
		for (int j = 0; j < PV_STATE_SLOTS; j++)
			if (pv_state[j].cgid == list[i].cgid)
				pv_cstate_clear(&pv_state[j]);
		pthread_mutex_unlock(&pv_state_lock);
		if (env->bpf)
			pv_bpf_forget(env->bpf, list[i].cgid);
		dropped++;
	}
	for (size_t i = 0; i < n; i++)
		free(list[i].dir);
	free(list);
	return dropped;
}

static __u64 pv_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}


static int pv_open_cgdir(const struct pv_env *env, int idx, const struct pv_container *c)
{
	const char *rel = c->path[idx];

	while (*rel == '/')
		rel++;
	return openat(env->cg.h[idx].dirfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * Visit @dfd and every cgroup below it (pre-order); @fn gets each
 * directory's fd and inode (= cgroup id). Cost: the container's cgroups.
 */
typedef int (*pv_cg_visit_fn)(int dfd, __u64 ino, void *arg);
static int pv_cg_walk(int dfd, int depth, pv_cg_visit_fn fn, void *arg)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, err;

	if (depth > 64)
		return -ELOOP;
	if (fstat(dfd, &st))
		return -errno;
	err = fn(dfd, (__u64)st.st_ino, arg);
	if (err)
		return err;
	/* A cgroup directory's link count is 2 + its child cgroups (kernfs,
	 * like ext4 and tmpfs): a leaf, the usual container, needs no
	 * opendir/getdents round. Other counts (1 on some filesystems) mean
	 * "unknown": read the directory. */
	if (st.st_nlink == 2)
		return 0;
	fd = dup(dfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile: folded into its parent */
		err = pv_cg_walk(sub, depth + 1, fn, arg);
		close(sub);
		if (err)
			break;
	}
	closedir(d);
	return err;
}

struct pv_bpf_sum {
	struct pv_bpf *b;
	struct pv_cpu_stat *acc;
};

static int pv_visit_bpf(int dfd, __u64 ino, void *arg)
{
	struct pv_bpf_sum *s = arg;

	return pv_bpf_cpu_add(s->b, ino, s->acc);
}

struct pv_start_min {
	const char *proc;
	__u64 min_ticks;
};

static int pv_pid_start_ticks(const char *proc, long pid, __u64 *ret)
{
	char path[64], st[1024];

	snprintf(path, sizeof(path), "%s/%ld/stat", proc, pid);
	if (pv_read_file_at(AT_FDCWD, path, st, sizeof(st)) < 0)
		return -ENOENT;
	return pv_parse_pid_starttime(st, ret);
}

static int pv_visit_start(int dfd, __u64 ino, void *arg)
{
	struct pv_start_min *m = arg;
	struct buf ids = BUF_INIT;
	int err = pv_read_file_buf(dfd, "cgroup.procs", &ids);

	for (char *p = ids.data, *next; !err && p && *p; p = next) {
		long pid = strtol(p, &next, 10);
		__u64 t;

		if (next == p)
			break;
		while (*next == '\n')
			next++;
		if (!pv_pid_start_ticks(m->proc, pid, &t) && t < m->min_ticks)
			m->min_ticks = t;
	}
	buf_free(&ids);
	return err == -ENOENT ? 0 : err;
}

/*
 * Start of a cgroup created before our cgroup_mkdir program ran: the
 * earliest start time of its processes (nested cgroups included), else
 * of the pid-namespace init. Never 0.
 */
static __u64 pv_estimate_start(const struct pv_env *env, const struct pv_container *c, int cgfd)
{
	struct pv_start_min m = { env->proc, (__u64)-1 };
	long hz = sysconf(_SC_CLK_TCK);
	__u64 t;

	if (hz <= 0)
		hz = 100;
	pv_cg_walk(cgfd, 0, pv_visit_start, &m);
	if (m.min_ticks == (__u64)-1 && c->init_pid > 0 &&
	    !pv_pid_start_ticks(env->proc, c->init_pid, &t))
		m.min_ticks = t;
	if (m.min_ticks == (__u64)-1)
		return pv_clock_ns(CLOCK_BOOTTIME); /* nothing known: age 0 from now */
	t = m.min_ticks * (1000000000ULL / (__u64)hz);
	return t ? t : 1;
}

/* Degraded: the cgroup's own user/system totals from its files, in ns. */
static int pv_files_usage(const struct pv_env *env, const struct pv_container *c,
			  __u64 *user_ns, __u64 *sys_ns)
{
	char text[4096];
	int idx = env->cg.by_ctrl[PV_CTRL_CPUACCT], fd, err;
	__u64 u, s;

	if (idx >= 0 && !env->cg.h[idx].v2) {
		fd = pv_open_cgdir(env, idx, c);
		if (fd < 0)
			return -errno;
		err = (int)pv_read_file_at(fd, "cpuacct.stat", text, sizeof(text));
		close(fd);
		if (err < 0)
			return err;
		err = pv_parse_keyed_u64(text, "user", &u);
		if (!err)
			err = pv_parse_keyed_u64(text, "system", &s);
		if (err)
			return err;
		*user_ns = u * PV_NS_PER_TICK; /* cpuacct.stat is in USER_HZ */
		*sys_ns = s * PV_NS_PER_TICK;
		return 0;
	}
	idx = env->cg.unified;
	if (idx < 0)
		return -ENOTSUP;
	fd = pv_open_cgdir(env, idx, c);
	if (fd < 0)
		return -errno;
	err = (int)pv_read_file_at(fd, "cpu.stat", text, sizeof(text));
	close(fd);
	if (err < 0)
		return err;
	err = pv_parse_keyed_u64(text, "user_usec", &u);
	if (!err)
		err = pv_parse_keyed_u64(text, "system_usec", &s);
	if (err)
		return err;
	*user_ns = u * 1000;
	*sys_ns = s * 1000;
	return 0;
}

/*
 * The reader is a task of the container, but while procviewd renders for it
 * it sleeps in the FUSE request (S, or D once a signal is pending). The
 * kernel's own /proc/stat counts its reader as running, so do the same.
 */
static void pv_count_reader(const struct pv_env *env, const struct pv_container *c,
			    struct pv_task_counts *tc)
{
	char path[64], st[1024], state;

	if (c->reader_pid <= 0)
		return;
	snprintf(path, sizeof(path), "%s/%d/stat", env->proc, (int)c->reader_pid);
	if (pv_read_whole_at(AT_FDCWD, path, st, sizeof(st)) < 0 || pv_parse_pid_state(st, &state))
		return;
	if (state == 'R')
		return;
	if (state == 'D' && tc->blocked)
		tc->blocked--;
	tc->running++;
}

static int pv_log_dropped_once, pv_log_hwm_once, pv_log_iter_once;

/*
 * procs_running/blocked now: the BPF task iterator, else (degraded, more
 * busy cgroups than one iterator read holds, or the iterator failed) the
 * cgroups' thread lists and /proc/<tid>/stat under env->proc.
 */
static int pv_count_tasks(const struct pv_env *env, const struct pv_container *c,
			  int cgfd, struct pv_task_counts *tc)
{
	int err;

	if (env->bpf) {
		err = pv_bpf_task_counts(env->bpf, &env->cg, c, cgfd, tc);
		if (!err)
			return 0;
		/* E2BIG is a size matter, expected for big containers. */
		if (err != -E2BIG && !__atomic_exchange_n(&pv_log_iter_once, 1, __ATOMIC_RELAXED))
			pv_warn("bpf: task-count iterator failed (%s); counting tasks from the "
				"cgroup files instead", strerror(-err));
	}
	return pv_task_counts_files(env->proc, &env->cg, c, tc);
}

/* Protected by pv_state_lock. */
static struct {
	int ncols, intr, softirq;
	char proc[256];
} pv_shape;

/*
 * Fill @v for container @c, or, when @u is not NULL, what /proc/uptime
 * needs (then v's task counts are left 0). The caller frees v->vcpu with
 * pv_cpu_view_free().
 */
static int pv_collect(const struct pv_env *env, const struct pv_container *c,
		      struct cpu_view *v, struct uptime_view *u)
{
	struct pv_cpu_raw raw = { 0 };
	struct pv_cpus *cpus = NULL;
	struct pv_task_counts tc = { 0 };
	struct pv_cstate *cs;
	struct buf host = BUF_INIT;
	char path[PATH_MAX];
	int idx = pv_cpu_hier(env), cgfd = -1, err = 0;

	memset(v, 0, sizeof(*v));
	if (idx < 0)
		return -ENOTSUP;
	/*
	 * The host file's shape (cpu columns, number of IRQs and softirqs) is
	 * fixed at boot; reading the host /proc/stat costs more than all the
	 * rest of a container's rendering, so it is read once.
	 */
	pthread_mutex_lock(&pv_state_lock);
	if (!pv_shape.ncols || strcmp(pv_shape.proc, env->proc)) {
		snprintf(path, sizeof(path), "%s/stat", env->proc);
		err = pv_read_file_buf(AT_FDCWD, path, &host);
		if (!err)
			err = pv_host_stat_shape(host.data, &pv_shape.ncols, &pv_shape.intr,
						 &pv_shape.softirq);
		buf_free(&host);
		if (!err)
			snprintf(pv_shape.proc, sizeof(pv_shape.proc), "%s", env->proc);
		else
			pv_shape.ncols = 0;
	}
	v->ncols = pv_shape.ncols;
	v->intr_fields = pv_shape.intr;
	v->softirq_fields = pv_shape.softirq;
	pthread_mutex_unlock(&pv_state_lock);
	if (err)
		return err;
	cpus = malloc(sizeof(*cpus));
	if (!cpus)
		return -ENOMEM;
	err = pv_container_cpus(&env->cg, c, env->cpu_quota_view, env->host_ncpus, cpus);
	if (err)
		goto out;
	cgfd = pv_open_cgdir(env, idx, c);
	if (cgfd < 0) {
		err = -errno;
		goto out;
	}
	raw.ncpus = env->bpf ? pv_bpf_ncpus(env->bpf) : 1;
	raw.percpu = calloc((size_t)raw.ncpus, sizeof(*raw.percpu));
	if (!raw.percpu) {
		err = -ENOMEM;
		goto out;
	}
	if (env->bpf) {
		struct pv_bpf_sum s = { env->bpf, raw.percpu };

		err = pv_cg_walk(cgfd, 0, pv_visit_bpf, &s);
		if (err)
			goto out;
		/*
		 * The clocks go with the counters just read: time that passes
		 * later (task iterator, start and marks look-ups) holds CPU
		 * use the counters miss, and would show as idle for good.
		 */
		raw.now_boot_ns = pv_clock_ns(CLOCK_BOOTTIME);
		raw.now_real_ns = pv_clock_ns(CLOCK_REALTIME);
		if (!pv_log_dropped_once && pv_bpf_dropped(env->bpf)) {
			/* Once per daemon: a full map is an operator matter. */
			pv_log_dropped_once = 1;
			pv_warn("bpf: a map reached %d entries; some cgroups are not counted",
				PV_MAX_CGROUPS);
		}
	} else {
		err = pv_files_usage(env, c, &raw.percpu[0].user_ns, &raw.percpu[0].system_ns);
		if (err)
			goto out;
		raw.now_boot_ns = pv_clock_ns(CLOCK_BOOTTIME);
		raw.now_real_ns = pv_clock_ns(CLOCK_REALTIME);
		/* No per-CPU figures: share the totals over the vCPUs. */
		for (int i = 0; i < cpus->n; i++)
			cpus->phys[i] = -1;
	}
	/* /proc/uptime needs no task counts: skip the walk over the tasks. */
	if (!u) {
		/* cgfd is the iterator's directory when it is the CPU-accounting one. */
		err = pv_count_tasks(env, c, idx == env->cg.cpu_acct ? cgfd : -1, &tc);
		if (err)
			goto out;
		pv_count_reader(env, c, &tc);
		v->procs_running = tc.running;
		v->procs_blocked = tc.blocked;
	}

	pthread_mutex_lock(&pv_state_lock);
	{
		const char *dir = c->path[idx];

		while (*dir == '/')
			dir++;
		cs = pv_state_get(c->cpu_cgid, *dir ? dir : ".");
	}
	if (env->bpf) {
		struct pv_cg_start st;

		if (!pv_bpf_start_get(env->bpf, c->cpu_cgid, &st)) {
			raw.start_boot_ns = st.boot_ns;
		} else {
			raw.start_boot_ns = pv_estimate_start(env, c, cgfd);
			/* Pinned, so a restarted daemon keeps the same start. */
			pv_bpf_start_set(env->bpf, c->cpu_cgid, raw.start_boot_ns);
			if (!pv_bpf_start_get(env->bpf, c->cpu_cgid, &st))
				raw.start_boot_ns = st.boot_ns;
		}
	} else {
		if (!cs->start_ns)
			cs->start_ns = pv_estimate_start(env, c, cgfd);
		raw.start_boot_ns = cs->start_ns;
	}
	/*
	 * High-water marks live in a pinned map so a restarted daemon starts
	 * from what its predecessor showed; memory is the cache of it.
	 */
	if (env->bpf && cs->hwm.n != cpus->n)
		pv_bpf_hwm_load(env->bpf, c->cpu_cgid, cpus->n, &cs->hwm);
	err = pv_cpu_view_build(&raw, cpus, &cs->hwm, v);
	if (!err && env->bpf && pv_bpf_hwm_store(env->bpf, c->cpu_cgid, &cs->hwm) &&
	    !pv_log_hwm_once) {
		pv_log_hwm_once = 1;
		pv_warn("bpf: cannot store high-water marks in %s/pv_hwm: "
			"a restart may show smaller idle", env->pin_dir ? env->pin_dir : "");
	}
	/*
	 * Removed while we rendered? The rmdir program may have run before
	 * our writes: undo them so a removed cgroup leaves no residue, and
	 * free its slot. (A removed cgroup directory has no files left.)
	 */
	if (faccessat(cgfd, "cgroup.procs", F_OK, 0) && errno == ENOENT) {
		if (env->bpf)
			pv_bpf_forget(env->bpf, c->cpu_cgid);
		pv_cstate_clear(cs);
	}
	pthread_mutex_unlock(&pv_state_lock);
	if (!err && u)
		pv_uptime_from_view(v, &raw, u);
out:
	if (cgfd >= 0)
		close(cgfd);
	free(raw.percpu);
	free(cpus);
	if (err)
		pv_cpu_view_free(v);
	return err;
}

int pv_produce_stat(const struct pv_env *env, const struct pv_container *c, struct buf *out)
{
	struct cpu_view v;
	int err;

	if (c->host)
		return pv_produce_host_file(env, "stat", out);
	err = pv_collect(env, c, &v, NULL);
	if (err)
		return err;
	err = render_stat(&v, out);
	pv_cpu_view_free(&v);
	return err;
}

int pv_produce_uptime(const struct pv_env *env, const struct pv_container *c, struct buf *out)
{
	struct uptime_view u;
	struct cpu_view v;
	int err;

	if (c->host)
		return pv_produce_host_file(env, "uptime", out);
	err = pv_collect(env, c, &v, &u);
	if (err)
		return err;
	err = render_uptime(&u, out);
	pv_cpu_view_free(&v);
	return err;
}
