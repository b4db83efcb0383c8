// SPDX-License-Identifier: GPL-2.0-only
#include "reader_id.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cglimits.h"
#include "fileio.h"
#include "log.h"
#include "procview_reader_id.h"
#include "reader_id.skel.h"

struct pv_rid_src {
	struct reader_id_bpf *skel;
	int map_fd;
	const struct pv_rid_slot *slots;   /* pv_rid_slots mapped; NULL: none */
	size_t slots_len;
	unsigned long slot_hits, map_hits;  /* atomic */
	const struct pv_cgroups *cg;
	int ss_of[PV_MAX_HIER];   /* v1 hierarchy -> a subsystem id bound to it */
	int mem_ss;               /* memory_cgrp_id, or -1 */
	int io_ss;                /* io_cgrp_id when on a v1 hierarchy and
				     cgroup_mkdir is counted; else -1 */
	int epoch_counted;        /* pv_memstat_epoch is counted */
	__u64 page_size;
};

/* Kernel names of the controllers (enum cgroup_subsys_id), by pv_ctrl. */
static const char *const ss_name[PV_CTRL__COUNT] = {
	[PV_CTRL_CPU] = "cpu_cgrp_id",
	[PV_CTRL_CPUACCT] = "cpuacct_cgrp_id",
	[PV_CTRL_CPUSET] = "cpuset_cgrp_id",
	[PV_CTRL_MEMORY] = "memory_cgrp_id",
	[PV_CTRL_IO] = "io_cgrp_id",
	[PV_CTRL_PIDS] = "pids_cgrp_id",
};

/* Value of enumerator @name of enum cgroup_subsys_id, or -1. */
static int ss_id(const struct btf *btf, int enum_id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, enum_id);
	const struct btf_enum *e = btf_enum(t);

	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, e[i].name_off), name))
			return (int)e[i].val;
	return -1;
}

/* The subsystems whose cgroups pv_rid_take turns into hierarchy inodes:
   the kernel program reads no others. */
static __u32 ss_mask(const struct pv_rid_src *s)
{
	__u32 m = 0;

	for (int h = 0; h < s->cg->n; h++)
		if (s->ss_of[h] >= 0)
			m |= 1u << s->ss_of[h];
	if (s->mem_ss >= 0)
		m |= 1u << s->mem_ss;
	return m;
}

int pv_rid_open(const struct pv_cgroups *cg, struct pv_rid_src **ret)
{
	struct pv_rid_src *s;
	struct btf *btf;
	int enum_id, count, err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cg = cg;
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		err = -errno;
		goto fail;
	}
	enum_id = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);
	count = enum_id > 0 ? ss_id(btf, enum_id, "CGROUP_SUBSYS_COUNT") : -1;
	for (int h = 0; h < cg->n; h++) {
		s->ss_of[h] = -1;
		for (int c = 0; c < PV_CTRL__COUNT && !cg->h[h].v2; c++)
			if (cg->h[h].ctrl_mask & (1u << c)) {
				int id = ss_id(btf, enum_id, ss_name[c]);

				if (id >= 0 && id < PV_RID_SUBSYS) {
					s->ss_of[h] = id;
					break;
				}
			}
	}
	s->mem_ss = enum_id > 0 ? ss_id(btf, enum_id, ss_name[PV_CTRL_MEMORY]) : -1;
	if (s->mem_ss >= PV_RID_SUBSYS)
		s->mem_ss = -1;
	/* blkio probes: v1 only (v2's io.stat is one file anyway). */
	s->io_ss = enum_id > 0 && pv_cg_is_v2(cg, PV_CTRL_IO) == 0 &&
		   btf__find_by_name_kind(btf, "btf_trace_cgroup_mkdir", BTF_KIND_TYPEDEF) > 0 ?
			   ss_id(btf, enum_id, ss_name[PV_CTRL_IO]) : -1;
	if (s->io_ss >= PV_RID_SUBSYS)
		s->io_ss = -1;
	/* A kernel without these tracepoints: memory.stat is read on every
	   open (memstat_cache.h). */
	s->epoch_counted =
		btf__find_by_name_kind(btf, "btf_trace_cgroup_rstat_unlock", BTF_KIND_TYPEDEF) > 0 &&
		btf__find_by_name_kind(btf, "btf_trace_cpuhp_exit", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	if (enum_id <= 0 || count <= 0) {
		err = -ENOTSUP;
		goto fail;
	}
	s->skel = reader_id_bpf__open();
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	s->skel->rodata->pv_nr_subsys = count < PV_RID_SUBSYS ? (__u32)count : PV_RID_SUBSYS;
	s->skel->rodata->pv_mem_ss = s->mem_ss;
	s->skel->rodata->pv_io_ss = s->io_ss;
	s->skel->rodata->pv_ss_mask = ss_mask(s);
	s->page_size = (__u64)sysconf(_SC_PAGESIZE);
	if (!s->epoch_counted) {
		bpf_program__set_autoload(s->skel->progs.pv_rstat_unlock, false);
		bpf_program__set_autoload(s->skel->progs.pv_cpuhp_exit, false);
	}
	if (s->io_ss < 0)
		bpf_program__set_autoload(s->skel->progs.pv_cgroup_mkdir, false);
	err = reader_id_bpf__load(s->skel);
	if (!err)
		err = reader_id_bpf__attach(s->skel);
	if (err)
		goto fail;
	s->map_fd = bpf_map__fd(s->skel->maps.pv_rid);
	/* Without the mapping every record comes from pv_rid: slower, same
	   (and the program puts every record there, not only a busy slot's). */
	s->slots_len = sizeof(struct pv_rid_slot) * PV_RID_SLOTS;
	s->slots = mmap(NULL, s->slots_len, PROT_READ, MAP_SHARED,
			bpf_map__fd(s->skel->maps.pv_rid_slots), 0);
	if (s->slots == MAP_FAILED) {
		pv_warn("reader identity: cannot map pv_rid_slots (%s): one bpf() call per open",
			strerror(errno));
		s->slots = NULL;
		s->skel->bss->pv_map_all = 1;
	}
	*ret = s;
	return 0;
fail:
	pv_rid_close(s);
	return err < 0 ? err : -EINVAL;
}

void pv_rid_close(struct pv_rid_src *s)
{
	if (!s)
		return;
	if (s->slots)
		munmap((void *)s->slots, s->slots_len);
	reader_id_bpf__destroy(s->skel);
	free(s);
}

/* Compare mountinfo field @f (octal escapes: \040 is a space) with @s. */
static int field_is(const char *f, size_t len, const char *s)
{
	size_t i = 0;

	while (i < len) {
		char c = f[i];

		if (c == '\\' && i + 3 < len &&
		    f[i + 1] >= '0' && f[i + 1] <= '3' && f[i + 2] >= '0' && f[i + 2] <= '7' &&
		    f[i + 3] >= '0' && f[i + 3] <= '7') {
			c = (char)((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
			i += 4;
		} else {
			i++;
		}
		if (*s++ != c)
			return 0;
	}
	return *s == '\0';
}

int pv_mountinfo_dev(const char *text, const char *mnt, __u32 *ret)
{
	int found = 0;

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n'), *f[5], *p = line;
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		unsigned int maj, min;
		int n = 0;

		/* Fields: id parent major:minor root mountpoint ... */
		while (n < 5 && p < line + len) {
			f[n++] = p;
			while (p < line + len && *p != ' ')
				p++;
			while (p < line + len && *p == ' ')
				p++;
		}
		if (n == 5 && sscanf(f[2], "%u:%u", &maj, &min) == 2 && maj < 4096 &&
		    min < (1u << 20)) {
			const char *end = memchr(f[4], ' ', (size_t)(line + len - f[4]));

			if (field_is(f[4], (size_t)((end ? end : line + len) - f[4]), mnt)) {
				*ret = (maj << 20) | min;
				found = 1;   /* the last one is the visible mount */
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return found ? 0 : -ENOENT;
}

const volatile __u64 *pv_rid_memstat_epoch(struct pv_rid_src *s)
{
	return s && s->epoch_counted && s->mem_ss >= 0 ? &s->skel->bss->pv_memstat_epoch : NULL;
}

const volatile __u64 *pv_rid_cpuhp_steps(struct pv_rid_src *s)
{
	return pv_rid_memstat_epoch(s) ? &s->skel->bss->pv_cpuhp_steps : NULL;
}

/* Pages to bytes; PV_UNLIMITED-sized values stay huge, never wrap. */
static __u64 page_bytes(__u64 pages, __u64 page_size)
{
	return pages > ~0ULL / page_size ? ~0ULL : pages * page_size;
}

void pv_rid_stats(struct pv_rid_src *s, unsigned long *slot_hits, unsigned long *map_hits)
{
	*slot_hits = s ? __atomic_load_n(&s->slot_hits, __ATOMIC_RELAXED) : 0;
	*map_hits = s ? __atomic_load_n(&s->map_hits, __ATOMIC_RELAXED) : 0;
}

int pv_rid_arm(struct pv_rid_src *s, const char *mountinfo, const char *mnt)
{
	struct buf mi = BUF_INIT;
	__u32 dev;
	int err = 0;

	if (!mountinfo) {
		err = pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &mi);
		mountinfo = mi.data ? mi.data : "";
	}
	if (!err)
		err = pv_mountinfo_dev(mountinfo, mnt, &dev);
	buf_free(&mi);
	if (err)
		return err;
	s->skel->bss->pv_dev = dev;
	return 0;
}

int pv_rid_slot_read(const struct pv_rid_slot *slot, pid_t tid, __u64 nodeid, __u32 opcode,
		     struct pv_rid *ret)
{
	__u64 seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
	__u32 got_tid;

	if (seq & 1)
		return -EAGAIN;
	got_tid = slot->tid;
	memcpy(ret, &slot->rec, sizeof(*ret));
	/* Copies before the second load of the count (a seqlock reader). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&slot->seq, __ATOMIC_RELAXED) != seq)
		return -EAGAIN;
	if (got_tid != (__u32)tid || ret->nodeid != nodeid || !nodeid || ret->opcode != opcode)
		return -ENOENT;
	return 0;
}

/* The memory fields of record @v as a sample (cgroup.h); not ok without. */
static void sample_of(const struct pv_rid_src *s, const struct pv_rid *v,
		      struct pv_memcg_sample *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!v->mem_ok || s->mem_ss < 0)
		return;
	*ret = (struct pv_memcg_sample){
		.ok = 1,
		.ino = v->ss_id[s->mem_ss],
		.usage = page_bytes(v->mem_usage, s->page_size),
		.limit = page_bytes(v->mem_max, s->page_size),
		.memsw_limit = page_bytes(v->memsw_max, s->page_size),
		.updates = v->mem_updates,
	};
}

/* The blkio fields of OPEN record @v as a probe (cgroup.h); not ok without. */
static void blkio_probe_of(const struct pv_rid_src *s, const struct pv_rid *v,
			   struct pv_blkio_probe *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!(v->io_flags & PV_IO_SEEN) || s->io_ss < 0)
		return;
	*ret = (struct pv_blkio_probe){
		.ok = 1,
		.alone = !!(v->io_flags & PV_IO_ALONE),
		.ino = v->ss_id[s->io_ss],
		.mkdirs = v->io_mkdirs,
	};
}

int pv_rid_take_read(struct pv_rid_src *s, pid_t tid, __u64 nodeid, struct pv_memcg_sample *mem,
		     struct pv_blkio_probe *blkio)
{
	struct pv_rid v;

	mem->ok = blkio->ok = 0;
	if (!s || !s->slots)
		return -ENOENT;
	if (pv_rid_slot_read(&s->slots[(__u32)tid & (PV_RID_SLOTS - 1)], tid, nodeid,
			     PV_FUSE_READ, &v))
		return -ENOENT;
	sample_of(s, &v, mem);
	blkio_probe_of(s, &v, blkio);
	return mem->ok || blkio->ok ? 0 : -ENOENT;
}

int pv_rid_sample_nodes(struct pv_rid_src *s, unsigned int what, const __u64 *nodes, int n)
{
	__u64 *dst = what == PV_SAMPLE_BLKIO ? s->skel->bss->pv_probe_nodes :
					       s->skel->bss->pv_sample_nodes;

	if (n > PV_SAMPLE_NODES)
		return -E2BIG;
	for (int i = 0; i < PV_SAMPLE_NODES; i++)
		__atomic_store_n(&dst[i], i < n ? nodes[i] : 0, __ATOMIC_RELAXED);
	return 0;
}

int pv_rid_blkio_probes(const struct pv_rid_src *s)
{
	return s && s->io_ss >= 0;
}

int pv_rid_take(struct pv_rid_src *s, pid_t tid, __u64 nodeid, struct pv_reader_ids *ret)
{
	const struct pv_cgroups *cg = s->cg;
	struct pv_rid v;
	__u32 key = (__u32)tid;

	if (s->slots && !pv_rid_slot_read(&s->slots[key & (PV_RID_SLOTS - 1)], tid, nodeid,
					  PV_FUSE_OPEN, &v)) {
		__atomic_fetch_add(&s->slot_hits, 1, __ATOMIC_RELAXED);
	} else {
		if (bpf_map_lookup_and_delete_elem(s->map_fd, &key, &v))
			return -errno;
		if (v.nodeid != nodeid || !nodeid || v.opcode != PV_FUSE_OPEN)
			return -ENOENT;
		__atomic_fetch_add(&s->map_hits, 1, __ATOMIC_RELAXED);
	}
	memset(ret, 0, sizeof(*ret));
	for (int h = 0; h < cg->n; h++) {
		if (cg->h[h].v2)
			ret->ino[h] = v.dfl_id;
		else if (s->ss_of[h] >= 0)
			ret->ino[h] = v.ss_id[s->ss_of[h]];
	}
	ret->own_pidns = v.pidns_level > 0;
	ret->init_pid = ret->own_pidns ? (pid_t)v.init_tgid : tid;
	ret->cpu = (int)v.cpu;
	sample_of(s, &v, &ret->mem);
	blkio_probe_of(s, &v, &ret->blkio);
	return 0;
}
