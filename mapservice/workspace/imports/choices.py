"""What the import page offers to choose from, kept free of pandas so the routes load light."""

from __future__ import annotations

from typing import Any

from mapservice.georef.crs import COMMON_CRS

OFFERED_CRS = (25832, 4326, 3857, 31466, 31467)  # 25832 first: what German cities publish


def offered_crs() -> list[dict[str, Any]]:
    return [{"epsg": code, "label": f"EPSG:{code} – {COMMON_CRS.get(code, '')}"}
            for code in OFFERED_CRS]  # fmt: skip
