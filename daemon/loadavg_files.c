// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file-based loadavg sampler (see loadavg_files.h): a table of the
 * containers read so far, a thread that wakes every 5 s on a timerfd and
 * folds each container's active count (R + D tasks, nested cgroups
 * included) into its averages with calc_load. Wakeups it missed (the
 * timerfd's expiration count) are applied at once, as the kernel catches
 * up after missed ticks.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "calc_load.h"
#include "loadavg.h"
#include "loadavg_files.h"
#include "log.h"

/* A bound on memory and on the per-pass cost; past it a container reads 0. */
#define FILES_MAX_CONTAINERS 4096

struct files_entry {
	__u64 cgid;
	char *path;            /* in the CPU-accounting hierarchy */
	struct pv_load_state s;
	int sampled;           /* s holds at least one sample */
};

struct pv_loadavg_files {
	const struct pv_env *env;
	pthread_mutex_t lock;      /* protects n, cap, e[] */
	struct files_entry *e;
	size_t n, cap;
	int timer_fd, stop_fd;
	pthread_t thread;
	int thread_running;
	int full_logged;           /* sampler thread and trackers: log once */
	atomic_ullong passes;
};

/* Index of @cgid in f->e, or -1. Caller holds f->lock. */
static ssize_t find(const struct pv_loadavg_files *f, __u64 cgid)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->e[i].cgid == cgid)
			return (ssize_t)i;
	return -1;
}

void pv_loadavg_files_track(struct pv_loadavg_files *f, const struct pv_container *c)
{
	const char *path;

	if (!f || f->env->cg.cpu_acct < 0)
		return;
	path = c->path[f->env->cg.cpu_acct];
	pthread_mutex_lock(&f->lock);
	if (find(f, c->cpu_cgid) >= 0)
		goto out;
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;
		struct files_entry *p;

		if (ncap > FILES_MAX_CONTAINERS || !(p = realloc(f->e, ncap * sizeof(*p)))) {
			if (!f->full_logged)
				pv_warn("loadavg: file sampler follows %zu containers, no more: "
					"others read 0.00", f->n);
			f->full_logged = 1;
			goto out;
		}
		f->e = p;
		f->cap = ncap;
	}
	f->e[f->n] = (struct files_entry){ .cgid = c->cpu_cgid, .path = strdup(path) };
	if (f->e[f->n].path)
		f->n++;
out:
	pthread_mutex_unlock(&f->lock);
}

int pv_loadavg_files_lookup(struct pv_loadavg_files *f, __u64 cgid, struct pv_load_state *ret)
{
	ssize_t i;
	int err = -ENOENT;

	if (!f)
		return -ENODEV;
	pthread_mutex_lock(&f->lock);
	i = find(f, cgid);
	if (i >= 0 && f->e[i].sampled) {
		*ret = f->e[i].s;
		err = 0;
	}
	pthread_mutex_unlock(&f->lock);
	return err;
}

__u64 pv_loadavg_files_passes(struct pv_loadavg_files *f)
{
	return f ? atomic_load(&f->passes) : 0;
}

/* Fold @n samples of @t into entry @i, or drop it if its cgroup is gone. */
static void apply(struct pv_loadavg_files *f, size_t i, int tally_err,
		  const struct pv_load_tally *t, unsigned int n)
{
	struct pv_load_state *s = &f->e[i].s;
	__u64 a = (__u64)t->active * PV_FIXED_1;

	if (tally_err == -ENOENT) {
		/* Removed cgroup: no state left behind. Order does not matter. */
		free(f->e[i].path);
		f->e[i] = f->e[--f->n];
		return;
	}
	if (tally_err)
		return; /* keep the averages; try again next time */
	s->avenrun[0] = pv_calc_load_n(s->avenrun[0], PV_EXP_1, a, n);
	s->avenrun[1] = pv_calc_load_n(s->avenrun[1], PV_EXP_5, a, n);
	s->avenrun[2] = pv_calc_load_n(s->avenrun[2], PV_EXP_15, a, n);
	s->applied += n;
	s->nr_active = t->active;
	s->nr_running = t->running;
	s->nr_threads = t->threads;
	f->e[i].sampled = 1;
}

/*
 * One pass over the followed containers. Only this thread removes entries,
 * so index i stays valid between unlock and relock; the tally (file reads)
 * runs unlocked so readers are not held up by it.
 */
static void files_pass(struct pv_loadavg_files *f, unsigned int n)
{
	size_t i = 0;

	for (;;) {
		struct pv_load_tally t = { 0 };
		__u64 cgid;
		char *path;
		ssize_t j;
		int err;

		pthread_mutex_lock(&f->lock);
		if (i >= f->n) {
			pthread_mutex_unlock(&f->lock);
			break;
		}
		cgid = f->e[i].cgid;
		path = strdup(f->e[i].path);
		pthread_mutex_unlock(&f->lock);
		if (!path)
			return;
		err = pv_loadavg_tally(f->env, path, &t);
		free(path);
		pthread_mutex_lock(&f->lock);
		j = find(f, cgid);
		if (j >= 0) {
			apply(f, (size_t)j, err, &t, n);
			if (err != -ENOENT)
				i++;
		}
		pthread_mutex_unlock(&f->lock);
	}
	atomic_fetch_add(&f->passes, 1);
}

static void *files_main(void *arg)
{
	struct pv_loadavg_files *f = arg;
	struct pollfd pfd[2] = {
		{ .fd = f->timer_fd, .events = POLLIN },
		{ .fd = f->stop_fd, .events = POLLIN },
	};

	for (;;) {
		__u64 expirations = 0;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pv_err("loadavg: poll: %s; file sampler stops", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (read(f->timer_fd, &expirations, sizeof(expirations)) < 0) {
			if (errno != EAGAIN)
				pv_warn("loadavg: read timerfd: %s", strerror(errno));
			continue;
		}
		if (expirations > PV_LOADAVG_MAX_CATCHUP)
			expirations = PV_LOADAVG_MAX_CATCHUP;
		if (expirations)
			files_pass(f, (unsigned int)expirations);
	}
	return NULL;
}

void pv_loadavg_files_stop(struct pv_loadavg_files *f)
{
	__u64 one = 1;
	size_t i;

	if (!f)
		return;
	if (f->thread_running) {
		if (write(f->stop_fd, &one, sizeof(one)) < 0)
			pv_warn("loadavg: signal file sampler stop: %s", strerror(errno));
		pthread_join(f->thread, NULL);
	}
	if (f->timer_fd >= 0)
		close(f->timer_fd);
	if (f->stop_fd >= 0)
		close(f->stop_fd);
	for (i = 0; i < f->n; i++)
		free(f->e[i].path);
	free(f->e);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int pv_loadavg_files_start(const struct pv_env *env, struct pv_loadavg_files **ret)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = PV_LOAD_FREQ_SEC },
		.it_interval = { .tv_sec = PV_LOAD_FREQ_SEC },
	};
	struct pv_loadavg_files *f;
	int err;

	if (env->cg.cpu_acct < 0 || env->cg.cpu_acct >= env->cg.n)
		return -ENOENT;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->env = env;
	f->timer_fd = f->stop_fd = -1;
	pthread_mutex_init(&f->lock, NULL);
	f->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->timer_fd < 0 || f->stop_fd < 0 ||
	    timerfd_settime(f->timer_fd, 0, &its, NULL) < 0) {
		err = -errno;
		pv_err("loadavg: file sampler timerfd/eventfd: %s", strerror(-err));
		goto fail;
	}
	err = -pthread_create(&f->thread, NULL, files_main, f);
	if (err) {
		pv_err("loadavg: start file sampler thread: %s", strerror(-err));
		goto fail;
	}
	f->thread_running = 1;
	*ret = f;
	return 0;
fail:
	pv_loadavg_files_stop(f);
	return err;
}
