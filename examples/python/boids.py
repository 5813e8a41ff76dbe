# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""boids.py - a flock of birds whose physics runs in behaviors over Matrix cowns.

The world is a torus (what leaves on one side comes back on the other) cut
into a G x G grid of cells.  Each cell is a cown whose value is one
``Matrix`` with a row per bird in it: ``[x, y, vx, vy]`` (None when the
cell is empty).  Every frame does, with one behavior per cell for each step:

1. compute, ``@when(cell, snapshots of the 3 x 3 neighbourhood)``: the
   classic three rules -- separation, alignment, cohesion -- for the cell's
   birds against every bird near enough, as Matrix kernels over the whole
   cell at once (pairwise squared distances from one matrix product,
   weights from clip(), the neighbourhood sums from more products; no loop
   over birds).  Then integrate, wrap round the torus, and keep the birds
   still in the cell; those that left go to the behavior's result cown,
   tagged with their new cell.
2. merge and publish, ``@when(cell, the 8 neighbours' leavers)``: take the
   birds that arrived, then return a copy of the cell (the snapshot, a
   result cown) that the next frame's compute behaviors read.
3. one pinned behavior, ``@when(view, every snapshot)``, on a PinnedCown
   that is the main thread's frame state.  It runs on the main thread when
   the program's loop calls ``pump()``: it copies the positions into the
   frame state (which pyglet draws), counts the birds, and schedules the
   frame ``--depth`` frames ahead, so the simulation runs that far ahead of
   the screen and never waits for it.

A compute behavior reads its neighbours only through snapshots taken
before the frame started, so each cell's new state depends only on the
previous frame: for a given ``--seed`` the flock is the same, bit for bit,
whatever the number of workers, and in either mode.  Behaviors that name a
common cown run in the order they were scheduled; compute behaviors that
share no snapshot (cells three apart) run in parallel, so the cells are
scheduled in 3 x 3 colour order (with at least 6 x 6 cells; on fewer, every
compute behavior shares a snapshot with every other).  Large Matrix
kernels run in libboc without the GIL (small ones keep it: handing it
over would cost more than the kernel), but the Python around them holds
it: on a GIL build more workers pay off only where cells are dense, since
a cell's kernels grow with (its birds) x (its neighbourhood's) and its
Python does not.

    python3 examples/python/boids.py [--boids N] [--width W] [--height H]
                                     [--cells G] [--workers N] [--seed S]
                                     [--frames N] [--fps F] [--depth D]
                                     [--screenshot PATH] [--timeout S]
    python3 examples/python/boids.py --headless [--frames N] [...]

The window (pyglet 2, OpenGL 3.3: ``pip install pyglet``; under Xvfb, Mesa's
software GL) shows the birds as orange triangles on dark blue; pyglet's
clock calls ``pump()`` ``--fps`` times a second.  ``--frames N`` closes it
after N simulated frames, and ``--screenshot PATH`` first saves the screen
(``xwd -root``, converted by netpbm's xwdtopnm: .ppm/.pnm, .png with
pnmtopng, or .xwd).  ``--headless`` needs no pyglet (nor a display, so it
runs on PyPy too): it simulates ``--frames`` frames (default 200) as fast as
it can, pumping in ``wait()``.  Both print the frames per second and a
checksum line (the bird count, the mean position and velocity) that is the
same for the same --seed, --boids, --width, --height, --cells and --frames.

Exits with status 1 if a bird is lost or the window did not finish, 2 on a
bad option or, for the window, without pyglet.
"""

import argparse
import math
import random
import subprocess
import sys
import threading
import time

from bocpy import WORKER_COUNT, Cown, Matrix, PinnedCown, pump, start, wait, when

# --- the model ------------------------------------------------------------------
# Units: pixels and frames (dt = 1).

VIEW_RADIUS = 40.0       # alignment and cohesion look this far
SEP_RADIUS = 12.0        # separation pushes inside this
MIN_SPEED = 1.5
MAX_SPEED = 4.0
COHESION = 0.004         # per pixel between a bird and its neighbours' centre
ALIGNMENT = 0.06         # per unit of velocity difference
SEPARATION = 0.05        # per pixel of overlap, weighted

BIRD_COLOUR = (255, 160, 0)
BACKGROUND = (16, 32, 64)
BIRD_SIZE = 6.0          # nose to centre, in pixels


class Config:
    """What every behavior needs to know about the world (immutable)."""

    def __init__(self, width, height, grid):
        self.width = float(width)
        self.height = float(height)
        self.grid = grid
        self.cell_w = self.width / grid
        self.cell_h = self.height / grid
        self.order = self._colour_order()
        self.hoods = {(i, j): self._neighbourhood(i, j) for i, j in self.order}

    def cell_id(self, i, j):
        """Cell (column i, row j) as an index in row-major cell lists."""
        return (i % self.grid) * self.grid + (j % self.grid)

    def _neighbourhood(self, i, j):
        """The 3 x 3 cells around (i, j), itself first: a list of
        (cell id, x shift, y shift), the shift taking the neighbour's birds
        to where they are seen from (i, j) across the torus' seam."""
        g = self.grid
        out = []
        for di, dj in [(0, 0)] + [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)
                                  if (a, b) != (0, 0)]:
            ni, nj = i + di, j + dj
            sx = -self.width if ni < 0 else self.width if ni >= g else 0.0
            sy = -self.height if nj < 0 else self.height if nj >= g else 0.0
            out.append((self.cell_id(ni, nj), sx, sy))
        return out

    def _colour_order(self):
        """Every cell (i, j), grouped by (i % 3, j % 3): consecutive cells
        of a group share no neighbour, so their behaviors can run together."""
        g = self.grid
        return [(i, j) for ci in range(3) for cj in range(3)
                for i in range(ci, g, 3) for j in range(cj, g, 3)]


def initial_flock(cfg, boids, seed):
    """The birds of each cell (a list of Matrix or None, by cell id), drawn
    from Python's random.Random(seed): uniform positions, random headings,
    speeds between MIN_SPEED and MAX_SPEED."""
    rng = random.Random(seed)
    rows = [[] for _ in range(cfg.grid * cfg.grid)]
    for _ in range(boids):
        x = rng.uniform(0.0, cfg.width)
        y = rng.uniform(0.0, cfg.height)
        heading = rng.uniform(-math.pi, math.pi)
        speed = rng.uniform(MIN_SPEED, MAX_SPEED)
        cell = cfg.cell_id(min(int(x / cfg.cell_w), cfg.grid - 1),
                           min(int(y / cfg.cell_h), cfg.grid - 1))
        rows[cell].extend((x, y, speed * math.cos(heading), speed * math.sin(heading)))
    return [Matrix(len(r) // 4, 4, r) if r else None for r in rows]


def step_cell(cfg, i, j, own, near):
    """The birds of cell (i, j) one frame on.

    own is the cell's n x 4 Matrix; near the m x 4 Matrix of every bird in
    its neighbourhood (own included), already shifted across the seam.
    Returns (the n x 4 new state, None when every bird stayed in the cell,
    else the n x 1 Matrix of their new cell ids)."""
    pos = own.select([0, 1], 1)                       # n x 2
    near_pos = near.select([0, 1], 1)                 # m x 2
    # Squared distances, n x m: |p|^2 + |q|^2 - 2 p.q
    d2 = (pos @ near_pos.T) * -2.0
    d2 += pos.magnitude_squared(1)                    # column broadcast
    d2 += near_pos.magnitude_squared(1).T             # row broadcast
    # Weights falling linearly in d^2 to 0 at the radius (R^2 - d^2, so a
    # bird sees itself with the largest weight, and no sum below is zero).
    view = (VIEW_RADIUS ** 2 - d2).clip(0.0, VIEW_RADIUS ** 2)
    close = (SEP_RADIUS ** 2 - d2).clip(0.0, SEP_RADIUS ** 2)
    # Cohesion and alignment: the weighted mean [x, y, vx, vy] around each
    # bird, minus its own; separation: the weighted sum of p_i - p_j.
    steer = (view @ near) / view.sum(1) - own         # n x 4
    away = pos * close.sum(1) - close @ near_pos      # n x 2
    away *= SEPARATION / SEP_RADIUS ** 2
    away += steer @ steer_matrix()                    # + cohesion + alignment
    vel = own.select([2, 3], 1) + away
    vel = vel.normalize(1) * vel.magnitude(1).clip(MIN_SPEED, MAX_SPEED)
    pos += vel
    # The cell each bird is in now: (i, j) for almost all of them.
    where = (pos / [cfg.cell_w, cfg.cell_h]).floor()  # n x 2: column, row
    lo, hi = where.min(0), where.max(0)
    if lo[0, 0] == hi[0, 0] == i and lo[0, 1] == hi[0, 1] == j:
        return Matrix.concat([pos, vel], 1), None
    size = [cfg.width, cfg.height]
    pos -= (pos / size).floor() * size                # wrap round the torus
    where = (pos / [cfg.cell_w, cfg.cell_h]).floor().clip(0.0, cfg.grid - 1.0)
    ids = where @ Matrix(2, 1, [float(cfg.grid), 1.0])    # i * G + j
    return Matrix.concat([pos, vel], 1), ids


def steer_matrix():
    """[dx, dy, dvx, dvy] @ steer_matrix() = cohesion + alignment."""
    return Matrix(4, 2, [COHESION, 0.0, 0.0, COHESION, ALIGNMENT, 0.0, 0.0, ALIGNMENT])


# --- the behaviors ----------------------------------------------------------------


class FrameState:
    """The value of the pinned cown: what the main thread shows."""

    def __init__(self, boids):
        self.boids = boids
        self.cells = []          # Matrix copies (n x 4) of the last frame shown
        self.frame = -1          # the frame they are from
        self.fresh = False       # new since the last draw
        self.done = False        # the last frame (--frames) has arrived
        self.stopped = False     # schedule nothing more (window closed)
        self.checksum = None
        self.lost = None         # (frame, count) when a bird was lost
        self.on_main = True
        self.t_done = None


class Simulation:
    """The main thread's driver: the cowns, and the scheduling of frames.
    Used only on the main thread (by main and by the pinned behavior)."""

    def __init__(self, cfg, boids, seed, frames, depth):
        self.cfg = cfg
        self.frames = frames     # None: until stopped
        self.depth = depth
        self.cells = [Cown(m) for m in initial_flock(cfg, boids, seed)]
        self.view = PinnedCown(FrameState(boids))
        self.leavers = None      # per cell: the result cowns of the last compute step
        self.snaps = None        # per cell: the result cowns of the last publish step

    def begin(self):
        """Schedule frame 0 (the initial snapshot) and the first frames."""
        self._publish()
        self._show(0)
        for t in range(1, self.depth):
            self.schedule(t)

    def schedule(self, t):
        """Schedule frame t: compute, merge and publish, show."""
        if self.frames is not None and t > self.frames:
            return
        self._compute()
        self._publish()
        self._show(t)

    def _compute(self):
        cfg = self.cfg
        leavers = [None] * len(self.cells)
        for i, j in cfg.order:
            k = cfg.cell_id(i, j)
            hood = cfg.hoods[i, j]
            snaps = [self.snaps[c] for c, _, _ in hood]
            shifts = [(sx, sy) for _, sx, sy in hood]
            leavers[k] = compute(cfg, i, j, self.cells[k], snaps, shifts)
        self.leavers = leavers

    def _publish(self):
        cfg = self.cfg
        snaps = [None] * len(self.cells)
        for i, j in cfg.order:
            k = cfg.cell_id(i, j)
            if self.leavers is None:
                snaps[k] = publish(k, self.cells[k], [])
            else:
                arriving = [self.leavers[c] for c, _, _ in cfg.hoods[i, j][1:]]
                snaps[k] = publish(k, self.cells[k], arriving)
        self.snaps = snaps

    def _show(self, t):
        show(self, self.view, self.snaps, t)


def compute(cfg, i, j, cell, snaps, shifts):
    """Schedule step 1 for cell (i, j); returns the cown of its leavers."""

    @when(cell, snaps)
    def leavers(cell, snaps):
        own = cell.value
        if own is None:
            return None
        parts = []
        for snap, (sx, sy) in zip(snaps, shifts):
            m = snap.value
            if m is not None:
                parts.append(m + [sx, sy, 0.0, 0.0] if sx or sy else m)
        near = Matrix.concat(parts, 0) if len(parts) > 1 else parts[0]
        new, ids = step_cell(cfg, i, j, own, near)
        if ids is None:                         # nobody left: the common case
            cell.value = new
            return None
        me = float(cfg.cell_id(i, j))
        ids = list(ids)                         # n floats (an n x 1 column)
        stay = [r for r, c in enumerate(ids) if c == me]
        go = [r for r, c in enumerate(ids) if c != me]
        cell.value = new.select(stay, 0) if stay else None
        tagged = Matrix.concat([new.select(go, 0),
                                Matrix.vector([ids[r] for r in go], True)], 1)
        return tagged                           # rows [x, y, vx, vy, cell id]

    return leavers


def publish(k, cell, arriving):
    """Schedule step 2 for cell k; returns the cown of its snapshot."""

    @when(cell, arriving)
    def snapshot(cell, arriving):
        parts = [] if cell.value is None else [cell.value]
        for src in arriving:
            m = src.value
            if m is None:
                continue
            rows = [r for r, c in enumerate(m.select([4], 1)) if c == k]
            if rows:
                parts.append(m.select(rows, 0).select([0, 1, 2, 3], 1))
        if len(parts) > 1:
            cell.value = Matrix.concat(parts, 0)
        elif parts:
            cell.value = parts[0]
        return None if cell.value is None else cell.value.copy()

    return snapshot


def show(sim, view, snaps, t):
    """Schedule step 3 for frame t: the pinned behavior."""

    @when(view, snaps)
    def _(view, snaps):
        # view is a PinnedCown: this runs on the main thread, inside pump().
        st = view.value
        st.on_main = st.on_main and threading.current_thread() is threading.main_thread()
        cells = [s.value.copy() for s in snaps if s.value is not None]
        count = sum(m.rows for m in cells)
        if count != st.boids and st.lost is None:
            st.lost = (t, count)
        st.cells, st.frame, st.fresh = cells, t, True
        if sim.frames is not None and t == sim.frames:
            total = [0.0, 0.0, 0.0, 0.0]
            for m in cells:
                s = m.sum(0)
                total = [total[c] + s[0, c] for c in range(4)]
            st.checksum = "boids=%d mean position=(%.9f, %.9f) mean velocity=(%.9f, %.9f)" % (
                (count,) + tuple(v / max(count, 1) for v in total))
            st.done = True
            st.t_done = time.perf_counter()
        elif not st.stopped:
            sim.schedule(t + sim.depth)


# --- drawing ----------------------------------------------------------------------


def triangles(cells):
    """The flat vertex list [x0, y0, x1, y1, x2, y2, ...] of one triangle per
    bird, pointing along its velocity, for the Matrix copies in cells."""
    if not cells:
        return []
    birds = Matrix.concat(cells, 0) if len(cells) > 1 else cells[0]
    pos = birds.select([0, 1], 1)
    ahead = birds.select([2, 3], 1).normalize(1) * BIRD_SIZE
    side = ahead.perpendicular(1) * 0.5
    back = pos - ahead * 0.6
    verts = Matrix.concat([pos + ahead, back + side, back - side], 1)   # n x 6
    cols = [list(verts.select([c], 1)) for c in range(6)]
    return [v for corner in zip(*cols) for v in corner]


VERTEX_SHADER = """#version 150 core
in vec2 position;
uniform WindowBlock { mat4 projection; mat4 view; } window;
void main() { gl_Position = window.projection * window.view * vec4(position, 0.0, 1.0); }
"""

FRAGMENT_SHADER = """#version 150 core
out vec4 colour;
uniform vec4 bird_colour;
void main() { colour = bird_colour; }
"""


def screenshot(path):
    """Save a screenshot of the whole display to path; raise on failure."""
    raw = subprocess.run(["xwd", "-root", "-silent"], stdout=subprocess.PIPE,
                         check=True, timeout=30).stdout
    lower = path.lower()
    data = raw
    if not lower.endswith(".xwd"):
        data = subprocess.run(["xwdtopnm"], input=raw, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True, timeout=30).stdout
        if lower.endswith(".png"):
            data = subprocess.run(["pnmtopng"], input=data, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, check=True, timeout=30).stdout
    with open(path, "wb") as f:
        f.write(data)


def x_sync(window):
    """A round trip to the X server of window (pyglet's Xlib display,
    which Mesa's software GL shares): every request it sent is done."""
    try:
        from pyglet.libs.x11 import xlib

        xlib.XSync(window._x_display, False)  # pyglet has no public call
    except (ImportError, AttributeError):     # not X11
        pass


def run_window(args, sim):
    """The pyglet loop; returns (failure or None, frames drawn, seconds)."""
    import pyglet
    from pyglet import gl
    from pyglet.graphics.shader import Shader, ShaderProgram

    window = pyglet.window.Window(args.width, args.height, caption="bocpy boids",
                                  resizable=False, vsync=False)
    window.set_location(0, 0)
    program = ShaderProgram(Shader(VERTEX_SHADER, "vertex"),
                            Shader(FRAGMENT_SHADER, "fragment"))
    program["bird_colour"] = tuple(c / 255.0 for c in BIRD_COLOUR) + (1.0,)
    batch = pyglet.graphics.Batch()
    birds = program.vertex_list(3 * args.boids, gl.GL_TRIANGLES, batch=batch,
                                position=("f", [0.0] * (6 * args.boids)))
    gl.glClearColor(*(tuple(c / 255.0 for c in BACKGROUND) + (1.0,)))
    state = {"drawn": 0, "failed": None, "t0": time.perf_counter()}

    def draw():
        st = sim.view.value             # main thread, between two pumps
        if st.fresh:
            flat = triangles(st.cells)
            flat += [0.0] * (6 * args.boids - len(flat))   # lost birds: nothing
            birds.position[:] = flat[:6 * args.boids]
            st.fresh = False
            state["drawn"] += 1
        window.clear()
        batch.draw()

    @window.event
    def on_draw():
        draw()

    @window.event
    def on_close():
        sim.view.value.stopped = True

    def finish():
        window.switch_to()
        draw()
        window.flip()
        gl.glFinish()
        x_sync(window)      # the server has the last frame before xwd asks
        if args.screenshot:
            try:
                screenshot(args.screenshot)
            except (OSError, subprocess.SubprocessError) as e:
                state["failed"] = "screenshot failed: %s" % e
        sim.view.value.stopped = True
        pyglet.app.exit()

    def tick(dt):
        pump(deadline_ms=max(1, int(500 / args.fps)))
        st = sim.view.value
        if st.done:
            pyglet.clock.unschedule(tick)
            finish()
        elif time.perf_counter() - state["t0"] > args.timeout:
            state["failed"] = "frame %d of %s after %.0f s" % (st.frame, args.frames,
                                                               args.timeout)
            pyglet.clock.unschedule(tick)
            finish()

    pyglet.clock.schedule_interval(tick, 1.0 / args.fps)
    sim.begin()
    pyglet.app.run(1.0 / args.fps)
    elapsed = time.perf_counter() - state["t0"]
    window.close()
    return state["failed"], state["drawn"], elapsed


# --- main -------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--boids", "--birds", type=int, default=1000, help="birds (default 1000)")
    ap.add_argument("--width", type=int, default=800, help="world and window width, px")
    ap.add_argument("--height", type=int, default=600, help="world and window height, px")
    ap.add_argument("--cells", type=int, default=None, metavar="G",
                    help="a G x G grid of cells (default: as many as fit, at most 6; "
                         "each must be at least %g px)" % VIEW_RADIUS)
    ap.add_argument("--workers", type=int, default=WORKER_COUNT)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--frames", type=int, default=None,
                    help="simulate N frames, then stop (headless default 200; "
                         "the window runs until closed)")
    ap.add_argument("--depth", type=int, default=2,
                    help="frames in flight ahead of the one shown (default 2)")
    ap.add_argument("--headless", action="store_true",
                    help="no window (no pyglet): simulate and print the frame rate")
    ap.add_argument("--fps", type=float, default=60.0,
                    help="window: how often pyglet pumps and redraws (default 60)")
    ap.add_argument("--screenshot", metavar="PATH",
                    help="window: save the screen before closing (.ppm/.pnm, .png, .xwd); "
                         "needs --frames")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="window: give up after this many seconds (default 120)")
    args = ap.parse_args(argv)
    if args.boids < 1 or args.workers < 1 or args.depth < 1 or args.fps <= 0:
        ap.error("need --boids, --workers, --depth >= 1 and --fps > 0")
    if args.width < 3 * VIEW_RADIUS or args.height < 3 * VIEW_RADIUS:
        ap.error("--width and --height must be at least %g" % (3 * VIEW_RADIUS))
    fit = int(min(args.width, args.height) // VIEW_RADIUS)
    if args.cells is None:
        args.cells = min(fit, 6)
    if not 3 <= args.cells <= fit:
        ap.error("--cells must be between 3 and %d for this world" % fit)
    if args.headless and args.frames is None:
        args.frames = 200
    if args.frames is not None and args.frames < 1:
        ap.error("--frames must be >= 1")
    if args.screenshot and (args.headless or args.frames is None):
        ap.error("--screenshot needs the window and --frames")

    if not args.headless:
        try:
            import pyglet  # noqa: F401
        except ImportError as e:
            print("boids.py needs pyglet for its window (pip install pyglet), or "
                  "--headless: %s" % e, file=sys.stderr)
            return 2

    cfg = Config(args.width, args.height, args.cells)
    start(worker_count=args.workers)
    sim = Simulation(cfg, args.boids, args.seed, args.frames, args.depth)
    print("boids: %d birds, %dx%d world, %dx%d cells, %d workers, seed %d%s"
          % (args.boids, args.width, args.height, args.cells, args.cells, args.workers,
             args.seed, "" if args.frames is None else ", %d frames" % args.frames),
          flush=True)

    failed, drawn = None, None
    t0 = time.perf_counter()
    if args.headless:
        sim.begin()
        wait()          # pumps: the pinned behaviors schedule the next frames
        st = sim.view.value
        elapsed = (st.t_done or time.perf_counter()) - t0
    else:
        failed, drawn, elapsed = run_window(args, sim)
        sim.view.value.stopped = True
        wait()
        st = sim.view.value
        if st.t_done is not None:
            elapsed = st.t_done - t0

    frames = max(st.frame, 0)
    print("frames: %d in %.3f s: %.1f frames per second" % (frames, elapsed,
                                                          frames / max(elapsed, 1e-9)))
    if drawn is not None:
        print("window: %d frames drawn" % drawn)
    print("pinned behaviors on the main thread: %s" % ("yes" if st.on_main else "NO"))
    if st.checksum:
        print("checksum: %s" % st.checksum)
    ok = st.on_main and st.lost is None and failed is None
    if st.lost is not None:
        print("LOST BIRDS: frame %d has %d of %d" % (st.lost + (st.boids,)))
    if failed:
        print("FAILED: %s" % failed)
    if args.frames is not None and not st.done and failed is None and not st.stopped:
        print("FAILED: frame %d of %d" % (st.frame, args.frames))
        ok = False
    if args.screenshot and failed is None:
        print("screenshot: %s" % args.screenshot)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
