"""Comparing two rounds of a quarter: fetch, match, classify, count (what the API serves).

Computed on every read from the observations the reader may see (the public: published
ones only), with the planners' stored decisions applied first, so a confirmed pair is never
recomputed away and a split pair never proposed again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer, observation_visibility
from mapservice.catalog import Catalog
from mapservice.change import classification as cls
from mapservice.change.answers import answering_measures, measures_of
from mapservice.change.matching import Item, Pair, match
from mapservice.change.rounds import Round, quarter_id, round_by_label, rounds_of
from mapservice.errors import InvalidInput

#: Observations of one round, with a metric point (EPSG:25832) for the matcher and a
#: WGS 84 point for the map. Lines and areas are matched by a point on their surface.
ROUND_ITEMS = """
WITH wr AS (
  SELECT w.id, coalesce(w.round_id, (SELECT r.id FROM walk_round r
      WHERE r.quarter_id = w.quarter_id
        AND (w.started_at AT TIME ZONE 'Europe/Berlin')::date
            BETWEEN r.period_from AND r.period_to LIMIT 1)) AS rid
  FROM walkthrough w WHERE w.quarter_id = :q
), obs AS (
  SELECT o.*, coalesce(wr.rid, CASE WHEN o.walkthrough_id IS NULL THEN
      (SELECT r.id FROM walk_round r WHERE r.quarter_id = o.quarter_id
         AND (o.observed_at AT TIME ZONE 'Europe/Berlin')::date
             BETWEEN r.period_from AND r.period_to LIMIT 1) END) AS rid
  FROM observation o LEFT JOIN wr ON wr.id = o.walkthrough_id
  WHERE o.quarter_id = :q
)
SELECT o.id::text AS id, o.rid, o.layer_id, o.kind, o.rating, o.title, o.description,
       o.status, ST_X(p.m) AS x, ST_Y(p.m) AS y, ST_X(p.g) AS lon, ST_Y(p.g) AS lat
FROM obs o,
     LATERAL (SELECT ST_PointOnSurface(o.geom) AS g) s,
     LATERAL (SELECT s.g AS g, ST_Transform(s.g, 25832) AS m) p
WHERE o.rid = ANY(CAST(:rids AS integer[])) AND {visible}
"""

#: Which of the given observations lie in the walked area of round :r (tracks + buffer).
WALKED = """
WITH wr AS (
  SELECT w.track FROM walkthrough w
  WHERE w.quarter_id = :q AND w.track IS NOT NULL AND coalesce(w.round_id,
     (SELECT r.id FROM walk_round r WHERE r.quarter_id = w.quarter_id
        AND (w.started_at AT TIME ZONE 'Europe/Berlin')::date
            BETWEEN r.period_from AND r.period_to LIMIT 1)) = :r
), area AS (
  SELECT ST_Union(ST_Buffer(ST_Transform(track, 25832), :buffer)) AS g FROM wr
)
SELECT area.g IS NOT NULL AS has_area, o.id::text AS id,
       ST_Intersects(ST_Transform(o.geom, 25832), area.g) AS walked
FROM area LEFT JOIN (unnest(CAST(:ids AS uuid[])) AS u(id) JOIN observation o ON o.id = u.id)
  ON true
"""


@dataclass(frozen=True)
class Obs:
    id: str
    round_id: int
    layer: str
    kind: str
    rating: int | None
    title: str
    description: str
    status: str
    x: float
    y: float
    lon: float
    lat: float

    def item(self) -> Item:
        return Item(self.id, self.layer, self.x, self.y, f"{self.title} {self.description}")


def fetch(conn: Connection, qid: int, viewer: Viewer, rids: list[int]) -> list[Obs]:
    """The observations of rounds ``rids`` this viewer may read."""
    visible = observation_visibility(viewer, "o", ":viewer_name")
    rows = conn.execute(
        text(ROUND_ITEMS.format(visible=visible)),
        {"q": qid, "rids": rids, "viewer_name": viewer.name},
    )
    return [
        Obs(r.id, r.rid, r.layer_id, r.kind, r.rating, r.title, r.description, r.status,
            r.x, r.y, r.lon, r.lat)
        for r in rows
    ]  # fmt: skip


def decisions(conn: Connection, qid: int) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """The planners' confirmed pairs and split pairs of the quarter."""
    confirmed: list[tuple[str, str]] = []
    split: set[tuple[str, str]] = set()
    for row in conn.execute(
        text(
            "SELECT earlier_id::text AS e, later_id::text AS l, decision "
            "FROM change_match_decision WHERE quarter_id = :q ORDER BY at"
        ),
        {"q": qid},
    ):
        if row.decision == "confirmed":
            confirmed.append((row.e, row.l))
        else:
            split.add((row.e, row.l))
    return confirmed, split


def walked_again(
    conn: Connection, qid: int, later: Round, ids: list[str]
) -> dict[str, bool] | None:
    """For each earlier id: inside the later round's walked area? None: that round has no
    track at all (the caller then falls back to the whole quarter)."""
    rows = conn.execute(
        text(WALKED),
        {"q": qid, "r": later.id, "ids": ids, "buffer": cls.WALKED_BUFFER_M},
    ).all()
    if rows and rows[0].has_area is False:
        return None
    return {r.id: bool(r.walked) for r in rows if r.id is not None}


def two_rounds(conn: Connection, qid: int, von: str, bis: str) -> tuple[Round, Round]:
    """The rounds ``von`` and ``bis``; refuses equal or reversed ones in both languages."""
    if von == bis:
        raise InvalidInput(
            f"von und bis nennen dieselbe Runde '{von}'; zwei verschiedene Runden angeben.",
            f"von and bis name the same round '{von}'; give two different rounds.",
            code="same_round",
        )
    earlier, later = round_by_label(conn, qid, von), round_by_label(conn, qid, bis)
    if earlier.period_from > later.period_from:
        raise InvalidInput(
            f"Runde '{von}' ({earlier.period_from}) liegt nach Runde '{bis}' "
            f"({later.period_from}); von muss die frühere Runde sein.",
            f"Round '{von}' ({earlier.period_from}) lies after round '{bis}' "
            f"({later.period_from}); von must be the earlier round.",
            code="rounds_reversed",
        )
    return earlier, later


@dataclass
class Comparison:
    earlier: Round
    later: Round
    earlier_obs: list[Obs]
    later_obs: list[Obs]
    pairs: list[Pair]
    walked: dict[str, bool] | None
    distances: dict[str, float]


def compare_rounds(
    conn: Connection, catalog: Catalog, viewer: Viewer, qid: int, earlier: Round, later: Round
) -> Comparison:
    """Match two rounds with the stored decisions applied."""
    obs = fetch(conn, qid, viewer, [earlier.id, later.id])
    e_obs = [o for o in obs if o.round_id == earlier.id]
    l_obs = [o for o in obs if o.round_id == later.id]
    distances = {layer.id: layer.match_distance_m for layer in catalog}
    confirmed, split = decisions(conn, qid)
    pairs = match(
        [o.item() for o in e_obs], [o.item() for o in l_obs], distances,
        confirmed=confirmed, split=split,
    )  # fmt: skip
    paired = {p.earlier for p in pairs}
    singles = [o.id for o in e_obs if o.id not in paired]
    walked = walked_again(conn, qid, later, singles)
    return Comparison(earlier, later, e_obs, l_obs, pairs, walked, distances)


def _lineage(
    conn: Connection, catalog: Catalog, viewer: Viewer, qid: int, rounds: list[Round],
    direct: Comparison,
) -> dict[str, tuple[str, str]]:  # fmt: skip
    """first_seen / last_seen per observation id, along pairs of consecutive rounds."""
    parent: dict[str, str] = {}
    seen_in: dict[str, str] = {}
    for a, b in itertools.pairwise(rounds):
        same = a.id == direct.earlier.id and b.id == direct.later.id
        comp = direct if same else compare_rounds(conn, catalog, viewer, qid, a, b)
        for o in comp.earlier_obs:
            seen_in[o.id] = a.label
        for o in comp.later_obs:
            seen_in[o.id] = b.label
        for p in comp.pairs:
            parent[p.later] = p.earlier
    child = {e: l_ for l_, e in parent.items()}
    out: dict[str, tuple[str, str]] = {}
    for oid in seen_in:
        first = oid
        while first in parent:
            first = parent[first]
        last = oid
        while last in child:
            last = child[last]
        out[oid] = (seen_in[first], seen_in[last])
    return out


def change(
    conn: Connection, catalog: Catalog, viewer: Viewer, slug: str, von: str, bis: str,
    lang: str = "de",
) -> dict[str, Any]:  # fmt: skip
    """The comparison of rounds ``von`` and ``bis``: pairs, singles, classes and counts."""
    qid = quarter_id(conn, slug)
    earlier, later = two_rounds(conn, qid, von, bis)
    comp = compare_rounds(conn, catalog, viewer, qid, earlier, later)
    rounds = rounds_of(conn, qid)
    lineage = _lineage(conn, catalog, viewer, qid, rounds, comp)
    by_id = {o.id: o for o in comp.earlier_obs + comp.later_obs}
    titles = {layer.id: layer.title(lang) for layer in catalog}

    def obs(o: Obs) -> dict[str, Any]:
        first, last = lineage.get(o.id, (None, None))
        return {
            "id": o.id, "layer": o.layer, "layer_title": titles.get(o.layer, o.layer),
            "kind": o.kind, "rating": o.rating, "title": o.title,
            "description": o.description, "lon": round(o.lon, 6), "lat": round(o.lat, 6),
            "first_seen": first, "last_seen": last,
        }  # fmt: skip

    answers = answering_measures(conn, viewer, list(by_id), lang)
    counts = {k: 0 for k in cls.CLASSES}
    by_layer: dict[str, dict[str, int]] = {}

    def count(klass: str, layer: str) -> None:
        counts[klass] += 1
        row = by_layer.setdefault(layer, {k: 0 for k in cls.CLASSES})
        row[klass] += 1

    pairs = []
    for p in comp.pairs:
        e, l_ = by_id[p.earlier], by_id[p.later]
        klass = cls.classify_pair(e.kind, e.rating, l_.kind, l_.rating)
        count(klass, e.layer)
        pairs.append(
            {
                "class": klass, "label": _label(klass, lang), "earlier": obs(e), "later": obs(l_),
                "distance_m": p.distance_m, "text_similarity": p.text_similarity,
                "score": p.score, "confirmed": p.confirmed,
                "measures": measures_of(answers, e.id, l_.id),
                "rating_change": None if e.rating is None or l_.rating is None
                else l_.rating - e.rating,
            }
        )  # fmt: skip
    paired_e = {p.earlier for p in comp.pairs}
    paired_l = {p.later for p in comp.pairs}
    singles = []
    for o in comp.earlier_obs:
        if o.id in paired_e:
            continue
        compared = comp.distances.get(o.layer, 0) > 0
        walked = True if comp.walked is None else comp.walked.get(o.id, False)
        klass = cls.classify_earlier_single(o.kind, walked, compared)
        count(klass, o.layer)
        singles.append({"class": klass, "label": _label(klass, lang), "round": earlier.label,
                        "observation": obs(o), "measures": measures_of(answers, o.id)})  # fmt: skip
    for o in comp.later_obs:
        if o.id in paired_l:
            continue
        klass = cls.classify_later_single(comp.distances.get(o.layer, 0) > 0)
        count(klass, o.layer)
        singles.append({"class": klass, "label": _label(klass, lang), "round": later.label,
                        "observation": obs(o), "measures": measures_of(answers, o.id)})  # fmt: skip
    return {
        "quarter": slug,
        "von": earlier.label,
        "bis": later.label,
        "observations": {earlier.label: len(comp.earlier_obs), later.label: len(comp.later_obs)},
        "walked_area": _walked_note(comp.walked is None),
        "rules": {
            "clearly_better": cls.CLEARLY_BETTER,
            "worse": cls.WORSE,
            "walked_buffer_m": cls.WALKED_BUFFER_M,
            "match_distance_m": {k: v for k, v in sorted(comp.distances.items())},
        },
        "classes": [{"key": k, "label": _label(k, lang)} for k in cls.CLASSES],
        "counts": counts,
        "counts_by_layer": dict(sorted(by_layer.items())),
        "pairs": pairs,
        "singles": singles,
    }


def _walked_note(fallback: bool) -> dict[str, Any]:
    if fallback:
        return {
            "source": "quarter", "buffer_m": cls.WALKED_BUFFER_M,
            "note_de": "Die spätere Runde hat keine GPS-Spuren: als begangen gilt das ganze "
            "Quartier, nicht wiedergefundene Probleme zählen daher als behoben.",
            "note_en": "The later round has no GPS tracks: the whole quarter counts as walked, "
            "so problems not found again count as fixed.",
        }  # fmt: skip
    return {
        "source": "tracks", "buffer_m": cls.WALKED_BUFFER_M,
        "note_de": f"Begangen: {cls.WALKED_BUFFER_M:g} m um die GPS-Spuren der späteren Runde.",
        "note_en": f"Walked: {cls.WALKED_BUFFER_M:g} m around the later round's GPS tracks.",
    }  # fmt: skip


def _label(klass: str, lang: str) -> str:
    de, en = cls.LABELS[klass]
    return en if lang == "en" else de
