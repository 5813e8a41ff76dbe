/* Copyright (c) 2026 The libboc authors.
 * SPDX-License-Identifier: MIT */

/*
 * matrix_bench.c - nanoseconds per call of the Matrix kernels (boc/matrix.h)
 * on the shapes of bocpy's Matrix benchmark: matmul at 16, 128 and 256
 * squared and the rectangular cases, element-wise operations, reductions
 * and the rest at (1000, 100).
 *
 * Method (as bocpy's script): for each row, double the batch until one
 * batch takes at least 1 ms, warm up for 100 ms, then time --reps batches
 * and report min and median ns per call.  Results go to stdout, one row per
 * line: label, min_ns, median_ns, batch (tab-separated after the label
 * column, so `cut` and `awk` read them).  Destinations are preallocated,
 * so the rows measure the kernels, not malloc.
 *
 *   bench/matrix_bench [--reps N] [--filter SUBSTRING]
 *
 * The kernels run in their AVX2 copy where the CPU has AVX2;
 * BOC_MATRIX_KERNELS=baseline in the environment measures the baseline
 * x86-64 copy instead (the header line shows the setting).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <boc.h>

static int reps = 11;
static const char *filter = NULL;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, int st) {
  fprintf(stderr, "matrix_bench: %s: %s\n", what, boc_strerror(st));
  exit(1);
}

/* bocpy's _make_matrix: a 31-bit LCG mapped to [-1, 1). */
static boc_matrix_t *make(size_t rows, size_t cols, unsigned seed) {
  boc_matrix_t *m = NULL;
  int st = boc_matrix_create(rows, cols, NULL, &m);
  if (st != BOC_OK) die("create", st);
  double *d = NULL;
  boc_matrix_data(m, &d);
  unsigned long state = seed;
  for (size_t i = 0; i < rows * cols; i++) {
    state = (state * 1103515245ul + 12345ul) & 0x7FFFFFFFul;
    d[i] = (double)state / (double)0x7FFFFFFF * 2.0 - 1.0;
  }
  return m;
}

typedef void (*bench_fn)(void *ctx);

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void run(const char *label, bench_fn fn, void *ctx) {
  if (filter != NULL && strstr(label, filter) == NULL) return;
  long batch = 1;
  for (;;) {
    double t0 = now_ns();
    for (long i = 0; i < batch; i++) fn(ctx);
    if (now_ns() - t0 >= 1e6 || batch >= (1l << 24)) break;
    batch *= 2;
  }
  double warm_end = now_ns() + 1e8;
  while (now_ns() < warm_end)
    for (long i = 0; i < batch; i++) fn(ctx);
  double *t = malloc((size_t)reps * sizeof *t);
  if (t == NULL) die("malloc", BOC_ENOMEM);
  for (int r = 0; r < reps; r++) {
    double t0 = now_ns();
    for (long i = 0; i < batch; i++) fn(ctx);
    t[r] = (now_ns() - t0) / (double)batch;
  }
  qsort(t, (size_t)reps, sizeof *t, cmp_double);
  printf("%-44s\t%12.1f\t%12.1f\t%ld\n", label, t[0], t[reps / 2], batch);
  fflush(stdout);
  free(t);
}

/* ---- the rows ---------------------------------------------------------------- */

typedef struct {
  boc_matrix_t *a, *b, *out;
  int op, axis;
  double s, lo, hi;
} ctx_t;

static void check(int st, const char *what) {
  if (st != BOC_OK) die(what, st);
}

static void f_matmul(void *p) {
  ctx_t *c = p;
  check(boc_matrix_matmul(c->a, c->b, &c->out), "matmul");
}
static void f_binary(void *p) {
  ctx_t *c = p;
  check(boc_matrix_binary(c->op, c->a, c->b, c->s, &c->out), "binary");
}
static void f_unary(void *p) {
  ctx_t *c = p;
  check(boc_matrix_unary(c->op, c->a, &c->out), "unary");
}
static volatile double sink;
static void f_reduce(void *p) {
  ctx_t *c = p;
  double v = 0;
  check(boc_matrix_reduce(c->op, c->a, c->axis, &v, &c->out), "reduce");
  sink = v;
}
static void f_transpose(void *p) {
  ctx_t *c = p;
  check(boc_matrix_transpose(c->a, &c->out), "transpose");
}
static void f_clip(void *p) {
  ctx_t *c = p;
  check(boc_matrix_clip(c->a, c->lo, c->hi, &c->out), "clip");
}
static void f_copy(void *p) {
  ctx_t *c = p;
  check(boc_matrix_copy(c->a, &c->out), "copy");
}
static void f_allclose(void *p) {
  ctx_t *c = p;
  int r = 0;
  check(boc_matrix_allclose(c->a, c->b, 1e-5, 1e-8, 0, &r), "allclose");
  sink = r;
}
static void f_random(void *p) {
  ctx_t *c = p;
  check(boc_matrix_random(c->op, 1000, 100, 0, 1, &c->out), "random");
}
static void f_vector(void *p) {
  ctx_t *c = p;
  double v = 0;
  check(boc_matrix_vector(c->op, c->a, c->b, c->axis, &v, &c->out), "vector");
  sink = v;
}

static boc_matrix_t *dest(size_t rows, size_t cols) {
  boc_matrix_t *m = NULL;
  check(boc_matrix_create(rows, cols, NULL, &m), "create");
  return m;
}

static void matmul_row(const char *label, size_t m, size_t k, size_t n) {
  ctx_t c = {make(m, k, 1), make(k, n, 2), dest(m, n), 0, 0, 0, 0, 0};
  run(label, f_matmul, &c);
  boc_matrix_release(c.a);
  boc_matrix_release(c.b);
  boc_matrix_release(c.out);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = atoi(argv[++i]);
    else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) filter = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--reps N] [--filter SUBSTRING]\n", argv[0]);
      return 2;
    }
  }
  if (reps < 1) reps = 1;
  const char *isa = getenv("BOC_MATRIX_KERNELS");
  printf("# libboc %s matrix kernels (BOC_MATRIX_KERNELS=%s): label\tmin_ns\tmedian_ns\tbatch\n",
         boc_version(), isa != NULL ? isa : "");

  matmul_row("matmul 16x16 @ 16x16", 16, 16, 16);
  matmul_row("matmul 128x128 @ 128x128", 128, 128, 128);
  matmul_row("matmul 256x256 @ 256x256", 256, 256, 256);
  matmul_row("matmul 1000x4 @ 4x1000", 1000, 4, 1000);
  matmul_row("matmul 4x1000 @ 1000x4", 4, 1000, 4);
  matmul_row("matmul 500x64 @ 64x500", 500, 64, 500);

  boc_matrix_t *a = make(1000, 100, 104), *b = make(1000, 100, 105), *row = make(1, 100, 106),
               *col = make(1000, 1, 107), *out = dest(1000, 100);
  static const struct {
    const char *name;
    int op;
  } ops[] = {{"add", BOC_MATRIX_OP_ADD},
             {"sub", BOC_MATRIX_OP_SUB},
             {"mul", BOC_MATRIX_OP_MUL},
             {"div", BOC_MATRIX_OP_DIV}};
  char label[96];
  for (size_t i = 0; i < 4; i++) {
    ctx_t c = {a, NULL, out, ops[i].op, 0, 1.5, 0, 0};
    snprintf(label, sizeof label, "%s scalar (1000, 100)", ops[i].name);
    run(label, f_binary, &c);
    c.b = b;
    snprintf(label, sizeof label, "%s same-shape (1000, 100)", ops[i].name);
    run(label, f_binary, &c);
    c.b = row;
    snprintf(label, sizeof label, "%s row-broadcast (1000, 100) (1, 100)", ops[i].name);
    run(label, f_binary, &c);
    c.b = col;
    snprintf(label, sizeof label, "%s col-broadcast (1000, 100) (1000, 1)", ops[i].name);
    run(label, f_binary, &c);
  }
  {
    ctx_t c = {a, b, a, BOC_MATRIX_OP_ADD, 0, 0, 0, 0};
    run("iadd same-shape (1000, 100)", f_binary, &c);
  }
  static const struct {
    const char *name;
    int op;
  } uops[] = {{"ceil", BOC_MATRIX_UN_CEIL},
              {"floor", BOC_MATRIX_UN_FLOOR},
              {"round", BOC_MATRIX_UN_ROUND},
              {"abs", BOC_MATRIX_UN_ABS},
              {"negate", BOC_MATRIX_UN_NEG}};
  for (size_t i = 0; i < 5; i++) {
    ctx_t c = {a, NULL, out, uops[i].op, 0, 0, 0, 0};
    snprintf(label, sizeof label, "%s() (1000, 100)", uops[i].name);
    run(label, f_unary, &c);
  }
  boc_matrix_t *r0 = dest(1, 100), *r1 = dest(1000, 1);
  static const struct {
    const char *name;
    int op;
  } rops[] = {{"sum", BOC_MATRIX_RED_SUM},
              {"mean", BOC_MATRIX_RED_MEAN},
              {"min", BOC_MATRIX_RED_MIN},
              {"max", BOC_MATRIX_RED_MAX},
              {"magnitude", BOC_MATRIX_RED_MAGNITUDE}};
  for (size_t i = 0; i < 5; i++) {
    ctx_t c = {a, NULL, NULL, rops[i].op, BOC_MATRIX_AXIS_NONE, 0, 0, 0};
    snprintf(label, sizeof label, "%s() (1000, 100)", rops[i].name);
    run(label, f_reduce, &c);
    c.axis = BOC_MATRIX_AXIS0;
    c.out = r0;
    snprintf(label, sizeof label, "%s(0) (1000, 100)", rops[i].name);
    run(label, f_reduce, &c);
    c.axis = BOC_MATRIX_AXIS1;
    c.out = r1;
    snprintf(label, sizeof label, "%s(1) (1000, 100)", rops[i].name);
    run(label, f_reduce, &c);
  }
  {
    boc_matrix_t *t = dest(100, 1000);
    ctx_t c = {a, NULL, t, 0, 0, 0, 0, 0};
    run("transpose() (1000, 100)", f_transpose, &c);
    boc_matrix_release(t);
    ctx_t k = {a, NULL, out, 0, 0, 0, -0.5, 0.5};
    run("clip(-0.5, 0.5) (1000, 100)", f_clip, &k);
    run("copy() (1000, 100)", f_copy, &k);
    boc_matrix_t *a2 = NULL;
    check(boc_matrix_copy(a, &a2), "copy");
    ctx_t ac = {a, a2, NULL, 0, 0, 0, 0, 0};
    run("allclose(m, n) (1000, 100)", f_allclose, &ac);
    boc_matrix_release(a2);
    ctx_t u = {NULL, NULL, out, BOC_MATRIX_UNIFORM, 0, 0, 0, 0};
    run("uniform (1000, 100)", f_random, &u);
    u.op = BOC_MATRIX_NORMAL;
    run("normal (1000, 100)", f_random, &u);
  }
  {
    boc_matrix_t *v = make(1000, 3, 4), *w = make(1000, 3, 5), *o3 = dest(1000, 3),
                 *o1 = dest(1000, 1);
    ctx_t c = {v, w, NULL, BOC_MATRIX_VEC_DOT, BOC_MATRIX_AXIS_NONE, 0, 0, 0};
    run("vecdot (1000, 3) axis=None", f_vector, &c);
    c.op = BOC_MATRIX_VEC_CROSS;
    c.out = o3;
    run("cross (1000, 3) batch", f_vector, &c);
    c.op = BOC_MATRIX_VEC_NORMALIZE;
    c.b = NULL;
    c.axis = BOC_MATRIX_AXIS1;
    run("normalize(1) (1000, 3)", f_vector, &c);
    boc_matrix_t *p = make(10000, 2, 12), *po = dest(10000, 2), *ang = dest(10000, 1);
    ctx_t q = {p, NULL, po, BOC_MATRIX_VEC_PERPENDICULAR, BOC_MATRIX_AXIS_NONE, 0, 0, 0};
    run("perpendicular (10000, 2)", f_vector, &q);
    q.op = BOC_MATRIX_VEC_ANGLE;
    q.out = ang;
    run("angle (10000, 2)", f_vector, &q);
    boc_matrix_t *list[] = {v, w, o3, o1, p, po, ang};
    for (size_t i = 0; i < 7; i++) boc_matrix_release(list[i]);
  }
  boc_matrix_t *list[] = {a, b, row, col, out, r0, r1};
  for (size_t i = 0; i < 7; i++) boc_matrix_release(list[i]);
  return 0;
}
