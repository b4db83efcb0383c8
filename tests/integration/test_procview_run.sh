#!/usr/bin/env bash
# procview-run: a fresh cgroup below ours in every hierarchy with the limits
# asked for (checked in the kernel's cgroup files), new pid + mount
# namespaces with the views bound over /proc and /sys, the command's exit
# status, and no cgroup left afterwards.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
[ -x "$PV_RUN" ] || pv_fail "$PV_RUN not built"
pv_daemon_start --no-bpf
run() { "$PV_RUN" --mount "$PV_MNT" "$@"; }
name=$PV_TAG-run

# Memory: the limit lands in the kernel's file, free -m shows it.
out=$(run --memory 200m --cgroup-name "$name" --print-cgroup -- sh -c '
	p=$(awk -F: "\$2 == \"memory\" { print \$3 }" /proc/self/cgroup)
	if [ -n "$p" ]; then cat /sys/fs/cgroup/memory$p/memory.limit_in_bytes
	else cat /sys/fs/cgroup$(awk -F: "\$2 == \"\" { print \$3 }" /proc/self/cgroup)/memory.max; fi
	free -m' 2>"$PV_TMP/err") || { cat "$PV_TMP/err" >&2; pv_fail "procview-run --memory failed"; }
limit=$(head -n1 <<<"$out")
[ "$limit" = $((200 * 1024 * 1024)) ] || pv_fail "kernel memory limit $limit, want 200 MiB"
total=$(awk '/^Mem:/ { print $2 }' <<<"$out")
[ "$total" = 200 ] || pv_fail "free -m total '$total', want 200 (= kernel limit $limit)"
dirs=$(awk -F'\t' '$1 == "cgroup" { print $3 }' "$PV_TMP/err")
nh=$(pv_hierarchies | wc -l)
[ "$(wc -l <<<"$dirs")" = "$nh" ] || pv_fail "cgroups made in $(wc -l <<<"$dirs") of $nh hierarchies"
for d in $dirs; do
	[ "$(basename "$d")" = "$name" ] || pv_fail "cgroup $d not named $name"
	[ -d "$d" ] && pv_fail "cgroup $d left behind"
done

# cpuset 0: one CPU for nproc, sysconf and the online file; ground truth is
# the kernel's effective cpuset of the container's cgroup.
out=$(run --cpuset 0 -- sh -c '
	p=$(awk -F: "\$2 == \"cpuset\" { print \$3 }" /proc/self/cgroup)
	cat /sys/fs/cgroup/cpuset$p/cpuset.effective_cpus
	nproc; getconf _NPROCESSORS_ONLN; cat /sys/devices/system/cpu/online
	grep -c ^processor /proc/cpuinfo') || pv_fail "procview-run --cpuset 0 failed"
set -- $out
[ "$1" = 0 ] || pv_fail "kernel cpuset.effective_cpus '$1', want 0"
[ "$2 $3 $4" = "1 1 0" ] || pv_fail "nproc/getconf/online inside --cpuset 0: '$2 $3 $4', want '1 1 0'"
[ "$5" = 1 ] || pv_fail "cpuinfo processors inside --cpuset 0: $5"

# --cpus 0.5: the kernel quota is half the period.
out=$(run --cpus 0.5 -- sh -c '
	p=$(awk -F: "\$2 ~ /(^|,)cpu(,|$)/ { print \$3 }" /proc/self/cgroup)
	d=$(awk "\$5 ~ /cgroup\\/cpu(,cpuacct)?\$/ { print \$5; exit }" /proc/self/mountinfo)
	echo $(cat $d$p/cpu.cfs_quota_us) $(cat $d$p/cpu.cfs_period_us)
	cat /sys/devices/system/cpu/online; getconf _NPROCESSORS_ONLN') || pv_fail "--cpus failed"
set -- $out
[ "$(( $1 * 2 ))" = "$2" ] || pv_fail "cfs quota/period '$out' is not 0.5 CPU"
# ceil(quota/period) = 1 vCPU in the views.
[ "$3 $4" = "0 1" ] || pv_fail "--cpus 0.5: online/sysconf '$3 $4', want '0 1'"

# Namespaces: the command runs under a pid-1 init, with a fresh /proc.
out=$(run -- sh -c 'echo $$; cat /proc/1/comm; readlink /proc/self/ns/pid') || pv_fail "ns run failed"
set -- $out
[ "$1" = 2 ] || pv_fail "command pid inside is $1, want 2 (below the init)"
[ "$2" = procview-run ] || pv_fail "pid 1 inside is '$2'"
[ "$3" != "$(readlink /proc/self/ns/pid)" ] || pv_fail "same pid namespace as the host"
run -- sh -c 'grep -q "^MemTotal:" /proc/meminfo && awk "\$5 == \"/proc/meminfo\"" /proc/self/mountinfo | grep -q fuse' ||
	pv_fail "/proc/meminfo inside is not procview's"
run -- sh -c 'echo x > /proc/meminfo' 2>/dev/null && pv_fail "/proc/meminfo writable inside"

# Exit status and signals.
run -- sh -c 'exit 7'; rc=$?
[ "$rc" = 7 ] || pv_fail "exit status $rc, want 7"
run -- sh -c 'kill -KILL $$'; rc=$?
[ "$rc" = 137 ] || pv_fail "killed command gives $rc, want 137"
run -- /nonexistent/cmd 2>/dev/null; rc=$?
[ "$rc" = 127 ] || pv_fail "missing command gives $rc, want 127"

# SIGTERM to procview-run reaches the command (through the pid-1 init),
# its status comes back and the cgroup goes.
"$PV_RUN" --mount "$PV_MNT" --cgroup-name "$name-sig" -- sh -c 'trap "exit 3" TERM; echo up; sleep 30 & wait' > "$PV_TMP/sig" &
rp=$!
PV_PIDS+=("$rp")
for _ in $(seq 1 100); do grep -q up "$PV_TMP/sig" && break; sleep 0.05; done
kill -TERM "$rp"
wait "$rp"; rc=$?
[ "$rc" = 3 ] || pv_fail "SIGTERM forwarded: status $rc, want the command's 3"
[ -d "$(pv_own_cgdir memory)/$name-sig" ] && pv_fail "cgroup left after SIGTERM"

# Not served: a clear error, nothing run, nothing created.
out=$("$PV_RUN" --mount "$PV_TMP/nothing" --cgroup-name "$name-ns" -- touch "$PV_TMP/ran" 2>&1); rc=$?
[ "$rc" = 125 ] || pv_fail "unserved mount gives $rc, want 125"
grep -q "is not served: start procviewd" <<<"$out" || pv_fail "message: $out"
[ -e "$PV_TMP/ran" ] && pv_fail "command ran without views"
[ -d "$(pv_own_cgdir memory)/$name-ns" ] && pv_fail "cgroup created without views"
echo ok
