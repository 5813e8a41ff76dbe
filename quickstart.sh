#!/usr/bin/env bash
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# quickstart.sh - from a fresh clone to a running demo or a tested build.
#
#   ./quickstart.sh demo   install what is missing, build, run the bank demo
#                          (Python: examples/python/bank.py on the new libboc)
#   ./quickstart.sh test   install what is missing, build, run `make check'
#                          (C tests and the Python suite)
#
# Both are idempotent: a second run installs nothing, bootstraps and
# configures only when their inputs changed, and rebuilds only what make
# thinks is out of date.  The build goes to ./build (a VPATH build: the
# source tree stays clean).
#
# Python: the python3 first on PATH is used as it is when it has cffi,
# pytest and pytest-timeout; otherwise they are installed, at the versions
# pinned in python/requirements-test.txt, into a project venv ./.venv made
# from that python3 (pip never touches the system's Python), and ./.venv's
# python is used.  configure gets the chosen one as PYTHON3.
#
# Environment:
#   BOC_CONFIGURE_FLAGS  extra ./configure arguments (a change reconfigures)
#   BOC_NO_APT=1         never call apt-get (report missing packages only)
#   BOC_PYTHON           the base Python (default: python3 on PATH)
#   JOBS                 parallel make jobs (default: nproc)

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

builddir=$here/build
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
configure_flags=${BOC_CONFIGURE_FLAGS:-}

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

usage() {
	cat <<'EOF'
usage: ./quickstart.sh demo | test

  demo   build libboc and run the bank example in Python
         (examples/python/bank.py; in C: build/examples/bank)
  test   build libboc and run the test suite (make -C build check),
         the Python suite included
EOF
}

# --- 1. packages ------------------------------------------------------------

# xvfb, python3-tk, python3-cffi, x11-apps (xwd), netpbm (xwdtopnm): the
# test of examples/python/pump_tk.py, a Tk window under Xvfb and its
# screenshot (tests/python/test_examples_pump.py).
# libgl1, libglx-mesa0, libgl1-mesa-dri: OpenGL for pyglet under Xvfb (Mesa's
# software renderer), for the test of examples/python/boids.py's window
# (tests/python/test_example_boids.py; pyglet itself is in
# python/requirements-test.txt).
packages=(build-essential g++ autoconf automake libtool pkg-config check mandoc python3 python3-venv
	xvfb python3-tk python3-cffi x11-apps netpbm
	libgl1 libglx-mesa0 libgl1-mesa-dri)

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_packages() {
	if ! command -v dpkg-query >/dev/null 2>&1; then
		say "Not a Debian-like system: skipping package checks"
		echo "    needs: a C and C++17 compiler, make, autoconf, automake, libtool,"
		echo "           pkg-config, check (unit tests), mandoc (optional), python3 (with venv);"
		echo "           for the Tk example's test: Xvfb, a python3 with tkinter and cffi,"
		echo "           xwd and netpbm"
		return
	fi
	local missing=() p
	for p in "${packages[@]}"; do
		pkg_installed "$p" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "Packages: all present (${packages[*]})"
		return
	fi
	say "Packages: installing ${missing[*]}"
	if [ "${BOC_NO_APT:-}" = 1 ]; then
		die "missing packages and BOC_NO_APT=1: apt-get install ${missing[*]}"
	fi
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install ${missing[*]} by hand"
		sudo=(sudo)
	fi
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}"
}

# --- 2. Python and the test dependencies ---------------------------------------

venv=$here/.venv
python=

python_ready() { # PYTHON: has it what python/requirements-test.txt lists?
	# On CPython that includes NumPy (the Matrix comparisons) and pyglet
	# (the boids window test): without them those tests would only skip.
	"$1" -c 'import platform, cffi, pytest, pytest_timeout
if platform.python_implementation() == "CPython":
    import numpy, pyglet' >/dev/null 2>&1
}

setup_python() {
	local base
	base=$(command -v "${BOC_PYTHON:-python3}") || die "no python3 on PATH (set BOC_PYTHON)"
	# The interpreter itself, not a launcher such as a pyenv shim.
	base=$("$base" -c 'import sys; print(sys.executable)') || die "$base does not run"
	if python_ready "$base"; then
		python=$base
		say "Python: $python has cffi, pytest, pytest-timeout, numpy and pyglet"
		return
	fi
	if [ -x "$venv/bin/python" ] && python_ready "$venv/bin/python"; then
		python=$venv/bin/python
		say "Python: using .venv ($python)"
		return
	fi
	say "Python: installing python/requirements-test.txt into .venv (from $base)"
	# --clear: a .venv left by another base interpreter is rebuilt.
	"$base" -m venv --clear "$venv" ||
		die "$base -m venv failed (Debian: apt-get install python3-venv)"
	"$venv/bin/python" -m pip install --disable-pip-version-check -q \
		-r python/requirements-test.txt ||
		die "pip install -r python/requirements-test.txt failed"
	python_ready "$venv/bin/python" || die "$venv/bin/python still lacks a package of python/requirements-test.txt"
	python=$venv/bin/python
}

# --- 3. bootstrap -------------------------------------------------------------

# ./bootstrap runs again when a generated file is missing, when configure is
# older than one of its inputs (configure.ac, m4/boc_*.m4, bootstrap), or
# when Makefile.in is older than one of its inputs (Makefile.am, local.mk).
newer_than() { # TARGET FILE...: is one FILE newer than TARGET?
	local target=$1 f
	shift
	for f in "$@"; do
		[ "$f" -nt "$target" ] && return 0
	done
	return 1
}

needs_bootstrap() {
	[ -x configure ] && [ -f Makefile.in ] && [ -f build-aux/tap-driver.sh ] || return 0
	local conf_inputs=(configure.ac bootstrap m4/boc_*.m4) am_inputs=(Makefile.am)
	mapfile -t -O 1 am_inputs < <(find . -name local.mk -not -path './build*')
	newer_than configure "${conf_inputs[@]}" && return 0
	newer_than Makefile.in "${am_inputs[@]}" && return 0
	return 1
}

run_bootstrap() {
	if needs_bootstrap; then
		say "Bootstrap: ./bootstrap (generated files missing or out of date)"
		./bootstrap
	else
		say "Bootstrap: ./configure is up to date"
	fi
}

# --- 4. configure -------------------------------------------------------------

run_configure() {
	local stamp=$builddir/.quickstart-configure-flags
	local reason= stamped="$configure_flags PYTHON3=$python"
	if [ ! -f "$builddir/Makefile" ] || [ ! -f "$builddir/config.status" ]; then
		reason="no build/Makefile yet"
	elif [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$stamped" ]; then
		reason="configure flags or Python changed"
	elif [ configure -nt "$builddir/config.status" ]; then
		reason="./configure is newer than the last run"
	fi
	if [ -z "$reason" ]; then
		say "Configure: build/ is configured (flags: ${configure_flags:-none})"
		return
	fi
	say "Configure: $reason -> (cd build && ../configure $configure_flags PYTHON3=$python)"
	mkdir -p "$builddir"
	# shellcheck disable=SC2086  # the flags are a word list on purpose
	(cd "$builddir" && "$here/configure" $configure_flags PYTHON3="$python")
	printf '%s' "$stamped" >"$stamp"
}

# --- 5. build -----------------------------------------------------------------

run_make() {
	say "Build: make -C build -j$jobs"
	make -C "$builddir" -j"$jobs"
}

# --- modes --------------------------------------------------------------------

prepare() {
	install_packages
	setup_python
	run_bootstrap
	run_configure
	run_make
}

mode_demo() {
	prepare
	# The examples are built by `make'; build the demo explicitly anyway, in
	# case a fragment moves it to check_PROGRAMS.
	make -C "$builddir" -j"$jobs" examples/bank >/dev/null
	say "Demo: examples/python/bank.py (bocpy on build/.libs/libboc.so.0)"
	BOCPY_LIBBOC=$builddir/.libs/libboc.so.0 PYTHONPATH=$here/python \
		PYTHONDONTWRITEBYTECODE=1 "$python" "$here/examples/python/bank.py"
	echo
	echo "The same demo in C: build/examples/bank"
}

mode_test() {
	prepare
	say "Test: make -C build -j$jobs check"
	if make -C "$builddir" -j"$jobs" check; then
		say "Test: all tests passed"
		return 0
	fi
	say "Test: FAILED; build/test-suite.log follows"
	if [ -f "$builddir/test-suite.log" ]; then
		cat "$builddir/test-suite.log"
	else
		echo "(no build/test-suite.log: the build failed before the tests ran)"
	fi
	exit 1
}

case "${1:-}" in
demo) mode_demo ;;
test) mode_test ;;
-h|--help|help) usage ;;
*) usage >&2; exit 2 ;;
esac
