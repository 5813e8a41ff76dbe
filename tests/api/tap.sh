# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# tap.sh - tiny TAP helpers shared by the tests/api scripts (sourced).
# The plan is printed at the end (tap_done), which TAP allows.

tap_n=0
tap_failed=0

# tap_ok NAME: a passing test point.
tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

# tap_not_ok NAME [DIAGNOSTIC-FILE]: a failing test point, with the
# contents of DIAGNOSTIC-FILE (if given and not empty) as TAP comments.
tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	if test -n "${2-}" && test -s "$2"; then
		sed 's/^/#   /' "$2"
	fi
}

# tap_skip NAME REASON: a skipped test point.
tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# tap_diag TEXT: a comment line.
tap_diag() {
	echo "# $*"
}

# tap_done: print the plan.  The script still exits 0 when a test point
# failed: the TAP lines carry the verdict, and a non-zero exit would make
# the TAP driver report one more (ERROR) result for the same failure.
tap_done() {
	echo "1..$tap_n"
	if test "$tap_failed" -ne 0; then
		echo "# $tap_failed of $tap_n failed"
	fi
}

# tap_skip_all REASON: skip the whole script.
tap_skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# boc_public_headers: the public headers, relative to $top_srcdir/include.
boc_public_headers() {
	(cd "$top_srcdir/include" && ls boc.h boc/*.h)
}

# boc_api_functions: every function declared BOC_API in the public headers,
# one per line, sorted.  Comments and preprocessor lines are dropped, the
# rest is split at ';', and the name is the last identifier before '('.
boc_api_functions() {
	for h in $(boc_public_headers); do
		cat "$top_srcdir/include/$h"
	done | awk '
		# drop preprocessor lines, with their continuation lines
		cont { cont = /\\$/; next }
		/^[ \t]*#/ { cont = /\\$/; next }
		{ print }
	' | tr '\n' ' ' \
	  | sed -e 's:/\*[^*]*\*\{1,\}\([^/*][^*]*\*\{1,\}\)*/: :g' \
	  | tr ';' '\n' \
	  | grep 'BOC_API' \
	  | sed -e 's/.*BOC_API/ /' -e 's/(.*//' \
	  | sed -n 's/.*[^A-Za-z0-9_]\(boc_[A-Za-z0-9_]*\)[[:space:]]*$/\1/p' \
	  | sort -u
}
