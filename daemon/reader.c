// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "reader.h"

#define CGTEXT_MAX 8192
#define WALK_MAX 4096     /* PPid steps before giving up on a cycle */

struct ns_entry {
	unsigned long long ns;   /* pid-namespace inode; 0 = free slot */
	pid_t init_pid;
	int init_fd;             /* O_DIRECTORY fd of /proc/<init_pid> */
	char *text;              /* the init's cgroup file, NULL until read */
	double text_time;        /* CLOCK_MONOTONIC when @text was read */
	unsigned long used;      /* LRU tick */
};

/*
 * A cached container, packed: struct pv_container has room for
 * PV_MAX_HIER paths of PV_CGPATH_MAX bytes (16 KiB), nearly all unused.
 * Kept whole, a full cache was 4 MiB that container churn cycled through
 * the allocator; here only the bytes the paths use are kept, and the
 * fields after path[] as they are.
 */
#define CT_PATHS sizeof(((struct pv_container *)0)->path)
#define CT_TAIL (sizeof(struct pv_container) - CT_PATHS)
_Static_assert(offsetof(struct pv_container, path) == 0, "path[] must come first");

struct cg_entry {
	uint64_t hash;
	char *text;              /* /proc/<pid>/cgroup text */
	char *paths;             /* path[0..n-1], each NUL-terminated */
	unsigned short off[PV_MAX_HIER];
	unsigned char tail[CT_TAIL];
	__u64 cpu_cgid, mem_ino;  /* the tail's, for still_valid */
	__u64 ino[PV_MAX_HIER];   /* learnt by pv_reader_resolve_ids: the
				     inodes its paths had when /proc and the
				     kernel's record agreed; 0 until then */
	unsigned long used;
};

struct pv_reader {
	const struct pv_env *env;
	int procfd;
	unsigned long long self_ns;
	pthread_mutex_t lock;    /* protects everything below */
	unsigned long tick;
	struct ns_entry ns[PV_READER_CACHE];
	struct cg_entry *cg[PV_READER_CACHE];
	/* Hash of cg[i]'s learnt inodes, 0 while it has none: the kernel-
	   record lookup scans this array, not the entries. */
	uint64_t idkey[PV_READER_CACHE];
	unsigned long ns_hits, cg_hits, cg_misses, scans, pruned;
	unsigned long id_hits, id_misses;
};

static int ident_hiers(const struct pv_cgroups *cg, int *idx, unsigned int *roles);

static void cg_entry_free(struct cg_entry *e)
{
	free(e->text);
	free(e->paths);
	free(e);
}

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* "pid:[4026531836]" of @dirfd's ns/pid. */
static int read_ns(int dirfd, unsigned long long *ret)
{
	char link[64];
	ssize_t n;
	unsigned long long v;

	n = readlinkat(dirfd, "ns/pid", link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	if (sscanf(link, "pid:[%llu]", &v) != 1 || v == 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int open_pid(int procfd, pid_t pid)
{
	char name[24];
	int fd;

	if (pid <= 0)
		return -ESRCH;
	snprintf(name, sizeof(name), "%d", (int)pid);
	fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

/*
 * Numbers of the status line "@key" (tab-separated) into @ret, at most
 * @max (the rest are checked, not stored). Returns how many the line
 * holds, 0 when absent, -1 when malformed.
 */
static int status_numbers(const char *text, const char *key, pid_t *ret, int max)
{
	size_t klen = strlen(key);
	const char *p = text;
	int n = 0;

	/* The key must start a line ("PPid:" is not "...\tPPid:"). */
	while (p && strncmp(p, key, klen) != 0) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return 0;
	for (p += klen;;) {
		long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		for (v = 0; *p >= '0' && *p <= '9'; p++) {
			if (v > (INT_MAX - (*p - '0')) / 10)
				return -1;   /* no pid is that large */
			v = v * 10 + (*p - '0');
		}
		if (n < max)
			ret[n] = (pid_t)v;
		if (n == INT_MAX)
			return -1;
		n++;
	}
	/* Anything but numbers up to the end of the line: malformed. */
	if (*p != '\n' && *p != '\0')
		return -1;
	return n;
}

/* The first number of line @key, or -1 when absent or malformed. */
static pid_t status_first(const char *text, const char *key)
{
	pid_t v;

	return status_numbers(text, key, &v, 1) > 0 ? v : -1;
}

void pv_parse_pid_status(const char *text, struct pv_pid_status *ret)
{
	int n;

	ret->tgid = status_first(text, "Tgid:");
	ret->ppid = status_first(text, "PPid:");
	n = status_numbers(text, "NSpid:", ret->nspid, PV_PIDNS_DEPTH_MAX);
	if (n <= 0 || n > PV_PIDNS_DEPTH_MAX) {
		/* Deeper than the kernel nests pid namespaces: malformed. */
		ret->nspid_n = 0;
		ret->nspid_last = -1;
	} else {
		ret->nspid_n = n;
		ret->nspid_last = ret->nspid[n - 1];
	}
}

/* Tgid, PPid and the last NSpid field from /proc/<pid>/status. */
static int read_status(int dirfd, pid_t *ret_tgid, pid_t *ret_ppid, pid_t *ret_nspid_last)
{
	char text[8192];
	struct pv_pid_status st;
	ssize_t n;

	n = pv_read_whole_at(dirfd, "status", text, sizeof(text));
	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	pv_parse_pid_status(text, &st);
	if (st.ppid < 0 || st.nspid_last < 0)
		return -EINVAL;
	*ret_tgid = st.tgid > 0 ? st.tgid : 0;   /* 0 when absent (fixtures) */
	*ret_ppid = st.ppid;
	*ret_nspid_last = st.nspid_last;
	return 0;
}

/* Scan every /proc entry for the process that is pid 1 of namespace @ns. */
static int scan_for_init(struct pv_reader *r, unsigned long long ns, pid_t *ret_pid)
{
	int dfd;
	DIR *d;
	struct dirent *de;
	int rc = -ESRCH;

	dfd = openat(r->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		unsigned long long pns;
		pid_t pp, last, tgid;
		int fd;

		if (*end || pid <= 0)
			continue;
		fd = open_pid(r->procfd, (pid_t)pid);
		if (fd < 0)
			continue;
		if (read_ns(fd, &pns) == 0 && pns == ns &&
		    read_status(fd, &tgid, &pp, &last) == 0 && last == 1) {
			*ret_pid = (pid_t)pid;
			rc = 0;
		}
		close(fd);
		if (!rc)
			break;
	}
	closedir(d);
	return rc;
}

/*
 * The init of @ns, the namespace of @pid (@pfd its /proc dir). Returns an
 * fd of the init's /proc dir and its pid, or -errno.
 */
static int find_init(struct pv_reader *r, pid_t pid, int pfd, unsigned long long ns,
		     pid_t *ret_pid)
{
	pid_t cur = pid, ppid, last, tgid;
	int curfd, rc;

	curfd = fcntl(pfd, F_DUPFD_CLOEXEC, 0);
	if (curfd < 0)
		return -errno;
	for (int step = 0; step < WALK_MAX; step++) {
		unsigned long long pns;
		int parfd;

		rc = read_status(curfd, &tgid, &ppid, &last);
		if (rc)
			goto fail;
		if (last == 1) {
			*ret_pid = cur;
			return curfd;
		}
		/*
		 * FUSE gives the reading thread's id: a thread of the init has
		 * its own NSpid, so continue from its thread-group leader.
		 */
		if (tgid > 0 && tgid != cur)
			ppid = tgid;
		if (ppid <= 0)
			break;
		parfd = open_pid(r->procfd, ppid);
		if (parfd < 0)
			break;
		if (read_ns(parfd, &pns) || pns != ns) {
			close(parfd);
			break;   /* cur is the topmost process of @ns here */
		}
		close(curfd);
		curfd = parfd;
		cur = ppid;
	}
	close(curfd);
	/* Joined from outside (setns + fork) or reparented: search. */
	pthread_mutex_lock(&r->lock);
	r->scans++;
	pthread_mutex_unlock(&r->lock);
	rc = scan_for_init(r, ns, &cur);
	if (rc)
		return rc;
	curfd = open_pid(r->procfd, cur);
	if (curfd < 0)
		return curfd;
	*ret_pid = cur;
	return curfd;
fail:
	close(curfd);
	return rc;
}

static void ns_drop(struct ns_entry *e)
{
	if (e->init_fd >= 0)
		close(e->init_fd);
	free(e->text);
	*e = (struct ns_entry){ .init_fd = -1 };
}

int pv_reader_new(const struct pv_env *env, struct pv_reader **ret)
{
	struct pv_reader *r;
	int selffd, rc;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->env = env;
	pthread_mutex_init(&r->lock, NULL);
	for (int i = 0; i < PV_READER_CACHE; i++)
		r->ns[i].init_fd = -1;
	r->procfd = open(env->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->procfd < 0) {
		rc = -errno;
		goto fail;
	}
	selffd = openat(r->procfd, "self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (selffd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = read_ns(selffd, &r->self_ns);
	close(selffd);
	if (rc)
		goto fail;
	*ret = r;
	return 0;
fail:
	pv_reader_free(r);
	return rc;
}

void pv_reader_free(struct pv_reader *r)
{
	if (!r)
		return;
	for (int i = 0; i < PV_READER_CACHE; i++) {
		ns_drop(&r->ns[i]);
		if (r->cg[i])
			cg_entry_free(r->cg[i]);
	}
	if (r->procfd >= 0)
		close(r->procfd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read the cgroup file through @dirfd into @text. 0 or -errno. */
static int read_cgroup(int dirfd, char *text, size_t cap)
{
	ssize_t n = pv_read_whole_at(dirfd, "cgroup", text, cap);

	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	return 0;
}

static struct ns_entry *ns_find(struct pv_reader *r, unsigned long long ns)
{
	for (int i = 0; i < PV_READER_CACHE; i++)
		if (r->ns[i].ns == ns)
			return &r->ns[i];
	return NULL;
}

/*
 * The cgroup-file text of the init of pid namespace @ns (that of reader
 * @pid) into @text, and the init's pid. Cached per namespace; the init's
 * file is re-read when the cached text is older than PV_READER_TTL.
 */
static int ns_init_text(struct pv_reader *r, pid_t pid, unsigned long long ns,
			char *text, size_t cap, pid_t *ret_init)
{
	struct ns_entry *e;
	unsigned long long cur;
	int fd = -1, pfd, initfd, rc;
	pid_t init_pid = 0;
	double now = mono_now();

	pthread_mutex_lock(&r->lock);
	e = ns_find(r, ns);
	if (e) {
		/* Namespace inodes are reused: the init must still be in it. */
		if (read_ns(e->init_fd, &cur) == 0 && cur == ns) {
			e->used = ++r->tick;
			r->ns_hits++;
			init_pid = e->init_pid;
			if (e->text && now - e->text_time < PV_READER_TTL &&
			    strlen(e->text) < cap) {
				strcpy(text, e->text);
				pthread_mutex_unlock(&r->lock);
				*ret_init = init_pid;
				return 0;
			}
			fd = fcntl(e->init_fd, F_DUPFD_CLOEXEC, 0);
		} else {
			ns_drop(e);
		}
	}
	pthread_mutex_unlock(&r->lock);

	if (fd >= 0) {
		initfd = fd;
	} else {
		/* Miss: walk from the reader, whose dir must still be in @ns
		 * (else the pid was reused since the FUSE request). */
		pfd = open_pid(r->procfd, pid);
		if (pfd < 0)
			return pfd;
		if (read_ns(pfd, &cur) || cur != ns) {
			close(pfd);
			return -ESRCH;
		}
		initfd = find_init(r, pid, pfd, ns, &init_pid);
		close(pfd);
		if (initfd < 0)
			return initfd;
	}
	rc = read_cgroup(initfd, text, cap);
	if (rc) {
		close(initfd);
		return rc;
	}

	pthread_mutex_lock(&r->lock);
	e = ns_find(r, ns);
	if (!e) {
		struct ns_entry *victim = &r->ns[0];

		for (int i = 1; i < PV_READER_CACHE && victim->ns; i++)
			if (!r->ns[i].ns || r->ns[i].used < victim->used)
				victim = &r->ns[i];
		ns_drop(victim);
		e = victim;
		e->ns = ns;
		e->init_pid = init_pid;
		e->init_fd = initfd;
		initfd = -1;
	}
	if (e->init_pid == init_pid) {
		char *copy = strdup(text);

		if (copy) {
			free(e->text);
			e->text = copy;
			e->text_time = now;
		}
	}
	e->used = ++r->tick;
	pthread_mutex_unlock(&r->lock);
	if (initfd >= 0)
		close(initfd);
	*ret_init = init_pid;
	return 0;
}

static int stat_dir(const struct pv_cgroups *cg, int h, const char *path, ino_t *ret)
{
	struct stat st;
	const char *rel = path;

	while (*rel == '/')
		rel++;
	if (fstatat(cg->h[h].dirfd, *rel ? rel : ".", &st, 0))
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	*ret = st.st_ino;
	return 0;
}

/* The cached container is still the live one: same directory inodes. */
static int still_valid(const struct pv_cgroups *cg, const struct cg_entry *e)
{
	int hc = cg->cpu_acct, hm = cg->by_ctrl[PV_CTRL_MEMORY];
	ino_t ino;

	if (hc >= 0 && hc < cg->n &&
	    (stat_dir(cg, hc, e->paths + e->off[hc], &ino) || (__u64)ino != e->cpu_cgid))
		return 0;
	if (hm >= 0 && hm < cg->n && hm != hc &&
	    (stat_dir(cg, hm, e->paths + e->off[hm], &ino) || (__u64)ino != e->mem_ino))
		return 0;
	return 1;
}

static void cg_drop(struct pv_reader *r, int i)
{
	cg_entry_free(r->cg[i]);
	r->cg[i] = NULL;
	r->idkey[i] = 0;
}

static int cg_pack(struct cg_entry *e, const struct pv_container *c, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += strnlen(c->path[i], PV_CGPATH_MAX - 1) + 1;
	e->paths = malloc(len ? len : 1);
	if (!e->paths)
		return -ENOMEM;
	len = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strnlen(c->path[i], PV_CGPATH_MAX - 1);

		memcpy(e->paths + len, c->path[i], l);
		e->paths[len + l] = '\0';
		e->off[i] = (unsigned short)len;   /* < PV_MAX_HIER * PV_CGPATH_MAX */
		len += l + 1;
	}
	memcpy(e->tail, (const char *)c + CT_PATHS, CT_TAIL);
	e->cpu_cgid = c->cpu_cgid;
	e->mem_ino = c->mem_ino;
	return 0;
}

static void cg_unpack(const struct cg_entry *e, int n, struct pv_container *ret)
{
	for (int i = 0; i < PV_MAX_HIER; i++) {
		if (i < n)
			strcpy(ret->path[i], e->paths + e->off[i]);
		else
			ret->path[i][0] = '\0';
	}
	memcpy((char *)ret + CT_PATHS, e->tail, CT_TAIL);
}

/* Container for cgroup-file @text, from the cache or parsed and cached. */
static int container_of(struct pv_reader *r, const char *text, struct pv_container *ret)
{
	const struct pv_cgroups *cg = &r->env->cg;
	uint64_t h = hash_text(text);
	struct cg_entry *e;
	int victim, rc, hm;

	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < PV_READER_CACHE; i++) {
		e = r->cg[i];
		if (e && e->hash == h && strcmp(e->text, text) == 0) {
			if (still_valid(cg, e)) {
				e->used = ++r->tick;
				r->cg_hits++;
				cg_unpack(e, cg->n, ret);
				pthread_mutex_unlock(&r->lock);
				return 0;
			}
			cg_drop(r, i);   /* removed or re-created: re-derive */
			break;
		}
	}
	r->cg_misses++;
	pthread_mutex_unlock(&r->lock);

	/* Parsed straight into @ret: callers use it only on success. */
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	memset(ret, 0, sizeof(*ret));
	rc = pv_parse_proc_cgroup(cg, text, ret);
	if (!rc)
		rc = pv_container_ids(cg, ret);
	hm = cg->by_ctrl[PV_CTRL_MEMORY];
	if (!rc && hm >= 0 && hm < cg->n) {
		ino_t mino;

		rc = stat_dir(cg, hm, ret->path[hm], &mino);
		ret->mem_ino = (__u64)mino;
	}
	if (!rc && !(e->text = strdup(text)))
		rc = -ENOMEM;
	if (!rc)
		rc = cg_pack(e, ret, cg->n);
	if (rc) {
		cg_entry_free(e);
		return rc;
	}
	e->hash = h;

	pthread_mutex_lock(&r->lock);
	/* Free slot, else the least recently used entry. */
	victim = 0;
	for (int i = 0; i < PV_READER_CACHE; i++) {
		if (!r->cg[i]) {
			victim = i;
			break;
		}
		if (r->cg[i]->used < r->cg[victim]->used)
			victim = i;
	}
	if (r->cg[victim])
		cg_drop(r, victim);
	e->used = ++r->tick;
	r->cg[victim] = e;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

int pv_reader_resolve(struct pv_reader *r, pid_t pid, struct pv_container *ret)
{
	char text[CGTEXT_MAX], name[40];
	unsigned long long ns;
	pid_t init_pid = pid;
	int rc, own = 0;
	ssize_t n;

	if (pid <= 0)
		return -ESRCH;
	/*
	 * By number, not through a /proc/<pid> fd: the reader is blocked in
	 * our request, so its pid cannot be reused unless it was killed, and
	 * then the reply goes nowhere. What is cached is keyed by what was
	 * read (namespace, cgroup text), and the init walk re-checks that the
	 * pid still lives in the namespace.
	 */
	snprintf(name, sizeof(name), "%d/ns/pid", (int)pid);
	n = readlinkat(r->procfd, name, text, 63);
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	text[n] = '\0';
	if (sscanf(text, "pid:[%llu]", &ns) != 1)
		return -EINVAL;
	if (ns != r->self_ns) {
		own = 1;
		rc = ns_init_text(r, pid, ns, text, sizeof(text), &init_pid);
	} else {
		snprintf(name, sizeof(name), "%d/cgroup", (int)pid);
		n = pv_read_whole_at(r->procfd, name, text, sizeof(text));
		rc = n < 0 ? (n == -ENOENT ? -ESRCH : (int)n) : 0;
	}
	if (rc)
		return rc;
	rc = container_of(r, text, ret);
	if (rc)
		return rc;
	ret->reader_pid = pid;
	ret->init_pid = init_pid;
	ret->own_pidns = own;
	return 0;
}

/* Key of the inodes @ino[] has in the hierarchies @idx[] (never 0). */
static uint64_t ids_key(const __u64 *ino, const int *idx, int n)
{
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < n; i++)
		h = (h ^ ino[idx[i]]) * 1099511628211ULL;
	return h ? h : 1;
}

/* @e's learnt inodes are @ids' in every hierarchy a producer reads. */
static int ids_match(const struct cg_entry *e, const int *idx, int n,
		     const struct pv_reader_ids *ids)
{
	for (int i = 0; i < n; i++)
		if (e->ino[idx[i]] != ids->ino[idx[i]])
			return 0;
	return 1;
}

/*
 * After a /proc lookup for a reader the kernel also reported: when the
 * container's directories have the reported inodes right now, its cache
 * entry learns them, so the next reader of that container takes the fast
 * path. Nothing is learnt when they differ (the reader moved meanwhile).
 */
static void learn_ids(struct pv_reader *r, const struct pv_container *c, const int *idx,
		      int n, const struct pv_reader_ids *ids)
{
	const struct pv_cgroups *cg = &r->env->cg;
	int hc = cg->cpu_acct;

	for (int i = 0; i < n; i++) {
		ino_t ino;

		if (stat_dir(cg, idx[i], c->path[idx[i]], &ino) || (__u64)ino != ids->ino[idx[i]])
			return;
	}
	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < PV_READER_CACHE; i++) {
		struct cg_entry *e = r->cg[i];

		if (e && e->cpu_cgid == c->cpu_cgid && e->mem_ino == c->mem_ino &&
		    (hc < 0 || !strcmp(e->paths + e->off[hc], c->path[hc]))) {
			for (int j = 0; j < n; j++)
				e->ino[idx[j]] = ids->ino[idx[j]];
			r->idkey[i] = ids_key(e->ino, idx, n);
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
}

int pv_reader_resolve_ids(struct pv_reader *r, pid_t pid, const struct pv_reader_ids *ids,
			  struct pv_container *ret)
{
	const struct pv_cgroups *cg = &r->env->cg;
	int idx[PV_MAX_HIER], n, rc;
	unsigned int roles[PV_MAX_HIER];
	uint64_t key;

	if (pid <= 0)
		return -ESRCH;
	n = ident_hiers(cg, idx, roles);
	for (int i = 0; i < n; i++)
		if (!ids->ino[idx[i]])
			return pv_reader_resolve(r, pid, ret);   /* not all known */
	key = ids_key(ids->ino, idx, n);
	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < PV_READER_CACHE; i++) {
		struct cg_entry *e = r->cg[i];

		if (r->idkey[i] == key && e && ids_match(e, idx, n, ids)) {
			e->used = ++r->tick;
			r->id_hits++;
			cg_unpack(e, cg->n, ret);
			pthread_mutex_unlock(&r->lock);
			for (int j = 0; j < n; j++)
				ret->ino[idx[j]] = ids->ino[idx[j]];
			ret->reader_pid = pid;
			ret->init_pid = ids->init_pid;
			ret->own_pidns = ids->own_pidns;
			return 0;
		}
	}
	r->id_misses++;
	pthread_mutex_unlock(&r->lock);
	rc = pv_reader_resolve(r, pid, ret);
	if (!rc)
		learn_ids(r, ret, idx, n, ids);
	return rc;
}

void pv_reader_stats(struct pv_reader *r, struct pv_reader_stats *ret)
{
	struct pv_reader_stats s = { 0 };

	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < PV_READER_CACHE; i++) {
		s.ns_entries += r->ns[i].ns != 0;
		s.cg_entries += r->cg[i] != NULL;
	}
	s.ns_hits = r->ns_hits;
	s.cg_hits = r->cg_hits;
	s.cg_misses = r->cg_misses;
	s.scans = r->scans;
	s.id_hits = r->id_hits;
	s.id_misses = r->id_misses;
	s.pruned = r->pruned;
	pthread_mutex_unlock(&r->lock);
	*ret = s;
}

size_t pv_reader_prune(struct pv_reader *r)
{
	const struct pv_cgroups *cg = &r->env->cg;
	unsigned long long cur;
	size_t dropped = 0;

	/* Under the lock: at most PV_READER_CACHE readlinks and stats on
	   procfs/cgroupfs, a fraction of a millisecond every prune. */
	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < PV_READER_CACHE; i++) {
		struct ns_entry *e = &r->ns[i];

		if (e->ns && (read_ns(e->init_fd, &cur) || cur != e->ns)) {
			ns_drop(e);
			dropped++;
		}
		if (r->cg[i] && !still_valid(cg, r->cg[i])) {
			cg_drop(r, i);
			dropped++;
		}
	}
	r->pruned += dropped;
	pthread_mutex_unlock(&r->lock);
	return dropped;
}

/* Hierarchies whose files some producer reads for a container, with the
 * roles each plays (one hierarchy may hold several controllers). */
static int ident_hiers(const struct pv_cgroups *cg, int *idx, unsigned int *roles)
{
	int n = 0, cand[PV_CTRL__COUNT + 1];
	unsigned int role[PV_CTRL__COUNT + 1];

	cand[0] = cg->cpu_acct;
	role[0] = PV_IDENT_CPU_ACCT;
	for (int c = 0; c < PV_CTRL__COUNT; c++) {
		cand[c + 1] = cg->by_ctrl[c];
		role[c + 1] = 1u << c;
	}
	for (int i = 0; i < PV_CTRL__COUNT + 1; i++) {
		int j;

		if (cand[i] < 0 || cand[i] >= cg->n)
			continue;
		for (j = 0; j < n && idx[j] != cand[i]; j++)
			;
		if (j == n) {
			idx[n] = cand[i];
			roles[n++] = 0;
		}
		roles[j] |= role[i];
	}
	return n;
}

int pv_cg_ident_get(const struct pv_cgroups *cg, const struct pv_container *c,
		    unsigned int roles, struct pv_cg_ident *ret)
{
	struct pv_cg_ident id = { 0 };
	int all[PV_MAX_HIER], n;
	unsigned int all_roles[PV_MAX_HIER];
	ino_t ino;
	int rc;

	n = ident_hiers(cg, all, all_roles);
	for (int i = 0; i < n; i++)
		if (all_roles[i] & roles) {
			id.idx[id.n] = all[i];
			id.roles[id.n++] = all_roles[i];
		}
	for (int i = 0; i < id.n; i++) {
		/* The lookup that produced @c has just checked these two
		   directories (a cache hit re-checks them): no second stat. */
		if (c->ino[id.idx[i]]) {   /* from the kernel at open */
			id.ino[i] = c->ino[id.idx[i]];
			continue;
		}
		if (id.idx[i] == cg->cpu_acct && c->cpu_cgid) {
			id.ino[i] = c->cpu_cgid;
			continue;
		}
		if (id.idx[i] == cg->by_ctrl[PV_CTRL_MEMORY] && c->mem_ino) {
			id.ino[i] = c->mem_ino;
			continue;
		}
		rc = stat_dir(cg, id.idx[i], c->path[id.idx[i]], &ino);
		if (rc)
			return rc;
		id.ino[i] = (__u64)ino;
	}
	*ret = id;
	return 0;
}

int pv_cg_ident_check(const struct pv_cgroups *cg, const struct pv_container *c,
		      const struct pv_cg_ident *id, unsigned int roles)
{
	ino_t ino;
	int rc;

	for (int i = 0; i < id->n; i++) {
		if (!(id->roles[i] & roles))
			continue;
		rc = stat_dir(cg, id->idx[i], c->path[id->idx[i]], &ino);
		if (rc == -ENOENT || (!rc && (__u64)ino != id->ino[i]))
			return -ESTALE;
		if (rc)
			return rc;
	}
	return 0;
}
