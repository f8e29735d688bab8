#!/usr/bin/env python3
"""Deterministic generator of Hamme's synthetic Handlungsprogramm (measures of the demo).

    .venv/bin/python data/demo/programme.py

Reads the demo observations and findings of Bochum-Hamme and writes
data/demo/measures.csv (the import format of /api/measures/import), measure_links.csv
(which observations and findings each measure answers, with a reason) and
measure_milestones.csv. Every measure is invented — its description says so — and derived
from the themes the demo walkthroughs and interviews found (keywords in their titles and
statements). No randomness: two runs give byte-identical files.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
from shapely.geometry import shape  # noqa: E402

from mapservice.programme.csvio import COLUMNS  # noqa: E402

QUARTER = "bochum-hamme"
SYNTHETIC = "Synthetische Demodaten (erfunden): "

# (reference, title, parent ref, phase, status, progress, weight, layers, dimensions,
#  responsible, start, end, budget, keywords in observation titles / finding statements,
#  milestones [(date, title)], published)
M = [
    ("1", "Mobil und sicher unterwegs in Hamme", None, "umsetzung", "laeuft", None, None,
     "mobilitaet;sicherheit;barrierefreiheit", "sozial;ökologisch", "Quartiersbüro Hamme",
     "2025-01-01", "2028-12-31", None, [], [], True),
    ("1.1", "Sichere Schulwege", "1", "umsetzung", "verzoegert", None, 2, "mobilitaet;sicherheit",
     "sozial", "Tiefbauamt", "2025-04-01", "2027-06-30", "180000", [], [], True),
    ("1.1.1", "Querungshilfe an der Lohstraße", "1.1", "umsetzung", "verzoegert", 40, None,
     "mobilitaet", "sozial", "Tiefbauamt", "2025-09-01", "2026-10-31", "65000",
     ["Gefährliche Querung an der Lohstraße", "Raser an der Lohstraße"],
     [("2025-09-15", "Verkehrszählung"), ("2026-03-10", "Ausführungsplanung fertig"),
      ("2026-06-01", "Bau verschoben: Leitungsarbeiten")], True),
    ("1.1.2", "Elterntaxi-Zonen an den Grundschulen", "1.1", "planung", "laeuft", 20, None,
     "mobilitaet", "sozial", "Schulen im Quartier", "2026-02-01", "2027-06-30", "15000",
     ["Gefährliche Querung an der Anne-Frank-Straße", "Schule"],
     [("2026-04-20", "Elternabend mit Schulpflegschaft")], True),
    ("1.2", "Gehwege frei und barrierearm", "1", "umsetzung", "laeuft", None, 3,
     "mobilitaet;barrierefreiheit", "sozial", "Tiefbauamt", "2025-03-01", "2027-12-31",
     "240000", [], [], True),
    ("1.2.1", "Gehwegparken an Dorstener und Poststraße ordnen", "1.2", "umsetzung", "laeuft",
     60, 2, "mobilitaet", "sozial", "Ordnungsamt", "2025-06-01", "2026-12-31", "20000",
     ["Gehweg an der Dorstener Straße zugeparkt", "Gehweg an der Poststraße zugeparkt",
      "Gehweg an der Schmechtingstraße zugeparkt"],
     [("2025-06-10", "Markierungen geplant"), ("2026-02-15", "Poller an der Poststraße")],
     True),
    ("1.2.2", "Pflaster an der Schmechtingstraße sanieren", "1.2", "abgeschlossen", "erledigt",
     100, None, "barrierefreiheit", "sozial", "Tiefbauamt", "2025-03-01", "2025-11-30",
     "140000", ["Holpriges Pflaster an der Schmechtingstraße", "Pflaster"],
     [("2025-05-05", "Baubeginn"), ("2025-11-20", "Abnahme")], True),
    ("1.2.3", "Rampen an der Overdyker Straße", "1.2", "idee", "laeuft", None, None,
     "barrierefreiheit", "sozial", "Quartiersbüro Hamme", None, None, None,
     ["Rampe", "Bordstein"], [], True),
    ("1.3", "Radverkehr im Quartier", "1", "planung", "laeuft", None, 1, "mobilitaet",
     "ökologisch", "Tiefbauamt", "2025-06-01", "2028-06-30", "90000", [], [], True),
    ("1.3.1", "Fahrradbügel an Reichsstraße und Overdyker Straße", "1.3", "abgeschlossen",
     "erledigt", 100, None, "mobilitaet", "ökologisch", "Tiefbauamt", "2025-06-01",
     "2025-10-31", "12000", ["Platz für Fahrradbügel"], [("2025-10-15", "40 Bügel montiert")],
     True),
    ("1.3.2", "Lückenschluss Radweg Overdyker Straße", "1.3", "planung", "blockiert", 10, 2,
     "mobilitaet", "ökologisch", "Tiefbauamt", "2026-01-01", "2028-06-30", "70000",
     ["Radweg an der Overdyker Straße endet abrupt", "Radweg"],
     [("2026-05-12", "Grunderwerb offen: Planung ruht")], True),
    ("1.3.3", "Quartiersgarage mit Lastenrad", "1.3", "idee", "pausiert", None, None,
     "mobilitaet", "ökologisch;ökonomisch", "Quartiersbüro Hamme", None, None, None,
     ["Quartiersgarage", "Parkplatzfläche"], [], True),
    ("2", "Grün, Klima und saubere Straßen", None, "umsetzung", "laeuft", None, None,
     "gruen-freiraum;umwelt", "ökologisch", "Grünflächenamt", "2025-01-01", "2028-12-31", None,
     [], [], True),
    ("2.1", "Grünflächen pflegen und aufwerten", "2", "umsetzung", "laeuft", None, 2,
     "gruen-freiraum", "ökologisch;sozial", "Grünflächenamt", "2025-04-01", "2027-10-31",
     "110000", [], [], True),
    ("2.1.1", "Pflegepatenschaften für Grünflächen", "2.1", "umsetzung", "laeuft", 50, None,
     "gruen-freiraum", "ökologisch;sozial", "Grünflächenamt", "2025-04-01", "2026-12-31",
     "8000", ["Ungepflegte Grünfläche"], [("2025-05-01", "Erste 12 Patenschaften")], True),
    ("2.1.2", "Baumreihe an der Schmechtingstraße ergänzen", "2.1", "planung", "laeuft", 15,
     None, "gruen-freiraum", "ökologisch", "Grünflächenamt", "2026-01-15", "2027-04-30",
     "60000", ["Baumreihe an der Schmechtingstraße lückenhaft", "Schatten"],
     [("2026-03-01", "Standorte mit Leitungsplan abgeglichen")], True),
    ("2.1.3", "Mehr Sitzbänke im Park Hamme", "2.1", "abgeschlossen", "erledigt", 100, None,
     "gruen-freiraum", "sozial", "Grünflächenamt", "2025-04-01", "2025-08-31", "18000",
     ["Mehr Sitzbänke im Park Hamme", "Bank"], [("2025-08-20", "14 Bänke aufgestellt")], True),
    ("2.2", "Sauberes Quartier", "2", "umsetzung", "laeuft", None, 1, "umwelt", "ökologisch",
     "Quartiersbüro Hamme", "2025-05-01", "2027-12-31", "30000", [], [], True),
    ("2.2.1", "Größere Papierkörbe an der Lohstraße", "2.2", "umsetzung", "laeuft", 70, None,
     "umwelt", "ökologisch", "Entsorgungsbetrieb", "2025-05-01", "2026-08-31", "9000",
     ["Überquellende Papierkörbe", "Wilder Müll"], [("2025-07-01", "20 Körbe getauscht")],
     True),
    ("2.2.2", "Müllsammelaktionen mit den Schulen", "2.2", "umsetzung", "laeuft", 30, None,
     "umwelt", "ökologisch;sozial", "Schulen im Quartier", "2025-09-01", "2027-06-30", "3000",
     ["Müllsammelaktion", "Müll"], [("2025-09-20", "Erste Aktion am Sportplatz")], True),
    ("2.3", "Leiser Verkehr", "2", "planung", "verzoegert", None, 1, "umwelt", "ökologisch",
     "Straßenverkehrsamt", "2026-01-01", "2027-12-31", None, [], [], True),
    ("2.3.1", "Tempo 30 am Surweg prüfen", "2.3", "planung", "verzoegert", 25, None, "umwelt",
     "ökologisch;sozial", "Straßenverkehrsamt", "2026-01-01", "2026-12-31", "5000",
     ["Tempo 30 gegen Lärm", "Starker Verkehrslärm"],
     [("2026-02-10", "Lärmmessung beauftragt")], True),
    ("3", "Nachbarschaft, Versorgung und lokale Wirtschaft", None, "umsetzung", "laeuft", None,
     None, "gemeinwesen;nahversorgung;lokale-wirtschaft;leerstand;bildung",
     "sozial;ökonomisch", "Quartiersbüro Hamme", "2025-01-01", "2028-12-31", None, [], [],
     True),
    ("3.1", "Treffpunkte für alle Generationen", "3", "umsetzung", "laeuft", None, 2,
     "gemeinwesen", "sozial", "Quartiersbüro Hamme", "2025-03-01", "2027-12-31", "45000", [],
     [], True),
    ("3.1.1", "Seniorentreff an der Poststraße", "3.1", "umsetzung", "laeuft", 45, None,
     "gemeinwesen", "sozial", "Quartiersbüro Hamme", "2025-03-01", "2026-12-31", "30000",
     ["Kein Treffpunkt für Ältere", "Treffpunkt"],
     [("2025-10-01", "Räume angemietet"), ("2026-04-01", "Offener Nachmittag jeden Mittwoch")],
     True),
    ("3.1.2", "Tausch- und Leihbörse", "3.1", "idee", "laeuft", None, None, "gemeinwesen",
     "sozial;ökologisch", "Nachbarschaftsinitiative", None, None, None,
     ["Tausch- und Leihbörse"], [], True),
    ("3.2", "Leerstand beleben", "3", "umsetzung", "laeuft", None, 2,
     "leerstand;lokale-wirtschaft", "ökonomisch", "Wirtschaftsförderung", "2025-06-01",
     "2027-12-31", "60000", [], [], True),
    ("3.2.1", "Zwischennutzung Ladenlokal Amtsstraße", "3.2", "umsetzung", "laeuft", 55, None,
     "leerstand", "ökonomisch;sozial", "Wirtschaftsförderung", "2025-06-01", "2026-12-31",
     "25000", ["Leerstehendes Ladenlokal Amtsstraße", "Wettbüros"],
     [("2025-11-15", "Mietvertrag für Pop-up-Laden")], True),
    ("3.2.2", "Schaufenster gestalten an der Gahlensche Straße", "3.2", "planung",
     "abgebrochen", None, None, "leerstand", "ökonomisch", "Werbegemeinschaft", "2025-06-01",
     "2026-03-31", None, ["Schaufenster gestalten"],
     [("2026-01-20", "Abgebrochen: Eigentümer nicht erreichbar")], True),
    ("3.3", "Versorgung sichern", "3", "planung", "blockiert", None, 1, "nahversorgung",
     "ökonomisch;sozial", "Wirtschaftsförderung", "2026-01-01", "2028-12-31", None, [], [],
     True),
    ("3.3.1", "Gesundheitskiosk statt fehlender Apotheke", "3.3", "planung", "blockiert", 5,
     None, "nahversorgung", "sozial", "Gesundheitsamt", "2026-01-01", "2028-12-31", "150000",
     ["Keine Apotheke mehr", "Apotheke"], [("2026-05-30", "Förderantrag abgelehnt")], True),
    ("3.4", "Bildung im Quartier", "3", "umsetzung", "laeuft", None, 1, "bildung", "sozial",
     "Schulen im Quartier", "2025-08-01", "2027-07-31", "40000", [], [], True),
    ("3.4.1", "Hausaufgabenhilfe an der Overdyker Straße", "3.4", "umsetzung", "laeuft", 65,
     None, "bildung", "sozial", "Familienzentrum", "2025-08-01", "2026-07-31", "22000",
     ["Leerer Raum für Hausaufgabenhilfe", "Hausaufgaben"],
     [("2025-09-01", "Start mit 3 Gruppen")], True),
    ("3.4.2", "Sprachcafé für Nachbar*innen", "3.4", "idee", "laeuft", None, None, "bildung",
     "sozial", "Familienzentrum", None, None, None, ["Sprachcafé"], [], False),
]  # fmt: skip


def main() -> None:
    observations = [
        f
        for f in json.loads((HERE / "observations.geojson").read_text("utf-8"))["features"]
        if f["properties"]["quarter"] == QUARTER
    ]
    with open(HERE / "findings.csv", encoding="utf-8", newline="") as handle:
        findings = [r for r in csv.DictReader(handle) if r["quarter"] == QUARTER]
    measures, links, milestones = [], [], []
    for (ref, title, parent, phase, status, progress, weight, layers, dims, who, start, end,
         budget, keywords, stones, published) in M:  # fmt: skip
        ext = f"HAM-{ref}"
        found_obs = [
            o
            for o in observations
            if any(k.lower() in o["properties"]["title"].lower() for k in keywords)
        ]
        found_obs.sort(key=lambda o: (o["properties"]["status"] != "published",
                                      o["properties"]["id"]))  # fmt: skip
        found_obs = found_obs[:5]
        found_fin = [
            f for f in findings if any(k.lower() in f["statement"].lower() for k in keywords)
        ][:2]
        wkt = ""
        if found_obs:  # the measure sits where most of its evidence is: their mean point
            points = [shape(o["geometry"]).centroid.coords[0] for o in found_obs]
            if points:
                x = sum(p[0] for p in points) / len(points)
                y = sum(p[1] for p in points) / len(points)
                wkt = f"POINT ({x:.6f} {y:.6f})"
        level = {1: "Projektfamilie", 2: "Projekt", 3: "Teilprojekt"}[ref.count(".") + 1]
        evidence = f" Anlass: {len(found_obs)} Beobachtungen, {len(found_fin)} Aussagen." if (
            found_obs or found_fin) else ""  # fmt: skip
        measures.append({
            "external_id": ext, "reference": ref, "title": title,
            "description": f"{SYNTHETIC}{level} des Handlungsprogramms Hamme.{evidence}",
            "parent_external_id": f"HAM-{parent}" if parent else "", "quarters": QUARTER,
            "layers": layers, "dimensions": dims, "responsible": who, "start_date": start or "",
            "end_date": end or "", "budget": f"{float(budget):.2f}" if budget else "",
            "phase": phase, "status": status, "progress": progress if progress is not None
            else "", "weight": weight or "", "published": "true" if published else "false",
            "geometry_wkt": wkt, "progress_computed": "",
        })  # fmt: skip
        for o in found_obs:
            links.append(
                {
                    "measure": ext,
                    "observation_id": o["properties"]["id"],
                    "finding_id": "",
                    "reason": f"Beobachtung: {o['properties']['title']}",
                }
            )
        for f in found_fin:
            links.append({"measure": ext, "observation_id": "", "finding_id": f["id"],
                          "reason": "Aussage aus einem Interview"})  # fmt: skip
        for day, stone in stones:
            milestones.append({"measure": ext, "on_date": day, "title": stone,
                               "text": f"{SYNTHETIC}{stone}."})  # fmt: skip
    _write(HERE / "measures.csv", list(COLUMNS), measures)
    _write(HERE / "measure_links.csv", ["measure", "observation_id", "finding_id", "reason"],
           links)  # fmt: skip
    _write(HERE / "measure_milestones.csv", ["measure", "on_date", "title", "text"], milestones)
    print(f"{len(measures)} measures, {len(links)} links, {len(milestones)} milestones")


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
