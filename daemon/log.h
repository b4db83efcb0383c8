/* SPDX-License-Identifier: GPL-2.0-only */
/* One logger for the daemon and tools: stderr (or syslog once a detached
 * daemon has let go of its terminal), with a debug switch. */
#ifndef PV_LOG_H
#define PV_LOG_H

enum pv_log_level { PV_LOG_ERR, PV_LOG_WARN, PV_LOG_INFO, PV_LOG_DEBUG };

extern int pv_log_verbose;    /* 1 with -d */

/* From now on log to syslog (daemon facility, ident "procviewd"). */
void pv_log_to_syslog(void);

void pv_log(enum pv_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pv_err(...)   pv_log(PV_LOG_ERR, __VA_ARGS__)
#define pv_warn(...)  pv_log(PV_LOG_WARN, __VA_ARGS__)
#define pv_info(...)  pv_log(PV_LOG_INFO, __VA_ARGS__)
#define pv_debug(...) pv_log(PV_LOG_DEBUG, __VA_ARGS__)

#endif
