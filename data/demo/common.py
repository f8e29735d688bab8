"""Shared seeded random generator and small helpers of the demo generator (generate.py).

One random.Random(2026) for all modules: the files come out byte-identical on every run as long
as the calls happen in the same order.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from random import Random

import quarters_src as Q

DST_2026 = date(2026, 3, 29)  # Europe/Berlin: +01:00 before this day, +02:00 from it
rng = Random(2026)


def new_id():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def pick(weights):
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def stamp(day, minutes):
    tz = timezone(timedelta(hours=2 if day >= DST_2026 else 1))
    return datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(minutes=round(minutes))


def iso(t):
    return t.replace(microsecond=0).isoformat(timespec="seconds")


def spring_day(first=0, last=91):
    d = date(2026, 3, 1) + timedelta(days=rng.randint(first, last))
    return d - timedelta(days=1) if d.weekday() == 6 else d  # no Sundays


def an_street(name):
    return Q.AN_STREET.get(name, f"am {name}" if name.endswith("weg") else f"an der {name}")


def abbr(name):
    return name.replace("Straße", "Str.").replace("straße", "str.")
