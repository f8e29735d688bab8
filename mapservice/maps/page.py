"""Compose a quarter's map page: data → folium map → our Jinja template → HTML (< 100 KB).

One builder serves three modes that differ only in chrome and URLs:
``maps`` (the full page at /maps/{quarter}, planners can sign in), ``embed`` (one-line header,
folded sidebar, public data only) and ``static`` (the export: relative URLs, data files
instead of endpoints). What the page *contains* is always the same, so the three never drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape

from mapservice.assets import AssetStore
from mapservice.catalog import Dimension, Layer, LayerSource
from mapservice.config import Settings
from mapservice.maps.data import Facts, Quarter
from mapservice.maps.figures import dimension_chart, participation_chart
from mapservice.maps.i18n import Lang, format_date, format_int, js_texts, texts
from mapservice.maps.spec import Basemap, MapSpec
from mapservice.maps.style import fa_class, kind_entries, layer_config, layer_group
from mapservice.maps.timefilter import extra_js_texts, extra_texts, sdg_legend, sdg_style

Mode = Literal["maps", "embed", "static"]
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-Mitwirkende'
)

TEMPLATES = Environment(
    loader=PackageLoader("mapservice.maps", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class ViewChoice(Protocol):
    """A saved view (``?ansicht=``, mapservice/workspace/views/shared.py), as the page uses it.

    A protocol so the map pages need not import the workspace: the router resolves the view.
    """

    id: str
    name: str

    def active(self, visible: list[Layer]) -> list[str]: ...

    def client(self, visible: list[Layer]) -> dict[str, Any]: ...

    def csp_origins(self) -> dict[str, list[str]]: ...


@dataclass(frozen=True)
class PageInput:
    """Everything one page render needs; built by the router or the static export."""

    mode: Mode
    lang: Lang
    quarter: Quarter
    layers: list[Layer]  # the layers this viewer may see, in catalogue order
    active: list[str]  # the layers shown at first
    counts: dict[str, dict[str, int]]
    facts: Facts
    settings: Settings
    assets: AssetStore
    urls: dict[str, str]  # tile, items, counts, list, session, photos, full, share …
    asset_base: str = "/assets"
    period: tuple[str, str] | None = None
    view: ViewChoice | None = None  # a saved view: its layers, filters, extent, overlays
    rounds: tuple[dict[str, str], ...] = ()  # the quarter's Begehungsrunden (time filter)
    sdg: int | None = None  # ?sdg=11: only the layers tagged with this goal
    sdg_choices: tuple[dict[str, Any], ...] = ()  # goals of all layers the viewer may see
    #: the measures' Umsetzungsstand (mapservice.programme.status.Implementation), public
    implementation: Any = None


def basemaps(settings: Settings, mode: Mode, t: dict[str, str]) -> list[Basemap]:
    """The configured basemap first; planners (``maps``) may also switch to OpenStreetMap.

    The embed offers only the configured basemap, so an embedding site can promise its
    visitors that no host but ours and the basemap it chose is contacted.
    """
    if not settings.basemap_url:
        return []
    is_osm = "tile.openstreetmap.org" in settings.basemap_url
    default_attr = settings.basemap_attribution == "© OpenStreetMap-Mitwirkende"
    attribution = (
        OSM_ATTRIBUTION if is_osm and default_attr else escape(settings.basemap_attribution)
    )
    main = Basemap(
        "osm" if is_osm else "city",
        t["base_osm"] if is_osm else t["base_city"],
        settings.basemap_url,
        attribution,
    )
    if is_osm or mode != "maps":
        return [main]
    return [main, Basemap("osm", t["base_osm"], OSM_URL, OSM_ATTRIBUTION)]


def sidebar_groups(page: PageInput, t: dict[str, str]) -> list[dict[str, Any]]:
    """Layer rows grouped as the sidebar shows them: three dimensions, then the rest."""
    labels = {"more": t["more_layers"], "reference": t["reference"]}
    groups: dict[str, dict[str, Any]] = {}
    for layer in page.layers:
        gid = layer_group(layer)
        label = labels.get(gid) or layer.dimension.label(page.lang)
        group = groups.setdefault(gid, {"id": gid, "label": label, "layers": [], "open": False})
        counts = page.counts.get(layer.id, {})
        group["layers"].append(
            {
                "id": layer.id,
                "title": layer.title(page.lang),
                "icon": fa_class(layer.icon),
                "active": layer.id in page.active,
                "count": format_int(sum(counts.values()), page.lang),
            }
        )
        group["open"] = group["open"] or layer.id in page.active
    order = ["ökologisch", "ökonomisch", "sozial", "more", "reference"]
    return sorted(groups.values(), key=lambda g: order.index(g["id"]))


def legend_extras(page: PageInput) -> list[dict[str, str]]:
    """Legend rows beyond the kinds: tracks, street-level findings, reference glyphs."""
    t, out = texts(page.lang), []
    for layer in page.layers:
        if layer.source == LayerSource.WALKTHROUGHS:
            for key, entry in layer.legend.items():
                line = "legend-line" if key == "track" else ""
                icon = fa_class(entry.symbol or layer.icon)
                out.append({"label": entry.label(page.lang), "line": line, "icon": icon})
        elif layer.source == LayerSource.FINDINGS:
            out.append(
                {
                    "label": f"{layer.title(page.lang)}: {t['street_level']}",
                    "line": "legend-band",
                    "icon": "",
                }
            )
        elif layer.source == LayerSource.REFERENCE:
            out.append({"label": layer.title(page.lang), "line": "", "icon": fa_class(layer.icon)})
    return out


def facts_line(page: PageInput, t: dict[str, str]) -> str:
    """ "312 Beobachtungen · 41 Aussagen · 6 Begehungen · Stand 04.05.2026"."""
    obs = sum(
        sum(page.counts.get(layer.id, {}).values())
        for layer in page.layers
        if layer.source == LayerSource.OBSERVATIONS
    )
    findings = sum(
        sum(page.counts.get(layer.id, {}).values())
        for layer in page.layers
        if layer.source == LayerSource.FINDINGS
    )
    lang = page.lang
    parts = [
        f"{format_int(obs, lang)} {t['observations']}",
        f"{format_int(findings, lang)} {t['findings']}",
        f"{format_int(len(page.facts.walks), lang)} {t['walkthroughs']}",
    ]
    if page.facts.as_of:
        parts.append(f"{t['as_of']} {format_date(page.facts.as_of, lang)}")
    return " · ".join(parts)


def client_config(page: PageInput, kinds: list[dict[str, str]], base: str) -> dict[str, Any]:
    """The inline configuration of the browser client (small: no features, only settings)."""
    walks = {
        w.id: {
            "t": w.title,
            "d": w.started_at.date().isoformat() if w.started_at else None,
            "g": [g for g, n in w.groups.items() if n],
            "s": [round(w.start[0], 6), round(w.start[1], 6)] if w.start else None,
            "c": i,
        }
        for i, w in enumerate(page.facts.walks)
    }
    q = page.quarter
    return {
        "mode": page.mode,
        "static": page.mode == "static",
        "lang": page.lang,
        "quarter": {
            "slug": q.slug,
            "name": q.name,
            "bbox": [round(v, 6) for v in q.bbox],
            "anchor": [round(v, 6) for v in q.anchor],
        },
        "urls": page.urls,
        "kinds": kinds,
        "dimensions": [{"id": d.value, "label": d.label(page.lang)} for d in Dimension],
        "walks": walks,
        "counts": page.counts,
        "active": page.active,
        "base": base,
        "texts": {**js_texts(page.lang), **extra_js_texts(page.lang)},
        "sdg": page.sdg,
        "view": page.view.client(page.layers) if page.view is not None else None,
    }


def render_map_page(page: PageInput) -> str:
    """The HTML of one map page (see module docstring for the modes)."""
    # folium (with branca, requests and pandas: ~45 MB) is loaded by the first map page, not
    # by every worker that imports the routers
    from mapservice.maps.folium_map import build_map

    t = texts(page.lang)
    kinds = kind_entries(page.layers, page.lang)
    bases = basemaps(page.settings, page.mode, t)
    base = bases[0].id if bases else "none"
    vendor = (
        "leaflet.js",
        "leaflet.css",
        "fontawesome.css",
        "fa-solid.css",
        "fullscreen.js",
        "fullscreen.css",
        "locate.js",
        "locate.css",
    )
    parts = build_map(
        MapSpec(
            bbox=page.quarter.bbox,
            outline=page.quarter.outline,
            bases=bases,
            layers=[layer_config(layer, page.lang) for layer in page.layers],
            texts=t,
            asset_urls={name: page.assets.url(name, page.asset_base) for name in vendor},
        )
    )
    own = {
        "css": page.assets.url("karte.css", page.asset_base),
        "map_js": page.assets.url("karte-map.js", page.asset_base),
        "popup_js": page.assets.url("karte-popup.js", page.asset_base),
        "ui_js": page.assets.url("karte-ui.js", page.asset_base),
        "keys_js": page.assets.url("karte-keys.js", page.asset_base),
        "figures_js": page.assets.url("karte-figures.js", page.asset_base),
        "overlays_js": page.assets.url("karte-overlays.js", page.asset_base),
        "time_js": page.assets.url("karte-time.js", page.asset_base),
        "heat_plugin": page.assets.url("heat.js", page.asset_base),
        "density_css": page.assets.url("karte-density.css", page.asset_base),
        "actors_js": page.assets.url("karte-actors.js", page.asset_base),  # Wer hilft hier?
        "actors_css": page.assets.url("karte-actors.css", page.asset_base),
    }
    pmtiles = pmtiles_head(page)
    charts = [
        dimension_chart(
            [layer for layer in page.layers if layer.id in page.active],
            page.counts,
            kinds,
            page.lang,
        ),
        participation_chart(page.facts, page.lang),
    ]
    links = page_links(page)
    html = TEMPLATES.get_template("map.html").render(
        t=t,
        lang=page.lang,
        mode=page.mode,
        q=page.quarter,
        parts=parts,
        config=client_config(page, kinds, base),
        own=own,
        kinds=kinds,
        groups=sidebar_groups(page, t),
        bases=[{"id": b.id, "label": b.label} for b in bases]
        + [{"id": "none", "label": t["base_none"]}],
        base=base,
        legend=legend_extras(page),
        charts=charts,
        links=links,
        page_rounds=page.facts.rounds,
        pmtiles=pmtiles,
        facts_line=facts_line(page, t),
        period=page.period,
        x=extra_texts(page.lang),
        rounds=page.rounds,
        sdg=page.sdg,
        sdg_legend=sdg_legend(page.layers, page.lang),
        sdg_choices=page.sdg_choices,
        sdg_style=sdg_style(),
        impl=page.implementation,
        project_link=page.urls.get("projects_embed" if page.mode == "embed" else "projects"),
    )
    return html


def pmtiles_head(page: PageInput) -> dict[str, str] | None:
    """Scripts of a static export that reads its tiles from a PMTiles archive, else None.

    The MVT decoder is a set of ES modules with bare imports, so the page carries an import
    map (only the static export does: the live pages keep their script-src 'self' CSP).
    """
    if page.mode != "static" or not page.urls.get("tile", "").startswith("pmtiles:"):
        return None
    url = lambda name: page.assets.url(name, page.asset_base)  # noqa: E731

    def module(name: str) -> str:  # an import map takes "./…", "/…" or full URLs only
        found = url(name)
        return found if found.startswith(("/", "./", "../", "http")) else "./" + found

    imports = {
        "@mapbox/vector-tile": module("vector-tile.js"),
        "@mapbox/point-geometry": module("point-geometry.js"),
        "pbf": module("pbf.js"),
    }
    return {
        "reader_js": url("pmtiles.js"),
        "own_js": url("karte-pmtiles.js"),
        "importmap": json.dumps({"imports": imports}),
    }


def page_links(page: PageInput) -> dict[str, str | None]:
    """Header links: share (full page), full map (embed), the other language."""
    urls, other = page.urls, "de" if page.lang == "en" else "en"
    layers = ",".join(page.active)
    if page.mode == "static":
        return {
            "share": None, "full": None, "lang": urls.get("other_lang"), "summary": None,
            "change": None,
        }  # fmt: skip
    view = {"ansicht": page.view.id} if page.view is not None else {}
    goal = {"sdg": str(page.sdg)} if page.sdg is not None else {}
    query = {**view, **goal, "layers": layers, **({"lang": "en"} if page.lang == "en" else {})}
    lang_query = {**view, **goal, "layers": layers, **({"lang": "en"} if other == "en" else {})}
    return {
        "share": urls["share"] + "?" + urlencode(query) if page.mode == "maps" else None,
        "full": urls["full"] + "?" + urlencode(query) if page.mode == "embed" else None,
        "lang": "?" + urlencode(lang_query),
        "summary": urls.get("summary"),
        "change": _change_link(page),
    }


def _change_link(page: PageInput) -> str | None:
    """The change map of the two latest rounds, once a quarter has been walked twice."""
    rounds = page.facts.rounds
    if page.mode != "maps" or len(rounds) < 2 or "full" not in page.urls:
        return None
    query = {"von": rounds[-2], "bis": rounds[-1], **({"lang": "en"} if page.lang == "en" else {})}
    return f"{page.urls['full']}/veraenderung?{urlencode(query)}"
