/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix/matmul.cc - the cache-blocked matrix product.
 *
 * The classic GEBP structure (Goto and van de Geijn):
 *   for each block of kNC columns of B and kKC rows of B (the k range):
 *     pack B[kc, nc] into panels of NR columns, k-major (fits in L2);
 *     for each block of MR rows of A:
 *       pack A[mr, kc] k-major (fits in L1), unless the block meets at
 *       most two panels of B: then the AVX2 kernel reads A in place;
 *       for each panel: an MR x NR register tile accumulates
 *         c[r][j] += a[k][r] * b[k][j] over the kc range, then is stored
 *         into C (first block of k) or added to it (the others).
 * Packing zero-pads partial panels of B, so the micro-kernel has fixed
 * trip counts and keeps its tile in vector registers; rows of a partial
 * block of A are padded (zeros or repeats of row 0) and never stored.
 * Storing the first block means C is never cleared beforehand, which
 * saves a pass over it (a 1000x1000 result is 8 MB).
 *
 * Two copies, chosen once at run time with __builtin_cpu_supports():
 *   - baseline x86-64 (and other machines): a 4 x 8 tile in plain C++
 *     for the auto-vectoriser (SSE2);
 *   - AVX2+FMA: a 6 x 8 tile written with intrinsics, twelve ymm
 *     accumulators and twelve independent FMAs per step of k, which keeps
 *     both FMA pipes of a Haswell or Zen core busy (about 44 GFLOP/s on a
 *     3 GHz Zen 3 core for 256x256, against 17 for the auto-vectorised
 *     4 x 8 tile).  BOC_MATRIX_KERNELS=baseline in the environment forces
 *     the baseline copy (see kernels.cc).
 * The library is built for the baseline, so this is the only way the
 * product gets 256-bit vectors and fused multiply-adds on machines that
 * have them.  With FMA the rounding differs from separate multiply and add
 * (each product term is rounded once less); results agree with a naive
 * product to a few ulps times k.  Products of at most 1024 (AVX2) or 4096
 * multiply-adds skip the blocking (a plain i-k-j loop, compiled for both
 * targets too);
 * with AVX2, products with at most four columns have their own kernel
 * (thin_avx2).
 *
 * One thread: NumPy's OpenBLAS may use every CPU for one product, but
 * libboc keeps a product on the calling thread, so that behaviors running
 * products in parallel each get a core of their own; the 6 x 8 kernel
 * alone is within 2x of two-threaded OpenBLAS on the benchmark's shapes.
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
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "matrix/matrix.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

namespace boc::detail {

namespace {

constexpr size_t kKC = 256;  // depth of a packed block
constexpr size_t kNC = 256;  // columns of a packed B block (kKC*kNC*8 = 512 KiB, L2)
constexpr size_t kMaxMR = 6;  // the largest register tile height (AVX2)

#if defined(__GNUC__)
#define BOC_MM_INLINE inline __attribute__((always_inline))
#else
#define BOC_MM_INLINE inline
#endif

// One packed row of a B panel: w elements of src, then zeros up to NR.
// W is a constant (see pack_b), so both loops unroll into moves.
template <size_t W, size_t NR>
BOC_MM_INLINE void pack_rows(const double *src, size_t n, size_t kc, double *dst) {
  for (size_t p = 0; p < kc; p++, src += n, dst += NR) {
    for (size_t j = 0; j < W; j++) dst[j] = src[j];
    for (size_t j = W; j < NR; j++) dst[j] = 0.0;
  }
}

template <size_t NR, size_t... Ws>
BOC_MM_INLINE void pack_panel(size_t w, const double *src, size_t n, size_t kc, double *dst,
                              std::index_sequence<Ws...>) {
  // Expands to: if (w == 1) pack_rows<1>; else if (w == 2) ...; up to NR.
  (void)((w == Ws + 1 ? (pack_rows<Ws + 1, NR>(src, n, kc, dst), true) : false) || ...);
}

// Pack B[p0:p0+kc, j0:j0+nc] (row stride n) into panels of NR columns,
// k-major, the last one zero-padded.
template <size_t NR>
BOC_MM_INLINE void pack_b(const double *b, size_t n, size_t p0, size_t kc, size_t j0,
                          size_t nc, double *bp) {
  for (size_t jp = 0; jp < nc; jp += NR) {
    size_t w = std::min(NR, nc - jp);
    pack_panel<NR>(w, b + p0 * n + j0 + jp, n, kc, bp + jp * kc, std::make_index_sequence<NR>());
  }
}

// Pack A[i0:i0+mr, p0:p0+kc] (row stride k) k-major, zero-padded to MR rows.
template <size_t MR>
BOC_MM_INLINE void pack_a(const double *a, size_t k, size_t i0, size_t mr, size_t p0,
                          size_t kc, double *ap) {
  for (size_t r = 0; r < MR; r++) {
    if (r < mr) {
      const double *src = a + (i0 + r) * k + p0;
      for (size_t p = 0; p < kc; p++) ap[p * MR + r] = src[p];
    } else {
      for (size_t p = 0; p < kc; p++) ap[p * MR + r] = 0.0;
    }
  }
}

// Store (first block of k) or add an MR x NR tile t (row stride NR) into
// C, only its mr x nr corner.
template <size_t MR, size_t NR>
BOC_MM_INLINE void put_tile(const double *t, double *c, size_t n, size_t mr, size_t nr,
                            bool first) {
  if (mr == MR && nr == NR) {  // constant bounds: unrolled, vectorised
    if (first) {
      for (size_t r = 0; r < MR; r++)
        for (size_t j = 0; j < NR; j++) c[r * n + j] = t[r * NR + j];
    } else {
      for (size_t r = 0; r < MR; r++)
        for (size_t j = 0; j < NR; j++) c[r * n + j] += t[r * NR + j];
    }
  } else if (first) {
    for (size_t r = 0; r < mr; r++)
      for (size_t j = 0; j < nr; j++) c[r * n + j] = t[r * NR + j];
  } else {
    for (size_t r = 0; r < mr; r++)
      for (size_t j = 0; j < nr; j++) c[r * n + j] += t[r * NR + j];
  }
}

// Where the micro-kernel reads A: element (r, p) of the block is at
// a[p * ps + r * rs]; packed (ps = MR, rs = 1) or straight from the
// matrix (ps = 1, rs = k) when the block meets too few panels of B for a
// packing to pay.  Rows past mr repeat row 0 (read, never stored).
struct APanel {
  const double *a;
  size_t ps, rs;
};

// The portable micro-kernel: a 4 x 8 tile for the auto-vectoriser, which
// keeps it in registers only with the constant strides of a packed A.
struct MicroGeneric {
  static constexpr size_t kMR = 4, kNR = 8;
  static constexpr bool kInPlaceA = false;
  static BOC_MM_INLINE void run(size_t kc, APanel ap, const double *bp, double *c, size_t n,
                                size_t mr, size_t nr, bool first) {
    double t[kMR * kNR] = {};
    for (size_t p = 0; p < kc; p++) {
      const double *bk = bp + p * kNR;
      const double *ak = ap.a + p * kMR;  // always packed (kInPlaceA is false)
      for (size_t r = 0; r < kMR; r++) {
        const double av = ak[r];
        for (size_t j = 0; j < kNR; j++) t[r * kNR + j] += av * bk[j];
      }
    }
    put_tile<kMR, kNR>(t, c, n, mr, nr, first);
  }
};

template <class Micro>
BOC_MM_INLINE void body(size_t m, size_t n, size_t k, const double *a, const double *b,
                        double *c, double *bp, double *ap) {
  constexpr size_t MR = Micro::kMR, NR = Micro::kNR;
  for (size_t j0 = 0; j0 < n; j0 += kNC) {
    size_t nc = std::min(kNC, n - j0);
    for (size_t p0 = 0; p0 < k; p0 += kKC) {
      size_t kc = std::min(kKC, k - p0);
      pack_b<NR>(b, n, p0, kc, j0, nc, bp);
      // A packed block is used once per panel of B: with one or two
      // panels, reading A in place is cheaper than copying it.
      const bool pack = !Micro::kInPlaceA || nc > 2 * NR;
      for (size_t i0 = 0; i0 < m; i0 += MR) {
        size_t mr = std::min(MR, m - i0);
        APanel panel{a + i0 * k + p0, 1, k};
        if (pack) {
          pack_a<MR>(a, k, i0, mr, p0, kc, ap);
          panel = APanel{ap, MR, 1};
        }
        for (size_t jp = 0; jp < nc; jp += NR) {
          size_t nr = std::min(NR, nc - jp);
          Micro::run(kc, panel, bp + jp * kc, c + i0 * n + j0 + jp, n, mr, nr, p0 == 0);
        }
      }
    }
  }
}

// Small products: the packing would cost more than it saves.
BOC_MM_INLINE void small(size_t m, size_t n, size_t k, const double *a, const double *b,
                         double *c) {
  for (size_t i = 0; i < m; i++)
    for (size_t p = 0; p < k; p++) {
      const double av = a[i * k + p];
      const double *brow = b + p * n;
      double *crow = c + i * n;
      for (size_t j = 0; j < n; j++) crow[j] += av * brow[j];
    }
}

void small_generic(size_t m, size_t n, size_t k, const double *a, const double *b, double *c) {
  small(m, n, k, a, b, c);
}

void body_generic(size_t m, size_t n, size_t k, const double *a, const double *b, double *c,
                  double *bp, double *ap) {
  body<MicroGeneric>(m, n, k, a, b, c, bp, ap);
}

#if defined(__GNUC__) && defined(__x86_64__)
#define BOC_MM_X86 1

// The AVX2+FMA micro-kernel, written with intrinsics: a 6 x 8 tile is
// twelve ymm accumulators; each step of k loads two vectors of B,
// broadcasts six elements of A and issues twelve independent FMAs, which
// keeps both FMA pipes of a Haswell or Zen core busy (16 ymm registers:
// 12 accumulators, 2 for B, 1 for A).
struct MicroAvx2 {
  static constexpr size_t kMR = 6, kNR = 8;
  static constexpr bool kInPlaceA = true;  // may read A in place (APanel)
  // One step of k: two vectors of B, six broadcasts of A, twelve FMAs.
#define BOC_MM_STEP(A0, A1, A2, A3, A4, A5)                \
  do {                                                     \
    const __m256d b0 = _mm256_load_pd(bp);                 \
    const __m256d b1 = _mm256_load_pd(bp + 4);             \
    __m256d av = _mm256_broadcast_sd(A0);                  \
    c00 = _mm256_fmadd_pd(av, b0, c00);                    \
    c01 = _mm256_fmadd_pd(av, b1, c01);                    \
    av = _mm256_broadcast_sd(A1);                          \
    c10 = _mm256_fmadd_pd(av, b0, c10);                    \
    c11 = _mm256_fmadd_pd(av, b1, c11);                    \
    av = _mm256_broadcast_sd(A2);                          \
    c20 = _mm256_fmadd_pd(av, b0, c20);                    \
    c21 = _mm256_fmadd_pd(av, b1, c21);                    \
    av = _mm256_broadcast_sd(A3);                          \
    c30 = _mm256_fmadd_pd(av, b0, c30);                    \
    c31 = _mm256_fmadd_pd(av, b1, c31);                    \
    av = _mm256_broadcast_sd(A4);                          \
    c40 = _mm256_fmadd_pd(av, b0, c40);                    \
    c41 = _mm256_fmadd_pd(av, b1, c41);                    \
    av = _mm256_broadcast_sd(A5);                          \
    c50 = _mm256_fmadd_pd(av, b0, c50);                    \
    c51 = _mm256_fmadd_pd(av, b1, c51);                    \
    bp += kNR;                                             \
  } while (0)

  __attribute__((target("avx2,fma"))) static void run(size_t kc, APanel ap,
                                                      const double *bp, double *c, size_t n,
                                                      size_t mr, size_t nr, bool first) {
    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
    __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
    __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
    __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd();
    __m256d c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
    if (ap.ps == kMR) {
      const double *a = ap.a;
      for (size_t p = 0; p < kc; p++, a += kMR)
        BOC_MM_STEP(a, a + 1, a + 2, a + 3, a + 4, a + 5);
    } else {
      // Rows past mr repeat row 0 (read, never stored).
      const double *a0 = ap.a;
      const double *a1 = a0 + (mr > 1 ? ap.rs : 0), *a2 = a0 + (mr > 2 ? 2 * ap.rs : 0);
      const double *a3 = a0 + (mr > 3 ? 3 * ap.rs : 0), *a4 = a0 + (mr > 4 ? 4 * ap.rs : 0);
      const double *a5 = a0 + (mr > 5 ? 5 * ap.rs : 0);
      for (size_t p = 0; p < kc; p++) BOC_MM_STEP(a0 + p, a1 + p, a2 + p, a3 + p, a4 + p, a5 + p);
    }
    if (mr == kMR && nr == kNR) {
      double *r = c;
      const __m256d *acc[kMR][2] = {{&c00, &c01}, {&c10, &c11}, {&c20, &c21},
                                    {&c30, &c31}, {&c40, &c41}, {&c50, &c51}};
      for (size_t i = 0; i < kMR; i++, r += n) {
        __m256d v0 = *acc[i][0], v1 = *acc[i][1];
        if (!first) {
          v0 = _mm256_add_pd(_mm256_loadu_pd(r), v0);
          v1 = _mm256_add_pd(_mm256_loadu_pd(r + 4), v1);
        }
        _mm256_storeu_pd(r, v0);
        _mm256_storeu_pd(r + 4, v1);
      }
      return;
    }
    alignas(32) double t[kMR * kNR];
    _mm256_store_pd(t + 0, c00);
    _mm256_store_pd(t + 4, c01);
    _mm256_store_pd(t + 8, c10);
    _mm256_store_pd(t + 12, c11);
    _mm256_store_pd(t + 16, c20);
    _mm256_store_pd(t + 20, c21);
    _mm256_store_pd(t + 24, c30);
    _mm256_store_pd(t + 28, c31);
    _mm256_store_pd(t + 32, c40);
    _mm256_store_pd(t + 36, c41);
    _mm256_store_pd(t + 40, c50);
    _mm256_store_pd(t + 44, c51);
    put_tile<kMR, kNR>(t, c, n, mr, nr, first);
  }
#undef BOC_MM_STEP
};

__attribute__((target("avx2,fma"))) void small_avx2(size_t m, size_t n, size_t k,
                                                    const double *a, const double *b,
                                                    double *c) {
  small(m, n, k, a, b, c);
}

__attribute__((target("avx2,fma"))) void body_avx2(size_t m, size_t n, size_t k,
                                                   const double *a, const double *b,
                                                   double *c, double *bp, double *ap) {
  body<MicroAvx2>(m, n, k, a, b, c, bp, ap);
}

// Products with at most four columns (n <= 4; e.g. 4x1000 @ 1000x4, or a
// matrix times a few vectors): a 6 x 8 tile would leave half of each B
// vector and of the work unused, and each accumulator would wait on the
// FMA before it (four cycles) at every step of k.  Here one ymm holds a
// whole row of B and of C; four rows of A at a time, with two
// accumulators per row (even and odd steps of k), give eight independent
// FMA chains.  A and B are read in place (no packing); a row of B is
// loaded with a mask when n < 4, so nothing past the matrix is read.
__attribute__((target("avx2,fma"))) void thin_avx2(size_t m, size_t n, size_t k,
                                                   const double *a, const double *b,
                                                   double *c) {
  const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
  const __m256i mask = _mm256_cmpgt_epi64(_mm256_set1_epi64x(static_cast<long long>(n)), lane);
  for (size_t i0 = 0; i0 < m; i0 += 4) {
    const size_t mr = std::min<size_t>(4, m - i0);
    // Rows past mr repeat the block's first row (read, never stored).
    const double *a0 = a + i0 * k;
    const double *a1 = a0 + (mr > 1 ? k : 0), *a2 = a0 + (mr > 2 ? 2 * k : 0);
    const double *a3 = a0 + (mr > 3 ? 3 * k : 0);
    __m256d c0 = _mm256_setzero_pd(), c1 = _mm256_setzero_pd();
    __m256d c2 = _mm256_setzero_pd(), c3 = _mm256_setzero_pd();
    __m256d d0 = _mm256_setzero_pd(), d1 = _mm256_setzero_pd();
    __m256d d2 = _mm256_setzero_pd(), d3 = _mm256_setzero_pd();
    size_t p = 0;
    for (; p + 2 <= k; p += 2) {
      const __m256d b0 = _mm256_maskload_pd(b + p * n, mask);
      const __m256d b1 = _mm256_maskload_pd(b + (p + 1) * n, mask);
      c0 = _mm256_fmadd_pd(_mm256_broadcast_sd(a0 + p), b0, c0);
      c1 = _mm256_fmadd_pd(_mm256_broadcast_sd(a1 + p), b0, c1);
      c2 = _mm256_fmadd_pd(_mm256_broadcast_sd(a2 + p), b0, c2);
      c3 = _mm256_fmadd_pd(_mm256_broadcast_sd(a3 + p), b0, c3);
      d0 = _mm256_fmadd_pd(_mm256_broadcast_sd(a0 + p + 1), b1, d0);
      d1 = _mm256_fmadd_pd(_mm256_broadcast_sd(a1 + p + 1), b1, d1);
      d2 = _mm256_fmadd_pd(_mm256_broadcast_sd(a2 + p + 1), b1, d2);
      d3 = _mm256_fmadd_pd(_mm256_broadcast_sd(a3 + p + 1), b1, d3);
    }
    if (p < k) {
      const __m256d b0 = _mm256_maskload_pd(b + p * n, mask);
      c0 = _mm256_fmadd_pd(_mm256_broadcast_sd(a0 + p), b0, c0);
      c1 = _mm256_fmadd_pd(_mm256_broadcast_sd(a1 + p), b0, c1);
      c2 = _mm256_fmadd_pd(_mm256_broadcast_sd(a2 + p), b0, c2);
      c3 = _mm256_fmadd_pd(_mm256_broadcast_sd(a3 + p), b0, c3);
    }
    const __m256d r[4] = {_mm256_add_pd(c0, d0), _mm256_add_pd(c1, d1), _mm256_add_pd(c2, d2),
                          _mm256_add_pd(c3, d3)};
    for (size_t i = 0; i < mr; i++) _mm256_maskstore_pd(c + (i0 + i) * n, mask, r[i]);
  }
}

bool have_avx2() {
  static const bool yes = [] {
    const char *env = std::getenv("BOC_MATRIX_KERNELS");
    if (env != nullptr && std::strcmp(env, "baseline") == 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
}
#endif

// A 64-byte aligned scratch buffer of doubles (from malloc: see
// aligned_block in matrix.cc).
class Scratch {
 public:
  explicit Scratch(size_t n) {
    if (n == 0) return;  // not needed
    p_ = static_cast<double *>(aligned_block(n * sizeof(double), 64, &block_));
    if (p_ == nullptr) throw std::bad_alloc();
  }
  ~Scratch() { std::free(block_); }
  Scratch(const Scratch &) = delete;
  Scratch &operator=(const Scratch &) = delete;
  double *get() const { return p_; }

 private:
  void *block_ = nullptr;
  double *p_ = nullptr;
};

}  // namespace

void k_matmul(size_t m, size_t n, size_t k, const double *a, const double *b, double *c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::memset(c, 0, m * n * sizeof(double));
    return;
  }
#ifdef BOC_MM_X86
  const bool avx2 = have_avx2();
#else
  const bool avx2 = false;
#endif
  // The AVX2 blocked product is faster than the plain loop from about
  // 8x8x16 on; the auto-vectorised one only from about 16x16x16.
  if (m * n * k <= (avx2 ? 1024u : 4096u)) {
    std::memset(c, 0, m * n * sizeof(double));
#ifdef BOC_MM_X86
    if (avx2) return small_avx2(m, n, k, a, b, c);
#endif
    return small_generic(m, n, k, a, b, c);
  }
#ifdef BOC_MM_X86
  if (avx2 && n <= 4) return thin_avx2(m, n, k, a, b, c);
#endif
  constexpr size_t kMaxNR = 8;
  static_assert(MicroGeneric::kMR <= kMaxMR && MicroGeneric::kNR <= kMaxNR, "buffers too small");
#ifdef BOC_MM_X86
  static_assert(MicroAvx2::kMR <= kMaxMR && MicroAvx2::kNR <= kMaxNR, "buffers too small");
#endif
  size_t nc = std::min(kNC, (n + kMaxNR - 1) / kMaxNR * kMaxNR);
  size_t kc = std::min(kKC, k);
  // Small products pack into buffers on the stack (28 KiB at most); the
  // others allocate (a block of B is up to 512 KiB).
  constexpr size_t kStackB = 2048;
  alignas(64) double bp_stack[kStackB];
  alignas(64) double ap_stack[kKC * kMaxMR];
  const bool on_stack = kc * nc <= kStackB;
  Scratch bp(on_stack ? 0 : kc * nc), ap(on_stack ? 0 : kc * kMaxMR);
  double *bpp = on_stack ? bp_stack : bp.get(), *app = on_stack ? ap_stack : ap.get();
#ifdef BOC_MM_X86
  if (avx2) return body_avx2(m, n, k, a, b, c, bpp, app);
#endif
  body_generic(m, n, k, a, b, c, bpp, app);
}

}  // namespace boc::detail
