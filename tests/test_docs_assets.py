"""/docs' Swagger UI comes from the pinned npm package, and its absence never breaks a map."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapservice.assets import DOCS_PACKAGES, SERVED, AssetsMissing, AssetStore, pinned_versions
from mapservice.config import REPO_ROOT


def store_without_docs(tmp_path: Path) -> AssetStore:
    """A node_modules with every map package (the real files) but not swagger-ui-dist."""
    modules = tmp_path / "node_modules"
    for package in SERVED:
        if package not in DOCS_PACKAGES:
            target = modules / package
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(REPO_ROOT / "node_modules" / package)
    return AssetStore(modules, pinned_versions())


def test_swagger_ui_is_whitelisted_at_its_pinned_version() -> None:
    store = AssetStore.discover()
    version = pinned_versions()["swagger-ui-dist"]
    url = store.url("swagger-ui.js")
    assert url == f"/assets/swagger-ui-dist@{version}/swagger-ui-bundle.js"
    path = store.resolve(f"swagger-ui-dist@{version}", "swagger-ui-bundle.js")
    assert path is not None and path.stat().st_size > 500_000
    assert "SwaggerUIBundle" in path.read_text(encoding="utf-8")[:200_000]
    assert store.resolve(f"swagger-ui-dist@{version}", "index.html") is None, "whitelist only"
    assert store.resolve("swagger-ui-dist@5.0.0", "swagger-ui-bundle.js") is None


def test_missing_docs_assets_break_docs_only(tmp_path: Path) -> None:
    store = store_without_docs(tmp_path)
    store.require()  # the map pages still work
    with pytest.raises(AssetsMissing) as caught:
        store.require(DOCS_PACKAGES)
    assert caught.value.status == 503
    assert "swagger-ui-dist" in caught.value.message_de
    assert "swagger-ui-dist" in caught.value.message_en
    copied = store.export(tmp_path / "site")
    assert copied > 0
    assert not list((tmp_path / "site").glob("swagger-ui-dist*")), "no API in a static export"
