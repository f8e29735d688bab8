"""German text templates for the synthetic demo data (used by generate.py).

Observation templates: (geometry, title, description). Geometry: P point, L a stretch of street,
A a small area. Placeholders: {street}, {an_street} ("an der Amtsstraße", "am Surweg"), and
{x} / {at_x} for a named place of category x near the feature (park, playground, school, kita,
stop, church, market): name and "where" phrase ("im Park Hamme"). A template whose place is not
near is not used there.

Finding templates use {ort} (where, as people say it) or {Ort} (same, capitalised).
"""

# fmt: off

LAYERS = (
    "umwelt", "gruen-freiraum", "mobilitaet", "wohnen", "lokale-wirtschaft", "bildung",
    "gemeinwesen", "nahversorgung", "leerstand", "barrierefreiheit", "sicherheit",
)
LAYER_WEIGHTS = {
    "umwelt": 10, "gruen-freiraum": 13, "mobilitaet": 17, "wohnen": 10, "lokale-wirtschaft": 8,
    "bildung": 6, "gemeinwesen": 9, "nahversorgung": 8, "leerstand": 8, "barrierefreiheit": 7,
    "sicherheit": 6,
}
QUARTER_LAYER_BOOST = {
    "bochum-hamme": {"umwelt": 1.3, "mobilitaet": 1.2, "gruen-freiraum": 1.2},
    "herne-wanne-sued": {"leerstand": 1.8, "lokale-wirtschaft": 1.3, "sicherheit": 1.3},
    "dortmund-marten": {"leerstand": 1.4, "gemeinwesen": 1.4, "nahversorgung": 1.3},
}
KIND_WEIGHTS = {"problem": 40, "strength": 25, "potential": 18, "idea": 17}
KIND_BY_LAYER = {
    "gruen-freiraum": {"problem": 30, "strength": 38, "potential": 16, "idea": 16},
    "leerstand": {"problem": 52, "strength": 6, "potential": 30, "idea": 12},
    "sicherheit": {"problem": 58, "strength": 14, "potential": 8, "idea": 20},
    "gemeinwesen": {"problem": 22, "strength": 40, "potential": 18, "idea": 20},
    "bildung": {"problem": 28, "strength": 40, "potential": 14, "idea": 18},
}
# kind -> (ratings, weights)
RATINGS = {
    "problem": ((-2, -1), (4, 6)),
    "strength": ((1, 2), (55, 45)),
    "potential": ((0, 1), (5, 5)),
    "idea": ((0, 1), (6, 4)),
}

# --- observations: layer -> kind -> [(geometry, title, description)] --------------------
OBS = {
    "umwelt": {
        "problem": [
            ("P", "Wilder Müll {an_street}",
             "Sperrmüll und gelbe Säcke liegen seit Tagen am Straßenrand."),
            ("P", "Überquellende Papierkörbe {an_street}",
             "Die Papierkörbe werden zu selten geleert, der Wind verteilt den Abfall."),
            ("P", "Glascontainer {an_street} zugemüllt",
             "Rund um die Container liegen Scherben und Kartons."),
            ("L", "Starker Verkehrslärm {an_street}",
             "Dauernder Durchgangsverkehr, auch Lkw; Gespräche auf dem Gehweg sind kaum möglich."),
            ("A", "Vermüllte Brachfläche {an_street}",
             "Auf der ungenutzten Fläche liegen Bauschutt, alte Reifen und Hausmüll."),
            ("P", "Ölspur und Pfützen nach Starkregen {an_street}",
             "Der Gully ist verstopft, bei Regen steht das Wasser bis auf den Gehweg."),
        ],
        "strength": [
            ("P", "Neue Straßenbäume {an_street}",
             "Die jungen Bäume werden von Anwohnenden mitgegossen und spenden schon etwas "
             "Schatten."),
            ("A", "Entsiegelte Fläche {an_street}",
             "Die frühere Asphaltfläche ist begrünt und nimmt Regenwasser auf."),
            ("P", "Gepflegte Baumscheiben {an_street}",
             "Nachbarinnen haben die Baumscheiben bepflanzt und kümmern sich darum."),
        ],
        "potential": [
            ("A", "Versiegelter Hinterhof {an_street}",
             "Großer, fast vollständig asphaltierter Hof; gut geeignet für Entsiegelung und Grün."),
            ("P", "Flachdach {an_street} für Photovoltaik",
             "Großes Flachdach eines Gewerbebaus, bisher ungenutzt."),
            ("P", "Seitenstreifen {an_street} für Baumrigole",
             "Breiter Streifen, der bei Starkregen regelmäßig überflutet."),
        ],
        "idea": [
            ("P", "Idee: Trinkbrunnen {an_street}",
             "An heißen Tagen fehlt ein Trinkwasserangebot im öffentlichen Raum."),
            ("L", "Idee: Tempo 30 gegen Lärm {an_street}",
             "Nachts Tempo 30 würde den Lärm für die Anwohnenden deutlich senken."),
            ("P", "Idee: Müllsammelaktion {an_street}",
             "Einmal im Monat gemeinsam mit Schule und Nachbarschaft aufräumen."),
        ],
    },
    "gruen-freiraum": {
        "problem": [
            ("P", "Ungepflegte Grünfläche {an_street}",
             "Rasen und Beete verwildern, die Bänke sind beschädigt."),
            ("A", "Kaum Schatten {at_park}",
             "Auf der Wiese fehlen Bäume; im Sommer ist es dort kaum auszuhalten."),
            ("P", "Hundekot auf der Wiese {at_park}",
             "Es gibt keine Beutelspender, die Wiese wird von Familien gemieden."),
            ("L", "Baumreihe {an_street} lückenhaft",
             "Mehrere Baumscheiben sind leer, abgestorbene Bäume wurden nicht ersetzt."),
        ],
        "strength": [
            ("P", "Schöner Baumbestand {at_park}",
             "Alte Linden und Platanen, im Sommer angenehm schattig."),
            ("A", "{park} als Treffpunkt beliebt",
             "Am Nachmittag viele Familien, Picknick und Ballspiele."),
            ("P", "Gemeinschaftsbeet {an_street}", "Von Anwohnenden angelegt und gut gepflegt."),
            ("L", "Durchgehende Baumreihe {an_street}",
             "Die Bäume prägen das Straßenbild und kühlen im Sommer."),
        ],
        "potential": [
            ("A", "Brachfläche {an_street} als Quartiersgarten",
             "Seit Jahren ungenutzt, gut erreichbar und sonnig."),
            ("P", "Ungenutzte Rasenfläche {an_street}",
             "Könnte mit wenigen Mitteln zum Aufenthaltsort werden."),
            ("A", "Innenhof {an_street} begrünen",
             "Großer Blockinnenhof mit Garagen, viel Platz für Grün."),
        ],
        "idea": [
            ("P", "Idee: Hochbeete {an_street}", "Urban Gardening für Nachbarschaft und Kita."),
            ("A", "Idee: Bewegungsparcours {at_park}",
             "Outdoor-Fitnessgeräte für Jugendliche und Ältere."),
            ("P", "Idee: Mehr Sitzbänke {at_park}",
             "Bänke im Schatten, damit Ältere Pausen machen können."),
        ],
    },
    "mobilitaet": {
        "problem": [
            ("P", "Gehweg {an_street} zugeparkt",
             "Autos stehen halb auf dem Gehweg, mit Kinderwagen oder Rollator kommt man nicht "
             "vorbei."),
            ("P", "Gefährliche Querung {an_street}",
             "Keine Querungshilfe, die Autos fahren hier sehr schnell."),
            ("L", "Radweg {an_street} endet abrupt",
             "Der Radweg hört ohne Überleitung auf, Radfahrende müssen in den fließenden Verkehr."),
            ("L", "Schlaglöcher {an_street}",
             "Fahrbahn und Gehweg sind auf diesem Abschnitt stark beschädigt."),
            ("P", "Haltestelle ohne Wetterschutz {an_street}",
             "Kein Unterstand, keine Sitzgelegenheit, die Anzeige fehlt."),
            ("A", "Parkplatz {an_street} dauerhaft überfüllt",
             "Falschparker blockieren die Zufahrt, auch für die Müllabfuhr."),
        ],
        "strength": [
            ("P", "Gute Anbindung {at_stop}", "Bus und Bahn fahren tagsüber dicht getaktet."),
            ("P", "Neuer Zebrastreifen {an_street}",
             "Seit dem Umbau queren Kinder hier sicher zum Spielplatz."),
            ("L", "Breiter Gehweg {an_street}",
             "Genug Platz für Fußgänger, Kinderwagen und Außengastronomie."),
        ],
        "potential": [
            ("P", "Platz für Fahrradbügel {an_street}",
             "Breiter Gehwegabschnitt, auf dem Fahrräder bisher an Laternen angeschlossen werden."),
            ("L", "Fahrradstraße {an_street} denkbar",
             "Wenig Durchgangsverkehr, gute Verbindung für den Radverkehr."),
            ("A", "Parkplatzfläche {an_street} umgestalten",
             "Großer Parkplatz, der tagsüber halb leer steht."),
        ],
        "idea": [
            ("P", "Idee: Quartiersgarage mit Lastenrad {an_street}",
             "Ausleihbare Lastenräder für Einkauf und Transporte."),
            ("P", "Idee: Mobilstation {at_stop}",
             "Carsharing, Leihräder und Bus an einem Ort bündeln."),
            ("L", "Idee: Schulweg markieren {an_street}",
             "Farbige Fußspuren auf dem Gehweg zeigen Kindern den sicheren Weg."),
        ],
    },
    "wohnen": {
        "problem": [
            ("P", "Sanierungsstau am Wohnhaus {an_street}",
             "Fassade bröckelt, Fenster sind zum Teil mit Folie abgeklebt."),
            ("P", "Schimmel und Feuchtigkeit {an_street}",
             "Bewohnende berichten von feuchten Wänden im Erdgeschoss."),
            ("A", "Wohnblock {an_street} in schlechtem Zustand",
             "Vermüllte Hauseingänge, kaputte Briefkästen, Treppenhaus unbeleuchtet."),
            ("P", "Überbelegte Wohnungen {an_street}",
             "Nach Aussage der Nachbarschaft wohnen sehr viele Menschen in kleinen Wohnungen."),
        ],
        "strength": [
            ("P", "Frisch sanierte Altbaufassade {an_street}",
             "Gelungene Sanierung mit Fördermitteln, prägt das Straßenbild."),
            ("A", "Gepflegte Siedlung {an_street}",
             "Grüne Vorgärten und Mietergärten, gute Nachbarschaft."),
            ("P", "Bezahlbare Wohnungen {an_street}",
             "Die Genossenschaft vermietet hier noch zu moderaten Preisen."),
        ],
        "potential": [
            ("A", "Baulücke {an_street}",
             "Seit Jahren unbebautes Grundstück, geeignet für Wohnungsbau."),
            ("P", "Dachgeschoss {an_street} ausbaufähig",
             "Mehrere Häuser könnten aufgestockt werden."),
        ],
        "idea": [
            ("P", "Idee: Gemeinschaftliches Wohnen {an_street}",
             "Wohnprojekt für Ältere und junge Familien unter einem Dach."),
            ("A", "Idee: Mietergärten im Hof {an_street}",
             "Der Hof könnte in kleine Gärten für die Mietparteien aufgeteilt werden."),
        ],
    },
    "lokale-wirtschaft": {
        "problem": [
            ("P", "Geschäftsaufgabe {an_street}",
             "Der Inhaber hat aus Altersgründen geschlossen, eine Nachfolge gibt es nicht."),
            ("L", "Unattraktive Geschäftszeile {an_street}",
             "Verklebte Schaufenster, veraltete Werbeanlagen, kaum Laufkundschaft."),
            ("P", "Kein Café zum Verweilen {an_street}",
             "Nur Imbisse und Wettbüros, kein Ort, an dem man sich gern hinsetzt."),
        ],
        "strength": [
            ("P", "Traditionsbäckerei {an_street}",
             "Seit Jahrzehnten im Quartier, beliebter Treffpunkt am Morgen."),
            ("P", "Vielfältige Läden {an_street}",
             "Lebensmittel, Schneiderei und Friseur mit Inhaberinnen aus vielen Ländern."),
            ("L", "Lebendige Geschäftsstraße {an_street}",
             "Viele kleine Läden, tagsüber gut besucht."),
        ],
        "potential": [
            ("P", "Gewerbehof {an_street} für Handwerk",
             "Leerstehende Werkstätten im Hinterhof, gut erreichbar."),
            ("L", "Außengastronomie {an_street} möglich", "Breiter Gehweg, Sonne am Nachmittag."),
        ],
        "idea": [
            ("P", "Idee: Gründungsberatung im Ladenlokal {an_street}",
             "Sprechstunde für Gründerinnen und Gründer direkt im Quartier."),
            ("P", "Idee: Gemeinsame Aktion der Händler {an_street}",
             "Einkaufsnacht oder Adventsmarkt mit den Geschäften der Straße."),
        ],
    },
    "bildung": {
        "problem": [
            ("P", "Schulhof {at_school} geschlossen",
             "Nach Schulschluss ist das Tor zu, Kinder spielen auf der Straße."),
            ("P", "Elterntaxis {at_school}",
             "Morgens halten Autos in zweiter Reihe, für die Kinder wird es gefährlich."),
            ("P", "Zu wenige Kita-Plätze {at_kita}",
             "Lange Warteliste, Familien weichen in andere Stadtteile aus."),
            ("A", "Schulhof {at_school} stark versiegelt",
             "Kaum Grün, im Sommer heizt sich die Fläche stark auf."),
        ],
        "strength": [
            ("P", "Engagierte Schule {at_school}",
             "Offener Ganztag mit vielen Angeboten, gute Zusammenarbeit mit Vereinen."),
            ("P", "Familienzentrum {at_kita}",
             "Beratung, Sprachkurse und Elterncafé unter einem Dach."),
            ("P", "Bücherei als Lernort {an_street}",
             "Schulklassen kommen regelmäßig, ehrenamtlich getragen."),
        ],
        "potential": [
            ("A", "Schulhof {at_school} öffnen",
             "Der Schulhof könnte nachmittags als Spielfläche geöffnet werden."),
            ("P", "Leerer Raum für Hausaufgabenhilfe {an_street}",
             "Ein Gemeinderaum steht nachmittags meist leer."),
        ],
        "idea": [
            ("P", "Idee: Lernpatenschaften {at_school}",
             "Ältere aus dem Quartier unterstützen Kinder beim Lesen."),
            ("P", "Idee: Sprachcafé {an_street}",
             "Offener Treff zum Deutschüben, auch für Eltern."),
        ],
    },
    "gemeinwesen": {
        "problem": [
            ("P", "Kein Treffpunkt für Ältere {an_street}",
             "Der Seniorentreff hat geschlossen, es gibt keinen Ersatz."),
            ("P", "Gemeinderaum kaum nutzbar {at_church}",
             "Der Raum ist nur über Treppen erreichbar und teuer in der Miete."),
            ("A", "Platz {an_street} ohne Aufenthaltsqualität",
             "Keine Bänke, kein Schatten, die Fläche wird nur durchquert."),
        ],
        "strength": [
            ("P", "Aktive Kirchengemeinde {at_church}",
             "Mittagstisch, Kleiderkammer und offene Gruppen für alle."),
            ("P", "Nachbarschaftsfest {at_market}",
             "Jährliches Fest, von Anwohnenden selbst organisiert."),
            ("P", "Gut besuchter Jugendtreff {an_street}",
             "Offene Tür am Abend, viele Jugendliche aus dem Quartier."),
            ("A", "Treffpunkt {at_market}",
             "Der Platz belebt sich an Markttagen, man trifft Bekannte."),
        ],
        "potential": [
            ("P", "Ladenlokal {an_street} als Quartierstreff",
             "Ebenerdig, zentral gelegen, Eigentümer gesprächsbereit."),
            ("A", "Platz {an_street} für Veranstaltungen",
             "Gut geeignet für Flohmarkt, Kino unter freiem Himmel oder Feste."),
        ],
        "idea": [
            ("P", "Idee: Tausch- und Leihbörse {an_street}",
             "Werkzeug, Spiele und Bücher teilen statt kaufen."),
            ("P", "Idee: Repair-Café {at_church}",
             "Einmal im Monat gemeinsam reparieren statt wegwerfen."),
            ("A", "Idee: Quartiersfest {at_market}",
             "Ein Fest für alle Generationen und Kulturen im Quartier."),
        ],
    },
    "nahversorgung": {
        "problem": [
            ("P", "Supermarkt {an_street} geschlossen",
             "Seit der Schließung fehlt fußläufig ein Vollsortimenter."),
            ("P", "Keine Apotheke mehr {an_street}",
             "Ältere müssen für Medikamente mit dem Bus fahren."),
            ("P", "Geldautomat {an_street} abgebaut",
             "Die Filiale ist zu, der nächste Automat ist weit entfernt."),
        ],
        "strength": [
            ("A", "Wochenmarkt {at_market}",
             "Frisches Obst und Gemüse, gut besucht, auch als Treffpunkt."),
            ("P", "Discounter {an_street} gut erreichbar",
             "Fußläufig für viele Haushalte, mit Lieferservice."),
            ("L", "Nahversorgung {an_street} fußläufig",
             "Bäcker, Metzger und Lebensmittelladen auf kurzem Weg."),
        ],
        "potential": [
            ("P", "Ladenlokal {an_street} für Dorfladen",
             "Passende Größe und Lage für einen genossenschaftlichen Laden."),
            ("A", "Marktfläche {at_market} erweitern",
             "Auf dem Platz wäre Raum für weitere Marktstände."),
        ],
        "idea": [
            ("P", "Idee: Lieferdienst für Ältere {an_street}",
             "Ehrenamtliche bringen Einkäufe nach Hause."),
            ("A", "Idee: Feierabendmarkt {at_market}",
             "Markt am Abend für Berufstätige, mit Imbissständen."),
        ],
    },
    "leerstand": {
        "problem": [
            ("P", "Leerstehendes Ladenlokal {street}",
             "Das Schaufenster ist mit Zeitungen verklebt, der Laden steht seit Jahren leer."),
            ("P", "Verfallendes Wohnhaus {an_street}",
             "Fenster eingeschlagen, Dach undicht, Eigentümer nicht erreichbar."),
            ("L", "Gehäufter Leerstand {an_street}",
             "Auf diesem Abschnitt stehen mehrere Erdgeschosse leer."),
            ("A", "Brachliegendes Grundstück {an_street}",
             "Eingezäunte Brache, zugewachsen und vermüllt."),
            ("P", "Ehemalige Gaststätte {an_street} leer",
             "Seit der Schließung verfällt das Gebäude zusehends."),
        ],
        "strength": [
            ("P", "Zwischennutzung Ladenlokal {an_street}",
             "Ein Künstlerkollektiv nutzt den früheren Leerstand als Atelier."),
            ("P", "Leerstand {an_street} wieder vermietet",
             "Nach langem Leerstand hat hier ein Fahrradladen eröffnet."),
        ],
        "potential": [
            ("P", "Leerstand {an_street} für Zwischennutzung",
             "Eigentümerin ist offen für eine befristete Nutzung."),
            ("A", "Brache {an_street} für neues Wohnen",
             "Gut erschlossenes Grundstück in zentraler Lage."),
            ("P", "Ladenlokal {an_street} als Pop-up-Store",
             "Kleines Lokal, geeignet für wechselnde Nutzungen."),
        ],
        "idea": [
            ("P", "Idee: Leerstandsbörse {an_street}",
             "Leere Läden sammeln und an Gründerinnen vermitteln."),
            ("P", "Idee: Schaufenster gestalten {an_street}",
             "Leere Schaufenster mit Kunst aus dem Quartier bespielen."),
        ],
    },
    "barrierefreiheit": {
        "problem": [
            ("P", "Bordstein {an_street} nicht abgesenkt",
             "Mit Rollstuhl oder Rollator ist die Querung nicht möglich."),
            ("L", "Holpriges Pflaster {an_street}",
             "Gehwegplatten stehen hoch, Stolpergefahr besonders für Ältere."),
            ("P", "Haltestelle nicht barrierefrei {at_stop}",
             "Hoher Einstieg, kein Blindenleitsystem."),
            ("P", "Treppe ohne Rampe {an_street}", "Der Zugang ist nur über Stufen möglich."),
        ],
        "strength": [
            ("P", "Barrierefreier Umbau {at_stop}", "Hochbord, Leitstreifen und gute Beleuchtung."),
            ("L", "Abgesenkte Bordsteine {an_street}",
             "Durchgehend gut befahrbar mit Rollator und Kinderwagen."),
        ],
        "potential": [
            ("P", "Eingang {an_street} leicht anpassbar",
             "Eine mobile Rampe würde den Zugang ermöglichen."),
            ("L", "Gehweg {an_street} verbreitern",
             "Die Fahrbahn ist breit genug, um Platz für Fußgänger zu schaffen."),
        ],
        "idea": [
            ("P", "Idee: Ruhebänke {an_street}", "Alle 200 Meter eine Bank für ältere Menschen."),
            ("P", "Idee: Öffentliche Toilette {at_market}",
             "Eine barrierefreie Toilette fehlt im Zentrum."),
        ],
    },
    "sicherheit": {
        "problem": [
            ("L", "Dunkle Strecke {an_street}",
             "Mehrere Laternen sind defekt, abends meiden viele den Weg."),
            ("P", "Angstraum Unterführung {an_street}",
             "Eng, schlecht beleuchtet, mit Graffiti und Uringeruch."),
            ("P", "Trinkertreff {an_street}",
             "Abends Lärm und Pöbeleien, Anwohnende fühlen sich unwohl."),
            ("A", "Unübersichtliche Ecke {an_street}",
             "Hohe Hecken, keine Einsehbarkeit, besonders im Winter."),
            ("P", "Raser {an_street}", "Nachts werden hier Rennen gefahren."),
        ],
        "strength": [
            ("P", "Gut beleuchteter Platz {at_market}",
             "Neue LED-Beleuchtung, abends fühlt man sich sicher."),
            ("L", "Belebte Straße {an_street}",
             "Bis in den Abend Betrieb, man ist nie allein unterwegs."),
        ],
        "potential": [
            ("L", "Beleuchtung {an_street} nachrüsten",
             "Laternenabstände sind groß, Masten vorhanden."),
        ],
        "idea": [
            ("P", "Idee: Hecken zurückschneiden {an_street}",
             "Mehr Sichtbeziehungen durch Rückschnitt."),
            ("L", "Idee: Nachtlicht-Spaziergang {an_street}",
             "Gemeinsamer Abendrundgang mit Polizei und Ordnungsamt."),
        ],
    },
}
# optional second sentence of a description, by kind
EXTRA = {
    "problem": [
        "Mehrere Teilnehmende haben das bestätigt.",
        "Wurde schon gemeldet, bisher ohne Ergebnis.",
        "Foto liegt vor.",
        "Betrifft vor allem ältere Menschen und Familien mit Kindern.",
        "Zuständigkeit klären (Stadt oder Eigentümer).",
    ],
    "strength": [
        "Sollte unbedingt erhalten bleiben.",
        "Wird von vielen im Quartier geschätzt.",
        "Gutes Beispiel für andere Straßen im Quartier.",
    ],
    "potential": [
        "Eigentumsverhältnisse noch unklar.",
        "Könnte ins Handlungskonzept aufgenommen werden.",
        "Mit geringem Aufwand kurzfristig umsetzbar.",
    ],
    "idea": [
        "Die Idee kam aus der Gruppe der Bewohner*innen.",
        "Im nächsten Themen-Workshop besprechen.",
        "Förderung über den Verfügungsfonds prüfen.",
    ],
}
# what residents said, by layer: neg (problems), pos (strengths), idea (potentials, ideas)
QUOTES = {
    "umwelt": {
        "neg": [
            "Hier sieht es jeden Montag aus wie auf einer Müllkippe.",
            "Nachts kann man wegen der Lkw nicht bei offenem Fenster schlafen.",
        ],
        "pos": ["Seit die Bäume da sind, ist die Straße viel freundlicher."],
        "idea": ["Wenn jeder ein bisschen mit anpackt, wird das hier schnell schöner."],
    },
    "gruen-freiraum": {
        "neg": [
            "Im Sommer gibt es hier nirgends Schatten.",
            "Die Bänke sind kaputt, da setzt sich keiner mehr hin.",
        ],
        "pos": [
            "Das ist unsere grüne Lunge, hier gehe ich jeden Tag mit dem Hund.",
            "Hier treffen sich nachmittags alle Mütter mit den Kindern.",
        ],
        "idea": ["Ein paar Hochbeete, und die Kinder könnten hier Gemüse ziehen."],
    },
    "mobilitaet": {
        "neg": [
            "Mit dem Kinderwagen muss man auf die Straße.",
            "Ich traue mich mit dem Rad hier nicht lang.",
        ],
        "pos": ["Die Bahn fährt alle zehn Minuten, das ist Gold wert."],
        "idea": ["Ein Lastenrad zum Ausleihen, das würde ich sofort nutzen."],
    },
    "wohnen": {
        "neg": [
            "Der Vermieter reagiert seit Monaten nicht.",
            "Im Winter läuft das Wasser an den Fenstern runter.",
        ],
        "pos": ["Wir wohnen hier seit dreißig Jahren und wollen nicht weg."],
        "idea": ["Hier könnten Alt und Jung doch gut zusammen wohnen."],
    },
    "lokale-wirtschaft": {
        "neg": [
            "Früher war hier richtig was los, heute ist alles zu.",
            "Es gibt nur noch Handyläden und Wettbüros.",
        ],
        "pos": ["Beim Bäcker kennt man sich, das ist wie ein Dorf."],
        "idea": ["Die Händler müssten sich mal zusammentun."],
    },
    "bildung": {
        "neg": [
            "Nach der Schule wissen die Kinder nicht, wohin.",
            "Wir stehen seit einem Jahr auf der Warteliste.",
        ],
        "pos": ["Die Lehrerinnen kümmern sich wirklich um jedes Kind."],
        "idea": ["Ich würde gern Kindern vorlesen, wenn es so ein Angebot gäbe."],
    },
    "gemeinwesen": {
        "neg": [
            "Für uns Ältere gibt es hier nichts mehr.",
            "Man kennt seine Nachbarn gar nicht mehr.",
        ],
        "pos": [
            "Beim Fest waren alle da, das war richtig schön.",
            "Die Gemeinde macht hier unheimlich viel.",
        ],
        "idea": ["Ein Raum, wo man sich einfach so treffen kann, das fehlt."],
    },
    "nahversorgung": {
        "neg": [
            "Für ein Brot muss ich jetzt mit dem Bus fahren.",
            "Seit die Apotheke zu ist, ist es schwierig geworden.",
        ],
        "pos": ["Donnerstags auf dem Markt trifft man alle."],
        "idea": ["Ein kleiner Laden mit dem Nötigsten würde schon reichen."],
    },
    "leerstand": {
        "neg": [
            "Jedes Jahr macht noch ein Laden zu.",
            "Das Haus steht leer, seit ich denken kann.",
        ],
        "pos": ["Endlich ist wieder Licht in dem Laden."],
        "idea": ["Warum lässt man da nicht junge Leute rein, zum Ausprobieren?"],
    },
    "barrierefreiheit": {
        "neg": [
            "Mit dem Rollator komme ich hier nicht über die Kante.",
            "Da bin ich schon zweimal gestolpert.",
        ],
        "pos": ["Seit dem Umbau komme ich mit dem Rollstuhl allein in die Bahn."],
        "idea": ["Ein paar Bänke zum Ausruhen, mehr braucht es gar nicht."],
    },
    "sicherheit": {
        "neg": [
            "Abends gehe ich da nicht mehr allein lang.",
            "Meine Tochter nimmt lieber den Umweg.",
        ],
        "pos": ["Hier ist immer jemand unterwegs, da fühle ich mich sicher."],
        "idea": ["Mehr Licht, und die Ecke wäre gleich eine andere."],
    },
}
SPEAKERS = [
    "sagt eine Anwohnerin", "meint ein Anwohner", "so eine Teilnehmerin der Begehung",
    "sagt ein älterer Herr aus der Nachbarschaft", "so eine Mutter mit Kinderwagen",
    "meint ein Jugendlicher", "sagt eine Ladeninhaberin",
    "so ein Bewohner, der seit 40 Jahren hier lebt",
]

# --- walkthroughs ---------------------------------------------------------------------------------
# title, start hours, participants (min, max) per group: residents, multipliers, experts,
# administration; layers in focus
WALK_TYPES = [
    ("Begehung {main} mit Bewohner*innen", (10, 14, 15), ((8, 15), (1, 3), (0, 2), (0, 1)),
     ("gruen-freiraum", "wohnen", "umwelt")),
    ("Begehung {main}: Barrierefreiheit mit Seniorinnen und Senioren", (10, 11, 14),
     ((5, 10), (1, 3), (1, 2), (0, 1)), ("barrierefreiheit", "mobilitaet", "nahversorgung")),
    ("Abendbegehung {main}: Licht und Sicherheit", (19,), ((6, 12), (1, 2), (0, 1), (1, 2)),
     ("sicherheit", "mobilitaet")),
    ("Begehung Leerstand und Nahversorgung {main} mit Gewerbetreibenden", (9, 10, 15),
     ((2, 5), (3, 6), (1, 3), (1, 2)), ("leerstand", "lokale-wirtschaft", "nahversorgung")),
    ("Kinder- und Jugendbegehung ab {start}", (15, 16), ((6, 14), (2, 4), (0, 1), (0, 1)),
     ("bildung", "gruen-freiraum", "gemeinwesen")),
    ("Fachbegehung {main} mit Verwaltung und Expert*innen", (9, 10),
     ((0, 3), (1, 3), (2, 4), (2, 4)), ("umwelt", "mobilitaet", "wohnen")),
    ("Quartiersrundgang {main} mit Multiplikator*innen", (14, 16), ((2, 6), (4, 8), (0, 2), (0, 1)),
     ("gemeinwesen", "bildung", "lokale-wirtschaft")),
]
WEATHER = [
    "sonnig, 14 °C", "bewölkt, trocken", "leichter Nieselregen", "sonnig und windig",
    "bedeckt, 9 °C", "frühlingshaft warm, 19 °C", "wechselhaft mit Schauern",
]
WALK_NOTES = [
    "Treffpunkt: {start}. Wetter: {weather}. Gute Stimmung, viele Gespräche am Wegesrand.",
    "Treffpunkt: {start}. Wetter: {weather}. Route wegen einer Baustelle {an_main} leicht "
    "geändert.",
    "Treffpunkt: {start}. Wetter: {weather}. Mehrere Passantinnen haben sich spontan "
    "angeschlossen.",
    "Treffpunkt: {start}. Wetter: {weather}. Dolmetscherin für Türkisch und Arabisch dabei.",
    "Treffpunkt: {start}. Wetter: {weather}. Abschluss mit kurzer Auswertung, Fotos hochgeladen.",
]

# --- interviews and findings: layer -> kind -> [(fits, statement)] --------------------------------
# fits: the kinds of place the statement reads well with: c corner, a address, p named place,
# s street, v vague (no place)
FINDINGS = {
    "umwelt": {
        "problem": [
            ("capsv", "{Ort} liegt ständig Müll herum, das ärgert mich jeden Tag."),
            ("capsv",
             "Sie berichtet, dass es {ort} wegen des Verkehrs so laut ist, dass sie nachts das "
             "Fenster nicht öffnen kann."),
        ],
        "strength": [("cpsv", "Ich finde gut, dass {ort} neue Bäume gepflanzt wurden.")],
        "potential": [("capsv", "{Ort} ist alles zugepflastert, da könnte man viel entsiegeln.")],
        "idea": [("cpsv", "Wir könnten {ort} mit der Schule eine Müllsammelaktion machen.")],
    },
    "gruen-freiraum": {
        "problem": [
            ("cpsv",
             "{Ort} gibt es überhaupt keinen Schatten, im Sommer hält man es da nicht aus."),
            ("caps", "Er sagt, die Grünfläche {ort} sei völlig verwildert."),
        ],
        "strength": [
            ("psv",
             "{Ort} gehe ich jeden Tag spazieren, das ist für mich das Schönste am Viertel."),
            ("cps", "Sie erzählt, dass sich {ort} nachmittags viele Familien treffen."),
        ],
        "potential": [
            ("cps", "Die Wiese {ort} wird kaum genutzt, da ließe sich was draus machen."),
        ],
        "idea": [("caps", "Ich hätte gern Hochbeete {ort}, wo wir gemeinsam gärtnern können.")],
    },
    "mobilitaet": {
        "problem": [
            ("capsv",
             "{Ort} parken die Autos immer auf dem Gehweg, mit dem Rollator komme ich nicht "
             "durch."),
            ("caps",
             "Ich habe Angst, {ort} mit den Kindern über die Straße zu gehen, da wird viel zu "
             "schnell gefahren."),
            ("cs", "Er berichtet, dass der Radweg {ort} einfach aufhört."),
        ],
        "strength": [("cpsv", "{Ort} ist die Anbindung super, ich brauche kein Auto.")],
        "potential": [("caps", "{Ort} wäre genug Platz für Fahrradbügel.")],
        "idea": [("cs", "Ein Zebrastreifen {ort} würde vielen Kindern den Schulweg erleichtern.")],
    },
    "wohnen": {
        "problem": [
            ("as",
             "Bei uns {ort} kümmert sich der Vermieter um nichts, im Treppenhaus ist das Licht "
             "seit Wochen kaputt."),
            ("cs", "Sie sagt, in den Häusern {ort} sei überall Schimmel."),
        ],
        "strength": [("cps", "Ich wohne gern {ort}, die Nachbarschaft ist gut.")],
        "potential": [
            ("cps", "{Ort} steht ein Grundstück leer, da könnte man gut Wohnungen bauen."),
        ],
        "idea": [("cpsv", "Ich wünsche mir {ort} ein Haus, in dem Alt und Jung zusammen wohnen.")],
    },
    "lokale-wirtschaft": {
        "problem": [
            ("cpsv", "{Ort} macht ein Laden nach dem anderen zu."),
            ("cpsv", "Er meint, {ort} gebe es nur noch Wettbüros und Handyläden."),
        ],
        "strength": [("caps", "Der Bäcker {ort} ist für mich der wichtigste Treffpunkt.")],
        "potential": [("cps", "{Ort} könnte man gut ein Café mit Außenplätzen aufmachen.")],
        "idea": [
            ("cs", "Die Geschäftsleute {ort} sollten mal gemeinsam ein Straßenfest organisieren."),
        ],
    },
    "bildung": {
        "problem": [
            ("cps",
             "{Ort} stehen morgens so viele Elterntaxis, dass es für die Kinder gefährlich wird."),
            ("cpsv",
             "Sie berichtet, dass es {ort} viel zu wenige Kita-Plätze gibt; für ihren Sohn sucht "
             "sie seit einem Jahr."),
        ],
        "strength": [("cs", "Die Grundschule {ort} macht eine tolle Arbeit mit den Kindern.")],
        "potential": [("cs", "Der Schulhof {ort} könnte nachmittags offen sein.")],
        "idea": [
            ("cpsv", "Ich würde gern {ort} Hausaufgabenhilfe anbieten, wenn es einen Raum gäbe."),
        ],
    },
    "gemeinwesen": {
        "problem": [
            ("cps", "Seit der Treff {ort} zu ist, sitzen viele Ältere nur noch zu Hause."),
            ("csv", "Er sagt, man kenne sich {ort} kaum noch."),
        ],
        "strength": [
            ("ps", "Die Gemeinde {ort} macht unheimlich viel für die Leute hier."),
            ("cps", "Das Nachbarschaftsfest {ort} war richtig schön, da waren alle da."),
        ],
        "potential": [
            ("caps", "{Ort} gäbe es einen leeren Laden, der sich als Treffpunkt eignen würde."),
        ],
        "idea": [("cpsv", "Wir bräuchten {ort} einen Raum, wo man einfach so vorbeikommen kann.")],
    },
    "nahversorgung": {
        "problem": [
            ("cps",
             "Seit der Supermarkt {ort} zu ist, muss ich für jeden Einkauf mit dem Bus fahren."),
            ("csv", "Sie erzählt, dass es {ort} keine Apotheke mehr gibt."),
        ],
        "strength": [("cs", "Donnerstags auf dem Markt {ort} bekomme ich alles, was ich brauche.")],
        "potential": [("caps", "{Ort} wäre ein kleiner Laden mit dem Nötigsten genau richtig.")],
        "idea": [("s", "Ein Lieferdienst für Ältere {ort} wäre eine große Hilfe.")],
    },
    "leerstand": {
        "problem": [
            ("csv", "{Ort} stehen so viele Läden leer, das sieht richtig trostlos aus."),
            ("cs", "Er berichtet, dass das Haus {ort} seit Jahren leer steht und verfällt."),
        ],
        "strength": [("caps", "Schön, dass {ort} der leere Laden jetzt wieder genutzt wird.")],
        "potential": [
            ("cs", "Die leeren Läden {ort} könnte man jungen Leuten zum Ausprobieren geben."),
        ],
        "idea": [
            ("cs",
             "Man könnte die leeren Schaufenster {ort} mit Bildern aus der Schule gestalten."),
        ],
    },
    "barrierefreiheit": {
        "problem": [
            ("capsv",
             "{Ort} sind die Bordsteine so hoch, dass ich mit dem Rollator nicht rüberkomme."),
            ("capsv", "Sie sagt, {ort} sei das Pflaster so kaputt, dass sie schon gestürzt ist."),
        ],
        "strength": [("cps", "Seit dem Umbau {ort} komme ich allein in die Bahn.")],
        "potential": [("caps", "{Ort} bräuchte es nur eine kleine Rampe.")],
        "idea": [("cps", "Ein paar Bänke {ort} zum Ausruhen, mehr wünsche ich mir gar nicht.")],
    },
    "sicherheit": {
        "problem": [
            ("cps", "{Ort} gehe ich abends nicht mehr allein lang, da ist es stockdunkel."),
            ("cps", "Er erzählt, dass sich {ort} abends Gruppen treffen und die Leute anpöbeln."),
            ("cps", "Meine Tochter macht {ort} lieber einen Umweg, weil sie Angst hat."),
        ],
        "strength": [("cps", "{Ort} ist immer etwas los, da fühle ich mich sicher.")],
        "potential": [("cpsv", "Mit besserer Beleuchtung {ort} wäre schon viel gewonnen.")],
        "idea": [
            ("cps", "Man sollte {ort} die Hecken zurückschneiden, damit man wieder was sieht."),
        ],
    },
}
# a second layer for some findings
RELATED = {
    "umwelt": ("gruen-freiraum", "mobilitaet"),
    "gruen-freiraum": ("umwelt", "gemeinwesen"),
    "mobilitaet": ("barrierefreiheit", "sicherheit", "umwelt"),
    "wohnen": ("leerstand", "umwelt"),
    "lokale-wirtschaft": ("leerstand", "nahversorgung"),
    "bildung": ("gemeinwesen", "mobilitaet"),
    "gemeinwesen": ("bildung", "gruen-freiraum"),
    "nahversorgung": ("lokale-wirtschaft", "mobilitaet"),
    "leerstand": ("lokale-wirtschaft", "wohnen"),
    "barrierefreiheit": ("mobilitaet", "nahversorgung"),
    "sicherheit": ("mobilitaet", "gemeinwesen"),
}
# findings not tied to a place: (as said in the statement, place_text as written)
VAGUE = [
    ("im ganzen Viertel", "im ganzen Viertel"),
    ("eigentlich überall", "überall"),
    ("bei uns in der Gegend", ""),
    ("in der Nähe vom Bäcker", "Nähe Bäcker"),
    ("hier im Quartier", "k. A."),
    ("irgendwo hinten an der Ecke", "weiß nicht mehr genau"),
]
# pseudonym prefix per participant group
GROUP_PREFIX = {"residents": "B", "multipliers": "M", "experts": "E", "administration": "V"}
