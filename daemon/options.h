/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * procviewd's command line: one struct, one getopt_long table. Parsing is
 * pure (no side effects beyond @ret and messages on @err), so unit tests
 * drive it with argv arrays.
 */
#ifndef PV_OPTIONS_H
#define PV_OPTIONS_H

#include <stdio.h>

#define PV_DEFAULT_MOUNT "/var/lib/procview"

struct pv_options {
	const char *mountpoint;   /* PV_DEFAULT_MOUNT unless given */
	const char *cgroup_root;  /* NULL: discover from mountinfo */
	const char *proc;         /* "/proc" unless --proc */
	const char *pidfile;      /* NULL: none */
	const char *pin_dir;      /* PV_DEFAULT_PIN_DIR unless --bpf-pin-dir */
	int foreground;           /* -f */
	int debug;                /* -d (implies -f, like libfuse) */
	int cpu_quota_view;       /* 1 unless --no-cpu-quota-view */
	int no_bpf;               /* --no-bpf */
	int cleanup;              /* --cleanup: remove pins and exit */
	int help;                 /* --help / -h */
	int version;              /* --version / -V */
};

/*
 * Parse @argv into @ret (defaults first). Returns 0, or -EINVAL after
 * printing a one-line reason and a hint to @err. @ret is written only on
 * success.
 */
int pv_options_parse(int argc, char **argv, struct pv_options *ret, FILE *err);

/* The man-style --help text (with examples) on @out. */
void pv_options_usage(FILE *out, const char *prog);

#endif
