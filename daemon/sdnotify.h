/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * systemd readiness: the sd_notify datagram protocol, implemented here in a
 * few lines instead of linking libsystemd (one more runtime dependency for
 * one sendmsg). $NOTIFY_SOCKET names an AF_UNIX datagram socket: a path
 * ("/run/systemd/notify") or, with a leading '@', an abstract name. The
 * message is the state text ("READY=1\n" lines), sent as one datagram.
 */
#ifndef PV_SDNOTIFY_H
#define PV_SDNOTIFY_H

/*
 * Send @state ("READY=1", "STOPPING=1", "STATUS=...") to $NOTIFY_SOCKET.
 * Returns 1 when sent, 0 when no socket is set (not run by systemd), or
 * -errno (-EAFNOSUPPORT for an address form we do not speak, e.g. vsock).
 */
int pv_sd_notify(const char *state);

/* Same, to the socket address @addr (the $NOTIFY_SOCKET syntax). */
int pv_sd_notify_to(const char *addr, const char *state);

#endif
