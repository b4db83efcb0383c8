#!/usr/bin/env bash
# Open renders, and where depends on where the reader waits (fuse_ops.c):
# on the daemon thread's own CPU, before the reply; on another CPU, after
# it, overlapping the reader's way to its read(2). The CPU comes from the
# kernel's record of the open, so both cases are forced here by pinning the
# daemon's threads to CPU 0 and the reader to CPU 0 or CPU 1. Either way
# the first read serves that rendering, and it is the reader's container's:
# MemTotal equals the limit written to the kernel's cgroup file. stat and
# loadavg, which count the reader as a running task, always render before
# the reply, while the reader sleeps in its open. Every open's record is
# read from its mapped slot, without a bpf() call.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mem_lib.sh"
pv_init
command -v taskset >/dev/null || pv_skip "needs taskset"
taskset -c 0,1 true 2>/dev/null || pv_skip "needs CPUs 0 and 1"
pv_need_kernel_identity
pv_daemon_start
pv_kernel_identity_in_use
# Every thread, and the workers libfuse starts later inherit it.
taskset -a -p -c 0 "$PV_DAEMON_PID" >/dev/null || pv_fail "pin the daemon to CPU 0"

pv_cg_create r
memdir=$(pvm_dir r memory)
if [ -f "$memdir/memory.limit_in_bytes" ]; then lim=$memdir/memory.limit_in_bytes; else lim=$memdir/memory.max; fi
echo $((300 << 20)) > "$lim" || pv_fail "set $lim"
want_kb=$(( $(cat "$lim") / 1024 ))

# reads CPU: 20 cat of meminfo by a reader pinned to CPU, in cgroup r;
# prints the MemTotal figures seen, one distinct value per line.
reads() {
	pvm_in r taskset -c "$1" sh -c '
		for i in $(seq 20); do cat "$0/proc/meminfo" || exit 1; done' "$PV_MNT" |
		awk '$1 == "MemTotal:" { print $2 }' | sort -u
}
delta() { echo $(( $(pv_stat_of "$2" "$3") - $(pv_stat_of "$1" "$3") )); }

s0=$(pv_stats)
got=$(reads 0) || pv_fail "reads on CPU 0"
s1=$(pv_stats)
[ "$got" = "$want_kb" ] || pv_fail "reader on the daemon's CPU saw MemTotal '$got', the kernel's limit is $want_kb kB"
got=$(reads 1) || pv_fail "reads on CPU 1"
s2=$(pv_stats)
[ "$got" = "$want_kb" ] || pv_fail "reader on another CPU saw MemTotal '$got', the kernel's limit is $want_kb kB"

inl=$(delta "$s0" "$s1" open_render_inline) aft=$(delta "$s0" "$s1" open_render_after)
pv_log "reader on CPU 0 (the daemon's): $inl rendered before the reply, $aft after"
[ "$inl" = 20 ] && [ "$aft" = 0 ] || pv_fail "same CPU: want 20 before the reply, 0 after"
inl=$(delta "$s1" "$s2" open_render_inline) aft=$(delta "$s1" "$s2" open_render_after)
pv_log "reader on CPU 1: $inl rendered before the reply, $aft after"
[ "$inl" = 0 ] && [ "$aft" = 20 ] || pv_fail "other CPU: want 0 before the reply, 20 after"
# stat and loadavg from the other CPU: before the reply all the same.
s3=$(pv_stats)
pvm_in r taskset -c 1 sh -c 'for i in $(seq 10); do cat "$0/proc/stat" "$0/proc/loadavg" >/dev/null || exit 1; done' "$PV_MNT" ||
	pv_fail "stat/loadavg reads on CPU 1"
s4=$(pv_stats)
inl=$(delta "$s3" "$s4" open_render_inline) aft=$(delta "$s3" "$s4" open_render_after)
pv_log "stat and loadavg read on CPU 1: $inl rendered before the reply, $aft after"
[ "$inl" = 20 ] && [ "$aft" = 0 ] || pv_fail "stat/loadavg: want 20 before the reply, 0 after"

# cat reads right after open: its first read takes open's rendering
# (a loaded machine may delay one past PV_OPEN_RENDER_FRESH_NS).
took=$(delta "$s0" "$s2" open_rendering_read) late=$(delta "$s0" "$s2" open_rendering_stale)
pv_log "first reads served open's rendering: $took, rendered afresh as too late: $late"
[ $((took + late)) = 40 ] && [ "$took" -ge 30 ] || pv_fail "want 40 first reads, at least 30 from open's rendering"
# One reader at a time: each record sits whole in its mapped slot, and is
# taken from there without a bpf() call (reader_id.h).
slot=$(delta "$s0" "$s4" rid_slot_hits) map=$(delta "$s0" "$s4" rid_map_hits)
pv_log "kernel records taken from the mapped slot: $slot, from the map: $map"
[ "$slot" -ge 55 ] || pv_fail "want the 60 opens' records (at least 55) from the mapped slots, got $slot (map: $map)"
echo ok
