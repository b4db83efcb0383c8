#!/usr/bin/env bash
# tools/procview.service as `make install` writes it passes systemd-analyze verify.
set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || pv_skip "needs root"
command -v systemd-analyze >/dev/null || pv_skip "systemd-analyze not installed"
[ -x "$PV_DAEMON" ] || pv_fail "$PV_DAEMON not built"
tmp=$(mktemp -d "/tmp/$PV_TAG.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The install rule, run into a scratch DESTDIR: the unit the user gets.
make -s -C "$PV_ROOT" install DESTDIR="$tmp/root" PREFIX=/usr/local MOUNT=/var/lib/procview \
	BUILD="$PV_BUILD" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; pv_fail "make install"; }
unit=$tmp/root/etc/systemd/system/procview.service
[ -f "$unit" ] || pv_fail "make install did not write procview.service"
grep -q '@SBINDIR@\|@MOUNT@' "$unit" && pv_fail "placeholders left in installed unit"
grep -q '^ExecStart=/usr/local/sbin/procviewd -f /var/lib/procview$' "$unit" ||
	pv_fail "ExecStart not substituted: $(grep ^ExecStart= "$unit")"

# verify resolves ExecStart= binaries on the real filesystem: point it at the
# freshly built daemon (the file we install) by substituting its directory.
sed "s|/usr/local/sbin/procviewd|$(cd "$(dirname "$PV_DAEMON")" && pwd)/procviewd|" "$unit" \
	> "$tmp/procview.service"
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$tmp/procview.service" 2>&1)
rc=$?
# verify also reports unrelated units of this machine; only ours counts.
ours=$(printf '%s\n' "$out" | grep 'procview.service' || true)
[ $rc -eq 0 ] && [ -z "$ours" ] || { printf '%s\n' "$out"; pv_fail "systemd-analyze verify (rc=$rc)"; }

for k in 'Type=notify' 'Restart=on-failure' 'NoNewPrivileges=yes'; do
	grep -q "^$k\$" "$unit" || pv_fail "missing $k"
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for c in $caps; do
	case $c in CAP_SYS_ADMIN|CAP_BPF|CAP_PERFMON|CAP_SYS_PTRACE|CAP_SYS_CHROOT) ;;
	*) pv_fail "unexpected capability $c" ;; esac
done
# Options that imply a private mount namespace would hide the FUSE mount.
for k in PrivateMounts PrivateTmp ProtectSystem ProtectHome ProtectKernelTunables \
	ProtectKernelModules ProtectKernelLogs ProtectControlGroups ProtectProc \
	ReadOnlyPaths ReadWritePaths InaccessiblePaths TemporaryFileSystem PrivateDevices; do
	grep -q "^$k=" "$unit" && pv_fail "$k= would put the mount in a private namespace"
done
grep -q '^ExecStopPost=-.*fusermount3 -u' "$unit" || pv_fail "no ExecStopPost cleanup"
echo "ok: systemd-analyze verify accepts the installed unit"
