// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capability check of procviewd's start: CapEff parsing and which
 * capabilities count as missing. Bit numbers are linux/capability.h's,
 * written out here by hand: SYS_CHROOT 18, SYS_PTRACE 19, SYS_ADMIN 21,
 * PERFMON 38, BPF 39.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "caps.h"

#define B(n) (1ULL << (n))
#define ALL5 (B(18) | B(19) | B(21) | B(38) | B(39))

static void caps__parse_eff__status_text(void **state)
{
	unsigned long long v = 7;

	assert_int_equal(pv_caps_parse_eff("Name:\tx\nCapInh:\t0000000000000000\n"
					   "CapPrm:\t000001ffffffffff\nCapEff:\t000001fffef7ffff\n"
					   "CapBnd:\t000001ffffffffff\n", &v), 0);
	assert_true(v == 0x1fffef7ffffULL);
	assert_int_equal(pv_caps_parse_eff("CapEff:\t0000000000200000", &v), 0);
	assert_true(v == B(21));
	/* absent, not at a line start, not hex, empty, more than 64 bits */
	v = 7;
	assert_int_equal(pv_caps_parse_eff("CapPrm:\t1\n", &v), -EINVAL);
	assert_int_equal(pv_caps_parse_eff("x CapEff:\t1\n", &v), -EINVAL);
	assert_int_equal(pv_caps_parse_eff("CapEff:\t00zz\n", &v), -EINVAL);
	assert_int_equal(pv_caps_parse_eff("CapEff:\t\n", &v), -EINVAL);
	assert_int_equal(pv_caps_parse_eff("CapEff:\t10000000000000000\n", &v), -EINVAL);
	assert_true(v == 7);
}

static size_t names(unsigned long long eff, int required, int bpf, char *out, size_t cap)
{
	const struct pv_cap *m[8];
	size_t n = pv_caps_missing(eff, required, bpf, m, 8);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(out, m[i]->name, cap - strlen(out) - 1);
		strncat(out, " ", cap - strlen(out) - 1);
	}
	return n;
}

static void caps__missing__each_one_named(void **state)
{
	char s[256];

	assert_int_equal(names(ALL5, 1, 1, s, sizeof(s)), 0);
	assert_int_equal(names(ALL5, 0, 1, s, sizeof(s)), 0);
	/* Required: SYS_ADMIN, SYS_PTRACE. */
	assert_int_equal(names(ALL5 & ~B(19), 1, 1, s, sizeof(s)), 1);
	assert_string_equal(s, "CAP_SYS_PTRACE ");
	assert_int_equal(names(ALL5 & ~B(21), 1, 1, s, sizeof(s)), 1);
	assert_string_equal(s, "CAP_SYS_ADMIN ");
	assert_int_equal(names(0, 1, 1, s, sizeof(s)), 2);
	assert_string_equal(s, "CAP_SYS_ADMIN CAP_SYS_PTRACE ");
	/* Optional: SYS_CHROOT. */
	assert_int_equal(names(ALL5 & ~B(18), 1, 1, s, sizeof(s)), 0);
	assert_int_equal(names(ALL5 & ~B(18), 0, 1, s, sizeof(s)), 1);
	assert_string_equal(s, "CAP_SYS_CHROOT ");
}

static void caps__bpf_caps__implied_by_sys_admin(void **state)
{
	char s[256];

	/* bpf() and perf accept CAP_SYS_ADMIN in place of CAP_BPF/PERFMON. */
	assert_int_equal(names(B(18) | B(19) | B(21), 0, 1, s, sizeof(s)), 0);
	/* Without CAP_SYS_ADMIN they count (the required list names it too). */
	assert_int_equal(names(B(18) | B(19), 0, 1, s, sizeof(s)), 2);
	assert_string_equal(s, "CAP_BPF CAP_PERFMON ");
	assert_int_equal(names(B(18) | B(19) | B(39), 0, 1, s, sizeof(s)), 1);
	assert_string_equal(s, "CAP_PERFMON ");
	/* --no-bpf: never missing. */
	assert_int_equal(names(B(18) | B(19), 0, 0, s, sizeof(s)), 0);
}

static void caps__missing__count_beyond_max(void **state)
{
	const struct pv_cap *m[1] = { NULL };

	assert_int_equal(pv_caps_missing(0, 1, 1, m, 1), 2);
	assert_non_null(m[0]);
	assert_string_equal(m[0]->name, "CAP_SYS_ADMIN");
	assert_int_equal(pv_caps_missing(0, 1, 1, NULL, 0), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caps__parse_eff__status_text),
		cmocka_unit_test(caps__missing__each_one_named),
		cmocka_unit_test(caps__bpf_caps__implied_by_sys_admin),
		cmocka_unit_test(caps__missing__count_beyond_max),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
