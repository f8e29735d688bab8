"""Resolving place text from interviews ("Ecke Hofsteder Straße / Amtsstraße") to geometry.

Interview findings name places, not coordinates. A :class:`Gazetteer` holds the streets,
addresses and named places of one or all quarters in memory, indexed by normalised keys
(:mod:`mapservice.georef.normalise`), so an exact hit is a few dictionary look-ups and fuzzy
matching (rapidfuzz) only runs when nothing matched exactly. Build it once per request batch
with :meth:`Gazetteer.load`; it does not touch the database while resolving.

What :meth:`Gazetteer.resolve` understands, in this order:

1. nothing, or "überall" / "im ganzen Viertel" / the quarter's name → method ``quarter``
   (needs review);
2. the whole text is a place or street name ("Martener Forum (In der Meile 2)") → that;
3. crossings: "Ecke A / B", "A/B", "A Ecke B", "Kreuzung A und B", "A & B", "A und B" →
   the intersection of the two street lines (``crossing``, precision "intersection"; lines
   that miss each other by less than :data:`CROSSING_MEET_M` count as meeting, up to
   :data:`CROSSING_MAX_M` (30 m) the point between their nearest parts with lower confidence,
   beyond that the first street, method ``street``, with an explanation that says so);
4. addresses: "Hofsteder Straße 12a" → the address point (``address``); a missing house
   number → the nearest number on the same side of the street, else the street line;
5. named places and streets: exact, without the quarter's name ("Quartiersbüro" for
   "Quartiersbüro Hamme"), contained in longer text ("am Spielplatz an der …, bei den
   Bänken"), or fuzzy (rapidfuzz, ≥ :data:`FUZZY_CUTOFF`) → ``place`` / ``street``;
6. anything else → method ``quarter`` at the quarter's point on surface, needs review.

An address is a home (``from_home_address``) unless a named place (school, Kita, shop) has
that address; the caller generalises home positions (:mod:`mapservice.georef.privacy`).

Confidence is how sure we are that the returned geometry is the place meant (1.0 exact,
0.95 without the quarter's name, 0.9 found inside longer text, 0.77–0.9 fuzzy, lower for
fall-backs, halved when several entries fit equally); *precision* is told by the method.
``needs_review`` is set for every method ``quarter`` and whenever the confidence is below
:data:`REVIEW_BELOW`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from rapidfuzz import fuzz, process
from shapely.geometry import MultiPoint, Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from sqlalchemy import Connection, text

from mapservice.georef.crs import to_metric
from mapservice.georef.normalise import (
    FILLERS,
    fold,
    housenumber_value,
    match_key,
    normalise,
    parse_housenumber,
    split_address,
    strip_fillers,
)

METHODS = ("address", "crossing", "street", "place", "quarter")
FUZZY_CUTOFF = 85.0
SUBSET = 0.9  # a name found by its words only (token_set_ratio) scores at most 90
REVIEW_BELOW = 0.9
CONTAINED = 0.9  # a gazetteer name found inside longer text
ALIAS = 0.95  # a place name without its quarter's name ("Quartiersbüro" for "… Hamme")
NEAREST_HOUSENUMBER = 0.7
STREET_FOR_ADDRESS = 0.6
AMBIGUOUS = 0.5  # factor when several equally good candidates exist
CROSSING_MEET_M = 5.0  # closer than this the lines meet (digitising noise)
# Up to this gap, the point between the streets' nearest parts (digitised lines often miss by
# a few metres); further apart, two streets do not form a corner at all: the first street is
# used and the explanation says so. (250 m put "corners" in people's back yards.)
CROSSING_MAX_M = 30.0
#: The gazetteer's method → the precision a placement is shown with.
PRECISION = {"address": "address", "crossing": "intersection", "street": "street",
             "place": "place", "quarter": "quarter"}  # fmt: skip
QUARTER_EXPLICIT = 0.5
SAME_PLACE_M = 100.0  # entries of one name closer than this are one place (OSM node + area)

# Words that only say "the whole quarter"; a text made of these and fillers is quarter-wide.
QUARTER_WORDS = frozenset(
    {
        "ueberall", "ganz", "ganze", "ganzen", "ganzes", "gesamt", "gesamte", "gesamten",
        "gesamtes", "viertel", "quartier", "stadtteil", "kiez", "wohngebiet", "nachbarschaft",
        "allgemein", "generell", "quartiersweit", "hier", "uns", "wir", "mir",
        "kein", "keine", "ort", "ortsangabe", "nicht", "ortsgebunden", "unbekannt",
    }
)  # fmt: skip
# Alone, these name a kind of place, not a place: fuzzy matching on them would pick any one.
GENERIC = frozenset(
    {
        "strasse", "platz", "weg", "allee", "gasse", "ring", "park", "spielplatz", "schule",
        "grundschule", "kita", "kindergarten", "kirche", "haltestelle", "bahnhof", "markt",
        "hof", "haus", "ecke", "kreuzung", "bushaltestelle", "friedhof", "sportplatz",
        "laden", "geschaeft", "supermarkt", "baeckerei", "kiosk", "wiese", "gruenflaeche",
    }
)  # fmt: skip

_CROSSING_MARK = re.compile(r"/|&|\+|\becke\b|\bkreuzung\b|\bund\b|\bx\b")
_CROSSING_PATTERNS = (
    re.compile(r"\bkreuzung\b(?P<a>.+?)(?:/|&|\+|\bund\b|\bmit\b|\becke\b|\bx\b)(?P<b>.+)"),
    re.compile(r"\becke\b(?P<a>.+?)(?:/|&|\+|\bund\b|\becke\b|\bx\b)(?P<b>.+)"),
    re.compile(r"(?P<a>.+?)\becke\b(?P<b>.+)"),
    re.compile(r"(?P<a>.+?)(?:/|&|\+|\bx\b)(?P<b>.+)"),
    re.compile(r"(?P<a>.+?)\bund\b(?P<b>.+)"),
)
_HN_TOKEN = re.compile(r"^\d{1,5}[a-z]?$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer row: a street line, an address point or a named place (4326)."""

    kind: str
    name: str
    geometry: BaseGeometry
    quarter_id: int | None = None
    street: str | None = None
    housenumber: str | None = None
    id: int | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class QuarterArea:
    """What the gazetteer needs of a quarter: its name and a point inside it."""

    id: int
    name: str
    point: Point
    city: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.city})" if self.city else self.name


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a place text points to, how sure we are, and why (German and English)."""

    method: str
    confidence: float
    geometry: BaseGeometry | None
    matched: str
    needs_review: bool
    from_home_address: bool
    explanation_de: str
    explanation_en: str
    quarter_id: int | None = None
    score: float = 0.0  # raw similarity 0..100 of the name match (100 = exact)

    @property
    def precision(self) -> str:
        """What the geometry is: address, intersection, street, place or quarter."""
        return PRECISION[self.method]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (geometry as GeoJSON) for API responses and import reports."""
        return {
            "method": self.method,
            "precision": self.precision,
            "confidence": round(self.confidence, 3),
            "geometry": mapping(self.geometry) if self.geometry is not None else None,
            "matched": self.matched,
            "needs_review": self.needs_review,
            "from_home_address": self.from_home_address,
            "explanation_de": self.explanation_de,
            "explanation_en": self.explanation_en,
            "quarter_id": self.quarter_id,
        }


@dataclass(slots=True)
class _Street:
    key: str
    name: str
    quarter_id: int | None
    geometry: BaseGeometry  # merged lines, or a MultiPoint of its addresses when no line


@dataclass(slots=True)
class _Address:
    housenumber: str
    entry: Entry
    named: str | None  # the place name when this address is a school, a shop …


@dataclass(slots=True)
class _Match:
    kind: str  # street | place
    key: str
    score: float  # 0..100
    how: str  # exact | alias | contained | fuzzy
    candidates: list[Any] = field(default_factory=list)  # _Street or Entry, per quarter


class _FuzzyNames:
    """Normalised names of one kind, prepared for rapidfuzz (sorted words, word index)."""

    def __init__(self, table: Mapping[str, Sequence[Any]]) -> None:
        self.keys = list(table)
        self.choices = [normalise(v[0].name) for v in table.values()]
        self.ordered = [" ".join(sorted(c.split())) for c in self.choices]
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for i, choice in enumerate(self.choices):
            for word in set(choice.split()):
                if word not in GENERIC:
                    self.by_word[word].append(i)


class _Index:
    """Look-up structures of one scope (one quarter, or all entries)."""

    def __init__(
        self, entries: Sequence[Entry], quarter_words: Mapping[int, frozenset[str]] | None = None
    ) -> None:
        quarter_words = quarter_words or {}
        lines: dict[tuple[int | None, str], list[BaseGeometry]] = defaultdict(list)
        names: dict[str, str] = {}
        self.places: dict[str, list[Entry]] = defaultdict(list)
        self.place_aliases: dict[str, list[Entry]] = defaultdict(list)
        self.addresses: dict[str, dict[str, list[_Address]]] = defaultdict(
            lambda: defaultdict(list)
        )
        address_points: dict[tuple[int | None, str], list[Point]] = defaultdict(list)
        for entry in entries:
            if entry.kind == "street":
                key = match_key(entry.name)
                if key:
                    lines[(entry.quarter_id, key)].extend(shapely.get_parts(entry.geometry))
                    names.setdefault(key, entry.name)
                continue
            if entry.kind == "place":
                key = match_key(entry.name)
                if key:
                    self.places[key].append(entry)
                alias = _alias(entry.name, quarter_words.get(entry.quarter_id or 0, frozenset()))
                if alias:
                    self.place_aliases[alias].append(entry)
            street, housenumber = entry.street, parse_housenumber(entry.housenumber)
            if entry.kind == "address" and not (street and housenumber):
                street, housenumber = split_address(entry.name)
            if not (street and housenumber):
                continue
            skey = match_key(street)
            if not skey:
                continue
            # A place with an address, or an address row with a name of its own ("Kiosk
            # Müller"), is not a home. Fast path: most names are literally "street number".
            named: str | None = entry.name
            if entry.kind == "address" and (
                entry.name in (f"{street} {housenumber}", f"{street} {entry.housenumber}")
                or match_key(entry.name) == skey + housenumber
            ):
                named = None
            self.addresses[skey][housenumber].append(_Address(housenumber, entry, named))
            names.setdefault(skey, street)
            point = entry.geometry if entry.geometry.geom_type == "Point" else None
            if point is not None:
                address_points[(entry.quarter_id, skey)].append(point)
        self.streets: dict[str, list[_Street]] = defaultdict(list)
        for (quarter_id, key), parts in lines.items():
            geom = parts[0] if len(parts) == 1 else shapely.line_merge(shapely.union_all(parts))
            self.streets[key].append(_Street(key, names[key], quarter_id, geom))
        for (quarter_id, key), points in address_points.items():
            if (quarter_id, key) not in lines:
                geom = points[0] if len(points) == 1 else MultiPoint(points)
                self.streets[key].append(_Street(key, names[key], quarter_id, geom))
        for candidates in self.streets.values():
            candidates.sort(key=lambda s: (s.quarter_id is None, s.quarter_id or 0))
        for candidates in self.places.values():
            candidates.sort(key=lambda e: (e.quarter_id is None, e.quarter_id or 0, e.id or 0))
        for key in list(self.place_aliases):
            if key in self.places or key in self.streets:
                del self.place_aliases[key]  # a real name always wins over an alias
        self.fuzzy = {
            "place": _FuzzyNames(self.places),
            "street": _FuzzyNames(self.streets),
        }
        self.max_words = max(
            (len(c.split()) for names in self.fuzzy.values() for c in names.choices), default=1
        )
        self.crossings: dict[tuple[str, str, int | None], tuple[Point, float]] = {}


class Gazetteer:
    """Streets, addresses and named places of one or more quarters, ready to resolve text.

    Building indexes is O(entries) and happens per quarter on first use; resolving an exact
    name or address takes a few dictionary look-ups (tens of microseconds).
    """

    def __init__(
        self,
        entries: Iterable[Entry],
        quarters: Mapping[int, QuarterArea] | Iterable[QuarterArea] = (),
    ) -> None:
        self.quarters: dict[int, QuarterArea] = (
            dict(quarters) if isinstance(quarters, Mapping) else {q.id: q for q in quarters}
        )
        self.entries: list[Entry] = list(entries)
        self._by_quarter: dict[int | None, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            self._by_quarter[entry.quarter_id].append(entry)
        self._indexes: dict[int | None, _Index] = {}

    @classmethod
    def load(cls, conn: Connection, quarter_id: int | None = None) -> Gazetteer:
        """Read the entries of one quarter (or all) and the quarters' points on surface."""
        scoped = quarter_id is not None
        where, params = ("WHERE quarter_id = :q", {"q": quarter_id}) if scoped else ("", {})
        rows = conn.execute(
            text(
                "SELECT id, quarter_id, kind, name, street, housenumber, ST_AsBinary(geom), "
                f"source FROM gazetteer_entry {where} ORDER BY id"
            ),
            params,
        ).all()
        geoms = shapely.from_wkb([bytes(r[6]) for r in rows]) if rows else []
        entries = [
            Entry(r[2], r[3], g, r[1], r[4], r[5], r[0], r[7])
            for r, g in zip(rows, geoms, strict=True)
        ]
        qwhere = "WHERE id = :q" if scoped else ""
        qrows = conn.execute(
            text(
                "SELECT id, name, city, ST_AsBinary(ST_PointOnSurface(boundary)) "
                f"FROM quarter {qwhere}"
            ),
            params,
        ).all()
        quarters = [QuarterArea(r[0], r[1], shapely.from_wkb(bytes(r[3])), r[2]) for r in qrows]
        return cls(entries, quarters)

    # -- indexes ---------------------------------------------------------------------------

    def _index(self, quarter_id: int | None) -> _Index:
        index = self._indexes.get(quarter_id)
        if index is None:
            scope = self.entries if quarter_id is None else self._by_quarter.get(quarter_id, [])
            words = {
                q.id: frozenset(normalise(f"{q.name} {q.city}").split())
                for q in self.quarters.values()
            }
            index = self._indexes[quarter_id] = _Index(scope, words)
        return index

    # -- public ----------------------------------------------------------------------------

    def resolve(self, place_text: str | None, quarter_id: int | None = None) -> Resolution:
        """Resolve a place text within a quarter (or among all entries when None)."""
        index = self._index(quarter_id)
        raw = (place_text or "").strip()[:500]
        if not raw:
            return self._quarter(quarter_id, raw, explicit=False)
        folded = fold(raw)
        tokens = strip_fillers([t for t in normalise(raw).split() if t])
        if self._is_quarter_wide(tokens, quarter_id):
            return self._quarter(quarter_id, raw, explicit=True)
        whole = self._lookup(index, "".join(tokens), ("place", "street"))
        if whole is not None:  # the text is a name ("Martener Forum (In der Meile 2)")
            return self._named(whole, raw)
        if _CROSSING_MARK.search(folded):
            found = self._crossing(index, folded, raw)
            if found is not None:
                return found
        found = self._address(index, tokens, raw)
        if found is not None:
            return found
        match = self._find(index, tokens, kinds=("place", "street"))
        if match is not None:
            return self._named(match, raw)
        return self._quarter(quarter_id, raw, explicit=False)

    def resolve_many(
        self, place_texts: Iterable[str | None], quarter_id: int | None = None
    ) -> list[Resolution]:
        """Resolve many statements of one quarter (one index build, then look-ups)."""
        return [self.resolve(t, quarter_id) for t in place_texts]

    # -- steps -----------------------------------------------------------------------------

    def _is_quarter_wide(self, tokens: list[str], quarter_id: int | None) -> bool:
        words = set(QUARTER_WORDS)
        quarter = self.quarters.get(quarter_id) if quarter_id is not None else None
        if quarter is not None:
            words.update(normalise(quarter.name).split())
            words.update(normalise(quarter.city).split())
        return bool(tokens) and all(t in words or t in FILLERS for t in tokens)

    def _crossing(self, index: _Index, folded: str, raw: str) -> Resolution | None:
        for pattern in _CROSSING_PATTERNS:
            m = pattern.search(folded)
            if not m:
                continue
            a_tokens = normalise(m.group("a")).split()
            b_tokens = normalise(m.group("b")).split()
            if not a_tokens or not b_tokens:
                continue
            a = self._find(index, a_tokens, kinds=("street",))
            b = self._find(index, b_tokens, kinds=("street",))
            if a is None or b is None or a.key == b.key:
                continue
            found = self._intersect(index, a, b)
            if found is not None:
                return found
        return None

    def _intersect(self, index: _Index, a: _Match, b: _Match) -> Resolution | None:
        """The crossing point of two matched streets, preferring a common quarter."""
        pairs = [
            (sa, sb) for sa in a.candidates for sb in b.candidates if sa.quarter_id == sb.quarter_id
        ] or [(sa, sb) for sa in a.candidates for sb in b.candidates]
        best: tuple[Point, float, _Street, _Street] | None = None
        for sa, sb in pairs:
            cache_key = (
                (sa.key, sb.key, sa.quarter_id)
                if sa.key < sb.key
                else (sb.key, sa.key, sa.quarter_id)
            )
            if cache_key not in index.crossings:
                index.crossings[cache_key] = _meet(sa.geometry, sb.geometry)
            hit = index.crossings[cache_key]
            if best is None or hit[1] < best[1]:
                best = (hit[0], hit[1], sa, sb)
        if best is None:
            return None
        point, distance, sa, sb = best
        confidence = min(_part_certainty(a), _part_certainty(b))
        name = f"{sa.name} / {sb.name}"
        method: str = "crossing"
        geometry: BaseGeometry = point
        if distance <= CROSSING_MEET_M:
            de = f"Kreuzung {name}."
            en = f"Crossing {name}."
        elif distance <= CROSSING_MAX_M:
            confidence *= 0.8
            de = (
                f"{sa.name} und {sb.name} treffen sich im Verzeichnis nicht genau; Punkt "
                f"zwischen ihren nächsten Stellen (Abstand {_metres_de(distance)})."
            )
            en = (
                f"{sa.name} and {sb.name} do not meet exactly in the gazetteer; point between "
                f"their nearest parts ({_metres_en(distance)} apart)."
            )
        else:
            # No crossing: rather the first street than a point in someone's back yard.
            method, geometry, name = "street", sa.geometry, sa.name
            confidence *= 0.5
            de = (
                f"{sa.name} und {sb.name} kreuzen sich nicht (Abstand im Ortsverzeichnis "
                f"{_metres_de(distance)}, mehr als {_metres_de(CROSSING_MAX_M)}); keine "
                f"Kreuzung, die {sa.name} wird verwendet. Bitte prüfen."
            )
            en = (
                f"{sa.name} and {sb.name} do not cross in the gazetteer "
                f"({_metres_en(distance)} apart, more than {_metres_en(CROSSING_MAX_M)}); no "
                f"intersection, {sa.name} is used. Please review."
            )
        if len({p[0].quarter_id for p in pairs}) > 1:
            confidence *= AMBIGUOUS
            de += " Mehrdeutig: die Straßen gibt es in mehreren Quartieren."
            en += " Ambiguous: these streets exist in several quarters."
        de, en = self._fuzzy_note(a, de, en)
        de, en = self._fuzzy_note(b, de, en)
        return _result(
            method, confidence, geometry, name, False, de, en, sa.quarter_id, min(a.score, b.score)
        )

    def _address(self, index: _Index, tokens: list[str], raw: str) -> Resolution | None:
        """Street + house number; None when the text has no number after a street name.

        Every number-like word after the first is a candidate house number ("Straße des
        17. Juni 5" has two); exact street names are tried for all before any fuzzy match.
        """
        positions = [i for i, t in enumerate(tokens) if i > 0 and _HN_TOKEN.match(t)]
        if not positions:
            return None
        found: tuple[_Match, int] | None = None
        for i in positions:
            street = self._exact_street_before(index, tokens[:i])
            if street is not None:
                found = (street, i)
                break
        if found is None:
            for i in positions:
                street = self._fuzzy_street_before(index, tokens[:i])
                if street is not None and (found is None or street.score > found[0].score):
                    found = (street, i)
        if found is None:
            return None
        street, i = found
        housenumber = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if len(following) == 1 and following.isalpha() and not housenumber[-1].isalpha():
            housenumber += following  # "4 a"
        return self._address_on(index, street, parse_housenumber(housenumber) or "", raw)

    def _exact_street_before(self, index: _Index, before: list[str]) -> _Match | None:
        """The street named by the words right before a house number (longest first)."""
        for start in range(max(0, len(before) - index.max_words - 1), len(before)):
            key = "".join(before[start:])
            if key in index.streets:
                return _Match("street", key, 100.0, "exact", index.streets[key])
        return None

    def _fuzzy_street_before(self, index: _Index, before: list[str]) -> _Match | None:
        best: _Match | None = None
        for start in range(max(0, len(before) - 4), len(before)):
            found = self._fuzzy(index, before[start:], kinds=("street",))
            if found is not None and (best is None or found.score > best.score):
                best = found
        return best

    def _address_on(self, index: _Index, street: _Match, housenumber: str, raw: str) -> Resolution:
        numbers = index.addresses.get(street.key, {})
        candidates: list[_Street] = street.candidates
        street_name = candidates[0].name if candidates else street.key
        certainty = _part_certainty(street)
        exact = numbers.get(housenumber)
        if exact:
            quarters = {a.entry.quarter_id for a in exact}
            address = exact[0]
            named = next((a.named for a in exact if a.named), None)
            label = f"{address.entry.street or street_name} {housenumber}"
            de, en = f"Adresse {label} gefunden.", f"Address {label} found."
            if named:
                de += f" Dort ist „{named}“ (keine Wohnadresse)."
                en += f" It is '{named}' (not a home address)."
            if len(quarters) > 1:
                certainty *= AMBIGUOUS
                de += " Mehrdeutig: die Adresse gibt es in mehreren Quartieren."
                en += " Ambiguous: the address exists in several quarters."
            de, en = self._fuzzy_note(street, de, en)
            return _result(
                "address",
                certainty,
                address.entry.geometry,
                f"{label} ({named})" if named else label,
                named is None,
                de,
                en,
                address.entry.quarter_id,
                street.score,
            )
        if numbers:
            nearest = _nearest_number(numbers, housenumber)
            address = numbers[nearest][0]
            label = f"{address.entry.street or street_name} {nearest}"
            de = (
                f"Hausnummer {housenumber} an der {street_name} nicht im Verzeichnis; "
                f"nächstgelegene Hausnummer {nearest} verwendet."
            )
            en = (
                f"House number {housenumber} on {street_name} is not in the gazetteer; "
                f"nearest house number {nearest} used."
            )
            de, en = self._fuzzy_note(street, de, en)
            gap = abs(housenumber_value(nearest) - housenumber_value(housenumber))
            return _result(
                "address",
                certainty * (NEAREST_HOUSENUMBER - 0.01 * min(gap, 20)),
                address.entry.geometry,
                label,
                True,  # the text named an address we do not know: treat it as a home
                de,
                en,
                address.entry.quarter_id,
                street.score,
            )
        best = candidates[0]
        de = (
            f"Hausnummer {housenumber} an der {street_name} nicht im Verzeichnis; "
            "die Straße wird verwendet."
        )
        en = (
            f"House number {housenumber} on {street_name} is not in the gazetteer; "
            "the street is used."
        )
        if len(candidates) > 1:
            certainty *= AMBIGUOUS
        de, en = self._fuzzy_note(street, de, en)
        return _result(
            "street",
            certainty * STREET_FOR_ADDRESS,
            best.geometry,
            best.name,
            False,
            de,
            en,
            best.quarter_id,
            street.score,
        )

    def _named(self, match: _Match, raw: str) -> Resolution:
        """A place or street found by :meth:`_find`."""
        certainty = {"exact": 1.0, "alias": ALIAS, "contained": CONTAINED}.get(
            match.how, 0.9 * match.score / 100
        )
        first = match.candidates[0]
        name = first.name
        what_de, what_en = ("Ort", "place") if match.kind == "place" else ("Straße", "street")
        if match.how == "fuzzy":
            shown = raw[:80]
            de = (
                f"„{shown}“ unscharf als {what_de} „{name}“ gedeutet "
                f"(Ähnlichkeit {match.score:.0f} %)."
            )
            en = f"'{shown}' read as {what_en} '{name}' (fuzzy, similarity {match.score:.0f} %)."
        else:
            de = f"{what_de} „{name}“ gefunden."
            en = f"{what_en.capitalize()} '{name}' found."
        if _spread_m(match.candidates) > SAME_PLACE_M:
            certainty *= AMBIGUOUS
            de += f" Mehrdeutig: {len(match.candidates)} Einträge dieses Namens."
            en += f" Ambiguous: {len(match.candidates)} entries of this name."
        return _result(
            match.kind,
            certainty,
            first.geometry,
            name,
            False,
            de,
            en,
            first.quarter_id,
            match.score,
        )

    def _quarter(self, quarter_id: int | None, raw: str, *, explicit: bool) -> Resolution:
        quarter = self.quarters.get(quarter_id) if quarter_id is not None else None
        label = quarter.label if quarter else "?"
        shown = raw[:80]
        if explicit:
            de = f"„{shown}“ betrifft das ganze Quartier {label}; dort verortet."
            en = f"'{shown}' concerns the whole quarter {label}; placed there."
        elif not raw:
            de = f"Keine Ortsangabe; im Quartier {label} verortet."
            en = f"No place given; placed in the quarter {label}."
        else:
            de = f"„{shown}“ nicht im Ortsverzeichnis gefunden; im Quartier {label} verortet."
            en = f"'{shown}' not found in the gazetteer; placed in the quarter {label}."
        if quarter is None:
            de += " Kein Quartier angegeben, daher ohne Geometrie."
            en += " No quarter given, hence no geometry."
        de += " Bitte prüfen."
        en += " Please review."
        return Resolution(
            method="quarter",
            confidence=QUARTER_EXPLICIT if explicit else 0.0,
            geometry=quarter.point if quarter else None,
            matched=quarter.name if quarter else "",
            needs_review=True,
            from_home_address=False,
            explanation_de=de,
            explanation_en=en,
            quarter_id=quarter_id,
            score=0.0,
        )

    # -- matching --------------------------------------------------------------------------

    def _lookup(self, index: _Index, key: str, kinds: tuple[str, ...]) -> _Match | None:
        """A name or alias equal to ``key``: places before streets, real names before aliases."""
        for kind in kinds:
            table = index.places if kind == "place" else index.streets
            if key in table:
                return _Match(kind, key, 100.0, "exact", table[key])
        if "place" in kinds and key in index.place_aliases:
            return _Match("place", key, 100.0, "alias", index.place_aliases[key])
        return None

    def _find(self, index: _Index, tokens: list[str], kinds: tuple[str, ...]) -> _Match | None:
        """Exact name, then the longest name inside the text, then fuzzy."""
        if not tokens:
            return None
        found = self._lookup(index, "".join(tokens), kinds)
        if found is not None:
            return found
        n = len(tokens)
        for width in range(min(n - 1, index.max_words), 0, -1):
            for start in range(0, n - width + 1):
                found = self._lookup(index, "".join(tokens[start : start + width]), kinds)
                if found is not None:
                    found.how, found.score = "contained", 100.0 * CONTAINED
                    return found
        return self._fuzzy(index, tokens, kinds)

    def _fuzzy(self, index: _Index, tokens: list[str], kinds: tuple[str, ...]) -> _Match | None:
        """Typo-tolerant match: word order free, a shortened name scores at most 90.

        ``token_sort_ratio`` compares whole names (typos, word order); ``token_set_ratio``
        × :data:`SUBSET_FACTOR` lets "Herz-Jesu" find "Herz-Jesu-Kirche" without letting a
        shared word such as "strasse" decide. (``WRatio``'s partial matching scored
        "Mueller Strasse" 86 against "Spielplatz an der Bärendorfer Straße".)
        """
        if all(t in GENERIC or t.isdigit() for t in tokens):
            return None
        query = " ".join(tokens)
        if len(query.replace(" ", "")) < 4:
            return None
        ordered = " ".join(sorted(tokens))
        wanted = {t for t in tokens if t not in GENERIC and not t.isdigit()}
        scored: dict[tuple[str, str], float] = {}
        for kind in kinds:
            names = index.fuzzy[kind]
            if not names.keys:
                continue
            # token_sort_ratio is the plain ratio of the word-sorted strings (pre-sorted).
            for _, score, i in process.extract(
                ordered, names.ordered, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
            ):
                ref = (kind, names.keys[i])
                scored[ref] = max(scored.get(ref, 0.0), float(score))
            # A name that contains the text's words: only names sharing a word can qualify.
            sharing = sorted({i for t in wanted for i in names.by_word.get(t, ())})
            for _, score, j in process.extract(
                query,
                [names.choices[i] for i in sharing],
                scorer=fuzz.token_set_ratio,
                score_cutoff=FUZZY_CUTOFF / SUBSET,
                limit=3,
            ):
                ref = (kind, names.keys[sharing[j]])
                scored[ref] = max(scored.get(ref, 0.0), float(score) * SUBSET)
        if not scored:
            return None
        ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0][0] != "place"))
        (kind, key), score = ranked[0]
        candidates = list(self._table(index, kind)[key])
        for (other_kind, other_key), other_score in ranked[1:]:
            if other_score >= score:  # a tie: keep all, so the result is marked ambiguous
                candidates += self._table(index, other_kind)[other_key]
        return _Match(kind, key, score, "fuzzy", candidates)

    @staticmethod
    def _table(index: _Index, kind: str) -> Mapping[str, list[Any]]:
        return index.places if kind == "place" else index.streets

    @staticmethod
    def _fuzzy_note(match: _Match, de: str, en: str) -> tuple[str, str]:
        if match.how != "fuzzy":
            return de, en
        name = match.candidates[0].name
        return (
            f"{de} („{name}“ unscharf erkannt, Ähnlichkeit {match.score:.0f} %.)",
            f"{en} ('{name}' matched fuzzily, similarity {match.score:.0f} %.)",
        )


def _result(
    method: str,
    confidence: float,
    geometry: BaseGeometry,
    matched: str,
    from_home: bool,
    de: str,
    en: str,
    quarter_id: int | None,
    score: float,
) -> Resolution:
    confidence = round(max(0.0, min(1.0, confidence)), 3)
    return Resolution(
        method=method,
        confidence=confidence,
        geometry=geometry,
        matched=matched,
        needs_review=confidence < REVIEW_BELOW,
        from_home_address=from_home,
        explanation_de=de,
        explanation_en=en,
        quarter_id=quarter_id,
        score=score,
    )


def _nearest_number(numbers: Mapping[str, list[_Address]], housenumber: str) -> str:
    """The known house number closest to ``housenumber``, same street side first.

    German streets number odd on one side and even on the other, so 12 is closer to 14 than
    to 11 for anyone standing in front of it.
    """
    wanted = housenumber_value(housenumber)

    def distance(candidate: str) -> tuple[int, int, str]:
        value = housenumber_value(candidate)
        return ((value - wanted) % 2, abs(value - wanted), candidate)

    return min(numbers, key=distance)


def _spread_m(candidates: Sequence[Any]) -> float:
    """How far apart the candidates of one name lie (metres; 0 for a single candidate)."""
    if len(candidates) < 2:
        return 0.0
    points = MultiPoint([c.geometry.point_on_surface() for c in candidates])
    x0, y0, x1, y1 = to_metric(points).bounds
    return float(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5)


def _meet(a: BaseGeometry, b: BaseGeometry) -> tuple[Point, float]:
    """Where two street geometries meet: (point, gap in metres; 0 when they intersect)."""
    inter = a.intersection(b)
    if not inter.is_empty:
        if inter.geom_type == "Point":
            return inter, 0.0
        points = [p for p in shapely.get_parts(inter) if p.geom_type == "Point"]
        if points:
            return points[0], 0.0
        return inter.point_on_surface(), 0.0  # the streets share a stretch
    pa, pb = nearest_points(a, b)
    gap = float(to_metric(pa).distance(to_metric(pb)))
    return Point((pa.x + pb.x) / 2, (pa.y + pb.y) / 2), gap


def _alias(name: str, quarter_words: frozenset[str]) -> str | None:
    """The key of a place name without the quarter's name/city, if that still says something."""
    if not quarter_words:
        return None
    tokens = normalise(name).split()
    rest = [t for t in tokens if t not in quarter_words]
    if not rest or len(rest) == len(tokens) or all(t in GENERIC for t in rest):
        return None
    return "".join(rest)


def _part_certainty(match: _Match) -> float:
    """How sure a street named in a crossing is: exact or inside the words → 1, fuzzy less."""
    if match.how in ("exact", "contained"):
        return 1.0
    return ALIAS if match.how == "alias" else 0.9 * match.score / 100


def _metres_de(value: float) -> str:
    return f"{value:,.0f} m".replace(",", ".")


def _metres_en(value: float) -> str:
    return f"{value:,.0f} m"
