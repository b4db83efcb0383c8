// SPDX-License-Identifier: GPL-2.0-only
/* Finding the daemon's own mount (its kernel dev_t) in mountinfo text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mountinfo_dev__last_mount_on_the_path_wins),
		cmocka_unit_test(mountinfo_dev__escaped_mountpoint),
		cmocka_unit_test(mountinfo_dev__major_shifted_like_the_kernel),
		cmocka_unit_test(mountinfo_dev__absent_or_malformed),
	};

	return cmocka_run_group_tests_name("reader_id", tests, NULL, NULL);
}
