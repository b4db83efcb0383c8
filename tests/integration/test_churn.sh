#!/usr/bin/env bash
# Churn: create and remove PV_CHURN_N container cgroups (1,000 here, 10,000
# in `make stress`), each with a short-lived process that reads a view while
# it lives, with the daemon running. Afterwards: no pinned BPF map holds a
# key naming a removed cgroup (any 8-byte-aligned u64 of a key equal to one
# of their cgroup ids = directory inodes), map entry counts are back to
# their baseline, and the daemon's RSS is within 10% of its warmed-up size.
# The daemon exposes no cache sizes, so RSS stands in for them.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/harden_lib.sh"
pv_init
N=${PV_CHURN_N:-1000}
# A failed run may leave a churn cgroup behind: remove those too on exit.
hz_churn_cleanup() {
	local d
	for d in $(pv_hierarchies | while IFS=$'\t' read -r m f; do pv_own_cgdir "$f"; done); do
		for c in "$d/$PV_TAG"-churn*; do [ -d "$c" ] && rmdir "$c" 2>/dev/null; done
	done
	return 0
}
trap 'rc=$?; hz_churn_cleanup; (exit $rc); pv_cleanup' EXIT
pv_daemon_start
command -v bpftool >/dev/null || pv_skip "bpftool missing"

# Every pinned map below our pin dir: "path count" lines and, with -k, keys.
map_dump() {
	/usr/bin/python3 - "$PV_PIN" "$@" <<'PY'
import json, os, subprocess, sys
pin, want_keys = sys.argv[1], "-k" in sys.argv[2:]
for root, _, files in os.walk(pin):
    for f in sorted(files):
        p = os.path.join(root, f)
        r = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", p],
                           capture_output=True, text=True)
        if r.returncode != 0:
            continue                      # a pinned prog or link, not a map
        try:
            entries = json.loads(r.stdout)
        except ValueError:
            continue
        if isinstance(entries, dict):     # some bpftool versions wrap errors
            continue
        if want_keys:
            for e in entries:
                k = e.get("key")
                if isinstance(k, list):
                    b = bytes(int(x, 16) for x in k)
                    for i in range(0, len(b) - 7, 8):
                        print(os.path.relpath(p, pin), int.from_bytes(b[i:i + 8], "little"))
        else:
            print(os.path.relpath(p, pin), len(entries))
PY
}
# Warm up (allocator, caches, every file from host and one container), then
# take the baseline.
pv_cg_create warm
for _ in 1 2 3; do
	for f in "${HZ_FILES[@]}"; do cat "$PV_MNT/$f" >/dev/null; hz_cg_run warm cat "$PV_MNT/$f" >/dev/null; done
done
map_dump >"$PV_TMP/maps.before"
pv_log "maps before: $(tr '\n' ' ' <"$PV_TMP/maps.before")"

# Parent cgroup dirs (our own cgroup in every hierarchy) for the churn.
parents=$(pv_hierarchies | while IFS=$'\t' read -r mnt field; do pv_own_cgdir "$field"; done | tr '\n' ' ')
churn() { # PREFIX COUNT IDFILE
/usr/bin/python3 - "$PV_MNT" "$2" "$PV_TAG-$1" "$3" "$parents" "$PV_DAEMON_PID" <<'PY' || pv_fail "churn loop ($1)"
import os, sys, time
mnt, n, tag, idfile, parents, dpid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].split(), sys.argv[6]
def rss():
    for l in open("/proc/%s/status" % dpid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
curve = []
files = ["proc/stat", "proc/meminfo", "proc/uptime", "proc/loadavg", "proc/cpuinfo",
         "sys/devices/system/cpu/online", "proc/diskstats", "proc/swaps"]
ids = open(idfile, "w")
ppid = os.getppid()
for i in range(n):
    if os.getppid() != ppid:
        sys.exit("test shell gone: stopping the churn")
    dirs = []
    for p in parents:
        d = "%s/%s%d" % (p, tag, i)
        os.mkdir(d)
        dirs.append(d)
        if os.path.exists(d + "/cpuset.cpus"):
            for k in ("cpuset.cpus", "cpuset.mems"):
                with open(d + "/" + k, "w") as f:
                    f.write(open(p + "/" + k).read())
        ids.write("%d\n" % os.stat(d).st_ino)
    pid = os.fork()
    if pid == 0:
        try:
            for d in dirs:
                with open(d + "/cgroup.procs", "w") as f:
                    f.write(str(os.getpid()))
            with open(os.path.join(mnt, files[i % len(files)]), "rb") as f:
                data = f.read()
            # diskstats/swaps may be empty for a container without I/O or swap
            os._exit(0 if data or files[i % len(files)] in ("proc/swaps", "proc/diskstats") else 3)
        except Exception as e:
            print("child %d: %s" % (i, e), file=sys.stderr)
            os._exit(4)
    _, st = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(st) != 0:
        sys.exit("reader %d failed (%d)" % (i, os.waitstatus_to_exitcode(st)))
    if i % max(1, n // 8) == 0:
        curve.append("%d:%d" % (i, rss()))
    for d in reversed(dirs):
        for t in range(100):
            try:
                os.rmdir(d); break
            except OSError:
                time.sleep(0.01)
        else:
            sys.exit("rmdir " + d)
ids.close()
print("# daemon RSS kB along the churn (iteration:kB): " + " ".join(curve + ["%d:%d" % (n, rss())]))
PY
}
# Warm-up churn: FUSE worker threads, allocator arenas and the daemon's
# bounded per-container tables (reader cache 256 entries, /proc/stat state
# 1024 slots, recycled LRU, not shrunk on rmdir) reach their full size; the
# baseline is taken after it, so growth past it is a leak, not a cache.
W=${PV_CHURN_WARM:-1100}
rss_fresh=$(hz_rss "$PV_DAEMON_PID")
churn churnw "$W" /dev/null
rss_start=$(hz_rss "$PV_DAEMON_PID")
pv_log "RSS ${rss_fresh} kB fresh, ${rss_start} kB after $W warm-up cgroups (baseline)"
start=$(date +%s)
churn churn "$N" "$PV_TMP/ids"
dur=$(( $(date +%s) - start ))
kill -0 "$PV_DAEMON_PID" || pv_fail "daemon died during churn"
# Reads still work after the churn.
for f in "${HZ_FILES[@]}"; do cat "$PV_MNT/$f" >/dev/null || pv_fail "read $f after churn"; done

# The kernel frees cgroups asynchronously; give BPF cleanup up to 10 s.
sort -u "$PV_TMP/ids" >"$PV_TMP/ids.sorted"
for i in $(seq 20); do
	map_dump -k | awk '{print $2, $1}' | sort -k1,1 >"$PV_TMP/keys"
	join "$PV_TMP/ids.sorted" "$PV_TMP/keys" >"$PV_TMP/stale" || true
	[ -s "$PV_TMP/stale" ] || break
	sleep 0.5
done
map_dump >"$PV_TMP/maps.after"
rss_end=$(hz_rss "$PV_DAEMON_PID")
pv_log "churned $N cgroups in ${dur}s; RSS ${rss_start} -> ${rss_end} kB; maps after: $(tr '\n' ' ' <"$PV_TMP/maps.after")"
[ -s "$PV_TMP/maps.before" ] || pv_log "note: no pinned maps under $PV_PIN (daemon without BPF?)"
if [ -s "$PV_TMP/stale" ]; then
	pv_fail "$(wc -l <"$PV_TMP/stale") map keys still name removed cgroups, e.g. $(head -3 "$PV_TMP/stale" | tr '\n' ';')"
fi
# Entry counts back to baseline (a few entries of unrelated live cgroups may
# come and go: allow 16).
join <(sort "$PV_TMP/maps.before") <(sort "$PV_TMP/maps.after") | while read -r m before after; do
	[ "$after" -le $((before + 16)) ] || pv_fail "map $m: $before entries before, $after after churn"
done || exit 1
pv_near "$rss_end" "$rss_start" 10 || pv_fail "RSS ${rss_end} kB vs ${rss_start} kB at start: more than 10%"
