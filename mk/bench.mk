# SPDX-License-Identifier: GPL-2.0-only
# Benchmark targets beside `make bench` (which runs bench/run.sh with its
# defaults, about 8-10 minutes including the N=10,100,1000 loadavg scale
# run). Knobs: BENCH_N, BENCH_REPS, BENCH_LOOPS, BENCH_READS, BENCH_SCALE,
# BENCH_OUT (see bench/run.sh).
.PHONY: bench-quick bench-scale

# A fast smoke run (~30 s): fewer samples, numbers noisier.
bench-quick: all
	$(Q)BENCH_N=200 BENCH_REPS=3 BENCH_LOOPS=20000 BENCH_READS=2000 BENCH_SCALE=0 bench/run.sh

# Everything, plus bench/loadavg_scale.sh (containers at scale).
bench-scale: deps all
	$(Q)BENCH_SCALE=1 bench/run.sh
