#!/bin/sh
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# check_man.sh - man page coverage and lint.  TAP output:
#   - every exported boc_* function has man/man3/<name>.3, either a full
#     page or a ".so man3/<family>.3" alias whose target exists;
#   - when mandoc is installed, `mandoc -Tlint -Wwarning' is clean on every
#     page of man/man3 and man/man7 (skipped otherwise); the ".so is fragile"
#     warning that mandoc gives every alias page is not counted.
# The list of functions comes from the built library when there is one,
# otherwise from the BOC_API declarations of the public headers.
#
# Environment (set by `make check'): top_srcdir, top_builddir, NM, MANDOC.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/api/tap.sh"

mandir=$top_srcdir/man
nm_cmd=${NM:-nm}

work=$(mktemp -d "${TMPDIR:-/tmp}/boc-man.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT HUP INT TERM

lib=$top_builddir/.libs/libboc.so
# shellcheck disable=SC2086  # nm_cmd is a word list
if test -f "$lib" && $nm_cmd -D --defined-only "$lib" >"$work/nm" 2>/dev/null; then
	awk 'NF >= 3 && ($2 == "T" || $2 == "W" || $2 == "i") {
		sub(/@.*/, "", $3); print $3 }' "$work/nm" \
		| grep '^boc_' | sort -u >"$work/functions"
	tap_diag "functions exported by $lib"
else
	boc_api_functions >"$work/functions"
	tap_diag "functions declared BOC_API in the public headers (no $lib)"
fi

# Coverage: one page (or alias) per function.
while read -r fn; do
	page=$mandir/man3/$fn.3
	if ! test -f "$page"; then
		tap_not_ok "$fn has a man page (man/man3/$fn.3 is missing)"
		continue
	fi
	target=$(sed -n 's/^\.so[ 	][ 	]*\([^ 	]*\).*/\1/p' "$page" | head -n 1)
	if test -n "$target"; then
		if test -f "$mandir/$target"; then
			tap_ok "$fn has a man page (alias of $target)"
		else
			tap_not_ok "$fn has a man page (man/man3/$fn.3 is an alias of missing $target)"
		fi
	elif grep -q '^\.\(Dd\|TH\)' "$page"; then
		tap_ok "$fn has a man page"
	else
		tap_not_ok "$fn has a man page (man/man3/$fn.3 is neither a page nor a .so alias)"
	fi
done <"$work/functions"

# Lint every page with mandoc.  Run from man/ so that ".so man3/x.3"
# resolves the way man(1) resolves it.
pages=$(cd "$mandir" 2>/dev/null && ls man3/*.3 man7/*.7 2>/dev/null)
if test -z "$pages"; then
	tap_not_ok "man/man3 and man/man7 hold pages"
elif test -z "${MANDOC-}" || ! command -v "$MANDOC" >/dev/null 2>&1; then
	for p in $pages; do
		tap_skip "mandoc -Tlint $p" "mandoc is not installed"
	done
else
	# mandoc warns ".so is fragile, better use ln(1)" on every alias page;
	# alias pages are the house style (one page per family), so that one
	# message is dropped and a page passes when nothing else is reported.
	for p in $pages; do
		(cd "$mandir" && "$MANDOC" -Tlint -Wwarning "$p") >"$work/raw" 2>&1
		grep -v '\.so is fragile' "$work/raw" >"$work/log"
		if ! test -s "$work/log"; then
			tap_ok "mandoc -Tlint -Wwarning $p"
		else
			tap_not_ok "mandoc -Tlint -Wwarning $p" "$work/log"
		fi
	done
fi

tap_done
