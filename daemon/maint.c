// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "maint.h"

#define WALK_DEPTH_MAX 64

struct ids {
	__u64 *v;
	size_t n, cap;
};

static int ids_add(struct ids *s, __u64 id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		__u64 *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return 0;
}

/* Pre-order walk of the cgroup directory @dfd (consumed). */
static int walk(int dfd, int depth, struct ids *s)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int err;

	if (depth > WALK_DEPTH_MAX) {
		close(dfd);
		return -ELOOP;
	}
	if (fstat(dfd, &st)) {
		err = -errno;
		close(dfd);
		return err;
	}
	err = ids_add(s, (__u64)st.st_ino);
	if (err) {
		close(dfd);
		return err;
	}
	d = fdopendir(dfd);
	if (!d) {
		err = -errno;
		close(dfd);
		return err;
	}
	while (!err && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0) {
			/* Removed meanwhile: not live. Anything else would
			   hide live cgroups, so the walk fails. */
			if (errno != ENOENT)
				err = -errno;
			continue;
		}
		err = walk(sub, depth + 1, s);
	}
	closedir(d);
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

int pv_cg_live_ids(const struct pv_cgroups *cg, int idx, __u64 **ret, size_t *ret_n)
{
	struct ids s = { 0 };
	int fd, err;

	if (idx < 0 || idx >= cg->n)
		return -EINVAL;
	fd = openat(cg->h[idx].dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = walk(fd, 0, &s);
	if (err) {
		free(s.v);
		return err;
	}
	qsort(s.v, s.n, sizeof(*s.v), cmp_u64);
	*ret = s.v;
	*ret_n = s.n;
	return 0;
}

/*
 * A slot listed before the walk began belongs to a cgroup that existed
 * before it (a slot is made by a read of a live cgroup), so the walk sees
 * it unless it was removed: what the walk does not find is gone.
 */
static size_t prune_stat_state(const struct pv_env *env, int *ret_err)
{
	int idx = env->cg.cpu_acct >= 0 ? env->cg.cpu_acct : env->cg.unified;
	__u64 *slots, *live = NULL;
	size_t n, now, nlive = 0, dropped = 0;

	*ret_err = 0;
	n = pv_stat_state_cgids(NULL, 0);
	if (!n)
		return 0;
	slots = calloc(n, sizeof(*slots));
	if (!slots) {
		*ret_err = -ENOMEM;
		return 0;
	}
	now = pv_stat_state_cgids(slots, n);
	if (now < n)
		n = now;    /* slots freed since the count */
	*ret_err = pv_cg_live_ids(&env->cg, idx, &live, &nlive);
	for (size_t i = 0; !*ret_err && i < n; i++) {
		if (bsearch(&slots[i], live, nlive, sizeof(*live), cmp_u64))
			continue;
		pv_stat_state_forget(slots[i]);
		if (env->bpf)
			pv_bpf_forget(env->bpf, slots[i]);
		dropped++;
	}
	free(live);
	free(slots);
	return dropped;
}

size_t pv_maint_prune(const struct pv_env *env, struct pv_reader *r,
		      struct pv_prune_result *ret)
{
	struct pv_prune_result res = { 0 };

	res.stat_dropped = prune_stat_state(env, &res.err);
	if (r)
		res.reader_dropped = pv_reader_prune(r);
	/* Freed entries sit in the allocator's free lists: give the pages
	   back, so RSS follows the live containers too. */
	if (res.stat_dropped + res.reader_dropped)
		malloc_trim(0);
	if (ret)
		*ret = res;
	return res.stat_dropped + res.reader_dropped;
}
