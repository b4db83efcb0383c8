// SPDX-License-Identifier: GPL-2.0-only
#include "daemon_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileio.h"
#include "remount.h"

const char *pv_dstate_dir(void)
{
	const char *d = getenv("PV_STATE_DIR");

	return d && *d ? d : PV_REMOUNT_STATE_DIR;
}

int pv_dstate_path(const char *state_dir, const char *mountpoint, char *dst, size_t cap)
{
	char hist[PATH_MAX];
	int err = pv_remount_history_path(state_dir, mountpoint, hist, sizeof(hist));
	int n;

	if (err)
		return err;
	n = snprintf(dst, cap, "%s.state", hist);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int pv_dstate_format(const struct pv_dstate *s, struct buf *out)
{
	/* Paths last: a newline in one would only spoil the lines after it. */
	buf_printf(out, "pid=%d\nstarttime=%llu\ndev=%u:%u\nbpf=%d\nloadavg=%d\nrepaired=%d\n"
		   "mountpoint=%s\npin_dir=%s\n",
		   s->pid, s->starttime, s->major, s->minor, s->bpf, s->loadavg, s->repaired,
		   s->mountpoint, s->pin_dir);
	return buf_error(out);
}

/* Parse a non-negative decimal ending at @end; -1 when malformed. */
static long long number(const char *v, const char *end)
{
	long long n = 0;

	if (v == end)
		return -1;
	for (const char *p = v; p < end; p++) {
		if (*p < '0' || *p > '9' || n > (1LL << 60))
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

int pv_dstate_parse(const char *text, struct pv_dstate *ret)
{
	struct pv_dstate s = { 0 };
	unsigned int seen = 0;
	enum { PID = 1, START = 2, DEV = 4, BPF = 8 };

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		const char *eq = memchr(line, '=', (size_t)(end - line));
		size_t klen = eq ? (size_t)(eq - line) : 0;
		const char *v = eq ? eq + 1 : NULL;
		long long n;

#define KEY(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
		if (!eq) {
			/* blank or foreign line: skip */
		} else if (KEY("pid")) {
			n = number(v, end);
			if (n <= 0 || n > 0x7fffffff)
				return -EINVAL;
			s.pid = (int)n;
			seen |= PID;
		} else if (KEY("starttime")) {
			n = number(v, end);
			if (n < 0)
				return -EINVAL;
			s.starttime = (unsigned long long)n;
			seen |= START;
		} else if (KEY("dev")) {
			const char *colon = memchr(v, ':', (size_t)(end - v));
			long long ma = colon ? number(v, colon) : -1;
			long long mi = colon ? number(colon + 1, end) : -1;

			if (ma < 0 || mi < 0 || ma > 0xfff || mi > 0xfffff)
				return -EINVAL;
			s.major = (unsigned int)ma;
			s.minor = (unsigned int)mi;
			seen |= DEV;
		} else if (KEY("bpf") || KEY("loadavg")) {
			n = number(v, end);
			if (n != 0 && n != 1)
				return -EINVAL;
			if (KEY("bpf")) {
				s.bpf = (int)n;
				seen |= BPF;
			} else {
				s.loadavg = (int)n;
			}
		} else if (KEY("repaired")) {
			n = number(v, end);
			if (n < 0 || n > 0x7fffffff)
				return -EINVAL;
			s.repaired = (int)n;
		} else if (KEY("mountpoint") || KEY("pin_dir")) {
			char *dst = KEY("mountpoint") ? s.mountpoint : s.pin_dir;
			size_t len = (size_t)(end - v);

			if (len >= PATH_MAX)
				return -EINVAL;
			memcpy(dst, v, len);
			dst[len] = '\0';
		}
#undef KEY
		line = nl ? nl + 1 : NULL;
	}
	if (seen != (PID | START | DEV | BPF))
		return -EINVAL;
	*ret = s;
	return 0;
}

int pv_dstate_publish(const char *state_dir, const struct pv_dstate *s)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16], *slash;
	struct buf text = BUF_INIT;
	int fd = -1, err;

	err = pv_dstate_path(state_dir, s->mountpoint, path, sizeof(path));
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s", path);
	slash = strrchr(tmp, '/');
	*slash = '\0';
	err = pv_mkdir_p(tmp);
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	err = pv_dstate_format(s, &text);
	if (err)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	errno = 0;
	if (write(fd, text.data, text.len) != (ssize_t)text.len)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	/* Readers see the old file or the whole new one, never half. */
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	buf_free(&text);
	return err;
}

int pv_dstate_load(const char *state_dir, const char *mountpoint, struct pv_dstate *ret)
{
	char path[PATH_MAX], text[2 * PATH_MAX + 512];
	ssize_t n;
	int err = pv_dstate_path(state_dir, mountpoint, path, sizeof(path));

	if (err)
		return err;
	n = pv_read_file_at(AT_FDCWD, path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return pv_dstate_parse(text, ret);
}

int pv_dstate_starttime(const char *proc, pid_t pid, unsigned long long *ret)
{
	char path[PATH_MAX], text[1024];
	const char *p;
	unsigned long long v;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/stat", proc, (int)pid);
	n = pv_read_file_at(AT_FDCWD, path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	/* comm may hold spaces and ')': fields count from the last ')'. */
	p = strrchr(text, ')');
	if (!p)
		return -EINVAL;
	/* Each step: p = the blank before field @field. */
	for (int field = 3; field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	if (sscanf(p + 1, "%llu", &v) != 1)
		return -EINVAL;
	*ret = v;
	return 0;
}

int pv_dstate_publish_self(const char *state_dir, const char *mountpoint, dev_t dev,
			   const char *pin_dir, int bpf, int loadavg, int repaired)
{
	struct pv_dstate s = { .pid = (int)getpid(), .major = major(dev), .minor = minor(dev),
			       .bpf = !!bpf, .loadavg = !!loadavg, .repaired = repaired };
	int err = pv_dstate_starttime("/proc", getpid(), &s.starttime);

	if (err)
		return err;
	if (snprintf(s.mountpoint, sizeof(s.mountpoint), "%s", mountpoint) >= PATH_MAX ||
	    snprintf(s.pin_dir, sizeof(s.pin_dir), "%s", pin_dir ? pin_dir : "") >= PATH_MAX)
		return -ENAMETOOLONG;
	return pv_dstate_publish(state_dir, &s);
}
