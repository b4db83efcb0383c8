// SPDX-License-Identifier: GPL-2.0-only
/*
 * Restart repair (see remount.h for the rules). The scan reads every live
 * process's mountinfo once per mount namespace; the repair itself happens in
 * a short-lived child per namespace that only issues raw syscalls, so it is
 * safe to fork from the multithreaded daemon.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "log.h"
#include "remount.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

/*
 * How long a namespace child may take. Its work is a handful of syscalls
 * (setns, chroot, umount2, move_mount: milliseconds even on a loaded host);
 * only a path lookup hanging in someone else's dead FUSE mount takes
 * longer, and readiness waits for the slowest namespace.
 */
#define PV_NSBIND_TIMEOUT_MS 2000
/* Namespaces repaired at once (each is one short-lived child). */
#define PV_REPAIR_WORKERS 8

/* Decode mountinfo's octal escapes (\040 space, \011 tab, \012, \134) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static char *next_field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	e = strchr(s, ' ');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

int pv_mnt_parse(char *line, struct pv_mnt *ret)
{
	struct pv_mnt m = { 0 };
	char *p = line, *f[6], *opt;
	char *end;

	for (int i = 0; i < 6; i++)
		if (!(f[i] = next_field(&p)))
			return -EINVAL;
	errno = 0;
	m.id = (int)strtol(f[0], &end, 10);
	if (*end || errno)
		return -EINVAL;
	m.parent = (int)strtol(f[1], &end, 10);
	if (*end || errno)
		return -EINVAL;
	if (sscanf(f[2], "%u:%u", &m.major, &m.minor) != 2)
		return -EINVAL;
	m.root = f[3];
	m.target = f[4];
	m.opts = f[5];
	/* Optional fields ("shared:N", "master:N", ...) end at a lone "-". */
	while ((opt = next_field(&p)) && strcmp(opt, "-") != 0)
		;
	if (!opt)
		return -EINVAL;
	if (!(m.fstype = next_field(&p)) || !(m.source = next_field(&p)))
		return -EINVAL;
	unescape(m.root);
	unescape(m.target);
	unescape(m.source);
	*ret = m;
	return 0;
}

int pv_mnt_is_procview(const struct pv_mnt *m)
{
	/* "fuse.procviewd", "fuse.procview", or plain "fuse" with an fsname
	   naming procview: the daemon picks its fsname/subtype, we only rely
	   on the word. */
	if (strncmp(m->fstype, "fuse", 4) != 0)
		return 0;
	return strstr(m->fstype, "procview") || strstr(m->source, "procview");
}

unsigned int pv_mnt_attr(const char *opts)
{
	static const struct { const char *name; unsigned int attr; } map[] = {
		{ "ro", MOUNT_ATTR_RDONLY },
		{ "nosuid", MOUNT_ATTR_NOSUID },
		{ "nodev", MOUNT_ATTR_NODEV },
		{ "noexec", MOUNT_ATTR_NOEXEC },
	};
	unsigned int attr = 0;
	const char *p = opts;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strlen(map[i].name) == len && strncmp(p, map[i].name, len) == 0)
				attr |= map[i].attr;
		p = e ? e + 1 : NULL;
	}
	return attr;
}

/* ---- history of devices served at a mountpoint ---- */

int pv_remount_history_path(const char *state_dir, const char *mountpoint,
			    char *dst, size_t cap)
{
	char name[200];
	uint32_t h = 2166136261u; /* FNV-1a: keeps escaped names unique */
	size_t w = 0;
	int n;

	for (const char *s = mountpoint; *s; s++) {
		h = (h ^ (unsigned char)*s) * 16777619u;
		if (w < sizeof(name) - 1)
			name[w++] = isalnum((unsigned char)*s) || *s == '.' || *s == '-' ? *s : '_';
	}
	name[w] = '\0';
	n = snprintf(dst, cap, "%s/mounts/%s-%08x", state_dir, name, h);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int pv_remount_history_load(const char *path, dev_t *devs, int max)
{
	char text[4096], *p, *line;
	ssize_t r;
	int n = 0;

	r = pv_read_file_at(AT_FDCWD, path, text, sizeof(text));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return (int)r;
	for (p = text; (line = strsep(&p, "\n"));) {
		unsigned int ma, mi;

		if (sscanf(line, "%u:%u", &ma, &mi) != 2)
			continue;
		if (n == max) {
			memmove(devs, devs + 1, sizeof(*devs) * (size_t)(max - 1));
			n--;
		}
		devs[n++] = makedev(ma, mi);
	}
	return n;
}

int pv_mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, len + 1);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int pv_remount_history_add(const char *path, dev_t dev)
{
	dev_t devs[PV_REMOUNT_HISTORY];
	char dir[PATH_MAX], tmp[PATH_MAX + 8];
	int n, fd, err = 0;
	FILE *f;

	n = pv_remount_history_load(path, devs, PV_REMOUNT_HISTORY);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (devs[i] == dev)
			return 0;
	if (n == PV_REMOUNT_HISTORY) {
		memmove(devs, devs + 1, sizeof(devs[0]) * (PV_REMOUNT_HISTORY - 1));
		n--;
	}
	devs[n++] = dev;

	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	err = pv_mkdir_p(dir);
	if (err)
		return err;
	/* Write a new file and rename it: a crash never leaves half a list. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	for (int i = 0; i < n; i++)
		fprintf(f, "%u:%u\n", major(devs[i]), minor(devs[i]));
	if (fclose(f) != 0)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* ---- entering a mount namespace ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Child side: only raw syscalls from here on (forked from a threaded
   process). Reports one int per entry on @wfd, after a setup status. */
static void __attribute__((noreturn))
nsbind_child(int wfd, int nsfd, int rootfd, int enter, const struct pv_nsbind *b,
	     const int *trees, size_t n)
{
	int st = 0;

	if (enter && setns(nsfd, CLONE_NEWNS) < 0)
		st = errno;
	else if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		st = errno;
	if (write(wfd, &st, sizeof(st)) != sizeof(st) || st)
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		int r = -1;   /* not attempted: parent keeps its own result */

		if (trees[i] >= 0) {
			/* EINVAL: nothing mounted there (already detached). */
			if (b[i].replace && umount2(b[i].dst, MNT_DETACH) < 0 && errno != EINVAL)
				r = errno;
			else if (move_mount(trees[i], "", AT_FDCWD, b[i].dst,
					    MOVE_MOUNT_F_EMPTY_PATH) < 0)
				r = errno;
			else
				r = 0;
		}
		if (write(wfd, &r, sizeof(r)) != sizeof(r))
			_exit(1);
	}
	_exit(0);
}

/* Read exactly @len bytes from @fd before @deadline (ms). */
static int read_full(int fd, void *dst, size_t len, int64_t deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		r = read(fd, (char *)dst + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		got += (size_t)r;
	}
	return 0;
}

int pv_ns_bind(pid_t pid, struct pv_nsbind *b, size_t n)
{
	char path[64];
	struct stat own, their;
	int nsfd = -1, rootfd = -1, pfd[2] = { -1, -1 };
	int *trees = NULL;
	int err = 0, done = 0, st = 0;
	int64_t deadline;
	pid_t child;

	if (n == 0)
		return 0;
	trees = calloc(n, sizeof(*trees));
	if (!trees)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		trees[i] = -1;

	/* pid 0: ourselves ("self" also works where our pid namespace is
	   not the one /proc shows, as in an OCI createContainer hook). */
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/mnt");
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		err = -errno;
		goto out;
	}
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/root");
	rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		err = -errno;
		goto out;
	}
	if (stat("/proc/self/ns/mnt", &own) < 0 || fstat(nsfd, &their) < 0) {
		err = -errno;
		goto out;
	}

	/* Clone in our namespace, where the live mount is. */
	for (size_t i = 0; i < n; i++) {
		b[i].result = 0;
		trees[i] = open_tree(AT_FDCWD, b[i].src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (trees[i] < 0) {
			b[i].result = -errno;
			continue;
		}
		if (b[i].attr) {
			struct mount_attr ma = { .attr_set = b[i].attr };

			/* The filesystem refuses writes anyway; a clone left
			   writable is logged, not dropped. */
			if (mount_setattr(trees[i], "", AT_EMPTY_PATH, &ma, sizeof(ma)) < 0)
				pv_warn("remount: set flags 0x%x on clone of %s: %s",
					b[i].attr, b[i].src, strerror(errno));
		}
	}

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		err = -errno;
		goto out;
	}
	child = fork();
	if (child < 0) {
		err = -errno;
		goto out;
	}
	if (child == 0) {
		close(pfd[0]);
		nsbind_child(pfd[1], nsfd, rootfd, own.st_ino != their.st_ino, b, trees, n);
	}
	close(pfd[1]);
	pfd[1] = -1;

	deadline = now_ms() + PV_NSBIND_TIMEOUT_MS;
	err = read_full(pfd[0], &st, sizeof(st), deadline);
	if (!err && st)
		err = -st;
	for (size_t i = 0; !err && i < n; i++) {
		int r;

		err = read_full(pfd[0], &r, sizeof(r), deadline);
		if (err)
			break;
		if (r >= 0)
			b[i].result = -r;
		if (b[i].result == 0)
			done++;
	}
	if (err == -ETIMEDOUT)
		kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
out:
	for (size_t i = 0; i < n; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	free(trees);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (rootfd >= 0)
		close(rootfd);
	if (nsfd >= 0)
		close(nsfd);
	return err ? err : done;
}

/* ---- the scan ---- */

/* Bind mounts to redo in one mount namespace (entered through @pid). */
struct job {
	pid_t pid;
	size_t n;
	struct pv_nsbind *b;
};

struct scan {
	char live_mnt[PATH_MAX]; /* mount point of the live mount, as mounted */
	dev_t live;
	dev_t old[PV_REMOUNT_HISTORY];
	int nold;
	ino_t *seen;             /* mount namespaces already handled */
	size_t nseen, capseen;
	struct job *jobs;
	size_t njobs, capjobs;
};

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->njobs; i++)
		free(s->jobs[i].b);
	free(s->jobs);
	free(s->seen);
}

static int seen_add(struct scan *s, ino_t ino)
{
	for (size_t i = 0; i < s->nseen; i++)
		if (s->seen[i] == ino)
			return 0;
	if (s->nseen == s->capseen) {
		size_t cap = s->capseen ? s->capseen * 2 : 64;
		ino_t *p = realloc(s->seen, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->seen = p;
		s->capseen = cap;
	}
	s->seen[s->nseen++] = ino;
	return 1;
}

static int is_old(const struct scan *s, dev_t dev)
{
	if (dev == s->live)
		return 0;
	for (int i = 0; i < s->nold; i++)
		if (s->old[i] == dev)
			return 1;
	return 0;
}

/*
 * The live procview mount at @mountpoint from our mountinfo, without
 * touching the mount itself: the caller may be the FUSE server, not yet
 * answering requests. The topmost mount on the path wins.
 */
static int find_live(const char *mountpoint, struct scan *s)
{
	char want[PATH_MAX];
	struct buf text = BUF_INIT;
	char *p, *line;
	size_t len;
	int err, found = 0, ours = 0;

	if (mountpoint[0] == '/') {
		snprintf(want, sizeof(want), "%s", mountpoint);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (snprintf(want, sizeof(want), "%s/%s", cwd, mountpoint) >= (int)sizeof(want))
			return -ENAMETOOLONG;
	}
	len = strlen(want);
	while (len > 1 && want[len - 1] == '/')
		want[--len] = '\0';

	err = pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &text);
	if (err)
		return err;
	for (p = text.data; p && (line = strsep(&p, "\n"));) {
		struct pv_mnt m;

		if (pv_mnt_parse(line, &m) < 0 || strcmp(m.target, want) != 0)
			continue;
		found = 1;
		ours = pv_mnt_is_procview(&m);
		s->live = makedev(m.major, m.minor);
	}
	buf_free(&text);
	if (!found || !ours)
		return -ENOTCONN;
	snprintf(s->live_mnt, sizeof(s->live_mnt), "%s", want);
	return 0;
}

/* Queue the dead binds of @pid's mount namespace. */
static int collect_ns(struct scan *s, pid_t pid)
{
	char path[PATH_MAX + 64];
	struct buf text = BUF_INIT;
	struct pv_mnt *m = NULL;
	struct pv_nsbind *b = NULL;
	size_t nm = 0, cap = 0, nb = 0;
	char *p, *line;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	err = pv_read_file_buf(AT_FDCWD, path, &text);
	if (err)
		goto out;
	for (p = text.data; p && (line = strsep(&p, "\n"));) {
		struct pv_mnt one;

		if (!*line || pv_mnt_parse(line, &one) < 0)
			continue;
		if (nm == cap) {
			struct pv_mnt *q;

			cap = cap ? cap * 2 : 256;
			q = realloc(m, cap * sizeof(*q));
			if (!q) {
				err = -ENOMEM;
				goto out;
			}
			m = q;
		}
		m[nm++] = one;
	}

	for (size_t i = 0; i < nm; i++) {
		struct statfs sfs;
		int hidden = 0;

		if (!pv_mnt_is_procview(&m[i]) || !is_old(s, makedev(m[i].major, m[i].minor)))
			continue;
		/* A later mount on the same path covers this one: not what
		   the container sees, leave it. */
		for (size_t j = i + 1; j < nm && !hidden; j++)
			hidden = strcmp(m[j].target, m[i].target) == 0;
		if (hidden)
			continue;
		/* Its daemon is gone, so this fails at once, no waiting. */
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, m[i].target);
		if (statfs(path, &sfs) == 0 || errno != ENOTCONN)
			continue;   /* alive: someone else's mount on a reused dev */
		if (!b && !(b = calloc(nm, sizeof(*b)))) {
			err = -ENOMEM;
			goto out;
		}
		snprintf(b[nb].src, sizeof(b[nb].src), "%s%s", s->live_mnt,
			 strcmp(m[i].root, "/") ? m[i].root : "");
		snprintf(b[nb].dst, sizeof(b[nb].dst), "%s", m[i].target);
		b[nb].attr = pv_mnt_attr(m[i].opts);
		b[nb].replace = 1;
		nb++;
	}
	if (nb == 0)
		goto out;
	if (s->njobs == s->capjobs) {
		size_t jcap = s->capjobs ? s->capjobs * 2 : 16;
		struct job *q = realloc(s->jobs, jcap * sizeof(*q));

		if (!q) {
			err = -ENOMEM;
			goto out;
		}
		s->jobs = q;
		s->capjobs = jcap;
	}
	s->jobs[s->njobs++] = (struct job){ .pid = pid, .n = nb, .b = b };
	b = NULL;
	err = (int)nb;
out:
	free(b);
	free(m);
	buf_free(&text);
	return err;
}

/* Fill @s->jobs. Returns the number of binds queued or -errno. */
static int collect(const char *mountpoint, struct scan *s)
{
	char hist[PATH_MAX];
	const char *state_dir = getenv("PV_STATE_DIR");
	struct stat own;
	struct dirent *de;
	DIR *d;
	int err, total = 0;

	err = find_live(mountpoint, s);
	if (err)
		return err;
	err = pv_remount_history_path(state_dir && *state_dir ? state_dir : PV_REMOUNT_STATE_DIR,
				      s->live_mnt, hist, sizeof(hist));
	if (err)
		return err;
	s->nold = pv_remount_history_load(hist, s->old, PV_REMOUNT_HISTORY);
	if (s->nold < 0) {
		pv_warn("remount: history %s: %s", hist, strerror(-s->nold));
		s->nold = 0;
	}
	err = pv_remount_history_add(hist, s->live);
	if (err)
		pv_warn("remount: cannot record %s in %s: %s (a later restart "
			"will not repair binds of this mount)", s->live_mnt, hist, strerror(-err));
	if (s->nold == 0 || (s->nold == 1 && s->old[0] == s->live))
		return 0;   /* no earlier mount here: nothing can be stale */

	if (stat("/proc/self/ns/mnt", &own) < 0)
		return -errno;
	d = opendir("/proc");
	if (!d)
		return -errno;
	err = seen_add(s, own.st_ino);
	while (err >= 0 && (de = readdir(d))) {
		char nspath[300];
		struct stat ns;
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		int r;

		if (*end || pid <= 0)
			continue;
		snprintf(nspath, sizeof(nspath), "/proc/%ld/ns/mnt", pid);
		if (stat(nspath, &ns) < 0)
			continue;   /* gone, or a kernel thread */
		err = seen_add(s, ns.st_ino);
		if (err <= 0)
			continue;
		r = collect_ns(s, (pid_t)pid);
		if (r > 0)
			total += r;
	}
	closedir(d);
	return err < 0 ? err : total;
}

/* Redo the binds of one namespace, log each result. Returns the number done. */
static int run_job(const struct job *jb)
{
	int r = pv_ns_bind(jb->pid, jb->b, jb->n);

	if (r < 0) {
		pv_warn("remount: cannot enter mount namespace of pid %d: %s", (int)jb->pid,
			strerror(-r));
		return 0;
	}
	for (size_t i = 0; i < jb->n; i++) {
		if (jb->b[i].result)
			pv_warn("remount: pid %d: bind %s on %s: %s", (int)jb->pid, jb->b[i].src,
				jb->b[i].dst, strerror(-jb->b[i].result));
		else
			pv_info("remount: pid %d: re-bound %s", (int)jb->pid, jb->b[i].dst);
	}
	return r;
}

/* Namespaces are independent: workers share one queue of jobs. */
struct pool {
	struct scan *s;
	pthread_mutex_t lock;
	size_t next;   /* protected by lock */
	int done;      /* protected by lock */
};

static void *pool_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t j;
		int r;

		pthread_mutex_lock(&p->lock);
		j = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (j >= p->s->njobs)
			return NULL;
		r = run_job(&p->s->jobs[j]);
		pthread_mutex_lock(&p->lock);
		p->done += r;
		pthread_mutex_unlock(&p->lock);
	}
}

/*
 * Carry out the queued binds, up to PV_REPAIR_WORKERS namespaces at once:
 * one hung container costs the others nothing and the whole repair at most
 * PV_NSBIND_TIMEOUT_MS more. Returns the number done.
 */
static int run_jobs(struct scan *s)
{
	struct pool p = { .s = s, .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t tids[PV_REPAIR_WORKERS - 1];
	size_t want = s->njobs < PV_REPAIR_WORKERS ? s->njobs : PV_REPAIR_WORKERS, nt = 0;

	/* We are a worker too; a thread that cannot start is one fewer. */
	for (size_t i = 1; i < want; i++) {
		int e = pthread_create(&tids[nt], NULL, pool_worker, &p);

		if (e)
			pv_debug("remount: repair worker: %s", strerror(e));
		else
			nt++;
	}
	pool_worker(&p);
	for (size_t i = 0; i < nt; i++)
		pthread_join(tids[i], NULL);
	return p.done;
}

int pv_remount_repair(const char *mountpoint)
{
	struct scan s = { 0 };
	int err = collect(mountpoint, &s);

	if (err > 0) {
		err = run_jobs(&s);
		pv_info("remount: re-bound %d container file(s) from %s", err, s.live_mnt);
	}
	scan_free(&s);
	return err;
}

int pv_remount_repair_sync(const char *mountpoint)
{
	return pv_remount_repair(mountpoint);
}
