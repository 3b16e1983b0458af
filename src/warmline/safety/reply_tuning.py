"""Fine-tuning the reply screen's second stage: a LoRA-tuned sentence encoder (`warmline.tuned`) that reads each
sentence of a reply, trained on the rows `reply_training` reads, and its leave-one-writer-out measurement against
today's model (logistic regression on USE embeddings, `reply_training.fit`) on the same folds and rows.

The real counselor replies are many easy negatives (18,502 English sentences): a model trains on a sample of them
drawn by dialogue, and the real replies of its training part it did not train on choose its threshold, so that no
threshold is chosen on the rows it is measured on."""

from __future__ import annotations

import zlib

import numpy as np

from . import reply_training as rt

# real sentences a model trains on, per language: more than the written examples, few enough for a CPU
REAL_SENTENCES = 2000
# real sentences, per language, of the training part's other replies that choose a model's threshold (reading each
# costs a forward pass): at 0.5% of about 600 replies, the threshold sits between the 3rd and 4th highest
CALIBRATION_SENTENCES = 5000


def split_real(
    rows: list[dict], n_sentences: int = REAL_SENTENCES, n_calibration: int = CALIBRATION_SENTENCES, seed: int = 0
) -> tuple[list[int], list[int]]:
    """(trained, calibration): indices of the real rows among `rows`, split by group; per language, whole groups in a
    fixed random order go to `trained` until it holds `n_sentences` sentences, then to `calibration` until it holds
    `n_calibration`; the rest to neither."""
    trained, calibration = [], []
    for lang in sorted({r["lang"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["set"] == "real" and r["lang"] == lang]
        groups = sorted({rows[i]["group"] for i in idx}, key=lambda g: zlib.crc32(f"{seed}:{g}".encode()))
        size: dict[str, int] = {}
        for i in idx:
            size[rows[i]["group"]] = size.get(rows[i]["group"], 0) + len(rows[i]["sentences"])
        part: dict[str, int] = {}
        count = [0, 0]
        for g in groups:
            k = 0 if count[0] < n_sentences else 1
            if k == 1 and count[1] >= n_calibration:
                break
            part[g] = k
            count[k] += size[g]
        trained += [i for i in idx if part.get(rows[i]["group"]) == 0]
        calibration += [i for i in idx if part.get(rows[i]["group"]) == 1]
    return trained, calibration


def examples(rows: list[dict], pick=None) -> tuple[list[str], list[str]]:
    """(sentences, labels "unsafe"/"safe"): `reply_training.sentence_examples`, the examples today's model learns from."""
    texts, labels = [], []
    for _, sents, ys in rt.sentence_examples(rows, pick):
        texts += sents
        labels += ["unsafe" if v else "safe" for v in ys]
    return texts, labels


def fit(rows: list[dict], settings, pick=None, progress: bool = False):
    """A `tuned.TunedClassifier` (classes safe, unsafe) trained on the rows' sentence examples."""
    from .. import tuned

    texts, labels = examples(rows, pick)
    return tuned.fit(texts, labels, settings, classes=["safe", "unsafe"], progress=progress)


def reply_scores(clf, rows: list[dict]) -> np.ndarray:
    """Each row's highest p(unsafe) over its sentences (0 for a row with none), every sentence read once."""
    sents = list(dict.fromkeys(s for r in rows for s in r["sentences"]))
    if not sents:
        return np.zeros(len(rows))
    p = dict(zip(sents, clf.probabilities(sents)[:, clf.classes.index("unsafe")]))
    return np.array([max((p[s] for s in r["sentences"]), default=0.0) for r in rows], np.float64)


def leave_writer_out(
    rows: list[dict],
    writer,
    settings,
    encoder,
    folds: int = 3,
    langs=("en",),
    log=print,
    progress: bool = False,
    real_sentences: int = REAL_SENTENCES,
):
    """Scores by models that never read the row nor `writer` (a writer's name, or several: all left out together):
    for each fold, one tuned model and one of today's (`reply_training.fit`, both languages, every real row of the
    training part) trained on the other folds without `writer`. Returns {"tuned": scores, "today": scores,
    "tuned_threshold": [per fold], "fold": folds of the rows}, arrays over `rows`. The tuned model reads only the rows
    of `langs` that are real or the writer's (a forward pass a sentence costs); the others score 0 there."""
    left = {writer} if isinstance(writer, str) else set(writer)
    fold = np.array([rt.fold_of(r, folds) for r in rows])
    tuned_s, today_s = np.zeros(len(rows)), np.zeros(len(rows))
    thresholds = []
    for k in range(folds):
        train = [i for i, r in enumerate(rows) if fold[i] != k and r["writer"] not in left]
        today = rt.fit([rows[i] for i in train], encoder)
        test = np.flatnonzero(fold == k)
        today_s[test] = [today.scores(rows[i]["sentences"]).max() if rows[i]["sentences"] else 0.0 for i in test]
        mine = [i for i in train if rows[i]["lang"] in langs]
        sub = [rows[i] for i in mine]
        real_trained, calibration = split_real(sub, real_sentences)
        keep = set(real_trained) | {j for j, r in enumerate(sub) if r["set"] != "real"}
        log(f"writer {'+'.join(sorted(left))} out, fold {k}: training on {len(keep)} replies of {len(sub)}")
        clf = fit([sub[j] for j in sorted(keep)], settings, pick=rt.picker(today), progress=progress)
        calib = [sub[j] for j in calibration]
        th = rt.choose_threshold(calib, reply_scores(clf, calib))
        thresholds.append(th)
        scored = [
            i for i in test if rows[i]["lang"] in langs and (rows[i]["writer"] in left or rows[i]["set"] == "real")
        ]
        tuned_s[scored] = reply_scores(clf, [rows[i] for i in scored])
        log(f"  threshold {th:.4f} from {len(calib)} real replies it did not train on")
    return {"tuned": tuned_s, "today": today_s, "tuned_threshold": thresholds, "fold": fold}


def _cell(flags) -> dict:
    from .real import wilson

    k, n = int(np.sum(flags)), len(flags)
    lo, hi = wilson(k, n)
    return {"k": k, "n": n, "rate": k / n if n else None, "low": lo, "high": hi}


def flags(rows: list[dict], res: dict, rules, langs=("en",)) -> dict[str, np.ndarray]:
    """Each row's verdict by the rules alone and by the rules with each model: today's at the threshold its
    out-of-fold real replies allow (how `train_reply_model.py` measures it), the tuned one at each fold's own
    threshold, and the tuned one at the out-of-fold rule too (the same rule as today's, for a like comparison)."""
    rules = np.asarray(rules, bool)
    fold = np.asarray(res["fold"])
    today_th = rt.choose_threshold(rows, res["today"])
    mine = [i for i, r in enumerate(rows) if r["lang"] in langs]
    tuned_th = rt.choose_threshold([rows[i] for i in mine], np.asarray(res["tuned"])[mine])
    per_fold = np.asarray(res["tuned_threshold"])[fold]
    return {
        "rules": rules,
        "today": rules | (res["today"] >= today_th),
        "tuned": rules | (res["tuned"] >= per_fold),
        "tuned_oof_rule": rules | (res["tuned"] >= tuned_th),
        "thresholds": np.array([today_th, tuned_th]),
    }


def report(rows: list[dict], res: dict, rules, writer: str, langs=("en",)) -> list[dict]:
    """Per language of `langs` and verdict (`flags`): the left-out writer's unsafe replies caught and near-misses
    passed, each category's unsafe replies caught, and the real counselor replies flagged out of fold."""
    f = flags(rows, res, rules, langs)
    out = []
    for lang in langs:
        unsafe = [
            i for i, r in enumerate(rows) if r["writer"] == writer and r["lang"] == lang and r["label"] == "unsafe"
        ]
        near = [i for i, r in enumerate(rows) if r["writer"] == writer and r["lang"] == lang and r["label"] != "unsafe"]
        real = [i for i, r in enumerate(rows) if r["set"] == "real" and r["lang"] == lang]
        for name in ("rules", "today", "tuned", "tuned_oof_rule"):
            v = f[name]
            cats = sorted({rows[i]["category"] for i in unsafe})
            out.append(
                {
                    "writer": writer,
                    "lang": lang,
                    "verdict": name,
                    "caught": _cell(v[unsafe]),
                    "near_miss_passed": _cell(~v[near]),
                    "real_flagged": _cell(v[real]),
                    "categories": {c: _cell(v[[i for i in unsafe if rows[i]["category"] == c]]) for c in cats},
                }
            )
    return out


def build(rows: list[dict], settings, encoder, langs=("en",), log=print, real_sentences: int = REAL_SENTENCES):
    """The model to ship: trained on every row of `langs` (`real_sentences` real ones a language, sampled as in the
    folds), its threshold chosen on all the real replies it did not train on; long unsafe replies without a span give
    the sentence today's model, trained on every row, scores highest. Returns (`reply_tuned.TunedReplyModel`, facts for its meta)."""
    from .reply_tuned import TunedReplyModel

    today = rt.fit(rows, encoder)
    sub = [r for r in rows if r["lang"] in langs]
    real_trained, calibration = split_real(sub, real_sentences, n_calibration=10**9)
    keep = set(real_trained) | {j for j, r in enumerate(sub) if r["set"] != "real"}
    train = [sub[j] for j in sorted(keep)]
    texts, _ = examples(train, pick=rt.picker(today))
    log(f"training on {len(train)} replies ({len(texts)} sentences) of {len(sub)}")
    clf = fit(train, settings, pick=rt.picker(today), progress=True)
    calib = [sub[j] for j in calibration]
    scores = reply_scores(clf, calib)
    th = rt.choose_threshold(calib, scores)
    log(f"threshold {th:.4f} from {len(calib)} real replies it did not train on")
    facts = {
        "trained_replies": len(train),
        "trained_sentences": len(texts),
        "calibration_replies": len(calib),
        "false_alarms": rt.FALSE_ALARMS,
        "real_sentences": real_sentences,
    }
    return TunedReplyModel(clf, th, langs), facts
