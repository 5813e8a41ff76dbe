# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# tests/python/: the Python package (python/bocpy) and its pytest suite.
#
#   make check                                  # includes the Python suite
#   make check PYTHON=~/.pyenv/versions/3.12.1/bin/python
#   make check-python [PYTHON=...]              # only the Python suite
#   make check-pypy [PYPY3=pypy3]               # the Python suite on PyPy
#
# tests/python/run-pytest.sh runs pytest on tests/python with the package
# from $(srcdir)/python and the library from .libs/, and prints one TAP line
# per test.  The interpreter is $(PYTHON) when given, else configure's
# PYTHON3, else python3 (the first with cffi and pytest).  An interpreter
# without them: $(PYTHON) -m pip install -r python/requirements-test.txt.
#
# tests/python/install-test.sh (pip install into fresh venvs, against an
# installed libboc) is not part of make check: .ci/run runs it.
# Included by the top-level Makefile.am; only appends with +=.

TESTS += tests/python/run-pytest.sh

# Shipped whole (a directory in EXTRA_DIST; the top-level dist-hook drops
# caches from the copy).
EXTRA_DIST += tests/python

CLEANFILES += \
	tests/python/run-pytest.tap \
	tests/python/run-pytest.out \
	test-suite-python.log \
	test-suite-pypy.log

# The suite alone, through the same TAP driver (log: tests/python/run-pytest.log;
# summary in test-suite-python.log, so that make check's test-suite.log stays).
check-python: libboc.la
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS=tests/python/run-pytest.sh \
	  TEST_SUITE_LOG=test-suite-python.log

# PyPy (Debian 12: pypy3 7.3.11, Python 3.9, cffi built in).  It needs pytest
# and pytest-timeout, which Debian does not package for PyPy: use a PyPy venv,
# which tests/python/pypy-venv.sh makes (apt-get install pypy3 pypy3-venv,
# pypy3 -m venv .venv-pypy, pip install -r python/requirements-test.txt):
#   make check-pypy PYPY3=$(../tests/python/pypy-venv.sh)
PYPY3 = pypy3
check-pypy: libboc.la
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS=tests/python/run-pytest.sh \
	  TEST_SUITE_LOG=test-suite-pypy.log PYTHON='$(PYPY3)'

.PHONY: check-python check-pypy
