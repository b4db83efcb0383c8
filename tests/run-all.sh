#!/usr/bin/env bash
# `make test`: unit tests, then the integration tests, then one closing line.
set -u
# The runners' status, not tee's: without it a failed test still let
# `make test` (and CI) pass.
set -o pipefail
cd "$(dirname "$0")/.." || exit 1
rc=0
# Test binaries only: valgrind leaves its *.vg.log files beside them.
units=()
for f in build/tests/test_*; do
	[ -f "$f" ] && [ -x "$f" ] && [[ $f != *.* ]] && units+=("$f")
done
tests/run-unit.sh "${units[@]}" | tee /tmp/pv-unit-summary.$$ || rc=1
tests/integration/run.sh | tee /tmp/pv-int-summary.$$ || rc=1
# Hardening (fuzz smoke, ASan+UBSan units and daemon, valgrind): tests/run-harden.sh
tests/run-harden.sh | tee /tmp/pv-harden-summary.$$ || rc=1
u=$(tail -n 1 /tmp/pv-unit-summary.$$); i=$(tail -n 1 /tmp/pv-int-summary.$$)
h=$(tail -n 1 /tmp/pv-harden-summary.$$)
rm -f /tmp/pv-unit-summary.$$ /tmp/pv-int-summary.$$ /tmp/pv-harden-summary.$$
p=$(( $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$u") + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$i") + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$h") ))
f=$(( $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$u") + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$i") + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$h") ))
s=$(( $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$i") + $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$h") ))
echo "total: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ] || rc=1
exit $rc
