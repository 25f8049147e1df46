# SPDX-License-Identifier: LGPL-2.1 OR MIT
"""The ctypes mirrors against the C headers: every size and field offset.

Host only: compiles a tiny C program with the headers of this checkout
(tools/lib/ramchan.h, uapi/linux/ramchan.h) and compares what it prints
with ctypes.sizeof()/offsetof. Skipped without a C compiler or without
the headers (in the guest). Needs no library and no /dev/ramchan.
"""
import os
import shutil
import subprocess
import tempfile
import unittest
import importlib.util

HERE = os.path.dirname(os.path.abspath(__file__))
# _structs.py by path: the package itself would load the library.
_spec = importlib.util.spec_from_file_location(
    "ramchan_structs", os.path.join(HERE, "..", "ramchan", "_structs.py"))
_structs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_structs)
TOP = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
HDR = os.path.join(TOP, "tools", "lib", "ramchan.h")
UAPI = os.path.join(TOP, "uapi")
CC = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


@unittest.skipUnless(CC and os.path.exists(HDR), "no C compiler or headers")
class TestAbi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        lines = ["#include <stdio.h>", "#include <stddef.h>",
                 '#include "ramchan.h"', "int main(void) {"]
        for cname, py in _structs.MIRRORS.items():
            lines.append('printf("%s %%zu\\n", sizeof(%s));'
                         % (cname.replace(" ", "."), cname))
            for f, _ in py._fields_:
                lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));'
                             % (cname.replace(" ", "."), f, cname, f))
        lines += ["return 0; }"]
        with tempfile.TemporaryDirectory() as d:
            src, exe = os.path.join(d, "abi.c"), os.path.join(d, "abi")
            with open(src, "w") as fh:
                fh.write("\n".join(lines) + "\n")
            subprocess.run([CC, "-std=gnu11", "-I", os.path.dirname(HDR),
                            "-I", UAPI, "-o", exe, src], check=True)
            out = subprocess.run([exe], check=True, capture_output=True,
                                 text=True).stdout
        cls.c = dict((k, int(v)) for k, v in
                     (ln.split() for ln in out.splitlines()))

    def test_sizes_and_offsets(self):
        for cname, py in _structs.MIRRORS.items():
            key = cname.replace(" ", ".")
            with self.subTest(struct=cname):
                self.assertEqual(self.c[key], __import__("ctypes").sizeof(py))
                for f, _ in py._fields_:
                    self.assertEqual(self.c[key + "." + f],
                                     getattr(py, f).offset, f)


if __name__ == "__main__":
    unittest.main()
