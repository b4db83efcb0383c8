// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuse_floor: the cheapest FUSE filesystem that serves procview's paths —
 * the latency floor any FUSE design pays. At startup it copies each host
 * file once into a fixed buffer; every read afterwards slices that buffer,
 * with no per-reader work (no identity lookup, no cgroup reads, no
 * rendering). Otherwise it is set up like procviewd: the low-level API, a
 * fixed inode table, the LXCFS layout, size-0 files read with direct I/O,
 * 1 s entry/attr timeouts, "ro,allow_other", the multithreaded loop.
 *
 *   fuse_floor MOUNTPOINT     (foreground; unmounts on SIGINT/SIGTERM)
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLOOR_TIMEOUT 1.0

struct node {
	const char *name;
	fuse_ino_t parent;
	const char *source;    /* host file copied at startup; NULL: directory */
	char *data;
	size_t len;
};

/* Index + 1 is the inode number; FUSE_ROOT_ID (1) is the root. */
static struct node nodes[] = {
	{ .name = "", .parent = 1 },
	{ .name = "proc", .parent = 1 },                                   /* 2 */
	{ .name = "sys", .parent = 1 },                                    /* 3 */
	{ .name = "devices", .parent = 3 },                                /* 4 */
	{ .name = "system", .parent = 4 },                                 /* 5 */
	{ .name = "cpu", .parent = 5 },                                    /* 6 */
	{ .name = "meminfo", .parent = 2, .source = "/proc/meminfo" },
	{ .name = "cpuinfo", .parent = 2, .source = "/proc/cpuinfo" },
	{ .name = "stat", .parent = 2, .source = "/proc/stat" },
	{ .name = "uptime", .parent = 2, .source = "/proc/uptime" },
	{ .name = "loadavg", .parent = 2, .source = "/proc/loadavg" },
	{ .name = "diskstats", .parent = 2, .source = "/proc/diskstats" },
	{ .name = "swaps", .parent = 2, .source = "/proc/swaps" },
	{ .name = "online", .parent = 6, .source = "/sys/devices/system/cpu/online" },
};
#define NNODES (sizeof(nodes) / sizeof(nodes[0]))

static struct node *node_of(fuse_ino_t ino)
{
	return ino >= 1 && ino <= NNODES ? &nodes[ino - 1] : NULL;
}

/* Whole file into a malloc'd buffer; /proc files report size 0, so loop. */
static int slurp(const char *path, char **ret, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	char *b = malloc(cap), *nb;
	int fd, err = 0;
	ssize_t n;

	if (!b)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(b);
		return err;
	}
	for (;;) {
		if (len == cap) {
			nb = realloc(b, cap * 2);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		n = read(fd, b + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	*ret = b;
	*ret_len = len;
	return 0;
}

static void fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (node_of(ino)->source) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = 0;   /* like /proc: the size is known only by reading */
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	}
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	for (size_t i = 1; i < NNODES; i++) {
		if (nodes[i].parent != parent || strcmp(nodes[i].name, name) != 0)
			continue;
		memset(&e, 0, sizeof(e));
		e.ino = i + 1;
		e.attr_timeout = FLOOR_TIMEOUT;
		e.entry_timeout = FLOOR_TIMEOUT;
		fill_attr(e.ino, &e.attr);
		fuse_reply_entry(req, &e);
		return;
	}
	fuse_reply_err(req, ENOENT);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (!node_of(ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(ino, &st);
	fuse_reply_attr(req, &st, FLOOR_TIMEOUT);
}

static void floor_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	char buf[4096];
	size_t len = 0;
	struct stat st;
	off_t k = 0;

	if (!node_of(ino) || node_of(ino)->source) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	/* Entry k: 0 ".", 1 "..", then the children in table order. */
	for (size_t i = 0; i < NNODES + 2; i++) {
		const char *name;
		fuse_ino_t child;
		size_t need;

		if (i == 0) {
			name = ".";
			child = ino;
		} else if (i == 1) {
			name = "..";
			child = node_of(ino)->parent;
		} else if (i - 2 >= 1 && nodes[i - 2].parent == ino) {
			name = nodes[i - 2].name;
			child = i - 1;
		} else {
			continue;
		}
		if (k++ < off)
			continue;
		memset(&st, 0, sizeof(st));
		fill_attr(child, &st);
		need = fuse_add_direntry(req, buf + len, size - len, name, &st, k);
		if (need > size - len)
			break;
		len += need;
	}
	fuse_reply_buf(req, buf, len);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct node *n = node_of(ino);

	if (!n || !n->source) {
		fuse_reply_err(req, n ? EISDIR : ENOENT);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EACCES);
		return;
	}
	fi->direct_io = 1;   /* size 0 in getattr: the page cache must not decide */
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	const struct node *n = node_of(ino);

	if (!n || !n->source) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (off < 0 || (size_t)off >= n->len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > n->len - (size_t)off)
		size = n->len - (size_t)off;
	fuse_reply_buf(req, n->data + off, size);
}

static const struct fuse_lowlevel_ops floor_ops = {
	.lookup = floor_lookup,
	.getattr = floor_getattr,
	.readdir = floor_readdir,
	.open = floor_open,
	.read = floor_read,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], "-o", "ro,nosuid,nodev,noexec,allow_other,fsname=pvfloor", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse_loop_config *lc = NULL;
	struct fuse_session *se;
	int rc = 1;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s MOUNTPOINT\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < NNODES; i++) {
		int err;

		if (!nodes[i].source)
			continue;
		err = slurp(nodes[i].source, &nodes[i].data, &nodes[i].len);
		if (err) {
			/* A host without the file still gets a well-formed empty one. */
			fprintf(stderr, "fuse_floor: read %s: %s (serving it empty)\n",
				nodes[i].source, strerror(-err));
			nodes[i].data = NULL;
			nodes[i].len = 0;
		}
	}
	se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), NULL);
	fuse_opt_free_args(&args);
	if (!se) {
		fprintf(stderr, "fuse_floor: cannot create the FUSE session\n");
		return 1;
	}
	if (fuse_set_signal_handlers(se)) {
		fprintf(stderr, "fuse_floor: cannot install signal handlers\n");
		goto out_destroy;
	}
	if (fuse_session_mount(se, argv[1])) {
		fprintf(stderr, "fuse_floor: cannot mount on %s\n", argv[1]);
		goto out_signals;
	}
	lc = fuse_loop_cfg_create();
	if (!lc) {
		fprintf(stderr, "fuse_floor: out of memory\n");
		goto out_unmount;
	}
	fuse_loop_cfg_set_max_threads(lc, 16);
	rc = fuse_session_loop_mt(se, lc) < 0 ? 1 : 0;
	fuse_loop_cfg_destroy(lc);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
	return rc;
}
