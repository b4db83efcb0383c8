// SPDX-License-Identifier: GPL-2.0-only
/*
 * pingpong: context-switch cost through a pipe ping-pong between two
 * processes pinned to one CPU, so every round trip is exactly two switches
 * (A blocks -> B runs, B blocks -> A runs) and a sched_switch hook runs on
 * each of them.
 *
 *   pingpong [-l LOOPS] [-c CPU]
 *
 * Prints one line:
 *   loops=L elapsed_ns=E roundtrip_ns=R switches=S ns_per_switch=P cpu_ns_per_switch=C cpu=N
 * where S is the voluntary + involuntary switches both processes made
 * (getrusage / wait4: the kernel's count, not ours), P = E / S, and C is the
 * CPU time both processes used (user + system, which the kernel keeps equal
 * to their exact run time) per switch. On a busy machine C is the steadier
 * figure: time other tasks spend on this CPU does not count.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000LL + tv->tv_usec;
}

/* Exactly one byte, retrying on EINTR; 0 or -errno (-EPIPE on EOF). */
static int xfer(int fd, char *c, int writing)
{
	ssize_t n;

	do
		n = writing ? write(fd, c, 1) : read(fd, c, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 1 ? 0 : -EPIPE;
}

int main(int argc, char **argv)
{
	long loops = 200000;
	int cpu = -1, opt, ab[2], ba[2], status, err = 0;
	struct rusage self_ru, child_ru;
	long long t0, t1, sw, cpu_us;
	cpu_set_t set;
	char c = 'x';
	pid_t pid;

	while ((opt = getopt(argc, argv, "l:c:h")) != -1) {
		switch (opt) {
		case 'l':
			loops = strtol(optarg, NULL, 10);
			break;
		case 'c':
			cpu = (int)strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: %s [-l LOOPS] [-c CPU]\n"
				"  -l LOOPS  round trips (default 200000)\n"
				"  -c CPU    CPU both processes are pinned to (default: the\n"
				"            last CPU this process may run on)\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (loops < 1) {
		fprintf(stderr, "pingpong: -l must be positive\n");
		return 2;
	}
	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		perror("pingpong: sched_getaffinity");
		return 1;
	}
	if (cpu < 0)
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				cpu = i;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		fprintf(stderr, "pingpong: pin to CPU %d: %s\n", cpu, strerror(errno));
		return 1;
	}
	if (pipe(ab) < 0 || pipe(ba) < 0) {
		perror("pingpong: pipe");
		return 1;
	}

	pid = fork();
	if (pid < 0) {
		perror("pingpong: fork");
		return 1;
	}
	if (pid == 0) {   /* B: echo every byte back; inherits the pinning */
		close(ab[1]);
		close(ba[0]);
		for (;;) {
			if (xfer(ab[0], &c, 0) < 0)
				_exit(0);   /* A closed its end: done */
			if (xfer(ba[1], &c, 1) < 0)
				_exit(1);
		}
	}
	close(ab[0]);
	close(ba[1]);

	if (getrusage(RUSAGE_SELF, &self_ru) < 0) {
		perror("pingpong: getrusage");
		return 1;
	}
	sw = -(self_ru.ru_nvcsw + self_ru.ru_nivcsw);
	cpu_us = -tv_us(&self_ru.ru_utime) - tv_us(&self_ru.ru_stime);
	t0 = now_ns();
	for (long i = 0; i < loops && !err; i++) {
		err = xfer(ab[1], &c, 1);
		if (!err)
			err = xfer(ba[0], &c, 0);
	}
	t1 = now_ns();
	if (getrusage(RUSAGE_SELF, &self_ru) < 0) {
		perror("pingpong: getrusage");
		return 1;
	}
	close(ab[1]);
	if (wait4(pid, &status, 0, &child_ru) < 0) {
		perror("pingpong: wait4");
		return 1;
	}
	if (err) {
		fprintf(stderr, "pingpong: pipe transfer: %s\n", strerror(-err));
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "pingpong: echo process failed (status 0x%x)\n", status);
		return 1;
	}
	/* The child's count includes its final read of EOF: one switch, noise. */
	sw += self_ru.ru_nvcsw + self_ru.ru_nivcsw + child_ru.ru_nvcsw + child_ru.ru_nivcsw;
	/* The child's whole life is the measured window (plus fork and exit). */
	cpu_us += tv_us(&self_ru.ru_utime) + tv_us(&self_ru.ru_stime) +
		  tv_us(&child_ru.ru_utime) + tv_us(&child_ru.ru_stime);
	printf("loops=%ld elapsed_ns=%lld roundtrip_ns=%.1f switches=%lld ns_per_switch=%.1f "
	       "cpu_ns_per_switch=%.1f cpu=%d\n",
	       loops, t1 - t0, (double)(t1 - t0) / (double)loops, sw,
	       sw > 0 ? (double)(t1 - t0) / (double)sw : 0.0,
	       sw > 0 ? (double)cpu_us * 1000.0 / (double)sw : 0.0, cpu);
	return 0;
}
