"""The start page ``/``: one card per quarter with outline, figures and links.

German first, ``?lang=en`` for English; every word of the page is in ``TEXTS`` below (the
figures bring their own words from ``mapservice.figures.labels``). All cards come from two
queries — outlines with names, then the counted facts of every quarter — so the page stays
fast however many quarters a city has. Counts follow the caller's role: a browser without a
token is the public and sees figures of published entries only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection

from mapservice.access import Viewer
from mapservice.api.deps import CatalogDep, EngineDep, ViewerDep
from mapservice.catalog import Catalog
from mapservice.figures import FIGURES_CSS, all_figures, kind_colours, labels, summaries
from mapservice.figures.charts import kind_series, kinds_bar
from mapservice.figures.outline import fetch_cards
from mapservice.figures.queries import scope_of
from mapservice.figures.svg import swatch

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[1] / "templates"),
    autoescape=select_autoescape(["html"]),
)

router = APIRouter(include_in_schema=False)

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Karte der Nachhaltigkeit – Quartiere",
        "heading": "Karte der Nachhaltigkeit",
        "intro": "Stärken, Probleme, Potenziale und Ideen aus Quartiersbegehungen und "
        "Interviews – ökologisch, ökonomisch, sozial.",
        "scope_public": "Gezählt werden freigegebene Beobachtungen und Aussagen.",
        "scope_field": "Gezählt werden freigegebene und Ihre eigenen Beobachtungen.",
        "scope_all": "Gezählt werden alle Einträge, auch nicht freigegebene.",
        "other_lang": "English",
        "other_lang_code": "en",
        "quarters": "Quartiere",
        "demo": "Demo",
        "demo_title": "Synthetische Beispieldaten",
        "outline": "Umriss des Quartiers {name}, {area} km²",
        "kinds_caption": "Einträge nach Art",
        "kind": "Art",
        "skip": "Zum Inhalt",
        "observations": "Beobachtungen",
        "findings": "Aussagen",
        "total": "Summe",
        "last_walk": "Letzte Begehung",
        "no_walk": "noch keine",
        "walks": "Begehungen",
        "links": "Links zu {name}",
        "map": "Karte",
        "embed": "Einbetten",
        "public_view": "Öffentliche Ansicht",
        "data": "Daten (OGC API)",
        "json": "Zahlen (JSON)",
        "of": "von",
        "figures": "Zahlen",
        "empty": "Noch keine Quartiere. Demodaten laden mit: karte demo load",
        "api": "Schnittstellen",
        "api_docs": "API-Dokumentation",
        "ogc": "OGC API Features",
    },
    "en": {
        "title": "Sustainability map – quarters",
        "heading": "Sustainability map",
        "intro": "Strengths, problems, potentials and ideas from quarter walkthroughs and "
        "interviews – ecological, economic, social.",
        "scope_public": "Counting published observations and findings.",
        "scope_field": "Counting published observations and your own.",
        "scope_all": "Counting all entries, including unpublished ones.",
        "other_lang": "Deutsch",
        "other_lang_code": "de",
        "quarters": "Quarters",
        "demo": "Demo",
        "demo_title": "Synthetic example data",
        "outline": "Outline of the quarter {name}, {area} km²",
        "kinds_caption": "Entries by kind",
        "kind": "Kind",
        "skip": "Skip to content",
        "observations": "Observations",
        "findings": "Findings",
        "total": "Total",
        "last_walk": "Last walkthrough",
        "no_walk": "none yet",
        "walks": "walkthroughs",
        "links": "Links for {name}",
        "map": "Map",
        "embed": "Embed",
        "public_view": "Public view",
        "data": "Data (OGC API)",
        "json": "Figures (JSON)",
        "of": "of",
        "figures": "Figures",
        "empty": "No quarters yet. Load the demo with: karte demo load",
        "api": "Interfaces",
        "api_docs": "API documentation",
        "ogc": "OGC API Features",
    },
}


def render_start_page(conn: Connection, catalog: Catalog, viewer: Viewer, lang: str) -> str:
    """The whole page as HTML, from two queries (cards with outlines, facts of all quarters)."""
    lang = labels.lang_of(lang)
    text = TEXTS[lang]
    colours = kind_colours(catalog)
    quarters = fetch_cards(conn)
    cards: list[dict[str, Any]] = []
    for quarter, summary in zip(
        quarters, summaries(conn, catalog, viewer, lang, quarters=quarters), strict=True
    ):
        area = labels.number(quarter["area_km2"], lang, 2)
        cards.append(
            {
                "q": quarter,
                "s": summary,
                "outline": quarter["outline"].svg(
                    text["outline"].format(name=quarter["name"], area=area)
                ),
                "kinds_bar": kinds_bar(summary, lang, colours),
                "figures": all_figures(summary, lang, colours),
                "last_walk": labels.day(summary.last_walkthrough, lang),
            }
        )
    return TEMPLATES.get_template("start.html").render(
        cards=cards,
        lang=lang,
        t=text,
        n=lambda value: labels.number(value, lang),
        scope=text[f"scope_{scope_of(viewer)}"],
        suffix="?lang=en" if lang == "en" else "",
        css=FIGURES_CSS,
        swatches={s.key: swatch(s.colour, s.mark, s.ink) for s in kind_series(lang, colours)},
    )


@router.get("/", response_class=HTMLResponse)
def start_page(
    engine: EngineDep,
    catalog: CatalogDep,
    viewer: ViewerDep,
    lang: Annotated[str, Query(max_length=8)] = "de",
) -> HTMLResponse:
    with engine.connect() as conn:
        html = render_start_page(conn, catalog, viewer, lang)
    return HTMLResponse(html)
