#!/usr/bin/env bash
# procviewd mounts the served tree, stops cleanly on SIGTERM and SIGINT
# (exit 0, no mount, no pidfile left), refuses a busy mountpoint and missing
# privileges with a clear message and a non-zero exit, and detaches into
# the background only once it serves.
set -u
. "$(dirname "$0")/lib.sh"
pv_init

# The tree, as the kernel lists it.
pv_daemon_start --no-bpf
want="$PV_MNT/proc $PV_MNT/proc/cpuinfo $PV_MNT/proc/diskstats $PV_MNT/proc/loadavg
$PV_MNT/proc/meminfo $PV_MNT/proc/stat $PV_MNT/proc/swaps $PV_MNT/proc/uptime $PV_MNT/sys
$PV_MNT/sys/devices $PV_MNT/sys/devices/system $PV_MNT/sys/devices/system/cpu
$PV_MNT/sys/devices/system/cpu/online"
got=$(find "$PV_MNT" -mindepth 1 | sort | tr '\n' ' ')
[ "$got" = "$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')" ] || pv_fail "tree: $got"
# Mode 0444 regular files; the size is a 4 KiB-rounded upper bound of the
# text (sendfile needs one, see fuse_ops.c), never below the real length.
for f in proc/meminfo proc/cpuinfo sys/devices/system/cpu/online; do
	set -- $(stat -c '%a %s %F' "$PV_MNT/$f")
	[ "$1 $3" = "444 regular" ] || pv_fail "$f: mode/type '$*'"
	len=$(cat "$PV_MNT/$f" | wc -c)
	[ "$2" -ge "$len" ] && [ $(( $2 % 4096 )) = 0 ] || pv_fail "$f: size $2 for $len bytes"
done
opts=$(awk -v m="$PV_MNT" '$2 == m { print $4 }' /proc/mounts)
for o in ro nosuid nodev noexec allow_other; do
	case ",$opts," in *",$o,"*) ;; *) pv_fail "mount option $o missing: $opts" ;; esac
done
[ "$(cat "$PV_TMP/pid")" = "$PV_DAEMON_PID" ] || pv_fail "pidfile holds $(cat "$PV_TMP/pid"), daemon is $PV_DAEMON_PID"

# Busy: a second daemon on the same mountpoint must refuse, the first keeps serving.
out=$("$PV_DAEMON" -f --no-bpf --bpf-pin-dir "$PV_PIN" "$PV_MNT" 2>&1); rc=$?
[ "$rc" != 0 ] || pv_fail "second daemon on a busy mountpoint exited 0"
grep -q "busy" <<<"$out" || pv_fail "no 'busy' in: $out"
head -c1 "$PV_MNT/proc/meminfo" >/dev/null || pv_fail "first daemon stopped serving"

# SIGTERM: exit 0, unmounted, pidfile removed.
kill -TERM "$PV_DAEMON_PID"
wait "$PV_DAEMON_PID"; rc=$?
PV_DAEMON_PID=""
[ "$rc" = 0 ] || pv_fail "exit status after SIGTERM: $rc"
grep -q " $PV_MNT " /proc/mounts && pv_fail "mount left after SIGTERM"
[ -e "$PV_TMP/pid" ] && pv_fail "pidfile left after SIGTERM"

# SIGINT the same.
pv_daemon_start --no-bpf
kill -INT "$PV_DAEMON_PID"
wait "$PV_DAEMON_PID"; rc=$?
PV_DAEMON_PID=""
[ "$rc" = 0 ] || pv_fail "exit status after SIGINT: $rc"
grep -q " $PV_MNT " /proc/mounts && pv_fail "mount left after SIGINT"

# Another filesystem on the mountpoint is busy too.
mkdir -p "$PV_TMP/other"
mount -t tmpfs pvtest "$PV_TMP/other" || pv_fail "mount tmpfs"
out=$("$PV_DAEMON" -f --no-bpf --bpf-pin-dir "$PV_PIN" "$PV_TMP/other" 2>&1); rc=$?
umount "$PV_TMP/other"
[ "$rc" != 0 ] || pv_fail "daemon on a tmpfs mountpoint exited 0"
grep -q "busy" <<<"$out" || pv_fail "no 'busy' in: $out"

# Missing privileges: an unprivileged user is refused before anything happens.
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$PV_DAEMON" -f --no-bpf "$PV_TMP/unpriv" 2>&1); rc=$?
	[ "$rc" != 0 ] || pv_fail "unprivileged daemon exited 0"
	grep -qi "privilege" <<<"$out" || pv_fail "no privilege message in: $out"
	grep -q " $PV_TMP/unpriv " /proc/mounts && pv_fail "unprivileged daemon mounted"
fi

# A missing mountpoint is created.
"$PV_DAEMON" -f --no-bpf --pidfile "$PV_TMP/pid2" --bpf-pin-dir "$PV_PIN" "$PV_TMP/new/dir" \
	>>"$PV_TMP/daemon.log" 2>&1 &
p=$!
PV_PIDS+=("$p")
for _ in $(seq 1 100); do head -c1 "$PV_TMP/new/dir/proc/meminfo" >/dev/null 2>&1 && break; sleep 0.05; done
head -c1 "$PV_TMP/new/dir/proc/meminfo" >/dev/null 2>&1 || pv_fail "no mount on a created mountpoint"
kill -TERM "$p"; wait "$p"
grep -q " $PV_TMP/new/dir " /proc/mounts && pv_fail "mount left on created mountpoint"

# Background mode: the command returns once the tree serves, pidfile names
# the daemon, and the detached daemon lets go of the terminal's stderr (its
# later log lines go to syslog).
"$PV_DAEMON" --no-bpf --pidfile "$PV_TMP/pid3" --bpf-pin-dir "$PV_PIN" "$PV_MNT" \
	>>"$PV_TMP/bg.log" 2>&1 || { cat "$PV_TMP/bg.log" >&2; pv_fail "background start failed"; }
p=$(cat "$PV_TMP/pid3") || pv_fail "no pidfile in background mode"
PV_PIDS+=("$p")
head -c1 "$PV_MNT/proc/meminfo" >/dev/null || pv_fail "background daemon not serving on return"
for fd in 0 1 2; do
	t=$(readlink "/proc/$p/fd/$fd")
	[ "$t" = /dev/null ] || pv_fail "background daemon's fd $fd is $t, not /dev/null"
done
kill -USR1 "$p"; sleep 0.3
grep -q "stats:" "$PV_TMP/bg.log" && pv_fail "background daemon still logs to the starting terminal"
kill -TERM "$p"
for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
kill -0 "$p" 2>/dev/null && pv_fail "background daemon ignored SIGTERM"
grep -q " $PV_MNT " /proc/mounts && pv_fail "mount left by background daemon"
echo "ok"
