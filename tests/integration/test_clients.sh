#!/bin/bash
# Unmodified clients inside containers whose /proc/stat and /proc/uptime are
# the served views (bind-mounted in a private mount namespace): top, vmstat,
# mpstat, uptime and psutil. A container with a 50% CPU quota and a burner
# shows its own busy share (checked against cpuacct.usage over the run); an
# idle container shows ~100% idle; psutil's boot_time is the container's start.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
for t in top vmstat mpstat uptime unshare; do command -v $t >/dev/null || pv_skip "no $t"; done
/usr/bin/python3 -c 'import psutil' 2>/dev/null || pv_skip "no psutil for /usr/bin/python3"
pv_daemon_start
pv_cg_create busy
pv_cg_create idle
qd=$(pv_cg_dir busy cpu)
[ -f "$qd/cpu.cfs_quota_us" ] || qd=$(pv_cg_dir busy cpu,cpuacct)
if [ -f "$qd/cpu.cfs_quota_us" ]; then
	echo 100000 > "$qd/cpu.cfs_period_us"; echo 50000 > "$qd/cpu.cfs_quota_us"
else
	echo "50000 100000" > "$(pv_cg_dir busy "")/cpu.max" || pv_skip "cannot set a CPU quota"
fi
pv_bg_in busy sh -c 'while :; do :; done'
pv_bg_in idle sleep 1000
sleep 1

# pv_client NAME CMD...: CMD in container NAME, seeing the served files.
pv_client() {
	local n=$1; shift
	pv_in "$n" unshare -m sh -c '
		mount --bind "$0/proc/stat" /proc/stat && mount --bind "$0/proc/uptime" /proc/uptime &&
		exec "$@"' "$PV_MNT" "$@"
}
# Kernel's busy percentage of one vCPU for container NAME over CMD's run.
pv_busy_pct() {
	local n=$1 u0 u1 t0 t1; shift
	u0=$(pv_cg_usage_ns "$n"); t0=$(pv_now)
	"$@" > "$PV_TMP/out"
	u1=$(pv_cg_usage_ns "$n"); t1=$(pv_now)
	awk -v a="$u0" -v b="$u1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e7 / (e - s) }'
}

# top: the last "%Cpu(s)" line covers the last second.
k=$(pv_busy_pct busy pv_client busy top -b -n 2 -d 1)
line=$(grep '%Cpu' "$PV_TMP/out" | tail -1)
pv_log "top (50% quota, kernel says ${k}% busy): $line"
read -r us sy ni id wa hi si st < <(sed 's/[^0-9. ]//g' <<<"${line#*:}")
tot=$(awk -v a="$us" -v b="$sy" -v c="$ni" -v d="$id" -v e="$wa" -v f="$hi" -v g="$si" -v h="$st" 'BEGIN { print a+b+c+d+e+f+g+h }')
pv_near "$tot" 100 1.5 || pv_fail "top percentages add up to $tot"
pv_near "$(awk -v a="$us" -v b="$sy" -v c="$ni" 'BEGIN { print a+b+c }')" "$k" 0 15 || pv_fail "top us+sy+ni $us+$sy+$ni, kernel ${k}%"
awk -v u="$us" 'BEGIN { exit !(u >= 25 && u <= 60) }' || pv_fail "top shows $us% user for a 50% quota burner"

line=$(pv_client idle top -b -n 2 -d 1 | grep '%Cpu' | tail -1)
pv_log "top (idle): $line"
read -r us sy ni id wa hi si st < <(sed 's/[^0-9. ]//g' <<<"${line#*:}")
awk -v i="$id" 'BEGIN { exit !(i >= 90) }' || pv_fail "idle container shows $id% idle"

# vmstat: us sy id wa st of the second line add up to 100; r counts the burner.
k=$(pv_busy_pct busy pv_client busy vmstat 1 2)
row=$(tail -1 "$PV_TMP/out")
pv_log "vmstat (busy, kernel ${k}%): $row"
read -r r b _ _ _ _ _ _ _ _ in cs us sy id wa st _ <<<"$row"
s=$((us + sy + id + wa + st))
[ "$s" -ge 97 ] && [ "$s" -le 103 ] || pv_fail "vmstat cpu columns add up to $s"
pv_near "$((us + sy))" "$k" 0 15 || pv_fail "vmstat us+sy $((us + sy)), kernel ${k}%"
[ "$r" -ge 1 ] && [ "$r" -le 3 ] || pv_fail "vmstat r=$r for one burner (+ vmstat itself)"
row=$(pv_client idle vmstat 1 2 | tail -1)
pv_log "vmstat (idle): $row"
read -r r b _ _ _ _ _ _ _ _ in cs us sy id wa st _ <<<"$row"
[ "$id" -ge 90 ] || pv_fail "vmstat idle container id=$id"

# mpstat: the idle container (its vCPUs are the host's CPUs, as sysfs shows).
row=$(pv_client idle mpstat 1 1 | awk '$1 == "Average:" && $2 == "all"')
pv_log "mpstat (idle): $row"
awk '{ s = 0; for (i = 3; i <= 12; i++) s += $i; if (s < 98.5 || s > 101.5 || $12 < 90) exit 1 }' <<<"$row" ||
	pv_fail "mpstat: $row"

# uptime and psutil: the container's age, not the host's.
up=$(pv_client idle uptime)
pv_log "uptime (idle): $up"
grep -Eq 'up +(0|1) min' <<<"$up" || pv_fail "uptime shows $up for a container a few seconds old"
out=$(pv_client busy /usr/bin/python3 -c '
import psutil, time
bt = psutil.boot_time()
t = psutil.cpu_times()
psutil.cpu_percent(); psutil.cpu_times_percent()
time.sleep(1)
p = psutil.cpu_percent(); tp = psutil.cpu_times_percent()
print("%.2f %.2f %.2f %.2f %.1f %.1f %d" % (time.time() - bt, t.user, t.idle, t.steal, p, tp.user, psutil.cpu_count()))')
pv_log "psutil (busy): age user idle steal percent user% ncpu = $out"
read -r age user idle steal pct upct ncpu <<<"$out"
upt=$(pv_in busy cat "$PV_MNT/proc/uptime"); upt=${upt%% *}
pv_near "$age" "$upt" 0 1.5 || pv_fail "psutil age $age, container uptime $upt"
# psutil counts steal (here: the throttled half) as busy, as in a VM whose
# vCPU is half stolen: the saturated container is ~100% busy, ~50% user.
awk -v p="$pct" 'BEGIN { exit !(p >= 80) }' || pv_fail "psutil cpu_percent $pct for a saturated 50% quota container"
awk -v p="$upct" 'BEGIN { exit !(p >= 25 && p <= 65) }' || pv_fail "psutil user $upct% for a 50% quota burner"
awk -v u="$user" -v a="$age" 'BEGIN { exit !(u > 0 && u <= a * 1.01 + 0.02) }' || pv_fail "psutil user $user s in a $age s old container of 1 vCPU"

# The same through procview-run (own pid and mount namespaces, every view
# bound): a 0.5-CPU burner shows ~50% user in top; uptime is the new
# container's; the kernel's usage of its cgroup is the ground truth.
if [ -x "$PV_RUN" ]; then
	name=$PV_TAG-run
	acct=$(pv_own_cgdir cpuacct 2>/dev/null || pv_own_cgdir cpu,cpuacct 2>/dev/null)
	out=$("$PV_RUN" --mount "$PV_MNT" --cpus 0.5 --cgroup-name "$name" -- sh -c '
		sh -c "while :; do :; done" & b=$!
		sleep 1
		u0=$(cat "$1/cpuacct.usage" 2>/dev/null || echo 0); t0=$(date +%s.%N)
		top -b -n 2 -d 1 | grep "%Cpu" | tail -1
		u1=$(cat "$1/cpuacct.usage" 2>/dev/null || echo 0); t1=$(date +%s.%N)
		awk -v a="$u0" -v b="$u1" -v s="$t0" -v e="$t1" "BEGIN { printf \"kernel %.1f\n\", (b - a) / 1e7 / (e - s) }"
		uptime
		kill $b' sh "$acct/$name") || pv_fail "procview-run failed: $out"
	pv_log "procview-run --cpus 0.5: $(tr '\n' '|' <<<"$out")"
	line=$(grep '%Cpu' <<<"$out"); k=$(awk '/^kernel/ { print $2 }' <<<"$out")
	read -r us sy ni id wa hi si st < <(sed 's/[^0-9. ]//g' <<<"${line#*:}")
	awk -v u="$us" 'BEGIN { exit !(u >= 25 && u <= 60) }' || pv_fail "procview-run top: $us% user for a 0.5-CPU burner"
	[ "$k" = "0.0" ] || pv_near "$(awk -v a="$us" -v b="$sy" -v c="$ni" 'BEGIN { print a+b+c }')" "$k" 0 15 ||
		pv_fail "procview-run top us+sy+ni vs kernel ${k}%"
	grep -Eq 'up +0 min' <<<"$out" || pv_fail "procview-run uptime: $(grep up <<<"$out")"
fi
echo "ok"
