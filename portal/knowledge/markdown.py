"""Safe Markdown: markdown-it-py (CommonMark and tables, raw HTML off), then nh3.

Two layers, so a mistake in one is caught by the other:

1. markdown-it-py renders CommonMark with tables and never passes raw HTML
   through. Its link check is replaced by a stricter one: a link or image whose
   address, after decoding entities and percent-escapes and dropping the
   whitespace and control characters browsers ignore, has a scheme other than
   http, https or mailto stays plain text (``jav&#x09;ascript:``,
   ``JaVaScRiPt:``, ``data:text/html`` ...). The text's top heading level becomes
   h2, since the page's title is its only h1; external links get
   rel="noopener noreferrer".
2. nh3 (ammonia) keeps only an allowlist of tags and attributes and only
   http(s), mailto and relative addresses: no script, style, iframe, object,
   svg or event handler can survive, whatever the first layer produced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del",
        "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})
EXTERNAL_REL = "noopener noreferrer"
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Browsers drop these inside and around URLs, so "java\tscript:" is "javascript:".
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff]+")
_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


def is_safe_url(url: str) -> bool:
    """Return whether a link address is relative or uses http, https or mailto."""
    decoded = url
    for _ in range(3):  # entities and percent-escapes, also when nested
        decoded = unquote(html.unescape(decoded))
    squeezed = _IGNORED_BY_BROWSERS.sub("", decoded).lower()
    if squeezed.startswith("\\"):
        return False  # "\\evil.example" is read as "//evil.example" by some browsers
    match = _SCHEME.match(squeezed)
    if match is not None:
        return match.group(1) in ALLOWED_SCHEMES
    # No scheme: a colon before any "/", "?" or "#" would still be read as one.
    head = re.split(r"[/?#]", squeezed, maxsplit=1)[0]
    return ":" not in head


def is_external(url: str) -> bool:
    """Return whether a (safe) address leads to another site."""
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "//"))


def _link_open(renderer: Any, tokens: Sequence[Token], index: int, options: Any, env: Any) -> str:
    """Render a link, marking an external one noopener noreferrer."""
    token = tokens[index]
    if is_external(str(token.attrGet("href") or "")):
        token.attrSet("rel", EXTERNAL_REL)
    return renderer.renderToken(tokens, index, options, env)


def _table_cell(renderer: Any, tokens: Sequence[Token], index: int, options: Any, env: Any) -> str:
    # Column alignment comes as a style attribute, which the sanitiser drops;
    # a class says the same.
    """Render a table cell with its alignment as a class."""
    token = tokens[index]
    match = _ALIGN.search(str(token.attrGet("style") or ""))
    if match is not None:
        token.attrs.pop("style", None)
        token.attrSet("class", f"align-{match.group(1)}")
    return renderer.renderToken(tokens, index, options, env)


def _make_parser() -> MarkdownIt:
    """Return the CommonMark parser with tables, strikethrough and the strict link check."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    parser.enable("strikethrough")
    parser.validateLink = is_safe_url  # type: ignore[method-assign]
    parser.add_render_rule("link_open", _link_open)
    parser.add_render_rule("th_open", _table_cell)
    parser.add_render_rule("td_open", _table_cell)
    return parser


_PARSER = _make_parser()


def sanitise(fragment: str) -> str:
    """Return an HTML fragment with only the allowed tags, attributes and addresses."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "svg", "math", "template"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={"a": {"rel": {EXTERNAL_REL}}},
        allowed_classes={"th": set(ALIGN_CLASSES), "td": set(ALIGN_CLASSES)},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def _html(text: str) -> str:
    """Render Markdown with its top heading level moved to h2 (the page title is the h1)."""
    env: dict = {}
    tokens = _PARSER.parse(text, env)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if levels:
        shift = 2 - min(levels)
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return _PARSER.renderer.render(tokens, _PARSER.options, env)


def render_markdown(text: str) -> Markup:
    """Return Markdown as safe HTML, ready to place in a template."""
    if not text:
        return Markup("")
    return Markup(sanitise(_html(text)))  # noqa: S704 - sanitised just above


def plain_text(text: str) -> str:
    """Return the words of a Markdown text without any markup (for search and summaries)."""
    if not text:
        return ""
    stripped = nh3.clean(_html(text), tags=set(), clean_content_tags={"script", "style"})
    return " ".join(html.unescape(stripped).split())
