#!/usr/bin/env bash
# Hardening stage of `make test` (mk/harden.mk, issue 6): a short fuzz run of
# every target, the unit tests under ASan+UBSan, a short integration pass
# with the ASan+UBSan daemon, and valgrind memcheck of the unit tests.
# One line per part, then "harden: P passed, F failed, S skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 skip=0
part() { # NAME CMD...
	local name=$1 log start rc; shift
	log=$(mktemp /tmp/pv-harden.XXXXXX)
	start=$(date +%s)
	"$@" >"$log" 2>&1; rc=$?
	if [ $rc = 0 ]; then
		echo "PASS  $name ($(( $(date +%s) - start ))s)"; pass=$((pass + 1))
		grep -E '^(PASS|SKIP|# )' "$log" | grep -vE '^PASS  valgrind' | sed 's/^/    /' | head -n 20
	else
		echo "FAIL  $name (rc=$rc, $(( $(date +%s) - start ))s)"; fail=$((fail + 1))
		tail -n 40 "$log" | sed 's/^/    | /'
	fi
	rm -f "$log"
}
m() { make --no-print-directory "$@"; }
if command -v clang >/dev/null && ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
	part fuzz-smoke m fuzz-smoke
else
	echo "SKIP  fuzz-smoke (no clang or no targets)"; skip=$((skip + 1))
fi
part asan-unit m asan-unit
# Builds (or confirms up to date) the sanitized daemon itself: a failed
# build must not leave an older build-asan/procviewd to be tested.
asan_integration() {
	m asan >/dev/null || { echo "make asan failed"; return 1; }
	PV_BUILD="$PWD/build-asan" PV_HOSTILE_QUICK=1 PV_CHURN_N=${PV_ASAN_CHURN_N:-150} \
		tests/integration/run.sh tests/integration/test_sanitizers.sh \
		tests/integration/test_hostile.sh tests/integration/test_churn.sh
}
if [ "$(id -u)" = 0 ]; then
	part asan-integration asan_integration
else
	echo "SKIP  asan-integration (needs root)"; skip=$((skip + 1))
fi
if command -v valgrind >/dev/null; then
	part valgrind-unit m valgrind-unit
else
	echo "SKIP  valgrind-unit (no valgrind)"; skip=$((skip + 1))
fi
echo "harden: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
