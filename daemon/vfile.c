// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "vfile.h"

/* Adding a served file is one line here; getattr/readdir/open/read follow. */
const struct pv_vfile pv_vfiles[] = {
	{ "/proc/meminfo", pv_produce_meminfo },
	{ "/proc/cpuinfo", pv_produce_cpuinfo },
	{ "/proc/stat", pv_produce_stat },
	{ "/proc/uptime", pv_produce_uptime },
	{ "/proc/loadavg", pv_produce_loadavg },
	{ "/proc/diskstats", pv_produce_diskstats },
	{ "/proc/swaps", pv_produce_swaps },
	{ "/sys/devices/system/cpu/online", pv_produce_cpu_online },
};
const size_t pv_nvfiles = sizeof(pv_vfiles) / sizeof(pv_vfiles[0]);

const struct pv_vfile *pv_vfile_find(const char *path)
{
	for (size_t i = 0; i < pv_nvfiles; i++)
		if (strcmp(pv_vfiles[i].path, path) == 0)
			return &pv_vfiles[i];
	return NULL;
}
