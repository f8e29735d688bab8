"""What erasing an interviewee removes (for the confirmation dialog), and consent changes.

The dialog shows exactly the list :func:`erasure_preview` returns, so the page can never
promise more (or less) than ``DELETE /api/interviews/{id}``
(:func:`mapservice.capture.interviews.erase`) does. Whoever changes ``erase`` changes the
list here: :data:`ERASE_REDACTS_HOMES` is the switch for the erasure that also removes home
house numbers from the statements and replaces an exact home point by its public one
(branch trust-privacy); set it to True when that ``erase`` is merged.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, text

from mapservice.access import Viewer
from mapservice.capture.interviews import Consent, fetch

#: True once ``erase`` redacts home house numbers and moves exact home points (see above).
ERASE_REDACTS_HOMES = True  # trust-privacy: erasure removes home house numbers too

CONTACT_FIELDS = {
    "full_name": ("Name", "name"),
    "email": ("E-Mail", "email"),
    "phone": ("Telefon", "phone"),
    "address": ("Anschrift", "postal address"),
    "consent": ("Notiz zur Einwilligung", "consent note"),
}


def erasure_preview(
    conn: Connection, viewer: Viewer, iid: uuid.UUID, *, redacts_homes: bool | None = None
) -> dict[str, Any]:
    """What erasure removes and what it keeps, for this interview, in both languages.

    Names the contact fields that are filled, never their values (the dialog may be seen
    over a shoulder).
    """
    viewer.require("planner", "admin")
    interview = fetch(conn, viewer, iid)
    contact = (
        conn.execute(
            text(
                "SELECT full_name, email, phone, address, consent FROM interview_contact "
                "WHERE interview_id = :id"
            ),
            {"id": iid},
        )
        .mappings()
        .first()
    )
    removed: list[dict[str, str]] = []
    if contact is not None:
        filled = [labels for key, labels in CONTACT_FIELDS.items() if contact[key]]
        de = ", ".join(d for d, _ in filled) or "leerer Eintrag"
        en = ", ".join(e for _, e in filled) or "empty entry"
        removed.append({
            "code": "contact",
            "de": f"Kontaktdaten werden gelöscht: {de}.",
            "en": f"Contact data is deleted: {en}.",
        })  # fmt: skip
    pseudonym = interview["pseudonym"]
    removed.append({
        "code": "pseudonym",
        "de": f"Das Pseudonym „{pseudonym}“ wird durch ein zufälliges ersetzt (gelöscht-…).",
        "en": f"The pseudonym '{pseudonym}' is replaced by a random one (gelöscht-…).",
    })  # fmt: skip
    if ERASE_REDACTS_HOMES if redacts_homes is None else redacts_homes:
        homes = int(
            conn.execute(
                text("SELECT count(*) FROM finding WHERE interview_id = :id AND from_home_address"),
                {"id": iid},
            ).scalar_one()
        )
        removed.append({
            "code": "home",
            "de": "Hausnummern von Wohnadressen werden aus den Aussagen entfernt; "
                  f"{homes} Aussage(n) an einer Wohnadresse verlieren ihren genauen Punkt "
                  "(es bleibt der öffentliche, verallgemeinerte).",
            "en": "House numbers of home addresses are removed from the statements; "
                  f"{homes} statement(s) at a home address lose their exact point "
                  "(the public, generalised one stays).",
        })  # fmt: skip
    n = int(interview["findings"])
    kept = [{
        "code": "findings",
        "de": f"{n} Aussage(n) bleiben ohne Personenbezug im Quartier erhalten.",
        "en": f"{n} statement(s) stay in the quarter, no longer tied to the person.",
    }, {
        "code": "interview",
        "de": "Datum, Beteiligtengruppe und Einwilligungsstatus des Interviews bleiben.",
        "en": "The interview's date, participant group and consent status stay.",
    }]  # fmt: skip
    return {"id": str(iid), "pseudonym": pseudonym, "removed": removed, "kept": kept}


def set_consent(
    conn: Connection, viewer: Viewer, iid: uuid.UUID, consent: Consent
) -> dict[str, Any]:
    """Record that the interviewee gave or withdrew consent (withdrawal does not erase)."""
    viewer.require("planner", "admin")
    fetch(conn, viewer, iid)
    conn.execute(
        text("UPDATE interview SET consent = :c WHERE id = :id"), {"c": consent, "id": iid}
    )
    return fetch(conn, viewer, iid)
