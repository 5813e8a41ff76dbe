# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# Stress programs: long, seeded, randomised runs, not part of `make check`.
# Each prints its seed ("# seed: N") and TAP, and takes --seed N and
# --seconds S (default 5).  Build and run them all with
#
#   make check-stress
#   make check-stress STRESS_ARGS="--seed 42 --seconds 30"
#
# The target fails if any program prints "not ok" or exits non-zero.
# Included by the top-level Makefile.am; only appends with +=.

STRESS_PROGS = \
	tests/stress/stress_when \
	tests/stress/stress_lifecycle \
	tests/stress/stress_pull \
	tests/stress/stress_msg \
	tests/stress/stress_pump

EXTRA_PROGRAMS += $(STRESS_PROGS)
CLEANFILES += $(STRESS_PROGS)
noinst_HEADERS += tests/stress/stress.h

STRESS_CPPFLAGS = -I$(top_srcdir)/include $(PTHREAD_CFLAGS)
STRESS_LDADD = libboc.la $(PTHREAD_LIBS)

tests_stress_stress_when_SOURCES = tests/stress/stress_when.c
tests_stress_stress_when_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_stress_when_LDADD = $(STRESS_LDADD)

tests_stress_stress_lifecycle_SOURCES = tests/stress/stress_lifecycle.c
tests_stress_stress_lifecycle_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_stress_lifecycle_LDADD = $(STRESS_LDADD)

tests_stress_stress_pull_SOURCES = tests/stress/stress_pull.c
tests_stress_stress_pull_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_stress_pull_LDADD = $(STRESS_LDADD)

STRESS_ARGS =

check-stress: $(STRESS_PROGS)
	@failed=0; \
	for prog in $(STRESS_PROGS); do \
	  echo "== $$prog $(STRESS_ARGS)"; \
	  ./$$prog $(STRESS_ARGS) > $$prog.log 2>&1; rc=$$?; \
	  cat $$prog.log; \
	  if test $$rc -ne 0 || grep -q '^not ok' $$prog.log; then \
	    echo "FAIL: $$prog (exit $$rc; log in $$prog.log)"; failed=1; \
	  else \
	    echo "PASS: $$prog"; \
	  fi; \
	done; \
	test $$failed -eq 0

CLEANFILES += $(STRESS_PROGS:=.log)

.PHONY: check-stress

tests_stress_stress_msg_SOURCES = tests/stress/stress_msg.c
tests_stress_stress_msg_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_stress_msg_LDADD = $(STRESS_LDADD)

tests_stress_stress_pump_SOURCES = tests/stress/stress_pump.c
tests_stress_stress_pump_CPPFLAGS = $(STRESS_CPPFLAGS)
tests_stress_stress_pump_LDADD = $(STRESS_LDADD)
