"""Quarter figures: the counted facts of ``queries.py`` shaped into a ``QuarterSummary``.

The shaping is plain Python over a few hundred rows at most, so it costs microseconds; all
heavy lifting (scanning observations, measuring tracks) stays in the one SQL statement.
``summaries`` serves the start page (every quarter, one query for facts) and
``quarter_summary`` the API (one quarter, 404 when it does not exist).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from mapservice.access import Viewer
from mapservice.catalog import Catalog, Dimension, Kind, LayerSource
from mapservice.errors import NotFound
from mapservice.figures import labels
from mapservice.figures.queries import Fact, fetch_facts, fetch_quarters, scope_of
from mapservice.figures.schema import (
    DimensionCount,
    GroupParticipation,
    KindCount,
    LayerCount,
    Placement,
    PlacementLevel,
    QuarterInfo,
    QuarterSummary,
    RatingBalance,
    Totals,
    Walking,
)

KINDS = tuple(k.value for k in Kind)
RATINGS = ("-2", "-1", "0", "1", "2")


def unknown_quarter(slug: str) -> NotFound:
    return NotFound(
        f"Quartier '{slug[:64]}' nicht gefunden.",
        f"Quarter '{slug[:64]}' not found.",
        code="unknown_quarter",
    )


def quarter_summary(
    conn: Connection, catalog: Catalog, viewer: Viewer, slug: str, lang: str = "de"
) -> QuarterSummary:
    """The figures of one quarter as ``viewer`` may see them; ``NotFound`` if there is none."""
    quarters = fetch_quarters(conn, slug)
    if not quarters:
        raise unknown_quarter(slug)
    facts = fetch_facts(conn, catalog, viewer, slug)
    return build_summary(quarters[0], facts, catalog, viewer, lang)


def summaries(
    conn: Connection,
    catalog: Catalog,
    viewer: Viewer,
    lang: str = "de",
    quarters: list[dict[str, Any]] | None = None,
) -> list[QuarterSummary]:
    """Figures of every quarter from two queries, however many quarters there are.

    ``quarters`` (rows with id, slug, name, city, synthetic) saves the first query when the
    caller has read them already, as the start page does together with the outlines.
    """
    quarters = fetch_quarters(conn) if quarters is None else quarters
    by_quarter: dict[int, list[Fact]] = defaultdict(list)
    for fact in fetch_facts(conn, catalog, viewer):
        by_quarter[fact.quarter_id].append(fact)
    return [build_summary(q, by_quarter[q["id"]], catalog, viewer, lang) for q in quarters]


def build_summary(
    quarter: dict[str, Any],
    facts: Iterable[Fact],
    catalog: Catalog,
    viewer: Viewer,
    lang: str = "de",
) -> QuarterSummary:
    """Shape the facts of one quarter; every kind, dimension, group and level is present."""
    lang = labels.lang_of(lang)
    grouped: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        grouped[fact.facet].append(fact)

    observations = _table(grouped["observations"])  # layer -> kind -> n
    finding_layers = _table(grouped["finding_layers"])
    finding_dims = _table(grouped["finding_dimensions"])
    findings = _table(grouped["findings"])  # kind -> method -> n
    walks = grouped["walkthroughs"]
    tracks = {f.a: f.n for f in grouped["tracks"]}  # walkthrough id -> track length (m)
    on_tracks = sum(int(f.n) for f in grouped["observations_by_walkthrough"] if f.a in tracks)

    n_observations = sum(sum(kinds.values()) for kinds in observations.values())
    n_findings = sum(sum(methods.values()) for methods in findings.values())
    n_walks = int(walks[0].n) if walks else 0
    interviews = {f.a: int(f.n) for f in grouped["interviews"]}
    length_m = round(sum(tracks.values()), 1)

    return QuarterSummary(
        quarter=QuarterInfo(
            slug=quarter["slug"], name=quarter["name"], city=quarter["city"],
            synthetic=bool(quarter["synthetic"]),
        ),
        lang=lang,
        scope=scope_of(viewer),
        totals=Totals(
            observations=n_observations, findings=n_findings,
            items=n_observations + n_findings, walkthroughs=n_walks,
            interviews=sum(interviews.values()),
        ),
        walkthroughs=n_walks,
        last_walkthrough=date.fromisoformat(walks[0].a) if walks and walks[0].a else None,
        kinds=_kinds(observations, findings, lang),
        dimensions=_dimensions(observations, finding_dims, catalog, lang),
        layers=_layers(observations, finding_layers, catalog, viewer, lang),
        rating=_rating(grouped["ratings"]),
        participation=[
            GroupParticipation(
                group=group, label=labels.word(group, lang),
                walkthrough_participants=sum(
                    int(f.n) for f in grouped["participants"] if f.a == group
                ),
                interviews=interviews.get(group, 0),
            )
            for group in labels.GROUPS
        ],
        placement=_placement(findings, lang),
        walking=Walking(
            walkthroughs_with_track=len(tracks),
            length_m=length_m,
            observations_on_tracks=on_tracks,
            observations_per_km=round(on_tracks / (length_m / 1000), 2) if length_m else None,
        ),
    )  # fmt: skip


def _table(facts: Iterable[Fact]) -> dict[str, dict[str, int]]:
    """``a -> b -> n`` for facets counted by two keys."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for fact in facts:
        out[fact.a or ""][fact.b or ""] += int(fact.n)
    return out


def _by_kind(*tables: dict[str, int]) -> dict[str, int]:
    return {kind: sum(table.get(kind, 0) for table in tables) for kind in KINDS}


def _kinds(
    observations: dict[str, dict[str, int]], findings: dict[str, dict[str, int]], lang: str
) -> list[KindCount]:
    out = []
    for kind in KINDS:
        n_obs = sum(kinds.get(kind, 0) for kinds in observations.values())
        n_find = sum(findings.get(kind, {}).values())
        out.append(
            KindCount(
                kind=kind, label=labels.kind_label(kind, lang), observations=n_obs,
                findings=n_find, total=n_obs + n_find,
            )
        )  # fmt: skip
    return out


def _dimensions(
    observations: dict[str, dict[str, int]],
    finding_dims: dict[str, dict[str, int]],
    catalog: Catalog,
    lang: str,
) -> list[DimensionCount]:
    """Observations by their layer's dimension; findings as counted per dimension in SQL."""
    obs_dims: dict[str, dict[str, int]] = {d.value: dict.fromkeys(KINDS, 0) for d in Dimension}
    for layer_id, kinds in observations.items():
        if layer_id in catalog:
            target = obs_dims[catalog.get(layer_id).dimension.value]
            for kind, n in kinds.items():
                target[kind] += n
    out = []
    for dim in Dimension:
        obs, found = obs_dims[dim.value], finding_dims.get(dim.value, {})
        by_kind = _by_kind(obs, found)
        out.append(
            DimensionCount(
                dimension=dim.value, label=dim.label(lang), observations=sum(obs.values()),
                findings=sum(found.values()), total=sum(by_kind.values()), by_kind=by_kind,
            )
        )  # fmt: skip
    return out


def _layers(
    observations: dict[str, dict[str, int]],
    finding_layers: dict[str, dict[str, int]],
    catalog: Catalog,
    viewer: Viewer,
    lang: str,
) -> list[LayerCount]:
    """Every thematic layer the viewer may see, in catalogue order, then unknown ones."""
    known = [
        layer
        for layer in catalog.of_source(LayerSource.OBSERVATIONS)
        if layer.public or not viewer.is_public
    ]
    ids = [layer.id for layer in known]
    ids += sorted(i for i in set(observations) | set(finding_layers) if i not in catalog)
    out = []
    for layer_id in ids:
        layer = catalog.get(layer_id) if layer_id in catalog else None
        obs, found = observations.get(layer_id, {}), finding_layers.get(layer_id, {})
        out.append(
            LayerCount(
                layer=layer_id, title=layer.title(lang) if layer else layer_id,
                dimension=layer.dimension.value if layer else None,
                observations=sum(obs.values()), findings=sum(found.values()),
                by_kind=_by_kind(obs, found),
            )
        )  # fmt: skip
    return out


def _rating(facts: Iterable[Fact]) -> RatingBalance:
    counts = dict.fromkeys(RATINGS, 0)
    for fact in facts:
        if fact.a is not None:  # observations without a rating form their own group
            counts[str(int(fact.a))] += int(fact.n)
    rated = sum(counts.values())
    total = sum(int(r) * n for r, n in counts.items())
    return RatingBalance(
        rated=rated, mean=round(total / rated, 2) if rated else None, counts=counts
    )


def _placement(findings: dict[str, dict[str, int]], lang: str) -> Placement:
    methods: dict[str, int] = defaultdict(int)
    for by_method in findings.values():
        for method, n in by_method.items():
            methods[method] += n
    levels = dict.fromkeys(labels.LEVELS, 0)
    for method, n in methods.items():
        levels[labels.level_of(None if method == "unplaced" else method)] += n
    total = sum(levels.values())
    return Placement(
        findings=total,
        levels=[
            PlacementLevel(
                level=level, label=labels.word(level, lang), findings=n,
                share=round(n / total, 3) if total else None,
            )
            for level, n in levels.items()
        ],
        methods=dict(sorted(methods.items())),
    )  # fmt: skip
