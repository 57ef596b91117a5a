"""The HTML cleaner: real XSS payloads come out harmless, ordinary Markdown comes out intact."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referater.cmark import render_html
from referater.sanitize import _clean_with_nh3, _kept_as_is, clean_html, is_external

PAYLOAD_FILE = Path(__file__).parent / "fixtures" / "xss_payloads.txt"
_ESCAPES = {"\\x00": "\x00", "\\x01": "\x01", "\\x0e": "\x0e", "\\t": "\t", "\\n": "\n"}


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        for escape, char in _ESCAPES.items():
            line = line.replace(escape, char)
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()

FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "frame", "object", "embed", "applet", "form", "input", "button",
    "meta", "base", "link", "svg", "math", "img", "video", "audio", "source", "body", "isindex",
    "textarea", "template", "noscript", "xmp", "details",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "poster",
    "xlink:href",
    "srcdoc",
}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(fragment: str) -> Collector:
    collector = Collector()
    collector.feed(fragment)
    collector.close()
    return collector


def scheme_of(value: str) -> str:
    """The URL as a browser reads its scheme: entities decoded, whitespace and control characters dropped."""
    decoded = html.unescape(html.unescape(value))
    kept = "".join(ch for ch in decoded if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")))
    return kept.lower()


def assert_harmless(output: str) -> None:
    parsed = parse(output)
    assert not parsed.comments, output
    for tag, attrs in parsed.elements:
        assert tag not in FORBIDDEN_ELEMENTS, output
        for name, value in attrs:
            assert not name.startswith("on"), output
            assert name not in {"style", "id", "class", "target", "srcdoc"}, output
            if name in URL_ATTRIBUTES and value is not None:
                assert not scheme_of(value).startswith(BAD_SCHEMES), output
    assert not re.search(r"<\s*/?\s*(script|iframe|svg|math|style)", output, re.IGNORECASE), output


def test_fixture_has_enough_payloads() -> None:
    assert len(PAYLOADS) >= 40
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_through_markdown_is_harmless(payload: str) -> None:
    rendered = markdown.markdown(payload, extensions=["sane_lists"])
    assert_harmless(clean_html(rendered, base_host="referater.example.dk"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_raw_payload_is_harmless(payload: str) -> None:
    assert_harmless(clean_html(payload))


def test_the_checker_itself_catches_dangerous_html() -> None:
    """Guard against a checker that cannot fail."""
    for bad in (
        "<script>x</script>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href=" DATA:text/html,x">x</a>',
        '<p onclick="x">x</p>',
        '<p style="color:red">x</p>',
        "<svg></svg>",
    ):
        with pytest.raises(AssertionError):
            assert_harmless(bad)


# ---- links ------------------------------------------------------------------------------------------------


def anchors(output: str) -> list[dict[str, str | None]]:
    return [dict(attrs) for tag, attrs in parse(output).elements if tag == "a"]


def test_external_link_gets_rel_and_keeps_title() -> None:
    out = clean_html('<p><a href="https://www.sst.dk/da" title="SST">SST</a></p>', base_host="referater.dk")
    assert anchors(out) == [{"href": "https://www.sst.dk/da", "title": "SST", "rel": "noopener noreferrer"}]


@pytest.mark.parametrize(
    "href",
    ["/fyn/", "2023-12-05.html", "#punkt-1", "?q=a", "https://referater.dk/fyn/", "HTTPS://Referater.DK/x"],
)
def test_internal_links_get_no_rel(href: str) -> None:
    out = clean_html(f'<a href="{href}">x</a>', base_host="referater.dk:443")
    (attrs,) = anchors(out)
    assert attrs["href"] == href
    assert "rel" not in attrs


@pytest.mark.parametrize(
    "href", ["//evil.example/x", "/\\evil.example/x", "https:evil.example", "http://referater.dk.evil/"]
)
def test_sneaky_absolute_links_count_as_external(href: str) -> None:
    out = clean_html(f'<a href="{href}">x</a>', base_host="referater.dk")
    (attrs,) = anchors(out)
    assert attrs.get("rel") == "noopener noreferrer"


def test_without_base_host_every_absolute_link_is_external() -> None:
    (attrs,) = anchors(clean_html('<a href="https://referater.dk/">x</a>'))
    assert attrs["rel"] == "noopener noreferrer"


def test_mailto_kept_without_rel() -> None:
    (attrs,) = anchors(clean_html('<a href="mailto:sekretariat@rsyd.dk">mail</a>', "referater.dk"))
    assert attrs == {"href": "mailto:sekretariat@rsyd.dk"}


def test_user_rel_and_target_are_replaced() -> None:
    out = clean_html('<a href="https://x.example" rel="opener" target="_blank">x</a>', "referater.dk")
    assert anchors(out) == [{"href": "https://x.example", "rel": "noopener noreferrer"}]


def test_ftp_and_other_schemes_lose_their_href() -> None:
    assert anchors(clean_html('<a href="ftp://x.example/f">x</a><a href="file:///etc/passwd">y</a>')) == [
        {},
        {},
    ]


def test_is_external_unit() -> None:
    assert is_external("https://a.dk/", None)
    assert not is_external("page.html", None)
    assert not is_external("mailto:a@b.dk", "a.dk")
    assert is_external("https://b.dk/", "a.dk")
    assert not is_external("https://a.dk/", "a.dk")


# ---- ordinary content survives ----------------------------------------------------------------------------

REFERAT = """\
Fagligt Strategisk Niveau **godkendte** indstillingen med *enkelte* ændringer:

- Indsats 1: Lægedækning
- Indsats 2: Se [Sundhedsstyrelsen](https://www.sst.dk "SST") og [punkt 3](#punkt-3)

3. tredje
4. fjerde

> Citat fra Bo Libergren (V) & co.

#### Underoverskrift

| Kommune | Beløb |
|---|---:|
| Esbjerg | 1.200.000 kr. |

<sup>1</sup> <sub>2</sub> <del>slettet</del> <abbr title="Det Nationale Ledelsesprogram">DNLP</abbr>

`kode` og <b>fed</b> <i>kursiv</i><br>ny linje

---

    præformateret tekst
"""


def test_rendered_markdown_survives() -> None:
    rendered = markdown.markdown(REFERAT, extensions=["sane_lists", "tables"])
    out = clean_html(rendered, base_host="referater.dk")
    tags = [tag for tag, _ in parse(out).elements]
    expected = (
        "p strong em ul ol li a blockquote h4 table thead tbody tr th td sup sub del abbr code b i br hr pre"
    )
    for tag in expected.split():
        assert tag in tags, f"{tag} lost in {out}"
    assert '<ol start="3">' in out
    assert "Lægedækning" in out and "&amp; co." in out and "1.200.000 kr." in out
    assert '<abbr title="Det Nationale Ledelsesprogram">DNLP</abbr>' in out
    assert '<a href="#punkt-3">punkt 3</a>' in out
    assert '<a href="https://www.sst.dk" title="SST" rel="noopener noreferrer">Sundhedsstyrelsen</a>' in out


def test_templates_own_big_headings_ids_and_classes() -> None:
    out = clean_html(
        '<h1 id="x">Titel</h1><h2 class="c">Punkt</h2><h3>Afsnit</h3><p class="lead" id="y">t</p>'
    )
    assert out == "TitelPunktAfsnit<p>t</p>"


def test_ol_start_must_be_a_number() -> None:
    assert clean_html('<ol start="3"><li>a</li></ol>') == '<ol start="3"><li>a</li></ol>'
    assert clean_html('<ol start="3x"><li>a</li></ol>') == "<ol><li>a</li></ol>"


def test_text_that_looks_like_markup_stays_escaped() -> None:
    assert clean_html("<p>1 &lt; 2 &amp; &lt;script&gt;</p>") == "<p>1 &lt; 2 &amp; &lt;script&gt;</p>"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_never_emits_script(text: str) -> None:
    out = clean_html(text, base_host="referater.dk")
    assert_harmless(out)


# The sections nh3 is skipped for (sanitize._kept_as_is) must come out exactly as nh3 writes them.
_NAMES = ("p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "h4", "del", "table", "thead", "tbody", "tr", "td", "a")  # fmt: skip
_FAST_TAGS = [
    *(f"<{c}{t}>" for t in (*_NAMES, "h5", "h6", "th") for c in ("", "/")),
    '<ol start="3">', '<a href="/klynger/fyn/">', '<br />', '<hr />', '<h3>', '<a href="https://x.dk/">',
]  # fmt: skip
_FAST_TEXT = ["x", " ", "\n", "\t", "&amp;", "&quot;", "&lt;", "&gt;", '"', "'", "æ", "8. maj", "&", "\xa0"]


# Trees of the kept elements in any nesting (most of them not as cmark nests them), text between them
_TREES = st.recursive(
    st.sampled_from(_FAST_TEXT),
    lambda children: st.builds(
        lambda name, inner: f"<{name}>{''.join(inner)}</{name}>",
        st.sampled_from(_NAMES),
        st.lists(children, max_size=3),
    ),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_FAST_TAGS + _FAST_TEXT), max_size=14) | st.lists(_TREES, max_size=3))
def test_html_kept_as_is_is_what_nh3_writes(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert clean_html(text, "referater.dk") == _clean_with_nh3(text, "referater.dk")


MARKDOWN_PIECES = [
    "Tekst med *kursiv*, **fed**, `kode` og ~~slettet~~.",
    "- et\n- to\n  - tre",
    "3. tre\n4. fire",
    "1. et\n\n   afsnit\n2. to",
    "> citat\n>\n> - punkt",
    "#### Lille overskrift",
    "# Stor overskrift",
    "    kode\n    blok",
    "```\n\nkode med tom linje først\n```",
    "```python\nx = 1\n```",
    "| a | b |\n|---|--:|\n| 1 | 2 |",
    "| a |\n|---|",
    "Citat: \"sådan\" & 'sådan' <ikke html>",
    "[intern](/klynger/fyn/) og [ekstern](https://sst.dk) og www.sst.dk",
    "Linje  \nmed hårdt linjeskift",
    "---",
    "&nbsp;&copy;&#169; og \u00a0",
    "![billede](/x.png)",
    "Fodnote[^1]\n\n[^1]: her",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES), min_size=1, max_size=5))
def test_rendered_sections_kept_as_is_are_what_nh3_writes(pieces: list[str]) -> None:
    html_text = render_html("\n\n".join(pieces))
    assert clean_html(html_text, "referater.dk") == _clean_with_nh3(html_text, "referater.dk")


def test_plain_sections_skip_nh3_and_others_do_not() -> None:
    assert _kept_as_is(render_html('Et "citat" & *mere*\n\n- a\n- b\n\n| a |\n|---|\n| 1 |'))
    assert _kept_as_is('<p>se <a href="/klynger/fyn/">Sundhedsklynge Fyn</a></p>\n')
    for html_text in (
        '<p><a href="https://sst.dk">x</a></p>',  # an external link gets its rel from the cleaner
        "<p>a<br />\nb</p>",
        "<h2>Punkt</h2>",
        "<p>x<script>alert(1)</script></p>",
        "<p>x</p><!-- c -->",
        "<p>1 < 2</p>",
        "<em><p>x</p></em>",
        "<td>x</td>",
        "<pre>\nx</pre>",
        "<table>x<tr><td>1</td></tr></table>",
    ):
        assert not _kept_as_is(html_text), html_text
