"""Photos: EXIF stripped before storing, real content sniffing, size and pixel limits, access.

Images are built in memory with Pillow and go through the real server over HTTP; the stored
files are re-opened from disk and from the API to check what was really written.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageCms, PngImagePlugin
from sqlalchemy import Engine, text
from starlette.requests import Request

from mapservice.access import Viewer, create_account, create_token, revoke_token, viewer_for_token
from mapservice.api.photos import read_upload
from mapservice.capture import photo_images as images
from mapservice.capture import photos as service
from mapservice.config import Settings
from mapservice.errors import PayloadTooLarge
from tests.capture_fixtures import Team, observation_body
from tests.conftest import count

# 50°6'52.2" N, 8°41'13.2" E — inside the Frankfurt test quarter.
LAT, LON = 50.1145, 8.687
GPS = {1: "N", 2: (50.0, 6.0, 52.2), 3: "E", 4: (8.0, 41.0, 13.2), 31: 4.5}
SECRET = b"Hinterhof-Nr-12-geheim"


# --- building test images ---------------------------------------------------------------------


def _exif(gps: dict[int, Any] | None = GPS, orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model-" + SECRET.decode()  # Model
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = gps
    return exif


def _halves(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows whether the EXIF orientation was applied."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return image.convert(mode)


def jpeg(gps: dict[int, Any] | None = GPS, orientation: int | None = None, **kw: Any) -> bytes:
    buffer = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    _halves(**kw).save(
        buffer, "JPEG", quality=90, exif=_exif(gps, orientation), comment=SECRET,
        xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>", icc_profile=srgb,
    )  # fmt: skip
    return buffer.getvalue()


def png(gps: dict[int, Any] | None = GPS) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    buffer = io.BytesIO()
    _halves(mode="RGBA").save(buffer, "PNG", pnginfo=info, exif=_exif(gps))
    return buffer.getvalue()


def webp() -> bytes:
    buffer = io.BytesIO()
    _halves().save(buffer, "WEBP", exif=_exif(), xmp=SECRET)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A real 1-bit PNG of ``width``×``height`` zeros: kilobytes on the wire, gigapixels inside."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("foto.jpg", b"\x00" * (20 * 1024 * 1024))
    return buffer.getvalue()


# --- helpers ----------------------------------------------------------------------------------


def observation(http: httpx.Client, token: str, *, publish_with: str | None = None) -> str:
    created = http.post("/api/observations", json=observation_body(), headers=Team.auth(token))
    assert created.status_code == 201, created.text
    oid = created.json()["id"]
    if publish_with:
        done = http.post(f"/api/observations/{oid}/moderation", json={"status": "published"},
                         headers=Team.auth(publish_with))  # fmt: skip
        assert done.status_code == 200, done.text
    return str(oid)


def upload(
    http: httpx.Client,
    oid: str,
    data: bytes,
    token: str | None,
    name: str = "foto.jpg",
    declared: str = "image/jpeg",
) -> httpx.Response:
    headers = Team.auth(token) if token else {}
    return http.post(
        f"/api/observations/{oid}/photos", files={"file": (name, data, declared)}, headers=headers
    )


def files(settings: Settings) -> set[Path]:
    return {p for p in settings.photo_dir.rglob("*") if p.is_file()}


def rows(engine: Engine, oid: str) -> int:
    return count(engine, "photo", f"observation_id = '{oid}'")


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert body["message_de"] and body["message_en"] and body["message_de"] != body["message_en"]


@pytest.fixture()
def untouched(settings: Settings) -> Iterator[None]:
    """Whatever the test does must leave the photo folder exactly as it was."""
    before = files(settings)
    yield
    assert files(settings) == before


# --- storing ----------------------------------------------------------------------------------


def test_jpeg_with_gps_is_stored_without_any_metadata(
    http: httpx.Client, team: Team, engine: Engine, settings: Settings
) -> None:
    oid = observation(http, team.field)
    original = jpeg(orientation=6)  # "rotate 90° clockwise to display"
    response = upload(http, oid, original, team.field)
    assert response.status_code == 201, response.text
    photo = response.json()
    assert photo["observation_id"] == oid and photo["media_type"] == "image/jpeg"
    assert (photo["width"], photo["height"]) == (480, 640), "EXIF orientation applied"
    position = photo["exif_position"]
    assert position["lon"] == pytest.approx(LON, abs=1e-5)
    assert position["lat"] == pytest.approx(LAT, abs=1e-5)
    assert position["accuracy_m"] == pytest.approx(4.5)
    assert photo["url"] == f"/api/photos/{photo['id']}"
    assert response.headers["location"] == photo["url"]

    stored = http.get(photo["url"], headers=Team.auth(team.field))
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/jpeg"
    data = stored.content
    assert len(data) == photo["size_bytes"] and hashlib.sha256(data).hexdigest() == photo["sha256"]
    on_disk = settings.photo_dir / photo["sha256"][:2] / photo["sha256"][2:4]
    assert (on_disk / f"{photo['sha256']}.jpg").read_bytes() == data
    for needle in (SECRET, b"Exif", b"PhoneMaker", b"GPS", b"xmpmeta"):
        assert needle not in data, needle
    image = Image.open(io.BytesIO(data))
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(0x8825)
    assert not {"exif", "comment", "xmp", "GPSInfo"} & set(image.info)
    assert image.info.get("icc_profile"), "the colour profile is kept on purpose"
    top, bottom = image.convert("RGB").getpixel((240, 60)), image.getpixel((240, 580))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], "left half is now on top"

    thumb = http.get(photo["thumbnail_url"], headers=Team.auth(team.field))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    small = Image.open(io.BytesIO(thumb.content))
    assert small.format == "JPEG" and max(small.size) <= 320 and small.size == (240, 320)
    assert len(small.getexif()) == 0 and SECRET not in thumb.content

    again = upload(http, oid, original, team.field, name="retry.jpg")
    assert again.status_code == 200 and again.json()["id"] == photo["id"]
    assert rows(engine, oid) == 1
    listed = http.get(f"/api/observations/{oid}/photos", headers=Team.auth(team.field)).json()
    assert [p["id"] for p in listed] == [photo["id"]] and "exif_position" not in listed[0]


def test_png_named_jpg_is_stored_as_png(http: httpx.Client, team: Team, settings: Settings) -> None:
    oid = observation(http, team.field)
    response = upload(http, oid, png(), team.field, name="foto.jpg", declared="image/jpeg")
    assert response.status_code == 201, response.text
    photo = response.json()
    assert photo["media_type"] == "image/png"
    assert photo["exif_position"]["lat"] == pytest.approx(LAT, abs=1e-5)
    stored = http.get(photo["url"], headers=Team.auth(team.field))
    assert stored.headers["content-type"] == "image/png"
    assert stored.content.startswith(b"\x89PNG") and SECRET not in stored.content
    image = Image.open(io.BytesIO(stored.content))
    assert image.mode == "RGBA" and len(image.getexif()) == 0 and "Comment" not in image.info
    sha = photo["sha256"]
    assert (settings.photo_dir / sha[:2] / sha[2:4] / f"{sha}.png").is_file()


def test_webp_is_stripped_too(http: httpx.Client, team: Team) -> None:
    oid = observation(http, team.planner)
    response = upload(http, oid, webp(), team.planner, name="x.png", declared="image/png")
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == "image/webp"
    data = http.get(response.json()["url"], headers=Team.auth(team.planner)).content
    assert data[8:12] == b"WEBP" and SECRET not in data and b"EXIF" not in data


# --- bad input: nothing written ---------------------------------------------------------------

NOT_IMAGES = {
    "text": b"Das ist kein Foto.\n" * 20,
    "pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n",
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9" '
    b'height="9"><script>alert(1)</script></svg>',
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
}


@pytest.mark.parametrize("kind", sorted(NOT_IMAGES))
@pytest.mark.usefixtures("untouched")
def test_non_images_are_refused_with_415(
    http: httpx.Client, team: Team, engine: Engine, kind: str
) -> None:
    oid = observation(http, team.field)
    response = upload(http, oid, NOT_IMAGES[kind], team.field, name="foto.jpg")
    assert_error(response, 415, "unsupported_media_type")
    assert rows(engine, oid) == 0


@pytest.mark.usefixtures("untouched")
def test_zip_bomb_as_photo_is_refused(http: httpx.Client, team: Team, engine: Engine) -> None:
    oid = observation(http, team.field)
    assert_error(upload(http, oid, zip_bomb(), team.field), 415, "unsupported_media_type")
    assert rows(engine, oid) == 0


@pytest.mark.usefixtures("untouched")
def test_truncated_jpeg_is_refused(http: httpx.Client, team: Team, engine: Engine) -> None:
    oid = observation(http, team.field)
    broken = jpeg(size=(1200, 900))[:3000]
    assert_error(upload(http, oid, broken, team.field), 400, "image_unreadable")
    assert rows(engine, oid) == 0


@pytest.mark.parametrize("size", [(20000, 20000), (8000, 6000)], ids=["400MP", "48MP"])
@pytest.mark.usefixtures("untouched")
def test_decompression_bomb_is_refused(
    http: httpx.Client, team: Team, engine: Engine, size: tuple[int, int]
) -> None:
    bomb = png_declaring(*size)
    assert len(bomb) < 100_000  # tiny on the wire
    oid = observation(http, team.field)
    assert_error(upload(http, oid, bomb, team.field), 413, "too_many_pixels")
    assert rows(engine, oid) == 0
    reply = http.post("/api/photos/position", files={"file": ("b.png", bomb)},
                      headers=Team.auth(team.field))  # fmt: skip
    assert_error(reply, 413, "too_many_pixels")


@pytest.mark.usefixtures("untouched")
def test_50_mb_upload_is_refused(
    http: httpx.Client, team: Team, engine: Engine, settings: Settings
) -> None:
    oid = observation(http, team.field)
    big = jpeg()[:-2] + b"\x00" * (50 * 1024 * 1024)
    assert_error(upload(http, oid, big, team.field), 413, "too_large")

    def chunked() -> Iterator[bytes]:  # no Content-Length: the server has to count
        yield b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
        for _ in range(50):
            yield b"\xff" * (1024 * 1024)
        yield b"\r\n--xx--\r\n"

    response = http.post(
        f"/api/observations/{oid}/photos",
        content=chunked(),
        headers={**Team.auth(team.field), "Content-Type": "multipart/form-data; boundary=xx"},
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "too_large")
    assert rows(engine, oid) == 0


def test_upload_reader_stops_reading_at_the_cap() -> None:
    """The 413 comes while the body arrives: at most the cap (+ slack) is ever pulled in."""
    pulled = 0
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        body = head if pulled == 1 else b"\x00" * (1024 * 1024)
        return {"type": "http.request", "body": body, "more_body": pulled < 51}

    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"",
             "headers": [(b"content-type", b"multipart/form-data; boundary=b")]}  # fmt: skip

    async def read() -> None:
        await read_upload(Request(scope, receive), 2 * 1024 * 1024)

    with pytest.raises(PayloadTooLarge):
        asyncio.run(read())
    assert pulled <= 4, f"read {pulled - 1} MB of 50 MB before refusing"


@pytest.mark.usefixtures("untouched")
def test_missing_or_empty_file_field(http: httpx.Client, team: Team) -> None:
    oid = observation(http, team.field)
    url = f"/api/observations/{oid}/photos"
    auth = Team.auth(team.field)
    assert_error(http.post(url, files={"foto": ("a.jpg", jpeg())}, headers=auth), 400, "no_file")
    assert_error(http.post(url, files={"file": ("a.jpg", b"")}, headers=auth), 400, "empty_file")
    raw = http.post(url, content=jpeg(), headers={**auth, "Content-Type": "image/jpeg"})
    assert_error(raw, 400, "multipart_required")


# --- who may do what --------------------------------------------------------------------------


@pytest.mark.usefixtures("untouched")
def test_wrong_tokens_are_refused(http: httpx.Client, team: Team, engine: Engine) -> None:
    oid = observation(http, team.field)
    name = f"photo-revoked-{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        create_account(conn, name, "field")
        revoked = create_token(conn, name)
        revoke_token(conn, revoked)
    assert_error(upload(http, oid, jpeg(), None), 401, "token_required")
    assert_error(upload(http, oid, jpeg(), "karte_wrong"), 401, "token_invalid")
    assert_error(upload(http, oid, jpeg(), revoked), 401, "token_revoked")
    position = http.post("/api/photos/position", files={"file": ("a.jpg", jpeg())})
    assert_error(position, 401, "token_required")
    assert rows(engine, oid) == 0


@pytest.mark.usefixtures("untouched")
def test_field_account_cannot_attach_to_anothers_entry(
    http: httpx.Client, team: Team, engine: Engine
) -> None:
    draft = observation(http, team.field)
    assert_error(upload(http, draft, jpeg(), team.field2), 404, "not_found")
    published = observation(http, team.field, publish_with=team.planner)
    assert_error(upload(http, published, jpeg(), team.field2), 403, "not_own_entry")
    assert rows(engine, draft) == rows(engine, published) == 0


def test_planner_attaches_to_any_entry_and_field_photo_waits_for_review(
    http: httpx.Client, team: Team
) -> None:
    oid = observation(http, team.field, publish_with=team.planner)
    by_planner = upload(http, oid, jpeg(gps=None), team.planner)
    assert by_planner.status_code == 201 and by_planner.json()["exif_position"] is None
    entry = http.get(f"/api/observations/{oid}").json()
    assert entry["status"] == "published"
    by_owner = upload(http, oid, png(gps=None), team.field)
    assert by_owner.status_code == 201
    entry = http.get(f"/api/observations/{oid}", headers=Team.auth(team.field)).json()
    # new content on a public entry is reviewed again; the entry stays public meanwhile and
    # the new photo is not public until a planner approves it
    assert entry["status"] == "published" and entry["pending"]["state"] == "review"
    assert entry["version"] == 2
    assert http.get(by_owner.json()["url"]).status_code == 404
    assert http.get(by_owner.json()["url"], headers=Team.auth(team.field)).status_code == 200
    public = [p["id"] for p in http.get(f"/api/observations/{oid}/photos").json()]
    assert public == [by_planner.json()["id"]]
    done = http.post(f"/api/observations/{oid}/moderation", json={"status": "published"},
                     headers=Team.auth(team.planner))  # fmt: skip
    assert done.status_code == 200 and done.json()["pending"] is None
    assert http.get(by_owner.json()["url"]).status_code == 200


def test_public_sees_photos_of_published_entries_only(http: httpx.Client, team: Team) -> None:
    oid = observation(http, team.field)
    photo = upload(http, oid, jpeg(), team.field).json()
    for url in (photo["url"], photo["thumbnail_url"], f"/api/observations/{oid}/photos"):
        assert_error(http.get(url), 404, "not_found")
        assert http.get(url, headers=Team.auth(team.field2)).status_code == 404
        assert http.get(url, headers=Team.auth(team.planner)).status_code == 200
    own = http.get(photo["url"], headers=Team.auth(team.field))
    assert own.status_code == 200 and own.headers["cache-control"] == "private, no-cache"
    assert own.headers["etag"] == f'"{photo["sha256"]}"'

    http.post(f"/api/observations/{oid}/moderation", json={"status": "published"},
              headers=Team.auth(team.planner))  # fmt: skip
    public = http.get(photo["url"])
    assert public.status_code == 200 and public.content == own.content
    assert public.headers["cache-control"] == "public, max-age=300, must-revalidate"
    etag = public.headers["etag"]
    assert etag == f'"{photo["sha256"]}"'
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        cached = http.get(photo["url"], headers={"If-None-Match": header})
        assert cached.status_code == 304 and cached.content == b""
        assert cached.headers["etag"] == etag and "max-age=300" in cached.headers["cache-control"]
    assert http.get(photo["url"], headers={"If-None-Match": '"other"'}).status_code == 200
    thumb = http.get(photo["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["etag"] != etag
    revalidated = http.get(photo["thumbnail_url"], headers={"If-None-Match": thumb.headers["etag"]})
    assert revalidated.status_code == 304
    assert [p["id"] for p in http.get(f"/api/observations/{oid}/photos").json()] == [photo["id"]]
    assert_error(http.get(f"/api/photos/{uuid.uuid4()}"), 404, "not_found")


@pytest.mark.parametrize("status", ["rejected", "review"])
def test_photos_of_an_unpublished_entry_are_gone_for_the_public(
    http: httpx.Client, team: Team, status: str
) -> None:
    """Once an entry is taken back, its photo is 404 for the public, revalidation with the
    old ETag cannot keep it alive, and the caching headers let no cache keep it long."""
    oid = observation(http, team.field, publish_with=team.planner)
    photo = upload(http, oid, jpeg(gps=None), team.planner).json()
    public = http.get(photo["url"])
    assert public.status_code == 200
    control = public.headers["cache-control"]
    assert "immutable" not in control and "must-revalidate" in control
    max_age = int(control.split("max-age=")[1].split(",")[0])
    assert 0 < max_age <= 300
    etag = public.headers["etag"]
    thumb = http.get(photo["thumbnail_url"])
    assert thumb.status_code == 200 and "immutable" not in thumb.headers["cache-control"]
    moved = http.post(f"/api/observations/{oid}/moderation", json={"status": status,
                      "note": "Gesicht erkennbar"}, headers=Team.auth(team.planner))  # fmt: skip
    assert moved.status_code == 200, moved.text
    for url, tag in ((photo["url"], etag), (photo["thumbnail_url"], thumb.headers["etag"])):
        assert_error(http.get(url), 404, "not_found")
        assert_error(http.get(url, headers={"If-None-Match": tag}), 404, "not_found")
    assert http.get(photo["url"], headers=Team.auth(team.planner)).headers["cache-control"] == (
        "private, no-cache"
    )


def test_delete_keeps_files_still_used_elsewhere(
    http: httpx.Client, team: Team, engine: Engine, settings: Settings
) -> None:
    data = jpeg(size=(320, 200))
    first, second = observation(http, team.field), observation(http, team.field)
    a = upload(http, first, data, team.field).json()
    b = upload(http, second, data, team.field).json()
    assert a["sha256"] == b["sha256"] and a["id"] != b["id"], "same content: one file, two rows"
    sha = a["sha256"]
    folder = settings.photo_dir / sha[:2] / sha[2:4]
    stored = {folder / f"{sha}.jpg", folder / f"{sha}.thumb.jpg"}
    assert stored <= files(settings)

    assert_error(http.delete(a["url"]), 401, "token_required")
    assert_error(http.delete(a["url"], headers=Team.auth(team.field2)), 404, "not_found")
    assert http.delete(a["url"], headers=Team.auth(team.field)).status_code == 204
    assert rows(engine, first) == 0 and stored <= files(settings), "still used by b"
    assert http.get(b["url"], headers=Team.auth(team.field)).status_code == 200
    assert http.delete(b["url"], headers=Team.auth(team.planner)).status_code == 204
    assert not stored & files(settings), "last reference gone: files removed"
    assert_error(http.delete(b["url"], headers=Team.auth(team.planner)), 404, "not_found")


def test_failed_insert_leaves_no_orphan_file(
    http: httpx.Client, team: Team, engine: Engine, settings: Settings
) -> None:
    oid = observation(http, team.planner)
    image = images.process(jpeg(size=(300, 300)))
    broken = images.StoredImage(**{**image.__dict__, "width": 2**40})  # overflows the column
    before = files(settings)
    store = service.PhotoStore(settings.photo_dir)
    viewer = _viewer(engine, team.planner)
    with pytest.raises(Exception, match="out of range"):
        service.attach(engine, store, viewer, uuid.UUID(oid), broken)
    assert files(settings) == before and rows(engine, oid) == 0


def test_photo_files_go_with_their_deleted_observation(
    http: httpx.Client, team: Team, engine: Engine, settings: Settings
) -> None:
    oid = observation(http, team.field)
    sha = upload(http, oid, jpeg(size=(333, 222)), team.field).json()["sha256"]
    assert any(p.name.startswith(sha) for p in files(settings))
    gone = http.delete(f"/api/observations/{oid}", headers=Team.auth(team.field))
    assert gone.status_code == 204
    assert not any(p.name.startswith(sha) for p in files(settings)), "no photo of a home stays"


def test_orphans_left_by_sql_deletes_are_swept(
    http: httpx.Client, team: Team, engine: Engine, settings: Settings
) -> None:
    oid = observation(http, team.field)
    sha = upload(http, oid, jpeg(size=(334, 223)), team.field).json()["sha256"]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM observation WHERE id = :id"), {"id": oid})
    assert any(p.name.startswith(sha) for p in files(settings)), "the cascade cannot remove files"
    assert service.collect_orphans(engine, service.PhotoStore(settings.photo_dir)) >= 1
    assert not any(p.name.startswith(sha) for p in files(settings))


def _viewer(engine: Engine, token: str) -> Viewer:
    with engine.connect() as conn:
        return viewer_for_token(conn, token)


# --- EXIF position without storing ------------------------------------------------------------


@pytest.mark.usefixtures("untouched")
def test_position_endpoint_reads_gps_and_stores_nothing(
    http: httpx.Client, team: Team, engine: Engine
) -> None:
    photos_before = count(engine, "photo")
    for token in (team.field, team.planner):
        reply = http.post("/api/photos/position", files={"file": ("a.jpg", jpeg())},
                          headers=Team.auth(token))  # fmt: skip
        assert reply.status_code == 200, reply.text
        assert reply.json()["exif_position"]["lon"] == pytest.approx(LON, abs=1e-5)
        assert reply.json()["exif_position"]["lat"] == pytest.approx(LAT, abs=1e-5)
    none = http.post("/api/photos/position", files={"file": ("a.png", png(gps=None))},
                     headers=Team.auth(team.field))  # fmt: skip
    assert none.status_code == 200 and none.json() == {"exif_position": None}
    assert count(engine, "photo") == photos_before


@pytest.mark.parametrize(
    ("gps", "expected"),
    [
        ({1: "S", 2: (33.0, 52.0, 4.0), 3: "W", 4: (70.0, 36.0, 0.0)}, (-70.6, -33.867778)),
        ({1: b"N", 2: (51.4884,), 3: b"E", 4: (7.2093,)}, (7.2093, 51.4884)),
        ({2: (50.0, 6.0, 52.2), 4: (8.0, 41.0, 13.2)}, None),  # no hemisphere: sign unknown
        ({1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}, None),  # no fix
        ({1: "N", 2: (50.0, 61.0, 0.0), 3: "E", 4: (8.0, 1.0, 0.0)}, None),  # minutes ≥ 60
        ({1: "N", 2: (float("nan"), 0, 0), 3: "E", 4: (8.0, 0, 0)}, None),  # 0/0 rational
        ({1: "N", 2: (95.0, 0, 0), 3: "E", 4: (8.0, 0, 0)}, None),
        ({1: "N", 2: (50.0, 6, 0), 3: "E", 4: (8.0, 41, 0), 9: "V"}, None),  # void fix
        ({1: "N", 2: "garbage", 3: "E", 4: None}, None),
    ],
)
def test_gps_block_interpretation(gps: dict[int, Any], expected: tuple | None) -> None:
    position = images.position_from_gps(gps)
    if expected is None:
        assert position is None
    else:
        assert position is not None
        assert (position.lon, position.lat) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("P", "PNG"), ("1", "PNG"), ("LA", "PNG"), ("I;16", "PNG"), ("L", "JPEG"),
     ("CMYK", "JPEG"), ("RGBA", "WEBP")],
)  # fmt: skip
def test_every_pixel_mode_gets_a_jpeg_thumbnail(mode: str, fmt: str) -> None:
    source = Image.new("I;16", (700, 500), 40000) if mode == "I;16" else _halves((700, 500), mode)
    buffer = io.BytesIO()
    source.save(buffer, fmt)
    image = images.process(buffer.getvalue())
    thumb = Image.open(io.BytesIO(image.thumbnail))
    assert thumb.format == "JPEG" and thumb.size == (320, 229) and thumb.mode in ("RGB", "L")
    stored = Image.open(io.BytesIO(image.data))
    assert stored.size == (700, 500) and stored.mode != "CMYK"
    if mode == "I;16":
        assert thumb.getpixel((5, 5)) == pytest.approx(40000 / 256, abs=2)
