"""Card markdown renders inert: no script, no event handler, no script URL survives."""

from __future__ import annotations

import pytest

from assetscout.search.web.markdown import MAX_CARD_CHARS, render_card, safe_url, strip_front_matter

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">a</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://example.com"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "![x](javascript:alert(1))",
    '[x](https://ok.example.com "a\\" onmouseover=\\"alert(1)")',
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_render_as_text(attack: str, parse_html) -> None:
    html = render_card(f"before\n\n{attack}\n\nafter").html
    for tag, attrs in parse_html(html).tags:
        assert tag not in ("script", "img", "iframe", "svg", "div", "object", "embed", "style"), (attack, html)
        assert not any(name.startswith("on") or name == "style" for name in attrs), (attack, html)
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("https://", "http://", "mailto:")), (attack, html)
    assert "before" in html and "after" in html


def test_markdown_still_renders() -> None:
    html = render_card("# Title\n\n**bold** and a [link](https://example.com/x)\n\n| a | b |\n|---|---|\n| 1 | 2 |").html
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html and "<table>" in html
    assert 'href="https://example.com/x"' in html and 'rel="nofollow noopener noreferrer"' in html


def test_images_become_links_and_front_matter_is_dropped() -> None:
    html = render_card("---\nlicense: mit\n---\n![chart](https://x.example.com/c.png)").html
    assert "<img" not in html and "[image: chart]" in html and "license" not in html
    assert strip_front_matter("---\na: 1\n---\nbody") == "body"


def test_relative_links_and_long_cards() -> None:
    assert "href" not in render_card("[readme](./README.md)").html
    card = render_card("word " * (MAX_CARD_CHARS // 4))
    assert card.truncated and render_card("").html == ""


@pytest.mark.parametrize("url,ok", [("https://a.b/c", True), ("http://a", True), ("mailto:x@y.z", True),
                                    ("javascript:alert(1)", False), ("https:evil", False), ("//a.b", False),
                                    ("java\nscript:alert(1)", False), ("/assets/x", False)])
def test_safe_url(url: str, ok: bool) -> None:
    assert safe_url(url) is ok
