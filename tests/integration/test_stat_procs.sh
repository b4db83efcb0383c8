#!/bin/bash
# procs_running / procs_blocked now: K busy loops read K (+1: the reader, which
# the kernel's own /proc/stat counts as running too); a parent stuck in
# vfork() (uninterruptible, 'D') shows in procs_blocked. Ground truth: the
# state letters in /proc/<tid>/stat of the cgroup's tasks.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stat_lib.sh"
pv_init
command -v cc >/dev/null || pv_skip "no C compiler for the vfork helper"
cat > "$PV_TMP/vfork.c" <<'C'
#include <unistd.h>
int main(void)
{
	/* The parent waits uninterruptibly until the child exits. */
	if (vfork() == 0) {
		sleep(30);
		_exit(0);
	}
	return 0;
}
C
cc -O0 -o "$PV_TMP/vfork" "$PV_TMP/vfork.c" || pv_fail "build vfork helper"
pv_daemon_start
pv_cg_create c

states() { for t in $(pv_cg_tids c); do awk '{ sub(/^.*\) /, ""); print substr($0, 1, 1) }' "/proc/$t/stat" 2>/dev/null; done | sort | uniq -c | tr '\n' ' '; }

st=$(pv_stat_in c)
r=$(pv_stat_field procs_running <<<"$st"); b=$(pv_stat_field procs_blocked <<<"$st")
pv_log "empty: procs_running $r procs_blocked $b"
[ "$r" -le 1 ] && [ "$b" = 0 ] || pv_fail "empty container: running $r blocked $b"

K=3
for i in $(seq 1 $K); do pv_bg_in c sh -c 'while :; do :; done'; done
sleep 0.5
for i in 1 2 3 4 5; do
	st=$(pv_stat_in c)
	r=$(pv_stat_field procs_running <<<"$st")
	pv_log "K=$K busy: procs_running $r (tasks: $(states))"
	[ "$r" -ge $K ] && [ "$r" -le $((K + 1)) ] || pv_fail "procs_running $r with $K busy loops"
done

pv_bg_in c "$PV_TMP/vfork"
sleep 0.5
want=$(for t in $(pv_cg_tids c); do awk '{ sub(/^.*\) /, ""); print substr($0, 1, 1) }' "/proc/$t/stat" 2>/dev/null; done | grep -c D)
[ "$want" -ge 1 ] || pv_skip "could not make a task in uninterruptible sleep (states: $(states))"
st=$(pv_stat_in c)
b=$(pv_stat_field procs_blocked <<<"$st")
pv_log "vfork parent: procs_blocked $b, kernel shows $want task(s) in D"
[ "$b" = "$want" ] || pv_fail "procs_blocked $b, want $want"
echo "ok"
