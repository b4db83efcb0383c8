// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "fdcache.h"
#include "vfile.h"

int pv_produce_host_file(const struct pv_env *env, const char *name, struct buf *out)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", env->proc, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return pv_fdcache_read_buf(AT_FDCWD, path, out);
}
