"""The real public samples (tests/assets/samples, copied with their licences) convert without loss."""

from __future__ import annotations

import json

import pytest

from warmline.formats import convert, detect, read_dialogues

from ..conftest import SAMPLES


@pytest.mark.parametrize(
    "name,fmt,n",
    [("smilechat", "smilechat", 12), ("cpsycoun-e", "smile-list", 2), ("counsel-chat/sample.csv", "counselchat", 25)],
)
def test_real_sample_converts(tmp_path, name, fmt, n):
    assert detect(SAMPLES / name) == fmt
    s = convert(SAMPLES / name, tmp_path / "out.jsonl", progress=False)
    assert (s.read, s.written, s.quarantined) == (n, n, 0)
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == n and all(json.loads(x)["turns"] for x in lines)


def test_smilechat_sentence_annotations_cover_the_text():
    for d in read_dialogues(SAMPLES / "smilechat"):
        assert d.lang == "zh" and d.turns[0].role == "client"
        for t in d.turns:
            if t.spans:
                assert "".join(t.text[s["start"] : s["end"]] for s in t.spans) == t.text


def test_smilechat_round_trip_is_byte_faithful_in_content(tmp_path):
    s = convert(SAMPLES / "smilechat", tmp_path / "back", dst="smilechat", progress=False)
    assert s.written == 12
    for f in (SAMPLES / "smilechat").glob("*.json"):
        assert json.loads((tmp_path / "back" / f.name).read_text(encoding="utf-8")) == json.loads(
            f.read_text(encoding="utf-8")
        )


def test_counsel_chat_keeps_topic_and_columns():
    ds = list(read_dialogues(SAMPLES / "counsel-chat" / "sample.csv"))
    assert all(d.lang == "en" and d.labels.get("topic") for d in ds)
    assert ds[0].meta["questionTitle"].startswith("Can I change my feeling")
    assert ds[0].provenance["license"] == "MIT"
