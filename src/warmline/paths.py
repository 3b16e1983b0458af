"""Where warmline keeps what it makes on this machine: one home directory ($WARMLINE_HOME, else
~/.cache/warmline) and the places in it that several parts share."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "WARMLINE_HOME"


def warmline_home() -> Path:
    """warmline's cache: $WARMLINE_HOME, else ~/.cache/warmline (read at every call, so tests can move it)."""
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".cache" / "warmline")


def models_dir() -> Path:
    """Converted and downloaded models, one directory each."""
    return warmline_home() / "models"


def cache_dir() -> Path:
    """Results kept between processes (e.g. trained screens), keyed by what made them."""
    return warmline_home() / "cache"


def conversations_db() -> Path:
    """The default SQLite file of stored conversations."""
    return warmline_home() / "conversations.db"
