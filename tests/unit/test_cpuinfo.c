// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpuinfo: block parser (x86, arm64, headers/trailers, garbage) and the
 * renderer's vCPU -> physical block mapping and renumbering.
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

#include "cpuinfo.h"
#include "fileio.h"

#define FIX "tests/fixtures"

static char x86_4[32768], x86_2[32768], arm_6[32768];
static struct pv_cpuinfo_block blocks[PV_MAX_CPUS];

static int setup(void **state)
{
	if (pv_read_file_at(AT_FDCWD, FIX "/proc/cpuinfo.x86-4cpu", x86_4, sizeof(x86_4)) < 0 ||
	    pv_read_file_at(AT_FDCWD, FIX "/proc/cpuinfo.x86-2cpu", x86_2, sizeof(x86_2)) < 0 ||
	    pv_read_file_at(AT_FDCWD, FIX "/proc/cpuinfo.arm64-6cpu", arm_6, sizeof(arm_6)) < 0)
		return -1;
	return 0;
}

/* Count lines of @text that start with @prefix. */
static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

/* The value after "KEY\t...: " on the @nth (0-based) line starting with @key. */
static const char *nth_value(const char *text, const char *key, int nth, char *dst, size_t cap)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *colon = strchr(p, ':'), *eol = strchr(p, '\n');
		size_t k = strlen(key);

		if (strncmp(p, key, k) || (p[k] != '\t' && p[k] != ' ' && p[k] != ':') || !colon ||
		    (eol && colon > eol))
			continue;
		if (nth-- == 0) {
			size_t len = (size_t)((eol ? eol : colon + strlen(colon)) - colon - 2);

			snprintf(dst, cap, "%.*s", (int)len, colon + 2);
			return dst;
		}
	}
	return "(none)";
}

static void render(const char *host, int n, int nphys, const int *phys, struct buf *out)
{
	struct pv_cpus *cpus = calloc(1, sizeof(*cpus));
	struct cpuinfo_view v = { .host_text = host, .cpus = cpus };

	assert_non_null(cpus);
	cpus->n = n;
	cpus->nphys = nphys;
	memcpy(cpus->phys, phys, sizeof(int) * (size_t)nphys);
	assert_int_equal(render_cpuinfo(&v, out), 0);
	free(cpus);
}

static void cpuinfo__parse_x86__four_blocks(void **state)
{
	size_t pre = 99;
	const char *post = NULL;
	int n = 0;

	assert_int_equal(pv_parse_cpuinfo_blocks(x86_4, blocks, PV_MAX_CPUS, &n, &pre, &post), 0);
	assert_int_equal(n, 4);
	assert_int_equal(pre, 0);
	assert_string_equal(post, "");
	for (int i = 0; i < 4; i++) {
		assert_int_equal(blocks[i].processor, i);
		assert_memory_equal(blocks[i].text, "processor\t: ", 12);
		/* ends with "power management:\n", blank separator excluded */
		assert_memory_equal(blocks[i].text + blocks[i].len - 18, "power management:\n", 18);
	}
}

static void cpuinfo__parse_arm64__six_blocks(void **state)
{
	int n = 0;

	assert_int_equal(pv_parse_cpuinfo_blocks(arm_6, blocks, PV_MAX_CPUS, &n, NULL, NULL), 0);
	assert_int_equal(n, 6);
	assert_int_equal(blocks[5].processor, 5);
	assert_memory_equal(blocks[5].text + blocks[5].len - 17, "CPU revision\t: 5\n", 17);
}

static void cpuinfo__parse_header_and_trailer__kept_apart(void **state)
{
	const char *text = "Processor\t: ARMv7 rev 4 (v7l)\n\n"
			   "processor\t: 0\nBogoMIPS\t: 38.40\n\n"
			   "processor\t: 1\nBogoMIPS\t: 38.40\n\n"
			   "Hardware\t: BCM2835\nRevision\t: a02082\n";
	size_t pre = 0;
	const char *post = NULL;
	int n = 0;

	assert_int_equal(pv_parse_cpuinfo_blocks(text, blocks, 8, &n, &pre, &post), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pre, strlen("Processor\t: ARMv7 rev 4 (v7l)\n\n"));
	assert_string_equal(post, "Hardware\t: BCM2835\nRevision\t: a02082\n");
	assert_int_equal(blocks[1].len, strlen("processor\t: 1\nBogoMIPS\t: 38.40\n"));
}

static void cpuinfo__parse_garbage__errors(void **state)
{
	int n = 42;

	assert_int_equal(pv_parse_cpuinfo_blocks("", blocks, 8, &n, NULL, NULL), -ENOENT);
	assert_int_equal(pv_parse_cpuinfo_blocks("\n\n\n", blocks, 8, &n, NULL, NULL), -ENOENT);
	assert_int_equal(pv_parse_cpuinfo_blocks("processor : x\n", blocks, 8, &n, NULL, NULL), -ENOENT);
	assert_int_equal(pv_parse_cpuinfo_blocks("processor : 1x\n", blocks, 8, &n, NULL, NULL), -ENOENT);
	assert_int_equal(pv_parse_cpuinfo_blocks("processor 0: version = FF\n", blocks, 8, &n, NULL, NULL), -ENOENT);
	assert_int_equal(n, 42);
	assert_int_equal(pv_parse_cpuinfo_blocks(x86_4, blocks, 2, &n, NULL, NULL), -E2BIG);
	assert_int_equal(n, 42);
	/* no trailing newline on the last line */
	assert_int_equal(pv_parse_cpuinfo_blocks("processor : 7", blocks, 8, &n, NULL, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(blocks[0].processor, 7);
}

/* cpuset {2,3} on a 2-package host: one package of two cores, renumbered. */
static void cpuinfo__x86_cpuset_2_3__blocks_of_cpus_2_3_renumbered(void **state)
{
	static const int phys[] = { 2, 3 };
	struct buf out = BUF_INIT;
	char v[128];

	render(x86_4, 2, 2, phys, &out);
	assert_int_equal(count_lines(out.data, "processor"), 2);
	/* cpu MHz identifies the source block: 2100.202 is CPU 2, 2100.303 CPU 3 */
	assert_string_equal(nth_value(out.data, "cpu MHz", 0, v, sizeof(v)), "2100.202");
	assert_string_equal(nth_value(out.data, "cpu MHz", 1, v, sizeof(v)), "2100.303");
	assert_string_equal(nth_value(out.data, "processor", 0, v, sizeof(v)), "0");
	assert_string_equal(nth_value(out.data, "processor", 1, v, sizeof(v)), "1");
	assert_string_equal(nth_value(out.data, "physical id", 0, v, sizeof(v)), "0"); /* was 1 */
	assert_string_equal(nth_value(out.data, "physical id", 1, v, sizeof(v)), "0");
	assert_string_equal(nth_value(out.data, "siblings", 0, v, sizeof(v)), "2");
	assert_string_equal(nth_value(out.data, "cpu cores", 1, v, sizeof(v)), "2");
	assert_string_equal(nth_value(out.data, "core id", 0, v, sizeof(v)), "0");
	assert_string_equal(nth_value(out.data, "core id", 1, v, sizeof(v)), "1");
	/* identifiers kept */
	assert_string_equal(nth_value(out.data, "apicid", 0, v, sizeof(v)), "32");
	assert_string_equal(nth_value(out.data, "initial apicid", 1, v, sizeof(v)), "34");
	/* same shape: every block ends with a blank line, like the kernel's */
	assert_int_equal(out.len, strlen(out.data));
	assert_string_equal(out.data + out.len - 2, "\n\n");
	assert_int_equal(count_lines(out.data, "flags"), 2);
	buf_free(&out);
}

/* The exact text of a one-vCPU rendering of the real 2-CPU host sample. */
static void cpuinfo__x86_host_quota_one_vcpu__exact_block(void **state)
{
	static const int phys[] = { 0, 1 };
	struct buf out = BUF_INIT, want = BUF_INIT;
	int n = 0;

	assert_int_equal(pv_parse_cpuinfo_blocks(x86_2, blocks, PV_MAX_CPUS, &n, NULL, NULL), 0);
	assert_int_equal(n, 2);
	/* expected: CPU 0's block with siblings 2 -> 1 and cpu cores 2 -> 1 */
	buf_append(&want, blocks[0].text, blocks[0].len);
	buf_puts(&want, "\n");
	{
		char *s = strstr(want.data, "siblings\t: 2\n"), *c = strstr(want.data, "cpu cores\t: 2\n");

		assert_non_null(s);
		assert_non_null(c);
		s[strlen("siblings\t: ")] = '1';
		c[strlen("cpu cores\t: ")] = '1';
	}
	render(x86_2, 1, 2, phys, &out);
	assert_string_equal(out.data, want.data);
	buf_free(&out);
	buf_free(&want);
}

static void cpuinfo__arm64_big_cores__copied_renumbered(void **state)
{
	static const int phys[] = { 4, 5 };
	struct buf out = BUF_INIT;
	char v[128];

	render(arm_6, 2, 2, phys, &out);
	assert_int_equal(count_lines(out.data, "processor"), 2);
	assert_string_equal(nth_value(out.data, "processor", 1, v, sizeof(v)), "1");
	assert_string_equal(nth_value(out.data, "CPU part", 0, v, sizeof(v)), "0xd0b");
	assert_string_equal(nth_value(out.data, "CPU revision", 0, v, sizeof(v)), "4");
	assert_string_equal(nth_value(out.data, "CPU revision", 1, v, sizeof(v)), "5");
	assert_null(strstr(out.data, "siblings"));
	/* the rest of each block verbatim */
	assert_non_null(strstr(out.data, "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd"));
	buf_free(&out);
}

/* vCPUs beyond the cpuset wrap around; unknown physical ids fall back. */
static void cpuinfo__mapping_wraps_and_falls_back(void **state)
{
	static const int phys[] = { 1 };
	static const int missing[] = { 7 };
	struct buf out = BUF_INIT;
	char v[128];

	render(x86_4, 3, 1, phys, &out);
	assert_int_equal(count_lines(out.data, "processor"), 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(nth_value(out.data, "cpu MHz", i, v, sizeof(v)), "2100.101");
	assert_string_equal(nth_value(out.data, "processor", 2, v, sizeof(v)), "2");
	assert_string_equal(nth_value(out.data, "siblings", 2, v, sizeof(v)), "3");
	buf_free(&out);

	render(x86_4, 2, 1, missing, &out);
	assert_string_equal(nth_value(out.data, "cpu MHz", 0, v, sizeof(v)), "2100.001");
	assert_string_equal(nth_value(out.data, "cpu MHz", 1, v, sizeof(v)), "2100.101");
	buf_free(&out);
}

static void cpuinfo__render_bad_input__errors(void **state)
{
	struct pv_cpus *cpus = calloc(1, sizeof(*cpus));
	struct cpuinfo_view v = { .host_text = "no cpus here\n", .cpus = cpus };
	struct buf out = BUF_INIT;

	cpus->n = 1;
	cpus->nphys = 1;
	assert_int_equal(render_cpuinfo(&v, &out), -ENOENT);
	v.host_text = x86_4;
	cpus->n = 0;
	assert_int_equal(render_cpuinfo(&v, &out), -EINVAL);
	v.cpus = NULL;
	assert_int_equal(render_cpuinfo(&v, &out), -EINVAL);
	v.passthrough = 1;
	assert_int_equal(render_cpuinfo(&v, &out), 0);
	assert_string_equal(out.data, x86_4);
	buf_free(&out);
	free(cpus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpuinfo__parse_x86__four_blocks),
		cmocka_unit_test(cpuinfo__parse_arm64__six_blocks),
		cmocka_unit_test(cpuinfo__parse_header_and_trailer__kept_apart),
		cmocka_unit_test(cpuinfo__parse_garbage__errors),
		cmocka_unit_test(cpuinfo__x86_cpuset_2_3__blocks_of_cpus_2_3_renumbered),
		cmocka_unit_test(cpuinfo__x86_host_quota_one_vcpu__exact_block),
		cmocka_unit_test(cpuinfo__arm64_big_cores__copied_renumbered),
		cmocka_unit_test(cpuinfo__mapping_wraps_and_falls_back),
		cmocka_unit_test(cpuinfo__render_bad_input__errors),
	};

	return cmocka_run_group_tests_name("cpuinfo", tests, setup, NULL);
}
