# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# Check unit tests, one program per area (make check).  Each prints TAP on
# stdout (CK_TAP_LOG_FILE_NAME=- from AM_TESTS_ENVIRONMENT) and its seed as
# "# seed: N" on stderr; replay a run with BOC_TEST_SEED=N.  Debug one test
# under gdb with CK_FORK=no CK_RUN_CASE=<tcase> CK_RUN_TEST=<test>.
# BOC_TEST_SCALE=<percent> scales the workload sizes (sanitizer builds
# default to smaller ones, see tests/unit/testutil.h).

UNIT_TESTS = \
	tests/unit/check_common \
	tests/unit/check_cown \
	tests/unit/check_when \
	tests/unit/check_runtime \
	tests/unit/check_pull \
	tests/unit/check_pump \
	tests/unit/check_errors \
	tests/unit/check_blob \
	tests/unit/check_msg \
	tests/unit/check_noticeboard \
	tests/unit/check_matrix

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
noinst_HEADERS += tests/unit/testutil.h

UNIT_CPPFLAGS = -I$(top_srcdir)/include $(CHECK_CFLAGS) $(PTHREAD_CFLAGS)
UNIT_LDADD = libboc.la $(CHECK_LIBS) $(PTHREAD_LIBS)

tests_unit_check_common_SOURCES = tests/unit/check_common.c tests/unit/testutil.c
tests_unit_check_common_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_common_LDADD = $(UNIT_LDADD)

tests_unit_check_cown_SOURCES = tests/unit/check_cown.c tests/unit/testutil.c
tests_unit_check_cown_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_cown_LDADD = $(UNIT_LDADD)

tests_unit_check_when_SOURCES = tests/unit/check_when.c tests/unit/testutil.c
tests_unit_check_when_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_when_LDADD = $(UNIT_LDADD)

tests_unit_check_runtime_SOURCES = tests/unit/check_runtime.c tests/unit/testutil.c
tests_unit_check_runtime_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_runtime_LDADD = $(UNIT_LDADD)

tests_unit_check_pull_SOURCES = tests/unit/check_pull.c tests/unit/testutil.c
tests_unit_check_pull_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_pull_LDADD = $(UNIT_LDADD)

tests_unit_check_pump_SOURCES = tests/unit/check_pump.c tests/unit/testutil.c
tests_unit_check_pump_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_pump_LDADD = $(UNIT_LDADD)

tests_unit_check_errors_SOURCES = tests/unit/check_errors.c tests/unit/testutil.c
tests_unit_check_errors_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_errors_LDADD = $(UNIT_LDADD)

tests_unit_check_blob_SOURCES = tests/unit/check_blob.c tests/unit/testutil.c
tests_unit_check_blob_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_blob_LDADD = $(UNIT_LDADD)

tests_unit_check_msg_SOURCES = tests/unit/check_msg.c tests/unit/testutil.c
tests_unit_check_msg_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_msg_LDADD = $(UNIT_LDADD)

tests_unit_check_noticeboard_SOURCES = tests/unit/check_noticeboard.c tests/unit/testutil.c
tests_unit_check_noticeboard_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_noticeboard_LDADD = $(UNIT_LDADD)

tests_unit_check_matrix_SOURCES = tests/unit/check_matrix.c tests/unit/testutil.c
tests_unit_check_matrix_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_check_matrix_LDADD = $(UNIT_LDADD) -lm
