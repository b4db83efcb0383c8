// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuse_floor: the cheapest FUSE filesystem that serves procview's paths —
 * the latency floor any FUSE design pays. At startup it copies each host
 * file once into a fixed buffer; every read afterwards slices that buffer,
 * with no per-reader work (no identity lookup, no cgroup reads, no
 * rendering). Same shape as procview: LXCFS layout, size-0 files read with
 * direct I/O, the default multithreaded libfuse loop.
 *
 *   fuse_floor [-f] [fuse options] MOUNTPOINT
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct floor_file {
	const char *path;      /* below the mountpoint */
	const char *source;    /* host file copied at startup */
	char *data;
	size_t len;
};

static struct floor_file files[] = {
	{ .path = "/proc/meminfo", .source = "/proc/meminfo" },
	{ .path = "/proc/cpuinfo", .source = "/proc/cpuinfo" },
	{ .path = "/proc/stat", .source = "/proc/stat" },
	{ .path = "/proc/uptime", .source = "/proc/uptime" },
	{ .path = "/proc/loadavg", .source = "/proc/loadavg" },
	{ .path = "/proc/diskstats", .source = "/proc/diskstats" },
	{ .path = "/proc/swaps", .source = "/proc/swaps" },
	{ .path = "/sys/devices/system/cpu/online", .source = "/sys/devices/system/cpu/online" },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static const char *const dirs[] = {
	"/", "/proc", "/sys", "/sys/devices", "/sys/devices/system",
	"/sys/devices/system/cpu",
};
#define NDIRS (sizeof(dirs) / sizeof(dirs[0]))

static struct floor_file *find_file(const char *path)
{
	for (size_t i = 0; i < NFILES; i++)
		if (strcmp(files[i].path, path) == 0)
			return &files[i];
	return NULL;
}

static int find_dir(const char *path)
{
	for (size_t i = 0; i < NDIRS; i++)
		if (strcmp(dirs[i], path) == 0)
			return (int)i;
	return -1;
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

static int floor_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	if (find_dir(path) >= 0) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		return 0;
	}
	if (find_file(path)) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = 0;   /* like /proc: size unknown until read */
		return 0;
	}
	return -ENOENT;
}

/* Children of @path: the next path component of every dir and file below. */
static int floor_readdir(const char *path, void *out, fuse_fill_dir_t fill,
			 off_t off, struct fuse_file_info *fi,
			 enum fuse_readdir_flags flags)
{
	char names[NFILES + NDIRS][64];
	size_t nnames = 0, plen = strcmp(path, "/") == 0 ? 0 : strlen(path);

	if (find_dir(path) < 0)
		return -ENOTDIR;
	fill(out, ".", NULL, 0, 0);
	fill(out, "..", NULL, 0, 0);
	for (size_t i = 0; i < NFILES + NDIRS; i++) {
		const char *p = i < NFILES ? files[i].path : dirs[i - NFILES];
		const char *rest;
		size_t n, j;

		if (strncmp(p, path, plen) != 0 || p[plen] != '/')
			continue;
		rest = p + plen + 1;
		n = strcspn(rest, "/");
		if (n == 0 || n >= sizeof(names[0]))
			continue;
		for (j = 0; j < nnames; j++)
			if (strncmp(names[j], rest, n) == 0 && names[j][n] == '\0')
				break;
		if (j < nnames)
			continue;   /* already listed via another path below it */
		memcpy(names[nnames], rest, n);
		names[nnames][n] = '\0';
		fill(out, names[nnames++], NULL, 0, 0);
	}
	return 0;
}

static int floor_open(const char *path, struct fuse_file_info *fi)
{
	if (!find_file(path))
		return find_dir(path) >= 0 ? -EISDIR : -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	fi->direct_io = 1;   /* size 0 in getattr: the page cache must not decide */
	return 0;
}

static int floor_read(const char *path, char *out, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	const struct floor_file *f = find_file(path);

	if (!f)
		return -ENOENT;
	if (off < 0 || (size_t)off >= f->len)
		return 0;
	if (size > f->len - (size_t)off)
		size = f->len - (size_t)off;
	memcpy(out, f->data + off, size);
	return (int)size;
}

static const struct fuse_operations floor_ops = {
	.getattr = floor_getattr,
	.readdir = floor_readdir,
	.open = floor_open,
	.read = floor_read,
};

int main(int argc, char **argv)
{
	for (size_t i = 0; i < NFILES; i++) {
		int err = slurp(files[i].source, &files[i].data, &files[i].len);

		if (err) {
			/* A host without the file still gets a well-formed empty one. */
			fprintf(stderr, "fuse_floor: read %s: %s (serving it empty)\n",
				files[i].source, strerror(-err));
			files[i].data = NULL;
			files[i].len = 0;
		}
	}
	return fuse_main(argc, argv, &floor_ops, NULL);
}
