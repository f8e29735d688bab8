"""The Handlungsprogramm: measures (Maßnahmen) that answer what a quarter's walkthroughs found.

    vocab.py      phases, statuses and their German/English labels (ids are ASCII)
    progress.py   progress of parents from their children (weighted or plain mean)
    schemas.py    request bodies of the measures API
    measures.py   create, read, change, delete, tree; who may see and write what
    evidence.py   milestones (the public "Sachstand") and links to observations/findings
    bulk.py       one change of phase/status/dates for a selection of measures
    csvio.py      CSV export and import in the same format, upsert by external id
    status.py     a quarter's "Umsetzungsstand" (counts per phase/status, share started)
    ogc.py        the OGC API Features collection "massnahmen"
    demo.py       the synthetic Handlungsprogramm of Bochum-Hamme

The public reads published measures only; planners and admins read and write all (inside
the quarters their account is kept to). Linking a measure to an observation or finding
never changes that entry: its moderation status stays exactly as it was.
"""
