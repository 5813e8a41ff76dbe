/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix/matrix.h - dense row-major matrices of doubles (boc/matrix.h).
 *
 * A Matrix is one allocation: this header, then (at a 64-byte boundary)
 * the elements.  The element count never changes after creation; the
 * shape may (an in-place transpose swaps rows and columns).  The
 * operations return a boc_status; they validate every argument before
 * writing anything, so a failed call leaves its destination untouched.
 * They may throw std::bad_alloc (the C shim maps it to BOC_ENOMEM).
 *
 * The kernels live in kernels.cc and matmul.cc, which are compiled with
 * the vectoriser flags of lib/local.mk (libbocmatrix.la), each in a
 * baseline x86-64 copy and an AVX2 copy picked once at run time
 * (BOC_MATRIX_KERNELS=baseline in the environment forces the baseline).
 */
#ifndef BOC_LIB_MATRIX_MATRIX_H
#define BOC_LIB_MATRIX_MATRIX_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "boc/matrix.h"

namespace boc::detail {

struct Matrix {
  std::atomic<uint64_t> refs;
  size_t rows;
  size_t cols;
  double *data;  // 64-byte aligned, never null
  void *block;   // what malloc returned (the Matrix is 64-byte aligned inside)
  size_t size() const { return rows * cols; }
};

/* malloc(bytes + align - 1) and the first align-aligned address in it
 * (*block receives the pointer to free); nullptr when out of memory.  Used
 * instead of aligned operator new / aligned_alloc: see matrix.cc. */
void *aligned_block(size_t bytes, size_t align, void **block);

/* A shape plus a pointer: what the kernels work on. */
struct MView {
  size_t rows;
  size_t cols;
  const double *data;
  size_t size() const { return rows * cols; }
};

inline MView view(const Matrix *m) { return MView{m->rows, m->cols, m->data}; }

/* rows * cols elements, or false when the count or its byte size overflows. */
bool matrix_count(size_t rows, size_t cols, size_t *n);
/* New matrix with one reference; nullptr when out of memory.  zero fills. */
Matrix *matrix_new(size_t rows, size_t cols, bool zero);
void matrix_retain(Matrix *m);
void matrix_release(Matrix *m);

/*
 * The result slot of boc/matrix.h.  prepare() checks the slot for a
 * result of the given shape; if it is empty it allocates the result
 * (owned by the Slot until commit()).  dst() is where to write.
 */
class Slot {
 public:
  explicit Slot(boc_matrix_t **out) : out_(out) {}
  ~Slot();
  Slot(const Slot &) = delete;
  Slot &operator=(const Slot &) = delete;
  int prepare(size_t rows, size_t cols);
  Matrix *dst() const { return dst_; }
  bool aliases(const Matrix *m) const { return m != nullptr && m == dst_; }
  void commit();

 private:
  boc_matrix_t **out_;
  Matrix *dst_ = nullptr;
  bool fresh_ = false;
};

/* The operations behind boc/matrix.h; a, b may be null where the API allows. */
int matrix_binary(int op, const Matrix *a, const Matrix *b, double scalar, boc_matrix_t **out);
int matrix_unary(int op, const Matrix *a, boc_matrix_t **out);
int matrix_reduce(int op, const Matrix *a, int axis, double *value, boc_matrix_t **out);
int matrix_matmul(const Matrix *a, const Matrix *b, boc_matrix_t **out);
int matrix_transpose(const Matrix *a, boc_matrix_t **out);
int matrix_clip(const Matrix *a, double lo, double hi, boc_matrix_t **out);
int matrix_select(const Matrix *a, const size_t *idx, size_t count, int axis,
                  boc_matrix_t **out);
int matrix_concat(const Matrix *const *parts, size_t count, int axis, boc_matrix_t **out);
int matrix_allclose(const Matrix *a, const Matrix *b, double rtol, double atol,
                    bool equal_nan, int *result);
int matrix_vector(int op, const Matrix *a, const Matrix *b, int axis, double *value,
                  boc_matrix_t **out);
int matrix_random(int dist, size_t rows, size_t cols, double p0, double p1,
                  boc_matrix_t **out);
void matrix_seed(uint64_t seed);

/* ---- kernels (kernels.cc, matmul.cc): no validation, shapes trusted ---- */

/* Element-wise binary kernel.  Broadcast modes: */
enum class Bcast {
  SAME,   // a and b have the result's shape
  ROW_B,  // b is 1 x cols, broadcast down a's rows
  ROW_A,  // a is 1 x cols, broadcast down b's rows
  COL_B,  // b is rows x 1, broadcast across a's columns
  COL_A,  // a is rows x 1
  SCALAR_B,  // b is the scalar
  SCALAR_A   // a is the scalar
};
/* o may alias a or b (same shape). */
void k_binary(int op, Bcast mode, size_t rows, size_t cols, const double *a, const double *b,
              double scalar, double *o);
void k_unary(int op, size_t n, const double *a, double *o);
void k_clip(size_t n, const double *a, double lo, double hi, double *o);
/* Reductions of n contiguous doubles. */
double k_sum(size_t n, const double *a);
double k_sumsq(size_t n, const double *a);
double k_min(size_t n, const double *a);  // n >= 1; a NaN gives the first NaN
double k_max(size_t n, const double *a);
/* One SUM, MEAN, MIN, MAX, MAGNITUDE or MAGNITUDE_SQUARED per row of a
 * rows x cols block (cols >= 1 for MIN/MAX), into o[0..rows). */
void k_rows(int op, size_t rows, size_t cols, const double *a, double *o);
size_t k_argmin(size_t n, const double *a);
size_t k_argmax(size_t n, const double *a);
/* Column-wise accumulation: acc[c] op= a[r*cols + c] for every row. */
void k_col_sum(size_t rows, size_t cols, const double *a, double *acc);
void k_col_sumsq(size_t rows, size_t cols, const double *a, double *acc);
void k_col_min(size_t rows, size_t cols, const double *a, double *acc);
void k_col_max(size_t rows, size_t cols, const double *a, double *acc);
/* o (cols x rows) = transpose of a (rows x cols); no aliasing. */
void k_transpose(size_t rows, size_t cols, const double *a, double *o);
/* c (m x n) = a (m x k) @ b (k x n); no aliasing; c is overwritten. */
void k_matmul(size_t m, size_t n, size_t k, const double *a, const double *b, double *c);
/* Allclose over n pairs. */
bool k_allclose(size_t n, const double *a, const double *b, double rtol, double atol,
                bool equal_nan);

}  // namespace boc::detail

#endif
