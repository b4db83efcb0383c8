// SPDX-License-Identifier: GPL-2.0-only
/*
 * diskstats: collector on fixture trees (v2 io.stat, v1 blkio recursive
 * files, hybrid with io on the unified hierarchy) and the renderer.
 * Sectors are bytes / 512; the expected lines are worked out by hand.
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
#include <unistd.h>

#include "cglimits.h"
#include "diskstats.h"
#include "fileio.h"

#define FIX "tests/fixtures"

static char host[8192];

static int setup(void **state)
{
	return pv_read_file_at(AT_FDCWD, FIX "/proc/diskstats", host, sizeof(host)) < 0 ? -1 : 0;
}

struct fx {
	struct pv_cgroups cg;
	struct pv_container c;
};

static struct fx *fx_io(const char *dir, int v2, const char *path)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[512];

	assert_non_null(f);
	for (int i = 0; i < PV_CTRL__COUNT; i++)
		f->cg.by_ctrl[i] = -1;
	f->cg.n = 1;
	f->cg.h[0].v2 = v2;
	snprintf(p, sizeof(p), FIX "/mem/%s", dir);
	f->cg.h[0].dirfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->cg.h[0].dirfd >= 0);
	f->cg.by_ctrl[PV_CTRL_IO] = 0;
	snprintf(f->c.path[0], PV_CGPATH_MAX, "%s", path);
	return f;
}

static void fx_free(struct fx *f)
{
	close(f->cg.h[0].dirfd);
	free(f);
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got ? got : "", want) != 0) {
		fprintf(stderr, "--- want\n%s+++ got\n%s", want, got ? got : "");
		fail();
	}
}

/* Collect from the fixture and render against the host fixture. */
static void check(struct fx *f, const char *want)
{
	struct pv_io_dev devs[PV_MAX_IO_DEVS];
	struct diskstats_view v = { .host_text = host, .devs = devs };
	struct buf out = BUF_INIT;

	assert_int_equal(pv_cg_io(&f->cg, &f->c, devs, PV_MAX_IO_DEVS, &v.ndevs), 0);
	assert_int_equal(render_diskstats(&v, &out), 0);
	assert_text(out.data, want);
	buf_free(&out);
}

/*
 * v2 io.stat: 254:0 rbytes 4096000 (8000 sectors) wbytes 8192000 (16000)
 * rios 100 wios 200; 254:16 all zero (left out); 8:0 rbytes 1024 (2
 * sectors) rios 1, on a host line with 11 value columns (kept at 11).
 * vda1 and loop0 had no I/O of the container.
 */
static void diskstats__v2_io_stat__own_devices_in_host_order(void **state)
{
	struct fx *f = fx_io("v2", 1, "/limited");

	check(f, " 254       0 vda 100 0 8000 0 200 0 16000 0 0 0 0 0 0 0 0 0 0\n"
		 "   8       0 sda 1 0 2 0 0 0 0 0 0 0 0\n");
	fx_free(f);
}

/* v1: the *_recursive files (the non-recursive ones hold decoys 1/512). */
static void diskstats__v1_blkio_recursive__used(void **state)
{
	struct fx *f = fx_io("v1/blkio", 0, "/c1");

	check(f, " 254       0 vda 100 0 8000 0 200 0 16000 0 0 0 0 0 0 0 0 0 0\n");
	fx_free(f);
}

/* v1 kernel without *_recursive: 8:0 read 2048 B / 4 ios, write 1024 B / 2. */
static void diskstats__v1_old_kernel__plain_files(void **state)
{
	struct fx *f = fx_io("v1/blkio", 0, "/old");

	check(f, "   8       0 sda 4 0 4 0 2 0 2 0 0 0 0\n");
	fx_free(f);
}

/* hybrid: io on the unified hierarchy: 254:16 1 MiB read = 2048 sectors. */
static void diskstats__hybrid_io_on_unified(void **state)
{
	struct fx *f = fx_io("hybrid/unified", 1, "/c");

	check(f, " 254      16 vdb 16 0 2048 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	fx_free(f);
}

static void diskstats__no_io_file__error(void **state)
{
	struct pv_io_dev devs[4];
	struct fx *f = fx_io("v2", 1, "/unlimited");
	int n = 77;

	assert_int_equal(pv_cg_io(&f->cg, &f->c, devs, 4, &n), -ENOENT);
	assert_int_equal(n, 77);
	f->cg.by_ctrl[PV_CTRL_IO] = -1;
	assert_int_equal(pv_cg_io(&f->cg, &f->c, devs, 4, &n), -ENODEV);
	fx_free(f);
}

static void diskstats__render_no_devices__empty(void **state)
{
	struct diskstats_view v = { .host_text = host };
	struct buf out = BUF_INIT;

	assert_int_equal(render_diskstats(&v, &out), 0);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void diskstats__render_malformed_host_lines__skipped(void **state)
{
	struct pv_io_dev d = { .rbytes = 512, .rios = 1, .major = 8, .minor = 0 };
	struct diskstats_view v = {
		.host_text = "garbage\n8 0\n   8       0 sda 1 2 x 4\n   8       0 sda 9 9 9 9\n",
		.devs = &d, .ndevs = 1,
	};
	struct buf out = BUF_INIT;

	assert_int_equal(render_diskstats(&v, &out), 0);
	assert_text(out.data, "   8       0 sda 1 0 1 0\n");
	buf_free(&out);
}

static void diskstats__passthrough__host_unchanged(void **state)
{
	struct diskstats_view v = { .host_text = host, .passthrough = 1 };
	struct buf out = BUF_INIT;

	assert_int_equal(render_diskstats(&v, &out), 0);
	assert_text(out.data, host);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(diskstats__v2_io_stat__own_devices_in_host_order),
		cmocka_unit_test(diskstats__v1_blkio_recursive__used),
		cmocka_unit_test(diskstats__v1_old_kernel__plain_files),
		cmocka_unit_test(diskstats__hybrid_io_on_unified),
		cmocka_unit_test(diskstats__no_io_file__error),
		cmocka_unit_test(diskstats__render_no_devices__empty),
		cmocka_unit_test(diskstats__render_malformed_host_lines__skipped),
		cmocka_unit_test(diskstats__passthrough__host_unchanged),
	};

	return cmocka_run_group_tests_name("diskstats", tests, setup, NULL);
}
