// SPDX-License-Identifier: GPL-2.0-only
/*
 * procviewd: parse options, check what a FUSE mount needs (privileges,
 * /dev/fuse, a free mountpoint) so failures are one clear line, then bring
 * up cgroups -> BPF -> loadavg -> FUSE -> restart repair -> READY, serve
 * multithreaded until SIGINT/SIGTERM (libfuse owns those signals) and tear
 * down in reverse order. BPF pins are kept: the next daemon re-opens them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blkio_kept.h"
#include "bpf_loader.h"
#include "caps.h"
#include "daemon_state.h"
#include "cglimits.h"
#include "env.h"
#include "fileio.h"
#include "fuse_ops.h"
#include "memstat_cache.h"
#include "loadavg.h"
#include "log.h"
#include "fdcache.h"
#include "maint.h"
#include "options.h"
#include "reader.h"
#include "reader_id.h"
#include "remount.h"
#include "sdnotify.h"

#define FSNAME "procview"

/*
 * Refuse to start without a capability serving needs (one line naming each
 * missing one and what needs it), warn for the optional ones. A process's
 * effective set decides, whatever its uid: root with a reduced bounding
 * set (systemd CapabilityBoundingSet=, setpriv, capsh) lacks what it lacks.
 */
static int check_caps(int use_bpf)
{
	char text[8192], list[256] = "";
	const struct pv_cap *miss[16];
	unsigned long long eff;
	size_t n;

	if (pv_read_file_at(AT_FDCWD, "/proc/self/status", text, sizeof(text)) < 0 ||
	    pv_caps_parse_eff(text, &eff)) {
		pv_warn("cannot read CapEff from /proc/self/status: assuming %s capabilities",
			geteuid() == 0 ? "all" : "no");
		eff = geteuid() == 0 ? ~0ULL : 0;
	}
	n = pv_caps_missing(eff, 1, use_bpf, miss, 16);
	for (size_t i = 0; i < n && i < 16; i++) {
		pv_err("missing capability %s: needed to %s", miss[i]->name, miss[i]->why);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? " " : "", miss[i]->name);
	}
	if (n) {
		pv_err("missing privileges: run as root with %s in the effective set "
		       "(see procviewd --help, PRIVILEGES)", list);
		return -EPERM;
	}
	n = pv_caps_missing(eff, 0, use_bpf, miss, 16);
	for (size_t i = 0; i < n && i < 16; i++)
		pv_warn("capability %s missing: %s", miss[i]->name, miss[i]->why);
	return 0;
}

/*
 * glibc's per-thread cache (tcache) keeps up to 7 freed chunks of every
 * small size in each FUSE worker thread, out of malloc_trim's reach: after
 * 10,000 containers came and went the daemon held 20% more RSS, all of it
 * in those caches (test_churn; flat with the cache off). Tunables are read
 * only at exec, so the daemon re-executes itself once with the cache off,
 * before any thread exists. Its cost, the arena lock on small mallocs, does
 * not show next to the syscalls of a FUSE request. An operator's own
 * setting of tcache_count is kept.
 */
static void exec_without_tcache(char **argv)
{
	static const char knob[] = "glibc.malloc.tcache_count";
	const char *t = getenv("GLIBC_TUNABLES");
	char val[1024];
	int n;

	/* In secure-execution mode (setuid) ld.so may erase the variable:
	   the re-executed daemon would not see it and exec again. */
	if ((t && strstr(t, knob)) || getauxval(AT_SECURE))
		return;
	n = snprintf(val, sizeof(val), "%s%s%s=0", t ? t : "", t ? ":" : "", knob);
	if (n < 0 || (size_t)n >= sizeof(val) || setenv("GLIBC_TUNABLES", val, 1))
		return;
	execv("/proc/self/exe", argv);
	pv_debug("re-exec without tcache: %s (serving with it)", strerror(errno));
	if (t)
		setenv("GLIBC_TUNABLES", t, 1);
	else
		unsetenv("GLIBC_TUNABLES");
}

static int check_dev_fuse(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		pv_err("cannot open /dev/fuse: %s (%s)", strerror(e),
		       e == ENOENT ? "load the fuse module: modprobe fuse" :
		       e == EACCES || e == EPERM ? "run as root" : "FUSE unavailable");
		return -e;
	}
	close(fd);
	return 0;
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Canonical path of @path without touching its last component: stat() of a
 * dead FUSE mount's root fails with ENOTCONN, and we must still name it.
 */
static int canon_path(const char *path, char *ret, size_t cap)
{
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];
	const char *base;
	int n;

	if (strlen(path) >= sizeof(a))
		return -ENAMETOOLONG;
	strcpy(a, path);
	strcpy(b, path);
	if (!realpath(dirname(a), dir))
		return -errno;
	base = basename(b);
	if (strcmp(base, "/") == 0)
		n = snprintf(ret, cap, "/");
	else if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return realpath(path, ret) ? 0 : -errno;
	else
		n = snprintf(ret, cap, "%s/%s", strcmp(dir, "/") ? dir : "", base);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* Undo mountinfo's octal escapes (\040 for space) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * Is something mounted on @mnt? Returns 0 (free), 1 (a live mount), 2 (a
 * dead procview mount a crashed daemon left), or -errno. @fstype gets the
 * type of the top mount.
 */
static int mount_state(const char *mnt, char *fstype, size_t cap)
{
	struct buf mi = BUF_INIT;
	int rc, found = 0;
	char *save = NULL;

	rc = pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &mi);
	if (rc) {
		buf_free(&mi);
		return rc;
	}
	for (char *line = strtok_r(mi.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char mp[PATH_MAX], type[256];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(sep + 3, "%255s", type) != 1)
			continue;
		unescape(mp);
		if (strcmp(mp, mnt) == 0) {
			found = 1;   /* later lines are mounted on top: keep last */
			snprintf(fstype, cap, "%s", type);
		}
	}
	buf_free(&mi);
	if (!found)
		return 0;
	if (strcmp(fstype, "fuse." FSNAME) == 0) {
		struct stat st;

		if (stat(mnt, &st) && errno == ENOTCONN)
			return 2;
	}
	return 1;
}

static int prepare_mountpoint(const char *arg, char *mnt, size_t cap)
{
	char fstype[256] = "";
	int rc;

	rc = canon_path(arg, mnt, cap);
	if (rc == -ENOENT) {
		rc = mkdir_p(arg);
		if (rc) {
			pv_err("cannot create mountpoint %s: %s", arg, strerror(-rc));
			return rc;
		}
		rc = canon_path(arg, mnt, cap);
	}
	if (rc) {
		pv_err("mountpoint %s: %s", arg, strerror(-rc));
		return rc;
	}
	rc = mount_state(mnt, fstype, sizeof(fstype));
	if (rc < 0) {
		pv_err("cannot read /proc/self/mountinfo: %s", strerror(-rc));
		return rc;
	}
	if (rc == 2) {
		/* A crashed daemon's mount: detach it; remount repair re-binds
		 * the containers that still hold files of it. */
		pv_warn("%s: replacing the dead mount of a previous procviewd", mnt);
		if (umount2(mnt, MNT_DETACH)) {
			pv_err("%s: cannot detach the dead mount: %s", mnt, strerror(errno));
			return -errno;
		}
		rc = 0;
	}
	if (rc == 1) {
		pv_err("mountpoint %s is busy: a %s filesystem is already mounted there%s",
		       mnt, fstype, strcmp(fstype, "fuse." FSNAME) == 0 ?
		       " (another procviewd is serving it)" : "");
		return -EBUSY;
	}
	if (mkdir_p(mnt) == 0) {
		struct stat st;

		if (stat(mnt, &st) == 0 && !S_ISDIR(st.st_mode)) {
			pv_err("mountpoint %s is not a directory", mnt);
			return -ENOTDIR;
		}
	} else {
		pv_err("mountpoint %s: %s", mnt, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Mount bpffs on /sys/fs/bpf when it is missing (pins live there). */
static void ensure_bpffs(const char *pin_dir)
{
	char fstype[256] = "";

	if (strncmp(pin_dir, "/sys/fs/bpf/", 12) != 0)
		return;
	if (mount_state("/sys/fs/bpf", fstype, sizeof(fstype)) == 1 &&
	    strcmp(fstype, "bpf") == 0)
		return;
	if (mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700"))
		pv_warn("cannot mount bpffs on /sys/fs/bpf: %s", strerror(errno));
	else
		pv_info("mounted bpffs on /sys/fs/bpf");
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		int e = errno;

		pv_err("cannot write pidfile %s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

/*
 * Detach before any thread exists (BPF, loadavg and FUSE threads do not
 * survive fork). The parent waits for one status byte from the child: 0
 * when it serves, else the exit code, so errors still reach the terminal
 * and the exit status.
 */
static int daemonize(int *ret_fd)
{
	int p[2];
	pid_t pid;
	unsigned char st = 1;

	if (pipe2(p, O_CLOEXEC)) {
		pv_err("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		pv_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(p[0]);
	if (setsid() < 0)
		pv_warn("setsid: %s", strerror(errno));
	*ret_fd = p[1];
	return 0;
}

static void report_status(int *fd, unsigned char st)
{
	if (*fd < 0)
		return;
	if (write(*fd, &st, 1) != 1)
		pv_warn("cannot report status to the parent: %s", strerror(errno));
	close(*fd);
	*fd = -1;
}

/*
 * A detached daemon keeps no terminal: the log goes to syslog from here
 * on (start-up errors went to the terminal and the exit status already).
 */
static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	pv_log_to_syslog();
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static int discover_cgroups(const struct pv_options *o, struct pv_cgroups *cg)
{
	struct buf mi = BUF_INIT;
	int rc;

	rc = pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &mi);
	if (rc) {
		pv_err("cannot read /proc/self/mountinfo: %s", strerror(-rc));
		goto out;
	}
	rc = pv_cgroups_discover(mi.data ? mi.data : "", o->cgroup_root, cg);
	if (rc) {
		pv_err("cannot discover cgroup hierarchies%s%s: %s",
		       o->cgroup_root ? " below " : "", o->cgroup_root ? o->cgroup_root : "",
		       strerror(-rc));
		goto out;
	}
	rc = pv_cgroups_open(cg);
	if (rc)
		pv_err("cannot open the cgroup hierarchies: %s", strerror(-rc));
out:
	buf_free(&mi);
	return rc;
}

/*
 * Started once the FUSE mount exists; the loop thread must already serve,
 * since the first access waits for the kernel's INIT and the repair looks
 * files of the mount up. Order: serving -> containers repaired -> state
 * published -> readiness to the parent and systemd, so READY=1 means every
 * container reads its files again.
 */
struct ready_ctx {
	const char *mnt;
	int foreground;
	int *status_fd;
	const struct pv_env *env;
};

static void *ready_thread(void *arg)
{
	struct ready_ctx *r = arg;
	char path[PATH_MAX];
	struct stat st;
	int rc, repaired;

	snprintf(path, sizeof(path), "%s/proc", r->mnt);
	if (stat(path, &st)) {
		/* Stopped before serving (signal at start-up). */
		pv_debug("%s: not serving: %s", path, strerror(errno));
		return NULL;
	}
	rc = pv_remount_repair(r->mnt);
	if (rc < 0)
		pv_warn("restart repair of containers' bind mounts failed: %s", strerror(-rc));
	repaired = rc > 0 ? rc : 0;
	rc = pv_dstate_publish_self(pv_dstate_dir(), r->mnt, st.st_dev, r->env->pin_dir,
				    r->env->bpf != NULL, r->env->loadavg != NULL, repaired);
	if (rc < 0)
		pv_warn("cannot publish the daemon state in %s (procviewctl status will "
			"not know it): %s", pv_dstate_dir(), strerror(-rc));
	if (!r->foreground) {
		report_status(r->status_fd, 0);
		detach_stdio();
	}
	rc = pv_sd_notify(r->env->bpf ? "READY=1\nSTATUS=serving"
				      : "READY=1\nSTATUS=serving degraded: no BPF accounting");
	if (rc < 0)
		pv_warn("sd_notify READY=1: %s", strerror(-rc));
	pv_info("serving %s", r->mnt);
	return NULL;
}

/*
 * Cache maintenance: every PV_PRUNE_INTERVAL seconds drop what the caches
 * hold for removed cgroups; on SIGUSR1 log their sizes and the RSS (one
 * "stats:" line an operator or a test can compare before and after churn).
 * SIGUSR1 is blocked in every thread, so only this one takes it.
 */
struct maint_ctx {
	const struct pv_env *env;
	struct pv_reader *reader;
	struct pv_fs *fs;
	struct pv_rid_src *rid;     /* atomic; set once armed, closed after
				       this thread is joined */
	int stop;                   /* atomic */
	unsigned long stat_pruned;  /* this thread only */
};

/* VmRSS, RssAnon, RssFile (kB) and Threads of /proc/self/status; -1 if absent. */
static void self_status(long ret[4])
{
	static const char *const key[4] = { "\nVmRSS:", "\nRssAnon:", "\nRssFile:", "\nThreads:" };
	char text[8192], *p;

	for (int i = 0; i < 4; i++)
		ret[i] = -1;
	if (pv_read_file_at(AT_FDCWD, "/proc/self/status", text, sizeof(text)) < 0)
		return;
	for (int i = 0; i < 4; i++) {
		p = strstr(text, key[i]);
		if (p)
			ret[i] = strtol(p + strlen(key[i]), NULL, 10);
	}
}

static void log_stats(struct maint_ctx *m)
{
	struct pv_reader_stats rs;
	struct pv_fdcache_stats fc;
	struct pv_fs_stats fst;
	unsigned long rid_slot, rid_map, ms_hits, ms_misses, io_hits, io_misses;
	struct mallinfo2 mi = mallinfo2();
	long st[4];

	self_status(st);
	pv_reader_stats(m->reader, &rs);
	pv_fdcache_stats(&fc);
	pv_fs_stats(m->fs, &fst);
	pv_rid_stats(__atomic_load_n(&m->rid, __ATOMIC_ACQUIRE), &rid_slot, &rid_map);
	pv_memstat_cache_stats(&ms_hits, &ms_misses);
	pv_blkio_kept_stats(&io_hits, &io_misses);
	/* malloc's view: in use (heap, mmapped blocks) and free (kept). */
	pv_info("stats: rss_kb=%ld rss_anon_kb=%ld rss_file_kb=%ld threads=%ld heap_used_kb=%zu "
		"mmap_kb=%zu heap_free_kb=%zu handles=%zu reader_ns=%zu reader_cg=%zu "
		"stat_state=%zu pruned_reader=%lu pruned_stat=%lu kept_fds=%zu kept_fd_hits=%lu "
		"kept_fd_misses=%lu reader_id_hits=%lu reader_id_misses=%lu open_render_inline=%lu "
		"open_render_after=%lu open_rendering_read=%lu open_rendering_stale=%lu "
		"rid_slot_hits=%lu rid_map_hits=%lu memstat_kept_hits=%lu memstat_kept_misses=%lu "
		"blkio_kept_hits=%lu blkio_kept_misses=%lu",
		st[0], st[1], st[2], st[3], mi.uordblks / 1024, mi.hblkhd / 1024, mi.fordblks / 1024,
		pv_fs_open_handles(m->fs), rs.ns_entries, rs.cg_entries,
		pv_stat_state_cgids(NULL, 0), rs.pruned, m->stat_pruned, fc.entries, fc.hits,
		fc.misses, rs.id_hits, rs.id_misses, fst.open_render_inline, fst.open_render_after,
		fst.open_rendering_read, fst.open_rendering_stale, rid_slot, rid_map, ms_hits,
		ms_misses, io_hits, io_misses);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *maint_thread(void *arg)
{
	struct maint_ctx *m = arg;
	struct pv_prune_result res;
	double next = mono_s() + PV_PRUNE_INTERVAL;
	int warned = 0;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		double left = next - mono_s();
		struct timespec ts = { 0, 0 };
		int sig;

		if (left > 0) {
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		}
		sig = sigtimedwait(&set, NULL, &ts);
		if (__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE))
			break;
		if (sig == SIGUSR1) {
			log_stats(m);
			continue;
		}
		if (mono_s() < next)
			continue;   /* EINTR */
		next = mono_s() + PV_PRUNE_INTERVAL;
		pv_maint_prune(m->env, m->reader, &res);
		m->stat_pruned += res.stat_dropped;
		if (res.err && !warned) {
			warned = 1;   /* once: the reason will not change */
			pv_warn("cannot prune the /proc/stat state of removed cgroups: %s",
				strerror(-res.err));
		}
		if (res.stat_dropped || res.reader_dropped)
			pv_debug("pruned the state of removed cgroups: %zu /proc/stat, %zu reader cache",
				 res.stat_dropped, res.reader_dropped);
	}
	return NULL;
}

struct resolver {
	struct pv_reader *reader;
	struct pv_rid_src *rid;   /* NULL: every reader is looked up in /proc */
};

static int resolve(void *ctx, pid_t pid, fuse_ino_t ino, struct pv_container *ret,
		   int *reader_cpu)
{
	struct resolver *rs = ctx;
	struct pv_reader_ids ids;
	int err;

	if (rs->rid && !pv_rid_take(rs->rid, pid, ino, &ids)) {
		*reader_cpu = ids.cpu;
		err = pv_reader_resolve_ids(rs->reader, pid, &ids, ret);
		ret->mem = ids.mem;   /* this open's only */
		ret->blkio = ids.blkio;
		return err;
	}
	*reader_cpu = -1;
	err = pv_reader_resolve(rs->reader, pid, ret);
	ret->mem.ok = 0;
	ret->blkio.ok = 0;
	return err;
}

static int resample(void *ctx, pid_t pid, fuse_ino_t ino, struct pv_container *c)
{
	struct resolver *rs = ctx;

	return pv_rid_take_read(rs->rid, pid, ino, &c->mem, &c->blkio);
}

/* Opens and re-reads of meminfo and swaps carry the kernel's memory
   sample (memstat_cache.h) when this kernel counts the memstat epoch and
   memory is on a v1 hierarchy, the one meminfo.c renders from samples;
   re-reads of diskstats its blkio probe (blkio_kept.h) when opens do. */
static void enable_samples(const struct pv_cgroups *cg, struct pv_fs *fs,
			   struct pv_rid_src *rid)
{
	__u64 nodes[PV_SAMPLE_NODES];
	int n, on = 0;

	n = pv_fs_sample_nodes(fs, PV_SAMPLE_MEM, nodes, PV_SAMPLE_NODES);
	if (pv_rid_memstat_epoch(rid) && pv_cg_is_v2(cg, PV_CTRL_MEMORY) == 0 &&
	    !pv_rid_sample_nodes(rid, PV_SAMPLE_MEM, nodes, n))
		on = 1;
	n = pv_fs_sample_nodes(fs, PV_SAMPLE_BLKIO, nodes, PV_SAMPLE_NODES);
	if (pv_rid_blkio_probes(rid) && !pv_rid_sample_nodes(rid, PV_SAMPLE_BLKIO, nodes, n))
		on = 1;
	if (on)
		pv_fs_set_resample(fs, resample);
}

/* In the initial pid namespace FUSE request pids are the kernel's own. */
static int in_initial_pidns(void)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);

	if (n < 0)
		return 0;
	link[n] = '\0';
	return !strcmp(link, "pid:[4026531836]");   /* PROC_PID_INIT_INO */
}

int main(int argc, char **argv)
{
	struct pv_options o;
	struct pv_env env = { 0 };
	struct pv_bpf_opts bo;
	struct pv_reader *reader = NULL;
	struct resolver resolver = { 0 };
	struct pv_fs *fs = NULL;
	struct fuse_session *se = NULL;
	struct fuse_loop_config *lc = NULL;
	char mnt[PATH_MAX], mntopts[512];
	int status_fd = -1, rc, ret = 1, mounted = 0, handlers = 0, pidfile = 0;
	int ready_started = 0, maint_started = 0;
	pthread_t ready_tid, maint_tid;
	struct ready_ctx rctx = { .mnt = mnt, .status_fd = &status_fd, .env = &env };
	struct maint_ctx mctx = { .env = &env };
	sigset_t usr1;

	if (pv_options_parse(argc, argv, &o, stderr))
		return 2;
	if (o.help) {
		pv_options_usage(stdout, "procviewd");
		return 0;
	}
	if (o.version) {
		printf("procviewd %s\n", PV_VERSION);
		return 0;
	}
	pv_log_verbose = o.debug;
	rctx.foreground = o.foreground;
	if (o.cleanup) {
		/* pv_bpf_remove_pins says what went wrong (once). */
		if (pv_bpf_remove_pins(o.pin_dir))
			return 1;
		pv_info("removed procview's pinned BPF state in %s", o.pin_dir);
		return 0;
	}
	exec_without_tcache(argv);
	if (check_caps(!o.no_bpf))
		return 1;
	/* One arena: the worker threads' frees all land where malloc_trim
	   (each prune) can give pages back, not in per-thread heaps. */
	if (!mallopt(M_ARENA_MAX, 1))
		pv_warn("mallopt(M_ARENA_MAX, 1) refused: per-thread heaps stay");
	/* Before any thread exists, so every thread inherits the mask and
	   only the maintenance thread's sigtimedwait takes SIGUSR1. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	rc = pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	if (rc) {
		pv_err("cannot block SIGUSR1: %s", strerror(rc));
		return 1;
	}
	if (check_dev_fuse())
		return 1;
	if (prepare_mountpoint(o.mountpoint, mnt, sizeof(mnt)))
		return 1;
	if (!o.foreground && daemonize(&status_fd))
		return 1;

	env.proc = o.proc;
	env.sys = "/sys";
	env.cpu_quota_view = o.cpu_quota_view;
	env.pin_dir = o.pin_dir;
	rc = (int)sysconf(_SC_NPROCESSORS_ONLN);
	env.host_ncpus = rc > 0 ? rc : 1;
	for (int i = 0; i < PV_MAX_HIER; i++)
		env.cg.h[i].dirfd = -1;

	if (!o.no_bpf)
		ensure_bpffs(o.pin_dir);
	if (discover_cgroups(&o, &env.cg))
		goto out;
	if (o.no_bpf) {
		pv_warn("running degraded: --no-bpf: CPU figures come from cgroup files");
	} else {
		bo = (struct pv_bpf_opts){ .pin_dir = o.pin_dir, .cg = &env.cg };
		rc = pv_bpf_open(&bo, &env.bpf);
		if (rc) {
			pv_warn("running degraded: cannot load BPF (%s): CPU figures come "
				"from cgroup files", strerror(-rc));
			env.bpf = NULL;
		}
	}
	rc = pv_loadavg_start(&env, !o.no_bpf, &env.loadavg);
	if (rc) {
		pv_warn("per-container load averages unavailable: %s", strerror(-rc));
		env.loadavg = NULL;
	}

	rc = pv_reader_new(&env, &reader);
	if (rc) {
		pv_err("cannot set up reader identification: %s", strerror(-rc));
		goto out;
	}
	resolver.reader = reader;
	/* The kernel's record of each open (reader_id.h) needs BPF, the real
	   /proc and cgroupfs (not fixture trees), and request pids that are
	   the kernel's thread ids. */
	if (!o.no_bpf && !o.cgroup_root && !strcmp(o.proc, "/proc") && in_initial_pidns()) {
		rc = pv_rid_open(&env.cg, &resolver.rid);
		if (rc) {
			pv_info("readers are identified through /proc: cannot load the open "
				"hook (%s)", strerror(-rc));
			resolver.rid = NULL;
		}
	}
	fs = pv_fs_new(&env, resolve, &resolver);
	if (!fs) {
		pv_err("out of memory");
		goto out;
	}
	mctx.reader = reader;
	mctx.fs = fs;
	rc = pthread_create(&maint_tid, NULL, maint_thread, &mctx);
	if (rc) {
		pv_err("cannot start the cache maintenance thread: %s", strerror(rc));
		goto out;
	}
	maint_started = 1;
	snprintf(mntopts, sizeof(mntopts),
		 "ro,nosuid,nodev,noexec,allow_other,fsname=%s,subtype=%s", FSNAME, FSNAME);
	{
		char *fargv[] = { argv[0], "-o", mntopts, o.debug ? "-d" : NULL, NULL };
		struct fuse_args args = FUSE_ARGS_INIT(o.debug ? 4 : 3, fargv);

		se = fuse_session_new(&args, pv_fuse_ops(), sizeof(struct fuse_lowlevel_ops), fs);
		fuse_opt_free_args(&args);
	}
	if (!se) {
		pv_err("cannot create the FUSE session");
		goto out;
	}
	/* libfuse installs its handlers only over SIG_DFL; a shell starting
	 * us in the background hands SIGINT down ignored. We promise a clean
	 * unmount on SIGINT and SIGTERM whoever started us. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (fuse_set_signal_handlers(se)) {
		pv_err("cannot install signal handlers");
		goto out;
	}
	handlers = 1;
	if (fuse_session_mount(se, mnt)) {
		pv_err("cannot mount FUSE on %s (see the message above)", mnt);
		goto out;
	}
	mounted = 1;
	if (resolver.rid) {
		rc = pv_rid_arm(resolver.rid, NULL, mnt);
		if (rc) {
			pv_warn("readers are identified through /proc: cannot find %s in "
				"mountinfo (%s)", mnt, strerror(-rc));
			pv_rid_close(resolver.rid);
			resolver.rid = NULL;
		} else {
			__atomic_store_n(&mctx.rid, resolver.rid, __ATOMIC_RELEASE);
			pv_memstat_cache_source(pv_rid_memstat_epoch(resolver.rid),
						pv_rid_cpuhp_steps(resolver.rid));
			enable_samples(&env.cg, fs, resolver.rid);
		}
	}
	pv_debug("mounted %s (pid %d)%s", mnt, (int)getpid(), env.bpf ? "" : " degraded");
	if (o.pidfile) {
		if (write_pidfile(o.pidfile))
			goto out;
		pidfile = 1;
	}
	lc = fuse_loop_cfg_create();
	if (!lc) {
		pv_err("out of memory");
		goto out;
	}
	fuse_loop_cfg_set_max_threads(lc, 16);
	rc = pthread_create(&ready_tid, NULL, ready_thread, &rctx);
	if (rc) {
		pv_err("cannot start the readiness thread: %s", strerror(rc));
		goto out;
	}
	ready_started = 1;
	rc = fuse_session_loop_mt(se, lc);
	pv_sd_notify("STOPPING=1");
	if (rc < 0)
		pv_err("FUSE loop failed: %s", strerror(-rc));
	else
		ret = 0;
	pv_info("stopping: unmounting %s", mnt);
out:
	if (lc)
		fuse_loop_cfg_destroy(lc);
	if (mounted)
		fuse_session_unmount(se);
	if (ready_started)
		pthread_join(ready_tid, NULL);
	report_status(&status_fd, (unsigned char)ret);
	if (maint_started) {
		__atomic_store_n(&mctx.stop, 1, __ATOMIC_RELEASE);
		/* Wakes it now; without it, within PV_PRUNE_INTERVAL. */
		rc = pthread_kill(maint_tid, SIGUSR1);
		if (rc)
			pv_warn("cannot wake the maintenance thread: %s", strerror(rc));
		pthread_join(maint_tid, NULL);
	}
	if (handlers)
		fuse_remove_signal_handlers(se);
	if (se)
		fuse_session_destroy(se);
	pv_fs_free(fs);
	pv_reader_free(reader);
	pv_memstat_cache_source(NULL, NULL);
	pv_rid_close(resolver.rid);
	pv_loadavg_stop(env.loadavg);
	pv_bpf_close(env.bpf);
	pv_cgroups_close(&env.cg);
	if (pidfile && unlink(o.pidfile))
		pv_warn("cannot remove pidfile %s: %s", o.pidfile, strerror(errno));
	return ret;
}
