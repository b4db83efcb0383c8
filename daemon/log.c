// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

int pv_log_verbose;

void pv_log(enum pv_log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = { "error", "warning", "info", "debug" };
	char line[1024];
	va_list ap;

	if (lvl == PV_LOG_DEBUG && !pv_log_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so concurrent FUSE threads do not interleave. */
	fprintf(stderr, "procview: %s: %s\n", tag[lvl], line);
}
