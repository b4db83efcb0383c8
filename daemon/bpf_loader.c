// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF loader: one skeleton (bpf/procview.bpf.c), maps and links pinned under
 * the pin directory so accounting goes on while no daemon runs.
 *
 * Start-up decides between three cases:
 *  - no pins: create maps, pin them, attach the programs, pin the links;
 *  - pins of the same layout and hierarchy (pv_meta): reuse the maps
 *    (bpf_map__set_pin_path makes libbpf adopt them) and the links (their
 *    programs are not even loaded; attaching twice would double count);
 *  - anything else (other layout, other hierarchy, half-made set): log,
 *    remove our pins, start afresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "bpf_loader.h"
#include "cpustat.h"
#include "fileio.h"
#include "log.h"
#include "procview_loadavg.h"
#include "procview.skel.h"

struct pv_bpf {
	struct procview_bpf *skel;
	struct bpf_link *links[4];
	int ncpus;
	int cpu_fd, dead_fd, start_fd, meta_fd, hwm_fd;
	int ro;   /* pv_bpf_open_pinned: fds are ours, writes are skipped */
	char pin_dir[PATH_MAX - 32];
};

static const char *const pv_map_names[] = {
	"pv_cpu", "pv_cpu_dead", "pv_start", "pv_task", "pv_meta", "pv_hwm",
};
static const char *const pv_link_names[] = {
	"link_runtime", "link_fork", "link_mkdir", "link_rmdir",
};
#define PV_NMAPS (sizeof(pv_map_names) / sizeof(pv_map_names[0]))
#define PV_NLINKS (sizeof(pv_link_names) / sizeof(pv_link_names[0]))

static struct bpf_program *pv_link_prog(struct procview_bpf *s, size_t i)
{
	struct bpf_program *p[PV_NLINKS] = {
		s->progs.pv_runtime, s->progs.pv_fork, s->progs.pv_mkdir, s->progs.pv_rmdir,
	};
	return p[i];
}

static int pv_pin_path(char *dst, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(dst, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int pv_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * The hierarchy id the kernel gives the CPU-accounting hierarchy (first
 * field of /proc/self/cgroup; 0 for cgroup2), matched by controller field.
 */
static int pv_hier_id(const struct pv_hier *h, int *ret)
{
	char text[8192], *line, *save = NULL;
	ssize_t n;

	if (h->v2) {
		*ret = 0;
		return 0;
	}
	n = pv_read_file_at(AT_FDCWD, "/proc/self/cgroup", text, sizeof(text));
	if (n < 0)
		return (int)n;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = '\0';
		if (strcmp(c1 + 1, h->ctrls) == 0) {
			*ret = atoi(line);
			return 0;
		}
	}
	return -ENOENT;
}

/* Make sure @dir is on bpffs (mount /sys/fs/bpf if needed) and mode 0700. */
static int pv_prepare_pin_dir(const char *dir)
{
	struct statfs sfs;

	if (strncmp(dir, "/sys/fs/bpf/", 12) == 0 &&
	    (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC)) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			int err = -errno;

			pv_err("bpf: mount bpffs on /sys/fs/bpf: %s", strerror(-err));
			return err;
		}
		pv_info("bpf: mounted bpffs on /sys/fs/bpf");
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		int err = -errno;

		pv_err("bpf: mkdir %s: %s", dir, strerror(-err));
		return err;
	}
	/* Pins carry every container's figures: root only (issue 6 item 6). */
	if (chmod(dir, 0700)) {
		int err = -errno;

		pv_err("bpf: chmod 0700 %s: %s", dir, strerror(-err));
		return err;
	}
	if (statfs(dir, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		pv_err("bpf: pin directory %s is not on a bpf filesystem", dir);
		return -ENOTSUP;
	}
	return 0;
}

/* Unlink our own pins (not other modules' pins in the same directory). */
static void pv_remove_own_pins(const char *dir)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < PV_NLINKS; i++)
		if (!pv_pin_path(path, sizeof(path), dir, pv_link_names[i]) &&
		    unlink(path) && errno != ENOENT)
			pv_warn("bpf: unlink %s: %s", path, strerror(errno));
	for (size_t i = 0; i < PV_NMAPS; i++)
		if (!pv_pin_path(path, sizeof(path), dir, pv_map_names[i]) &&
		    unlink(path) && errno != ENOENT)
			pv_warn("bpf: unlink %s: %s", path, strerror(errno));
}

/*
 * Whether the map pinned at @path has @m's definition (libbpf would refuse
 * to reuse it otherwise, e.g. pv_hwm sized for another CPU count). 1 / 0.
 */
static int pv_pinned_map_fits(const char *path, const struct bpf_map *m)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), ok;

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	ok = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	     info.type == (__u32)bpf_map__type(m) && info.key_size == bpf_map__key_size(m) &&
	     info.value_size == bpf_map__value_size(m) &&
	     info.max_entries == bpf_map__max_entries(m) && info.map_flags == bpf_map__map_flags(m);
	close(fd);
	return ok;
}

/*
 * 1: the pinned set is ours, complete and of this layout, hierarchy and
 * map definitions (@maps, in pv_map_names order); 0: there is nothing (or
 * only a partial/incompatible set, now removed).
 */
static int pv_check_pins(const char *dir, int hier_id, int ssid, struct bpf_map *const *maps,
			 __u64 *ret_prog_hash)
{
	char path[PATH_MAX];
	struct pv_meta m = { 0 };
	__u32 zero = 0;
	int fd, any = 0, all = 1;

	for (size_t i = 0; i < PV_NMAPS; i++) {
		if (pv_pin_path(path, sizeof(path), dir, pv_map_names[i]))
			return 0;
		if (pv_exists(path))
			any = 1;
		else
			all = 0;
	}
	if (!any)
		return 0;
	if (!all) {
		pv_warn("bpf: incomplete pinned map set in %s: removing it and starting afresh", dir);
		goto remove;
	}
	if (pv_pin_path(path, sizeof(path), dir, "pv_meta"))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		pv_warn("bpf: open pinned %s: %s: starting afresh", path, strerror(errno));
		goto remove;
	}
	if (bpf_map_lookup_elem(fd, &zero, &m)) {
		pv_warn("bpf: read %s: %s: starting afresh", path, strerror(errno));
		close(fd);
		goto remove;
	}
	close(fd);
	if (m.layout != PV_LAYOUT_VERSION) {
		pv_warn("bpf: pinned maps in %s have layout %u, this procviewd uses %u: "
			"removing them and starting afresh (counters restart)",
			dir, m.layout, PV_LAYOUT_VERSION);
		goto remove;
	}
	if (m.hier_id != (__u64)hier_id || m.ssid != (__u32)ssid) {
		pv_warn("bpf: pinned maps in %s key by hierarchy %llu (ssid %u), now %d (ssid %d): "
			"removing them and starting afresh",
			dir, (unsigned long long)m.hier_id, m.ssid, hier_id, ssid);
		goto remove;
	}
	for (size_t i = 0; i < PV_NMAPS; i++) {
		if (pv_pin_path(path, sizeof(path), dir, pv_map_names[i]))
			return 0;
		if (!pv_pinned_map_fits(path, maps[i])) {
			pv_warn("bpf: pinned %s does not match this procviewd's definition "
				"(type, sizes or max_entries): removing the pins and starting afresh",
				path);
			goto remove;
		}
	}
	*ret_prog_hash = m.prog_hash;
	return 1;
remove:
	pv_remove_own_pins(dir);
	return 0;
}

/* FNV-1a over the BPF object procviewd carries: names its program build. */
static __u64 pv_object_hash(void)
{
	size_t sz = 0;
	const unsigned char *p = procview_bpf__elf_bytes(&sz);
	__u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < sz; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int pv_map_fd(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

int pv_bpf_open(const struct pv_bpf_opts *o, struct pv_bpf **ret)
{
	const struct pv_cgroups *cg = o->cg;
	const char *dir = o->pin_dir ? o->pin_dir : PV_DEFAULT_PIN_DIR;
	const struct pv_hier *h;
	struct pv_bpf *b;
	char path[PATH_MAX];
	int err, hier_id = 0, ssid = 0, reuse, relink, ncpus, use_cpuacct;
	__u64 prog_hash, pinned_hash = 0;

	if (!cg || cg->cpu_acct < 0 || cg->cpu_acct >= cg->n) {
		pv_err("bpf: no cgroup hierarchy holds CPU accounting");
		return -ENOTSUP;
	}
	h = &cg->h[cg->cpu_acct];
	use_cpuacct = !h->v2 && (h->ctrl_mask & (1u << PV_CTRL_CPUACCT));
	err = pv_hier_id(h, &hier_id);
	if (err) {
		pv_err("bpf: hierarchy id of '%s' in /proc/self/cgroup: %s", h->ctrls, strerror(-err));
		return err;
	}
	if (strlen(dir) >= sizeof(b->pin_dir))
		return -ENAMETOOLONG;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || ncpus > PV_BPF_MAX_CPUS) {
		pv_err("bpf: possible CPUs: %d (max %d)", ncpus, PV_BPF_MAX_CPUS);
		return ncpus < 0 ? ncpus : -ERANGE;
	}
	err = pv_prepare_pin_dir(dir);
	if (err)
		return err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	strcpy(b->pin_dir, dir);
	b->ncpus = ncpus;

	b->skel = procview_bpf__open();
	if (!b->skel) {
		err = -errno;
		pv_err("bpf: open skeleton: %s", strerror(-err));
		goto fail;
	}
	/* Subsystem ids as the kernel numbers them (BTF enum cgroup_subsys_id). */
	if (!h->v2) {
		const struct btf *vbtf = NULL;
		struct btf *kbtf = btf__load_vmlinux_btf();
		const char *want = use_cpuacct ? "cpuacct_cgrp_id" : "cpu_cgrp_id";

		if (!kbtf) {
			err = -errno;
			pv_err("bpf: load kernel BTF: %s", strerror(-err));
			goto fail;
		}
		vbtf = kbtf;
		ssid = -1;
		{
			__s32 id = btf__find_by_name_kind(vbtf, "cgroup_subsys_id", BTF_KIND_ENUM);
			const struct btf_type *t = id > 0 ? btf__type_by_id(vbtf, (__u32)id) : NULL;
			const struct btf_enum *e = t ? btf_enum(t) : NULL;

			for (__u16 k = 0; e && k < btf_vlen(t); k++)
				if (strcmp(btf__name_by_offset(vbtf, e[k].name_off), want) == 0)
					ssid = e[k].val;
		}
		btf__free(kbtf);
		if (ssid < 0) {
			pv_err("bpf: kernel BTF has no %s", want);
			err = -ENOTSUP;
			goto fail;
		}
	}
	b->skel->rodata->pv_v2 = h->v2;
	b->skel->rodata->pv_use_cpuacct = use_cpuacct;
	b->skel->rodata->pv_hier_id = hier_id;
	b->skel->rodata->pv_nr_cpus = (__u32)ncpus;
	/* N+1 marks per container read: sized to this machine's CPUs. */
	err = bpf_map__set_max_entries(b->skel->maps.pv_hwm, pv_hwm_max_entries((__u32)ncpus));
	if (err) {
		pv_err("bpf: size pv_hwm: %s", strerror(-err));
		goto fail;
	}

	prog_hash = pv_object_hash();
	{
		struct bpf_map *maps[PV_NMAPS] = {
			b->skel->maps.pv_cpu, b->skel->maps.pv_cpu_dead, b->skel->maps.pv_start,
			b->skel->maps.pv_task, b->skel->maps.pv_meta, b->skel->maps.pv_hwm,
		};

		reuse = pv_check_pins(dir, hier_id, ssid, maps, &pinned_hash);
		for (size_t i = 0; i < PV_NMAPS; i++) {
			err = pv_pin_path(path, sizeof(path), dir, pv_map_names[i]);
			if (!err)
				err = bpf_map__set_pin_path(maps[i], path);
			if (err) {
				pv_err("bpf: pin path %s/%s: %s", dir, pv_map_names[i], strerror(-err));
				goto fail;
			}
		}
	}
	/*
	 * Same maps, other programs (procviewd was upgraded): keep the maps
	 * and their counters, replace the links. Events in the few
	 * microseconds between detach and attach are not counted; counting
	 * them twice would be worse.
	 */
	relink = reuse && pinned_hash != prog_hash;
	if (relink)
		pv_info("bpf: pinned programs in %s are another build: replacing the links, "
			"keeping the counters", dir);
	/* Links a previous daemon pinned keep running: don't attach twice. */
	for (size_t i = 0; i < PV_NLINKS; i++) {
		err = pv_pin_path(path, sizeof(path), dir, pv_link_names[i]);
		if (err)
			goto fail;
		if (reuse && !relink && pv_exists(path)) {
			bpf_program__set_autoload(pv_link_prog(b->skel, i), false);
		} else if (pv_exists(path) && unlink(path)) {
			err = -errno;
			pv_err("bpf: unlink stale %s: %s", path, strerror(-err));
			goto fail;
		}
	}

	err = procview_bpf__load(b->skel);
	if (err) {
		pv_err("bpf: load programs (pins in %s): %s", dir, strerror(-err));
		goto fail;
	}
	b->cpu_fd = pv_map_fd(b->skel->maps.pv_cpu);
	b->dead_fd = pv_map_fd(b->skel->maps.pv_cpu_dead);
	b->start_fd = pv_map_fd(b->skel->maps.pv_start);
	b->meta_fd = pv_map_fd(b->skel->maps.pv_meta);
	b->hwm_fd = pv_map_fd(b->skel->maps.pv_hwm);
	if (!reuse) {
		struct pv_meta m = { .layout = PV_LAYOUT_VERSION, .hier_id = (__u64)hier_id,
				     .ssid = (__u32)ssid, .prog_hash = prog_hash };
		__u32 zero = 0;

		if (bpf_map_update_elem(b->meta_fd, &zero, &m, BPF_ANY)) {
			err = -errno;
			pv_err("bpf: write %s/pv_meta: %s", dir, strerror(-err));
			goto fail;
		}
	}
	for (size_t i = 0; i < PV_NLINKS; i++) {
		struct bpf_program *p = pv_link_prog(b->skel, i);

		if (!bpf_program__autoload(p))
			continue;
		b->links[i] = bpf_program__attach(p);
		if (!b->links[i]) {
			err = -errno;
			b->links[i] = NULL;
			pv_err("bpf: attach %s: %s", bpf_program__name(p), strerror(-err));
			goto fail;
		}
		err = pv_pin_path(path, sizeof(path), dir, pv_link_names[i]);
		if (!err)
			err = bpf_link__pin(b->links[i], path);
		if (err) {
			pv_err("bpf: pin link %s: %s", path, strerror(-err));
			goto fail;
		}
	}
	if (relink) {
		struct pv_meta m;
		__u32 zero = 0;

		/* dropped is bumped by BPF concurrently: a lost bump is harmless. */
		if (!bpf_map_lookup_elem(b->meta_fd, &zero, &m)) {
			m.prog_hash = prog_hash;
			if (bpf_map_update_elem(b->meta_fd, &zero, &m, BPF_ANY))
				pv_warn("bpf: update %s/pv_meta: %s", dir, strerror(errno));
		}
	}
	pv_info("bpf: %s pinned accounting in %s (layout %d, hierarchy %d '%s', %d CPUs)",
		reuse ? "reusing" : "created", dir, PV_LAYOUT_VERSION, hier_id,
		h->v2 ? "cgroup2" : h->ctrls, ncpus);
	*ret = b;
	return 0;
fail:
	pv_bpf_close(b);
	return err ? err : -EINVAL;
}

/* A pinned map of @dir opened read-only, or -errno. */
static int pv_pinned_map_ro(const char *dir, const char *name)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = BPF_F_RDONLY);
	char path[PATH_MAX];
	int fd, err = pv_pin_path(path, sizeof(path), dir, name);

	if (err)
		return err;
	fd = bpf_obj_get_opts(path, &o);
	return fd < 0 ? -errno : fd;
}

int pv_bpf_open_pinned(const char *pin_dir, struct pv_bpf **ret)
{
	const char *dir = pin_dir ? pin_dir : PV_DEFAULT_PIN_DIR;
	int *fds[5];
	const char *names[5] = { "pv_cpu", "pv_cpu_dead", "pv_start", "pv_meta", "pv_hwm" };
	struct pv_meta m;
	struct pv_bpf *b;
	__u32 zero = 0;
	int err = 0, ncpus;

	if (strlen(dir) >= sizeof(b->pin_dir))
		return -ENAMETOOLONG;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0 || ncpus > PV_BPF_MAX_CPUS)
		return ncpus < 0 ? ncpus : -ERANGE;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ro = 1;
	b->ncpus = ncpus;
	strcpy(b->pin_dir, dir);
	fds[0] = &b->cpu_fd;
	fds[1] = &b->dead_fd;
	fds[2] = &b->start_fd;
	fds[3] = &b->meta_fd;
	fds[4] = &b->hwm_fd;
	for (size_t i = 0; i < 5; i++)
		*fds[i] = -1;
	for (size_t i = 0; i < 5 && !err; i++) {
		*fds[i] = pv_pinned_map_ro(dir, names[i]);
		if (*fds[i] < 0)
			err = *fds[i];
	}
	/* Another layout would be misread: refuse it, never "fix" it. */
	if (!err && bpf_map_lookup_elem(b->meta_fd, &zero, &m))
		err = -errno;
	if (!err && m.layout != PV_LAYOUT_VERSION)
		err = -EPROTO;
	if (err) {
		pv_bpf_close(b);
		return err;
	}
	*ret = b;
	return 0;
}

void pv_bpf_close(struct pv_bpf *b)
{
	if (!b)
		return;
	if (b->ro) {
		int fds[] = { b->cpu_fd, b->dead_fd, b->start_fd, b->meta_fd, b->hwm_fd };

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	/* Destroying a pinned link only drops our fd; the pin keeps it. */
	for (size_t i = 0; i < PV_NLINKS; i++)
		bpf_link__destroy(b->links[i]);
	procview_bpf__destroy(b->skel);
	free(b);
}

/* Every name procviewd pins: accounting maps and links, loadavg state. */
static const char *const pv_loadavg_pin_names[] = {
	PV_LOADAVG_PIN_STATE, PV_LOADAVG_PIN_META,
};
#define PV_NLOADAVG (sizeof(pv_loadavg_pin_names) / sizeof(pv_loadavg_pin_names[0]))

/* unlinkat @name in @dfd; 1 removed, 0 absent, -errno. */
static int pv_unlink_pin(int dfd, const char *name)
{
	if (!unlinkat(dfd, name, 0))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int pv_bpf_remove_pins(const char *pin_dir)
{
	const char *const *lists[] = { pv_map_names, pv_link_names, pv_loadavg_pin_names };
	const size_t lens[] = { PV_NMAPS, PV_NLINKS, PV_NLOADAVG };
	int dfd, err = 0, removed = 0;

	if (!pin_dir || !*pin_dir)
		return -EINVAL;
	dfd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0; /* nothing pinned: nothing to do */
		err = -errno;
		pv_err("bpf: open pin directory %s: %s", pin_dir, strerror(-err));
		return err;
	}
	/*
	 * Only a directory that holds our meta pins is ours: --cleanup with a
	 * mistyped directory (say /sys/fs/bpf itself) must not touch anything.
	 */
	if (faccessat(dfd, "pv_meta", F_OK, AT_SYMLINK_NOFOLLOW) &&
	    faccessat(dfd, PV_LOADAVG_PIN_META, F_OK, AT_SYMLINK_NOFOLLOW)) {
		pv_err("bpf: %s does not look like a procview pin directory (no pv_meta or %s pin): "
		       "not removing anything", pin_dir, PV_LOADAVG_PIN_META);
		close(dfd);
		return -EINVAL;
	}
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (size_t i = 0; i < lens[l]; i++) {
			int r = pv_unlink_pin(dfd, lists[l][i]);

			if (r < 0) {
				pv_err("bpf: unlink %s/%s: %s", pin_dir, lists[l][i], strerror(-r));
				if (!err)
					err = r;
			}
			removed += r > 0;
		}
	close(dfd);
	if (err)
		return err;
	if (rmdir(pin_dir)) {
		if (errno != ENOTEMPTY && errno != EEXIST && errno != EBUSY) {
			err = -errno;
			pv_err("bpf: rmdir %s: %s", pin_dir, strerror(-err));
			return err;
		}
		pv_info("bpf: removed %d procview pins; kept %s: it holds other pins", removed, pin_dir);
	}
	return 0;
}

int pv_bpf_ncpus(const struct pv_bpf *b)
{
	return b ? b->ncpus : 0;
}

static int pv_percpu_add(int fd, int ncpus, __u64 cgid, struct pv_cpu_stat *acc)
{
	/* Sized to the machine: a fixed maximum would grow every thread's stack. */
	struct pv_cpu_stat vals[ncpus];

	if (bpf_map_lookup_elem(fd, &cgid, vals))
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < ncpus; i++) {
		acc[i].user_ns += vals[i].user_ns;
		acc[i].nice_ns += vals[i].nice_ns;
		acc[i].system_ns += vals[i].system_ns;
		acc[i].steal_ns += vals[i].steal_ns;
		acc[i].ctxt += vals[i].ctxt;
		acc[i].forks += vals[i].forks;
	}
	return 0;
}

int pv_bpf_cpu_add(struct pv_bpf *b, __u64 cgid, struct pv_cpu_stat *acc)
{
	int err;

	if (!b)
		return -ENOTSUP;
	err = pv_percpu_add(b->cpu_fd, b->ncpus, cgid, acc);
	if (!err)
		err = pv_percpu_add(b->dead_fd, b->ncpus, cgid, acc);
	return err;
}

int pv_bpf_start_get(struct pv_bpf *b, __u64 cgid, struct pv_cg_start *ret)
{
	struct pv_cg_start st;

	if (!b)
		return -ENOTSUP;
	if (bpf_map_lookup_elem(b->start_fd, &cgid, &st))
		return -errno;
	*ret = st;
	return 0;
}

int pv_bpf_start_set(struct pv_bpf *b, __u64 cgid, __u64 boot_ns)
{
	struct pv_cg_start st = { .boot_ns = boot_ns, .flags = PV_START_ESTIMATE };

	if (!b)
		return -ENOTSUP;
	if (b->ro)
		return 0;   /* the estimate is the daemon's to record */
	if (bpf_map_update_elem(b->start_fd, &cgid, &st, BPF_NOEXIST) && errno != EEXIST)
		return -errno;
	return 0;
}

int pv_bpf_hwm_load(struct pv_bpf *b, __u64 cgid, int n, struct pv_cpu_hwm *h)
{
	struct pv_hwm_key k = { .cgid = cgid };
	struct pv_hwm v;
	int err;

	if (!b)
		return -ENOTSUP;
	err = pv_cpu_hwm_reset(h, n);
	if (err)
		return err;
	k.vcpu = PV_HWM_TOTALS;
	if (bpf_map_lookup_elem(b->hwm_fd, &k, &v))
		return errno == ENOENT ? 0 : -errno;
	h->ctxt = v.cols[0];
	h->processes = v.cols[1];
	for (int i = 0; i < n && i < PV_HWM_MAX_VCPUS; i++) {
		k.vcpu = (__u32)i;
		if (bpf_map_lookup_elem(b->hwm_fd, &k, &v))
			continue;
		for (int c = 0; c < PV_HWM_COLS && c < PV_NCOLS_MAX; c++)
			h->vcpu[i][c] = v.cols[c];
		h->steal_raw[i] = v.steal_raw;
	}
	return 0;
}

int pv_bpf_hwm_store(struct pv_bpf *b, __u64 cgid, const struct pv_cpu_hwm *h)
{
	int n = h->n < PV_HWM_MAX_VCPUS ? h->n : PV_HWM_MAX_VCPUS;
	struct pv_hwm_key keys[n + 1];
	struct pv_hwm vals[n + 1];
	__u32 cnt = 0;
	int err;

	if (!b)
		return -ENOTSUP;
	if (b->ro)
		return 0;   /* marks are the daemon's to move */
	memset(keys, 0, sizeof(keys));
	memset(vals, 0, sizeof(vals));
	for (int i = 0; i < n; i++, cnt++) {
		keys[cnt].cgid = cgid;
		keys[cnt].vcpu = (__u32)i;
		for (int c = 0; c < PV_HWM_COLS && c < PV_NCOLS_MAX; c++)
			vals[cnt].cols[c] = h->vcpu[i][c];
		vals[cnt].steal_raw = h->steal_raw[i];
	}
	/* Written last: its presence tells rmdir there are marks to delete. */
	keys[cnt].cgid = cgid;
	keys[cnt].vcpu = PV_HWM_TOTALS;
	vals[cnt].cols[0] = h->ctxt;
	vals[cnt].cols[1] = h->processes;
	cnt++;
	err = bpf_map_update_batch(b->hwm_fd, keys, vals, &cnt, NULL);
	return err ? -errno : 0;
}

int pv_bpf_forget(struct pv_bpf *b, __u64 cgid)
{
	struct pv_hwm_key k = { .cgid = cgid, .vcpu = PV_HWM_TOTALS };

	if (!b)
		return -ENOTSUP;
	if (b->ro)
		return 0;
	bpf_map_delete_elem(b->start_fd, &cgid);
	if (bpf_map_delete_elem(b->hwm_fd, &k))
		return 0;
	/* A container has at most as many vCPUs as the machine has CPUs. */
	for (k.vcpu = 0; k.vcpu < PV_HWM_MAX_VCPUS && k.vcpu < (__u32)b->ncpus; k.vcpu++)
		bpf_map_delete_elem(b->hwm_fd, &k);
	return 0;
}

__u64 pv_bpf_dropped(struct pv_bpf *b)
{
	struct pv_meta m;
	__u32 zero = 0;

	if (!b || bpf_map_lookup_elem(b->meta_fd, &zero, &m))
		return 0;
	return m.dropped;
}

/*
 * One session of the task-count iterator over the cgroup @cgfd and its
 * descendants. The whole session must come back from one read(): the
 * kernel's cgroup iterator refuses to resume (-EOPNOTSUPP) once it dropped
 * cgroup_mutex. -E2BIG when @cap bytes were not enough.
 */
static int pv_iter_session(struct pv_bpf *b, int cgfd, void *buf, size_t cap,
			   struct pv_task_counts *sum)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	const struct pv_task_count_rec *recs = buf;
	union bpf_iter_link_info linfo;
	struct bpf_link *link;
	char extra;
	int itfd, err = 0;
	ssize_t n;

	memset(&linfo, 0, sizeof(linfo));
	linfo.cgroup.cgroup_fd = cgfd;
	linfo.cgroup.order = BPF_CGROUP_ITER_DESCENDANTS_PRE;
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	link = bpf_program__attach_iter(b->skel->progs.pv_iter_tasks, &opts);
	if (!link)
		return -errno;
	itfd = bpf_iter_create(bpf_link__fd(link));
	if (itfd < 0) {
		err = -errno;
		goto out;
	}
	do
		n = read(itfd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = errno == EOPNOTSUPP ? -E2BIG : -errno;
		goto out;
	}
	if ((size_t)n == cap || read(itfd, &extra, 1) != 0) {
		err = -E2BIG;
		goto out;
	}
	for (size_t i = 0; i < (size_t)n / sizeof(*recs); i++) {
		sum->running += recs[i].running;
		sum->blocked += recs[i].blocked;
		sum->threads += recs[i].threads;
	}
out:
	if (itfd >= 0)
		close(itfd);
	bpf_link__destroy(link);
	return err;
}

int pv_bpf_task_counts(struct pv_bpf *b, const struct pv_cgroups *cg,
		       const struct pv_container *c, int cgfd, struct pv_task_counts *ret)
{
	/* 256 busy cgroups fit on the stack; 4096 in the retry. */
	struct pv_task_count_rec small[256];
	struct pv_task_counts sum = { 0 };
	const char *rel;
	void *big;
	int own_fd = -1, err;

	/* Degraded, or opened read-only (no iterator loaded): the callers
	 * fall back to the cgroup files. */
	if (!b || !b->skel)
		return -ENOTSUP;
	if (cg->cpu_acct < 0)
		return -ENOTSUP;
	if (cgfd < 0) {
		rel = c->path[cg->cpu_acct];
		while (*rel == '/')
			rel++;
		cgfd = own_fd = openat(cg->h[cg->cpu_acct].dirfd, *rel ? rel : ".",
				       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0)
			return -errno;
	}
	err = pv_iter_session(b, cgfd, small, sizeof(small), &sum);
	if (err == -E2BIG) {
		big = malloc(4096 * sizeof(*small));
		memset(&sum, 0, sizeof(sum));
		err = big ? pv_iter_session(b, cgfd, big, 4096 * sizeof(*small), &sum) : -ENOMEM;
		free(big);
	}
	if (own_fd >= 0)
		close(own_fd);
	if (!err)
		*ret = sum;
	return err;
}
