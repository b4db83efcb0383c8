// SPDX-License-Identifier: GPL-2.0-only
/*
 * Low-level FUSE API: the tree is fixed and tiny, so inode numbers are
 * indices into one node table built from pv_vfiles[] at start, and no path
 * strings are built per request.
 *
 * Read semantics (DESIGN.md): each open renders into a per-handle buffer;
 * every read at offset 0 renders afresh (tools keep /proc files open and
 * re-read from 0); reads at other offsets slice the current rendering, so
 * `dd bs=1` sees one consistent file and pread at any offset of a fresh
 * handle works.
 *
 * Open replies as soon as it knows the reader's container and renders
 * after the reply, holding the handle's lock: the rendering then overlaps
 * the reader's way back to user space and its read(2) request, which cost
 * more than the rendering itself, instead of adding to them. That needs a
 * second CPU: when the kernel's record of the open says the reader queued
 * it on this thread's own CPU, where it waits, open renders before the
 * reply instead (overlapping there only adds a hand-over of the handle's
 * lock, several context switches, to the reader's read). So do files whose
 * rendering counts the reader as a running task (stat, loadavg): after the
 * reply the reader may be running, or already asleep in its read, as they
 * count. The first read at offset 0 takes that rendering when it comes
 * within PV_OPEN_RENDER_FRESH_NS of the rendering's start (cat, free, ps,
 * Python: tens of µs; procview_reader_id.h, shared with the BPF program,
 * which samples no memory for such a read) — the same figures a rendering
 * inside open would have given — and renders afresh otherwise, so a
 * handle read long after open never shows figures from its open. Files
 * use direct_io, so read(2) never goes through the page cache and never
 * stops at the reported size.
 *
 * Size: not 0 as on /proc. sendfile(2)/splice(2) of a FUSE file go through
 * the page cache even with direct_io (fuse_splice_read ->
 * filemap_splice_read), bounded by i_size: with size 0, busybox `cat`
 * (every Alpine container) prints nothing. So a file reports an upper bound
 * of its length: the longest rendering seen so far (the host's file at
 * start), rounded up to 4 KiB; the kernel trims i_size to the real end on
 * the short read (fuse_short_read), so nothing past the text is spliced.
 * st_blksize is the same value, so `wc -c` (which trusts st_size only in
 * whole blocks) reads the file, and `tail` on files up to 8 KiB reads it
 * from offset 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cglimits.h"
#include "fileio.h"
#include "fuse_ops.h"
#include "log.h"
#include "procview_reader_id.h"
#include "reader.h"
#include "vfile.h"

#define PV_MAX_NODES 64
/* Short: the tree never changes, but a short timeout keeps a restarted
 * daemon's fresh mount from meeting long-lived stale kernel entries. */
#define PV_TIMEOUT 1.0
struct pv_node {
	char *name;                 /* component; "" for the root */
	fuse_ino_t parent;
	const struct pv_vfile *vf;  /* NULL for directories */
	size_t max_len;             /* longest rendering seen (atomic) */
};

struct pv_fs {
	const struct pv_env *env;
	pv_resolve_fn resolve;
	pv_resample_fn resample;   /* NULL: re-reads read the files */
	void *resolve_ctx;
	struct timespec mtime;      /* daemon start: times of every node */
	/* Every open handle, so the ones a reader still holds when the daemon
	   stops (no RELEASE comes then) are freed too. */
	pthread_mutex_t handles_lock;
	struct pv_handle *open_list;
	int n;                      /* nodes; ino = index + 1 (root = 1) */
	struct pv_node node[PV_MAX_NODES];
	struct pv_fs_stats stats;   /* atomic counters */
};

struct pv_handle {
	struct pv_handle *prev, *next;   /* fs->open_list, under handles_lock */
	pthread_mutex_t lock;       /* protects c's use, out and logged */
	struct pv_node *node;
	const struct pv_vfile *vf;
	struct pv_container *c;     /* the reader's container at open */
	struct pv_cg_ident id;      /* c's cgroup directories at open */
	struct buf out;             /* the current rendering */
	int rendered;               /* out holds a rendering */
	int open_rendering;         /* out is the rendering made at open, unread */
	long long open_render_ns;   /* CLOCK_MONOTONIC at its start */
	int logged;                 /* producer error already logged */
};

const char *pv_container_name(const struct pv_env *env, const struct pv_container *c)
{
	int i = env->cg.cpu_acct;

	if (i < 0 || i >= env->cg.n)
		i = env->cg.by_ctrl[PV_CTRL_MEMORY];
	if (i < 0 || i >= env->cg.n)
		return "/";
	return c->path[i];
}

static struct pv_node *node_get(struct pv_fs *fs, fuse_ino_t ino)
{
	if (ino < 1 || ino > (fuse_ino_t)fs->n)
		return NULL;
	return &fs->node[ino - 1];
}

static void note_len(struct pv_node *n, size_t len)
{
	size_t cur = __atomic_load_n(&n->max_len, __ATOMIC_RELAXED);

	while (len > cur &&
	       !__atomic_compare_exchange_n(&n->max_len, &cur, len, 1, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

/* The host's own file behind @path ("/proc/x" or "/sys/..."): its length
 * seeds the size bound before any reader has rendered the file. */
static void seed_len(const struct pv_env *env, struct pv_node *n, const char *path)
{
	struct buf b = BUF_INIT;
	char host[PATH_MAX];
	int len;

	if (!strncmp(path, "/proc/", 6))
		len = snprintf(host, sizeof(host), "%s/%s", env->proc, path + 6);
	else if (!strncmp(path, "/sys/", 5))
		len = snprintf(host, sizeof(host), "%s/%s", env->sys ? env->sys : "/sys", path + 5);
	else
		return;
	if (len > 0 && (size_t)len < sizeof(host) && pv_read_file_buf(AT_FDCWD, host, &b) == 0)
		note_len(n, b.len);
	buf_free(&b);
}

static fuse_ino_t node_child(struct pv_fs *fs, fuse_ino_t parent, const char *name)
{
	for (int i = 1; i < fs->n; i++)
		if (fs->node[i].parent == parent && strcmp(fs->node[i].name, name) == 0)
			return (fuse_ino_t)i + 1;
	return 0;
}

/* Add (or find) @name below @parent; returns its ino or 0 when full. */
static fuse_ino_t node_add(struct pv_fs *fs, fuse_ino_t parent, const char *name,
			   size_t len, const struct pv_vfile *vf)
{
	char *copy;
	fuse_ino_t ino;

	copy = strndup(name, len);
	if (!copy)
		return 0;
	ino = node_child(fs, parent, copy);
	if (ino) {
		free(copy);
		return ino;
	}
	if (fs->n >= PV_MAX_NODES) {
		free(copy);
		return 0;
	}
	fs->node[fs->n] = (struct pv_node){ .name = copy, .parent = parent, .vf = vf };
	return (fuse_ino_t)++fs->n;
}

struct pv_fs *pv_fs_new(const struct pv_env *env, pv_resolve_fn resolve, void *resolve_ctx)
{
	struct pv_fs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->env = env;
	pthread_mutex_init(&fs->handles_lock, NULL);
	fs->resolve = resolve;
	fs->resolve_ctx = resolve_ctx;
	clock_gettime(CLOCK_REALTIME, &fs->mtime);
	fs->node[0] = (struct pv_node){ .name = strdup(""), .parent = 1 };
	fs->n = 1;
	if (!fs->node[0].name)
		goto fail;
	for (size_t i = 0; i < pv_nvfiles; i++) {
		const char *p = pv_vfiles[i].path;
		fuse_ino_t dir = 1;

		while (*p == '/')
			p++;
		for (;;) {
			const char *slash = strchr(p, '/');

			if (!slash) {
				fuse_ino_t f = node_add(fs, dir, p, strlen(p), &pv_vfiles[i]);

				if (!f)
					goto fail;
				seed_len(env, node_get(fs, f), pv_vfiles[i].path);
				break;
			}
			dir = node_add(fs, dir, p, (size_t)(slash - p), NULL);
			if (!dir)
				goto fail;
			p = slash + 1;
		}
	}
	return fs;
fail:
	pv_fs_free(fs);
	return NULL;
}

void pv_fs_set_resample(struct pv_fs *fs, pv_resample_fn fn)
{
	__atomic_store_n(&fs->resample, fn, __ATOMIC_RELEASE);
}

int pv_fs_sample_nodes(struct pv_fs *fs, unsigned int what, __u64 *nodes, int max)
{
	int n = 0;

	for (int i = 0; i < fs->n && n < max; i++)
		if (fs->node[i].vf && (fs->node[i].vf->samples & what))
			nodes[n++] = (__u64)i + 1;   /* node_get: ino - 1 */
	return n;
}

static void handle_free(struct pv_fs *fs, struct pv_handle *h);

void pv_fs_free(struct pv_fs *fs)
{
	if (!fs)
		return;
	while (fs->open_list)
		handle_free(fs, fs->open_list);
	pthread_mutex_destroy(&fs->handles_lock);
	for (int i = 0; i < fs->n; i++)
		free(fs->node[i].name);
	free(fs);
}

static void fill_attr(struct pv_fs *fs, fuse_ino_t ino, struct stat *st)
{
	struct pv_node *n = node_get(fs, ino);

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (n->vf) {
		/* An upper bound of the length: see the top of this file. */
		size_t len = __atomic_load_n(&n->max_len, __ATOMIC_RELAXED);

		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = (off_t)((len + 4096) & ~(size_t)4095);
		st->st_blksize = (blksize_t)st->st_size;
		st->st_blocks = 0;
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	}
	st->st_atim = st->st_mtim = st->st_ctim = fs->mtime;
	if (!n->vf)
		st->st_blksize = 4096;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pv_fs *fs = fuse_req_userdata(req);
	struct fuse_entry_param e;
	struct pv_node *p = node_get(fs, parent);
	fuse_ino_t ino;

	if (!p || p->vf) {
		fuse_reply_err(req, p ? ENOTDIR : ENOENT);
		return;
	}
	ino = node_child(fs, parent, name);
	if (!ino) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = ino;
	e.attr_timeout = PV_TIMEOUT;
	e.entry_timeout = PV_TIMEOUT;
	fill_attr(fs, ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pv_fs *fs = fuse_req_userdata(req);
	struct stat st;

	if (!node_get(fs, ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(fs, ino, &st);
	fuse_reply_attr(req, &st, PV_TIMEOUT);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct pv_fs *fs = fuse_req_userdata(req);
	struct pv_node *n = node_get(fs, ino);
	struct stat st = { 0 };
	char *buf;
	size_t len = 0, cap = 4096;
	off_t idx = 0;

	if (!n || n->vf) {
		fuse_reply_err(req, n ? ENOTDIR : ENOENT);
		return;
	}
	buf = malloc(cap);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* Entries carry their index + 1 as the next offset. */
	for (int i = -2; i < fs->n; i++) {
		const char *name;
		fuse_ino_t eino;
		size_t need;

		if (i == -2) {
			name = ".";
			eino = ino;
		} else if (i == -1) {
			name = "..";
			eino = n->parent;
		} else if (i > 0 && fs->node[i].parent == ino) {
			name = fs->node[i].name;
			eino = (fuse_ino_t)i + 1;
		} else {
			continue;
		}
		idx++;
		if (idx <= off)
			continue;
		st.st_ino = eino;
		st.st_mode = node_get(fs, eino)->vf ? S_IFREG : S_IFDIR;
		need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);
		if (len + need > size)
			break;
		if (len + need > cap) {
			/* Not reached for this tree; stop rather than grow. */
			break;
		}
		fuse_add_direntry(req, buf + len, cap - len, name, &st, idx);
		len += need;
	}
	fuse_reply_buf(req, buf, len);
	free(buf);
}

/*
 * A broken cgroup is read by every open of every reader in it: log each
 * (file, cgroup, error) once a minute, not once per read.
 */
#define LOGGED_SLOTS 64
#define LOG_INTERVAL 60
static struct {
	uint64_t key;
	time_t at;
} logged[LOGGED_SLOTS];   /* protected by logged_lock */
static pthread_mutex_t logged_lock = PTHREAD_MUTEX_INITIALIZER;

static int should_log(const char *file, const char *cgroup, int err)
{
	uint64_t key = 1469598103934665603ULL ^ (uint64_t)(unsigned int)err;
	time_t now = time(NULL);
	int slot, ret;

	for (const char *s = file; *s; s++)
		key = (key ^ (unsigned char)*s) * 1099511628211ULL;
	for (const char *s = cgroup; *s; s++)
		key = (key ^ (unsigned char)*s) * 1099511628211ULL;
	slot = (int)(key % LOGGED_SLOTS);
	pthread_mutex_lock(&logged_lock);
	ret = logged[slot].key != key || now - logged[slot].at >= LOG_INTERVAL;
	if (ret) {
		logged[slot].key = key;
		logged[slot].at = now;
	}
	pthread_mutex_unlock(&logged_lock);
	return ret;
}

/*
 * Is @h's container still the cgroup it was opened in? Producers read
 * cgroups by path, and a path outlives its cgroup: removed and made again
 * under the same name, it is another container (other limits, other
 * usage). Checks the hierarchies with a role in @roles (one stat each).
 * 0, or -ESTALE/-errno, logged once per handle.
 */
static int same_cgroup(struct pv_fs *fs, struct pv_handle *h, unsigned int roles)
{
	const char *cg;
	int rc;

	if (h->c->host)
		return 0;   /* the root cgroups are never removed */
	if (!roles)
		return 0;
	rc = pv_cg_ident_check(&fs->env->cg, h->c, &h->id, roles);
	if (rc && !h->logged) {
		h->logged = 1;
		cg = pv_container_name(fs->env, h->c);
		if (should_log(h->vf->path, cg, rc))
			pv_warn("%s: cannot render for cgroup %s (reader pid %d): %s",
				h->vf->path, cg, (int)h->c->reader_pid,
				rc == -ESTALE ? "the cgroup was removed or re-created since open"
					      : strerror(-rc));
	}
	return rc;
}

/*
 * Render @h afresh. 0 or -EIO (logged once per handle). Every rendering,
 * the first included (a handle may be read long after open, by another
 * process), checks afterwards that the cgroups it read are still the ones
 * taken at open (a cgroup made again under the same name while we read
 * it): one stat per hierarchy the file's producer reads. The /proc/stat
 * and /proc/uptime producers write state keyed by the CPU cgroup id, so
 * that directory is also checked before.
 */
static int render(struct pv_fs *fs, struct pv_handle *h)
{
	unsigned int roles = h->vf->ident_roles, verified;
	int rc;

	buf_reset(&h->out);
	if (same_cgroup(fs, h, h->vf->ident_roles_before)) {
		h->c->mem.ok = h->c->blkio.ok = 0;
		return -EIO;
	}
	pv_cg_verified_reset();
	rc = h->vf->produce(fs->env, h->c, &h->out);
	/* The kernel's memory sample and blkio probe are of one request
	   (the OPEN, or a re-read's READ): never of a later rendering. */
	h->c->mem.ok = h->c->blkio.ok = 0;
	if (!rc)
		rc = buf_error(&h->out);
	/* Hierarchies the producer read only through the directory inodes
	 * of the handle's identity need no stat (cglimits.h). */
	verified = h->vf->cg_reads_only ? pv_cg_verified() : 0;
	for (int i = 0; i < h->id.n; i++)
		if (verified & (1u << h->id.idx[i]))
			roles &= ~h->id.roles[i];
	/* -ESTALE: a read through the identity found another cgroup. */
	if (same_cgroup(fs, h, rc == -ESTALE ? h->vf->ident_roles : roles) || rc == -ESTALE) {
		buf_reset(&h->out);
		return -EIO;
	}
	if (!rc) {
		note_len(h->node, h->out.len);
		return 0;
	}
	if (!h->logged) {
		h->logged = 1;
		if (should_log(h->vf->path, pv_container_name(fs->env, h->c), rc))
				pv_err("%s: cannot render for cgroup %s (reader pid %d): %s",
			       h->vf->path, pv_container_name(fs->env, h->c),
			       (int)h->c->reader_pid, strerror(-rc));
	}
	buf_reset(&h->out);
	return -EIO;
}

static void count(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void handle_free(struct pv_fs *fs, struct pv_handle *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&fs->handles_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		fs->open_list = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&fs->handles_lock);
	pthread_mutex_destroy(&h->lock);
	buf_free(&h->out);
	free(h->c);
	free(h);
}

static void open_render(struct pv_fs *fs, struct pv_handle *h)
{
	h->open_render_ns = mono_ns();
	h->rendered = !render(fs, h);
	h->open_rendering = h->rendered;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pv_fs *fs = fuse_req_userdata(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct pv_node *n = node_get(fs, ino);
	struct pv_handle *h;
	int rc, reader_cpu = -1;

	if (!n) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!n->vf) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h || !(h->c = calloc(1, sizeof(*h->c)))) {
		free(h);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&fs->handles_lock);
	h->next = fs->open_list;
	if (h->next)
		h->next->prev = h;
	fs->open_list = h;
	pthread_mutex_unlock(&fs->handles_lock);
	pthread_mutex_init(&h->lock, NULL);
	h->node = n;
	h->vf = n->vf;
	rc = fs->resolve(fs->resolve_ctx, ctx->pid, ino, h->c, &reader_cpu);
	if (!rc && !h->c->host)
		rc = pv_cg_ident_get(&fs->env->cg, h->c,
				     n->vf->ident_roles | n->vf->ident_roles_before, &h->id);
	/* Reads of the container's own directories go through these inodes
	   from now on (cglimits.h), so every rendering is of this identity. */
	for (int i = 0; !rc && i < h->id.n; i++)
		h->c->ino[h->id.idx[i]] = h->id.ino[i];
	if (rc) {
		/* -ESRCH: the reader is gone (its reply goes nowhere). */
		if (rc == -ESRCH)
			pv_debug("%s: reader pid %d is gone", n->vf->path, (int)ctx->pid);
		else if (rc == -ENOENT || rc == -ESTALE)
			pv_debug("%s: the cgroup of reader pid %d went away during the lookup",
				 n->vf->path, (int)ctx->pid);
		else if (should_log(n->vf->path, "?", rc))
			pv_warn("%s: cannot tell whose container reader pid %d is in: %s",
				n->vf->path, (int)ctx->pid, strerror(-rc));
		handle_free(fs, h);
		fuse_reply_err(req, rc == -ENOMEM ? ENOMEM : EIO);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)h;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->nonseekable = 0;
	if ((reader_cpu >= 0 && reader_cpu == sched_getcpu()) || n->vf->counts_reader) {
		/* The reader waits on this CPU: nothing would overlap; or the
		   rendering counts the reader's run state (vfile.h). No read
		   of the handle can come before the reply, so the lock is not
		   held across it: the woken reader may preempt us right there,
		   and its read would then wait for our unlock. */
		count(&fs->stats.open_render_inline);
		pthread_mutex_lock(&h->lock);
		open_render(fs, h);
		pthread_mutex_unlock(&h->lock);
		if (fuse_reply_open(req, fi) == -ENOENT)
			handle_free(fs, h);   /* interrupted: no release follows */
		return;
	}
	/* Locked before the reply: a read of this handle may arrive as soon
	   as it is out, and must wait for the rendering. */
	pthread_mutex_lock(&h->lock);
	if (fuse_reply_open(req, fi) == -ENOENT) {
		pthread_mutex_unlock(&h->lock);
		handle_free(fs, h);
		return;
	}
	count(&fs->stats.open_render_after);
	open_render(fs, h);
	pthread_mutex_unlock(&h->lock);
}

/* Does this read take the rendering made at open (see the top)? */
static int take_open_rendering(struct pv_fs *fs, struct pv_handle *h, off_t off)
{
	int take;

	if (!h->open_rendering)
		return 0;
	take = off != 0 || mono_ns() - h->open_render_ns <= (long long)PV_OPEN_RENDER_FRESH_NS;
	count(take ? &fs->stats.open_rendering_read : &fs->stats.open_rendering_stale);
	h->open_rendering = 0;
	return take;
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct pv_fs *fs = fuse_req_userdata(req);
	struct pv_handle *h = (struct pv_handle *)(uintptr_t)fi->fh;
	char small[16384], *dst = small;
	size_t n = 0, avail;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	if (!take_open_rendering(fs, h, off) && (off == 0 || !h->rendered)) {
		pv_resample_fn resample = __atomic_load_n(&fs->resample, __ATOMIC_ACQUIRE);

		if (off == 0 && h->vf->samples && resample)
			resample(fs->resolve_ctx, fuse_req_ctx(req)->pid, ino, h->c);
		rc = render(fs, h);
		h->rendered = !rc;
	}
	if (!rc) {
		/* Copy only what this read gets (not @size, which may be
		 * megabytes): on the stack for every /proc-sized file. */
		avail = off < 0 || (size_t)off >= h->out.len ? 0 : h->out.len - (size_t)off;
		if (avail > size)
			avail = size;
		if (avail > sizeof(small))
			dst = malloc(avail);
		if (dst)
			n = buf_slice(h->out.data, h->out.len, off, avail, dst);
		else
			rc = -ENOMEM;
	}
	/*
	 * Unlock before replying: once the reply is out the reader may close
	 * the file, and release frees @h on another thread.
	 */
	pthread_mutex_unlock(&h->lock);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_buf(req, dst, n);
	if (dst != small)
		free(dst);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pv_handle *h = (struct pv_handle *)(uintptr_t)fi->fh;

	/* A reader may close before open's rendering is done: wait for it.
	   Nothing takes the lock after a release. */
	pthread_mutex_lock(&h->lock);
	pthread_mutex_unlock(&h->lock);
	handle_free(fuse_req_userdata(req), h);
	fuse_reply_err(req, 0);
}

/* Every modifying operation: the tree is read-only. */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	fuse_reply_err(req, EROFS);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	fuse_reply_err(req, EROFS);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EROFS);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EROFS);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	fuse_reply_err(req, EROFS);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	fuse_reply_err(req, EROFS);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
		     off_t off, struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	fuse_reply_err(req, EROFS);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	fuse_reply_err(req, EROFS);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
			 off_t length, struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = op_lookup,
	.getattr = op_getattr,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.release = op_release,
	.setattr = op_setattr,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_unlink,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.write = op_write,
	.setxattr = op_setxattr,
	.removexattr = op_removexattr,
	.create = op_create,
	.fallocate = op_fallocate,
};

const struct fuse_lowlevel_ops *pv_fuse_ops(void)
{
	return &ops;
}

void pv_fs_stats(struct pv_fs *fs, struct pv_fs_stats *ret)
{
	unsigned long *dst = (unsigned long *)ret, *src = (unsigned long *)&fs->stats;

	for (size_t i = 0; i < sizeof(*ret) / sizeof(unsigned long); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* For the stats line (rare): counted, not kept beside the list. */
size_t pv_fs_open_handles(struct pv_fs *fs)
{
	size_t n = 0;

	pthread_mutex_lock(&fs->handles_lock);
	for (struct pv_handle *h = fs->open_list; h; h = h->next)
		n++;
	pthread_mutex_unlock(&fs->handles_lock);
	return n;
}
