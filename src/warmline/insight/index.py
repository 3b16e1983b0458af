"""Case retrieval: an index of counseling sessions with their labels, searched by the client's concern.

`warmline index DATA --output DIR` embeds each session's concern (its background label when it has
one, else its first client turns) with the offline multilingual encoder by default, and stores the
vectors with each session's guide, summary, topic and psychotherapy. Search uses FAISS when it is
installed (inner product on unit vectors), numpy otherwise; the results are the same."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..conversation import Dialogue

FORMAT = 1


def concern(d: Dialogue, max_chars: int = 600) -> str:
    bg = d.labels.get("background")
    if isinstance(bg, str) and bg.strip():
        return bg.strip()[:max_chars]
    return "\n".join(t.text for t in d.turns if t.role == "client")[:max_chars]


def session_record(d: Dialogue) -> dict:
    first = next((t.text for t in d.turns if t.role == "client"), "")
    return {"id": d.id, "lang": d.lang, "concern": concern(d), "first_client_turn": first[:300],
            **{k: d.labels[k] for k in ("guide", "summary", "topic", "psychotherapy", "background") if d.labels.get(k)}}


def build(dialogues: list[Dialogue], out: Path, embed: str = "use", base_url: str | None = None,
          progress=None) -> dict:
    from ..analyze.semantic import make_embedder

    embedder, name = make_embedder(embed, base_url, progress=progress)
    records = [session_record(d) for d in dialogues]
    if not records:
        raise ValueError("no sessions to index")
    vectors = embedder([r["concern"] for r in records]).astype(np.float32)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "vectors.npy", vectors)
    with (out / "sessions.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    meta = {"format": FORMAT, "embedder": embed, "embedder_name": name, "sessions": len(records),
            "dim": int(vectors.shape[1]), "with_guide": sum(1 for r in records if r.get("guide")),
            "with_summary": sum(1 for r in records if r.get("summary"))}
    (out / "index.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


@dataclass
class Hit:
    score: float
    session: dict


class CaseIndex:
    def __init__(self, path: Path, embedder=None):
        self.path = Path(path)
        meta_file = self.path / "index.json"
        if not meta_file.exists():
            raise ValueError(f"{self.path} is not a warmline index (no index.json); build one with "
                             "`warmline index DATA --output DIR`")
        self.meta = json.loads(meta_file.read_text(encoding="utf-8"))
        self.vectors = np.load(self.path / "vectors.npy").astype(np.float32)
        self.sessions = [json.loads(x) for x in (self.path / "sessions.jsonl").read_text(encoding="utf-8").splitlines() if x]
        self._embed = embedder
        self._faiss = None
        try:
            import faiss

            self._faiss = faiss.IndexFlatIP(self.vectors.shape[1])
            self._faiss.add(self.vectors)
        except ImportError:
            pass

    @property
    def engine(self) -> str:
        return "faiss" if self._faiss is not None else "numpy"

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._embed is None:
            from ..analyze.semantic import make_embedder

            self._embed = make_embedder(self.meta["embedder"])[0]
        return self._embed(texts)

    def search(self, text: str, k: int = 3) -> list[Hit]:
        q = self.embed([text]).astype(np.float32)
        k = min(k, len(self.sessions))
        if self._faiss is not None:
            scores, idx = self._faiss.search(q, k)
            pairs = zip(scores[0].tolist(), idx[0].tolist())
        else:
            s = self.vectors @ q[0]
            top = np.argsort(-s, kind="stable")[:k]
            pairs = zip(s[top].tolist(), top.tolist())
        return [Hit(float(sc), self.sessions[i]) for sc, i in pairs]


def context_block(hits: list[Hit], lang: str = "en") -> str:
    """The guide and summary of similar past cases, for the system prompt."""
    if not hits:
        return ""
    head = ("以下是与来访者情况相似的过往个案，供你参考思路（不要提及它们）：" if lang == "zh" else
            "Similar past cases, for your approach only (do not mention them):")
    lines = [head]
    for i, h in enumerate(hits, 1):
        s = h.session
        parts = [f"{i}. {s.get('concern', '')[:200]}"]
        if s.get("guide"):
            parts.append(("指导：" if lang == "zh" else "Guide: ") + str(s["guide"])[:400])
        if s.get("summary"):
            parts.append(("总结：" if lang == "zh" else "Summary: ") + str(s["summary"])[:400])
        lines.append("\n   ".join(parts))
    return "\n".join(lines)


def with_cases(messages: list[dict], index: CaseIndex, k: int, lang: str,
               exclude: str | None = None) -> tuple[list[dict], list[Hit]]:
    """Messages with the k most similar cases (to the client's turns so far) added to the system prompt.
    `exclude`: a session id never to return (in evaluation, the test item's own dialogue)."""
    query = "\n".join(m["content"] for m in messages if m["role"] == "user")[-600:]
    hits = [h for h in index.search(query, k + 1) if h.session["id"] != exclude][:k] if query else []
    block = context_block(hits, lang)
    if not block:
        return messages, hits
    if messages and messages[0]["role"] == "system":
        return [{"role": "system", "content": messages[0]["content"] + "\n\n" + block}] + messages[1:], hits
    return [{"role": "system", "content": block}] + messages, hits
