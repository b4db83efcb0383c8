#!/bin/bash
# Unmodified clients inside procview-run containers (own pid and mount
# namespaces, every view bind-mounted): top, vmstat, mpstat, uptime and
# python psutil. A --cpus 0.5 container with a busy loop (one vCPU) shows
# its own busy share as user time (the throttled half is steal); an idle
# container shows ~100% idle; psutil's boot_time is the container's start
# (btime) and its cpu_times add up to the container's own CPU usage.
# Ground truth, from the kernel: each container's cgroup usage counter
# (cpuacct.usage, or cpu.stat usage_usec) read inside right before and after
# each client, its CFS quota and cpuset, and the wall clock around its start.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
for t in top vmstat mpstat uptime; do command -v $t >/dev/null || pv_skip "no $t"; done
/usr/bin/python3 -c 'import psutil' 2>/dev/null || pv_skip "no psutil for /usr/bin/python3"
[ -x "$PV_RUN" ] || pv_fail "$PV_RUN not built"
pv_daemon_start

# The script a container runs: $1 its cgroup directory in the hierarchy that
# counts its CPU usage, $2 busy|idle, $3 its directory in the cpu hierarchy.
# Every client's output is framed by "== NAME" and "== end USAGE0_NS
# USAGE1_NS T0 T1" (kernel usage, wall clock).
cat > "$PV_TMP/inner.sh" <<'EOF'
d=$1
if [ -f "$3/cpu.cfs_quota_us" ]; then echo "== quota $(cat "$3/cpu.cfs_quota_us") $(cat "$3/cpu.cfs_period_us")"
else echo "== quota $(cat "$3/cpu.max" 2>/dev/null || echo "max 100000")"; fi
usage() {
	if [ -f "$d/cpuacct.usage" ]; then cat "$d/cpuacct.usage"
	else awk '$1 == "usage_usec" { print $2 * 1000 }' "$d/cpu.stat"; fi
}
echo "== start $(date +%s.%N)"
[ "$2" = busy ] && { sh -c 'while :; do :; done' & }
sleep 1
run() {
	n=$1; shift
	u0=$(usage); t0=$(date +%s.%N)
	echo "== $n"
	"$@"
	u1=$(usage); t1=$(date +%s.%N)
	echo "== end $u0 $u1 $t0 $t1"
}
run top top -b -n 2 -d 1
run vmstat vmstat 1 2
run mpstat mpstat 1 1
run uptime uptime
run psutil /usr/bin/python3 "${0%/*}/client_psutil.py" "$d"
run stat cat /proc/stat
[ "$2" = busy ] && kill %1
exit 0
EOF
cat > "$PV_TMP/client_psutil.py" <<'EOF'
import psutil, sys, time

d = sys.argv[1]


def usage():
    try:
        return int(open(d + "/cpuacct.usage").read()) / 1e9
    except FileNotFoundError:
        for line in open(d + "/cpu.stat"):
            k, v = line.split()
            if k == "usage_usec":
                return int(v) / 1e6


w0, u0 = time.time(), usage()
t = psutil.cpu_times()
u1, w1 = usage(), time.time()
btime = [int(l.split()[1]) for l in open("/proc/stat") if l.startswith("btime ")][0]
up = float(open("/proc/uptime").read().split()[0])
now = time.time()
psutil.cpu_percent()
psutil.cpu_times_percent()
k0, c0 = usage(), time.time()
time.sleep(1)
p = psutil.cpu_percent()
tp = psutil.cpu_times_percent()
k1, c1 = usage(), time.time()
print("w0=%.3f w1=%.3f u0=%.3f u1=%.3f used=%.2f total=%.2f ncpu=%d" % (
    w0, w1, u0, u1, t.user + t.nice + t.system, sum(t), psutil.cpu_count()))
print("boot=%.0f btime=%d upt=%.2f now=%.3f" % (psutil.boot_time(), btime, up, now))
print("pct=%.1f user=%.1f busy=%.1f idle=%.1f kern=%.1f" % (
    p, tp.user, tp.user + tp.nice + tp.system, tp.idle,
    (k1 - k0) * 100 / (c1 - c0) / psutil.cpu_count()))
EOF

acct=$(pv_own_cgdir cpuacct 2>/dev/null || pv_own_cgdir cpu,cpuacct 2>/dev/null || pv_own_cgdir "")
cpudir=$(pv_own_cgdir cpu 2>/dev/null || pv_own_cgdir cpu,cpuacct 2>/dev/null || pv_own_cgdir "")
cpuset=$(pv_own_cgdir cpuset 2>/dev/null || pv_own_cgdir "")
# CPUs our own cgroup may use: a container below it inherits them.
ncpus_own=$(awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-"); c += (n == 2 ? r[2] - r[1] + 1 : 1) } }
	END { print c }' "$cpuset/cpuset.effective_cpus")

# container MODE ARGS...: run inner.sh in a procview-run container; sets
# OUT (its output), LAUNCH (wall clock before procview-run made the cgroup),
# NV (its vCPUs by the kernel's files: the cpuset, at most ceil(quota/period)).
container() {
	local mode=$1 name=$PV_TAG-$1; shift
	LAUNCH=$(pv_now)
	OUT=$("$PV_RUN" --mount "$PV_MNT" --cgroup-name "$name" "$@" -- \
		sh "$PV_TMP/inner.sh" "$acct/$name" "$mode" "$cpudir/$name" 2>&1) || pv_fail "procview-run ($mode) failed: $OUT"
	NV=$(awk -v n="$ncpus_own" '$1 == "==" && $2 == "quota" {
		if ($3 != "max" && $3 > 0) { q = int(($3 + $4 - 1) / $4); if (q < n) n = q }
		print n; exit }' <<<"$OUT")
	[ -n "$NV" ] || pv_fail "$mode: no quota line: $OUT"
}
# section NAME: the output of client NAME.
section() { awk -v n="$1" '$0 == "== " n { on = 1; next } on && /^== end / { exit } on' <<<"$OUT"; }
# kpct NAME NVCPU: the kernel's busy percentage of the container's NVCPU
# vCPUs over client NAME's run.
kpct() {
	awk -v n="$1" -v nv="$2" '$0 == "== " n { on = 1; next } on && /^== end / {
		printf "%.1f", ($4 - $3) / 1e7 / ($6 - $5) / nv; exit }' <<<"$OUT"
}
# Columns of top's last "%Cpu(s)" line: us sy ni id wa hi si st.
top_cols() { section top | grep '%Cpu' | tail -1 | sed 's/^[^:]*://; s/[^0-9. ]//g'; }
sum() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s }'; }

check_clients() {
	local mode=$1 nv=$NV k line us sy ni id wa hi si st r b in cs row s nstat
	nstat=$(section stat | grep -c '^cpu[0-9]')
	[ "$nstat" = "$nv" ] || pv_fail "$mode: /proc/stat has $nstat vCPUs, the kernel's cgroup files say $nv"

	# top: percentages add up to 100; us+sy+ni is the kernel's busy share.
	k=$(kpct top "$nv"); line=$(top_cols)
	pv_log "$mode top (kernel ${k}% busy): $line"
	read -r us sy ni id wa hi si st <<<"$line"
	pv_near "$(sum <<<"$line")" 100 1.5 || pv_fail "$mode: top percentages add up to $(sum <<<"$line")"
	pv_near "$(sum <<<"$us $sy $ni")" "$k" 0 15 || pv_fail "$mode: top us+sy+ni $us+$sy+$ni, kernel ${k}%"
	if [ "$mode" = busy ]; then
		awk -v u="$us" 'BEGIN { exit !(u >= 25 && u <= 65) }' || pv_fail "top shows $us% user for a 0.5-CPU burner"
	else
		awk -v i="$id" 'BEGIN { exit !(i >= 90) }' || pv_fail "top shows $id% idle in an idle container"
	fi

	# vmstat: us sy id wa st of the 1 s line add up to 100; r counts the burner.
	k=$(kpct vmstat "$nv"); row=$(section vmstat | tail -1)
	pv_log "$mode vmstat (kernel ${k}%): $row"
	read -r r b _ _ _ _ _ _ _ _ in cs us sy id wa st _ <<<"$row"
	s=$((us + sy + id + wa + st))
	[ "$s" -ge 97 ] && [ "$s" -le 103 ] || pv_fail "$mode: vmstat cpu columns add up to $s"
	pv_near "$((us + sy))" "$k" 0 15 || pv_fail "$mode: vmstat us+sy $((us + sy)), kernel ${k}%"
	if [ "$mode" = busy ]; then
		[ "$r" -ge 1 ] && [ "$r" -le 3 ] || pv_fail "vmstat r=$r for one burner (+ vmstat itself)"
	else
		[ "$id" -ge 90 ] || pv_fail "vmstat shows id=$id in an idle container"
	fi

	# mpstat: the "all" average.
	k=$(kpct mpstat "$nv"); row=$(section mpstat | awk '$1 == "Average:" && $2 == "all"')
	pv_log "$mode mpstat (kernel ${k}%): $row"
	[ -n "$row" ] || pv_fail "$mode: no mpstat average: $(section mpstat)"
	awk '{ s = 0; for (i = 3; i <= 12; i++) s += $i; exit !(s >= 98.5 && s <= 101.5) }' <<<"$row" ||
		pv_fail "$mode: mpstat columns do not add up to 100: $row"
	pv_near "$(awk '{ print $3 + $4 + $5 }' <<<"$row")" "$k" 0 15 || pv_fail "$mode: mpstat usr+nice+sys vs kernel ${k}%: $row"
	[ "$mode" = busy ] || awk '{ exit !($12 >= 90) }' <<<"$row" || pv_fail "mpstat idle container: $row"

	# uptime: the container's age (seconds), not the host's.
	line=$(section uptime)
	pv_log "$mode uptime: $line"
	grep -Eq 'up +0 min' <<<"$line" || pv_fail "$mode: uptime shows '$line' for a container seconds old"

	# psutil: cpu_count = vCPUs; boot_time = btime; btime + uptime = now;
	# the age matches the cgroup's creation (after LAUNCH, before the
	# script started); cpu_times user+nice+system = the cgroup's usage
	# (3% or 3 ticks); all columns = vCPUs x age (1% + 3 ticks).
	local start ps w0 w1 u0 u1 used total ncpu boot btime upt now pct user busy idle kern
	start=$(awk '$1 == "==" && $2 == "start" { print $3 }' <<<"$OUT")
	ps=$(section psutil)
	pv_log "$mode psutil: $(tr '\n' ' ' <<<"$ps")"
	eval "$(sed 's/ /\n/g' <<<"$ps" | grep -E '^[a-z0-9]+=[0-9.-]+$')"
	[ "$ncpu" = "$nv" ] || pv_fail "$mode: psutil.cpu_count() $ncpu, kernel cgroup files say $nv"
	[ "$boot" = "$btime" ] || pv_fail "$mode: psutil boot_time $boot != /proc/stat btime $btime"
	pv_near "$(awk -v b="$btime" -v u="$upt" 'BEGIN { printf "%.3f", b + u }')" "$now" 0 1.05 ||
		pv_fail "$mode: btime $btime + uptime $upt != now $now"
	awk -v b="$boot" -v l="$LAUNCH" -v s="$start" 'BEGIN { exit !(b >= l - 1 && b <= s + 1) }' ||
		pv_fail "$mode: boot_time $boot, but the cgroup was made between $LAUNCH and $start"
	awk -v x="$used" -v a="$u0" -v b="$u1" 'BEGIN { t = b * 0.03; if (t < 0.03) t = 0.03
		exit !(x >= a - t && x <= b + t) }' || pv_fail "$mode: psutil user+nice+system $used s, cgroup usage $u0..$u1 s"
	awk -v x="$total" -v n="$nv" -v w0="$w0" -v w1="$w1" -v l="$LAUNCH" -v s="$start" 'BEGIN {
		lo = n * (w0 - s); hi = n * (w1 - l); t = hi / 100 + 0.03 * n
		exit !(x >= lo - t && x <= hi + t) }' ||
		pv_fail "$mode: psutil cpu_times add up to $total s for $nv vCPUs of a container made between $LAUNCH and $start"
	pv_near "$busy" "$kern" 0 15 || pv_fail "$mode: psutil user+nice+system $busy%, kernel $kern%"
	if [ "$mode" = busy ]; then
		# psutil counts steal (the throttled half) as busy, as in a VM whose
		# vCPU is half stolen: the saturated container is ~100% busy.
		awk -v p="$pct" 'BEGIN { exit !(p >= 80) }' || pv_fail "psutil cpu_percent $pct for a saturated 0.5-CPU container"
		awk -v p="$user" 'BEGIN { exit !(p >= 25 && p <= 65) }' || pv_fail "psutil user $user% for a 0.5-CPU burner"
	else
		awk -v p="$pct" -v k="$kern" 'BEGIN { exit !(p <= k + 10) }' || pv_fail "psutil cpu_percent $pct in an idle container (kernel $kern%)"
		awk -v i="$idle" 'BEGIN { exit !(i >= 85) }' || pv_fail "psutil idle $idle% in an idle container"
	fi
}

container busy --cpus 0.5
[ "$NV" = 1 ] || pv_fail "--cpus 0.5 made a container of $NV vCPUs by the kernel's quota"
check_clients busy
container idle
check_clients idle
echo "ok"
