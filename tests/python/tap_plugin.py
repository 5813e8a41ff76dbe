# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""A pytest plugin that writes one TAP line per test, as each test ends.

Loaded by tests/python/run-pytest.sh with ``-p tap_plugin --tap-file=PATH``.
Lines go to PATH (flushed per test), not to stdout, so pytest's own output
cannot be mistaken for TAP, and a session that dies half-way (a hang killed
by pytest-timeout, a crash in the library) still leaves the results of every
test that finished.  The plan (``1..N``) is written at the end; the runner
writes it itself when the session did not end.

Outcomes:
  passed                      ok N - nodeid
  failed (setup/call/teardown) not ok N - nodeid (<phase> failed)
  skipped                     ok N - nodeid # SKIP reason
  xfail                       not ok N - nodeid # TODO reason
  xpass (not strict)          ok N - nodeid (unexpectedly passed)
  collection error            not ok N - collect <nodeid>
"""

import pytest


def pytest_addoption(parser):
    parser.addoption("--tap-file", default=None,
                     help="write TAP results (one line per test) to this file")


def _clean(text):
    # One line; '#' would start a TAP directive.
    return " ".join(str(text).split()).replace("#", "%23")


def _skip_reason(report):
    reason = "skipped"
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        reason = str(report.longrepr[2])
        if reason.startswith("Skipped: "):
            reason = reason[len("Skipped: "):]
    return reason


class TapWriter:
    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8")
        self.count = 0
        self.pending = {}  # nodeid -> [failed phase or None, skip reason, xfail]

    def emit(self, ok, name, directive=""):
        self.count += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.count, _clean(name))
        if directive:
            line += " # " + directive
        self.file.write(line + "\n")
        self.file.flush()

    def comment(self, text):
        for line in str(text).splitlines():
            self.file.write("# " + line + "\n")
        self.file.flush()

    @pytest.hookimpl
    def pytest_collectreport(self, report):
        if report.failed:
            self.emit(False, "collect " + (report.nodeid or "session"))
            self.comment(report.longreprtext)
        elif report.skipped and report.nodeid:
            # pytest.skip(allow_module_level=True): the whole module.
            self.emit(True, report.nodeid, "SKIP " + _clean(_skip_reason(report)))

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        state = self.pending.setdefault(report.nodeid,
                                        {"failed": None, "skip": None,
                                         "xfail": None, "xpass": False})
        if report.failed and state["failed"] is None:
            state["failed"] = report.when
            self.comment("%s (%s):\n%s" % (report.nodeid, report.when,
                                           report.longreprtext))
        elif report.skipped:
            if hasattr(report, "wasxfail"):
                state["xfail"] = report.wasxfail or "expected failure"
            else:
                state["skip"] = _skip_reason(report)
        elif report.passed and report.when == "call" and hasattr(report, "wasxfail"):
            state["xpass"] = True
        if report.when == "teardown":
            del self.pending[report.nodeid]
            name = report.nodeid
            if state["failed"]:
                self.emit(False, "%s (%s failed)" % (name, state["failed"]))
            elif state["xfail"] is not None:
                self.emit(False, name, "TODO " + _clean(state["xfail"]))
            elif state["skip"] is not None:
                self.emit(True, name, "SKIP " + _clean(state["skip"]))
            elif state["xpass"]:
                self.emit(True, name + " (unexpectedly passed)")
            else:
                self.emit(True, name)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        for nodeid, state in list(self.pending.items()):
            self.emit(False, "%s (did not finish)" % nodeid)
        self.pending.clear()
        self.file.write("1..%d\n" % self.count)
        self.file.flush()
        self.file.close()


def pytest_configure(config):
    path = config.getoption("--tap-file")
    if path:
        config.pluginmanager.register(TapWriter(path), "bocpy-tap-writer")
