"""External overlays of a saved view: WMS, WMTS/XYZ tiles or OGC API Features of other servers.

Why so strict: the overlay's origin goes into the Content-Security-Policy of the public map
pages that show the view (img-src for WMS/WMTS, connect-src for OGC API Features), so the
embed on a city's web site talks to exactly the hosts a planner chose — never a wildcard.
The service itself never fetches the URL (the visitor's browser does), so there is no
server-side request to forge; still only http(s), no credentials in the URL (they would be
published with the link), no ``{s}`` sub-domain template (it would need a wildcard in the
CSP), and host names made of letters, digits, dots and hyphens (or an IPv4 address), so an
origin can never smuggle a CSP directive.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from mapservice.errors import InvalidInput

MAX_URL = 2000
MAX_OVERLAYS = 5
MAX_TITLE = 120
TYPES = {
    "wms": ("WMS", "WMS"),
    "wmts": ("WMTS/XYZ-Kacheln", "WMTS/XYZ tiles"),
    "oapif": ("OGC API Features", "OGC API Features"),
}
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
_WMS_LAYERS = re.compile(r"[A-Za-z0-9_:.\-]+(,[A-Za-z0-9_:.\-]+)*")
_TILE_KEYS = ("{z}", "{x}", "{y}")
_WMTS_KEYS = ("{TileMatrix}", "{TileCol}", "{TileRow}")


def bad(code: str, de: str, en: str, index: int | None = None) -> InvalidInput:
    """A refusal that names the overlay (1-based, as the page lists them)."""
    if index is not None:
        de, en = f"Externe Ebene {index + 1}: {de}", f"External overlay {index + 1}: {en}"
    return InvalidInput(de, en, code=code)


def check_url(raw: Any, index: int | None = None) -> tuple[str, str]:
    """The URL as given (trimmed) and its origin ``scheme://host[:port]``, or a 400."""
    if not isinstance(raw, str) or not raw.strip():
        raise bad("overlay_url_missing", "Adresse (URL) fehlt.", "The URL is missing.", index)
    url = raw.strip()
    if len(url) > MAX_URL:
        raise bad(
            "overlay_url_too_long",
            f"Die Adresse ist länger als {MAX_URL} Zeichen.",
            f"The URL is longer than {MAX_URL} characters.",
            index,
        )
    if any(c.isspace() or ord(c) < 32 or c in "\"'<>\\`" for c in url):
        raise bad(
            "overlay_url_characters",
            "Die Adresse enthält Leerzeichen, Anführungszeichen oder spitze Klammern.",
            "The URL contains spaces, quotes or angle brackets.",
            index,
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad(
            "overlay_url_invalid", "Die Adresse ist nicht lesbar.", "The URL cannot be read.", index
        ) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise bad(
            "overlay_url_scheme",
            "Nur Adressen mit http:// oder https:// sind erlaubt.",
            "Only http:// or https:// URLs are allowed.",
            index,
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise bad(
            "overlay_url_credentials",
            "Die Adresse darf keinen Benutzernamen oder kein Passwort enthalten "
            "(sie würde mit dem Link veröffentlicht).",
            "The URL must not contain a user name or password (it would be published "
            "with the link).",
            index,
        )
    host = (parts.hostname or "").lower()
    if "{s}" in parts.netloc:
        raise bad(
            "overlay_url_subdomains",
            "Platzhalter {s} im Servernamen geht nicht: bitte einen Server ausschreiben "
            "(z. B. a.tile… statt {s}.tile…).",
            "A {s} placeholder in the host name is not supported: write out one server "
            "(e.g. a.tile… instead of {s}.tile…).",
            index,
        )
    if not host or not _HOST.fullmatch(host):
        raise bad(
            "overlay_url_host",
            "Servername fehlt oder ist ungültig (erlaubt: Buchstaben, Ziffern, Punkt, "
            "Bindestrich).",
            "The host name is missing or invalid (allowed: letters, digits, dot, hyphen).",
            index,
        )
    if parts.fragment:
        raise bad(
            "overlay_url_fragment",
            "Die Adresse darf keinen Anker (#…) haben.",
            "The URL must not have a fragment (#…).",
            index,
        )
    scheme = parts.scheme.lower()
    origin = f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    return url, origin


def check_overlay(raw: Any, index: int) -> dict[str, Any]:
    """One overlay, normalised: ``{type, url, title, layers?, opacity, origin}``."""
    if not isinstance(raw, dict):
        raise bad("overlay_invalid", "Angaben fehlen.", "Details are missing.", index)
    unknown = sorted(set(raw) - {"type", "url", "title", "layers", "opacity"})
    if unknown:
        raise bad(
            "overlay_unknown_field",
            f"Unbekannte Angabe(n): {', '.join(unknown)[:200]}.",
            f"Unknown field(s): {', '.join(unknown)[:200]}.",
            index,
        )
    kind = raw.get("type")
    if kind not in TYPES:
        raise bad(
            "overlay_type",
            "Art muss wms, wmts oder oapif (OGC API Features) sein.",
            "Type must be wms, wmts or oapif (OGC API Features).",
            index,
        )
    url, origin = check_url(raw.get("url"), index)
    out: dict[str, Any] = {"type": kind, "url": url, "origin": origin}
    if kind == "wms":
        layers = raw.get("layers")
        if not isinstance(layers, str) or not _WMS_LAYERS.fullmatch(layers.strip()):
            raise bad(
                "overlay_wms_layers",
                "WMS braucht den Namen der Ebene(n) (LAYERS), z. B. „isek_gebiete“ "
                "(Buchstaben, Ziffern, _ : . -, mehrere mit Komma).",
                "WMS needs the layer name(s) (LAYERS), e.g. “isek_gebiete” "
                "(letters, digits, _ : . -, several separated by commas).",
                index,
            )
        if len(layers) > 500:
            raise bad(
                "overlay_wms_layers",
                "Die WMS-Ebenennamen sind länger als 500 Zeichen.",
                "The WMS layer names are longer than 500 characters.",
                index,
            )
        out["layers"] = layers.strip()
    elif raw.get("layers") not in (None, ""):
        raise bad(
            "overlay_layers_not_wms",
            "Ebenennamen (LAYERS) gibt es nur bei WMS.",
            "Layer names (LAYERS) are for WMS only.",
            index,
        )
    if kind == "wmts" and not (
        all(k in url for k in _TILE_KEYS) or all(k in url for k in _WMTS_KEYS)
    ):
        raise bad(
            "overlay_wmts_template",
            "WMTS/XYZ braucht eine Kachel-Vorlage mit {z}, {x} und {y} "
            "(oder {TileMatrix}, {TileCol}, {TileRow}, REST-Kodierung in Web Mercator).",
            "WMTS/XYZ needs a tile template with {z}, {x} and {y} "
            "(or {TileMatrix}, {TileCol}, {TileRow}, REST encoding in Web Mercator).",
            index,
        )
    if kind == "oapif" and not urlsplit(url).path.rstrip("/").endswith("/items"):
        raise bad(
            "overlay_oapif_items",
            "OGC API Features: bitte die Adresse der Objekte einer Sammlung angeben "
            "(…/collections/<id>/items).",
            "OGC API Features: give the items URL of one collection (…/collections/<id>/items).",
            index,
        )
    title = raw.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        title = urlsplit(url).hostname or url
    if not isinstance(title, str) or len(title.strip()) > MAX_TITLE:
        raise bad(
            "overlay_title",
            f"Titel: Text bis {MAX_TITLE} Zeichen.",
            f"Title: text of up to {MAX_TITLE} characters.",
            index,
        )
    out["title"] = title.strip()
    opacity = raw.get("opacity", 0.8)
    if isinstance(opacity, bool) or not isinstance(opacity, int | float) or not 0.1 <= opacity <= 1:
        raise bad(
            "overlay_opacity",
            "Deckkraft: eine Zahl von 0,1 bis 1.",
            "Opacity: a number from 0.1 to 1.",
            index,
        )
    out["opacity"] = round(float(opacity), 2)
    return out


def check_overlays(raw: Any) -> list[dict[str, Any]]:
    """The list of overlays (at most ``MAX_OVERLAYS``), each checked."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad("overlays_not_list", "overlays muss eine Liste sein.", "overlays must be a list.")
    if len(raw) > MAX_OVERLAYS:
        raise bad(
            "overlays_too_many",
            f"Höchstens {MAX_OVERLAYS} externe Ebenen je Ansicht.",
            f"At most {MAX_OVERLAYS} external overlays per view.",
        )
    return [check_overlay(item, i) for i, item in enumerate(raw)]


def origins(overlays: list[dict[str, Any]]) -> dict[str, list[str]]:
    """CSP additions of a view: ``{"img": [...], "connect": [...]}`` (sorted, unique)."""
    img = sorted({o["origin"] for o in overlays if o["type"] in ("wms", "wmts")})
    connect = sorted({o["origin"] for o in overlays if o["type"] == "oapif"})
    return {"img": img, "connect": connect}
