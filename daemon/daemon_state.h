/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a serving procviewd publishes about itself, for procviewctl status:
 * one small key=value file per mountpoint in the state directory
 * ($PV_STATE_DIR or /run/procview), next to the restart-repair history:
 *
 *   <state dir>/mounts/<mountpoint name>-<hash>.state
 *
 * It is written once the daemon is ready (mount serving, containers
 * repaired), by an atomic rename. A crashed daemon leaves it behind, so a
 * reader trusts it only when the mount at that mountpoint is the device it
 * names and the pid is alive with the same start time; otherwise it is
 * stale. Asking the daemon beats guessing from process names and open fds.
 */
#ifndef PV_DAEMON_STATE_H
#define PV_DAEMON_STATE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

struct pv_dstate {
	int pid;
	unsigned long long starttime; /* field 22 of /proc/<pid>/stat (pid reuse guard) */
	unsigned int major, minor;    /* device of the live FUSE mount */
	int bpf;                      /* 1: BPF accounting attached; 0: degraded */
	int loadavg;                  /* 1: the load-average sampler runs */
	int repaired;                 /* container binds re-bound at start-up */
	char mountpoint[PATH_MAX];
	char pin_dir[PATH_MAX];
};

/* $PV_STATE_DIR when set and not empty, else PV_REMOUNT_STATE_DIR. */
const char *pv_dstate_dir(void);

/* The state file of @mountpoint below @state_dir. 0 or -ENAMETOOLONG. */
int pv_dstate_path(const char *state_dir, const char *mountpoint, char *dst, size_t cap);

/* Text of @s (pure). 0 or -errno of the buffer. */
int pv_dstate_format(const struct pv_dstate *s, struct buf *out);

/*
 * Parse a state file's text (pure). Unknown keys are ignored (a newer
 * daemon may add some); pid, starttime, dev and bpf are required.
 * 0 or -EINVAL; @ret is written only on success.
 */
int pv_dstate_parse(const char *text, struct pv_dstate *ret);

/* Write @s for its mountpoint below @state_dir (mkdir -p, tmp + rename). */
int pv_dstate_publish(const char *state_dir, const struct pv_dstate *s);

/* Read and parse the state file of @mountpoint. 0, -ENOENT or -errno. */
int pv_dstate_load(const char *state_dir, const char *mountpoint, struct pv_dstate *ret);

/* The calling daemon's own state (pid and start time filled in), published. */
int pv_dstate_publish_self(const char *state_dir, const char *mountpoint, dev_t dev,
			   const char *pin_dir, int bpf, int loadavg, int repaired);

/* Start time of @pid (field 22 of /proc/<pid>/stat, clock ticks since boot). */
int pv_dstate_starttime(const char *proc, pid_t pid, unsigned long long *ret);

#endif
