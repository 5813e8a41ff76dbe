/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

#include "boc/matrix.h"

#include <cstring>

#include "guard.h"
#include "matrix/matrix.h"

using boc::capi::guarded;
namespace d = boc::detail;

namespace {

inline d::Matrix *to_matrix(boc_matrix_t *m) { return reinterpret_cast<d::Matrix *>(m); }
inline const d::Matrix *to_matrix(const boc_matrix_t *m) {
  return reinterpret_cast<const d::Matrix *>(m);
}

}  // namespace

extern "C" {

BOC_API int boc_matrix_create(size_t rows, size_t columns, const double *values,
                              boc_matrix_t **out) {
  size_t n = 0;
  if (out == nullptr || !d::matrix_count(rows, columns, &n)) return BOC_EINVAL;
  return guarded([&] {
    d::Matrix *m = d::matrix_new(rows, columns, values == nullptr);
    if (m == nullptr) return static_cast<int>(BOC_ENOMEM);
    if (values != nullptr && n > 0) std::memcpy(m->data, values, n * sizeof(double));
    *out = reinterpret_cast<boc_matrix_t *>(m);
    return static_cast<int>(BOC_OK);
  });
}

BOC_API int boc_matrix_retain(boc_matrix_t *m) {
  if (m == nullptr) return BOC_EINVAL;
  d::matrix_retain(to_matrix(m));
  return BOC_OK;
}

BOC_API int boc_matrix_release(boc_matrix_t *m) {
  if (m == nullptr) return BOC_EINVAL;
  d::matrix_release(to_matrix(m));
  return BOC_OK;
}

BOC_API int boc_matrix_shape(const boc_matrix_t *m, size_t *rows, size_t *columns) {
  if (m == nullptr) return BOC_EINVAL;
  if (rows != nullptr) *rows = to_matrix(m)->rows;
  if (columns != nullptr) *columns = to_matrix(m)->cols;
  return BOC_OK;
}

BOC_API int boc_matrix_data(boc_matrix_t *m, double **data) {
  if (m == nullptr || data == nullptr) return BOC_EINVAL;
  *data = to_matrix(m)->data;
  return BOC_OK;
}

BOC_API int boc_matrix_copy(const boc_matrix_t *a, boc_matrix_t **out) {
  if (a == nullptr || out == nullptr) return BOC_EINVAL;
  return guarded([&] {
    const d::Matrix *src = to_matrix(a);
    d::Slot slot(out);
    if (int st = slot.prepare(src->rows, src->cols)) return st;
    if (slot.dst() != src && src->size() > 0)
      std::memcpy(slot.dst()->data, src->data, src->size() * sizeof(double));
    slot.commit();
    return static_cast<int>(BOC_OK);
  });
}

BOC_API int boc_matrix_binary(int op, const boc_matrix_t *a, const boc_matrix_t *b,
                              double scalar, boc_matrix_t **out) {
  return guarded([&] { return d::matrix_binary(op, to_matrix(a), to_matrix(b), scalar, out); });
}

BOC_API int boc_matrix_unary(int op, const boc_matrix_t *a, boc_matrix_t **out) {
  return guarded([&] { return d::matrix_unary(op, to_matrix(a), out); });
}

BOC_API int boc_matrix_reduce(int op, const boc_matrix_t *a, int axis, double *value,
                              boc_matrix_t **out) {
  return guarded([&] { return d::matrix_reduce(op, to_matrix(a), axis, value, out); });
}

BOC_API int boc_matrix_matmul(const boc_matrix_t *a, const boc_matrix_t *b,
                              boc_matrix_t **out) {
  return guarded([&] { return d::matrix_matmul(to_matrix(a), to_matrix(b), out); });
}

BOC_API int boc_matrix_transpose(const boc_matrix_t *a, boc_matrix_t **out) {
  return guarded([&] { return d::matrix_transpose(to_matrix(a), out); });
}

BOC_API int boc_matrix_clip(const boc_matrix_t *a, double lo, double hi, boc_matrix_t **out) {
  return guarded([&] { return d::matrix_clip(to_matrix(a), lo, hi, out); });
}

BOC_API int boc_matrix_select(const boc_matrix_t *a, const size_t *indices, size_t count,
                              int axis, boc_matrix_t **out) {
  return guarded([&] { return d::matrix_select(to_matrix(a), indices, count, axis, out); });
}

BOC_API int boc_matrix_concat(const boc_matrix_t *const *parts, size_t count, int axis,
                              boc_matrix_t **out) {
  return guarded([&] {
    return d::matrix_concat(reinterpret_cast<const d::Matrix *const *>(parts), count, axis,
                            out);
  });
}

BOC_API int boc_matrix_allclose(const boc_matrix_t *a, const boc_matrix_t *b, double rtol,
                                double atol, int equal_nan, int *result) {
  return guarded([&] {
    return d::matrix_allclose(to_matrix(a), to_matrix(b), rtol, atol, equal_nan != 0, result);
  });
}

BOC_API int boc_matrix_vector(int op, const boc_matrix_t *a, const boc_matrix_t *b, int axis,
                              double *value, boc_matrix_t **out) {
  return guarded(
      [&] { return d::matrix_vector(op, to_matrix(a), to_matrix(b), axis, value, out); });
}

BOC_API int boc_matrix_random(int dist, size_t rows, size_t columns, double p0, double p1,
                              boc_matrix_t **out) {
  return guarded([&] { return d::matrix_random(dist, rows, columns, p0, p1, out); });
}

BOC_API int boc_matrix_seed(uint64_t seed) {
  d::matrix_seed(seed);
  return BOC_OK;
}

}  // extern "C"
