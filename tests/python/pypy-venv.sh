#!/usr/bin/env bash
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# pypy-venv.sh - make sure a PyPy venv with the test dependencies exists,
# and print its interpreter's path:
#
#   make -C build check-pypy PYPY3=$(tests/python/pypy-venv.sh)
#
# Debian 12 has pypy3 7.3.11 (Python 3.9, cffi 1.15 built in) and
# pypy3-venv, but no pypy3 builds of pytest, so pytest and pytest-timeout
# come from python/requirements-test.txt into the venv (default ./.venv-pypy,
# or $1).  Missing Debian packages are installed with apt-get when running as
# root (BOC_NO_APT=1: never).  Messages go to stderr.

set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${1:-$top/.venv-pypy}

ready() { "$1" -c 'import cffi, pytest, pytest_timeout' >/dev/null 2>&1; }

if ! command -v pypy3 >/dev/null 2>&1 || ! pypy3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
	if [ "${BOC_NO_APT:-}" = 1 ] || [ "$(id -u)" -ne 0 ]; then
		echo "pypy-venv: install pypy3 and pypy3-venv (apt-get install pypy3 pypy3-venv)" >&2
		exit 1
	fi
	echo "pypy-venv: apt-get install pypy3 pypy3-venv" >&2
	{ apt-get update && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends pypy3 pypy3-venv; } >&2
fi

if [ -x "$venv/bin/python" ] && ready "$venv/bin/python"; then
	echo "$venv/bin/python"
	exit 0
fi
echo "pypy-venv: creating $venv with python/requirements-test.txt" >&2
pypy3 -m venv --clear "$venv" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check -q \
	-r "$top/python/requirements-test.txt" >&2
ready "$venv/bin/python"
echo "$venv/bin/python"
