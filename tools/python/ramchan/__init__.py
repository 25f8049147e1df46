# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""ramchan: Python bindings of libramchan.so.0 (ctypes, no compiler needed).

    import ramchan
    with ramchan.Ring.create(size=1 << 16) as r:      # anonymous ring
        r.send(b"hi"); r.recv()
    q = ramchan.Queue.create(name="jobs", depth=16, msg_size=256)
    other = ramchan.Queue.open("jobs")                  # a second fd
    q.send(b"x", prio=3); other.recv()                  # (b'x', 3)
    ramchan.unlink("jobs")

Errors are OSError subclasses with errno set, as the library's -errno
returns map (BlockingIOError for EAGAIN, BrokenPipeError for EPIPE,
TimeoutError for ETIMEDOUT, FileNotFoundError for ENOENT, ...).
Every channel has fileno() for select/selectors/asyncio, close() and is a
context manager. The library: $RAMCHAN_LIB, else libramchan.so.0.
"""
from ._chan import (Channel, unlink, ROLE_PRODUCER, ROLE_CONSUMER,  # noqa
                    ROLE_BOTH, F_NOCLOEXEC, F_NONBLOCK)
from ._lib import lib, SONAME  # noqa: F401
from . import _lib, _structs
from .ring import (Ring, Reservation, Record, RING_PRODUCERS_GONE,  # noqa
                   RING_CONSUMERS_GONE, RING_BROKEN)
from .mq import (Queue, Attr, MQ_PRIO_MAX, MQ_OVERFLOW_BLOCK,  # noqa: F401
                 MQ_OVERFLOW_REJECT, MQ_OVERFLOW_DROP_OLDEST)

__all__ = ["Ring", "Queue", "Reservation", "Record", "Channel", "Attr",
           "unlink", "info", "features", "now_ns", "ROLE_PRODUCER",
           "ROLE_CONSUMER", "ROLE_BOTH", "F_NOCLOEXEC", "F_NONBLOCK",
           "RING_PRODUCERS_GONE", "RING_CONSUMERS_GONE", "RING_BROKEN",
           "MQ_PRIO_MAX", "MQ_OVERFLOW_BLOCK", "MQ_OVERFLOW_REJECT",
           "MQ_OVERFLOW_DROP_OLDEST"]


def info():
    """What the module offers (RAMCHAN_IOC_INFO): a dict of its fields."""
    i = _structs.Info()
    _lib.check(lib.ramchan_get_info(_lib.ctl(), i))
    return {f: getattr(i, f) for f, _ in i._fields_ if f != "reserved"}


def features(bits=None):
    """The names of feature bits (default: those the module reports)."""
    if bits is None:
        bits = info()["features"]
    out, b = [], 1
    while b <= bits:
        if bits & b:
            n = lib.ramchan_feature_name(b)
            out.append(n.decode() if n else hex(b))
        b <<= 1
    return out


def now_ns():
    """CLOCK_MONOTONIC now, as the deadlines count."""
    return lib.ramchan_now_ns()
