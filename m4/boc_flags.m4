# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# boc_flags.m4 - probe compiler and linker flags one at a time.
#
# The current language (AC_LANG) decides which compiler and which flags
# variable (CFLAGS or CXXFLAGS) a probe uses, so the same macro serves the
# C and the C++ warning lists.  Probes add -Werror so that a compiler which
# only warns about an unknown option (clang: -Wunknown-warning-option)
# still answers "no".

# BOC_FLAG_IFELSE(FLAGS, [ACTION-IF-ACCEPTED], [ACTION-IF-REJECTED])
# ------------------------------------------------------------------
# Compile an empty program with FLAGS added to the current language's
# flags.  The answer is cached per language and per FLAGS.
AC_DEFUN([BOC_FLAG_IFELSE],
[AS_VAR_PUSHDEF([boc_flag_cv], [boc_cv_[]_AC_LANG_ABBREV[]_flag_$1])dnl
AC_CACHE_CHECK([whether the _AC_LANG compiler accepts $1], [boc_flag_cv],
  [boc_flag_saved=$[]_AC_LANG_PREFIX[]FLAGS
   _AC_LANG_PREFIX[]FLAGS="$[]_AC_LANG_PREFIX[]FLAGS -Werror $1"
   AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
     [AS_VAR_SET([boc_flag_cv], [yes])],
     [AS_VAR_SET([boc_flag_cv], [no])])
   _AC_LANG_PREFIX[]FLAGS=$boc_flag_saved])
AS_VAR_IF([boc_flag_cv], [yes], [$2], [$3])
AS_VAR_POPDEF([boc_flag_cv])dnl
])

# BOC_APPEND_FLAGS(VARIABLE, FLAG...)
# -----------------------------------
# Probe each whitespace-separated FLAG on its own with the current
# language's compiler and append the accepted ones to the shell VARIABLE.
AC_DEFUN([BOC_APPEND_FLAGS],
[for boc_one_flag in m4_normalize([$2]); do
  BOC_FLAG_IFELSE([$boc_one_flag], [AS_VAR_APPEND([$1], [" $boc_one_flag"])])
done
])

# BOC_LINK_FLAGS_IFELSE(FLAGS, [ACTION-IF-ACCEPTED], [ACTION-IF-REJECTED])
# ------------------------------------------------------------------------
# Compile and link a program with FLAGS given both to the compiler and to
# the linker (sanitizers need both).  Not cached: FLAGS come from the user.
AC_DEFUN([BOC_LINK_FLAGS_IFELSE],
[AC_MSG_CHECKING([whether the _AC_LANG compiler and linker accept $1])
boc_flag_saved=$[]_AC_LANG_PREFIX[]FLAGS
boc_ldflags_saved=$LDFLAGS
_AC_LANG_PREFIX[]FLAGS="$[]_AC_LANG_PREFIX[]FLAGS $1"
LDFLAGS="$LDFLAGS $1"
AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
  [boc_flag_ok=yes], [boc_flag_ok=no])
_AC_LANG_PREFIX[]FLAGS=$boc_flag_saved
LDFLAGS=$boc_ldflags_saved
AC_MSG_RESULT([$boc_flag_ok])
AS_IF([test "x$boc_flag_ok" = xyes], [$2], [$3])
])
