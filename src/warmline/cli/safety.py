"""`warmline safety check|eval|rate`: crisis screening verdicts as JSON, one per line; scores on labelled
messages; how often the screen flags the messages of real conversations."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import fail

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  help="The safety layer: crisis screening of messages.")


@app.command("check")
def check(
    text: str = typer.Argument(None, help="A message to screen."),
    file: Path = typer.Option(None, "--file", help="One text per line, or JSONL with a 'text' field (and optionally "
                                                 "'context': the person's earlier messages, oldest first)."),
    llm_backend: str = typer.Option(None, "--llm-backend", help="Add the LLM check (second stage): local or openai."),
    model: str = B.MODEL, base_url: str = B.BASE_URL, api_key_env: str = B.API_KEY_ENV,
    classifier: bool = typer.Option(True, "--classifier/--no-classifier",
                                    help="The bundled embedding classifier for indirect statements (second stage)."),
    reply: bool = typer.Option(False, "--reply", help="Screen as a model reply (method details, dosing, diagnoses "
                                                      "stated as fact, urging self-harm, shaming, stopping medication, "
                                                      "pro-eating-disorder advice) instead of a user message."),
    threshold: float = B.THRESHOLD,
    classifier_file: Path = B.CLASSIFIER_FILE,
    llm_mode: str = B.LLM_MODE,
) -> None:
    """Print one JSON verdict per text: risk (none, elevated, imminent), categories, evidence, language."""
    from ..safety import Screener, screen_reply

    if (text is None) == (file is None):
        fail("give one TEXT or --file FILE")
    llm_mode = B.llm_mode(llm_mode, bool(llm_backend))
    rows = [{"text": text, "context": []}] if text is not None else _rows(file, None)[0]
    texts, contexts = [r["text"] for r in rows], [r["context"] for r in rows]
    screener = None if reply else Screener(B.build(llm_backend, model, None, base_url, api_key_env) if llm_backend
                                           else None, classifier=B.classifier(classifier, classifier_file),
                                           threshold=threshold, llm_mode=llm_mode)  # replies need neither stage
    for i in range(0, len(texts), 64):  # the classifier reads 64 texts at a time
        chunk = texts[i:i + 64]
        for t, v in zip(chunk, [screen_reply(t) for t in chunk] if reply else screener.many(chunk, contexts[i:i + 64])):
            typer.echo(json.dumps({"text": t, **v.to_dict()}, ensure_ascii=False))


def _rows(file: Path, quarantine: Path | None, labelled: bool = False, shared=None) -> tuple[list[dict], int]:
    """Messages from FILE: JSONL objects with 'text' (and 'risk' when `labelled`; optionally 'context',
    the person's earlier messages, oldest first, and 'kind' and 'lang'), or, for `check`, plain text, one
    message a line. Malformed lines go to the quarantine file (default FILE.quarantine.jsonl; `shared`, an
    open `Quarantine`, when several files share one) with file and line; returns the messages and how many
    lines were quarantined."""
    from ..formats import Quarantine, quarantine_path
    from ..formats import Bad
    from ..safety.detect import LEVELS

    if not file.is_file():
        fail(f"{file} does not exist")
    lines = file.read_text(encoding="utf-8-sig").splitlines()
    if file.suffix != ".jsonl" and not labelled:
        return [{"text": x, "context": []} for x in lines if x.strip()], 0
    quarantine = shared.path if shared is not None else quarantine or quarantine_path(file)
    rows: list[dict] = []
    first = ""
    bad = shared if shared is not None else Quarantine(quarantine, replace=True)
    before = bad.count
    try:
        for i, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    raise ValueError("expected a JSON object with a 'text' string")
                if labelled and row.get("risk") not in LEVELS:
                    raise ValueError("expected 'risk': none, elevated or imminent")
                context = row.get("context") or []
                if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
                    raise ValueError("'context' must be a list of earlier messages")
            except ValueError as e:  # json.JSONDecodeError is a ValueError
                bad(Bad(str(file), i, None, f"{type(e).__name__}: {e}", line))
                first = first or f"{file}:{i}: {e}"
                continue
            rows.append({**row, "context": context, "line": i})
    finally:
        if shared is None:
            bad.close()
    if bad.count > before:
        typer.echo(f"{bad.count - before} malformed line(s) of {file} quarantined in {quarantine} (first: {first})",
                   err=True)
    if not rows:
        fail(f"{file}: no messages could be read", 2)
    return rows, bad.count - before


@app.command("eval")
def evaluate(
    file: Path = typer.Argument(..., help="Labelled JSONL: one object per line with 'text', 'risk' (none, elevated "
                                          "or imminent), and optionally 'kind', 'category', 'lang' and 'context'."),
    no_classifier: bool = typer.Option(False, "--no-classifier", help="Score the lexicon alone."),
    llm_backend: str = typer.Option(None, "--llm-backend", help="Add the LLM check: local or openai."),
    model: str = B.MODEL, base_url: str = B.BASE_URL, api_key_env: str = B.API_KEY_ENV,
    quarantine: Path = typer.Option(None, "--quarantine", help="Where malformed lines go (default FILE.quarantine.jsonl)."),
    json_out: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    errors: bool = typer.Option(False, "--errors", help="Also list the messages the screen got wrong (missed or "
                                                        "false alarm), with its verdict and evidence."),
    threshold: float = B.THRESHOLD,
    sweep: bool = typer.Option(False, "--sweep", help="Also score the lexicon and classifier at each threshold from "
                                                      "0.30 to 0.95 (without the LLM check), to choose one for your "
                                                      "own traffic (--threshold)."),
    classifier_file: Path = B.CLASSIFIER_FILE,
    llm_mode: str = B.LLM_MODE,
) -> None:
    """Score the safety screen on your own labelled messages: precision and recall of "any risk" per
    language and over all, the share of exact risk levels, and the share right per kind of case and, when
    rows name a `category` (suicidal_ideation, abuse, idiom ...), per category and language. A case counts
    as detected when the predicted risk is elevated or imminent."""
    from ..conversation import detect_lang
    from ..safety import Screener
    from ..safety.quality import score_groups, screen_rows
    from ._ui import console, table

    llm_mode = B.llm_mode(llm_mode, bool(llm_backend))
    read, quarantined = _rows(file, quarantine, labelled=True)
    rows = [{"text": r["text"], "risk": r["risk"], "context": r["context"], "line": r["line"],
             "kind": str(r.get("kind") or ("at risk" if r["risk"] != "none" else "no risk")),
             "category": str(r.get("category") or ""),
             "lang": r.get("lang") or detect_lang(r["text"])} for r in read]
    checker = B.build(llm_backend, model, None, base_url, api_key_env) if llm_backend else None
    screener = Screener(checker, classifier=B.classifier(not no_classifier, classifier_file), threshold=threshold,
                        llm_mode=llm_mode)
    report = {"file": str(file), "screen": _screen_name(no_classifier, classifier_file) + _llm_name(llm_backend, llm_mode),
              "quarantined": quarantined, "groups": {},
              "threshold": screener.classifier.threshold if screener.classifier is not None else None}
    verdicts = screen_rows(rows, screener)  # once; the groups below are slices of it
    if checker is not None:
        _llm_counts(report, screener, verdicts)
    report["groups"] = score_groups(rows, verdicts, ["all"] + sorted({r["lang"] for r in rows}))
    wrong = [{"line": r["line"], "lang": r["lang"], "label": r["risk"], "risk": v.risk, "categories": v.categories,
              "evidence": v.evidence, "error": "missed" if r["risk"] != "none" else "false alarm", "text": r["text"]}
             for r, v in zip(rows, verdicts) if errors and (r["risk"] != "none") != (v.risk != "none")]
    if errors:
        report["errors"] = wrong
    if sweep and screener.classifier is not None:
        # the lexicon and the classifier at each threshold, each text embedded once; without the LLM check,
        # which does not depend on the threshold and would be asked again at each one
        sweeper = copy.copy(screener.classifier)
        if hasattr(sweeper, "encoder"):
            from ..safety.classifier import remembering

            sweeper.encoder = remembering(sweeper.encoder)
        report["sweep"] = {}
        for t in SWEEP:
            report["sweep"][f"{t:.2f}"] = score_groups(rows, screen_rows(rows, Screener(classifier=sweeper, threshold=t)),
                                                       list(report["groups"]))
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    if checker is not None:
        _llm_say(report, llm_mode)
    console().print(table(f"{file.name}: {report['screen']}", ["messages", "n", "precision", "recall", "level exact",
                                                                "share right by kind"],
                          [(name, r["n"], _share(r["tp"], r["tp"] + r["fp"]), _share(r["tp"], r["tp"] + r["fn"]),
                            f"{r['level_accuracy']:.3f}",
                            ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["by_kind"].items())))
                           for name, r in report["groups"].items()]))
    every = report["groups"]["all"]
    if every["tp"] + every["fp"]:
        typer.echo(f"which message the flags get: {every['check_in']['false_alarms']} of the {every['fp']} false alarm(s) "
                   f"and {every['check_in']['caught']} of the {every['tp']} case(s) caught get the check-in (a second "
                   "stage flagged the message alone and unsure), the others the full crisis message")
    categories = sorted({k for r in report["groups"].values() for k in r["by_category"]})
    if categories:
        groups = list(report["groups"])
        console().print(table("share right per category (at risk: detected; no risk: not flagged)", ["category"] + groups,
                              [(k, *(("{}/{}".format(*report["groups"][g]["by_category"][k])
                                      if k in report["groups"][g]["by_category"] else "-") for g in groups))
                               for k in categories]))
    if report.get("sweep"):
        groups = list(report["groups"])
        console().print(table("precision / recall of the lexicon and classifier at each threshold (the screen above "
                              f"used {report['threshold']:.2f}" + ("; the sweep leaves the LLM check out)" if llm_backend
                                                                   else ")"), ["threshold"] + groups,
                              [(t, *(f"{_share(g['tp'], g['tp'] + g['fp'])} / {_share(g['tp'], g['tp'] + g['fn'])}"
                                     for g in (by[name] for name in groups)))
                               for t, by in report["sweep"].items()]))
    if errors:
        console().print(table(f"{len(wrong)} message(s) the screen got wrong", ["line", "error", "label", "screen",
                                                                               "evidence", "text"],
                              [(w["line"], w["error"], w["label"], w["risk"], ", ".join(w["evidence"]) or "-", w["text"])
                               for w in wrong]))


@app.command("train")
def train(
    files: list[Path] = typer.Argument(..., help="Labelled JSONL, as for `safety eval`: 'text' and 'risk' (none, "
                                                 "elevated or imminent) on each line; optionally 'lang', 'context' and "
                                                 "'group' (say, a conversation id: a group's messages stay in one fold)."),
    out: Path = typer.Option(..., "--out", help="Where to write the classifier (.npz); use it with --classifier-file "
                                                "(chat, safety check|eval|rate, serve) or safety_classifier_file."),
    only_yours: bool = typer.Option(False, "--only-yours", help="Train on your messages alone, not after the "
                                                                "project's bundled training sets."),
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Cross-validation folds for the report (each "
                                                                 "message screened by a classifier trained without it)."),
    no_report: bool = typer.Option(False, "--no-report", help="Skip the cross-validation (faster): train and write."),
    threshold: float = B.THRESHOLD,
    quarantine: Path = typer.Option(None, "--quarantine", help="Where malformed lines go (default "
                                                               "FILE.quarantine.jsonl next to each file)."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Train the safety classifier with your own labelled messages, e.g. a sample of your service's traffic
    labelled by clinicians. It first reports what the screen would do on messages it was not trained on
    (cross-validation, next to the bundled screen on the same messages), then trains on everything and
    writes the classifier. Score it on messages it never saw with `safety eval FILE --classifier-file OUT`."""
    import datetime

    from tqdm import tqdm

    from ..conversation import detect_lang
    from ..safety import Screener
    from ..safety.classifier import THRESHOLD, default_encoder, bundled, remembering
    from ..safety.custom import compare, cross_validate, fit
    from ..safety.quality import screen_rows
    from ._ui import console, table

    if out.suffix != ".npz":
        fail(f"--out must end in .npz (a numpy archive), not {out.name!r}")
    from ..formats import Quarantine

    rows, quarantined = [], 0
    shared = Quarantine(quarantine, replace=True) if quarantine else None  # one file for all, when named
    for f in files:
        read, bad = _rows(f, quarantine, labelled=True, shared=shared)
        quarantined += bad
        rows += [{"text": r["text"], "risk": r["risk"], "context": r["context"], "group": r.get("group"),
                  "lang": r.get("lang") or detect_lang(r["text"]), "kind": str(r.get("kind") or "")} for r in read]
    if shared is not None:
        shared.close()
    at_risk = sum(r["risk"] != "none" for r in rows)
    if only_yours and at_risk in (0, len(rows)):
        fail("--only-yours needs messages both at risk and not at risk; label more of both, or leave --only-yours out "
             "to train after the bundled sets")
    threshold = THRESHOLD if threshold is None else threshold
    encoder = remembering(default_encoder())  # every text embedded once, for the folds and the final classifier
    report = {"files": [str(f) for f in files], "messages": len(rows), "at_risk": at_risk,
              "quarantined": quarantined, "with_bundled": not only_yours, "threshold": threshold, "out": str(out)}
    if not no_report:
        groups = ["all"] + sorted({r["lang"] for r in rows})
        # the bundled classifier at the same threshold, reading the embeddings the folds will reuse
        reference = copy.copy(bundled())
        reference.encoder = encoder
        before = screen_rows(rows, Screener(classifier=reference, threshold=threshold))
        with tqdm(total=folds, desc="cross-validation", unit=" fold", disable=json_out or None) as bar:
            try:
                after = cross_validate(rows, folds, not only_yours, threshold, encoder, on_fold=lambda _: bar.update())
            except ValueError as e:
                fail(str(e))
        report["folds"] = folds
        report["groups"] = compare(rows, groups, before, after)
    clf = fit(rows, not only_yours, threshold, encoder)
    clf.save(out, {"trained_on": "bundled + yours" if not only_yours else "yours", "files": report["files"],
                   "messages": len(rows), "at_risk": at_risk, "created": datetime.date.today().isoformat(),
                   "cross_validation": report.get("groups")})
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    if not no_report:
        cells = lambda s: (f"{_share(s['tp'], s['tp'] + s['fp'])} / {_share(s['tp'], s['tp'] + s['fn'])}",
                           f"{s['fp']} / {s['fn']}")
        console().print(table(f"the screen on your {len(rows)} messages, with the bundled classifier and retrained "
                              f"({folds}-fold cross-validation: each message screened by a classifier trained without it)",
                              ["messages", "n", "bundled: precision / recall", "false alarms / misses",
                               "retrained: precision / recall", "false alarms / misses"],
                              [(name, g["bundled"]["n"], *cells(g["bundled"]), *cells(g["retrained"]))
                               for name, g in report["groups"].items()]))
    typer.echo(f"trained on {'the bundled sets and ' if not only_yours else ''}your {len(rows)} messages "
               f"({at_risk} at risk{f', {quarantined} malformed line(s) quarantined' if quarantined else ''}); "
               f"written to {out}. Use it: warmline chat --classifier-file {out}, warmline serve --classifier-file "
               f"{out}; score it on messages it has not seen: warmline safety eval FILE --classifier-file {out}")


@app.command("rate")
def rate(
    paths: list[Path] = typer.Argument(..., help="Dialogue files or directories, in any format warmline reads "
                                                 "(see `warmline convert --help`)."),
    role: str = typer.Option("client", "--role", help="Whose messages to screen: client or counselor."),
    fmt: str = typer.Option(None, "--from", help="The input format, when it cannot be told from the file."),
    no_classifier: bool = typer.Option(False, "--no-classifier", help="Screen with the lexicon alone."),
    llm_backend: str = typer.Option(None, "--llm-backend", help="Add the LLM check: local or openai."),
    model: str = B.MODEL, base_url: str = B.BASE_URL, api_key_env: str = B.API_KEY_ENV,
    quarantine: Path = typer.Option(None, "--quarantine", help="Where malformed records go (default: "
                                                               "PATH.quarantine.jsonl next to each path)."),
    show: bool = typer.Option(False, "--show", help="Also list the flagged messages with the screen's evidence."),
    json_out: bool = typer.Option(False, "--json", help="Print the counts (and, with --show, the messages) as JSON."),
    threshold: float = B.THRESHOLD,
    classifier_file: Path = B.CLASSIFIER_FILE,
    llm_mode: str = B.LLM_MODE,
) -> None:
    """How often the screen flags the messages of real conversations, with no labels needed: every distinct
    message of one role, per file and language. Nearly every message a counseling service receives is
    ordinary, and each flag answers it with the crisis message instead of a reply, so read the flagged ones
    (--show) to tell true alarms from false."""
    from ..formats import FormatError, Quarantine, quarantine_path
    from ..safety import Screener
    from ..safety.policy import checks_in
    from ..safety.quality import flag_rate, messages_of
    from ._ui import console, table

    if role not in ("client", "counselor"):
        fail(f"--role must be client or counselor, not {role!r}")
    llm_mode = B.llm_mode(llm_mode, bool(llm_backend))
    screener = Screener(B.build(llm_backend, model, None, base_url, api_key_env) if llm_backend else None,
                        classifier=B.classifier(not no_classifier, classifier_file), threshold=threshold,
                        llm_mode=llm_mode)
    report = {"screen": _screen_name(no_classifier, classifier_file) + _llm_name(llm_backend, llm_mode),
              "role": role, "files": []}
    shared = Quarantine(quarantine, replace=True) if quarantine else None
    every: list = []  # every verdict, for the LLM check's counts
    for path in paths:
        bad = shared or Quarantine(quarantine_path(path), replace=True)
        before = bad.count
        try:
            texts = messages_of(path, role, fmt, on_bad=bad)
        except FormatError as e:
            fail(str(e))
        finally:
            if bad is not shared:
                bad.close()
        rate_ = flag_rate(texts, screener)
        every += rate_["verdicts"]
        entry = {"path": str(path), "messages": rate_["n"], "flagged": rate_["flagged"], "check_in": rate_["check_in"],
                 "by_lang": rate_["by_lang"], "quarantined": bad.count - before,
                 "quarantine": bad.written_to if bad.count > before else None}
        if show:
            entry["flagged_messages"] = [{"text": t, **v.to_dict(), "answer": "check-in" if checks_in(v) else "crisis"}
                                         for t, v in zip(texts, rate_["verdicts"]) if v.risk != "none"]
        report["files"].append(entry)
        if bad.count > before:
            typer.echo(f"{bad.count - before} malformed record(s) of {path} quarantined in {bad.written_to}", err=True)
        if not texts:
            typer.echo(f"{path}: no {role} messages could be read", err=True)
    if shared:
        shared.close()
    if not any(f["messages"] for f in report["files"]):
        fail(f"no {role} messages could be read from {', '.join(str(p) for p in paths)}", 2)
    if llm_backend:
        _llm_counts(report, screener, every)
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    if llm_backend:
        _llm_say(report, llm_mode)
    console().print(table(f"{role} messages flagged by the {report['screen']}",
                          ["file", "messages", "flagged", "share", "by language", "quarantined"],
                          [(Path(f["path"]).name, f["messages"], f["flagged"], _share(f["flagged"], f["messages"]),
                            ", ".join(f"{lang} {k}/{n}" for lang, (k, n) in sorted(f["by_lang"].items())) or "-",
                            f["quarantined"]) for f in report["files"]]))
    flagged = sum(f["flagged"] for f in report["files"])
    if flagged:
        typer.echo(f"{sum(f['check_in'] for f in report['files'])} of the {flagged} flag(s) get the check-in (a second "
                   "stage flagged the message alone and unsure), the others the full crisis message; both carry the "
                   "resources")
    if show:
        rows = [(Path(f["path"]).name, m["risk"], m["answer"], ", ".join(m["evidence"]) or "-", m["text"])
                for f in report["files"] for m in f["flagged_messages"]]
        console().print(table(f"{len(rows)} flagged message(s)", ["file", "screen", "answer", "evidence", "text"], rows))


def _screen_name(no_classifier: bool, classifier_file: Path | None) -> str:
    if no_classifier:
        return "lexicon"
    return f"lexicon + classifier ({classifier_file.name})" if classifier_file else "lexicon + classifier"


def _llm_counts(report: dict, screener, verdicts: list) -> None:
    """How often the LLM check's answer was not the JSON asked for (the verdict then stands), and how many
    classifier flags it cleared (confirm mode)."""
    report["llm_unusable"] = screener.llm_failures
    report["llm_cleared"] = sum("cleared by llm-check" in v.evidence for v in verdicts)


def _llm_say(report: dict, mode: str) -> None:
    typer.echo(f"LLM check: {report['llm_unusable']} answer(s) not the JSON asked for (those verdicts stand)"
               + (f"; {report['llm_cleared']} classifier flag(s) cleared" if mode == "confirm" else ""))


def _llm_name(llm_backend: str | None, mode: str) -> str:
    if not llm_backend:
        return ""
    return " + LLM check" + (" (confirming the classifier)" if mode == "confirm" else "")


SWEEP = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # 0.30 ... 0.95


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "- (no cases)"
