"""What a collection can be filtered by (OGC API Features Part 3 queryables): the allow-list.

A queryable is a name, the SQL expression it stands for and its type. ``filter`` and the
queryables-as-query-parameters are translated to SQL over these expressions only; a name
that is not here cannot reach SQL. Expressions are taken from the layer's ``Source`` where
it has them, so a filter sees exactly what the caller may see: the public filters a
finding by its generalised geometry and its public text, never by the exact ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mapservice.access import Viewer
from mapservice.catalog import Layer, LayerSource
from mapservice.db.models import KINDS, STATUSES
from mapservice.ogc.schema import geometry_property
from mapservice.ogc.sdg import SCHEMA as SDG_SCHEMA
from mapservice.ogc.sdg import sdg_sql
from mapservice.tiles.sources import Source

Type = Literal["string", "number", "timestamp", "geometry"]
_QUARTER_OF = "(SELECT q.slug FROM quarter q WHERE q.id = {alias}.quarter_id)"


@dataclass(frozen=True)
class Queryable:
    """One property a filter may name."""

    name: str
    sql: str
    type: Type
    schema: dict[str, Any]
    #: an array of numbers (``sdg``): compared with ``= ANY``, ``&&``, ``@>``, never ``<``
    many: bool = False
    #: ``sql`` is an array of ``type`` (a measure's layers, dimensions): ``=`` means "holds
    #: the value", ``IN`` "holds one of them" (mapservice.ogc.cql).
    array: bool = False


def _schema(type_: Type, title: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "string": {"type": "string"},
        "number": {"type": "number"},
        "timestamp": {"type": "string", "format": "date-time"},
        "geometry": {"$ref": "https://geojson.org/schema/Geometry.json"},
    }[type_]
    return {**base, "title": title, **extra}


def _q(name: str, sql: str, type_: Type, title: str, **extra: Any) -> Queryable:
    return Queryable(name, sql, type_, _schema(type_, title, **extra))


def _from_source(source: Source, names: dict[str, tuple[Type, str]]) -> list[Queryable]:
    """The source's own output expressions for ``names`` (only those it serves)."""
    exprs = {p.name: p.sql for p in source.props}
    return [_q(n, exprs[n], t, title) for n, (t, title) in names.items() if n in exprs]


def queryables_for(layer: Layer, viewer: Viewer, source: Source) -> dict[str, Queryable]:
    """Name → queryable for ``layer`` as ``viewer`` sees it (``status`` for planners only)."""
    geometry = _q("geometry", source.geom, "geometry", "Geometrie / geometry")
    found: list[Queryable] = [geometry]
    a = source.alias
    if layer.source == LayerSource.OBSERVATIONS:
        found += [
            _q("kind", f"{a}.kind", "string", "Art / kind", enum=list(KINDS)),
            _q("rating", f"{a}.rating", "number", "Bewertung / rating", minimum=-2, maximum=2),
            _q("title", f"{a}.title", "string", "Titel / title"),
            _q("description", f"{a}.description", "string", "Notiz / note"),
            _q("observed_at", f"{a}.observed_at", "timestamp", "Beobachtet am / observed at"),
            _q(
                "walkthrough",
                f"{a}.walkthrough_id::text",
                "string",
                "Begehung / walkthrough",
                format="uuid",
            ),
        ]
    elif layer.source == LayerSource.FINDINGS:
        found += [
            _q("kind", f"{a}.kind", "string", "Art / kind", enum=list(KINDS)),
            _q("georef_method", f"{a}.georef_method", "string", "Verortung / placed by"),
        ]
        if viewer.sees_everything:  # the public knows an interview's month only (access.py)
            found.append(
                _q(
                    "observed_at",
                    "(i.held_on::timestamp AT TIME ZONE 'UTC')",
                    "timestamp",
                    "Interview am / interview date",
                )
            )
        found += _from_source(source, {"statement": ("string", "Aussage / statement"),
                                       "place_text": ("string", "Ort / place")})  # fmt: skip
    elif layer.source == LayerSource.WALKTHROUGHS:
        found += [
            _q("title", f"{a}.title", "string", "Titel / title"),
            _q("started_at", f"{a}.started_at", "timestamp", "Beginn / start"),
            _q("ended_at", f"{a}.ended_at", "timestamp", "Ende / end"),
            _q("observed_at", f"{a}.started_at", "timestamp", "Beginn / start"),
        ]
        found += [_q(n, f"{a}.{n}", "number", title) for n, title in (
            ("residents", "Bewohner*innen / residents"),
            ("multipliers", "Multiplikator*innen / multipliers"),
            ("experts", "Expert*innen / experts"),
            ("administration", "Verwaltung / administration"),
        )]  # fmt: skip
    else:
        found += [
            _q(n, f"{a}.properties->>'{n}'", "string", title)
            for n, title in (
                ("name", "Name"),
                ("category", "Kategorie / category"),
                ("address", "Adresse / address"),
            )
        ]
    found.append(_q("quarter", _QUARTER_OF.format(alias=a), "string", "Quartier / quarter"))
    found.append(Queryable("sdg", sdg_sql(layer), "number", dict(SDG_SCHEMA), many=True))
    if layer.source in (LayerSource.OBSERVATIONS, LayerSource.FINDINGS):
        dimension = layer.dimension.value.replace("'", "''")
        found.append(_q("dimension", f"'{dimension}'::text", "string", "Dimension"))
        if viewer.sees_everything:
            found.append(
                _q("status", f"{a}.status", "string", "Freigabe / status", enum=list(STATUSES))
            )
    return {q.name: q for q in found}


def property_schemas(
    queryables: dict[str, Queryable], geometry_types: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Name → JSON Schema; the geometry says the collection's geometry type(s) (Part 5's
    ``format: geometry-…`` with ``x-ogc-role: primary-geometry``, :mod:`.schema`)."""
    out = {name: q.schema for name, q in queryables.items()}
    if geometry_types is not None and "geometry" in out:
        geometry = out["geometry"]
        out["geometry"] = {**geometry, **geometry_property(geometry_types, geometry["title"])}
    return out


def queryables_document(
    root: str, layer: Layer, queryables: dict[str, Queryable], lang: str = "de",
    geometry_types: list[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """JSON Schema of the queryables (Part 3, ``/collections/{id}/queryables``)."""
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": f"{root}/collections/{layer.id}/queryables",
        "type": "object",
        "title": layer.title(lang),
        "properties": property_schemas(queryables, geometry_types),
        "additionalProperties": False,
    }
