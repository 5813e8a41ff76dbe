# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""bocpy._matrix.Matrix against the bocpy Matrix reference (fixed bugs included)."""

import math
import os
import pickle

import pytest

from bocpy._matrix import Matrix


def vals(m):
    return [m[i, j] for i in range(m.rows) for j in range(m.columns)]


def mk(r, c):
    return Matrix(r, c, list(range(1, r * c + 1)))


# construction ---------------------------------------------------------------

def test_construct_basic_and_keywords():
    assert vals(Matrix(2, 2)) == [0, 0, 0, 0]
    assert vals(Matrix(2, 2, values=[1, 2, 3, 4])) == [1, 2, 3, 4]
    assert vals(Matrix(rows=1, columns=2, values=3)) == [3, 3]
    assert vals(Matrix(1, 3, True)) == [1, 1, 1]
    assert vals(Matrix(1, 2, range(2))) == [0, 1]


@pytest.mark.parametrize("args,exc", [
    ((0, 2), AssertionError), ((2, -1), AssertionError), ((1.0, 2), TypeError),
    ((2, 2, [1, 2, 3]), TypeError), ((1, 2, "ab"), TypeError), ((1, 1, [[1]]), TypeError),
    ((1, 1, [1j]), TypeError), ((1, 1, 10 ** 400), OverflowError),
])
def test_construct_errors(args, exc):
    with pytest.raises(exc):
        Matrix(*args)


def test_no_subclass_no_pickle():
    with pytest.raises(TypeError):
        class M(Matrix):
            pass
    # Pickling copies (bocpy 0.9.0 could not pickle a Matrix at all).
    assert pickle.loads(pickle.dumps(Matrix(1, 1, 2.5))).shape == (1, 1)
    m = Matrix.__new__(Matrix)
    del m  # no crash


def test_factories():
    assert vals(Matrix.zeros((2, 3))) == [0] * 6
    assert vals(Matrix.ones((1, 2))) == [1, 1]
    with pytest.raises(AssertionError):
        Matrix.zeros((0, 1))
    with pytest.raises(TypeError):
        Matrix.zeros((1, 2, 3))
    with pytest.raises(TypeError):
        Matrix.zeros([1, 2])
    assert isinstance(Matrix.uniform(), float)
    u = Matrix.uniform(2, 3, size=(10, 10))
    assert all(2 <= v <= 3 for v in vals(u))
    assert vals(Matrix.normal(5, 0, (2, 2))) == [5] * 4
    v = Matrix.vector((x for x in [1, 2, 3]))
    assert v.shape == (1, 3)
    assert Matrix.vector([1, 2], True).shape == (2, 1)
    with pytest.raises(TypeError):
        Matrix.vector(["a"])


def test_properties():
    m = mk(2, 3)
    assert (m.rows, m.columns, m.size, m.shape, len(m)) == (2, 3, 6, (2, 3), 2)
    assert m.T.shape == (3, 2) and m.T is not m.T
    assert vals(m.T) == [1, 4, 2, 5, 3, 6]
    assert (m.x, m.y, m.z, m.w) == (1, 2, 3, 4)
    m.z = 9
    assert m[0, 2] == 9
    with pytest.raises(IndexError):
        Matrix(1, 1).y
    assert Matrix(1, 2, [3, 4]).length == 5.0
    with pytest.raises(AttributeError):
        m.rows = 3


# indexing -------------------------------------------------------------------

def test_getitem_shapes():
    m = mk(2, 3)
    assert m[0].shape == (1, 3) and vals(m[0]) == [1, 2, 3]
    assert m[0, 2] == 3.0 and isinstance(m[0, 2], float)
    assert m[:, 0].shape == (2, 1) and vals(m[:, 0]) == [1, 4]
    assert m[0, 1:2] == 2.0
    c = mk(3, 1)
    assert c[2] == 3.0
    r = mk(1, 4)
    assert vals(r[0]) == [1, 2, 3, 4]
    with pytest.raises(IndexError):
        r[1]
    one = Matrix(1, 1, 7)
    assert one[0] == one[:] == one[:, :] == 7.0


def test_getitem_is_copy():
    m = mk(2, 2)
    row = m[0]
    row[0, 0] = 100
    assert m[0, 0] == 1


def test_stepped_slices_fixed():
    m = mk(5, 3)
    assert vals(m[::2]) == vals(m[0]) + vals(m[2]) + vals(m[4])
    assert m[::3].shape == (2, 3)
    assert vals(m[0, ::2]) == [1, 3]
    assert m[:, ::2].shape == (5, 2)
    assert vals(m[::-1][0]) == [13, 14, 15]


def test_negative_indices_fixed():
    m = mk(2, 3)
    assert vals(m[-1]) == [4, 5, 6]
    assert m[-1, -1] == 6 and m[-2, -3] == 1
    for k in [-3, -4, -5]:
        with pytest.raises(IndexError):
            m[k]
        with pytest.raises(IndexError):
            m[k] = 1
    with pytest.raises(IndexError):
        m[0, -4]


def test_key_errors():
    m = mk(2, 2)
    with pytest.raises(KeyError):
        m[(0,)]
    with pytest.raises(KeyError):
        m[0, 0, 0]
    for k in [1.0, "a", [0], None, Ellipsis]:
        with pytest.raises(TypeError):
            m[k]
    with pytest.raises(IndexError):
        m[5:]
    with pytest.raises(IndexError):
        m[1:1]
    with pytest.raises(TypeError):
        del m[0]


def test_setitem():
    m = Matrix(4, 3)
    m[1] = [1, 2, 3]
    m[2] = (4, 5, 6)
    assert vals(m[1]) == [1, 2, 3] and vals(m[2]) == [4, 5, 6]
    m[1:3, :] = 42.0
    assert vals(m[1:3]) == [42] * 6
    m[:, :] = Matrix(1, 3, [7, 8, 9])
    assert vals(m) == [7, 8, 9] * 4
    m[:, 1:3] = Matrix(4, 1, [1, 2, 3, 4])
    assert vals(m[:, 2]) == [1, 2, 3, 4]
    m[0, 0] = 99
    assert m[0, 0] == 99
    m[:] = m
    assert m[0, 0] == 99
    for bad in [[7, 8], [1, 2, 3, 4], Matrix(3, 3), Matrix(1, 1)]:
        with pytest.raises(ValueError):
            m[0:2] = bad
    with pytest.raises(TypeError):
        m[0] = "abc"


def test_iter_contains():
    m = mk(2, 2)
    rows = list(m)
    assert all(isinstance(r, Matrix) for r in rows)
    assert list(mk(3, 1)) == [1.0, 2.0, 3.0]
    assert 2.0 in mk(3, 1) and 5 not in mk(3, 1)
    assert list(reversed(mk(3, 1))) == [3.0, 2.0, 1.0]


def test_eq_hash_identity():
    m = mk(2, 2)
    assert m == m and m != m.copy()
    assert {m: 1}[m] == 1
    with pytest.raises(TypeError):
        m < m


def test_copy_independent():
    m = mk(2, 2)
    c = m.copy()
    c[0, 0] = 10
    assert m[0, 0] == 1


def test_repr_str():
    assert repr(mk(2, 3)) == "Matrix(2, 3, [1, 2, 3, 4, 5, 6])"
    assert repr(Matrix(1, 2, [0.1234567891, 123456789.0])) == \
        "Matrix(1, 2, [0.123457, 1.23457e+08])"
    assert repr(Matrix(1, 3, [math.nan, math.inf, -0.0])) == "Matrix(1, 3, [nan, inf, -0])"
    assert str(mk(2, 3)) == "[[1 2 3]\n [4 5 6]]"
    assert str(Matrix(2, 2, [-1.5, 2, 3, 1e-07])) == "[[ -1.5     2]\n [    3 1e-07]]"
    assert str(Matrix(3, 1, [1, 22, 333])) == "[[  1]\n [ 22]\n [333]]"
    assert str(Matrix(1, 1, 3.25)) == "[[3.25]]"
    assert format(mk(1, 1)) == str(mk(1, 1))
    with pytest.raises(TypeError):
        format(mk(1, 1), "g")


# arithmetic -----------------------------------------------------------------

def test_scalar_ops_both_orders():
    m = Matrix(1, 2, [1, 2])
    assert vals(m + 3) == [4, 5] and vals(3 + m) == [4, 5]
    assert vals(m - 1) == [0, 1] and vals(10 - m) == [9, 8]
    assert vals(m * 2.5) == [2.5, 5] and vals(2 * m) == [2, 4]
    assert vals(m / 2) == [0.5, 1] and vals(2 / m) == [2, 1]
    z = Matrix(1, 2, [1, 0]) / 0
    assert z[0, 0] == math.inf and math.isnan(z[0, 1])


def test_broadcast_both_directions():
    a = mk(3, 2)
    row = Matrix(1, 2, [10, 20])
    col = Matrix(3, 1, [1, 2, 3])
    assert vals(a + row) == vals(row + a) == [11, 22, 13, 24, 15, 26]
    assert vals(a * col) == vals(col * a) == [1, 2, 6, 8, 15, 18]
    assert vals(row - a) == [9, 18, 7, 16, 5, 14]
    assert vals(a + [10, 20]) == vals([10, 20] + a)
    assert vals(Matrix(3, 1) + [10]) == [10, 10, 10]
    assert vals([1, 2, 3] + Matrix(1, 3)) == [1, 2, 3]
    assert vals(Matrix(1, 3, 1) + Matrix(1, 1, 2)) == [3, 3, 3]
    for x, y in [(Matrix(3, 4), Matrix(2, 5)), (Matrix(1, 3), Matrix(3, 1)),
                 (Matrix(2, 3), Matrix(1, 1)), (Matrix(3, 1), [10, 20, 30])]:
        with pytest.raises(NotImplementedError, match="Dimension mismatch"):
            x + y
    for bad in ["ab", None, 1j, [[1, 2]]]:
        with pytest.raises(TypeError):
            Matrix(1, 2) + bad


def test_inplace():
    a = mk(2, 2)
    old = a
    a += 1
    assert a is old and vals(a) == [2, 3, 4, 5]
    a *= Matrix(1, 2, [2, 3])
    assert a is old and vals(a) == [4, 9, 8, 15]
    a -= a
    a /= 2
    assert vals(a) == [0] * 4
    v = Matrix(1, 2, [1, 1])
    B = mk(3, 2)
    v += B
    assert v.shape == (3, 2) and vals(B) == [1, 2, 3, 4, 5, 6]


def test_matmul():
    a, b = mk(2, 3), mk(3, 2)
    assert vals(a @ b) == [22, 28, 49, 64]
    assert (Matrix(1, 3, 1) @ Matrix(3, 1, 1)).shape == (1, 1)
    assert vals([1, 1] @ mk(2, 2)) == [4, 6]
    with pytest.raises(NotImplementedError, match=r"^2x3 @ 2x3  3 != 2$"):
        a @ a
    with pytest.raises(TypeError):
        a @ 2
    assert vals(-mk(1, 2)) == [-1, -2] and vals(abs(-mk(1, 2))) == [1, 2]


# aggregates, unary ----------------------------------------------------------

def test_aggregates_axis():
    m = mk(2, 3)
    assert m.sum() == 21.0 and m.mean() == 3.5
    assert vals(m.sum(0)) == [5, 7, 9] and m.sum(-2).shape == (1, 3)
    assert vals(m.sum(1)) == [6, 15] and m.sum(axis=-1).shape == (2, 1)
    assert m.min() == 1 and m.max() == 6
    assert Matrix(1, 2, [3, 4]).magnitude() == 5 and Matrix(1, 2, [3, 4]).magnitude_squared() == 25
    assert Matrix(1, 1, 2).sum(0).shape == (1, 1)
    with pytest.raises(TypeError, match="not bool"):
        m.sum(True)
    with pytest.raises(TypeError):
        m.sum(1.0)
    with pytest.raises(NotImplementedError):
        m.sum(2)
    with pytest.raises(OverflowError):
        m.sum(2 ** 40)


def test_min_max_inf_nan_fixed():
    assert Matrix(1, 2, [-math.inf, -math.inf]).max() == -math.inf
    assert Matrix(1, 2, [math.inf, math.inf]).min() == math.inf
    assert math.isnan(Matrix(1, 3, [1, math.nan, 3]).max())
    assert math.isnan(Matrix(1, 3, [1, 3, math.nan]).min())


def test_unary_in_place():
    m = Matrix(1, 7, [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5])
    r = m.round()
    assert r is not m and vals(r) == [-2, -2, 0, 0, 2, 2, 4]
    assert m.round(in_place=True) is m and vals(m) == vals(r)
    assert vals(Matrix(1, 2, [1.5, -1.5]).ceil()) == [2, -1]
    assert vals(Matrix(1, 2, [1.5, -1.5]).floor()) == [1, -2]
    t = mk(2, 3)
    assert t.transpose(True) is t and t.shape == (3, 2) and vals(t) == [1, 4, 2, 5, 3, 6]


def test_clip_select_concat():
    m = Matrix(1, 4, [-2, 1, 5, math.nan])
    assert vals(m.clip(3))[:3] == [0, 1, 3] and math.isnan(m.clip(3)[0, 3])
    assert vals(m.clip(-1, 2))[:3] == [-1, 1, 2]
    with pytest.raises(AssertionError):
        m.clip(-1)
    with pytest.raises(TypeError):
        m.clip("a")
    s = mk(3, 2)
    assert vals(s.select([2, 0, 2])) == [5, 6, 1, 2, 5, 6]
    assert vals(s.select([1], 1)) == [2, 4, 6]
    assert vals(s.select(range(2))) == [1, 2, 3, 4]
    assert s.select([]) is None
    with pytest.raises(IndexError):
        s.select([3])
    with pytest.raises(IndexError):
        s.select([2], 1)
    with pytest.raises(OverflowError):
        s.select([-1])
    with pytest.raises(KeyError):
        s.select([0], 2)
    assert vals(Matrix.concat([[1, 2, 3], [4, 5, 6]])) == [1, 2, 3, 4, 5, 6]
    assert Matrix.concat([[1, 2], [3, 4]], 1).shape == (2, 2)
    assert Matrix.concat([]) is None
    with pytest.raises(AssertionError):
        Matrix.concat([[1, 2], [1]])
    with pytest.raises(TypeError):
        Matrix.concat([1])


def test_allclose_fixed():
    a = Matrix(1, 2, [1, 2])
    assert Matrix.allclose(a, a.copy())
    assert not Matrix.allclose(a, Matrix(2, 1, [1, 2]))
    n = Matrix(1, 1, math.nan)
    assert not Matrix.allclose(n, n.copy())
    assert Matrix.allclose(n, n.copy(), equal_nan=True)
    assert not Matrix.allclose(Matrix(1, 1, 1.0), n)
    with pytest.raises(TypeError):
        Matrix.allclose(a, [1, 2])


def test_vector_methods():
    assert Matrix(1, 3, [1, 2, 3]).vecdot([4, 5, 6]) == 32
    m = mk(2, 3)
    assert m.vecdot(Matrix(1, 3, [1, 2, 3])) == 46
    assert vals(m.vecdot([1, 2, 3], 0)) == [5, 14, 27]
    assert vals(m.vecdot([1, 2, 3], 1)) == [14, 32]
    with pytest.raises(NotImplementedError):
        m.vecdot(Matrix(2, 2))
    assert Matrix(1, 2, [1, 0]).cross([0, 1]) == 1.0
    assert vals(Matrix(1, 3, [1, 0, 0]).cross([0, 1, 0])) == [0, 0, 1]
    with pytest.raises(NotImplementedError):
        Matrix(4, 4).cross(Matrix(4, 4))
    n = Matrix(1, 2, [3, 4])
    assert vals(n.normalize()) == [0.6, 0.8]
    assert n.normalize(in_place=True) is n and vals(n) == [0.6, 0.8]
    assert vals(Matrix(2, 2, [3, 4, 6, 8]).normalize(1)) == [0.6, 0.8, 0.6, 0.8]
    assert vals(Matrix(1, 2).normalize()) == [0, 0]
    assert vals(Matrix(1, 2, [1, 2]).perpendicular()) == [-2, 1]
    with pytest.raises(NotImplementedError):
        Matrix(3, 3).perpendicular()
    assert Matrix(2, 1, [1, 1]).angle() == pytest.approx(math.pi / 4)
    with pytest.raises(NotImplementedError):
        Matrix(1, 2).angle(0)


# NumPy comparison -----------------------------------------------------------
# Every operation is checked against NumPy on seeded random data.  NumPy is
# only a test dependency (python/requirements-test.txt, CPython only): without
# it these tests skip.  The seed is printed (pytest -s, or on failure) and can
# be fixed with BOCPY_TEST_SEED.

import random  # noqa: E402

SEED = int(os.environ.get("BOCPY_TEST_SEED", "20260529"))
SHAPES = [(1, 1), (1, 5), (5, 1), (1, 9), (9, 1), (3, 3), (4, 7), (7, 4), (5, 13),
          (17, 3), (9, 9), (1, 33), (33, 1), (16, 32)]
SHAPE_IDS = ["%dx%d" % s for s in SHAPES]
AXES = [None, 0, 1, -1, -2]
NUMPY_SKIP = "NumPy is not installed (python/requirements-test.txt; not on PyPy)"


@pytest.fixture(scope="module")
def np():
    return pytest.importorskip("numpy", reason=NUMPY_SKIP)


@pytest.fixture
def rng(request):
    seed = SEED + sum(map(ord, request.node.name))
    print("seed", seed, "(BOCPY_TEST_SEED=%d)" % SEED)
    return random.Random(seed)


def rand_matrix(rng, r, c, lo=-10.0, hi=10.0):
    return Matrix(r, c, [rng.uniform(lo, hi) for _ in range(r * c)])


def arr(np, m):
    return np.array(vals(m), dtype=float).reshape(m.shape)


def same(np, m, expected, rtol=1e-12, atol=1e-12):
    if isinstance(expected, Matrix):
        expected = arr(np, expected)
    expected = np.asarray(expected, dtype=float)
    if expected.ndim == 0:
        assert isinstance(m, float), m
        np.testing.assert_allclose(m, expected, rtol=rtol, atol=atol)
        return
    assert isinstance(m, Matrix), m
    assert m.shape == expected.shape
    np.testing.assert_allclose(arr(np, m), expected, rtol=rtol, atol=atol,
                               equal_nan=True)


def np_axis(axis):
    return None if axis is None else axis % 2


OPS = [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b),
       ("mul", lambda a, b: a * b), ("div", lambda a, b: a / b)]
OP_IDS = [o[0] for o in OPS]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("name,op", OPS, ids=OP_IDS)
def test_np_binary(np, rng, shape, name, op):
    r, c = shape
    a, b = rand_matrix(rng, r, c), rand_matrix(rng, r, c, 0.5, 9.0)
    row, col = rand_matrix(rng, 1, c, 0.5, 9.0), rand_matrix(rng, r, 1, 0.5, 9.0)
    A, B, ROW, COL = (arr(np, x) for x in (a, b, row, col))
    s = rng.uniform(0.5, 5.0)
    same(np, op(a, b), op(A, B))
    for bm, BN in ((row, ROW), (col, COL)):
        same(np, op(a, bm), op(A, BN))
        same(np, op(bm, a), op(BN, A))
    same(np, op(a, s), op(A, s))
    same(np, op(s, a), op(s, A))
    same(np, op(a, 3), op(A, 3))
    same(np, op(a, list(vals(row))), op(A, ROW))
    same(np, op(list(vals(row)), a), op(ROW, A))
    same(np, op(a, tuple(vals(row))), op(A, ROW))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("name,op", OPS, ids=OP_IDS)
def test_np_inplace(np, rng, shape, name, op):
    iop = {"add": "__iadd__", "sub": "__isub__", "mul": "__imul__", "div": "__itruediv__"}[name]
    r, c = shape
    for other in (rand_matrix(rng, r, c, 0.5, 9.0), rand_matrix(rng, 1, c, 0.5, 9.0),
                  rand_matrix(rng, r, 1, 0.5, 9.0), rng.uniform(0.5, 5.0), 2):
        a = rand_matrix(rng, r, c)
        expected = op(arr(np, a), other if not isinstance(other, Matrix) else arr(np, other))
        before = None if not isinstance(other, Matrix) else vals(other)
        res = getattr(a, iop)(other)
        assert res is a
        same(np, a, expected)
        if before is not None and other is not a:
            assert vals(other) == before


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_inplace_vector_on_left(np, rng, shape):
    r, c = shape
    if r == 1:
        pytest.skip("needs more than one row")
    v, big = rand_matrix(rng, 1, c), rand_matrix(rng, r, c)
    V, BIG = arr(np, v), arr(np, big)
    v += big
    same(np, v, V + BIG)
    same(np, big, BIG)  # the fixed behaviour: the other operand is untouched


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("method", ["sum", "mean", "min", "max", "magnitude",
                                    "magnitude_squared"])
def test_np_aggregates(np, rng, shape, axis, method):
    m = rand_matrix(rng, *shape)
    A = arr(np, m)
    ax = np_axis(axis)
    kw = {} if ax is None else {"axis": ax, "keepdims": True}
    expected = {
        "sum": lambda: np.sum(A, **kw),
        "mean": lambda: np.mean(A, **kw),
        "min": lambda: np.min(A, **kw),
        "max": lambda: np.max(A, **kw),
        "magnitude": lambda: np.sqrt(np.sum(A * A, **kw)),
        "magnitude_squared": lambda: np.sum(A * A, **kw),
    }[method]()
    got = getattr(m, method)(axis) if axis is not None else getattr(m, method)()
    same(np, got, expected, rtol=1e-11)
    if axis is not None:
        same(np, getattr(m, method)(axis=axis), expected, rtol=1e-11)
    if method == "magnitude" and axis is None:
        same(np, m.length, expected)


SPECIALS = [math.inf, -math.inf, math.nan, 0.0, -0.0, 1.0, -1.0, 5.0]


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (5, 1), (3, 3), (4, 7), (7, 4),
                                   (9, 9)], ids=str)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("method", ["min", "max"])
def test_np_min_max_inf_nan(np, rng, shape, axis, method):
    # the fixed behaviour is NumPy's min/max: inf is a value, NaN propagates
    for _ in range(20):
        r, c = shape
        m = Matrix(r, c, [rng.choice(SPECIALS) for _ in range(r * c)])
        A = arr(np, m)
        ax = np_axis(axis)
        f = getattr(np, method)
        expected = f(A) if ax is None else f(A, axis=ax, keepdims=True)
        got = getattr(m, method)(axis)
        same(np, got, expected, rtol=0, atol=0)
    for fill in (math.inf, -math.inf):
        m = Matrix(r, c, fill)
        got = getattr(m, method)(axis)
        assert (got if axis is None else vals(got)[0]) == fill


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("method", ["ceil", "floor", "round", "negate", "abs"])
def test_np_unary(np, rng, shape, method):
    r, c = shape
    m = Matrix(r, c, [rng.choice([rng.uniform(-9, 9), rng.randint(-6, 6) + 0.5, -0.0])
                      for _ in range(r * c)])
    A = arr(np, m)
    expected = {"ceil": np.ceil, "floor": np.floor, "round": np.rint,
                "negate": np.negative, "abs": np.abs}[method](A)
    res = getattr(m, method)()
    same(np, res, expected, rtol=0, atol=0)
    same(np, m, A)
    assert np.array_equal(np.signbit(arr(np, res)), np.signbit(expected))
    assert getattr(m, method)(in_place=True) is m
    same(np, m, expected, rtol=0, atol=0)
    if method == "negate":
        same(np, -Matrix(r, c, list(A.ravel())), -A)
    if method == "abs":
        same(np, abs(Matrix(r, c, list(A.ravel()))), np.abs(A))


@pytest.mark.parametrize("n,k,p", [(1, 1, 1), (2, 3, 4), (3, 3, 3), (5, 2, 7), (8, 16, 4),
                                   (1, 9, 1), (9, 1, 9), (7, 13, 5), (17, 5, 3),
                                   (33, 9, 31), (1, 33, 17)])
def test_np_matmul(np, rng, n, k, p):
    a, b = rand_matrix(rng, n, k), rand_matrix(rng, k, p)
    same(np, a @ b, arr(np, a) @ arr(np, b), rtol=1e-11, atol=1e-10)
    if n == 1:
        same(np, vals(a) @ b, arr(np, a) @ arr(np, b), rtol=1e-11, atol=1e-10)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_transpose(np, rng, shape):
    m = rand_matrix(rng, *shape)
    A = arr(np, m)
    same(np, m.T, A.T, rtol=0, atol=0)
    same(np, m.transpose(), A.T, rtol=0, atol=0)
    same(np, m.T.T, A, rtol=0, atol=0)
    assert m.transpose(in_place=True) is m
    same(np, m, A.T, rtol=0, atol=0)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_clip(np, rng, shape):
    r, c = shape
    m = Matrix(r, c, [rng.choice([rng.uniform(-9, 9), math.nan, math.inf, -math.inf])
                      for _ in range(r * c)])
    A = arr(np, m)
    same(np, m.clip(3.5), np.clip(A, 0, 3.5), rtol=0, atol=0)
    same(np, m.clip(-2, 4), np.clip(A, -2, 4), rtol=0, atol=0)
    same(np, m.clip(1, 1), np.clip(A, 1, 1), rtol=0, atol=0)
    same(np, m.clip(math.nan, 3), np.minimum(A, 3), rtol=0, atol=0)
    same(np, m.clip(0, math.nan), np.maximum(A, 0), rtol=0, atol=0)
    same(np, m, A)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_allclose(np, rng, shape):
    r, c = shape
    for _ in range(10):
        a = Matrix(r, c, [rng.choice(SPECIALS + [rng.uniform(-2, 2)]) for _ in range(r * c)])
        A = arr(np, a)
        B = A.copy()
        for i in range(B.size):
            if rng.random() < 0.3:
                B.flat[i] = rng.choice([B.flat[i] * (1 + 1e-6), B.flat[i] + 1e-3,
                                        math.nan, math.inf, -math.inf, 0.0])
        b = Matrix(r, c, list(B.ravel()))
        for rtol, atol in ((1e-5, 1e-8), (1e-3, 0.0), (0.0, 1e-2), (0.5, 0.5)):
            for en in (False, True):
                assert Matrix.allclose(a, b, rtol, atol, en) == \
                    bool(np.allclose(A, B, rtol=rtol, atol=atol, equal_nan=en)), (A, B)
                assert Matrix.allclose(b, a, rtol=rtol, atol=atol, equal_nan=en) == \
                    bool(np.allclose(B, A, rtol=rtol, atol=atol, equal_nan=en))
    assert Matrix.allclose(a, a.copy(), equal_nan=True)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_indexing(np, rng, shape):
    r, c = shape
    m = rand_matrix(rng, r, c)
    A = arr(np, m)
    keys = [slice(None), slice(None, None, -1), slice(1, None, 2), slice(None, None, 3),
            slice(-1, None, -2), slice(0, 2 ** 70), slice(-3, None)]
    for _ in range(40):
        i = rng.randrange(-r, r)
        j = rng.randrange(-c, c)
        ks = rng.choice(keys + [i])
        kc = rng.choice(keys + [j])
        E = A[ks if isinstance(ks, slice) else slice(ks, ks + 1 or None),
              kc if isinstance(kc, slice) else slice(kc, kc + 1 or None)]
        if E.size == 0:
            with pytest.raises(IndexError):
                m[ks, kc]
            continue
        got = m[ks, kc]
        if E.shape == (1, 1):
            assert got == E[0, 0]
        else:
            same(np, got, E, rtol=0, atol=0)
        E1 = A[ks if isinstance(ks, slice) else slice(ks, ks + 1 or None)]
        if E1.size:
            got1 = m[ks]
            if E1.shape == (1, 1):
                assert got1 == E1[0, 0]
            else:
                same(np, got1, E1, rtol=0, atol=0)
    for k in (r, -r - 1, -2 * r, -2 * r - 1):
        with pytest.raises(IndexError):
            m[k]
        with pytest.raises(IndexError):
            m[0, c if k == r else k * c // r]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_setitem(np, rng, shape):
    r, c = shape
    m = rand_matrix(rng, r, c)
    A = arr(np, m)
    keys = [slice(None), slice(None, None, -1), slice(1, None, 2), slice(None, None, 3),
            slice(-2, None)]
    for _ in range(40):
        ks = rng.choice(keys + [rng.randrange(-r, r)])
        kc = rng.choice(keys + [rng.randrange(-c, c)])
        sr = ks if isinstance(ks, slice) else slice(ks, ks + 1 or None)
        sc = kc if isinstance(kc, slice) else slice(kc, kc + 1 or None)
        sel = A[sr, sc]
        if sel.size == 0:
            continue
        nr, nc = sel.shape
        kind = rng.choice(["scalar", "int", "block", "row", "col", "list"])
        if kind == "scalar":
            v = rng.uniform(-5, 5)
            m[ks, kc] = v
            A[sr, sc] = v
        elif kind == "int":
            m[ks, kc] = 7
            A[sr, sc] = 7
        elif kind == "block" or (kind == "row" and nr == 1) or (kind == "col" and nc == 1):
            if nr > 1 and nc > 1 or (nr == 1) == (nc == 1):
                src = rand_matrix(rng, nr, nc)
            elif nr == 1:
                src = rand_matrix(rng, 1, nc)
            else:
                # an Nx1 selection is filled column-wise from an Nx1 source
                src = rand_matrix(rng, nr, 1)
            m[ks, kc] = src
            A[sr, sc] = arr(np, src)
        elif kind == "row":
            src = rand_matrix(rng, 1, nc)
            m[ks, kc] = src
            A[sr, sc] = arr(np, src)
        elif kind == "col":
            src = rand_matrix(rng, nr, 1)
            m[ks, kc] = src
            A[sr, sc] = arr(np, src)
        else:
            src = [rng.uniform(-5, 5) for _ in range(nc)]
            if nr == 1 or nc > 0:
                m[ks, kc] = src
                A[sr, sc] = np.array(src)[None, :]
        same(np, m, A, rtol=0, atol=0)
    m[:] = m
    same(np, m, A, rtol=0, atol=0)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_select_concat(np, rng, shape):
    r, c = shape
    m = rand_matrix(rng, r, c)
    A = arr(np, m)
    rows = [rng.randrange(r) for _ in range(rng.randint(1, 6))]
    cols = [rng.randrange(c) for _ in range(rng.randint(1, 6))]
    same(np, m.select(rows), A[rows, :], rtol=0, atol=0)
    same(np, m.select(tuple(cols), 1), A[:, cols], rtol=0, atol=0)
    same(np, m.select(cols, -1), A[:, cols], rtol=0, atol=0)
    other = rand_matrix(rng, rng.randint(1, 4), c)
    same(np, Matrix.concat([m, other, m]), np.concatenate([A, arr(np, other), A], 0))
    other = rand_matrix(rng, r, rng.randint(1, 4))
    same(np, Matrix.concat((m, other), 1), np.concatenate([A, arr(np, other)], 1))
    same(np, Matrix.concat([m], -1), A)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("axis", AXES)
def test_np_vecdot(np, rng, shape, axis):
    r, c = shape
    a = rand_matrix(rng, r, c)
    A = arr(np, a)
    ax = np_axis(axis)
    for b in (rand_matrix(rng, r, c), rand_matrix(rng, 1, c), rand_matrix(rng, r, 1)):
        P = A * arr(np, b)
        expected = P.sum() if ax is None else P.sum(axis=ax, keepdims=True)
        same(np, a.vecdot(b, axis), expected, rtol=1e-11, atol=1e-11)
        if b.shape != a.shape:  # commutative in the broadcast cases
            same(np, b.vecdot(a, axis), expected, rtol=1e-11, atol=1e-11)


def _np_cross2(np, a, b):
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


@pytest.mark.parametrize("n", [4, 5, 9, 17])
def test_np_cross_batches(np, rng, n):
    for k in (2, 3):
        rows, rowsb = rand_matrix(rng, n, k), rand_matrix(rng, n, k)
        R, RB = arr(np, rows), arr(np, rowsb)
        v = rand_matrix(rng, 1, k)
        V = arr(np, v)[0]
        if k == 3:
            rows_exp, bc_exp = np.cross(R, RB), np.cross(R, V)
        else:
            rows_exp, bc_exp = _np_cross2(np, R, RB)[:, None], _np_cross2(np, R, V)[:, None]
        for ax in (None, 1, -1):
            same(np, rows.cross(rowsb, ax), rows_exp)
            same(np, rows.cross(v, ax), bc_exp)
            same(np, rows.cross(v.T, ax), bc_exp)
            same(np, rows.cross(vals(v), ax), bc_exp)
        cols, colsb = rows.T, rowsb.T
        for ax in (None, 0, -2):
            same(np, cols.cross(colsb, ax), rows_exp.T)
            same(np, cols.cross(v, ax), bc_exp.T)
            same(np, cols.cross(v.T, ax), bc_exp.T)
        for bad_ax in (0, -2):
            with pytest.raises(NotImplementedError):
                rows.cross(rowsb, bad_ax)
        with pytest.raises(NotImplementedError):
            cols.cross(colsb, 1)
        with pytest.raises(NotImplementedError):
            rows.cross(Matrix(k, k))  # a square other of another shape
        with pytest.raises(NotImplementedError):
            rows.cross(Matrix(1, 5 - k))
        with pytest.raises(NotImplementedError):
            v.cross(rows)  # only self may be the batch


def test_np_cross_square_and_ambiguous(np, rng):
    for k in (2, 3):
        a, b = rand_matrix(rng, k, k), rand_matrix(rng, k, k)
        A, B = arr(np, a), arr(np, b)
        rows = np.cross(A, B) if k == 3 else _np_cross2(np, A, B)[:, None]
        cols = np.cross(A.T, B.T).T if k == 3 else _np_cross2(np, A.T, B.T)[None, :]
        same(np, a.cross(b), rows)
        same(np, a.cross(b, 1), rows)
        same(np, a.cross(b, 0), cols)
    a, b = rand_matrix(rng, 3, 2), rand_matrix(rng, 3, 2)
    for ax in (None, 0, 1):  # 3x2 is always a batch of 2-D rows
        same(np, a.cross(b, ax), _np_cross2(np, arr(np, a), arr(np, b))[:, None])
        same(np, a.T.cross(b.T, ax), _np_cross2(np, arr(np, a), arr(np, b))[None, :])
        same(np, a.T.cross([1, 2], ax), _np_cross2(np, arr(np, a), np.array([1., 2.]))[None, :])
    with pytest.raises(NotImplementedError):
        Matrix(2, 3).cross([1, 1, 1])
    for bad in [(1, 1), (1, 4), (4, 4), (4, 5)]:
        with pytest.raises(NotImplementedError, match="cross requires"):
            Matrix(*bad).cross(Matrix(*bad))


def test_np_cross_single_vectors(np, rng):
    for _ in range(10):
        a3, b3 = [rng.uniform(-5, 5) for _ in range(3)], [rng.uniform(-5, 5) for _ in range(3)]
        e = np.cross(a3, b3)
        same(np, Matrix.vector(a3).cross(b3), e[None, :])
        same(np, Matrix.vector(a3, True).cross(b3), e[:, None])
        same(np, Matrix.vector(a3).cross(Matrix.vector(b3, True)), e[None, :])
        a2, b2 = a3[:2], b3[:2]
        e2 = a2[0] * b2[1] - a2[1] * b2[0]
        same(np, Matrix.vector(a2).cross(b2), e2)
        same(np, Matrix.vector(a2, True).cross(Matrix.vector(b2, True)), e2)
        r = Matrix.vector(a3).cross(b3)
        assert abs(r.vecdot(a3)) < 1e-9 and abs(r.vecdot(b3)) < 1e-9
        same(np, Matrix.vector(b3).cross(a3), -e[None, :])
    with pytest.raises(NotImplementedError):
        Matrix(1, 3).cross([1, 2])
    with pytest.raises(NotImplementedError):
        Matrix(1, 2).cross([1, 2, 3])
    with pytest.raises(NotImplementedError):
        Matrix(1, 3).cross([1, 2, 3], 0)
    with pytest.raises(NotImplementedError):
        Matrix(3, 1).cross([1, 2, 3], 1)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("axis", AXES)
def test_np_normalize(np, rng, shape, axis):
    m = rand_matrix(rng, *shape)
    A = arr(np, m)
    ax = np_axis(axis)
    norm = np.linalg.norm(A) if ax is None else np.linalg.norm(A, axis=ax, keepdims=True)
    same(np, m.normalize(axis), A / norm, rtol=1e-12)
    same(np, m, A)
    assert m.normalize(axis, True) is m
    same(np, m, A / norm, rtol=1e-12)


@pytest.mark.parametrize("axis", AXES)
def test_np_normalize_special(np, axis):
    ax = np_axis(axis)

    def expected(A):
        with np.errstate(all="ignore"):
            n = np.sqrt(np.sum(A * A) if ax is None else np.sum(A * A, axis=ax, keepdims=True))
            out = A / n
            out = np.where(n == 0, 0.0, out)          # zero norm stays zero
            out = np.where(np.isinf(n) & np.isfinite(A), 0.0, out)
            return np.where(np.isinf(n) & np.isinf(A), np.nan, out)

    cases = [[[0, 0, 0], [0, 0, 0]], [[1, math.inf, 2], [3, 4, 0]],
             [[1, math.nan, 2], [3, 4, 5]], [[1e200, 1e200, 1], [1, 2, 2]],
             [[0, 0, 0], [3, 4, 0]], [[-math.inf, 0, 1], [0, 0, 0]]]
    for case in cases:
        A = np.array(case, dtype=float)
        m = Matrix(2, 3, list(A.ravel()))
        same(np, m.normalize(axis), expected(A), rtol=1e-12, atol=0)
    z = Matrix(2, 3).normalize(axis)
    assert vals(z) == [0.0] * 6


@pytest.mark.parametrize("shape", [(1, 2), (2, 1), (2, 2), (3, 2), (2, 3), (9, 2), (2, 9)],
                         ids=str)
def test_np_perpendicular_angle(np, rng, shape):
    m = rand_matrix(rng, *shape)
    A = arr(np, m)
    cols = shape[0] == 2 and shape[1] != 2  # 2xN (N != 2) holds column vectors
    axes = (None, 0, -2) if cols else (None, 1, -1)
    for ax in axes:
        V = A.T if cols else A
        P = np.stack([-V[:, 1], V[:, 0]], axis=1)
        ang = np.arctan2(V[:, 1], V[:, 0])
        same(np, m.perpendicular(ax), P.T if cols else P, rtol=0, atol=0)
        if shape in ((1, 2), (2, 1)):
            same(np, m.angle(ax), ang[0])
        else:
            same(np, m.angle(ax), ang[None, :] if cols else ang[:, None])
    if shape == (2, 2):
        same(np, m.perpendicular(0), np.stack([-A[1], A[0]], axis=0))
        same(np, m.angle(0), np.arctan2(A[1], A[0])[None, :])
    bad = 1 if cols else 0
    if shape not in ((2, 2),):
        with pytest.raises(NotImplementedError):
            m.angle(bad)
        with pytest.raises(NotImplementedError):
            m.perpendicular(bad, True)
    same(np, m, A)  # a rejected in-place call leaves self alone
    p = m.copy()
    assert p.perpendicular(in_place=True) is p
    same(np, p, m.perpendicular())


def test_np_angle_specials(np):
    for x, y in [(0.0, 0.0), (-1.0, -0.0), (-1.0, 0.0), (1.0, math.inf), (math.nan, 1.0),
                 (-math.inf, -math.inf)]:
        got = Matrix(1, 2, [x, y]).angle()
        e = float(np.arctan2(y, x))
        assert got == e or (math.isnan(got) and math.isnan(e))
        assert math.copysign(1, got) == math.copysign(1, e) or math.isnan(e)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_np_construction_iteration(np, rng, shape):
    r, c = shape
    data = [rng.uniform(-9, 9) for _ in range(r * c)]
    m = Matrix(r, c, data)
    A = np.array(data).reshape(r, c)
    same(np, m, A, rtol=0, atol=0)
    same(np, Matrix(r, c, tuple(data)), A, rtol=0, atol=0)
    same(np, Matrix(r, c, values=data), A, rtol=0, atol=0)
    same(np, Matrix(r, c, 2.5), np.full((r, c), 2.5))
    same(np, Matrix.vector(np.array(data)), A.reshape(1, -1), rtol=0, atol=0)
    same(np, Matrix.vector(iter(data), True), A.reshape(-1, 1), rtol=0, atol=0)
    items = list(m)
    assert len(items) == len(m) == r
    for i, item in enumerate(items):
        if c == 1:
            assert item == A[i, 0]
        else:
            same(np, item, A[i:i + 1], rtol=0, atol=0)
    assert (m.x, m.size, m.shape) == (A.flat[0], A.size, A.shape)
    same(np, m * np.float64(2.0), A * 2)


# zero-size matrices -----------------------------------------------------------
# The constructors reject 0 dimensions, but vector([]) and friends make 1x0 and
# 0x1 matrices; they must behave (the reference truncates repr and reads out of
# bounds).

def test_zero_size_repr_str_len_iter():
    e, ec = Matrix.vector([]), Matrix.vector([], True)
    assert (e.shape, ec.shape) == ((1, 0), (0, 1))
    assert Matrix.vector(x for x in ()).shape == (1, 0)
    assert (e.size, ec.size, e.rows, e.columns) == (0, 0, 1, 0)
    assert repr(e) == "Matrix(1, 0, [])" and repr(ec) == "Matrix(0, 1, [])"
    assert str(e) == "[[]]" and str(ec) == "[]"
    assert len(e) == 1 and len(ec) == 0
    assert bool(e) and not bool(ec)
    items = list(e)
    assert len(items) == 1 and items[0].shape == (1, 0)
    assert list(ec) == [] and list(reversed(ec)) == []
    assert 0.0 not in e and 0.0 not in ec
    for attr in "xyzw":
        with pytest.raises(IndexError):
            getattr(e, attr)
        with pytest.raises(IndexError):
            setattr(ec, attr, 1.0)
    with pytest.raises(IndexError):
        e[0, 0]
    with pytest.raises(IndexError):
        ec[0]
    with pytest.raises(IndexError):
        e[:, :]


def test_zero_size_aggregates():
    e, ec = Matrix.vector([]), Matrix.vector([], True)
    for m in (e, ec):
        assert m.sum() == 0.0 and m.mean() == 0.0
        assert m.magnitude() == 0.0 and m.magnitude_squared() == 0.0 and m.length == 0.0
        for f in (m.min, m.max):
            with pytest.raises(ValueError, match="zero-size"):
                f()
    assert e.sum(0).shape == (1, 0) and vals(e.sum(1)) == [0.0]
    assert vals(e.mean(1)) == [0.0] and e.max(0).shape == (1, 0)
    assert ec.sum(1).shape == (0, 1) and vals(ec.sum(0)) == [0.0]
    with pytest.raises(ValueError):
        e.max(1)
    with pytest.raises(ValueError):
        ec.min(0)


def test_zero_size_operations():
    e = Matrix.vector([])
    assert e.T.shape == (0, 1) and e.copy().shape == (1, 0)
    assert (e + e).shape == (1, 0) and (2 * e).shape == (1, 0) and (e / 0).shape == (1, 0)
    assert e.abs().shape == (1, 0) and e.clip(1).shape == (1, 0)
    assert vals(e.normalize()) == []
    assert Matrix.allclose(e, e.copy()) and not Matrix.allclose(e, e.T)
    assert vals(e @ e.T) == [0.0] and (e.T @ e).shape == (0, 0)
    assert (Matrix(1, 1, 1) + []).shape == (1, 0)
    assert e.transpose(True) is e and e.shape == (0, 1)
    with pytest.raises(IndexError):
        e[:] = 5  # an empty selection, as for reading
    with pytest.raises(NotImplementedError):
        e.cross([])
    with pytest.raises(NotImplementedError):
        Matrix(2, 3).vecdot([])


# §17: every reference crasher gives a clean exception ------------------------

def test_crashers_negative_indices():
    for n in (2, 3, 5):
        m = mk(n, n)
        for k in range(n + 1, 2 * n + 2):
            with pytest.raises(IndexError):
                m[-k]
            with pytest.raises(IndexError):
                m[-k] = 1.0
            with pytest.raises(IndexError):
                m[0, -k]
            with pytest.raises(IndexError):
                m[0, -k] = [1.0]
        assert vals(m) == list(range(1, n * n + 1))  # nothing written


def test_crashers_delitem():
    m = mk(2, 2)
    for k in (0, -1, slice(None), (0, 0), (slice(None), 1), 5, "a"):
        with pytest.raises(TypeError):
            del m[k]
    for attr in "xyzw":
        with pytest.raises(AttributeError):
            delattr(m, attr)
    assert vals(m) == [1, 2, 3, 4]


def test_crashers_select():
    m = mk(3, 2)
    for bad in ([3], [0, 100], [2 ** 70]):
        with pytest.raises((IndexError, OverflowError)):
            m.select(bad)
    for bad in ([2], [5]):
        with pytest.raises(IndexError):
            m.select(bad, 1)
    assert vals(m.select(range(3))) == vals(m)
    with pytest.raises(IndexError):
        m.select(range(4))
    with pytest.raises(TypeError):
        m.select(x for x in [0, 1])
    with pytest.raises(TypeError):
        m.select([0.0])
    with pytest.raises(TypeError):
        m.select([True])


def test_crashers_list_in_matrix_role():
    assert vals([1, 2, 3] + Matrix(1, 3)) == [1, 2, 3]
    assert vals([1, 2, 3] + Matrix(1, 1, 1)) == [2, 3, 4]
    assert vals([1, 2, 3] - Matrix(1, 3, 1)) == [0, 1, 2]
    assert vals((2, 4) / Matrix(1, 2, 2)) == [1, 2]
    lst = [1, 2]
    lst += Matrix(1, 2, [3, 4])
    assert isinstance(lst, Matrix) and vals(lst) == [4, 6]
    t = (1, 2)
    t *= Matrix(1, 2, [3, 4])
    assert vals(t) == [3, 8]
    assert vals([1, 2] @ Matrix(2, 3, 1)) == [3, 3, 3]
    with pytest.raises(NotImplementedError):
        [1, 2, 3] @ Matrix(2, 3)
    with pytest.raises(NotImplementedError):
        [1, 2] + Matrix(1, 3)


# A sanitizer build's suite runs with the sanitizer runtime preloaded (see
# run-pytest.sh); its allocator aborts the process on a huge request instead
# of failing it, as libboc's own out-of-memory test knows.
_SANITIZED = any(n in os.environ.get("LD_PRELOAD", "") for n in ("libasan", "libtsan"))


@pytest.mark.skipif(_SANITIZED, reason="a sanitizer allocator aborts on huge allocations")
def test_crashers_huge_allocation():
    with pytest.raises((MemoryError, OverflowError, ValueError)):
        Matrix(10 ** 6, 10 ** 7)


def test_crashers_allocation_and_uninitialised():
    with pytest.raises((MemoryError, OverflowError, ValueError)):
        Matrix(2 ** 62, 2 ** 62)
    with pytest.raises(OverflowError):
        Matrix(2 ** 70, 1)
    u = Matrix.__new__(Matrix)
    for op in (repr, str, len, lambda m: m.sum(), lambda m: m + 1, lambda m: m[0],
               lambda m: m.shape, lambda m: Matrix(1, 1) + m, lambda m: m.copy()):
        with pytest.raises(AttributeError, match="not initialised"):
            op(u)
    u.__init__(1, 2, [1, 2])
    assert vals(u) == [1, 2]
    u.__init__(2, 1)  # re-init replaces the buffer (no leak, no crash)
    assert vals(u) == [0, 0]


def test_crashers_setitem_mismatch_and_overflow():
    m = mk(2, 3)
    for key, bad in [(0, [7, 8]), (0, [7, 8, 9, 10]), ((slice(None), 0), [7, 8]),
                     (slice(None), Matrix(3, 3)), (slice(None), Matrix(1, 1)),
                     ((slice(None), slice(1, None)), Matrix(3, 1)),
                     ((0, slice(None)), Matrix(2, 1))]:
        with pytest.raises(ValueError):
            m[key] = bad
    with pytest.raises(OverflowError):
        m[0] = 10 ** 400
    with pytest.raises(OverflowError):
        m[0] = [10 ** 400, 1, 2]
    with pytest.raises(OverflowError):
        m.x = 10 ** 400
    for bad in ("a", None, 1j):
        with pytest.raises(TypeError):
            m.x = bad
    assert vals(m) == [1, 2, 3, 4, 5, 6]


def test_setitem_aliasing_and_fast_paths():
    m = Matrix(1, 4, [1, 2, 3, 4])
    m[0, ::-1] = m
    assert vals(m) == [4, 3, 2, 1]
    m = mk(2, 3)
    m[:, ::-1] = m
    assert vals(m) == [3, 2, 1, 6, 5, 4]
    m = mk(4, 3)
    m[::2, 1:] = 0
    assert vals(m) == [1, 0, 0, 4, 5, 6, 7, 0, 0, 10, 11, 12]
    m[1::2, ::2] = Matrix(2, 1, [-1, -2])
    assert vals(m) == [1, 0, 0, -1, 5, -1, 7, 0, 0, -2, 11, -2]
    m[:] = Matrix(4, 1, [1, 2, 3, 4])
    assert vals(m) == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    m[1:3] = mk(2, 3)
    assert vals(m) == [1, 1, 1, 1, 2, 3, 4, 5, 6, 4, 4, 4]
    m[:, 2] = Matrix(4, 1, [9, 8, 7, 6])
    assert vals(m[:, 2]) == [9, 8, 7, 6]
    m[-1] = range(3)
    assert vals(m[-1]) == [0, 1, 2]
    m[0, 0] = True
    assert m[0, 0] == 1.0


def test_cross_errors_name_the_batch():
    for shape, ax, other, kind in [((5, 3), None, (3, 3), "Nx3 batch"),
                                   ((3, 5), None, (1, 2), "3xN batch"),
                                   ((5, 2), 1, (5, 3), "Nx2 batch"),
                                   ((2, 5), None, (5, 2), "2xN batch"),
                                   ((2, 3), None, (1, 3), "2xN batch"),
                                   ((3, 2), 0, (1, 3), "Nx2 batch"),
                                   ((2, 2), 0, (1, 3), "2xN batch"),
                                   ((3, 3), None, (1, 2), "Nx3 batch"),
                                   ((1, 3), None, (5, 3), "3D vector"),
                                   ((2, 1), None, (1, 3), "2D vector")]:
        msg = "cross: %s lhs %dx%d incompatible with rhs %dx%d" % ((kind,) + shape + other)
        with pytest.raises(NotImplementedError, match="^%s$" % msg):
            Matrix(*shape).cross(Matrix(*other), ax)
    for shape, ax in [((1, 1), None), ((1, 4), None), ((4, 4), None), ((1, 2), 0),
                      ((3, 1), 1), ((5, 3), 0), ((3, 5), 1), ((4, 5), None)]:
        with pytest.raises(NotImplementedError, match="^cross requires"):
            Matrix(*shape).cross(Matrix(*shape), ax)
    with pytest.raises(TypeError):
        Matrix(1, 3).cross(3)
    with pytest.raises(TypeError):
        Matrix(1, 3).cross("abc")
    with pytest.raises(NotImplementedError):  # the axis is checked first
        Matrix(1, 3).cross("abc", 7)


def test_vector_as_column_edges():
    assert Matrix.vector([1, 2], 0).shape == (1, 2)
    assert Matrix.vector([1, 2], 255).shape == (2, 1)
    assert Matrix.vector([1, 2], True).shape == (2, 1)
    assert Matrix.vector([1, 2], False).shape == (1, 2)
    assert Matrix.vector(range(3), 1).shape == (3, 1)
    for bad, exc in [("1", TypeError), (1.0, TypeError), (None, TypeError),
                     (256, OverflowError), (-1, OverflowError)]:
        with pytest.raises(exc):
            Matrix.vector([1, 2], bad)
    with pytest.raises(TypeError):
        Matrix.vector([1, 2], as_column=True)
    for bad in ([1j], ["a"], "ab", 3, None):
        with pytest.raises(TypeError):
            Matrix.vector(bad)


def test_constructor_values_fast_paths_keep_the_rules():
    """Matrix(r, c, number) fills in C and Matrix(r, c, sequence) converts
    in C; the rules stay bocpy's: numbers only (int, float, their
    subclasses such as bool), any sequence of the right length, -0.0 and
    big values kept, everything else TypeError."""
    import decimal
    import fractions

    m = Matrix(2, 3, -0.0)
    assert all(math.copysign(1.0, m[i, j]) == -1.0 for i in range(2) for j in range(3))
    assert Matrix(2, 2, 7).sum() == 28.0
    assert Matrix(1, 3, range(3)).sum() == 3.0
    assert Matrix(1, 3, (True, 2, 2.5)).sum() == 5.5
    assert Matrix(1, 2, [2 ** 60, -1e308])[0, 0] == float(2 ** 60)

    class F(float):
        pass

    assert Matrix(1, 1, [F(1.5)])[0, 0] == 1.5
    for bad in ([1, "a", 2, 3], [1, 2, 3, None], [decimal.Decimal(1)] * 4,
                [fractions.Fraction(1, 2)] * 4, [1, 2, 3, 1j]):
        with pytest.raises(TypeError, match="list/tuple of MxN numbers"):
            Matrix(2, 2, bad)
    with pytest.raises(OverflowError):
        Matrix(1, 1, [10 ** 400])
    big = Matrix(100, 100, [0.25] * 10000)
    assert big.sum() == 2500.0
    assert Matrix.ones((300, 7)).sum() == 2100.0


# the GIL: kept for small work, released for big work ------------------------

_GIL_CHOICE = __import__("bocpy._ffi", fromlist=["matrix_calls"]).matrix_calls.gil_choice
needs_gil_choice = pytest.mark.skipif(
    not _GIL_CHOICE, reason="cffi back end (PyPy): every call releases the GIL")


class _Spinner:
    """A thread counting in a pure-Python loop: its count moves only while
    it holds the GIL.  The switch interval is made long so that the
    interpreter does not take the GIL from the measuring thread on its own."""

    def __init__(self):
        import sys
        import threading

        self.n = 0
        self.stop = False
        self.started = threading.Event()
        self._old = sys.getswitchinterval()
        sys.setswitchinterval(1.0)
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()
        assert self.started.wait(10)

    def _run(self):
        self.started.set()
        while not self.stop:
            self.n += 1

    def close(self):
        import sys

        self.stop = True
        self.t.join(10)
        sys.setswitchinterval(self._old)


def _gil_cases():
    big = Matrix.uniform(-1.0, 1.0, (384, 384))
    return [("matmul 384^3", lambda: big @ big),
            ("add (384,384)x4", lambda: [big + big for _ in range(4)])]


@needs_gil_choice
@pytest.mark.parametrize("case", range(2))
def test_big_operation_releases_the_gil(case):
    """Another thread makes progress while a big kernel runs."""
    name, op = _gil_cases()[case]
    s = _Spinner()
    try:
        progressed = False
        for _ in range(3):  # the machine may be busy: a few tries
            before = s.n
            op()
            if s.n != before:
                progressed = True
                break
    finally:
        s.close()
    assert progressed, name


_RELEASING = ["_copy_r", "_binary_r", "_unary_r", "_reduce_r", "_matmul_r", "_transpose_r",
              "_clip_r", "_select_r", "_concat_r", "_vector_r", "_random_r", "_allclose_r"]


def _spy_releasing(monkeypatch):
    """Wrap the GIL-releasing bindings of bocpy._matrix; the list of the
    ones called."""
    import bocpy._matrix as mm

    used = []
    for name in _RELEASING:
        def spy(*args, _f=getattr(mm, name), _n=name):
            used.append(_n)
            return _f(*args)
        monkeypatch.setattr(mm, name, spy)
    return used


def _ops(a, b):
    ((a + b) * 2.0 - a).abs().sum()
    a.sum(1), a.max(0), a.T, a.clip(0.0, 5.0), a.copy(), a.select([0, 1, 2] * 40, 1)
    a @ b.T, Matrix.concat([a, b], 0), a.normalize(1), Matrix.allclose(a, b)
    a += b
    a.floor(in_place=True)


@needs_gil_choice
def test_small_operations_keep_the_gil(monkeypatch):
    """Small operations call the GIL-keeping bindings only (a GIL hand-off
    per call is what made two workers slower than one); big ones the
    releasing ones."""
    used = _spy_releasing(monkeypatch)
    _ops(Matrix(8, 3, list(range(24))), Matrix(8, 3, 1.5))
    Matrix.uniform(size=(4, 4))
    assert used == []
    _ops(Matrix(1000, 300, 1.0), Matrix(1000, 300, 1.5))
    Matrix.uniform(size=(1000, 300))
    assert sorted(set(used)) == sorted(_RELEASING)


@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (40, 30)])
def test_gil_choice_does_not_change_results(monkeypatch, shape):
    """The same operations give the same bits whether each call keeps the
    GIL or releases it (the two bindings of one C function)."""
    import bocpy._matrix as mm

    rng = random.Random(7)
    r, c = shape
    vals_a = [rng.uniform(-5, 5) for _ in range(r * c)]
    vals_b = [rng.uniform(0.5, 5) for _ in range(r * c)]

    def run():
        a, b = Matrix(r, c, vals_a), Matrix(r, c, vals_b)
        out = [a + b, a - 1.5, 2.0 / b, a * b, a.abs(), (-a).floor(), a.round(),
               a.clip(-1.0, 1.0), a.T, a @ b.T, a.copy(), a.sum(0), a.mean(1),
               a.max(), a.magnitude(1), a.select([0], 0), Matrix.concat([a, b], 1)]
        if c == 2 or c == 3:
            out += [a.normalize(1), a.cross(b, 1)]
        a += b
        a /= 3.0
        out.append(a)
        return [x if isinstance(x, float) else (x.shape, vals(x)) for x in out]

    monkeypatch.setattr(mm, "GIL_WORK", 1 << 62)   # every call keeps the GIL
    kept = run()
    monkeypatch.setattr(mm, "GIL_WORK", 0)         # every call releases it
    released = run()
    assert repr(kept) == repr(released)
