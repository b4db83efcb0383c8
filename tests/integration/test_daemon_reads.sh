#!/usr/bin/env bash
# Read semantics: a handle re-read at offset 0 renders afresh, and so does
# a first read long after open; reads at
# other offsets slice the current rendering (dd bs=1 yields one consistent
# file); pread at any offset of a fresh handle works.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
pv_daemon_start --no-bpf

# One fd, offset-0 re-reads 1.2 s apart: uptime's first field must move like
# the kernel's own clock over the same window.
/usr/bin/python3 - "$PV_MNT" <<'PY' || pv_fail "offset-0 re-read"
import os, sys, time
fd = os.open(sys.argv[1] + "/proc/uptime", os.O_RDONLY)
k0 = time.clock_gettime(time.CLOCK_BOOTTIME)
a = float(os.pread(fd, 4096, 0).split()[0])
time.sleep(1.2)
b = float(os.pread(fd, 4096, 0).split()[0])
k1 = time.clock_gettime(time.CLOCK_BOOTTIME)
os.close(fd)
d, kd = b - a, k1 - k0
print("uptime delta", d, "kernel", kd)
sys.exit(0 if 1.0 <= d <= kd + 0.05 else 1)
PY

# Open renders, and the first read at offset 0 takes that rendering only
# when it comes right after the open (cat, free): a first read 0.3 s after
# open renders afresh. Another handle read at open time is the reference.
/usr/bin/python3 - "$PV_MNT" <<'PY' || pv_fail "first read long after open served the open's rendering"
import os, sys, time
f = sys.argv[1] + "/proc/uptime"
fd = os.open(f, os.O_RDONLY)
with open(f, "rb") as h:
    at_open = float(h.read().split()[0])
k0 = time.clock_gettime(time.CLOCK_BOOTTIME)
time.sleep(0.3)
first = float(os.pread(fd, 4096, 0).split()[0])
kd = time.clock_gettime(time.CLOCK_BOOTTIME) - k0
os.close(fd)
print("first read 0.3 s after open:", first - at_open, "s after the open's figure; kernel", kd)
sys.exit(0 if 0.25 <= first - at_open <= kd + 0.05 else 1)
PY

# The shape of a rendering: numbers may move between two reads, and with
# them the kernel-style padding before a right-aligned figure.
shape() { sed 's/[0-9.]\+/N/g; s/[[:space:]]\+/ /g' "$@"; }

# dd bs=1 on every file: one complete, well-formed rendering.
for f in proc/meminfo proc/cpuinfo proc/stat proc/uptime proc/loadavg proc/diskstats proc/swaps sys/devices/system/cpu/online; do
	dd if="$PV_MNT/$f" of="$PV_TMP/dd" bs=1 status=none || pv_fail "dd bs=1 $f"
	cat "$PV_MNT/$f" > "$PV_TMP/full" || pv_fail "cat $f"
	[ -s "$PV_TMP/dd" ] || pv_fail "dd bs=1 $f: empty"
	[ "$(tail -c1 "$PV_TMP/dd" | od -An -c | tr -d ' ')" = '\n' ] || pv_fail "dd bs=1 $f: not ending in a newline"
	# Same lines in the same order; numbers may move between the two reads.
	diff <(shape "$PV_TMP/dd") <(shape "$PV_TMP/full") >/dev/null ||
		pv_fail "dd bs=1 $f differs in shape from a full read"
done
# meminfo read byte by byte must be one rendering: the key lines appear once each.
dd if="$PV_MNT/proc/meminfo" bs=1 status=none | awk -F: '{ n[$1]++ } END { for (k in n) if (n[k] != 1) exit 1 }' ||
	pv_fail "dd bs=1 meminfo repeats lines"

# pread at offset 100 of a fresh handle; the served cpuinfo is the host's
# shape, compare with a full read taken around it (retry if a MHz moved).
ok=0
for _ in 1 2 3; do
	/usr/bin/python3 - "$PV_MNT" <<'PY' && { ok=1; break; }
import os, sys
f = sys.argv[1] + "/proc/cpuinfo"
with open(f, "rb") as h:
    full = h.read()
fd = os.open(f, os.O_RDONLY)
part = os.pread(fd, 64, 100)
os.close(fd)
sys.exit(0 if len(full) > 164 and part == full[100:164] else 1)
PY
done
[ "$ok" = 1 ] || pv_fail "pread at offset 100 of a fresh handle differs from the file's bytes 100..163"
# sendfile(2)/splice (busybox cat, every Alpine container) and tools that
# trust st_size (wc -c, tail) get the whole file, like read(2).
for f in proc/meminfo proc/cpuinfo proc/stat proc/uptime proc/loadavg proc/swaps sys/devices/system/cpu/online; do
	full=$(cat "$PV_MNT/$f" | shape | md5sum)
	if command -v busybox >/dev/null; then
		got=$(busybox cat "$PV_MNT/$f" | shape | md5sum)
		[ "$got" = "$full" ] || pv_fail "busybox cat (sendfile) $f differs from cat"
	fi
	got=$(/usr/bin/python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
out = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
while os.sendfile(out, fd, None, 1 << 20) > 0:
    pass
' "$PV_MNT/$f" "$PV_TMP/sf" && shape "$PV_TMP/sf" | md5sum)
	[ "$got" = "$full" ] || pv_fail "sendfile $f differs from cat"
	[ "$(wc -c < "$PV_MNT/$f")" -ge 2 ] || pv_fail "wc -c $f"
	[ "$(tail -n 1 "$PV_MNT/$f" | shape)" = "$(cat "$PV_MNT/$f" | tail -n 1 | shape)" ] ||
		pv_fail "tail $f differs from the file's last line"
done

# Past the end: 0 bytes, no error.
/usr/bin/python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); sys.exit(0 if os.pread(fd, 10, 1 << 20) == b"" else 1)' \
	"$PV_MNT/proc/uptime" || pv_fail "pread past the end"
echo ok
