# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# boc_cxx17.m4 - make sure the C++ compiler speaks C++17.

# BOC_PROG_CXX_CXX17
# ------------------
# Call after AC_PROG_CXX.  Sets and substitutes BOC_CXX17_FLAG: empty when
# the compiler is in C++17 (or later) mode by default, otherwise the first
# of -std=c++17 / -std=c++1z that works.  Stops configure with a clear
# error when none does: the runtime cannot be built without C++17.
AC_DEFUN([BOC_PROG_CXX_CXX17],
[AC_REQUIRE([AC_PROG_CXX])dnl
AC_LANG_PUSH([C++])
AC_CACHE_CHECK([for the flag that selects C++17], [boc_cv_cxx17_flag],
  [boc_cv_cxx17_flag=unsupported
   boc_cxx17_saved=$CXXFLAGS
   for boc_try in '' -std=c++17 -std=c++1z; do
     CXXFLAGS="$boc_cxx17_saved $boc_try"
     AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[
#if __cplusplus < 201703L
#error "not C++17"
#endif
#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
template <typename... T> constexpr auto boc_sum(T... t) { return (t + ... + 0); }
struct boc_pair { int a; int b; };
inline int boc_inline_variable = 3;
static int boc_check(std::optional<int> o, std::string_view s) {
  boc_pair p{1, 2};
  auto [x, y] = p;
  std::atomic<std::uint64_t> counter{0};
  counter.fetch_add(1, std::memory_order_relaxed);
  if constexpr (std::is_same_v<decltype(x), int>)
    return x + y + boc_sum(1, 2) + o.value_or(0) + static_cast<int>(s.size());
  else
    return 0;
}
]], [[return boc_check(std::nullopt, "boc") + boc_inline_variable;]])],
       [boc_cv_cxx17_flag=$boc_try])
     test "x$boc_cv_cxx17_flag" != xunsupported && break
   done
   CXXFLAGS=$boc_cxx17_saved
   AS_IF([test "x$boc_cv_cxx17_flag" = x], [boc_cv_cxx17_flag=default])])
AC_LANG_POP([C++])
AS_CASE([$boc_cv_cxx17_flag],
  [unsupported],
    [AC_MSG_ERROR([the C++ compiler '$CXX' does not support C++17.
libboc's runtime is written in C++17: install a newer compiler
(GCC >= 7 or Clang >= 5; on Debian: apt-get install g++) or point
configure at one, e.g. ./configure CXX=g++-12])],
  [default], [BOC_CXX17_FLAG=],
  [BOC_CXX17_FLAG=$boc_cv_cxx17_flag])
AC_SUBST([BOC_CXX17_FLAG])
])
