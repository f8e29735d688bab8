"""``/api/admin``: accounts, tokens and quarters for admins. Thin: see ``admin*.py``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from mapservice.api.deps import CatalogDep, ConnDep, EngineDep, ViewerDep
from mapservice.errors import InvalidInput, PayloadTooLarge
from mapservice.workspace import admin, admin_quarters

router = APIRouter(prefix="/api/admin", tags=["Verwaltung / administration"])


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    display_name: str = Field(default="", max_length=200)
    password: str | None = Field(default=None, max_length=1024)
    layers: list[str] | None = Field(default=None, max_length=200)
    quarters: list[str] | None = Field(default=None, max_length=1000)


class AccountPatch(BaseModel):
    """Only the fields sent change; ``layers``/``quarters`` null = all again."""

    model_config = ConfigDict(extra="forbid")
    role: str | None = Field(default=None, max_length=20)
    disabled: bool | None = None
    display_name: str | None = Field(default=None, max_length=200)
    layers: list[str] | None = Field(default=None, max_length=200)
    quarters: list[str] | None = Field(default=None, max_length=1000)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(max_length=1024)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(max_length=100)
    days: int = Field(default=180)
    label: str = Field(default="", max_length=200)


class QuarterPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=200)


@router.get("/accounts", summary="Konten / accounts")
def accounts(conn: ConnDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    return admin.list_accounts(conn, viewer)


@router.post("/accounts", status_code=201, summary="Konto anlegen / create an account")
def add_account(
    body: AccountIn, conn: ConnDep, viewer: ViewerDep, catalog: CatalogDep
) -> dict[str, Any]:
    return admin.add_account(conn, viewer, catalog, **body.model_dump())


@router.patch("/accounts/{name}", summary="Konto ändern / change an account")
def patch_account(
    name: str, body: AccountPatch, conn: ConnDep, viewer: ViewerDep, catalog: CatalogDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    for key in ("role", "disabled", "display_name"):
        if key in changes and changes[key] is None:
            del changes[key]
    return admin.update_account(conn, viewer, catalog, name, **changes)


@router.put("/accounts/{name}/password", summary="Passwort setzen / set the password")
def put_password(name: str, body: PasswordIn, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return admin.change_password(conn, viewer, name, body.password)


@router.get("/tokens", summary="Tokens (ohne Geheimnis) / tokens (without secret)")
def tokens(
    conn: ConnDep, viewer: ViewerDep, account: str | None = None, all: bool = False
) -> list[dict[str, Any]]:
    return admin.list_tokens(conn, viewer, account, include_old=all)


@router.post("/tokens", status_code=201, summary="Token erstellen / create a token")
def add_token(body: TokenIn, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return admin.new_token(conn, viewer, body.account, body.days, body.label)


@router.post("/tokens/{token_id}/revoke", summary="Token widerrufen / revoke a token")
def revoke_token(token_id: int, conn: ConnDep, viewer: ViewerDep) -> dict[str, Any]:
    return admin.revoke(conn, viewer, token_id)


@router.get("/quarters", summary="Quartiere mit Zahlen / quarters with counts")
def quarters(conn: ConnDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    return admin_quarters.list_admin_quarters(conn, viewer)


@router.patch("/quarters/{slug}", summary="Quartier umbenennen / rename a quarter")
def patch_quarter(slug: str, body: QuarterPatch, conn: ConnDep, viewer: ViewerDep) -> dict:
    return admin_quarters.rename_quarter(conn, viewer, slug, name=body.name, city=body.city)


@router.post(
    "/quarters/{slug}/boundary",
    summary="Quartier anlegen oder Grenze ersetzen (GeoJSON/GeoPackage-Datei) / "
    "create a quarter or replace its boundary from a file",
)
async def upload_boundary(
    slug: str,
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)],
    city: Annotated[str, Form(max_length=200)] = "",
) -> dict[str, Any]:
    viewer.require("admin")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > admin_quarters.MAX_BOUNDARY_BYTES:
        raise _too_large()
    filename = Path((file.filename or "grenze").replace("\\", "/")).name[:200]
    suffix = admin_quarters.check_suffix(filename)
    with tempfile.TemporaryDirectory(prefix="karte-quarter-") as folder:
        path = Path(folder) / f"boundary{suffix}"
        size = 0
        with open(path, "wb") as handle:
            while chunk := await file.read(1024 * 1024):
                size += len(chunk)
                if size > admin_quarters.MAX_BOUNDARY_BYTES:
                    raise _too_large()
                handle.write(chunk)
        if size == 0:
            raise InvalidInput(
                "Die Grenzdatei ist leer.", "The boundary file is empty.", code="file_empty"
            )
        geometry, epsg = await run_in_threadpool(admin_quarters.boundary_from_file, path, filename)

    def save() -> dict[str, Any]:
        with engine.begin() as conn:
            summary, created = admin_quarters.save_quarter(
                conn, viewer, slug, name=name, city=city, geometry=geometry, epsg=epsg
            )
        return {**summary, "created": created, "source_epsg": epsg}

    return await run_in_threadpool(save)


def _too_large() -> PayloadTooLarge:
    mb = admin_quarters.MAX_BOUNDARY_BYTES // (1024 * 1024)
    return PayloadTooLarge(
        f"Die Grenzdatei ist größer als {mb} MB.",
        f"The boundary file is larger than {mb} MB.",
        code="too_large",
    )
