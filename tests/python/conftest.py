# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""pytest configuration for the bocpy (bocpy-cffi) suite.

* ``backend``: parametrized over ``bocpy._backends.available()``; a new
  backend joins every test by being registered there.  It also exports
  BOCPY_BACKEND so that @when's auto-start picks the same backend.
* ``xvfb_display``: a fresh Xvfb server (from x11_testutil.py);
* every test ends with the runtime stopped (``bocpy.wait`` in teardown)
  and is bounded in time (a default pytest-timeout mark when a module sets
  none).
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

# A fresh Xvfb server for the examples' window tests.
from x11_testutil import xvfb_display  # noqa: E402,F401

DEFAULT_TIMEOUT = 60


def _backend_names():
    try:
        from bocpy import _backends

        return list(_backends.available())
    except Exception:  # the package does not import: let the tests say why
        return ["threads"]


def pytest_configure(config):
    # An exception escaping a runtime thread (a worker) is a failure.
    config.addinivalue_line(
        "filterwarnings", "error::pytest.PytestUnhandledThreadExceptionWarning"
    )
    config.addinivalue_line(
        "markers", "idle: test_matrix_transport runs the test with no runtime running"
    )
    if not config.pluginmanager.hasplugin("timeout"):
        # Without pytest-timeout the marks are inert; declare them anyway.
        config.addinivalue_line("markers", "timeout(seconds): per-test time limit")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("timeout") is None:
            # "thread": a hang inside a libboc call (GIL released, no
            # bytecode running) cannot be interrupted by the signal method.
            item.add_marker(pytest.mark.timeout(DEFAULT_TIMEOUT, method="thread"))


@pytest.fixture(params=_backend_names())
def backend(request, monkeypatch):
    """The backend name to pass as ``bocpy.start(..., backend=backend)``."""
    monkeypatch.setenv("BOCPY_BACKEND", request.param)
    return request.param


@pytest.fixture(autouse=True)
def _runtime_stopped_after_test():
    """Each test ends with the runtime stopped, in bounded time."""
    yield
    try:
        import bocpy
    except Exception:
        return
    try:
        bocpy.wait(timeout=20)
    except Exception:
        # One retry (e.g. the first call raised mid-teardown), then report.
        bocpy.wait(timeout=20)
