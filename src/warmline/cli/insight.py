"""Psy-Insight commands: `warmline label llm|classify-train|examples`, `warmline index`, and
`warmline insight-extract`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import console, fail, table

app = typer.Typer(no_args_is_help=True, help="Label counseling dialogues (Psy-Insight): with an LLM, or with a "
                                             "light classifier trained on labelled data.")


def _dialogues(path: Path, fmt: str | None, quarantine: Path):
    from ..formats import FormatError, Quarantine, read_dialogues

    try:
        with Quarantine(quarantine) as bad:
            ds = list(read_dialogues(path, fmt, on_bad=bad))
    except (FormatError, ValueError, LookupError, OSError) as e:
        fail(f"{path}: {e}")
    if bad.count:
        console().print(f"{bad.count} malformed record(s) from {path} quarantined in {quarantine}", markup=False)
    if not ds:
        fail(f"{path}: no dialogues could be read", 1)
    return ds


@app.command("llm")
def label_llm(
    data: Path = typer.Argument(..., help="Dialogues in any format `warmline convert` reads."),
    output: Path = typer.Option(..., "--output", help="Labelled dialogues (warmline JSONL); failures go to "
                                                      "OUTPUT.failed.jsonl. Re-running resumes."),
    fmt: str = typer.Option(None, "--from"),
    backend: str = B.BACKEND, model: str = B.MODEL, base_url: str = B.BASE_URL, api_key_env: str = B.API_KEY_ENV,
    max_retries: int = typer.Option(2, "--max-retries", help="Re-asks when the answer does not match the schema."),
    concurrency: int = typer.Option(4, "--concurrency"),
    limit: int = typer.Option(None, "--limit", help="Label at most this many dialogues."),
) -> None:
    """Label each dialogue with an LLM: background, guide, topic, psychotherapy and summary per session;
    strategy and reasoning per counselor turn; emotion and observation per client turn. The answer is
    validated against the taxonomies in data/labels/ and re-asked when invalid."""
    from ..backends.base import run_closing
    from ..insight.labels import label_dialogues

    ds = _dialogues(data, fmt, output.with_name(output.stem + ".quarantine.jsonl"))[:limit]
    llm = B.build(backend, model, None, base_url, api_key_env, concurrency=concurrency)

    from tqdm import tqdm

    with tqdm(total=len(ds), desc="label", unit=" dialogue") as bar:
        run = run_closing(label_dialogues(ds, llm, output, max_retries, concurrency, progress=bar.update), llm)
    console().print(table(f"labels by {llm.model_id}", ["", "count"], [
        ("dialogues", len(ds)), ("labelled now", run.labelled), ("already labelled (resumed)", run.resumed),
        ("failed after retries", len(run.failed)), ("model calls", run.stats.calls), ("re-asked", run.stats.retries)]))
    console().print(f"labelled: {output}" + (f"; failures: {output.with_name(output.stem + '.failed.jsonl')}"
                                              if run.failed else ""), markup=False)


@app.command("classify-train")
def classify_train(
    data: Path = typer.Option(None, "--data", help="Labelled dialogues (e.g. Psy-Insight JSON, or `label llm` output). "
                                                  "Default: the project's labelled examples."),
    task: str = typer.Option(..., "--task", help="strategy, emotion, psychotherapy or topic."),
    output: Path = typer.Option(..., "--output", help="Directory for the model, report.json and confusion.png."),
    fmt: str = typer.Option(None, "--from"),
    test_fraction: float = typer.Option(0.25, "--test-fraction", help="Share of dialogues held out."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Train the light n-gram classifier for one label task and report accuracy and macro-F1 on held-out
    dialogues, against always guessing the most common label."""
    from dataclasses import asdict

    from ..insight import classify

    if data is None:
        ds = classify.example_dialogues()
        console().print("[dim]no --data: using the project's labelled examples (data/labels/examples.yaml)[/dim]")
    else:
        ds = _dialogues(data, fmt, output / "quarantine.jsonl")
    try:
        exs = classify.examples(ds, task)
        rep, clf = classify.evaluate(task, exs, test_fraction, seed)
    except ValueError as e:
        fail(str(e))
    clf.save(output)
    png = classify.confusion_plot(rep, output / "confusion.png")
    (output / "report.json").write_text(json.dumps(asdict(rep), ensure_ascii=False, indent=2), encoding="utf-8")
    rows = [(c, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", v["support"]) for c, v in rep.per_class.items()]
    console().print(table(f"{task}: held-out {rep.test} examples ({rep.train} for training)",
                          ["label", "precision", "recall", "F1", "support"], rows))
    print(f"accuracy {rep.accuracy:.4f}  macro-F1 {rep.macro_f1:.4f}  (most-common-label baseline accuracy "
          f"{rep.majority_accuracy:.4f}); trained in {rep.seconds:.1f} s")
    console().print(f"model: {output}; confusion matrix: {png}", markup=False)


@app.command("examples")
def label_examples(output: Path = typer.Option(..., "--output", help="Where to write them (warmline JSONL).")) -> None:
    """Write the project's small labelled example dialogues (strategies and emotions per turn)."""
    from ..conversation import write_jsonl
    from ..insight.classify import example_dialogues

    n = write_jsonl(example_dialogues(), output)
    console().print(f"{n} labelled dialogues: {output}", markup=False)


def index_main(
    args: list[str] = typer.Argument(..., metavar="DATA | query DIR TEXT",
                                     help="Build: a corpus of sessions. Search: `query DIR TEXT`."),
    output: Path = typer.Option(None, "--output", help="Directory for the index (build)."),
    fmt: str = typer.Option(None, "--from"),
    embed: str = typer.Option("use", "--embed", help="use (offline, multilingual), a sentence-transformers directory, "
                                                     "or openai:MODEL with --base-url."),
    base_url: str = typer.Option(None, "--base-url"),
    k: int = typer.Option(3, "--k", help="Sessions returned by a query."),
) -> None:
    """Build a case index of counseling sessions (`warmline index DATA --output DIR`) or search one
    (`warmline index query DIR TEXT --k N`). Chat and serve use it with --index DIR."""
    from ..insight.index import CaseIndex, build

    if args[0] == "query":
        if len(args) < 3:
            fail("usage: warmline index query DIR TEXT [--k N]")
        try:
            idx = CaseIndex(Path(args[1]))
        except ValueError as e:
            fail(str(e))
        hits = idx.search(" ".join(args[2:]), k)
        console().print(table(f"{len(hits)} most similar of {len(idx.sessions)} sessions ({idx.engine})",
                              ["score", "id", "concern", "guide"],
                              [(f"{h.score:.3f}", h.session["id"], h.session.get("concern", "")[:60],
                                str(h.session.get("guide", ""))[:60]) for h in hits]))
        return
    if len(args) != 1 or output is None:
        fail("usage: warmline index DATA --output DIR")
    data = Path(args[0])
    ds = _dialogues(data, fmt, output / "quarantine.jsonl")
    try:
        from tqdm import tqdm

        with tqdm(total=len(ds), desc="embed", unit=" session") as bar:
            meta = build(ds, output, embed, base_url, progress=bar.update)
    except (ValueError, ImportError) as e:
        fail(str(e))
    console().print(f"indexed {meta['sessions']} sessions ({meta['with_guide']} with a guide, {meta['with_summary']} "
                    f"with a summary) with {meta['embedder_name']}: {output}", markup=False)


def extract_main(
    inp: Path = typer.Argument(..., metavar="TEXT_FILE", help="Raw text mixing dialogue lines ('来访者：…', "
                                                              "'Counselor: …') with explanatory paragraphs."),
    output: Path = typer.Option(..., "--output", help="Review file: warmline JSONL with proposed labels and every "
                                                      "link under meta.review (accept: true|false)."),
    window: int = typer.Option(4, "--window", help="Longest span of turns a paragraph is matched against."),
    embed: str = typer.Option("use", "--embed"),
    check: bool = typer.Option(False, "--check", help="Ask an LLM whether each paragraph explains its span."),
    backend: str = B.BACKEND, model: str = B.MODEL, base_url: str = B.BASE_URL, api_key_env: str = B.API_KEY_ENV,
) -> None:
    """Find the dialogue in a text, and attach each explanatory paragraph to the turns it explains
    (turn labels) or to the session (background, guide, summary), for a person to review."""
    from ..analyze.semantic import make_embedder
    from ..conversation import write_jsonl
    from ..insight.extract import extract

    if not inp.is_file():
        fail(f"{inp} does not exist")
    try:
        text = inp.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{inp} is not UTF-8; convert it first (e.g. iconv -f gb18030 -t utf-8)")
    checker = None
    if check:
        from ..backends import preset

        llm = B.build(backend, model, None, base_url, api_key_env)
        checker = lambda prompt: llm.generate([{"role": "user", "content": prompt}],  # noqa: E731
                                              preset("greedy", max_new_tokens=32)).text
    embedder, _ = make_embedder(embed, base_url)
    ds, rep = extract(text, embedder, inp.stem, window, checker)
    if not ds:
        fail(f"{inp}: no dialogue lines found (lines must start with a speaker such as '来访者：' or 'Client:')", 1)
    write_jsonl(ds, output)
    console().print(table("insight-extract", ["", "count"], [
        ("sessions", rep.sessions), ("turns", rep.turns), ("explanatory paragraphs", rep.paragraphs),
        ("turn labels proposed", rep.turn_labels), ("session labels proposed", rep.session_labels),
        ("links the LLM rejected", rep.rejected_by_llm)]))
    console().print(f"review file: {output} (set accept to false or edit labels; it is warmline JSONL)", markup=False)
