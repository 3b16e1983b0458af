"""`warmline insight-extract`: Psy-Insight's construction workflow. From raw text that mixes a counseling
dialogue with explanatory paragraphs (books, blogs, case reports), find the dialogue by speaker
patterns, and attach each explanatory paragraph to the turns it explains.

For every paragraph, spans of up to `window` turns near it (before it, and the turn right after) are
compared with the paragraph by embedding cosine; the best span wins. An optional LLM check asks whether
the paragraph really explains that span (a "no" drops the link, counted). A paragraph explaining one
or two turns becomes a turn label (observation for a client turn, reasoning for a counselor turn); one
explaining more, or standing before the first or after the last turn, becomes a session label
(background before, summary after, guide otherwise). The output is warmline JSONL, one dialogue per
session, with every proposed link under `meta.review` for a person to accept, edit or reject."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..conversation import Dialogue, Turn, detect_lang

SPEAKERS = {
    "client": ["来访者", "求助者", "访", "来", "用户", "Client", "Patient", "C", "Q"],
    "counselor": ["心理咨询师", "咨询师", "治疗师", "咨", "Counselor", "Counsellor", "Therapist", "T", "A"],
}
_SPEAKER = re.compile(
    r"^\s*(?P<who>"
    + "|".join(sorted((re.escape(s) for v in SPEAKERS.values() for s in v), key=len, reverse=True))
    + r")\s*[：:]\s*(?P<text>.+)$"
)
_ROLE = {s: role for role, names in SPEAKERS.items() for s in names}


@dataclass
class Segment:
    """A run of dialogue turns and the explanatory paragraphs around and between them."""

    turns: list[Turn] = field(default_factory=list)
    # (paragraph text, index of the last turn before it, -1 when before the first turn)
    notes: list[tuple[str, int]] = field(default_factory=list)


def segment(text: str, max_gap: int = 3) -> list[Segment]:
    """Lines that start with a speaker ("来访者：", "Counselor:") are turns; other non-empty lines are
    paragraphs. More than `max_gap` paragraphs in a row between turns start a new session."""
    segs: list[Segment] = [Segment()]
    gap = 0
    pending: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = _SPEAKER.match(line)
        if not m:
            pending.append(line)
            gap += 1
            continue
        seg = segs[-1]
        if seg.turns and gap > max_gap:
            seg = Segment()
            segs.append(seg)
        for p in pending:
            seg.notes.append((p, len(seg.turns) - 1))
        pending, gap = [], 0
        seg.turns.append(Turn(_ROLE[m.group("who")], m.group("text").strip()))
    for p in pending:
        segs[-1].notes.append((p, len(segs[-1].turns) - 1))
    return [s for s in segs if s.turns]


@dataclass
class Link:
    paragraph: str
    span: tuple[int, int]
    similarity: float
    target: str  # "turn:I:observation", "turn:I:reasoning" or "session:background|guide|summary"
    llm_check: str | None = None

    def to_dict(self) -> dict:
        return {
            "paragraph": self.paragraph,
            "span": list(self.span),
            "similarity": round(self.similarity, 4),
            "target": self.target,
            "llm_check": self.llm_check,
            "accept": True,
        }


def link_notes(seg: Segment, embed, window: int = 4) -> list[Link]:
    n = len(seg.turns)
    if not seg.notes:
        return []
    spans = [(a, b) for b in range(n) for a in range(max(0, b - window + 1), b + 1)]
    span_texts = ["\n".join(t.text for t in seg.turns[a : b + 1]) for a, b in spans]
    vecs = embed(span_texts + [p for p, _ in seg.notes])
    sv, pv = vecs[: len(spans)], vecs[len(spans) :]
    links = []
    for (para, after), v in zip(seg.notes, pv):
        if after < 0:
            links.append(Link(para, (0, n - 1), float(np.max(sv @ v)), "session:background"))
            continue
        # spans near the paragraph: ending at the turn before it or the one right after it
        near = [
            i
            for i, (a, b) in enumerate(spans)
            if after - window < b <= min(after + 1, n - 1) and a >= after - window + 1
        ]
        best = max(near, key=lambda i: float(sv[i] @ v))
        a, b = spans[best]
        sim = float(sv[best] @ v)
        if after == n - 1 and b - a + 1 > 2:
            target = "session:summary"
        elif b - a + 1 > 2:
            target = "session:guide"
        else:
            i = b if seg.turns[b].role in ("client", "counselor") else a
            target = f"turn:{i}:{'observation' if seg.turns[i].role == 'client' else 'reasoning'}"
        links.append(Link(para, (a, b), sim, target))
    return links


def relevance_prompt(para: str, turns: list[Turn]) -> str:
    shown = "\n".join(f"{'Client' if t.role == 'client' else 'Counselor'}: {t.text}" for t in turns)
    return (
        f"Dialogue excerpt:\n{shown}\n\nParagraph:\n{para}\n\nDoes the paragraph explain or comment on this "
        "excerpt (the client's state or the counselor's reasons)? Answer with JSON only: {\"relevant\": true|false}"
    )


def build_dialogue(seg: Segment, links: list[Link], did: str, source: str) -> Dialogue:
    lang = detect_lang(" ".join(t.text for t in seg.turns))
    d = Dialogue(
        did,
        lang,
        [Turn(t.role, t.text) for t in seg.turns],
        provenance={"source": source, "method": "warmline insight-extract"},
    )
    for link in links:
        if link.llm_check == "no":
            continue
        kind, *rest = link.target.split(":")
        if kind == "session":
            key = rest[0]
            d.labels[key] = (d.labels[key] + "\n" + link.paragraph) if d.labels.get(key) else link.paragraph
        else:
            turn = d.turns[int(rest[0])]
            old = getattr(turn, rest[1])
            setattr(turn, rest[1], (old + "\n" + link.paragraph) if old else link.paragraph)
    d.meta["review"] = [link.to_dict() for link in links]
    return d


@dataclass
class ExtractReport:
    sessions: int = 0
    turns: int = 0
    paragraphs: int = 0
    turn_labels: int = 0
    session_labels: int = 0
    rejected_by_llm: int = 0


def extract(
    text: str, embed, source: str = "text", window: int = 4, checker=None
) -> tuple[list[Dialogue], ExtractReport]:
    """`checker(prompt) -> str` (optional) is the LLM relevance check."""
    from ..llm_json import UnusableAnswer, json_object

    rep = ExtractReport()
    out = []
    for k, seg in enumerate(segment(text)):
        links = link_notes(seg, embed, window)
        if checker is not None:
            for link in links:
                a, b = link.span
                try:
                    ok = json_object(checker(relevance_prompt(link.paragraph, seg.turns[a : b + 1]))).get("relevant")
                    link.llm_check = "yes" if ok is True else "no" if ok is False else "unparsable"
                except UnusableAnswer:
                    link.llm_check = "unparsable"
                rep.rejected_by_llm += link.llm_check == "no"
        kept = [x for x in links if x.llm_check != "no"]
        rep.sessions += 1
        rep.turns += len(seg.turns)
        rep.paragraphs += len(seg.notes)
        rep.turn_labels += sum(1 for x in kept if x.target.startswith("turn"))
        rep.session_labels += sum(1 for x in kept if x.target.startswith("session"))
        out.append(build_dialogue(seg, links, f"{source}-{k}", source))
    return out, rep
