"""HTML markup in scraped text turned into plain text with the standard library: paragraphs, line
breaks, list items and headings become line breaks, entities are decoded (&nbsp; as a space), every
other tag is dropped and its text kept. Text without markup is returned unchanged."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "hr"}
# a tag that HTML writers use, or an entity: "<3" or "a < b" are not markup
_MARKUP = re.compile(
    r"</?(?:p|br|div|span|li|ul|ol|a|b|i|u|em|strong|h[1-6]|blockquote|font|hr|table|tr|td)\b[^<>]*>"
    r"|&(?:[a-zA-Z]{2,8}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});",
    re.I,
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data) -> None:
        self.parts.append(data)


def has_markup(text: str) -> bool:
    return bool(_MARKUP.search(text))


def html_to_text(text: str) -> str:
    """Plain text of `text`: one line per paragraph or <br>, entities decoded, spaces tidied."""
    if not has_markup(text):
        return text
    p = _Text()
    p.feed(text)
    p.close()
    joined = "".join(p.parts).replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in joined.split("\n"))
    return "\n".join(line for line in lines if line)
