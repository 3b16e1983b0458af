"""Moved to `warmline.text.tokenize`."""

# kept until insight moves to warmline.text (insight/classify.py imports get_tokenizer from here)
from ..text.tokenize import (  # noqa: F401
    BUILTIN,
    TokenizationError,
    default_tokenizer,
    get_tokenizer,
    jieba_cut,
    joined_tokens,
    tok_label,
    tokenize_all,
)
