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

/* Adding a served file is one entry here; getattr/readdir/open/read follow. */
const struct pv_vfile pv_vfiles[] = {
	{ .path = "/proc/meminfo", .produce = pv_produce_meminfo, .ident_roles = MEM,
	  .cg_reads_only = 1, .samples = PV_SAMPLE_MEM },
	{ .path = "/proc/cpuinfo", .produce = pv_produce_cpuinfo, .ident_roles = VCPUS,
	  .cg_reads_only = 1 },
	{ .path = "/proc/stat", .produce = pv_produce_stat, .ident_roles = CPUT,
	  .ident_roles_before = PV_IDENT_CPU_ACCT, .counts_reader = 1 },
	{ .path = "/proc/uptime", .produce = pv_produce_uptime, .ident_roles = CPUT,
	  .ident_roles_before = PV_IDENT_CPU_ACCT },
	{ .path = "/proc/loadavg", .produce = pv_produce_loadavg, .ident_roles = PV_IDENT_CPU_ACCT,
	  .counts_reader = 1 },
	{ .path = "/proc/diskstats", .produce = pv_produce_diskstats, .ident_roles = IO,
	  .cg_reads_only = 1, .samples = PV_SAMPLE_BLKIO },
	{ .path = "/proc/swaps", .produce = pv_produce_swaps, .ident_roles = MEM,
	  .cg_reads_only = 1, .samples = PV_SAMPLE_MEM },
	{ .path = "/sys/devices/system/cpu/online", .produce = pv_produce_cpu_online,
	  .ident_roles = VCPUS, .cg_reads_only = 1 },
};
const size_t pv_nvfiles = sizeof(pv_vfiles) / sizeof(pv_vfiles[0]);

const struct pv_vfile *pv_vfile_find(const char *path)
{
	for (size_t i = 0; i < pv_nvfiles; i++)
		if (strcmp(pv_vfiles[i].path, path) == 0)
			return &pv_vfiles[i];
	return NULL;
}
