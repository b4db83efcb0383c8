// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "bpf_loader.h"
#include "options.h"

enum {
	OPT_CGROUP_ROOT = 256,
	OPT_NO_QUOTA,
	OPT_PIDFILE,
	OPT_PIN_DIR,
	OPT_NO_BPF,
	OPT_CLEANUP,
	OPT_PROC,
};

static const struct option long_opts[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "debug", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT },
	{ "no-cpu-quota-view", no_argument, NULL, OPT_NO_QUOTA },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "bpf-pin-dir", required_argument, NULL, OPT_PIN_DIR },
	{ "no-bpf", no_argument, NULL, OPT_NO_BPF },
	{ "cleanup", no_argument, NULL, OPT_CLEANUP },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ NULL, 0, NULL, 0 },
};

void pv_options_usage(FILE *out, const char *prog)
{
	fprintf(out,
"NAME\n"
"    %1$s - serve per-container /proc and /sys views over FUSE\n"
"\n"
"SYNOPSIS\n"
"    %1$s [OPTIONS] [MOUNTPOINT]\n"
"\n"
"DESCRIPTION\n"
"    Mounts a read-only tree at MOUNTPOINT (default " PV_DEFAULT_MOUNT ",\n"
"    created when missing) with the LXCFS-compatible layout\n"
"        MOUNTPOINT/proc/{meminfo,cpuinfo,stat,uptime,loadavg,diskstats,swaps}\n"
"        MOUNTPOINT/sys/devices/system/cpu/online\n"
"    Every reader sees the figures of its own container: the cgroup of the\n"
"    init of its pid namespace, or its own cgroup when it shares the\n"
"    daemon's pid namespace. Readers in the host's root cgroup see the host.\n"
"    Container runtimes bind-mount these files over the container's own.\n"
"\n"
"OPTIONS\n"
"    -f, --foreground       stay in the foreground (log to stderr)\n"
"    -d, --debug            debug log, including every FUSE request\n"
"                           (implies -f)\n"
"    -h, --help             this text\n"
"    -V, --version          print the version and exit\n"
"    --cgroup-root DIR      take the cgroup hierarchies from the directory\n"
"                           layout below DIR instead of /proc/self/mountinfo\n"
"                           (fixture trees in tests)\n"
"    --proc DIR             read process information from DIR instead of\n"
"                           /proc (fixture trees in tests)\n"
"    --no-cpu-quota-view    vCPU count = cpuset size, ignoring CFS quotas\n"
"    --pidfile FILE         write the daemon's pid to FILE (removed on exit)\n"
"    --bpf-pin-dir DIR      pin BPF maps and links below DIR\n"
"                           (default " PV_DEFAULT_PIN_DIR ")\n"
"    --no-bpf               do not load BPF; CPU figures come from cgroup\n"
"                           files (degraded)\n"
"    --cleanup              remove the pinned BPF state in the pin directory\n"
"                           and exit (counters restart from zero afterwards)\n"
"\n"
"PRIVILEGES\n"
"    Run as root; what counts is the effective capability set, so a root\n"
"    daemon with a reduced bounding set lacks what it lacks. At start it\n"
"    refuses, naming the capability, when a required one is missing, and\n"
"    warns, saying what degrades, for an optional one:\n"
"      CAP_SYS_ADMIN    required: mount the FUSE filesystem (and bpffs)\n"
"      CAP_SYS_PTRACE   required: read a reader's /proc/<pid>/ns/pid (other\n"
"                       users' and more privileged processes) to tell its\n"
"                       container\n"
"      CAP_SYS_CHROOT   optional: restart repair enters containers' roots to\n"
"                       re-bind their files\n"
"      CAP_BPF, CAP_PERFMON  optional: load the BPF programs; CAP_SYS_ADMIN\n"
"                       also allows it (without BPF: degraded figures)\n"
"\n"
"SIGNALS\n"
"    SIGINT, SIGTERM  unmount and exit\n"
"    SIGUSR1          log one \"stats:\" line: RSS, open handles and the\n"
"                     sizes of the per-container caches (entries of removed\n"
"                     cgroups are pruned every few seconds)\n"
"\n"
"EXIT STATUS\n"
"    0 after a clean unmount on SIGINT/SIGTERM; 1 when the mountpoint is busy,\n"
"    a required capability is missing (see PRIVILEGES) or /dev/fuse is\n"
"    unavailable; 2 for a wrong command line.\n"
"\n"
"EXAMPLES\n"
"    Serve in the foreground until Ctrl-C:\n"
"        %1$s -f\n"
"    Run a command with a 200 MB limit that sees it in free(1):\n"
"        procview-run --memory 200m -- free -m\n"
"    Give a Docker container its own views:\n"
"        docker run -v " PV_DEFAULT_MOUNT "/proc/meminfo:/proc/meminfo:ro \\\n"
"                   -v " PV_DEFAULT_MOUNT "/proc/cpuinfo:/proc/cpuinfo:ro ...\n"
"    Serve a test mountpoint without BPF, with fixture trees:\n"
"        %1$s -f --no-bpf --proc tests/fixtures/proc \\\n"
"            --cgroup-root tests/fixtures/v2 /tmp/pv\n"
"    Forget the pinned BPF state (after stopping the daemon):\n"
"        %1$s --cleanup\n",
		prog);
}

int pv_options_parse(int argc, char **argv, struct pv_options *ret, FILE *err)
{
	struct pv_options o = {
		.mountpoint = PV_DEFAULT_MOUNT,
		.proc = "/proc",
		.pin_dir = PV_DEFAULT_PIN_DIR,
		.cpu_quota_view = 1,
	};
	const char *prog = argc > 0 && argv[0] ? argv[0] : "procviewd";
	int c;

	/* Re-entrant for unit tests: optind = 0 makes glibc reinitialise. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fdhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f': o.foreground = 1; break;
		case 'd': o.debug = 1; o.foreground = 1; break;
		case 'h': o.help = 1; break;
		case 'V': o.version = 1; break;
		case OPT_CGROUP_ROOT: o.cgroup_root = optarg; break;
		case OPT_NO_QUOTA: o.cpu_quota_view = 0; break;
		case OPT_PIDFILE: o.pidfile = optarg; break;
		case OPT_PIN_DIR: o.pin_dir = optarg; break;
		case OPT_NO_BPF: o.no_bpf = 1; break;
		case OPT_CLEANUP: o.cleanup = 1; break;
		case OPT_PROC: o.proc = optarg; break;
		case ':':
			fprintf(err, "%s: option '%s' needs an argument\n", prog, argv[optind - 1]);
			goto usage;
		default:
			fprintf(err, "%s: unknown option '%s'\n", prog, argv[optind - 1]);
			goto usage;
		}
	}
	if (optind < argc)
		o.mountpoint = argv[optind++];
	if (optind < argc) {
		fprintf(err, "%s: unexpected argument '%s' (one MOUNTPOINT only)\n",
			prog, argv[optind]);
		goto usage;
	}
	if (!o.mountpoint[0] || !o.proc[0] || !o.pin_dir[0] ||
	    (o.cgroup_root && !o.cgroup_root[0]) || (o.pidfile && !o.pidfile[0])) {
		fprintf(err, "%s: empty path argument\n", prog);
		goto usage;
	}
	*ret = o;
	return 0;
usage:
	fprintf(err, "Try '%s --help'.\n", prog);
	return -EINVAL;
}
