# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# bench/python/: Python benchmarks of bocpy on the libboc just built.
#
#   make bench-python                                   # 1 and 2 workers
#   make bench-python BENCH_PY_ARGS='--repeat 9 --workers 1,2,4'
#   make bench-python BOCPY_REF_PYTHON=/work/refvenv/bin/python
#   make bench-python PYTHON=~/.pyenv/versions/3.13.0/bin/python
#
# BOCPY_REF_PYTHON names an interpreter with another bocpy installed (the
# original bocpy 0.9.0: python3 -m venv /work/refvenv &&
# /work/refvenv/bin/pip install bocpy==0.9.0); the same workloads then run
# under both, alternating, and the table shows the ratios.  `make bench`
# runs this too.  Results: the table on stdout and in
# bench/python-results.txt, JSON in bench/python-results.json.
# Included by the top-level Makefile.am; only appends with +=.

EXTRA_DIST += bench/python
CLEANFILES += bench/python-results.txt bench/python-results.json bench/.python-status
CLEANFILES += bench/python-matrix-results.txt bench/python-matrix-results.json \
	bench/.python-matrix-status

# BOCPY_REF_PYTHON is not a make variable here (automake would take
# *_PYTHON for its PYTHON primary): bench_py.py reads it from the
# environment, where `make bench BOCPY_REF_PYTHON=...` puts it.
BENCH_PY_ARGS =

# Depends on the native driver only to keep make -j from building it while
# the Python benchmarks run.
bench-python: libboc.la bench/boc_bench$(EXEEXT)
	@$(MKDIR_P) bench
	@py='$(PYTHON)'; test -n "$$py" || py='$(PYTHON3)'; \
	{ env PYTHONPATH='$(abs_top_srcdir)/python' \
	    BOCPY_LIBBOC='$(abs_top_builddir)/.libs/libboc.so.0' \
	    PYTHONDONTWRITEBYTECODE=1 \
	    "$$py" $(srcdir)/bench/python/bench_py.py \
	    --json bench/python-results.json $(BENCH_PY_ARGS); \
	  echo $$? > bench/.python-status; } | tee bench/python-results.txt
	@status=`cat bench/.python-status`; rm -f bench/.python-status; exit $$status

# `make bench` runs the Python benchmarks too (after building the native
# driver, before the native table).
bench: bench-python

# bocpy-cffi's Matrix (bocpy._matrix) against NumPy, and GIL-free
# parallelism with two threads / two workers:
#   make bench-matrix-python BENCH_MATRIX_PY_ARGS='--repeat 3 --filter matmul'
# Results: bench/python-matrix-results.txt and .json.  Not part of `make bench`.
BENCH_MATRIX_PY_ARGS =

bench-matrix-python: libboc.la
	@$(MKDIR_P) bench
	@py='$(PYTHON)'; test -n "$$py" || py='$(PYTHON3)'; \
	{ env PYTHONPATH='$(abs_top_srcdir)/python' \
	    BOCPY_LIBBOC='$(abs_top_builddir)/.libs/libboc.so.0' \
	    PYTHONDONTWRITEBYTECODE=1 \
	    "$$py" $(srcdir)/bench/python/bench_matrix.py \
	    --json bench/python-matrix-results.json $(BENCH_MATRIX_PY_ARGS); \
	  echo $$? > bench/.python-matrix-status; } | tee bench/python-matrix-results.txt
	@status=`cat bench/.python-matrix-status`; rm -f bench/.python-matrix-status; exit $$status

.PHONY: bench-python bench-matrix-python
