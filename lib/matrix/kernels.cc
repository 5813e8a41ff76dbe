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
 * Floating-point semantics stay IEEE (no -ffast-math): reductions use
 * explicit independent accumulators (kLanes of them) so that the
 * vectoriser may keep them in vector registers without reassociating a
 * single sum, and min/max select with comparisons that let NaN win:
 *   max: m = (x > m || x != x) ? x : m
 * keeps a NaN once it has one (NaN > x and x > NaN are both false).
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
#include <cstring>
#include <limits>

#include "matrix/matrix.h"

namespace boc::detail {

namespace {

constexpr size_t kLanes = 8;
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- binary operations as functors ----------------------------------------

struct Add { static double f(double x, double y) { return x + y; } };
struct Sub { static double f(double x, double y) { return x - y; } };
struct Mul { static double f(double x, double y) { return x * y; } };
struct Div { static double f(double x, double y) { return x / y; } };
struct Pow { static double f(double x, double y) { return std::pow(x, y); } };
struct Min { static double f(double x, double y) { return ((x <= y) | (x != x)) ? x : y; } };
struct Max { static double f(double x, double y) { return ((x >= y) | (x != x)) ? x : y; } };
struct Eq { static double f(double x, double y) { return x == y ? 1.0 : 0.0; } };
struct Ne { static double f(double x, double y) { return x != y ? 1.0 : 0.0; } };
struct Lt { static double f(double x, double y) { return x < y ? 1.0 : 0.0; } };
struct Le { static double f(double x, double y) { return x <= y ? 1.0 : 0.0; } };
struct Gt { static double f(double x, double y) { return x > y ? 1.0 : 0.0; } };
struct Ge { static double f(double x, double y) { return x >= y ? 1.0 : 0.0; } };
struct Set { static double f(double, double y) { return y; } };

template <class Op>
void vv(size_t n, const double *a, const double *b, double *o) {
  for (size_t i = 0; i < n; i++) o[i] = Op::f(a[i], b[i]);
}
template <class Op>
void vs(size_t n, const double *a, double s, double *o) {
  for (size_t i = 0; i < n; i++) o[i] = Op::f(a[i], s);
}
template <class Op>
void sv(size_t n, double s, const double *b, double *o) {
  for (size_t i = 0; i < n; i++) o[i] = Op::f(s, b[i]);
}

template <class Op>
void binary(Bcast mode, size_t rows, size_t cols, const double *a, const double *b,
            double scalar, double *o) {
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

template <class F>
void unary(size_t n, const double *a, double *o, F f) {
  for (size_t i = 0; i < n; i++) o[i] = f(a[i]);
}

// ceil, floor and nearbyint are single instructions (roundpd) from SSE4.1
// on, but the library targets baseline x86-64, where they are library
// calls.  The loop is compiled twice and the SSE4.1 copy is picked at run
// time; elsewhere the plain loop is used.
template <int kOp>
inline __attribute__((always_inline)) void round_loop(size_t n, const double *a, double *o) {
  for (size_t i = 0; i < n; i++) {
    double x = a[i];
    o[i] = kOp == BOC_MATRIX_UN_CEIL    ? std::ceil(x)
           : kOp == BOC_MATRIX_UN_FLOOR ? std::floor(x)
                                        : std::nearbyint(x);
  }
}

void round_generic(int op, size_t n, const double *a, double *o) {
  if (op == BOC_MATRIX_UN_CEIL) round_loop<BOC_MATRIX_UN_CEIL>(n, a, o);
  else if (op == BOC_MATRIX_UN_FLOOR) round_loop<BOC_MATRIX_UN_FLOOR>(n, a, o);
  else round_loop<BOC_MATRIX_UN_ROUND>(n, a, o);
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("sse4.1"))) void round_sse41(int op, size_t n, const double *a,
                                                   double *o) {
  if (op == BOC_MATRIX_UN_CEIL) round_loop<BOC_MATRIX_UN_CEIL>(n, a, o);
  else if (op == BOC_MATRIX_UN_FLOOR) round_loop<BOC_MATRIX_UN_FLOOR>(n, a, o);
  else round_loop<BOC_MATRIX_UN_ROUND>(n, a, o);
}

bool have_sse41() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.1") != 0;
  }();
  return yes;
}
#endif

void round_any(int op, size_t n, const double *a, double *o) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  if (have_sse41()) return round_sse41(op, n, a, o);
#endif
  round_generic(op, n, a, o);
}

}  // namespace

void k_binary(int op, Bcast mode, size_t rows, size_t cols, const double *a, const double *b,
              double scalar, double *o) {
  switch (op) {
    case BOC_MATRIX_OP_ADD: return binary<Add>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_SUB: return binary<Sub>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_MUL: return binary<Mul>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_DIV: return binary<Div>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_POW: return binary<Pow>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_MIN: return binary<Min>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_MAX: return binary<Max>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_EQ: return binary<Eq>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_NE: return binary<Ne>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_LT: return binary<Lt>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_LE: return binary<Le>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_GT: return binary<Gt>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_GE: return binary<Ge>(mode, rows, cols, a, b, scalar, o);
    case BOC_MATRIX_OP_SET: return binary<Set>(mode, rows, cols, a, b, scalar, o);
    default: return;
  }
}

void k_unary(int op, size_t n, const double *a, double *o) {
  switch (op) {
    case BOC_MATRIX_UN_NEG: return unary(n, a, o, [](double x) { return -x; });
    case BOC_MATRIX_UN_ABS: return unary(n, a, o, [](double x) { return std::fabs(x); });
    case BOC_MATRIX_UN_CEIL:
    case BOC_MATRIX_UN_FLOOR:
    case BOC_MATRIX_UN_ROUND: return round_any(op, n, a, o);
    case BOC_MATRIX_UN_SQRT: return unary(n, a, o, [](double x) { return std::sqrt(x); });
    case BOC_MATRIX_UN_EXP: return unary(n, a, o, [](double x) { return std::exp(x); });
    case BOC_MATRIX_UN_LOG: return unary(n, a, o, [](double x) { return std::log(x); });
    case BOC_MATRIX_UN_SIN: return unary(n, a, o, [](double x) { return std::sin(x); });
    case BOC_MATRIX_UN_COS: return unary(n, a, o, [](double x) { return std::cos(x); });
    case BOC_MATRIX_UN_TAN: return unary(n, a, o, [](double x) { return std::tan(x); });
    case BOC_MATRIX_UN_SQUARE: return unary(n, a, o, [](double x) { return x * x; });
    default: return;
  }
}

void k_clip(size_t n, const double *a, double lo, double hi, double *o) {
  // A NaN bound compares false, so it never replaces anything; a NaN
  // element compares false too and passes through.
  for (size_t i = 0; i < n; i++) {
    double x = a[i];
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    o[i] = x;
  }
}

double k_sum(size_t n, const double *a) {
  double acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t j = 0; j < kLanes; j++) acc[j] += a[i + j];
  double s = 0.0;
  for (size_t j = 0; j < kLanes; j++) s += acc[j];
  for (; i < n; i++) s += a[i];
  return s;
}

double k_sumsq(size_t n, const double *a) {
  double acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t j = 0; j < kLanes; j++) acc[j] += a[i + j] * a[i + j];
  double s = 0.0;
  for (size_t j = 0; j < kLanes; j++) s += acc[j];
  for (; i < n; i++) s += a[i] * a[i];
  return s;
}

// Min and max keep kBlock running extremes in a small array and update it
// element-wise from each block of the input: the vectoriser does not
// treat a NaN-aware select as a reduction, but it does vectorise this
// element-wise update (compare, compare-unordered, blend).
template <bool kMax, size_t kBlock>
double extreme(size_t n, const double *a) {
  const double init = kMax ? -kInf : kInf;
  double acc[kBlock];
  for (size_t j = 0; j < kBlock; j++) acc[j] = init;
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    for (size_t j = 0; j < kBlock; j++) {
      double x = a[i + j];
      bool take = (kMax ? x > acc[j] : x < acc[j]) | (x != x);
      acc[j] = take ? x : acc[j];
    }
  // The tail goes into the first lanes, then the lanes fold as a tree:
  // each level is again an element-wise update, and a row of 100 (a
  // reduction over axis 1) costs 4 blocks plus 5 levels, not 36 dependent
  // steps.
  auto update = [](double m, double x) {
    return ((kMax ? x > m : x < m) | (x != x)) ? x : m;
  };
  for (size_t j = 0; i + j < n; j++) acc[j] = update(acc[j], a[i + j]);
  for (size_t w = kBlock / 2; w >= 1; w /= 2)
    for (size_t j = 0; j < w; j++) acc[j] = update(acc[j], acc[j + w]);
  return acc[0];
}

double k_max(size_t n, const double *a) { return extreme<true, 32>(n, a); }
double k_min(size_t n, const double *a) { return extreme<false, 32>(n, a); }

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
  for (size_t r = 0; r < rows; r++) {
    const double *row = a + r * cols;
    for (size_t c = 0; c < cols; c++) acc[c] += row[c];
  }
}

void k_col_sumsq(size_t rows, size_t cols, const double *a, double *acc) {
  for (size_t r = 0; r < rows; r++) {
    const double *row = a + r * cols;
    for (size_t c = 0; c < cols; c++) acc[c] += row[c] * row[c];
  }
}

void k_col_max(size_t rows, size_t cols, const double *a, double *acc) {
  for (size_t r = 0; r < rows; r++) {
    const double *row = a + r * cols;
    for (size_t c = 0; c < cols; c++) {
      double x = row[c];
      acc[c] = ((x > acc[c]) | (x != x)) ? x : acc[c];
    }
  }
}

void k_col_min(size_t rows, size_t cols, const double *a, double *acc) {
  for (size_t r = 0; r < rows; r++) {
    const double *row = a + r * cols;
    for (size_t c = 0; c < cols; c++) {
      double x = row[c];
      acc[c] = ((x < acc[c]) | (x != x)) ? x : acc[c];
    }
  }
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

}  // namespace boc::detail
