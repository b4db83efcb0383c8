// SPDX-License-Identifier: GPL-2.0-only
/*
 * From raw per-CPU nanoseconds to per-vCPU ticks (pure), plus the small
 * text parsers and the degraded task counter the /proc/stat collector uses.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "cpustat.h"
#include "fileio.h"

void pv_cpu_hwm_free(struct pv_cpu_hwm *h)
{
	if (!h)
		return;
	free(h->vcpu);
	free(h->steal_raw);
	h->vcpu = NULL;
	h->steal_raw = NULL;
	h->n = 0;
}

int pv_cpu_hwm_reset(struct pv_cpu_hwm *h, int n)
{
	__u64 (*vcpu)[PV_NCOLS_MAX];
	__u64 *raw;

	if (n < 1 || n > PV_MAX_CPUS)
		return -EINVAL;
	vcpu = calloc((size_t)n, sizeof(*vcpu));
	raw = calloc((size_t)n, sizeof(*raw));
	if (!vcpu || !raw) {
		free(vcpu);
		free(raw);
		return -ENOMEM;
	}
	pv_cpu_hwm_free(h);
	h->vcpu = vcpu;
	h->steal_raw = raw;
	h->n = n;
	h->ctxt = h->processes = 0;
	return 0;
}

void pv_cpu_view_free(struct cpu_view *v)
{
	if (!v)
		return;
	free(v->vcpu);
	v->vcpu = NULL;
}

static __u64 pv_max(__u64 a, __u64 b) { return a > b ? a : b; }

/* Field @k (0 user, 1 nice, 2 system, 3 steal, 4 ctxt, 5 forks) of @s. */
static __u64 pv_field(const struct pv_cpu_stat *s, int k)
{
	switch (k) {
	case 0: return s->user_ns;
	case 1: return s->nice_ns;
	case 2: return s->system_ns;
	case 3: return s->steal_ns;
	case 4: return s->ctxt;
	default: return s->forks;
	}
}

/* Fields 0-3 as pv_field(), 4 = user + nice + system. */
static __u64 pv_field5(const struct pv_cpu_stat *s, int k)
{
	return k < 4 ? pv_field(s, k) : s->user_ns + s->nice_ns + s->system_ns;
}

int pv_cpu_view_build(const struct pv_cpu_raw *raw, const struct pv_cpus *cpus,
		      struct pv_cpu_hwm *hwm, struct cpu_view *v)
{
	static const int col_of[4] = { PV_COL_USER, PV_COL_NICE, PV_COL_SYSTEM, PV_COL_STEAL };
	int n = cpus->n, direct = cpus->n == cpus->nphys;
	__u64 total[6] = { 0 }, rest[5] = { 0 }, age_ns, elapsed, *raw_steal;
	char *mapped = NULL;

	if (n < 1 || n > PV_MAX_CPUS || raw->ncpus < 0)
		return -EINVAL;
	v->n = n;
	v->vcpu = calloc((size_t)n, sizeof(*v->vcpu));
	mapped = calloc((size_t)raw->ncpus + 1, 1);
	raw_steal = calloc((size_t)n, sizeof(*raw_steal));
	if (!v->vcpu || !mapped || !raw_steal) {
		free(mapped);
		free(raw_steal);
		pv_cpu_view_free(v);
		return -ENOMEM;
	}
	if (direct)
		for (int i = 0; i < n; i++)
			if (cpus->phys[i] >= 0 && cpus->phys[i] < raw->ncpus)
				mapped[cpus->phys[i]] = 1;
	for (int c = 0; c < raw->ncpus; c++) {
		for (int k = 0; k < 6; k++)
			total[k] += pv_field(&raw->percpu[c], k);
		for (int k = 0; k < 5; k++)
			if (!mapped[c])
				rest[k] += pv_field5(&raw->percpu[c], k);
	}
	free(mapped);

	age_ns = raw->now_boot_ns > raw->start_boot_ns ? raw->now_boot_ns - raw->start_boot_ns : 0;
	elapsed = age_ns / PV_NS_PER_TICK;
	for (int i = 0; i < n; i++) {
		__u64 *col = v->vcpu[i], used;
		const __u64 *prev = hwm && hwm->vcpu && hwm->steal_raw && i < hwm->n ?
			hwm->vcpu[i] : NULL;

		/*
		 * vCPU i is physical CPU phys[i] when the cpuset is the vCPU
		 * set; time counted on CPUs outside it (or all time, when a
		 * quota makes fewer vCPUs than CPUs) is shared out exactly.
		 */
		for (int k = 0; k < 5; k++) {
			/* Shared in whole ticks so the shares add up exactly. */
			__u64 t = pv_share(rest[k] / PV_NS_PER_TICK, n, i);

			if (direct && cpus->phys[i] >= 0 && cpus->phys[i] < raw->ncpus)
				t += pv_field5(&raw->percpu[cpus->phys[i]], k) / PV_NS_PER_TICK;
			if (k < 4)
				col[col_of[k]] = t;
			else
				used = t;
		}
		/*
		 * user takes what rounding the three columns down separately
		 * would lose: user+nice+system is the used time rounded once,
		 * which keeps the sum within a tick of the kernel's usage.
		 */
		col[PV_COL_USER] = used > col[PV_COL_NICE] + col[PV_COL_SYSTEM] ?
			used - col[PV_COL_NICE] - col[PV_COL_SYSTEM] : 0;
		for (int k = 0; k < PV_NCOLS_MAX; k++)
			if (prev && k != PV_COL_IDLE && k != PV_COL_STEAL)
				col[k] = pv_max(col[k], prev[k]);
		used = col[PV_COL_USER] + col[PV_COL_NICE] + col[PV_COL_SYSTEM];
		raw_steal[i] = col[PV_COL_STEAL];
		/*
		 * Several tasks can wait on one CPU at once (K busy tasks wait
		 * K-1 times the wall time), and a wait is only reported when
		 * the task runs again, maybe after that time was shown as idle.
		 * So steal grows by the raw steal since the last read, at most
		 * by the time not yet shown in any column: the columns add up
		 * to the time since start, none goes back, and steal that did
		 * not fit is dropped, never shown later in place of idle.
		 */
		{
			__u64 prev_idle = prev ? prev[PV_COL_IDLE] : 0;
			__u64 prev_steal = prev ? prev[PV_COL_STEAL] : 0;
			__u64 base = prev ? hwm->steal_raw[i] : 0;
			__u64 shown = used + prev_idle + prev_steal;
			__u64 room = elapsed > shown ? elapsed - shown : 0;
			__u64 fresh = raw_steal[i] > base ? raw_steal[i] - base : 0;

			col[PV_COL_STEAL] = prev_steal + (fresh < room ? fresh : room);
			/* A dip of the raw sum (a child being folded) is not new steal. */
			raw_steal[i] = pv_max(raw_steal[i], base);
			used += col[PV_COL_STEAL];
			col[PV_COL_IDLE] = pv_max(elapsed > used ? elapsed - used : 0, prev_idle);
		}
	}
	v->ctxt = total[4];
	v->processes = total[5];
	if (hwm) {
		__u64 ctxt = pv_max(v->ctxt, hwm->ctxt), processes = pv_max(v->processes, hwm->processes);

		v->ctxt = ctxt;
		v->processes = processes;
		/*
		 * Another vCPU count: resized marks are refilled right here;
		 * without memory this read is just not remembered.
		 */
		if (hwm->n == n || pv_cpu_hwm_reset(hwm, n) == 0) {
			memcpy(hwm->vcpu, v->vcpu, (size_t)n * sizeof(*hwm->vcpu));
			memcpy(hwm->steal_raw, raw_steal, (size_t)n * sizeof(*raw_steal));
		}
		hwm->ctxt = ctxt;
		hwm->processes = processes;
	}
	free(raw_steal);
	v->btime = (raw->now_real_ns > age_ns ? raw->now_real_ns - age_ns : 0) / 1000000000ULL;
	return 0;
}

void pv_uptime_from_view(const struct cpu_view *v, const struct pv_cpu_raw *raw,
			 struct uptime_view *u)
{
	__u64 age_ns = raw->now_boot_ns > raw->start_boot_ns ? raw->now_boot_ns - raw->start_boot_ns : 0;

	u->uptime_cs = age_ns / (1000000000ULL / 100);
	u->idle_cs = 0;
	/* USER_HZ is 100, so idle ticks are centiseconds. */
	for (int i = 0; i < v->n; i++)
		u->idle_cs += v->vcpu[i][PV_COL_IDLE] * (100 / PV_USER_HZ);
}

static int pv_count_fields(const char *line, const char *end)
{
	int n = 0, in = 0;

	for (const char *p = line; p < end; p++) {
		if (isspace((unsigned char)*p))
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

int pv_host_stat_shape(const char *text, int *ret_ncols, int *ret_intr, int *ret_softirq)
{
	int ncols = -1, intr = 1, softirq = 1;
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');

		if (!end)
			end = line + strlen(line);
		if (strncmp(line, "cpu ", 4) == 0)
			ncols = pv_count_fields(line, end) - 1;
		else if (strncmp(line, "intr ", 5) == 0)
			intr = pv_count_fields(line, end) - 1;
		else if (strncmp(line, "softirq ", 8) == 0)
			softirq = pv_count_fields(line, end) - 1;
		line = *end ? end + 1 : NULL;
	}
	if (ncols < 4)
		return -EINVAL;
	if (ncols > PV_NCOLS_MAX)
		ncols = PV_NCOLS_MAX;
	*ret_ncols = ncols;
	*ret_intr = intr < 1 ? 1 : intr;
	*ret_softirq = softirq < 1 ? 1 : softirq;
	return 0;
}

/* The fields after "pid (comm)": comm may hold spaces and ')'. */
static const char *pv_after_comm(const char *text)
{
	const char *p = strrchr(text, ')');

	return p && p[1] == ' ' ? p + 2 : NULL;
}

int pv_parse_pid_state(const char *text, char *ret_state)
{
	const char *p = pv_after_comm(text);

	if (!p || !isalpha((unsigned char)*p))
		return -EINVAL;
	*ret_state = *p;
	return 0;
}

int pv_parse_pid_starttime(const char *text, __u64 *ret_ticks)
{
	const char *p = pv_after_comm(text);
	unsigned long long v;
	char *end;

	if (!p)
		return -EINVAL;
	/* p is field 3 (state); starttime is field 22: skip 19 fields. */
	for (int i = 0; i < 19; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -ERANGE;
	*ret_ticks = v;
	return 0;
}

/* Count the threads listed in @dfd/@list, recursing into subdirectories. */
static int pv_count_dir(const char *proc, int dfd, const char *list, int depth,
			struct pv_task_counts *acc)
{
	struct buf ids = BUF_INIT;
	DIR *d;
	struct dirent *de;
	int fd, err;

	if (depth > 64)
		return -ELOOP;
	err = pv_read_file_buf(dfd, list, &ids);
	if (err) {
		buf_free(&ids);
		return err;
	}
	for (char *p = ids.data, *next; p && *p; p = next) {
		char path[64], st[1024], state;
		long tid = strtol(p, &next, 10);

		if (next == p)
			break;
		while (*next == '\n')
			next++;
		snprintf(path, sizeof(path), "%s/%ld/stat", proc, tid);
		/* A thread that exited meanwhile simply is not counted. */
		if (pv_read_whole_at(AT_FDCWD, path, st, sizeof(st)) < 0 ||
		    pv_parse_pid_state(st, &state))
			continue;
		acc->threads++;
		if (state == 'R')
			acc->running++;
		else if (state == 'D')
			acc->blocked++;
	}
	buf_free(&ids);
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
			continue; /* removed meanwhile */
		err = pv_count_dir(proc, sub, list, depth + 1, acc);
		close(sub);
		if (err && err != -ENOENT)
			break;
		err = 0;
	}
	closedir(d);
	return err;
}

int pv_task_counts_files(const char *proc, const struct pv_cgroups *cg,
			 const struct pv_container *c, struct pv_task_counts *ret)
{
	struct pv_task_counts acc = { 0 };
	const char *rel;
	int idx = cg->cpu_acct, fd, err;

	if (idx < 0)
		idx = cg->unified;
	if (idx < 0)
		return -ENOTSUP;
	rel = c->path[idx];
	while (*rel == '/')
		rel++;
	fd = openat(cg->h[idx].dirfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = pv_count_dir(proc, fd, cg->h[idx].v2 ? "cgroup.threads" : "tasks", 0, &acc);
	close(fd);
	if (err)
		return err;
	*ret = acc;
	return 0;
}
