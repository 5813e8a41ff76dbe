# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# bench/: the native benchmark driver and the `bench` target.
#
#   make bench                               # defaults: all workloads, 1,2 workers
#   make bench BENCH_ARGS='--workloads bank,bank_mutex --repeat 9'
#
# Results: the table on stdout (also kept in bench/results.txt) and JSON in
# bench/results.json, both in the build directory.  `make check` only
# smoke-runs the driver at a tiny scale (bench/smoke.sh).
# Included by the top-level Makefile.am; only appends with +=.

noinst_PROGRAMS += bench/boc_bench

bench_boc_bench_SOURCES = bench/boc_bench.cc
bench_boc_bench_CPPFLAGS = -I$(top_srcdir)/include $(AM_CPPFLAGS)
bench_boc_bench_LDADD = libboc.la $(PTHREAD_LIBS)
# A real binary, not a libtool wrapper script (see examples/local.mk).
bench_boc_bench_LDFLAGS = -no-install $(AM_LDFLAGS)

# The Matrix kernels (boc/matrix.h): `make bench-matrix`, or run
# bench/matrix_bench [--reps N] [--filter SUBSTRING] directly.
noinst_PROGRAMS += bench/matrix_bench
bench_matrix_bench_SOURCES = bench/matrix_bench.c
bench_matrix_bench_CPPFLAGS = -I$(top_srcdir)/include $(AM_CPPFLAGS)
bench_matrix_bench_LDADD = libboc.la $(PTHREAD_LIBS)
bench_matrix_bench_LDFLAGS = -no-install $(AM_LDFLAGS)

TESTS += bench/smoke.sh
EXTRA_DIST += bench/smoke.sh bench/README.md
CLEANFILES += bench/results.json bench/results.txt bench/.status

BENCH_ARGS =

# The table goes to the terminal and to bench/results.txt; the driver's exit
# status (1 when a workload computed a wrong answer) is kept through the pipe.
bench: bench/boc_bench$(EXEEXT)
	@$(MKDIR_P) bench
	{ bench/boc_bench$(EXEEXT) --json bench/results.json $(BENCH_ARGS); \
	  echo $$? > bench/.status; } | tee bench/results.txt
	@status=`cat bench/.status`; rm -f bench/.status; exit $$status

bench-matrix: bench/matrix_bench$(EXEEXT)
	bench/matrix_bench$(EXEEXT) $(BENCH_MATRIX_ARGS)

BENCH_MATRIX_ARGS =

.PHONY: bench bench-matrix
