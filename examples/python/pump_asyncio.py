# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""pump_asyncio.py - pinned cowns and pump() in an asyncio program.

Workers count primes; an asyncio task collects the counts on the main
thread.  Each job is an ordinary cown holding a bound n; an ordinary
behavior (``@when(job)``) counts the primes below n by trial division on a
worker thread, and its result cown is handed to a *pinned* behavior,
``@when(board, result)``, where ``board`` is a PinnedCown: the main
thread's own state (a plain dict here; it could as well be a GUI, a
socket, anything that must stay on one thread).  A behavior that names a
pinned cown never runs on a worker: it is queued for the main thread, and
runs when the main thread calls pump().  Here an asyncio task calls pump()
every few milliseconds, so the results arrive between the loop's other
tasks, like any other event, and no lock or thread-safe queue is needed.

The program then checks every count against a sieve, and that every pinned
body ran on the main thread (``threading.current_thread() is
threading.main_thread()``, asked inside the body).

    python3 examples/python/pump_asyncio.py [--jobs N] [--workers N]
                                            [--seed S] [--interval-ms MS]

Exits with status 1 if a count is wrong, a pinned body ran off the main
thread, or the results did not all arrive within --timeout seconds.
"""

import argparse
import asyncio
import random
import sys
import threading
import time

from bocpy import WORKER_COUNT, Cown, PinnedCown, pump, start, wait, when

MIN_N = 20000
MAX_N = 60000


def count_primes(n):
    """The number of primes below n, by trial division (the CPU work)."""
    count = 0
    for k in range(2, n):
        d = 2
        while d * d <= k:
            if k % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def sieve_count(n):
    """The number of primes below n, by the sieve of Eratosthenes (the check)."""
    if n < 3:
        return 0
    flags = bytearray([1]) * n
    flags[0] = flags[1] = 0
    for k in range(2, int(n ** 0.5) + 1):
        if flags[k]:
            flags[k * k::k] = bytes(len(range(k * k, n, k)))
    return sum(flags)


class Board:
    """The main thread's state, held by the pinned cown."""

    def __init__(self):
        self.results = {}       # job -> (n, count)
        self.pinned_runs = 0    # pinned bodies run
        self.on_main = 0        # ... of which on the main thread
        self.workers_seen = set()   # threads the counting behaviors ran on


def submit(board, job, n):
    """Schedule job: count the primes below n on a worker, then deliver the
    count to the board on the main thread."""
    bound = Cown(n)

    @when(bound)
    def result(bound):
        # An ordinary behavior: runs on a worker thread.
        return job, bound.value, count_primes(bound.value), threading.current_thread().name

    @when(board, result)
    def _(board, result):
        # A pinned behavior (board is a PinnedCown): runs on the main
        # thread, inside pump(), once the worker's result is in.
        job_, n_, count, worker = result.value
        b = board.value
        b.pinned_runs += 1
        if threading.current_thread() is threading.main_thread():
            b.on_main += 1
        b.results[job_] = (n_, count)
        b.workers_seen.add(worker)


async def pump_task(board, jobs, interval, stats):
    """Call pump() every interval seconds until every result is in."""
    while len(board.value.results) < jobs:
        # Never blocks; the deadline bounds how long one call may take.
        r = pump(deadline_ms=20)
        stats["pumps"] += 1
        stats["executed"] += r.executed
        stats["raised"] += r.raised
        # board.value is safe to read here, between two pump() calls.
        await asyncio.sleep(interval)


async def ticker(stats, stop):
    """Another task: shows that the event loop keeps running meanwhile."""
    while not stop.is_set():
        stats["ticks"] += 1
        await asyncio.sleep(0.005)


async def run(board, ns, args, stats):
    for job, n in enumerate(ns):
        submit(board, job, n)
    stop = asyncio.Event()
    tick = asyncio.ensure_future(ticker(stats, stop))
    try:
        await asyncio.wait_for(pump_task(board, len(ns), args.interval_ms / 1000.0, stats),
                               timeout=args.timeout)
        return True
    except asyncio.TimeoutError:
        return False
    finally:
        stop.set()
        await tick


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--workers", type=int, default=WORKER_COUNT)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--interval-ms", type=int, default=10,
                    help="how often the asyncio task calls pump() (default 10)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="give up after this many seconds (default 60)")
    args = ap.parse_args(argv)
    if args.jobs < 1 or args.workers < 1 or args.interval_ms < 1:
        ap.error("need --jobs >= 1, --workers >= 1, --interval-ms >= 1")

    rng = random.Random(args.seed)
    ns = [rng.randint(MIN_N, MAX_N) for _ in range(args.jobs)]
    stats = {"pumps": 0, "executed": 0, "raised": 0, "ticks": 0}

    start(worker_count=args.workers)
    board = PinnedCown(Board())    # on the main thread, as it must be
    t0 = time.perf_counter()
    in_time = asyncio.run(run(board, ns, args, stats))
    elapsed = time.perf_counter() - t0
    wait()    # everything has run; stop the runtime

    b = board.value
    print("bocpy pinned cowns + asyncio demo")
    print("  jobs:             %d (count the primes below n, on workers)" % args.jobs)
    print("  workers:          %d" % args.workers)
    print("  seed:             %d" % args.seed)
    wrong = 0
    for job, n in enumerate(ns):
        got = b.results.get(job, (n, None))[1]
        want = sieve_count(n)
        ok = got == want
        wrong += not ok
        print("  job %-3d n=%-6d  %5s primes (%s)"
              % (job, n, "?" if got is None else got,
                 "ok" if ok else "WRONG, expected %d" % want))
    print("  pinned behaviors: %d run, %d on the main thread (inside pump())"
          % (b.pinned_runs, b.on_main))
    print("  pump() calls:     %d, %d pinned behaviors executed, %d raised"
          % (stats["pumps"], stats["executed"], stats["raised"]))
    print("  worker threads:   %d used by the counting behaviors" % len(b.workers_seen))
    print("  asyncio ticks:    %d (the event loop ran on meanwhile)" % stats["ticks"])
    print("  time:             %.3f s" % elapsed)
    ok = (in_time and wrong == 0 and b.pinned_runs == args.jobs
          and b.on_main == args.jobs and stats["raised"] == 0)
    if not in_time:
        print("  TIMED OUT after %.0f s with %d/%d results"
              % (args.timeout, len(b.results), args.jobs))
    print("  results:          %s" % ("all correct" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
