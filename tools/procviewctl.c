// SPDX-License-Identifier: GPL-2.0-only
/*
 * procviewctl: inspect a running procview. Commands come from one table;
 * every figure comes from the same producers the daemon serves (this file
 * builds a struct pv_env the way procviewd does) and from the pinned BPF
 * maps, opened read-only (pv_bpf_open_pinned): procviewctl never loads,
 * attaches, unpins or writes BPF state, whatever build the daemon is. What
 * the daemon itself runs on (BPF or degraded) comes from the state file it
 * publishes (daemon_state.h), not from guesses.
 */
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "buf.h"
#include "cgroup.h"
#include "daemon_state.h"
#include "env.h"
#include "fileio.h"
#include "log.h"
#include "procview_loadavg.h"
#include "procview_maps.h"
#include "remount.h"
#include "vfile.h"

#define DEFAULT_MOUNT "/var/lib/procview"
#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif
#define FSHIFT 11
#define FIXED_1 (1 << FSHIFT)

static struct {
	const char *mount;
	const char *pin_dir;
	int json;
	double interval;
	int docker, oci;
} opt = { DEFAULT_MOUNT, PV_DEFAULT_PIN_DIR, 0, 1.0, 0, 0 };

/* ---- daemon state ---- */

enum serve_state { SERVE_OK, SERVE_NONE, SERVE_DEAD, SERVE_OTHER };

/*
 * Is procviewd serving at opt.mount? @why gets a sentence when not; @ret_dev
 * (may be NULL) the device of the mount found there.
 */
static enum serve_state serving(char *why, size_t cap, dev_t *ret_dev)
{
	struct buf text = BUF_INIT;
	char want[PATH_MAX], *p, *line;
	struct pv_mnt top = { 0 };
	struct statfs sfs;
	int found = 0;

	if (!realpath(opt.mount, want))
		snprintf(want, sizeof(want), "%s", opt.mount);
	if (pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &text) == 0)
		for (p = text.data; p && (line = strsep(&p, "\n"));) {
			struct pv_mnt m;

			if (pv_mnt_parse(line, &m) == 0 && strcmp(m.target, want) == 0) {
				top = m;
				found = 1;
			}
		}
	if (!found) {
		snprintf(why, cap, "procviewd is not running: nothing is mounted at %.*s "
			 "(start it: systemctl start procview, or procviewd DIR)", PATH_MAX / 2, want);
		buf_free(&text);
		return SERVE_NONE;
	}
	if (ret_dev)
		*ret_dev = makedev(top.major, top.minor);
	if (!pv_mnt_is_procview(&top)) {
		snprintf(why, cap, "%s is a %s mount, not procview's (wrong --mount?)",
			 want, top.fstype);
		buf_free(&text);
		return SERVE_OTHER;
	}
	buf_free(&text);
	if (statfs(want, &sfs) < 0) {
		snprintf(why, cap, "procviewd is not running: %s is a dead mount (%s); "
			 "restart procviewd", want, strerror(errno));
		return SERVE_DEAD;
	}
	return sfs.f_type == FUSE_SUPER_MAGIC ? SERVE_OK : SERVE_OTHER;
}

static int require_daemon(void)
{
	char why[PATH_MAX + 256];

	if (serving(why, sizeof(why), NULL) == SERVE_OK)
		return 0;
	fprintf(stderr, "procviewctl: %s\n", why);
	return -1;
}

/* A pinned map, read-only; a link (the kernel opens links read-write only). */
static int pin_fd(const char *name, int map)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = map ? BPF_F_RDONLY : 0);
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", opt.pin_dir, name);
	return bpf_obj_get_opts(path, &o);
}

/* Layout of the pinned set: 0 and @ret filled, or -errno. */
static int pinned_meta(struct pv_meta *ret)
{
	__u32 zero = 0;
	int fd = pin_fd("pv_meta", 1), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, ret))
		err = -errno;
	close(fd);
	return err;
}

/* 1 when every link pin holds a live link. */
static int links_attached(int *nlinks)
{
	static const char *const names[] = { "link_runtime", "link_fork", "link_mkdir", "link_rmdir" };
	int n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct bpf_link_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = pin_fd(names[i], 0);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.prog_id)
			n++;
		close(fd);
	}
	*nlinks = n;
	return n == (int)(sizeof(names) / sizeof(names[0]));
}

/* opt.mount made absolute the way procviewd names its mountpoint. */
static void mount_path(char *dst, size_t cap)
{
	if (!realpath(opt.mount, dst))
		snprintf(dst, cap, "%s", opt.mount);
}

/*
 * The state the daemon serving opt.mount published. 0 when it belongs to
 * the mount now at opt.mount (same device) and its pid still runs with the
 * same start time; -ESTALE for a dead daemon's leftover, -ENOENT for none.
 */
static int daemon_state(dev_t live, struct pv_dstate *ret)
{
	char mnt[PATH_MAX];
	unsigned long long start;
	struct pv_dstate s;
	int err;

	mount_path(mnt, sizeof(mnt));
	err = pv_dstate_load(pv_dstate_dir(), mnt, &s);
	if (err)
		return err;
	if (makedev(s.major, s.minor) != live)
		return -ESTALE;
	if (pv_dstate_starttime("/proc", s.pid, &start) || start != s.starttime)
		return -ESTALE;
	*ret = s;
	return 0;
}

/* ---- the producers' environment, as procviewd builds it ---- */

static struct pv_env env;

static int env_open(void)
{
	struct buf mi = BUF_INIT;
	struct pv_dstate ds;
	char why[PATH_MAX + 256];
	dev_t live = 0;
	int err, use_bpf;

	env.proc = "/proc";
	env.sys = "/sys";
	env.cpu_quota_view = 1;
	env.pin_dir = opt.pin_dir;
	env.host_ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	err = pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &mi);
	if (!err)
		err = pv_cgroups_discover(mi.data, NULL, &env.cg);
	buf_free(&mi);
	if (!err)
		err = pv_cgroups_open(&env.cg);
	if (err) {
		fprintf(stderr, "procviewctl: cgroup hierarchies: %s\n", strerror(-err));
		return err;
	}
	/*
	 * Render what the daemon renders: BPF figures only when it runs on
	 * BPF. A daemon that published nothing: use complete, attached pins.
	 */
	serving(why, sizeof(why), &live);
	if (daemon_state(live, &ds) == 0) {
		use_bpf = ds.bpf;
	} else {
		int nl;

		use_bpf = links_attached(&nl);
	}
	if (use_bpf && pv_bpf_open_pinned(opt.pin_dir, &env.bpf) < 0)
		env.bpf = NULL;
	return 0;
}

static void env_close(void)
{
	pv_bpf_close(env.bpf);
	env.bpf = NULL;
	pv_cgroups_close(&env.cg);
}

static int container_from_pid(pid_t pid, struct pv_container *c)
{
	char path[64];
	struct buf text = BUF_INIT;
	int err;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	err = pv_read_file_buf(AT_FDCWD, path, &text);
	if (!err)
		err = pv_parse_proc_cgroup(&env.cg, text.data, c);
	buf_free(&text);
	if (!err)
		err = pv_container_ids(&env.cg, c);
	c->reader_pid = c->init_pid = pid;
	return err;
}

/* The init of @pid's pid namespace (0 when it shares ours). */
static pid_t pidns_init(pid_t pid)
{
	char path[300];
	struct stat self, their;
	DIR *d;
	struct dirent *de;
	pid_t found = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	if (stat("/proc/self/ns/pid", &self) < 0 || stat(path, &their) < 0 ||
	    self.st_ino == their.st_ino)
		return 0;
	d = opendir("/proc");
	while (d && !found && (de = readdir(d))) {
		struct buf status = BUF_INIT;
		struct stat st;
		char *ns;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", de->d_name);
		if (stat(path, &st) < 0 || st.st_ino != their.st_ino)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		/* Whole file: Groups: of a task in many groups runs long. */
		if (pv_read_file_buf(AT_FDCWD, path, &status) == 0 && status.data &&
		    (ns = strstr(status.data, "\nNSpid:"))) {
			ns = strchr(ns + 1, '\n');
			if (ns && ns[-1] == '1' && (ns[-2] == '\t' || ns[-2] == ' '))
				found = (pid_t)atoi(de->d_name);
		}
		buf_free(&status);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * First pid listed in @dir/cgroup.procs: > 0, 0 when the cgroup has no
 * process of its own, or -errno. The whole file is read: a busy cgroup's
 * list is kilobytes long.
 */
static pid_t cgroup_first_pid(const char *dir)
{
	char path[PATH_MAX + 32];
	struct buf text = BUF_INIT;
	long pid = 0;
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	err = pv_read_file_buf(AT_FDCWD, path, &text);
	if (!err && text.len)
		pid = strtol(text.data, NULL, 10);
	buf_free(&text);
	if (err)
		return err;
	return pid > 0 ? (pid_t)pid : 0;
}

/* First pid in cgroup directory @dir or below (depth-first), 0 if none. */
static pid_t first_pid_below(const char *dir, int depth)
{
	char path[PATH_MAX + 32];
	DIR *d;
	struct dirent *de;
	pid_t pid = cgroup_first_pid(dir);

	if (pid > 0)
		return pid;
	pid = 0;
	if (depth > 32 || !(d = opendir(dir)))
		return 0;
	while (!pid && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		pid = first_pid_below(path, depth + 1);
	}
	closedir(d);
	return pid;
}

/* <cgroup path> (in the CPU-accounting hierarchy) or <pid>. */
static int container_from_arg(const char *arg, struct pv_container *c)
{
	char *end;
	long pid = strtol(arg, &end, 10);

	if (*arg && !*end && pid > 0) {
		pid_t init = pidns_init((pid_t)pid);
		int err;

		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			fprintf(stderr, "procviewctl: no process %ld\n", pid);
			return -ESRCH;
		}
		/* As the daemon decides: a pid namespace's init defines the
		   container of everyone in it. */
		err = container_from_pid(init ? init : (pid_t)pid, c);
		c->reader_pid = (pid_t)pid;
		c->own_pidns = init != 0;
		return err;
	}
	if (arg[0] != '/' || env.cg.cpu_acct < 0) {
		fprintf(stderr, "procviewctl: '%s' is neither a pid nor a cgroup path "
			"starting with '/'\n", arg);
		return -EINVAL;
	}
	{
		const struct pv_hier *h = &env.cg.h[env.cg.cpu_acct];
		char dir[PATH_MAX + PV_CGPATH_MAX];
		struct stat st;
		pid_t member;
		int err;

		snprintf(dir, sizeof(dir), "%s%s", h->mount, arg);
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "procviewctl: no cgroup %s in %s\n", arg, h->mount);
			return -ENOENT;
		}
		/* Its other hierarchies: those of a task inside it. */
		member = first_pid_below(dir, 0);
		if (member) {
			err = container_from_pid(member, c);
			if (err)
				return err;
		} else {
			memset(c, 0, sizeof(*c));
			for (int i = 0; i < env.cg.n; i++)
				snprintf(c->path[i], PV_CGPATH_MAX, "/");
		}
		snprintf(c->path[env.cg.cpu_acct], PV_CGPATH_MAX, "%s", arg);
		c->reader_pid = c->init_pid = member;
		return pv_container_ids(&env.cg, c);
	}
}

/* The pinned load average of @cgid (fixed point), -errno when unknown. */
static int pinned_load(__u64 cgid, struct pv_load_state *ret)
{
	int fd = pin_fd(PV_LOADAVG_PIN_STATE, 1), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &cgid, ret))
		err = -errno;
	close(fd);
	return err;
}

static void load_fmt(__u64 x, char *dst, size_t cap)
{
	x += FIXED_1 / 200;   /* rounding, as the kernel's /proc/loadavg */
	snprintf(dst, cap, "%llu.%02llu", (unsigned long long)(x >> FSHIFT),
		 (unsigned long long)(((x & (FIXED_1 - 1)) * 100) >> FSHIFT));
}

/* Render served file @vf for @c into @out, as the daemon would. */
static int produce(const struct pv_vfile *vf, const struct pv_container *c, struct buf *out)
{
	struct pv_load_state ls;
	int err;

	buf_reset(out);
	err = vf->produce(&env, c, out);
	if (err || buf_error(out))
		return err ? err : buf_error(out);
	/* The averages live in the sampler's pinned state; we run no
	   sampler, so take them from the pin like the daemon's lookup. */
	if (strcmp(vf->path, "/proc/loadavg") == 0 && pinned_load(c->cpu_cgid, &ls) == 0) {
		char a[3][32], *rest = out->data;
		struct buf fixed = BUF_INIT;

		for (int i = 0; i < 3 && rest; i++) {
			load_fmt(ls.avenrun[i], a[i], sizeof(a[i]));
			rest = strchr(rest, ' ');
			rest = rest ? rest + 1 : NULL;
		}
		if (rest) {
			buf_printf(&fixed, "%s %s %s %s", a[0], a[1], a[2], rest);
			buf_reset(out);
			buf_append(out, fixed.data, fixed.len);
		}
		buf_free(&fixed);
	}
	return 0;
}

/* ---- commands ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static int cmd_show(int argc, char **argv)
{
	struct pv_container c;
	struct buf out = BUF_INIT;
	int err, shown = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: procviewctl show <cgroup path|pid> [file...]\n");
		return 2;
	}
	if (require_daemon() || env_open())
		return 1;
	err = container_from_arg(argv[0], &c);
	if (err) {
		if (err != -EINVAL && err != -ESRCH && err != -ENOENT)
			fprintf(stderr, "procviewctl: %s: %s\n", argv[0], strerror(-err));
		env_close();
		return 1;
	}
	printf("# container %s (cgroup id %llu)%s%s\n",
	       env.cg.cpu_acct >= 0 ? c.path[env.cg.cpu_acct] : "?",
	       (unsigned long long)c.cpu_cgid, c.host ? ", the host" : "",
	       env.bpf ? "" : ", degraded: no pinned BPF accounting");
	for (size_t i = 0; i < pv_nvfiles; i++) {
		const struct pv_vfile *vf = &pv_vfiles[i];
		int want = argc < 2;

		for (int a = 1; a < argc; a++) {
			const char *base = strrchr(vf->path, '/') + 1;

			want |= strcmp(argv[a], vf->path) == 0 || strcmp(argv[a], base) == 0;
		}
		if (!want)
			continue;
		shown++;
		printf("==> %s <==\n", vf->path);
		err = produce(vf, &c, &out);
		if (err)
			printf("(error: %s)\n", strerror(-err));
		else
			fwrite(out.data, 1, out.len, stdout);
	}
	buf_free(&out);
	env_close();
	if (!shown) {
		fprintf(stderr, "procviewctl: no such served file\n");
		return 1;
	}
	return 0;
}

struct row {
	char path[PV_CGPATH_MAX];
	struct pv_container c;
	int vcpus;
	double busy0, ctxt0, cpu_pct, ctxt_s, uptime, load1;
	unsigned long long mem_total_kb, mem_avail_kb;
	int ok;
};

/* busy ticks (user+nice+system+irq+softirq) and ctxt from a stat text. */
static int stat_fields(const char *text, double *busy, double *ctxt)
{
	unsigned long long v[10] = { 0 };
	const char *p = strstr(text, "\nctxt ");

	if (sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6]) < 4)
		return -EINVAL;
	*busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]);
	*ctxt = p ? strtod(p + 6, NULL) : 0;
	return 0;
}

static unsigned long long meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static const struct pv_vfile *vfile(const char *path)
{
	return pv_vfile_find(path);
}

/* Every cgroup of the CPU-accounting hierarchy with tasks of its own. */
static int walk(const char *mount, const char *rel, int depth, struct row **rows, size_t *n,
		size_t *cap)
{
	char dir[PATH_MAX + PV_CGPATH_MAX];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s%s", mount, rel);
	if (*rel && cgroup_first_pid(dir) > 0) {
		if (*n == *cap) {
			struct row *r;

			*cap = *cap ? *cap * 2 : 32;
			r = realloc(*rows, *cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			*rows = r;
		}
		memset(&(*rows)[*n], 0, sizeof(**rows));
		snprintf((*rows)[*n].path, PV_CGPATH_MAX, "%s", rel);
		(*n)++;
	}
	if (depth > 32 || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		char sub[PV_CGPATH_MAX];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub))
			continue;
		if (walk(mount, sub, depth + 1, rows, n, cap) < 0) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	const struct pv_vfile *st = vfile("/proc/stat"), *up = vfile("/proc/uptime"),
			      *mi = vfile("/proc/meminfo");
	struct buf out = BUF_INIT;
	struct row *rows = NULL;
	size_t n = 0, cap = 0;
	struct timespec t0, t1, pause;
	double dt;

	if (require_daemon() || env_open())
		return 1;
	if (env.cg.cpu_acct < 0 || !st || !up || !mi) {
		fprintf(stderr, "procviewctl: no CPU-accounting cgroup hierarchy\n");
		env_close();
		return 1;
	}
	if (walk(env.cg.h[env.cg.cpu_acct].mount, "", 0, &rows, &n, &cap) < 0) {
		fprintf(stderr, "procviewctl: out of memory\n");
		env_close();
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rows[i];

		if (container_from_arg(r->path, &r->c) || produce(st, &r->c, &out) ||
		    stat_fields(out.data, &r->busy0, &r->ctxt0))
			continue;
		r->ok = 1;
	}
	pause.tv_sec = (time_t)opt.interval;
	pause.tv_nsec = (long)((opt.interval - (double)pause.tv_sec) * 1e9);
	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	for (size_t i = 0; i < n; i++) {
		struct row *r = &rows[i];
		struct pv_cpus *cpus = malloc(sizeof(*cpus));
		struct pv_load_state ls;
		double busy, ctxt;

		if (!r->ok || !cpus || produce(st, &r->c, &out) ||
		    stat_fields(out.data, &busy, &ctxt)) {
			r->ok = 0;
			free(cpus);
			continue;
		}
		/* USER_HZ ticks over the interval: percent of one CPU. */
		r->cpu_pct = (busy - r->busy0) / dt;
		r->ctxt_s = (ctxt - r->ctxt0) / dt;
		if (pv_container_cpus(&env.cg, &r->c, 1, env.host_ncpus, cpus) == 0)
			r->vcpus = cpus->n;
		free(cpus);
		if (produce(up, &r->c, &out) == 0)
			r->uptime = strtod(out.data, NULL);
		if (produce(mi, &r->c, &out) == 0) {
			r->mem_total_kb = meminfo_kb(out.data, "MemTotal:");
			r->mem_avail_kb = meminfo_kb(out.data, "MemAvailable:");
		}
		r->load1 = pinned_load(r->c.cpu_cgid, &ls) == 0 ?
				   (double)ls.avenrun[0] / FIXED_1 : NAN;
	}

	if (opt.json) {
		printf("[");
		for (size_t i = 0, first = 1; i < n; i++) {
			struct row *r = &rows[i];

			if (!r->ok)
				continue;
			printf("%s\n {\"cgroup\": ", first ? "" : ",");
			json_str(stdout, r->path);
			printf(", \"cgroup_id\": %llu, \"vcpus\": %d, \"cpu_percent\": %.1f, "
			       "\"mem_used_bytes\": %llu, \"mem_limit_bytes\": %llu, ",
			       (unsigned long long)r->c.cpu_cgid, r->vcpus, r->cpu_pct,
			       (r->mem_total_kb - r->mem_avail_kb) * 1024, r->mem_total_kb * 1024);
			if (isnan(r->load1))
				printf("\"load1\": null, ");
			else
				printf("\"load1\": %.2f, ", r->load1);
			printf("\"uptime_s\": %.2f, \"ctxt_per_s\": %.0f}", r->uptime, r->ctxt_s);
			first = 0;
		}
		printf("\n]\n");
	} else {
		printf("%-40s %5s %6s %10s %10s %6s %10s %9s\n", "CGROUP", "VCPUS", "CPU%",
		       "MEM-USED", "MEM-LIMIT", "LOAD1", "UPTIME", "CTXSW/s");
		for (size_t i = 0; i < n; i++) {
			struct row *r = &rows[i];
			char load[16];

			if (!r->ok)
				continue;
			if (isnan(r->load1))
				snprintf(load, sizeof(load), "-");
			else
				snprintf(load, sizeof(load), "%.2f", r->load1);
			printf("%-40s %5d %6.1f %9lluM %9lluM %6s %9.0fs %9.0f\n", r->path, r->vcpus,
			       r->cpu_pct, (r->mem_total_kb - r->mem_avail_kb) / 1024,
			       r->mem_total_kb / 1024, load, r->uptime, r->ctxt_s);
		}
		if (!env.bpf)
			printf("# degraded: no pinned BPF accounting in %s\n", opt.pin_dir);
	}
	free(rows);
	buf_free(&out);
	env_close();
	return 0;
}

static int cmd_mounts(int argc, char **argv)
{
	char why[PATH_MAX + 256], mnt[PATH_MAX];

	if (serving(why, sizeof(why), NULL) != SERVE_OK)
		fprintf(stderr, "procviewctl: warning: %s\n", why);
	if (!realpath(opt.mount, mnt))
		snprintf(mnt, sizeof(mnt), "%s", opt.mount);
	if (opt.oci) {
		printf("[\n");
		for (size_t i = 0; i < pv_nvfiles; i++) {
			char src[PATH_MAX + 64];

			snprintf(src, sizeof(src), "%s%s", mnt, pv_vfiles[i].path);
			printf("  {\"destination\": ");
			json_str(stdout, pv_vfiles[i].path);
			printf(", \"type\": \"bind\", \"source\": ");
			json_str(stdout, src);
			printf(", \"options\": [\"rbind\", \"ro\"]}%s\n", i + 1 < pv_nvfiles ? "," : "");
		}
		printf("]\n");
		return 0;
	}
	for (size_t i = 0; i < pv_nvfiles; i++)
		printf("-v %s%s:%s:ro%s\n", mnt, pv_vfiles[i].path, pv_vfiles[i].path,
		       i + 1 < pv_nvfiles ? " \\" : "");
	return 0;
}

static int cmd_remount(int argc, char **argv)
{
	int r;

	if (require_daemon())
		return 1;
	r = pv_remount_repair(opt.mount);
	if (r < 0) {
		fprintf(stderr, "procviewctl: remount %s: %s\n", opt.mount, strerror(-r));
		return 1;
	}
	printf("re-bound %d container file(s) from %s\n", r, opt.mount);
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	char why[PATH_MAX + 256], mnt[PATH_MAX];
	dev_t live = 0;
	enum serve_state s = serving(why, sizeof(why), &live);
	struct pv_meta meta;
	struct pv_dstate ds;
	int nlinks = 0, attached, have_meta, known = 0, degraded = 0;
	const char *mode, *state_note = "";

	mount_path(mnt, sizeof(mnt));
	have_meta = pinned_meta(&meta) == 0;
	attached = links_attached(&nlinks);
	if (s == SERVE_OK) {
		int e = daemon_state(live, &ds);

		known = e == 0;
		if (e == -ESTALE)
			state_note = " (its state file is a dead daemon's)";
		else if (e && e != -ENOENT)
			state_note = " (its state file is unreadable)";
	}
	if (s != SERVE_OK) {
		mode = "not running";
	} else if (known && !ds.bpf) {
		mode = "degraded (procviewd runs without BPF accounting: CPU figures "
		       "from cgroup files; see its log)";
		degraded = 1;
	} else if (!attached || !have_meta || meta.layout != PV_LAYOUT_VERSION) {
		/* Its programs live in the pinned links: no links, no counting. */
		mode = "degraded (BPF accounting detached: pinned links or maps missing)";
		degraded = 1;
	} else if (!known) {
		mode = "probably ok (BPF attached; procviewd published no state: older build?)";
	} else {
		mode = "ok";
	}

	if (opt.json) {
		printf("{\"mountpoint\": ");
		json_str(stdout, mnt);
		printf(", \"serving\": %s, \"daemon_pid\": %d, \"daemon_state_known\": %s, "
		       "\"daemon_bpf\": %s, \"loadavg\": %s, \"repaired_at_start\": %d, \"pin_dir\": ",
		       s == SERVE_OK ? "true" : "false", known ? ds.pid : 0,
		       known ? "true" : "false", known ? (ds.bpf ? "true" : "false") : "null",
		       known ? (ds.loadavg ? "true" : "false") : "null", known ? ds.repaired : -1);
		json_str(stdout, opt.pin_dir);
		printf(", \"layout\": %d, \"layout_expected\": %d, \"links_attached\": %d, "
		       "\"bpf_attached\": %s, \"degraded\": %s}\n",
		       have_meta ? (int)meta.layout : -1, PV_LAYOUT_VERSION, nlinks,
		       attached ? "true" : "false", degraded ? "true" : "false");
	} else {
		printf("mountpoint:   %s (%s)\n", mnt, s == SERVE_OK ? "serving" : why);
		if (known)
			printf("daemon:       pid %d, %s, load averages %s, %d file(s) re-bound at start\n",
			       ds.pid, ds.bpf ? "BPF accounting" : "no BPF (degraded)",
			       ds.loadavg ? "sampled" : "unavailable", ds.repaired);
		else if (s == SERVE_OK)
			printf("daemon:       unknown: no state in %s%s\n", pv_dstate_dir(), state_note);
		printf("pin dir:      %s", opt.pin_dir);
		if (have_meta)
			printf(" (layout %u%s, hierarchy id %llu)\n", meta.layout,
			       meta.layout == PV_LAYOUT_VERSION ? "" : ", NOT this build's",
			       (unsigned long long)meta.hier_id);
		else
			printf(" (no pinned maps)\n");
		printf("bpf:          %s (%d of 4 links pinned)\n",
		       attached ? "attached" : "not attached", nlinks);
		if (have_meta && meta.dropped)
			printf("dropped:      %llu cgroup insert(s) refused (maps full)\n",
			       (unsigned long long)meta.dropped);
		printf("state:        %s\n", mode);
	}
	return s == SERVE_OK ? 0 : 3;
}

static int cmd_help(int argc, char **argv);

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args, *help;
} cmds[] = {
	{ "list", cmd_list, "[--json] [--interval S]",
	  "live containers: vCPUs, CPU% (of one CPU), memory, load1, uptime, context switches/s" },
	{ "show", cmd_show, "<cgroup path|pid> [file...]",
	  "the files a process in that container reads" },
	{ "mounts", cmd_mounts, "[--docker|--oci]",
	  "bind-mount flags (docker -v) or OCI config.json mounts for the mountpoint" },
	{ "remount", cmd_remount, "", "re-bind containers' dead views from the live mount now" },
	{ "status", cmd_status, "[--json]",
	  "serving? BPF attached? pin dir and layout, degraded? (exit 3: not running)" },
	{ "help", cmd_help, "", "this text" },
};

static int cmd_help(int argc, char **argv)
{
	printf("usage: procviewctl [--mount DIR] [--bpf-pin-dir DIR] COMMAND [ARGS]\n\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-8s %-28s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	printf("\noptions:\n"
	       "  --mount DIR        procviewd's mountpoint (default " DEFAULT_MOUNT ")\n"
	       "  --bpf-pin-dir DIR  pinned BPF state (default " PV_DEFAULT_PIN_DIR ")\n"
	       "  --json             machine-readable output (list, status)\n"
	       "  --interval S       list: sampling interval in seconds (default 1)\n"
	       "\nenvironment:\n"
	       "  PV_STATE_DIR       where procviewd publishes its state (default "
	       PV_REMOUNT_STATE_DIR ")\n"
	       "\nexamples:\n"
	       "  procviewctl list --json\n"
	       "  procviewctl show $(pidof nginx) meminfo\n"
	       "  procviewctl show /docker/3f2a... stat\n"
	       "  docker run $(procviewctl mounts --docker | tr -d '\\\\\\n') ...\n"
	       "  procviewctl status\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "bpf-pin-dir", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "docker", no_argument, NULL, 'D' },
		{ "oci", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name;
	int c;

	/* GNU getopt permutes: options may follow the command, as in
	   "procviewctl list --json". */
	while ((c = getopt_long(argc, argv, "m:p:ji:h", lo, NULL)) != -1) {
		switch (c) {
		case 'm': opt.mount = optarg; break;
		case 'p': opt.pin_dir = optarg; break;
		case 'j': opt.json = 1; break;
		case 'i':
			opt.interval = strtod(optarg, NULL);
			if (!(opt.interval > 0 && opt.interval <= 3600)) {
				fprintf(stderr, "procviewctl: --interval takes seconds (0..3600]\n");
				return 2;
			}
			break;
		case 'D': opt.docker = 1; break;
		case 'O': opt.oci = 1; break;
		case 'h': return cmd_help(0, NULL);
		default: return 2;
		}
	}
	if (optind >= argc) {
		cmd_help(0, NULL);
		return 2;
	}
	name = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return cmds[i].fn(argc, argv);
	fprintf(stderr, "procviewctl: unknown command '%s' (procviewctl help)\n", name);
	return 2;
}
