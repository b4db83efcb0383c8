#!/usr/bin/env bash
# ASan+UBSan daemon under a mixed read load: every served file, from the host
# and from a container, whole-file, byte-by-byte and odd sizes, held handles
# re-read from offset 0, concurrent readers and readers killed mid-read.
# Passes when the daemon keeps serving and leaves no sanitizer report.
# Uses $PV_BUILD when it is a sanitized build, else build-asan/ (make asan).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/harden_lib.sh"

if ! hz_is_sanitized "$PV_DAEMON"; then
	PV_BUILD=$PV_ROOT/build-asan PV_DAEMON=$PV_BUILD/procviewd
	[ -x "$PV_DAEMON" ] && hz_is_sanitized "$PV_DAEMON" ||
		pv_skip "no sanitized daemon (make asan builds build-asan/procviewd)"
fi
pv_init
# pv_init (lib.sh) points the sanitizers' log_path at $PV_SAN_DIR with
# halt_on_error: the first report ends the daemon, which the reads notice.
[ -n "$PV_SAN_DIR" ] || pv_fail "lib.sh did not take $PV_DAEMON for a sanitized build"
pv_daemon_start
pv_cg_create a

# Every file, three ways: whole, byte by byte, odd blocks at an offset.
READ_ALL='for f in '"${HZ_FILES[*]}"'; do
	cat "$0/$f" >/dev/null || { echo "cat $f failed"; exit 1; }
	dd if="$0/$f" bs=1 status=none of=/dev/null || { echo "dd bs=1 $f failed"; exit 1; }
	dd if="$0/$f" bs=7 skip=3 status=none of=/dev/null || { echo "dd bs=7 skip=3 $f failed"; exit 1; }
done'
HZ_FILES_S="${HZ_FILES[*]}"
for round in 1 2 3; do
	bash -c "$READ_ALL" "$PV_MNT" || pv_fail "host reads (round $round)"
	hz_cg_run a bash -c "$READ_ALL" "$PV_MNT" || pv_fail "container reads (round $round)"
	# Held handles re-read from offset 0 (top / free -s style).
	/usr/bin/python3 - "$PV_MNT" "$HZ_FILES_S" <<'PY' || pv_fail "held handles"
import os, sys
mnt, files = sys.argv[1], sys.argv[2].split()
fds = [os.open(os.path.join(mnt, f), os.O_RDONLY) for f in files]
for _ in range(20):
    for fd in fds:
        os.pread(fd, 1 << 16, 0)
        os.pread(fd, 5, 3)
for fd in fds:
    os.close(fd)
PY
	# Opened and closed unread, from 4 processes at once: a release
	# meets the rendering that open starts after its reply.
	hz_fork_opens 4 $((50 * ${#HZ_FILES[@]})) noread || pv_fail "open+close without a read"
	# Concurrent readers, some killed while reading.
	pids=()
	for i in 1 2 3 4; do
		( for _ in $(seq 30); do for f in "${HZ_FILES[@]}"; do cat "$PV_MNT/$f" >/dev/null || exit 1; done; done ) &
		pids+=($!)
	done
	for i in $(seq 20); do
		dd if="$PV_MNT/proc/cpuinfo" bs=1 status=none of=/dev/null & k=$!
		sleep 0.0$((RANDOM % 5)); kill -KILL "$k" 2>/dev/null; wait "$k" 2>/dev/null
	done
	for p in "${pids[@]}"; do wait "$p" || pv_fail "a concurrent reader failed (round $round)"; done
done
kill -0 "$PV_DAEMON_PID" 2>/dev/null || pv_fail "sanitized daemon died"
pid=$PV_DAEMON_PID
kill -TERM "$pid"; wait "$pid"; rc=$?
PV_DAEMON_PID=""
# LeakSanitizer reports at exit: read them here (pv_cleanup would too).
reports=$(cat "$PV_SAN_DIR"/* 2>/dev/null)
[ -z "$reports" ] || { echo "$reports" | head -n 60 >&2; pv_fail "sanitizer reports (above)"; }
[ "$rc" = 0 ] || pv_fail "sanitized daemon exited $rc on SIGTERM"
pv_log "sanitized daemon: $((3 * 4 * 30 * ${#HZ_FILES[@]})) concurrent reads + 3 rounds of cat/dd/pread, no reports"
