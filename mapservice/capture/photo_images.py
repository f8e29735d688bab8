"""Photo images: what an upload is, what is in it, and what of it is stored.

Content sniffing (the declared type is the client's word, the bytes are not), the
decompression-bomb guard, the EXIF GPS read before stripping, re-encoding from pixels without
any metadata, thumbnails. No database and no files here: ``photos`` stores what ``process``
returns. See ``mapservice.capture.photos`` for why each step is there.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
from dataclasses import dataclass
from typing import Any

import filetype
from PIL import ExifTags, Image, ImageOps

from mapservice.errors import InvalidInput, KarteError, PayloadTooLarge

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes to ~120 MB of RGB; phones shoot 12–48
THUMBNAIL_PX = 320
JPEG_QUALITY = 88
WEBP_QUALITY = 88
WEBP_METHOD = 2  # 12 MP: method 4 takes 1.7 s, method 2 0.9 s, for ~2 % larger files
THUMBNAIL_QUALITY = 80
SNIFF_BYTES = 8192
# (Pillow format, file extension) of each accepted media type.
FORMATS: dict[str, tuple[str, str]] = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WEBP", "webp"),
}


class UnsupportedMediaType(KarteError):
    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Position:
    """A position read from a photo's EXIF GPS block (WGS 84)."""

    lon: float
    lat: float
    accuracy_m: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return {"lon": self.lon, "lat": self.lat, "accuracy_m": self.accuracy_m}


@dataclass(frozen=True)
class StoredImage:
    """An upload made safe: re-encoded bytes without metadata, a thumbnail, and facts about it."""

    data: bytes
    thumbnail: bytes
    media_type: str
    width: int
    height: int
    sha256: str
    position: Position | None


# --- reading and cleaning images --------------------------------------------------------------


def sniff(data: bytes) -> str:
    """The real media type from the first bytes; anything but JPEG, PNG or WebP is refused."""
    kind = filetype.guess(data[:SNIFF_BYTES])
    found = kind.mime if kind else None
    if found not in FORMATS:
        what = found or "unbekannt / unknown"
        raise UnsupportedMediaType(
            f"Dateityp {what} wird nicht angenommen: nur JPEG, PNG oder WebP "
            "(HEIC-Fotos bitte als JPEG exportieren).",
            f"File type {what} is not accepted: JPEG, PNG or WebP only "
            "(please export HEIC photos as JPEG).",
        )
    return found


def _unreadable() -> InvalidInput:
    return InvalidInput(
        "Das Bild ist beschädigt oder unvollständig und kann nicht gelesen werden.",
        "The image is damaged or incomplete and cannot be read.",
        code="image_unreadable",
    )


def _too_many_pixels(size: tuple[int, int] | None, limit: int) -> PayloadTooLarge:
    megapixels = f"{limit / 1e6:g}"
    if size is None:
        shown = "sehr viele / very many"
    else:
        shown = f"{size[0]}×{size[1]} = {size[0] * size[1] / 1e6:.1f} M"
    return PayloadTooLarge(
        f"Das Bild hat zu viele Pixel ({shown}); höchstens {megapixels} Megapixel. "
        "Bitte verkleinern.",
        f"The image has too many pixels ({shown}); at most {megapixels} megapixels. "
        "Please scale it down.",
        code="too_many_pixels",
    )


def open_image(data: bytes, media_type: str, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open with the sniffed format's decoder only and check dimensions before decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=[FORMATS[media_type][0]])
    except Image.DecompressionBombError:
        raise _too_many_pixels(None, max_pixels) from None
    except MemoryError:
        raise
    except Exception as exc:  # Pillow raises a zoo of types on hostile input
        log.info("photo header unreadable: %r", exc)
        raise _unreadable() from None
    width, height = image.size
    if width < 1 or height < 1:
        raise _unreadable()
    if width * height > max_pixels:
        raise _too_many_pixels((width, height), max_pixels)
    return image


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value: Any, ref: Any, refs: str) -> float | None:
    """EXIF degrees/minutes/seconds with a hemisphere letter; None when anything is off."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    letter = str(ref or "").strip().upper()[:1]
    if not letter or letter not in refs:  # without N/S or E/W the sign is unknown
        return None
    parts = value if isinstance(value, tuple | list) else (value,)
    numbers = [_number(part) for part in parts[:3]]
    if not numbers or any(n is None or n < 0 for n in numbers):
        return None
    deg, minutes, seconds = [*(n for n in numbers if n is not None), 0.0, 0.0][:3]
    if minutes >= 60 or seconds >= 60:
        return None
    total = deg + minutes / 60 + seconds / 3600
    return -total if letter == refs[1] else total


def position_from_gps(gps: dict[int, Any]) -> Position | None:
    """Interpret an EXIF GPS IFD. Void fixes (status V) and 0/0 (no fix) give None."""
    if not gps or str(gps.get(9, "A")).upper().startswith("V"):
        return None
    lat = _degrees(gps.get(2), gps.get(1), "NS")
    lon = _degrees(gps.get(4), gps.get(3), "EW")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180 or lat == lon == 0:
        return None
    error = _number(gps.get(31))  # GPSHPositioningError, metres
    accuracy = round(error, 1) if error is not None and 0 <= error < 100_000 else None
    return Position(lon=round(lon, 7), lat=round(lat, 7), accuracy_m=accuracy)


def read_position(image: Image.Image) -> Position | None:
    """The GPS position in the image's EXIF, read from the original before it is stripped."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except MemoryError:
        raise
    except Exception as exc:  # broken EXIF is common and must never fail an upload
        log.info("photo EXIF unreadable: %r", exc)
        return None
    return position_from_gps(dict(gps))


def position_of(data: bytes, max_pixels: int = MAX_PIXELS) -> Position | None:
    """EXIF GPS position of an upload without storing anything (same checks as an upload)."""
    return read_position(open_image(data, sniff(data), max_pixels))


def _without_metadata(image: Image.Image) -> tuple[Image.Image, bytes | None]:
    """Drop every info entry (EXIF, XMP, comments, text chunks …); keep ICC and transparency.

    Savers read some entries from ``image.info`` (the JPEG comment, the PNG ICC profile and
    transparency), so emptying ``info`` is what keeps them out of the stored file.
    """
    icc = image.info.get("icc_profile") or None
    if image.mode == "CMYK":  # print-shop JPEGs: browsers and re-encoding handle RGB better
        image, icc = image.convert("RGB"), None
    kept = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    image.info = kept
    return image, icc


def _encode(image: Image.Image, media_type: str, icc: bytes | None) -> bytes:
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if media_type == "image/jpeg":
        options["quality"] = JPEG_QUALITY
    elif media_type == "image/webp":
        options.update(quality=WEBP_QUALITY, method=WEBP_METHOD)
    buffer = io.BytesIO()
    image.save(buffer, FORMATS[media_type][0], **options)
    return buffer.getvalue()


def _flat(image: Image.Image) -> Image.Image:
    """RGB or L for a JPEG thumbnail: transparency onto white, 16-bit and float scaled down."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("RGB", "L"):
        return image
    if image.mode.startswith("I") or image.mode == "F":
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return image.convert("RGB")


def _thumbnail(image: Image.Image, icc: bytes | None) -> bytes:
    width, height = image.size
    scale = min(THUMBNAIL_PX / width, THUMBNAIL_PX / height, 1.0)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    source = image if image.mode not in ("1", "P", "PA") else _flat(image)
    small = _flat(source.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0))
    options: dict[str, Any] = {"quality": THUMBNAIL_QUALITY}
    if icc and small.mode == image.mode:  # the profile still describes these colours
        options["icc_profile"] = icc
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def process(data: bytes, max_pixels: int = MAX_PIXELS) -> StoredImage:
    """Sniff, check, read the GPS, upright by EXIF orientation, strip, re-encode, thumbnail."""
    media_type = sniff(data)
    image = open_image(data, media_type, max_pixels)
    position = read_position(image)
    try:
        upright = ImageOps.exif_transpose(image)  # a new image, never the original
        clean, icc = _without_metadata(upright)
        stored = _encode(clean, media_type, icc)
        thumbnail = _thumbnail(clean, icc)
    except Image.DecompressionBombError:
        raise _too_many_pixels(image.size, max_pixels) from None
    except MemoryError:
        raise
    except Exception as exc:  # truncated data, broken chunks, decoder errors
        log.info("photo undecodable: %r", exc)
        raise _unreadable() from None
    return StoredImage(
        data=stored,
        thumbnail=thumbnail,
        media_type=media_type,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(stored).hexdigest(),
        position=position,
    )
