# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""Message queues: discrete messages with priorities, copied by the kernel.

    with ramchan.Queue.create(depth=64, msg_size=8192) as q:
        q.send(b"urgent", prio=5)
        data, prio = q.recv()
"""
import collections
import ctypes as C

from . import _lib
from . import _structs as S
from ._chan import Channel, ROLE_BOTH, _name

MQ_PRIO_MAX = 32768
MQ_OVERFLOW_BLOCK = 0
MQ_OVERFLOW_REJECT = 1
MQ_OVERFLOW_DROP_OLDEST = 2
MQ_NONBLOCK = 0x1
MQ_SPIN = 0x2
MQ_PEEK = 0x4
MQ_ATTR_NONBLOCK = 0x1
MQ_SET_FLAGS = 0x1
MQ_SET_SPIN = 0x2

_L = _lib.lib

Attr = collections.namedtuple(
    "Attr", "flags msg_size depth count bytes overflow spin_us drops rejects")


def _attr(a):
    return Attr(a.flags, a.msg_size, a.depth, a.count, a.bytes, a.overflow,
                a.spin_us, a.drops, a.rejects)


class Queue(Channel):
    """A message queue fd. Make one with Queue.create() or Queue.open()."""

    def __init__(self, fd):
        super().__init__(fd)
        self._buf = None

    @classmethod
    def create(cls, depth=64, msg_size=8192, name=None, overflow=0,
               spin_us=0, mode=None, role=ROLE_BOTH, flags=0):
        """A new queue of at most @depth messages of @msg_size bytes.

        @mode: as for Ring.create() (0o600 when named, none otherwise)."""
        if mode is None:
            mode = 0o600 if name is not None else 0
        o = S.MqOpts(name=_name(name), depth=depth, msg_size=msg_size,
                     overflow=overflow, spin_us=spin_us, mode=mode, role=role,
                     flags=flags)
        return cls(_lib.check(_L.ramchan_mq_create(_lib.ctl(), o)))

    @classmethod
    def open(cls, name, role=ROLE_BOTH, flags=0):
        """Open the named queue @name with @role."""
        return cls(_lib.check(_L.ramchan_chan_open(_lib.ctl(), _name(name),
                                                   role, flags)))

    def getattr(self):
        """The queue's attributes: an Attr named tuple."""
        a = S.MqAttr()
        _lib.check(_L.ramchan_mq_getattr(self.fileno(), a))
        return _attr(a)

    def setattr(self, flags=None, spin_us=None):
        """Change the fd's flags and/or the queue's spin; the old Attr."""
        set_ = (MQ_SET_FLAGS if flags is not None else 0) | \
               (MQ_SET_SPIN if spin_us is not None else 0)
        a = S.MqAttr()
        _lib.check(_L.ramchan_mq_setattr(self.fileno(), set_, flags or 0,
                                         spin_us or 0, a))
        return _attr(a)

    def send(self, data, prio=0, block=True, timeout=None):
        """Send @data (bytes-like) with priority @prio."""
        data = bytes(data)
        _lib.check(_L.ramchan_mq_send(self.fileno(), data, len(data), prio,
                                      0 if block else MQ_NONBLOCK,
                                      _lib.deadline(timeout)))

    def recv(self, block=True, timeout=None, peek=False, maxsize=None):
        """The oldest message of the highest priority: (bytes, prio).

        peek=True leaves it queued. A message longer than @maxsize (default
        the queue's msg_size) stays queued: OSError EMSGSIZE."""
        if maxsize is None:
            if self._buf is None:
                self._buf = C.create_string_buffer(
                    max(1, self.getattr().msg_size))
            buf = self._buf
        else:
            buf = C.create_string_buffer(max(1, maxsize))
        prio = C.c_uint32()
        flags = (0 if block else MQ_NONBLOCK) | (MQ_PEEK if peek else 0)
        n = _lib.check(_L.ramchan_mq_recv(self.fileno(), buf,
                                          maxsize if maxsize is not None
                                          else len(buf), C.byref(prio),
                                          flags, _lib.deadline(timeout)))
        return buf.raw[:n], prio.value

    def notify(self, eventfd):
        """Signal @eventfd when the queue becomes non-empty; -1 clears."""
        _lib.check(_L.ramchan_mq_notify(self.fileno(), eventfd))
