"""Decoding files, with errors that name the byte and say what to do (GBK corpora, a BOM)."""

from __future__ import annotations

from pathlib import Path


def decode_hint(err: UnicodeDecodeError, encoding: str) -> str:
    byte = err.object[err.start : err.start + 1].hex()
    hint = (
        "if the file is GBK/GB18030 (common for Chinese corpora), pass --encoding gb18030 or convert "
        "it first: iconv -f GB18030 -t UTF-8 IN > OUT"
    )
    if encoding.lower().replace("-", "") not in ("utf8", "utf8sig"):
        hint = "check the --encoding you passed"
    return f"not valid {encoding}: byte 0x{byte} at offset {err.start}; {hint}"


def codec_name(encoding: str) -> str:
    # utf-8-sig strips a BOM and reads plain UTF-8 the same
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def read_text(path: str | Path, encoding: str) -> str:
    """Decode a whole file; raises UnicodeDecodeError with the original position."""
    with open(path, "rb") as f:
        return f.read().decode(codec_name(encoding))
