// SPDX-License-Identifier: GPL-2.0-only
/* Whole-file readers: what fits, what does not, what is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static int write_file(const char *path, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (size_t i = 0; i < len; i++)
		fputc('a' + (int)(i % 26), f);
	return fclose(f);
}

static void fileio__read_whole__short_file_in_one_read(void **state)
{
	char path[] = "/tmp/pv-fileio-XXXXXX", dst[64];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(write_file(path, 10), 0);
	assert_int_equal(pv_read_whole_at(AT_FDCWD, path, dst, sizeof(dst)), 10);
	assert_string_equal(dst, "abcdefghij");
	/* Exactly cap - 1 bytes: fits, read the careful way. */
	assert_int_equal(write_file(path, 63), 0);
	assert_int_equal(pv_read_whole_at(AT_FDCWD, path, dst, sizeof(dst)), 63);
	assert_int_equal(strlen(dst), 63);
	/* One more: does not fit, nothing half-read is left behind. */
	assert_int_equal(write_file(path, 64), 0);
	assert_int_equal(pv_read_whole_at(AT_FDCWD, path, dst, sizeof(dst)), -EFBIG);
	assert_string_equal(dst, "");
	/* Empty file, missing file, no room. */
	assert_int_equal(write_file(path, 0), 0);
	assert_int_equal(pv_read_whole_at(AT_FDCWD, path, dst, sizeof(dst)), 0);
	assert_string_equal(dst, "");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(pv_read_whole_at(AT_FDCWD, path, dst, sizeof(dst)), -ENOENT);
	assert_int_equal(pv_read_whole_at(AT_FDCWD, "/proc/self/cgroup", dst, 1), -EINVAL);
}

/* A /proc seq_file of one record: the same text either way. */
static void fileio__read_whole__proc_file_matches_careful_read(void **state)
{
	char a[8192], b[8192];

	assert_true(pv_read_whole_at(AT_FDCWD, "/proc/self/cgroup", a, sizeof(a)) > 0);
	assert_true(pv_read_file_at(AT_FDCWD, "/proc/self/cgroup", b, sizeof(b)) > 0);
	assert_string_equal(a, b);
}

/* The path readers take pipes (procview-oci-hook reads /dev/stdin). */
static void fileio__path_readers__read_a_pipe(void **state)
{
	struct buf b = BUF_INIT;
	char path[64], dst[16];
	int p[2];

	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(p), 0);
		assert_int_equal(write(p[1], "abc", 3), 3);
		close(p[1]);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
		if (i == 0) {
			assert_int_equal(pv_read_file_buf(AT_FDCWD, path, &b), 0);
			assert_string_equal(b.data, "abc");
		} else {
			assert_int_equal(pv_read_whole_at(AT_FDCWD, path, dst, sizeof(dst)), 3);
			assert_string_equal(dst, "abc");
		}
		close(p[0]);
	}
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fileio__read_whole__short_file_in_one_read),
		cmocka_unit_test(fileio__read_whole__proc_file_matches_careful_read),
		cmocka_unit_test(fileio__path_readers__read_a_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
