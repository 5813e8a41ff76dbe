#!/bin/sh
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# Smoke-run every example with small arguments; print TAP.
# Run by `make check`; uses $top_builddir (exported by the test harness),
# or the current directory when run by hand from the build tree.

builddir=${top_builddir:-.}
ex=$builddir/examples
n=0

# run NAME EXPECTED-OUTPUT-PATTERN COMMAND...
run() {
	name=$1
	pattern=$2
	shift 2
	n=$((n + 1))
	out=$("$@" 2>&1)
	status=$?
	if [ $status -eq 0 ] && printf '%s\n' "$out" | grep -q -- "$pattern"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit status $status)"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}

echo "1..6"
run "hello prints 42" "= 42" \
	"$ex/hello"
run "bank conserves the total (1 worker)" "(conserved)" \
	"$ex/bank" --accounts 50 --transfers 20000 --workers 1 --seed 1
run "bank conserves the total (2 workers)" "(conserved)" \
	"$ex/bank" --accounts 100 --transfers 50000 --workers 2 --seed 7
run "bank conserves the total (2 accounts, 4 workers)" "(conserved)" \
	"$ex/bank" --accounts 2 --transfers 10000 --workers 4 --seed 3
run "dining philosophers: everyone ate (5 philosophers)" "everyone ate" \
	"$ex/dining_philosophers" --philosophers 5 --meals 200 --workers 2
run "dining philosophers: everyone ate (2 philosophers)" "everyone ate" \
	"$ex/dining_philosophers" --philosophers 2 --meals 100 --workers 2
exit 0
