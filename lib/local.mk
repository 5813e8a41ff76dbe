# libboc.la: the C++17 runtime (lib/) and its extern "C" shim (capi/).
# Owned by the runtime; the top-level Makefile.am includes this fragment.

lib_LTLIBRARIES += libboc.la

libboc_la_SOURCES = \
	lib/pal/clock.h \
	lib/pal/topology.h \
	lib/pal/topology.cc \
	lib/pal/spin.h \
	lib/pal/pool.h \
	lib/pal/pool.cc \
	lib/core/cown.h \
	lib/core/cown.cc \
	lib/core/behavior.h \
	lib/core/behavior.cc \
	lib/core/terminator.h \
	lib/core/terminator.cc \
	lib/core/pinned.h \
	lib/core/pinned.cc \
	lib/sched/mpmcq.h \
	lib/sched/scheduler.h \
	lib/sched/scheduler.cc \
	lib/core/runtime.h \
	lib/core/runtime.cc \
	lib/msg/blob.h \
	lib/msg/blob.cc \
	lib/msg/queue.h \
	lib/msg/queue.cc \
	lib/msg/noticeboard.h \
	lib/msg/noticeboard.cc \
	capi/guard.h \
	capi/common.cc \
	capi/cown.cc \
	capi/behavior.cc \
	capi/runtime.cc \
	capi/pull.cc \
	capi/pump.cc \
	capi/blob.cc \
	capi/msg.cc \
	capi/noticeboard.cc \
	capi/matrix.cc

libboc_la_CPPFLAGS = -I$(top_srcdir)/include -I$(top_srcdir)/lib $(AM_CPPFLAGS)
libboc_la_CXXFLAGS = $(BOC_LIB_CXXFLAGS) $(AM_CXXFLAGS)
libboc_la_LDFLAGS = -version-info $(LIBBOC_LT_VERSION) -no-undefined \
	-Wl,--version-script=$(top_srcdir)/capi/libboc.map $(AM_LDFLAGS)
libboc_la_LIBADD = libbocmatrix.la $(PTHREAD_LIBS)
EXTRA_libboc_la_DEPENDENCIES = $(top_srcdir)/capi/libboc.map
EXTRA_DIST += capi/libboc.map

# libbocmatrix.la: the Matrix kernels (lib/matrix/, boc/matrix.h), a
# convenience library linked into libboc.la so that it can have its own
# optimisation flags: -O3 for the full vectoriser, and -fno-math-errno so
# that sqrt and friends stay inline (libboc never reports through errno).
# Floating point stays IEEE: no -ffast-math, the kernels keep NaN and
# signed zeros.  Automake puts the user's CXXFLAGS (by default -O2) after
# these, so kernels.cc and matmul.cc also ask for -O3 with a pragma
# whenever the build optimises at all; a -O0 build stays -O0.
noinst_LTLIBRARIES += libbocmatrix.la
libbocmatrix_la_SOURCES = \
	lib/matrix/matrix.h \
	lib/matrix/matrix.cc \
	lib/matrix/kernels.cc \
	lib/matrix/matmul.cc \
	lib/matrix/vector.cc \
	lib/matrix/random.cc
BOC_MATRIX_OPT_CXXFLAGS = -O3 -ftree-vectorize -fno-math-errno
libbocmatrix_la_CPPFLAGS = $(libboc_la_CPPFLAGS)
libbocmatrix_la_CXXFLAGS = $(BOC_LIB_CXXFLAGS) $(AM_CXXFLAGS) $(BOC_MATRIX_OPT_CXXFLAGS)
