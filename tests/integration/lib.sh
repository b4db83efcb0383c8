# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for integration tests: source it, then call pv_init.
# Everything a test creates (cgroups below our own cgroup in every hierarchy,
# a unique mountpoint and pin directory, processes we start) is recorded and
# removed by the EXIT trap, also when the test fails.

PV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PV_BUILD=${PV_BUILD:-$PV_ROOT/build}
PV_DAEMON=$PV_BUILD/procviewd
PV_RUN=$PV_BUILD/procview-run
PV_TAG="pvt-$$-$RANDOM"
PV_TMP=""
PV_MNT=""
PV_PIN=""
PV_DAEMON_PID=""
PV_SAN_DIR=""     # sanitizer reports of a sanitized daemon (see pv_init)
PV_DAEMON_RC=""   # exit status pv_daemon_stop saw
PV_CGROUPS=()     # absolute cgroup directories we made (deepest last)
PV_PIDS=()        # background processes we started

pv_fail() { echo "FAIL: $*" >&2; exit 1; }
pv_skip() { echo "skip: $*"; exit 77; }
pv_log() { echo "# $*"; }

pv_require_root() {
	[ "$(id -u)" = 0 ] || pv_skip "needs root"
	[ -c /dev/fuse ] || pv_skip "no /dev/fuse"
	[ -x "$PV_DAEMON" ] || pv_fail "$PV_DAEMON not built (make all)"
}

# pv_sanitized BIN: built with ASan or UBSan? (clang links the runtimes
# statically, gcc dynamically: the symbols tell both apart from a plain build)
pv_sanitized() {
	{ nm "$1"; nm -D "$1"; } 2>/dev/null | grep -qE ' (__asan_init|__ubsan_handle_[a-z_]+)$'
}

pv_init() {
	pv_require_root
	PV_TMP=$(mktemp -d "/tmp/$PV_TAG.XXXXXX")
	# A sanitized daemon (and tool) writes its reports here, not to a log
	# nobody reads; pv_cleanup fails the test on any.
	if pv_sanitized "$PV_DAEMON"; then
		PV_SAN_DIR=$PV_TMP/san
		mkdir -p "$PV_SAN_DIR"
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$PV_SAN_DIR/asan:detect_leaks=1:halt_on_error=1"
		export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$PV_SAN_DIR/ubsan:print_stacktrace=1:halt_on_error=1"
	fi
	PV_MNT=$PV_TMP/mnt
	mkdir -p "$PV_MNT"
	grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
	PV_PIN=/sys/fs/bpf/$PV_TAG
	# Restart-repair history (daemon/remount.h) stays with the test, not in /run.
	export PV_STATE_DIR=$PV_TMP/state
	trap pv_cleanup EXIT
	trap 'exit 130' INT TERM
}

# Start procviewd in the foreground (backgrounded here) on $PV_MNT with our
# own pin dir; extra arguments go to the daemon. Waits until it serves.
pv_daemon_start() {
	"$PV_DAEMON" -f --pidfile "$PV_TMP/pid" --bpf-pin-dir "$PV_PIN" "$@" "$PV_MNT" \
		>>"$PV_TMP/daemon.log" 2>&1 &
	PV_DAEMON_PID=$!
	local i
	for i in $(seq 1 200); do
		if grep -q " $PV_MNT fuse" /proc/mounts && head -c1 "$PV_MNT/proc/meminfo" >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$PV_DAEMON_PID" 2>/dev/null || { cat "$PV_TMP/daemon.log" >&2; pv_fail "procviewd exited"; }
		sleep 0.05
	done
	cat "$PV_TMP/daemon.log" >&2
	pv_fail "procviewd did not serve $PV_MNT within 10 s"
}

# Stop the daemon we started: SIGTERM (or the signal given), then wait.
pv_daemon_stop() {
	local sig=${1:-TERM}
	[ -n "$PV_DAEMON_PID" ] || return 0
	kill -"$sig" "$PV_DAEMON_PID" 2>/dev/null
	wait "$PV_DAEMON_PID" 2>/dev/null
	PV_DAEMON_RC=$?
	PV_DAEMON_PID=""
	if grep -q " $PV_MNT fuse" /proc/mounts; then
		fusermount3 -u "$PV_MNT" 2>/dev/null || umount -l "$PV_MNT" 2>/dev/null
	fi
	return 0
}

# Mount points of every cgroup hierarchy, one "mountdir<TAB>ctrlfield" per
# line, where ctrlfield is the /proc/self/cgroup controller field.
pv_hierarchies() {
	awk '$0 ~ / - cgroup2? / {
		split($0, a, " - "); split(a[2], b, " ");
		if (b[1] == "cgroup2") { print $5 "\t" ; next }
		n = split(b[3], o, ","); f = "";
		for (i = 1; i <= n; i++)
			if (o[i] ~ /^(cpu|cpuacct|cpuset|memory|blkio|io|pids|devices|freezer|net_cls|net_prio|perf_event|hugetlb|rdma|misc)$/ || o[i] ~ /^name=/)
				f = (f == "" ? o[i] : f "," o[i]);
		print $5 "\t" f }' /proc/self/mountinfo
}

# Our own cgroup directory in the hierarchy whose controller field is $1.
pv_own_cgdir() {
	local want=$1 mnt field path
	while IFS=$'\t' read -r mnt field; do
		[ "$field" = "$want" ] || continue
		path=$(awk -F: -v f="$want" '$2 == f { sub(/^[^:]*:[^:]*:/, ""); print; exit }' /proc/self/cgroup)
		echo "$mnt${path%/}"
		return 0
	done < <(pv_hierarchies)
	return 1
}

# pv_cg_create NAME: make $PV_TAG-NAME below our own cgroup in every
# hierarchy (v1 controllers, name=systemd, unified). Prints nothing.
pv_cg_create() {
	local name=$1 mnt field own dir
	while IFS=$'\t' read -r mnt field; do
		own=$(pv_own_cgdir "$field") || continue
		dir=$own/$PV_TAG-$name
		mkdir -p "$dir" || pv_fail "mkdir $dir"
		PV_CGROUPS+=("$dir")
		case "$field" in *cpuset*)
			cat "$own/cpuset.cpus" > "$dir/cpuset.cpus"
			cat "$own/cpuset.mems" > "$dir/cpuset.mems" ;;
		esac
	done < <(pv_hierarchies)
}

# pv_cg_dir NAME CONTROLLER-FIELD: directory of our test cgroup there
# ("" for the unified hierarchy).
pv_cg_dir() { echo "$(pv_own_cgdir "$2")/$PV_TAG-$1"; }

# pv_cg_enter NAME PID: move PID into the test cgroup in every hierarchy.
pv_cg_enter() {
	local name=$1 pid=$2 d
	for d in "${PV_CGROUPS[@]}"; do
		[ "$(basename "$d")" = "$PV_TAG-$name" ] || continue
		echo "$pid" > "$d/cgroup.procs" || pv_fail "enter $d"
	done
}

# Skip unless this kernel lets the daemon take reader identities from its
# own record (bpf/reader_id.bpf.c needs the fuse_request_send tracepoint,
# 6.15+); after pv_daemon_start, pv_kernel_identity_in_use fails the test
# when the daemon fell back to /proc anyway.
pv_need_kernel_identity() {
	command -v bpftool >/dev/null || pv_skip "needs bpftool to see the kernel's tracepoints"
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
		grep -q "'btf_trace_fuse_request_send'" ||
		pv_skip "this kernel has no fuse_request_send tracepoint: readers are looked up in /proc"
}
pv_kernel_identity_in_use() {
	! grep -q 'identified through /proc' "$PV_TMP/daemon.log" ||
		pv_fail "the kernel identity is not in use: $(grep 'identified through' "$PV_TMP/daemon.log")"
}

# Start a background command and remember its pid for cleanup.
pv_bg() { "$@" & PV_PIDS+=($!); }

pv_cleanup() {
	local rc=$? p d i
	for p in "${PV_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	pv_daemon_stop TERM
	for d in "${PV_CGROUPS[@]}"; do
		[ -d "$d" ] || continue
		# Only processes that are ours can be in a cgroup we made.
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	for ((i = ${#PV_CGROUPS[@]} - 1; i >= 0; i--)); do
		d=${PV_CGROUPS[i]}
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
	done
	[ -n "$PV_MNT" ] && grep -q " $PV_MNT " /proc/mounts && umount -l "$PV_MNT" 2>/dev/null
	[ -n "$PV_PIN" ] && [ -d "$PV_PIN" ] && rm -rf "$PV_PIN"
	if [ -n "$PV_SAN_DIR" ] && [ -n "$(ls -A "$PV_SAN_DIR" 2>/dev/null)" ]; then
		{ echo "FAIL: sanitizer reports:"; head -n 80 "$PV_SAN_DIR"/*; } >&2
		rc=1
	fi
	if [ -n "$PV_TMP" ]; then
		[ "$rc" = 0 ] || [ "$rc" = 77 ] || { echo "--- daemon log"; tail -n 40 "$PV_TMP/daemon.log" 2>/dev/null; } >&2
		rm -rf "$PV_TMP"
	fi
	exit "$rc"
}

# pv_near A B TOL_PERCENT [ABS]: true when |A-B| <= max(TOL% of B, ABS).
pv_near() {
	awk -v a="$1" -v b="$2" -v t="$3" -v abs="${4:-0}" 'BEGIN {
		d = a - b; if (d < 0) d = -d; lim = (b < 0 ? -b : b) * t / 100;
		if (lim < abs) lim = abs; exit !(d <= lim) }'
}

# pv_stats: ask the daemon (SIGUSR1) for its "stats:" line; prints its
# key=value pairs. Fails when no new line comes within 5 s.
pv_stats() {
	local before i line
	before=$(grep -c 'stats: ' "$PV_TMP/daemon.log")
	kill -USR1 "$PV_DAEMON_PID" || pv_fail "SIGUSR1 to the daemon"
	for i in $(seq 100); do
		line=$(grep 'stats: ' "$PV_TMP/daemon.log" | sed -n "$((before + 1))p")
		[ -n "$line" ] && { sed 's/.*stats: //' <<<"$line"; return 0; }
		sleep 0.05
	done
	pv_fail "no stats line after SIGUSR1"
}
# pv_stat_of LINE KEY: the value of KEY in a pv_stats line.
pv_stat_of() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# pv_checks_ok OUT N WHAT: a checker's output OUT ("ok ..."/"FAIL ..."
# lines, then "checks N") has no FAIL line (else fails: WHAT) and all N.
pv_checks_ok() {
	grep '^FAIL' <<<"$1" && pv_fail "$3"
	grep -qx "checks $2" <<<"$1" || pv_fail "not every check ran: $1"
}
# pv_stat_delta BEFORE AFTER KEY: how much KEY grew between two pv_stats lines.
pv_stat_delta() { echo $(( $(pv_stat_of "$2" "$3") - $(pv_stat_of "$1" "$3") )); }
