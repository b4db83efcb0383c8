#!/usr/bin/env bash
# Isolation: containers A and B differ in memory limit, cpuset (A: CPU 0,
# B: all), CPU use (a burner runs in A only) and forks (a fork storm runs in
# B only). Readers in both read every file concurrently for a while; no file
# read from A may ever carry a figure that only B has, and vice versa.
# Ground truth: the limits we wrote, the cpusets, cpuacct.usage /
# cpu.stat usage_usec of each cgroup, the number of forks we made.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/harden_lib.sh"
pv_init
[ "$(nproc --all)" -ge 2 ] || pv_skip "needs 2 CPUs for distinct cpusets"
pv_daemon_start
MB=1048576
DUR=${PV_ISO_SECONDS:-15}

setup() { # NAME LIMIT_BYTES CPUS
	local d
	pv_cg_create "$1"
	d=$(pv_cg_dir "$1" memory)
	if [ -f "$d/memory.limit_in_bytes" ]; then echo "$2" > "$d/memory.limit_in_bytes"
	else echo "$2" > "$(pv_cg_dir "$1" "")/memory.max"; fi || pv_fail "limit $1"
	d=$(pv_cg_dir "$1" cpuset)
	if [ -f "$d/cpuset.cpus" ]; then echo "$3" > "$d/cpuset.cpus"
	else echo "$3" > "$(pv_cg_dir "$1" "")/cpuset.cpus"; fi || pv_fail "cpuset $1"
}
setup a $((256 * MB)) 0
setup b $((384 * MB)) "0-$(( $(nproc --all) - 1 ))"
# cpu usage file of a cgroup (v1 cpuacct, or v2 cpu.stat)
usage_file() {
	local d; d=$(pv_cg_dir "$1" cpuacct)
	[ -f "$d/cpuacct.usage" ] && { echo "$d/cpuacct.usage"; return; }
	d=$(pv_cg_dir "$1" cpu,cpuacct); [ -f "$d/cpuacct.usage" ] && { echo "$d/cpuacct.usage"; return; }
	echo "$(pv_cg_dir "$1" "")/cpu.stat"
}

# B: fork storm first (3,000 forks), so B's fork count is far above A's.
hz_cg_run b /usr/bin/python3 -c '
import os
for _ in range(3000):
    p = os.fork()
    if p == 0: os._exit(0)
    os.waitpid(p, 0)' || pv_fail "fork storm in b"
# A: 50 forks of its own, then one CPU burner for the whole window.
hz_cg_run a /usr/bin/python3 -c '
import os
for _ in range(50):
    p = os.fork()
    if p == 0: os._exit(0)
    os.waitpid(p, 0)' || pv_fail "forks in a"
# A: one CPU burner for the whole window.
pv_bg hz_cg_run a /usr/bin/python3 -c 'while True: pass'

reader() { # NAME
	hz_cg_run "$1" /usr/bin/python3 - "$PV_MNT" "$DUR" "$(usage_file "$1")" <<'PY'
import os, sys, time, json
mnt, dur, usage = sys.argv[1], float(sys.argv[2]), sys.argv[3]
def rd(f):
    with open(os.path.join(mnt, f), "rb") as h:
        return h.read().decode()
def cg_usage_ns():
    t = open(usage).read()
    if "usage_usec" in t:
        return int(t.split("usage_usec")[1].split()[0]) * 1000
    return int(t)
def stat_busy_procs(t):
    busy = procs = None
    for l in t.splitlines():
        f = l.split()
        if f and f[0] == "cpu":
            busy = sum(int(x) for x in f[1:4]) + sum(int(x) for x in f[6:8])  # user nice system irq softirq
        elif f and f[0] == "processes":
            procs = int(f[1])
    return busy, procs
out = {"memtotal": set(), "online": set(), "ncpuinfo": set(), "ncpustat": set(), "procs": [], "n": 0}
u0 = cg_usage_ns(); b0, _ = stat_busy_procs(rd("proc/stat"))
end = time.time() + dur
while time.time() < end:
    for l in rd("proc/meminfo").splitlines():
        if l.startswith("MemTotal:"):
            out["memtotal"].add(int(l.split()[1]))
    out["online"].add(rd("sys/devices/system/cpu/online").strip())
    out["ncpuinfo"].add(sum(1 for l in rd("proc/cpuinfo").splitlines() if l.startswith("processor")))
    st = rd("proc/stat")
    out["ncpustat"].add(sum(1 for l in st.splitlines() if l.startswith("cpu") and l[3].isdigit()))
    out["procs"].append(stat_busy_procs(st)[1])
    rd("proc/uptime"); rd("proc/loadavg")
    out["n"] += 1
    time.sleep(0.005)   # leave the CPU to the burner: readers stay light
b1, _ = stat_busy_procs(rd("proc/stat")); u1 = cg_usage_ns()
out["busy_ticks"] = b1 - b0
out["usage_ticks"] = (u1 - u0) / 1e7
print(json.dumps({k: sorted(v) if isinstance(v, set) else v for k, v in out.items()}))
PY
}
reader a >"$PV_TMP/a.json" & ra=$!
reader b >"$PV_TMP/b.json" & rb=$!
wait "$ra" || pv_fail "reader in a failed: $(cat "$PV_TMP/a.json")"
wait "$rb" || pv_fail "reader in b failed: $(cat "$PV_TMP/b.json")"

degraded=0
hz_degraded && degraded=1
/usr/bin/python3 - "$PV_TMP/a.json" "$PV_TMP/b.json" "$(nproc --all)" "$degraded" <<'PY' || pv_fail "isolation"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ncpu, degraded = int(sys.argv[3]), sys.argv[4] == "1"
print("# a:", {k: (v if k != "procs" else [min(v), max(v)]) for k, v in a.items()})
print("# b:", {k: (v if k != "procs" else [min(v), max(v)]) for k, v in b.items()})
err = []
def only(name, x, field, want):
    if x[field] != [want]:
        err.append("%s: %s took values %s, only %r is its own" % (name, field, x[field], want))
only("a", a, "memtotal", 256 * 1024)
only("b", b, "memtotal", 384 * 1024)
only("a", a, "online", "0")
only("b", b, "online", "0-%d" % (ncpu - 1))
only("a", a, "ncpuinfo", 1)
only("b", b, "ncpuinfo", ncpu)
only("a", a, "ncpustat", 1)
only("b", b, "ncpustat", ncpu)
# forks: b made 3000, a 50 (the cgroup entries exec, they do not fork)
if max(a["procs"]) >= 3000:
    err.append("a's processes reached %d: b's fork count" % max(a["procs"]))
if max(b["procs"]) == 0 and max(a["procs"]) == 0:
    # Forks are counted by BPF: without it 0 is the honest figure, but only
    # a daemon that says it runs degraded may show it.
    if not degraded:
        err.append("processes is 0 in both containers, and the daemon does not say it runs degraded")
    else:
        print("# daemon runs degraded (its log says so): processes 0 in both, fork check one-sided")
else:
    if min(b["procs"]) < 3000:
        err.append("b's processes %d < the 3000 forks b made" % min(b["procs"]))
    if min(a["procs"]) < 50:
        err.append("a's processes %d < the 50 forks a made" % min(a["procs"]))
# CPU: each container's busy ticks follow its own cgroup usage, not the other's
for n, x in (("a", a), ("b", b)):
    if abs(x["busy_ticks"] - x["usage_ticks"]) > max(0.2 * x["usage_ticks"], 30):
        err.append("%s: /proc/stat busy +%d ticks but its cgroup used %.0f ticks"
                   % (n, x["busy_ticks"], x["usage_ticks"]))
# ...and when the two usages differ, each reading sits nearer its own
# usage than the other's (B's readers use CPU too, so no fixed ratio).
for n, x, o in (("a", a, b), ("b", b, a)):
    if abs(x["usage_ticks"] - o["usage_ticks"]) > 60 and \
       abs(x["busy_ticks"] - o["usage_ticks"]) < abs(x["busy_ticks"] - x["usage_ticks"]):
        err.append("%s's busy ticks %d are nearer the other's usage (%.0f) than its own (%.0f)"
                   % (n, x["busy_ticks"], o["usage_ticks"], x["usage_ticks"]))
if err:
    sys.exit("\n".join(err))
print("# isolation held over %d reads in a and %d in b" % (a["n"], b["n"]))
PY
