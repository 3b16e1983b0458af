"""Helpers for tests and benchmarks: a fake OpenAI-compatible server on 127.0.0.1."""
