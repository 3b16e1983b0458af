"""Conversation storage: off by default; when on, migrations, redaction, retention and the CLI."""

from __future__ import annotations

import json
import time

import httpx
from typer.testing import CliRunner

from warmline.backends import ScriptedBackend
from warmline.cli.main import app as cli
from warmline.serve.app import create_app
from warmline.serve.settings import ServeSettings
from warmline.serve.store import MIGRATIONS, Store

from .test_api import Server


def test_nothing_is_stored_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMLINE_HOME", str(tmp_path))
    app = create_app(ServeSettings(), backend=ScriptedBackend(default="ok"))
    assert app.state.store is None
    with Server(app) as srv:
        httpx.post(
            srv.url + "/v1/chat/completions",
            json={"model": "scripted", "messages": [{"role": "user", "content": "my number is 13812345678"}]},
        )
    assert list(tmp_path.iterdir()) == []


def test_store_when_on_redacts_and_keeps_conversations(tmp_path):
    db = tmp_path / "c.db"
    app = create_app(ServeSettings(store=True, store_path=str(db)), backend=ScriptedBackend(default="I hear you."))
    with Server(app) as srv:
        h = {"X-Warmline-Conversation": "conv-1"}
        for text in ("call me at 13812345678 or ming@example.com", "I want to die"):
            r = httpx.post(
                srv.url + "/v1/chat/completions",
                headers=h,
                json={"model": "scripted", "messages": [{"role": "user", "content": text}]},
            )
            assert r.headers["x-warmline-conversation"] == "conv-1"
        raw = httpx.post(
            srv.url + "/v1/chat/completions",
            json={"model": "scripted", "stream": True, "messages": [{"role": "user", "content": "hello"}]},
        )
        other = raw.headers["x-warmline-conversation"]
    store = Store(db, retention_days=None)
    (conv,) = store.export("conv-1")
    texts = [m["content"] for m in conv["messages"]]
    assert "13812345678" not in texts[0] and "ming@example.com" not in texts[0] and "[PHONE]" in texts[0]
    assert [m["risk"] for m in conv["messages"] if m["role"] == "user"] == ["none", "elevated"]
    assert "988" in texts[3]
    assert store.export(other)[0]["messages"][1]["content"] == "I hear you."
    assert {r["id"]: r["flagged"] for r in store.list()}["conv-1"] == 1


def test_migrations_are_named_append_only_and_idempotent(tmp_path):
    s = Store(tmp_path / "m.db")
    names = [r[0] for r in s._db.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [m[0] for m in MIGRATIONS]
    assert s.migrate() == []  # nothing left to apply
    s.close()
    assert Store(tmp_path / "m.db").migrate() == []


def test_retention_deletes_idle_conversations(tmp_path):
    s = Store(tmp_path / "r.db", retention_days=30)
    s.add("old", "user", "hi", now=time.time() - 40 * 86400)
    s.add("new", "user", "hi")
    assert s.apply_retention() == 1 and [c["id"] for c in s.list()] == ["new"]


def test_conversations_cli(tmp_path):
    db = tmp_path / "c.db"
    s = Store(db)
    s.add("a", "user", "hello")
    s.add("b", "user", "hi")
    s.close()
    run = CliRunner().invoke
    assert "2 conversations" in run(cli, ["conversations", "list", "--db", str(db)]).stdout
    out = run(cli, ["conversations", "export", "--db", str(db), "--id", "a"]).stdout
    assert json.loads(out)["messages"][0]["content"] == "hello"
    assert "deleted 1" in run(cli, ["conversations", "delete", "--db", str(db), "--id", "a"]).stdout
    r = run(cli, ["conversations", "delete", "--db", str(db)])
    assert r.exit_code == 2 and "--older-than" in r.output
    r = run(cli, ["conversations", "list", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 2 and "storage is off" in r.output
