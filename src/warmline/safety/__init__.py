"""The safety layer every path to a person goes through: the AI notice, crisis screening of user
messages and model replies, and crisis resources (data with sources)."""

from .detect import Verdict, screen
from .policy import (
    ai_notice,
    crisis_alone,
    crisis_message,
    decide,
    load_resources,
    risk_note,
    unsafe_reply_message,
    with_risk_note,
)
from .reply import screen_reply
from .screener import Screener

__all__ = [
    "Verdict",
    "screen",
    "screen_reply",
    "Screener",
    "ai_notice",
    "crisis_alone",
    "crisis_message",
    "decide",
    "load_resources",
    "risk_note",
    "unsafe_reply_message",
    "with_risk_note",
]
