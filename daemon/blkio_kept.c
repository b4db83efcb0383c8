// SPDX-License-Identifier: GPL-2.0-only
#include "blkio_kept.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A copy: the io_serviced text's length (a size_t), the text, then the
   parsed devices. */
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

static size_t text_len(const void *data)
{
	size_t len;

	memcpy(&len, data, sizeof(len));
	return len;
}

static int fits(const struct pv_kept_tag *k, const void *data, size_t len, const void *arg)
{
	const struct want *w = arg;

	return pv_blkio_kept_reusable(k, w->p, w->ino) && len >= sizeof(size_t) &&
	       text_len(data) == w->len && len - sizeof(size_t) >= w->len &&
	       !memcmp((const char *)data + sizeof(size_t), w->ios, w->len);
}

struct dst {
	struct pv_io_dev *devs;
	int max, *n;
};

static int take(void *arg, const void *data, size_t len)
{
	const struct dst *d = arg;
	size_t skip = sizeof(size_t) + text_len(data);
	size_t n = (len - skip) / sizeof(struct pv_io_dev);

	if (n > (size_t)d->max)
		return -ENOBUFS;
	memcpy(d->devs, (const char *)data + skip, n * sizeof(struct pv_io_dev));
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
	struct pv_kept_tag k = { .ino = ino, .epoch = p->mkdirs };
	size_t devs_len = (size_t)(n > 0 ? n : 0) * sizeof(*devs);
	char *blob;

	if (!p->ok || !p->alone || !ino || p->ino != ino)
		return;
	if (!ios)
		len = 0;
	blob = malloc(sizeof(len) + len + devs_len);
	if (!blob)
		return;   /* the next open reads both files */
	memcpy(blob, &len, sizeof(len));
	if (len)
		memcpy(blob + sizeof(len), ios, len);
	if (devs_len)
		memcpy(blob + sizeof(len) + len, devs, devs_len);
	pv_kept_put(&kept, &k, blob, sizeof(len) + len + devs_len);
	free(blob);
}

void pv_blkio_kept_stats(unsigned long *hits, unsigned long *misses)
{
	pv_kept_stats(&kept, hits, misses);
}

void pv_blkio_kept_clear(void)
{
	pv_kept_clear(&kept);
}
