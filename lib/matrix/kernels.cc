/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix/kernels.cc - the element-wise, reduction and transpose kernels.
 *
 * Written for the auto-vectoriser (this file is built with the flags of
 * libbocmatrix.la, see lib/local.mk): every hot loop runs over contiguous
 * doubles with a branch-free body.  Outputs may alias inputs, so there is
 * no __restrict; GCC versions each loop with a runtime overlap check.
 *
 * Two copies.  The library is built for baseline x86-64 (SSE2: two
 * doubles per vector, no roundpd), so every kernel body is an
 * always-inline template, instantiated twice: once in a set of entry
 * points compiled for the baseline and, on x86, once in a set compiled
 * with target("avx2") (four doubles per vector, vroundpd, a 256-bit
 * divider).  kernels() picks the set once, at the first call, with
 * __builtin_cpu_supports(); BOC_MATRIX_KERNELS=baseline in the
 * environment forces the baseline set (the tests run both).  The AVX2
 * set is built without FMA, so the two sets give bit-identical results
 * (the same operations in the same order, only wider), except for the
 * sign of a zero from a min/max reduction over both +0 and -0.
 *
 * Floating-point semantics stay IEEE (no -ffast-math): reductions use
 * explicit independent accumulators (kLanes of them) so that the
 * vectoriser may keep them in vector registers without reassociating a
 * single sum.  Element-wise min/max select with comparisons that let NaN
 * win:  max: m = (x >= y || x != x) ? x : y.  The min/max reductions
 * keep the extreme of the ordered values (a select that compiles to
 * minpd/maxpd) and, separately, whether a NaN may have been seen; if so
 * a second scan returns the first NaN of the input (see extreme_any).
 */
// Whenever the build optimises at all, optimise this file at -O3 (the
// vectoriser's full cost model, complete unrolling of the fixed-size lane
// loops): automake puts the user's CXXFLAGS, by default -O2, after the
// per-library -O3 of lib/local.mk, so the flag alone would not take.  A
// build at -O0 (no __OPTIMIZE__) stays at -O0 for debugging.  Placed
// before the includes so that every function of the file, inline ones
// from headers included, shares the same options and can be inlined.
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__)
#pragma GCC optimize("O3")
#endif

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "matrix/matrix.h"

#if defined(__GNUC__) && defined(__x86_64__)
#define BOC_K_X86 1
#include <immintrin.h>
#endif

#if defined(__GNUC__)
#define BOC_K_INLINE inline __attribute__((always_inline))
#else
#define BOC_K_INLINE inline
#endif

namespace boc::detail {

namespace {

constexpr size_t kLanes = 8;
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- binary operations as functors ----------------------------------------

struct Add { static BOC_K_INLINE double f(double x, double y) { return x + y; } };
struct Sub { static BOC_K_INLINE double f(double x, double y) { return x - y; } };
struct Mul { static BOC_K_INLINE double f(double x, double y) { return x * y; } };
struct Div { static BOC_K_INLINE double f(double x, double y) { return x / y; } };
struct Pow { static BOC_K_INLINE double f(double x, double y) { return std::pow(x, y); } };
struct Min {
  static BOC_K_INLINE double f(double x, double y) { return ((x <= y) | (x != x)) ? x : y; }
};
struct Max {
  static BOC_K_INLINE double f(double x, double y) { return ((x >= y) | (x != x)) ? x : y; }
};
struct Eq { static BOC_K_INLINE double f(double x, double y) { return x == y ? 1.0 : 0.0; } };
struct Ne { static BOC_K_INLINE double f(double x, double y) { return x != y ? 1.0 : 0.0; } };
struct Lt { static BOC_K_INLINE double f(double x, double y) { return x < y ? 1.0 : 0.0; } };
struct Le { static BOC_K_INLINE double f(double x, double y) { return x <= y ? 1.0 : 0.0; } };
struct Gt { static BOC_K_INLINE double f(double x, double y) { return x > y ? 1.0 : 0.0; } };
struct Ge { static BOC_K_INLINE double f(double x, double y) { return x >= y ? 1.0 : 0.0; } };
struct Set { static BOC_K_INLINE double f(double, double y) { return y; } };

template <class Op>
BOC_K_INLINE void vv(size_t n, const double *a, const double *b, double *o) {
  for (size_t i = 0; i < n; i++) o[i] = Op::f(a[i], b[i]);
}
template <class Op>
BOC_K_INLINE void vs(size_t n, const double *a, double s, double *o) {
  for (size_t i = 0; i < n; i++) o[i] = Op::f(a[i], s);
}
template <class Op>
BOC_K_INLINE void sv(size_t n, double s, const double *b, double *o) {
  for (size_t i = 0; i < n; i++) o[i] = Op::f(s, b[i]);
}

template <class Op>
BOC_K_INLINE void binary_mode(Bcast mode, size_t rows, size_t cols, const double *a,
                              const double *b, double scalar, double *o) {
  const size_t n = rows * cols;
  switch (mode) {
    case Bcast::SAME:
      vv<Op>(n, a, b, o);
      break;
    case Bcast::ROW_B:
      for (size_t r = 0; r < rows; r++) vv<Op>(cols, a + r * cols, b, o + r * cols);
      break;
    case Bcast::ROW_A:
      for (size_t r = 0; r < rows; r++) vv<Op>(cols, a, b + r * cols, o + r * cols);
      break;
    case Bcast::COL_B:
      for (size_t r = 0; r < rows; r++) vs<Op>(cols, a + r * cols, b[r], o + r * cols);
      break;
    case Bcast::COL_A:
      for (size_t r = 0; r < rows; r++) sv<Op>(cols, a[r], b + r * cols, o + r * cols);
      break;
    case Bcast::SCALAR_B:
      vs<Op>(n, a, scalar, o);
      break;
    case Bcast::SCALAR_A:
      sv<Op>(n, scalar, b, o);
      break;
  }
}

BOC_K_INLINE void binary_any(int op, Bcast mode, size_t rows, size_t cols, const double *a,
                             const double *b, double s, double *o) {
  switch (op) {
    case BOC_MATRIX_OP_ADD: return binary_mode<Add>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_SUB: return binary_mode<Sub>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_MUL: return binary_mode<Mul>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_DIV: return binary_mode<Div>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_POW: return binary_mode<Pow>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_MIN: return binary_mode<Min>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_MAX: return binary_mode<Max>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_EQ: return binary_mode<Eq>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_NE: return binary_mode<Ne>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_LT: return binary_mode<Lt>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_LE: return binary_mode<Le>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_GT: return binary_mode<Gt>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_GE: return binary_mode<Ge>(mode, rows, cols, a, b, s, o);
    case BOC_MATRIX_OP_SET: return binary_mode<Set>(mode, rows, cols, a, b, s, o);
    default: return;
  }
}

// ---- unary operations -------------------------------------------------------

struct Neg { static BOC_K_INLINE double f(double x) { return -x; } };
struct Abs { static BOC_K_INLINE double f(double x) { return std::fabs(x); } };
struct Ceil { static BOC_K_INLINE double f(double x) { return std::ceil(x); } };
struct Floor { static BOC_K_INLINE double f(double x) { return std::floor(x); } };
struct Round { static BOC_K_INLINE double f(double x) { return std::nearbyint(x); } };
struct Sqrt { static BOC_K_INLINE double f(double x) { return std::sqrt(x); } };
struct Exp { static BOC_K_INLINE double f(double x) { return std::exp(x); } };
struct Log { static BOC_K_INLINE double f(double x) { return std::log(x); } };
struct Sin { static BOC_K_INLINE double f(double x) { return std::sin(x); } };
struct Cos { static BOC_K_INLINE double f(double x) { return std::cos(x); } };
struct Tan { static BOC_K_INLINE double f(double x) { return std::tan(x); } };
struct Square { static BOC_K_INLINE double f(double x) { return x * x; } };

template <class Op>
BOC_K_INLINE void unary_loop(size_t n, const double *a, double *o) {
  for (size_t i = 0; i < n; i++) o[i] = Op::f(a[i]);
}

#ifdef BOC_K_X86
// ceil and floor: GCC vectorises them only under -fno-trapping-math (the
// library keeps the default), so the AVX2 copy says vroundpd itself.  The
// immediates are those GCC uses for the scalar roundsd: the rounding
// direction, plus _MM_FROUND_NO_EXC (no inexact exception, as ceil,
// floor and nearbyint).  nearbyint takes the current direction from
// MXCSR, like the library function.
// (Not always-inline: unary_any<true> is itself compiled for the baseline
// before it is inlined into the AVX2 set, and GCC refuses to force an
// AVX2 body into it.)
template <int kMode>
__attribute__((target("avx2"))) void round_avx2(size_t n, const double *a, double *o) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256d x0 = _mm256_loadu_pd(a + i), x1 = _mm256_loadu_pd(a + i + 4);
    _mm256_storeu_pd(o + i, _mm256_round_pd(x0, kMode | _MM_FROUND_NO_EXC));
    _mm256_storeu_pd(o + i + 4, _mm256_round_pd(x1, kMode | _MM_FROUND_NO_EXC));
  }
  for (; i < n; i++) {
    __m128d x = _mm_set_sd(a[i]);
    o[i] = _mm_cvtsd_f64(_mm_round_sd(x, x, kMode | _MM_FROUND_NO_EXC));
  }
}

// The same for the baseline copy on CPUs with SSE4.1 but no AVX2 (roundpd);
// g_sse41 is set by choose() before the kernel set is published, and not
// when BOC_MATRIX_KERNELS=baseline forces the plain library calls.
bool g_sse41 = false;

template <int kMode>
__attribute__((target("sse4.1"))) void round_sse41(size_t n, const double *a, double *o) {
  size_t i = 0;
  for (; i + 2 <= n; i += 2)
    _mm_storeu_pd(o + i, _mm_round_pd(_mm_loadu_pd(a + i), kMode | _MM_FROUND_NO_EXC));
  for (; i < n; i++) {
    __m128d x = _mm_set_sd(a[i]);
    o[i] = _mm_cvtsd_f64(_mm_round_sd(x, x, kMode | _MM_FROUND_NO_EXC));
  }
}

template <int kMode, class Op, bool kAvx2>
BOC_K_INLINE void round_any(size_t n, const double *a, double *o) {
  if constexpr (kAvx2) return round_avx2<kMode>(n, a, o);
  if (g_sse41) return round_sse41<kMode>(n, a, o);
  unary_loop<Op>(n, a, o);
}
#endif

template <bool kAvx2>
BOC_K_INLINE void unary_any(int op, size_t n, const double *a, double *o) {
  switch (op) {
    case BOC_MATRIX_UN_NEG: return unary_loop<Neg>(n, a, o);
    case BOC_MATRIX_UN_ABS: return unary_loop<Abs>(n, a, o);
#ifdef BOC_K_X86
    case BOC_MATRIX_UN_CEIL: return round_any<_MM_FROUND_TO_POS_INF, Ceil, kAvx2>(n, a, o);
    case BOC_MATRIX_UN_FLOOR: return round_any<_MM_FROUND_TO_NEG_INF, Floor, kAvx2>(n, a, o);
    case BOC_MATRIX_UN_ROUND:
      return round_any<_MM_FROUND_CUR_DIRECTION, Round, kAvx2>(n, a, o);
#else
    case BOC_MATRIX_UN_CEIL: return unary_loop<Ceil>(n, a, o);
    case BOC_MATRIX_UN_FLOOR: return unary_loop<Floor>(n, a, o);
    case BOC_MATRIX_UN_ROUND: return unary_loop<Round>(n, a, o);
#endif
    case BOC_MATRIX_UN_SQRT: return unary_loop<Sqrt>(n, a, o);
    case BOC_MATRIX_UN_EXP: return unary_loop<Exp>(n, a, o);
    case BOC_MATRIX_UN_LOG: return unary_loop<Log>(n, a, o);
    case BOC_MATRIX_UN_SIN: return unary_loop<Sin>(n, a, o);
    case BOC_MATRIX_UN_COS: return unary_loop<Cos>(n, a, o);
    case BOC_MATRIX_UN_TAN: return unary_loop<Tan>(n, a, o);
    case BOC_MATRIX_UN_SQUARE: return unary_loop<Square>(n, a, o);
    default: return;
  }
}

BOC_K_INLINE void clip_any(size_t n, const double *a, double lo, double hi, double *o) {
  // A NaN bound compares false, so it never replaces anything; a NaN
  // element compares false too and passes through.
  for (size_t i = 0; i < n; i++) {
    double x = a[i];
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    o[i] = x;
  }
}

// ---- reductions ---------------------------------------------------------------

BOC_K_INLINE double sum_any(size_t n, const double *a) {
  double acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t j = 0; j < kLanes; j++) acc[j] += a[i + j];
  double s = 0.0;
  for (size_t j = 0; j < kLanes; j++) s += acc[j];
  for (; i < n; i++) s += a[i];
  return s;
}

BOC_K_INLINE double sumsq_any(size_t n, const double *a) {
  double acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t j = 0; j < kLanes; j++) acc[j] += a[i + j] * a[i + j];
  double s = 0.0;
  for (size_t j = 0; j < kLanes; j++) s += acc[j];
  for (; i < n; i++) s += a[i] * a[i];
  return s;
}

// The first NaN of a, or r when there is none.
double first_nan_or(size_t n, const double *a, double r) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != a[i]) return a[i];
  return r;
}

// Min and max of n >= 1 doubles, written with GCC's generic vectors of
// kW doubles: 4 (one ymm register) in the AVX2 copy, 2 (one xmm) in the
// baseline one, where wider generic vectors would be split into scalars.
// Each of kU accumulators keeps the extreme of the ordered values it saw,
// m = x < m ? x : m (a NaN x leaves m: minpd), and z sums x - x, which
// stays 0 unless a NaN or an infinity went by.  The accumulators fold as
// a tree.  When z is NaN, a second scan looks for the first NaN of the
// input, which is then the result (an infinity alone is ordered and
// already counted in m).  The auto-vectoriser does not do this by itself
// (it does not treat a NaN-aware select as a reduction), and a NaN mask
// kept as an integer vector compiles badly for SSE2.  (The copies differ
// in lane order, which only shows as the sign of a zero result when +0
// and -0 are both present.)
template <size_t kW>
struct Vec {
  typedef double D __attribute__((vector_size(kW * sizeof(double))));
};

// m = the extreme of x and m, lane by lane (by reference: a generic vector
// passed by value would make GCC warn about the AVX calling convention).
template <bool kMax, class D>
BOC_K_INLINE void pick(D &m, const D &x) {
  m = kMax ? (x > m ? x : m) : (x < m ? x : m);
}

template <bool kMax, size_t kW>
BOC_K_INLINE double extreme_any(size_t n, const double *a) {
  typedef typename Vec<kW>::D D;
  constexpr size_t kU = 4;
  const double init = kMax ? -kInf : kInf;
  const D ini = D{} + init;  // a scalar operand is broadcast
  D m[kU] = {ini, ini, ini, ini};
  D z[kU] = {};  // sums of x - x: 0, or NaN after a NaN or an infinity
  size_t i = 0;
  for (; i + kU * kW <= n; i += kU * kW)
    for (size_t u = 0; u < kU; u++) {
      D x;
      std::memcpy(&x, a + i + u * kW, sizeof x);
      pick<kMax>(m[u], x);
      z[u] += x - x;
    }
  for (; i + kW <= n; i += kW) {
    D x;
    std::memcpy(&x, a + i, sizeof x);
    pick<kMax>(m[0], x);
    z[0] += x - x;
  }
  pick<kMax>(m[0], m[1]);
  pick<kMax>(m[2], m[3]);
  pick<kMax>(m[0], m[2]);
  z[0] += z[1] + z[2] + z[3];
  double r = init;
  bool nan = false;
  for (size_t j = 0; j < kW; j++) {
    r = (kMax ? m[0][j] > r : m[0][j] < r) ? m[0][j] : r;
    nan |= z[0][j] != z[0][j];
  }
  for (; i < n; i++) {
    double x = a[i];
    r = (kMax ? x > r : x < r) ? x : r;
    nan |= x != x;
  }
  return nan ? first_nan_or(n, a, r) : r;
}

// One reduction per row of a rows x cols block (cols >= 1 for min/max),
// into o[r]; dispatched once for the whole block.
template <size_t kW>
BOC_K_INLINE void rows_any(int op, size_t rows, size_t cols, const double *a, double *o) {
  switch (op) {
    case BOC_MATRIX_RED_SUM:
      for (size_t r = 0; r < rows; r++) o[r] = sum_any(cols, a + r * cols);
      return;
    case BOC_MATRIX_RED_MEAN:
      for (size_t r = 0; r < rows; r++)
        o[r] = cols > 0 ? sum_any(cols, a + r * cols) / static_cast<double>(cols) : 0.0;
      return;
    case BOC_MATRIX_RED_MIN:
      for (size_t r = 0; r < rows; r++) o[r] = extreme_any<false, kW>(cols, a + r * cols);
      return;
    case BOC_MATRIX_RED_MAX:
      for (size_t r = 0; r < rows; r++) o[r] = extreme_any<true, kW>(cols, a + r * cols);
      return;
    case BOC_MATRIX_RED_MAGNITUDE:
      for (size_t r = 0; r < rows; r++) o[r] = std::sqrt(sumsq_any(cols, a + r * cols));
      return;
    case BOC_MATRIX_RED_MAGNITUDE_SQUARED:
      for (size_t r = 0; r < rows; r++) o[r] = sumsq_any(cols, a + r * cols);
      return;
    default:
      return;
  }
}

BOC_K_INLINE void col_sum_any(size_t rows, size_t cols, const double *a, double *acc) {
  for (size_t r = 0; r < rows; r++) {
    const double *row = a + r * cols;
    for (size_t c = 0; c < cols; c++) acc[c] += row[c];
  }
}

BOC_K_INLINE void col_sumsq_any(size_t rows, size_t cols, const double *a, double *acc) {
  for (size_t r = 0; r < rows; r++) {
    const double *row = a + r * cols;
    for (size_t c = 0; c < cols; c++) acc[c] += row[c] * row[c];
  }
}

template <bool kMax>
BOC_K_INLINE void col_extreme_any(size_t rows, size_t cols, const double *a, double *acc) {
  for (size_t r = 0; r < rows; r++) {
    const double *row = a + r * cols;
    for (size_t c = 0; c < cols; c++) {
      double x = row[c];
      acc[c] = ((kMax ? x > acc[c] : x < acc[c]) | (x != x)) ? x : acc[c];
    }
  }
}

BOC_K_INLINE bool allclose_any(size_t n, const double *a, const double *b, double rtol,
                               double atol, bool equal_nan) {
  // Branch-free per element, so the loop vectorises; chunks let a long
  // mismatch stop early.
  constexpr size_t kChunk = 256;
  for (size_t i0 = 0; i0 < n; i0 += kChunk) {
    size_t i1 = i0 + kChunk < n ? i0 + kChunk : n;
    // Counted in doubles (1.0 per failing pair) so that the whole body
    // stays in one vector type.
    double bad = 0.0;
    const bool en = equal_nan;
    for (size_t i = i0; i < i1; i++) {
      double x = a[i], y = b[i];
      bool inf = (std::fabs(x) == kInf) | (std::fabs(y) == kInf);
      bool near = std::fabs(x - y) <= atol + rtol * std::fabs(y);  // false on NaN
      bool nans = en & (x != x) & (y != y);
      bool ok = inf ? (x == y) : (near | nans);
      bad += ok ? 0.0 : 1.0;
    }
    if (bad != 0.0) return false;
  }
  return true;
}

// ---- the two kernel sets ---------------------------------------------------------

struct KernelSet {
  void (*binary)(int, Bcast, size_t, size_t, const double *, const double *, double, double *);
  void (*unary)(int, size_t, const double *, double *);
  void (*clip)(size_t, const double *, double, double, double *);
  double (*sum)(size_t, const double *);
  double (*sumsq)(size_t, const double *);
  double (*min)(size_t, const double *);
  double (*max)(size_t, const double *);
  void (*rows)(int, size_t, size_t, const double *, double *);
  void (*col_sum)(size_t, size_t, const double *, double *);
  void (*col_sumsq)(size_t, size_t, const double *, double *);
  void (*col_min)(size_t, size_t, const double *, double *);
  void (*col_max)(size_t, size_t, const double *, double *);
  bool (*allclose)(size_t, const double *, const double *, double, double, bool);
};

// The entry points of one copy: thin functions with the copy's target
// attribute (ATTR), into which the always-inline bodies above are
// inlined and so compiled for that target.
#define BOC_KERNEL_SET(NAME, ATTR, AVX2, W)                                                 \
  namespace NAME {                                                                          \
  ATTR void binary(int op, Bcast mode, size_t rows, size_t cols, const double *a,           \
                   const double *b, double s, double *o) {                                  \
    binary_any(op, mode, rows, cols, a, b, s, o);                                           \
  }                                                                                         \
  ATTR void unary(int op, size_t n, const double *a, double *o) {                           \
    unary_any<AVX2>(op, n, a, o);                                                           \
  }                                                                                         \
  ATTR void clip(size_t n, const double *a, double lo, double hi, double *o) {              \
    clip_any(n, a, lo, hi, o);                                                              \
  }                                                                                         \
  ATTR double sum(size_t n, const double *a) { return sum_any(n, a); }                      \
  ATTR double sumsq(size_t n, const double *a) { return sumsq_any(n, a); }                  \
  ATTR double min(size_t n, const double *a) { return extreme_any<false, W>(n, a); }        \
  ATTR double max(size_t n, const double *a) { return extreme_any<true, W>(n, a); }         \
  ATTR void rows(int op, size_t r, size_t c, const double *a, double *o) {                  \
    rows_any<W>(op, r, c, a, o);                                                            \
  }                                                                                         \
  ATTR void col_sum(size_t r, size_t c, const double *a, double *acc) {                     \
    col_sum_any(r, c, a, acc);                                                              \
  }                                                                                         \
  ATTR void col_sumsq(size_t r, size_t c, const double *a, double *acc) {                   \
    col_sumsq_any(r, c, a, acc);                                                            \
  }                                                                                         \
  ATTR void col_min(size_t r, size_t c, const double *a, double *acc) {                     \
    col_extreme_any<false>(r, c, a, acc);                                                   \
  }                                                                                         \
  ATTR void col_max(size_t r, size_t c, const double *a, double *acc) {                     \
    col_extreme_any<true>(r, c, a, acc);                                                    \
  }                                                                                         \
  ATTR bool allclose(size_t n, const double *a, const double *b, double rtol, double atol,  \
                     bool equal_nan) {                                                      \
    return allclose_any(n, a, b, rtol, atol, equal_nan);                                    \
  }                                                                                         \
  constexpr KernelSet kSet = {binary, unary, clip, sum, sumsq, min, max, rows,              \
                              col_sum, col_sumsq, col_min, col_max, allclose};              \
  }

BOC_KERNEL_SET(base, , false, 2)
#ifdef BOC_K_X86
BOC_KERNEL_SET(avx2, __attribute__((target("avx2"))), true, 4)
#endif
#undef BOC_KERNEL_SET

const KernelSet &choose() {
#ifdef BOC_K_X86
  const char *env = std::getenv("BOC_MATRIX_KERNELS");
  if (env != nullptr && std::strcmp(env, "baseline") == 0) return base::kSet;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return avx2::kSet;
  g_sse41 = __builtin_cpu_supports("sse4.1") != 0;
#endif
  return base::kSet;
}

// Chosen once (a thread-safe static); every call after the first costs a
// guard check and an indirect call.
const KernelSet &kernels() {
  static const KernelSet &set = choose();
  return set;
}

}  // namespace

void k_binary(int op, Bcast mode, size_t rows, size_t cols, const double *a, const double *b,
              double scalar, double *o) {
  kernels().binary(op, mode, rows, cols, a, b, scalar, o);
}

void k_unary(int op, size_t n, const double *a, double *o) { kernels().unary(op, n, a, o); }

void k_clip(size_t n, const double *a, double lo, double hi, double *o) {
  kernels().clip(n, a, lo, hi, o);
}

double k_sum(size_t n, const double *a) { return kernels().sum(n, a); }
double k_sumsq(size_t n, const double *a) { return kernels().sumsq(n, a); }
double k_max(size_t n, const double *a) { return kernels().max(n, a); }
double k_min(size_t n, const double *a) { return kernels().min(n, a); }

void k_rows(int op, size_t rows, size_t cols, const double *a, double *o) {
  kernels().rows(op, rows, cols, a, o);
}

// The arg-reductions find the value first (vectorised), then its first
// position; a NaN result is found with x != x.
size_t k_argmax(size_t n, const double *a) {
  double m = k_max(n, a);
  for (size_t i = 0; i < n; i++)
    if (a[i] == m || (m != m && a[i] != a[i])) return i;
  return 0;
}

size_t k_argmin(size_t n, const double *a) {
  double m = k_min(n, a);
  for (size_t i = 0; i < n; i++)
    if (a[i] == m || (m != m && a[i] != a[i])) return i;
  return 0;
}

void k_col_sum(size_t rows, size_t cols, const double *a, double *acc) {
  kernels().col_sum(rows, cols, a, acc);
}

void k_col_sumsq(size_t rows, size_t cols, const double *a, double *acc) {
  kernels().col_sumsq(rows, cols, a, acc);
}

void k_col_max(size_t rows, size_t cols, const double *a, double *acc) {
  kernels().col_max(rows, cols, a, acc);
}

void k_col_min(size_t rows, size_t cols, const double *a, double *acc) {
  kernels().col_min(rows, cols, a, acc);
}

void k_transpose(size_t rows, size_t cols, const double *a, double *o) {
  // Tiles of kT x kT keep both the reads and the writes in cache.
  constexpr size_t kT = 32;
  for (size_t r0 = 0; r0 < rows; r0 += kT) {
    size_t r1 = r0 + kT < rows ? r0 + kT : rows;
    for (size_t c0 = 0; c0 < cols; c0 += kT) {
      size_t c1 = c0 + kT < cols ? c0 + kT : cols;
      for (size_t r = r0; r < r1; r++)
        for (size_t c = c0; c < c1; c++) o[c * rows + r] = a[r * cols + c];
    }
  }
}

bool k_allclose(size_t n, const double *a, const double *b, double rtol, double atol,
                bool equal_nan) {
  return kernels().allclose(n, a, b, rtol, atol, equal_nan);
}

}  // namespace boc::detail
