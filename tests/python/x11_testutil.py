# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""What the window tests of the examples share (test_examples_pump.py's Tk
window, test_example_boids.py's pyglet window): an interpreter that can
import the GUI toolkit, a fresh Xvfb server, and a PPM reader for the
screenshots (xwd | xwdtopnm)."""

import os
import select
import shutil
import subprocess
import sys

import pytest


def python_with(modules):
    """An interpreter that can import ``modules`` (a comma-separated
    string, e.g. "tkinter, cffi"): this one, Debian's or the python3 on
    PATH; None when none can."""
    seen = []
    for cand in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if not cand or cand in seen or not os.path.exists(cand):
            continue
        seen.append(cand)
        try:
            ok = subprocess.run([cand, "-c", "import " + modules], timeout=60,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return cand
    return None


@pytest.fixture
def xvfb_display(tmp_path):
    """A fresh Xvfb server (a free display number, picked by Xvfb itself
    through -displayfd); yields the DISPLAY value."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("no Xvfb (Debian: apt-get install xvfb, or ./quickstart.sh test)")
    # Not the sanitizer runtime that a sanitizer build's suite preloads:
    # Xvfb and Mesa are not under test (and Xvfb's keymap compiler dies
    # under TSan).
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    rfd, wfd = os.pipe()
    log = open(str(tmp_path / "xvfb.log"), "w+")
    try:
        proc = subprocess.Popen([xvfb, "-displayfd", str(wfd), "-screen", "0", "640x480x24",
                                 "-nolisten", "tcp"], pass_fds=(wfd,), env=env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    finally:
        os.close(wfd)
    try:
        number = b""
        with os.fdopen(rfd, "rb", buffering=0) as r:
            while not number.endswith(b"\n"):
                ready, _, _ = select.select([r], [], [], 30)
                chunk = r.read(64) if ready else b""
                if not chunk:
                    break
                number += chunk
        if not number.strip().isdigit():
            log.seek(0)
            pytest.fail("Xvfb did not start (displayfd said %r); its log:\n%s"
                        % (number, log.read()))
        yield ":" + number.strip().decode()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()



def read_ppm(path):
    """(width, height, 8-bit rgb bytes) of a binary PPM (P6) file.  A 16-bit
    one (xwdtopnm makes them for some visuals) is cut to its high bytes,
    which is exact for the colours of 8 bits a side that GL wrote."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":  # a comment, to the end of the line
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1  # the single whitespace after maxval
    assert fields[0] == b"P6", "not a binary PPM: %r" % fields[0]
    width, height, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    assert maxval in (255, 65535), "unexpected PPM maxval %d" % maxval
    size = 3 if maxval == 255 else 6
    pixels = data[pos:pos + width * height * size]
    assert len(pixels) == width * height * size, "truncated PPM"
    if size == 6:
        pixels = pixels[0::2]     # big-endian samples: the high bytes
    return width, height, pixels

