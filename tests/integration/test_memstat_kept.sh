#!/usr/bin/env bash
# memory.stat is not generated on every open (daemon/memstat_cache.h): a
# copy of an earlier read is used while the kernel's read would print the
# same. Quiet reads in a container, opens and re-reads at offset 0 of a
# kept-open file alike, must mostly use the copy, and every reading must
# still equal the kernel's memory.stat read right after it:
# after 12 MiB more anonymous memory (its read would flush: updates
# batched past the threshold), after a flush by another reader (the epoch
# moved), and after the parent's limit changed (the copy's limit line is
# old; the kernel's counters of the open are not). v1 memory cgroups: the
# kept copy serves v1 only (v2 reads its limit files anyway).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mem_lib.sh"
pv_init
pv_need_kernel_identity
command -v python3 >/dev/null || pv_skip "needs python3"
[ -n "$(pvm_field memory)" ] || pv_skip "the memory controller is not on a v1 hierarchy here"
pv_daemon_start
pv_kernel_identity_in_use

pv_cg_create c
parent=$(pvm_dir c memory)
echo $((300 << 20)) > "$parent/memory.limit_in_bytes" || pv_fail "set the parent's limit"
inner=$parent/inner
mkdir "$inner" || pv_fail "mkdir $inner"

s0=$(pv_stats)
out=$(pvm_in c sh -c 'echo $$ > "$1/cgroup.procs" && exec python3 "$2" "$3" "$1/memory.stat" "$4"' \
	sh "$inner" "$(dirname "$0")/memstat_check.py" "$PV_MNT/proc/meminfo" \
	"$parent/memory.limit_in_bytes" 2>&1) || pv_fail "the reader failed: $out"
s1=$(pv_stats)
pv_log "$(grep -v '^FAIL' <<<"$out" | tr '\n' ' ')"
pv_checks_ok "$out" 14 "procview's meminfo differs from the kernel's memory.stat"
hits=$(pv_stat_delta "$s0" "$s1" memstat_kept_hits)
misses=$(pv_stat_delta "$s0" "$s1" memstat_kept_misses)
pv_log "kept memory.stat copies used: $hits, reads: $misses"
# 40 quiet opens and 40 quiet re-reads: only a flush pass (the kernel's
# own every 2 s, or any other cgroup reader's) or the reader's own batched
# updates send one back to the file. Here all 80 use the copy; half is
# asked, for a busier machine's flushes.
[ "$hits" -ge 40 ] || pv_fail "want at least 40 of the 80 quiet reads from the kept copy, got $hits"
echo ok
