/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix/matmul.cc - the cache-blocked matrix product.
 *
 * The classic GEBP structure (Goto and van de Geijn), written in plain C++
 * for the auto-vectoriser:
 *   for each block of kNC columns of B and kKC rows of B (the k range):
 *     pack B[kc, nc] into panels of kNR columns, k-major (fits in L2);
 *     for each block of kMR rows of A:
 *       pack A[mr, kc] k-major (fits in L1);
 *       for each panel: a kMR x kNR register tile accumulates
 *         c[r][j] += a[k][r] * b[k][j] over the kc range, then adds into C.
 * Packing zero-pads partial panels and row blocks, so the micro-kernel has
 * fixed trip counts and the compiler keeps its tile in vector registers.
 *
 * The same body is compiled twice: for the baseline ISA and, on x86-64,
 * for AVX2+FMA, chosen once at run time with __builtin_cpu_supports().
 * The library is built for the baseline, so this is the only way the
 * product gets 256-bit vectors and fused multiply-adds on machines that
 * have them.  With FMA the rounding differs from separate multiply and add
 * (each product term is rounded once less); results agree with a naive
 * product to a few ulps times k.
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

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include "matrix/matrix.h"

namespace boc::detail {

namespace {

constexpr size_t kMR = 4;    // rows of the register tile
constexpr size_t kNR = 8;    // columns of the register tile
constexpr size_t kKC = 256;  // depth of a packed block
constexpr size_t kNC = 256;  // columns of a packed B block (kKC*kNC*8 = 512 KiB)

struct Buffers {
  double *bp;  // kKC * kNC
  double *ap;  // kKC * kMR
};

#if defined(__GNUC__)
#define BOC_MM_INLINE inline __attribute__((always_inline))
#else
#define BOC_MM_INLINE inline
#endif

// Pack B[p0:p0+kc, j0:j0+nc] (row stride n) into panels of kNR columns.
BOC_MM_INLINE void pack_b(const double *b, size_t n, size_t p0, size_t kc, size_t j0,
                          size_t nc, double *bp) {
  for (size_t jp = 0; jp < nc; jp += kNR) {
    size_t w = std::min(kNR, nc - jp);
    double *dst = bp + jp * kc;
    for (size_t p = 0; p < kc; p++) {
      const double *src = b + (p0 + p) * n + j0 + jp;
      size_t j = 0;
      for (; j < w; j++) dst[p * kNR + j] = src[j];
      for (; j < kNR; j++) dst[p * kNR + j] = 0.0;
    }
  }
}

// Pack A[i0:i0+mr, p0:p0+kc] (row stride k) k-major, zero-padded to kMR rows.
BOC_MM_INLINE void pack_a(const double *a, size_t k, size_t i0, size_t mr, size_t p0,
                          size_t kc, double *ap) {
  for (size_t r = 0; r < kMR; r++) {
    if (r < mr) {
      const double *src = a + (i0 + r) * k + p0;
      for (size_t p = 0; p < kc; p++) ap[p * kMR + r] = src[p];
    } else {
      for (size_t p = 0; p < kc; p++) ap[p * kMR + r] = 0.0;
    }
  }
}

BOC_MM_INLINE void micro(size_t kc, const double *ap, const double *bp, double *c, size_t n,
                         size_t mr, size_t nr) {
  double t[kMR][kNR] = {};
  for (size_t p = 0; p < kc; p++) {
    const double *bk = bp + p * kNR;
    const double *ak = ap + p * kMR;
    for (size_t r = 0; r < kMR; r++) {
      const double av = ak[r];
      for (size_t j = 0; j < kNR; j++) t[r][j] += av * bk[j];
    }
  }
  if (mr == kMR && nr == kNR) {
    for (size_t r = 0; r < kMR; r++)
      for (size_t j = 0; j < kNR; j++) c[r * n + j] += t[r][j];
  } else {
    for (size_t r = 0; r < mr; r++)
      for (size_t j = 0; j < nr; j++) c[r * n + j] += t[r][j];
  }
}

BOC_MM_INLINE void body(size_t m, size_t n, size_t k, const double *a, const double *b,
                        double *c, const Buffers &buf) {
  for (size_t j0 = 0; j0 < n; j0 += kNC) {
    size_t nc = std::min(kNC, n - j0);
    for (size_t p0 = 0; p0 < k; p0 += kKC) {
      size_t kc = std::min(kKC, k - p0);
      pack_b(b, n, p0, kc, j0, nc, buf.bp);
      for (size_t i0 = 0; i0 < m; i0 += kMR) {
        size_t mr = std::min(kMR, m - i0);
        pack_a(a, k, i0, mr, p0, kc, buf.ap);
        for (size_t jp = 0; jp < nc; jp += kNR) {
          size_t nr = std::min(kNR, nc - jp);
          micro(kc, buf.ap, buf.bp + jp * kc, c + i0 * n + j0 + jp, n, mr, nr);
        }
      }
    }
  }
}

void body_generic(size_t m, size_t n, size_t k, const double *a, const double *b, double *c,
                  const Buffers &buf) {
  body(m, n, k, a, b, c, buf);
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define BOC_MM_X86 1
__attribute__((target("avx2,fma"))) void body_avx2(size_t m, size_t n, size_t k,
                                                   const double *a, const double *b,
                                                   double *c, const Buffers &buf) {
  body(m, n, k, a, b, c, buf);
}

bool have_avx2() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
}
#endif

struct AlignedFree {
  void operator()(double *p) const { ::operator delete[](p, std::align_val_t(64)); }
};

}  // namespace

void k_matmul(size_t m, size_t n, size_t k, const double *a, const double *b, double *c) {
  std::memset(c, 0, m * n * sizeof(double));
  if (m == 0 || n == 0 || k == 0) return;
  // Small products: the packing would cost more than it saves.
  if (m * n * k <= 4096) {
    for (size_t i = 0; i < m; i++)
      for (size_t p = 0; p < k; p++) {
        const double av = a[i * k + p];
        const double *brow = b + p * n;
        double *crow = c + i * n;
        for (size_t j = 0; j < n; j++) crow[j] += av * brow[j];
      }
    return;
  }
  size_t nc = std::min(kNC, (n + kNR - 1) / kNR * kNR);
  size_t kc = std::min(kKC, k);
  std::unique_ptr<double[], AlignedFree> bp(
      new (std::align_val_t(64)) double[kc * nc]);
  std::unique_ptr<double[], AlignedFree> ap(
      new (std::align_val_t(64)) double[kc * kMR]);
  Buffers buf{bp.get(), ap.get()};
#ifdef BOC_MM_X86
  if (have_avx2()) return body_avx2(m, n, k, a, b, c, buf);
#endif
  body_generic(m, n, k, a, b, c, buf);
}

}  // namespace boc::detail
