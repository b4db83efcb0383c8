// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY (added by the daemon helper so procviewd links before the
 * cgroup layer lands): no hierarchies, every reader is the host. The owner
 * of cgroup.h deletes this file when cgroup.c implements these.
 */
#include <errno.h>
#include <string.h>

#include "cgroup.h"

int pv_cgroups_discover(const char *mountinfo_text, const char *root_override,
			struct pv_cgroups *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (int i = 0; i < PV_CTRL__COUNT; i++)
		ret->by_ctrl[i] = -1;
	ret->unified = -1;
	ret->cpu_acct = -1;
	return 0;
}

int pv_cgroups_open(struct pv_cgroups *cg) { return 0; }
void pv_cgroups_close(struct pv_cgroups *cg) { }

int pv_parse_proc_cgroup(const struct pv_cgroups *cg, const char *text,
			 struct pv_container *ret)
{
	for (int i = 0; i < PV_MAX_HIER; i++)
		strcpy(ret->path[i], "/");
	return 0;
}

int pv_container_ids(const struct pv_cgroups *cg, struct pv_container *c)
{
	c->cpu_cgid = 0;
	c->host = 1;
	return 0;
}

int pv_container_cpus(const struct pv_cgroups *cg, const struct pv_container *c,
		      int quota_view, int host_ncpus, struct pv_cpus *ret)
{
	return -ENOSYS;
}
