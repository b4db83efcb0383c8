#!/bin/bash
# A container's figures include its nested cgroups, also after a nested
# cgroup is removed (its totals fold into the parent, nothing goes back):
# user+nice+system of the parent = the parent's cpuacct.usage since it was
# made (3% or 2 ticks), before and after rmdir of the child.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
pv_daemon_start
grep -qi degraded "$PV_TMP/daemon.log" && pv_skip "daemon runs without BPF"
pv_cg_create p
pd=$(pv_cpuacct_dir p)
mkdir "$pd/child" || pv_fail "mkdir $pd/child"
( echo "$BASHPID" > "$pd/child/cgroup.procs"; exec sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done' ) ||
	pv_fail "burner in child"
# The child's own pv_in-less burner ran only in the cpuacct child; the
# reader reads as the parent container (moved into p everywhere).
s0=$(pv_stat_in p); k0=$(cat "$pd/cpuacct.usage" 2>/dev/null || pv_cg_usage_ns p)
used0=$(pv_stat_used <<<"$s0"); kt0=$((k0 / 10000000))
pv_log "with child: used $used0 ticks, parent usage $kt0 ticks"
pv_near "$used0" "$kt0" 3 2 || pv_fail "parent shows $used0 ticks, kernel $kt0"
rmdir "$pd/child" || pv_fail "rmdir child"
s1=$(pv_stat_in p); k1=$(cat "$pd/cpuacct.usage" 2>/dev/null || pv_cg_usage_ns p)
used1=$(pv_stat_used <<<"$s1"); kt1=$((k1 / 10000000))
pv_log "after rmdir: used $used1 ticks, parent usage $kt1 ticks"
msg=$(pv_stat_check_mono "$s0" "$s1") || pv_fail "after rmdir: $msg"
pv_near "$used1" "$kt1" 3 2 || pv_fail "after rmdir parent shows $used1 ticks, kernel $kt1"
echo "ok"
