#!/usr/bin/env bash
# A real container: busybox-static rootfs run by runc with a 256 MiB memory
# limit and a 50% CPU quota, the views bind-mounted (1) through config.json
# mounts and (2) through the OCI hook. free, cpuinfo and uptime inside must
# match what the kernel says about the container's cgroup.
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

# bundle DIR VARIANT: rootfs + config.json (VARIANT mounts|hook).
make_bundle() {
	local dir=$1 variant=$2 a
	mkdir -p "$dir/rootfs"/{bin,proc,sys,dev,tmp,etc}
	cp "$BUSYBOX" "$dir/rootfs/bin/busybox"
	for a in sh cat grep sleep uptime nproc head; do ln -s busybox "$dir/rootfs/bin/$a"; done
	# busybox free takes its totals from sysinfo(2), which no file can
	# change (see DESIGN.md); procps free reads /proc/meminfo like the
	# tools users run. Copy it with its libraries.
	copy_bin "$FREE" "$dir/rootfs"
	(cd "$dir" && "$RUNC" spec) || pv_fail "runc spec"
	VARIANT=$variant MNT=$PV_MNT HOOK=$HOOK CGPATH="$PV_TAG-$variant" /usr/bin/python3 - "$dir/config.json" <<'PY' ||
import json, os, sys
path = sys.argv[1]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["sleep", "600"]
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
if os.environ["VARIANT"] == "mounts":
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
	local ex=("$RUNC" --root "$RUNC_ROOT" exec "$id")
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
	# uptime: since the container started (well below the host's), growing.
	local up1 up2 host_up age
	up1=$("${ex[@]}" head -n 1 /proc/uptime | awk '{ print $1 }')
	host_up=$(awk '{ print $1 }' /proc/uptime)
	age=$(( $(date +%s) - started ))
	awk -v u="$up1" -v a="$age" 'BEGIN { exit !(u >= 0 && u <= a + 2) }' ||
		pv_fail "$id: uptime $up1 s, container started $age s ago (host $host_up)"
	sleep 1.1
	up2=$("${ex[@]}" head -n 1 /proc/uptime | awk '{ print $1 }')
	awk -v a="$up1" -v b="$up2" 'BEGIN { exit !(b - a >= 0.9 && b - a <= 5) }' ||
		pv_fail "$id: uptime $up1 -> $up2 over 1.1 s"
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
	pv_log "$id: free total $((limit / 1024)) KiB, $want_cpus vCPU, uptime $up1 -> $up2"
}

for variant in mounts hook; do
	id=$PV_TAG-$variant
	bundle=$PV_TMP/bundle-$variant
	make_bundle "$bundle" "$variant"
	started=$(date +%s)
	CONTAINERS+=("$id")
	# Output to a file, not a pipe: runc -d keeps the pipe open forever.
	if ! "$RUNC" --root "$RUNC_ROOT" run -d --bundle "$bundle" "$id" \
		>"$PV_TMP/runc-$variant.log" 2>&1 </dev/null; then
		cat "$PV_TMP/runc-$variant.log" >&2
		grep -qi 'permission denied\|operation not permitted\|no such file.*cgroup' "$PV_TMP/runc-$variant.log" &&
			pv_skip "runc cannot create a container here: $(tail -n 1 "$PV_TMP/runc-$variant.log")"
		pv_fail "runc run ($variant)"
	fi
	check "$id"
done
echo "ok: runc containers see their limits through config.json mounts and the OCI hook"
