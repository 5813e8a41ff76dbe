# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Python benchmarks for bocpy: behaviors per second, @when issue cost, and
CPU-bound Python bodies on 1 and 2 workers.

    python3 bench/python/bench_py.py [--workers 1,2] [--repeat 5]
                                     [--ref-python /path/to/venv/bin/python]

Workloads (each run under a fresh start(worker_count=W) ... wait()):

  chain     N behaviors (default 20000) on one cown, each adds 1.  Run
            twice in the child: the figures below are from the second
            run (warm: the steady state); the first run's (cold: with the
            process's one-time costs) are reported as "first run".  Then
            twice more with the process on one CPU (the "one CPU" rows):
            with a GIL the main thread and the workers take turns anyway,
            and there the figures do not depend on whether the scheduler
            put a worker on another CPU, whose caches then miss every
            object the two threads share.
            -> behaviors/s; @when issue calls/s and the issuing loop's
               wall time / N; the issue cost: the main thread's CPU time
               in the issuing loop / N (with a GIL, workers run behaviors
               while main issues, and the loop's wall time counts their
               work too); and the full cost per behavior in us (issue +
               run + complete: (issue loop + wait()) / N, wall time).
  spread    N behaviors over 1000 cowns (behavior i on cown i % 1000).
            -> behaviors/s.
  cpu       2 cowns x 50 behaviors, each a pure-Python loop of 200000
            iterations; the same 100 loops run sequentially on the main
            thread for comparison.  -> both times and their ratio (the
            speed-up from running on the runtime).
  msg rtt   main sends "ping" and waits for "pong"; one behavior answers
            (--msg-n / 10 round trips).  -> us per round trip.
  msg 1-way 4 behaviors send --msg-n messages in all; main receives them.
            -> messages/s, from the first @when to the last receive.
  nb        main writes --msg-n values over 16 keys, then notice_sync();
            one behavior reads --msg-n keys.  -> writes/s and reads/s.

The first row times a fixed pure-Python loop in each child before the
workloads: the machine's speed then (a shared VM slows down and speeds up;
both implementations' rows should show the same figure).

Every number is the median of --repeat runs.  Each run is a separate child
process (this same file with --child), so runs do not share interpreter
state.  With --ref-python (or BOCPY_REF_PYTHON) the same workloads also run
under another interpreter that has a different `bocpy` installed (the
original bocpy 0.9.0, say), alternating child by child, and the table shows
both and their ratio.  The workloads use only the API both share
(Cown, when, wait, start, send, receive, notice_write, notice_read,
notice_sync).

The child for this tree gets the environment it was started with (make
bench-python sets PYTHONPATH and BOCPY_LIBBOC to the build); the reference
child gets it without PYTHONPATH and BOCPY_*.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

MARK = "BOCPY_BENCH_RESULT "


# ---------------------------------------------------------------------------
# Child: the workloads.  Kept free of closures over functions and of
# module-level state: bocpy 0.9.0 re-executes this module in each worker
# sub-interpreter and pickles the captured values.
# ---------------------------------------------------------------------------

def schedule_check(cowns, expected):
    """Schedule a behavior over every cown that prints their total.

    The parent checks the printed totals.  (bocpy 0.9.0 cannot read a cown
    on the main thread after wait() unless a module global names it, so the
    check runs as a behavior, which works with both packages.)
    """
    from bocpy import when

    @when(cowns)
    def _(cs):
        total = 0
        for c in cs:
            total += c.value
        print("BOCPY_BENCH_CHECK %d %d" % (total, expected), flush=True)


def chain_or_spread(n, ncowns, workers):
    from bocpy import Cown, start, wait, when

    cowns = [Cown(0) for _ in range(ncowns)]
    start(worker_count=workers)
    t0 = time.perf_counter()
    c0 = time.thread_time()
    for i in range(n):
        @when(cowns[i % ncowns])
        def _(c):
            c.value += 1
    t1 = time.perf_counter()
    c1 = time.thread_time()
    schedule_check(cowns, n)
    wait()
    t2 = time.perf_counter()
    return t1 - t0, c1 - c0, t2 - t0


def cpu_bound(iters, per_cown, workers):
    from bocpy import Cown, start, wait, when

    t0 = time.perf_counter()
    for _ in range(2 * per_cown):
        x = 0
        for k in range(iters):
            x += k
    sequential = time.perf_counter() - t0

    a = Cown(0)
    b = Cown(0)
    start(worker_count=workers)
    t0 = time.perf_counter()
    for _ in range(per_cown):
        for c in (a, b):
            @when(c)
            def _(c):
                x = 0
                for k in range(iters):
                    x += k
                c.value += 1
    schedule_check([a, b], 2 * per_cown)
    wait()
    parallel = time.perf_counter() - t0
    return sequential, parallel


# The message and noticeboard workloads import what their behaviors use
# both in the function and in the body: bocpy 0.9.0 resolves every name a
# body uses in the caller's scope (even names the body imports itself) and
# runs the body in a sub-interpreter, which needs the import.


def msg_round_trip(n, workers):
    """Main sends "ping" n times; one behavior answers each with "pong".
    Returns seconds per round trip."""
    from bocpy import Cown, receive, send, start, wait, when

    start(worker_count=workers)
    c = Cown(0)

    @when(c)
    def _(c):
        from bocpy import receive, send
        for _ in range(n):
            _, k = receive("bench_ping")
            send("bench_pong", k + 1)

    send("bench_ping", 0)  # warm-up: the behavior is running
    receive("bench_pong", 60)
    t0 = time.perf_counter()
    for i in range(1, n):
        send("bench_ping", i)
        if receive("bench_pong", 60)[1] != i + 1:
            raise RuntimeError("msg round trip: wrong or missing answer")
    dt = time.perf_counter() - t0
    wait()
    return dt / (n - 1)


def msg_one_way(n, senders, workers):
    """senders behaviors send n messages in all; main receives them.
    Returns messages per second (first @when to last receive)."""
    from bocpy import Cown, receive, send, start, wait, when

    start(worker_count=workers)
    cowns = [Cown(i) for i in range(senders)]
    per = n // senders
    t0 = time.perf_counter()
    for c in cowns:
        @when(c)
        def _(c):
            from bocpy import send
            for k in range(per):
                send("bench_oneway", k)
    for _ in range(per * senders):
        # A timeout, so a lost message fails the run instead of hanging it.
        tag, _ = receive("bench_oneway", 60)
        if tag != "bench_oneway":
            raise RuntimeError("msg one-way: a message did not arrive")
    dt = time.perf_counter() - t0
    wait()
    return per * senders / dt


def noticeboard_ops(n, workers):
    """Main writes n values over 16 keys (then notice_sync); one behavior
    reads n keys and prints its time.  Returns writes per second."""
    from bocpy import Cown, notice_read, notice_sync, notice_write, start, wait, when

    start(worker_count=workers)
    t0 = time.perf_counter()
    for i in range(n):
        notice_write("bench_key_%d" % (i % 16), i)
    notice_sync()
    writes = n / (time.perf_counter() - t0)
    c = Cown(0)

    @when(c)
    def _(c):
        from bocpy import notice_read
        clock = __import__("time").perf_counter  # no module capture (bocpy 0.9.0)
        t = clock()
        total = 0
        for i in range(n):
            v = notice_read("bench_key_%d" % (i % 16))
            total += 0 if v is None else 1
        print("BOCPY_BENCH_NB_READ %.9f %d" % (clock() - t, total), flush=True)

    wait()
    return writes


def python_speed():
    """Seconds for a fixed pure-Python loop (2M additions): the machine's
    speed at the time of the run, since shared VMs slow down and speed up
    (compare this row before comparing the others between runs)."""
    t = time.perf_counter()
    s = 0
    for i in range(2_000_000):
        s += i
    return time.perf_counter() - t


def child(args):
    import bocpy

    w = args.child_workers
    speed = python_speed()
    # The chain runs twice: the first run (cold) pays the process's
    # one-time costs (the first @when of a function analyses its source;
    # the heap, the allocators' pools and the dicts grow to size); the
    # second (warm) is the steady state the targets are about.  Both are
    # reported.
    _, cold_issue_cpu, cold_full = chain_or_spread(args.n, 1, w)
    issue, issue_cpu, full = chain_or_spread(args.n, 1, w)
    # The same again with every thread of the process on one CPU (the main
    # thread's affinity, which the runtime's threads inherit when start()
    # makes them): with a GIL the threads take turns anyway, and on one CPU
    # the objects a behavior's issue and run share stay in that CPU's
    # caches, so this is the runtime's own cost, free of the scheduler's
    # choice of placing the worker on the other CPU.
    one_issue_cpu = one_full = float("nan")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cpus:
        try:
            os.sched_setaffinity(0, {cpus[0]})
            chain_or_spread(args.n, 1, w)  # warm-up on this CPU
            _, one_issue_cpu, one_full = chain_or_spread(args.n, 1, w)
        finally:
            os.sched_setaffinity(0, cpus)
    _, _, spread = chain_or_spread(args.n, args.spread_cowns, w)
    seq, par = cpu_bound(args.cpu_iters, args.cpu_per_cown, w)
    rtt = msg_round_trip(args.msg_n // 10, w)
    oneway = msg_one_way(args.msg_n, 4, w)
    nb_writes = noticeboard_ops(args.msg_n, w)
    result = {
        "package": getattr(bocpy, "__version__", "?"),
        "package_file": bocpy.__file__,
        "python": "%s %s" % (sys.implementation.name,
                             ".".join(map(str, sys.version_info[:3]))),
        "workers": w,
        "chain_bps": args.n / full,
        "spread_bps": args.n / spread,
        "issue_per_s": args.n / issue,
        "issue_us": issue / args.n * 1e6,
        "issue_cpu_us": issue_cpu / args.n * 1e6,
        "full_us": full / args.n * 1e6,
        "python_speed_ms": speed * 1e3,
        "cold_issue_cpu_us": cold_issue_cpu / args.n * 1e6,
        "cold_full_us": cold_full / args.n * 1e6,
        "one_cpu_issue_cpu_us": one_issue_cpu / args.n * 1e6,
        "one_cpu_full_us": one_full / args.n * 1e6,
        "cpu_parallel_s": par,
        "cpu_sequential_s": seq,
        "cpu_speedup": seq / par,
        "msg_rtt_us": rtt * 1e6,
        "msg_per_s": oneway,
        "nb_writes_per_s": nb_writes,
    }
    sys.stdout.write(MARK + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


# ---------------------------------------------------------------------------
# Parent: children, medians, the table.
# ---------------------------------------------------------------------------

METRICS = [
    # key, label, format, higher is better
    ("python_speed_ms", "machine: 2M-step Python loop, ms", "%.1f", False),
    ("chain_bps", "chain: behaviors/s (1 cown)", "%.0f", True),
    ("spread_bps", "spread: behaviors/s (1000 cowns)", "%.0f", True),
    ("issue_per_s", "@when issue calls/s", "%.0f", True),
    ("issue_us", "issue loop wall time, us/behavior", "%.2f", False),
    ("issue_cpu_us", "issue cost: main-thread CPU, us/@when", "%.2f", False),
    ("full_us", "full cost, us/behavior", "%.2f", False),
    ("cold_issue_cpu_us", "first run: issue cost, us/@when", "%.2f", False),
    ("cold_full_us", "first run: full cost, us/behavior", "%.2f", False),
    ("one_cpu_issue_cpu_us", "one CPU: issue cost, us/@when", "%.2f", False),
    ("one_cpu_full_us", "one CPU: full cost, us/behavior", "%.2f", False),
    ("cpu_parallel_s", "cpu: 2x50 loops on the runtime, s", "%.3f", False),
    ("cpu_sequential_s", "cpu: same loops sequentially, s", "%.3f", False),
    ("cpu_speedup", "cpu: speed-up (sequential/runtime)", "%.2f", True),
    ("msg_rtt_us", "msg: round trip main<->behavior, us", "%.1f", False),
    ("msg_per_s", "msg: one-way, 4 senders -> main, msg/s", "%.0f", True),
    ("nb_writes_per_s", "noticeboard: writes/s (main)", "%.0f", True),
    ("nb_reads_per_s", "noticeboard: reads/s (in a behavior)", "%.0f", True),
]


def run_child(python, env, args, workers):
    cmd = [python, os.path.abspath(__file__), "--child",
           "--child-workers", str(workers), "--n", str(args.n),
           "--spread-cowns", str(args.spread_cowns),
           "--cpu-iters", str(args.cpu_iters),
           "--cpu-per-cown", str(args.cpu_per_cown),
           "--msg-n", str(args.msg_n)]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=args.child_timeout)
    checks = [line.split()[1:] for line in proc.stdout.splitlines()
              if line.startswith("BOCPY_BENCH_CHECK ")]
    if len(checks) != 6 or any(total != expected for total, expected in checks):
        raise RuntimeError("%s: wrong results (BOCPY_BENCH_CHECK total expected: "
                           "%r):\n%s" % (python, checks, proc.stdout[-3000:]))
    nb_reads = [line.split()[1:] for line in proc.stdout.splitlines()
                if line.startswith("BOCPY_BENCH_NB_READ ")]
    if len(nb_reads) != 1 or int(nb_reads[0][1]) != args.msg_n:
        raise RuntimeError("%s: noticeboard reads missing or wrong (%r):\n%s"
                           % (python, nb_reads, proc.stdout[-3000:]))
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            result = json.loads(line[len(MARK):])
            result["nb_reads_per_s"] = args.msg_n / float(nb_reads[0][0])
            return result
    raise RuntimeError("%s failed (exit %d):\n%s"
                       % (" ".join(cmd), proc.returncode, proc.stdout[-3000:]))


def ref_env():
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith("BOCPY_")}
    return env


def median_of(runs):
    return {key: statistics.median(r[key] for r in runs)
            for key, _, _, _ in METRICS}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", default="1,2",
                    help="comma-separated worker counts (default 1,2)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs per measurement; the median is reported")
    ap.add_argument("--n", type=int, default=20000,
                    help="behaviors in the chain and spread workloads")
    ap.add_argument("--spread-cowns", type=int, default=1000)
    ap.add_argument("--cpu-iters", type=int, default=200000)
    ap.add_argument("--cpu-per-cown", type=int, default=50)
    ap.add_argument("--msg-n", type=int, default=10000,
                    help="messages in the one-way workload (round trips: a "
                         "tenth), noticeboard writes and reads; at most "
                         "16384 for bocpy 0.9.0, whose queues hold that many")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for this tree's bocpy (default: this one)")
    ap.add_argument("--ref-python", default=os.environ.get("BOCPY_REF_PYTHON", ""),
                    help="interpreter with the reference bocpy installed "
                         "(default: $BOCPY_REF_PYTHON)")
    ap.add_argument("--json", help="also write the results here as JSON")
    ap.add_argument("--child-timeout", type=float, default=600)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child-workers", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        return child(args)

    impls = [("bocpy-cffi", args.python, dict(os.environ))]
    if args.ref_python:
        impls.append(("reference", args.ref_python, ref_env()))
    workers = [int(w) for w in args.workers.split(",") if w.strip()]

    report = {"repeat": args.repeat, "n": args.n, "results": {}}
    status = 0
    print("bocpy Python benchmarks: median of %d runs; chain/spread N=%d, "
          "cpu 2x%d loops of %d iterations"
          % (args.repeat, args.n, args.cpu_per_cown, args.cpu_iters))
    for w in workers:
        runs = {name: [] for name, _, _ in impls}
        info = {}
        try:
            for _ in range(args.repeat):
                for name, python, env in impls:  # alternate implementations
                    r = run_child(python, env, args, w)
                    runs[name].append(r)
                    info[name] = "%s %s (%s; %s)" % (
                        name, r["package"], r["python"], r["package_file"])
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            sys.stdout.flush()
            print("bench_py: %s" % e, file=sys.stderr)
            status = 1
            continue
        med = {name: median_of(rs) for name, rs in runs.items()}
        report["results"][str(w)] = {"median": med, "runs": runs, "info": info}

        print()
        print("workers=%d" % w)
        for name, _, _ in impls:
            print("  %s" % info[name])
        header = "  %-38s %14s" % ("", "bocpy-cffi")
        if len(impls) > 1:
            header += " %14s %10s" % ("reference", "cffi gain")
        print(header)
        for key, label, fmt, higher in METRICS:
            ours = med["bocpy-cffi"][key]
            line = "  %-38s %14s" % (label, fmt % ours)
            if len(impls) > 1:
                ref = med["reference"][key]
                gain = (ours / ref if higher else ref / ours) if ours and ref else 0
                line += " %14s %9.2fx" % (fmt % ref, gain)
            print(line)
    sys.stdout.flush()
    if len(impls) > 1:
        print()
        print("cffi gain > 1 means bocpy-cffi is better (faster, or cheaper).")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2, sort_keys=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
