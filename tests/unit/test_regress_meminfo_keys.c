// SPDX-License-Identifier: GPL-2.0-only
/*
 * Regression (found by fuzz_meminfo, tests/fuzz/corpus/fuzz_meminfo/
 * regress-key-overread; fixed by the meminfo owner in 0c65c50):
 * render_meminfo compared each host key against the known field names with
 * memcmp(name, key, klen), reading past the end of a field name shorter
 * than the host key (ASan global-buffer-overflow). This renders a host
 * meminfo whose keys are long, share prefixes with field names or are
 * unknown, and checks every host line comes out in order with its key. It
 * catches the over-read under `make asan-unit`; plain builds check shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cgparse.h"
#include "meminfo.h"

static const char host[] =
	"MemTotal:       24683656 kB\n"
	"MemFree:        23916948 kB\n"
	"MemAvailable:   24249836 kB\n"
	"Buffers:           22340 kB\n"
	"Cached:           520664 kB\n"
	"SwapCached:            0 kB\n"
	"Active(anon):     100000 kB\n"
	"ActiveAnonymousLongerKeyThanAnyField: 1 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Unaccepted:            0 kB\n"
	"HugePages_Total:       0\n"
	"HugePages_Surp:        0\n"
	"Hugepagesize:       2048 kB\n"
	"DirectMap1G:     8388608 kB\n"
	"S:                     1 kB\n"
	"SwapTotal:             0 kB\n"
	"SwapFree:              0 kB\n";

static void regress__meminfo_long_and_unknown_keys__rendered_in_order(void **state)
{
	struct mem_cg m = { .limit = 1ULL << 30, .usage = 1ULL << 28,
			    .swap_limit = PV_UNLIMITED };
	struct mem_view v;
	struct buf out = BUF_INIT;
	const char *p, *o;

	assert_int_equal(pv_mem_view_build(host, &m, &v), 0);
	assert_int_equal(render_meminfo(&v, &out), 0);
	assert_non_null(out.data);
	/* Every host key, in the host's order, starts a line of the output. */
	o = out.data;
	for (p = host; *p; p = strchr(p, '\n') + 1) {
		size_t klen = (size_t)(strchr(p, ':') - p) + 1;
		char key[64];

		memcpy(key, p, klen);
		key[klen] = '\0';
		o = strstr(o, key);
		assert_non_null(o);
		assert_true(o == out.data || o[-1] == '\n');
		o += klen;
	}
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regress__meminfo_long_and_unknown_keys__rendered_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
