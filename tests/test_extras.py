"""A missing optional dependency ends a command with one line naming the extra, never a traceback."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from warmline import extras
from warmline.cli._ui import friendly
from warmline.cli.main import app


def _hide(monkeypatch, name: str) -> None:
    """Make `name` and its submodules unimportable, as when the package is not installed."""
    for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")] + [name]:
        monkeypatch.setitem(sys.modules, mod, None)


def test_need_names_the_extra(monkeypatch):
    _hide(monkeypatch, "sacrebleu")
    with pytest.raises(extras.MissingExtra, match=r"^sacrebleu is not installed: pip install 'warmline\[eval\]'$"):
        extras.need("sacrebleu.tokenizers.tokenizer_13a", "eval")
    assert extras.need("json").dumps([1]) == "[1]"


def test_eval_metrics_on_english_without_sacrebleu_is_one_line(tmp_path, monkeypatch):
    from warmline.text import tokenize as T

    (tmp_path / "h.txt").write_text("i feel tired today\nthat sounds hard\n")
    (tmp_path / "r.txt").write_text("you feel tired\nthat must be hard\n")
    _hide(monkeypatch, "sacrebleu")
    T.get_tokenizer.cache_clear()  # an earlier test may hold the 13a tokenizer
    try:
        r = CliRunner().invoke(
            app,
            [
                "eval",
                "metrics",
                "--hyp",
                str(tmp_path / "h.txt"),
                "--ref",
                str(tmp_path / "r.txt"),
                "--no-meteor",
                "--bootstrap",
                "0",
            ],
        )
    finally:
        T.get_tokenizer.cache_clear()
    assert r.exit_code == 2 and not isinstance(r.exception, ModuleNotFoundError), r.output
    assert r.output.strip() == "error: sacrebleu is not installed: pip install 'warmline[eval]'"
    assert "Traceback" not in r.output


def test_a_plain_import_failing_inside_a_command_is_translated_too(monkeypatch, capsys):
    import typer

    def command():
        import wordcloud  # noqa: F401

    _hide(monkeypatch, "wordcloud")
    with pytest.raises(typer.Exit) as e:
        friendly(command)()
    assert e.value.exit_code == 2
    assert capsys.readouterr().err == "error: wordcloud is not installed: pip install 'warmline[eval]'\n"


def test_an_unknown_missing_module_is_not_hidden(monkeypatch):
    def command():
        import warmline_no_such_module  # noqa: F401

    with pytest.raises(ModuleNotFoundError):
        friendly(command)()


def test_as_missing_extra_names_the_extra_or_leaves_the_error_alone():
    known = extras.as_missing_extra(ModuleNotFoundError("No module named 'jieba'", name="jieba"))
    assert (
        isinstance(known, extras.MissingExtra) and str(known) == "jieba is not installed: pip install 'warmline[eval]'"
    )
    assert extras.as_missing_extra(ModuleNotFoundError("No module named 'nope'", name="nope")) is None
    assert extras.as_missing_extra(ModuleNotFoundError("no name")) is None
