// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"

/* Numbers from linux/capability.h; CAP_BPF and CAP_PERFMON (Linux 5.8)
   may be missing from older headers. */
#define NR_SYS_CHROOT 18
#define NR_SYS_PTRACE 19
#define NR_SYS_ADMIN 21
#define NR_PERFMON 38
#define NR_BPF 39

const struct pv_cap pv_caps[] = {
	{ NR_SYS_ADMIN, "CAP_SYS_ADMIN", 1,
	  "mount the FUSE filesystem (and bpffs when it is missing)" },
	{ NR_SYS_PTRACE, "CAP_SYS_PTRACE", 1,
	  "read /proc/<pid>/ns/pid of readers owned by other users or more "
	  "privileged, to tell whose container they are in" },
	{ NR_SYS_CHROOT, "CAP_SYS_CHROOT", 0,
	  "restart repair cannot enter a container's root, so containers keep "
	  "dead bind mounts after a daemon restart" },
	{ NR_BPF, "CAP_BPF", 0,
	  "no BPF: CPU figures come from cgroup files (degraded)" },
	{ NR_PERFMON, "CAP_PERFMON", 0,
	  "no BPF tracing programs: CPU figures come from cgroup files (degraded)" },
};
const size_t pv_ncaps = sizeof(pv_caps) / sizeof(pv_caps[0]);

int pv_caps_parse_eff(const char *text, unsigned long long *ret)
{
	const char *p = text;
	unsigned long long v = 0;
	int digits = 0;

	while (p && strncmp(p, "CapEff:", 7) != 0) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return -EINVAL;
	for (p += 7; *p == ' ' || *p == '\t'; p++)
		;
	for (; *p && *p != '\n'; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if (digits >= 16)
			return -EINVAL;   /* more than 64 bits */
		v = v << 4 | (unsigned long long)d;
	}
	if (!digits)
		return -EINVAL;
	*ret = v;
	return 0;
}

int pv_caps_has(unsigned long long eff, int nr)
{
	return nr >= 0 && nr < 64 && ((eff >> nr) & 1);
}

size_t pv_caps_missing(unsigned long long eff, int required, int use_bpf,
		       const struct pv_cap **ret, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < pv_ncaps; i++) {
		const struct pv_cap *c = &pv_caps[i];

		if (c->required != required || pv_caps_has(eff, c->nr))
			continue;
		/* bpf_capable() and perfmon_capable() accept CAP_SYS_ADMIN. */
		if (c->nr == NR_BPF || c->nr == NR_PERFMON) {
			if (!use_bpf || pv_caps_has(eff, NR_SYS_ADMIN))
				continue;
		}
		if (n < max)
			ret[n] = c;
		n++;
	}
	return n;
}
