/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Restart repair: find running containers whose /proc/... or /sys/... files
 * are bind mounts of a previous (now dead) procview mount at @mountpoint and
 * re-bind them from the live mount, inside each container's mount namespace.
 */
#ifndef PV_REMOUNT_H
#define PV_REMOUNT_H

/* Returns the number of bind mounts repaired, or -errno. */
int pv_remount_repair(const char *mountpoint);

#endif
