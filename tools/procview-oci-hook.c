// SPDX-License-Identifier: GPL-2.0-only
/*
 * procview-oci-hook: an OCI runtime hook that bind-mounts procview's files
 * over the container's /proc/... and /sys/devices/system/cpu/online before
 * the container's process starts.
 *
 * Where it runs (OCI runtime-spec, config.md "POSIX-platform Hooks"):
 *  - createContainer (recommended; the stage in oci-hooks.d/procview.json):
 *    runs in the container's mount namespace after its mounts are set up and
 *    before pivot_root. The container's /proc is mounted at <rootfs>/proc
 *    of our own namespace, so we bind there, in our own namespace; the
 *    mounts move with the root at pivot_root.
 *  - createRuntime, prestart, poststart (runtime namespace): we enter the
 *    mount namespace of the state's pid and bind under its root: <rootfs>
 *    before pivot_root, "/" after (decided by comparing inodes).
 *  - startContainer runs inside the container after pivot_root, where the
 *    hook binary usually does not exist; not supported.
 * A missing or dead procviewd, a missing view or any error never fails the
 * container start: we say why on stderr and exit 0 (--strict for tests).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "remount.h"
#include "vfile.h"

#define DEFAULT_MOUNT "/var/lib/procview"
#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

static int strict;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("procview-oci-hook: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Never fail the container because of us, unless asked to (tests). */
static int __attribute__((noreturn)) finish(int failed)
{
	exit(failed && strict ? 1 : 0);
}

/* ---- minimal JSON reading: enough for OCI state and config.json ---- */

static const char *ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* @p at '"'; returns the position after the closing quote, NULL if bad. */
static const char *skip_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\') {
			if (++p >= e)
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		} else if ((unsigned char)*p < 0x20) {
			return NULL;
		}
	}
	return NULL;
}

static const char *skip_value(const char *p, const char *e, int depth)
{
	p = ws(p, e);
	if (p >= e || depth > 64)
		return NULL;
	if (*p == '"')
		return skip_string(p, e);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = ws(p + 1, e);
		if (p < e && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (p >= e || *p != '"' || !(p = skip_string(p, e)))
					return NULL;
				p = ws(p, e);
				if (p >= e || *p != ':')
					return NULL;
				p++;
			}
			if (!(p = skip_value(p, e, depth + 1)))
				return NULL;
			p = ws(p, e);
			if (p < e && *p == ',') {
				p = ws(p + 1, e);
				continue;
			}
			if (p < e && *p == close)
				return p + 1;
			return NULL;
		}
	}
	/* number, true, false, null */
	const char *s = p;
	while (p < e && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9') ||
			 (*p >= 'a' && *p <= 'z')))
		p++;
	return p > s ? p : NULL;
}

/* Decode the string at @p ('"') into @dst. 0 or -EINVAL / -ENAMETOOLONG. */
static int get_string(const char *p, const char *e, char *dst, size_t cap)
{
	size_t w = 0;

	if (p >= e || *p != '"')
		return -EINVAL;
	for (p++; p < e && *p != '"'; p++) {
		unsigned int c = (unsigned char)*p;

		if (c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (++p >= e)
				return -EINVAL;
			switch (*p) {
			case '"': case '\\': case '/': c = (unsigned char)*p; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (e - p < 5 || sscanf(p + 1, "%4x", &c) != 1)
					return -EINVAL;
				p += 4;
				/* Paths and ids here are not expected to need
				   surrogate pairs; refuse them rather than guess. */
				if (c >= 0xd800 && c <= 0xdfff)
					return -EINVAL;
				break;
			default:
				return -EINVAL;
			}
		}
		/* UTF-8 encode (c < 0x10000). */
		char enc[3];
		size_t n = 0;
		if (c < 0x80) {
			enc[n++] = (char)c;
		} else if (c < 0x800) {
			enc[n++] = (char)(0xc0 | c >> 6);
			enc[n++] = (char)(0x80 | (c & 0x3f));
		} else {
			enc[n++] = (char)(0xe0 | c >> 12);
			enc[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
			enc[n++] = (char)(0x80 | (c & 0x3f));
		}
		if (c == 0)
			return -EINVAL;   /* no NUL inside a path */
		if (w + n >= cap)
			return -ENAMETOOLONG;
		memcpy(dst + w, enc, n);
		w += n;
	}
	if (p >= e)
		return -EINVAL;
	dst[w] = '\0';
	return 0;
}

/* The value of member @key of the object at @p ('{'), NULL when absent. */
static const char *obj_get(const char *p, const char *e, const char *key)
{
	p = ws(p, e);
	if (p >= e || *p != '{')
		return NULL;
	p = ws(p + 1, e);
	while (p < e && *p == '"') {
		char name[256];
		int named = get_string(p, e, name, sizeof(name)) == 0;

		if (!(p = skip_string(p, e)))
			return NULL;
		p = ws(p, e);
		if (p >= e || *p != ':')
			return NULL;
		p = ws(p + 1, e);
		if (named && strcmp(name, key) == 0)
			return p;
		if (!(p = skip_value(p, e, 1)))
			return NULL;
		p = ws(p, e);
		if (p < e && *p == ',')
			p = ws(p + 1, e);
		else
			break;
	}
	return NULL;
}

static int get_long(const char *p, const char *e, long *ret)
{
	char num[32], *end;
	size_t n = 0;

	if (!p)
		return -ENOENT;
	while (p + n < e && n < sizeof(num) - 1 && ((p[n] >= '0' && p[n] <= '9') || p[n] == '-'))
		n++;
	memcpy(num, p, n);
	num[n] = '\0';
	errno = 0;
	*ret = strtol(num, &end, 10);
	return n && !*end && !errno ? 0 : -EINVAL;
}

/* ---- the hook ---- */

/* procviewd serves @mount when it is a live FUSE mount with readable views. */
static int serving(const char *mount, char *why, size_t cap)
{
	char path[PATH_MAX + 32], c;
	struct statfs sfs;
	int fd;
	ssize_t r;

	if (statfs(mount, &sfs) < 0) {
		snprintf(why, cap, "%s: %s", mount, strerror(errno));
		return 0;
	}
	if (sfs.f_type != FUSE_SUPER_MAGIC) {
		snprintf(why, cap, "%s is not a FUSE mount (procviewd not running?)", mount);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/proc/meminfo", mount);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (r = read(fd, &c, 1)) != 1) {
		snprintf(why, cap, "%s: %s", path, fd < 0 || r < 0 ? strerror(errno) : "empty");
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	return 1;
}

/* Is a procfs mounted at @dir in our own mount namespace? */
static int proc_mounted_here(const char *dir)
{
	struct buf text = BUF_INIT;
	char *p, *line;
	int found = 0;

	if (pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &text) < 0)
		return 0;
	for (p = text.data; p && !found && (line = strsep(&p, "\n"));) {
		struct pv_mnt m;

		if (pv_mnt_parse(line, &m) == 0 && strcmp(m.target, dir) == 0 &&
		    strcmp(m.fstype, "proc") == 0)
			found = 1;
	}
	buf_free(&text);
	return found;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: procview-oci-hook [--mount DIR] [--strict] < state.json\n"
		"OCI hook (createContainer stage): bind-mounts the views procviewd serves\n"
		"at DIR (default " DEFAULT_MOUNT ") over the container's /proc files.\n"
		"Never fails the container: problems are reported on stderr, exit 0.\n"
		"  --mount DIR   procviewd's mountpoint\n"
		"  --strict      exit 1 when a view could not be mounted (tests)\n"
		"example config.json hook:\n"
		"  \"hooks\": {\"createContainer\": [{\"path\": \"/usr/local/bin/procview-oci-hook\",\n"
		"            \"args\": [\"procview-oci-hook\", \"--mount\", \"" DEFAULT_MOUNT "\"]}]}\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *mount = DEFAULT_MOUNT;
	char why[PATH_MAX + 128], id[256] = "?", bundle[PATH_MAX], rel[PATH_MAX];
	char rootfs[PATH_MAX + 8], cfgpath[PATH_MAX + 16], prefix[PATH_MAX + 8] = "";
	struct buf state = BUF_INIT, cfg = BUF_INIT;
	struct pv_nsbind *b;
	const char *e, *v;
	long pid = 0;
	size_t nb = 0;
	int c, r, failed = 0;

	while ((c = getopt_long(argc, argv, "m:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mount = optarg; break;
		case 's': strict = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); finish(1);
		}
	}

	if (pv_read_file_buf(AT_FDCWD, "/dev/stdin", &state) < 0 || !state.len) {
		say("no OCI state on stdin; nothing done");
		finish(1);
	}
	e = state.data + state.len;
	v = obj_get(state.data, e, "id");
	if (v)
		get_string(v, e, id, sizeof(id));
	if (get_long(obj_get(state.data, e, "pid"), e, &pid) < 0 || pid < 0 ||
	    !(v = obj_get(state.data, e, "bundle")) ||
	    get_string(v, e, bundle, sizeof(bundle)) < 0) {
		say("container %s: state has no usable pid/bundle; nothing done", id);
		finish(1);
	}
	if (!serving(mount, why, sizeof(why))) {
		say("container %s: procviewd is not serving: %s; the container keeps "
		    "the host's /proc files", id, why);
		finish(1);
	}

	/* The rootfs: config.json root.path, absolute or relative to bundle. */
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.json", bundle);
	if (pv_read_file_buf(AT_FDCWD, cfgpath, &cfg) < 0 || !cfg.len) {
		say("container %s: cannot read %s: %s", id, cfgpath, strerror(errno));
		finish(1);
	}
	v = obj_get(cfg.data, cfg.data + cfg.len, "root");
	v = v ? obj_get(v, cfg.data + cfg.len, "path") : NULL;
	if (!v || get_string(v, cfg.data + cfg.len, rel, sizeof(rel)) < 0) {
		say("container %s: %s has no root.path", id, cfgpath);
		finish(1);
	}
	r = rel[0] == '/' ? snprintf(rootfs, sizeof(rootfs), "%s", rel)
			  : snprintf(rootfs, sizeof(rootfs), "%.*s/%s", PATH_MAX / 2, bundle, rel);
	if (r < 0 || (size_t)r >= sizeof(rootfs)) {
		say("container %s: rootfs path too long", id);
		finish(1);
	}
	{
		char real[PATH_MAX];
		if (realpath(rootfs, real))
			snprintf(rootfs, sizeof(rootfs), "%s", real);
	}

	/*
	 * createContainer: we are in the container's mount namespace before
	 * pivot_root (its procfs sits at <rootfs>/proc here); bind in our own
	 * namespace ("self": the state's pid may be in a pid namespace our
	 * /proc does not show). Otherwise enter the state pid's namespace.
	 */
	snprintf(why, sizeof(why), "%s/proc", rootfs);
	if (proc_mounted_here(why)) {
		pid = 0;
		snprintf(prefix, sizeof(prefix), "%s", rootfs);
	} else {
		struct stat a, bst;
		char rootlink[64];

		if (pid == 0) {
			say("container %s: no pid in state and not inside the container's "
			    "mount namespace; nothing done", id);
			finish(1);
		}
		snprintf(rootlink, sizeof(rootlink), "/proc/%ld/root", pid);
		if (stat(rootlink, &a) < 0) {
			say("container %s: %s: %s", id, rootlink, strerror(errno));
			finish(1);
		}
		/* Not pivoted yet: the rootfs is a path below its root. */
		if (stat(rootfs, &bst) < 0 || a.st_dev != bst.st_dev || a.st_ino != bst.st_ino)
			snprintf(prefix, sizeof(prefix), "%s", rootfs);
	}

	b = calloc(pv_nvfiles, sizeof(*b));
	if (!b) {
		say("out of memory");
		finish(1);
	}
	for (size_t i = 0; i < pv_nvfiles; i++) {
		char chk[PATH_MAX * 2 + 64];
		struct stat st;

		snprintf(b[nb].src, sizeof(b[nb].src), "%s%s", mount, pv_vfiles[i].path);
		if (access(b[nb].src, R_OK) < 0) {
			say("container %s: view %s missing (%s); skipped", id, b[nb].src,
			    strerror(errno));
			failed = 1;
			continue;
		}
		r = snprintf(b[nb].dst, sizeof(b[nb].dst), "%s%s", prefix, pv_vfiles[i].path);
		if (r < 0 || (size_t)r >= sizeof(b[nb].dst))
			continue;
		if (pid)
			snprintf(chk, sizeof(chk), "/proc/%ld/root%s", pid, b[nb].dst);
		else
			snprintf(chk, sizeof(chk), "%s", b[nb].dst);
		if (stat(chk, &st) < 0) {
			/* e.g. /proc/swaps in a kernel without swap: the
			   container has no such file to cover. */
			say("container %s: %s does not exist in the container; skipped",
			    id, pv_vfiles[i].path);
			continue;
		}
		b[nb].attr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			     MOUNT_ATTR_NOEXEC;
		nb++;
	}
	r = pv_ns_bind((pid_t)pid, b, nb);
	if (r < 0) {
		say("container %s: cannot enter the mount namespace of pid %ld: %s", id,
		    pid, strerror(-r));
		finish(1);
	}
	for (size_t i = 0; i < nb; i++)
		if (b[i].result) {
			say("container %s: bind %s on %s: %s", id, b[i].src, b[i].dst,
			    strerror(-b[i].result));
			failed = 1;
		}
	free(b);
	buf_free(&state);
	buf_free(&cfg);
	finish(failed);
}
