# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""Loading libramchan.so.0 and declaring the prototypes of its functions.

The library is looked up as RAMCHAN_LIB says (a path), then by its soname
libramchan.so.0 (the dynamic loader's search path), then through
ctypes.util.find_library("ramchan").  CDLL releases the GIL around every
call, so the blocking calls do not stall other threads.
"""
import ctypes as C
import ctypes.util
import os

from . import _structs as S

SONAME = "libramchan.so.0"


def _load():
    tried = []
    env = os.environ.get("RAMCHAN_LIB")
    cands = [env] if env else []
    cands.append(SONAME)
    for name in cands + [None]:
        if name is None:    # last resort: ldconfig -p, gcc, ld (slow)
            name = ctypes.util.find_library("ramchan")
            if name is None:
                break
        try:
            return C.CDLL(name, use_errno=False)
        except OSError as e:
            tried.append("%s: %s" % (name, e))
    raise ImportError("ramchan: cannot load libramchan (set RAMCHAN_LIB): " +
                      "; ".join(tried))


lib = _load()

_int, _uint, u32, u64 = C.c_int, C.c_uint, C.c_uint32, C.c_uint64
_vp, _cp = C.c_void_p, C.c_char_p
_ring = C.POINTER(S.RingStruct)
_resv = C.POINTER(S.Resv)
_rec = C.POINTER(S.Rec)

_PROTOS = {
    "ramchan_open_dev": (_int, []),
    "ramchan_get_info": (_int, [_int, C.POINTER(S.Info)]),
    "ramchan_ring_create": (_int, [_int, _cp, u64, _uint, _uint, _uint]),
    "ramchan_chan_open": (_int, [_int, _cp, _uint, _uint]),
    "ramchan_chan_unlink": (_int, [_int, _cp]),
    "ramchan_chan_dup": (_int, [_int, _uint, _uint]),
    "ramchan_ring_layout": (_int, [_int, C.POINTER(S.RingLayout)]),
    "ramchan_now_ns": (u64, []),
    "ramchan_deadline_in": (u64, [u64]),
    "ramchan_feature_name": (_cp, [u64]),
    "ramchan_features_known": (u64, []),
    "ramchan_kind_name": (_cp, [_uint]),
    "ramchan_fdinfo_parse": (_int, [_cp, C.POINTER(S.FdInfo)]),
    "ramchan_ring_map": (_int, [_ring, _int]),
    "ramchan_ring_unmap": (None, [_ring]),
    "ramchan_ring_max_record": (u64, [_ring]),
    "ramchan_ring_flags": (u32, [_ring]),
    "ramchan_ring_reserve": (_int, [_ring, u32, _resv]),
    "ramchan_ring_reserve_wait": (_int, [_ring, u32, _resv, u64]),
    "ramchan_ring_commit": (None, [_ring, _resv]),
    "ramchan_ring_discard": (None, [_ring, _resv]),
    "ramchan_ring_peek": (_int, [_ring, _rec]),
    "ramchan_ring_peek_wait": (_int, [_ring, _rec, u64]),
    "ramchan_ring_advance": (None, [_ring, _rec]),
    "ramchan_ring_release": (None, [_ring]),
    "ramchan_ring_consume": (None, [_ring, _rec]),
    "ramchan_ring_set_spin": (None, [_ring, u64]),
    "ramchan_ring_send": (_int, [_ring, _vp, u32, u64]),
    "ramchan_ring_recv": (_int, [_ring, _vp, u32, u64]),
    "ramchan_mq_create": (_int, [_int, C.POINTER(S.MqOpts)]),
    "ramchan_mq_send": (_int, [_int, _vp, u32, u32, _uint, u64]),
    "ramchan_mq_recv": (_int, [_int, _vp, u32, C.POINTER(u32), _uint, u64]),
    "ramchan_mq_getattr": (_int, [_int, C.POINTER(S.MqAttr)]),
    "ramchan_mq_setattr": (_int, [_int, _uint, u32, u32,
                                  C.POINTER(S.MqAttr)]),
    "ramchan_mq_notify": (_int, [_int, _int]),
}

for _name, (_res, _args) in _PROTOS.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args


def check(ret):
    """Raise the OSError subclass of a negative errno return; else pass it."""
    if ret < 0:
        raise OSError(-ret, os.strerror(-ret))
    return ret


def deadline(timeout):
    """Absolute CLOCK_MONOTONIC deadline of a timeout in seconds (None: 0)."""
    if timeout is None:
        return 0
    return lib.ramchan_deadline_in(max(0, int(timeout * 1e9))) or 1


_ctl = None


def ctl():
    """The process's /dev/ramchan control fd, opened on first use."""
    global _ctl
    if _ctl is None:
        _ctl = check(lib.ramchan_open_dev())
    return _ctl
