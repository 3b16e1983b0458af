"""Undo the spellings people use to get a message past a keyword filter, before the lexicon reads it:
leetspeak inside words ("k1ll mys3lf"), Cyrillic and Greek letters that look Latin ("kіll"), soft hyphens
and zero-width characters inside words, full-width letters and ideographic spaces ("ｋｉｌｌ　ｍｙｓｅｌｆ"),
letters spelled out ("k-i-l-l", "k i l l"), traditional Chinese characters of the risk vocabulary ("自殺" ->
"自杀") and pinyin for risk words, whole or half ("wo xiang zisha", "我想zisha今晚", "我想自sha").

Each rule only touches what cannot be ordinary text in the other reading: digits are read as letters
only inside a word that also has Latin letters, look-alike letters only in a word that also has Latin
letters (a Russian word stays Russian), and pinyin only as whole syllables of a risk phrase."""

from __future__ import annotations

import re
import unicodedata

# invisible characters that split a word for a filter but not for a reader
# (and the ones a filter also misses: bidi controls, variation selectors, tag characters, fillers)
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\u3164\ufe00-\ufe0f\uffa0\ufeff\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
# letters in another style that NFKC maps to plain ones: mathematical bold, italic, script, monospace ("𝐤𝐢𝐥𝐥"),
# circled ("ⓚⓘⓛⓛ"); and accents put on Latin letters ("kíll", "ki\u0301ll")
_STYLED = re.compile("[\u24b6-\u24e9\U0001d400-\U0001d7ff]+")
_ACCENTED = re.compile("[A-Za-z\u00c0-\u024f][\u0300-\u036f]+|[\u00c0-\u00ff\u0100-\u024f]")
# spaces other than the ASCII one (no-break, ideographic, thin): the lexicon's phrases are written with " "
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# letters spelled out one by one: "k-i-l-l", "s.u.i.c.i.d.e", "k i l l" (four letters or more when spaced)
_SPELLED = re.compile(
    r"(?<![A-Za-z])[A-Za-z](?:[-.*_][A-Za-z]){2,}(?![A-Za-z])|(?<![A-Za-z])[A-Za-z](?: [A-Za-z]){3,}(?![A-Za-z])"
)
# full-width ASCII letters and digits (U+FF10-FF5A); full-width punctuation stays, the Chinese lexicon reads it
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_LOOKALIKE = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "ӏ": "l",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ɡ": "g",
        "А": "A",
        "В": "B",
        "Е": "E",
        "І": "I",
        "Ј": "J",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "У": "Y",
        "Х": "X",
        "Ѕ": "S",
        # Greek
        "α": "a",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
        "Ζ": "Z",
        "Η": "H",
    }
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# a run of letters, digits and the leet symbols, Greek and Cyrillic included
_WORD = re.compile(r"[\w@$!\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]+")
_LATIN = re.compile(r"[A-Za-z]")
# a leet character between letters ("k1ll", "mys3lf") or a leading $ or @ ("$uicide"); "mp3", "B12", "2night" stay
_LEET_INSIDE = re.compile(r"[A-Za-z][0-9@$!]+[A-Za-z]|^[$@][A-Za-z]")
_LOOKALIKE_CHARS = re.compile("[" + "".join(re.escape(chr(k)) for k in _LOOKALIKE) + "]")
# traditional -> simplified for the characters of the Chinese lexicon's phrases (and the words around them)
_TRADITIONAL = str.maketrans(
    dict(
        zip(
            "殺車燒樓遺書藥傷殘結輕準備沒這個們時後來說話覺實現會對為無義離開關見別絕將與從過還讓邊頂氣東禮麼嗎樣樂難愛媽爺親應該"
            "經歲學錢壓憂鬱發決斷孫鋼剛聽買賣給槍彈橋繩農內體邊攢囤盡頭夠狀態裡裏聯繫係喪葬墜衝撐電話號碼傷痛淚願終點燈機瓶層處醫院"
            "們嗚淹劃劑量隻隱瞞謝讀寫試題網絡認識請問該怎麼辦",
            "杀车烧楼遗书药伤残结轻准备没这个们时后来说话觉实现会对为无义离开关见别绝将与从过还让边顶气东礼么吗样乐难爱妈爷亲应该"
            "经岁学钱压忧郁发决断孙钢刚听买卖给枪弹桥绳农内体边攒囤尽头够状态里里联系系丧葬坠冲撑电话号码伤痛泪愿终点灯机瓶层处医院"
            "们呜淹划剂量只隐瞒谢读写试题网络认识请问该怎么办",
        )
    )
)
# pinyin for the Chinese lexicon's risk words, each syllable whole, spaces between them optional; a word may
# touch Chinese characters ("我想zisha今晚"), so the edges are "no Latin letter", not \\b
_PINYIN = [
    (re.compile(p.replace(r"\b", "(?<![A-Za-z])", 1).replace(r"\b", "(?![A-Za-z])"), re.IGNORECASE), zh)
    for p, zh in (
        (r"\bzi ?sha\b(?! ?(?:tea|pot|clay|ware|teapot))", "自杀"),
        (r"\bqing ?sheng\b", "轻生"),
        (r"\bzi ?can\b", "自残"),
        (r"\bge ?wan\b", "割腕"),
        (r"\btiao ?lou\b", "跳楼"),
        (r"\bshang ?diao\b", "上吊"),
        (r"\bshao ?tan\b", "烧炭"),
        (r"\ban ?mian ?yao\b", "安眠药"),
        (r"\bbu ?xiang ?huo(?: ?le)?\b", "不想活了"),
        (r"\bhuo ?bu ?xia ?qu\b", "活不下去"),
        (r"\bwo ?xiang ?si\b", "我想死"),
        (r"\bxiang ?qu ?si\b", "想去死"),
        (r"\byi ?liao ?bai ?liao\b", "一了百了"),
    )
]
# a risk word written half in characters, half in pinyin ("我想自sha今晚")
_MIXED = [
    (re.compile(p, re.IGNORECASE), zh)
    for p, zh in (
        (r"自 ?sha(?![A-Za-z])", "自杀"),
        (r"(?<![A-Za-z])zi ?杀", "自杀"),
        (r"轻 ?sheng(?![A-Za-z])", "轻生"),
        (r"(?<![A-Za-z])qing ?生", "轻生"),
        (r"割 ?wan(?![A-Za-z])", "割腕"),
        (r"(?<![A-Za-z])ge ?腕", "割腕"),
        (r"跳 ?lou(?![A-Za-z])", "跳楼"),
        (r"(?<![A-Za-z])tiao ?楼", "跳楼"),
    )
]
# read as pinyin only beside one of those: "jin wan" and "wo xiang" are also names
_PINYIN_AROUND = [
    (re.compile(p, re.IGNORECASE), zh)
    for p, zh in ((r"(?<![A-Za-z])jin ?wan(?![A-Za-z])", "今晚"), (r"(?<![A-Za-z])wo ?xiang(?![A-Za-z])", "我想"))
]
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _word(m: re.Match) -> str:
    w = m.group(0)
    if not _LATIN.search(w) and not _LOOKALIKE_CHARS.search(w):
        return w  # no Latin letter and no look-alike: digits, Chinese, punctuation
    w2 = w.translate(_LOOKALIKE) if _LATIN.search(w) else w
    if _LEET_INSIDE.search(w2):
        core = w2.rstrip("!")  # "help!" keeps its exclamation mark
        w2 = core.translate(_LEET) + w2[len(core) :]
    return w2


def _plain_letter(m: re.Match) -> str:
    """The letter without its accents ("í" -> "i"); a letter with no plain form (ø, ß, æ) stays."""
    bare = "".join(c for c in unicodedata.normalize("NFD", m.group(0)) if not unicodedata.combining(c))
    return bare if bare.isascii() else m.group(0)


def normalize(text: str) -> str:
    """The message as a keyword filter should read it (see the module's docstring); ordinary text comes back
    unchanged in meaning (Chinese punctuation, numbers and words in other scripts stay as they are)."""
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _FULL_WIDTH.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    text = _STYLED.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    text = _ACCENTED.sub(_plain_letter, text)
    text = _WORD.sub(_word, text)
    text = _SPELLED.sub(lambda m: re.sub(r"[-.*_ ]", "", m.group(0)), text)
    if _HAN.search(text):
        text = text.translate(_TRADITIONAL)
    pinyin = False
    for rx, zh in _PINYIN + _MIXED:
        if rx.search(text):
            text, pinyin = rx.sub(zh, text), True
    for rx, zh in _PINYIN_AROUND if pinyin else ():
        text = rx.sub(zh, text)
    return text
