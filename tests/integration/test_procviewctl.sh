#!/usr/bin/env bash
# procviewctl against a live daemon: list/show figures compared with the
# container's own cgroup files, mounts output usable as-is, status, the
# manual remount, and clear errors once the daemon is gone.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
CTL=$PV_BUILD/procviewctl
[ -x "$CTL" ] || pv_fail "$CTL not built"
export PV_STATE_DIR=$PV_TMP/state
ctl() { "$CTL" --mount "$PV_MNT" --bpf-pin-dir "$PV_PIN" "$@"; }

pv_daemon_start

# A container: 100 MiB limit, 50% CPU quota, a CPU-bound task.
pv_cg_create c1
memdir=$(pv_cg_dir c1 memory); cpudir=$(pv_cg_dir c1 cpu)
echo $((100 * 1024 * 1024)) > "$memdir/memory.limit_in_bytes" || pv_fail "set memory limit"
echo 50000 > "$cpudir/cpu.cfs_quota_us" || pv_fail "set cpu quota"
born=$(date +%s.%N)
( pv_cg_enter c1 "$BASHPID"; exec timeout 60 sh -c 'while :; do :; done' ) &
PV_PIDS+=($!); pid=$!
sleep 0.5
acctdir=$(pv_cg_dir c1 cpuacct)
[ -f "$acctdir/cpuacct.usage" ] || pv_skip "no cgroup v1 cpuacct hierarchy (test written for hybrid/v1)"
cgpath=$(awk -F: '$2 == "cpuacct" || $2 ~ /(^|,)cpuacct(,|$)/ { print $3 }' "/proc/$pid/cgroup")

# --- list --json: one row for our container, figures from the kernel.
u0=$(cat "$acctdir/cpuacct.usage"); t0=$(date +%s.%N)
ctl list --json --interval 1 > "$PV_TMP/list.json" || pv_fail "list failed"
u1=$(cat "$acctdir/cpuacct.usage"); t1=$(date +%s.%N)
row=$(/usr/bin/python3 - "$PV_TMP/list.json" "$cgpath" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
r = [x for x in rows if x["cgroup"] == sys.argv[2]]
if len(r) != 1: sys.exit("rows for %s: %d of %d" % (sys.argv[2], len(r), len(rows)))
r = r[0]
print(r["vcpus"], r["cpu_percent"], r["mem_used_bytes"], r["mem_limit_bytes"], r["uptime_s"], r["ctxt_per_s"])
PY
) || pv_fail "list --json: $row"
read -r vcpus cpupct memused memlimit uptime ctxts <<<"$row"
quota=$(cat "$cpudir/cpu.cfs_quota_us"); period=$(cat "$cpudir/cpu.cfs_period_us")
[ "$vcpus" = $(( (quota + period - 1) / period )) ] || pv_fail "list vcpus $vcpus, quota $quota/$period"
[ "$memlimit" = "$(cat "$memdir/memory.limit_in_bytes")" ] || pv_fail "list mem limit $memlimit"
[ "$memused" -le "$memlimit" ] || pv_fail "list mem used $memused > limit"
# CPU % of one CPU against the kernel's usage counter over a window that
# contains list's own sampling interval (steady throttled load).
kpct=$(awk -v a="$u0" -v b="$u1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 / (e - s) * 100 }')
pv_near "$cpupct" "$kpct" 35 10 || pv_fail "list CPU% $cpupct, kernel $kpct"
age=$(awk -v b="$born" -v n="$(date +%s.%N)" 'BEGIN { print n - b }')
awk -v u="$uptime" -v a="$age" 'BEGIN { exit !(u >= 0 && u <= a + 2) }' || pv_fail "list uptime $uptime, cgroup age $age"
awk -v c="$ctxts" 'BEGIN { exit !(c >= 0) }' || pv_fail "ctxt/s $ctxts"
ctl list | grep -q "^$cgpath " || pv_fail "table has no row for $cgpath"
pv_log "list: vcpus $vcpus, cpu $cpupct% (kernel $kpct%), mem $memused/$memlimit, uptime $uptime"

# --- show <pid> and show <cgroup path>: the container's files.
for who in "$pid" "$cgpath"; do
	ctl show "$who" > "$PV_TMP/show" || pv_fail "show $who"
	for f in /proc/meminfo /proc/cpuinfo /proc/stat /proc/uptime /proc/loadavg \
		/sys/devices/system/cpu/online; do
		grep -qx "==> $f <==" "$PV_TMP/show" || pv_fail "show $who: no $f"
	done
	mt=$(awk '$1 == "MemTotal:" { print $2 }' "$PV_TMP/show")
	[ "$mt" = $(( $(cat "$memdir/memory.limit_in_bytes") / 1024 )) ] || pv_fail "show $who: MemTotal $mt"
	ncpu=$(grep -c '^cpu[0-9]' "$PV_TMP/show")
	[ "$ncpu" = "$vcpus" ] || pv_fail "show $who: $ncpu cpuN lines, want $vcpus"
done
ctl show "$pid" meminfo | grep -c '^==> ' | grep -qx 1 || pv_fail "show PID FILE should print one file"
ctl show 999999999 2>/dev/null && pv_fail "show of a missing pid succeeded"
ctl show /no/such/cgroup 2>/dev/null && pv_fail "show of a missing cgroup succeeded"

# --- mounts: OCI JSON parses and names every view under the mountpoint.
ctl mounts --oci | /usr/bin/python3 -c '
import json, os, sys
m = json.load(sys.stdin); mnt = sys.argv[1]
assert len(m) == 8, m
for e in m:
    assert e["type"] == "bind" and "ro" in e["options"], e
    assert e["source"] == mnt + e["destination"] and os.path.exists(e["source"]), e
' "$(realpath "$PV_MNT")" || pv_fail "mounts --oci"
[ "$(ctl mounts --docker | grep -c '^-v ')" = 8 ] || pv_fail "mounts --docker"

# --- status
ctl status > "$PV_TMP/status"; rc=$?
[ $rc -eq 0 ] || pv_fail "status rc=$rc: $(cat "$PV_TMP/status")"
grep -q "serving" "$PV_TMP/status" || pv_fail "status does not say serving"
ctl status --json | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["serving"] is True, s' ||
	pv_fail "status --json"
if [ -e "$PV_PIN/pv_meta" ]; then
	grep -q "bpf: *attached" "$PV_TMP/status" || pv_fail "pins exist but status says: $(grep bpf: "$PV_TMP/status")"
fi

# --- remount by hand: a daemon that did not repair (no history for it)
#     leaves a container with a dead view; procviewctl remount fixes it.
unshare -m --propagation private bash -c '
	mount --bind "$1/proc/uptime" /proc/uptime || exit 1
	exec sleep 60' _ "$PV_MNT" &
PV_PIDS+=($!); cpid=$!
for _ in $(seq 1 50); do grep -q ' /proc/uptime .* fuse' "/proc/$cpid/mountinfo" 2>/dev/null && break; sleep 0.05; done
kill -KILL "$PV_DAEMON_PID"; wait "$PV_DAEMON_PID" 2>/dev/null; PV_DAEMON_PID=""
PV_STATE_DIR=/proc/nonexistent pv_daemon_start     # records nothing, repairs nothing
cat "/proc/$cpid/root/proc/uptime" >/dev/null 2>&1 && pv_fail "view repaired without remount?"
out=$(ctl remount) || pv_fail "remount failed: $out"
grep -Eq 're-bound [1-9][0-9]* ' <<<"$out" || pv_fail "remount: $out"
cat "/proc/$cpid/root/proc/uptime" >/dev/null || pv_fail "view still dead after remount"

# --- daemon gone: clear errors.
pv_daemon_stop TERM
err=$(ctl list 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q 'not running' <<<"$err" || pv_fail "list without daemon: rc=$rc '$err'"
ctl status >/dev/null; [ $? -eq 3 ] || pv_fail "status without daemon should exit 3"
echo "ok: procviewctl list/show/mounts/status/remount agree with the kernel"
