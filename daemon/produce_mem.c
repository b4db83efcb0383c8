// SPDX-License-Identifier: GPL-2.0-only
/*
 * Producers for meminfo, swaps, diskstats, cpuinfo and cpu/online:
 * collector -> view -> pure renderer. A reader in no container gets the
 * host's own file. Producers never log; the FUSE layer logs -errno once.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cglimits.h"
#include "cpuinfo.h"
#include "diskstats.h"
#include "fdcache.h"
#include "meminfo.h"
#include "swaps.h"
#include "vfile.h"

static int read_under(const char *root, const char *name, struct buf *out)
{
	char path[PATH_MAX];
	int n, err;

	n = snprintf(path, sizeof(path), "%s/%s", root, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	err = pv_fdcache_read_buf(AT_FDCWD, path, out);
	if (!err && !out->data)
		err = -ENODATA; /* empty file: nothing to keep the shape of */
	return err;
}

/*
 * Host text a container view only takes its shape from (cpuinfo blocks,
 * meminfo line order, host MemTotal/SwapTotal caps, diskstats device
 * names), kept for up to HOST_TTL_MS: /proc/cpuinfo alone costs ~35 us of
 * kernel time per read (it samples every CPU's frequency). Host readers
 * never see this copy; they get the live file. Swapon/hotplug show up in
 * container views within the TTL.
 */
#define HOST_TTL_MS 1000

struct host_cache {
	pthread_mutex_t lock; /* protects every field below */
	char path[PATH_MAX];
	struct buf text;
	struct timespec at;
};

static struct host_cache cache_cpuinfo = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct host_cache cache_meminfo = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct host_cache cache_diskstats = { .lock = PTHREAD_MUTEX_INITIALIZER };

static long ms_since(const struct timespec *then, const struct timespec *now)
{
	return (now->tv_sec - then->tv_sec) * 1000 + (now->tv_nsec - then->tv_nsec) / 1000000;
}

static int read_host_cached(struct host_cache *hc, const char *root, const char *name,
			    struct buf *out)
{
	char path[PATH_MAX];
	struct timespec now;
	int n, err = 0;

	n = snprintf(path, sizeof(path), "%s/%s", root, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	pthread_mutex_lock(&hc->lock);
	if (!hc->text.data || strcmp(hc->path, path) != 0 ||
	    ms_since(&hc->at, &now) >= HOST_TTL_MS || ms_since(&hc->at, &now) < 0) {
		buf_reset(&hc->text);
		err = pv_fdcache_read_buf(AT_FDCWD, path, &hc->text);
		if (!err && !hc->text.data)
			err = -ENODATA;
		if (err) {
			buf_free(&hc->text); /* never serve a partial copy later */
		} else {
			strcpy(hc->path, path);
			hc->at = now;
		}
	}
	if (!err) {
		buf_append(out, hc->text.data, hc->text.len);
		err = buf_error(out);
	}
	pthread_mutex_unlock(&hc->lock);
	return err;
}

int pv_produce_meminfo(const struct pv_env *env, const struct pv_container *c,
		       struct buf *out)
{
	struct buf host = BUF_INIT;
	struct mem_view v;
	int err;

	if (c->host)
		return pv_produce_host_file(env, "meminfo", out);
	err = read_host_cached(&cache_meminfo, env->proc, "meminfo", &host);
	if (!err)
		err = pv_collect_mem(env, c, host.data, &v);
	if (!err && v.passthrough)
		err = pv_produce_host_file(env, "meminfo", out); /* live, not cached */
	else if (!err)
		err = render_meminfo(&v, out);
	buf_free(&host);
	return err;
}

int pv_produce_swaps(const struct pv_env *env, const struct pv_container *c,
		     struct buf *out)
{
	struct buf host_mem = BUF_INIT, host_swaps = BUF_INIT;
	struct swaps_view sv = { 0 };
	struct mem_view mv;
	int err;

	if (c->host)
		return pv_produce_host_file(env, "swaps", out);
	err = read_host_cached(&cache_meminfo, env->proc, "meminfo", &host_mem);
	if (!err)
		err = pv_collect_mem(env, c, host_mem.data, &mv);
	if (err)
		goto out;
	err = read_under(env->proc, "swaps", &host_swaps);
	if (err)
		goto out;
	sv.host_text = host_swaps.data;
	if (mv.passthrough) {
		sv.passthrough = 1;
	} else {
		/* The same figures as this container's meminfo. */
		sv.total_kb = mv.kb[PV_MEM_SwapTotal];
		sv.used_kb = mv.kb[PV_MEM_SwapTotal] - mv.kb[PV_MEM_SwapFree];
	}
	err = render_swaps(&sv, out);
out:
	buf_free(&host_mem);
	buf_free(&host_swaps);
	return err;
}

int pv_produce_diskstats(const struct pv_env *env, const struct pv_container *c,
			 struct buf *out)
{
	struct buf host = BUF_INIT;
	struct diskstats_view v = { 0 };
	struct pv_io_dev *devs;
	int n = 0, err;

	if (c->host)
		return pv_produce_host_file(env, "diskstats", out);
	devs = malloc(PV_MAX_IO_DEVS * sizeof(*devs));   /* the first n are filled */
	if (!devs)
		return -ENOMEM;
	err = read_host_cached(&cache_diskstats, env->proc, "diskstats", &host);
	if (err)
		goto out;
	err = pv_cg_io(&env->cg, c, devs, PV_MAX_IO_DEVS, &n);
	if (err == -ENODEV) {
		n = 0; /* no io/blkio controller: no I/O we can attribute */
		err = 0;
	}
	if (err)
		goto out;
	v.host_text = host.data;
	v.devs = devs;
	v.ndevs = n;
	err = render_diskstats(&v, out);
out:
	free(devs);
	buf_free(&host);
	return err;
}

int pv_produce_cpuinfo(const struct pv_env *env, const struct pv_container *c,
		       struct buf *out)
{
	struct buf host = BUF_INIT;
	struct cpuinfo_view v = { 0 };
	struct pv_cpus *cpus;
	int err;

	if (c->host)
		return pv_produce_host_file(env, "cpuinfo", out);
	cpus = malloc(sizeof(*cpus));
	if (!cpus)
		return -ENOMEM;
	err = pv_container_cpus(&env->cg, c, env->cpu_quota_view, env->host_ncpus, cpus);
	if (err)
		goto out;
	err = read_host_cached(&cache_cpuinfo, env->proc, "cpuinfo", &host);
	if (err)
		goto out;
	v.host_text = host.data;
	v.cpus = cpus;
	err = render_cpuinfo(&v, out);
out:
	free(cpus);
	buf_free(&host);
	return err;
}

int pv_produce_cpu_online(const struct pv_env *env, const struct pv_container *c,
			  struct buf *out)
{
	struct pv_cpus *cpus;
	int err;

	if (c->host) {
		err = read_under(env->sys, "devices/system/cpu/online", out);
		if (err == 0)
			return 0;
		buf_reset(out);
		return render_cpu_online(env->host_ncpus, out);
	}
	cpus = malloc(sizeof(*cpus));
	if (!cpus)
		return -ENOMEM;
	err = pv_container_cpus(&env->cg, c, env->cpu_quota_view, env->host_ncpus, cpus);
	if (!err)
		err = render_cpu_online(cpus->n, out);
	free(cpus);
	return err;
}
