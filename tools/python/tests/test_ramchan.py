# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""The ramchan Python package against the module (run in the guest).

    tools/vm/run ... --add tools/python:/python -- \
        'PYTHONPATH=/python python3 -m unittest discover -s /python/tests -v'

Skipped where /dev/ramchan is missing, unless RAMCHAN_PY_REQUIRE=1 (what
selftests/ramchan/python_test.sh sets), which makes that a failure.
"""
import asyncio
import errno
import os
import selectors
import threading
import unittest

HAVE_DEV = os.path.exists("/dev/ramchan")
REQUIRE = os.environ.get("RAMCHAN_PY_REQUIRE") == "1"
if HAVE_DEV or REQUIRE:
    import ramchan
SKIP = not HAVE_DEV and not REQUIRE

P = "py%d" % os.getpid()


@unittest.skipIf(SKIP, "no /dev/ramchan")
class TestRing(unittest.TestCase):
    def setUp(self):
        self.r = ramchan.Ring.create(size=1 << 16)

    def tearDown(self):
        self.r.close()

    def test_send_recv_in_order(self):
        msgs = [b"a", b"hello", bytes(range(256)) * 10, bytearray(b"ba"),
                memoryview(b"mv")]
        for m in msgs:
            self.r.send(m)
        for m in msgs:
            got = self.r.recv()
            self.assertIsInstance(got, bytes)
            self.assertEqual(got, bytes(m))

    def test_properties(self):
        self.assertEqual(self.r.size, 1 << 16)
        self.assertEqual(self.r.role, ramchan.ROLE_BOTH)
        self.assertEqual(self.r.max_record, (1 << 16) - 8)
        self.assertEqual(self.r.flags, 0)
        self.assertEqual(self.r.fdinfo()["kind"], "ring")

    def test_zero_copy_round_trip(self):
        with self.r.reserve(11) as w:
            self.assertEqual(len(w.buf), 11)
            self.assertFalse(w.buf.readonly)
            w.buf[:] = b"zero-copy!!"
        w2 = self.r.reserve(4)
        w2.buf[:] = b"gone"
        w2.discard()                    # consumers skip it
        w3 = self.r.reserve(3)
        w3.buf[0:3] = b"xyz"
        w3.commit()
        with self.r.peek() as rec:
            self.assertTrue(rec.buf.readonly)
            self.assertEqual(bytes(rec.buf), b"zero-copy!!")
            peeked_again = self.r.peek(block=False)
            self.assertEqual(bytes(peeked_again.buf), b"zero-copy!!")
        with self.assertRaises(ValueError):   # the view died with release
            bytes(rec.buf)
        self.assertEqual(self.r.recv(block=False), b"xyz")
        with self.assertRaises(BlockingIOError):
            self.r.peek(block=False)

    def test_zero_copy_wraps(self):
        with ramchan.Ring.create(size=4096) as r:
            for i in range(2000):
                data = (b"%05d" % i) * (1 + i % 50)
                with r.reserve(len(data)) as w:
                    w.buf[:] = data
                with r.peek(block=False) as rec:
                    self.assertEqual(rec.buf.tobytes(), data)
            self.assertGreater(r._r.cursor, 4096 * 10)

    def test_reserve_exception_discards(self):
        with self.assertRaises(RuntimeError):
            with self.r.reserve(3) as w:
                w.buf[:] = b"bad"
                raise RuntimeError
        self.r.send(b"good")
        self.assertEqual(self.r.recv(block=False), b"good")

    def test_nonblock_eagain(self):
        with self.assertRaises(BlockingIOError) as cm:
            self.r.recv(block=False)
        self.assertIsInstance(cm.exception, OSError)
        self.assertEqual(cm.exception.errno, errno.EAGAIN)
        with ramchan.Ring.create(size=4096) as small:
            small.send(b"x" * 4000, block=False)
            with self.assertRaises(OSError) as cm:
                small.send(b"y" * 100, block=False)
            self.assertEqual(cm.exception.errno, errno.EAGAIN)
            with self.assertRaises(OSError) as cm:
                small.send(b"y" * 5000, block=False)
            self.assertEqual(cm.exception.errno, errno.EMSGSIZE)

    def test_timeout(self):
        with self.assertRaises(TimeoutError) as cm:
            self.r.recv(timeout=0.05)
        self.assertEqual(cm.exception.errno, errno.ETIMEDOUT)

    def test_blocking_recv_from_thread(self):
        t = threading.Timer(0.1, self.r.send, (b"later",))
        t.start()
        try:
            self.assertEqual(self.r.recv(timeout=10), b"later")
        finally:
            t.join()

    def test_selectors_readiness(self):
        with selectors.DefaultSelector() as sel:
            sel.register(self.r, selectors.EVENT_READ)
            self.assertEqual(sel.select(0), [])
            self.r.send(b"ready")
            ev = sel.select(5)
            self.assertEqual(len(ev), 1)
            self.assertEqual(ev[0][0].fileobj, self.r)
            self.assertTrue(ev[0][1] & selectors.EVENT_READ)
            self.assertEqual(self.r.recv(block=False), b"ready")
            self.assertEqual(sel.select(0), [])

    def test_asyncio_add_reader(self):
        async def main():
            loop = asyncio.get_running_loop()
            fut = loop.create_future()

            def readable():
                try:
                    fut.set_result(self.r.recv(block=False))
                except BlockingIOError:
                    return
                loop.remove_reader(self.r.fileno())
            loop.add_reader(self.r.fileno(), readable)
            loop.call_later(0.05, self.r.send, b"async")
            return await asyncio.wait_for(fut, 10)
        self.assertEqual(asyncio.run(main()), b"async")

    def test_end_of_stream_epipe(self):
        name = P + "-eof"
        prod = ramchan.Ring.create(size=4096, name=name,
                                   role=ramchan.ROLE_PRODUCER)
        cons = ramchan.Ring.open(name, role=ramchan.ROLE_CONSUMER)
        ramchan.unlink(name)
        prod.send(b"last")
        prod.close()
        self.assertEqual(cons.recv(block=False), b"last")
        with self.assertRaises(BrokenPipeError) as cm:
            cons.recv(timeout=5)
        self.assertEqual(cm.exception.errno, errno.EPIPE)
        cons.close()

    def test_close_and_context_manager(self):
        with ramchan.Ring.create(size=4096) as r:
            fd = r.fileno()
            held = r.reserve(2)
        self.assertTrue(r.closed)
        with self.assertRaises(ValueError):
            r.fileno()
        with self.assertRaises(ValueError):
            r.send(b"x")
        with self.assertRaises(ValueError):
            bytes(held.buf)
        with self.assertRaises(OSError):
            os.fstat(fd)
        r.close()                       # twice is fine


@unittest.skipIf(SKIP, "no /dev/ramchan")
class TestNamed(unittest.TestCase):
    def test_ring_open_from_second_object(self):
        name = P + "-ring"
        with ramchan.Ring.create(size=8192, name=name) as a:
            with ramchan.Ring.open(name, role=ramchan.ROLE_CONSUMER) as b:
                self.assertEqual(b.role, ramchan.ROLE_CONSUMER)
                self.assertEqual(b.size, 8192)
                a.send(b"across")
                self.assertEqual(b.recv(timeout=5), b"across")
                with self.assertRaises(FileExistsError):
                    ramchan.Ring.create(size=4096, name=name)
            ramchan.unlink(name)
        with self.assertRaises(FileNotFoundError) as cm:
            ramchan.Ring.open(name)
        self.assertEqual(cm.exception.errno, errno.ENOENT)

    def test_queue_open_from_second_object(self):
        name = P + "-q"
        with ramchan.Queue.create(name=name, depth=4, msg_size=64) as a, \
                ramchan.Queue.open(name, role=ramchan.ROLE_CONSUMER) as b:
            a.send(b"q-across", prio=2)
            self.assertEqual(b.recv(timeout=5), (b"q-across", 2))
            ramchan.unlink(name)
        with self.assertRaises(FileNotFoundError):
            ramchan.unlink(name)


@unittest.skipIf(SKIP, "no /dev/ramchan")
class TestQueue(unittest.TestCase):
    def setUp(self):
        self.q = ramchan.Queue.create(depth=8, msg_size=128)

    def tearDown(self):
        self.q.close()

    def test_priorities(self):
        for data, prio in [(b"low", 1), (b"high1", 5), (b"mid", 3),
                           (b"high2", 5), (b"", 0)]:
            self.q.send(data, prio=prio)
        self.assertEqual(self.q.getattr().count, 5)
        self.assertEqual(self.q.recv(peek=True), (b"high1", 5))
        got = [self.q.recv(block=False) for _ in range(5)]
        self.assertEqual(got, [(b"high1", 5), (b"high2", 5), (b"mid", 3),
                               (b"low", 1), (b"", 0)])

    def test_attr(self):
        a = self.q.getattr()
        self.assertEqual((a.depth, a.msg_size, a.count), (8, 128, 0))
        self.assertEqual(self.q.fdinfo()["kind"], "mq")

    def test_nonblock_eagain_and_errors(self):
        with self.assertRaises(BlockingIOError) as cm:
            self.q.recv(block=False)
        self.assertEqual(cm.exception.errno, errno.EAGAIN)
        with self.assertRaises(OSError) as cm:
            self.q.send(b"x" * 129)
        self.assertEqual(cm.exception.errno, errno.EMSGSIZE)
        for i in range(8):
            self.q.send(b"%d" % i, block=False)
        with self.assertRaises(BlockingIOError):
            self.q.send(b"full", block=False)
        with self.assertRaises(TimeoutError):
            self.q.send(b"full", timeout=0.05)
        with self.assertRaises(OSError) as cm:
            self.q.recv(maxsize=0)
        self.assertEqual(cm.exception.errno, errno.EMSGSIZE)

    def test_selectors_readiness(self):
        with selectors.DefaultSelector() as sel:
            sel.register(self.q.fileno(), selectors.EVENT_READ)
            self.assertEqual(sel.select(0), [])
            self.q.send(b"ping", prio=7)
            ev = sel.select(5)
            self.assertEqual([k.fd for k, _ in ev], [self.q.fileno()])
            self.assertEqual(self.q.recv(block=False), (b"ping", 7))
            self.assertEqual(sel.select(0), [])


@unittest.skipIf(SKIP, "no /dev/ramchan")
class TestModule(unittest.TestCase):
    def test_info_and_features(self):
        i = ramchan.info()
        self.assertEqual(i["abi_version"], 1)
        self.assertIn("ring", ramchan.features())
        self.assertIn("mq", ramchan.features())
        self.assertGreater(ramchan.now_ns(), 0)


if __name__ == "__main__":
    unittest.main()
