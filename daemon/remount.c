// SPDX-License-Identifier: GPL-2.0-only
/* TEMPORARY: replaced by the restart-repair work. */
#include "remount.h"

int pv_remount_repair(const char *mountpoint) { return 0; }
