"""warmline's home follows $WARMLINE_HOME at every call, and the shared places live inside it."""

from __future__ import annotations

from pathlib import Path

from warmline import paths


def test_home_follows_the_environment_at_every_call(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "a"))
    assert paths.warmline_home() == tmp_path / "a"
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "b"))
    assert paths.models_dir() == tmp_path / "b" / "models"
    assert paths.cache_dir() == tmp_path / "b" / "cache"
    assert paths.conversations_db() == tmp_path / "b" / "conversations.db"


def test_home_defaults_to_the_user_cache(monkeypatch):
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    assert paths.warmline_home() == Path.home() / ".cache" / "warmline"
