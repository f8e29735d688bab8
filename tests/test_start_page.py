"""The start page ``/``: one card per quarter, German first, accessible, two queries."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy import Engine, event

from mapservice.access import PUBLIC
from mapservice.api.pages import render_start_page
from mapservice.catalog import load_catalog
from mapservice.config import Settings
from tests.test_summary_data import FiguresQuarter, build_figures_quarter


@pytest.fixture(scope="module")
def fq(engine: Engine) -> FiguresQuarter:
    return build_figures_quarter(engine)


def card(html: str, slug: str) -> str:
    """The ``<article>`` of one quarter."""
    match = re.search(rf'<article class="card" aria-labelledby="q-{slug}">.*?</article>', html,
                      re.S)  # fmt: skip
    assert match, f"no card for {slug}"
    return match.group(0)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def test_card_shows_name_city_demo_outline_counts_and_links(
    http: httpx.Client, fq: FiguresQuarter
) -> None:
    response = http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="de">' in html
    assert "<title>Karte der Nachhaltigkeit – Quartiere</title>" in html
    one = card(html, fq.slug)
    assert f'<h2 id="q-{fq.slug}">{fq.name}</h2>' in one
    assert "München" in one and '<span class="badge"' in one and ">Demo<" in one
    assert "Demo" not in card(html, fq.empty_slug).split("</h2>")[1].split("<table")[0]
    # the outline: valid SVG with a path, labelled for screen readers
    outline = re.search(r'<svg [^>]*class="karte-outline".*?</svg>', one, re.S)
    assert outline, "no outline"
    svg = ET.fromstring(outline.group(0))
    path = svg.find("{http://www.w3.org/2000/svg}path")
    assert path is not None and path.get("d", "").startswith("M")
    assert svg.get("role") == "img" and "Umriss" in (svg.get("aria-label") or "")
    # counts by kind as published (public): 1 strength, 1+1 problem, 0 potential, 1+1 idea
    words = text_of(one)
    assert "Stärke 1 1" in words and "Problem 1 1" in words and "Potenzial 0 0" in words
    assert "Summe 3 3" in words
    assert '<time datetime="2026-05-04">04.05.2026</time>' in one and "2 Begehungen" in one
    for href in (f"/maps/{fq.slug}", f"/maps/{fq.slug}/share", f"/embed/{fq.slug}",
                 "/ogc/collections", f"/api/quarters/{fq.slug}/summary"):  # fmt: skip
        assert f'href="{href}"' in one, href


def test_english_page(http: httpx.Client, fq: FiguresQuarter) -> None:
    html = http.get("/", params={"lang": "en"}).text
    assert '<html lang="en">' in html and "<title>Sustainability map – quarters</title>" in html
    one = card(html, fq.slug)
    words = text_of(one)
    assert "Strength 1 1" in words and "Last walkthrough" in words
    assert "4 May 2026" in one
    assert f'href="/maps/{fq.slug}?lang=en"' in one
    assert "Beobachtungen" not in one


def test_planner_token_counts_everything(http: httpx.Client, fq: FiguresQuarter) -> None:
    html = http.get("/", headers=FiguresQuarter.auth(fq.planner)).text
    assert "Summe 6 5" in text_of(card(html, fq.slug))


class Outline(HTMLParser):
    """Collects headings and link texts, as a screen reader's lists would."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.links: list[str] = []
        self._open: str | None = None
        self._buf: list[str] = []
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self._svg += 1
        if tag in ("h1", "h2", "a"):
            self._open, self._buf = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        if tag == self._open:
            target = self.links if tag == "a" else self.headings
            target.append(f"{tag}:" * (tag != "a") + " ".join("".join(self._buf).split()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._svg:
            self._buf.append(data)


def test_accessible_structure(http: httpx.Client, fq: FiguresQuarter) -> None:
    html = http.get("/").text
    parsed = Outline()
    parsed.feed(html)
    assert parsed.headings[0] == "h1:Karte der Nachhaltigkeit"
    assert f"h2:{fq.name}" in parsed.headings
    assert all(h.startswith("h2:") for h in parsed.headings[1:])
    # link texts name their quarter, so a list of links still says where each goes
    assert f"Karte von {fq.name}" in parsed.links
    assert f"Einbetten – {fq.name}" in parsed.links
    assert all(link.strip() for link in parsed.links)
    # every chart is hidden from screen readers and has a table with the same numbers
    one = card(html, fq.slug)
    charts = re.findall(r'<svg [^>]*class="karte-chart"[^>]*>', one)
    assert charts and all('aria-hidden="true"' in c for c in charts)
    assert one.count("<table") >= 4  # kinds + three figures
    assert 'scope="col"' in one and 'scope="row"' in one
    for svg in re.findall(r"<svg .*?</svg>", one, re.S):
        ET.fromstring(svg)  # well-formed


@pytest.fixture()
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_two_queries_for_all_cards(
    engine: Engine, settings: Settings, fq: FiguresQuarter, statements: list[str]
) -> None:
    catalog = load_catalog(settings.layers_dir)
    with engine.connect() as conn:
        statements.clear()
        html = render_start_page(conn, catalog, PUBLIC, "de")
    assert html.count('<article class="card"') >= 2
    assert len(statements) == 2, statements


def test_start_page_answers_the_same_when_asked_again(
    http: httpx.Client, demo_loaded: dict[str, int]
) -> None:
    """Repeated requests (served from the memoised figures) say the same; its speed is
    measured in bench/bench_maps.py, not here."""
    first = http.get("/")
    assert first.status_code == 200 and "bochum-hamme" in first.text
    for _ in range(3):
        again = http.get("/")
        assert again.status_code == 200 and again.text == first.text
