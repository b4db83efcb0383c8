// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpf_loader.h"
#include "options.h"

/* Parse a NULL-terminated argument list (argv[0] = "procviewd"). */
static int parse(struct pv_options *o, FILE *err, ...)
{
	char *argv[32] = { "procviewd" };
	int argc = 1;
	va_list ap;
	char *a;

	va_start(ap, err);
	while ((a = va_arg(ap, char *)) && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return pv_options_parse(argc, argv, o, err);
}

static FILE *devnull(void)
{
	FILE *f = fopen("/dev/null", "w");

	assert_non_null(f);
	return f;
}

static void options__no_arguments__defaults(void **state)
{
	struct pv_options o;
	FILE *e = devnull();

	assert_int_equal(parse(&o, e, NULL), 0);
	assert_string_equal(o.mountpoint, PV_DEFAULT_MOUNT);
	assert_string_equal(o.proc, "/proc");
	assert_string_equal(o.pin_dir, PV_DEFAULT_PIN_DIR);
	assert_null(o.cgroup_root);
	assert_null(o.pidfile);
	assert_int_equal(o.cpu_quota_view, 1);
	assert_int_equal(o.foreground + o.debug + o.no_bpf + o.cleanup + o.help + o.version, 0);
	fclose(e);
}

static void options__every_flag__set(void **state)
{
	struct pv_options o;
	FILE *e = devnull();

	assert_int_equal(parse(&o, e, "-f", "--cgroup-root", "/fx", "--no-cpu-quota-view",
			       "--pidfile=/run/p", "--bpf-pin-dir", "/sys/fs/bpf/t", "--no-bpf",
			       "--proc", "/fproc", "/mnt/x", NULL), 0);
	assert_string_equal(o.mountpoint, "/mnt/x");
	assert_string_equal(o.cgroup_root, "/fx");
	assert_string_equal(o.pidfile, "/run/p");
	assert_string_equal(o.pin_dir, "/sys/fs/bpf/t");
	assert_string_equal(o.proc, "/fproc");
	assert_int_equal(o.foreground, 1);
	assert_int_equal(o.debug, 0);
	assert_int_equal(o.cpu_quota_view, 0);
	assert_int_equal(o.no_bpf, 1);
	fclose(e);
}

static void options__debug__implies_foreground(void **state)
{
	struct pv_options o;
	FILE *e = devnull();

	assert_int_equal(parse(&o, e, "-d", NULL), 0);
	assert_int_equal(o.debug, 1);
	assert_int_equal(o.foreground, 1);
	fclose(e);
}

static void options__mountpoint_before_flags__accepted(void **state)
{
	struct pv_options o;
	FILE *e = devnull();

	assert_int_equal(parse(&o, e, "/m", "-f", "--no-bpf", NULL), 0);
	assert_string_equal(o.mountpoint, "/m");
	assert_int_equal(o.foreground, 1);
	assert_int_equal(o.no_bpf, 1);
	fclose(e);
}

static void options__help_version_cleanup__flags(void **state)
{
	struct pv_options o;
	FILE *e = devnull();

	assert_int_equal(parse(&o, e, "--help", NULL), 0);
	assert_int_equal(o.help, 1);
	assert_int_equal(parse(&o, e, "-h", NULL), 0);
	assert_int_equal(o.help, 1);
	assert_int_equal(parse(&o, e, "--version", NULL), 0);
	assert_int_equal(o.version, 1);
	assert_int_equal(parse(&o, e, "--cleanup", "--bpf-pin-dir", "/sys/fs/bpf/x", NULL), 0);
	assert_int_equal(o.cleanup, 1);
	assert_string_equal(o.pin_dir, "/sys/fs/bpf/x");
	fclose(e);
}

/* Every bad command line: -EINVAL, a message, and the output untouched. */
static void options__bad__einval_output_untouched(void **state)
{
	static const char *const bad[][4] = {
		{ "--bogus" },
		{ "-x" },
		{ "--pidfile" },             /* missing argument */
		{ "--cgroup-root" },
		{ "/a", "/b" },              /* two mountpoints */
		{ "--proc", "" },            /* empty path */
		{ "" },
		{ "--no-bpf=1" },            /* no argument allowed */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pv_options o;
		char msg[512] = "";
		FILE *e = fmemopen(msg, sizeof(msg), "w");

		assert_non_null(e);
		memset(&o, 0x5a, sizeof(o));
		assert_int_equal(parse(&o, e, bad[i][0], bad[i][1], bad[i][2], NULL), -EINVAL);
		fclose(e);
		assert_non_null(strstr(msg, "--help"));
		for (size_t b = 0; b < sizeof(o); b++)
			assert_int_equal(((unsigned char *)&o)[b], 0x5a);
	}
}

static void options__usage__names_every_option_and_examples(void **state)
{
	static const char *const want[] = {
		"-f", "-d", "--help", "--version", "--cgroup-root", "--no-cpu-quota-view",
		"--pidfile", "--bpf-pin-dir", "--no-bpf", "--cleanup", "--proc", "MOUNTPOINT",
		"EXAMPLES", "procview-run --memory 200m -- free -m", PV_DEFAULT_MOUNT,
	};
	char text[8192] = "";
	FILE *f = fmemopen(text, sizeof(text), "w");

	assert_non_null(f);
	pv_options_usage(f, "procviewd");
	fclose(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("--help lacks '%s'", want[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options__no_arguments__defaults),
		cmocka_unit_test(options__every_flag__set),
		cmocka_unit_test(options__debug__implies_foreground),
		cmocka_unit_test(options__mountpoint_before_flags__accepted),
		cmocka_unit_test(options__help_version_cleanup__flags),
		cmocka_unit_test(options__bad__einval_output_untouched),
		cmocka_unit_test(options__usage__names_every_option_and_examples),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
