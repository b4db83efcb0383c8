// SPDX-License-Identifier: GPL-2.0-only
/* TEMPORARY: replaced by the systemd-unit work. */
#include "sdnotify.h"

int pv_sd_notify(const char *state) { return 0; }
