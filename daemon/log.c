// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

int pv_log_verbose;
static int pv_log_syslog;   /* read and set atomically: FUSE threads log */

void pv_log_to_syslog(void)
{
	openlog("procviewd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	__atomic_store_n(&pv_log_syslog, 1, __ATOMIC_RELEASE);
}

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
	if (__atomic_load_n(&pv_log_syslog, __ATOMIC_ACQUIRE)) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

		syslog(prio[lvl], "%s: %s", tag[lvl], line);
		return;
	}
	/* One fprintf per line so concurrent FUSE threads do not interleave. */
	fprintf(stderr, "procview: %s: %s\n", tag[lvl], line);
}
