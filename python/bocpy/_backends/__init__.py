# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Backends: how behavior bodies are run.

A backend is a class with this interface (see ``threads.ThreadsBackend``):

* ``name`` (class attribute), ``worker_count``, ``module``;
* ``start()``: start libboc and the workers;
* ``issue(fn, params, flat, rest=None) -> Cown``: hand the behavior
  ``fn(*params)`` to libboc (two-phase locking happens there) so that a
  worker runs it once it holds the cowns ``flat``; make and return its
  result cown.  ``rest`` is None for a plain behavior, else ``(extras,
  kwargs, context)`` (see ``behaviors._rest`` and ``_run_record``); raise
  RuntimeError when the runtime refuses;
* ``quiesce(timeout_ns) -> bool``;
* ``stop(timeout_ns) -> bool`` (False when quiescence timed out; the
  runtime is stopped either way) and ``final_stats`` afterwards.

Adding a backend is one entry in ``_REGISTRY``.
"""

import importlib

_REGISTRY = {
    "threads": ("bocpy._backends.threads", "ThreadsBackend"),
}


def available():
    """Names of the backends this installation offers."""
    return list(_REGISTRY)


def get(name):
    """The backend class called ``name``; ValueError for an unknown name."""
    try:
        module, cls = _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            "unknown bocpy backend %r (available: %s)" % (name, ", ".join(available()))
        ) from None
    return getattr(importlib.import_module(module), cls)
