# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Cowns, behaviors and the runtime lifecycle: the core of bocpy's API.

The names here follow bocpy 0.9.0 (see the project's reference); the
differences are the reference bugs this package fixes, each noted where it
is implemented.  Scheduling and two-phase locking happen in libboc; running
behavior bodies is the job of a backend (``bocpy._backends``).
"""

import ast
import atexit
import dis
import inspect
import logging
import os
import re
import sys
import textwrap
import threading
import types
import weakref
from functools import partial as _partial
from typing import Generic, NamedTuple, Optional, TypeVar

from . import _ffi
from ._ffi import ffi, lib, nogil
from ._matrix import Matrix as _Matrix, _adopt as _adopt_matrix

__all__ = [
    "Behaviors",
    "Cown",
    "PinnedCown",
    "PumpResult",
    "REMOVED",
    "WORKER_COUNT",
    "WaitResult",
    "notice_delete",
    "notice_read",
    "notice_sync",
    "notice_update",
    "notice_write",
    "noticeboard",
    "pump",
    "quiesce",
    "set_pump_watchdog",
    "set_wait_pump_poll",
    "start",
    "wait",
    "when",
    "whencall",
]

T = TypeVar("T")

logger = logging.getLogger("behaviors")

_get_ident = threading.get_ident

_NOT_OWNER = "The current interpreter does not own this cown"

# ---------------------------------------------------------------------------
# Worker count
# ---------------------------------------------------------------------------


def _physical_cpu_count():
    """Physical cores in the affinity mask (libboc's count, ignoring env)."""
    saved = os.environ.pop("BOC_WORKERS", None)
    try:
        out = ffi.new("uint32_t *")
        if lib.boc_default_worker_count(out) == _ffi.OK:
            return int(out[0])
    finally:
        if saved is not None:
            os.environ["BOC_WORKERS"] = saved
    return 0


def _default_worker_count():
    env = os.environ.get("BOCPY_WORKERS")
    if env is not None:
        try:
            n = int(env)
        except ValueError:
            n = 0
        if n >= 1:
            return n
    physical = _physical_cpu_count()
    if physical > 0:
        return max(1, physical - 1)
    try:
        return max(1, len(os.sched_getaffinity(0)) - 1)
    except (AttributeError, OSError):
        return max(1, (os.cpu_count() or 2) - 1)


#: The default number of workers, computed once at import time:
#: ``BOCPY_WORKERS`` if it is an integer >= 1, else physical cores - 1
#: (at least 1).
WORKER_COUNT = _default_worker_count()

# ---------------------------------------------------------------------------
# Runtime state shared with the backends
# ---------------------------------------------------------------------------

_tls = threading.local()
_lifecycle = threading.RLock()
#: The running backend, or None.  (bocpy calls this BEHAVIORS.)
_RUNTIME = None

#: Thread ident -> serial number of the behavior the thread is running
#: (set by the backends before each behavior; the noticeboard keeps one
#: snapshot per behavior with it).
_running = {}


def _in_worker():
    """True on a backend's worker thread."""
    return getattr(_tls, "worker", False)


# ---------------------------------------------------------------------------
# Cown
# ---------------------------------------------------------------------------


class Cown(Generic[T]):
    """A concurrently-owned value.

    ``Cown(value)`` wraps ``value`` in a new cown.  Its ``value`` can be
    read and written only by its holder: a behavior that names it (on the
    thread running that behavior) or a thread that ``acquire()``\\ d it.
    While no runtime is running every cown is idle, and its value can be
    read and written directly (after ``wait()`` every cown, including
    cowns reachable only through other values, stays readable).
    """

    __slots__ = ("_h", "_id", "_value", "_exception", "_holder", "_ext", "__weakref__")

    def __init__(self, value: T = None):
        self._id = None
        self._value = value
        self._exception = False
        self._holder = None
        self._ext = False
        if value.__class__ is _Matrix:
            # The matrix now belongs to this cown: only its holder may use
            # it.  RuntimeError if it is another cown's value; no handle
            # exists yet, so nothing leaks (see __del__).
            _adopt_matrix(self, value)
        out = _out_handle()
        _ffi.check(lib.boc_cown_create(ffi.NULL, ffi.NULL, out), "Cown")
        # The handle is kept as an int: the hot paths pass it to libboc
        # through ctypes and packed word arrays (see _ffi.nogil).
        self._h = int(ffi.cast("uintptr_t", out[0]))

    def _cid(self):
        cid = self._id
        if cid is None:
            out = ffi.new("uint64_t *")
            _ffi.check(lib.boc_cown_id(_ffi.handle(self._h), out), "cown id")
            cid = self._id = int(out[0])
        return cid

    # -- access -------------------------------------------------------------

    def _may_access(self):
        holder = self._holder
        if holder is not None:
            return holder == _get_ident()
        return _RUNTIME is None

    def _require_access(self):
        if not self._may_access():
            raise RuntimeError(_NOT_OWNER)

    # The two accessors below inline _may_access(): they are the hottest
    # code in most behavior bodies.

    @property
    def value(self) -> T:
        """The value; only the holder may read it (RuntimeError otherwise)."""
        holder = self._holder
        if holder is not None:
            if holder == _get_ident():
                return self._value
        elif _RUNTIME is None:
            return self._value
        raise RuntimeError(_NOT_OWNER)

    @value.setter
    def value(self, value: T):
        holder = self._holder
        if not (holder == _get_ident() if holder is not None else _RUNTIME is None):
            raise RuntimeError(_NOT_OWNER)
        if value.__class__ is _Matrix:
            _adopt_matrix(self, value)  # RuntimeError if another cown's value
        self._value = value
        self._exception = False

    def get(self) -> T:
        """Same as reading ``value``."""
        return self.value

    def set(self, value: T) -> None:
        """Same as assigning ``value`` (clears the exception flag)."""
        self.value = value

    @property
    def exception(self) -> bool:
        """True when the value is an exception raised by a behavior."""
        self._require_access()
        return self._exception

    @exception.setter
    def exception(self, flag):
        self._require_access()
        self._exception = bool(flag)

    @property
    def acquired(self) -> bool:
        """True when the calling thread holds the cown."""
        return self._holder == _get_ident()

    @property
    def impl(self):
        """The underlying cown (this object: bocpy-cffi has no capsules)."""
        return self

    def acquire(self) -> None:
        """Take the idle cown for the calling thread (never blocks).

        Re-acquiring a cown this thread holds is a no-op.  Raises
        RuntimeError when a behavior or another thread holds it, or when
        behaviors are waiting for it.
        """
        me = _get_ident()
        holder = self._holder
        if holder == me:
            return
        if holder is not None:
            raise RuntimeError(
                "%d cannot acquire cown (already acquired by %d)" % (me, holder)
            )
        st = nogil.cown_acquire(self._h)
        if st == _ffi.EBUSY:
            raise RuntimeError(
                "%d cannot acquire cown (it is held or awaited by a behavior)" % me
            )
        _ffi.check(st, "acquire")
        self._holder = me
        self._ext = True

    def release(self) -> None:
        """Give back a cown taken with ``acquire()``; no-op when not held."""
        holder = self._holder
        if holder is None:
            return
        me = _get_ident()
        if holder != me:
            raise RuntimeError(
                "%d cannot release cown (acquired by %d)" % (me, holder)
            )
        if not self._ext:
            return  # held by the running behavior: released when it ends
        self._holder = None
        self._ext = False
        _ffi.check(nogil.cown_relinquish(self._h), "release")

    def __enter__(self) -> T:
        self.acquire()
        return self._value

    def __exit__(self, *exc):
        self.release()
        return False

    # -- identity -------------------------------------------------------------

    def _when_one(self, fn):
        """``when(self)`` applied to ``fn``: the decorator ``when()``
        returns for a single cown (a bound method costs less to make than
        a partial object)."""
        runtime = _RUNTIME
        params = (self,)
        if (runtime is not None and _plain.get(id(getattr(fn, "__code__", None))) == 1
                and fn.__closure__ is None):
            return runtime.issue(fn, params, params)
        return _decorate_at(params, params, fn, 2)

    def __lt__(self, other):
        if not isinstance(other, Cown):
            return NotImplemented
        return self._cid() < other._cid()

    def __eq__(self, other):
        if not isinstance(other, Cown):
            return False
        return self is other or self._h == other._h

    def __hash__(self):
        return hash(self._cid())

    def __reduce__(self):
        from ._blob import CownPickleError

        raise CownPickleError(
            "a Cown can only be pickled by bocpy itself (in a message or a "
            "noticeboard entry)"
        )

    def __repr__(self):
        if self._may_access():
            return "CownCapsule(0x%x, value=%r)" % (id(self), self._value)
        return "CownCapsule(0x%x, value=<not owner>)" % id(self)

    __str__ = __repr__

    def __del__(self, _release=nogil.cown_release):
        # A finalizer may run inside cffi itself (a GC pass triggered while
        # cffi holds its internal lock): so it must not make cffi resolve a
        # library attribute lazily.  The function is bound once, above.
        try:
            if self._exception:
                sys.stderr.write(
                    "Cown(0x%x) contains an unhandled exception: %r\n"
                    % (id(self), self._value)
                )
            h = self._h
        except AttributeError:
            return  # construction failed
        if h is not None:
            self._h = None
            _release(h)


_main_thread = threading.main_thread
_current_thread = threading.current_thread
_PINNED_OFF_MAIN = "cannot acquire pinned cown from non-main interpreter: its value never leaves the main thread"


class PinnedCown(Cown[T]):
    """A cown whose value never leaves the main thread.

    Constructible on the main thread only.  Its value is never pickled or
    copied: messages, noticeboard entries and other cowns' values carry the
    handle, never the value.  Any behavior naming a pinned cown runs on
    the main thread, inside ``pump()`` (or ``wait()``/``quiesce()``, which
    pump while pinned cowns exist).  The main thread holds it for life:
    ``acquired`` is True there and ``value`` works at once; another thread
    touching the value gets RuntimeError.  Read it directly on main only
    between pumps (a pinned body may be using it).
    """

    __slots__ = ()

    def __init__(self, value: T = None):
        if _current_thread() is not _main_thread() or _in_worker():
            raise RuntimeError("PinnedCown must be constructed on the main interpreter")
        if value.__class__ is _Matrix:
            _adopt_matrix(self, value)  # usable on the main thread only
        out = _out_handle()
        _ffi.check(lib.boc_cown_create_pinned(ffi.NULL, ffi.NULL, out), "PinnedCown")
        self._h = int(ffi.cast("uintptr_t", out[0]))
        self._id = None
        self._value = value
        self._exception = False
        self._holder = None
        self._ext = False
        _pinned_live.add(self)

    def _may_access(self):
        return _current_thread() is _main_thread()

    @property
    def value(self) -> T:
        """The value: on the main thread only (RuntimeError elsewhere)."""
        if _current_thread() is not _main_thread():
            raise RuntimeError(_PINNED_OFF_MAIN)
        return self._value

    @value.setter
    def value(self, value: T):
        if _current_thread() is not _main_thread():
            raise RuntimeError(_PINNED_OFF_MAIN)
        if value.__class__ is _Matrix:
            _adopt_matrix(self, value)
        self._value = value
        self._exception = False

    @property
    def acquired(self) -> bool:
        """True on the main thread, which holds a pinned cown for life."""
        return _current_thread() is _main_thread()

    def acquire(self) -> None:
        """No-op on the main thread; RuntimeError on any other."""
        if _current_thread() is not _main_thread():
            raise RuntimeError(_PINNED_OFF_MAIN)

    def release(self) -> None:
        """No-op on the main thread; RuntimeError on any other."""
        if _current_thread() is not _main_thread():
            raise RuntimeError(_PINNED_OFF_MAIN)


# Live PinnedCowns: while there are any, wait() and quiesce() pump.
_pinned_live = weakref.WeakSet()


def _new_result(_new=object.__new__, _cls=Cown):
    """A result cown whose handle libboc fills in when scheduling."""
    self = _new(_cls)
    self._h = self._id = self._value = self._holder = None
    self._exception = self._ext = False
    return self


def _out_handle():
    """The calling thread's one-slot output buffer for a cown handle."""
    try:
        return _tls.out
    except AttributeError:
        out = _tls.out = ffi.new("boc_cown_t *[1]")
        return out


# ---------------------------------------------------------------------------
# Preparing a behavior: argument groups, parameters, captures
# ---------------------------------------------------------------------------

_SCHEDULE_TYPE_ERROR = "can only schedule over cowns or sequences of cowns"


def _normalise_args(args):
    """Turn ``@when`` arguments (a tuple) into (params, flat cowns).

    Each argument is a Cown (one parameter) or a list/tuple of Cowns (a
    group: one parameter holding a list).  Empty groups are allowed and
    give ``[]`` (bocpy crashed or mis-counted here: bug B2).  When every
    argument is a Cown, both are ``args`` itself.
    """
    for arg in args:
        if not isinstance(arg, Cown):
            break
    else:
        return args, args
    params = []
    flat = []
    for arg in args:
        if isinstance(arg, Cown):
            params.append(arg)
            flat.append(arg)
        elif isinstance(arg, (list, tuple)):
            group = list(arg)
            for c in group:
                if not isinstance(c, Cown):
                    raise TypeError(_SCHEDULE_TYPE_ERROR)
            params.append(group)
            flat.extend(group)
        else:
            raise TypeError(_SCHEDULE_TYPE_ERROR)
    return params, flat


class _Missing:
    __slots__ = ()


_MISSING = _Missing()

_CO_ASYNC = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | getattr(
    inspect, "CO_ITERABLE_COROUTINE", 0
)

_FORBIDDEN_BELOW = ("staticmethod", "classmethod", "property")


class _FnInfo:
    """What scheduling needs to know about a behavior function (cached)."""

    __slots__ = (
        "positional",
        "has_varargs",
        "pos_defaults",
        "kwonly",
        "global_names",
        "snapshot_ok",
        "plain_for",
        "nested",
    )


_fn_cache = {}

# Code objects of plain behavior functions -> the cown count for which
# scheduling needs no capture work at all (the decorator's fast path).
# Keyed by id(code) (hashing a code object costs more than the rest of the
# lookup); _plain_codes keeps those code objects, so the ids stay theirs.
_plain = {}
_plain_codes = []


def _global_loads(code, seen=None):
    """Names loaded as globals by code and its nested code objects."""
    if seen is None:
        seen = set()
    names = set()
    if code in seen:
        return names
    seen.add(code)
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            names.add(ins.argval if isinstance(ins.argval, str) else ins.argrepr.split()[-1])
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_loads(const, seen)
    return names


def _is_when_decorator(node, fn_globals):
    target = node.func if isinstance(node, ast.Call) else node
    try:
        expr = ast.unparse(target) if hasattr(ast, "unparse") else None
    except Exception:  # pragma: no cover - defensive
        return False
    if expr is None:
        return isinstance(target, ast.Name) and target.id == "when"
    head, _, rest = expr.partition(".")
    obj = fn_globals.get(head, _MISSING)
    if obj is _MISSING:
        return expr.endswith("when")
    for part in rest.split(".") if rest else ():
        obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            return False
    return obj is when


def _check_decorators(fn):
    """Reject the constructs bocpy rejects, reading the def's source.

    Raises SyntaxError for decorators above ``@when`` and for
    staticmethod/classmethod/property below it.  Silently skips functions
    whose source is not available (REPL, exec).
    """
    code = fn.__code__
    try:
        lines, _start = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return None
    try:
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except SyntaxError:
        return None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    decorators = node.decorator_list
    index = None
    for i, dec in enumerate(decorators):
        if _is_when_decorator(dec, fn.__globals__):
            index = i
            break
    if index is None:
        return node
    if index > 0:
        above = [ast.unparse(d) if hasattr(ast, "unparse") else "?" for d in decorators[:index]]
        raise SyntaxError(
            "Decorators above @when are not supported \u2014 move them below @when: "
            + ", ".join("@" + a for a in above),
            (code.co_filename, node.lineno, 1, None),
        )
    for dec in decorators[index + 1 :]:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
        if name in _FORBIDDEN_BELOW:
            raise SyntaxError(
                "@%s is not supported below @when" % name,
                (code.co_filename, dec.lineno, dec.col_offset + 1, None),
            )
    return node


def _nested_capture_names(node, fn_globals):
    """Names that nested ``@when`` behaviors inside ``node`` take from their
    caller as trailing or keyword-only parameters without defaults.

    The nested ``@when`` runs in the outer behavior's frame, on a worker,
    where the original caller's variables are gone; so the outer behavior
    captures these names itself when it is scheduled (bocpy lost them).
    """
    names = []
    for sub in ast.walk(node):
        if sub is node or not isinstance(sub, ast.FunctionDef):
            continue
        for dec in sub.decorator_list:
            if isinstance(dec, ast.Call) and _is_when_decorator(dec, fn_globals):
                n = len(dec.args)
                params = sub.args.posonlyargs + sub.args.args
                ndefaults = len(sub.args.defaults)
                for p in params[n : len(params) - ndefaults]:
                    names.append(p.arg)
                for p, d in zip(sub.args.kwonlyargs, sub.args.kw_defaults):
                    if d is None:
                        names.append(p.arg)
                break
    return tuple(dict.fromkeys(names))


def _fn_info(fn, original):
    code = original.__code__
    info = _fn_cache.get(code)
    if info is not None:
        return info
    if code.co_flags & _CO_ASYNC or fn.__code__.co_flags & _CO_ASYNC:
        raise SyntaxError(
            "@when does not support async functions",
            (code.co_filename, code.co_firstlineno, 1, None),
        )
    node = _check_decorators(original)
    sig = inspect.signature(original)
    info = _FnInfo()
    info.nested = _nested_capture_names(node, original.__globals__) if node is not None else ()
    positional = []
    kwonly = []
    info.has_varargs = False
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional.append((p.name, p.default is not p.empty))
        elif p.kind == p.VAR_POSITIONAL:
            info.has_varargs = True
        elif p.kind == p.KEYWORD_ONLY:
            kwonly.append((p.name, p.default is not p.empty))
    info.positional = positional
    info.pos_defaults = sum(1 for _, d in positional if d)
    info.kwonly = kwonly
    # Captures are snapshotted only for undecorated functions: a wrapper's
    # inner function cannot be re-bound.
    info.snapshot_ok = fn is original
    info.global_names = tuple(sorted(_global_loads(code))) if info.snapshot_ok else ()
    info.plain_for = -1  # the cown count for which no capture lookup is needed
    _fn_cache[code] = info
    return info


def _resolve_capture(name, frame):
    """Dynamic lookup through the calling frames: locals, then globals."""
    f = frame
    while f is not None:
        loc = f.f_locals
        if name in loc:
            return loc[name]
        glb = f.f_globals
        if name in glb:
            return glb[name]
        f = f.f_back
    ctx = getattr(_tls, "context", None)
    if ctx is not None and name in ctx:
        return ctx[name]
    raise RuntimeError("Cannot resolve capture: %s" % name)


class _SnapshotGlobals(dict):
    """Function globals holding snapshotted variables; everything else is
    looked up live in the module's globals (functions, classes, modules)."""

    __slots__ = ("_module",)

    def __missing__(self, key):
        return self._module[key]


_LIVE_TYPES = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)


def _bind(fn, info):
    """Bind captured variables by value: closure cells and module-level
    variables (not functions, classes or modules) are snapshotted now, so a
    loop variable is seen as it was when the behavior was scheduled."""
    if not info.snapshot_ok:
        return fn
    closure = fn.__closure__
    g = fn.__globals__
    snap = None
    for name in info.global_names:
        v = g.get(name, _MISSING)
        if v is _MISSING or isinstance(v, _LIVE_TYPES):
            continue
        if snap is None:
            snap = _SnapshotGlobals()
            snap._module = g
            for k in ("__builtins__", "__name__", "__file__", "__package__", "__spec__"):
                if k in g:
                    snap[k] = g[k]
        snap[name] = v
    if closure is None and snap is None:
        return fn
    if closure is not None:
        cells = []
        for cell in closure:
            try:
                cells.append(types.CellType(cell.cell_contents))
            except ValueError:  # empty cell: keep it live
                cells.append(cell)
        closure = tuple(cells)
    new = types.FunctionType(
        fn.__code__, snap if snap is not None else g, fn.__name__, fn.__defaults__, closure
    )
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__dict__.update(fn.__dict__)
    new.__qualname__ = fn.__qualname__
    new.__module__ = fn.__module__
    return new


# A scheduled behavior's Python side, looked up by the worker, is a tuple,
#   (result, fn, params, flat)                          for a plain call, or
#   (result, fn, params, flat, extras, kwargs, context)
# where flat lists the cowns the behavior holds besides its result, and
# context holds captures for nested behaviors (or None).  A backend runs
# the short form inline and hands the long one to _run_record.
_NO_KWARGS = {}


def _rest(extras=(), kwargs=_NO_KWARGS, context=None):
    """The ``rest`` argument of a backend's ``issue``: None for the plain
    form of a record, else its last three fields."""
    if extras or kwargs or context is not None:
        return (extras, kwargs, context)
    return None


def _run_record(rec):
    """Run a behavior's body on the calling thread; fill its result with
    the return value, or the exception it raised (also returned; None when
    the body returned)."""
    if len(rec) == 4:
        rec = rec + ((), _NO_KWARGS, None)
    result, fn, params, flat, extras, kwargs, context = rec
    cowns = flat + (result,) if isinstance(flat, tuple) else flat + [result]
    me = _get_ident()
    for c in cowns:
        c._holder = me
    if context is not None:
        saved = getattr(_tls, "context", None)
        _tls.context = context
    try:
        try:
            if extras or kwargs:
                value = fn(*params, *extras, **kwargs)
            else:
                value = fn(*params)
        except BaseException as exc:  # noqa: BLE001 - stored, as bocpy does
            result._value = exc
            result._exception = True
            return exc
        else:
            result._value = value
            if value.__class__ is _Matrix:
                _adopt_result(result)
            result._exception = False
            return None
    finally:
        for c in cowns:
            c._holder = None
        if context is not None:
            _tls.context = saved


def _adopt_result(result):
    """A behavior returned the Matrix now in ``result``: it becomes the
    result cown's, as if assigned to it, unless it is still another cown's
    value (``return c.value``): then it stays that cown's."""
    try:
        _adopt_matrix(result, result._value)
    except RuntimeError:
        pass


def _drop_record(rec, message):
    """Mark the result of a behavior that will never run."""
    result = rec[0]
    result._value = RuntimeError(message)
    result._exception = True


_DROPPED = (
    "behavior dropped during stop(); the runtime was torn down before this "
    "behavior could acquire its cowns"
)


def _prepare(fn, params, frame):
    """Bind ``fn`` for a behavior over ``params``: returns (callable, extra
    positional args, keyword args, capture context for nested behaviors)."""
    if isinstance(fn, (staticmethod, classmethod, property)):
        raise SyntaxError("@%s is not supported below @when" % type(fn).__name__)
    wrapped = getattr(fn, "__wrapped__", None)
    original = inspect.unwrap(fn) if wrapped is not None else fn
    if not isinstance(original, types.FunctionType):
        if not callable(fn):
            raise TypeError("@when must decorate a function")
        # A callable object: call it with the cown parameters only.
        return fn, (), {}, None
    info = _fn_info(fn, original)
    ctx = None
    if info.nested:
        ctx = {}
        for name in info.nested:
            try:
                ctx[name] = _resolve_capture(name, frame)
            except RuntimeError:
                pass  # the nested behavior will report it if it needs it
    bound, extras, kwargs = _prepare_args(fn, original, info, params, frame)
    return bound, extras, kwargs, ctx


def _prepare_args(fn, original, info, params, frame):
    n = len(params)
    if info.plain_for == n:
        # Fast path: nothing to capture but, maybe, closure cells/globals.
        if fn.__closure__ is None and not info.global_names:
            return fn, (), {}
        return _bind(fn, info), (), {}
    positional = info.positional
    if len(positional) < n and not info.has_varargs:
        raise SyntaxError(
            "Default arguments on @when behavior cown positions are not supported "
            "(the function takes %d positional parameters for %d cown arguments)"
            % (len(positional), n)
        )
    for name, has_default in positional[:n]:
        if has_default:
            raise SyntaxError(
                "Default arguments on @when behavior cown positions are not supported "
                "(parameter %r)" % name
            )
    extras = []
    for name, has_default in positional[n:]:
        if has_default:
            break  # this one and every later one have defaults
        extras.append(_resolve_capture(name, frame))
    kwargs = {}
    for name, has_default in info.kwonly:
        if not has_default:
            kwargs[name] = _resolve_capture(name, frame)
    if not extras and not kwargs and len(positional) >= n:
        info.plain_for = n
        if info.snapshot_ok and not info.global_names and not info.nested:
            code = original.__code__
            if id(code) not in _plain:
                _plain_codes.append(code)
            _plain[id(code)] = n
    return _bind(fn, info), tuple(extras), kwargs


def _schedule(fn, params, flat, frame, runtime):
    bound, extras, kwargs, ctx = _prepare(fn, params, frame)
    return runtime.issue(bound, params, flat, _rest(extras, kwargs, ctx))


# ---------------------------------------------------------------------------
# when / whencall
# ---------------------------------------------------------------------------


def when(*cowns):
    """Schedule the decorated function as a behavior over ``cowns``.

    Each argument is a ``Cown`` (one parameter) or a list/tuple of cowns (one
    parameter holding a list).  The decorated name is bound to the result
    ``Cown``: it receives the function's return value, or the exception it
    raised (with ``exception`` set).  Behaviors over overlapping cowns run
    in the order they were scheduled; each holds its cowns exclusively.
    The first ``@when`` starts the runtime if none is running.
    """
    if len(cowns) == 1 and isinstance(cowns[0], Cown):
        return cowns[0]._when_one
    for c in cowns:
        if not isinstance(c, Cown):
            params, flat = _normalise_args(cowns)  # errors surface here
            return _partial(_decorate, params, flat)
    # The decorator is a partial object, not a closure: it costs one
    # allocation instead of a function and its cells.
    return _partial(_decorate, cowns, cowns)


def _decorate(params, flat, fn):
    """Apply ``@when(*args)`` (``args`` normalised to ``params`` and
    ``flat``) to ``fn``: schedule the behavior, return its result cown."""
    runtime = _RUNTIME
    # Fast path: a plain function already seen with this many cowns, with
    # nothing to capture.
    if (runtime is not None and _plain.get(id(getattr(fn, "__code__", None))) == len(params)
            and fn.__closure__ is None):
        return runtime.issue(fn, params, flat)
    return _decorate_at(params, flat, fn, 2)


def _decorate_at(params, flat, fn, depth):
    """_decorate's general path; ``depth`` frames up is the frame that
    applied the decorator (whose variables the behavior may capture)."""
    runtime = _RUNTIME
    if runtime is None:
        if _in_worker():
            raise RuntimeError("runtime is shutting down")
        start()
        runtime = _RUNTIME
    if _plain.get(id(getattr(fn, "__code__", None))) == len(params) and fn.__closure__ is None:
        return runtime.issue(fn, params, flat)
    frame = sys._getframe(depth)
    try:
        return _schedule(fn, params, flat, frame, runtime)
    finally:
        del frame


def whencall(thunk, args, captures):
    """Schedule ``thunk`` over ``args`` with ``captures`` as trailing
    positional arguments; return the result ``Cown``.

    ``thunk`` is a callable, or the name of a function in the caller's
    module.  Unlike ``@when`` it does not start the runtime.
    """
    runtime = _RUNTIME
    if runtime is None:
        raise RuntimeError(
            "cannot schedule behavior: bocpy runtime is not running. "
            "Call bocpy.start() (or use @when) before whencall()"
        )
    frame = sys._getframe(1)
    try:
        if isinstance(thunk, str):
            fn = frame.f_globals.get(thunk)
            if fn is None:
                raise AttributeError(
                    "module %r has no attribute %r" % (frame.f_globals.get("__name__"), thunk)
                )
        else:
            fn = thunk
        if not callable(fn):
            raise TypeError("whencall: thunk must be callable or a function name")
        params, flat = _normalise_args(tuple(args))
        return runtime.issue(fn, params, flat, _rest(tuple(captures)))
    finally:
        del frame


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------


class WaitResult(NamedTuple):
    """What ``wait``/``quiesce`` return when both flags are set."""

    stats: list
    noticeboard: dict


_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _shape(stats, noticeboard, stats_value, board_value):
    if stats and noticeboard:
        return WaitResult(stats_value, board_value)
    if stats:
        return stats_value
    if noticeboard:
        return board_value
    return None


def start(worker_count: Optional[int] = None, module=None, backend: Optional[str] = None,
          **options):
    """Start the runtime.

    ``worker_count`` defaults to ``WORKER_COUNT``.  ``module`` is accepted
    for compatibility (``(dotted_name, path)``); the threads backend runs
    behaviors from any module.  ``backend`` selects the backend (default:
    ``$BOCPY_BACKEND`` or ``"threads"``).  A bare ``start()`` while running
    is a no-op; differing arguments raise RuntimeError.
    """
    global _RUNTIME
    from . import _backends

    if _in_worker():
        raise RuntimeError("start() can only be called from the main interpreter")
    if worker_count is not None:
        if isinstance(worker_count, bool) or not isinstance(worker_count, int):
            raise TypeError("worker_count must be an int or None")
    if module is not None:
        if (
            not isinstance(module, tuple)
            or len(module) != 2
            or not isinstance(module[0], str)
            or not _MODULE_RE.match(module[0])
        ):
            raise ValueError(
                "module must be (name, path) where name is a dotted Python module path"
            )
    name = backend if backend is not None else os.environ.get("BOCPY_BACKEND") or "threads"
    cls = _backends.get(name)
    with _lifecycle:
        rt = _RUNTIME
        if rt is not None:
            if worker_count is not None and worker_count != rt.worker_count:
                raise RuntimeError(
                    "runtime is already up with worker_count=%d. Call wait() before "
                    "starting a new one with worker_count=%d" % (rt.worker_count, worker_count)
                )
            if module is not None and rt.module is not None and module != rt.module:
                raise RuntimeError(
                    "runtime is already up with module=%r. Call wait() before starting "
                    "a new one" % (rt.module,)
                )
            if backend is not None and name != rt.name:
                raise RuntimeError(
                    "runtime is already up with backend=%r. Call wait() before starting "
                    "a new one" % rt.name
                )
            return
        n = WORKER_COUNT if worker_count is None else worker_count
        if n < 0:
            raise ValueError("scheduler_runtime_start: worker_count must be >= 0")
        if n == 0:
            raise RuntimeError("Error starting worker pool")
        runtime = cls(n, module=module, **options)
        runtime.start()
        _RUNTIME = runtime


def _stats_dicts(raw):
    return [
        {
            "worker_index": s.worker_index,
            "pushed_local": s.pushed_local,
            "dispatched_to_pending": s.dispatched_to_pending,
            "pushed_remote": s.pushed_remote,
            "popped_local": s.popped_local,
            "popped_via_steal": s.popped_via_steal,
            "enqueue_cas_retries": s.enqueue_cas_retries,
            "dequeue_cas_retries": s.dequeue_cas_retries,
            "batch_resets": s.batch_resets,
            "steal_attempts": s.steal_attempts,
            "steal_failures": s.steal_failures,
            "parked": s.parked,
            "last_steal_attempt_ns": s.last_steal_attempt_ns,
            "fairness_arm_fires": s.fairness_arm_fires,
        }
        for s in raw
    ]


def _scheduler_stats():
    """Per-worker scheduler counters of the running (or last) runtime."""
    count = ffi.new("size_t *")
    _ffi.check(lib.boc_runtime_stats(ffi.NULL, 0, count), "stats")
    n = int(count[0])
    if n == 0:
        return []
    buf = ffi.new("boc_worker_stats_t[]", n)
    _ffi.check(lib.boc_runtime_stats(buf, n, count), "stats")
    return _stats_dicts(buf[i] for i in range(min(n, int(count[0]))))


def wait(timeout: Optional[float] = None, *, stats: bool = False, noticeboard: bool = False):
    """Wait for every behavior to finish, then stop the runtime.

    ``timeout`` (seconds; None = forever) bounds the wait for quiescence.
    When it expires, a warning is logged and the runtime is stopped anyway:
    behaviors already running finish, behaviors not yet started are dropped
    and their result holds a RuntimeError (``exception`` is True).  No
    exception is raised (as in bocpy 0.9.0).  Returns None, the per-worker
    stats list (``stats=True``), the noticeboard dict
    (``noticeboard=True``), or a ``WaitResult`` (both).  Without a runtime,
    or inside a behavior, returns the empty shape at once.  The runtime can
    be started again afterwards.
    """
    global _RUNTIME
    ns = _ffi.timeout_ns(timeout)
    if _in_worker():
        return _shape(stats, noticeboard, [], {})
    with _lifecycle:
        rt = _RUNTIME
        if rt is None:
            return _shape(stats, noticeboard, [], {})
        # If the wait is interrupted (KeyboardInterrupt), the runtime keeps
        # running and wait() can be called again.
        if _must_pump():
            # Pinned behaviors run here, on the main thread, until the
            # runtime is quiescent; a timeout stops it as usual.
            st = _pump_mod.pumping_wait(rt, ns, lambda left: _ffi.OK)
            if st == _ffi.ETIMEDOUT:
                ns = 0
        quiesced = rt.stop(ns)
        _RUNTIME = None
        # As in bocpy, the noticeboard is emptied when the runtime stops.
        board = _noticeboard.final_state() if noticeboard else {}
        _noticeboard.clear()
        if not quiesced:
            logger.warning("wait(): runtime did not reach quiescence within timeout=%s", timeout)
            logger.warning("wait(): stopping anyway; behaviors not yet started were dropped")
        return _shape(stats, noticeboard, rt.final_stats if stats else [], board)


def quiesce(timeout: Optional[float] = None, *, stats: bool = False, noticeboard: bool = False):
    """Wait until no behavior is in flight, without stopping the runtime.

    Raises TimeoutError when ``timeout`` (seconds) expires first; the
    runtime is left running.  Return shapes as for ``wait()``.
    """
    ns = _ffi.timeout_ns(timeout)
    rt = _RUNTIME
    if rt is None or _in_worker():
        return _shape(stats, noticeboard, [], {})
    if _must_pump():
        quiesced = _pump_mod.pumping_wait(rt, ns, lambda left: _ffi.OK) == _ffi.OK
    else:
        quiesced = rt.quiesce(ns)
    if not quiesced:
        raise TimeoutError(
            "quiesce(): runtime did not reach quiescence within timeout=%s" % (timeout,)
        )
    board = _noticeboard.final_state() if noticeboard else {}
    return _shape(stats, noticeboard, _scheduler_stats() if stats else [], board)


def _must_pump():
    """wait()/quiesce() pump while pinned cowns exist, on the main thread."""
    return bool(_pinned_live) and _current_thread() is _main_thread()


class Behaviors:
    """The runtime object (bocpy's ``Behaviors``; mostly internal).

    ``start()``/``stop()`` drive the process-wide runtime that ``@when``,
    ``wait()`` and ``quiesce()`` use; it is also a context manager.
    """

    def __init__(self, num_workers: Optional[int] = None):
        self.num_workers = WORKER_COUNT if num_workers is None else num_workers
        self.export_module = None

    def start(self, module=None):
        """Start the runtime with this object's worker count."""
        self.export_module = module
        start(worker_count=self.num_workers, module=module)

    def stop(self, timeout: Optional[float] = None):
        """Stop the runtime (``wait(timeout)``)."""
        wait(timeout)

    def quiesce(self, timeout: Optional[float] = None) -> bool:
        """Wait for quiescence; False on timeout."""
        try:
            quiesce(timeout)
        except TimeoutError:
            return False
        return True

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def _atexit_wait():
    """Finish in-flight work when a script exits without wait() (bug B4)."""
    if _RUNTIME is not None:
        try:
            wait()
        except Exception:  # pragma: no cover - best effort at exit
            logger.exception("bocpy: wait() at exit failed")


atexit.register(_atexit_wait)


# The noticeboard's public functions live in bocpy._noticeboard; bocpy
# exports them from this module, as bocpy 0.9.0 did.
from . import _noticeboard  # noqa: E402
from ._noticeboard import (  # noqa: E402
    REMOVED,
    notice_delete,
    notice_read,
    notice_sync,
    notice_update,
    notice_write,
    noticeboard,
    set_noticeboard_capacity,  # noqa: F401 - a bocpy-cffi extension, not in __all__
)

# Pinned behaviors: pump and its settings (bocpy._pump).
from . import _pump as _pump_mod  # noqa: E402
from ._pump import PumpResult, pump, set_pump_watchdog, set_wait_pump_poll  # noqa: E402
