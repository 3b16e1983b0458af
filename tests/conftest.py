"""Shared fixtures: paths to assets and the real samples, and one loaded embedded model per run."""

from __future__ import annotations

from pathlib import Path

import pytest

ASSETS = Path(__file__).parent / "assets"
FORMATS = ASSETS / "formats"
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


@pytest.fixture(scope="session")
def local_backend():
    """The embedded SmolLM2 model through the local backend (converted on first use)."""
    from warmline.backends.local import LocalBackend

    return LocalBackend(threads=2)
