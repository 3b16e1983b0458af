"""Corpus analysis: statistics, diversity, topics, rewrite fidelity, duplicates and contamination."""
