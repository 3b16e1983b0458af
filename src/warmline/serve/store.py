"""The conversation store: SQLite, OFF unless the operator turns it on. Schema changes go only through
named, append-only migrations; a retention period deletes old conversations; personal details can be
redacted before anything is written."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from ..conversation import detect_lang
from ..privacy import redact

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_conversations_and_messages",
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            risk TEXT,
            created_at REAL NOT NULL
        );
        CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    """,
    ),
    ("0002_message_model", "ALTER TABLE messages ADD COLUMN model TEXT;"),
    # the client that created a conversation (a fingerprint of its key, or its address on a key-less server):
    # no other may add to it
    ("0003_conversation_owner", "ALTER TABLE conversations ADD COLUMN owner TEXT;"),
]


class Store:
    def __init__(self, path: str | Path, retention_days: float | None = 30, redact_pii: bool = True):
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # conversations are personal: readable by the server's user alone (SQLite gives its journal files the
        # database file's mode)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        self.retention_days = retention_days
        self.redact_pii = redact_pii
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        self.migrate()
        self.apply_retention()

    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, in order; returns their names."""
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at REAL)")
            done = {r[0] for r in self._db.execute("SELECT name FROM schema_migrations")}
            applied = []
            for name, sql in MIGRATIONS:
                if name not in done:
                    self._db.executescript(sql)
                    self._db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, time.time()))
                    applied.append(name)
            return applied

    def claim(self, conversation_id: str, owner: str, now: float | None = None) -> bool:
        """Whether `owner` may add to the conversation: it is new (and now theirs), or theirs already."""
        now = time.time() if now is None else now
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO conversations (id, created_at, updated_at, owner) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO NOTHING",
                (conversation_id, now, now, owner),
            )
            row = self._db.execute("SELECT owner FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
            if row is not None and row[0] is None:  # kept before owners were recorded: the first to return claims it
                self._db.execute("UPDATE conversations SET owner = ? WHERE id = ?", (owner, conversation_id))
                return True
        return row is not None and row[0] == owner

    def add(
        self,
        conversation_id: str,
        role: str,
        content: str,
        risk: str | None = None,
        model: str | None = None,
        now: float | None = None,
    ) -> None:
        now = time.time() if now is None else now
        text = redact(content, detect_lang(content)) if self.redact_pii else content
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO conversations (id, created_at, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET updated_at = ?",
                (conversation_id, now, now, now),
            )
            self._db.execute(
                "INSERT INTO messages (conversation_id, role, content, risk, created_at, model) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, role, text, risk, now, model),
            )

    def apply_retention(self, now: float | None = None) -> int:
        """Delete conversations not updated within the retention period; returns how many."""
        if not self.retention_days:
            return 0
        cutoff = (time.time() if now is None else now) - self.retention_days * 86400
        with self._lock, self._db:
            return self._db.execute("DELETE FROM conversations WHERE updated_at < ?", (cutoff,)).rowcount

    def list(self) -> list[dict]:
        rows = self._db.execute(
            "SELECT c.id, c.created_at, c.updated_at, COUNT(m.id), "
            "SUM(CASE WHEN m.risk IN ('elevated', 'imminent') THEN 1 ELSE 0 END) "
            "FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id "
            "GROUP BY c.id ORDER BY c.updated_at DESC"
        ).fetchall()
        return [
            {"id": r[0], "created_at": r[1], "updated_at": r[2], "messages": r[3], "flagged": r[4] or 0} for r in rows
        ]

    def export(self, conversation_id: str | None = None) -> list[dict]:
        q = "SELECT conversation_id, role, content, risk, created_at, model FROM messages"
        args: tuple = ()
        if conversation_id:
            q += " WHERE conversation_id = ?"
            args = (conversation_id,)
        out: dict[str, dict] = {}
        for cid, role, content, risk, at, model in self._db.execute(q + " ORDER BY id", args):
            conv = out.setdefault(cid, {"id": cid, "messages": []})
            conv["messages"].append({"role": role, "content": content, "risk": risk, "at": at, "model": model})
        return list(out.values())

    def delete(self, conversation_id: str | None = None, older_than_days: float | None = None) -> int:
        with self._lock, self._db:
            if conversation_id:
                return self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount
            if older_than_days is not None:
                cutoff = time.time() - older_than_days * 86400
                return self._db.execute("DELETE FROM conversations WHERE updated_at < ?", (cutoff,)).rowcount
        raise ValueError("say which conversations to delete: an id, or --older-than DAYS")

    def close(self) -> None:
        self._db.close()
