"""Malformed input: every bad record goes to OUT.quarantine.jsonl with file, line or index and reason;
read = written + quarantined; the exit code says when nothing (or, with --strict, not everything) was
converted."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.formats import FormatError, convert, detect

GOOD = {"id": "a", "lang": "en", "turns": [{"role": "client", "text": "hi"}, {"role": "counselor", "text": "hello"}]}


def quarantine(out):
    path = out.parent / f"{out.stem}.quarantine.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_jsonl_bad_lines_are_quarantined_with_line_numbers(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps(GOOD),  # 1 ok
        "",  # 2 blank: skipped, counted
        '{"id": "t", "lang": "en", "turns": [{"role": "client", "te',  # 3 truncated JSON
        json.dumps({**GOOD, "turns": "not a list"}),  # 4 wrong type
        json.dumps({**GOOD, "turns": []}),  # 5 empty dialogue
        json.dumps({**GOOD, "turns": [{"role": "therapist?", "text": "x"}]}),  # 6 unknown role
        json.dumps({**GOOD, "turns": [{"role": "client", "text": 5}]}),  # 7 text not a string
        "   ",  # 8 blank
        json.dumps({**GOOD, "id": "b"}),  # 9 ok
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    s = convert(src, out, progress=False)
    assert (s.read, s.written, s.quarantined, s.blank_lines) == (7, 2, 5, 2)
    assert s.read == s.written + s.quarantined
    q = quarantine(out)
    assert [r["line"] for r in q] == [3, 4, 5, 6, 7]
    assert all(r["file"] == str(src) and r["stage"] == "read" for r in q)
    reasons = [r["reason"] for r in q]
    assert reasons[0].startswith("invalid JSON")
    assert "must be a list" in reasons[1] or "needs a list" in reasons[1]
    assert "empty dialogue" in reasons[2]
    assert "unknown role" in reasons[3]
    assert "must be a string" in reasons[4]
    assert '"te' in q[0]["raw"]  # the raw text is kept for repair
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a", "b"]


def test_bom_is_accepted(tmp_path):
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    s = convert(src, tmp_path / "o.jsonl", progress=False)
    assert (s.written, s.quarantined) == (1, 0)
    src2 = tmp_path / "bom.json"
    src2.write_bytes(b"\xef\xbb\xbf" + json.dumps(["求助者：你好", "支持者：你好呀"], ensure_ascii=False).encode())
    assert detect(src2) == "smile-list"
    assert convert(src2, tmp_path / "o2.jsonl", progress=False).written == 1


def test_gbk_file_is_quarantined_with_a_hint_and_readable_with_encoding(tmp_path):
    src = tmp_path / "gbk.json"
    src.write_bytes(json.dumps(["求助者：我很难过", "支持者：我在听"], ensure_ascii=False).encode("gbk"))
    out = tmp_path / "o.jsonl"
    s = convert(src, out, src="smile-list", progress=False)
    assert (s.read, s.written, s.quarantined) == (1, 0, 1)
    (r,) = quarantine(out)
    assert "not valid utf-8" in r["reason"] and "gb18030" in r["reason"] and r["file"] == str(src)
    from warmline.formats import ReadOptions

    s = convert(src, out, src="smile-list", opts=ReadOptions(encoding="gb18030"), progress=False)
    assert (s.written, s.quarantined) == (1, 0)
    assert "我很难过" in out.read_text(encoding="utf-8")


def test_gbk_line_in_jsonl_quarantines_only_that_line(tmp_path):
    src = tmp_path / "mixed.jsonl"
    bad = json.dumps({**GOOD, "turns": [{"role": "client", "text": "难过"}]}, ensure_ascii=False).encode("gbk")
    src.write_bytes(json.dumps(GOOD).encode() + b"\n" + bad + b"\n")
    out = tmp_path / "o.jsonl"
    s = convert(src, out, progress=False)
    assert (s.written, s.quarantined) == (1, 1)
    assert quarantine(out)[0]["line"] == 2


def test_truncated_json_array_keeps_items_before_the_break(tmp_path):
    src = tmp_path / "psy.json"
    item = {"question": "q", "description": "", "answers": [{"answer_text": "a"}]}
    text = json.dumps([item, item], indent=1)
    src.write_text(text[: text.rindex("answer_text")], encoding="utf-8")  # cut inside the second item
    out = tmp_path / "o.jsonl"
    s = convert(src, out, src="psyqa", progress=False)
    assert (s.read, s.written, s.quarantined) == (2, 1, 1)
    (r,) = quarantine(out)
    assert r["reason"].startswith("truncated JSON") and r["line"] > 1


def test_wrong_types_inside_a_known_format(tmp_path):
    src = tmp_path / "esconv.json"
    src.write_text(
        json.dumps(
            [
                {"emotion_type": "x", "dialog": [{"speaker": "seeker", "content": 3}]},
                {"emotion_type": "x", "dialog": [{"speaker": "alien", "content": "hi"}]},
                {"emotion_type": "x", "dialog": []},
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "o.jsonl"
    s = convert(src, out, progress=False)
    assert (s.read, s.written, s.quarantined) == (3, 0, 3)
    reasons = [r["reason"] for r in quarantine(out)]
    assert "string" in reasons[0] and "unknown role" in reasons[1] and "empty dialogue" in reasons[2]
    assert [r["index"] for r in quarantine(out)] == [0, 1, 2]


def test_unknown_and_ambiguous_inputs_name_what_was_expected(tmp_path):
    unknown = tmp_path / "u.jsonl"
    unknown.write_text('{"foo": 1}\n')
    with pytest.raises(FormatError, match="unknown input format.*psyqa.*smilechat"):
        detect(unknown)
    amb = tmp_path / "a.jsonl"
    amb.write_text(json.dumps({"messages": [], "conversations": []}) + "\n")
    with pytest.raises(FormatError, match="ambiguous.*openai or sharegpt"):
        detect(amb)


runner = CliRunner()


def test_cli_exit_codes(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(GOOD) + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["convert", str(src), str(out), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert (summary["read"], summary["written"], summary["quarantined"]) == (2, 1, 1)
    assert summary["quarantine"].endswith("out.quarantine.jsonl")
    r = runner.invoke(app, ["convert", str(src), str(out), "--strict"])
    assert r.exit_code == 1 and "quarantined" in r.output
    allbad = tmp_path / "bad.jsonl"
    allbad.write_text("{broken\n")
    r = runner.invoke(app, ["convert", str(allbad), str(tmp_path / "o2.jsonl"), "--from", "warmline"])
    assert r.exit_code == 1 and "nothing was converted" in r.output
    r = runner.invoke(app, ["convert", str(src), str(tmp_path / "x.unknownext")])
    assert r.exit_code == 2 and "--to" in r.output
    r = runner.invoke(app, ["convert", str(tmp_path / "missing.json"), str(out)])
    assert r.exit_code == 2 and "does not exist" in r.output
