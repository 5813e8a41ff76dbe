#!/bin/sh
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# Smoke-run every benchmark workload at a tiny scale, 1 and 2 workers, one
# run each: the workloads check their own answers, so this catches a wrong
# result or a hang, not a slow runtime.  Prints TAP.  Run by `make check`.

bench=${top_builddir:-.}/bench/boc_bench
workloads=$("$bench" --list) || {
	echo "1..1"
	echo "not ok 1 - $bench --list failed"
	exit 0
}

set -- $workloads
echo "1..$#"
n=0
for w in $workloads; do
	n=$((n + 1))
	out=$("$bench" --workloads "$w" --workers 1,2 --repeat 1 --warmup 0 \
		--scale 0.01 --no-json 2>&1)
	status=$?
	if [ $status -eq 0 ]; then
		echo "ok $n - bench workload $w computes the right answer"
	else
		echo "not ok $n - bench workload $w (exit status $status)"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
exit 0
