// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfstats: the kernel's own run-time accounting of BPF programs over one
 * command. Turns on BPF_STATS_RUN_TIME for as long as it runs (an fd-scoped
 * switch: it goes back off when we exit, whatever the sysctl says), runs
 * CMD, and prints for each owner the programs' invocation count and run time
 * over CMD, next to the host's context switches (/proc/stat ctxt) in the
 * same window.
 *
 *   bpfstats OWNER... -- CMD [ARGS...]
 *     OWNER  LABEL=pid:PID   programs a process holds (fds or links)
 *            LABEL=pin:DIR   programs behind the links/programs pinned in DIR
 *
 * Output, one line per owner, then the command's own output:
 *   bpfstats LABEL progs=N run_cnt=C run_ns=T ns_per_run=R ns_per_switch=S ctxt=X
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_PROGS 64

struct owner {
	const char *label;
	__u32 ids[MAX_PROGS];
	int n;
	unsigned long long cnt0, ns0, cnt1, ns1;
};

static void add_id(struct owner *o, __u32 id)
{
	for (int i = 0; i < o->n; i++)
		if (o->ids[i] == id)
			return;
	if (o->n < MAX_PROGS)
		o->ids[o->n++] = id;
}

/* Add the "prog_id:" of one fdinfo file (prog fds and link fds both have it). */
static void ids_of_fdinfo(struct owner *o, const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return;   /* fd closed meanwhile */
	while (fgets(line, sizeof(line), f)) {
		unsigned int id;

		if (sscanf(line, "prog_id: %u", &id) == 1)
			add_id(o, id);
	}
	fclose(f);
}

/* Programs a process holds through prog or link fds. */
static int ids_of_pid(struct owner *o, const char *pid)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%.32s/fdinfo/%.255s", pid, de->d_name);
		ids_of_fdinfo(o, path);
	}
	closedir(d);
	return 0;
}

/* Programs behind every pinned link or program in DIR (and one level of
 * subdirectories, for layouts that group pins). */
static int ids_of_pin_dir(struct owner *o, const char *dir, int depth)
{
	char path[4096], info[64];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%.3800s/%.255s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			if (depth < 1)
				ids_of_pin_dir(o, path, depth + 1);
			continue;
		}
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;   /* a pinned map, or gone */
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
		ids_of_fdinfo(o, info);
		close(fd);
	}
	closedir(d);
	return 0;
}

static void snapshot(struct owner *o, unsigned long long *cnt, unsigned long long *ns)
{
	*cnt = *ns = 0;
	for (int i = 0; i < o->n; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(o->ids[i]);

		if (fd < 0)
			continue;   /* unloaded meanwhile */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			*cnt += info.run_cnt;
			*ns += info.run_time_ns;
		}
		close(fd);
	}
}

static int host_ctxt(unsigned long long *ret)
{
	char line[512];
	FILE *f = fopen("/proc/stat", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ctxt %llu", ret) == 1) {
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

int main(int argc, char **argv)
{
	struct owner owners[8];
	unsigned long long c0, c1;
	int nown = 0, i, stats_fd, status;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		char *eq = strchr(argv[i], '=');
		struct owner *o = &owners[nown];
		int err;

		if (!eq || nown == 8) {
			fprintf(stderr, "usage: %s LABEL=pid:PID|LABEL=pin:DIR... -- CMD...\n", argv[0]);
			return 2;
		}
		*eq++ = '\0';
		memset(o, 0, sizeof(*o));
		o->label = argv[i];
		if (strncmp(eq, "pid:", 4) == 0)
			err = ids_of_pid(o, eq + 4);
		else if (strncmp(eq, "pin:", 4) == 0)
			err = ids_of_pin_dir(o, eq + 4, 0);
		else
			err = -EINVAL;
		if (err) {
			fprintf(stderr, "bpfstats: programs of %s (%s): %s\n", o->label, eq,
				strerror(-err));
			return 1;
		}
		nown++;
	}
	if (i >= argc - 1) {
		fprintf(stderr, "usage: %s LABEL=pid:PID|LABEL=pin:DIR... -- CMD...\n", argv[0]);
		return 2;
	}

	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "bpfstats: enable BPF run-time stats: %s\n", strerror(errno));
		return 1;
	}
	for (int k = 0; k < nown; k++)
		snapshot(&owners[k], &owners[k].cnt0, &owners[k].ns0);
	if (host_ctxt(&c0)) {
		fprintf(stderr, "bpfstats: no ctxt line in /proc/stat\n");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("bpfstats: fork");
		return 1;
	}
	if (pid == 0) {
		close(stats_fd);   /* the switch stays on through our own fd */
		execvp(argv[i + 1], &argv[i + 1]);
		fprintf(stderr, "bpfstats: exec %s: %s\n", argv[i + 1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("bpfstats: waitpid");
		return 1;
	}
	if (host_ctxt(&c1)) {
		fprintf(stderr, "bpfstats: no ctxt line in /proc/stat\n");
		return 1;
	}
	for (int k = 0; k < nown; k++) {
		struct owner *o = &owners[k];
		unsigned long long cnt, ns, sw = c1 - c0;

		snapshot(o, &o->cnt1, &o->ns1);
		cnt = o->cnt1 - o->cnt0;
		ns = o->ns1 - o->ns0;
		printf("bpfstats %s progs=%d run_cnt=%llu run_ns=%llu ns_per_run=%.1f ns_per_switch=%.1f ctxt=%llu\n",
		       o->label, o->n, cnt, ns, cnt ? (double)ns / (double)cnt : 0.0,
		       sw ? (double)ns / (double)sw : 0.0, sw);
	}
	close(stats_fd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bpfstats: %s failed (status 0x%x)\n", argv[i + 1], status);
		return 1;
	}
	return 0;
}
