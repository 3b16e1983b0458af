"""Frequent words of counselor turns (jieba for Chinese, words for English), and a word cloud when a
font that covers the text is installed (Chinese needs a CJK font, e.g. Debian's fonts-wqy-microhei)."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from functools import lru_cache
from importlib import resources as ir
from pathlib import Path

from .corpus import Corpus

_EN_WORD = re.compile(r"[a-z][a-z']+")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=2)
def stopwords(lang: str) -> frozenset[str]:
    text = ir.files("warmline").joinpath(f"data/stopwords/{lang}.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def words_of(text: str, lang: str) -> list[str]:
    """Content words: jieba words of two or more characters with a Chinese character for Chinese,
    lower-case words of three or more letters for English; stopwords left out."""
    stop = stopwords(lang)
    if lang == "zh":
        from ..text.tokenize import get_tokenizer

        return [w for w in get_tokenizer("jieba")(text) if len(w) >= 2 and _HAS_CJK.search(w) and w not in stop]
    return [w for w in _EN_WORD.findall(text.lower()) if len(w) >= 3 and w not in stop]


def frequent_words(c: Corpus, role: int = 1, top: int = 30) -> dict[str, list[tuple[str, int]]]:
    """Per language present, the `top` most frequent content words of utterances by `role`
    (1 = counselor)."""
    counts: dict[str, Counter] = {}
    for text, r, d in zip(c.texts, c.roles, c.dlg):
        if r == role:
            lang = c.langs[d]
            counts.setdefault(lang, Counter()).update(words_of(text, lang))
    return {lang: cnt.most_common(top) for lang, cnt in counts.items()}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font file covering Chinese, found with fontconfig (fc-list :lang=zh), or None."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    files = [f for f in files if f.lower().endswith((".ttf", ".ttc", ".otf"))]
    return files[0] if files else None


def word_cloud(freqs: list[tuple[str, int]], lang: str, out: Path) -> tuple[Path | None, str]:
    """(PNG path or None, why not). Chinese clouds need a CJK font; English uses wordcloud's own."""
    if not freqs:
        return None, "no words"
    try:
        from wordcloud import WordCloud
    except ImportError:
        return None, "wordcloud is not installed (pip install wordcloud)"
    font = None
    if lang == "zh":
        font = cjk_font()
        if font is None:
            return None, "no CJK font installed (Debian: apt-get install fonts-wqy-microhei)"
    wc = WordCloud(width=800, height=400, background_color="white", font_path=font, random_state=0)
    wc.generate_from_frequencies(dict(freqs))
    out.parent.mkdir(parents=True, exist_ok=True)
    wc.to_file(str(out))
    return out, ""
