"""`warmline stats`: every analysis of one or more corpora, side by side, as JSON, CSV, Markdown and an
HTML page with its plots. Each piece is optional; the cheap ones (statistics, Distinct-n, frequent
words, duplicates) run by default, the ones that need a model (semantic diversity, fidelity, topics)
when asked."""

from __future__ import annotations

import base64
import csv
import dataclasses
import html
import io
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import dedup, lexical, semantic, topics as topics_mod, words
from .corpus import Corpus
from .sentence_table import sentence_table


@dataclass
class Options:
    tokenize: str = "char"  # for Distinct-n; per corpus, English dialogues are scored with 13a words
    embed: str | None = None  # None: no semantic diversity or fidelity
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    sample: int = 200
    topics: str | None = None  # a taxonomy name or path; needs `backend`
    backend: object = None
    concurrency: int = 8
    dedup: bool = True
    near_threshold: float = 0.8
    against: Corpus | None = None  # contamination: the corpus compared against each analysed one
    ngram: int = 13
    per_topic: bool = True
    out_dir: Path | None = None  # where topic labels (resumable) and plots go
    bars: bool = False  # progress bars (tqdm, on stderr) for the long steps


@dataclass
class CorpusReport:
    name: str
    path: str
    table: dict
    distinct: dict
    tokenizer: str
    per_topic: dict = field(default_factory=dict)
    semantic: dict | None = None
    fidelity: dict | None = None
    topics: dict | None = None
    frequent_words: dict = field(default_factory=dict)
    duplicates: dict | None = None
    contamination: dict | None = None
    sentence_table: dict | None = None  # SMILE's Table 3 from the data's sentence annotation, when it has one
    quarantined: int = 0
    quarantine_file: str | None = None
    plots: dict = field(default_factory=dict, repr=False)  # name -> PNG bytes


def _tokenizer_for(c: Corpus, requested: str) -> str:
    """English through the char tokenizer would count letters: English corpora use 13a words unless a
    word tokenizer was asked for; Chinese uses what was asked (char by default)."""
    if requested == "char" and c.langs and all(lang == "en" for lang in c.langs):
        return "13a"
    return requested


def _distinct(c: Corpus, tok: str) -> dict:
    d = lexical.corpus_distinct(c, tok)
    return {
        f"distinct-{n}": {"unique": u, "total": t, "distinct": round(r, 6)}
        for n, (u, t, r) in enumerate(zip(d.unique, d.total, d.corpus), 1)
    }


def analyse(c: Corpus, opts: Options, embedder=None, progress: Callable[[str], None] = lambda m: None) -> CorpusReport:
    progress(f"{c.name}: statistics and Distinct-n")
    tok = _tokenizer_for(c, opts.tokenize)
    rep = CorpusReport(
        c.name,
        c.path,
        {k: v for k, v in dataclasses.asdict(lexical.stats_table(c)).items()},
        _distinct(c, tok),
        tok,
        quarantined=c.quarantined,
        quarantine_file=c.quarantine_file,
    )
    sent = sentence_table(c)
    rep.sentence_table = sent.to_dict() if sent else None
    progress(f"{c.name}: frequent counselor words")
    rep.frequent_words = words.frequent_words(c)
    if embedder is not None and len(c) >= 2:
        embed, name = embedder
        progress(f"{c.name}: semantic diversity ({min(len(c), opts.sample)} dialogues, {name})")
        dist, n = semantic.semantic_diversity(c, embed, opts.sample)
        rep.semantic = {"embedder": name, "dialogues": n, **dist.summary()}
        rep.plots["semantic"] = dist.values
        fid = semantic.fidelity(c, embed)
        if fid is not None:
            progress(f"{c.name}: rewrite fidelity on {fid.attract.n} rewrites")
            rep.fidelity = {"embedder": name, **fid.summary()}
            rep.plots["fidelity"] = (fid.attract.values, fid.repel.values, fid.boundary)
    topic_labels = c.topics
    if opts.topics and opts.backend is not None:
        tax = topics_mod.load_taxonomy(opts.topics)
        out = (opts.out_dir or Path(".")) / f"{_slug(c.name)}.topics.{tax.name}.jsonl"
        progress(
            f"{c.name}: topics ({tax.name}, {len(tax.topics)} topics) with {opts.backend.model_id}; labels in {out}"
        )
        from ..backends.base import run_closing

        with _bar(opts, len(c), f"{c.name}: topics") as tick:
            res = run_closing(
                topics_mod.label_topics(c, opts.backend, tax, out, concurrency=opts.concurrency, progress=tick),
                opts.backend,
            )
        topic_labels = [res.labels.get(i, []) for i in c.ids]
        counts = topics_mod.distribution(topic_labels)
        rep.topics = {
            "taxonomy": tax.name,
            "labelled": len(res.labels),
            "failed": len(res.failed),
            "resumed": res.resumed,
            "judge_calls": res.stats.calls,
            "retries": res.stats.retries,
            "entropy_bits": topics_mod.entropy_bits(counts),
            "max_entropy_bits": float(np.log2(len(tax.topics))),
            "distribution": dict(counts.most_common()),
            "labels_file": str(out),
        }
    elif any(topic_labels):
        counts = topics_mod.distribution(topic_labels)
        rep.topics = {
            "taxonomy": "from the data",
            "labelled": sum(1 for t in topic_labels if t),
            "entropy_bits": topics_mod.entropy_bits(counts),
            "distribution": dict(counts.most_common()),
        }
    if opts.per_topic and any(topic_labels):
        for t in sorted({x for ts in topic_labels for x in ts}):
            keep = np.array([t in ts for ts in topic_labels])
            rep.per_topic[t] = dataclasses.asdict(lexical.stats_table(c.subset(keep)))
    if opts.dedup and len(c) >= 2:
        progress(f"{c.name}: exact and near duplicates (MinHash, Jaccard >= {opts.near_threshold})")
        with _bar(opts, len(c), f"{c.name}: near duplicates") as tick:
            rep.duplicates = dedup.find_duplicates(c, opts.near_threshold, progress=tick).summary()
    if opts.against is not None:
        progress(f"{c.name}: contamination against {opts.against.name} ({opts.ngram}-grams)")
        with _bar(opts, len(opts.against), f"{c.name}: index {opts.against.name}") as tick:
            rep.contamination = {
                "against": opts.against.name,
                **dedup.contamination(opts.against, c, opts.ngram, progress=tick).summary(),
            }
    return rep


@contextmanager
def _bar(opts: Options, total: int, desc: str):
    """A progress callback (n done) for a long step: a tqdm bar when asked for, else nothing."""
    if not opts.bars:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit=" dialogue", leave=False) as bar:
        yield bar.update


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def column_names(paths: list[Path]) -> list[str]:
    """A column name per corpus: the file's stem or the directory's name, numbered when two would clash."""
    names = [p.stem if p.is_file() else p.name for p in paths]
    if len(set(names)) < len(names):  # keep the columns apart
        names = [f"{n}#{i + 1}" for i, n in enumerate(names)]
    return names


def quarantine_file(out_dir: Path, name: str) -> Path:
    """Where the malformed records of the corpus called `name` go."""
    return out_dir / f"{_slug(name)}.quarantine.jsonl"


# -- output -------------------------------------------------------------------------------------------

TABLE_KEYS = [f.name for f in dataclasses.fields(lexical.StatsTable) if f.name != "unit"]


def to_json(reports: list[CorpusReport]) -> dict:
    return {"corpora": [{k: v for k, v in dataclasses.asdict(r).items() if k != "plots"} for r in reports]}


def write_csv(reports: list[CorpusReport], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["statistic"] + [r.name for r in reports])
        for k in TABLE_KEYS:
            w.writerow([k] + [r.table[k] for r in reports])
        w.writerow(["length unit"] + [r.table["unit"] for r in reports])
        for n in (1, 2, 3):
            for part in ("unique", "total", "distinct"):
                w.writerow([f"distinct-{n} {part}"] + [r.distinct[f"distinct-{n}"][part] for r in reports])


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 10 else f"{v:,.2f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def table_rows(reports: list[CorpusReport]) -> list[list[str]]:
    rows = [[k.replace("_", " ")] + [_fmt(r.table[k]) for r in reports] for k in TABLE_KEYS]
    rows.append(["length unit"] + [r.table["unit"] for r in reports])
    rows.append(["Distinct tokenizer"] + [r.tokenizer for r in reports])
    for n in (1, 2, 3):
        rows.append(
            [f"Distinct-{n} (unique / total)"]
            + [
                f"{r.distinct[f'distinct-{n}']['distinct']:.4f} ({r.distinct[f'distinct-{n}']['unique']:,} / "
                f"{r.distinct[f'distinct-{n}']['total']:,})"
                for r in reports
            ]
        )

    def optional(label: str, key: str, fmt: Callable[[dict], str]) -> None:
        """A row for an analysis that ran on at least one corpus; "-" where it did not run."""
        if any(getattr(r, key) for r in reports):
            rows.append([label] + [fmt(getattr(r, key)) if getattr(r, key) else "-" for r in reports])

    optional(
        "pairwise cosine median [q1, q3]", "semantic", lambda x: f"{x['median']:.3f} [{x['q1']:.3f}, {x['q3']:.3f}]"
    )
    optional(
        "fidelity: attract / repel mean", "fidelity", lambda x: f"{x['attract']['mean']:.3f} / {x['repel']['mean']:.3f}"
    )
    optional("rewrites below mean - 3 sigma", "fidelity", lambda x: str(len(x["below_boundary"])))
    optional("topic entropy (bits)", "topics", lambda x: f"{x['entropy_bits']:.3f}")
    optional("exact duplicates / near pairs", "duplicates", lambda x: f"{x['exact_duplicates']} / {x['near_pairs']}")
    optional("contaminated items", "contamination", lambda x: f"{x['contaminated']} of {x['checked']}")
    rows.append(["quarantined records"] + [str(r.quarantined) for r in reports])
    return rows


def sentence_rows(reports: list[CorpusReport]) -> list[list[str]]:
    """SMILE's Table 3 rows (statistic, one value per corpus, what it counts), for the corpora whose data
    carries sentence annotations ("-" for the others); empty when none does."""
    from .sentence_table import SentenceTable

    tables = [SentenceTable(**r.sentence_table) if r.sentence_table else None for r in reports]
    first = next((t for t in tables if t is not None), None)
    if first is None:
        return []
    per = [t.rows() if t else None for t in tables]
    return [[label] + [p[i][1] if p else "-" for p in per] + [what] for i, (label, _, what) in enumerate(first.rows())]


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows]


def markdown(reports: list[CorpusReport]) -> str:
    lines = _md_table(["statistic"] + [r.name for r in reports], table_rows(reports))
    sent = sentence_rows(reports)
    if sent:
        lines += ["", "SMILE's Table 3 (utterances = the data's annotated sentences)", ""]
        lines += _md_table(["statistic"] + [r.name for r in reports] + ["what it counts"], sent)
    return "\n".join(lines) + "\n"


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .words import cjk_font

    font = cjk_font()
    if font:  # Chinese words and topic names in plots
        from matplotlib import font_manager

        font_manager.fontManager.addfont(font)
        plt.rcParams["font.sans-serif"] = [font_manager.FontProperties(fname=font).get_name(), "DejaVu Sans"]
    return plt


def plots(reports: list[CorpusReport], out_dir: Path) -> dict[str, Path]:
    """PNG files: Distinct-n bars, semantic box plots, fidelity histograms, topic bars, frequent words,
    word clouds. Returns name -> path."""
    plt = _plt()
    out_dir.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}

    def save(name: str, fig) -> None:
        p = out_dir / f"{name}.png"
        p.write_bytes(_png(fig))
        made[name] = p

    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=110)
    width = 0.8 / len(reports)
    for i, r in enumerate(reports):
        ax.bar(
            np.arange(3) + i * width,
            [r.distinct[f"distinct-{n}"]["distinct"] for n in (1, 2, 3)],
            width,
            label=f"{r.name} ({r.tokenizer})",
        )
    ax.set_xticks(np.arange(3) + width * (len(reports) - 1) / 2, ["Distinct-1", "Distinct-2", "Distinct-3"])
    ax.set_ylabel("unique / total n-grams")
    ax.legend(fontsize=7)
    save("distinct", fig)
    sem = [r for r in reports if r.plots.get("semantic")]
    if sem:
        fig, ax = plt.subplots(figsize=(6, 3.2), dpi=110)
        ax.boxplot([r.plots["semantic"] for r in sem], showfliers=False)
        ax.set_xticks(range(1, len(sem) + 1), [r.name for r in sem])
        ax.set_ylabel("pairwise cosine between dialogues\n(lower = more diverse)")
        save("semantic", fig)
    for r in reports:
        if r.plots.get("fidelity"):
            attract, repel, boundary = r.plots["fidelity"]
            fig, ax = plt.subplots(figsize=(6, 3.2), dpi=110)
            bins = np.linspace(min(min(attract), min(repel)), max(max(attract), max(repel)), 30)
            ax.hist(attract, bins, alpha=0.6, label="rewrite vs its source (attract)")
            ax.hist(repel, bins, alpha=0.6, label="rewrite vs unrelated source (repel)")
            ax.axvline(boundary, color="k", ls="--", label="mean - 3 sigma")
            ax.set_xlabel("cosine")
            ax.legend(fontsize=7)
            ax.set_title(r.name, fontsize=9)
            save(f"fidelity-{_slug(r.name)}", fig)
        if r.topics and r.topics.get("distribution"):
            dist = r.topics["distribution"]
            fig, ax = plt.subplots(figsize=(6, 0.3 * len(dist) + 1), dpi=110)
            ax.barh(list(dist)[::-1], list(dist.values())[::-1])
            ax.set_title(f"{r.name}: topics, entropy {r.topics['entropy_bits']:.2f} bits", fontsize=9)
            save(f"topics-{_slug(r.name)}", fig)
        for lang, freqs in r.frequent_words.items():
            if not freqs:
                continue
            top = freqs[:20]
            fig, ax = plt.subplots(figsize=(6, 0.25 * len(top) + 1), dpi=110)
            ax.barh([w for w, _ in top][::-1], [n for _, n in top][::-1])
            ax.set_title(f"{r.name}: frequent counselor words ({lang})", fontsize=9)
            save(f"words-{_slug(r.name)}-{lang}", fig)
            path, why = words.word_cloud(freqs, lang, out_dir / f"cloud-{_slug(r.name)}-{lang}.png")
            if path:
                made[f"cloud-{_slug(r.name)}-{lang}"] = path
            else:
                r.plots.setdefault("notes", []).append(f"no word cloud for {lang}: {why}")
    return made


def write_html(reports: list[CorpusReport], path: Path, images: dict[str, Path]) -> None:
    def esc(x) -> str:
        return html.escape(str(x))

    head = ["statistic"] + [r.name for r in reports]
    rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in table_rows(reports))
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>warmline stats</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
        "td:first-child{text-align:left}img{max-width:100%;margin:1em 0}</style></head><body>",
        "<h1>Corpus statistics</h1>",
        "<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>",
        rows,
        "</table>",
    ]
    for name, p in images.items():
        b64 = base64.b64encode(p.read_bytes()).decode()
        parts.append(f"<h3>{esc(name)}</h3><img alt='{esc(name)}' src='data:image/png;base64,{b64}'>")
    for r in reports:
        if r.fidelity and r.fidelity["below_boundary"]:
            parts.append(
                f"<h3>{esc(r.name)}: rewrites below the fidelity boundary</h3><ul>"
                + "".join(f"<li>{esc(b['id'])}: {b['cosine']:.3f}</li>" for b in r.fidelity["below_boundary"][:50])
                + "</ul>"
            )
        if r.duplicates and (r.duplicates["examples"]["exact"] or r.duplicates["examples"]["near"]):
            parts.append(
                f"<h3>{esc(r.name)}: duplicates</h3><ul>"
                + "".join(f"<li>exact: {esc(', '.join(g))}</li>" for g in r.duplicates["examples"]["exact"])
                + "".join(
                    f"<li>near: {esc(p['a'])} ~ {esc(p['b'])} (Jaccard {p['jaccard']})</li>"
                    for p in r.duplicates["examples"]["near"]
                )
                + "</ul>"
            )
        if r.contamination and r.contamination["items"]:
            parts.append(
                f"<h3>{esc(r.name)}: items overlapping {esc(r.contamination['against'])}</h3><ul>"
                + "".join(
                    f"<li>{esc(i['id'])} ({i['overlap']:.0%} of {r.contamination['n']}-grams; most with "
                    f"{esc(i['train_id'])})</li>"
                    for i in r.contamination["items"][:100]
                )
                + "</ul>"
            )
        for note in r.plots.get("notes", []):
            parts.append(f"<p><em>{esc(r.name)}: {esc(note)}</em></p>")
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")


def sentence_reports(corpora: list[Corpus]) -> list[CorpusReport]:
    """Reports holding only SMILE's Table 3 (`warmline stats --view smile-table3`): nothing else is computed."""
    out = []
    for c in corpora:
        t = sentence_table(c)
        out.append(
            CorpusReport(
                c.name,
                c.path,
                {},
                {},
                "",
                sentence_table=t.to_dict() if t else None,
                quarantined=c.quarantined,
                quarantine_file=c.quarantine_file,
            )
        )
    return out


def sentence_markdown(reports: list[CorpusReport]) -> str:
    head = ["statistic"] + [r.name for r in reports] + ["what it counts"]
    return "\n".join(_md_table(head, sentence_rows(reports))) + "\n"


def write_all(
    reports: list[CorpusReport],
    json_out: Path | None = None,
    html_out: Path | None = None,
    csv_out: Path | None = None,
    md_out: Path | None = None,
    only_sentences: bool = False,
) -> dict[str, Path]:
    """Write the outputs asked for; `only_sentences`: reports from `sentence_reports` (JSON and Markdown)."""
    written: dict[str, Path] = {}
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        data = (
            {
                "corpora": [
                    {"name": r.name, "path": r.path, "sentence_table": r.sentence_table, "quarantined": r.quarantined}
                    for r in reports
                ]
            }
            if only_sentences
            else to_json(reports)
        )
        json_out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        written["json"] = json_out
    if only_sentences:
        if md_out:
            md_out.parent.mkdir(parents=True, exist_ok=True)
            md_out.write_text(sentence_markdown(reports), encoding="utf-8")
            written["md"] = md_out
        return written
    if csv_out:
        write_csv(reports, csv_out)
        written["csv"] = csv_out
    if md_out:
        md_out.parent.mkdir(parents=True, exist_ok=True)
        md_out.write_text(markdown(reports), encoding="utf-8")
        written["md"] = md_out
    if html_out:
        images = plots(reports, html_out.parent / f"{html_out.stem}-plots")
        write_html(reports, html_out, images)
        written["html"] = html_out
    return written
