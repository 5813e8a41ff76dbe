# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# boc_pthread.m4 - find how to compile and link POSIX threads programs.

# BOC_CHECK_PTHREAD
# -----------------
# Sets and substitutes PTHREAD_CFLAGS and PTHREAD_LIBS.  Tries, in order:
# -pthread (GCC and Clang: also sets _REENTRANT), -lpthread, and nothing at
# all (C libraries that have the threads API built in).  Stops configure
# when none of them links a program that creates and joins a thread.
AC_DEFUN([BOC_CHECK_PTHREAD],
[AC_LANG_PUSH([C])
AC_CACHE_CHECK([how to build POSIX threads programs], [boc_cv_pthread],
  [boc_cv_pthread=no
   boc_pt_cflags_saved=$CFLAGS
   boc_pt_libs_saved=$LIBS
   for boc_try in -pthread -lpthread none; do
     AS_CASE([$boc_try],
       [-pthread], [CFLAGS="$boc_pt_cflags_saved -pthread"
                    LIBS="-pthread $boc_pt_libs_saved"],
       [-l*], [CFLAGS=$boc_pt_cflags_saved
               LIBS="$boc_try $boc_pt_libs_saved"],
       [CFLAGS=$boc_pt_cflags_saved
        LIBS=$boc_pt_libs_saved])
     AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include <pthread.h>
static void *boc_thread_body(void *arg) { return arg; }
]], [[
pthread_t t;
void *out = 0;
if (pthread_create(&t, 0, boc_thread_body, 0) != 0) return 1;
return pthread_join(t, &out);
]])], [boc_cv_pthread=$boc_try])
     test "x$boc_cv_pthread" != xno && break
   done
   CFLAGS=$boc_pt_cflags_saved
   LIBS=$boc_pt_libs_saved])
AC_LANG_POP([C])
AS_CASE([$boc_cv_pthread],
  [no], [AC_MSG_ERROR([cannot build POSIX threads programs with '$CC'])],
  [-pthread], [PTHREAD_CFLAGS=-pthread PTHREAD_LIBS=-pthread],
  [none], [PTHREAD_CFLAGS= PTHREAD_LIBS=],
  [PTHREAD_CFLAGS= PTHREAD_LIBS=$boc_cv_pthread])
AC_SUBST([PTHREAD_CFLAGS])
AC_SUBST([PTHREAD_LIBS])
])
