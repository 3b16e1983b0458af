"""Simulated clients: an LLM plays a client from a profile (concern, emotion, attitude such as open,
resistant or ambivalent), the counselor system converses with it for N turns through the same safety
layer people get, and a judge scores the whole session with a rubric."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from importlib import resources as ir
from pathlib import Path

import yaml

from .backends.base import BackendError, ChatBackend, GenerationOptions
from .evaluate.judge import JudgeStats, Rubric, parse_scores, rubric_block
from .llm_json import ask, context_text
from .session import ChatSession

ATTITUDES = ("open", "resistant", "ambivalent")
CLIENT_OPTIONS = GenerationOptions(temperature=0.8, top_p=0.95, max_new_tokens=120)


@dataclass(frozen=True)
class Profile:
    id: str
    lang: str
    concern: str
    emotion: str
    attitude: str
    background: str
    opening: str


def load_profiles(path: str | None = None) -> list[Profile]:
    text = (
        Path(path).read_text(encoding="utf-8")
        if path
        else ir.files("warmline").joinpath("data/eval/profiles.yaml").read_text(encoding="utf-8")
    )
    out = []
    for i, p in enumerate((yaml.safe_load(text) or {}).get("profiles") or []):
        try:
            prof = Profile(**{k: str(p[k]) for k in Profile.__dataclass_fields__})
        except (KeyError, TypeError) as e:
            raise ValueError(f"{path or 'profiles.yaml'}: profile {i} lacks {e}") from None
        if prof.attitude not in ATTITUDES or prof.lang not in ("zh", "en"):
            raise ValueError(f"profile {prof.id}: attitude must be one of {ATTITUDES} and lang zh or en")
        out.append(prof)
    if not out:
        raise ValueError(f"{path or 'profiles.yaml'}: no profiles")
    return out


_ATTITUDE = {
    "en": {
        "open": "You are willing to talk and answer questions openly.",
        "resistant": "You doubt that talking helps; you give short, guarded answers and push back on advice.",
        "ambivalent": "You go back and forth: sometimes open, sometimes doubtful about changing anything.",
    },
    "zh": {
        "open": "你愿意倾诉，会坦诚地回答问题。",
        "resistant": "你怀疑倾诉有没有用，回答简短、有所保留，会反驳对方的建议。",
        "ambivalent": "你很矛盾：时而愿意敞开，时而怀疑改变的意义。",
    },
}


def client_system_prompt(p: Profile) -> str:
    if p.lang == "zh":
        return (
            f"你在扮演一位来访者，正在和心理支持热线的倾听者对话。你的困扰：{p.concern}；主要情绪：{p.emotion}；"
            f"背景：{p.background}。{_ATTITUDE['zh'][p.attitude]}只以来访者的身份说话，每次一到三句，口语化，"
            "不要替对方说话，不要透露你在扮演角色。"
        )
    return (
        f"You are role-playing a client talking to a listener on a support line. Your concern: {p.concern}; main "
        f"emotion: {p.emotion}; background: {p.background}. {_ATTITUDE['en'][p.attitude]} Speak only as the client, "
        "one to three sentences at a time, conversationally; never speak for the listener or reveal the role-play."
    )


def session_prompt(rubric: Rubric, transcript: list[dict], lang: str) -> str:
    criteria, answer = rubric_block(rubric)
    return "\n".join(
        [
            f"You are an expert evaluator of mental-health support conversations. Rate the counselor's "
            f"conduct over the whole session below with the rubric ({rubric.name} v{rubric.version}).",
            "",
            *criteria,
            "",
            "Session:",
            context_text(transcript, lang),
            "",
            f"Answer with JSON only: {answer}",
        ]
    )


async def simulate(
    profile: Profile,
    counselor: ChatBackend,
    counselor_options: GenerationOptions,
    client: ChatBackend,
    judge: ChatBackend | None,
    rubric: Rubric | None,
    turns: int,
    system_prompt: str | None,
    stats: JudgeStats,
) -> dict:
    """One session: the client opens with the profile's line; counselor and client alternate for `turns`
    exchanges; the judge scores the transcript."""
    session = ChatSession(counselor, counselor_options, system_prompt, profile.lang)
    client_msgs = [{"role": "system", "content": client_system_prompt(profile)}]
    said = profile.opening
    crisis = False
    for t in range(turns):
        turn = await asyncio.to_thread(session.send, said)
        crisis = crisis or turn.crisis
        if t == turns - 1:
            break
        client_msgs += [{"role": "assistant", "content": said}, {"role": "user", "content": turn.text}]
        try:
            said = (await client.agenerate(client_msgs, CLIENT_OPTIONS)).text.strip() or "..."
        except BackendError as e:
            return {"profile": profile.id, "error": f"client model failed: {e}", "transcript": session.history}
    rec = {
        "profile": profile.id,
        "lang": profile.lang,
        "attitude": profile.attitude,
        "turns": turns,
        "crisis_triggered": crisis,
        "transcript": list(session.history),
    }
    if judge is not None and rubric is not None:
        res = await ask(
            judge,
            session_prompt(rubric, session.history, profile.lang),
            lambda text: parse_scores(text, rubric),
            2,
            stats,
        )
        if isinstance(res, Exception):
            rec["judge_error"] = str(res)
        else:
            rec["scores"], rec["reasons"] = res
    return rec


async def run_all(
    profiles: list[Profile],
    counselor: ChatBackend,
    counselor_options: GenerationOptions,
    client: ChatBackend,
    judge: ChatBackend | None,
    rubric: Rubric | None,
    turns: int,
    system_prompt: str | None = None,
    concurrency: int = 4,
) -> tuple[list[dict], JudgeStats]:
    stats = JudgeStats()
    sem = asyncio.Semaphore(concurrency)

    async def one(p: Profile) -> dict:
        async with sem:
            return await simulate(p, counselor, counselor_options, client, judge, rubric, turns, system_prompt, stats)

    return list(await asyncio.gather(*(one(p) for p in profiles))), stats


def summarize(results: list[dict], rubric: Rubric) -> dict:
    """Mean score per criterion, overall and per attitude."""
    scored = [r for r in results if "scores" in r]
    out: dict = {"sessions": len(results), "scored": len(scored), "overall": {}, "by_attitude": {}}
    for c in rubric.criteria:
        vals = [r["scores"][c.key] for r in scored]
        out["overall"][c.key] = sum(vals) / len(vals) if vals else None
        for att in ATTITUDES:
            v = [r["scores"][c.key] for r in scored if r.get("attitude") == att]
            out["by_attitude"].setdefault(att, {})[c.key] = sum(v) / len(v) if v else None
    return out
