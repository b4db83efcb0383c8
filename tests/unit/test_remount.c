// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "remount.h"

static void mnt_parse__bind_of_fuse_file__all_fields(void **state)
{
	char line[] = "612 598 0:71 /proc/meminfo /proc/meminfo ro,nosuid,nodev,relatime "
		      "master:301 - fuse.procviewd procviewd rw,user_id=0,group_id=0";
	struct pv_mnt m;

	assert_int_equal(pv_mnt_parse(line, &m), 0);
	assert_int_equal(m.id, 612);
	assert_int_equal(m.parent, 598);
	assert_int_equal(m.major, 0);
	assert_int_equal(m.minor, 71);
	assert_string_equal(m.root, "/proc/meminfo");
	assert_string_equal(m.target, "/proc/meminfo");
	assert_string_equal(m.opts, "ro,nosuid,nodev,relatime");
	assert_string_equal(m.fstype, "fuse.procviewd");
	assert_string_equal(m.source, "procviewd");
	assert_true(pv_mnt_is_procview(&m));
}

static void mnt_parse__escapes_and_no_optional_fields(void **state)
{
	char line[] = "30 1 8:1 / /mnt/a\\040b\\134c rw - ext4 /dev/my\\011disk rw";
	struct pv_mnt m;

	assert_int_equal(pv_mnt_parse(line, &m), 0);
	assert_string_equal(m.target, "/mnt/a b\\c");
	assert_string_equal(m.source, "/dev/my\tdisk");
	assert_false(pv_mnt_is_procview(&m));
}

static void mnt_parse__malformed__einval(void **state)
{
	static const char *bad[] = {
		"",
		"612 598 0:71 /a /b rw",                 /* no separator */
		"612 598 0:71 /a /b rw shared:1 -",      /* no fstype */
		"612 598 0:71 /a /b rw - fuse",          /* no source */
		"x 598 0:71 /a /b rw - fuse src rw",     /* bad id */
		"612 598 071 /a /b rw - fuse src rw",    /* bad dev */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[128];
		struct pv_mnt m;

		snprintf(line, sizeof(line), "%s", bad[i]);
		assert_int_equal(pv_mnt_parse(line, &m), -EINVAL);
	}
}

static void mnt_is_procview__table(void **state)
{
	static const struct { const char *fstype, *source; int want; } t[] = {
		{ "fuse.procviewd", "procviewd", 1 },
		{ "fuse", "procview", 1 },
		{ "fuse.procview", "/dev/fuse", 1 },
		{ "fuse.lxcfs", "lxcfs", 0 },
		{ "fuseblk", "/dev/sda1", 0 },
		{ "ext4", "procview", 0 },   /* the word alone is not enough */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pv_mnt m = { .fstype = (char *)t[i].fstype, .source = (char *)t[i].source };

		assert_int_equal(!!pv_mnt_is_procview(&m), t[i].want);
	}
}

static void mnt_attr__table(void **state)
{
	assert_int_equal(pv_mnt_attr("rw,relatime"), 0);
	assert_int_equal(pv_mnt_attr("ro"), MOUNT_ATTR_RDONLY);
	assert_int_equal(pv_mnt_attr("ro,nosuid,nodev,noexec,relatime"),
			 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	/* Prefixes of other options do not count. */
	assert_int_equal(pv_mnt_attr("rox,nosuidx,nodevices"), 0);
	assert_int_equal(pv_mnt_attr(""), 0);
}

static void history_path__distinct_mountpoints_distinct_files(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];

	assert_int_equal(pv_remount_history_path("/run/pv", "/var/lib/procview", a, sizeof(a)), 0);
	assert_int_equal(pv_remount_history_path("/run/pv", "/var/lib_procview", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(a, "/run/pv/mounts/", 15), 0);
	assert_null(strchr(a + 15, '/'));
	assert_int_equal(pv_remount_history_path("/run/pv", "/x", a, 10), -ENAMETOOLONG);
}

static void history__add_load_dedupe_and_cap(void **state)
{
	char dir[] = "/tmp/pv-remount-XXXXXX";
	char path[PATH_MAX];
	dev_t devs[PV_REMOUNT_HISTORY];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(pv_remount_history_path(dir, "/var/lib/procview", path, sizeof(path)), 0);
	assert_int_equal(pv_remount_history_load(path, devs, PV_REMOUNT_HISTORY), 0);
	assert_int_equal(pv_remount_history_add(path, makedev(0, 70)), 0);
	assert_int_equal(pv_remount_history_add(path, makedev(0, 71)), 0);
	assert_int_equal(pv_remount_history_add(path, makedev(0, 70)), 0);
	assert_int_equal(pv_remount_history_load(path, devs, PV_REMOUNT_HISTORY), 2);
	assert_true(devs[0] == makedev(0, 70));
	assert_true(devs[1] == makedev(0, 71));
	for (unsigned int i = 100; i < 100 + PV_REMOUNT_HISTORY; i++)
		assert_int_equal(pv_remount_history_add(path, makedev(0, i)), 0);
	assert_int_equal(pv_remount_history_load(path, devs, PV_REMOUNT_HISTORY), PV_REMOUNT_HISTORY);
	/* Oldest dropped first. */
	assert_true(devs[0] == makedev(0, 100));
	assert_true(devs[PV_REMOUNT_HISTORY - 1] == makedev(0, 100 + PV_REMOUNT_HISTORY - 1));
	unlink(path);
	char mounts[PATH_MAX];
	snprintf(mounts, sizeof(mounts), "%s/mounts", dir);
	rmdir(mounts);
	rmdir(dir);
}

static void repair__nothing_mounted__enotconn(void **state)
{
	char dir[] = "/tmp/pv-remount-XXXXXX";

	assert_non_null(mkdtemp(dir));
	/* A plain directory is not a procview mount. */
	assert_int_equal(pv_remount_repair(dir), -ENOTCONN);
	assert_int_equal(pv_remount_repair("/nonexistent/pv"), -ENOTCONN);
	assert_int_equal(pv_remount_repair_sync(dir), -ENOTCONN);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mnt_parse__bind_of_fuse_file__all_fields),
		cmocka_unit_test(mnt_parse__escapes_and_no_optional_fields),
		cmocka_unit_test(mnt_parse__malformed__einval),
		cmocka_unit_test(mnt_is_procview__table),
		cmocka_unit_test(mnt_attr__table),
		cmocka_unit_test(history_path__distinct_mountpoints_distinct_files),
		cmocka_unit_test(history__add_load_dedupe_and_cap),
		cmocka_unit_test(repair__nothing_mounted__enotconn),
	};
	return cmocka_run_group_tests_name("remount", tests, NULL, NULL);
}
