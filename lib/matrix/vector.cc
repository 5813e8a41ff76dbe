/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix/vector.cc - the vector operations of boc_matrix_vector(): vecdot,
 * cross, normalize, perpendicular and angle, with the shape rules of
 * bocpy's Matrix (reference sections 13.1-13.5).  Results are built in a
 * temporary and copied out, so any of them may run in place.
 */
#include <cmath>
#include <cstring>
#include <vector>

#include "matrix/matrix.h"

namespace boc::detail {

namespace {

bool is_vector(const Matrix *m) { return m->rows == 1 || m->cols == 1; }

// Copy a finished result into the slot.
int emit(Slot &slot, size_t rows, size_t cols, const std::vector<double> &r) {
  if (int st = slot.prepare(rows, cols)) return st;
  if (!r.empty()) std::memmove(slot.dst()->data, r.data(), r.size() * sizeof(double));
  slot.commit();
  return BOC_OK;
}

// ---- vecdot ---------------------------------------------------------------------

int vec_dot(const Matrix *a, const Matrix *b, int axis, double *value, boc_matrix_t **out) {
  Bcast mode = Bcast::SAME;
  size_t rr = a->rows, rc = a->cols;
  if (a->rows == b->rows && a->cols == b->cols) {
    mode = Bcast::SAME;
  } else if (a->rows == b->rows && (a->cols == 1 || b->cols == 1)) {
    mode = b->cols == 1 ? Bcast::COL_B : Bcast::COL_A;
    rc = b->cols == 1 ? a->cols : b->cols;
  } else if (a->cols == b->cols && (a->rows == 1 || b->rows == 1)) {
    mode = b->rows == 1 ? Bcast::ROW_B : Bcast::ROW_A;
    rr = b->rows == 1 ? a->rows : b->rows;
  } else if (is_vector(a) && is_vector(b) && a->size() == b->size()) {
    mode = Bcast::SAME;  // lockstep over the flat buffers, in a's shape
  } else {
    return BOC_EINVAL;
  }
  if (axis == BOC_MATRIX_AXIS_NONE) {
    if (value == nullptr) return BOC_EINVAL;
  } else if (out == nullptr) {
    return BOC_EINVAL;
  }
  std::vector<double> prod(rr * rc);
  k_binary(BOC_MATRIX_OP_MUL, mode, rr, rc, a->data, b->data, 0.0, prod.data());
  if (axis == BOC_MATRIX_AXIS_NONE) {
    *value = k_sum(prod.size(), prod.data());
    return BOC_OK;
  }
  Slot slot(out);
  std::vector<double> r;
  if (axis == BOC_MATRIX_AXIS0) {
    r.assign(rc, 0.0);
    k_col_sum(rr, rc, prod.data(), r.data());
    return emit(slot, 1, rc, r);
  }
  r.resize(rr);
  for (size_t i = 0; i < rr; i++) r[i] = k_sum(rc, prod.data() + i * rc);
  return emit(slot, rr, 1, r);
}

// ---- cross ----------------------------------------------------------------------

enum class Layout { SINGLE, ROWS, COLS, BAD };

// The cross-product classifier of reference section 13.2: k is set to 2
// or 3.  3x2 and 2x3 ignore the axis; other shapes reject a contradicting one.
Layout cross_layout(size_t r, size_t c, int axis, size_t *k) {
  const bool ax0 = axis == BOC_MATRIX_AXIS0, ax1 = axis == BOC_MATRIX_AXIS1;
  if (r == 3 && c == 2) return *k = 2, Layout::ROWS;
  if (r == 2 && c == 3) return *k = 2, Layout::COLS;
  if ((r == 2 && c == 2) || (r == 3 && c == 3)) return *k = r, ax0 ? Layout::COLS : Layout::ROWS;
  if (r == 1 && (c == 2 || c == 3)) return *k = c, ax0 ? Layout::BAD : Layout::SINGLE;
  if (c == 1 && (r == 2 || r == 3)) return *k = r, ax1 ? Layout::BAD : Layout::SINGLE;
  if ((c == 2 || c == 3) && r >= 4) return *k = c, ax0 ? Layout::BAD : Layout::ROWS;
  if ((r == 2 || r == 3) && c >= 4) return *k = r, ax1 ? Layout::BAD : Layout::COLS;
  return Layout::BAD;
}

int vec_cross(const Matrix *a, const Matrix *b, int axis, double *value, boc_matrix_t **out) {
  size_t k = 0;
  Layout lay = cross_layout(a->rows, a->cols, axis, &k);
  if (lay == Layout::BAD) return BOC_EINVAL;
  const double *x = a->data, *y = b->data;
  if (lay == Layout::SINGLE) {
    if (b->size() != k) return BOC_EINVAL;
    if (k == 2) {
      if (value == nullptr) return BOC_EINVAL;
      *value = x[0] * y[1] - x[1] * y[0];
      return BOC_OK;
    }
    if (out == nullptr) return BOC_EINVAL;
    std::vector<double> r{x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2],
                          x[0] * y[1] - x[1] * y[0]};
    Slot slot(out);
    return emit(slot, a->rows, a->cols, r);
  }
  const bool same = b->rows == a->rows && b->cols == a->cols;
  if (!same && !(is_vector(b) && b->size() == k)) return BOC_EINVAL;
  if (out == nullptr) return BOC_EINVAL;
  const size_t cols = a->cols;
  const size_t n = lay == Layout::ROWS ? a->rows : a->cols;
  // Element j of vector s: rows layout a[s*cols + j], columns layout a[j*cols + s].
  auto at = [&](const double *d, size_t s, size_t j) {
    return lay == Layout::ROWS ? d[s * cols + j] : d[j * cols + s];
  };
  auto bt = [&](size_t s, size_t j) { return same ? at(y, s, j) : y[j]; };
  std::vector<double> r;
  if (k == 2) {
    r.resize(n);
    for (size_t s = 0; s < n; s++) r[s] = at(x, s, 0) * bt(s, 1) - at(x, s, 1) * bt(s, 0);
    Slot slot(out);
    return lay == Layout::ROWS ? emit(slot, n, 1, r) : emit(slot, 1, n, r);
  }
  r.resize(a->size());
  for (size_t s = 0; s < n; s++) {
    double x0 = at(x, s, 0), x1 = at(x, s, 1), x2 = at(x, s, 2);
    double y0 = bt(s, 0), y1 = bt(s, 1), y2 = bt(s, 2);
    double c0 = x1 * y2 - x2 * y1, c1 = x2 * y0 - x0 * y2, c2 = x0 * y1 - x1 * y0;
    if (lay == Layout::ROWS) {
      r[s * 3] = c0;
      r[s * 3 + 1] = c1;
      r[s * 3 + 2] = c2;
    } else {
      r[s] = c0;
      r[cols + s] = c1;
      r[2 * cols + s] = c2;
    }
  }
  Slot slot(out);
  return emit(slot, a->rows, a->cols, r);
}

// ---- normalize ----------------------------------------------------------------------

int vec_normalize(const Matrix *a, int axis, boc_matrix_t **out) {
  if (out == nullptr) return BOC_EINVAL;
  Slot slot(out);
  if (int st = slot.prepare(a->rows, a->cols)) return st;
  const size_t rows = a->rows, cols = a->cols;
  double *o = slot.dst()->data;
  // A zero norm divides by 1, so a zero vector stays exactly zero.
  if (axis == BOC_MATRIX_AXIS_NONE) {
    double norm = std::sqrt(k_sumsq(a->size(), a->data));
    k_binary(BOC_MATRIX_OP_DIV, Bcast::SCALAR_B, rows, cols, a->data, nullptr,
             norm == 0.0 ? 1.0 : norm, o);
  } else if (axis == BOC_MATRIX_AXIS1) {
    std::vector<double> norms(rows);
    for (size_t r = 0; r < rows; r++) {
      double nrm = std::sqrt(k_sumsq(cols, a->data + r * cols));
      norms[r] = nrm == 0.0 ? 1.0 : nrm;
    }
    k_binary(BOC_MATRIX_OP_DIV, Bcast::COL_B, rows, cols, a->data, norms.data(), 0.0, o);
  } else {
    std::vector<double> norms(cols, 0.0);
    k_col_sumsq(rows, cols, a->data, norms.data());
    for (size_t c = 0; c < cols; c++) {
      double nrm = std::sqrt(norms[c]);
      norms[c] = nrm == 0.0 ? 1.0 : nrm;
    }
    k_binary(BOC_MATRIX_OP_DIV, Bcast::ROW_B, rows, cols, a->data, norms.data(), 0.0, o);
  }
  slot.commit();
  return BOC_OK;
}

// ---- perpendicular and angle ------------------------------------------------------------

// The 2-D classifier of reference section 13.4 (shared by angle).
Layout planar_layout(size_t r, size_t c, int axis) {
  const bool ax0 = axis == BOC_MATRIX_AXIS0, ax1 = axis == BOC_MATRIX_AXIS1;
  if (r == 1 && c == 2) return ax0 ? Layout::BAD : Layout::SINGLE;
  if (r == 2 && c == 1) return ax1 ? Layout::BAD : Layout::SINGLE;
  if (r == 2 && c == 2) return ax0 ? Layout::COLS : Layout::ROWS;
  if (c == 2 && r >= 3) return ax0 ? Layout::BAD : Layout::ROWS;
  if (r == 2 && c >= 3) return ax1 ? Layout::BAD : Layout::COLS;
  return Layout::BAD;
}

int vec_perpendicular(const Matrix *a, int axis, boc_matrix_t **out) {
  Layout lay = planar_layout(a->rows, a->cols, axis);
  if (lay == Layout::BAD || out == nullptr) return BOC_EINVAL;
  const double *x = a->data;
  const size_t cols = a->cols;
  std::vector<double> r(a->size());
  if (lay == Layout::SINGLE || lay == Layout::ROWS) {
    // (x, y) -> (-y, x) over consecutive pairs.
    for (size_t i = 0; i + 1 < r.size(); i += 2) {
      r[i] = -x[i + 1];
      r[i + 1] = x[i];
    }
  } else {
    for (size_t c = 0; c < cols; c++) {
      r[c] = -x[cols + c];
      r[cols + c] = x[c];
    }
  }
  Slot slot(out);
  return emit(slot, a->rows, a->cols, r);
}

int vec_angle(const Matrix *a, int axis, double *value, boc_matrix_t **out) {
  Layout lay = planar_layout(a->rows, a->cols, axis);
  if (lay == Layout::BAD) return BOC_EINVAL;
  const double *x = a->data;
  if (lay == Layout::SINGLE) {
    if (value == nullptr) return BOC_EINVAL;
    *value = std::atan2(x[1], x[0]);
    return BOC_OK;
  }
  if (out == nullptr) return BOC_EINVAL;
  Slot slot(out);
  std::vector<double> r;
  if (lay == Layout::ROWS) {
    r.resize(a->rows);
    for (size_t i = 0; i < a->rows; i++) r[i] = std::atan2(x[2 * i + 1], x[2 * i]);
    return emit(slot, a->rows, 1, r);
  }
  const size_t cols = a->cols;
  r.resize(cols);
  for (size_t c = 0; c < cols; c++) r[c] = std::atan2(x[cols + c], x[c]);
  return emit(slot, 1, cols, r);
}

}  // namespace

int matrix_vector(int op, const Matrix *a, const Matrix *b, int axis, double *value,
                  boc_matrix_t **out) {
  if (a == nullptr || (axis != BOC_MATRIX_AXIS0 && axis != BOC_MATRIX_AXIS1 &&
                       axis != BOC_MATRIX_AXIS_NONE))
    return BOC_EINVAL;
  const bool binary = op == BOC_MATRIX_VEC_DOT || op == BOC_MATRIX_VEC_CROSS;
  if (binary != (b != nullptr)) return BOC_EINVAL;
  switch (op) {
    case BOC_MATRIX_VEC_DOT: return vec_dot(a, b, axis, value, out);
    case BOC_MATRIX_VEC_CROSS: return vec_cross(a, b, axis, value, out);
    case BOC_MATRIX_VEC_NORMALIZE: return vec_normalize(a, axis, out);
    case BOC_MATRIX_VEC_PERPENDICULAR: return vec_perpendicular(a, axis, out);
    case BOC_MATRIX_VEC_ANGLE: return vec_angle(a, axis, value, out);
    default: return BOC_EINVAL;
  }
}

}  // namespace boc::detail
