// SPDX-License-Identifier: GPL-2.0-only
#include "swaps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SWAP_DEVS 64 /* the kernel's MAX_SWAPFILES is 32 */

struct swap_dev {
	char name[512];
	char type[32];
	__u64 size, used;
	long long prio;
};

/* "NAME TYPE SIZE USED PRIO" -> @d. 0 or -EINVAL. */
static int parse_dev(const char *line, size_t len, struct swap_dev *d)
{
	char tmp[1024];
	unsigned long long size, used;
	long long prio;
	int n;

	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	n = sscanf(tmp, "%511s %31s %llu %llu %lld", d->name, d->type, &size, &used, &prio);
	if (n != 5)
		return -EINVAL;
	d->size = size;
	d->used = used;
	d->prio = prio;
	return 0;
}

/* a * b / c without overflow for any 64-bit a, b and b <= c. */
static __u64 scale(__u64 a, __u64 b, __u64 c)
{
	return c ? (__u64)((unsigned __int128)a * b / c) : 0;
}

static void put_dev(struct buf *out, const struct swap_dev *d, __u64 size, __u64 used)
{
	size_t len = strlen(d->name);

	/* The kernel's layout: name padded to column 40, tab separated. */
	buf_printf(out, "%s%*s%s\t%llu\t%s%llu\t%s%lld\n", d->name,
		   len < 40 ? (int)(40 - len) : 1, " ", d->type,
		   (unsigned long long)size, size < 10000000 ? "\t" : "",
		   (unsigned long long)used, used < 10000000 ? "\t" : "", d->prio);
}

int render_swaps(const struct swaps_view *v, struct buf *out)
{
	struct swap_dev *devs;
	const char *p = v->host_text, *end;
	__u64 sum = 0, size_left, used_left, used;
	int n = 0;

	if (!p)
		return -EINVAL;
	if (v->passthrough) {
		buf_puts(out, p);
		return buf_error(out);
	}
	end = strchr(p, '\n');
	if (!end) {
		/* No device lines at all; keep the header as it is. */
		buf_puts(out, p);
		buf_puts(out, "\n");
		return buf_error(out);
	}
	buf_append(out, p, (size_t)(end - p + 1));
	if (v->total_kb == 0)
		return buf_error(out);

	devs = calloc(MAX_SWAP_DEVS, sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	for (p = end + 1; *p && n < MAX_SWAP_DEVS; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (parse_dev(p, (size_t)(end - p), &devs[n]) == 0 && devs[n].size) {
			sum += devs[n].size;
			n++;
		}
	}
	used = v->used_kb < v->total_kb ? v->used_kb : v->total_kb;
	size_left = v->total_kb;
	used_left = used;
	for (int i = 0; i < n && sum; i++) {
		__u64 s = i == n - 1 ? size_left : scale(v->total_kb, devs[i].size, sum);
		__u64 u = i == n - 1 ? used_left : scale(used, devs[i].size, sum);

		if (s > size_left)
			s = size_left;
		if (u > used_left)
			u = used_left;
		if (u > s)
			u = s;
		size_left -= s;
		used_left -= u;
		put_dev(out, &devs[i], s, u);
	}
	free(devs);
	return buf_error(out);
}
