# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""pump_tk.py - pinned cowns and pump() in a Tk program.

Tk, like most GUI toolkits, must only be touched from the thread that
created it.  Here the widgets live in a PinnedCown, so every behavior that
names them runs on the main thread; and the Tk main loop calls pump()
every few milliseconds (``root.after``), which is where those behaviors
run, between two Tk events.

Workers count the primes below --limit: the range is cut into --chunks
pieces, each counted by an ordinary behavior on a worker thread; one more
ordinary behavior adds the counts up.  Then a pinned behavior over the
widgets and that total writes it into the window: the label shows the
number, and the canvas draws a pure green (#00ff00) bar whose width in
pixels encodes it (``BAR_BASE + total % BAR_MOD``), so that a screenshot
shows the result was really drawn.

    python3 examples/python/pump_tk.py [--limit N] [--chunks N] [--workers N]
                                       [--auto-close-ms MS] [--screenshot PATH]

--auto-close-ms closes the window that many ms after the result is shown;
--screenshot PATH first saves a screenshot of the display (``xwd -root``,
converted by netpbm's xwdtopnm: PATH ending in .ppm/.pnm is a PPM, .png a
PNG (pnmtopng), .xwd the raw dump).  Debian: apt-get install python3-tk
x11-apps netpbm (and xvfb to run it without a display: xvfb-run).

Prints the result; exits with status 1 if it is wrong, was not shown within
--timeout seconds, or the screenshot failed.
"""

import argparse
import subprocess
import sys
import threading
import time

from bocpy import WORKER_COUNT, Cown, PinnedCown, pump, start, wait, when

BAR_COLOUR = "#00ff00"
BAR_BASE = 20        # the bar is BAR_BASE + total % BAR_MOD pixels wide,
BAR_MOD = 300        # so at least 20 and at most 319
BAR_HEIGHT = 40
CANVAS_W = 360
CANVAS_H = 80


def bar_width(total):
    """The width, in pixels, of the bar that shows total."""
    return BAR_BASE + total % BAR_MOD


def count_primes(lo, hi):
    """The number of primes p with lo <= p < hi, by trial division."""
    count = 0
    for k in range(max(lo, 2), hi):
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


class Window:
    """The value of the pinned cown: the Tk widgets and what they show."""

    def __init__(self, root, label, canvas):
        self.root = root
        self.label = label
        self.canvas = canvas
        self.shown = None        # the total, once it is on screen
        self.on_main = None      # did the pinned body run on the main thread?
        self.closed = False


def compute(limit, chunks):
    """Schedule the counting; return the cown that will hold the total."""
    bounds = [limit * i // chunks for i in range(chunks + 1)]
    parts = []
    for lo, hi in zip(bounds, bounds[1:]):
        rng = Cown((lo, hi))

        @when(rng)
        def part(rng):
            return count_primes(*rng.value)    # on a worker

        parts.append(part)

    @when(parts)
    def total(parts):
        return sum(p.value for p in parts)     # on a worker too

    return total


def show(window, total, limit):
    """Schedule the pinned behavior that writes total into the window."""

    @when(window, total)
    def _(window, total):
        # window is a PinnedCown: this runs on the main thread, inside
        # pump(), so it may touch Tk.
        w = window.value
        w.on_main = threading.current_thread() is threading.main_thread()
        if w.closed:
            return
        n = total.value
        w.label.configure(text="primes below %d: %d" % (limit, n))
        # No outline: the filled area is exactly bar_width(n) x BAR_HEIGHT
        # pixels (x2 and y2 are excluded).
        w.canvas.create_rectangle(10, 20, 10 + bar_width(n), 20 + BAR_HEIGHT,
                                  fill=BAR_COLOUR, width=0)
        w.shown = n


def screenshot(path):
    """Save a screenshot of the whole display to path; raise on failure."""
    raw = subprocess.run(["xwd", "-root", "-silent"], stdout=subprocess.PIPE,
                         check=True, timeout=30).stdout
    lower = path.lower()
    if lower.endswith(".xwd"):
        data = raw
    else:
        data = subprocess.run(["xwdtopnm"], input=raw, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True, timeout=30).stdout
        if lower.endswith(".png"):
            data = subprocess.run(["pnmtopng"], input=data, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, check=True, timeout=30).stdout
    with open(path, "wb") as f:
        f.write(data)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=100000,
                    help="count the primes below this (default 100000)")
    ap.add_argument("--chunks", type=int, default=8)
    ap.add_argument("--workers", type=int, default=WORKER_COUNT)
    ap.add_argument("--interval-ms", type=int, default=10,
                    help="how often the Tk loop calls pump() (default 10)")
    ap.add_argument("--auto-close-ms", type=int, default=None, metavar="MS",
                    help="close the window MS ms after the result is shown")
    ap.add_argument("--screenshot", metavar="PATH",
                    help="save a screenshot of the display before closing "
                         "(.ppm/.pnm, .png or .xwd)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="give up if the result is not shown after this many seconds")
    args = ap.parse_args(argv)
    if args.limit < 2 or args.chunks < 1 or args.workers < 1 or args.interval_ms < 1:
        ap.error("need --limit >= 2, --chunks >= 1, --workers >= 1, --interval-ms >= 1")
    if args.screenshot and args.auto_close_ms is None:
        args.auto_close_ms = 200

    try:
        import tkinter as tk
    except ImportError as e:
        print("pump_tk.py needs tkinter (Debian: apt-get install python3-tk): %s" % e,
              file=sys.stderr)
        return 2

    root = tk.Tk()
    root.title("bocpy: pinned cowns + Tk")
    root.geometry("+0+0")
    label = tk.Label(root, text="counting the primes below %d..." % args.limit,
                     font=("TkFixedFont", 14), padx=10, pady=10)
    label.pack()
    canvas = tk.Canvas(root, width=CANVAS_W, height=CANVAS_H, bg="white",
                       highlightthickness=0)
    canvas.pack()

    start(worker_count=args.workers)
    window = PinnedCown(Window(root, label, canvas))
    t0 = time.perf_counter()
    show(window, compute(args.limit, args.chunks), args.limit)

    state = {"pumps": 0, "executed": 0, "failed": None, "closing": False}

    def close():
        if args.screenshot:
            try:
                root.update()
                root.winfo_pointerxy()   # a round trip: the server has drawn it all
                screenshot(args.screenshot)
            except (OSError, subprocess.SubprocessError) as e:
                state["failed"] = "screenshot failed: %s" % e
        window.value.closed = True
        root.destroy()

    def tick():
        # Called by the Tk loop: run the pinned behaviors that are due.
        r = pump(deadline_ms=20)
        state["pumps"] += 1
        state["executed"] += r.executed
        w = window.value      # safe to read between two pump() calls
        if w.shown is not None and not state["closing"]:
            state["closing"] = True
            state["elapsed"] = time.perf_counter() - t0
            print("primes below %d: %d (shown in the window, green bar %d px wide)"
                  % (args.limit, w.shown, bar_width(w.shown)), flush=True)
            if args.auto_close_ms is not None:
                root.after(args.auto_close_ms, close)
        elif w.shown is None and time.perf_counter() - t0 > args.timeout:
            state["failed"] = "no result after %.0f s" % args.timeout
            close()
            return
        root.after(args.interval_ms, tick)

    def on_delete():
        window.value.closed = True
        root.destroy()

    root.protocol("WM_DELETE_WINDOW", on_delete)
    root.after(args.interval_ms, tick)
    root.mainloop()
    wait()

    w = window.value
    want = sieve_count(args.limit)
    print("  limit:        %d, in %d chunks" % (args.limit, args.chunks))
    print("  workers:      %d" % args.workers)
    print("  pump() calls: %d, %d pinned behaviors executed" % (state["pumps"], state["executed"]))
    print("  pinned body on the main thread: %s" % ("yes" if w.on_main else "NO"))
    if "elapsed" in state:
        print("  shown after:  %.3f s" % state["elapsed"])
    if args.screenshot and not state["failed"]:
        print("  screenshot:   %s" % args.screenshot)
    ok = w.shown == want and w.on_main and not state["failed"]
    if state["failed"]:
        print("  FAILED: %s" % state["failed"])
    if w.shown is not None and w.shown != want:
        print("  WRONG: %d, expected %d" % (w.shown, want))
    print("  result:       %s" % ("correct" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
