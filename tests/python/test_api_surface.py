# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Public names, version, headers, WORKER_COUNT, backends registry."""

import os
import re
import sys

import pytest

import bocpy
from bocpy_testutil import describe, finish, run_python

pytestmark = pytest.mark.timeout(60, method="thread")

ISSUE3_NAMES = [
    "Behaviors",
    "Cown",
    "WORKER_COUNT",
    "WaitResult",
    "__version__",
    "get_include",
    "get_sources",
    "quiesce",
    "start",
    "wait",
    "when",
    "whencall",
]


def test_issue3_public_names_exported():
    for name in ISSUE3_NAMES:
        assert hasattr(bocpy, name), name
        assert name in bocpy.__all__, name


REFERENCE_ALL = sorted(
    "Behaviors Cown Matrix PinnedCown PumpResult REMOVED TIMEOUT WORKER_COUNT "
    "__version__ drain get_include get_sources notice_delete notice_read "
    "notice_sync notice_update notice_write noticeboard pump quiesce receive "
    "send set_pump_watchdog set_tags set_wait_pump_poll start wait WaitResult "
    "when whencall".split()
)


def test_all_is_the_reference_surface():
    # bocpy 0.9.0's __all__ has exactly these 30 names (bocpy-api.md section 0).
    assert len(REFERENCE_ALL) == 30
    assert sorted(bocpy.__all__) == REFERENCE_ALL


def test_matrix_is_exported():
    from bocpy._matrix import Matrix

    assert bocpy.Matrix is Matrix
    m = bocpy.Matrix(2, 3, 1.5)
    assert m.shape == (2, 3) and m.sum() == 9.0


def test_everything_in_all_exists():
    for name in bocpy.__all__:
        assert hasattr(bocpy, name), "bocpy.__all__ lists missing name %r" % name


def test_no_public_stop():
    # bocpy 0.9.0 has no public stop(): stopping is wait().
    assert "stop" not in bocpy.__all__


def test_names_come_from_behaviors_module():
    from bocpy import behaviors

    assert bocpy.Cown is behaviors.Cown
    assert bocpy.when is behaviors.when
    assert bocpy.wait is behaviors.wait


def test_version_is_a_version_string():
    assert isinstance(bocpy.__version__, str)
    assert re.match(r"^\d+\.\d+", bocpy.__version__), bocpy.__version__


def test_get_include_contains_boc_h():
    inc = bocpy.get_include()
    assert isinstance(inc, str)
    assert os.path.isabs(inc)
    assert os.path.isfile(os.path.join(inc, "boc.h")), inc
    assert os.path.isdir(os.path.join(inc, "boc")), inc


@pytest.mark.skipif(sys.platform == "win32", reason="bocpy lists a source on win32")
def test_get_sources_empty():
    assert bocpy.get_sources() == []


def test_worker_count_is_positive_int():
    assert isinstance(bocpy.WORKER_COUNT, int)
    assert not isinstance(bocpy.WORKER_COUNT, bool)
    assert bocpy.WORKER_COUNT >= 1


def _worker_count_in_subprocess(tmp_path, value):
    env = {} if value is None else {"BOCPY_WORKERS": value}
    proc = run_python(
        tmp_path,
        """
        import bocpy
        print("WC", bocpy.WORKER_COUNT)
        """,
        env=env,
        drop_env=("BOCPY_WORKERS", "BOC_WORKERS"),
        timeout=30,
    )
    assert proc.returncode == 0, describe(proc)
    m = re.search(r"^WC (\d+)$", proc.stdout, re.M)
    assert m, describe(proc)
    return int(m.group(1))


def test_worker_count_from_env(tmp_path):
    default = _worker_count_in_subprocess(tmp_path, None)
    assert default >= 1
    assert _worker_count_in_subprocess(tmp_path, "5") == 5
    assert _worker_count_in_subprocess(tmp_path, "1") == 1
    # Values that don't parse, and values < 1, fall through to the default.
    assert _worker_count_in_subprocess(tmp_path, "abc") == default
    assert _worker_count_in_subprocess(tmp_path, "0") == default
    assert _worker_count_in_subprocess(tmp_path, "-3") == default


def test_worker_count_is_the_default_pool_size(tmp_path, backend):
    proc = run_python(
        tmp_path,
        """
        import bocpy
        assert bocpy.WORKER_COUNT == 3, bocpy.WORKER_COUNT
        bocpy.start(backend=%r)
        stats = bocpy.wait(timeout=20, stats=True)
        print("NSTATS", len(stats))
        """
        % backend,
        env={"BOCPY_WORKERS": "3"},
        drop_env=("BOC_WORKERS",),
        timeout=40,
    )
    assert proc.returncode == 0, describe(proc)
    assert "NSTATS 3" in proc.stdout, describe(proc)


def test_worker_count_computed_at_import(monkeypatch):
    before = bocpy.WORKER_COUNT
    monkeypatch.setenv("BOCPY_WORKERS", str(before + 7))
    assert bocpy.WORKER_COUNT == before


def test_backends_registry():
    from bocpy import _backends

    names = _backends.available()
    assert isinstance(names, list)
    assert "threads" in names


def test_behaviors_class_exists():
    assert isinstance(bocpy.Behaviors, type)
    assert hasattr(bocpy.Behaviors, "__enter__")
    assert hasattr(bocpy.Behaviors, "__exit__")


def test_behaviors_context_manager(backend):
    c = bocpy.Cown(1)
    with bocpy.Behaviors(2) as b:
        assert b is not None

        @bocpy.when(c)
        def r(c):
            c.value += 1
            return "ran"

    # __exit__ stopped the runtime after finishing the work.
    assert c.value == 2
    assert r.value == "ran"
    with pytest.raises(RuntimeError, match="not running"):
        bocpy.whencall(lambda c: None, [c], [])


def test_wait_result_is_named_tuple():
    wr = bocpy.WaitResult([], {})
    assert isinstance(wr, tuple)
    assert wr._fields == ("stats", "noticeboard")
    stats, board = wr
    assert stats == [] and board == {}
    assert wr.stats == [] and wr.noticeboard == {}


def test_bocpy_libboc_bad_path_is_an_import_error_listing_it(tmp_path):
    """An explicit BOCPY_LIBBOC is authoritative: when it cannot be loaded,
    import fails with one ImportError naming the attempt (no silent
    fall-back to another copy of the library)."""
    bad = str(tmp_path / "no-such-libboc.so.0")
    proc = run_python(
        tmp_path,
        """
        try:
            import bocpy
        except ImportError as exc:
            print("IMPORT-ERROR:", exc)
        else:
            print("LOADED:", bocpy._ffi.LIBRARY_PATH)
        """,
        env={"BOCPY_LIBBOC": bad},
    )
    assert proc.returncode == 0, describe(proc)
    assert "IMPORT-ERROR:" in proc.stdout, describe(proc)
    assert "BOCPY_LIBBOC: " + bad in proc.stdout, describe(proc)


def test_library_loaded_from_bocpy_libboc_and_abi_checked():
    """The loaded library is the one BOCPY_LIBBOC names (when set), and
    its ABI version matches the cdef's."""
    from bocpy import _ffi

    if os.environ.get("BOCPY_LIBBOC"):
        assert _ffi.LIBRARY_PATH == os.environ["BOCPY_LIBBOC"]
    assert _ffi.lib.boc_abi_version() == _ffi.ABI_VERSION
