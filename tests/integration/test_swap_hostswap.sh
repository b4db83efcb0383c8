#!/usr/bin/env bash
# slow
# SPDX-License-Identifier: GPL-2.0-only
# Swap figures when the host has swap: a temporary 64 MiB swap file is
# enabled for the test (and removed by the EXIT trap). A container limited
# to 100 MiB memory + 32 MiB swap (v1 memsw 132 MiB, v2 swap.max 32 MiB)
# sees SwapTotal 32768 kB and /proc/swaps lines adding up to it; one
# without a swap limit sees the host's SwapTotal; swap.max 0 / memsw ==
# memory sees none. Marked slow: it changes the host's swap for a moment.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mem_lib.sh"
pv_init
command -v swapon >/dev/null && command -v mkswap >/dev/null || pv_skip "no swapon/mkswap"

SWAPFILE=$PV_TMP/swapfile
swap_cleanup() { local rc=$?; swapoff "$SWAPFILE" 2>/dev/null; (exit "$rc"); pv_cleanup; }  # keep the exit status
trap swap_cleanup EXIT
dd if=/dev/zero of="$SWAPFILE" bs=1M count=64 status=none && chmod 600 "$SWAPFILE" &&
	mkswap -q "$SWAPFILE" >/dev/null 2>&1 || pv_skip "cannot make a swap file in $PV_TMP"
swapon "$SWAPFILE" 2>/dev/null || pv_skip "swapon refused (filesystem or container without swap support)"
pv_daemon_start

host_swap=$(pvm_kb "$(cat /proc/meminfo)" SwapTotal)
[ "$host_swap" -gt 0 ] || pv_fail "host SwapTotal still 0 after swapon"
memfield=$(pvm_field memory)

pv_cg_create lim
d=$(pvm_dir lim memory)
if [ -n "$memfield" ]; then
	[ -f "$d/memory.memsw.limit_in_bytes" ] || pv_skip "kernel without v1 swap accounting"
	echo $((100 << 20)) > "$d/memory.limit_in_bytes" && echo $((132 << 20)) > "$d/memory.memsw.limit_in_bytes" ||
		pv_fail "set memsw"
	allowed=$(( ($(cat "$d/memory.memsw.limit_in_bytes") - $(cat "$d/memory.limit_in_bytes")) / 1024 ))
else
	[ -f "$d/memory.swap.max" ] || pv_skip "kernel without v2 swap accounting"
	echo $((100 << 20)) > "$d/memory.max" && echo $((32 << 20)) > "$d/memory.swap.max" || pv_fail "set swap.max"
	allowed=$(( $(cat "$d/memory.swap.max") / 1024 ))
fi
want=$(( allowed < host_swap ? allowed : host_swap ))
mi=$(pvm_in lim cat "$PV_MNT/proc/meminfo")
sw=$(pvm_in lim cat "$PV_MNT/proc/swaps")
[ "$(pvm_kb "$mi" SwapTotal)" = "$want" ] || pv_fail "SwapTotal $(pvm_kb "$mi" SwapTotal), want $want"
sum=$(awk 'NR > 1 { s += $3 } END { print s + 0 }' <<<"$sw")
[ "$sum" = "$want" ] || pv_fail "swaps sizes add to $sum, want $want: $sw"
grep -q "^$SWAPFILE " <<<"$sw" || pv_fail "host swap file not listed: $sw"
free_sw=$(pvm_in_bound lim free -k | awk '/^Swap:/ { print $2 }')
[ "$free_sw" = "$want" ] || pv_fail "free: swap total $free_sw, want $want"

pv_cg_create open
mi=$(pvm_in open cat "$PV_MNT/proc/meminfo")
[ "$(pvm_kb "$mi" SwapTotal)" = "$host_swap" ] || pv_fail "no swap limit: SwapTotal $(pvm_kb "$mi" SwapTotal), host $host_swap"

pv_cg_create none
d=$(pvm_dir none memory)
if [ -n "$memfield" ]; then
	echo $((50 << 20)) > "$d/memory.limit_in_bytes" && echo $((50 << 20)) > "$d/memory.memsw.limit_in_bytes"
else
	echo 0 > "$d/memory.swap.max"
fi || pv_fail "forbid swap"
mi=$(pvm_in none cat "$PV_MNT/proc/meminfo")
[ "$(pvm_kb "$mi" SwapTotal)" = 0 ] || pv_fail "swap forbidden: SwapTotal $(pvm_kb "$mi" SwapTotal)"
[ "$(pvm_in none cat "$PV_MNT/proc/swaps" | wc -l)" = 1 ] || pv_fail "swap forbidden: swaps lists devices"
echo "ok: swap with host swap (limited $want kB, unlimited = host $host_swap kB, forbidden 0)"
