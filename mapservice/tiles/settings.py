"""Settings of the tile and OGC serving path (``KARTE_TILES_*``), one class for one concern.

They live beside the code they tune rather than in ``mapservice.config`` so the serving
path can grow knobs without touching the core settings; ``open_runtime`` reads them once
per app (never at import time), so tests can build apps with different values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TileSettings(BaseSettings):
    """Limits, cache sizes and HTTP caching of tiles and OGC items."""

    model_config = SettingsConfigDict(env_prefix="KARTE_TILES_", extra="ignore")

    feature_cap: int = Field(
        default=4000,
        ge=1,
        le=100_000,
        description="Most features per tile; more are cut deterministically and the tile "
        "is marked truncated. A few thousand keep Leaflet responsive.",
    )
    cluster_cell_px: int = Field(
        default=32,
        description="Cluster grid cell in pixels of a 256-px tile (must divide 256).",
    )
    buffer_px: int = Field(
        default=4,
        ge=0,
        le=64,
        description="Margin around each tile, in pixels of a 256-px tile: features within it "
        "are included (and lines/areas clipped there) so renderers that clip per tile "
        "(MapLibre circles, QGIS) draw symbols at the edge whole. 0 = the bare tile.",
    )
    cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="In-process LRU of encoded tiles, bytes per worker (0 = off).",
    )
    cache_entry_max_bytes: int = Field(
        default=4 * 1024 * 1024, ge=0, description="Tiles larger than this are not cached."
    )
    max_age: int = Field(
        default=300, ge=0, description="Cache-Control max-age (s) of public tiles and items."
    )
    versioned_max_age: int = Field(
        default=86_400,
        ge=0,
        description="max-age (s) when the URL names the current data version (?v=…).",
    )
    gzip_min_bytes: int = Field(
        default=512, ge=0, description="Bodies smaller than this are sent uncompressed."
    )
    pool_min: int = Field(default=1, ge=0, le=64, description="Tile connections kept open.")
    pool_max: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Most tile connections per worker; keep workers × this below the "
        "server's max_connections. One worker is one Python process on one core: more "
        "queries in flight per worker only make them queue inside PostgreSQL.",
    )
    statement_timeout_ms: int = Field(
        default=15_000, ge=0, description="A tile or items query longer than this is cancelled."
    )
    count_cap: int = Field(
        default=100_000,
        ge=0,
        description="Items: numberMatched is counted up to this many and left out above it "
        "(an exact count over a huge table is the classic slow path).",
    )

    versions_from: Literal["query", "notify"] = Field(
        default="query",
        description="Where a request gets the layers' data versions (its cache keys): "
        "'query' reads them per request (batched; exact, also for writes outside the "
        "service), 'notify' takes them from the process's change listener (no database "
        "round trip on a cache hit; a write through any worker is seen within milliseconds, "
        "one outside the service within KARTE_REPLICA_CHECK_S). Clients that wrote "
        "recently always read them from the database.",
    )

    def cells_per_tile(self) -> int:
        """Cluster cells along one tile edge; a bad cell size falls back to 32 px."""
        px = self.cluster_cell_px
        return 256 // px if px > 0 and 256 % px == 0 else 8
