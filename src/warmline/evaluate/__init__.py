"""Evaluation: reproducible metrics for Chinese and English with signatures, rubric judges, pairwise
preference, agreement statistics and reports."""
