// SPDX-License-Identifier: GPL-2.0-only
/*
 * The loadavg sampler: loads bpf/loadavg.bpf.c, pins its state and runs one
 * counting pass every 5 s from a timerfd-driven thread.
 *
 * Why the update runs in BPF: a pass must cost the same for 10 or 1000
 * containers from the daemon's side. The task iterator counts all
 * containers in one walk and the cgroup iterator applies calc_load to every
 * cgroup in a second walk, both inside one read(2) each; the daemon's work
 * per pass is a handful of syscalls plus a batched sweep of stale entries.
 *
 * Sample timing: sample k happens at last_sample_ns + k*5s (CLOCK_MONOTONIC).
 * last_sample_ns lives in the pinned loadavg_meta map, so a restarted daemon
 * continues the same 5-s grid: samples it missed while down are applied at
 * once with the current counts (the kernel's own catch-up after missed
 * ticks, calc_load_n). Samples are numbered (meta.samples); each state entry
 * records the last one folded in and a pass brings entries up to a target
 * number, so a pass whose meta update was lost (daemon killed in between)
 * and is redone after a restart applies nothing twice.
 *
 * CLOCK_MONOTONIC, not BOOTTIME: the kernel's loadavg runs on jiffies, which
 * stand still while the machine is suspended; a BOOTTIME grid would apply
 * the suspended hours as catch-up samples on resume and move the averages
 * where the host's do not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "calc_load.h"
#include "loadavg.skel.h"
#include "loadavg.h"
#include "loadavg_files.h"
#include "log.h"

#define NSEC_PER_SEC 1000000000ULL
#define PERIOD_NS ((__u64)PV_LOAD_FREQ_SEC * NSEC_PER_SEC)
#define SWEEP_CHUNK 256
#define SWEEP_MAX_VALUE 56  /* largest value of a swept map */
#define SWEEP_EVERY 12    /* passes between sweeps of counts and last pids */

struct pv_loadavg {
	struct pv_loadavg_files *files; /* set: the file sampler, nothing below */
	struct loadavg_bpf *skel;
	struct bpf_link *fork_link;
	struct bpf_link *task_iter;
	struct bpf_link *cgroup_iter;
	int state_fd, meta_fd, counts_fd, lastpid_fd; /* owned by skel */
	int timer_fd;
	int stop_fd;              /* eventfd: stop request */
	pthread_t thread;
	int thread_running;
	__u64 last_sample_ns;     /* sampler thread only (after start) */
	__u64 samples;            /* sampler thread only */
	atomic_ullong passes;
};

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + (__u64)ts.tv_nsec;
}

/* Run an iterator to completion; its programs write no output. */
static int run_iter(struct bpf_link *link, const char *what)
{
	char sink[256];
	ssize_t n;
	int fd = bpf_iter_create(bpf_link__fd(link));

	if (fd < 0) {
		int err = -errno;

		pv_warn("loadavg: bpf_iter_create(%s): %s", what, strerror(-err));
		return err;
	}
	do
		n = read(fd, sink, sizeof(sink));
	while (n > 0 || (n < 0 && errno == EINTR));
	if (n < 0) {
		int err = -errno;

		pv_warn("loadavg: read %s iterator: %s", what, strerror(-err));
		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/*
 * Delete the entries of hash map @fd whose generation (a __u64 at
 * @gen_off in the value) is older than @cur. Batched lookups: a few
 * syscalls per pass for 1000 containers, plus one delete per stale entry.
 */
static int sweep(int fd, size_t key_size, size_t value_size, size_t gen_off,
		 __u64 cur, const char *what)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	unsigned char keys[SWEEP_CHUNK * 8];
	unsigned char vals[SWEEP_CHUNK * SWEEP_MAX_VALUE];
	unsigned char stale[SWEEP_CHUNK * 8];
	__u64 in_batch = 0, out_batch = 0;
	int first = 1, err = 0, done = 0, deleted = 0;
	unsigned char *stale_all = NULL;
	size_t nstale = 0, cap = 0;

	if (key_size > 8 || value_size > SWEEP_MAX_VALUE)
		return -EINVAL;
	while (!done) {
		__u32 count = SWEEP_CHUNK, i, ns = 0;
		int r = bpf_map_lookup_batch(fd, first ? NULL : &in_batch,
					     &out_batch, keys, vals, &count, &opts);

		if (r < 0) {
			if (errno != ENOENT) {
				err = -errno;
				pv_warn("loadavg: sweep %s: lookup batch: %s", what, strerror(errno));
				break;
			}
			done = 1; /* last chunk (count may still be > 0) */
		}
		first = 0;
		in_batch = out_batch;
		for (i = 0; i < count; i++) {
			__u64 gen;

			memcpy(&gen, vals + i * value_size + gen_off, sizeof(gen));
			if (gen < cur)
				memcpy(stale + ns++ * key_size, keys + i * key_size, key_size);
		}
		/* Delete after the walk: deleting under a batch cursor could
		 * make the walk skip entries. */
		if (ns) {
			if (nstale + ns > cap) {
				size_t ncap = (nstale + ns) * 2;
				unsigned char *p = realloc(stale_all, ncap * key_size);

				if (!p) {
					err = -ENOMEM;
					break;
				}
				stale_all = p;
				cap = ncap;
			}
			memcpy(stale_all + nstale * key_size, stale, ns * key_size);
			nstale += ns;
		}
	}
	for (size_t i = 0; i < nstale; i++)
		if (bpf_map_delete_elem(fd, stale_all + i * key_size) == 0)
			deleted++;
	free(stale_all);
	if (deleted)
		pv_debug("loadavg: sweep %s: %d stale entries deleted", what, deleted);
	return err;
}

static int meta_write(struct pv_loadavg *l)
{
	struct pv_load_meta m = {
		.layout = PV_LOADAVG_LAYOUT,
		.last_sample_ns = l->last_sample_ns,
		.samples = l->samples,
	};
	__u32 k = 0;

	if (bpf_map_update_elem(l->meta_fd, &k, &m, BPF_ANY) < 0) {
		int err = -errno;

		pv_warn("loadavg: write meta: %s", strerror(-err));
		return err;
	}
	return 0;
}

static __u64 thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + (__u64)ts.tv_nsec;
}

/*
 * One pass: count every container's tasks, bring every existing cgroup's
 * averages up to sample @target (@nticks of them new with this pass: what a
 * cgroup seen for the first time takes), drop state of cgroups that are gone.
 */
static int loadavg_pass(struct pv_loadavg *l, __u64 target, __u64 nticks)
{
	__u64 gen = monotonic_ns(), c0 = thread_cpu_ns(), c1, c2;
	int err;

	/* Generations must grow even if two passes share a ns reading. */
	if (gen <= l->skel->bss->cur_gen)
		gen = l->skel->bss->cur_gen + 1;
	l->skel->bss->cur_gen = gen;
	l->skel->bss->target = target;
	l->skel->bss->ticks = nticks > PV_LOADAVG_MAX_CATCHUP ? PV_LOADAVG_MAX_CATCHUP
							    : (__u32)nticks;

	err = run_iter(l->task_iter, "task");
	if (err)
		return err;
	c1 = thread_cpu_ns();
	err = run_iter(l->cgroup_iter, "cgroup");
	if (err)
		return err;
	c2 = thread_cpu_ns();
	sweep(l->state_fd, sizeof(__u64), sizeof(struct pv_load_state),
	      offsetof(struct pv_load_state, gen), gen, "state");
	/* The cgroup iterator consumes the counts and removed pid namespaces
	 * only cost memory: sweep those once a minute, not every pass. */
	if (atomic_load(&l->passes) % SWEEP_EVERY == 0) {
		sweep(l->counts_fd, sizeof(__u64), sizeof(struct pv_load_count),
		      offsetof(struct pv_load_count, gen), gen, "counts");
		sweep(l->lastpid_fd, sizeof(__u32), sizeof(struct pv_lastpid),
		      offsetof(struct pv_lastpid, gen), gen, "lastpid");
	}
	atomic_fetch_add(&l->passes, 1);
	pv_debug("loadavg: pass %llu tick(s): cpu %llu us (tasks %llu, cgroups %llu, sweep %llu)",
		 (unsigned long long)nticks, (unsigned long long)(thread_cpu_ns() - c0) / 1000,
		 (unsigned long long)(c1 - c0) / 1000, (unsigned long long)(c2 - c1) / 1000,
		 (unsigned long long)(thread_cpu_ns() - c2) / 1000);
	return 0;
}

/* Apply the samples due at @now on the 5-s grid; 0 when none is due. */
static int loadavg_tick(struct pv_loadavg *l, __u64 now)
{
	__u64 k;
	int err;

	if (now < l->last_sample_ns + PERIOD_NS)
		return 0;
	k = (now - l->last_sample_ns) / PERIOD_NS;
	err = loadavg_pass(l, l->samples + k, k);
	if (err)
		return err;
	/* Killed here, the next daemon redoes this pass: the entries already
	 * at sample samples+k take nothing more from it. */
	l->last_sample_ns += k * PERIOD_NS;
	l->samples += k;
	return meta_write(l);
}

static int timer_arm(struct pv_loadavg *l)
{
	__u64 next = l->last_sample_ns + PERIOD_NS;
	struct itimerspec its = {
		.it_value = { .tv_sec = next / NSEC_PER_SEC, .tv_nsec = next % NSEC_PER_SEC },
		.it_interval = { .tv_sec = PV_LOAD_FREQ_SEC },
	};

	if (timerfd_settime(l->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		int err = -errno;

		pv_err("loadavg: timerfd_settime: %s", strerror(-err));
		return err;
	}
	return 0;
}

static void *sampler_main(void *arg)
{
	struct pv_loadavg *l = arg;
	struct pollfd pfd[2] = {
		{ .fd = l->timer_fd, .events = POLLIN },
		{ .fd = l->stop_fd, .events = POLLIN },
	};

	for (;;) {
		__u64 expirations;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pv_err("loadavg: poll: %s; sampler stops", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (read(l->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
			pv_warn("loadavg: read timerfd: %s", strerror(errno));
		/* The grid, not the expiration count, says what is due: a
		 * late wakeup applies every sample it covers exactly once. */
		loadavg_tick(l, monotonic_ns());
	}
	return NULL;
}

/* Delete every entry of the state map (a reset of the pinned state). */
static int state_clear(int fd)
{
	__u64 key;

	/* Always restart from the first key: deleting the current key would
	 * make get_next_key start over anyway. */
	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key) < 0 && errno != ENOENT)
			return -errno;
	return errno == ENOENT ? 0 : -errno;
}

static int ensure_pin_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int open_skel(const struct pv_env *env, const char *pin_state,
		     const char *pin_meta, struct loadavg_bpf **ret)
{
	const struct pv_hier *h;
	struct loadavg_bpf *skel;
	int err;

	if (env->cg.cpu_acct < 0 || env->cg.cpu_acct >= env->cg.n)
		return -ENOENT;
	h = &env->cg.h[env->cg.cpu_acct];
	skel = loadavg_bpf__open();
	if (!skel)
		return errno ? -errno : -EINVAL;
	skel->rodata->use_v2 = h->v2;
	skel->rodata->use_cpuacct = !h->v2 && (h->ctrl_mask & (1u << PV_CTRL_CPUACCT));
	if (pin_state) {
		err = bpf_map__set_pin_path(skel->maps.loadavg_state, pin_state);
		if (!err)
			err = bpf_map__set_pin_path(skel->maps.loadavg_meta, pin_meta);
		if (err) {
			loadavg_bpf__destroy(skel);
			return err;
		}
	}
	err = loadavg_bpf__load(skel);
	if (err) {
		loadavg_bpf__destroy(skel);
		return err;
	}
	*ret = skel;
	return 0;
}

static int attach_all(struct pv_loadavg *l, const struct pv_env *env)
{
	const struct pv_hier *h = &env->cg.h[env->cg.cpu_acct];
	union bpf_iter_link_info linfo = {};
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	int root_fd, err;

	l->fork_link = bpf_program__attach(l->skel->progs.on_fork);
	if (!l->fork_link) {
		err = -errno;
		pv_warn("loadavg: attach sched_process_fork: %s", strerror(-err));
		return err;
	}
	l->task_iter = bpf_program__attach_iter(l->skel->progs.count_tasks, NULL);
	if (!l->task_iter) {
		err = -errno;
		pv_warn("loadavg: attach task iterator: %s", strerror(-err));
		return err;
	}
	root_fd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		err = -errno;
		pv_warn("loadavg: open cgroup root %s: %s", h->mount, strerror(-err));
		return err;
	}
	linfo.cgroup.cgroup_fd = root_fd;
	linfo.cgroup.order = BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	l->cgroup_iter = bpf_program__attach_iter(l->skel->progs.apply_load, &opts);
	err = l->cgroup_iter ? 0 : -errno;
	close(root_fd); /* the link holds the cgroup */
	if (err)
		pv_warn("loadavg: attach cgroup iterator on %s: %s", h->mount, strerror(-err));
	return err;
}

static void loadavg_free(struct pv_loadavg *l)
{
	if (!l)
		return;
	pv_loadavg_files_stop(l->files);
	bpf_link__destroy(l->cgroup_iter);
	bpf_link__destroy(l->task_iter);
	bpf_link__destroy(l->fork_link);
	loadavg_bpf__destroy(l->skel);
	if (l->timer_fd >= 0)
		close(l->timer_fd);
	if (l->stop_fd >= 0)
		close(l->stop_fd);
	free(l);
}

static int start_bpf(const struct pv_env *env, struct pv_loadavg **ret)
{
	char pin_state[PATH_MAX], pin_meta[PATH_MAX];
	struct pv_load_meta meta = {};
	const char *pins = NULL;
	struct pv_loadavg *l;
	__u32 k = 0;
	__u64 now;
	int err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->timer_fd = l->stop_fd = -1;

	if (env->pin_dir) {
		err = ensure_pin_dir(env->pin_dir);
		if (err)
			pv_warn("loadavg: pin dir %s: %s; averages will not survive a restart",
				env->pin_dir, strerror(-err));
		else
			pins = env->pin_dir;
	}
	if (pins) {
		snprintf(pin_state, sizeof(pin_state), "%s/%s", pins, PV_LOADAVG_PIN_STATE);
		snprintf(pin_meta, sizeof(pin_meta), "%s/%s", pins, PV_LOADAVG_PIN_META);
	}
	err = open_skel(env, pins ? pin_state : NULL, pin_meta, &l->skel);
	if (err && pins) {
		/* Most likely pins of an incompatible layout: replace them. */
		pv_warn("loadavg: load with pins in %s failed (%s); recreating them",
			pins, strerror(-err));
		unlink(pin_state);
		unlink(pin_meta);
		err = open_skel(env, pin_state, pin_meta, &l->skel);
	}
	if (err) {
		pv_warn("loadavg: load bpf/loadavg.bpf.o: %s", strerror(-err));
		goto fail;
	}
	l->state_fd = bpf_map__fd(l->skel->maps.loadavg_state);
	l->meta_fd = bpf_map__fd(l->skel->maps.loadavg_meta);
	l->counts_fd = bpf_map__fd(l->skel->maps.loadavg_counts);
	l->lastpid_fd = bpf_map__fd(l->skel->maps.loadavg_lastpid);

	if (bpf_map_lookup_elem(l->meta_fd, &k, &meta) < 0) {
		err = -errno;
		pv_warn("loadavg: read meta: %s", strerror(-err));
		goto fail;
	}
	now = monotonic_ns();
	if (meta.layout != PV_LOADAVG_LAYOUT || meta.last_sample_ns > now) {
		if (meta.layout)
			pv_warn("loadavg: pinned state has layout %llu, want %d: reset",
				(unsigned long long)meta.layout, PV_LOADAVG_LAYOUT);
		/* Entries of existing cgroups would survive the first pass's
		 * sweep and be read with the new meaning: start empty. */
		memset(&meta, 0, sizeof(meta));
		err = state_clear(l->state_fd);
		if (err) {
			pv_warn("loadavg: clear pinned state: %s", strerror(-err));
			goto fail;
		}
	}

	err = attach_all(l, env);
	if (err)
		goto fail;
	l->timer_fd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	l->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->timer_fd < 0 || l->stop_fd < 0) {
		err = -errno;
		pv_err("loadavg: timerfd/eventfd: %s", strerror(-err));
		goto fail;
	}

	l->samples = meta.samples;
	if (!meta.last_sample_ns) {
		/* Fresh state: count now (no sample yet), start the grid. */
		l->last_sample_ns = now;
		err = loadavg_pass(l, 0, 0);
		if (!err)
			err = meta_write(l);
	} else {
		/* Continue the pinned grid: refresh counts and last pids (also
		 * forks missed while no daemon ran), apply missed samples. */
		__u64 due = (now - meta.last_sample_ns) / PERIOD_NS;

		l->last_sample_ns = meta.last_sample_ns + due * PERIOD_NS;
		l->samples += due;
		err = loadavg_pass(l, l->samples, due);
		if (!err)
			err = meta_write(l);
		if (due)
			pv_info("loadavg: applied %llu sample(s) missed while stopped",
				(unsigned long long)due);
	}
	if (err)
		goto fail;
	err = timer_arm(l);
	if (err)
		goto fail;
	err = -pthread_create(&l->thread, NULL, sampler_main, l);
	if (err) {
		pv_err("loadavg: start sampler thread: %s", strerror(-err));
		goto fail;
	}
	l->thread_running = 1;
	*ret = l;
	return 0;
fail:
	loadavg_free(l);
	return err;
}

static int start_files(const struct pv_env *env, struct pv_loadavg **ret)
{
	struct pv_loadavg *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	l->timer_fd = l->stop_fd = -1;
	err = pv_loadavg_files_start(env, &l->files);
	if (err) {
		free(l);
		return err;
	}
	*ret = l;
	return 0;
}

int pv_loadavg_start(const struct pv_env *env, int use_bpf, struct pv_loadavg **ret)
{
	int err;

	if (use_bpf) {
		err = start_bpf(env, ret);
		if (!err)
			return 0;
		pv_warn("loadavg: BPF sampler unavailable (%s): counting tasks through "
			"cgroup files for the containers that read /proc/loadavg",
			strerror(-err));
	}
	return start_files(env, ret);
}

int pv_loadavg_is_bpf(const struct pv_loadavg *l)
{
	return l && !l->files;
}

void pv_loadavg_track(struct pv_loadavg *l, const struct pv_container *c)
{
	if (l && l->files)
		pv_loadavg_files_track(l->files, c);
}

void pv_loadavg_stop(struct pv_loadavg *l)
{
	__u64 one = 1;

	if (!l)
		return;
	if (l->thread_running) {
		if (write(l->stop_fd, &one, sizeof(one)) < 0)
			pv_warn("loadavg: signal sampler stop: %s", strerror(errno));
		pthread_join(l->thread, NULL);
	}
	loadavg_free(l);
}

int pv_loadavg_lookup(struct pv_loadavg *l, __u64 cgid, struct pv_load_state *ret)
{
	struct pv_load_state s;

	if (!l)
		return -ENODEV;
	if (l->files)
		return pv_loadavg_files_lookup(l->files, cgid, ret);
	if (bpf_map_lookup_elem(l->state_fd, &cgid, &s) < 0)
		return -errno;
	*ret = s;
	return 0;
}

int pv_loadavg_lastpid(struct pv_loadavg *l, __u32 pidns_inum, int *ret)
{
	struct pv_lastpid v;

	if (!l || l->files)
		return -ENODEV;
	if (bpf_map_lookup_elem(l->lastpid_fd, &pidns_inum, &v) < 0)
		return -errno;
	*ret = v.last_pid;
	return 0;
}

__u64 pv_loadavg_passes(struct pv_loadavg *l)
{
	if (l && l->files)
		return pv_loadavg_files_passes(l->files);
	return l ? atomic_load(&l->passes) : 0;
}
