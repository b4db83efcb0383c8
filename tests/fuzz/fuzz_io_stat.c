// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cgparse.c
/*
 * Block I/O accounting: v2 io.stat (whole input) and v1
 * blkio.throttle.io_service_bytes + io_serviced (split at "\n===\n").
 * The device array is exactly @max long so ASan sees any overrun.
 */
#include "cgparse.h"
#include "fuzz_util.h"

static void check(int r, int n, int max, const char *what)
{
	if (r == 0)
		fz_check(n >= 0 && n <= max, "%s: n=%d max=%d", what, n, max);
	else {
		fz_check(r < 0, "%s: r=%d", what, r);
		fz_check(n == -777, "%s: ret_n written on error %d", what, r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int max = size ? data[0] % 9 : 0;   /* small caps hit the "full" path */
	const uint8_t *d = size ? data + 1 : data;
	size_t n = size ? size - 1 : 0;
	struct pv_io_dev *devs = malloc(sizeof(*devs) * (max ? max : 1));
	char *whole = fz_text(d, n), *a, *b;
	int got = -777, r;

	if (!devs)
		abort();
	r = pv_parse_io_stat(whole, devs, max, &got);
	check(r, got, max, "io.stat");

	fz_split(d, n, &a, &b);
	got = -777;
	r = pv_parse_blkio_v1(a, b, devs, max, &got);
	check(r, got, max, "blkio");

	free(a);
	free(b);
	free(whole);
	free(devs);
	return 0;
}
