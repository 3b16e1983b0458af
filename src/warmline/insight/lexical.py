"""The case index's lexical view: BM25 (the `bm25s` library) over content words, jieba words for Chinese.

Words are those of `warmline stats` (stopwords out; jieba words of two or more characters for Chinese,
words of three or more letters for English), so that a query and a session meet on what they are about
rather than on function words."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analyze.words import words_of
from ..conversation import detect_lang


def tokens(text: str, lang: str | None = None) -> list[str]:
    return words_of(text, lang or detect_lang(text))


def _bm25s():
    try:
        import bm25s
    except ImportError as e:
        raise ImportError(
            "the case index's lexical view needs bm25s: pip install 'warmline[eval]' "
            "(or build without it: warmline index DATA --views client,background --no-lexical)"
        ) from e
    return bm25s


class Lexical:
    """BM25 scores of a query against one document per session."""

    def __init__(self, retriever):
        self.retriever = retriever

    @classmethod
    def build(cls, docs: list[str], langs: list[str]) -> Lexical:
        bm25s = _bm25s()
        # an empty document still needs a token so that the session keeps its row
        toks = [tokens(d, lang) or ["\u2205"] for d, lang in zip(docs, langs)]
        r = bm25s.BM25()
        r.index(toks, show_progress=False)
        return cls(r)

    def save(self, path: Path) -> None:
        self.retriever.save(str(path))

    @classmethod
    def load(cls, path: Path) -> Lexical:
        return cls(_bm25s().BM25.load(str(path)))

    def scores(self, text: str) -> np.ndarray:
        """One score per session; all zero when the query has no content word (bm25s refuses an empty query)."""
        q = tokens(text)
        if not q:
            return np.zeros(self.retriever.scores["num_docs"], np.float32)
        return np.asarray(self.retriever.get_scores(q), np.float32)
