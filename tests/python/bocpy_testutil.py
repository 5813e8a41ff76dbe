# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Helpers shared by the bocpy test suite (imported by conftest and tests)."""

import os
import random
import subprocess
import sys
import textwrap

import pytest

import bocpy

# Upper bound, in seconds, for every quiesce()/wait() a test makes.
TIMEOUT = 30.0

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


def finish(timeout=TIMEOUT):
    """Wait for every in-flight behavior, then stop the runtime.

    quiesce() first, so a hang shows up as a TimeoutError rather than as
    wait() silently dropping queued behaviors."""
    bocpy.quiesce(timeout=timeout)
    bocpy.wait(timeout=timeout)


def requires_threads(backend, why="relies on threads-backend sharing"):
    """Skip a test that relies on the threads backend's shared memory
    (threading.Event, shared lists, object identity)."""
    if backend != "threads":
        pytest.skip("%s backend: %s" % (backend, why))


def seeded_rng(name):
    """A random.Random whose seed is printed (shown by pytest on failure).
    BOCPY_TEST_SEED reproduces a run."""
    env = os.environ.get("BOCPY_TEST_SEED")
    seed = int(env) if env else random.randrange(2 ** 32)
    print("%s: seed=%d (set BOCPY_TEST_SEED=%d to reproduce)" % (name, seed, seed))
    return random.Random(seed)


def package_root():
    """The directory holding the bocpy package (for PYTHONPATH)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(bocpy.__file__)))


def subprocess_env(extra=None, drop=()):
    env = os.environ.copy()
    paths = [package_root(), TESTS_DIR]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    for name in drop:
        env.pop(name, None)
    if extra:
        env.update(extra)
    return env


def run_python(tmp_path, code, *, env=None, drop_env=(), timeout=60, name="script.py"):
    """Run ``code`` as a script file in a fresh interpreter; return the
    CompletedProcess (text mode, stdout/stderr captured).  A hang fails the
    test through subprocess.TimeoutExpired after ``timeout`` seconds."""
    path = os.path.join(str(tmp_path), name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(textwrap.dedent(code))
    return subprocess.run(
        [sys.executable, path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        timeout=timeout,
        env=subprocess_env(env, drop_env),
        cwd=str(tmp_path),
    )


def describe(proc):
    return "rc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
        proc.returncode,
        proc.stdout,
        proc.stderr,
    )
