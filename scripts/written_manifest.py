"""Refresh data/safety-written/manifest.json after a written set was added or changed on purpose.

    PYTHONPATH=src python scripts/written_manifest.py [--dir data/safety-written]

Recounts every set's rows and labels and records its sha256; a new file gets an entry whose role, round and
contents you must fill in by hand (`warmline.safety.written.ROLES` lists the roles; the round's story goes in
docs/safety-rounds.md); an entry whose file is gone is dropped. The loader (`warmline.safety.written.load`)
refuses a set whose file and entry disagree, so run this, read the diff and commit both together."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ABOUT = (
    "Labelled messages written by the warmline project (risk none / elevated / imminent), one JSON object a "
    "line: text, risk, kind (crisis, hard_negative, negative), optional category and context. Read through "
    "warmline.safety.written, which checks each file against this manifest; each round's story is in "
    "docs/safety-rounds.md."
)
LICENCE = "MIT, as the rest of warmline: written by the project, no third-party text"


def _natural(path: Path) -> list:
    """heldout2 before heldout10."""
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", path.name)]


def main() -> int:
    from warmline.safety.written import MANIFEST, ROLES, counts

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=ROOT / "data" / "safety-written")
    args = ap.parse_args()
    path = args.dir / MANIFEST
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"sets": []}
    data = {"about": ABOUT, "licence": LICENCE, "roles": ROLES}
    listed = {e["file"]: e for e in old["sets"]}
    entries, todo = [], []
    for f in sorted(args.dir.glob("*.jsonl"), key=_natural):
        try:
            now = counts(f)
        except ValueError as e:
            print(f"{e}: fix the line, then run this again", file=sys.stderr)
            return 1
        name, _, lang = f.stem.rpartition("_")
        e = listed.get(f.name) or {
            "file": f.name,
            "set": name,
            "lang": lang,
            "role": "TODO",
            "round": "TODO",
            "holds": "TODO",
            "licence": "MIT (project-written)",
        }
        if "TODO" in (e["role"], e["round"], e["holds"]):
            todo.append(f.name)
        entries.append({**e, **now})
    for gone in sorted(listed.keys() - {e["file"] for e in entries}):
        print(f"{gone}: no longer in {args.dir}, dropped from the manifest", file=sys.stderr)
    data["sets"] = entries
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(entries)} sets -> {path}")
    if todo:
        print(f"describe by hand (role, round, holds): {', '.join(todo)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
