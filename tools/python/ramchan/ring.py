# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""Rings: records through a shared mapping, copied or zero-copy.

    with ramchan.Ring.create(size=1 << 16) as r:
        r.send(b"hello")
        r.recv()                        # b'hello'
        with r.reserve(5) as w:         # zero-copy: w.buf is the ring
            w.buf[:] = b"world"         # committed at the end of the block
        with r.peek() as rec:           # rec.buf: read-only view of the ring
            data = bytes(rec.buf)       # released at the end of the block

A Ring object holds one struct ramchan_ring: like the C one it belongs to
one thread at a time. The views of reserve() and peek() point into the
mapping; they are released by commit()/discard()/release() and by
close(), and must not be used afterwards (views sliced from them are not
tracked: do not keep them).
"""
import ctypes as C

from . import _lib
from . import _structs as S
from ._chan import Channel, ROLE_BOTH, _name

RING_PRODUCERS_GONE = 0x1
RING_CONSUMERS_GONE = 0x2
RING_BROKEN = 0x4

_L = _lib.lib


def _view(addr, n, readonly):
    mv = memoryview((C.c_char * n).from_address(addr)).cast("B")
    return mv.toreadonly() if readonly else mv


class Reservation:
    """Room for one record: fill buf (a writable memoryview), then commit()."""

    def __init__(self, ring, resv):
        self._ring = ring
        self._resv = resv
        self.buf = _view(resv.data, resv.len, False)
        self.done = False

    def __len__(self):
        return self._resv.len

    def _finish(self, fn):
        if self.done:
            raise ValueError("reservation already committed or discarded")
        self.done = True
        self.buf.release()
        self._ring._held.discard(self)
        fn(self._ring._r, self._resv)

    def commit(self):
        """Publish the record (reservations commit in reservation order)."""
        self._finish(_L.ramchan_ring_commit)

    def discard(self):
        """Give the room back as a record consumers skip."""
        self._finish(_L.ramchan_ring_discard)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if not self.done:
            self.commit() if exc_type is None else self.discard()


class Record:
    """A record in the ring: buf (a read-only memoryview), until release()."""

    def __init__(self, ring, rec):
        self._ring = ring
        self._rec = rec
        self.buf = _view(rec.data, rec.len, True)
        self.done = False

    def __len__(self):
        return self._rec.len

    def __bytes__(self):
        return bytes(self.buf)

    def release(self):
        """Step over the record and give its space back to producers."""
        if self.done:
            return
        self.done = True
        self.buf.release()
        self._ring._held.discard(self)
        _L.ramchan_ring_advance(self._ring._r, self._rec)
        _L.ramchan_ring_release(self._ring._r)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


class Ring(Channel):
    """A mapped ring. Make one with Ring.create() or Ring.open()."""

    def __init__(self, fd, spin_ns=None):
        """Map the ring of channel fd @fd (the Ring owns it from now on)."""
        super().__init__(fd)
        self._r = None
        self._held = set()
        r = S.RingStruct()
        ret = _L.ramchan_ring_map(r, fd)
        if ret < 0:
            self.close()
            _lib.check(ret)
        self._r = r
        if spin_ns is not None:
            _L.ramchan_ring_set_spin(r, spin_ns)

    @classmethod
    def create(cls, size, name=None, mode=None, role=ROLE_BOTH, flags=0,
               spin_ns=None):
        """A new ring of @size bytes (a power of two), named or not.

        @mode: permission bits of a named ring (default 0o600); an
        anonymous one has none."""
        if mode is None:
            mode = 0o600 if name is not None else 0
        fd = _lib.check(_L.ramchan_ring_create(_lib.ctl(), _name(name), size,
                                               mode, role, flags))
        return cls(fd, spin_ns)

    @classmethod
    def open(cls, name, role=ROLE_BOTH, flags=0, spin_ns=None):
        """Open the named ring @name with @role."""
        fd = _lib.check(_L.ramchan_chan_open(_lib.ctl(), _name(name), role,
                                             flags))
        return cls(fd, spin_ns)

    def _ring(self):
        if self._r is None:
            raise ValueError("I/O operation on closed ramchan ring")
        return self._r

    @property
    def size(self):
        return self._ring().size

    @property
    def role(self):
        return self._ring().role

    @property
    def max_record(self):
        """Largest payload one record can carry."""
        return _L.ramchan_ring_max_record(self._ring())

    @property
    def flags(self):
        """RING_PRODUCERS_GONE, RING_CONSUMERS_GONE, RING_BROKEN bits."""
        return _L.ramchan_ring_flags(self._ring())

    def set_spin(self, spin_ns):
        """How long blocking calls spin before they sleep."""
        _L.ramchan_ring_set_spin(self._ring(), spin_ns)

    # ---- zero-copy -----------------------------------------------------

    def reserve(self, n, block=True, timeout=None):
        """Room for a record of @n bytes: a Reservation (commit it).

        block=False: BlockingIOError (EAGAIN) when the ring is full.
        timeout (seconds): TimeoutError at the deadline."""
        r, resv = self._ring(), S.Resv()
        if block:
            ret = _L.ramchan_ring_reserve_wait(r, n, resv,
                                               _lib.deadline(timeout))
        else:
            ret = _L.ramchan_ring_reserve(r, n, resv)
        _lib.check(ret)
        res = Reservation(self, resv)
        self._held.add(res)
        return res

    def peek(self, block=True, timeout=None):
        """The next record, not consumed: a Record (release it).

        block=False: BlockingIOError when the ring is empty; at the end
        (no producer left, drained): BrokenPipeError."""
        r, rec = self._ring(), S.Rec()
        if block:
            ret = _L.ramchan_ring_peek_wait(r, rec, _lib.deadline(timeout))
        else:
            ret = _L.ramchan_ring_peek(r, rec)
        _lib.check(ret)
        res = Record(self, rec)
        self._held.add(res)
        return res

    # ---- copies --------------------------------------------------------

    def send(self, data, block=True, timeout=None):
        """Copy @data (bytes-like) in as one record."""
        data = memoryview(data).cast("B")
        n = data.nbytes
        w = self.reserve(n, block, timeout)
        try:
            w.buf[:] = data
        except BaseException:
            w.discard()
            raise
        w.commit()

    def recv(self, block=True, timeout=None):
        """Copy the next record out: bytes."""
        rec = self.peek(block, timeout)
        try:
            return bytes(rec.buf)
        finally:
            rec.release()

    def close(self):
        """Unmap and close (views still held are released first)."""
        for h in list(self._held):
            h.buf.release()
            if isinstance(h, Reservation) and not h.done:
                h.done = True
                _L.ramchan_ring_discard(self._r, h._resv)
        self._held.clear()
        r, self._r = self._r, None
        if r is not None:
            _L.ramchan_ring_unmap(r)
        super().close()
