// SPDX-License-Identifier: GPL-2.0-only
/*
 * refload: load and attach bpf/bench_ref (the minimal per-cgroup
 * sched_switch counter), print "ready" on stdout, and keep it attached until
 * SIGINT or SIGTERM. On exit it prints how many switches it counted, so the
 * benchmark can tell that the reference really ran.
 *
 *   refload [--v1|--v2]    (default: v1 cpuacct ids when /proc/self/cgroup
 *                           lists a cpuacct controller, else v2 ids)
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_ref.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig) { stop = 1; }

/* True when a v1 hierarchy carries cpuacct: procview then keys by its id. */
static bool have_v1_cpuacct(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':'), *end;

		if (!ctrl)
			continue;
		end = strchr(++ctrl, ':');
		if (!end)
			continue;
		*end = '\0';
		for (char *tok = strtok(ctrl, ","); tok; tok = strtok(NULL, ","))
			if (strcmp(tok, "cpuacct") == 0)
				found = true;
	}
	fclose(f);
	return found;
}

/* Sum of every CPU's count over every cgroup in the map. */
static int total_switches(struct bench_ref_bpf *skel, unsigned long long *ret)
{
	int fd = bpf_map__fd(skel->maps.ref_switches);
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u64 key, next, *vals;
	__u64 *prev = NULL;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals) != 0)
			continue;   /* removed meanwhile: nothing to add */
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	}
	free(vals);
	*ret = sum;
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_ref_bpf *skel;
	bool v1 = have_v1_cpuacct();
	unsigned long long n = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--v1") == 0) {
			v1 = true;
		} else if (strcmp(argv[i], "--v2") == 0) {
			v1 = false;
		} else {
			fprintf(stderr, "usage: %s [--v1|--v2]\n", argv[0]);
			return 2;
		}
	}
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		perror("refload: sigaction");
		return 1;
	}

	skel = bench_ref_bpf__open();
	if (!skel) {
		fprintf(stderr, "refload: open bench_ref: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->use_v1_cpuacct = v1;
	err = bench_ref_bpf__load(skel);
	if (err) {
		fprintf(stderr, "refload: load bench_ref: %s\n", strerror(-err));
		goto out;
	}
	err = bench_ref_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "refload: attach tp_btf/sched_switch: %s\n", strerror(-err));
		goto out;
	}
	printf("ready (keys: %s cgroup ids)\n", v1 ? "v1 cpuacct" : "v2");
	fflush(stdout);

	/* pause() returns on the signal; the flag covers a signal before it. */
	while (!stop)
		pause();

	err = total_switches(skel, &n);
	if (err)
		fprintf(stderr, "refload: read ref_switches: %s\n", strerror(-err));
	else
		printf("counted %llu switches\n", n);
out:
	bench_ref_bpf__destroy(skel);
	return err ? 1 : 0;
}
