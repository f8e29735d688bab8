"""The file's own id column: found or chosen, and turned into stable record ids.

Re-importing a corrected spreadsheet must update its rows, not add them again. Planners'
files carry their own keys ("poi_id" 611755, "Nr" 17, an ODK ``KEY``); a UUID key is used as
the record id as it is, any other key becomes a UUID derived from the file's source name, its
target (layer, quarter) and the key (uuid5), so the same row of the same file always gets the
same id — and the same key in an unrelated file does not.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from mapservice.capture.imports.columns import find_column, texts

NAMESPACE = uuid.UUID("6f1c2b0e-2d5e-4a63-9d8e-5b7a0c3e9f41")
# In order of preference: our own and ODK/Kobo ids first, then typical keys of city data.
ID_NAMES = (
    "id", "uuid", "_uuid", "KEY", "meta-instanceID", "instanceID", "poi_id", "objectid",
    "object_id", "fid", "gml_id", "osm_id", "kennung", "schluessel", "schlüssel", "nummer",
    "lfd_nr", "lfdnr", "nr",
)  # fmt: skip
_UUID = re.compile(
    r"(?i)^(?:urn:)?(?:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?"
    r"[0-9a-f]{12}\}?$"
)
NO_KEY = "-"  # the caller's way to say "this file has no id column"


def unique_filled(values: Sequence[Any]) -> bool:
    """Every value present and no value twice: only then can a column identify rows."""
    items = texts(values, len(values))
    return bool(items) and None not in items and len(set(items)) == len(items)


def detect_id_column(frame: Any) -> str | None:
    """The first column named like an id whose values identify the rows, else None."""
    columns = [str(c) for c in frame]
    for name in ID_NAMES:
        column = find_column(columns, [name])
        if column is not None and unique_filled(list(frame[column])):
            return column
    return None


def source_scope(name: str, *target: str | None) -> str:
    """What "the same file" means: its name (without folders, case and extension) and where
    it was imported to (layer, quarter) — the same file imported into another layer is a
    second copy there, not a move."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return "|".join([stem.strip().lower(), *(t or "" for t in target)])


def derive_ids(values: Sequence[Any], scope: str) -> list[str | None]:
    """Record ids from a key column: UUIDs as they are, other keys as uuid5(scope, key)."""
    out: list[str | None] = []
    for value in texts(values, len(values)):
        if value is None:
            out.append(None)
        elif _UUID.match(value):
            out.append(str(uuid.UUID(value.removeprefix("urn:").removeprefix("uuid:"))))
        else:
            out.append(str(uuid.uuid5(NAMESPACE, f"{scope}|{value}")))
    return out


def key_texts(values: Sequence[Any]) -> list[str | None]:
    """The key values as text (for reference features' ``source_key``)."""
    return texts(values, len(values))
