#!/usr/bin/env bash
# Restart survival: two containers read their views in a loop while the
# daemon is killed (SIGKILL, then SIGTERM) and started again. Within 1 s of
# the new daemon serving, both read valid files again (the repair re-bound
# their dead mounts), and no counter went backwards. Prints the number of
# failed reads per restart.
set -u
. "$(dirname "$0")/lib.sh"
pv_init
command -v unshare >/dev/null || pv_skip "unshare (util-linux) missing"
export PV_STATE_DIR=$PV_TMP/state   # remount history, private to this test

pv_daemon_start

# The "container": own mount namespace and cgroup, our views bound over
# /proc/{stat,uptime,meminfo}, a reader that logs each read with a time.
cat > "$PV_TMP/reader.sh" <<'READER'
mnt=$1
if [ "${2:-}" != bound ]; then
	for f in stat uptime meminfo; do
		mount --bind "$mnt/proc/$f" "/proc/$f" || exit 1
	done
fi
fifo=$(mktemp -u "$mnt.fifo.XXXXXX")
mkfifo "$fifo" && exec 3<>"$fifo" && rm -f "$fifo"
while :; do
	# One line per read: time, ok/err, cpu user ticks, uptime seconds.
	if { read -r cpu user rest < /proc/stat && read -r up idle < /proc/uptime &&
	     read -r mt mtv rest < /proc/meminfo; } 2>/dev/null &&
	   [ "$cpu" = cpu ] && [ "$mt" = MemTotal: ] && [ -n "$up" ]; then
		echo "$EPOCHREALTIME ok $user $up"
	else
		echo "$EPOCHREALTIME err"
	fi
	read -t 0.01 -u 3    # sleep 10 ms without a fork
done
READER

start_container() {
	local name=$1
	pv_cg_create "$name"
	( pv_cg_enter "$name" "$BASHPID"
	  exec unshare -m --propagation private bash "$PV_TMP/reader.sh" "$PV_MNT" ) \
		> "$PV_TMP/$name.log" 2>/dev/null &
	PV_PIDS+=($!)
}
# c2 through procview-run: its own pid namespace too (the daemon resolves
# readers through the namespace's init) and procview-run's own binds.
start_run_container() {
	local name=$1 mnt field own
	"$PV_RUN" --mount "$PV_MNT" --memory 256m --cgroup-name "$PV_TAG-$name" -- \
		bash "$PV_TMP/reader.sh" "$PV_MNT" bound > "$PV_TMP/$name.log" 2>/dev/null &
	PV_PIDS+=($!)
	# Its cgroups, so the EXIT trap removes them if it is killed.
	while IFS=$'\t' read -r mnt field; do
		own=$(pv_own_cgdir "$field") && PV_CGROUPS+=("$own/$PV_TAG-$name")
	done < <(pv_hierarchies)
}
start_container c1
if [ -x "$PV_RUN" ]; then start_run_container c2; else start_container c2; fi

oks() { grep -c ' ok ' "$PV_TMP/$1.log"; }
for i in $(seq 1 100); do
	[ "$(oks c1)" -ge 5 ] && [ "$(oks c2)" -ge 5 ] && break
	sleep 0.1
done
[ "$(oks c1)" -ge 5 ] && [ "$(oks c2)" -ge 5 ] || pv_fail "readers do not read: $(tail -n 2 "$PV_TMP"/c1.log)"

restart() {
	local sig=$1 c down ready lines first errs report=""
	declare -A mark
	for c in c1 c2; do mark[$c]=$(wc -l < "$PV_TMP/$c.log"); done
	down=$EPOCHREALTIME
	if [ "$sig" = KILL ]; then
		# A crash: the dead mount stays; the new daemon must cope.
		kill -KILL "$PV_DAEMON_PID"; wait "$PV_DAEMON_PID" 2>/dev/null; PV_DAEMON_PID=""
	else
		pv_daemon_stop "$sig"
	fi
	pv_daemon_start
	ready=$EPOCHREALTIME
	sleep 1.2
	for c in c1 c2; do
		lines=$(tail -n +"$((mark[$c] + 1))" "$PV_TMP/$c.log")
		# First good read after the new daemon serves.
		first=$(awk -v r="$ready" '$1 >= r && $2 == "ok" { print $1; exit }' <<<"$lines")
		[ -n "$first" ] || pv_fail "$c: no good read after restart ($sig); last: $(tail -n 1 <<<"$lines")"
		awk -v r="$ready" -v f="$first" 'BEGIN { exit !(f - r <= 1.0) }' ||
			pv_fail "$c: first good read $(awk -v r="$ready" -v f="$first" 'BEGIN{print f-r}') s after ready ($sig)"
		# Nothing fails after the first good read.
		awk -v f="$first" '$1 > f && $2 == "err" { bad = 1 } END { exit bad }' <<<"$lines" ||
			pv_fail "$c: reads fail again after recovering ($sig)"
		errs=$(grep -c ' err' <<<"$lines")
		report+=" $c=$errs"
	done
	pv_log "SIG$sig: failed reads$report; outage $(awk -v a="$down" -v b="$ready" 'BEGIN{printf "%.0f", (b-a)*1000}') ms until the new daemon served"
}
restart KILL
restart TERM

# Counters never went backwards across both restarts.
for c in c1 c2; do
	awk '$2 == "ok" {
		if (n && ($3 < u || $4 < up)) { print "backwards at " $1 ": user " u " -> " $3 ", uptime " up " -> " $4; bad = 1 }
		u = $3; up = $4; n++ }
	     END { exit bad }' "$PV_TMP/$c.log" || pv_fail "$c: counter went backwards"
	pv_log "$c: $(oks "$c") good reads, counters monotonic"
done
echo "ok: both containers survived SIGKILL and SIGTERM restarts"
