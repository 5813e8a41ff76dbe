/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix/matrix.cc - matrix objects and the operations of boc/matrix.h:
 * argument and shape validation, result slots, and dispatch to the
 * kernels.  Every operation checks everything before it writes, so a
 * failed call never leaves a half-written destination.
 */
#include "matrix/matrix.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <vector>

namespace boc::detail {

namespace {

// The header takes one cache line; the elements start at the next one.
constexpr size_t kHeader = 64;
static_assert(sizeof(Matrix) <= kHeader, "Matrix header must fit in one cache line");

bool valid_axis(int axis) {
  return axis == BOC_MATRIX_AXIS0 || axis == BOC_MATRIX_AXIS1 || axis == BOC_MATRIX_AXIS_NONE;
}

// Copy n doubles where source and destination may be the same buffer.
void move_doubles(double *dst, const double *src, size_t n) {
  if (dst != src && n > 0) std::memmove(dst, src, n * sizeof(double));
}

}  // namespace

// ---- objects ------------------------------------------------------------------

bool matrix_count(size_t rows, size_t cols, size_t *n) {
  size_t count = 0;
  if (__builtin_mul_overflow(rows, cols, &count)) return false;
  constexpr size_t kMax =
      (static_cast<size_t>(std::numeric_limits<ptrdiff_t>::max()) - kHeader) / sizeof(double);
  if (count > kMax) return false;
  *n = count;
  return true;
}

// Large aligned blocks come from plain malloc, aligned by hand, and not
// from aligned operator new (glibc's aligned_alloc/memalign).  With the
// latter, a program that keeps one result alive while it makes the next
// (y = x.negate(); x = y; ...) moved the heap's break down and up at every
// call for blocks of the size of a (1000, 100) matrix, so each new result
// was fresh pages faulted in: 385 us per 800 KB allocation instead of 16
// (glibc 2.36, one block kept alive; strace shows one brk per call).
// Plain malloc reuses the freed block, as NumPy's allocations do.
void *aligned_block(size_t bytes, size_t align, void **block) {
  if (bytes > SIZE_MAX - align) return nullptr;
  void *mem = std::malloc(bytes + align - 1);
  if (mem == nullptr) return nullptr;
  *block = mem;
  uintptr_t addr = reinterpret_cast<uintptr_t>(mem);
  addr = (addr + align - 1) & ~static_cast<uintptr_t>(align - 1);
  return reinterpret_cast<void *>(addr);
}

Matrix *matrix_new(size_t rows, size_t cols, bool zero) {
  size_t n = 0;
  if (!matrix_count(rows, cols, &n)) return nullptr;
  size_t bytes = kHeader + (n > 0 ? n : 1) * sizeof(double);
  void *block = nullptr;
  void *mem = aligned_block(bytes, kHeader, &block);
  if (mem == nullptr) return nullptr;
  auto *m = new (mem) Matrix;
  m->block = block;
  m->refs.store(1, std::memory_order_relaxed);
  m->rows = rows;
  m->cols = cols;
  m->data = reinterpret_cast<double *>(static_cast<char *>(mem) + kHeader);
  if (zero) std::memset(m->data, 0, (n > 0 ? n : 1) * sizeof(double));
  else m->data[0] = 0.0;  // an empty matrix's one slot is never read, but defined
  return m;
}

void matrix_retain(Matrix *m) {
  // Relaxed: a new reference is made from an existing one, which already
  // keeps the matrix alive; nothing is published by the increment.
  m->refs.fetch_add(1, std::memory_order_relaxed);
}

void matrix_release(Matrix *m) {
  // acq_rel: the releasing decrement publishes this thread's writes to the
  // elements; the thread that reaches zero acquires them all before freeing.
  if (m->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  void *block = m->block;
  m->~Matrix();
  std::free(block);
}

// ---- result slots ---------------------------------------------------------------

Slot::~Slot() {
  if (fresh_ && dst_ != nullptr) matrix_release(dst_);
}

int Slot::prepare(size_t rows, size_t cols) {
  if (out_ == nullptr) return BOC_EINVAL;
  if (*out_ != nullptr) {
    auto *m = reinterpret_cast<Matrix *>(*out_);
    if (m->rows != rows || m->cols != cols) return BOC_EINVAL;
    dst_ = m;
    fresh_ = false;
    return BOC_OK;
  }
  size_t n = 0;
  if (!matrix_count(rows, cols, &n)) return BOC_EINVAL;
  dst_ = matrix_new(rows, cols, false);
  if (dst_ == nullptr) return BOC_ENOMEM;
  fresh_ = true;
  return BOC_OK;
}

void Slot::commit() {
  if (fresh_) *out_ = reinterpret_cast<boc_matrix_t *>(dst_);
  fresh_ = false;
}

// ---- element-wise -----------------------------------------------------------------

namespace {

// bocpy's broadcasting rules (reference section 7.2).
int classify(size_t ar, size_t ac, size_t br, size_t bc, Bcast *mode, size_t *rr,
             size_t *rc) {
  if (ar == br && ac == bc) {
    *mode = Bcast::SAME;
    *rr = ar;
    *rc = ac;
  } else if (ar != br) {
    if (ac != bc) return BOC_EINVAL;
    if (br == 1) {
      *mode = Bcast::ROW_B;
      *rr = ar;
    } else if (ar == 1) {
      *mode = Bcast::ROW_A;
      *rr = br;
    } else {
      return BOC_EINVAL;
    }
    *rc = ac;
  } else {
    if (bc == 1) {
      *mode = Bcast::COL_B;
      *rc = ac;
    } else if (ac == 1) {
      *mode = Bcast::COL_A;
      *rc = bc;
    } else {
      return BOC_EINVAL;
    }
    *rr = ar;
  }
  return BOC_OK;
}

}  // namespace

int matrix_binary(int op, const Matrix *a, const Matrix *b, double scalar,
                  boc_matrix_t **out) {
  if (op < BOC_MATRIX_OP_ADD || op > BOC_MATRIX_OP_SET || (a == nullptr && b == nullptr) ||
      out == nullptr)
    return BOC_EINVAL;
  Bcast mode;
  size_t rr, rc;
  if (a == nullptr) {
    mode = Bcast::SCALAR_A;
    rr = b->rows;
    rc = b->cols;
  } else if (b == nullptr) {
    mode = Bcast::SCALAR_B;
    rr = a->rows;
    rc = a->cols;
  } else if (int st = classify(a->rows, a->cols, b->rows, b->cols, &mode, &rr, &rc)) {
    return st;
  }
  Slot slot(out);
  if (int st = slot.prepare(rr, rc)) return st;
  // A destination that aliases a broadcast operand would be overwritten
  // while still being read; its shape differs from the result's unless it
  // is a 1x1 or the broadcast degenerates, so go through a temporary.
  const Matrix *vec = (mode == Bcast::ROW_A || mode == Bcast::COL_A)   ? a
                      : (mode == Bcast::ROW_B || mode == Bcast::COL_B) ? b
                                                                      : nullptr;
  if (slot.aliases(vec)) {
    std::vector<double> tmp(vec->data, vec->data + vec->size());
    const double *ad = vec == a ? tmp.data() : a->data;
    const double *bd = vec == b ? tmp.data() : b->data;
    k_binary(op, mode, rr, rc, ad, bd, scalar, slot.dst()->data);
  } else {
    k_binary(op, mode, rr, rc, a ? a->data : nullptr, b ? b->data : nullptr, scalar,
             slot.dst()->data);
  }
  slot.commit();
  return BOC_OK;
}

int matrix_unary(int op, const Matrix *a, boc_matrix_t **out) {
  if (op < BOC_MATRIX_UN_NEG || op > BOC_MATRIX_UN_SQUARE || a == nullptr || out == nullptr)
    return BOC_EINVAL;
  Slot slot(out);
  if (int st = slot.prepare(a->rows, a->cols)) return st;
  k_unary(op, a->size(), a->data, slot.dst()->data);
  slot.commit();
  return BOC_OK;
}

int matrix_clip(const Matrix *a, double lo, double hi, boc_matrix_t **out) {
  if (a == nullptr || out == nullptr || hi < lo) return BOC_EINVAL;
  Slot slot(out);
  if (int st = slot.prepare(a->rows, a->cols)) return st;
  k_clip(a->size(), a->data, lo, hi, slot.dst()->data);
  slot.commit();
  return BOC_OK;
}

// ---- reductions -------------------------------------------------------------------

namespace {

bool is_minmax(int op) {
  return op == BOC_MATRIX_RED_MIN || op == BOC_MATRIX_RED_MAX || op == BOC_MATRIX_RED_ARGMIN ||
         op == BOC_MATRIX_RED_ARGMAX;
}

// Reduce n contiguous doubles (n >= 1 for the min/max family).
double reduce_run(int op, size_t n, const double *x) {
  switch (op) {
    case BOC_MATRIX_RED_SUM: return k_sum(n, x);
    case BOC_MATRIX_RED_MEAN: return n > 0 ? k_sum(n, x) / static_cast<double>(n) : 0.0;
    case BOC_MATRIX_RED_MIN: return k_min(n, x);
    case BOC_MATRIX_RED_MAX: return k_max(n, x);
    case BOC_MATRIX_RED_MAGNITUDE: return std::sqrt(k_sumsq(n, x));
    case BOC_MATRIX_RED_MAGNITUDE_SQUARED: return k_sumsq(n, x);
    case BOC_MATRIX_RED_ARGMIN: return static_cast<double>(k_argmin(n, x));
    case BOC_MATRIX_RED_ARGMAX: return static_cast<double>(k_argmax(n, x));
    default: return 0.0;
  }
}

// Reduce over the rows of a view into o (1 x cols); o may not alias v.
void reduce_axis0(int op, const MView &v, double *o) {
  const size_t rows = v.rows, cols = v.cols;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (op) {
    case BOC_MATRIX_RED_SUM:
    case BOC_MATRIX_RED_MEAN:
      for (size_t c = 0; c < cols; c++) o[c] = 0.0;
      k_col_sum(rows, cols, v.data, o);
      if (op == BOC_MATRIX_RED_MEAN && rows > 0)
        for (size_t c = 0; c < cols; c++) o[c] /= static_cast<double>(rows);
      return;
    case BOC_MATRIX_RED_MAGNITUDE:
    case BOC_MATRIX_RED_MAGNITUDE_SQUARED:
      for (size_t c = 0; c < cols; c++) o[c] = 0.0;
      k_col_sumsq(rows, cols, v.data, o);
      if (op == BOC_MATRIX_RED_MAGNITUDE)
        for (size_t c = 0; c < cols; c++) o[c] = std::sqrt(o[c]);
      return;
    case BOC_MATRIX_RED_MIN:
      for (size_t c = 0; c < cols; c++) o[c] = kInf;
      k_col_min(rows, cols, v.data, o);
      return;
    case BOC_MATRIX_RED_MAX:
      for (size_t c = 0; c < cols; c++) o[c] = -kInf;
      k_col_max(rows, cols, v.data, o);
      return;
    case BOC_MATRIX_RED_ARGMIN:
    case BOC_MATRIX_RED_ARGMAX: {
      // Find the extreme of every column, then the first row holding it.
      std::vector<double> ext(cols, op == BOC_MATRIX_RED_ARGMIN ? kInf : -kInf);
      if (op == BOC_MATRIX_RED_ARGMIN) k_col_min(rows, cols, v.data, ext.data());
      else k_col_max(rows, cols, v.data, ext.data());
      std::vector<char> found(cols, 0);
      for (size_t c = 0; c < cols; c++) o[c] = 0.0;
      for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
          double x = v.data[r * cols + c], e = ext[c];
          if (!found[c] && (x == e || (e != e && x != x))) {
            found[c] = 1;
            o[c] = static_cast<double>(r);
          }
        }
      return;
    }
    default:
      return;
  }
}

}  // namespace

int matrix_reduce(int op, const Matrix *a, int axis, double *value, boc_matrix_t **out) {
  if (op < BOC_MATRIX_RED_SUM || op > BOC_MATRIX_RED_ARGMAX || a == nullptr ||
      !valid_axis(axis))
    return BOC_EINVAL;
  const MView v = view(a);
  if (axis == BOC_MATRIX_AXIS_NONE) {
    if (value == nullptr || (is_minmax(op) && v.size() == 0)) return BOC_EINVAL;
    *value = reduce_run(op, v.size(), v.data);
    return BOC_OK;
  }
  if (out == nullptr) return BOC_EINVAL;
  const bool by_col = axis == BOC_MATRIX_AXIS0;
  const size_t groups = by_col ? v.cols : v.rows;
  const size_t length = by_col ? v.rows : v.cols;
  if (is_minmax(op) && groups > 0 && length == 0) return BOC_EINVAL;
  Slot slot(out);
  if (int st = by_col ? slot.prepare(1, v.cols) : slot.prepare(v.rows, 1)) return st;
  // The result is written after reading the whole input, through a
  // temporary when the destination is the input itself (a 1x1, 1xN or Nx1).
  std::vector<double> tmp(groups);
  if (by_col) {
    reduce_axis0(op, v, tmp.data());
  } else {
    if (op == BOC_MATRIX_RED_ARGMIN || op == BOC_MATRIX_RED_ARGMAX) {
      for (size_t r = 0; r < v.rows; r++) tmp[r] = reduce_run(op, v.cols, v.data + r * v.cols);
    } else {
      k_rows(op, v.rows, v.cols, v.data, tmp.data());
    }
  }
  move_doubles(slot.dst()->data, tmp.data(), groups);
  slot.commit();
  return BOC_OK;
}

// ---- matmul, transpose, select, concat, copy -------------------------------------

int matrix_matmul(const Matrix *a, const Matrix *b, boc_matrix_t **out) {
  if (a == nullptr || b == nullptr || out == nullptr || a->cols != b->rows) return BOC_EINVAL;
  Slot slot(out);
  if (int st = slot.prepare(a->rows, b->cols)) return st;
  if (slot.aliases(a) || slot.aliases(b)) {
    std::vector<double> tmp(a->rows * b->cols);
    k_matmul(a->rows, b->cols, a->cols, a->data, b->data, tmp.data());
    move_doubles(slot.dst()->data, tmp.data(), tmp.size());
  } else {
    k_matmul(a->rows, b->cols, a->cols, a->data, b->data, slot.dst()->data);
  }
  slot.commit();
  return BOC_OK;
}

int matrix_transpose(const Matrix *a, boc_matrix_t **out) {
  if (a == nullptr || out == nullptr) return BOC_EINVAL;
  if (*out == reinterpret_cast<const boc_matrix_t *>(a)) {
    // In place: the element count stays, the shape swaps.
    auto *m = const_cast<Matrix *>(a);
    if (m->rows > 1 && m->cols > 1) {
      std::vector<double> tmp(m->data, m->data + m->size());
      k_transpose(m->rows, m->cols, tmp.data(), m->data);
    }
    size_t r = m->rows;
    m->rows = m->cols;
    m->cols = r;
    return BOC_OK;
  }
  Slot slot(out);
  if (int st = slot.prepare(a->cols, a->rows)) return st;
  k_transpose(a->rows, a->cols, a->data, slot.dst()->data);
  slot.commit();
  return BOC_OK;
}

int matrix_select(const Matrix *a, const size_t *idx, size_t count, int axis,
                  boc_matrix_t **out) {
  if (a == nullptr || out == nullptr || (idx == nullptr && count > 0) ||
      (axis != BOC_MATRIX_AXIS0 && axis != BOC_MATRIX_AXIS1))
    return BOC_EINVAL;
  const size_t limit = axis == BOC_MATRIX_AXIS0 ? a->rows : a->cols;
  for (size_t i = 0; i < count; i++)
    if (idx[i] >= limit) return BOC_EINVAL;
  Slot slot(out);
  if (int st = axis == BOC_MATRIX_AXIS0 ? slot.prepare(count, a->cols)
                                        : slot.prepare(a->rows, count))
    return st;
  const size_t cols = a->cols;
  std::vector<double> tmp;
  double *o = slot.dst()->data;
  if (slot.aliases(a)) {
    tmp.resize(slot.dst()->size());
    o = tmp.data();
  }
  if (axis == BOC_MATRIX_AXIS0) {
    for (size_t i = 0; i < count; i++)
      std::memcpy(o + i * cols, a->data + idx[i] * cols, cols * sizeof(double));
  } else {
    for (size_t r = 0; r < a->rows; r++) {
      const double *row = a->data + r * cols;
      double *orow = o + r * count;
      for (size_t i = 0; i < count; i++) orow[i] = row[idx[i]];
    }
  }
  if (!tmp.empty()) move_doubles(slot.dst()->data, tmp.data(), tmp.size());
  slot.commit();
  return BOC_OK;
}

int matrix_concat(const Matrix *const *parts, size_t count, int axis, boc_matrix_t **out) {
  if (parts == nullptr || out == nullptr || count == 0 ||
      (axis != BOC_MATRIX_AXIS0 && axis != BOC_MATRIX_AXIS1))
    return BOC_EINVAL;
  for (size_t i = 0; i < count; i++)
    if (parts[i] == nullptr) return BOC_EINVAL;
  const bool vertical = axis == BOC_MATRIX_AXIS0;
  const size_t fixed = vertical ? parts[0]->cols : parts[0]->rows;
  size_t total = 0;
  for (size_t i = 0; i < count; i++) {
    const Matrix *p = parts[i];
    if ((vertical ? p->cols : p->rows) != fixed) return BOC_EINVAL;
    if (__builtin_add_overflow(total, vertical ? p->rows : p->cols, &total)) return BOC_EINVAL;
  }
  const size_t rr = vertical ? total : fixed, rc = vertical ? fixed : total;
  size_t n = 0;
  if (!matrix_count(rr, rc, &n)) return BOC_EINVAL;
  Slot slot(out);
  if (int st = slot.prepare(rr, rc)) return st;
  bool alias = false;
  for (size_t i = 0; i < count; i++) alias = alias || slot.aliases(parts[i]);
  std::vector<double> tmp;
  double *o = slot.dst()->data;
  if (alias) {
    tmp.resize(n);
    o = tmp.data();
  }
  if (vertical) {
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
      size_t sz = parts[i]->size();
      if (sz > 0) std::memcpy(o + off, parts[i]->data, sz * sizeof(double));
      off += sz;
    }
  } else {
    size_t c0 = 0;
    for (size_t i = 0; i < count; i++) {
      const Matrix *p = parts[i];
      for (size_t r = 0; r < rr && p->cols > 0; r++)
        std::memcpy(o + r * rc + c0, p->data + r * p->cols, p->cols * sizeof(double));
      c0 += p->cols;
    }
  }
  if (alias) move_doubles(slot.dst()->data, tmp.data(), n);
  slot.commit();
  return BOC_OK;
}

int matrix_allclose(const Matrix *a, const Matrix *b, double rtol, double atol,
                    bool equal_nan, int *result) {
  if (a == nullptr || b == nullptr || result == nullptr) return BOC_EINVAL;
  if (a->rows != b->rows || a->cols != b->cols) {
    *result = 0;
    return BOC_OK;
  }
  *result = k_allclose(a->size(), a->data, b->data, rtol, atol, equal_nan) ? 1 : 0;
  return BOC_OK;
}

}  // namespace boc::detail
