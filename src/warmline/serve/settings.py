"""Server settings in three layers: defaults here, a YAML file, environment variables (WARMLINE_...),
then command-line flags. Secrets (API keys) come only from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ServeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARMLINE_", extra="forbid", protected_namespaces=())

    host: str = "127.0.0.1"
    port: int = 8000
    backend: str = "local"
    model: str | None = None
    adapter: str | None = None
    base_url: str | None = Field(None, description="upstream OpenAI-compatible endpoint for --backend openai")
    upstream_key_env: str = "OPENAI_API_KEY"
    served_model_name: str | None = None
    api_keys_env: str = Field("WARMLINE_API_KEYS", description="variable holding comma-separated bearer keys")
    rate_limit_per_minute: int = 60
    auth_failures_per_minute: int = Field(
        10,
        ge=1,
        description="wrong or missing keys allowed per client address per minute; then 429 until the minute has passed",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses or CIDR ranges of reverse "
        "proxies whose X-Forwarded-For is believed; from anyone else it is ignored",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host header names accepted besides the bound "
        "host (and, on loopback, localhost/127.0.0.1/::1): the names clients use to reach "
        "a proxy in front; '*' accepts any, as does a wildcard bind (0.0.0.0, ::), "
        "where keys are required. Others get 400 (DNS rebinding)",
    )
    cors_origins: list[str] = Field(default_factory=list)
    max_request_bytes: int = 1_000_000
    max_messages: int = 200
    max_tokens_cap: int = 2048
    default_max_tokens: int = 512
    concurrency: int = 4
    locale: str | None = None
    lang: str = "en"
    system_prompt: str | None = None
    explain: str = Field(
        "off",
        description="off; cot (a chain-of-thought model's tags are split off); prompt "
        "(any model is asked for observation, reasoning and reply as JSON)",
    )
    index: str | None = Field(None, description="a case index (`warmline index`): similar sessions guide replies")
    retrieval_k: int = 3
    safety_classifier: bool = Field(
        True,
        description="the bundled embedding classifier for indirect statements "
        "(second stage of crisis screening; off: lexicon only)",
    )
    safety_classifier_file: str | None = Field(
        None,
        description="a safety classifier trained with your own labelled "
        "messages (`warmline safety train`), instead of the "
        "bundled one",
    )
    safety_threshold: float | None = Field(
        None,
        gt=0.0,
        lt=1.0,
        description="the safety classifier's threshold "
        "(default: the shipped classifier's, chosen by cross-validation on real messages); measure your traffic with `warmline safety "
        "eval FILE --sweep`",
    )
    safety_llm: str = Field(
        "off",
        description="an LLM check as a further stage of crisis screening: off; same (ask "
        "the model that serves chat); openai (an endpoint: safety_llm_base_url)",
    )
    safety_llm_mode: str = Field(
        "raise",
        description="raise: the LLM check can only raise the risk; confirm: it can "
        "also clear a flag the classifier raised alone (never a lexicon "
        "match); measure it first with `warmline safety eval`",
    )
    safety_llm_base_url: str | None = None
    safety_llm_model: str | None = None
    safety_llm_key_env: str = "OPENAI_API_KEY"
    elevated_reply: bool = Field(
        False,
        description="answer an elevated (not imminent, not about means) message with "
        "the crisis message and then the model's reply, told of the risk "
        "and screened as always; off (the default): the crisis message "
        "alone. Turn it on only with a model whose replies to people at "
        "risk you have read",
    )
    woven_check_in: bool = Field(
        False,
        description="a message only the safety classifier flagged (no phrase of the "
        "lexicon) gets the model's reply with a gentle safety check-in woven "
        "in, screened as always, instead of the check-in message alone. For "
        "a capable model whose replies to people at risk you have read; "
        "off (the default) for the embedded model",
    )
    reply_model: bool = Field(
        False,
        description="the reply screen's second stage (a sentence classifier) reads "
        "each finished sentence of the model's reply as well as the rules and "
        "only adds catches (more unsafe replies caught, a few more good ones "
        "replaced); a stream then shows a sentence once it has ended. Off (the "
        "default): the rules alone, and text streams as soon as no rule could "
        "match it; embedding every sentence costs a busy server (docs/safety-replies.md)",
    )
    store: bool = Field(False, description="keep conversations in SQLite (off by default)")
    store_path: str = Field("", description="default: $WARMLINE_HOME/conversations.db")
    retention_days: float = 30.0
    retention_interval_s: float = Field(
        3600.0,
        gt=0,
        description="how often conversations past retention_days are "
        "deleted while the server runs (and once at startup)",
    )
    redact_pii: bool = True

    def store_file(self) -> str:
        from ..paths import warmline_home

        return self.store_path or str(warmline_home() / "conversations.db")

    @field_validator("cors_origins", "trusted_proxies", "allowed_hosts", mode="before")
    @classmethod
    def _split(cls, v):
        return [x.strip() for x in v.split(",") if x.strip()] if isinstance(v, str) else v

    def api_keys(self) -> set[str]:
        return {k.strip() for k in os.environ.get(self.api_keys_env, "").split(",") if k.strip()}

    def check(self) -> None:
        """Refuse unsafe combinations: another interface without keys; an LLM check without an endpoint."""
        if self.safety_llm not in ("off", "same", "openai"):
            raise ValueError(f"safety_llm must be off, same or openai, not {self.safety_llm!r}")
        if self.safety_llm_mode not in ("raise", "confirm"):
            raise ValueError(f"safety_llm_mode must be raise or confirm, not {self.safety_llm_mode!r}")
        if self.safety_llm_mode == "confirm" and self.safety_llm == "off":
            raise ValueError("safety_llm_mode: confirm is a mode of the LLM check: set safety_llm (same or openai)")
        if self.safety_llm == "openai" and not self.safety_llm_base_url:
            raise ValueError(
                "safety_llm: openai needs safety_llm_base_url (an OpenAI-compatible endpoint, e.g. "
                "http://127.0.0.1:8001/v1)"
            )
        from .access import networks

        networks(self.trusted_proxies)  # a ValueError names a bad entry
        if self.host not in LOOPBACK and not self.api_keys():
            raise ValueError(
                f"binding to {self.host} exposes the server beyond this machine: set API keys in "
                f"${self.api_keys_env} (comma-separated) first"
            )


def load_settings(config: str | Path | None = None, **overrides) -> ServeSettings:
    values: dict = {}
    if config:
        p = Path(config)
        if not p.is_file():
            raise ValueError(f"config file {p} does not exist")
        values = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(values, dict):
        raise ValueError(f"config file {config} must hold a mapping of settings (see `warmline serve --print-config`)")
    env = ServeSettings()  # defaults, then the environment: only what the environment set is kept
    merged = {**values, **env.model_dump(exclude_unset=True), **{k: v for k, v in overrides.items() if v is not None}}
    return ServeSettings(**merged)


def settings_yaml() -> str:
    """Every server setting with its default and, where it has one, what it is for, as a YAML file to start
    from (`warmline serve --print-config`; `configs/serve.yaml` is this output)."""
    import textwrap

    lines = [
        "# warmline serve --config configs/serve.yaml",
        "# Every server setting at its default (written by `warmline serve --print-config`). Environment variables",
        "# WARMLINE_<NAME> override this file and command-line flags override both; API keys come only from the",
        "# environment.",
        "",
    ]
    for name, field in ServeSettings.model_fields.items():
        if field.description:
            lines += [f"# {line}" for line in textwrap.wrap(field.description, 110)]
        value = field.get_default(call_default_factory=True)
        lines.append(yaml.safe_dump({name: value}, allow_unicode=True, sort_keys=False).strip())
    return "\n".join(lines) + "\n"
