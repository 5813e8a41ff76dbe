# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# tests/api/: checks of the public contract rather than of behavior, run by
# `make check` through the TAP driver:
#   check_headers.sh  every public header compiles alone as C99 and C++17
#   check_exports.sh  libboc.so exports exactly the boc_* API of the headers
#   check_man.sh      every exported function has a man page; mandoc lint
# Included by the top-level Makefile.am; only appends with +=.

TESTS += \
	tests/api/check_headers.sh \
	tests/api/check_exports.sh \
	tests/api/check_man.sh

EXTRA_DIST += \
	tests/api/tap.sh \
	tests/api/check_headers.sh \
	tests/api/check_exports.sh \
	tests/api/check_man.sh
