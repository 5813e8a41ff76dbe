# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""examples/python/boids.py: flocking birds whose physics runs in behaviors
over Matrix cowns, shown by pyglet through a pinned behavior per frame.

The headless tests need nothing but bocpy.  The window test runs the
example in a real window under a fresh Xvfb and checks its screenshot; it
needs Xvfb, an interpreter with pyglet and cffi, OpenGL 3.3 on that
display (Mesa's software renderer: libgl1, libglx-mesa0, libgl1-mesa-dri),
xwd (x11-apps) and xwdtopnm (netpbm); ./quickstart.sh installs the Debian
packages and python/requirements-test.txt has pyglet.  It is skipped, with
the reason, only when one is missing."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from x11_testutil import python_with, read_ppm  # xvfb_display: a fixture, in conftest.py

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOIDS = os.path.join(TOP, "examples", "python", "boids.py")

# The colours boids.py draws with (kept in step with the example by hand, on
# purpose: the test must not trust the program it checks).
BIRD = (255, 160, 0)
BACKGROUND = (16, 32, 64)
# A bird is a triangle 9.6 px long and 6 px wide (28.8 px^2).
BIRD_AREA = 28.8

CHECKSUM = re.compile(r"^checksum: (boids=(\d+) mean position=\(\S+, \S+\) "
                      r"mean velocity=\(\S+, \S+\))$", re.M)
FPS = re.compile(r"^frames: (\d+) in (\S+) s: (\S+) frames per second$", re.M)


def example_env(extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(TOP, "python")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra:
        env.update(extra)
    return env


def run(argv, env=None, timeout=60):
    return subprocess.run(argv, env=env or example_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def describe(proc):
    return "rc=%s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
        proc.returncode, proc.stdout, proc.stderr)


def headless(*args, python=None):
    """Run boids.py --headless; return (the checksum line's text, its frame
    count, frames per second, the process)."""
    proc = run([python or sys.executable, BOIDS, "--headless"] + [str(a) for a in args])
    assert proc.returncode == 0, describe(proc)
    assert "pinned behaviors on the main thread: yes" in proc.stdout, describe(proc)
    checksum = CHECKSUM.search(proc.stdout)
    fps = FPS.search(proc.stdout)
    assert checksum and fps, describe(proc)
    return checksum.group(1), int(fps.group(1)), float(fps.group(3)), proc


# --- headless ---------------------------------------------------------------------

SMALL = ["--boids", 200, "--width", 480, "--height", 360, "--frames", 20]


@pytest.mark.timeout(120, method="thread")
def test_boids_headless_same_seed_same_flock_for_any_worker_count():
    sums = []
    for workers in (1, 2):
        checksum, frames, fps, proc = headless(*SMALL + ["--workers", workers, "--seed", 7])
        assert frames == 20, describe(proc)
        assert fps > 0, describe(proc)
        assert checksum.startswith("boids=200 "), checksum   # no bird lost or made
        sums.append(checksum)
    assert sums[0] == sums[1], sums
    # ... and the checksum does depend on the flock.
    other, _, _, _ = headless(*SMALL + ["--workers", 2, "--seed", 8])
    assert other != sums[0], other


@pytest.mark.timeout(120, method="thread")
def test_boids_headless_birds_cross_cells_and_the_seam_without_loss():
    # 3x3 cells of 40 px: every bird changes cell often, and crosses the
    # torus' seam; the example checks the count every frame (exit 1 if not).
    checksum, frames, _, proc = headless("--boids", 150, "--width", 120, "--height", 120,
                                         "--cells", 3, "--frames", 40, "--workers", 2)
    assert frames == 40, describe(proc)
    assert checksum.startswith("boids=150 "), checksum
    assert "LOST" not in proc.stdout, describe(proc)


@pytest.mark.parametrize("args", [
    ["--boids", "0"],
    ["--cells", "2"],
    ["--cells", "7", "--width", "280", "--height", "240"],   # cells under 40 px
    ["--frames", "0"],
    ["--workers", "0"],
])
def test_boids_rejects_bad_options(args):
    proc = run([sys.executable, BOIDS, "--headless"] + args)
    assert proc.returncode == 2, describe(proc)
    assert "error:" in proc.stderr, describe(proc)


def test_boids_headless_never_imports_pyglet_and_the_window_says_it_needs_it(tmp_path):
    # A pyglet that cannot be imported, first on the path.
    fake = tmp_path / "pyglet"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('pyglet is not here')\n")
    env = example_env()
    env["PYTHONPATH"] = str(tmp_path) + os.pathsep + env["PYTHONPATH"]
    proc = run([sys.executable, BOIDS, "--headless", "--boids", "50", "--frames", "3"], env)
    assert proc.returncode == 0, describe(proc)
    assert "checksum: boids=50 " in proc.stdout, describe(proc)
    proc = run([sys.executable, BOIDS, "--boids", "50", "--frames", "3"], env)
    assert proc.returncode == 2, describe(proc)
    assert "needs pyglet" in proc.stderr and "pyglet is not here" in proc.stderr, describe(proc)


# --- the window, under Xvfb -------------------------------------------------------


GL_PROBE = """
import pyglet
w = pyglet.window.Window(64, 64, visible=False)
from pyglet import gl
print(gl.gl_info.get_version_string(), "|", gl.gl_info.get_renderer())
w.close()
"""


def colour_map(width, height, pixels, rgb):
    """The pixels of colour rgb: (count, bounding box (x0, y0, x1, y1)
    inclusive or None, count in each quadrant of the box (w, h) at (0, 0))."""
    target = bytes(rgb)
    count, box = 0, None
    rows = []
    for y in range(height):
        row = pixels[y * width * 3:(y + 1) * width * 3]
        xs = [x for x in range(width) if row[3 * x:3 * x + 3] == target] \
            if target in row else []
        if xs:
            rows.append((y, xs))
            count += len(xs)
            if box is None:
                box = [xs[0], y, xs[-1], y]
            box = [min(box[0], xs[0]), box[1], max(box[2], xs[-1]), y]
    return count, box, rows


@pytest.mark.timeout(240, method="thread")
def test_boids_window_draws_the_flock_it_simulated(xvfb_display, tmp_path):
    py = python_with("pyglet, cffi")
    if py is None:
        pytest.skip("no Python with pyglet and cffi (pip install -r "
                    "python/requirements-test.txt)")
    for tool, package in (("xwd", "x11-apps"), ("xwdtopnm", "netpbm")):
        if shutil.which(tool) is None:
            pytest.skip("no %s for the screenshot (Debian: apt-get install %s, or "
                        "./quickstart.sh test)" % (tool, package))
    # LP_NUM_THREADS=0: Mesa's llvmpipe rasterizes on the calling thread.
    # Its own threads only compete with the workers for 2 cores, and
    # ThreadSanitizer (a sanitizer build's suite preloads it) reports races
    # inside them: Mesa is not under test.
    env = example_env({"DISPLAY": xvfb_display, "LP_NUM_THREADS": "0"})
    probe = run([py, "-c", GL_PROBE], env)
    if probe.returncode != 0:
        pytest.skip("no OpenGL 3.3 on Xvfb for pyglet (Debian: apt-get install libgl1 "
                    "libglx-mesa0 libgl1-mesa-dri, or ./quickstart.sh test): %s"
                    % probe.stderr.strip().splitlines()[-1:])

    boids, width, height = 300, 320, 240
    args = ["--boids", boids, "--width", width, "--height", height, "--frames", 30,
            "--seed", 3]
    shot = str(tmp_path / "screen.ppm")
    # Only the package from this tree on the path: py may be another
    # interpreter than the one running the suite.  BOCPY_LIBBOC comes from
    # the environment (make check sets it to the library just built).
    proc = run([py, BOIDS, "--workers", "2", "--screenshot", shot] + [str(a) for a in args],
               env, timeout=180)
    assert proc.returncode == 0, describe(proc)
    assert "pinned behaviors on the main thread: yes" in proc.stdout, describe(proc)
    m = re.search(r"^window: (\d+) frames drawn$", proc.stdout, re.M)
    assert m and int(m.group(1)) >= 2, describe(proc)
    checksum = CHECKSUM.search(proc.stdout)
    assert checksum, describe(proc)
    # The window simulated the same flock as a headless run (1 worker).
    assert checksum.group(1) == headless(*args + ["--workers", 1], python=py)[0], describe(proc)

    sw, sh, pixels = read_ppm(shot)
    birds, bird_box, bird_rows = colour_map(sw, sh, pixels, BIRD)
    ground, ground_box, _ = colour_map(sw, sh, pixels, BACKGROUND)
    assert birds > 0, "no bird-coloured %r pixel on the screen: nothing drawn" % (BIRD,)
    assert ground_box is not None, "no background: the window is not on the screen"
    # The window, at (0, 0), is made of background and birds only, and
    # nothing of either colour is outside it.
    x0, y0 = min(bird_box[0], ground_box[0]), min(bird_box[1], ground_box[1])
    x1, y1 = max(bird_box[2], ground_box[2]), max(bird_box[3], ground_box[3])
    assert (x0, y0, x1 - x0 + 1, y1 - y0 + 1) == (0, 0, width, height), (bird_box, ground_box)
    assert birds + ground == width * height, (birds, ground)
    # Every bird drawn: as many triangles' worth of pixels as birds, less
    # what overlaps (the flock is still loose after 30 frames) ...
    assert boids * BIRD_AREA * 0.5 <= birds <= boids * BIRD_AREA * 1.1, birds
    # ... and all over the window, not in one heap.
    quads = [0, 0, 0, 0]
    for y, xs in bird_rows:
        for x in xs:
            quads[(2 if y >= height // 2 else 0) + (1 if x >= width // 2 else 0)] += 1
    assert min(quads) >= birds // 10, quads
