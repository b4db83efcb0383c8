/* SPDX-License-Identifier: GPL-2.0-only */
/* systemd readiness: the sd_notify datagram protocol ($NOTIFY_SOCKET). */
#ifndef PV_SDNOTIFY_H
#define PV_SDNOTIFY_H

/* Send @state ("READY=1", "STOPPING=1", ...). 0 when no socket is set. */
int pv_sd_notify(const char *state);

#endif
