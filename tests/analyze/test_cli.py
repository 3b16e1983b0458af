"""`warmline stats` end to end on files, with comparison, quarantine, topics and contamination."""

import json

from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.testing.fake_openai import FakeOpenAI

from ..conftest import SAMPLES


def write_jsonl(path, dialogues):
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dialogues), encoding="utf-8")


def d(i, lang, client, counselor):
    return {
        "id": f"{lang}{i}",
        "lang": lang,
        "turns": [{"role": "client", "text": client}, {"role": "counselor", "text": counselor}],
    }


def test_stats_compares_corpora_and_writes_every_output(tmp_path):
    a = tmp_path / "a.jsonl"
    write_jsonl(
        a,
        [
            d(i, "zh", f"我最近压力很大，工作总是做不完，晚上也睡不好{i}。", "听起来很辛苦。能多说说最近发生了什么吗？")
            for i in range(6)
        ],
    )
    with a.open("a") as f:
        f.write("{broken\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app,
        [
            "stats",
            str(a),
            "--compare",
            str(SAMPLES / "smilechat"),
            "--json",
            str(out / "s.json"),
            "--csv",
            str(out / "s.csv"),
            "--html",
            str(out / "s.html"),
            "--md",
            str(out / "s.md"),
            "--near",
            "0.7",
            "--output-dir",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads((out / "s.json").read_text())
    first, second = data["corpora"]
    assert (first["name"], second["name"]) == ("a", "smilechat")
    assert first["table"]["dialogues"] == 6 and first["table"]["utterances"] == 12
    assert first["quarantined"] == 1 and (out / "a.quarantine.jsonl").exists()
    assert first["duplicates"]["near_pairs"] >= 1  # the six differ by one digit (Jaccard 0.75)
    assert second["table"]["dialogues"] == 12 and second["distinct"]["distinct-1"]["unique"] > 100
    assert first["sentence_table"] is None and second["sentence_table"]["utterances"] == 406  # SMILE's Table 3
    assert "SMILE's Table 3" in r.output and "SMILE's Table 3" in (out / "s.md").read_text()
    csv = (out / "s.csv").read_text().splitlines()
    assert csv[0] == "statistic,a,smilechat" and csv[1].startswith("dialogues,6,12")
    html = (out / "s.html").read_text()
    assert "data:image/png;base64" in html and "smilechat" in html
    assert "| dialogues | 6 | 12 |" in (out / "s.md").read_text()
    assert "1 malformed record(s) quarantined" in r.output


def test_stats_topics_with_an_llm_and_contamination(tmp_path):
    train = tmp_path / "train.jsonl"
    test = tmp_path / "test.jsonl"
    long = "I have been feeling overwhelmed at work for months and I cannot sleep because of it at all"
    write_jsonl(
        train, [d(0, "en", long, "That sounds exhausting."), d(1, "en", "My mother and I fight", "Tell me more.")]
    )
    write_jsonl(
        test, [d(5, "en", long + " lately", "That sounds exhausting."), d(6, "en", "I miss my dog", "I'm sorry.")]
    )

    def reply(messages):
        text = messages[0]["content"]
        return '{"topics": ["career", "emotion"]}' if "overwhelmed at work" in text else '{"topics": ["family"]}'

    with FakeOpenAI(reply=reply) as fake:
        r = CliRunner().invoke(
            app,
            [
                "stats",
                str(test),
                "--topics",
                "soulchat12",
                "--backend",
                "openai",
                "--base-url",
                fake.base_url,
                "--model",
                "judge",
                "--against",
                str(train),
                "--json",
                str(tmp_path / "s.json"),
                "--output-dir",
                str(tmp_path),
            ],
        )
    assert r.exit_code == 0, r.output
    rep = json.loads((tmp_path / "s.json").read_text())["corpora"][0]
    assert rep["topics"]["distribution"] == {"career": 1, "emotion": 1, "family": 1}
    assert abs(rep["topics"]["entropy_bits"] - 1.584963) < 1e-5
    assert [i["id"] for i in rep["contamination"]["items"]] == ["en5"]
    assert rep["contamination"]["items"][0]["train_id"] == "en0"


def test_stats_errors_say_what_to_do(tmp_path):
    r = CliRunner().invoke(app, ["stats", str(tmp_path / "missing.jsonl")])
    assert r.exit_code != 0 and "missing.jsonl" in r.output
    empty = tmp_path / "bad.jsonl"
    empty.write_text("{nope\n")
    r = CliRunner().invoke(app, ["stats", str(empty), "--from", "warmline", "--output-dir", str(tmp_path)])
    assert r.exit_code == 1 and "no dialogues" in r.output and "quarantine" in r.output
