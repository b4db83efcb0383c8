// SPDX-License-Identifier: GPL-2.0-only
#include "blkio_kept.h"

#include <errno.h>
#include <string.h>

/* A copy: the io_serviced text (tag.aux bytes), then the parsed devices. */
static struct pv_kept kept = PV_KEPT_INIT;

int pv_blkio_kept_reusable(const struct pv_kept_tag *k, const struct pv_blkio_probe *p,
			   __u64 ino)
{
	return p->ok && p->alone && ino != 0 && p->ino == ino && k->ino == ino &&
	       k->epoch == p->mkdirs;
}

struct want {
	const struct pv_blkio_probe *p;
	__u64 ino;
	const char *ios;
	size_t len;
};

static int fits(const struct pv_kept_tag *k, const void *data, size_t len, const void *arg)
{
	const struct want *w = arg;

	return pv_blkio_kept_reusable(k, w->p, w->ino) && k->aux == w->len && len >= w->len &&
	       !memcmp(data, w->ios, w->len);
}

struct dst {
	struct pv_io_dev *devs;
	int max, *n;
};

static int take(void *arg, const struct pv_kept_tag *k, const void *data, size_t len)
{
	const struct dst *d = arg;
	size_t n = (len - k->aux) / sizeof(struct pv_io_dev);

	if (n > (size_t)d->max)
		return -ENOBUFS;
	memcpy(d->devs, (const char *)data + k->aux, n * sizeof(struct pv_io_dev));
	*d->n = (int)n;
	return 0;
}

int pv_blkio_kept_get(const struct pv_blkio_probe *p, __u64 ino, const char *ios, size_t len,
		      struct pv_io_dev *devs, int max, int *n)
{
	struct want w = { .p = p, .ino = ino, .ios = ios ? ios : "", .len = ios ? len : 0 };
	struct dst d = { .devs = devs, .max = max, .n = n };

	/* Not counted as a miss when there is nothing to prove it with. */
	if (!p->ok || !p->alone || !ino)
		return -ENOENT;
	return pv_kept_use(&kept, ino, fits, &w, take, &d);
}

void pv_blkio_kept_put(const struct pv_blkio_probe *p, __u64 ino, const char *ios, size_t len,
		       const struct pv_io_dev *devs, int n)
{
	struct pv_kept_tag k = { .ino = ino, .epoch = p->mkdirs, .aux = ios ? len : 0 };

	if (!p->ok || !p->alone || !ino || p->ino != ino)
		return;
	pv_kept_put(&kept, &k, ios, k.aux, devs, (size_t)(n > 0 ? n : 0) * sizeof(*devs));
}

void pv_blkio_kept_stats(unsigned long *hits, unsigned long *misses)
{
	pv_kept_stats(&kept, hits, misses);
}

void pv_blkio_kept_clear(void)
{
	pv_kept_clear(&kept);
}
