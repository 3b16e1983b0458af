"""The project-written labelled sets: `data/safety-written/` in the repository, each file listed in its
`manifest.json` (role, round, counts per label, sha256). They are test, benchmark and training data, not
package data: a wheel does not hold them, so whatever reads them takes their folder (`--written-sets DIR`)
or finds it beside the source checkout it runs from. `load` checks every file against the manifest, so a
missing, unlisted or edited file stops the reader with what to do, instead of training or scoring on it."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

MANIFEST = "manifest.json"
LABELS = ("none", "elevated", "imminent")
# what a set is for (each file's `role` in the manifest); the sets named in `classifier.TRAINING_SETS` and
# `quality.HELD_OUT` must carry the matching role (checked in the tests)
ROLES = {
    "kernel-training": "trains the kernel classifier (`warmline safety train` adds an operator's rows to it) and, "
    "weighted with the real rows, the shipped classifier; a regression set in bench_safety.py",
    "retired-held-out": "was the held-out set until a newer one was written; now trains as kernel-training does, "
    "and its bench figures are optimistic",
    "current-held-out": "measures the screen on the project's own sets; never trained or tuned on",
    "unused-candidate": "a training candidate that was not adopted; kept to reproduce its round, and the "
    "quickstart's stand-in for an operator's own labelled messages",
}
# what to do when the sets are not where they were looked for
_WHERE = (
    "they are not part of the installed package: pass the folder `data/safety-written/` of a warmline clone "
    "(`warmline safety train --written-sets DIR`), or train on your own messages alone (`--only-yours`)"
)


class WrittenSetsError(ValueError):
    """A written set that cannot be used as the manifest describes it; the message says what to do."""


def repo_dir() -> Path:
    """`data/safety-written/` of the repository this package runs from (a source checkout)."""
    return Path(__file__).resolve().parents[3] / "data" / "safety-written"


def directory(where: Path | str | None = None) -> Path:
    """The folder of the written sets: `where`, or the source checkout's; WrittenSetsError when it holds no
    manifest."""
    folder = Path(where) if where is not None else repo_dir()
    if not (folder / MANIFEST).is_file():
        raise WrittenSetsError(f"the project-written safety sets are not at {folder} (no {MANIFEST}); {_WHERE}")
    return folder


def manifest(where: Path | str | None = None) -> dict:
    """The manifest of the folder (`directory`), its entries checked for the fields every reader relies on."""
    path = directory(where) / MANIFEST
    undescribed = None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["sets"]
        for e in entries:
            missing = [k for k in ("file", "set", "lang", "role", "rows", "risk", "sha256") if k not in e]
            if missing:
                raise ValueError(f"the entry for {e.get('file', '?')} has no {', '.join(missing)}")
            if e["role"] == "TODO":  # added by scripts/written_manifest.py, not described yet
                undescribed = e["file"]
                break
            if e["role"] not in ROLES:
                raise ValueError(f"{e['file']}: unknown role {e['role']!r} (one of {', '.join(ROLES)})")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise WrittenSetsError(
            f"{path}: not a readable manifest ({e}); restore it with `git checkout -- data/safety-written/{MANIFEST}`"
        ) from None
    if undescribed is not None:
        raise WrittenSetsError(
            f"{path}: {undescribed} is listed but not described: fill in its role (one of {', '.join(ROLES)}), round "
            "and holds there (docs/safety-rounds.md), then run `python scripts/written_manifest.py` again"
        )
    return data


def entry(name: str, where: Path | str | None = None) -> dict:
    """The manifest's entry for the file NAME ("heldout24_en.jsonl")."""
    for e in manifest(where)["sets"]:
        if e["file"] == name:
            return e
    raise WrittenSetsError(
        f"{name} is not listed in {directory(where) / MANIFEST}; add it with `python scripts/written_manifest.py` "
        "and describe it there (its role and round: docs/safety-rounds.md)"
    )


def names(role: str, where: Path | str | None = None) -> list[str]:
    """The files of one role, in the manifest's order."""
    return [e["file"] for e in manifest(where)["sets"] if e["role"] == role]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(name: str, where: Path | str | None = None) -> list[dict]:
    """The rows of the written set NAME ("train5_zh.jsonl"), after checking the file against its manifest entry
    (present, same sha256); WrittenSetsError saying what to do otherwise."""
    folder = directory(where)
    e = entry(name, folder)
    path = folder / name
    if not path.is_file():
        raise WrittenSetsError(f"{path} is missing; restore it with `git checkout -- data/safety-written/{name}`")
    digest = sha256(path)
    if digest != e["sha256"]:
        raise WrittenSetsError(
            f"{path} differs from the manifest (sha256 {digest[:12]}, listed {e['sha256'][:12]}): restore it with "
            f"`git checkout -- data/safety-written/{name}`, or, if you changed it on purpose, run "
            "`python scripts/written_manifest.py` and say why in docs/safety-rounds.md"
        )
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def counts(path: Path) -> dict:
    """{"rows", "risk": {label: n}, "sha256"} of one set file, as its manifest entry records them; ValueError
    naming file and line for a line that is not a labelled message."""
    risk: Counter = Counter()
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or row.get("risk") not in LABELS:
                raise ValueError("expected an object with 'text' and 'risk' (none, elevated or imminent)")
        except ValueError as e:
            raise ValueError(f"{path}:{i}: {e}") from None
        risk[row["risk"]] += 1
    return {"rows": sum(risk.values()), "risk": {k: risk[k] for k in LABELS}, "sha256": sha256(path)}


def problems(where: Path | str | None = None) -> list[str]:
    """Every way the folder and its manifest disagree (a file missing, unlisted, changed or miscounted);
    empty when they agree."""
    folder = directory(where)
    listed = {e["file"]: e for e in manifest(folder)["sets"]}
    found = {p.name for p in folder.glob("*.jsonl")}
    out = [f"{n}: listed in the manifest but missing" for n in sorted(listed.keys() - found)]
    out += [f"{n}: not listed in the manifest" for n in sorted(found - listed.keys())]
    for name in sorted(found & listed.keys()):
        try:
            now = counts(folder / name)
        except ValueError as e:
            out.append(str(e))
            continue
        for key, value in now.items():
            if listed[name].get(key) != value:
                out.append(f"{name}: {key} is {value}, the manifest says {listed[name].get(key)}")
    return out
