"""Request bodies of the actors API and the one check all write paths share.

Pydantic refuses wrong types and sizes (the API answers 400 "Ungültige Eingabe: body.x");
``check_actor`` adds what needs a library or a rule across fields — opening hours through
the OSM parser, e-mail through ``email-validator``, a point only, no contact data in tags —
and is called by the API and by every import row alike, so both refuse the same things.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mapservice.capture.strict import NoExplicitNull, StrictGeometry, Title
from mapservice.errors import InvalidInput
from mapservice.programme.actors import hours
from mapservice.programme.actors.vocab import (
    CONTACT_KEYS,
    MAX_TAGS,
    TAG_KEY,
    ActorKind,
    ConsentField,
)

ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$"),
]
OsmId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(node|way|relation)/[0-9]{1,15}$")
]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{2,38}$")
WEB = re.compile(r"^https?://[^\s<>\"']{3,490}$")

EXAMPLE = {
    "name": "Stadtteilladen Hamme",
    "kind": "qm_buero",
    "quarters": ["bochum-hamme"],
    "address": "Amtsstraße 12, 44809 Bochum",
    "location": {"type": "Point", "coordinates": [7.2035, 51.4932]},
    "phone": "+49 234 1234567",
    "email": "quartier@example.org",
    "website": "https://example.org/hamme",
    "tags": {"amenity": "social_facility", "social_facility:for": "senior"},
    "offers": [
        {"what": "Sprechstunde Quartiersbüro", "for_whom": "alle", "opening_hours": "Tu 10-12"}
    ],
    "public_fields": ["name", "address", "location", "phone", "website", "offers"],
    "published": True,
}


class OfferIn(BaseModel):
    """An Angebot: what, for whom, when (OSM ``opening_hours``, e.g. ``Mo-Fr 09:00-17:00``)."""

    model_config = ConfigDict(extra="forbid")

    what: Title
    for_whom: str = Field(default="", max_length=200)
    opening_hours: str = Field(default="", max_length=255)
    note: str = Field(default="", max_length=1000)


class ActorIn(BaseModel):
    """A new actor. ``public_fields`` is the publication consent per field; left out, an
    organisation publishes all fields and a person none."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    external_id: ExternalId | None = None
    osm_id: OsmId | None = None
    name: Title
    kind: ActorKind
    description: str = Field(default="", max_length=5000)
    quarters: list[Slug] = Field(min_length=1, max_length=50)
    address: str = Field(default="", max_length=300)
    location: StrictGeometry | None = None
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    website: str = Field(default="", max_length=500)
    tags: dict[str, Annotated[str, Field(max_length=255)]] = Field(default_factory=dict)
    offers: list[OfferIn] = Field(default_factory=list, max_length=50)
    public_fields: list[ConsentField] | None = None
    published: bool = Field(default=False, strict=True)


class ActorPatch(NoExplicitNull):
    """Changes; ``location: null`` clears the point. Send ``version`` to detect conflicts."""

    model_config = ConfigDict(extra="forbid")
    NULLABLE = frozenset({"location", "osm_id"})

    version: int | None = Field(default=None, ge=1, le=2_000_000_000, strict=True)
    external_id: ExternalId | None = None
    osm_id: OsmId | None = None
    name: Title | None = None
    kind: ActorKind | None = None
    description: str | None = Field(default=None, max_length=5000)
    quarters: list[Slug] | None = Field(default=None, min_length=1, max_length=50)
    address: str | None = Field(default=None, max_length=300)
    location: StrictGeometry | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=500)
    tags: dict[str, Annotated[str, Field(max_length=255)]] | None = None
    offers: list[OfferIn] | None = Field(default=None, max_length=50)
    public_fields: list[ConsentField] | None = None
    published: bool | None = Field(default=None, strict=True)


class ActorConsentIn(BaseModel):
    """Consent per field: the complete list of fields that may be published from now on."""

    model_config = ConfigDict(extra="forbid")

    public_fields: list[ConsentField] = Field(max_length=8)


def _bad(field: str, de: str, en: str, code: str) -> InvalidInput:
    return InvalidInput(f"{field}: {de}", f"{field}: {en}", code=code)


def check_email(value: str) -> str:
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise _bad(
            "email",
            f"„{value[:80]}“ ist keine gültige E-Mail-Adresse ({str(exc)[:100]}).",
            f"'{value[:80]}' is not a valid e-mail address ({str(exc)[:100]}).",
            "invalid_email",
        ) from None


def check_phone(value: str) -> str:
    value = value.strip()
    if value and not PHONE.match(value):
        raise _bad(
            "phone",
            f"„{value[:40]}“ ist keine Telefonnummer (Ziffern, Leerzeichen, + ( ) / . -).",
            f"'{value[:40]}' is not a phone number (digits, spaces, + ( ) / . -).",
            "invalid_phone",
        )
    return value


def check_website(value: str) -> str:
    value = value.strip()
    if value and not WEB.match(value):
        raise _bad(
            "website",
            f"„{value[:80]}“ ist keine Webadresse (mit http:// oder https://).",
            f"'{value[:80]}' is not a web address (with http:// or https://).",
            "invalid_website",
        )
    return value


def check_tags(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise _bad(
            "tags", f"höchstens {MAX_TAGS} Merkmale.", f"at most {MAX_TAGS} tags.", "too_many_tags"
        )
    for key in tags:
        if not TAG_KEY.match(key) or len(key) > 64:
            raise _bad(
                "tags",
                f"„{key[:64]}“ ist kein OSM-Schlüssel (z. B. amenity, social_facility:for).",
                f"'{key[:64]}' is not an OSM key (e.g. amenity, social_facility:for).",
                "invalid_tag",
            )
        if CONTACT_KEYS.match(key):
            raise _bad(
                "tags",
                f"„{key}“ gehört in die Felder phone/email/website/address (mit Einwilligung).",
                f"'{key}' belongs in the fields phone/email/website/address (with consent).",
                "contact_in_tags",
            )
    return {k: v.strip() for k, v in tags.items()}


def check_location(data: Any) -> Any:
    """A point (lon/lat) or None; the geometry is parsed again when written."""
    if data is not None and getattr(data, "type", None) != "Point":
        raise _bad("location", "nur ein Punkt.", "a point only.", "location_not_point")
    return data


def check_values(values: dict[str, Any]) -> dict[str, Any]:
    """The cross-field checks on a body's values (create or patch), in place."""
    for name, fn in (
        ("email", check_email),
        ("phone", check_phone),
        ("website", check_website),
        ("tags", check_tags),
    ):
        if values.get(name) is not None:
            values[name] = fn(values[name])
    if "location" in values:
        check_location(values["location"])
    for i, offer in enumerate(values.get("offers") or []):
        offer.opening_hours = hours.check(offer.opening_hours, f"offers.{i}.opening_hours")
    return values
