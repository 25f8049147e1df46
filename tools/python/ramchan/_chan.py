# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""What rings and queues share: an fd, close(), fileno(), with-blocks."""
import os

from . import _lib

ROLE_PRODUCER = 0x1
ROLE_CONSUMER = 0x2
ROLE_BOTH = 0x3
F_NOCLOEXEC = 0x1
F_NONBLOCK = 0x2


def _name(name):
    if name is None:
        return None
    return name.encode() if isinstance(name, str) else bytes(name)


def unlink(name):
    """Remove a channel's name (it lives on while fds refer to it)."""
    _lib.check(_lib.lib.ramchan_chan_unlink(_lib.ctl(), _name(name)))


class Channel:
    """A channel fd; close() or a with-block closes it."""

    _fd = -1

    def __init__(self, fd):
        self._fd = fd

    def fileno(self):
        """The channel fd, for select, selectors, asyncio's add_reader."""
        if self._fd < 0:
            raise ValueError("I/O operation on closed ramchan channel")
        return self._fd

    @property
    def closed(self):
        return self._fd < 0

    def close(self):
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def fdinfo(self):
        """What /proc/self/fdinfo says of the fd: dict id, kind, role, flags."""
        with open("/proc/self/fdinfo/%d" % self.fileno(), "rb") as f:
            text = f.read()
        info = _lib.S.FdInfo()
        _lib.check(_lib.lib.ramchan_fdinfo_parse(text, info))
        kind = _lib.lib.ramchan_kind_name(info.kind)
        return {"id": info.id, "kind": kind.decode() if kind else None,
                "role": info.role, "flags": info.flags}
