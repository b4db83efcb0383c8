// SPDX-License-Identifier: GPL-2.0-only
#include "kept.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct pv_kept_slot *find(struct pv_kept *k, __u64 ino)
{
	for (int i = 0; i < PV_KEPT_ENTRIES; i++)
		if (k->s[i].tag.ino == ino)
			return &k->s[i];
	return NULL;
}

/* The slot for @ino: its own, a free one, or the least recently used. */
static struct pv_kept_slot *slot_for(struct pv_kept *k, __u64 ino)
{
	struct pv_kept_slot *sl = find(k, ino), *lru = &k->s[0];

	if (sl)
		return sl;
	for (int i = 0; i < PV_KEPT_ENTRIES; i++) {
		if (!k->s[i].tag.ino)
			return &k->s[i];
		if (k->s[i].tick < lru->tick)
			lru = &k->s[i];
	}
	return lru;
}

int pv_kept_use(struct pv_kept *k, __u64 ino, pv_kept_fits_fn fits, const void *want,
		pv_kept_use_fn use, void *arg)
{
	struct pv_kept_slot *sl;
	int rc = -ENOENT;

	pthread_mutex_lock(&k->lock);
	sl = ino ? find(k, ino) : NULL;
	if (sl && fits(&sl->tag, sl->data, sl->len, want)) {
		sl->tick = ++k->tick;
		k->hits++;
		rc = use(arg, &sl->tag, sl->data, sl->len);
	} else {
		k->misses++;
	}
	pthread_mutex_unlock(&k->lock);
	return rc;
}

void pv_kept_put(struct pv_kept *k, const struct pv_kept_tag *tag, const void *head,
		 size_t head_len, const void *tail, size_t tail_len)
{
	size_t len = head_len + tail_len;
	char *copy;
	struct pv_kept_slot *sl;

	if (!tag->ino)
		return;
	/* One byte more: a text copy stays NUL-terminated. */
	copy = malloc(len + 1);
	if (!copy)
		return;
	if (head_len)
		memcpy(copy, head, head_len);
	if (tail_len)
		memcpy(copy + head_len, tail, tail_len);
	copy[len] = '\0';
	pthread_mutex_lock(&k->lock);
	sl = slot_for(k, tag->ino);
	free(sl->data);
	*sl = (struct pv_kept_slot){ .tag = *tag, .data = copy, .len = len, .tick = ++k->tick };
	pthread_mutex_unlock(&k->lock);
}

void pv_kept_stats(struct pv_kept *k, unsigned long *hits, unsigned long *misses)
{
	pthread_mutex_lock(&k->lock);
	*hits = k->hits;
	*misses = k->misses;
	pthread_mutex_unlock(&k->lock);
}

void pv_kept_clear(struct pv_kept *k)
{
	pthread_mutex_lock(&k->lock);
	for (int i = 0; i < PV_KEPT_ENTRIES; i++) {
		free(k->s[i].data);
		k->s[i] = (struct pv_kept_slot){ 0 };
	}
	k->tick = k->hits = k->misses = 0;
	pthread_mutex_unlock(&k->lock);
}
