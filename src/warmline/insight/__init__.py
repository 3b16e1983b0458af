"""Explainable counseling (Psy-Insight): labels, a label classifier, explained replies, case retrieval, and mapping explanations to dialogue."""
