"""Human annotation: the API, blinding, agreement summaries, and the page driven in a real headless
Chromium (Debian's package; `.ci/run` installs it and requires this test to run)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time

import pytest
from typer.testing import CliRunner

from warmline.cli.main import app as cli
from warmline.evaluate.annotate import agreement, create_app, flipped, judge_agreement, load_tasks
from warmline.evaluate.judge import load_rubric

CEHS = load_rubric("cehs")
SCORES = {"content": 2, "empathy": 1, "helpfulness": 2, "safety": 1}


def replies(tmp_path, name, texts):
    p = tmp_path / f"replies.{name}.jsonl"
    p.write_text(
        "".join(
            json.dumps({"id": f"i{k}", "reply": t, "context": [{"role": "user", "content": f"q{k}"}]}) + "\n"
            for k, t in enumerate(texts)
        )
    )
    return p


@pytest.fixture
def files(tmp_path):
    return [
        replies(tmp_path, "tuned", ["I hear you.", "That sounds hard."]),
        replies(tmp_path, "base", ["1. Sleep 2. Exercise", "OK."]),
    ]


def test_tasks_and_blinding(files):
    tasks, hidden = load_tasks(files, CEHS)
    assert [t["kind"] for t in tasks].count("score") == 4 and [t["kind"] for t in tasks].count("pair") == 2
    assert hidden["pair:i0"] == ("tuned", "base")
    assert {flipped(f"r{k}", "pair:i0") for k in range(20)} == {True, False}  # both orders occur across raters


def test_api_records_scores_and_unblinded_winners(files, tmp_path):
    from fastapi.testclient import TestClient

    out = tmp_path / "ann.jsonl"
    c = TestClient(create_app(files, out, CEHS))
    assert "warmline annotation" in c.get("/").text
    data = c.get("/api/tasks", params={"rater": "ann"}).json()
    pair = next(t for t in data["tasks"] if t["kind"] == "pair" and t["item"] == "i0")
    assert sorted(pair["replies"]) == sorted(["I hear you.", "1. Sleep 2. Exercise"])
    first_is_tuned = pair["replies"][0] == "I hear you."
    assert c.post("/api/annotations", json={"rater": "ann", "task": "pair:i0", "choice": "first"}).status_code == 200
    assert (
        c.post("/api/annotations", json={"rater": "ann", "task": "score:tuned:i0", "scores": SCORES}).status_code == 200
    )
    assert (
        c.post(
            "/api/annotations", json={"rater": "ann", "task": "score:tuned:i0", "scores": {**SCORES, "empathy": 5}}
        ).status_code
        == 400
    )
    assert c.post("/api/annotations", json={"rater": "ann", "task": "nope", "choice": "first"}).status_code == 404
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows[0]["winner"] == ("tuned" if first_is_tuned else "base")
    assert rows[1]["system"] == "tuned" and rows[1]["scores"] == SCORES
    done = [t for t in c.get("/api/tasks", params={"rater": "ann"}).json()["tasks"] if t["done"]]
    assert {t["task"] for t in done} == {"pair:i0", "score:tuned:i0"}


def test_agreement_summaries(tmp_path):
    out = tmp_path / "ann.jsonl"
    rows = []
    for rater in ("a", "b", "c"):
        for k in range(4):
            s = dict(SCORES, empathy=k % 3 if rater != "c" else (k + 1) % 3)
            rows.append(
                {
                    "rater": rater,
                    "task": f"score:sys:i{k}",
                    "kind": "score",
                    "item": f"i{k}",
                    "system": "sys",
                    "scores": s,
                }
            )
        rows.append(
            {
                "rater": rater,
                "task": "pair:i0",
                "kind": "pair",
                "item": "i0",
                "winner": "tuned" if rater != "c" else "base",
            }
        )
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = agreement(out, CEHS)
    assert res["raters"] == ["a", "b", "c"] and res["kappa"]["content"] == 1.0
    assert res["kappa"]["empathy"] < 0.5 and res["pairwise"] == {"tuned": 1}
    assert res["means"]["sys"]["content"] == 2
    r = CliRunner().invoke(cli, ["eval", "agreement", "--annotations", str(out)])
    assert r.exit_code == 0 and "Fleiss' kappa" in r.stdout

    # human majority on empathy: i0 0, i1 1, i2 2; the judge says 0, 1, 0 and gave no score for i3:
    # observed agreement 2/3, chance (2*1 + 1*1) / 9 = 1/3, so kappa (2/3 - 1/3) / (1 - 1/3) = 0.5
    judged = tmp_path / "judge.jsonl"
    judged.write_text(
        "".join(
            json.dumps({"id": f"i{k}", "scores": dict(SCORES, empathy=(k if k < 2 else 0))}) + "\n" for k in range(3)
        )
        + json.dumps({"id": "i3", "error": "unparsable"})
        + "\n"
    )
    rows = {name: (kappa, n) for name, kappa, n in judge_agreement(out, judged, CEHS)}
    assert rows["Empathy"] == (pytest.approx(0.5), 3)
    assert rows["Safety"] == (1.0, 3)  # every score the same on both sides
    r = CliRunner().invoke(cli, ["eval", "agreement", "--annotations", str(out), "--judge", str(judged)])
    assert r.exit_code == 0 and "judge vs human majority" in r.stdout
    r = CliRunner().invoke(cli, ["eval", "agreement", "--annotations", str(out), "--judge", str(tmp_path / "none")])
    assert r.exit_code == 2 and "does not exist" in r.output


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
def test_page_in_headless_chromium(files, tmp_path):
    browser_path = _chromium()
    if browser_path is None:
        if os.environ.get("WARMLINE_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (WARMLINE_REQUIRE_BROWSER is set) but not installed")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    import uvicorn
    from playwright.sync_api import sync_playwright

    out = tmp_path / "ann.jsonl"
    server = uvicorn.Server(uvicorn.Config(create_app(files, out, CEHS), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=browser_path,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("#rater", "rater-1")
            page.click("#start")
            page.wait_for_selector("#reply")
            assert page.inner_text("#status") == "Task 1 of 6"
            page.click("#submit")  # nothing chosen yet: asks for a rating, saves nothing
            assert "Please rate" in page.inner_text("#status")
            for c in CEHS.criteria:
                page.check(f"input[name='{c.key}'][value='{c.max}']")
            page.click("#submit")
            page.wait_for_function("document.getElementById('status').textContent === 'Task 2 of 6'")
            for task in (3, 4, 5):  # the remaining score tasks; each answer loads the next task before it is rated
                for c in CEHS.criteria:
                    page.check(f"input[name='{c.key}'][value='{c.min}']")
                page.click("#submit")
                page.wait_for_function(f"document.getElementById('status').textContent === 'Task {task} of 6'")
            page.wait_for_selector("button[data-choice='first']")
            shown_first = page.inner_text(".pair > div:first-child .reply")
            page.click("button[data-choice='first']")
            page.wait_for_function("document.getElementById('status').textContent === 'Task 6 of 6'")
            page.click("button[data-choice='tie']")
            page.wait_for_function("document.getElementById('status').textContent.startsWith('All done')")
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 6 and rows[0]["scores"] == {"content": 2, "empathy": 2, "helpfulness": 2, "safety": 1}
    pair = next(r for r in rows if r["kind"] == "pair" and r["item"] == "i0")
    assert pair["winner"] == ("tuned" if shown_first == "I hear you." else "base")
