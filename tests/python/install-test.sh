#!/usr/bin/env bash
# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# install-test.sh - install bocpy-cffi the way users do, into fresh venvs,
# against an installed libboc, and run a behavior with it.  Prints TAP.
#
#   tests/python/install-test.sh [BUILDDIR]      (default: ./build)
#
# Not part of `make check` (it needs the network for pip's build isolation
# and takes a minute); .ci/run runs it after the main build.  Steps:
#   1. make -C BUILDDIR install DESTDIR=<tmp>: libboc as a package installs it;
#   2. venv + `pip install ./python` (build isolation: pip fetches
#      setuptools), then a probe script imports bocpy and runs behaviors:
#        a. found through the dynamic linker (LD_LIBRARY_PATH=<libdir>), as
#           with an installed libboc0;
#        b. found through BOCPY_LIBBOC=<libdir>/libboc.so.0;
#        c. not found: the ImportError lists every attempt (only when no
#           libboc.so.0 is installed system-wide);
#   3. offline: a venv with setuptools and cffi preinstalled, then
#      `pip install --no-build-isolation --no-index ./python` and the probe.
# The python/ tree is copied first, so the source tree stays clean.
# Environment: PYTHON (the base interpreter for the venvs, default python3).

set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
builddir=$(cd "${1:-$top/build}" && pwd) || exit 1
python=${PYTHON:-python3}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bocpy-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
indent() { sed 's/^/#   /'; }
# check NAME COMMAND...: one TAP line; the command's output as comments.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$name"
		printf '%s\n' "$out" | grep -E '^probe:' | indent
	else
		not_ok "$name (exit $rc)"
		printf '%s\n' "$out" | tail -n 40 | indent
	fi
	return "$rc"
}

echo "# base python: $(command -v "$python") ($("$python" --version 2>&1))"
echo "# build: $builddir"

# --- the probe: what a user's first program does ------------------------------------

cat >"$tmp/probe.py" <<'EOF'
import os
import sys

import bocpy
from bocpy import Cown, wait, when

venv = sys.argv[1]
want_lib = sys.argv[2]
assert os.path.realpath(bocpy.__file__).startswith(os.path.realpath(venv)), \
    "bocpy imported from %s, not from the venv %s" % (bocpy.__file__, venv)

counter = Cown(0)
for i in range(200):
    @when(counter)
    def _(c):
        c.value += 1

pair = [Cown(1), Cown(2)]
@when(pair[0], pair[1])
def total(a, b):
    return a.value + b.value

wait()
assert counter.value == 200, counter.value
assert total.value == 3, total.value

with open("/proc/self/maps") as f:
    libs = {line.split()[-1] for line in f if "libboc.so" in line}
loaded = {os.path.realpath(p) for p in libs}
assert loaded == {os.path.realpath(want_lib)}, (loaded, want_lib)
print("probe: bocpy %s from %s; libboc %s" % (bocpy.__version__, bocpy.__file__,
                                              sorted(loaded)[0]))
EOF

cat >"$tmp/probe_missing.py" <<'EOF'
try:
    import bocpy  # noqa: F401
except ImportError as e:
    text = str(e)
    assert "libboc.so.0" in text and "BOCPY_LIBBOC" in text, text
    print("probe: ImportError as expected: " + text.splitlines()[0])
else:
    raise SystemExit("bocpy imported without any libboc to load")
EOF

# --- 1. libboc, installed ---------------------------------------------------------------

root=$tmp/root
if make -C "$builddir" install DESTDIR="$root" >"$tmp/make-install.log" 2>&1; then
	ok "make install DESTDIR=<tmp>"
else
	not_ok "make install DESTDIR=<tmp>"
	tail -n 20 "$tmp/make-install.log" | indent
	echo "1..$n"
	exit 1
fi
lib=$(find "$root" -name libboc.so.0 | head -n 1)
libdir=$(dirname "$lib")
echo "# installed library: $lib"

# A copy of the package source: pip builds in the source directory.
mkdir -p "$tmp/src"
cp -R "$top/python/." "$tmp/src/"
rm -rf "$tmp/src/build" "$tmp/src/dist" "$tmp/src"/*.egg-info
find "$tmp/src" -name __pycache__ -prune -exec rm -rf {} +

# Run in an empty directory, with nothing of the source tree on the path.
probe() { # PYTHON VENV [VAR=VALUE...]
	local py=$1 venv=$2
	shift 2
	(cd "$tmp" && env -u PYTHONPATH -u BOCPY_LIBBOC -u LD_LIBRARY_PATH "$@" \
		"$py" "$tmp/probe.py" "$venv" "$lib")
}

# --- 2. normal install: build isolation ---------------------------------------------

v1=$tmp/venv-isolated
if check "venv: $python -m venv" "$python" -m venv "$v1" &&
	check "pip install ./python (build isolation)" \
		"$v1/bin/python" -m pip install --disable-pip-version-check "$tmp/src"; then
	check "installed package: only cffi as a dependency, no compiled extension" \
		bash -c "'$v1/bin/python' -m pip show -f bocpy-cffi | grep -q '^Requires: cffi$' &&
		! '$v1/bin/python' -m pip show -f bocpy-cffi | grep -E '\\.(so|pyd)\$'"
	check "import bocpy, run behaviors: libboc through the dynamic linker (LD_LIBRARY_PATH)" \
		probe "$v1/bin/python" "$v1" LD_LIBRARY_PATH="$libdir"
	check "import bocpy, run behaviors: libboc through BOCPY_LIBBOC" \
		probe "$v1/bin/python" "$v1" BOCPY_LIBBOC="$lib"
	if ldconfig -p 2>/dev/null | grep -q 'libboc\.so\.0'; then
		ok "import bocpy without any libboc # SKIP libboc.so.0 is installed system-wide"
	else
		check "import bocpy without any libboc: one ImportError listing the attempts" \
			bash -c "cd '$tmp' && env -u PYTHONPATH -u BOCPY_LIBBOC -u LD_LIBRARY_PATH \
				'$v1/bin/python' '$tmp/probe_missing.py'"
	fi
fi

# --- 3. offline install: no build isolation, no index ---------------------------------

v2=$tmp/venv-offline
if check "venv with setuptools, wheel and cffi preinstalled" \
	bash -c "'$python' -m venv '$v2' &&
		'$v2/bin/python' -m pip install --disable-pip-version-check -q setuptools wheel 'cffi>=1.15'" &&
	check "pip install --no-build-isolation --no-index ./python" \
		"$v2/bin/python" -m pip install --disable-pip-version-check \
		--no-build-isolation --no-index "$tmp/src"; then
	check "offline install: import bocpy, run behaviors (BOCPY_LIBBOC)" \
		probe "$v2/bin/python" "$v2" BOCPY_LIBBOC="$lib"
fi

echo "1..$n"
echo "# install-test: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
