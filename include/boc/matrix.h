/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * boc/matrix.h - dense 2-D matrices of doubles and their kernels.
 *
 * A matrix is a reference-counted, row-major array of rows x columns IEEE
 * doubles.  Either dimension may be 0 (an empty matrix); its data pointer
 * is still valid.  The element buffer is 64-byte aligned and is exposed
 * through boc_matrix_data() so that a binding can read and write it in
 * place.
 *
 * The operations are grouped in families selected by an operation code
 * (enum boc_matrix_binary_op and so on) rather than one function each.
 *
 * Result slots.  Every function that produces a matrix takes
 * boc_matrix_t **out, which must not be NULL:
 *   - *out == NULL: a new matrix of the result's shape is created and
 *     stored in *out with one reference (+1);
 *   - *out != NULL: the matrix *out is borrowed and overwritten; it must
 *     already have exactly the result's shape (BOC_EINVAL otherwise) and
 *     may be one of the inputs, which makes the operation in place.
 * On error nothing is written: neither *out nor the elements of a given
 * destination.  Functions whose result is a single number (a reduction
 * over all elements, a 2-D cross product...) store it in *value and leave
 * *out alone; their header says when.
 *
 * Thread safety:
 *
 *   operation                          | concurrent calls on one matrix
 *   -----------------------------------+-------------------------------
 *   boc_matrix_retain/release          | safe (atomic count)
 *   reading (shape, data, inputs)      | safe with other readers
 *   writing (a destination, in place)  | the caller serialises it
 *
 * There is no internal lock: a matrix written by one thread while another
 * reads it is a data race, exactly like a plain array (put it in a cown).
 * Every function may be called from any thread, inside or outside
 * behaviors, whether the runtime is running or not.  Kernels never block.
 */
#ifndef BOC_MATRIX_H
#define BOC_MATRIX_H

#include "boc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque matrix handle. */
typedef struct boc_matrix boc_matrix_t;

/* The axis argument of reductions and vector operations. */
enum boc_matrix_axis {
  BOC_MATRIX_AXIS0 = 0,    /* over the rows: one result per column, 1 x columns */
  BOC_MATRIX_AXIS1 = 1,    /* over the columns: one result per row, rows x 1 */
  BOC_MATRIX_AXIS_NONE = 2 /* over every element: one number */
};

/* Element-wise binary operations (boc_matrix_binary). */
enum boc_matrix_binary_op {
  BOC_MATRIX_OP_ADD = 0, /* a + b */
  BOC_MATRIX_OP_SUB = 1, /* a - b */
  BOC_MATRIX_OP_MUL = 2, /* a * b */
  BOC_MATRIX_OP_DIV = 3, /* a / b (IEEE: x/0 is +-inf or NaN) */
  BOC_MATRIX_OP_POW = 4, /* pow(a, b) */
  BOC_MATRIX_OP_MIN = 5, /* the smaller; NaN if either is NaN */
  BOC_MATRIX_OP_MAX = 6, /* the larger; NaN if either is NaN */
  BOC_MATRIX_OP_EQ = 7,  /* 1.0 where a == b, else 0.0 (NaN is never equal) */
  BOC_MATRIX_OP_NE = 8,  /* 1.0 where a != b */
  BOC_MATRIX_OP_LT = 9,  /* 1.0 where a < b */
  BOC_MATRIX_OP_LE = 10, /* 1.0 where a <= b */
  BOC_MATRIX_OP_GT = 11, /* 1.0 where a > b */
  BOC_MATRIX_OP_GE = 12, /* 1.0 where a >= b */
  BOC_MATRIX_OP_SET = 13 /* b: fill or broadcast-assign b over a's shape */
};

/* Element-wise unary operations (boc_matrix_unary). */
enum boc_matrix_unary_op {
  BOC_MATRIX_UN_NEG = 0,   /* -x */
  BOC_MATRIX_UN_ABS = 1,   /* |x| */
  BOC_MATRIX_UN_CEIL = 2,  /* ceil(x) */
  BOC_MATRIX_UN_FLOOR = 3, /* floor(x) */
  BOC_MATRIX_UN_ROUND = 4, /* nearbyint(x): half to even in the default mode */
  BOC_MATRIX_UN_SQRT = 5,  /* sqrt(x) */
  BOC_MATRIX_UN_EXP = 6,   /* exp(x) */
  BOC_MATRIX_UN_LOG = 7,   /* log(x) */
  BOC_MATRIX_UN_SIN = 8,   /* sin(x) */
  BOC_MATRIX_UN_COS = 9,   /* cos(x) */
  BOC_MATRIX_UN_TAN = 10,  /* tan(x) */
  BOC_MATRIX_UN_SQUARE = 11 /* x * x */
};

/* Reductions (boc_matrix_reduce). */
enum boc_matrix_reduce_op {
  BOC_MATRIX_RED_SUM = 0,       /* sum; 0 over no elements */
  BOC_MATRIX_RED_MEAN = 1,      /* sum / count; 0 over no elements */
  BOC_MATRIX_RED_MIN = 2,       /* smallest; NaN if any is NaN */
  BOC_MATRIX_RED_MAX = 3,       /* largest; NaN if any is NaN */
  BOC_MATRIX_RED_MAGNITUDE = 4, /* sqrt(sum of squares), the L2 norm */
  BOC_MATRIX_RED_MAGNITUDE_SQUARED = 5, /* sum of squares */
  BOC_MATRIX_RED_ARGMIN = 6,    /* index of the first smallest (or first NaN) */
  BOC_MATRIX_RED_ARGMAX = 7     /* index of the first largest (or first NaN) */
};

/* Vector operations (boc_matrix_vector). */
enum boc_matrix_vector_op {
  BOC_MATRIX_VEC_DOT = 0,           /* sum of element-wise products (vecdot) */
  BOC_MATRIX_VEC_CROSS = 1,         /* 2-D or 3-D cross products */
  BOC_MATRIX_VEC_NORMALIZE = 2,     /* divide by the L2 norm (zero stays zero) */
  BOC_MATRIX_VEC_PERPENDICULAR = 3, /* rotate 2-D vectors by +90 degrees */
  BOC_MATRIX_VEC_ANGLE = 4          /* atan2(y, x) of 2-D vectors */
};

/* Distributions (boc_matrix_random). */
enum boc_matrix_distribution {
  BOC_MATRIX_UNIFORM = 0, /* p0 + (p1 - p0) * u, u uniform in [0, 1) */
  BOC_MATRIX_NORMAL = 1   /* Gaussian, mean p0, standard deviation p1 */
};

/*
 * boc_matrix_create - make a matrix.
 *
 * rows, columns: the shape; either may be 0.  rows * columns must fit in
 *   memory arithmetic (at most PTRDIFF_MAX bytes of doubles).
 * values: rows * columns doubles in row-major order, copied; NULL for a
 *   matrix of zeros.
 * out: receives the new matrix (+1); *out is not read.
 * Errors: BOC_EINVAL (out NULL, rows * columns overflows), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_create(size_t rows, size_t columns,
                                              const double *values, boc_matrix_t **out);

/*
 * boc_matrix_retain - add a reference.
 *
 * Errors: BOC_EINVAL (NULL).  Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_matrix_retain(boc_matrix_t *m);

/*
 * boc_matrix_release - drop a reference; the last one frees the matrix.
 *
 * Errors: BOC_EINVAL (NULL).  Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_matrix_release(boc_matrix_t *m);

/*
 * boc_matrix_shape - the number of rows and columns.
 *
 * rows, columns: receive the shape; either may be NULL when not wanted.
 * Errors: BOC_EINVAL (m NULL).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_matrix_shape(const boc_matrix_t *m, size_t *rows, size_t *columns);

/*
 * boc_matrix_data - the elements, row-major: element (i, j) is
 * data[i * columns + j].
 *
 * data: receives a pointer to the elements (never NULL, even for an empty
 *   matrix), valid while the caller holds a reference.  The caller may
 *   write through it (see the thread-safety table above).
 * Errors: BOC_EINVAL (m or data NULL).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_matrix_data(boc_matrix_t *m, double **data);

/*
 * boc_matrix_copy - copy a matrix.
 *
 * a: borrowed.  out: result slot (see above), shape of a.
 * Errors: BOC_EINVAL (a or out NULL, *out of another shape), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_copy(const boc_matrix_t *a, boc_matrix_t **out);

/*
 * boc_matrix_binary - element-wise binary operation with broadcasting.
 *
 * op: an enum boc_matrix_binary_op.
 * a, b: borrowed operands.  One of them may be NULL: it then stands for
 *   the number scalar, so (NULL, m) computes scalar op m and (m, NULL)
 *   computes m op scalar.  Both NULL is an error.
 * Shapes (bocpy's rules): equal shapes; or equal column counts and one
 *   operand with one row (row broadcast); or equal row counts and one
 *   operand with one column (column broadcast).  Either side may be the
 *   broadcast one; the result has the other's shape.  1xN with Nx1 (N > 1)
 *   and RxC with 1x1 (R, C > 1) are mismatches.
 * out: result slot; may be a or b when it has the result's shape.
 * Errors: BOC_EINVAL (bad op, both operands NULL, out NULL, shape
 *   mismatch, *out of the wrong shape), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_binary(int op, const boc_matrix_t *a,
                                              const boc_matrix_t *b, double scalar,
                                              boc_matrix_t **out);

/*
 * boc_matrix_unary - element-wise unary operation.
 *
 * op: an enum boc_matrix_unary_op.  a: borrowed.
 * out: result slot, shape of a; may be a.
 * Errors: BOC_EINVAL (bad op, a or out NULL, *out of the wrong shape),
 *   BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_unary(int op, const boc_matrix_t *a,
                                             boc_matrix_t **out);

/*
 * boc_matrix_reduce - reduce over all elements, the rows or the columns.
 *
 * op: an enum boc_matrix_reduce_op.  a: borrowed.
 * axis: BOC_MATRIX_AXIS_NONE stores one number in *value (out is not used
 *   and may be NULL); BOC_MATRIX_AXIS0 gives a 1 x columns matrix and
 *   BOC_MATRIX_AXIS1 a rows x 1 matrix in the result slot out (value is
 *   not used and may be NULL).  Arg-reductions give indices as doubles:
 *   the flat row-major index for AXIS_NONE, the row (AXIS0) or column
 *   (AXIS1) index otherwise.
 * Errors: BOC_EINVAL (bad op or axis, a NULL, value or out NULL when
 *   needed, *out of the wrong shape, MIN/MAX/ARGMIN/ARGMAX over an empty
 *   set of elements), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_reduce(int op, const boc_matrix_t *a, int axis,
                                              double *value, boc_matrix_t **out);

/*
 * boc_matrix_matmul - matrix product a @ b (cache-blocked).
 *
 * a (R x K), b (K x C): borrowed.  out: result slot, R x C; may be a or b
 *   (the product then goes through a temporary).
 * Errors: BOC_EINVAL (a, b or out NULL, a's columns != b's rows, *out of
 *   the wrong shape), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_matmul(const boc_matrix_t *a, const boc_matrix_t *b,
                                              boc_matrix_t **out);

/*
 * boc_matrix_transpose - the transpose.
 *
 * a: borrowed.  out: result slot, columns x rows.  *out == a transposes in
 *   place: a's shape becomes columns x rows (its data pointer stays).
 * Errors: BOC_EINVAL (a or out NULL, *out of the wrong shape), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_transpose(const boc_matrix_t *a, boc_matrix_t **out);

/*
 * boc_matrix_clip - clamp every element to [lo, hi].
 *
 * NaN elements pass through; a NaN bound is ignored (no clamping on that
 * side).  a: borrowed.  out: result slot, shape of a; may be a.
 * Errors: BOC_EINVAL (a or out NULL, hi < lo, *out of the wrong shape),
 *   BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_clip(const boc_matrix_t *a, double lo, double hi,
                                            boc_matrix_t **out);

/*
 * boc_matrix_select - gather rows (AXIS0) or columns (AXIS1) by index.
 *
 * indices: count indices, borrowed; duplicates and any order allowed;
 *   may be NULL when count is 0 (the result is then empty).
 * out: result slot, count x columns (AXIS0) or rows x count (AXIS1).
 * Errors: BOC_EINVAL (a or out NULL, indices NULL with count > 0, axis
 *   not AXIS0/AXIS1, an index out of range, *out of the wrong shape),
 *   BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_select(const boc_matrix_t *a, const size_t *indices,
                                              size_t count, int axis, boc_matrix_t **out);

/*
 * boc_matrix_concat - stack matrices vertically (AXIS0) or horizontally
 * (AXIS1).
 *
 * parts: count borrowed matrices (count >= 1).  AXIS0 needs equal column
 *   counts, AXIS1 equal row counts.  out: result slot; may be a part.
 * Errors: BOC_EINVAL (parts or out NULL, count 0, a NULL part, bad axis,
 *   mismatched parts, the total size overflows, *out of the wrong shape),
 *   BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_concat(const boc_matrix_t *const *parts, size_t count,
                                              int axis, boc_matrix_t **out);

/*
 * boc_matrix_allclose - whether a and b have the same shape and every
 * pair of elements is close.
 *
 * Close: |a - b| <= atol + rtol * |b| for finite pairs; infinities are
 * close only to the same infinity; NaN is close to nothing, except to NaN
 * when equal_nan is not 0.
 * result: receives 1 (close) or 0.
 * Errors: BOC_EINVAL (a, b or result NULL).
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API int boc_matrix_allclose(const boc_matrix_t *a, const boc_matrix_t *b, double rtol,
                                double atol, int equal_nan, int *result);

/*
 * boc_matrix_vector - vector operations, with bocpy's shape rules.
 *
 * op: an enum boc_matrix_vector_op.  a, b: borrowed; b is the second
 *   operand of DOT and CROSS and must be NULL for the others.
 * axis: an enum boc_matrix_axis; picks rows or columns where the shape
 *   allows both (see boc_matrix_create(3)).
 * value: receives the result when it is one number: DOT with AXIS_NONE,
 *   CROSS of two 2-D vectors, ANGLE of one 2-D vector.  *out is then left
 *   alone (a caller that passed *out == NULL finds it still NULL).
 * out: result slot otherwise.  NORMALIZE and PERPENDICULAR keep a's shape
 *   and may run in place (*out == a).
 * Errors: BOC_EINVAL (bad op or axis, a NULL, b NULL for DOT/CROSS or not
 *   NULL otherwise, a shape or axis the operation rejects, value or out
 *   NULL when needed, *out of the wrong shape), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_vector(int op, const boc_matrix_t *a,
                                              const boc_matrix_t *b, int axis, double *value,
                                              boc_matrix_t **out);

/*
 * boc_matrix_random - a matrix of random numbers from the calling
 * thread's generator.
 *
 * dist: an enum boc_matrix_distribution, with parameters p0 and p1.
 * out: result slot, rows x columns (a given *out is refilled).
 * Each thread has its own generator (xoshiro256**); it is seeded from a
 * process seed and a per-thread number unless boc_matrix_seed() was
 * called on that thread.  The process seed comes from the system's
 * entropy, and a child created by fork() picks a new one, so processes
 * never share a stream unless seeded explicitly.
 * Errors: BOC_EINVAL (bad dist, out NULL, rows * columns overflows, *out
 *   of the wrong shape), BOC_ENOMEM.
 * Thread safety: any thread.  Context: anywhere.  Since 0.1.0.
 */
BOC_API BOC_WARN_UNUSED int boc_matrix_random(int dist, size_t rows, size_t columns,
                                              double p0, double p1, boc_matrix_t **out);

/*
 * boc_matrix_seed - seed the calling thread's generator.
 *
 * After boc_matrix_seed(s) the calling thread draws the same numbers on
 * every run.  The seed also becomes the process seed for threads whose
 * generator starts afterwards (each mixes in its own thread number).
 * Returns BOC_OK.  Thread safety: any thread.  Since 0.1.0.
 */
BOC_API int boc_matrix_seed(uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* BOC_MATRIX_H */
