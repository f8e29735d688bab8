"""Place suggestions while a planner types: the gazetteer's answer plus names that start so.

``Gazetteer.resolve`` gives one best reading of a place text ("Ecke Gahlensche Straße /
Amtsstraße" → the crossing). While typing, the text is often half a name ("Hofst"), so the
planner also needs the streets, places and (once a number is typed) addresses whose names
begin with or contain what was typed. Every suggestion carries its precision (the
gazetteer's method), a confidence, the geometry to draw and a point for the marker, and a
stable ``id``: when the statement is saved the server recomputes the suggestions for the
same text and takes the geometry of that id, so a stored method is always the gazetteer's
own — never a value the browser made up.

The gazetteer of a quarter is cached per process and re-read when its entries change
(count or highest id), so each keystroke costs look-ups, not a database load.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from mapservice.georef.gazetteer import Entry, Gazetteer, Resolution
from mapservice.georef.normalise import fold, match_key

#: The gazetteer's method → the precision word the workspace shows.
PRECISION = {
    "address": "address",
    "crossing": "intersection",
    "street": "street",
    "place": "place",
    "quarter": "quarter",
}
PRECISION_LABELS = {
    "address": ("Adresse", "address"),
    "intersection": ("Kreuzung", "intersection"),
    "street": ("Straße", "street"),
    "place": ("Ort", "place"),
    "quarter": ("ganzes Quartier", "whole quarter"),
}
MIN_PREFIX = 3  # shorter texts match too many names to be useful
MAX_SUGGESTIONS = 8
PREFIX_CONFIDENCE = 0.8  # a name that starts with the text: likely, not yet certain
CONTAINED_CONFIDENCE = 0.6  # a name that contains the text somewhere
CACHE_SIZE = 16
_CROSSING_WORDS = re.compile(r"/|&|\+|\becke\b|\bkreuzung\b|\bund\b")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place a statement may mean, as shown in the list and on the map."""

    id: str
    method: str
    label: str
    confidence: float
    geometry: BaseGeometry
    from_home_address: bool
    needs_review: bool
    explanation_de: str
    explanation_en: str

    @property
    def precision(self) -> str:
        return PRECISION[self.method]

    @property
    def point(self) -> Point:
        """Where the marker goes: the middle of a street line, else a point on the shape."""
        geom = self.geometry
        if geom.geom_type in ("LineString", "MultiLineString"):
            line = shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
            if line.geom_type == "LineString":
                return line.interpolate(0.5, normalized=True)
        return geom if geom.geom_type == "Point" else geom.point_on_surface()

    def as_dict(self) -> dict[str, Any]:
        de, en = PRECISION_LABELS[self.precision]
        point = self.point
        return {
            "id": self.id,
            "method": self.method,
            "precision": self.precision,
            "precision_de": de,
            "precision_en": en,
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "point": [round(point.x, 7), round(point.y, 7)],
            "geometry": mapping(self.geometry),
            "from_home_address": self.from_home_address,
            "needs_review": self.needs_review,
            "explanation_de": self.explanation_de,
            "explanation_en": self.explanation_en,
        }


def candidate_id(method: str, label: str, geometry: BaseGeometry) -> str:
    """Stable for the same gazetteer: method, name and the marker point to 1e-6°."""
    p = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return f"{method}:{label}@{p.x:.6f},{p.y:.6f}"


def _from_resolution(res: Resolution) -> Candidate:
    assert res.geometry is not None
    return Candidate(
        id=candidate_id(res.method, res.matched, res.geometry),
        method=res.method,
        label=res.matched,
        confidence=res.confidence,
        geometry=res.geometry,
        from_home_address=res.from_home_address,
        needs_review=res.needs_review,
        explanation_de=res.explanation_de,
        explanation_en=res.explanation_en,
    )


def _named(entry: Entry, geometry: BaseGeometry, confidence: float, typed: str) -> Candidate:
    """A name that begins with (or contains) the typed text."""
    kind_de, kind_en = {
        "street": ("Straße", "Street"),
        "place": ("Ort", "Place"),
        "address": ("Adresse", "Address"),
    }[entry.kind]
    shown = typed.strip()[:80]
    home = entry.kind == "address" and entry.name == f"{entry.street} {entry.housenumber}"
    return Candidate(
        id=candidate_id(entry.kind, entry.name, geometry),
        method=entry.kind,
        label=entry.name,
        confidence=confidence,
        geometry=geometry,
        from_home_address=home,
        needs_review=False,
        explanation_de=f"{kind_de} „{entry.name}“ passt zur Eingabe „{shown}“.",
        explanation_en=f"{kind_en} '{entry.name}' matches the input '{shown}'.",
    )


def _quarter_wide(gazetteer: Gazetteer, quarter_id: int) -> Candidate:
    res = gazetteer.resolve("", quarter_id)
    assert res.geometry is not None
    return Candidate(
        id="quarter",
        method="quarter",
        label=res.matched,
        confidence=res.confidence,
        geometry=res.geometry,
        from_home_address=False,
        needs_review=True,
        explanation_de=f"Ohne bestimmten Ort: gilt für das ganze Quartier {res.matched}.",
        explanation_en=f"No particular place: concerns the whole quarter {res.matched}.",
    )


def suggest(gazetteer: Gazetteer, quarter_id: int, place_text: str) -> list[Candidate]:
    """Candidates for ``place_text``, best first; the quarter-wide choice always last."""
    found: OrderedDict[str, Candidate] = OrderedDict()
    typed = (place_text or "").strip()[:500]
    if typed:
        res = gazetteer.resolve(typed, quarter_id)
        if res.method != "quarter" and res.geometry is not None:
            best = _from_resolution(res)
            found[best.id] = best
        if res.method != "crossing" and _CROSSING_WORDS.search(fold(typed)):
            # Two streets that do not cross: offer each, the planner knows which was meant.
            for part in _CROSSING_WORDS.split(fold(typed)):
                if len(match_key(part)) < MIN_PREFIX:
                    continue
                each = gazetteer.resolve(part, quarter_id)
                if each.method in ("street", "place") and each.geometry is not None:
                    cand = _from_resolution(each)
                    found.setdefault(cand.id, cand)
        for cand in _prefix_matches(gazetteer, quarter_id, typed):
            if len(found) >= MAX_SUGGESTIONS - 1:
                break
            if cand.id not in found and not any(
                c.method == cand.method and c.label == cand.label for c in found.values()
            ):
                found[cand.id] = cand
    quarter = _quarter_wide(gazetteer, quarter_id)
    found[quarter.id] = quarter
    return list(found.values())


def _prefix_matches(gazetteer: Gazetteer, quarter_id: int, typed: str) -> list[Candidate]:
    """Streets and places (addresses once a digit is typed) whose names start with the text."""
    key = match_key(typed)
    if len(key) < MIN_PREFIX:
        return []
    with_number = any(ch.isdigit() for ch in typed)
    streets: dict[str, list[Entry]] = {}
    scored: list[tuple[int, int, str, Candidate | None, Entry]] = []
    for entry in gazetteer.entries:
        if entry.quarter_id != quarter_id:
            continue
        if entry.kind == "address" and not with_number:
            continue
        name_key = match_key(entry.name)
        if name_key.startswith(key):
            rank = 0
        elif len(key) >= 4 and key in name_key:
            rank = 1
        else:
            continue
        if entry.kind == "street":
            if name_key not in streets:
                streets[name_key] = []
                scored.append((rank, 0, name_key, None, entry))
            streets[name_key].append(entry)
            continue
        order = 1 if entry.kind == "place" else 2
        confidence = PREFIX_CONFIDENCE if rank == 0 else CONTAINED_CONFIDENCE
        named = _named(entry, entry.geometry, confidence, typed)
        scored.append((rank, order, name_key, named, entry))
    scored.sort(key=lambda s: (s[0], s[1], len(s[2]), s[2]))
    result: list[Candidate] = []
    for rank, _, name_key, cand, entry in scored:
        if cand is None:  # a street: all its segments as one geometry
            parts = [g for e in streets[name_key] for g in shapely.get_parts(e.geometry)]
            merged = parts[0] if len(parts) == 1 else shapely.line_merge(shapely.union_all(parts))
            confidence = PREFIX_CONFIDENCE if rank == 0 else CONTAINED_CONFIDENCE
            cand = _named(entry, merged, confidence, typed)
        result.append(cand)
        if len(result) >= MAX_SUGGESTIONS:
            break
    return result


class GazetteerCache:
    """One :class:`Gazetteer` per quarter, re-read when the quarter's entries change."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[tuple[int, int], Gazetteer]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conn: Connection, quarter_id: int) -> Gazetteer:
        stamp_row = conn.execute(
            text(
                "SELECT count(*), coalesce(max(id), 0) FROM gazetteer_entry WHERE quarter_id = :q"
            ),
            {"q": quarter_id},
        ).one()
        stamp = (int(stamp_row[0]), int(stamp_row[1]))
        with self._lock:
            hit = self._items.get(quarter_id)
            if hit is not None and hit[0] == stamp:
                self._items.move_to_end(quarter_id)
                return hit[1]
        gazetteer = Gazetteer.load(conn, quarter_id=quarter_id)
        with self._lock:
            self._items[quarter_id] = (stamp, gazetteer)
            self._items.move_to_end(quarter_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return gazetteer


CACHE = GazetteerCache()
