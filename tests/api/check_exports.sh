#!/bin/sh
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# check_exports.sh - the shared library exports the public API and nothing
# else.  TAP output, one test point per symbol:
#   - every defined dynamic symbol is a boc_* name (the version node
#     LIBBOC_0, an absolute symbol, is ignored);
#   - every function declared BOC_API in a public header is exported;
#   - every exported boc_* symbol is declared in a public header.
#
# Environment (set by `make check'): top_srcdir, top_builddir, NM.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/api/tap.sh"

lib=$top_builddir/.libs/libboc.so
test -f "$lib" || tap_skip_all "$lib not built (--disable-shared?)"

# $NM from libtool may carry options ("nm -B"); keep them.
nm_cmd=${NM:-nm}

work=$(mktemp -d "${TMPDIR:-/tmp}/boc-exports.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT HUP INT TERM

# shellcheck disable=SC2086  # nm_cmd is a word list
if ! $nm_cmd -D --defined-only "$lib" >"$work/nm" 2>"$work/log"; then
	tap_not_ok "$nm_cmd -D --defined-only $lib" "$work/log"
	tap_done
	exit 0
fi

# "ADDRESS TYPE NAME[@VERSION]" -> "TYPE NAME", without absolute symbols.
awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $2, $3 }' "$work/nm" \
	| sort -u -k2 >"$work/defined"
awk '{ print $2 }' "$work/defined" | sort -u >"$work/exported"
boc_api_functions >"$work/declared"

tap_diag "$(wc -l <"$work/exported") symbols exported, $(wc -l <"$work/declared") functions declared BOC_API"

while read -r type name; do
	case $name in
	boc_*) tap_ok "exported symbol $name ($type) has the boc_ prefix" ;;
	*) tap_not_ok "exported symbol $name ($type) has the boc_ prefix" ;;
	esac
done <"$work/defined"

while read -r fn; do
	if grep -qx "$fn" "$work/exported"; then
		tap_ok "$fn (declared BOC_API) is exported"
	else
		tap_not_ok "$fn (declared BOC_API) is exported"
	fi
done <"$work/declared"

while read -r name; do
	case $name in
	boc_*)
		if grep -qx "$name" "$work/declared"; then
			tap_ok "exported $name is declared in a public header"
		else
			tap_not_ok "exported $name is declared in a public header"
		fi
		;;
	esac
done <"$work/exported"

tap_done
