"""Reply and reference files for the eval commands: lines or JSONL, paired with their references."""

from __future__ import annotations

import json

import pytest

from warmline.evaluate.inputs import paired_systems, read_lines
from warmline.evaluate.judge import criterion_means, load_rubric


def test_read_lines_plain_and_jsonl(tmp_path):
    (tmp_path / "a.txt").write_text("\ufeffone\ntwo\n", encoding="utf-8")
    assert read_lines(tmp_path / "a.txt") == ["one", "two"]
    (tmp_path / "b.jsonl").write_text(
        json.dumps({"id": 1, "reply": "r1"}) + "\n\n" + json.dumps({"reply": "r2"}) + "\n"
    )
    assert read_lines(tmp_path / "b.jsonl") == ["r1", "r2"]
    (tmp_path / "c.jsonl").write_text(json.dumps({"answer": "x"}) + "\n")
    with pytest.raises(ValueError, match=r"c.jsonl: JSONL lines need a 'reply' or 'text' field"):
        read_lines(tmp_path / "c.jsonl")
    with pytest.raises(ValueError, match="does not exist"):
        read_lines(tmp_path / "missing.txt")


def test_paired_systems_names_and_counts(tmp_path):
    (tmp_path / "ref.txt").write_text("r1\nr2\n")
    (tmp_path / "sys.txt").write_text("h1\nh2\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "sys.txt").write_text("g1\ng2\n")
    got = paired_systems([tmp_path / "sys.txt", tmp_path / "sub" / "sys.txt"], tmp_path / "ref.txt")
    assert got == {"sys": (["h1", "h2"], ["r1", "r2"]), str(tmp_path / "sub" / "sys.txt"): (["g1", "g2"], ["r1", "r2"])}
    (tmp_path / "short.txt").write_text("h1\n")
    with pytest.raises(ValueError, match="short.txt has 1 lines but .*ref.txt has 2"):
        paired_systems([tmp_path / "short.txt"], tmp_path / "ref.txt")


def test_criterion_means_with_bootstrap_intervals():
    rub = load_rubric("cehs")
    keys = [c.key for c in rub.criteria]
    results = [
        {"id": "a", "scores": dict.fromkeys(keys, 2)},
        {"id": "b", "scores": dict.fromkeys(keys, 0)},
        {"id": "c", "error": "unparsable"},
    ]
    means = criterion_means(results, rub)
    assert [c.key for c, *_ in means] == keys
    for _, mean, lo, hi, n in means:
        assert mean == 1.0 and n == 2 and lo == 0.0 and hi == 2.0  # 1,000 resamples of two values reach both ends
    assert criterion_means([{"id": "c", "error": "x"}], rub) == []
