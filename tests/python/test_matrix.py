# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""bocpy._matrix.Matrix against the bocpy Matrix reference (fixed bugs included)."""

import math
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
    with pytest.raises(TypeError):
        pickle.dumps(Matrix(1, 1))
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
