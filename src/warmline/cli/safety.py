"""`warmline safety check|eval|train|rate`: crisis screening verdicts as JSON, one per line; scores on labelled
messages; a classifier retrained with your own; how often the screen flags the messages of real conversations."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import fail

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help="The safety layer: crisis screening of messages.",
)

SAFETY_LLM = typer.Option(
    "off", "--safety-llm", help="Add an LLM check to crisis screening: off, local or openai (with --model, --base-url)."
)
CLASSIFIER = typer.Option(
    True,
    "--classifier/--no-classifier",
    help="The embedding classifier for indirect statements (second stage); without it, the lexicon alone.",
)
QUARANTINE = typer.Option(None, "--quarantine", help="Where malformed lines go (default FILE.quarantine.jsonl).")


def _warn(message: str) -> None:
    typer.echo(message, err=True)


def _screener(
    safety_llm: str, model, base_url, api_key_env, classifier: bool, classifier_file, threshold, llm_mode: str
):
    """The screen from the shared options, failing with what to do when one is wrong."""
    from ..safety import Screener

    if safety_llm not in ("off", "local", "openai"):
        fail(f"--safety-llm must be off, local or openai, not {safety_llm!r}")
    llm_mode = B.llm_mode(llm_mode, safety_llm != "off")
    second = B.classifier(classifier, classifier_file)
    checker = B.build(safety_llm, model, None, base_url, api_key_env) if safety_llm != "off" else None
    return Screener(checker, classifier=second, threshold=threshold, llm_mode=llm_mode)


def _read(file: Path):
    from ..safety.labelled import read_messages

    try:
        return read_messages(file, warn=_warn)[0]
    except ValueError as e:
        fail(str(e))


@app.command("check")
def check(
    text: str = typer.Argument(None, help="A message to screen."),
    file: Path = typer.Option(
        None,
        "--file",
        help="One text per line, or JSONL with a 'text' field and optionally 'context': the "
        "conversation before it, oldest first, as the person's earlier messages or as "
        "{role, content} turns (the last assistant turn is the question the message may answer: "
        '"yes" after "Have you thought about killing yourself?" is flagged), or \'asked\': '
        "the assistant's turn just before the message.",
    ),
    safety_llm: str = SAFETY_LLM,
    model: str = B.MODEL,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    classifier: bool = CLASSIFIER,
    reply: bool = typer.Option(
        False,
        "--reply",
        help="Screen as a model reply (method details, dosing, diagnoses "
        "stated as fact, urging self-harm, shaming, stopping medication, "
        "pro-eating-disorder advice) instead of a user message.",
    ),
    reply_model: bool = typer.Option(
        False,
        "--reply-model/--rules-only",
        help="With --reply: the reply screen's second stage (a sentence "
        "classifier) also reads what no rule matched, or the rules alone (the default).",
    ),
    threshold: float = B.THRESHOLD,
    classifier_file: Path = B.CLASSIFIER_FILE,
    safety_llm_mode: str = B.LLM_MODE,
    asked: str = typer.Option(
        None,
        "--asked",
        help="With TEXT: what the assistant or counselor said just before it (an answer to a risk "
        "question inherits its risk; it can only raise the verdict).",
    ),
) -> None:
    """Print one JSON verdict per text: risk (none, elevated, imminent), categories, evidence, language,
    and `stage` (lexicon, context, asked: the question before it, classifier, llm)."""
    from ..safety import screen_reply

    if (text is None) == (file is None):
        fail("give one TEXT or --file FILE")
    if reply:
        B.llm_mode(safety_llm_mode, safety_llm != "off")  # replies need neither stage, but a wrong option still fails
    screener = (
        None
        if reply
        else _screener(
            safety_llm, model, base_url, api_key_env, classifier, classifier_file, threshold, safety_llm_mode
        )
    )
    if asked is not None and file is not None:
        fail("--asked goes with TEXT; in --file, give each row its 'asked' or 'context'")
    rows = [{"text": text, "context": [], "asked": asked}] if text is not None else _read(file)
    texts, contexts, asked = [r["text"] for r in rows], [r["context"] for r in rows], [r["asked"] for r in rows]
    for i in range(0, len(texts), 64):  # the classifier reads 64 texts at a time
        chunk = texts[i : i + 64]
        for t, v in zip(
            chunk,
            [screen_reply(t, model=reply_model) for t in chunk]
            if reply
            else screener.many(chunk, contexts[i : i + 64], asked[i : i + 64]),
        ):
            typer.echo(json.dumps({"text": t, **v.to_dict()}, ensure_ascii=False))


@app.command("eval")
def evaluate(
    file: Path = typer.Argument(
        ...,
        help="Labelled JSONL: one object per line with 'text', 'risk' (none, elevated "
        "or imminent), and optionally 'kind', 'category', 'lang', 'context' (the person's earlier "
        "messages, or {role, content} turns) and 'asked' (the assistant's turn just before it), as "
        "for `safety check --file`.",
    ),
    classifier: bool = CLASSIFIER,
    safety_llm: str = SAFETY_LLM,
    model: str = B.MODEL,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    quarantine: Path = QUARANTINE,
    json_out: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    errors: bool = typer.Option(
        False,
        "--errors",
        help="Also list the messages the screen got wrong (missed or false alarm), with its verdict and evidence.",
    ),
    threshold: float = B.THRESHOLD,
    sweep: bool = typer.Option(
        False,
        "--sweep",
        help="Also score the lexicon and classifier at each threshold from "
        "0.30 to 0.95 (without the LLM check), to choose one for your "
        "own traffic (--threshold).",
    ),
    classifier_file: Path = B.CLASSIFIER_FILE,
    safety_llm_mode: str = B.LLM_MODE,
) -> None:
    """Score the safety screen on your own labelled messages: precision and recall of "any risk" per
    language and over all, the share of exact risk levels, and the share right per kind of case and, when
    rows name a `category` (suicidal_ideation, abuse, idiom ...), per category and language. A case counts
    as detected when the predicted risk is elevated or imminent."""
    from ..safety.evaluation import evaluate_file, screen_name

    screener = _screener(
        safety_llm, model, base_url, api_key_env, classifier, classifier_file, threshold, safety_llm_mode
    )
    name = screen_name(classifier, classifier_file, safety_llm != "off", screener.llm_mode)
    try:
        report = evaluate_file(file, screener, name, quarantine, errors=errors, sweep=sweep, warn=_warn)
    except ValueError as e:
        fail(str(e))
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    _print_eval(report, file.name, screener.llm_mode if safety_llm != "off" else None)


@app.command("train")
def train(
    files: list[Path] = typer.Argument(
        ...,
        help="Labelled JSONL, as for `safety eval`: 'text' and 'risk' (none, "
        "elevated or imminent) on each line; optionally 'lang', 'context' and "
        "'group' (say, a conversation id: a group's messages stay in one fold).",
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        help="Where to write the classifier (.npz); use it with --classifier-file "
        "(chat, safety check|eval|rate, serve) or safety_classifier_file.",
    ),
    only_yours: bool = typer.Option(
        False, "--only-yours", help="Train on your messages alone, not after the project's written training sets."
    ),
    written_sets: Path = typer.Option(
        None,
        "--written-sets",
        envvar="WARMLINE_WRITTEN_SETS",
        help="The folder of the project's written training sets (data/safety-written/ of a warmline clone, with "
        "its manifest.json). They do not ship in the package; default: the source checkout's.",
    ),
    folds: int = typer.Option(
        5,
        "--folds",
        min=2,
        max=20,
        help="Cross-validation folds for the report (each message screened by a classifier trained without it).",
    ),
    no_report: bool = typer.Option(False, "--no-report", help="Skip the cross-validation (faster): train and write."),
    threshold: float = B.THRESHOLD,
    quarantine: Path = typer.Option(
        None, "--quarantine", help="Where malformed lines go (default FILE.quarantine.jsonl next to each file)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Train the safety classifier with your own labelled messages, e.g. a sample of your service's traffic
    labelled by clinicians. It first reports what the screen would do on messages it was not trained on
    (cross-validation, next to the bundled kernel classifier on the same messages, or the shipped screen
    where the project's written sets are not at hand), then trains on everything and
    writes the classifier. Score it on messages it never saw with `safety eval FILE --classifier-file OUT`."""
    from tqdm import tqdm

    from ..safety.evaluation import train_classifier

    if out.suffix != ".npz":
        fail(f"--out must end in .npz (a numpy archive), not {out.name!r}")
    bar = tqdm(total=folds, desc="cross-validation", unit=" fold", disable=json_out or no_report or None)
    try:
        report = train_classifier(
            files,
            out,
            not only_yours,
            folds,
            not no_report,
            threshold,
            quarantine,
            on_fold=lambda _: bar.update(),
            warn=_warn,
            written=written_sets,
        )
    except ValueError as e:
        fail(str(e))
    finally:
        bar.close()
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    _print_train(report)


@app.command("rate")
def rate(
    paths: list[Path] = typer.Argument(
        ..., help="Dialogue files or directories, in any format warmline reads (see `warmline convert --help`)."
    ),
    role: str = typer.Option("client", "--role", help="Whose messages to screen: client or counselor."),
    fmt: str = typer.Option(None, "--from", help="The input format, when it cannot be told from the file."),
    classifier: bool = CLASSIFIER,
    safety_llm: str = SAFETY_LLM,
    model: str = B.MODEL,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    quarantine: Path = typer.Option(
        None, "--quarantine", help="Where malformed records go (default: PATH.quarantine.jsonl next to each path)."
    ),
    show: bool = typer.Option(False, "--show", help="Also list the flagged messages with the screen's evidence."),
    json_out: bool = typer.Option(False, "--json", help="Print the counts (and, with --show, the messages) as JSON."),
    threshold: float = B.THRESHOLD,
    classifier_file: Path = B.CLASSIFIER_FILE,
    safety_llm_mode: str = B.LLM_MODE,
) -> None:
    """How often the screen flags the messages of real conversations, with no labels needed: every distinct
    message of one role, per file and language. Nearly every message a counseling service receives is
    ordinary, and each flag answers it with the crisis message instead of a reply, so read the flagged ones
    (--show) to tell true alarms from false."""
    from ..safety.evaluation import rate_files, screen_name

    if role not in ("client", "counselor"):
        fail(f"--role must be client or counselor, not {role!r}")
    screener = _screener(
        safety_llm, model, base_url, api_key_env, classifier, classifier_file, threshold, safety_llm_mode
    )
    name = screen_name(classifier, classifier_file, safety_llm != "off", screener.llm_mode)
    try:
        report = rate_files(paths, screener, name, role, fmt, quarantine, show, warn=_warn)
    except ValueError as e:  # a FormatError too
        fail(str(e))
    if json_out:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    _print_rate(report, show, screener.llm_mode if safety_llm != "off" else None)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "- (no cases)"


def _llm_say(report: dict, mode: str) -> None:
    typer.echo(
        f"LLM check: {report['llm_unusable']} answer(s) not the JSON asked for (those verdicts stand)"
        + (f"; {report['llm_cleared']} classifier flag(s) cleared" if mode == "confirm" else "")
    )


def _print_eval(report: dict, file_name: str, llm_mode: str | None) -> None:
    """`safety eval`'s tables; `llm_mode` is None without the LLM check."""
    from ._ui import console, table

    groups = list(report["groups"])
    if llm_mode is not None:
        _llm_say(report, llm_mode)
    console().print(
        table(
            f"{file_name}: {report['screen']}",
            ["messages", "n", "precision", "recall", "level exact", "share right by kind"],
            [
                (
                    g,
                    r["n"],
                    _share(r["tp"], r["tp"] + r["fp"]),
                    _share(r["tp"], r["tp"] + r["fn"]),
                    f"{r['level_accuracy']:.3f}",
                    ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["by_kind"].items())),
                )
                for g, r in report["groups"].items()
            ],
        )
    )
    every = report["groups"]["all"]
    if every["tp"] + every["fp"]:
        typer.echo(
            f"which message the flags get: {every['check_in']['false_alarms']} of the {every['fp']} false alarm(s) "
            f"and {every['check_in']['caught']} of the {every['tp']} case(s) caught get the check-in (a second "
            "stage flagged the message alone and unsure), the others the full crisis message"
        )
    _print_eval_details(report, groups, llm_mode)


def _print_eval_details(report: dict, groups: list[str], llm_mode: str | None) -> None:
    """`safety eval`'s per-category table, the threshold sweep and the messages it got wrong, when asked for."""
    from ._ui import console, table

    categories = sorted({k for r in report["groups"].values() for k in r["by_category"]})
    if categories:
        console().print(
            table(
                "share right per category (at risk: detected; no risk: not flagged)",
                ["category"] + groups,
                [
                    (
                        k,
                        *(
                            (
                                "{}/{}".format(*report["groups"][g]["by_category"][k])
                                if k in report["groups"][g]["by_category"]
                                else "-"
                            )
                            for g in groups
                        ),
                    )
                    for k in categories
                ],
            )
        )
    if report.get("sweep"):
        console().print(
            table(
                "precision / recall of the lexicon and classifier at each threshold (the screen above "
                f"used {report['threshold']:.2f}" + ("; the sweep leaves the LLM check out)" if llm_mode else ")"),
                ["threshold"] + groups,
                [
                    (
                        t,
                        *(
                            f"{_share(g['tp'], g['tp'] + g['fp'])} / {_share(g['tp'], g['tp'] + g['fn'])}"
                            for g in (by[name] for name in groups)
                        ),
                    )
                    for t, by in report["sweep"].items()
                ],
            )
        )
    if "errors" in report:
        wrong = report["errors"]
        console().print(
            table(
                f"{len(wrong)} message(s) the screen got wrong",
                ["line", "error", "label", "screen", "evidence", "text"],
                [
                    (w["line"], w["error"], w["label"], w["risk"], ", ".join(w["evidence"]) or "-", w["text"])
                    for w in wrong
                ],
            )
        )


def _print_train(report: dict) -> None:
    """`safety train`'s table (when it cross-validated) and where the classifier went."""
    from ._ui import console, table

    n, out, quarantined = report["messages"], report["out"], report["quarantined"]
    if "groups" in report:

        def cells(s: dict) -> tuple[str, str]:
            return (
                f"{_share(s['tp'], s['tp'] + s['fp'])} / {_share(s['tp'], s['tp'] + s['fn'])}",
                f"{s['fp']} / {s['fn']}",
            )

        ref = report.get("reference", "bundled").split()[0]  # "shipped" when the written sets were not at hand
        console().print(
            table(
                f"the screen on your {n} messages, with the {ref} classifier and retrained "
                f"({report['folds']}-fold cross-validation: each message screened by a classifier "
                "trained without it)",
                [
                    "messages",
                    "n",
                    f"{ref}: precision / recall",
                    "false alarms / misses",
                    "retrained: precision / recall",
                    "false alarms / misses",
                ],
                [
                    (name, g["bundled"]["n"], *cells(g["bundled"]), *cells(g["retrained"]))
                    for name, g in report["groups"].items()
                ],
            )
        )
    theirs = "the project's written sets and " if report["with_bundled"] else ""
    typer.echo(
        f"trained on {theirs}your {n} messages "
        f"({report['at_risk']} at risk{f', {quarantined} malformed line(s) quarantined' if quarantined else ''}); "
        f"written to {out}. Use it: warmline chat --classifier-file {out}, warmline serve --classifier-file "
        f"{out}; score it on messages it has not seen: warmline safety eval FILE --classifier-file {out}"
    )


def _print_rate(report: dict, show: bool, llm_mode: str | None) -> None:
    """`safety rate`'s tables; `llm_mode` is None without the LLM check."""
    from ._ui import console, table

    if llm_mode is not None:
        _llm_say(report, llm_mode)
    console().print(
        table(
            f"{report['role']} messages flagged by the {report['screen']}",
            ["file", "messages", "flagged", "share", "by language", "quarantined"],
            [
                (
                    Path(f["path"]).name,
                    f["messages"],
                    f["flagged"],
                    _share(f["flagged"], f["messages"]),
                    ", ".join(f"{lang} {k}/{n}" for lang, (k, n) in sorted(f["by_lang"].items())) or "-",
                    f["quarantined"],
                )
                for f in report["files"]
            ],
        )
    )
    flagged = sum(f["flagged"] for f in report["files"])
    if flagged:
        typer.echo(
            f"{sum(f['check_in'] for f in report['files'])} of the {flagged} flag(s) get the check-in (a second "
            "stage flagged the message alone and unsure), the others the full crisis message; both carry the "
            "resources"
        )
    if show:
        rows = [
            (Path(f["path"]).name, m["risk"], m["answer"], ", ".join(m["evidence"]) or "-", m["text"])
            for f in report["files"]
            for m in f["flagged_messages"]
        ]
        console().print(
            table(f"{len(rows)} flagged message(s)", ["file", "screen", "answer", "evidence", "text"], rows)
        )
