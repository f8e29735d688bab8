"""The map pages' service functions: what a router or the static export calls.

Routers stay thin (parse, call one function here, return); the static export calls the same
functions with ``mode="static"``, so the exported site is the page the service would serve.
"""

from __future__ import annotations

from typing import Any

from mapservice.access import PUBLIC, Viewer
from mapservice.assets import AssetStore
from mapservice.catalog import Catalog, Layer
from mapservice.errors import InvalidInput, NotFound
from mapservice.maps.data import MapsData
from mapservice.maps.db import db_for
from mapservice.maps.i18n import Lang
from mapservice.maps.page import Mode, PageInput, ViewChoice, render_map_page
from mapservice.maps.style import default_layers
from mapservice.maps.timefilter import ROUNDS_SQL, by_goal, round_options, sdg_options
from mapservice.programme.status import counts_sql, from_rows
from mapservice.tiles.filters import Filters
from mapservice.tiles.sources import visible_layers


class QuarterNotFound(NotFound):
    """An unknown quarter slug; carries the known quarters for the German 404 page."""

    code = "unknown_quarter"

    def __init__(self, slug: str, known: list[tuple[str, str, str]]) -> None:
        super().__init__(f"Das Quartier „{slug}“ gibt es nicht.", f'There is no quarter "{slug}".')
        self.slug, self.known = slug, known


class UnknownLayers(InvalidInput):
    """``?layers=`` names ids that do not exist: the 400 page lists them and the valid ones."""

    code = "unknown_layer"

    def __init__(self, unknown: list[str], valid: list[str]) -> None:
        listed = ", ".join(unknown)
        super().__init__(
            f"Unbekannte Ebene(n) in layers: {listed}. Gültig: {', '.join(valid)}.",
            f"Unknown layer(s) in layers: {listed}. Valid: {', '.join(valid)}.",
        )
        self.unknown, self.valid = unknown, valid


def maps_data(state: Any) -> MapsData:
    """The app's ``MapsData`` (created on first use, so app.py needs no set-up line)."""
    data = getattr(state, "maps_data", None)
    if data is None:
        data = state.maps_data = MapsData(db_for(state))
    return data


def assets(state: Any) -> AssetStore:
    store = getattr(state, "assets", None)
    if store is None:
        store = state.assets = AssetStore.discover()
    return store


def parse_layers(param: str | None, catalog: Catalog, visible: list[Layer]) -> list[str]:
    """The layers to show: ``?layers=a,b`` (validated) or the default set.

    An id the viewer may not see counts as unknown, as on the tile endpoints: the public
    learns nothing about non-public layers. The order follows the catalogue, so the same
    set always gives the same URL.
    """
    if param is None:
        return default_layers(Catalog(visible))
    wanted = [part.strip() for part in param.split(",") if part.strip()]
    ids = {layer.id for layer in visible}
    unknown = [w for w in wanted if w not in ids]
    if unknown:
        raise UnknownLayers(unknown, [layer.id for layer in visible])
    return [layer.id for layer in visible if layer.id in wanted]


def service_urls(root: str, slug: str, lang: Lang) -> dict[str, str]:
    """Where the browser client finds the data of the live service."""
    return {
        "tile": f"{root}/tiles/{{layer}}/{{z}}/{{x}}/{{y}}.geojson",
        "items": f"{root}/ogc/collections/{{layer}}/items",
        "counts": f"{root}/maps/{slug}/counts.json",
        "list": f"{root}/maps/{slug}/features.json",
        "session": f"{root}/maps/{slug}/session.json",
        "photos": f"{root}/api/observations/{{id}}/photos",
        "full": f"{root}/maps/{slug}",
        "share": f"{root}/maps/{slug}/share",
        "embed": f"{root}/embed/{slug}",
        "start": f"{root}/",
        "summary": f"{root}/api/quarters/{slug}/summary" + ("?lang=en" if lang == "en" else ""),
        "projects": f"{root}/maps/{slug}/massnahmen" + ("?lang=en" if lang == "en" else ""),
        "projects_embed": f"{root}/embed/{slug}/massnahmen" + ("?lang=en" if lang == "en" else ""),
    }


async def page_input(
    state: Any,
    slug: str,
    *,
    mode: Mode,
    lang: Lang,
    layers_param: str | None,
    viewer: Viewer = PUBLIC,
    urls: dict[str, str] | None = None,
    asset_base: str = "/assets",
    root: str = "",
    view: ViewChoice | None = None,
    sdg: int | None = None,
) -> PageInput:
    """Gather what a map page shows; raises ``QuarterNotFound`` or ``UnknownLayers``.

    ``view``: a saved view (``?ansicht=``); its layers are shown first unless ``?layers=``
    names others (the page's URL state always wins, so a reload keeps what was changed).
    """
    store = assets(state)
    store.require()
    data, catalog, settings = maps_data(state), state.catalog, state.settings
    quarter = await data.quarter(slug)
    if quarter is None:
        raise QuarterNotFound(slug, await data.quarter_names())
    everything = visible_layers(catalog, viewer)
    visible = by_goal(everything, sdg)  # ?sdg=11: the layers of goal 11 only
    if view is not None and layers_param is None:
        active = view.active(visible)
    else:
        active = parse_layers(layers_param, catalog, visible)
    counts = await data.counts(visible, viewer, Filters(quarter=quarter.slug))
    facts = await data.facts(quarter)
    rows = await data.db.fetchall(
        counts_sql(viewer, quarter.slug, "%(slug)s::text"), {"slug": quarter.slug}
    )
    implementation = from_rows([(r[0], r[1], r[2]) for r in rows], lang)
    period = None
    if facts.first and facts.last:
        period = (facts.first.date().isoformat(), facts.last.date().isoformat())
    rounds = round_options(await data.db.fetchall(ROUNDS_SQL, {"qid": quarter.id}), lang)
    if rounds:  # a round's period may reach beyond the first and last entry
        low = min([r["from"] for r in rounds] + ([period[0]] if period else []))
        high = max([r["to"] for r in rounds] + ([period[1]] if period else []))
        period = (low, high)
    return PageInput(
        mode=mode,
        lang=lang,
        quarter=quarter,
        layers=visible,
        active=active,
        counts=counts,
        facts=facts,
        settings=settings,
        assets=store,
        asset_base=asset_base,
        period=period,
        urls=urls or service_urls(root, slug, lang),
        view=view,
        rounds=tuple(rounds),
        sdg=sdg,
        sdg_choices=tuple(sdg_options(everything, lang)),
        implementation=implementation,
    )


async def map_page(state: Any, slug: str, **kwargs: Any) -> str:
    return render_map_page(await page_input(state, slug, **kwargs))
