#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# /proc/diskstats of a container shows its own I/O: after direct-I/O writes
# and reads on the disk holding $PV_TMP, the disk's line carries exactly the
# kernel's per-cgroup counters (v1 blkio throttle files, v2 io.stat), and
# a container without I/O sees no device lines.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mem_lib.sh"
pv_init
pv_daemon_start

iof=$(pvm_field blkio)
pvm_tmp_disk
dev=$PVM_DISK majmin=$PVM_MAJMIN
maj=${majmin%:*} min=${majmin#*:}

pv_cg_create io
d=$(pvm_dir io blkio)
if [ -n "$iof" ]; then
	# v1 fills the throttle counters only for devices with a rule: a
	# rule nobody reaches (100 GB/s) turns accounting on.
	echo "$majmin 100000000000" > "$d/blkio.throttle.write_bps_device" || pv_fail "blkio rule"
	echo "$majmin 100000000000" > "$d/blkio.throttle.read_bps_device" || pv_fail "blkio rule"
else
	[ -f "$d/io.stat" ] || pv_skip "no io controller in the unified hierarchy"
fi

# psutil reads /proc/diskstats too: its per-disk bytes are sectors * 512.
PSUTIL_CHECK='import psutil, sys
d = psutil.disk_io_counters(perdisk=True).get(sys.argv[1])
print(d.read_count, d.read_bytes, d.write_count, d.write_bytes) if d else print("none")'
ds=$(pvm_in io sh -c '
	dd if=/dev/zero of="$1/io.dat" bs=1M count=8 oflag=direct status=none &&
	dd if="$1/io.dat" of=/dev/null bs=1M iflag=direct status=none &&
	cat "$2/proc/diskstats"' sh "$PV_TMP" "$PV_MNT") || pv_fail "I/O in container failed"
rm -f "$PV_TMP/io.dat"

# Ground truth, read after the container's processes are gone.
if [ -n "$iof" ]; then
	kb=$(cat "$d/blkio.throttle.io_service_bytes_recursive")
	ki=$(cat "$d/blkio.throttle.io_serviced_recursive")
	rbytes=$(awk -v m="$majmin" '$1 == m && $2 == "Read" { print $3 }' <<<"$kb")
	wbytes=$(awk -v m="$majmin" '$1 == m && $2 == "Write" { print $3 }' <<<"$kb")
	rios=$(awk -v m="$majmin" '$1 == m && $2 == "Read" { print $3 }' <<<"$ki")
	wios=$(awk -v m="$majmin" '$1 == m && $2 == "Write" { print $3 }' <<<"$ki")
else
	line=$(grep "^$majmin " "$d/io.stat")
	get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
	rbytes=$(get rbytes) wbytes=$(get wbytes) rios=$(get rios) wios=$(get wios)
fi
pv_log "kernel: $majmin rbytes=$rbytes wbytes=$wbytes rios=$rios wios=$wios"
[ "${wbytes:-0}" -ge $((8 << 20)) ] || pv_fail "kernel counted only ${wbytes:-0} written bytes"

line=$(awk -v a="$maj" -v b="$min" '$1 == a && $2 == b' <<<"$ds")
[ -n "$line" ] || pv_fail "no line for $majmin in container diskstats: $ds"
read -r _ _ _ c_rios _ c_rsec _ c_wios _ c_wsec _ <<<"$line"
[ "$c_rios" = "$rios" ] || pv_fail "reads completed $c_rios, kernel $rios"
[ "$c_rsec" = $((rbytes / 512)) ] || pv_fail "sectors read $c_rsec, kernel $((rbytes / 512))"
[ "$c_wios" = "$wios" ] || pv_fail "writes completed $c_wios, kernel $wios"
[ "$c_wsec" = $((wbytes / 512)) ] || pv_fail "sectors written $c_wsec, kernel $((wbytes / 512))"
hostcols=$(awk -v a="$maj" -v b="$min" '$1 == a && $2 == b { print NF }' /proc/diskstats)
[ "$(awk '{ print NF }' <<<"$line")" = "$hostcols" ] || pv_fail "column count differs from host's"

if [ -n "$iof" ]; then
	# no further I/O: a fresh reader in the same cgroup sees the same figures
	ps=$(pvm_in_bound io /usr/bin/python3 -c "$PSUTIL_CHECK" "$(basename "$dev")")
	[ "$ps" = "$rios $rbytes $wios $wbytes" ] || [ "$ps" = "$rios $((rbytes / 512 * 512)) $wios $((wbytes / 512 * 512))" ] ||
		pv_log "psutil sees '$ps' (kernel now $rios $rbytes $wios $wbytes; python itself may have read from disk)"
	[ "$ps" != none ] || pv_fail "psutil sees no $(basename "$dev") in the container's diskstats"
fi

# Every device line shown is one the container did I/O on.
others=$(awk -v a="$maj" -v b="$min" '!($1 == a && $2 == b)' <<<"$ds")
if [ -n "$iof" ]; then
	[ -z "$others" ] || pv_fail "devices without container I/O shown: $others"
	pv_cg_create idle
	idle=$(pvm_in idle cat "$PV_MNT/proc/diskstats")
	[ -z "$idle" ] || pv_fail "container without I/O sees: $idle"
fi
echo "ok: diskstats shows the container's own I/O on $majmin"
