"""Reply and reference files as the eval commands read them: plain lines or JSONL, systems paired with
their references, and the systems whose replies `eval run` wrote into a directory."""

from __future__ import annotations

import json
from pathlib import Path

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
            raise ValueError(f"{h} has {len(hyps)} lines but {ref_file} has {len(refs)}: one reference per reply "
                             "is needed")
        systems[h.stem if h.stem not in systems else str(h)] = (hyps, refs)
    return systems


def systems_in(output: Path, ids: set[str]) -> dict[str, tuple[list[str], list[str]]]:
    """{system name: (replies, references)} of every `replies.NAME.jsonl` in `output`, restricted to `ids`
    and aligned by id."""
    from .run import load_replies

    systems = {}
    for path in sorted(output.glob("replies.*.jsonl")):
        rid, hyps, refs = load_replies(path)
        keep = [i for i, x in enumerate(rid) if x in ids]
        systems[path.name[len("replies."):-len(".jsonl")]] = ([hyps[i] for i in keep], [refs[i] for i in keep])
    return systems
