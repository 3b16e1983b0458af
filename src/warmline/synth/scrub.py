"""Moved to `warmline.privacy`."""

# kept until serve moves to warmline.privacy (serve/store.py imports redact from here)
from ..privacy import ALIASES, NAME_INTRO, PATTERNS, redact, scrub  # noqa: F401
