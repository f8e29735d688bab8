"""The layer key ``match_distance_m``: default 50 m, 0 switches matching off, bad values refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapservice.catalog import CatalogError, load_catalog
from tests.test_catalog import variant


def test_shipped_layers_match_within_50_m_by_default() -> None:
    catalog = load_catalog(None)
    assert {layer.match_distance_m for layer in catalog} == {50.0}


def test_zero_and_other_distances_load(tmp_path: Path) -> None:
    folder = variant(tmp_path, "umwelt", "max_zoom = 20", "max_zoom = 20\nmatch_distance_m = 0")
    variant(tmp_path, "mobilitaet", "max_zoom = 20", "max_zoom = 20\nmatch_distance_m = 25.5")
    catalog = load_catalog(folder)
    assert catalog.get("umwelt").match_distance_m == 0
    assert catalog.get("mobilitaet").match_distance_m == 25.5


@pytest.mark.parametrize("value", ["-5", '"50"', "5000"])
def test_bad_distances_are_refused_naming_the_key(tmp_path: Path, value: str) -> None:
    folder = variant(
        tmp_path, "umwelt", "max_zoom = 20", f"max_zoom = 20\nmatch_distance_m = {value}"
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    assert "match_distance_m" in str(caught.value)
