// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/uptime: "AGE IDLE\n" in seconds with two decimals, truncated like
 * the kernel's own (it prints whole seconds and centiseconds, no rounding).
 */
#include "cpustat.h"

int render_uptime(const struct uptime_view *v, struct buf *out)
{
	buf_printf(out, "%llu.%02llu %llu.%02llu\n",
		   (unsigned long long)(v->uptime_cs / 100), (unsigned long long)(v->uptime_cs % 100),
		   (unsigned long long)(v->idle_cs / 100), (unsigned long long)(v->idle_cs % 100));
	return buf_error(out);
}
