"""ESConv as Hugging Face ships it: train/valid/test .txt files (or copies renamed .json) with one JSON
dialogue a line, plain or wrapped as {"text": "<dialogue as a JSON string>"}."""

from __future__ import annotations

import json

from warmline.formats import Quarantine, convert, detect, read, read_dialogues
from warmline.formats.strategies import ESCONV

from ..conftest import FORMATS as F


def test_hf_directory_reads_every_line_with_taxonomy_strategies():
    assert detect(F / "esconv_hf") == "esconv" and detect(F / "esconv_hf" / "train.txt") == "esconv"
    ds = list(read_dialogues(F / "esconv_hf"))
    assert [d.labels["topic"] for d in ds] == ["job crisis", "breakup with partner", "ongoing depression"]
    first = ds[0]
    assert [t.role for t in first.turns] == [
        "client",
        "counselor",
        "client",
        "counselor",
        "client",
        "counselor",
        "counselor",
    ]
    assert [t.strategy for t in first.turns if t.role == "counselor"] == [
        ["question"],
        ["reflection_of_feelings"],
        ["affirmation_reassurance"],
        ["providing_suggestions"],
    ]
    assert first.turns[3].meta == {"strategy": "Reflection of feelings"}
    assert first.meta["survey_score"]["seeker"]["empathy"] == "5" and first.labels["emotion"] == "anxiety"
    assert first.flags == ["consecutive_role@6"]  # two supporter turns in a row are kept and flagged
    every = {k for d in ds for t in d.turns for k in (t.strategy or [])}
    assert every == set(ESCONV.values())  # the fixture uses all eight strategies


def test_wrapped_lines_in_a_renamed_json_file_give_the_same_dialogues():
    assert detect(F / "esconv_hf_wrapped.json") == "esconv"
    plain = list(read_dialogues(F / "esconv_hf" / "train.txt"))
    wrapped = list(read_dialogues(F / "esconv_hf_wrapped.json"))
    assert [[(t.role, t.text, t.strategy) for t in d.turns] for d in wrapped] == [
        [(t.role, t.text, t.strategy) for t in d.turns] for d in plain
    ]


def test_bad_lines_are_quarantined_by_file_and_line(tmp_path):
    lines = (F / "esconv_hf" / "train.txt").read_text().splitlines()
    src = tmp_path / "test.json"  # renamed: detected by content, read line by line
    src.write_text("\n".join([lines[0], "{not json", json.dumps({"text": '{"dialog": 3}'}), "", lines[1]]) + "\n")
    assert detect(src) == "esconv"
    items = list(read(src))
    bad = [i for i in items if not hasattr(i, "turns")]
    assert len(items) - len(bad) == 2
    assert [(b.file, b.line) for b in bad] == [(str(src), 2), (str(src), 3)]
    assert "invalid JSON" in bad[0].reason and "'dialog' must be a list" in bad[1].reason
    s = convert(src, tmp_path / "out.jsonl", progress=False)
    assert (s.read, s.written, s.quarantined, s.blank_lines) == (4, 2, 2, 1)
    with Quarantine(None) as q:
        list(read_dialogues(src, on_bad=q))
    assert q.count == 2


def test_writing_esconv_gives_esconvs_strategy_names(tmp_path):
    convert(F / "esconv_hf", tmp_path / "out.json", dst="esconv", progress=False)
    out = json.loads((tmp_path / "out.json").read_text())
    assert [t["annotation"].get("strategy") for t in out[1]["dialog"]] == [
        None,
        "Restatement or Paraphrasing",
        "Self-disclosure",
        None,
        "Information",
        "Others",
    ]


def test_json_lines_are_told_from_arrays_and_pretty_objects(tmp_path):
    from warmline.formats.reading import json_lines

    one = json.loads((F / "esconv_hf" / "valid.txt").read_text())
    pretty = tmp_path / "one.json"
    pretty.write_text(json.dumps(one, indent=2))
    array = tmp_path / "many.json"
    array.write_text(json.dumps([one, one]))
    assert not json_lines(pretty) and not json_lines(array) and json_lines(F / "esconv_hf_wrapped.json")
    assert [len(list(read_dialogues(p))) for p in (pretty, array)] == [1, 2]
    assert not json_lines(F / "cpsycound" / "d1.txt")
