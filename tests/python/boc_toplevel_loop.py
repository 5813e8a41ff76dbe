# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Module-level @when in a loop (imported, fresh, by a test).

Each behavior must see the loop variable's value at the moment its @when
ran, both implicitly (free variable) and through ``i=i``."""

from bocpy import Cown, when

SEEN = Cown([])
SEEN_DEFAULT = Cown([])
N = 6

for i in range(N):

    @when(SEEN)
    def _(seen):
        seen.value.append(i)

    @when(SEEN_DEFAULT)
    def _(seen, i=i):
        seen.value.append(i)

# Rebinding after the loop must not leak into behaviors not yet run.
i = "rebound"
