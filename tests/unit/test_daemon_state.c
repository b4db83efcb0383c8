// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon_state.h"

static void assert_state_equal(const struct pv_dstate *a, const struct pv_dstate *b)
{
	assert_int_equal(a->pid, b->pid);
	assert_true(a->starttime == b->starttime);
	assert_int_equal(a->major, b->major);
	assert_int_equal(a->minor, b->minor);
	assert_int_equal(a->bpf, b->bpf);
	assert_int_equal(a->loadavg, b->loadavg);
	assert_int_equal(a->repaired, b->repaired);
	assert_string_equal(a->mountpoint, b->mountpoint);
	assert_string_equal(a->pin_dir, b->pin_dir);
}

static void parse__full_file__every_field(void **state)
{
	struct pv_dstate s;

	assert_int_equal(pv_dstate_parse("pid=4242\nstarttime=987654321\ndev=0:57\nbpf=1\n"
					 "loadavg=0\nrepaired=3\nmountpoint=/var/lib/procview\n"
					 "pin_dir=/sys/fs/bpf/procview\n", &s), 0);
	assert_int_equal(s.pid, 4242);
	assert_true(s.starttime == 987654321ULL);
	assert_int_equal(s.major, 0);
	assert_int_equal(s.minor, 57);
	assert_int_equal(s.bpf, 1);
	assert_int_equal(s.loadavg, 0);
	assert_int_equal(s.repaired, 3);
	assert_string_equal(s.mountpoint, "/var/lib/procview");
	assert_string_equal(s.pin_dir, "/sys/fs/bpf/procview");
}

static void parse__unknown_keys_and_no_final_newline__accepted(void **state)
{
	struct pv_dstate s;

	assert_int_equal(pv_dstate_parse("version=9\npid=1\nstarttime=0\n\nfuture=x=y\n"
					 "dev=8:1\nbpf=0", &s), 0);
	assert_int_equal(s.pid, 1);
	assert_int_equal(s.major, 8);
	assert_int_equal(s.minor, 1);
	assert_int_equal(s.bpf, 0);
	assert_string_equal(s.mountpoint, "");
}

static void parse__bad_input__einval_and_output_untouched(void **state)
{
	static const char *const bad[] = {
		"",                                                   /* nothing */
		"starttime=1\ndev=0:1\nbpf=1\n",                      /* no pid */
		"pid=1\ndev=0:1\nbpf=1\n",                            /* no starttime */
		"pid=1\nstarttime=1\nbpf=1\n",                        /* no dev */
		"pid=1\nstarttime=1\ndev=0:1\n",                      /* no bpf */
		"pid=0\nstarttime=1\ndev=0:1\nbpf=1\n",               /* pid 0 */
		"pid=-5\nstarttime=1\ndev=0:1\nbpf=1\n",              /* sign */
		"pid=12a\nstarttime=1\ndev=0:1\nbpf=1\n",             /* junk */
		"pid=1\nstarttime=1\ndev=01\nbpf=1\n",                /* no colon */
		"pid=1\nstarttime=1\ndev=0:\nbpf=1\n",                /* empty minor */
		"pid=1\nstarttime=1\ndev=0:1\nbpf=2\n",               /* not 0/1 */
		"pid=99999999999\nstarttime=1\ndev=0:1\nbpf=1\n",     /* overflow */
	};
	struct pv_dstate s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0x5a, sizeof(s));
		assert_int_equal(pv_dstate_parse(bad[i], &s), -EINVAL);
		assert_int_equal(s.pid, 0x5a5a5a5a);
	}
}

static void format_then_parse__round_trip(void **state)
{
	struct pv_dstate in = { .pid = 77, .starttime = 123456789012ULL, .major = 0,
				.minor = 4095, .bpf = 0, .loadavg = 1, .repaired = 16 };
	struct pv_dstate out;
	struct buf text = BUF_INIT;

	strcpy(in.mountpoint, "/tmp/a b");
	strcpy(in.pin_dir, "/sys/fs/bpf/x");
	assert_int_equal(pv_dstate_format(&in, &text), 0);
	assert_int_equal(pv_dstate_parse(text.data, &out), 0);
	assert_state_equal(&in, &out);
	buf_free(&text);
}

static void path__next_to_history__distinct_per_mountpoint(void **state)
{
	char a[PATH_MAX], b[PATH_MAX];

	assert_int_equal(pv_dstate_path("/run/pv", "/var/lib/procview", a, sizeof(a)), 0);
	assert_int_equal(pv_dstate_path("/run/pv", "/var/lib_procview", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(a, "/run/pv/mounts/", 15), 0);
	assert_string_equal(a + strlen(a) - 6, ".state");
	assert_int_equal(pv_dstate_path("/run/pv", "/x", a, 20), -ENAMETOOLONG);
}

static void publish_then_load__same_state(void **state)
{
	char dir[] = "/tmp/pv-dstate-XXXXXX";
	struct pv_dstate in = { .pid = 5, .starttime = 6, .minor = 7, .bpf = 1 }, out;
	char path[PATH_MAX];

	assert_non_null(mkdtemp(dir));
	strcpy(in.mountpoint, "/srv/pv");
	assert_int_equal(pv_dstate_load(dir, "/srv/pv", &out), -ENOENT);
	assert_int_equal(pv_dstate_publish(dir, &in), 0);
	in.repaired = 2;   /* a second publish replaces the first */
	assert_int_equal(pv_dstate_publish(dir, &in), 0);
	assert_int_equal(pv_dstate_load(dir, "/srv/pv", &out), 0);
	assert_state_equal(&in, &out);
	assert_int_equal(pv_dstate_path(dir, "/srv/pv", path, sizeof(path)), 0);
	assert_int_equal(unlink(path), 0);
	*strrchr(path, '/') = '\0';
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void starttime__fixture_with_spaces_in_comm(void **state)
{
	char dir[] = "/tmp/pv-dstate-proc-XXXXXX", path[PATH_MAX];
	unsigned long long t = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/42", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/42/stat", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* Fields 1..22 of proc(5); comm "a) b" holds a space and a ')'. */
	fprintf(f, "42 (a) b) S 1 42 42 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 "
		   "55555 1000 10 18446744073709551615\n");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(pv_dstate_starttime(dir, 42, &t), 0);
	assert_true(t == 55555ULL);
	assert_int_equal(pv_dstate_starttime(dir, 43, &t), -ENOENT);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/42", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse__full_file__every_field),
		cmocka_unit_test(parse__unknown_keys_and_no_final_newline__accepted),
		cmocka_unit_test(parse__bad_input__einval_and_output_untouched),
		cmocka_unit_test(format_then_parse__round_trip),
		cmocka_unit_test(path__next_to_history__distinct_per_mountpoint),
		cmocka_unit_test(publish_then_load__same_state),
		cmocka_unit_test(starttime__fixture_with_spaces_in_comm),
	};
	return cmocka_run_group_tests_name("daemon_state", tests, NULL, NULL);
}
