"""`warmline quickstart` end to end on the embedded model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warmline.cli.main import app

pytestmark = pytest.mark.slow


def test_quickstart_runs_every_stage_and_writes_a_report(tmp_path):
    out = tmp_path / "qs"
    r = CliRunner().invoke(app, ["quickstart", "--output", str(out), "--max-new-tokens", "16"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert [s["stage"] for s in report][:2] == ["convert bundled examples",
                                                "chat with the embedded model through the safety layer"]
    conv = report[0]["data"]
    assert all(v["quarantined"] == 0 and v["written"] == v["read"] > 0 for v in conv.values())
    chat = report[1]["data"]["transcript"]
    assert all(t["reply"] for t in chat)
    assert chat[-1]["risk"] in ("elevated", "imminent") and chat[-1]["model_called"] is False
    assert (out / "data" / "qa_en.jsonl").exists()
    assert "quickstart finished" in r.stdout and (out / "report.md").read_text().startswith("# warmline quickstart")
