// SPDX-License-Identifier: GPL-2.0-only
/* /sys/devices/system/cpu/online: vCPUs are numbered 0..N-1 everywhere. */
#include "cpuinfo.h"

int render_cpu_online(int n, struct buf *out)
{
	if (n <= 1)
		buf_puts(out, "0\n");
	else
		buf_printf(out, "0-%d\n", n - 1);
	return buf_error(out);
}
