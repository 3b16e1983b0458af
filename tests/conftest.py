"""Shared fixtures: paths to assets and the real samples (copied into the repo, with their licences),
warmline's cache for the run, and one loaded embedded model per run."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from warmline.paths import HOME_ENV

ASSETS = Path(__file__).parent / "assets"
FORMATS = ASSETS / "formats"
SAMPLES = ASSETS / "samples"


def pytest_configure(config):
    """The suite's own WARMLINE_HOME, never the user's cache: WARMLINE_TEST_HOME when set, else a
    directory in pytest's cache (.pytest_cache, git-ignored) so that the embedded model converted once
    (about 20 s) serves later runs; a temporary directory when the cache plugin is off."""
    home = os.environ.get("WARMLINE_TEST_HOME")
    if not home:
        cache = getattr(config, "cache", None)
        if cache is not None:
            home = str(cache.mkdir("warmline-home"))
        else:
            home = config._warmline_tmp_home = tempfile.mkdtemp(prefix="warmline-home-")
    os.environ[HOME_ENV] = home


def pytest_unconfigure(config):
    tmp = getattr(config, "_warmline_tmp_home", None)
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def local_backend():
    """The embedded SmolLM2 model through the local backend (converted on first use)."""
    from warmline.backends.local import LocalBackend

    return LocalBackend(threads=2)
