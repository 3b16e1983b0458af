"""`warmline eval`: metrics with signatures, generation-then-scoring, and reports."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import console, fail, table

app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  help="Evaluate replies: reproducible metrics, generation with any backend, reports.")


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        fail(f"{path} does not exist")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".jsonl":
        rows = [json.loads(x) for x in text.splitlines() if x.strip()]
        key = next((k for k in ("reply", "text", "hyp", "reference", "ref") if rows and k in rows[0]), None)
        if key is None:
            fail(f"{path}: JSONL lines need a 'reply' or 'text' field")
        return [r[key] for r in rows]
    return text.splitlines()


def _show(result: dict, as_json: Path | None) -> None:
    systems = result["systems"]
    names = list(systems)
    first = systems[names[0]]
    rows = []
    for m in [k for k in first["scores"] if not k.endswith("-ind")]:
        rows.append([m] + [f"{systems[n]['scores'][m]:.4f}" + (
            f" [{systems[n]['ci'][m][0]:.3f}, {systems[n]['ci'][m][1]:.3f}]" if m in systems[n]["ci"] else "")
            for n in names])
    console().print(table(f"scores (n={first['n']}, preset {first['preset']})", ["metric", *names], rows))
    for pair, res in result["comparisons"].items():
        console().print(table(pair, ["metric", "difference", "p"], [(m, f"{r['delta']:+.4f}", f"{r['p_value']:.3f}")
                                                                    for m, r in res.items()]))
    console().print("signatures:", markup=False)
    for m, sig in first["signatures"].items():
        if not m.endswith("-ind"):
            console().print(f"  {m}: {sig}", markup=False, highlight=False)
    if as_json:
        as_json.parent.mkdir(parents=True, exist_ok=True)
        as_json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if "paths" in result:
        console().print(f"report: {result['paths']['md']} and {result['paths']['html']}", markup=False)


SCORE_OPTS = dict(
    tokenize=typer.Option(None, "--tokenize", help="char, char-raw, jieba, 13a, whitespace, or a tokenizer path "
                                                   "(default: char for Chinese, 13a for English)."),
    preset=typer.Option("default", "--preset", help="default, llamafactory, smile, emollm or esconv."),
    bertscore=typer.Option(None, "--bertscore", help="'default' (English MiniLM from PyPI) or a local model dir."),
    embedding=typer.Option(False, "--embedding", help="Also cosine of multilingual sentence embeddings."),
    bootstrap=typer.Option(1000, "--bootstrap", help="Bootstrap resamples for 95% intervals (0: none)."),
    meteor=typer.Option(True, "--meteor/--no-meteor", help="METEOR (nltk; WordNet when installed)."),
)


@app.command("metrics")
def metrics(
    hyp: list[Path] = typer.Option(..., "--hyp", help="Replies, one per line (repeat for several systems)."),
    ref: Path = typer.Option(..., "--ref", help="References, one per line."),
    tokenize: str = SCORE_OPTS["tokenize"], preset: str = SCORE_OPTS["preset"], bertscore: str = SCORE_OPTS["bertscore"],
    embedding: bool = SCORE_OPTS["embedding"], bootstrap: int = SCORE_OPTS["bootstrap"], meteor: bool = SCORE_OPTS["meteor"],
    as_json: Path = typer.Option(None, "--json", help="Write everything, signatures included, to this file."),
    report_dir: Path = typer.Option(None, "--report", help="Write report.md, report.html, metrics.png here."),
) -> None:
    """Score one reply per line against one reference per line; several --hyp files are compared with a
    paired bootstrap against the first."""
    from ..evaluate.compare import evaluate_systems
    from ..evaluate.tokenize import TokenizationError

    refs = _lines(ref)
    systems = {}
    for h in hyp:
        hyps = _lines(h)
        if len(hyps) != len(refs):
            fail(f"{h} has {len(hyps)} lines but {ref} has {len(refs)}: one reference per reply is needed")
        systems[h.stem if h.stem not in systems else str(h)] = (hyps, refs)
    try:
        result = evaluate_systems(systems, report_dir, preset=preset, tokenize=tokenize, meteor=meteor,
                                  bootstrap=bootstrap, bertscore=bertscore, embedding=embedding)
    except (TokenizationError, ValueError) as e:
        fail(str(e))
    _show(result, as_json)


@app.command("run")
def run(
    data: Path = typer.Option(..., "--data", help="Test samples from build-sft, or dialogues in any format."),
    output: Path = typer.Option(..., "--output", help="Directory for replies.NAME.jsonl files and the report."),
    name: str = typer.Option(None, "--name", help="System name (default: the model, plus the adapter)."),
    backend: str = B.BACKEND, model: str = B.MODEL, adapter: str = B.ADAPTER, base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV, preset_name: str = B.PRESET,
    limit: int = typer.Option(None, "--limit", help="Only the first N samples."),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens"),
    concurrency: int = typer.Option(8, "--concurrency"),
    system: str = typer.Option(None, "--system", help="System prompt for samples without one."),
    tokenize: str = SCORE_OPTS["tokenize"], preset: str = SCORE_OPTS["preset"], bertscore: str = SCORE_OPTS["bertscore"],
    embedding: bool = SCORE_OPTS["embedding"], bootstrap: int = SCORE_OPTS["bootstrap"], meteor: bool = SCORE_OPTS["meteor"],
) -> None:
    """Generate replies for the test samples with a backend (resumable), then score every system whose
    replies are in OUTPUT together. Run again with another --model/--adapter/--name to add a system."""
    from tqdm import tqdm

    from ..backends import preset as gen_preset
    from ..evaluate.compare import evaluate_systems
    from ..evaluate.run import generate, load_items, load_replies

    if not data.exists():
        fail(f"{data} does not exist")
    try:
        items = list(load_items(data, system, limit))
        options = gen_preset(preset_name or "greedy", max_new_tokens=max_new_tokens)
    except ValueError as e:
        fail(str(e))
    llm = B.build(backend, model, adapter, base_url, api_key_env, concurrency=concurrency)
    label = name or (llm.model_id.replace("/", "_"))
    bar = tqdm(total=len(items), desc=f"generate {label}", unit=" reply")
    generate(items, llm, output, label, options, concurrency, on_progress=bar.update)
    bar.close()
    ids = {it.id for it in items}
    systems = {}
    for path in sorted(output.glob("replies.*.jsonl")):
        rid, hyps, refs = load_replies(path)
        keep = [i for i, x in enumerate(rid) if x in ids]
        systems[path.name[len("replies."):-len(".jsonl")]] = ([hyps[i] for i in keep], [refs[i] for i in keep])
    result = evaluate_systems(systems, output, preset=preset, tokenize=tokenize, meteor=meteor, bootstrap=bootstrap,
                              bertscore=bertscore, embedding=embedding)
    _show(result, output / "report.json")
