"""Corpus synthesis (SMILE, SoulChat): rewrite single-turn counseling Q&A into multi-turn empathetic
dialogues with an LLM; clean before, check, scrub and filter after, regenerate failures; resumable."""
