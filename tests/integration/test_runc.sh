#!/usr/bin/env bash
# A real container: busybox-static rootfs run by runc with a 256 MiB memory
# limit and a 50% CPU quota, the views bind-mounted (1) through config.json
# mounts and (2) through the OCI hook. free, cpuinfo, cpu/online and
# uptime (procps: /proc/uptime and /proc/loadavg) inside must match what the
# kernel says about the container's cgroup and when runc created it.
# A plain runc container without procview runs first: only if that fails is
# the test skipped (runc cannot run here); after it, any failure of runc,
# the hook or a view is a FAIL.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
RUNC=$(command -v runc || true)
[ -n "$RUNC" ] || pv_skip "runc not installed (apt-get install runc)"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || pv_skip "busybox not installed (apt-get install busybox-static)"
ldd "$BUSYBOX" >/dev/null 2>&1 && pv_skip "$BUSYBOX is dynamically linked (need busybox-static)"
FREE=$(command -v free || true)
[ -n "$FREE" ] && ! "$FREE" --version 2>&1 | grep -qi busybox || pv_skip "procps free not installed"
UPTIME=$(command -v uptime || true)
[ -n "$UPTIME" ] && "$UPTIME" --version 2>&1 | grep -q procps || pv_skip "procps uptime not installed"
HOOK=$PV_BUILD/procview-oci-hook
[ -x "$HOOK" ] || pv_fail "$HOOK not built"

RUNC_ROOT=$PV_TMP/runc-state     # our own runc state dir: no clash with others
CONTAINERS=()
runc_cleanup() {
	local id
	for id in "${CONTAINERS[@]}"; do
		"$RUNC" --root "$RUNC_ROOT" kill "$id" KILL >/dev/null 2>&1
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			"$RUNC" --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1 && break
			sleep 0.2
		done
	done
}
trap 'rc=$?; runc_cleanup; (exit $rc); pv_cleanup' EXIT

pv_daemon_start

# copy_bin BIN ROOTFS: BIN and the shared objects it loads, same paths.
copy_bin() {
	local bin=$1 root=$2 lib
	mkdir -p "$root/usr/bin"
	cp "$bin" "$root/usr/bin/$(basename "$bin")"
	for lib in $(ldd "$bin" | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# bundle DIR VARIANT: rootfs + config.json (VARIANT plain|mounts|hook).
make_bundle() {
	local dir=$1 variant=$2 a
	mkdir -p "$dir/rootfs"/{bin,proc,sys,dev,tmp,etc}
	cp "$BUSYBOX" "$dir/rootfs/bin/busybox"
	for a in sh cat grep sleep nproc head true; do ln -s busybox "$dir/rootfs/bin/$a"; done
	# busybox free and uptime take their figures from sysinfo(2), which
	# no file can change (see DESIGN.md); procps free and uptime read
	# /proc/meminfo, /proc/uptime and /proc/loadavg like the tools users
	# run. Copy them with their libraries.
	copy_bin "$FREE" "$dir/rootfs"
	copy_bin "$UPTIME" "$dir/rootfs"
	(cd "$dir" && "$RUNC" spec) || pv_fail "runc spec"
	VARIANT=$variant MNT=$PV_MNT HOOK=$HOOK CGPATH="$PV_TAG-$variant" /usr/bin/python3 - "$dir/config.json" <<'PY' ||
import json, os, sys
path = sys.argv[1]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["sleep", "600"] if os.environ["VARIANT"] != "plain" else ["true"]
c["root"]["readonly"] = True
lin = c["linux"]
# Relative: runc puts it below its own cgroup in every hierarchy, i.e.
# below ours (never reconfigure the host's cgroups).
lin["cgroupsPath"] = os.environ["CGPATH"]
lin["resources"] = {"memory": {"limit": 256 * 1024 * 1024},
                    "cpu": {"quota": 50000, "period": 100000}}
views = ["/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/uptime",
         "/proc/loadavg", "/proc/diskstats", "/proc/swaps",
         "/sys/devices/system/cpu/online"]
if os.environ["VARIANT"] == "plain":
    pass    # runc alone: no procview at all
elif os.environ["VARIANT"] == "mounts":
    # After /proc and /sys in the list: runc mounts in order.
    for v in views:
        c["mounts"].append({"destination": v, "type": "bind",
                            "source": os.environ["MNT"] + v,
                            "options": ["rbind", "ro"]})
else:
    c["hooks"] = {"createContainer": [{
        "path": os.environ["HOOK"],
        "args": ["procview-oci-hook", "--mount", os.environ["MNT"], "--strict"]}]}
json.dump(c, open(path, "w"), indent=1)
PY
	pv_fail "editing config.json"
}

# check ID: compare inside figures with the container's cgroup files.
check() {
	local id=$1 pid cgmem cgcpu limit quota period want_cpus got i
	local ex=("$RUNC" --root "$RUNC_ROOT" exec --env TZ=UTC "$id")
	pid=$("$RUNC" --root "$RUNC_ROOT" state "$id" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || pv_fail "$id: no init pid"

	# The kernel's view of this container.
	cgmem=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")
	cgcpu=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' "/proc/$pid/cgroup")
	if [ -n "$cgmem" ]; then   # cgroup v1 memory controller (hybrid)
		limit=$(cat "/sys/fs/cgroup/memory$cgmem/memory.limit_in_bytes")
		quota=$(cat "/sys/fs/cgroup/cpu$cgcpu/cpu.cfs_quota_us")
		period=$(cat "/sys/fs/cgroup/cpu$cgcpu/cpu.cfs_period_us")
	else                       # pure cgroup v2
		local v2; v2=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
		limit=$(cat "/sys/fs/cgroup$v2/memory.max")
		read -r quota period < "/sys/fs/cgroup$v2/cpu.max"
	fi
	[ "$limit" = $((256 * 1024 * 1024)) ] || pv_fail "$id: kernel limit $limit, runc did not apply 256 MiB"
	want_cpus=$(( (quota + period - 1) / period ))
	local ncpuset; ncpuset=$(grep -c ^processor /proc/cpuinfo)
	[ "$want_cpus" -le "$ncpuset" ] || want_cpus=$ncpuset

	# free (procps): total (KiB) is the limit.
	got=$("${ex[@]}" /usr/bin/free | awk '$1 == "Mem:" { print $2 }')
	[ "$got" = $((limit / 1024)) ] || pv_fail "$id: free total $got KiB, kernel limit $((limit / 1024)) KiB"
	# free's used is total - available; available <= total.
	"${ex[@]}" /usr/bin/free | awk '$1 == "Mem:" { exit !($NF <= $2 && $3 <= $2) }' ||
		pv_fail "$id: free columns inconsistent: $("${ex[@]}" /usr/bin/free | grep Mem:)"
	# vCPUs: ceil(quota/period).
	got=$("${ex[@]}" grep -c ^processor /proc/cpuinfo)
	[ "$got" = "$want_cpus" ] || pv_fail "$id: cpuinfo has $got processors, quota $quota/$period gives $want_cpus"
	got=$("${ex[@]}" head -n 1 /sys/devices/system/cpu/online)
	want=$([ "$want_cpus" = 1 ] && echo 0 || echo "0-$((want_cpus - 1))")
	[ "$got" = "$want" ] || pv_fail "$id: cpu/online '$got', want '$want'"
	# uptime: since runc created the container's cgroup (well below the
	# host's), growing.
	local up1 up2 host_up since since_s load_up load_file
	up1=$("${ex[@]}" head -n 1 /proc/uptime | awk '{ print $1 }')
	host_up=$(awk '{ print $1 }' /proc/uptime)
	awk -v u="$up1" -v a="$(date +%s.%N)" -v c="$created_lo" 'BEGIN { exit !(u >= 0 && u <= a - c + 1) }' ||
		pv_fail "$id: uptime $up1 s, runc created it $(awk -v a="$(date +%s.%N)" -v c="$created_lo" 'BEGIN { print a - c }') s ago (host $host_up)"
	sleep 1.1
	up2=$("${ex[@]}" head -n 1 /proc/uptime | awk '{ print $1 }')
	awk -v a="$up1" -v b="$up2" 'BEGIN { exit !(b - a >= 0.9 && b - a <= 5) }' ||
		pv_fail "$id: uptime $up1 -> $up2 over 1.1 s"
	# The real uptime(1), procps: "up since" is the cgroup's creation,
	# which happened while "runc run" ran; "up 0 min"; its load average
	# is the container's /proc/loadavg, not the host's.
	since=$("${ex[@]}" /usr/bin/uptime -s) || pv_fail "$id: uptime -s failed inside"
	since_s=$(TZ=UTC date -d "$since" +%s) || pv_fail "$id: uptime -s printed '$since'"
	awk -v s="$since_s" -v lo="$created_lo" -v hi="$created_hi" 'BEGIN { exit !(s >= int(lo) - 1 && s <= hi + 1) }' ||
		pv_fail "$id: uptime -s '$since' ($since_s), runc created the container between $created_lo and $created_hi"
	out=$("${ex[@]}" /usr/bin/uptime) || pv_fail "$id: uptime failed inside"
	load_file=$("${ex[@]}" head -n 1 /proc/loadavg | awk '{ print $1 ", " $2 ", " $3 }')
	load_up=$(sed -n 's/.*load average: //p' <<<"$out")
	grep -Eq ' up +0 min,' <<<"$out" || pv_fail "$id: uptime says '$out' for a container seconds old"
	[ "$load_up" = "$load_file" ] || pv_fail "$id: uptime load '$load_up', its /proc/loadavg '$load_file'"
	# The views really are procview's FUSE binds.
	"${ex[@]}" grep -q ' /proc/meminfo .* - fuse' /proc/self/mountinfo ||
		pv_fail "$id: /proc/meminfo is not a FUSE bind inside"
	# busybox cat copies with sendfile(2) (splice), not read(2): what
	# every busybox/Alpine container's "cat /proc/uptime" does.
	local f
	for f in /proc/uptime /sys/devices/system/cpu/online /proc/meminfo; do
		[ -n "$("${ex[@]}" cat "$f")" ] ||
			pv_fail "$id: busybox cat $f (sendfile) inside the container printed nothing"
	done
	pv_log "$id: free total $((limit / 1024)) KiB, $want_cpus vCPU, uptime $up1 -> $up2, uptime -s $since (runc ran $(TZ=UTC date -d "@${created_lo%.*}" +%T)-$(TZ=UTC date -d "@${created_hi%.*}" +%T)), '$out'"
}

# Pre-flight: runc alone, no procview. Whatever stops it here is this
# machine's, not ours: skip, naming runc's own words.
make_bundle "$PV_TMP/bundle-plain" plain
CONTAINERS+=("$PV_TAG-plain")
if ! "$RUNC" --root "$RUNC_ROOT" run --bundle "$PV_TMP/bundle-plain" "$PV_TAG-plain" \
	>"$PV_TMP/runc-plain.log" 2>&1 </dev/null; then
	cat "$PV_TMP/runc-plain.log" >&2
	pv_skip "runc cannot run even a plain container here (no procview involved): $(tail -n 1 "$PV_TMP/runc-plain.log")"
fi

for variant in mounts hook; do
	id=$PV_TAG-$variant
	bundle=$PV_TMP/bundle-$variant
	make_bundle "$bundle" "$variant"
	CONTAINERS+=("$id")
	created_lo=$(date +%s.%N)
	# Output to a file, not a pipe: runc -d keeps the pipe open forever.
	if ! "$RUNC" --root "$RUNC_ROOT" run -d --bundle "$bundle" "$id" \
		>"$PV_TMP/runc-$variant.log" 2>&1 </dev/null; then
		cat "$PV_TMP/runc-$variant.log" >&2
		pv_fail "runc run ($variant) failed where a plain container runs"
	fi
	created_hi=$(date +%s.%N)
	check "$id"
done
echo "ok: runc containers see their limits through config.json mounts and the OCI hook"
