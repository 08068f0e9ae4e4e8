"""Markdown is rendered safely: no script, handler or dangerous address survives any construct."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.knowledge.markdown import is_safe_url, plain_text, render_markdown

DANGEROUS_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "jav%09ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;script:alert(1)",
    "javascript&colon;alert(1)",
    " javascript:alert(1)",
    "\\x01javascript:alert(1)",
    "java\u200bscript:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "file:///etc/passwd",
    "%6A%61%76%61%73%63%72%69%70%74:alert(1)",
]

# Each construct with {url} where an address goes, or {html} where raw HTML goes.
URL_CONSTRUCTS = {
    "inline link": "[klik her]({url})",
    "link with title": '[klik]({url} "titel")',
    "angle-bracket link": "[klik](<{url}>)",
    "image": "![billede]({url})",
    "autolink": "<{url}>",
    "reference link": "[klik][ref]\n\n[ref]: {url}",
    "reference image": "![billede][ref]\n\n[ref]: {url}",
    "link in a heading": "## Se [her]({url})",
    "link in emphasis": "*[her]({url})* og **[der]({url})**",
    "link in a table": "| a | b |\n|---|---|\n| [x]({url}) | y |",
    "link in a list": "- [x]({url})\n- y",
    "link in a quote": "> [x]({url})",
}
HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)><circle/></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    '<object data="x.swf"></object>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<details open ontoggle="alert(1)">',
]
HTML_CONSTRUCTS = {
    "raw html block": "{html}\n\nefter",
    "raw html inline": "Tekst {html} mere tekst",
    "code span": "`{html}`",
    "code block": "```\n{html}\n```",
    "heading": "# {html}",
    "emphasis": "*{html}* og **{html}**",
    "table cell": "| a | b |\n|---|---|\n| {html} | y |",
    "list item": "- {html}",
    "link text": "[{html}](https://example.org)",
    "image alt": "![{html}](/billede.png)",
}

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip


class _Elements(HTMLParser):
    """Collect the elements and attributes a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def assert_harmless(html: str) -> None:
    """Fail if ``html`` could run script, style the page or load a dangerous address."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    for tag, attributes in parser.elements:
        assert tag in ALLOWED_TAGS, html
        for name, value in attributes:
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in ("href", "src"):
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                assert not squeezed.startswith(("javascript", "vbscript", "data", "file")), html
                assert is_safe_url(value or ""), html


@pytest.mark.parametrize("construct", URL_CONSTRUCTS)
@pytest.mark.parametrize("url", DANGEROUS_URLS)
def test_dangerous_addresses_never_become_links(construct: str, url: str) -> None:
    html = str(render_markdown(URL_CONSTRUCTS[construct].format(url=url)))

    assert_harmless(html)
    assert "<a " not in html and "<img" not in html, html


@pytest.mark.parametrize("construct", HTML_CONSTRUCTS)
@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_raw_html_is_shown_as_text_never_as_markup(construct: str, payload: str) -> None:
    html = str(render_markdown(HTML_CONSTRUCTS[construct].format(html=payload)))

    assert_harmless(html)
    assert "<script" not in html.lower()


def test_ordinary_markdown_keeps_its_formatting() -> None:
    source = (
        "# Overskrift\n\nEn **fed** og *kursiv* tekst med `kode`.\n\n"
        "- punkt et\n- punkt to\n\n1. første\n2. anden\n\n> citat\n\n---\n\n"
        "| Navn | Antal |\n|:-----|------:|\n| Æbler | 3 |\n"
    )
    html = str(render_markdown(source))

    assert "<h2>Overskrift</h2>" in html  # the page title is the only h1
    assert "<strong>fed</strong>" in html and "<em>kursiv</em>" in html
    assert "<code>kode</code>" in html
    assert "<ul>" in html and "<ol>" in html and "<blockquote>" in html and "<hr>" in html
    assert '<th class="align-left">Navn</th>' in html
    assert '<td class="align-right">3</td>' in html
    assert "<h1" not in html


def test_external_links_get_noopener_and_internal_ones_do_not() -> None:
    html = str(
        render_markdown(
            "[ude](https://www.sst.dk/ensomhed) [hjemme](/viden/besoegsven) "
            "[mail](mailto:viden@example.org)"
        )
    )

    assert '<a href="https://www.sst.dk/ensomhed" rel="noopener noreferrer">ude</a>' in html
    assert '<a href="/viden/besoegsven">hjemme</a>' in html
    assert '<a href="mailto:viden@example.org">mail</a>' in html


def test_protocol_relative_links_count_as_external() -> None:
    html = str(render_markdown("[x](//evil.example/side)"))

    assert 'rel="noopener noreferrer"' in html


def test_plain_text_drops_markup_for_the_search_index() -> None:
    assert plain_text("## Hej & farvel\n\nDet er *godt* [her](https://x.dk)") == (
        "Hej & farvel Det er godt her"
    )


def test_the_top_heading_level_of_a_text_becomes_h2() -> None:
    assert str(render_markdown("## Afsnit\n\n### Under")) == "<h2>Afsnit</h2>\n<h3>Under</h3>\n"
    assert str(render_markdown("# Afsnit\n\n## Under")) == "<h2>Afsnit</h2>\n<h3>Under</h3>\n"
