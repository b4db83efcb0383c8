// SPDX-License-Identifier: GPL-2.0-only
#include "meminfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cglimits.h"
#include "cgparse.h"
#include "fileio.h"
#include "memstat_cache.h"

static const char *const field_names[PV_MEM__COUNT] = {
	[PV_MEM_MemTotal] = "MemTotal",
	[PV_MEM_MemFree] = "MemFree",
	[PV_MEM_MemAvailable] = "MemAvailable",
	[PV_MEM_Buffers] = "Buffers",
	[PV_MEM_Cached] = "Cached",
	[PV_MEM_SwapCached] = "SwapCached",
	[PV_MEM_Active] = "Active",
	[PV_MEM_Inactive] = "Inactive",
	[PV_MEM_ActiveAnon] = "Active(anon)",
	[PV_MEM_InactiveAnon] = "Inactive(anon)",
	[PV_MEM_ActiveFile] = "Active(file)",
	[PV_MEM_InactiveFile] = "Inactive(file)",
	[PV_MEM_Unevictable] = "Unevictable",
	[PV_MEM_SwapTotal] = "SwapTotal",
	[PV_MEM_SwapFree] = "SwapFree",
	[PV_MEM_Zswap] = "Zswap",
	[PV_MEM_Zswapped] = "Zswapped",
	[PV_MEM_Dirty] = "Dirty",
	[PV_MEM_Writeback] = "Writeback",
	[PV_MEM_AnonPages] = "AnonPages",
	[PV_MEM_Mapped] = "Mapped",
	[PV_MEM_Shmem] = "Shmem",
	[PV_MEM_KReclaimable] = "KReclaimable",
	[PV_MEM_Slab] = "Slab",
	[PV_MEM_SReclaimable] = "SReclaimable",
	[PV_MEM_SUnreclaim] = "SUnreclaim",
	[PV_MEM_KernelStack] = "KernelStack",
	[PV_MEM_PageTables] = "PageTables",
	[PV_MEM_SecPageTables] = "SecPageTables",
	[PV_MEM_Percpu] = "Percpu",
	[PV_MEM_AnonHugePages] = "AnonHugePages",
	[PV_MEM_ShmemHugePages] = "ShmemHugePages",
	[PV_MEM_FileHugePages] = "FileHugePages",
};

/* Kernel constants (not usage figures): the same inside any container. */
static const char *const host_constants[] = { "VmallocTotal", "Hugepagesize" };

const char *pv_mem_field_name(enum pv_mem_field f)
{
	if ((int)f < 0 || f >= PV_MEM__COUNT)
		return NULL;
	return field_names[f];
}

/* ---- cgroup files ------------------------------------------------------ */

static int is_root(const char *path)
{
	while (*path == '/')
		path++;
	return *path == '\0';
}

struct stat_key {
	size_t off;
	const char *v2;
	const char *v1; /* hierarchical total_* key; NULL: v1 lacks it */
};

#define SK(field, v2, v1) { offsetof(struct mem_cg, field), v2, v1 }
static const struct stat_key stat_keys[] = {
	SK(file, "file", "total_cache"),
	SK(anon, "anon", "total_rss"),
	SK(shmem, "shmem", "total_shmem"),
	SK(file_mapped, "file_mapped", "total_mapped_file"),
	SK(file_dirty, "file_dirty", "total_dirty"),
	SK(file_writeback, "file_writeback", "total_writeback"),
	SK(swapcached, "swapcached", "total_swapcached"),
	SK(active_anon, "active_anon", "total_active_anon"),
	SK(inactive_anon, "inactive_anon", "total_inactive_anon"),
	SK(active_file, "active_file", "total_active_file"),
	SK(inactive_file, "inactive_file", "total_inactive_file"),
	SK(unevictable, "unevictable", "total_unevictable"),
	SK(slab_reclaimable, "slab_reclaimable", NULL),
	SK(slab_unreclaimable, "slab_unreclaimable", NULL),
	SK(kernel_stack, "kernel_stack", NULL),
	SK(pagetables, "pagetables", NULL),
	SK(sec_pagetables, "sec_pagetables", NULL),
	SK(percpu, "percpu", NULL),
	SK(anon_thp, "anon_thp", "total_rss_huge"),
	SK(file_thp, "file_thp", NULL),
	SK(shmem_thp, "shmem_thp", NULL),
	SK(zswap, "zswap", NULL),
	SK(zswapped, "zswapped", NULL),
};
#undef SK

/*
 * Fill the memory.stat figures. Absent keys stay 0 (older kernels lack
 * some); v1 falls back from total_X to X for kernels without hierarchy
 * totals. A present but malformed value fails the whole file. One pass
 * over the lines (a lookup per key rescanned the text 23 times, and the
 * v1 total_* lines come last); the first line of a key counts, as with
 * pv_parse_keyed_u64, which parses each matching line.
 */
#define NKEYS (sizeof(stat_keys) / sizeof(stat_keys[0]))

int pv_parse_memcg_stat(const char *text, int v2, struct mem_cg *m)
{
	/* Per key: its value and parse result, 1 = not seen yet; its length
	   (taken once: per line and key, strlen was a third of the parse). */
	__u64 val[NKEYS], fb_val[NKEYS];
	int err[NKEYS], fb_err[NKEYS];
	size_t len[NKEYS];

	for (size_t i = 0; i < NKEYS; i++) {
		const char *key = v2 ? stat_keys[i].v2 : stat_keys[i].v1;

		err[i] = fb_err[i] = 1;
		len[i] = key ? strlen(key) : 0;
	}
	for (const char *line = text; *line;) {
		size_t klen = strcspn(line, " \t\n");
		const char *eol;

		for (size_t i = 0; i < NKEYS && line[klen] != '\n' && line[klen] != '\0'; i++) {
			const char *key = v2 ? stat_keys[i].v2 : stat_keys[i].v1;

			if (!key)
				continue;
			if (err[i] == 1 && len[i] == klen && !memcmp(line, key, klen)) {
				err[i] = pv_parse_keyed_u64(line, key, &val[i]);
				break;
			}
			/* v1 without hierarchy totals: X for total_X. */
			if (!v2 && fb_err[i] == 1 && len[i] - strlen("total_") == klen &&
			    !memcmp(line, key + strlen("total_"), klen)) {
				fb_err[i] = pv_parse_keyed_u64(line, key + strlen("total_"), &fb_val[i]);
				break;
			}
		}
		eol = strchr(line, '\n');
		if (!eol)
			break;
		line = eol + 1;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		__u64 *dst = (__u64 *)((char *)m + stat_keys[i].off);

		if (err[i] == 1 && !v2 && fb_err[i] != 1) {   /* no total_X: X */
			err[i] = fb_err[i];
			val[i] = fb_val[i];
		}
		if (err[i] == 1 || err[i] == -ENOENT) {
			*dst = 0;
			continue;
		}
		if (err[i])
			return err[i];
		*dst = val[i];
	}
	return 0;
}
#undef NKEYS

static __u64 norm_limit(__u64 v)
{
	return v >= PV_CG_HUGE ? PV_UNLIMITED : v;
}

/*
 * v1 fast path: memory.stat already holds the kernel's own tightest limits
 * along the path (hierarchical_memory_limit / hierarchical_memsw_limit) and
 * the swapped-out bytes (total_swap). Using them saves the ~8 file reads of
 * a walk up the path, most of a meminfo read's cost. The memsw keys exist
 * only with swap accounting; -ENOENT sends the caller to the files.
 */
static void v1_limits(__u64 mem, __u64 memsw, struct mem_cg *m)
{
	mem = norm_limit(mem);
	memsw = norm_limit(memsw);
	m->limit = mem;
	/* Docker's --memory-swap: memsw = memory + swap (as pv_cg_swap_limit) */
	if (memsw == PV_UNLIMITED)
		m->swap_limit = PV_UNLIMITED;
	else if (mem == PV_UNLIMITED)
		m->swap_limit = memsw;
	else
		m->swap_limit = memsw > mem ? memsw - mem : 0;
}

static int v1_from_stat(const char *stat, struct mem_cg *m)
{
	__u64 mem, memsw, swap;

	if (pv_parse_keyed_u64(stat, "hierarchical_memory_limit", &mem) ||
	    pv_parse_keyed_u64(stat, "hierarchical_memsw_limit", &memsw) ||
	    pv_parse_keyed_u64(stat, "total_swap", &swap))
		return -ENOENT;
	v1_limits(mem, memsw, m);
	m->swap_usage = swap;
	return 0;
}

/* Limits by walking the path (v2, or v1 without the hierarchical keys). */
static int limits_from_files(const struct pv_cgroups *cg, const struct pv_container *c,
			     const char *stat, struct mem_cg *m)
{
	int err;

	err = pv_cg_mem_limit(cg, c, &m->limit);
	if (err)
		return err;
	err = pv_cg_mem_usage(cg, c, &m->usage);
	if (err)
		return err;
	err = pv_cg_swap_limit(cg, c, &m->swap_limit);
	if (err)
		return err;
	err = pv_cg_swap_usage(cg, c, &m->swap_usage);
	if (err == -ENOENT) {
		/*
		 * No swap accounting files (kernel without swap accounting):
		 * v1 memory.stat may still count the cgroup's swapped pages.
		 */
		if (m->v2 || pv_parse_keyed_u64(stat, "total_swap", &m->swap_usage))
			m->swap_usage = 0;
		err = 0;
	}
	return err;
}

struct stat_read {
	const struct pv_cgroups *cg;
	const struct pv_container *c;
};

static int read_memory_stat(void *arg, struct buf *out)
{
	const struct stat_read *r = arg;

	return pv_cg_read_buf(r->cg, r->c, PV_CTRL_MEMORY, "memory.stat", out);
}

/*
 * The kernel's sample of this open (cgroup.h), when it is of the
 * container's own memory cgroup: v1 only, whose memory.stat carries the
 * hierarchical limits the sample replaces (v2 reads its limit files).
 */
static const struct pv_memcg_sample *v1_sample(const struct pv_cgroups *cg,
					       const struct pv_container *c, int idx)
{
	if (cg->h[idx].v2 || !c->mem.ok || !c->mem.ino || c->mem.ino != c->ino[idx])
		return NULL;
	return &c->mem;
}

int pv_collect_memcg(const struct pv_cgroups *cg, const struct pv_container *c,
		     struct mem_cg *ret)
{
	const struct pv_memcg_sample *sample;
	struct stat_read sr = { cg, c };
	struct buf stat = BUF_INIT;
	struct mem_cg m;
	int idx, err;

	idx = pv_cg_hier(cg, PV_CTRL_MEMORY);
	if (idx < 0)
		return idx;
	if (is_root(c->path[idx]))
		return -ENODEV;

	memset(&m, 0, sizeof(m));
	m.v2 = cg->h[idx].v2;
	sample = v1_sample(cg, c, idx);
	err = pv_memstat_get(sample, read_memory_stat, &sr, &stat);
	if (err)
		goto out;
	/* Read from the kernel by the identity's inode, not a path. */
	if (sample)
		pv_cg_note_read_by_ino(idx);
	err = pv_parse_memcg_stat(stat.data ? stat.data : "", m.v2, &m);
	if (err)
		goto out;
	if (!m.v2 && v1_from_stat(stat.data ? stat.data : "", &m) == 0) {
		if (sample) {
			/* A kept copy's limits may be old: the OPEN's are not. */
			v1_limits(sample->limit, sample->memsw_limit, &m);
			m.usage = sample->usage;
		} else {
			err = pv_cg_mem_usage(cg, c, &m.usage);
		}
	} else
		err = limits_from_files(cg, c, stat.data ? stat.data : "", &m);
	if (err)
		goto out;
	*ret = m;
out:
	buf_free(&stat);
	return err;
}

/* ---- pure view -------------------------------------------------------- */

/* Key of the meminfo line at @line: length up to ':' or 0 when none. */
static size_t line_key(const char *line, const char *end)
{
	const char *colon = memchr(line, ':', (size_t)(end - line));

	return colon ? (size_t)(colon - line) : 0;
}

int pv_meminfo_host_kb(const char *host_text, const char *key, __u64 *ret)
{
	size_t klen = strlen(key);
	const char *p = host_text;

	while (p && *p) {
		const char *end = strchr(p, '\n');

		if (!end)
			end = p + strlen(p);
		if (line_key(p, end) == klen && memcmp(p, key, klen) == 0) {
			const char *v = p + klen + 1;
			unsigned long long x;
			char *q;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			if (v == end || *v < '0' || *v > '9')
				return -EINVAL;
			errno = 0;
			x = strtoull(v, &q, 10);
			if (errno == ERANGE)
				return -ERANGE;
			if (q > end)
				return -EINVAL;
			*ret = x;
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	return -ENOENT;
}

static __u64 kb(__u64 bytes)
{
	return bytes / 1024;
}

static __u64 sub0(__u64 a, __u64 b)
{
	return a > b ? a - b : 0;
}

/* Saturating add: figures near 2^64 must not wrap into small numbers. */
static __u64 add_sat(__u64 a, __u64 b)
{
	return a + b < a ? PV_UNLIMITED : a + b;
}

int pv_mem_view_build(const char *host_text, const struct mem_cg *m,
		      struct mem_view *ret)
{
	__u64 host_total, host_swap = 0, total, free, avail, reclaim;
	__u64 swap_total, *v;
	struct mem_view view;
	int err;

	err = pv_meminfo_host_kb(host_text, "MemTotal", &host_total);
	if (err)
		return err == -ENOENT ? -EINVAL : err;
	/* A host without a SwapTotal line has no swap. */
	if (pv_meminfo_host_kb(host_text, "SwapTotal", &host_swap))
		host_swap = 0;

	memset(&view, 0, sizeof(view));
	view.host_text = host_text;
	v = view.kb;

	total = m->limit == PV_UNLIMITED ? host_total : kb(m->limit);
	if (total > host_total)
		total = host_total;
	free = sub0(total, kb(m->usage));
	/*
	 * What could be freed without swapping: clean and dirty page cache on
	 * the file LRUs (shmem lives on the anon LRUs, so it is not counted)
	 * and reclaimable slab — the kernel's own si_mem_available() terms,
	 * without its watermark reserves, which belong to the host.
	 */
	reclaim = add_sat(add_sat(kb(m->active_file), kb(m->inactive_file)),
			  kb(m->slab_reclaimable));
	avail = add_sat(free, reclaim);
	if (avail > total)
		avail = total;

	v[PV_MEM_MemTotal] = total;
	v[PV_MEM_MemFree] = free;
	v[PV_MEM_MemAvailable] = avail;
	v[PV_MEM_Buffers] = 0; /* cgroups account buffers as file pages */
	v[PV_MEM_Cached] = kb(m->file);
	v[PV_MEM_SwapCached] = kb(m->swapcached);
	v[PV_MEM_Active] = add_sat(kb(m->active_anon), kb(m->active_file));
	v[PV_MEM_Inactive] = add_sat(kb(m->inactive_anon), kb(m->inactive_file));
	v[PV_MEM_ActiveAnon] = kb(m->active_anon);
	v[PV_MEM_InactiveAnon] = kb(m->inactive_anon);
	v[PV_MEM_ActiveFile] = kb(m->active_file);
	v[PV_MEM_InactiveFile] = kb(m->inactive_file);
	v[PV_MEM_Unevictable] = kb(m->unevictable);

	swap_total = m->swap_limit == PV_UNLIMITED ? host_swap : kb(m->swap_limit);
	if (swap_total > host_swap)
		swap_total = host_swap;
	v[PV_MEM_SwapTotal] = swap_total;
	v[PV_MEM_SwapFree] = sub0(swap_total, kb(m->swap_usage));

	v[PV_MEM_Zswap] = kb(m->zswap);
	v[PV_MEM_Zswapped] = kb(m->zswapped);
	v[PV_MEM_Dirty] = kb(m->file_dirty);
	v[PV_MEM_Writeback] = kb(m->file_writeback);
	v[PV_MEM_AnonPages] = kb(m->anon);
	v[PV_MEM_Mapped] = kb(m->file_mapped);
	v[PV_MEM_Shmem] = kb(m->shmem);
	v[PV_MEM_KReclaimable] = kb(m->slab_reclaimable);
	v[PV_MEM_Slab] = add_sat(kb(m->slab_reclaimable), kb(m->slab_unreclaimable));
	v[PV_MEM_SReclaimable] = kb(m->slab_reclaimable);
	v[PV_MEM_SUnreclaim] = kb(m->slab_unreclaimable);
	v[PV_MEM_KernelStack] = kb(m->kernel_stack);
	v[PV_MEM_PageTables] = kb(m->pagetables);
	v[PV_MEM_SecPageTables] = kb(m->sec_pagetables);
	v[PV_MEM_Percpu] = kb(m->percpu);
	v[PV_MEM_AnonHugePages] = kb(m->anon_thp);
	v[PV_MEM_ShmemHugePages] = kb(m->shmem_thp);
	v[PV_MEM_FileHugePages] = kb(m->file_thp);

	*ret = view;
	return 0;
}

/* ---- renderer --------------------------------------------------------- */

/* Exact key match without strlen on every probe: the render hot path. */
static int key_eq(const char *name, const char *key, size_t klen)
{
	return strncmp(name, key, klen) == 0 && name[klen] == '\0'; /* stops at name's NUL */
}

static int find_field(const char *key, size_t klen)
{
	for (int f = 0; f < PV_MEM__COUNT; f++)
		if (field_names[f][0] == key[0] && key_eq(field_names[f], key, klen))
			return f;
	return -1;
}

static int is_host_constant(const char *key, size_t klen)
{
	for (size_t i = 0; i < sizeof(host_constants) / sizeof(host_constants[0]); i++)
		if (key_eq(host_constants[i], key, klen))
			return 1;
	return 0;
}

/* The value on a host line (digits after ':'); 0 when there are none. */
static __u64 line_value(const char *p, const char *end)
{
	__u64 v = 0;

	p = memchr(p, ':', (size_t)(end - p));
	if (!p)
		return 0;
	for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (PV_UNLIMITED - 9) / 10)
			return 0; /* overflow: not a figure we can keep */
		v = v * 10 + (__u64)(*p - '0');
	}
	return v;
}

/*
 * One line the way the kernel's meminfo prints it ("%-16s%8llu kB"):
 * "Key:" padded to 16 columns, the value right-aligned in 8 or wider.
 * Formatted by hand: printf per line was a third of a render's CPU time.
 */
static void put_line(struct buf *out, const char *key, size_t klen, __u64 val, int has_kb)
{
	char line[128], digits[24];
	size_t n = 0, nd = 0;

	memcpy(line, key, klen);
	n = klen;
	line[n++] = ':';
	while (n < 16)
		line[n++] = ' ';
	do {
		digits[nd++] = (char)('0' + val % 10);
		val /= 10;
	} while (val);
	for (size_t i = nd; i < 8; i++)
		line[n++] = ' ';
	while (nd)
		line[n++] = digits[--nd];
	if (has_kb) {
		memcpy(line + n, " kB", 3);
		n += 3;
	}
	line[n++] = '\n';
	buf_append(out, line, n);
}

int render_meminfo(const struct mem_view *v, struct buf *out)
{
	const char *p = v->host_text;

	if (!p)
		return -EINVAL;
	if (v->passthrough) {
		buf_puts(out, p);
		return buf_error(out);
	}
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t klen, len;
		__u64 val = 0;
		int f;

		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		klen = line_key(p, end);
		if (klen == 0 || klen > 64) {
			/* Not a "Key: value" line: keep it as the host has it. */
			buf_append(out, p, len);
			buf_append(out, "\n", 1);
		} else {
			f = find_field(p, klen);
			if (f >= 0)
				val = v->kb[f];
			else if (is_host_constant(p, klen))
				val = line_value(p, end);
			put_line(out, p, klen, val, len >= 3 && memcmp(end - 3, " kB", 3) == 0);
		}
		p = *end ? end + 1 : end;
	}
	return buf_error(out);
}

/* ---- producer glue ---------------------------------------------------- */

int pv_collect_mem(const struct pv_env *env, const struct pv_container *c,
		   const char *host_text, struct mem_view *ret)
{
	struct mem_cg m;
	int err;

	if (!host_text)
		return -EINVAL;
	if (!c->host) {
		err = pv_collect_memcg(&env->cg, c, &m);
		if (err == 0)
			return pv_mem_view_build(host_text, &m, ret);
		if (err != -ENODEV)
			return err;
	}
	/*
	 * Host reader, or a container whose memory cgroup is the hierarchy
	 * root (or no memory controller at all): the host's memory is its
	 * memory.
	 */
	memset(ret, 0, sizeof(*ret));
	ret->host_text = host_text;
	ret->passthrough = 1;
	return 0;
}
