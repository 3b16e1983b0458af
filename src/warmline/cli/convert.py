"""`warmline convert IN OUT`: any supported format to any other, with quarantine of bad records."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..formats import FORMATS, FormatError, ReadOptions, Summary, convert as run_convert, format_table
from ._ui import console, fail, table


def main(
    inp: Path = typer.Argument(..., metavar="IN", help="Input file or directory."),
    out: Path = typer.Argument(
        ..., metavar="OUT", help="Output file or directory; OUT.jsonl is warmline's own format."
    ),
    src: str = typer.Option(None, "--from", help="Input format (detected when omitted). See `warmline formats`."),
    dst: str = typer.Option(None, "--to", help="Output format (from OUT's extension when omitted)."),
    encoding: str = typer.Option("utf-8", help="Input encoding, e.g. gb18030 for GBK files. A BOM is always accepted."),
    lang: str = typer.Option(None, help="Force the language (zh or en) instead of detecting it per dialogue."),
    merge_consecutive: bool = typer.Option(
        False,
        help="Merge turns where one role speaks twice in a row. Default: keep both turns and flag the "
        "dialogue (flags: consecutive_role@I); text is never dropped.",
    ),
    strict: bool = typer.Option(False, help="Exit non-zero when any record was quarantined."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Convert a counseling corpus between formats. Malformed records go to OUT.quarantine.jsonl with
    file, line and reason; the summary shows read = written + quarantined."""
    if src and src not in FORMATS:
        fail(f"unknown --from {src!r}; known formats: {', '.join(FORMATS)}")
    if lang and lang not in ("zh", "en"):
        fail("--lang must be zh or en")
    try:
        summary = run_convert(
            inp, out, src, dst, ReadOptions(encoding=encoding, lang=lang, merge_consecutive=merge_consecutive)
        )
    except (FormatError, ValueError, LookupError) as e:
        fail(str(e))
    show_summary(summary, out, as_json)
    if summary.written == 0:
        fail("nothing was converted" + (f"; see {summary.quarantine_path} for why" if summary.quarantined else ""), 1)
    if strict and summary.quarantined:
        fail(f"{summary.quarantined} record(s) quarantined (--strict); see {summary.quarantine_path}", 1)


def show_summary(s: Summary, out: Path, as_json: bool = False) -> None:
    if as_json:
        typer.echo(json.dumps({**s.to_dict(), "output": str(out)}, ensure_ascii=False))
        return
    rows = [
        ("read", s.read),
        ("written", s.written),
        ("quarantined", s.quarantined),
        ("flagged (kept, see 'flags')", s.flagged),
        ("blank lines skipped", s.blank_lines),
    ]
    console().print(table(f"{s.source} -> {s.target}: {out}", ["", "count"], rows))
    for reason, n in s.reasons.most_common(5):
        console().print(f"  quarantined {n} x {reason}")
    if s.quarantine_path:
        console().print(f"  quarantine file: {s.quarantine_path}")


def list_formats() -> None:
    """List the formats `warmline convert` reads and writes."""
    console().print(
        table(
            "formats", ["name", "description", "writable"], [(n, d, "yes" if w else "no") for n, d, w in format_table()]
        )
    )
