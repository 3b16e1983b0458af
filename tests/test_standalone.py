"""The suite stands alone: no test builds a path into ../shared (the samples it needs are in
tests/assets/samples), and warmline's cache during the run is the suite's own, not the user's."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .conftest import SAMPLES

TESTS = Path(__file__).parent
# a path built towards the shared folder beside the repository: / "shared", "../shared/x", /work/shared
# (a message that merely names ../shared is not a path)
_SHARED = re.compile(r"""/\s*["']shared["']|["']\.\./shared(/[^"'\s]*)?["']|/work/shared""")


def test_no_test_reads_the_shared_folder():
    offenders = [
        f"{p.relative_to(TESTS)}:{i}"
        for p in TESTS.rglob("*.py")
        if p.name != Path(__file__).name
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if _SHARED.search(line)
    ]
    assert not offenders, offenders


def test_the_samples_are_in_the_repository_with_their_licences():
    assert SAMPLES.resolve().is_relative_to(TESTS.resolve())
    for name in ("smilechat", "cpsycoun-e", "counsel-chat"):
        assert (SAMPLES / name / "UPSTREAM_LICENSE").is_file(), name
    assert len(list((SAMPLES / "smilechat").glob("*.json"))) == 12


def test_warmline_home_is_the_suites_own():
    from warmline.paths import warmline_home

    home = warmline_home().resolve()
    assert os.environ.get("WARMLINE_HOME")
    assert home != (Path.home() / ".cache" / "warmline").resolve()
