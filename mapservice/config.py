"""Settings of the service, read from ``KARTE_*`` environment variables.

Settings are never read at import time: ``create_app(settings)`` and the CLI build a
``Settings`` object once and pass it on, so tests can run several configurations side by side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from mapservice.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Everything an operator can set. Each field is one ``KARTE_<NAME>`` variable."""

    model_config = SettingsConfigDict(env_prefix="KARTE_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL/PostGIS URL; empty = run the embedded cluster in data_dir/pg",
    )
    data_dir: Path = Field(
        default=REPO_ROOT / "var", description="Folder for the embedded cluster and photos"
    )
    layers_dir: Path = Field(default=REPO_ROOT / "layers", description="Layer catalogue folder")
    host: str = Field(default="127.0.0.1", description="Address the web server binds to")
    port: int = Field(default=8000, ge=1, le=65535, description="Port of the web server")
    basemap_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="XYZ basemap template with {z}/{x}/{y}",
    )
    basemap_attribution: str = Field(
        default="© OpenStreetMap-Mitwirkende", description="Attribution of the basemap"
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to embed /embed pages (comma-separated)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level"
    )
    pg_port: int | None = Field(
        default=None, ge=1024, le=65535, description="Fixed port for the embedded cluster"
    )
    database_read_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Streaming replicas for public reads (comma-separated PostgreSQL URLs); "
        "empty = the embedded replicas that run (karte db start --replicas N), else none",
    )
    replica_max_lag_s: float = Field(
        default=5.0,
        gt=0,
        description="A replica further behind the primary than this is skipped until it caught up",
    )
    replica_check_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Seconds between two health and lag checks of the replicas, and between "
        "two re-reads of the layer versions by the change listener",
    )
    max_photo_bytes: int = Field(
        default=15 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest photo upload in bytes; bigger uploads are refused with 413 "
        "while they arrive, before they are read in full",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_read_urls", mode="before")
    @classmethod
    def _split_read_urls(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for url in value:
                if not str(url).startswith(
                    ("postgresql://", "postgresql+psycopg://", "postgres://")
                ):
                    raise ValueError(f"{url!r} must start with postgresql://")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("basemap_url")
    @classmethod
    def _check_basemap(cls, value: str) -> str:
        if value and not all(part in value for part in ("{z}", "{x}", "{y}")):
            raise ValueError("must contain {z}, {x} and {y}")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("must start with postgresql://")
        return value

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"


def load_settings(**overrides: object) -> Settings:
    """Read the environment, turning validation failures into one readable paragraph."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "KARTE_" + "_".join(str(p) for p in err["loc"]).upper()
            problems.append(f"{name}={err.get('input')!r}: {err['msg']}")
        detail = "; ".join(problems)
        raise ConfigError(
            f"Ungültige Einstellung: {detail}. Bitte die Umgebungsvariable korrigieren "
            "oder entfernen (siehe README, Abschnitt Konfiguration).",
            f"Invalid setting: {detail}. Fix or unset the environment variable "
            "(see README, section Configuration).",
            code="invalid_setting",
        ) from None
