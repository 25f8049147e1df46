# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""ctypes mirrors of the structs of ramchan.h and <linux/ramchan.h>.

Field for field as the C headers declare them (64-bit Linux); the sizes
are asserted below with the numbers ffi.c asserts, and
tests/test_abi.py compares every size and offset with a compiled C
program on a host with a compiler.  No library is needed to import this.
"""
import ctypes as C

u32 = C.c_uint32
u64 = C.c_uint64


class RingInfo(C.Structure):
    """struct ramchan_ring_info: the ring's read-only info page."""
    _fields_ = [("size", u64), ("flags", u32), ("readers_waiting", u32),
                ("writers_waiting", u32), ("producers", u32),
                ("consumers", u32), ("reserved", u32)]


class RingConsumerPage(C.Structure):
    """struct ramchan_ring_consumer."""
    _fields_ = [("tail", u64), ("records", u64), ("high_water", u64),
                ("pad", u64 * 5)]


class RingStruct(C.Structure):
    """struct ramchan_ring (256 bytes; the inline fast path's state)."""
    _fields_ = [
        ("fd", C.c_int), ("role", C.c_uint),
        ("size", u64), ("mask", u64),
        ("head", C.POINTER(u64)), ("reserve", C.POINTER(u64)),
        ("tail", C.POINTER(u64)),
        ("info", C.POINTER(RingInfo)), ("prod", C.c_void_p),
        ("cons", C.POINTER(RingConsumerPage)), ("data", C.c_void_p),
        ("cached_tail", u64), ("cached_head", u64), ("cursor", u64),
        ("released", u64), ("records", u64),
        ("pending", C.c_bool), ("pending_end", u64), ("spin_ns", u64),
        ("info_len", u64), ("prod_len", u64), ("cons_len", u64),
        ("data_len", u64), ("reserved", u64 * 10),
    ]


class Resv(C.Structure):
    """struct ramchan_resv."""
    _fields_ = [("pos", u64), ("total", u64), ("len", u32),
                ("reserved", u32), ("data", C.c_void_p)]


class Rec(C.Structure):
    """struct ramchan_rec."""
    _fields_ = [("pos", u64), ("total", u64), ("len", u32),
                ("reserved", u32), ("data", C.c_void_p)]


class MqOpts(C.Structure):
    """struct ramchan_mq_opts (reserved must stay zero)."""
    _fields_ = [("name", C.c_char_p), ("depth", u32), ("msg_size", u32),
                ("overflow", u32), ("spin_us", u32), ("mode", C.c_uint),
                ("role", C.c_uint), ("flags", C.c_uint),
                ("reserved", u32 * 7)]


class FdInfo(C.Structure):
    """struct ramchan_fdinfo."""
    _fields_ = [("id", u64), ("kind", C.c_uint), ("role", C.c_uint),
                ("flags", C.c_uint), ("reserved", u32 * 7)]


class Info(C.Structure):
    """struct ramchan_info (RAMCHAN_IOC_INFO)."""
    _fields_ = [("flags", u32), ("abi_version", u32), ("features", u64),
                ("max_ring_bytes", u64), ("max_channels", u32),
                ("max_channels_per_user", u32), ("name_max", u32),
                ("page_size", u32), ("mq_max_depth", u32),
                ("mq_max_msg_size", u32), ("mq_max_spin_us", u32),
                ("mq_max_batch", u32), ("reserved", u64 * 2)]


class RingLayout(C.Structure):
    """struct ramchan_ring_layout (RAMCHAN_IOC_RING_LAYOUT)."""
    _fields_ = [("size", u64), ("info_offset", u64),
                ("producer_offset", u64), ("consumer_offset", u64),
                ("data_offset", u64), ("info_size", u64),
                ("producer_size", u64), ("consumer_size", u64),
                ("data_map_size", u64), ("head_offset", u32),
                ("reserve_offset", u32), ("tail_offset", u32),
                ("role", u32), ("reserved", u64 * 4)]


class MqVec(C.Structure):
    """struct ramchan_mq_vec (one message of a batch)."""
    _fields_ = [("buf", u64), ("len", u32), ("prio", u32), ("error", u32),
                ("reserved", u32)]


class MqAttr(C.Structure):
    """struct ramchan_mq_attr."""
    _fields_ = [("flags", u32), ("set", u32), ("msg_size", u64),
                ("depth", u32), ("count", u32), ("bytes", u64),
                ("overflow", u32), ("spin_us", u32), ("drops", u64),
                ("rejects", u64), ("reserved", u64 * 2)]


# C name -> ctypes mirror: what tests/test_abi.py checks against the headers.
MIRRORS = {
    "struct ramchan_ring_info": RingInfo,
    "struct ramchan_ring_consumer": RingConsumerPage,
    "struct ramchan_ring": RingStruct,
    "struct ramchan_resv": Resv,
    "struct ramchan_rec": Rec,
    "struct ramchan_mq_opts": MqOpts,
    "struct ramchan_fdinfo": FdInfo,
    "struct ramchan_info": Info,
    "struct ramchan_ring_layout": RingLayout,
    "struct ramchan_mq_vec": MqVec,
    "struct ramchan_mq_attr": MqAttr,
}

if C.sizeof(C.c_void_p) == 8:
    # The same numbers tools/lib/ffi.c and the uapi *_SIZE_VER0 assert.
    assert C.sizeof(RingStruct) == 256, "struct ramchan_ring"
    assert C.sizeof(Resv) == 32 and C.sizeof(Rec) == 32, "resv, rec"
    assert C.sizeof(MqOpts) == 64, "struct ramchan_mq_opts"
    assert C.sizeof(FdInfo) == 48, "struct ramchan_fdinfo"
    assert C.sizeof(Info) == 72, "struct ramchan_info"
    assert C.sizeof(RingLayout) == 120, "struct ramchan_ring_layout"
    assert C.sizeof(MqAttr) == 72, "struct ramchan_mq_attr"
