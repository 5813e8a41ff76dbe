# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""examples/python/bank.py (the quick-start demo) runs and conserves money."""

import os
import subprocess
import sys

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BANK = os.path.join(TOP, "examples", "python", "bank.py")


def run_bank(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(TOP, "python") + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([sys.executable, BANK] + list(args), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=120)


@pytest.mark.parametrize("workers,accounts", [(1, 20), (2, 20), (2, 2)])
def test_bank_example_conserves_the_total(workers, accounts):
    proc = run_bank("--workers", str(workers), "--accounts", str(accounts),
                    "--transfers", "3000", "--seed", "5")
    assert proc.returncode == 0, proc.stdout
    assert "(conserved)" in proc.stdout, proc.stdout
    assert "workers:       %d" % workers in proc.stdout, proc.stdout


def test_bank_example_same_seed_same_outcome_for_any_worker_count():
    outcomes = set()
    for workers in (1, 2):
        proc = run_bank("--workers", str(workers), "--accounts", "5",
                        "--transfers", "2000", "--seed", "9")
        assert proc.returncode == 0, proc.stdout
        outcomes.update(line for line in proc.stdout.splitlines()
                        if line.strip().startswith("transfers:"))
    assert len(outcomes) == 1, outcomes
