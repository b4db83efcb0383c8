#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS JOBS FUZZER...: run each libFuzzer binary for
# SECONDS, JOBS at a time. New inputs go to $FUZZ_BUILD/corpus/<target>
# (never into the committed seeds in tests/fuzz/corpus/<target>); a crash or
# a broken invariant leaves $FUZZ_BUILD/crash/<target>-* and fails the run.
# One PASS/FAIL line per target, in the order given.
set -u
secs=$1 jobs=$2; shift 2
out=${FUZZ_BUILD:-build-fuzz}
mkdir -p "$out/crash"
one() {
	local f=$1 t log
	t=$(basename "$f"); log=$out/$t.log
	mkdir -p "$out/corpus/$t"
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$out/crash/$t-" \
		"$out/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		echo "PASS  $t ($(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs, ${secs}s)" >"$log.res"
	else
		{ echo "FAIL  $t (log $log; reproduce: $f $out/crash/$t-*)"
		  grep -m8 -E 'ERROR|runtime error|invariant failed|SUMMARY|^ *#[0-3] ' "$log" | sed 's/^/    | /'; } >"$log.res"
	fi
}
running=0
for f in "$@"; do
	one "$f" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
fail=0
for f in "$@"; do
	t=$(basename "$f")
	cat "$out/$t.log.res"
	grep -q '^FAIL' "$out/$t.log.res" && fail=1
	rm -f "$out/$t.log.res"
done
exit $fail
