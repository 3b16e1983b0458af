"""`warmline quickstart` end to end on the embedded model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warmline.cli.main import app
from warmline.safety.quality import held_out

pytestmark = pytest.mark.slow


def test_quickstart_runs_every_stage_and_writes_a_report(tmp_path):
    out = tmp_path / "qs"
    r = CliRunner().invoke(
        app,
        [
            "quickstart",
            "--output",
            str(out),
            "--max-new-tokens",
            "16",
            "--synth-items",
            "1",
            "--synth-tokens",
            "48",
            "--train-steps",
            "2",
            "--eval-items",
            "2",
        ],
    )
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert [s["stage"] for s in report] == [
        "convert bundled examples",
        "synthesize: rewrite 1 English Q&A with the SMILE method",
        "statistics and diversity of the synthesized dialogues",
        "chat with the embedded model through the safety layer",
        "fine-tune: LoRA, 2 steps on the embedded model",
        "chat with the fine-tuned model",
        "evaluate before and after fine-tuning on 2 held-out Q&A",
        "explainable counseling: labels, label classifier, case retrieval, an explained reply",
        "serve the fine-tuned model",
    ]
    synth = report[1]["data"]
    assert synth["planned"] == 1 and synth["accepted"] + synth["rejected"] == 1 and synth["completion_tokens"] > 0
    finished = (out / "synth" / "smile.jsonl").read_text().splitlines() + (
        out / "synth" / "smile.rejected.jsonl"
    ).read_text().splitlines()
    assert len(finished) == 1  # the item is recorded once, accepted or rejected with its reasons
    stats = {c["name"]: c for c in report[2]["data"]["corpora"]}
    bundled = stats["bundled dialogues"]
    assert bundled["table"]["dialogues"] > 0 and 0 < bundled["distinct"]["distinct-2"]["distinct"] <= 1
    sem = bundled["semantic"]  # pairwise cosine of the dialogues: every pair once, and quartiles in order
    d = bundled["table"]["dialogues"]
    assert sem["embedder"] == "use-multilingual-v3" and sem["dialogues"] == d and sem["n"] == d * (d - 1) // 2
    assert -1 <= sem["q1"] <= sem["median"] <= sem["q3"] < 1  # two different dialogues are not the same text
    assert ("synthesized" in stats) == (synth["accepted"] == 1)
    assert "data:image/png" in (out / "stats" / "stats.html").read_text()
    conv = report[0]["data"]
    assert all(v["quarantined"] == 0 and v["written"] == v["read"] > 0 for v in conv.values())
    chat = report[3]["data"]["transcript"]
    assert all(t["reply"] for t in chat)
    assert chat[-3]["risk"] == "imminent" and chat[-3]["model_called"] is False
    # the indirect probes have no crisis keyword: the second stage flags them; the one it is sure of gets the crisis
    # message, the other a check-in, both with the resources
    for turn, opening in ((chat[-2], "I'm really glad you told me"), (chat[-1], "I want to check in")):
        assert turn["risk"] == "elevated" and turn["categories"] == ["classifier"] and not turn["model_called"]
        assert turn["reply"].startswith(opening) and "988" in turn["reply"]
    held = report[3]["data"]["safety_held_out"]
    assert set(held) == {"en", "zh"} and all(
        h["n"] == len(held_out(lang)) and 0 < h["recall"] <= 1 for lang, h in held.items()
    )
    real = report[3]["data"]["safety_real"]  # the screen on the repository's real messages, cross-validated
    assert real["rows"] == 1995 and real["report"]["en/counsel-chat"]["false_alarms"]["n"] == 654
    assert "safety screen on real messages (cross-validated), zh/smilechat-first" in r.stdout
    rate = report[3]["data"]["safety_rate"]  # the bundled dialogues hold 14 distinct client messages
    assert rate["messages"] >= 14 and rate["unreadable_records"] == 0
    # the 14 bundled client messages are ordinary: none may get a crisis message; only synthesized text could
    assert rate["flagged"] <= rate["messages"] - 14 and rate["check_in"] <= rate["flagged"]
    # the classifier retrained with more labelled messages (`safety train`), written where serve can use it
    assert rate["retrained"]["messages"] == 300 and rate["retrained"]["flagged"] <= rate["messages"] - 14
    from warmline.safety.classifier import RiskClassifier

    assert RiskClassifier.load(out / "safety" / "retrained.npz").meta["messages"] == 300
    assert f"--classifier-file {out / 'safety' / 'retrained.npz'}" in r.stdout
    assert f"warmline safety rate {out / 'data'} --show" in r.stdout
    assert (out / "data" / "qa_en.jsonl").exists()
    tune = report[4]["data"]
    assert len(tune["losses"]) == 2 and tune["samples"] > 0 and (out / "train" / "run" / "adapter").is_dir()
    assert report[5]["data"]["reply"] and report[5]["data"]["adapter"].endswith(tune["adapter"])
    ev = report[6]["data"]["scores"]
    metrics = {
        f"{m}-{n}" for m in ("bleu", "corpus-bleu", "distinct") for n in (1, 2, 3, 4) if (m, n) != ("distinct", 4)
    }
    assert set(ev) == {"base", "lora"} and all(
        metrics | {"rouge-1", "rouge-2", "rouge-l", "meteor"} <= set(v) for v in ev.values()
    )
    # greedy replies to counseling questions share words with the counselors' answers, and differ from each other
    assert all(v["rouge-1"] > 0 and v["distinct-1"] > 0.5 for v in ev.values())
    assert (out / "eval" / "report.html").exists() and (out / "eval" / "metrics.png").exists()
    ins = report[7]["data"]
    assert (
        ins["labelled"] + ins["label_failures"] == 1 and ins["classifier"]["accuracy"] > ins["classifier"]["majority"]
    )
    assert ins["classifier"]["written_examples"] > 0  # the written examples of the rare strategies train it too
    assert ins["index_sessions"] > 0 and 1 <= len(ins["cases"]) <= 2 and ins["reply"]
    assert {r["lang"] for r in ins["retrieval"]} == {"en", "zh"} and all(
        r["same_topic"] > r["chance"] for r in ins["retrieval"]
    )
    assert (out / "insight" / "strategy-confusion.png").exists() and (out / "insight" / "index" / "index.json").exists()
    assert report[8]["data"]["command"] == f"warmline serve --adapter {tune['adapter']}"
    assert "warmline serve --adapter" in r.stdout and "http://127.0.0.1:8000/" in r.stdout
    assert "quickstart finished" in r.stdout and (out / "report.md").read_text().startswith("# warmline quickstart")
