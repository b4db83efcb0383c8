#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Failed reads across a daemon restart. A "container" (own cgroup and mount
# namespace, procview's files bound over /proc/{uptime,meminfo,stat} and
# cpu/online) reads /proc/uptime in a tight loop (bash builtins, no fork,
# no pause) while procviewd is stopped and started again:
#   TERM+start  a planned restart (systemctl restart: stop, then start);
#   KILL+start  a crash (SIGKILL, the dead mount stays) and a new start.
# Per round: reads attempted between the signal and the first good read
# after it, how many failed, the container's outage (last good read before
# the signal to the first good read after it) and the daemon's own down
# time (signal to the new mount serving). The median round is printed.
# Knobs: RESTART_ROUNDS (5), PV_BUILD. Needs root; cleans up everything it
# made (lib.sh: processes by pid, cgroups, mount, pins) on every exit.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PV_BUILD=${PV_BUILD:-$ROOT/build}
# shellcheck source=../tests/integration/lib.sh
. "$ROOT/tests/integration/lib.sh"
ROUNDS=${RESTART_ROUNDS:-5}

[ "$(id -u)" = 0 ] || { echo "restart: skipped (needs root)"; exit 0; }
[ -c /dev/fuse ] || { echo "restart: skipped (no /dev/fuse)"; exit 0; }
[ -x "$PV_DAEMON" ] || { echo "restart: $PV_DAEMON not built (make all)"; exit 1; }
command -v unshare >/dev/null || { echo "restart: skipped (needs unshare)"; exit 0; }
PV_TMP=$(mktemp -d "/tmp/$PV_TAG-restart.XXXXXX")
PV_MNT=$PV_TMP/mnt
PV_PIN=/sys/fs/bpf/$PV_TAG-restart
export PV_STATE_DIR=$PV_TMP/state
mkdir -p "$PV_MNT"
trap pv_cleanup EXIT
trap 'exit 130' INT TERM
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true

pv_daemon_start

cat > "$PV_TMP/reader.sh" <<'READER'
mnt=$1
for f in proc/stat proc/uptime proc/meminfo sys/devices/system/cpu/online; do
	mount --bind "$mnt/$f" "/$f" || exit 1
done
while :; do
	if read -r up idle < /proc/uptime 2>/dev/null && [ -n "$up" ]; then
		echo "$EPOCHREALTIME ok"
	else
		echo "$EPOCHREALTIME err"
	fi
done
READER
pv_cg_create ctr
( pv_cg_enter ctr "$BASHPID"
  exec unshare -m --propagation private bash "$PV_TMP/reader.sh" "$PV_MNT" ) > "$PV_TMP/reads" 2>/dev/null &
PV_PIDS+=($!)
for _ in $(seq 1 100); do grep -q ' ok' "$PV_TMP/reads" 2>/dev/null && break; sleep 0.05; done
grep -q ' ok' "$PV_TMP/reads" || { echo "restart: the reader does not read"; exit 1; }

# one_round SIG: prints "attempted failed outage_ms down_ms".
one_round() {
	local sig=$1 from down ready
	sleep 0.3
	from=$(wc -l < "$PV_TMP/reads")
	down=$EPOCHREALTIME
	if [ "$sig" = KILL ]; then
		kill -KILL "$PV_DAEMON_PID"; wait "$PV_DAEMON_PID" 2>/dev/null; PV_DAEMON_PID=""
	else
		pv_daemon_stop TERM
	fi
	pv_daemon_start
	ready=$EPOCHREALTIME
	sleep 0.5
	tail -n +"$((from + 1))" "$PV_TMP/reads" | awk -v d="$down" -v r="$ready" '
		first { next }
		$1 >= d { n++ }
		$2 == "ok" && !fails { last = $1; next }
		$2 == "err" && $1 >= d { fails++; next }
		$2 == "ok" && fails { first = $1 }
		END { if (!first) { print "none"; exit }
		      printf "%d %d %.0f %.0f\n", n, fails, (first - last) * 1000, (r - d) * 1000 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for sig in TERM KILL; do
	: > "$PV_TMP/rounds"
	for _ in $(seq 1 "$ROUNDS"); do one_round "$sig" >> "$PV_TMP/rounds"; done
	if grep -q none "$PV_TMP/rounds"; then
		echo "   $sig+start: the reader never failed or never recovered in some round: $(tr '\n' ';' < "$PV_TMP/rounds")"
		continue
	fi
	printf '   %-10s reads attempted %s, failed %s, outage %s ms, daemon down to serving %s ms (median of %d; failed per round: %s)\n' \
		"$sig+start:" "$(cut -d' ' -f1 "$PV_TMP/rounds" | median)" "$(cut -d' ' -f2 "$PV_TMP/rounds" | median)" \
		"$(cut -d' ' -f3 "$PV_TMP/rounds" | median)" "$(cut -d' ' -f4 "$PV_TMP/rounds" | median)" "$ROUNDS" \
		"$(cut -d' ' -f2 "$PV_TMP/rounds" | tr '\n' ' ' | sed 's/ $//')"
done
