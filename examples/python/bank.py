# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""bank.py - a bank simulation in Python, and the bocpy quick-start demo.

Every account is a cown: only one behavior at a time may touch it.  A
transfer is a behavior over two accounts (``@when(src, dst)``); it runs once
it holds both, so no transfer ever sees another half-done, transfers that
share no account may run in parallel, and there is not a lock in this file.

The program opens the accounts, schedules random transfers (seeded, so a
run can be replayed), waits for all of them, and then runs one more behavior
over every account -- an audit -- that adds the balances up.  Money is moved,
never made or lost: the total must be what it was at the start.  Because
behaviors that share an account run in the order they were scheduled, a
given seed gives the same balances whatever the number of workers.

    python3 examples/python/bank.py [--accounts N] [--transfers N]
                                    [--workers N] [--seed S]

Exits with status 1 if the total is not conserved.
"""

import argparse
import random
import sys
import time

from bocpy import WORKER_COUNT, Cown, start, wait, when

INITIAL_BALANCE = 1000
MAX_AMOUNT = 100


class Account:
    """The value held by an account cown."""

    def __init__(self, balance):
        self.balance = balance
        self.sent = 0
        self.refused = 0


def transfer(src, dst, amount):
    """Schedule one transfer of amount from account src to account dst."""

    @when(src, dst)
    def _(src, dst):
        # Both accounts are held: nothing else can see them half-updated.
        if src.value.balance >= amount:
            src.value.balance -= amount
            dst.value.balance += amount
            src.value.sent += 1
        else:
            src.value.refused += 1


def audit(accounts):
    """Schedule the audit: one behavior over every account.  Its result cown
    receives (total balance, transfers done, transfers refused)."""

    @when(accounts)
    def totals(accounts):
        values = [a.value for a in accounts]
        return (sum(v.balance for v in values), sum(v.sent for v in values),
                sum(v.refused for v in values))

    return totals


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, default=100)
    ap.add_argument("--transfers", type=int, default=50000)
    ap.add_argument("--workers", type=int, default=WORKER_COUNT)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    if args.accounts < 2 or args.transfers < 0 or args.workers < 1:
        ap.error("need --accounts >= 2, --transfers >= 0, --workers >= 1")

    import bocpy

    start(worker_count=args.workers)
    accounts = [Cown(Account(INITIAL_BALANCE)) for _ in range(args.accounts)]
    initial = INITIAL_BALANCE * args.accounts

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    for _ in range(args.transfers):
        src, dst = rng.sample(range(args.accounts), 2)
        transfer(accounts[src], accounts[dst], rng.randint(1, MAX_AMOUNT))
    result = audit(accounts)
    wait()
    elapsed = time.perf_counter() - t0

    total, done, refused = result.value
    ok = total == initial and done + refused == args.transfers
    print("bocpy %s bank demo (Python, libboc %s)"
          % (getattr(bocpy, "__version__", "?"), _libboc_version()))
    print("  accounts:      %d" % args.accounts)
    print("  transfers:     %d (%d done, %d refused for lack of funds)"
          % (args.transfers, done, refused))
    print("  workers:       %d" % args.workers)
    print("  seed:          %d" % args.seed)
    print("  initial total: %d" % initial)
    print("  final total:   %d (%s)" % (total, "conserved" if ok else "NOT CONSERVED"))
    print("  time:          %.3f s" % elapsed)
    print("  throughput:    %.0f transfers/s" % (args.transfers / elapsed if elapsed else 0))
    return 0 if ok else 1


def _libboc_version():
    try:
        from bocpy import _ffi

        return "%s at %s" % (_ffi.ffi.string(_ffi.lib.boc_version()).decode(),
                             _ffi.LIBRARY_PATH)
    except Exception:  # another bocpy (no libboc underneath)
        return "not used"


if __name__ == "__main__":
    sys.exit(main())
