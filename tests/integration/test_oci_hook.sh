#!/usr/bin/env bash
# procview-oci-hook without a container runtime: the OCI state on stdin,
# a "container" made with unshare, the three places a hook can run in
# (createContainer: inside the container's mount namespace before
# pivot_root; runtime namespace before and after pivot_root), robust JSON
# reading, and never failing the container when procviewd is not serving.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
HOOK=$PV_BUILD/procview-oci-hook
[ -x "$HOOK" ] || pv_fail "$HOOK not built"
command -v unshare >/dev/null || pv_skip "unshare (util-linux) missing"

# A bundle whose path needs JSON escapes (space, quote, backslash, ü).
B=$PV_TMP/'bun "dle\ü'
R=$B/rootfs
mkdir -p "$R"/{proc,sys,bin}
jstr() { /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=True))' "$1"; }
printf '{"ociVersion":"1.0.2","root":{"readonly":true,"path":"rootfs"},"process":{"args":["sh"]}}\n' > "$B/config.json"
# state PID: decoy "pid"/"bundle" keys nested in annotations must be ignored.
state() {
	printf '{"ociVersion":"1.0.2","annotations":{"pid":"7","x":{"bundle":"/nope"}},"id":"pvt\\u0041","status":"creating","pid":%s,"bundle":%s}\n' \
		"$1" "$(jstr "$B")"
}

# 1. procviewd not serving: exit 0, say so; --strict exits 1.
err=$(state 1 | "$HOOK" --mount "$PV_MNT" 2>&1 >/dev/null); rc=$?
[ $rc -eq 0 ] || pv_fail "hook failed the container (rc=$rc) when procviewd is down"
grep -q 'not serving' <<<"$err" || pv_fail "no 'not serving' message: $err"
grep -q 'container pvtA' <<<"$err" || pv_fail "id not decoded from JSON: $err"
state 1 | "$HOOK" --mount "$PV_MNT" --strict 2>/dev/null && pv_fail "--strict should report the failure"
# Garbage and empty input never fail the container either.
for input in '' 'not json' '{"pid": 12' '{"id":"x","pid":"nan","bundle":"/"}'; do
	printf '%s' "$input" | "$HOOK" --mount "$PV_MNT" 2>/dev/null || pv_fail "hook failed on input '$input'"
done

pv_daemon_start
views="/proc/meminfo /proc/cpuinfo /proc/stat /proc/uptime /proc/loadavg /proc/diskstats /proc/swaps /sys/devices/system/cpu/online"

# fuse_binds MOUNTINFO-FILE PREFIX: how many views are FUSE binds there.
fuse_binds() {
	local n=0 v
	for v in $views; do
		awk -v t="$2$v" '{ split($0, a, " - "); split(a[1], f, " ");
			gsub(/\\040/, " ", f[5]); gsub(/\\134/, "\\", f[5]);
			if (f[5] == t && a[2] ~ /^fuse/) found = 1 } END { exit !found }' "$1" && n=$((n + 1))
	done
	echo "$n"
}
nviews=$(wc -w <<<"$views")

# 2. createContainer: the hook runs inside the container's mount namespace
#    with its procfs at <rootfs>/proc; state pid is 1 (runc's pid namespace).
unshare -m --propagation private bash -c '
	mount -t proc proc "$1/proc" && mount -t sysfs sysfs "$1/sys" || exit 99
	"$2" --mount "$3" --strict < "$4" || exit $?
	cat /proc/self/mountinfo > "$5"' _ "$R" "$HOOK" "$PV_MNT" <(state 1) "$PV_TMP/mi-create"
rc=$?
[ $rc -eq 0 ] || pv_fail "createContainer-style run failed (rc=$rc)"
n=$(fuse_binds "$PV_TMP/mi-create" "$R")
[ "$n" = "$nviews" ] || pv_fail "createContainer: $n of $nviews views bound under the rootfs"
# Nothing leaked into our own namespace.
grep -qF "$R/proc" /proc/self/mountinfo && pv_fail "mount leaked into the host namespace"

# 3. runtime namespace, before pivot_root: a process whose root is still
#    the host's, its procfs at <rootfs>/proc of its own mount namespace.
unshare -m --propagation private bash -c '
	mount -t proc proc "$1/proc" && mount -t sysfs sysfs "$1/sys" && exec sleep 60' _ "$R" &
PV_PIDS+=($!); pid=$!
for _ in $(seq 1 50); do grep -q " $R/proc " "/proc/$pid/mountinfo" 2>/dev/null && break; sleep 0.05; done
state "$pid" | "$HOOK" --mount "$PV_MNT" --strict || pv_fail "runtime-namespace hook failed"
n=$(fuse_binds "/proc/$pid/mountinfo" "$R")
[ "$n" = "$nviews" ] || pv_fail "runtime namespace: $n of $nviews views bound"
# The container reads procview's file: first line equals the view's.
[ "$(head -n1 "/proc/$pid/root$R/proc/meminfo")" = "$(head -n1 "$PV_MNT/proc/meminfo")" ] ||
	pv_fail "bound meminfo differs from the view"

# 4. runtime namespace after pivot_root: its root is the rootfs.
BUSYBOX=$(command -v busybox || true)
if [ -n "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1; then
	cp "$BUSYBOX" "$R/bin/busybox"
	unshare -m --propagation private bash -c '
		mount -t proc proc "$1/proc" && mount -t sysfs sysfs "$1/sys" &&
		exec chroot "$1" /bin/busybox sleep 60' _ "$R" &
	PV_PIDS+=($!); pid=$!
	for _ in $(seq 1 50); do grep -q ' /proc proc ' "/proc/$pid/mountinfo" 2>/dev/null && break; sleep 0.05; done
	state "$pid" | "$HOOK" --mount "$PV_MNT" --strict || pv_fail "after-pivot hook failed"
	n=$(fuse_binds "/proc/$pid/mountinfo" "")
	[ "$n" = "$nviews" ] || pv_fail "after pivot: $n of $nviews views bound at /proc/... of its root"
else
	pv_log "busybox-static missing: after-pivot case not run"
fi
echo "ok: hook binds every view in all three placements and never fails the container"
