# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# examples/: small C programs that show the API.  They are built by plain
# `make` (the quick-start demo runs build/examples/bank) and smoke-run by
# `make check` through examples/smoke.sh (TAP).
# Included by the top-level Makefile.am; only appends with +=.

noinst_PROGRAMS += \
	examples/hello \
	examples/bank \
	examples/dining_philosophers

# -no-install: link the real binary (with an rpath to the uninstalled
# library) instead of a libtool wrapper script, so the examples can be run
# and debugged directly from the build tree.
examples_hello_SOURCES = examples/hello.c
examples_hello_CPPFLAGS = -I$(top_srcdir)/include $(AM_CPPFLAGS)
examples_hello_LDADD = libboc.la $(PTHREAD_LIBS)
examples_hello_LDFLAGS = -no-install $(AM_LDFLAGS)

examples_bank_SOURCES = examples/bank.c
examples_bank_CPPFLAGS = -I$(top_srcdir)/include $(AM_CPPFLAGS)
examples_bank_LDADD = libboc.la $(PTHREAD_LIBS)
examples_bank_LDFLAGS = -no-install $(AM_LDFLAGS)

examples_dining_philosophers_SOURCES = examples/dining_philosophers.c
examples_dining_philosophers_CPPFLAGS = -I$(top_srcdir)/include $(AM_CPPFLAGS)
examples_dining_philosophers_LDADD = libboc.la $(PTHREAD_LIBS)
examples_dining_philosophers_LDFLAGS = -no-install $(AM_LDFLAGS)

TESTS += examples/smoke.sh
EXTRA_DIST += examples/smoke.sh
