"""A safety classifier trained with an operator's own labelled messages (`warmline safety train`).

A service's own traffic differs from any set the project has, so a service that labels its messages can
train on them: `fit` trains the kernel classifier on the project's written training sets plus those messages
(or on the messages alone), and `cross_validate` says, before anyone relies on it, what the whole screen
(lexicon + that classifier) does on messages it was not trained on: each fold is screened by a classifier
trained without it, next to the bundled screen on the same messages."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from .classifier import THRESHOLD, Encoder, RiskClassifier, default_encoder, examples, remembering, training_rows
from .detect import Verdict
from .quality import score_groups, screen_rows


def fit(
    rows: list[dict],
    with_bundled: bool = True,
    threshold: float = THRESHOLD,
    encoder: Encoder | None = None,
    written=None,
) -> RiskClassifier:
    """The classifier trained on `rows` (dicts with 'text' and 'risk'), after the project's written training sets
    (from their folder `written`, by default the source checkout's) unless `with_bundled` is False."""
    texts, labels = examples((training_rows(written) if with_bundled else []) + list(rows))
    return RiskClassifier.train(texts, labels, threshold=threshold, encoder=encoder or default_encoder())


def fold_of(row: dict, folds: int) -> int:
    """A message's fold: from its `group` (say, the conversation it came from) when it names one, so that one
    conversation's messages are never on both sides of a fold, else from its text; the same on every run."""
    key = str(row.get("group") or row["text"])
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % folds


def cross_validate(
    rows: list[dict],
    folds: int = 5,
    with_bundled: bool = True,
    threshold: float = THRESHOLD,
    encoder: Encoder | None = None,
    on_fold: Callable[[int], None] | None = None,
    written=None,
) -> list[Verdict]:
    """The screen's verdict on each row, from the lexicon and a classifier trained (as `fit`) without the
    row's fold. Every text is embedded once."""
    from .screener import Screener

    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    encoder = remembering(encoder or default_encoder())
    of = [fold_of(r, folds) for r in rows]
    out: list[Verdict | None] = [None] * len(rows)
    for k in range(folds):
        test = [i for i, f in enumerate(of) if f == k]
        if test:
            train = [r for r, f in zip(rows, of) if f != k]
            if not with_bundled and len({r["risk"] != "none" for r in train}) < 2:
                raise ValueError(
                    "each fold's training messages need cases both at risk and not: label more of both, "
                    "or train with the project's written sets"
                )
            screener = Screener(classifier=fit(train, with_bundled, threshold, encoder, written))
            for i, v in zip(test, screen_rows([rows[i] for i in test], screener)):
                out[i] = v
        if on_fold:
            on_fold(k)
    return out  # type: ignore[return-value]


def compare(rows: list[dict], groups: list[str], before: list[Verdict], after: list[Verdict]) -> dict:
    """{group: {"bundled": score, "retrained": score}} for "all" and each language in `groups`."""
    bundled, retrained = score_groups(rows, before, groups), score_groups(rows, after, groups)
    return {name: {"bundled": bundled[name], "retrained": retrained[name]} for name in groups}
