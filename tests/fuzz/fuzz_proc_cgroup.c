// SPDX-License-Identifier: GPL-2.0-only
// fuzz-needs: daemon/cgroup.c
// fuzz-ldflags: -Wl,--wrap=openat -Wl,--wrap=openat64
/*
 * /proc/<pid>/cgroup of an arbitrary reader, matched against hierarchies
 * discovered from a fixed mountinfo (first byte picks hybrid, pure v1 or
 * pure v2). Cgroup names are chosen by whoever can create cgroups (a
 * container with delegation), so this text is partly untrusted.
 * Invariants: every path NUL-terminated inside its slot and absolute.
 */
#include "cgroup.h"
#include "fuzz_confine.h"
#include "fuzz_util.h"

/* The layouts' cgroup2 mounts are looked up in an empty root, not on the
   host, so every run sees the same hierarchies. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_confine_init();
	return 0;
}

static const char *const layouts[] = {
	/* hybrid, as on Debian 11-era systemd: v1 controllers + unified */
	"24 31 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"25 24 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
	"26 24 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
	"27 24 0:25 / /sys/fs/cgroup/cpu rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu\n"
	"28 24 0:26 / /sys/fs/cgroup/cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpuacct\n"
	"29 24 0:27 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpuset\n"
	"30 24 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory\n"
	"31 24 0:29 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,blkio\n"
	"32 24 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids\n",
	/* pure v1 with cpu,cpuacct co-mounted */
	"24 31 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"26 24 0:24 / /sys/fs/cgroup/systemd rw,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
	"27 24 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
	"29 24 0:27 / /sys/fs/cgroup/cpuset rw,relatime shared:14 - cgroup cgroup rw,cpuset\n"
	"30 24 0:28 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory\n"
	"31 24 0:29 / /sys/fs/cgroup/blkio rw,relatime shared:16 - cgroup cgroup rw,blkio\n",
	/* pure v2 */
	"35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n",
};
#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

static struct pv_cgroups cgs[NLAYOUTS];
static int ready[NLAYOUTS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t li = size ? data[0] % NLAYOUTS : 0;
	char *text = fz_text(size ? data + 1 : data, size ? size - 1 : 0);
	struct pv_container *c;
	int r;

	if (!ready[li]) {
		fz_confine_on = 1;
		r = pv_cgroups_discover(layouts[li], NULL, &cgs[li]);
		fz_confine_on = 0;
		if (r != 0) {
			fprintf(stderr, "fixed layout %zu not discovered\n", li);
			abort();
		}
		ready[li] = 1;
	}
	c = malloc(sizeof(*c));
	if (!c)
		abort();
	memset(c, 0x5a, sizeof(*c));
	r = pv_parse_proc_cgroup(&cgs[li], text, c);
	if (r == 0) {
		for (int i = 0; i < cgs[li].n; i++) {
			fz_check(memchr(c->path[i], 0, PV_CGPATH_MAX) != NULL,
				 "path[%d] unterminated", i);
			fz_check(c->path[i][0] == '/', "path[%d]=\"%.40s\" not absolute",
				 i, c->path[i]);
		}
	} else
		fz_check(r < 0, "r=%d", r);
	free(c);
	free(text);
	return 0;
}
