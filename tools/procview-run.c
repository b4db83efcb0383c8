// SPDX-License-Identifier: GPL-2.0-only
/*
 * procview-run: run a command as a small container that sees procview's
 * views. A fresh cgroup is made below the caller's own cgroup in every
 * hierarchy (v1 controllers, name=systemd, unified) with the limits asked
 * for; the command runs in new mount and pid namespaces with a fresh /proc
 * and procview's files bind-mounted over /proc/<file> and
 * /sys/devices/system/cpu/online. The cgroups are removed afterwards and
 * the command's exit status is returned.
 *
 * Processes: this one (stays outside, cleans up) -> a helper that joins
 * the cgroups and unshares -> the namespace's pid 1, a tiny init that
 * mounts, forwards signals to the command and reaps -> the command.
 * procviewd keys a container on the cgroup of its pid namespace's init,
 * so the init must be in the new cgroup before it starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "vfile.h"

#define PROG "procview-run"
#define FUSE_SUPER_MAGIC 0x65735546
#define CFS_PERIOD 100000

struct opts {
	unsigned long long memory;  /* bytes, 0 = no limit */
	double cpus;                /* 0 = no quota */
	const char *cpuset;         /* NULL = the parent's CPUs */
	const char *mount;
	const char *name;           /* cgroup directory name */
	int print_cgroup;
	char **cmd;
};

static struct pv_cgroups cg;
static char made[PV_MAX_HIER][PATH_MAX];   /* cgroup dirs we created */
static int nmade;
static volatile pid_t fwd_pid;             /* where signals are forwarded */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void cleanup_cgroups(void);

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup_cgroups();
	exit(125);
}

static void usage(FILE *out)
{
	fprintf(out,
"NAME\n"
"    " PROG " - run a command in a fresh cgroup that sees procview's views\n"
"\n"
"SYNOPSIS\n"
"    " PROG " [OPTIONS] -- CMD [ARGS...]\n"
"\n"
"DESCRIPTION\n"
"    Creates a cgroup below the caller's own in every hierarchy, applies the\n"
"    limits, and runs CMD in new mount and pid namespaces (CMD's parent is a\n"
"    tiny init, pid 1) with a fresh /proc and the files served by procviewd\n"
"    bind-mounted over /proc/{meminfo,cpuinfo,stat,uptime,loadavg,diskstats,\n"
"    swaps} and /sys/devices/system/cpu/online. Removes the cgroup when CMD\n"
"    ends and exits with CMD's status (128+N when killed by signal N).\n"
"\n"
"OPTIONS\n"
"    --memory SIZE       memory limit; suffixes k, m, g, t (powers of 1024)\n"
"    --cpus N            CFS quota in CPUs, e.g. 0.5 or 2\n"
"    --cpuset LIST       CPUs the command may use, e.g. 0 or 0-1\n"
"    --mount DIR         where procviewd serves (default /var/lib/procview)\n"
"    --cgroup-name NAME  name of the cgroup directory (default\n"
"                        procview-run-<pid>)\n"
"    --print-cgroup      print \"cgroup<TAB>CONTROLLERS<TAB>DIR\" for every\n"
"                        created directory on stderr before CMD starts\n"
"    -h, --help          this text\n"
"\n"
"EXIT STATUS\n"
"    CMD's status; 125 when " PROG " itself fails; 126/127 when CMD cannot\n"
"    be run / found.\n"
"\n"
"EXAMPLES\n"
"    " PROG " --memory 200m -- free -m          # total: 200\n"
"    " PROG " --cpuset 0 -- nproc               # 1\n"
"    " PROG " --cpus 0.5 -- sh -c 'top -b -n 2'\n");
}

static int parse_size(const char *s, unsigned long long *ret)
{
	char *end;
	double v;
	unsigned long long mul = 1;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -EINVAL;
	switch (*end) {
	case 't': case 'T': mul <<= 10; /* fall through */
	case 'g': case 'G': mul <<= 10; /* fall through */
	case 'm': case 'M': mul <<= 10; /* fall through */
	case 'k': case 'K': mul <<= 10; end++; break;
	case 'b': case 'B': end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end || v * (double)mul > 9.2e18)
		return -EINVAL;
	*ret = (unsigned long long)(v * (double)mul);
	return 0;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "cpuset", required_argument, NULL, 's' },
		{ "mount", required_argument, NULL, 'M' },
		{ "cgroup-name", required_argument, NULL, 'n' },
		{ "print-cgroup", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	o->mount = "/var/lib/procview";
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &o->memory))
				die("--memory %s: not a size (e.g. 200m, 1g)", optarg);
			break;
		case 'c':
			errno = 0;
			o->cpus = strtod(optarg, &end);
			if (errno || *end || !(o->cpus > 0) || o->cpus > 4096)
				die("--cpus %s: not a CPU count (e.g. 0.5, 2)", optarg);
			break;
		case 's':
			if (!*optarg || strspn(optarg, "0123456789,-") != strlen(optarg))
				die("--cpuset %s: not a CPU list (e.g. 0 or 0-1,3)", optarg);
			o->cpuset = optarg;
			break;
		case 'M': o->mount = optarg; break;
		case 'n':
			if (!*optarg || strchr(optarg, '/') || !strcmp(optarg, ".") || !strcmp(optarg, ".."))
				die("--cgroup-name %s: not a directory name", optarg);
			o->name = optarg;
			break;
		case 'p': o->print_cgroup = 1; break;
		case 'h': usage(stdout); exit(0);
		default:
			fprintf(stderr, "Try '" PROG " --help'.\n");
			exit(125);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": no command given\nTry '" PROG " --help'.\n");
		exit(125);
	}
	o->cmd = argv + optind;
}

/* Every served file must be a live procview file, or the demo lies. */
static void check_views(const char *mnt)
{
	for (size_t i = 0; i < pv_nvfiles; i++) {
		char path[PATH_MAX];
		struct statfs sf;
		int fd;

		snprintf(path, sizeof(path), "%s%s", mnt, pv_vfiles[i].path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("%s is not served: start procviewd (%s)", path,
			    errno == ENOTCONN ? "its daemon died" : strerror(errno));
		if (fstatfs(fd, &sf) || sf.f_type != FUSE_SUPER_MAGIC) {
			close(fd);
			die("%s is not served: start procviewd (it is not a FUSE file)", path);
		}
		close(fd);
	}
}

static int write_file(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	int fd, rc = 0;
	size_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		rc = -errno;
	close(fd);
	return rc;
}

static void set_or_die(const char *dir, const char *file, const char *val)
{
	int rc = write_file(dir, file, val);

	if (rc)
		die("cannot write '%s' to %s/%s: %s", val, dir, file, strerror(-rc));
}

static void cleanup_cgroups(void)
{
	/* Tasks of the command may still be exiting: retry for ~2 s. */
	for (int i = nmade - 1; i >= 0; i--) {
		int ok = 0;

		for (int t = 0; t < 100 && !ok; t++) {
			if (rmdir(made[i]) == 0 || errno == ENOENT)
				ok = 1;
			else
				nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
		}
		if (!ok)
			fprintf(stderr, PROG ": cannot remove cgroup %s: %s\n", made[i], strerror(errno));
	}
	nmade = 0;
}

/* v2: the controller must be enabled in the parent's subtree_control. */
static void v2_enable(const char *parent, const char *ctrl)
{
	char plus[64];
	int rc;

	snprintf(plus, sizeof(plus), "+%s", ctrl);
	rc = write_file(parent, "cgroup.subtree_control", plus);
	if (rc)
		die("cannot enable the %s controller in %s: %s (cgroup v2 allows "
		    "controllers only below a cgroup without processes; run from a "
		    "delegated scope, e.g. systemd-run --scope -p Delegate=yes)",
		    ctrl, parent, strerror(-rc));
}

static void make_cgroups(const struct opts *o, char *name)
{
	char text[8192], val[64];
	struct pv_container *self;
	ssize_t n;
	int rc, hm, hc, hs;

	rc = pv_cgroups_discover(NULL, NULL, &cg);
	if (rc)
		die("cannot find the cgroup hierarchies in /proc/self/mountinfo: %s", strerror(-rc));
	self = calloc(1, sizeof(*self));
	if (!self)
		die("out of memory");
	n = pv_read_file_at(AT_FDCWD, "/proc/self/cgroup", text, sizeof(text));
	if (n < 0)
		die("cannot read /proc/self/cgroup: %s", strerror((int)-n));
	rc = pv_parse_proc_cgroup(&cg, text, self);
	if (rc)
		die("cannot parse /proc/self/cgroup: %s", strerror(-rc));

	hm = cg.by_ctrl[PV_CTRL_MEMORY];
	hc = cg.by_ctrl[PV_CTRL_CPU];
	hs = cg.by_ctrl[PV_CTRL_CPUSET];
	for (int i = 0; i < cg.n; i++) {
		char parent[PATH_MAX], *dir = made[nmade];
		const char *p = self->path[i];

		snprintf(parent, sizeof(parent), "%s%s", cg.h[i].mount, strcmp(p, "/") ? p : "");
		if ((size_t)snprintf(dir, PATH_MAX, "%s/%s", parent, name) >= PATH_MAX)
			die("cgroup path too long below %s", parent);
		if (cg.h[i].v2) {
			if (i == hm && o->memory)
				v2_enable(parent, "memory");
			if (i == hc && o->cpus > 0)
				v2_enable(parent, "cpu");
			if (i == hs && o->cpuset)
				v2_enable(parent, "cpuset");
		}
		if (mkdir(dir, 0755))
			die("cannot create cgroup %s: %s", dir, strerror(errno));
		nmade++;
		if (i == hs && !cg.h[i].v2) {
			/* v1 cpuset starts empty: nothing may join until set. */
			char buf[4096];

			if (pv_read_file_at(AT_FDCWD, strcat(strcpy(buf, parent), "/cpuset.mems"),
					    text, sizeof(text)) < 0)
				die("cannot read %s", buf);
			set_or_die(dir, "cpuset.mems", text);
			if (!o->cpuset) {
				if (pv_read_file_at(AT_FDCWD, strcat(strcpy(buf, parent), "/cpuset.cpus"),
						    text, sizeof(text)) < 0)
					die("cannot read %s", buf);
				set_or_die(dir, "cpuset.cpus", text);
			}
		}
		if (i == hs && o->cpuset)
			set_or_die(dir, "cpuset.cpus", o->cpuset);
		if (i == hm && o->memory) {
			snprintf(val, sizeof(val), "%llu", o->memory);
			set_or_die(dir, cg.h[i].v2 ? "memory.max" : "memory.limit_in_bytes", val);
		}
		if (i == hc && o->cpus > 0) {
			long long quota = (long long)(o->cpus * CFS_PERIOD + 0.5);

			if (quota < 1000)
				quota = 1000;   /* the kernel's minimum */
			if (cg.h[i].v2) {
				snprintf(val, sizeof(val), "%lld %d", quota, CFS_PERIOD);
				set_or_die(dir, "cpu.max", val);
			} else {
				snprintf(val, sizeof(val), "%d", CFS_PERIOD);
				set_or_die(dir, "cpu.cfs_period_us", val);
				snprintf(val, sizeof(val), "%lld", quota);
				set_or_die(dir, "cpu.cfs_quota_us", val);
			}
		}
		if (o->print_cgroup)
			fprintf(stderr, "cgroup\t%s\t%s\n", cg.h[i].v2 ? "" : cg.h[i].ctrls, dir);
	}
	free(self);
}

/*
 * Forward signals sent with kill(2) down to the command. Signals from the
 * terminal (Ctrl-C: si_code SI_KERNEL) reach the whole foreground process
 * group, the command included, so forwarding them would double them.
 */
static void forward(int sig, siginfo_t *si, void *uc)
{
	if (fwd_pid > 0 && si && si->si_code != SI_KERNEL)
		kill(fwd_pid, sig);
}

static const int fwd_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static void forward_signals(void)
{
	struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_RESTART | SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fwd_sigs) / sizeof(fwd_sigs[0]); i++)
		sigaction(fwd_sigs[i], &sa, NULL);
}

static void default_signals(void)
{
	for (size_t i = 0; i < sizeof(fwd_sigs) / sizeof(fwd_sigs[0]); i++)
		signal(fwd_sigs[i], SIG_DFL);
}

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 125;
}

static void ns_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void ns_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(125);
}

/* pid 1 of the new namespace: mounts, then runs and reaps. */
static void run_init(const struct opts *o)
{
	pid_t cmd;

	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		ns_die("cannot mount a fresh /proc: %s", strerror(errno));
	for (size_t i = 0; i < pv_nvfiles; i++) {
		char src[PATH_MAX];
		const char *dst = pv_vfiles[i].path;

		snprintf(src, sizeof(src), "%s%s", o->mount, dst);
		if (mount(src, dst, NULL, MS_BIND, NULL))
			ns_die("cannot bind %s over %s: %s", src, dst, strerror(errno));
		/* Read-only in the container too (the bind keeps the source's
		 * flags only for the superblock). */
		if (mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
			  MS_NODEV | MS_NOEXEC, NULL))
			ns_die("cannot make %s read-only: %s", dst, strerror(errno));
	}
	cmd = fork();
	if (cmd < 0)
		ns_die("fork: %s", strerror(errno));
	if (cmd == 0) {
		default_signals();
		execvp(o->cmd[0], o->cmd);
		fprintf(stderr, PROG ": cannot run %s: %s\n", o->cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	fwd_pid = cmd;
	/* Reap everything (orphans are re-parented to us); leave with cmd. */
	for (;;) {
		int st;
		pid_t p = wait(&st);

		if (p < 0) {
			if (errno == EINTR)
				continue;
			_exit(125);
		}
		if (p == cmd)
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) :
			      WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 125);
	}
}

/* Joins the cgroups, unshares, and starts pid 1 of the new namespace. */
static void run_helper(const struct opts *o)
{
	pid_t init;

	for (int i = 0; i < nmade; i++)
		if (write_file(made[i], "cgroup.procs", "0"))
			ns_die("cannot join cgroup %s: %s", made[i], strerror(errno));
	if (unshare(CLONE_NEWNS | CLONE_NEWPID))
		ns_die("cannot create mount and pid namespaces: %s", strerror(errno));
	/* Our mounts must not propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		ns_die("cannot make / a slave mount: %s", strerror(errno));
	init = fork();
	if (init < 0)
		ns_die("fork: %s", strerror(errno));
	if (init == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		run_init(o);
	}
	fwd_pid = init;
	_exit(wait_status(init));
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	char name[NAME_MAX + 1];
	pid_t helper;
	int rc;

	parse_args(argc, argv, &o);
	check_views(o.mount);
	if (o.name)
		snprintf(name, sizeof(name), "%s", o.name);
	else
		snprintf(name, sizeof(name), PROG "-%d", (int)getpid());
	forward_signals();
	make_cgroups(&o, name);
	fflush(stderr);
	helper = fork();
	if (helper < 0)
		die("fork: %s", strerror(errno));
	if (helper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		run_helper(&o);
	}
	fwd_pid = helper;
	rc = wait_status(helper);
	cleanup_cgroups();
	return rc;
}
