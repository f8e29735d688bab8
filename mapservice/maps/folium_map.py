"""The Leaflet map of a quarter, built with folium, ready to be placed into our page template.

folium writes the Leaflet set-up (map, base layers, boundary, controls); our own client
(``static/karte-map.js``) loads the data per view from the tile endpoints — never inlined,
never fetched in Python (``folium.GeoJson(url)`` would download it while building the page).

folium traps avoided here (see PEERS.md):
* ``default_js``/``default_css`` are class-level lists; ``add_js_link`` would change them for
  every later map in the process. Each element gets its *own* list pointing at /assets.
* folium's page forbids zooming (``user-scalable=no``), has no ``<title>``/``lang`` and loads
  jQuery, Bootstrap and fonts from CDNs: ``QuarterMap`` renders only the map itself and the
  page template (``templates/map.html``) owns ``<head>``.
* branca's legend pulls d3 from a CDN: the legend is plain HTML in the sidebar.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import folium
from branca.element import Figure, MacroElement
from folium.map import Layer
from folium.plugins import Fullscreen, LocateControl
from folium.template import Template
from xyzservices import TileProvider

from mapservice.maps.spec import Basemap, MapParts, MapSpec


class QuarterMap(folium.Map):
    """``folium.Map`` without folium's page-level header; German-labelled zoom and metric scale."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{% endmacro %}
        {% macro html(this, kwargs) %}
        <div class="folium-map karte-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
            center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }},
            ...{{ this.options|tojavascript }}
        });
        L.control.zoom({{ this.zoom_texts|tojson }}).addTo({{ this.get_name() }});
        L.control.scale({imperial: false}).addTo({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, urls: dict[str, str], zoom_texts: dict[str, str], **kwargs: Any) -> None:
        super().__init__(tiles=None, zoom_control=False, **kwargs)
        self.zoom_texts = {"position": "topleft", **zoom_texts}
        # instance lists: folium's class-level defaults point at CDNs and stay untouched
        self.default_js = [("leaflet", urls["leaflet.js"])]
        self.default_css = [
            ("leaflet_css", urls["leaflet.css"]),
            ("fontawesome", urls["fontawesome.css"]),
            ("fa_solid", urls["fa-solid.css"]),
        ]


class NoBasemap(Layer):
    """The "none" base layer: an empty group, so data can be read without any basemap."""

    _template = Template(
        "{% macro script(this, kwargs) %}var {{ this.get_name() }} = L.layerGroup();{% endmacro %}"
    )

    def __init__(self, name: str) -> None:
        super().__init__(name=name, overlay=False, control=False, show=False)


class ThematicLayer(Layer):
    """One catalogue layer: a ``Karte.ThematicLayer`` that loads GeoJSON tiles per view."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = new Karte.ThematicLayer({{ this.config|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(name=config["id"], overlay=True, control=False, show=False)
        self.config = config


class KarteClient(MacroElement):
    """Starts our client with the folium layers it drives.

    The page's data-dependent configuration (counts, walkthroughs, URL state) is not part of
    the folium script: it sits in ``<script type="application/json" id="karte-config">`` of
    the page, so the folium part depends only on the quarter and the catalogue and can be
    cached (folium compiles a dozen Jinja templates per render: ~10 ms we need not repeat).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        Karte.start({{ this._parent.get_name() }},
          JSON.parse(document.getElementById("karte-config").textContent), {
          {%- for id, el in this.layers %}{{ id|tojson }}: {{ el.get_name() }},{% endfor -%}
        }, {
          {%- for id, el in this.bases %}{{ id|tojson }}: {{ el.get_name() }},{% endfor -%}
        });
        {% endmacro %}
        """
    )

    def __init__(self, layers: list[tuple[str, Layer]], bases: list[tuple[str, Layer]]) -> None:
        super().__init__()
        self._name = "KarteClient"
        self.layers, self.bases = layers, bases


def _own_links(element: MacroElement, js: list[tuple[str, str]], css: list[tuple[str, str]]):
    element.default_js, element.default_css = js, css  # instance lists, never the class's
    return element


def build_map(spec: MapSpec) -> MapParts:
    """folium map of one quarter (cached: the same spec always renders the same parts)."""
    return _build_cached(spec.key())


@lru_cache(maxsize=256)
def _build_cached(key: str) -> MapParts:
    raw = json.loads(key)
    raw["bases"] = [Basemap(**b) for b in raw["bases"]]
    raw["bbox"] = tuple(raw["bbox"])
    return _build(MapSpec(**raw))


def _build(spec: MapSpec) -> MapParts:
    """Base layers, boundary, controls, thematic layers and the client starter."""
    west, south, east, north = spec.bbox
    t, urls = spec.texts, spec.asset_urls
    m = QuarterMap(
        urls,
        {"zoomInTitle": t["zoom_in"], "zoomOutTitle": t["zoom_out"]},
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=15,
        min_zoom=9,
        max_zoom=20,
    )
    base_layers: list[tuple[str, Layer]] = []
    for base in spec.bases:
        # a TileProvider, not a string: folium would search all of xyzservices for a name
        provider = TileProvider(
            name=base.id,
            url=base.url,
            attribution=base.attribution,
            html_attribution=base.attribution,
        )
        layer = folium.TileLayer(
            tiles=provider,
            name=base.label,
            overlay=False,
            control=False,
            show=False,
            max_zoom=20,
            max_native_zoom=19,
        )
        layer.add_to(m)
        base_layers.append((base.id, layer))
    none = NoBasemap(t["base_none"])
    none.add_to(m)
    base_layers.append(("none", none))
    folium.GeoJson(
        spec.outline,
        name=t["boundary"],
        control=False,
        interactive=False,
        style_function=lambda _: {
            "color": "#3C3C3B",
            "weight": 2.5,
            "opacity": 0.75,
            "dashArray": "8 5",
            "fill": False,
        },
    ).add_to(m)
    m.fit_bounds([[south, west], [north, east]], padding=(12, 12))
    _own_links(
        Fullscreen(position="topleft", title=t["fullscreen"], title_cancel=t["fullscreen_exit"]),
        [("fullscreen_js", urls["fullscreen.js"])],
        [("fullscreen_css", urls["fullscreen.css"])],
    ).add_to(m)
    _own_links(
        LocateControl(
            position="topleft",
            strings={"title": t["locate"]},
            drawCircle=True,
            showPopup=False,
            setView="untilPanOrZoom",
            flyTo=False,
        ),
        [("locate_js", urls["locate.js"])],
        [("locate_css", urls["locate.css"])],
    ).add_to(m)
    thematic = []
    for config in spec.layers:
        element = ThematicLayer(config)
        element.add_to(m)
        thematic.append((config["id"], element))
    KarteClient(thematic, base_layers).add_to(m)
    return render_parts(m)


def render_parts(m: folium.Map) -> MapParts:
    """Render the folium elements into head links, the map div and the set-up script."""
    figure: Figure = m.get_root()  # type: ignore[assignment]
    for child in figure._children.values():
        child.render()
    head = figure.header.render()
    head = head.replace('<meta http-equiv="content-type" content="text/html; charset=UTF-8" />', "")
    return MapParts(head=head, body=figure.html.render(), script=figure.script.render())
