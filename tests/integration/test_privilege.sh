#!/usr/bin/env bash
# Least privilege: the FUSE mount is ro,nosuid,nodev,noexec and refuses
# writes; the pin dir is 0700 and no pinned object is writable by group or
# others (a daemon without a pin dir must say it runs degraded);
# procviewd without its capabilities (empty bounding set, and as nobody)
# exits non-zero naming each missing required capability, leaving no mount
# behind; without exactly one capability (setpriv drops it from the
# bounding and inheritable sets) it refuses, naming it, when the capability
# is required (CAP_SYS_ADMIN, CAP_SYS_PTRACE), and serves with a warning
# naming it when optional (CAP_SYS_CHROOT), or without a word when another
# capability stands in (CAP_BPF, CAP_PERFMON: CAP_SYS_ADMIN allows bpf()
# and perf, and BPF must stay on); with exactly the capabilities the
# systemd unit grants it serves every file with BPF on.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/harden_lib.sh"
pv_init
pv_daemon_start

opts=$(awk -v m="$PV_MNT" '$2 == m { print $4 }' /proc/mounts)
[ -n "$opts" ] || pv_fail "$PV_MNT not in /proc/mounts"
for o in ro nosuid nodev noexec; do
	grep -qE "(^|,)$o(,|$)" <<<"$opts" || pv_fail "mount option $o missing: $opts"
done
pv_log "mount options: $opts"
for f in "${HZ_FILES[@]}"; do
	if echo x 2>/dev/null >"$PV_MNT/$f"; then pv_fail "write to $f succeeded"; fi
	chmod 666 "$PV_MNT/$f" 2>/dev/null && pv_fail "chmod $f succeeded"
done
touch "$PV_MNT/proc/new" 2>/dev/null && pv_fail "creating a file succeeded"
mkdir "$PV_MNT/proc/dir" 2>/dev/null && pv_fail "mkdir succeeded"

if [ -d "$PV_PIN" ]; then
	mode=$(stat -c %a "$PV_PIN")
	[ "$mode" = 700 ] || pv_fail "pin dir $PV_PIN mode $mode, want 700"
	bad=$(find "$PV_PIN" -perm /022 -printf '%m %p\n')
	[ -z "$bad" ] || pv_fail "pinned objects writable by group/others: $bad"
	pv_log "pin dir 0700, $(find "$PV_PIN" -mindepth 1 | wc -l) pinned objects, none group/other-writable"
elif hz_degraded; then
	pv_log "daemon runs degraded (its log says so): no pin dir to check"
else
	pv_fail "no pin dir $PV_PIN, and the daemon log does not say it runs degraded"
fi
pv_daemon_stop

# Without privileges: must refuse, clearly, and leave nothing mounted.
refuse() { # LABEL SETPRIV-ARGS...
	local label=$1 mnt=$PV_TMP/mnt-$1 log=$PV_TMP/$1.log rc w; shift
	mkdir -p "$mnt"; chmod 777 "$mnt" "$PV_TMP"
	timeout 20 setpriv "$@" -- "$PV_DAEMON" -f --bpf-pin-dir "$PV_PIN-$label" "$mnt" >"$log" 2>&1
	rc=$?
	if grep -q " $mnt " /proc/mounts; then umount -l "$mnt"; pv_fail "$label: left $mnt mounted"; fi
	[ -d "$PV_PIN-$label" ] && { rm -rf "$PV_PIN-$label"; }
	[ "$rc" != 124 ] || pv_fail "$label: procviewd kept running without privileges"
	[ "$rc" != 0 ] || pv_fail "$label: procviewd exited 0 without privileges"
	for w in $want; do
		grep -q "missing capability $w" "$log" ||
			pv_fail "$label: no message naming $w (rc $rc): $(head -c 400 "$log")"
	done
	pv_log "$label: exit $rc: $(grep -m1 'missing capability' "$log")"
}
want="CAP_SYS_ADMIN CAP_SYS_PTRACE"
refuse nocaps --bounding-set=-all --inh-caps=-all
want="CAP_SYS_ADMIN CAP_SYS_PTRACE"
if setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PV_DAEMON"; then
	refuse nobody --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
else
	pv_log "note: nobody cannot execute $PV_DAEMON (path permissions); nobody case not run"
fi

# Exactly the unit's bounding set (tools/procview.service): full service.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$PV_ROOT/tools/procview.service" 2>/dev/null)
[ -n "$caps" ] || caps="CAP_SYS_ADMIN CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_SYS_CHROOT"
bset=-all
for c in $caps; do c=${c#CAP_}; bset="$bset,+$(tr 'A-Z' 'a-z' <<<"$c")"; done
minimal() { # LABEL BOUNDING-SET: start, read, stop; prints the daemon log
	local mnt=$PV_TMP/mnt-$1 log=$PV_TMP/$1.log pid ok=0
	mkdir -p "$mnt"
	setpriv --bounding-set="$2" --inh-caps=-all -- "$PV_DAEMON" -f --bpf-pin-dir "$PV_PIN-$1" "$mnt" >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "^MemTotal:" "$mnt/proc/meminfo" 2>/dev/null && { ok=1; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ "$ok" = 1 ] && for f in "${HZ_FILES[@]}"; do cat "$mnt/$f" >/dev/null || ok=0; done
	kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	grep -q " $mnt " /proc/mounts && umount -l "$mnt"
	rm -rf "$PV_PIN-$1"
	[ "$ok" = 1 ] || { cat "$log" >&2; pv_fail "$1: did not serve every file with bounding set $2"; }
}
minimal unitcaps "$bset"
grep -qi 'degraded' "$PV_TMP/unitcaps.log" &&
	pv_fail "with the unit's capabilities ($caps) the daemon runs degraded: $(grep -i degraded "$PV_TMP/unitcaps.log" | head -1)"
pv_log "unit capabilities ($caps): serves every file, BPF on"

# One capability missing at a time. Required: refuses, naming exactly it.
for c in sys_admin sys_ptrace; do
	want=CAP_$(tr 'a-z' 'A-Z' <<<"$c")
	refuse "no-$c" --bounding-set=-"$c" --inh-caps=-all
	n=$(grep -c 'missing capability' "$PV_TMP/no-$c.log")
	[ "$n" = 1 ] || pv_fail "no-$c: $n capabilities named missing, want only $want: $(cat "$PV_TMP/no-$c.log")"
done
# Optional: serves every file; warns naming the capability and what
# degrades, or, where CAP_SYS_ADMIN stands in, stays quiet with BPF on.
minimal no-sys_chroot "-sys_chroot"
grep -q 'capability CAP_SYS_CHROOT missing: restart repair' "$PV_TMP/no-sys_chroot.log" ||
	pv_fail "without CAP_SYS_CHROOT no warning naming it: $(cat "$PV_TMP/no-sys_chroot.log")"
pv_log "no-sys_chroot: serves, $(grep -m1 'CAP_SYS_CHROOT' "$PV_TMP/no-sys_chroot.log" | cut -c1-100)..."
for c in bpf perfmon; do
	minimal "no-$c" "-$c"
	grep -qE 'degraded|capability .* missing' "$PV_TMP/no-$c.log" &&
		pv_fail "without CAP_$(tr 'a-z' 'A-Z' <<<"$c") alone (CAP_SYS_ADMIN present): $(grep -E 'degraded|missing' "$PV_TMP/no-$c.log" | head -2)"
	pv_log "no-$c: serves every file, BPF on (CAP_SYS_ADMIN stands in)"
done
