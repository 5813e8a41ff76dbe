#!/bin/sh
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# run-pytest.sh - run the Python test suite (tests/python) against the
# libboc just built, and report it as TAP for automake's TAP driver.
#
# Interpreter: $PYTHON when set (`make check PYTHON=/path/to/python`; it
# must have cffi and pytest, or the run fails), else configure's $PYTHON3,
# else python3 -- the first of those two that has cffi and pytest.  When
# none has them the suite is skipped (`1..0 # SKIP ...`); ./quickstart.sh
# installs them, so its runs never skip.
#
# The package comes from the source tree (PYTHONPATH=$abs_top_srcdir/python)
# and the library from the build tree
# (BOCPY_LIBBOC=$abs_top_builddir/.libs/libboc.so.0).
#
# pytest runs with a per-test timeout (pytest-timeout, BOCPY_TEST_TIMEOUT
# seconds, default 120; thread method, so that a test stuck inside libboc is
# killed too, with every thread's stack in the log) and the whole session
# with BOCPY_SUITE_TIMEOUT seconds (default 1500).  Each test becomes one
# TAP line (tests/python/tap_plugin.py); pytest's own output is in the log
# as TAP comments.  Extra pytest arguments: PYTEST_ARGS (e.g. "-k when -x").
#
# In a sanitizer build the library needs its sanitizer runtimes loaded first:
# the suite runs with LD_PRELOAD=<libasan>:<libubsan> or <libtsan> (found with
# $CC -print-file-name).  ASan runs with detect_leaks=0: the interpreter's
# own allocations are not leaks libboc can fix.  Under TSan only libboc is
# instrumented; the interpreter's locks (the GIL) are pthread calls, which
# TSan intercepts, so its reports are about libboc.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${abs_top_srcdir:-$(cd "$here/../.." && pwd)}
if [ -n "${abs_top_builddir:-}" ]; then
	builddir=$abs_top_builddir
elif [ -d "$srcdir/build/.libs" ]; then
	builddir=$srcdir/build
else
	builddir=$srcdir
fi

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

fail_all() {
	echo "1..1"
	echo "not ok 1 - $1"
	shift
	for line in "$@"; do
		echo "# $line"
	done
	exit 0
}

has_deps() { # PYTHON: can it import cffi and pytest?
	"$1" -c 'import cffi, pytest' >/dev/null 2>&1
}

# --- 1. the interpreter --------------------------------------------------------

py=
if [ -n "${PYTHON:-}" ]; then
	if ! command -v "$PYTHON" >/dev/null 2>&1; then
		fail_all "PYTHON=$PYTHON: no such interpreter"
	fi
	if ! has_deps "$PYTHON"; then
		fail_all "PYTHON=$PYTHON cannot import cffi and pytest" \
			"install them: $PYTHON -m pip install -r $srcdir/python/requirements-test.txt"
	fi
	py=$PYTHON
else
	for cand in "${PYTHON3:-}" python3; do
		[ -n "$cand" ] || continue
		command -v "$cand" >/dev/null 2>&1 || continue
		if has_deps "$cand"; then
			py=$cand
			break
		fi
	done
	[ -n "$py" ] || skip_all "no python with cffi and pytest (pip install -r python/requirements-test.txt, or ./quickstart.sh test)"
fi
# The interpreter itself, not a launcher such as a pyenv shim (a shell
# script, which must not get a sanitizer runtime preloaded).
py_path=$("$py" -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -n "$py_path" ] || py_path=$(command -v "$py")
py_version=$("$py" -c 'import sys, platform; print("%s %s" % (platform.python_implementation(), platform.python_version()))' 2>/dev/null)
echo "# python: $py_path ($py_version)"

# --- 2. the library -------------------------------------------------------------

lib=$builddir/.libs/libboc.so.0
[ -f "$lib" ] || fail_all "libboc is not built: $lib is missing (run make first)"
echo "# libboc: $lib"

# A sanitizer build: libboc has undefined references into the sanitizer
# runtimes (libtool links the shared library without them), which must be
# loaded first, before the interpreter's own libraries.
preload=
undef=$(${NM:-nm} -D --undefined-only "$lib" 2>/dev/null)
san_rt() { # NAME: the path of the compiler's runtime library NAME
	p=$(${CC:-cc} -print-file-name="$1" 2>/dev/null)
	case $p in
	/*) [ -f "$p" ] && echo "$p" ;;
	esac
}
case $undef in
*__tsan_*)
	rt=$(san_rt libtsan.so)
	[ -n "$rt" ] || skip_all "ThreadSanitizer build, but ${CC:-cc} -print-file-name=libtsan.so finds no runtime to preload"
	preload=$rt ;;
esac
case $undef in
*__asan_*)
	rt=$(san_rt libasan.so)
	[ -n "$rt" ] || skip_all "AddressSanitizer build, but ${CC:-cc} -print-file-name=libasan.so finds no runtime to preload"
	preload=$rt
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS ;;
esac
case $undef in
*__ubsan_*)
	rt=$(san_rt libubsan.so)
	[ -n "$rt" ] || skip_all "UndefinedBehaviorSanitizer build, but ${CC:-cc} -print-file-name=libubsan.so finds no runtime to preload"
	preload="${preload:+$preload:}$rt" ;;
esac
[ -z "$preload" ] || echo "# sanitizer build: LD_PRELOAD=$preload"

# --- 3. pytest --------------------------------------------------------------------

outdir=$builddir/tests/python
mkdir -p "$outdir"
tap=$outdir/run-pytest.tap
out=$outdir/run-pytest.out
rm -f "$tap" "$out"

set -- -q -rfEs -p tap_plugin --tap-file="$tap" -p no:cacheprovider
if "$py" -c 'import pytest_timeout' >/dev/null 2>&1; then
	set -- "$@" --timeout="${BOCPY_TEST_TIMEOUT:-120}" --timeout-method=thread
else
	echo "# pytest-timeout is not installed: no per-test timeout"
fi

guard=
if command -v timeout >/dev/null 2>&1; then
	guard="timeout --kill-after=30 ${BOCPY_SUITE_TIMEOUT:-1500}"
fi

# The source tree may be read-only (make distcheck): no .pyc, no cache.
# shellcheck disable=SC2086  # $guard and $PYTEST_ARGS are word lists
env PYTHONPATH="$srcdir/python:$srcdir/tests/python${PYTHONPATH:+:$PYTHONPATH}" \
	BOCPY_LIBBOC="$lib" \
	PYTHONDONTWRITEBYTECODE=1 \
	${preload:+LD_PRELOAD="$preload"} \
	$guard "$py_path" -m pytest "$@" ${PYTEST_ARGS:-} "$srcdir/tests/python" \
	>"$out" 2>&1 </dev/null
rc=$?

# --- 4. TAP -------------------------------------------------------------------------

sed 's/^/# /' "$out"
n=0
nfail=0
finished=0
if [ -f "$tap" ]; then
	grep -v '^1\.\.' "$tap"
	n=$(grep -cE '^(not )?ok ' "$tap")
	nfail=$(grep -E '^not ok ' "$tap" | grep -vc '# TODO')
	# tap_plugin writes its plan when the session ends normally.
	finished=$(grep -c '^1\.\.' "$tap")
fi
if [ "$rc" -ne 0 ] && [ "$finished" -eq 0 ]; then
	n=$((n + 1))
	case $rc in
	124|137) why="did not finish within BOCPY_SUITE_TIMEOUT=${BOCPY_SUITE_TIMEOUT:-1500}s" ;;
	*) why="ended early with status $rc (a per-test timeout, or a crash; see the log)" ;;
	esac
	echo "not ok $n - the pytest session $why"
else
	case $rc in
	0) ;;
	1) if [ "$nfail" -eq 0 ]; then
		n=$((n + 1))
		echo "not ok $n - pytest exited with status 1 and reported no failing test (see the log)"
	   fi ;;
	5) n=$((n + 1))
		echo "not ok $n - pytest collected no tests in $srcdir/tests/python" ;;
	*) n=$((n + 1))
		echo "not ok $n - pytest exited with status $rc (interrupted, internal or usage error)" ;;
	esac
fi
echo "1..$n"
exit 0
