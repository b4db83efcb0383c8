#!/usr/bin/env bash
# Churn: create and remove PV_CHURN_N container cgroups (1,000 here, 10,000
# in `make stress`), each with a short-lived process that reads a view while
# it lives, with the daemon running. Afterwards:
#  - no pinned BPF map holds a key naming a removed cgroup (any 8-byte-
#    aligned u64 of a key equal to one of their ids: the inodes of their
#    directories in the CPU-accounting hierarchy, the one the daemon keys
#    by), and map entry counts are back to their baseline;
#  - the daemon's caches (reader cgroup and pid-namespace caches, /proc/stat
#    state, open handles; its SIGUSR1 "stats:" line) are back to baseline;
#  - its RSS is within 10% of the baseline.
# The baseline is taken right after start and the first reads (every file
# from the host and from one container, and 16 concurrent readers, which
# bring the FUSE worker pool to its working size). A daemon without BPF must say it runs
# degraded, else missing maps fail the test.
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
degraded=0
hz_degraded && degraded=1
[ "$degraded" = 1 ] || command -v bpftool >/dev/null || pv_skip "bpftool missing"

# The daemon's CPU-accounting hierarchy: v1 cpuacct, else v1 cpu, else v2.
cpu_field=$(hz_cpu_field)
cpu_parent=$(pv_own_cgdir "$cpu_field") || pv_fail "no CPU-accounting hierarchy (field '$cpu_field')"
cpu_mount=$(pv_hierarchies | awk -F'\t' -v f="$cpu_field" '$2 == f { print $1; exit }')
# Live cgroups of that hierarchy: other users of the host (other tests) make
# and remove cgroups meanwhile, and the maps follow every live cgroup.
live_cgroups() { find "$cpu_mount" -type d 2>/dev/null | wc -l; }

CACHES="reader_cg reader_ns stat_state handles"

# First reads: every file from the host and from a container, then 16
# concurrent readers in tight loops (the FUSE loop starts a worker thread
# whenever all are busy, so this brings the pool to its working size, as
# any host's concurrent readers would).
pv_cg_create warm
for f in "${HZ_FILES[@]}"; do cat "$PV_MNT/$f" >/dev/null; hz_cg_run warm cat "$PV_MNT/$f" >/dev/null; done
hz_fork_opens 16 100 read || pv_fail "first concurrent reads"
base=$(pv_stats)
rss_base=$(pv_stat_of "$base" rss_kb)
if [ "$degraded" = 0 ]; then
	hz_map_dump >"$PV_TMP/maps.before"
	live_before=$(live_cgroups)
	[ -s "$PV_TMP/maps.before" ] ||
		pv_fail "no pinned maps under $PV_PIN, and the daemon log does not say it runs degraded"
fi
pv_log "baseline after start + first reads: $base"
[ "$degraded" = 0 ] && pv_log "maps at baseline: $(tr '\n' ' ' <"$PV_TMP/maps.before")"

# Parent cgroup dirs (our own cgroup in every hierarchy) for the churn.
parents=$(pv_hierarchies | while IFS=$'\t' read -r mnt field; do pv_own_cgdir "$field"; done | tr '\n' ' ')
churn() { # PREFIX COUNT IDFILE
/usr/bin/python3 - "$PV_MNT" "$2" "$PV_TAG-$1" "$3" "$parents" "$PV_DAEMON_PID" "$cpu_parent" <<'PY' || pv_fail "churn loop ($1)"
import os, sys, time
mnt, n, tag, idfile, parents, dpid, cpu_parent = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].split(), sys.argv[6], sys.argv[7]
def rss():
    for l in open("/proc/%s/status" % dpid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
curve = []
files = ["proc/stat", "proc/meminfo", "proc/uptime", "proc/loadavg", "proc/cpuinfo",
         "sys/devices/system/cpu/online", "proc/diskstats", "proc/swaps"]
ids = open(idfile, "w")
ppid = os.getppid()
t0 = time.time()
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
        if p == cpu_parent:
            ids.write("%d\n" % os.stat(d).st_ino)   # the id BPF keys by
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
print("# churned %d cgroups in %.0f s; daemon RSS kB along the churn (iteration:kB): %s"
      % (n, time.time() - t0, " ".join(curve + ["%d:%d" % (n, rss())])))
PY
}
churn churn "$N" "$PV_TMP/ids"
kill -0 "$PV_DAEMON_PID" || pv_fail "daemon died during churn"
right_after=$(pv_stats)
pv_log "right after the churn: $right_after"
# Reads still work after the churn.
for f in "${HZ_FILES[@]}"; do cat "$PV_MNT/$f" >/dev/null || pv_fail "read $f after churn"; done

# Caches back to baseline: the daemon prunes every few seconds; wait 30 s.
for i in $(seq 30); do
	now=$(pv_stats) ok=1
	for k in $CACHES; do [ "$(pv_stat_of "$now" "$k")" -le "$(pv_stat_of "$base" "$k")" ] || ok=0; done
	[ "$ok" = 1 ] && break
	sleep 1
done
pv_log "after the prune: $now"
for k in $CACHES; do
	[ "$(pv_stat_of "$now" "$k")" -le "$(pv_stat_of "$base" "$k")" ] ||
		pv_fail "cache $k holds $(pv_stat_of "$now" "$k") entries 30 s after the churn, $(pv_stat_of "$base" "$k") at baseline"
done

if [ "$degraded" = 1 ]; then
	pv_log "daemon runs degraded (its log says so): no BPF maps to check"
else
	# The kernel frees cgroups asynchronously; give BPF cleanup up to 10 s.
	sort -u "$PV_TMP/ids" >"$PV_TMP/ids.sorted"
	[ "$(wc -l <"$PV_TMP/ids.sorted")" = "$N" ] || pv_fail "recorded $(wc -l <"$PV_TMP/ids.sorted") distinct ids for $N cgroups"
	for i in $(seq 20); do
		hz_map_dump -k | awk '{print $2, $1}' | sort -k1,1 >"$PV_TMP/keys"
		join "$PV_TMP/ids.sorted" "$PV_TMP/keys" >"$PV_TMP/stale" || true
		[ -s "$PV_TMP/stale" ] || break
		sleep 0.5
	done
	hz_map_dump >"$PV_TMP/maps.after"
	live_after=$(live_cgroups)
	pv_log "maps after: $(tr '\n' ' ' <"$PV_TMP/maps.after")(live cgroups in the CPU hierarchy: $live_before at baseline, $live_after now)"
	if [ -s "$PV_TMP/stale" ]; then
		pv_fail "$(wc -l <"$PV_TMP/stale") map keys still name removed cgroups, e.g. $(head -3 "$PV_TMP/stale" | tr '\n' ';')"
	fi
	pv_log "no map key names any of the $N removed cgroups"
	# Entry counts back to baseline, plus what other users' new live
	# cgroups account for, plus 16 for cgroups that came and went.
	grow=$(( live_after > live_before ? live_after - live_before : 0 ))
	join <(sort "$PV_TMP/maps.before") <(sort "$PV_TMP/maps.after") | while read -r m before after; do
		[ "$after" -le $((before + grow + 16)) ] ||
			pv_fail "map $m: $before entries before, $after after churn ($grow more live cgroups)"
	done || exit 1
fi

rss_end=$(pv_stat_of "$now" rss_kb)
pct=$(awk -v a="$rss_end" -v b="$rss_base" 'BEGIN { printf "%+.1f", (a - b) * 100 / b }')
pv_log "RSS ${rss_base} kB at baseline -> ${rss_end} kB after $N cgroups (${pct}%)"
if hz_is_sanitized "$PV_DAEMON"; then
	pv_log "sanitized daemon: RSS not compared (ASan's quarantine holds freed memory)"
else
	pv_near "$rss_end" "$rss_base" 10 || pv_fail "RSS ${rss_end} kB vs ${rss_base} kB at baseline: more than 10%"
fi
