"""Texts as arrays of Unicode code points, with a class byte per code point (whitespace, sentence
terminator), so that characters, words and n-grams are counted with numpy instead of a Python loop."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TERMINATORS = "。！？!?；;….\n"
# one class byte per code point of the Basic Multilingual Plane: 1 = whitespace (str.isspace), 2 = a
# sentence terminator; code points above it (emoji, rare CJK) are ordinary characters
SPACE, TERM = 1, 2
_CLASS = np.zeros(0x10000, np.uint8)
_CLASS[[i for i in range(0x3001) if chr(i).isspace()]] |= SPACE
_CLASS[[ord(c) for c in TERMINATORS]] |= TERM


def codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(code points of all texts joined, start offset of each text plus the total at the end)."""
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(lens, out=starts[1:])
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return cp, starts


def char_class(cp: np.ndarray) -> np.ndarray:
    cls = _CLASS[cp & 0xFFFF]
    high = cp > 0xFFFF
    if high.any():
        cls[high] = 0
    return cls


@dataclass
class CharArrays:
    """Some utterances as one code-point array: their start offsets, and a class byte per code point."""

    cp: np.ndarray
    starts: np.ndarray
    cls: np.ndarray

    @classmethod
    def of(cls_, texts: list[str]) -> CharArrays:
        cp, starts = codepoints(texts)
        return cls_(cp, starts, char_class(cp))

    def utt(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.starts) - 1, dtype=np.int32), np.diff(self.starts))


CHUNK_CHARS = 1 << 20  # utterances are processed in pieces of about this many characters (cache-sized)


def chunks(texts: list[str], size: int | None = None):
    """(start, end) index ranges of consecutive texts holding about `size` characters each (CHUNK_CHARS,
    read at the call, by default)."""
    size = CHUNK_CHARS if size is None else size
    lo, acc = 0, 0
    for i, t in enumerate(texts):
        acc += len(t)
        if acc >= size:
            yield lo, i + 1
            lo, acc = i + 1, 0
    if lo < len(texts) or not texts:
        yield lo, len(texts)


def char_ids(texts: list[str], select: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The `char` tokenizer (every non-whitespace character) as code-point ids, without a Python loop;
    `select` (one bool per text) keeps some texts only."""
    a = CharArrays.of(texts)
    keep = (a.cls & SPACE) == 0
    seg = a.utt()
    if select is not None:
        keep &= select[seg]
    return a.cp[keep], seg[keep]
