# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""A module other than the test module that defines behaviors.

Imported by the tests to check that @when works in any module (bocpy 0.9.0
only supported the one module it exported; a second module silently ran the
wrong behavior, bug X21)."""

import bocpy
from bocpy import Cown, when

GLOBAL_FACTOR = 7
SNAPSHOT_ME = 1


def double(c):
    """Schedule c.value *= 2; return the result cown (holding "double")."""

    @when(c)
    def _(c):
        c.value *= 2
        return "double:%s" % __name__

    return _


def multiply_direct(c):
    """Uses a module-level global directly."""

    @when(c)
    def _(c):
        c.value = c.value * GLOBAL_FACTOR
        return c.value

    return _


class Multiplier:
    def __init__(self, factor):
        self.factor = factor

    def multiply(self, c):
        """A behavior inside a method: captures ``self``."""

        @when(c)
        def _(c):
            c.value = c.value * self.factor
            return c.value

        return _


def global_snapshot(c):
    """Returns SNAPSHOT_ME as it was when the behavior was scheduled,
    even though the module global is rebound right after scheduling."""
    global SNAPSHOT_ME

    @when(c)
    def _(c):
        return SNAPSHOT_ME

    SNAPSHOT_ME = SNAPSHOT_ME + 1000
    return _


def with_trailing(c):
    """A trailing parameter captured from this module's globals."""

    @when(c)
    def _(c, GLOBAL_FACTOR):
        return GLOBAL_FACTOR * 2

    return _


def schedule_in_caller_scope(c):
    """A trailing parameter ``caller_value`` found by walking out to the
    caller's frame (dynamic lookup)."""

    @when(c)
    def _(c, caller_value):
        c.value = caller_value
        return caller_value

    return _
