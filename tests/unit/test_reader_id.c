// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding the daemon's own mount (its kernel dev_t) in mountinfo text, and
 * reading a record's mapped slot under its sequence count.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "reader_id.h"

static const char *const mi =
	"22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n"
	"40 22 0:44 / /var/lib/procview rw,nosuid shared:20 - fuse.procview procview rw\n"
	"41 22 0:45 / /tmp/with\\040space rw - fuse.procview procview rw\n"
	"42 40 0:46 / /var/lib/procview rw,nosuid shared:21 - fuse.procview procview rw\n"
	"43 22 0:47 / /var/lib/procview/proc rw - tmpfs tmpfs rw\n";

static void mountinfo_dev__last_mount_on_the_path_wins(void **state)
{
	__u32 dev = 0;

	assert_int_equal(pv_mountinfo_dev(mi, "/var/lib/procview", &dev), 0);
	assert_int_equal(dev, (0u << 20) | 46);   /* the one mounted on top */
}

static void mountinfo_dev__escaped_mountpoint(void **state)
{
	__u32 dev = 0;

	assert_int_equal(pv_mountinfo_dev(mi, "/tmp/with space", &dev), 0);
	assert_int_equal(dev, 45);
	assert_int_equal(pv_mountinfo_dev(mi, "/tmp/with\\040space", &dev), -ENOENT);
	assert_int_equal(pv_mountinfo_dev(mi, "/tmp/with", &dev), -ENOENT);
}

static void mountinfo_dev__major_shifted_like_the_kernel(void **state)
{
	__u32 dev = 0;

	assert_int_equal(pv_mountinfo_dev(mi, "/", &dev), 0);
	assert_int_equal(dev, (259u << 20) | 1);
}

static void mountinfo_dev__absent_or_malformed(void **state)
{
	__u32 dev = 7;

	assert_int_equal(pv_mountinfo_dev(mi, "/var/lib", &dev), -ENOENT);
	assert_int_equal(pv_mountinfo_dev("", "/", &dev), -ENOENT);
	assert_int_equal(pv_mountinfo_dev("1 2 x / /m rw\n3 4 5:6\n", "/m", &dev), -ENOENT);
	assert_int_equal(pv_mountinfo_dev("1 2 0:5 / /m", "/m", &dev), 0);   /* no newline */
	assert_int_equal(dev, 5);
}

static void slot_read__stable_record_of_this_open(void **state)
{
	struct pv_rid_slot slot = { .seq = 4, .tid = 77 };
	struct pv_rid r;

	slot.rec.nodeid = 3;
	slot.rec.opcode = PV_FUSE_OPEN;
	slot.rec.dfl_id = 1234;
	slot.rec.cpu = 1;
	assert_int_equal(pv_rid_slot_read(&slot, 77, 3, PV_FUSE_OPEN, &r), 0);
	assert_int_equal(r.dfl_id, 1234);
	assert_int_equal(r.cpu, 1);
	/* A slot is only ever the newest record of its thread: 1025 shares
	   slot 1 with thread 1, and must not take thread 1's record. */
	slot.tid = 1;
	assert_int_equal(pv_rid_slot_read(&slot, 1 + PV_RID_SLOTS, 3, PV_FUSE_OPEN, &r), -ENOENT);
}

static void slot_read__refuses_what_is_not_whole_or_not_ours(void **state)
{
	struct pv_rid_slot slot = { .seq = 5, .tid = 77 };
	struct pv_rid r;

	slot.rec.nodeid = 3;
	slot.rec.opcode = PV_FUSE_OPEN;
	assert_int_equal(pv_rid_slot_read(&slot, 77, 3, PV_FUSE_OPEN, &r), -EAGAIN);   /* being written */
	slot.seq = 6;
	assert_int_equal(pv_rid_slot_read(&slot, 78, 3, PV_FUSE_OPEN, &r), -ENOENT);   /* another thread */
	assert_int_equal(pv_rid_slot_read(&slot, 77, 4, PV_FUSE_OPEN, &r), -ENOENT);   /* another node */
	/* The same thread's re-read of the node is no open, nor the reverse:
	   a READ record holds only the memory fields. */
	assert_int_equal(pv_rid_slot_read(&slot, 77, 3, PV_FUSE_READ, &r), -ENOENT);
	slot.rec.opcode = PV_FUSE_READ;
	assert_int_equal(pv_rid_slot_read(&slot, 77, 3, PV_FUSE_OPEN, &r), -ENOENT);
	assert_int_equal(pv_rid_slot_read(&slot, 77, 3, PV_FUSE_READ, &r), 0);
	slot.rec.opcode = PV_FUSE_OPEN;
	slot.rec.nodeid = 0;   /* a record the kernel could not build */
	assert_int_equal(pv_rid_slot_read(&slot, 77, 0, PV_FUSE_OPEN, &r), -ENOENT);
}

/* A writer as bpf/reader_id.bpf.c writes: odd count, fields, even count.
   Each record is all one value, so a torn copy shows. */
static struct pv_rid_slot shared_slot;
static int writer_stop;

static void *slot_writer(void *arg)
{
	for (__u64 v = 1; !__atomic_load_n(&writer_stop, __ATOMIC_RELAXED); v++) {
		__atomic_fetch_add(&shared_slot.seq, 1, __ATOMIC_SEQ_CST);
		shared_slot.tid = 9;
		shared_slot.rec.nodeid = 2;
		shared_slot.rec.opcode = PV_FUSE_OPEN;
		shared_slot.rec.dfl_id = v;
		for (int i = 0; i < PV_RID_SUBSYS; i++)
			__atomic_store_n(&shared_slot.rec.ss_id[i], v, __ATOMIC_RELAXED);
		__atomic_fetch_add(&shared_slot.seq, 1, __ATOMIC_SEQ_CST);
		/* Whole for a while, so reads start in both states. */
		for (volatile int i = 0; i < 64; i++)
			;
	}
	return arg;
}

static void slot_read__never_a_torn_record(void **state)
{
	pthread_t t;
	long ok = 0, busy = 0, torn = 0;

	shared_slot.seq = 0;
	assert_int_equal(pthread_create(&t, NULL, slot_writer, NULL), 0);
	/* Under valgrind threads take turns: yield until the writer ran,
	   and now and then while reading. */
	while (__atomic_load_n(&shared_slot.seq, __ATOMIC_ACQUIRE) < 2)
		sched_yield();
	for (long i = 0; i < 2000000 && ok < 20000; i++) {
		struct pv_rid r;
		int rc;

		if (i % 4096 == 4095)
			sched_yield();
		rc = pv_rid_slot_read(&shared_slot, 9, 2, PV_FUSE_OPEN, &r);

		if (rc == -EAGAIN) {
			busy++;
			continue;
		}
		if (rc)
			continue;   /* before the first write */
		ok++;
		for (int k = 0; k < PV_RID_SUBSYS; k++)
			if (r.ss_id[k] != r.dfl_id)
				torn++;
	}
	__atomic_store_n(&writer_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	print_message("slot reads: %ld whole, %ld refused while written\n", ok, busy);
	assert_true(ok > 0);
	assert_int_equal(torn, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mountinfo_dev__last_mount_on_the_path_wins),
		cmocka_unit_test(mountinfo_dev__escaped_mountpoint),
		cmocka_unit_test(mountinfo_dev__major_shifted_like_the_kernel),
		cmocka_unit_test(mountinfo_dev__absent_or_malformed),
		cmocka_unit_test(slot_read__stable_record_of_this_open),
		cmocka_unit_test(slot_read__refuses_what_is_not_whole_or_not_ours),
		cmocka_unit_test(slot_read__never_a_torn_record),
	};

	return cmocka_run_group_tests_name("reader_id", tests, NULL, NULL);
}
