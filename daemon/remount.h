/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Restart repair: find running containers whose /proc/... or /sys/... files
 * are bind mounts of a previous (now dead) procview mount at @mountpoint and
 * re-bind them from the live mount, inside each container's mount namespace.
 *
 * "Previous mount at @mountpoint" is decided by device number: every FUSE
 * mount gets its own anonymous st_dev, and every repair run records the live
 * one in a small history file (PV_REMOUNT_STATE_DIR or $PV_STATE_DIR, one
 * file per mountpoint). A bind is repaired when its fs is procview's, its
 * device is in that history but is not the live one, and it is dead (statfs
 * fails with ENOTCONN). So several procviewd instances on one host (tests,
 * different mountpoints) never take over each other's containers, and a
 * device number reused by someone else's live mount is left alone.
 *
 * Mechanism: the file is cloned from the live mount in our namespace
 * (open_tree(OPEN_TREE_CLONE) gives a detached mount), then a forked child
 * (setns(CLONE_NEWNS) is refused to multithreaded callers) enters the
 * container's mount namespace and root, lazily detaches the dead mount and
 * move_mount()s the clone onto the same path, with the old per-mount flags
 * (ro, nosuid, nodev, noexec) applied before it becomes visible.
 */
#ifndef PV_REMOUNT_H
#define PV_REMOUNT_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define PV_REMOUNT_STATE_DIR "/run/procview"

/*
 * Find the stale binds and re-bind them; returns once every namespace is
 * done (or timed out), so a daemon that calls it before READY=1 is ready
 * only when its containers are. The live mount must be served already (the
 * clones look files of it up): the daemon calls it from a thread once its
 * FUSE loop answers. Namespaces are repaired in parallel. Returns the
 * number of binds repaired, 0 when none, or -errno (-ENOTCONN: no procview
 * mount at @mountpoint in our namespace).
 */
int pv_remount_repair(const char *mountpoint);

/* The same (procviewctl remount: the mount is served by another process). */
int pv_remount_repair_sync(const char *mountpoint);

/* mkdir -p @dir (mode 0755). 0 or -errno. */
int pv_mkdir_p(const char *dir);

/* One mountinfo line, split in place (escapes like \040 decoded). */
struct pv_mnt {
	int id, parent;
	unsigned int major, minor;
	char *root;        /* path inside the filesystem ("/proc/meminfo") */
	char *target;      /* mount point, relative to the reader's root */
	char *opts;        /* per-mount options: "ro,nosuid,..." */
	char *fstype;      /* "fuse.procviewd" */
	char *source;
};

/* Parse @line (modified in place, no newline). 0 or -EINVAL. */
int pv_mnt_parse(char *line, struct pv_mnt *ret);

/* True for a mount of procview's FUSE filesystem (any fsname/subtype
   naming procview). */
int pv_mnt_is_procview(const struct pv_mnt *m);

/* MOUNT_ATTR_RDONLY/NOSUID/NODEV/NOEXEC from a per-mount option string. */
unsigned int pv_mnt_attr(const char *opts);

/* History of device numbers served at a mountpoint (see above). */
int pv_remount_history_path(const char *state_dir, const char *mountpoint,
			    char *dst, size_t cap);
/* Up to @max devices, oldest first; returns the count (0 when no file). */
int pv_remount_history_load(const char *path, dev_t *devs, int max);
/* Add @dev unless present; keeps the newest PV_REMOUNT_HISTORY entries. */
#define PV_REMOUNT_HISTORY 32
int pv_remount_history_add(const char *path, dev_t dev);

/*
 * Bind files of the live mount into the mount namespace and root of @pid
 * (0: our own):
 * each b[i].src (absolute, in our namespace) is cloned and attached on
 * b[i].dst (absolute, as @pid sees its root). With b[i].replace the mount
 * currently on dst is lazily detached first. b[i].result gets 0 or -errno.
 * Returns the number attached or -errno when the namespace could not be
 * entered. Used by the repair, procviewctl and the OCI hook.
 */
struct pv_nsbind {
	char src[PATH_MAX];
	char dst[PATH_MAX];
	unsigned int attr;   /* MOUNT_ATTR_* to apply to the clone */
	int replace;
	int result;
};
int pv_ns_bind(pid_t pid, struct pv_nsbind *b, size_t n);

#endif
