// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cgroup hierarchies and container identity. Discovery works on mountinfo
 * text (or a fixture directory), so the same code serves v1, v2 and hybrid
 * hosts and the unit tests; everything after discovery goes through the
 * per-hierarchy dirfds, never through absolute paths.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cglimits.h"
#include "cgparse.h"
#include "fileio.h"

/* v1 controllers (kernel subsystem names) and their pv_ctrl bit. */
static const struct {
	const char *name;
	int ctrl; /* enum pv_ctrl, or -1 for controllers we never read */
} v1_ctrls[] = {
	{ "cpuset", PV_CTRL_CPUSET }, { "cpu", PV_CTRL_CPU },
	{ "cpuacct", PV_CTRL_CPUACCT }, { "blkio", PV_CTRL_IO },
	{ "io", PV_CTRL_IO }, { "memory", PV_CTRL_MEMORY },
	{ "devices", -1 }, { "freezer", -1 }, { "net_cls", -1 },
	{ "perf_event", -1 }, { "net_prio", -1 }, { "hugetlb", -1 },
	{ "pids", PV_CTRL_PIDS }, { "rdma", -1 }, { "misc", -1 },
	{ "debug", -1 },
};

/* v2 controller names as cgroup.controllers lists them. */
static const struct {
	const char *name;
	int ctrl;
} v2_ctrls[] = {
	{ "cpuset", PV_CTRL_CPUSET }, { "cpu", PV_CTRL_CPU },
	{ "io", PV_CTRL_IO }, { "memory", PV_CTRL_MEMORY },
	{ "pids", PV_CTRL_PIDS },
};

static int v1_ctrl_known(const char *tok, size_t len, int *ctrl)
{
	for (size_t i = 0; i < sizeof(v1_ctrls) / sizeof(v1_ctrls[0]); i++)
		if (strlen(v1_ctrls[i].name) == len &&
		    !strncmp(v1_ctrls[i].name, tok, len)) {
			*ctrl = v1_ctrls[i].ctrl;
			return 1;
		}
	return 0;
}

/* Mask of v2 controllers in cgroup.controllers text ("cpuset cpu io ..."). */
static unsigned int v2_mask(const char *text)
{
	unsigned int mask = 0;
	const char *s = text;

	while (*s) {
		size_t len;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		len = strcspn(s, " \t\n");
		for (size_t i = 0; i < sizeof(v2_ctrls) / sizeof(v2_ctrls[0]); i++)
			if (strlen(v2_ctrls[i].name) == len &&
			    !strncmp(v2_ctrls[i].name, s, len))
				mask |= 1u << v2_ctrls[i].ctrl;
		s += len;
	}
	/* cpu.stat usage_usec exists in every v2 cgroup (core accounting). */
	return mask | (1u << PV_CTRL_CPUACCT);
}

/*
 * cgroup v1 mount options that are not controllers (kernel
 * cgroup1_parse_param); every other token of the super options names a
 * controller or is "name=...". Dropping known flags instead of keeping
 * known controllers keeps the field equal to what /proc/<pid>/cgroup prints
 * even for controllers this code has never heard of.
 */
static int v1_mount_flag(const char *tok, size_t len)
{
	static const char *const flags[] = {
		"rw", "ro", "none", "all", "noprefix", "clone_children", "xattr",
		"cpuset_v2_mode", "favordynmods", "nofavordynmods",
	};

	if (len >= 14 && !strncmp(tok, "release_agent=", 14))
		return 1;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i]) == len && !strncmp(flags[i], tok, len))
			return 1;
	return 0;
}

/*
 * The controller field of a v1 mount from its super options
 * ("rw,cpu,cpuacct" -> "cpu,cpuacct", "rw,xattr,name=systemd" ->
 * "name=systemd"). The kernel prints both this and /proc/<pid>/cgroup in
 * subsystem order; matching compares sets anyway.
 */
static int v1_ctrls_from_opts(const char *opts, char *ctrls, size_t cap,
			      unsigned int *mask)
{
	const char *s = opts;
	size_t len = 0;

	*mask = 0;
	ctrls[0] = '\0';
	while (*s) {
		size_t tlen = strcspn(s, ",");
		int ctrl;

		if (tlen && !v1_mount_flag(s, tlen)) {
			if (v1_ctrl_known(s, tlen, &ctrl) && ctrl >= 0)
				*mask |= 1u << ctrl;
			if (len + tlen + 2 > cap)
				return -ENAMETOOLONG;
			if (len)
				ctrls[len++] = ',';
			memcpy(ctrls + len, s, tlen);
			len += tlen;
			ctrls[len] = '\0';
		}
		s += tlen;
		if (*s == ',')
			s++;
	}
	return len ? 0 : -EINVAL;
}

/* Mask for a fixture directory named like a controller field. */
static unsigned int v1_mask_from_name(const char *name)
{
	unsigned int mask = 0;
	const char *s = name;

	while (*s) {
		size_t tlen = strcspn(s, ",");
		int ctrl;

		if (v1_ctrl_known(s, tlen, &ctrl) && ctrl >= 0)
			mask |= 1u << ctrl;
		s += tlen;
		if (*s == ',')
			s++;
	}
	return mask;
}

/* Length of the token at @s, stopping at ',' or @end. */
static size_t tok_len(const char *s, const char *end)
{
	const char *t = s;

	while (t < end && *t && *t != ',')
		t++;
	return (size_t)(t - s);
}

/* @a (@alen bytes) and NUL-terminated @b hold the same comma-separated set. */
static int same_token_set(const char *a, size_t alen, const char *b)
{
	const char *aend = a + alen, *bend = b + strlen(b);
	size_t na = 0, nb = 0;

	if (alen == 0 || b == bend)
		return alen == 0 && b == bend;
	for (const char *s = a; s <= aend; ) {
		size_t tlen = tok_len(s, aend);
		int found = 0;

		for (const char *t = b; t <= bend; ) {
			size_t ulen = tok_len(t, bend);

			if (ulen == tlen && !strncmp(s, t, tlen))
				found = 1;
			t += ulen + 1;
		}
		if (!found)
			return 0;
		na++;
		s += tlen + 1;
	}
	for (const char *t = b; t <= bend; t += tok_len(t, bend) + 1)
		nb++;
	return na == nb;
}

/* Decode mountinfo's octal escapes (\040 space, \011, \012, \134). */
static int unescape_path(const char *src, size_t len, char *dst, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = src[i];

		if (ch == '\\' && i + 3 < len &&
		    src[i + 1] >= '0' && src[i + 1] <= '3' &&
		    src[i + 2] >= '0' && src[i + 2] <= '7' &&
		    src[i + 3] >= '0' && src[i + 3] <= '7') {
			ch = (char)(((src[i + 1] - '0') << 6) |
				    ((src[i + 2] - '0') << 3) | (src[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= cap)
			return -ENAMETOOLONG;
		dst[o++] = ch;
	}
	dst[o] = '\0';
	return 0;
}

/* Up to this many hierarchies are considered before trimming to PV_MAX_HIER. */
#define PV_SCAN_HIER 64

struct scan {
	int n;
	struct pv_hier h[PV_SCAN_HIER];
};

static int scan_add(struct scan *sc, const struct pv_hier *h)
{
	/* The same hierarchy mounted twice: keep the first. */
	for (int i = 0; i < sc->n; i++) {
		if (sc->h[i].v2 != h->v2)
			continue;
		if (h->v2 || same_token_set(h->ctrls, strlen(h->ctrls), sc->h[i].ctrls))
			return 0;
	}
	if (sc->n >= PV_SCAN_HIER)
		return -E2BIG;
	sc->h[sc->n++] = *h;
	return 0;
}

/* Split one mountinfo line into its whitespace-separated fields. */
static int split_fields(const char *line, size_t len, const char **f, size_t *fl,
			int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		if (n >= max)
			return n;
		f[n] = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		fl[n] = (size_t)(line + i - f[n]);
		n++;
	}
	return n;
}

/* Read DIR/<sub>/cgroup.controllers (sub may be "."); "" when absent. */
static int read_controllers(const char *dir, const char *sub, char *dst, size_t cap)
{
	char path[PATH_MAX];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s/cgroup.controllers", dir, sub) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	n = pv_read_file_at(AT_FDCWD, path, dst, cap);
	return n < 0 ? (int)n : 0;
}

static int discover_mountinfo(const char *text, struct scan *sc)
{
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *f[64];
		size_t fl[64];
		int nf = split_fields(line, len, f, fl, 64), sep = -1;

		for (int i = 6; i < nf; i++)
			if (fl[i] == 1 && f[i][0] == '-') {
				sep = i;
				break;
			}
		/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
		if (sep >= 6 && sep + 2 < nf) {
			const char *fstype = f[sep + 1];
			size_t ftl = fl[sep + 1];
			int is1 = ftl == 6 && !strncmp(fstype, "cgroup", 6);
			int is2 = ftl == 7 && !strncmp(fstype, "cgroup2", 7);

			/* A bind mount of a sub-cgroup shows its root != "/". */
			if ((is1 || is2) && fl[3] == 1 && f[3][0] == '/') {
				struct pv_hier h;
				char opts[512];
				int err;

				memset(&h, 0, sizeof(h));
				h.dirfd = -1;
				h.v2 = is2;
				err = unescape_path(f[4], fl[4], h.mount, sizeof(h.mount));
				if (err)
					goto next;
				if (is1) {
					if (sep + 3 >= nf || fl[sep + 3] >= sizeof(opts))
						goto next;
					memcpy(opts, f[sep + 3], fl[sep + 3]);
					opts[fl[sep + 3]] = '\0';
					if (v1_ctrls_from_opts(opts, h.ctrls, sizeof(h.ctrls),
							       &h.ctrl_mask))
						goto next;
				}
				if (is2) {
					/*
					 * cgroup.controllers of the root lists the
					 * controllers bound to v2 (not those taken by
					 * v1 mounts); unreadable -> core files only.
					 */
					if (read_controllers(h.mount, ".", opts, sizeof(opts)))
						opts[0] = '\0';
					h.ctrl_mask = v2_mask(opts);
				}
				err = scan_add(sc, &h);
				if (err)
					return err;
			}
		}
next:
		if (!eol)
			break;
		line = eol + 1;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int discover_override(const char *root, struct scan *sc)
{
	char text[4096];
	struct pv_hier h;
	char *names[PV_SCAN_HIER];
	int nn = 0, err = 0;
	DIR *d;
	struct dirent *de;

	memset(&h, 0, sizeof(h));
	h.dirfd = -1;
	if (read_controllers(root, ".", text, sizeof(text)) == 0) {
		h.v2 = 1;
		h.ctrl_mask = v2_mask(text);
		if (snprintf(h.mount, sizeof(h.mount), "%s", root) >= (int)sizeof(h.mount))
			return -ENAMETOOLONG;
		return scan_add(sc, &h);
	}
	d = opendir(root);
	if (!d)
		return -errno;
	/* Sorted, so the hierarchy order does not depend on readdir order. */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (nn >= PV_SCAN_HIER) {
			err = -E2BIG;
			break;
		}
		names[nn] = strdup(de->d_name);
		if (!names[nn]) {
			err = -ENOMEM;
			break;
		}
		nn++;
	}
	closedir(d);
	if (!err)
		qsort(names, (size_t)nn, sizeof(names[0]), name_cmp);
	for (int i = 0; i < nn && !err; i++) {
		struct stat st;

		memset(&h, 0, sizeof(h));
		h.dirfd = -1;
		if (snprintf(h.mount, sizeof(h.mount), "%s/%s", root, names[i]) >=
		    (int)sizeof(h.mount)) {
			err = -ENAMETOOLONG;
			break;
		}
		/*
		 * lstat: on real v1 hosts cpu and cpuacct are often symlinks
		 * to cpu,cpuacct, the same hierarchy under another name.
		 */
		if (lstat(h.mount, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (!strcmp(names[i], "unified")) {
			h.v2 = 1;
			if (read_controllers(root, names[i], text, sizeof(text)))
				text[0] = '\0';
			h.ctrl_mask = v2_mask(text);
		} else {
			if (strlen(names[i]) >= sizeof(h.ctrls))
				continue;
			/* /sys/fs/cgroup/systemd holds name=systemd on real hosts */
			strcpy(h.ctrls, strcmp(names[i], "systemd") ? names[i] : "name=systemd");
			h.ctrl_mask = v1_mask_from_name(names[i]);
		}
		err = scan_add(sc, &h);
	}
	for (int i = 0; i < nn; i++)
		free(names[i]);
	return err;
}

int pv_cgroups_discover(const char *mountinfo_text, const char *root_override,
			struct pv_cgroups *ret)
{
	struct scan *sc;
	struct pv_cgroups *cg;
	struct buf mi = BUF_INIT;
	int err, keep_all;

	if (!ret)
		return -EINVAL;
	sc = calloc(1, sizeof(*sc));
	cg = calloc(1, sizeof(*cg));
	if (!sc || !cg) {
		err = -ENOMEM;
		goto out;
	}
	if (root_override) {
		err = discover_override(root_override, sc);
	} else {
		if (!mountinfo_text) {
			err = pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &mi);
			if (err)
				goto out;
			mountinfo_text = mi.data ? mi.data : "";
		}
		err = discover_mountinfo(mountinfo_text, sc);
	}
	if (err)
		goto out;
	if (sc->n == 0) {
		err = -ENOENT;
		goto out;
	}
	/*
	 * More hierarchies than slots: drop those we never read (devices,
	 * freezer, ...) first; name=systemd is kept while there is room.
	 */
	keep_all = sc->n <= PV_MAX_HIER;
	for (int pass = 0; pass < 2 && cg->n < PV_MAX_HIER; pass++)
		for (int i = 0; i < sc->n && cg->n < PV_MAX_HIER; i++) {
			int useful = sc->h[i].v2 || sc->h[i].ctrl_mask;

			if (keep_all ? pass == 0 : (pass == 0) == useful)
				cg->h[cg->n++] = sc->h[i];
		}
	cg->unified = -1;
	cg->cpu_acct = -1;
	for (int c = 0; c < PV_CTRL__COUNT; c++)
		cg->by_ctrl[c] = -1;
	for (int i = 0; i < cg->n; i++)
		if (cg->h[i].v2 && cg->unified < 0)
			cg->unified = i;
	/* A v1 hierarchy wins: on hybrid hosts the controllers live there. */
	for (int c = 0; c < PV_CTRL__COUNT; c++) {
		for (int i = 0; i < cg->n; i++)
			if (!cg->h[i].v2 && (cg->h[i].ctrl_mask & (1u << c))) {
				cg->by_ctrl[c] = i;
				break;
			}
		if (cg->by_ctrl[c] < 0 && cg->unified >= 0 &&
		    (cg->h[cg->unified].ctrl_mask & (1u << c)))
			cg->by_ctrl[c] = cg->unified;
	}
	if (cg->by_ctrl[PV_CTRL_CPUACCT] >= 0 &&
	    !cg->h[cg->by_ctrl[PV_CTRL_CPUACCT]].v2)
		cg->cpu_acct = cg->by_ctrl[PV_CTRL_CPUACCT];
	else if (cg->by_ctrl[PV_CTRL_CPU] >= 0 && !cg->h[cg->by_ctrl[PV_CTRL_CPU]].v2)
		cg->cpu_acct = cg->by_ctrl[PV_CTRL_CPU];
	else
		cg->cpu_acct = cg->unified;
	*ret = *cg;
	err = 0;
out:
	buf_free(&mi);
	free(sc);
	free(cg);
	return err;
}

int pv_cgroups_open(struct pv_cgroups *cg)
{
	if (!cg)
		return -EINVAL;
	for (int i = 0; i < cg->n; i++) {
		if (cg->h[i].dirfd >= 0)
			continue;
		cg->h[i].dirfd = open(cg->h[i].mount,
				      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->h[i].dirfd < 0) {
			int err = -errno;

			pv_cgroups_close(cg);
			return err;
		}
		/*
		 * The true root lacks cgroup.type on v2 (CFTYPE_NOT_ON_ROOT) and
		 * alone has release_agent on v1 (CFTYPE_ONLY_ON_ROOT); a cgroup
		 * namespace's root is an ordinary cgroup that may carry limits.
		 */
		if (cg->h[i].v2)
			cg->h[i].real_root = faccessat(cg->h[i].dirfd, "cgroup.type",
						       F_OK, 0) != 0 && errno == ENOENT;
		else
			cg->h[i].real_root = faccessat(cg->h[i].dirfd, "release_agent",
						       F_OK, 0) == 0;
	}
	return 0;
}

void pv_cgroups_close(struct pv_cgroups *cg)
{
	if (!cg)
		return;
	for (int i = 0; i < cg->n; i++)
		if (cg->h[i].dirfd >= 0) {
			close(cg->h[i].dirfd);
			cg->h[i].dirfd = -1;
		}
}

/*
 * Copy a cgroup path from /proc/<pid>/cgroup. The kernel marks a removed v2
 * cgroup with " (deleted)"; we drop the marker and let the dirfd lookups
 * report -ENOENT. ".." components are refused: the path is later used
 * relative to a hierarchy dirfd and must never climb out of it.
 */
static int copy_cgpath(const char *s, size_t len, char *dst)
{
	static const char deleted[] = " (deleted)";
	size_t dl = sizeof(deleted) - 1;

	if (len > dl && !memcmp(s + len - dl, deleted, dl))
		len -= dl;
	if (len == 0 || s[0] != '/')
		return -EINVAL;
	if (len >= PV_CGPATH_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < len; ) {
		size_t j = i;

		while (j < len && s[j] != '/')
			j++;
		if (j - i == 2 && s[i] == '.' && s[i + 1] == '.')
			return -EINVAL;
		if (memchr(s + i, '\0', j - i))
			return -EINVAL;
		i = j + 1;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int pv_parse_proc_cgroup(const struct pv_cgroups *cg, const char *text,
			 struct pv_container *ret)
{
	char (*paths)[PV_CGPATH_MAX];
	const char *line;
	int err = 0;

	if (!cg || !text || !ret || cg->n > PV_MAX_HIER)
		return -EINVAL;
	paths = calloc(PV_MAX_HIER, PV_CGPATH_MAX);
	if (!paths)
		return -ENOMEM;
	for (int i = 0; i < cg->n; i++)
		strcpy(paths[i], "/");
	for (line = text; *line; ) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *c1 = memchr(line, ':', len), *c2;

		if (len == 0)
			goto next;
		if (!c1) {
			err = -EINVAL;
			break;
		}
		c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
		if (!c2 || c1 == line) {
			err = -EINVAL;
			break;
		}
		{
			const char *ctl = c1 + 1, *path = c2 + 1;
			size_t ctl_len = (size_t)(c2 - ctl);
			size_t plen = len - (size_t)(path - line);
			int v2 = ctl_len == 0;

			for (int i = 0; i < cg->n; i++) {
				if (cg->h[i].v2 != v2)
					continue;
				if (!v2 && !same_token_set(ctl, ctl_len, cg->h[i].ctrls))
					continue;
				err = copy_cgpath(path, plen, paths[i]);
				break;
			}
			if (err)
				break;
		}
next:
		if (!eol)
			break;
		line = eol + 1;
	}
	if (!err)
		for (int i = 0; i < cg->n; i++)
			strcpy(ret->path[i], paths[i]);
	free(paths);
	return err;
}

int pv_container_ids(const struct pv_cgroups *cg, struct pv_container *c)
{
	char rel[PV_CGPATH_MAX];
	struct stat st;
	int idx, err;

	if (!cg || !c)
		return -EINVAL;
	idx = cg->cpu_acct;
	if (idx < 0 || idx >= cg->n)
		return -ENODEV;
	if (cg->h[idx].dirfd < 0)
		return -EBADF;
	err = pv_cg_relpath(c->path[idx], rel, sizeof(rel));
	if (err)
		return err;
	if (fstatat(cg->h[idx].dirfd, rel, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	c->cpu_cgid = (__u64)st.st_ino;
	c->host = !strcmp(c->path[idx], "/");
	return 0;
}

int pv_container_cpus(const struct pv_cgroups *cg, const struct pv_container *c,
		      int quota_view, int host_ncpus, struct pv_cpus *ret)
{
	struct pv_cpus *tmp;
	int err, n;

	if (!cg || !c || !ret || host_ncpus <= 0 || host_ncpus > PV_MAX_CPUS)
		return -EINVAL;
	tmp = malloc(sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	err = pv_cg_cpuset(cg, c, host_ncpus, tmp->phys, PV_MAX_CPUS, &tmp->nphys);
	if (err)
		goto out;
	n = tmp->nphys;
	if (quota_view) {
		__s64 quota;
		__u64 period;

		err = pv_cg_cpu_quota(cg, c, &quota, &period);
		if (err)
			goto out;
		if (quota >= 0) {
			/* ceil without overflow: quota may be near 2^63 */
			__u64 q = (__u64)quota;
			__u64 want = q / period + (q % period != 0);

			if (want < (__u64)n)
				n = (int)want;
		}
	}
	tmp->n = n < 1 ? 1 : n;
	memcpy(ret, tmp, sizeof(*tmp));
out:
	free(tmp);
	return err;
}
