#!/usr/bin/env bash
# procviewctl against a live daemon. A busy container (more than 20
# processes: its cgroup.procs is kilobytes long) with a memory limit, a CPU
# quota and a one-CPU cpuset:
#  - list: its row is there, each column against the kernel (memory.limit /
#    usage / anon, cpuset and quota, cpuacct usage, cgroup age, load, ctxt);
#  - show <pid> and show <cgroup path>: the same files a process inside
#    reads through the mount (MemTotal = the kernel limit, vCPU count);
#  - procviewctl leaves the pinned BPF state alone even when the pins say
#    they came from another build (link ids, program ids, pv_meta bytes);
#  - mounts, status (ok, and degraded for a --no-bpf daemon), remount by
#    hand, clear errors once the daemon is gone.
# Works on cgroup v1/hybrid (memory.limit_in_bytes, cpuacct) and v2
# (memory.max, cpu.stat) when the controllers are available.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
CTL=$PV_BUILD/procviewctl
[ -x "$CTL" ] || pv_fail "$CTL not built"
BPFTOOL=$(command -v bpftool || true)
ctl() { "$CTL" --mount "$PV_MNT" --bpf-pin-dir "$PV_PIN" "$@"; }

# --- the container's cgroup and which files hold the kernel's figures.
t_before=$(date +%s.%N)
pv_cg_create c1
t_after=$(date +%s.%N)
v2dir=$(pv_cg_dir c1 '')
memdir=$(pv_cg_dir c1 memory)
if [ -f "$memdir/memory.limit_in_bytes" ]; then
	MEM_LIMIT=$memdir/memory.limit_in_bytes MEM_USAGE=$memdir/memory.usage_in_bytes
	MEM_STAT=$memdir/memory.stat ANON_KEY=total_rss
elif [ -f "$v2dir/memory.max" ]; then
	MEM_LIMIT=$v2dir/memory.max MEM_USAGE=$v2dir/memory.current
	MEM_STAT=$v2dir/memory.stat ANON_KEY=anon
else
	pv_skip "no memory controller for the test cgroup (v1 memory or v2 memory.max)"
fi
cpudir=$(pv_cg_dir c1 cpu)
if [ -f "$cpudir/cpu.cfs_quota_us" ]; then
	echo 150000 > "$cpudir/cpu.cfs_quota_us" || pv_fail "set cpu.cfs_quota_us"
	quota=$(cat "$cpudir/cpu.cfs_quota_us"); period=$(cat "$cpudir/cpu.cfs_period_us")
elif [ -f "$v2dir/cpu.max" ]; then
	echo "150000 100000" > "$v2dir/cpu.max" || pv_fail "set cpu.max"
	read -r quota period < "$v2dir/cpu.max"
else
	pv_skip "no cpu controller for the test cgroup (v1 cpu or v2 cpu.max)"
fi
acctdir=$(pv_cg_dir c1 cpuacct)
if [ -f "$acctdir/cpuacct.usage" ]; then
	usage_ns() { cat "$acctdir/cpuacct.usage"; }
else
	usage_ns() { awk '$1 == "usage_usec" { print $2 * 1000 }' "$v2dir/cpu.stat"; }
fi
echo $((100 * 1024 * 1024)) > "$MEM_LIMIT" || pv_fail "set $MEM_LIMIT"
# One CPU of the cpuset when the host has several: the vCPU count must
# then come from the cpuset (1), not from the quota (2) or the host.
setdir=$(pv_cg_dir c1 cpuset); [ -f "$setdir/cpuset.cpus" ] || setdir=$v2dir
if [ -f "$setdir/cpuset.cpus" ]; then
	first=$(sed 's/[-,].*//' "$setdir/cpuset.cpus")
	[ -n "$first" ] && echo "$first" > "$setdir/cpuset.cpus" 2>/dev/null
fi
# CPUs in a list like "0-3,6".
ncpus_of() { awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-");
	n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }' <<<"$1"; }
if [ -f "$setdir/cpuset.effective_cpus" ]; then cpuset=$(cat "$setdir/cpuset.effective_cpus")
elif [ -f "$setdir/cpuset.cpus.effective" ]; then cpuset=$(cat "$setdir/cpuset.cpus.effective")
else cpuset=$(cat /sys/devices/system/cpu/online); fi
want_vcpus=$(( (quota + period - 1) / period ))
[ "$(ncpus_of "$cpuset")" -lt "$want_vcpus" ] && want_vcpus=$(ncpus_of "$cpuset")

pv_daemon_start

# --- a busy container: a CPU hog, a 40 MiB anon holder, a forking loop and
#     20 sleepers.
# Run in the background (in_c1 CMD &) or in a subshell ((in_c1 CMD)): the
# process that enters the cgroup is the one exec'd, so $! is its pid.
in_c1() { pv_cg_enter c1 "$BASHPID"; exec "$@"; }
in_c1 timeout 120 sh -c 'while :; do :; done' & PV_PIDS+=($!); pid=$!
in_c1 timeout 120 /usr/bin/python3 -c '
import time
b = bytearray(40 << 20)
for i in range(0, len(b), 4096): b[i] = 1
time.sleep(300)' & PV_PIDS+=($!)
in_c1 timeout 120 sh -c 'while :; do sleep 0.02; done' & PV_PIDS+=($!)
for _ in $(seq 1 20); do in_c1 sleep 120 & PV_PIDS+=($!); done
procs_file=$( [ -f "$acctdir/cgroup.procs" ] && echo "$acctdir/cgroup.procs" || echo "$v2dir/cgroup.procs")
for _ in $(seq 1 50); do [ "$(wc -l < "$procs_file")" -ge 23 ] && break; sleep 0.1; done
nprocs=$(wc -l < "$procs_file")
[ "$nprocs" -ge 23 ] || pv_fail "container has $nprocs processes, want >= 23"
[ "$(wc -c < "$procs_file")" -gt 64 ] || pv_fail "cgroup.procs not longer than 64 bytes"
cgpath=$(awk -F: '$2 ~ /(^|,)cpuacct(,|$)/ { print $3; exit }' "/proc/$pid/cgroup")
[ -n "$cgpath" ] || cgpath=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")

# What a process inside reads through the mount (its own container).
(in_c1 cat "$PV_MNT/proc/meminfo") > "$PV_TMP/in.meminfo" || pv_fail "read meminfo inside"
(in_c1 cat "$PV_MNT/proc/stat") > "$PV_TMP/in.stat" || pv_fail "read stat inside"
(in_c1 cat "$PV_MNT/sys/devices/system/cpu/online") > "$PV_TMP/in.online" || pv_fail "read online inside"
in_mt=$(awk '$1 == "MemTotal:" { print $2 }' "$PV_TMP/in.meminfo")
in_ncpu=$(grep -c '^cpu[0-9]' "$PV_TMP/in.stat")
limit=$(cat "$MEM_LIMIT")
[ "$in_mt" = $((limit / 1024)) ] || pv_fail "inside: MemTotal $in_mt, kernel limit $((limit / 1024)) kB"
[ "$in_ncpu" = "$want_vcpus" ] || pv_fail "inside: $in_ncpu vCPUs, cpuset '$cpuset' quota $quota/$period give $want_vcpus"

# The load sampler runs every 5 s: wait until it has seen the busy task.
for _ in $(seq 1 30); do
	l=$(ctl show "$pid" loadavg | awk 'NR == 3 { print $1 }')
	awk -v l="${l:-0}" 'BEGIN { exit !(l > 0) }' && break
	sleep 0.5
done

# --- BPF state before procviewctl runs; make the pins look like another
#     build's (pv_meta.prog_hash), the case in which pv_bpf_open relinks.
snapshot() {
	local l
	for l in link_runtime link_fork link_mkdir link_rmdir; do
		"$BPFTOOL" -j link show pinned "$PV_PIN/$l" | /usr/bin/python3 -c \
			'import json,sys; l=json.load(sys.stdin); print(sys.argv[1], l["id"], l["prog_id"])' "$l"
	done
	"$BPFTOOL" -j map lookup pinned "$PV_PIN/pv_meta" key hex 00 00 00 00 |
		/usr/bin/python3 -c 'import json,sys; print("meta", " ".join(json.load(sys.stdin)["value"]))'
}
if [ -n "$BPFTOOL" ] && [ -e "$PV_PIN/link_runtime" ]; then
	meta=$("$BPFTOOL" -j map lookup pinned "$PV_PIN/pv_meta" key hex 00 00 00 00 |
		/usr/bin/python3 -c 'import json,sys; print(" ".join(x[2:] for x in json.load(sys.stdin)["value"]))')
	read -ra mb <<<"$meta"
	mb[16]=$(printf '%02x' $(( 0x${mb[16]} ^ 0xff )))    # first byte of prog_hash
	"$BPFTOOL" map update pinned "$PV_PIN/pv_meta" key hex 00 00 00 00 value hex "${mb[@]}" ||
		pv_fail "bpftool map update pv_meta"
	snapshot > "$PV_TMP/bpf.before" || pv_fail "bpftool snapshot"
fi

# --- list --json: our row, each column against the kernel.
u0=$(usage_ns); t0=$(date +%s.%N)
anon=$(awk -v k="$ANON_KEY" '$1 == k { print $2 }' "$MEM_STAT")
use0=$(cat "$MEM_USAGE")
ctl list --json --interval 1 > "$PV_TMP/list.json" || pv_fail "list failed"
use1=$(cat "$MEM_USAGE")
u1=$(usage_ns); t1=$(date +%s.%N)
row=$(/usr/bin/python3 - "$PV_TMP/list.json" "$cgpath" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
r = [x for x in rows if x["cgroup"] == sys.argv[2]]
if len(r) != 1: sys.exit("rows for %s: %d of %d" % (sys.argv[2], len(r), len(rows)))
r = r[0]
print(r["vcpus"], r["cpu_percent"], r["mem_used_bytes"], r["mem_limit_bytes"], r["uptime_s"],
      r["ctxt_per_s"], "nan" if r["load1"] is None else r["load1"])
PY
) || pv_fail "list --json (a busy container must have its row): $row"
read -r vcpus cpupct memused memlimit uptime ctxts load1 <<<"$row"
[ "$vcpus" = "$want_vcpus" ] || pv_fail "list vcpus $vcpus, cpuset '$cpuset' quota $quota/$period give $want_vcpus"
[ "$memlimit" = "$limit" ] || pv_fail "list mem limit $memlimit, kernel $limit"
# used = usage minus reclaimable cache: at least the anon memory, at most usage.
maxuse=$(( use0 > use1 ? use0 : use1 ))
[ "$memused" -ge $((anon * 9 / 10)) ] && [ "$memused" -ge $((40 << 20)) ] ||
	pv_fail "list mem used $memused < anon $anon (40 MiB held)"
[ "$memused" -le $((maxuse + (1 << 20))) ] || pv_fail "list mem used $memused > usage $maxuse"
kpct=$(awk -v a="$u0" -v b="$u1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 / (e - s) * 100 }')
pv_near "$cpupct" "$kpct" 35 10 || pv_fail "list CPU% $cpupct, kernel $kpct"
# uptime: sampled between list's start + interval and its end.
awk -v u="$uptime" -v lo="$(awk -v a="$t0" -v b="$t_after" 'BEGIN { print a + 1 - b }')" \
	-v hi="$(awk -v a="$t1" -v b="$t_before" 'BEGIN { print a - b }')" \
	'BEGIN { exit !(u >= lo - 1.5 && u <= hi + 1.5) }' ||
	pv_fail "list uptime $uptime, cgroup age $(awk -v a="$t1" -v b="$t_before" 'BEGIN { print a - b }') s"
awk -v c="$ctxts" 'BEGIN { exit !(c > 0) }' || pv_fail "ctxt/s $ctxts for a busy container"
awk -v l="$load1" -v n="$nprocs" 'BEGIN { exit !(l > 0 && l <= n) }' ||
	pv_fail "load1 $load1 (busy container of $nprocs processes)"
ctl list | grep -q "^$cgpath " || pv_fail "table has no row for $cgpath"
pv_log "list: $nprocs processes, vcpus $vcpus, cpu $cpupct% (kernel $kpct%), mem used $memused (anon $anon, usage $maxuse), limit $memlimit, uptime $uptime s, load1 $load1, ctxt/s $ctxts"

# --- show <pid> and show <cgroup path>: what a process inside reads.
for who in "$pid" "$cgpath"; do
	ctl show "$who" > "$PV_TMP/show" || pv_fail "show $who"
	for f in /proc/meminfo /proc/cpuinfo /proc/stat /proc/uptime /proc/loadavg \
		/sys/devices/system/cpu/online; do
		grep -qx "==> $f <==" "$PV_TMP/show" || pv_fail "show $who: no $f"
	done
	mt=$(awk '$1 == "MemTotal:" { print $2 }' "$PV_TMP/show")
	[ "$mt" = "$in_mt" ] || pv_fail "show $who: MemTotal $mt, inside reads $in_mt (kernel limit $((limit / 1024)))"
	ncpu=$(grep -c '^cpu[0-9]' "$PV_TMP/show")
	[ "$ncpu" = "$in_ncpu" ] || pv_fail "show $who: $ncpu cpuN lines, inside reads $in_ncpu"
	online=$(sed -n '/^==> \/sys\/devices\/system\/cpu\/online <==$/{n;p}' "$PV_TMP/show")
	[ "$online" = "$(cat "$PV_TMP/in.online")" ] || pv_fail "show $who: online '$online', inside '$(cat "$PV_TMP/in.online")'"
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

# --- status of a daemon with BPF
ctl status > "$PV_TMP/status"; rc=$?
[ $rc -eq 0 ] || pv_fail "status rc=$rc: $(cat "$PV_TMP/status")"
grep -q "(serving)" "$PV_TMP/status" || pv_fail "status does not say serving"
ctl status --json > "$PV_TMP/status.json" || pv_fail "status --json"
/usr/bin/python3 - "$PV_TMP/status.json" "$PV_DAEMON_PID" "$([ -e "$PV_PIN/pv_meta" ] && echo 1 || echo 0)" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
assert s["serving"] is True, s
assert s["daemon_state_known"] is True and s["daemon_pid"] == int(sys.argv[2]), s
if sys.argv[3] == "1":
    assert s["daemon_bpf"] is True and s["bpf_attached"] is True and s["degraded"] is False, s
PY
	pv_fail "status --json: $(cat "$PV_TMP/status.json")"
grep -q '^state: *ok$' "$PV_TMP/status" || [ ! -e "$PV_PIN/pv_meta" ] ||
	pv_fail "status of a BPF daemon: $(grep state: "$PV_TMP/status")"

# --- the pinned BPF state is exactly as before list/show/status.
if [ -f "$PV_TMP/bpf.before" ]; then
	snapshot > "$PV_TMP/bpf.after" || pv_fail "bpftool snapshot"
	diff -u "$PV_TMP/bpf.before" "$PV_TMP/bpf.after" >&2 ||
		pv_fail "procviewctl changed the pinned BPF links or pv_meta"
	pv_log "pinned links and pv_meta unchanged by list/show/status ($(wc -l < "$PV_TMP/bpf.after") items)"
else
	pv_log "bpftool or pins missing: read-only check not run"
fi

# --- degraded: a --no-bpf daemon (the pins of the previous one stay
#     attached, so only the daemon itself can say it runs without them).
pv_daemon_stop TERM
pv_daemon_start --no-bpf
ctl status > "$PV_TMP/status"; rc=$?
[ $rc -eq 0 ] || pv_fail "status (--no-bpf) rc=$rc"
grep -q '^state: *degraded' "$PV_TMP/status" || pv_fail "status of a --no-bpf daemon: $(cat "$PV_TMP/status")"
ctl status --json | /usr/bin/python3 -c '
import json, sys; s = json.load(sys.stdin)
assert s["degraded"] is True and s["daemon_bpf"] is False, s' || pv_fail "status --json (--no-bpf)"
ctl show "$pid" meminfo | head -n 1 | grep -q 'degraded' || pv_fail "show does not say degraded"
mt=$(ctl show "$pid" meminfo | awk '$1 == "MemTotal:" { print $2 }')
[ "$mt" = "$in_mt" ] || pv_fail "show (degraded): MemTotal $mt, kernel $((limit / 1024))"
pv_log "status of a --no-bpf daemon: $(grep '^state:' "$PV_TMP/status")"
pv_daemon_stop TERM
pv_daemon_start

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
# Its state file is the killed daemon's: status must not trust it.
ctl status | grep -q "^daemon: *unknown" || pv_fail "status trusts a dead daemon's state: $(ctl status)"
out=$(ctl remount) || pv_fail "remount failed: $out"
grep -Eq 're-bound [1-9][0-9]* ' <<<"$out" || pv_fail "remount: $out"
cat "/proc/$cpid/root/proc/uptime" >/dev/null || pv_fail "view still dead after remount"

# --- daemon gone: clear errors.
pv_daemon_stop TERM
err=$(ctl list 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q 'not running' <<<"$err" || pv_fail "list without daemon: rc=$rc '$err'"
ctl status >/dev/null; [ $? -eq 3 ] || pv_fail "status without daemon should exit 3"
echo "ok: procviewctl list/show/mounts/status/remount agree with the kernel"
