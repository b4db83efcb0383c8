// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "reader.h"
#include "vfile.h"

/* The hierarchies each producer reads, for the check that a held handle
 * still shows its own cgroup (reader.h, PV_IDENT_*). */
#define MEM    (1u << PV_CTRL_MEMORY)
#define VCPUS  ((1u << PV_CTRL_CPUSET) | (1u << PV_CTRL_CPU))
#define CPUT   (PV_IDENT_CPU_ACCT | (1u << PV_CTRL_CPUACCT) | VCPUS)
#define IO     (1u << PV_CTRL_IO)

/* Adding a served file is one line here; getattr/readdir/open/read follow. */
const struct pv_vfile pv_vfiles[] = {
	{ "/proc/meminfo", pv_produce_meminfo, MEM, 0, 1, 0, 1 },
	{ "/proc/cpuinfo", pv_produce_cpuinfo, VCPUS, 0, 1, 0, 0 },
	{ "/proc/stat", pv_produce_stat, CPUT, PV_IDENT_CPU_ACCT, 0, 1, 0 },
	{ "/proc/uptime", pv_produce_uptime, CPUT, PV_IDENT_CPU_ACCT, 0, 0, 0 },
	{ "/proc/loadavg", pv_produce_loadavg, PV_IDENT_CPU_ACCT, 0, 0, 1, 0 },
	{ "/proc/diskstats", pv_produce_diskstats, IO, 0, 1, 0, 0 },
	{ "/proc/swaps", pv_produce_swaps, MEM, 0, 1, 0, 1 },
	{ "/sys/devices/system/cpu/online", pv_produce_cpu_online, VCPUS, 0, 1, 0, 0 },
};
const size_t pv_nvfiles = sizeof(pv_vfiles) / sizeof(pv_vfiles[0]);

const struct pv_vfile *pv_vfile_find(const char *path)
{
	for (size_t i = 0; i < pv_nvfiles; i++)
		if (strcmp(pv_vfiles[i].path, path) == 0)
			return &pv_vfiles[i];
	return NULL;
}
