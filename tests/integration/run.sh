#!/usr/bin/env bash
# Runs tests/integration/test_*.sh (or the ones named). Exit status 77 means
# skipped (a capability is missing; the test prints why). Slow tests (marked
# with "# slow" on their second line) run only with PV_SLOW=1 or in CI.
# Lines a test prints starting with "# " are its measurements: they are shown
# for passing tests too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.." || exit 1
pass=0 fail=0 skip=0 failed=()
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("$here"/test_*.sh)
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if sed -n 2p "$t" | grep -q '# slow' && [ "${PV_SLOW:-${CI:-0}}" = 0 ]; then
		echo "SKIP  $name (slow; PV_SLOW=1 runs it)"
		skip=$((skip + 1)); continue
	fi
	start=$(date +%s)
	log=$(mktemp /tmp/pv-itest-log.XXXXXX)
	timeout --kill-after=10 "${PV_TEST_TIMEOUT:-300}" bash "$t" >"$log" 2>&1
	rc=$?
	dur=$(( $(date +%s) - start ))
	case $rc in
	0) echo "PASS  $name (${dur}s)"; pass=$((pass + 1))
	   # a passing test's measurements ("# ..." lines) stay in the summary
	   grep '^# ' "$log" | sed 's/^/    /' ;;
	77) echo "SKIP  $name: $(tail -n 1 "$log")"; skip=$((skip + 1)) ;;
	*) echo "FAIL  $name (rc=$rc, ${dur}s)"; sed 's/^/    | /' "$log" | tail -n 60
	   fail=$((fail + 1)); failed+=("$name") ;;
	esac
	rm -f "$log"
done
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
