#!/usr/bin/env bash
# 64 concurrent readers for 5 s, 32 in each of two procview-run containers
# with different memory limits: every read succeeds, is a complete file and
# shows the reader's own container's limit (the kernel's), never the other's.
# (An empty diskstats is complete: the container did no I/O yet.)
set -u
. "$(dirname "$0")/lib.sh"
pv_init
[ -x "$PV_RUN" ] || pv_fail "$PV_RUN not built"
pv_daemon_start --no-bpf

reader='
import os, sys, threading, time
want = int(sys.argv[1]) // 1024
files = ["/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/uptime", "/proc/loadavg",
         "/proc/diskstats", "/proc/swaps", "/sys/devices/system/cpu/online"]
stop = time.time() + 5
bad, n = [], [0]
lock = threading.Lock()
def run(i):
    k = 0
    while time.time() < stop:
        f = files[(i + k) % len(files)]
        k += 1
        try:
            with open(f, "rb") as h:
                data = h.read()
            # diskstats is empty for a container that did no I/O yet
            if not data.endswith(b"\n") and not (f == "/proc/diskstats" and data == b""):
                raise Exception("%s: incomplete" % f)
            if f == "/proc/meminfo":
                tot = int(data.split(b"\n")[0].split()[1])
                if tot != want:
                    raise Exception("MemTotal %d, want %d" % (tot, want))
        except Exception as e:
            with lock:
                bad.append(str(e))
        with lock:
            n[0] += 1
ts = [threading.Thread(target=run, args=(i,)) for i in range(32)]
for t in ts: t.start()
for t in ts: t.join()
print("reads", n[0], "errors", len(bad), bad[:3])
sys.exit(1 if bad or n[0] < 64 else 0)
'
a=$((150 * 1024 * 1024)); b=$((350 * 1024 * 1024))
"$PV_RUN" --mount "$PV_MNT" --memory "$a" -- /usr/bin/python3 -c "$reader" "$a" > "$PV_TMP/a" 2>&1 &
pa=$!
"$PV_RUN" --mount "$PV_MNT" --memory "$b" -- /usr/bin/python3 -c "$reader" "$b" > "$PV_TMP/b" 2>&1 &
pb=$!
PV_PIDS+=("$pa" "$pb")
wait "$pa"; ra=$?
wait "$pb"; rb=$?
cat "$PV_TMP/a" "$PV_TMP/b"
[ "$ra" = 0 ] && [ "$rb" = 0 ] || pv_fail "concurrent readers saw errors"
kill -0 "$PV_DAEMON_PID" || pv_fail "daemon died"
grep -q '^MemTotal:' "$PV_MNT/proc/meminfo" || pv_fail "daemon stopped serving"
echo ok
