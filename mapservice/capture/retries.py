"""A client-made id sent again: the same body is a retry, a different body is a conflict.

Phones retry uploads, so a POST with an id that exists answers 200 with the stored row. That
used to happen whatever the body said, silently dropping the new content. Now the sent
content is compared with the stored row first; when they differ the answer is 409 with both
versions — ``current`` (stored) and ``sent`` — and the code ``version_conflict``, the body of
an If-Match conflict, so the field app shows the same conflict dialog and lets the person
keep theirs (a PATCH against ``current.version``) or take the server's.

Only what the person wrote is compared: the moderation status, the version and the author
are the server's business and change without the phone knowing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from mapservice.errors import Conflict

GEOMETRY_TOLERANCE = 1e-6  # degrees, ≈ 0.1 m; the stored GeoJSON has 7 decimals


class RetryConflict(Conflict):
    """The id exists with other content; the error body carries both versions."""

    code = "version_conflict"

    def __init__(self, kind_de: str, kind_en: str, current: Any, sent: Any, fields: list[str]):
        names = ", ".join(fields)
        super().__init__(
            f"{kind_de} mit dieser id gibt es schon mit anderem Inhalt ({names}); "
            "beide Fassungen stehen in current (gespeichert) und sent (gesendet).",
            f"A {kind_en} with this id already exists with different content ({names}); "
            "both versions are in current (stored) and sent (yours).",
        )
        self.current = current
        self.sent = sent
        self.fields = fields


def _same(stored: Any, sent: Any) -> bool:
    if isinstance(sent, BaseGeometry):
        if not isinstance(stored, Mapping):
            return False
        other = shape(stored)
        return bool(other.equals_exact(sent, GEOMETRY_TOLERANCE) or other.equals(sent))
    if isinstance(sent, bool) or isinstance(stored, bool):
        return stored is sent
    if isinstance(sent, int | float) and isinstance(stored, int | float):
        return math.isclose(float(stored), float(sent), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(sent, datetime) and isinstance(stored, datetime):
        return stored == sent
    if isinstance(sent, date) and isinstance(stored, date):
        return stored == sent
    if isinstance(sent, list | tuple) and isinstance(stored, list | tuple):
        return len(sent) == len(stored) and all(map(_same, stored, sent))
    if sent is None or stored is None:
        return sent is None and stored is None
    return str(stored) == str(sent)


def differing(
    stored: Mapping[str, Any], sent: Mapping[str, Any], names: Iterable[str]
) -> list[str]:
    """The fields among ``names`` whose sent value is not the stored one."""
    return [name for name in names if not _same(stored.get(name), sent.get(name))]
