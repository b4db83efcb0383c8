// SPDX-License-Identifier: GPL-2.0-only
/* Table tests for the pure cgroup-file parsers (cgparse.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "cgparse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SENTINEL 0x5a5a5a5a

static void cpulist__table(void **state)
{
	static const struct {
		const char *in;
		int err;
		int n;
		int cpus[16];
	} t[] = {
		{ "0-3,8,10-11\n", 0, 7, { 0, 1, 2, 3, 8, 10, 11 } },
		{ "0\n", 0, 1, { 0 } },
		{ "5", 0, 1, { 5 } },
		{ "\n", 0, 0, { 0 } },          /* unconfigured v1 cpuset */
		{ "", 0, 0, { 0 } },
		{ "3,1,2\n", 0, 3, { 1, 2, 3 } }, /* sorted */
		{ "0-2,1-3\n", 0, 4, { 0, 1, 2, 3 } }, /* unique */
		{ "7-7\n", 0, 1, { 7 } },
		{ "3-1\n", -EINVAL, 0, { 0 } },
		{ "0-3,\n", -EINVAL, 0, { 0 } },
		{ "0,,1\n", -EINVAL, 0, { 0 } },
		{ ",1\n", -EINVAL, 0, { 0 } },
		{ "a\n", -EINVAL, 0, { 0 } },
		{ "1-\n", -EINVAL, 0, { 0 } },
		{ "-1\n", -EINVAL, 0, { 0 } },
		{ "1 2\n", -EINVAL, 0, { 0 } },
		{ "0-3x\n", -EINVAL, 0, { 0 } },
		{ "0-99999999999\n", -ERANGE, 0, { 0 } },
		{ "99999999999999999999999\n", -ERANGE, 0, { 0 } },
		{ "0-16\n", -ERANGE, 0, { 0 } }, /* 17 CPUs > max 16 */
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int cpus[16], n = SENTINEL, err;

		for (int j = 0; j < 16; j++)
			cpus[j] = SENTINEL;
		err = pv_parse_cpulist(t[i].in, cpus, 16, &n);
		if (err != t[i].err)
			fail_msg("input %zu '%s': err %d, want %d", i, t[i].in, err, t[i].err);
		if (err) {
			assert_int_equal(n, SENTINEL);
			for (int j = 0; j < 16; j++)
				assert_int_equal(cpus[j], SENTINEL);
			continue;
		}
		assert_int_equal(n, t[i].n);
		for (int j = 0; j < n; j++)
			assert_int_equal(cpus[j], t[i].cpus[j]);
		for (int j = n; j < 16; j++)
			assert_int_equal(cpus[j], SENTINEL);
	}
}

static void u64_or_max__table(void **state)
{
	static const struct {
		const char *in;
		int err;
		__u64 v;
	} t[] = {
		{ "209715200\n", 0, 209715200ULL },
		{ "0\n", 0, 0 },
		{ "max\n", 0, PV_UNLIMITED },
		{ "-1\n", 0, PV_UNLIMITED },
		{ "9223372036854771712\n", 0, 9223372036854771712ULL },
		{ "18446744073709551615\n", 0, 18446744073709551615ULL },
		{ "18446744073709551616\n", -ERANGE, 0 },
		{ "99999999999999999999999\n", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "12abc\n", -EINVAL, 0 },
		{ "-5\n", -EINVAL, 0 },
		{ "-1 2\n", -EINVAL, 0 },
		{ "+5\n", -EINVAL, 0 },
		{ "maxx\n", -EINVAL, 0 },
		{ "1 2\n", -EINVAL, 0 },
		{ "  42  \n", 0, 42 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		__u64 v = 777;
		int err = pv_parse_u64_or_max(t[i].in, &v);

		if (err != t[i].err)
			fail_msg("input %zu '%s': err %d, want %d", i, t[i].in, err, t[i].err);
		if (err)
			assert_true(v == 777);
		else
			assert_true(v == t[i].v);
	}
}

static void cpu_max__table(void **state)
{
	static const struct {
		const char *in;
		int err;
		__s64 q;
		__u64 p;
	} t[] = {
		{ "max 100000\n", 0, -1, 100000 },
		{ "50000 100000\n", 0, 50000, 100000 },
		{ "150000 100000\n", 0, 150000, 100000 },
		{ "1000 1000\n", 0, 1000, 1000 },
		{ "9223372036854775807 1000\n", 0, INT64_MAX, 1000 },
		{ "9223372036854775808 1000\n", -ERANGE, 0, 0 },
		{ "50000\n", -EINVAL, 0, 0 },
		{ "max\n", -EINVAL, 0, 0 },
		{ "50000 0\n", -EINVAL, 0, 0 },
		{ "-1 100000\n", -EINVAL, 0, 0 },
		{ "50000 100000 7\n", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
		{ "abc 100000\n", -EINVAL, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		__s64 q = 777;
		__u64 p = 777;
		int err = pv_parse_cpu_max(t[i].in, &q, &p);

		if (err != t[i].err)
			fail_msg("input %zu '%s': err %d, want %d", i, t[i].in, err, t[i].err);
		if (err) {
			assert_true(q == 777 && p == 777);
		} else {
			assert_true(q == t[i].q);
			assert_true(p == t[i].p);
		}
	}
}

static void cfs__table(void **state)
{
	static const struct {
		const char *q_in, *p_in;
		int err;
		__s64 q;
		__u64 p;
	} t[] = {
		{ "-1\n", "100000\n", 0, -1, 100000 },
		{ "50000\n", "100000\n", 0, 50000, 100000 },
		{ "150000\n", "100000\n", 0, 150000, 100000 },
		{ "-2\n", "100000\n", -EINVAL, 0, 0 },
		{ "-7\n", "0\n", -EINVAL, 0, 0 },
		{ "50000\n", "0\n", -EINVAL, 0, 0 },
		{ "50000\n", "\n", -EINVAL, 0, 0 },
		{ "x\n", "100000\n", -EINVAL, 0, 0 },
		{ "18446744073709551615\n", "100000\n", -ERANGE, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		__s64 q = 777;
		__u64 p = 777;
		int err = pv_parse_cfs(t[i].q_in, t[i].p_in, &q, &p);

		if (err != t[i].err)
			fail_msg("row %zu: err %d, want %d", i, err, t[i].err);
		if (err) {
			assert_true(q == 777 && p == 777);
		} else {
			assert_true(q == t[i].q);
			assert_true(p == t[i].p);
		}
	}
}

static void keyed__table(void **state)
{
	static const char stat[] =
		"cache 4096\nrss 8192\ntotal_cache 1\ncache_x 3\nhuge 18446744073709551615\n"
		"bad 12x\nneg -1\nover 18446744073709551616\nlast 5";
	static const struct {
		const char *key;
		int err;
		__u64 v;
	} t[] = {
		{ "cache", 0, 4096 },
		{ "rss", 0, 8192 },
		{ "total_cache", 0, 1 },
		{ "cache_x", 0, 3 },
		{ "huge", 0, 18446744073709551615ULL },
		{ "last", 0, 5 },
		{ "missing", -ENOENT, 0 },
		{ "cach", -ENOENT, 0 },
		{ "bad", -EINVAL, 0 },
		{ "neg", -EINVAL, 0 },
		{ "over", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		__u64 v = 777;
		int err = pv_parse_keyed_u64(stat, t[i].key, &v);

		if (err != t[i].err)
			fail_msg("key '%s': err %d, want %d", t[i].key, err, t[i].err);
		assert_true(v == (err ? 777 : t[i].v));
	}
}

static void io_stat__v2_lines(void **state)
{
	struct pv_io_dev d[4];
	int n = -1;

	assert_int_equal(pv_parse_io_stat(
		"8:0 rbytes=1048576 wbytes=2097152 rios=256 wios=512 dbytes=0 dios=0\n"
		"253:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n", d, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].major, 8);
	assert_int_equal(d[0].minor, 0);
	assert_true(d[0].rbytes == 1048576 && d[0].wbytes == 2097152);
	assert_true(d[0].rios == 256 && d[0].wios == 512);
	assert_int_equal(d[1].major, 253);
	assert_true(d[1].rbytes == 4096 && d[1].rios == 1 && d[1].wbytes == 0);
	assert_int_equal(pv_parse_io_stat("", d, 4, &n), 0);
	assert_int_equal(n, 0);
	/* io.cost adds non-integer fields on the same line; last line unterminated */
	assert_int_equal(pv_parse_io_stat(
		"259:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0 cost.vrate=100.00 "
		"cost.usage=5 cost.wait=0 cost.indebt=0 cost.indelay=0", d, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_true(d[0].major == 259 && d[0].rbytes == 10 && d[0].wbytes == 20);
	assert_true(d[0].rios == 1 && d[0].wios == 2);
}

static void io_stat__errors_leave_output(void **state)
{
	static const char *bad[] = {
		"8:0 rbytes\n", "8 rbytes=1\n", "x:0 rbytes=1\n", "8:0rbytes=1\n",
		"8:0 wios=-1\n", "8:0 rios=\n",
		"8:0 rbytes=99999999999999999999999\n", "8:0 rbytes=12x\n",
	};
	struct pv_io_dev d[2];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int n = SENTINEL;

		memset(d, 0x5a, sizeof(d));
		if (pv_parse_io_stat(bad[i], d, 2, &n) == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(n, SENTINEL);
		assert_int_equal(d[0].major, 0x5a5a5a5a);
	}
	{
		int n = SENTINEL;

		/* three devices, room for two */
		assert_int_equal(pv_parse_io_stat("1:0 rbytes=1\n2:0 rbytes=1\n3:0 rbytes=1\n",
						  d, 2, &n), -ERANGE);
		assert_int_equal(n, SENTINEL);
	}
}

static void blkio_v1__merges_bytes_and_ios(void **state)
{
	struct pv_io_dev d[4];
	int n = -1;

	assert_int_equal(pv_parse_blkio_v1(
		"8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n"
		"8:0 Total 12288\n8:16 Read 512\n8:16 Write 0\nTotal 12800\n",
		"8:0 Read 1\n8:0 Write 2\n8:0 Total 3\n8:16 Read 1\nTotal 4\n", d, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_true(d[0].major == 8 && d[0].minor == 0);
	assert_true(d[0].rbytes == 4096 && d[0].wbytes == 8192);
	assert_true(d[0].rios == 1 && d[0].wios == 2);
	assert_true(d[1].minor == 16 && d[1].rbytes == 512 && d[1].rios == 1);
	assert_int_equal(pv_parse_blkio_v1("Total 0\n", "Total 0\n", d, 4, &n), 0);
	assert_int_equal(n, 0);
	n = SENTINEL;
	assert_int_equal(pv_parse_blkio_v1("8:0 Read x\n", "", d, 4, &n), -EINVAL);
	assert_int_equal(n, SENTINEL);
	assert_int_equal(pv_parse_blkio_v1("8:0Read 1\n", "", d, 4, &n), -EINVAL);
	assert_int_equal(pv_parse_blkio_v1("Total\n", "", d, 4, &n), -EINVAL);
}

/*
 * Garbage of every shape through every parser: no crash, no out-of-bounds
 * (run under SAN=-fsanitize=address,undefined), and on success the
 * outputs stay within their contracts.
 */
static void all__random_garbage_never_crashes(void **state)
{
	static const char alphabet[] = "0123456789-,: =\nmaxRdWrite Totalrbytes"
				       "wios\t.9999999999999999999";
	unsigned int seed = 12345;
	char in[96];

	for (int iter = 0; iter < 20000; iter++) {
		int len, cpus[8], n;
		__u64 u;
		__s64 q;
		struct pv_io_dev d[4];

		seed = seed * 1103515245u + 12345u;
		len = (int)((seed >> 16) % (sizeof(in) - 1));
		for (int i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		in[len] = '\0';
		if (pv_parse_cpulist(in, cpus, 8, &n) == 0) {
			assert_true(n >= 0 && n <= 8);
			for (int i = 1; i < n; i++)
				assert_true(cpus[i] > cpus[i - 1]);
		}
		(void)pv_parse_u64_or_max(in, &u);
		if (pv_parse_cpu_max(in, &q, &u) == 0)
			assert_true(q >= -1 && u > 0);
		if (pv_parse_cfs(in, in, &q, &u) == 0)
			assert_true(q >= -1 && u > 0);
		(void)pv_parse_keyed_u64(in, "max", &u);
		if (pv_parse_io_stat(in, d, 4, &n) == 0)
			assert_true(n >= 0 && n <= 4);
		if (pv_parse_blkio_v1(in, in, d, 4, &n) == 0)
			assert_true(n >= 0 && n <= 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpulist__table),
		cmocka_unit_test(u64_or_max__table),
		cmocka_unit_test(cpu_max__table),
		cmocka_unit_test(cfs__table),
		cmocka_unit_test(keyed__table),
		cmocka_unit_test(io_stat__v2_lines),
		cmocka_unit_test(io_stat__errors_leave_output),
		cmocka_unit_test(blkio_v1__merges_bytes_and_ios),
		cmocka_unit_test(all__random_garbage_never_crashes),
	};

	return cmocka_run_group_tests_name("cgparse", tests, NULL, NULL);
}
