"""Serving: an OpenAI-compatible HTTP API with streaming and a web page, every request through the
safety layer."""
