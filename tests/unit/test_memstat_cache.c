// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kept memory.stat copy stands for a read only while nothing that
 * could change the kernel's output happened: same cgroup, same epoch,
 * batched updates within the kept threshold. Otherwise the file is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memstat_cache.h"

/* A memory.stat "file": what the next read appends, and reads counted. */
struct fake_file {
	char text[64];
	int reads;
	int fail;   /* -errno for the next reads */
};

static int fake_read(void *arg, struct buf *out)
{
	struct fake_file *f = arg;

	f->reads++;
	if (f->fail)
		return f->fail;
	buf_puts(out, f->text);
	return buf_error(out);
}

static volatile __u64 epoch, cpuhp;

static int setup(void **state)
{
	(void)state;
	pv_memstat_cache_clear();
	epoch = 7;
	pv_memstat_cache_source(&epoch, &cpuhp);
	return 0;
}

static struct pv_memcg_sample sample(__u64 ino, __u64 updates)
{
	return (struct pv_memcg_sample){ .ok = 1, .ino = ino, .updates = updates };
}

/* Appends what pv_memstat_get gives into a fresh buffer; returns its text. */
static const char *get(const struct pv_memcg_sample *s, struct fake_file *f, struct buf *b)
{
	buf_reset(b);
	assert_int_equal(pv_memstat_get(s, fake_read, f, b), 0);
	return b->data ? b->data : "";
}

static void memstat__reusable__only_same_cgroup_epoch_within_threshold(void **state)
{
	struct pv_kept_tag k = { .ino = 42, .epoch = 3, .aux = 128 };

	(void)state;
	assert_true(pv_memstat_reusable(&k, 42, 3, 0));
	assert_true(pv_memstat_reusable(&k, 42, 3, 128));   /* the kernel flushes above */
	assert_false(pv_memstat_reusable(&k, 42, 3, 129));
	assert_false(pv_memstat_reusable(&k, 42, 4, 0));    /* a flush pass ended */
	assert_false(pv_memstat_reusable(&k, 43, 3, 0));    /* another cgroup */
	k.ino = 0;
	assert_false(pv_memstat_reusable(&k, 0, 3, 0));     /* no cgroup at all */
}

static void memstat__same_epoch__kept_copy_without_a_read(void **state)
{
	struct fake_file f = { .text = "cache 1\n" };
	struct pv_memcg_sample s = sample(42, 0);
	struct buf b = BUF_INIT;
	unsigned long hits, misses;

	(void)state;
	assert_string_equal(get(&s, &f, &b), "cache 1\n");
	assert_int_equal(f.reads, 1);
	strcpy(f.text, "cache 2\n");   /* the file changed, the epoch did not */
	assert_string_equal(get(&s, &f, &b), "cache 1\n");
	assert_int_equal(f.reads, 1);
	pv_memstat_cache_stats(&hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 1);
	buf_free(&b);
}

static void memstat__epoch_moved__read_again(void **state)
{
	struct fake_file f = { .text = "cache 1\n" };
	struct pv_memcg_sample s = sample(42, 0);
	struct buf b = BUF_INIT;

	(void)state;
	get(&s, &f, &b);
	strcpy(f.text, "cache 2\n");
	epoch++;
	assert_string_equal(get(&s, &f, &b), "cache 2\n");
	assert_int_equal(f.reads, 2);
	/* ... and the new copy is kept at the new epoch. */
	assert_string_equal(get(&s, &f, &b), "cache 2\n");
	assert_int_equal(f.reads, 2);
	buf_free(&b);
}

static void memstat__updates_over_threshold__read_again(void **state)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	__u64 threshold = (__u64)ncpus * PV_MEMCG_CHARGE_BATCH;
	struct fake_file f = { .text = "cache 1\n" };
	struct pv_memcg_sample s = sample(42, 0);
	struct buf b = BUF_INIT;

	(void)state;
	assert_true(ncpus > 0);
	get(&s, &f, &b);
	s.updates = threshold;          /* the kernel's read would not flush */
	get(&s, &f, &b);
	assert_int_equal(f.reads, 1);
	s.updates = threshold + 1;      /* it would: so do we */
	strcpy(f.text, "cache 3\n");
	assert_string_equal(get(&s, &f, &b), "cache 3\n");
	assert_int_equal(f.reads, 2);
	buf_free(&b);
}

static void memstat__no_sample_or_no_epoch__always_read_nothing_kept(void **state)
{
	struct fake_file f = { .text = "cache 1\n" };
	struct pv_memcg_sample s = sample(42, 0), none = { 0 };
	struct buf b = BUF_INIT;

	(void)state;
	get(&none, &f, &b);
	get(NULL, &f, &b);
	assert_int_equal(f.reads, 2);
	get(&s, &f, &b);                /* nothing was kept by the two above */
	assert_int_equal(f.reads, 3);
	pv_memstat_cache_source(NULL, NULL);  /* the epoch is not counted */
	get(&s, &f, &b);
	get(&s, &f, &b);
	assert_int_equal(f.reads, 5);
	buf_free(&b);
}

static void memstat__read_error__returned_and_nothing_kept(void **state)
{
	struct fake_file f = { .text = "cache 1\n", .fail = -ENOENT };
	struct pv_memcg_sample s = sample(42, 0);
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(pv_memstat_get(&s, fake_read, &f, &b), -ENOENT);
	f.fail = 0;
	assert_string_equal(get(&s, &f, &b), "cache 1\n");
	assert_int_equal(f.reads, 2);
	buf_free(&b);
}

static void memstat__other_cgroup__own_copy(void **state)
{
	struct fake_file f1 = { .text = "cache 1\n" }, f2 = { .text = "cache 2\n" };
	struct pv_memcg_sample s1 = sample(1, 0), s2 = sample(2, 0);
	struct buf b = BUF_INIT;

	(void)state;
	get(&s1, &f1, &b);
	assert_string_equal(get(&s2, &f2, &b), "cache 2\n");
	assert_string_equal(get(&s1, &f1, &b), "cache 1\n");
	assert_int_equal(f1.reads + f2.reads, 2);
	buf_free(&b);
}

static void memstat__more_cgroups_than_slots__lru_evicted(void **state)
{
	struct fake_file f = { .text = "x 1\n" };
	struct buf b = BUF_INIT;

	(void)state;
	for (__u64 ino = 1; ino <= PV_MEMSTAT_CACHE_ENTRIES + 1; ino++) {
		struct pv_memcg_sample s = sample(ino, 0);

		get(&s, &f, &b);
	}
	assert_int_equal(f.reads, PV_MEMSTAT_CACHE_ENTRIES + 1);
	{
		struct pv_memcg_sample last = sample(PV_MEMSTAT_CACHE_ENTRIES + 1, 0);
		struct pv_memcg_sample first = sample(1, 0);

		get(&last, &f, &b);     /* kept */
		assert_int_equal(f.reads, PV_MEMSTAT_CACHE_ENTRIES + 1);
		get(&first, &f, &b);    /* the least recently used went out */
		assert_int_equal(f.reads, PV_MEMSTAT_CACHE_ENTRIES + 2);
	}
	buf_free(&b);
}

/* Appends to what @out already holds: the copy is of this read only. */
static void memstat__appends__copy_is_only_the_read(void **state)
{
	struct fake_file f = { .text = "cache 1\n" };
	struct pv_memcg_sample s = sample(42, 0);
	struct buf b = BUF_INIT;

	(void)state;
	buf_puts(&b, "before\n");
	assert_int_equal(pv_memstat_get(&s, fake_read, &f, &b), 0);
	assert_string_equal(b.data, "before\ncache 1\n");
	assert_string_equal(get(&s, &f, &b), "cache 1\n");
	assert_int_equal(f.reads, 1);
	buf_free(&b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(memstat__reusable__only_same_cgroup_epoch_within_threshold),
		T(memstat__same_epoch__kept_copy_without_a_read),
		T(memstat__epoch_moved__read_again),
		T(memstat__updates_over_threshold__read_again),
		T(memstat__no_sample_or_no_epoch__always_read_nothing_kept),
		T(memstat__read_error__returned_and_nothing_kept),
		T(memstat__other_cgroup__own_copy),
		T(memstat__more_cgroups_than_slots__lru_evicted),
		T(memstat__appends__copy_is_only_the_read),
	};

	return cmocka_run_group_tests_name("memstat_cache", tests, NULL, NULL);
}
