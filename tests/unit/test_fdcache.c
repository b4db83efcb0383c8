// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kept-open kernel files: every read is as fresh as an openat would be
 * (the kernel regenerates at offset 0), regular files are never kept, and
 * a kept fd whose cgroup was removed gives way to the path's new cgroup.
 */
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdcache.h"
#include "fileio.h"

static int setup(void **state)
{
	pv_fdcache_prune(0);
	return 0;
}

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void fdcache__proc_file__kept_and_fresh(void **state)
{
	struct pv_fdcache_stats s0, s1;
	char dst[64];

	pv_fdcache_stats(&s0);
	assert_int_equal(prctl(PR_SET_NAME, "pv-one"), 0);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, "/proc/thread-self/comm", dst, sizeof(dst)), 7);
	assert_string_equal(dst, "pv-one\n");
	assert_int_equal(prctl(PR_SET_NAME, "pv-second"), 0);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, "/proc/thread-self/comm", dst, sizeof(dst)), 10);
	assert_string_equal(dst, "pv-second\n");
	pv_fdcache_stats(&s1);
	assert_int_equal(s1.entries, s0.entries + 1);
	assert_int_equal(s1.hits, s0.hits + 1);
	assert_int_equal(s1.misses, s0.misses + 1);
}

static void fdcache__buf_variant__whole_file_appended(void **state)
{
	struct buf b = BUF_INIT, ref = BUF_INIT;
	struct pv_fdcache_stats s;

	buf_puts(&b, "head:");
	/* Twice: the second read comes from the kept fd. */
	for (int i = 0; i < 2; i++) {
		b.len = 5;
		assert_int_equal(pv_fdcache_read_buf(AT_FDCWD, "/proc/self/mountinfo", &b), 0);
	}
	assert_int_equal(pv_read_file_buf(AT_FDCWD, "/proc/self/mountinfo", &ref), 0);
	assert_true(ref.len > 0);
	assert_int_equal(b.len, 5 + ref.len);
	assert_memory_equal(b.data, "head:", 5);
	assert_string_equal(b.data + 5, ref.data);
	pv_fdcache_stats(&s);
	assert_true(s.hits >= 1);
	buf_free(&b);
	buf_free(&ref);
}

static void fdcache__regular_file__never_kept_replacement_seen(void **state)
{
	char dir[] = "/tmp/pv-fdcache-XXXXXX", path[64], tmp[80], dst[64];
	struct pv_fdcache_stats s0, s1;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	snprintf(tmp, sizeof(tmp), "%s/f.new", dir);
	put_text(path, "old\n");
	pv_fdcache_stats(&s0);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, path, dst, sizeof(dst)), 4);
	assert_string_equal(dst, "old\n");
	/* Replaced by another inode under the same name. */
	put_text(tmp, "new!\n");
	assert_int_equal(rename(tmp, path), 0);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, path, dst, sizeof(dst)), 5);
	assert_string_equal(dst, "new!\n");
	pv_fdcache_stats(&s1);
	assert_int_equal(s1.entries, s0.entries);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, "/nonexistent/pv", dst, sizeof(dst)), -ENOENT);
	assert_string_equal(dst, "");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void fdcache__too_small__efbig_then_fits(void **state)
{
	char small[4], big[64];

	assert_int_equal(prctl(PR_SET_NAME, "pv-long-name"), 0);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, "/proc/thread-self/comm", small, sizeof(small)),
			 -EFBIG);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, "/proc/thread-self/comm", big, sizeof(big)), 13);
	assert_string_equal(big, "pv-long-name\n");
}

static void fdcache__prune__closes_idle_entries(void **state)
{
	struct pv_fdcache_stats s;
	char dst[64];

	assert_true(pv_fdcache_read(AT_FDCWD, "/proc/thread-self/comm", dst, sizeof(dst)) > 0);
	assert_int_equal(pv_fdcache_prune(3600), 0);   /* just used: kept */
	pv_fdcache_stats(&s);
	assert_int_equal(s.entries, 1);
	assert_int_equal(pv_fdcache_prune(0), 1);
	pv_fdcache_stats(&s);
	assert_int_equal(s.entries, 0);
}

/* Our own cgroup2 directory (below which tests may create cgroups), or
   skip: needs root and the unified hierarchy. */
static int own_v2_dir(char *dst, size_t cap)
{
	char text[4096], *p;
	FILE *f;
	size_t n;

	if (geteuid() != 0 || (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) &&
			       access("/sys/fs/cgroup/cgroup.controllers", F_OK)))
		return -1;
	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	p = strstr(text, "0::");
	if (p != text && (!p || p[-1] != '\n'))
		return -1;
	p += 3;
	p[strcspn(p, "\n")] = '\0';
	n = (size_t)snprintf(dst, cap, "%s%s",
			     access("/sys/fs/cgroup/unified/cgroup.procs", F_OK)
				     ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified",
			     strcmp(p, "/") ? p : "");
	return n < cap ? 0 : -1;
}

static void fdcache__removed_cgroup__path_reopened(void **state)
{
	char own[1024], dir[1200], file[1300], dst[64];
	struct pv_fdcache_stats s0, s1;

	if (own_v2_dir(own, sizeof(own))) {
		skip();
		return;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s/pv-fdcache-%d", own, (int)getpid()) >=
		    sizeof(dir) ||
	    (size_t)snprintf(file, sizeof(file), "%s/cgroup.max.depth", dir) >= sizeof(file) ||
	    mkdir(dir, 0755)) {
		skip();
		return;
	}
	put_text(file, "5");
	assert_int_equal(pv_fdcache_read(AT_FDCWD, file, dst, sizeof(dst)), 2);
	assert_string_equal(dst, "5\n");
	pv_fdcache_stats(&s0);
	/* Removed and made again: the kept fd is of the old cgroup. */
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, file, dst, sizeof(dst)), 4);
	assert_string_equal(dst, "max\n");
	pv_fdcache_stats(&s1);
	assert_int_equal(s1.reopened, s0.reopened + 1);
	/* Removed for good: as openat would, ENOENT. */
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(pv_fdcache_read(AT_FDCWD, file, dst, sizeof(dst)), -ENOENT);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(fdcache__proc_file__kept_and_fresh),
		T(fdcache__buf_variant__whole_file_appended),
		T(fdcache__regular_file__never_kept_replacement_seen),
		T(fdcache__too_small__efbig_then_fits),
		T(fdcache__prune__closes_idle_entries),
		T(fdcache__removed_cgroup__path_reopened),
	};

	return cmocka_run_group_tests_name("fdcache", tests, NULL, NULL);
}
