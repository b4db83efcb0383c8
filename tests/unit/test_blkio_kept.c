// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kept parse of a v1 cgroup's blkio throttle files stands for a read of
 * both only when the I/O counts read now are the kept ones and the OPEN's
 * probe proves the cgroup had no child since the copy was made: same
 * cgroup, no child, the same count of cgroups made. pv_cg_io then reads
 * the io_serviced file alone; otherwise both files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blkio_kept.h"
#include "buf.h"
#include "cglimits.h"
#include "fileio.h"

static const char IOS[] = "8:0 Read 1\n8:0 Write 2\nTotal 3\n";

static struct pv_blkio_probe probe(__u64 ino, __u64 mkdirs, int alone)
{
	return (struct pv_blkio_probe){ .ok = 1, .alone = alone, .ino = ino, .mkdirs = mkdirs };
}

static int setup(void **state)
{
	(void)state;
	pv_blkio_kept_clear();
	return 0;
}

static void reusable__same_cgroup_alone_same_mkdirs(void **state)
{
	struct pv_kept_tag k = { .ino = 42, .epoch = 9 };
	struct pv_blkio_probe p = probe(42, 9, 1);

	(void)state;
	assert_true(pv_blkio_kept_reusable(&k, &p, 42));
	p.mkdirs = 10;   /* a cgroup was made since: maybe a child */
	assert_false(pv_blkio_kept_reusable(&k, &p, 42));
	p = probe(42, 9, 0);   /* it has a child now */
	assert_false(pv_blkio_kept_reusable(&k, &p, 42));
	p = probe(43, 9, 1);   /* the probe is of another cgroup */
	assert_false(pv_blkio_kept_reusable(&k, &p, 42));
	p = probe(42, 9, 1);
	assert_false(pv_blkio_kept_reusable(&k, &p, 43));   /* read through another inode */
	assert_false(pv_blkio_kept_reusable(&k, &p, 0));
	p.ok = 0;
	assert_false(pv_blkio_kept_reusable(&k, &p, 42));
}

static void get__only_the_same_io_counts(void **state)
{
	struct pv_io_dev kept[2] = { { .major = 8, .rbytes = 4096, .rios = 1 },
				     { .major = 8, .minor = 16, .wbytes = 512, .wios = 1 } };
	struct pv_io_dev d[4];
	struct pv_blkio_probe p = probe(42, 9, 1);
	unsigned long hits, misses;
	int n = -1;

	(void)state;
	assert_int_equal(pv_blkio_kept_get(&p, 42, IOS, strlen(IOS), d, 4, &n), -ENOENT);
	pv_blkio_kept_put(&p, 42, IOS, strlen(IOS), kept, 2);
	assert_int_equal(pv_blkio_kept_get(&p, 42, IOS, strlen(IOS), d, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(d, kept, sizeof(kept));
	/* One I/O more, or one less text: read. */
	assert_int_equal(pv_blkio_kept_get(&p, 42, "8:0 Read 2\n8:0 Write 2\nTotal 4\n",
					   strlen(IOS), d, 4, &n), -ENOENT);
	assert_int_equal(pv_blkio_kept_get(&p, 42, IOS, strlen(IOS) - 1, d, 4, &n), -ENOENT);
	/* More devices than the caller has room for: read. */
	assert_int_equal(pv_blkio_kept_get(&p, 42, IOS, strlen(IOS), d, 1, &n), -ENOBUFS);
	pv_blkio_kept_stats(&hits, &misses);
	assert_int_equal(hits, 2);   /* the ENOBUFS one was found, not taken */
	assert_int_equal(misses, 3);
}

static void put__never_from_a_cgroup_with_children(void **state)
{
	struct pv_io_dev dev = { .major = 8, .rbytes = 4096, .rios = 1 }, d[2];
	struct pv_blkio_probe with_child = probe(42, 9, 0), alone = probe(42, 9, 1);
	int n;

	(void)state;
	pv_blkio_kept_put(&with_child, 42, IOS, strlen(IOS), &dev, 1);
	assert_int_equal(pv_blkio_kept_get(&alone, 42, IOS, strlen(IOS), d, 2, &n), -ENOENT);
	/* Nor from a probe of another cgroup, nor without one. */
	with_child = probe(43, 9, 1);
	pv_blkio_kept_put(&with_child, 42, IOS, strlen(IOS), &dev, 1);
	with_child.ok = 0;
	pv_blkio_kept_put(&with_child, 42, IOS, strlen(IOS), &dev, 1);
	assert_int_equal(pv_blkio_kept_get(&alone, 42, IOS, strlen(IOS), d, 2, &n), -ENOENT);
	/* An empty file (no device yet) is kept like any other. */
	pv_blkio_kept_put(&alone, 42, NULL, 0, NULL, 0);
	n = -1;
	assert_int_equal(pv_blkio_kept_get(&alone, 42, "", 0, d, 2, &n), 0);
	assert_int_equal(n, 0);
}

/* A writable copy of the v1 fixture tree, container "abc". */
struct tree {
	char dir[64];
	struct pv_cgroups cg;
	struct pv_container c;
	int io;   /* index of the blkio hierarchy */
};

/* The tree of the test running now: its teardown removes it, also
   after a failed assertion. */
static struct tree *live;

static void tree_new(struct tree *t)
{
	const char *fx = getenv("PV_FIXTURES") ? getenv("PV_FIXTURES") : "tests/fixtures";
	char cmd[PATH_MAX * 2], root[PATH_MAX], path[PATH_MAX];
	struct buf b = BUF_INIT;
	struct stat st;

	strcpy(t->dir, "/tmp/pv-blkio-kept.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	live = t;
	snprintf(cmd, sizeof(cmd), "cp -r '%s/v1/cgroup' '%s/'", fx, t->dir);
	assert_int_equal(system(cmd), 0);
	snprintf(root, sizeof(root), "%s/cgroup", t->dir);
	snprintf(path, sizeof(path), "%s/v1/proc/abc.cgroup", fx);
	assert_int_equal(pv_cgroups_discover(NULL, root, &t->cg), 0);
	assert_int_equal(pv_cgroups_open(&t->cg), 0);
	assert_int_equal(pv_read_file_buf(AT_FDCWD, path, &b), 0);
	assert_int_equal(pv_parse_proc_cgroup(&t->cg, b.data, &t->c), 0);
	buf_free(&b);
	t->io = pv_cg_hier(&t->cg, PV_CTRL_IO);
	assert_true(t->io >= 0);
	/* Read through its inode, as a handle's identity does. */
	assert_int_equal(fstatat(t->cg.h[t->io].dirfd, "docker/abc", &st, 0), 0);
	t->c.ino[t->io] = st.st_ino;
}

static void tree_write(struct tree *t, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	/* In place: the daemon keeps the file open. */
	snprintf(path, sizeof(path), "%s/cgroup/blkio/docker/abc/%s", t->dir, name);
	f = fopen(path, "r+");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 0), 0);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int remove_tree(void **state)
{
	char cmd[128];
	int rc;

	(void)state;
	if (!live)
		return 0;
	pv_cgroups_close(&live->cg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", live->dir);
	rc = system(cmd);
	live = NULL;
	return rc == 0 ? 0 : -1;
}

static __u64 read_bytes_of_8_0(struct tree *t)
{
	struct pv_io_dev d[8];
	int n = 0;

	assert_int_equal(pv_cg_io(&t->cg, &t->c, d, 8, &n), 0);
	for (int i = 0; i < n; i++)
		if (d[i].major == 8 && d[i].minor == 0)
			return d[i].rbytes;
	fail_msg("no 8:0 in the parse");
	return 0;
}

static void cg_io__reads_the_bytes_file_only_when_it_may_differ(void **state)
{
	static const char bytes2[] = "8:0 Read 999424\n8:0 Write 8192\n8:0 Total 1007616\n";
	static struct tree t;   /* outlives the test: its teardown */

	(void)state;
	tree_new(&t);
	t.c.blkio = probe(t.c.ino[t.io], 5, 1);
	assert_int_equal(read_bytes_of_8_0(&t), 4096);
	/* The bytes file changes, the I/O counts do not: a file the kernel
	   never prints, but it tells which file pv_cg_io read. */
	tree_write(&t, "blkio.throttle.io_service_bytes_recursive", bytes2);
	assert_int_equal(read_bytes_of_8_0(&t), 4096);     /* kept */
	t.c.blkio.alone = 0;
	assert_int_equal(read_bytes_of_8_0(&t), 999424);   /* a child: both read */
	t.c.blkio = probe(t.c.ino[t.io], 5, 1);
	t.c.blkio.ok = 0;
	assert_int_equal(read_bytes_of_8_0(&t), 999424);   /* no probe */
	t.c.blkio = probe(t.c.ino[t.io] + 1, 5, 1);
	assert_int_equal(read_bytes_of_8_0(&t), 999424);   /* a probe of another cgroup */
	/* Back to the first bytes, kept again under a new cgroup count. */
	tree_write(&t, "blkio.throttle.io_service_bytes_recursive",
		   "8:0 Read 4096\n8:0 Write 8192\n8:16 Read 512\n");
	t.c.blkio = probe(t.c.ino[t.io], 6, 1);
	assert_int_equal(read_bytes_of_8_0(&t), 4096);
	tree_write(&t, "blkio.throttle.io_service_bytes_recursive", bytes2);
	assert_int_equal(read_bytes_of_8_0(&t), 4096);     /* kept at count 6 */
	t.c.blkio.mkdirs = 7;
	assert_int_equal(read_bytes_of_8_0(&t), 999424);   /* a cgroup was made */
	/* The I/O counts change: read both. */
	tree_write(&t, "blkio.throttle.io_service_bytes_recursive", "8:0 Read 12288\n");
	tree_write(&t, "blkio.throttle.io_serviced_recursive", "8:0 Read 3\n8:0 Write 2\n");
	assert_int_equal(read_bytes_of_8_0(&t), 12288);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(reusable__same_cgroup_alone_same_mkdirs, setup),
		cmocka_unit_test_setup(get__only_the_same_io_counts, setup),
		cmocka_unit_test_setup(put__never_from_a_cgroup_with_children, setup),
		cmocka_unit_test_setup_teardown(cg_io__reads_the_bytes_file_only_when_it_may_differ,
						setup, remove_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
