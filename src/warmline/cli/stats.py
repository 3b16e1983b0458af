"""`warmline stats DATA...`: statistics, diversity, topics, fidelity, duplicates and contamination of one
or more corpora, side by side."""

from __future__ import annotations

from pathlib import Path

import typer

from . import _backend as B
from ._ui import console, fail, table


def main(
    data: list[Path] = typer.Argument(
        ...,
        metavar="DATA...",
        help="Corpora in any format `warmline convert` reads; several are compared side by side.",
    ),
    compare: list[Path] = typer.Option(
        None, "--compare", help="More corpora to put side by side with DATA (the same as listing them after DATA)."
    ),
    json_out: Path = typer.Option(None, "--json", help="Write everything as JSON here."),
    html_out: Path = typer.Option(None, "--html", help="Write an HTML report with all plots here."),
    csv_out: Path = typer.Option(None, "--csv", help="Write the statistics table as CSV here."),
    md_out: Path = typer.Option(None, "--md", help="Write the statistics table as Markdown here."),
    fmt: str = typer.Option(None, "--from", help="Input format for every DATA (detected when omitted)."),
    tokenize: str = typer.Option(
        "char",
        "--tokenize",
        help="Distinct-n tokenizer: char (default; English corpora "
        "then use 13a words), jieba, 13a, whitespace, or a tokenizer path.",
    ),
    embed: str = typer.Option(
        None,
        "--embed",
        help="Semantic diversity and rewrite fidelity with: use (the offline "
        "multilingual encoder), a sentence-transformers directory, or openai:MODEL.",
    ),
    sample: int = typer.Option(200, "--sample", help="Dialogues sampled for pairwise similarity."),
    topics: str = typer.Option(
        None,
        "--topics",
        help="Label topics with an LLM: soulchat12, fine60 or a taxonomy YAML (with --backend/--model).",
    ),
    against: Path = typer.Option(
        None,
        "--against",
        help="Contamination: compare each DATA with this corpus (e.g. DATA = a test set, --against the training set).",
    ),
    ngram: int = typer.Option(
        13, "--ngram", help="n for contamination overlap (characters for Chinese, words for English)."
    ),
    no_dedup: bool = typer.Option(False, "--no-dedup", help="Skip exact and near-duplicate detection."),
    near: float = typer.Option(0.8, "--near", help="Jaccard similarity that counts as a near duplicate."),
    output_dir: Path = typer.Option(
        Path("warmline-stats"), "--output-dir", help="Topic labels (resumable) and quarantine files go here."
    ),
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    concurrency: int = typer.Option(8, "--concurrency"),
    view: str = typer.Option(
        "all",
        "--view",
        help="all: every analysis (SMILE's Table 3 from the data's sentence "
        "annotations is added when present); smile-table3: only that table, "
        "counting annotated sentences as utterances, as the SMILE paper does.",
    ),
) -> None:
    """Describe corpora the way SMILE and SoulChat did: a statistics table (dialogues, utterances, turns,
    lengths), Distinct-1/2/3, pairwise semantic similarity, rewrite fidelity, topics and their entropy,
    frequent counselor words, duplicates and contamination. Malformed records are quarantined and counted."""
    from ..analyze import run

    data = list(data) + list(compare or [])
    if view not in ("all", "smile-table3"):
        fail(f"unknown --view {view!r}: use all or smile-table3")
    corpora = [_load(p, n, fmt, output_dir) for p, n in zip(data, run.column_names(data))]
    if view == "smile-table3":
        _smile_table3(corpora, json_out, md_out)
        return
    opts = run.Options(
        tokenize=tokenize,
        sample=sample,
        topics=topics,
        dedup=not no_dedup,
        near_threshold=near,
        ngram=ngram,
        concurrency=concurrency,
        out_dir=output_dir,
        base_url=base_url,
        api_key_env=api_key_env,
        bars=True,
    )
    if against:
        opts.against = _load(against, against.stem, fmt, output_dir)
    if topics:
        opts.backend = B.build(backend, model, None, base_url, api_key_env, concurrency=concurrency)
    embedder = None
    if embed:
        from ..analyze.semantic import make_embedder

        try:
            embedder = make_embedder(embed, base_url, api_key_env, progress=_embed_bar())
        except (ValueError, ImportError) as e:
            fail(str(e))
    try:
        reports = [run.analyse(c, opts, embedder, _say) for c in corpora]
    except ValueError as e:
        fail(str(e))
    _show(reports)
    for kind, path in run.write_all(reports, json_out, html_out, csv_out, md_out).items():
        console().print(f"{kind}: {path}", markup=False)


def _say(message: str) -> None:
    console().print(f"[dim]{message}[/dim]")


def _load(path: Path, name: str, fmt: str | None, output_dir: Path):
    """The corpus at `path`, or an error saying why none could be read; quarantined records are reported."""
    from ..analyze import corpus as corpus_mod, run
    from ..formats import FormatError

    try:
        c = corpus_mod.load(path, fmt, name, quarantine=run.quarantine_file(output_dir, name))
    except (FormatError, ValueError, LookupError, OSError) as e:
        fail(f"{path}: {e}")
    if c.quarantined:
        _say(
            f"{path}: {c.quarantined} malformed record(s) quarantined in {c.quarantine_file} "
            f"({', '.join(f'{k} x{v}' for k, v in c.reasons.most_common(3))})"
        )
    if not len(c):
        fail(f"{path}: no dialogues could be read" + (f"; see {c.quarantine_file}" if c.quarantined else ""), 1)
    return c


def _smile_table3(corpora: list, json_out: Path | None, md_out: Path | None) -> None:
    from ..analyze import run

    reports = run.sentence_reports(corpora)
    rows = run.sentence_rows(reports)
    if not rows:
        fail(
            "no sentence annotations in the data: SMILE's Table 3 counts SMILECHAT's annotated sentences "
            "(each turn's 'annotation' list); use --view all for warmline's own statistics",
            1,
        )
    console().print(
        table(
            "SMILE's Table 3: utterances = the data's annotated sentences",
            ["statistic"] + [r.name for r in reports] + ["what it counts"],
            rows,
        )
    )
    for kind, path in run.write_all(reports, json_out, None, None, md_out, only_sentences=True).items():
        console().print(f"{kind}: {path}", markup=False)


def _show(reports: list) -> None:
    """The statistics table, SMILE's Table 3 when the data has sentence annotations, and one line per
    finding (frequent words, topics, rewrites below the fidelity boundary, contamination)."""
    from ..analyze import run

    head = ["statistic"] + [r.name for r in reports]
    console().print(table("corpus statistics", head, run.table_rows(reports)))
    sent = run.sentence_rows(reports)
    if sent:
        console().print(
            table("SMILE's Table 3: utterances = the data's annotated sentences", head + ["what it counts"], sent)
        )
    for r in reports:
        for lang, freqs in r.frequent_words.items():
            console().print(
                f"{r.name} frequent counselor words ({lang}): " + ", ".join(f"{w} {n}" for w, n in freqs[:15]),
                markup=False,
            )
        if r.topics:
            console().print(
                f"{r.name} topics ({r.topics['taxonomy']}, entropy {r.topics['entropy_bits']:.3f} bits): "
                + ", ".join(f"{k} {v}" for k, v in list(r.topics["distribution"].items())[:12]),
                markup=False,
            )
        if r.fidelity and r.fidelity["below_boundary"]:
            console().print(
                f"{r.name}: {len(r.fidelity['below_boundary'])} rewrite(s) below the fidelity boundary "
                f"{r.fidelity['boundary']:.3f}: " + ", ".join(b["id"] for b in r.fidelity["below_boundary"][:10]),
                markup=False,
            )
        if r.contamination and r.contamination["items"]:
            console().print(
                f"{r.name}: {len(r.contamination['items'])} item(s) overlap {r.contamination['against']}: "
                + ", ".join(f"{i['id']} ({i['overlap']:.0%})" for i in r.contamination["items"][:10]),
                markup=False,
            )


def _embed_bar():
    """A progress callback for embedding (texts done), drawn on stderr."""
    from tqdm import tqdm

    bar = tqdm(desc="embed", unit=" text", leave=False)
    return bar.update
