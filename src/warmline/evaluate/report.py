"""Evaluation reports a person can read: a Markdown and an HTML page with a table per system (score and
95% interval), paired comparisons, bar charts with intervals, style statistics, and the signature of
every number; and a JSON file with all of it."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

MAIN = [
    "bleu-1",
    "bleu-2",
    "bleu-3",
    "bleu-4",
    "corpus-bleu-4",
    "rouge-1",
    "rouge-2",
    "rouge-l",
    "meteor",
    "distinct-1",
    "distinct-2",
    "distinct-3",
    "bertscore-f",
    "embedding-cosine",
]


def _fmt(x: float) -> str:
    return f"{x:.4f}" if abs(x) < 10 else f"{x:.2f}"


def _chart(systems: dict, metrics: list[str]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(systems)
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(metrics) * max(1, len(names))), 3.8), dpi=110)
    width = 0.8 / max(1, len(names))
    x = np.arange(len(metrics))
    for i, name in enumerate(names):
        s = systems[name]
        vals = [s["scores"].get(m, 0.0) for m in metrics]
        lo = [max(0.0, v - s["ci"].get(m, [v, v])[0]) for v, m in zip(vals, metrics)]
        hi = [max(0.0, s["ci"].get(m, [v, v])[1] - v) for v, m in zip(vals, metrics)]
        ax.bar(x + i * width, vals, width, yerr=[lo, hi], capsize=3, label=name)
    ax.set_xticks(x + width * (len(names) - 1) / 2, metrics, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("score (bars: 95% bootstrap interval)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def write(
    out: Path,
    systems: dict,
    comparisons: dict | None = None,
    style: dict | None = None,
    title: str = "warmline evaluation",
) -> dict[str, Path]:
    """systems: {name: Scores.to_dict()}; comparisons: {"A vs B": {metric: paired result}}."""
    out.mkdir(parents=True, exist_ok=True)
    comparisons = comparisons or {}
    style = style or {}
    metrics = [m for m in MAIN if any(m in s["scores"] for s in systems.values())]
    png = _chart(systems, metrics)
    (out / "metrics.png").write_bytes(png)
    (out / "report.json").write_text(
        json.dumps({"systems": systems, "comparisons": comparisons, "style": style}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    md = [f"# {title}", "", "| metric | " + " | ".join(systems) + " |", "|---" * (len(systems) + 1) + "|"]
    for m in metrics:
        cells = []
        for s in systems.values():
            if m in s["scores"]:
                ci = s["ci"].get(m)
                cells.append(_fmt(s["scores"][m]) + (f" [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else ""))
            else:
                cells.append("")
        md.append(f"| {m} | " + " | ".join(cells) + " |")
    md += ["", "![metrics](metrics.png)", ""]
    if style:
        md += [
            "## Style",
            "",
            "| system | replies with numbered advice | replies with a question | reply length / reference length |",
            "|---|---|---|---|",
        ]
        md += [
            f"| {n} | {v['advice_lists']:.1%} | {v['questions']:.1%} | {v['length_ratio']:.2f} |"
            for n, v in style.items()
        ]
        md.append("")
    for pair, res in comparisons.items():
        md += [f"## {pair} (paired bootstrap)", "", "| metric | difference | 95% interval | p |", "|---|---|---|---|"]
        md += [
            f"| {m} | {_fmt(r['delta'])} | [{_fmt(r['ci'][0])}, {_fmt(r['ci'][1])}] | {r['p_value']:.3f} |"
            for m, r in res.items()
        ]
        md.append("")
    first = next(iter(systems.values()))
    md += ["## Signatures", ""] + [f"- `{m}`: `{first['signatures'][m]}`" for m in metrics if m in first["signatures"]]
    (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    body = "\n".join(md)
    page = (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "pre{white-space:pre-wrap}</style>"
        f"<h1>{html.escape(title)}</h1><img alt='metrics' style='max-width:100%' "
        f"src='data:image/png;base64,{base64.b64encode(png).decode()}'><pre>{html.escape(body)}</pre>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    return {
        "json": out / "report.json",
        "md": out / "report.md",
        "html": out / "report.html",
        "png": out / "metrics.png",
    }


def style_stats(replies: list[str], references: list[str]) -> dict:
    """The failure these papers fight, measured: the share of replies with numbered suggestion lists,
    the share that ask a question, and reply length against the reference (characters)."""
    from ..replies import is_advice_dump

    n = max(1, len(replies))
    ref_len = sum(len(r) for r in references) or 1
    return {
        "advice_lists": sum(is_advice_dump(r) for r in replies) / n,
        "questions": sum(("?" in r or "？" in r) for r in replies) / n,
        "length_ratio": sum(len(r) for r in replies) / ref_len,
    }


def rubric_chart(path: Path, title: str, rows: list[tuple[str, float, float, float, int]]) -> Path:
    """A bar chart of rubric means with 95% intervals: rows of (criterion, mean, low, high, max)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(5, 1.3 * len(rows)), 3.5), dpi=110)
    names = [r[0] for r in rows]
    means = [r[1] for r in rows]
    err = [[m - r[2] for m, r in zip(means, rows)], [r[3] - m for m, r in zip(means, rows)]]
    ax.bar(
        names,
        [m / r[4] for m, r in zip(means, rows)],
        yerr=[[e / r[4] for e, r in zip(err[0], rows)], [e / r[4] for e, r in zip(err[1], rows)]],
        capsize=4,
    )
    for i, (m, r) in enumerate(zip(means, rows)):
        ax.text(i, m / r[4] + 0.02, f"{m:.2f}/{r[4]}", ha="center", fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("mean / maximum (95% interval)")
    ax.set_title(title, fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
