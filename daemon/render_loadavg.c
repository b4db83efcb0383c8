// SPDX-License-Identifier: GPL-2.0-only
/* /proc/loadavg text from a loadavg_view; no I/O. */
#include "calc_load.h"
#include "loadavg.h"

int render_loadavg(const struct loadavg_view *v, struct buf *out)
{
	unsigned long li[3], lf[3];
	int i;

	for (i = 0; i < 3; i++)
		pv_load_print_parts(v->avenrun[i], &li[i], &lf[i]);
	buf_printf(out, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %d\n",
		   li[0], lf[0], li[1], lf[1], li[2], lf[2],
		   v->nr_running, v->nr_threads, v->last_pid);
	return buf_error(out);
}
