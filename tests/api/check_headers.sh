#!/bin/sh
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# check_headers.sh - every public header compiles on its own, and twice in a
# row (include guard), as strict C99 and as strict C++17.  TAP output.
#
# Environment (set by `make check'): top_srcdir, CC, CXX, PACKAGE_VERSION.

: "${top_srcdir:=.}"
: "${CC:=cc}"
: "${CXX:=c++}"
. "$top_srcdir/tests/api/tap.sh"

test -f "$top_srcdir/include/boc.h" || tap_skip_all "no include/boc.h under $top_srcdir"

work=$(mktemp -d "${TMPDIR:-/tmp}/boc-headers.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT HUP INT TERM

C_FLAGS="-std=c99 -pedantic -Werror -Wall -Wextra"
CXX_FLAGS="-std=c++17 -pedantic -Werror -Wall -Wextra"

# compile LANG COMPILER FLAGS HEADER
compile() {
	lang=$1 compiler=$2 flags=$3 header=$4
	case $lang in
	C) src=$work/t.c ;;
	C++) src=$work/t.cc ;;
	esac
	{
		echo "#include <$header>"
		echo "#include <$header>"
		echo "int boc_header_test_anchor(void);"
		echo "int boc_header_test_anchor(void) { return 0; }"
	} >"$src"
	# shellcheck disable=SC2086  # compiler and flags are word lists
	if $compiler $flags -I"$top_srcdir/include" -c "$src" -o "$work/t.o" \
		>"$work/log" 2>&1; then
		tap_ok "$header compiles alone as $lang ($flags)"
	else
		tap_not_ok "$header compiles alone as $lang ($flags)" "$work/log"
	fi
}

for h in $(boc_public_headers); do
	compile C "$CC" "$C_FLAGS" "$h"
	compile C++ "$CXX" "$CXX_FLAGS" "$h"
done

# The version macros of the headers must match the package version.
if test -n "${PACKAGE_VERSION-}"; then
	hdr_version=$(sed -n 's/^#define BOC_VERSION_STRING "\(.*\)".*/\1/p' \
		"$top_srcdir/include/boc/common.h")
	if test "x$hdr_version" = "x$PACKAGE_VERSION"; then
		tap_ok "BOC_VERSION_STRING ($hdr_version) matches the package version"
	else
		echo "# common.h says '$hdr_version', configure.ac says '$PACKAGE_VERSION'" >"$work/log"
		tap_not_ok "BOC_VERSION_STRING matches the package version" "$work/log"
	fi
fi

tap_done
