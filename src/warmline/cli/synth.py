"""`warmline synth IN OUT --method ...`: rewrite single-turn Q&A into multi-turn dialogues. Running the
same command again resumes."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import _backend as B
from ._ui import console, fail, table


def main(
    inp: Path = typer.Argument(..., metavar="IN", help="Single-turn Q&A in any format `warmline convert` reads."),
    out: Path = typer.Argument(
        ...,
        metavar="OUT",
        help="Accepted dialogues (warmline JSONL); OUT.rejected.jsonl gets items that failed every attempt.",
    ),
    method: str = typer.Option(..., "--method", help="standard, standardT, smile or soulchat."),
    lang: str = typer.Option(None, "--lang", help="zh or en (default: each item's language)."),
    backend: str = B.BACKEND,
    model: str = B.MODEL,
    adapter: str = B.ADAPTER,
    base_url: str = B.BASE_URL,
    api_key_env: str = B.API_KEY_ENV,
    concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight at once."),
    max_retries: int = typer.Option(2, "--max-retries", help="Regenerations of an item that fails the checks."),
    http_retries: int = typer.Option(5, "--http-retries", help="Retries of one request on 429/5xx/timeouts."),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds before one request counts as timed out."),
    limit: int = typer.Option(None, "--limit", help="Use only the first N input items."),
    samples: int = typer.Option(1, "--samples", help="Dialogues per input item."),
    seed: int = typer.Option(0, "--seed", help="Base seed; each item's seed derives from it and its key."),
    temperature: float = typer.Option(1.0, "--temperature", help="SMILE used 1.0."),
    top_p: float = typer.Option(1.0, "--top-p", help="SMILE used 1.0."),
    max_new_tokens: int = typer.Option(2048, "--max-new-tokens"),
    prompt_file: Path = typer.Option(None, "--prompt-file", help="Your own template (see data/synth/prompts)."),
    cleaning: Path = typer.Option(None, "--cleaning", help="Cleaning config YAML (replacements, removals, max_chars)."),
    filters: Path = typer.Option(None, "--filters", help="Filter config YAML (safety strings, utterance length)."),
    safety_action: str = typer.Option(None, "--safety-action", help="drop or flag dialogues with safety strings."),
    prices: Path = typer.Option(None, "--prices", help="Price table YAML for cost estimates."),
    audit: Path = typer.Option(None, "--audit", help="Append every raw model response to this JSONL file."),
    input_format: str = typer.Option(None, "--from", help="Input format (detected when omitted)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print a rendered prompt and the estimated tokens and cost."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Rewrite single-turn counseling Q&A into multi-turn empathetic dialogues (SMILE, SoulChat, and the
    standard/standardT baselines); checks, privacy scrub and regeneration included; resumable."""
    from ..synth.runner import SynthOptions, count_jobs, dry_run as estimate, run

    if not inp.exists():
        fail(f"{inp} does not exist")
    try:
        opts = SynthOptions(
            method=method,
            lang=lang,
            samples=samples,
            max_retries=max_retries,
            concurrency=concurrency,
            limit=limit,
            seed=seed,
            temperature=temperature,
            top_p=top_p,
            max_new_tokens=max_new_tokens,
            prompt_file=str(prompt_file) if prompt_file else None,
            cleaning_file=str(cleaning) if cleaning else None,
            filters_file=str(filters) if filters else None,
            safety_action=safety_action,
            prices_file=str(prices) if prices else None,
            audit=str(audit) if audit else None,
            input_format=input_format,
        )
        if lang and lang not in ("zh", "en"):
            raise ValueError("--lang must be zh or en")
        if dry_run:
            est = estimate(inp, out, opts, model or ("smollm2-135m-instruct" if backend == "local" else "unknown"))
            _show_dry_run(est, as_json)
            return
        total = count_jobs(inp, opts)
    except ValueError as e:
        fail(str(e))
    from tqdm import tqdm

    llm = B.build(
        backend,
        model,
        adapter,
        base_url,
        api_key_env,
        concurrency=concurrency,
        max_retries=http_retries,
        timeout=timeout,
    )
    bar = tqdm(total=total, desc=f"synth {method}", unit=" item", dynamic_ncols=True)

    def progress(s, finished: int) -> None:
        bar.n = finished
        bar.set_postfix(
            accepted=s.accepted, rejected=s.rejected, regenerated=s.retried, http_retries=s.http_retries, refresh=False
        )
        bar.refresh()

    try:
        summary = run(inp, out, llm, opts, on_progress=progress)
    finally:
        bar.close()
    show_summary(summary, as_json)
    if summary.accepted == 0 and summary.skipped_done == 0:
        fail("no dialogue was accepted; see the reasons above and OUT.rejected.jsonl", 1)


def _show_dry_run(est: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(est, ensure_ascii=False))
        return
    out = console()
    out.print(f"first prompt ({est['first_key']}):", markup=False)
    out.print(est["first_prompt"] or "(nothing to do)", markup=False)
    cost = "unknown (model not in the price table)" if est["est_cost_usd"] is None else f"${est['est_cost_usd']:.4f}"
    out.print(
        table(
            "dry run: estimates, no request was sent",
            ["", "value"],
            [
                ("items to generate", est["jobs"]),
                ("already done", est["already_done"]),
                ("unusable input records", est["input_bad"]),
                ("prompt tokens (est.)", f"{est['est_prompt_tokens']:,}"),
                ("completion tokens (est.)", f"{est['est_completion_tokens']:,}"),
                (f"cost for {est['model']} (est.)", cost),
            ],
        )
    )


def show_summary(s, as_json: bool = False) -> None:
    if as_json:
        typer.echo(json.dumps(s.to_dict(), ensure_ascii=False))
        return
    rate = (s.accepted + s.rejected) / s.seconds if s.seconds else 0
    rows = [
        ("items planned", s.planned),
        ("already done (skipped)", s.skipped_done),
        ("accepted", s.accepted),
        ("rejected after all attempts", s.rejected),
        ("attempts", s.attempts),
        ("regenerations", s.retried),
        ("request retries (429/5xx/timeouts)", s.http_retries),
        ("inputs truncated", s.truncated),
        ("unusable input records", s.input_bad),
        ("tokens in / out", f"{s.prompt_tokens:,} / {s.completion_tokens:,}"),
        ("cost (est.)", "unknown" if s.cost_usd is None else f"${s.cost_usd:.4f}"),
        ("time", f"{s.seconds:.1f} s ({rate:.2f} items/s)"),
    ]
    out = console()
    out.print(table("synthesis summary", ["", "count"], rows))
    if s.reasons:
        out.print(table("why attempts failed", ["reason", "attempts"], s.reasons.most_common()))
    if s.flags or s.scrubbed:
        out.print(
            table(
                "kept, flagged or scrubbed",
                ["what", "count"],
                [(f"flag {k}", v) for k, v in s.flags.most_common()]
                + [(f"scrubbed {k}", v) for k, v in s.scrubbed.most_common()],
            )
        )
    out.print(f"accepted: {s.paths['accepted']}   rejected: {s.paths['rejected']}", markup=False)
