"""Kinds of actors and the fields consent is given for, as ASCII ids with German/English
labels; and which OSM tags an actor may carry (contact data never hides in a tag)."""

from __future__ import annotations

import re
from typing import Literal

ActorKind = Literal[
    "qm_buero", "verein", "initiative", "einrichtung", "verwaltung", "unternehmen", "person"
]
KINDS: dict[str, tuple[str, str]] = {
    "qm_buero": ("QM-Büro", "neighbourhood management office"),
    "verein": ("Verein", "association"),
    "initiative": ("Initiative", "initiative"),
    "einrichtung": ("Einrichtung", "facility"),
    "verwaltung": ("Verwaltung", "administration"),
    "unternehmen": ("Unternehmen", "business"),
    "person": ("Person als Kümmerer*in", "person (local caretaker)"),
}

ConsentField = Literal[
    "name", "description", "address", "location", "phone", "email", "website", "offers"
]
FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "address",
    "location",
    "phone",
    "email",
    "website",
    "offers",
)
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("Name", "name"),
    "description": ("Beschreibung", "description"),
    "address": ("Adresse", "address"),
    "location": ("Ort auf der Karte", "place on the map"),
    "phone": ("Telefon", "phone"),
    "email": ("E-Mail", "e-mail"),
    "website": ("Webseite", "website"),
    "offers": ("Angebote", "offers"),
}


def default_public_fields(kind: str) -> list[str]:
    """Organisations publish everything unless told otherwise; a person nothing: "nothing
    of a person is public without consent"."""
    return [] if kind == "person" else list(FIELDS)


def kind_label(kind: str, lang: str = "de") -> str:
    de, en = KINDS.get(kind, (kind, kind))
    return en if lang.startswith("en") else de


#: OSM keys as the wiki spells them (``social_facility:for``, ``amenity``, ``healthcare``).
TAG_KEY = re.compile(r"^[a-z][a-z0-9_]*(:[a-z0-9_]+)*$")
#: Contact and address keys move to the consent-guarded fields; a tag never carries them.
CONTACT_KEYS = re.compile(r"^(contact:.*|phone|email|website|url|fax|mobile|addr:.*)$")
MAX_TAGS = 30


def kind_from_tags(tags: dict[str, str]) -> str:
    """A kind for an OSM object: offices of the city are Verwaltung, shops and crafts are
    Unternehmen, everything else (social facilities, community centres…) an Einrichtung."""
    if tags.get("office") == "government" or tags.get("amenity") == "townhall":
        return "verwaltung"
    if "shop" in tags or "craft" in tags:
        return "unternehmen"
    if tags.get("office") in ("association", "ngo", "charity"):
        return "verein"
    return "einrichtung"
