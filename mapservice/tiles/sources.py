"""Layer → SQL source with visibility: the one place that knows which table feeds a layer.

Tiles, TileJSON extents, OGC items, counts and collection extents all build their queries
from a ``Source``, so a rule such as "the public sees published observations only" or "the
public sees a finding's generalised geometry, never its exact one" is written exactly once
and holds in every output. The SQL fragments use ``%(name)s`` placeholders only; values are
always bound, and the text depends only on the source, the scope and which filters are set,
so it stays stable per layer shape and PostgreSQL can keep it prepared.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mapservice.access import Viewer, finding_visibility, observation_visibility, scope_key
from mapservice.catalog import Catalog, Layer, LayerSource, UnknownLayer
from mapservice.db.models import KINDS, STATUSES
from mapservice.errors import InvalidInput
from mapservice.tiles.filters import NO_FILTERS, QUARTER_ID, Filters

#: Field types as TileJSON's ``vector_layers.fields`` names them.
STRING, NUMBER = "String", "Number"


def _iso(column: str) -> str:
    """A timestamptz as an RFC 3339 UTC string, the same in MVT and GeoJSON."""
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"


@dataclass(frozen=True)
class Prop:
    """One output property: its name, the SQL that computes it, its TileJSON type."""

    name: str
    sql: str
    type: str = STRING


@dataclass(frozen=True)
class Source:
    """A layer's visible rows for one viewer scope, as SQL fragments.

    ``where`` already holds layer, visibility and filter conditions; ``params`` the values
    they need. Callers add their own spatial and paging conditions around it.
    """

    layer: Layer
    scope: str
    table: str
    alias: str
    joins: str
    where: str
    geom: str
    id_sql: str
    id_type: str
    kind: str | None
    props: tuple[Prop, ...]
    time_start: str | None
    time_end: str | None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def from_sql(self) -> str:
        """The FROM clause: the layer's table under its alias, plus any joins."""
        return f"{self.table} {self.alias}{self.joins}"

    def select_list(self) -> str:
        """``id, geom, ord`` and every property as a named column (names quoted)."""
        cols = [f"{self.id_sql} AS ord", f"{self.geom} AS geom"]
        cols += [f'{p.sql} AS "{p.name}"' for p in self.props]
        return ", ".join(cols)

    def prop_names(self) -> list[str]:
        return [p.name for p in self.props]

    def fields(self) -> dict[str, str]:
        """Property name → TileJSON type, for ``vector_layers`` and queryables."""
        return {p.name: p.type for p in self.props}


#: Which filters each kind of layer understands; ``datetime`` on reference data (which has
#: no time) is accepted and ignored so clients with a time slider can still show it.
APPLICABLE: dict[LayerSource, frozenset[str]] = {
    LayerSource.OBSERVATIONS: frozenset({"quarter", "kind", "datetime", "walkthrough", "status"}),
    LayerSource.FINDINGS: frozenset({"quarter", "kind", "datetime", "status"}),
    LayerSource.WALKTHROUGHS: frozenset({"quarter", "datetime", "walkthrough"}),
    LayerSource.REFERENCE: frozenset({"quarter", "datetime"}),
    LayerSource.MEASURES: frozenset({"quarter", "datetime"}),
}


def applicable_filters(layer: Layer, viewer: Viewer) -> frozenset[str]:
    """Filters this viewer may use on this layer (``status`` is for planners and admins)."""
    names = APPLICABLE[layer.source]
    return names if viewer.sees_everything else names - {"status"}


def visible_layer(catalog: Catalog, layer_id: str, viewer: Viewer) -> Layer:
    """The layer, or ``UnknownLayer`` (404) when it does not exist *or* the viewer may not
    see it — a non-public layer is indistinguishable from a missing one for the public."""
    if layer_id in catalog:
        layer = catalog.get(layer_id)
        if layer.public or not viewer.is_public:
            return layer
    raise UnknownLayer(layer_id, [lay.id for lay in visible_layers(catalog, viewer)])


def tile_layer(catalog: Catalog, layer_id: str, viewer: Viewer) -> Layer:
    """``visible_layer`` plus the built-in measures layer (``massnahmen``, published
    measures for the public), which has tiles and TileJSON but is not in the catalogue."""
    from mapservice.programme.layer import LAYER_ID, MEASURES_LAYER

    if layer_id == LAYER_ID and layer_id not in catalog:
        return MEASURES_LAYER
    return visible_layer(catalog, layer_id, viewer)


def visible_layers(catalog: Catalog, viewer: Viewer) -> list[Layer]:
    return [layer for layer in catalog if layer.public or not viewer.is_public]


def version_key(layer: Layer) -> str:
    """The ``layer_version`` row the write triggers bump for this layer's table."""
    if layer.source == LayerSource.FINDINGS:
        return "aussagen"
    if layer.source == LayerSource.WALKTHROUGHS:
        return "begehungen"
    return layer.id


def check_filters(layer: Layer, viewer: Viewer, filters: Filters) -> None:
    """Refuse filters a layer does not have (400) and ``status`` for non-planners (401/403)."""
    if filters.status is not None:
        viewer.require("planner", "admin")
    wrong = [name for name in filters.used() if name not in APPLICABLE[layer.source]]
    if wrong:
        names = ", ".join(wrong)
        raise InvalidInput(
            f"Die Ebene {layer.id} kennt den Filter {names} nicht "
            f"(möglich: {', '.join(sorted(APPLICABLE[layer.source]))}).",
            f"Layer {layer.id} has no filter {names} "
            f"(possible: {', '.join(sorted(APPLICABLE[layer.source]))}).",
            code="filter_not_applicable",
        )


def source_for(layer: Layer, viewer: Viewer, filters: Filters = NO_FILTERS) -> Source:
    """SQL fragments of ``layer`` as ``viewer`` may see it, narrowed by ``filters``.

    Call ``check_filters`` first; this function trusts that the filters apply.
    """
    build = _BUILDERS[layer.source]
    source = build(layer, viewer)
    clauses = [source.where]
    params: dict[str, Any] = {"layer": layer.id, **source.params}
    columns = _FILTER_COLUMNS[layer.source]
    for name in ("quarter", "kind", "walkthrough", "status"):
        if getattr(filters, name) is not None:
            clauses.append(columns[name])
    span = {"start": source.time_start, "end": source.time_end}
    if filters.since is not None and layer.source != LayerSource.REFERENCE:
        clauses.append(columns["since"].format(**span))
    if filters.until is not None and layer.source != LayerSource.REFERENCE:
        clauses.append(columns["until"].format(**span))
    params.update(filters.params())
    return replace(source, where=" AND ".join(f"({c})" for c in clauses), params=params)


def _pick(layer: Layer, available: dict[str, Prop], always: tuple[str, ...]) -> tuple[Prop, ...]:
    """Always-present properties first, then the layer's popup fields the table can supply."""
    names = [n for n in always if n in available]
    names += [n for n in layer.popup_fields if n in available and n not in names]
    return tuple(available[n] for n in names)


def _observations(layer: Layer, viewer: Viewer) -> Source:
    available = {
        "id": Prop("id", "o.id::text"),
        "kind": Prop("kind", "o.kind"),
        "rating": Prop("rating", "o.rating", NUMBER),
        "title": Prop("title", "o.title"),
        "description": Prop("description", "o.description"),
        "observed_at": Prop("observed_at", _iso("o.observed_at")),
        "walkthrough": Prop("walkthrough", "o.walkthrough_id::text"),
        "layer": Prop("layer", "o.layer_id"),
        "status": Prop("status", "o.status"),
    }
    visible = observation_visibility(viewer, "o", "%(viewer)s::text")
    if viewer.sees_everything:  # a restricted planner's tiles are cached apart
        scope, params = "all" + (f"|{scope_key(viewer)}" if viewer.restricted else ""), {}
    elif viewer.role == "field":
        scope, params = f"field:{viewer.name}", {"viewer": viewer.name}
    else:
        scope, params = "public", {}
    return Source(
        layer=layer,
        scope=scope,
        table="observation",
        alias="o",
        joins="",
        where=f"o.layer_id = %(layer)s::text AND ({visible})",
        geom="o.geom",
        id_sql="o.id",
        id_type="uuid",
        kind="o.kind",
        props=_pick(layer, available, ("id", "kind", "rating")),
        time_start="o.observed_at",
        time_end="o.observed_at",
        params=params,
    )


def _findings(layer: Layer, viewer: Viewer) -> Source:
    exact = viewer.sees_everything  # field teams see findings as the public does
    view = finding_visibility(viewer, "a")
    place = view.place
    available = {
        "id": Prop("id", "a.id::text"),
        "kind": Prop("kind", "a.kind"),
        "statement": Prop("statement", view.statement),
        "georef_method": Prop("georef_method", "a.georef_method"),
        "layer": Prop("layer", "array_to_string(a.layer_ids, ',')"),
        "place_text": Prop("place_text", place),
        "observed_at": Prop("observed_at", f"to_char(i.held_on, '{view.held_format}')"),
        "status": Prop("status", "a.status"),
    }
    geom = view.geom
    visible = f"{view.visible} AND {geom} IS NOT NULL"
    return Source(
        layer=layer,
        scope=("all" + (f"|{scope_key(viewer)}" if viewer.restricted else ""))
        if exact
        else "public",
        table="finding",
        alias="a",
        # interview is joined for its date only: pseudonyms and contacts are never selected.
        joins=" JOIN interview i ON i.id = a.interview_id",
        where=visible,
        geom=geom,
        id_sql="a.id",
        id_type="uuid",
        kind="a.kind",
        props=_pick(layer, available, ("id", "kind", "georef_method")),
        time_start=view.held_from,
        time_end=view.held_to,
    )


def _walkthroughs(layer: Layer, viewer: Viewer) -> Source:
    available = {
        "id": Prop("id", "w.id::text"),
        "title": Prop("title", "w.title"),
        "observed_at": Prop("observed_at", _iso("w.started_at")),
        "started_at": Prop("started_at", _iso("w.started_at")),
        "ended_at": Prop("ended_at", _iso("w.ended_at")),
        "residents": Prop("residents", "w.residents", NUMBER),
        "multipliers": Prop("multipliers", "w.multipliers", NUMBER),
        "experts": Prop("experts", "w.experts", NUMBER),
        "administration": Prop("administration", "w.administration", NUMBER),
    }
    always = ("id", "title", "started_at", "ended_at", "residents", "multipliers", "experts",
              "administration")  # fmt: skip
    return Source(
        layer=layer,
        scope="all",  # tracks are public for everyone; author, team and notes are never served
        table="walkthrough",
        alias="w",
        joins="",
        where="w.track IS NOT NULL",
        geom="w.track",
        id_sql="w.id",
        id_type="uuid",
        kind=None,
        props=_pick(layer, available, always),
        time_start="w.started_at",
        time_end="coalesce(w.ended_at, w.started_at)",
    )


def _reference(layer: Layer, viewer: Viewer) -> Source:
    available = {
        "id": Prop("id", "r.id", NUMBER),
        "name": Prop("name", "r.properties->>'name'"),
        "category": Prop("category", "r.properties->>'category'"),
        "address": Prop("address", "r.properties->>'address'"),
        "layer": Prop("layer", "r.layer_id"),
    }
    return Source(
        layer=layer,
        scope="all",  # whether the layer is visible at all is decided by visible_layer()
        table="reference_feature",
        alias="r",
        joins="",
        where="r.layer_id = %(layer)s::text",
        geom="r.geom",
        id_sql="r.id",
        id_type="bigint",
        kind=None,
        props=_pick(layer, available, ("id",)),
        time_start=None,
        time_end=None,
    )


def _measures(layer: Layer, viewer: Viewer) -> Source:
    """Measures with a place: the public sees published ones only (the rule of /api/measures,
    ``programme.measures.visible_sql``). The figure (progress) is not in the tile: on parents
    it is computed from the children in Python; the map reads it from /api/measures."""
    from mapservice.programme.measures import visible_sql

    props = (
        Prop("id", "m.id::text"),
        Prop("reference", "m.reference"),
        Prop("title", "m.title"),
        Prop("phase", "m.phase"),
        Prop("status", "m.status"),
        Prop("layers", "array_to_string(m.layer_ids, ',')"),
        Prop("dimensions", "array_to_string(m.dimensions, ',')"),
        Prop("start_date", "to_char(m.start_date, 'YYYY-MM-DD')"),
        Prop("end_date", "to_char(m.end_date, 'YYYY-MM-DD')"),
    )
    if viewer.sees_everything:
        scope = "all" + (f"|{scope_key(viewer)}" if viewer.restricted else "")
    else:
        scope = "public"
    return Source(
        layer=layer,
        scope=scope,
        table="measure",
        alias="m",
        joins="",
        where=f"m.geom IS NOT NULL AND {visible_sql(viewer)}",
        geom="m.geom",
        id_sql="m.id",
        id_type="uuid",
        kind=None,
        props=props,
        time_start="m.start_date",
        time_end="m.end_date",
    )


_BUILDERS = {
    LayerSource.MEASURES: _measures,
    LayerSource.OBSERVATIONS: _observations,
    LayerSource.FINDINGS: _findings,
    LayerSource.WALKTHROUGHS: _walkthroughs,
    LayerSource.REFERENCE: _reference,
}

_SINCE, _UNTIL = "%(since)s::timestamptz", "%(until)s::timestamptz"
_FILTER_COLUMNS: dict[LayerSource, dict[str, str]] = {
    LayerSource.OBSERVATIONS: {
        "quarter": f"o.quarter_id = {QUARTER_ID}",
        "kind": "o.kind = %(kind)s::text",
        "walkthrough": "o.walkthrough_id = %(walkthrough)s::uuid",
        "status": "o.status = %(status)s::text",
        "since": f"o.observed_at >= {_SINCE}",
        "until": f"o.observed_at <= {_UNTIL}",
    },
    LayerSource.FINDINGS: {
        "quarter": f"a.quarter_id = {QUARTER_ID}",
        "kind": "a.kind = %(kind)s::text",
        "status": "a.status = %(status)s::text",
        # an interview date is a whole (UTC) day — for the public a whole month — and matches
        # when it meets the interval ({end} and {start}: the source's time_end / time_start)
        "since": f"{{end}} >= ({_SINCE} AT TIME ZONE 'UTC')::date",
        "until": f"{{start}} <= ({_UNTIL} AT TIME ZONE 'UTC')::date",
    },
    LayerSource.WALKTHROUGHS: {
        "quarter": f"w.quarter_id = {QUARTER_ID}",
        "walkthrough": "w.id = %(walkthrough)s::uuid",
        "since": f"coalesce(w.ended_at, w.started_at) >= {_SINCE}",
        "until": f"w.started_at <= {_UNTIL}",
    },
    LayerSource.REFERENCE: {"quarter": f"r.quarter_id = {QUARTER_ID}"},
    LayerSource.MEASURES: {
        "quarter": "EXISTS (SELECT 1 FROM measure_quarter mq WHERE mq.measure_id = m.id "
        f"AND mq.quarter_id = {QUARTER_ID})",
        # a measure runs from its start to its end date; an open end runs on
        "since": f"coalesce({{end}}, 'infinity'::date) >= ({_SINCE} AT TIME ZONE 'UTC')::date",
        "until": f"coalesce({{start}}, '-infinity'::date) <= ({_UNTIL} AT TIME ZONE 'UTC')::date",
    },
}

#: JSON Schema of each filter as OGC queryables list them.
QUERYABLE_SCHEMAS: dict[str, dict[str, Any]] = {
    "quarter": {"type": "string", "title": "Quartier (Kürzel) / quarter slug"},
    "kind": {"type": "string", "enum": list(KINDS), "title": "Art / kind"},
    "walkthrough": {"type": "string", "format": "uuid", "title": "Begehung / walkthrough"},
    "status": {"type": "string", "enum": list(STATUSES), "title": "Freigabe / status"},
}
