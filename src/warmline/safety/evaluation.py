"""What `warmline safety eval|train|rate` compute, as plain dicts: the screen scored on labelled messages, a
classifier retrained with an operator's messages (and its cross-validation), and how often the screen flags
the messages of real conversations."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from .labelled import read_messages
from .quality import flag_rate, messages_of, score_groups, screen_rows

SWEEP = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # 0.30 ... 0.95


def screen_name(classifier: bool, classifier_file: Path | None, llm: bool, mode: str) -> str:
    """How a report names the screen: its stages, the classifier's file and the LLM check's mode."""
    name = (
        "lexicon"
        if not classifier
        else f"lexicon + classifier ({classifier_file.name})"
        if classifier_file
        else "lexicon + classifier"
    )
    return name + ((" + LLM check" + (" (confirming the classifier)" if mode == "confirm" else "")) if llm else "")


def llm_counts(report: dict, screener, verdicts: list) -> None:
    """How often the LLM check's answer was not the JSON asked for (the verdict then stands), and how many
    classifier flags it cleared (confirm mode)."""
    report["llm_unusable"] = screener.llm_failures
    report["llm_cleared"] = sum("cleared by llm-check" in v.evidence for v in verdicts)


def _labelled_rows(read: list[dict]) -> list[dict]:
    from ..conversation import detect_lang

    return [
        {
            "text": r["text"],
            "risk": r["risk"],
            "context": r["context"],
            "asked": r.get("asked"),
            "line": r["line"],
            "kind": str(r.get("kind") or ("at risk" if r["risk"] != "none" else "no risk")),
            "category": str(r.get("category") or ""),
            "lang": r.get("lang") or detect_lang(r["text"]),
        }
        for r in read
    ]


def _sweep(rows: list[dict], classifier, groups: list[str]) -> dict:
    """The lexicon and the classifier at each threshold of SWEEP, each text embedded once; without the LLM
    check, which does not depend on the threshold and would be asked again at each one."""
    from .classifier import remembering
    from .screener import Screener

    sweeper = copy.copy(classifier)
    if hasattr(sweeper, "encoder"):
        sweeper.encoder = remembering(sweeper.encoder)
    return {
        f"{t:.2f}": score_groups(rows, screen_rows(rows, Screener(classifier=sweeper, threshold=t)), groups)
        for t in SWEEP
    }


def evaluate_file(
    file: Path,
    screener,
    screen: str,
    quarantine: Path | None = None,
    errors: bool = False,
    sweep: bool = False,
    warn: Callable[[str], None] | None = None,
) -> dict:
    """The screen's scores on a labelled JSONL file (see `read_messages`): per group ("all" and each language),
    with the LLM check's counts when the screener has one, the messages it got wrong (`errors`) and the scores
    at each threshold (`sweep`, when it has a classifier). Raises ValueError when the file gives no message."""
    read, quarantined = read_messages(file, quarantine, labelled=True, warn=warn)
    rows = _labelled_rows(read)
    report = {
        "file": str(file),
        "screen": screen,
        "quarantined": quarantined,
        "groups": {},
        "threshold": screener.classifier.threshold if screener.classifier is not None else None,
    }
    verdicts = screen_rows(rows, screener)  # once; the groups below are slices of it
    if screener.backend is not None:
        llm_counts(report, screener, verdicts)
    report["groups"] = score_groups(rows, verdicts, ["all"] + sorted({r["lang"] for r in rows}))
    if errors:
        report["errors"] = [
            {
                "line": r["line"],
                "lang": r["lang"],
                "label": r["risk"],
                "risk": v.risk,
                "categories": v.categories,
                "evidence": v.evidence,
                "error": "missed" if r["risk"] != "none" else "false alarm",
                "text": r["text"],
            }
            for r, v in zip(rows, verdicts)
            if (r["risk"] != "none") != (v.risk != "none")
        ]
    if sweep and screener.classifier is not None:
        report["sweep"] = _sweep(rows, screener.classifier, list(report["groups"]))
    return report


def _training_rows(files: list[Path], quarantine: Path | None, warn) -> tuple[list[dict], int]:
    from ..conversation import detect_lang
    from ..formats import Quarantine

    rows, quarantined = [], 0
    shared = Quarantine(quarantine, replace=True) if quarantine else None  # one file for all, when named
    try:
        for f in files:
            read, bad = read_messages(f, quarantine, labelled=True, shared=shared, warn=warn)
            quarantined += bad
            rows += [
                {
                    "text": r["text"],
                    "risk": r["risk"],
                    "context": r["context"],
                    "group": r.get("group"),
                    "lang": r.get("lang") or detect_lang(r["text"]),
                    "kind": str(r.get("kind") or ""),
                }
                for r in read
            ]
    finally:
        if shared is not None:
            shared.close()
    return rows, quarantined


def reference_screen(written, threshold: float, encoder, report: dict):
    """The screen `safety train` compares with: the kernel classifier trained on the project's written sets, at
    the same threshold, reading the embeddings the folds will reuse; where those sets are not at hand (an
    installed wheel, `--only-yours`), the shipped screen as it is. `report["reference"]` says which."""
    from .classifier import bundled
    from .linear import shipped
    from .screener import Screener
    from .written import WrittenSetsError

    try:
        reference, report["reference"] = copy.copy(bundled(written)), "bundled"
    except WrittenSetsError:
        reference, report["reference"] = copy.copy(shipped()), "shipped (the written sets are not at hand)"
        threshold = None
    reference.encoder = encoder
    return Screener(classifier=reference, threshold=threshold)


def train_classifier(
    files: list[Path],
    out: Path,
    with_bundled: bool = True,
    folds: int = 5,
    cross_validation: bool = True,
    threshold: float | None = None,
    quarantine: Path | None = None,
    on_fold: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
    written: Path | None = None,
) -> dict:
    """Train the classifier on labelled files (after the project's written training sets when `with_bundled`:
    from their folder `written`, by default the source checkout's) and write it to OUT (.npz). With
    `cross_validation`, first score the screen on messages it was not trained on (`folds` folds) next to the
    bundled screen on the same messages. Raises ValueError saying what to do when it cannot."""
    import datetime

    from .classifier import THRESHOLD, default_encoder, remembering
    from .custom import compare, cross_validate, fit
    from .written import directory

    if with_bundled:
        written = directory(written)  # before reading anything: the sets do not ship in a wheel
    rows, quarantined = _training_rows(files, quarantine, warn)
    at_risk = sum(r["risk"] != "none" for r in rows)
    if not with_bundled and at_risk in (0, len(rows)):
        raise ValueError(
            "--only-yours needs messages both at risk and not at risk; label more of both, or leave "
            "--only-yours out to train after the project's written sets"
        )
    threshold = THRESHOLD if threshold is None else threshold
    encoder = remembering(default_encoder())  # every text embedded once, for the folds and the final classifier
    report = {
        "files": [str(f) for f in files],
        "messages": len(rows),
        "at_risk": at_risk,
        "quarantined": quarantined,
        "with_bundled": with_bundled,
        "threshold": threshold,
        "out": str(out),
    }
    if cross_validation:
        before = screen_rows(rows, reference_screen(written, threshold, encoder, report))
        after = cross_validate(rows, folds, with_bundled, threshold, encoder, on_fold=on_fold, written=written)
        report["folds"] = folds
        report["groups"] = compare(rows, ["all"] + sorted({r["lang"] for r in rows}), before, after)
    clf = fit(rows, with_bundled, threshold, encoder, written)
    clf.save(
        out,
        {
            "trained_on": "bundled + yours" if with_bundled else "yours",
            "files": report["files"],
            "messages": len(rows),
            "at_risk": at_risk,
            "created": datetime.date.today().isoformat(),
            "cross_validation": report.get("groups"),
        },
    )
    return report


def _rate_one(path: Path, screener, role: str, fmt: str | None, bad, show: bool) -> tuple[dict, list]:
    from .policy import checks_in

    before = bad.count
    texts = messages_of(path, role, fmt, on_bad=bad)
    rate = flag_rate(texts, screener)
    entry = {
        "path": str(path),
        "messages": rate["n"],
        "flagged": rate["flagged"],
        "check_in": rate["check_in"],
        "by_lang": rate["by_lang"],
        "quarantined": bad.count - before,
        "quarantine": bad.written_to if bad.count > before else None,
    }
    if show:
        entry["flagged_messages"] = [
            {"text": t, **v.to_dict(), "answer": "check-in" if checks_in(v) else "crisis"}
            for t, v in zip(texts, rate["verdicts"])
            if v.risk != "none"
        ]
    return entry, rate["verdicts"]


def rate_files(
    paths: list[Path],
    screener,
    screen: str,
    role: str = "client",
    fmt: str | None = None,
    quarantine: Path | None = None,
    show: bool = False,
    warn: Callable[[str], None] | None = None,
) -> dict:
    """How often the screen flags every distinct message of `role` in dialogue files or directories, per file
    and language (with the flagged messages when `show`). Malformed records go to QUARANTINE (default
    PATH.quarantine.jsonl next to each path). Raises ValueError (a FormatError for a file it cannot read)."""
    from ..formats import Quarantine, quarantine_path

    if role not in ("client", "counselor"):
        raise ValueError(f"--role must be client or counselor, not {role!r}")
    report = {"screen": screen, "role": role, "files": []}
    shared = Quarantine(quarantine, replace=True) if quarantine else None
    every: list = []  # every verdict, for the LLM check's counts
    try:
        for path in paths:
            bad = shared or Quarantine(quarantine_path(path), replace=True)
            try:
                entry, verdicts = _rate_one(path, screener, role, fmt, bad, show)
            finally:
                if bad is not shared:
                    bad.close()
            every += verdicts
            report["files"].append(entry)
            if entry["quarantined"] and warn is not None:
                warn(f"{entry['quarantined']} malformed record(s) of {path} quarantined in {bad.written_to}")
            if not entry["messages"] and warn is not None:
                warn(f"{path}: no {role} messages could be read")
    finally:
        if shared:
            shared.close()
    if not any(f["messages"] for f in report["files"]):
        raise ValueError(f"no {role} messages could be read from {', '.join(str(p) for p in paths)}")
    if screener.backend is not None:
        llm_counts(report, screener, every)
    return report
