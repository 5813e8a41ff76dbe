# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""bocpy: Behavior-Oriented Concurrency for Python, on libboc.

A drop-in replacement for the public API of bocpy 0.9.0.  Data lives in
cowns; a behavior (``@when(...)``) runs once it holds every cown it names.
"""

import os

from ._matrix import Matrix
from ._messages import TIMEOUT, drain, receive, send, set_tags
from .behaviors import (
    REMOVED,
    WORKER_COUNT,
    Behaviors,
    Cown,
    PinnedCown,
    PumpResult,
    WaitResult,
    notice_delete,
    notice_read,
    notice_sync,
    notice_update,
    notice_write,
    noticeboard,
    pump,
    quiesce,
    set_pump_watchdog,
    set_wait_pump_poll,
    start,
    wait,
    when,
    whencall,
)

__all__ = [
    "Behaviors",
    "Cown",
    "Matrix",
    "PinnedCown",
    "PumpResult",
    "REMOVED",
    "TIMEOUT",
    "WORKER_COUNT",
    "WaitResult",
    "__version__",
    "drain",
    "get_include",
    "get_sources",
    "notice_delete",
    "notice_read",
    "notice_sync",
    "notice_update",
    "notice_write",
    "noticeboard",
    "pump",
    "quiesce",
    "receive",
    "send",
    "set_pump_watchdog",
    "set_tags",
    "set_wait_pump_poll",
    "start",
    "wait",
    "when",
    "whencall",
]


def _version():
    try:
        from importlib.metadata import version

        return version("bocpy-cffi")
    except Exception:  # not installed (running from the source tree)
        return "0.1.0"


__version__ = _version()


def get_include():
    """The directory holding libboc's headers (``boc.h`` and ``boc/``)."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [
        os.path.join(here, "include"),
        os.path.join(os.path.dirname(os.path.dirname(here)), "include"),
    ]
    from . import _ffi

    libdir = os.path.dirname(os.path.realpath(_ffi.LIBRARY_PATH)) if os.sep in _ffi.LIBRARY_PATH else ""
    if libdir:
        candidates.append(os.path.join(os.path.dirname(libdir), "include"))
    candidates += ["/usr/local/include", "/usr/include"]
    for path in candidates:
        if os.path.exists(os.path.join(path, "boc.h")):
            return path
    return candidates[0]


def get_sources():
    """Extra C sources a native extension must compile: none on any platform
    libboc supports (bocpy needed one on Windows for MSVC atomics)."""
    return []
