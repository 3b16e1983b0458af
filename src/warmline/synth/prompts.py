"""Prompt templates as data files (`data/synth/prompts/METHOD.LANG.txt`), each headed by `# key: value`
lines (name, version, lang, roles, dialogue_marker), plus each method's structural rules."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as ir
from pathlib import Path

import yaml

METHODS = ("standard", "standardT", "smile", "soulchat")


@dataclass(frozen=True)
class Rules:
    """Structure a method's dialogues must have. A turn here is one exchange: a client utterance and
    the counselor's reply."""

    min_turns: int
    max_turns: int | None = None
    end_with_counselor: bool = False
    needs_source: bool = True


RULES = {
    "standard": Rules(5, needs_source=False),
    "standardT": Rules(5, needs_source=False),
    "smile": Rules(5),
    "soulchat": Rules(8, 20, end_with_counselor=True),
}


@dataclass(frozen=True)
class Template:
    name: str
    version: str
    lang: str
    client: str
    counselor: str
    marker: str | None
    body: str
    path: str

    @property
    def prompt_id(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, question: str = "", answer: str = "", topic: str = "") -> str:
        # str.replace, not str.format: corpus text may hold braces
        return self.body.replace("{question}", question).replace("{answer}", answer).replace("{topic}", topic)


def parse_template(text: str, path: str, method: str | None = None, lang: str | None = None) -> Template:
    head: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        key, sep, val = lines[i][1:].partition(":")
        if sep:
            head[key.strip().lower()] = val.strip()
        i += 1
    body = "\n".join(lines[i:]).strip() + "\n"
    roles = [r.strip() for r in head.get("roles", "").split("|") if r.strip()]
    if len(roles) != 2:
        raise ValueError(f"{path}: the template header needs '# roles: CLIENT | COUNSELOR' (e.g. 求助者 | 支持者)")
    name = head.get("name") or method or Path(path).stem.split(".")[0]
    return Template(
        name,
        head.get("version", "0"),
        head.get("lang") or lang or "zh",
        roles[0],
        roles[1],
        head.get("dialogue_marker") or None,
        body,
        path,
    )


@lru_cache(maxsize=32)
def load_template(method: str, lang: str, path: str | None = None) -> Template:
    """A method's bundled template for a language, or the user's file."""
    if path:
        p = Path(path)
        if not p.is_file():
            raise ValueError(f"prompt file {path} does not exist")
        return parse_template(p.read_text(encoding="utf-8"), str(p), method, lang)
    if method not in RULES:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    res = ir.files("warmline").joinpath(f"data/synth/prompts/{method}.{lang}.txt")
    return parse_template(res.read_text(encoding="utf-8"), f"warmline:data/synth/prompts/{method}.{lang}.txt")


@lru_cache(maxsize=4)
def topics(lang: str) -> tuple[str, ...]:
    data = yaml.safe_load(ir.files("warmline").joinpath("data/synth/topics.yaml").read_text(encoding="utf-8"))
    return tuple(data[lang])


def draw_topic(key: str, lang: str, seed: int = 0) -> str:
    """A topic drawn uniformly, reproducibly from the item's key and the run's seed."""
    return random.Random(zlib.crc32(key.encode()) ^ seed).choice(topics(lang))
