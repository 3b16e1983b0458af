"""Reply and reference files as the eval commands read them: plain lines or JSONL, systems paired with
their references, and the systems whose replies `eval run` wrote into a directory."""

from __future__ import annotations

import json
from pathlib import Path

from .. import jsonio

TEXT_KEYS = ("reply", "text", "hyp", "reference", "ref")  # the first one the JSONL's first line has is read


def read_lines(path: Path) -> list[str]:
    """One text per line, or per JSONL record (its `reply`, `text`, `hyp`, `reference` or `ref` field);
    ValueError says what is wrong with the file."""
    if not path.is_file():
        raise ValueError(f"{path} does not exist")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".jsonl":
        rows = [json.loads(x) for x in text.splitlines() if x.strip()]
        key = next((k for k in TEXT_KEYS if rows and k in rows[0]), None)
        if key is None:
            raise ValueError(f"{path}: JSONL lines need a 'reply' or 'text' field")
        return [r[key] for r in rows]
    return text.splitlines()


def paired_systems(hyp_files: list[Path], ref_file: Path) -> dict[str, tuple[list[str], list[str]]]:
    """{system name: (replies, references)}, named by file stem (the full path when two stems clash);
    ValueError when a file is missing or its line count differs from the references'."""
    refs = read_lines(ref_file)
    systems: dict[str, tuple[list[str], list[str]]] = {}
    for h in hyp_files:
        hyps = read_lines(h)
        if len(hyps) != len(refs):
            raise ValueError(
                f"{h} has {len(hyps)} lines but {ref_file} has {len(refs)}: one reference per reply is needed"
            )
        systems[h.stem if h.stem not in systems else str(h)] = (hyps, refs)
    return systems


def systems_in(output: Path, ids: set[str]) -> dict[str, tuple[list[str], list[str]]]:
    """{system name: (replies, references)} of every `replies.NAME.jsonl` in `output`, restricted to `ids`
    and aligned by id."""
    systems = {}
    for path in sorted(output.glob("replies.*.jsonl")):
        rid, hyps, refs = load_replies(path)
        keep = [i for i, x in enumerate(rid) if x in ids]
        systems[path.name[len("replies.") : -len(".jsonl")]] = ([hyps[i] for i in keep], [refs[i] for i in keep])
    return systems


def replies_path(out: Path, name: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return out / f"replies.{safe}.jsonl"


def read_replies(path: Path) -> list[dict]:
    """The records of a replies file (`replies.NAME.jsonl`), in file order; ValueError names the file and
    line of a record that is not JSON or lacks 'id' or 'reply'."""
    out = []
    with path.open("rb") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = jsonio.loads(line)
            except ValueError:
                raise ValueError(f"{path}:{lineno}: not valid JSON") from None
            if not isinstance(r, dict) or "id" not in r or "reply" not in r:
                raise ValueError(
                    f"{path}:{lineno}: a record needs 'id' and 'reply' (the replies.NAME.jsonl files "
                    "of `eval run` have them)"
                )
            out.append(r)
    return out


def load_replies(path: Path) -> tuple[list[str], list[str], list[str]]:
    """(ids, replies, references) in id order, so that systems align item by item."""
    rows = {r["id"]: r for r in read_replies(path)}
    ids = sorted(rows)
    return ids, [rows[i]["reply"] for i in ids], [rows[i]["reference"] for i in ids]
