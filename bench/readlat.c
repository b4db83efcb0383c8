// SPDX-License-Identifier: GPL-2.0-only
/*
 * readlat: read latency of /proc-like files, several sources side by side.
 *
 *   readlat [-n N] [-w WARMUP] [-m open|keep|both] [-f] NAME=PATH...
 *
 * "open" times open + read to EOF + close (what cat, free and ps do);
 * "keep" times lseek(0) + read to EOF on one descriptor kept open (what top,
 * vmstat and monitoring agents do). The sources are sampled in rounds —
 * one sample of each per round — so a burst of load on this shared machine
 * lands on all of them alike, and in a new shuffled order every round: a
 * sample depends on the one before it (the CPU a daemon's thread last ran
 * on, an idle vCPU, another daemon still releasing its file), and in a
 * fixed order a source always follows the same one. Reading one file under
 * two names shows it: after LXCFS a read took 1.2 times as long as after
 * the host's /proc, in a fixed order (-f). One line per source and mode:
 *
 *   NAME MODE median_us p99_us mean_us bytes
 *
 * or "NAME MODE error <reason>" when that source cannot be read; the other
 * sources are still measured. Exit status 1 when any source failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READ_BUF (256 * 1024)

enum mode { MODE_OPEN, MODE_KEEP };
static const char *const mode_names[] = { "open", "keep" };

struct source {
	const char *name;
	const char *path;
	int fd;                /* MODE_KEEP: the descriptor kept open */
	int err;               /* first error (-errno), 0 if none */
	const char *err_what;
	double *us;            /* samples, microseconds */
	size_t bytes;          /* size of the last complete read */
};

static char buf[READ_BUF];

/* xorshift64*, fixed seed: the same orders in every run. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned long long rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A new visiting order of @n sources in @order (Fisher-Yates). */
static void shuffle(int *order, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(rng() % (unsigned long long)(i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Read @fd to EOF; returns bytes read or -errno. */
static ssize_t read_all(int fd)
{
	ssize_t n, total = 0;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return total;
		total += n;
	}
}

/* One timed sample of @s in @m; returns 0 or -errno (and records why). */
static int sample(struct source *s, enum mode m, double *ret_us)
{
	double t0 = now_us();
	ssize_t n;
	int fd;

	if (m == MODE_OPEN) {
		fd = open(s->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			s->err_what = "open";
			return -errno;
		}
		n = read_all(fd);
		if (close(fd) < 0 && n >= 0) {
			s->err_what = "close";
			return -errno;
		}
	} else {
		if (lseek(s->fd, 0, SEEK_SET) < 0) {
			s->err_what = "lseek";
			return -errno;
		}
		n = read_all(s->fd);
	}
	*ret_us = now_us() - t0;
	if (n < 0) {
		s->err_what = "read";
		return (int)n;
	}
	/* An empty file is a valid answer (diskstats of a container without
	 * I/O); the byte count printed beside the times shows it. */
	s->bytes = (size_t)n;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted @v. */
static double pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)n + 0.5);

	if (i > 0)
		i--;
	if (i >= n)
		i = n - 1;
	return v[i];
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [-n N] [-w WARMUP] [-m open|keep|both] [-f] NAME=PATH...\n"
		"  -n N       timed samples per source and mode (default 1000)\n"
		"  -w WARMUP  untimed samples first (default 50)\n"
		"  -m MODE    open: open+read+close; keep: re-read a kept-open fd at\n"
		"             offset 0; both (default)\n"
		"  -f         the same order every round (default: shuffled)\n"
		"example: %s -n 2000 host=/proc/meminfo pv=/tmp/m/proc/meminfo\n",
		argv0, argv0);
}

static int run_mode(struct source *src, int nsrc, enum mode m, long n, long warm,
		    int fixed_order)
{
	int failed = 0, order[nsrc];

	for (int i = 0; i < nsrc; i++)
		order[i] = i;
	if (m == MODE_KEEP) {
		for (int i = 0; i < nsrc; i++) {
			src[i].fd = -1;
			if (src[i].err)
				continue;
			src[i].fd = open(src[i].path, O_RDONLY | O_CLOEXEC);
			if (src[i].fd < 0) {
				src[i].err = -errno;
				src[i].err_what = "open";
			}
		}
	}
	for (long k = -warm; k < n; k++) {
		if (!fixed_order)
			shuffle(order, nsrc);
		for (int i = 0; i < nsrc; i++) {
			struct source *s = &src[order[i]];
			double us = 0;
			int err;

			if (s->err)
				continue;
			err = sample(s, m, &us);
			if (err) {
				s->err = err;
				continue;
			}
			if (k >= 0)
				s->us[k] = us;
		}
	}
	for (int i = 0; i < nsrc; i++) {
		struct source *s = &src[i];
		double sum = 0;

		if (m == MODE_KEEP && s->fd >= 0)
			close(s->fd);
		if (s->err) {
			printf("%s %s error %s %s: %s\n", s->name, mode_names[m],
			       s->err_what, s->path, strerror(-s->err));
			failed = 1;
			s->err = 0;   /* the other mode gets its own chance */
			continue;
		}
		for (long k = 0; k < n; k++)
			sum += s->us[k];
		qsort(s->us, (size_t)n, sizeof(double), cmp_double);
		printf("%s %s %.1f %.1f %.1f %zu\n", s->name, mode_names[m],
		       pct(s->us, (size_t)n, 50), pct(s->us, (size_t)n, 99),
		       sum / (double)n, s->bytes);
	}
	fflush(stdout);
	return failed;
}

int main(int argc, char **argv)
{
	long n = 1000, warm = 50;
	int do_open = 1, do_keep = 1, fixed_order = 0, failed = 0, opt, nsrc;
	struct source *src;
	char *end;

	while ((opt = getopt(argc, argv, "n:w:m:fh")) != -1) {
		switch (opt) {
		case 'n':
		case 'w': {
			long *dst = opt == 'n' ? &n : &warm;

			errno = 0;
			*dst = strtol(optarg, &end, 10);
			if (errno || *end || *dst < (opt == 'n' ? 1 : 0)) {
				fprintf(stderr, "readlat: bad -%c '%s'\n", opt, optarg);
				return 2;
			}
			break;
		}
		case 'm':
			do_open = strcmp(optarg, "open") == 0 || strcmp(optarg, "both") == 0;
			do_keep = strcmp(optarg, "keep") == 0 || strcmp(optarg, "both") == 0;
			if (!do_open && !do_keep) {
				fprintf(stderr, "readlat: bad -m '%s'\n", optarg);
				return 2;
			}
			break;
		case 'f':
			fixed_order = 1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	nsrc = argc - optind;
	if (nsrc < 1) {
		usage(stderr, argv[0]);
		return 2;
	}
	src = calloc((size_t)nsrc, sizeof(*src));
	if (!src) {
		perror("readlat: calloc");
		return 1;
	}
	for (int i = 0; i < nsrc; i++) {
		char *arg = argv[optind + i], *eq = strchr(arg, '=');

		if (!eq || eq == arg || !eq[1]) {
			fprintf(stderr, "readlat: expected NAME=PATH, got '%s'\n", arg);
			return 2;
		}
		*eq = '\0';
		src[i].name = arg;
		src[i].path = eq + 1;
		src[i].us = calloc((size_t)n, sizeof(double));
		if (!src[i].us) {
			perror("readlat: calloc");
			return 1;
		}
	}
	if (do_open)
		failed |= run_mode(src, nsrc, MODE_OPEN, n, warm, fixed_order);
	if (do_keep)
		failed |= run_mode(src, nsrc, MODE_KEEP, n, warm, fixed_order);
	for (int i = 0; i < nsrc; i++)
		free(src[i].us);
	free(src);
	return failed;
}
