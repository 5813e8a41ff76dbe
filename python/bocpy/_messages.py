# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
"""Tagged message queues: ``send``, ``receive``, ``drain``, ``set_tags``.

The queues live in libboc (boc/msg.h): process-wide, independent of the
runtime (messages sent before ``start()`` or after ``wait()`` are kept),
FIFO per tag, at most 4096 distinct tags.  A message's contents travel as
a blob (``bocpy._blob``), so every payload arrives as the type it was
sent as, cowns included.
"""

import math
import pickle
import threading
from array import array

from . import _blob, _ffi
from ._ffi import ffi, lib, nogil

__all__ = ["TIMEOUT", "drain", "receive", "send", "set_tags"]

#: The tag of the result of a ``receive`` that timed out.
TIMEOUT = "__timeout__"

_ids = {}  # tag (str) -> id
_names = {}  # id -> tag (str)
_single = {}  # tag (str) -> array("I", [id]), for one-tag receives

_main_thread = threading.main_thread
_current_thread = threading.current_thread
_loads = pickle.loads
_string_at = _ffi.string_at


def _tag_id(tag):
    """The libboc id of ``tag``, interning it on first use."""
    if not isinstance(tag, str):
        raise TypeError("tag must be a str, not %s" % type(tag).__name__)
    tid = _ids.get(tag)
    if tid is not None:
        return tid
    raw = tag.encode("utf-8")  # UnicodeEncodeError for lone surrogates
    out = ffi.new("uint32_t *")
    st = lib.boc_msg_tag(raw, len(raw), out)
    if st == _ffi.EFULL:
        raise KeyError(
            "No queue available for tag '%s': tag capacity exceeded (max %d tags)"
            % (tag, lib.BOC_MSG_MAX_TAGS)
        )
    if st == _ffi.EINVAL and len(raw) > lib.BOC_MSG_MAX_TAG_SIZE:
        raise ValueError("tag too long (max %d UTF-8 bytes)" % lib.BOC_MSG_MAX_TAG_SIZE)
    _ffi.check(st, "tag")
    tid = int(out[0])
    _ids[tag] = tid
    _names[tid] = tag
    return tid


def _tag_list(tags, empty_ok):
    """``tags`` (a str or a sequence of str) as a list of str."""
    if isinstance(tags, str):
        return [tags]
    try:
        items = list(tags)
    except TypeError:
        raise TypeError("tags must be a str or a sequence of str") from None
    if not items and not empty_ok:
        raise RuntimeError("tags must contain at least one value")
    for t in items:
        if not isinstance(t, str):
            raise TypeError("tags must be str, not %s" % type(t).__name__)
    return items


def send(tag, contents):
    """Send ``contents`` to ``tag``; never blocks.

    The contents are pickled here (errors raise here); cowns inside them
    travel as references and arrive as the same cowns.  Raises
    ``RuntimeError("Message queue is full")`` when the tag's queue or the
    memory budget is full (the message is not sent).
    """
    tid = _tag_id(tag)
    data, handles, token = _blob.pack(contents)
    view, addr = _blob._scratch()
    view[0] = tid
    view[1] = len(data)
    if handles is None:
        view[2] = view[3] = view[4] = 0
    else:
        view[2] = len(handles)
        view[3] = handles.buffer_info()[0]
        view[4] = token
    st = nogil.msg_send_packed(addr, data)
    if st != _ffi.OK:
        _blob.unpin(token)
        if st == _ffi.EFULL:
            raise RuntimeError("Message queue is full")
        _ffi.check(st, "send")


def _timeout_ns(timeout):
    """receive()'s timeout: None or negative = forever, 0 = poll once."""
    if timeout is None:
        return -1
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        try:
            timeout = float(timeout)
        except (TypeError, ValueError):
            raise TypeError("must be real number, not %s" % type(timeout).__name__) from None
    if math.isnan(timeout):
        raise ValueError("timeout must not be NaN")
    if timeout < 0 or timeout > 1e9:
        return -1
    return int(timeout * 1e9)


def receive(tags, timeout=-1, after=None):
    """Take the oldest message from ``tags`` (a str or a sequence of str).

    Returns ``(tag, contents)``.  ``timeout`` is in seconds: negative or
    None waits forever, 0 checks once.  On timeout returns ``after()`` if
    ``after`` is given, else ``(TIMEOUT, None)``.  With several tags, any
    tag that has a message may be chosen; each tag stays FIFO.
    """
    if isinstance(tags, str):
        ids = _single.get(tags)
        if ids is None:
            ids = _single[tags] = array("I", [_tag_id(tags)])
    else:
        ids = array("I", [_tag_id(t) for t in _tag_list(tags, empty_ok=False)])
    ns = -1 if timeout == -1 else _timeout_ns(timeout)
    n = len(ids)
    ids_addr = ids.buffer_info()[0]
    view, addr = _blob._scratch()
    view[0] = n
    view[1] = 0
    view[2] = ids_addr
    # First a poll that keeps the GIL; only if nothing is there, a wait
    # that releases it.
    st = nogil.msg_receive_packed(addr)
    if st == _ffi.ETIMEDOUT and ns != 0:
        io = ffi.cast("uint64_t *", addr)
        timeout_word = ffi.cast("int64_t *", addr + 8)

        def wait(slice_ns):
            timeout_word[0] = slice_ns  # may be negative: forever
            return lib.boc_msg_receive_packed(io)

        st = _ffi.sliced(wait, ns) if _current_thread() is _main_thread() else wait(ns)
    if st == _ffi.ETIMEDOUT:
        if after is not None:
            return after()
        return (TIMEOUT, None)
    if st:
        _ffi.check(st, "receive")
    tid, blob = view[0], view[1]
    try:
        if view[4] == 0:  # no cowns: the common case, inline
            contents = _loads(_string_at(view[2], view[3]))
        else:
            contents = _blob.unpack(view[2], view[3], view[4], view[5], view[6])
    finally:
        nogil.blob_release(blob)
        if _blob._pins:
            _blob.sweep()
    return (_names[tid], contents)


def drain(tags):
    """Throw away every message queued on ``tags`` (a str or a sequence of
    str; an empty sequence does nothing)."""
    names = _tag_list(tags, empty_ok=True)
    if not names:
        return
    ids = ffi.new("uint32_t[]", [_tag_id(t) for t in names])
    _ffi.check(lib.boc_msg_drain(ids, len(names), ffi.NULL), "drain")
    if _blob._pins:
        _blob.sweep()


def set_tags(tags):
    """Throw away every queued message on every tag, then make sure each
    tag in ``tags`` exists.  Main thread only (not inside a behavior).

    bocpy assigned its 16 queues here; libboc has a queue per tag (up to
    4096), so the list only pre-creates tags.  Call it before sending
    anything: messages already sent are discarded.
    """
    from .behaviors import _in_worker

    if _in_worker():
        raise RuntimeError("set_tags can only be called from the main interpreter")
    if not hasattr(tags, "__len__"):
        raise TypeError("Tags must provide __len__")
    if len(tags) > lib.BOC_MSG_MAX_TAGS:
        raise IndexError("Only %d or fewer tags supported" % lib.BOC_MSG_MAX_TAGS)
    items = list(tags)
    for t in items:
        if not isinstance(t, str):
            raise TypeError("tags must be str, not %s" % type(t).__name__)
    lib.boc_msg_clear(ffi.NULL)
    if _blob._pins:
        _blob.sweep()
    for t in items:
        _tag_id(t)
