"""``/health`` and the start page over real HTTP."""

from __future__ import annotations

from mapservice.db.migrate import head_revision


def test_health_reports_database_schema_and_postgis(http) -> None:  # type: ignore[no-untyped-def]
    response = http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["schema"] == head_revision() == body["schema_head"]
    assert body["postgis"].startswith("3.")


def test_start_page_is_german_with_english_switch(http) -> None:  # type: ignore[no-untyped-def]
    page = http.get("/")
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    assert "Karte der Nachhaltigkeit" in page.text
    english = http.get("/", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Sustainability map" in english.text
