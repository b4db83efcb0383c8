/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Types shared by bpf/ and daemon/: map keys and values, enums and the pin
 * layout version. Self-contained: fixed-width __u32/__u64/__s64 only, no
 * pointers, long or bool; fields largest first; sizes asserted.
 */
#ifndef PROCVIEW_MAPS_H
#define PROCVIEW_MAPS_H

/* Bump on any incompatible change to a pinned map's key, value or type. */
#define PV_LAYOUT_VERSION 1

#endif
