"""Moved to `warmline.jsonio`."""

# kept until serve and evaluate/run.py move to warmline.jsonio (they import this module)
from .jsonio import dumpb, dumps, loads  # noqa: F401
